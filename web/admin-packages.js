// Credit packages (#/admin/packages): what the shop sells, grouped by credit
// type (Master, Slave, …; a package of several types under "Several types"),
// with the price per credit. Add (POST /packages), edit (PATCH), publish or
// withdraw (PATCH published), archive (DELETE) and restore (PATCH archived).
import { api, newKey } from './api.js';
import { h, clear, table, field, input, textarea, dialog, badge, empty, loading } from './ui.js';
import { amount, money, unitPrice, counted, amountOf } from './fmt.js';
import {
  creditTypes, typeName, amountsField, amountsOf, checkbox, need, flash,
} from './admin-lib.js';

function validityText(v) {
  if (!v || v.expiry === 'never') return 'Never expires';
  if (v.expiry_days) return counted(v.expiry_days, 'day', 'days');
  return v.expiry;
}

function creditsText(types, p) {
  return Object.entries(p.credits).map(([c, a]) => `${amountOf(a, typeName(types, c))}`).join(' + ');
}

function perCredit(p) {
  const entries = Object.entries(p.credits);
  if (entries.length !== 1) return '–';
  const each = unitPrice(p.price, entries[0][1]);
  return each ? money(each) : '–';
}

function states(p) {
  if (p.archived) return badge('Archived', 'bad');
  return p.published ? badge('Published', 'good') : badge('Draft', 'warn');
}

// The fields of the add and edit dialogs; validity and restrictions are set
// when a package is made (PATCH does not take them).
function packageFields(types, p) {
  const fields = [
    field('Name', input('name', { value: p?.name || '', required: true, autocomplete: 'off' })),
    field('Description', textarea('description', { rows: 2, value: p?.description || '' })),
    amountsField('Credits per type', 'credits', types, p?.credits || {}, 'Fill in the types this package holds.'),
    field('Price excl. VAT', input('price', { inputmode: 'decimal', value: p?.price || '', placeholder: '129.00' })),
    field('VAT rate (%)', input('vat_rate', { inputmode: 'decimal', value: p?.vat_rate ?? '' }),
      'Leave empty for the business\'s rate.'),
    field('Published', checkbox('published', p ? p.published : false), 'Customers see and buy published packages only.'),
    field('Sort order', input('sort_order', { type: 'number', min: 0, max: 1000000, value: p?.sort_order ?? '' })),
  ];
  if (p) {
    fields.push(h('p.hint', `Validity (${validityText(p.validity).toLowerCase()}) and restrictions stay as made; for others, add a new package and archive this one.`));
  } else {
    fields.push(
      field('Credits expire after (days)', input('expiry_days', { type: 'number', min: 1, max: 3660 }),
        'Leave empty: the credits never expire.'),
      field('Service categories', input('categories', { autocomplete: 'off' }), 'Only for these categories (empty: all).'),
      field('Provider', input('provider', { autocomplete: 'off' }), 'Only for this provider (empty: any).'),
      field('Peak rule', input('peak', { autocomplete: 'off' }), 'Optional peak-time rule.'));
  }
  return fields;
}

function packageBody(v, creating) {
  need(v, ['name', 'price']);
  const body = {
    name: v.name.trim(),
    description: v.description || '',
    credits: amountsOf(v, 'credits'),
    price: v.price.trim(),
    published: Boolean(v.published),
  };
  if (v.vat_rate) body.vat_rate = v.vat_rate.trim();
  if (v.sort_order !== undefined) body.sort_order = Number(v.sort_order);
  if (creating) {
    if (v.expiry_days) body.expiry_days = Number(v.expiry_days);
    for (const k of ['categories', 'provider', 'peak']) if (v[k]) body[k] = v[k];
  }
  return body;
}

export default async function render(ctx) {
  const types = await creditTypes();
  const status = flash();
  const list = h('div.package-groups', loading());
  const showArchived = checkbox('show_archived', ctx.query.archived === '1');
  showArchived.addEventListener('change', () => draw());
  let items = [];

  async function refresh() {
    items = (await api.get('packages')).items;
    draw();
  }

  function draw() {
    const shown = items.filter((p) => showArchived.checked || !p.archived);
    if (!shown.length) { clear(list, empty('No packages yet. Add the first one.')); return; }
    const groups = new Map();
    for (const p of shown) {
      const codes = Object.keys(p.credits);
      const key = codes.length === 1 ? codes[0] : '*';
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(p);
    }
    const order = [...types.items.map((t) => t.code), '*'].filter((k) => groups.has(k));
    for (const k of groups.keys()) if (!order.includes(k)) order.push(k);
    clear(list, order.map((k) => {
      const rows = groups.get(k).sort((a, b) => a.sort_order - b.sort_order || a.name.localeCompare(b.name));
      const title = k === '*' ? 'Several types' : typeName(types, k);
      const t = table([
        { label: 'Package', value: (p) => h('div', h('strong', p.name), ' ', states(p), p.description ? h('p.hint', p.description) : null) },
        { label: 'Credits', num: true, value: (p) => creditsText(types, p) },
        { label: 'Price excl. VAT', num: true, value: (p) => money(p.price) },
        { label: 'Per credit', num: true, value: (p) => perCredit(p) },
        { label: 'VAT', num: true, value: (p) => (p.vat_rate === null ? 'Standard' : `${amount(p.vat_rate)} %`) },
        { label: 'Validity', value: (p) => validityText(p.validity) },
        { label: 'Actions', value: (p) => actions(p) },
      ], rows, { caption: `${title}: ${counted(rows.length, 'package', 'packages')}` });
      t.classList.add('stack');
      return h('section.package-group', h('h2', title), t);
    }));
  }

  function actions(p) {
    const out = [];
    if (!p.archived) {
      out.push(h('button', { type: 'button', 'aria-label': `Edit ${p.name}`, onclick: () => edit(p) }, 'Edit'));
      out.push(h('button', {
        type: 'button', 'aria-label': `${p.published ? 'Withdraw' : 'Publish'} ${p.name}`, onclick: () => publish(p),
      }, p.published ? 'Withdraw' : 'Publish'));
      out.push(h('button.danger', { type: 'button', 'aria-label': `Archive ${p.name}`, onclick: () => archive(p) }, 'Archive'));
    } else {
      out.push(h('button', { type: 'button', 'aria-label': `Restore ${p.name}`, onclick: () => restore(p) }, 'Restore'));
    }
    return h('div.row-actions', out);
  }

  async function add() {
    const key = newKey();
    const done = await dialog('Add a package', packageFields(types, null),
      (v) => api.post('packages', packageBody(v, true), { key }), { submit: 'Add package' });
    if (done) { await refresh(); status.say(`Package “${done.name}” added${done.published ? ' and published' : ''}.`); }
  }

  async function edit(p) {
    const key = newKey();
    const done = await dialog(`Edit ${p.name}`, packageFields(types, p),
      (v) => api.patch(`packages/${p.id}`, packageBody(v, false), { key }));
    if (done) { await refresh(); status.say(`Package “${done.name}” saved.`); }
  }

  async function publish(p) {
    try {
      await api.patch(`packages/${p.id}`, { published: !p.published }, { key: newKey() });
      await refresh();
      status.say(p.published ? `“${p.name}” is withdrawn from the shop.` : `“${p.name}” is published.`);
    } catch (e) { status.fail(e); }
  }

  async function archive(p) {
    const done = await dialog(`Archive ${p.name}?`,
      [h('p', 'Archived packages leave the shop for good; invoices and lots keep naming them. You can restore it later as a draft.')],
      () => api.del(`packages/${p.id}`), { submit: 'Archive' });
    if (done) { await refresh(); status.say(`“${p.name}” is archived.`); }
  }

  async function restore(p) {
    try {
      await api.patch(`packages/${p.id}`, { archived: false }, { key: newKey() });
      await refresh();
      status.say(`“${p.name}” is restored as a draft.`);
    } catch (e) { status.fail(e); }
  }

  ctx.main.append(
    h('h1', 'Packages'),
    status.el,
    h('div.toolbar',
      h('button.primary', { type: 'button', onclick: add }, 'Add package'),
      h('label.check', showArchived, ' Show archived packages')),
    list);
  await refresh();
}
