// Paying an invoice by bank transfer in a real browser, at desktop (1280 px)
// and phone (390 px) width: the owner buys a package by bank transfer and
// the shop's next step shows the account holder, the IBAN in groups of
// four, the BIC, the amount, the invoice number as the reference and the
// due date, with an EPC QR code ("GiroCode") that zbarimg reads from a
// screenshot as exactly the EPC069-12 text of that transfer. The Invoices
// page shows the same for the open invoice, the printable invoice draws its
// QR code under its own CSP, and the admin's settings page has its "Bank
// details and payment terms" section, and a voided paid invoice's credit
// note is listed on the admin's invoices page. Pages are axe-clean; no console
// errors, exceptions or failed requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startPortal, openPage, signIn, problems, shoot, ADMIN, OWNER, DESKTOP, SHOTS } from './browser.mjs';
import { Client } from '../api/harness.mjs';

const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PHONE_390 = { width: 390, height: 844 };
const IBAN = 'DE89370400440532013000';

let portal;
before(async () => { portal = await startPortal(); });
after(async () => { await portal?.stop(); });

async function axeClean(page, name) {
  await page.evaluate(axe);
  const found = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] }))
    .violations.map((v) => `${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`));
  assert.deepEqual(found, [], `${name}: axe`);
}

// What zbarimg reads from a screenshot of the element.
function scan(name) {
  return execFileSync('zbarimg', ['-q', '--raw', join(SHOTS, name)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .replace(/\n$/, '');
}

const epc = (number, amount) => `BCD\n002\n1\nSCT\nCOBADEFFXXX\nECU Chip Service GmbH\n${IBAN}\nEUR${amount}\n\n\n${number}`;

for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE_390]]) {
  test(`the bank-transfer step shows the account, the reference and a QR code that scans (${label})`, async () => {
    const page = await openPage(portal, viewport);
    await signIn(page, portal.url, OWNER);
    await page.goto(`${portal.url}/#/shop`);
    await page.getByRole('heading', { name: 'Credit shop', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Buy Starter' }).click();
    const dlg = page.getByRole('dialog', { name: 'Buy Starter' });
    // Without card payments set up, a bank transfer is the only way: the
    // dialog says so instead of offering a choice.
    await dlg.getByText('You pay by bank transfer').waitFor();
    await dlg.getByRole('button', { name: 'Buy' }).click();
    const invoice = page.locator('section.invoice');
    const heading = invoice.getByRole('heading', { name: /^Invoice ECS-\d{4}-\d{6}/ });
    await heading.waitFor();
    const number = /Invoice (\S+)/.exec(await heading.textContent())[1];
    const pay = invoice.getByRole('region', { name: `Pay invoice ${number} by bank transfer` });
    await pay.waitFor();
    const text = await pay.textContent();
    for (const part of ['ECU Chip Service GmbH', 'DE89 3704 0044 0532 0130 00', 'COBADEFFXXX', '€58.31', number, 'Due date'])
      assert.ok(text.includes(part), `${part} in ${text}`);
    const qr = pay.getByRole('img', { name: /QR code for your banking app/ });
    assert.ok(await qr.isVisible());
    const box = await qr.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= viewport.width, 'the QR code fits the screen');
    await qr.screenshot({ path: join(SHOTS, `shop-epc-${label}.png`) });
    assert.equal(scan(`shop-epc-${label}.png`), epc(number, '58.31'));
    await axeClean(page, `shop-transfer-${label}`);
    await shoot(page, `customer-shop-transfer-${label}`);

    // The Invoices page shows the same for the open invoice.
    await page.goto(`${portal.url}/#/invoices`);
    await page.getByRole('heading', { name: 'Invoices', level: 1 }).waitFor();
    const card = page.locator('section.to-pay article').filter({ hasText: number });
    await card.getByRole('img', { name: /QR code for your banking app/ }).waitFor();
    assert.ok((await card.textContent()).includes('DE89 3704 0044 0532 0130 00'));
    await card.getByRole('img', { name: /QR code/ }).screenshot({ path: join(SHOTS, `invoices-epc-${label}.png`) });
    assert.equal(scan(`invoices-epc-${label}.png`), epc(number, '58.31'));
    await axeClean(page, `invoices-${label}`);
    await shoot(page, `customer-invoices-transfer-${label}`);

    // The printable invoice draws its own QR code (script of this origin only).
    const list = await page.evaluate(async () => (await fetch('/api/v1/invoices?status=open&limit=200')).json());
    const inv = list.items.find((i) => i.number === number);
    await page.goto(`${portal.url}/api/v1/invoices/${inv.id}/html`);
    const printed = page.locator('figure.epc svg');
    await printed.waitFor();
    await printed.screenshot({ path: join(SHOTS, `printable-epc-${label}.png`) });
    assert.equal(scan(`printable-epc-${label}.png`), epc(number, '58.31'));
    assert.ok((await page.textContent('body')).includes('Verwendungszweck') || (await page.textContent('body')).includes('Reference'));
    await shoot(page, `printable-invoice-${label}`);
    assert.deepEqual(problems(page, [/401/]), []);
    await page.closeAll();
  });
}

test('the admin sets bank details in their own settings section; a bad IBAN is named', async () => {
  const page = await openPage(portal);
  await signIn(page, portal.url, ADMIN);
  await page.goto(`${portal.url}/#/admin/settings`);
  const section = page.getByRole('group', { name: 'Bank details and payment terms' });
  await section.waitFor();
  assert.equal(await section.getByLabel('IBAN').inputValue(), 'DE89 3704 0044 0532 0130 00');
  await section.getByLabel('IBAN').fill('DE89 3704 0044 0532 0130 01');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('has wrong check digits').first().waitFor();
  await section.getByLabel('IBAN').fill('at61 1904 3002 3457 3201');
  await section.getByLabel('BIC').fill('bkauatww');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Settings saved.').waitFor();
  assert.equal(await section.getByLabel('IBAN').inputValue(), 'AT61 1904 3002 3457 3201');
  assert.equal(await section.getByLabel('BIC').inputValue(), 'BKAUATWW');
  await axeClean(page, 'admin-settings-bank');
  await shoot(page, 'admin-settings-bank-desktop');
  // A paid invoice voided: its credit note is listed with the invoices.
  const api = new Client(portal.url);
  assert.equal((await api.login(ADMIN.email, ADMIN.password)).status, 200);
  const paid = (await api.get('/api/v1/invoices?status=paid&limit=1')).json.items[0];
  const voided = await api.post(`/api/v1/invoices/${paid.id}/void`, { reason: 'returned' });
  assert.equal(voided.status, 200, voided.text);
  const cn = voided.json.credit_note.number;
  await page.goto(`${portal.url}/#/admin/invoices`);
  await page.getByRole('table', { name: 'Credit notes, newest first' }).getByRole('link', { name: cn }).waitFor();
  await axeClean(page, 'admin-invoices-credit-notes');
  await shoot(page, 'admin-invoices-credit-notes-desktop');
  assert.deepEqual(problems(page, [/401/, /422/]), []);
  await page.closeAll();
});
