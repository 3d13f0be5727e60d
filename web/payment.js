// How to pay an open invoice by bank transfer, one shape for every page that
// shows it (the shop's bank-transfer step, the customer's Invoices page, the
// admin's invoices): account holder, IBAN in groups of four, BIC, the amount
// due, the invoice number as the reference ("Verwendungszweck"), the due
// date, and for euros the EPC QR code ("GiroCode") drawn from the text the
// server made (invoice.payment.epc_qr), level M, with web/qr.js.
import { h } from './ui.js';
import { money, getTenant } from './fmt.js';
import { qrSvg } from './qr.js';

// "2026-12-18" (a local date of the business) as the business writes dates.
export function day(iso) {
  if (!iso || !/^\d{4}-\d{2}-\d{2}$/.test(iso)) return '–';
  return new Intl.DateTimeFormat(getTenant().locale, { dateStyle: 'medium', timeZone: 'UTC' })
    .format(new Date(`${iso}T00:00:00Z`));
}

// The transfer's details, or null when the invoice asks for none.
export function paymentBlock(inv, { headingLevel = 'h3' } = {}) {
  const p = inv.payment;
  if (!p) return null;
  const rows = [
    ['Account holder', p.account_holder],
    ['IBAN', h('span.iban', p.iban_display)],
    p.bic ? ['BIC', p.bic] : null,
    ['Amount', money(p.amount, p.currency)],
    ['Reference', h('strong.ref', p.reference)],
    ['Due date', day(p.due_date)],
  ].filter(Boolean);
  const id = `pay-${inv.id}`;
  return h('section.payment', { 'aria-labelledby': id },
    h(headingLevel, { id }, `Pay invoice ${inv.number} by bank transfer`),
    h('div.payment-body',
      h('dl.kv.payment-details', rows.map(([k, v]) => [h('dt', k), h('dd', v)])),
      p.epc_qr
        ? h('figure.epc', qrSvg(p.epc_qr, { size: 180, label: `QR code for your banking app: transfer ${money(p.amount, p.currency)} for ${p.reference}` }),
          h('figcaption.sub', 'Scan with your banking app (GiroCode)'))
        : null));
}

// What an open bank-transfer invoice says when the business has no bank
// details yet.
export function noBankDetails() {
  return h('p', 'The business has not set up its bank details yet: they will tell you where to transfer the money.');
}
