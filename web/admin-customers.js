// Customers (#/admin/customers?q=…&status=…): search by name or e-mail with
// each customer's balance per credit type, a page at a time, or only the
// sign-ups waiting for approval (or rejected); add a customer; add credits
// to a customer found with the picker (admin-lot-dialogs.js).
// GET /customers?q=&status=&limit=&cursor=, POST /customers, POST /customers/{id}/lots.
import { api, newKey } from './api.js';
import { h, clear, table, field, input, select, textarea, form, dialog, badge } from './ui.js';
import { amount, date, cmp } from './fmt.js';
import { creditTypes, typeName, pager, rememberCustomer, need, flash, phrase } from './admin-lib.js';
import { t } from './i18n.js';
import { pickCustomer } from './admin-transfer.js';
import { addCreditsDialog } from './admin-lot-dialogs.js';
import { mailLanguages } from './notify.js';

const signUps = () => [['', t('customer.all')], ['pending', t('customer.waiting')], ['rejected', t('customer.rejected_sign_ups')]];
// A sign-up's badge: its words and tone.
export const SIGN_UP = { pending: ['customer.waiting', 'warn'], rejected: ['customer.rejected', 'bad'] };
export function signUpBadge(status) {
  const [key, tone] = SIGN_UP[status] || [null, ''];
  return badge(key ? t(key) : status, tone);
}

function balanceCell(b) {
  if (!b) return '–';
  const held = cmp(b.held, '0') > 0;
  return h('span', amount(b.balance), held ? h('span.hint', ` ${t('customer.available_paren', { amount: amount(b.available) })}`) : null);
}

export default async function render(ctx) {
  const types = await creditTypes();
  const q = ctx.query.q || '';
  const only = SIGN_UP[ctx.query.status] ? ctx.query.status : '';
  const status = flash();
  const search = input('q', { type: 'search', value: q, autocomplete: 'off', placeholder: t('customer.name_or_email') });
  const which = select('status', signUps());
  which.value = only;
  const searchForm = form([field(t('customer.search'), search), field(t('customer.show'), which)], (v) => {
    const qs = new URLSearchParams();
    if (v.q) qs.set('q', v.q);
    if (v.status) qs.set('status', v.status);
    ctx.go(`/admin/customers${qs.toString() ? `?${qs}` : ''}`);
  }, { submit: t('customer.search_button'), cls: 'filters' });

  const list = pager((cursor) => api.get('customers', { q, status: only, limit: 50, cursor }), (items) => {
    items.forEach(rememberCustomer);
    const list = table([
      {
        label: t('customer.customer'),
        value: (c) => h('div', h('a', { href: `#/admin/customers/${c.id}` }, c.name),
          SIGN_UP[c.status] ? [' ', signUpBadge(c.status)] : null),
      },
      { label: t('customer.email'), value: (c) => c.email || '–' },
      { label: t('customer.country'), value: (c) => c.country || '–' },
      ...types.items.map((x) => ({ label: x.name, num: true, value: (c) => balanceCell(c.balances?.[x.code]) })),
      { label: t('customer.since'), value: (c) => date(c.created_at) },
    ], items, { caption: q ? t('customer.matching', { q }) : (signUps().find(([k]) => k === only)?.[1] || t('customer.all')) });
    list.classList.add('stack');
    return list;
  }, { label: t('customer.pages'), none: q ? t('customer.none_matches', { q }) : only ? t('customer.none') : t('customer.none_yet') });

  async function add() {
    const key = newKey();
    const done = await dialog(t('customer.add_title'), [
      field(t('customer.business_name'), input('name', { autocomplete: 'off' })),
      field(t('customer.email'), input('email', { type: 'email', autocomplete: 'off' })),
      field(t('customer.vat_id'), input('vat_id', { autocomplete: 'off', maxlength: 32 })),
      field(t('customer.address'), textarea('address', { rows: 4, maxlength: 500 }), t('customer.address_hint')),
      field(t('customer.country'), input('country', { autocomplete: 'off', maxlength: 2, placeholder: 'DE' }), t('customer.country_hint')),
      field(t('customer.mail_language_label'), select('language', mailLanguages()), t('customer.mail_language_hint')),
    ], (v) => {
      need(v, ['name']);
      const body = { name: v.name.trim() };
      if (v.language) body.language = v.language;
      for (const k of ['email', 'vat_id', 'address']) if (v[k]) body[k] = v[k].trim();
      if (v.country) body.country = v.country.trim().toUpperCase();
      return api.post('customers', body, { key });
    }, { submit: t('customer.add') });
    if (done) { rememberCustomer(done); ctx.go(`/admin/customers/${done.id}`); }
  }

  async function addCredits() {
    const c = await pickCustomer({ title: t('customer.add_credits_which'), hint: t('customer.add_credits_hint'), required: t('customer.add_credits_required') });
    if (!c) return;
    const done = await addCreditsDialog(c.id, types, c.name);
    if (!done) return;
    await list.reload();
    clear(status.el, h('div.notice.ok', { role: 'status' }, phrase('customer.credits_added_to', {
      amount: amount(done.original), type: typeName(types, done.credit_type), lot: done.id,
      customer: h('a', { href: `#/admin/customers/${encodeURIComponent(c.id)}` }, c.name),
    })));
    status.el.focus();
  }

  ctx.main.append(
    h('h1', t('app.page.customers')),
    status.el,
    h('div.toolbar', h('button.primary', { type: 'button', onclick: add }, t('customer.add')),
      h('button', { type: 'button', onclick: addCredits }, t('customer.add_credits'))),
    searchForm,
    list.el);
  await list.start();
}
