// What the notification pages share (the customer's and staff's Notifications,
// the admin's Notifications, Webhooks and Event log): the event types with
// their names, a group of checkboxes for event types, the statuses of
// deliveries, and the signed-in user's mail choices (GET/PATCH
// /me/notifications) as a form. The words are notify.* of the catalogues.
import { api } from './api.js';
import { h, clear, field, select, form, badge } from './ui.js';
import { t, LANGUAGES as PORTAL_LANGUAGES } from './i18n.js';

// Every event type in the API's order; each has a name
// (notify.event.<type>) and what it means (notify.meaning.<type>).
export const EVENT_TYPES = [
  'order.created', 'order.status_changed', 'order.completed', 'order.rejected', 'order.cancelled',
  'invoice.created', 'invoice.paid', 'credits.added', 'credits.adjusted', 'credits.expiring',
  'balance.low', 'member.limit_reached', 'webhook_endpoint.disabled',
];

// A type's name; a type this portal does not know yet by its code.
export function eventName(type) { return EVENT_TYPES.includes(type) ? t(`notify.event.${type}`) : type; }
function eventMeaning(type) { return EVENT_TYPES.includes(type) ? t(`notify.meaning.${type}`) : null; }

// The mails that cannot be turned off, and the reason (notify.essential.<type>).
const ESSENTIAL = ['invoice.created', 'invoice.paid', 'webhook_endpoint.disabled'];

// A delivery's status (notify.delivery.<status>) and its badge's tone.
const DELIVERY = { pending: 'warn', delivered: 'good', failed: 'bad', skipped: '', retry: 'warn' };

// A delivery's status in words ("Delivered"); one this portal does not know by its code.
export function deliveryName(status) { return status in DELIVERY ? t(`notify.delivery.${status}`) : status; }

// A delivery's (or a delivery attempt's outcome's) status as a badge.
export function deliveryBadge(status) { return badge(deliveryName(status), DELIVERY[status] || ''); }

const CHANNELS = ['mail', 'webhook'];

// A delivery's channel in words ("Mail", "Webhook").
export function channelName(channel) { return CHANNELS.includes(channel) ? t(`notify.channel.${channel}`) : channel; }

// The choices of a mail-language select: "" first (blank: in words such as
// "Default", the language of the business or the customer), then every
// language of the portal by its own name.
export function mailLanguages(blank = t('notify.language_default')) {
  return [['', blank], ...PORTAL_LANGUAGES.map((l) => [l.code, l.name])];
}

let groupNo = 0;

// A fieldset of checkboxes named `${name}.<type>`, one per type, with a
// place for the API's error on `name` (ui.showErrors finds the fieldset by
// its name and the error by "<id>-err"). Options: checked (types), disabled
// (types, with a note each), all (a first "every type" box named
// `${name}.*` that greys out the rest), hint.
export function eventChoices(name, legend, types, { checked = [], disabled = {}, all = false, hint } = {}) {
  const id = `ev${++groupNo}`;
  const box = (type, label, sub, note) => {
    const el = h('input', {
      type: 'checkbox', name: `${name}.${type}`, id: `${id}-${type.replace(/\W/g, '-')}`,
      checked: checked.includes(type) || Boolean(note), disabled: Boolean(note),
    });
    return h('label.choice', { for: el.id }, el,
      h('span', h('span.choice-name', label), sub ? h('span.sub', sub) : null, note ? h('span.sub.note', note) : null));
  };
  const allBox = all ? box('*', t('notify.every_event'), t('notify.every_event_hint')) : null;
  const items = types.map((type) => box(type, eventName(type), all ? h('code', type) : eventMeaning(type), disabled[type]));
  const set = h('fieldset.choices.events', { name, id, tabindex: '-1', 'aria-describedby': `${id}-err` },
    h('legend', legend), hint ? h('p.hint', hint) : null, allBox, h('div.choice-grid', items),
    h('p.field-error', { id: `${id}-err`, 'aria-live': 'polite' }));
  if (allBox) {
    const every = allBox.querySelector('input');
    const sync = () => { for (const i of set.querySelectorAll('.choice-grid input')) i.disabled = every.checked; };
    every.checked = checked.includes('*');
    every.addEventListener('change', sync);
    sync();
  }
  return set;
}

// The types ticked in an eventChoices group, from ui.values(form): ["*"] when
// "every event" is ticked.
export function chosenEvents(v, name) {
  if (v[`${name}.*`]) return ['*'];
  return EVENT_TYPES.filter((type) => v[`${name}.${type}`]);
}

// The signed-in user's mail choices and language (GET/PATCH
// /me/notifications) as a form; say(text) tells what saving did.
export async function mailChoices(me, say) {
  let prefs = await api.get('me/notifications');
  const box = h('div.mail-choices');
  const member = Boolean(me.customer_id);
  function draw() {
    const languages = mailLanguages();
    const locale = select('locale', languages);
    if (!languages.some(([code]) => code === prefs.locale)) locale.append(h('option', { value: prefs.locale }, prefs.locale));
    locale.value = prefs.locale;
    const types = prefs.mail.map((m) => m.event);
    const essential = Object.fromEntries(prefs.mail.filter((m) => m.essential)
      .map((m) => [m.event, ESSENTIAL.includes(m.event) ? t(`notify.essential.${m.event}`) : t('notify.always_sent')]));
    const f = form([
      prefs.mail.length
        ? eventChoices('mail', t('notify.send_me'), types, { checked: prefs.mail.filter((m) => m.enabled).map((m) => m.event), disabled: essential })
        : h('p', t('notify.no_mails')),
      field(t('notify.mail_language'), locale, member ? t('notify.mail_language_member') : t('notify.mail_language_team')),
    ], async (v) => {
      const mail = {};
      for (const m of prefs.mail) if (!m.essential) mail[m.event] = Boolean(v[`mail.${m.event}`]);
      prefs = await api.patch('me/notifications', { locale: v.locale || '', mail });
      draw();
      say(t('notify.mail_saved'));
    }, { submit: t('notify.mail_save'), cls: 'mail-form' });
    clear(box, f);
  }
  draw();
  return box;
}
