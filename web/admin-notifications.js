// Notifications (#/admin/notifications, admins only): whether this server
// sends mail (GET /notifications/status) and how to turn it on, a test mail
// (POST /notifications/test-mail), the business's mail settings (sender
// name, reply-to, portal address, expiry notice; PATCH /settings) and the
// admin's own mail choices (GET/PATCH /me/notifications).
import { api, newKey, ApiError } from './api.js';
import { h, clear, field, input, form, notice } from './ui.js';
import { flash, need } from './admin-lib.js';
import { mailChoices } from './notify.js';

const T = {
  title: 'Notifications',
  mail: 'Mail',
  on: (relay, from) => `Mail is sent through ${relay} as ${from}.`,
  off: 'Mail is not configured: nothing is sent. Mails are kept in the event log as skipped (“mail is not configured”).',
  howTo: 'To turn it on, start creditd with two variables set:',
  smtpUrl: ['the relay, e.g.', 'smtps://user:password@mail.example.com:465', '(or smtp:// with STARTTLS on port 587)'],
  mailFrom: ['the sender address, e.g.', 'noreply@example.com', ''],
  restart: 'then restart the server and send a test mail.',
  relay: 'Relay', sender: 'Sender', dispatch: 'Dispatching', webhooks: 'Webhooks to private addresses',
  dispatching: (yes) => (yes ? 'This server sends events' : 'Another server sends events'),
  allowPrivate: (yes) => (yes ? 'Allowed (serve --webhook-allow-private)' : 'Refused'),
  test: 'Send a test mail',
  to: 'Send to',
  toHint: 'A short mail in the business’s language, signed with its name.',
  sendTest: 'Send test mail',
  sent: (to, id) => `Test mail sent to ${to}; message id ${id}.`,
  settings: 'Mail settings',
  senderName: 'Sender name',
  senderHint: (name) => `Shown as the mails’ sender; empty: the business name (${name}).`,
  replyTo: 'Reply-to address',
  replyHint: 'Where replies to the mails go; empty: to the sender.',
  portal: 'Portal address',
  portalHint: 'Links in mails point here, e.g. https://portal.example.com; empty: the address the portal is reached at.',
  notice: 'Expiry notice (days)',
  noticeHint: 'Owners are told this many days before credits expire; 0: never.',
  save: 'Save mail settings',
  saved: 'Mail settings saved.',
  unchanged: 'Nothing changed.',
  yours: 'Your own mails',
  more: 'See also',
  hooks: 'Webhooks', log: 'Event log',
};

const FIELDS = ['mail_sender_name', 'mail_reply_to', 'portal_url', 'expiry_notice_days'];

function statusBox(s) {
  if (!s.mail.configured) {
    return h('div.notice.warn.mail-off', { role: 'status' },
      h('p', h('strong', T.off)),
      h('p', T.howTo),
      h('ul',
        h('li', h('code', 'CREDITD_SMTP_URL'), `: ${T.smtpUrl[0]} `, h('code', T.smtpUrl[1]), ` ${T.smtpUrl[2]}`),
        h('li', h('code', 'CREDITD_MAIL_FROM'), `: ${T.mailFrom[0]} `, h('code', T.mailFrom[1]), T.mailFrom[2])),
      h('p', T.restart));
  }
  return h('div',
    h('div.notice.ok', { role: 'status' }, T.on(s.mail.relay, s.mail.from)),
    h('dl.facts',
      h('dt', T.relay), h('dd.wrap', s.mail.relay),
      h('dt', T.sender), h('dd.wrap', s.mail.from),
      h('dt', T.dispatch), h('dd', T.dispatching(s.dispatching)),
      h('dt', T.webhooks), h('dd', T.allowPrivate(s.webhooks?.allow_private))));
}

export default async function render(ctx) {
  const status = flash();
  const [mailStatus, first, mine] = await Promise.all([
    api.get('notifications/status'), api.get('settings'), mailChoices(ctx.me, (t) => status.say(t)),
  ]);
  let settings = first;

  const sentBox = h('div.test-result');
  const test = form([
    field(T.to, input('to', { type: 'email', autocomplete: 'email', value: ctx.me.email }), T.toHint),
  ], async (v) => {
    clear(sentBox);
    try {
      const r = await api.post('notifications/test-mail', { to: (v.to || '').trim() });
      clear(sentBox, notice(T.sent(v.to.trim(), r.message_id), 'ok'));
    } catch (e) {
      // The refusal belongs next to the address, whatever it names (mail
      // not configured names CREDITD_SMTP_URL, no field of this form).
      if (e instanceof ApiError && e.field !== 'to') {
        throw new ApiError(e.status, { ...e.problem, field: 'to', errors: [{ field: 'to', message: e.message }] });
      }
      throw e;
    }
  }, { submit: T.sendTest, cls: 'test-mail' });

  const text = (name, attrs = {}) => input(name, { value: settings[name] ?? '', autocomplete: 'off', ...attrs });
  const mailSettings = form([
    field(T.senderName, text('mail_sender_name', { maxlength: 100 }), T.senderHint(settings.name)),
    field(T.replyTo, text('mail_reply_to', { type: 'email' }), T.replyHint),
    field(T.portal, text('portal_url', { type: 'url', placeholder: 'https://portal.example.com' }), T.portalHint),
    field(T.notice, text('expiry_notice_days', { type: 'number', min: 0, max: 365 }), T.noticeHint),
  ], async (v) => {
    need(v, ['expiry_notice_days'], 'is required: 0 turns the notice off');
    const body = {};
    for (const k of FIELDS) {
      const now = k === 'expiry_notice_days' ? Number(v[k]) : (v[k] ?? '').trim();
      if (String(now) !== String(settings[k] ?? '')) body[k] = now;
    }
    if (!Object.keys(body).length) { status.say(T.unchanged, 'info'); return; }
    settings = await api.patch('settings', body, { key: newKey() });
    status.say(T.saved);
  }, { submit: T.save, cls: 'settings-form' });

  ctx.main.append(
    h('h1', T.title),
    status.el,
    h('section', { 'aria-labelledby': 'mail-title' }, h('h2#mail-title', T.mail), statusBox(mailStatus)),
    h('section', { 'aria-labelledby': 'test-title' }, h('h2#test-title', T.test), test, sentBox),
    h('section', { 'aria-labelledby': 'settings-title' }, h('h2#settings-title', T.settings), mailSettings),
    h('section', { 'aria-labelledby': 'yours-title' }, h('h2#yours-title', T.yours), mine),
    h('p', `${T.more}: `, h('a', { href: '#/admin/webhooks' }, T.hooks), ' · ', h('a', { href: '#/admin/events' }, T.log)));
}
