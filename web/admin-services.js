// Services and their costs (#/admin/services): base services (Stage 1, …)
// and add-ons (DPF, EGR, …) with what each costs per credit type. Add
// (POST /services) and edit (PATCH /services/{id}, also switching a service
// off so it cannot be ordered).
import { api, newKey } from './api.js';
import { h, clear, table, field, input, select, dialog, badge, empty, loading } from './ui.js';
import { amount } from './fmt.js';
import { creditTypes, amountsField, amountsOf, checkbox, need, flash } from './admin-lib.js';

const KINDS = [['base', 'Base service'], ['addon', 'Add-on']];

function serviceFields(types, s) {
  const kind = select('kind', KINDS);
  kind.value = s?.kind || 'base';
  const fields = [
    field('Name', input('name', { value: s?.name || '', autocomplete: 'off' })),
    field('Kind', kind, 'An order has one base service and any add-ons.'),
    field('Category', input('category', { value: s?.category || '', autocomplete: 'off', placeholder: 'tuning' })),
    field('Provider', input('provider', { value: s?.provider || '', autocomplete: 'off' }), 'Optional, e.g. a trainer.'),
    amountsField('Cost per credit type', 'costs', types, s?.costs || {}, 'Leave a type empty when the service cannot be paid in it.'),
    field('Sort order', input('sort_order', { type: 'number', min: 0, max: 1000000, value: s?.sort_order ?? '' })),
  ];
  if (s) fields.push(field('Active', checkbox('active', s.active), 'Inactive services cannot be ordered.'));
  return fields;
}

function serviceBody(v, editing) {
  need(v, ['name']);
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
    if (!items.length) { clear(list, empty('No services yet. Add the first one.')); return; }
    const t = table([
      { label: 'Service', value: (s) => h('div', h('strong', s.name), ' ', s.active ? null : badge('Inactive', 'bad')) },
      { label: 'Kind', value: (s) => (s.kind === 'base' ? 'Base' : 'Add-on') },
      { label: 'Category', value: (s) => s.category || '–' },
      { label: 'Provider', value: (s) => s.provider || '–' },
      ...types.items.map((t) => ({
        label: t.name, num: true, value: (s) => (s.costs[t.code] !== undefined ? amount(s.costs[t.code]) : '–'),
      })),
      { label: 'Actions', value: (s) => h('button', { type: 'button', 'aria-label': `Edit ${s.name}`, onclick: () => edit(s) }, 'Edit') },
    ], items, { caption: 'Services and what they cost in each credit type' });
    t.classList.add('stack');
    clear(list, t);
  }

  async function add() {
    const key = newKey();
    const done = await dialog('Add a service', serviceFields(types, null),
      (v) => api.post('services', serviceBody(v, false), { key }), { submit: 'Add service' });
    if (done) { await refresh(); status.say(`Service “${done.name}” added.`); }
  }

  async function edit(s) {
    const key = newKey();
    const done = await dialog(`Edit ${s.name}`, serviceFields(types, s),
      (v) => api.patch(`services/${s.id}`, serviceBody(v, true), { key }));
    if (done) { await refresh(); status.say(`Service “${done.name}” saved.`); }
  }

  ctx.main.append(
    h('h1', 'Services and costs'),
    status.el,
    h('div.toolbar', h('button.primary', { type: 'button', onclick: add }, 'Add service')),
    list);
  await refresh();
}
