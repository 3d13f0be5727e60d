// The read replica (serve --read-db, issue 10): a CSV export is served from a
// streaming standby once it has caught up; a write is seen at once by the
// next export and balance read even while the replica's replay is paused
// (then the primary answers); the lag shows in /metrics; a replica that is
// down leaves the heavy reads to the primary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, ADMIN } from '../api/harness.mjs';
import { startCluster, initDb, sleep } from './pg.mjs';

const PG = process.env.CREDITD_TEST_PG;
const V = '/api/v1';

async function metrics(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name) => {
    const m = new RegExp(`^${name.replace(/[{}"=]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  return {
    up: value('creditd_read_replica_up'),
    lagBytes: value('creditd_read_replica_lag_bytes'),
    onReplica: value('creditd_heavy_reads_total{served_by="replica"}'),
    onPrimary: value('creditd_heavy_reads_total{served_by="primary"}'),
  };
}

test('heavy reads go to a caught-up replica and are never stale', { skip: !PG && 'no PostgreSQL (CREDITD_TEST_PG)', timeout: 60000 }, async () => {
  const primary = await startCluster();
  let replica;
  let server;
  try {
    replica = await primary.standby();
    primary.createdb('replica');
    const db = primary.url('replica');
    initDb(db, ADMIN.email, ADMIN.password);
    server = await startServer({ db, testClock: false, args: ['--read-db', replica.url('replica')] });
    const admin = new Client(server.url);
    assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
    const svc = await admin.post(`${V}/services`, { name: 'Stage 1', kind: 'base', costs: { master: '2' } });
    const c = await admin.post(`${V}/customers`, { name: 'Shop' });
    const cus = c.json.id;
    assert.equal((await admin.post(`${V}/customers/${cus}/lots`, { credit_type: 'master', credits: '50', source: 'payment' })).status, 201);
    const order = async () => {
      const r = await admin.post(`${V}/orders`, { customer_id: cus, credit_type: 'master', services: [svc.json.id] });
      assert.equal(r.status, 201, r.text);
      return r.json;
    };
    const exportHas = async (o) => {
      const csv = await admin.get(`${V}/ledger.csv?customer=${cus}`);
      assert.equal(csv.status, 200);
      return csv.text.split('\n').some((line) => line.includes(o.id));
    };

    // Caught up: the export comes from the replica and holds the order.
    const m0 = await metrics(server.url);
    assert.equal(m0.up, 1);
    const first = await order();
    assert.ok(await exportHas(first));
    const m1 = await metrics(server.url);
    assert.equal(m1.onReplica, m0.onReplica + 2); // the export's bound and its chunk

    // Replay paused: a new order is still in the very next export (the
    // primary answers it) and in the balance; the lag shows.
    replica.sql('SELECT pg_wal_replay_pause()', 'replica');
    const second = await order();
    assert.ok(await exportHas(second));
    const m2 = await metrics(server.url);
    assert.ok(m2.onPrimary > m1.onPrimary, 'the primary served the export while the replica lagged');
    assert.ok(m2.lagBytes > 0, `lag ${m2.lagBytes}`);
    const bal = await admin.get(`${V}/customers/${cus}`);
    assert.equal(bal.json.balances.master.balance, '46');

    // Replay resumed: the replica serves again, fresh.
    replica.sql('SELECT pg_wal_replay_resume()', 'replica');
    await sleep(300);
    const m3 = await metrics(server.url);
    assert.ok(await exportHas(second));
    const m4 = await metrics(server.url);
    assert.ok(m4.onReplica > m3.onReplica);
    assert.equal(m4.lagBytes, 0);

    // Replica gone: the primary serves, /metrics says it is down.
    replica.stop();
    replica = null;
    const third = await order();
    assert.ok(await exportHas(third));
    const dash = await admin.get(`${V}/admin/dashboard`);
    assert.equal(dash.status, 200);
    assert.equal((await metrics(server.url)).up, 0);
  } finally {
    if (server) await server.stop();
    if (replica) replica.stop();
    primary.stop();
  }
});
