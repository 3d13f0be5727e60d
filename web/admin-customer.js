// One customer (#/admin/customers/:id): details (edit), a sign-up to
// approve or reject, balances, members (add, invite, remove), lots with
// their actions (pause, resume, extend, deactivate, reactivate, deduct;
// each asks why), adding credits (a manual lot or a package's, with an
// optional invoice), adjustments, the customer's ledger with the running
// balance, totals over a period, a lot's history on demand, transfers to
// another customer (admins), editing a lot's name and notes, and the
// customer's invoices.
// GET/PATCH /customers/{id}, POST /customers/{id}/approve|reject, POST
// /customers/{id}/members, DELETE /customers/{id}/members/{user_id}, POST
// and GET /invitations, GET/POST /customers/{id}/lots, POST
// /lots/{id}/<action>, GET /lots/{id}/history, POST
// /customers/{id}/adjustments, GET /ledger?customer=, GET
// /customers/{id}/summary, GET /packages, POST /transfers, PATCH /lots/{id},
// GET /invoices?customer=.
import { api, newKey } from './api.js';
import { h, clear, table, field, input, select, textarea, form, dialog, notice, empty, loading, errorText, unfielded, badge } from './ui.js';
import {
  amount, signed, money, date, dateTime, isoDay, zoneTime, zoneWall, nextDay, cmp, kindLabel,
} from './fmt.js';
import {
  creditTypes, typeName, credits, rememberCustomer, pager, need, flash, statusBadge,
  deductionReasons, sourceName, phrase,
} from './admin-lib.js';
import { sum, negate } from './customer.js';
import { resolveRefs, reference, reason } from './ledger.js';
import { LANGUAGES } from './notify.js';
import { transferCredits, transferResult } from './admin-transfer.js';
import { addCreditsDialog, editLotDialog, lotRules } from './admin-lot-dialogs.js';
import { inviteFields, invite, sentText, pendingInvitations } from './invitations.js';
import { pageTitle } from './branding.js';

const SIGN_UP = { pending: ['Waiting for approval', 'warn'], rejected: ['Rejected', 'bad'] };
function signUpBadge(status) {
  const [text, tone] = SIGN_UP[status] || [status, ''];
  return badge(text, tone);
}

const REASON_HINT = 'Kept in the lot\'s history with your name.';

function lotLabel(types, l) { return `${l.name || `${typeName(types, l.credit_type)} lot`} (${l.id})`; }

function typeSelect(types, name = 'credit_type') {
  return select(name, types.items.map((t) => [t.code, t.name]));
}

function reasonSelect() { return select('reason', [['', 'Choose a reason'], ...deductionReasons()]); }

function invoiceSelect() {
  return select('invoice', [['', 'No invoice'], ['paid', 'Invoice, already paid'], ['open', 'Invoice, to be paid']]);
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const [types, first] = await Promise.all([creditTypes(), api.get(`customers/${encodeURIComponent(id)}`)]);
  let customer = first;
  let lots = [];
  rememberCustomer(customer);
  const status = flash();
  const head = h('div.customer-head');
  const balanceCards = h('div.cards.compact');
  const showAll = input('all_lots', { type: 'checkbox' });
  showAll.addEventListener('change', () => drawLots());
  const membersBox = h('div');
  const lotsBox = h('div', loading());
  const historyBox = h('section.lot-history', { 'aria-labelledby': 'lot-history-title', hidden: true });

  // ---- details, balances, members -----------------------------------------

  function drawHead() {
    rememberCustomer(customer);
    pageTitle(customer.name);
    clear(head,
      h('p.crumbs', h('a', { href: '#/admin/customers' }, 'Customers')),
      h('h1', customer.name, customer.status && customer.status !== 'active' ? [' ', signUpBadge(customer.status)] : null),
      approval(),
      h('p.sub', [customer.email || 'No e-mail', customer.country, customer.vat_id ? `VAT ID ${customer.vat_id}` : null,
        customer.locale ? `Mail language: ${LANGUAGES.find(([c]) => c === customer.locale)?.[1] || customer.locale}` : null]
        .filter(Boolean).join(' · ')),
      h('div.toolbar',
        h('button', { type: 'button', onclick: editCustomer }, 'Edit details'),
        h('button.primary', { type: 'button', onclick: addCredits }, 'Add credits'),
        h('button', { type: 'button', onclick: addPackage }, 'Add a package'),
        h('button', { type: 'button', onclick: adjust }, 'Adjust balance'),
        ctx.me.role === 'admin' ? h('button', { type: 'button', onclick: transfer }, 'Transfer credits') : null,
        h('a.button', { href: `#/admin/transactions?customer=${encodeURIComponent(id)}` }, 'All transactions')));
  }

  function drawBalances() {
    clear(balanceCards, types.items.map((t) => {
      const b = customer.balances?.[t.code] || { balance: '0', available: '0', held: '0' };
      return h('section.card', { 'aria-label': t.name },
        h('h3', t.name),
        h('p.big', amount(b.balance)),
        h('p.sub', { dataset: { available: t.code } }, availability(b)),
        cmp(t.unit_value, '0') > 0 && cmp(b.balance, '0') > 0 ? h('p.sub', `worth ${money(unitValue(t, b.balance))}`) : null);
    }));
  }

  // Available excludes held credits and lots that cannot be used now
  // (paused, or not started yet): "10 available · 53 paused or not started".
  function availability(b) {
    if (cmp(b.available, b.balance) === 0) return 'all available';
    const unusable = sum([b.balance, negate(b.available), negate(b.held || '0')]);
    return [`${amount(b.available)} available`,
      cmp(b.held || '0', '0') > 0 ? `${amount(b.held)} on hold` : null,
      cmp(unusable, '0') > 0 ? `${amount(unusable)} paused or not started` : null].filter(Boolean).join(' · ');
  }

  function unitValue(t, balance) {
    // balance × unit value, in cents, exactly.
    const [i, f = ''] = String(balance).split('.');
    const [vi, vf = ''] = String(t.unit_value).split('.');
    const cents = BigInt(i + f) * BigInt(vi + vf.padEnd(2, '0')) / 10n ** BigInt(f.length);
    const s = cents.toString().padStart(3, '0');
    return `${s.slice(0, -2)}.${s.slice(-2)}`;
  }

  function drawMembers() {
    const m = customer.members || [];
    clear(membersBox,
      m.length ? table([
        { label: 'E-mail', value: (x) => x.email },
        { label: 'Role', value: (x) => (x.role === 'owner' ? 'Owner' : 'Technician') },
        { label: 'Monthly limit', value: (x) => Object.entries(x.monthly_limits || {})
          .map(([c, a]) => credits(types, c, a)).join(', ') || (x.role === 'owner' ? '–' : 'None') },
        {
          label: 'Actions',
          value: (x) => h('button.danger', { type: 'button', 'aria-label': `Remove ${x.email}`, onclick: () => removeMember(x) }, 'Remove'),
        },
      ], m, { caption: 'Who signs in for this customer', rowAttrs: (x) => ({ dataset: { member: x.user_id } }) })
        : empty('No members yet: nobody can sign in for this customer.'),
      h('div.toolbar',
        h('button', { type: 'button', onclick: inviteMember }, 'Invite by e-mail'),
        h('button', { type: 'button', onclick: addMember }, 'Add member')));
  }

  // A customer that signed up (registration: approval) waits for the
  // business: its members read and price orders, and change nothing.
  function approval() {
    if (customer.status !== 'pending' && customer.status !== 'rejected') return null;
    const pendingNow = customer.status === 'pending';
    return h('div.notice.warn.approval',
      h('p', pendingNow
        ? 'This customer signed up and waits for your approval: until then its members can look around and price orders, but not order or buy.'
        : 'This customer\'s sign-up was rejected: its members can look around, but not order or buy. You can still approve it.'),
      h('div.toolbar',
        h('button.primary', { type: 'button', onclick: () => decide('approve') }, 'Approve'),
        pendingNow ? h('button.danger', { type: 'button', onclick: () => decide('reject') }, 'Reject') : null));
  }

  async function decide(what) {
    const approve = what === 'approve';
    const done = await dialog(approve ? `Approve ${customer.name}?` : `Reject ${customer.name}?`, [
      h('p', approve
        ? 'Its members can order and buy from now on.'
        : 'Its members keep signing in and reading, but can never order or buy. You can approve it later.'),
    ], () => api.post(`customers/${encodeURIComponent(id)}/${what}`, {}).catch((e) => { throw unfielded(e); }),
    { submit: approve ? 'Approve' : 'Reject' });
    if (!done) return;
    await refreshCustomer();
    status.say(approve ? `${customer.name} is approved.` : `${customer.name} is rejected.`);
  }

  async function inviteMember() {
    const done = await dialog(`Invite a member of ${customer.name}`,
      inviteFields([['technician', 'Technician'], ['owner', 'Owner']]),
      (v) => invite(v, { customer_id: id }), { submit: 'Send invitation' });
    if (done) { await invitations.refresh(); status.say(sentText(done)); }
  }
  const invitations = pendingInvitations({ query: { customer: id }, say: (text) => status.say(text) });

  async function refreshCustomer() {
    customer = await api.get(`customers/${encodeURIComponent(id)}`);
    drawHead(); drawBalances(); drawMembers();
  }

  async function editCustomer() {
    const key = newKey();
    const locale = select('locale', LANGUAGES);
    if (!LANGUAGES.some(([code]) => code === (customer.locale || ''))) locale.append(h('option', { value: customer.locale }, customer.locale));
    locale.value = customer.locale || '';
    const done = await dialog('Edit customer', [
      field('Business name', input('name', { value: customer.name, autocomplete: 'off' })),
      field('E-mail', input('email', { type: 'email', value: customer.email || '', autocomplete: 'off' })),
      field('VAT ID', input('vat_id', { value: customer.vat_id || '', maxlength: 32, autocomplete: 'off' })),
      field('Billing address', textarea('address', { rows: 4, value: customer.address || '', maxlength: 500 }), 'Printed on invoices; up to six lines.'),
      field('Country', input('country', { value: customer.country || '', maxlength: 2, autocomplete: 'off' }), 'ISO code, two letters.'),
      field('Language of mails', locale, 'Default: the business’s language. Each member can choose their own.'),
    ], (v) => {
      need(v, ['name']);
      return api.patch(`customers/${id}`, {
        name: v.name.trim(), email: (v.email || '').trim(), vat_id: (v.vat_id || '').trim(),
        country: (v.country || '').trim().toUpperCase(), locale: v.locale || '', address: (v.address || '').trim(),
      }, { key });
    });
    if (done) { await refreshCustomer(); status.say('Details saved.'); }
  }

  async function addMember() {
    const key = newKey();
    const done = await dialog('Add a member', [
      field('E-mail', input('email', { type: 'email', autocomplete: 'off' }), 'They sign in with it.'),
      field('Initial password', input('password', { type: 'password', autocomplete: 'new-password' })),
      field('Role', select('role', [['technician', 'Technician'], ['owner', 'Owner']])),
    ], (v) => api.post(`customers/${id}/members`, { email: v.email || '', password: v.password || '', role: v.role }, { key }),
    { submit: 'Add member' });
    if (done) { await refreshCustomer(); status.say(`${done.email} can sign in now.`); }
  }

  async function removeMember(x) {
    const done = await dialog(`Remove ${x.email} from ${customer.name}?`, [
      h('p', 'They are signed out at once and can no longer sign in for this customer. Their orders and ledger entries keep their name.'),
    ], () => api.del(`customers/${encodeURIComponent(id)}/members/${encodeURIComponent(x.user_id)}`)
      .then(() => true, (e) => { throw unfielded(e); }), { submit: 'Remove' });
    if (done) { await refreshCustomer(); status.say(`${x.email} was removed from ${customer.name}.`); }
  }

  // ---- lots --------------------------------------------------------------------

  async function refreshLots() {
    try {
      lots = (await api.get(`customers/${encodeURIComponent(id)}/lots`)).items;
      drawLots();
    } catch (e) { clear(lotsBox, notice(errorText(e), 'error')); }
  }

  function drawLots() {
    if (!lots.length) { clear(lotsBox, empty('No lots yet. Add credits to start.')); return; }
    // Used-up and expired lots are history: shown on request.
    const spent = lots.filter((l) => l.status === 'exhausted' || l.status === 'expired').length;
    const shown = showAll.checked ? lots : lots.filter((l) => l.status !== 'exhausted' && l.status !== 'expired');
    const toggle = spent ? h('p', h('label.check', showAll, ` Show used-up and expired lots (${amount(String(spent))})`)) : null;
    if (!shown.length) { clear(lotsBox, toggle, empty('No usable lots: every lot is used up or expired.')); return; }
    const t = table([
      { label: 'Lot', value: (l) => h('div', h('strong', l.name || typeName(types, l.credit_type)), h('span.hint', ` ${l.id}`),
        l.notes ? h('p.hint', l.notes) : null, lotRules(l)) },
      { label: 'Type', value: (l) => typeName(types, l.credit_type) },
      { label: 'Source', value: (l) => l.source },
      { label: 'Status', value: (l) => statusBadge(l.status) },
      { label: 'Remaining', num: true, value: (l) => `${amount(l.remaining)} of ${amount(l.original)}` },
      { label: 'Starts', value: (l) => (l.start_on_first_use && !l.starts_at ? 'On first use' : date(l.starts_at)) },
      { label: 'Expires', value: (l) => (l.expires_at ? h('time', { datetime: l.expires_at, title: dateTime(l.expires_at) }, date(l.expires_at))
        : l.expiry_days_after_start ? `${amount(String(l.expiry_days_after_start))} days after first use` : 'Never') },
      { label: 'Actions', value: (l) => lotActions(l) },
    ], shown, { caption: 'Lots, newest first', rowAttrs: (l) => ({ dataset: { lot: l.id } }) });
    t.classList.add('stack');
    clear(lotsBox, toggle, t);
  }

  function lotActions(l) {
    const label = lotLabel(types, l);
    const b = (text, fn, cls = '') => h(`button${cls}`, { type: 'button', 'aria-label': `${text} ${label}`, onclick: () => fn(l) }, text);
    const out = [];
    // A used-up lot has nothing to pause, extend or take away.
    const live = l.status === 'active';
    if (live) out.push(b('Pause', (x) => lotAction(x, 'pause', 'Pause', 'The credits cannot be spent and the expiry clock stops until you resume.')));
    if (l.status === 'paused') out.push(b('Resume', (x) => lotAction(x, 'resume', 'Resume', 'The expiry moves later by the time the lot was paused.')));
    if ((live || l.status === 'paused') && l.expires_at) out.push(b('Extend', extend));
    if ((live || l.status === 'paused') && cmp(l.remaining, '0') > 0) out.push(b('Deduct', deduct));
    if (live || l.status === 'paused') {
      out.push(b('Deactivate', (x) => lotAction(x, 'deactivate', 'Deactivate', 'The remaining credits leave the balance until the lot is reactivated.'), '.danger'));
    }
    if (l.status === 'deactivated') out.push(b('Reactivate', (x) => lotAction(x, 'reactivate', 'Reactivate', 'The credits come back unless the lot has expired.')));
    out.push(b('Edit', editLot));
    out.push(b('History', showHistory));
    return h('div.row-actions', out);
  }

  async function afterMove(message) {
    await Promise.all([refreshCustomer(), refreshLots(), ledger.start()]);
    status.say(message);
  }

  async function lotAction(l, action, title, explain) {
    const key = newKey();
    const done = await dialog(`${title} ${lotLabel(types, l)}`, [
      h('p', explain),
      field('Reason', textarea('reason', { rows: 2 }), REASON_HINT),
    ], (v) => {
      need(v, ['reason']);
      return api.post(`lots/${l.id}/${action}`, { reason: v.reason.trim() }, { key });
    }, { submit: title });
    if (done) await afterMove(`${lotLabel(types, l)}: ${title.toLowerCase()} done, now ${done.status}.`);
  }

  async function extend(l) {
    const key = newKey();
    const now = zoneWall(l.expires_at);
    const day = input('expires_at', { type: 'date', value: now.day, min: now.day });
    const done = await dialog(`Extend ${lotLabel(types, l)}`, [
      h('p', `It expires on ${dateTime(l.expires_at)}.`),
      field('New expiry date', day, 'The lot then expires at the same time of day on this date.'),
      field('Reason', textarea('reason', { rows: 2 }), REASON_HINT),
    ], (v) => {
      need(v, ['expires_at', 'reason']);
      return api.post(`lots/${l.id}/extend`, { expires_at: zoneTime(v.expires_at, now.time), reason: v.reason.trim() }, { key });
    }, { submit: 'Extend' });
    if (done) await afterMove(`${lotLabel(types, l)} now expires on ${date(done.expires_at)}.`);
  }

  async function deduct(l) {
    const key = newKey();
    const done = await dialog(`Deduct from ${lotLabel(types, l)}`, [
      h('p', `${credits(types, l.credit_type, l.remaining)} remain in this lot.`),
      field('Credits to take', input('amount', { inputmode: 'decimal', autocomplete: 'off' })),
      field('Reason', reasonSelect()),
      field('Justification', textarea('justification', { rows: 2 }), 'Why, for the audit trail; the customer sees it in their ledger.'),
    ], (v) => api.post(`lots/${l.id}/deduct`, {
      amount: v.amount ?? '', reason: v.reason ?? '', justification: (v.justification || '').trim(),
    }, { key }), { submit: 'Deduct' });
    if (done) await afterMove(`${lotLabel(types, l)}: ${amount(done.remaining)} left.`);
  }

  async function showHistory(l) {
    historyBox.hidden = false;
    const title = h('h2#lot-history-title', { tabindex: '-1' }, `History of ${lotLabel(types, l)}`);
    clear(historyBox, title, loading());
    title.focus();
    try {
      const items = (await api.get(`lots/${l.id}/history`)).items;
      clear(historyBox, title,
        items.length ? table([
          { label: 'When', value: (e) => dateTime(e.created_at) },
          { label: 'What', value: (e) => kindLabel(e.kind) },
          { label: 'Credits', num: true, value: (e) => (cmp(e.amount, '0') === 0 ? '–' : signed(e.amount)) },
          { label: 'Detail', value: (e) => e.detail || '–' },
          { label: 'By', value: (e) => e.actor || '–' },
        ], items, { caption: 'Oldest first' }) : empty('Nothing happened to this lot yet.'),
        h('div.toolbar', h('button', { type: 'button', onclick: () => { historyBox.hidden = true; } }, 'Close history')));
    } catch (e) { clear(historyBox, title, notice(errorText(e), 'error')); }
  }

  // ---- adding and adjusting ------------------------------------------------------

  async function addCredits() {
    const done = await addCreditsDialog(id, types);
    if (done) await afterMove(`${credits(types, done.credit_type, done.original)} added as ${done.id}${done.invoice ? `, invoice ${done.invoice.number}` : ''}.`);
  }

  async function editLot(l) {
    const done = await editLotDialog(l, lotLabel(types, l));
    if (!done) return;
    await refreshLots();
    if (!historyBox.hidden) await showHistory(done);
    status.say(`${lotLabel(types, done)}: name and notes saved.`);
  }

  async function transfer() {
    const done = await transferCredits(customer, types);
    if (!done) return;
    await Promise.all([refreshCustomer(), refreshLots(), ledger.start()]);
    clear(status.el, transferResult(done, customer, types));
    status.el.focus();
  }

  async function addPackage() {
    const key = newKey();
    const packages = (await api.get('packages')).items.filter((p) => !p.archived);
    if (!packages.length) { status.say('There are no packages to add: create one under Packages.', 'warn'); return; }
    const describe = (p) => `${p.name}: ${Object.entries(p.credits).map(([c, a]) => credits(types, c, a)).join(' + ')}, ${money(p.price)}`;
    const done = await dialog('Add a package\'s credits', [
      field('Package', select('package_id', packages.map((p) => [p.id, describe(p)]))),
      field('Reason', input('reason', { autocomplete: 'off' }), 'Why: goes into the ledger with your name.'),
      field('Invoice', invoiceSelect(), 'Also make a numbered invoice for the package\'s price.'),
    ], (v) => {
      need(v, ['reason']);
      const body = { package_id: v.package_id, reason: v.reason.trim() };
      if (v.invoice) body.invoice = v.invoice;
      return api.post(`customers/${id}/lots`, body, { key });
    }, { submit: 'Add credits' });
    if (done) {
      const all = done.lots || [done];
      await afterMove(`Added ${all.map((l) => credits(types, l.credit_type, l.original)).join(' + ')}${done.invoice ? `, invoice ${done.invoice.number}` : ''}.`);
    }
  }

  async function adjust() {
    const key = newKey();
    const done = await dialog('Adjust balance', [
      field('Credit type', typeSelect(types)),
      field('Credits', input('amount', { inputmode: 'decimal', autocomplete: 'off', placeholder: '10 or -10' }),
        'Positive adds a lot; negative takes credits from the lots that expire first.'),
      field('Reason', reasonSelect()),
      field('Justification', textarea('justification', { rows: 2 }), 'Why, for the audit trail; the customer sees it.'),
      field('Added credits expire after (days)', input('expiry_days', { type: 'number', min: 1, max: 3660 }), 'Only for additions; empty: never.'),
    ], (v) => {
      const body = { credit_type: v.credit_type, amount: v.amount ?? '', reason: v.reason ?? '', justification: (v.justification || '').trim() };
      if (v.expiry_days) body.expiry_days = Number(v.expiry_days);
      return api.post(`customers/${id}/adjustments`, body, { key });
    }, { submit: 'Adjust' });
    if (done) await afterMove(`Adjusted by ${signed(done.amount)} ${typeName(types, done.credit_type)}.`);
  }

  // ---- ledger and totals -------------------------------------------------------------

  const ledger = pager((cursor) => api.get('ledger', { customer: id, limit: 25, cursor }), async (items) => {
    await resolveRefs(items);
    const t = table([
      { label: 'When', value: (e) => dateTime(e.created_at) },
      { label: 'What', value: (e) => kindLabel(e.kind) },
      { label: 'Type', value: (e) => typeName(types, e.credit_type) },
      { label: 'Credits', num: true, value: (e) => h('span', { class: e.amount.startsWith('-') ? 'out' : 'in' }, signed(e.amount)) },
      { label: 'Balance after', num: true, value: (e) => amount(e.balance_after) },
      { label: 'Reason', value: (e) => reason(e) },
      { label: 'Reference', value: (e) => reference(e, { admin: true }) },
      { label: 'By', value: (e) => e.actor || '–' },
    ], items, { caption: 'Newest first; the balance after each entry is the customer\'s in that type' });
    t.classList.add('stack');
    return t;
  }, { label: 'Ledger pages', none: 'No transactions yet.' });

  const invoices = pager((cursor) => api.get('invoices', { customer: id, limit: 10, cursor }), (items) => {
    const t = table([
      { label: 'Invoice', value: (i) => h('a.nowrap', { href: `/api/v1/invoices/${encodeURIComponent(i.id)}/html`, target: '_blank', rel: 'noopener' }, i.number) },
      { label: 'Date', value: (i) => date(i.created_at) },
      { label: 'Status', value: (i) => statusBadge(i.status) },
      { label: 'Amount', num: true, value: (i) => money(i.gross, i.currency) },
    ], items, { caption: 'Newest first; the number opens the invoice', rowAttrs: (i) => ({ dataset: { invoice: i.id } }) });
    t.classList.add('stack');
    return t;
  }, { label: 'Invoice pages', none: 'No invoices yet.' });

  const summaryOut = h('div');
  const today = isoDay();
  const summaryForm = form([
    field('From', input('from', { type: 'date', value: `${today.slice(0, 8)}01` })),
    field('To (inclusive)', input('to', { type: 'date', value: today })),
  ], async (v) => {
    const query = {};
    if (v.from) query.from = zoneTime(v.from);
    if (v.to) query.to = zoneTime(nextDay(v.to));
    const s = await api.get(`customers/${encodeURIComponent(id)}/summary`, query);
    const rows = types.items.filter((t) => s.credit_types[t.code]).map((t) => ({ t, ...s.credit_types[t.code] }));
    clear(summaryOut, table([
      { label: 'Credit type', value: (r) => r.t.name },
      { label: 'Bought and granted', num: true, value: (r) => amount(r.purchased) },
      { label: 'Used', num: true, value: (r) => amount(r.used) },
      { label: 'Balance now', num: true, value: (r) => amount(r.balance) },
    ], rows, { caption: `${v.from ? date(query.from) : 'The start'} to ${v.to ? date(zoneTime(v.to)) : 'now'}` }));
  }, { submit: 'Show totals', cls: 'filters' });

  drawHead(); drawBalances(); drawMembers();
  ctx.main.append(
    head, status.el,
    h('h2', 'Balances'), balanceCards,
    h('h2', 'Lots'), lotsBox, historyBox,
    h('h2', 'Ledger'), ledger.el,
    h('h2', 'Invoices'), invoices.el,
    h('p', h('a', { href: `#/admin/invoices?customer=${encodeURIComponent(id)}` }, 'Manage these invoices (mark paid, void)')),
    h('h2', 'Totals over a period'), summaryForm, summaryOut,
    h('h2', 'Members'), membersBox,
    h('h2', 'Invitations'), invitations.el);
  await Promise.all([refreshLots(), ledger.start(), invoices.start(), invitations.refresh()]);
  summaryForm.requestSubmit();
}
