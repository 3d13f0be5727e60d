// Security (#/security, every signed-in user, from the user menu): two-factor
// authentication. Turning it on: POST /me/totp gives a secret, shown as a QR
// code of its otpauth:// URI (drawn here by qr.js) and as text; a code of
// the app confirms it (POST /me/totp/confirm) and the ten recovery codes are
// shown once. Turning it off and new recovery codes take the password and a
// code (POST /me/totp/disable, /me/totp/recovery-codes).
import { api } from './api.js';
import { h, clear, field, input, form, notice, dialog } from './ui.js';
import { qrSvg } from './qr.js';
import { t } from './i18n.js';

// The recovery codes, shown once, with the words that they will not be again.
function recoveryCodes(codes, done) {
  const box = h('section.secret-once', { 'aria-labelledby': 'codes-title', tabindex: '-1' },
    h('h3#codes-title', t('security.codes_title')),
    h('p', t('security.codes_intro')),
    h('ol.recovery-codes', codes.map((c) => h('li', h('code', c)))),
    h('div.actions', h('button', { type: 'button', onclick: () => done() }, t('security.stored'))));
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
    const start = h('button.primary', { type: 'button' }, t('security.turn_on'));
    start.addEventListener('click', async () => {
      start.disabled = true;
      try {
        drawEnrol(await api.post('me/totp'));
      } catch (e) {
        start.disabled = false;
        say(e.message, 'error');
      }
    });
    clear(box, h('p', t('security.is_off')), h('p.sub', t('security.intro')), start);
  }

  function drawEnrol(enrolment) {
    let picture;
    try {
      picture = qrSvg(enrolment.otpauth_uri, { label: t('security.qr_label'), size: 220 });
    } catch {
      picture = null; // too long for a QR code of ours: the key as text still works
    }
    const f = form([field(t('security.code'), codeInput(), t('security.code_hint'))], async (v) => {
      const r = await api.post('me/totp/confirm', { code: (v.code || '').trim() });
      on = true;
      clear(box, recoveryCodes(r.recovery_codes, () => { drawOn(); say(t('security.is_on')); changed(); }));
      box.querySelector('.secret-once').focus();
    }, { submit: t('security.confirm'), cls: 'totp-confirm' });
    f.querySelector('.actions').prepend(h('button', { type: 'button', onclick: drawOff }, t('security.cancel')));
    clear(box,
      picture ? h('p', t('security.scan')) : null,
      picture ? h('div.qr-box', picture) : null,
      h('p', t('security.or_type')), h('p', h('code.totp-secret', { 'aria-label': t('security.secret_key') }, enrolment.secret)),
      f);
    f.querySelector('input').focus();
  }

  function drawOn() {
    const off = form([
      field(t('security.password'), input('password', { type: 'password', autocomplete: 'current-password', required: true })),
      field(t('security.any_code'), codeInput()),
    ], async (v) => {
      await api.post('me/totp/disable', { password: v.password || '', code: (v.code || '').trim() });
      on = false;
      drawOff();
      say(t('security.is_off'));
      changed();
    }, { submit: t('security.turn_off'), cls: 'totp-off' });
    const renew = h('button', { type: 'button' }, t('security.new_codes'));
    renew.addEventListener('click', async () => {
      let codes = null;
      await dialog(t('security.new_codes'), [
        field(t('security.password'), input('password', { type: 'password', autocomplete: 'current-password', required: true })),
        field(t('security.any_code'), codeInput()),
      ], async (v) => {
        codes = (await api.post('me/totp/recovery-codes', { password: v.password || '', code: (v.code || '').trim() })).recovery_codes;
      }, { submit: t('security.new_codes') });
      if (codes) {
        clear(box, recoveryCodes(codes, drawOn));
        box.querySelector('.secret-once').focus();
        say(t('security.new_codes_done'));
      }
    });
    clear(box, h('p', t('security.is_on')), h('p.sub', t('security.off_intro')), off, h('div.toolbar', renew));
  }

  main.append(...[h('h1', t('app.page.security')), status,
    me.totp_enrolment_required ? notice(t('security.required'), 'warn') : null,
    h('section', { 'aria-labelledby': 'totp-title' }, h('h2#totp-title', t('security.two_factor')), box)].filter(Boolean));
  if (on) drawOn(); else drawOff();
}
