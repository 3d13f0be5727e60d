// A lot's dialogs on the admin customer page: adding credits by hand (the
// credit type and amount, source and price, when the lot starts and how long
// it is valid, what it may pay for, peak hours) and editing a lot's name and
// notes; and the line under a lot that says its rules. POST
// /customers/{id}/lots, PATCH /lots/{id}, GET /services (the categories and
// providers to restrict to).
import { api, newKey, ApiError } from './api.js';
import { h, field, input, select, textarea, dialog } from './ui.js';
import { zoneTime, nextDay, isoDay, getTenant, amount } from './fmt.js';
import { need, sources } from './admin-lib.js';
import { t, tn } from './i18n.js';

// The API's day names (its peak rule reads "Mon-Fri 17:00-20:00"); shown as lot.day.<mon…>.
export const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const dayName = (d) => t(`lot.day.${d.toLowerCase()}`);
const WINDOWS_MAX = 8;

// "Mon-Fri", "Mon+Wed", "Daily" from the ticked days (the API's own form, not words).
export function daysText(ticked) {
  if (ticked.length === 7) return 'Daily';
  const out = [];
  for (let d = 0; d < 7;) {
    if (!ticked.includes(d)) { d++; continue; }
    let e = d;
    while (e + 1 < 7 && ticked.includes(e + 1)) e++;
    out.push(e > d ? `${DAYS[d]}-${DAYS[e]}` : DAYS[d]);
    d = e + 1;
  }
  return out.join('+');
}

function fail(field, message) {
  throw new ApiError(422, { code: 'validation_failed', detail: message, field, errors: [{ field, message }] });
}

// A fieldset named `name` whose API error shows under it (like amountsField).
function group(name, legend, children, hint) {
  const id = `g-${name}-${Math.random().toString(36).slice(2, 8)}`;
  return h('fieldset', { name, id, tabindex: '-1', 'aria-describedby': `${id}-err` },
    h('legend', legend), children, hint ? h('p.hint', hint) : null,
    h('p.field-error', { id: `${id}-err`, 'aria-live': 'polite' }));
}

// Shows a field (and enables its inputs) only when `when()` holds.
function shownWhen(wrapper, when) {
  const update = () => {
    const on = when();
    wrapper.hidden = !on;
    for (const el of wrapper.querySelectorAll('input, select, textarea')) el.disabled = !on;
  };
  update();
  return update;
}

// ---- validity ------------------------------------------------------------------

function validityFields() {
  const start = select('start', [['immediate', t('lot.start_now')], ['first_use', t('lot.start_first_use')], ['fixed', t('lot.start_date_choice')]]);
  const startDay = field(t('lot.start_date'), input('starts_at', { type: 'date', min: isoDay() }), t('lot.start_date_hint'));
  const expiry = select('expiry', [['never', t('lot.expiry_never')], ['fixed', t('lot.expiry_date_choice')], ['days_from_start', t('lot.expiry_days_choice')]]);
  const expiryDay = field(t('lot.valid_until'), input('expires_at', { type: 'date', min: isoDay() }));
  const days = field(t('lot.days_from_start'), input('expiry_days', { type: 'number', min: 1, max: 3660, inputmode: 'numeric' }),
    t('lot.days_from_start_hint'));
  const updates = [shownWhen(startDay, () => start.value === 'fixed'),
    shownWhen(expiryDay, () => expiry.value === 'fixed'), shownWhen(days, () => expiry.value === 'days_from_start')];
  const all = () => updates.forEach((u) => u());
  start.addEventListener('change', all);
  expiry.addEventListener('change', all);
  return [field(t('lot.starts'), start), startDay, field(t('lot.validity'), expiry), expiryDay, days];
}

function validityBody(v, body) {
  body.start = v.start || 'immediate';
  body.expiry = v.expiry || 'never';
  if (body.start === 'fixed') {
    if (!v.starts_at) fail('starts_at', t('lot.need_start'));
    body.starts_at = zoneTime(v.starts_at);
  }
  if (body.expiry === 'fixed') {
    if (!v.expires_at) fail('expires_at', t('lot.need_expiry'));
    body.expires_at = zoneTime(nextDay(v.expires_at));
  }
  if (body.expiry === 'days_from_start') {
    if (!/^\d+$/.test(v.expiry_days || '')) fail('expiry_days', t('lot.need_days'));
    body.expiry_days = Number(v.expiry_days);
  }
  return body;
}

// ---- restrictions and peak hours ---------------------------------------------------

function restrictionFields(services) {
  const categories = [...new Set(services.map((s) => s.category).filter(Boolean))].sort();
  const providers = [...new Set(services.map((s) => s.provider).filter(Boolean))].sort();
  const boxes = categories.map((c) => h('label.check', input(`category:${c}`, { type: 'checkbox' }), ` ${c}`));
  const provider = select('provider', [['', t('lot.any_provider')], ...providers.map((p) => [p, p])]);
  return [
    group('categories', t('lot.categories'), h('div.choices', boxes.length ? boxes : h('p.hint', t('lot.no_categories'))),
      t('lot.categories_hint')),
    providers.length ? field(t('lot.provider'), provider) : null,
  ];
}

function restrictionBody(v, body) {
  const cats = Object.keys(v).filter((k) => k.startsWith('category:') && v[k] === true).map((k) => k.slice(9));
  if (cats.length) body.categories = cats.join(',');
  if (v.provider) body.provider = v.provider;
  return body;
}

function peakWindow(list, no) {
  const days = DAYS.map((d, i) => h('label.check', input(`peak.${no}.day.${i}`, { type: 'checkbox', checked: i < 5 }), ` ${dayName(d)}`));
  const remove = h('button', { type: 'button', 'aria-label': t('lot.remove_window', { n: no + 1 }) }, t('lot.remove'));
  const box = h('fieldset.peak-window', { dataset: { window: String(no) } },
    h('legend', t('lot.window', { n: no + 1 })),
    h('div.choices', days),
    h('div.times',
      field(t('lot.from'), input(`peak.${no}.from`, { type: 'time', value: '17:00' })),
      field(t('lot.to'), input(`peak.${no}.to`, { type: 'time', value: '20:00' })),
      remove));
  remove.addEventListener('click', () => { box.remove(); list.dispatchEvent(new Event('change')); });
  return box;
}

function peakFields() {
  const list = h('div.peak-windows');
  const add = h('button', { type: 'button' }, t('lot.add_window'));
  let no = 0;
  const sync = () => { add.disabled = list.children.length >= WINDOWS_MAX; };
  add.addEventListener('click', () => {
    // A new window answers "add at least one time window".
    const set = add.closest('fieldset');
    set.removeAttribute('aria-invalid');
    set.querySelector(':scope > .field-error').textContent = '';
    const w = peakWindow(list, no++);
    list.append(w);
    sync();
    w.querySelector('input').focus();
  });
  list.addEventListener('change', sync);
  const zone = getTenant().timezone;
  return group('peak', t('lot.peak'), [
    field(t('lot.multiplier'), input('peak_multiplier', { inputmode: 'decimal', autocomplete: 'off', placeholder: amount('1.5') }),
      t('lot.multiplier_hint')),
    list, h('div.peak-add', add),
  ], t('lot.peak_hint', { zone }));
}

function peakBody(v, body, f) {
  const m = (v.peak_multiplier || '').trim();
  const windows = [...f.querySelectorAll('.peak-window')].map((w) => w.dataset.window);
  if (!m && !windows.length) return body;
  if (!m) fail('peak_multiplier', t('lot.need_multiplier'));
  if (!/^\d+(\.\d{1,3})?$/.test(m)) fail('peak_multiplier', t('lot.multiplier_number'));
  if (!windows.length) fail('peak', t('lot.need_window'));
  const parts = windows.map((n) => {
    const ticked = DAYS.map((_, i) => i).filter((i) => v[`peak.${n}.day.${i}`] === true);
    if (!ticked.length) fail('peak', t('lot.need_day'));
    const from = v[`peak.${n}.from`], to = v[`peak.${n}.to`];
    if (!from || !to) fail('peak', t('lot.need_times'));
    return `${daysText(ticked)} ${from}-${to === '00:00' ? '24:00' : to}`;
  });
  body.peak = `${m}x ${parts.join(', ')}`;
  return body;
}

// ---- the dialogs ---------------------------------------------------------------------

// Whether adding credits also makes an invoice: none, paid, or to be paid.
export function invoiceChoices() {
  return [['', t('lot.no_invoice')], ['paid', t('lot.invoice_paid')], ['open', t('lot.invoice_open')]];
}

// Adds a manual lot to customer `id` (named `who` in the title when given);
// resolves the lot (with its invoice) or null.
export async function addCreditsDialog(id, types, who) {
  const services = (await api.get('services')).items;
  const key = newKey();
  return dialog(who ? t('lot.add_to', { customer: who }) : t('lot.add'), [
    field(t('lot.credit_type'), select('credit_type', types.items.map((x) => [x.code, x.name]))),
    field(t('lot.credits'), input('credits', { inputmode: 'decimal', autocomplete: 'off' })),
    field(t('lot.source'), select('source', sources())),
    field(t('lot.price'), input('price', { inputmode: 'decimal', placeholder: amount('0.00') }), t('lot.price_hint')),
    group('validity', t('lot.validity_legend'), validityFields()),
    group('restrictions', t('lot.restrictions_legend'), restrictionFields(services)),
    peakFields(),
    field(t('lot.name'), input('name', { autocomplete: 'off' }), t('lot.name_hint')),
    field(t('lot.notes'), textarea('notes', { rows: 2 }), t('lot.notes_hint')),
    field(t('lot.reason'), input('reason', { autocomplete: 'off' }), t('lot.reason_hint')),
    field(t('lot.invoice'), select('invoice', invoiceChoices()), t('lot.invoice_hint')),
  ], (v, f) => {
    need(v, ['credits', 'reason']);
    const body = { credit_type: v.credit_type, credits: v.credits.trim(), source: v.source, reason: v.reason.trim() };
    for (const k of ['price', 'name', 'notes']) if (v[k]) body[k] = v[k].trim();
    if (v.invoice) body.invoice = v.invoice;
    validityBody(v, body);
    restrictionBody(v, body);
    peakBody(v, body, f);
    return api.post(`customers/${encodeURIComponent(id)}/lots`, body, { key });
  }, { submit: t('lot.add') });
}

// Edits lot l's name and notes; resolves the lot or null.
export function editLotDialog(l, label) {
  const key = newKey();
  return dialog(t('lot.edit_title', { lot: label }), [
    field(t('lot.name'), input('name', { value: l.name || '', autocomplete: 'off', maxlength: 200 }), t('lot.edit_name_hint')),
    field(t('lot.notes'), textarea('notes', { rows: 3, value: l.notes || '', maxlength: 2000 }), t('lot.notes_hint')),
  ], (v) => {
    const body = { name: (v.name || '').trim(), notes: (v.notes || '').trim() };
    if (body.name === (l.name || '') && body.notes === (l.notes || '')) fail('name', t('lot.unchanged'));
    return api.patch(`lots/${encodeURIComponent(l.id)}`, body, { key });
  }, { submit: t('ui.save') });
}

// The API's peak rule ("1.5x Mon-Fri 17:00-20:00, Sat 10:00-14:00") with
// the reader's day names and decimal sign ("1,5x Mo-Fr 17:00-20:00").
export function peakText(peak) {
  return String(peak)
    .replace(/^(\d+(?:\.\d+)?)x/, (m, n) => `${amount(n)}x`)
    .replace(/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun|Daily)\b/g, (d) => t(`lot.day.${d.toLowerCase()}`));
}

// The rules of a lot in a line: restrictions, peak hours, a first-use validity.
export function lotRules(l) {
  const out = [];
  if (l.categories) out.push(t('lot.rule_categories', { categories: l.categories.split(',').join(', ') }));
  if (l.provider) out.push(t('lot.rule_provider', { provider: l.provider }));
  if (l.peak) out.push(t('lot.rule_peak', { peak: peakText(l.peak) }));
  if (l.start_on_first_use && !l.starts_at && l.expiry_days_after_start) {
    out.push(tn('lot.rule_first_use', String(l.expiry_days_after_start)));
  }
  return out.length ? h('p.lot-rules', out.join(' · ')) : null;
}
