// Forgot your password (#/forgot, signed out): the e-mail of the account,
// and the server's answer, which is the same whether or not the address
// has an account (POST /auth/password-reset, always 202; 429 with
// Retry-After when this address asked too often). The mailed link opens
// #/reset/<token> (page-reset.js).
import { api, ApiError } from './api.js';
import { h, clear, field, input, form, notice } from './ui.js';
import { sentence } from './password.js';
import { waitText } from './fmt.js';

const T = {
  title: 'Forgot your password',
  intro: 'Enter the e-mail address you sign in with. We send a link to it to choose a new password.',
  email: 'E-mail',
  send: 'Send the link',
  again: 'Send another link',
  back: 'Back to sign in',
  wait: (s) => `Too many requests from this address. Try again in ${waitText(s)}.`,
  later: 'Too many requests from this address. Try again later.',
  check: 'Check your inbox, and the spam folder. Only the newest link works.',
};

export default async function render(ctx) {
  const { main } = ctx;
  const said = h('div.flash', { tabindex: '-1' });
  const email = input('email', { type: 'email', autocomplete: 'username', required: true });
  const f = form([field(T.email, email)], async (v) => {
    let r;
    try {
      r = await api.post('auth/password-reset', { email: (v.email || '').trim() });
    } catch (e) {
      if (e instanceof ApiError && e.status === 429) {
        throw new ApiError(429, { detail: e.retryAfter ? T.wait(e.retryAfter) : T.later });
      }
      throw e;
    }
    f.hidden = true;
    clear(said, notice(sentence(r?.message), 'ok'), h('p.hint', T.check),
      h('p', h('button.link', { type: 'button', onclick: () => { f.hidden = false; clear(said); email.focus(); } }, T.again)));
    said.focus();
  }, { submit: T.send, cls: 'login-form' });
  clear(main, h('h1', T.title), h('p.sub', T.intro), said, f,
    h('p.login-links', h('a', { href: '#/login' }, T.back)));
  email.focus();
}
