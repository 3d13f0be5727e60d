// Invitations by mail, where people are added (the owner's Team page, the
// admin's Users page, a customer's page): the form's fields, the request's
// body, and the invitations still waiting for an answer with "Withdraw"
// (asked first: the link stops working). POST/GET /invitations, DELETE
// /invitations/{id}. The invitee's side is page-invitation.js. The words
// are invite.* of the catalogues; the roles' names are account.role.*.
import { api } from './api.js';
import { h, clear, table, field, input, select, dialog, empty, notice, errorText, unfielded } from './ui.js';
import { dateTime } from './fmt.js';
import { need } from './admin-lib.js';
import { mailLanguages } from './notify.js';
import { t } from './i18n.js';

const ROLES = ['owner', 'technician', 'staff', 'admin'];

// A role's name ("Technician"); a role this portal does not know by its code.
export function roleName(role) { return ROLES.includes(role) ? t(`account.role.${role}`) : role; }

// A role inside a sentence ("… as technician", "… als Techniker").
export function roleAs(role) { return ROLES.includes(role) ? t(`invite.as.${role}`) : role; }

// The fields of an invitation form: roles is [[value, label], …].
export function inviteFields(roles, { roleHint } = {}) {
  return [
    field(t('invite.email'), input('email', { type: 'email', autocomplete: 'off', required: true })),
    field(t('invite.name'), input('name', { autocomplete: 'off', maxlength: 200 }), t('invite.name_hint')),
    field(t('invite.role'), select('role', roles), roleHint),
    field(t('invite.language'), select('locale', mailLanguages())),
  ];
}

// POST /invitations with the form's values (and customer_id for staff).
export async function invite(v, extra = {}) {
  need(v, ['email'], t('invite.required'));
  const body = { email: v.email.trim().toLowerCase(), role: v.role, ...extra };
  if (v.name) body.name = v.name.trim();
  if (v.locale) body.locale = v.locale;
  return api.post('invitations', body);
}

export function sentText(i) { return t('invite.sent_text', { email: i.email }); }

// The pending invitations that pick() keeps, of GET /invitations with
// query; say(text) tells what withdrawing did. refresh() reloads them.
export function pendingInvitations({ query = {}, pick = () => true, say, showRole = true }) {
  const box = h('div.invitations');
  async function refresh() {
    let items;
    try {
      items = (await api.get('invitations', query)).items.filter((i) => i.status === 'pending' && pick(i));
    } catch (e) { clear(box, notice(errorText(e), 'error')); return; }
    if (!items.length) { clear(box, empty(t('invite.none'))); return; }
    const list = table([
      { label: t('invite.email'), value: (i) => h('div', h('span.addr', i.email), i.name ? h('p.hint', i.name) : null) },
      showRole ? { label: t('invite.role'), value: (i) => roleName(i.role) } : null,
      { label: t('invite.by'), value: (i) => h('span.addr', i.invited_by || '–') },
      { label: t('invite.sent'), value: (i) => dateTime(i.created_at) },
      { label: t('invite.until'), value: (i) => dateTime(i.expires_at) },
      {
        label: t('invite.actions'),
        value: (i) => h('button.danger', {
          type: 'button', 'aria-label': t('invite.withdraw_label', { email: i.email }), onclick: () => withdraw(i),
        }, t('invite.withdraw')),
      },
    ].filter(Boolean), items, { caption: t('invite.caption'), rowAttrs: (i) => ({ dataset: { invitation: i.id } }) });
    list.classList.add('stack');
    clear(box, list);
  }
  async function withdraw(i) {
    const done = await dialog(t('invite.withdraw_title', { email: i.email }), [h('p', t('invite.withdraw_text'))],
      () => api.del(`invitations/${encodeURIComponent(i.id)}`).then(() => true, (e) => { throw unfielded(e); }),
      { submit: t('invite.withdraw') });
    if (!done) return;
    await refresh();
    say(t('invite.withdrawn', { email: i.email }));
  }
  return { el: box, refresh };
}
