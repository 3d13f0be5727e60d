// My account (#/account, every signed-in role, from the user area beside
// "Sign out"): who you are signed in as, and changing your password (POST
// /me/password {current_password, new_password}: 204, this session stays
// and every other one ends; 422 names the field that is wrong), and whether
// two-factor authentication is on, with the way to the Security page
// (page-security.js) that turns it on and off; the language of the portal
// and of the user's mails (PATCH /me {language}). Each part is a section.
import { api } from './api.js';
import { h, clear, field, input, select, form, notice } from './ui.js';
import { t, LANGUAGES, language } from './i18n.js';
import { newPasswordFields, checkNewPassword } from './password.js';

function twoFactorSection(me) {
  return h('section.account-part', { 'aria-labelledby': 'account-two-factor' },
    h('h2#account-two-factor', t('account.two_factor')),
    h('p', me.totp_enabled ? t('account.on') : t('account.off')),
    h('p', h('a', { href: '#/security' }, t('account.manage'))));
}

function passwordSection(me) {
  const said = h('div.flash', { tabindex: '-1' });
  // For password managers: the account the new password belongs to.
  const user = input('username', { type: 'email', autocomplete: 'username', value: me.email, hidden: true, readonly: true });
  const f = form([
    user,
    field(t('account.current'), input('current_password', { type: 'password', autocomplete: 'current-password', required: true })),
    ...newPasswordFields('new_password'),
  ], async (v) => {
    const body = { current_password: v.current_password || '', new_password: checkNewPassword(v, 'new_password') };
    await api.post('me/password', body);
    f.reset();
    clear(said, notice(t('account.changed'), 'ok'));
    said.focus();
  }, { submit: t('account.save'), cls: 'password-form' });
  return h('section.account-part', { 'aria-labelledby': 'account-password' },
    h('h2#account-password', t('account.password')), h('p.sub', t('account.password_intro')), said, f);
}

const SAVED = 'creditd.account.language-saved';

function languageSection(me) {
  const said = h('div.flash', { tabindex: '-1' });
  let saved = null;
  try { saved = sessionStorage.getItem(SAVED); sessionStorage.removeItem(SAVED); } catch { /* private mode */ }
  if (saved) {
    const name = LANGUAGES.find((l) => l.code === language())?.name;
    said.append(notice(t('account.language_saved', { language: name }), 'ok'));
  }
  const business = LANGUAGES.find((l) => l.code === me.tenant?.language)?.name || 'English';
  const choice = select('language', [
    ['', t('account.language_business', { language: business })],
    ...LANGUAGES.map((l) => [l.code, l.name]),
  ]);
  choice.value = me.language || '';
  // Each language's name is written in that language.
  for (const o of choice.options) if (o.value) o.lang = o.value;
  const f = form([field(t('account.language'), choice)], async (v) => {
    await api.patch('me', { language: v.language || '' });
    // The whole portal again, in the new language (app.js reads GET /me),
    // and this page says it was saved.
    try { sessionStorage.setItem(SAVED, '1'); } catch { /* private mode */ }
    window.dispatchEvent(new CustomEvent('creditd:me-changed'));
  }, { submit: t('account.language_save'), cls: 'language-form' });
  return h('section.account-part', { 'aria-labelledby': 'account-language' },
    h('h2#account-language', t('account.language')), h('p.sub', t('account.language_intro')), said, f);
}

export default async function render(ctx) {
  const { main, me } = ctx;
  clear(main,
    h('h1', t('app.page.account')),
    h('dl.facts',
      h('dt', t('account.email')), h('dd', me.email),
      h('dt', t('account.role')), h('dd', t(`account.role.${me.role}`))),
    languageSection(me),
    passwordSection(me),
    twoFactorSection(me));
}
