// Webhook endpoints, their delivery log, resending and the event log through
// the API: the secret is shown on create and rotate only, every refused input
// names its field and changes nothing, URLs naming refused addresses are
// refused at once (private ones only without --webhook-allow-private), and
// only admins manage endpoints while staff may read the event log.
// Events appear once the service emits them; until then the log's empty
// shape and its refusals are what can be checked from outside.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { startServer, Client, ADMIN } from './harness.mjs';

let server;
let admin;
const API = '/api/v1';

function cli(input, ...argv) {
  return execFileSync(server.bin, [...argv, '--db', server.db], { input, encoding: 'utf8' });
}

async function signedIn(email, password) {
  const c = new Client(server.url);
  const r = await c.login(email, password);
  assert.equal(r.status, 200, r.text);
  return c;
}

// A caller at another host: fetch() will not send a Host of our choosing.
function atHost(host) {
  const caller = {
    cookie: null,
    csrf: null,
    request(method, path, body) {
      const headers = { Host: host };
      if (caller.cookie) headers.Cookie = caller.cookie;
      if (caller.csrf && method !== 'GET') headers['X-CSRF-Token'] = caller.csrf;
      const payload = body === undefined ? undefined : JSON.stringify(body);
      if (payload) headers['Content-Type'] = 'application/json';
      return new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
          let text = '';
          res.on('data', (d) => { text += d; });
          res.on('end', () => {
            let json = null;
            try { json = JSON.parse(text); } catch { /* not JSON */ }
            resolve({ status: res.statusCode, headers: res.headers, json, text });
          });
        });
        req.on('error', reject);
        req.end(payload);
      });
    },
    get(path) { return caller.request('GET', path); },
    del(path) { return caller.request('DELETE', path); },
    post(path, body) { return caller.request('POST', path, body); },
    patch(path, body) { return caller.request('PATCH', path, body); },
    async login(email, password) {
      const r = await caller.post(`${API}/auth/login`, { email, password });
      assert.equal(r.status, 200, r.text);
      caller.cookie = /creditd_session=[0-9a-f]+/.exec(r.headers['set-cookie'][0])[0];
      caller.csrf = r.json.csrf_token;
    },
  };
  return caller;
}

async function endpoints() {
  const r = await admin.get(`${API}/webhook-endpoints`);
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

async function create(body, opts) {
  return admin.post(`${API}/webhook-endpoints`, body, opts);
}

before(async () => {
  server = await startServer();
  admin = await signedIn(ADMIN.email, ADMIN.password);
});
after(async () => { await server.stop(); });

test('create shows the secret once; reads never show it', async () => {
  const r = await create({
    url: 'https://hooks.example.com/creditd', events: ['order.completed', 'order.created', 'order.created'],
    description: 'ERP sync',
  });
  assert.equal(r.status, 201, r.text);
  const w = r.json;
  assert.match(w.id, /^whe_\d+$/);
  assert.match(w.secret, /^whsec_[0-9a-f]{64}$/);
  assert.equal(w.url, 'https://hooks.example.com/creditd');
  assert.deepEqual(w.events, ['order.created', 'order.completed']); // duplicates dropped, list order
  assert.equal(w.description, 'ERP sync');
  assert.equal(w.disabled, false);
  assert.equal(w.disabled_reason, null);
  assert.ok(w.created_at && w.updated_at);
  const one = await admin.get(`${API}/webhook-endpoints/${w.id}`);
  assert.equal(one.status, 200, one.text);
  assert.equal(one.json.secret, undefined);
  assert.ok(!one.text.includes(w.secret));
  const { secret, ...shown } = w;
  assert.deepEqual(one.json, shown);
  const list = await admin.get(`${API}/webhook-endpoints`);
  assert.ok(list.json.items.some((e) => e.id === w.id));
  assert.ok(list.json.items.every((e) => e.secret === undefined));
  assert.ok(!list.text.includes(secret));
});

test('events "*" stands for every type and alone', async () => {
  const r = await create({ url: 'http://hooks.example.com:8080/all?x=1', events: ['*'] });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.events, ['*']);
  assert.equal(r.json.description, '');
  const mixed = await create({ url: 'https://hooks.example.com/', events: ['*', 'order.created'] });
  assert.equal(mixed.status, 422, mixed.text);
  assert.equal(mixed.json.field, 'events');
});

test('bad input names its field and creates nothing', async () => {
  const before = (await endpoints()).length;
  const cases = [
    [{ events: ['*'] }, 'url'],
    [{ url: '', events: ['*'] }, 'url'],
    [{ url: 'ftp://hooks.example.com/', events: ['*'] }, 'url'],
    [{ url: 'hooks.example.com/x', events: ['*'] }, 'url'],
    [{ url: 'https://', events: ['*'] }, 'url'],
    [{ url: 'https://user:pw@hooks.example.com/', events: ['*'] }, 'url'],
    [{ url: 'https://hooks.example.com:99999/', events: ['*'] }, 'url'],
    [{ url: 'https://hooks example.com/', events: ['*'] }, 'url'],
    [{ url: `https://hooks.example.com/${'a'.repeat(2100)}`, events: ['*'] }, 'url'],
    [{ url: 42, events: ['*'] }, 'url'],
    [{ url: 'https://hooks.example.com/' }, 'events'],
    [{ url: 'https://hooks.example.com/', events: [] }, 'events'],
    [{ url: 'https://hooks.example.com/', events: 'order.created' }, 'events'],
    [{ url: 'https://hooks.example.com/', events: [1] }, 'events'],
    [{ url: 'https://hooks.example.com/', events: ['order.created', 'order.shipped'] }, 'events'],
    [{ url: 'https://hooks.example.com/', events: ['*'], description: 'x'.repeat(2001) }, 'description'],
    [{ url: 'https://hooks.example.com/', events: ['*'], secret: 'whsec_mine' }, 'secret'],
  ];
  for (const [body, field] of cases) {
    const r = await create(body);
    assert.equal(r.status, 422, `${JSON.stringify(body).slice(0, 80)}: ${r.text}`);
    assert.equal(r.json.code, 'validation_failed');
    assert.ok(r.json.errors.some((e) => e.field === field), `${field}: ${r.text}`);
  }
  const unknown = await create({ url: 'https://hooks.example.com/', events: ['order.shipped'] });
  assert.match(unknown.json.errors[0].message, /order\.shipped/);
  const notJson = await admin.request('POST', `${API}/webhook-endpoints`, {
    raw: 'url=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(notJson.status, 415);
  assert.equal((await endpoints()).length, before);
});

test('an address webhooks may not reach is refused by its class', async () => {
  const before = (await endpoints()).length;
  const cases = [
    ['http://127.0.0.1:9000/hook', 'loopback'],
    ['http://2130706433/hook', 'loopback'], // 127.0.0.1 as libcurl reads it
    ['http://[::1]/hook', 'loopback'],
    ['http://10.1.2.3/hook', 'private'],
    ['https://192.168.1.20/hook', 'private'],
    ['http://169.254.169.254/latest/meta-data', 'link-local'],
    ['http://[fe80::1]/hook', 'link-local'],
    ['http://0.0.0.0/hook', 'unspecified'],
    ['http://[::ffff:169.254.169.254]/hook', 'link-local'],
    ['http://224.0.0.1/hook', 'multicast'],
  ];
  for (const [url, kind] of cases) {
    const r = await create({ url, events: ['*'] });
    assert.equal(r.status, 422, `${url}: ${r.text}`);
    assert.equal(r.json.field, 'url');
    assert.ok(r.json.detail.includes(`a ${kind} address`), `${url}: ${r.json.detail}`);
  }
  const zone = await create({ url: 'http://[fe80::1%25eth0]/hook', events: ['*'] });
  assert.equal(zone.status, 422, zone.text);
  assert.equal((await endpoints()).length, before);
  // A public address and a host name pass; names are judged at each delivery.
  assert.equal((await create({ url: 'https://93.184.215.14/hook', events: ['*'] })).status, 201);
  assert.equal((await create({ url: 'https://localhost.example/hook', events: ['*'] })).status, 201);
});

test('--webhook-allow-private admits loopback and private addresses, never link-local', async () => {
  const other = await startServer({ args: ['--webhook-allow-private'] });
  try {
    const a = new Client(other.url);
    await a.login(ADMIN.email, ADMIN.password);
    for (const url of ['http://127.0.0.1:9000/hook', 'http://10.0.0.5/hook', 'http://[::1]:8080/']) {
      const r = await a.post(`${API}/webhook-endpoints`, { url, events: ['*'] });
      assert.equal(r.status, 201, `${url}: ${r.text}`);
    }
    const meta = await a.post(`${API}/webhook-endpoints`, { url: 'http://169.254.169.254/', events: ['*'] });
    assert.equal(meta.status, 422, meta.text);
    assert.match(meta.json.detail, /link-local/);
    assert.doesNotMatch(meta.json.detail, /--webhook-allow-private/);
  } finally {
    await other.stop();
  }
});

test('PATCH changes what it is sent; disabling and enabling', async () => {
  const w = (await create({ url: 'https://hooks.example.com/a', events: ['invoice.paid'], description: 'A' })).json;
  const path = `${API}/webhook-endpoints/${w.id}`;
  const moved = await admin.patch(path, { url: 'https://hooks.example.com/b', events: ['credits.added', 'invoice.paid'] });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.json.url, 'https://hooks.example.com/b');
  assert.deepEqual(moved.json.events, ['invoice.paid', 'credits.added']);
  assert.equal(moved.json.description, 'A');
  assert.equal(moved.json.secret, undefined);
  const off = await admin.patch(path, { disabled: true });
  assert.equal(off.status, 200, off.text);
  assert.equal(off.json.disabled, true);
  assert.match(off.json.disabled_reason, /admin@test\.example/);
  const on = await admin.patch(path, { disabled: false, description: '' });
  assert.equal(on.status, 200, on.text);
  assert.equal(on.json.disabled, false);
  assert.equal(on.json.disabled_reason, null);
  assert.equal(on.json.failing_since, null);
  assert.equal(on.json.description, '');
  // Refused changes change nothing, not even the fields that were fine.
  for (const [body, field] of [
    [{ url: 'http://127.0.0.1/', description: 'changed' }, 'url'],
    [{ events: [], description: 'changed' }, 'events'],
    [{ disabled: 'yes', description: 'changed' }, 'disabled'],
    [{ secret: 'whsec_x' }, 'secret'],
  ]) {
    const r = await admin.patch(path, body);
    assert.equal(r.status, 422, r.text);
    assert.ok(r.json.errors.some((e) => e.field === field), r.text);
  }
  const now = await admin.get(path);
  assert.equal(now.json.description, '');
  assert.equal(now.json.url, 'https://hooks.example.com/b');
  assert.equal(now.json.updated_at, on.json.updated_at);
  assert.equal((await admin.patch(`${API}/webhook-endpoints/whe_999999`, { disabled: true })).status, 404);
});

test('rotate-secret gives a new secret, shown in its answer only', async () => {
  const w = (await create({ url: 'https://hooks.example.com/r', events: ['*'] })).json;
  const r = await admin.post(`${API}/webhook-endpoints/${w.id}/rotate-secret`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.json.secret, /^whsec_[0-9a-f]{64}$/);
  assert.notEqual(r.json.secret, w.secret);
  assert.equal(r.json.id, w.id);
  const after = await admin.get(`${API}/webhook-endpoints/${w.id}`);
  assert.equal(after.json.secret, undefined);
  assert.ok(!after.text.includes(r.json.secret));
  assert.equal((await admin.post(`${API}/webhook-endpoints/whe_999999/rotate-secret`)).status, 404);
});

test('Idempotency-Key: a repeated create or rotate answers the first answer', async () => {
  const before = (await endpoints()).length;
  const body = { url: 'https://hooks.example.com/idem', events: ['order.created'] };
  const headers = { 'Idempotency-Key': 'wh-create-1' };
  const a = await create(body, { headers });
  const b = await create(body, { headers });
  assert.equal(a.status, 201, a.text);
  assert.equal(b.status, 201, b.text);
  assert.equal(b.headers.get('idempotent-replayed'), 'true');
  assert.equal(b.json.id, a.json.id);
  assert.equal(b.json.secret, a.json.secret);
  assert.equal((await endpoints()).length, before + 1);
  const other = await create({ ...body, description: 'other' }, { headers });
  assert.equal(other.status, 409);
  assert.equal(other.json.code, 'idempotency_conflict');
  const rot = { headers: { 'Idempotency-Key': 'wh-rotate-1' } };
  const r1 = await admin.post(`${API}/webhook-endpoints/${a.json.id}/rotate-secret`, undefined, rot);
  const r2 = await admin.post(`${API}/webhook-endpoints/${a.json.id}/rotate-secret`, undefined, rot);
  assert.equal(r1.status, 200, r1.text);
  assert.equal(r2.json.secret, r1.json.secret);
});

test('DELETE removes the endpoint; then it is gone everywhere', async () => {
  const w = (await create({ url: 'https://hooks.example.com/d', events: ['*'] })).json;
  const path = `${API}/webhook-endpoints/${w.id}`;
  const r = await admin.del(path);
  assert.equal(r.status, 204, r.text);
  assert.equal(r.text, '');
  assert.equal((await admin.get(path)).status, 404);
  assert.equal((await admin.get(`${path}/deliveries`)).status, 404);
  assert.equal((await admin.del(path)).status, 404);
  assert.equal((await admin.patch(path, { disabled: true })).status, 404);
  assert.ok((await endpoints()).every((e) => e.id !== w.id));
});

test('the delivery log of a new endpoint is an empty page', async () => {
  const w = (await create({ url: 'https://hooks.example.com/log', events: ['*'] })).json;
  const r = await admin.get(`${API}/webhook-endpoints/${w.id}/deliveries?limit=10`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { items: [], next_cursor: null });
  const bad = await admin.get(`${API}/webhook-endpoints/${w.id}/deliveries?limit=0&cursor=evt_1`);
  assert.equal(bad.status, 422, bad.text);
  assert.deepEqual(bad.json.errors.map((e) => e.field).sort(), ['cursor', 'limit']);
  assert.equal((await admin.get(`${API}/webhook-endpoints/whe_999999/deliveries`)).status, 404);
  assert.equal((await admin.post(`${API}/deliveries/dlv_999999/resend`)).status, 404);
  assert.equal((await admin.post(`${API}/deliveries/whe_1/resend`)).status, 404);
});

test('the event log: newest first, pages, filter by type, unknown ids 404', async () => {
  const r = await admin.get(`${API}/events?limit=2`);
  assert.equal(r.status, 200, r.text);
  assert.ok(Array.isArray(r.json.items));
  assert.ok('next_cursor' in r.json);
  for (const e of r.json.items) {
    assert.match(e.id, /^evt_\d+$/);
    assert.ok(e.type && e.created_at && 'data' in e && 'attrs' in e && 'customer_id' in e);
  }
  const ids = r.json.items.map((e) => Number(e.id.slice(4)));
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
  if (r.json.next_cursor) {
    const next = await admin.get(`${API}/events?limit=2&cursor=${r.json.next_cursor}`);
    assert.equal(next.status, 200, next.text);
    assert.ok(next.json.items.every((e) => Number(e.id.slice(4)) < ids[ids.length - 1]));
  }
  if (r.json.items.length) {
    const one = await admin.get(`${API}/events/${r.json.items[0].id}`);
    assert.equal(one.status, 200, one.text);
    assert.ok(Array.isArray(one.json.deliveries));
  }
  const typed = await admin.get(`${API}/events?type=invoice.paid`);
  assert.equal(typed.status, 200, typed.text);
  assert.ok(typed.json.items.every((e) => e.type === 'invoice.paid'));
  const bad = await admin.get(`${API}/events?type=invoice.lost&limit=500&cursor=x`);
  assert.equal(bad.status, 422, bad.text);
  const unknownType = await admin.get(`${API}/events?type=invoice.lost`);
  assert.equal(unknownType.status, 422);
  assert.equal(unknownType.json.field, 'type');
  assert.equal((await admin.get(`${API}/events/evt_999999`)).status, 404);
  assert.equal((await admin.get(`${API}/events/cus_1`)).status, 404);
});

test('only admins manage endpoints; staff read the event log; members and other tenants are refused', async () => {
  const w = (await create({ url: 'https://hooks.example.com/auth', events: ['*'] })).json;
  cli('staff-password-1\n', 'user', 'add', '--email', 'staff@test.example', '--role', 'staff', '--password-stdin');
  const cus = (await admin.post(`${API}/customers`, { name: 'Hook Shop' })).json.id;
  const m = await admin.post(`${API}/customers/${cus}/members`, {
    email: 'owner@hookshop.example', password: 'owner-password-1', role: 'owner',
  });
  assert.equal(m.status, 201, m.text);
  // With a second tenant, each serves only its own hosts.
  server.cli('tenant', 'add-host', 'ten_1', '127.0.0.1');
  const tenant = server.cli('tenant', 'add', 'Other shop', '--host', 'other.example').trim();
  cli('other-password-1\n', 'user', 'add', '--tenant', tenant, '--email', 'boss@other.example', '--role', 'admin', '--password-stdin');
  const staff = await signedIn('staff@test.example', 'staff-password-1');
  const owner = await signedIn('owner@hookshop.example', 'owner-password-1');
  const boss = atHost('other.example');
  await boss.login('boss@other.example', 'other-password-1');
  const anon = new Client(server.url);
  const path = `${API}/webhook-endpoints/${w.id}`;
  const writes = [
    ['POST', `${API}/webhook-endpoints`, { url: 'https://hooks.example.com/x', events: ['*'] }],
    ['PATCH', path, { disabled: true }],
    ['POST', `${path}/rotate-secret`, undefined],
    ['DELETE', path, undefined],
  ];
  const reads = [`${API}/webhook-endpoints`, path, `${path}/deliveries`];
  for (const [who, c, status] of [['staff', staff, 403], ['owner', owner, 403], ['anonymous', anon, 401]]) {
    for (const [method, p, body] of writes) {
      const r = await c.request(method, p, { body });
      assert.equal(r.status, status, `${method} ${p} as ${who}: ${r.text}`);
    }
    for (const p of reads) assert.equal((await c.get(p)).status, status, `GET ${p} as ${who}`);
    assert.equal((await c.post(`${API}/deliveries/dlv_1/resend`)).status, status, `resend as ${who}`);
  }
  assert.equal((await staff.get(`${API}/events`)).status, 200);
  assert.equal((await staff.get(`${API}/events/evt_999999`)).status, 404);
  assert.equal((await owner.get(`${API}/events`)).status, 403);
  assert.equal((await owner.get(`${API}/events/evt_1`)).status, 403);
  // Another tenant's admin sees none of it: 404, and an empty list.
  assert.equal((await boss.get(path)).status, 404);
  assert.equal((await boss.get(`${path}/deliveries`)).status, 404);
  assert.equal((await boss.patch(path, { disabled: true })).status, 404);
  assert.equal((await boss.post(`${path}/rotate-secret`)).status, 404);
  assert.equal((await boss.del(path)).status, 404);
  assert.deepEqual((await boss.get(`${API}/webhook-endpoints`)).json.items, []);
  assert.deepEqual((await boss.get(`${API}/events`)).json.items, []);
  // Nothing of that changed the endpoint.
  const still = await admin.get(path);
  assert.equal(still.status, 200);
  assert.equal(still.json.disabled, false);
  assert.equal(still.json.updated_at, w.updated_at);
});
