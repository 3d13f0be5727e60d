// One order (GET /orders/{id}): status, vehicle, notes, the services and
// their costs, the lots charged, the files with download links, and the
// history. A submitted order can be cancelled (POST /orders/{id}/cancel with
// an Idempotency-Key, a reason optional); a cancelled order shows its refund
// from the ledger (the entry of kind refund or release for this order).
import { api, newKey, ApiError } from './api.js';
import { amount, money, dateTime, kindLabel, statusLabel, amountOf } from './fmt.js';
import { h, clear, field, textarea, form, table, notice, empty, dialog, input } from './ui.js';
import { creditTypes, typeName, statusBadge, Idem, bytes, rich } from './customer.js';
import { t } from './i18n.js';

// The history's events in words; an unknown event as its code.
const EVENTS = {
  status: () => t('order.event_status'), file_attached: () => t('order.event_file_attached'),
  file_uploaded: () => t('order.event_file_uploaded'), file_delivered: () => t('order.event_file_delivered'),
  file_purged: () => t('order.event_file_purged'), file_purge_failed: () => t('order.event_file_purge_failed'),
};
const CHARGES = {
  charged: () => t('order.charge_charged'), held: () => t('order.charge_held'),
  refunded: () => t('order.charge_refunded'), released: () => t('order.charge_released'),
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
    [t('order.col_status'), statusBadge(o.status)],
    [t('order.placed'), t('order.placed_by', { when: dateTime(o.created_at), who: o.created_by || '–' })],
    [t('order.col_credits'), o.total !== o.base
      ? t('order.credits_before_peak', { total: withName(o.total), base: fmtv(o.base) }) : withName(o.total)],
    [t('order.charge'), CHARGES[o.charge_mode]?.() || o.charge_mode],
    [t('order.vehicle'), vehicleText || '–'],
    [t('order.ecu'), v.ecu || '–'],
    ...Object.entries(v).filter(([k]) => !known.has(k)).map(([k, x]) => [k, String(x)]),
    o.notes ? [t('order.notes'), o.notes] : null,
    o.cancel_reason ? [t('order.cancel_reason'), o.cancel_reason] : null,
  ].filter(Boolean);

  const head = [];
  if (query.placed && o.status !== 'cancelled') {
    head.push(notice(o.charge_mode === 'held'
      ? t('order.placed_held', { amount: withName(o.total) }) : t('order.placed_charged', { amount: withName(o.total) }), 'ok'));
  }
  if (o.status === 'cancelled') {
    head.push(refund
      ? h('div.notice.ok.refund', { role: 'status' },
        rich(monetary ? 'order.cancelled_refund_money' : 'order.cancelled_refund', {
          kind: kindLabel(refund.kind), amount: h('strong.in', `+${fmtv(refund.amount)}`), type: typeName(types, code),
          when: dateTime(refund.created_at), balance: h('strong', fmtv(refund.balance_after)),
        }), ' ', h('a', { href: `#/history?credit_type=${encodeURIComponent(code)}` }, t('order.see_transactions')))
      : notice(o.charge_mode === 'refunded' || o.charge_mode === 'released'
        ? t('order.cancelled_back', { amount: withName(o.total) }) : t('order.cancelled'), 'ok'));
  }

  const files = o.files || [];
  const fileTable = files.length
    ? table([
      { label: t('order.file'), value: (f) => (f.purged_at ? f.name : h('a', { href: `/api/v1/files/${encodeURIComponent(f.id)}`, download: f.name }, f.name)) },
      { label: t('order.kind'), value: (f) => (f.role === 'modified' ? h('strong', t('order.file_modified')) : t('order.file_original')) },
      { label: t('order.size'), num: true, value: (f) => bytes(f.size) },
      {
        label: t('order.uploaded_col'),
        value: (f) => (f.purged_at ? t('order.uploaded_removed', { uploaded: dateTime(f.uploaded_at), removed: dateTime(f.purged_at) }) : dateTime(f.uploaded_at)),
      },
    ], files)
    : empty(t('order.no_files'));
  fileTable.classList.add('stack');

  const sections = [
    h('h1', t('order.title', { reference: o.reference })),
    head,
    h('dl.kv.card', facts.map(([k, x]) => [h('dt', k), h('dd', x)])),
    h('h2', t('order.col_services')),
    table([
      { label: t('order.service'), value: (l) => l.name },
      { label: t('order.kind'), value: (l) => (l.kind === 'base' ? t('order.service') : t('order.addon')) },
      { label: t('order.col_credits'), num: true, value: (l) => fmtv(l.cost) },
    ], o.lines, { caption: t('order.total_caption', { total: withName(o.total) }) }),
    o.allocations.length ? [
      h('h2', t('order.drawn_from_title')),
      table([
        { label: t('order.lot'), value: (a) => lots.get(a.lot_id)?.name || a.lot_name || t('order.lot') },
        { label: t('order.col_credits'), num: true, value: (a) => fmtv(a.amount) },
        o.allocations.some((a) => Number(a.multiplier) !== 1)
          ? { label: t('order.peak_col'), num: true, value: (a) => (Number(a.multiplier) === 1 ? '–' : `×${amount(a.multiplier.replace(/0+$/, '').replace(/\.$/, ''))}`) } : null,
      ].filter(Boolean), o.allocations),
    ] : null,
    h('h2', t('order.files')),
    fileTable,
    o.status === 'submitted' && !files.some((f) => f.role === 'original')
      ? uploadOriginal(o, () => ctx.reload()) : null,
    o.status === 'submitted' ? cancelForm(o, go) : null,
    h('h2', t('order.history')),
    (() => {
      const list = table([
        { label: t('order.when'), value: (e) => dateTime(e.at) },
        { label: t('order.event'), value: (e) => EVENTS[e.event]?.() || e.event },
        { label: t('order.col_status'), value: (e) => (e.from === e.to ? statusLabel(e.to) : `${e.from ? statusLabel(e.from) : '–'} → ${statusLabel(e.to)}`) },
        { label: t('order.col_by'), value: (e) => e.actor || '–' },
        // A detail may hold a file's SHA-256: one long token that must wrap.
        { label: t('order.detail'), value: (e) => h('span.wrap', [e.reason, e.detail].filter(Boolean).join(' · ') || '–') },
      ], o.history || []);
      list.classList.add('stack');
      return list;
    })(),
    h('p', h('a', { href: '#/orders' }, `← ${t('app.page.orders')}`), ' · ', h('a', { href: '#/orders/new' }, t('app.page.order_new'))),
  ];
  clear(main, sections);
}

// Cancelling asks first, in a dialog (the keyboard stays in it; Escape or
// "Keep the order" leave everything as it was).
function cancelForm(o, go) {
  const idem = new Idem();
  const ask = () => dialog(t('order.cancel_title', { reference: o.reference }), [
    h('p', t('order.cancel_text')),
    field(t('order.reason_optional'), textarea('reason', { rows: 2, maxlength: 500 })),
  ], async (v) => {
    const body = v.reason ? { reason: v.reason } : {};
    await api.post(`orders/${encodeURIComponent(o.id)}/cancel`, body, { key: idem.for(body) });
    idem.done();
    return true;
  }, { submit: t('order.cancel_order'), dismiss: t('order.keep_order') }).then((done) => { if (done) go(`/orders/${encodeURIComponent(o.id)}`); });
  return h('section.card.cancel', { 'aria-labelledby': 'cancel-title' },
    h('h2#cancel-title', t('order.cancel_heading')),
    h('p.sub', t('order.cancel_intro')),
    h('div.actions', h('button.danger', { type: 'button', onclick: ask }, t('order.cancel_button'))));
}

// A submitted order without its original: the customer uploads it here.
function uploadOriginal(o, reload) {
  const file = input('file', { type: 'file', required: true });
  const bar = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': t('order.upload_progress') });
  const f = form([field(t('order.original_file'), file, t('order.original_missing_hint')), bar], async (v) => {
    if (!v.file) throw new ApiError(422, { errors: [{ field: 'file', message: t('order.choose_original') }] });
    bar.hidden = false;
    try {
      await api.upload(`orders/${encodeURIComponent(o.id)}/files`, v.file, { key: newKey(), onProgress: (p) => { bar.value = p; } });
    } finally {
      bar.hidden = true;
    }
    reload();
  }, { submit: t('order.upload_original') });
  return h('section.card.upload-original', { 'aria-labelledby': 'upload-title' },
    h('h2#upload-title', t('order.original_missing')), f);
}
