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
import { t } from './i18n.js';

function endpointFields(ep = {}) {
  return [
    field(t('webhooks.url'), input('url', { type: 'url', value: ep.url || '', autocomplete: 'off', placeholder: 'https://example.com/hooks/creditd' }), t('webhooks.url_hint')),
    eventChoices('events', t('webhooks.events'), EVENT_TYPES, { all: true, checked: ep.events || [], hint: t('webhooks.events_hint') }),
    field(t('webhooks.description'), textarea('description', { rows: 2, value: ep.description || '' }), t('webhooks.description_hint')),
  ];
}

function bodyOf(v) {
  need(v, ['url'], t('webhooks.required'));
  return { url: v.url.trim(), events: chosenEvents(v, 'events'), description: (v.description || '').trim() };
}

function eventsText(ep) {
  return ep.events.includes('*') ? t('notify.every_event') : ep.events.map(eventName).join(', ');
}

// Why an endpoint was switched off, as the server records it ("disabled by
// <who>", "failing since <unix seconds>: <error>"), in words; else as it is.
function reasonText(reason) {
  const by = /^disabled by (.+)$/.exec(reason);
  if (by) return t('webhooks.disabled_by', { who: by[1] });
  const failing = /^failing since (\d+): (.*)$/s.exec(reason);
  if (failing) return t('webhooks.disabled_failing', { since: dateTime(new Date(Number(failing[1]) * 1000).toISOString()), error: failing[2] });
  return reason;
}

function statusOf(ep) {
  return ep.disabled
    ? [badge(t('webhooks.disabled'), 'bad'), ep.disabled_reason ? h('p.hint', reasonText(ep.disabled_reason)) : null]
    : badge(t('webhooks.enabled'), 'good');
}

// The actions on one endpoint; after(text, changed endpoint or null when
// deleted, secret or null) redraws and tells.
function actions(ep, status, after) {
  const b = (text, fn, cls = '') => h(`button${cls}`, { type: 'button', 'aria-label': t('webhooks.action_for', { action: text, url: ep.url }), onclick: fn }, text);

  async function edit() {
    const key = newKey();
    const done = await dialog(t('webhooks.edit_title', { url: ep.url }), endpointFields(ep),
      (v) => api.patch(`webhook-endpoints/${ep.id}`, bodyOf(v), { key }), { submit: t('webhooks.save') });
    if (done) await after(t('webhooks.saved', { url: done.url }), done);
  }
  async function toggle() {
    try {
      const done = await api.patch(`webhook-endpoints/${ep.id}`, { disabled: !ep.disabled }, { key: newKey() });
      await after(done.disabled ? t('webhooks.now_disabled', { url: done.url }) : t('webhooks.now_enabled', { url: done.url }), done);
    } catch (e) { status.fail(e); }
  }
  async function rotate() {
    const key = newKey();
    const done = await dialog(t('webhooks.rotate_title', { url: ep.url }), [h('p', t('webhooks.rotate_text'))],
      () => api.post(`webhook-endpoints/${ep.id}/rotate-secret`, {}, { key }), { submit: t('webhooks.rotate') });
    if (done) await after(t('webhooks.rotated', { url: done.url }), done, done.secret);
  }
  async function remove() {
    const done = await dialog(t('webhooks.delete_title', { url: ep.url }), [h('p', t('webhooks.delete_text'))],
      () => api.del(`webhook-endpoints/${ep.id}`).then(() => true), { submit: t('webhooks.delete') });
    if (done) await after(t('webhooks.deleted', { url: ep.url }), null);
  }
  return [
    b(t('webhooks.edit'), edit),
    b(ep.disabled ? t('webhooks.enable') : t('webhooks.disable'), toggle),
    b(t('webhooks.rotate'), rotate),
    b(t('webhooks.delete'), remove, '.danger'),
  ];
}

async function list(ctx) {
  const status = flash();
  const secretPlace = h('div.secret-place');
  const listBox = h('div');
  let endpoints = (await api.get('webhook-endpoints')).items;

  function showSecret(url, secret) {
    const box = secretBox(t('webhooks.secret_title', { url }), secret, { hint: t('webhooks.secret_hint') });
    clear(secretPlace, box);
    box.focus();
  }

  function draw() {
    if (!endpoints.length) { clear(listBox, empty(t('webhooks.none'))); return; }
    const list = table([
      { label: t('webhooks.url'), value: (ep) => h('div', h('a.addr', { href: `#/admin/webhooks/${ep.id}` }, ep.url), ep.description ? h('p.hint', ep.description) : null) },
      { label: t('webhooks.events'), value: eventsText },
      { label: t('webhooks.status'), value: statusOf },
      { label: t('webhooks.failing'), value: (ep) => (ep.failing_since ? dateTime(ep.failing_since) : '–') },
      { label: t('webhooks.actions'), value: (ep) => h('div.row-actions', actions(ep, status, async (text, changed, secret) => {
        endpoints = (await api.get('webhook-endpoints')).items;
        draw();
        if (secret) showSecret(changed.url, secret); else { clear(secretPlace); status.say(text); }
      })) },
    ], endpoints, { caption: t('webhooks.caption'), rowAttrs: (ep) => ({ dataset: { endpoint: ep.id } }) });
    list.classList.add('stack');
    clear(listBox, list);
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
  }, { submit: t('webhooks.create'), cls: 'endpoint-form' });

  draw();
  ctx.main.append(
    h('h1', t('app.page.webhooks')),
    h('p.sub', t('webhooks.intro')),
    status.el,
    secretPlace,
    listBox,
    h('h2', t('webhooks.add')),
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
      h('p.crumbs', h('a', { href: '#/admin/webhooks' }, t('app.page.webhooks'))),
      h('h1', t('app.page.webhook')),
      h('dl.facts',
        h('dt', t('webhooks.url')), h('dd.wrap', ep.url),
        h('dt', t('webhooks.events')), h('dd', eventsText(ep)),
        ep.description ? [h('dt', t('webhooks.description')), h('dd', ep.description)] : null,
        h('dt', t('webhooks.status')), h('dd', statusOf(ep)),
        h('dt', t('webhooks.failing')), h('dd', ep.failing_since ? dateTime(ep.failing_since) : '–'),
        h('dt', t('webhooks.created')), h('dd', dateTime(ep.created_at))),
      h('div.toolbar.endpoint-actions', actions(ep, status, async (text, changed, secret) => {
        if (!changed) { ctx.go('/admin/webhooks'); return; }
        ep = changed;
        drawHead();
        if (secret) {
          const box = secretBox(t('webhooks.secret_title', { url: ep.url }), secret, { hint: t('webhooks.secret_hint') });
          clear(secretPlace, box);
          box.focus();
        } else { clear(secretPlace); status.say(text); }
      })));
  }

  async function resend(a) {
    try {
      const d = await api.post(`deliveries/${a.delivery_id}/resend`, {}, { key: newKey() });
      await log.reload();
      status.say(t('webhooks.resent', { id: d.id }));
    } catch (e) { status.fail(e); }
  }

  const log = pager((cursor) => api.get(`webhook-endpoints/${encodeURIComponent(id)}/deliveries`, { limit: 25, cursor }), (items) => {
    const list = table([
      { label: t('events.when'), value: (a) => dateTime(a.attempted_at) },
      { label: t('events.event'), value: (a) => h('a', { href: `#/admin/events/${a.event_id}` }, a.event_id) },
      { label: t('webhooks.http'), num: true, value: (a) => (a.status == null ? t('webhooks.no_answer') : String(a.status)) },
      { label: t('webhooks.duration'), num: true, value: (a) => t('webhooks.ms', { ms: count(a.duration_ms) }) },
      { label: t('webhooks.outcome'), value: (a) => deliveryBadge(a.outcome) },
      { label: t('webhooks.response'), value: (a) => (a.response_excerpt ? h('code.excerpt', a.response_excerpt) : '–') },
      { label: t('webhooks.error'), value: (a) => (a.error ? h('span.addr', a.error) : '–') },
      { label: t('webhooks.actions'), value: (a) => h('button', { type: 'button', 'aria-label': t('webhooks.resend_label', { event: a.event_id, delivery: a.delivery_id }), onclick: () => resend(a) }, t('events.resend')) },
    ], items, { caption: t('webhooks.log_caption'), rowAttrs: (a) => ({ dataset: { attempt: a.id } }) });
    list.classList.add('stack');
    return list;
  }, { label: t('webhooks.log_pages'), none: t('webhooks.no_log') });

  drawHead();
  ctx.main.append(head, status.el, secretPlace, h('h2', t('webhooks.log')), log.el);
  await log.start();
}

export default async function render(ctx) {
  if (ctx.params.id) await detail(ctx);
  else await list(ctx);
}
