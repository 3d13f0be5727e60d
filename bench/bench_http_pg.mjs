// make bench, HTTP on PostgreSQL: POST /api/v1/orders against one creditd
// serve on a PostgreSQL database at 64 connections, then against two servers
// on the same database at 64 connections in all: two wrk processes of 32
// connections and one thread each, one per server, run at the same time.
// Their requests are summed (req/s = the sum of each one's rate) and p50 and
// p99 are the worse of the two (latency histograms cannot be merged from
// wrk's summary). Then `creditd verify` on the database: two servers writing
// one ledger must leave it clean.
//   CREDITD_BIN=build/creditd BENCH_HTTP_PG_URL=postgresql://…/creditd_http \
//     node bench/bench_http_pg.mjs
// BENCH_HTTP_PG_URL names an empty database (scripts/bench.sh makes one in its
// throw-away cluster). BENCH_HTTP_SECONDS (else BENCH_SECONDS, else 3) per
// row, BENCH_HTTP_CUSTOMERS (default 1000) customers with 1,000,000 credits
// each, BENCH_HTTP_THREADS each server's --threads. Before the rows, both
// servers get 1 s of orders at 8 connections each (not measured), so that
// neither starts cold. Runs are bounded by wrk's -d; the servers are stopped
// with SIGTERM at the end, killed if they do not stop. With BENCH_RESULTS=FILE
// the figures are appended to FILE.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CUSTOMERS, SECONDS, cli, die, save, serve, setUp, stop, wrk } from './http_common.mjs';

const DB = process.env.BENCH_HTTP_PG_URL || '';
const CONNECTIONS = 64;

// Runs one wrk per server at the same time, CONNECTIONS split evenly, one
// thread each; returns one row for the lot.
async function together(servers, args, seconds) {
  const each = CONNECTIONS / servers.length;
  const runs = await Promise.all(servers.map((s) => wrk(s.base, null, 'orders', each, args, seconds, 1)));
  return {
    servers: servers.length,
    connections: runs.map((r) => r.connections).join(' + '),
    requests: runs.reduce((n, r) => n + r.requests, 0),
    perS: runs.reduce((n, r) => n + r.perS, 0),
    p50: Math.max(...runs.map((r) => r.p50)),
    p99: Math.max(...runs.map((r) => r.p99)),
    status: runs.reduce((n, r) => n + r.status, 0),
    socket: runs.reduce((n, r) => n + r.socket, 0),
  };
}

function print(rows) {
  const pad = (v, n) => String(v).padStart(n);
  console.log(`\nHTTP on PostgreSQL: POST /api/v1/orders, creditd serve on 127.0.0.1, wrk for ${SECONDS} s ` +
    `a row, ${CUSTOMERS} customers, admin API key (non-2xx: wrk's status >= 400). Two servers: one ` +
    `wrk of ${CONNECTIONS / 2} connections per server at the same time, req/s summed, p50 and p99 the ` +
    'worse of the two.\n');
  console.log('| endpoint                 | servers | connections |    req/s | p50 ms  | p99 ms  | non-2xx |');
  console.log('|--------------------------|---------|-------------|----------|---------|---------|---------|');
  for (const r of rows) {
    console.log(`| ${'POST /api/v1/orders'.padEnd(24)} | ${pad(r.servers, 7)} | ${pad(r.connections, 11)} | ` +
      `${pad(r.perS.toFixed(0), 8)} | ${pad(r.p50.toFixed(2), 7)} | ${pad(r.p99.toFixed(2), 7)} | ` +
      `${pad(r.status, 7)} |`);
  }
  const socket = rows.reduce((n, r) => n + r.socket, 0);
  if (socket > 0) console.log(`socket errors (connect, read, write, timeout): ${socket}`);
}

const work = mkdtempSync('/tmp/creditd-bench-http-pg.');
const servers = [];
try {
  if (!DB.startsWith('postgres')) die('BENCH_HTTP_PG_URL must name a PostgreSQL database');
  cli(DB, ['init', '--admin-email', 'bench@bench.example', '--admin-password-stdin'],
    'bench-http-password\n');
  const key = cli(DB, ['apikey', 'create', '--role', 'admin', '--name', 'bench']);
  servers.push(await serve(DB, work, 'serve-1'));
  servers.push(await serve(DB, work, 'serve-2'));
  const { service, ids } = await setUp(servers[0].base, key);
  const file = join(work, 'customers.txt');
  writeFileSync(file, ids.join('\n') + '\n');
  const args = [key, service, file];
  await Promise.all(servers.map((s) => wrk(s.base, null, 'orders', 8, args, 1, 1)));
  const one = await wrk(servers[0].base, null, 'orders', CONNECTIONS, args, SECONDS);
  const rows = [{ ...one, servers: 1, connections: String(CONNECTIONS) }, await together(servers, args, SECONDS)];
  print(rows);
  const verified = cli(DB, ['verify']);
  console.log(`creditd verify after both rows: ${verified}`);
  save(rows.flatMap((r) => {
    const k = `http.pg.orders.${r.servers}srv.${CONNECTIONS}`;
    return [`${k}.per_s ${r.perS.toFixed(0)}`, `${k}.p50_ms ${r.p50.toFixed(2)}`,
      `${k}.p99_ms ${r.p99.toFixed(2)}`, `${k}.non2xx ${r.status + r.socket}`];
  }));
} catch (e) {
  console.error(`bench_http_pg: ${e.message}`);
  if (servers.length > 0) console.error(`server logs: ${work}/serve-*.log (kept)`);
  process.exitCode = 1;
} finally {
  for (const s of servers) await stop(s.process);
  if (!process.exitCode) rmSync(work, { recursive: true, force: true });
}
