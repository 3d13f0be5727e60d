// Helpers shared by the customer pages (page-*.js): exact decimal sums and
// quotients on the API's decimal strings, credit type names, status badges,
// an Idempotency-Key per logical action, days in the business's zone, sizes.
import { api, newKey } from './api.js';
import { amount, amountOf, money, getTenant, statusLabel } from './fmt.js';
import { h, badge, notice, errorText } from './ui.js';
import { t } from './i18n.js';

// "12.50" → {n: 1250n, scale: 2}
function minor(text) {
  const s = String(text ?? '0');
  const neg = s.startsWith('-');
  const [int, frac = ''] = (neg || s.startsWith('+') ? s.slice(1) : s).split('.');
  const n = BigInt(int || '0') * 10n ** BigInt(frac.length) + BigInt(frac || '0');
  return { n: neg ? -n : n, scale: frac.length };
}

function text(n, scale) {
  const neg = n < 0n;
  let s = (neg ? -n : n).toString().padStart(scale + 1, '0');
  if (scale) s = `${s.slice(0, -scale)}.${s.slice(-scale)}`;
  return neg ? `-${s}` : s;
}

// The exact sum of decimal strings of one scale: sum(['1.50','2.25']) → '3.75'.
export function sum(values, scale = null) {
  let total = 0n, sc = scale ?? 0;
  for (const v of values) {
    const m = minor(v);
    if (m.scale > sc) { total *= 10n ** BigInt(m.scale - sc); sc = m.scale; }
    total += m.n * 10n ** BigInt(sc - m.scale);
  }
  return text(total, sc);
}

export function add(a, b) { return sum([a, b]); }
export function isZero(v) { return minor(v).n === 0n; }
export function negate(v) { const s = String(v); return s.startsWith('-') ? s.slice(1) : isZero(s) ? s : `-${s}`; }

// price / credits, rounded half up to `places` decimals (money per credit).
export function quotient(price, credits, places = 2) {
  const p = minor(price), c = minor(credits);
  if (c.n === 0n) return null;
  // (p.n / 10^p.scale) / (c.n / 10^c.scale) * 10^places
  const num = p.n * 10n ** BigInt(c.scale + places) * 2n;
  const den = c.n * 10n ** BigInt(p.scale);
  const q = (num / den + 1n) / 2n;
  return text(q, places);
}

// "19.00" → "19", "7.50" → "7.5" (for VAT rates in percent).
export function trimZeros(v) {
  const s = String(v);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

// The credit types (code → type), read once per page view.
export async function creditTypes() {
  const { items } = await api.get('credit-types');
  return new Map(items.map((t) => [t.code, t]));
}

export function typeName(types, code) { return types.get(code)?.name || code; }

// An amount of a type: money for monetary types, "55 Master credits" otherwise.
export function credits(types, code, value, { name = true } = {}) {
  const t = types.get(code);
  if (t?.kind === 'monetary') return money(value);
  return name ? amountOf(value, t?.name || code) : amount(value);
}

// A technician's monthly limits as they are now ({code: {limit, spent,
// left}}, GET /me again: the shell's copy is from when the page opened);
// {} for everybody else.
export async function monthlyLimits(me) {
  if (me.role !== 'technician') return {};
  try {
    return (await api.get('me')).monthly_limits || {};
  } catch {
    return me.monthly_limits || {};
  }
}

// "28 of 40 Master credits left this month".
export function limitText(types, code, m) {
  return t('credits.limit_left', { left: credits(types, code, m.left, { name: false }), limit: credits(types, code, m.limit) });
}

// A sentence with elements in it (a <strong> amount): the words of key with
// its holes filled by strings or nodes, as a list for h(). The words stay
// whole, so each language orders them its own way.
export function rich(key, vars = {}) {
  return t(key).split(/\{(\w+)\}/)
    .map((part, i) => (i % 2 ? (vars[part] ?? `{${part}}`) : part))
    .filter((x) => x !== '');
}

const STATUS_KIND = {
  submitted: '', in_progress: 'warn', completed: 'good', cancelled: 'bad',
  open: 'warn', paid: 'good', void: 'bad',
};
export function statusBadge(status) {
  return badge(statusLabel(status), STATUS_KIND[status] || '');
}

// One Idempotency-Key per logical action: the same body gets the same key
// (a retry after a timeout is the same action); a changed body is a new action.
export class Idem {
  constructor() { this.key = null; this.body = null; }
  for(body) {
    const s = JSON.stringify(body);
    if (s !== this.body) { this.key = newKey(); this.body = s; }
    return this.key;
  }
  done() { this.key = null; this.body = null; }
}

// The time zone offset (ms) of `zone` at the instant `utc` (ms).
function offset(utc, zone) {
  const p = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(utc));
  const g = (t) => Number(p.find((x) => x.type === t).value);
  return Date.UTC(g('year'), g('month') - 1, g('day'), g('hour'), g('minute'), g('second')) - utc;
}

// "2026-11-01" → the RFC 3339 instant that day begins in the business's zone;
// days = 1 gives the start of the next day (an exclusive end).
export function dayStart(iso, days = 0) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
  if (!m) return null;
  const zone = getTenant().timezone;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days);
  let t = wall - offset(wall, zone);
  t = wall - offset(t, zone);
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

// Sizes in binary units, one helper for every page (fmt.js).
export { bytes } from './fmt.js';

// The pager lives in ui.js (one for every page).
export { pager } from './ui.js';

let groupNo = 0;
// A labelled group of radios or checkboxes, with a place for its error (the
// element ui.showErrors looks for: "<first input's id>-err").
export function choices(name, legend, options, { type = 'radio', checked = [], onchange } = {}) {
  const base = `g${++groupNo}`;
  const err = h('p.field-error', { id: `${base}-0-err`, 'aria-live': 'polite' });
  const items = options.map(([value, label, extra], i) => {
    const el = h('input', {
      type, name, value, id: `${base}-${i}`, checked: checked.includes(value),
      'aria-describedby': `${base}-0-err`, onchange,
    });
    return h('label.choice', { for: el.id }, el, h('span', label), extra ? h('span.sub', extra) : null);
  });
  return h('fieldset.choices', { dataset: { field: name } }, h('legend', legend), items, err);
}
