// Issue 13's "done when", in a real browser with a real SMTP relay: a shop
// owner who works in German sets the bank details, the accent colour and
// the logo, adds a German customer and its owner, sells it a package on an
// invoice to be paid by transfer; the customer's owner receives the German
// invoice mail with a German PDF carrying the IBAN and the due date; the
// admin marks it paid, voids it and gets a credit note, whose PDF is a
// German "Gutschrift". Every step through the portal's pages, found by the
// German catalogue's words; the API only checks what the pages did.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { startPortal, shoot, axeViolations, ADMIN, DESKTOP } from './browser.mjs';
import { Client } from '../api/harness.mjs';
import { png } from '../support/png.mjs';

const V = '/api/v1';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const de = Object.assign({}, ...readdirSync(join(root, 'i18n', 'de'))
  .map((f) => JSON.parse(readFileSync(join(root, 'i18n', 'de', f), 'utf8'))));
const word = (key, vars = {}) => de[key].replace(/\{(\w+)\}/g, (_, k) => vars[k]);
const IBAN = 'DE89370400440532013000';
const OWNER = { email: 'chefin@autohaus-becker.example', password: 'autohaus becker passwort' };

let portal, relay, dir;
const mails = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'creditd-story-'));
  relay = new SMTPServer({
    logger: false, disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, session, callback) {
      simpleParser(stream).then((parsed) => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), parsed });
        callback(null, 'queued');
      }, callback);
    },
  });
  await new Promise((resolve) => relay.listen(0, '127.0.0.1', resolve));
  portal = await startPortal({ env: {
    CREDITD_SMTP_URL: `smtp://127.0.0.1:${relay.server.address().port}`, CREDITD_MAIL_FROM: 'rechnung@ecu-chip.example',
  } });
});
after(async () => {
  await portal?.stop();
  await new Promise((resolve) => relay.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function pdfText(bytes, name) {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', path, '-'], { encoding: 'utf8' }).replace(/\u00a0/g, ' ');
}

async function waitFor(what, fn) {
  for (let i = 0; i < 200; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 150));
  }
  return assert.fail(`no ${what} in 30 s`);
}

test('a German shop owner: bank details, brand, a German customer, a German PDF invoice by mail, paid, voided, a credit note', async () => {
  const admin = new Client(portal.url);
  assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
  assert.equal((await admin.patch(`${V}/me`, { language: 'de' })).status, 200);
  const context = await portal.browser.newContext({ viewport: DESKTOP, locale: 'de-DE' });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error' || /no words for/.test(m.text())) problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  try {
    await page.goto(`${portal.url}/`);
    await page.locator('input[name="email"]').fill(ADMIN.email);
    await page.locator('input[name="password"]').fill(ADMIN.password);
    await page.getByRole('button', { name: word('login.submit') }).click();
    await page.locator('nav.nav').waitFor();

    // 1. Bank details and payment terms on Settings.
    await page.goto(`${portal.url}/#/admin/settings`);
    const settings = page.locator('form.settings-form');
    await settings.locator('input[name="bank_account_holder"]').fill('ECU Chip Service GmbH');
    await settings.locator('input[name="bank_iban"]').fill('DE89 3704 0044 0532 0130 00');
    await settings.locator('input[name="bank_bic"]').fill('COBADEFFXXX');
    await settings.locator('input[name="payment_terms_days"]').fill('14');
    await settings.getByRole('button', { name: word('settings.save') }).click();
    await waitFor('bank details', async () => (await admin.get(`${V}/settings`)).json.bank_iban === IBAN);
    assert.equal((await admin.get(`${V}/settings`)).json.payment_terms_days, 14);

    // 2. The brand: an accent colour and a logo.
    await page.goto(`${portal.url}/#/admin/branding`);
    const brandForm = page.locator('form.branding-form');
    await brandForm.locator('input[name="accent_color"]').fill('#0b6e4f');
    await brandForm.getByRole('button', { name: word('brand.save') }).click();
    await waitFor('the colour', async () => (await admin.get(`${V}/branding`)).json.accent_color === '#0b6e4f');
    await page.locator('form.logo-form input[type="file"]').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png(120, 40) });
    await page.locator('form.logo-form').getByRole('button', { name: word('brand.upload') }).click();
    await waitFor('the logo', async () => (await admin.get(`${V}/branding`)).json.logo_url);

    // 3. A German customer with an owner who signs in.
    await page.goto(`${portal.url}/#/admin/customers`);
    await page.locator('main').getByRole('button', { name: word('customer.add'), exact: true }).click();
    let dlg = page.getByRole('dialog');
    await dlg.locator('input[name="name"]').fill('Autohaus Becker GmbH');
    await dlg.locator('input[name="email"]').fill('buchhaltung@autohaus-becker.example');
    await dlg.locator('textarea[name="address"]').fill('Ringstraße 5\n80331 München');
    await dlg.locator('input[name="country"]').fill('DE');
    await dlg.locator('select[name="language"]').selectOption('de');
    await dlg.getByRole('button', { name: word('customer.add') }).click();
    await page.getByRole('heading', { level: 1, name: 'Autohaus Becker GmbH' }).waitFor();
    const customer = (await admin.get(`${V}/customers?q=Becker`)).json.items[0];
    assert.equal(customer.language, 'de');
    await page.locator('main').getByRole('button', { name: word('customer.add_member'), exact: true }).click();
    dlg = page.getByRole('dialog');
    await dlg.locator('input[name="email"]').fill(OWNER.email);
    await dlg.locator('input[name="password"]').fill(OWNER.password);
    await dlg.locator('select[name="role"]').selectOption('owner');
    await dlg.getByRole('button', { name: word('customer.add_member') }).click();
    await page.getByRole('status').filter({ hasText: OWNER.email }).first().waitFor();

    // 4. A package on an invoice to be paid by transfer.
    await page.locator('main').getByRole('button', { name: word('customer.add_package') }).click();
    dlg = page.getByRole('dialog');
    await dlg.locator('input[name="reason"]').fill('Paket per Überweisung');
    await dlg.locator('select[name="invoice"]').selectOption('open');
    await dlg.getByRole('button', { name: word('customer.add_credits') }).click();
    await dlg.waitFor({ state: 'detached' });
    const invoice = await waitFor('the invoice', async () => (await admin.get(`${V}/invoices?customer=${customer.id}`)).json.items[0]);
    assert.equal(invoice.status, 'open');

    // 5. The owner's mail: German, with the German PDF, IBAN and due date.
    const mail = await waitFor('the invoice mail', () => mails.find((m) => m.to.includes(OWNER.email) && m.parsed.attachments.length));
    assert.match(mail.parsed.subject, new RegExp(`Rechnung ${invoice.number}`));
    const pdf = mail.parsed.attachments.find((a) => a.contentType === 'application/pdf');
    assert.equal(pdf.filename, `${invoice.number}.pdf`);
    const text = pdfText(pdf.content, 'invoice.pdf');
    const due = invoice.due_date.split('-').reverse().join('.');
    for (const want of [`Rechnung ${invoice.number}`, 'Autohaus Becker GmbH', 'Ringstraße 5', 'DE89 3704 0044 0532 0130 00',
      'COBADEFFXXX', 'ECU Chip Service GmbH', 'Fälligkeitsdatum', due, 'Verwendungszweck']) {
      assert.ok(text.includes(want), `"${want}" in the PDF:\n${text}`);
    }
    assert.ok(!/Invoice|Due date/.test(text), text);

    // 6. Paid, then voided: a credit note.
    await page.goto(`${portal.url}/#/admin/invoices`);
    await page.getByRole('button', { name: word('admininvoice.mark_paid_label', { number: invoice.number }) }).click();
    await waitFor('the payment', async () => (await admin.get(`${V}/invoices/${invoice.id}`)).json.status === 'paid');
    await page.getByRole('button', { name: word('admininvoice.void_label', { number: invoice.number }) }).click();
    dlg = page.getByRole('dialog');
    await dlg.locator('textarea[name="reason"]').fill('Doppelt gebucht');
    await dlg.getByRole('button', { name: word('admininvoice.void_submit') }).click();
    const note = await waitFor('the credit note', async () => (await admin.get(`${V}/credit-notes?invoice=${invoice.id}`)).json.items
      .find((n) => n.invoice_id === invoice.id));
    await page.locator('main').getByText(note.number).first().waitFor();
    await shoot(page, 'story-de-credit-note');
    assert.deepEqual(await axeViolations(page), []);
    const notePdf = await admin.get(`${V}/credit-notes/${note.id}/pdf`);
    assert.equal(notePdf.status, 200);
    const noteText = pdfText(notePdf.bytes, 'note.pdf');
    for (const want of [`Gutschrift ${note.number}`, invoice.number, 'Autohaus Becker GmbH', 'Zu erstatten', 'Grund: Doppelt gebucht']) {
      assert.ok(noteText.includes(want), `"${want}" in the credit note:\n${noteText}`);
    }
    // The shell asks GET /me before the sign-in: its 401 is expected.
    assert.deepEqual(problems.filter((p) => !/status of 401/.test(p)), []);
  } finally {
    await context.close();
    await admin.patch(`${V}/me`, { language: '' });
  }
});
