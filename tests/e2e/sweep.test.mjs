// Every page of the portal, for each role, in English and German, at 1280
// and 390 px, against `creditd demo` in a real browser: the page draws
// (a heading, nothing left loading), names no key without words (web/i18n.js
// warns "no words for …"), logs no error, is no wider than the window, breaks
// no word inside a table cell, badge, button, card heading or a definition
// list at 1280 px, has no serious or
// critical axe-core violation (checked at 1280 px), and, in German, shows no
// English word in its own words (headings, labels, buttons, table headers,
// badges, hints, notices; what users typed, such as a customer's name, is
// left out). Each page is photographed: the screenshots of issue 13.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, shoot, brokenWords, axeViolations, ADMIN, OWNER, TECH, DESKTOP, PHONE390 } from './browser.mjs';
import { Client } from '../api/harness.mjs';

const V = '/api/v1';
let portal;
let ids = {}; // an order, a customer, an event, a webhook endpoint to open

before(async () => {
  portal = await startPortal();
  const admin = new Client(portal.url);
  assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
  const first = async (path) => (await admin.get(`${V}/${path}`)).json.items[0]?.id;
  const hook = await admin.post(`${V}/webhook-endpoints`, { url: 'https://hooks.example.com/sweep', events: ['*'], description: 'Sweep' });
  assert.equal(hook.status, 201, hook.text);
  ids = {
    order: await first('orders?limit=1'),
    customer: await first('customers?limit=1'),
    event: await first('events?limit=1'),
    webhook: hook.json.id,
  };
  const owner = new Client(portal.url);
  assert.equal((await owner.login(OWNER.email, OWNER.password)).status, 200);
  ids.ownOrder = (await owner.get(`${V}/orders?limit=1`)).json.items[0]?.id;
  for (const [k, v] of Object.entries(ids)) assert.ok(v, `the demo has no ${k}`);
});
after(async () => { await portal?.stop(); });

const PAGES = {
  admin: () => ['/admin', '/admin/orders', `/admin/orders/${ids.order}`, '/admin/customers', `/admin/customers/${ids.customer}`,
    '/admin/transactions', '/admin/invoices', '/admin/packages', '/admin/services', '/admin/events', `/admin/events/${ids.event}`,
    '/admin/notifications', '/admin/webhooks', `/admin/webhooks/${ids.webhook}`, '/admin/settings', '/admin/branding',
    '/admin/users', '/admin/api-keys', '/admin/security', '/account', '/security', '/notifications'],
  owner: () => ['/credits', '/history', '/shop', '/orders/new', '/orders', `/orders/${ids.ownOrder}`, '/invoices', '/team',
    '/account', '/security', '/notifications'],
  technician: () => ['/credits', '/history', '/orders/new', '/orders', '/account', '/notifications'],
};
const WHO = { admin: ADMIN, owner: OWNER, technician: TECH };

// English words that never stand in German text of the portal's own.
const ENGLISH = ['the', 'and', 'your', 'you', 'this', 'with', 'from', 'for', 'of', 'to', 'is', 'are', 'has', 'have',
  'will', 'not', 'yes', 'Save', 'Cancel', 'Add', 'Delete', 'Edit', 'Search', 'Loading', 'Newer', 'Older', 'All', 'None',
  'Never', 'Today', 'Amount', 'Customer', 'Customers', 'Order', 'Orders', 'Invoice', 'Invoices', 'Balance', 'Price',
  'Created', 'Date', 'Paid', 'Open', 'Completed', 'Cancelled', 'Submitted', 'Settings', 'Package', 'Packages', 'Reason',
  'What', 'When', 'Who', 'Kind', 'Reference', 'Available', 'Expires', 'Actions', 'Remove', 'Send', 'Create', 'Close'];
// Where a word must never break: table cells, badges, labels and values of
// definition lists (bank details), buttons, card headings.
const WORDS = 'td, th, .badge, dt, dd, main button, .card h2, .card h3, nav.nav a';
const CHROME = 'main h1, main h2, main h3, main th, main label, main button, main legend, main summary, main .badge, '
  + 'main .hint, main .empty, main .notice, main caption, main dt, main p.sub, nav.nav a';

async function signedIn(role, lang, viewport) {
  // The user's language, set through the API; the business's stays English.
  const api = new Client(portal.url);
  assert.equal((await api.login(WHO[role].email, WHO[role].password)).status, 200);
  assert.equal((await api.patch(`${V}/me`, { language: lang })).status, 200);
  const context = await portal.browser.newContext({ viewport, locale: lang === 'de' ? 'de-DE' : 'en-GB' });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /no words for/.test(m.text())) page.problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => page.problems.push(`exception: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 500) page.problems.push(`http ${r.status()}: ${r.url()}`); });
  await page.goto(`${portal.url}/`);
  await page.locator('input[name="email"]').fill(WHO[role].email);
  await page.locator('input[name="password"]').fill(WHO[role].password);
  await page.locator('form.login-form button[type="submit"]').click();
  await page.locator('nav.nav').waitFor();
  return { page, done: async () => { await context.close(); await api.patch(`${V}/me`, { language: '' }); } };
}

async function open(page, path) {
  await page.goto(`${page.url().split('#')[0]}#${path}`);
  await page.waitForFunction(() => {
    const main = document.querySelector('main');
    return main && main.querySelector('h1') && !main.querySelector('.loading');
  });
  // Late parts (charts, invitations) draw after the heading.
  await page.waitForLoadState('networkidle');
}

for (const lang of ['en', 'de']) {
  for (const role of Object.keys(PAGES)) {
    test(`every ${role} page in ${lang}: drawn, every word present, fits 390 and 1280 px, no broken words, axe clean`, async () => {
      const found = [];
      for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE390]]) {
        const { page, done } = await signedIn(role, lang, viewport);
        try {
          for (const path of PAGES[role]()) {
            page.problems.length = 0;
            await open(page, path);
            const name = `${lang} ${role} ${path} ${viewport.width}px`;
            assert.equal(await page.evaluate(() => document.documentElement.lang), lang, `${name}: lang`);
            const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
            if (wide > 0) found.push(`${name}: ${wide} px too wide`);
            if (size === 'desktop') {
              for (const w of await brokenWords(page, WORDS)) found.push(`${name}: broken word ${w}`);
              for (const v of await axeViolations(page)) found.push(`${name}: axe ${v}`);
            }
            if (lang === 'de') {
              const texts = await page.locator(CHROME).evaluateAll((els) => els.filter((e) => e.getClientRects().length)
                .map((e) => e.innerText));
              const english = new RegExp(`(^|[^\\p{L}-])(${ENGLISH.join('|')})(?![\\p{L}-])`, 'u');
              for (const text of texts) {
                const m = english.exec(text);
                if (m) found.push(`${name}: English "${m[2]}" in "${text.slice(0, 80)}"`);
              }
            }
            for (const p of page.problems) found.push(`${name}: ${p}`);
            await shoot(page, `sweep-${lang}-${role}-${path.replace(/[/:]+/g, '_').replace(/^_|_$/g, '') || 'home'}-${size}`);
          }
        } finally {
          await done();
        }
      }
      assert.deepEqual(found, []);
    });
  }
}
