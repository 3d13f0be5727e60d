// Confirming an e-mail address (#/verify/:token, the link of the mail sent
// on sign-up or from the banner's "Send the link again"): POST
// /auth/verify-email at once, then on to the portal (signed in: with the
// banner gone) or to the sign-in form. A used or replaced link says so.
import { api, ApiError } from './api.js';
import { h, clear, notice, loading } from './ui.js';
import { t } from './i18n.js';

export default async function render(ctx) {
  const { main, params } = ctx;
  const title = h('h1', { tabindex: '-1' }, t('app.page.verify'));
  clear(main, title, loading(t('access.verify_working')));
  try {
    await api.post('auth/verify-email', { token: params.token });
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 'invalid_token') throw e;
    clear(main, title, notice(t('access.verify_dead'), 'error'), h('p.login-links', h('a', { href: '#/login' }, t('access.sign_in'))));
    return;
  }
  const next = ctx.me
    ? h('button.primary', { type: 'button', onclick: () => ctx.signedIn() }, t('access.continue'))
    : h('a.button.primary', { href: '#/login' }, t('access.sign_in'));
  clear(main, title, notice(t('access.verify_done'), 'ok'), h('p', next));
}
