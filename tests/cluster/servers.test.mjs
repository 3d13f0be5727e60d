// Three servers on one PostgreSQL database (DESIGN §8, issue 10): 16 clients
// spread over them run a random mix of orders, cancellations, adjustments,
// transfers and purchases; afterwards verify is clean and every customer's
// balance is what the acknowledged operations add up to. With every server
// running the background jobs every second, each due lot expires exactly
// once. Skipped without a PostgreSQL cluster (CREDITD_TEST_PG).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, ADMIN } from '../api/harness.mjs';
import { cli, initDb, sleep } from './pg.mjs';

const PG = process.env.CREDITD_TEST_PG;
const V = '/api/v1';
const CLIENTS = 16;
const CUSTOMERS = 12;
const LOAD_MS = 4000;

function freshDb() {
  const name = `servers_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  return PG.replace(/\/[^/]*$/, `/${name}`);
}

async function createDb(url) {
  const { execFileSync } = await import('node:child_process');
  const name = url.split('/').pop();
  execFileSync('psql', ['-qAt', PG, '-c', `CREATE DATABASE ${name}`]);
  initDb(url, ADMIN.email, ADMIN.password);
}

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

test('three servers on one database: a random mix keeps every balance and verify clean', { skip: !PG && 'no PostgreSQL (CREDITD_TEST_PG)' }, async () => {
  const db = freshDb();
  await createDb(db);
  const servers = [];
  for (let i = 0; i < 3; i++) servers.push(await startServer({ db, testClock: false }));
  try {
    const admins = [];
    for (const s of servers) {
      const a = new Client(s.url);
      assert.equal((await a.login(ADMIN.email, ADMIN.password)).status, 200);
      admins.push(a);
    }
    const a0 = admins[0];
    const svc = await a0.post(`${V}/services`, { name: 'Stage 1', kind: 'base', costs: { master: '3' } });
    assert.equal(svc.status, 201, svc.text);
    const pkg = await a0.post(`${V}/packages`, { name: 'Master 10', credits: { master: '10' }, price: '20.00', published: true });
    assert.equal(pkg.status, 201, pkg.text);
    const expected = new Map();
    const ids = [];
    for (let i = 0; i < CUSTOMERS; i++) {
      const c = await admins[i % 3].post(`${V}/customers`, { name: `Shop ${i}` });
      assert.equal(c.status, 201, c.text);
      const l = await admins[i % 3].post(`${V}/customers/${c.json.id}/lots`, { credit_type: 'master', credits: '60', source: 'payment' });
      assert.equal(l.status, 201, l.text);
      ids.push(c.json.id);
      expected.set(c.json.id, 60);
    }
    const counts = { order: 0, cancel: 0, adjust: 0, transfer: 0, purchase: 0, refused: 0 };
    const unexpected = [];
    const deadline = Date.now() + LOAD_MS;
    const add = (id, n) => expected.set(id, expected.get(id) + n);
    const worker = async (w) => {
      const random = rng(1000 + w);
      const admin = new Client(servers[w % 3].url);
      assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
      const mine = [];
      while (Date.now() < deadline) {
        const cus = ids[Math.floor(random() * ids.length)];
        const pick = random();
        let r;
        if (pick < 0.45) {
          r = await admin.post(`${V}/orders`, { customer_id: cus, credit_type: 'master', services: [svc.json.id] });
          if (r.status === 201) { add(cus, -3); counts.order++; mine.push({ id: r.json.id, cus }); }
        } else if (pick < 0.6 && mine.length > 0) {
          const o = mine.splice(Math.floor(random() * mine.length), 1)[0];
          r = await admin.post(`${V}/orders/${o.id}/cancel`, { reason: 'customer changed their mind' });
          if (r.status === 200) { add(o.cus, 3); counts.cancel++; }
        } else if (pick < 0.75) {
          const amount = Math.floor(random() * 9) - 4 || 1;
          r = await admin.post(`${V}/customers/${cus}/adjustments`, { credit_type: 'master', amount: String(amount), reason: amount > 0 ? 'goodwill' : 'correction', justification: 'cluster test' });
          if (r.status === 201 || r.status === 200) { add(cus, amount); counts.adjust++; }
        } else if (pick < 0.9) {
          const to = ids[Math.floor(random() * ids.length)];
          if (to === cus) continue;
          r = await admin.post(`${V}/transfers`, { from_customer_id: cus, to_customer_id: to, credit_type: 'master', amount: '2', justification: 'sister shop' });
          if (r.status === 201 || r.status === 200) { add(cus, -2); add(to, 2); counts.transfer++; }
        } else {
          r = await admin.post(`${V}/purchases`, { customer_id: cus, package_id: pkg.json.id, gateway: 'manual' });
          if (r.status === 201) {
            const paid = await admin.post(`${V}/invoices/${r.json.invoice.id}/mark-paid`, {});
            if (paid.status === 200) { add(cus, 10); counts.purchase++; } else unexpected.push(`mark-paid ${paid.status} ${paid.text}`);
          }
        }
        if (r.status === 409 && r.json && r.json.code === 'insufficient_credits') counts.refused++;
        else if (r.status >= 300) unexpected.push(`${r.status} ${r.text}`);
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, w) => worker(w)));
    assert.deepEqual(unexpected, []);
    assert.ok(counts.order > 20 && counts.cancel > 0 && counts.adjust > 0 && counts.transfer > 0 && counts.purchase > 0, JSON.stringify(counts));
    for (const id of ids) {
      // Every server answers with the same balance.
      for (const a of admins) {
        const c = await a.get(`${V}/customers/${id}`);
        assert.equal(c.json.balances.master.balance, String(expected.get(id)), `${id} on ${a.base}`);
      }
    }
    assert.match(cli(db, 'verify'), /clean|ok/i);
  } finally {
    for (const s of servers) await s.stop();
  }
});

test('with every server running the jobs, each due lot expires exactly once', { skip: !PG && 'no PostgreSQL (CREDITD_TEST_PG)' }, async () => {
  const db = freshDb();
  await createDb(db);
  const servers = [];
  for (let i = 0; i < 3; i++) servers.push(await startServer({ db, testClock: false, args: ['--jobs-every', '1'] }));
  try {
    const admin = new Client(servers[0].url);
    assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
    const due = new Date(Date.now() + 2500).toISOString().replace(/\.\d+Z$/, 'Z');
    const lots = [];
    for (let i = 0; i < 6; i++) {
      const c = await admin.post(`${V}/customers`, { name: `Expiring ${i}` });
      for (let k = 0; k < 3; k++) {
        const l = await admin.post(`${V}/customers/${c.json.id}/lots`, { credit_type: 'master', credits: '5', source: 'payment', expires_at: due });
        assert.equal(l.status, 201, l.text);
        lots.push({ id: l.json.id, cus: c.json.id });
      }
    }
    // Past the expiry, every server's timer has run at least twice.
    let expired = [];
    for (let i = 0; i < 40; i++) {
      await sleep(250);
      const r = await admin.get(`${V}/ledger?kind=expiry&limit=200`);
      expired = r.json.items || r.json.entries || r.json.data;
      if (Date.now() > Date.parse(due) + 3000 && expired.length >= lots.length) break;
    }
    const perLot = new Map();
    for (const e of expired) {
      for (const id of e.lot_ids) perLot.set(id, (perLot.get(id) || 0) + 1);
    }
    for (const l of lots) assert.equal(perLot.get(l.id), 1, `lot ${l.id} expired ${perLot.get(l.id) || 0} times`);
    assert.equal(expired.length, lots.length);
    assert.match(cli(db, 'verify'), /clean|ok/i);
  } finally {
    for (const s of servers) await s.stop();
  }
});

test('a session signed out on one server is refused at once by the others', { skip: !PG && 'no PostgreSQL (CREDITD_TEST_PG)' }, async () => {
  const db = freshDb();
  await createDb(db);
  const servers = [];
  for (let i = 0; i < 2; i++) servers.push(await startServer({ db, testClock: false }));
  try {
    const a = new Client(servers[0].url);
    assert.equal((await a.login(ADMIN.email, ADMIN.password)).status, 200);
    // The same cookie on the other server: valid there, and now cached.
    const b = new Client(servers[1].url);
    b.cookie = a.cookie;
    b.csrf = a.csrf;
    assert.equal((await b.get(`${V}/me`)).status, 200);
    assert.equal((await b.get(`${V}/me`)).status, 200);
    assert.equal((await a.post(`${V}/auth/logout`, {})).status, 200);
    assert.equal((await b.get(`${V}/me`)).status, 401);
  } finally {
    for (const s of servers) await s.stop();
  }
});
