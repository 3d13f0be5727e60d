// The admin's daily pages in German in a real browser against `creditd
// demo`: an admin whose language is German (PATCH /me) sees the Dashboard,
// the orders queue, an order (taken by a status change, completed by
// delivering a file), the invoices (the payment details dialog, voiding a
// paid invoice, which issues a credit note), the packages, the services,
// the settings (bank details saved, the business language offered from
// web/i18n.js) and the transactions in German at 1280 and 390 px. Each page:
// <html lang="de">, its heading and buttons by their German names, none of
// the page's English words left, no word broken in a table cell or badge,
// no serious or critical axe violation, no key without words, and a
// screenshot. A page left in English fails on its heading, buttons and
// English words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, problems, shoot, brokenWords, axeViolations, ADMIN, OWNER, DESKTOP } from './browser.mjs';
import { Client } from '../api/harness.mjs';
import { germanTools } from './german-lib.mjs';

const V = '/api/v1';
const PHONE = { width: 390, height: 844 };
const SIZES = [['desktop', DESKTOP], ['phone', PHONE]];
const SIGN_IN = /401/;

let portal;
let admin; // the API as the admin, to set up and to check
const orders = {}; // per size: an order just submitted, to take and deliver
const paid = {}; // per size: a paid invoice, to void

before(async () => {
  portal = await startPortal();
  admin = new Client(portal.url);
  assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
  assert.equal((await admin.patch(`${V}/me`, { language: 'de' })).json.language, 'de');
  const owner = new Client(portal.url);
  assert.equal((await owner.login(OWNER.email, OWNER.password)).status, 200);
  const services = Object.fromEntries((await owner.get(`${V}/services`)).json.items.map((s) => [s.name, s.id]));
  const pkg = (await owner.get(`${V}/packages`)).json.items[0];
  for (const [size] of SIZES) {
    const up = await owner.upload(`${V}/files`, Buffer.from(`german admin e2e original ${size}`), { name: `read-${size}.bin` });
    assert.equal(up.status, 201, up.text);
    const o = await owner.post(`${V}/orders`, {
      credit_type: 'master', services: [services['Stage 1']], file_id: up.json.file.id,
      vehicle: { make: 'VW', model: 'Golf 7', ecu: 'MED17' },
    });
    assert.equal(o.status, 201, o.text);
    orders[size] = o.json;
    // A bank transfer the admin marks paid: an invoice to void.
    const buy = await owner.post(`${V}/purchases`, { package_id: pkg.id, gateway: 'manual' });
    assert.equal(buy.status, 201, buy.text);
    const invoiceId = buy.json.invoice?.id || buy.json.invoice_id;
    assert.ok(invoiceId, buy.text);
    assert.equal((await admin.post(`${V}/invoices/${invoiceId}/mark-paid`, {})).status, 200);
    paid[size] = (await admin.get(`${V}/invoices/${invoiceId}`)).json;
    assert.equal(paid[size].status, 'paid');
  }
});

after(async () => {
  // Back to the business's language.
  if (admin) await admin.patch(`${V}/me`, { language: '' });
  await portal?.stop();
});

const { openPage, signIn, open, german } = germanTools({ get browser() { return portal.browser; }, get url() { return portal.url; } });

// The page is German (german-lib.mjs), no word is broken, axe finds nothing
// serious, and a screenshot.
async function check(page, name, size, want) {
  await german(page, name, want);
  assert.deepEqual(await brokenWords(page), [], `${name}: broken words`);
  assert.deepEqual(await axeViolations(page), [], `${name}: axe`);
  await shoot(page, `${name}-${size}`);
}

for (const [size, viewport] of SIZES) {
  test(`an admin whose language is German runs the business in German at ${viewport.width} px`, async () => {
    const page = await openPage(viewport, 'en-GB');
    await signIn(page, ADMIN);
    // Table headers show at desktop width; a phone stacks the cells.
    const wide = (...words) => (size === 'desktop' ? words : []);

    await open(page, '/admin');
    await check(page, 'de-admin-dashboard', size, {
      h1: 'Übersicht', texts: ['Wartende Aufträge', 'Auftragsliste öffnen', 'Letzte manuelle Korrekturen', 'im Besitz der Kunden', /verkauft seit/],
      english: ['Orders waiting', 'Open the orders queue', 'Recent manual adjustments', 'held by customers', 'All adjustments',
        'sold since', 'in progress', 'submitted', 'Justification', 'newest first'],
    });

    await open(page, '/admin/orders');
    await check(page, 'de-admin-orders', size, {
      h1: 'Aufträge', buttons: ['Anzeigen', 'Übernehmen'],
      texts: ['Wartend (eingegangen und in Bearbeitung), neueste zuerst', 'Eingegangen', 'Öffnen', ...wide('Fahrzeug', 'Aktionen')],
      english: ['Show', 'Take', 'Open', 'Vehicle', 'Submitted', 'Actions', 'newest first', 'Customer', 'All customers', 'Waiting'],
    });

    // An order: taken by a status change, then completed by a file.
    const o = orders[size];
    await open(page, `/admin/orders/${o.id}`);
    await check(page, 'de-admin-order', size, {
      h1: `${o.reference} Eingegangen`, buttons: ['Auftrag übernehmen', 'Auftrag ablehnen', 'Datei liefern', 'Status setzen'],
      texts: ['Auftrag bearbeiten', 'Geänderte Datei liefern', 'Fahrzeug', 'Marke', 'Steuergerät', 'Verlauf', 'Dateien', 'Original angehängt', /Für .* · eingegangen am /],
      english: ['Take this order', 'Reject order', 'Deliver file', 'Set status', 'Work on this order', 'Vehicle', 'Make', 'History',
        'Files', 'Oldest first', 'submitted', 'Notes', 'No notes', 'Original attached', 'Uploaded', 'Size', 'Services', 'Total'],
    });
    await page.locator('form.filters select[name="status"]').selectOption('in_progress');
    await page.getByRole('button', { name: 'Status setzen' }).click();
    await page.getByText(`${o.reference} ist jetzt in Bearbeitung.`).waitFor();
    await page.locator('input[type="file"][name="file"]').setInputFiles({ name: `tuned-${size}.bin`, mimeType: 'application/octet-stream', buffer: Buffer.from('tuned') });
    await page.getByRole('button', { name: 'Datei liefern' }).click();
    await page.getByText(`tuned-${size}.bin geliefert: ${o.reference} ist erledigt.`).waitFor();
    await check(page, 'de-admin-order-completed', size, {
      h1: `${o.reference} Erledigt`, texts: ['Geliefert', 'Datei geliefert', 'Eingegangen → In Bearbeitung', 'In Bearbeitung → Erledigt'],
      english: ['Delivered', 'File delivered', 'In progress', 'Completed', 'History', 'When', 'What', 'Reason or detail'],
    });
    assert.equal((await admin.get(`${V}/orders/${o.id}`)).json.status, 'completed');

    // Invoices: the payment details of an open one, and a paid one voided.
    await open(page, '/admin/invoices');
    await check(page, 'de-admin-invoices', size, {
      h1: 'Rechnungen', buttons: ['Filter anwenden', 'Als bezahlt markieren', 'Stornieren', 'Zahlungsangaben'],
      texts: ['Gutschriften', 'Zahlungsart', 'Rechnungen, neueste zuerst', 'Überweisung', 'fällig am', ...wide('Brutto')],
      english: ['Apply filters', 'Mark paid', 'Void', 'Payment details', 'Credit notes', 'Paid by', 'Due date', 'Any status',
        'Print', 'Bank transfer', 'Gross', 'Net', 'newest first', 'All customers'],
    });
    await page.locator('main button', { hasText: 'Zahlungsangaben' }).first().click();
    const details = page.getByRole('dialog');
    await details.getByRole('heading', { name: /^Rechnung \S+: Zahlungsangaben$/ }).waitFor();
    assert.ok(await details.getByRole('button', { name: 'Fertig' }).isVisible());
    await shoot(page, `de-admin-invoice-payment-${size}`);
    await details.getByRole('button', { name: 'Schließen' }).click();
    await details.waitFor({ state: 'hidden' });

    const inv = paid[size];
    await page.getByRole('button', { name: `Rechnung ${inv.number} stornieren` }).click();
    const voiding = page.getByRole('dialog');
    await voiding.getByRole('heading', { name: `Rechnung ${inv.number} stornieren` }).waitFor();
    await voiding.getByRole('button', { name: 'Rechnung stornieren' }).click();
    await voiding.locator('.field-error').filter({ hasText: 'ist erforderlich' }).waitFor();
    await voiding.locator('textarea[name="reason"]').fill('Zurückgegeben');
    await voiding.getByRole('button', { name: 'Rechnung stornieren' }).click();
    await page.getByRole('heading', { name: `Rechnung ${inv.number} ist storniert` }).waitFor();
    await check(page, 'de-admin-invoice-voided', size, {
      h1: 'Rechnungen', texts: [/Gutschrift \S+ über .+ ausgestellt; zu erstatten: /, 'Was mit den gekauften Credits geschah', ...wide('Bereits verbraucht')],
      english: ['Credit note', 'issued over', 'to refund', 'What happened', 'Already spent', 'Removed now', 'Bought', 'is void'],
    });
    assert.equal((await admin.get(`${V}/invoices/${inv.id}`)).json.status, 'void');

    await open(page, '/admin/packages');
    await check(page, 'de-admin-packages', size, {
      h1: 'Pakete', buttons: ['Paket hinzufügen', 'Bearbeiten', 'Zurückziehen', 'Archivieren'],
      texts: ['Veröffentlicht', 'Archivierte Pakete anzeigen', /: \d+ Pakete?$/m, ...wide('Preis netto', 'Gültigkeit', 'Je Credit')],
      english: ['Add package', 'Edit', 'Withdraw', 'Archive', 'Published', 'Price excl. VAT', 'Per credit', 'Validity',
        'Show archived packages', 'Never expires', 'days', 'packages', 'package', 'Draft', 'Standard VAT'],
    });
    // A package's dialog, in German.
    await page.getByRole('button', { name: 'Paket hinzufügen' }).click();
    const pkgDialog = page.getByRole('dialog');
    await pkgDialog.getByRole('heading', { name: 'Paket hinzufügen' }).waitFor();
    const pkgText = await pkgDialog.innerText();
    for (const w of ['Credits je Art', 'Credits verfallen nach (Tagen)', 'Leistungskategorien']) assert.ok(pkgText.includes(w), `package dialog: ${w}`);
    assert.doesNotMatch(pkgText, /Credits per type|Sort order|Provider|Leave empty/);
    await pkgDialog.getByRole('button', { name: 'Abbrechen' }).click();

    await open(page, '/admin/services');
    await check(page, 'de-admin-services', size, {
      h1: 'Leistungen und Kosten', buttons: ['Leistung hinzufügen', 'Bearbeiten'],
      texts: ['Basis', 'Zusatz', 'Leistungen und ihre Kosten je Credit-Art', ...wide('Kategorie', 'Anbieter')],
      english: ['Add service', 'Edit', 'Base', 'Add-on', 'Category', 'Provider', 'Services and costs', 'Service', 'Inactive', 'Actions'],
    });

    // Settings: the bank details saved in German; the language offered.
    await open(page, '/admin/settings');
    await check(page, 'de-admin-settings', size, {
      h1: 'Einstellungen', buttons: ['Einstellungen speichern', 'Credit-Art hinzufügen', 'Bearbeiten'],
      texts: ['Bankverbindung und Zahlungsziel', 'Kontoinhaber', 'Zahlungsziel (Tage)', 'Zeitzone', 'Währung', 'Sprache', 'Credit-Arten',
        'Erscheinungsbild', 'Land des Verkäufers', ...wide('Einlösbar')],
      english: ['Save settings', 'Add credit type', 'Bank details', 'Account holder', 'Payment terms', 'Time zone', 'Currency', 'Language',
        'Credit types', 'Business name', 'Sign-ups', 'Spendable', 'Decimals', 'Units', 'Invoices', 'New customers', 'Brand', 'Edit'],
    });
    const language = page.locator('select[name="language"]');
    assert.deepEqual((await language.locator('option').allInnerTexts()).map((x) => x.trim()), ['English', 'Deutsch']);
    assert.equal(await language.inputValue(), (await admin.get(`${V}/settings`)).json.language);
    // Countries named in the reader's language.
    assert.ok((await page.locator('select[name="country"] option').allInnerTexts()).includes('DE — Deutschland'));
    const bank = page.getByRole('group', { name: 'Bankverbindung und Zahlungsziel' });
    await bank.getByLabel('Kontoinhaber').fill(`Weber ${size}`);
    await page.getByRole('button', { name: 'Einstellungen speichern' }).click();
    await page.getByText('Einstellungen gespeichert.').waitFor();
    assert.equal((await admin.get(`${V}/settings`)).json.bank_account_holder, `Weber ${size}`);
    // Choosing German sets a German locale in the field (not saved here).
    await language.selectOption('de');
    assert.equal(await page.locator('input[name="locale"]').inputValue(), 'de-DE');

    await open(page, '/admin/transactions');
    await check(page, 'de-admin-transactions', size, {
      h1: 'Buchungen', buttons: ['Credits übertragen', 'Filter anwenden'],
      texts: ['CSV exportieren', 'Alle Buchungen, neueste zuerst', 'Ausführender Benutzer', ...wide('Saldo danach')],
      english: ['Transfer credits', 'Apply filters', 'Export CSV', 'Balance after', 'All transactions', 'Acting user', 'Credit type',
        'All kinds', 'All types', 'Clear filters', 'The export holds'],
    });

    assert.deepEqual(problems(page, [SIGN_IN, /status of 422\b/]), []);
    await page.closeAll();
  });
}
