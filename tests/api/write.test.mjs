// The ledger through the API: customers, lots, orders (quote, place, refuse,
// cancel, complete, hold), adjustments, deductions, lot management, transfers,
// settings, members acting for their own customer only, 50 concurrent
// orders against a balance that affords 20, and a customer with 300 lots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, ADMIN } from './harness.mjs';

let server;
let admin;
let stage1;
let dpf;

before(async () => {
  server = await startServer();
  admin = new Client(server.url);
  await admin.login(ADMIN.email, ADMIN.password);
  stage1 = (await admin.post('/api/v1/services', {
    name: 'Stage 1', kind: 'base', category: 'tuning', costs: { master: '3', slave: '2' },
  })).json.id;
  dpf = (await admin.post('/api/v1/services', {
    name: 'DPF', kind: 'addon', category: 'tuning', costs: { master: 2 },
  })).json.id;
});
after(async () => { await server.stop(); });

async function customer(name) {
  const r = await admin.post('/api/v1/customers', { name, email: `${name.toLowerCase().replace(/\W/g, '')}@shop.example` });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

async function lot(customerId, body) {
  const r = await admin.post(`/api/v1/customers/${customerId}/lots`, body);
  assert.equal(r.status, 201, r.text);
  return r.json;
}

test('a manual lot is created with its remaining credits', async () => {
  const id = await customer('Lots');
  const l = await lot(id, { credit_type: 'master', credits: '5', source: 'manual', name: 'A', expires_at: '2099-03-01T00:00:00Z' });
  assert.equal(l.remaining, '5');
  assert.equal(l.original, '5');
  assert.equal(l.status, 'active');
  assert.equal(l.expires_at, '2099-03-01T00:00:00Z');
  assert.match(l.id, /^lot_\d+$/);
  const bad = await admin.post(`/api/v1/customers/${id}/lots`, { credit_type: 'master', credits: '1.5' });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.field, 'credits');
  const unknown = await admin.post(`/api/v1/customers/${id}/lots`, { credit_type: 'gold', credits: '1' });
  assert.equal(unknown.status, 422);
  assert.equal(unknown.json.field, 'credit_type');
  const nobody = await admin.post('/api/v1/customers/cus_999999/lots', { credit_type: 'master', credits: '1' });
  assert.equal(nobody.status, 404);
});

test('quote then order charges exactly the quote, from the earliest expiry', async () => {
  const id = await customer('Orders');
  const a = await lot(id, { credit_type: 'master', credits: '4', expires_at: '2099-01-01T00:00:00Z' });
  const b = await lot(id, { credit_type: 'master', credits: '10' });
  const input = { customer_id: id, credit_type: 'master', services: [stage1, dpf] };
  const q = await admin.post('/api/v1/quotes', input);
  assert.equal(q.status, 200);
  assert.equal(q.json.total, '5');
  assert.equal(q.json.balance_after, '9');
  assert.deepEqual(q.json.allocations.map((x) => [x.lot_id, x.amount]), [[a.id, '4'], [b.id, '1']]);
  const o = await admin.post('/api/v1/orders', { ...input, vehicle: { make: 'BMW', model: 'F30' }, notes: 'Stage 1 + DPF' });
  assert.equal(o.status, 201, o.text);
  assert.match(o.json.reference, /^ORD-\d{4}-\d{6}$/);
  assert.equal(o.json.total, q.json.total);
  assert.equal(o.json.status, 'submitted');
  assert.deepEqual(o.json.allocations, q.json.allocations);
});

test('an order that cannot be afforded is 409 insufficient_credits and changes nothing', async () => {
  const id = await customer('Short');
  await lot(id, { credit_type: 'master', credits: '2' });
  const o = await admin.post('/api/v1/orders', { customer_id: id, credit_type: 'master', services: [stage1] });
  assert.equal(o.status, 409);
  assert.equal(o.json.code, 'insufficient_credits');
  assert.equal(o.json.shortfall, '1');
  assert.equal(o.json.available, '2');
  assert.equal(o.json.requested, '3');
  const q = await admin.post('/api/v1/quotes', { customer_id: id, credit_type: 'master', services: [stage1] });
  assert.equal(q.json.affordable, false);
  assert.equal(q.json.shortfall, '1');
  assert.equal(q.json.available, '2');
});

test('cancelling refunds, and a cancelled order cannot be cancelled again', async () => {
  const id = await customer('Cancel');
  const l = await lot(id, { credit_type: 'master', credits: '3' });
  const o = await admin.post('/api/v1/orders', { customer_id: id, credit_type: 'master', services: [stage1] });
  assert.equal(o.status, 201);
  const c = await admin.post(`/api/v1/orders/${o.json.id}/cancel`, { reason: 'wrong file' });
  assert.equal(c.status, 200);
  assert.equal(c.json.status, 'cancelled');
  const again = await admin.post(`/api/v1/orders/${o.json.id}/cancel`, { reason: 'again' });
  assert.equal(again.status, 409);
  assert.equal(again.json.code, 'invalid_order_state');
  const deduct = await admin.post(`/api/v1/lots/${l.id}/deduct`, { amount: '3', reason: 'correction', justification: 'test' });
  assert.equal(deduct.status, 200);
  assert.equal(deduct.json.remaining, '0');
});

test('adjustments need a known reason and a justification', async () => {
  const id = await customer('Adjust');
  const cases = [
    [{ credit_type: 'master', amount: '5', reason: 'because', justification: 'x' }, 'reason'],
    [{ credit_type: 'master', amount: '5', reason: 'goodwill', justification: '' }, 'justification'],
    [{ credit_type: 'master', amount: '0', reason: 'goodwill', justification: 'x' }, 'amount'],
    [{ credit_type: 'master', amount: 'five', reason: 'goodwill', justification: 'x' }, 'amount'],
  ];
  for (const [body, field] of cases) {
    const r = await admin.post(`/api/v1/customers/${id}/adjustments`, body);
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.equal(r.json.field, field);
  }
  const add = await admin.post(`/api/v1/customers/${id}/adjustments`, { credit_type: 'master', amount: '5', reason: 'goodwill', justification: 'Second revision' });
  assert.equal(add.status, 201);
  const sub = await admin.post(`/api/v1/customers/${id}/adjustments`, { credit_type: 'master', amount: '-2', reason: 'correction', justification: 'Booked twice' });
  assert.equal(sub.status, 201);
  assert.equal(sub.json.amount, '-2');
  const over = await admin.post(`/api/v1/customers/${id}/adjustments`, { credit_type: 'master', amount: '-4', reason: 'correction', justification: 'too much' });
  assert.equal(over.status, 409);
  assert.equal(over.json.code, 'insufficient_credits');
});

test('lots are paused, resumed, extended, deactivated and reactivated', async () => {
  const id = await customer('Manage');
  const l = await lot(id, { credit_type: 'master', credits: '6', expires_at: '2099-01-01T00:00:00Z' });
  const p = await admin.post(`/api/v1/lots/${l.id}/pause`, { reason: 'holiday' });
  assert.equal(p.json.status, 'paused');
  assert.equal((await admin.post(`/api/v1/lots/${l.id}/pause`, {})).status, 409);
  const o = await admin.post('/api/v1/orders', { customer_id: id, credit_type: 'master', services: [stage1] });
  assert.equal(o.status, 409);
  assert.equal((await admin.post(`/api/v1/lots/${l.id}/resume`)).json.status, 'active');
  const e = await admin.post(`/api/v1/lots/${l.id}/extend`, { expires_at: '2099-06-01T00:00:00Z' });
  assert.equal(e.json.expires_at, '2099-06-01T00:00:00Z');
  const back = await admin.post(`/api/v1/lots/${l.id}/extend`, { expires_at: '2098-01-01T00:00:00Z' });
  assert.equal(back.status, 422);
  assert.equal((await admin.post(`/api/v1/lots/${l.id}/deactivate`, { reason: 'chargeback' })).json.remaining, '0');
  assert.equal((await admin.post(`/api/v1/lots/${l.id}/reactivate`)).json.remaining, '6');
  const edit = await admin.patch(`/api/v1/lots/${l.id}`, { name: 'Renamed', notes: 'VIP' });
  assert.equal(edit.json.name, 'Renamed');
  assert.equal(edit.json.remaining, '6');
  // The history says what the name was and became, and that the notes changed.
  const long = `Ü${'x'.repeat(70)}`;
  assert.equal((await admin.patch(`/api/v1/lots/${l.id}`, { name: long, notes: 'VIP' })).status, 200);
  const edits = (await admin.get(`/api/v1/lots/${l.id}/history`)).json.items.filter((e) => e.kind === 'edit');
  assert.deepEqual(edits.map((e) => [e.detail, e.amount, e.actor]), [
    ["name '' -> 'Renamed'; notes changed", '0', ADMIN.email],
    [`name 'Renamed' -> '${long.slice(0, 59)}'`, '0', ADMIN.email],
  ]);
  const count = await admin.patch(`/api/v1/lots/${l.id}`, { remaining: '100' });
  assert.equal(count.status, 422);
  assert.equal(count.json.field, 'remaining');
});

test('a transfer moves credits between customers, all or nothing', async () => {
  const a = await customer('From shop');
  const b = await customer('To shop');
  await lot(a, { credit_type: 'master', credits: '10' });
  await lot(b, { credit_type: 'master', credits: '3' });
  const t = await admin.post('/api/v1/transfers', { from_customer_id: a, to_customer_id: b, credit_type: 'master', amount: '4', justification: 'sister shop' });
  assert.equal(t.status, 201, t.text);
  // The answer names both ledger entries, the receiver's new lot and both balances after.
  assert.equal(t.json.from_balance_after, '6');
  assert.equal(t.json.to_balance_after, '7');
  const [out] = (await admin.get(`/api/v1/ledger?customer=${a}&kind=transfer`)).json.items;
  const [into] = (await admin.get(`/api/v1/ledger?customer=${b}&kind=transfer`)).json.items;
  assert.deepEqual([out.id, out.amount, out.balance_after, out.transfer_id], [t.json.from_journal_id, '-4', '6', t.json.id]);
  assert.deepEqual([into.id, into.amount, into.balance_after, into.transfer_id], [t.json.to_journal_id, '4', '7', t.json.id]);
  assert.deepEqual(into.lot_ids, [t.json.to_lot_id]);
  const newLot = (await admin.get(`/api/v1/lots/${t.json.to_lot_id}`)).json;
  assert.deepEqual([newLot.customer_id, newLot.source, newLot.original], [b, 'transfer', '4']);
  const too = await admin.post('/api/v1/transfers', { from_customer_id: a, to_customer_id: b, credit_type: 'master', amount: '7', justification: 'x' });
  assert.equal(too.status, 409);
  assert.equal(too.json.code, 'insufficient_credits');
  assert.equal(too.json.field, 'amount');
  assert.equal((await admin.get(`/api/v1/customers/${a}`)).json.balances.master.balance, '6', 'a refused transfer changed nothing');
  assert.equal((await admin.get(`/api/v1/customers/${b}`)).json.balances.master.balance, '7');
});

test('a first-use lot valid N days from its start says so until it starts', async () => {
  const c = await customer('First use shop');
  const l = await lot(c, { credit_type: 'master', credits: '5', start: 'first_use', expiry: 'days_from_start', expiry_days: 30 });
  assert.deepEqual([l.start_on_first_use, l.starts_at, l.expires_at, l.expiry_days_after_start], [true, null, null, 30]);
  const fixed = await lot(c, { credit_type: 'master', credits: '5', expiry_days: 10 });
  assert.equal(fixed.expiry_days_after_start, 0);
});

test('a member orders for their own customer only and cannot manage credits', async () => {
  const mine = await customer('Member shop');
  const other = await customer('Other shop');
  await lot(mine, { credit_type: 'master', credits: '9' });
  await lot(other, { credit_type: 'master', credits: '9' });
  const m = await admin.post(`/api/v1/customers/${mine}/members`, { email: 'owner@membershop.example', password: 'owner-password-1', role: 'owner' });
  assert.equal(m.status, 201, m.text);
  const owner = new Client(server.url);
  assert.equal((await owner.login('owner@membershop.example', 'owner-password-1')).status, 200);
  const o = await owner.post('/api/v1/orders', { credit_type: 'master', services: [stage1], vehicle: { make: 'VW', model: 'Golf 7' } });
  assert.equal(o.status, 201, o.text);
  const theirs = await owner.post('/api/v1/orders', { customer_id: other, credit_type: 'master', services: [stage1], vehicle: { make: 'VW', model: 'Golf 7' } });
  assert.equal(theirs.status, 404);
  const otherOrder = await admin.post('/api/v1/orders', { customer_id: other, credit_type: 'master', services: [stage1] });
  assert.equal((await owner.post(`/api/v1/orders/${otherOrder.json.id}/cancel`, {})).status, 404);
  assert.equal((await owner.post(`/api/v1/customers/${mine}/lots`, { credit_type: 'master', credits: '100' })).status, 403);
  assert.equal((await owner.post(`/api/v1/customers/${mine}/adjustments`, { credit_type: 'master', amount: '100', reason: 'other', justification: 'x' })).status, 403);
  assert.equal((await owner.post(`/api/v1/orders/${o.json.id}/status`, { status: 'completed' })).status, 403);
  const cancel = await owner.post(`/api/v1/orders/${o.json.id}/cancel`, {});
  assert.equal(cancel.status, 200);
  const tech = await owner.post(`/api/v1/customers/${mine}/members`, { email: 'tech@membershop.example', password: 'tech-password-1', role: 'technician' }, { headers: { 'Idempotency-Key': 'tech-1' } });
  assert.equal(tech.status, 201);
  assert.match(tech.json.user_id, /^usr_\d+$/);
  const replay = await owner.post(`/api/v1/customers/${mine}/members`, { email: 'tech@membershop.example', password: 'tech-password-1', role: 'technician' }, { headers: { 'Idempotency-Key': 'tech-1' } });
  assert.equal(replay.text, tech.text);
  const promote = await owner.post(`/api/v1/customers/${mine}/members`, { email: 'boss@membershop.example', password: 'boss-password-1', role: 'owner' });
  assert.equal(promote.status, 403);
});

test('charge on delivery holds credits until the order completes', async () => {
  assert.equal((await admin.patch('/api/v1/settings', { charge_on: 'delivery' })).status, 200);
  try {
    const id = await customer('Held');
    await lot(id, { credit_type: 'master', credits: '5' });
    const o = await admin.post('/api/v1/orders', { customer_id: id, credit_type: 'master', services: [stage1] });
    assert.equal(o.status, 201);
    assert.equal(o.json.hold, true);
    assert.equal(o.json.balance_after, '5');
    assert.equal((await admin.post(`/api/v1/orders/${o.json.id}/status`, { status: 'in_progress' })).status, 200);
    assert.equal((await admin.post(`/api/v1/orders/${o.json.id}/status`, { status: 'completed' })).status, 200);
    const q = await admin.post('/api/v1/quotes', { customer_id: id, credit_type: 'master', services: [dpf] });
    assert.equal(q.json.balance, '2');
  } finally {
    assert.equal((await admin.patch('/api/v1/settings', { charge_on: 'submit' })).status, 200);
  }
  assert.equal((await admin.patch('/api/v1/settings', { charge_on: 'sometimes' })).status, 422);
});

test('50 concurrent orders against a balance for 20: exactly 20 succeed', async () => {
  const id = await customer('Race');
  await lot(id, { credit_type: 'master', credits: '40', expires_at: '2099-01-01T00:00:00Z' });
  await lot(id, { credit_type: 'master', credits: '20' });
  const results = await Promise.all(Array.from({ length: 50 }, () =>
    admin.post('/api/v1/orders', { customer_id: id, credit_type: 'master', services: [stage1] })));
  const ok = results.filter((r) => r.status === 201).length;
  const short = results.filter((r) => r.status === 409 && r.json.code === 'insufficient_credits').length;
  assert.equal(ok, 20);
  assert.equal(short, 30);
  const q = await admin.post('/api/v1/quotes', { customer_id: id, credit_type: 'master', services: [stage1] });
  assert.equal(q.json.balance, '0');
  const verify = server.cli('verify');
  assert.match(verify, /^ok:/);
});

test('a customer with 300 one-credit lots orders 280, then deducts and transfers the rest', async () => {
  const id = await customer('Many lots');
  const to = await customer('Many lots receiver');
  for (let i = 0; i < 300; i += 20) {
    await Promise.all(Array.from({ length: 20 }, () => lot(id, { credit_type: 'master', credits: '1' })));
  }
  const fleet = (await admin.post('/api/v1/services', {
    name: 'Fleet of 280', kind: 'base', category: 'tuning', costs: { master: '280' },
  })).json.id;
  const input = { customer_id: id, credit_type: 'master', services: [fleet] };
  const q = await admin.post('/api/v1/quotes', input);
  assert.equal(q.status, 200, q.text);
  assert.equal(q.json.total, '280');
  assert.equal(q.json.available, '300');
  assert.equal(q.json.balance_after, '20');
  assert.equal(q.json.allocations.length, 280);
  const o = await admin.post('/api/v1/orders', input);
  assert.equal(o.status, 201, o.text);
  assert.equal(o.json.total, '280');
  assert.deepEqual(o.json.allocations, q.json.allocations);
  const sub = await admin.post(`/api/v1/customers/${id}/adjustments`, { credit_type: 'master', amount: '-12', reason: 'correction', justification: 'Booked twice' });
  assert.equal(sub.status, 201, sub.text);
  const t = await admin.post('/api/v1/transfers', { from_customer_id: id, to_customer_id: to, credit_type: 'master', amount: '8', justification: 'sister shop' });
  assert.equal(t.status, 201, t.text);
  const left = await admin.post('/api/v1/quotes', input);
  assert.equal(left.json.balance, '0');
  assert.equal(left.json.shortfall, '280');
  assert.match(server.cli('verify'), /^ok:/);
});

test('customers, packages and services change by PATCH; a package is archived, never deleted', async () => {
  const id = await customer('Patch shop');
  const c = await admin.patch(`/api/v1/customers/${id}`, { name: 'Patched shop', country: 'DE' });
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.name, 'Patched shop');
  assert.equal(c.json.country, 'DE');
  assert.equal((await admin.patch(`/api/v1/customers/${id}`, { name: '' })).status, 422);
  assert.equal((await admin.patch('/api/v1/customers/cus_999999', { name: 'x' })).status, 404);
  const p = await admin.post('/api/v1/packages', { name: 'Pro', credits: { master: '75' }, price: '129.00', published: false });
  assert.equal(p.status, 201, p.text);
  const pub = await admin.patch(`/api/v1/packages/${p.json.id}`, { published: true, price: '119.00' });
  assert.equal(pub.status, 200, pub.text);
  assert.equal(pub.json.published, true);
  assert.equal(pub.json.price, '119.00');
  const del = await admin.request('DELETE', `/api/v1/packages/${p.json.id}`);
  assert.equal(del.status, 200);
  assert.equal(del.json.archived, true);
  assert.equal(del.json.published, false);
  const s = await admin.patch(`/api/v1/services/${dpf}`, { costs: { master: '3' } });
  assert.equal(s.status, 200, s.text);
  const q = await admin.post('/api/v1/quotes', { customer_id: id, credit_type: 'master', services: [dpf] });
  assert.equal(q.json.base, '3');
  assert.equal((await admin.patch(`/api/v1/services/${dpf}`, { costs: { master: '2' } })).status, 200);
  assert.equal((await admin.patch(`/api/v1/services/${dpf}`, { costs: { gold: '2' } })).status, 422);
});

test('an owner sets a technician monthly limit and the technician is held to it', async () => {
  const id = await customer('Limit shop');
  await lot(id, { credit_type: 'master', credits: '50' });
  await admin.post(`/api/v1/customers/${id}/members`, { email: 'owner@limitshop.example', password: 'owner-password-1', role: 'owner' });
  const owner = new Client(server.url);
  await owner.login('owner@limitshop.example', 'owner-password-1');
  const t = await owner.post(`/api/v1/customers/${id}/members`, { email: 'tech@limitshop.example', password: 'tech-password-1', role: 'technician' });
  const limit = await owner.patch(`/api/v1/customers/${id}/members/${t.json.user_id}`, { monthly_limits: { master: '5' } });
  assert.equal(limit.status, 200, limit.text);
  // The limits show on the customer, per member, only where set.
  const shown = (await owner.get(`/api/v1/customers/${id}`)).json.members;
  assert.deepEqual(shown.find((m) => m.user_id === t.json.user_id).monthly_limits, { master: '5' });
  assert.deepEqual(shown.find((m) => m.role === 'owner').monthly_limits, {});
  const tech = new Client(server.url);
  await tech.login('tech@limitshop.example', 'tech-password-1');
  assert.equal((await tech.post('/api/v1/orders', { credit_type: 'master', services: [stage1], vehicle: { make: 'VW', model: 'Golf 7' } })).status, 201);
  const over = await tech.post('/api/v1/orders', { credit_type: 'master', services: [stage1], vehicle: { make: 'VW', model: 'Golf 7' } });
  assert.equal(over.status, 403);
  assert.equal(over.json.code, 'member_limit_exceeded');
  assert.equal((await owner.post('/api/v1/orders', { credit_type: 'master', services: [stage1], vehicle: { make: 'VW', model: 'Golf 7' } })).status, 201);
  assert.equal((await tech.patch(`/api/v1/customers/${id}/members/${t.json.user_id}`, { monthly_limits: { master: null } })).status, 403);
  const half = await owner.patch(`/api/v1/customers/${id}/members/${t.json.user_id}`, { monthly_limits: { master: null, gold: '5' } });
  assert.equal(half.status, 422);
  assert.equal((await tech.post('/api/v1/orders', { credit_type: 'master', services: [stage1], vehicle: { make: 'VW', model: 'Golf 7' } })).status, 403, 'a refused change of limits changed nothing');
  const lifted = await owner.patch(`/api/v1/customers/${id}/members/${t.json.user_id}`, { monthly_limits: { master: null } });
  assert.equal(lifted.status, 200);
  assert.deepEqual((await owner.get(`/api/v1/customers/${id}`)).json.members.find((m) => m.user_id === t.json.user_id).monthly_limits, {});
  assert.equal((await tech.post('/api/v1/orders', { credit_type: 'master', services: [stage1], vehicle: { make: 'VW', model: 'Golf 7' } })).status, 201);
});

test('metrics count committed journal entries by kind, refused orders not at all', async () => {
  const count = async () => {
    const m = await admin.get('/metrics');
    return Number(/creditd_ledger_transactions_total\{kind="order"\} (\d+)/.exec(m.text)[1]);
  };
  const id = await customer('Metrics shop');
  await lot(id, { credit_type: 'master', credits: '3' });
  const before = await count();
  assert.equal((await admin.post('/api/v1/orders', { customer_id: id, credit_type: 'master', services: [stage1] })).status, 201);
  assert.equal((await admin.post('/api/v1/orders', { customer_id: id, credit_type: 'master', services: [stage1] })).status, 409);
  assert.equal(await count(), before + 1);
});

test('switched-off credits keep their balance but cannot be spent', async () => {
  const id = await customer('Toggle shop');
  await lot(id, { credit_type: 'slave', credits: '4' });
  const off = await admin.patch('/api/v1/credit-types/slave', { spendable: false });
  assert.equal(off.status, 200, off.text);
  try {
    const o = await admin.post('/api/v1/orders', { customer_id: id, credit_type: 'slave', services: [stage1] });
    assert.equal(o.status, 409);
    assert.equal(o.json.code, 'credits_disabled');
    const c = await admin.get(`/api/v1/customers/${id}`);
    assert.equal(c.json.balances.slave.balance, '4');
  } finally {
    assert.equal((await admin.patch('/api/v1/credit-types/slave', { spendable: true })).status, 200);
  }
  assert.equal((await admin.post('/api/v1/orders', { customer_id: id, credit_type: 'slave', services: [stage1] })).status, 201);
});

test('an order keeps its history: who moved it, when, from what to what, and why', async () => {
  const id = await customer('History shop');
  await lot(id, { credit_type: 'master', credits: '9' });
  const o = await admin.post('/api/v1/orders', { customer_id: id, credit_type: 'master', services: [stage1] });
  assert.equal((await admin.post(`/api/v1/orders/${o.json.id}/status`, { status: 'in_progress' })).status, 200);
  assert.equal((await admin.post(`/api/v1/orders/${o.json.id}/cancel`, { reason: 'ECU read unreadable' })).status, 200);
  const got = await admin.get(`/api/v1/orders/${o.json.id}`);
  assert.equal(got.status, 200);
  const h = got.json.history;
  assert.deepEqual(h.map((e) => [e.from, e.to]), [[null, 'submitted'], ['submitted', 'in_progress'], ['in_progress', 'cancelled']]);
  assert.equal(h[2].reason, 'ECU read unreadable');
  assert.equal(h[2].actor, ADMIN.email);
  assert.ok(h.every((e) => /^\d{4}-\d\d-\d\dT/.test(e.at)));
});
