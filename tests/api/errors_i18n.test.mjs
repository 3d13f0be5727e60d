// The errors in the caller's language: with Accept-Language asking for German
// (the portal sends its language on every request), a problem's title,
// detail and field messages are German; with English, nothing or a header
// naming nothing known, they are English exactly as they always were.
// The same six failures each way: a field that is wrong, an order the credits
// do not cover, a customer that does not exist, a failed sign-in, an upload
// past the limit and a body that is not JSON.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, ADMIN } from './harness.mjs';

let server, admin, customerId, stage1, runs = 0;

before(async () => {
  server = await startServer({ env: { CREDITD_UPLOAD_MAX_BYTES: '4096' } });
  admin = new Client(server.url);
  assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
  stage1 = (await admin.post('/api/v1/services', {
    name: 'Stage 1', kind: 'base', category: 'tuning', costs: { master: '3' },
  })).json.id;
  const c = await admin.post('/api/v1/customers', { name: 'Sprache GmbH' });
  assert.equal(c.status, 201, c.text);
  customerId = c.json.id;
  assert.equal((await admin.post(`/api/v1/customers/${customerId}/lots`, { credit_type: 'master', credits: '2' })).status, 201);
});
after(async () => { await server.stop(); });

// The six failures with an Accept-Language header (none when lang is
// undefined); each answer without its request id.
async function failures(lang) {
  const headers = lang === undefined ? {} : { 'Accept-Language': lang };
  runs++;
  const answers = {
    field: await admin.post(`/api/v1/customers/${customerId}/lots`, { credit_type: 'master', credits: '1.5' }, { headers }),
    credits: await admin.post('/api/v1/orders', { customer_id: customerId, credit_type: 'master', services: [stage1] }, { headers }),
    missing: await admin.post('/api/v1/customers/cus_999999/lots', { credit_type: 'master', credits: '1' }, { headers }),
    signin: await new Client(server.url).post('/api/v1/auth/login',
      { email: `nobody${runs}@test.example`, password: 'not-the-password' }, { headers }),
    upload: await admin.upload(`/api/v1/files?customer_id=${customerId}`, Buffer.alloc(4097, 7), { headers }),
    json: await admin.request('POST', '/api/v1/customers',
      { raw: '{"name": ', headers: { ...headers, 'Content-Type': 'application/json' } }),
  };
  const out = {};
  for (const [name, r] of Object.entries(answers)) {
    assert.match(r.headers.get('content-type'), /^application\/problem\+json/, `${name}: ${r.text}`);
    const { request_id: id, ...rest } = r.json;
    assert.match(id, /^[0-9a-f]{16}$/);
    out[name] = { status: r.status, ...rest };
  }
  return out;
}

let english;

test('without the header the errors are English, as before', async () => {
  english = await failures(undefined);
  const e = english;
  assert.equal(e.field.status, 422);
  assert.equal(e.field.title, 'The request has invalid fields');
  assert.equal(e.field.detail, 'must be a whole number');
  assert.deepEqual(e.field.errors, [{ field: 'credits', message: 'must be a whole number' }]);
  assert.equal(e.credits.status, 409);
  assert.equal(e.credits.code, 'insufficient_credits');
  assert.equal(e.credits.title, 'Not enough credits');
  assert.equal(e.credits.detail, 'the order costs 3 master credits, 2 are available');
  assert.equal(e.credits.shortfall, '1');
  assert.equal(e.missing.status, 404);
  assert.equal(e.missing.title, 'Not found');
  assert.equal(e.missing.detail, 'no such customer');
  assert.equal(e.signin.status, 401);
  assert.equal(e.signin.title, 'Sign in first');
  assert.equal(e.signin.detail, 'wrong e-mail or password');
  assert.equal(e.upload.status, 413);
  assert.equal(e.upload.title, 'Request too large');
  assert.equal(e.upload.detail, 'the file is larger than 4096 bytes');
  assert.equal(e.upload.field, 'file');
  assert.equal(e.json.status, 422);
  assert.match(e.json.detail, /^not valid JSON: /);
  assert.equal(e.json.field, 'body');
});

test('English, a language without a catalogue, or garbage: the same English answers', async () => {
  for (const lang of ['en', 'en-GB,en;q=0.9', 'fr', 'fr-FR, it;q=0.5', '*', '', 'de;q=0', ';;q=,,=', 'deutsch', '\u00e4']) {
    assert.deepEqual(await failures(lang), english, JSON.stringify(lang));
  }
});

test('with German asked for, title, detail and field messages are German', async () => {
  for (const lang of ['de', 'de-AT;q=0.9', 'DE-de', 'fr, de;q=0.8', 'en;q=0.3, de;q=0.7', 'de, en']) {
    const g = await failures(lang);
    const e = english;
    // Everything but the words stays as it was.
    for (const name of Object.keys(e)) {
      assert.equal(g[name].status, e[name].status, `${lang} ${name}`);
      assert.equal(g[name].code, e[name].code, `${lang} ${name}`);
      assert.equal(g[name].field, e[name].field, `${lang} ${name}`);
    }
    assert.equal(g.field.title, 'Die Anfrage enthält ungültige Felder', lang);
    assert.equal(g.field.detail, 'muss eine ganze Zahl sein', lang);
    assert.deepEqual(g.field.errors, [{ field: 'credits', message: 'muss eine ganze Zahl sein' }], lang);
    assert.equal(g.credits.title, 'Nicht genügend Credits');
    assert.equal(g.credits.detail, 'der Auftrag kostet 3 master-Credits, verfügbar sind 2');
    assert.deepEqual([g.credits.shortfall, g.credits.available, g.credits.requested],
      [e.credits.shortfall, e.credits.available, e.credits.requested]);
    assert.equal(g.missing.title, 'Nicht gefunden');
    assert.equal(g.missing.detail, 'kein solcher Kunde');
    assert.equal(g.signin.title, 'Melden Sie sich zuerst an');
    assert.equal(g.signin.detail, 'E-Mail-Adresse oder Passwort falsch');
    assert.equal(g.upload.title, 'Anfrage zu groß');
    assert.equal(g.upload.detail, 'die Datei ist größer als 4096 Bytes');
    // jansson's own words stay English inside the German sentence.
    assert.equal(g.json.detail, e.json.detail.replace(/^not valid JSON: /, 'kein gültiges JSON: '));
  }
});

test('a 405 and a request without credentials are German too', async () => {
  const de = { headers: { 'Accept-Language': 'de' } };
  const method = await admin.request('PUT', '/api/v1/customers', de);
  assert.equal(method.status, 405);
  assert.equal(method.json.title, 'Methode nicht erlaubt');
  assert.equal((await admin.request('PUT', '/api/v1/customers')).json.title, 'Method not allowed');
  const unsigned = await new Client(server.url).get('/api/v1/customers', de);
  assert.equal(unsigned.status, 401);
  assert.equal(unsigned.json.detail, 'melden Sie sich an oder senden Sie einen API-Schlüssel');
});
