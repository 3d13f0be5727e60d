// Browser test support: the real creditd on 127.0.0.1 with a fresh database
// loaded with the demo business, and Debian's chromium driven by
// playwright-core (headless, with the flags the project requires). Every page
// is watched for console errors, uncaught exceptions and failed requests; a
// test ends by asserting there were none. Screenshots go to
// tests/e2e/screenshots/ (git-ignored) at desktop and phone width.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, ADMIN } from '../api/harness.mjs';

export { ADMIN };
export const OWNER = { email: 'owner@weber-autotechnik.example', password: 'creditd-demo' };
export const TECH = { email: 'tech@weber-autotechnik.example', password: 'creditd-demo' };
export const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };

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
