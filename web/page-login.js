// Signing in: e-mail and password; the server sets the session cookie. A
// user with two-factor authentication is asked for a code when the server
// answers totp_required (the password stays in the form), then the form is
// sent again with it. The page is the business's: its logo and name above a
// centred card, its accent colour on the button (branding.js).
import { api, setCsrf, ApiError } from './api.js';
import { h, clear, field, input, form } from './ui.js';
import { branding, pageTitle, signedOutFrame } from './branding.js';
import { t } from './i18n.js';

// opts.message: said above the form (e.g. after a new password was set).
export default function login(app, done, { message } = {}) {
  const email = input('email', { type: 'email', autocomplete: 'username', required: true, spellcheck: false });
  const password = input('password', { type: 'password', autocomplete: 'current-password', required: true });
  const code = input('totp', { inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 12 });
  const codeField = field(t('login.code'), code, t('login.code_hint'));
  codeField.hidden = true;
  const f = form([field(t('login.email'), email), field(t('login.password'), password), codeField], async (v) => {
    const body = { email: v.email || '', password: v.password || '' };
    if (!codeField.hidden && v.totp) body.totp = v.totp.trim();
    let me;
    try {
      me = await api.post('auth/login', body);
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 'totp_required') throw e;
      // Shown next to the code field, which gets the focus.
      codeField.hidden = false;
      code.value = '';
      throw new ApiError(e.status, { ...e.problem, field: 'totp' });
    }
    setCsrf(me.csrf_token);
    await done();
  }, { submit: t('login.submit'), cls: 'login-form' });
  pageTitle(t('login.title'));
  const forgot = h('a', { href: '#/forgot' }, t('login.forgot'));
  const links = h('div.login-links', forgot);
  const { frame, main } = signedOutFrame();
  clear(main,
    h('h1', t('login.title')),
    h('p.sub', t('login.welcome', { name: branding().display_name })),
    message ? h('div.notice.ok', { role: 'status' }, message) : null,
    f, links);
  clear(app, frame);
  email.focus();
  // Whether the business takes sign-ups (GET /auth/registration).
  api.get('auth/registration').then((r) => {
    if (r.mode !== 'off') {
      links.append(h('a.login-register', { href: '#/register' }, t('login.register')));
    }
  }, () => { /* no link, then */ });
}
