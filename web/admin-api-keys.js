// API keys (#/admin/api-keys, admins only): the business's keys, revoked
// and expired ones too, never the key itself (GET /api-keys); creating one
// with a role, a name and an optional last day (POST /api-keys: the key is
// shown once, with a copy button); revoking one, asked first (DELETE
// /api-keys/{id}: every server refuses it from the next request).
import { api } from './api.js';
import { h, clear, table, field, input, select, form, dialog, empty, badge, secretBox, unfielded } from './ui.js';
import { dateTime, isoDay, zoneTime, nextDay } from './fmt.js';
import { flash } from './admin-lib.js';

const ROLES = [['staff', 'Staff'], ['admin', 'Admin']];
const ROLE = Object.fromEntries(ROLES);

const T = {
  title: 'API keys',
  intro: 'Programs (an accounting export, a shop system) use a key instead of signing in: they send it as “Authorization: Bearer <key>” and act with the key’s role.',
  caption: 'API keys, oldest first',
  name: 'Name', role: 'Role', created: 'Created', expires: 'Expires', status: 'Status', actions: 'Actions',
  unnamed: '(no name)', by: (who) => `by ${who}`, never: 'Never',
  active: 'Active', revoked: 'Revoked', expired: 'Expired',
  revokedAt: (t) => `revoked ${dateTime(t)}`,
  none: 'No API keys yet.',
  revoke: 'Revoke', revokeTitle: (k) => `Revoke the key ${k.name || k.id}?`,
  revokeText: 'Every program using it is refused from its next request, on every server. A revoked key cannot be used again; create a new one if needed.',
  nowRevoked: (k) => `The key ${k.name || k.id} is revoked.`,
  create: 'Create a key',
  nameHint: 'What uses it, e.g. “Nightly accounting export”.',
  roleHint: 'Staff keys read and run the business; admin keys can also change settings, users and keys.',
  until: 'Last day', untilHint: 'The key stops working at the end of this day (the business’s time zone). Empty: until revoked.',
  submit: 'Create key',
  secretTitle: (k) => `API key ${k.name || k.id}`,
  secretHint: 'Store it where the program reads its settings. If it is lost, revoke it and create another.',
};

function statusOf(k) {
  if (k.revoked_at) return [badge(T.revoked, 'bad'), h('p.hint', T.revokedAt(k.revoked_at))];
  if (!k.active) return badge(T.expired, 'warn');
  return badge(T.active, 'good');
}

export default async function render(ctx) {
  const { main } = ctx;
  const status = flash();
  const secretPlace = h('div.secret-place');
  const listBox = h('div');
  let keys = (await api.get('api-keys')).items;

  async function refresh() { keys = (await api.get('api-keys')).items; draw(); }

  function draw() {
    if (!keys.length) { clear(listBox, empty(T.none)); return; }
    const t = table([
      { label: T.name, value: (k) => h('div', h('strong', k.name || T.unnamed), h('p.hint', k.id)) },
      { label: T.role, value: (k) => ROLE[k.role] || k.role },
      { label: T.created, value: (k) => h('div', dateTime(k.created_at), k.created_by ? h('p.hint', T.by(k.created_by)) : null) },
      { label: T.expires, value: (k) => (k.expires_at ? dateTime(k.expires_at) : T.never) },
      { label: T.status, value: statusOf },
      {
        label: T.actions,
        value: (k) => (k.revoked_at ? '–' : h('button.danger', {
          type: 'button', 'aria-label': `${T.revoke} ${k.name || k.id}`, onclick: () => revoke(k),
        }, T.revoke)),
      },
    ], keys, { caption: T.caption, rowAttrs: (k) => ({ dataset: { key: k.id } }) });
    t.classList.add('stack');
    clear(listBox, t);
  }

  async function revoke(k) {
    const done = await dialog(T.revokeTitle(k), [h('p', T.revokeText)],
      () => api.del(`api-keys/${encodeURIComponent(k.id)}`).then(() => true, (e) => { throw unfielded(e); }),
      { submit: T.revoke });
    if (!done) return;
    clear(secretPlace);
    await refresh();
    status.say(T.nowRevoked(k));
  }

  const add = form([
    field(T.name, input('name', { autocomplete: 'off', maxlength: 100 }), T.nameHint),
    field(T.role, select('role', ROLES), T.roleHint),
    field(T.until, input('expires_at', { type: 'date', min: isoDay() }), T.untilHint),
  ], async (v, f) => {
    const body = { role: v.role, name: (v.name || '').trim() };
    if (v.expires_at) body.expires_at = zoneTime(nextDay(v.expires_at));
    const made = await api.post('api-keys', body);
    f.reset();
    await refresh();
    status.clear();
    const box = secretBox(T.secretTitle(made), made.key, { hint: T.secretHint });
    clear(secretPlace, box);
    box.focus();
  }, { submit: T.submit, cls: 'add-key' });

  draw();
  main.append(h('h1', T.title), h('p.sub', T.intro), status.el, secretPlace, listBox, h('h2', T.create), add);
}
