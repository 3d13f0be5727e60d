// The admin's customer pages in German in a real browser against `creditd
// demo`, at 1280 and 390 px, for an admin whose language is set by PATCH
// /me: the customers list, a customer's page (balances, lots with their
// rules and actions, ledger, invoices, members), the add-credits dialog
// (validity, restrictions, peak hours, a rule broken), the lot dialogs
// (edit, pause, deactivate), the transfer (the picker, the confirmation and
// what it did) and the customer picker searching. Each page and dialog:
// <html lang="de">, its heading and buttons by their German names, none of
// its English words, no word broken in a table cell or badge, no serious or
// critical axe finding, no key without words and no console problems, and a
// screenshot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startPortal, problems, shoot, brokenWords, axeViolations, ADMIN, DESKTOP,
} from './browser.mjs';
import { Client } from '../api/harness.mjs';
import { germanTools } from './german-lib.mjs';

const V = '/api/v1';
const PHONE = { width: 390, height: 844 };
const SIZES = [['desktop', DESKTOP], ['phone', PHONE]];
const SIGN_IN = /401/;
const INVALID = /status of 422\b/;

let portal;
let admin; // the API as the admin, to set up and to check
let category; // a service category a lot is restricted to

before(async () => {
  portal = await startPortal();
  admin = new Client(portal.url);
  assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
  assert.equal((await admin.patch(`${V}/me`, { language: 'de' })).json.language, 'de');
  const svc = await admin.post(`${V}/services`, { name: 'Prüfstand mit Anna', kind: 'base', category: 'pruefstand', provider: 'Anna Berger', costs: { master: '3' } });
  assert.equal(svc.status, 201, svc.text);
  category = 'pruefstand';
});
after(async () => {
  // Back to the business's language for whoever signs in next.
  if (admin) await admin.patch(`${V}/me`, { language: '' });
  await portal?.stop();
});

async function customer(name, email) {
  const r = await admin.post(`${V}/customers`, { name, email, country: 'DE' });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function lot(id, body) {
  const r = await admin.post(`${V}/customers/${id}/lots`, { reason: 'Startguthaben', ...body });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

// A customer with something in every part of the page: lots (one paused,
// one valid from first use, one restricted with peak hours, one with a
// paid invoice), a technician with a monthly limit.
async function fullCustomer(size) {
  const c = await customer(`Müller Fahrzeugtechnik ${size}`, `mueller-${size}@fahrzeug.example`);
  const plain = await lot(c.id, { credit_type: 'master', credits: '40', name: 'Frühjahrsaktion' });
  const paused = await lot(c.id, { credit_type: 'master', credits: '12', name: 'Reserve' });
  assert.equal((await admin.post(`${V}/lots/${paused.id}/pause`, { reason: 'Kunde im Urlaub' })).status, 200);
  await lot(c.id, { credit_type: 'slave', credits: '8', start: 'first_use', expiry: 'days_from_start', expiry_days: 30 });
  await lot(c.id, {
    credit_type: 'master', credits: '5', name: 'Prüfstand', categories: category, provider: 'Anna Berger',
    peak: '1.5x Mon-Fri 17:00-20:00, Sat 10:00-14:00',
  });
  await lot(c.id, { credit_type: 'master', credits: '10', price: '100.00', invoice: 'paid' });
  await lot(c.id, { credit_type: 'slave', credits: '4', name: 'Herbst', expiry: 'fixed', expires_at: new Date(Date.now() + 90 * 86400000).toISOString() });
  const m = await admin.post(`${V}/customers/${c.id}/members`, { email: `technik-${size}@fahrzeug.example`, password: 'werkstatt-passwort-1', role: 'technician' });
  assert.equal(m.status, 201, m.text);
  assert.equal((await admin.patch(`${V}/customers/${c.id}/members/${m.json.user_id}`, { monthly_limits: { master: '25' } })).status, 200);
  return { c, plain, paused };
}

const { openPage, signIn, open, german } = germanTools({ get browser() { return portal.browser; }, get url() { return portal.url; } });

// The page drawn: German, no broken words, nothing serious for axe. The
// table headers (on a phone only the cells' data-label, which a stacked
// table shows before each value) are German and none English.
async function checkPage(page, name, { headers = [], englishHeaders = [], ...want }) {
  await german(page, name, want);
  const labels = await page.locator('main td[data-label]').evaluateAll((tds) => [...new Set(tds.map((td) => td.dataset.label))]);
  for (const x of headers) assert.ok(labels.includes(x), `${name}: header "${x}" in ${labels.join(' | ')}`);
  assert.deepEqual(englishHeaders.filter((x) => labels.includes(x)), [], `${name}: English headers`);
  assert.deepEqual(await brokenWords(page), [], `${name}: words broken`);
  assert.deepEqual(await axeViolations(page), [], `${name}: axe`);
  await shoot(page, name);
}

// The open dialog: German title, texts and fields, none of its English
// words, within the width, nothing serious for axe.
async function checkDialog(page, name, { title, texts = [], english = [] }) {
  const dlg = page.getByRole('dialog', { name: title, exact: true });
  await dlg.waitFor();
  const shown = await dlg.innerText();
  for (const text of ['Abbrechen', ...texts]) {
    assert.ok(text instanceof RegExp ? text.test(shown) : shown.includes(text), `${name}: "${text}" in ${shown}`);
  }
  const left = ['Cancel', 'Save', ...english].filter((w) => new RegExp(`\\b${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(shown));
  assert.deepEqual(left, [], `${name}: English left`);
  const fits = await dlg.evaluate((d) => d.scrollWidth <= d.clientWidth && d.getBoundingClientRect().right <= window.innerWidth);
  assert.ok(fits, `${name}: the dialog fits`);
  assert.deepEqual(await axeViolations(page), [], `${name}: axe`);
  await shoot(page, name);
  return dlg;
}

for (const [size, viewport] of SIZES) {
  test(`the customers list and the picker in German at ${viewport.width} px`, async () => {
    const c = await customer(`Schäfer Motorsport ${size}`, `schaefer-${size}@motorsport.example`);
    await lot(c.id, { credit_type: 'master', credits: '3' });
    const page = await openPage(viewport, 'en-GB');
    await signIn(page, ADMIN);
    await open(page, '/admin/customers');
    await checkPage(page, `de-admin-customers-${size}`, {
      h1: 'Kunden', buttons: ['Kunden hinzufügen', 'Credits hinzufügen', 'Suchen'],
      texts: ['Kunden suchen', 'Anzeigen', 'Alle Kunden', c.name],
      english: ['Customers', 'Add customer', 'Add credits', 'Search customers', 'Search', 'Show', 'All customers',
        'Customer', 'Country', 'Since', 'available', 'Newer', 'Older', 'No customers yet'],
      headers: ['Kunde', 'E-Mail', 'Land', 'Seit'], englishHeaders: ['Customer', 'Country', 'Since'],
    });
    // The search by name, and a search that finds nobody.
    await page.getByRole('searchbox', { name: 'Kunden suchen' }).fill('Schäfer');
    await page.getByRole('button', { name: 'Suchen' }).click();
    await page.getByText(`Kunden zu „Schäfer“`).first().waitFor();
    await page.getByRole('searchbox', { name: 'Kunden suchen' }).fill('niemand-heisst-so');
    await page.getByRole('button', { name: 'Suchen' }).click();
    await page.getByText('Kein Kunde passt zu „niemand-heisst-so“.').waitFor();
    await german(page, `de-admin-customers-none-${size}`, { h1: 'Kunden', english: ['No customer matches'] });

    // Adding credits from the list: the customer picker, searching.
    await page.getByRole('button', { name: 'Credits hinzufügen' }).click();
    const pick = page.getByRole('dialog', { name: 'Credits hinzufügen: für welchen Kunden?' });
    await pick.getByRole('button', { name: 'Weiter' }).click();
    await pick.locator('.field-error').filter({ hasText: 'wählen Sie den Kunden, der die Credits erhält' }).waitFor();
    const box = pick.getByRole('combobox', { name: 'Kunde' });
    assert.equal(await box.getAttribute('placeholder'), 'Name oder E-Mail eingeben');
    await box.fill(`schaefer-${size}@`);
    const list = pick.getByRole('listbox', { name: 'Kunde: Treffer' });
    await list.getByRole('option', { name: new RegExp(c.name) }).waitFor();
    await pick.locator('.combo-status').filter({ hasText: '1 Kunde gefunden.' }).waitFor();
    await checkDialog(page, `de-admin-picker-${size}`, {
      title: 'Credits hinzufügen: für welchen Kunden?', texts: [c.name, 'Suche nach Name oder E-Mail.'],
      english: ['Next', 'customer found', 'Search by name', 'choose the customer'],
    });
    await box.fill('gibt-es-nicht');
    await pick.locator('.combo-none').filter({ hasText: 'Kein Kunde passt.' }).waitFor();
    await box.fill(`schaefer-${size}@`);
    await list.getByRole('option', { name: new RegExp(c.name) }).click();
    await pick.locator('.combo-status').filter({ hasText: `${c.name} ausgewählt.` }).waitFor();
    await pick.getByRole('button', { name: 'Weiter' }).click();
    const add = page.getByRole('dialog', { name: `Credits für ${c.name} hinzufügen` });
    await add.getByLabel('Credits', { exact: true }).fill('6');
    await add.getByLabel('Grund', { exact: true }).fill('Nachlieferung');
    await add.getByRole('button', { name: 'Credits hinzufügen' }).click();
    const said = page.locator('.flash .notice.ok').filter({ hasText: /6 Master credits wurden .* als lot_\d+ gutgeschrieben\./ });
    await said.waitFor();
    assert.equal(await said.getByRole('link', { name: c.name }).getAttribute('href'), `#/admin/customers/${c.id}`);
    // The "More results" option follows the cursor, in German.
    await open(page, '/admin/transactions');
    const filter = page.getByRole('combobox', { name: 'Kunde' });
    await filter.focus();
    await filter.press('ArrowDown');
    await page.getByRole('listbox', { name: 'Kunde: Treffer' }).getByRole('option').first().waitFor();
    assert.deepEqual(problems(page, [SIGN_IN, INVALID]), []);
    await page.closeAll();
  });

  test(`a customer's page and its dialogs in German at ${viewport.width} px`, async () => {
    const { c, plain, paused } = await fullCustomer(size);
    const to = await customer(`Becker Tuning ${size}`, `becker-${size}@tuning.example`);
    const page = await openPage(viewport, 'en-GB');
    await signIn(page, ADMIN);
    await open(page, `/admin/customers/${c.id}`);
    await page.locator('main tr[data-lot]').first().waitFor();
    await page.locator('main tr[data-invoice]').first().waitFor();
    await checkPage(page, `de-admin-customer-${size}`, {
      h1: c.name,
      buttons: ['Daten bearbeiten', 'Credits hinzufügen', 'Paket hinzufügen', 'Guthaben korrigieren', 'Credits übertragen',
        'Pausieren', 'Fortsetzen', 'Verlängern', 'Abziehen', 'Deaktivieren', 'Bearbeiten', 'Historie', 'Summen anzeigen',
        'Per E-Mail einladen', 'Mitglied hinzufügen', 'Entfernen'],
      texts: ['Guthaben', 'Posten, neueste zuerst', 'Buchungen', 'Rechnungen', 'Summen über einen Zeitraum', 'Mitglieder',
        'Einladungen', 'Alle Buchungen', /pausiert oder noch nicht begonnen/, 'Pausiert', 'Aktiv', 'Bezahlt', 'Manuell',
        '30 Tage nach erster Nutzung', 'Gültig 30 Tage ab erster Nutzung', 'Bei erster Nutzung', `Nur für: ${category}`,
        'Anbieter: Anna Berger', 'Spitzenzeiten: 1,5x Mo-Fr 17:00-20:00, Sa 10:00-14:00', '40 von 40', 'Nie',
        'Techniker', 'Gutschrift'],
      headers: ['Posten', 'Art', 'Quelle', 'Status', 'Rest', 'Beginn', 'Ablauf', 'Aktionen', 'Wann', 'Was', 'Saldo danach',
        'Grund', 'Referenz', 'Ausgeführt von', 'Rechnung', 'Datum', 'Betrag', 'Credit-Art', 'Gekauft und gutgeschrieben',
        'Verbraucht', 'Saldo jetzt', 'Rolle', 'Monatslimit'],
      englishHeaders: ['Lot', 'Type', 'Source', 'Remaining', 'Starts', 'Expires', 'Actions', 'When', 'What', 'Balance after',
        'Reason', 'Reference', 'By', 'Invoice', 'Date', 'Amount', 'Credit type', 'Bought and granted', 'Used', 'Balance now',
        'Role', 'Monthly limit'],
      english: ['Balances', 'Ledger', 'Invoices', 'Members', 'Invitations', 'Edit details', 'Add credits', 'Add a package',
        'Adjust balance', 'Transfer credits', 'All transactions', 'Pause', 'Resume', 'Extend', 'Deduct', 'Deactivate',
        'History', 'Remaining', 'Expires', 'Starts', 'Source', 'Balance after', 'Reference', 'Newest first',
        'Show totals', 'Totals over a period', 'Monthly limit', 'Technician', 'Invite by e-mail', 'Add member', 'Remove',
        'available', 'paused or not started', 'Never', 'Manual', 'Paused', 'Active', 'Paid', 'Only for', 'Provider',
        'Peak', 'Mon', 'Sat', 'days after first use', 'On first use', 'Lot name', 'Type', 'When', 'What', 'By', 'Grant',
        'Bought and granted', 'Used', 'Balance now', 'The start', 'Mail language', 'Manage these invoices'],
    });
    // The buttons of a row name their lot for the ear.
    await page.getByRole('button', { name: `Frühjahrsaktion (${plain.id}) pausieren` }).waitFor();
    await page.getByRole('button', { name: `Reserve (${paused.id}) fortsetzen` }).waitFor();

    // Adding credits: validity, restrictions, peak hours, a rule broken.
    await page.getByRole('button', { name: 'Credits hinzufügen' }).click();
    let dlg = page.getByRole('dialog', { name: 'Credits hinzufügen', exact: true });
    await dlg.getByLabel('Credits', { exact: true }).fill('20');
    await dlg.getByLabel('Beginn', { exact: true }).selectOption('first_use');
    await dlg.getByLabel('Gültigkeit', { exact: true }).selectOption('days_from_start');
    await dlg.getByLabel('Grund', { exact: true }).fill('Kulanz nach Reklamation');
    await dlg.getByRole('button', { name: 'Credits hinzufügen' }).click();
    await dlg.locator('.field[data-field="expiry_days"] .field-error').filter({ hasText: 'geben Sie eine ganze Zahl von Tagen an' }).waitFor();
    await dlg.getByLabel('Tage ab Beginn').fill('60');
    await dlg.getByLabel('Faktor', { exact: true }).fill('2');
    await dlg.getByRole('button', { name: 'Credits hinzufügen' }).click();
    await dlg.locator('fieldset[name="peak"] > .field-error').filter({ hasText: 'fügen Sie mindestens ein Zeitfenster hinzu' }).waitFor();
    await dlg.getByRole('button', { name: 'Zeitfenster hinzufügen' }).click();
    const w1 = dlg.getByRole('group', { name: 'Zeitfenster 1' });
    for (const d of ['Mo', 'Di', 'Mi', 'Do', 'Fr']) await w1.getByLabel(d, { exact: true }).uncheck();
    await w1.getByLabel('Sa', { exact: true }).check();
    await dlg.getByRole('group', { name: 'Nur für diese Leistungskategorien' }).getByLabel(category).check();
    await dlg.getByLabel('Nur für diesen Anbieter').selectOption('Anna Berger');
    await checkDialog(page, `de-admin-add-credits-${size}`, {
      title: 'Credits hinzufügen',
      texts: ['Credit-Art', 'Quelle', 'Bezahlter Preis', 'Wann die Credits nutzbar sind', 'Bei erster Nutzung',
        'Eine Anzahl Tage ab Beginn', 'Wofür sie bezahlen dürfen', 'Jeder Anbieter', 'Keine angekreuzt: jede Leistung.',
        'Spitzenzeiten', 'Die Zeiten sind Ortszeit des Unternehmens', 'Zeitfenster 1', 'Von', 'Bis', 'Name des Postens',
        'Notizen', 'Rechnung, bereits bezahlt', 'Manuell', 'Kulanz'],
      english: ['Add credits', 'Credit type', 'Source', 'Price paid', 'Starts', 'Validity', 'Never expires', 'On first use',
        'Days from the start', 'Only for these service categories', 'Any provider', 'Peak hours', 'Multiplier',
        'Add a time window', 'Window', 'Remove', 'Mon', 'Tue', 'Sat', 'From', 'Lot name', 'Notes', 'Reason', 'Invoice',
        'No invoice', 'Manual', 'Goodwill', 'Promotion', 'Internal', 'is required'],
    });
    await dlg.getByRole('button', { name: 'Credits hinzufügen' }).click();
    await page.getByRole('status').filter({ hasText: /20 Master credits als lot_\d+ hinzugefügt\./ }).waitFor();
    const added = (await admin.get(`${V}/customers/${c.id}/lots`)).json.items.find((l) => l.original === '20' && l.peak);
    assert.equal(added.peak, '2x Sat 17:00-20:00', 'the peak rule goes to the API in its own form');

    // Editing a lot: nothing changed, in German.
    await page.getByRole('button', { name: `Frühjahrsaktion (${plain.id}) bearbeiten` }).click();
    dlg = page.getByRole('dialog', { name: `Frühjahrsaktion (${plain.id}) bearbeiten` });
    await dlg.getByRole('button', { name: 'Speichern' }).click();
    await dlg.locator('.field[data-field="name"] .field-error').filter({ hasText: 'nichts geändert' }).waitFor();
    await checkDialog(page, `de-admin-lot-edit-${size}`, {
      title: `Frühjahrsaktion (${plain.id}) bearbeiten`, texts: ['Name des Postens', 'Notizen', 'Intern.', 'Speichern'],
      english: ['Edit', 'Lot name', 'Notes', 'Internal', 'nothing changed', 'Shown to the customer'],
    });
    await dlg.getByRole('button', { name: 'Abbrechen' }).click();

    // Pausing a lot: why is required, then done.
    await page.getByRole('button', { name: `Frühjahrsaktion (${plain.id}) pausieren` }).click();
    dlg = page.getByRole('dialog', { name: `Frühjahrsaktion (${plain.id}) pausieren` });
    await dlg.getByRole('button', { name: 'Pausieren' }).click();
    await dlg.locator('.field-error').filter({ hasText: 'ist erforderlich' }).waitFor();
    await checkDialog(page, `de-admin-lot-pause-${size}`, {
      title: `Frühjahrsaktion (${plain.id}) pausieren`,
      texts: ['Die Credits können nicht ausgegeben werden', 'Grund', 'Wird mit Ihrem Namen in der Historie des Postens gespeichert.'],
      english: ['Pause', 'Reason', 'is required', 'The credits cannot be spent', "lot's history"],
    });
    await dlg.getByLabel('Grund', { exact: true }).fill('Werkstatt geschlossen');
    await dlg.getByRole('button', { name: 'Pausieren' }).click();
    await page.getByRole('status').filter({ hasText: `Frühjahrsaktion (${plain.id}): pausiert, jetzt pausiert.` }).waitFor();

    // Deactivating a lot: what it means, then cancelled.
    await page.getByRole('button', { name: `Reserve (${paused.id}) deaktivieren` }).click();
    await checkDialog(page, `de-admin-lot-deactivate-${size}`, {
      title: `Reserve (${paused.id}) deaktivieren`,
      texts: ['Die restlichen Credits verlassen das Guthaben, bis der Posten reaktiviert wird.', 'Deaktivieren'],
      english: ['Deactivate', 'remaining credits', 'Reason'],
    });
    await page.keyboard.press('Escape');

    // A transfer: the picker, the confirmation with both balances, the result.
    await page.getByRole('button', { name: 'Credits übertragen' }).click();
    dlg = page.getByRole('dialog', { name: `Credits von ${c.name} übertragen` });
    await dlg.getByRole('button', { name: 'Übertrag prüfen' }).click();
    await dlg.locator('.field[data-field="to_customer_id"] .field-error').filter({ hasText: 'wählen Sie den Kunden, der die Credits erhält' }).waitFor();
    const box = dlg.getByRole('combobox', { name: 'Empfangender Kunde' });
    await box.fill(`becker-${size}@`);
    await dlg.getByRole('option', { name: new RegExp(to.name) }).click();
    await dlg.getByLabel('Begründung').fill('Schwesterbetrieb übernimmt den Auftrag');
    await dlg.getByLabel('Credits', { exact: true }).fill('-2');
    await dlg.getByRole('button', { name: 'Übertrag prüfen' }).click();
    await dlg.locator('.field[data-field="amount"] .field-error').filter({ hasText: 'muss eine positive Zahl sein' }).waitFor();
    await dlg.getByLabel('Credits', { exact: true }).fill('2');
    await checkDialog(page, `de-admin-transfer-${size}`, {
      title: `Credits von ${c.name} übertragen`,
      texts: ['Empfangender Kunde', 'Credit-Art', /hat \d+ Master credits verfügbar\./, 'Begründung', 'Beide Kunden sehen sie'],
      english: ['Transfer credits', 'To customer', 'Credit type', 'available', 'Justification', 'Review transfer', 'must be'],
    });
    await dlg.getByRole('button', { name: 'Übertrag prüfen' }).click();
    const confirm = await checkDialog(page, `de-admin-transfer-confirm-${size}`, {
      title: 'Übertrag bestätigen',
      texts: [`2 Master credits von ${c.name} an ${to.name} übertragen.`, 'Guthaben in Master credits', 'Kunde', 'Jetzt', 'Änderung', 'Danach', 'Begründung:'],
      english: ['Confirm the transfer', 'Move', 'Balances of', 'Customer', 'Now', 'Change', 'After', 'Justification', 'Transfer'],
    });
    await confirm.getByRole('button', { name: 'Übertragen' }).click();
    const result = page.locator('.flash .notice.ok');
    await result.filter({ hasText: `2 Master credits von ${c.name} an ${to.name} übertragen` }).waitFor();
    assert.match(await result.innerText(), /Buchungen: /);
    assert.doesNotMatch(await result.innerText(), /Transferred|now has|Ledger entries/);
    await shoot(page, `de-admin-transfer-done-${size}`);
    assert.equal((await admin.get(`${V}/customers/${to.id}`)).json.balances.master.balance, '2');

    // A lot's history, in German.
    await page.getByRole('button', { name: `Historie von Frühjahrsaktion (${plain.id})` }).click();
    const history = page.getByRole('region', { name: `Historie von Frühjahrsaktion (${plain.id})` });
    await history.locator('tbody tr').first().waitFor();
    await german(page, `de-admin-lot-history-${size}`, {
      h1: c.name, buttons: ['Historie schließen'], texts: ['Älteste zuerst', 'Ausgeführt von'],
      english: ['Close history', 'Oldest first', 'History of'],
    });
    assert.deepEqual(await brokenWords(page), [], 'history: words broken');
    assert.deepEqual(problems(page, [SIGN_IN, INVALID]), []);
    await page.closeAll();
  });
}
