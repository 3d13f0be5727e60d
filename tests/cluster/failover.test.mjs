// Failover (DESIGN §8, issue 10): a primary with a synchronous standby
// (pg_basebackup -R), two servers on a multi-host URL with
// target_session_attrs=read-write, clients placing orders with
// Idempotency-Key. Mid-load the primary stops at once (-m immediate, as a
// power cut) and the standby is promoted. Every acknowledged order is on the
// new primary, every key made exactly one order (a retry after an unknown
// outcome included), verify is clean, both servers take orders again without
// a restart, failures during the switch were quick 503s with Retry-After,
// and no request waited longer than the stated bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, ADMIN } from '../api/harness.mjs';
import { startCluster, cli, initDb, sleep } from './pg.mjs';

const PG = process.env.CREDITD_TEST_PG;
const V = '/api/v1';
const CLIENTS = 8;
// A request may take the pool wait (10 s) at worst; with a stopped primary
// it fails at once. Anything longer is a hang.
const BOUND_MS = 12000;

test('primary lost mid-load, standby promoted: no acknowledged order lost, none doubled', { skip: !PG && 'no PostgreSQL (CREDITD_TEST_PG)', timeout: 120000 }, async () => {
  const primary = await startCluster();
  let standby;
  const servers = [];
  try {
    standby = await primary.standby({ sync: true });
    primary.createdb('failover');
    const db = `postgresql://postgres@127.0.0.1:${primary.port},127.0.0.1:${standby.port}/failover?target_session_attrs=read-write`;
    initDb(db, ADMIN.email, ADMIN.password);
    for (let i = 0; i < 2; i++) servers.push(await startServer({ db, testClock: false }));
    const admin = new Client(servers[0].url);
    assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
    const svc = await admin.post(`${V}/services`, { name: 'Stage 1', kind: 'base', costs: { master: '1' } });
    const ids = [];
    for (let i = 0; i < 8; i++) {
      const c = await admin.post(`${V}/customers`, { name: `Shop ${i}` });
      assert.equal((await admin.post(`${V}/customers/${c.json.id}/lots`, { credit_type: 'master', credits: '100000', source: 'payment' })).status, 201);
      ids.push(c.json.id);
    }
    const acked = new Map(); // key -> order id
    const stats = { failed: 0, longest_ms: 0, no_retry_after: 0, other: [] };
    let stop = false;
    let keyed = 0;
    const worker = async (w) => {
      const client = new Client(servers[w % 2].url);
      let login;
      while (!(login = await client.login(ADMIN.email, ADMIN.password).catch(() => null)) || login.status !== 200) await sleep(50);
      while (!stop) {
        const key = `w${w}-${keyed++}`;
        const body = { customer_id: ids[w % ids.length], credit_type: 'master', services: [svc.json.id] };
        // The same key until an answer is known, as a careful client does.
        for (let tries = 0; !acked.has(key); tries++) {
          const t0 = Date.now();
          let r;
          try {
            r = await client.post(`${V}/orders`, body, { headers: { 'Idempotency-Key': key } });
          } catch (e) {
            r = { status: 0, text: String(e) };
          }
          stats.longest_ms = Math.max(stats.longest_ms, Date.now() - t0);
          if (r.status === 201 || r.status === 200) {
            acked.set(key, r.json.id);
            break;
          }
          stats.failed++;
          if (r.status === 503 && !r.headers.get('retry-after')) stats.no_retry_after++;
          if (r.status !== 503 && r.status !== 0) stats.other.push(`${r.status} ${r.text}`);
          if (stop && tries > 200) break;
          await sleep(100);
        }
      }
    };
    const load = Promise.all(Array.from({ length: CLIENTS }, (_, w) => worker(w)));
    await sleep(2000);
    const before = acked.size;
    primary.crash();
    await sleep(1000);
    standby.promote();
    await sleep(3000);
    stop = true;
    await load;
    assert.ok(before > 20, `orders before the failover: ${before}`);
    assert.ok(acked.size > before, 'orders were acknowledged after the promotion');
    assert.deepEqual(stats.other, []);
    assert.equal(stats.no_retry_after, 0);
    assert.ok(stats.longest_ms < BOUND_MS, `a request waited ${stats.longest_ms} ms`);
    // Both servers take orders on the new primary without a restart.
    for (const s of servers) {
      const c = new Client(s.url);
      assert.equal((await c.login(ADMIN.email, ADMIN.password)).status, 200);
      const r = await c.post(`${V}/orders`, { customer_id: ids[0], credit_type: 'master', services: [svc.json.id] });
      assert.equal(r.status, 201, r.text);
      acked.set(`after-${s.port}`, r.json.id);
    }
    // Every acknowledged order is there, once per key: the orders on the
    // new primary are exactly the acknowledged ones.
    const orders = new Set(standby.sql('SELECT id FROM orders', 'failover').split('\n').filter(Boolean).map((id) => `ord_${id}`));
    for (const [key, id] of acked) assert.ok(orders.has(id), `acknowledged order ${id} (${key}) is missing`);
    assert.equal(orders.size, acked.size);
    const newDb = `postgresql://postgres@127.0.0.1:${standby.port}/failover`;
    cli(newDb, 'verify');
    console.log(`# failover: ${acked.size} orders acknowledged (${before} before the primary stopped), ` +
      `${stats.failed} requests failed (503, retried), longest request ${stats.longest_ms} ms, orders lost 0`);
  } finally {
    for (const s of servers) await s.stop();
    if (standby) standby.stop();
    primary.stop();
  }
});
