// The notification pages in a real browser against `creditd demo`, on a
// server without SMTP: the admin's Notifications page says plainly that mail
// is off and how to turn it on, a test mail is refused next to the address,
// and the mail settings are saved (and not undone by the Settings page); on
// a second server with a local relay (smtp-server) a test mail arrives; a
// webhook endpoint is added (its secret shown once), disabled, enabled, given
// a new secret, a failed delivery sent again from its log, and deleted; the
// event log shows an order placed through the API with its skipped mails and
// its payload; an owner turns a mail off, picks German and sets a
// low-balance warning; the admin sets a customer's language; and every new
// page at desktop and phone width.
//
// Forgiven problems, each for a reason: a 401 where a test signs in (the
// shell asks GET /me first); where a test makes the server refuse something
// the page then shows (the test mail without a relay, 409; a bad field, 422),
// Chromium logs "Failed to load resource" with that status.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { SMTPServer } from 'smtp-server';
import { startPortal, openPage, signIn, problems, shoot, ADMIN, OWNER, TECH, DESKTOP, PHONE } from './browser.mjs';
import { Client } from '../api/harness.mjs';

const V = '/api/v1';
const SIGN_IN = /401/;
const refused = (status) => new RegExp(`Failed to load resource: the server responded with a status of ${status}\\b`);
const HOOK = 'https://hooks.example.com/creditd';

let portal;
let admin; // the API as the admin, to set up and to check
let owner; // the API as Weber's owner
let order; // placed through the API in before()

before(async () => {
  portal = await startPortal();
  admin = new Client(portal.url);
  assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
  owner = new Client(portal.url);
  assert.equal((await owner.login(OWNER.email, OWNER.password)).status, 200);
  // An endpoint that wants orders, then an order: its event has a webhook
  // delivery (failing: the host does not resolve) and skipped mails.
  const services = Object.fromEntries((await owner.get(`${V}/services`)).json.items.map((s) => [s.name, s.id]));
  const up = await owner.upload(`${V}/files`, Buffer.from('notify e2e original read'), { name: 'read.bin' });
  assert.equal(up.status, 201, up.text);
  const o = await owner.post(`${V}/orders`, {
    credit_type: 'master', services: [services['Stage 1']], file_id: up.json.file.id,
    vehicle: { make: 'Audi', model: 'A3 8V', ecu: 'MED17' },
  });
  assert.equal(o.status, 201, o.text);
  order = o.json;
});
after(async () => { await portal?.stop(); });

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

// The event of the order placed in before(), once the dispatcher has sent it
// out (its deliveries made).
async function orderEvent() {
  for (let i = 0; i < 150; i++) {
    const page = (await admin.get(`${V}/events?type=order.created&limit=20`)).json.items;
    const e = page.find((x) => x.data?.object?.id === order.id);
    if (e) {
      const full = (await admin.get(`${V}/events/${e.id}`)).json;
      if (full.deliveries.length) return full;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`the event of ${order.id} was not sent out in 30 s`);
}

test('without SMTP the Notifications page says how to turn mail on; a test mail is refused next to the address; mail settings are saved', async () => {
  const page = await as(ADMIN);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Notifications' }).click();
  await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
  const off = page.locator('.mail-off');
  await off.waitFor();
  const text = await off.innerText();
  assert.match(text, /Mail is not configured: nothing is sent/);
  assert.match(text, /CREDITD_SMTP_URL/);
  assert.match(text, /CREDITD_MAIL_FROM/);

  const to = page.getByLabel('Send to');
  assert.equal(await to.inputValue(), ADMIN.email);
  await page.getByRole('button', { name: 'Send test mail' }).click();
  const err = page.locator('.field[data-field="to"] .field-error');
  await err.filter({ hasText: 'mail is not configured: set CREDITD_SMTP_URL and CREDITD_MAIL_FROM' }).waitFor();
  assert.equal(await to.getAttribute('aria-invalid'), 'true');

  const before = (await admin.get(`${V}/settings`)).json;
  await page.getByLabel('Sender name').fill('ECU Chip Service Team');
  await page.getByLabel('Reply-to address').fill('support-at-example');
  await page.getByRole('button', { name: 'Save mail settings' }).click();
  await page.locator('.field[data-field="mail_reply_to"] .field-error').filter({ hasText: 'exactly one @' }).waitFor();
  await page.getByLabel('Reply-to address').fill('support@ecu-chip.example');
  await page.getByLabel('Portal address').fill('https://portal.ecu-chip.example');
  await page.getByLabel('Expiry notice (days)').fill('10');
  await page.getByRole('button', { name: 'Save mail settings' }).click();
  await page.getByRole('status').filter({ hasText: 'Mail settings saved.' }).waitFor();
  const mail = {
    mail_sender_name: 'ECU Chip Service Team', mail_reply_to: 'support@ecu-chip.example',
    portal_url: 'https://portal.ecu-chip.example', expiry_notice_days: 10,
  };
  assert.deepEqual((await admin.get(`${V}/settings`)).json, { ...before, ...mail });
  await shoot(page, 'admin-notifications-saved');

  // The Settings page changes what it shows and leaves the mail settings be.
  await open(page, '/admin/settings');
  await page.getByLabel('Invoice number prefix').fill('ECN-');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
  assert.deepEqual((await admin.get(`${V}/settings`)).json, { ...before, ...mail, invoice_prefix: 'ECN-' });
  assert.equal((await admin.patch(`${V}/settings`, { invoice_prefix: before.invoice_prefix })).status, 200);

  assert.deepEqual(problems(page, [SIGN_IN, refused(409), refused(422)]), []);
  await page.closeAll();
});

test('with a relay the page names it, and a test mail arrives there', async () => {
  const got = [];
  const relay = new SMTPServer({
    logger: false, disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => { got.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString() }); callback(null, 'queued'); });
    },
  });
  await new Promise((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const port = relay.server.address().port;
  const mailing = await startPortal({ env: { CREDITD_SMTP_URL: `smtp://127.0.0.1:${port}`, CREDITD_MAIL_FROM: 'noreply@ecu-chip.example' } });
  try {
    const page = await openPage(mailing);
    await signIn(page, mailing.url, ADMIN);
    await page.goto(`${mailing.url}/#/admin/notifications`);
    await page.getByText(`Mail is sent through smtp://127.0.0.1:${port}/ as noreply@ecu-chip.example.`).waitFor();
    await page.getByLabel('Send to').fill('tester@ecu-chip.example');
    await page.getByRole('button', { name: 'Send test mail' }).click();
    const sent = page.locator('.test-result .notice.ok');
    await sent.waitFor();
    assert.match(await sent.innerText(), /^Test mail sent to tester@ecu-chip\.example; message id <[^>]+>\.$/);
    const mine = got.filter((m) => m.to.includes('tester@ecu-chip.example'));
    assert.equal(mine.length, 1);
    await shoot(page, 'admin-notifications-test-mail-sent');
    assert.deepEqual(problems(page, [SIGN_IN]), []);
    await page.closeAll();
  } finally {
    await mailing.stop();
    await new Promise((resolve) => relay.close(resolve));
  }
});

test('a webhook endpoint: added with its secret shown once, disabled and enabled, a new secret, a delivery resent, deleted', async () => {
  // The demo's events are sent out first: then only what happens from here
  // on reaches the new endpoint.
  await orderEvent();
  const page = await as(ADMIN);
  await open(page, '/admin/webhooks');
  await page.getByText('No endpoints yet').waitFor();
  await page.getByLabel('URL').fill(HOOK);
  await page.getByLabel('Order placed').check();
  await page.getByLabel('Credits added').check();
  await page.getByLabel('Description').fill('ERP sync');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const box = page.getByRole('region', { name: `Signing secret of ${HOOK}` });
  await box.waitFor();
  assert.match(await box.innerText(), /it will not be shown again/);
  const secret = await box.locator('code.secret').textContent();
  assert.match(secret, /^whsec_[0-9a-f]{64}$/);
  await shoot(page, 'admin-webhooks-secret');
  let list = (await admin.get(`${V}/webhook-endpoints`)).json.items;
  assert.equal(list.length, 1);
  const ep = list[0];
  assert.deepEqual([ep.url, ep.events, ep.description, ep.disabled], [HOOK, ['order.created', 'credits.added'], 'ERP sync', false]);
  assert.equal('secret' in ep, false);
  await box.getByRole('button', { name: 'I have stored it' }).click();
  await box.waitFor({ state: 'detached' });
  await open(page, '/admin/webhooks');
  assert.ok(!(await page.locator('main').innerText()).includes(secret), 'the secret is not shown again');

  const row = page.getByRole('row').filter({ hasText: HOOK });
  await row.getByRole('button', { name: `Edit ${HOOK}` }).click();
  const edit = page.getByRole('dialog', { name: `Edit ${HOOK}` });
  assert.equal(await edit.getByLabel('Order placed').isChecked(), true);
  await edit.getByLabel('Order completed').check();
  await edit.getByLabel('Description').fill('ERP sync, orders and credits');
  await edit.getByRole('button', { name: 'Save endpoint' }).click();
  await page.getByRole('status').filter({ hasText: `Endpoint ${HOOK} saved.` }).waitFor();
  const edited = (await admin.get(`${V}/webhook-endpoints/${ep.id}`)).json;
  assert.deepEqual([edited.events, edited.description], [['order.created', 'order.completed', 'credits.added'], 'ERP sync, orders and credits']);
  await row.getByRole('button', { name: `Disable ${HOOK}` }).click();
  await page.getByRole('status').filter({ hasText: `${HOOK} is disabled` }).waitFor();
  let now = (await admin.get(`${V}/webhook-endpoints/${ep.id}`)).json;
  assert.deepEqual([now.disabled, now.disabled_reason], [true, `disabled by ${ADMIN.email}`]);
  assert.match(await row.innerText(), new RegExp(`Disabled\\s+disabled by ${ADMIN.email}`));
  await row.getByRole('button', { name: `Enable ${HOOK}` }).click();
  await page.getByRole('status').filter({ hasText: `${HOOK} is enabled again.` }).waitFor();
  assert.equal((await admin.get(`${V}/webhook-endpoints/${ep.id}`)).json.disabled, false);

  await row.getByRole('button', { name: `New secret ${HOOK}` }).click();
  const dlg = page.getByRole('dialog', { name: `A new secret for ${HOOK}` });
  await dlg.getByText('The current secret stops signing at once').waitFor();
  await dlg.getByRole('button', { name: 'New secret' }).click();
  await box.waitFor();
  const second = await box.locator('code.secret').textContent();
  assert.match(second, /^whsec_[0-9a-f]{64}$/);
  assert.notEqual(second, secret);

  // The endpoint's delivery log: an order placed now goes to it, fails (the
  // host does not resolve) and is sent again from the log.
  const services = Object.fromEntries((await owner.get(`${V}/services`)).json.items.map((s) => [s.name, s.id]));
  const up = await owner.upload(`${V}/files`, Buffer.from('notify e2e webhook read'), { name: 'hook.bin' });
  const o = (await owner.post(`${V}/orders`, {
    credit_type: 'master', services: [services['Stage 1']], file_id: up.json.file.id,
    vehicle: { make: 'Seat', model: 'Leon 5F', ecu: 'EDC17' },
  })).json;
  let attempt = null;
  for (let i = 0; i < 150 && !attempt; i++) {
    const log = (await admin.get(`${V}/webhook-endpoints/${ep.id}/deliveries?limit=50`)).json.items;
    for (const a of log) {
      const e = (await admin.get(`${V}/events/${a.event_id}`)).json;
      if (e.data?.object?.id === o.id) { attempt = a; break; }
    }
    if (!attempt) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(attempt, 'the order reached the endpoint\'s log');
  await page.getByRole('link', { name: HOOK }).click();
  await page.getByRole('heading', { level: 1, name: 'Webhook endpoint' }).waitFor();
  const logRow = page.locator(`tr[data-attempt="${attempt.id}"]`);
  await logRow.waitFor();
  const rowText = await logRow.innerText();
  assert.match(rowText, new RegExp(attempt.event_id));
  assert.match(rowText, /no answer/);
  assert.match(rowText, /cannot resolve webhook host 'hooks\.example\.com'/);
  await logRow.getByRole('button', { name: `Resend ${attempt.event_id} (${attempt.delivery_id})` }).click();
  await page.getByRole('status').filter({ hasText: 'Sent again as a new delivery' }).waitFor();
  const hooks = (await admin.get(`${V}/events/${attempt.event_id}`)).json.deliveries.filter((d) => d.channel === 'webhook');
  assert.equal(hooks.length, 2, 'the old delivery and the new one');
  await shoot(page, 'admin-webhook-log');

  await page.getByRole('button', { name: `Delete ${HOOK}` }).click();
  await page.getByRole('dialog', { name: `Delete ${HOOK}?` }).getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
  await page.getByText('No endpoints yet').waitFor();
  list = (await admin.get(`${V}/webhook-endpoints`)).json.items;
  assert.deepEqual(list, []);
  assert.deepEqual(problems(page, [SIGN_IN]), []);
  await page.closeAll();
});

test('the event log lists the order placed through the API; its page shows the skipped mails and the payload', async () => {
  const ev = await orderEvent();
  const mails = ev.deliveries.filter((d) => d.channel === 'mail');
  assert.ok(mails.length >= 1, 'admins get order.created mails');
  const page = await as(ADMIN);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Event log' }).click();
  await page.getByRole('heading', { level: 1, name: 'Event log' }).waitFor();
  await page.getByLabel('Event type').selectOption('order.created');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL(/#\/admin\/events\?type=order\.created$/);
  const row = page.locator(`tr[data-event="${ev.id}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /Order placed/);
  assert.match(await row.innerText(), /Autotechnik Weber/);
  assert.equal(await page.locator('tr[data-event]').filter({ hasNotText: 'order.created' }).count(), 0, 'only orders placed');
  await shoot(page, 'admin-events-filtered');

  await row.getByRole('link', { name: 'Order placed' }).click();
  await page.getByRole('heading', { level: 1, name: `Order placed · ${ev.id}` }).waitFor();
  for (const d of mails) {
    const r = page.locator(`tr[data-delivery="${d.id}"]`);
    const t = await r.innerText();
    assert.match(t, /Mail/);
    assert.match(t, /Skipped/);
    assert.match(t, /mail is not configured/);
    assert.ok(t.includes(d.recipient), d.recipient);
  }
  const payload = JSON.parse(await page.locator('pre.payload').textContent());
  assert.deepEqual([payload.id, payload.type, payload.data.object.id], [ev.id, 'order.created', order.id]);
  await shoot(page, 'admin-event-detail');
  assert.deepEqual(problems(page, [SIGN_IN]), []);
  await page.closeAll();
});

test('an owner turns a mail off, picks German and sets a low-balance warning; a technician has no warnings to set', async () => {
  const page = await as(OWNER);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Notifications' }).click();
  await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
  const invoice = page.getByLabel('Invoice issued');
  assert.deepEqual([await invoice.isChecked(), await invoice.isDisabled()], [true, true]);
  assert.match(await page.locator('label.choice').filter({ hasText: 'Invoice issued' }).innerText(), /Always sent/);
  await page.getByLabel('Credits added').uncheck();
  await page.getByLabel('Language of your mails').selectOption({ label: 'Deutsch' });
  await page.getByRole('button', { name: 'Save mail choices' }).click();
  await page.getByRole('status').filter({ hasText: 'Your mail choices are saved.' }).waitFor();
  const prefs = (await owner.get(`${V}/me/notifications`)).json;
  assert.equal(prefs.locale, 'de');
  const on = Object.fromEntries(prefs.mail.map((m) => [m.event, m.enabled]));
  assert.equal(on['credits.added'], false);
  assert.equal(on['credits.adjusted'], true);
  assert.equal(on['invoice.created'], true);

  const master = page.getByLabel('Master credits: warn below');
  await master.fill('-1');
  await page.getByRole('button', { name: 'Save warnings' }).click();
  await page.locator('.field[data-field="master"] .field-error').filter({ hasText: 'must be 0 or more' }).waitFor();
  await master.fill('40');
  await page.getByRole('button', { name: 'Save warnings' }).click();
  await page.getByRole('status').filter({ hasText: 'The low-balance warnings are saved.' }).waitFor();
  const low = (await owner.get(`${V}/customers/${order.customer_id}/low-balance`)).json;
  assert.deepEqual(low, { master: '40', slave: null, eur: null });
  await shoot(page, 'customer-notifications-saved');
  assert.deepEqual(problems(page, [SIGN_IN, refused(422)]), []);
  await page.closeAll();
  // The mails' language is the owner's language (GET /me language): back to
  // the business's, so the owner's next sign-in shows the portal in English.
  assert.equal((await owner.patch(`${V}/me/notifications`, { locale: '' })).status, 200);

  const tech = await as(TECH, PHONE);
  await open(tech, '/notifications');
  await tech.getByRole('heading', { level: 2, name: 'Mails to you' }).waitFor();
  assert.equal(await tech.getByRole('heading', { name: 'Low-balance warnings' }).count(), 0);
  assert.equal(await tech.getByLabel('Invoice issued').count(), 0, 'technicians get no invoice mails');
  await shoot(tech, 'customer-notifications-technician-phone');
  assert.deepEqual(problems(tech, [SIGN_IN]), []);
  await tech.closeAll();
});

test('the admin sets the language of a customer\'s mails', async () => {
  const page = await as(ADMIN);
  await open(page, `/admin/customers/${order.customer_id}`);
  await page.getByRole('button', { name: 'Edit details' }).click();
  const dlg = page.getByRole('dialog', { name: 'Edit customer' });
  await dlg.getByLabel('Language of mails and invoices').selectOption('de');
  await dlg.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Details saved.' }).waitFor();
  assert.equal((await admin.get(`${V}/customers/${order.customer_id}`)).json.locale, 'de');
  assert.match(await page.locator('.customer-head .sub').innerText(), /Mail language: Deutsch/);
  assert.deepEqual(problems(page, [SIGN_IN]), []);
  await page.closeAll();
});

// axe-core (a pinned test tool, package.json) checks every page.
const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`every notification page draws at ${size} width${axe ? ', axe-clean' : ''}`, async () => {
    const ev = await orderEvent();
    const ep = (await admin.post(`${V}/webhook-endpoints`, { url: `${HOOK}/${size}`, events: ['*'], description: size })).json;
    const pages = [
      [ADMIN, 'admin-notifications', '/admin/notifications'],
      [ADMIN, 'admin-webhooks', '/admin/webhooks'],
      [ADMIN, 'admin-webhook', `/admin/webhooks/${ep.id}`],
      [ADMIN, 'admin-events', '/admin/events'],
      [ADMIN, 'admin-event', `/admin/events/${ev.id}`],
      [OWNER, 'customer-notifications', '/notifications'],
    ];
    const pageOf = new Map();
    for (const [who, name, path] of pages) {
      if (!pageOf.has(who)) pageOf.set(who, await as(who, viewport));
      const page = pageOf.get(who);
      await open(page, path);
      assert.equal(await page.locator('main .notice.error').count(), 0, `${name}: no error`);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(wide <= 0, `${name} fits ${viewport.width} px (${wide} px too wide)`);
      if (axe) {
        await page.evaluate(axe); // through the debugger: the page's policy allows no inline script
        const found = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] }))
          .violations.map((v) => `${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`));
        assert.deepEqual(found, [], `${name}: axe`);
      }
      await shoot(page, `${name}-${size}`);
    }
    for (const page of pageOf.values()) {
      assert.deepEqual(problems(page, [SIGN_IN]), []);
      await page.closeAll();
    }
    assert.equal((await admin.del(`${V}/webhook-endpoints/${ep.id}`)).status, 204);
  });
}
