// make bench, HTTP: one creditd server on a fresh SQLite database (durable:
// WAL, synchronous=FULL), loaded by Debian's wrk on 127.0.0.1. POST
// /api/v1/orders and GET /api/v1/ledger?customer=…&limit=50 for random
// customers at 1, 16 and 64 connections, each printed beside GET /healthz of
// the same server at as many connections; then the server's memory (VmRSS and
// VmHWM from /proc/PID/status) idle and under load.
//   CREDITD_BIN=build/creditd node bench/bench_http.mjs
// BENCH_HTTP_THREADS sets the server's --threads;
// BENCH_HTTP_SECONDS (else BENCH_SECONDS, else 3) per row, BENCH_HTTP_CUSTOMERS
// (default 1000) customers with 1,000,000 credits each. The setup goes through
// the API with an admin API key (creditd apikey create). Before the ledger
// rows, more orders (not measured, at most 60 s) give the customers 50
// entries each on average, so that the pages are full. Runs are bounded by
// wrk's -d; the server is stopped with SIGTERM at the end, killed if it does
// not stop. With BENCH_RESULTS=FILE the figures are appended to FILE.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CUSTOMERS, SECONDS, cli, memory, save, serve, setUp, stop, wrk } from './http_common.mjs';

const CONNECTIONS = [1, 16, 64];
const LEDGER_PAGE = 50;
const HISTORY_SECONDS_MAX = 60;
const MODES = {
  healthz: 'GET /healthz',
  orders: 'POST /api/v1/orders',
  ledger: 'GET /api/v1/ledger, 50',
};

// More orders, not measured, until the customers have a full page of
// history on average, in runs sized by the last rate seen, for at most
// HISTORY_SECONDS_MAX in all; returns how many.
async function fillHistory(base, pid, rows, orders, args) {
  let rate = rows.find((r) => r.mode === 'orders' && r.connections === 64).perS;
  let placed = 0;
  let spent = 0;
  for (;;) {
    const missing = (LEDGER_PAGE + 1) * CUSTOMERS - (CUSTOMERS + orders + placed);
    if (missing <= 0 || rate <= 0 || spent >= HISTORY_SECONDS_MAX) break;
    const seconds = Math.min(HISTORY_SECONDS_MAX - spent, Math.ceil((missing * 1.1) / rate));
    const r = await wrk(base, pid, 'orders', 64, args, seconds);
    placed += r.requests - r.status;
    spent += seconds;
    rate = r.perS;
  }
  if (placed > 0) {
    console.error(`bench_http: ${placed} more orders in ${spent} s for the ledger pages ` +
      '(not measured)');
  }
  return placed;
}

function print(rows, mem, entries) {
  const pad = (v, n) => String(v).padStart(n);
  console.log(`\nHTTP on SQLite: creditd serve on 127.0.0.1, wrk for ${SECONDS} s a row, ` +
    `${CUSTOMERS} customers, admin API key (non-2xx: wrk's status >= 400)\n`);
  console.log('| endpoint                 | connections |    req/s | p50 ms  | p99 ms  | non-2xx |');
  console.log('|--------------------------|-------------|----------|---------|---------|---------|');
  for (const c of CONNECTIONS) {
    for (const mode of Object.keys(MODES)) {
      const r = rows.find((x) => x.mode === mode && x.connections === c);
      console.log(`| ${MODES[mode].padEnd(24)} | ${pad(c, 11)} | ${pad(r.perS.toFixed(0), 8)} | ` +
        `${pad(r.p50.toFixed(2), 7)} | ${pad(r.p99.toFixed(2), 7)} | ${pad(r.status, 7)} |`);
    }
  }
  const socket = rows.reduce((n, r) => n + r.socket, 0);
  if (socket > 0) console.log(`socket errors (connect, read, write, timeout): ${socket}`);
  console.log(`ledger reads: each customer had about ${entries} entries (a page holds up to ` +
    `${LEDGER_PAGE}; orders not measured were placed first for that)`);
  console.log('\nserver memory (creditd serve, /proc/PID/status)\n');
  console.log('| moment                                  | MiB     |');
  console.log('|-----------------------------------------|---------|');
  for (const [what, mib] of mem) console.log(`| ${what.padEnd(39)} | ${pad(mib.toFixed(1), 7)} |`);
}

const work = mkdtempSync('/tmp/creditd-bench-http.');
const db = `sqlite:${join(work, 'http.db')}`;
let server;
try {
  cli(db, ['init', '--admin-email', 'bench@bench.example', '--admin-password-stdin'],
    'bench-http-password\n');
  const key = cli(db, ['apikey', 'create', '--role', 'admin', '--name', 'bench']);
  const started = await serve(db, work, 'serve');
  const { base } = started;
  server = started.process;
  const mem = [['VmRSS idle after start', memory(server.pid).rss]];
  const { service, ids } = await setUp(base, key);
  mem.push([`VmRSS idle after setup (${CUSTOMERS} customers)`, memory(server.pid).rss]);
  const file = join(work, 'customers.txt');
  writeFileSync(file, ids.join('\n') + '\n');
  const args = [key, service, file];
  const rows = [];
  let orders = 0;
  // The ledger runs last, so that the customers have a history to page.
  for (const mode of Object.keys(MODES)) {
    if (mode === 'ledger') orders += await fillHistory(base, server.pid, rows, orders, args);
    for (const c of CONNECTIONS) {
      const r = await wrk(base, server.pid, mode, c, args, SECONDS);
      if (mode === 'orders') orders += r.requests - r.status;
      rows.push(r);
    }
  }
  const after = memory(server.pid);
  mem.push(['VmRSS under load, highest 100 ms sample', Math.max(...rows.map((r) => r.rssMax))]);
  mem.push(['VmRSS idle after the load', after.rss]);
  mem.push(['VmHWM (peak RSS) at the end', after.hwm]);
  print(rows, mem, Math.round(1 + orders / CUSTOMERS));
  save([
    ...rows.flatMap((r) => [`http.${r.mode}.${r.connections}.per_s ${r.perS.toFixed(0)}`,
      `http.${r.mode}.${r.connections}.p50_ms ${r.p50.toFixed(2)}`,
      `http.${r.mode}.${r.connections}.p99_ms ${r.p99.toFixed(2)}`,
      `http.${r.mode}.${r.connections}.non2xx ${r.status + r.socket}`]),
    `http.rss_idle_mib ${mem[1][1].toFixed(1)}`,
    `http.rss_load_mib ${mem[2][1].toFixed(1)}`,
    `http.hwm_mib ${after.hwm.toFixed(1)}`,
  ]);
} catch (e) {
  console.error(`bench_http: ${e.message}`);
  if (server) console.error(`server log: ${join(work, 'serve.log')} (kept)`);
  process.exitCode = 1;
} finally {
  if (server) await stop(server);
  if (!process.exitCode) rmSync(work, { recursive: true, force: true });
}
