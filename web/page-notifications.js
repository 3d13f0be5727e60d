// Notifications (#/notifications, every signed-in user): which mails reach
// you and in which language (GET/PATCH /me/notifications); for a customer's
// owner also the low-balance warnings per credit type (GET/PATCH
// /customers/{id}/low-balance: an amount, or empty for none).
import { api } from './api.js';
import { amount } from './fmt.js';
import { h, clear, field, input, form, notice } from './ui.js';
import { creditTypes } from './customer.js';
import { mailChoices } from './notify.js';
import { t } from './i18n.js';

export default async function render(ctx) {
  const { main, me } = ctx;
  const status = h('div.flash', { tabindex: '-1' });
  const say = (text, kind = 'ok') => { clear(status, notice(text, kind)); status.focus(); };
  const owner = me.role === 'owner' && me.customer_id;
  const cid = owner ? encodeURIComponent(me.customer_id) : null;
  const [mails, types, thresholds] = await Promise.all([
    mailChoices(me, say),
    owner ? creditTypes() : null,
    owner ? api.get(`customers/${cid}/low-balance`) : null,
  ]);

  main.append(h('h1', t('app.page.notifications')), status,
    h('section', { 'aria-labelledby': 'mails-title' },
      h('h2#mails-title', t('notify.mails')), h('p.sub', t('notify.mails_intro', { email: me.email })), mails));

  if (owner) {
    let now = thresholds;
    const box = h('div');
    const summary = () => [...types.values()].map((x) => t('notify.low_threshold', { name: x.name, amount: now[x.code] == null ? t('notify.low_none') : amount(now[x.code]) })).join(', ');
    const draw = () => {
      const f = form([...types.values()].map((x) => field(t('notify.warn_below', { name: x.name }), input(x.code, {
        inputmode: x.scale > 0 ? 'decimal' : 'numeric', autocomplete: 'off', value: now[x.code] ?? '',
      }))), async (v) => {
        const body = {};
        for (const x of types.values()) {
          const want = (v[x.code] ?? '').trim() || null;
          if (want !== (now[x.code] ?? null)) body[x.code] = want;
        }
        if (!Object.keys(body).length) { say(t('notify.nothing'), 'info'); return; }
        now = await api.patch(`customers/${cid}/low-balance`, body);
        draw();
        say(t('notify.low_saved', { now: summary() }));
      }, { submit: t('notify.low_save'), cls: 'low-balance' });
      clear(box, f);
    };
    draw();
    main.append(h('section', { 'aria-labelledby': 'low-title' },
      h('h2#low-title', t('notify.low')), h('p.sub', t('notify.low_intro')), box));
  }
}
