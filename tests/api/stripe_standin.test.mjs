// The Stripe stand-in itself (tests/support/stripe_standin.mjs), so that the
// API tests built on it can trust it: its signatures equal the vector the C
// tests pin (computed with openssl), "paying" a session delivers a
// checkout.session.completed event whose signature checks out, and deliver()
// sends forged and missing signatures when told to. Needs no creditd: a tiny
// receiver on 127.0.0.1 plays the webhook endpoint.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHmac } from 'node:crypto';
import { startStandin, sign, deliver, makeEvent, decodeForm } from '../support/stripe_standin.mjs';

const SECRET_KEY = 'sk_test_standin_suite';
const WEBHOOK_SECRET = 'whsec_standin_suite';
let standin;
let receiver;
const received = [];

before(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"received":true}');
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  standin = await startStandin({
    secretKey: SECRET_KEY,
    webhookSecret: WEBHOOK_SECRET,
    webhookUrl: `http://127.0.0.1:${receiver.address().port}/api/v1/webhooks/stripe`,
  });
});

after(async () => {
  await standin.stop();
  await new Promise((r) => receiver.close(r));
});

function createForm(extra = '') {
  return 'mode=payment&success_url=https%3A%2F%2Fshop.example%2Fdone&client_reference_id=inv_7' +
    '&line_items[0][quantity]=1&line_items[0][price_data][currency]=eur' +
    '&line_items[0][price_data][unit_amount]=1999' +
    '&line_items[0][price_data][product_data][name]=Invoice%207' +
    `&metadata[tenant]=ten_1&metadata[invoice]=inv_7${extra}`;
}

async function createSession(form = createForm(), headers = {}) {
  const r = await fetch(`${standin.url}/v1/checkout/sessions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${SECRET_KEY}`,
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    },
    body: form,
  });
  return { status: r.status, json: await r.json() };
}

function verifies(header, body, secret) {
  const t = /(?:^|,)t=(\d+)/.exec(header)[1];
  const want = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return header.split(',').some((item) => item === `v1=${want}`);
}

test('sign gives the vector the C tests pin', () => {
  assert.equal(
    sign('{"id":"evt_1","object":"event"}', 'whsec_test_secret', 1700000000),
    't=1700000000,v1=0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd',
  );
});

test('bracket keys decode into nested objects and arrays', () => {
  assert.deepEqual(decodeForm('a[b][0][c]=1&a[b][1][c]=2&m[k]=v%20w&x=y'), {
    a: { b: [{ c: '1' }, { c: '2' }] },
    m: { k: 'v w' },
    x: 'y',
  });
});

test('a session is created from the form and refused without its required params', async () => {
  const ok = await createSession();
  assert.equal(ok.status, 200);
  assert.match(ok.json.id, /^cs_test_/);
  assert.equal(ok.json.url, `${standin.url}/c/pay/${ok.json.id}`);
  assert.equal(ok.json.amount_total, 1999);
  assert.deepEqual(ok.json.metadata, { tenant: 'ten_1', invoice: 'inv_7' });
  const noUrl = await createSession(createForm().replace(/success_url=[^&]*&/, ''));
  assert.equal(noUrl.status, 400);
  assert.equal(noUrl.json.error.param, 'success_url');
  const upper = await createSession(createForm().replace('currency]=eur', 'currency]=EUR'));
  assert.equal(upper.status, 400);
  const r = await fetch(`${standin.url}/v1/checkout/sessions`, { method: 'POST', body: createForm() });
  assert.equal(r.status, 401);
});

test('an idempotency key replays its session and refuses another body', async () => {
  const first = await createSession(createForm(), { 'idempotency-key': 'k-1' });
  const again = await createSession(createForm(), { 'idempotency-key': 'k-1' });
  assert.equal(again.json.id, first.json.id);
  const other = await createSession(createForm('&customer_email=a%40b.example'), { 'idempotency-key': 'k-1' });
  assert.equal(other.status, 400);
  assert.equal(other.json.error.type, 'idempotency_error');
});

test('paying a session delivers a signed checkout.session.completed', async () => {
  const { json: session } = await createSession();
  received.length = 0;
  const r = await fetch(`${standin.url}/c/pay/${session.id}/complete`, { method: 'POST' });
  assert.equal(r.status, 200);
  assert.equal(received.length, 1);
  const { headers, body } = received[0];
  assert.ok(verifies(headers['stripe-signature'], body, WEBHOOK_SECRET));
  const event = JSON.parse(body);
  assert.equal(event.type, 'checkout.session.completed');
  assert.equal(event.data.object.id, session.id);
  assert.equal(event.data.object.payment_status, 'paid');
  assert.equal(event.data.object.metadata.invoice, 'inv_7');
  assert.equal(standin.sessions.get(session.id).status, 'complete');
  const twice = await fetch(`${standin.url}/c/pay/${session.id}/expire`, { method: 'POST' });
  assert.equal(twice.status, 400);
});

test('deliver sends stale, forged and missing signatures when told to', async () => {
  const event = makeEvent('checkout.session.expired', { id: 'cs_test_x', metadata: {} });
  assert.equal(event.data.object.status, 'expired');
  const url = standin.webhookUrl;
  received.length = 0;
  await deliver(url, event, { secret: WEBHOOK_SECRET, timestamp: 1000 });
  await deliver(url, event, { signatureHeader: 't=1,v1=00' });
  await deliver(url, event, { signatureHeader: null });
  assert.match(received[0].headers['stripe-signature'], /^t=1000,v1=[0-9a-f]{64}$/);
  assert.ok(verifies(received[0].headers['stripe-signature'], received[0].body, WEBHOOK_SECRET));
  assert.equal(received[1].headers['stripe-signature'], 't=1,v1=00');
  assert.equal(received[2].headers['stripe-signature'], undefined);
});

test('fail-next makes the next API call fail with a Stripe error body', async () => {
  standin.failNext(503);
  const failed = await createSession();
  assert.equal(failed.status, 503);
  assert.equal(failed.json.error.type, 'api_error');
  assert.equal((await createSession()).status, 200);
});
