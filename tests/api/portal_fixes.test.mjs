// The API side of issue 13's portal defects, against the real server filled
// by `creditd demo`: CSV exports that a spreadsheet cannot run as formulas
// (text cells starting with '=', '+', '-', '@', tab or CR get a leading "'",
// amounts stay numbers).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, ADMIN } from './harness.mjs';

const OWNER = { email: 'owner@weber-autotechnik.example', password: 'creditd-demo' };
const V = '/api/v1';

let server;
let admin;
let owner;
let own; // the owner's customer id

before(async () => {
  server = await startServer();
  server.cli('demo');
  admin = new Client(server.url);
  assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
  owner = new Client(server.url);
  assert.equal((await owner.login(OWNER.email, OWNER.password)).status, 200);
  own = (await owner.get(`${V}/me`)).json.customer_id;
});

after(async () => {
  const { code } = await server.stop();
  assert.equal(code, 0);
});

// RFC 4180 rows (quoted fields may hold commas, quotes and newlines).
export function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

async function serviceId(name) {
  const r = await admin.get(`${V}/services`);
  return r.json.items.find((s) => s.name === name).id;
}

test('ledger.csv writes text cells that could run as formulas with a leading quote; amounts stay numbers', async () => {
  const stage1 = await serviceId('Stage 1');
  const reasons = ['=HYPERLINK("http://x","y")', '+1', '@x', '-x', '\tx'];
  for (const [i, reason] of [...reasons, '\rx'].entries()) {
    const o = await owner.post(`${V}/orders`, {
      credit_type: 'master', services: [stage1], vehicle: { make: 'VW', model: `Golf ${i}` },
    }, { headers: { 'Idempotency-Key': `csv-order-${i}` } });
    assert.equal(o.status, 201, o.text);
    const c = await admin.post(`${V}/orders/${o.json.id}/cancel`, { reason });
    // A carriage return is no text the API stores (the CSV unit tests cover
    // it); the others are.
    if (reason.startsWith('\r')) assert.equal(c.status, 422, c.text);
    else assert.equal(c.status, 200, c.text);
  }
  const adj = await admin.post(`${V}/customers/${own}/adjustments`,
    { credit_type: 'master', amount: '-5', reason: 'correction', justification: '-5 by hand' });
  assert.equal(adj.status, 201, adj.text);

  const r = await admin.get(`${V}/ledger.csv?customer=${own}`);
  assert.equal(r.status, 200);
  const rows = parseCsv(r.text);
  const head = rows[0];
  const col = (name) => head.indexOf(name);
  const refunds = rows.filter((f) => f[col('kind')] === 'refund').map((f) => f[col('reason')]);
  for (const reason of reasons) assert.ok(refunds.includes(`'${reason}`), `${JSON.stringify(reason)} not neutralised: ${JSON.stringify(refunds)}`);
  assert.ok(!rows.some((f) => f.some((cell) => /^[=+@\t\r]/.test(cell) || /^-[^0-9]/.test(cell))), 'a cell starts like a formula');
  const mine = rows.find((f) => f[col('justification')] === "'-5 by hand");
  assert.ok(mine, 'the adjustment row');
  assert.equal(mine[col('amount')], '-5');
  assert.match(r.text, /,-5,/);
});

test('GET /me lists the payment methods this server offers: a card only when Stripe is set up', async () => {
  const me = await owner.get(`${V}/me`);
  assert.equal(me.status, 200);
  assert.deepEqual(me.json.tenant.payment_methods, ['manual']);
  const r = await owner.post(`${V}/purchases`, { package_id: (await owner.get(`${V}/packages`)).json.items[0].id, gateway: 'stripe' });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'gateway_not_configured');

  const card = await startServer({ env: { CREDITD_STRIPE_SECRET_KEY: 'sk_test_issue13', CREDITD_STRIPE_API_BASE: 'http://127.0.0.1:9' } });
  try {
    const c = new Client(card.url);
    assert.equal((await c.login(ADMIN.email, ADMIN.password)).status, 200);
    assert.deepEqual((await c.get(`${V}/me`)).json.tenant.payment_methods, ['manual', 'stripe']);
  } finally {
    await card.stop();
  }
});

test('GET /me gives a technician each monthly limit with what this month took and what is left', async () => {
  const TECH = { email: 'tech@weber-autotechnik.example', password: 'creditd-demo' };
  const tech = new Client(server.url);
  assert.equal((await tech.login(TECH.email, TECH.password)).status, 200);
  const me = (await tech.get(`${V}/me`)).json;
  assert.equal(me.role, 'technician');
  assert.equal((await owner.get(`${V}/me`)).json.monthly_limits, null);
  const set = await owner.patch(`${V}/customers/${own}/members/${me.user_id}`, { monthly_limits: { master: '40' } });
  assert.equal(set.status, 200, set.text);
  const before = (await tech.get(`${V}/me`)).json.monthly_limits.master;
  assert.equal(before.limit, '40');
  assert.equal(Number(before.spent) + Number(before.left), 40);
  const stage1 = await serviceId('Stage 1');
  const o = await tech.post(`${V}/orders`, { credit_type: 'master', services: [stage1], vehicle: { make: 'Audi', model: 'A4' } },
    { headers: { 'Idempotency-Key': 'limit-order' } });
  assert.equal(o.status, 201, o.text);
  const after = (await tech.get(`${V}/me`)).json.monthly_limits.master;
  assert.equal(Number(after.spent), Number(before.spent) + Number(o.json.total));
  assert.equal(Number(after.left), 40 - Number(after.spent));
  assert.equal((await owner.patch(`${V}/customers/${own}/members/${me.user_id}`, { monthly_limits: { master: null } })).status, 200);
  assert.deepEqual((await tech.get(`${V}/me`)).json.monthly_limits, {});
});

test('settings refuse an unknown time zone, currency or country with 422 and change nothing', async () => {
  const before = (await admin.get(`${V}/settings`)).json;
  for (const [field, value] of [['timezone', 'Mars/Olympus_Mons'], ['currency', 'QQQ'], ['country', 'QQ'], ['currency', 'eur']]) {
    const r = await admin.patch(`${V}/settings`, { [field]: value });
    assert.equal(r.status, 422, `${field} ${value}: ${r.text}`);
    assert.equal(r.json.code, 'validation_failed');
    assert.equal(r.json.field, field);
  }
  assert.deepEqual((await admin.get(`${V}/settings`)).json, before);
  const ok = await admin.patch(`${V}/settings`, { timezone: 'Europe/Vienna', currency: 'CHF', country: 'AT' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal((await admin.patch(`${V}/settings`, { timezone: before.timezone, currency: before.currency, country: before.country })).status, 200);
});
