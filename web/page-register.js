// Signing up (#/register, linked from the sign-in page when the business
// takes sign-ups: GET /auth/registration): the business, its owner and a
// password (POST /auth/register, always 202 with the same answer; 403
// registration_closed; 429 with the wait). The owner then confirms the
// e-mail by the mailed link (page-verify.js); with "approval" the business
// approves the customer before it can order.
import { api, ApiError } from './api.js';
import { h, clear, field, input, select, form, notice } from './ui.js';
import { newPasswordFields, checkNewPassword, sentence } from './password.js';
import { waitText } from './fmt.js';
import { LANGUAGES } from './notify.js';

const T = {
  title: 'Create an account',
  intro: (b) => `Open a customer account with ${b}: buy credits and place orders.`,
  approval: (b) => `${b} checks new accounts: you can order once they approve yours.`,
  closed: (b) => `${b} does not take sign-ups here. Ask them to invite you.`,
  business: 'Business name', name: 'Your name', optional: 'Optional.',
  email: 'E-mail', emailHint: 'You sign in with it; we send a link to confirm it.',
  country: 'Country', countryHint: 'Optional: ISO code, two letters (DE, AT, …), for invoices.',
  vat: 'VAT ID', language: 'Language of mails',
  create: 'Create account',
  back: 'Back to sign in',
  wait: (s) => `Too many sign-ups from this address. Try again in ${waitText(s)}.`,
};

export default async function render(ctx) {
  const { main } = ctx;
  const { mode, business } = await api.get('auth/registration');
  const back = h('p.login-links', h('a', { href: '#/login' }, T.back));
  if (mode === 'off') { clear(main, h('h1', T.title), notice(T.closed(business), 'info'), back); return; }
  const said = h('div.flash', { tabindex: '-1' });
  const f = form([
    field(T.business, input('business_name', { autocomplete: 'organization', required: true, maxlength: 200 })),
    field(T.name, input('name', { autocomplete: 'name', maxlength: 200 }), T.optional),
    field(T.email, input('email', { type: 'email', autocomplete: 'username', required: true }), T.emailHint),
    ...newPasswordFields('password', { label: 'Password', repeat: 'Password again' }),
    field(T.country, input('country', { autocomplete: 'country', maxlength: 2 }), T.countryHint),
    field(T.vat, input('vat_id', { autocomplete: 'off', maxlength: 32 }), T.optional),
    field(T.language, select('locale', LANGUAGES)),
  ], async (v) => {
    const body = {
      business_name: (v.business_name || '').trim(), email: (v.email || '').trim().toLowerCase(),
      password: checkNewPassword(v, 'password'),
    };
    if (v.name) body.name = v.name.trim();
    if (v.country) body.country = v.country.trim().toUpperCase();
    if (v.vat_id) body.vat_id = v.vat_id.trim();
    if (v.locale) body.locale = v.locale;
    let r;
    try {
      r = await api.post('auth/register', body);
    } catch (e) {
      if (e instanceof ApiError && e.status === 429 && e.retryAfter) throw new ApiError(429, { detail: T.wait(e.retryAfter) });
      throw e;
    }
    f.hidden = true;
    clear(said, notice(sentence(r?.message), 'ok'));
    said.focus();
  }, { submit: T.create, cls: 'login-form' });
  clear(main, h('h1', T.title), h('p.sub', T.intro(business)),
    mode === 'approval' ? h('p.sub', T.approval(business)) : null,
    said, f, back);
  f.querySelector('input').focus();
}
