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
import { inviteFields, invite, sentText, pendingInvitations } from './invitations.js';

const ROLES = [['staff', 'Staff'], ['admin', 'Admin']];
const ROLE = Object.fromEntries(ROLES);

const T = {
  title: 'Users',
  intro: 'The people who work in the business. Staff run customers, orders and invoices; admins also manage settings, users and keys. A customer\'s members are on the customer\'s page.',
  caption: 'Staff and admins',
  email: 'E-mail', role: 'Role', access: 'Access', twoFactor: 'Two-factor', lastSignIn: 'Last sign-in', actions: 'Actions',
  you: ' (you)',
  active: 'Active', disabled: 'Disabled', on: 'On', off: 'Off', never: 'Never',
  none: 'No users yet.',
  changeRole: 'Change role', roleTitle: (u) => `Change the role of ${u.email}`,
  roleHint: 'Admins can change settings, users and API keys; staff cannot.',
  roleSaved: (u) => `${u.email} is now ${ROLE[u.role]?.toLowerCase() || u.role}.`,
  disable: 'Disable', enable: 'Enable',
  disableTitle: (u) => `Disable ${u.email}?`,
  disableText: 'They are signed out at once, on every device, and cannot sign in until an admin enables them again. What they did stays in the records with their name.',
  nowDisabled: (u) => `${u.email} is disabled and signed out everywhere.`,
  nowEnabled: (u) => `${u.email} can sign in again.`,
  reset: 'Send password link', resetTitle: (u) => `Send ${u.email} a password link?`,
  resetText: 'They get an e-mail with a link to choose a new password, valid once for one hour. A link sent before stops working. Their password stays as it is until they use the link.',
  resetSend: 'Send link',
  resetSent: (u) => `A link to choose a new password is on its way to ${u.email}.`,
  log: 'Security log',
  invite: 'Invite by e-mail',
  inviteIntro: 'They get a link to choose their own password; it works for 7 days.',
  inviteSend: 'Send invitation',
  invitations: 'Invitations',
  add: 'Add a user with a password',
  addIntro: 'They sign in with this e-mail and password; tell them the password privately.',
  password: 'First password', passwordHint: `At least ${PASSWORD_MIN} characters. They can change it under My account.`,
  create: 'Add user',
  added: (u) => `${u.email} was added as ${ROLE[u.role]?.toLowerCase() || u.role}.`,
};

export default async function render(ctx) {
  const { main, me } = ctx;
  const status = flash();
  const listBox = h('div');
  let users = (await api.get('users')).items;

  async function refresh() { users = (await api.get('users')).items; draw(); }

  function actions(u) {
    const b = (text, fn, cls = '') => h(`button${cls}`, { type: 'button', 'aria-label': `${text}: ${u.email}`, onclick: () => fn(u) }, text);
    return h('div.row-actions',
      b(T.changeRole, changeRole),
      u.disabled ? b(T.enable, enable) : b(T.disable, disable, '.danger'),
      u.disabled ? null : b(T.reset, sendReset),
      h('a.button', { href: `#/admin/security?user=${encodeURIComponent(u.id)}`, 'aria-label': `${T.log}: ${u.email}` }, T.log));
  }

  function draw() {
    if (!users.length) { clear(listBox, empty(T.none)); return; }
    const t = table([
      { label: T.email, value: (u) => [u.email, u.id === me.user_id ? h('span.sub', T.you) : null] },
      { label: T.role, value: (u) => ROLE[u.role] || u.role },
      { label: T.access, value: (u) => (u.disabled ? badge(T.disabled, 'bad') : badge(T.active, 'good')) },
      { label: T.twoFactor, value: (u) => (u.totp_enabled ? badge(T.on, 'good') : badge(T.off)) },
      { label: T.lastSignIn, value: (u) => (u.last_login_at ? dateTime(u.last_login_at) : T.never) },
      { label: T.actions, value: actions },
    ], users, { caption: T.caption, rowAttrs: (u) => ({ dataset: { user: u.id } }) });
    t.classList.add('stack');
    clear(listBox, t);
  }

  async function changeRole(u) {
    const role = select('role', ROLES);
    role.value = u.role;
    const done = await dialog(T.roleTitle(u), [field(T.role, role, T.roleHint)],
      (v) => api.patch(`users/${encodeURIComponent(u.id)}`, { role: v.role }), { submit: T.changeRole });
    if (done) { await refresh(); status.say(T.roleSaved(done)); }
  }

  async function disable(u) {
    const done = await dialog(T.disableTitle(u), [h('p', T.disableText)],
      () => api.patch(`users/${encodeURIComponent(u.id)}`, { disabled: true }).catch((e) => { throw unfielded(e); }),
      { submit: T.disable });
    if (done) { await refresh(); status.say(T.nowDisabled(done)); }
  }

  async function enable(u) {
    try {
      const done = await api.patch(`users/${encodeURIComponent(u.id)}`, { disabled: false });
      await refresh();
      status.say(T.nowEnabled(done));
    } catch (e) { status.fail(e); }
  }

  async function sendReset(u) {
    const done = await dialog(T.resetTitle(u), [h('p', T.resetText)],
      () => api.post(`users/${encodeURIComponent(u.id)}/password-reset`, {}).catch((e) => { throw unfielded(e); }),
      { submit: T.resetSend });
    if (done) status.say(T.resetSent(u));
  }

  let key = newKey();
  const add = form([
    field(T.email, input('email', { type: 'email', autocomplete: 'off', required: true })),
    field(T.password, input('password', { type: 'password', autocomplete: 'new-password', required: true }), T.passwordHint),
    field(T.role, select('role', ROLES)),
  ], async (v, f) => {
    need(v, ['email', 'password']);
    const u = await api.post('users', { email: v.email.trim().toLowerCase(), password: v.password, role: v.role }, { key });
    key = newKey();
    f.reset();
    await refresh();
    status.say(T.added(u));
  }, { submit: T.create, cls: 'add-user' });

  // Invited by mail, they choose their own password (invitations.js).
  const pending = pendingInvitations({ pick: (i) => !i.customer_id, say: (text) => status.say(text) });
  const invitation = form(inviteFields(ROLES, { roleHint: T.roleHint }), async (v, f) => {
    const i = await invite(v);
    f.reset();
    await pending.refresh();
    status.say(sentText(i));
  }, { submit: T.inviteSend, cls: 'invite-form' });

  draw();
  main.append(h('h1', T.title), h('p.sub', T.intro), status.el, listBox,
    h('h2', T.invite), h('p.sub', T.inviteIntro), invitation,
    h('h2', T.invitations), pending.el,
    h('h2', T.add), h('p.sub', T.addIntro), add);
  await pending.refresh();
}
