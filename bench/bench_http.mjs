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
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync }
  from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

const BIN = process.env.CREDITD_BIN || 'build/creditd';
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS || process.env.BENCH_SECONDS || 3);
const CUSTOMERS = Number(process.env.BENCH_HTTP_CUSTOMERS || 1000);
const CONNECTIONS = [1, 16, 64];
const LEDGER_PAGE = 50;
const HISTORY_SECONDS_MAX = 60;
const SCRIPT = new URL('./bench_http.lua', import.meta.url).pathname;
const MODES = {
  healthz: 'GET /healthz',
  orders: 'POST /api/v1/orders',
  ledger: 'GET /api/v1/ledger, 50',
};

// Failures throw, so that the server is stopped and the files removed.
function die(message) {
  throw new Error(message);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function cli(db, args, input) {
  const r = spawnSync(BIN, ['--db', db, ...args], { input, encoding: 'utf8' });
  if (r.status !== 0) die(`creditd ${args[0]} failed: ${r.stderr}`);
  return r.stdout.trim();
}

// VmRSS and VmHWM of pid in MiB.
function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number((status.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm')) || [0, 0])[1]);
  return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
}

async function api(base, key, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) die(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function waitReady(base, server) {
  for (let i = 0; i < 200; i++) {
    if (server.exitCode !== null) die(`creditd serve exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  die('creditd serve did not answer /healthz within 10 s');
}

// A service costing 1 master credit, and the customers with their credits,
// 16 at a time.
async function setUp(base, key) {
  const service = await api(base, key, 'POST', '/api/v1/services',
    { name: 'Bench', kind: 'base', costs: { master: '1' } });
  const ids = [];
  let next = 0;
  const worker = async () => {
    while (next < CUSTOMERS) {
      const i = next++;
      const c = await api(base, key, 'POST', '/api/v1/customers', { name: `Shop ${i + 1}` });
      await api(base, key, 'POST', `/api/v1/customers/${c.id}/lots`,
        { credit_type: 'master', credits: '1000000', source: 'payment' });
      ids.push(c.id);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return { service: service.id, ids };
}

// One wrk run; the server's VmRSS is sampled every 100 ms meanwhile.
function run(base, pid, mode, connections, args, seconds) {
  return new Promise((resolve, reject) => {
    const wrk = spawn('wrk', [`-t${connections === 1 ? 1 : 2}`, `-c${connections}`,
      `-d${seconds}s`, '--timeout', '10s', '-s', SCRIPT, base, '--', mode, ...args]);
    let out = '';
    let rssMax = 0;
    wrk.stdout.on('data', (d) => { out += d; });
    wrk.stderr.on('data', (d) => { out += d; });
    const timer = setInterval(() => { rssMax = Math.max(rssMax, memory(pid).rss); }, 100);
    wrk.on('close', (code) => {
      clearInterval(timer);
      const m = out.match(/BENCH requests=(\d+) duration_us=(\d+) p50_us=([\d.]+) p99_us=([\d.]+) status_errors=(\d+) socket_errors=(\d+)/);
      if (code !== 0 || !m) {
        reject(new Error(`wrk ${mode} -c${connections} failed:\n${out}`));
        return;
      }
      const [requests, duration, p50, p99, status, socket] = m.slice(1).map(Number);
      resolve({ mode, connections, requests, perS: requests / (duration / 1e6), p50: p50 / 1000,
        p99: p99 / 1000, status, socket, rssMax });
    });
  });
}

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
    const r = await run(base, pid, 'orders', 64, args, seconds);
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

function stop(server) {
  return new Promise((resolve) => {
    if (server.exitCode !== null) { resolve(); return; }
    const kill = setTimeout(() => server.kill('SIGKILL'), 15000);
    server.on('exit', () => { clearTimeout(kill); resolve(); });
    server.kill('SIGTERM');
  });
}

function save(lines) {
  if (process.env.BENCH_RESULTS) appendFileSync(process.env.BENCH_RESULTS, lines.join('\n') + '\n');
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
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = openSync(join(work, 'serve.log'), 'w');
  // BENCH_HTTP_THREADS: the server's --threads (its default when unset).
  const threads = process.env.BENCH_HTTP_THREADS ? ['--threads', process.env.BENCH_HTTP_THREADS] : [];
  server = spawn(BIN, ['--db', db, 'serve', '--listen', `127.0.0.1:${port}`, ...threads],
    { stdio: ['ignore', log, log] });
  closeSync(log);
  await waitReady(base, server);
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
      const r = await run(base, server.pid, mode, c, args, SECONDS);
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
