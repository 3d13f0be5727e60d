// The codes the API returns (event types, security log types, roles,
// delivery statuses, event attributes) have words in every catalogue, an
// unknown code is shown as it is without a warning, and the words built
// from codes and counts (a wait, a role in a sentence, an event's
// attributes) read right in English, as before the catalogues, and German.
// The codes of the admin customer pages too: deduction reasons, lot sources,
// peak days and lot actions.
// Keys built from a code (t(`area.x.${code}`)) escape the check of
// i18n.test.mjs, which sees only literal keys: every such prefix has keys.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const web = join(root, 'web');

function catalogue(lang) {
  const out = {};
  for (const f of readdirSync(join(root, 'i18n', lang)).filter((n) => n.endsWith('.json')))
    Object.assign(out, JSON.parse(readFileSync(join(root, 'i18n', lang, f), 'utf8')));
  return out;
}
const texts = { en: catalogue('en'), de: catalogue('de') };

let warned = [];
const warn = console.warn;
let i18n, notify, seclog, events, invitations, password, adminLib, lotDialogs;

before(async () => {
  globalThis.document = { documentElement: { lang: '' } };
  globalThis.fetch = async (url) => {
    const lang = String(url).split('/').pop();
    return { ok: Boolean(texts[lang]), status: texts[lang] ? 200 : 404, json: async () => texts[lang] };
  };
  console.warn = (...a) => { warned.push(a.join(' ')); };
  i18n = await import(join(web, 'i18n.js'));
  notify = await import(join(web, 'notify.js'));
  seclog = await import(join(web, 'admin-security.js'));
  events = await import(join(web, 'admin-events.js'));
  invitations = await import(join(web, 'invitations.js'));
  password = await import(join(web, 'password.js'));
  adminLib = await import(join(web, 'admin-lib.js'));
  lotDialogs = await import(join(web, 'admin-lot-dialogs.js'));
});

// The lot actions admin-customer.js offers (b('pause', …)) and those that
// ask why and say what they did (lotAction(x, 'pause')), read from the page.
function lotActions() {
  const text = readFileSync(join(web, 'admin-customer.js'), 'utf8');
  const buttons = [...text.matchAll(/\bb\('([a-z]+)'/g)].map((m) => m[1]);
  const moves = [...text.matchAll(/lotAction\(x, '([a-z]+)'\)/g)].map((m) => m[1]);
  assert.ok(buttons.length >= 8 && moves.length >= 4, `lot actions: ${buttons} / ${moves}`);
  return { buttons, moves };
}
after(() => { console.warn = warn; });

const ROLES = ['owner', 'technician', 'staff', 'admin'];

for (const lang of ['en', 'de']) {
  test(`${lang}: every code the pages know has words`, async () => {
    await i18n.setLanguage(lang);
    warned = [];
    const unsaid = [];
    const check = (code, words) => { if (!words || words === code) unsaid.push(code); };
    for (const type of notify.EVENT_TYPES) check(type, notify.eventName(type));
    for (const c of ['mail', 'webhook']) check(c, notify.channelName(c));
    for (const s of ['pending', 'delivered', 'failed', 'skipped', 'retry']) check(s, notify.deliveryName(s));
    for (const type of [...seclog.LOG_GROUPS, ...seclog.LOG_TYPES]) check(type, seclog.logTypeName(type));
    for (const r of ROLES) {
      check(r, invitations.roleName(r));
      if (lang === 'de') check(r, invitations.roleAs(r));
    }
    for (const [c, words] of adminLib.deductionReasons()) check(c, words);
    for (const [c, words] of adminLib.sources()) check(c, words);
    // (English day names are the API's: "Mon" is "Mon".)
    for (const d of lotDialogs.DAYS) if (!i18n.has(`lot.day.${d.toLowerCase()}`)) unsaid.push(d);
    const { buttons, moves } = lotActions();
    for (const a of buttons) {
      check(a, i18n.t(`customer.lot_action.${a}`));
      check(a, i18n.t(`customer.lot_aria.${a}`, { lot: 'L' }));
    }
    for (const a of moves) {
      check(a, i18n.t(`customer.lot_explain.${a}`));
      check(a, i18n.t(`customer.lot_done.${a}`, { lot: 'L', status: 's' }));
    }
    assert.deepEqual(unsaid, []);
    assert.deepEqual(warned, []);
  });

  test(`${lang}: an unknown code is shown as it is, without a warning`, async () => {
    await i18n.setLanguage(lang);
    warned = [];
    assert.equal(notify.eventName('order.teleported'), 'order.teleported');
    assert.equal(notify.channelName('pigeon'), 'pigeon');
    assert.equal(notify.deliveryName('lost'), 'lost');
    assert.equal(seclog.logTypeName('totp.recovery_code_used'), 'Totp recovery code used');
    assert.equal(invitations.roleName('auditor'), 'auditor');
    assert.equal(invitations.roleAs('auditor'), 'auditor');
    assert.equal(adminLib.sourceName('barter'), 'barter');
    assert.deepEqual(warned, []);
  });
}

test('English reads as before the catalogues', async () => {
  await i18n.setLanguage('en');
  assert.deepEqual([1, 30, 59, 60, 90, 3600].map(password.waitWords),
    ['1 second', '30 seconds', '59 seconds', '1 minute', '2 minutes', '60 minutes']);
  assert.equal(invitations.roleAs('technician'), 'technician');
  assert.equal(invitations.roleName('technician'), 'Technician');
  assert.equal(events.attrsText({ previous_status: 'submitted', status: 'in_progress' }), 'previous status submitted, status in progress');
  assert.equal(events.attrsText({ credit_type: 'master', limit: '40', odd_thing: 'x_y' }), 'credit type master, limit 40, odd thing x y');
  assert.equal(events.attrsText({}), '–');
  assert.deepEqual(notify.mailLanguages(), [['', 'Default'], ['en', 'English'], ['de', 'Deutsch']]);
  assert.deepEqual(adminLib.deductionReasons().map(([, n]) => n), ['Correction', 'Compensation', 'Goodwill', 'Refund', 'Transfer', 'Other']);
  assert.equal(adminLib.sourceName('manual'), 'Manual');
  assert.equal(lotDialogs.peakText('1.5x Mon-Fri 07:00-09:00, Sat 10:00-14:00'), '1.5x Mon-Fri 07:00-09:00, Sat 10:00-14:00');
  assert.equal(i18n.t('customer.lot_aria.deduct', { lot: 'Spring (lot_1)' }), 'Deduct Spring (lot_1)');
  assert.equal(i18n.t('customer.lot_done.pause', { lot: 'Spring (lot_1)', status: 'paused' }), 'Spring (lot_1): pause done, now paused.');
  assert.equal(i18n.tn('customer.days_after_first_use', '45'), '45 days after first use');
  assert.equal(i18n.tn('picker.found', 1), '1 customer found.');
  assert.equal(i18n.tn('picker.found', 12), '12 customers found.');
  assert.equal(i18n.tn('transfer.decimals', 2), 'at most 2 decimals');
  assert.deepEqual(adminLib.phrase('transfer.entries', { from: 'a', to: { node: 1 } }), ['Ledger entries: ', 'a', ', ', { node: 1 }, '.']);
});

test('German: plurals, roles in sentences, attributes and the default language', async () => {
  await i18n.setLanguage('de');
  assert.deepEqual([1, 30, 60, 90].map(password.waitWords), ['1 Sekunde', '30 Sekunden', '1 Minute', '2 Minuten']);
  assert.equal(invitations.roleAs('staff'), 'Mitarbeiter');
  assert.equal(invitations.roleName('owner'), 'Inhaber');
  assert.equal(events.attrsText({ previous_status: 'submitted', status: 'in_progress' }), 'vorheriger Status: eingereicht, Status: in Bearbeitung');
  assert.equal(events.attrsText({ kind: 'grant', reason: 'Kulanz' }), 'Art: Gutschrift, Grund: Kulanz');
  assert.equal(notify.mailLanguages()[0][1], 'Standard');
  assert.equal(notify.mailLanguages().find(([c]) => c === 'de')[1], 'Deutsch');
  assert.equal(adminLib.sourceName('goodwill'), 'Kulanz');
  assert.equal(i18n.tn('customer.days_after_first_use', '1'), '1 Tag nach erster Nutzung');
  assert.equal(i18n.tn('picker.found', 3), '3 Kunden gefunden.');
  assert.equal(i18n.t('customer.lot_aria.pause', { lot: 'Frühjahr (lot_1)' }), 'Frühjahr (lot_1) pausieren');
  // The peak rule goes to the API in its own form, whatever the language.
  assert.equal(lotDialogs.daysText([0, 1, 2, 3, 4]), 'Mon-Fri');
  assert.equal(lotDialogs.daysText([0, 2, 5, 6]), 'Mon+Wed+Sat-Sun');
  assert.equal(lotDialogs.peakText('1.5x Mon-Fri 07:00-09:00, Sat 10:00-14:00'), '1,5x Mo-Fr 07:00-09:00, Sa 10:00-14:00');
  assert.equal(lotDialogs.peakText('2x Daily 00:00-06:00'), '2x Täglich 00:00-06:00');
  // A justification with braces stays as it was typed.
  assert.deepEqual(adminLib.phrase('transfer.justification_is', { label: 'B:', justification: '{label}' }), ['B:', ' ', '{label}']);
});

test('every key a script builds from a code has words under its prefix', () => {
  const prefixes = new Map();
  for (const f of readdirSync(web).filter((n) => n.endsWith('.js'))) {
    const text = readFileSync(join(web, f), 'utf8').replace(/^\s*\/\/.*$/gm, '');
    for (const m of text.matchAll(/\btn?\(\s*`([a-z0-9_]+(?:\.[a-z0-9_]+)*\.)\$\{/g)) prefixes.set(m[1], f);
  }
  assert.ok(prefixes.size >= 10, `only ${prefixes.size} prefixes found`);
  for (const lang of ['en', 'de']) {
    const keys = Object.keys(texts[lang]);
    const none = [...prefixes].filter(([p]) => !keys.some((k) => k.startsWith(p))).map(([p, f]) => `${p} (${f})`);
    assert.deepEqual(none, [], `${lang} has no keys under`);
  }
});

// The admin pages' codes: vehicle fields and file events of an order, the
// status an order is set to, the ways an invoice is paid, the reasons of
// manual adjustments; an unknown one is shown as it is.
for (const lang of ['en', 'de']) {
  test(`${lang}: the admin pages' codes have words`, async () => {
    await i18n.setLanguage(lang);
    const order = await import(join(web, 'admin-order.js'));
    const invoices = await import(join(web, 'admin-invoices.js'));
    const dashboard = await import(join(web, 'admin-dashboard.js'));
    warned = [];
    const unsaid = [];
    const check = (code, words) => { if (!words || words === code) unsaid.push(code); };
    for (const f of order.VEHICLE_FIELDS) check(f, order.vehicleLabel(f));
    for (const e of order.FILE_EVENTS) check(e, order.historyWhat({ event: e }));
    for (const s of ['submitted', 'in_progress', 'completed', 'cancelled']) check(s, i18n.has(`adminorder.now.${s}`) ? 'ok' : null);
    for (const g of invoices.GATEWAYS) check(g, invoices.gatewayName(g));
    for (const r of dashboard.REASONS) check(r, dashboard.reasonText(r));
    assert.deepEqual(unsaid, []);
    assert.equal(order.vehicleLabel('colour'), 'Colour');
    assert.equal(order.historyWhat({ event: 'file_teleported' }), 'file_teleported');
    assert.equal(invoices.gatewayName('pigeon'), 'pigeon');
    assert.equal(dashboard.reasonText('whim'), 'whim');
    assert.deepEqual(warned, []);
  });
}

test('the admin pages read in English as before the catalogues, and German', async () => {
  const order = await import(join(web, 'admin-order.js'));
  await i18n.setLanguage('en');
  assert.equal(order.historyWhat({ event: 'status', from: 'submitted', to: 'in_progress' }), 'Submitted → In progress');
  assert.equal(order.historyWhat({ event: 'file_delivered' }), 'File delivered');
  assert.equal(i18n.tn('packages.caption', 1, { title: 'Master' }), 'Master: 1 package');
  assert.equal(i18n.tn('packages.days', 365), '365 days');
  await i18n.setLanguage('de');
  assert.equal(order.historyWhat({ event: 'status', from: 'submitted', to: 'in_progress' }), 'Eingegangen → In Bearbeitung');
  assert.equal(order.vehicleLabel('ecu'), 'Steuergerät');
  assert.equal(i18n.tn('packages.caption', 2, { title: 'Master' }), 'Master: 2 Pakete');
  assert.equal(i18n.tn('packages.days', 1), '1 Tag');
});
