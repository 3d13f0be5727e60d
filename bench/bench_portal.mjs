// make bench, the portal: time to interactive of every page with the demo
// business, in Debian's chromium on 127.0.0.1. Each page is loaded fresh
// (a new navigation to /#/<page>, the session cookie already set) and is
// interactive when its main heading is there and no loading message is left;
// the time is from the navigation's start (performance.now()). Prints a table,
// slowest first, with the median of 5 loads.
//   CREDITD_BIN=build/creditd node bench/bench_portal.mjs
import { startPortal, openPage, signIn, ADMIN, OWNER } from '../tests/e2e/browser.mjs';

const CUSTOMER = ['/credits', '/history', '/shop', '/orders/new', '/orders', '/invoices', '/team'];
const ADMIN_PAGES = ['/admin', '/admin/orders', '/admin/customers', '/admin/customers/cus_1',
  '/admin/transactions', '/admin/invoices', '/admin/packages', '/admin/services', '/admin/settings'];
const RUNS = 5;

async function measure(page, base, path) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    await page.goto('about:blank');
    await page.goto(`${base}/#${path}`);
    await page.waitForFunction(() => {
      const main = document.querySelector('main');
      return main && main.querySelector('h1') && !main.querySelector('.loading');
    });
    times.push(await page.evaluate(() => performance.now()));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)];
}

const portal = await startPortal();
const rows = [];
try {
  for (const [who, pages] of [[OWNER, CUSTOMER], [ADMIN, ADMIN_PAGES]]) {
    const page = await openPage(portal);
    await signIn(page, portal.url, who);
    for (const p of pages) rows.push([p, await measure(page, portal.url, p)]);
    await page.closeAll();
  }
} finally {
  await portal.stop();
}
rows.sort((a, b) => b[1] - a[1]);
console.log('portal page (demo data)            time to interactive, median of 5');
for (const [p, ms] of rows) console.log(`${p.padEnd(36)} ${ms.toFixed(0).padStart(6)} ms`);
