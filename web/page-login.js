// Signing in: e-mail and password; the server sets the session cookie.
import { api, setCsrf } from './api.js';
import { h, clear, field, input, form } from './ui.js';

// opts.message: said above the form (e.g. after a new password was set).
export default function login(app, done, { message } = {}) {
  const email = input('email', { type: 'email', autocomplete: 'username', required: true });
  const password = input('password', { type: 'password', autocomplete: 'current-password', required: true });
  const f = form([field('E-mail', email), field('Password', password)], async (v) => {
    const me = await api.post('auth/login', { email: v.email || '', password: v.password || '' });
    setCsrf(me.csrf_token);
    await done();
  }, { submit: 'Sign in', cls: 'login-form' });
  document.title = 'Sign in · creditd';
  const links = h('p.login-links', h('a', { href: '#/forgot' }, 'Forgot your password?'));
  clear(app, h('main#main.login', h('h1', 'Sign in'),
    message ? h('div.notice.ok', { role: 'status' }, message) : null,
    f, links));
  email.focus();
  // Whether the business takes sign-ups (GET /auth/registration).
  api.get('auth/registration').then((r) => {
    if (r.mode !== 'off') links.append(h('br'), h('a', { href: '#/register' }, 'New here? Create an account'));
  }, () => { /* no link, then */ });
}
