// The business's brand (issue 13): GET /api/v1/branding answers anybody at
// the tenant's host, each tenant its own; admins change the display name and
// accent colour (white text on it must reach 4.5:1) and upload a logo that is
// checked by its bytes (PNG, JPEG, SVG; at most 512 KiB and 4096 px a side);
// the logo is served with an ETag (304), an SVG under a policy that runs no
// script. Every refusal changes nothing.
//
// Method: a server with two tenants (127.0.0.1 and other.example), requests
// with an explicit Host header; the images are made here, byte by byte.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { startServer, ADMIN } from './harness.mjs';
import { png } from '../support/png.mjs';

const API = '/api/v1';
let server;
let admin, staff, owner, other;
const anon = { host: '127.0.0.1' };


// The segments of a baseline JPEG up to its frame header (SOF0 with the
// size), a scan header and the end: what the server reads of a JPEG.
function jpeg(w, h) {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x0b, 0x08, h >> 8, h & 0xff, w >> 8, w & 0xff, 0x01, 0x01, 0x11, 0x00]);
  const sos = Buffer.from([0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00, 0x00, 0xff, 0xd9]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, sos]);
}

const SVG = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<!-- the mark -->\n'
  + '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
  + '<script>alert(document.cookie)</script><rect width="120" height="40" fill="#0b6e4f"/></svg>\n');

const sha256 = (b) => createHash('sha256').update(b).digest('hex');

// One request with a Host header. body: JSON, or a Buffer sent as the
// multipart field `file` (named name).
function call(caller, method, path, { body, name = 'logo.png', headers: extra = {} } = {}) {
  const headers = { Host: caller.host || '127.0.0.1', ...extra };
  if (caller.cookie) headers.Cookie = caller.cookie;
  if (caller.csrf && method !== 'GET') headers['X-CSRF-Token'] = caller.csrf;
  let payload;
  if (Buffer.isBuffer(body)) {
    const b = 'brandBoundary7f3a';
    payload = Buffer.concat([Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n`
      + 'Content-Type: application/octet-stream\r\n\r\n'), body, Buffer.from(`\r\n--${b}--\r\n`)]);
    headers['Content-Type'] = `multipart/form-data; boundary=${b}`;
  } else if (body !== undefined) {
    payload = Buffer.from(JSON.stringify(body));
    headers['Content-Type'] = 'application/json';
  }
  if (payload) headers['Content-Length'] = payload.length;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        let json = null;
        try { json = JSON.parse(bytes.toString('utf8')); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, json, text: bytes.toString('utf8'), bytes });
      });
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

async function signIn(email, password, host = '127.0.0.1') {
  const caller = { host };
  const r = await call(caller, 'POST', `${API}/auth/login`, { body: { email, password } });
  assert.equal(r.status, 200, `${email}: ${r.text}`);
  caller.cookie = /creditd_session=[0-9a-f]+/.exec(r.headers['set-cookie'][0])[0];
  caller.csrf = r.json.csrf_token;
  return caller;
}

function cli(input, ...argv) {
  return execFileSync(server.bin, [...argv, '--db', server.db], { input, encoding: 'utf8' });
}

const brand = (caller = anon) => call(caller, 'GET', `${API}/branding`);
const putLogo = (caller, bytes, name) => call(caller, 'PUT', `${API}/branding/logo`, { body: bytes, name });

before(async () => {
  server = await startServer();
  cli('staff-password-1\n', 'user', 'add', '--email', 'staff@test.example', '--role', 'staff', '--password-stdin');
  server.cli('tenant', 'add-host', 'ten_1', '127.0.0.1');
  const tenant = server.cli('tenant', 'add', 'Other shop', '--host', 'other.example').trim();
  cli('other-password-1\n', 'user', 'add', '--tenant', tenant, '--email', 'boss@other.example', '--role', 'admin', '--password-stdin');
  admin = await signIn(ADMIN.email, ADMIN.password);
  staff = await signIn('staff@test.example', 'staff-password-1');
  const cus = await call(admin, 'POST', `${API}/customers`, { body: { name: 'Brand Shop' } });
  assert.equal(cus.status, 201, cus.text);
  const m = await call(admin, 'POST', `${API}/customers/${cus.json.id}/members`, {
    body: { email: 'owner@brandshop.example', password: 'owner-password-1', role: 'owner' },
  });
  assert.equal(m.status, 201, m.text);
  owner = await signIn('owner@brandshop.example', 'owner-password-1');
  other = await signIn('boss@other.example', 'other-password-1', 'other.example');
});
after(async () => { await server.stop(); });

test('without sign-in each tenant answers its own brand, with defaults until one is set', async () => {
  const mine = await brand();
  assert.equal(mine.status, 200, mine.text);
  const tenantName = (await call(admin, 'GET', `${API}/settings`)).json.name;
  assert.deepEqual(mine.json, {
    display_name: tenantName, accent_color: '#1d4ed8', display_name_set: false, accent_color_set: false,
    logo_url: null, logo_type: null, favicon_url: null,
  });
  const theirs = await brand({ host: 'other.example' });
  assert.equal(theirs.status, 200, theirs.text);
  assert.equal(theirs.json.display_name, 'Other shop');
  // A host that serves no business has no brand.
  const nowhere = await brand({ host: 'nowhere.example' });
  assert.equal(nowhere.status, 404, nowhere.text);
  assert.equal(nowhere.json.code, 'not_found');
});

test('an admin sets the display name and accent colour; the other tenant keeps its own', async () => {
  const r = await call(admin, 'PATCH', `${API}/branding`, { body: { display_name: 'Weber Autotechnik', accent_color: '#0B6E4F' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.display_name, 'Weber Autotechnik');
  assert.equal(r.json.accent_color, '#0b6e4f', 'kept in lower case');
  assert.equal(r.json.display_name_set, true);
  const seen = await brand();
  assert.equal(seen.json.display_name, 'Weber Autotechnik');
  assert.equal(seen.json.accent_color, '#0b6e4f');
  // Only what is sent changes.
  const name = await call(admin, 'PATCH', `${API}/branding`, { body: { display_name: 'Weber' } });
  assert.equal(name.json.accent_color, '#0b6e4f');
  assert.equal((await brand({ host: 'other.example' })).json.display_name, 'Other shop');
  const theirs = await call(other, 'PATCH', `${API}/branding`, { body: { accent_color: '#7c2d12' } });
  assert.equal(theirs.status, 200, theirs.text);
  assert.equal((await brand()).json.accent_color, '#0b6e4f');
  // null goes back to the default.
  const back = await call(admin, 'PATCH', `${API}/branding`, { body: { display_name: null } });
  assert.equal(back.status, 200, back.text);
  assert.equal(back.json.display_name_set, false);
  assert.notEqual(back.json.display_name, 'Weber');
  await call(admin, 'PATCH', `${API}/branding`, { body: { display_name: 'Weber Autotechnik' } });
});

test('a colour that white text cannot be read on, or not #rrggbb, is refused and nothing changes', async () => {
  const before1 = (await brand()).json;
  const cases = [
    [{ accent_color: '#ffcc00' }, 'accent_color', /contrast of 1\.\d\d:1.*4\.50:1/],
    [{ accent_color: '#777777' }, 'accent_color', /contrast of 4\.47:1/],
    [{ accent_color: 'green' }, 'accent_color', /#rrggbb/],
    [{ accent_color: '#0b6e4' }, 'accent_color', /#rrggbb/],
    [{ accent_color: '#0b6e4g' }, 'accent_color', /#rrggbb/],
    [{ accent_color: 7 }, 'accent_color', /string/],
    [{ display_name: 'x'.repeat(201) }, 'display_name', /too long/],
    [{ display_name: 'Bad\u0007name' }, 'display_name', /./],
    [{ display_name: 'Two\nlines' }, 'display_name', /one line/],
    [{ display_name: '   ' }, 'display_name', /spaces/],
    [{ display_name: 'Fine', colour: '#000000' }, 'colour', /./],
  ];
  for (const [body, field, message] of cases) {
    const r = await call(admin, 'PATCH', `${API}/branding`, { body });
    assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.code, 'validation_failed');
    const err = r.json.errors.find((e) => e.field === field);
    assert.ok(err, `${JSON.stringify(body)} names ${field}: ${r.text}`);
    assert.match(err.message, message);
  }
  // #767676 is the lightest grey with 4.5:1: accepted.
  const grey = await call(admin, 'PATCH', `${API}/branding`, { body: { accent_color: '#767676' } });
  assert.equal(grey.status, 200, grey.text);
  await call(admin, 'PATCH', `${API}/branding`, { body: { accent_color: before1.accent_color } });
  assert.deepEqual((await brand()).json, before1);
});

test('PNG, JPEG and SVG logos are accepted by their bytes and served as uploaded', async () => {
  for (const [bytes, type, name, size] of [
    [jpeg(640, 200), 'image/jpeg', 'logo.jpg', [640, 200]],
    [SVG, 'image/svg+xml', 'mark.svg', [0, 0]],
    [png(32, 16), 'image/png', 'logo.png', [32, 16]],
  ]) {
    const r = await putLogo(admin, bytes, name);
    assert.equal(r.status, 200, `${name}: ${r.text}`);
    assert.equal(r.json.logo_type, type);
    assert.deepEqual([r.json.logo.width, r.json.logo.height], size);
    assert.equal(r.json.logo.sha256, sha256(bytes));
    assert.equal(r.json.logo_url, `${API}/branding/logo?v=${sha256(bytes).slice(0, 16)}`);
    assert.equal(r.json.favicon_url, r.json.logo_url);
    const got = await call(anon, 'GET', r.json.logo_url);
    assert.equal(got.status, 200);
    assert.equal(got.headers['content-type'], type);
    assert.ok(got.bytes.equals(bytes), `${name} comes back byte for byte`);
    assert.equal(got.headers.etag, `"${sha256(bytes)}"`);
    // The same logo is the site's icon.
    const icon = await call(anon, 'GET', '/favicon.ico');
    assert.equal(icon.status, 200);
    assert.ok(icon.bytes.equals(bytes));
  }
  // The other tenant has none of it.
  assert.equal((await brand({ host: 'other.example' })).json.logo_url, null);
  assert.equal((await call({ host: 'other.example' }, 'GET', `${API}/branding/logo`)).status, 404);
  assert.equal((await call({ host: 'other.example' }, 'GET', '/favicon.ico')).status, 404);
});

test('a renamed text file, an oversize file or a wrong size in pixels is refused and the logo stays', async () => {
  const keep = await putLogo(admin, png(8, 8), 'logo.png');
  assert.equal(keep.status, 200, keep.text);
  const big = Buffer.concat([png(8, 8).subarray(0, 33), Buffer.alloc(600 * 1024, 1)]);
  const cases = [
    [Buffer.from('name,credits\nweber,75\n'), 'logo.png', 422, /not a PNG, JPEG or SVG/],
    [Buffer.from('GIF89a\x01\x00\x01\x00'), 'logo.gif', 422, /not a PNG, JPEG or SVG/],
    [Buffer.from('<html><body>hi</body></html>'), 'logo.svg', 422, /not a PNG, JPEG or SVG/],
    [Buffer.from('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>'), 'logo.svg', 422, /DTD/],
    [png(8, 8).subarray(0, png(8, 8).length - 12), 'logo.png', 422, /cut short/],
    [png(8, 8).subarray(0, 40), 'logo.png', 422, /no valid header/],
    [png(2, 2, { claim: [5000, 10] }), 'logo.png', 422, /5000 x 10 pixels/],
    [png(2, 2, { claim: [0, 10] }), 'logo.png', 422, /pixels/],
    [jpeg(4097, 20), 'logo.jpg', 422, /4097 x 20 pixels/],
    [Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0xff, 0xd9]), 'logo.jpg', 422, /frame header/],
    [Buffer.alloc(0), 'logo.png', 422, /empty/],
    [big, 'logo.png', 413, /larger than/],
  ];
  for (const [bytes, name, status, message] of cases) {
    const r = await putLogo(admin, bytes, name);
    assert.equal(r.status, status, `${name} (${bytes.length} bytes): ${r.text}`);
    assert.equal(r.json.field, 'file', r.text);
    assert.match(r.json.detail, message);
  }
  const after1 = (await brand()).json;
  assert.equal(after1.logo_url, keep.json.logo_url);
  assert.equal(after1.logo.sha256, keep.json.logo.sha256);
});

test('only admins change the brand: staff and members 403, strangers 401, the other tenant its own', async () => {
  const before1 = (await brand()).json;
  for (const [who, caller, status] of [['staff', staff, 403], ['owner', owner, 403], ['anonymous', anon, 401]]) {
    assert.equal((await call(caller, 'PATCH', `${API}/branding`, { body: { display_name: 'Taken' } })).status, status, who);
    assert.equal((await putLogo(caller, png(4, 4))).status, status, who);
    assert.equal((await call(caller, 'DELETE', `${API}/branding/logo`)).status, status, who);
  }
  // The other tenant's admin changes only the other tenant.
  const r = await putLogo(other, SVG, 'theirs.svg');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual((await brand()).json, before1);
  assert.equal((await brand({ host: 'other.example' })).json.logo_type, 'image/svg+xml');
});

test('an SVG logo is served with a policy that runs no script, and nosniff', async () => {
  const r = await putLogo(admin, SVG, 'mark.svg');
  assert.equal(r.status, 200, r.text);
  for (const path of [r.json.logo_url, `${API}/branding/logo`, '/favicon.ico']) {
    const got = await call(anon, 'GET', path);
    assert.equal(got.status, 200, path);
    assert.equal(got.headers['content-type'], 'image/svg+xml');
    assert.equal(got.headers['content-security-policy'], "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    assert.equal(got.headers['x-content-type-options'], 'nosniff');
  }
});

test('the logo revalidates: 304 for its ETag, long caching only at its versioned address', async () => {
  const bytes = png(16, 16);
  const r = await putLogo(admin, bytes, 'logo.png');
  const etag = `"${sha256(bytes)}"`;
  const versioned = await call(anon, 'GET', r.json.logo_url);
  assert.match(versioned.headers['cache-control'], /max-age=31536000/);
  const plain = await call(anon, 'GET', `${API}/branding/logo`);
  assert.equal(plain.headers['cache-control'], 'no-cache');
  assert.equal(plain.headers.etag, etag);
  const again = await call(anon, 'GET', `${API}/branding/logo`, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.bytes.length, 0);
  assert.equal(again.headers.etag, etag);
  // An old version's tag gets the new logo; an old versioned address is
  // not cached for long.
  const stale = await call(anon, 'GET', `${API}/branding/logo?v=0123456789abcdef`, { headers: { 'If-None-Match': '"0000"' } });
  assert.equal(stale.status, 200);
  assert.equal(stale.headers['cache-control'], 'no-cache');
  assert.ok(stale.bytes.equals(bytes));
});

test('deleting the logo: no logo, no icon; deleting again is fine', async () => {
  const r = await call(admin, 'DELETE', `${API}/branding/logo`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.logo_url, null);
  assert.equal(r.json.favicon_url, null);
  assert.equal(r.json.display_name, 'Weber Autotechnik', 'the texts stay');
  const gone = await call(anon, 'GET', `${API}/branding/logo`);
  assert.equal(gone.status, 404);
  assert.equal(gone.json.code, 'not_found');
  assert.equal((await call(anon, 'GET', '/favicon.ico')).status, 404);
  assert.equal((await call(admin, 'DELETE', `${API}/branding/logo`)).status, 200);
  assert.equal((await brand()).json.logo_url, null);
});
