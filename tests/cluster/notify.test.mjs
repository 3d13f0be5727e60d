// Notifications across crashes and servers (issue 11):
//  * kill -9 of a server while its dispatcher is sending: after a restart on
//    the same database every event reaches the webhook receiver, none is
//    lost, and an event that came twice came with the same id and bytes
//    (SQLite, and PostgreSQL when CREDITD_TEST_PG is set);
//  * three servers on one PostgreSQL database, orders spread over them: each
//    event reaches the endpoint exactly once (one dispatcher at a time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, ADMIN } from '../api/harness.mjs';
import { startReceiver } from '../api/receiver.mjs';
import { initDb, sleep } from './pg.mjs';

const PG = process.env.CREDITD_TEST_PG || '';
const bin = process.env.CREDITD_BIN || 'build/creditd';
const V = '/api/v1';
const ORDERS = 30;

// A database of the test's own, which outlives its servers.
function database(kind) {
  if (kind === 'postgresql') {
    const name = `notify_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
    execFileSync('psql', ['-qAt', PG, '-c', `CREATE DATABASE ${name}`]);
    const db = PG.replace(/\/[^/]*$/, `/${name}`);
    initDb(db, ADMIN.email, ADMIN.password);
    return { db, remove: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'creditd-notify-db-'));
  const db = `sqlite:${join(dir, 'creditd.db')}`;
  execFileSync(bin, ['init', '--db', db, '--admin-email', ADMIN.email, '--admin-password-stdin'], {
    input: `${ADMIN.password}\n`, stdio: ['pipe', 'ignore', 'ignore'],
  });
  return { db, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

async function until(check, ms) {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await sleep(20);
}

async function adminOf(server) {
  const admin = new Client(server.url);
  assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
  return admin;
}

async function shop(admin, receiverUrl) {
  const ep = await admin.post(`${V}/webhook-endpoints`, { url: receiverUrl, events: ['order.created'] });
  assert.equal(ep.status, 201, ep.text);
  const svc = await admin.post(`${V}/services`, { name: 'Stage 1', kind: 'base', costs: { master: '1' } });
  assert.equal(svc.status, 201, svc.text);
  const c = await admin.post(`${V}/customers`, { name: 'Crash KG' });
  assert.equal(c.status, 201, c.text);
  assert.equal((await admin.post(`${V}/customers/${c.json.id}/lots`, { credit_type: 'master', credits: '1000' })).status, 201);
  return { service: svc.json.id, customer: c.json.id };
}

async function waitForEvents(receiver, orderIds, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const seen = new Set(receiver.got.map((g) => g.json?.data?.object?.id));
    if (orderIds.every((id) => seen.has(id)) || Date.now() > end) return seen;
    await sleep(100);
  }
}

// Every order's event arrived; an event that came twice came identical.
function assertOncePlusDuplicates(receiver, orderIds) {
  const byId = new Map();
  for (const g of receiver.got) {
    const prev = byId.get(g.json.id);
    if (prev) assert.deepEqual(g.raw, prev.raw, `a duplicate of ${g.json.id} carries the same bytes`);
    else byId.set(g.json.id, g);
  }
  const ordersSeen = new Set([...byId.values()].map((g) => g.json.data.object.id));
  const lost = orderIds.filter((id) => !ordersSeen.has(id));
  assert.deepEqual(lost, [], 'no order.created lost');
  assert.equal(byId.size, orderIds.length, 'one event per order');
  return receiver.got.length - byId.size;
}

for (const kind of ['sqlite', 'postgresql']) {
  test(`kill -9 while sending: every event arrives after the restart, duplicates identical (${kind})`, { skip: kind === 'postgresql' && !PG && 'no PostgreSQL (CREDITD_TEST_PG)' }, async () => {
    // A slow receiver: the dispatcher is mid-way through the backlog when killed.
    const receiver = await startReceiver({ delayMs: 150 });
    const { db, remove } = database(kind);
    try {
      const a = await startServer({ db, testClock: false, args: ['--webhook-allow-private'] });
      const admin = await adminOf(a);
      const s = await shop(admin, receiver.url);
      const ids = [];
      for (let i = 0; i < ORDERS; i++) {
        const o = await admin.post(`${V}/orders`, { customer_id: s.customer, credit_type: 'master', services: [s.service] });
        assert.equal(o.status, 201, o.text);
        ids.push(o.json.id);
      }
      // The dispatcher wakes every second and sends one per 150 ms.
      await until(() => receiver.got.length >= 3, 10000);
      const before = receiver.got.length;
      await a.kill();
      assert.ok(before < ORDERS, `the kill came mid-way (${before} of ${ORDERS} delivered)`);
      const b = await startServer({ db, testClock: false, args: ['--webhook-allow-private'] });
      try {
        await waitForEvents(receiver, ids, 30000);
        const duplicates = assertOncePlusDuplicates(receiver, ids);
        assert.ok(duplicates <= 1, `at most the one in flight came twice (${duplicates})`);
        console.log(`# ${kind}: ${before} delivered before the kill, ${ORDERS} after the restart, ${duplicates} duplicate(s)`);
      } finally {
        await b.stop();
      }
    } finally {
      remove();
      await receiver.close();
    }
  });
}

test('three servers on one database: each event reaches the endpoint once', { skip: !PG && 'no PostgreSQL (CREDITD_TEST_PG)' }, async () => {
  const receiver = await startReceiver();
  const { db } = database('postgresql');
  const servers = [];
  try {
    for (let i = 0; i < 3; i++) servers.push(await startServer({ db, testClock: false, args: ['--webhook-allow-private'] }));
    const admins = [];
    for (const s of servers) admins.push(await adminOf(s));
    const s = await shop(admins[0], receiver.url);
    const ids = [];
    await Promise.all(admins.map(async (admin) => {
      for (let i = 0; i < 10; i++) {
        const o = await admin.post(`${V}/orders`, { customer_id: s.customer, credit_type: 'master', services: [s.service] });
        assert.equal(o.status, 201, o.text);
        ids.push(o.json.id);
      }
    }));
    const seen = await waitForEvents(receiver, ids, 20000);
    assert.equal(ids.filter((id) => !seen.has(id)).length, 0, 'every order.created arrived');
    await sleep(2500); // a second dispatcher would deliver again by now
    const duplicates = assertOncePlusDuplicates(receiver, ids);
    assert.equal(duplicates, 0, 'no event twice in the normal case');
  } finally {
    for (const s of servers) await s.stop();
    await receiver.close();
  }
});
