// Notifications by mail, end to end: real actions through the API write
// events in their transactions, the server's dispatcher turns them into mails
// and sends them to a real SMTP server on 127.0.0.1 (npm's smtp-server),
// where mailparser reads what arrived. Checked: the right people get the
// right mail (the workshop's staff a new order, the customer's owners the
// delivered file and the credits), with the order reference and a link into
// the portal; a German-speaking customer gets German; STARTTLS and AUTH on
// the way; what a user opted out of does not come, and the one-click
// unsubscribe works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { startServer, Client, ADMIN } from './harness.mjs';

const USER = 'shop';
const PASSWORD = 'Relay-p4ss_w0rd';
let dir;
let tls;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'creditd-notify-'));
  const keyFile = join(dir, 'key.pem');
  const caFile = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', caFile,
    '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  tls = { key: readFileSync(keyFile), cert: readFileSync(caFile), caFile };
});
after(() => { rmSync(dir, { recursive: true, force: true }); });

// A relay that keeps every parsed message; with secure set it offers
// STARTTLS and wants AUTH.
async function startRelay({ secure = false } = {}) {
  const messages = [];
  const logins = [];
  const server = new SMTPServer({
    logger: false,
    ...(secure
      ? { key: tls.key, cert: tls.cert, authOptional: false, disabledCommands: [] }
      : { disabledCommands: ['STARTTLS', 'AUTH'] }),
    onAuth(auth, session, callback) {
      logins.push({ user: auth.username, tls: Boolean(session.secure) });
      if (auth.username === USER && auth.password === PASSWORD) return callback(null, { user: USER });
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        const parsed = await simpleParser(raw);
        messages.push({ raw: raw.toString('utf8'), parsed, to: session.envelope.rcptTo.map((r) => r.address), secure: Boolean(session.secure) });
        callback(null, 'queued');
      });
    },
  });
  server.on('error', () => {});
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.server.address().port, messages, logins, close: () => new Promise((r) => server.close(r)) };
}

// Waits (bounded) until pick finds a message, and returns it.
async function waitFor(relay, pick, what) {
  for (let i = 0; i < 200; i++) {
    const m = relay.messages.find(pick);
    if (m) return m;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`no mail: ${what}; got: ${relay.messages.map((m) => `${m.to} ${m.parsed.subject}`).join(' | ')}`);
}

// A shop: Stage 1, a customer with an owner, credits.
async function shop(server, admin, { name, owner, locale }) {
  const svc = await admin.post('/api/v1/services', { name: 'Stage 1', kind: 'base', category: 'tuning', costs: { master: '6' } });
  assert.equal(svc.status, 201, svc.text);
  const c = await admin.post('/api/v1/customers', { name, ...(locale ? { locale } : {}) });
  assert.equal(c.status, 201, c.text);
  const m = await admin.post(`/api/v1/customers/${c.json.id}/members`, { email: owner, password: 'owner-password-1', role: 'owner' });
  assert.equal(m.status, 201, m.text);
  const lot = await admin.post(`/api/v1/customers/${c.json.id}/lots`, { credit_type: 'master', credits: '50' });
  assert.equal(lot.status, 201, lot.text);
  const client = new Client(server.url);
  assert.equal((await client.login(owner, 'owner-password-1')).status, 200);
  return { customer: c.json.id, service: svc.json.id, owner: client };
}

test('an order mails the workshop, the delivered file mails the customer, credits mail the owner', async () => {
  const relay = await startRelay();
  const server = await startServer({ env: { CREDITD_SMTP_URL: `smtp://127.0.0.1:${relay.port}`, CREDITD_MAIL_FROM: 'noreply@shop.example' } });
  try {
    const admin = new Client(server.url);
    await admin.login(ADMIN.email, ADMIN.password);
    assert.equal((await admin.patch('/api/v1/settings', { name: 'Tuning Werk', portal_url: 'https://portal.tuning.example', mail_reply_to: 'hilfe@tuning.example' })).status, 200);
    const st = await admin.get('/api/v1/notifications/status');
    assert.equal(st.status, 200, st.text);
    assert.deepEqual(st.json.mail, { configured: true, relay: `smtp://127.0.0.1:${relay.port}/`, from: 'noreply@shop.example' });
    const tm = await admin.post('/api/v1/notifications/test-mail', { to: 'boss@tuning.example' });
    assert.equal(tm.status, 200, tm.text);
    const test1 = await waitFor(relay, (m) => m.to.includes('boss@tuning.example'), 'the test mail');
    assert.equal(test1.parsed.subject, 'Test mail from Tuning Werk');
    assert.equal((await admin.post('/api/v1/notifications/test-mail', { to: 'not an address' })).status, 422);
    const s = await shop(server, admin, { name: 'Motors Ltd', owner: 'owner@motors.example' });
    assert.equal((await s.owner.get('/api/v1/notifications/status')).status, 403);
    const added = await waitFor(relay, (m) => m.to.includes('owner@motors.example') && /credits added/.test(m.parsed.subject), 'credits.added');
    assert.equal(added.parsed.subject, '50 master credits added');
    assert.match(added.parsed.text, /Your balance is now 50\./);
    assert.match(added.parsed.text, /https:\/\/portal\.tuning\.example\/#\/history/);
    assert.equal(added.parsed.from.value[0].address, 'noreply@shop.example');
    assert.equal(added.parsed.from.value[0].name, 'Tuning Werk');
    assert.equal(added.parsed.replyTo.value[0].address, 'hilfe@tuning.example');
    assert.match(added.raw, /List-Unsubscribe: <https:\/\/portal\.tuning\.example\/api\/v1\/unsubscribe\/[0-9a-f]{32}>/);
    assert.match(added.raw, /List-Unsubscribe-Post: List-Unsubscribe=One-Click/);

    const order = await s.owner.post('/api/v1/orders', { credit_type: 'master', services: [s.service], vehicle: { make: 'VW', model: 'Golf 7' } });
    assert.equal(order.status, 201, order.text);
    const ref = order.json.reference;
    const created = await waitFor(relay, (m) => m.to.includes(ADMIN.email) && m.parsed.subject.includes(ref), 'order.created');
    assert.equal(created.parsed.subject, `New order ${ref} from Motors Ltd`);
    assert.match(created.parsed.text, /Motors Ltd placed order .*: Stage 1, 6 master credits\./);
    assert.match(created.parsed.text, /Vehicle: VW · Golf 7/);
    assert.match(created.parsed.text, new RegExp(`https://portal\\.tuning\\.example/#/admin/orders/${order.json.id}`));
    assert.match(created.parsed.html, /<a href="https:\/\/portal\.tuning\.example\/#\/admin\/orders\//);
    assert.ok(!relay.messages.some((m) => m.to.includes('owner@motors.example') && m.parsed.subject.includes('New order')), 'the customer is not told of its own new order');

    const file = new FormData();
    file.append('file', new Blob([Buffer.alloc(64, 7)]), 'tuned.bin');
    const delivered = await admin.request('POST', `/api/v1/orders/${order.json.id}/deliver`, { form: file });
    assert.equal(delivered.status, 201, delivered.text);
    const done = await waitFor(relay, (m) => m.to.includes('owner@motors.example') && m.parsed.subject.includes('is ready'), 'order.completed');
    assert.equal(done.parsed.subject, `Your file for order ${ref} is ready`);
    assert.match(done.parsed.text, /^Hello,/);
    assert.match(done.parsed.text, new RegExp(`https://portal\\.tuning\\.example/#/orders/${order.json.id}`));
  } finally {
    await server.stop();
    await relay.close();
  }
});

test('a German-speaking customer gets German mails, through STARTTLS with AUTH', async () => {
  const relay = await startRelay({ secure: true });
  const server = await startServer({
    env: {
      CREDITD_SMTP_URL: `smtp://${USER}:${PASSWORD}@127.0.0.1:${relay.port}`,
      CREDITD_MAIL_FROM: 'Werkstatt <noreply@werk.example>',
      CREDITD_SMTP_CA_FILE: tls.caFile,
      CREDITD_SMTP_REQUIRE_TLS: '1',
    },
  });
  try {
    const admin = new Client(server.url);
    await admin.login(ADMIN.email, ADMIN.password);
    assert.equal((await admin.patch('/api/v1/settings', { name: 'Chiptuning Süd', portal_url: 'https://portal.sued.example/' })).status, 200);
    const s = await shop(server, admin, { name: 'Müller KFZ', owner: 'inhaber@mueller.example', locale: 'de' });
    const order = await s.owner.post('/api/v1/orders', { credit_type: 'master', services: [s.service] });
    assert.equal(order.status, 201, order.text);
    const ref = order.json.reference;
    const rejected = await admin.post(`/api/v1/orders/${order.json.id}/cancel`, { reason: 'Datei unvollständig' });
    assert.equal(rejected.status, 200, rejected.text);
    const m = await waitFor(relay, (x) => x.to.includes('inhaber@mueller.example') && x.parsed.subject.includes(ref), 'order.rejected');
    assert.equal(m.parsed.subject, `Auftrag ${ref} wurde abgelehnt`);
    assert.match(m.parsed.text, /^Guten Tag,/);
    assert.match(m.parsed.text, /Grund: Datei unvollständig/);
    assert.match(m.parsed.text, /6 master-Credits wurden Ihrem Guthaben wieder gutgeschrieben\./);
    assert.match(m.parsed.text, /https:\/\/portal\.sued\.example\/#\/orders\//);
    assert.match(m.parsed.text, /Diese E-Mails abbestellen:/);
    assert.match(m.raw, /^From: =\?UTF-8\?B\?/m, 'a non-ASCII sender name is encoded');
    assert.equal(m.parsed.from.value[0].name, 'Chiptuning Süd');
    assert.ok(m.secure, 'the mail came over TLS');
    assert.ok(relay.logins.some((l) => l.user === USER && l.tls), 'the relay saw AUTH after STARTTLS');
    const credits = await waitFor(relay, (x) => x.to.includes('inhaber@mueller.example') && /gutgeschrieben$/.test(x.parsed.subject), 'credits.added in German');
    assert.equal(credits.parsed.subject, '50 master-Credits gutgeschrieben');
    assert.ok(!server.log.includes(PASSWORD), 'the relay password is never logged');
  } finally {
    await server.stop();
    await relay.close();
  }
});

test('the one-click unsubscribe stops that kind of mail, and only that kind', async () => {
  const relay = await startRelay();
  const server = await startServer({ env: { CREDITD_SMTP_URL: `smtp://127.0.0.1:${relay.port}`, CREDITD_MAIL_FROM: 'noreply@shop.example' } });
  try {
    const admin = new Client(server.url);
    await admin.login(ADMIN.email, ADMIN.password);
    assert.equal((await admin.patch('/api/v1/settings', { portal_url: server.url })).status, 200);
    const s = await shop(server, admin, { name: 'Opt Out GmbH', owner: 'owner@optout.example' });
    const first = await waitFor(relay, (m) => m.to.includes('owner@optout.example') && /credits added/.test(m.parsed.subject), 'credits.added');
    const url = /List-Unsubscribe: <([^>]+)>/.exec(first.raw)[1];
    assert.ok(url.startsWith(`${server.url}/api/v1/unsubscribe/`), url);
    // RFC 8058: the mail client POSTs List-Unsubscribe=One-Click, no cookie.
    const one = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    assert.equal(one.status, 200);
    // A link a scanner prefetches changes nothing: GET only shows a button.
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<form method="post"/);
    const prefs = await s.owner.get('/api/v1/me/notifications');
    assert.equal(prefs.status, 200, prefs.text);
    assert.equal(prefs.json.mail.find((p) => p.event === 'credits.added').enabled, false);
    assert.equal(prefs.json.mail.find((p) => p.event === 'order.completed').enabled, true);
    relay.messages.length = 0;
    assert.equal((await admin.post(`/api/v1/customers/${s.customer}/lots`, { credit_type: 'master', credits: '5' })).status, 201);
    const order = await s.owner.post('/api/v1/orders', { credit_type: 'master', services: [s.service] });
    assert.equal((await admin.post(`/api/v1/orders/${order.json.id}/status`, { status: 'completed' })).status, 200);
    await waitFor(relay, (m) => m.to.includes('owner@optout.example') && m.parsed.subject.includes('is ready'), 'order.completed still comes');
    assert.ok(!relay.messages.some((m) => m.to.includes('owner@optout.example') && /credits added/.test(m.parsed.subject)), 'no credits.added after unsubscribing');
    const bad = await fetch(`${server.url}/api/v1/unsubscribe/${'0'.repeat(32)}`, { method: 'POST' });
    assert.equal(bad.status, 404);
  } finally {
    await server.stop();
    await relay.close();
  }
});

test('expiry notices come once per lot, low-balance alerts once per crossing, the limit once a month', async () => {
  const relay = await startRelay();
  const server = await startServer({ args: ['--jobs-every', '1'], env: { CREDITD_SMTP_URL: `smtp://127.0.0.1:${relay.port}`, CREDITD_MAIL_FROM: 'noreply@shop.example' } });
  try {
    // Moving the clock by days ends sessions: the admin uses an API key, the
    // owner signs in again after each move.
    const admin = new Client(server.url);
    admin.bearer = server.cli('apikey', 'create', '--role', 'admin').trim();
    const start = Date.parse('2027-03-01T08:00:00Z');
    assert.equal((await admin.post('/api/v1/test/clock', { now: new Date(start).toISOString() })).status, 200);
    assert.equal((await admin.patch('/api/v1/settings', { expiry_notice_days: 7, portal_url: 'https://p.example' })).status, 200);
    const s = await shop(server, admin, { name: 'Clock KG', owner: 'owner@clock.example' });
    const soon = await admin.post(`/api/v1/customers/${s.customer}/lots`, { credit_type: 'master', credits: '8', name: 'Spring promo', expires_at: '2027-03-11T00:00:00Z' });
    assert.equal(soon.status, 201, soon.text);
    const of = (pattern) => relay.messages.filter((m) => m.to.includes('owner@clock.example') && pattern.test(m.parsed.subject));
    // Ten days ahead is outside the 7-day window: no notice yet.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(of(/expire on/).length, 0);
    assert.equal((await admin.post('/api/v1/test/clock', { now: new Date(start + 4 * 86400e3).toISOString() })).status, 200);
    const notice = await waitFor(relay, (m) => m.to.includes('owner@clock.example') && /expire on/.test(m.parsed.subject), 'credits.expiring');
    assert.equal(notice.parsed.subject, '8 master credits expire on 11 Mar 2027');
    assert.match(notice.parsed.text, /"Spring promo"/);
    assert.equal((await admin.post('/api/v1/test/clock', { now: new Date(start + 5 * 86400e3).toISOString() })).status, 200);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(of(/expire on/).length, 1, 'one notice per lot, however often the job runs');
    assert.equal((await s.owner.login('owner@clock.example', 'owner-password-1')).status, 200);

    // balance.low: 58 credits (50 + 8), threshold 40; orders of 6 cross it once.
    const set = await s.owner.patch(`/api/v1/customers/${s.customer}/low-balance`, { master: '40', slave: null });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.json, { master: '40', slave: null });
    const bad = await s.owner.patch(`/api/v1/customers/${s.customer}/low-balance`, { master: '-1' });
    assert.equal(bad.status, 422);
    assert.equal((await s.owner.patch(`/api/v1/customers/${s.customer}/low-balance`, { gold: '1' })).status, 422);
    for (let i = 0; i < 4; i++) assert.equal((await s.owner.post('/api/v1/orders', { credit_type: 'master', services: [s.service] })).status, 201);
    const low = await waitFor(relay, (m) => m.to.includes('owner@clock.example') && /balance is low/.test(m.parsed.subject), 'balance.low');
    assert.match(low.parsed.text, /available master balance is 34, below the 40/);
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(of(/balance is low/).length, 1, 'once per crossing');
    assert.equal((await admin.post(`/api/v1/customers/${s.customer}/lots`, { credit_type: 'master', credits: '20' })).status, 201);
    // 54 now; three orders take it to 36.
    for (let i = 0; i < 3; i++) assert.equal((await s.owner.post('/api/v1/orders', { credit_type: 'master', services: [s.service] })).status, 201);
    for (let i = 0; i < 100 && of(/balance is low/).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(of(/balance is low/).length, 2, 'back above, then below again: a second alert');

    // member.limit_reached: a technician with a limit of 10 is refused once.
    const t = await s.owner.post(`/api/v1/customers/${s.customer}/members`, { email: 'tech@clock.example', password: 'tech-password-1', role: 'technician' });
    assert.equal(t.status, 201, t.text);
    assert.equal((await s.owner.patch(`/api/v1/customers/${s.customer}/members/${t.json.user_id}`, { monthly_limits: { master: '10' } })).status, 200);
    const tech = new Client(server.url);
    await tech.login('tech@clock.example', 'tech-password-1');
    assert.equal((await tech.post('/api/v1/orders', { credit_type: 'master', services: [s.service] })).status, 201);
    for (let i = 0; i < 2; i++) assert.equal((await tech.post('/api/v1/orders', { credit_type: 'master', services: [s.service] })).status, 403);
    const limit = await waitFor(relay, (m) => m.to.includes('owner@clock.example') && /monthly limit/.test(m.parsed.subject), 'member.limit_reached');
    assert.equal(limit.parsed.subject, 'tech@clock.example reached the monthly limit');
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(of(/monthly limit/).length, 1, 'once a month');
  } finally {
    await server.stop();
    await relay.close();
  }
});

test('without a relay, mail deliveries are kept as skipped and the admin sees why', async () => {
  const server = await startServer();
  try {
    const admin = new Client(server.url);
    await admin.login(ADMIN.email, ADMIN.password);
    const st = await admin.get('/api/v1/notifications/status');
    assert.deepEqual(st.json.mail, { configured: false, relay: null, from: null });
    const tm = await admin.post('/api/v1/notifications/test-mail', { to: 'boss@tuning.example' });
    assert.equal(tm.status, 409);
    assert.equal(tm.json.code, 'mail_not_configured');
  } finally {
    await server.stop();
  }
});
