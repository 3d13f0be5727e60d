// Event log (#/admin/events?type=, staff and admins): the business events,
// newest first, a page at a time, filtered by type; and one event
// (#/admin/events/:id) with what became of each of its deliveries (mails
// and webhook posts: recipient, status, attempts, the last error or why it
// was skipped) and its payload as delivered. Admins can send a webhook
// delivery again. GET /events, GET /events/{id}, POST /deliveries/{id}/resend.
import { api, newKey } from './api.js';
import { h, clear, table, field, select, form, empty } from './ui.js';
import { dateTime, count } from './fmt.js';
import { customersById, customerLink, pager, flash } from './admin-lib.js';
import { EVENT_TYPES, eventName, deliveryBadge, channelName } from './notify.js';
import { t } from './i18n.js';
import { pageTitle } from './branding.js';

// The attributes of an event this page has words for (events.attr.<name>),
// and the values it has words for (events.value.<value>: statuses, kinds);
// others by their code.
const ATTRS = ['previous_status', 'status', 'reason', 'credit_type', 'refunded', 'entry', 'kind', 'amount',
  'balance_after', 'justification', 'actor', 'available', 'threshold', 'lot_id', 'lot_name', 'remaining',
  'expires_at', 'limit', 'url', 'error'];
const VALUES = ['submitted', 'in_progress', 'completed', 'cancelled', 'rejected', 'open', 'paid', 'void',
  'purchase', 'grant', 'order', 'refund', 'adjustment', 'expiry', 'deactivation', 'reactivation', 'transfer',
  'hold', 'capture', 'release'];
const CODED = ['previous_status', 'status', 'kind'];

// attrs {previous_status: "submitted", status: "in_progress"} → "previous status submitted, status in progress"
export function attrsText(attrs) {
  const parts = Object.entries(attrs || {}).filter(([, v]) => v !== null && v !== '' && typeof v !== 'object')
    .map(([k, v]) => {
      const name = ATTRS.includes(k) ? t(`events.attr.${k}`) : k.replace(/_/g, ' ');
      const value = CODED.includes(k) && VALUES.includes(v) ? t(`events.value.${v}`) : String(v).replace(/_/g, ' ');
      return t('events.attr', { name, value });
    });
  return parts.join(', ') || '–';
}

async function list(ctx) {
  const type = EVENT_TYPES.includes(ctx.query.type) ? ctx.query.type : '';
  const pick = select('type', [['', t('events.all')], ...EVENT_TYPES.map((x) => [x, `${eventName(x)} (${x})`])]);
  pick.value = type;
  const filters = form([field(t('events.type'), pick)], (v) => {
    ctx.go(v.type ? `/admin/events?type=${encodeURIComponent(v.type)}` : '/admin/events');
  }, { submit: t('events.apply'), cls: 'filters' });

  const events = pager((cursor) => api.get('events', { type, limit: 50, cursor }), async (items) => {
    await customersById(items.map((e) => e.customer_id));
    const list = table([
      { label: t('events.when'), value: (e) => dateTime(e.created_at) },
      { label: t('events.event'), value: (e) => h('div', h('a', { href: `#/admin/events/${e.id}` }, eventName(e.type)), h('p.hint', h('code', e.type), ` · ${e.id}`)) },
      { label: t('events.customer'), value: (e) => customerLink(e.customer_id) },
      { label: t('events.details'), value: (e) => attrsText(e.attrs) },
    ], items, { caption: type ? t('events.caption_type', { type: eventName(type) }) : t('events.caption'), rowAttrs: (e) => ({ dataset: { event: e.id } }) });
    list.classList.add('stack');
    return list;
  }, { label: t('events.pages'), none: type ? t('events.none_of_type') : t('events.none') });

  ctx.main.append(h('h1', t('app.page.events')), h('p.sub', t('events.intro')), filters,
    type ? h('p', h('a', { href: '#/admin/events' }, t('events.clear'))) : null,
    events.el);
  await events.start();
}

async function detail(ctx) {
  const id = ctx.params.id;
  const admin = ctx.me.role === 'admin';
  const status = flash();
  const box = h('div');
  let ev = await api.get(`events/${encodeURIComponent(id)}`);
  await customersById([ev.customer_id]);

  async function resend(d) {
    try {
      const r = await api.post(`deliveries/${d.id}/resend`, {}, { key: newKey() });
      ev = await api.get(`events/${encodeURIComponent(id)}`);
      draw();
      status.say(t('events.resent', { id: r.id }));
    } catch (e) { status.fail(e); }
  }

  function deliveries() {
    if (ev.data === null && !ev.deliveries.length) return empty(t('events.not_yet'));
    if (!ev.deliveries.length) return empty(t('events.no_deliveries'));
    const cols = [
      { label: t('events.channel'), value: (d) => channelName(d.channel) },
      { label: t('events.recipient'), value: (d) => (d.endpoint_id && admin
        ? h('a.addr', { href: `#/admin/webhooks/${d.endpoint_id}`, 'aria-label': t('events.endpoint_label', { recipient: d.recipient }) }, d.recipient)
        : h('span.addr', d.recipient)) },
      { label: t('events.status'), value: (d) => deliveryBadge(d.status) },
      { label: t('events.attempts'), num: true, value: (d) => count(d.attempts) },
      { label: t('events.last_error'), value: (d) => (d.last_error ? h('span.addr', d.last_error) : '–') },
      { label: t('events.delivered'), value: (d) => (d.delivered_at ? dateTime(d.delivered_at) : d.next_attempt_at ? t('events.next', { when: dateTime(d.next_attempt_at) }) : '–') },
    ];
    if (admin && ev.deliveries.some((d) => d.channel === 'webhook')) {
      cols.push({ label: t('events.resend'), value: (d) => (d.channel === 'webhook'
        ? h('button', { type: 'button', 'aria-label': t('events.resend_label', { id: d.id, recipient: d.recipient }), onclick: () => resend(d) }, t('events.resend')) : '–') });
    }
    const list = table(cols, ev.deliveries, { caption: t('events.deliveries_caption'), rowAttrs: (d) => ({ dataset: { delivery: d.id } }) });
    list.classList.add('stack');
    return list;
  }

  function draw() {
    const payload = { id: ev.id, type: ev.type, created_at: ev.created_at, data: ev.data };
    clear(box,
      h('dl.facts',
        h('dt', t('events.id')), h('dd', h('code', ev.id)),
        h('dt', t('events.event')), h('dd', h('code', ev.type)),
        h('dt', t('events.when')), h('dd', dateTime(ev.created_at)),
        h('dt', t('events.customer')), h('dd', customerLink(ev.customer_id)),
        h('dt', t('events.moment')), h('dd', attrsText(ev.attrs))),
      h('h2', t('events.deliveries')),
      deliveries(),
      h('h2#payload-title', t('events.payload')),
      h('p.hint', t('events.payload_hint')),
      ev.data === null ? empty(t('events.not_yet'))
        : h('pre.payload', { tabindex: '0', role: 'region', 'aria-labelledby': 'payload-title' }, JSON.stringify(payload, null, 2)));
  }

  draw();
  pageTitle(`${eventName(ev.type)} ${ev.id}`);
  ctx.main.append(
    h('p.crumbs', h('a', { href: '#/admin/events' }, t('app.page.events'))),
    h('h1', `${eventName(ev.type)} · ${ev.id}`),
    status.el, box);
}

export default async function render(ctx) {
  if (ctx.params.id) await detail(ctx);
  else await list(ctx);
}
