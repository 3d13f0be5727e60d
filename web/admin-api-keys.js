// API keys (#/admin/api-keys, admins only): the business's keys, revoked
// and expired ones too, never the key itself (GET /api-keys); creating one
// with a role, a name and an optional last day (POST /api-keys: the key is
// shown once, with a copy button); revoking one, asked first (DELETE
// /api-keys/{id}: every server refuses it from the next request).
import { api } from './api.js';
import { h, clear, table, field, input, select, form, dialog, empty, badge, secretBox, unfielded } from './ui.js';
import { dateTime, isoDay, zoneTime, nextDay } from './fmt.js';
import { flash } from './admin-lib.js';
import { t } from './i18n.js';

// The roles a key can have; their names are account.role.*.
const ROLES = ['staff', 'admin'];
const roleName = (r) => (ROLES.includes(r) ? t(`account.role.${r}`) : r);
const nameOf = (k) => k.name || k.id;

function statusOf(k) {
  if (k.revoked_at) return [badge(t('apikeys.revoked'), 'bad'), h('p.hint', t('apikeys.revoked_at', { when: dateTime(k.revoked_at) }))];
  if (!k.active) return badge(t('apikeys.expired'), 'warn');
  return badge(t('apikeys.active'), 'good');
}

export default async function render(ctx) {
  const { main } = ctx;
  const status = flash();
  const secretPlace = h('div.secret-place');
  const listBox = h('div');
  let keys = (await api.get('api-keys')).items;

  async function refresh() { keys = (await api.get('api-keys')).items; draw(); }

  function draw() {
    if (!keys.length) { clear(listBox, empty(t('apikeys.none'))); return; }
    const list = table([
      { label: t('apikeys.name'), value: (k) => h('div', h('strong', k.name || t('apikeys.unnamed')), h('p.hint', k.id)) },
      { label: t('apikeys.role'), value: (k) => roleName(k.role) },
      { label: t('apikeys.created'), value: (k) => h('div', dateTime(k.created_at), k.created_by ? h('p.hint', t('apikeys.by', { who: k.created_by })) : null) },
      { label: t('apikeys.expires'), value: (k) => (k.expires_at ? dateTime(k.expires_at) : t('apikeys.never')) },
      { label: t('apikeys.status'), value: statusOf },
      {
        label: t('apikeys.actions'),
        value: (k) => (k.revoked_at ? '–' : h('button.danger', {
          type: 'button', 'aria-label': t('apikeys.revoke_label', { name: nameOf(k) }), onclick: () => revoke(k),
        }, t('apikeys.revoke'))),
      },
    ], keys, { caption: t('apikeys.caption'), rowAttrs: (k) => ({ dataset: { key: k.id } }) });
    list.classList.add('stack');
    clear(listBox, list);
  }

  async function revoke(k) {
    const done = await dialog(t('apikeys.revoke_title', { name: nameOf(k) }), [h('p', t('apikeys.revoke_text'))],
      () => api.del(`api-keys/${encodeURIComponent(k.id)}`).then(() => true, (e) => { throw unfielded(e); }),
      { submit: t('apikeys.revoke') });
    if (!done) return;
    clear(secretPlace);
    await refresh();
    status.say(t('apikeys.now_revoked', { name: nameOf(k) }));
  }

  const add = form([
    field(t('apikeys.name'), input('name', { autocomplete: 'off', maxlength: 100 }), t('apikeys.name_hint')),
    field(t('apikeys.role'), select('role', ROLES.map((r) => [r, roleName(r)])), t('apikeys.role_hint')),
    field(t('apikeys.until'), input('expires_at', { type: 'date', min: isoDay() }), t('apikeys.until_hint')),
  ], async (v, f) => {
    const body = { role: v.role, name: (v.name || '').trim() };
    if (v.expires_at) body.expires_at = zoneTime(nextDay(v.expires_at));
    const made = await api.post('api-keys', body);
    f.reset();
    await refresh();
    status.clear();
    const box = secretBox(t('apikeys.secret_title', { name: nameOf(made) }), made.key, { hint: t('apikeys.secret_hint') });
    clear(secretPlace, box);
    box.focus();
  }, { submit: t('apikeys.submit'), cls: 'add-key' });

  draw();
  main.append(h('h1', t('app.page.api_keys')), h('p.sub', t('apikeys.intro')), status.el, secretPlace, listBox, h('h2', t('apikeys.create')), add);
}
