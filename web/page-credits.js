// My credits: a card per credit type from GET /me/dashboard (balance,
// available and held, this month in and out, money value, expiring lots, the
// 30-day spend, lifetime purchased and used). Types the customer never had
// anything of are shown as a compact card each.
import { api } from './api.js';
import { amount, money, date } from './fmt.js';
import { h, clear, sparkline, notice, badge } from './ui.js';
import { creditTypes, sum, isZero, credits, monthlyLimits, limitText } from './customer.js';

function everZero(c) {
  return [c.balance, c.held, c.in_this_month, c.out_this_month, c.purchased, c.used].every(isZero);
}

function card(types, code, c, me, limits) {
  const t = types.get(code) || { code, name: code, kind: 'unit' };
  const fmtv = (v) => (t.kind === 'monetary' ? money(v) : amount(v));
  const spent = sum(c.spend_30d || []);
  const differs = c.available !== c.balance || !isZero(c.held);
  return h('section.card.credit-card', { 'aria-labelledby': `ct-${code}` },
    h('h2', { id: `ct-${code}` }, t.name,
      t.spendable === false ? [' ', badge('Disabled', 'bad')] : null),
    h('p.big', { dataset: { balance: code } }, fmtv(c.balance)),
    h('p.sub', t.kind === 'monetary' ? 'store credit' : 'credits'),
    differs ? h('p.sub', `Available ${fmtv(c.available)} · Held ${fmtv(c.held)}`) : null,
    t.spendable === false ? h('p.sub', 'These credits cannot be spent at the moment; they are kept.') : null,
    limits[code] ? h('p.limit', { dataset: { limit: code } }, limitText(types, code, limits[code])) : null,
    h('p.month',
      h('span.in', `+${fmtv(c.in_this_month)}`), ' / ', h('span.out', `−${fmtv(c.out_this_month)}`),
      ' this month'),
    !isZero(c.value) && t.kind !== 'monetary' ? h('p.sub', `Worth ${money(c.value)}`) : null,
    c.expiring_soon.map((e) => notice(
      `Expiring soon: ${fmtv(e.amount)}${t.kind === 'monetary' ? '' : ' credits'} on ${date(e.expires_at)}.`, 'warn')),
    // Store credit is not spent on orders: no spending chart for it.
    t.kind !== 'monetary' && c.spend_30d?.length ? h('div.spend',
      sparkline(c.spend_30d, { label: `${t.name} spent per day, last 30 days`, width: 160, height: 32 }),
      h('span.sub', ` ${fmtv(spent)} spent in 30 days`)) : null,
    h('p.sub', `Purchased ${fmtv(c.purchased)} · Used ${fmtv(c.used)} in all`),
    h('div.actions',
      t.kind !== 'monetary' && t.spendable !== false
        ? h('a.button.primary', { href: `#/orders/new?type=${encodeURIComponent(code)}` }, 'New order') : null,
      me.role === 'owner' ? h('a.button', { href: '#/shop' }, 'Buy credits') : null));
}

function compact(types, code, c, me) {
  const t = types.get(code) || { code, name: code, kind: 'unit' };
  return h('li.card.compact', { dataset: { balance: code } },
    h('strong', t.name), ' ', h('span', t.kind === 'monetary' ? money(c.balance) : amount(c.balance)),
    h('span.sub', ' none yet'),
    me.role === 'owner' ? [' · ', h('a', { href: '#/shop' }, 'buy')] : null);
}

export default async function render(ctx) {
  const { main, me } = ctx;
  const [dash, types, limits] = await Promise.all([api.get('me/dashboard'), creditTypes(), monthlyLimits(me)]);
  const entries = Object.entries(dash.credit_types);
  const full = entries.filter(([, c]) => !everZero(c));
  const quiet = entries.filter(([, c]) => everZero(c));
  // Back from the card payment page (Stripe's return URL is /?checkout=…).
  const checkout = new URLSearchParams(location.search).get('checkout');
  if (checkout) history.replaceState(null, '', `${location.pathname}${location.hash}`);
  clear(main,
    h('h1', 'My credits'),
    checkout === 'success' ? notice('Thank you for your payment. The credits appear here as soon as the payment is confirmed.', 'ok') : null,
    checkout === 'cancel' ? h('div.notice.warn', { role: 'status' }, 'The card payment was not completed; the invoice stays open. ',
      me.role === 'owner' ? h('a', { href: '#/invoices?status=open' }, 'Pay it from Invoices') : null) : null,
    h('div.toolbar',
      h('a.button.primary', { href: '#/orders/new' }, 'New order'),
      me.role === 'owner' ? h('a.button', { href: '#/shop' }, 'Buy credits') : null,
      h('a.button', { href: '#/history' }, 'Transactions')),
    full.length
      ? h('div.cards.credit-cards', full.map(([code, c]) => card(types, code, c, me, limits)))
      : h('div.empty', h('p', 'You have no credits yet.'),
        me.role === 'owner' ? h('p', h('a.button.primary', { href: '#/shop' }, 'Buy your first package')) : null),
    quiet.length ? [h('h2', 'Other credit types'), h('ul.cards.compact-list', quiet.map(([code, c]) => compact(types, code, c, me)))] : null);
}
