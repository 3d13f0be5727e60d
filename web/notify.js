// What the notification pages share (the customer's and staff's Notifications,
// the admin's Notifications, Webhooks and Event log): the event types with
// their names, a group of checkboxes for event types, the statuses of
// deliveries, and the signed-in user's mail choices (GET/PATCH
// /me/notifications) as a form.
import { api } from './api.js';
import { h, clear, field, select, form, badge } from './ui.js';

// Every event type in the API's order: [type, name, what it means].
export const EVENT_TYPES = [
  ['order.created', 'Order placed', 'A customer placed an order.'],
  ['order.status_changed', 'Order in progress', 'Work on an order has started.'],
  ['order.completed', 'Order completed', 'The modified file of an order is ready.'],
  ['order.rejected', 'Order rejected', 'The business cancelled an order; its credits are refunded.'],
  ['order.cancelled', 'Order cancelled', 'An order was cancelled; its credits are refunded.'],
  ['invoice.created', 'Invoice issued', 'An invoice was issued for a purchase.'],
  ['invoice.paid', 'Invoice paid', 'An invoice was paid.'],
  ['credits.added', 'Credits added', 'A purchase or a grant added credits.'],
  ['credits.adjusted', 'Credits adjusted', 'An adjustment, transfer, deactivation or reactivation changed a balance.'],
  ['credits.expiring', 'Credits expiring soon', 'Credits of a lot expire in the next days.'],
  ['balance.low', 'Low balance', 'The available balance fell below its warning threshold.'],
  ['member.limit_reached', 'Monthly limit reached', 'A technician reached the monthly limit.'],
  ['webhook_endpoint.disabled', 'Webhook endpoint disabled', 'A webhook endpoint failed for 3 days and was switched off.'],
];

const NAMES = Object.fromEntries(EVENT_TYPES.map(([t, name]) => [t, name]));
const MEANING = Object.fromEntries(EVENT_TYPES.map(([t, , m]) => [t, m]));

export function eventName(type) { return NAMES[type] || type; }

// Why a mail cannot be turned off.
const ESSENTIAL = {
  'invoice.created': 'Always sent: invoices belong to your bookkeeping.',
  'invoice.paid': 'Always sent: invoices belong to your bookkeeping.',
  'webhook_endpoint.disabled': 'Always sent: a switched-off endpoint needs an admin.',
};

const DELIVERY = {
  pending: ['Pending', 'warn'], delivered: ['Delivered', 'good'], failed: ['Failed', 'bad'],
  skipped: ['Skipped', ''], retry: ['Will retry', 'warn'],
};

// A delivery's (or a delivery attempt's outcome's) status as a badge.
export function deliveryBadge(status) {
  const [text, tone] = DELIVERY[status] || [status, ''];
  return badge(text, tone);
}

export const CHANNELS = { mail: 'Mail', webhook: 'Webhook' };

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
  const allBox = all ? box('*', 'Every event', 'Also types added later.') : null;
  const items = types.map((t) => box(t, eventName(t), all ? h('code', t) : MEANING[t], disabled[t]));
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
  return EVENT_TYPES.map(([t]) => t).filter((t) => v[`${name}.${t}`]);
}

export const LANGUAGES = [['', 'Default'], ['en', 'English'], ['de', 'Deutsch']];

// The signed-in user's mail choices and language (GET/PATCH
// /me/notifications) as a form; say(text) tells what saving did.
export async function mailChoices(me, say) {
  let prefs = await api.get('me/notifications');
  const box = h('div.mail-choices');
  const member = Boolean(me.customer_id);
  function draw() {
    const locale = select('locale', LANGUAGES);
    if (!LANGUAGES.some(([code]) => code === prefs.locale)) locale.append(h('option', { value: prefs.locale }, prefs.locale));
    locale.value = prefs.locale;
    const types = prefs.mail.map((m) => m.event);
    const essential = Object.fromEntries(prefs.mail.filter((m) => m.essential).map((m) => [m.event, ESSENTIAL[m.event] || 'Always sent.']));
    const f = form([
      prefs.mail.length
        ? eventChoices('mail', 'Send me a mail when', types, { checked: prefs.mail.filter((m) => m.enabled).map((m) => m.event), disabled: essential })
        : h('p', 'Your role gets no mails.'),
      field('Language of your mails', locale, member
        ? 'Default: the language set for your company, else the business’s.'
        : 'Default: the business’s language.'),
    ], async (v) => {
      const mail = {};
      for (const m of prefs.mail) if (!m.essential) mail[m.event] = Boolean(v[`mail.${m.event}`]);
      prefs = await api.patch('me/notifications', { locale: v.locale || '', mail });
      draw();
      say('Your mail choices are saved.');
    }, { submit: 'Save mail choices', cls: 'mail-form' });
    clear(box, f);
  }
  draw();
  return box;
}
