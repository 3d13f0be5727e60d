// Credit shop (owner): the published packages (GET /packages) grouped by the
// credit type they hold (a package of several types goes under "Mixed"), with
// the price excluding VAT and the price per credit. Buying asks how to pay
// (bank transfer or card), POSTs /purchases with an Idempotency-Key and shows
// the invoice with the next step: the transfer's reference, the card
// payment page, or "paid" when store credit covered it.
import { api } from './api.js';
import { amount, money, date, getTenant, amountOf } from './fmt.js';
import { h, clear, dialog, notice, empty } from './ui.js';
import { creditTypes, typeName, quotient, trimZeros, statusBadge, Idem, choices, isZero, rich } from './customer.js';
import { paymentBlock, noBankDetails, day } from './payment.js';
import { t, tn } from './i18n.js';

// A package without its own rate has the business's (GET /me).
function vatText(p) {
  const rate = p.vat_rate ?? getTenant().vat_rate;
  return rate === null || rate === undefined ? t('shop.excl_vat') : t('shop.excl_vat_rate', { rate: amount(trimZeros(rate)) });
}

function creditsText(types, p) {
  return Object.entries(p.credits).map(([code, v]) => {
    const type = types.get(code);
    return type?.kind === 'monetary' ? t('shop.money_of', { amount: money(v), name: type.name }) : `${amountOf(v, typeName(types, code))}`;
  }).join(' + ');
}

function validity(p) {
  const v = p.validity || {};
  if (v.expiry === 'days_from_purchase' && v.expiry_days) return tn('shop.valid_days', String(v.expiry_days));
  if (v.expiry === 'fixed' || v.expires_at) return t('shop.valid_until', { date: date(v.expires_at) });
  return t('shop.never_expires');
}

// The invoice a purchase made, and what to do next.
export function invoiceView(inv, checkoutUrl) {
  const rows = [
    [t('shop.net'), money(inv.net)],
    [t('shop.vat', { rate: amount(trimZeros(inv.vat_rate)) }), money(inv.vat)],
    [t('shop.total'), money(inv.gross)],
  ];
  if (!isZero(inv.store_credit_applied)) rows.push([t('shop.store_credit_applied'), `−${money(inv.store_credit_applied)}`]);
  rows.push([t('shop.amount_due'), money(inv.status === 'paid' ? '0.00' : inv.amount_due)]);
  rows.push([t('shop.invoice_date'), day(inv.issue_date)]);
  if (inv.status === 'open') rows.push([t('shop.due_date'), day(inv.due_date)]);
  let next;
  if (inv.status === 'paid') {
    next = [notice(t('shop.paid_with_store_credit'), 'ok'),
      h('p', h('a.button.primary', { href: '#/credits' }, t('shop.see_my_credits')))];
  } else if (inv.gateway === 'stripe' && checkoutUrl) {
    next = [h('p', t('shop.pay_by_card_text')),
      h('p', h('a.button.primary', { href: checkoutUrl, rel: 'noopener' }, t('shop.pay_by_card', { amount: money(inv.amount_due) })))];
  } else if (inv.gateway === 'manual') {
    next = [h('div.notice.transfer', { role: 'status' },
      h('p', rich('shop.please_transfer', {
        amount: h('strong', money(inv.amount_due)), seller: inv.seller?.name || t('shop.us'), date: day(inv.due_date),
        reference: h('strong.ref', inv.number),
      })),
      inv.payment ? paymentBlock(inv) : noBankDetails(),
      h('p', inv.credits_granted
        ? t('shop.credits_already_there')
        : t('shop.credits_on_payment')))];
  } else {
    next = [notice(t('shop.invoice_open'))];
  }
  return h('section.card.invoice', { 'aria-labelledby': 'inv-title', tabindex: '-1' },
    h('h2#inv-title', t('shop.invoice_title', { number: inv.number }), ' ', statusBadge(inv.status)),
    h('p.sub', (inv.lines || []).map((l) => l.description).join(', ')),
    h('dl.kv', rows.map(([k, v]) => [h('dt', k), h('dd', v)])),
    inv.reverse_charge && inv.note ? h('p.sub', inv.note) : null,
    next,
    h('p', h('a', { href: `/api/v1/invoices/${inv.id}/html`, target: '_blank', rel: 'noopener' }, t('shop.printable_invoice')),
      ' · ', h('a', { href: '#/invoices' }, t('shop.all_invoices'))));
}

// The ways to pay this server offers (GET /me: tenant.payment_methods):
// a card only where the gateway is set up.
// Each: its name, the name inside a sentence, what happens.
const METHODS = {
  manual: () => [t('shop.bank_transfer'), t('shop.bank_transfer_in_text'), t('shop.bank_transfer_hint')],
  // Without bank details the invoice cannot say where to pay yet.
  manual_no_details: () => [t('shop.bank_transfer'), t('shop.bank_transfer_in_text'), t('shop.bank_transfer_no_details_hint')],
  stripe: () => [t('shop.card'), t('shop.card_in_text'), t('shop.card_hint')],
};

function buy(types, pkg, methods) {
  const idem = new Idem();
  const offered = methods.filter((m) => m === 'manual' || m === 'stripe');
  const words = (m) => METHODS[m === 'manual' && getTenant().bank_transfer === false ? 'manual_no_details' : m]();
  const only = words(offered[0] || 'manual');
  return dialog(t('shop.buy_title', { name: pkg.name }), [
    h('p', rich('shop.buy_text', { credits: creditsText(types, pkg), price: h('strong', money(pkg.price)), vat: vatText(pkg) })),
    offered.length > 1
      ? choices('gateway', t('shop.how_to_pay'), offered.map((m) => [m, words(m)[0], ` — ${words(m)[2]}`]), { checked: [offered[0]] })
      : h('p.pay-by', rich('shop.you_pay_by', { method: h('strong', only[1]), hint: only[2] })),
  ], async (v) => {
    const body = { package_id: pkg.id, gateway: v.gateway || offered[0] || 'manual' };
    try {
      const r = await api.post('purchases', body, { key: idem.for(body) });
      idem.done();
      return r;
    } catch (e) {
      if (e.code === 'gateway_not_configured') {
        e.errors = [{ field: 'gateway', message: t('shop.card_not_set_up') }];
      }
      throw e;
    }
  }, { submit: t('shop.buy') });
}

export default async function render(ctx) {
  const { main } = ctx;
  const [{ items }, types] = await Promise.all([api.get('packages'), creditTypes()]);
  const packages = items.filter((p) => p.published !== false && !p.archived);
  const groups = new Map();
  for (const p of packages) {
    const codes = Object.keys(p.credits);
    const key = codes.length === 1 ? codes[0] : '*mixed';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(p);
  }
  // Groups in the order of the credit types, "Mixed" last.
  const order = [...types.keys(), '*mixed'].filter((k) => groups.has(k));
  for (const k of groups.keys()) if (!order.includes(k)) order.push(k);

  const result = h('div.purchase-result');
  const show = (r) => {
    clear(result, invoiceView(r.invoice, r.checkout_url));
    result.querySelector('section').focus();
  };

  const card = (p) => {
    const codes = Object.keys(p.credits);
    const per = codes.length === 1 ? quotient(p.price, p.credits[codes[0]]) : null;
    return h('article.card.package', { 'aria-labelledby': `pkg-${p.id}` },
      h('h3', { id: `pkg-${p.id}` }, p.name),
      p.description ? h('p.sub', p.description) : null,
      h('p.big', creditsText(types, p)),
      h('p.price', h('strong', money(p.price)), ' ', h('span.sub', vatText(p))),
      per && types.get(codes[0])?.kind !== 'monetary' ? h('p.sub', t('shop.per_credit', { price: money(per) })) : null,
      h('p.sub', validity(p)),
      h('div.actions', h('button.primary', {
        type: 'button', 'aria-label': t('shop.buy_label', { name: p.name }), onclick: async () => { const r = await buy(types, p, ctx.me.tenant?.payment_methods || ['manual']); if (r) show(r); },
      }, t('shop.buy'))));
  };

  clear(main, h('h1', t('app.page.shop')),
    h('p.sub', t('shop.intro')),
    result,
    packages.length
      ? order.map((k) => h('section.shop-group', { 'aria-labelledby': `grp-${k === '*mixed' ? 'mixed' : k}` },
        h('h2', { id: `grp-${k === '*mixed' ? 'mixed' : k}` }, k === '*mixed' ? t('shop.mixed') : typeName(types, k)),
        h('div.cards', groups.get(k).map(card))))
      : empty(t('shop.none')));
}
