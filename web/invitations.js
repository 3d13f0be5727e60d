// Invitations by mail, where people are added (the owner's Team page, the
// admin's Users page, a customer's page): the form's fields, the request's
// body, and the invitations still waiting for an answer with "Withdraw"
// (asked first: the link stops working). POST/GET /invitations, DELETE
// /invitations/{id}. The invitee's side is page-invitation.js.
import { api } from './api.js';
import { h, clear, table, field, input, select, dialog, empty, notice, errorText, unfielded } from './ui.js';
import { dateTime } from './fmt.js';
import { need } from './admin-lib.js';
import { LANGUAGES } from './notify.js';

export const ROLE_NAMES = { owner: 'Owner', technician: 'Technician', staff: 'Staff', admin: 'Admin' };

const T = {
  email: 'E-mail', name: 'Name', nameHint: 'Optional: the mail greets them with it.',
  role: 'Role', language: 'Language of the mail',
  caption: 'Invitations waiting for an answer',
  none: 'No invitations are waiting for an answer.',
  by: 'Invited by', sent: 'Sent', until: 'Link works until', actions: 'Actions',
  withdraw: 'Withdraw', withdrawTitle: (i) => `Withdraw the invitation of ${i.email}?`,
  withdrawText: 'The link in their mail stops working. You can invite them again later.',
  withdrawn: (i) => `The invitation of ${i.email} is withdrawn.`,
  sent_: (i) => `An invitation is on its way to ${i.email}; its link works for 7 days.`,
};

// The fields of an invitation form: roles is [[value, label], …].
export function inviteFields(roles, { roleHint } = {}) {
  return [
    field(T.email, input('email', { type: 'email', autocomplete: 'off', required: true })),
    field(T.name, input('name', { autocomplete: 'off', maxlength: 200 }), T.nameHint),
    field(T.role, select('role', roles), roleHint),
    field(T.language, select('locale', LANGUAGES)),
  ];
}

// POST /invitations with the form's values (and customer_id for staff).
export async function invite(v, extra = {}) {
  need(v, ['email']);
  const body = { email: v.email.trim().toLowerCase(), role: v.role, ...extra };
  if (v.name) body.name = v.name.trim();
  if (v.locale) body.locale = v.locale;
  return api.post('invitations', body);
}

export function sentText(i) { return T.sent_(i); }

// The pending invitations that pick() keeps, of GET /invitations with
// query; say(text) tells what withdrawing did. refresh() reloads them.
export function pendingInvitations({ query = {}, pick = () => true, say, showRole = true }) {
  const box = h('div.invitations');
  async function refresh() {
    let items;
    try {
      items = (await api.get('invitations', query)).items.filter((i) => i.status === 'pending' && pick(i));
    } catch (e) { clear(box, notice(errorText(e), 'error')); return; }
    if (!items.length) { clear(box, empty(T.none)); return; }
    const t = table([
      { label: T.email, value: (i) => h('div', h('span.addr', i.email), i.name ? h('p.hint', i.name) : null) },
      showRole ? { label: T.role, value: (i) => ROLE_NAMES[i.role] || i.role } : null,
      { label: T.by, value: (i) => h('span.addr', i.invited_by || '–') },
      { label: T.sent, value: (i) => dateTime(i.created_at) },
      { label: T.until, value: (i) => dateTime(i.expires_at) },
      {
        label: T.actions,
        value: (i) => h('button.danger', { type: 'button', 'aria-label': `${T.withdraw}: ${i.email}`, onclick: () => withdraw(i) }, T.withdraw),
      },
    ].filter(Boolean), items, { caption: T.caption, rowAttrs: (i) => ({ dataset: { invitation: i.id } }) });
    t.classList.add('stack');
    clear(box, t);
  }
  async function withdraw(i) {
    const done = await dialog(T.withdrawTitle(i), [h('p', T.withdrawText)],
      () => api.del(`invitations/${encodeURIComponent(i.id)}`).then(() => true, (e) => { throw unfielded(e); }),
      { submit: T.withdraw });
    if (!done) return;
    await refresh();
    say(T.withdrawn(i));
  }
  return { el: box, refresh };
}
