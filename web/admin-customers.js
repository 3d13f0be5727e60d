// Customers (#/admin/customers?q=…): search by name or e-mail with each
// customer's balance per credit type, a page at a time; add a customer.
// GET /customers?q=&limit=&cursor=, POST /customers.
import { api, newKey } from './api.js';
import { h, table, field, input, form, dialog } from './ui.js';
import { amount, date, cmp } from './fmt.js';
import { creditTypes, pager, rememberCustomer, need, flash } from './admin-lib.js';

function balanceCell(b) {
  if (!b) return '–';
  const held = cmp(b.held, '0') > 0;
  return h('span', amount(b.balance), held ? h('span.hint', ` (${amount(b.available)} available)`) : null);
}

export default async function render(ctx) {
  const types = await creditTypes();
  const q = ctx.query.q || '';
  const status = flash();
  const search = input('q', { type: 'search', value: q, autocomplete: 'off', placeholder: 'Name or e-mail' });
  const searchForm = form([field('Search customers', search)], (v) => {
    ctx.go(v.q ? `/admin/customers?q=${encodeURIComponent(v.q)}` : '/admin/customers');
  }, { submit: 'Search', cls: 'filters' });

  const list = pager((cursor) => api.get('customers', { q, limit: 50, cursor }), (items) => {
    items.forEach(rememberCustomer);
    const t = table([
      { label: 'Customer', value: (c) => h('a', { href: `#/admin/customers/${c.id}` }, c.name) },
      { label: 'E-mail', value: (c) => c.email || '–' },
      { label: 'Country', value: (c) => c.country || '–' },
      ...types.items.map((t) => ({ label: t.name, num: true, value: (c) => balanceCell(c.balances?.[t.code]) })),
      { label: 'Since', value: (c) => date(c.created_at) },
    ], items, { caption: q ? `Customers matching “${q}”` : 'All customers' });
    t.classList.add('stack');
    return t;
  }, { label: 'Customer pages', none: q ? `No customer matches “${q}”.` : 'No customers yet.' });

  async function add() {
    const key = newKey();
    const done = await dialog('Add a customer', [
      field('Business name', input('name', { autocomplete: 'off' })),
      field('E-mail', input('email', { type: 'email', autocomplete: 'off' })),
      field('VAT ID', input('vat_id', { autocomplete: 'off', maxlength: 32 })),
      field('Country', input('country', { autocomplete: 'off', maxlength: 2, placeholder: 'DE' }), 'ISO code, two letters.'),
    ], (v) => {
      need(v, ['name']);
      const body = { name: v.name.trim() };
      for (const k of ['email', 'vat_id']) if (v[k]) body[k] = v[k].trim();
      if (v.country) body.country = v.country.trim().toUpperCase();
      return api.post('customers', body, { key });
    }, { submit: 'Add customer' });
    if (done) { rememberCustomer(done); ctx.go(`/admin/customers/${done.id}`); }
  }

  ctx.main.append(
    h('h1', 'Customers'),
    status.el,
    h('div.toolbar', h('button.primary', { type: 'button', onclick: add }, 'Add customer')),
    searchForm,
    list.el);
  await list.start();
}
