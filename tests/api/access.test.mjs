// The account life cycle (DESIGN §7) through the API, with mail caught by a
// real SMTP server on 127.0.0.1: password change and reset by a mailed
// single-use link (no account enumeration), the team's users listed,
// re-roled and disabled, members removed, API keys that expire, and the
// security log that records each of these. Whatever ends access ends it at
// once: the next request of the user's other sessions is refused.
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

// A customer with an owner and a technician, both signed in.
async function shop(server, admin, name) {
  const c = await admin.post('/api/v1/customers', { name });
  assert.equal(c.status, 201, c.text);
  const slug = name.toLowerCase().replace(/[^a-z]/g, '');
  const owner = `owner@${slug}.example`;
  const tech = `tech@${slug}.example`;
  const o = await admin.post(`/api/v1/customers/${c.json.id}/members`, { email: owner, password: 'owner-password-1', role: 'owner' });
  assert.equal(o.status, 201, o.text);
  const t = await admin.post(`/api/v1/customers/${c.json.id}/members`, { email: tech, password: 'tech-password-12', role: 'technician' });
  assert.equal(t.status, 201, t.text);
  return {
    id: c.json.id, ownerId: o.json.user_id, techId: t.json.user_id, ownerEmail: owner, techEmail: tech,
    owner: await signedIn(server, owner, 'owner-password-1'),
    tech: await signedIn(server, tech, 'tech-password-12'),
  };
}

const TOKEN_LINK = /https:\/\/portal\.shop\.example\/#\/reset\/([0-9a-f]{64})/;

test('a password change checks the current one and the rules, and ends the other sessions', async () => {
  const server = await startServer();
  try {
    const admin = await signedIn(server, ADMIN.email, ADMIN.password);
    const s = await shop(server, admin, 'Change GmbH');
    const other = await signedIn(server, s.ownerEmail, 'owner-password-1');
    const wrong = await s.owner.post('/api/v1/me/password', { current_password: 'not-it-at-all', new_password: 'a fresh passphrase 7' });
    assert.equal(wrong.status, 422, wrong.text);
    assert.equal(wrong.json.field, 'current_password');
    for (const weak of ['short-1', 'password1234', 'Qwerty123456', 'abababababab', s.ownerEmail]) {
      const r = await s.owner.post('/api/v1/me/password', { current_password: 'owner-password-1', new_password: weak });
      assert.equal(r.status, 422, `${weak}: ${r.text}`);
      assert.equal(r.json.field, 'new_password');
    }
    const ok = await s.owner.post('/api/v1/me/password', { current_password: 'owner-password-1', new_password: 'a fresh passphrase 7' });
    assert.equal(ok.status, 204, ok.text);
    assert.equal((await s.owner.get('/api/v1/me')).status, 200, 'the session that changed it stays');
    assert.equal((await other.get('/api/v1/me')).status, 401, 'every other session ends at once');
    assert.equal((await new Client(server.url).login(s.ownerEmail, 'owner-password-1')).status, 401);
    await signedIn(server, s.ownerEmail, 'a fresh passphrase 7');
    // An API key has no password.
    const key = new Client(server.url);
    key.bearer = server.cli('apikey', 'create', '--role', 'admin').trim();
    const byKey = await key.post('/api/v1/me/password', { current_password: 'x', new_password: 'another passphrase 8' });
    assert.equal(byKey.status, 403, byKey.text);
    const log = await admin.get('/api/v1/security-log?type=password');
    assert.equal(log.status, 200, log.text);
    assert.ok(log.json.items.some((l) => l.type === 'password.changed' && l.subject === s.ownerEmail && l.address === '127.0.0.1'), log.text);
  } finally {
    await server.stop();
  }
});

test('a forgotten password: the same answer for any e-mail, a mailed link that works once within an hour', async () => {
  const relay = await startRelay();
  const server = await startServer({ env: relay.env });
  try {
    const admin = await signedIn(server, ADMIN.email, ADMIN.password);
    assert.equal((await admin.patch('/api/v1/settings', { name: 'Shop', portal_url: 'https://portal.shop.example' })).status, 200);
    const s = await shop(server, admin, 'Reset KG');
    const anon = new Client(server.url);
    const unknown = await anon.post('/api/v1/auth/password-reset', { email: 'nobody@nowhere.example' });
    const known = await anon.post('/api/v1/auth/password-reset', { email: s.ownerEmail });
    assert.equal(unknown.status, 202, unknown.text);
    assert.equal(known.status, 202, known.text);
    assert.equal(known.text, unknown.text, 'no account enumeration');
    const mail = await waitForMail(relay, (m) => m.to.includes(s.ownerEmail), 'the reset link');
    assert.equal(mail.parsed.subject, 'Set a new password for Shop');
    assert.match(mail.parsed.text, /within one hour/);
    const token = TOKEN_LINK.exec(mail.parsed.text)[1];
    assert.ok(!relay.messages.some((m) => m.to.includes('nobody@nowhere.example')));
    assert.ok(!/List-Unsubscribe/.test(mail.raw), 'an account mail cannot be unsubscribed from');
    // The token is in no event, list or webhook.
    const events = await admin.get('/api/v1/events?limit=200');
    assert.ok(!events.text.includes(token) && !events.text.includes('account.'), events.text);

    const bad = await anon.post('/api/v1/auth/password-reset/confirm', { token: 'f'.repeat(64), password: 'a brand new phrase 1' });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.json.code, 'invalid_token');
    const weak = await anon.post('/api/v1/auth/password-reset/confirm', { token, password: '123456789012' });
    assert.equal(weak.status, 422, weak.text);
    assert.equal(weak.json.field, 'password');
    const ok = await anon.post('/api/v1/auth/password-reset/confirm', { token, password: 'a brand new phrase 1' });
    assert.equal(ok.status, 204, ok.text);
    assert.equal((await s.owner.get('/api/v1/me')).status, 401, 'the reset ends every session');
    const again = await anon.post('/api/v1/auth/password-reset/confirm', { token, password: 'yet another phrase 2' });
    assert.equal(again.status, 400, 'single use');
    assert.equal((await new Client(server.url).login(s.ownerEmail, 'owner-password-1')).status, 401);
    await signedIn(server, s.ownerEmail, 'a brand new phrase 1');

    // A newer link voids the older; a link an hour old is dead.
    await anon.post('/api/v1/auth/password-reset', { email: s.techEmail });
    await anon.post('/api/v1/auth/password-reset', { email: s.techEmail });
    await waitForMail(relay, (m) => relay.messages.filter((x) => x.to.includes(s.techEmail)).length === 2, 'two links');
    const [first, second] = relay.messages.filter((m) => m.to.includes(s.techEmail)).map((m) => TOKEN_LINK.exec(m.parsed.text)[1]);
    assert.equal((await anon.post('/api/v1/auth/password-reset/confirm', { token: first, password: 'technician phrase 3' })).status, 400);
    const clock = new Client(server.url);
    clock.bearer = server.cli('apikey', 'create', '--role', 'admin').trim();
    assert.equal((await clock.post('/api/v1/test/clock', { now: new Date(Date.now() + 61 * 60e3).toISOString() })).status, 200);
    assert.equal((await anon.post('/api/v1/auth/password-reset/confirm', { token: second, password: 'technician phrase 3' })).status, 400);

    // An admin sends a link to a user.
    const sent = await admin.post(`/api/v1/users/${s.techId}/password-reset`, {});
    assert.equal(sent.status, 202, sent.text);
    await waitForMail(relay, (m) => relay.messages.filter((x) => x.to.includes(s.techEmail)).length === 3, 'the admin\'s link');
    assert.equal((await admin.post('/api/v1/users/usr_999999/password-reset', {})).status, 404);

    const log = await admin.get('/api/v1/security-log?type=password');
    const types = log.json.items.map((l) => l.type);
    assert.ok(types.includes('password.reset_requested') && types.includes('password.reset'), log.text);
    assert.ok(log.json.items.some((l) => l.type === 'password.reset_requested' && l.subject === '' && l.detail.account === 'unknown'));
  } finally {
    await server.stop();
    await relay.close();
  }
});

test('reset requests from one address are limited, and the answer says how long to wait', async () => {
  const server = await startServer();
  try {
    const anon = new Client(server.url);
    for (let i = 0; i < 10; i++) {
      const r = await anon.post('/api/v1/auth/password-reset', { email: `probe${i}@test.example` });
      assert.equal(r.status, 202, `request ${i + 1}: ${r.text}`);
    }
    const r = await anon.post('/api/v1/auth/password-reset', { email: ADMIN.email });
    assert.equal(r.status, 429, r.text);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    const missing = await anon.post('/api/v1/auth/password-reset', {});
    assert.ok([422, 429].includes(missing.status));
  } finally {
    await server.stop();
  }
});

test('admins list, add, re-role and disable staff; disabling ends access at once; one admin always stays', async () => {
  const server = await startServer();
  try {
    const admin = await signedIn(server, ADMIN.email, ADMIN.password);
    const add = await admin.post('/api/v1/users', { email: 'clerk@test.example', password: 'clerk-password-1', role: 'staff' });
    assert.equal(add.status, 201, add.text);
    assert.match(add.json.id, /^usr_/);
    assert.equal((await admin.post('/api/v1/users', { email: 'clerk@test.example', password: 'clerk-password-1', role: 'staff' })).status, 409);
    assert.equal((await admin.post('/api/v1/users', { email: 'x@test.example', password: 'clerk-password-1', role: 'owner' })).status, 422);
    const list = await admin.get('/api/v1/users');
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json.items.map((u) => [u.email, u.role, u.disabled]), [[ADMIN.email, 'admin', false], ['clerk@test.example', 'staff', false]]);
    assert.ok(list.json.items[0].last_login_at, 'the admin signed in');
    const clerk = await signedIn(server, 'clerk@test.example', 'clerk-password-1');
    assert.equal((await clerk.get('/api/v1/users')).status, 403);
    assert.equal((await clerk.get('/api/v1/customers')).status, 200);

    const off = await admin.patch(`/api/v1/users/${add.json.id}`, { disabled: true });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.json.disabled, true);
    assert.equal((await clerk.get('/api/v1/customers')).status, 401, 'disabled: the session ends at once');
    assert.equal((await new Client(server.url).login('clerk@test.example', 'clerk-password-1')).status, 401);
    assert.equal((await admin.patch(`/api/v1/users/${add.json.id}`, { disabled: false, role: 'admin' })).json.role, 'admin');
    const back = await signedIn(server, 'clerk@test.example', 'clerk-password-1');
    assert.equal((await back.get('/api/v1/users')).status, 200, 'now an admin');

    // The business keeps an enabled admin.
    assert.equal((await back.patch(`/api/v1/users/${add.json.id}`, { role: 'staff' })).status, 200);
    const me = (await admin.get('/api/v1/users')).json.items.find((u) => u.email === ADMIN.email);
    const last = await admin.patch(`/api/v1/users/${me.id}`, { disabled: true });
    assert.equal(last.status, 409, last.text);
    assert.equal((await admin.patch(`/api/v1/users/${me.id}`, { role: 'staff' })).status, 409);
    assert.equal((await admin.patch(`/api/v1/users/${me.id}`, { role: 'boss' })).status, 422);
    assert.equal((await admin.patch('/api/v1/users/usr_999999', { disabled: true })).status, 404);
    const s = await shop(server, admin, 'Member AG');
    assert.equal((await admin.patch(`/api/v1/users/${s.ownerId}`, { disabled: true })).status, 404, 'members are managed through their customer');

    const log = await admin.get('/api/v1/security-log?type=user');
    const types = log.json.items.map((l) => l.type);
    for (const t of ['user.created', 'user.disabled', 'user.enabled', 'user.role_changed']) assert.ok(types.includes(t), `${t}: ${log.text}`);
    const changed = log.json.items.find((l) => l.type === 'user.role_changed' && l.detail.to === 'admin');
    assert.deepEqual([changed.actor, changed.subject, changed.detail.from], [ADMIN.email, 'clerk@test.example', 'staff']);
  } finally {
    await server.stop();
  }
});

test('an owner removes a technician, staff remove anyone; the removed member is out at once', async () => {
  const server = await startServer();
  try {
    const admin = await signedIn(server, ADMIN.email, ADMIN.password);
    const a = await shop(server, admin, 'Alpha GmbH');
    const b = await shop(server, admin, 'Beta GmbH');
    assert.equal((await a.tech.del(`/api/v1/customers/${a.id}/members/${a.ownerId}`)).status, 403);
    assert.equal((await a.owner.del(`/api/v1/customers/${a.id}/members/${a.ownerId}`)).status, 403, 'not oneself');
    assert.equal((await a.owner.del(`/api/v1/customers/${b.id}/members/${b.techId}`)).status, 404, 'not another shop');
    assert.equal((await a.owner.del(`/api/v1/customers/${a.id}/members/${b.techId}`)).status, 404, 'not a member here');
    const gone = await a.owner.del(`/api/v1/customers/${a.id}/members/${a.techId}`);
    assert.equal(gone.status, 204, gone.text);
    assert.equal((await a.tech.get('/api/v1/me')).status, 401, 'the session ends at once');
    assert.equal((await new Client(server.url).login(a.techEmail, 'tech-password-12')).status, 401);
    assert.equal((await a.owner.del(`/api/v1/customers/${a.id}/members/${a.techId}`)).status, 404, 'removed already');
    const members = await admin.get(`/api/v1/customers/${a.id}`);
    assert.ok(!members.text.includes(a.techEmail), members.text);
    // An owner can be removed by staff; another owner's removal is staff's.
    assert.equal((await admin.del(`/api/v1/customers/${b.id}/members/${b.ownerId}`)).status, 204);
    assert.equal((await b.owner.get('/api/v1/me')).status, 401);
    const log = await admin.get('/api/v1/security-log?type=member.removed');
    assert.deepEqual(log.json.items.map((l) => [l.actor, l.subject, l.detail.role]), [[ADMIN.email, b.ownerEmail, 'owner'], [a.ownerEmail, a.techEmail, 'technician']]);
  } finally {
    await server.stop();
  }
});

test('API keys may expire; keys are logged when made and revoked', async () => {
  const server = await startServer();
  try {
    const admin = await signedIn(server, ADMIN.email, ADMIN.password);
    const past = await admin.post('/api/v1/api-keys', { role: 'staff', name: 'old', expires_at: '2020-01-01T00:00:00Z' });
    assert.equal(past.status, 422, past.text);
    assert.equal(past.json.field, 'expires_at');
    const soon = new Date(Date.now() + 3600e3).toISOString();
    const k = await admin.post('/api/v1/api-keys', { role: 'staff', name: 'ci', expires_at: soon });
    assert.equal(k.status, 201, k.text);
    assert.ok(k.json.expires_at);
    const ci = new Client(server.url);
    ci.bearer = k.json.key;
    assert.equal((await ci.get('/api/v1/customers')).status, 200);
    assert.equal((await admin.post('/api/v1/test/clock', { now: new Date(Date.now() + 70 * 60e3).toISOString() })).status, 200);
    assert.equal((await ci.get('/api/v1/customers')).status, 401, 'expired');
    const listed = (await admin.get('/api/v1/api-keys')).json.items.find((x) => x.id === k.json.id);
    assert.equal(listed.active, false);
    assert.equal((await admin.del(`/api/v1/api-keys/${k.json.id}`)).status, 204);
    const log = await admin.get('/api/v1/security-log?type=api_key');
    assert.deepEqual(log.json.items.map((l) => l.type), ['api_key.revoked', 'api_key.created']);
    assert.equal(log.json.items[1].detail.key_id, k.json.id);
    assert.ok(server.cli('apikey', 'list').includes('revoked'));
  } finally {
    await server.stop();
  }
});

test('the security log: sign-ins and failures with their address, filters and pages, admins only', async () => {
  const server = await startServer();
  try {
    const admin = await signedIn(server, ADMIN.email, ADMIN.password);
    const s = await shop(server, admin, 'Log OHG');
    assert.equal((await new Client(server.url).login(s.ownerEmail, 'wrong-password-x')).status, 401);
    assert.equal((await new Client(server.url).login('ghost@test.example', 'wrong-password-x')).status, 401);
    const all = await admin.get('/api/v1/security-log?type=login');
    assert.equal(all.status, 200, all.text);
    const failed = all.json.items.filter((l) => l.type === 'login.failed');
    assert.deepEqual(failed.map((l) => l.subject), ['', s.ownerEmail]);
    assert.equal(failed[0].detail.account, 'unknown');
    assert.ok(all.json.items.every((l) => l.address === '127.0.0.1' && /^sec_/.test(l.id)));
    const owner = await admin.get(`/api/v1/security-log?user=${s.ownerId}`);
    assert.ok(owner.json.items.length >= 3 && owner.json.items.every((l) => l.subject === s.ownerEmail), owner.text);
    const page1 = await admin.get('/api/v1/security-log?limit=2');
    assert.equal(page1.json.items.length, 2);
    assert.ok(page1.json.next_cursor);
    const page2 = await admin.get(`/api/v1/security-log?limit=2&cursor=${page1.json.next_cursor}`);
    assert.ok(page2.json.items[0].id !== page1.json.items[1].id);
    const since = await admin.get(`/api/v1/security-log?from=${encodeURIComponent(new Date(Date.now() + 3600e3).toISOString())}`);
    assert.equal(since.json.items.length, 0);
    assert.equal((await admin.get('/api/v1/security-log?from=yesterday')).status, 422);
    assert.equal((await s.owner.get('/api/v1/security-log')).status, 403);
  } finally {
    await server.stop();
  }
});
