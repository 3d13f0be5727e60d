// Customers (#/admin/customers?q=…&status=…): search by name or e-mail with
// each customer's balance per credit type, a page at a time, or only the
// sign-ups waiting for approval (or rejected); add a customer; add credits
// to a customer found with the picker (admin-lot-dialogs.js).
// GET /customers?q=&status=&limit=&cursor=, POST /customers, POST /customers/{id}/lots.
import { api, newKey } from './api.js';
import { h, clear, table, field, input, select, textarea, form, dialog, badge } from './ui.js';
import { amount, date, cmp } from './fmt.js';
import { creditTypes, typeName, pager, rememberCustomer, need, flash } from './admin-lib.js';
import { pickCustomer } from './admin-transfer.js';
import { addCreditsDialog } from './admin-lot-dialogs.js';

const SIGN_UPS = [['', 'All customers'], ['pending', 'Waiting for approval'], ['rejected', 'Rejected sign-ups']];
const SIGN_UP = { pending: ['Waiting for approval', 'warn'], rejected: ['Rejected', 'bad'] };

function balanceCell(b) {
  if (!b) return '–';
  const held = cmp(b.held, '0') > 0;
  return h('span', amount(b.balance), held ? h('span.hint', ` (${amount(b.available)} available)`) : null);
}

export default async function render(ctx) {
  const types = await creditTypes();
  const q = ctx.query.q || '';
  const only = SIGN_UP[ctx.query.status] ? ctx.query.status : '';
  const status = flash();
  const search = input('q', { type: 'search', value: q, autocomplete: 'off', placeholder: 'Name or e-mail' });
  const which = select('status', SIGN_UPS);
  which.value = only;
  const searchForm = form([field('Search customers', search), field('Show', which)], (v) => {
    const qs = new URLSearchParams();
    if (v.q) qs.set('q', v.q);
    if (v.status) qs.set('status', v.status);
    ctx.go(`/admin/customers${qs.toString() ? `?${qs}` : ''}`);
  }, { submit: 'Search', cls: 'filters' });

  const list = pager((cursor) => api.get('customers', { q, status: only, limit: 50, cursor }), (items) => {
    items.forEach(rememberCustomer);
    const t = table([
      {
        label: 'Customer',
        value: (c) => h('div', h('a', { href: `#/admin/customers/${c.id}` }, c.name),
          SIGN_UP[c.status] ? [' ', badge(...SIGN_UP[c.status])] : null),
      },
      { label: 'E-mail', value: (c) => c.email || '–' },
      { label: 'Country', value: (c) => c.country || '–' },
      ...types.items.map((t) => ({ label: t.name, num: true, value: (c) => balanceCell(c.balances?.[t.code]) })),
      { label: 'Since', value: (c) => date(c.created_at) },
    ], items, { caption: q ? `Customers matching “${q}”` : (SIGN_UPS.find(([k]) => k === only)?.[1] || 'All customers') });
    t.classList.add('stack');
    return t;
  }, { label: 'Customer pages', none: q ? `No customer matches “${q}”.` : only ? 'None.' : 'No customers yet.' });

  async function add() {
    const key = newKey();
    const done = await dialog('Add a customer', [
      field('Business name', input('name', { autocomplete: 'off' })),
      field('E-mail', input('email', { type: 'email', autocomplete: 'off' })),
      field('VAT ID', input('vat_id', { autocomplete: 'off', maxlength: 32 })),
      field('Billing address', textarea('address', { rows: 4, maxlength: 500 }), 'Printed on invoices; up to six lines.'),
      field('Country', input('country', { autocomplete: 'off', maxlength: 2, placeholder: 'DE' }), 'ISO code, two letters.'),
    ], (v) => {
      need(v, ['name']);
      const body = { name: v.name.trim() };
      for (const k of ['email', 'vat_id', 'address']) if (v[k]) body[k] = v[k].trim();
      if (v.country) body.country = v.country.trim().toUpperCase();
      return api.post('customers', body, { key });
    }, { submit: 'Add customer' });
    if (done) { rememberCustomer(done); ctx.go(`/admin/customers/${done.id}`); }
  }

  async function addCredits() {
    const c = await pickCustomer({ title: 'Add credits: which customer?', hint: 'Search by name or e-mail.', required: 'choose the customer who gets the credits' });
    if (!c) return;
    const done = await addCreditsDialog(c.id, types, c.name);
    if (!done) return;
    await list.reload();
    clear(status.el, h('div.notice.ok', { role: 'status' }, `${amount(done.original)} ${typeName(types, done.credit_type)} added to `,
      h('a', { href: `#/admin/customers/${encodeURIComponent(c.id)}` }, c.name), ` as ${done.id}.`));
    status.el.focus();
  }

  ctx.main.append(
    h('h1', 'Customers'),
    status.el,
    h('div.toolbar', h('button.primary', { type: 'button', onclick: add }, 'Add customer'),
      h('button', { type: 'button', onclick: addCredits }, 'Add credits')),
    searchForm,
    list.el);
  await list.start();
}
