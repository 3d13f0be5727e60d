// Accounts and access in a real browser against `creditd demo`, with mail
// caught by a real SMTP server on 127.0.0.1 and the portal's address set as
// the tenant's portal_url (so the mailed link opens this server): a
// forgotten password reset through the mailed link (the rules checked by
// the field, the link dead once used) and signing in with the new one; a
// password changed under My account; too many reset requests answered with
// the wait.
//
// Forgiven problems, each for a reason: a 401 where a test signs in (the
// shell asks GET /me first) or where a signed-out page takes its next step;
// where a test makes the server refuse something the page then shows (a weak
// password or a wrong one, 422; a dead link, 400; too many requests, 429),
// Chromium logs "Failed to load resource" with that status.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startPortal, openPage, signIn, problems, shoot, ADMIN, OWNER, DESKTOP } from './browser.mjs';
import { Client } from '../api/harness.mjs';
import { startRelay, waitForMail } from '../api/smtp.mjs';

const V = '/api/v1';
const SIGN_IN = /401/;
const refused = (status) => new RegExp(`Failed to load resource: the server responded with a status of ${status}\\b`);
const PHONE = { width: 390, height: 844 };

let relay;
let portal;
let admin; // the API as the admin, to set up and to check
let owner; // the API as Weber's owner
let weber; // Weber's customer id

before(async () => {
  relay = await startRelay();
  portal = await startPortal({ env: relay.env });
  admin = new Client(portal.url);
  assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
  assert.equal((await admin.patch(`${V}/settings`, { portal_url: portal.url })).status, 200);
  owner = new Client(portal.url);
  assert.equal((await owner.login(OWNER.email, OWNER.password)).status, 200);
  weber = (await owner.get(`${V}/me`)).json.customer_id;
});
after(async () => {
  await portal?.stop();
  await relay?.close();
});

async function as(who, viewport = DESKTOP) {
  const page = await openPage(portal, viewport);
  await signIn(page, portal.url, who);
  return page;
}

// Opens a page of the portal and waits until it has drawn.
async function open(page, path) {
  await page.goto(`${portal.url}/#${path}`);
  await page.waitForFunction(() => {
    const main = document.querySelector('main');
    return main && main.querySelector('h1') && !main.querySelector('.loading');
  });
}

async function member(email, role = 'technician', password = 'member-password-1') {
  const r = await admin.post(`${V}/customers/${weber}/members`, { email, password, role });
  assert.equal(r.status, 201, r.text);
  return { id: r.json.user_id, email, password };
}

async function staff(email, role = 'staff', password = 'staff-password-1') {
  const r = await admin.post(`${V}/users`, { email, password, role });
  assert.equal(r.status, 201, r.text);
  return { id: r.json.id, email, password };
}

async function canSignIn(email, password) {
  return (await new Client(portal.url).login(email, password)).status === 200;
}

const fieldError = (page, name) => page.locator(`.field[data-field="${name}"] .field-error`);

test('a forgotten password: the link arrives by mail, the new password is checked by its fields, then it signs in; the link works once', async () => {
  const tech = await member('forgetful@weber-autotechnik.example');
  const page = await openPage(portal);
  await page.goto(`${portal.url}/`);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByRole('heading', { level: 1, name: 'Forgot your password' }).waitFor();
  await page.getByLabel('E-mail').fill(tech.email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await page.getByRole('status').filter({ hasText: 'If this e-mail has an account, a link to set a new password is on its way' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Send the link' }).isVisible(), false);
  await shoot(page, 'forgot-sent');

  const mail = await waitForMail(relay, (m) => m.to.includes(tech.email), 'the reset link');
  const link = new RegExp(`${portal.url.replace(/[.]/g, '\\.')}/#/reset/[0-9a-f]{64}`).exec(mail.parsed.text)?.[0];
  assert.ok(link, mail.parsed.text);
  await page.goto(link);
  await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0, 'no navigation without a session');
  const pw = page.getByLabel('New password', { exact: true });
  const again = page.getByLabel('New password again');
  const save = page.getByRole('button', { name: 'Set the new password' });
  await pw.fill('too short');
  await again.fill('too short');
  await save.click();
  await fieldError(page, 'password').filter({ hasText: 'must be at least 12 characters' }).waitFor();
  assert.equal(await pw.getAttribute('aria-invalid'), 'true');
  await pw.fill('workshop phrase eleven');
  await again.fill('workshop phrase twelve');
  await save.click();
  await fieldError(page, 'password_repeat').filter({ hasText: 'is not the same as the new password' }).waitFor();
  // The server's rules, by the field, and the link stays usable.
  await pw.fill('password1234');
  await again.fill('password1234');
  await save.click();
  await fieldError(page, 'password').filter({ hasText: 'is too common; choose another' }).waitFor();
  await pw.fill('workshop phrase eleven');
  await again.fill('workshop phrase eleven');
  await save.click();
  await page.getByRole('status').filter({ hasText: 'Your password is changed. Sign in with the new one.' }).waitFor();
  assert.match(page.url(), /#\/login$/, 'the token leaves the address');
  await shoot(page, 'reset-done');
  assert.equal(await canSignIn(tech.email, tech.password), false);
  await page.getByLabel('E-mail').fill(tech.email);
  await page.getByLabel('Password').fill('workshop phrase eleven');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'My credits' }).waitFor();

  // Used once: the link now says so and offers a new one.
  const fresh = await openPage(portal);
  await fresh.goto(link);
  await fresh.getByLabel('New password', { exact: true }).fill('another phrase thirteen');
  await fresh.getByLabel('New password again').fill('another phrase thirteen');
  await fresh.getByRole('button', { name: 'Set the new password' }).click();
  await fresh.getByText('This link no longer works').waitFor();
  await fresh.getByRole('link', { name: 'Ask for a new link' }).click();
  await fresh.getByRole('heading', { level: 1, name: 'Forgot your password' }).waitFor();
  assert.equal(await canSignIn(tech.email, 'workshop phrase eleven'), true);
  assert.deepEqual(problems(page, [SIGN_IN, refused(422)]), []);
  assert.deepEqual(problems(fresh, [SIGN_IN, refused(400)]), []);
  await page.closeAll();
  await fresh.closeAll();
});

test('My account: a password change checks the current one and the repeat, and signs out the other sessions', async () => {
  const u = await staff('desk@ecu-chip.example');
  const other = new Client(portal.url);
  assert.equal((await other.login(u.email, u.password)).status, 200);
  const page = await as(u);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My account' }).click();
  await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
  assert.match(await page.locator('dl.facts').innerText(), new RegExp(`${u.email}[\\s\\S]*Staff`));
  const current = page.getByLabel('Current password');
  const pw = page.getByLabel('New password', { exact: true });
  const again = page.getByLabel('New password again');
  const save = page.getByRole('button', { name: 'Change password' });
  await current.fill('not my password at all');
  await pw.fill('front desk phrase 2027');
  await again.fill('front desk phrase 2027');
  await save.click();
  await fieldError(page, 'current_password').filter({ hasText: 'is not your password' }).waitFor();
  assert.equal(await current.getAttribute('aria-invalid'), 'true');
  await current.fill(u.password);
  await again.fill('front desk phrase 2028');
  await save.click();
  await fieldError(page, 'new_password_repeat').filter({ hasText: 'is not the same' }).waitFor();
  await again.fill('front desk phrase 2027');
  await save.click();
  await page.getByRole('status').filter({ hasText: 'Your password is changed.' }).waitFor();
  assert.equal(await current.inputValue(), '', 'the form is emptied');
  assert.equal((await other.get(`${V}/me`)).status, 401, 'the other session ended');
  assert.equal(await canSignIn(u.email, 'front desk phrase 2027'), true);
  // This session stays.
  await open(page, '/admin/customers');
  await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
  assert.deepEqual(problems(page, [SIGN_IN, refused(422)]), []);
  await page.closeAll();
});

// Last: it uses up this address's reset requests.
test('too many reset requests: the page says how long to wait', async () => {
  const anon = new Client(portal.url);
  let r;
  for (let i = 0; i < 12; i++) {
    r = await anon.post(`${V}/auth/password-reset`, { email: `probe${i}@nowhere.example` });
    if (r.status === 429) break;
  }
  assert.equal(r.status, 429, r.text);
  const page = await openPage(portal);
  await open(page, '/forgot');
  await page.getByLabel('E-mail').fill(OWNER.email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await page.getByRole('alert').filter({ hasText: /^Too many requests from this address\. Try again in \d+ (minutes?|seconds?)\.$/ }).waitFor();
  assert.deepEqual(problems(page, [SIGN_IN, refused(429)]), []);
  await page.closeAll();
});
