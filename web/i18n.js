// The portal's words, from the message catalogues the server embeds
// (i18n/<lang>/*.json, GET /api/v1/i18n/<lang>): t('area.key', {hole: value})
// and tn('area.key', count) for plurals ("<key>_one" / "<key>_other", picked
// by the language's plural rules). The language is the user's, else the
// business's; signed out, the one chosen on the sign-in page, else the
// browser's first language with a catalogue, else English.
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'de', name: 'Deutsch' },
];
const STORED = 'creditd.language';

let lang = 'en';
let words = {};

export function language() { return lang; }

// The catalogue language of a locale or language ("de-AT" → "de"), or null.
export function known(code) {
  const two = String(code || '').slice(0, 2).toLowerCase();
  return LANGUAGES.some((l) => l.code === two) ? two : null;
}

// Loads the catalogue of code (once per language) and makes it current.
export async function setLanguage(code) {
  const next = known(code) || 'en';
  if (next === lang && Object.keys(words).length > 0) return lang;
  const r = await fetch(`/api/v1/i18n/${next}`, { credentials: 'same-origin' });
  if (!r.ok) throw new Error(`cannot load the words of '${next}' (${r.status})`);
  words = await r.json();
  lang = next;
  document.documentElement.lang = lang;
  return lang;
}

// Signed out: the language chosen here before, else the browser's.
export function preferredLanguage() {
  let stored = null;
  try { stored = localStorage.getItem(STORED); } catch { /* private mode */ }
  if (known(stored)) return known(stored);
  for (const l of navigator.languages || [navigator.language]) if (known(l)) return known(l);
  return 'en';
}

// Remembers a choice made without an account (the sign-in page).
export function rememberLanguage(code) {
  try { localStorage.setItem(STORED, known(code) || 'en'); } catch { /* private mode */ }
}

function fill(text, vars) {
  return text.replace(/\{(\w+)\}/g, (m, name) => (vars && vars[name] !== undefined && vars[name] !== null ? String(vars[name]) : m));
}

// Whether key has words (for keys built from codes a newer server may add).
export function has(key) { return words[key] !== undefined; }

// The text of key with its holes filled; the key itself when it has none
// (the catalogue tests keep that from happening).
export function t(key, vars) {
  const text = words[key];
  if (text === undefined) {
    console.warn(`no words for '${key}'`);
    return key;
  }
  return vars ? fill(text, vars) : text;
}

// A plural: key_one or key_other by the language's rules for count, with
// {count} as the number formatted for the language (count may be a decimal
// string: "1" is one, "1.50" is other).
export function tn(key, count, vars = {}) {
  const n = Number(count);
  const text = String(count ?? '');
  // "1.00" has visible decimals: "1.00 credits", as the plural rules say.
  const one = !text.includes('.') && new Intl.PluralRules(lang).select(n) === 'one';
  const shown = vars.count !== undefined ? vars.count : formatCount(text);
  return t(`${key}_${one ? 'one' : 'other'}`, { ...vars, count: shown });
}

function formatCount(text) {
  if (!/^-?\d+(\.\d+)?$/.test(text)) return text;
  const [int, frac] = text.replace('-', '').split('.');
  const sep = new Intl.NumberFormat(lang).formatToParts(12345.6);
  const group = sep.find((x) => x.type === 'group')?.value ?? ',';
  const decimal = sep.find((x) => x.type === 'decimal')?.value ?? '.';
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return `${text.startsWith('-') ? '−' : ''}${grouped}${frac !== undefined ? decimal + frac : ''}`;
}
