// The portal in German in a real browser against `creditd demo`: an owner
// who picks Deutsch on My account and an admin whose language is set by
// PATCH /me see Security, Notifications, Users, API keys, the Security log,
// the Event log and an event, Webhooks and an endpoint, the Team page and
// the waiting banner in German at 1280 and 390 px; and, signed out with a
// German browser (locale de-DE), the pages to ask for a password link, to
// sign up, to choose a new password, and the dead invitation and
// confirmation links. Each page: <html lang="de">, its heading and buttons
// by their German names, none of the page's English words left, no key
// without words (web/i18n.js warns "no words for …"), and a screenshot.
//
// Forgiven problems: a 401 where a page signs in (the shell asks GET /me
// first), and the 400 of a dead link the page then explains.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, problems, shoot, ADMIN, OWNER, DESKTOP } from './browser.mjs';
import { Client } from '../api/harness.mjs';
import { germanTools } from './german-lib.mjs';

const V = '/api/v1';
const PHONE = { width: 390, height: 844 };
const SIZES = [['desktop', DESKTOP], ['phone', PHONE]];
const SIGN_IN = /401/;
const DEAD = /status of 400\b/;
const HELD = { email: 'gehalten@warten.example', password: 'wartender inhaber satz' };

let portal;
let admin; // the API as the admin, to set up and to check
let event; // the event of an order, with its deliveries
let endpoint; // a webhook endpoint

before(async () => {
  portal = await startPortal();
  admin = new Client(portal.url);
  assert.equal((await admin.login(ADMIN.email, ADMIN.password)).status, 200);
  // The admin speaks German; the owner chooses it on the page (below).
  assert.equal((await admin.patch(`${V}/me`, { language: 'de' })).json.language, 'de');
  assert.equal((await admin.patch(`${V}/settings`, { registration: 'open' })).status, 200);
  // Something on every list: an endpoint, a key, invitations, an order's event.
  endpoint = (await admin.post(`${V}/webhook-endpoints`, { url: 'https://hooks.example.com/de', events: ['*'], description: 'Buchhaltung' })).json;
  assert.ok(endpoint.id);
  assert.equal((await admin.post(`${V}/api-keys`, { role: 'staff', name: 'Export' })).status, 201);
  assert.equal((await admin.post(`${V}/invitations`, { email: 'neu@weber.example', role: 'staff' })).status, 201);
  const owner = new Client(portal.url);
  assert.equal((await owner.login(OWNER.email, OWNER.password)).status, 200);
  assert.equal((await owner.post(`${V}/invitations`, { email: 'azubi@weber-autotechnik.example', role: 'technician' })).status, 201);
  const services = Object.fromEntries((await owner.get(`${V}/services`)).json.items.map((s) => [s.name, s.id]));
  const up = await owner.upload(`${V}/files`, Buffer.from('german e2e original read'), { name: 'read.bin' });
  assert.equal(up.status, 201, up.text);
  const o = await owner.post(`${V}/orders`, {
    credit_type: 'master', services: [services['Stage 1']], file_id: up.json.file.id,
    vehicle: { make: 'VW', model: 'Golf 7', ecu: 'MED17' },
  });
  assert.equal(o.status, 201, o.text);
  event = await eventOf(o.json.id);
  // An owner who signed up and has not confirmed the e-mail: the banner.
  const r = await new Client(portal.url).post(`${V}/auth/register`, { business_name: 'Wartende Motoren GmbH', ...HELD });
  assert.equal(r.status, 202, r.text);
});
after(async () => { await portal?.stop(); });

// The event of an order once the dispatcher has sent it out.
async function eventOf(orderId) {
  for (let i = 0; i < 150; i++) {
    const e = (await admin.get(`${V}/events?type=order.created&limit=20`)).json.items.find((x) => x.data?.object?.id === orderId);
    if (e) {
      const full = (await admin.get(`${V}/events/${e.id}`)).json;
      if (full.deliveries.length) return full;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return assert.fail(`the event of ${orderId} was not sent out in 30 s`);
}

const { openPage, signIn, open, german } = germanTools({ get browser() { return portal.browser; }, get url() { return portal.url; } });

const ADMIN_PAGES = () => [
  ['de-admin-users', '/admin/users', {
    h1: 'Benutzer', buttons: ['Rolle ändern', 'Sperren', 'Passwort-Link senden', 'Einladung senden', 'Benutzer hinzufügen', 'Zurückziehen'],
    texts: ['Per E-Mail einladen', 'Einladungen, die auf Antwort warten', 'Administrator', 'Erstes Passwort'],
    english: ['Change role', 'Disable', 'Send password link', 'Send invitation', 'Add user', 'Withdraw', 'Invite by e-mail',
      'Last sign-in', 'Staff and admins', 'First password', 'Invited by', 'Language of the mail', 'Default', 'Never', '(you)'],
  }],
  ['de-admin-api-keys', '/admin/api-keys', {
    h1: 'API-Schlüssel', buttons: ['Schlüssel erstellen', 'Widerrufen'],
    texts: ['Aktiv', 'Letzter Tag', 'Mitarbeiter'],
    english: ['Create key', 'Create a key', 'Revoke', 'Last day', 'Never', 'Active', 'Expires', 'Created', 'Staff', 'oldest first'],
  }],
  ['de-admin-security', '/admin/security', {
    h1: 'Sicherheitsprotokoll', buttons: ['Anzeigen'],
    texts: ['Angemeldet', 'API-Schlüssel erstellt', 'Einladung gesendet', 'Neueste zuerst', 'Bis (einschließlich)'],
    // (each line shows its type's code too: "invitation.sent")
    english: ['Signed in', 'API key created', 'Invitation sent', 'Newest first', 'Everything', 'Show', 'When', 'Account', 'Detail'],
  }],
  ['de-admin-events', '/admin/events', {
    h1: 'Ereignisprotokoll', buttons: ['Anzeigen'],
    texts: ['Auftrag erteilt', 'Ereignisse, neueste zuerst', 'Alle Arten'],
    english: ['Order placed', 'Events, newest first', 'All types', 'Event type', 'Details', 'Customer', 'When'],
  }],
  ['de-admin-event', `/admin/events/${event.id}`, {
    h1: `Auftrag erteilt · ${event.id}`, title: `Auftrag erteilt ${event.id}`,
    texts: ['Zustellungen', 'Nutzdaten', 'E-Mail', 'Übersprungen', 'Zum Zeitpunkt des Ereignisses', 'Erneut senden'],
    english: ['Deliveries', 'Payload', 'Skipped', 'Channel', 'Recipient', 'Attempts', 'Resend', 'At the moment of the event'],
  }],
  ['de-admin-notifications', '/admin/notifications', {
    h1: 'Benachrichtigungen', buttons: ['Test-E-Mail senden', 'E-Mail-Einstellungen speichern'],
    texts: ['Der E-Mail-Versand ist nicht eingerichtet', 'Ihre eigenen E-Mails', 'Eine E-Mail erhalten bei', 'Webhook-Endpunkt abgeschaltet', 'Siehe auch'],
    english: ['Mail is not configured', 'Send test mail', 'Mail settings', 'Sender name', 'Your own mails', 'Save mail choices',
      'Send me a mail when', 'Always sent', 'Default', 'See also', 'Event log'],
  }],
  ['de-admin-webhooks', '/admin/webhooks', {
    h1: 'Webhooks', buttons: ['Bearbeiten', 'Abschalten', 'Neues Geheimnis', 'Löschen', 'Endpunkt hinzufügen'],
    texts: ['Jedes Ereignis', 'Aktiv', 'Zu sendende Ereignisse', 'Auftrag storniert'],
    english: ['Edit', 'Disable', 'New secret', 'Delete', 'Add endpoint', 'Every event', 'Events to send', 'Enabled', 'Order cancelled', 'Description'],
  }],
  ['de-admin-webhook', `/admin/webhooks/${endpoint.id}`, {
    h1: 'Webhook-Endpunkt', buttons: ['Bearbeiten', 'Abschalten', 'Neues Geheimnis', 'Löschen'],
    texts: ['Zustellprotokoll', 'Hinzugefügt', 'Nicht erreichbar seit'],
    english: ['Delivery log', 'Added', 'Failing since', 'Edit', 'Delete', 'Every event', 'Nothing was sent'],
  }],
  ['de-admin-security-2fa', '/security', {
    h1: 'Sicherheit', buttons: ['Zwei-Faktor-Authentisierung einschalten'],
    texts: ['Die Zwei-Faktor-Authentisierung ist ausgeschaltet.'],
    english: ['Two-factor authentication', 'Turn on', 'is off'],
  }],
];

const OWNER_PAGES = [
  ['de-owner-team', '/team', {
    h1: 'Team', buttons: ['Limits festlegen', 'Entfernen', 'Mitglied hinzufügen', 'Einladung senden', 'Zurückziehen'],
    texts: ['Kein Limit (Inhaber)', 'Techniker', 'Per E-Mail einladen', 'Erstes Passwort'],
    english: ['Set limits', 'Remove', 'Add member', 'Send invitation', 'Monthly limit', 'No limit', 'Technician', 'Owner',
      'Invite by e-mail', 'Initial password', 'Withdraw', 'Invitations'],
  }],
  ['de-owner-notifications', '/notifications', {
    h1: 'Benachrichtigungen', buttons: ['E-Mail-Einstellungen speichern', 'Warnungen speichern'],
    texts: ['E-Mails an Sie', 'Warnungen bei niedrigem Guthaben', 'Rechnung gestellt', 'Wird immer gesendet', 'warnen unter'],
    english: ['Mails to you', 'Save warnings', 'Low-balance warnings', 'Invoice issued', 'Always sent', 'warn below', 'Language of your mails'],
  }],
  ['de-owner-security', '/security', {
    h1: 'Sicherheit', buttons: ['Zwei-Faktor-Authentisierung einschalten'],
    english: ['Two-factor authentication', 'Turn on'],
  }],
];

for (const [size, viewport] of SIZES) {
  test(`an admin whose language is German sees the admin pages in German at ${viewport.width} px`, async () => {
    const page = await openPage(viewport, 'en-GB');
    await signIn(page, ADMIN);
    for (const [name, path, want] of ADMIN_PAGES()) {
      await open(page, path);
      await german(page, name, want);
      assert.ok((await page.title()).startsWith(`${want.title ?? want.h1} · `), `${name}: title ${await page.title()}`);
      await shoot(page, `${name}-${size}`);
    }
    // Turning two factors on: the enrolment in German, then cancelled.
    await page.getByRole('button', { name: 'Zwei-Faktor-Authentisierung einschalten' }).click();
    await page.getByRole('button', { name: 'Bestätigen und einschalten' }).waitFor();
    await german(page, 'de-admin-security-enrol', {
      h1: 'Sicherheit', buttons: ['Abbrechen'], texts: ['Scannen Sie diesen QR-Code', 'Bestätigungscode'],
      english: ['Scan this QR code', 'Authentication code', 'Cancel', 'Confirm and turn on'],
    });
    await shoot(page, `de-admin-security-enrol-${size}`);
    await page.getByRole('button', { name: 'Abbrechen' }).click();
    // A password rule broken in German, next to its field.
    await open(page, '/admin/users');
    await page.locator('form.add-user input[name="email"]').fill('kurz@weber.example');
    await page.locator('form.add-user input[name="password"]').fill('kurz');
    await page.getByRole('button', { name: 'Benutzer hinzufügen' }).click();
    await page.locator('form.add-user .field-error').filter({ hasText: /\S/ }).first().waitFor();
    assert.deepEqual(problems(page, [SIGN_IN, /status of 422\b/]), []);
    await page.closeAll();
  });

  test(`an owner who picks Deutsch on My account sees the owner's pages in German at ${viewport.width} px`, async () => {
    const page = await openPage(viewport, 'en-GB');
    await signIn(page, OWNER);
    await open(page, '/account');
    await page.locator('form.language-form select[name="language"]').selectOption('de');
    await page.locator('form.language-form button[type="submit"]').click();
    await page.getByRole('heading', { level: 1, name: 'Mein Konto' }).waitFor();
    try {
      for (const [name, path, want] of OWNER_PAGES) {
        await open(page, path);
        await german(page, name, want);
        await shoot(page, `${name}-${size}`);
      }
      // A monthly limit that is no number, said in German by its field.
      await open(page, '/team');
      await page.locator('main button', { hasText: 'Limits festlegen' }).first().click();
      const dlg = page.getByRole('dialog');
      await dlg.getByRole('heading', { name: /^Monatslimits für / }).waitFor();
      await dlg.locator('input[name^="limit_"]').first().fill('viel');
      await dlg.getByRole('button', { name: 'Limits speichern' }).click();
      await dlg.locator('.field-error').filter({ hasText: 'muss eine Anzahl Credits sein, z. B. 40' }).waitFor();
      await shoot(page, `de-owner-team-limits-${size}`);
      await page.keyboard.press('Escape');
      assert.deepEqual(problems(page, [SIGN_IN]), []);
    } finally {
      // Back to the business's language for the next test's sign-in.
      await page.evaluate(async () => {
        const me = await (await fetch('/api/v1/me')).json();
        await (await fetch('/api/v1/me', {
          method: 'PATCH', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
          body: JSON.stringify({ language: '' }),
        })).json();
      });
      await page.closeAll();
    }
  });

  test(`a waiting owner whose language is German sees the banner in German at ${viewport.width} px`, async () => {
    const page = await openPage(viewport, 'en-GB');
    await signIn(page, HELD);
    const r = await page.evaluate(async () => {
      const me = await (await fetch('/api/v1/me')).json();
      const res = await fetch('/api/v1/me', {
        method: 'PATCH', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
        body: JSON.stringify({ language: 'de' }),
      });
      await res.json();
      return res.status;
    });
    assert.equal(r, 200);
    await page.reload();
    const banner = page.getByRole('region', { name: 'Ihr Konto' });
    await banner.waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'de');
    const text = await banner.innerText();
    assert.match(text, /Bestätigen Sie Ihre E-Mail-Adresse: Öffnen Sie den Link, den wir an gehalten@warten\.example gesendet haben\./);
    assert.doesNotMatch(text, /Confirm your e-mail|Send the link again/);
    await banner.getByRole('button', { name: 'Link erneut senden' }).click();
    await banner.getByRole('status').filter({ hasText: 'Ein neuer Link an gehalten@warten.example ist unterwegs' }).waitFor();
    await shoot(page, `de-held-banner-${size}`);
    assert.deepEqual(problems(page, [SIGN_IN]), []);
    await page.closeAll();
  });

  test(`signed out with a German browser, the access pages speak German at ${viewport.width} px`, async () => {
    const page = await openPage(viewport, 'de-DE');
    const dead = '0'.repeat(64);
    await open(page, '/forgot');
    await german(page, 'de-forgot', {
      h1: 'Passwort vergessen', buttons: ['Link senden'], texts: ['Zurück zur Anmeldung', 'E-Mail'],
      english: ['Send the link', 'Back to sign in', 'Enter the e-mail', 'E-mail'],
    });
    await shoot(page, `de-forgot-${size}`);
    // The answer, the same for every address, in German too.
    await page.locator('input[name="email"]').fill(`niemand-${size}@nirgends.example`);
    await page.getByRole('button', { name: 'Link senden' }).click();
    await page.getByRole('status').filter({ hasText: 'Wenn zu dieser E-Mail-Adresse ein Konto besteht' }).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Weiteren Link senden' }).isVisible());
    await shoot(page, `de-forgot-sent-${size}`);

    await open(page, '/register');
    await german(page, 'de-register', {
      h1: 'Konto anlegen', buttons: ['Konto anlegen'],
      texts: ['Firmenname', 'Passwort wiederholen', 'USt-IdNr.', 'Sprache der E-Mails', 'Mindestens 12 Zeichen'],
      english: ['Create account', 'Business name', 'Your name', 'Password again', 'Country', 'VAT ID', 'Language of mails', 'Back to sign in', 'At least'],
    });
    // The password rules, checked on the page, in German by their fields.
    await page.locator('input[name="password"]').fill('zu kurz');
    await page.getByRole('button', { name: 'Konto anlegen' }).click();
    await page.locator('.field-error').filter({ hasText: 'muss mindestens 12 Zeichen lang sein' }).waitFor();
    await shoot(page, `de-register-${size}`);

    await open(page, `/reset/${dead}`);
    await german(page, 'de-reset', {
      h1: 'Neues Passwort festlegen', buttons: ['Neues Passwort festlegen'], texts: ['Neues Passwort wiederholen'],
      english: ['Set the new password', 'New password', 'Back to sign in', 'The new password replaces'],
    });
    await shoot(page, `de-reset-${size}`);
    await page.locator('input[name="password"]').fill('ein neues langes passwort');
    await page.locator('input[name="password_repeat"]').fill('ein anderes langes passwort');
    await page.getByRole('button', { name: 'Neues Passwort festlegen' }).click();
    await page.locator('.field-error').filter({ hasText: 'stimmt nicht mit dem neuen Passwort überein' }).waitFor();
    await page.locator('input[name="password_repeat"]').fill('ein neues langes passwort');
    await page.getByRole('button', { name: 'Neues Passwort festlegen' }).click();
    await page.getByRole('alert').filter({ hasText: 'Dieser Link ist nicht mehr gültig' }).waitFor();
    await german(page, 'de-reset-dead', {
      h1: 'Neues Passwort festlegen', texts: ['Neuen Link anfordern'], english: ['This link no longer works', 'Ask for a new link'],
    });
    await shoot(page, `de-reset-dead-${size}`);

    await open(page, `/invitation/${dead}`);
    await german(page, 'de-invitation-dead', {
      h1: 'Einladung annehmen', texts: ['Diese Einladung ist nicht mehr gültig', 'Zur Anmeldung'],
      english: ['This invitation no longer works', 'Go to sign in'],
    });
    await shoot(page, `de-invitation-dead-${size}`);

    await open(page, `/verify/${dead}`);
    await page.getByRole('alert').waitFor();
    await german(page, 'de-verify-dead', {
      h1: 'E-Mail-Adresse bestätigen', texts: ['Dieser Link ist nicht mehr gültig', 'Anmelden'],
      english: ['This link no longer works', 'Sign in'],
    });
    await shoot(page, `de-verify-dead-${size}`);
    assert.deepEqual(problems(page, [SIGN_IN, DEAD, /status of 422\b/]), []);
    await page.closeAll();
  });

  test(`signed out, the language is picked on the sign-in page and kept at ${viewport.width} px`, async () => {
    const page = await openPage(viewport, 'en-GB');
    await page.goto(`${portal.url}/`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    const pick = page.getByRole('combobox', { name: 'Language' });
    assert.equal(await pick.inputValue(), 'en');
    await pick.selectOption('de');
    await page.getByRole('heading', { level: 1, name: 'Anmelden' }).waitFor();
    await german(page, 'de-login-picked', {
      h1: 'Anmelden', buttons: ['Anmelden'], texts: ['Passwort vergessen?'],
      english: ['Sign in', 'Forgot your password', 'Password'],
    });
    assert.equal(await page.getByRole('combobox', { name: 'Sprache' }).inputValue(), 'de');
    await shoot(page, `de-login-picked-${size}`);
    // Kept in this browser: the next visit and the other signed-out pages.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Anmelden' }).waitFor();
    await open(page, '/forgot');
    await page.getByRole('heading', { level: 1, name: 'Passwort vergessen' }).waitFor();
    // And back to English, from any signed-out page.
    await page.getByRole('combobox', { name: 'Sprache' }).selectOption('en');
    await page.getByRole('heading', { level: 1, name: 'Forgot your password' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.deepEqual(problems(page, [SIGN_IN]), []);
    await page.closeAll();
  });
}
