// Credit shop (owner): the published packages (GET /packages) grouped by the
// credit type they hold (a package of several types goes under "Mixed"), with
// the price excluding VAT and the price per credit. Buying asks how to pay
// (bank transfer or card), POSTs /purchases with an Idempotency-Key and shows
// the invoice with the next step: the transfer's reference, the card
// payment page, or "paid" when store credit covered it.
import { api } from './api.js';
import { amount, money, date, getTenant, amountOf } from './fmt.js';
import { h, clear, dialog, notice, empty } from './ui.js';
import { creditTypes, typeName, quotient, trimZeros, statusBadge, Idem, choices, isZero } from './customer.js';
import { paymentBlock, noBankDetails, day } from './payment.js';

// A package without its own rate has the business's (GET /me).
function vatText(p) {
  const rate = p.vat_rate ?? getTenant().vat_rate;
  return rate === null || rate === undefined ? 'excl. VAT' : `excl. ${amount(trimZeros(rate))} % VAT`;
}

function creditsText(types, p) {
  return Object.entries(p.credits).map(([code, v]) => {
    const t = types.get(code);
    return t?.kind === 'monetary' ? `${money(v)} ${t.name}` : `${amountOf(v, typeName(types, code))}`;
  }).join(' + ');
}

function validity(p) {
  const v = p.validity || {};
  if (v.expiry === 'days_from_purchase' && v.expiry_days) return `Valid ${amount(String(v.expiry_days))} days from purchase`;
  if (v.expiry === 'fixed' || v.expires_at) return `Valid until ${date(v.expires_at)}`;
  return 'Never expires';
}

// The invoice a purchase made, and what to do next.
export function invoiceView(inv, checkoutUrl) {
  const rows = [
    ['Net', money(inv.net)],
    [`VAT ${amount(trimZeros(inv.vat_rate))} %`, money(inv.vat)],
    ['Total', money(inv.gross)],
  ];
  if (!isZero(inv.store_credit_applied)) rows.push(['Store credit applied', `−${money(inv.store_credit_applied)}`]);
  rows.push(['Amount due', money(inv.status === 'paid' ? '0.00' : inv.amount_due)]);
  rows.push(['Invoice date', day(inv.issue_date)]);
  if (inv.status === 'open') rows.push(['Due date', day(inv.due_date)]);
  let next;
  if (inv.status === 'paid') {
    next = [notice('Paid with your store credit: the credits are on your account now.', 'ok'),
      h('p', h('a.button.primary', { href: '#/credits' }, 'See my credits'))];
  } else if (inv.gateway === 'stripe' && checkoutUrl) {
    next = [h('p', 'Pay by card on the secure payment page. The credits arrive as soon as the payment is confirmed.'),
      h('p', h('a.button.primary', { href: checkoutUrl, rel: 'noopener' }, `Pay ${money(inv.amount_due)} by card`))];
  } else if (inv.gateway === 'manual') {
    next = [h('div.notice.transfer', { role: 'status' },
      h('p', 'Please transfer ', h('strong', money(inv.amount_due)), ` to ${inv.seller?.name || 'us'} by ${day(inv.due_date)} and use the reference `,
        h('strong.ref', inv.number), '.'),
      inv.payment ? paymentBlock(inv) : noBankDetails(),
      h('p', inv.credits_granted
        ? 'The credits are already on your account.'
        : 'The credits are added to your account as soon as the payment has arrived.'))];
  } else {
    next = [notice('The invoice is open.')];
  }
  return h('section.card.invoice', { 'aria-labelledby': 'inv-title', tabindex: '-1' },
    h('h2#inv-title', `Invoice ${inv.number} `, statusBadge(inv.status)),
    h('p.sub', (inv.lines || []).map((l) => l.description).join(', ')),
    h('dl.kv', rows.map(([k, v]) => [h('dt', k), h('dd', v)])),
    inv.reverse_charge && inv.note ? h('p.sub', inv.note) : null,
    next,
    h('p', h('a', { href: `/api/v1/invoices/${inv.id}/html`, target: '_blank', rel: 'noopener' }, 'Printable invoice'),
      ' · ', h('a', { href: '#/invoices' }, 'All invoices')));
}

// The ways to pay this server offers (GET /me: tenant.payment_methods):
// a card only where the gateway is set up.
const METHODS = {
  manual: ['Bank transfer', ' — you get an invoice to pay by transfer'],
  // Without bank details the invoice cannot say where to pay yet.
  manual_no_details: ['Bank transfer', ' — you get an invoice; the business has not set up its bank details yet and will send them'],
  stripe: ['Card', ' — pay now on a secure payment page'],
};

function buy(types, pkg, methods) {
  const idem = new Idem();
  const offered = methods.filter((m) => m === 'manual' || m === 'stripe');
  const words = (m) => METHODS[m === 'manual' && getTenant().bank_transfer === false ? 'manual_no_details' : m];
  return dialog(`Buy ${pkg.name}`, [
    h('p', creditsText(types, pkg), ' for ', h('strong', money(pkg.price)), ` ${vatText(pkg)}.`),
    offered.length > 1
      ? choices('gateway', 'How do you want to pay?', offered.map((m) => [m, ...words(m)]), { checked: [offered[0]] })
      : h('p.pay-by', 'You pay by ', h('strong', words(offered[0] || 'manual')[0].toLowerCase()),
        words(offered[0] || 'manual')[1], '.'),
  ], async (v) => {
    const body = { package_id: pkg.id, gateway: v.gateway || offered[0] || 'manual' };
    try {
      const r = await api.post('purchases', body, { key: idem.for(body) });
      idem.done();
      return r;
    } catch (e) {
      if (e.code === 'gateway_not_configured') {
        e.errors = [{ field: 'gateway', message: 'Card payments are not set up for this shop yet. Please choose bank transfer.' }];
      }
      throw e;
    }
  }, { submit: 'Buy' });
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
      per && types.get(codes[0])?.kind !== 'monetary' ? h('p.sub', `${money(per)} per credit`) : null,
      h('p.sub', validity(p)),
      h('div.actions', h('button.primary', {
        type: 'button', 'aria-label': `Buy ${p.name}`, onclick: async () => { const r = await buy(types, p, ctx.me.tenant?.payment_methods || ['manual']); if (r) show(r); },
      }, 'Buy')));
  };

  clear(main, h('h1', 'Credit shop'),
    h('p.sub', 'Prices exclude VAT. Buy by bank transfer or by card; your invoice is made at once.'),
    result,
    packages.length
      ? order.map((k) => h('section.shop-group', { 'aria-labelledby': `grp-${k === '*mixed' ? 'mixed' : k}` },
        h('h2', { id: `grp-${k === '*mixed' ? 'mixed' : k}` }, k === '*mixed' ? 'Mixed packages' : typeName(types, k)),
        h('div.cards', groups.get(k).map(card))))
      : empty('There are no packages for sale at the moment.'));
}
