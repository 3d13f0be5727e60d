// The authorization matrix: every route of the OpenAPI document (which
// publishes each route's roles as x-roles, straight from the route table) is
// called by an anonymous caller, a technician, an owner, the owner of another
// customer, staff, an admin and an admin of another tenant. A role the route
// does not list gets 401 (anonymous) or 403; a listed role is never refused
// as such; another customer's or another tenant's objects are 404.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { startServer, ADMIN } from './harness.mjs';

let server;
let doc;
const callers = {};
const ids = {};

// body: sent as JSON; a Buffer is sent as the multipart field `file`.
function call(caller, method, path, body) {
  const url = new URL(server.url + path);
  const headers = { Host: caller.host || 'localhost' };
  if (caller.cookie) headers.Cookie = caller.cookie;
  if (caller.csrf && method !== 'GET') headers['X-CSRF-Token'] = caller.csrf;
  let payload;
  if (Buffer.isBuffer(body)) {
    const b = 'matrixBoundary';
    payload = Buffer.concat([Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; `
      + 'filename="read.bin"\r\n\r\n'), body, Buffer.from(`\r\n--${b}--\r\n`)]);
    headers['Content-Type'] = `multipart/form-data; boundary=${b}`;
    headers['Content-Length'] = payload.length;
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = Buffer.byteLength(payload);
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, json, text });
      });
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

async function signIn(email, password, host) {
  const caller = { host };
  const r = await call(caller, 'POST', '/api/v1/auth/login', { email, password });
  assert.equal(r.status, 200, `${email}: ${r.text}`);
  caller.cookie = /creditd_session=[0-9a-f]+/.exec(r.headers['set-cookie'][0])[0];
  caller.csrf = r.json.csrf_token;
  caller.role = r.json.role;
  return caller;
}

function cli(input, ...argv) {
  return execFileSync(server.bin, [...argv, '--db', server.db], { input, encoding: 'utf8' });
}

before(async () => {
  server = await startServer();
  server.cli('demo');
  cli('staff-password-1\n', 'user', 'add', '--email', 'staff@test.example', '--role', 'staff', '--password-stdin');
  server.cli('tenant', 'add-host', 'ten_1', 'localhost');
  const other = server.cli('tenant', 'add', 'Other shop', '--host', 'other.example').trim();
  cli('other-password-1\n', 'user', 'add', '--tenant', other, '--email', 'boss@other.example', '--role', 'admin', '--password-stdin');
  callers.anonymous = {};
  callers.admin = await signIn(ADMIN.email, ADMIN.password);
  callers.staff = await signIn('staff@test.example', 'staff-password-1');
  callers.owner = await signIn('owner@weber-autotechnik.example', 'creditd-demo');
  callers.technician = await signIn('tech@weber-autotechnik.example', 'creditd-demo');
  callers.other_customer = await signIn('info@nordicremaps.example', 'creditd-demo');
  callers.other_tenant = await signIn('boss@other.example', 'other-password-1', 'other.example');
  doc = (await call(callers.anonymous, 'GET', '/api/v1/openapi.json')).json;
  const mine = (await call(callers.admin, 'GET', '/api/v1/me')).json;
  assert.equal(mine.role, 'admin');
  const owner = (await call(callers.owner, 'GET', '/api/v1/me')).json;
  ids.customer = owner.customer_id;
  ids.lot = (await call(callers.admin, 'GET', `/api/v1/customers/${ids.customer}/lots`)).json.items[0].id;
  ids.order = (await call(callers.admin, 'GET', `/api/v1/orders?customer=${ids.customer}`)).json.items[0].id;
  ids.technician = (await call(callers.technician, 'GET', '/api/v1/me')).json.user_id;
  const file = await call(callers.owner, 'POST', '/api/v1/files', Buffer.from('an ECU read'));
  assert.equal(file.status, 201, file.text);
  ids.file = file.json.file.id;
  const hook = await call(callers.admin, 'POST', '/api/v1/webhook-endpoints', { url: 'https://hooks.example.com/matrix', events: ['*'] });
  assert.equal(hook.status, 201, hook.text);
  ids.endpoint = hook.json.id;
});
after(async () => { await server.stop(); });

// The path with its parameters filled with objects of the owner's customer.
function fill(pattern) {
  return pattern
    .replace(/^\/api\/v1\/customers\/\{id\}/, `/api/v1/customers/${ids.customer}`)
    .replace(/^\/api\/v1\/lots\/\{id\}/, `/api/v1/lots/${ids.lot}`)
    .replace(/^\/api\/v1\/orders\/\{id\}/, `/api/v1/orders/${ids.order}`)
    .replace(/^\/api\/v1\/files\/\{id\}/, `/api/v1/files/${ids.file}`)
    .replace(/^\/api\/v1\/webhook-endpoints\/\{id\}/, `/api/v1/webhook-endpoints/${ids.endpoint}`)
    .replace('/packages/{id}', '/packages/pkg_1')
    .replace('/services/{id}', '/services/svc_1')
    .replace('{code}', 'master')
    .replace('{user_id}', ids.technician);
}

// Routes whose object belongs to the owner's customer, or to the first tenant.
const customerScoped = /^\/api\/v1\/(customers|lots|orders|files)\/\{id\}/;
const tenantScoped = /\{(id|user_id)\}/;
const skipped = new Set(['/api/v1/auth/login', '/api/v1/auth/logout']);

test('every route answers every caller as its roles say', async () => {
  let checked = 0;
  for (const [pattern, item] of Object.entries(doc.paths)) {
    if (skipped.has(pattern)) continue;
    for (const [lower, op] of Object.entries(item)) {
      const method = lower.toUpperCase();
      const roles = op['x-roles'];
      assert.ok(Array.isArray(roles), `${method} ${pattern} publishes its roles`);
      // Removing a member for real would sign the technician out: name a
      // member nobody is (allowed roles get 404, the others 401/403).
      const removal = method === 'DELETE' && pattern.endsWith('/members/{user_id}');
      const path = removal ? fill(pattern).replace(ids.technician, 'usr_999999') : fill(pattern);
      const body = method === 'POST' || method === 'PATCH' ? {} : undefined;
      for (const [name, caller] of Object.entries(callers)) {
        const role = name === 'other_customer' ? 'owner' : name === 'other_tenant' ? 'admin' : name;
        const r = await call(caller, method, path, body);
        const what = `${method} ${path} as ${name}: ${r.status} ${r.text.slice(0, 120)}`;
        checked++;
        if (!roles.includes(role)) {
          assert.equal(r.status, name === 'anonymous' ? 401 : 403, what);
        } else if (name === 'other_customer' && customerScoped.test(pattern)) {
          assert.equal(r.status, 404, what);
        } else if (name === 'other_tenant' && tenantScoped.test(pattern)) {
          assert.equal(r.status, 404, what);
        } else {
          assert.ok(r.status !== 401 && r.status !== 403, what);
        }
      }
    }
  }
  assert.ok(checked > 300, `checked ${checked} route × caller pairs`);
});

test('two-factor enrolment is open to every signed-in role, and to nobody else', async () => {
  const signed = ['technician', 'owner', 'staff', 'admin'];
  for (const path of ['/api/v1/me/totp', '/api/v1/me/totp/confirm', '/api/v1/me/totp/disable', '/api/v1/me/totp/recovery-codes'])
    assert.deepEqual([...doc.paths[path].post['x-roles']].sort(), [...signed].sort(), path);
  // Each caller's own: another customer's owner or another tenant's admin
  // enrols themself, never anyone else.
  for (const [name, caller] of Object.entries(callers)) {
    const r = await call(caller, 'POST', '/api/v1/me/totp');
    assert.equal(r.status, name === 'anonymous' ? 401 : 200, `${name}: ${r.text}`);
    if (r.status === 200) assert.match(r.json.otpauth_uri, /^otpauth:\/\/totp\//);
  }
});

test('another customer\'s rows never show in lists', async () => {
  const r = await call(callers.other_customer, 'GET', `/api/v1/ledger?customer=${ids.customer}`);
  assert.ok(r.status === 404 || r.json.items.every((e) => e.customer_id !== ids.customer), r.text);
  const o = await call(callers.other_customer, 'GET', `/api/v1/orders?customer=${ids.customer}`);
  assert.ok(o.status === 404 || o.json.items.every((e) => e.customer_id !== ids.customer), o.text);
  const t = await call(callers.other_tenant, 'GET', '/api/v1/customers');
  assert.equal(t.status, 200);
  assert.equal(t.json.items.length, 0);
});

test('a session is valid only at its own tenant\'s host', async () => {
  const moved = { ...callers.other_tenant, host: 'localhost' };
  const r = await call(moved, 'GET', '/api/v1/me');
  assert.equal(r.status, 401);
});
