// Invoices (owner, GET /invoices): a status filter kept in the hash query,
// newest first with number, date (the business's local date), due date,
// status, total and amount due, the printable page in a new tab, and "Pay"
// for an open card invoice. Open bank-transfer invoices show how to pay them
// (account, reference, due date, QR code); the credit notes of voided paid
// invoices follow (GET /credit-notes).
import { api } from './api.js';
import { money, date, statusLabel } from './fmt.js';
import { h, clear, field, select, table, empty } from './ui.js';
import { statusBadge, pager, isZero } from './customer.js';
import { paymentBlock, day } from './payment.js';
import { t } from './i18n.js';

// How an invoice is paid, in words; an unknown gateway as its code.
const GATEWAYS = {
  manual: () => t('billing.gateway_manual'), stripe: () => t('billing.gateway_stripe'), admin: () => t('billing.gateway_admin'),
};

export default async function render(ctx) {
  const { main, query, go } = ctx;
  const status = ['open', 'paid', 'void'].includes(query.status) ? query.status : '';
  const fStatus = select('status', [['', t('billing.all')], ...['open', 'paid', 'void'].map((s) => [s, statusLabel(s)])]);
  fStatus.value = status;
  const filters = h('form.filters', { 'aria-label': t('billing.filters'), novalidate: true },
    field(t('billing.status'), fStatus), h('div.actions', h('button.primary', { type: 'submit' }, t('billing.show'))));
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go(`/invoices${fStatus.value ? `?status=${fStatus.value}` : ''}`);
  });
  fStatus.addEventListener('change', () => filters.requestSubmit());

  const q = { status, limit: 25 };
  const first = await api.get('invoices', q);
  const top = [h('h1', t('app.page.invoices')), filters];
  if (!first.items.length) {
    clear(main, top, empty(status ? t('billing.none_with_status') : t('billing.none'),
      h('p', h('a', { href: '#/shop' }, t('billing.buy_credits')))));
    return;
  }
  const due = (i) => (i.status === 'open' ? money(i.amount_due) : money('0.00'));
  const columns = [
    { label: t('billing.number'), value: (i) => h('a', { href: `/api/v1/invoices/${encodeURIComponent(i.id)}/html`, target: '_blank', rel: 'noopener' }, i.number) },
    { label: t('billing.date'), value: (i) => day(i.issue_date) },
    { label: t('billing.due_date'), value: (i) => (i.status === 'open' ? day(i.due_date) : '–') },
    { label: t('billing.status'), value: (i) => [statusBadge(i.status), i.status === 'paid' && i.paid_at ? h('span.sub', ` ${date(i.paid_at)}`) : null] },
    { label: t('billing.payment'), value: (i) => GATEWAYS[i.gateway]?.() || i.gateway },
    { label: t('billing.total'), num: true, value: (i) => money(i.gross) },
    { label: t('billing.store_credit'), num: true, value: (i) => (isZero(i.store_credit_applied) ? '–' : `−${money(i.store_credit_applied)}`) },
    { label: t('billing.due'), num: true, value: due },
    {
      label: t('billing.actions'),
      value: (i) => [
        h('a', { href: `/api/v1/invoices/${encodeURIComponent(i.id)}/html`, target: '_blank', rel: 'noopener', 'aria-label': t('billing.print_label', { number: i.number }) }, t('billing.print')),
        ' ',
        h('a', { href: `/api/v1/invoices/${encodeURIComponent(i.id)}/pdf`, target: '_blank', rel: 'noopener', 'aria-label': t('billing.pdf_label', { number: i.number }) }, t('billing.pdf')),
        i.status === 'open' && i.gateway === 'stripe' && i.checkout_url
          ? [' ', h('a.button.primary', { href: i.checkout_url, rel: 'noopener', 'aria-label': t('billing.pay_label', { number: i.number }) }, t('billing.pay'))] : null,
        i.status === 'open' && i.gateway === 'manual'
          ? h('span.sub', ` ${t('billing.transfer_reference', { number: i.number })}`) : null,
      ],
    },
  ];
  const toPay = first.items.filter((i) => i.payment);
  const payments = toPay.length
    ? h('section.cards.to-pay', { 'aria-label': t('billing.to_pay') },
      toPay.map((i) => h('article.card', h('h2', t('billing.invoice_due', { number: i.number, amount: money(i.amount_due), date: day(i.due_date) })), paymentBlock(i))))
    : null;
  const notes = (await api.get('credit-notes', { limit: 25 })).items;
  const credits = notes.length
    ? [h('h2', t('billing.credit_notes')), table([
      { label: t('billing.number'), value: (n) => h('a', { href: `/api/v1/credit-notes/${encodeURIComponent(n.id)}/html`, target: '_blank', rel: 'noopener' }, n.number) },
      { label: t('billing.date'), value: (n) => day(n.issue_date) },
      { label: t('billing.cancels_invoice'), value: (n) => n.invoice_number },
      { label: t('billing.total'), num: true, value: (n) => `−${money(n.gross)}` },
      { label: t('billing.refund'), num: true, value: (n) => money(n.refund_due) },
    ], notes, { caption: t('billing.credit_notes_caption') })]
    : null;
  // A page at a time (Newer / Older); the first page is the one just read.
  let firstPage = first;
  const list = pager(async (cursor) => {
    const page = !cursor && firstPage ? firstPage : await api.get('invoices', { ...q, cursor });
    firstPage = null;
    return page;
  }, (items) => {
    const list = table(columns, items, { caption: t('billing.caption') });
    list.classList.add('stack');
    return list;
  }, { label: t('billing.pages'), none: t('billing.none') });
  clear(main, top, payments, list.el, credits);
  await list.start();
}
