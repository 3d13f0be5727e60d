// The customer picker: a combobox (ARIA 1.2: an input with a popup listbox
// and aria-activedescendant) that asks the server as one types (GET
// /customers?q=, debounced, a page at a time with "More results" following
// next_cursor), so every customer can be found, not only the first page. The
// chosen customer's id sits in a hidden input named `name`, so forms read it
// like any field and the API's error on that field shows under the picker.
// Keys: Down/Up move through the list (Down opens it), Home/End jump, Enter
// chooses, Escape closes the list (a second Escape clears the text).
import { api } from './api.js';
import { h, clear } from './ui.js';
import { t, tn } from './i18n.js';

const PAGE = 20;
const WAIT_MS = 250;
let pickerNo = 0;

// A picker: {el, input (the text box), hidden (the value), ready, set(customer), onChange}.
// remember(c) is told of every customer seen; lookup(id) finds a known one
// (for a value given at the start).
export function combobox({ name = 'customer', value = '', label = t('picker.customer'), hint, placeholder = t('picker.placeholder'),
  exclude = null, remember = () => {}, lookup = async () => null, allText = '' } = {}) {
  const id = `cp${++pickerNo}`;
  const hidden = h('input', { type: 'hidden', name, id: `${id}-value`, value });
  const box = h('input', {
    id, type: 'text', role: 'combobox', autocomplete: 'off', spellcheck: 'false', placeholder,
    'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': `${id}-list`,
    'aria-describedby': `${id}-value-err${hint ? ` ${id}-hint` : ''}`,
  });
  const list = h('ul.combo-list', { id: `${id}-list`, role: 'listbox', 'aria-label': t('picker.matches', { label }), hidden: true });
  const said = h('p.combo-status.visually-hidden', { role: 'status', 'aria-live': 'polite' });
  // Said beside the list, not in it: a listbox holds only options.
  const none = h('p.combo-none', { hidden: true });
  const err = h('p.field-error', { id: `${id}-value-err`, 'aria-live': 'polite' });
  const el = h('div.field.combo', { dataset: { field: name } },
    h('label', { for: id }, label),
    h('div.combo-wrap', box, list, none),
    hint ? h('p.hint', { id: `${id}-hint` }, hint) : null,
    hidden, said, err);

  let items = [], next = null, active = -1, seq = 0, timer = null, chosenText = '';
  const picker = { el, input: box, hidden, onChange: null };

  function options() { return [...list.querySelectorAll('[role="option"]')]; }

  function open(show, text = '') {
    const has = show && options().length > 0;
    list.hidden = !has;
    none.hidden = !show || has;
    none.textContent = text;
    box.setAttribute('aria-expanded', has ? 'true' : 'false');
    if (!has) setActive(-1);
  }

  function setActive(i) {
    const opts = options();
    opts.forEach((o, k) => o.classList.toggle('active', k === i));
    active = i >= 0 && i < opts.length ? i : -1;
    if (active >= 0) {
      box.setAttribute('aria-activedescendant', opts[active].id);
      opts[active].scrollIntoView({ block: 'nearest' });
    } else box.removeAttribute('aria-activedescendant');
  }

  function draw() {
    const opts = items.map((c, k) => h('li', {
      id: `${id}-opt-${k}`, role: 'option', 'aria-selected': c.id === hidden.value ? 'true' : 'false', dataset: { id: c.id },
    }, h('span.combo-name', c.name), h('span.combo-more', [c.email, c.id].filter(Boolean).join(' · '))));
    if (next) opts.push(h('li.combo-next', { id: `${id}-opt-next`, role: 'option', 'aria-selected': 'false', dataset: { next: '1' } }, t('picker.more')));
    clear(list, opts);
  }

  async function search(q, more = false) {
    const mine = ++seq;
    const query = { q, limit: PAGE };
    if (more) query.cursor = next;
    let page;
    try { page = await api.get('customers', query); } catch (e) {
      if (mine === seq) { items = []; next = null; clear(list); open(true, t('picker.failed')); }
      return;
    }
    if (mine !== seq) return;
    page.items.forEach(remember);
    const found = page.items.filter((c) => !exclude || c.id !== exclude());
    const keep = more ? active : -1;
    items = more ? [...items, ...found] : found;
    next = page.next_cursor;
    draw();
    open(true, t('picker.none'));
    setActive(more ? Math.min(keep, items.length - 1) : -1);
    said.textContent = items.length ? tn(next ? 'picker.found_more' : 'picker.found', items.length) : t('picker.none');
  }

  function choose(c) {
    // A choice answers the field's error.
    err.textContent = '';
    hidden.removeAttribute('aria-invalid');
    hidden.value = c ? c.id : '';
    chosenText = c ? c.name : '';
    box.value = chosenText;
    open(false);
    said.textContent = c ? t('picker.chosen', { customer: c.name }) : '';
    if (picker.onChange) picker.onChange(c || null);
  }

  function pick(i) {
    const o = options()[i];
    if (!o) return;
    if (o.dataset.next) { search(box.value.trim(), true); return; }
    choose(items[i]);
  }

  box.addEventListener('input', () => {
    // Typing over a choice drops it: the value is only ever a chosen customer.
    if (hidden.value && box.value !== chosenText) { hidden.value = ''; if (picker.onChange) picker.onChange(null); }
    clearTimeout(timer);
    timer = setTimeout(() => search(box.value.trim()), WAIT_MS);
  });
  box.addEventListener('keydown', (ev) => {
    const n = options().length;
    const shown = !list.hidden;
    if (ev.key === 'ArrowDown') {
      ev.preventDefault();
      if (!shown) { clearTimeout(timer); search(box.value.trim()); return; }
      setActive(active < n - 1 ? active + 1 : 0);
    } else if (ev.key === 'ArrowUp' && shown) {
      ev.preventDefault();
      setActive(active > 0 ? active - 1 : n - 1);
    } else if ((ev.key === 'Home' || ev.key === 'End') && shown && active >= 0) {
      ev.preventDefault();
      setActive(ev.key === 'Home' ? 0 : n - 1);
    } else if (ev.key === 'Enter' && shown && active >= 0) {
      ev.preventDefault();
      pick(active);
    } else if (ev.key === 'Escape') {
      // Inside a dialog, Escape closes the list first, not the dialog.
      if (shown || !none.hidden) { ev.preventDefault(); ev.stopPropagation(); open(false); }
      else if (box.value) { ev.preventDefault(); ev.stopPropagation(); box.value = ''; choose(null); }
    } else if (ev.key === 'Tab' && shown) {
      open(false);
    }
  });
  // A click on an option chooses it; mousedown keeps the focus in the box.
  list.addEventListener('mousedown', (ev) => ev.preventDefault());
  list.addEventListener('click', (ev) => {
    const o = ev.target.closest('[role="option"]');
    if (o) pick(options().indexOf(o));
  });
  box.addEventListener('blur', () => {
    setTimeout(() => {
      if (document.activeElement === box) return;
      open(false);
      // Text that names no choice goes back to the choice (or to empty).
      if (box.value !== chosenText) box.value = chosenText;
    }, 150);
  });

  // Forms mark the hidden field invalid (showErrors): the text box says so too.
  new MutationObserver(() => {
    if (hidden.getAttribute('aria-invalid') === 'true') box.setAttribute('aria-invalid', 'true');
    else box.removeAttribute('aria-invalid');
  }).observe(hidden, { attributes: true, attributeFilter: ['aria-invalid'] });

  // showErrors focuses the first invalid field: for the hidden one, the text box.
  hidden.focus = () => box.focus();

  picker.set = (c) => { hidden.value = c ? c.id : ''; chosenText = c ? c.name : ''; box.value = chosenText; };
  picker.ready = (async () => {
    if (!value) { if (allText) box.placeholder = t('picker.all_placeholder', { all: allText }); return; }
    const c = await lookup(value);
    picker.set(c || { id: value, name: value });
  })();
  return picker;
}
