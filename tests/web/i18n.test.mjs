// The portal's words: every key the scripts name is in the catalogues of
// every language, and web/i18n.js picks texts, plurals and holes right.
// (That the languages have the same keys and holes is tests/unit/base/test_i18n.c.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const langs = readdirSync(join(root, 'i18n'));

function catalogue(lang) {
  const out = {};
  for (const f of readdirSync(join(root, 'i18n', lang)).filter((n) => n.endsWith('.json'))) {
    const area = f.replace(/\.json$/, '');
    for (const [k, v] of Object.entries(JSON.parse(readFileSync(join(root, 'i18n', lang, f), 'utf8')))) {
      assert.ok(k.startsWith(`${area}.`), `${lang}/${f}: key '${k}' is not of the area '${area}'`);
      assert.equal(out[k], undefined, `${lang}: '${k}' twice`);
      out[k] = v;
    }
  }
  return out;
}

// The keys named in the scripts: t('x'), tn('x', …), and route titles.
function keysInScripts() {
  const keys = new Map();
  const web = join(root, 'web');
  for (const f of readdirSync(web).filter((n) => n.endsWith('.js'))) {
    // Comments may name example keys.
    const text = readFileSync(join(web, f), 'utf8').replace(/^\s*\/\/.*$/gm, '');
    for (const m of text.matchAll(/\btn?\(\s*'([a-z0-9_]+(?:\.[a-z0-9_]+)+)'/g)) keys.set(`${m[1]}${m[0].startsWith('tn') ? '_other' : ''}`, f);
    for (const m of text.matchAll(/title: '([a-z0-9_]+(?:\.[a-z0-9_]+)+)'/g)) keys.set(m[1], f);
  }
  return keys;
}

test('English and German have catalogues', () => {
  assert.deepEqual(langs.sort(), ['de', 'en']);
});

test('every key a script names is in every catalogue', () => {
  const keys = keysInScripts();
  assert.ok(keys.size > 30, `only ${keys.size} keys found`);
  for (const lang of langs) {
    const c = catalogue(lang);
    const missing = [...keys].filter(([k]) => c[k] === undefined).map(([k, f]) => `${k} (${f})`);
    assert.deepEqual(missing, [], `${lang} lacks keys`);
  }
});

test('t fills holes, tn picks the plural by the language and a decimal count', async () => {
  const texts = { en: catalogue('en'), de: catalogue('de') };
  globalThis.document = { documentElement: { lang: '' } };
  globalThis.fetch = async (url) => {
    const lang = String(url).split('/').pop();
    return { ok: Boolean(texts[lang]), status: texts[lang] ? 200 : 404, json: async () => texts[lang] };
  };
  const words = { 'app.test_one': '{count} credit', 'app.test_other': '{count} credits', 'app.hole': 'Hello {name}, {unknown}' };
  const i18n = await import(join(root, 'web', 'i18n.js'));
  assert.equal(await i18n.setLanguage('de-AT'), 'de');
  assert.equal(globalThis.document.documentElement.lang, 'de');
  assert.equal(i18n.t('app.sign_out'), 'Abmelden');
  assert.equal(await i18n.setLanguage('fr'), 'en');
  assert.equal(i18n.t('app.sign_out'), 'Sign out');
  Object.assign(texts.en, words);
  await i18n.setLanguage('de');
  await i18n.setLanguage('en');
  assert.equal(i18n.t('app.hole', { name: 'Jan' }), 'Hello Jan, {unknown}');
  assert.equal(i18n.tn('app.test', 1), '1 credit');
  assert.equal(i18n.tn('app.test', '1'), '1 credit');
  assert.equal(i18n.tn('app.test', '1.00'), '1.00 credits');
  assert.equal(i18n.tn('app.test', 0), '0 credits');
  assert.equal(i18n.tn('app.test', '12345'), '12,345 credits');
  assert.equal(i18n.known('DE-de'), 'de');
  assert.equal(i18n.known('nl'), null);
});
