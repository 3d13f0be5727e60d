// Coming in (DESIGN §7) through the API, with mail caught by a real SMTP
// server on 127.0.0.1: invitations (who may invite whom, the mailed link,
// preview, acceptance once, withdrawal, replacement), self-registration per
// the tenant's setting (off, open, approval) with e-mail verification, and
// what an unverified or unapproved owner may and may not do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, ADMIN } from './harness.mjs';
import { startRelay, waitForMail } from './smtp.mjs';

async function signedIn(server, email, password) {
  const c = new Client(server.url);
  const r = await c.login(email, password);
  assert.equal(r.status, 200, `${email}: ${r.text}`);
  return c;
}

function tokenOf(mail, kind) {
  const m = new RegExp(`https://portal\\.shop\\.example/#/${kind}/([0-9a-f]{64})`).exec(mail.parsed.text);
  assert.ok(m, `a ${kind} link in: ${mail.parsed.text}`);
  return m[1];
}

async function setUp(relay) {
  const server = await startServer({ env: relay.env });
  const admin = await signedIn(server, ADMIN.email, ADMIN.password);
  const s = await admin.patch('/api/v1/settings', { name: 'Tuning Werk', portal_url: 'https://portal.shop.example' });
  assert.equal(s.status, 200, s.text);
  return { server, admin };
}

test('invitations: who invites whom, a mailed link that works once, withdrawal and replacement', async () => {
  const relay = await startRelay();
  const { server, admin } = await setUp(relay);
  try {
    const cus = await admin.post('/api/v1/customers', { name: 'Motors GmbH' });
    const other = await admin.post('/api/v1/customers', { name: 'Other AG' });
    assert.equal((await admin.post(`/api/v1/customers/${cus.json.id}/members`, { email: 'owner@motors.example', password: 'owner-password-1', role: 'owner' })).status, 201);
    const owner = await signedIn(server, 'owner@motors.example', 'owner-password-1');

    // The owner invites a technician of their own customer, in German.
    const inv = await owner.post('/api/v1/invitations', { email: 'tech@motors.example', role: 'technician', name: 'Jan', locale: 'de' });
    assert.equal(inv.status, 201, inv.text);
    assert.match(inv.json.id, /^ivt_/);
    assert.deepEqual([inv.json.status, inv.json.customer_id, inv.json.invited_by], ['pending', cus.json.id, 'owner@motors.example']);
    const mail = await waitForMail(relay, (m) => m.to.includes('tech@motors.example'), 'the invitation');
    assert.equal(mail.parsed.subject, 'Einladung von owner@motors.example zu Tuning Werk');
    assert.match(mail.parsed.text, /als Techniker/);
    assert.match(mail.parsed.text, /Kundenkonto: Motors GmbH/);
    const token = tokenOf(mail, 'invitation');

    // What the owner may not do.
    assert.equal((await owner.post('/api/v1/invitations', { email: 'x@motors.example', role: 'staff' })).status, 403);
    assert.equal((await owner.post('/api/v1/invitations', { email: 'x@motors.example', role: 'technician', customer_id: other.json.id })).status, 404);
    assert.equal((await owner.post('/api/v1/invitations', { email: 'owner@motors.example', role: 'technician' })).status, 409, 'a user has this e-mail');
    assert.equal((await owner.post('/api/v1/invitations', { email: 'Not An Email', role: 'technician' })).status, 422);
    assert.equal((await admin.post('/api/v1/invitations', { email: 'y@test.example', role: 'owner' })).json.field, 'customer_id');
    assert.equal((await admin.post('/api/v1/invitations', { email: 'y@test.example', role: 'staff', customer_id: cus.json.id })).json.field, 'customer_id');

    // Anyone with the link sees what it is for; a wrong token is refused.
    const anon = new Client(server.url);
    const preview = await anon.get(`/api/v1/auth/invitations/${token}`);
    assert.equal(preview.status, 200, preview.text);
    assert.deepEqual([preview.json.email, preview.json.role, preview.json.business, preview.json.customer_name], ['tech@motors.example', 'technician', 'Tuning Werk', 'Motors GmbH']);
    assert.equal((await anon.get(`/api/v1/auth/invitations/${'0'.repeat(64)}`)).status, 400);
    const weak = await anon.post('/api/v1/auth/invitations/accept', { token, password: 'short' });
    assert.equal(weak.status, 422, weak.text);
    const ok = await anon.post('/api/v1/auth/invitations/accept', { token, password: 'technician phrase 1' });
    assert.equal(ok.status, 201, ok.text);
    assert.deepEqual([ok.json.email, ok.json.role, ok.json.customer_id], ['tech@motors.example', 'technician', cus.json.id]);
    assert.equal((await anon.post('/api/v1/auth/invitations/accept', { token, password: 'technician phrase 2' })).status, 400, 'once');
    const tech = await signedIn(server, 'tech@motors.example', 'technician phrase 1');
    const me = await tech.get('/api/v1/me');
    assert.deepEqual([me.json.role, me.json.customer_id], ['technician', cus.json.id]);

    // Withdrawn and replaced invitations stop working; the list shows each state.
    const first = await admin.post('/api/v1/invitations', { email: 'clerk@test.example', role: 'staff' });
    const second = await admin.post('/api/v1/invitations', { email: 'clerk@test.example', role: 'admin' });
    assert.equal(second.status, 201, second.text);
    await waitForMail(relay, (m) => relay.messages.filter((x) => x.to.includes('clerk@test.example')).length === 2, 'two invitations');
    const [t1, t2] = relay.messages.filter((m) => m.to.includes('clerk@test.example')).map((m) => tokenOf(m, 'invitation'));
    assert.equal((await anon.get(`/api/v1/auth/invitations/${t1}`)).status, 400, 'replaced');
    assert.equal((await admin.del(`/api/v1/invitations/${second.json.id}`)).status, 204);
    assert.equal((await admin.del(`/api/v1/invitations/${second.json.id}`)).status, 409);
    assert.equal((await anon.post('/api/v1/auth/invitations/accept', { token: t2, password: 'clerk phrase 1234' })).status, 400, 'withdrawn');
    const all = await admin.get('/api/v1/invitations');
    assert.deepEqual(all.json.items.map((i) => [i.email, i.status]), [
      ['clerk@test.example', 'withdrawn'], ['clerk@test.example', 'withdrawn'], ['tech@motors.example', 'accepted']]);
    assert.equal(all.json.items[1].id, first.json.id);
    const mine = await owner.get('/api/v1/invitations');
    assert.deepEqual(mine.json.items.map((i) => i.email), ['tech@motors.example'], 'an owner sees their customer only');
    assert.equal((await owner.del(`/api/v1/invitations/${first.json.id}`)).status, 404);
    assert.equal((await tech.post('/api/v1/invitations', { email: 'z@motors.example', role: 'technician' })).status, 403);

    // Seven days on, a link is dead.
    const late = await admin.post('/api/v1/invitations', { email: 'late@test.example', role: 'staff' });
    assert.equal(late.status, 201);
    const lateMail = await waitForMail(relay, (m) => m.to.includes('late@test.example'), 'the late invitation');
    const clock = new Client(server.url);
    clock.bearer = server.cli('apikey', 'create', '--role', 'admin').trim();
    assert.equal((await clock.post('/api/v1/test/clock', { now: new Date(Date.now() + 8 * 86400e3).toISOString() })).status, 200);
    assert.equal((await anon.post('/api/v1/auth/invitations/accept', { token: tokenOf(lateMail, 'invitation'), password: 'late phrase 12345' })).status, 400);
    assert.equal((await clock.get('/api/v1/invitations')).json.items[0].status, 'expired');

    const log = await clock.get('/api/v1/security-log?type=invitation');
    const types = log.json.items.map((l) => l.type);
    for (const t of ['invitation.sent', 'invitation.accepted', 'invitation.withdrawn']) assert.ok(types.includes(t), `${t}: ${log.text}`);
  } finally {
    await server.stop();
    await relay.close();
  }
});

test('registration: off by default, open with a mailed confirmation, unverified owners cannot order', async () => {
  const relay = await startRelay();
  const { server, admin } = await setUp(relay);
  try {
    const anon = new Client(server.url);
    assert.deepEqual((await anon.get('/api/v1/auth/registration')).json, { mode: 'off', business: 'Tuning Werk' });
    const body = { business_name: 'Fast Cars Ltd', email: 'boss@fastcars.example', password: 'fast cars phrase 1', country: 'DE' };
    const closed = await anon.post('/api/v1/auth/register', body);
    assert.equal(closed.status, 403, closed.text);
    assert.equal(closed.json.code, 'registration_closed');
    assert.equal((await admin.patch('/api/v1/settings', { registration: 'sometimes' })).status, 422);
    assert.equal((await admin.patch('/api/v1/settings', { registration: 'open' })).status, 200);
    assert.equal((await anon.get('/api/v1/auth/registration')).json.mode, 'open');

    assert.equal((await anon.post('/api/v1/auth/register', { ...body, password: 'short' })).json.field, 'password');
    assert.equal((await anon.post('/api/v1/auth/register', { ...body, business_name: '' })).json.field, 'business_name');
    assert.equal((await anon.post('/api/v1/auth/register', { ...body, country: 'de' })).json.field, 'country');
    const r = await anon.post('/api/v1/auth/register', body);
    assert.equal(r.status, 202, r.text);
    const mail = await waitForMail(relay, (m) => m.to.includes('boss@fastcars.example'), 'the confirmation');
    assert.equal(mail.parsed.subject, 'Confirm your e-mail address for Tuning Werk');
    const token = tokenOf(mail, 'verify');

    // Signed in but unverified: reads and quotes, no orders or purchases.
    const owner = await signedIn(server, 'boss@fastcars.example', 'fast cars phrase 1');
    const me = (await owner.get('/api/v1/me')).json;
    assert.equal(me.role, 'owner');
    assert.equal((await owner.get(`/api/v1/customers/${me.customer_id}`)).status, 200);
    const order = await owner.post('/api/v1/orders', { credit_type: 'master', services: [] });
    assert.equal(order.status, 403, order.text);
    assert.equal(order.json.code, 'email_unverified');
    assert.equal((await owner.post('/api/v1/purchases', { package_id: 'pkg_1' })).json.code, 'email_unverified');
    assert.equal((await owner.post('/api/v1/me/verify-email/resend', {})).status, 202);
    await waitForMail(relay, (m) => relay.messages.filter((x) => x.to.includes('boss@fastcars.example')).length === 2, 'a second link');
    assert.equal((await anon.post('/api/v1/auth/verify-email', { token })).status, 400, 'the resend voided the first link');
    const fresh = tokenOf(relay.messages.filter((m) => m.to.includes('boss@fastcars.example'))[1], 'verify');
    assert.equal((await anon.post('/api/v1/auth/verify-email', { token: fresh })).status, 204);
    assert.equal((await anon.post('/api/v1/auth/verify-email', { token: fresh })).status, 400, 'once');
    const after = await owner.post('/api/v1/orders', { credit_type: 'master', services: [] });
    assert.notEqual(after.json?.code, 'email_unverified', 'verified: the order reaches its own checks');
    assert.equal((await owner.post('/api/v1/me/verify-email/resend', {})).status, 409);

    // A known e-mail signs up: the same answer, and a reset link instead.
    const again = await anon.post('/api/v1/auth/register', { ...body, business_name: 'Someone Else' });
    assert.equal(again.status, 202);
    assert.equal(again.text, r.text);
    await waitForMail(relay, (m) => m.to.includes('boss@fastcars.example') && /new password/.test(m.parsed.subject), 'a reset link for the known e-mail');
    const list = await admin.get('/api/v1/customers?q=fast');
    assert.deepEqual(list.json.items.map((c) => [c.name, c.status, c.country]), [['Fast Cars Ltd', 'active', 'DE']]);
    const log = await admin.get('/api/v1/security-log');
    assert.ok(log.json.items.some((l) => l.type === 'customer.registered' && l.subject === 'boss@fastcars.example'));
    assert.ok(log.json.items.some((l) => l.type === 'email.verified'));
  } finally {
    await server.stop();
    await relay.close();
  }
});

test('registration with approval: the customer waits for staff, who approve or reject', async () => {
  const relay = await startRelay();
  const { server, admin } = await setUp(relay);
  try {
    assert.equal((await admin.patch('/api/v1/settings', { registration: 'approval' })).status, 200);
    const anon = new Client(server.url);
    for (const [name, email] of [['Wait GmbH', 'a@wait.example'], ['Nope GmbH', 'b@nope.example']]) {
      assert.equal((await anon.post('/api/v1/auth/register', { business_name: name, email, password: 'waiting phrase 12' })).status, 202);
      const m = await waitForMail(relay, (x) => x.to.includes(email), 'the confirmation');
      assert.equal((await anon.post('/api/v1/auth/verify-email', { token: tokenOf(m, 'verify') })).status, 204);
    }
    const pending = await admin.get('/api/v1/customers?status=pending');
    assert.deepEqual(pending.json.items.map((c) => c.name), ['Wait GmbH', 'Nope GmbH']);
    const wait = await signedIn(server, 'a@wait.example', 'waiting phrase 12');
    const held = await wait.post('/api/v1/orders', { credit_type: 'master', services: [] });
    assert.equal(held.json.code, 'customer_not_approved', held.text);
    const [w, n] = pending.json.items;
    const staff = await signedIn(server, ADMIN.email, ADMIN.password);
    assert.equal((await wait.post(`/api/v1/customers/${w.id}/approve`, {})).status, 403);
    const ok = await staff.post(`/api/v1/customers/${w.id}/approve`, {});
    assert.deepEqual([ok.status, ok.json.status], [200, 'active']);
    assert.equal((await staff.post(`/api/v1/customers/${w.id}/approve`, {})).status, 409);
    assert.notEqual((await wait.post('/api/v1/orders', { credit_type: 'master', services: [] })).json?.code, 'customer_not_approved', 'approved at once');
    assert.equal((await staff.post(`/api/v1/customers/${n.id}/reject`, {})).json.status, 'rejected');
    const nope = await signedIn(server, 'b@nope.example', 'waiting phrase 12');
    assert.equal((await nope.post('/api/v1/orders', { credit_type: 'master', services: [] })).json.code, 'customer_not_approved');
    assert.equal((await staff.post('/api/v1/customers/cus_999999/approve', {})).status, 404);
    assert.deepEqual((await admin.get('/api/v1/customers?status=rejected')).json.items.map((c) => c.name), ['Nope GmbH']);
  } finally {
    await server.stop();
    await relay.close();
  }
});

test('sign-ups from one address are limited', async () => {
  const server = await startServer();
  try {
    const admin = await signedIn(server, ADMIN.email, ADMIN.password);
    assert.equal((await admin.patch('/api/v1/settings', { registration: 'open' })).status, 200);
    const anon = new Client(server.url);
    for (let i = 0; i < 5; i++) {
      const r = await anon.post('/api/v1/auth/register', { business_name: `Shop ${i}`, email: `s${i}@limit.example`, password: 'limited phrase 123' });
      assert.equal(r.status, 202, `sign-up ${i + 1}: ${r.text}`);
    }
    const r = await anon.post('/api/v1/auth/register', { business_name: 'Shop 6', email: 's6@limit.example', password: 'limited phrase 123' });
    assert.equal(r.status, 429, r.text);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
  } finally {
    await server.stop();
  }
});
