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
import { t } from './i18n.js';

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

  const picker = customerPicker({ value: f.customer, label: t('transactions.customer'), allLabel: t('transactions.all_customers') });
  const type = select('credit_type', [['', t('transactions.all_types')], ...types.items.map((x) => [x.code, x.name])]);
  type.value = f.credit_type;
  const kind = select('kind', [['', t('transactions.all_kinds')], ...KINDS.map((k) => [k, kindLabel(k)])]);
  kind.value = f.kind;
  const actors = h('datalist#actor-list', [ctx.me.email].map((e) => h('option', { value: e })));
  const filters = form([
    picker.el,
    field(t('transactions.credit_type'), type),
    field(t('transactions.kind'), kind),
    field(t('transactions.from'), input('from', { type: 'date', value: f.from })),
    field(t('transactions.to'), input('to', { type: 'date', value: f.to })),
    field(t('transactions.actor'), input('actor', { type: 'text', value: f.actor, list: 'actor-list', autocomplete: 'off', placeholder: 'staff@example.com' }),
      t('transactions.actor_hint')),
    actors,
  ], (v) => {
    const qs = new URLSearchParams();
    for (const k of FILTERS) if (v[k]) qs.set(k, v[k].trim());
    ctx.go(`/admin/transactions${qs.toString() ? `?${qs}` : ''}`);
  }, { submit: t('transactions.apply'), cls: 'filters' });

  const csv = new URLSearchParams(query);
  const exportLink = h('a.button', {
    href: `/api/v1/ledger.csv${csv.toString() ? `?${csv}` : ''}`, download: 'ledger.csv',
  }, t('transactions.export'));
  const active = FILTERS.some((k) => f[k]);

  const list = pager((cursor) => api.get('ledger', { ...query, limit: 50, cursor }), async (items) => {
    await Promise.all([customersById(items.map((e) => e.customer_id)), resolveRefs(items)]);
    for (const e of items) {
      if (e.actor && !actors.querySelector(`option[value="${CSS.escape(e.actor)}"]`)) actors.append(h('option', { value: e.actor }));
    }
    const tbl = table([
      { label: t('transactions.col_when'), value: (e) => dateTime(e.created_at) },
      { label: t('transactions.customer'), value: (e) => customerLink(e.customer_id) },
      { label: t('transactions.col_what'), value: (e) => kindLabel(e.kind) },
      { label: t('transactions.col_type'), value: (e) => typeName(types, e.credit_type) },
      { label: t('transactions.col_credits'), num: true, value: (e) => h('span', { class: e.amount.startsWith('-') ? 'out' : 'in' }, signed(e.amount)) },
      { label: t('transactions.col_balance'), num: true, value: (e) => amount(e.balance_after) },
      { label: t('transactions.col_reason'), value: (e) => reason(e) },
      { label: t('transactions.col_reference'), value: (e) => reference(e, { admin: true }) },
      { label: t('transactions.col_by'), value: (e) => e.actor || '–' },
    ], items, { caption: active ? t('transactions.caption_filtered') : t('transactions.caption_all'), rowAttrs: (e) => ({ dataset: { entry: e.id } }) });
    tbl.classList.add('stack');
    return tbl;
  }, { label: t('transactions.pages'), none: t('transactions.none') });

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
    h('h1', t('app.page.transactions')),
    said.el,
    ctx.me.role === 'admin' ? h('div.toolbar', h('button', { type: 'button', onclick: transfer }, t('transactions.transfer'))) : null,
    filters,
    h('div.toolbar', exportLink,
      active ? h('a', { href: '#/admin/transactions' }, t('transactions.clear')) : null,
      h('span.hint', t('transactions.export_hint'))),
    list.el);
  await Promise.all([list.start(), picker.ready]);
}
