// Services and their costs (#/admin/services): base services (Stage 1, …)
// and add-ons (DPF, EGR, …) with what each costs per credit type. Add
// (POST /services) and edit (PATCH /services/{id}, also switching a service
// off so it cannot be ordered).
import { api, newKey } from './api.js';
import { h, clear, table, field, input, select, dialog, badge, empty, loading } from './ui.js';
import { amount } from './fmt.js';
import { creditTypes, amountsField, amountsOf, checkbox, need, flash } from './admin-lib.js';
import { t } from './i18n.js';

function serviceFields(types, s) {
  const kind = select('kind', [['base', t('services.kind_base_service')], ['addon', t('services.kind_addon')]]);
  kind.value = s?.kind || 'base';
  const fields = [
    field(t('services.name'), input('name', { value: s?.name || '', autocomplete: 'off' })),
    field(t('services.kind'), kind, t('services.kind_hint')),
    field(t('services.category'), input('category', { value: s?.category || '', autocomplete: 'off', placeholder: 'tuning' })),
    field(t('services.provider'), input('provider', { value: s?.provider || '', autocomplete: 'off' }), t('services.provider_hint')),
    amountsField(t('services.costs'), 'costs', types, s?.costs || {}, t('services.costs_hint')),
    field(t('services.sort_order'), input('sort_order', { type: 'number', min: 0, max: 1000000, value: s?.sort_order ?? '' })),
  ];
  if (s) fields.push(field(t('services.active'), checkbox('active', s.active), t('services.active_hint')));
  return fields;
}

function serviceBody(v, editing) {
  need(v, ['name'], t('services.required'));
  const body = {
    name: v.name.trim(), kind: v.kind, category: v.category || '', provider: v.provider || '',
    costs: amountsOf(v, 'costs'),
  };
  if (v.sort_order !== undefined) body.sort_order = Number(v.sort_order);
  if (editing) body.active = Boolean(v.active);
  return body;
}

export default async function render(ctx) {
  const types = await creditTypes();
  const status = flash();
  const list = h('div', loading());

  async function refresh() {
    const items = (await api.get('services')).items
      .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'base' ? -1 : 1) || a.sort_order - b.sort_order);
    if (!items.length) { clear(list, empty(t('services.none'))); return; }
    const tbl = table([
      { label: t('services.col_service'), value: (s) => h('div', h('strong', s.name), ' ', s.active ? null : badge(t('services.inactive'), 'bad')) },
      { label: t('services.kind'), value: (s) => (s.kind === 'base' ? t('services.kind_base') : t('services.kind_addon')) },
      { label: t('services.category'), value: (s) => s.category || '–' },
      { label: t('services.provider'), value: (s) => s.provider || '–' },
      ...types.items.map((x) => ({
        label: x.name, num: true, value: (s) => (s.costs[x.code] !== undefined ? amount(s.costs[x.code]) : '–'),
      })),
      { label: t('services.col_actions'), value: (s) => h('button', { type: 'button', 'aria-label': t('services.edit_label', { name: s.name }), onclick: () => edit(s) }, t('services.edit')) },
    ], items, { caption: t('services.caption') });
    tbl.classList.add('stack');
    clear(list, tbl);
  }

  async function add() {
    const key = newKey();
    const done = await dialog(t('services.add_title'), serviceFields(types, null),
      (v) => api.post('services', serviceBody(v, false), { key }), { submit: t('services.add') });
    if (done) { await refresh(); status.say(t('services.added', { name: done.name })); }
  }

  async function edit(s) {
    const key = newKey();
    const done = await dialog(t('services.edit_label', { name: s.name }), serviceFields(types, s),
      (v) => api.patch(`services/${s.id}`, serviceBody(v, true), { key }));
    if (done) { await refresh(); status.say(t('services.saved', { name: done.name })); }
  }

  ctx.main.append(
    h('h1', t('services.title')),
    status.el,
    h('div.toolbar', h('button.primary', { type: 'button', onclick: add }, t('services.add'))),
    list);
  await refresh();
}
