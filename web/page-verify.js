// Confirming an e-mail address (#/verify/:token, the link of the mail sent
// on sign-up or from the banner's "Send the link again"): POST
// /auth/verify-email at once, then on to the portal (signed in: with the
// banner gone) or to the sign-in form. A used or replaced link says so.
import { api, ApiError } from './api.js';
import { h, clear, notice, loading } from './ui.js';

const T = {
  title: 'Confirm your e-mail address',
  working: 'Confirming…',
  done: 'Your e-mail address is confirmed.',
  dead: 'This link no longer works: it was used already, a newer one replaced it, or it is more than 7 days old. Sign in: the page offers to send a new one.',
  go: 'Continue', signIn: 'Sign in',
};

export default async function render(ctx) {
  const { main, params } = ctx;
  const title = h('h1', { tabindex: '-1' }, T.title);
  clear(main, title, loading(T.working));
  try {
    await api.post('auth/verify-email', { token: params.token });
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 'invalid_token') throw e;
    clear(main, title, notice(T.dead, 'error'), h('p.login-links', h('a', { href: '#/login' }, T.signIn)));
    return;
  }
  const next = ctx.me
    ? h('button.primary', { type: 'button', onclick: () => ctx.signedIn() }, T.go)
    : h('a.button.primary', { href: '#/login' }, T.signIn);
  clear(main, title, notice(T.done, 'ok'), h('p', next));
}
