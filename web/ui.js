// Small DOM helpers shared by every page: an element builder, tables, forms
// that show the API's per-field errors next to their fields, dialogs, inline
// SVG sparklines and bar charts, loading and empty states, notices.
import { ApiError } from './api.js';
import { count, decimalInput } from './fmt.js';
import { t } from './i18n.js';

// h('button.primary', {onclick}, 'Save') → <button class="primary">Save</button>
export function h(tag, attrs, ...children) {
  const [head, ...classes] = tag.split('.');
  const [name, id] = head.split('#');
  const el = document.createElement(name || 'div');
  if (id) el.id = id;
  if (classes.length) el.className = classes.join(' ');
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className += (el.className ? ' ' : '') + v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && k !== 'list' && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const loading = (what = t('ui.loading')) => h('p.loading', { role: 'status' }, what);
export const empty = (text, ...more) => h('div.empty', h('p', text), ...more);

export function notice(text, kind = 'info') {
  return h(`div.notice.${kind}`, { role: kind === 'error' ? 'alert' : 'status' }, text);
}

// The message for a failed request, for a page-level notice.
export function errorText(e) {
  if (e instanceof ApiError) {
    if (e.status === 0) return e.message;
    return e.message || t('ui.server_answered', { status: e.status });
  }
  return String(e?.message || e);
}

// An e-mail address on one line, cut with an ellipsis when it is longer than
// its place (the whole address in its title and for screen readers): a line
// break inside an address (at its hyphen) reads as two words.
export function email(text) {
  return h('span.email', { title: text }, text);
}
const EMAIL = /^[^\s@]+@[^\s@]+$/;
// A cell's value: an address given as plain text becomes email(text).
function cellValue(v) {
  if (typeof v === 'string' && EMAIL.test(v)) return email(v);
  return Array.isArray(v) ? v.map(cellValue) : v;
}

// A table: columns [{label, value(row) → node|string, num: bool}], rows.
// The wrapper scrolls sideways on a narrow screen, so keyboard users can
// focus it (a named region).
export function table(columns, rows, { caption, rowAttrs } = {}) {
  return h('div.table-wrap', { tabindex: '0', role: 'region', 'aria-label': caption || t('ui.table') },
    h('table',
      caption ? h('caption', caption) : null,
      h('thead', h('tr', columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)))),
      h('tbody', rows.map((r) => h('tr', rowAttrs ? rowAttrs(r) : null,
        columns.map((c) => h('td', { class: c.num ? 'num' : null, 'data-label': c.label }, cellValue(c.value(r)))))))));
}

let fieldNo = 0;
// A labelled field: field('Credits', input) with a place for its error.
export function field(label, input, hint) {
  const id = input.id || `f${++fieldNo}`;
  input.id = id;
  const err = h('p.field-error', { id: `${id}-err`, 'aria-live': 'polite' });
  input.setAttribute('aria-describedby', `${id}-err`);
  return h('div.field', { dataset: { field: input.name || '' } },
    h('label', { for: id }, label), input, hint ? h('p.hint', hint) : null, err);
}

export function input(name, attrs = {}) { return h('input', { name, ...attrs }); }
export function select(name, options, attrs = {}) {
  return h('select', { name, ...attrs },
    options.map((o) => (Array.isArray(o) ? h('option', { value: o[0] }, o[1]) : h('option', { value: o }, o))));
}
// A textarea's text is its value property, not an attribute.
export function textarea(name, { value, ...attrs } = {}) {
  const el = h('textarea', { name, ...attrs });
  if (value !== undefined && value !== null) el.value = value;
  return el;
}

// A failed request's error without its field, for a form with no field to
// show it by (a confirmation): showErrors then says the message alone.
export function unfielded(e) {
  return e instanceof ApiError ? new ApiError(e.status, { ...e.problem, field: null, errors: null }) : e;
}

// Clears a form's errors, then shows the API's per-field errors next to the
// fields named (and the rest in the form's summary).
export function showErrors(form, e) {
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const summary = form.querySelector('.form-error');
  if (summary) summary.textContent = '';
  if (!e) return;
  const rest = [];
  const errors = e instanceof ApiError && e.errors.length ? e.errors : [{ field: null, message: errorText(e) }];
  for (const { field: name, message } of errors) {
    const input = name ? form.querySelector(`[name="${CSS.escape(name)}"]`) : null;
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      const out = form.querySelector(`#${CSS.escape(input.id)}-err`);
      if (out) out.textContent = message;
      else rest.push(`${name}: ${message}`);
    } else {
      rest.push(name ? `${name}: ${message}` : message);
    }
  }
  if (summary && rest.length) summary.textContent = rest.join(' ');
  const first = form.querySelector('[aria-invalid]');
  if (first) first.focus();
}

// A form whose submit runs fn(values) with its button busy; errors are shown.
export function form(children, fn, { submit = t('ui.save'), cls } = {}) {
  const button = h('button.primary', { type: 'submit' }, submit);
  const f = h('form', { class: cls, novalidate: true },
    children, h('p.form-error', { role: 'alert' }), h('div.actions', button));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showErrors(f, null);
    button.disabled = true;
    try {
      await fn(values(f), f);
    } catch (e) {
      showErrors(f, e);
    } finally {
      button.disabled = false;
    }
  });
  return f;
}

// The named fields of a form; empty strings dropped.
export function values(f) {
  const out = {};
  for (const el of f.elements) {
    if (!el.name || el.disabled) continue;
    if (el.type === 'checkbox') out[el.name] = el.checked;
    else if (el.type === 'radio') { if (el.checked) out[el.name] = el.value; }
    else if (el.type === 'file') out[el.name] = el.files[0] || null;
    // An amount may be typed as the reader's language writes it ("2,5").
    else if (el.value !== '') out[el.name] = el.inputMode === 'decimal' ? decimalInput(el.value) : el.value;
  }
  return out;
}

// A modal dialog with a form; resolves when fn succeeded, null on cancel
// (the button or Escape). The page behind it is inert; the focus stays in it.
export function dialog(title, children, fn, { submit = t('ui.save'), dismiss = t('ui.cancel') } = {}) {
  return new Promise((resolve) => {
    const d = h('dialog.modal', { 'aria-labelledby': 'dlg-title' });
    const close = (v) => { d.close(); d.remove(); resolve(v); };
    const f = form(children, async (v, fm) => close(await fn(v, fm) ?? true), { submit });
    f.querySelector('.actions').prepend(h('button', { type: 'button', onclick: () => close(null) }, dismiss));
    d.append(h('h2#dlg-title', title), f);
    d.addEventListener('cancel', (ev) => { ev.preventDefault(); close(null); });
    // Tab and Shift+Tab go round inside the dialog, never out to the browser.
    d.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Tab') return;
      const all = [...d.querySelectorAll('button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])')]
        .filter((el) => !el.disabled && el.getClientRects().length);
      if (!all.length) return;
      const [first, last] = [all[0], all[all.length - 1]];
      if (ev.shiftKey && document.activeElement === first) { ev.preventDefault(); last.focus(); }
      else if (!ev.shiftKey && document.activeElement === last) { ev.preventDefault(); first.focus(); }
    });
    document.body.append(d);
    d.showModal();
    const first = f.querySelector('input, select, textarea') || f.querySelector('button');
    if (first) first.focus();
  });
}

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}

// An inline SVG sparkline of numbers (decimal strings or numbers).
export function sparkline(values, { width = 120, height = 28, label = t('ui.trend') } = {}) {
  const v = values.map(Number);
  const max = Math.max(1, ...v);
  const step = v.length > 1 ? width / (v.length - 1) : width;
  const pts = v.map((y, i) => `${(i * step).toFixed(1)},${(height - 2 - (y / max) * (height - 4)).toFixed(1)}`);
  const total = v.reduce((a, b) => a + b, 0);
  return s('svg', { class: 'spark', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': t('ui.trend_total', { label, total: count(total) }) },
    s('title', {}, `${label}`),
    s('polyline', { points: pts.join(' '), fill: 'none', stroke: 'currentColor', 'stroke-width': '1.5' }));
}

// Vertical bars for a daily series.
export function bars(values, { width = 300, height = 60, label = t('ui.per_day') } = {}) {
  const v = values.map(Number);
  const max = Math.max(1, ...v);
  const w = width / Math.max(1, v.length);
  return s('svg', { class: 'bars', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label },
    s('title', {}, label),
    ...v.map((y, i) => s('rect', { x: (i * w + 1).toFixed(1), width: Math.max(1, w - 2).toFixed(1),
      y: (height - (y / max) * height).toFixed(1), height: ((y / max) * height).toFixed(1) })));
}

// A bar chart of a daily series with its axes: values [decimal strings],
// days ["2026-11-05", …] (one per value), format(value) → text. The value
// axis is labelled (0 and the highest day), the x axis has the first, middle
// and last dates; each bar shows its day and value on hover (its <title>),
// and a "Values per day" disclosure holds the same as a table, for the
// keyboard and screen readers. Returns null for an empty series.
export function barChart(values, days, { label = t('ui.per_day'), format = String, dayText = String } = {}) {
  if (!values || !values.length) return null;
  const v = values.map(Number);
  const top = Math.max(...v);
  const max = top > 0 ? top : 1;
  const [W, H, left, bottom, right] = [320, 120, 40, 22, 6];
  const plotW = W - left - right, plotH = H - bottom - 8;
  const w = plotW / v.length;
  const y = (x) => 8 + plotH - (x / max) * plotH;
  const tick = (i) => s('text', { x: (left + i * w + w / 2).toFixed(1), y: H - 6, 'text-anchor': 'middle' }, dayText(days[i]));
  const chart = s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label },
    s('title', {}, label),
    top > 0 ? s('line', { x1: left, x2: W - right, y1: y(max), y2: y(max), class: 'grid' }) : '',
    s('line', { x1: left, x2: left, y1: 8, y2: 8 + plotH, class: 'axis' }),
    s('line', { x1: left, x2: W - right, y1: 8 + plotH, y2: 8 + plotH, class: 'axis' }),
    top > 0 ? s('text', { x: left - 4, y: y(max) + 4, 'text-anchor': 'end' }, format(values[v.indexOf(top)])) : '',
    s('text', { x: left - 4, y: 8 + plotH + 4, 'text-anchor': 'end' }, format('0')),
    ...v.map((x, i) => s('rect', {
      x: (left + i * w + 1).toFixed(1), width: Math.max(1, w - 2).toFixed(1),
      y: y(x).toFixed(1), height: (8 + plotH - y(x)).toFixed(1),
    }, s('title', {}, `${dayText(days[i])}: ${format(values[i])}`))),
    tick(0), tick(Math.floor((v.length - 1) / 2)), tick(v.length - 1));
  const rows = values.map((x, i) => [days[i], x]);
  return h('figure.chart-box', chart,
    h('details.chart-values', h('summary', t('ui.values_per_day')),
      table([{ label: t('ui.day'), value: (r) => dayText(r[0]) }, { label: t('ui.value'), num: true, value: (r) => format(r[1]) }],
        rows, { caption: label })));
}

// The one pager of the portal: a cursor-paged list shown a page at a time
// with Newer / Older (a long list never grows the page without end):
// load(cursor) → {items, next_cursor}; show(items) → node (or a promise).
export function pager(load, show, { label = t('ui.pages'), none = t('ui.nothing_yet') } = {}) {
  const body = h('div.paged-body');
  const newer = h('button', { type: 'button' }, t('ui.newer'));
  const older = h('button', { type: 'button' }, t('ui.older'));
  const where = h('span.pager-at');
  const nav = h('nav.pager', { 'aria-label': label }, newer, where, older);
  const before = [];
  let at = null, next = null, seq = 0;
  async function open(cursor) {
    const mine = ++seq;
    newer.disabled = older.disabled = true;
    clear(body, loading());
    try {
      const page = await load(cursor);
      if (mine !== seq) return;
      at = cursor;
      next = page.next_cursor;
      clear(body, page.items.length ? await show(page.items) : empty(none));
      older.disabled = !next;
      newer.disabled = before.length === 0;
      where.textContent = t('ui.page', { page: count(before.length + 1) });
      nav.hidden = before.length === 0 && !next;
    } catch (e) {
      if (mine === seq) clear(body, notice(errorText(e), 'error'));
    }
  }
  older.addEventListener('click', () => { before.push(at); open(next); });
  newer.addEventListener('click', () => { open(before.pop() ?? null); });
  return {
    el: h('div.paged', body, nav),
    start: () => { before.length = 0; return open(null); },
    reload: () => open(at),
  };
}

export function badge(text, kind = '') { return h(`span.badge${kind ? '.' + kind : ''}`, text); }

// A secret shown once (a signing secret, an API key): in a marked box with
// a copy button and the words that it will not be shown again. done() runs
// when the user closes the box.
export function secretBox(title, secret, { hint, done } = {}) {
  const id = `secret-${Math.random().toString(36).slice(2, 8)}`;
  const value = h('code.secret', { id: `${id}-value` }, secret);
  const said = h('span.copied', { role: 'status' });
  const copy = h('button', { type: 'button', 'aria-describedby': `${id}-value` }, t('ui.copy'));
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(secret);
      said.textContent = t('ui.copied');
    } catch {
      // No clipboard (an insecure page, a refused permission): select it.
      const range = document.createRange();
      range.selectNodeContents(value);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      said.textContent = t('ui.copy_selected');
    }
  });
  const box = h('section.secret-once', { 'aria-labelledby': `${id}-title`, tabindex: '-1' },
    h('h2', { id: `${id}-title` }, title),
    h('p', h('strong', t('ui.copy_now'))),
    h('div.secret-row', value, copy, said),
    hint ? h('p.hint', hint) : null,
    h('div.actions', h('button', { type: 'button', onclick: () => { box.remove(); if (done) done(); } }, t('ui.stored_it'))));
  return box;
}
