// The orders queue (#/admin/orders?status=…): waiting orders (submitted and
// in progress) first by default, or one status, or all; take an order
// (status → in_progress) straight from the list, or open it to work on it.
// GET /orders?status=&customer=, POST /orders/{id}/status.
import { api, newKey } from './api.js';
import { h, table, field, select, form } from './ui.js';
import { dateTime, amountOf, statusLabel } from './fmt.js';
import { creditTypes, typeName, customersById, customerLink, customerPicker, pager, statusBadge, flash } from './admin-lib.js';
import { t } from './i18n.js';

// [view, its name, the statuses it asks for, the list's caption], in the
// language of now.
const VIEWS = () => [
  ['waiting', t('adminorder.view_waiting'), 'submitted,in_progress', t('adminorder.caption_waiting')],
  ['submitted', statusLabel('submitted'), 'submitted', t('adminorder.caption_submitted')],
  ['in_progress', statusLabel('in_progress'), 'in_progress', t('adminorder.caption_in_progress')],
  ['completed', statusLabel('completed'), 'completed', t('adminorder.caption_completed')],
  ['cancelled', statusLabel('cancelled'), 'cancelled', t('adminorder.caption_cancelled')],
  ['all', t('adminorder.view_all'), '', t('adminorder.caption_all')],
];

export function vehicleText(v) {
  if (!v || typeof v !== 'object') return '–';
  const main = [v.make, v.model].filter(Boolean).join(' ');
  const rest = Object.entries(v).filter(([k]) => k !== 'make' && k !== 'model').map(([, x]) => x).filter(Boolean);
  return [main, ...rest].filter(Boolean).join(' · ') || '–';
}

export default async function render(ctx) {
  const types = await creditTypes();
  const views = VIEWS();
  const view = views.find((x) => x[0] === ctx.query.status) || views[0];
  const customer = ctx.query.customer || '';
  const status = flash();

  const viewSelect = select('status', views.map(([k, label]) => [k, label]));
  viewSelect.value = view[0];
  const picker = customerPicker({ value: customer, label: t('adminorder.customer'), allLabel: t('adminorder.all_customers') });
  const filters = form([field(t('adminorder.show'), viewSelect), picker.el], (v) => {
    const qs = new URLSearchParams();
    if (v.status && v.status !== 'waiting') qs.set('status', v.status);
    if (v.customer) qs.set('customer', v.customer);
    ctx.go(`/admin/orders${qs.toString() ? `?${qs}` : ''}`);
  }, { submit: t('adminorder.show'), cls: 'filters' });

  async function take(o, button) {
    button.disabled = true;
    try {
      await api.post(`orders/${o.id}/status`, { status: 'in_progress' }, { key: newKey() });
      await list.reload();
      status.say(t('adminorder.taken', { reference: o.reference }));
    } catch (e) {
      button.disabled = false;
      status.fail(e);
    }
  }

  const list = pager((cursor) => api.get('orders', { status: view[2], customer, limit: 50, cursor }), async (items) => {
    await customersById(items.map((o) => o.customer_id));
    const rows = table([
      { label: t('adminorder.col_order'), value: (o) => h('a.nowrap', { href: `#/admin/orders/${o.id}` }, o.reference) },
      { label: t('adminorder.customer'), value: (o) => customerLink(o.customer_id) },
      { label: t('adminorder.col_status'), value: (o) => statusBadge(o.status) },
      { label: t('adminorder.col_vehicle'), value: (o) => vehicleText(o.vehicle) },
      { label: t('adminorder.col_credits'), num: true, value: (o) => `${amountOf(o.total, typeName(types, o.credit_type))}` },
      { label: t('adminorder.col_submitted'), value: (o) => dateTime(o.created_at) },
      { label: t('adminorder.col_by'), value: (o) => o.created_by || '–' },
      {
        label: t('adminorder.col_actions'),
        value: (o) => h('div.row-actions',
          o.status === 'submitted'
            ? h('button.primary', { type: 'button', 'aria-label': t('adminorder.take_label', { reference: o.reference }), onclick: (ev) => take(o, ev.currentTarget) }, t('adminorder.take'))
            : null,
          h('a.button', { href: `#/admin/orders/${o.id}`, 'aria-label': t('adminorder.open_label', { reference: o.reference }) }, t('adminorder.open'))),
      },
    ], items, { caption: view[3] });
    rows.classList.add('stack');
    return rows;
  }, { label: t('adminorder.pages'), none: view[0] === 'waiting' ? t('adminorder.none_waiting') : t('adminorder.none') });

  ctx.main.append(h('h1', t('app.page.admin_orders')), status.el, filters, list.el);
  await Promise.all([list.start(), picker.ready]);
}
