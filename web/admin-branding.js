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
import { t, language } from './i18n.js';

// The contrast ratio as the reader writes numbers ("6.25", "6,25").
const ratio = (r) => new Intl.NumberFormat(language(), { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(r);
const TYPES = { 'image/png': 'PNG', 'image/jpeg': 'JPEG' };
const logoSize = (l) => (l.type === 'image/svg+xml'
  ? t('brand.size_svg', { size: kib(l.bytes) })
  : t('brand.size_image', { type: TYPES[l.type] || l.type, width: l.width, height: l.height, size: kib(l.bytes) }));

function kib(bytes) { return `${Math.max(1, Math.round(bytes / 1024))} KiB`; }

export default async function render(ctx) {
  const status = flash();
  let brand = await api.get('branding');
  const settings = await api.get('settings');

  // The preview: a small sign-in card with the colour on its button.
  const previewLogo = h('span.preview-logo');
  const previewName = h('span.brand-name');
  const previewButton = h('span.button.primary', { 'aria-hidden': 'true' }, t('login.submit'));
  const previewLink = h('span.preview-link', t('login.forgot'));
  const preview = h('div.brand-preview', { role: 'img', 'aria-label': t('brand.preview_label') },
    h('span.brand-mark', previewLogo, previewName), h('span.preview-card', previewButton, previewLink));

  const name = input('display_name', { value: brand.display_name_set ? brand.display_name : '', placeholder: settings.name, autocomplete: 'organization', maxlength: 200 });
  const picker = h('input', { type: 'color', value: brand.accent_color, 'aria-label': t('brand.colour') });
  const text = input('accent_color', { value: brand.accent_color, autocomplete: 'off', maxlength: 7, spellcheck: false });
  const contrast = h('p.hint.contrast', { 'aria-live': 'polite' });

  function showColour(value) {
    const r = contrastWithWhite(value);
    contrast.textContent = r === null ? t('brand.not_colour') : t(r >= 4.5 ? 'brand.readable' : 'brand.too_light', { ratio: ratio(r) });
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
  const colourField = field(t('brand.colour_text'), text, t('brand.colour_hint'));
  const row = h('div.colour-row');
  text.replaceWith(row);
  row.append(picker, text);
  const textsForm = form([
    field(t('brand.name'), name, t('brand.name_hint', { name: settings.name })),
    colourField,
    contrast,
  ], async (v) => {
    const body = {};
    const wanted = (v.display_name || '').trim();
    if (wanted !== (brand.display_name_set ? brand.display_name : '')) body.display_name = wanted || null;
    const colour = (v.accent_color || '').trim().toLowerCase();
    if (colour !== brand.accent_color) body.accent_color = colour;
    if (!Object.keys(body).length) { status.say(t('brand.nothing'), 'info'); return; }
    brand = await api.patch('branding', body, { key: newKey() });
    applyBranding(brand);
    status.say(t('brand.saved'));
  }, { submit: t('brand.save'), cls: 'branding-form' });

  // The logo: what there is, a file to choose (previewed before upload).
  const current = h('div.logo-current');
  const file = input('file', { type: 'file', accept: 'image/png,image/jpeg,image/svg+xml' });
  const removeButton = h('button.danger', { type: 'button', onclick: removeLogo }, t('brand.remove'));
  file.addEventListener('change', () => {
    const f = file.files[0];
    if (!f) { showLogo(brand.logo_url); return; }
    // A data: address: the portal's policy allows data: images, not blob:.
    const reader = new FileReader();
    reader.onload = () => showLogo(reader.result);
    reader.readAsDataURL(f);
  });
  const logoForm = form([field(t('brand.file'), file, t('brand.file_hint'))], async (v) => {
    if (!v.file) throw new ApiError(422, { code: 'validation_failed', detail: t('brand.choose'), field: 'file' });
    brand = await api.upload('branding/logo', v.file, { method: 'PUT' });
    applyBranding(brand);
    file.value = '';
    drawLogo();
    status.say(t('brand.uploaded'));
  }, { submit: brand.logo_url ? t('brand.replace') : t('brand.upload'), cls: 'logo-form' });
  logoForm.querySelector('.actions').append(removeButton);

  function drawLogo() {
    clear(current, brand.logo_url
      ? h('figure.logo-figure', h('img.logo-shown', { src: brand.logo_url, alt: t('brand.current_logo', { name: brand.display_name }) }),
        h('figcaption.hint', logoSize(brand.logo)))
      : h('p.hint', t('brand.no_logo')));
    removeButton.hidden = !brand.logo_url;
    logoForm.querySelector('button[type="submit"]').textContent = brand.logo_url ? t('brand.replace') : t('brand.upload');
    showLogo(brand.logo_url);
  }

  async function removeLogo() {
    const done = await dialog(t('brand.remove'), [h('p', t('brand.remove_ask'))], () => api.del('branding/logo'), { submit: t('brand.remove') });
    if (!done) return;
    brand = done;
    applyBranding(brand);
    drawLogo();
    status.say(t('brand.removed'));
  }

  ctx.main.append(
    h('h1', t('brand.title')),
    h('p.sub', t('brand.intro')),
    status.el,
    h('div.branding-layout',
      h('div',
        textsForm,
        h('h2', t('brand.logo')),
        current,
        logoForm),
      h('aside.branding-preview', { 'aria-labelledby': 'brand-preview-title' },
        h('h2#brand-preview-title', t('brand.preview')), preview)));
  showColour(brand.accent_color);
  showName();
  drawLogo();
}
