// Ledger entries in words, for every list of them (the customer's
// transactions, the admin's transactions and a customer's ledger): the
// reference is what a person knows (the order's ORD-… reference, linked; the
// invoice number; the lots' names), the reason is a word ("Correction"), and
// internal ids (ord_242, lot_46) are never shown. resolveRefs(items) fetches
// what the entries name (orders, a customer's lots) once per page view.
import { api } from './api.js';
import { h } from './ui.js';
import { t, tn } from './i18n.js';

const orderRefs = new Map(); // order id → reference
const lotNames = new Map(); // lot id → name
const lotsOf = new Map(); // customer id → Promise of its lots read

// The reasons an entry may give, in words (a reason that is no code is
// shown as it is).
export const REASON_LABELS = {
  correction: () => t('ledger.reason.correction'), compensation: () => t('ledger.reason.compensation'),
  goodwill: () => t('ledger.reason.goodwill'), refund: () => t('ledger.reason.refund'),
  transfer: () => t('ledger.reason.transfer'), other: () => t('ledger.reason.other'),
  manual: () => t('ledger.reason.manual'), payment: () => t('ledger.reason.payment'),
  promotion: () => t('ledger.reason.promotion'), gift: () => t('ledger.reason.gift'),
};

// An order entry's reason is its reference; a purchase's its invoice number.
function ownReference(e) {
  return (e.kind === 'order' || e.kind === 'purchase') && /^\S+$/.test(e.reason || '');
}

function customerLots(customer) {
  if (!lotsOf.has(customer)) {
    lotsOf.set(customer, api.get(`customers/${encodeURIComponent(customer)}/lots`).then((r) => {
      for (const l of r.items) lotNames.set(l.id, l.name || '');
    }, () => { /* shown without names */ }));
  }
  return lotsOf.get(customer);
}

// Reads the order references and lot names the entries need (best effort:
// what cannot be read is shown as a word, never as an id).
export async function resolveRefs(items) {
  for (const e of items) if (e.kind === 'order' && e.order_id && ownReference(e)) orderRefs.set(e.order_id, e.reason);
  const orders = [...new Set(items.filter((e) => e.order_id && !orderRefs.has(e.order_id)).map((e) => e.order_id))];
  const customers = [...new Set(items.filter((e) => !e.order_id && (e.lot_ids || []).some((l) => !lotNames.has(l)))
    .map((e) => e.customer_id))];
  await Promise.all([
    ...orders.map(async (id) => {
      try { orderRefs.set(id, (await api.get(`orders/${encodeURIComponent(id)}`)).reference); } catch { /* "Order" */ }
    }),
    ...customers.map(customerLots),
  ]);
}

// The reference cell: the order (linked), the invoice number or the lots.
export function reference(e, { admin = false } = {}) {
  if (e.order_id) {
    const href = admin ? `#/admin/orders/${encodeURIComponent(e.order_id)}` : `#/orders/${encodeURIComponent(e.order_id)}`;
    return h('a', { href }, orderRefs.get(e.order_id) || t('ledger.order'));
  }
  if (e.kind === 'purchase' && ownReference(e)) {
    const href = admin ? `#/admin/invoices?customer=${encodeURIComponent(e.customer_id)}` : '#/invoices';
    return h('a', { href }, t('ledger.invoice', { number: e.reason }));
  }
  const names = (e.lot_ids || []).map((l) => lotNames.get(l)).filter(Boolean);
  if (names.length) return tn('ledger.lots', names.length, { names: names.join(', ') });
  return e.transfer_id ? t('ledger.transfer') : '–';
}

// The reason cell: the reason in words and the justification, or "–".
export function reason(e) {
  const why = ownReference(e) ? '' : (Object.hasOwn(REASON_LABELS, e.reason || '') ? REASON_LABELS[e.reason]() : e.reason || '');
  return [why, e.justification].filter(Boolean).join(': ') || '–';
}
