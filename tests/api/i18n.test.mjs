// Languages through the API: the message catalogues the portal reads
// (GET /api/v1/i18n/{lang}), a user's language (PATCH /me), a customer's
// language for the documents sent to it, and the business's default.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, ADMIN } from './harness.mjs';

let server, admin;

before(async () => {
  server = await startServer();
  admin = new Client(server.url);
  assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
});
after(async () => { await server.stop(); });

test('the catalogues: English and German for anybody, cached by ETag, no others', async () => {
  const anybody = new Client(server.url);
  const en = await anybody.get('/api/v1/i18n/en');
  const de = await anybody.get('/api/v1/i18n/de');
  assert.equal(en.status, 200);
  assert.match(en.headers.get('content-type'), /^application\/json/);
  assert.equal(en.json['app.sign_out'], 'Sign out');
  assert.equal(de.json['app.sign_out'], 'Abmelden');
  assert.deepEqual(Object.keys(de.json).sort(), Object.keys(en.json).sort());
  // The API's error texts stay on the server, which answers in the language asked.
  assert.deepEqual(Object.keys(de.json).filter((k) => k.startsWith('errors.')), []);
  assert.ok(en.text.length < 100000, `${en.text.length} bytes`);
  const etag = de.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{16}"$/);
  assert.notEqual(etag, en.headers.get('etag'));
  const again = await anybody.request('GET', '/api/v1/i18n/de', { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  for (const lang of ['fr', 'de-DE', 'DE', 'x']) {
    const r = await anybody.get(`/api/v1/i18n/${lang}`);
    assert.equal(r.status, 404, lang);
    assert.equal(r.json.code, 'not_found');
  }
});

test('a user chooses a language; "" is the business\'s; nothing else is taken', async () => {
  let me = await admin.get('/api/v1/me');
  assert.equal(me.json.language, '');
  assert.equal(me.json.tenant.language, 'en');
  const set = await admin.patch('/api/v1/me', { language: 'de' });
  assert.equal(set.status, 200, set.text);
  assert.equal(set.json.language, 'de');
  assert.equal(set.json.email, ADMIN.email);
  me = await admin.get('/api/v1/me');
  assert.equal(me.json.language, 'de');
  // The mail language is the same setting.
  assert.equal((await admin.get('/api/v1/me/notifications')).json.locale, 'de');
  for (const bad of ['fr', 'deutsch', 'de-DE', 7]) {
    const r = await admin.patch('/api/v1/me', { language: bad });
    assert.equal(r.status, 422, `${bad}: ${r.text}`);
    assert.equal(r.json.code, 'validation_failed');
    assert.ok(r.json.errors.some((e) => e.field === 'language'), r.text);
  }
  assert.equal((await admin.get('/api/v1/me')).json.language, 'de', 'a refused change changes nothing');
  assert.equal((await admin.patch('/api/v1/me', { nickname: 'x' })).status, 422);
  const reset = await admin.patch('/api/v1/me', { language: '' });
  assert.equal(reset.json.language, '');
});

test('an API key has no language of its own', async () => {
  const key = await admin.post('/api/v1/api-keys', { name: 'lang', role: 'admin' });
  assert.equal(key.status, 201, key.text);
  const bot = new Client(server.url);
  bot.bearer = key.json.key;
  assert.equal((await bot.get('/api/v1/me')).json.language, '');
  const r = await bot.patch('/api/v1/me', { language: 'de' });
  assert.equal(r.status, 403);
});

test('a customer\'s language for its documents, and the business\'s', async () => {
  const c = await admin.post('/api/v1/customers', { name: 'Kraft KG', language: 'de' });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.language, 'de');
  assert.equal((await admin.get(`/api/v1/customers/${c.json.id}`)).json.language, 'de');
  const en = await admin.patch(`/api/v1/customers/${c.json.id}`, { language: 'en' });
  assert.equal(en.status, 200, en.text);
  assert.equal(en.json.language, 'en');
  const bad = await admin.patch(`/api/v1/customers/${c.json.id}`, { language: 'it' });
  assert.equal(bad.status, 422);
  assert.ok(bad.json.errors.some((e) => e.field === 'language'), bad.text);
  assert.equal((await admin.get(`/api/v1/customers/${c.json.id}`)).json.language, 'en');
  const none = await admin.post('/api/v1/customers', { name: 'Plain Ltd' });
  assert.equal(none.json.language, '');
  const settings = await admin.patch('/api/v1/settings', { locale: 'de-AT' });
  assert.equal(settings.status, 200, settings.text);
  assert.equal(settings.json.language, 'de');
  assert.equal((await admin.get('/api/v1/me')).json.tenant.language, 'de');
  await admin.patch('/api/v1/settings', { locale: 'en-IE' });
});
