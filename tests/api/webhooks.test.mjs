// Outgoing webhooks end to end (issue 11): a registered endpoint receives
// signed events for real actions; a receiver that fails and then recovers
// gets the same event (same id, same bytes, a valid signature each time)
// retried with backoff, and the delivery log shows every try; the SSRF guard
// refuses private and metadata addresses unless the server allows private
// ones; and the signature check that docs/api.md gives (Python and shell
// with openssl) accepts a real delivery and rejects a forged or stale one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, ADMIN } from './harness.mjs';
import { startReceiver, signatureIsValid } from './receiver.mjs';

const V = '/api/v1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, check, tries = 200) {
  for (let i = 0; i < tries; i++) {
    const v = await check();
    if (v) return v;
    await sleep(50);
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function shop(admin) {
  const svc = await admin.post(`${V}/services`, { name: 'Stage 1', kind: 'base', costs: { master: '6' } });
  assert.equal(svc.status, 201, svc.text);
  const c = await admin.post(`${V}/customers`, { name: 'Hook GmbH' });
  assert.equal(c.status, 201, c.text);
  assert.equal((await admin.post(`${V}/customers/${c.json.id}/lots`, { credit_type: 'master', credits: '60' })).status, 201);
  return { service: svc.json.id, customer: c.json.id };
}

test('a failing receiver gets the same signed event again with backoff until it answers 2xx', async () => {
  const receiver = await startReceiver({ answer: (n) => (n <= 2 ? 500 : 204) });
  const server = await startServer({ args: ['--webhook-allow-private'] });
  try {
    const admin = new Client(server.url);
    admin.bearer = server.cli('apikey', 'create', '--role', 'admin').trim();
    const ep = await admin.post(`${V}/webhook-endpoints`, { url: receiver.url, events: ['order.created', 'order.completed'], description: 'ERP' });
    assert.equal(ep.status, 201, ep.text);
    const secret = ep.json.secret;
    assert.match(secret, /^whsec_[0-9a-f]{64}$/);
    const s = await shop(admin);
    const order = await admin.post(`${V}/orders`, { customer_id: s.customer, credit_type: 'master', services: [s.service] });
    assert.equal(order.status, 201, order.text);
    await until('the first try', () => receiver.got.length >= 1);
    const first = receiver.got[0];
    assert.equal(first.json.type, 'order.created');
    assert.equal(first.json.data.object.id, order.json.id);
    assert.equal(first.json.data.object.reference, order.json.reference);
    assert.equal(first.headers['content-type'], 'application/json');
    assert.equal(first.headers['creditd-event-id'], first.json.id);
    assert.ok(signatureIsValid(secret, first.headers['creditd-signature'], first.raw), 'signed with the secret');
    assert.ok(!signatureIsValid('whsec_wrong', first.headers['creditd-signature'], first.raw), 'a wrong secret fails');
    // The next tries wait for the backoff: 30 s, then 60 s (the test clock).
    await sleep(1500);
    assert.equal(receiver.got.length, 1, 'no retry before its time');
    const t0 = Date.now();
    assert.equal((await admin.post(`${V}/test/clock`, { now: new Date(t0 + 31e3).toISOString() })).status, 200);
    await until('the second try', () => receiver.got.length >= 2);
    assert.equal((await admin.post(`${V}/test/clock`, { now: new Date(t0 + 31e3 + 30e3).toISOString() })).status, 200);
    await sleep(1500);
    assert.equal(receiver.got.length, 2, 'the second retry waits 60 s, not 30');
    assert.equal((await admin.post(`${V}/test/clock`, { now: new Date(t0 + 31e3 + 61e3).toISOString() })).status, 200);
    await until('the third try', () => receiver.got.length >= 3);
    await sleep(1200);
    assert.equal(receiver.got.length, 3, 'a 2xx ends the retries');
    for (const g of receiver.got) {
      assert.equal(g.json.id, first.json.id, 'the same event id on every try');
      assert.deepEqual(g.raw, first.raw, 'the same bytes on every try');
      assert.ok(signatureIsValid(secret, g.headers['creditd-signature'], g.raw));
    }
    // The endpoint did not subscribe to credits.added: none came.
    assert.ok(receiver.got.every((g) => g.json.type === 'order.created'));
    const log = await admin.get(`${V}/webhook-endpoints/${ep.json.id}/deliveries`);
    assert.equal(log.status, 200, log.text);
    const tries = log.json.items;
    assert.deepEqual(tries.map((t) => t.outcome), ['delivered', 'retry', 'retry']);
    assert.deepEqual(tries.map((t) => t.status), [204, 500, 500]);
    assert.ok(tries.every((t) => t.event_id === first.json.id));
    assert.match(tries[1].response_excerpt, /failing on purpose/);
    // The event log shows the delivery delivered after three attempts.
    const ev = await admin.get(`${V}/events/${first.json.id}`);
    assert.equal(ev.status, 200, ev.text);
    const hook = ev.json.deliveries.find((d) => d.channel === 'webhook');
    assert.equal(hook.status, 'delivered');
    assert.equal(hook.attempts, 3);
  } finally {
    await server.stop();
    await receiver.close();
  }
});

test('the SSRF guard refuses loopback, private and metadata addresses without --webhook-allow-private', async () => {
  const receiver = await startReceiver();
  const server = await startServer();
  try {
    const admin = new Client(server.url);
    await admin.login(ADMIN.email, ADMIN.password);
    for (const url of ['http://127.0.0.1/hook', 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/hook', 'http://[::1]/hook']) {
      const r = await admin.post(`${V}/webhook-endpoints`, { url, events: ['*'] });
      assert.equal(r.status, 422, `${url}: ${r.text}`);
      assert.equal(r.json.errors[0].field, 'url');
    }
    // A name that resolves to loopback passes the form check, and is
    // refused when the dispatcher resolves it: the delivery fails, logged.
    const ep = await admin.post(`${V}/webhook-endpoints`, { url: receiver.url.replace('127.0.0.1', 'localhost'), events: ['*'] });
    assert.equal(ep.status, 201, ep.text);
    await shop(admin);
    const log = await until('a refused try', async () => {
      const r = await admin.get(`${V}/webhook-endpoints/${ep.json.id}/deliveries`);
      return r.json.items.length > 0 ? r.json.items : null;
    });
    assert.equal(log[0].outcome, 'failed');
    assert.match(log[0].error, /loopback/);
    assert.equal(receiver.got.length, 0, 'nothing reached the receiver');
  } finally {
    await server.stop();
    await receiver.close();
  }
  // With the flag, loopback and private are allowed; metadata never.
  const open = await startServer({ args: ['--webhook-allow-private'] });
  try {
    const admin = new Client(open.url);
    await admin.login(ADMIN.email, ADMIN.password);
    assert.equal((await admin.post(`${V}/webhook-endpoints`, { url: 'http://127.0.0.1/hook', events: ['*'] })).status, 201);
    assert.equal((await admin.post(`${V}/webhook-endpoints`, { url: 'http://10.0.0.1/hook', events: ['*'] })).status, 201);
    assert.equal((await admin.post(`${V}/webhook-endpoints`, { url: 'http://169.254.169.254/latest/meta-data/', events: ['*'] })).status, 422);
  } finally {
    await open.stop();
  }
});

// The code blocks of docs/api.md's "Verifying a webhook's signature".
function docSnippets() {
  const md = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const part = md.slice(md.indexOf("### Verifying a webhook's signature"));
  const python = /```python\n([\s\S]*?)```/.exec(part)[1];
  const shell = /```sh\n([\s\S]*?)```/.exec(part)[1];
  return { python, shell };
}

test('the signature check in docs/api.md accepts a real delivery and rejects forged and stale ones', async () => {
  const receiver = await startReceiver();
  const server = await startServer({ args: ['--webhook-allow-private'] });
  const dir = mkdtempSync(join(tmpdir(), 'creditd-sig-'));
  try {
    const admin = new Client(server.url);
    await admin.login(ADMIN.email, ADMIN.password);
    const ep = await admin.post(`${V}/webhook-endpoints`, { url: receiver.url, events: ['credits.added'] });
    assert.equal(ep.status, 201, ep.text);
    await shop(admin);
    await until('a delivery', () => receiver.got.length >= 1);
    const got = receiver.got[0];
    const secret = ep.json.secret;
    const header = got.headers['creditd-signature'];
    const { python, shell } = docSnippets();
    writeFileSync(join(dir, 'verify.py'), `${python}
import sys
body = open(sys.argv[3], "rb").read()
print("valid" if verify(sys.argv[1], sys.argv[2], body) else "rejected")
`);
    const bodyFile = join(dir, 'body.json');
    const forgedFile = join(dir, 'forged.json');
    writeFileSync(bodyFile, got.raw);
    writeFileSync(forgedFile, Buffer.from(got.raw.toString('utf8').replace('"60"', '"600"')));
    const t = Number(/t=(\d+)/.exec(header)[1]);
    const stale = header.replace(`t=${t}`, `t=${t - 3600}`);
    const py = (sig, file, key = secret) => execFileSync('python3', [join(dir, 'verify.py'), key, sig, file], { encoding: 'utf8' }).trim();
    assert.equal(py(header, bodyFile), 'valid');
    assert.equal(py(header, forgedFile), 'rejected');
    assert.equal(py(stale, bodyFile), 'rejected');
    assert.equal(py(header, bodyFile, 'whsec_someone_else'), 'rejected');
    writeFileSync(join(dir, 'verify.sh'), shell);
    const sh = (sig, file) => spawnSync('bash', [join(dir, 'verify.sh')], { encoding: 'utf8', env: { ...process.env, SECRET: secret, SIG: sig, BODY_FILE: file } });
    const ok = sh(header, bodyFile);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.equal(ok.stdout.trim(), 'valid');
    const forged = sh(header, forgedFile);
    assert.equal(forged.status, 1);
    assert.equal(forged.stdout.trim(), 'forged');
    const old = sh(stale, bodyFile);
    assert.equal(old.status, 1);
    assert.equal(old.stdout.trim(), 'stale');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
    await receiver.close();
  }
});

test('an endpoint failing for three days is disabled and the admins are told by mail', async () => {
  const { SMTPServer } = await import('smtp-server');
  const mails = [];
  const relay = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => { mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') }); callback(null, 'queued'); });
    },
  });
  await new Promise((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const receiver = await startReceiver({ answer: () => 503 });
  const server = await startServer({
    args: ['--webhook-allow-private'],
    env: { CREDITD_SMTP_URL: `smtp://127.0.0.1:${relay.server.address().port}`, CREDITD_MAIL_FROM: 'noreply@shop.example' },
  });
  try {
    // Days pass on the test clock: an API key outlives every session.
    const admin = new Client(server.url);
    admin.bearer = server.cli('apikey', 'create', '--role', 'admin').trim();
    const ep = await admin.post(`${V}/webhook-endpoints`, { url: receiver.url, events: ['credits.added'] });
    assert.equal(ep.status, 201, ep.text);
    await shop(admin);
    await until('the first failure', () => receiver.got.length >= 1);
    const failing = await until('failing_since', async () => {
      const r = await admin.get(`${V}/webhook-endpoints/${ep.json.id}`);
      return r.json.failing_since ? r.json : null;
    });
    assert.equal(failing.disabled, false);
    const t0 = Date.now();
    assert.equal((await admin.post(`${V}/test/clock`, { now: new Date(t0 + 3 * 86400e3 + 60e3).toISOString() })).status, 200);
    const off = await until('the endpoint disabled', async () => {
      const r = await admin.get(`${V}/webhook-endpoints/${ep.json.id}`);
      return r.json.disabled ? r.json : null;
    });
    assert.match(off.disabled_reason, /failing since/);
    const told = await until('the admins told', () => mails.find((m) => m.to.includes(ADMIN.email) && /Webhook endpoint disabled/.test(m.raw)));
    assert.ok(told.raw.includes(receiver.url.replace(/^http:\/\//, '')), 'the mail names the endpoint');
    // Nothing more is posted to a disabled endpoint.
    const seen = receiver.got.length;
    await shop(admin);
    await sleep(2000);
    assert.equal(receiver.got.length, seen);
    // Enabled again, it gets new events.
    receiver.got.length = 0;
    assert.equal((await admin.patch(`${V}/webhook-endpoints/${ep.json.id}`, { disabled: false })).status, 200);
    await shop(admin);
    await until('a post after re-enabling', () => receiver.got.length >= 1);
  } finally {
    await server.stop();
    await receiver.close();
    await new Promise((resolve) => relay.close(resolve));
  }
});
