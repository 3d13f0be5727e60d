// The tools of the German browser tests (german*.test.mjs): a page in a
// browser language that records what goes wrong (a key without words among
// it), signing in by the form's fields, opening a page until it has drawn,
// and checking that a page is German: lang, heading, buttons and texts by
// their German words, no English words left, and no overflow.
import assert from 'node:assert/strict';

export function germanTools(portal) {
  // A page of its own context with the browser's language, recording what goes
  // wrong, a key without words among it.
  async function openPage(viewport, locale = 'de-DE') {
    const context = await portal.browser.newContext({ viewport, locale });
    const page = await context.newPage();
    page.problems = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || /no words for/.test(m.text())) page.problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => page.problems.push(`exception: ${e.message}`));
    page.on('requestfailed', (r) => page.problems.push(`failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => { if (r.status() >= 500) page.problems.push(`http ${r.status()}: ${r.url()}`); });
    page.closeAll = () => context.close();
    return page;
  }

  // Signs in by the form's fields (whatever language the sign-in page speaks).
  async function signIn(page, who) {
    await page.goto(`${portal.url}/`);
    await page.locator('input[name="email"]').fill(who.email);
    await page.locator('input[name="password"]').fill(who.password);
    await page.locator('form.login-form button[type="submit"]').click();
    await page.locator('nav.nav').waitFor();
  }

  // Opens a page of the portal and waits until it has drawn.
  async function open(page, path) {
    await page.goto(`${portal.url}/#${path}`);
    await page.waitForFunction(() => {
      const main = document.querySelector('main');
      // The invitations waiting for an answer come after the page (invitations.js).
      return main && main.querySelector('h1') && !main.querySelector('.loading')
        && [...main.querySelectorAll('.invitations')].every((box) => box.childElementCount > 0);
    });
  }

  // The page is German: lang, its heading, the names given (buttons, or
  // headings and texts as /regex/ or 'text'), and none of its English words.
  async function german(page, name, { h1, buttons = [], texts = [], english = [] }) {
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'de', `${name}: lang`);
    await page.getByRole('heading', { level: 1, name: h1, exact: true }).waitFor();
    // By their words: buttons in rows carry an aria-label naming their row too.
    const labels = (await page.locator('main button:visible').allInnerTexts()).map((x) => x.trim());
    for (const b of buttons) assert.ok(labels.includes(b), `${name}: button "${b}" in ${labels.join(' | ')}`);
    const shown = await page.locator('main').innerText();
    for (const text of texts) {
      assert.ok(text instanceof RegExp ? text.test(shown) : shown.includes(text), `${name}: "${text}" in ${shown}`);
    }
    // German words are longer: the page still fits its width.
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(wide <= 0, `${name} is ${wide} px too wide`);
    const left = english.filter((w) => new RegExp(`\\b${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(shown));
    assert.deepEqual(left, [], `${name}: English left`);
  }

  return { openPage, signIn, open, german };
}
