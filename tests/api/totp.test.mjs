// Two-factor sign-in (RFC 6238) over the API: enrolment and confirmation,
// sign-in with a code (missing, wrong and replayed codes refused and counted
// by the throttle), recovery codes, turning it off, new recovery codes, and
// the tenant's totp_required, which lets staff and admins without two factors
// see who they are, enrol and sign out, and nothing else.
// Codes are made here with node's HMAC-SHA1 at the server's test clock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, Client, ADMIN } from './harness.mjs';
import { totp } from '../support/totp.mjs';

let server;
let admin;
let clockMs = Date.parse('2027-03-01T09:00:00Z');

test('the code function gives RFC 6238\'s SHA-1 vectors', () => {
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // "12345678901234567890"
  assert.equal(totp(secret, 59e3), '287082');
  assert.equal(totp(secret, 1111111109e3), '081804');
  assert.equal(totp(secret, 2000000000e3), '279037');
});

// Moves the server's clock (the throttle window and idle sessions follow it).
async function clock(ms) {
  clockMs = ms;
  const r = await admin.post('/api/v1/test/clock', { now: new Date(ms).toISOString() });
  assert.equal(r.status, 200, r.text);
}

// A new test: twenty minutes on, past every throttle window of the last.
async function nextTest() { await clock(clockMs + 20 * 60e3); }

function addUser(email, role, password) {
  execFileSync(server.bin, ['user', 'add', '--email', email, '--role', role, '--password-stdin', '--db', server.db],
    { input: `${password}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
}

async function signedIn(email, password) {
  const c = new Client(server.url);
  const r = await c.login(email, password);
  assert.equal(r.status, 200, r.text);
  return c;
}

// Enrols and confirms c: the secret and the recovery codes.
async function enable(c) {
  const e = await c.post('/api/v1/me/totp');
  assert.equal(e.status, 200, e.text);
  const r = await c.post('/api/v1/me/totp/confirm', { code: totp(e.json.secret, clockMs) });
  assert.equal(r.status, 200, r.text);
  // The confirming code's step is used: sign-ins start with the next one.
  await clock(clockMs + 30e3);
  return { secret: e.json.secret, codes: r.json.recovery_codes };
}

before(async () => {
  server = await startServer();
  admin = await signedIn(ADMIN.email, ADMIN.password);
  await clock(clockMs);
  // A session of the wall clock's time is too old at the test clock's.
  admin = await signedIn(ADMIN.email, ADMIN.password);
});
after(async () => { await server.stop(); });

test('enrolment answers a secret and its otpauth URI; a right code turns it on once', async () => {
  await nextTest();
  addUser('enrol@test.example', 'staff', 'enrol-password-1');
  const c = await signedIn('enrol@test.example', 'enrol-password-1');
  assert.equal((await c.get('/api/v1/me')).json.totp_enabled, false);
  const e = await c.post('/api/v1/me/totp');
  assert.equal(e.status, 200, e.text);
  assert.match(e.json.secret, /^[A-Z2-7]{32}$/);
  assert.equal(e.json.otpauth_uri, `otpauth://totp/My%20tuning%20business:enrol%40test.example?secret=${e.json.secret}`
    + '&issuer=My%20tuning%20business&algorithm=SHA1&digits=6&period=30');
  // Pending: still off, and the password alone signs in.
  assert.equal((await new Client(server.url).login('enrol@test.example', 'enrol-password-1')).status, 200);
  const wrong = await c.post('/api/v1/me/totp/confirm', { code: totp(e.json.secret, clockMs, 5) });
  assert.equal(wrong.status, 422);
  assert.equal(wrong.json.code, 'validation_failed');
  assert.equal(wrong.json.field, 'code');
  const missing = await c.post('/api/v1/me/totp/confirm', {});
  assert.equal(missing.status, 422);
  const ok = await c.post('/api/v1/me/totp/confirm', { code: totp(e.json.secret, clockMs) });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.totp_enabled, true);
  assert.equal(ok.json.recovery_codes.length, 10);
  for (const code of ok.json.recovery_codes) assert.match(code, /^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{2}$/);
  assert.equal(new Set(ok.json.recovery_codes).size, 10);
  const me = await c.get('/api/v1/me');
  assert.equal(me.json.totp_enabled, true);
  assert.equal(me.json.totp_enrolment_required, false);
  const again = await c.post('/api/v1/me/totp');
  assert.equal(again.status, 409);
  assert.equal((await c.post('/api/v1/me/totp/confirm', { code: totp(e.json.secret, clockMs) })).status, 409);
});

test('with two factors on, sign-in needs a code of a step not used before', async () => {
  await nextTest();
  addUser('codes@test.example', 'staff', 'codes-password-1');
  const { secret } = await enable(await signedIn('codes@test.example', 'codes-password-1'));
  const c = new Client(server.url);
  const none = await c.login('codes@test.example', 'codes-password-1');
  assert.equal(none.status, 401);
  assert.equal(none.json.code, 'totp_required');
  assert.equal(none.headers.get('set-cookie'), null);
  // A wrong password stays the plain answer, with or without a code.
  const badPassword = await c.post('/api/v1/auth/login',
    { email: 'codes@test.example', password: 'not-the-password', totp: totp(secret, clockMs) });
  assert.equal(badPassword.status, 401);
  assert.equal(badPassword.json.code, 'unauthenticated');
  const wrong = await c.post('/api/v1/auth/login',
    { email: 'codes@test.example', password: 'codes-password-1', totp: totp(secret, clockMs, 7) });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json.code, 'totp_required');
  const code = totp(secret, clockMs);
  const ok = await c.post('/api/v1/auth/login', { email: 'codes@test.example', password: 'codes-password-1', totp: code });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.totp_enabled, true);
  c.csrf = ok.json.csrf_token;
  assert.equal((await c.get('/api/v1/me')).status, 200);
  // The same code again: refused (replay), as is the older step's.
  const replay = await new Client(server.url).post('/api/v1/auth/login',
    { email: 'codes@test.example', password: 'codes-password-1', totp: code });
  assert.equal(replay.status, 401);
  assert.equal(replay.json.code, 'totp_required');
  const older = await new Client(server.url).post('/api/v1/auth/login',
    { email: 'codes@test.example', password: 'codes-password-1', totp: totp(secret, clockMs, -1) });
  assert.equal(older.status, 401);
  // A later code signs in (after the throttle's window: five failures above).
  await clock(clockMs + 16 * 60e3);
  const next = await new Client(server.url).post('/api/v1/auth/login',
    { email: 'codes@test.example', password: 'codes-password-1', totp: totp(secret, clockMs) });
  assert.equal(next.status, 200, next.text);
});

test('wrong codes count as failed sign-ins for the throttle, the password alone does not', async () => {
  await nextTest();
  addUser('throttle@test.example', 'staff', 'throttle-password-1');
  const { secret } = await enable(await signedIn('throttle@test.example', 'throttle-password-1'));
  const c = new Client(server.url);
  const body = { email: 'throttle@test.example', password: 'throttle-password-1' };
  // The portal's first step, over and over: no guess, no failure.
  for (let i = 0; i < 8; i++) {
    const r = await c.post('/api/v1/auth/login', body);
    assert.deepEqual([r.status, r.json.code], [401, 'totp_required']);
  }
  for (let i = 0; i < 5; i++) {
    const r = await c.post('/api/v1/auth/login', { ...body, totp: '000000' });
    assert.deepEqual([r.status, r.json.code], [401, 'totp_required']);
  }
  const refused = await c.post('/api/v1/auth/login', { ...body, totp: totp(secret, clockMs) });
  assert.equal(refused.status, 429);
  assert.ok(Number(refused.headers.get('retry-after')) > 0);
});

test('a recovery code signs in once, typed in any case with or without dashes', async () => {
  await nextTest();
  addUser('recover@test.example', 'admin', 'recover-password-1');
  const { codes } = await enable(await signedIn('recover@test.example', 'recover-password-1'));
  const typed = codes[2].replaceAll('-', '').toUpperCase();
  const c = new Client(server.url);
  const ok = await c.post('/api/v1/auth/login', { email: 'recover@test.example', password: 'recover-password-1', totp: typed });
  assert.equal(ok.status, 200, ok.text);
  const again = await new Client(server.url).post('/api/v1/auth/login',
    { email: 'recover@test.example', password: 'recover-password-1', totp: codes[2] });
  assert.equal(again.status, 401);
  assert.equal(again.json.code, 'totp_required');
});

test('turning two factors off needs the password and a code; new recovery codes too', async () => {
  await nextTest();
  addUser('off@test.example', 'staff', 'off-password-1');
  const c = await signedIn('off@test.example', 'off-password-1');
  const { secret, codes } = await enable(c);
  const badPassword = await c.post('/api/v1/me/totp/disable', { password: 'wrong-password-1', code: totp(secret, clockMs) });
  assert.equal(badPassword.status, 422);
  assert.equal(badPassword.json.field, 'password');
  const badCode = await c.post('/api/v1/me/totp/disable', { password: 'off-password-1', code: '000000' });
  assert.equal(badCode.status, 422);
  assert.equal(badCode.json.field, 'code');
  assert.equal((await c.post('/api/v1/me/totp/disable', { password: 'off-password-1' })).status, 422);
  // New recovery codes (with a code of the app): the old ones stop working.
  const fresh = await c.post('/api/v1/me/totp/recovery-codes', { password: 'off-password-1', code: totp(secret, clockMs) });
  assert.equal(fresh.status, 200, fresh.text);
  assert.equal(fresh.json.recovery_codes.length, 10);
  const old = await c.post('/api/v1/me/totp/disable', { password: 'off-password-1', code: codes[0] });
  assert.equal(old.status, 422);
  const off = await c.post('/api/v1/me/totp/disable', { password: 'off-password-1', code: fresh.json.recovery_codes[0] });
  assert.equal(off.status, 200, off.text);
  assert.equal(off.json.totp_enabled, false);
  assert.equal((await c.get('/api/v1/me')).json.totp_enabled, false);
  const plain = await new Client(server.url).login('off@test.example', 'off-password-1');
  assert.equal(plain.status, 200);
  const twice = await c.post('/api/v1/me/totp/disable', { password: 'off-password-1', code: totp(secret, clockMs) });
  assert.equal(twice.status, 409);
});

test('an API key cannot enrol: two factors are for people', async () => {
  await nextTest();
  const k = await admin.post('/api/v1/api-keys', { role: 'admin', name: 'totp' });
  assert.equal(k.status, 201, k.text);
  const bot = new Client(server.url);
  bot.bearer = k.json.key;
  const r = await bot.post('/api/v1/me/totp');
  assert.equal(r.status, 403);
  assert.equal(r.json.code, 'forbidden');
});

test('the CLI turns a user\'s two factors off and ends the user\'s sessions', async () => {
  await nextTest();
  addUser('lost@test.example', 'admin', 'lost-password-1');
  const c = await signedIn('lost@test.example', 'lost-password-1');
  await enable(c);
  assert.equal((await c.get('/api/v1/me')).status, 200);
  execFileSync(server.bin, ['user', 'disable-totp', '--email', 'lost@test.example', '--db', server.db], { stdio: 'pipe' });
  assert.equal((await c.get('/api/v1/me')).status, 401);
  const plain = await new Client(server.url).login('lost@test.example', 'lost-password-1');
  assert.equal(plain.status, 200, plain.text);
  assert.equal(plain.json.totp_enabled, false);
});

test('totp_required: staff and admins without two factors may only see themselves, enrol and sign out', async () => {
  await nextTest();
  addUser('gate@test.example', 'staff', 'gate-password-1');
  const staff = await signedIn('gate@test.example', 'gate-password-1');
  assert.equal((await staff.get('/api/v1/customers')).status, 200);
  const key = await admin.post('/api/v1/api-keys', { role: 'staff', name: 'gate' });
  const on = await admin.patch('/api/v1/settings', { totp_required: true });
  assert.equal(on.status, 200, on.text);
  assert.equal(on.json.totp_required, true);
  assert.equal((await admin.get('/api/v1/settings')).status, 403);
  // At once, on the session signed in before.
  const blocked = await staff.get('/api/v1/customers');
  assert.equal(blocked.status, 403);
  assert.equal(blocked.json.code, 'totp_enrolment_required');
  assert.equal((await staff.post('/api/v1/customers', { name: 'Nope' })).json.code, 'totp_enrolment_required');
  const me = await staff.get('/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal(me.json.totp_enrolment_required, true);
  // Signing in still works, and says so.
  const fresh = new Client(server.url);
  const login = await fresh.login('gate@test.example', 'gate-password-1');
  assert.equal(login.status, 200);
  assert.equal(login.json.totp_enrolment_required, true);
  // An API key is no person: not held back.
  const bot = new Client(server.url);
  bot.bearer = key.json.key;
  assert.equal((await bot.get('/api/v1/customers')).status, 200);
  // Enrolling frees the session.
  const e = await staff.post('/api/v1/me/totp');
  assert.equal(e.status, 200, e.text);
  assert.equal((await staff.post('/api/v1/me/totp/confirm', { code: totp(e.json.secret, clockMs) })).status, 200);
  assert.equal((await staff.get('/api/v1/customers')).status, 200);
  assert.equal((await staff.get('/api/v1/me')).json.totp_enrolment_required, false);
  assert.equal((await fresh.post('/api/v1/auth/logout')).status, 200);
  // The admin enrols too, then turns the setting off again.
  const a = await enable(admin);
  assert.ok(a.secret);
  const off = await admin.patch('/api/v1/settings', { totp_required: false });
  assert.equal(off.status, 200, off.text);
  assert.equal(off.json.totp_required, false);
  assert.equal((await admin.patch('/api/v1/settings', { totp_required: 'yes' })).status, 422);
});
