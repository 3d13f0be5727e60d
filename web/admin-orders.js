// The orders queue (#/admin/orders?status=…): waiting orders (submitted and
// in progress) first by default, or one status, or all; take an order
// (status → in_progress) straight from the list, or open it to work on it.
// GET /orders?status=&customer=, POST /orders/{id}/status.
import { api, newKey } from './api.js';
import { h, table, field, select, form } from './ui.js';
import { amount, dateTime, amountOf } from './fmt.js';
import { creditTypes, typeName, customersById, customerLink, customerPicker, pager, statusBadge, flash } from './admin-lib.js';

const VIEWS = [
  ['waiting', 'Waiting (submitted and in progress)', 'submitted,in_progress'],
  ['submitted', 'Submitted', 'submitted'],
  ['in_progress', 'In progress', 'in_progress'],
  ['completed', 'Completed', 'completed'],
  ['cancelled', 'Cancelled', 'cancelled'],
  ['all', 'All orders', ''],
];

export function vehicleText(v) {
  if (!v || typeof v !== 'object') return '–';
  const main = [v.make, v.model].filter(Boolean).join(' ');
  const rest = Object.entries(v).filter(([k]) => k !== 'make' && k !== 'model').map(([, x]) => x).filter(Boolean);
  return [main, ...rest].filter(Boolean).join(' · ') || '–';
}

export default async function render(ctx) {
  const types = await creditTypes();
  const view = VIEWS.find((x) => x[0] === ctx.query.status) || VIEWS[0];
  const customer = ctx.query.customer || '';
  const status = flash();

  const viewSelect = select('status', VIEWS.map(([k, label]) => [k, label]));
  viewSelect.value = view[0];
  const picker = customerPicker({ value: customer });
  const filters = form([field('Show', viewSelect), picker.el], (v) => {
    const qs = new URLSearchParams();
    if (v.status && v.status !== 'waiting') qs.set('status', v.status);
    if (v.customer) qs.set('customer', v.customer);
    ctx.go(`/admin/orders${qs.toString() ? `?${qs}` : ''}`);
  }, { submit: 'Show', cls: 'filters' });

  async function take(o, button) {
    button.disabled = true;
    try {
      await api.post(`orders/${o.id}/status`, { status: 'in_progress' }, { key: newKey() });
      await list.reload();
      status.say(`${o.reference} is in progress: it is yours.`);
    } catch (e) {
      button.disabled = false;
      status.fail(e);
    }
  }

  const list = pager((cursor) => api.get('orders', { status: view[2], customer, limit: 50, cursor }), async (items) => {
    await customersById(items.map((o) => o.customer_id));
    const t = table([
      { label: 'Order', value: (o) => h('a.nowrap', { href: `#/admin/orders/${o.id}` }, o.reference) },
      { label: 'Customer', value: (o) => customerLink(o.customer_id) },
      { label: 'Status', value: (o) => statusBadge(o.status) },
      { label: 'Vehicle', value: (o) => vehicleText(o.vehicle) },
      { label: 'Credits', num: true, value: (o) => `${amountOf(o.total, typeName(types, o.credit_type))}` },
      { label: 'Submitted', value: (o) => dateTime(o.created_at) },
      { label: 'By', value: (o) => o.created_by || '–' },
      {
        label: 'Actions',
        value: (o) => h('div.row-actions',
          o.status === 'submitted'
            ? h('button.primary', { type: 'button', 'aria-label': `Take ${o.reference}`, onclick: (ev) => take(o, ev.currentTarget) }, 'Take')
            : null,
          h('a.button', { href: `#/admin/orders/${o.id}`, 'aria-label': `Open ${o.reference}` }, 'Open')),
      },
    ], items, { caption: `${view[1]}, newest first` });
    t.classList.add('stack');
    return t;
  }, { label: 'Order pages', none: view[0] === 'waiting' ? 'No orders are waiting. Well done.' : 'No orders here.' });

  ctx.main.append(h('h1', 'Orders'), status.el, filters, list.el);
  await Promise.all([list.start(), picker.ready]);
}
