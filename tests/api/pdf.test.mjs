// Invoices as PDF through the API (issue 13): GET /invoices/{id}/pdf answers
// the invoice's customer and the business's staff with an A4 PDF shown
// inline under the invoice's number, and anyone else with 404 as
// GET /invoices/{id} does. The PDF is read back with poppler's pdftotext and
// pdfinfo: it must carry the number, the buyer, the totals in the customer's
// language, and say what is left to pay.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, ADMIN } from './harness.mjs';
import { png } from '../support/png.mjs';

const V = '/api/v1';
let server;
let admin;
let pkg;
let dir;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'creditd-pdf-'));
  server = await startServer();
  admin = new Client(server.url);
  await admin.login(ADMIN.email, ADMIN.password);
  const s = await admin.patch(`${V}/settings`, { name: 'Müller Tuning GmbH', seller_address: 'Hauptstr. 1\n10115 Berlin', vat_id: 'DE123456789', country: 'DE' });
  assert.equal(s.status, 200, s.text);
  assert.equal((await admin.post(`${V}/credit-types`, { code: 'eur', name: 'Store credit', scale: 2, kind: 'monetary', unit_value: '1.00' })).status, 201);
  const p = await admin.post(`${V}/packages`, { name: 'Master 50', credits: { master: '50' }, price: '1000.00', published: true });
  assert.equal(p.status, 201, p.text);
  pkg = p.json.id;
});
after(async () => {
  // A clean exit: under AddressSanitizer a leak or an error of the
  // renderings (fonts are per thread) would make it fail.
  const { code } = await server.stop();
  rmSync(dir, { recursive: true, force: true });
  assert.equal(code, 0, server.log.slice(-3000));
});

let shopCount = 0;
// A customer with an owner signed in, and eur store credit if given.
async function shop(fields = {}, eur) {
  const n = ++shopCount;
  const c = await admin.post(`${V}/customers`, { name: `Garage Nummer ${n}`, email: `pdf${n}@shop.example`, ...fields });
  assert.equal(c.status, 201, c.text);
  const id = c.json.id;
  await admin.post(`${V}/customers/${id}/members`, { email: `pdfowner${n}@shop.example`, password: 'owner-password-1', role: 'owner' });
  const owner = new Client(server.url);
  assert.equal((await owner.login(`pdfowner${n}@shop.example`, 'owner-password-1')).status, 200);
  if (eur) assert.equal((await admin.post(`${V}/customers/${id}/lots`, { credit_type: 'eur', credits: eur })).status, 201);
  return { id, name: `Garage Nummer ${n}`, owner };
}

async function buy(c) {
  const r = await c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'manual' });
  assert.equal(r.status, 201, r.text);
  return r.json.invoice;
}

let fileCount = 0;
// The PDF's text (no-break spaces made plain) and page count.
function readPdf(bytes) {
  const path = join(dir, `${++fileCount}.pdf`);
  writeFileSync(path, bytes);
  const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', path, '-'], { encoding: 'utf8' }).replace(/\u00a0/g, ' ');
  const info = execFileSync('pdfinfo', [path], { encoding: 'utf8' });
  return { text, pages: Number(/Pages:\s+(\d+)/.exec(info)[1]), size: /Page size:\s+(.*)/.exec(info)[1] };
}

async function pdf(client, inv) {
  const r = await client.get(`${V}/invoices/${inv.id}/pdf`);
  assert.equal(r.status, 200, r.text.slice(0, 200));
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  assert.match(r.headers.get('content-disposition'), new RegExp(`^inline; filename="${inv.number}\\.pdf"`));
  assert.equal(r.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  return readPdf(r.bytes);
}

function has(doc, ...needles) {
  for (const n of needles) assert.ok(doc.text.includes(n), `missing "${n}" in:\n${doc.text}`);
}

test('an open invoice as PDF: the customer and the admin see number, buyer, totals and what is due', async () => {
  const c = await shop();
  const inv = await buy(c);
  for (const who of [admin, c.owner]) {
    const doc = await pdf(who, inv);
    assert.equal(doc.pages, 1);
    assert.equal(doc.size, '595 x 842 pts (A4)');
    has(doc, `Invoice ${inv.number}`, 'Müller Tuning GmbH', 'Hauptstr. 1', c.name, 'Invoice number',
      'Master 50 (50 Master credits)', 'Net amount', '€1,000.00', 'plus 19% VAT', '€190.00', 'Total',
      '€1,190.00', `${c.id}`, 'Page 1/1', 'VAT ID DE123456789');
    assert.ok(!doc.text.includes('Paid on'));
  }
});

test('a paid invoice with store credit says what the store credit paid and that it is paid', async () => {
  const c = await shop({}, '200.00');
  const inv = await buy(c);
  assert.equal(inv.amount_due, '990.00');
  const paid = await admin.post(`${V}/invoices/${inv.id}/mark-paid`, {});
  assert.equal(paid.status, 200, paid.text);
  for (const who of [admin, c.owner]) {
    const doc = await pdf(who, inv);
    has(doc, `Invoice ${inv.number}`, c.name, '€1,190.00', 'Paid with store credit', '-€200.00', 'Amount due',
      '€990.00', 'Paid on ');
  }
});

test('the document is in the customer\'s language: German numbers, money and words', async () => {
  const c = await shop({ language: 'de' });
  const inv = await buy(c);
  const doc = await pdf(c.owner, inv);
  has(doc, `Rechnung ${inv.number}`, 'Rechnungsnummer', 'Rechnungsdatum', 'Nettobetrag', '1.000,00 €',
    'zzgl. 19 % USt.', '190,00 €', 'Gesamtbetrag', '1.190,00 €', 'Seite 1/1', 'USt-IdNr. DE123456789');
  assert.match(doc.text, /\d{2}\.\d{2}\.\d{4}/);
  assert.ok(!doc.text.includes('Invoice'));
});

test('a reverse charge invoice prints the legal note and the buyer\'s country and VAT ID', async () => {
  const c = await shop({ vat_id: 'ATU12345678', country: 'AT' });
  const inv = await buy(c);
  assert.equal(inv.reverse_charge, true);
  const doc = await pdf(admin, inv);
  has(doc, 'Reverse charge', 'Article 196', 'AUSTRIA', 'Your VAT ID', 'ATU12345678', '€1,000.00');
});

test('another customer\'s invoice, a voided one and unknown ids', async () => {
  const a = await shop();
  const b = await shop();
  const inv = await buy(a);
  const theirs = await b.owner.get(`${V}/invoices/${inv.id}/pdf`);
  assert.equal(theirs.status, 404);
  assert.equal(theirs.json.code, 'not_found');
  assert.equal((await admin.get(`${V}/invoices/inv_999999/pdf`)).status, 404);
  assert.equal((await admin.get(`${V}/invoices/nonsense/pdf`)).status, 404);
  assert.equal((await new Client(server.url).get(`${V}/invoices/${inv.id}/pdf`)).status, 401);
  const v = await admin.post(`${V}/invoices/${inv.id}/void`, { reason: 'ordered twice' });
  assert.equal(v.status, 200, v.text);
  const doc = await pdf(a.owner, inv);
  has(doc, 'VOID', 'This invoice was voided.');
});

test('many renderings at once (each server thread has its own fonts) give the same document', async () => {
  const c = await shop();
  const inv = await buy(c);
  const answers = await Promise.all(Array.from({ length: 24 }, () => admin.get(`${V}/invoices/${inv.id}/pdf`)));
  const texts = answers.map((r) => {
    assert.equal(r.status, 200, r.text.slice(0, 200));
    return readPdf(r.bytes).text;
  });
  for (const t of texts) assert.equal(t, texts[0]);
  has({ text: texts[0] }, `Invoice ${inv.number}`, '€1,190.00');
});


test('with bank details, the buyer\'s address and the logo: how to pay, by when, to whom, and the mark', async () => {
  const s = await admin.patch(`${V}/settings`, { bank_iban: 'DE89 3704 0044 0532 0130 00', bank_bic: 'COBADEFFXXX', bank_account_holder: 'Müller Tuning GmbH', payment_terms_days: 14 });
  assert.equal(s.status, 200, s.text);
  const form = new FormData();
  form.append('file', new Blob([png(60, 20)]), 'logo.png');
  const up = await admin.request('PUT', `${V}/branding/logo`, { form });
  assert.ok(up.status >= 200 && up.status < 300, up.text);
  const de = await shop({ language: 'de', address: 'Werkstattweg 5\n80331 München' });
  const inv = await buy(de);
  assert.match(inv.due_date, /^\d{4}-\d{2}-\d{2}$/);
  const doc = await pdf(de.owner, inv);
  has(doc, `Rechnung ${inv.number}`, 'Werkstattweg 5', '80331 München', 'DE89 3704 0044 0532 0130 00', 'COBADEFFXXX',
    '14 Tage netto', inv.due_date.split('-').reverse().join('.'));
  const path = join(dir, 'logo-check.pdf');
  writeFileSync(path, (await de.owner.get(`${V}/invoices/${inv.id}/pdf`)).bytes);
  const images = execFileSync('pdfimages', ['-list', path], { encoding: 'utf8' }).trim().split('\n').slice(2);
  assert.ok(images.length >= 1, 'the logo is an image of the PDF');
  const en = await shop({ language: 'en' });
  const doc2 = await pdf(en.owner, await buy(en));
  has(doc2, 'DE89 3704 0044 0532 0130 00', '14 days net', 'Due date');
  // Back to no bank details and no logo: documents say so no more.
  assert.equal((await admin.request('DELETE', `${V}/branding/logo`)).status < 300, true);
  await admin.patch(`${V}/settings`, { bank_iban: '', bank_bic: '', bank_account_holder: '' });
  const plain = await pdf(en.owner, await buy(en));
  assert.ok(!plain.text.includes('DE89'), plain.text);
});

// The credit note of a voided paid invoice, as a PDF.
async function notePdf(client, note) {
  const r = await client.get(`${V}/credit-notes/${note.id}/pdf`);
  assert.equal(r.status, 200, r.text.slice(0, 200));
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  assert.match(r.headers.get('content-disposition'), new RegExp(`^inline; filename="${note.number}\\.pdf"`));
  return readPdf(r.bytes);
}

test('a voided paid invoice\'s credit note as PDF: the invoice reversed, store credit returned, money refunded', async () => {
  const c = await shop({}, '200.00');
  const inv = await buy(c);
  assert.equal((await admin.post(`${V}/invoices/${inv.id}/mark-paid`, {})).status, 200);
  const v = await admin.post(`${V}/invoices/${inv.id}/void`, { reason: 'Ordered twice' });
  assert.equal(v.status, 200, v.text);
  const note = v.json.credit_note;
  assert.ok(note.number);
  for (const who of [admin, c.owner]) {
    const doc = await notePdf(who, note);
    assert.equal(doc.pages, 1);
    has(doc, `Credit note ${note.number}`, 'Credit note number', inv.number, c.name, 'Müller Tuning GmbH',
      'Master 50 (50 Master credits)', '-€1,000.00', '-€190.00', '-€1,190.00', 'Returned as store credit', '€200.00',
      'To be refunded', '€990.00', 'Reason: Ordered twice', 'Page 1/1');
    assert.ok(!/VOID|Paid on|Amount due|IBAN/.test(doc.text), doc.text);
  }
  // Not the other customer's, not a stranger's; unknown ids are 404.
  const other = await shop();
  assert.equal((await other.owner.get(`${V}/credit-notes/${note.id}/pdf`)).status, 404);
  assert.equal((await new Client(server.url).get(`${V}/credit-notes/${note.id}/pdf`)).status, 401);
  assert.equal((await admin.get(`${V}/credit-notes/crn_999999/pdf`)).status, 404);
  assert.equal((await admin.get(`${V}/credit-notes/${inv.id}/pdf`)).status, 404);
});

test('a German customer\'s credit note is a Gutschrift in German', async () => {
  const c = await shop({ language: 'de' });
  const inv = await buy(c);
  assert.equal((await admin.post(`${V}/invoices/${inv.id}/mark-paid`, {})).status, 200);
  const v = await admin.post(`${V}/invoices/${inv.id}/void`, { reason: 'Doppelt bestellt' });
  assert.equal(v.status, 200, v.text);
  const doc = await notePdf(c.owner, v.json.credit_note);
  has(doc, `Gutschrift ${v.json.credit_note.number}`, 'Gutschriftsnummer', inv.number, '-1.000,00 €', '-1.190,00 €',
    'Zu erstatten', '1.190,00 €', 'Grund: Doppelt bestellt', 'Seite 1/1');
  assert.ok(!/Credit note|Invoice|Rechnung \S+ ist storniert/.test(doc.text), doc.text);
});
