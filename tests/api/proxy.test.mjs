// Trusted proxies (serve --trusted-proxy CIDR) and the address failed sign-ins
// are counted under, against the real server on 127.0.0.1. Without the flag
// X-Forwarded-For is ignored; with it, a request from a trusted peer is
// counted under the first untrusted address from the right of the header.
// Each case fails 20 sign-ins (the per-address limit) on 20 accounts that do
// not exist, so the per-account limit (5) never hides the per-address one,
// then signs in as the admin (no failures of its own) to see whose address
// is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { startServer, Client, ADMIN } from './harness.mjs';

const ADDRESS_MAX = 20;

// A sign-in with the given X-Forwarded-For (none when undefined).
function login(server, email, password, xff) {
  const headers = xff === undefined ? {} : { 'X-Forwarded-For': xff };
  return new Client(server.url).post('/api/v1/auth/login', { email, password }, { headers });
}

// ADDRESS_MAX failed sign-ins on distinct unknown accounts; xff(i) gives each
// one's X-Forwarded-For.
async function failMany(server, tag, xff) {
  for (let i = 0; i < ADDRESS_MAX; i++) {
    const r = await login(server, `${tag}-${i}@nobody.example`, 'wrong-password', xff(i));
    assert.equal(r.status, 401, `failure ${i + 1}: ${r.text}`);
  }
}

async function withServer(args, fn) {
  const server = await startServer({ args });
  try {
    await fn(server);
  } finally {
    await server.stop();
  }
}

test('without --trusted-proxy X-Forwarded-For is ignored: the peer address is locked', async () => {
  await withServer([], async (server) => {
    await failMany(server, 'plain', (i) => `198.51.100.${i + 1}`);
    const r = await login(server, ADMIN.email, ADMIN.password, '203.0.113.99');
    assert.equal(r.status, 429, r.text);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    assert.equal((await login(server, ADMIN.email, ADMIN.password)).status, 429);
  });
});

test('behind a trusted proxy each forwarded client is counted on its own', async () => {
  await withServer(['--trusted-proxy', '127.0.0.1/32'], async (server) => {
    await failMany(server, 'five', () => '203.0.113.5');
    const locked = await login(server, ADMIN.email, ADMIN.password, '203.0.113.5');
    assert.equal(locked.status, 429, locked.text);
    assert.equal(locked.json.code, 'too_many_requests');
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    // Another client behind the same proxy signs in, and so does the proxy
    // itself (no header: the peer is the client).
    assert.equal((await login(server, ADMIN.email, ADMIN.password, '203.0.113.6')).status, 200);
    assert.equal((await login(server, ADMIN.email, ADMIN.password)).status, 200);
    // A trusted hop right of the client is skipped.
    assert.equal((await login(server, ADMIN.email, ADMIN.password, '203.0.113.5, 127.0.0.1')).status, 429);
    assert.equal((await login(server, ADMIN.email, ADMIN.password, '[::ffff:203.0.113.5]:4711')).status, 429);

    // A spoofed leftmost entry is not believed when an untrusted hop (the
    // address the proxy saw) is right of it.
    const spoofed = await login(server, ADMIN.email, ADMIN.password, '203.0.113.6, 203.0.113.5');
    assert.equal(spoofed.status, 429, spoofed.text);
    assert.equal((await login(server, ADMIN.email, ADMIN.password, '203.0.113.5, 203.0.113.6')).status, 200);
    // Garbage is not an address: the walk stops at the proxy, which is free.
    assert.equal((await login(server, ADMIN.email, ADMIN.password, 'unknown')).status, 200);
    assert.equal((await login(server, ADMIN.email, ADMIN.password, '203.0.113.5, <junk>')).status, 200);
  });
});

test('a stranger guessing a password locks only the stranger out, not the account', async () => {
  await withServer(['--trusted-proxy', '127.0.0.1/32'], async (server) => {
    for (let i = 0; i < 5; i++) {
      const r = await login(server, ADMIN.email, 'wrong-password', '203.0.113.66');
      assert.equal(r.status, 401, `failure ${i + 1}: ${r.text}`);
    }
    // The stranger's address is refused for this account, even with the
    // right password, and told how long to wait.
    const stranger = await login(server, ADMIN.email, ADMIN.password, '203.0.113.66');
    assert.equal(stranger.status, 429, stranger.text);
    // The first wait after the free failures is a minute; each further failure doubles it.
    assert.equal(Number(stranger.headers.get('retry-after')), 60);
    // The owner, from anywhere else, signs in at once.
    assert.equal((await login(server, ADMIN.email, ADMIN.password, '198.51.100.20')).status, 200);
    assert.equal((await login(server, ADMIN.email, ADMIN.password)).status, 200);
    // Other accounts from the stranger's address still get their tries
    // (the address as a whole has its own, larger allowance).
    assert.equal((await login(server, 'someone@test.example', 'wrong-password', '203.0.113.66')).status, 401);
  });
});

test('several X-Forwarded-For lines are read as one list, the last line rightmost', async () => {
  await withServer(['--trusted-proxy', '127.0.0.1'], async (server) => {
    await failMany(server, 'lines', () => '203.0.113.7');
    // Two lines (a client's own, then the proxy's): node sends an array as
    // two header lines.
    const status = (lines) => new Promise((resolve, reject) => {
      const body = JSON.stringify(ADMIN);
      const req = http.request(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-Forwarded-For': lines },
      }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(await status(['203.0.113.8', '203.0.113.7']), 429);
    assert.equal(await status(['203.0.113.7', '203.0.113.8']), 200);
  });
});

test('a peer outside the trusted ranges has its X-Forwarded-For ignored', async () => {
  await withServer(['--trusted-proxy', '10.0.0.0/8', '--trusted-proxy', '2001:db8::/32'], async (server) => {
    await failMany(server, 'outside', (i) => `203.0.113.${i + 10}`);
    // Every failure counted for 127.0.0.1, whatever the header said.
    assert.equal((await login(server, ADMIN.email, ADMIN.password, '203.0.113.200')).status, 429);
    assert.equal((await login(server, ADMIN.email, ADMIN.password)).status, 429);
  });
});

test('a bad --trusted-proxy is a usage error naming it', () => {
  const bin = process.env.CREDITD_BIN || 'build/creditd';
  for (const bad of ['10.0.0.1/8', 'proxy.example', '10.0.0.0/33', '::1/129', '']) {
    let code = 0;
    let stderr = '';
    try {
      execFileSync(bin, ['serve', '--db', 'sqlite:/nonexistent/creditd.db', '--trusted-proxy', bad], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      code = e.status;
      stderr = String(e.stderr);
    }
    assert.equal(code, 2, `'${bad}' exits 2`);
    assert.match(stderr, /--trusted-proxy/);
    assert.ok(stderr.includes(`'${bad}'`), stderr);
  }
});
