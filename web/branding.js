// The business's brand on every page: GET /branding (no sign-in needed) is
// read once at start; its accent colour becomes the CSS custom property
// --accent (set through the CSSOM, which the portal's CSP allows, unlike a
// style attribute), its logo the page's icon, its name the end of every tab
// title and, with the logo, the mark in the header and above the sign-in card.
import { api } from './api.js';
import { h } from './ui.js';
import { t, language, LANGUAGES, setLanguage, rememberLanguage } from './i18n.js';

const FALLBACK = { display_name: 'creditd', accent_color: null, logo_url: null, favicon_url: null };
let current = FALLBACK;

// Reads the brand and applies it; a server that cannot say keeps the defaults.
export async function loadBranding() {
  try {
    applyBranding(await api.get('branding'));
  } catch {
    applyBranding(FALLBACK);
  }
  return current;
}

export function branding() { return current; }

// A darker shade of #rrggbb (for hover), by factor 0..1.
function shade(hex, factor) {
  const n = parseInt(hex.slice(1), 16);
  const c = [n >> 16, (n >> 8) & 255, n & 255].map((v) => Math.round(v * factor));
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

// Makes b the brand of the page: colour, icon, title (after a change too).
export function applyBranding(b) {
  current = { ...FALLBACK, ...b };
  const root = document.documentElement.style;
  if (current.accent_color) {
    // The server accepts only colours that carry white text at 4.5:1.
    root.setProperty('--accent', current.accent_color);
    root.setProperty('--accent-hover', shade(current.accent_color, 0.85));
    root.setProperty('--accent-text', '#fff');
  } else {
    root.removeProperty('--accent');
    root.removeProperty('--accent-hover');
    root.removeProperty('--accent-text');
  }
  let icon = document.querySelector('link[rel="icon"]');
  if (!icon) {
    icon = h('link', { rel: 'icon' });
    document.head.append(icon);
  }
  icon.href = current.favicon_url || 'data:,';
  if (current.logo_type) icon.type = current.logo_type;
  else icon.removeAttribute('type');
  // A page already titled keeps its part, with the new name after it.
  const at = document.title.lastIndexOf(' · ');
  if (at > 0) pageTitle(document.title.slice(0, at));
  window.dispatchEvent(new CustomEvent('creditd:branding', { detail: current }));
}

// "<page> · <business>" in the tab.
export function pageTitle(page) {
  document.title = `${page} · ${current.display_name || 'creditd'}`;
}

// The logo (when there is one) and the name. The logo is decorative next to
// the name, so screen readers read the name once.
export function brandMark({ cls = 'brand-mark' } = {}) {
  return h(`span.${cls}`,
    current.logo_url ? h('img.brand-logo', { src: current.logo_url, alt: '' }) : null,
    h('span.brand-name', current.display_name));
}

// The frame of a signed-out page: the business's mark above a centred card
// (the <main>), on the whole width.
// The language of the signed-out pages, remembered in this browser; a
// change draws the page again in it (app.js listens for creditd:language).
function languagePicker() {
  const pick = h('select', { name: 'language', 'aria-label': t('app.language') },
    LANGUAGES.map((l) => h('option', { value: l.code, lang: l.code, selected: l.code === language() }, l.name)));
  pick.addEventListener('change', async () => {
    rememberLanguage(pick.value);
    await setLanguage(pick.value);
    window.dispatchEvent(new CustomEvent('creditd:language'));
  });
  return h('p.login-language', pick);
}

export function signedOutFrame() {
  const main = h('main#main.login', { tabindex: '-1' });
  const frame = h('div.login-page',
    h('header.login-brand', brandMark({ cls: 'brand-mark.big' })),
    main,
    h('footer.login-foot', languagePicker(),
      h('p', t('login.footer', { year: new Date().getFullYear(), name: current.display_name }))));
  return { frame, main };
}

// The WCAG 2 contrast ratio of white text on #rrggbb (as the server counts
// it: 4.5 or more is accepted), or null for anything else.
export function contrastWithWhite(hex) {
  if (!/^#[0-9a-fA-F]{6}$/.test(hex || '')) return null;
  const n = parseInt(hex.slice(1), 16);
  const lin = (c) => { const v = c / 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const l = 0.2126 * lin(n >> 16) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
  return Math.floor((1.05 / (l + 0.05)) * 100 + 1e-9) / 100;
}
