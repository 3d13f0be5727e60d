// Files on orders through the API (issue 4): uploading an original before
// the order and on an open order, the duplicate warning (quote, 409 without
// confirm_duplicate, charged with it), delivery that completes the order and
// captures a hold, downloads (exact headers, byte-identical, another
// customer's is 404), purges (409 while the order is open, 410 afterwards),
// retention through `creditd files purge`, staff rejection with a reason,
// and bad uploads: empty, over the limit, cut off mid-stream, the wrong type,
// a closed order, another customer's order, a full disk. After every refusal
// the database has no new row and the files directory no new file, not even
// in tmp/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import net from 'node:net';
import { startServer, Client, ADMIN } from './harness.mjs';

let server;
let admin;
let stage1;

const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const bytes = (n, seed = 1) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 9)) & 255));

// The database, read directly: rows that must (not) exist.
function sql(srv, query) {
  if (srv.db.startsWith('sqlite:'))
    return execFileSync('sqlite3', [srv.db.slice(7), query], { encoding: 'utf8' }).trim();
  return execFileSync('psql', ['-qAt', srv.db, '-c', query], { encoding: 'utf8' }).trim();
}
const fileRows = (srv) => Number(sql(srv, 'SELECT COUNT(*) FROM files'));

// Stored contents (every file but tmp/) and unfinished uploads (tmp/).
function stored(srv) {
  if (!existsSync(srv.filesDir)) return [];
  return readdirSync(srv.filesDir).filter((d) => d !== 'tmp')
    .flatMap((d) => readdirSync(join(srv.filesDir, d)).map((f) => `${d}/${f}`));
}
const tmpFiles = (srv) => readdirSync(join(srv.filesDir, 'tmp'));

// Polls for up to 60 s: the server finishes an aborted or refused upload
// (deleting its temporary file) after the answer, and a loaded machine is slow
// (one CI run took over 15 s once, a quiet one takes milliseconds).
async function waitFor(cond, what) {
  for (let i = 0; i < 3000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

let shopNo = 0;
// A customer with an owner who is signed in, and credits.
async function shop(credits = '50') {
  const n = ++shopNo;
  const c = await admin.post('/api/v1/customers', { name: `Shop ${n}`, email: `shop${n}@files.example` });
  assert.equal(c.status, 201, c.text);
  const email = `owner${n}@files.example`;
  const m = await admin.post(`/api/v1/customers/${c.json.id}/members`, { email, password: 'owner-password-1', role: 'owner' });
  assert.equal(m.status, 201, m.text);
  if (credits !== '0') {
    const l = await admin.post(`/api/v1/customers/${c.json.id}/lots`, { credit_type: 'master', credits });
    assert.equal(l.status, 201, l.text);
  }
  const owner = new Client(server.url);
  assert.equal((await owner.login(email, 'owner-password-1')).status, 200);
  return { id: c.json.id, owner };
}

async function balance(customerId) {
  const r = await admin.get(`/api/v1/customers/${customerId}`);
  return r.json.balances.master;
}

async function order(client, body) {
  const r = await client.post('/api/v1/orders', { credit_type: 'master', services: [stage1], vehicle: { make: 'VW', model: 'Golf 7' }, ...body });
  return r;
}

// A multipart body with one `file` part, by hand.
function multipart(data, { name = 'raw.bin', boundary = 'creditdBoundary7' } = {}) {
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n`
    + 'Content-Type: application/octet-stream\r\n\r\n');
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { boundary, head, tail, body: Buffer.concat([head, data, tail]) };
}

before(async () => {
  server = await startServer();
  admin = new Client(server.url);
  await admin.login(ADMIN.email, ADMIN.password);
  stage1 = (await admin.post('/api/v1/services', {
    name: 'Stage 1', kind: 'base', category: 'tuning', costs: { master: '6' },
  })).json.id;
});
after(async () => { await server.stop(); });

test('an original uploaded before the order: its fields, then on the order with an entry in its history', async () => {
  const { id, owner } = await shop();
  const data = bytes(100000);
  const up = await owner.upload('/api/v1/files', data, { name: 'EDC17C50 read.bin' });
  assert.equal(up.status, 201, up.text);
  const f = up.json.file;
  assert.match(f.id, /^fil_\d+$/);
  assert.deepEqual({ ...f, id: undefined, uploaded_at: undefined }, {
    id: undefined, role: 'original', name: 'EDC17C50 read.bin', size: 100000, sha256: sha256(data),
    order_id: null, uploaded_at: undefined, uploaded_by: `owner${shopNo}@files.example`, purged_at: null,
  });
  assert.match(f.uploaded_at, /^\d{4}-\d\d-\d\dT/);
  assert.equal(up.json.duplicate_of, null);
  assert.ok(stored(server).some((s) => s.startsWith(`${f.sha256.slice(0, 2)}/${f.sha256}.`)));
  const q = await owner.post('/api/v1/quotes', { credit_type: 'master', services: [stage1], file_id: f.id });
  assert.equal(q.status, 200, q.text);
  assert.equal(q.json.duplicate_of, null);
  const o = await order(owner, { file_id: f.id });
  assert.equal(o.status, 201, o.text);
  assert.equal(o.json.file_id, f.id);
  const got = await owner.get(`/api/v1/orders/${o.json.id}`);
  assert.equal(got.json.files.length, 1);
  assert.equal(got.json.files[0].id, f.id);
  assert.equal(got.json.files[0].order_id, o.json.id);
  const entry = got.json.history.find((h) => h.event === 'file_attached');
  assert.ok(entry, JSON.stringify(got.json.history));
  assert.equal(entry.detail, `original 'EDC17C50 read.bin' 100000 bytes sha256 ${sha256(data)}`);
  assert.equal(entry.actor, `owner${shopNo}@files.example`);
  assert.equal(entry.from, 'submitted');
  assert.equal(entry.to, 'submitted');
  assert.equal(got.json.history[0].event, 'status');
  assert.equal((await balance(id)).balance, '44');
  // Staff upload for a customer, who must be named.
  const staff = await admin.upload(`/api/v1/files?customer_id=${id}`, bytes(10, 2));
  assert.equal(staff.status, 201, staff.text);
  assert.equal(staff.json.file.uploaded_by, ADMIN.email);
  const unnamed = await admin.upload('/api/v1/files', bytes(10, 2));
  assert.equal(unnamed.status, 422);
  assert.equal(unnamed.json.field, 'customer_id');
});

// Sends a multipart body by hand (the part header written as given), with
// Expect: 100-continue when asked; says whether "100 Continue" came.
function rawUpload(srv, client, path, data, { name = 'raw.bin', expect = false } = {}) {
  const { boundary, body } = multipart(data, { name });
  return new Promise((resolve, reject) => {
    let continued = false;
    const headers = {
      Cookie: client.cookie, 'X-CSRF-Token': client.csrf,
      'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': body.length,
    };
    if (expect) headers.Expect = '100-continue';
    const req = http.request({ host: '127.0.0.1', port: srv.port, method: 'POST', path, headers }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        req.destroy();
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, text, json, continued });
      });
    });
    req.on('continue', () => { continued = true; req.end(body); });
    req.on('error', reject);
    if (expect) req.flushHeaders();
    else req.end(body);
  });
}

test('a file name is stored sanitized', async () => {
  const { owner } = await shop('0');
  const up = await rawUpload(server, owner, '/api/v1/files', bytes(5),
    { name: "..\\..\\C:\\tmp\\ev'il;\x01name.bin" });
  assert.equal(up.status, 201, up.text);
  assert.equal(up.json.file.name, 'evilname.bin');
});

test('bad uploads are refused and leave no row and no file', async () => {
  const { owner } = await shop('0');
  const rows = fileRows(server);
  const files = stored(server).length;
  const empty = await owner.upload('/api/v1/files', Buffer.alloc(0));
  assert.equal(empty.status, 422, empty.text);
  assert.equal(empty.json.field, 'file');
  assert.equal(empty.json.detail, 'the file is empty');
  const json = await owner.post('/api/v1/files', { file: 'not a file' });
  assert.equal(json.status, 415);
  assert.equal(json.json.code, 'unsupported_media_type');
  const form = new FormData();
  form.append('file', new Blob([bytes(10)]), 'a.bin');
  form.append('note', 'extra');
  const extra = await owner.request('POST', '/api/v1/files', { form });
  assert.equal(extra.status, 422);
  assert.equal(extra.json.field, 'file');
  const two = new FormData();
  two.append('file', new Blob([bytes(10)]), 'a.bin');
  two.append('file', new Blob([bytes(10)]), 'b.bin');
  assert.equal((await owner.request('POST', '/api/v1/files', { form: two })).status, 422);
  const none = new FormData();
  none.append('other', new Blob([bytes(10)]), 'a.bin');
  assert.equal((await owner.request('POST', '/api/v1/files', { form: none })).status, 422);
  // A multipart body that stops before its closing boundary.
  const { boundary, head } = multipart(bytes(10));
  const cut = await owner.request('POST', '/api/v1/files', {
    raw: Buffer.concat([head, bytes(10)]),
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
  });
  assert.equal(cut.status, 422, cut.text);
  assert.equal(cut.json.field, 'file');
  assert.equal(fileRows(server), rows);
  assert.equal(stored(server).length, files);
  await waitFor(() => tmpFiles(server).length === 0, 'no temporary file');
});

test('an upload cut off mid-stream leaves no row and no temporary file', async () => {
  const { owner } = await shop('0');
  const rows = fileRows(server);
  const files = stored(server).length;
  const { boundary, head, body } = multipart(bytes(300000));
  const sock = net.connect(server.port, '127.0.0.1');
  await new Promise((r) => sock.on('connect', r));
  sock.write(`POST /api/v1/files HTTP/1.1\r\nHost: localhost\r\nCookie: ${owner.cookie}\r\n`
    + `X-CSRF-Token: ${owner.csrf}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n`
    + `Content-Length: ${body.length}\r\n\r\n`);
  sock.write(Buffer.concat([head, bytes(150000)]));
  try {
    await waitFor(() => tmpFiles(server).length === 1, 'the upload to start');
  } finally {
    sock.destroy(); // never left open for the tests after, even when this one fails
  }
  await waitFor(() => tmpFiles(server).length === 0, 'the temporary file to go');
  assert.equal(fileRows(server), rows);
  assert.equal(stored(server).length, files);
});

test('another customer\'s order is 404 before the body is sent, and nothing is stored', async () => {
  const a = await shop();
  const b = await shop();
  const theirs = await order(b.owner, {});
  assert.equal(theirs.status, 201);
  const rows = fileRows(server);
  const files = stored(server).length;
  const fetched = await a.owner.upload(`/api/v1/orders/${theirs.json.id}/files`, bytes(1000));
  assert.equal(fetched.status, 404);
  // With Expect: 100-continue the answer comes instead of "100 Continue":
  // the client never sends its body.
  const answer = await rawUpload(server, a.owner, `/api/v1/orders/${theirs.json.id}/files`,
    bytes(2000000), { expect: true });
  assert.equal(answer.status, 404, answer.text);
  assert.equal(answer.continued, false);
  // Without it, the body is read, dropped, and then answered.
  const streamed = await rawUpload(server, a.owner, `/api/v1/orders/${theirs.json.id}/files`, bytes(500000));
  assert.equal(streamed.status, 404, streamed.text);
  assert.equal(fileRows(server), rows);
  assert.equal(stored(server).length, files);
  await waitFor(() => tmpFiles(server).length === 0, 'no temporary file');
  // Nor can a member download another customer's file or use it on an order.
  const mine = await b.owner.upload('/api/v1/files', bytes(50, 9));
  assert.equal((await a.owner.get(`/api/v1/files/${mine.json.file.id}`)).status, 404);
  assert.equal((await admin.get(`/api/v1/files/${mine.json.file.id}`)).status, 200);
  const use = await order(a.owner, { file_id: mine.json.file.id });
  assert.equal(use.status, 422);
  assert.equal(use.json.field, 'file_id');
});

test('a closed order takes no files, and a customer cannot deliver', async () => {
  const { id, owner } = await shop();
  const o = await order(owner, {});
  assert.equal((await owner.post(`/api/v1/orders/${o.json.id}/cancel`, {})).status, 200);
  const rows = fileRows(server);
  const late = await owner.upload(`/api/v1/orders/${o.json.id}/files`, bytes(10));
  assert.equal(late.status, 409);
  assert.equal(late.json.code, 'invalid_order_state');
  const deliver = await admin.upload(`/api/v1/orders/${o.json.id}/deliver`, bytes(10));
  assert.equal(deliver.status, 409);
  const open = await order(owner, {});
  assert.equal((await owner.upload(`/api/v1/orders/${open.json.id}/deliver`, bytes(10))).status, 403);
  const added = await owner.upload(`/api/v1/orders/${open.json.id}/files`, bytes(10, 4));
  assert.equal(added.status, 201, added.text);
  assert.equal(added.json.file.order_id, open.json.id);
  assert.equal(fileRows(server), rows + 1);
  const got = await owner.get(`/api/v1/orders/${open.json.id}`);
  assert.equal(got.json.history.at(-1).event, 'file_uploaded');
  assert.ok(id);
});

test('the quote warns of a duplicate; the order is 409 without confirm_duplicate and charged with it', async () => {
  const { id, owner } = await shop();
  const data = bytes(4096, 5);
  const first = await owner.upload('/api/v1/files', data);
  const o1 = await order(owner, { file_id: first.json.file.id });
  assert.equal(o1.status, 201);
  const again = await owner.upload('/api/v1/files', data);
  assert.equal(again.json.duplicate_of, o1.json.reference);
  const q = await owner.post('/api/v1/quotes', { credit_type: 'master', services: [stage1], file_id: again.json.file.id });
  assert.equal(q.json.duplicate_of, o1.json.reference);
  const before = await balance(id);
  const refused = await order(owner, { file_id: again.json.file.id });
  assert.equal(refused.status, 409, refused.text);
  assert.equal(refused.json.code, 'duplicate_file');
  assert.equal(refused.json.duplicate_of, o1.json.reference);
  assert.equal(refused.json.field, 'file_id');
  assert.deepEqual(await balance(id), before);
  const confirmed = await order(owner, { file_id: again.json.file.id, confirm_duplicate: true });
  assert.equal(confirmed.status, 201, confirmed.text);
  assert.equal(confirmed.json.duplicate_of, o1.json.reference);
  assert.equal((await balance(id)).balance, String(Number(before.balance) - 6));
  // An upload to an open order says so too, as information.
  const onOrder = await owner.upload(`/api/v1/orders/${confirmed.json.id}/files`, data);
  assert.equal(onOrder.status, 201);
  assert.ok([o1.json.reference].includes(onOrder.json.duplicate_of));
});

test('the life cycle: submitted, in progress, delivered and completed; the customer downloads the delivery', async () => {
  const { id, owner } = await shop();
  const original = bytes(65536, 7);
  const up = await owner.upload('/api/v1/files', original, { name: 'ori.bin' });
  const o = await order(owner, { file_id: up.json.file.id });
  assert.equal(o.status, 201);
  assert.equal((await admin.post(`/api/v1/orders/${o.json.id}/status`, { status: 'in_progress' })).status, 200);
  const tuned = bytes(70001, 8);
  const d = await admin.upload(`/api/v1/orders/${o.json.id}/deliver`, tuned, { name: 'Stage 1 Müller.bin' });
  assert.equal(d.status, 201, d.text);
  assert.equal(d.json.status, 'completed');
  assert.equal(d.json.file.role, 'modified');
  const got = await owner.get(`/api/v1/orders/${o.json.id}`);
  assert.equal(got.json.status, 'completed');
  assert.deepEqual(got.json.files.map((f) => f.role), ['original', 'modified']);
  assert.deepEqual(got.json.history.map((h) => h.event),
    ['status', 'file_attached', 'status', 'file_delivered', 'status']);
  assert.deepEqual(got.json.history.map((h) => h.to),
    ['submitted', 'submitted', 'in_progress', 'in_progress', 'completed']);
  const dl = await owner.get(`/api/v1/files/${d.json.file.id}`);
  assert.equal(dl.status, 200);
  assert.ok(dl.bytes.equals(tuned), 'byte-identical');
  assert.equal(dl.headers.get('content-type'), 'application/octet-stream');
  assert.equal(dl.headers.get('content-disposition'),
    'attachment; filename="Stage 1 M_ller.bin"; filename*=UTF-8\'\'Stage%201%20M%C3%BCller.bin');
  assert.equal(dl.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(dl.headers.get('content-length'), '70001');
  assert.equal(dl.headers.get('etag'), `"${sha256(tuned)}"`);
  assert.equal((await owner.get(`/api/v1/files/${up.json.file.id}`)).bytes.equals(original), true);
  assert.equal((await balance(id)).balance, '44');
  // Delivered: closed to more deliveries.
  assert.equal((await admin.upload(`/api/v1/orders/${o.json.id}/deliver`, tuned)).status, 409);
});

test('charge on delivery: the order holds, delivery captures, cancellation releases', async () => {
  assert.equal((await admin.patch('/api/v1/settings', { charge_on: 'delivery' })).status, 200);
  try {
    const { id, owner } = await shop('20');
    const o = await order(owner, {});
    assert.equal(o.json.hold, true);
    assert.deepEqual(await balance(id), { balance: '20', available: '14', held: '6' });
    const d = await admin.upload(`/api/v1/orders/${o.json.id}/deliver`, bytes(100));
    assert.equal(d.status, 201, d.text);
    assert.deepEqual(await balance(id), { balance: '14', available: '14', held: '0' });
    assert.equal((await owner.get(`/api/v1/orders/${o.json.id}`)).json.charge_mode, 'captured');
    const c = await order(owner, {});
    assert.deepEqual(await balance(id), { balance: '14', available: '8', held: '6' });
    assert.equal((await admin.post(`/api/v1/orders/${c.json.id}/cancel`, { reason: 'ECU not supported' })).status, 200);
    assert.deepEqual(await balance(id), { balance: '14', available: '14', held: '0' });
    assert.equal((await owner.get(`/api/v1/orders/${c.json.id}`)).json.charge_mode, 'released');
  } finally {
    assert.equal((await admin.patch('/api/v1/settings', { charge_on: 'submit' })).status, 200);
  }
});

test('staff reject an order with a reason, which refunds it; without one it is 422', async () => {
  const { id, owner } = await shop('10');
  const o = await order(owner, {});
  assert.equal((await admin.post(`/api/v1/orders/${o.json.id}/status`, { status: 'in_progress' })).status, 200);
  const bare = await admin.post(`/api/v1/orders/${o.json.id}/cancel`, {});
  assert.equal(bare.status, 422);
  assert.equal(bare.json.field, 'reason');
  const blank = await admin.post(`/api/v1/orders/${o.json.id}/cancel`, { reason: '  ' });
  assert.equal(blank.status, 422);
  assert.equal((await balance(id)).balance, '4');
  // The customer may not cancel work in progress.
  assert.equal((await owner.post(`/api/v1/orders/${o.json.id}/cancel`, {})).status, 409);
  const r = await admin.post(`/api/v1/orders/${o.json.id}/cancel`, { reason: 'Read is encrypted' });
  assert.equal(r.status, 200);
  assert.equal((await balance(id)).balance, '10');
  const got = await owner.get(`/api/v1/orders/${o.json.id}`);
  assert.equal(got.json.history.at(-1).reason, 'Read is encrypted');
  assert.equal(got.json.charge_mode, 'refunded');
});

test('a file of an open order cannot be removed; afterwards its contents go and its record stays', async () => {
  const { owner } = await shop();
  const up = await owner.upload('/api/v1/files', bytes(300, 3));
  const o = await order(owner, { file_id: up.json.file.id });
  const open = await admin.del(`/api/v1/files/${up.json.file.id}`);
  assert.equal(open.status, 409);
  assert.equal(open.json.code, 'order_open');
  assert.equal((await owner.del(`/api/v1/files/${up.json.file.id}`)).status, 403);
  assert.equal((await admin.upload(`/api/v1/orders/${o.json.id}/deliver`, bytes(10))).status, 201);
  const files = stored(server).length;
  const gone = await admin.del(`/api/v1/files/${up.json.file.id}`);
  assert.equal(gone.status, 200, gone.text);
  assert.equal(gone.json.sha256, up.json.file.sha256);
  assert.equal(gone.json.size, 300);
  assert.match(gone.json.purged_at, /^\d{4}-/);
  assert.equal(stored(server).length, files - 1);
  const dl = await owner.get(`/api/v1/files/${up.json.file.id}`);
  assert.equal(dl.status, 410);
  assert.equal(dl.json.code, 'file_purged');
  const got = await owner.get(`/api/v1/orders/${o.json.id}`);
  assert.equal(got.json.history.at(-1).event, 'file_purged');
  assert.equal(got.json.files[0].purged_at, gone.json.purged_at);
  assert.equal((await admin.del('/api/v1/files/fil_999999')).status, 404);
});

test('retention: creditd files purge removes contents of orders closed long enough', async () => {
  const r = await admin.patch('/api/v1/settings', { file_retention_days: 30 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.file_retention_days, 30);
  assert.equal((await admin.get('/api/v1/settings')).json.duplicate_window_hours, 24);
  assert.equal((await admin.patch('/api/v1/settings', { file_retention_days: -1 })).status, 422);
  try {
    const { owner } = await shop();
    const up = await owner.upload('/api/v1/files', bytes(77, 11));
    const o = await order(owner, { file_id: up.json.file.id });
    assert.equal((await admin.upload(`/api/v1/orders/${o.json.id}/deliver`, bytes(78, 11))).status, 201);
    const soon = new Date(Date.now() + 29 * 86400e3).toISOString();
    assert.match(server.cli('files', 'purge', '--now', soon), /^purged \d+ files?\n$/);
    assert.equal((await owner.get(`/api/v1/files/${up.json.file.id}`)).status, 200);
    const later = new Date(Date.now() + 31 * 86400e3).toISOString();
    const out = server.cli('files', 'purge', '--now', later);
    assert.match(out, /^purged \d+ files?\n$/);
    assert.ok(Number(/\d+/.exec(out)[0]) >= 2, out);
    assert.equal((await owner.get(`/api/v1/files/${up.json.file.id}`)).status, 410);
    const got = await owner.get(`/api/v1/orders/${o.json.id}`);
    const purges = got.json.history.filter((h) => h.event === 'file_purged');
    assert.equal(purges.length, 2);
    assert.equal(purges[0].actor, 'system');
  } finally {
    assert.equal((await admin.patch('/api/v1/settings', { file_retention_days: 0 })).status, 200);
  }
});

test('an upload with an Idempotency-Key runs once; the key with another file is 409', async () => {
  const { owner } = await shop('0');
  const rows = fileRows(server);
  const headers = { 'Idempotency-Key': 'upload-1' };
  const first = await owner.upload('/api/v1/files', bytes(99, 12), { headers });
  assert.equal(first.status, 201);
  const replay = await owner.upload('/api/v1/files', bytes(99, 12), { headers });
  assert.equal(replay.status, 201);
  assert.equal(replay.text, first.text);
  assert.equal(replay.headers.get('idempotent-replayed'), 'true');
  assert.equal(fileRows(server), rows + 1);
  const other = await owner.upload('/api/v1/files', bytes(99, 13), { headers });
  assert.equal(other.status, 409);
  assert.equal(other.json.code, 'idempotency_conflict');
  assert.equal(fileRows(server), rows + 1);
  await waitFor(() => tmpFiles(server).length === 0, 'no temporary file');
});

test('past the upload limit: 413 and nothing kept', async () => {
  const small = await startServer({ env: { CREDITD_UPLOAD_MAX_BYTES: '4096' } });
  try {
    const a = new Client(small.url);
    await a.login(ADMIN.email, ADMIN.password);
    const c = await a.post('/api/v1/customers', { name: 'Limits' });
    const to = `/api/v1/files?customer_id=${c.json.id}`;
    assert.equal((await a.upload(to, bytes(4096))).status, 201);
    // Over the limit within the multipart allowance: read, then refused.
    const over = await a.upload(to, bytes(4097));
    assert.equal(over.status, 413, over.text);
    assert.equal(over.json.code, 'too_large');
    // A declared length far past it: refused before the body is sent.
    const huge = await rawUpload(small, a, to, bytes(200000), { expect: true });
    assert.equal(huge.status, 413);
    assert.equal(huge.continued, false);
    // The same found while streaming (no Expect, no Content-Length).
    const chunked = await fetch(small.url + to, {
      method: 'POST', duplex: 'half',
      headers: { Cookie: a.cookie, 'X-CSRF-Token': a.csrf, 'Content-Type': 'multipart/form-data; boundary=creditdBoundary7' },
      body: new ReadableStream({
        start(ctl) { ctl.enqueue(multipart(bytes(5000)).body); ctl.close(); },
      }),
    });
    assert.equal(chunked.status, 413);
    assert.equal(fileRows(small), 1);
    assert.equal(stored(small).length, 1);
    assert.deepEqual(tmpFiles(small), []);
    assert.match(small.log, /uploads up to 4096 bytes/);
  } finally {
    await small.stop();
  }
});

test('a full disk is 507 insufficient_storage, with no row and no half file', async (t) => {
  const mnt = mkdtempSync(join(tmpdir(), 'creditd-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { stdio: 'ignore' });
  } catch {
    rmdirSync(mnt);
    t.skip('mounting a small tmpfs needs root');
    return;
  }
  const dir = join(mnt, 'files');
  mkdirSync(dir);
  const full = await startServer({ args: ['--files-dir', dir] });
  try {
    full.filesDir = dir;
    const a = new Client(full.url);
    await a.login(ADMIN.email, ADMIN.password);
    const c = await a.post('/api/v1/customers', { name: 'Full disk' });
    const r = await a.upload(`/api/v1/files?customer_id=${c.json.id}`, bytes(400000));
    assert.equal(r.status, 507, r.text);
    assert.equal(r.json.code, 'insufficient_storage');
    assert.equal(fileRows(full), 0);
    assert.deepEqual(stored(full), []);
    assert.deepEqual(tmpFiles(full), []);
    // Space for a small one is still there.
    assert.equal((await a.upload(`/api/v1/files?customer_id=${c.json.id}`, bytes(1000))).status, 201);
  } finally {
    await full.stop();
    execFileSync('umount', [mnt]);
    rmdirSync(mnt);
  }
});
