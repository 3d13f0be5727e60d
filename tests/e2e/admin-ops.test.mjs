// Every operator task of issue 13 in a real browser against `creditd demo`,
// at 1280 and 390 px, each checked through the API afterwards: a transfer
// between customers (the receiver found by the search picker, a refusal for
// want of credits shown at the amount with the shortfall, the confirmation
// with both balances after, the result linking both ledger entries), also
// started on the transactions page with the giver picked first; a lot's
// name and notes edited and the edit in its history; credits added with a
// first-use start valid N days from it, restricted to a category and with
// peak hours, and with a fixed start and end date, the rules shown on the
// lot; a member removed after a confirmation; the customer's invoices on
// their page; and the customer picker finding a customer made after 60
// others, by keyboard; staff (who may not transfer) see no transfer button.
// Each dialog is checked with axe-core (no serious or
// critical violations) and must fit the width; each page ends with no
// console errors, exceptions or failed requests (a refused transfer's 409 is
// expected and forgiven).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startPortal, openPage, signIn, problems, shoot, ADMIN, DESKTOP } from './browser.mjs';
import { Client } from '../api/harness.mjs';

const V = '/api/v1';
const PHONE = { width: 390, height: 844 };
const SIGN_IN = /401/;
const REFUSED = /Failed to load resource: the server responded with a status of 409\b/;
const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let portal;
let admin; // the API as the admin, to set up and to check
let late; // a customer made after 60 others

before(async () => {
  portal = await startPortal();
  admin = new Client(portal.url);
  assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
  for (let i = 0; i < 60; i++) {
    const r = await admin.post(`${V}/customers`, { name: `Filler Garage ${String(i).padStart(2, '0')}`, email: `filler${i}@garage.example` });
    assert.equal(r.status, 201, r.text);
  }
  late = await customer('Zündapp Spätkunde', 'spaet@zuendapp.example');
  // A service with a provider, so a lot can be restricted to one.
  const svc = await admin.post(`${V}/services`, { name: 'Dyno session with Anna', kind: 'base', category: 'dyno', provider: 'Anna Berger', costs: { master: '3' } });
  assert.equal(svc.status, 201, svc.text);
});
after(async () => { await portal?.stop(); });

async function customer(name, email) {
  const r = await admin.post(`${V}/customers`, { name, email });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function lot(id, body) {
  const r = await admin.post(`${V}/customers/${id}/lots`, { reason: 'e2e set-up', ...body });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function balance(id, type = 'master') {
  return (await admin.get(`${V}/customers/${id}`)).json.balances[type].balance;
}

async function adminPage(viewport) {
  const page = await openPage(portal, viewport);
  await signIn(page, portal.url, ADMIN);
  return page;
}

async function open(page, path) {
  await page.goto(`${portal.url}/#${path}`);
  await page.waitForFunction(() => {
    const main = document.querySelector('main');
    return main && main.querySelector('h1') && !main.querySelector('.loading');
  });
}

// The open dialog: axe-clean (nothing serious or critical) and within the width.
async function checkDialog(page, name) {
  const dlg = page.locator('dialog[open]');
  await dlg.waitFor();
  const wide = await dlg.evaluate((d) => d.scrollWidth - d.clientWidth);
  assert.ok(wide <= 0, `${name}: the dialog is ${wide} px too wide`);
  assert.equal(await dlg.locator('form > .actions > button', { hasText: 'Cancel' }).count(), 1, `${name}: Cancel sits with the submit button`);
  const fits = await dlg.evaluate((d) => d.getBoundingClientRect().right <= window.innerWidth);
  assert.ok(fits, `${name}: the dialog fits the window`);
  await page.evaluate(axe);
  const found = await page.evaluate(async () => (await window.axe.run(document.querySelector('dialog[open]'), { resultTypes: ['violations'] }))
    .violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`));
  assert.deepEqual(found, [], `${name}: axe`);
  await shoot(page, name);
  await focusStaysIn(page);
}

// The picker in `scope`: types text, waits for the option and takes it by keyboard.
async function pickByKeyboard(scope, label, text, name) {
  const box = scope.getByRole('combobox', { name: label });
  await box.fill(text);
  const option = scope.getByRole('option', { name: new RegExp(name) });
  await option.waitFor();
  const options = await scope.getByRole('option').allInnerTexts();
  const at = options.findIndex((o) => o.includes(name));
  for (let i = 0; i <= at; i++) await box.press('ArrowDown');
  assert.equal(await box.getAttribute('aria-activedescendant'), await option.getAttribute('id'));
  await box.press('Enter');
  assert.equal(await box.inputValue(), name);
  assert.equal(await box.getAttribute('aria-expanded'), 'false');
}

// Tab and Shift+Tab stay inside the open dialog.
async function focusStaysIn(page) {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
    assert.ok(await page.evaluate(() => !!document.activeElement.closest('dialog[open]')), 'the focus stays in the dialog');
  }
}

for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`a transfer between customers at ${viewport.width} px: shortfall at the field, both balances, both entries`, async () => {
    const from = await customer(`Transfer Giver ${size}`, `giver-${size}@shop.example`);
    const to = await customer(`Transfer Taker ${size}`, `taker-${size}@shop.example`);
    await lot(from.id, { credit_type: 'master', credits: '20' });
    await lot(to.id, { credit_type: 'master', credits: '5' });
    const page = await adminPage(viewport);
    await open(page, `/admin/customers/${from.id}`);
    await page.getByRole('button', { name: 'Transfer credits' }).click();
    let dlg = page.getByRole('dialog', { name: `Transfer credits from ${from.name}` });
    await dlg.getByText(`${from.name} has 20 Master credits available.`).waitFor();
    // No receiver: the message is at the picker.
    await dlg.getByLabel('Credits', { exact: true }).fill('25');
    await dlg.getByLabel('Justification').fill('Sister shop takes the job');
    await dlg.getByRole('button', { name: 'Review transfer' }).click();
    await dlg.locator('.field[data-field="to_customer_id"] .field-error').filter({ hasText: 'choose the customer' }).waitFor();
    await pickByKeyboard(dlg, 'To customer', `Taker ${size}`, to.name);
    await checkDialog(page, `ops-transfer-form-${size}`);
    await focusStaysIn(page);
    await dlg.getByRole('button', { name: 'Review transfer' }).click();
    // Too much: the server refuses on confirming; the form comes back with the shortfall at the amount.
    let confirm = page.getByRole('dialog', { name: 'Confirm the transfer' });
    await confirm.getByRole('button', { name: 'Transfer' }).click();
    dlg = page.getByRole('dialog', { name: `Transfer credits from ${from.name}` });
    const err = dlg.locator('.field[data-field="amount"] .field-error');
    await err.filter({ hasText: 'Only 20 Master credits can be moved: 5 short.' }).waitFor();
    assert.equal(await dlg.getByLabel('Credits', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal(await dlg.getByRole('combobox', { name: 'To customer' }).inputValue(), to.name, 'the choices are kept');
    assert.equal(await balance(from.id), '20', 'a refused transfer changes nothing');
    assert.equal(await balance(to.id), '5');
    await dlg.getByLabel('Credits', { exact: true }).fill('8');
    await dlg.getByRole('button', { name: 'Review transfer' }).click();
    confirm = page.getByRole('dialog', { name: 'Confirm the transfer' });
    const after = confirm.getByRole('region', { name: 'Balances after the transfer' });
    assert.match(await after.locator('tr', { hasText: from.name }).innerText(), /20\s+−8\s+12/);
    assert.match(await after.locator('tr', { hasText: to.name }).innerText(), /5\s+\+8\s+13/);
    await checkDialog(page, `ops-transfer-confirm-${size}`);
    await confirm.getByRole('button', { name: 'Transfer' }).click();
    const result = page.locator('.flash .notice.ok');
    await result.filter({ hasText: `Transferred 8 Master credits from ${from.name} to ${to.name}` }).waitFor();
    assert.match(await result.innerText(), new RegExp(`${from.name} now has 12, ${to.name} 13`));
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('flash')), true, 'the result takes the focus');
    await shoot(page, `ops-transfer-done-${size}`);
    // Through the API: both balances and both ledger entries, which the result links.
    assert.equal(await balance(from.id), '12');
    assert.equal(await balance(to.id), '13');
    const out = (await admin.get(`${V}/ledger?customer=${from.id}&kind=transfer`)).json.items;
    const into = (await admin.get(`${V}/ledger?customer=${to.id}&kind=transfer`)).json.items;
    assert.deepEqual(out.map((e) => [e.amount, e.balance_after, e.justification, e.actor]), [['-8', '12', 'Sister shop takes the job', ADMIN.email]]);
    assert.deepEqual(into.map((e) => [e.amount, e.balance_after, e.transfer_id]), [['8', '13', out[0].transfer_id]]);
    for (const [cus, entry] of [[from, out[0]], [to, into[0]]]) {
      const link = result.getByRole('link', { name: `${entry.id} (${cus.name})` });
      assert.equal(await link.getAttribute('href'), `#/admin/transactions?customer=${cus.id}&kind=transfer`);
    }
    await result.getByRole('link', { name: `${into[0].id} (${to.name})` }).click();
    await page.locator(`tr[data-entry="${into[0].id}"]`).waitFor();
    assert.deepEqual(problems(page, [SIGN_IN, REFUSED]), []);
    await page.closeAll();
  });

  test(`a transfer started on the transactions page at ${viewport.width} px`, async () => {
    const from = await customer(`Ledger Giver ${size}`, `ledger-giver-${size}@shop.example`);
    const to = await customer(`Ledger Taker ${size}`, `ledger-taker-${size}@shop.example`);
    await lot(from.id, { credit_type: 'slave', credits: '9' });
    const page = await adminPage(viewport);
    await open(page, '/admin/transactions');
    await page.getByRole('button', { name: 'Transfer credits' }).click();
    const first = page.getByRole('dialog', { name: 'Transfer credits' });
    await first.getByRole('button', { name: 'Next' }).click();
    await first.locator('.field[data-field="from_customer_id"] .field-error').filter({ hasText: 'choose the customer who gives' }).waitFor();
    assert.equal(await first.getByRole('combobox', { name: 'From customer' }).getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('role')), 'combobox', 'the focus goes to the field in error');
    await pickByKeyboard(first, 'From customer', `ledger-giver-${size}`, from.name);
    await checkDialog(page, `ops-transfer-giver-${size}`);
    await first.getByRole('button', { name: 'Next' }).click();
    const dlg = page.getByRole('dialog', { name: `Transfer credits from ${from.name}` });
    await pickByKeyboard(dlg, 'To customer', `Ledger Taker ${size}`, to.name);
    // The giver is not offered as the receiver.
    await dlg.getByRole('combobox', { name: 'To customer' }).fill(`Ledger Giver ${size}`);
    await dlg.locator('.combo-none').filter({ hasText: 'No customer matches.' }).waitFor();
    assert.equal(await dlg.getByRole('combobox', { name: 'To customer' }).getAttribute('aria-expanded'), 'false');
    // Escape closes the list, not the dialog.
    await dlg.getByRole('combobox', { name: 'To customer' }).fill(`Ledger Taker ${size}`);
    await dlg.getByRole('option', { name: new RegExp(to.name) }).waitFor();
    await dlg.getByRole('combobox', { name: 'To customer' }).press('Escape');
    assert.equal(await dlg.getByRole('listbox').isVisible(), false);
    assert.equal(await dlg.isVisible(), true, 'the dialog stays open');
    await pickByKeyboard(dlg, 'To customer', `Ledger Taker ${size}`, to.name);
    await dlg.getByLabel('Credit type').selectOption('slave');
    await dlg.getByLabel('Credits', { exact: true }).fill('4');
    await dlg.getByLabel('Justification').fill('Merged workshops');
    await dlg.getByRole('button', { name: 'Review transfer' }).click();
    await page.getByRole('dialog', { name: 'Confirm the transfer' }).getByRole('button', { name: 'Transfer' }).click();
    const result = page.locator('.flash .notice.ok');
    await result.filter({ hasText: `${from.name} now has 5, ${to.name} 4` }).waitFor();
    assert.equal(await balance(from.id, 'slave'), '5');
    assert.equal(await balance(to.id, 'slave'), '4');
    const entry = (await admin.get(`${V}/ledger?customer=${to.id}&kind=transfer`)).json.items[0];
    assert.deepEqual([entry.amount, entry.credit_type, entry.justification], ['4', 'slave', 'Merged workshops']);
    await page.locator(`tr[data-entry="${entry.id}"]`).waitFor(); // the list shows it at once
    assert.deepEqual(problems(page, [SIGN_IN]), []);
    await page.closeAll();
  });

  test(`a lot's name and notes edited at ${viewport.width} px; the history shows the edit`, async () => {
    const c = await customer(`Lot Editor ${size}`, `lots-${size}@shop.example`);
    const l = await lot(c.id, { credit_type: 'master', credits: '4', name: 'Spring offer' });
    const page = await adminPage(viewport);
    await open(page, `/admin/customers/${c.id}`);
    const row = page.locator(`tr[data-lot="${l.id}"]`);
    await row.getByRole('button', { name: `Edit Spring offer (${l.id})` }).click();
    const dlg = page.getByRole('dialog', { name: `Edit Spring offer (${l.id})` });
    assert.equal(await dlg.getByLabel('Lot name').inputValue(), 'Spring offer');
    await dlg.getByRole('button', { name: 'Save' }).click();
    await dlg.locator('.field[data-field="name"] .field-error').filter({ hasText: 'nothing changed' }).waitFor();
    await dlg.getByLabel('Lot name').fill('Spring offer 2027');
    await dlg.getByLabel('Notes').fill('Agreed on the phone with Mr Weber');
    await checkDialog(page, `ops-lot-edit-${size}`);
    await dlg.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: `Spring offer 2027 (${l.id}): name and notes saved.` }).waitFor();
    assert.match(await row.innerText(), /Spring offer 2027/);
    assert.match(await row.innerText(), /Agreed on the phone with Mr Weber/);
    const got = (await admin.get(`${V}/lots/${l.id}`)).json;
    assert.deepEqual([got.name, got.notes, got.remaining], ['Spring offer 2027', 'Agreed on the phone with Mr Weber', '4']);
    await row.getByRole('button', { name: /^History / }).click();
    const history = page.getByRole('region', { name: `History of Spring offer 2027 (${l.id})` });
    const edit = history.locator('tbody tr', { hasText: "name 'Spring offer'" });
    await edit.waitFor();
    assert.equal(await edit.locator('td[data-label="What"]').innerText(), 'Edit');
    assert.match(await edit.innerText(), /name 'Spring offer' -> 'Spring offer 2027'; notes changed/);
    assert.match(await edit.innerText(), new RegExp(ADMIN.email.replace('.', '\\.')));
    const api = (await admin.get(`${V}/lots/${l.id}/history`)).json.items.filter((e) => e.kind === 'edit');
    assert.equal(api.length, 1);
    assert.deepEqual(problems(page, [SIGN_IN]), []);
    await page.closeAll();
  });

  test(`credits added with a validity, restrictions and peak hours at ${viewport.width} px`, async () => {
    const c = await customer(`Rules Shop ${size}`, `rules-${size}@shop.example`);
    const services = (await admin.get(`${V}/services`)).json.items;
    const category = [...new Set(services.map((s) => s.category).filter(Boolean))].sort()[0];
    const zone = (await admin.get(`${V}/me`)).json.tenant.timezone;
    const page = await adminPage(viewport);
    await open(page, `/admin/customers/${c.id}`);
    await page.getByRole('button', { name: 'Add credits' }).click();
    let dlg = page.getByRole('dialog', { name: 'Add credits' });
    await dlg.getByLabel('Credit type').selectOption('master');
    await dlg.getByLabel('Credits', { exact: true }).fill('30');
    await dlg.getByLabel('Starts').selectOption('first_use');
    assert.equal(await dlg.getByLabel('Days from the start').isVisible(), false, 'shown only when chosen');
    await dlg.getByLabel('Validity').selectOption('days_from_start');
    await dlg.getByLabel('Reason').fill('Course pack');
    await dlg.getByRole('button', { name: 'Add credits' }).click();
    await dlg.locator('.field[data-field="expiry_days"] .field-error').filter({ hasText: 'whole number of days' }).waitFor();
    await dlg.getByLabel('Days from the start').fill('45');
    await dlg.getByRole('group', { name: 'Only for these service categories' }).getByLabel(category).check();
    await dlg.getByLabel('Only for this provider').selectOption('Anna Berger');
    await dlg.getByText(`Times are the business's local time (${zone}).`).waitFor();
    await dlg.getByLabel('Multiplier').fill('1.5');
    await dlg.getByRole('button', { name: 'Add credits' }).click();
    await dlg.locator('fieldset[name="peak"] > .field-error').filter({ hasText: 'add at least one time window' }).waitFor();
    await dlg.getByRole('button', { name: 'Add a time window' }).click();
    assert.equal(await dlg.locator('fieldset[name="peak"] > .field-error').innerText(), '', 'a new window answers the error');
    const w1 = dlg.getByRole('group', { name: 'Window 1' });
    await w1.getByLabel('From').fill('07:00');
    await w1.getByLabel('To').fill('09:00');
    await dlg.getByRole('button', { name: 'Add a time window' }).click();
    const w2 = dlg.getByRole('group', { name: 'Window 2' });
    for (const d of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri']) await w2.getByLabel(d).uncheck();
    await w2.getByLabel('Sat').check();
    await w2.getByLabel('From').fill('10:00');
    await w2.getByLabel('To').fill('14:00');
    await checkDialog(page, `ops-add-credits-${size}`);
    await dlg.getByRole('button', { name: 'Add credits' }).click();
    await page.getByRole('status').filter({ hasText: /30 Master credits added as lot_\d+/ }).waitFor();
    let lots = (await admin.get(`${V}/customers/${c.id}/lots`)).json.items;
    assert.equal(lots.length, 1);
    const first = lots[0];
    assert.deepEqual([first.original, first.start_on_first_use, first.starts_at, first.expires_at, first.expiry_days_after_start,
      first.categories, first.provider, first.peak],
    ['30', true, null, null, 45, category, 'Anna Berger', '1.5x Mon-Fri 07:00-09:00, Sat 10:00-14:00']);
    const row = page.locator(`tr[data-lot="${first.id}"]`);
    const text = await row.innerText();
    assert.match(text, new RegExp(`Only for: ${category} · Provider: Anna Berger`));
    assert.match(text, /Peak: 1\.5x Mon-Fri 07:00-09:00, Sat 10:00-14:00/);
    assert.match(text, /Valid 45 days from first use/);
    assert.match(text, /On first use/);
    assert.match(text, /45 days after first use/);

    // A fixed start and an end date, in the business's zone.
    const day = (offset) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
      .format(new Date(Date.now() + offset * 86400000));
    await page.getByRole('button', { name: 'Add credits' }).click();
    dlg = page.getByRole('dialog', { name: 'Add credits' });
    await dlg.getByLabel('Credits', { exact: true }).fill('10');
    await dlg.getByLabel('Starts').selectOption('fixed');
    await dlg.getByLabel('Start date').fill(day(10));
    await dlg.getByLabel('Validity').selectOption('fixed');
    await dlg.getByLabel('Valid until (inclusive)').fill(day(5));
    await dlg.getByLabel('Lot name').fill('Summer block');
    await dlg.getByLabel('Reason').fill('Summer promotion');
    await dlg.getByRole('button', { name: 'Add credits' }).click();
    // The server's refusal lands at its field.
    await dlg.locator('.field[data-field="expires_at"] .field-error').filter({ hasText: 'must be after the start' }).waitFor();
    await dlg.getByLabel('Valid until (inclusive)').fill(day(40));
    await dlg.getByRole('button', { name: 'Add credits' }).click();
    await page.getByRole('status').filter({ hasText: /10 Master credits added as lot_\d+/ }).waitFor();
    lots = (await admin.get(`${V}/customers/${c.id}/lots`)).json.items;
    const summer = lots.find((l) => l.name === 'Summer block');
    const wall = (iso) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
    assert.equal(wall(summer.starts_at), `${day(10)}, 00:00`);
    assert.equal(wall(summer.expires_at), `${day(41)}, 00:00`);
    assert.equal(summer.start_on_first_use, false);
    assert.equal(await balance(c.id), '40');
    assert.deepEqual(problems(page, [SIGN_IN, /status of 422/]), []);
    await page.closeAll();
  });

  test(`members listed and one removed after a confirmation at ${viewport.width} px`, async () => {
    const c = await customer(`Member Shop ${size}`, `members-${size}@shop.example`);
    const add = async (email, role) => {
      const r = await admin.post(`${V}/customers/${c.id}/members`, { email, password: 'member-password-1', role });
      assert.equal(r.status, 201, r.text);
      return r.json;
    };
    await add(`boss-${size}@membershop.example`, 'owner');
    const tech = await add(`tech-${size}@membershop.example`, 'technician');
    assert.equal((await admin.patch(`${V}/customers/${c.id}/members/${tech.user_id}`, { monthly_limits: { master: '25' } })).status, 200);
    const page = await adminPage(viewport);
    await open(page, `/admin/customers/${c.id}`);
    const row = page.locator(`tr[data-member="${tech.user_id}"]`);
    assert.match(await row.innerText(), /Technician/);
    assert.match(await row.innerText(), /25 Master credits/);
    assert.match(await page.locator('tr', { hasText: `boss-${size}@membershop.example` }).innerText(), /Owner/);
    await row.getByRole('button', { name: `Remove ${tech.email}` }).click();
    const dlg = page.getByRole('dialog', { name: `Remove ${tech.email} from ${c.name}?` });
    await checkDialog(page, `ops-member-remove-${size}`);
    await dlg.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('status').filter({ hasText: `${tech.email} was removed from ${c.name}.` }).waitFor();
    await row.waitFor({ state: 'detached' });
    const members = (await admin.get(`${V}/customers/${c.id}`)).json.members.map((m) => m.email);
    assert.deepEqual(members, [`boss-${size}@membershop.example`]);
    assert.equal((await new Client(portal.url).login(tech.email, 'member-password-1')).status, 401);
    assert.deepEqual(problems(page, [SIGN_IN]), []);
    await page.closeAll();
  });

  test(`the customer's invoices on their page at ${viewport.width} px`, async () => {
    const c = await customer(`Invoice Shop ${size}`, `invoices-${size}@shop.example`);
    const paid = await lot(c.id, { credit_type: 'master', credits: '10', price: '100.00', invoice: 'paid' });
    const open_ = await lot(c.id, { credit_type: 'master', credits: '5', price: '50.00', invoice: 'open' });
    const page = await adminPage(viewport);
    await open(page, `/admin/customers/${c.id}`);
    const invoices = page.getByRole('region', { name: 'Newest first; the number opens the invoice' });
    for (const [inv, status] of [[paid.invoice, 'Paid'], [open_.invoice, 'Open']]) {
      const row = invoices.locator(`tr[data-invoice="${inv.id}"]`);
      const text = await row.innerText();
      assert.match(text, new RegExp(status));
      assert.match(text, new RegExp(inv.gross.replace('.', '\\.')));
      const link = row.getByRole('link', { name: inv.number });
      assert.equal(await link.getAttribute('href'), `/api/v1/invoices/${inv.id}/html`);
    }
    const order = await invoices.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.invoice));
    assert.deepEqual(order, [open_.invoice.id, paid.invoice.id], 'newest first');
    const listed = (await admin.get(`${V}/invoices?customer=${c.id}`)).json.items.map((i) => i.id);
    assert.deepEqual(listed, order);
    const html = await page.request.get(`${portal.url}/api/v1/invoices/${paid.invoice.id}/html`);
    assert.equal(html.status(), 200);
    assert.match(await html.text(), new RegExp(paid.invoice.number));
    assert.deepEqual(problems(page, [SIGN_IN]), []);
    await page.closeAll();
  });

  test(`credits added from the customer list to a customer found with the picker at ${viewport.width} px`, async () => {
    const c = await customer(`Picked Later ${size}`, `picked-${size}@shop.example`);
    const page = await adminPage(viewport);
    await open(page, '/admin/customers');
    await page.getByRole('button', { name: 'Add credits' }).click();
    const first = page.getByRole('dialog', { name: 'Add credits: which customer?' });
    await pickByKeyboard(first, 'Customer', `picked-${size}@`, c.name);
    await checkDialog(page, `ops-pick-customer-${size}`);
    await first.getByRole('button', { name: 'Next' }).click();
    const dlg = page.getByRole('dialog', { name: `Add credits to ${c.name}` });
    await dlg.getByLabel('Credit type').selectOption('slave');
    await dlg.getByLabel('Credits', { exact: true }).fill('6');
    await dlg.getByLabel('Reason').fill('Picked from the list');
    await dlg.getByRole('button', { name: 'Add credits' }).click();
    const said = page.locator('.flash .notice.ok').filter({ hasText: /6 Slave credits added to/ });
    await said.waitFor();
    assert.equal(await said.getByRole('link', { name: c.name }).getAttribute('href'), `#/admin/customers/${c.id}`);
    assert.equal(await balance(c.id, 'slave'), '6');
    const [entry] = (await admin.get(`${V}/ledger?customer=${c.id}`)).json.items;
    assert.deepEqual([entry.kind, entry.amount, entry.reason, entry.actor], ['grant', '6', 'Picked from the list', ADMIN.email]);
    assert.deepEqual(problems(page, [SIGN_IN]), []);
    await page.closeAll();
  });

  test(`the customer picker finds a customer made after 60 others at ${viewport.width} px`, async () => {
    const page = await adminPage(viewport);
    await open(page, '/admin/transactions');
    const box = page.getByRole('combobox', { name: 'Customer' });
    // The first page of the unfiltered list does not hold it; "More results" follows the cursor.
    await box.focus();
    await box.press('ArrowDown');
    const list = page.getByRole('listbox', { name: 'Customer: matches' });
    await list.getByRole('option', { name: 'More results…' }).waitFor();
    assert.equal(await list.getByRole('option', { name: /Zündapp Spätkunde/ }).count(), 0);
    await shoot(page, `ops-picker-${size}`);
    await box.press('Escape');
    assert.equal(await box.getAttribute('aria-expanded'), 'false');
    await pickByKeyboard(page, 'Customer', 'spät', late.name);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(new RegExp(`customer=${late.id}`));
    await page.waitForFunction(() => !document.querySelector('main .loading'));
    assert.equal(await page.getByRole('combobox', { name: 'Customer' }).inputValue(), late.name, 'the filter shows the name');
    // By e-mail too, through the server (the name alone would not match).
    await open(page, '/admin/orders');
    await pickByKeyboard(page, 'Customer', 'spaet@zuendapp', late.name);
    assert.deepEqual(problems(page, [SIGN_IN]), []);
    await page.closeAll();
  });
}

test('staff see no transfer (POST /transfers is for admins) but add credits and edit lots', async () => {
  const staff = { email: 'desk@ops.example', password: 'front desk phrase 2026' };
  assert.equal((await admin.post(`${V}/users`, { ...staff, role: 'staff' })).status, 201);
  const c = await customer('Staff Visit Shop', 'staff-visit@shop.example');
  const l = await lot(c.id, { credit_type: 'master', credits: '2', name: 'Desk lot' });
  const page = await openPage(portal, DESKTOP);
  await signIn(page, portal.url, staff);
  await open(page, `/admin/customers/${c.id}`);
  assert.equal(await page.getByRole('button', { name: 'Transfer credits' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Add credits' }).count(), 1);
  assert.equal(await page.getByRole('button', { name: `Edit Desk lot (${l.id})` }).count(), 1);
  await open(page, '/admin/transactions');
  assert.equal(await page.getByRole('button', { name: 'Transfer credits' }).count(), 0);
  assert.deepEqual(problems(page, [SIGN_IN]), []);
  await page.closeAll();
});
