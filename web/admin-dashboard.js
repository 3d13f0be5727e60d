// The team's dashboard (#/admin): per credit type the credits sold in the last
// 30 days (bars per day) and the credits customers still hold with their money
// value; the orders waiting (a link to the queue); the latest manual
// adjustments. GET /admin/dashboard, /credit-types, /customers/{id}.
import { api } from './api.js';
import { h, table, barChart, empty, notice } from './ui.js';
import { amount, money, signed, dateTime, date, count, cmp, zoneWall, nextDay, getTenant } from './fmt.js';
import { creditTypes, typeName, customersById, customerLink } from './admin-lib.js';

function sum(values) {
  // Exact: the series are decimal strings of one scale.
  const scale = (String(values[0] ?? '0').split('.')[1] || '').length;
  const total = values.reduce((s, v) => s + BigInt(String(v).replace('.', '')), 0n);
  if (!scale) return total.toString();
  const t = total.toString().padStart(scale + 1, '0');
  return `${t.slice(0, -scale)}.${t.slice(-scale)}`;
}

function typeCard(types, code, d, firstDay) {
  const name = typeName(types, code);
  const sold = sum(d.sold_30d);
  // Store credit is money: shown as such.
  const monetary = types.byCode[code]?.kind === 'monetary';
  const show = monetary ? (x) => money(x) : (x) => amount(x);
  return h('section.card.type-card', { 'aria-labelledby': `dash-${code}` },
    h('h2', { id: `dash-${code}` }, name),
    h('p.big', show(d.outstanding)),
    h('p.sub', 'held by customers', cmp(d.outstanding_value, '0') > 0 ? ` · worth ${money(d.outstanding_value)}` : ''),
    // Held store credit is applied to invoices not paid yet; held credits
    // of other types wait for orders charged on delivery.
    cmp(d.held, '0') > 0 ? h('p.sub', monetary
      ? `${show(d.held)} applied to unpaid invoices (held until they are paid)`
      : `${show(d.held)} held for orders charged on delivery`) : null,
    // A type nothing is sold of (store credit) has no series: no chart.
    d.sold_30d?.length && !monetary ? [
      h('p.sold', h('strong', show(sold)), ` sold since ${date(firstDay)}`),
      barChart(d.sold_30d, days(firstDay, d.sold_30d.length), {
        label: `${name} sold per day, last 30 days: ${show(sold)} in all`, format: show, dayText: shortDay,
      })] : null);
}

// The series' days: the first day (an instant, the start of the day in the
// business's zone) and the n − 1 after it.
function days(firstDay, n) {
  const out = [zoneWall(firstDay).day];
  while (out.length < n) out.push(nextDay(out[out.length - 1]));
  return out;
}

// "2026-11-05" → "5 Nov" in the business's locale (a calendar day, no zone).
function shortDay(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(getTenant().locale, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d));
}

function waitingCard(w) {
  const total = (w?.submitted || 0) + (w?.in_progress || 0);
  return h('section.card.waiting-card', { 'aria-labelledby': 'dash-waiting' },
    h('h2#dash-waiting', 'Orders waiting'),
    h('p.big', count(total)),
    h('p.sub', `${count(w?.submitted || 0)} submitted · ${count(w?.in_progress || 0)} in progress`),
    h('p', h('a.button.primary', { href: '#/admin/orders' }, 'Open the orders queue')));
}

export default async function render(ctx) {
  const [dash, types] = await Promise.all([api.get('admin/dashboard'), creditTypes()]);
  const recent = dash.recent_adjustments || [];
  await customersById(recent.map((a) => a.customer_id));
  const codes = types.items.map((t) => t.code).filter((c) => dash.credit_types[c]);
  ctx.main.append(
    h('h1', 'Dashboard'),
    h('div.cards.dash-cards',
      waitingCard(dash.orders_waiting),
      codes.map((c) => typeCard(types, c, dash.credit_types[c], dash.first_day))),
    h('h2', 'Recent manual adjustments'),
    recent.length
      ? stacked(table([
        { label: 'When', value: (a) => dateTime(a.created_at) },
        { label: 'Customer', value: (a) => customerLink(a.customer_id) },
        { label: 'Credits', num: true, value: (a) => h('span', { class: a.amount.startsWith('-') ? 'out' : 'in' }, signed(a.amount)) },
        { label: 'Type', value: (a) => typeName(types, a.credit_type) },
        { label: 'Reason', value: (a) => a.reason },
        { label: 'Justification', value: (a) => a.justification || '–' },
        { label: 'By', value: (a) => a.actor },
      ], recent, { caption: 'The latest adjustments, newest first' }))
      : empty('No manual adjustments yet.'),
    h('p', h('a', { href: '#/admin/transactions?kind=adjustment' }, 'All adjustments')));
  if (!codes.length) ctx.main.append(notice('No credit types yet: add one in Settings.', 'warn'));
}

function stacked(t) { t.classList.add('stack'); return t; }
