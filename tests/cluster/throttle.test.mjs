// Failed sign-ins are counted in the database (issue 10): servers on one
// PostgreSQL database count together, and a restarted server (PostgreSQL,
// and SQLite after kill -9, whose lock must not outlive the process) still
// refuses an account whose window is full. One server per SQLite file: a
// second serve exits 1 naming the file while the first runs, and verify
// works beside it. The PostgreSQL cases are skipped when CREDITD_TEST_PG
// (a cluster's maintenance URL) is empty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, ADMIN } from '../api/harness.mjs';

const pg = process.env.CREDITD_TEST_PG || '';
const bin = process.env.CREDITD_BIN || 'build/creditd';
const ACCOUNT_MAX = 5;

function login(server, password) {
  return new Client(server.url).login(ADMIN.email, password);
}

// ACCOUNT_MAX wrong passwords for the admin, the i-th on servers[i % n].
async function failAccount(servers) {
  for (let i = 0; i < ACCOUNT_MAX; i++) {
    const r = await login(servers[i % servers.length], 'wrong-password');
    assert.equal(r.status, 401, `failure ${i + 1} on server ${i % servers.length}: ${r.text}`);
  }
}

async function assertThrottled(server, what) {
  const r = await login(server, ADMIN.password);
  assert.equal(r.status, 429, `${what}: ${r.text}`);
  assert.equal(r.json.code, 'too_many_requests');
  const wait = Number(r.headers.get('retry-after'));
  assert.ok(wait > 0 && wait <= 60, `${what}: Retry-After ${r.headers.get('retry-after')}`);
}

// A SQLite database of the test's own (startServer deletes its directory,
// and with it a database it made, when the server stops).
function sqliteDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'creditd-cluster-'));
  const db = `sqlite:${join(dir, 'creditd.db')}`;
  execFileSync(bin, ['init', '--db', db, '--admin-email', ADMIN.email, '--admin-password-stdin'], {
    input: `${ADMIN.password}\n`,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  return { db, path: join(dir, 'creditd.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

test('two servers on one PostgreSQL database count failed sign-ins together', { skip: !pg && 'CREDITD_TEST_PG is empty' }, async () => {
  const a = await startServer();
  const b = await startServer({ db: a.db });
  try {
    await failAccount([a, b]);
    await assertThrottled(a, 'the 6th on server a');
    await assertThrottled(b, 'the 6th on server b');
  } finally {
    await b.stop();
    await a.stop();
  }
});

test('a restarted server still throttles (PostgreSQL)', { skip: !pg && 'CREDITD_TEST_PG is empty' }, async () => {
  const a = await startServer();
  await failAccount([a]);
  await assertThrottled(a, 'before the restart');
  assert.equal((await a.stop()).code, 0);
  const again = await startServer({ db: a.db });
  try {
    await assertThrottled(again, 'after the restart');
  } finally {
    await again.stop();
  }
});

test('a restarted server still throttles (SQLite, after kill -9)', async () => {
  const { db, remove } = sqliteDatabase();
  try {
    const a = await startServer({ db });
    await failAccount([a]);
    await assertThrottled(a, 'before the crash');
    await a.kill();
    // The crashed server's lock went with it: a new one starts at once.
    const again = await startServer({ db });
    try {
      assert.equal(again.exitCode, null, again.log);
      await assertThrottled(again, 'after the restart');
    } finally {
      await again.stop();
    }
  } finally {
    remove();
  }
});

test('a second serve on a SQLite file exits 1 naming it; verify works beside the first', async () => {
  const { db, path, remove } = sqliteDatabase();
  try {
    const a = await startServer({ db });
    try {
      const second = spawnSync(bin, ['serve', '--db', db, '--listen', '127.0.0.1:1'], { encoding: 'utf8', timeout: 20000 });
      assert.equal(second.status, 1, second.stderr);
      assert.ok(second.stderr.includes(`database '${path}' is in use by another creditd serve`), second.stderr);
      assert.ok(second.stderr.includes(`${path}.lock`), second.stderr);
      assert.match(a.cli('verify'), /^ok:/);
      // The first server is untouched.
      assert.equal((await login(a, ADMIN.password)).status, 200);
    } finally {
      await a.stop();
    }
  } finally {
    remove();
  }
});
