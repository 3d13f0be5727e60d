// Choosing a new password (a reset link, My account; invitations and
// registration later): the fields, and the rules the page checks before
// asking the server (at least 12 characters, typed the same twice). A
// failed check looks like the API's 422, so ui.showErrors puts the message
// by its field. The server checks the rest (common passwords, the e-mail).
// Also what the signed-out pages share: a wait in words. The words are
// access.* of the catalogues.
import { ApiError } from './api.js';
import { field, input } from './ui.js';
import { t, tn } from './i18n.js';

export const PASSWORD_MIN = 12;

// The new password (named `name`) and its repeat (`${name}_repeat`).
export function newPasswordFields(name = 'password', { label = t('access.new_password'), repeat = t('access.new_password_again') } = {}) {
  return [
    field(label, input(name, { type: 'password', autocomplete: 'new-password', required: true }), t('access.password_hint', { min: PASSWORD_MIN })),
    field(repeat, input(`${name}_repeat`, { type: 'password', autocomplete: 'new-password', required: true })),
  ];
}

// The new password of values v, or a 422 naming the field that is wrong.
export function checkNewPassword(v, name = 'password') {
  const password = v[name] || '';
  let error = null;
  if ([...password].length < PASSWORD_MIN) error = { field: name, message: t('access.password_short', { min: PASSWORD_MIN }) };
  else if ((v[`${name}_repeat`] || '') !== password) error = { field: `${name}_repeat`, message: t('access.password_differ') };
  if (error) throw new ApiError(422, { code: 'validation_failed', detail: error.message, field: error.field, errors: [error] });
  return password;
}

// A wait in words (a 429's Retry-After): 90 → "2 minutes", 30 → "30
// seconds"; rounded up, never "0".
export function waitWords(seconds) {
  const s = Math.max(1, Math.ceil(Number(seconds)));
  if (s < 60) return tn('access.seconds', s);
  return tn('access.minutes', Math.ceil(s / 60));
}
