// One order (#/admin/orders/:id): who ordered what for which vehicle, the
// lines and the lots charged, the files (download), the history; take it,
// set its status, deliver the modified file (upload with progress; this
// completes the order) or reject it with a reason (the credits go back).
// GET /orders/{id}, POST /orders/{id}/status, POST /orders/{id}/deliver
// (multipart), POST /orders/{id}/cancel, GET /files/{id}.
import { api, newKey } from './api.js';
import { h, clear, table, field, input, select, textarea, form, dialog, empty, notice, email } from './ui.js';
import { amount, dateTime, bytes, statusLabel, amountOf } from './fmt.js';
import { creditTypes, typeName, customersById, customerLink, statusBadge, need, flash } from './admin-lib.js';
import { pageTitle } from './branding.js';
import { t, has } from './i18n.js';

const OPEN = ['submitted', 'in_progress'];
// The vehicle fields with words (adminorder.vehicle.<field>); others are
// shown by their name.
export const VEHICLE_FIELDS = ['make', 'model', 'ecu', 'vin', 'year', 'engine', 'tool'];
// The file events of an order's history with words (adminorder.event.<event>).
export const FILE_EVENTS = ['file_attached', 'file_uploaded', 'file_delivered', 'file_purged', 'file_purge_failed'];

export function vehicleLabel(k) {
  return has(`adminorder.vehicle.${k}`) ? t(`adminorder.vehicle.${k}`) : k.charAt(0).toUpperCase() + k.slice(1);
}

export function historyWhat(e) {
  if (e.event === 'status') {
    const to = statusLabel(e.to);
    return e.from ? t('adminorder.status_change', { from: statusLabel(e.from), to }) : to;
  }
  return has(`adminorder.event.${e.event}`) ? t(`adminorder.event.${e.event}`) : e.event;
}

// The text of key with its holes filled by strings or elements.
function withNodes(key, parts) {
  return t(key).split(/(\{\w+\})/).filter(Boolean).map((x) => {
    const name = /^\{(\w+)\}$/.exec(x)?.[1];
    return name && name in parts ? parts[name] : x;
  });
}

export default async function render(ctx) {
  const id = ctx.params.id;
  const types = await creditTypes();
  const status = flash();
  const body = h('div');
  let o = null;
  let lotNames = new Map();

  async function load() {
    o = await api.get(`orders/${encodeURIComponent(id)}`);
    const [, lots] = await Promise.all([customersById([o.customer_id]),
      o.allocations.length ? api.get(`customers/${encodeURIComponent(o.customer_id)}/lots`).catch(() => ({ items: [] })) : { items: [] }]);
    lotNames = new Map(lots.items.map((l) => [l.id, l.name]));
    pageTitle(o.reference);
    draw();
  }

  function draw() {
    const open = OPEN.includes(o.status);
    const vehicle = o.vehicle && typeof o.vehicle === 'object' ? Object.entries(o.vehicle) : [];
    clear(body,
      h('p.crumbs', h('a', { href: '#/admin/orders' }, t('app.page.admin_orders'))),
      h('h1', o.reference, ' ', statusBadge(o.status)),
      h('p.sub', withNodes(o.charge_mode === 'held' ? 'adminorder.sub_held' : 'adminorder.sub', {
        customer: customerLink(o.customer_id), date: dateTime(o.created_at), by: o.created_by ? email(o.created_by) : '–',
        total: amountOf(o.total, typeName(types, o.credit_type)),
      })),
      o.cancel_reason ? notice(t('adminorder.rejected', { reason: o.cancel_reason }), 'warn') : null,
      status.el,
      open ? workPanel() : null,
      h('div.split',
        h('section', h('h2', t('adminorder.vehicle')),
          vehicle.length ? h('dl.facts', vehicle.map(([k, v]) => [h('dt', vehicleLabel(k)), h('dd', String(v))])) : empty(t('adminorder.no_vehicle')),
          h('h2', t('adminorder.notes')), h('p', o.notes || t('adminorder.no_notes'))),
        h('section', h('h2', t('adminorder.services')), table([
          { label: t('adminorder.col_service'), value: (l) => l.name },
          { label: t('adminorder.col_kind'), value: (l) => (l.kind === 'base' ? t('adminorder.kind_base') : t('adminorder.kind_addon')) },
          { label: t('adminorder.col_credits'), num: true, value: (l) => amount(l.cost) },
        ], o.lines, { caption: t('adminorder.total', { total: amountOf(o.total, typeName(types, o.credit_type)) }) }),
        o.allocations.length ? table([
          { label: t('adminorder.col_lot'), value: (a) => h('a', { href: `#/admin/customers/${encodeURIComponent(o.customer_id)}` }, lotNames.get(a.lot_id) || a.lot_name || t('adminorder.lot')) },
          { label: t('adminorder.col_credits'), num: true, value: (a) => amount(a.amount) },
          // Peak pricing only where a lot charged more than its base.
          o.allocations.some((a) => Number(a.multiplier) !== 1)
            ? { label: t('adminorder.col_peak'), num: true, value: (a) => (Number(a.multiplier) === 1 ? '–' : `×${amount(a.multiplier.replace(/0+$/, '').replace(/\.$/, ''))}`) } : null,
        ].filter(Boolean), o.allocations, { caption: t('adminorder.charged_from') }) : null)),
      h('h2', t('adminorder.files')),
      o.files.length ? stacked(table([
        { label: t('adminorder.col_file'), value: (f) => (f.purged_at ? h('span', f.name, ' ', h('span.hint', t('adminorder.contents_removed')))
          : h('a', { href: `/api/v1/files/${f.id}`, download: f.name }, f.name)) },
        { label: t('adminorder.col_kind'), value: (f) => (f.role === 'modified' ? t('adminorder.file_delivered') : t('adminorder.file_original')) },
        { label: t('adminorder.col_size'), num: true, value: (f) => bytes(f.size) },
        { label: t('adminorder.col_uploaded'), value: (f) => withNodes('adminorder.uploaded', { date: dateTime(f.uploaded_at), by: f.uploaded_by ? email(f.uploaded_by) : '–' }) },
        { label: 'SHA-256', value: (f) => h('code.hash', f.sha256) },
      ], o.files, { caption: t('adminorder.files_caption') })) : empty(t('adminorder.no_files')),
      h('h2', t('adminorder.history')),
      stacked(table([
        { label: t('adminorder.col_when'), value: (e) => dateTime(e.at) },
        { label: t('adminorder.col_what'), value: (e) => historyWhat(e) },
        { label: t('adminorder.col_by'), value: (e) => e.actor || '–' },
        { label: t('adminorder.col_reason'), value: (e) => h('span.wrap', e.reason || e.detail || '–') },
      ], o.history, { caption: t('adminorder.history_caption') })));
  }

  function workPanel() {
    const moves = o.status === 'submitted'
      ? [['in_progress', t('adminorder.move_take')], ['completed', t('adminorder.move_complete')]]
      : [['completed', t('adminorder.move_complete')]];
    const take = o.status === 'submitted'
      ? h('button.primary', { type: 'button', onclick: (ev) => setStatus('in_progress', ev.currentTarget) }, t('adminorder.take_order'))
      : null;
    const statusForm = form([field(t('adminorder.new_status'), select('status', moves))],
      (v) => setStatus(v.status), { submit: t('adminorder.set_status'), cls: 'filters' });
    const file = input('file', { type: 'file' });
    const bar = h('progress', { max: 100, value: 0, hidden: true, 'aria-label': t('adminorder.upload_progress') });
    const deliverForm = form([field(t('adminorder.modified_file'), file, t('adminorder.modified_hint')), bar],
      async (v) => {
        if (!v.file) need({}, ['file'], t('adminorder.choose_file'));
        bar.hidden = false;
        bar.value = 0;
        try {
          await api.upload(`orders/${o.id}/deliver`, v.file, {
            key: newKey(), onProgress: (p) => { bar.value = Math.round(p * 100); },
          });
        } finally { bar.hidden = true; }
        await load();
        status.say(t('adminorder.delivered', { file: v.file.name, reference: o.reference }));
      }, { submit: t('adminorder.deliver') });
    return h('section.work', { 'aria-labelledby': 'work-title' },
      h('h2#work-title', t('adminorder.work')),
      h('div.toolbar', take, h('button.danger', { type: 'button', onclick: reject }, t('adminorder.reject'))),
      h('div.split', h('div', h('h3', t('adminorder.deliver_title')), deliverForm), h('div', h('h3', t('adminorder.status')), statusForm)));
  }

  async function setStatus(to, button) {
    if (button) button.disabled = true;
    try {
      await api.post(`orders/${o.id}/status`, { status: to }, { key: newKey() });
      await load();
      status.say(has(`adminorder.now.${to}`)
        ? t(`adminorder.now.${to}`, { reference: o.reference })
        : t('adminorder.now_status', { reference: o.reference, status: statusLabel(to) }));
    } catch (e) {
      if (button) button.disabled = false;
      status.fail(e);
    }
  }

  async function reject() {
    const key = newKey();
    const done = await dialog(t('adminorder.reject_title', { reference: o.reference }), [
      h('p', t('adminorder.reject_text')),
      field(t('adminorder.reason'), textarea('reason', { rows: 3 })),
    ], (v) => {
      need(v, ['reason'], t('adminorder.required'));
      return api.post(`orders/${o.id}/cancel`, { reason: v.reason.trim() }, { key });
    }, { submit: t('adminorder.reject') });
    if (done) { await load(); status.say(t('adminorder.rejected_done', { reference: o.reference })); }
  }

  ctx.main.append(body);
  await load();
}

function stacked(t) { t.classList.add('stack'); return t; }
