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

const OPEN = ['submitted', 'in_progress'];
const VEHICLE_LABELS = { make: 'Make', model: 'Model', ecu: 'ECU', vin: 'VIN', year: 'Year', engine: 'Engine', tool: 'Tool' };


function historyWhat(e) {
  if (e.event === 'status') {
    const to = statusLabel(e.to);
    return e.from ? `${statusLabel(e.from)} → ${to}` : to;
  }
  return { file_attached: 'Original attached', file_uploaded: 'Original uploaded', file_delivered: 'File delivered', file_purged: 'File contents removed', file_purge_failed: 'Removal failed, file kept' }[e.event] || e.event;
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
      h('p.crumbs', h('a', { href: '#/admin/orders' }, 'Orders')),
      h('h1', o.reference, ' ', statusBadge(o.status)),
      h('p.sub', 'For ', customerLink(o.customer_id), ` · submitted ${dateTime(o.created_at)} by `, o.created_by ? email(o.created_by) : '–',
        ` · ${amountOf(o.total, typeName(types, o.credit_type))}${o.charge_mode === 'held' ? ' on hold' : ''}`),
      o.cancel_reason ? notice(`Rejected: ${o.cancel_reason}`, 'warn') : null,
      status.el,
      open ? workPanel() : null,
      h('div.split',
        h('section', h('h2', 'Vehicle'),
          vehicle.length ? h('dl.facts', vehicle.map(([k, v]) => [h('dt', VEHICLE_LABELS[k] || k.charAt(0).toUpperCase() + k.slice(1)), h('dd', String(v))])) : empty('No vehicle data.'),
          h('h2', 'Notes'), h('p', o.notes || 'No notes.')),
        h('section', h('h2', 'Services'), table([
          { label: 'Service', value: (l) => l.name },
          { label: 'Kind', value: (l) => (l.kind === 'base' ? 'Base' : 'Add-on') },
          { label: 'Credits', num: true, value: (l) => amount(l.cost) },
        ], o.lines, { caption: `Total ${amountOf(o.total, typeName(types, o.credit_type))}` }),
        o.allocations.length ? table([
          { label: 'Lot', value: (a) => h('a', { href: `#/admin/customers/${encodeURIComponent(o.customer_id)}` }, lotNames.get(a.lot_id) || a.lot_name || 'Lot') },
          { label: 'Credits', num: true, value: (a) => amount(a.amount) },
          // Peak pricing only where a lot charged more than its base.
          o.allocations.some((a) => Number(a.multiplier) !== 1)
            ? { label: 'Peak', num: true, value: (a) => (Number(a.multiplier) === 1 ? '–' : `×${amount(a.multiplier.replace(/0+$/, '').replace(/\.$/, ''))}`) } : null,
        ].filter(Boolean), o.allocations, { caption: 'Charged from' }) : null)),
      h('h2', 'Files'),
      o.files.length ? stacked(table([
        { label: 'File', value: (f) => (f.purged_at ? h('span', f.name, ' ', h('span.hint', '(contents removed)'))
          : h('a', { href: `/api/v1/files/${f.id}`, download: f.name }, f.name)) },
        { label: 'Kind', value: (f) => (f.role === 'modified' ? 'Delivered' : 'Original') },
        { label: 'Size', num: true, value: (f) => bytes(f.size) },
        { label: 'Uploaded', value: (f) => [`${dateTime(f.uploaded_at)} by `, f.uploaded_by ? email(f.uploaded_by) : '–'] },
        { label: 'SHA-256', value: (f) => h('code.hash', f.sha256) },
      ], o.files, { caption: 'Originals from the customer and the delivered file' })) : empty('No files on this order.'),
      h('h2', 'History'),
      stacked(table([
        { label: 'When', value: (e) => dateTime(e.at) },
        { label: 'What', value: (e) => historyWhat(e) },
        { label: 'By', value: (e) => e.actor || '–' },
        { label: 'Reason or detail', value: (e) => h('span.wrap', e.reason || e.detail || '–') },
      ], o.history, { caption: 'Oldest first' })));
  }

  function workPanel() {
    const moves = o.status === 'submitted'
      ? [['in_progress', 'In progress (take it)'], ['completed', 'Completed without a file']]
      : [['completed', 'Completed without a file']];
    const take = o.status === 'submitted'
      ? h('button.primary', { type: 'button', onclick: (ev) => setStatus('in_progress', ev.currentTarget) }, 'Take this order')
      : null;
    const statusForm = form([field('New status', select('status', moves))],
      (v) => setStatus(v.status), { submit: 'Set status', cls: 'filters' });
    const file = input('file', { type: 'file' });
    const bar = h('progress', { max: 100, value: 0, hidden: true, 'aria-label': 'Upload progress' });
    const deliverForm = form([field('Modified file', file, 'Uploading it completes the order; the customer can download it at once.'), bar],
      async (v) => {
        if (!v.file) need({}, ['file'], 'choose the file to deliver');
        bar.hidden = false;
        bar.value = 0;
        try {
          await api.upload(`orders/${o.id}/deliver`, v.file, {
            key: newKey(), onProgress: (p) => { bar.value = Math.round(p * 100); },
          });
        } finally { bar.hidden = true; }
        await load();
        status.say(`${v.file.name} delivered: ${o.reference} is completed.`);
      }, { submit: 'Deliver file' });
    return h('section.work', { 'aria-labelledby': 'work-title' },
      h('h2#work-title', 'Work on this order'),
      h('div.toolbar', take, h('button.danger', { type: 'button', onclick: reject }, 'Reject order')),
      h('div.split', h('div', h('h3', 'Deliver the modified file'), deliverForm), h('div', h('h3', 'Status'), statusForm)));
  }

  async function setStatus(to, button) {
    if (button) button.disabled = true;
    try {
      await api.post(`orders/${o.id}/status`, { status: to }, { key: newKey() });
      await load();
      status.say(`${o.reference} is now ${statusLabel(to).toLowerCase()}.`);
    } catch (e) {
      if (button) button.disabled = false;
      status.fail(e);
    }
  }

  async function reject() {
    const key = newKey();
    const done = await dialog(`Reject ${o.reference}`, [
      h('p', 'The credits go back to the lots they came from. The customer sees your reason.'),
      field('Reason', textarea('reason', { rows: 3 })),
    ], (v) => {
      need(v, ['reason']);
      return api.post(`orders/${o.id}/cancel`, { reason: v.reason.trim() }, { key });
    }, { submit: 'Reject order' });
    if (done) { await load(); status.say(`${o.reference} is rejected; the credits are back.`); }
  }

  ctx.main.append(body);
  await load();
}

function stacked(t) { t.classList.add('stack'); return t; }
