// My orders (GET /orders): newest first, with reference, date, vehicle,
// credits, status and who placed it; "Load more" follows next_cursor.
import { api } from './api.js';
import { amount, money, dateTime, amountOf } from './fmt.js';
import { h, clear, table, empty } from './ui.js';
import { creditTypes, typeName, statusBadge, pager } from './customer.js';
import { t } from './i18n.js';

const PAGE = 20;

export default async function render(ctx) {
  const { main } = ctx;
  const [first, types] = await Promise.all([api.get('orders', { limit: PAGE }), creditTypes()]);
  const credits = (o) => (types.get(o.credit_type)?.kind === 'monetary'
    ? money(o.total) : `${amountOf(o.total, typeName(types, o.credit_type))}`);
  const vehicle = (o) => [o.vehicle?.make, o.vehicle?.model, o.vehicle?.ecu].filter(Boolean).join(' · ') || '–';
  // The services of each order (the list has no lines: each order is read).
  const services = new Map();
  const withServices = async (items) => {
    await Promise.all(items.filter((o) => !services.has(o.id)).map(async (o) => {
      try {
        services.set(o.id, (await api.get(`orders/${encodeURIComponent(o.id)}`)).lines.map((l) => l.name).join(' + '));
      } catch { /* shown without */ }
    }));
    return items;
  };
  const columns = [
    { label: t('order.col_order'), value: (o) => h('a', { href: `#/orders/${encodeURIComponent(o.id)}` }, o.reference) },
    { label: t('order.col_date'), value: (o) => dateTime(o.created_at) },
    { label: t('order.col_services'), value: (o) => services.get(o.id) || '–' },
    { label: t('order.vehicle'), value: vehicle },
    { label: t('order.col_credits'), num: true, value: credits },
    { label: t('order.col_status'), value: (o) => statusBadge(o.status) },
    { label: t('order.col_by'), value: (o) => o.created_by || '–' },
  ];
  const top = [h('h1', t('app.page.orders')), h('div.toolbar', h('a.button.primary', { href: '#/orders/new' }, t('app.page.order_new')))];
  if (!first.items.length) {
    clear(main, top, empty(t('order.none'), h('p', h('a', { href: '#/orders/new' }, t('order.place_first')))));
    return;
  }
  // A page at a time (Newer / Older); the first page is the one just read.
  let firstPage = first;
  const list = pager(async (cursor) => {
    const page = !cursor && firstPage ? firstPage : await api.get('orders', { limit: PAGE, cursor });
    firstPage = null;
    await withServices(page.items);
    return page;
  }, (items) => {
    const list = table(columns, items, { caption: t('order.list_caption') });
    list.classList.add('stack');
    return list;
  }, { label: t('order.pages'), none: t('order.none') });
  clear(main, top, list.el);
  await list.start();
}
