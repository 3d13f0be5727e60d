// A local stand-in for the part of Stripe creditd uses: Checkout sessions
// (create, retrieve, line items) with Stripe's authentication, form encoding,
// error bodies and idempotency keys, a page that "pays" or expires a session
// and sends the signed webhook, and helpers to build and deliver webhook
// events by hand (forged and stale ones included).
//
// It exists so that creditd's gateway client and webhook endpoint are tested
// against Stripe's wire format without a network or an account. It must stay
// on 127.0.0.1, use only node: modules (Node 18 and 20), and never pretend to
// more of Stripe than it checks: unknown routes answer 404 like Stripe.
//
// As a module:  startStandin({secretKey, webhookSecret, webhookUrl, port})
//               makeEvent(type, session, overrides), deliver(url, event, opts),
//               sign(body, secret, t)
// As a program: node tests/support/stripe_standin.mjs --port N --secret-key K
//               --webhook-secret W --webhook-url U [--print-port]
//               [--stdin-lifeline]   (exit when stdin closes: the parent died)
import http from 'node:http';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';

export const DEFAULT_SECRET_KEY = 'sk_test_standin';
export const DEFAULT_WEBHOOK_SECRET = 'whsec_standin';
export const API_VERSION = '2024-06-20';
const BODY_BYTES_MAX = 1024 * 1024;
const SESSION_LIFETIME_S = 24 * 60 * 60;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const randomId = (prefix) => `${prefix}_${randomBytes(12).toString('hex')}`;

// A failure that is answered with Stripe's error body.
class StripeError extends Error {
  constructor(status, type, message, extra = {}) {
    super(message);
    this.status = status;
    this.body = { error: { type, message, ...extra } };
  }
}

const missing = (param) =>
  new StripeError(400, 'invalid_request_error', `Missing required param: ${param}.`, { param });
const invalid = (param, message) =>
  new StripeError(400, 'invalid_request_error', message, { param });

// The Stripe-Signature value of body at t: HMAC-SHA256 of "<t>.<body>" keyed
// with the whole endpoint secret.
export function sign(body, secret, t) {
  const mac = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${mac}`;
}

// Stripe's bracket form encoding, decoded: "a[b][0][c]=v" is
// {a: {b: [{c: "v"}]}}; objects whose keys are 0..n-1 become arrays.
export function decodeForm(text) {
  const root = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    if (!m) throw invalid(key, `Invalid parameter name: ${key}`);
    const path = [m[1], ...[...m[2].matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1])];
    let node = root;
    for (const part of path.slice(0, -1)) {
      if (node[part] === undefined) node[part] = Object.create(null);
      if (typeof node[part] !== 'object') throw invalid(key, `Invalid parameter: ${key}`);
      node = node[part];
    }
    const last = path[path.length - 1];
    if (typeof node[last] === 'object') throw invalid(key, `Invalid parameter: ${key}`);
    node[last] = value;
  }
  return arrayify(root);
}

function arrayify(v) {
  if (typeof v !== 'object' || v === null) return v;
  const keys = Object.keys(v);
  if (keys.length > 0 && keys.every((k, i) => k === String(i))) return keys.map((k) => arrayify(v[k]));
  return Object.fromEntries(keys.map((k) => [k, arrayify(v[k])]));
}

function integerParam(value, param, min) {
  if (value === undefined) throw missing(param);
  if (typeof value !== 'string' || !/^-?[0-9]+$/.test(value)) throw invalid(param, `Invalid integer: ${value}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw invalid(param, `Invalid integer: ${value}`);
  return n;
}

function urlParam(value, param, required) {
  if (value === undefined) {
    if (required) throw missing(param);
    return null;
  }
  try {
    new URL(value);
  } catch {
    throw invalid(param, 'Not a valid URL');
  }
  return value;
}

// The line items of a payment session with inline price_data, as Stripe
// checks them. Stripe documents currencies as lower case; the stand-in insists,
// so that a client sending "EUR" is caught here rather than in production.
function checkLineItems(items) {
  if (!Array.isArray(items) || items.length === 0) throw missing('line_items');
  return items.map((item, i) => {
    const at = `line_items[${i}]`;
    const quantity = integerParam(item?.quantity, `${at}[quantity]`, 1);
    const price = item?.price_data;
    if (typeof price !== 'object') throw missing(`${at}[price_data]`);
    const currency = price.currency;
    if (currency === undefined) throw missing(`${at}[price_data][currency]`);
    if (!/^[a-z]{3}$/.test(currency)) throw invalid(`${at}[price_data][currency]`, `Invalid currency: ${currency}`);
    const unitAmount = integerParam(price.unit_amount, `${at}[price_data][unit_amount]`, 0);
    const name = price.product_data?.name;
    if (typeof name !== 'string' || name === '') throw missing(`${at}[price_data][product_data][name]`);
    return { quantity, currency, unitAmount, name };
  });
}

function checkSessionParams(p) {
  if (p.mode === undefined) throw missing('mode');
  if (p.mode !== 'payment') throw invalid('mode', `The stand-in supports only mode=payment, not ${p.mode}`);
  const items = checkLineItems(p.line_items);
  if (items.some((x) => x.currency !== items[0].currency))
    throw invalid('line_items', 'All line items must have the same currency');
  const successUrl = urlParam(p.success_url, 'success_url', true);
  const cancelUrl = urlParam(p.cancel_url, 'cancel_url', false);
  if (p.metadata !== undefined && (typeof p.metadata !== 'object' || Array.isArray(p.metadata)))
    throw invalid('metadata', 'Invalid hash');
  return { items, successUrl, cancelUrl };
}

function keyFromAuthorization(header) {
  if (!header) return null;
  const bearer = /^Bearer (.+)$/.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic (.+)$/.exec(header);
  if (basic) return Buffer.from(basic[1], 'base64').toString('utf8').replace(/:.*$/, '');
  return null;
}

// Stripe shows the start and the last four characters of a refused key.
function maskKey(key) {
  if (key.length <= 12) return '*'.repeat(key.length);
  return `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}`;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > BODY_BYTES_MAX) {
        reject(new StripeError(413, 'invalid_request_error', 'Request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res, status, value, headers = {}) {
  const body = typeof value === 'string' ? value : JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'request-id': randomId('req'),
    ...headers,
  });
  res.end(body);
}

// What a session looks like once an event reports it.
function sessionStateFor(type) {
  switch (type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
      return { status: 'complete', payment_status: 'paid' };
    case 'checkout.session.async_payment_failed':
      return { status: 'complete', payment_status: 'unpaid' };
    case 'checkout.session.expired':
      return { status: 'expired', payment_status: 'unpaid', url: null };
    default:
      return {};
  }
}

// A Stripe event of `type` about `session`. overrides replace top-level
// fields (id, created, …); overrides.dataObject is merged into data.object.
export function makeEvent(type, session, overrides = {}) {
  const { dataObject, ...top } = overrides;
  return {
    id: randomId('evt'),
    object: 'event',
    api_version: API_VERSION,
    created: nowSeconds(),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object: { ...session, ...sessionStateFor(type), ...dataObject } },
    ...top,
  };
}

// POSTs event (or opts.body, raw) to url as Stripe would. The signature is
// made with opts.secret at opts.timestamp (default now) unless
// opts.signatureHeader gives the header (null: send none). Returns
// {status, body}.
export async function deliver(url, event, opts = {}) {
  const body = opts.body ?? JSON.stringify(event);
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
  };
  if (opts.signatureHeader === undefined) {
    if (!opts.secret) throw new Error('deliver: give opts.secret or opts.signatureHeader');
    headers['stripe-signature'] = sign(body, opts.secret, opts.timestamp ?? nowSeconds());
  } else if (opts.signatureHeader !== null) {
    headers['stripe-signature'] = opts.signatureHeader;
  }
  const r = await fetch(url, { method: 'POST', headers, body });
  return { status: r.status, body: await r.text() };
}

function createSession(state, params) {
  const { items, successUrl, cancelUrl } = checkSessionParams(params);
  const id = `cs_test_${randomBytes(16).toString('hex')}`;
  const amount = items.reduce((sum, x) => sum + x.quantity * x.unitAmount, 0);
  const created = state.now();
  const session = {
    id,
    object: 'checkout.session',
    url: `${state.url}/c/pay/${id}`,
    mode: 'payment',
    amount_subtotal: amount,
    amount_total: amount,
    currency: items[0].currency,
    status: 'open',
    payment_status: 'unpaid',
    client_reference_id: params.client_reference_id ?? null,
    customer_email: params.customer_email ?? null,
    metadata: params.metadata ?? {},
    success_url: successUrl,
    cancel_url: cancelUrl,
    payment_intent: null,
    created,
    expires_at: created + SESSION_LIFETIME_S,
    livemode: false,
  };
  state.sessions.set(id, session);
  state.lineItems.set(id, items);
  return session;
}

function lineItemList(state, id) {
  const items = state.lineItems.get(id).map((x) => ({
    id: randomId('li'),
    object: 'item',
    amount_subtotal: x.quantity * x.unitAmount,
    amount_total: x.quantity * x.unitAmount,
    currency: x.currency,
    description: x.name,
    quantity: x.quantity,
    price: { object: 'price', currency: x.currency, unit_amount: x.unitAmount },
  }));
  return { object: 'list', data: items, has_more: false, url: `/v1/checkout/sessions/${id}/line_items` };
}

function findSession(state, id) {
  const session = state.sessions.get(id);
  if (!session)
    throw new StripeError(404, 'invalid_request_error', `No such checkout.session: '${id}'`, {
      code: 'resource_missing',
      param: 'session',
    });
  return session;
}

// POST /v1/checkout/sessions with Stripe's idempotency: the same key and the
// same body replay the first answer; the same key and another body is an
// idempotency_error.
async function routeCreate(state, req, res, raw) {
  const key = req.headers['idempotency-key'];
  const fingerprint = createHash('sha256').update(raw).digest('hex');
  const seen = key !== undefined ? state.idempotency.get(key) : undefined;
  if (seen && seen.fingerprint !== fingerprint)
    throw new StripeError(
      400,
      'idempotency_error',
      'Keys for idempotent requests can only be used with the same parameters they were first ' +
        `used with. Try using a key other than '${key}' if you meant to execute a different request.`,
    );
  if (seen) return sendJson(res, seen.status, seen.body, { 'idempotent-replayed': 'true', 'idempotency-key': key });
  let status = 200;
  let body;
  try {
    body = createSession(state, decodeForm(raw));
  } catch (e) {
    if (!(e instanceof StripeError)) throw e;
    status = e.status;
    body = e.body;
  }
  if (key !== undefined) state.idempotency.set(key, { fingerprint, status, body });
  sendJson(res, status, body, key !== undefined ? { 'idempotency-key': key } : {});
}

function checkAuth(state, req) {
  const key = keyFromAuthorization(req.headers.authorization);
  if (key === null)
    throw new StripeError(
      401,
      'invalid_request_error',
      'You did not provide an API key. You need to provide your API key in the Authorization ' +
        "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    );
  if (key !== state.secretKey)
    throw new StripeError(401, 'invalid_request_error', `Invalid API Key provided: ${maskKey(key)}`);
}

// The answer /_standin/fail-next asked for, after its delay; true when it
// answered (a delay alone lets the request go on).
async function consumeFailure(state, res) {
  const f = state.pendingFailure;
  if (!f) return false;
  state.pendingFailure = null;
  if (f.delay_ms) await new Promise((r) => state.timers.add(setTimeout(r, f.delay_ms)));
  if (f.status === undefined) return false;
  if (f.raw !== undefined) sendJson(res, f.status, String(f.raw));
  else if (f.body !== undefined) sendJson(res, f.status, f.body);
  else
    sendJson(res, f.status, {
      error: { type: 'api_error', message: `The stand-in was told to fail this request (${f.status})` },
    });
  return true;
}

async function routeApi(state, req, res, path, raw) {
  if (await consumeFailure(state, res)) return;
  checkAuth(state, req);
  const m = /^\/v1\/checkout\/sessions(?:\/([^/]+))?(\/line_items)?$/.exec(path);
  if (m && req.method === 'POST' && !m[1]) return routeCreate(state, req, res, raw);
  if (m && req.method === 'GET' && m[1] && !m[2]) return sendJson(res, 200, findSession(state, m[1]));
  if (m && req.method === 'GET' && m[1] && m[2]) {
    findSession(state, m[1]);
    return sendJson(res, 200, lineItemList(state, m[1]));
  }
  throw new StripeError(404, 'invalid_request_error', `Unrecognized request URL (${req.method}: ${path}).`);
}

// "Pays" or expires a session the way Stripe would report it: the session
// changes, and the event goes to the webhook URL signed with the secret.
async function routePay(state, req, res, id, action) {
  const session = findSession(state, id);
  if (session.status !== 'open')
    throw new StripeError(400, 'invalid_request_error', 'This Checkout Session is no longer open');
  const type = action === 'complete' ? 'checkout.session.completed' : 'checkout.session.expired';
  Object.assign(session, sessionStateFor(type));
  if (action === 'complete') session.payment_intent = randomId('pi');
  const event = makeEvent(type, session, { created: state.now() });
  let delivered = null;
  if (state.webhookUrl) {
    try {
      delivered = await deliver(state.webhookUrl, event, { secret: state.webhookSecret, timestamp: state.now() });
    } catch (e) {
      delivered = { error: String(e.message || e) };
    }
    state.deliveries.push({ event, ...delivered });
  }
  const fromBrowser = (req.headers['content-type'] || '').startsWith('application/x-www-form-urlencoded');
  const next = action === 'complete' ? session.success_url : session.cancel_url;
  if (fromBrowser && next) {
    res.writeHead(303, { location: next });
    return res.end();
  }
  sendJson(res, 200, { event, delivered });
}

function payPage(state, res, id) {
  const s = findSession(state, id);
  const esc = (x) => String(x).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><title>Stripe stand-in</title><link rel="icon" href="data:,">
<h1>${esc((s.amount_total / 100).toFixed(2))} ${esc(s.currency.toUpperCase())}</h1>
<p>Session ${esc(s.id)}: ${esc(s.status)}, ${esc(s.payment_status)}</p>
<form method="post" action="/c/pay/${esc(s.id)}/complete"><button>Pay</button></form>
<form method="post" action="/c/pay/${esc(s.id)}/expire"><button>Let it expire</button></form>`);
}

async function route(state, req, res) {
  const path = new URL(req.url, state.url).pathname;
  const raw = await readBody(req);
  if (req.method === 'POST' && path === '/_standin/fail-next') {
    const f = raw ? JSON.parse(raw) : {};
    if (f.status !== undefined && !(Number.isInteger(f.status) && f.status >= 100 && f.status <= 599))
      return sendJson(res, 400, { error: { message: 'status must be an HTTP status' } });
    state.pendingFailure = f;
    return sendJson(res, 200, { armed: f });
  }
  if (path.startsWith('/v1/')) return routeApi(state, req, res, path, raw);
  const pay = /^\/c\/pay\/([^/]+)(?:\/(complete|expire))?$/.exec(path);
  if (pay && req.method === 'GET' && !pay[2]) return payPage(state, res, pay[1]);
  if (pay && req.method === 'POST' && pay[2]) return routePay(state, req, res, pay[1], pay[2]);
  throw new StripeError(404, 'invalid_request_error', `Unrecognized request URL (${req.method}: ${path}).`);
}

// Starts the stand-in on 127.0.0.1 (port 0: any free port). webhookUrl may be
// set later on the returned object, once the server that receives it is up.
export async function startStandin({
  secretKey = DEFAULT_SECRET_KEY,
  webhookSecret = DEFAULT_WEBHOOK_SECRET,
  webhookUrl = null,
  port = 0,
  now = nowSeconds,
} = {}) {
  const state = {
    secretKey,
    webhookSecret,
    webhookUrl,
    now,
    url: null,
    sessions: new Map(),
    lineItems: new Map(),
    idempotency: new Map(),
    deliveries: [],
    pendingFailure: null,
    timers: new Set(),
  };
  const server = http.createServer((req, res) => {
    route(state, req, res).catch((e) => {
      if (res.headersSent) return res.destroy();
      if (e instanceof StripeError) return sendJson(res, e.status, e.body);
      if (e instanceof SyntaxError) return sendJson(res, 400, { error: { message: `Invalid JSON: ${e.message}` } });
      sendJson(res, 500, { error: { type: 'api_error', message: `stand-in bug: ${e.message}` } });
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actualPort = server.address().port;
  state.url = `http://127.0.0.1:${actualPort}`;
  return {
    url: state.url,
    port: actualPort,
    sessions: state.sessions,
    deliveries: state.deliveries,
    get webhookUrl() {
      return state.webhookUrl;
    },
    set webhookUrl(u) {
      state.webhookUrl = u;
    },
    // The next /v1/ call answers status (with body, or Stripe's api_error
    // body) after delayMs; without a status it is only delayed.
    failNext(status, { body, raw, delayMs } = {}) {
      state.pendingFailure = { status, body, raw, delay_ms: delayMs };
    },
    stop() {
      for (const t of state.timers) clearTimeout(t);
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
    },
  };
}

function parseArgs(argv) {
  const opts = { port: 0, printPort: false, lifeline: false };
  const valued = { '--port': 'port', '--secret-key': 'secretKey', '--webhook-secret': 'webhookSecret', '--webhook-url': 'webhookUrl' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--print-port') opts.printPort = true;
    else if (a === '--stdin-lifeline') opts.lifeline = true;
    else if (valued[a] && i + 1 < argv.length) opts[valued[a]] = argv[++i];
    else throw new Error(`unknown or incomplete option '${a}'`);
  }
  opts.port = Number(opts.port);
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error('--port wants 0..65535');
  return opts;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`stripe_standin: ${e.message}\n`);
    process.exit(2);
  }
  const standin = await startStandin(opts);
  if (opts.printPort) process.stdout.write(`${standin.port}\n`);
  else
    process.stderr.write(
      `stripe stand-in on ${standin.url} (webhooks to ${standin.webhookUrl ?? 'nowhere'})\n`,
    );
  const quit = () => standin.stop().then(() => process.exit(0));
  process.on('SIGTERM', quit);
  process.on('SIGINT', quit);
  if (opts.lifeline) {
    process.stdin.on('end', quit);
    process.stdin.on('error', quit);
    process.stdin.resume();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
