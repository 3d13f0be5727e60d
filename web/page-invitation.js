// An invitation (#/invitation/:token, the link of an invitation mail): what
// it is for (GET /auth/invitations/{token}: the business, the customer, the
// role, who invited), then a name and a password (POST
// /auth/invitations/accept), and signing in with the invitation's e-mail
// (POST /auth/login). A link used, withdrawn or older than 7 days says so.
import { api, setCsrf, ApiError } from './api.js';
import { h, clear, field, input, form, notice } from './ui.js';
import { dateTime } from './fmt.js';
import { newPasswordFields, checkNewPassword } from './password.js';
import { t } from './i18n.js';
import { roleAs } from './invitations.js';

// Who invites whom to what: "Anna invites you to Weber as technician of …".
function joins(i) {
  const words = { who: i.invited_by, business: i.business, role: roleAs(i.role), customer: i.customer_name };
  return i.customer_name ? t('access.invitation_joins_customer', words) : t('access.invitation_joins', words);
}

export default async function render(ctx) {
  const { main, params } = ctx;
  const deadEnd = () => {
    const title = h('h1', { tabindex: '-1' }, t('app.page.invitation'));
    clear(main, title, notice(t('access.invitation_dead'), 'error'), h('p.login-links', h('a', { href: '#/login' }, t('access.go_sign_in'))));
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
    field(t('access.your_name'), input('name', { autocomplete: 'name', value: inv.name || '', maxlength: 200 }), t('access.optional')),
    // For password managers: the account the password belongs to.
    input('username', { type: 'email', autocomplete: 'username', value: inv.email, hidden: true, readonly: true }),
    h('p.hint', t('access.invitation_choose')),
    ...newPasswordFields('password', { label: t('access.password'), repeat: t('access.password_again') }),
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
      ctx.signIn(t('access.invitation_joined')); // e.g. the business requires two factors first
      return;
    }
    await ctx.signedIn();
  }, { submit: t('access.invitation_accept'), cls: 'login-form' });
  clear(main, h('h1', t('app.page.invitation')),
    h('p', joins(inv)),
    h('dl.facts', h('dt', t('access.invitation_email')), h('dd.addr', inv.email), h('dt', t('access.invitation_until')), h('dd', dateTime(inv.expires_at))),
    f);
  f.querySelector('input').focus();
}
