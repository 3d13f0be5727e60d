// `creditd mail test` against a real SMTP server on 127.0.0.1 (npm's
// smtp-server), so the mail client is tested end to end through the binary:
// plain SMTP, STARTTLS with AUTH PLAIN and LOGIN, implicit TLS (smtps://),
// and the failures a dispatcher must tell apart: a refused recipient is
// permanent (delivery_rejected), a wrong password, no server, a relay
// without STARTTLS when TLS is required and an untrusted certificate are
// temporary (delivery_unavailable). The relay's password must never appear
// in anything creditd prints. What arrives is parsed with mailparser: sender,
// recipient, subject, both parts and the UTF-8 they carry.
//
// A throw-away self-signed certificate for 127.0.0.1 is made with openssl
// and given to creditd as CREDITD_SMTP_CA_FILE. The tenant case makes its
// own SQLite database, so the file runs the same on every backend.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const bin = process.env.CREDITD_BIN || 'build/creditd';
const USER = 'shop';
const PASSWORD = 'Geheim-p4ss_w0rd';
const FROM = 'noreply@shop.example';
const TO = 'kunde@example.org';
let dir;
let tls; // { key, cert, caFile }

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'creditd-mail-'));
  const keyFile = join(dir, 'key.pem');
  const caFile = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', caFile,
    '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  tls = { key: readFileSync(keyFile), cert: readFileSync(caFile), caFile };
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

// An SMTP server on 127.0.0.1 with the given smtp-server options; it keeps
// each message it accepted with its envelope and the logins it saw.
async function startRelay(options = {}) {
  const messages = [];
  const logins = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    ...options,
    onAuth(auth, session, callback) {
      logins.push({ method: auth.method, username: auth.username });
      if (auth.username === USER && auth.password === PASSWORD) return callback(null, { user: USER });
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        messages.push({ raw: Buffer.concat(chunks), envelope: session.envelope });
        callback(null, 'queued');
      });
    },
  });
  server.on('error', () => {}); // a client that drops TLS is not the test's failure
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.server.address().port,
    messages,
    logins,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// Runs `creditd mail test ARGS` with the mail settings in env only.
function mailTest(args, env = {}) {
  const clean = { ...process.env };
  for (const k of Object.keys(clean)) if (/^CREDITD_(SMTP|MAIL)_/.test(k)) delete clean[k];
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(bin, ['mail', 'test', ...args], { env: { ...clean, ...env }, timeout: 30000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? err.code : 0, stdout, stderr, ms: Date.now() - started });
      });
  });
}

function assertNoPassword(r) {
  for (const secret of [PASSWORD, encodeURIComponent(PASSWORD)]) {
    assert.ok(!r.stdout.includes(secret), `the password is on stdout: ${r.stdout}`);
    assert.ok(!r.stderr.includes(secret), `the password is on stderr: ${r.stderr}`);
  }
}

function assertSent(r) {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  assert.match(r.stdout, /^sent a test mail to kunde@example\.org via smtps?:\/\/.*\(Message-ID <[0-9a-f]{32}@shop\.example>\)\n$/);
}

async function freePort() {
  const s = net.createServer();
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

const withLogin = (scheme, port) =>
  `${scheme}://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`;

test('plain smtp:// delivers the test mail with both parts in UTF-8', async () => {
  const relay = await startRelay();
  try {
    const r = await mailTest(['--to', TO], {
      CREDITD_SMTP_URL: `smtp://127.0.0.1:${relay.port}`,
      CREDITD_MAIL_FROM: `Shop Tuning <${FROM}>`,
    });
    assertSent(r);
    assert.equal(relay.messages.length, 1);
    const { raw, envelope } = relay.messages[0];
    assert.equal(envelope.mailFrom.address, FROM);
    assert.deepEqual(envelope.rcptTo.map((x) => x.address), [TO]);
    const mail = await simpleParser(raw);
    assert.deepEqual(mail.from.value, [{ address: FROM, name: 'Shop Tuning' }]);
    assert.equal(mail.to.value[0].address, TO);
    assert.equal(mail.subject, 'Test mail from Shop Tuning');
    assert.equal(mail.headers.get('auto-submitted'), 'auto-generated');
    assert.equal(mail.headers.get('mime-version'), '1.0');
    assert.match(mail.headers.get('content-type').value, /^multipart\/alternative$/);
    assert.match(mail.messageId, /^<[0-9a-f]{32}@shop\.example>$/);
    assert.ok(r.stdout.includes(mail.messageId));
    assert.ok(mail.date instanceof Date && Math.abs(mail.date - Date.now()) < 60000);
    assert.match(mail.text, /this is a test mail from Shop Tuning/);
    assert.ok(mail.text.includes('äöü ß € ✓'), mail.text);
    assert.match(mail.html, /<strong>Shop Tuning<\/strong>/);
    assert.ok(mail.html.includes('äöü ß € ✓'));
    // Both parts, each text in UTF-8 quoted-printable, lines within 76.
    const text = raw.toString('latin1');
    assert.match(text, /Content-Type: text\/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable/);
    assert.match(text, /Content-Type: text\/html; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable/);
    const body = text.slice(text.indexOf('\r\n\r\n') + 4);
    for (const line of body.split('\r\n')) assert.ok(line.length <= 76, line);
  } finally {
    await relay.close();
  }
});

test('a tenant signs the mail with its name, as encoded-words when it is not ASCII', async () => {
  const db = `sqlite:${join(dir, 'tenant.db')}`;
  execFileSync(bin, ['init', '--db', db, '--name', 'Müller Tuning ✓', '--admin-email',
    'admin@test.example', '--admin-password-stdin'], { input: 'admin-password-1\n', stdio: ['pipe', 'ignore', 'ignore'] });
  const relay = await startRelay();
  try {
    const env = { CREDITD_SMTP_URL: `smtp://127.0.0.1:${relay.port}`, CREDITD_MAIL_FROM: FROM };
    const r = await mailTest(['--to', TO, '--tenant', 'ten_1', '--db', db], env);
    assertSent(r);
    const raw = relay.messages[0].raw.toString('latin1');
    assert.match(raw, /\r\nFrom: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <noreply@shop\.example>\r\n/);
    assert.match(raw, /\r\nSubject: =\?UTF-8\?B\?/);
    const mail = await simpleParser(relay.messages[0].raw);
    assert.deepEqual(mail.from.value, [{ address: FROM, name: 'Müller Tuning ✓' }]);
    assert.equal(mail.subject, 'Test mail from Müller Tuning ✓');
    assert.match(mail.text, /from Müller Tuning ✓, sent by/);
    const unknown = await mailTest(['--to', TO, '--tenant', 'ten_99', '--db', db], env);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /no tenant 'ten_99'/);
    assert.equal(relay.messages.length, 1);
  } finally {
    await relay.close();
  }
});

for (const method of ['PLAIN', 'LOGIN']) {
  test(`STARTTLS with AUTH ${method} delivers, and the password is printed nowhere`, async () => {
    const relay = await startRelay({
      key: tls.key, cert: tls.cert, disabledCommands: [], authMethods: [method],
    });
    try {
      const r = await mailTest(['--to', TO], {
        CREDITD_SMTP_URL: withLogin('smtp', relay.port),
        CREDITD_MAIL_FROM: FROM,
        CREDITD_SMTP_CA_FILE: tls.caFile,
        CREDITD_SMTP_REQUIRE_TLS: '1',
      });
      assertSent(r);
      assertNoPassword(r);
      assert.ok(r.stdout.includes(`smtp://${USER}@127.0.0.1:${relay.port}`), r.stdout);
      assert.deepEqual(relay.logins, [{ method, username: USER }]);
      assert.equal(relay.messages.length, 1);
      const mail = await simpleParser(relay.messages[0].raw);
      assert.equal(mail.subject, 'Test mail from creditd');
    } finally {
      await relay.close();
    }
  });
}

test('a wrong password fails with exit 1, temporary, without the password', async () => {
  const relay = await startRelay({ key: tls.key, cert: tls.cert, disabledCommands: [] });
  try {
    const wrong = `smtp://${USER}:${encodeURIComponent(`${PASSWORD}-wrong`)}@127.0.0.1:${relay.port}`;
    const r = await mailTest(['--to', TO], {
      CREDITD_SMTP_URL: wrong, CREDITD_MAIL_FROM: FROM, CREDITD_SMTP_CA_FILE: tls.caFile,
    });
    assert.equal(r.code, 1, r.stderr);
    assertNoPassword(r);
    assert.match(r.stderr, /refused the login/);
    assert.match(r.stderr, /delivery_unavailable/);
    assert.equal(relay.logins.length, 1);
    assert.equal(relay.messages.length, 0);
  } finally {
    await relay.close();
  }
});

test('a recipient the relay refuses with 550 fails with exit 1, for good', async () => {
  const relay = await startRelay({
    onRcptTo(address, session, callback) {
      const e = new Error(`<${address.address}>: Recipient address rejected: no such user`);
      e.responseCode = 550;
      callback(e);
    },
  });
  try {
    const r = await mailTest(['--to', 'nobody@example.org'], {
      CREDITD_SMTP_URL: `smtp://127.0.0.1:${relay.port}`, CREDITD_MAIL_FROM: FROM,
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /refused the mail/);
    assert.match(r.stderr, /550/);
    assert.match(r.stderr, /no such user/);
    assert.match(r.stderr, /delivery_rejected/);
    assert.equal(relay.messages.length, 0);
  } finally {
    await relay.close();
  }
});

test('no server listening fails with exit 1 at once, temporary', async () => {
  const port = await freePort();
  const r = await mailTest(['--to', TO], {
    CREDITD_SMTP_URL: withLogin('smtp', port), CREDITD_MAIL_FROM: FROM,
  });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /cannot connect to smtp relay/);
  assert.match(r.stderr, /delivery_unavailable/);
  assertNoPassword(r);
  assert.ok(r.ms < 5000, `took ${r.ms} ms`);
});

test('smtps:// (TLS from the first byte) with a login delivers', async () => {
  const relay = await startRelay({
    secure: true, key: tls.key, cert: tls.cert, disabledCommands: [], authMethods: ['PLAIN'],
  });
  try {
    const r = await mailTest(['--to', TO], {
      CREDITD_SMTP_URL: withLogin('smtps', relay.port),
      CREDITD_MAIL_FROM: FROM,
      CREDITD_SMTP_CA_FILE: tls.caFile,
    });
    assertSent(r);
    assertNoPassword(r);
    assert.equal(relay.messages.length, 1);
    assert.equal(relay.logins.length, 1);
  } finally {
    await relay.close();
  }
});

test('TLS is verified: an untrusted certificate or no STARTTLS when required fails', async () => {
  const relay = await startRelay({ key: tls.key, cert: tls.cert, disabledCommands: ['AUTH'] });
  try {
    const r = await mailTest(['--to', TO], {
      CREDITD_SMTP_URL: `smtp://127.0.0.1:${relay.port}`, CREDITD_MAIL_FROM: FROM,
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /tls with smtp relay .* failed/);
    assert.match(r.stderr, /delivery_unavailable/);
    assert.equal(relay.messages.length, 0);
  } finally {
    await relay.close();
  }
  const plain = await startRelay();
  try {
    const r = await mailTest(['--to', TO], {
      CREDITD_SMTP_URL: withLogin('smtp', plain.port),
      CREDITD_MAIL_FROM: FROM,
      CREDITD_SMTP_REQUIRE_TLS: '1',
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /does not offer STARTTLS, which is required/);
    assertNoPassword(r);
    assert.equal(plain.messages.length, 0);
  } finally {
    await plain.close();
  }
});

test('usage errors exit 2; missing settings exit 1 and say which', async () => {
  const env = { CREDITD_SMTP_URL: 'smtp://127.0.0.1:1', CREDITD_MAIL_FROM: FROM };
  let r = await mailTest([], env);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--to ADDRESS is required/);
  r = await mailTest(['--to', 'not an address'], env);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--to: address/);
  r = await mailTest(['--to', 'a@b.example\r\nBcc: c@d.example'], env);
  assert.equal(r.code, 2);
  r = await mailTest(['--to', TO, '--bogus'], env);
  assert.equal(r.code, 2);
  r = await mailTest(['--to', TO]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /mail is not configured: set CREDITD_SMTP_URL and CREDITD_MAIL_FROM \(mail_not_configured\)/);
  r = await mailTest(['--to', TO], { CREDITD_SMTP_URL: `https://u:${PASSWORD}@relay.example` , CREDITD_MAIL_FROM: FROM });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /smtp:\/\/ or smtps:\/\//);
  assertNoPassword(r);
  const help = execFileSync(bin, ['mail', '--help'], { encoding: 'utf8' });
  assert.match(help, /usage: creditd mail test --to ADDRESS/);
});
