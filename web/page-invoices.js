// Invoices (owner, GET /invoices): a status filter kept in the hash query,
// newest first with number, date, status, total and amount due, the
// printable page in a new tab, and "Pay" for an open card invoice.
import { api } from './api.js';
import { money, date } from './fmt.js';
import { h, clear, field, select, table, empty } from './ui.js';
import { statusBadge, pager, isZero } from './customer.js';

export default async function render(ctx) {
  const { main, query, go } = ctx;
  const status = ['open', 'paid', 'void'].includes(query.status) ? query.status : '';
  const fStatus = select('status', [['', 'All'], ['open', 'Open'], ['paid', 'Paid'], ['void', 'Void']]);
  fStatus.value = status;
  const filters = h('form.filters', { 'aria-label': 'Filters', novalidate: true },
    field('Status', fStatus), h('div.actions', h('button.primary', { type: 'submit' }, 'Show')));
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go(`/invoices${fStatus.value ? `?status=${fStatus.value}` : ''}`);
  });
  fStatus.addEventListener('change', () => filters.requestSubmit());

  const q = { status, limit: 25 };
  const first = await api.get('invoices', q);
  const top = [h('h1', 'Invoices'), filters];
  if (!first.items.length) {
    clear(main, top, empty(status ? 'No invoices with this status.' : 'No invoices yet.',
      h('p', h('a', { href: '#/shop' }, 'Buy credits'))));
    return;
  }
  const due = (i) => (i.status === 'open' ? money(i.amount_due) : money('0.00'));
  const columns = [
    { label: 'Number', value: (i) => h('a', { href: `/api/v1/invoices/${encodeURIComponent(i.id)}/html`, target: '_blank', rel: 'noopener' }, i.number) },
    { label: 'Date', value: (i) => date(i.created_at) },
    { label: 'Status', value: (i) => [statusBadge(i.status), i.status === 'paid' && i.paid_at ? h('span.sub', ` ${date(i.paid_at)}`) : null] },
    { label: 'Payment', value: (i) => ({ manual: 'Bank transfer', stripe: 'Card', admin: 'Added by us' }[i.gateway] || i.gateway) },
    { label: 'Total', num: true, value: (i) => money(i.gross) },
    { label: 'Store credit', num: true, value: (i) => (isZero(i.store_credit_applied) ? '–' : `−${money(i.store_credit_applied)}`) },
    { label: 'Due', num: true, value: due },
    {
      label: 'Actions',
      value: (i) => [
        h('a', { href: `/api/v1/invoices/${encodeURIComponent(i.id)}/html`, target: '_blank', rel: 'noopener', 'aria-label': `Print invoice ${i.number}` }, 'Print'),
        i.status === 'open' && i.gateway === 'stripe' && i.checkout_url
          ? [' ', h('a.button.primary', { href: i.checkout_url, rel: 'noopener', 'aria-label': `Pay invoice ${i.number} by card` }, 'Pay')] : null,
        i.status === 'open' && i.gateway === 'manual'
          ? h('span.sub', ` transfer, reference ${i.number}`) : null,
      ],
    },
  ];
  // A page at a time (Newer / Older); the first page is the one just read.
  let firstPage = first;
  const list = pager(async (cursor) => {
    const page = !cursor && firstPage ? firstPage : await api.get('invoices', { ...q, cursor });
    firstPage = null;
    return page;
  }, (items) => {
    const t = table(columns, items, { caption: 'Invoices, newest first' });
    t.classList.add('stack');
    return t;
  }, { label: 'Invoice pages', none: 'No invoices yet.' });
  clear(main, top, list.el);
  await list.start();
}
