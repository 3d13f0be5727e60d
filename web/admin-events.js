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
import { EVENT_TYPES, eventName, deliveryBadge, CHANNELS } from './notify.js';
import { pageTitle } from './branding.js';

const T = {
  title: 'Event log',
  intro: 'What happened in the business, as mails and webhooks are told about it.',
  type: 'Event type', all: 'All types', apply: 'Show',
  clear: 'Show all types',
  caption: (type) => (type ? `${eventName(type)} events, newest first` : 'Events, newest first'),
  none: 'No events yet.',
  noneOfType: 'No events of this type yet.',
  when: 'When', event: 'Event', customer: 'Customer', details: 'Details', id: 'Id',
  back: 'Event log',
  deliveries: 'Deliveries',
  noDeliveries: 'No deliveries: nobody wants mail about it and no webhook endpoint subscribes to it.',
  notYet: 'Not sent out yet: the dispatcher turns the event into deliveries within seconds.',
  deliveriesCaption: 'Deliveries, first made first',
  channel: 'Channel', recipient: 'Recipient', status: 'Status', attempts: 'Attempts', lastError: 'Last error or reason',
  next: 'Next try', delivered: 'Delivered',
  payload: 'Payload',
  payloadHint: 'The body every delivery of this event carries.',
  moment: 'At the moment of the event',
  resend: 'Resend', resent: (id) => `Sent again as a new delivery (${id}).`,
  endpoint: 'endpoint',
};

// attrs {previous_status: "submitted", status: "in_progress"} → "previous status submitted, status in progress"
function attrsText(attrs) {
  const parts = Object.entries(attrs || {}).filter(([, v]) => v !== null && v !== '' && typeof v !== 'object')
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${String(v).replace(/_/g, ' ')}`);
  return parts.join(', ') || '–';
}

async function list(ctx) {
  const type = EVENT_TYPES.some(([t]) => t === ctx.query.type) ? ctx.query.type : '';
  const pick = select('type', [['', T.all], ...EVENT_TYPES.map(([t, name]) => [t, `${name} (${t})`])]);
  pick.value = type;
  const filters = form([field(T.type, pick)], (v) => {
    ctx.go(v.type ? `/admin/events?type=${encodeURIComponent(v.type)}` : '/admin/events');
  }, { submit: T.apply, cls: 'filters' });

  const events = pager((cursor) => api.get('events', { type, limit: 50, cursor }), async (items) => {
    await customersById(items.map((e) => e.customer_id));
    const t = table([
      { label: T.when, value: (e) => dateTime(e.created_at) },
      { label: T.event, value: (e) => h('div', h('a', { href: `#/admin/events/${e.id}` }, eventName(e.type)), h('p.hint', h('code', e.type), ` · ${e.id}`)) },
      { label: T.customer, value: (e) => customerLink(e.customer_id) },
      { label: T.details, value: (e) => attrsText(e.attrs) },
    ], items, { caption: T.caption(type), rowAttrs: (e) => ({ dataset: { event: e.id } }) });
    t.classList.add('stack');
    return t;
  }, { label: 'Event pages', none: type ? T.noneOfType : T.none });

  ctx.main.append(h('h1', T.title), h('p.sub', T.intro), filters,
    type ? h('p', h('a', { href: '#/admin/events' }, T.clear)) : null,
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
      status.say(T.resent(r.id));
    } catch (e) { status.fail(e); }
  }

  function deliveries() {
    if (ev.data === null && !ev.deliveries.length) return empty(T.notYet);
    if (!ev.deliveries.length) return empty(T.noDeliveries);
    const cols = [
      { label: T.channel, value: (d) => CHANNELS[d.channel] || d.channel },
      { label: T.recipient, value: (d) => (d.endpoint_id && admin
        ? h('a.addr', { href: `#/admin/webhooks/${d.endpoint_id}`, 'aria-label': `${d.recipient} (${T.endpoint})` }, d.recipient)
        : h('span.addr', d.recipient)) },
      { label: T.status, value: (d) => deliveryBadge(d.status) },
      { label: T.attempts, num: true, value: (d) => count(d.attempts) },
      { label: T.lastError, value: (d) => (d.last_error ? h('span.addr', d.last_error) : '–') },
      { label: T.delivered, value: (d) => (d.delivered_at ? dateTime(d.delivered_at) : d.next_attempt_at ? `${T.next} ${dateTime(d.next_attempt_at)}` : '–') },
    ];
    if (admin && ev.deliveries.some((d) => d.channel === 'webhook')) {
      cols.push({ label: T.resend, value: (d) => (d.channel === 'webhook'
        ? h('button', { type: 'button', 'aria-label': `${T.resend} ${d.id} to ${d.recipient}`, onclick: () => resend(d) }, T.resend) : '–') });
    }
    const t = table(cols, ev.deliveries, { caption: T.deliveriesCaption, rowAttrs: (d) => ({ dataset: { delivery: d.id } }) });
    t.classList.add('stack');
    return t;
  }

  function draw() {
    const payload = { id: ev.id, type: ev.type, created_at: ev.created_at, data: ev.data };
    clear(box,
      h('dl.facts',
        h('dt', T.id), h('dd', h('code', ev.id)),
        h('dt', T.event), h('dd', h('code', ev.type)),
        h('dt', T.when), h('dd', dateTime(ev.created_at)),
        h('dt', T.customer), h('dd', customerLink(ev.customer_id)),
        h('dt', T.moment), h('dd', attrsText(ev.attrs))),
      h('h2', T.deliveries),
      deliveries(),
      h('h2#payload-title', T.payload),
      h('p.hint', T.payloadHint),
      ev.data === null ? empty(T.notYet)
        : h('pre.payload', { tabindex: '0', role: 'region', 'aria-labelledby': 'payload-title' }, JSON.stringify(payload, null, 2)));
  }

  draw();
  pageTitle(`${eventName(ev.type)} ${ev.id}`);
  ctx.main.append(
    h('p.crumbs', h('a', { href: '#/admin/events' }, T.back)),
    h('h1', `${eventName(ev.type)} · ${ev.id}`),
    status.el, box);
}

export default async function render(ctx) {
  if (ctx.params.id) await detail(ctx);
  else await list(ctx);
}
