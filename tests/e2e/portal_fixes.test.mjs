// Issue 13's portal defects in a real browser against `creditd demo`, each
// test failing without its fix: no word in a table cell or badge broken
// across lines on any portal page at 1280 px (and the pages fit 390 px);
// the admin customer page's balance and available with a paused lot; the
// order form's "after" from the available balance; ledger references and
// reasons in words; only configured payment methods; orders that need the
// original and the vehicle, an upload later, a cancel that asks first and
// services on My orders; a technician's monthly limit left; paged lists,
// setting lists, one size unit and plurals; charts with axes and values;
// and axe-core on each page touched (no serious or critical violation).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, openPage, signIn, problems, shoot, brokenWords, axeViolations,
  ADMIN, OWNER, TECH, DESKTOP, PHONE390 } from './browser.mjs';
import { Client } from '../api/harness.mjs';

const V = '/api/v1';
const SIGN_IN = /401/;

let portal;
let admin; // the API as the admin, to set up and to check
let owner; // the API as Weber's owner
let weber; // Weber's customer id

before(async () => {
  portal = await startPortal();
  admin = new Client(portal.url);
  assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
  owner = new Client(portal.url);
  assert.equal((await owner.login(OWNER.email, OWNER.password)).status, 200);
  weber = (await owner.get(`${V}/me`)).json.customer_id;
});
after(async () => { await portal?.stop(); });

async function as(who, viewport = DESKTOP) {
  const page = await openPage(portal, viewport);
  await signIn(page, portal.url, who);
  return page;
}

// Opens a page of the portal and waits until it has drawn (a heading, and no
// loading line left in it).
async function open(page, path) {
  await page.goto(`${portal.url}/#${path}`);
  await page.waitForFunction(() => {
    const main = document.querySelector('main');
    return main && main.querySelector('h1') && !main.querySelector('.loading');
  });
}

async function firstId(path) {
  const r = await admin.get(`${V}/${path}`);
  assert.equal(r.status, 200, r.text);
  return r.json.items[0]?.id;
}

async function clean(page, name) {
  assert.deepEqual(await axeViolations(page), [], `${name}: axe`);
}

// Every page of the portal, as who sees it.
async function everyPage() {
  const order = (await owner.get(`${V}/orders?limit=1`)).json.items[0].id;
  const event = await firstId('events?limit=1');
  return [
    ...['/credits', '/history', '/shop', '/orders/new', '/orders', `/orders/${order}`, '/invoices', '/team',
      '/notifications', '/account', '/security'].map((p) => [OWNER, p]),
    ...['/admin', '/admin/orders', `/admin/orders/${order}`, '/admin/customers', `/admin/customers/${weber}`,
      '/admin/transactions', '/admin/invoices', '/admin/packages', '/admin/services', '/admin/events',
      event ? `/admin/events/${event}` : null, '/admin/notifications', '/admin/webhooks', '/admin/settings',
      '/admin/users', '/admin/api-keys', '/admin/security', '/account'].filter(Boolean).map((p) => [ADMIN, p]),
  ];
}

test('no word in a table cell or badge is broken across lines on any portal page at 1280 px', async () => {
  const pages = new Map();
  const broken = [];
  for (const [who, path] of await everyPage()) {
    if (!pages.has(who)) pages.set(who, await as(who, DESKTOP));
    const page = pages.get(who);
    await open(page, path);
    for (const b of await brokenWords(page)) broken.push(`${path}: ${b}`);
  }
  assert.deepEqual([...new Set(broken)], []);
  for (const page of pages.values()) {
    assert.deepEqual(problems(page, [SIGN_IN]), []);
    await page.closeAll();
  }
});

test('every portal page fits 390 px with no word in a table cell or badge broken', async () => {
  const pages = new Map();
  const broken = [];
  const wide = [];
  for (const [who, path] of await everyPage()) {
    if (!pages.has(who)) pages.set(who, await as(who, PHONE390));
    const page = pages.get(who);
    await open(page, path);
    for (const b of await brokenWords(page)) broken.push(`${path}: ${b}`);
    const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (over > 0) wide.push(`${path}: ${over} px too wide`);
  }
  assert.deepEqual(wide, []);
  assert.deepEqual([...new Set(broken)], []);
  for (const page of pages.values()) {
    assert.deepEqual(problems(page, [SIGN_IN]), []);
    await page.closeAll();
  }
});

// Weber's biggest active lot of a type, paused for the length of fn; a
// small manual lot is added first so that something stays available.
async function withPausedLot(code, fn) {
  const add = await admin.post(`${V}/customers/${weber}/lots`, { credit_type: code, credits: '30', name: 'Spare', reason: 'test' });
  assert.equal(add.status, 201, add.text);
  const lots = (await admin.get(`${V}/customers/${weber}/lots?limit=200`)).json.items
    .filter((l) => l.credit_type === code && l.status === 'active' && Number(l.remaining) > 0)
    .sort((a, b) => Number(b.remaining) - Number(a.remaining));
  assert.ok(lots.length >= 2, 'Weber has two active lots to pause one of');
  const lot = lots[0];
  assert.equal((await admin.post(`${V}/lots/${lot.id}/pause`, { reason: 'test' })).status, 200);
  try {
    return await fn(lot);
  } finally {
    assert.equal((await admin.post(`${V}/lots/${lot.id}/resume`, {})).status, 200);
  }
}

test('a paused lot: the admin customer page shows balance and available apart', async () => {
  await withPausedLot('master', async (lot) => {
    const c = (await admin.get(`${V}/customers/${weber}`)).json.balances.master;
    assert.equal(Number(c.balance) - Number(c.available), Number(lot.remaining) + Number(c.held));
    const page = await as(ADMIN);
    await open(page, `/admin/customers/${weber}`);
    const name = (await admin.get(`${V}/credit-types`)).json.items.find((t) => t.code === 'master').name;
    const said = await page.locator(`section.card[aria-label="${name}"] p.sub`).first().textContent();
    assert.match(said, new RegExp(`^${c.available} available`), said);
    assert.match(said, new RegExp(`${lot.remaining} paused or not started`), said);
    await clean(page, 'admin customer');
    assert.deepEqual(problems(page, [SIGN_IN]), []);
    await page.closeAll();
  });
});

test('a paused lot: the order form counts "after" from the available credits, never more than before', async () => {
  await withPausedLot('master', async () => {
    const c = (await admin.get(`${V}/customers/${weber}`)).json.balances.master;
    const form = await as(OWNER);
    await open(form, '/orders/new?type=master');
    await form.locator('input[name="base"]').first().check();
    const after = form.locator('#quote-after');
    await after.waitFor();
    const cost = (await owner.post(`${V}/quotes`, {
      credit_type: 'master', services: [await form.locator('input[name="base"]').first().getAttribute('value')],
    })).json.total;
    assert.equal(await after.textContent(), String(Number(c.available) - Number(cost)));
    assert.ok(Number(await after.textContent()) <= Number(c.available), 'after is never more than before');
    assert.match(await form.locator('.quote .balance').textContent(), new RegExp(`^Available ${c.available} → `));
    await clean(form, 'new order');
    assert.deepEqual(problems(form, [SIGN_IN]), []);
    await form.closeAll();
  });
});

const INTERNAL_ID = /\b(ord|lot|inv|jrn|trf)_\d+\b/;

// The text of each column of a page's first table whose header is `label`.
async function column(page, label, scope = 'main') {
  return page.evaluate(([name, where]) => {
    const out = [];
    for (const t of document.querySelectorAll(`${where} table`)) {
      const heads = [...t.querySelectorAll('thead th')].map((x) => x.textContent.trim());
      const i = heads.indexOf(name);
      if (i < 0) continue;
      for (const tr of t.querySelectorAll('tbody tr')) out.push(tr.children[i].textContent.trim());
    }
    return out;
  }, [label, scope]);
}

test('ledger tables show references people know and reasons in words; an order shows lot names and peak only when charged', async () => {
  const admin1 = await as(ADMIN);
  for (const path of ['/admin/transactions', `/admin/customers/${weber}`]) {
    await open(admin1, path);
    await admin1.locator('main table').first().waitFor();
    const refs = await column(admin1, 'Reference');
    const reasons = await column(admin1, 'Reason');
    assert.ok(refs.length > 0, path);
    assert.deepEqual(refs.filter((x) => INTERNAL_ID.test(x)), [], `${path}: internal ids under Reference`);
    assert.deepEqual(reasons.filter((x) => /^ORD-/.test(x) || INTERNAL_ID.test(x)), [], `${path}: references under Reason`);
    assert.ok(refs.some((x) => /^ORD-\d{4}-\d+$/.test(x)), `${path}: an order's reference`);
    assert.deepEqual(reasons.filter((x) => /^(correction|compensation|goodwill|refund|transfer|other)\b/.test(x)), [], `${path}: reason codes`);
    await clean(admin1, path);
  }
  const order = (await owner.get(`${V}/orders?limit=50`)).json.items.find((o) => o.status !== 'cancelled');
  const full = (await owner.get(`${V}/orders/${order.id}`)).json;
  assert.ok(full.allocations.every((a) => Number(a.multiplier) === 1));
  await open(admin1, `/admin/orders/${order.id}`);
  const charged = admin1.locator('table', { has: admin1.locator('caption', { hasText: 'Charged from' }) });
  const text = await charged.textContent();
  assert.doesNotMatch(text, INTERNAL_ID);
  assert.doesNotMatch(text, /Peak/);
  await clean(admin1, 'admin order');
  assert.deepEqual(problems(admin1, [SIGN_IN]), []);
  await admin1.closeAll();

  const cust = await as(OWNER);
  await open(cust, '/history');
  await cust.locator('main table').first().waitFor();
  const refs = await column(cust, 'Reference');
  assert.deepEqual(refs.filter((x) => INTERNAL_ID.test(x)), []);
  assert.ok(refs.some((x) => /^ORD-\d{4}-\d+$/.test(x)));
  assert.deepEqual((await column(cust, 'Reason')).filter((x) => /^ORD-/.test(x)), []);
  await open(cust, `/orders/${order.id}`);
  assert.doesNotMatch(await cust.locator('main').textContent(), INTERNAL_ID);
  await clean(cust, 'history');
  assert.deepEqual(problems(cust, [SIGN_IN]), []);
  await cust.closeAll();
});

test('the shop offers only the payment methods the server has; a method keeps its name on one line', async () => {
  const page = await as(OWNER, PHONE390);
  await open(page, '/shop');
  await page.locator('button[aria-label^="Buy "]').first().click();
  const dlg = page.getByRole('dialog');
  await dlg.waitFor();
  assert.equal(await dlg.getByRole('radio', { name: /Card/ }).count(), 0, 'no card without Stripe');
  assert.match(await dlg.textContent(), /You pay by bank transfer/);
  await clean(page, 'shop dialog');
  await dlg.getByRole('button', { name: 'Cancel' }).click();
  assert.deepEqual(problems(page, [SIGN_IN]), []);
  await page.closeAll();

  // A server with Stripe set up offers both; "Bank transfer" stays whole at 390 px.
  const card = await startPortal({ env: { CREDITD_STRIPE_SECRET_KEY: 'sk_test_issue13', CREDITD_STRIPE_API_BASE: 'http://127.0.0.1:9' } });
  try {
    const p2 = await openPage(card, PHONE390);
    await signIn(p2, card.url, OWNER);
    await p2.goto(`${card.url}/#/shop`);
    await p2.locator('button[aria-label^="Buy "]').first().click();
    const d2 = p2.getByRole('dialog');
    await d2.getByRole('radio', { name: /Card/ }).waitFor();
    await d2.getByRole('radio', { name: /Bank transfer/ }).waitFor();
    const lines = await p2.evaluate(() => {
      const span = [...document.querySelectorAll('dialog label.choice > span')].find((s) => s.textContent === 'Bank transfer');
      const r = document.createRange();
      r.selectNodeContents(span);
      return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size;
    });
    assert.equal(lines, 1, '"Bank transfer" on one line');
    await clean(p2, 'shop dialog with card');
    assert.deepEqual(problems(p2, [SIGN_IN]), []);
    await p2.closeAll();
  } finally {
    await card.stop();
  }
});

test('a technician sees how much of the monthly limit is left on My credits and New order', async () => {
  const tech = new Client(portal.url);
  assert.equal((await tech.login(TECH.email, TECH.password)).status, 200);
  const techId = (await tech.get(`${V}/me`)).json.user_id;
  assert.equal((await owner.patch(`${V}/customers/${weber}/members/${techId}`, { monthly_limits: { master: '40' } })).status, 200);
  try {
    const page = await as(TECH);
    await open(page, '/credits');
    const text = await page.locator('main').textContent();
    const m = /(\d+) of 40 Master credits left this month/.exec(text);
    assert.ok(m, `My credits says what is left: ${text}`);
    await clean(page, 'credits (technician)');
    await open(page, '/orders/new?type=master');
    await page.getByText(`${m[1]} of 40 Master credits left this month`).waitFor();
    await clean(page, 'new order (technician)');
    assert.deepEqual(problems(page, [SIGN_IN]), []);
    await page.closeAll();
  } finally {
    await owner.patch(`${V}/customers/${weber}/members/${techId}`, { monthly_limits: { master: null } });
  }
});

test('an order needs the original and the vehicle; a missing original can be uploaded later; cancelling asks first; My orders lists the services', async () => {
  const page = await as(OWNER);
  await open(page, '/orders/new?type=master');
  await page.locator('input[name="base"]').first().check();
  await page.locator('#quote-total').waitFor();
  await page.getByRole('button', { name: 'Place order' }).click();
  for (const name of ['Original file (ECU read)', 'Make', 'Model']) {
    assert.equal(await page.getByLabel(name, { exact: true }).getAttribute('aria-invalid'), 'true', `${name} is required`);
  }
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'New order', 'nothing was ordered');
  await clean(page, 'new order refused');

  // The API refuses a member's order without make and model, and charges nothing.
  const stage1 = (await owner.get(`${V}/services`)).json.items.find((s) => s.name === 'Stage 1').id;
  const before = (await owner.get(`${V}/customers/${weber}`)).json.balances.master.balance;
  const refused = await owner.post(`${V}/orders`, { credit_type: 'master', services: [stage1] });
  assert.equal(refused.status, 422, refused.text);
  assert.deepEqual(refused.json.errors.map((e) => e.field).sort(), ['vehicle.make', 'vehicle.model']);
  assert.equal((await owner.get(`${V}/customers/${weber}`)).json.balances.master.balance, before);

  // An order without its original (placed through the API): upload it later.
  const o = (await owner.post(`${V}/orders`, { credit_type: 'master', services: [stage1], vehicle: { make: 'Skoda', model: 'Octavia' } })).json;
  await open(page, `/orders/${o.id}`);
  await page.getByRole('heading', { name: 'The original file is missing' }).waitFor();
  await page.getByLabel('Original file (ECU read)').setInputFiles({ name: 'late read.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(4096, 7) });
  await page.getByRole('button', { name: 'Upload the original' }).click();
  await page.getByRole('link', { name: 'late read.bin' }).waitFor();
  assert.equal(await page.getByRole('heading', { name: 'The original file is missing' }).count(), 0);
  await clean(page, 'order');

  // Cancelling asks in a dialog: Escape keeps the order; confirming cancels it.
  await page.getByRole('button', { name: 'Cancel order…' }).click();
  const ask = page.getByRole('dialog', { name: `Cancel order ${o.reference}?` });
  await ask.waitFor();
  await clean(page, 'cancel dialog');
  await page.keyboard.press('Escape');
  await ask.waitFor({ state: 'detached' });
  assert.equal((await owner.get(`${V}/orders/${o.id}`)).json.status, 'submitted');
  await page.getByRole('button', { name: 'Cancel order…' }).click();
  await ask.getByLabel('Reason (optional)').fill('Changed my mind');
  await ask.getByRole('button', { name: 'Cancel order' }).click();
  await page.getByText('Cancelled.', { exact: false }).first().waitFor();
  assert.equal((await owner.get(`${V}/orders/${o.id}`)).json.status, 'cancelled');

  await open(page, '/orders');
  const services = await column(page, 'Services');
  assert.ok(services.length > 0 && services.every((x) => x !== '–' && x.length > 0), JSON.stringify(services));
  assert.ok(services.includes('Stage 1'));
  await clean(page, 'my orders');
  assert.deepEqual(problems(page, [SIGN_IN, /status of 422/]), []);
  await page.closeAll();
});

test('dashboard charts have a value axis, dates and values per day; no chart for store credit; held store credit is worded as invoices', async () => {
  const types = (await admin.get(`${V}/credit-types`)).json.items;
  const store = types.find((t) => t.kind === 'monetary');
  assert.ok(store, 'the demo has a store credit type');
  // Store credit applied to an unpaid (bank transfer) invoice is held.
  assert.equal((await admin.post(`${V}/customers/${weber}/lots`, { credit_type: store.code, credits: '20.00', reason: 'test' })).status, 201);
  const pkg = (await owner.get(`${V}/packages`)).json.items[0];
  const buy = await owner.post(`${V}/purchases`, { package_id: pkg.id, gateway: 'manual' });
  assert.equal(buy.status, 201, buy.text);
  const dash = (await admin.get(`${V}/admin/dashboard`)).json;
  assert.ok(Number(dash.credit_types[store.code].held) > 0, 'store credit is held for the invoice');

  for (const viewport of [DESKTOP, PHONE390]) {
    const page = await as(ADMIN, viewport);
    await open(page, '/admin');
    const cards = page.locator('section.type-card');
    for (const t of types.filter((x) => dash.credit_types[x.code])) {
      const card = cards.filter({ has: page.getByRole('heading', { name: t.name, exact: true }) });
      const charts = card.locator('svg.chart');
      if (t.kind === 'monetary') {
        assert.equal(await charts.count(), 0, `${t.name}: no chart`);
        assert.match(await card.textContent(), /applied to unpaid invoices/);
        assert.doesNotMatch(await card.textContent(), /open orders/);
        continue;
      }
      assert.equal(await charts.count(), 1, `${t.name}: one chart`);
      const labels = await charts.locator('text').allTextContents();
      const series = dash.credit_types[t.code].sold_30d;
      const top = String(Math.max(...series.map(Number)));
      assert.ok(labels.includes(top) && labels.includes('0'), `${t.name}: value axis ${labels}`);
      assert.ok(labels.some((x) => /^\d{1,2} \w{3}/.test(x)), `${t.name}: dates on the x axis ${labels}`);
      assert.equal(await charts.locator('rect > title').count(), 30);
      await card.getByText('Values per day').click();
      assert.equal(await card.locator('details table tbody tr').count(), 30);
    }
    await clean(page, `dashboard ${viewport.width}`);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'fits');
    assert.deepEqual(problems(page, [SIGN_IN]), []);
    await page.closeAll();
  }
  const cust = await as(OWNER);
  await open(cust, '/credits');
  const storeCard = cust.locator('section.credit-card').filter({ has: cust.getByRole('heading', { name: store.name }) });
  assert.equal(await storeCard.locator('svg').count(), 0, 'no spending chart for store credit');
  await clean(cust, 'credits');
  await cust.closeAll();
});

test('long lists come a page at a time; settings pick currency, zone and country from lists; one size unit; singular and plural', async () => {
  // The customer's transactions on a phone: a page of entries with Older.
  const cust = await as(OWNER, PHONE390);
  await open(cust, '/history');
  const older = cust.getByRole('navigation', { name: 'Transaction pages' }).getByRole('button', { name: 'Older' });
  await older.waitFor();
  assert.ok(await cust.locator('main tbody tr').count() <= 20);
  const firstRow = await cust.locator('main tbody tr').first().getAttribute('data-id');
  await older.click();
  await cust.waitForFunction((id) => {
    const tr = document.querySelector('main tbody tr');
    return tr && tr.dataset.id !== id && !document.querySelector('main .loading');
  }, firstRow);
  assert.match(await cust.locator('.pager-at').textContent(), /Page 2/);
  await clean(cust, 'history page 2');
  // Sizes: binary units, the same on the customer's and the admin's pages.
  const units = await cust.evaluate(async () => {
    const f = await import('/assets/fmt.js');
    const i = await import('/assets/i18n.js');
    return [f.bytes(2 * 1048576), f.bytes(1536), f.bytes(1), f.amountOf('1', 'Master credits'),
      f.amountOf('5', 'Master credits'), i.tn('ui.minutes', 1), i.tn('ui.minutes', 0), f.waitText(60)];
  });
  assert.deepEqual(units, ['2.0 MiB', '1.5 KiB', '1 byte', '1 Master credit', '5 Master credits', '1 minute', '0 minutes', '1 minute']);
  const withFile = (await owner.get(`${V}/orders?limit=50`)).json.items[0];
  const file = (await owner.get(`${V}/orders/${withFile.id}`)).json.files[0];
  if (file) {
    await open(cust, `/orders/${withFile.id}`);
    const customerSize = await cust.locator('main table td[data-label="Size"]').first().textContent();
    assert.match(customerSize, /^(\d+ bytes?|[\d.,]+ (KiB|MiB))$/);
    const adm = await as(ADMIN);
    await open(adm, `/admin/orders/${withFile.id}`);
    assert.equal(await adm.locator('main table td[data-label="Size"]').first().textContent(), customerSize);
    await adm.closeAll();
  }
  assert.deepEqual(problems(cust, [SIGN_IN]), []);
  await cust.closeAll();

  // Admin invoices: a page at a time.
  const page = await as(ADMIN);
  await open(page, '/admin/invoices');
  await page.locator('main tbody tr').first().waitFor();
  assert.ok(await page.locator('main tbody tr').count() <= 20);

  // Settings: lists, not free text.
  await open(page, '/admin/settings');
  for (const name of ['currency', 'timezone', 'country']) {
    assert.equal(await page.locator(`main form [name="${name}"]`).evaluate((el) => el.tagName), 'SELECT', name);
  }
  assert.ok(await page.locator('main form select[name="timezone"] option').count() > 300);
  assert.ok(await page.locator('main form select[name="country"] option[value="DE"]').count() === 1);
  await page.locator('main form select[name="timezone"]').selectOption('Europe/Vienna');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Settings saved.').waitFor();
  assert.equal((await admin.get(`${V}/settings`)).json.timezone, 'Europe/Vienna');
  assert.equal((await admin.patch(`${V}/settings`, { timezone: 'Europe/Berlin' })).status, 200);
  await clean(page, 'settings');
  assert.deepEqual(problems(page, [SIGN_IN]), []);
  await page.closeAll();
});
