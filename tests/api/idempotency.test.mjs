// Idempotency-Key (DESIGN rule 11): a repeat with the same key and body gets
// the first response byte for byte and changes nothing; the same key with
// another body is 409 idempotency_conflict; concurrent repeats make exactly
// one change; failed requests are not remembered; keys belong to a caller.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, ADMIN } from './harness.mjs';

let server;
let admin;
let stage1;
let cus;

async function balance(customerId) {
  const q = await admin.post('/api/v1/quotes', { customer_id: customerId, credit_type: 'master', services: [stage1] });
  return q.json.balance;
}

async function ledgerCount(customerId) {
  const r = await admin.get(`/api/v1/ledger?customer=${customerId}&limit=200`);
  return r.json.items.length;
}

before(async () => {
  server = await startServer();
  admin = new Client(server.url);
  await admin.login(ADMIN.email, ADMIN.password);
  stage1 = (await admin.post('/api/v1/services', { name: 'Stage 1', kind: 'base', costs: { master: '3' } })).json.id;
  cus = (await admin.post('/api/v1/customers', { name: 'Idem shop' })).json.id;
  await admin.post(`/api/v1/customers/${cus}/lots`, { credit_type: 'master', credits: '30' });
});
after(async () => { await server.stop(); });

test('a repeated order with the same key replays the first response and charges once', async () => {
  const body = { customer_id: cus, credit_type: 'master', services: [stage1] };
  const headers = { 'Idempotency-Key': 'order-1' };
  const first = await admin.post('/api/v1/orders', body, { headers });
  assert.equal(first.status, 201);
  const before = await balance(cus);
  const again = await admin.post('/api/v1/orders', body, { headers });
  assert.equal(again.status, 201);
  assert.equal(again.text, first.text);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(await balance(cus), before);
});

test('the same key with another body is 409 and changes nothing', async () => {
  const headers = { 'Idempotency-Key': 'order-2' };
  const first = await admin.post('/api/v1/orders', { customer_id: cus, credit_type: 'master', services: [stage1] }, { headers });
  assert.equal(first.status, 201);
  const before = await balance(cus);
  const other = await admin.post('/api/v1/orders', { customer_id: cus, credit_type: 'master', services: [stage1], notes: 'x' }, { headers });
  assert.equal(other.status, 409);
  assert.equal(other.json.code, 'idempotency_conflict');
  assert.equal(await balance(cus), before);
});

test('concurrent repeats of one key make exactly one change', async () => {
  const before = await ledgerCount(cus);
  const body = { customer_id: cus, credit_type: 'master', services: [stage1] };
  const results = await Promise.all(Array.from({ length: 12 }, () =>
    admin.post('/api/v1/orders', body, { headers: { 'Idempotency-Key': 'race-1' } })));
  for (const r of results) {
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.id, results[0].json.id);
  }
  assert.equal(await ledgerCount(cus), before + 1);
});

test('a failed request is not remembered: the retry runs', async () => {
  const poor = (await admin.post('/api/v1/customers', { name: 'Poor shop' })).json.id;
  const body = { customer_id: poor, credit_type: 'master', services: [stage1] };
  const headers = { 'Idempotency-Key': 'retry-after-topup' };
  const short = await admin.post('/api/v1/orders', body, { headers });
  assert.equal(short.status, 409);
  assert.equal(short.json.code, 'insufficient_credits');
  await admin.post(`/api/v1/customers/${poor}/lots`, { credit_type: 'master', credits: '3' });
  const ok = await admin.post('/api/v1/orders', body, { headers });
  assert.equal(ok.status, 201);
});

test('keys belong to their caller', async () => {
  const key = server.cli('apikey', 'create', '--role', 'admin').trim();
  const bot = new Client(server.url);
  bot.bearer = key;
  const body = { name: 'Keyed customer' };
  const a = await admin.post('/api/v1/customers', body, { headers: { 'Idempotency-Key': 'shared' } });
  const b = await bot.post('/api/v1/customers', body, { headers: { 'Idempotency-Key': 'shared' } });
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.notEqual(a.json.id, b.json.id);
  const a2 = await admin.post('/api/v1/customers', body, { headers: { 'Idempotency-Key': 'shared' } });
  assert.equal(a2.json.id, a.json.id);
});

test('money moves and lots replay without a second change', async () => {
  const other = (await admin.post('/api/v1/customers', { name: 'Receiver' })).json.id;
  const calls = [
    ['/api/v1/customers/' + cus + '/lots', { credit_type: 'master', credits: '5' }],
    ['/api/v1/customers/' + cus + '/adjustments', { credit_type: 'master', amount: '2', reason: 'goodwill', justification: 'once' }],
    ['/api/v1/transfers', { from_customer_id: cus, to_customer_id: other, credit_type: 'master', amount: '1', justification: 'once' }],
  ];
  for (const [path, body] of calls) {
    const headers = { 'Idempotency-Key': `once-${path}` };
    const first = await admin.post(path, body, { headers });
    assert.equal(first.status, 201, first.text);
    const before = await ledgerCount(cus);
    const again = await admin.post(path, body, { headers });
    assert.equal(again.text, first.text);
    assert.equal(await ledgerCount(cus), before);
  }
});

test('a malformed key is 422 naming the header', async () => {
  const r = await admin.post('/api/v1/customers', { name: 'x' }, { headers: { 'Idempotency-Key': 'has space' } });
  assert.equal(r.status, 422);
  assert.equal(r.json.field, 'Idempotency-Key');
});
