// Invoices a customer can pay and an accountant accepts, and credit notes
// (issue 13), through the API on the backend the harness gives (SQLite, or
// PostgreSQL with CREDITD_TEST_PG): the bank details in the settings checked
// by ISO 13616 and ISO 9362 (each refusal naming its field and changing
// nothing), payment terms, the customer's billing address; invoices dated
// in the tenant's time zone by the test clock (00:50 in Berlin is already
// the next day), due after the terms, with the bank details as they were at
// issue and the EPC QR code's text; the printable page in the customer's
// language with the country named once; voiding a paid invoice issues a
// credit note (an open one does not), numbered gaplessly per tenant and year
// under many concurrent voids; a customer sees only their own credit notes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { startServer, Client, ADMIN } from './harness.mjs';

const V = '/api/v1';
const IBAN = 'DE89370400440532013000';
let server;
let admin;
let pkg;

before(async () => {
  server = await startServer();
  admin = new Client(server.url);
  await admin.login(ADMIN.email, ADMIN.password);
  const s = await admin.patch(`${V}/settings`, {
    name: 'Weber Autotechnik GmbH',
    seller_address: 'Hauptstr. 1\n10115 Berlin\nDeutschland',
    vat_id: 'DE123456789',
    timezone: 'Europe/Berlin',
  });
  assert.equal(s.status, 200, s.text);
  const p = await admin.post(`${V}/packages`, { name: 'Master 50', credits: { master: '50' }, price: '100.00', published: true });
  assert.equal(p.status, 201, p.text);
  pkg = p.json.id;
});
after(async () => { await server.stop(); });

let count = 0;
async function customer(extra = {}) {
  const n = ++count;
  const c = await admin.post(`${V}/customers`, { name: `Kunde ${n}`, email: `k${n}@kunde.example`, ...extra });
  assert.equal(c.status, 201, c.text);
  await admin.post(`${V}/customers/${c.json.id}/members`, { email: `owner${n}@kunde.example`, password: 'owner-password-1', role: 'owner' });
  const owner = new Client(server.url);
  assert.equal((await owner.login(`owner${n}@kunde.example`, 'owner-password-1')).status, 200);
  return { id: c.json.id, owner, json: c.json };
}

async function settingsRefused(body, field) {
  const before = (await admin.get(`${V}/settings`)).json;
  const r = await admin.patch(`${V}/settings`, body);
  assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
  assert.equal(r.json.code, 'validation_failed');
  assert.equal(r.json.errors[0].field, field, r.text);
  assert.deepEqual((await admin.get(`${V}/settings`)).json, before, 'a refused change changes nothing');
}

test('bank details: IBANs of Germany, Austria and the Netherlands are stored without spaces in capitals', async () => {
  for (const [given, stored, shown] of [
    ['at61 1904 3002 3457 3201', 'AT611904300234573201', 'AT61 1904 3002 3457 3201'],
    ['NL91ABNA0417164300', 'NL91ABNA0417164300', 'NL91 ABNA 0417 1643 00'],
    ['DE89 3704 0044 0532 0130 00', IBAN, 'DE89 3704 0044 0532 0130 00'],
  ]) {
    const r = await admin.patch(`${V}/settings`, { bank_iban: given });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.bank_iban, stored);
    const s = (await admin.get(`${V}/settings`)).json;
    assert.equal(s.bank_iban, stored);
    assert.equal(s.bank_iban_display, shown);
  }
  const b = await admin.patch(`${V}/settings`, { bank_bic: 'cobadeffxxx', bank_account_holder: 'Weber Autotechnik GmbH' });
  assert.equal(b.status, 200, b.text);
  assert.equal(b.json.bank_bic, 'COBADEFFXXX');
  assert.equal((await admin.get(`${V}/settings`)).json.payment_terms_days, 14, 'the default terms');
  assert.equal((await admin.get(`${V}/settings`)).json.credit_note_prefix, 'CN');
});

test('bank details: a wrong checksum, length or form, a bad BIC and terms out of bounds are refused naming the field', async () => {
  await settingsRefused({ bank_iban: 'DE89370400440532013001' }, 'bank_iban'); // checksum
  await settingsRefused({ bank_iban: 'DE8937040044053201300' }, 'bank_iban'); // too short
  await settingsRefused({ bank_iban: 'AT6119043002345732011' }, 'bank_iban'); // too long
  await settingsRefused({ bank_iban: 'DE0537040044053201300A' }, 'bank_iban'); // a letter in a German account, checksum right
  await settingsRefused({ bank_iban: 'NL251BNA0417164300' }, 'bank_iban'); // a digit in a Dutch bank code, checksum right
  await settingsRefused({ bank_iban: 'D189370400440532013000' }, 'bank_iban');
  await settingsRefused({ bank_iban: 'XX89370400440532013000' }, 'bank_iban');
  await settingsRefused({ bank_bic: 'COBADEF' }, 'bank_bic');
  await settingsRefused({ bank_bic: 'COBADEFFXX' }, 'bank_bic');
  await settingsRefused({ bank_bic: 'C0BADEFF' }, 'bank_bic');
  await settingsRefused({ payment_terms_days: -1 }, 'payment_terms_days');
  await settingsRefused({ payment_terms_days: 366 }, 'payment_terms_days');
  await settingsRefused({ credit_note_prefix: 'G S' }, 'credit_note_prefix');
  await settingsRefused({ credit_note_prefix: '' }, 'credit_note_prefix');
  await settingsRefused({ bank_account_holder: 'x'.repeat(71) }, 'bank_account_holder');
  for (const days of [0, 365, 14]) {
    const r = await admin.patch(`${V}/settings`, { payment_terms_days: days });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.payment_terms_days, days);
  }
});

test('customers have a billing address; bounded', async () => {
  const c = await customer({ address: 'Ringstr. 5\n1010 Wien', country: 'AT' });
  assert.equal(c.json.address, 'Ringstr. 5\n1010 Wien');
  assert.equal((await admin.get(`${V}/customers/${c.id}`)).json.address, 'Ringstr. 5\n1010 Wien');
  const p = await admin.patch(`${V}/customers/${c.id}`, { address: 'Ringstr. 7\n1010 Wien\nÖsterreich' });
  assert.equal(p.status, 200, p.text);
  assert.equal((await admin.get(`${V}/customers/${c.id}`)).json.address, 'Ringstr. 7\n1010 Wien\nÖsterreich');
  const long = await admin.patch(`${V}/customers/${c.id}`, { address: 'a\n'.repeat(7) });
  assert.equal(long.status, 422);
  assert.equal(long.json.errors[0].field, 'address');
  assert.equal((await admin.patch(`${V}/customers/${c.id}`, { address: 'x'.repeat(501) })).status, 422);
  assert.equal((await admin.get(`${V}/customers/${c.id}`)).json.address, 'Ringstr. 7\n1010 Wien\nÖsterreich');
  // The owner has no route to change the customer: staff do.
  assert.equal((await c.owner.patch(`${V}/customers/${c.id}`, { address: 'mine' })).status, 403);
});

test('an invoice made at 00:50 in Berlin is dated that day, due after the terms, with the bank details of its day', async () => {
  await admin.patch(`${V}/settings`, { bank_iban: IBAN, bank_bic: 'COBADEFFXXX', bank_account_holder: 'Weber Autotechnik GmbH', payment_terms_days: 14 });
  assert.equal((await admin.post(`${V}/test/clock`, { now: '2026-12-03T23:50:00Z' })).status, 200);
  const c = await customer({ address: 'Ringstr. 5\n1010 Wien\nAustria', country: 'AT', locale: 'de' });
  const r = await c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'manual' });
  assert.equal(r.status, 201, r.text);
  const inv = r.json.invoice;
  assert.equal(inv.created_at, '2026-12-03T23:50:00Z');
  assert.equal(inv.issue_date, '2026-12-04');
  assert.equal(inv.due_date, '2026-12-18');
  assert.equal(inv.payment_terms_days, 14);
  assert.equal(inv.language, 'de');
  assert.equal(inv.buyer.address, 'Ringstr. 5\n1010 Wien\nAustria');
  assert.deepEqual(inv.bank, { account_holder: 'Weber Autotechnik GmbH', iban: IBAN, iban_display: 'DE89 3704 0044 0532 0130 00', bic: 'COBADEFFXXX' });
  assert.equal(inv.payment.reference, inv.number);
  assert.equal(inv.payment.amount, '119.00');
  assert.equal(inv.payment.due_date, '2026-12-18');
  assert.equal(inv.payment.epc_qr, `BCD\n002\n1\nSCT\nCOBADEFFXXX\nWeber Autotechnik GmbH\n${IBAN}\nEUR119.00\n\n\n${inv.number}`);
  // Later changes of the settings do not change the invoice.
  await admin.patch(`${V}/settings`, { payment_terms_days: 30, bank_iban: 'AT611904300234573201' });
  const again = (await c.owner.get(`${V}/invoices/${inv.id}`)).json;
  assert.equal(again.due_date, '2026-12-18');
  assert.equal(again.bank.iban, IBAN);
  const list = (await c.owner.get(`${V}/invoices`)).json.items;
  assert.equal(list[0].issue_date, '2026-12-04');
  // The printable page: German, local dates, the country once, the payment block.
  const html = await c.owner.get(`${V}/invoices/${inv.id}/html`);
  assert.equal(html.status, 200);
  assert.match(html.text, /<html lang=de>/);
  assert.match(html.text, /Rechnungsdatum: 04\.12\.2026/);
  assert.match(html.text, /Fälligkeitsdatum: 18\.12\.2026/);
  assert.match(html.text, /Verwendungszweck/);
  assert.match(html.text, /DE89 3704 0044 0532 0130 00/);
  assert.match(html.text, /119,00\u00a0€/);
  assert.match(html.text, /USt-IdNr\.: DE123456789/);
  // An Austrian business customer with a VAT ID: the reverse charge, noted in German.
  await admin.patch(`${V}/customers/${c.id}`, { vat_id: 'ATU12345678' });
  const rc = (await c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'manual' })).json.invoice;
  assert.equal(rc.reverse_charge, true);
  assert.match(rc.note, /^Steuerschuldnerschaft des Leistungsempfängers/);
  assert.match((await c.owner.get(`${V}/invoices/${rc.id}/html`)).text, /USt-IdNr\.: ATU12345678/);
  assert.equal(html.text.match(/Deutschland/g).length, 1, 'the seller\'s country once');
  assert.equal(/Österreich/.test(html.text), false, 'Austria is named in the address already');
  assert.match(html.text, /data-epc="BCD\n002/);
  assert.match(html.headers.get('content-security-policy'), /script-src 'self'/);
  await admin.patch(`${V}/settings`, { bank_iban: IBAN });
});

test('without an IBAN an open invoice says nothing of a transfer; a paid one neither', async () => {
  await admin.patch(`${V}/settings`, { bank_iban: '' });
  const c = await customer();
  const inv = (await c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'manual' })).json.invoice;
  assert.equal(inv.payment, null);
  assert.equal(inv.bank.iban, '');
  assert.equal(inv.language, 'en');
  await admin.patch(`${V}/settings`, { bank_iban: IBAN });
  const withBank = (await c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'manual' })).json.invoice;
  assert.notEqual(withBank.payment, null);
  const paid = (await admin.post(`${V}/invoices/${withBank.id}/mark-paid`, {})).json;
  assert.equal(paid.payment, null);
});

test('voiding a paid invoice issues a credit note; voiding an open one does not', async () => {
  await admin.patch(`${V}/settings`, { credit_note_prefix: 'GS' });
  const c = await customer();
  const open = (await c.owner.post(`${V}/purchases`, { package_id: pkg, gateway: 'manual' })).json.invoice;
  const vo = await admin.post(`${V}/invoices/${open.id}/void`, { reason: 'ordered twice' });
  assert.equal(vo.status, 200, vo.text);
  assert.equal(vo.json.credit_note, null);
  const paid = (await admin.post(`${V}/customers/${c.id}/lots`, { package_id: pkg, invoice: 'paid' })).json.invoice;
  const before = (await admin.get(`${V}/customers/${c.id}`)).json.balances.master.balance;
  const v = await admin.post(`${V}/invoices/${paid.id}/void`, { reason: 'cancelled by the customer' });
  assert.equal(v.status, 200, v.text);
  const cn = v.json.credit_note;
  assert.match(cn.id, /^crn_\d+$/);
  assert.match(cn.number, /^GS-\d{4}-\d{6}$/);
  assert.equal(cn.invoice_id, paid.id);
  assert.equal(cn.invoice_number, paid.number);
  assert.equal(cn.gross, paid.gross);
  assert.equal(cn.refund_due, paid.amount_due);
  assert.equal(cn.reason, 'cancelled by the customer');
  // The ledger does as voiding always did: the unspent credits are removed.
  assert.equal(before, '50');
  assert.equal((await admin.get(`${V}/customers/${c.id}`)).json.balances.master.balance, '0');
  assert.equal((await admin.get(`${V}/invoices/${paid.id}`)).json.credit_note.number, cn.number);
  const one = await admin.get(`${V}/credit-notes/${cn.id}`);
  assert.equal(one.status, 200, one.text);
  assert.equal(one.json.number, cn.number);
  assert.equal(one.json.invoice.number, paid.number);
  const list = (await admin.get(`${V}/credit-notes?customer=${c.id}`)).json.items;
  assert.deepEqual(list.map((n) => n.number), [cn.number]);
  const html = await admin.get(`${V}/credit-notes/${cn.id}/html`);
  assert.equal(html.status, 200);
  assert.match(html.text, new RegExp(`Credit note ${cn.number}`));
  assert.match(html.text, new RegExp(`Cancels invoice ${paid.number}`));
  const verify = await admin.get(`${V}/admin/verify`);
  assert.equal(verify.json.ok, true, verify.text);
  await admin.patch(`${V}/settings`, { credit_note_prefix: 'CN' });
});

test('a customer sees their own credit notes only; another\'s is not found', async () => {
  const a = await customer();
  const b = await customer();
  const inv = (await admin.post(`${V}/customers/${a.id}/lots`, { package_id: pkg, invoice: 'paid' })).json.invoice;
  const cn = (await admin.post(`${V}/invoices/${inv.id}/void`, { reason: 'test' })).json.credit_note;
  assert.equal((await a.owner.get(`${V}/credit-notes/${cn.id}`)).status, 200);
  assert.equal((await a.owner.get(`${V}/credit-notes/${cn.id}/html`)).status, 200);
  assert.equal((await b.owner.get(`${V}/credit-notes/${cn.id}`)).status, 404);
  assert.equal((await b.owner.get(`${V}/credit-notes/${cn.id}/html`)).status, 404);
  assert.deepEqual((await b.owner.get(`${V}/credit-notes`)).json.items, []);
  assert.deepEqual((await b.owner.get(`${V}/credit-notes?customer=${a.id}`)).json.items, [], 'a member\'s filter is their own customer');
  assert.deepEqual((await a.owner.get(`${V}/credit-notes`)).json.items.map((n) => n.id), [cn.id]);
  assert.equal((await new Client(server.url).get(`${V}/credit-notes`)).status, 401);
});

test('concurrent voids of many paid invoices number their credit notes without gaps or repeats', async () => {
  const c = await customer();
  const n = 24;
  const invoices = [];
  for (let i = 0; i < n; i++) {
    const r = await admin.post(`${V}/customers/${c.id}/lots`, { credit_type: 'slave', credits: '1', price: '1.00', invoice: 'paid' });
    assert.equal(r.status, 201, r.text);
    invoices.push(r.json.invoice.id);
  }
  const known = (await admin.get(`${V}/credit-notes?limit=100`)).json.items.map((x) => x.number);
  // Each void on its own connection, all at once, some twice.
  const tries = [...invoices, ...invoices.slice(0, 6)].map((id) => {
    const cl = new Client(server.url);
    cl.cookie = admin.cookie;
    cl.csrf = admin.csrf;
    return cl.post(`${V}/invoices/${id}/void`, { reason: 'bulk' });
  });
  const answers = await Promise.all(tries);
  const ok = answers.filter((r) => r.status === 200);
  assert.equal(ok.length, n, answers.map((r) => r.status).join(','));
  assert.ok(answers.every((r) => r.status === 200 || r.status === 409));
  const all = (await admin.get(`${V}/credit-notes?limit=100`)).json.items.map((x) => x.number);
  // One series per tenant and year, whatever the prefix was when a note was made.
  assert.ok(all.every((x) => /^(CN|GS)-2026-\d{6}$/.test(x)), all.join(' '));
  const seq = all.map((x) => Number(x.slice(-6))).sort((p, q) => p - q);
  assert.equal(new Set(all).size, all.length, 'unique');
  assert.deepEqual(seq, seq.map((_, i) => i + 1), 'gapless from 1');
  assert.equal(all.length, known.length + n);
});

// A plain relay on 127.0.0.1 that keeps every parsed message.
async function startRelay() {
  const messages = [];
  const relay = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', async () => {
        messages.push({ parsed: await simpleParser(Buffer.concat(chunks)), to: session.envelope.rcptTo.map((r) => r.address) });
        callback(null, 'queued');
      });
    },
  });
  relay.on('error', () => {});
  await new Promise((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return { port: relay.server.address().port, messages, close: () => new Promise((r) => relay.close(r)) };
}

async function mailTo(relay, to, subject) {
  for (let i = 0; i < 200; i++) {
    const m = relay.messages.find((x) => x.to.includes(to) && subject.test(x.parsed.subject));
    if (m) return m;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`no mail to ${to}: ${relay.messages.map((x) => `${x.to} ${x.parsed.subject}`).join(' | ')}`);
}

test('the open invoice\'s mail names the due date and the bank details, in English and in German', async () => {
  const relay = await startRelay();
  const s = await startServer({ env: { CREDITD_SMTP_URL: `smtp://127.0.0.1:${relay.port}`, CREDITD_MAIL_FROM: 'noreply@werk.example' } });
  try {
    const a = new Client(s.url);
    await a.login(ADMIN.email, ADMIN.password);
    assert.equal((await a.patch(`${V}/settings`, { name: 'Tuning Werk', bank_iban: IBAN, bank_bic: 'COBADEFFXXX', payment_terms_days: 10 })).status, 200);
    assert.equal((await a.post(`${V}/test/clock`, { now: '2026-12-04T10:00:00Z' })).status, 200);
    const p = (await a.post(`${V}/packages`, { name: 'Master 50', credits: { master: '50' }, price: '1000.00', published: true })).json.id;
    for (const [name, email, locale] of [['English Ltd', 'owner@en.example', 'en'], ['Deutsch GmbH', 'inhaber@de.example', 'de']]) {
      const c = (await a.post(`${V}/customers`, { name, locale })).json.id;
      assert.equal((await a.post(`${V}/customers/${c}/members`, { email, password: 'owner-password-1', role: 'owner' })).status, 201);
      const o = new Client(s.url);
      assert.equal((await o.login(email, 'owner-password-1')).status, 200);
      assert.equal((await o.post(`${V}/purchases`, { package_id: p, gateway: 'manual' })).status, 201);
    }
    const en = (await mailTo(relay, 'owner@en.example', /^Invoice /)).parsed.text;
    assert.match(en, /Due date: 14 Dec 2026\./);
    assert.match(en, /Please transfer €1,190\.00 by 14 Dec 2026 to:\nAccount holder: Tuning Werk\nIBAN: DE89 3704 0044 0532 0130 00\nBIC: COBADEFFXXX\nReference: \S+/);
    const de = (await mailTo(relay, 'inhaber@de.example', /^Rechnung /)).parsed.text;
    assert.match(de, /Zahlbar bis 14\.12\.2026\./);
    assert.match(de, /Bitte überweisen Sie 1\.190,00\u00a0€ bis zum 14\.12\.2026 auf folgendes Konto:\nKontoinhaber: Tuning Werk\nIBAN: DE89 3704 0044 0532 0130 00\nBIC: COBADEFFXXX\nVerwendungszweck: \S+/);
  } finally {
    await s.stop();
    await relay.close();
  }
});
