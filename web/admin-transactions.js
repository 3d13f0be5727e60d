// All transactions (#/admin/transactions?customer=&credit_type=&kind=&from=&to=&actor=):
// the ledger of every customer with its filters (customer, credit type, kind,
// date range in the business's zone, acting user), a page at a time, and
// "Export CSV": a link to /api/v1/ledger.csv with exactly the same filters
// (the browser sends the session cookie with it); admins also start a
// transfer between customers here (admin-transfer.js). GET /ledger, /ledger.csv.
import { api } from './api.js';
import { h, clear, table, field, input, select, form } from './ui.js';
import { amount, signed, dateTime, zoneTime, nextDay, KINDS, kindLabel } from './fmt.js';
import { creditTypes, typeName, customersById, customerLink, customerPicker, pager, flash } from './admin-lib.js';
import { resolveRefs, reference, reason } from './ledger.js';
import { pickGiver, transferCredits, transferResult } from './admin-transfer.js';

const FILTERS = ['customer', 'credit_type', 'kind', 'from', 'to', 'actor'];

// The page's filters (days as typed) → the API's query (instants; `to` is
// the end of its day).
export function ledgerQuery(f) {
  const q = {};
  for (const k of ['customer', 'credit_type', 'kind', 'actor']) if (f[k]) q[k] = f[k];
  if (f.from) q.from = zoneTime(f.from);
  if (f.to) q.to = zoneTime(nextDay(f.to));
  return q;
}

export default async function render(ctx) {
  const types = await creditTypes();
  const f = Object.fromEntries(FILTERS.map((k) => [k, ctx.query[k] || '']));
  const query = ledgerQuery(f);

  const picker = customerPicker({ value: f.customer });
  const type = select('credit_type', [['', 'All types'], ...types.items.map((t) => [t.code, t.name])]);
  type.value = f.credit_type;
  const kind = select('kind', [['', 'All kinds'], ...KINDS.map((k) => [k, kindLabel(k)])]);
  kind.value = f.kind;
  const actors = h('datalist#actor-list', [ctx.me.email].map((e) => h('option', { value: e })));
  const filters = form([
    picker.el,
    field('Credit type', type),
    field('Kind', kind),
    field('From', input('from', { type: 'date', value: f.from })),
    field('To (inclusive)', input('to', { type: 'date', value: f.to })),
    field('Acting user', input('actor', { type: 'text', value: f.actor, list: 'actor-list', autocomplete: 'off', placeholder: 'staff@example.com' }),
      'Entries made by this user (their e-mail, or e.g. stripe).'),
    actors,
  ], (v) => {
    const qs = new URLSearchParams();
    for (const k of FILTERS) if (v[k]) qs.set(k, v[k].trim());
    ctx.go(`/admin/transactions${qs.toString() ? `?${qs}` : ''}`);
  }, { submit: 'Apply filters', cls: 'filters' });

  const csv = new URLSearchParams(query);
  const exportLink = h('a.button', {
    href: `/api/v1/ledger.csv${csv.toString() ? `?${csv}` : ''}`, download: 'ledger.csv',
  }, 'Export CSV');
  const active = FILTERS.some((k) => f[k]);

  const list = pager((cursor) => api.get('ledger', { ...query, limit: 50, cursor }), async (items) => {
    await Promise.all([customersById(items.map((e) => e.customer_id)), resolveRefs(items)]);
    for (const e of items) {
      if (e.actor && !actors.querySelector(`option[value="${CSS.escape(e.actor)}"]`)) actors.append(h('option', { value: e.actor }));
    }
    const t = table([
      { label: 'When', value: (e) => dateTime(e.created_at) },
      { label: 'Customer', value: (e) => customerLink(e.customer_id) },
      { label: 'What', value: (e) => kindLabel(e.kind) },
      { label: 'Type', value: (e) => typeName(types, e.credit_type) },
      { label: 'Credits', num: true, value: (e) => h('span', { class: e.amount.startsWith('-') ? 'out' : 'in' }, signed(e.amount)) },
      { label: 'Balance after', num: true, value: (e) => amount(e.balance_after) },
      { label: 'Reason', value: (e) => reason(e) },
      { label: 'Reference', value: (e) => reference(e, { admin: true }) },
      { label: 'By', value: (e) => e.actor || '–' },
    ], items, { caption: active ? 'Transactions matching the filters, newest first' : 'All transactions, newest first', rowAttrs: (e) => ({ dataset: { entry: e.id } }) });
    t.classList.add('stack');
    return t;
  }, { label: 'Transaction pages', none: 'No transactions match these filters.' });

  const said = flash();
  async function transfer() {
    const from = await pickGiver();
    if (!from) return;
    const done = await transferCredits(from, types);
    if (!done) return;
    await list.start();
    clear(said.el, transferResult(done, from, types));
    said.el.focus();
  }

  ctx.main.append(
    h('h1', 'Transactions'),
    said.el,
    ctx.me.role === 'admin' ? h('div.toolbar', h('button', { type: 'button', onclick: transfer }, 'Transfer credits')) : null,
    filters,
    h('div.toolbar', exportLink,
      active ? h('a', { href: '#/admin/transactions' }, 'Clear filters') : null,
      h('span.hint', 'The export holds every matching entry, oldest first, with its hash.')),
    list.el);
  await Promise.all([list.start(), picker.ready]);
}
