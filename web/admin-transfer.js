// "Transfer credits" from a customer's page or the transactions page (admins
// only, like POST /transfers; there a first dialog picks the giver): a dialog picks the receiving customer (the server-side picker),
// the credit type, the amount and the justification; a second dialog shows
// both balances after the move and asks to confirm; the answer links both
// ledger entries. A refusal on confirming (the giver lacks the credits, the
// receiver is the giver) reopens the first dialog with the message at its
// field; insufficient credits name the shortfall.
import { api, newKey, ApiError } from './api.js';
import { h, field, input, select, textarea, dialog, showErrors, unfielded } from './ui.js';
import { amount } from './fmt.js';
import { customerPicker, typeName, need, rememberCustomer, phrase } from './admin-lib.js';
import { t, tn } from './i18n.js';

// a ± b for decimal strings of the given scale, exactly (BigInt minor units).
export function addDecimal(a, b, scale, sign = 1) {
  const minor = (s) => {
    const neg = String(s).startsWith('-');
    const [i, f = ''] = String(s).replace('-', '').split('.');
    const v = BigInt(i || '0') * 10n ** BigInt(scale) + BigInt((f + '0'.repeat(scale)).slice(0, scale) || '0');
    return neg ? -v : v;
  };
  const v = minor(a) + BigInt(sign) * minor(b);
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return neg ? `-${text}` : text;
}

// The message by the amount field for a refusal for want of credits.
function shortText(e, types, code) {
  const p = e.problem || {};
  if (p.shortfall === undefined) return e.message;
  return t('transfer.short', { available: amount(p.available), type: typeName(types, code), shortfall: amount(p.shortfall) });
}

function fielded(e, types, code) {
  if (!(e instanceof ApiError)) return e;
  if (e.code === 'insufficient_credits') {
    return new ApiError(e.status, { ...e.problem, field: 'amount', errors: [{ field: 'amount', message: shortText(e, types, code) }] });
  }
  return e;
}

function balanceOf(c, code) { return c.balances?.[code]?.balance ?? '0'; }
function availableOf(c, code) { return c.balances?.[code]?.available ?? balanceOf(c, code); }

// The first step: what to move where. Resolves {to, credit_type, amount,
// justification} or null; `error` (from a refused confirmation) is shown at
// its field when the dialog opens.
function askTransfer(from, types, values, error) {
  const picker = customerPicker({ name: 'to_customer_id', label: t('transfer.to_customer'), value: values.to?.id || '', allLabel: '',
    hint: t('transfer.to_hint'), exclude: () => from.id });
  const type = select('credit_type', types.items.map((x) => [x.code, x.name]));
  type.value = values.credit_type || types.items[0]?.code;
  const have = h('p.hint', { id: 'transfer-have' });
  const showHave = () => {
    have.textContent = t('transfer.has', { customer: from.name, amount: amount(availableOf(from, type.value)), type: typeName(types, type.value) });
  };
  type.addEventListener('change', showHave);
  showHave();
  const amountBox = input('amount', { inputmode: 'decimal', autocomplete: 'off', value: values.amount || '' });
  const why = textarea('justification', { rows: 2, value: values.justification || '' });
  const p = dialog(t('transfer.title_from', { customer: from.name }), [
    picker.el,
    field(t('transfer.credit_type'), type),
    have,
    field(t('transfer.credits'), amountBox),
    field(t('transfer.justification'), why, t('transfer.justification_hint')),
  ], async (v) => {
    need(v, ['to_customer_id'], t('transfer.need_to'));
    need(v, ['amount', 'justification']);
    const to = await api.get(`customers/${encodeURIComponent(v.to_customer_id)}`);
    rememberCustomer(to);
    const ct = types.byCode[v.credit_type];
    if (!/^\d+(\.\d+)?$/.test(v.amount.trim())) {
      throw new ApiError(422, { code: 'validation_failed', errors: [{ field: 'amount', message: t('transfer.positive') }] });
    }
    const frac = v.amount.trim().split('.')[1] || '';
    if (frac.length > ct.scale) {
      throw new ApiError(422, { code: 'validation_failed', errors: [{ field: 'amount', message: ct.scale ? tn('transfer.decimals', ct.scale) : t('transfer.whole') }] });
    }
    return { to, credit_type: v.credit_type, amount: v.amount.trim(), justification: v.justification.trim() };
  }, { submit: t('transfer.review') });
  picker.ready.then(() => { if (values.to) picker.set(values.to); });
  if (error) {
    const f = document.querySelector('dialog.modal:last-of-type form');
    if (f) showErrors(f, error);
  }
  return p;
}

// The second step: both balances after, then the transfer itself. Resolves
// the transfer, {error} for a refusal to show at a field, or null.
function confirmTransfer(from, types, v) {
  const ct = types.byCode[v.credit_type];
  const name = typeName(types, v.credit_type);
  const key = newKey();
  const row = (c, sign) => h('tr',
    h('th', { scope: 'row' }, c.name),
    h('td.num', amount(balanceOf(c, v.credit_type))),
    h('td.num', `${sign < 0 ? '−' : '+'}${amount(v.amount)}`),
    h('td.num', h('strong', amount(addDecimal(balanceOf(c, v.credit_type), v.amount, ct.scale, sign)))));
  return dialog(t('transfer.confirm_title'), [
    h('p', t('transfer.move', { amount: amount(v.amount), type: name, from: from.name, to: v.to.name })),
    h('div.table-wrap.transfer-after', { tabindex: '0', role: 'region', 'aria-label': t('transfer.after_label') },
      h('table',
        h('caption', t('transfer.balances_of', { type: name })),
        h('thead', h('tr', h('th', { scope: 'col' }, t('transfer.customer')), h('th.num', { scope: 'col' }, t('transfer.now')),
          h('th.num', { scope: 'col' }, t('transfer.change')), h('th.num', { scope: 'col' }, t('transfer.after')))),
        h('tbody', row(from, -1), row(v.to, 1)))),
    h('p', phrase('transfer.justification_is', { justification: v.justification, label: h('strong', t('transfer.justification_label')) })),
  ], async () => {
    try {
      return await api.post('transfers', {
        from_customer_id: from.id, to_customer_id: v.to.id, credit_type: v.credit_type, amount: v.amount, justification: v.justification,
      }, { key });
    } catch (e) {
      const f = fielded(e, types, v.credit_type);
      if (f instanceof ApiError && f.errors.some((x) => ['amount', 'to_customer_id', 'credit_type', 'justification'].includes(x.field))) return { error: f };
      throw unfielded(e);
    }
  }, { submit: t('transfer.submit') });
}

// The whole task; resolves the transfer made, or null.
export async function transferCredits(from, types) {
  let values = {};
  let error = null;
  for (;;) {
    const v = await askTransfer(from, types, values, error);
    if (!v) return null;
    values = v;
    const done = await confirmTransfer(from, types, v);
    if (!done) return null;
    if (!done.error) return { ...done, to: v.to };
    error = done.error;
  }
}

// A dialog that picks one customer (for a task started away from a
// customer's page): resolves the customer (GET /customers/{id}) or null.
export function pickCustomer({ title, name = 'customer', label = t('admin.customer'), hint, required }) {
  const picker = customerPicker({ name, label, allLabel: '', hint });
  return dialog(title, [picker.el], async (v) => {
    need(v, [name], required);
    const c = await api.get(`customers/${encodeURIComponent(v[name])}`);
    rememberCustomer(c);
    return c;
  }, { submit: t('transfer.next') });
}

// The giver, for a transfer started on the transactions page.
export function pickGiver() {
  return pickCustomer({ title: t('transfer.title'), name: 'from_customer_id', label: t('transfer.from_customer'),
    hint: t('transfer.from_hint'), required: t('transfer.need_from') });
}

// What the page says after a transfer: both entries linked.
export function transferResult(tr, from, types) {
  const link = (customerId, entry, text) => h('a', {
    href: `#/admin/transactions?customer=${encodeURIComponent(customerId)}&kind=transfer`, dataset: { entry },
  }, text);
  const name = typeName(types, tr.credit_type);
  return h('div.notice.ok', { role: 'status' },
    h('p', t('transfer.done', {
      amount: amount(tr.amount), type: name, from: from.name, to: tr.to.name, id: tr.id,
      from_balance: amount(tr.from_balance_after), to_balance: amount(tr.to_balance_after),
    })),
    h('p', phrase('transfer.entries', {
      from: link(from.id, tr.from_journal_id, t('transfer.entry', { id: tr.from_journal_id, customer: from.name })),
      to: link(tr.to.id, tr.to_journal_id, t('transfer.entry', { id: tr.to_journal_id, customer: tr.to.name })),
    })));
}
