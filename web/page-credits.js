// My credits: a card per credit type from GET /me/dashboard (balance,
// available and held, this month in and out, money value, expiring lots, the
// 30-day spend, lifetime purchased and used). Types the customer never had
// anything of are shown as a compact card each.
import { api } from './api.js';
import { amount, money, date } from './fmt.js';
import { h, clear, sparkline, notice, badge } from './ui.js';
import { creditTypes, sum, isZero, credits, monthlyLimits, limitText, rich } from './customer.js';
import { t, tn } from './i18n.js';

function everZero(c) {
  return [c.balance, c.held, c.in_this_month, c.out_this_month, c.purchased, c.used].every(isZero);
}

function card(types, code, c, me, limits) {
  const type = types.get(code) || { code, name: code, kind: 'unit' };
  const fmtv = (v) => (type.kind === 'monetary' ? money(v) : amount(v));
  const spent = sum(c.spend_30d || []);
  const differs = c.available !== c.balance || !isZero(c.held);
  return h('section.card.credit-card', { 'aria-labelledby': `ct-${code}` },
    h('h2', { id: `ct-${code}` }, type.name,
      type.spendable === false ? [' ', badge(t('credits.disabled'), 'bad')] : null),
    h('p.big', { dataset: { balance: code } }, fmtv(c.balance)),
    h('p.sub', type.kind === 'monetary' ? t('credits.store_credit') : t('credits.credits')),
    differs ? h('p.sub', t('credits.available_held', { available: fmtv(c.available), held: fmtv(c.held) })) : null,
    type.spendable === false ? h('p.sub', t('credits.not_spendable')) : null,
    limits[code] ? h('p.limit', { dataset: { limit: code } }, limitText(types, code, limits[code])) : null,
    h('p.month', rich('credits.this_month', {
      in: h('span.in', `+${fmtv(c.in_this_month)}`), out: h('span.out', `−${fmtv(c.out_this_month)}`),
    })),
    !isZero(c.value) && type.kind !== 'monetary' ? h('p.sub', t('credits.worth', { money: money(c.value) })) : null,
    c.expiring_soon.map((e) => notice(type.kind === 'monetary'
      ? t('credits.expiring_money', { amount: fmtv(e.amount), date: date(e.expires_at) })
      : tn('credits.expiring', e.amount, { count: fmtv(e.amount), date: date(e.expires_at) }), 'warn')),
    // Store credit is not spent on orders: no spending chart for it.
    type.kind !== 'monetary' && c.spend_30d?.length ? h('div.spend',
      sparkline(c.spend_30d, { label: t('credits.spent_chart', { type: type.name }), width: 160, height: 32 }),
      h('span.sub', ` ${t('credits.spent_30d', { amount: fmtv(spent) })}`)) : null,
    h('p.sub', t('credits.purchased_used', { purchased: fmtv(c.purchased), used: fmtv(c.used) })),
    h('div.actions',
      type.kind !== 'monetary' && type.spendable !== false
        ? h('a.button.primary', { href: `#/orders/new?type=${encodeURIComponent(code)}` }, t('credits.new_order')) : null,
      me.role === 'owner' ? h('a.button', { href: '#/shop' }, t('credits.buy_credits')) : null));
}

function compact(types, code, c, me) {
  const type = types.get(code) || { code, name: code, kind: 'unit' };
  return h('li.card.compact', { dataset: { balance: code } },
    h('strong', type.name), ' ', h('span', type.kind === 'monetary' ? money(c.balance) : amount(c.balance)),
    h('span.sub', ` ${t('credits.none_yet')}`),
    me.role === 'owner' ? [' · ', h('a', { href: '#/shop' }, t('credits.buy'))] : null);
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
    h('h1', t('app.page.credits')),
    checkout === 'success' ? notice(t('credits.checkout_success'), 'ok') : null,
    checkout === 'cancel' ? h('div.notice.warn', { role: 'status' }, `${t('credits.checkout_cancel')} `,
      me.role === 'owner' ? h('a', { href: '#/invoices?status=open' }, t('credits.pay_from_invoices')) : null) : null,
    h('div.toolbar',
      h('a.button.primary', { href: '#/orders/new' }, t('credits.new_order')),
      me.role === 'owner' ? h('a.button', { href: '#/shop' }, t('credits.buy_credits')) : null,
      h('a.button', { href: '#/history' }, t('credits.transactions'))),
    full.length
      ? h('div.cards.credit-cards', full.map(([code, c]) => card(types, code, c, me, limits)))
      : h('div.empty', h('p', t('credits.none')),
        me.role === 'owner' ? h('p', h('a.button.primary', { href: '#/shop' }, t('credits.buy_first'))) : null),
    quiet.length ? [h('h2', t('credits.other_types')), h('ul.cards.compact-list', quiet.map(([code, c]) => compact(types, code, c, me)))] : null);
}
