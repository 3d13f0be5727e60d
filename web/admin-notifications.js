// Notifications (#/admin/notifications, admins only): whether this server
// sends mail (GET /notifications/status) and how to turn it on, a test mail
// (POST /notifications/test-mail), the business's mail settings (sender
// name, reply-to, portal address, expiry notice; PATCH /settings) and the
// admin's own mail choices (GET/PATCH /me/notifications).
import { api, newKey, ApiError } from './api.js';
import { h, clear, field, input, form, notice } from './ui.js';
import { flash, need } from './admin-lib.js';
import { mailChoices } from './notify.js';
import { t } from './i18n.js';

const FIELDS = ['mail_sender_name', 'mail_reply_to', 'portal_url', 'expiry_notice_days'];

function statusBox(s) {
  if (!s.mail.configured) {
    return h('div.notice.warn.mail-off', { role: 'status' },
      h('p', h('strong', t('notify.off'))),
      h('p', t('notify.how_to')),
      h('ul',
        h('li', h('code', 'CREDITD_SMTP_URL'), `: ${t('notify.smtp_url')} `, h('code', 'smtps://user:password@mail.example.com:465'), ` ${t('notify.smtp_url_more')}`),
        h('li', h('code', 'CREDITD_MAIL_FROM'), `: ${t('notify.mail_from')} `, h('code', 'noreply@example.com'))),
      h('p', t('notify.restart')));
  }
  return h('div',
    h('div.notice.ok', { role: 'status' }, t('notify.on', { relay: s.mail.relay, from: s.mail.from })),
    h('dl.facts',
      h('dt', t('notify.relay')), h('dd.wrap', s.mail.relay),
      h('dt', t('notify.sender')), h('dd.wrap', s.mail.from),
      h('dt', t('notify.dispatch')), h('dd', s.dispatching ? t('notify.dispatching') : t('notify.dispatching_elsewhere')),
      h('dt', t('notify.private_webhooks')), h('dd', s.webhooks?.allow_private ? t('notify.private_allowed') : t('notify.private_refused'))));
}

export default async function render(ctx) {
  const status = flash();
  const [mailStatus, first, mine] = await Promise.all([
    api.get('notifications/status'), api.get('settings'), mailChoices(ctx.me, (text) => status.say(text)),
  ]);
  let settings = first;

  const sentBox = h('div.test-result');
  const test = form([
    field(t('notify.test_to'), input('to', { type: 'email', autocomplete: 'email', value: ctx.me.email }), t('notify.test_to_hint')),
  ], async (v) => {
    clear(sentBox);
    try {
      const r = await api.post('notifications/test-mail', { to: (v.to || '').trim() });
      clear(sentBox, notice(t('notify.test_sent', { to: v.to.trim(), id: r.message_id }), 'ok'));
    } catch (e) {
      // The refusal belongs next to the address, whatever it names (mail
      // not configured names CREDITD_SMTP_URL, no field of this form).
      if (e instanceof ApiError && e.field !== 'to') {
        throw new ApiError(e.status, { ...e.problem, field: 'to', errors: [{ field: 'to', message: e.message }] });
      }
      throw e;
    }
  }, { submit: t('notify.test_send'), cls: 'test-mail' });

  const text = (name, attrs = {}) => input(name, { value: settings[name] ?? '', autocomplete: 'off', ...attrs });
  const mailSettings = form([
    field(t('notify.sender_name'), text('mail_sender_name', { maxlength: 100 }), t('notify.sender_name_hint', { name: settings.name })),
    field(t('notify.reply_to'), text('mail_reply_to', { type: 'email' }), t('notify.reply_to_hint')),
    field(t('notify.portal'), text('portal_url', { type: 'url', placeholder: 'https://portal.example.com' }), t('notify.portal_hint')),
    field(t('notify.expiry_notice'), text('expiry_notice_days', { type: 'number', min: 0, max: 365 }), t('notify.expiry_notice_hint')),
  ], async (v) => {
    need(v, ['expiry_notice_days'], t('notify.expiry_notice_required'));
    const body = {};
    for (const k of FIELDS) {
      const now = k === 'expiry_notice_days' ? Number(v[k]) : (v[k] ?? '').trim();
      if (String(now) !== String(settings[k] ?? '')) body[k] = now;
    }
    if (!Object.keys(body).length) { status.say(t('notify.nothing'), 'info'); return; }
    settings = await api.patch('settings', body, { key: newKey() });
    status.say(t('notify.settings_saved'));
  }, { submit: t('notify.settings_save'), cls: 'settings-form' });

  ctx.main.append(
    h('h1', t('app.page.notifications')),
    status.el,
    h('section', { 'aria-labelledby': 'mail-title' }, h('h2#mail-title', t('notify.mail')), statusBox(mailStatus)),
    h('section', { 'aria-labelledby': 'test-title' }, h('h2#test-title', t('notify.test')), test, sentBox),
    h('section', { 'aria-labelledby': 'settings-title' }, h('h2#settings-title', t('notify.settings')), mailSettings),
    h('section', { 'aria-labelledby': 'yours-title' }, h('h2#yours-title', t('notify.yours')), mine),
    h('p', `${t('notify.see_also')}: `, h('a', { href: '#/admin/webhooks' }, t('app.page.webhooks')), ' · ', h('a', { href: '#/admin/events' }, t('app.page.events'))));
}
