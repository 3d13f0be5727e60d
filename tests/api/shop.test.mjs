// The shop through the API (DESIGN rule 10, issue 4): a customer buys a
// package by bank transfer and by Stripe Checkout (the real libcurl client
// against the local stand-in, which speaks Stripe's request format and sends
// signed webhooks), sees the invoice as JSON and as a printable page; store
// credit pays all, part or none; the webhook refuses forged, stale and
// replayed events and applies each event once, in any order; voiding returns
// store credit and removes unspent credits; admins add a lot with an invoice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, ADMIN } from './harness.mjs';
import { startStandin, makeEvent, deliver, sign, DEFAULT_SECRET_KEY, DEFAULT_WEBHOOK_SECRET } from '../support/stripe_standin.mjs';

const V = '/api/v1';
let server;
let stripe;
let admin;
let pkg;
let hook;

before(async () => {
  stripe = await startStandin({ secretKey: DEFAULT_SECRET_KEY, webhookSecret: DEFAULT_WEBHOOK_SECRET });
  server = await startServer({
    env: {
      CREDITD_STRIPE_API_BASE: stripe.url,
      CREDITD_STRIPE_SECRET_KEY: DEFAULT_SECRET_KEY,
      CREDITD_STRIPE_WEBHOOK_SECRET: DEFAULT_WEBHOOK_SECRET,
    },
  });
  hook = `${server.url}${V}/webhooks/stripe`;
  stripe.webhookUrl = hook;
  admin = new Client(server.url);
  await admin.login(ADMIN.email, ADMIN.password);
  assert.equal((await admin.patch(`${V}/settings`, { seller_address: 'Hauptstr. 1\n10115 Berlin', vat_id: 'DE123456789' })).status, 200);
  assert.equal((await admin.post(`${V}/credit-types`, { code: 'eur', name: 'Store credit', scale: 2, kind: 'monetary', unit_value: '1.00' })).status, 201);
  const p = await admin.post(`${V}/packages`, { name: 'Master 50', credits: { master: '50' }, price: '100.00', published: true });
  assert.equal(p.status, 201, p.text);
  pkg = p.json.id;
});
after(async () => { await server.stop(); await stripe.stop(); });

let shopCount = 0;
// A customer with an owner signed in, and eur store credit if given.
async function shop(eur) {
  const n = ++shopCount;
  const c = await admin.post(`${V}/customers`, { name: `Shop ${n}`, email: `shop${n}@shop.example` });
  assert.equal(c.status, 201, c.text);
  const id = c.json.id;
  await admin.post(`${V}/customers/${id}/members`, { email: `owner${n}@shop.example`, password: 'owner-password-1', role: 'owner' });
  const owner = new Client(server.url);
  assert.equal((await owner.login(`owner${n}@shop.example`, 'owner-password-1')).status, 200);
  if (eur) assert.equal((await admin.post(`${V}/customers/${id}/lots`, { credit_type: 'eur', credits: eur })).status, 201);
  return { id, owner };
}

async function balance(c, type) {
  const r = await admin.get(`${V}/customers/${c.id}`);
  return r.json.balances[type];
}

test('a bank transfer purchase makes an open invoice; marking it paid grants the lots', async () => {
  const c = await shop();
  const r = await c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'manual' });
  assert.equal(r.status, 201, r.text);
  const inv = r.json.invoice;
  assert.equal(r.json.checkout_url, null);
  assert.match(inv.id, /^inv_\d+$/);
  assert.match(inv.number, /^\d{4}-\d{6}$/);
  assert.equal(inv.status, 'open');
  assert.equal(inv.net, '100.00');
  assert.equal(inv.vat_rate, '19.00');
  assert.equal(inv.vat, '19.00');
  assert.equal(inv.gross, '119.00');
  assert.equal(inv.amount_due, '119.00');
  assert.equal(inv.currency, 'EUR');
  assert.equal(inv.seller.vat_id, 'DE123456789');
  assert.equal(inv.buyer.name, c.id.replace(/.*/, inv.buyer.name));
  assert.deepEqual(inv.lines.map((l) => [l.description, l.quantity, l.net]), [['Master 50 (50 Master credits)', 1, '100.00']]);
  assert.equal((await balance(c, 'master')).balance, '0');
  // The customer cannot mark it paid; staff can, once.
  assert.equal((await c.owner.post(`${V}/invoices/${inv.id}/mark-paid`, {})).status, 403);
  const paid = await admin.post(`${V}/invoices/${inv.id}/mark-paid`, {});
  assert.equal(paid.status, 200, paid.text);
  assert.equal(paid.json.status, 'paid');
  assert.equal(paid.json.lots.length, 1);
  assert.equal(paid.json.lots[0].original, '50');
  assert.equal((await balance(c, 'master')).balance, '50');
  const again = await admin.post(`${V}/invoices/${inv.id}/mark-paid`, {});
  assert.equal(again.status, 409);
  assert.equal(again.json.code, 'invalid_invoice_state');
  // The lot names its invoice; the ledger entry too.
  const lots = await c.owner.get(`${V}/customers/${c.id}/lots`);
  assert.equal(lots.json.items[0].invoice_id, inv.id);
});

test('invoice numbers count up without gaps, per tenant and year', async () => {
  const c = await shop();
  const rs = await Promise.all([1, 2, 3, 4, 5, 6].map(() => c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'manual' })));
  const nums = rs.map((r) => { assert.equal(r.status, 201, r.text); return Number(r.json.invoice.number.slice(5)); }).sort((a, b) => a - b);
  for (let i = 1; i < nums.length; i++) assert.equal(nums[i], nums[i - 1] + 1);
  const list = await admin.get(`${V}/invoices?customer=${c.id}&status=open&limit=4`);
  assert.equal(list.status, 200);
  assert.equal(list.json.items.length, 4);
  assert.ok(list.json.next_cursor);
  const rest = await admin.get(`${V}/invoices?customer=${c.id}&status=open&cursor=${list.json.next_cursor}`);
  assert.equal(rest.json.items.length, 2);
  assert.equal((await admin.get(`${V}/invoices?status=late`)).status, 422);
});

test('store credit covering everything pays the invoice at once, without a gateway', async () => {
  const c = await shop('200.00');
  const r = await c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'stripe' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.invoice.status, 'paid');
  assert.equal(r.json.invoice.store_credit_applied, '119.00');
  assert.equal(r.json.invoice.amount_due, '0.00');
  assert.equal(r.json.checkout_url, null);
  assert.equal((await balance(c, 'eur')).balance, '81.00');
  assert.equal((await balance(c, 'master')).balance, '50');
});

test('partial store credit is held and Stripe charges the rest; the webhook pays the invoice', async () => {
  const c = await shop('19.00');
  const r = await c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'stripe' });
  assert.equal(r.status, 201, r.text);
  const inv = r.json.invoice;
  assert.equal(inv.status, 'open');
  assert.equal(inv.store_credit_applied, '19.00');
  assert.equal(inv.amount_due, '100.00');
  assert.ok(r.json.checkout_url.startsWith(`${stripe.url}/c/pay/cs_test_`));
  const session = stripe.sessions.get(inv.gateway_reference);
  assert.equal(session.amount_total, 10000);
  assert.equal(session.currency, 'eur');
  const eur = await balance(c, 'eur');
  assert.equal(eur.available, '0.00');
  assert.equal(eur.balance, '19.00');
  // The customer pays on the stand-in's page: it sends the signed event.
  const pay = await fetch(`${r.json.checkout_url}/complete`, { method: 'POST' });
  assert.equal(pay.status, 200);
  const done = await admin.get(`${V}/invoices/${inv.id}`);
  assert.equal(done.json.status, 'paid');
  assert.equal((await balance(c, 'master')).balance, '50');
  assert.equal((await balance(c, 'eur')).balance, '0.00');
  // The ledger tells the story with the invoice on each entry.
  const ledger = await admin.get(`${V}/ledger?customer=${c.id}`);
  const kinds = ledger.json.items.map((e) => `${e.kind}:${e.credit_type}`);
  for (const k of ['hold:eur', 'capture:eur', 'purchase:master']) assert.ok(kinds.includes(k), `${k} in ${kinds}`);
});

test('no store credit: Stripe charges all of it; an expired checkout voids the invoice', async () => {
  const c = await shop();
  const r = await c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'stripe' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.invoice.amount_due, '119.00');
  assert.equal(stripe.sessions.get(r.json.invoice.gateway_reference).amount_total, 11900);
  const exp = await fetch(`${r.json.checkout_url}/expire`, { method: 'POST' });
  assert.equal(exp.status, 200);
  const inv = await c.owner.get(`${V}/invoices/${r.json.invoice.id}`);
  assert.equal(inv.json.status, 'void');
  assert.equal((await balance(c, 'master')).balance, '0');
});

test('the webhook refuses forged, stale and unsigned events and applies each event once', async () => {
  const c = await shop('10.00');
  const r = await c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'stripe' });
  const session = stripe.sessions.get(r.json.invoice.gateway_reference);
  const ev = makeEvent('checkout.session.completed', session);
  const forged = await deliver(hook, ev, { secret: 'whsec_not_ours' });
  assert.equal(forged.status, 400);
  assert.equal(JSON.parse(forged.body).code, 'signature_invalid');
  const unsigned = await deliver(hook, ev, { signatureHeader: null });
  assert.equal(unsigned.status, 400);
  const stale = await deliver(hook, ev, { secret: DEFAULT_WEBHOOK_SECRET, timestamp: Math.floor(Date.now() / 1000) - 3600 });
  assert.equal(stale.status, 400);
  // A body changed after signing fails too.
  const body = JSON.stringify(ev);
  const tampered = await deliver(hook, ev, { body: body.replace('"paid"', '"paid" '), signatureHeader: sign(body, DEFAULT_WEBHOOK_SECRET, Math.floor(Date.now() / 1000)) });
  assert.equal(tampered.status, 400);
  assert.equal((await c.owner.get(`${V}/invoices/${r.json.invoice.id}`)).json.status, 'open');
  // The real one pays; its replay changes nothing.
  const ok = await deliver(hook, ev, { secret: DEFAULT_WEBHOOK_SECRET });
  assert.equal(ok.status, 200, ok.body);
  assert.equal(JSON.parse(ok.body).outcome, 'paid');
  const replay = await deliver(hook, ev, { secret: DEFAULT_WEBHOOK_SECRET });
  assert.equal(replay.status, 200);
  assert.equal(JSON.parse(replay.body).outcome, 'duplicate');
  assert.equal((await balance(c, 'master')).balance, '50');
  // Out of order: an expiry arriving after the payment does not void it.
  const late = await deliver(hook, makeEvent('checkout.session.expired', session), { secret: DEFAULT_WEBHOOK_SECRET });
  assert.equal(JSON.parse(late.body).outcome, 'already_paid');
  assert.equal((await c.owner.get(`${V}/invoices/${r.json.invoice.id}`)).json.status, 'paid');
  // Unknown events are acknowledged and ignored.
  const other = await deliver(hook, makeEvent('customer.created', {}), { secret: DEFAULT_WEBHOOK_SECRET });
  assert.equal(other.status, 200);
  assert.equal(JSON.parse(other.body).outcome, 'unknown_reference');
  // A payment of another amount is not taken as paying the invoice.
  const c2 = await shop();
  const r2 = await c2.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'stripe' });
  const s2 = stripe.sessions.get(r2.json.invoice.gateway_reference);
  const wrong = await deliver(hook, makeEvent('checkout.session.completed', s2, { dataObject: { amount_total: 100 } }), { secret: DEFAULT_WEBHOOK_SECRET });
  assert.equal(JSON.parse(wrong.body).outcome, 'amount_mismatch');
  assert.equal((await c2.owner.get(`${V}/invoices/${r2.json.invoice.id}`)).json.status, 'open');
});

test('a gateway failure answers 502 and leaves nothing behind', async () => {
  const c = await shop('10.00');
  stripe.failNext(500);
  const r = await c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'stripe' });
  assert.equal(r.status, 502, r.text);
  assert.equal(r.json.code, 'gateway_unavailable');
  assert.ok(!r.text.includes(DEFAULT_SECRET_KEY));
  const list = await admin.get(`${V}/invoices?customer=${c.id}`);
  assert.equal(list.json.items.length, 0);
  assert.equal((await balance(c, 'eur')).available, '10.00');
  assert.ok(!server.log.includes(DEFAULT_SECRET_KEY));
});

test('an idempotent purchase repeats its answer and makes one invoice and one session', async () => {
  const c = await shop();
  const h = { headers: { 'Idempotency-Key': 'buy-once-1' } };
  const a = await c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'stripe' }, h);
  const b = await c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'stripe' }, h);
  assert.equal(a.status, 201);
  assert.equal(b.text, a.text);
  assert.equal((await admin.get(`${V}/invoices?customer=${c.id}`)).json.items.length, 1);
});

test('bad purchases are refused with the field named and change nothing', async () => {
  const c = await shop();
  const cases = [
    [{ gateway: 'manual' }, 422, 'package_id'],
    [{ package_id: pkg }, 422, 'gateway'],
    [{ package_id: pkg, gateway: 'paypal' }, 422, 'gateway'],
    [{ package_id: 'pkg_999999', gateway: 'manual' }, 422, 'package_id'],
    [{ package_id: pkg, gateway: 'manual', extra: 1 }, 422, 'extra'],
  ];
  for (const [body, status, field] of cases) {
    const r = await c.owner.post(`${V}/purchases`, body);
    assert.equal(r.status, status, JSON.stringify(body) + r.text);
    assert.ok(r.json.errors.some((e) => e.field === field), r.text);
  }
  // Staff must name the customer; members cannot name another.
  const staffless = await admin.post(`${V}/purchases`, { package_id: pkg, gateway: 'manual' });
  assert.equal(staffless.status, 422);
  const other = await shop();
  const theirs = await c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'manual', customer_id: other.id });
  assert.equal(theirs.status, 422);
  // An unpublished package is not for sale to customers.
  const hidden = await admin.post(`${V}/packages`, { name: 'Hidden', credits: { master: '5' }, price: '10.00', published: false });
  assert.equal((await c.owner.post(`${V}/purchases`, { package_id: hidden.json.id, gateway: 'manual' })).status, 422);
  assert.equal((await admin.get(`${V}/invoices?customer=${c.id}`)).json.items.length, 0);
  // Staff may sell it.
  assert.equal((await admin.post(`${V}/purchases`, { package_id: hidden.json.id, gateway: 'manual', customer_id: c.id })).status, 201);
});

test('customers see only their own invoices', async () => {
  const a = await shop();
  const b = await shop();
  const inv = (await a.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'manual' })).json.invoice;
  assert.equal((await b.owner.get(`${V}/invoices/${inv.id}`)).status, 404);
  assert.equal((await b.owner.get(`${V}/invoices/${inv.id}/html`)).status, 404);
  const list = await b.owner.get(`${V}/invoices?customer=${a.id}`);
  assert.equal(list.json.items.length, 0);
  assert.equal((await a.owner.get(`${V}/invoices`)).json.items.length, 1);
});

test('the printable invoice is HTML with a strict policy and escaped text', async () => {
  const c = await shop();
  await admin.patch(`${V}/customers/${c.id}`, { name: 'Garage <Nord> & Söhne' });
  const inv = (await c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'manual' })).json.invoice;
  const r = await c.owner.get(`${V}/invoices/${inv.id}/html`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  const csp = r.headers.get('content-security-policy');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /style-src 'sha256-[A-Za-z0-9+/]+=*'/);
  assert.ok(!/<script/i.test(r.text));
  assert.ok(r.text.includes('Garage &lt;Nord&gt; &amp; Söhne'));
  assert.ok(r.text.includes(`Invoice ${inv.number}`));
  assert.ok(r.text.includes('€119.00'), 'money as the invoice\'s language writes it');
  assert.ok(r.text.includes('@media print'));
});

test('a customer with a VAT ID in another EU country gets the reverse charge', async () => {
  const c = await shop();
  assert.equal((await admin.patch(`${V}/customers/${c.id}`, { vat_id: 'ATU12345678', country: 'AT' })).status, 200);
  const inv = (await c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'manual' })).json.invoice;
  assert.equal(inv.reverse_charge, true);
  assert.equal(inv.vat, '0.00');
  assert.equal(inv.gross, '100.00');
  assert.match(inv.note, /Reverse charge/);
  assert.equal((await admin.patch(`${V}/customers/${c.id}`, { country: 'Austria' })).status, 422);
});

test('voiding returns the store credit and removes the unspent credits, reporting the spent', async () => {
  const c = await shop('119.00');
  const stage = (await admin.post(`${V}/services`, { name: 'Stage 1 void', kind: 'base', category: 'tuning', costs: { master: '20' } })).json.id;
  const inv = (await c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'manual' })).json.invoice;
  assert.equal(inv.status, 'paid');
  assert.equal((await c.owner.post(`${V}/orders`, { credit_type: 'master', services: [stage], vehicle: { make: 'VW', model: 'Golf 7' } })).status, 201);
  assert.equal((await admin.post(`${V}/invoices/${inv.id}/void`, {})).status, 422);
  const v = await admin.post(`${V}/invoices/${inv.id}/void`, { reason: 'chargeback' });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.status, 'void');
  assert.equal(v.json.void_reason, 'chargeback');
  assert.equal(v.json.lots[0].removed, '30');
  assert.equal(v.json.lots[0].spent, '20');
  assert.equal((await balance(c, 'master')).balance, '0');
  assert.equal((await balance(c, 'eur')).balance, '119.00');
  assert.equal((await admin.post(`${V}/invoices/${inv.id}/void`, { reason: 'again' })).status, 409);
  const verify = await admin.get(`${V}/admin/verify`);
  assert.equal(verify.json.ok, true, verify.text);
});

test('an admin adds a lot with an open or paid invoice', async () => {
  const c = await shop();
  const r = await admin.post(`${V}/customers/${c.id}/lots`, { credit_type: 'slave', credits: '10', price: '50.00', invoice: 'open' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.remaining, '10');
  assert.equal(r.json.invoice.status, 'open');
  assert.equal(r.json.invoice.gross, '59.50');
  assert.equal(r.json.invoice.gateway, 'admin');
  assert.equal(r.json.invoice_id, r.json.invoice.id);
  const p = await admin.post(`${V}/customers/${c.id}/lots`, { package_id: pkg, invoice: 'paid' });
  assert.equal(p.status, 201, p.text);
  assert.equal(p.json.invoice.status, 'paid');
  assert.equal(p.json.invoice.net, '100.00');
  assert.equal((await balance(c, 'master')).balance, '50');
  assert.equal((await admin.post(`${V}/customers/${c.id}/lots`, { credit_type: 'slave', credits: '1', invoice: 'maybe' })).status, 422);
});

test('stripe refused when it is not configured', async () => {
  const plain = await startServer();
  try {
    const a = new Client(plain.url);
    await a.login(ADMIN.email, ADMIN.password);
    const p = await a.post(`${V}/packages`, { name: 'P', credits: { master: '5' }, price: '10.00', published: true });
    const c = await a.post(`${V}/customers`, { name: 'X' });
    const r = await a.post(`${V}/purchases`, { package_id: p.json.id, gateway: 'stripe', customer_id: c.json.id });
    assert.equal(r.status, 409);
    assert.equal(r.json.code, 'gateway_not_configured');
    const w = await deliver(`${plain.url}${V}/webhooks/stripe`, makeEvent('checkout.session.completed', {}), { secret: DEFAULT_WEBHOOK_SECRET });
    assert.equal(w.status, 409);
  } finally {
    await plain.stop();
  }
});
