// What the admin pages (admin-*.js) share: the credit types and customer
// names (fetched once per page load and kept), a pager for the API's cursor
// lists, a customer picker, an amounts-per-type field, required-field checks
// that fail like the API does (so the message lands next to its field), and
// the page's status line that announces what an action did.
import { api, ApiError } from './api.js';
import { h, clear, loading, empty, notice, errorText, badge, field, input, select } from './ui.js';
import { amount, amountOf, count, statusLabel } from './fmt.js';
import { t } from './i18n.js';
import { combobox } from './admin-picker.js';

// ---- credit types --------------------------------------------------------

let typesPromise = null;

// {items, byCode} of GET /credit-types, once per page load (forget() after a change).
export function creditTypes() {
  if (!typesPromise) {
    typesPromise = api.get('credit-types').then((r) => {
      const items = [...r.items].sort((a, b) => (a.sort_order ?? 0) - (b.sort_order ?? 0));
      return { items, byCode: Object.fromEntries(items.map((t) => [t.code, t])) };
    });
    typesPromise.catch(() => { typesPromise = null; });
  }
  return typesPromise;
}

export function forgetCreditTypes() { typesPromise = null; }

export function typeName(types, code) { return types.byCode[code]?.name || code; }

// "75 Master credits": an amount with its type's name.
export function credits(types, code, value) { return amountOf(value, typeName(types, code)); }

// ---- customers -------------------------------------------------------------

const customerCache = new Map();

export function rememberCustomer(c) { if (c?.id) customerCache.set(c.id, c); }

// The customers named by ids (GET /customers/{id} for those not seen yet);
// a missing one is left out rather than failing the page.
export async function customersById(ids) {
  const missing = [...new Set(ids.filter((id) => id && !customerCache.has(id)))];
  await Promise.all(missing.map(async (id) => {
    try { rememberCustomer(await api.get(`customers/${encodeURIComponent(id)}`)); } catch { /* shown by id */ }
  }));
  return customerCache;
}

// A link to the customer's page, with their name when known.
export function customerLink(id) {
  if (!id) return '–';
  const c = customerCache.get(id);
  return h('a', { href: `#/admin/customers/${encodeURIComponent(id)}` }, c?.name || id);
}

// The customer picker (admin-picker.js): searches the server as one types,
// every customer and not only a first page; the chosen id is the field `name`.
export function customerPicker({ name = 'customer', value = '', label = t('admin.customer'), allLabel = t('admin.all_customers'), hint, exclude } = {}) {
  return combobox({
    name, value, label, hint, exclude, allText: allLabel,
    remember: rememberCustomer,
    lookup: async (id) => (await customersById([id])).get(id) || null,
  });
}

// ---- fields ----------------------------------------------------------------

// One amount per credit type as a group named `name`: its error (from the
// API, on `name`) shows under the group. Read it with amountsOf(form, name).
export function amountsField(legend, name, types, values = {}, hint) {
  const id = `g-${name}-${Math.random().toString(36).slice(2, 8)}`;
  const set = h('fieldset.amounts', { name, id, tabindex: '-1', 'aria-describedby': `${id}-err` },
    h('legend', legend),
    types.items.map((t) => field(t.name, input(`${name}.${t.code}`, {
      inputmode: t.scale > 0 ? 'decimal' : 'numeric', value: values[t.code] ?? '', autocomplete: 'off',
    }))),
    hint ? h('p.hint', hint) : null,
    h('p.field-error', { id: `${id}-err`, 'aria-live': 'polite' }));
  return set;
}

// {"master":"75"} from the inputs of amountsField (blank ones left out).
export function amountsOf(v, name) {
  const out = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith(`${name}.`) && String(x).trim() !== '') out[k.slice(name.length + 1)] = String(x).trim();
  }
  return out;
}

export function checkbox(name, checked = false) { return input(name, { type: 'checkbox', checked }); }

// Fails like the API (422 validation_failed with a message per field) when a
// field the business requires is blank, so showErrors puts it by the field.
export function need(v, names, message = t('admin.required')) {
  const errors = names.filter((n) => v[n] === undefined || String(v[n]).trim() === '')
    .map((n) => ({ field: n, message }));
  if (errors.length) {
    throw new ApiError(422, { code: 'validation_failed', detail: errors[0].message, field: errors[0].field, errors });
  }
}

// ---- lists -------------------------------------------------------------------

// The pager lives in ui.js (one for every page); admin pages import it here.
export { pager } from './ui.js';

// ---- status ------------------------------------------------------------------

const TONE = {
  active: 'good', paid: 'good', completed: 'good', published: 'good',
  paused: 'warn', open: 'warn', submitted: 'warn', in_progress: 'warn',
  deactivated: 'bad', expired: 'bad', void: 'bad', cancelled: 'bad',
};

export function statusBadge(status) { return badge(statusLabel(status), TONE[status] || ''); }

// The page's status line: says what an action did and takes the focus, so
// keyboard and screen reader users hear it after a dialog closes.
export function flash() {
  const box = h('div.flash', { tabindex: '-1' });
  return {
    el: box,
    say(text, kind = 'ok') { clear(box, notice(text, kind)); box.focus(); },
    fail(e) { clear(box, notice(errorText(e), 'error')); box.focus(); },
    clear() { clear(box); },
  };
}

// A text of the catalogue with elements (a link) in some of its holes:
// phrase('admin.x', {who: link, n: '3'}) → [text, link, text] for h().
// The holes are filled once, from the catalogue's text: braces in a value
// (a justification) stay as they are.
export function phrase(key, vars = {}) {
  return t(key).split(/\{(\w+)\}/)
    .map((part, i) => {
      if (i % 2 === 0) return part;
      const v = vars[part];
      if (v === undefined || v === null) return `{${part}}`;
      return typeof v === 'object' ? v : String(v);
    })
    .filter((x) => x !== '');
}

// The reasons of a deduction or adjustment (the API's codes) in words.
export const DEDUCTION_REASONS = ['correction', 'compensation', 'goodwill', 'refund', 'transfer', 'other'];
export function deductionReasons() { return DEDUCTION_REASONS.map((c) => [c, t(`admin.reason.${c}`)]); }

// The sources of a lot (the API's codes) in words.
export const SOURCES = ['manual', 'payment', 'goodwill', 'promotion', 'gift', 'refund', 'transfer'];
export function sourceName(code) { return SOURCES.includes(code) ? t(`admin.source.${code}`) : code; }
export function sources() { return SOURCES.map((c) => [c, sourceName(c)]); }
