// The portal's shell in a real browser: the page and its assets come from
// the binary with a strict policy, signing in (a wrong password is shown on
// the form), each role's navigation, signing out, and no console errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, openPage, signIn, problems, shoot, OWNER, ADMIN, PHONE } from './browser.mjs';

let portal;
before(async () => { portal = await startPortal(); });
after(async () => { await portal?.stop(); });

test('the page and its assets carry a strict policy, an ETag and gzip', async () => {
  const r = await fetch(`${portal.url}/`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(r.status, 200);
  const csp = r.headers.get('content-security-policy');
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.ok(r.headers.get('etag'));
  const js = await fetch(`${portal.url}/assets/app.js`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(js.headers.get('content-encoding'), 'gzip');
  assert.match(js.headers.get('content-type'), /text\/javascript/);
  const again = await fetch(`${portal.url}/assets/app.js`, { headers: { 'If-None-Match': js.headers.get('etag') } });
  assert.equal(again.status, 304);
  assert.equal((await fetch(`${portal.url}/assets/../creditd.db`)).status, 404);
});

test('a wrong password is shown on the form; the right one opens the portal', async () => {
  const page = await openPage(portal);
  await page.goto(`${portal.url}/`);
  await page.getByLabel('E-mail').fill(OWNER.email);
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: /wrong e-mail or password/ }).waitFor();
  await shoot(page, 'login-desktop');
  await page.getByLabel('Password').fill(OWNER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.waitFor();
  for (const name of ['My credits', 'Transactions', 'Credit shop', 'New order', 'My orders', 'Invoices', 'Team'])
    assert.ok(await nav.getByRole('link', { name, exact: true }).count(), name);
  assert.equal(await nav.getByRole('link', { name: 'Customers' }).count(), 0);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  assert.deepEqual(problems(page, [/401/]), []);
  await page.closeAll();
});

test('staff see the admin navigation; at phone width it folds behind a menu button', async () => {
  const page = await openPage(portal, PHONE);
  await signIn(page, portal.url, ADMIN);
  const menu = page.getByRole('button', { name: 'Menu' });
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');
  await menu.click();
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const name of ['Dashboard', 'Orders', 'Customers', 'Transactions', 'Invoices', 'Packages', 'Services', 'Settings'])
    assert.ok(await nav.getByRole('link', { name, exact: true }).isVisible(), name);
  await page.goto(`${portal.url}/#/nowhere`);
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  assert.deepEqual(problems(page, [/401/]), []);
  await page.closeAll();
});
