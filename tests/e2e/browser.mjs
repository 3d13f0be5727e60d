// Browser test support: the real creditd on 127.0.0.1 with a fresh database
// loaded with the demo business, and Debian's chromium driven by
// playwright-core (headless, with the flags the project requires). Every page
// is watched for console errors, uncaught exceptions and failed requests; a
// test ends by asserting there were none. Screenshots go to
// tests/e2e/screenshots/ (git-ignored) at desktop and phone width.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, ADMIN } from '../api/harness.mjs';

export { ADMIN };
export const OWNER = { email: 'owner@weber-autotechnik.example', password: 'creditd-demo' };
export const TECH = { email: 'tech@weber-autotechnik.example', password: 'creditd-demo' };
export const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };
// The phone width issue 13 asks every layout check to pass at.
export const PHONE390 = { width: 390, height: 844 };

const CHROMIUM = process.env.CREDITD_CHROMIUM || '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run'];

export async function startPortal(opts = {}) {
  const server = await startServer(opts);
  server.cli('demo');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  mkdirSync(SHOTS, { recursive: true });
  return {
    server,
    browser,
    url: server.url,
    async stop() {
      await browser.close();
      await server.stop();
    },
  };
}

// A page of its own context (own cookies) that records what goes wrong.
export async function openPage(portal, viewport = DESKTOP) {
  const context = await portal.browser.newContext({ viewport, locale: 'en-GB' });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => page.problems.push(`exception: ${e.message}`));
  page.on('requestfailed', (r) => page.problems.push(`failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    // Answers the page did not expect are its own business (tests look at
    // the page); a 5xx is never expected.
    if (r.status() >= 500) page.problems.push(`http ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  page.closeAll = () => context.close();
  return page;
}

// Problems a test expects (a refused login logs a 401 in the console) can be
// forgiven by a pattern.
export function problems(page, forgive = []) {
  return page.problems.filter((p) => !forgive.some((re) => re.test(p)));
}

export async function signIn(page, base, who) {
  await page.goto(`${base}/`);
  await page.getByLabel('E-mail').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

export async function shoot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

// Words broken across lines in the page's table cells and badges: every word
// of every visible text node in `selector` is measured with a Range; a word
// whose boxes (Range.getClientRects) lie on two lines was broken ("Complet
// ed"). Words split at their own hyphen or slash break where a reader
// expects it and count as parts; an e-mail address (holding '@') counts as
// one word. Elements that choose to wrap long tokens anywhere (a hash, an id:
// class "wrap" or code.hash) are skipped. Returns ["<cell text>: <word>", …].
export async function brokenWords(page, selector = 'td, th, .badge') {
  return page.evaluate((sel) => {
    const found = [];
    const lines = (range) => {
      const tops = [];
      for (const r of range.getClientRects()) {
        if (r.width < 1 || r.height < 1) continue;
        if (!tops.some((t) => Math.abs(t - r.top) < r.height / 2)) tops.push(r.top);
      }
      return tops.length;
    };
    for (const cell of document.querySelectorAll(sel)) {
      if (!cell.getClientRects().length || cell.closest('.wrap, code.hash, [hidden]')) continue;
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (n.parentElement.closest('.wrap, code.hash')) continue;
        const words = /\S+/g;
        for (let m = words.exec(n.data); m; m = words.exec(n.data)) {
          const parts = m[0].includes('@') ? [m[0]] : m[0].match(/[^-/]+[-/]*|[-/]+/g);
          let at = m.index;
          for (const part of parts) {
            const range = document.createRange();
            range.setStart(n, at);
            range.setEnd(n, at + part.length);
            at += part.length;
            if (lines(range) > 1) found.push(`${cell.textContent.trim().slice(0, 60)}: ${part}`);
          }
        }
      }
    }
    return found;
  }, selector);
}

// axe-core (a pinned test tool, package.json): the serious and critical
// violations on the page, as "rule (targets)".
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export async function axeViolations(page) {
  await page.evaluate(AXE); // through the debugger: the page's policy allows no inline script
  return page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] }))
    .violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.nodes.map((x) => x.target.join(' ')).join(', ')})`));
}
