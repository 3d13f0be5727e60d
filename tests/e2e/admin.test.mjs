// The admin pages in a real browser against `creditd demo`: a package made
// and published reaches the customer's shop; credits added by hand need a
// reason and show up as a lot and a ledger entry; a lot paused and extended
// through dialogs that ask why; the transactions filtered by the acting admin
// and exported as exactly those rows; a file delivered on an order from the
// queue completes it; a deduction without justification is refused next to
// the field; and every admin page at desktop and phone width. Each test ends
// with no console errors, exceptions or failed requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startPortal, openPage, signIn, problems, shoot, ADMIN, OWNER, PHONE } from './browser.mjs';
import { Client } from '../api/harness.mjs';

const V = '/api/v1';
// The tenant's formats (GET /me: en-IE, Europe/Berlin in the demo).
const DAY = new Intl.DateTimeFormat('en-IE', { dateStyle: 'medium', timeZone: 'Europe/Berlin' });
const BERLIN_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' });

let portal;
let admin; // the API as the admin, to set up and to check
let owner; // the API as Weber's owner

before(async () => {
  portal = await startPortal();
  admin = new Client(portal.url);
  assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
  owner = new Client(portal.url);
  assert.equal((await owner.login(OWNER.email, OWNER.password)).status, 200);
});
after(async () => { await portal?.stop(); });

async function adminPage(viewport) {
  const page = await openPage(portal, viewport);
  await signIn(page, portal.url, ADMIN);
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

async function customerId(name) {
  const r = await admin.get(`${V}/customers?q=${encodeURIComponent(name)}`);
  return r.json.items.find((c) => c.name === name).id;
}

async function allPages(path) {
  const items = [];
  let cursor = null;
  do {
    const r = await admin.get(`${path}${path.includes('?') ? '&' : '?'}limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    items.push(...r.json.items);
    cursor = r.json.next_cursor;
  } while (cursor);
  return items;
}

// RFC 4180 rows (quoted fields may hold commas, quotes and newlines).
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else if (c !== '\r') field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

test('a package made and published in the admin reaches the customer\'s shop; withdrawn, it leaves', async () => {
  const page = await adminPage();
  await open(page, '/admin/packages');
  await page.getByRole('button', { name: 'Add package' }).click();
  const dlg = page.getByRole('dialog', { name: 'Add a package' });
  await dlg.getByLabel('Name').fill('Fleet 500');
  await dlg.getByLabel('Description').fill('For fleet customers');
  await dlg.getByLabel('Master credits', { exact: true }).fill('500');
  await dlg.getByLabel('Price excl. VAT').fill('649.00');
  await dlg.getByLabel('Published').check();
  await dlg.getByLabel('Credits expire after (days)').fill('365');
  await dlg.getByRole('button', { name: 'Add package' }).click();
  await page.getByRole('status').filter({ hasText: 'Package “Fleet 500” added and published.' }).waitFor();
  const master = page.locator('section.package-group').filter({ has: page.getByRole('heading', { name: 'Master credits' }) });
  const row = master.getByRole('row').filter({ hasText: 'Fleet 500' });
  await row.waitFor();
  const text = await row.innerText();
  assert.match(text, /Published/);
  assert.match(text, /500 Master credits/);
  assert.match(text, /€649\.00/);
  assert.match(text, /€1\.30/, 'per credit: 649.00 / 500, to the cent');
  assert.match(text, /365 days/);
  await shoot(page, 'admin-packages-added');

  const shop = (await owner.get(`${V}/packages`)).json.items;
  const p = shop.find((x) => x.name === 'Fleet 500');
  assert.ok(p, 'the owner sees the published package');
  assert.deepEqual(p.credits, { master: '500' });
  assert.equal(p.price, '649.00');
  assert.equal(p.validity.expiry_days, 365);
  // And in the customer's credit shop, in the browser.
  const customer = await openPage(portal);
  await signIn(customer, portal.url, OWNER);
  await customer.goto(`${portal.url}/#/shop`);
  await customer.getByRole('heading', { level: 3, name: 'Fleet 500' }).waitFor();
  assert.deepEqual(problems(customer, [/401/]), []);
  await customer.closeAll();

  await row.getByRole('button', { name: 'Withdraw Fleet 500' }).click();
  await page.getByRole('status').filter({ hasText: '“Fleet 500” is withdrawn from the shop.' }).waitFor();
  assert.match(await master.getByRole('row').filter({ hasText: 'Fleet 500' }).innerText(), /Draft/);
  assert.ok(!(await owner.get(`${V}/packages`)).json.items.some((x) => x.name === 'Fleet 500'));
  assert.ok((await admin.get(`${V}/packages`)).json.items.some((x) => x.name === 'Fleet 500'));
  assert.deepEqual(problems(page, [/401/]), []);
  await page.closeAll();
});

test('credits added by hand need a reason; the new lot and its ledger entry appear', async () => {
  const id = await customerId('Celtic Tuning');
  const before = (await admin.get(`${V}/customers/${id}`)).json.balances.master.balance;
  const page = await adminPage();
  await open(page, '/admin/customers');
  await page.getByLabel('Search customers').fill('Celtic');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: 'Celtic Tuning' }).click();
  await page.getByRole('heading', { name: 'Celtic Tuning', level: 1 }).waitFor();
  await page.waitForFunction(() => !document.querySelector('main .loading'));

  await page.getByRole('button', { name: 'Add credits' }).click();
  const dlg = page.getByRole('dialog', { name: 'Add credits' });
  await dlg.getByLabel('Credit type').selectOption('master');
  await dlg.getByLabel('Credits', { exact: true }).fill('12');
  await dlg.getByLabel('Source').selectOption('goodwill');
  await dlg.getByLabel('Validity').selectOption('days_from_start');
  await dlg.getByLabel('Days from the start').fill('90');
  await dlg.getByLabel('Lot name').fill('E2E welcome');
  await dlg.getByRole('button', { name: 'Add credits' }).click();
  // Rule 6: no reason, no credits; the message sits under the Reason field.
  const reason = dlg.getByLabel('Reason');
  await dlg.locator('.field[data-field="reason"] .field-error').filter({ hasText: 'is required' }).waitFor();
  assert.equal(await reason.getAttribute('aria-invalid'), 'true');
  assert.equal((await admin.get(`${V}/customers/${id}`)).json.balances.master.balance, before);
  await reason.fill('E2E: welcome credits');
  await dlg.getByRole('button', { name: 'Add credits' }).click();
  await page.getByRole('status').filter({ hasText: /12 Master credits added as lot_\d+/ }).waitFor();

  const lots = (await admin.get(`${V}/customers/${id}/lots`)).json.items;
  const lot = lots.find((l) => l.name === 'E2E welcome');
  assert.equal(lot.original, '12');
  assert.equal(lot.source, 'goodwill');
  const lotRow = page.locator(`tr[data-lot="${lot.id}"]`);
  assert.match(await lotRow.innerText(), /12 of 12/);
  assert.match(await lotRow.innerText(), new RegExp(DAY.format(new Date(lot.expires_at))));
  const entry = (await admin.get(`${V}/ledger?customer=${id}&limit=1`)).json.items[0];
  assert.equal(entry.kind, 'grant');
  assert.equal(entry.amount, '12');
  assert.equal(entry.reason, 'E2E: welcome credits');
  assert.equal(entry.actor, ADMIN.email);
  assert.equal(Number(entry.balance_after), Number(before) + 12);
  const ledgerRow = page.locator('table').filter({ has: page.getByText('Newest first; the balance after') }).locator('tbody tr').first();
  const ledgerText = await ledgerRow.innerText();
  assert.match(ledgerText, /Grant/);
  assert.match(ledgerText, /\+12/);
  assert.match(ledgerText, /E2E: welcome credits/);
  assert.match(ledgerText, new RegExp(`\\b${entry.balance_after}\\b`));
  const card = page.getByRole('region', { name: 'Master credits' });
  assert.match(await card.innerText(), new RegExp(`\\b${entry.balance_after}\\b`));
  assert.deepEqual(problems(page, [/401/]), []);
  await page.closeAll();
});

test('a lot is paused and then extended through dialogs that ask why', async () => {
  const id = await customerId('Hansen Motor');
  const made = await admin.post(`${V}/customers/${id}/lots`,
    { credit_type: 'slave', credits: '5', name: 'E2E pause', reason: 'e2e', expiry_days: 30 });
  assert.equal(made.status, 201, made.text);
  const lot = made.json;
  const page = await adminPage();
  await open(page, `/admin/customers/${id}`);
  const row = page.locator(`tr[data-lot="${lot.id}"]`);
  assert.match(await row.innerText(), /Active/);

  await row.getByRole('button', { name: `Pause E2E pause (${lot.id})` }).click();
  let dlg = page.getByRole('dialog', { name: `Pause E2E pause (${lot.id})` });
  await dlg.getByRole('button', { name: 'Pause' }).click();
  await dlg.locator('.field[data-field="reason"] .field-error').filter({ hasText: 'is required' }).waitFor();
  await dlg.getByLabel('Reason').fill('Workshop closed for a month');
  await dlg.getByRole('button', { name: 'Pause' }).click();
  await page.getByRole('status').filter({ hasText: 'now paused' }).waitFor();
  assert.match(await row.innerText(), /Paused/);
  assert.equal((await admin.get(`${V}/lots/${lot.id}`)).json.status, 'paused');

  const was = (await admin.get(`${V}/lots/${lot.id}`)).json.expires_at;
  const [y, m, d] = BERLIN_DAY.format(new Date(was)).split('-').map(Number);
  const later = new Date(Date.UTC(y, m - 1, d + 45)).toISOString().slice(0, 10);
  await row.getByRole('button', { name: `Extend E2E pause (${lot.id})` }).click();
  dlg = page.getByRole('dialog', { name: `Extend E2E pause (${lot.id})` });
  await dlg.getByLabel('New expiry date').fill(later);
  await dlg.getByRole('button', { name: 'Extend' }).click();
  await dlg.locator('.field[data-field="reason"] .field-error').filter({ hasText: 'is required' }).waitFor();
  await dlg.getByLabel('Reason').fill('Closed longer than planned');
  await dlg.getByRole('button', { name: 'Extend' }).click();
  await page.getByRole('status').filter({ hasText: 'now expires on' }).waitFor();
  const now = (await admin.get(`${V}/lots/${lot.id}`)).json;
  assert.equal(BERLIN_DAY.format(new Date(now.expires_at)), later);
  assert.ok(now.expires_at > was);
  assert.equal(now.status, 'paused');
  assert.match(await row.innerText(), new RegExp(DAY.format(new Date(now.expires_at))));
  assert.doesNotMatch(await row.innerText(), new RegExp(DAY.format(new Date(was))));

  await row.getByRole('button', { name: `History E2E pause (${lot.id})` }).click();
  const history = page.locator('section.lot-history');
  await history.getByRole('heading', { name: `History of E2E pause (${lot.id})` }).waitFor();
  await history.getByRole('cell', { name: 'Workshop closed for a month' }).waitFor();
  assert.match(await history.innerText(), /Extension/);
  await shoot(page, 'admin-customer-lot-history');
  assert.deepEqual(problems(page, [/401/]), []);
  await page.closeAll();
});

test('transactions filtered by the acting admin; the CSV export holds exactly those rows', async () => {
  const actor = 'admin@example.com'; // the demo's admin: grants, adjustments, payments
  const page = await adminPage();
  await open(page, '/admin/transactions');
  await page.getByLabel('Acting user').fill(actor);
  await page.getByLabel('Credit type').selectOption('master');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByRole('table').filter({ hasText: 'Transactions matching the filters' }).waitFor();
  await page.waitForFunction(() => !document.querySelector('main .loading'));
  assert.match(page.url(), /actor=admin%40example\.com/);

  const api = await allPages(`${V}/ledger?actor=${encodeURIComponent(actor)}&credit_type=master`);
  assert.ok(api.length > 10);
  assert.ok(api.every((e) => e.actor === actor && e.credit_type === 'master'));
  const shown = await page.locator('tbody tr[data-entry]').evaluateAll((rows) => rows.map((r) => r.dataset.entry));
  assert.deepEqual(shown, api.slice(0, 50).map((e) => e.id));

  const link = page.getByRole('link', { name: 'Export CSV' });
  assert.equal(await link.getAttribute('download'), 'ledger.csv');
  const href = await link.getAttribute('href');
  assert.match(href, /^\/api\/v1\/ledger\.csv\?/);
  const res = await page.context().request.get(new URL(href, portal.url).href);
  assert.equal(res.status(), 200);
  assert.match(res.headers()['content-type'], /text\/csv/);
  const [head, ...rows] = parseCsv(await res.text());
  assert.equal(head[0], 'id');
  const col = Object.fromEntries(head.map((k, i) => [k, i]));
  assert.deepEqual(rows.map((r) => r[col.id]), api.map((e) => e.id).reverse(), 'the same entries, oldest first');
  assert.ok(rows.every((r) => r[col.actor] === actor && r[col.credit_type] === 'master'));
  const byId = Object.fromEntries(api.map((e) => [e.id, e]));
  for (const r of rows) {
    assert.equal(r[col.amount], byId[r[col.id]].amount);
    assert.equal(r[col.balance_after], byId[r[col.id]].balance_after);
  }
  await shoot(page, 'admin-transactions-filtered');
  assert.deepEqual(problems(page, [/401/]), []);
  await page.closeAll();
});

test('an order taken from the queue is completed by delivering its file', async () => {
  const placed = await owner.post(`${V}/orders`, { credit_type: 'master', services: ['svc_1', 'svc_4'], vehicle: { make: 'Skoda', model: 'Octavia 2.0 TDI' } });
  assert.equal(placed.status, 201, placed.text);
  const { id, reference } = placed.json;
  const page = await adminPage();
  await open(page, '/admin/orders');
  const row = page.getByRole('row').filter({ hasText: reference });
  assert.match(await row.innerText(), /Submitted/);
  await row.getByRole('button', { name: `Take ${reference}` }).click();
  await page.getByRole('status').filter({ hasText: `${reference} is in progress` }).waitFor();
  assert.match(await page.getByRole('row').filter({ hasText: reference }).innerText(), /In progress/);
  await shoot(page, 'admin-orders-queue');

  await page.getByRole('link', { name: `Open ${reference}` }).click();
  await page.getByRole('heading', { level: 1, name: new RegExp(reference) }).waitFor();
  const data = Buffer.alloc(64 * 1024, 7);
  data.write('EDC17 stage 1', 0);
  await page.getByLabel('Modified file').setInputFiles({ name: 'octavia-stage1.bin', mimeType: 'application/octet-stream', buffer: data });
  await page.getByRole('button', { name: 'Deliver file' }).click();
  await page.getByRole('status').filter({ hasText: `octavia-stage1.bin delivered: ${reference} is completed.` }).waitFor();
  assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /Completed/);
  const order = (await admin.get(`${V}/orders/${id}`)).json;
  assert.equal(order.status, 'completed');
  const file = order.files.find((f) => f.role === 'modified');
  assert.equal(file.name, 'octavia-stage1.bin');
  assert.equal(file.size, data.length);
  assert.equal(file.sha256, createHash('sha256').update(data).digest('hex'));
  assert.equal(await page.getByRole('link', { name: 'octavia-stage1.bin' }).getAttribute('href'), `/api/v1/files/${file.id}`);
  const taken = order.history.find((e) => e.event === 'status' && e.to === 'in_progress');
  assert.equal(taken.actor, ADMIN.email);
  assert.ok(order.history.some((e) => e.event === 'file_delivered' && e.actor === ADMIN.email));
  assert.equal(await page.locator('section.work').count(), 0, 'a completed order has no work panel');
  await shoot(page, 'admin-order-delivered');
  assert.deepEqual(problems(page, [/401/]), []);
  await page.closeAll();
});

test('a deduction without justification is refused next to its field and changes nothing', async () => {
  const id = await customerId('Autotechnik Weber');
  const lot = (await admin.get(`${V}/customers/${id}/lots`)).json.items
    .find((l) => l.status === 'active' && Number(l.remaining) > 1);
  const page = await adminPage();
  await open(page, `/admin/customers/${id}`);
  const label = `${lot.name || 'Master credits lot'} (${lot.id})`;
  await page.locator(`tr[data-lot="${lot.id}"]`).getByRole('button', { name: `Deduct ${label}` }).click();
  const dlg = page.getByRole('dialog', { name: `Deduct from ${label}` });
  await dlg.getByLabel('Credits to take').fill('1');
  await dlg.getByLabel('Reason').selectOption('correction');
  await dlg.getByRole('button', { name: 'Deduct' }).click();
  const justification = dlg.getByLabel('Justification');
  const err = dlg.locator('.field[data-field="justification"] .field-error');
  await err.filter({ hasText: 'is required' }).waitFor();
  assert.equal(await justification.getAttribute('aria-invalid'), 'true');
  assert.equal(await dlg.locator('.form-error').innerText(), '', 'no other error');
  assert.equal((await admin.get(`${V}/lots/${lot.id}`)).json.remaining, lot.remaining);
  await shoot(page, 'admin-deduct-refused');

  await justification.fill('Booked twice by mistake');
  await dlg.getByRole('button', { name: 'Deduct' }).click();
  await page.getByRole('status').filter({ hasText: `${label}: ${Number(lot.remaining) - 1} left.` }).waitFor();
  assert.equal((await admin.get(`${V}/lots/${lot.id}`)).json.remaining, String(Number(lot.remaining) - 1));
  const entry = (await admin.get(`${V}/ledger?customer=${id}&limit=1`)).json.items[0];
  assert.equal(entry.kind, 'adjustment');
  assert.equal(entry.reason, 'correction');
  assert.equal(entry.justification, 'Booked twice by mistake');
  // The refused deduction was the API's 422, which Chromium logs as a failed resource.
  assert.deepEqual(problems(page, [/401/, /status of 422/]), []);
  await page.closeAll();
});

test('settings keep what was not changed; a credit type is switched off and on again', async () => {
  const before = (await admin.get(`${V}/settings`)).json;
  const page = await adminPage();
  await open(page, '/admin/settings');
  assert.equal(await page.getByLabel('Seller address').inputValue(), before.seller_address);
  await page.getByLabel('Warn about a repeated original within (hours)').fill('48');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
  const after = (await admin.get(`${V}/settings`)).json;
  assert.deepEqual(after, { ...before, duplicate_window_hours: 48 });

  const slave = page.getByRole('switch', { name: 'Slave credits can be spent' });
  assert.equal(await slave.isChecked(), true);
  await slave.uncheck();
  await page.getByRole('status').filter({ hasText: 'Slave credits can no longer be spent' }).waitFor();
  const off = (await admin.get(`${V}/credit-types`)).json.items.find((t) => t.code === 'slave');
  assert.equal(off.spendable, false);
  await page.getByRole('switch', { name: 'Slave credits can be spent' }).check();
  await page.getByRole('status').filter({ hasText: 'Slave credits can be spent again.' }).waitFor();
  assert.equal((await admin.get(`${V}/credit-types`)).json.items.find((t) => t.code === 'slave').spendable, true);
  assert.deepEqual(problems(page, [/401/]), []);
  await page.closeAll();
});

const PAGES = [
  ['dashboard', '/admin'],
  ['orders', '/admin/orders'],
  ['order', '/admin/orders/ord_1'],
  ['customers', '/admin/customers'],
  ['customer', '/admin/customers/cus_1'],
  ['transactions', '/admin/transactions'],
  ['invoices', '/admin/invoices'],
  ['packages', '/admin/packages'],
  ['services', '/admin/services'],
  ['settings', '/admin/settings'],
];

for (const [size, viewport] of [['desktop', undefined], ['phone', PHONE]]) {
  test(`every admin page draws at ${size} width`, async () => {
    const page = await adminPage(viewport);
    for (const [name, path] of PAGES) {
      await open(page, path);
      assert.equal(await page.locator('main .notice.error').count(), 0, `${name}: no error`);
      if (viewport) {
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(wide <= 0, `${name} fits ${viewport.width} px (${wide} px too wide)`);
      }
      await shoot(page, `admin-${name}-${size}`);
    }
    assert.deepEqual(problems(page, [/401/]), []);
    await page.closeAll();
  });
}
