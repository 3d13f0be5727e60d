// The business's brand in the browser, at 1280 and 390 px: an admin sets the
// display name and accent colour on the Brand page and uploads a logo (with a
// preview first); signed out, the sign-in page shows that name and logo above
// its card, the tab title is the business's, the primary button has the
// accent colour (computed style, so the CSP let the custom property through),
// the icon link points at the logo, and axe-core finds nothing; signed in,
// the header shows the logo and name and titles end with the name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startPortal, openPage, problems, signIn, shoot, ADMIN, DESKTOP } from './browser.mjs';
import { png as greenPng, GREEN } from '../support/png.mjs';

const PHONE_390 = { width: 390, height: 844 };
const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
// A 401 from GET /me is how a signed-out page learns it is signed out.
const SIGNED_OUT = /status of 401 \(Unauthorized\)/;

let portal;
before(async () => { portal = await startPortal(); });
after(async () => { await portal.stop(); });

// A w x h PNG: a coloured band, so the logo is visibly there.
const png = (w, h) => greenPng(w, h, { rgb: GREEN });

async function axeClean(page, name) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(wide <= 0, `${name} fits (${wide} px too wide)`);
  await page.evaluate(axe); // through the debugger: the page's policy allows no inline script
  const found = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] }))
    .violations.map((v) => `${v.id} [${v.impact}] (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`));
  assert.deepEqual(found, [], `${name}: axe`);
}

// A real JPEG, drawn and encoded by the browser itself.
async function jpeg(page, w, h) {
  const bytes = await page.evaluate(async ([width, height]) => {
    const c = document.createElement('canvas');
    c.width = width;
    c.height = height;
    const g = c.getContext('2d');
    g.fillStyle = '#7c2d12';
    g.fillRect(0, 0, width, height);
    const blob = await new Promise((resolve) => c.toBlob(resolve, 'image/jpeg', 0.9));
    return [...new Uint8Array(await blob.arrayBuffer())];
  }, [w, h]);
  return Buffer.from(bytes);
}

const SVG = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" '
  + 'viewBox="0 0 120 40"><script>document.title = "owned"</script><rect width="120" height="40" fill="#0b6e4f"/></svg>');

for (const [size, viewport, name, colour, rgb, type] of [
  ['desktop', DESKTOP, 'Weber Autotechnik', '#0b6e4f', 'rgb(11, 110, 79)', 'image/png'],
  ['phone', PHONE_390, 'Weber Tuning Süd', '#7c2d12', 'rgb(124, 45, 18)', 'image/jpeg'],
]) {
  test(`at ${viewport.width} px: the admin brands the portal and the sign-in page shows it`, async () => {
    const admin = await openPage(portal, viewport);
    await signIn(admin, portal.url, ADMIN);
    await admin.goto(`${portal.url}/#/admin/branding`);
    await admin.getByRole('heading', { level: 1, name: 'Brand' }).waitFor();
    // A colour white text cannot be read on is refused by the page's own
    // readout and by the server.
    await admin.getByLabel('Accent colour as #rrggbb').fill('#ffcc00');
    await admin.getByText(/too light: choose a darker colour/).waitFor();
    await admin.getByRole('button', { name: 'Save name and colour' }).click();
    await admin.getByText(/white text on #ffcc00 has a contrast of 1\.\d\d:1/).first().waitFor();
    await admin.getByLabel('Display name').fill(name);
    await admin.getByLabel('Accent colour as #rrggbb').fill(colour);
    await admin.getByText(/White text on it: \d+\.\d\d:1, readable\./).waitFor();
    await admin.getByRole('button', { name: 'Save name and colour' }).click();
    await admin.getByText('Name and colour saved.').waitFor();
    // The logo: chosen (previewed), then uploaded.
    const file = type === 'image/png'
      ? { name: 'logo.png', mimeType: type, buffer: png(240, 80) }
      : { name: 'logo.jpg', mimeType: type, buffer: await jpeg(admin, 240, 80) };
    await admin.getByLabel('Logo file').setInputFiles(file);
    await admin.locator(`.brand-preview img.brand-logo[src^="data:${type}"]`).waitFor();
    await admin.getByRole('button', { name: /^(Upload|Replace) logo$/ }).click();
    await admin.getByText('Logo saved.').waitFor();
    await admin.getByRole('img', { name: `Current logo of ${name}` }).waitFor();
    // The header and the tab follow at once.
    await admin.locator('.nav .brand img.brand-logo').waitFor();
    assert.equal(await admin.locator('.nav .brand .brand-name').textContent(), name);
    assert.equal(await admin.title(), `Brand · ${name}`);
    await axeClean(admin, `brand page ${size}`);
    await shoot(admin, `branding-admin-${size}`);
    assert.deepEqual(problems(admin, [SIGNED_OUT, /status of 422 \(Unprocessable/]), []);
    await admin.closeAll();

    // Signed out: the business's sign-in page.
    const guest = await openPage(portal, viewport);
    await guest.goto(`${portal.url}/`);
    await guest.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    assert.equal(await guest.title(), `Sign in · ${name}`);
    const banner = guest.getByRole('banner');
    assert.equal(await banner.locator('.brand-name').textContent(), name);
    const logo = banner.locator('img.brand-logo');
    await logo.waitFor();
    const src = await logo.getAttribute('src');
    assert.match(src, /^\/api\/v1\/branding\/logo\?v=[0-9a-f]{16}$/);
    assert.ok(await logo.evaluate((img) => img.complete && img.naturalWidth === 240), 'the logo is drawn');
    const icon = await guest.locator('link[rel="icon"]').evaluate((l) => ({ href: l.getAttribute('href'), type: l.type }));
    assert.deepEqual(icon, { href: src, type });
    const button = guest.getByRole('button', { name: 'Sign in' });
    assert.equal(await button.evaluate((b) => getComputedStyle(b).backgroundColor), rgb);
    assert.equal(await button.evaluate((b) => getComputedStyle(b).color), 'rgb(255, 255, 255)');
    const link = guest.getByRole('link', { name: 'Forgot your password?' });
    assert.equal(await link.evaluate((a) => getComputedStyle(a).color), rgb);
    // The card is centred.
    assert.doesNotMatch(await guest.locator('main').innerText(), /\bnull\b|undefined/);
    const box = await guest.locator('main#main').boundingBox();
    assert.ok(Math.abs(box.x + box.width / 2 - viewport.width / 2) <= 2, `centred: ${JSON.stringify(box)}`);
    await axeClean(guest, `sign-in ${size}`);
    await shoot(guest, `branding-sign-in-${size}`);
    // The keyboard reaches the fields and the button in order.
    await guest.getByLabel('E-mail').focus();
    await guest.keyboard.press('Tab');
    assert.equal(await guest.evaluate(() => document.activeElement.name), 'password');
    // The other signed-out pages carry the brand too.
    await guest.getByRole('link', { name: 'Forgot your password?' }).click();
    await guest.getByRole('heading', { level: 1, name: 'Forgot your password' }).waitFor();
    assert.equal(await guest.title(), `Forgot your password · ${name}`);
    assert.equal(await guest.getByRole('banner').locator('.brand-name').textContent(), name);
    assert.deepEqual(problems(guest, [SIGNED_OUT]), []);
    await guest.closeAll();
  });
}

test('an SVG logo is drawn as the image and icon, its script never runs; without a logo the name stands alone', async () => {
  const admin = await openPage(portal, DESKTOP);
  await signIn(admin, portal.url, ADMIN);
  await admin.goto(`${portal.url}/#/admin/branding`);
  await admin.getByLabel('Logo file').setInputFiles({ name: 'mark.svg', mimeType: 'image/svg+xml', buffer: SVG });
  await admin.getByRole('button', { name: 'Replace logo' }).click();
  await admin.getByText('Logo saved.').waitFor();
  const svgGuest = await openPage(portal, DESKTOP);
  await svgGuest.goto(`${portal.url}/`);
  const mark = svgGuest.getByRole('banner').locator('img.brand-logo');
  await mark.waitFor();
  await svgGuest.waitForFunction(() => document.querySelector('header img.brand-logo')?.complete);
  assert.equal(await mark.evaluate((img) => img.naturalWidth), 120);
  assert.equal(await svgGuest.locator('link[rel="icon"]').evaluate((l) => l.type), 'image/svg+xml');
  // Opened on its own, the SVG is a document under the logo's policy: no script.
  await svgGuest.goto(`${portal.url}${await mark.getAttribute('src')}`);
  assert.notEqual(await svgGuest.title(), 'owned');
  await svgGuest.closeAll();
  await admin.getByRole('button', { name: 'Remove logo' }).click();
  await admin.getByRole('dialog').getByRole('button', { name: 'Remove logo' }).click();
  await admin.getByText('Logo removed.').waitFor();
  await admin.closeAll();
  const guest = await openPage(portal, DESKTOP);
  await guest.goto(`${portal.url}/`);
  await guest.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  assert.equal(await guest.getByRole('banner').locator('img').count(), 0);
  assert.equal(await guest.locator('link[rel="icon"]').getAttribute('href'), 'data:,');
  assert.deepEqual(problems(guest, [SIGNED_OUT]), []);
  await guest.closeAll();
});

test('a German browser gets the sign-in page in German, with the same brand', async () => {
  const context = await portal.browser.newContext({ viewport: DESKTOP, locale: 'de-DE' });
  const page = await context.newPage();
  const seen = [];
  page.on('pageerror', (e) => seen.push(e.message));
  await page.goto(`${portal.url}/`);
  await page.getByRole('heading', { level: 1, name: 'Anmelden' }).waitFor();
  const name = await page.getByRole('banner').locator('.brand-name').textContent();
  assert.equal(await page.title(), `Anmelden · ${name}`);
  await page.getByText(`Willkommen zurück bei ${name}.`, { exact: false }).waitFor();
  await page.getByLabel('Passwort', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Anmelden' }).waitFor();
  await page.getByRole('link', { name: 'Passwort vergessen?' }).waitFor();
  assert.deepEqual(seen, []);
  await context.close();
});
