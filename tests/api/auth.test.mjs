// Authentication, sessions, CSRF, API keys, throttling and the HTTP contract
// (problem+json, 404/405/413/415/422, security headers, ops endpoints),
// against the real server on 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, ADMIN } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => {
  const { code } = await server.stop();
  assert.equal(code, 0, 'the server stops cleanly on SIGTERM');
});

test('health and readiness answer without signing in', async () => {
  const c = new Client(server.url);
  const h = await c.get('/healthz');
  assert.equal(h.status, 200);
  assert.deepEqual(h.json, { status: 'ok' });
  const r = await c.get('/readyz');
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'ready');
});

test('every answer carries the security headers and a request id', async () => {
  const r = await new Client(server.url).get('/healthz');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(r.headers.get('x-frame-options'), 'DENY');
  assert.match(r.headers.get('content-security-policy'), /default-src 'none'/);
  assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
});

test('a correct login sets an HttpOnly SameSite cookie and returns a CSRF token', async () => {
  const c = new Client(server.url);
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  assert.equal(res.status, 200);
  const cookie = res.headers.get('set-cookie');
  assert.match(cookie, /creditd_session=[0-9a-f]{64}/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  assert.match(cookie, /Path=\//);
  const body = await res.json();
  assert.equal(body.role, 'admin');
  assert.match(body.csrf_token, /^[0-9a-f]{64}$/);
  await c.login(ADMIN.email, ADMIN.password);
  const me = await c.get('/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal(me.json.email, ADMIN.email);
});

test('a wrong password or unknown e-mail is 401 with the same answer', async () => {
  const c = new Client(server.url);
  const a = await c.login(ADMIN.email, 'not-the-password');
  const b = await c.login('nobody@test.example', 'not-the-password');
  assert.equal(a.status, 401);
  assert.equal(b.status, 401);
  assert.equal(a.json.code, 'unauthenticated');
  assert.equal(a.json.detail, b.json.detail);
  assert.equal(a.headers.get('content-type'), 'application/problem+json');
});

test('unsafe requests of a cookie session need the CSRF token', async () => {
  const c = new Client(server.url);
  await c.login(ADMIN.email, ADMIN.password);
  const token = c.csrf;
  c.csrf = null;
  const without = await c.post('/api/v1/api-keys', { role: 'staff' });
  assert.equal(without.status, 403);
  assert.equal(without.json.code, 'forbidden');
  c.csrf = 'f'.repeat(64);
  const wrong = await c.post('/api/v1/api-keys', { role: 'staff' });
  assert.equal(wrong.status, 403);
  c.csrf = token;
  const ok = await c.post('/api/v1/api-keys', { role: 'staff', name: 'csrf' });
  assert.equal(ok.status, 201);
});

test('logout ends the session for good', async () => {
  const c = new Client(server.url);
  await c.login(ADMIN.email, ADMIN.password);
  const cookie = c.cookie;
  const out = await c.post('/api/v1/auth/logout', {});
  assert.equal(out.status, 200);
  c.cookie = cookie;
  const me = await c.get('/api/v1/me');
  assert.equal(me.status, 401);
});

test('an API key from the API or the CLI works as a bearer token', async () => {
  const c = new Client(server.url);
  await c.login(ADMIN.email, ADMIN.password);
  const created = await c.post('/api/v1/api-keys', { role: 'admin', name: 'ci' });
  assert.equal(created.status, 201);
  assert.match(created.json.key, /^cd_[0-9a-f]{64}$/);
  const k = new Client(server.url);
  k.bearer = created.json.key;
  const me = await k.get('/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal(me.json.role, 'admin');
  const fromCli = server.cli('apikey', 'create', '--role', 'staff').trim();
  k.bearer = fromCli;
  assert.equal((await k.get('/api/v1/me')).json.role, 'staff');
  assert.equal((await k.post('/api/v1/api-keys', { role: 'admin' })).status, 403);
  k.bearer = 'cd_' + '0'.repeat(64);
  assert.equal((await k.get('/api/v1/me')).status, 401);
});

test('anonymous callers get 401 on protected routes', async () => {
  const r = await new Client(server.url).get('/api/v1/me');
  assert.equal(r.status, 401);
  assert.equal(r.json.code, 'unauthenticated');
});

test('unknown routes are 404 and wrong methods 405 with Allow', async () => {
  const c = new Client(server.url);
  const nf = await c.get('/api/v1/nothing-here');
  assert.equal(nf.status, 404);
  assert.equal(nf.json.code, 'not_found');
  const na = await c.request('DELETE', '/healthz');
  assert.equal(na.status, 405);
  assert.equal(na.headers.get('allow'), 'GET');
});

test('bodies are parsed strictly with the field named', async () => {
  const c = new Client(server.url);
  const cases = [
    [{ 'Content-Type': 'text/plain' }, '{}', 415, 'unsupported_media_type'],
    [{}, '{"email":"a@b.c","email":"x@y.z","password":"p"}', 422, 'validation_failed'],
    [{}, '{"email":"a@b.c","password":"p","extra":1}', 422, 'validation_failed'],
    [{}, '{"email":5,"password":"p"}', 422, 'validation_failed'],
    [{}, '[1,2]', 422, 'validation_failed'],
    [{}, '{"email":"a@b.c"', 422, 'validation_failed'],
    [{}, '{"a":' + '['.repeat(40) + ']'.repeat(40) + '}', 422, 'validation_failed'],
  ];
  for (const [headers, raw, status, code] of cases) {
    const r = await c.request('POST', '/api/v1/auth/login', {
      raw, headers: { 'Content-Type': 'application/json', ...headers },
    });
    assert.equal(r.status, status, raw);
    assert.equal(r.json.code, code, raw);
  }
  const extra = await c.request('POST', '/api/v1/auth/login', {
    raw: '{"email":"a@b.c","password":"p","extra":1}',
    headers: { 'Content-Type': 'application/json' },
  });
  assert.equal(extra.json.errors[0].field, 'extra');
  const bad = Buffer.from([0x7b, 0x22, 0x65, 0x6d, 0x61, 0x69, 0x6c, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
  const utf = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: bad,
  });
  assert.equal(utf.status, 422);
});

test('a body over 64 KiB is 413', async () => {
  const c = new Client(server.url);
  const r = await c.request('POST', '/api/v1/auth/login', {
    raw: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(70 * 1024) }),
    headers: { 'Content-Type': 'application/json' },
  });
  assert.equal(r.status, 413);
  assert.equal(r.json.code, 'too_large');
});

test('metrics are Prometheus text with requests by route', async () => {
  const r = await new Client(server.url).get('/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain/);
  assert.match(r.text, /creditd_http_requests_total\{method="GET",route="\/healthz",status="2xx"\} \d+/);
  assert.match(r.text, /creditd_http_request_duration_seconds_bucket\{le="\+Inf"\} \d+/);
});

test('the OpenAPI document lists every route', async () => {
  const r = await new Client(server.url).get('/api/v1/openapi.json');
  assert.equal(r.status, 200);
  assert.equal(r.json.openapi, '3.1.0');
  for (const path of ['/healthz', '/api/v1/auth/login', '/api/v1/me', '/api/v1/api-keys']) {
    assert.ok(r.json.paths[path], path);
  }
  for (const [path, item] of Object.entries(r.json.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const answers = Object.keys(op.responses).filter((k) => k !== 'default');
      assert.equal(answers.length, 1, `${method} ${path} has a recorded example answer`);
      const content = Object.values(op.responses[answers[0]].content)[0];
      assert.ok(content.schema && content.example !== undefined, `${method} ${path} answer schema`);
      if (op.requestBody) {
        const body = op.requestBody.content['application/json']
          || op.requestBody.content['multipart/form-data'];
        assert.equal(body.schema.type, 'object', `${method} ${path} request schema`);
      }
    }
  }
});

test('the test clock moves only for an admin', async () => {
  const anon = await new Client(server.url).post('/api/v1/test/clock', { now: '2027-01-01T00:00:00Z' });
  assert.equal(anon.status, 401);
  const c = new Client(server.url);
  await c.login(ADMIN.email, ADMIN.password);
  const bad = await c.post('/api/v1/test/clock', { now: 'tomorrow' });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.field, 'now');
});

test('repeated wrong passwords are throttled with Retry-After', async () => {
  const c = new Client(server.url);
  let last;
  for (let i = 0; i < 6; i++) last = await c.login('throttle@test.example', 'wrong-password');
  assert.equal(last.status, 429);
  assert.ok(Number(last.headers.get('retry-after')) > 0);
  assert.equal(last.json.code, 'too_many_requests');
});

test('a session idle for two hours is over; one in use lives on (test clock)', async () => {
  const mover = new Client(server.url);
  mover.bearer = server.cli('apikey', 'create', '--role', 'admin').trim();
  const setClock = async (ms) => {
    const r = await mover.post('/api/v1/test/clock', { now: new Date(ms).toISOString() });
    assert.equal(r.status, 200, r.text);
  };
  const t0 = Date.now();
  try {
    await setClock(t0);
    const idle = new Client(server.url);
    const busy = new Client(server.url);
    await idle.login(ADMIN.email, ADMIN.password);
    await busy.login(ADMIN.email, ADMIN.password);
    for (let h = 1; h <= 3; h++) {
      await setClock(t0 + h * 3600e3 - 60e3);
      assert.equal((await busy.get('/api/v1/me')).status, 200, `busy at ${h}h`);
    }
    assert.equal((await idle.get('/api/v1/me')).status, 401);
    await setClock(t0 + 8 * 24 * 3600e3);
    assert.equal((await busy.get('/api/v1/me')).status, 401, 'a week later');
  } finally {
    await setClock(Date.now());
  }
});

test('API keys are listed without their secret and a revoked key is refused at once', async () => {
  const admin = new Client(server.url);
  assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
  const made = await admin.post('/api/v1/api-keys', { role: 'staff', name: 'To revoke' });
  assert.equal(made.status, 201, made.text);
  const user = new Client(server.url);
  user.bearer = made.json.key;
  assert.equal((await user.get('/api/v1/customers')).status, 200, 'the key works (and is cached)');
  const list = await admin.get('/api/v1/api-keys');
  assert.equal(list.status, 200, list.text);
  const shown = list.json.items.find((k) => k.id === made.json.id);
  assert.deepEqual({ name: shown.name, role: shown.role, active: shown.active, revoked_at: shown.revoked_at },
    { name: 'To revoke', role: 'staff', active: true, revoked_at: null });
  assert.ok(!list.text.includes(made.json.key), 'the key never shows again');
  const del = await admin.del(`/api/v1/api-keys/${made.json.id}`);
  assert.equal(del.status, 204, del.text);
  assert.equal((await user.get('/api/v1/customers')).status, 401, 'refused at once');
  assert.equal((await admin.del(`/api/v1/api-keys/${made.json.id}`)).status, 404, 'revoked already');
  const after = (await admin.get('/api/v1/api-keys')).json.items.find((k) => k.id === made.json.id);
  assert.equal(after.active, false);
  assert.ok(after.revoked_at);
  // A staff key cannot list or revoke keys.
  const staff = new Client(server.url);
  staff.bearer = (await admin.post('/api/v1/api-keys', { role: 'staff' })).json.key;
  assert.equal((await staff.get('/api/v1/api-keys')).status, 403);
});
