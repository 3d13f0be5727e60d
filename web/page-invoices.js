// Invoices (owner, GET /invoices): a status filter kept in the hash query,
// newest first with number, date (the business's local date), due date,
// status, total and amount due, the printable page in a new tab, and "Pay"
// for an open card invoice. Open bank-transfer invoices show how to pay them
// (account, reference, due date, QR code); the credit notes of voided paid
// invoices follow (GET /credit-notes).
import { api } from './api.js';
import { money, date } from './fmt.js';
import { h, clear, field, select, table, empty } from './ui.js';
import { statusBadge, pager, isZero } from './customer.js';
import { paymentBlock, day } from './payment.js';

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
    { label: 'Date', value: (i) => day(i.issue_date) },
    { label: 'Due date', value: (i) => (i.status === 'open' ? day(i.due_date) : '–') },
    { label: 'Status', value: (i) => [statusBadge(i.status), i.status === 'paid' && i.paid_at ? h('span.sub', ` ${date(i.paid_at)}`) : null] },
    { label: 'Payment', value: (i) => ({ manual: 'Bank transfer', stripe: 'Card', admin: 'Added by us' }[i.gateway] || i.gateway) },
    { label: 'Total', num: true, value: (i) => money(i.gross) },
    { label: 'Store credit', num: true, value: (i) => (isZero(i.store_credit_applied) ? '–' : `−${money(i.store_credit_applied)}`) },
    { label: 'Due', num: true, value: due },
    {
      label: 'Actions',
      value: (i) => [
        h('a', { href: `/api/v1/invoices/${encodeURIComponent(i.id)}/html`, target: '_blank', rel: 'noopener', 'aria-label': `Print invoice ${i.number}` }, 'Print'),
        ' ',
        h('a', { href: `/api/v1/invoices/${encodeURIComponent(i.id)}/pdf`, target: '_blank', rel: 'noopener', 'aria-label': `Invoice ${i.number} as PDF` }, 'PDF'),
        i.status === 'open' && i.gateway === 'stripe' && i.checkout_url
          ? [' ', h('a.button.primary', { href: i.checkout_url, rel: 'noopener', 'aria-label': `Pay invoice ${i.number} by card` }, 'Pay')] : null,
        i.status === 'open' && i.gateway === 'manual'
          ? h('span.sub', ` transfer, reference ${i.number}`) : null,
      ],
    },
  ];
  const toPay = first.items.filter((i) => i.payment);
  const payments = toPay.length
    ? h('section.cards.to-pay', { 'aria-label': 'Open invoices to pay by bank transfer' },
      toPay.map((i) => h('article.card', h('h2', `Invoice ${i.number}: ${money(i.amount_due)} due ${day(i.due_date)}`), paymentBlock(i))))
    : null;
  const notes = (await api.get('credit-notes', { limit: 25 })).items;
  const credits = notes.length
    ? [h('h2', 'Credit notes'), table([
      { label: 'Number', value: (n) => h('a', { href: `/api/v1/credit-notes/${encodeURIComponent(n.id)}/html`, target: '_blank', rel: 'noopener' }, n.number) },
      { label: 'Date', value: (n) => day(n.issue_date) },
      { label: 'Cancels invoice', value: (n) => n.invoice_number },
      { label: 'Total', num: true, value: (n) => `−${money(n.gross)}` },
      { label: 'Refund', num: true, value: (n) => money(n.refund_due) },
    ], notes, { caption: 'Credit notes, newest first' })]
    : null;
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
  clear(main, top, payments, list.el, credits);
  await list.start();
}
