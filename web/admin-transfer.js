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
import { customerPicker, typeName, need, rememberCustomer } from './admin-lib.js';

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
  return `Only ${amount(p.available)} ${typeName(types, code)} can be moved: ${amount(p.shortfall)} short.`;
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
  const picker = customerPicker({ name: 'to_customer_id', label: 'To customer', value: values.to?.id || '', allLabel: '',
    hint: 'Search by name or e-mail: every customer, not only the first page.', exclude: () => from.id });
  const type = select('credit_type', types.items.map((t) => [t.code, t.name]));
  type.value = values.credit_type || types.items[0]?.code;
  const have = h('p.hint', { id: 'transfer-have' });
  const showHave = () => {
    have.textContent = `${from.name} has ${amount(availableOf(from, type.value))} ${typeName(types, type.value)} available.`;
  };
  type.addEventListener('change', showHave);
  showHave();
  const amountBox = input('amount', { inputmode: 'decimal', autocomplete: 'off', value: values.amount || '' });
  const why = textarea('justification', { rows: 2, value: values.justification || '' });
  const p = dialog(`Transfer credits from ${from.name}`, [
    picker.el,
    field('Credit type', type),
    have,
    field('Credits', amountBox),
    field('Justification', why, 'Why, for the audit trail: both customers see it in their ledger.'),
  ], async (v) => {
    need(v, ['to_customer_id'], 'choose the customer who receives the credits');
    need(v, ['amount', 'justification']);
    const to = await api.get(`customers/${encodeURIComponent(v.to_customer_id)}`);
    rememberCustomer(to);
    const t = types.byCode[v.credit_type];
    if (!/^\d+(\.\d+)?$/.test(v.amount.trim())) {
      throw new ApiError(422, { code: 'validation_failed', errors: [{ field: 'amount', message: 'must be a positive number' }] });
    }
    const frac = v.amount.trim().split('.')[1] || '';
    if (frac.length > t.scale) {
      throw new ApiError(422, { code: 'validation_failed', errors: [{ field: 'amount', message: t.scale ? `at most ${t.scale} decimals` : 'must be a whole number' }] });
    }
    return { to, credit_type: v.credit_type, amount: v.amount.trim(), justification: v.justification.trim() };
  }, { submit: 'Review transfer' });
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
  const t = types.byCode[v.credit_type];
  const name = typeName(types, v.credit_type);
  const key = newKey();
  const row = (c, sign) => h('tr',
    h('th', { scope: 'row' }, c.name),
    h('td.num', amount(balanceOf(c, v.credit_type))),
    h('td.num', `${sign < 0 ? '−' : '+'}${amount(v.amount)}`),
    h('td.num', h('strong', amount(addDecimal(balanceOf(c, v.credit_type), v.amount, t.scale, sign)))));
  return dialog('Confirm the transfer', [
    h('p', `Move ${amount(v.amount)} ${name} from ${from.name} to ${v.to.name}.`),
    h('div.table-wrap.transfer-after', { tabindex: '0', role: 'region', 'aria-label': 'Balances after the transfer' },
      h('table',
        h('caption', `Balances of ${name}`),
        h('thead', h('tr', h('th', { scope: 'col' }, 'Customer'), h('th.num', { scope: 'col' }, 'Now'),
          h('th.num', { scope: 'col' }, 'Change'), h('th.num', { scope: 'col' }, 'After'))),
        h('tbody', row(from, -1), row(v.to, 1)))),
    h('p', h('strong', 'Justification: '), v.justification),
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
  }, { submit: 'Transfer' });
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
export function pickCustomer({ title, name = 'customer', label = 'Customer', hint, required }) {
  const picker = customerPicker({ name, label, allLabel: '', hint });
  return dialog(title, [picker.el], async (v) => {
    need(v, [name], required);
    const c = await api.get(`customers/${encodeURIComponent(v[name])}`);
    rememberCustomer(c);
    return c;
  }, { submit: 'Next' });
}

// The giver, for a transfer started on the transactions page.
export function pickGiver() {
  return pickCustomer({ title: 'Transfer credits', name: 'from_customer_id', label: 'From customer',
    hint: 'Search by name or e-mail: the customer who gives the credits.', required: 'choose the customer who gives the credits' });
}

// What the page says after a transfer: both entries linked.
export function transferResult(t, from, types) {
  const link = (customerId, entry, text) => h('a', {
    href: `#/admin/transactions?customer=${encodeURIComponent(customerId)}&kind=transfer`, dataset: { entry },
  }, text);
  const name = typeName(types, t.credit_type);
  return h('div.notice.ok', { role: 'status' },
    h('p', `Transferred ${amount(t.amount)} ${name} from ${from.name} to ${t.to.name} (${t.id}). `,
      `${from.name} now has ${amount(t.from_balance_after)}, ${t.to.name} ${amount(t.to_balance_after)}.`),
    h('p', 'Ledger entries: ', link(from.id, t.from_journal_id, `${t.from_journal_id} (${from.name})`), ', ',
      link(t.to.id, t.to_journal_id, `${t.to_journal_id} (${t.to.name})`), '.'));
}
