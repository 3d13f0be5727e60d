// Choose a new password (#/reset/:token, the link of a reset mail): the new
// password twice, checked here first (password.js), then POST
// /auth/password-reset/confirm {token, password}. 204: the sign-in form,
// saying so (every session of the user has ended); 400 invalid_token: the
// link is used, expired or replaced by a newer one, so offer a new one;
// 422: the rule broken, by the field (the link stays usable).
import { api, ApiError } from './api.js';
import { h, clear, form, notice } from './ui.js';
import { newPasswordFields, checkNewPassword } from './password.js';
import { t } from './i18n.js';

export default async function render(ctx) {
  const { main, params } = ctx;
  const fields = newPasswordFields('password');
  const f = form(fields, async (v) => {
    const password = checkNewPassword(v, 'password');
    try {
      await api.post('auth/password-reset/confirm', { token: params.token, password });
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 'invalid_token') throw e;
      const title = h('h1', { tabindex: '-1' }, t('app.page.reset'));
      clear(main, title, notice(t('access.reset_dead'), 'error'),
        h('p', h('a.button.primary', { href: '#/forgot' }, t('access.reset_ask'))),
        h('p.login-links', h('a', { href: '#/login' }, t('access.back'))));
      title.focus();
      return;
    }
    ctx.signIn(t('access.reset_done'));
  }, { submit: t('access.reset_save'), cls: 'login-form' });
  clear(main, h('h1', t('app.page.reset')), h('p.sub', t('access.reset_intro')), f,
    h('p.login-links', h('a', { href: '#/login' }, t('access.back'))));
  f.querySelector('input').focus();
}
