// Security (#/security, every signed-in user, from the user menu): two-factor
// authentication. Turning it on: POST /me/totp gives a secret, shown as a QR
// code of its otpauth:// URI (drawn here by qr.js) and as text; a code of
// the app confirms it (POST /me/totp/confirm) and the ten recovery codes are
// shown once. Turning it off and new recovery codes take the password and a
// code (POST /me/totp/disable, /me/totp/recovery-codes).
import { api } from './api.js';
import { h, clear, field, input, form, notice, dialog } from './ui.js';
import { qrSvg } from './qr.js';

const T = {
  title: 'Security',
  twoFactor: 'Two-factor authentication',
  intro: 'With two-factor authentication you sign in with your password and a code from an authenticator app on your phone (such as FreeOTP, Aegis, Google Authenticator or 1Password).',
  required: 'Your business requires two-factor authentication for its team. Turn it on to continue working.',
  isOn: 'Two-factor authentication is on.',
  isOff: 'Two-factor authentication is off.',
  turnOn: 'Turn on two-factor authentication',
  scan: 'Scan this QR code with your authenticator app:',
  qrLabel: 'QR code of the two-factor secret',
  orType: 'Or type this key into the app:',
  code: 'Authentication code',
  codeHint: 'The 6-digit code your app shows now.',
  confirm: 'Confirm and turn on',
  cancel: 'Cancel',
  codesTitle: 'Your recovery codes',
  codesIntro: 'Each code signs you in once instead of a code from the app, for when the phone is lost. Store them somewhere safe: they will not be shown again.',
  stored: 'I have stored them',
  turnOff: 'Turn off',
  offIntro: 'To turn it off, confirm with your password and a code from the app (or a recovery code).',
  password: 'Password',
  anyCode: 'Code from the app, or a recovery code',
  offDone: 'Two-factor authentication is off.',
  onDone: 'Two-factor authentication is on.',
  newCodes: 'New recovery codes',
  newCodesDone: 'New recovery codes are ready; the old ones no longer work.',
};

// The recovery codes, shown once, with the words that they will not be again.
function recoveryCodes(codes, done) {
  const box = h('section.secret-once', { 'aria-labelledby': 'codes-title', tabindex: '-1' },
    h('h3#codes-title', T.codesTitle),
    h('p', T.codesIntro),
    h('ol.recovery-codes', codes.map((c) => h('li', h('code', c)))),
    h('div.actions', h('button', { type: 'button', onclick: () => done() }, T.stored)));
  return box;
}

function codeInput(name = 'code') {
  return input(name, { inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 12, required: true });
}

export default async function render(ctx) {
  const { main, me } = ctx;
  const status = h('div.flash', { tabindex: '-1' });
  const say = (text, kind = 'ok') => { clear(status, notice(text, kind)); status.focus(); };
  const box = h('div.totp');
  let on = Boolean(me.totp_enabled);

  // 2FA state moved: the shell reads /me again (the enrolment requirement).
  const changed = () => window.dispatchEvent(new CustomEvent('creditd:me-changed'));

  function drawOff() {
    const start = h('button.primary', { type: 'button' }, T.turnOn);
    start.addEventListener('click', async () => {
      start.disabled = true;
      try {
        drawEnrol(await api.post('me/totp'));
      } catch (e) {
        start.disabled = false;
        say(e.message, 'error');
      }
    });
    clear(box, h('p', T.isOff), h('p.sub', T.intro), start);
  }

  function drawEnrol(enrolment) {
    let picture;
    try {
      picture = qrSvg(enrolment.otpauth_uri, { label: T.qrLabel, size: 220 });
    } catch {
      picture = null; // too long for a QR code of ours: the key as text still works
    }
    const f = form([field(T.code, codeInput(), T.codeHint)], async (v) => {
      const r = await api.post('me/totp/confirm', { code: (v.code || '').trim() });
      on = true;
      clear(box, recoveryCodes(r.recovery_codes, () => { drawOn(); say(T.onDone); changed(); }));
      box.querySelector('.secret-once').focus();
    }, { submit: T.confirm, cls: 'totp-confirm' });
    f.querySelector('.actions').prepend(h('button', { type: 'button', onclick: drawOff }, T.cancel));
    clear(box,
      picture ? h('p', T.scan) : null,
      picture ? h('div.qr-box', picture) : null,
      h('p', T.orType), h('p', h('code.totp-secret', { 'aria-label': 'Secret key' }, enrolment.secret)),
      f);
    f.querySelector('input').focus();
  }

  function drawOn() {
    const off = form([
      field(T.password, input('password', { type: 'password', autocomplete: 'current-password', required: true })),
      field(T.anyCode, codeInput()),
    ], async (v) => {
      await api.post('me/totp/disable', { password: v.password || '', code: (v.code || '').trim() });
      on = false;
      drawOff();
      say(T.offDone);
      changed();
    }, { submit: T.turnOff, cls: 'totp-off' });
    const renew = h('button', { type: 'button' }, T.newCodes);
    renew.addEventListener('click', async () => {
      let codes = null;
      await dialog(T.newCodes, [
        field(T.password, input('password', { type: 'password', autocomplete: 'current-password', required: true })),
        field(T.anyCode, codeInput()),
      ], async (v) => {
        codes = (await api.post('me/totp/recovery-codes', { password: v.password || '', code: (v.code || '').trim() })).recovery_codes;
      }, { submit: T.newCodes });
      if (codes) {
        clear(box, recoveryCodes(codes, drawOn));
        box.querySelector('.secret-once').focus();
        say(T.newCodesDone);
      }
    });
    clear(box, h('p', T.isOn), h('p.sub', T.offIntro), off, h('div.toolbar', renew));
  }

  main.append(...[h('h1', T.title), status,
    me.totp_enrolment_required ? notice(T.required, 'warn') : null,
    h('section', { 'aria-labelledby': 'totp-title' }, h('h2#totp-title', T.twoFactor), box)].filter(Boolean));
  if (on) drawOn(); else drawOff();
}
