// Settings (#/admin/settings, admins only): the business (name, currency,
// zone, locale, VAT, invoices, seller details, bank details and payment
// terms, charging, files, sign-ups)
// and its credit types (name, unit value, order, the spendable switch; add
// a type).
// GET/PATCH /settings, GET/POST /credit-types, PATCH /credit-types/{code}.
import { api, newKey } from './api.js';
import { h, clear, table, field, input, select, textarea, form, dialog, loading, notice } from './ui.js';
import { amount, money, setTenant, getTenant } from './fmt.js';
import { creditTypes, forgetCreditTypes, checkbox, need, flash } from './admin-lib.js';
import { CURRENCIES, COUNTRIES } from './iso.js';

const NUMBERS = ['refund_validity_days', 'file_retention_days', 'duplicate_window_hours', 'payment_terms_days'];

// IANA time zones as the browser knows them (Intl.supportedValuesOf).
function zones() {
  try { return Intl.supportedValuesOf('timeZone'); } catch { return []; }
}

// A select of codes, each named in the reader's language where Intl knows
// it ("EUR — Euro", "DE — Germany"); the current value is kept even if the
// list lacks it; blank: a first choice for "none".
function codeSelect(name, codes, value, kind, blank) {
  let names = null;
  try { names = kind ? new Intl.DisplayNames([getTenant().locale, 'en'], { type: kind }) : null; } catch { names = null; }
  const all = value && !codes.includes(value) ? [value, ...codes] : codes;
  const label = (c) => {
    const n = names?.of(c);
    return n && n !== c ? `${c} — ${n}` : c;
  };
  const el = select(name, [...(blank !== undefined ? [['', blank]] : []), ...all.map((c) => [c, label(c)])]);
  el.value = value || '';
  return el;
}

function settingsFields(s) {
  const chargeOn = select('charge_on', [['submit', 'When the order is placed'], ['delivery', 'On delivery (hold until then)']]);
  chargeOn.value = s.charge_on;
  const grant = select('manual_grant', [['payment', 'When the payment arrives'], ['invoice', 'At once, with the invoice']]);
  grant.value = s.manual_grant;
  const signUps = select('registration', [['off', 'Off'], ['open', 'Open: anyone can create an account'],
    ['approval', 'With approval: you approve each new account']]);
  signUps.value = s.registration || 'off';
  const text = (name, attrs = {}) => input(name, { value: s[name] ?? '', autocomplete: 'off', ...attrs });
  return [
    h('fieldset', h('legend', 'Business'),
      field('Business name', text('name')),
      field('Currency', codeSelect('currency', CURRENCIES, s.currency, 'currency')),
      field('Time zone', codeSelect('timezone', zones(), s.timezone), 'Days and months are counted in it.'),
      field('Locale', text('locale'), 'How numbers and dates are written, e.g. de-DE.')),
    h('fieldset', h('legend', 'Invoices'),
      field('VAT rate (%)', text('vat_rate', { inputmode: 'decimal' })),
      field('Invoice number prefix', text('invoice_prefix', { maxlength: 16 })),
      field('Seller country', codeSelect('country', COUNTRIES, s.country, 'region', 'Not set'), 'Decides the reverse charge.'),
      field('Seller VAT ID', text('vat_id', { maxlength: 32 })),
      field('Seller address', textarea('seller_address', { rows: 3, value: s.seller_address || '' })),
      field('Bank transfers grant credits', grant)),
    h('fieldset.bank', h('legend', 'Bank details and payment terms'),
      s.bank_iban ? null : notice('No bank details yet: customers who choose bank transfer are told that you have not set them up, and invoices carry no payment details or QR code.', 'warn'),
      field('Account holder', text('bank_account_holder', { maxlength: 70 }), 'As your bank knows it; empty: the business name.'),
      field('IBAN', input('bank_iban', { value: s.bank_iban_display || '', autocomplete: 'off', spellcheck: 'false', maxlength: 42 }),
        'Checked by its check digits; shown in groups of four.'),
      field('BIC', text('bank_bic', { maxlength: 11, spellcheck: 'false' }), '8 or 11 characters, e.g. COBADEFFXXX.'),
      field('Payment terms (days)', text('payment_terms_days', { type: 'number', min: 0, max: 365 }), 'An invoice is due this many days after its date.'),
      field('Credit note number prefix', text('credit_note_prefix', { maxlength: 10 }),
        'Capital letters or digits: credit notes are numbered PREFIX-YEAR-000001, e.g. CN-2026-000001 or GS-2026-000001.')),
    h('fieldset', h('legend', 'Sign-in'),
      field('Staff and admins must use two-factor authentication', checkbox('totp_required', Boolean(s.totp_required)),
        'Without it they can only turn it on (on their Security page) until they have.')),
    h('fieldset', h('legend', 'Orders and credits'),
      field('Charge credits', chargeOn),
      field('Refunded credits are valid for (days)', text('refund_validity_days', { type: 'number', min: 1, max: 3660 })),
      field('Keep order files for (days)', text('file_retention_days', { type: 'number', min: 0, max: 3660 }), '0 keeps them.'),
      field('Warn about a repeated original within (hours)', text('duplicate_window_hours', { type: 'number', min: 0, max: 8760 }), '0 turns the warning off.')),
    h('fieldset', h('legend', 'New customers'),
      field('Sign-ups on the sign-in page', signUps,
        'Off: you add or invite each customer. Open or with approval: a new owner confirms their e-mail before ordering.')),
  ];
}

export default async function render(ctx) {
  const status = flash();
  let settings = await api.get('settings');
  const typesBox = h('div', loading());

  // Only what changed goes in the PATCH, and only fields of this form (the
  // mail settings live on the Notifications page).
  const settingsForm = form(settingsFields(settings), async (v, f) => {
    const mine = new Set([...f.elements].map((el) => el.name).filter(Boolean));
    const body = {};
    for (const [k, old] of Object.entries(settings)) {
      if (!mine.has(k) || (!(k in v) && typeof old !== 'string')) continue;
      const now = NUMBERS.includes(k) ? Number(v[k]) : (v[k] ?? '');
      const same = k === 'bank_iban' ? String(now).replace(/\s+/g, '').toUpperCase() === old : String(now) === String(old ?? '');
      if (!same) body[k] = now;
    }
    if (!Object.keys(body).length) { status.say('Nothing changed.', 'info'); return; }
    settings = await api.patch('settings', body, { key: newKey() });
    if ('bank_iban' in body || 'bank_bic' in body) {
      f.elements.bank_iban.value = settings.bank_iban_display;
      f.elements.bank_bic.value = settings.bank_bic;
    }
    setTenant({ name: settings.name, currency: settings.currency, locale: settings.locale, timezone: settings.timezone });
    if (ctx.me.tenant) Object.assign(ctx.me.tenant, getTenant());
    status.say('Settings saved.');
    // Requiring two factors may hold this admin back until they enrol.
    if ('totp_required' in body) window.dispatchEvent(new CustomEvent('creditd:me-changed'));
  }, { submit: 'Save settings', cls: 'settings-form' });

  async function drawTypes() {
    forgetCreditTypes();
    const types = await creditTypes();
    const t = table([
      { label: 'Code', value: (c) => h('code', c.code) },
      { label: 'Name', value: (c) => c.name },
      { label: 'Kind', value: (c) => (c.kind === 'monetary' ? 'Money (store credit)' : 'Units') },
      { label: 'Decimals', num: true, value: (c) => amount(String(c.scale)) },
      { label: 'Value of one', num: true, value: (c) => money(c.unit_value) },
      { label: 'Spendable', value: (c) => spendSwitch(c) },
      { label: 'Actions', value: (c) => h('button', { type: 'button', 'aria-label': `Edit ${c.name}`, onclick: () => editType(c) }, 'Edit') },
    ], types.items, { caption: 'Switching a type off keeps every balance but stops spending it' });
    t.classList.add('stack');
    clear(typesBox, t);
  }

  function spendSwitch(c) {
    const box = input(`spendable-${c.code}`, { type: 'checkbox', role: 'switch', checked: c.spendable });
    box.setAttribute('aria-label', `${c.name} can be spent`);
    box.addEventListener('change', async () => {
      box.disabled = true;
      try {
        await api.patch(`credit-types/${encodeURIComponent(c.code)}`, { spendable: box.checked }, { key: newKey() });
        status.say(box.checked ? `${c.name} can be spent again.` : `${c.name} can no longer be spent; balances are kept.`);
        await drawTypes();
      } catch (e) {
        box.checked = !box.checked;
        box.disabled = false;
        status.fail(e);
      }
    });
    return h('label.check', box, c.spendable ? ' On' : ' Off');
  }

  async function editType(c) {
    const key = newKey();
    const done = await dialog(`Edit ${c.name}`, [
      field('Name', input('name', { value: c.name, autocomplete: 'off' })),
      field('Value of one credit', input('unit_value', { value: c.unit_value, inputmode: 'decimal' }), 'In money, for “credits worth …”.'),
      field('Sort order', input('sort_order', { type: 'number', min: 0, max: 1000000, value: c.sort_order ?? 0 })),
    ], (v) => {
      need(v, ['name']);
      const body = { name: v.name.trim(), unit_value: (v.unit_value || '').trim() || '0.00' };
      if (v.sort_order !== undefined) body.sort_order = Number(v.sort_order);
      return api.patch(`credit-types/${encodeURIComponent(c.code)}`, body, { key });
    });
    if (done) { await drawTypes(); status.say(`${done.name} saved.`); }
  }

  async function addType() {
    const key = newKey();
    const done = await dialog('Add a credit type', [
      field('Code', input('code', { autocomplete: 'off', placeholder: 'dyno' }), 'Short and fixed: used in amounts and the API.'),
      field('Name', input('name', { autocomplete: 'off' })),
      field('Kind', select('kind', [['unit', 'Units (credits)'], ['monetary', 'Money (store credit)']])),
      field('Decimals', input('scale', { type: 'number', min: 0, max: 6, value: 0 }), 'Cannot change later.'),
      field('Value of one credit', input('unit_value', { inputmode: 'decimal', placeholder: '0.00' })),
      field('Spendable', checkbox('spendable', true)),
      field('Sort order', input('sort_order', { type: 'number', min: 0, max: 1000000 })),
    ], (v) => {
      need(v, ['code', 'name']);
      const body = { code: v.code.trim(), name: v.name.trim(), kind: v.kind, spendable: Boolean(v.spendable) };
      if (v.scale !== undefined) body.scale = Number(v.scale);
      if (v.unit_value) body.unit_value = v.unit_value.trim();
      if (v.sort_order !== undefined) body.sort_order = Number(v.sort_order);
      return api.post('credit-types', body, { key });
    }, { submit: 'Add credit type' });
    if (done) { await drawTypes(); status.say(`${done.name} added.`); }
  }

  ctx.main.append(
    h('h1', 'Settings'),
    h('p.sub', 'Your name, colour and logo on the sign-in page and in the header: ', h('a', { href: '#/admin/branding' }, 'Brand'), '.'),
    status.el,
    settingsForm,
    h('h2', 'Credit types'),
    h('div.toolbar', h('button.primary', { type: 'button', onclick: addType }, 'Add credit type')),
    typesBox);
  await drawTypes();
}
