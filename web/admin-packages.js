// Credit packages (#/admin/packages): what the shop sells, grouped by credit
// type (Master, Slave, …; a package of several types under "Several types"),
// with the price per credit. Add (POST /packages), edit (PATCH), publish or
// withdraw (PATCH published), archive (DELETE) and restore (PATCH archived).
import { api, newKey } from './api.js';
import { h, clear, table, field, input, textarea, dialog, badge, empty, loading } from './ui.js';
import { amount, money, unitPrice, amountOf } from './fmt.js';
import {
  creditTypes, typeName, amountsField, amountsOf, checkbox, need, flash,
} from './admin-lib.js';
import { t, tn } from './i18n.js';

function validityText(v) {
  if (!v || v.expiry === 'never') return t('packages.never_expires');
  if (v.expiry_days) return tn('packages.days', v.expiry_days);
  return v.expiry;
}

// What an edit keeps: the validity as made.
function editHint(v) {
  if (!v || v.expiry === 'never') return t('packages.edit_hint_never');
  if (v.expiry_days) return tn('packages.edit_hint_days', v.expiry_days);
  return t('packages.edit_hint_expiry', { validity: v.expiry });
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
  if (p.archived) return badge(t('packages.archived'), 'bad');
  return p.published ? badge(t('packages.published'), 'good') : badge(t('packages.draft'), 'warn');
}

// The fields of the add and edit dialogs; validity and restrictions are set
// when a package is made (PATCH does not take them).
function packageFields(types, p) {
  const fields = [
    field(t('packages.name'), input('name', { value: p?.name || '', required: true, autocomplete: 'off' })),
    field(t('packages.description'), textarea('description', { rows: 2, value: p?.description || '' })),
    amountsField(t('packages.credits_per_type'), 'credits', types, p?.credits || {}, t('packages.credits_hint')),
    field(t('packages.price'), input('price', { inputmode: 'decimal', value: p?.price || '', placeholder: amount('129.00') })),
    field(t('packages.vat_rate'), input('vat_rate', { inputmode: 'decimal', value: p?.vat_rate ?? '' }),
      t('packages.vat_hint')),
    field(t('packages.published'), checkbox('published', p ? p.published : false), t('packages.published_hint')),
    field(t('packages.sort_order'), input('sort_order', { type: 'number', min: 0, max: 1000000, value: p?.sort_order ?? '' })),
  ];
  if (p) {
    fields.push(h('p.hint', editHint(p.validity)));
  } else {
    fields.push(
      field(t('packages.expiry_days'), input('expiry_days', { type: 'number', min: 1, max: 3660 }),
        t('packages.expiry_hint')),
      field(t('packages.categories'), input('categories', { autocomplete: 'off' }), t('packages.categories_hint')),
      field(t('packages.provider'), input('provider', { autocomplete: 'off' }), t('packages.provider_hint')),
      field(t('packages.peak'), input('peak', { autocomplete: 'off' }), t('packages.peak_hint')));
  }
  return fields;
}

function packageBody(v, creating) {
  need(v, ['name', 'price'], t('packages.required'));
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
    if (!shown.length) { clear(list, empty(t('packages.none'))); return; }
    const groups = new Map();
    for (const p of shown) {
      const codes = Object.keys(p.credits);
      const key = codes.length === 1 ? codes[0] : '*';
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(p);
    }
    const order = [...types.items.map((x) => x.code), '*'].filter((k) => groups.has(k));
    for (const k of groups.keys()) if (!order.includes(k)) order.push(k);
    clear(list, order.map((k) => {
      const rows = groups.get(k).sort((a, b) => a.sort_order - b.sort_order || a.name.localeCompare(b.name));
      const title = k === '*' ? t('packages.several') : typeName(types, k);
      const tbl = table([
        { label: t('packages.col_package'), value: (p) => h('div', h('strong', p.name), ' ', states(p), p.description ? h('p.hint', p.description) : null) },
        { label: t('packages.col_credits'), num: true, value: (p) => creditsText(types, p) },
        { label: t('packages.price'), num: true, value: (p) => money(p.price) },
        { label: t('packages.col_per_credit'), num: true, value: (p) => perCredit(p) },
        { label: t('packages.col_vat'), num: true, value: (p) => (p.vat_rate === null ? t('packages.vat_standard') : t('packages.vat_percent', { rate: amount(p.vat_rate) })) },
        { label: t('packages.col_validity'), value: (p) => validityText(p.validity) },
        { label: t('packages.col_actions'), value: (p) => actions(p) },
      ], rows, { caption: tn('packages.caption', rows.length, { title }) });
      tbl.classList.add('stack');
      return h('section.package-group', h('h2', title), tbl);
    }));
  }

  function actions(p) {
    const out = [];
    if (!p.archived) {
      out.push(h('button', { type: 'button', 'aria-label': t('packages.edit_label', { name: p.name }), onclick: () => edit(p) }, t('packages.edit')));
      out.push(h('button', {
        type: 'button', 'aria-label': t(p.published ? 'packages.withdraw_label' : 'packages.publish_label', { name: p.name }), onclick: () => publish(p),
      }, p.published ? t('packages.withdraw') : t('packages.publish')));
      out.push(h('button.danger', { type: 'button', 'aria-label': t('packages.archive_label', { name: p.name }), onclick: () => archive(p) }, t('packages.archive')));
    } else {
      out.push(h('button', { type: 'button', 'aria-label': t('packages.restore_label', { name: p.name }), onclick: () => restore(p) }, t('packages.restore')));
    }
    return h('div.row-actions', out);
  }

  async function add() {
    const key = newKey();
    const done = await dialog(t('packages.add_title'), packageFields(types, null),
      (v) => api.post('packages', packageBody(v, true), { key }), { submit: t('packages.add') });
    if (done) { await refresh(); status.say(t(done.published ? 'packages.added_published' : 'packages.added', { name: done.name })); }
  }

  async function edit(p) {
    const key = newKey();
    const done = await dialog(t('packages.edit_label', { name: p.name }), packageFields(types, p),
      (v) => api.patch(`packages/${p.id}`, packageBody(v, false), { key }));
    if (done) { await refresh(); status.say(t('packages.saved', { name: done.name })); }
  }

  async function publish(p) {
    try {
      await api.patch(`packages/${p.id}`, { published: !p.published }, { key: newKey() });
      await refresh();
      status.say(t(p.published ? 'packages.withdrawn' : 'packages.published_done', { name: p.name }));
    } catch (e) { status.fail(e); }
  }

  async function archive(p) {
    const done = await dialog(t('packages.archive_title', { name: p.name }),
      [h('p', t('packages.archive_text'))],
      () => api.del(`packages/${p.id}`), { submit: t('packages.archive') });
    if (done) { await refresh(); status.say(t('packages.archived_done', { name: p.name })); }
  }

  async function restore(p) {
    try {
      await api.patch(`packages/${p.id}`, { archived: false }, { key: newKey() });
      await refresh();
      status.say(t('packages.restored', { name: p.name }));
    } catch (e) { status.fail(e); }
  }

  ctx.main.append(
    h('h1', t('app.page.packages')),
    status.el,
    h('div.toolbar',
      h('button.primary', { type: 'button', onclick: add }, t('packages.add')),
      h('label.check', showArchived, ` ${t('packages.show_archived')}`)),
    list);
  await refresh();
}
