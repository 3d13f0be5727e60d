// Webhooks (#/admin/webhooks, admins only): the endpoints creditd posts
// events to, adding one (its signing secret is shown once), and per endpoint
// editing, switching off and on, a new secret (shown once), deleting; and
// one endpoint (#/admin/webhooks/:id) with its delivery log, a page at a
// time, where a delivery can be sent again.
// GET/POST /webhook-endpoints, GET/PATCH/DELETE /webhook-endpoints/{id},
// POST /webhook-endpoints/{id}/rotate-secret, GET
// /webhook-endpoints/{id}/deliveries, POST /deliveries/{id}/resend.
import { api, newKey } from './api.js';
import { h, clear, table, field, input, textarea, form, dialog, empty, badge, secretBox } from './ui.js';
import { dateTime, count } from './fmt.js';
import { pager, flash, need } from './admin-lib.js';
import { EVENT_TYPES, eventName, eventChoices, chosenEvents, deliveryBadge } from './notify.js';

const T = {
  title: 'Webhooks',
  intro: 'creditd posts each event to the endpoints that want it, signed with the endpoint’s secret (the Creditd-Signature header; see the API documentation).',
  add: 'Add an endpoint',
  url: 'URL', urlHint: 'https:// address of your receiver.',
  events: 'Events to send', eventsHint: 'Tick the events this endpoint receives.',
  description: 'Description', descriptionHint: 'A note for your team, e.g. what receives it.',
  create: 'Add endpoint',
  none: 'No endpoints yet: events reach nobody by webhook.',
  caption: 'Endpoints, oldest first',
  every: 'Every event',
  enabled: 'Enabled', disabled: 'Disabled',
  failing: 'Failing since', status: 'Status', actions: 'Actions', created: 'Added',
  secretTitle: (url) => `Signing secret of ${url}`,
  secretHint: 'Keep it in your receiver’s configuration; it checks each post’s Creditd-Signature with it.',
  added: (url) => `Endpoint ${url} added.`,
  edit: 'Edit', save: 'Save endpoint', saved: (url) => `Endpoint ${url} saved.`,
  disable: 'Disable', enable: 'Enable',
  nowDisabled: (url) => `${url} is disabled: it receives nothing until enabled.`,
  nowEnabled: (url) => `${url} is enabled again.`,
  rotate: 'New secret', rotateTitle: (url) => `A new secret for ${url}`,
  rotateText: 'The current secret stops signing at once: every post from now on, retries too, is signed with the new one. Update the receiver first, or let it accept both for a moment.',
  rotated: (url) => `${url} has a new secret.`,
  del: 'Delete', delTitle: (url) => `Delete ${url}?`,
  delText: 'Its pending deliveries are skipped; deliveries already made stay in the event log.',
  deleted: (url) => `Endpoint ${url} deleted.`,
  open: 'Delivery log',
  back: 'Webhooks',
  endpoint: 'Webhook endpoint',
  log: 'Delivery log',
  logCaption: 'Delivery attempts, newest first',
  noLog: 'Nothing was sent to this endpoint yet.',
  when: 'When', event: 'Event', http: 'HTTP status', duration: 'Duration', outcome: 'Outcome',
  response: 'Response', error: 'Error',
  resend: 'Resend', resent: (id) => `Sent again as a new delivery (${id}); its attempt appears here once made.`,
  noAnswer: 'no answer',
  ms: (n) => `${count(n)} ms`,
};

function endpointFields(ep = {}) {
  return [
    field(T.url, input('url', { type: 'url', value: ep.url || '', autocomplete: 'off', placeholder: 'https://example.com/hooks/creditd' }), T.urlHint),
    eventChoices('events', T.events, EVENT_TYPES.map(([t]) => t), { all: true, checked: ep.events || [], hint: T.eventsHint }),
    field(T.description, textarea('description', { rows: 2, value: ep.description || '' }), T.descriptionHint),
  ];
}

function bodyOf(v) {
  need(v, ['url']);
  return { url: v.url.trim(), events: chosenEvents(v, 'events'), description: (v.description || '').trim() };
}

function eventsText(ep) {
  return ep.events.includes('*') ? T.every : ep.events.map(eventName).join(', ');
}

function statusOf(ep) {
  return ep.disabled
    ? [badge(T.disabled, 'bad'), ep.disabled_reason ? h('p.hint', ep.disabled_reason) : null]
    : badge(T.enabled, 'good');
}

// The actions on one endpoint; after(text, changed endpoint or null when
// deleted, secret or null) redraws and tells.
function actions(ep, status, after) {
  const b = (text, fn, cls = '') => h(`button${cls}`, { type: 'button', 'aria-label': `${text} ${ep.url}`, onclick: fn }, text);

  async function edit() {
    const key = newKey();
    const done = await dialog(`${T.edit} ${ep.url}`, endpointFields(ep),
      (v) => api.patch(`webhook-endpoints/${ep.id}`, bodyOf(v), { key }), { submit: T.save });
    if (done) await after(T.saved(done.url), done);
  }
  async function toggle() {
    try {
      const done = await api.patch(`webhook-endpoints/${ep.id}`, { disabled: !ep.disabled }, { key: newKey() });
      await after(done.disabled ? T.nowDisabled(done.url) : T.nowEnabled(done.url), done);
    } catch (e) { status.fail(e); }
  }
  async function rotate() {
    const key = newKey();
    const done = await dialog(T.rotateTitle(ep.url), [h('p', T.rotateText)],
      () => api.post(`webhook-endpoints/${ep.id}/rotate-secret`, {}, { key }), { submit: T.rotate });
    if (done) await after(T.rotated(done.url), done, done.secret);
  }
  async function remove() {
    const done = await dialog(T.delTitle(ep.url), [h('p', T.delText)],
      () => api.del(`webhook-endpoints/${ep.id}`).then(() => true), { submit: T.del });
    if (done) await after(T.deleted(ep.url), null);
  }
  return [
    b(T.edit, edit),
    b(ep.disabled ? T.enable : T.disable, toggle),
    b(T.rotate, rotate),
    b(T.del, remove, '.danger'),
  ];
}

async function list(ctx) {
  const status = flash();
  const secretPlace = h('div.secret-place');
  const listBox = h('div');
  let endpoints = (await api.get('webhook-endpoints')).items;

  function showSecret(url, secret) {
    const box = secretBox(T.secretTitle(url), secret, { hint: T.secretHint });
    clear(secretPlace, box);
    box.focus();
  }

  function draw() {
    if (!endpoints.length) { clear(listBox, empty(T.none)); return; }
    const t = table([
      { label: T.url, value: (ep) => h('div', h('a.addr', { href: `#/admin/webhooks/${ep.id}` }, ep.url), ep.description ? h('p.hint', ep.description) : null) },
      { label: T.events, value: eventsText },
      { label: T.status, value: statusOf },
      { label: T.failing, value: (ep) => (ep.failing_since ? dateTime(ep.failing_since) : '–') },
      { label: T.actions, value: (ep) => h('div.row-actions', actions(ep, status, async (text, changed, secret) => {
        endpoints = (await api.get('webhook-endpoints')).items;
        draw();
        if (secret) showSecret(changed.url, secret); else { clear(secretPlace); status.say(text); }
      })) },
    ], endpoints, { caption: T.caption, rowAttrs: (ep) => ({ dataset: { endpoint: ep.id } }) });
    t.classList.add('stack');
    clear(listBox, t);
  }

  let key = newKey();
  const add = form(endpointFields(), async (v, f) => {
    const ep = await api.post('webhook-endpoints', bodyOf(v), { key });
    key = newKey();
    f.reset();
    for (const i of f.querySelectorAll('.choice-grid input')) i.disabled = false;
    endpoints = (await api.get('webhook-endpoints')).items;
    draw();
    status.clear();
    showSecret(ep.url, ep.secret);
  }, { submit: T.create, cls: 'endpoint-form' });

  draw();
  ctx.main.append(
    h('h1', T.title),
    h('p.sub', T.intro),
    status.el,
    secretPlace,
    listBox,
    h('h2', T.add),
    add);
}

async function detail(ctx) {
  const id = ctx.params.id;
  let ep = await api.get(`webhook-endpoints/${encodeURIComponent(id)}`);
  const status = flash();
  const head = h('div');
  const secretPlace = h('div.secret-place');

  function drawHead() {
    clear(head,
      h('p.crumbs', h('a', { href: '#/admin/webhooks' }, T.back)),
      h('h1', T.endpoint),
      h('dl.facts',
        h('dt', T.url), h('dd.wrap', ep.url),
        h('dt', T.events), h('dd', eventsText(ep)),
        ep.description ? [h('dt', T.description), h('dd', ep.description)] : null,
        h('dt', T.status), h('dd', statusOf(ep)),
        h('dt', T.failing), h('dd', ep.failing_since ? dateTime(ep.failing_since) : '–'),
        h('dt', T.created), h('dd', dateTime(ep.created_at))),
      h('div.toolbar.endpoint-actions', actions(ep, status, async (text, changed, secret) => {
        if (!changed) { ctx.go('/admin/webhooks'); return; }
        ep = changed;
        drawHead();
        if (secret) {
          const box = secretBox(T.secretTitle(ep.url), secret, { hint: T.secretHint });
          clear(secretPlace, box);
          box.focus();
        } else { clear(secretPlace); status.say(text); }
      })));
  }

  async function resend(a) {
    try {
      const d = await api.post(`deliveries/${a.delivery_id}/resend`, {}, { key: newKey() });
      await log.reload();
      status.say(T.resent(d.id));
    } catch (e) { status.fail(e); }
  }

  const log = pager((cursor) => api.get(`webhook-endpoints/${encodeURIComponent(id)}/deliveries`, { limit: 25, cursor }), (items) => {
    const t = table([
      { label: T.when, value: (a) => dateTime(a.attempted_at) },
      { label: T.event, value: (a) => h('a', { href: `#/admin/events/${a.event_id}` }, a.event_id) },
      { label: T.http, num: true, value: (a) => (a.status == null ? T.noAnswer : String(a.status)) },
      { label: T.duration, num: true, value: (a) => T.ms(a.duration_ms) },
      { label: T.outcome, value: (a) => deliveryBadge(a.outcome) },
      { label: T.response, value: (a) => (a.response_excerpt ? h('code.excerpt', a.response_excerpt) : '–') },
      { label: T.error, value: (a) => (a.error ? h('span.addr', a.error) : '–') },
      { label: T.actions, value: (a) => h('button', { type: 'button', 'aria-label': `${T.resend} ${a.event_id} (${a.delivery_id})`, onclick: () => resend(a) }, T.resend) },
    ], items, { caption: T.logCaption, rowAttrs: (a) => ({ dataset: { attempt: a.id } }) });
    t.classList.add('stack');
    return t;
  }, { label: 'Delivery log pages', none: T.noLog });

  drawHead();
  ctx.main.append(head, status.el, secretPlace, h('h2', T.log), log.el);
  await log.start();
}

export default async function render(ctx) {
  if (ctx.params.id) await detail(ctx);
  else await list(ctx);
}
