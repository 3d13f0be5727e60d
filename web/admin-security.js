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
import { t } from './i18n.js';

// The groups of types (a type's first part), named seclog.group.<group>,
// and the types, named seclog.type.<type>.
export const LOG_GROUPS = ['login', 'password', 'user', 'member', 'api_key', 'invitation', 'customer'];
export const LOG_TYPES = [
  'login.succeeded', 'login.failed', 'password.changed', 'password.reset_requested', 'password.reset',
  'user.created', 'user.role_changed', 'user.disabled', 'user.enabled', 'member.added', 'member.removed',
  'api_key.created', 'api_key.revoked', 'invitation.sent', 'invitation.withdrawn', 'invitation.accepted',
  'customer.registered', 'email.verified', 'customer.approved', 'customer.rejected',
];
const ROLES = ['owner', 'technician', 'staff', 'admin'];
const roleAs = (r) => (ROLES.includes(r) ? t(`invite.as.${r}`) : r);

// A type's (or group's) words; "totp.recovery_code_used" → "Totp recovery
// code used", for a type this page has no words for.
export function logTypeName(type) {
  if (LOG_GROUPS.includes(type)) return t(`seclog.group.${type}`);
  if (LOG_TYPES.includes(type)) return t(`seclog.type.${type}`);
  const s = String(type).replace(/[._]/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// The detail's keys that detailText puts in words; the rest as "key value".
const SAID = ['account', 'from', 'to', 'role', 'key_id', 'invitation_id', 'approval', 'reason'];
// The reasons of a failed sign-in this page has words for (seclog.reason.<reason>).
const REASONS = ['totp'];

function detailText(l) {
  const d = l.detail || {};
  const out = [];
  if (d.account === 'unknown') out.push(t('seclog.unknown'));
  if (d.from && d.to) out.push(t('seclog.role_change', { from: roleAs(d.from), to: roleAs(d.to) }));
  else if (d.role) out.push(t('seclog.role', { role: roleAs(d.role) }));
  if (d.key_id) out.push(t('seclog.key', { id: d.key_id }));
  if (d.invitation_id) out.push(t('seclog.invitation', { id: d.invitation_id }));
  if (d.approval === 'pending') out.push(t('seclog.waits'));
  if (d.reason) out.push(t('seclog.reason', { reason: REASONS.includes(d.reason) ? t(`seclog.reason.${d.reason}`) : d.reason }));
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

  const type = select('type', [['', t('seclog.all')], ...[...LOG_GROUPS, ...LOG_TYPES].map((x) => [x, logTypeName(x)])]);
  type.value = LOG_GROUPS.includes(f.type) || LOG_TYPES.includes(f.type) ? f.type : '';
  const filters = form([
    field(t('seclog.type'), type),
    field(t('seclog.from'), input('from', { type: 'date', value: f.from })),
    field(t('seclog.to'), input('to', { type: 'date', value: f.to })),
    f.user ? h('input', { type: 'hidden', name: 'user', value: f.user }) : null,
  ], (v) => {
    const qs = new URLSearchParams();
    for (const k of ['type', 'from', 'to', 'user']) if (v[k]) qs.set(k, v[k]);
    ctx.go(`/admin/security${qs.toString() ? `?${qs}` : ''}`);
  }, { submit: t('seclog.apply'), cls: 'filters' });

  const aboutBox = h('p.sub');
  // A page at a time (Newer / Older, ui.pager).
  const pages = pager(async (cursor) => {
    const page = await api.get('security-log', { ...q, limit: 50, cursor });
    await customersById(page.items.map((l) => l.customer_id));
    if (f.user && !aboutBox.textContent) {
      const l = page.items.find((x) => x.subject_id === f.user) || page.items.find((x) => x.actor_id === f.user);
      if (l) aboutBox.textContent = t('seclog.about_user', { who: l.subject_id === f.user ? l.subject : l.actor });
    }
    return page;
  }, (rows) => {
    const list = table([
      { label: t('seclog.when'), value: (l) => h('span.nowrap', dateTime(l.created_at)) },
      { label: t('seclog.what'), value: (l) => h('div', logTypeName(l.type), h('p.hint', h('code', l.type))) },
      { label: t('seclog.actor'), value: (l) => l.actor || '–' },
      { label: t('seclog.subject'), value: (l) => l.subject || '–' },
      { label: t('seclog.customer'), value: (l) => (l.customer_id ? customerLink(l.customer_id) : '–') },
      { label: t('seclog.address'), value: (l) => h('span.addr', l.address || '–') },
      { label: t('seclog.detail'), value: detailText },
    ], rows, { caption: filtered ? t('seclog.caption_filtered') : t('seclog.caption'), rowAttrs: (l) => ({ dataset: { line: l.id } }) });
    list.classList.add('stack');
    return list;
  }, { label: t('seclog.pages'), none: t('seclog.none') });

  clear(main, h('h1', t('app.page.security_log')), h('p.sub', t('seclog.intro')), filters,
    filtered ? h('div.toolbar', f.user ? aboutBox : null, h('a', { href: '#/admin/security' }, t('seclog.clear'))) : null,
    pages.el);
  await pages.start();
  if (f.user && !aboutBox.textContent) aboutBox.textContent = t('seclog.about_user', { who: f.user });
}
