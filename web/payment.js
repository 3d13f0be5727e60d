// How to pay an open invoice by bank transfer, one shape for every page that
// shows it (the shop's bank-transfer step, the customer's Invoices page, the
// admin's invoices): account holder, IBAN in groups of four, BIC, the amount
// due, the invoice number as the reference ("Verwendungszweck"), the due
// date, and for euros the EPC QR code ("GiroCode") drawn from the text the
// server made (invoice.payment.epc_qr), level M, with web/qr.js.
import { h } from './ui.js';
import { money, locale } from './fmt.js';
import { qrSvg } from './qr.js';
import { t } from './i18n.js';

// "2026-12-18" (a local date of the business) as the reader writes dates:
// the business's way when its language is the reader's (fmt.js locale).
export function day(iso) {
  if (!iso || !/^\d{4}-\d{2}-\d{2}$/.test(iso)) return '–';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'UTC' })
    .format(new Date(`${iso}T00:00:00Z`));
}

// The transfer's details, or null when the invoice asks for none.
export function paymentBlock(inv, { headingLevel = 'h3' } = {}) {
  const p = inv.payment;
  if (!p) return null;
  const rows = [
    [t('billing.account_holder'), p.account_holder],
    [t('billing.iban'), h('span.iban', p.iban_display)],
    p.bic ? [t('billing.bic'), p.bic] : null,
    [t('billing.amount'), money(p.amount, p.currency)],
    [t('billing.reference'), h('strong.ref', p.reference)],
    [t('billing.due_date'), day(p.due_date)],
  ].filter(Boolean);
  const id = `pay-${inv.id}`;
  return h('section.payment', { 'aria-labelledby': id },
    h(headingLevel, { id }, t('billing.pay_by_transfer', { number: inv.number })),
    h('div.payment-body',
      h('dl.kv.payment-details', rows.map(([k, v]) => [h('dt', k), h('dd', v)])),
      p.epc_qr
        ? h('figure.epc', qrSvg(p.epc_qr, { size: 180, label: t('billing.qr_label', { amount: money(p.amount, p.currency), reference: p.reference }) }),
          h('figcaption.sub', t('billing.qr_hint')))
        : null));
}

// What an open bank-transfer invoice says when the business has no bank
// details yet.
export function noBankDetails() {
  return h('p', t('billing.no_bank_details'));
}
