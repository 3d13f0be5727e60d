// My account (#/account, every signed-in role, from the user area beside
// "Sign out"): who you are signed in as, and changing your password (POST
// /me/password {current_password, new_password}: 204, this session stays
// and every other one ends; 422 names the field that is wrong), and whether
// two-factor authentication is on, with the way to the Security page
// (page-security.js) that turns it on and off. Each part is a section.
import { api } from './api.js';
import { h, clear, field, input, form, notice } from './ui.js';
import { newPasswordFields, checkNewPassword } from './password.js';

const ROLES = { owner: 'Owner', technician: 'Technician', staff: 'Staff', admin: 'Admin' };

const T = {
  title: 'My account',
  email: 'E-mail', role: 'Role',
  password: 'Change password',
  passwordIntro: 'Your other devices and browsers are signed out; this one stays signed in.',
  current: 'Current password',
  save: 'Change password',
  changed: 'Your password is changed. Everywhere else you were signed in, you are signed out now.',
  twoFactor: 'Two-factor authentication',
  on: 'It is on: you sign in with your password and a code from your app.',
  off: 'It is off: you sign in with your password alone.',
  manage: 'Turn it on or off, or get new recovery codes, on the Security page',
};

function twoFactorSection(me) {
  return h('section.account-part', { 'aria-labelledby': 'account-two-factor' },
    h('h2#account-two-factor', T.twoFactor),
    h('p', me.totp_enabled ? T.on : T.off),
    h('p', h('a', { href: '#/security' }, T.manage)));
}

function passwordSection(me) {
  const said = h('div.flash', { tabindex: '-1' });
  // For password managers: the account the new password belongs to.
  const user = input('username', { type: 'email', autocomplete: 'username', value: me.email, hidden: true, readonly: true });
  const f = form([
    user,
    field(T.current, input('current_password', { type: 'password', autocomplete: 'current-password', required: true })),
    ...newPasswordFields('new_password'),
  ], async (v) => {
    const body = { current_password: v.current_password || '', new_password: checkNewPassword(v, 'new_password') };
    await api.post('me/password', body);
    f.reset();
    clear(said, notice(T.changed, 'ok'));
    said.focus();
  }, { submit: T.save, cls: 'password-form' });
  return h('section.account-part', { 'aria-labelledby': 'account-password' },
    h('h2#account-password', T.password), h('p.sub', T.passwordIntro), said, f);
}

export default async function render(ctx) {
  const { main, me } = ctx;
  clear(main,
    h('h1', T.title),
    h('dl.facts',
      h('dt', T.email), h('dd', me.email),
      h('dt', T.role), h('dd', ROLES[me.role] || me.role)),
    passwordSection(me),
    twoFactorSection(me));
}
