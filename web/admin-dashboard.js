// The team's dashboard (#/admin): per credit type the credits sold in the last
// 30 days (bars per day) and the credits customers still hold with their money
// value; the orders waiting (a link to the queue); the latest manual
// adjustments. GET /admin/dashboard, /credit-types, /customers/{id}.
import { api } from './api.js';
import { h, table, barChart, empty, notice } from './ui.js';
import { amount, money, signed, dateTime, date, count, cmp, zoneWall, nextDay, locale } from './fmt.js';
import { creditTypes, typeName, customersById, customerLink } from './admin-lib.js';
import { t, has } from './i18n.js';

// The reasons of manual adjustments with words (dashboard.reason.<code>);
// another reason is shown as it is.
export const REASONS = ['correction', 'compensation', 'goodwill', 'refund', 'transfer', 'other', 'manual', 'payment', 'promotion', 'gift'];
export function reasonText(code) { return has(`dashboard.reason.${code}`) ? t(`dashboard.reason.${code}`) : code; }

// The text of key with its holes filled by strings or elements.
function withNodes(key, parts) {
  return t(key).split(/(\{\w+\})/).filter(Boolean).map((x) => {
    const name = /^\{(\w+)\}$/.exec(x)?.[1];
    return name && name in parts ? parts[name] : x;
  });
}

function sum(values) {
  // Exact: the series are decimal strings of one scale.
  const scale = (String(values[0] ?? '0').split('.')[1] || '').length;
  const total = values.reduce((s, v) => s + BigInt(String(v).replace('.', '')), 0n);
  if (!scale) return total.toString();
  const digits = total.toString().padStart(scale + 1, '0');
  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
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
    h('p.sub', cmp(d.outstanding_value, '0') > 0 ? t('dashboard.held_worth', { value: money(d.outstanding_value) }) : t('dashboard.held_by')),
    // Held store credit is applied to invoices not paid yet; held credits
    // of other types wait for orders charged on delivery.
    cmp(d.held, '0') > 0 ? h('p.sub', t(monetary ? 'dashboard.held_invoices' : 'dashboard.held_orders', { amount: show(d.held) })) : null,
    // A type nothing is sold of (store credit) has no series: no chart.
    d.sold_30d?.length && !monetary ? [
      h('p.sold', withNodes('dashboard.sold_since', { amount: h('strong', show(sold)), date: date(firstDay) })),
      barChart(d.sold_30d, days(firstDay, d.sold_30d.length), {
        label: t('dashboard.chart_label', { name, total: show(sold) }), format: show, dayText: shortDay,
      })] : null);
}

// The series' days: the first day (an instant, the start of the day in the
// business's zone) and the n − 1 after it.
function days(firstDay, n) {
  const out = [zoneWall(firstDay).day];
  while (out.length < n) out.push(nextDay(out[out.length - 1]));
  return out;
}

// "2026-11-05" → "5 Nov" ("5. Nov.") in the reader's locale (a calendar day, no zone).
function shortDay(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d));
}

function waitingCard(w) {
  const total = (w?.submitted || 0) + (w?.in_progress || 0);
  return h('section.card.waiting-card', { 'aria-labelledby': 'dash-waiting' },
    h('h2#dash-waiting', t('dashboard.orders_waiting')),
    h('p.big', count(total)),
    h('p.sub', t('dashboard.waiting_split', { submitted: count(w?.submitted || 0), in_progress: count(w?.in_progress || 0) })),
    h('p', h('a.button.primary', { href: '#/admin/orders' }, t('dashboard.open_queue'))));
}

export default async function render(ctx) {
  const [dash, types] = await Promise.all([api.get('admin/dashboard'), creditTypes()]);
  const recent = dash.recent_adjustments || [];
  await customersById(recent.map((a) => a.customer_id));
  const codes = types.items.map((x) => x.code).filter((c) => dash.credit_types[c]);
  ctx.main.append(
    h('h1', t('app.page.dashboard')),
    h('div.cards.dash-cards',
      waitingCard(dash.orders_waiting),
      codes.map((c) => typeCard(types, c, dash.credit_types[c], dash.first_day))),
    h('h2', t('dashboard.recent')),
    recent.length
      ? stacked(table([
        { label: t('dashboard.col_when'), value: (a) => dateTime(a.created_at) },
        { label: t('dashboard.col_customer'), value: (a) => customerLink(a.customer_id) },
        { label: t('dashboard.col_credits'), num: true, value: (a) => h('span', { class: a.amount.startsWith('-') ? 'out' : 'in' }, signed(a.amount)) },
        { label: t('dashboard.col_type'), value: (a) => typeName(types, a.credit_type) },
        { label: t('dashboard.col_reason'), value: (a) => reasonText(a.reason) },
        { label: t('dashboard.col_justification'), value: (a) => a.justification || '–' },
        { label: t('dashboard.col_by'), value: (a) => a.actor },
      ], recent, { caption: t('dashboard.recent_caption') }))
      : empty(t('dashboard.no_recent')),
    h('p', h('a', { href: '#/admin/transactions?kind=adjustment' }, t('dashboard.all_adjustments'))));
  if (!codes.length) ctx.main.append(notice(t('dashboard.no_types'), 'warn'));
}

function stacked(t) { t.classList.add('stack'); return t; }
