// Choose a new password (#/reset/:token, the link of a reset mail): the new
// password twice, checked here first (password.js), then POST
// /auth/password-reset/confirm {token, password}. 204: the sign-in form,
// saying so (every session of the user has ended); 400 invalid_token: the
// link is used, expired or replaced by a newer one, so offer a new one;
// 422: the rule broken, by the field (the link stays usable).
import { api, ApiError } from './api.js';
import { h, clear, form, notice } from './ui.js';
import { newPasswordFields, checkNewPassword } from './password.js';

const T = {
  title: 'Choose a new password',
  intro: 'The new password replaces the old one, and every device signed in with the old one is signed out.',
  save: 'Set the new password',
  done: 'Your password is changed. Sign in with the new one.',
  dead: 'This link no longer works: a link works once and for one hour, and a newer link replaces it.',
  ask: 'Ask for a new link',
  back: 'Back to sign in',
};

export default async function render(ctx) {
  const { main, params } = ctx;
  const fields = newPasswordFields('password');
  const f = form(fields, async (v) => {
    const password = checkNewPassword(v, 'password');
    try {
      await api.post('auth/password-reset/confirm', { token: params.token, password });
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 'invalid_token') throw e;
      const title = h('h1', { tabindex: '-1' }, T.title);
      clear(main, title, notice(T.dead, 'error'),
        h('p', h('a.button.primary', { href: '#/forgot' }, T.ask)),
        h('p.login-links', h('a', { href: '#/login' }, T.back)));
      title.focus();
      return;
    }
    ctx.signIn(T.done);
  }, { submit: T.save, cls: 'login-form' });
  clear(main, h('h1', T.title), h('p.sub', T.intro), f,
    h('p.login-links', h('a', { href: '#/login' }, T.back)));
  f.querySelector('input').focus();
}
