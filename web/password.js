// Choosing a new password (a reset link, My account; invitations and
// registration later): the fields, and the rules the page checks before
// asking the server (at least 12 characters, typed the same twice). A
// failed check looks like the API's 422, so ui.showErrors puts the message
// by its field. The server checks the rest (common passwords, the e-mail).
import { ApiError } from './api.js';
import { field, input } from './ui.js';

export const PASSWORD_MIN = 12;

const T = {
  hint: `At least ${PASSWORD_MIN} characters. A few words you will remember make a good one.`,
  short: `must be at least ${PASSWORD_MIN} characters`,
  differ: 'is not the same as the new password',
};

// The new password (named `name`) and its repeat (`${name}_repeat`).
export function newPasswordFields(name = 'password', { label = 'New password', repeat = 'New password again' } = {}) {
  return [
    field(label, input(name, { type: 'password', autocomplete: 'new-password', required: true }), T.hint),
    field(repeat, input(`${name}_repeat`, { type: 'password', autocomplete: 'new-password', required: true })),
  ];
}

// The new password of values v, or a 422 naming the field that is wrong.
export function checkNewPassword(v, name = 'password') {
  const password = v[name] || '';
  let error = null;
  if ([...password].length < PASSWORD_MIN) error = { field: name, message: T.short };
  else if ((v[`${name}_repeat`] || '') !== password) error = { field: `${name}_repeat`, message: T.differ };
  if (error) throw new ApiError(422, { code: 'validation_failed', detail: error.message, field: error.field, errors: [error] });
  return password;
}

// "if this e-mail has an account, …" → "If this e-mail has an account, ….":
// the API's messages as sentences.
export function sentence(text) {
  const s = String(text || '').trim();
  if (!s) return s;
  return `${s[0].toUpperCase()}${s.slice(1)}${/[.!?]$/.test(s) ? '' : '.'}`;
}
