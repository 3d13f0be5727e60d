// Invoices (#/admin/invoices?status=&gateway=&customer=&from=&to=): every
// invoice with its filters, a page at a time; mark a bank transfer paid,
// void an invoice with a reason (then shows, per lot, the credits removed and
// those already spent), and open the printable page or the PDF.
// Open invoices show their payment details; credit notes follow the list.
// GET /invoices, POST /invoices/{id}/mark-paid, POST /invoices/{id}/void,
// GET /invoices/{id}/html, GET /invoices/{id}/pdf, GET /credit-notes.
import { api, newKey } from './api.js';
import { h, clear, table, field, input, select, textarea, form, dialog } from './ui.js';
import { amount, money, zoneTime, nextDay, cmp } from './fmt.js';
import { paymentBlock, day } from './payment.js';
import { creditTypes, typeName, customerLink, customerPicker, rememberCustomer, pager, statusBadge, need, flash } from './admin-lib.js';

const FILTERS = ['status', 'gateway', 'customer', 'from', 'to'];
const GATEWAYS = { manual: 'Bank transfer', stripe: 'Card (Stripe)', admin: 'Added by staff' };

export default async function render(ctx) {
  const types = await creditTypes();
  const f = Object.fromEntries(FILTERS.map((k) => [k, ctx.query[k] || '']));
  const query = { status: f.status, gateway: f.gateway, customer: f.customer };
  if (f.from) query.from = zoneTime(f.from);
  if (f.to) query.to = zoneTime(nextDay(f.to));
  const status = flash();
  const voided = h('div.void-result');

  const statusSel = select('status', [['', 'Any status'], ['open', 'Open'], ['paid', 'Paid'], ['void', 'Void']]);
  statusSel.value = f.status;
  const gatewaySel = select('gateway', [['', 'Any way'], ...Object.entries(GATEWAYS)]);
  gatewaySel.value = f.gateway;
  const picker = customerPicker({ value: f.customer });
  const filters = form([
    field('Status', statusSel), field('Paid by', gatewaySel), picker.el,
    field('From', input('from', { type: 'date', value: f.from })),
    field('To (inclusive)', input('to', { type: 'date', value: f.to })),
  ], (v) => {
    const qs = new URLSearchParams();
    for (const k of FILTERS) if (v[k]) qs.set(k, v[k]);
    ctx.go(`/admin/invoices${qs.toString() ? `?${qs}` : ''}`);
  }, { submit: 'Apply filters', cls: 'filters' });

  async function markPaid(inv, button) {
    button.disabled = true;
    try {
      await api.post(`invoices/${inv.id}/mark-paid`, {}, { key: newKey() });
      await list.reload();
      status.say(`Invoice ${inv.number} is paid; its credits are granted.`);
    } catch (e) { button.disabled = false; status.fail(e); }
  }

  async function voidIt(inv) {
    const key = newKey();
    const done = await dialog(`Void invoice ${inv.number}`, [
      h('p', 'Store credit it used goes back; the unspent credits it bought leave the balance for good. A card payment is not refunded here: do that in Stripe.'),
      field('Reason', textarea('reason', { rows: 2 }), 'Kept on the invoice.'),
    ], (v) => {
      need(v, ['reason']);
      return api.post(`invoices/${inv.id}/void`, { reason: v.reason.trim() }, { key });
    }, { submit: 'Void invoice' });
    if (!done) return;
    await Promise.all([list.reload(), notes.reload()]);
    const cn = done.credit_note;
    clear(voided,
      h('h2', `Invoice ${done.number} is void`),
      cn ? h('p', 'Credit note ', h('a', { href: `/api/v1/credit-notes/${cn.id}/html`, target: '_blank', rel: 'noopener' }, cn.number),
        ` issued over ${money(cn.gross, cn.currency)}; to refund: ${money(cn.refund_due, cn.currency)}.`) : null,
      done.lots?.length ? table([
        { label: 'Lot', value: (l) => l.id },
        { label: 'Type', value: (l) => typeName(types, l.credit_type) },
        { label: 'Bought', num: true, value: (l) => amount(l.original) },
        { label: 'Removed now', num: true, value: (l) => amount(l.removed ?? '0') },
        { label: 'Already spent', num: true, value: (l) => amount(l.spent ?? '0') },
      ], done.lots, { caption: 'What happened to the credits it bought' }) : h('p', 'It bought no credits.'));
    status.say(`Invoice ${done.number} is void.`);
  }

  const list = pager((cursor) => api.get('invoices', { ...query, limit: 20, cursor }), (items) => {
    for (const i of items) rememberCustomer({ id: i.customer_id, name: i.buyer?.name });
    const t = table([
      { label: 'Invoice', value: (i) => h('a.nowrap', { href: `/api/v1/invoices/${i.id}/html`, target: '_blank', rel: 'noopener' }, i.number) },
      { label: 'Date', value: (i) => day(i.issue_date) },
      { label: 'Due date', value: (i) => (i.status === 'open' ? day(i.due_date) : '–') },
      { label: 'Customer', value: (i) => customerLink(i.customer_id) },
      { label: 'Paid by', value: (i) => GATEWAYS[i.gateway] || i.gateway },
      { label: 'Status', value: (i) => h('span', statusBadge(i.status), i.void_reason ? h('span.hint', ` ${i.void_reason}`) : null) },
      { label: 'Net', num: true, value: (i) => money(i.net, i.currency) },
      { label: 'Gross', num: true, value: (i) => money(i.gross, i.currency) },
      { label: 'Due', num: true, value: (i) => (cmp(i.store_credit_applied, '0') > 0
        ? h('span', money(i.amount_due, i.currency), h('span.hint', ` after ${money(i.store_credit_applied, i.currency)} store credit`))
        : money(i.amount_due, i.currency)) },
      {
        label: 'Actions',
        value: (i) => h('div.row-actions',
          h('a.button', { href: `/api/v1/invoices/${i.id}/html`, target: '_blank', rel: 'noopener', 'aria-label': `Print invoice ${i.number}` }, 'Print'),
          h('a.button', { href: `/api/v1/invoices/${i.id}/pdf`, target: '_blank', rel: 'noopener', 'aria-label': `Invoice ${i.number} as PDF` }, 'PDF'),
          i.status === 'open' ? h('button.primary', { type: 'button', 'aria-label': `Mark paid: invoice ${i.number}`, onclick: (ev) => markPaid(i, ev.currentTarget) }, 'Mark paid') : null,
          i.status !== 'void' ? h('button.danger', { type: 'button', 'aria-label': `Void invoice ${i.number}`, onclick: () => voidIt(i) }, 'Void') : null,
          // How to pay it, with the QR code, in a dialog: the row's cell is
          // too narrow for the account and the code.
          i.payment ? h('button', {
            type: 'button', 'aria-label': `Payment details of invoice ${i.number}`,
            onclick: () => dialog(`Invoice ${i.number}: payment details`, [paymentBlock(i, { headingLevel: 'h3' })],
              () => true, { submit: 'Done', dismiss: 'Close' }),
          }, 'Payment details') : null),
      },
    ], items, { caption: 'Invoices, newest first' });
    t.classList.add('stack');
    return t;
  }, { label: 'Invoice pages', none: 'No invoices match these filters.' });

  // Credit notes of voided paid invoices, newest first (GET /credit-notes).
  const notes = pager((cursor) => api.get('credit-notes', { customer: query.customer, limit: 50, cursor }), (items) => {
    const t = table([
      { label: 'Credit note', value: (n) => h('a.nowrap', { href: `/api/v1/credit-notes/${n.id}/html`, target: '_blank', rel: 'noopener' }, n.number) },
      { label: 'Date', value: (n) => day(n.issue_date) },
      { label: 'Invoice', value: (n) => h('a.nowrap', { href: `/api/v1/invoices/${n.invoice_id}/html`, target: '_blank', rel: 'noopener' }, n.invoice_number) },
      { label: 'Customer', value: (n) => customerLink(n.customer_id) },
      { label: 'Gross', num: true, value: (n) => money(n.gross, n.currency) },
      { label: 'To refund', num: true, value: (n) => money(n.refund_due, n.currency) },
      { label: 'Reason', value: (n) => n.reason },
    ], items, { caption: 'Credit notes, newest first' });
    t.classList.add('stack');
    return t;
  }, { label: 'Credit note pages', none: 'No credit notes: voiding a paid invoice issues one.' });

  ctx.main.append(h('h1', 'Invoices'), status.el, filters, voided, list.el, h('h2', 'Credit notes'), notes.el);
  await Promise.all([list.start(), notes.start(), picker.ready]);
}
