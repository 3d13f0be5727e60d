// Settings (#/admin/settings, admins only): the business (name, currency,
// zone, language and locale, VAT, invoices, seller details, bank details and
// payment terms, charging, files, sign-ups)
// and its credit types (name, unit value, order, the spendable switch; add
// a type).
// GET/PATCH /settings, GET/POST /credit-types, PATCH /credit-types/{code}.
import { api, newKey } from './api.js';
import { h, clear, table, field, input, select, textarea, form, dialog, loading, notice } from './ui.js';
import { amount, money, setTenant, getTenant, locale } from './fmt.js';
import { creditTypes, forgetCreditTypes, checkbox, need, flash } from './admin-lib.js';
import { CURRENCIES, COUNTRIES } from './iso.js';
import { t, known, LANGUAGES } from './i18n.js';

const NUMBERS = ['refund_validity_days', 'file_retention_days', 'duplicate_window_hours', 'payment_terms_days'];
// The business's language is its locale's (GET /settings `language`);
// choosing a language sets the locale to its usual one.
const LOCALE_OF = { en: 'en-IE', de: 'de-DE' };

// IANA time zones as the browser knows them (Intl.supportedValuesOf).
function zones() {
  try { return Intl.supportedValuesOf('timeZone'); } catch { return []; }
}

// A select of codes, each named in the reader's language where Intl knows
// it ("EUR — Euro", "DE — Germany"); the current value is kept even if the
// list lacks it; blank: a first choice for "none".
function codeSelect(name, codes, value, kind, blank) {
  let names = null;
  try { names = kind ? new Intl.DisplayNames([locale(), 'en'], { type: kind }) : null; } catch { names = null; }
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
  const chargeOn = select('charge_on', [['submit', t('settings.charge_submit')], ['delivery', t('settings.charge_delivery')]]);
  chargeOn.value = s.charge_on;
  const grant = select('manual_grant', [['payment', t('settings.grant_payment')], ['invoice', t('settings.grant_invoice')]]);
  grant.value = s.manual_grant;
  const signUps = select('registration', [['off', t('settings.registration_off')], ['open', t('settings.registration_open')],
    ['approval', t('settings.registration_approval')]]);
  signUps.value = s.registration || 'off';
  const text = (name, attrs = {}) => input(name, { value: s[name] ?? '', autocomplete: 'off', ...attrs });
  // The language (the choices of web/i18n.js) sets the locale to the
  // language's usual one unless the locale is of that language already.
  const localeInput = text('locale');
  const lang = select('language', LANGUAGES.map((l) => [l.code, l.name]));
  if (s.language && !LANGUAGES.some((l) => l.code === s.language)) lang.append(h('option', { value: s.language }, s.language));
  lang.value = s.language || known(s.locale) || 'en';
  lang.addEventListener('change', () => {
    if (known(localeInput.value) !== lang.value) localeInput.value = LOCALE_OF[lang.value] || lang.value;
  });
  return [
    h('fieldset', h('legend', t('settings.business')),
      field(t('settings.name'), text('name')),
      field(t('settings.currency'), codeSelect('currency', CURRENCIES, s.currency, 'currency')),
      field(t('settings.timezone'), codeSelect('timezone', zones(), s.timezone), t('settings.timezone_hint')),
      field(t('settings.language'), lang, t('settings.language_hint')),
      field(t('settings.locale'), localeInput, t('settings.locale_hint'))),
    h('fieldset', h('legend', t('settings.invoices')),
      field(t('settings.vat_rate'), text('vat_rate', { inputmode: 'decimal' })),
      field(t('settings.invoice_prefix'), text('invoice_prefix', { maxlength: 16 })),
      field(t('settings.country'), codeSelect('country', COUNTRIES, s.country, 'region', t('settings.country_none')), t('settings.country_hint')),
      field(t('settings.vat_id'), text('vat_id', { maxlength: 32 })),
      field(t('settings.seller_address'), textarea('seller_address', { rows: 3, value: s.seller_address || '' })),
      field(t('settings.grant'), grant)),
    h('fieldset.bank', h('legend', t('settings.bank')),
      s.bank_iban ? null : notice(t('settings.bank_missing'), 'warn'),
      field(t('settings.holder'), text('bank_account_holder', { maxlength: 70 }), t('settings.holder_hint')),
      field(t('settings.iban'), input('bank_iban', { value: s.bank_iban_display || '', autocomplete: 'off', spellcheck: 'false', maxlength: 42 }),
        t('settings.iban_hint')),
      field(t('settings.bic'), text('bank_bic', { maxlength: 11, spellcheck: 'false' }), t('settings.bic_hint')),
      field(t('settings.terms'), text('payment_terms_days', { type: 'number', min: 0, max: 365 }), t('settings.terms_hint')),
      field(t('settings.credit_note_prefix'), text('credit_note_prefix', { maxlength: 10 }), t('settings.credit_note_prefix_hint'))),
    h('fieldset', h('legend', t('settings.sign_in')),
      field(t('settings.totp'), checkbox('totp_required', Boolean(s.totp_required)), t('settings.totp_hint'))),
    h('fieldset', h('legend', t('settings.orders_credits')),
      field(t('settings.charge_on'), chargeOn),
      field(t('settings.refund_days'), text('refund_validity_days', { type: 'number', min: 1, max: 3660 })),
      field(t('settings.retention'), text('file_retention_days', { type: 'number', min: 0, max: 3660 }), t('settings.retention_hint')),
      field(t('settings.duplicate'), text('duplicate_window_hours', { type: 'number', min: 0, max: 8760 }), t('settings.duplicate_hint'))),
    h('fieldset', h('legend', t('settings.new_customers')),
      field(t('settings.registration'), signUps, t('settings.registration_hint'))),
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
      // The language is no setting of its own: it is the locale's.
      if (k === 'language' || !mine.has(k) || (!(k in v) && typeof old !== 'string')) continue;
      const now = NUMBERS.includes(k) ? Number(v[k]) : (v[k] ?? '');
      const same = k === 'bank_iban' ? String(now).replace(/\s+/g, '').toUpperCase() === old : String(now) === String(old ?? '');
      if (!same) body[k] = now;
    }
    if (!Object.keys(body).length) { status.say(t('settings.nothing'), 'info'); return; }
    settings = await api.patch('settings', body, { key: newKey() });
    if ('bank_iban' in body || 'bank_bic' in body) {
      f.elements.bank_iban.value = settings.bank_iban_display;
      f.elements.bank_bic.value = settings.bank_bic;
    }
    setTenant({ name: settings.name, currency: settings.currency, locale: settings.locale, timezone: settings.timezone });
    if (ctx.me.tenant) Object.assign(ctx.me.tenant, getTenant());
    status.say(t('settings.saved'));
    // Requiring two factors may hold this admin back until they enrol; a new
    // locale may change the portal's language.
    if ('totp_required' in body || 'locale' in body) window.dispatchEvent(new CustomEvent('creditd:me-changed'));
  }, { submit: t('settings.save'), cls: 'settings-form' });

  async function drawTypes() {
    forgetCreditTypes();
    const types = await creditTypes();
    const list = table([
      { label: t('settings.code'), value: (c) => h('code', c.code) },
      { label: t('settings.type_name'), value: (c) => c.name },
      { label: t('settings.kind'), value: (c) => (c.kind === 'monetary' ? t('settings.kind_monetary') : t('settings.kind_unit')) },
      { label: t('settings.decimals'), num: true, value: (c) => amount(String(c.scale)) },
      { label: t('settings.value_each'), num: true, value: (c) => money(c.unit_value) },
      { label: t('settings.spendable'), value: (c) => spendSwitch(c) },
      { label: t('settings.actions'), value: (c) => h('button', { type: 'button', 'aria-label': t('settings.edit_label', { name: c.name }), onclick: () => editType(c) }, t('settings.edit')) },
    ], types.items, { caption: t('settings.types_caption') });
    list.classList.add('stack');
    clear(typesBox, list);
  }

  function spendSwitch(c) {
    const box = input(`spendable-${c.code}`, { type: 'checkbox', role: 'switch', checked: c.spendable });
    box.setAttribute('aria-label', t('settings.spendable_label', { name: c.name }));
    box.addEventListener('change', async () => {
      box.disabled = true;
      try {
        await api.patch(`credit-types/${encodeURIComponent(c.code)}`, { spendable: box.checked }, { key: newKey() });
        status.say(t(box.checked ? 'settings.spendable_again' : 'settings.spendable_no_more', { name: c.name }));
        await drawTypes();
      } catch (e) {
        box.checked = !box.checked;
        box.disabled = false;
        status.fail(e);
      }
    });
    return h('label.check', box, ` ${c.spendable ? t('settings.on') : t('settings.off')}`);
  }

  async function editType(c) {
    const key = newKey();
    const done = await dialog(t('settings.edit_label', { name: c.name }), [
      field(t('settings.type_name'), input('name', { value: c.name, autocomplete: 'off' })),
      field(t('settings.value_of_one_credit'), input('unit_value', { value: c.unit_value, inputmode: 'decimal' }), t('settings.value_hint')),
      field(t('settings.sort_order'), input('sort_order', { type: 'number', min: 0, max: 1000000, value: c.sort_order ?? 0 })),
    ], (v) => {
      need(v, ['name'], t('settings.required'));
      const body = { name: v.name.trim(), unit_value: (v.unit_value || '').trim() || '0.00' };
      if (v.sort_order !== undefined) body.sort_order = Number(v.sort_order);
      return api.patch(`credit-types/${encodeURIComponent(c.code)}`, body, { key });
    });
    if (done) { await drawTypes(); status.say(t('settings.type_saved', { name: done.name })); }
  }

  async function addType() {
    const key = newKey();
    const done = await dialog(t('settings.add_type_title'), [
      field(t('settings.code'), input('code', { autocomplete: 'off', placeholder: 'dyno' }), t('settings.code_hint')),
      field(t('settings.type_name'), input('name', { autocomplete: 'off' })),
      field(t('settings.kind'), select('kind', [['unit', t('settings.kind_unit_credits')], ['monetary', t('settings.kind_monetary')]])),
      field(t('settings.decimals'), input('scale', { type: 'number', min: 0, max: 6, value: 0 }), t('settings.decimals_hint')),
      field(t('settings.value_of_one_credit'), input('unit_value', { inputmode: 'decimal', placeholder: amount('0.00') })),
      field(t('settings.spendable'), checkbox('spendable', true)),
      field(t('settings.sort_order'), input('sort_order', { type: 'number', min: 0, max: 1000000 })),
    ], (v) => {
      need(v, ['code', 'name'], t('settings.required'));
      const body = { code: v.code.trim(), name: v.name.trim(), kind: v.kind, spendable: Boolean(v.spendable) };
      if (v.scale !== undefined) body.scale = Number(v.scale);
      if (v.unit_value) body.unit_value = v.unit_value.trim();
      if (v.sort_order !== undefined) body.sort_order = Number(v.sort_order);
      return api.post('credit-types', body, { key });
    }, { submit: t('settings.add_type') });
    if (done) { await drawTypes(); status.say(t('settings.type_added', { name: done.name })); }
  }

  // The sentence with the link in its {link} hole.
  const [before, after = ''] = t('settings.brand_intro').split('{link}');
  ctx.main.append(
    h('h1', t('app.page.settings')),
    h('p.sub', before, h('a', { href: '#/admin/branding' }, t('app.page.branding')), after),
    status.el,
    settingsForm,
    h('h2', t('settings.credit_types')),
    h('div.toolbar', h('button.primary', { type: 'button', onclick: addType }, t('settings.add_type'))),
    typesBox);
  await drawTypes();
}
