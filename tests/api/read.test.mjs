// The read endpoints against the real server filled by `creditd demo`: the
// shape of every answer, keyset pagination (walking every page of a
// customer's ledger and checking the running balance), every filter, the 422
// cases, and authorization: a member (owner or technician) reaches only their
// own customer, another customer's object is 404, team routes are 403 for
// members and everything is 401 without credentials.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, ADMIN } from './harness.mjs';

const OWNER = { email: 'owner@weber-autotechnik.example', password: 'creditd-demo' };
const TECH = { email: 'tech@weber-autotechnik.example', password: 'creditd-demo' };
const V = '/api/v1';

let server;
let admin;
let owner;
let tech;
let own; // the owner's customer id
let other; // another customer's id

before(async () => {
  server = await startServer();
  server.cli('demo');
  admin = new Client(server.url);
  assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
  owner = new Client(server.url);
  assert.equal((await owner.login(OWNER.email, OWNER.password)).status, 200);
  tech = new Client(server.url);
  assert.equal((await tech.login(TECH.email, TECH.password)).status, 200);
  own = (await owner.get(`${V}/me`)).json.customer_id;
  const all = await admin.get(`${V}/customers?limit=200`);
  other = all.json.items.find((c) => c.id !== own).id;
});

after(async () => {
  const { code } = await server.stop();
  assert.equal(code, 0);
});

const AMOUNT0 = /^-?\d+$/;
const MONEY = /^-?\d+\.\d{2}$/;
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

function assertProblem(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers.get('content-type'), 'application/problem+json');
  assert.equal(r.json.code, code);
}

function assert422(r, field) {
  assertProblem(r, 422, 'validation_failed');
  assert.ok(Array.isArray(r.json.errors));
  assert.ok(r.json.errors.some((e) => e.field === field), `a field error on ${field}: ${r.text}`);
}

async function allPages(client, path) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 1000; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await client.get(cursor ? `${path}${sep}cursor=${cursor}` : path);
    assert.equal(r.status, 200, r.text);
    items.push(...r.json.items);
    cursor = r.json.next_cursor;
    if (cursor === null) return items;
  }
  throw new Error('pagination does not end');
}

// ---- catalogue and settings ---------------------------------------------

test('credit types list code, name, scale, kind, money unit value and the toggle', async () => {
  for (const c of [admin, owner, tech]) {
    const r = await c.get(`${V}/credit-types`);
    assert.equal(r.status, 200);
    const codes = r.json.items.map((t) => t.code);
    assert.ok(codes.includes('master') && codes.includes('slave'));
    for (const t of r.json.items) {
      assert.deepEqual(Object.keys(t).sort(), ['code', 'kind', 'name', 'scale', 'spendable', 'unit_value']);
      assert.match(t.unit_value, MONEY);
      assert.ok(['unit', 'monetary'].includes(t.kind));
      assert.equal(typeof t.spendable, 'boolean');
    }
  }
});

test('packages carry credits per type, a money price, VAT and validity', async () => {
  const r = await admin.get(`${V}/packages`);
  assert.equal(r.status, 200);
  assert.ok(r.json.items.length > 0);
  for (const p of r.json.items) {
    assert.match(p.id, /^pkg_\d+$/);
    assert.match(p.price, MONEY);
    assert.ok(p.vat_rate === null || /^\d+\.\d{2}$/.test(p.vat_rate));
    for (const [code, amount] of Object.entries(p.credits)) {
      assert.match(code, /^[a-z][a-z0-9_]*$/);
      assert.match(amount, /^\d+(\.\d+)?$/);
    }
    assert.ok(['immediate', 'fixed', 'first_use'].includes(p.validity.start));
    assert.ok('expires_at' in p.validity && 'expiry_days' in p.validity);
    for (const k of ['published', 'archived', 'sort_order', 'categories', 'provider', 'peak'])
      assert.ok(k in p, k);
  }
  const pro = r.json.items.find((p) => p.name === 'Pro');
  assert.deepEqual(pro.credits, { master: '75' });
  const m = await owner.get(`${V}/packages`);
  assert.equal(m.status, 200);
  assert.ok(m.json.items.every((p) => p.published && !p.archived));
});

test('services carry their cost per credit type', async () => {
  const r = await tech.get(`${V}/services`);
  assert.equal(r.status, 200);
  const stage1 = r.json.items.find((s) => s.name === 'Stage 1');
  assert.deepEqual(stage1.costs, { master: '6', slave: '4' });
  assert.equal(stage1.kind, 'base');
  for (const s of r.json.items) {
    assert.match(s.id, /^svc_\d+$/);
    for (const k of ['category', 'provider', 'active']) assert.ok(k in s);
  }
});

test('settings are for the team and show the VAT rate as a percentage', async () => {
  const r = await admin.get(`${V}/settings`);
  assert.equal(r.status, 200);
  assert.match(r.json.vat_rate, /^\d+\.\d{2}$/);
  assert.match(r.json.currency, /^[A-Z]{3}$/);
  for (const k of ['name', 'timezone', 'locale', 'refund_validity_days', 'charge_on', 'invoice_prefix'])
    assert.ok(k in r.json, k);
  assertProblem(await owner.get(`${V}/settings`), 403, 'forbidden');
});

test('verify is clean after the demo and only for admins', async () => {
  const r = await admin.get(`${V}/admin/verify`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { ok: true, findings: [] });
  assertProblem(await owner.get(`${V}/admin/verify`), 403, 'forbidden');
  assertProblem(await tech.get(`${V}/admin/verify`), 403, 'forbidden');
});

// ---- customers ----------------------------------------------------------

test('the customer list pages by id with balances in every type', async () => {
  const items = await allPages(admin, `${V}/customers?limit=5`);
  assert.equal(items.length, 12);
  const ids = items.map((c) => Number(c.id.slice(4)));
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  assert.equal(new Set(ids).size, 12);
  for (const c of items) {
    for (const k of ['name', 'email', 'vat_id', 'country', 'created_at']) assert.ok(k in c, k);
    assert.match(c.created_at, TIME);
    assert.match(c.balances.master.balance, AMOUNT0);
    assert.match(c.balances.master.available, AMOUNT0);
    assert.match(c.balances.master.held, AMOUNT0);
    assert.ok('slave' in c.balances);
  }
  const first = await admin.get(`${V}/customers?limit=5`);
  assert.equal(first.json.items.length, 5);
  assert.equal(first.json.next_cursor, first.json.items[4].id);
});

test('the customer search matches name or e-mail, case-insensitively', async () => {
  const r = await admin.get(`${V}/customers?q=WEBER`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items.map((c) => c.id), [own]);
  const none = await admin.get(`${V}/customers?q=no-such-shop`);
  assert.deepEqual(none.json.items, []);
  assert.equal(none.json.next_cursor, null);
});

test('the customer list refuses bad parameters and members', async () => {
  assert422(await admin.get(`${V}/customers?limit=0`), 'limit');
  assert422(await admin.get(`${V}/customers?limit=201`), 'limit');
  assert422(await admin.get(`${V}/customers?limit=abc`), 'limit');
  assert422(await admin.get(`${V}/customers?cursor=lot_1`), 'cursor');
  assertProblem(await owner.get(`${V}/customers`), 403, 'forbidden');
  assertProblem(await tech.get(`${V}/customers`), 403, 'forbidden');
});

test('one customer shows balances for every type and the members', async () => {
  const r = await owner.get(`${V}/customers/${own}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.id, own);
  assert.deepEqual(Object.keys(r.json.balances.master).sort(), ['available', 'balance', 'held']);
  const emails = r.json.members.map((m) => m.email).sort();
  assert.deepEqual(emails, [OWNER.email, TECH.email]);
  for (const m of r.json.members) {
    assert.match(m.user_id, /^usr_\d+$/);
    assert.ok(['owner', 'technician'].includes(m.role));
  }
  const a = await admin.get(`${V}/customers/${own}`);
  assert.deepEqual(a.json, r.json);
  assertProblem(await admin.get(`${V}/customers/cus_99999`), 404, 'not_found');
  assertProblem(await admin.get(`${V}/customers/garbage`), 404, 'not_found');
});

test('lots of a customer have the full shape and add up to the balance', async () => {
  const c = await admin.get(`${V}/customers/${own}`);
  const r = await admin.get(`${V}/customers/${own}/lots`);
  assert.equal(r.status, 200);
  assert.ok(r.json.items.length > 0);
  const keys = ['id', 'customer_id', 'credit_type', 'name', 'notes', 'source', 'status', 'original',
    'remaining', 'cost_basis', 'starts_at', 'expires_at', 'expiry_days_after_start', 'paused_at', 'start_on_first_use',
    'categories', 'provider', 'peak', 'package_id', 'invoice_id', 'created_at'];
  let master = 0;
  for (const l of r.json.items) {
    assert.deepEqual(Object.keys(l).sort(), [...keys].sort());
    assert.equal(l.customer_id, own);
    assert.match(l.cost_basis, MONEY);
    if (l.credit_type === 'master' && ['active', 'paused'].includes(l.status)) master += Number(l.remaining);
  }
  assert.equal(String(master), c.json.balances.master.balance);
  const ids = r.json.items.map((l) => Number(l.id.slice(4)));
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
});

test('a lot and its history', async () => {
  const lots = await owner.get(`${V}/customers/${own}/lots`);
  const lot = lots.json.items[lots.json.items.length - 1];
  const r = await owner.get(`${V}/lots/${lot.id}`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, lot);
  const h = await owner.get(`${V}/lots/${lot.id}/history`);
  assert.equal(h.status, 200);
  assert.ok(h.json.items.length > 0);
  let sum = 0;
  for (const e of h.json.items) {
    for (const k of ['kind', 'amount', 'detail', 'actor', 'journal_id', 'created_at']) assert.ok(k in e, k);
    assert.match(e.amount, AMOUNT0);
    sum += Number(e.amount);
  }
  assert.equal(h.json.items[0].kind, 'purchase');
  assert.equal(String(sum), lot.remaining, 'the postings of a lot add up to its remaining');
  assertProblem(await admin.get(`${V}/lots/lot_99999`), 404, 'not_found');
});

// ---- orders -------------------------------------------------------------

test('orders page newest first and show lines and allocations', async () => {
  const items = await allPages(admin, `${V}/orders?limit=50`);
  assert.ok(items.length > 100);
  const ids = items.map((o) => Number(o.id.slice(4)));
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
  assert.equal(new Set(ids).size, ids.length);
  const o = items.find((x) => x.customer_id === own);
  for (const k of ['reference', 'member_user_id', 'credit_type', 'status', 'charge_mode', 'base',
    'total', 'vehicle', 'notes', 'cancel_reason', 'created_by', 'created_at', 'updated_at'])
    assert.ok(k in o, k);
  assert.equal(typeof o.vehicle, 'object');
  const r = await owner.get(`${V}/orders/${o.id}`);
  assert.equal(r.status, 200);
  assert.ok(r.json.lines.length >= 1);
  const base = r.json.lines.reduce((s, l) => s + Number(l.cost), 0);
  assert.equal(String(base), r.json.base);
  for (const l of r.json.lines) assert.match(l.service_id, /^svc_\d+$/);
  const drawn = r.json.allocations.reduce((s, a) => s + Number(a.amount), 0);
  if (r.json.status !== 'cancelled') assert.equal(String(drawn), r.json.total);
  for (const a of r.json.allocations) {
    assert.match(a.lot_id, /^lot_\d+$/);
    assert.match(a.multiplier, /^\d+(\.\d+)?$/);
  }
  const mine = await admin.get(`${V}/orders?customer=${own}&limit=200`);
  assert.ok(mine.json.items.every((x) => x.customer_id === own));
  assert422(await admin.get(`${V}/orders?customer=nope`), 'customer');
  assert422(await admin.get(`${V}/orders?limit=-1`), 'limit');
  assertProblem(await admin.get(`${V}/orders/ord_99999`), 404, 'not_found');
});

test('orders filter by status: the waiting queue, pages and bad statuses', async () => {
  const all = await allPages(admin, `${V}/orders?limit=200`);
  const waiting = all.filter((o) => o.status === 'submitted' || o.status === 'in_progress');
  assert.ok(waiting.length > 0, 'the demo leaves orders open');
  const queue = await allPages(admin, `${V}/orders?status=submitted,in_progress&limit=2`);
  assert.deepEqual(queue.map((o) => o.id), waiting.map((o) => o.id));
  for (const status of ['submitted', 'in_progress', 'completed', 'cancelled']) {
    const one = await allPages(admin, `${V}/orders?status=${status}&limit=200`);
    assert.deepEqual(one.map((o) => o.id), all.filter((o) => o.status === status).map((o) => o.id), status);
  }
  const closed = await allPages(admin, `${V}/orders?status=cancelled,completed&customer=${own}&limit=200`);
  assert.deepEqual(closed.map((o) => o.id), all.filter((o) => o.customer_id === own &&
    (o.status === 'completed' || o.status === 'cancelled')).map((o) => o.id));
  // A member's filter stays within their own customer.
  const mine = await allPages(owner, `${V}/orders?status=completed&customer=${other}&limit=200`);
  assert.ok(mine.length > 0 && mine.every((o) => o.customer_id === own && o.status === 'completed'));
  for (const bad of ['open', 'submitted,submitted', 'submitted,', ',in_progress', 'SUBMITTED'])
    assert422(await admin.get(`${V}/orders?status=${encodeURIComponent(bad)}`), 'status');
  const d = await admin.get(`${V}/admin/dashboard`);
  assert.deepEqual(d.json.orders_waiting, {
    submitted: all.filter((o) => o.status === 'submitted').length,
    in_progress: all.filter((o) => o.status === 'in_progress').length,
  });
});

// ---- ledger -------------------------------------------------------------

test('the ledger pages newest first and every running balance adds up', async () => {
  const items = await allPages(admin, `${V}/ledger?customer=${own}&limit=7`);
  assert.ok(items.length > 20);
  const ids = items.map((e) => Number(e.id.slice(4)));
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
  assert.equal(new Set(ids).size, ids.length);
  const keys = ['id', 'created_at', 'customer_id', 'credit_type', 'kind', 'amount', 'balance_after',
    'order_id', 'transfer_id', 'lot_ids', 'actor', 'reason', 'justification'];
  const newerOfType = {};
  for (const e of items) {
    assert.deepEqual(Object.keys(e).sort(), [...keys].sort());
    assert.equal(e.customer_id, own);
    assert.match(e.created_at, TIME);
    for (const l of e.lot_ids) assert.match(l, /^lot_\d+$/);
    const newer = newerOfType[e.credit_type];
    if (newer) {
      assert.equal(Number(newer.balance_after), Number(e.balance_after) + Number(newer.amount),
        `${newer.id} follows ${e.id}`);
    }
    newerOfType[e.credit_type] = e;
  }
  const c = await admin.get(`${V}/customers/${own}`);
  assert.equal(items[0].balance_after, c.json.balances[items[0].credit_type].balance);
  const whole = await admin.get(`${V}/ledger?customer=${own}&limit=200`);
  assert.deepEqual(whole.json.items, items.slice(0, 200));
});

test('the ledger filters by credit type, kind, actor and time range', async () => {
  const byType = await admin.get(`${V}/ledger?credit_type=slave&limit=200`);
  assert.ok(byType.json.items.length > 0);
  assert.ok(byType.json.items.every((e) => e.credit_type === 'slave'));
  const purchases = await admin.get(`${V}/ledger?kind=purchase&limit=200`);
  assert.ok(purchases.json.items.length > 0);
  assert.ok(purchases.json.items.every((e) => e.kind === 'purchase' && Number(e.amount) > 0));
  const adj = await admin.get(`${V}/ledger?kind=adjustment`);
  assert.ok(adj.json.items.length > 0);
  const actor = adj.json.items[0].actor;
  const byActor = await admin.get(`${V}/ledger?actor=${encodeURIComponent(actor)}&limit=200`);
  assert.ok(byActor.json.items.length > 0);
  assert.ok(byActor.json.items.every((e) => e.actor === actor));
  const all = await allPages(admin, `${V}/ledger?customer=${own}&limit=200`);
  const mid = all[Math.floor(all.length / 2)].created_at;
  const last = all[0].created_at;
  const from = await allPages(admin, `${V}/ledger?customer=${own}&from=${mid}&limit=200`);
  const to = await allPages(admin, `${V}/ledger?customer=${own}&to=${mid}&limit=200`);
  assert.ok(from.every((e) => e.created_at >= mid));
  assert.ok(to.every((e) => e.created_at < mid), 'to is exclusive');
  assert.equal(from.length + to.length, all.length);
  const window = await admin.get(`${V}/ledger?customer=${own}&from=${mid}&to=${last}&limit=200`);
  assert.ok(window.json.items.every((e) => e.created_at >= mid && e.created_at < last));
  const both = await admin.get(`${V}/ledger?customer=${own}&credit_type=master&kind=order&limit=200`);
  assert.ok(both.json.items.length > 0);
  assert.ok(both.json.items.every((e) => e.customer_id === own && e.credit_type === 'master' && e.kind === 'order'));
});

test('the ledger refuses bad parameters with a 422 naming each field', async () => {
  assert422(await admin.get(`${V}/ledger?credit_type=gold`), 'credit_type');
  assert422(await admin.get(`${V}/ledger?kind=gift`), 'kind');
  assert422(await admin.get(`${V}/ledger?from=yesterday`), 'from');
  assert422(await admin.get(`${V}/ledger?to=2026-13-45`), 'to');
  assert422(await admin.get(`${V}/ledger?limit=0`), 'limit');
  assert422(await admin.get(`${V}/ledger?limit=1000`), 'limit');
  assert422(await admin.get(`${V}/ledger?cursor=ord_1`), 'cursor');
  assert422(await admin.get(`${V}/ledger?customer=x`), 'customer');
  assert422(await admin.get(`${V}/ledger?from=2026-03-02&to=2026-03-01`), 'to');
  const many = await admin.get(`${V}/ledger?kind=gift&limit=0&from=x`);
  const fields = many.json.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['from', 'kind', 'limit']);
  assert422(await owner.get(`${V}/ledger?credit_type=gold`), 'credit_type');
});

test('the ledger CSV has the export columns, oldest first, with the filters', async () => {
  const r = await admin.get(`${V}/ledger.csv?customer=${own}`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.equal(r.headers.get('content-disposition'), 'attachment; filename="ledger.csv"');
  const lines = r.text.trim().split('\n');
  assert.equal(lines[0], 'id,created_at,customer_id,credit_type,kind,amount,balance_after,order_id,lot_ids,actor,reason,justification,hash');
  const json = await allPages(admin, `${V}/ledger?customer=${own}&limit=200`);
  assert.equal(lines.length - 1, json.length);
  const rows = lines.slice(1).map((l) => l.split(','));
  assert.deepEqual(rows.map((f) => f[0]), json.map((e) => e.id).reverse());
  for (const f of rows) {
    assert.equal(f[2], own);
    assert.match(f[f.length - 1], /^[0-9a-f]{64}$/);
  }
  const orders = await admin.get(`${V}/ledger.csv?kind=order&credit_type=master`);
  const body = orders.text.trim().split('\n').slice(1);
  assert.ok(body.length > 0);
  assert.ok(body.every((l) => l.split(',')[4] === 'order' && l.split(',')[3] === 'master'));
  assert422(await admin.get(`${V}/ledger.csv?kind=nope`), 'kind');
});

// ---- summary ------------------------------------------------------------

test('a customer summary sums credits in and out per type', async () => {
  const r = await owner.get(`${V}/customers/${own}/summary`);
  assert.equal(r.status, 200);
  const all = await allPages(owner, `${V}/ledger?limit=200`);
  const master = all.filter((e) => e.credit_type === 'master');
  const inSum = master.filter((e) => Number(e.amount) > 0).reduce((s, e) => s + Number(e.amount), 0);
  const outSum = master.filter((e) => Number(e.amount) < 0).reduce((s, e) => s - Number(e.amount), 0);
  assert.equal(r.json.credit_types.master.purchased, String(inSum));
  assert.equal(r.json.credit_types.master.used, String(outSum));
  assert.equal(r.json.credit_types.master.balance, String(inSum - outSum));
  const mid = all[Math.floor(all.length / 2)].created_at;
  const part = await admin.get(`${V}/customers/${own}/summary?from=${mid}`);
  const after = master.filter((e) => e.created_at >= mid && Number(e.amount) > 0).reduce((s, e) => s + Number(e.amount), 0);
  assert.equal(part.json.credit_types.master.purchased, String(after));
  assert422(await admin.get(`${V}/customers/${own}/summary?from=bad`), 'from');
  assertProblem(await owner.get(`${V}/customers/${other}/summary`), 404, 'not_found');
});

// ---- authorization ------------------------------------------------------

test('members reach only their own customer: everything else is 404', async () => {
  const lotsOther = await admin.get(`${V}/customers/${other}/lots`);
  const otherLot = lotsOther.json.items[0].id;
  const ordersOther = await admin.get(`${V}/orders?customer=${other}`);
  const otherOrder = ordersOther.json.items[0].id;
  for (const c of [owner, tech]) {
    assertProblem(await c.get(`${V}/customers/${other}`), 404, 'not_found');
    assertProblem(await c.get(`${V}/customers/${other}/lots`), 404, 'not_found');
    assertProblem(await c.get(`${V}/lots/${otherLot}`), 404, 'not_found');
    assertProblem(await c.get(`${V}/lots/${otherLot}/history`), 404, 'not_found');
    assertProblem(await c.get(`${V}/orders/${otherOrder}`), 404, 'not_found');
    // The answer for another's object is the answer for one that does not exist.
    const missing = await c.get(`${V}/orders/ord_99999`);
    const theirs = await c.get(`${V}/orders/${otherOrder}`);
    assert.equal(missing.json.detail, theirs.json.detail);
    const ledger = await c.get(`${V}/ledger?customer=${other}&limit=200`);
    assert.equal(ledger.status, 200);
    assert.ok(ledger.json.items.length > 0);
    assert.ok(ledger.json.items.every((e) => e.customer_id === own));
    const csv = await c.get(`${V}/ledger.csv?customer=${other}`);
    assert.ok(csv.text.trim().split('\n').slice(1).every((l) => l.split(',')[2] === own));
    const orders = await c.get(`${V}/orders?customer=${other}&limit=200`);
    assert.ok(orders.json.items.length > 0);
    assert.ok(orders.json.items.every((o) => o.customer_id === own));
    assert.equal((await c.get(`${V}/customers/${own}/lots`)).status, 200);
  }
});

test('without credentials every read is 401; team routes are 403 for members', async () => {
  const anon = new Client(server.url);
  for (const p of ['/credit-types', '/packages', '/services', '/customers', `/customers/${own}`,
    `/customers/${own}/lots`, '/lots/lot_1', '/lots/lot_1/history', '/orders', '/orders/ord_1',
    '/ledger', '/ledger.csv', '/settings', '/admin/verify', `/customers/${own}/summary`])
    assertProblem(await anon.get(V + p), 401, 'unauthenticated');
  for (const c of [owner, tech])
    for (const p of ['/customers', '/settings', '/admin/verify'])
      assertProblem(await c.get(V + p), 403, 'forbidden');
});

test('a staff API key reads the team routes but not verify', async () => {
  const key = await admin.post(`${V}/api-keys`, { role: 'staff', name: 'reader' });
  assert.equal(key.status, 201);
  const staff = new Client(server.url);
  staff.bearer = key.json.key;
  assert.equal((await staff.get(`${V}/customers`)).status, 200);
  assert.equal((await staff.get(`${V}/settings`)).status, 200);
  assert.equal((await staff.get(`${V}/ledger?customer=${other}`)).status, 200);
  assertProblem(await staff.get(`${V}/admin/verify`), 403, 'forbidden');
});

// ---- dashboards ---------------------------------------------------------

test('the member dashboard shows balances, this month, 30 days of spend and lifetime sums', async () => {
  const r = await tech.get(`${V}/me/dashboard`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.customer_id, own);
  const m = r.json.credit_types.master;
  const c = await owner.get(`${V}/customers/${own}`);
  assert.equal(m.balance, c.json.balances.master.balance);
  assert.equal(m.available, c.json.balances.master.available);
  assert.equal(m.spend_30d.length, 30);
  assert.ok(m.spend_30d.every((x) => AMOUNT0.test(x)));
  assert.match(m.value, MONEY);
  for (const e of m.expiring_soon) {
    assert.match(e.lot_id, /^lot_\d+$/);
    assert.match(e.expires_at, TIME);
  }
  const all = await allPages(owner, `${V}/ledger?credit_type=master&limit=200`);
  const inSum = all.filter((e) => Number(e.amount) > 0).reduce((s, e) => s + Number(e.amount), 0);
  const outSum = all.filter((e) => Number(e.amount) < 0).reduce((s, e) => s - Number(e.amount), 0);
  assert.equal(m.purchased, String(inSum));
  assert.equal(m.used, String(outSum));
  const since = all.filter((e) => e.created_at >= r.json.first_day);
  const spent = since.filter((e) => ['order', 'refund', 'capture'].includes(e.kind))
    .reduce((s, e) => s - Number(e.amount), 0);
  assert.equal(m.spend_30d.reduce((s, x) => s + Number(x), 0), spent);
  const month = all.filter((e) => e.created_at >= r.json.month_start);
  assert.equal(m.in_this_month, String(month.filter((e) => Number(e.amount) > 0).reduce((s, e) => s + Number(e.amount), 0)));
  assertProblem(await admin.get(`${V}/me/dashboard`), 403, 'forbidden');
});

test('the admin dashboard shows credits sold per day, outstanding credits and adjustments', async () => {
  const r = await admin.get(`${V}/admin/dashboard`);
  assert.equal(r.status, 200, r.text);
  const m = r.json.credit_types.master;
  assert.equal(m.sold_30d.length, 30);
  const customers = await allPages(admin, `${V}/customers?limit=200`);
  const booked = customers.reduce((s, c) => s + Number(c.balances.master.balance), 0);
  assert.equal(Number(m.outstanding), booked);
  assert.match(m.outstanding_value, MONEY);
  const sold = (await allPages(admin, `${V}/ledger?kind=purchase&from=${r.json.first_day}&limit=200`))
    .concat(await allPages(admin, `${V}/ledger?kind=grant&from=${r.json.first_day}&limit=200`))
    .filter((e) => e.credit_type === 'master').reduce((s, e) => s + Number(e.amount), 0);
  assert.equal(m.sold_30d.reduce((s, x) => s + Number(x), 0), sold);
  assert.ok(r.json.recent_adjustments.length > 0 && r.json.recent_adjustments.length <= 10);
  for (const a of r.json.recent_adjustments)
    for (const k of ['id', 'created_at', 'customer_id', 'credit_type', 'amount', 'actor', 'reason', 'justification'])
      assert.ok(k in a, k);
  assertProblem(await owner.get(`${V}/admin/dashboard`), 403, 'forbidden');
});
