// Two-factor authentication in a real browser: the admin opens Security from
// the user menu, turns it on (a QR code drawn by the portal and the key as
// text, read here to make the code), confirms with a code, gets the recovery
// codes once, signs out, and signs in again: the sign-in form asks for the
// code after the password and keeps the password. Then a business that
// requires two factors sends staff without them straight to Security.
// The pages are axe-clean; no console errors, exceptions or failed requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startPortal, openPage, signIn, problems, shoot, ADMIN, PHONE, SHOTS } from './browser.mjs';
import { Client } from '../api/harness.mjs';
import { totp } from '../support/totp.mjs';

const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
// A refused sign-in (401), a refused call (403) and the wrong code (422) log
// in the console.
const EXPECTED = [/401/, /403/, /422/];

let portal;
let adminCodes = []; // the admin's recovery codes, from the first test
before(async () => { portal = await startPortal(); });
after(async () => { await portal?.stop(); });

function hasZbar() {
  try { execFileSync('zbarimg', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

async function axeClean(page, name) {
  await page.evaluate(axe); // through the debugger: the page's policy allows no inline script
  const found = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] }))
    .violations.map((v) => `${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`));
  assert.deepEqual(found, [], `${name}: axe`);
}

test('the admin turns two-factor authentication on and signs in with a code', async () => {
  const page = await openPage(portal);
  await signIn(page, portal.url, ADMIN);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security', exact: true }).click();
  await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  const qr = page.getByRole('img', { name: 'QR code of the two-factor secret' });
  await qr.waitFor();
  assert.ok((await qr.locator('path').getAttribute('d')).length > 1000, 'the QR code has modules');
  await axeClean(page, 'security-enrol');
  await shoot(page, 'security-enrol');
  const secret = (await page.getByLabel('Secret key').textContent()).trim();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  // What the browser drew scans as the otpauth URI (when zbar-tools is there).
  if (hasZbar()) {
    const shot = join(SHOTS, 'security-qr.png');
    await qr.screenshot({ path: shot });
    const read = execFileSync('zbarimg', ['-q', '--raw', shot], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    assert.equal(read, `otpauth://totp/ECU%20Chip%20Service:admin%40test.example?secret=${secret}`
      + '&issuer=ECU%20Chip%20Service&algorithm=SHA1&digits=6&period=30');
  }
  // A wrong code first: said next to the field.
  await page.getByLabel('Authentication code').fill(totp(secret, Date.now(), 10));
  await page.getByRole('button', { name: 'Confirm and turn on' }).click();
  await page.getByText('is not the code your app shows now').waitFor();
  const confirmedAt = Date.now();
  await page.getByLabel('Authentication code').fill(totp(secret, confirmedAt));
  await page.getByRole('button', { name: 'Confirm and turn on' }).click();
  await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
  const codes = await page.locator('ol.recovery-codes li').allTextContents();
  assert.equal(codes.length, 10);
  adminCodes = codes.map((c) => c.trim());
  await axeClean(page, 'security-codes');
  await page.getByRole('button', { name: 'I have stored them' }).click();
  await page.getByText('Two-factor authentication is on.').first().waitFor();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await page.getByLabel('E-mail').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const code = page.getByLabel('Authentication code');
  await code.waitFor();
  await page.getByText('enter the code of your authenticator app').waitFor();
  assert.equal(await page.getByLabel('Password').inputValue(), ADMIN.password, 'the password stays');
  await axeClean(page, 'login-code');
  await shoot(page, 'login-code');
  // The confirming code's step is used: the next step's code (within the window).
  await code.fill(totp(secret, confirmedAt, 1));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  assert.deepEqual(problems(page, EXPECTED), []);
  await page.closeAll();
});

test('a business requiring two factors sends staff without them to Security first', async () => {
  execFileSync(portal.server.bin, ['user', 'add', '--email', 'crew@test.example', '--role', 'staff',
    '--password-stdin', '--db', portal.server.db], { input: 'crew-password-1\n', stdio: ['pipe', 'ignore', 'pipe'] });
  const page = await openPage(portal, PHONE);
  await signIn(page, portal.url, { email: 'crew@test.example', password: 'crew-password-1' });
  // The admin (two factors on since the test above: a recovery code) requires them.
  const admin = new Client(portal.url);
  const login = await admin.post('/api/v1/auth/login', { ...ADMIN, totp: adminCodes[0] });
  assert.equal(login.status, 200, login.text);
  admin.csrf = login.json.csrf_token;
  const on = await admin.patch('/api/v1/settings', { totp_required: true });
  assert.equal(on.status, 200, on.text);
  await page.goto(`${portal.url}/#/admin/customers`);
  await page.getByRole('heading', { name: 'Security' }).waitFor();
  await page.getByText('Your business requires two-factor authentication').waitFor();
  await axeClean(page, 'security-required');
  await shoot(page, 'security-required-phone');
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  const secret = (await page.getByLabel('Secret key').textContent()).trim();
  await page.getByLabel('Authentication code').fill(totp(secret, Date.now()));
  await page.getByRole('button', { name: 'Confirm and turn on' }).click();
  await page.getByRole('button', { name: 'I have stored them' }).click();
  await page.getByText('Two-factor authentication is on.').first().waitFor();
  await page.goto(`${portal.url}/#/admin/customers`);
  await page.getByRole('heading', { name: 'Customers' }).waitFor();
  assert.deepEqual(problems(page, EXPECTED), []);
  await page.closeAll();
});
