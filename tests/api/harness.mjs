// Test harness for the black-box API tests: starts the real creditd binary on
// 127.0.0.1 with a fresh database (SQLite file, or a new PostgreSQL database
// when CREDITD_TEST_PG names a cluster's maintenance URL), and gives a small
// client that keeps the session cookie and CSRF token like a browser would.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

const bin = process.env.CREDITD_BIN || 'build/creditd';
export const ADMIN = { email: 'admin@test.example', password: 'admin-password-1' };

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function freshDatabase(dir) {
  const pg = process.env.CREDITD_TEST_PG;
  if (!pg) return `sqlite:${join(dir, 'creditd.db')}`;
  const name = `api_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  execFileSync('psql', ['-qAt', pg, '-c', `CREATE DATABASE ${name}`]);
  return pg.replace(/\/[^/]*$/, `/${name}`);
}

// Options: testClock (default true), args (more `serve` arguments), env (more
// environment for the server and cli()), db (a database another server
// already uses: no init, several servers on one database). Uploaded files go
// to server.filesDir (a directory of the server's own, unless args or env
// name another).
export async function startServer({ testClock = true, args: extraArgs = [], env: extraEnv = {}, db: shared } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'creditd-api-'));
  const db = shared || freshDatabase(dir);
  const filesDir = join(dir, 'files');
  const env = { ...process.env, CREDITD_FILES_DIR: filesDir, ...extraEnv };
  if (!shared) {
    execFileSync(bin, ['init', '--db', db, '--admin-email', ADMIN.email, '--admin-password-stdin'], {
      input: `${ADMIN.password}\n`,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
  }
  const port = await freePort();
  const args = ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, ...extraArgs];
  if (testClock) args.push('--test-clock');
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch { /* not yet listening */ }
    await new Promise((r) => setTimeout(r, 25));
  }
  const server = {
    url,
    port,
    db,
    bin,
    filesDir: env.CREDITD_FILES_DIR,
    get log() { return log; },
    async stop() {
      const exited = new Promise((resolve) => child.on('exit', (code, sig) => resolve({ code, sig })));
      child.kill('SIGTERM');
      const result = await exited;
      rmSync(dir, { recursive: true, force: true });
      return result;
    },
    // kill -9: nothing is flushed or finished (crash drills).
    async kill() {
      const exited = new Promise((resolve) => child.on('exit', (code, sig) => resolve({ code, sig })));
      child.kill('SIGKILL');
      const result = await exited;
      rmSync(dir, { recursive: true, force: true });
      return result;
    },
    get exitCode() { return child.exitCode; },
    cli(...argv) {
      return execFileSync(bin, [...argv, '--db', db], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], env });
    },
  };
  return server;
}

// A client with a cookie jar of one cookie and the CSRF token of its session.
export class Client {
  constructor(base, { host } = {}) {
    this.base = base;
    this.cookie = null;
    this.csrf = null;
    this.bearer = null;
    this.host = host;
  }

  // body: JSON; form: a FormData (sent as multipart/form-data); raw: as is.
  async request(method, path, { body, form, headers = {}, raw } = {}) {
    const h = { ...headers };
    if (this.cookie) h.Cookie = this.cookie;
    if (this.csrf && method !== 'GET') h['X-CSRF-Token'] = this.csrf;
    if (this.bearer) h.Authorization = `Bearer ${this.bearer}`;
    if (this.host) h.Host = this.host;
    let payload = raw;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      h['Content-Type'] = h['Content-Type'] || 'application/json';
    }
    if (form !== undefined) payload = form;
    const res = await fetch(this.base + path, { method, headers: h, body: payload });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      const m = /creditd_session=([^;]*)/.exec(setCookie);
      this.cookie = m && m[1] ? `creditd_session=${m[1]}` : null;
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = bytes.toString('utf8');
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    return { status: res.status, headers: res.headers, json, text, bytes };
  }

  get(path, opts) { return this.request('GET', path, opts); }
  del(path, opts) { return this.request('DELETE', path, opts); }
  // POSTs bytes (a Buffer or string) as the multipart field `file`.
  upload(path, data, { name = 'file.bin', headers } = {}) {
    const form = new FormData();
    form.append('file', new Blob([data]), name);
    return this.request('POST', path, { form, headers });
  }
  post(path, body, opts = {}) { return this.request('POST', path, { ...opts, body }); }
  patch(path, body, opts = {}) { return this.request('PATCH', path, { ...opts, body }); }

  async login(email, password) {
    const r = await this.post('/api/v1/auth/login', { email, password });
    if (r.status === 200) this.csrf = r.json.csrf_token;
    return r;
  }
}
