// Notifications (#/notifications, every signed-in user): which mails reach
// you and in which language (GET/PATCH /me/notifications); for a customer's
// owner also the low-balance warnings per credit type (GET/PATCH
// /customers/{id}/low-balance: an amount, or empty for none).
import { api } from './api.js';
import { amount } from './fmt.js';
import { h, clear, field, input, form, notice } from './ui.js';
import { creditTypes } from './customer.js';
import { mailChoices } from './notify.js';

const T = {
  title: 'Notifications',
  mails: 'Mails to you',
  mailsIntro: (email) => `Mails go to ${email}.`,
  low: 'Low-balance warnings',
  lowIntro: 'The owners get a mail when the available balance of a credit type falls below its threshold; once each time it does. Leave a field empty for no warning.',
  warnBelow: (name) => `${name}: warn below`,
  saveLow: 'Save warnings',
  lowSaved: 'The low-balance warnings are saved.',
  nothing: 'Nothing changed.',
  none: 'none',
  now: (list) => `Now: ${list}.`,
};

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

  main.append(h('h1', T.title), status,
    h('section', { 'aria-labelledby': 'mails-title' },
      h('h2#mails-title', T.mails), h('p.sub', T.mailsIntro(me.email)), mails));

  if (owner) {
    let now = thresholds;
    const box = h('div');
    const summary = () => [...types.values()].map((t) => `${t.name} ${now[t.code] == null ? T.none : amount(now[t.code])}`).join(', ');
    const draw = () => {
      const f = form([...types.values()].map((t) => field(T.warnBelow(t.name), input(t.code, {
        inputmode: t.scale > 0 ? 'decimal' : 'numeric', autocomplete: 'off', value: now[t.code] ?? '',
      }))), async (v) => {
        const body = {};
        for (const t of types.values()) {
          const want = (v[t.code] ?? '').trim() || null;
          if (want !== (now[t.code] ?? null)) body[t.code] = want;
        }
        if (!Object.keys(body).length) { say(T.nothing, 'info'); return; }
        now = await api.patch(`customers/${cid}/low-balance`, body);
        draw();
        say(`${T.lowSaved} ${T.now(summary())}`);
      }, { submit: T.saveLow, cls: 'low-balance' });
      clear(box, f);
    };
    draw();
    main.append(h('section', { 'aria-labelledby': 'low-title' },
      h('h2#low-title', T.low), h('p.sub', T.lowIntro), box));
  }
}
