// Security log (#/admin/security?type=&user=&from=&to=, admins only): what
// happened to accounts, newest first (GET /security-log): sign-ins and
// failed ones, password changes and resets, users and members added,
// re-roled, disabled or removed, API keys made and revoked, invitations,
// sign-ups, confirmed e-mails and approvals; who did it, to whom, from
// which address. Filters: a type or a group of types, a date
// range in the business's zone, and one user (from the Users page). "Load
// more" follows next_cursor.
import { api } from './api.js';
import { h, clear, table, field, input, select, form, pager } from './ui.js';
import { dateTime, zoneTime, nextDay } from './fmt.js';
import { customersById, customerLink } from './admin-lib.js';

// [type or group (a type's first part), words]
const GROUPS = [
  ['login', 'Any sign-in'], ['password', 'Any password change'], ['user', 'Any change to users'],
  ['member', 'Any change to members'], ['api_key', 'Any change to API keys'],
  ['invitation', 'Any invitation'], ['customer', 'Any sign-up or approval'],
];
export const LOG_TYPES = [
  ['login.succeeded', 'Signed in'],
  ['login.failed', 'Sign-in failed'],
  ['password.changed', 'Password changed'],
  ['password.reset_requested', 'Password link asked for'],
  ['password.reset', 'Password set by link'],
  ['user.created', 'User added'],
  ['user.role_changed', 'Role changed'],
  ['user.disabled', 'User disabled'],
  ['user.enabled', 'User enabled'],
  ['member.added', 'Member added'],
  ['member.removed', 'Member removed'],
  ['api_key.created', 'API key created'],
  ['api_key.revoked', 'API key revoked'],
  ['invitation.sent', 'Invitation sent'],
  ['invitation.withdrawn', 'Invitation withdrawn'],
  ['invitation.accepted', 'Invitation accepted'],
  ['customer.registered', 'Customer signed up'],
  ['email.verified', 'E-mail confirmed'],
  ['customer.approved', 'Customer approved'],
  ['customer.rejected', 'Customer rejected'],
];
const WORDS = Object.fromEntries([...GROUPS, ...LOG_TYPES]);
const ROLES = { owner: 'owner', technician: 'technician', staff: 'staff', admin: 'admin' };

const T = {
  title: 'Security log',
  intro: 'Sign-ins, passwords, users, members, API keys, invitations and sign-ups: who did what to which account, from which address. Newest first.',
  type: 'What', all: 'Everything', from: 'From', to: 'To (inclusive)', apply: 'Show',
  clear: 'Clear filters',
  aboutUser: (who) => `Only lines where ${who} acted or was acted on.`,
  caption: (filtered) => (filtered ? 'Lines matching the filters, newest first' : 'Newest first'),
  none: 'Nothing in the log matches.',
  when: 'When', what: 'What', actor: 'By', subject: 'Account', address: 'Address', customer: 'Customer', detail: 'Detail',
  nobody: '–',
  unknown: 'no such account',
  role: (r) => `role ${ROLES[r] || r}`,
  roleChange: (from, to) => `${ROLES[from] || from} → ${ROLES[to] || to}`,
  key: (id) => `key ${id}`,
  invitation: (id) => `invitation ${id}`,
  waits: 'waits for approval',
};

// "totp.recovery_code_used" → "Totp recovery code used", for a type this
// page has no words for.
export function logTypeName(type) {
  if (WORDS[type]) return WORDS[type];
  const s = String(type).replace(/[._]/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// The detail's keys that detailText puts in words; the rest as "key value".
const SAID = ['account', 'from', 'to', 'role', 'key_id', 'invitation_id', 'approval'];

function detailText(l) {
  const d = l.detail || {};
  const out = [];
  if (d.account === 'unknown') out.push(T.unknown);
  if (d.from && d.to) out.push(T.roleChange(d.from, d.to));
  else if (d.role) out.push(T.role(d.role));
  if (d.key_id) out.push(T.key(d.key_id));
  if (d.invitation_id) out.push(T.invitation(d.invitation_id));
  if (d.approval === 'pending') out.push(T.waits);
  for (const [k, v] of Object.entries(d)) {
    if (SAID.includes(k) || v === null || typeof v === 'object') continue;
    out.push(`${k.replace(/_/g, ' ')} ${v}`);
  }
  return out.join(', ') || '–';
}

export default async function render(ctx) {
  const { main, query } = ctx;
  const f = { type: query.type || '', from: query.from || '', to: query.to || '', user: query.user || '' };
  const q = { type: f.type, user: f.user };
  if (f.from) q.from = zoneTime(f.from);
  if (f.to) q.to = zoneTime(nextDay(f.to));
  const filtered = Boolean(f.type || f.from || f.to || f.user);

  const type = select('type', [['', T.all], ...GROUPS, ...LOG_TYPES]);
  type.value = WORDS[f.type] ? f.type : '';
  const filters = form([
    field(T.type, type),
    field(T.from, input('from', { type: 'date', value: f.from })),
    field(T.to, input('to', { type: 'date', value: f.to })),
    f.user ? h('input', { type: 'hidden', name: 'user', value: f.user }) : null,
  ], (v) => {
    const qs = new URLSearchParams();
    for (const k of ['type', 'from', 'to', 'user']) if (v[k]) qs.set(k, v[k]);
    ctx.go(`/admin/security${qs.toString() ? `?${qs}` : ''}`);
  }, { submit: T.apply, cls: 'filters' });

  const aboutBox = h('p.sub');
  // A page at a time (Newer / Older, ui.pager).
  const list = pager(async (cursor) => {
    const page = await api.get('security-log', { ...q, limit: 50, cursor });
    await customersById(page.items.map((l) => l.customer_id));
    if (f.user && !aboutBox.textContent) {
      const l = page.items.find((x) => x.subject_id === f.user) || page.items.find((x) => x.actor_id === f.user);
      if (l) aboutBox.textContent = T.aboutUser(l.subject_id === f.user ? l.subject : l.actor);
    }
    return page;
  }, (rows) => {
    const t = table([
      { label: T.when, value: (l) => h('span.nowrap', dateTime(l.created_at)) },
      { label: T.what, value: (l) => h('div', logTypeName(l.type), h('p.hint', h('code', l.type))) },
      { label: T.actor, value: (l) => l.actor || T.nobody },
      { label: T.subject, value: (l) => l.subject || T.nobody },
      { label: T.customer, value: (l) => (l.customer_id ? customerLink(l.customer_id) : T.nobody) },
      { label: T.address, value: (l) => h('span.addr', l.address || T.nobody) },
      { label: T.detail, value: detailText },
    ], rows, { caption: T.caption(filtered), rowAttrs: (l) => ({ dataset: { line: l.id } }) });
    t.classList.add('stack');
    return t;
  }, { label: 'Security log pages', none: T.none });

  clear(main, h('h1', T.title), h('p.sub', T.intro), filters,
    filtered ? h('div.toolbar', f.user ? aboutBox : null, h('a', { href: '#/admin/security' }, T.clear)) : null,
    list.el);
  await list.start();
  if (f.user && !aboutBox.textContent) aboutBox.textContent = T.aboutUser(f.user);
}
