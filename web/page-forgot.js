// Forgot your password (#/forgot, signed out): the e-mail of the account,
// and the server's answer, said in the page's words: it is the same whether
// or not the address has an account (POST /auth/password-reset, always 202; 429 with
// Retry-After when this address asked too often). The mailed link opens
// #/reset/<token> (page-reset.js).
import { api, ApiError } from './api.js';
import { h, clear, field, input, form, notice } from './ui.js';
import { waitWords } from './password.js';
import { t } from './i18n.js';

export default async function render(ctx) {
  const { main } = ctx;
  const said = h('div.flash', { tabindex: '-1' });
  const email = input('email', { type: 'email', autocomplete: 'username', required: true });
  const f = form([field(t('access.email'), email)], async (v) => {
    try {
      await api.post('auth/password-reset', { email: (v.email || '').trim() });
    } catch (e) {
      if (e instanceof ApiError && e.status === 429) {
        throw new ApiError(429, { detail: e.retryAfter ? t('access.forgot_wait', { wait: waitWords(e.retryAfter) }) : t('access.forgot_later') });
      }
      throw e;
    }
    f.hidden = true;
    clear(said, notice(t('access.forgot_sent'), 'ok'), h('p.hint', t('access.forgot_check')),
      h('p', h('button.link', { type: 'button', onclick: () => { f.hidden = false; clear(said); email.focus(); } }, t('access.forgot_again'))));
    said.focus();
  }, { submit: t('access.forgot_send'), cls: 'login-form' });
  clear(main, h('h1', t('app.page.forgot')), h('p.sub', t('access.forgot_intro')), said, f,
    h('p.login-links', h('a', { href: '#/login' }, t('access.back'))));
  email.focus();
}
