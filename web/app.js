// The portal's shell: who is signed in (GET /me), the navigation for their
// role, and a hash router (#/credits, #/admin/customers/cus_1) that loads each
// page's module on first use. A page module exports
//   default async function render(ctx)
// with ctx = {main, params, query, me, go(path), reload()}; it fills ctx.main.
// Pages without a session (PUBLIC: the sign-in page's links, mailed links)
// draw without the navigation and get ctx = {main, params, query, me (or
// null), go(path), signIn(message), signedIn()}.
import { api, setCsrf, ApiError } from './api.js';
import { setTenant } from './fmt.js';
import { t, setLanguage, preferredLanguage } from './i18n.js';
import { h, clear, loading, notice, errorText, email } from './ui.js';
import { holdBanner } from './hold.js';
import { loadBranding, pageTitle, brandMark, signedOutFrame } from './branding.js';

const MEMBER = ['owner', 'technician'];
const TEAM = ['staff', 'admin'];

// Every page: its path pattern, title, module, who may open it, and whether
// the navigation lists it (true: for all of them; else the roles it lists it for).
export const ROUTES = [
  { path: '/credits', title: 'app.page.credits', module: 'page-credits.js', roles: MEMBER, nav: true },
  { path: '/history', title: 'app.page.history', module: 'page-history.js', roles: MEMBER, nav: true },
  { path: '/shop', title: 'app.page.shop', module: 'page-shop.js', roles: ['owner'], nav: true },
  { path: '/orders/new', title: 'app.page.order_new', module: 'page-order-new.js', roles: MEMBER, nav: true },
  { path: '/orders', title: 'app.page.orders', module: 'page-orders.js', roles: MEMBER, nav: true },
  { path: '/orders/:id', title: 'app.page.order', module: 'page-order.js', roles: MEMBER },
  { path: '/invoices', title: 'app.page.invoices', module: 'page-invoices.js', roles: ['owner'], nav: true },
  { path: '/team', title: 'app.page.team', module: 'page-team.js', roles: ['owner'], nav: true },
  { path: '/admin', title: 'app.page.dashboard', module: 'admin-dashboard.js', roles: TEAM, nav: true },
  { path: '/admin/orders', title: 'app.page.admin_orders', module: 'admin-orders.js', roles: TEAM, nav: true },
  { path: '/admin/orders/:id', title: 'app.page.order', module: 'admin-order.js', roles: TEAM },
  { path: '/admin/customers', title: 'app.page.customers', module: 'admin-customers.js', roles: TEAM, nav: true },
  { path: '/admin/customers/:id', title: 'app.page.customer', module: 'admin-customer.js', roles: TEAM },
  { path: '/admin/transactions', title: 'app.page.transactions', module: 'admin-transactions.js', roles: TEAM, nav: true },
  { path: '/admin/invoices', title: 'app.page.invoices', module: 'admin-invoices.js', roles: TEAM, nav: true },
  { path: '/admin/packages', title: 'app.page.packages', module: 'admin-packages.js', roles: TEAM, nav: true },
  { path: '/admin/services', title: 'app.page.services', module: 'admin-services.js', roles: TEAM, nav: true },
  { path: '/admin/events', title: 'app.page.events', module: 'admin-events.js', roles: TEAM, nav: true },
  { path: '/admin/events/:id', title: 'app.page.event', module: 'admin-events.js', roles: TEAM },
  { path: '/admin/notifications', title: 'app.page.notifications', module: 'admin-notifications.js', roles: ['admin'], nav: true },
  { path: '/admin/webhooks', title: 'app.page.webhooks', module: 'admin-webhooks.js', roles: ['admin'], nav: true },
  { path: '/admin/webhooks/:id', title: 'app.page.webhook', module: 'admin-webhooks.js', roles: ['admin'] },
  { path: '/admin/settings', title: 'app.page.settings', module: 'admin-settings.js', roles: ['admin'], nav: true },
  { path: '/admin/branding', title: 'app.page.branding', module: 'admin-branding.js', roles: ['admin'], nav: true },
  { path: '/admin/users', title: 'app.page.users', module: 'admin-users.js', roles: ['admin'], nav: true },
  { path: '/admin/api-keys', title: 'app.page.api_keys', module: 'admin-api-keys.js', roles: ['admin'], nav: true },
  { path: '/admin/security', title: 'app.page.security_log', module: 'admin-security.js', roles: ['admin'], nav: true },
  // Everybody's, from the user area beside "Sign out".
  { path: '/account', title: 'app.page.account', module: 'page-account.js', roles: [...MEMBER, ...TEAM] },
  // Everybody's, from the user menu: two-factor authentication.
  { path: '/security', title: 'app.page.security', module: 'page-security.js', roles: [...MEMBER, ...TEAM] },
  // Admins have it on /admin/notifications.
  { path: '/notifications', title: 'app.page.notifications', module: 'page-notifications.js', roles: [...MEMBER, ...TEAM], nav: [...MEMBER, 'staff'] },
];

// Pages for whoever opens them, drawn without the navigation; signedOut: a
// signed-in user goes to their start page instead.
export const PUBLIC = [
  { path: '/login', title: 'app.page.login', signedOut: true },
  { path: '/forgot', title: 'app.page.forgot', module: 'page-forgot.js', signedOut: true },
  { path: '/register', title: 'app.page.register', module: 'page-register.js', signedOut: true },
  { path: '/reset/:token', title: 'app.page.reset', module: 'page-reset.js' },
  { path: '/invitation/:token', title: 'app.page.invitation', module: 'page-invitation.js' },
  { path: '/verify/:token', title: 'app.page.verify', module: 'page-verify.js' },
];

let me = null;
const app = document.getElementById('app');

function match(pattern, path) {
  const p = pattern.split('/'), q = path.split('/');
  if (p.length !== q.length) return null;
  const params = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(q[i]);
    else if (p[i] !== q[i]) return null;
  }
  return params;
}

function find(routes, path) {
  for (const r of routes) {
    const params = match(r.path, path);
    if (params) return { route: r, params };
  }
  return null;
}

function current() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, qs] = raw.split('?');
  return { path, query: Object.fromEntries(new URLSearchParams(qs || '')) };
}

export function go(path) {
  if (location.hash === `#${path}`) route();
  else location.hash = path;
}

// Staff of a business that requires two factors enrol before anything else.
function home() {
  if (me.totp_enrolment_required) return '/security';
  return TEAM.includes(me.role) ? '/admin' : '/credits';
}

function nav(active) {
  const links = ROUTES.filter((r) => r.roles.includes(me.role) && (r.nav === true || (r.nav || []).includes(me.role)));
  const list = h('ul', links.map((r) => h('li', h('a', {
    href: `#${r.path}`, 'aria-current': r === active ? 'page' : null,
  }, t(r.title)))));
  const toggle = h('button.nav-toggle', {
    type: 'button', 'aria-expanded': 'false', 'aria-controls': 'nav-list',
    onclick: () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      list.classList.toggle('open', open);
    },
  }, t('app.menu'));
  list.id = 'nav-list';
  return h('nav.nav', { 'aria-label': t('app.main_nav') },
    h('div.brand', h('a', { href: `#${home()}` }, brandMark())),
    toggle, list,
    h('div.who', email(me.email), ' ',
      h('a', { href: '#/account', 'aria-current': active?.path === '/account' ? 'page' : null }, t('app.page.account')), ' ',
      h('a', { href: '#/security', 'aria-current': active?.path === '/security' ? 'page' : null }, t('app.page.security')), ' ',
      h('button.link', { type: 'button', onclick: signOut }, t('app.sign_out'))));
}

async function signOut() {
  try { await api.post('auth/logout'); } catch { /* signed out anyway */ }
  me = null;
  setCsrf(null);
  history.pushState(null, '', '#/login');
  signedOut();
}

// No session: the public page the address names, else the sign-in form
// (with a message, e.g. after a new password was set). Signing in reads
// who it is (boot) and goes on to the page the address names.
async function signedOut(message) {
  const { path, query } = current();
  const found = find(PUBLIC, path);
  if (found?.route.module) { await publicPage(found, query); return; }
  const { default: login } = await import('./page-login.js');
  login(app, async () => { await boot(); }, { message });
}

async function publicPage({ route: r, params }, query) {
  const { frame, main } = signedOutFrame();
  clear(app, frame);
  pageTitle(t(r.title));
  const ctx = {
    main, params, query, me, go,
    // To the sign-in form, the token's address out of the history.
    signIn: (message) => {
      history.replaceState(null, '', '#/login');
      me = null;
      setCsrf(null);
      signedOut(message);
    },
    signedIn: () => { history.replaceState(null, '', '#/'); return boot(); },
  };
  try {
    const mod = await import(`./${r.module}`);
    await mod.default(ctx);
  } catch (e) {
    console.warn('page failed', e);
    clear(main, h('h1', t(r.title)), notice(errorText(e), 'error'));
  }
  main.focus({ preventScroll: true });
}

async function route() {
  const { path, query } = current();
  // "#main" (the skip link) is a place on the page, not a page.
  if (!path.startsWith('/')) return;
  const pub = find(PUBLIC, path);
  if (!me) { signedOut(); return; }
  if (path === '/' || pub?.route.signedOut) { go(home()); return; }
  if (pub) { await publicPage(pub, query); return; }
  // Staff of a business that requires two factors enrol first.
  if (me.totp_enrolment_required && path !== '/security') { go(home()); return; }
  const { route: found, params } = find(ROUTES, path) || { route: null, params: null };
  const main = h('main#main', { tabindex: '-1' });
  const banner = holdBanner(me, boot);
  clear(app, nav(found), banner ? h('div.with-banner', banner, main) : main);
  if (!found || !found.roles.includes(me.role)) {
    pageTitle(t('app.not_found'));
    main.append(h('h1', t('app.page_not_found')), h('p', h('a', { href: `#${home()}` }, t('app.back_to_start'))));
    return;
  }
  pageTitle(t(found.title));
  main.append(loading());
  const ctx = { main, params, query, me, go, reload: route };
  try {
    const mod = await import(`./${found.module}`);
    clear(main);
    await mod.default(ctx);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    console.warn('page failed', e);
    clear(main, h('h1', t(found.title)), notice(errorText(e), 'error'));
  }
  main.focus({ preventScroll: true });
}

// The brand is read once, beside who is signed in; pages wait for it.
const brandingReady = loadBranding();

async function boot() {
  // Both at once; a refusal of /me is handled below, after the brand.
  const who = api.get('me');
  who.catch(() => {});
  await brandingReady;
  try {
    me = await who;
    setCsrf(me.csrf_token);
    setTenant(me.tenant);
    await setLanguage(me.language || me.tenant?.language || 'en');
    localize();
    // Waiting for approval, or rejected: the banner says which.
    if (me.hold === 'customer_not_approved') {
      me.customer_status = await api.get(`customers/${encodeURIComponent(me.customer_id)}`).then((c) => c.status, () => 'pending');
    }
    const { path } = current();
    if (path === '/' || !path.startsWith('/') || find(PUBLIC, path)?.route.signedOut) location.hash = home();
    else route();
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) {
      clear(app, h('main#main', notice(errorText(e), 'error')));
      return;
    }
    me = null;
    await setLanguage(preferredLanguage());
    localize();
    await signedOut();
  }
}

// The words of index.html, which exist before any catalogue.
function localize() {
  const skip = document.querySelector('a.skip');
  if (skip) skip.textContent = t('app.skip');
}

window.addEventListener('hashchange', route);
// The brand changed (admin-branding.js): the header shows the new mark.
window.addEventListener('creditd:branding', () => {
  const mark = document.querySelector('.nav .brand a');
  if (mark && me) clear(mark, brandMark());
});
// A language picked on a signed-out page: that page again, in it.
window.addEventListener('creditd:language', () => { if (!me) { localize(); signedOut(); } });
window.addEventListener('creditd:signed-out', () => { if (me) { me = null; boot(); } });
// Two-factor state changed (page-security.js): read who is signed in again.
window.addEventListener('creditd:me-changed', () => { if (me) boot(); });
boot();
