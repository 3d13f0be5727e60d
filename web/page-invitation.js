// An invitation (#/invitation/:token, the link of an invitation mail): what
// it is for (GET /auth/invitations/{token}: the business, the customer, the
// role, who invited), then a name and a password (POST
// /auth/invitations/accept), and signing in with the invitation's e-mail
// (POST /auth/login). A link used, withdrawn or older than 7 days says so.
import { api, setCsrf, ApiError } from './api.js';
import { h, clear, field, input, form, notice } from './ui.js';
import { dateTime } from './fmt.js';
import { newPasswordFields, checkNewPassword } from './password.js';
import { ROLE_NAMES } from './invitations.js';

const T = {
  title: 'Accept your invitation',
  joins: (i) => (i.customer_name
    ? `${i.invited_by} invites you to ${i.business} as ${(ROLE_NAMES[i.role] || i.role).toLowerCase()} of ${i.customer_name}.`
    : `${i.invited_by} invites you to ${i.business} as ${(ROLE_NAMES[i.role] || i.role).toLowerCase()}.`),
  email: 'You sign in with', until: 'The link works until',
  name: 'Your name', nameHint: 'Optional.',
  choose: 'Choose the password you will sign in with.',
  accept: 'Accept and sign in',
  dead: 'This invitation no longer works: it was used, withdrawn, or sent more than 7 days ago. Ask whoever invited you for a new one.',
  signIn: 'Go to sign in',
  joined: 'Your account is ready. Sign in with your e-mail and the new password.',
};

export default async function render(ctx) {
  const { main, params } = ctx;
  const deadEnd = () => {
    const title = h('h1', { tabindex: '-1' }, T.title);
    clear(main, title, notice(T.dead, 'error'), h('p.login-links', h('a', { href: '#/login' }, T.signIn)));
    title.focus();
  };
  let inv;
  try {
    inv = await api.get(`auth/invitations/${encodeURIComponent(params.token)}`);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'invalid_token') { deadEnd(); return; }
    throw e;
  }
  const f = form([
    field(T.name, input('name', { autocomplete: 'name', value: inv.name || '', maxlength: 200 }), T.nameHint),
    // For password managers: the account the password belongs to.
    input('username', { type: 'email', autocomplete: 'username', value: inv.email, hidden: true, readonly: true }),
    h('p.hint', T.choose),
    ...newPasswordFields('password', { label: 'Password', repeat: 'Password again' }),
  ], async (v) => {
    const password = checkNewPassword(v, 'password');
    const body = { token: params.token, password };
    if (v.name) body.name = v.name.trim();
    try {
      await api.post('auth/invitations/accept', body);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'invalid_token') { deadEnd(); return; }
      throw e;
    }
    try {
      const me = await api.post('auth/login', { email: inv.email, password });
      setCsrf(me.csrf_token);
    } catch {
      ctx.signIn(T.joined); // e.g. the business requires two factors first
      return;
    }
    await ctx.signedIn();
  }, { submit: T.accept, cls: 'login-form' });
  clear(main, h('h1', T.title),
    h('p', T.joins(inv)),
    h('dl.facts', h('dt', T.email), h('dd.addr', inv.email), h('dt', T.until), h('dd', dateTime(inv.expires_at))),
    f);
  f.querySelector('input').focus();
}
