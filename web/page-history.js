// Transactions: the customer's ledger (GET /ledger), newest first, with the
// running balance after each entry. Filters (credit type, kind, from and to
// as days in the business's zone) live in the hash query, so a reload or a
// shared link keeps them; "Load more" follows next_cursor.
import { api, ApiError } from './api.js';
import { amount, signed, money, dateTime, KINDS, kindLabel, isoDay } from './fmt.js';
import { h, clear, field, select, input, table, showErrors } from './ui.js';
import { creditTypes, typeName, dayStart, pager } from './customer.js';
import { resolveRefs, reference, reason } from './ledger.js';
import { t, tn } from './i18n.js';

const PAGE = 20;

export default async function render(ctx) {
  const { main, query, go } = ctx;
  const types = await creditTypes();
  const q = {
    credit_type: query.credit_type || '', kind: query.kind || '', from: query.from || '', to: query.to || '',
  };

  const fType = select('credit_type', [['', t('history.all_types')], ...[...types.values()].map((x) => [x.code, x.name])]);
  fType.value = q.credit_type;
  const fKind = select('kind', [['', t('history.all_kinds')], ...KINDS.map((k) => [k, kindLabel(k)])]);
  fKind.value = q.kind;
  const fFrom = input('from', { type: 'date', value: q.from, max: isoDay() });
  const fTo = input('to', { type: 'date', value: q.to });
  const filters = h('form.filters', { 'aria-label': t('history.filters'), novalidate: true },
    field(t('history.credit_type'), fType), field(t('history.kind'), fKind), field(t('history.from'), fFrom), field(t('history.to'), fTo),
    h('div.actions',
      h('button.primary', { type: 'submit' }, t('history.apply')),
      h('a.button', { href: '#/history' }, t('history.clear'))),
    h('p.form-error', { role: 'alert' }));
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    showErrors(filters, null);
    if (fFrom.value && fTo.value && fTo.value < fFrom.value) {
      showErrors(filters, new ApiError(422, { errors: [{ field: 'to', message: t('history.to_before_from') }] }));
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
  clear(main, h('h1', t('app.page.history')), filters,
    h('div.toolbar', status,
      h('a.button', { href: `/api/v1/ledger.csv${csv.size ? `?${csv}` : ''}`, download: 'ledger.csv' }, t('history.download_csv'))),
    body);

  const monetary = (code) => types.get(code)?.kind === 'monetary';
  const fmtv = (code, v) => (monetary(code) ? money(v) : amount(v));
  const one = !!q.credit_type;
  const columns = [
    { label: t('history.date'), value: (r) => h('time', { datetime: r.created_at }, dateTime(r.created_at)) },
    one ? null : { label: t('history.type'), value: (r) => typeName(types, r.credit_type) },
    { label: t('history.kind'), value: (r) => kindLabel(r.kind) },
    { label: t('history.reference'), value: (r) => reference(r) },
    { label: t('history.reason'), value: (r) => reason(r) },
    {
      label: t('history.amount'), num: true,
      value: (r) => h(`span.${r.amount.startsWith('-') ? 'out' : 'in'}`,
        monetary(r.credit_type) ? (r.amount.startsWith('-') ? money(r.amount) : `+${money(r.amount)}`) : signed(r.amount)),
    },
    { label: t('history.balance_after'), num: true, value: (r) => fmtv(r.credit_type, r.balance_after) },
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
    status.textContent = page.items.length ? tn('history.entries_on_page', page.items.length) : '';
    return page;
  }, (items) => {
    const list = table(columns, items, { caption: t('history.caption'), rowAttrs: (r) => ({ dataset: { id: r.id, kind: r.kind } }) });
    list.classList.add('stack');
    return list;
  }, {
    label: t('history.pages'),
    none: Object.values(q).some(Boolean) ? t('history.none_match') : t('history.none'),
  });
  body.append(list.el);
  await list.start();
}
