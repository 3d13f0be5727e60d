// Numbers, money and dates in the business's locale, currency and zone (from
// GET /me). Amounts arrive as decimal strings and stay exact: they are
// formatted from their digits, never through floating point arithmetic.

let tenant = { locale: 'en-IE', currency: 'EUR', timezone: 'Europe/Berlin', name: '' };

export function setTenant(t) { if (t) tenant = { ...tenant, ...t }; }
export function getTenant() { return tenant; }

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
  const { group, decimal } = parts(tenant.locale);
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
  const sample = new Intl.NumberFormat(tenant.locale, { style: 'currency', currency }).formatToParts(1);
  const symbol = sample.find((x) => x.type === 'currency')?.value ?? currency;
  const before = sample.findIndex((x) => x.type === 'currency') < sample.findIndex((x) => x.type === 'integer');
  const n = amount(s);
  if (!before) return `${n} ${symbol}`;
  return n.startsWith('−') ? `−${symbol}${n.slice(1)}` : `${symbol}${n}`;
}

export function date(iso) {
  if (!iso) return '–';
  return new Intl.DateTimeFormat(tenant.locale, { dateStyle: 'medium', timeZone: tenant.timezone }).format(new Date(iso));
}

export function dateTime(iso) {
  if (!iso) return '–';
  return new Intl.DateTimeFormat(tenant.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: tenant.timezone }).format(new Date(iso));
}

// "2026-11-23" in the business's zone, for <input type=date> defaults.
export function isoDay(d = new Date()) {
  const p = new Intl.DateTimeFormat('en-CA', { timeZone: tenant.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  return p;
}

// Compares two decimal strings of the same scale: -1, 0, 1.
export function cmp(a, b) {
  const x = Number(a), y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export const KIND_LABELS = {
  purchase: 'Purchase', grant: 'Grant', order: 'Order', refund: 'Refund', adjustment: 'Adjustment',
  expiry: 'Expiry', deactivation: 'Deactivation', reactivation: 'Reactivation', transfer: 'Transfer',
  hold: 'Hold', capture: 'Capture', release: 'Release',
};

export const STATUS_LABELS = {
  submitted: 'Submitted', in_progress: 'In progress', completed: 'Completed', cancelled: 'Cancelled',
  open: 'Open', paid: 'Paid', void: 'Void', active: 'Active', paused: 'Paused',
  deactivated: 'Deactivated', expired: 'Expired', exhausted: 'Used up',
};
