// Invoices (#/admin/invoices?status=&gateway=&customer=&from=&to=): every
// invoice with its filters, a page at a time; mark a bank transfer paid,
// void an invoice with a reason (then shows, per lot, the credits removed and
// those already spent), and open the printable page or the PDF.
// Open invoices show their payment details; credit notes follow the list.
// GET /invoices, POST /invoices/{id}/mark-paid, POST /invoices/{id}/void,
// GET /invoices/{id}/html, GET /invoices/{id}/pdf, GET /credit-notes.
import { api, newKey } from './api.js';
import { h, clear, table, field, input, select, textarea, form, dialog } from './ui.js';
import { amount, money, zoneTime, nextDay, cmp, statusLabel } from './fmt.js';
import { paymentBlock, day } from './payment.js';
import { creditTypes, typeName, customerLink, customerPicker, rememberCustomer, pager, statusBadge, need, flash } from './admin-lib.js';
import { t, has } from './i18n.js';

const FILTERS = ['status', 'gateway', 'customer', 'from', 'to'];
// The ways an invoice is paid, each with words (admininvoice.gateway.<code>).
export const GATEWAYS = ['manual', 'stripe', 'admin'];
export function gatewayName(code) {
  return has(`admininvoice.gateway.${code}`) ? t(`admininvoice.gateway.${code}`) : code;
}

// The text of key with its holes filled by strings or elements.
function withNodes(key, parts) {
  return t(key).split(/(\{\w+\})/).filter(Boolean).map((x) => {
    const name = /^\{(\w+)\}$/.exec(x)?.[1];
    return name && name in parts ? parts[name] : x;
  });
}

export default async function render(ctx) {
  const types = await creditTypes();
  const f = Object.fromEntries(FILTERS.map((k) => [k, ctx.query[k] || '']));
  const query = { status: f.status, gateway: f.gateway, customer: f.customer };
  if (f.from) query.from = zoneTime(f.from);
  if (f.to) query.to = zoneTime(nextDay(f.to));
  const status = flash();
  const voided = h('div.void-result');

  const statusSel = select('status', [['', t('admininvoice.any_status')], ...['open', 'paid', 'void'].map((c) => [c, statusLabel(c)])]);
  statusSel.value = f.status;
  const gatewaySel = select('gateway', [['', t('admininvoice.any_way')], ...GATEWAYS.map((c) => [c, gatewayName(c)])]);
  gatewaySel.value = f.gateway;
  const picker = customerPicker({ value: f.customer, label: t('admininvoice.customer'), allLabel: t('admininvoice.all_customers') });
  const filters = form([
    field(t('admininvoice.status'), statusSel), field(t('admininvoice.paid_by'), gatewaySel), picker.el,
    field(t('admininvoice.from'), input('from', { type: 'date', value: f.from })),
    field(t('admininvoice.to'), input('to', { type: 'date', value: f.to })),
  ], (v) => {
    const qs = new URLSearchParams();
    for (const k of FILTERS) if (v[k]) qs.set(k, v[k]);
    ctx.go(`/admin/invoices${qs.toString() ? `?${qs}` : ''}`);
  }, { submit: t('admininvoice.apply'), cls: 'filters' });

  async function markPaid(inv, button) {
    button.disabled = true;
    try {
      await api.post(`invoices/${inv.id}/mark-paid`, {}, { key: newKey() });
      await list.reload();
      status.say(t('admininvoice.marked_paid', { number: inv.number }));
    } catch (e) { button.disabled = false; status.fail(e); }
  }

  async function voidIt(inv) {
    const key = newKey();
    const done = await dialog(t('admininvoice.void_title', { number: inv.number }), [
      h('p', t('admininvoice.void_text')),
      field(t('admininvoice.reason'), textarea('reason', { rows: 2 }), t('admininvoice.reason_hint')),
    ], (v) => {
      need(v, ['reason'], t('admininvoice.required'));
      return api.post(`invoices/${inv.id}/void`, { reason: v.reason.trim() }, { key });
    }, { submit: t('admininvoice.void_submit') });
    if (!done) return;
    await Promise.all([list.reload(), notes.reload()]);
    const cn = done.credit_note;
    clear(voided,
      h('h2', t('admininvoice.voided_title', { number: done.number })),
      cn ? h('p', withNodes('admininvoice.credit_note_issued', {
        link: h('a', { href: `/api/v1/credit-notes/${cn.id}/html`, target: '_blank', rel: 'noopener' }, cn.number),
        gross: money(cn.gross, cn.currency), refund: money(cn.refund_due, cn.currency),
      })) : null,
      done.lots?.length ? table([
        { label: t('admininvoice.col_lot'), value: (l) => l.id },
        { label: t('admininvoice.col_type'), value: (l) => typeName(types, l.credit_type) },
        { label: t('admininvoice.col_bought'), num: true, value: (l) => amount(l.original) },
        { label: t('admininvoice.col_removed'), num: true, value: (l) => amount(l.removed ?? '0') },
        { label: t('admininvoice.col_spent'), num: true, value: (l) => amount(l.spent ?? '0') },
      ], done.lots, { caption: t('admininvoice.lots_caption') }) : h('p', t('admininvoice.no_credits')));
    status.say(t('admininvoice.voided', { number: done.number }));
  }

  const list = pager((cursor) => api.get('invoices', { ...query, limit: 20, cursor }), (items) => {
    for (const i of items) rememberCustomer({ id: i.customer_id, name: i.buyer?.name });
    const rows = table([
      // The number opens the printable invoice; its PDF beside it.
      { label: t('admininvoice.col_invoice'), value: (i) => h('span.doc-links',
        h('a.nowrap', { href: `/api/v1/invoices/${i.id}/html`, target: '_blank', rel: 'noopener', 'aria-label': t('admininvoice.print_label', { number: i.number }) }, i.number),
        h('a.pdf', { href: `/api/v1/invoices/${i.id}/pdf`, target: '_blank', rel: 'noopener', 'aria-label': t('admininvoice.pdf_label', { number: i.number }) }, t('admininvoice.pdf'))) },
      // Issued, and when an open one is due.
      { label: t('admininvoice.col_date'), value: (i) => h('span', h('span.nowrap', day(i.issue_date)),
        i.status === 'open' && i.due_date ? h('span.hint.block.nowrap', t('admininvoice.due_on', { date: day(i.due_date) })) : null) },
      { label: t('admininvoice.customer'), value: (i) => customerLink(i.customer_id) },
      // The status, how it is paid and why a void one is.
      { label: t('admininvoice.status'), value: (i) => h('span', statusBadge(i.status),
        h('span.hint.block', gatewayName(i.gateway)), i.void_reason ? h('span.hint.block', i.void_reason) : null) },
      { label: t('admininvoice.col_gross'), num: true, value: (i) => money(i.gross, i.currency) },
      { label: t('admininvoice.col_due'), num: true, value: (i) => (cmp(i.store_credit_applied, '0') > 0
        ? h('span', money(i.amount_due, i.currency), h('span.hint.block', t('admininvoice.after_store_credit', { amount: money(i.store_credit_applied, i.currency) })))
        : money(i.amount_due, i.currency)) },
      {
        label: t('admininvoice.col_actions'),
        value: (i) => h('div.row-actions',
          i.status === 'open' ? h('button.primary', { type: 'button', 'aria-label': t('admininvoice.mark_paid_label', { number: i.number }), onclick: (ev) => markPaid(i, ev.currentTarget) }, t('admininvoice.mark_paid')) : null,
          i.status !== 'void' ? h('button.danger', { type: 'button', 'aria-label': t('admininvoice.void_label', { number: i.number }), onclick: () => voidIt(i) }, t('admininvoice.void')) : null,
          // How to pay it, with the QR code, in a dialog: the row's cell is
          // too narrow for the account and the code.
          i.payment ? h('button', {
            type: 'button', 'aria-label': t('admininvoice.payment_label', { number: i.number }),
            onclick: () => dialog(t('admininvoice.payment_title', { number: i.number }), [paymentBlock(i, { headingLevel: 'h3' })],
              () => true, { submit: t('admininvoice.done'), dismiss: t('admininvoice.close') }),
          }, t('admininvoice.payment')) : null),
      },
    ], items, { caption: t('admininvoice.list_caption') });
    rows.classList.add('stack');
    return rows;
  }, { label: t('admininvoice.pages'), none: t('admininvoice.none') });

  // Credit notes of voided paid invoices, newest first (GET /credit-notes).
  const notes = pager((cursor) => api.get('credit-notes', { customer: query.customer, limit: 50, cursor }), (items) => {
    const rows = table([
      { label: t('admininvoice.col_credit_note'), value: (n) => h('a.nowrap', { href: `/api/v1/credit-notes/${n.id}/html`, target: '_blank', rel: 'noopener' }, n.number) },
      { label: t('admininvoice.col_date'), value: (n) => day(n.issue_date) },
      { label: t('admininvoice.col_invoice'), value: (n) => h('a.nowrap', { href: `/api/v1/invoices/${n.invoice_id}/html`, target: '_blank', rel: 'noopener' }, n.invoice_number) },
      { label: t('admininvoice.customer'), value: (n) => customerLink(n.customer_id) },
      { label: t('admininvoice.col_gross'), num: true, value: (n) => money(n.gross, n.currency) },
      { label: t('admininvoice.col_refund'), num: true, value: (n) => money(n.refund_due, n.currency) },
      { label: t('admininvoice.reason'), value: (n) => n.reason },
    ], items, { caption: t('admininvoice.notes_caption') });
    rows.classList.add('stack');
    return rows;
  }, { label: t('admininvoice.notes_pages'), none: t('admininvoice.no_notes') });

  ctx.main.append(h('h1', t('app.page.invoices')), status.el, filters, voided, list.el, h('h2', t('admininvoice.credit_notes')), notes.el);
  await Promise.all([list.start(), notes.start(), picker.ready]);
}
