// Backup and restore drills (issue 10): a backup taken while clients place
// orders over HTTP must hold every order acknowledged before it began, and
// nothing the clients were not told about; restored, it verifies clean and
// takes new orders. Method: a server with 16 customers holding 1,000,000
// credits each and one uploaded original on an order; 8 clients place orders
// (1 credit each) in a loop and record, for each 2xx, the order id and the
// time it arrived. Once 300 orders are in (at least 1 s into the load), the
// backup starts (its start time noted), the load runs 0.5 s past its end and
// stops by itself (a deadline bounds every loop). SQLite: `creditd backup
// FILE`, then the file copied to a new path is the database; PostgreSQL:
// `pg_dump -Fc`, `CREATE DATABASE`, `pg_restore`. The files directory is
// copied after the database, as docs/operations.md says. On the restored
// database: `creditd verify` exits 0; every order acknowledged before the
// backup began is there, each with one journal entry; every order there was
// acknowledged; each client's orders there are a prefix of what it was
// acknowledged (a torn copy would leave gaps); every balance is its credits
// less its orders there; the upload downloads byte for byte; new orders are
// placed and verify stays clean. The PostgreSQL drill is skipped when
// CREDITD_TEST_PG is empty. Files and databases are removed at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServer, Client, ADMIN } from '../api/harness.mjs';

const BIN = process.env.CREDITD_BIN || 'build/creditd';
const PG = process.env.CREDITD_TEST_PG || '';
const PG_BIN = existsSync('/usr/lib/postgresql/15/bin/pg_dump') ? '/usr/lib/postgresql/15/bin/' : '';
const CUSTOMERS = 16;
const CREDITS = 1000000;
const CLIENTS = 8;
const ORDERS_BEFORE_BACKUP = 300;
const LOAD_BEFORE_MS = 1000; /* at least this much load before the backup */
const LOAD_BEFORE_MAX_MS = 8000; /* ... and at most this much */
const LOAD_AFTER_MS = 500; /* load that goes on after the backup ended */
const LOAD_MAX_MS = 30000; /* no load loop runs longer than this */
const REQUEST_TIMEOUT_MS = 10000;
const COMMAND_TIMEOUT_MS = 30000;
const UPLOAD = Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 131 + (i >> 8)) & 255));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Runs a command without blocking the event loop (the load goes on
// meanwhile); resolves with its exit code and output, killed after
// COMMAND_TIMEOUT_MS.
function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, out }); });
  });
}

function creditd(db, ...args) {
  return execFileSync(BIN, [...args, '--db', db],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: COMMAND_TIMEOUT_MS });
}

// The restored database verifies clean: exit 0 (execFileSync throws otherwise).
function verifyClean(db) {
  let out;
  try {
    out = creditd(db, 'verify');
  } catch (e) {
    assert.fail(`creditd verify on the restored database failed (${e.status}):\n${e.stdout}${e.stderr}`);
  }
  assert.match(out, /^ok:/, out);
}

// Rows of an RFC 4180 CSV text (quoted fields may hold commas, quotes, lines).
function csvRows(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\n') {
      row.push(field); rows.push(row); row = []; field = '';
    } else if (ch !== '\r') field += ch;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

// How many `order` journal entries each order has, from the CLI's export.
function orderEntries(db) {
  const [head, ...rows] = csvRows(creditd(db, 'export', 'ledger', '--format', 'csv'));
  const kind = head.indexOf('kind');
  const orderId = head.indexOf('order_id');
  assert.ok(kind >= 0 && orderId >= 0, `export header: ${head}`);
  const n = new Map();
  for (const r of rows) if (r[kind] === 'order') n.set(r[orderId], (n.get(r[orderId]) || 0) + 1);
  return n;
}

// A new database with the schema and ADMIN, and a server on it. The drills
// make their own database (not the harness's choice by CREDITD_TEST_PG), so
// that each runs on its backend and removes it.
async function startFresh(db) {
  execFileSync(BIN, ['init', '--db', db, '--admin-email', ADMIN.email, '--admin-password-stdin'],
    { input: `${ADMIN.password}\n`, stdio: ['pipe', 'ignore', 'pipe'], timeout: COMMAND_TIMEOUT_MS });
  return startServer({ db, testClock: false });
}

// Customers with credits, a service costing 1, and one order carrying an
// uploaded original (its file must survive the restore too).
async function setUp(server) {
  const admin = new Client(server.url);
  assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
  const svc = await admin.post('/api/v1/services',
    { name: 'Stage 1', kind: 'base', category: 'tuning', costs: { master: '1' } });
  assert.equal(svc.status, 201, svc.text);
  const customers = [];
  for (let i = 0; i < CUSTOMERS; i++) {
    const c = await admin.post('/api/v1/customers', { name: `Drill ${i + 1}` });
    assert.equal(c.status, 201, c.text);
    const l = await admin.post(`/api/v1/customers/${c.json.id}/lots`,
      { credit_type: 'master', credits: String(CREDITS), source: 'payment' });
    assert.equal(l.status, 201, l.text);
    customers.push(c.json.id);
  }
  const up = await admin.upload(`/api/v1/files?customer_id=${customers[0]}`, UPLOAD, { name: 'read.bin' });
  assert.equal(up.status, 201, up.text);
  const withFile = await admin.post('/api/v1/orders',
    { customer_id: customers[0], credit_type: 'master', services: [svc.json.id], file_id: up.json.file.id });
  assert.equal(withFile.status, 201, withFile.text);
  const key = server.cli('apikey', 'create', '--role', 'admin', '--name', 'drill').trim();
  return { admin, key, service: svc.json.id, customers, fileId: up.json.file.id, setupOrders: [withFile.json.id] };
}

// CLIENTS loops placing orders until stop() or LOAD_MAX_MS; each 2xx is
// recorded with its client, its place in that client's sequence and the
// time its answer arrived (performance.now()).
function startLoad(url, { key, service, customers }) {
  const acked = [];
  const failures = [];
  let stopped = false;
  const deadline = performance.now() + LOAD_MAX_MS;
  const client = async (k) => {
    for (let seq = 0; !stopped && performance.now() < deadline; seq++) {
      const customer = customers[(k + seq * CLIENTS) % customers.length];
      try {
        const res = await fetch(`${url}/api/v1/orders`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ customer_id: customer, credit_type: 'master', services: [service],
            notes: `drill client ${k} order ${seq}` }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const text = await res.text();
        const at = performance.now();
        if (res.status >= 200 && res.status < 300) {
          acked.push({ id: JSON.parse(text).id, client: k, seq, customer, at });
        } else {
          failures.push(`${res.status} ${text.slice(0, 200)}`);
        }
      } catch (e) {
        failures.push(String(e));
      }
    }
  };
  const done = Promise.all(Array.from({ length: CLIENTS }, (_, k) => client(k)));
  return {
    acked,
    failures,
    async stop() { stopped = true; await done; },
  };
}

// The load, a backup in its middle, the load stopped. Returns the load and
// the time the backup began.
async function loadWithBackup(server, setup, backup) {
  const load = startLoad(server.url, setup);
  const t0 = performance.now();
  while (performance.now() - t0 < LOAD_BEFORE_MAX_MS &&
         (performance.now() - t0 < LOAD_BEFORE_MS || load.acked.length < ORDERS_BEFORE_BACKUP)) {
    await sleep(20);
  }
  const began = performance.now();
  const ackedBefore = load.acked.filter((o) => o.at < began).length;
  let result;
  try {
    result = await backup();
  } finally {
    const ended = performance.now();
    await sleep(LOAD_AFTER_MS);
    await load.stop();
    const during = load.acked.filter((o) => o.at >= began && o.at < ended).length;
    console.log(`${server.db.startsWith('sqlite:') ? 'sqlite' : 'postgresql'}: ${ackedBefore} orders ` +
      `acknowledged before the backup, ${during} during its ${(ended - began).toFixed(0)} ms, ` +
      `${load.acked.length} in all, ${load.failures.length} failed`);
  }
  assert.equal(result.code, 0, `backup failed (${result.code} ${result.signal}):\n${result.out}`);
  assert.deepEqual(load.failures, [], 'every order of the load is acknowledged');
  assert.ok(ackedBefore >= 100, `only ${ackedBefore} orders before the backup`);
  return { load, began };
}

// Every check on a restored database, through the CLI and a server on it.
async function checkRestored(db, filesDir, setup, load, began) {
  verifyClean(db);
  const entries = orderEntries(db);
  const restored = await startServer({ db, testClock: false, env: { CREDITD_FILES_DIR: filesDir } });
  try {
    const admin = new Client(restored.url);
    assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
    const present = new Set();
    for (let cursor = null, pages = 0; ; pages++) {
      assert.ok(pages < 1000, 'the order list ends');
      const r = await admin.get(`/api/v1/orders?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200, r.text);
      for (const o of r.json.items) present.add(o.id);
      cursor = r.json.next_cursor;
      if (!cursor) break;
    }
    const acked = new Map(load.acked.map((o) => [o.id, o]));
    assert.equal(acked.size, load.acked.length, 'no order id was acknowledged twice');
    const missing = load.acked.filter((o) => o.at < began && !present.has(o.id)).map((o) => o.id);
    assert.deepEqual(missing, [], 'every order acknowledged before the backup began is restored');
    for (const id of setup.setupOrders) assert.ok(present.has(id), `setup order ${id} is restored`);
    const unknown = [...present].filter((id) => !acked.has(id) && !setup.setupOrders.includes(id));
    assert.deepEqual(unknown, [], 'every restored order was acknowledged');
    const noEntry = [...present].filter((id) => entries.get(id) !== 1);
    assert.deepEqual(noEntry, [], 'every restored order has exactly one journal entry');
    assert.equal(entries.size, present.size, 'no journal entry for an order that is not there');
    // Each client waited for an answer before its next order: the restored
    // orders of a client are the first n it was acknowledged.
    for (let k = 0; k < CLIENTS; k++) {
      const seqs = load.acked.filter((o) => o.client === k).sort((a, b) => a.seq - b.seq);
      const n = seqs.filter((o) => present.has(o.id)).length;
      assert.ok(seqs.slice(0, n).every((o) => present.has(o.id)),
        `client ${k}: the restored orders are a prefix of its acknowledged ones`);
    }
    // No credit lost or doubled: each balance is its credits less its orders.
    const spent = new Map(setup.customers.map((c) => [c, 0]));
    for (const o of load.acked) if (present.has(o.id)) spent.set(o.customer, spent.get(o.customer) + 1);
    spent.set(setup.customers[0], spent.get(setup.customers[0]) + setup.setupOrders.length);
    for (const c of setup.customers) {
      const r = await admin.get(`/api/v1/customers/${c}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.balances.master.balance, String(CREDITS - spent.get(c)), `balance of ${c}`);
    }
    const file = await admin.get(`/api/v1/files/${setup.fileId}`);
    assert.equal(file.status, 200, file.text.slice(0, 200));
    assert.ok(file.bytes.equals(UPLOAD), 'the uploaded original is restored byte for byte');
    // The restored database takes new orders. Their ids are new to it, but
    // may be ids the lost orders (acknowledged after the backup) had.
    for (const c of setup.customers.slice(0, 4)) {
      const before = (await admin.get(`/api/v1/customers/${c}`)).json.balances.master.balance;
      const o = await admin.post('/api/v1/orders', { customer_id: c, credit_type: 'master', services: [setup.service] });
      assert.equal(o.status, 201, o.text);
      assert.ok(!present.has(o.json.id), `new order id ${o.json.id} is new`);
      assert.equal(o.json.balance_after, String(Number(before) - 1));
    }
    return present.size;
  } finally {
    await restored.stop();
    verifyClean(db);
  }
}

test('SQLite: creditd backup during a load of orders restores every acknowledged order', async () => {
  const work = mkdtempSync(join(tmpdir(), 'creditd-backup-'));
  let server;
  try {
    server = await startFresh(`sqlite:${join(work, 'live', 'creditd.db')}`);
    const setup = await setUp(server);
    const backupFile = join(work, 'backup.db');
    const { load, began } = await loadWithBackup(server, setup,
      () => run(BIN, ['backup', backupFile, '--db', server.db]));
    // The files directory after the database (docs/operations.md).
    cpSync(server.filesDir, join(work, 'files'), { recursive: true });
    // Restore: the backup, copied to a new path, is the database.
    const copy = join(work, 'restored', 'creditd.db');
    cpSync(join(work, 'files'), join(work, 'restored', 'files'), { recursive: true });
    copyFileSync(backupFile, copy);
    const n = await checkRestored(`sqlite:${copy}`, join(work, 'restored', 'files'), setup, load, began);
    console.log(`sqlite: ${n} orders restored`);
  } finally {
    if (server) await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
});

test('PostgreSQL: pg_dump -Fc during a load of orders restores every acknowledged order',
  { skip: PG ? false : 'CREDITD_TEST_PG is empty' }, async () => {
    const work = mkdtempSync(join(tmpdir(), 'creditd-backup-'));
    const suffix = `${process.pid}_${Math.floor(Math.random() * 1e9)}`;
    const liveName = `drill_live_${suffix}`;
    const restoredName = `drill_restored_${suffix}`;
    const url = (name) => PG.replace(/\/[^/]*$/, `/${name}`);
    const psql = (sql) => execFileSync(`${PG_BIN}psql`, ['-X', '-qAt', PG, '-c', sql],
      { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS });
    const restoredDb = url(restoredName);
    let server;
    try {
      psql(`CREATE DATABASE ${liveName}`);
      server = await startFresh(url(liveName));
      const setup = await setUp(server);
      const dump = join(work, 'creditd.dump');
      const { load, began } = await loadWithBackup(server, setup,
        () => run(`${PG_BIN}pg_dump`, ['--format=custom', `--file=${dump}`, server.db]));
      cpSync(server.filesDir, join(work, 'files'), { recursive: true });
      psql(`CREATE DATABASE ${restoredName}`);
      const r = await run(`${PG_BIN}pg_restore`, ['--exit-on-error', '--single-transaction', '--no-owner', `--dbname=${restoredDb}`, dump]);
      assert.equal(r.code, 0, `pg_restore failed:\n${r.out}`);
      const n = await checkRestored(restoredDb, join(work, 'files'), setup, load, began);
      console.log(`postgresql: ${n} orders restored`);
    } finally {
      if (server) await server.stop();
      rmSync(work, { recursive: true, force: true });
      psql(`DROP DATABASE IF EXISTS ${restoredName} WITH (FORCE)`);
      psql(`DROP DATABASE IF EXISTS ${liveName} WITH (FORCE)`);
    }
  });
