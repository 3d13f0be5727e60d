#!/usr/bin/env node
// Generates docs/api-examples.json: one real request and response for every
// route of GET /api/v1/openapi.json, taken from a fresh server loaded with the
// demo business. Calls are ordered so that every state change succeeds
// (create before pause, pause before resume, ...); logout comes last.
//
//   CREDITD_BIN=build/creditd node scripts/api_examples.mjs
//
// Lists in responses are cut to 2 items; CSRF tokens, session cookies and API
// keys are replaced by "…". The script fails when a route of the OpenAPI
// document has no example or an example does not answer 2xx.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, Client, ADMIN } from '../tests/api/harness.mjs';
import { startStandin, makeEvent, sign, DEFAULT_SECRET_KEY, DEFAULT_WEBHOOK_SECRET } from '../tests/support/stripe_standin.mjs';
import { SMTPServer } from 'smtp-server';
import { totp } from '../tests/support/totp.mjs';
import { png, GREEN } from '../tests/support/png.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const OWNER = { email: 'owner@weber-autotechnik.example', password: 'creditd-demo' };

// Card payments go to the local Stripe stand-in; mails to a local relay
// that keeps them (the unsubscribe example takes its link from one).
const stripe = await startStandin({ secretKey: DEFAULT_SECRET_KEY, webhookSecret: DEFAULT_WEBHOOK_SECRET });
const mails = [];
const relay = new SMTPServer({
  logger: false,
  disabledCommands: ['STARTTLS', 'AUTH'],
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => { mails.push(Buffer.concat(chunks).toString('utf8')); callback(null, 'queued'); });
  },
});
await new Promise((resolve) => relay.listen(0, '127.0.0.1', resolve));
const server = await startServer({
  env: {
    CREDITD_SMTP_URL: `smtp://127.0.0.1:${relay.server.address().port}`,
    CREDITD_MAIL_FROM: 'Weber Autotechnik <noreply@weber-autotechnik.example>',
    CREDITD_STRIPE_API_BASE: stripe.url,
    CREDITD_STRIPE_SECRET_KEY: DEFAULT_SECRET_KEY,
    CREDITD_STRIPE_WEBHOOK_SECRET: DEFAULT_WEBHOOK_SECRET,
  },
});
const examples = {};
let failed = false;

// Cuts lists to 2 items and hides secrets, recursively.
function tidy(v, key = '') {
  if (Array.isArray(v)) return v.slice(0, 2).map((x) => tidy(x));
  if (v && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) out[k] = tidy(x, k);
    return out;
  }
  if (typeof v === 'string' && (key === 'csrf_token' || key === 'key' || /^cd_/.test(v))) return '…';
  if (typeof v === 'string' && key === 'secret' && /^whsec_/.test(v)) return 'whsec_…';
  return v;
}

// A w x h PNG in the demo's green (a logo for the brand examples).
const logoPng = (w, h) => png(w, h, { rgb: GREEN });

function textExcerpt(text, lines) {
  const all = text.split('\n');
  const head = all.slice(0, lines).join('\n');
  return all.length > lines ? `${head}\n…` : head;
}

try {
  server.cli('demo');
  const anon = new Client(server.url);
  const admin = new Client(server.url);
  const owner = new Client(server.url);
  await admin.login(ADMIN.email, ADMIN.password);
  await owner.login(OWNER.email, OWNER.password);
  const clients = { anonymous: anon, admin, owner };
  let keyNo = 0;

  // One documented call. opts.text: the response is not JSON (keep N lines);
  // opts.binary: the response is a file (described, not shown: true for
  // "the file as uploaded", or what it is);
  // opts.shape: a function that reshapes the JSON response before tidying;
  // opts.upload: {name, data} sent as the multipart field `file`.
  async function call(role, method, pattern, path, body, opts = {}) {
    const c = clients[role];
    const idempotent = Boolean(opts.idem);
    const headers = { ...(opts.headers || {}) };
    if (idempotent) headers['Idempotency-Key'] = `example-${++keyNo}`;
    let form;
    if (opts.upload) {
      form = new FormData();
      form.append('file', new Blob([opts.upload.data]), opts.upload.name);
    }
    const r = await c.request(method, path, { body, form, headers });
    let response;
    if (opts.text) response = textExcerpt(r.text, opts.text);
    else if (opts.binary) response = `(${r.bytes.length} bytes: ${opts.binary === true ? 'the file as uploaded' : opts.binary})`;
    else if (opts.shape) response = opts.raw ? opts.shape(r.json) : tidy(opts.shape(r.json));
    else response = tidy(r.json);
    const request = { path };
    if (body !== undefined) request.body = body;
    if (opts.upload) request.form = { file: `@${opts.upload.name} (${opts.upload.data.length} bytes)` };
    if (idempotent) request.idempotency_key = headers['Idempotency-Key'];
    if (opts.headers) request.headers = opts.headers;
    examples[`${method} ${pattern}`] = {
      role,
      request,
      status: r.status,
      content_type: (r.headers.get('content-type') || '').split(';')[0],
      response,
    };
    if (r.status < 200 || r.status > 299) {
      failed = true;
      console.error(`${method} ${path}: ${r.status} ${r.text}`);
    }
    return r.json;
  }

  // The routes and their idempotency flags, from the published document.
  const openapi = (await anon.get('/api/v1/openapi.json')).json;
  // Every state-changing example sends an Idempotency-Key (the routes marked
  // idempotent honour it; docs/api.md says which).
  const I = { idem: true };

  // ---- the portal -------------------------------------------------------
  await call('anonymous', 'GET', '/', '/', undefined, { text: 6 });
  await call('anonymous', 'GET', '/assets/{name}', '/assets/app.js', undefined, { text: 6 });
  await call('anonymous', 'GET', '/api/v1/i18n/{lang}', '/api/v1/i18n/de', undefined, {
    raw: true, shape: (j) => Object.fromEntries(Object.entries(j).filter(([k]) => k.startsWith('app.page.')).slice(0, 4)),
  });

  // ---- ops --------------------------------------------------------------
  await call('anonymous', 'GET', '/healthz', '/healthz');
  await call('anonymous', 'GET', '/readyz', '/readyz');
  await call('anonymous', 'GET', '/metrics', '/metrics', undefined, { text: 8 });
  await call('anonymous', 'GET', '/api/v1/openapi.json', '/api/v1/openapi.json', undefined, {
    // The document's own example would hold the previous document, which
    // held the one before: cut it, so the example does not grow each run.
    shape: (j) => ({
      ...j,
      paths: Object.fromEntries(Object.entries(j.paths).slice(4, 6).map(([p, ops]) => [p,
        p !== '/api/v1/openapi.json' ? ops : JSON.parse(JSON.stringify(ops, (k, v) => (k === 'example' ? '(this document)' : v)))])),
    }),
    raw: true, // keep x-roles whole
  });

  // ---- auth -------------------------------------------------------------
  await call('anonymous', 'POST', '/api/v1/auth/login', '/api/v1/auth/login',
    { email: OWNER.email, password: OWNER.password });
  // The login above was made by the anonymous client; the owner client keeps
  // its own session (signed in before). Forget the anonymous one's cookie.
  anon.cookie = null; anon.csrf = null;
  await call('owner', 'GET', '/api/v1/me', '/api/v1/me');
  await call('owner', 'PATCH', '/api/v1/me', '/api/v1/me', { language: 'de' });
  await owner.patch('/api/v1/me', { language: '' });
  await call('admin', 'POST', '/api/v1/api-keys', '/api/v1/api-keys',
    { role: 'staff', name: 'Nightly accounting export' });
  await call('admin', 'GET', '/api/v1/api-keys', '/api/v1/api-keys');
  const old = await admin.post('/api/v1/api-keys', { role: 'staff', name: 'Old integration' });
  await call('admin', 'DELETE', '/api/v1/api-keys/{id}', `/api/v1/api-keys/${old.json.id}`);
  const last = (await admin.get('/api/v1/ledger?limit=1')).json.items[0].created_at;
  const now = new Date(Date.parse(last) + 3600e3);
  now.setUTCMinutes(0, 0, 0);
  await call('admin', 'POST', '/api/v1/test/clock', '/api/v1/test/clock',
    { now: now.toISOString().replace('.000Z', 'Z') });

  // ---- two-factor sign-in (the code is made here, at the test clock) ----
  const enrolment = await call('owner', 'POST', '/api/v1/me/totp', '/api/v1/me/totp');
  const enabled = await call('owner', 'POST', '/api/v1/me/totp/confirm', '/api/v1/me/totp/confirm',
    { code: totp(enrolment.secret, now.getTime()) });
  const renewed = await call('owner', 'POST', '/api/v1/me/totp/recovery-codes', '/api/v1/me/totp/recovery-codes',
    { password: OWNER.password, code: enabled.recovery_codes[0] });
  await call('owner', 'POST', '/api/v1/me/totp/disable', '/api/v1/me/totp/disable',
    { password: OWNER.password, code: renewed.recovery_codes[0] });

  // ---- notifications: an endpoint first, so the events below reach it ---
  // (and the portal's address, so that mails carry links).
  await admin.patch('/api/v1/settings', { portal_url: 'https://portal.weber-autotechnik.example' });
  const hookUrl = 'https://erp.weber-autotechnik.example/hooks/creditd';
  const hook = await call('admin', 'POST', '/api/v1/webhook-endpoints', '/api/v1/webhook-endpoints',
    { url: hookUrl, events: ['order.completed', 'order.created', 'invoice.paid'], description: 'ERP sync' }, I);

  // ---- catalog ----------------------------------------------------------
  await call('owner', 'GET', '/api/v1/credit-types', '/api/v1/credit-types');
  await call('admin', 'POST', '/api/v1/credit-types', '/api/v1/credit-types',
    { code: 'dyno', name: 'Dyno hours', scale: 1, kind: 'unit', sort_order: 3 }, I);
  await call('admin', 'PATCH', '/api/v1/credit-types/{code}', '/api/v1/credit-types/dyno',
    { name: 'Dyno bench hours', unit_value: '90.00' }, I);
  await call('owner', 'GET', '/api/v1/packages', '/api/v1/packages');
  const pkg = await call('admin', 'POST', '/api/v1/packages', '/api/v1/packages', {
    name: 'Fleet', description: '500 master credits for fleet customers',
    credits: { master: '500' }, price: '649.00', published: false, expiry_days: 365,
  }, I);
  await call('admin', 'PATCH', '/api/v1/packages/{id}', `/api/v1/packages/${pkg.id}`,
    { price: '629.00', published: true }, I);
  await call('admin', 'DELETE', '/api/v1/packages/{id}', `/api/v1/packages/${pkg.id}`);
  await call('owner', 'GET', '/api/v1/services', '/api/v1/services');
  const svc = await call('admin', 'POST', '/api/v1/services', '/api/v1/services', {
    name: 'Stage 1 + TCU', kind: 'base', category: 'tuning', costs: { master: '12', slave: '8' },
  }, I);
  await call('admin', 'PATCH', '/api/v1/services/{id}', `/api/v1/services/${svc.id}`,
    { costs: { master: '11', slave: '8' }, sort_order: 2 }, I);

  // ---- customers --------------------------------------------------------
  await call('admin', 'GET', '/api/v1/customers', '/api/v1/customers?q=tuning&limit=2');
  const cus = await call('admin', 'POST', '/api/v1/customers', '/api/v1/customers', {
    name: 'Motorsport Lindqvist', email: 'verkstad@lindqvist-motorsport.example', country: 'SE',
  }, I);
  await call('admin', 'PATCH', '/api/v1/customers/{id}', `/api/v1/customers/${cus.id}`,
    { vat_id: 'SE556677889901' }, I);
  await call('owner', 'GET', '/api/v1/customers/{id}', '/api/v1/customers/cus_1');
  const member = await call('owner', 'POST', '/api/v1/customers/{id}/members',
    '/api/v1/customers/cus_1/members', {
      email: 'apprentice@weber-autotechnik.example', password: 'a long passphrase 42', role: 'technician',
    }); // no Idempotency-Key: with one, the answer lacks user_id (see docs/api.md)
  await call('owner', 'PATCH', '/api/v1/customers/{id}/members/{user_id}',
    `/api/v1/customers/cus_1/members/${member.user_id}`, { monthly_limits: { master: '20', slave: null } });

  // ---- lots -------------------------------------------------------------
  const lot = await call('admin', 'POST', '/api/v1/customers/{id}/lots', `/api/v1/customers/${cus.id}/lots`, {
    credit_type: 'master', credits: '50', source: 'goodwill', name: 'Welcome credits',
    notes: 'First order on the house', expiry_days: 90,
  }, I);
  await call('admin', 'GET', '/api/v1/customers/{id}/lots', `/api/v1/customers/${cus.id}/lots`);
  await call('admin', 'PATCH', '/api/v1/lots/{id}', `/api/v1/lots/${lot.id}`,
    { notes: 'Agreed at the Essen motor show' }, I);
  await call('admin', 'POST', '/api/v1/lots/{id}/pause', `/api/v1/lots/${lot.id}/pause`,
    { reason: 'Invoice not paid yet' }, I);
  await call('admin', 'POST', '/api/v1/lots/{id}/resume', `/api/v1/lots/${lot.id}/resume`,
    { reason: 'Invoice paid' }, I);
  const later = new Date(now.getTime() + 180 * 86400e3).toISOString().replace('.000Z', 'Z');
  await call('admin', 'POST', '/api/v1/lots/{id}/extend', `/api/v1/lots/${lot.id}/extend`,
    { expires_at: later, reason: 'Workshop closed for two months' }, I);
  await call('admin', 'POST', '/api/v1/lots/{id}/deactivate', `/api/v1/lots/${lot.id}/deactivate`,
    { reason: 'Disputed' }, I);
  await call('admin', 'POST', '/api/v1/lots/{id}/reactivate', `/api/v1/lots/${lot.id}/reactivate`,
    { reason: 'Dispute settled' }, I);
  await call('admin', 'POST', '/api/v1/lots/{id}/deduct', `/api/v1/lots/${lot.id}/deduct`, {
    amount: '5', reason: 'correction', justification: 'Booked twice by mistake',
  }, I);
  await call('admin', 'GET', '/api/v1/lots/{id}', `/api/v1/lots/${lot.id}`);
  await call('admin', 'GET', '/api/v1/lots/{id}/history', `/api/v1/lots/${lot.id}/history`);

  // ---- money moves ------------------------------------------------------
  await call('admin', 'POST', '/api/v1/customers/{id}/adjustments', `/api/v1/customers/${cus.id}/adjustments`, {
    credit_type: 'master', amount: '10', reason: 'compensation',
    justification: 'File delivered two days late', expiry_days: 30,
  }, I);
  await call('admin', 'POST', '/api/v1/transfers', '/api/v1/transfers', {
    from_customer_id: cus.id, to_customer_id: 'cus_1', credit_type: 'master', amount: '5',
    justification: 'Lindqvist pays for a Weber file',
  }, I);

  // ---- orders and files -------------------------------------------------
  // Deterministic contents, so the recorded hashes stay put between runs.
  const fileBytes = (n, seed) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 131 + seed) & 255));
  const read = await call('owner', 'POST', '/api/v1/files', '/api/v1/files', undefined,
    { ...I, upload: { name: 'EDC17C50 full read.bin', data: fileBytes(4096, 1) } });
  await call('owner', 'POST', '/api/v1/quotes', '/api/v1/quotes',
    { credit_type: 'master', services: ['svc_1', 'svc_4'], file_id: read.file.id });
  const order = await call('owner', 'POST', '/api/v1/orders', '/api/v1/orders', {
    credit_type: 'master', services: ['svc_1', 'svc_4'], file_id: read.file.id,
    vehicle: { make: 'BMW', model: 'F30 320d', ecu: 'Bosch EDC17C50' }, notes: 'Customer waits',
  }, I);
  await call('admin', 'POST', '/api/v1/orders/{id}/status', `/api/v1/orders/${order.id}/status`,
    { status: 'in_progress' }, I);
  await call('owner', 'POST', '/api/v1/orders/{id}/files', `/api/v1/orders/${order.id}/files`,
    undefined, { ...I, upload: { name: 'EEPROM 95080.bin', data: fileBytes(1024, 2) } });
  const delivered = await call('admin', 'POST', '/api/v1/orders/{id}/deliver',
    `/api/v1/orders/${order.id}/deliver`, undefined,
    { ...I, upload: { name: 'EDC17C50 Stage 1 DPF off.bin', data: fileBytes(4096, 3) } });
  await call('owner', 'GET', '/api/v1/files/{id}', `/api/v1/files/${delivered.file.id}`, undefined,
    { binary: true });
  const second = await owner.post('/api/v1/orders', { credit_type: 'master', services: ['svc_3'], vehicle: { make: 'VW', model: 'Golf 7' } });
  await call('owner', 'POST', '/api/v1/orders/{id}/cancel', `/api/v1/orders/${second.json.id}/cancel`,
    { reason: 'Wrong vehicle' }, I);
  await call('admin', 'GET', '/api/v1/orders', '/api/v1/orders?status=submitted,in_progress&limit=2');
  await call('owner', 'GET', '/api/v1/orders/{id}', `/api/v1/orders/${order.id}`);
  await call('admin', 'DELETE', '/api/v1/files/{id}', `/api/v1/files/${read.file.id}`);

  // ---- the shop ---------------------------------------------------------
  const bought = await call('owner', 'POST', '/api/v1/purchases', '/api/v1/purchases',
    { package_id: 'pkg_1', gateway: 'manual' }, I);
  await call('admin', 'POST', '/api/v1/invoices/{id}/mark-paid',
    `/api/v1/invoices/${bought.invoice.id}/mark-paid`, undefined, I);
  const card = await owner.post('/api/v1/purchases', { package_id: 'pkg_2', gateway: 'stripe' });
  const session = stripe.sessions.get(card.json.invoice.gateway_reference);
  const event = makeEvent('checkout.session.completed', session, { id: 'evt_example_1' });
  await call('anonymous', 'POST', '/api/v1/webhooks/stripe', '/api/v1/webhooks/stripe', event, {
    headers: { 'Stripe-Signature': sign(JSON.stringify(event), DEFAULT_WEBHOOK_SECRET, Math.floor(Date.now() / 1000)) },
  });
  const extra = await admin.post(`/api/v1/customers/${cus.id}/lots`, { credit_type: 'slave', credits: '10', price: '45.00', invoice: 'open' });
  await call('admin', 'POST', '/api/v1/invoices/{id}/void', `/api/v1/invoices/${extra.json.invoice.id}/void`,
    { reason: 'Ordered by mistake' }, I);
  await call('owner', 'GET', '/api/v1/invoices', '/api/v1/invoices?status=paid&limit=2');
  await call('owner', 'GET', '/api/v1/invoices/{id}', `/api/v1/invoices/${bought.invoice.id}`);
  await call('owner', 'GET', '/api/v1/invoices/{id}/html', `/api/v1/invoices/${bought.invoice.id}/html`,
    undefined, { text: 6 });
  await call('owner', 'GET', '/api/v1/invoices/{id}/pdf', `/api/v1/invoices/${bought.invoice.id}/pdf`,
    undefined, { binary: 'the invoice as an A4 PDF' });
  const refunded = await admin.post(`/api/v1/customers/cus_1/lots`, { credit_type: 'slave', credits: '5', price: '20.00', invoice: 'paid' });
  const voided = await admin.post(`/api/v1/invoices/${refunded.json.invoice.id}/void`, { reason: 'Cancelled by the customer' });
  const note = voided.json.credit_note;
  await call('owner', 'GET', '/api/v1/credit-notes', '/api/v1/credit-notes?limit=2');
  await call('owner', 'GET', '/api/v1/credit-notes/{id}', `/api/v1/credit-notes/${note.id}`);
  await call('owner', 'GET', '/api/v1/credit-notes/{id}/html', `/api/v1/credit-notes/${note.id}/html`,
    undefined, { text: 6 });
  await call('owner', 'GET', '/api/v1/credit-notes/{id}/pdf', `/api/v1/credit-notes/${note.id}/pdf`,
    undefined, { binary: 'the credit note as an A4 PDF' });

  // ---- ledger -----------------------------------------------------------
  await call('owner', 'GET', '/api/v1/ledger', '/api/v1/ledger?credit_type=master&limit=2');
  await call('admin', 'GET', '/api/v1/ledger.csv', `/api/v1/ledger.csv?customer=${cus.id}`, undefined, { text: 4 });

  // ---- insight ----------------------------------------------------------
  await call('owner', 'GET', '/api/v1/me/dashboard', '/api/v1/me/dashboard');
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1)).toISOString().replace('.000Z', 'Z');
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().replace('.000Z', 'Z');
  await call('admin', 'GET', '/api/v1/customers/{id}/summary',
    `/api/v1/customers/cus_1/summary?from=${from}&to=${to}`);
  await call('admin', 'GET', '/api/v1/admin/dashboard', '/api/v1/admin/dashboard', undefined, {
    // one credit type is enough to show the shape
    shape: (j) => ({ ...j, credit_types: Object.fromEntries(Object.entries(j.credit_types || {}).slice(0, 1)) }),
  });

  // ---- settings, ops ----------------------------------------------------
  await call('admin', 'GET', '/api/v1/settings', '/api/v1/settings');
  await call('admin', 'PATCH', '/api/v1/settings', '/api/v1/settings',
    { refund_validity_days: 365, invoice_prefix: 'WA' }, I);
  await call('admin', 'GET', '/api/v1/admin/verify', '/api/v1/admin/verify');

  // ---- the business's brand ---------------------------------------------
  await call('admin', 'PATCH', '/api/v1/branding', '/api/v1/branding',
    { display_name: 'Weber Autotechnik', accent_color: '#0b6e4f' }, I);
  await call('admin', 'PUT', '/api/v1/branding/logo', '/api/v1/branding/logo', undefined,
    { upload: { name: 'weber-logo.png', data: logoPng(96, 32) } });
  await call('anonymous', 'GET', '/api/v1/branding', '/api/v1/branding');
  const brand = (await anon.get('/api/v1/branding')).json;
  await call('anonymous', 'GET', '/api/v1/branding/logo', brand.logo_url, undefined, { binary: true });
  await call('anonymous', 'GET', '/favicon.ico', '/favicon.ico', undefined, { binary: true });
  await call('admin', 'DELETE', '/api/v1/branding/logo', '/api/v1/branding/logo');

  // ---- notifications ----------------------------------------------------
  await call('admin', 'GET', '/api/v1/webhook-endpoints', '/api/v1/webhook-endpoints');
  await call('admin', 'GET', '/api/v1/webhook-endpoints/{id}', `/api/v1/webhook-endpoints/${hook.id}`);
  // The dispatcher fans events out in the background: wait for a webhook
  // delivery (its host does not resolve, so it is retried, never lost).
  let sent = null;
  for (let i = 0; i < 100 && !sent; i++) {
    const events = (await admin.get('/api/v1/events?type=order.completed')).json.items || [];
    for (const e of events) {
      const full = (await admin.get(`/api/v1/events/${e.id}`)).json;
      const d = (full.deliveries || []).find((x) => x.channel === 'webhook');
      if (d) { sent = { event: e.id, delivery: d.id }; break; }
    }
    if (!sent) await new Promise((r) => setTimeout(r, 100));
  }
  await call('admin', 'GET', '/api/v1/events', '/api/v1/events?type=order.completed&limit=2');
  await call('admin', 'GET', '/api/v1/webhook-endpoints/{id}/deliveries',
    `/api/v1/webhook-endpoints/${hook.id}/deliveries?limit=2`);
  if (sent) {
    await call('admin', 'GET', '/api/v1/events/{id}', `/api/v1/events/${sent.event}`);
    await call('admin', 'POST', '/api/v1/deliveries/{id}/resend', `/api/v1/deliveries/${sent.delivery}/resend`,
      undefined, I);
  } else {
    console.error('no webhook delivery appeared: GET /api/v1/events/{id} and POST /api/v1/deliveries/{id}/resend '
      + 'have no example (is the dispatcher running?)');
  }
  await call('admin', 'GET', '/api/v1/notifications/status', '/api/v1/notifications/status');
  await call('admin', 'POST', '/api/v1/notifications/test-mail', '/api/v1/notifications/test-mail',
    { to: 'werkstatt@weber-autotechnik.example' });
  await call('owner', 'GET', '/api/v1/me/notifications', '/api/v1/me/notifications');
  await call('owner', 'PATCH', '/api/v1/me/notifications', '/api/v1/me/notifications',
    { locale: 'de', mail: { 'credits.added': false } });
  const mine = (await owner.get('/api/v1/me')).json.customer_id;
  await call('owner', 'GET', '/api/v1/customers/{id}/low-balance', `/api/v1/customers/${mine}/low-balance`);
  await call('owner', 'PATCH', '/api/v1/customers/{id}/low-balance', `/api/v1/customers/${mine}/low-balance`,
    { master: '20', slave: null });
  let link = null;
  for (let i = 0; i < 100 && !link; i++) {
    for (const m of mails) {
      const u = /List-Unsubscribe: <[^>]*(\/api\/v1\/unsubscribe\/[0-9a-f]{32})>/.exec(m);
      if (u) { link = u[1]; break; }
    }
    if (!link) await new Promise((r) => setTimeout(r, 100));
  }
  if (link) {
    await call('anonymous', 'GET', '/api/v1/unsubscribe/{token}', link, undefined, { text: 4 });
    await call('anonymous', 'POST', '/api/v1/unsubscribe/{token}', link, undefined, { text: 4 });
  } else {
    console.error('no mail with an unsubscribe link arrived: the unsubscribe routes have no example');
  }
  await call('admin', 'PATCH', '/api/v1/webhook-endpoints/{id}', `/api/v1/webhook-endpoints/${hook.id}`,
    { disabled: true }, I);
  await call('admin', 'POST', '/api/v1/webhook-endpoints/{id}/rotate-secret',
    `/api/v1/webhook-endpoints/${hook.id}/rotate-secret`, undefined, I);
  const spare = await admin.post('/api/v1/webhook-endpoints', { url: 'https://old.example/hook', events: ['*'] });
  await call('admin', 'DELETE', '/api/v1/webhook-endpoints/{id}', `/api/v1/webhook-endpoints/${spare.json.id}`);

  // ---- accounts: people, passwords, the security log ---------------------
  await call('admin', 'GET', '/api/v1/users', '/api/v1/users');
  const clerk = await call('admin', 'POST', '/api/v1/users', '/api/v1/users',
    { email: 'clerk@weber-autotechnik.example', password: 'front desk phrase 7', role: 'staff' }, I);
  await call('admin', 'PATCH', '/api/v1/users/{id}', `/api/v1/users/${clerk.id}`, { disabled: true });
  await admin.patch(`/api/v1/users/${clerk.id}`, { disabled: false });
  await call('admin', 'POST', '/api/v1/users/{id}/password-reset', `/api/v1/users/${clerk.id}/password-reset`);
  await call('anonymous', 'POST', '/api/v1/auth/password-reset', '/api/v1/auth/password-reset',
    { email: 'clerk@weber-autotechnik.example' });
  let resetToken = null;
  for (let i = 0; i < 100 && !resetToken; i++) {
    const found = mails.filter((m) => m.includes('clerk@weber-autotechnik.example'))
      .map((m) => /#\/reset\/([0-9a-f]{64})/.exec(m.replace(/=\r?\n/g, ''))).filter(Boolean);
    if (found.length >= 2) resetToken = found[1][1];
    else await new Promise((r) => setTimeout(r, 100));
  }
  if (resetToken) {
    await call('anonymous', 'POST', '/api/v1/auth/password-reset/confirm', '/api/v1/auth/password-reset/confirm',
      { token: resetToken, password: 'a new front desk phrase 8' });
  } else {
    console.error('no reset mail arrived: POST /api/v1/auth/password-reset/confirm has no example');
  }
  await call('owner', 'DELETE', '/api/v1/customers/{id}/members/{user_id}',
    `/api/v1/customers/cus_1/members/${member.user_id}`);
  await call('owner', 'POST', '/api/v1/me/password', '/api/v1/me/password',
    { current_password: OWNER.password, new_password: 'workshop passphrase 2027' });
  // Invitations and sign-ups; their links come by mail.
  const linkFor = async (kind, email) => {
    for (let i = 0; i < 100; i++) {
      for (const m of mails.filter((x) => x.includes(email))) {
        const t = new RegExp(`#/${kind}/([0-9a-f]{64})`).exec(m.replace(/=\r?\n/g, ''));
        if (t) return t[1];
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    console.error(`no ${kind} mail to ${email} arrived`);
    return 'missing';
  };
  const invitation = await call('owner', 'POST', '/api/v1/invitations', '/api/v1/invitations',
    { email: 'jan@weber-autotechnik.example', role: 'technician', name: 'Jan Weber', locale: 'de' });
  const spareInvite = await admin.post('/api/v1/invitations', { email: 'bookkeeper@weber-autotechnik.example', role: 'staff' });
  await call('admin', 'DELETE', '/api/v1/invitations/{id}', `/api/v1/invitations/${spareInvite.json.id}`);
  await call('admin', 'GET', '/api/v1/invitations', '/api/v1/invitations');
  const inviteToken = await linkFor('invitation', invitation.email);
  await call('anonymous', 'GET', '/api/v1/auth/invitations/{token}', `/api/v1/auth/invitations/${inviteToken}`);
  await call('anonymous', 'POST', '/api/v1/auth/invitations/accept', '/api/v1/auth/invitations/accept',
    { token: inviteToken, password: 'apprentice phrase 2027', name: 'Jan Weber' });
  await admin.patch('/api/v1/settings', { registration: 'approval' });
  await call('anonymous', 'GET', '/api/v1/auth/registration', '/api/v1/auth/registration');
  await call('anonymous', 'POST', '/api/v1/auth/register', '/api/v1/auth/register', {
    business_name: 'Kraft Tuning KG', email: 'info@kraft-tuning.example', password: 'kraft tuning phrase 1',
    name: 'Karl Kraft', country: 'AT', locale: 'de',
  });
  const kraft = new Client(server.url);
  await kraft.login('info@kraft-tuning.example', 'kraft tuning phrase 1');
  clients.kraft = kraft;
  await call('kraft', 'POST', '/api/v1/me/verify-email/resend', '/api/v1/me/verify-email/resend');
  // The second link voids the first: wait for it.
  for (let i = 0; i < 100 && mails.filter((x) => x.includes('#/verify/')).length < 2; i++)
    await new Promise((r) => setTimeout(r, 100));
  const verifyMails = mails.filter((x) => x.includes('info@kraft-tuning.example'));
  const verifyToken = /#\/verify\/([0-9a-f]{64})/.exec(verifyMails[verifyMails.length - 1].replace(/=\r?\n/g, ''))?.[1];
  await call('anonymous', 'POST', '/api/v1/auth/verify-email', '/api/v1/auth/verify-email', { token: verifyToken });
  const kraftId = (await kraft.get('/api/v1/me')).json.customer_id;
  await call('admin', 'POST', '/api/v1/customers/{id}/approve', `/api/v1/customers/${kraftId}/approve`);
  await anon.post('/api/v1/auth/register', { business_name: 'Spam Ltd', email: 'spam@spam.example', password: 'spam spam phrase 1' });
  const spam = (await admin.get('/api/v1/customers?status=pending')).json.items[0];
  await call('admin', 'POST', '/api/v1/customers/{id}/reject', `/api/v1/customers/${spam.id}/reject`);
  await call('admin', 'GET', '/api/v1/security-log', '/api/v1/security-log?limit=2');

  // ---- last: sign out ---------------------------------------------------
  await call('owner', 'POST', '/api/v1/auth/logout', '/api/v1/auth/logout');

  const missing = [];
  for (const [p, ops] of Object.entries(openapi.paths))
    for (const m of Object.keys(ops))
      if (!examples[`${m.toUpperCase()} ${p}`]) missing.push(`${m.toUpperCase()} ${p}`);
  if (missing.length) {
    failed = true;
    console.error(`routes without an example:\n  ${missing.join('\n  ')}`);
  }
  const ordered = {};
  for (const [p, ops] of Object.entries(openapi.paths))
    for (const m of Object.keys(ops)) {
      const k = `${m.toUpperCase()} ${p}`;
      if (examples[k]) ordered[k] = examples[k];
    }
  for (const k of Object.keys(examples)) if (!ordered[k]) ordered[k] = examples[k];
  writeFileSync(join(root, 'docs/api-examples.json'), `${JSON.stringify(ordered, null, 2)}\n`);
  console.log(`docs/api-examples.json: ${Object.keys(ordered).length} routes`);
} finally {
  await server.stop();
  await stripe.stop();
  await new Promise((resolve) => relay.close(resolve));
}
process.exit(failed ? 1 : 0);
