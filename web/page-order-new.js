// New order: the credit type (the tool's), one base service and any add-ons
// that have a cost in that type (GET /services), the vehicle and notes, and
// the original read, uploaded at once with a progress bar (POST /files). A
// live quote (POST /quotes, debounced, again after every change) shows the
// total, the lines, the lots it draws and the balance after, or how many
// credits are missing. An upload of a file ordered recently warns and needs
// "order again" ticked (confirm_duplicate). Placing the order POSTs /orders
// with an Idempotency-Key and opens the order.
import { api, newKey, ApiError } from './api.js';
import { amount, money, amountOf } from './fmt.js';
import { h, clear, field, select, input, textarea, notice, empty, showErrors, errorText } from './ui.js';
import { creditTypes, typeName, choices, Idem, bytes, sum, negate, isZero, monthlyLimits, limitText, rich } from './customer.js';
import { t } from './i18n.js';

const DEBOUNCE_MS = 250;

export default async function render(ctx) {
  const { main, me, query, go } = ctx;
  const [types, { items: all }, customer, limits] = await Promise.all([
    creditTypes(), api.get('services'), api.get(`customers/${me.customer_id}`), monthlyLimits(me)]);
  const services = all.filter((s) => s.active !== false);
  const usable = [...types.values()].filter((x) => x.spendable !== false
    && services.some((s) => s.costs[x.code] !== undefined));
  if (!usable.length) {
    clear(main, h('h1', t('app.page.order_new')), empty(t('order.no_services')));
    return;
  }
  const avail = (code) => customer.balances?.[code]?.available ?? '0';
  const monetary = (code) => types.get(code)?.kind === 'monetary';
  const fmtv = (code, v) => (monetary(code) ? money(v) : amount(v));
  const withName = (code, v) => (monetary(code) ? money(v) : `${amountOf(v, typeName(types, code))}`);

  const start = usable.find((x) => x.code === query.type)
    || usable.find((x) => Number(avail(x.code)) > 0) || usable[0];

  // The form's parts.
  const fType = select('credit_type', usable.map((x) => [x.code, t('order.type_available', { type: x.name, amount: fmtv(x.code, avail(x.code)) })]));
  fType.value = start.code;
  const baseBox = h('div');
  const addonBox = h('div');
  const make = input('make', { autocomplete: 'off', maxlength: 100, required: true });
  const model = input('model', { autocomplete: 'off', maxlength: 100, required: true });
  const ecu = input('ecu', { autocomplete: 'off', maxlength: 100 });
  const notes = textarea('notes', { rows: 3, maxlength: 2000 });
  const file = input('file', { type: 'file', required: true });
  const progress = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': t('order.upload_progress') });
  const fileState = h('p.sub', { role: 'status' });
  const confirm = h('input', { type: 'checkbox', name: 'confirm_duplicate', id: 'confirm-dup', 'aria-describedby': 'confirm-dup-err' });
  const dupText = h('p');
  const dupBox = h('div.notice.warn.duplicate', { hidden: true },
    dupText,
    h('div.field', h('label.choice', { for: 'confirm-dup' }, confirm,
      h('span', t('order.order_again'))),
    h('p#confirm-dup-err.field-error', { 'aria-live': 'polite' })));
  const quoteBox = h('div.quote-body');
  // A technician's monthly limit in the chosen type, above the price.
  const limitBox = h('p.limit', { role: 'status' });
  const showLimit = () => {
    const m = limits[fType.value];
    limitBox.textContent = m ? limitText(types, fType.value, m) : '';
    limitBox.hidden = !m;
  };
  const button = h('button.primary', { type: 'submit' }, t('order.place'));
  const summary = h('p.form-error', { role: 'alert', tabindex: '-1' });
  const nearButton = h('p.submit-total', { 'aria-hidden': 'true' });

  const form = h('form.order-form', { novalidate: true, 'aria-label': t('app.page.order_new') },
    field(t('order.credit_type'), fType, t('order.credit_type_hint')),
    baseBox, addonBox,
    field(t('order.original_file'), file, t('order.original_file_hint')),
    progress, fileState, dupBox,
    h('fieldset.vehicle', h('legend', t('order.vehicle')),
      field(t('order.make'), make, t('order.required')), field(t('order.model'), model, t('order.required')),
      field(t('order.ecu'), ecu, t('order.ecu_hint'))),
    field(t('order.notes_for_workshop'), notes),
    summary, h('div.actions', button, nearButton));

  clear(main, h('h1', t('app.page.order_new')),
    h('div.order-layout', form,
      h('aside.card.quote', { 'aria-labelledby': 'quote-title' },
        h('h2#quote-title', t('order.price')), limitBox, quoteBox)));

  // Services in the chosen type.
  const listServices = () => {
    const code = fType.value;
    const was = new Set([...form.querySelectorAll('input[name="base"]:checked, input[name="addons"]:checked')].map((e) => e.value));
    const of = (kind) => services.filter((s) => s.kind === kind && s.costs[code] !== undefined);
    const opts = (list) => list.map((s) => [s.id, s.name, ` — ${withName(code, s.costs[code])}`]);
    const bases = of('base');
    const addons = of('addon');
    clear(baseBox, bases.length
      ? choices('base', t('order.service'), opts(bases), { checked: [...was], onchange: requote })
      : notice(t('order.no_base_service'), 'warn'));
    clear(addonBox, addons.length
      ? choices('addons', t('order.addons'), opts(addons), { type: 'checkbox', checked: [...was], onchange: requote })
      : null);
  };

  const picked = () => {
    const base = form.querySelector('input[name="base"]:checked')?.value;
    const addons = [...form.querySelectorAll('input[name="addons"]:checked')].map((e) => e.value);
    return { base, services: base ? [base, ...addons] : addons };
  };

  // The upload.
  let fileId = null;
  let duplicateOf = null;
  let uploading = null;
  const fileErr = () => form.querySelector(`#${file.id}-err`);
  const showDuplicate = (ref) => {
    duplicateOf = ref || null;
    dupBox.hidden = !duplicateOf;
    if (duplicateOf) dupText.textContent = t('order.duplicate_warning', { reference: duplicateOf });
    else confirm.checked = false;
  };
  file.addEventListener('change', () => {
    const f = file.files[0];
    fileId = null;
    showDuplicate(null);
    fileErr().textContent = '';
    file.removeAttribute('aria-invalid');
    if (!f) { fileState.textContent = ''; progress.hidden = true; requote(); return; }
    progress.hidden = false;
    progress.value = 0;
    fileState.textContent = t('order.uploading', { name: f.name });
    const mine = uploading = api.upload('files', f, {
      key: newKey(),
      onProgress: (p) => { if (uploading === mine) progress.value = p; },
    }).then((r) => {
      if (uploading !== mine) return;
      fileId = r.file.id;
      progress.hidden = true;
      fileState.textContent = t('order.uploaded', { name: r.file.name, size: bytes(r.file.size) });
      showDuplicate(r.duplicate_of);
      uploading = null;
      requote();
    }, (e) => {
      if (uploading !== mine) return;
      uploading = null;
      progress.hidden = true;
      fileState.textContent = '';
      file.setAttribute('aria-invalid', 'true');
      fileErr().textContent = e instanceof ApiError && e.status === 413
        ? t('order.file_too_large') : errorText(e);
    });
  });

  // The live quote.
  let timer = null;
  let seq = 0;
  function requote() {
    clearTimeout(timer);
    quoteBox.setAttribute('aria-busy', 'true');
    timer = setTimeout(runQuote, DEBOUNCE_MS);
  }
  async function runQuote() {
    const my = ++seq;
    const code = fType.value;
    const { base, services: ids } = picked();
    if (!base) {
      nearButton.textContent = '';
      quoteBox.removeAttribute('aria-busy');
      clear(quoteBox, h('p.sub', t('order.choose_for_price')),
        h('p.sub', t('order.available', { amount: withName(code, avail(code)) })));
      return;
    }
    const body = { credit_type: code, services: ids };
    if (fileId) body.file_id = fileId;
    let q;
    try {
      q = await api.post('quotes', body);
    } catch (e) {
      if (my !== seq) return;
      quoteBox.removeAttribute('aria-busy');
      clear(quoteBox, notice(errorText(e), 'error'));
      return;
    }
    if (my !== seq) return;
    quoteBox.removeAttribute('aria-busy');
    // An order that cannot be afforded is quoted with total 0 and no lots:
    // its price is the base.
    const total = q.affordable ? q.total : q.base;
    // What is left to spend after this order: the available credits (a
    // paused lot's are in the balance but not available) less the total; a
    // held order takes them from available too.
    const after = sum([q.available, negate(total)]);
    nearButton.textContent = q.affordable
      ? t('order.near_button_after', { total: withName(code, total), after: fmtv(code, after) })
      : t('order.near_button_missing', { total: withName(code, total), missing: withName(code, q.shortfall) });
    clear(quoteBox,
      h('ul.lines', q.lines.map((l) => h('li', h('span', l.name), h('span.num', fmtv(code, l.cost))))),
      h('p.total', h('span', t('order.total')), ' ', h('strong#quote-total', withName(code, total))),
      q.affordable
        ? [
          q.allocations.length ? h('div.alloc', h('p.sub', q.hold ? t('order.held_from') : t('order.drawn_from')),
            h('ul', q.allocations.map((a) => h('li',
              h('span', a.lot_name || a.lot_id),
              a.multiplier && Number(a.multiplier) !== 1 ? h('span.sub', ` ${t('order.peak', { multiplier: amount(a.multiplier.replace(/0+$/, '').replace(/\.$/, '')) })}`) : null,
              h('span.num', fmtv(code, a.amount)))))) : null,
          h('p.balance', rich('order.available_after', { available: fmtv(code, q.available), after: h('strong#quote-after', fmtv(code, after)) })),
          isZero(sum([q.balance, negate(q.available)])) ? null
            : h('p.sub', t('order.balance_unusable', { balance: fmtv(code, q.balance), unusable: fmtv(code, sum([q.balance, negate(q.available)])) })),
          q.hold ? h('p.sub', t('order.held_note')) : null,
        ]
        : h('div.notice.error.short', { role: 'status' },
          h('p', t('order.not_enough', { missing: withName(code, q.shortfall), available: fmtv(code, q.available) })),
          me.role === 'owner'
            ? h('p', h('a.button.primary', { href: '#/shop' }, t('order.buy_credits')))
            : h('p', t('order.ask_owner'))),
      q.duplicate_of ? notice(t('order.ordered_recently', { reference: q.duplicate_of }), 'warn') : null);
  }

  // Placing the order.
  const idem = new Idem();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showErrors(form, null);
    const { base, services: ids } = picked();
    if (!base) {
      showErrors(form, new ApiError(422, { errors: [{ field: 'base', message: t('order.choose_service') }] }));
      return;
    }
    button.disabled = true;
    try {
      if (uploading) {
        fileState.textContent += ` ${t('order.waiting_upload')}`;
        await uploading.catch(() => {});
      }
      // The workshop needs the original read and the vehicle's make and model.
      const missing = [];
      if (!file.files[0]) missing.push({ field: 'file', message: t('order.choose_original_read') });
      else if (!fileId) missing.push({ field: 'file', message: fileErr().textContent || t('order.not_uploaded') });
      if (!make.value.trim()) missing.push({ field: 'make', message: t('order.enter_make') });
      if (!model.value.trim()) missing.push({ field: 'model', message: t('order.enter_model') });
      if (missing.length) throw new ApiError(422, { errors: missing });
      if (duplicateOf && !confirm.checked) {
        throw new ApiError(409, { errors: [{ field: 'confirm_duplicate', message: t('order.tick_or_choose') }] });
      }
      const vehicle = {};
      for (const el of [make, model, ecu]) if (el.value.trim()) vehicle[el.name] = el.value.trim();
      const body = { credit_type: fType.value, services: ids };
      if (Object.keys(vehicle).length) body.vehicle = vehicle;
      if (notes.value.trim()) body.notes = notes.value.trim();
      if (fileId) body.file_id = fileId;
      if (duplicateOf && confirm.checked) body.confirm_duplicate = true;
      const r = await api.post('orders', body, { key: idem.for(body) });
      idem.done();
      go(`/orders/${encodeURIComponent(r.id)}?placed=1`);
    } catch (e) {
      if (e instanceof ApiError) {
        if (e.code === 'member_limit_exceeded') {
          e.errors = [];
          e.message = t('order.limit_reached', { detail: e.problem.detail || t('order.limit_reached_detail') });
        } else if (e.code === 'insufficient_credits') {
          e.errors = [];
          e.message = t('order.not_enough_short', { missing: withName(fType.value, e.problem.shortfall) });
          requote();
        } else if (e.code === 'duplicate_file') {
          showDuplicate(e.problem.duplicate_of);
          e.errors = [{ field: 'confirm_duplicate', message: t('order.tick_to_order_again') }];
        } else {
          const rename = { services: 'base', credit_type: 'credit_type', file_id: 'file', vehicle: 'make', 'vehicle.make': 'make', 'vehicle.model': 'model' };
          e.errors = e.errors.map((x) => ({ ...x, field: rename[x.field] || x.field }));
        }
      }
      showErrors(form, e);
      if (!form.querySelector('[aria-invalid]')) summary.focus();
    } finally {
      button.disabled = false;
    }
  });

  fType.addEventListener('change', () => { listServices(); showLimit(); requote(); });
  listServices();
  showLimit();
  runQuote();
}
