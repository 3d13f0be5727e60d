// web/fmt.js without a browser: amounts typed as the reader's language
// writes them become the API's form, and amounts and money are written in
// the reader's language, every digit kept.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let i18n, fmt;

before(async () => {
  const words = (lang) => Object.assign({}, ...readdirSync(join(root, 'i18n', lang))
    .map((f) => JSON.parse(readFileSync(join(root, 'i18n', lang, f), 'utf8'))));
  const texts = { en: words('en'), de: words('de') };
  globalThis.document = { documentElement: { lang: '' } };
  globalThis.fetch = async (url) => {
    const lang = String(url).split('/').pop();
    return { ok: true, status: 200, json: async () => texts[lang] };
  };
  i18n = await import(join(root, 'web', 'i18n.js'));
  fmt = await import(join(root, 'web', 'fmt.js'));
});

test('an amount typed in German: decimal comma, grouping dots, spaces', async () => {
  await i18n.setLanguage('de');
  const cases = [['2,5', '2.5'], ['1.234,50', '1234.50'], [' 40 ', '40'], ['1 234,5', '1234.5'], ['-3,25', '-3.25'],
    ['2.5', '2.5'], ['0,000001', '0.000001'], ['1,2,3', '1,2,3'], ['zwei', 'zwei'], ['', ''], ['1,234', '1.234']];
  for (const [typed, sent] of cases) assert.equal(fmt.decimalInput(typed), sent, typed);
});

test('an amount typed in English: grouping commas, decimal point', async () => {
  await i18n.setLanguage('en');
  const cases = [['1,234.50', '1234.50'], ['1,234', '1234'], ['12,345,678', '12345678'], ['2.5', '2.5'], ['2,5', '2.5'],
    ['129.00', '129.00'], ['abc', 'abc']];
  for (const [typed, sent] of cases) assert.equal(fmt.decimalInput(typed), sent, typed);
});

test("amounts, money and counts in the reader's language, every digit kept", async () => {
  await i18n.setLanguage('de');
  assert.equal(fmt.amount('1234567.000001'), '1.234.567,000001');
  assert.equal(fmt.money('1234.5'), '1.234,5\u00a0€');
  assert.equal(fmt.bytes(1), '1 Byte');
  assert.equal(fmt.waitText(90), '2 Minuten');
  await i18n.setLanguage('en');
  assert.equal(fmt.amount('-1234.50'), '−1,234.50');
  assert.equal(fmt.money('1234.50'), '€1,234.50');
  assert.equal(fmt.bytes(2), '2 bytes');
  assert.equal(fmt.amountOf('1', 'Master credits'), '1 Master credit');
  assert.equal(fmt.amountOf('1.00', 'Master credits'), '1.00 Master credits');
  assert.equal(fmt.kindLabel('order'), 'Order');
  assert.equal(fmt.statusLabel('some_new_state'), 'Some new state');
});
