// Requests that try to slip past the parser (issue 12, item 8): a
// percent-encoded NUL in a path id does not cut the id short and match its
// prefix; ordinary escapes in paths and queries still decode; a header
// that must come once (Idempotency-Key, Host, Authorization) sent twice is
// refused; amounts take the documented form; an order of add-ons alone is
// an order, as the docs now say; a chunked upload past the limit gets its 413;
// slow clients (headers or a body sent a byte at a time, from several
// addresses) are cut off and cannot take every connection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import net from 'node:net';
import { startServer, Client, ADMIN } from './harness.mjs';

let server;
let admin;
let id;

before(async () => {
  server = await startServer();
  admin = new Client(server.url);
  await admin.login(ADMIN.email, ADMIN.password);
  const c = await admin.post('/api/v1/customers', { name: 'Müller KFZ' });
  assert.equal(c.status, 201, c.text);
  id = c.json.id;
});
after(async () => { await server.stop(); });

test('a percent-encoded NUL in a path id is not found, not its prefix', async () => {
  assert.equal((await admin.get(`/api/v1/customers/${id}`)).status, 200);
  for (const path of [`/api/v1/customers/${id}%00xyz`, `/api/v1/customers/${id}%00`, `/api/v1/customers/${id}%2500`]) {
    const r = await admin.get(path);
    assert.equal(r.status, 404, `${path}: ${r.text}`);
    assert.equal(r.json.code, 'not_found');
  }
});

test('escapes still decode in paths and queries', async () => {
  const escaped = id.replace('_', '%5F');
  assert.equal((await admin.get(`/api/v1/customers/${escaped}`)).status, 200);
  const found = await admin.get('/api/v1/customers?q=M%C3%BCller');
  assert.equal(found.status, 200, found.text);
  assert.ok(found.json.items.some((c) => c.id === id));
});

// One raw HTTP/1.1 request with the given header lines; the status line back.
function raw(lines) {
  return new Promise((resolve, reject) => {
    const url = new URL(server.url);
    const sock = net.connect(Number(url.port), url.hostname, () => {
      sock.write(`GET /api/v1/me HTTP/1.1\r\n${lines.join('\r\n')}\r\nConnection: close\r\n\r\n`);
    });
    let got = '';
    sock.on('data', (d) => { got += d; });
    sock.on('end', () => resolve(got));
    sock.on('error', reject);
  });
}

test('Idempotency-Key, Host and Authorization sent twice are refused with 400', async () => {
  const key = server.cli('apikey', 'create', '--role', 'admin').trim();
  const once = await raw(['Host: localhost', `Authorization: Bearer ${key}`]);
  assert.match(once, /^HTTP\/1\.1 200 /);
  for (const [name, lines] of [
    ['Host', ['Host: localhost', 'Host: other.example', `Authorization: Bearer ${key}`]],
    ['Authorization', ['Host: localhost', `Authorization: Bearer ${key}`, 'Authorization: Bearer cd_other']],
    ['Idempotency-Key', ['Host: localhost', `Authorization: Bearer ${key}`, 'Idempotency-Key: a', 'Idempotency-Key: b']],
  ]) {
    const r = await raw(lines);
    assert.match(r, /^HTTP\/1\.1 400 /, `${name} twice: ${r.slice(0, 200)}`);
    assert.match(r, new RegExp(`the ${name} header may come only once`));
  }
});

test('amounts take the documented form: no plus sign, no leading zeros; integers are whole units', async () => {
  for (const credits of ['+5', '007', '05', '+0']) {
    const r = await admin.post(`/api/v1/customers/${id}/lots`, { credit_type: 'master', credits });
    assert.equal(r.status, 422, `${credits}: ${r.text}`);
    assert.equal(r.json.errors[0].field, 'credits');
  }
  const lots = await admin.get(`/api/v1/customers/${id}/lots`);
  assert.equal(lots.json.items.length, 0, 'nothing was added');
  const whole = await admin.post(`/api/v1/customers/${id}/lots`, { credit_type: 'master', credits: 7 });
  assert.equal(whole.status, 201, whole.text);
  assert.equal(whole.json.remaining, '7');
  const zero = await admin.post(`/api/v1/customers/${id}/adjustments`, { credit_type: 'master', amount: '-0.5', reason: 'correction', justification: 'x' });
  assert.equal(zero.status, 422, 'more decimals than the scale');
});

test('an order holds at most one base service; add-ons alone are an order, as docs/api.md says', async () => {
  const base1 = (await admin.post('/api/v1/services', { name: 'Stage 1', kind: 'base', costs: { master: '3' } })).json.id;
  const base2 = (await admin.post('/api/v1/services', { name: 'Stage 2', kind: 'base', costs: { master: '5' } })).json.id;
  const dpf = (await admin.post('/api/v1/services', { name: 'DPF off', kind: 'addon', costs: { master: '2' } })).json.id;
  assert.equal((await admin.post(`/api/v1/customers/${id}/lots`, { credit_type: 'master', credits: '20' })).status, 201);
  const two = await admin.post('/api/v1/orders', { customer_id: id, credit_type: 'master', services: [base1, base2] });
  assert.equal(two.status, 422, two.text);
  assert.equal(two.json.errors[0].field, 'services');
  const alone = await admin.post('/api/v1/orders', { customer_id: id, credit_type: 'master', services: [dpf] });
  assert.equal(alone.status, 201, alone.text);
  assert.equal(alone.json.total, '2');
});

test('a chunked upload past the limit is answered 413, and nothing of it stays', async () => {
  const small = await startServer({ args: ['--upload-max-mb', '1'] });
  try {
    const key = small.cli('apikey', 'create', '--role', 'admin').trim();
    const c = await new Client(small.url, {}).request('POST', '/api/v1/customers', { body: { name: 'Big file' }, headers: { Authorization: `Bearer ${key}` } });
    const boundary = 'hardeningBoundary';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const url = new URL(`${small.url}/api/v1/files?customer_id=${c.json.id}`);
    const answer = await new Promise((resolve, reject) => {
      // No Content-Length: node sends the body chunked.
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': `multipart/form-data; boundary=${boundary}` } }, (res) => {
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode, text }));
      });
      req.on('error', reject);
      req.write(head);
      for (let i = 0; i < 40; i++) req.write(Buffer.alloc(64 * 1024, i)); // 2.5 MiB
      req.end(tail);
    });
    assert.equal(answer.status, 413, answer.text);
    assert.equal(JSON.parse(answer.text).code, 'too_large');
    // The part received before the limit was dropped: no temporary file left.
    assert.deepEqual(readdirSync(join(small.filesDir, 'tmp')), []);
  } finally {
    await small.stop();
  }
});

// A connection that sends its request a byte now and then ("slowloris").
// Resolves with how long the server kept it open.
function trickle(port, { localAddress = '127.0.0.1', head, every = 1000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    let timer = null;
    let sent = 0;
    const text = head || 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ' + 'a'.repeat(200);
    s.on('connect', () => {
      s.write(text.slice(0, 20));
      sent = 20;
      timer = setInterval(() => { if (sent < text.length && !s.destroyed) s.write(text[sent++]); }, every);
    });
    s.on('data', () => {});
    s.on('error', () => {});
    s.on('close', () => { clearInterval(timer); resolve({ s, open_ms: Date.now() - started }); });
    s.on('timeout', reject);
    s.hold = () => s;
    // The test ends it if the server does not.
    setTimeout(() => s.destroy(), 40_000);
  });
}

test('a request\'s headers must come within 10 s: a trickling client is cut off', async () => {
  const port = new URL(server.url).port;
  const slow = trickle(port);
  // Meanwhile everyone else is served.
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal((await admin.get('/healthz')).status, 200);
  const { open_ms } = await slow;
  assert.ok(open_ms >= 9_000 && open_ms < 15_000, `the trickling connection lived ${open_ms} ms`);
});

test('a body that trickles (100 bytes a second) is cut off', async () => {
  const port = new URL(server.url).port;
  const body = JSON.stringify({ name: 'x'.repeat(40000) });
  const head = `POST /api/v1/customers HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  const started = Date.now();
  const closed = await new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => {
      s.write(head);
      let i = 0;
      const timer = setInterval(() => { if (!s.destroyed) s.write(body.slice(i, i + 100)); i += 100; }, 1000);
      s.on('close', () => { clearInterval(timer); resolve(Date.now() - started); });
    });
    s.on('data', () => {});
    s.on('error', () => {});
    setTimeout(() => s.destroy(), 40_000);
  });
  assert.ok(closed >= 9_000 && closed < 25_000, `the trickling body's connection lived ${closed} ms`);
});

test('slow clients from six addresses do not take every connection', async () => {
  const port = new URL(server.url).port;
  // 128 connections from each of six loopback addresses, all trickling.
  const held = [];
  for (let a = 2; a <= 7; a++)
    for (let i = 0; i < 128; i++) held.push(trickle(port, { localAddress: `127.0.0.${a}`, every: 2000 }));
  await new Promise((r) => setTimeout(r, 2000));
  // The 129th from one address is refused at once; a client from elsewhere
  // is served while they trickle.
  const extra = await trickle(port, { localAddress: '127.0.0.2' });
  assert.ok(extra.open_ms < 2000, `the 129th connection of one address lived ${extra.open_ms} ms`);
  const t0 = Date.now();
  assert.equal((await admin.get('/healthz')).status, 200);
  assert.ok(Date.now() - t0 < 2000);
  const lives = (await Promise.all(held)).map((h) => h.open_ms);
  assert.ok(Math.max(...lives) < 15_000, `the longest trickle lived ${Math.max(...lives)} ms`);
});
