// Transactions: the customer's ledger (GET /ledger), newest first, with the
// running balance after each entry. Filters (credit type, kind, from and to
// as days in the business's zone) live in the hash query, so a reload or a
// shared link keeps them; "Load more" follows next_cursor.
import { api, ApiError } from './api.js';
import { amount, signed, money, dateTime, KINDS, kindLabel, isoDay, counted } from './fmt.js';
import { h, clear, field, select, input, table, showErrors } from './ui.js';
import { creditTypes, typeName, dayStart, pager } from './customer.js';
import { resolveRefs, reference, reason } from './ledger.js';

const PAGE = 20;

export default async function render(ctx) {
  const { main, query, go } = ctx;
  const types = await creditTypes();
  const q = {
    credit_type: query.credit_type || '', kind: query.kind || '', from: query.from || '', to: query.to || '',
  };

  const fType = select('credit_type', [['', 'All types'], ...[...types.values()].map((t) => [t.code, t.name])]);
  fType.value = q.credit_type;
  const fKind = select('kind', [['', 'All kinds'], ...KINDS.map((k) => [k, kindLabel(k)])]);
  fKind.value = q.kind;
  const fFrom = input('from', { type: 'date', value: q.from, max: isoDay() });
  const fTo = input('to', { type: 'date', value: q.to });
  const filters = h('form.filters', { 'aria-label': 'Filters', novalidate: true },
    field('Credit type', fType), field('Kind', fKind), field('From', fFrom), field('To', fTo),
    h('div.actions',
      h('button.primary', { type: 'submit' }, 'Apply'),
      h('a.button', { href: '#/history' }, 'Clear')),
    h('p.form-error', { role: 'alert' }));
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    showErrors(filters, null);
    if (fFrom.value && fTo.value && fTo.value < fFrom.value) {
      showErrors(filters, new ApiError(422, { errors: [{ field: 'to', message: 'must not be before From' }] }));
      return;
    }
    const next = new URLSearchParams();
    for (const el of [fType, fKind, fFrom, fTo]) if (el.value) next.set(el.name, el.value);
    const qs = next.toString();
    go(`/history${qs ? `?${qs}` : ''}`);
  });

  const apiQuery = {
    credit_type: q.credit_type, kind: q.kind,
    from: q.from ? dayStart(q.from) : '', to: q.to ? dayStart(q.to, 1) : '', limit: PAGE,
  };
  const csv = new URLSearchParams(Object.entries(apiQuery).filter(([k, v]) => v && k !== 'limit'));
  const body = h('div.results');
  const status = h('p.sub', { role: 'status' });
  clear(main, h('h1', 'Transactions'), filters,
    h('div.toolbar', status,
      h('a.button', { href: `/api/v1/ledger.csv${csv.size ? `?${csv}` : ''}`, download: 'ledger.csv' }, 'Download CSV')),
    body);

  const monetary = (code) => types.get(code)?.kind === 'monetary';
  const fmtv = (code, v) => (monetary(code) ? money(v) : amount(v));
  const one = !!q.credit_type;
  const columns = [
    { label: 'Date', value: (r) => h('time', { datetime: r.created_at }, dateTime(r.created_at)) },
    one ? null : { label: 'Type', value: (r) => typeName(types, r.credit_type) },
    { label: 'Kind', value: (r) => kindLabel(r.kind) },
    { label: 'Reference', value: (r) => reference(r) },
    { label: 'Reason', value: (r) => reason(r) },
    {
      label: 'Amount', num: true,
      value: (r) => h(`span.${r.amount.startsWith('-') ? 'out' : 'in'}`,
        monetary(r.credit_type) ? (r.amount.startsWith('-') ? money(r.amount) : `+${money(r.amount)}`) : signed(r.amount)),
    },
    { label: 'Balance after', num: true, value: (r) => fmtv(r.credit_type, r.balance_after) },
  ].filter(Boolean);

  const fetchPage = async (cursor) => {
    try {
      return await api.get('ledger', { ...apiQuery, cursor });
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) showErrors(filters, e);
      throw e;
    }
  };
  // A page at a time (Newer / Older): a long history never makes an endless page.
  const list = pager(async (cursor) => {
    const page = await fetchPage(cursor);
    await resolveRefs(page.items);
    status.textContent = page.items.length ? `${counted(page.items.length, 'entry', 'entries')} on this page` : '';
    return page;
  }, (items) => {
    const t = table(columns, items, { caption: 'Ledger entries, newest first', rowAttrs: (r) => ({ dataset: { id: r.id, kind: r.kind } }) });
    t.classList.add('stack');
    return t;
  }, {
    label: 'Transaction pages',
    none: Object.values(q).some(Boolean) ? 'No transactions match these filters.' : 'No transactions yet.',
  });
  body.append(list.el);
  await list.start();
}
