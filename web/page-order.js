// One order (GET /orders/{id}): status, vehicle, notes, the services and
// their costs, the lots charged, the files with download links, and the
// history. A submitted order can be cancelled (POST /orders/{id}/cancel with
// an Idempotency-Key, a reason optional); a cancelled order shows its refund
// from the ledger (the entry of kind refund or release for this order).
import { api, newKey, ApiError } from './api.js';
import { amount, money, dateTime, kindLabel, statusLabel, amountOf } from './fmt.js';
import { h, clear, field, textarea, form, table, notice, empty, dialog, input } from './ui.js';
import { creditTypes, typeName, statusBadge, Idem, bytes } from './customer.js';

const EVENTS = {
  status: 'Status', file_attached: 'File attached', file_uploaded: 'File uploaded',
  file_delivered: 'File delivered', file_purged: 'File removed',
  file_purge_failed: 'Removal failed, file kept',
};

export default async function render(ctx) {
  const { main, params, query, go } = ctx;
  const id = params.id;
  const [o, types] = await Promise.all([api.get(`orders/${encodeURIComponent(id)}`), creditTypes()]);
  const code = o.credit_type;
  const monetary = types.get(code)?.kind === 'monetary';
  const fmtv = (v) => (monetary ? money(v) : amount(v));
  const withName = (v) => (monetary ? money(v) : `${amountOf(v, typeName(types, code))}`);

  // Lot names for the allocations (the customer's lots; best effort).
  let lots = new Map();
  if (o.allocations.length) {
    try {
      const r = await api.get(`customers/${encodeURIComponent(o.customer_id)}/lots`);
      lots = new Map(r.items.map((l) => [l.id, l]));
    } catch { /* the ids are shown instead */ }
  }

  // A cancelled order's refund (or released hold), from the ledger.
  let refund = null;
  if (o.status === 'cancelled') {
    try {
      const r = await api.get('ledger', { credit_type: code, limit: 100 });
      refund = r.items.find((e) => e.order_id === o.id && (e.kind === 'refund' || e.kind === 'release')) || null;
    } catch { /* shown without it */ }
  }

  const v = o.vehicle || {};
  const vehicleText = [v.make, v.model].filter(Boolean).join(' ');
  const known = new Set(['make', 'model', 'ecu']);
  const facts = [
    ['Status', statusBadge(o.status)],
    ['Placed', `${dateTime(o.created_at)} by ${o.created_by || '–'}`],
    ['Credits', `${withName(o.total)}${o.total !== o.base ? ` (${fmtv(o.base)} before peak pricing)` : ''}`],
    ['Charge', { charged: 'Charged', held: 'Held until delivery', refunded: 'Refunded', released: 'Released' }[o.charge_mode] || o.charge_mode],
    ['Vehicle', vehicleText || '–'],
    ['ECU', v.ecu || '–'],
    ...Object.entries(v).filter(([k]) => !known.has(k)).map(([k, x]) => [k, String(x)]),
    o.notes ? ['Notes', o.notes] : null,
    o.cancel_reason ? ['Cancel reason', o.cancel_reason] : null,
  ].filter(Boolean);

  const head = [];
  if (query.placed && o.status !== 'cancelled') {
    head.push(notice(`Order placed: ${withName(o.total)} ${o.charge_mode === 'held' ? 'held' : 'charged'}.`, 'ok'));
  }
  if (o.status === 'cancelled') {
    head.push(refund
      ? h('div.notice.ok.refund', { role: 'status' },
        `Cancelled. ${kindLabel(refund.kind)}: `, h('strong.in', `+${fmtv(refund.amount)}`),
        ` ${monetary ? '' : typeName(types, code)} on ${dateTime(refund.created_at)}; balance after: `,
        h('strong', fmtv(refund.balance_after)), '. ', h('a', { href: `#/history?credit_type=${encodeURIComponent(code)}` }, 'See transactions'))
      : notice(o.charge_mode === 'refunded' || o.charge_mode === 'released'
        ? `Cancelled: ${withName(o.total)} went back to your balance.` : 'Cancelled.', 'ok'));
  }

  const files = o.files || [];
  const fileTable = files.length
    ? table([
      { label: 'File', value: (f) => (f.purged_at ? f.name : h('a', { href: `/api/v1/files/${encodeURIComponent(f.id)}`, download: f.name }, f.name)) },
      { label: 'Kind', value: (f) => (f.role === 'modified' ? h('strong', 'Modified (delivered)') : 'Original') },
      { label: 'Size', num: true, value: (f) => bytes(f.size) },
      { label: 'Uploaded', value: (f) => `${dateTime(f.uploaded_at)}${f.purged_at ? ` · removed ${dateTime(f.purged_at)}` : ''}` },
    ], files)
    : empty('No files on this order.');
  fileTable.classList.add('stack');

  const sections = [
    h('h1', `Order ${o.reference}`),
    head,
    h('dl.kv.card', facts.map(([k, x]) => [h('dt', k), h('dd', x)])),
    h('h2', 'Services'),
    table([
      { label: 'Service', value: (l) => l.name },
      { label: 'Kind', value: (l) => (l.kind === 'base' ? 'Service' : 'Add-on') },
      { label: 'Credits', num: true, value: (l) => fmtv(l.cost) },
    ], o.lines, { caption: `Total ${withName(o.total)}` }),
    o.allocations.length ? [
      h('h2', 'Credits drawn from'),
      table([
        { label: 'Lot', value: (a) => lots.get(a.lot_id)?.name || a.lot_name || 'Lot' },
        { label: 'Credits', num: true, value: (a) => fmtv(a.amount) },
        o.allocations.some((a) => Number(a.multiplier) !== 1)
          ? { label: 'Peak', num: true, value: (a) => (Number(a.multiplier) === 1 ? '–' : `×${amount(a.multiplier.replace(/0+$/, '').replace(/\.$/, ''))}`) } : null,
      ].filter(Boolean), o.allocations),
    ] : null,
    h('h2', 'Files'),
    fileTable,
    o.status === 'submitted' && !files.some((f) => f.role === 'original')
      ? uploadOriginal(o, () => ctx.reload()) : null,
    o.status === 'submitted' ? cancelForm(o, go) : null,
    h('h2', 'History'),
    (() => {
      const t = table([
        { label: 'When', value: (e) => dateTime(e.at) },
        { label: 'Event', value: (e) => EVENTS[e.event] || e.event },
        { label: 'Status', value: (e) => (e.from === e.to ? statusLabel(e.to) : `${e.from ? statusLabel(e.from) : '–'} → ${statusLabel(e.to)}`) },
        { label: 'By', value: (e) => e.actor || '–' },
        // A detail may hold a file's SHA-256: one long token that must wrap.
        { label: 'Detail', value: (e) => h('span.wrap', [e.reason, e.detail].filter(Boolean).join(' · ') || '–') },
      ], o.history || []);
      t.classList.add('stack');
      return t;
    })(),
    h('p', h('a', { href: '#/orders' }, '← My orders'), ' · ', h('a', { href: '#/orders/new' }, 'New order')),
  ];
  clear(main, sections);
}

// Cancelling asks first, in a dialog (the keyboard stays in it; Escape or
// "Keep the order" leave everything as it was).
function cancelForm(o, go) {
  const idem = new Idem();
  const ask = () => dialog(`Cancel order ${o.reference}?`, [
    h('p', 'The credits go back to your balance. This cannot be undone.'),
    field('Reason (optional)', textarea('reason', { rows: 2, maxlength: 500 })),
  ], async (v) => {
    const body = v.reason ? { reason: v.reason } : {};
    await api.post(`orders/${encodeURIComponent(o.id)}/cancel`, body, { key: idem.for(body) });
    idem.done();
    return true;
  }, { submit: 'Cancel order', dismiss: 'Keep the order' }).then((done) => { if (done) go(`/orders/${encodeURIComponent(o.id)}`); });
  return h('section.card.cancel', { 'aria-labelledby': 'cancel-title' },
    h('h2#cancel-title', 'Cancel this order'),
    h('p.sub', 'The order has not been started yet. Cancelling returns the credits to your balance.'),
    h('div.actions', h('button.danger', { type: 'button', onclick: ask }, 'Cancel order…')));
}

// A submitted order without its original: the customer uploads it here.
function uploadOriginal(o, reload) {
  const file = input('file', { type: 'file', required: true });
  const bar = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Upload progress' });
  const f = form([field('Original file (ECU read)', file, 'The workshop starts once it has the original.'), bar], async (v) => {
    if (!v.file) throw new ApiError(422, { errors: [{ field: 'file', message: 'Choose the original file.' }] });
    bar.hidden = false;
    try {
      await api.upload(`orders/${encodeURIComponent(o.id)}/files`, v.file, { key: newKey(), onProgress: (p) => { bar.value = p; } });
    } finally {
      bar.hidden = true;
    }
    reload();
  }, { submit: 'Upload the original' });
  return h('section.card.upload-original', { 'aria-labelledby': 'upload-title' },
    h('h2#upload-title', 'The original file is missing'), f);
}
