// The invoice mails carry the invoice as PDF (issue 13): invoice.created and
// invoice.paid reach the customer's owner through a real SMTP server on
// 127.0.0.1 (npm's smtp-server), and mailparser must find a multipart/mixed
// message with the text and HTML parts and one application/pdf attachment
// named after the invoice's number. The attachment must parse as a PDF
// (pdfinfo) and read (pdftotext) as the invoice as it is when the mail goes
// out: open and due, then paid.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, ADMIN } from './harness.mjs';
import { startRelay, waitForMail } from './smtp.mjs';

const V = '/api/v1';
let relay;
let server;
let admin;
let pkg;
let dir;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'creditd-invoice-mail-'));
  relay = await startRelay();
  server = await startServer({ env: relay.env });
  admin = new Client(server.url);
  await admin.login(ADMIN.email, ADMIN.password);
  const s = await admin.patch(`${V}/settings`, { name: 'Müller Tuning GmbH', seller_address: 'Hauptstr. 1\n10115 Berlin', vat_id: 'DE123456789', country: 'DE' });
  assert.equal(s.status, 200, s.text);
  const p = await admin.post(`${V}/packages`, { name: 'Master 50', credits: { master: '50' }, price: '100.00', published: true });
  assert.equal(p.status, 201, p.text);
  pkg = p.json.id;
});
after(async () => {
  await server.stop();
  await relay.close();
  rmSync(dir, { recursive: true, force: true });
});

let shopCount = 0;
async function shop(fields = {}) {
  const n = ++shopCount;
  const email = `mailowner${n}@shop.example`;
  const c = await admin.post(`${V}/customers`, { name: `Werkstatt ${n}`, email: `mail${n}@shop.example`, ...fields });
  assert.equal(c.status, 201, c.text);
  const m = await admin.post(`${V}/customers/${c.json.id}/members`, { email, password: 'owner-password-1', role: 'owner' });
  assert.equal(m.status, 201, m.text);
  const owner = new Client(server.url);
  assert.equal((await owner.login(email, 'owner-password-1')).status, 200);
  return { id: c.json.id, name: `Werkstatt ${n}`, email, owner };
}

let fileCount = 0;
function readPdf(bytes) {
  const path = join(dir, `${++fileCount}.pdf`);
  writeFileSync(path, bytes);
  const info = execFileSync('pdfinfo', [path], { encoding: 'utf8' });
  const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', path, '-'], { encoding: 'utf8' }).replace(/\u00a0/g, ' ');
  return { text, pages: Number(/Pages:\s+(\d+)/.exec(info)[1]) };
}

// The one PDF of a mail, checked as a part and read back.
function attachedPdf(mail, number) {
  assert.match(mail.raw, /Content-Type: multipart\/mixed;\r\n boundary="/);
  assert.match(mail.raw, /Content-Type: multipart\/alternative;\r\n boundary="/);
  const files = mail.parsed.attachments;
  assert.equal(files.length, 1, `attachments: ${files.map((f) => f.filename)}`);
  assert.equal(files[0].contentType, 'application/pdf');
  assert.equal(files[0].filename, `${number}.pdf`);
  assert.equal(files[0].contentDisposition, 'attachment');
  assert.equal(files[0].content.subarray(0, 5).toString('latin1'), '%PDF-');
  // The text and HTML parts are still there beside it.
  assert.ok(mail.parsed.text.includes(number), mail.parsed.text);
  assert.ok(mail.parsed.html.includes(number));
  const doc = readPdf(files[0].content);
  assert.equal(doc.pages, 1);
  return doc;
}

test('invoice.created and invoice.paid mails carry the invoice as PDF, as it is when they go out', async () => {
  const c = await shop();
  const r = await c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'manual' });
  assert.equal(r.status, 201, r.text);
  const inv = r.json.invoice;
  const created = await waitForMail(relay, (m) => m.to.includes(c.email) && m.parsed.subject === `Invoice ${inv.number} from Müller Tuning GmbH`, 'invoice.created');
  let doc = attachedPdf(created, inv.number);
  for (const text of [`Invoice ${inv.number}`, c.name, '€100.00', '€19.00', '€119.00', 'VAT ID DE123456789'])
    assert.ok(doc.text.includes(text), `missing "${text}" in:\n${doc.text}`);
  assert.ok(!doc.text.includes('Paid on'));

  assert.equal((await admin.post(`${V}/invoices/${inv.id}/mark-paid`, {})).status, 200);
  const paid = await waitForMail(relay, (m) => m.to.includes(c.email) && m.parsed.subject === `Payment received for invoice ${inv.number}`, 'invoice.paid');
  doc = attachedPdf(paid, inv.number);
  assert.ok(doc.text.includes('Paid on'), doc.text);
  assert.ok(doc.text.includes('€119.00'));
});

test('a German customer\'s invoice mail carries a German PDF', async () => {
  const c = await shop({ language: 'de' });
  const r = await c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'manual' });
  assert.equal(r.status, 201, r.text);
  const inv = r.json.invoice;
  const mail = await waitForMail(relay, (m) => m.to.includes(c.email) && m.parsed.subject.startsWith(`Rechnung ${inv.number}`), 'Rechnung');
  const doc = attachedPdf(mail, inv.number);
  for (const text of [`Rechnung ${inv.number}`, 'Rechnungsdatum', '119,00 €', 'zzgl. 19 % USt.', 'Gesamtbetrag'])
    assert.ok(doc.text.includes(text), `missing "${text}" in:\n${doc.text}`);
});

test('other mails carry no attachment', async () => {
  const c = await shop();
  const g = await admin.post(`${V}/customers/${c.id}/lots`, { credit_type: 'master', credits: '5' });
  assert.equal(g.status, 201, g.text);
  const mail = await waitForMail(relay, (m) => m.to.includes(c.email) && /credits added/.test(m.parsed.subject), 'credits.added');
  assert.equal(mail.parsed.attachments.length, 0);
  assert.match(mail.raw, /Content-Type: multipart\/alternative;/);
  assert.doesNotMatch(mail.raw, /multipart\/mixed/);
});
