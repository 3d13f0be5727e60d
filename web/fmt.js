// Numbers, money and dates in the reader's language (web/i18n.js) and the
// business's currency and zone (from GET /me): the business's locale when its
// language is the reader's ("de-AT"), else the language's usual one. Amounts
// arrive as decimal strings and stay exact: they are formatted from their
// digits, never through floating point arithmetic.
import { language, t, tn, has } from './i18n.js';

let tenant = { locale: 'en-IE', currency: 'EUR', timezone: 'Europe/Berlin', name: '' };

export function setTenant(t) { if (t) tenant = { ...tenant, ...t }; }
export function getTenant() { return tenant; }

// The locale numbers and dates are written in.
export function locale() {
  const lang = language();
  if (tenant.locale.slice(0, 2) === lang) return tenant.locale;
  return lang === 'de' ? 'de-DE' : 'en-IE';
}

function parts(locale) {
  const p = new Intl.NumberFormat(locale).formatToParts(12345.6);
  return {
    group: p.find((x) => x.type === 'group')?.value ?? ',',
    decimal: p.find((x) => x.type === 'decimal')?.value ?? '.',
  };
}

// "1234.50" → "1,234.50" (en) or "1.234,50" (de), keeping every digit.
export function amount(text) {
  if (text === null || text === undefined || text === '') return '–';
  const s = String(text);
  const neg = s.startsWith('-');
  const [int, frac] = (neg ? s.slice(1) : s).split('.');
  const { group, decimal } = parts(locale());
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return `${neg ? '−' : ''}${grouped}${frac !== undefined ? decimal + frac : ''}`;
}

// A signed amount with its sign always shown: "+5", "−3".
export function signed(text) {
  const s = String(text ?? '0');
  if (s.startsWith('-')) return amount(s);
  return /^0(\.0*)?$/.test(s) ? amount(s) : `+${amount(s)}`;
}

export function money(text, currency = tenant.currency) {
  if (text === null || text === undefined || text === '') return '–';
  const s = String(text);
  // The currency symbol and its position come from Intl; the digits from the text.
  const sample = new Intl.NumberFormat(locale(), { style: 'currency', currency }).formatToParts(1);
  const symbol = sample.find((x) => x.type === 'currency')?.value ?? currency;
  const before = sample.findIndex((x) => x.type === 'currency') < sample.findIndex((x) => x.type === 'integer');
  const n = amount(s);
  if (!before) return `${n} ${symbol}`;
  return n.startsWith('−') ? `−${symbol}${n.slice(1)}` : `${symbol}${n}`;
}

export function date(iso) {
  if (!iso) return '–';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: tenant.timezone }).format(new Date(iso));
}

export function dateTime(iso) {
  if (!iso) return '–';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: tenant.timezone }).format(new Date(iso));
}

// "2026-11-23" in the business's zone, for <input type=date> defaults.
export function isoDay(d = new Date()) {
  const p = new Intl.DateTimeFormat('en-CA', { timeZone: tenant.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  return p;
}

// The tenant zone's wall clock at an instant: {day: "2026-11-23", time: "08:00:00"}.
export function zoneWall(iso) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: tenant.timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return { day: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}:${p.second}` };
}

// A wall time in the tenant's zone ("2026-11-01", "00:00:00") as an RFC 3339
// instant in UTC, for the API's from/to/expires_at.
export function zoneTime(day, time = '00:00:00') {
  const [y, m, d] = day.split('-').map(Number);
  const [hh, mm, ss] = time.split(':').map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm, ss || 0);
  const offset = (t) => {
    const w = zoneWall(new Date(t).toISOString());
    const [wy, wm, wd] = w.day.split('-').map(Number);
    const [wh, wmin, ws] = w.time.split(':').map(Number);
    return Date.UTC(wy, wm - 1, wd, wh, wmin, ws) - t;
  };
  let t = wall - offset(wall);
  t = wall - offset(t); // once more across a daylight saving change
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

// The day after "2026-11-30": "2026-12-01" (calendar arithmetic, no zone).
export function nextDay(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

// A wait in words (a 429's Retry-After): 90 → "2 minutes", 30 → "30
// seconds"; rounded up, never "0".
export function waitText(seconds) {
  const s = Math.max(1, Math.ceil(Number(seconds)));
  if (s < 60) return tn('ui.seconds', s);
  return tn('ui.minutes', Math.ceil(s / 60));
}

// A whole count (orders, pages) in the tenant's digits.
export function count(n) { return amount(String(Math.trunc(Number(n) || 0))); }

// An amount with its credit type's name ("5 Master credits"). The names
// are the business's, kept plural; in English one reads "1 Master credit".
export function amountOf(value, name) {
  const one = language() === 'en' && /^-?1$/.test(String(value));
  return `${amount(value)} ${one ? String(name).replace(/credits\b/, 'credit') : name}`;
}

// An amount as typed in the reader's language, as the API takes it:
// "2,5" → "2.5" and "1.234,50" → "1234.50" in German, "1,234.50" →
// "1234.50" in English; with both signs the last is the decimal one. Text
// that is no number is returned as typed (the API says what is wrong).
export function decimalInput(text) {
  const s = String(text ?? '').trim().replace(/[\s\u00a0\u202f']/g, '');
  if (!/^[-+]?[\d.,]+$/.test(s)) return String(text ?? '').trim();
  const comma = s.lastIndexOf(','), dot = s.lastIndexOf('.');
  if (comma >= 0 && dot >= 0) {
    return comma > dot ? s.replace(/\./g, '').replace(',', '.') : s.replace(/,/g, '');
  }
  if (comma >= 0) {
    // English groups thousands with commas ("1,234"); German writes decimals.
    if (language() !== 'de' && /^[-+]?\d{1,3}(,\d{3})+$/.test(s)) return s.replace(/,/g, '');
    return s.split(',').length === 2 ? s.replace(',', '.') : s;
  }
  return s;
}

// A size in bytes, in binary units as the server's limits are set (1 MiB =
// 1,048,576 bytes): "512 bytes", "3.5 KiB", "2.0 MiB".
export function bytes(n) {
  const b = Number(n) || 0;
  if (b < 1024) return tn('ui.bytes', b);
  if (b < 1048576) return `${amount((b / 1024).toFixed(1))} KiB`;
  return `${amount((b / 1048576).toFixed(1))} MiB`;
}

// Money per credit, exactly: price "129.00" for credits "75" of scale 0 is
// "1.72" (rounded half up to the cent), computed on integers.
export function unitPrice(price, credits) {
  const [pi, pf = ''] = String(price).split('.');
  const [ci, cf = ''] = String(credits).split('.');
  const cents = BigInt(pi + pf.padEnd(2, '0').slice(0, 2));
  const units = BigInt(ci + cf);
  if (units <= 0n) return null;
  const scaled = cents * 10n ** BigInt(cf.length);
  const q = (scaled * 2n + units) / (2n * units);
  const s = q.toString().padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

// Compares two decimal strings of the same scale: -1, 0, 1.
export function cmp(a, b) {
  const x = Number(a), y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

// The kinds of ledger entries, in the order a filter offers them.
export const KINDS = ['purchase', 'grant', 'order', 'refund', 'adjustment', 'expiry', 'deactivation',
  'reactivation', 'transfer', 'hold', 'capture', 'release'];

// A code's words (ui.kind.<code>, ui.status.<code>); a code without words
// (a newer server's) as it is, capitalised.
function codeLabel(prefix, code) {
  const key = `${prefix}.${code}`;
  if (has(key)) return t(key);
  const s = String(code ?? '').replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// A ledger entry's kind in words: "order" → "Order" / "Auftrag".
export function kindLabel(code) { return codeLabel('ui.kind', code); }

// An order's, invoice's or lot's status in words: "in_progress" → "In progress".
export function statusLabel(code) { return codeLabel('ui.status', code); }
