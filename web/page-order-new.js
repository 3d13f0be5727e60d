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
import { creditTypes, typeName, choices, Idem, bytes, sum, negate, isZero, monthlyLimits, limitText } from './customer.js';

const DEBOUNCE_MS = 250;

export default async function render(ctx) {
  const { main, me, query, go } = ctx;
  const [types, { items: all }, customer, limits] = await Promise.all([
    creditTypes(), api.get('services'), api.get(`customers/${me.customer_id}`), monthlyLimits(me)]);
  const services = all.filter((s) => s.active !== false);
  const usable = [...types.values()].filter((t) => t.spendable !== false
    && services.some((s) => s.costs[t.code] !== undefined));
  if (!usable.length) {
    clear(main, h('h1', 'New order'), empty('No services can be ordered at the moment.'));
    return;
  }
  const avail = (code) => customer.balances?.[code]?.available ?? '0';
  const monetary = (code) => types.get(code)?.kind === 'monetary';
  const fmtv = (code, v) => (monetary(code) ? money(v) : amount(v));
  const withName = (code, v) => (monetary(code) ? money(v) : `${amountOf(v, typeName(types, code))}`);

  const start = usable.find((t) => t.code === query.type)
    || usable.find((t) => Number(avail(t.code)) > 0) || usable[0];

  // The form's parts.
  const fType = select('credit_type', usable.map((t) => [t.code, `${t.name} (${fmtv(t.code, avail(t.code))} available)`]));
  fType.value = start.code;
  const baseBox = h('div');
  const addonBox = h('div');
  const make = input('make', { autocomplete: 'off', maxlength: 100, required: true });
  const model = input('model', { autocomplete: 'off', maxlength: 100, required: true });
  const ecu = input('ecu', { autocomplete: 'off', maxlength: 100 });
  const notes = textarea('notes', { rows: 3, maxlength: 2000 });
  const file = input('file', { type: 'file', required: true });
  const progress = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Upload progress' });
  const fileState = h('p.sub', { role: 'status' });
  const confirm = h('input', { type: 'checkbox', name: 'confirm_duplicate', id: 'confirm-dup', 'aria-describedby': 'confirm-dup-err' });
  const dupText = h('p');
  const dupBox = h('div.notice.warn.duplicate', { hidden: true },
    dupText,
    h('div.field', h('label.choice', { for: 'confirm-dup' }, confirm,
      h('span', 'Order this file again and charge the credits again')),
    h('p#confirm-dup-err.field-error', { 'aria-live': 'polite' })));
  const quoteBox = h('div.quote-body');
  // A technician's monthly limit in the chosen type, above the price.
  const limitBox = h('p.limit', { role: 'status' });
  const showLimit = () => {
    const m = limits[fType.value];
    limitBox.textContent = m ? limitText(types, fType.value, m) : '';
    limitBox.hidden = !m;
  };
  const button = h('button.primary', { type: 'submit' }, 'Place order');
  const summary = h('p.form-error', { role: 'alert', tabindex: '-1' });
  const nearButton = h('p.submit-total', { 'aria-hidden': 'true' });

  const form = h('form.order-form', { novalidate: true, 'aria-label': 'New order' },
    field('Credit type', fType, 'Pay in the credits of your tool.'),
    baseBox, addonBox,
    field('Original file (ECU read)', file, 'Required. Uploaded as soon as you choose it.'),
    progress, fileState, dupBox,
    h('fieldset.vehicle', h('legend', 'Vehicle'),
      field('Make', make, 'Required.'), field('Model', model, 'Required.'), field('ECU', ecu, 'e.g. Bosch EDC17C50')),
    field('Notes for the workshop', notes),
    summary, h('div.actions', button, nearButton));

  clear(main, h('h1', 'New order'),
    h('div.order-layout', form,
      h('aside.card.quote', { 'aria-labelledby': 'quote-title' },
        h('h2#quote-title', 'Price'), limitBox, quoteBox)));

  // Services in the chosen type.
  const listServices = () => {
    const code = fType.value;
    const was = new Set([...form.querySelectorAll('input[name="base"]:checked, input[name="addons"]:checked')].map((e) => e.value));
    const of = (kind) => services.filter((s) => s.kind === kind && s.costs[code] !== undefined);
    const opts = (list) => list.map((s) => [s.id, s.name, ` — ${withName(code, s.costs[code])}`]);
    const bases = of('base');
    const addons = of('addon');
    clear(baseBox, bases.length
      ? choices('base', 'Service', opts(bases), { checked: [...was], onchange: requote })
      : notice('No base service can be paid in these credits.', 'warn'));
    clear(addonBox, addons.length
      ? choices('addons', 'Add-ons', opts(addons), { type: 'checkbox', checked: [...was], onchange: requote })
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
    if (duplicateOf) dupText.textContent = `You ordered this file recently (${duplicateOf}). Tick the box to order it again — the credits are charged again.`;
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
    fileState.textContent = `Uploading ${f.name}…`;
    const mine = uploading = api.upload('files', f, {
      key: newKey(),
      onProgress: (p) => { if (uploading === mine) progress.value = p; },
    }).then((r) => {
      if (uploading !== mine) return;
      fileId = r.file.id;
      progress.hidden = true;
      fileState.textContent = `Uploaded ${r.file.name} (${bytes(r.file.size)}).`;
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
        ? 'The file is too large.' : errorText(e);
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
      clear(quoteBox, h('p.sub', 'Choose a service to see the price.'),
        h('p.sub', `Available: ${withName(code, avail(code))}`));
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
      ? `Total ${withName(code, total)} · ${fmtv(code, after)} available after`
      : `Total ${withName(code, total)} · ${withName(code, q.shortfall)} missing`;
    clear(quoteBox,
      h('ul.lines', q.lines.map((l) => h('li', h('span', l.name), h('span.num', fmtv(code, l.cost))))),
      h('p.total', h('span', 'Total'), ' ', h('strong#quote-total', withName(code, total))),
      q.affordable
        ? [
          q.allocations.length ? h('div.alloc', h('p.sub', q.hold ? 'Held on delivery from:' : 'Drawn from:'),
            h('ul', q.allocations.map((a) => h('li',
              h('span', a.lot_name || a.lot_id),
              a.multiplier && Number(a.multiplier) !== 1 ? h('span.sub', ` peak ×${amount(a.multiplier.replace(/0+$/, '').replace(/\.$/, ''))}`) : null,
              h('span.num', fmtv(code, a.amount)))))) : null,
          h('p.balance', `Available ${fmtv(code, q.available)} → `, h('strong#quote-after', fmtv(code, after)), ' after this order'),
          isZero(sum([q.balance, negate(q.available)])) ? null
            : h('p.sub', `Your balance is ${fmtv(code, q.balance)}; ${fmtv(code, sum([q.balance, negate(q.available)]))} of it cannot be used now (paused, held or not started).`),
          q.hold ? h('p.sub', 'The credits are held now and charged when the file is delivered.') : null,
        ]
        : h('div.notice.error.short', { role: 'status' },
          h('p', `Not enough credits: you need ${withName(code, q.shortfall)} more (available ${fmtv(code, q.available)}).`),
          me.role === 'owner'
            ? h('p', h('a.button.primary', { href: '#/shop' }, 'Buy credits'))
            : h('p', 'Ask the owner of your account to buy credits.')),
      q.duplicate_of ? notice(`This file was ordered recently (${q.duplicate_of}).`, 'warn') : null);
  }

  // Placing the order.
  const idem = new Idem();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showErrors(form, null);
    const { base, services: ids } = picked();
    if (!base) {
      showErrors(form, new ApiError(422, { errors: [{ field: 'base', message: 'Choose a service.' }] }));
      return;
    }
    button.disabled = true;
    try {
      if (uploading) {
        fileState.textContent += ' Waiting for the upload to finish…';
        await uploading.catch(() => {});
      }
      // The workshop needs the original read and the vehicle's make and model.
      const missing = [];
      if (!file.files[0]) missing.push({ field: 'file', message: 'Choose the original file (the ECU read).' });
      else if (!fileId) missing.push({ field: 'file', message: fileErr().textContent || 'The file was not uploaded. Choose it again.' });
      if (!make.value.trim()) missing.push({ field: 'make', message: 'Enter the make.' });
      if (!model.value.trim()) missing.push({ field: 'model', message: 'Enter the model.' });
      if (missing.length) throw new ApiError(422, { errors: missing });
      if (duplicateOf && !confirm.checked) {
        throw new ApiError(409, { errors: [{ field: 'confirm_duplicate', message: 'Tick the box to order this file again, or choose another file.' }] });
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
          e.message = `Monthly limit reached: ${e.problem.detail || 'this order would pass your monthly limit'}. Ask the owner of your account to raise your limit.`;
        } else if (e.code === 'insufficient_credits') {
          e.errors = [];
          e.message = `Not enough credits: you need ${withName(fType.value, e.problem.shortfall)} more.`;
          requote();
        } else if (e.code === 'duplicate_file') {
          showDuplicate(e.problem.duplicate_of);
          e.errors = [{ field: 'confirm_duplicate', message: 'Tick the box to order this file again.' }];
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
