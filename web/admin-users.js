// Users (#/admin/users, admins only): the business's staff and admins (GET
// /users: e-mail, role, whether they may sign in, two-factor, last sign-in),
// adding one with a first password (POST /users), and per user changing
// the role, disabling (asked first: it ends their sessions at once) and
// enabling (PATCH /users/{id}; 409 when no enabled admin would be left),
// mailing a link to set a new password (POST /users/{id}/password-reset)
// and their lines of the security log; inviting staff and admins by mail
// and their invitations waiting for an answer (invitations.js). Members
// are on their customer's page.
import { api, newKey } from './api.js';
import { h, clear, table, field, input, select, form, dialog, empty, badge, unfielded } from './ui.js';
import { dateTime } from './fmt.js';
import { flash, need } from './admin-lib.js';
import { PASSWORD_MIN } from './password.js';
import { inviteFields, invite, sentText, pendingInvitations, roleAs } from './invitations.js';
import { t } from './i18n.js';

// The roles a user of the business can have; their names are account.role.*.
const ROLES = ['staff', 'admin'];
const roleName = (r) => (ROLES.includes(r) ? t(`account.role.${r}`) : r);
const roleOptions = () => ROLES.map((r) => [r, roleName(r)]);

export default async function render(ctx) {
  const { main, me } = ctx;
  const status = flash();
  const listBox = h('div');
  let users = (await api.get('users')).items;

  async function refresh() { users = (await api.get('users')).items; draw(); }

  function actions(u) {
    const b = (text, fn, cls = '') => h(`button${cls}`, { type: 'button', 'aria-label': t('users.action_for', { action: text, email: u.email }), onclick: () => fn(u) }, text);
    return h('div.row-actions',
      b(t('users.change_role'), changeRole),
      u.disabled ? b(t('users.enable'), enable) : b(t('users.disable'), disable, '.danger'),
      u.disabled ? null : b(t('users.reset'), sendReset),
      h('a.button', { href: `#/admin/security?user=${encodeURIComponent(u.id)}`, 'aria-label': t('users.action_for', { action: t('app.page.security_log'), email: u.email }) }, t('app.page.security_log')));
  }

  function draw() {
    if (!users.length) { clear(listBox, empty(t('users.none'))); return; }
    const list = table([
      { label: t('users.email'), value: (u) => [u.email, u.id === me.user_id ? h('span.sub', ` ${t('users.you')}`) : null] },
      { label: t('users.role'), value: (u) => roleName(u.role) },
      { label: t('users.access'), value: (u) => (u.disabled ? badge(t('users.disabled'), 'bad') : badge(t('users.active'), 'good')) },
      { label: t('users.two_factor'), value: (u) => (u.totp_enabled ? badge(t('users.on'), 'good') : badge(t('users.off'))) },
      { label: t('users.last_sign_in'), value: (u) => (u.last_login_at ? dateTime(u.last_login_at) : t('users.never')) },
      { label: t('users.actions'), value: actions },
    ], users, { caption: t('users.caption'), rowAttrs: (u) => ({ dataset: { user: u.id } }) });
    list.classList.add('stack');
    clear(listBox, list);
  }

  async function changeRole(u) {
    const role = select('role', roleOptions());
    role.value = u.role;
    const done = await dialog(t('users.role_title', { email: u.email }), [field(t('users.role'), role, t('users.role_hint'))],
      (v) => api.patch(`users/${encodeURIComponent(u.id)}`, { role: v.role }), { submit: t('users.change_role') });
    if (done) { await refresh(); status.say(t('users.role_saved', { email: done.email, role: roleAs(done.role) })); }
  }

  async function disable(u) {
    const done = await dialog(t('users.disable_title', { email: u.email }), [h('p', t('users.disable_text'))],
      () => api.patch(`users/${encodeURIComponent(u.id)}`, { disabled: true }).catch((e) => { throw unfielded(e); }),
      { submit: t('users.disable') });
    if (done) { await refresh(); status.say(t('users.now_disabled', { email: done.email })); }
  }

  async function enable(u) {
    try {
      const done = await api.patch(`users/${encodeURIComponent(u.id)}`, { disabled: false });
      await refresh();
      status.say(t('users.now_enabled', { email: done.email }));
    } catch (e) { status.fail(e); }
  }

  async function sendReset(u) {
    const done = await dialog(t('users.reset_title', { email: u.email }), [h('p', t('users.reset_text'))],
      () => api.post(`users/${encodeURIComponent(u.id)}/password-reset`, {}).catch((e) => { throw unfielded(e); }),
      { submit: t('users.reset_send') });
    if (done) status.say(t('users.reset_sent', { email: u.email }));
  }

  let key = newKey();
  const add = form([
    field(t('users.email'), input('email', { type: 'email', autocomplete: 'off', required: true })),
    field(t('users.password'), input('password', { type: 'password', autocomplete: 'new-password', required: true }), t('users.password_hint', { min: PASSWORD_MIN })),
    field(t('users.role'), select('role', roleOptions())),
  ], async (v, f) => {
    need(v, ['email', 'password'], t('invite.required'));
    const u = await api.post('users', { email: v.email.trim().toLowerCase(), password: v.password, role: v.role }, { key });
    key = newKey();
    f.reset();
    await refresh();
    status.say(t('users.added', { email: u.email, role: roleAs(u.role) }));
  }, { submit: t('users.create'), cls: 'add-user' });

  // Invited by mail, they choose their own password (invitations.js).
  const pending = pendingInvitations({ pick: (i) => !i.customer_id, say: (text) => status.say(text) });
  const invitation = form(inviteFields(roleOptions(), { roleHint: t('users.role_hint') }), async (v, f) => {
    const i = await invite(v);
    f.reset();
    await pending.refresh();
    status.say(sentText(i));
  }, { submit: t('invite.send'), cls: 'invite-form' });

  draw();
  main.append(h('h1', t('app.page.users')), h('p.sub', t('users.intro')), status.el, listBox,
    h('h2', t('invite.by_mail')), h('p.sub', t('users.invite_intro')), invitation,
    h('h2', t('invite.invitations')), pending.el,
    h('h2', t('users.add')), h('p.sub', t('users.add_intro')), add);
  await pending.refresh();
}
