// Requests that try to slip past the parser (issue 12, item 8): a
// percent-encoded NUL in a path id does not cut the id short and match its
// prefix; ordinary escapes in paths and queries still decode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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
