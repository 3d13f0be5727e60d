// Signing up (#/register, linked from the sign-in page when the business
// takes sign-ups: GET /auth/registration): the business, its owner and a
// password (POST /auth/register, always 202 with the same answer, said in
// the page's words; 403 registration_closed; 429 with the wait). The owner
// then confirms the e-mail by the mailed link (page-verify.js); with
// "approval" the business approves the customer before it can order.
import { api, ApiError } from './api.js';
import { h, clear, field, input, select, form, notice } from './ui.js';
import { newPasswordFields, checkNewPassword, waitWords } from './password.js';
import { t } from './i18n.js';
import { mailLanguages } from './notify.js';

export default async function render(ctx) {
  const { main } = ctx;
  const { mode, business } = await api.get('auth/registration');
  const back = h('p.login-links', h('a', { href: '#/login' }, t('access.back')));
  if (mode === 'off') { clear(main, h('h1', t('app.page.register')), notice(t('access.register_closed', { business }), 'info'), back); return; }
  const said = h('div.flash', { tabindex: '-1' });
  const f = form([
    field(t('access.register_business'), input('business_name', { autocomplete: 'organization', required: true, maxlength: 200 })),
    field(t('access.your_name'), input('name', { autocomplete: 'name', maxlength: 200 }), t('access.optional')),
    field(t('access.email'), input('email', { type: 'email', autocomplete: 'username', required: true }), t('access.register_email_hint')),
    ...newPasswordFields('password', { label: t('access.password'), repeat: t('access.password_again') }),
    field(t('access.register_country'), input('country', { autocomplete: 'country', maxlength: 2 }), t('access.register_country_hint')),
    field(t('access.register_vat'), input('vat_id', { autocomplete: 'off', maxlength: 32 }), t('access.optional')),
    field(t('access.register_language'), select('locale', mailLanguages())),
  ], async (v) => {
    const body = {
      business_name: (v.business_name || '').trim(), email: (v.email || '').trim().toLowerCase(),
      password: checkNewPassword(v, 'password'),
    };
    if (v.name) body.name = v.name.trim();
    if (v.country) body.country = v.country.trim().toUpperCase();
    if (v.vat_id) body.vat_id = v.vat_id.trim();
    if (v.locale) body.locale = v.locale;
    try {
      await api.post('auth/register', body);
    } catch (e) {
      if (e instanceof ApiError && e.status === 429 && e.retryAfter) throw new ApiError(429, { detail: t('access.register_wait', { wait: waitWords(e.retryAfter) }) });
      throw e;
    }
    f.hidden = true;
    clear(said, notice(t('access.register_sent'), 'ok'));
    said.focus();
  }, { submit: t('access.register_create'), cls: 'login-form' });
  clear(main, h('h1', t('app.page.register')), h('p.sub', t('access.register_intro', { business })),
    mode === 'approval' ? h('p.sub', t('access.register_approval', { business })) : null,
    said, f, back);
  f.querySelector('input').focus();
}
