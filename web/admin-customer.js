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
import { h, clear, table, field, input, select, textarea, form, dialog, notice, empty, loading, errorText, unfielded } from './ui.js';
import {
  amount, signed, money, date, dateTime, isoDay, zoneTime, zoneWall, nextDay, cmp, kindLabel, statusLabel,
} from './fmt.js';
import {
  creditTypes, typeName, credits, rememberCustomer, pager, need, flash, statusBadge,
  deductionReasons, sourceName,
} from './admin-lib.js';
import { sum, negate } from './customer.js';
import { resolveRefs, reference, reason } from './ledger.js';
import { LANGUAGES, t, tn } from './i18n.js';
import { transferCredits, transferResult } from './admin-transfer.js';
import { addCreditsDialog, editLotDialog, lotRules, invoiceChoices } from './admin-lot-dialogs.js';
import { inviteFields, invite, sentText, pendingInvitations, roleName } from './invitations.js';
import { pageTitle } from './branding.js';
import { signUpBadge } from './admin-customers.js';

// The language of a customer's mails: the business's, or one of the portal's.
const mailLanguages = () => [['', t('customer.language_default')], ...LANGUAGES.map((l) => [l.code, l.name])];

function lotLabel(types, l) {
  return t('customer.lot_label', { name: l.name || t('customer.type_lot', { type: typeName(types, l.credit_type) }), id: l.id });
}

function typeSelect(types, name = 'credit_type') {
  return select(name, types.items.map((x) => [x.code, x.name]));
}

function reasonSelect() { return select('reason', [['', t('customer.choose_reason')], ...deductionReasons()]); }

function invoiceSelect() { return select('invoice', invoiceChoices()); }

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
  const reasonHint = t('customer.reason_hint');

  // ---- details, balances, members -----------------------------------------

  function drawHead() {
    rememberCustomer(customer);
    pageTitle(customer.name);
    const language = customer.locale ? (LANGUAGES.find((l) => l.code === customer.locale)?.name || customer.locale) : null;
    clear(head,
      h('p.crumbs', h('a', { href: '#/admin/customers' }, t('app.page.customers'))),
      h('h1', customer.name, customer.status && customer.status !== 'active' ? [' ', signUpBadge(customer.status)] : null),
      approval(),
      h('p.sub', [customer.email || t('customer.no_email'), customer.country,
        customer.vat_id ? t('customer.vat_id_is', { vat_id: customer.vat_id }) : null,
        language ? t('customer.mail_language', { language }) : null]
        .filter(Boolean).join(' · ')),
      h('div.toolbar',
        h('button', { type: 'button', onclick: editCustomer }, t('customer.edit_details')),
        h('button.primary', { type: 'button', onclick: addCredits }, t('customer.add_credits')),
        h('button', { type: 'button', onclick: addPackage }, t('customer.add_package')),
        h('button', { type: 'button', onclick: adjust }, t('customer.adjust')),
        ctx.me.role === 'admin' ? h('button', { type: 'button', onclick: transfer }, t('customer.transfer')) : null,
        h('a.button', { href: `#/admin/transactions?customer=${encodeURIComponent(id)}` }, t('customer.all_transactions'))));
  }

  function drawBalances() {
    clear(balanceCards, types.items.map((x) => {
      const b = customer.balances?.[x.code] || { balance: '0', available: '0', held: '0' };
      return h('section.card', { 'aria-label': x.name },
        h('h3', x.name),
        h('p.big', amount(b.balance)),
        h('p.sub', { dataset: { available: x.code } }, availability(b)),
        cmp(x.unit_value, '0') > 0 && cmp(b.balance, '0') > 0 ? h('p.sub', t('customer.worth', { money: money(unitValue(x, b.balance)) })) : null);
    }));
  }

  // Available excludes held credits and lots that cannot be used now
  // (paused, or not started yet): "10 available · 53 paused or not started".
  function availability(b) {
    if (cmp(b.available, b.balance) === 0) return t('customer.all_available');
    const unusable = sum([b.balance, negate(b.available), negate(b.held || '0')]);
    return [t('customer.available', { amount: amount(b.available) }),
      cmp(b.held || '0', '0') > 0 ? t('customer.on_hold', { amount: amount(b.held) }) : null,
      cmp(unusable, '0') > 0 ? t('customer.unusable', { amount: amount(unusable) }) : null].filter(Boolean).join(' · ');
  }

  function unitValue(x, balance) {
    // balance × unit value, in cents, exactly.
    const [i, f = ''] = String(balance).split('.');
    const [vi, vf = ''] = String(x.unit_value).split('.');
    const cents = BigInt(i + f) * BigInt(vi + vf.padEnd(2, '0')) / 10n ** BigInt(f.length);
    const s = cents.toString().padStart(3, '0');
    return `${s.slice(0, -2)}.${s.slice(-2)}`;
  }

  function drawMembers() {
    const m = customer.members || [];
    clear(membersBox,
      m.length ? table([
        { label: t('customer.email'), value: (x) => x.email },
        { label: t('customer.role'), value: (x) => roleName(x.role === 'owner' ? 'owner' : 'technician') },
        { label: t('customer.monthly_limit'), value: (x) => Object.entries(x.monthly_limits || {})
          .map(([c, a]) => credits(types, c, a)).join(', ') || (x.role === 'owner' ? '–' : t('customer.no_limit')) },
        {
          label: t('customer.actions'),
          value: (x) => h('button.danger', { type: 'button', 'aria-label': t('customer.remove_member_label', { email: x.email }), onclick: () => removeMember(x) }, t('customer.remove')),
        },
      ], m, { caption: t('customer.members_caption'), rowAttrs: (x) => ({ dataset: { member: x.user_id } }) })
        : empty(t('customer.no_members')),
      h('div.toolbar',
        h('button', { type: 'button', onclick: inviteMember }, t('customer.invite')),
        h('button', { type: 'button', onclick: addMember }, t('customer.add_member'))));
  }

  // A customer that signed up (registration: approval) waits for the
  // business: its members read and price orders, and change nothing.
  function approval() {
    if (customer.status !== 'pending' && customer.status !== 'rejected') return null;
    const pendingNow = customer.status === 'pending';
    return h('div.notice.warn.approval',
      h('p', pendingNow ? t('customer.pending_text') : t('customer.rejected_text')),
      h('div.toolbar',
        h('button.primary', { type: 'button', onclick: () => decide('approve') }, t('customer.approve')),
        pendingNow ? h('button.danger', { type: 'button', onclick: () => decide('reject') }, t('customer.reject')) : null));
  }

  async function decide(what) {
    const approve = what === 'approve';
    const done = await dialog(t(approve ? 'customer.approve_title' : 'customer.reject_title', { customer: customer.name }), [
      h('p', approve ? t('customer.approve_text') : t('customer.reject_text')),
    ], () => api.post(`customers/${encodeURIComponent(id)}/${what}`, {}).catch((e) => { throw unfielded(e); }),
    { submit: approve ? t('customer.approve') : t('customer.reject') });
    if (!done) return;
    await refreshCustomer();
    status.say(t(approve ? 'customer.approved' : 'customer.rejected_now', { customer: customer.name }));
  }

  async function inviteMember() {
    const done = await dialog(t('customer.invite_title', { customer: customer.name }),
      inviteFields([['technician', roleName('technician')], ['owner', roleName('owner')]]),
      (v) => invite(v, { customer_id: id }), { submit: t('customer.send_invitation') });
    if (done) { await invitations.refresh(); status.say(sentText(done)); }
  }
  const invitations = pendingInvitations({ query: { customer: id }, say: (text) => status.say(text) });

  async function refreshCustomer() {
    customer = await api.get(`customers/${encodeURIComponent(id)}`);
    drawHead(); drawBalances(); drawMembers();
  }

  async function editCustomer() {
    const key = newKey();
    const languages = mailLanguages();
    const locale = select('locale', languages);
    if (!languages.some(([code]) => code === (customer.locale || ''))) locale.append(h('option', { value: customer.locale }, customer.locale));
    locale.value = customer.locale || '';
    const done = await dialog(t('customer.edit_title'), [
      field(t('customer.business_name'), input('name', { value: customer.name, autocomplete: 'off' })),
      field(t('customer.email'), input('email', { type: 'email', value: customer.email || '', autocomplete: 'off' })),
      field(t('customer.vat_id'), input('vat_id', { value: customer.vat_id || '', maxlength: 32, autocomplete: 'off' })),
      field(t('customer.address'), textarea('address', { rows: 4, value: customer.address || '', maxlength: 500 }), t('customer.address_hint')),
      field(t('customer.country'), input('country', { value: customer.country || '', maxlength: 2, autocomplete: 'off' }), t('customer.country_hint')),
      field(t('customer.mail_language_label'), locale, t('customer.mail_language_hint')),
    ], (v) => {
      need(v, ['name']);
      return api.patch(`customers/${id}`, {
        name: v.name.trim(), email: (v.email || '').trim(), vat_id: (v.vat_id || '').trim(),
        country: (v.country || '').trim().toUpperCase(), locale: v.locale || '', address: (v.address || '').trim(),
      }, { key });
    });
    if (done) { await refreshCustomer(); status.say(t('customer.details_saved')); }
  }

  async function addMember() {
    const key = newKey();
    const done = await dialog(t('customer.add_member_title'), [
      field(t('customer.email'), input('email', { type: 'email', autocomplete: 'off' }), t('customer.member_email_hint')),
      field(t('customer.initial_password'), input('password', { type: 'password', autocomplete: 'new-password' })),
      field(t('customer.role'), select('role', [['technician', roleName('technician')], ['owner', roleName('owner')]])),
    ], (v) => api.post(`customers/${id}/members`, { email: v.email || '', password: v.password || '', role: v.role }, { key }),
    { submit: t('customer.add_member') });
    if (done) { await refreshCustomer(); status.say(t('customer.member_added', { email: done.email })); }
  }

  async function removeMember(x) {
    const done = await dialog(t('customer.remove_member_title', { email: x.email, customer: customer.name }), [
      h('p', t('customer.remove_member_text')),
    ], () => api.del(`customers/${encodeURIComponent(id)}/members/${encodeURIComponent(x.user_id)}`)
      .then(() => true, (e) => { throw unfielded(e); }), { submit: t('customer.remove') });
    if (done) { await refreshCustomer(); status.say(t('customer.member_removed', { email: x.email, customer: customer.name })); }
  }

  // ---- lots --------------------------------------------------------------------

  async function refreshLots() {
    try {
      lots = (await api.get(`customers/${encodeURIComponent(id)}/lots`)).items;
      drawLots();
    } catch (e) { clear(lotsBox, notice(errorText(e), 'error')); }
  }

  function drawLots() {
    if (!lots.length) { clear(lotsBox, empty(t('customer.no_lots'))); return; }
    // Used-up and expired lots are history: shown on request.
    const spent = lots.filter((l) => l.status === 'exhausted' || l.status === 'expired').length;
    const shown = showAll.checked ? lots : lots.filter((l) => l.status !== 'exhausted' && l.status !== 'expired');
    const toggle = spent ? h('p', h('label.check', showAll, ` ${t('customer.show_spent', { count: amount(String(spent)) })}`)) : null;
    if (!shown.length) { clear(lotsBox, toggle, empty(t('customer.no_usable_lots'))); return; }
    const list = table([
      { label: t('customer.lot'), value: (l) => h('div', h('strong', l.name || typeName(types, l.credit_type)), h('span.hint', ` ${l.id}`),
        l.notes ? h('p.hint', l.notes) : null, lotRules(l)) },
      { label: t('customer.type'), value: (l) => typeName(types, l.credit_type) },
      { label: t('customer.source'), value: (l) => sourceName(l.source) },
      { label: t('customer.status'), value: (l) => statusBadge(l.status) },
      { label: t('customer.remaining'), num: true, value: (l) => t('customer.remaining_of', { remaining: amount(l.remaining), original: amount(l.original) }) },
      { label: t('customer.starts'), value: (l) => (l.start_on_first_use && !l.starts_at ? t('customer.on_first_use') : date(l.starts_at)) },
      { label: t('customer.expires'), value: (l) => (l.expires_at ? h('time', { datetime: l.expires_at, title: dateTime(l.expires_at) }, date(l.expires_at))
        : l.expiry_days_after_start ? tn('customer.days_after_first_use', String(l.expiry_days_after_start)) : t('customer.never')) },
      { label: t('customer.actions'), value: (l) => lotActions(l) },
    ], shown, { caption: t('customer.lots_caption'), rowAttrs: (l) => ({ dataset: { lot: l.id } }) });
    list.classList.add('stack');
    clear(lotsBox, toggle, list);
  }

  // A lot's buttons: the action's word (customer.lot_action.<action>), and
  // "<action> <lot>" for the ear (customer.lot_aria.<action>).
  function lotActions(l) {
    const label = lotLabel(types, l);
    const b = (action, fn, cls = '') => h(`button${cls}`, {
      type: 'button', 'aria-label': t(`customer.lot_aria.${action}`, { lot: label }), onclick: () => fn(l),
    }, t(`customer.lot_action.${action}`));
    const out = [];
    // A used-up lot has nothing to pause, extend or take away.
    const live = l.status === 'active';
    if (live) out.push(b('pause', (x) => lotAction(x, 'pause')));
    if (l.status === 'paused') out.push(b('resume', (x) => lotAction(x, 'resume')));
    if ((live || l.status === 'paused') && l.expires_at) out.push(b('extend', extend));
    if ((live || l.status === 'paused') && cmp(l.remaining, '0') > 0) out.push(b('deduct', deduct));
    if (live || l.status === 'paused') out.push(b('deactivate', (x) => lotAction(x, 'deactivate'), '.danger'));
    if (l.status === 'deactivated') out.push(b('reactivate', (x) => lotAction(x, 'reactivate')));
    out.push(b('edit', editLot));
    out.push(b('history', showHistory));
    return h('div.row-actions', out);
  }

  async function afterMove(message) {
    await Promise.all([refreshCustomer(), refreshLots(), ledger.start()]);
    status.say(message);
  }

  // Pause, resume, deactivate or reactivate a lot, asking why.
  async function lotAction(l, action) {
    const key = newKey();
    const label = lotLabel(types, l);
    const done = await dialog(t(`customer.lot_aria.${action}`, { lot: label }), [
      h('p', t(`customer.lot_explain.${action}`)),
      field(t('customer.reason'), textarea('reason', { rows: 2 }), reasonHint),
    ], (v) => {
      need(v, ['reason']);
      return api.post(`lots/${l.id}/${action}`, { reason: v.reason.trim() }, { key });
    }, { submit: t(`customer.lot_action.${action}`) });
    if (done) await afterMove(t(`customer.lot_done.${action}`, { lot: label, status: statusLabel(done.status).toLowerCase() }));
  }

  async function extend(l) {
    const key = newKey();
    const now = zoneWall(l.expires_at);
    const day = input('expires_at', { type: 'date', value: now.day, min: now.day });
    const done = await dialog(t('customer.lot_aria.extend', { lot: lotLabel(types, l) }), [
      h('p', t('customer.expires_on', { when: dateTime(l.expires_at) })),
      field(t('customer.new_expiry'), day, t('customer.new_expiry_hint')),
      field(t('customer.reason'), textarea('reason', { rows: 2 }), reasonHint),
    ], (v) => {
      need(v, ['expires_at', 'reason']);
      return api.post(`lots/${l.id}/extend`, { expires_at: zoneTime(v.expires_at, now.time), reason: v.reason.trim() }, { key });
    }, { submit: t('customer.lot_action.extend') });
    if (done) await afterMove(t('customer.extended', { lot: lotLabel(types, l), date: date(done.expires_at) }));
  }

  async function deduct(l) {
    const key = newKey();
    const done = await dialog(t('customer.deduct_title', { lot: lotLabel(types, l) }), [
      h('p', t('customer.remain_in_lot', { credits: credits(types, l.credit_type, l.remaining) })),
      field(t('customer.credits_to_take'), input('amount', { inputmode: 'decimal', autocomplete: 'off' })),
      field(t('customer.reason'), reasonSelect()),
      field(t('customer.justification'), textarea('justification', { rows: 2 }), t('customer.justification_ledger_hint')),
    ], (v) => api.post(`lots/${l.id}/deduct`, {
      amount: v.amount ?? '', reason: v.reason ?? '', justification: (v.justification || '').trim(),
    }, { key }), { submit: t('customer.lot_action.deduct') });
    if (done) await afterMove(t('customer.deducted', { lot: lotLabel(types, l), remaining: amount(done.remaining) }));
  }

  async function showHistory(l) {
    historyBox.hidden = false;
    const title = h('h2#lot-history-title', { tabindex: '-1' }, t('customer.history_title', { lot: lotLabel(types, l) }));
    clear(historyBox, title, loading());
    title.focus();
    try {
      const items = (await api.get(`lots/${l.id}/history`)).items;
      clear(historyBox, title,
        items.length ? table([
          { label: t('customer.when'), value: (e) => dateTime(e.created_at) },
          { label: t('customer.what'), value: (e) => kindLabel(e.kind) },
          { label: t('customer.credits'), num: true, value: (e) => (cmp(e.amount, '0') === 0 ? '–' : signed(e.amount)) },
          { label: t('customer.detail'), value: (e) => e.detail || '–' },
          { label: t('customer.by'), value: (e) => e.actor || '–' },
        ], items, { caption: t('customer.oldest_first') }) : empty(t('customer.no_history')),
        h('div.toolbar', h('button', { type: 'button', onclick: () => { historyBox.hidden = true; } }, t('customer.close_history'))));
    } catch (e) { clear(historyBox, title, notice(errorText(e), 'error')); }
  }

  // ---- adding and adjusting ------------------------------------------------------

  async function addCredits() {
    const done = await addCreditsDialog(id, types);
    if (!done) return;
    const added = credits(types, done.credit_type, done.original);
    await afterMove(done.invoice ? t('customer.added_invoice', { credits: added, lot: done.id, invoice: done.invoice.number })
      : t('customer.added', { credits: added, lot: done.id }));
  }

  async function editLot(l) {
    const done = await editLotDialog(l, lotLabel(types, l));
    if (!done) return;
    await refreshLots();
    if (!historyBox.hidden) await showHistory(done);
    status.say(t('customer.lot_saved', { lot: lotLabel(types, done) }));
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
    if (!packages.length) { status.say(t('customer.no_packages'), 'warn'); return; }
    const describe = (p) => t('customer.package_option', {
      name: p.name, credits: Object.entries(p.credits).map(([c, a]) => credits(types, c, a)).join(' + '), price: money(p.price),
    });
    const done = await dialog(t('customer.add_package_title'), [
      field(t('customer.package'), select('package_id', packages.map((p) => [p.id, describe(p)]))),
      field(t('customer.reason'), input('reason', { autocomplete: 'off' }), t('customer.reason_ledger_hint')),
      field(t('customer.invoice'), invoiceSelect(), t('customer.package_invoice_hint')),
    ], (v) => {
      need(v, ['reason']);
      const body = { package_id: v.package_id, reason: v.reason.trim() };
      if (v.invoice) body.invoice = v.invoice;
      return api.post(`customers/${id}/lots`, body, { key });
    }, { submit: t('customer.add_credits') });
    if (done) {
      const all = (done.lots || [done]).map((l) => credits(types, l.credit_type, l.original)).join(' + ');
      await afterMove(done.invoice ? t('customer.package_added_invoice', { credits: all, invoice: done.invoice.number })
        : t('customer.package_added', { credits: all }));
    }
  }

  async function adjust() {
    const key = newKey();
    const done = await dialog(t('customer.adjust'), [
      field(t('customer.credit_type'), typeSelect(types)),
      field(t('customer.credits'), input('amount', { inputmode: 'decimal', autocomplete: 'off', placeholder: t('customer.adjust_placeholder') }),
        t('customer.adjust_hint')),
      field(t('customer.reason'), reasonSelect()),
      field(t('customer.justification'), textarea('justification', { rows: 2 }), t('customer.justification_hint')),
      field(t('customer.adjust_expiry'), input('expiry_days', { type: 'number', min: 1, max: 3660 }), t('customer.adjust_expiry_hint')),
    ], (v) => {
      const body = { credit_type: v.credit_type, amount: v.amount ?? '', reason: v.reason ?? '', justification: (v.justification || '').trim() };
      if (v.expiry_days) body.expiry_days = Number(v.expiry_days);
      return api.post(`customers/${id}/adjustments`, body, { key });
    }, { submit: t('customer.adjust_submit') });
    if (done) await afterMove(t('customer.adjusted', { amount: signed(done.amount), type: typeName(types, done.credit_type) }));
  }

  // ---- ledger and totals -------------------------------------------------------------

  const ledger = pager((cursor) => api.get('ledger', { customer: id, limit: 25, cursor }), async (items) => {
    await resolveRefs(items);
    const list = table([
      { label: t('customer.when'), value: (e) => dateTime(e.created_at) },
      { label: t('customer.what'), value: (e) => kindLabel(e.kind) },
      { label: t('customer.type'), value: (e) => typeName(types, e.credit_type) },
      { label: t('customer.credits'), num: true, value: (e) => h('span', { class: e.amount.startsWith('-') ? 'out' : 'in' }, signed(e.amount)) },
      { label: t('customer.balance_after'), num: true, value: (e) => amount(e.balance_after) },
      { label: t('customer.reason'), value: (e) => reason(e) },
      { label: t('customer.reference'), value: (e) => reference(e, { admin: true }) },
      { label: t('customer.by'), value: (e) => e.actor || '–' },
    ], items, { caption: t('customer.ledger_caption') });
    list.classList.add('stack');
    return list;
  }, { label: t('customer.ledger_pages'), none: t('customer.no_transactions') });

  const invoices = pager((cursor) => api.get('invoices', { customer: id, limit: 10, cursor }), (items) => {
    const list = table([
      { label: t('customer.invoice'), value: (i) => h('a.nowrap', { href: `/api/v1/invoices/${encodeURIComponent(i.id)}/html`, target: '_blank', rel: 'noopener' }, i.number) },
      { label: t('customer.date'), value: (i) => date(i.created_at) },
      { label: t('customer.status'), value: (i) => statusBadge(i.status) },
      { label: t('customer.amount'), num: true, value: (i) => money(i.gross, i.currency) },
    ], items, { caption: t('customer.invoices_caption'), rowAttrs: (i) => ({ dataset: { invoice: i.id } }) });
    list.classList.add('stack');
    return list;
  }, { label: t('customer.invoice_pages'), none: t('customer.no_invoices') });

  const summaryOut = h('div');
  const today = isoDay();
  const summaryForm = form([
    field(t('customer.from'), input('from', { type: 'date', value: `${today.slice(0, 8)}01` })),
    field(t('customer.to'), input('to', { type: 'date', value: today })),
  ], async (v) => {
    const query = {};
    if (v.from) query.from = zoneTime(v.from);
    if (v.to) query.to = zoneTime(nextDay(v.to));
    const s = await api.get(`customers/${encodeURIComponent(id)}/summary`, query);
    const rows = types.items.filter((x) => s.credit_types[x.code]).map((x) => ({ x, ...s.credit_types[x.code] }));
    clear(summaryOut, table([
      { label: t('customer.credit_type'), value: (r) => r.x.name },
      { label: t('customer.bought'), num: true, value: (r) => amount(r.purchased) },
      { label: t('customer.used'), num: true, value: (r) => amount(r.used) },
      { label: t('customer.balance_now'), num: true, value: (r) => amount(r.balance) },
    ], rows, {
      caption: t('customer.period', {
        from: v.from ? date(query.from) : t('customer.the_start'), to: v.to ? date(zoneTime(v.to)) : t('customer.now'),
      }),
    }));
  }, { submit: t('customer.show_totals'), cls: 'filters' });

  drawHead(); drawBalances(); drawMembers();
  ctx.main.append(
    head, status.el,
    h('h2', t('customer.balances')), balanceCards,
    h('h2', t('customer.lots')), lotsBox, historyBox,
    h('h2', t('customer.ledger')), ledger.el,
    h('h2', t('customer.invoices')), invoices.el,
    h('p', h('a', { href: `#/admin/invoices?customer=${encodeURIComponent(id)}` }, t('customer.manage_invoices'))),
    h('h2', t('customer.totals')), summaryForm, summaryOut,
    h('h2', t('customer.members')), membersBox,
    h('h2', t('customer.invitations')), invitations.el);
  await Promise.all([refreshLots(), ledger.start(), invoices.start(), invitations.refresh()]);
  summaryForm.requestSubmit();
}
