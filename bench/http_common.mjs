// What the HTTP benches (bench_http.mjs on SQLite, bench_http_pg.mjs on
// PostgreSQL) share: the creditd command line, a server started and stopped,
// the setup through the API, one wrk run with bench_http.lua and its figures,
// the results file. Everything on 127.0.0.1; failures throw, so that the
// caller stops its servers and removes its files.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

export const BIN = process.env.CREDITD_BIN || 'build/creditd';
export const SECONDS = Number(process.env.BENCH_HTTP_SECONDS || process.env.BENCH_SECONDS || 3);
export const CUSTOMERS = Number(process.env.BENCH_HTTP_CUSTOMERS || 1000);
const SCRIPT = new URL('./bench_http.lua', import.meta.url).pathname;

export function die(message) {
  throw new Error(message);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function cli(db, args, input) {
  const r = spawnSync(BIN, ['--db', db, ...args], { input, encoding: 'utf8' });
  if (r.status !== 0) die(`creditd ${args[0]} failed: ${r.stderr}`);
  return r.stdout.trim();
}

// VmRSS and VmHWM of pid in MiB.
export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number((status.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm')) || [0, 0])[1]);
  return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
}

export async function api(base, key, method, path, body) {
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

// `creditd serve` on db, logging to work/NAME.log, uploads in work/NAME-files;
// BENCH_HTTP_THREADS is its --threads (its default when unset). Returns
// { base, process } once it answers /healthz.
export async function serve(db, work, name) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = openSync(join(work, `${name}.log`), 'w');
  const threads = process.env.BENCH_HTTP_THREADS ? ['--threads', process.env.BENCH_HTTP_THREADS] : [];
  const child = spawn(BIN, ['--db', db, 'serve', '--listen', `127.0.0.1:${port}`,
    '--files-dir', join(work, `${name}-files`), ...threads], { stdio: ['ignore', log, log] });
  closeSync(log);
  try {
    await waitReady(base, child);
  } catch (e) {
    await stop(child);
    throw e;
  }
  return { base, process: child };
}

export function stop(server) {
  return new Promise((resolve) => {
    if (server.exitCode !== null) { resolve(); return; }
    const kill = setTimeout(() => server.kill('SIGKILL'), 15000);
    server.on('exit', () => { clearTimeout(kill); resolve(); });
    server.kill('SIGTERM');
  });
}

// A service costing 1 master credit, and CUSTOMERS customers with their
// credits, 16 at a time.
export async function setUp(base, key) {
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

// One wrk run of MODE (healthz, orders, ledger) with `threads` threads; the
// VmRSS of pid (when given) is sampled every 100 ms meanwhile.
export function wrk(base, pid, mode, connections, args, seconds, threads = connections === 1 ? 1 : 2) {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', [`-t${threads}`, `-c${connections}`,
      `-d${seconds}s`, '--timeout', '10s', '-s', SCRIPT, base, '--', mode, ...args]);
    let out = '';
    let rssMax = 0;
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = pid ? setInterval(() => { rssMax = Math.max(rssMax, memory(pid).rss); }, 100) : null;
    child.on('close', (code) => {
      if (timer) clearInterval(timer);
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

export function save(lines) {
  if (process.env.BENCH_RESULTS) appendFileSync(process.env.BENCH_RESULTS, lines.join('\n') + '\n');
}
