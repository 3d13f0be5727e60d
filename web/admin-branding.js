// Brand (#/admin/branding, admins only; linked from Settings): the name the
// portal shows, the accent colour of buttons and links (a colour picker and
// its #rrggbb text, with the contrast white text has on it), and the logo
// (upload or replace with a preview first, remove). A preview shows the
// sign-in card with the choices before they are saved.
// GET/PATCH /branding, PUT/DELETE /branding/logo.
import { api, newKey, ApiError } from './api.js';
import { h, clear, field, input, form, dialog } from './ui.js';
import { flash } from './admin-lib.js';
import { applyBranding, contrastWithWhite } from './branding.js';

const T = {
  title: 'Brand',
  intro: 'Your name, colour and logo on the sign-in page, in the portal\u2019s header and in the browser tab.',
  name: 'Display name',
  nameHint: (n) => `Shown on the sign-in page and in every tab. Empty: the business name from Settings (${n}).`,
  colour: 'Accent colour',
  colourText: 'Accent colour as #rrggbb',
  colourHint: 'Buttons and links. White text on it needs a contrast of at least 4.5:1.',
  save: 'Save name and colour',
  saved: 'Name and colour saved.',
  nothing: 'Nothing changed.',
  logo: 'Logo',
  noLogo: 'No logo yet: the sign-in page shows the name alone.',
  file: 'Logo file',
  fileHint: 'PNG, JPEG or SVG, at most 512 KiB and 4096 pixels a side. It is also the tab\u2019s icon.',
  upload: 'Upload logo',
  replace: 'Replace logo',
  uploaded: 'Logo saved.',
  remove: 'Remove logo',
  removeAsk: 'Remove the logo? The sign-in page and the header then show the name alone.',
  removed: 'Logo removed.',
  choose: 'Choose a file first.',
  preview: 'Preview',
  previewButton: 'Sign in',
  contrast: (r) => `White text on it: ${r.toFixed(2)}:1${r >= 4.5 ? ', readable.' : ' \u2014 too light: choose a darker colour (4.5:1 needed).'}`,
  notColour: 'Write the colour as # and six hexadecimal digits, e.g. #1d4ed8.',
  size: (l) => (l.type === 'image/svg+xml' ? `SVG, ${kib(l.bytes)}` : `${l.type === 'image/png' ? 'PNG' : 'JPEG'}, ${l.width} \u00d7 ${l.height} px, ${kib(l.bytes)}`),
};

function kib(bytes) { return `${Math.max(1, Math.round(bytes / 1024))} KiB`; }

export default async function render(ctx) {
  const status = flash();
  let brand = await api.get('branding');
  const settings = await api.get('settings');

  // The preview: a small sign-in card with the colour on its button.
  const previewLogo = h('span.preview-logo');
  const previewName = h('span.brand-name');
  const previewButton = h('span.button.primary', { 'aria-hidden': 'true' }, T.previewButton);
  const previewLink = h('span.preview-link', 'Forgot your password?');
  const preview = h('div.brand-preview', { role: 'img', 'aria-label': 'Preview of the sign-in card' },
    h('span.brand-mark', previewLogo, previewName), h('span.preview-card', previewButton, previewLink));

  const name = input('display_name', { value: brand.display_name_set ? brand.display_name : '', placeholder: settings.name, autocomplete: 'organization', maxlength: 200 });
  const picker = h('input', { type: 'color', value: brand.accent_color, 'aria-label': T.colour });
  const text = input('accent_color', { value: brand.accent_color, autocomplete: 'off', maxlength: 7, spellcheck: false });
  const contrast = h('p.hint.contrast', { 'aria-live': 'polite' });

  function showColour(value) {
    const r = contrastWithWhite(value);
    contrast.textContent = r === null ? T.notColour : T.contrast(r);
    contrast.classList.toggle('bad', r === null || r < 4.5);
    if (r !== null) {
      preview.style.setProperty('--accent', value);
      preview.style.setProperty('--accent-hover', value);
    }
  }
  function showName() { previewName.textContent = name.value.trim() || settings.name; }
  function showLogo(src) { clear(previewLogo, src ? h('img.brand-logo', { src, alt: '' }) : null); }
  picker.addEventListener('input', () => { text.value = picker.value; showColour(picker.value); });
  text.addEventListener('input', () => {
    if (/^#[0-9a-fA-F]{6}$/.test(text.value)) picker.value = text.value.toLowerCase();
    showColour(text.value);
  });
  name.addEventListener('input', showName);

  // The text box is the field's input; the picker sits before it in a row.
  const colourField = field(T.colourText, text, T.colourHint);
  const row = h('div.colour-row');
  text.replaceWith(row);
  row.append(picker, text);
  const textsForm = form([
    field(T.name, name, T.nameHint(settings.name)),
    colourField,
    contrast,
  ], async (v) => {
    const body = {};
    const wanted = (v.display_name || '').trim();
    if (wanted !== (brand.display_name_set ? brand.display_name : '')) body.display_name = wanted || null;
    const colour = (v.accent_color || '').trim().toLowerCase();
    if (colour !== brand.accent_color) body.accent_color = colour;
    if (!Object.keys(body).length) { status.say(T.nothing, 'info'); return; }
    brand = await api.patch('branding', body, { key: newKey() });
    applyBranding(brand);
    status.say(T.saved);
  }, { submit: T.save, cls: 'branding-form' });

  // The logo: what there is, a file to choose (previewed before upload).
  const current = h('div.logo-current');
  const file = input('file', { type: 'file', accept: 'image/png,image/jpeg,image/svg+xml' });
  const removeButton = h('button.danger', { type: 'button', onclick: removeLogo }, T.remove);
  file.addEventListener('change', () => {
    const f = file.files[0];
    if (!f) { showLogo(brand.logo_url); return; }
    // A data: address: the portal's policy allows data: images, not blob:.
    const reader = new FileReader();
    reader.onload = () => showLogo(reader.result);
    reader.readAsDataURL(f);
  });
  const logoForm = form([field(T.file, file, T.fileHint)], async (v) => {
    if (!v.file) throw new ApiError(422, { code: 'validation_failed', detail: T.choose, field: 'file' });
    brand = await api.upload('branding/logo', v.file, { method: 'PUT' });
    applyBranding(brand);
    file.value = '';
    drawLogo();
    status.say(T.uploaded);
  }, { submit: brand.logo_url ? T.replace : T.upload, cls: 'logo-form' });
  logoForm.querySelector('.actions').append(removeButton);

  function drawLogo() {
    clear(current, brand.logo_url
      ? h('figure.logo-figure', h('img.logo-shown', { src: brand.logo_url, alt: `Current logo of ${brand.display_name}` }),
        h('figcaption.hint', T.size(brand.logo)))
      : h('p.hint', T.noLogo));
    removeButton.hidden = !brand.logo_url;
    logoForm.querySelector('button[type="submit"]').textContent = brand.logo_url ? T.replace : T.upload;
    showLogo(brand.logo_url);
  }

  async function removeLogo() {
    const done = await dialog(T.remove, [h('p', T.removeAsk)], () => api.del('branding/logo'), { submit: T.remove });
    if (!done) return;
    brand = done;
    applyBranding(brand);
    drawLogo();
    status.say(T.removed);
  }

  ctx.main.append(
    h('h1', T.title),
    h('p.sub', T.intro),
    status.el,
    h('div.branding-layout',
      h('div',
        textsForm,
        h('h2', T.logo),
        current,
        logoForm),
      h('aside.branding-preview', { 'aria-labelledby': 'brand-preview-title' },
        h('h2#brand-preview-title', T.preview), preview)));
  showColour(brand.accent_color);
  showName();
  drawLogo();
}
