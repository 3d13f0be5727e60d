// A lot's dialogs on the admin customer page: adding credits by hand (the
// credit type and amount, source and price, when the lot starts and how long
// it is valid, what it may pay for, peak hours) and editing a lot's name and
// notes; and the line under a lot that says its rules. POST
// /customers/{id}/lots, PATCH /lots/{id}, GET /services (the categories and
// providers to restrict to).
import { api, newKey, ApiError } from './api.js';
import { h, field, input, select, textarea, dialog } from './ui.js';
import { zoneTime, nextDay, isoDay, getTenant } from './fmt.js';
import { need, sources } from './admin-lib.js';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const WINDOWS_MAX = 8;

// "Mon-Fri", "Mon+Wed", "Daily" from the ticked days (the API's own form).
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
  const start = select('start', [['immediate', 'Now'], ['first_use', 'On first use'], ['fixed', 'On a date']]);
  const startDay = field('Start date', input('starts_at', { type: 'date', min: isoDay() }), 'From the start of this day, in the business\'s time zone.');
  const expiry = select('expiry', [['never', 'Never expires'], ['fixed', 'Until a date'], ['days_from_start', 'A number of days from the start']]);
  const expiryDay = field('Valid until (inclusive)', input('expires_at', { type: 'date', min: isoDay() }));
  const days = field('Days from the start', input('expiry_days', { type: 'number', min: 1, max: 3660, inputmode: 'numeric' }),
    'With "On first use" the days count from the first order paid with the lot.');
  const updates = [shownWhen(startDay, () => start.value === 'fixed'),
    shownWhen(expiryDay, () => expiry.value === 'fixed'), shownWhen(days, () => expiry.value === 'days_from_start')];
  const all = () => updates.forEach((u) => u());
  start.addEventListener('change', all);
  expiry.addEventListener('change', all);
  return [field('Starts', start), startDay, field('Validity', expiry), expiryDay, days];
}

function validityBody(v, body) {
  body.start = v.start || 'immediate';
  body.expiry = v.expiry || 'never';
  if (body.start === 'fixed') {
    if (!v.starts_at) fail('starts_at', 'choose the day the credits start');
    body.starts_at = zoneTime(v.starts_at);
  }
  if (body.expiry === 'fixed') {
    if (!v.expires_at) fail('expires_at', 'choose the last day the credits are valid');
    body.expires_at = zoneTime(nextDay(v.expires_at));
  }
  if (body.expiry === 'days_from_start') {
    if (!/^\d+$/.test(v.expiry_days || '')) fail('expiry_days', 'give a whole number of days');
    body.expiry_days = Number(v.expiry_days);
  }
  return body;
}

// ---- restrictions and peak hours ---------------------------------------------------

function restrictionFields(services) {
  const categories = [...new Set(services.map((s) => s.category).filter(Boolean))].sort();
  const providers = [...new Set(services.map((s) => s.provider).filter(Boolean))].sort();
  const boxes = categories.map((c) => h('label.check', input(`category:${c}`, { type: 'checkbox' }), ` ${c}`));
  const provider = select('provider', [['', 'Any provider'], ...providers.map((p) => [p, p])]);
  return [
    group('categories', 'Only for these service categories', h('div.choices', boxes.length ? boxes : h('p.hint', 'No service has a category yet.')),
      'None ticked: any service.'),
    providers.length ? field('Only for this provider', provider) : null,
  ];
}

function restrictionBody(v, body) {
  const cats = Object.keys(v).filter((k) => k.startsWith('category:') && v[k] === true).map((k) => k.slice(9));
  if (cats.length) body.categories = cats.join(',');
  if (v.provider) body.provider = v.provider;
  return body;
}

function peakWindow(list, no) {
  const days = DAYS.map((d, i) => h('label.check', input(`peak.${no}.day.${i}`, { type: 'checkbox', checked: i < 5 }), ` ${d}`));
  const remove = h('button', { type: 'button', 'aria-label': `Remove window ${no + 1}` }, 'Remove');
  const box = h('fieldset.peak-window', { dataset: { window: String(no) } },
    h('legend', `Window ${no + 1}`),
    h('div.choices', days),
    h('div.times',
      field('From', input(`peak.${no}.from`, { type: 'time', value: '17:00' })),
      field('To', input(`peak.${no}.to`, { type: 'time', value: '20:00' })),
      remove));
  remove.addEventListener('click', () => { box.remove(); list.dispatchEvent(new Event('change')); });
  return box;
}

function peakFields() {
  const list = h('div.peak-windows');
  const add = h('button', { type: 'button' }, 'Add a time window');
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
  return group('peak', 'Peak hours', [
    field('Multiplier', input('peak_multiplier', { inputmode: 'decimal', autocomplete: 'off', placeholder: '1.5' }),
      'Credits drawn in a window cost this many times more; empty: no peak rule.'),
    list, h('div.peak-add', add),
  ], `Times are the business's local time (${zone}).`);
}

function peakBody(v, body, f) {
  const m = (v.peak_multiplier || '').trim();
  const windows = [...f.querySelectorAll('.peak-window')].map((w) => w.dataset.window);
  if (!m && !windows.length) return body;
  if (!m) fail('peak_multiplier', 'give the multiplier of the peak hours');
  if (!/^\d+(\.\d{1,3})?$/.test(m)) fail('peak_multiplier', 'a number like 1.5');
  if (!windows.length) fail('peak', 'add at least one time window');
  const parts = windows.map((n) => {
    const ticked = DAYS.map((_, i) => i).filter((i) => v[`peak.${n}.day.${i}`] === true);
    if (!ticked.length) fail('peak', 'tick at least one day in every window');
    const from = v[`peak.${n}.from`], to = v[`peak.${n}.to`];
    if (!from || !to) fail('peak', 'every window needs a start and an end time');
    return `${daysText(ticked)} ${from}-${to === '00:00' ? '24:00' : to}`;
  });
  body.peak = `${m}x ${parts.join(', ')}`;
  return body;
}

// ---- the dialogs ---------------------------------------------------------------------

// Adds a manual lot to customer `id` (named `who` in the title when given);
// resolves the lot (with its invoice) or null.
export async function addCreditsDialog(id, types, who) {
  const services = (await api.get('services')).items;
  const key = newKey();
  return dialog(who ? `Add credits to ${who}` : 'Add credits', [
    field('Credit type', select('credit_type', types.items.map((t) => [t.code, t.name]))),
    field('Credits', input('credits', { inputmode: 'decimal', autocomplete: 'off' })),
    field('Source', select('source', sources())),
    field('Price paid', input('price', { inputmode: 'decimal', placeholder: '0.00' }), 'Money received for these credits (cost basis), excl. VAT.'),
    group('validity', 'When the credits can be used', validityFields()),
    group('restrictions', 'What they may pay for', restrictionFields(services)),
    peakFields(),
    field('Lot name', input('name', { autocomplete: 'off' }), 'Shown to the customer, e.g. “Welcome credits”.'),
    field('Notes', textarea('notes', { rows: 2 }), 'Internal.'),
    field('Reason', input('reason', { autocomplete: 'off' }), 'Why: goes into the ledger with your name.'),
    field('Invoice', select('invoice', [['', 'No invoice'], ['paid', 'Invoice, already paid'], ['open', 'Invoice, to be paid']]),
      'Also make a numbered invoice for the price; the credits are granted at once either way.'),
  ], (v, f) => {
    need(v, ['credits', 'reason']);
    const body = { credit_type: v.credit_type, credits: v.credits.trim(), source: v.source, reason: v.reason.trim() };
    for (const k of ['price', 'name', 'notes']) if (v[k]) body[k] = v[k].trim();
    if (v.invoice) body.invoice = v.invoice;
    validityBody(v, body);
    restrictionBody(v, body);
    peakBody(v, body, f);
    return api.post(`customers/${encodeURIComponent(id)}/lots`, body, { key });
  }, { submit: 'Add credits' });
}

// Edits lot l's name and notes; resolves the lot or null.
export function editLotDialog(l, label) {
  const key = newKey();
  return dialog(`Edit ${label}`, [
    field('Lot name', input('name', { value: l.name || '', autocomplete: 'off', maxlength: 200 }), 'Shown to the customer; empty: the credit type\'s name.'),
    field('Notes', textarea('notes', { rows: 3, value: l.notes || '', maxlength: 2000 }), 'Internal.'),
  ], (v) => {
    const body = { name: (v.name || '').trim(), notes: (v.notes || '').trim() };
    if (body.name === (l.name || '') && body.notes === (l.notes || '')) fail('name', 'nothing changed');
    return api.patch(`lots/${encodeURIComponent(l.id)}`, body, { key });
  }, { submit: 'Save' });
}

// The rules of a lot in a line: restrictions, peak hours, a first-use validity.
export function lotRules(l) {
  const out = [];
  if (l.categories) out.push(`Only for: ${l.categories.split(',').join(', ')}`);
  if (l.provider) out.push(`Provider: ${l.provider}`);
  if (l.peak) out.push(`Peak: ${l.peak}`);
  if (l.start_on_first_use && !l.starts_at && l.expiry_days_after_start) {
    out.push(`Valid ${l.expiry_days_after_start} days from first use`);
  }
  return out.length ? h('p.lot-rules', out.join(' · ')) : null;
}
