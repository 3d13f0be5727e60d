// Team (owner): the members of the account (GET /customers/{id}), adding a
// technician (POST /customers/{id}/members) and setting a technician's
// monthly limit per credit type (PATCH /customers/{id}/members/{user_id}
// with monthly_limits: an amount, or null for no limit; types left empty
// stay as they are), and removing a technician (DELETE
// /customers/{id}/members/{user_id}, asked first: their sessions end at
// once); inviting a technician or owner by mail, and the invitations
// waiting for an answer (invitations.js). The limits in force come with
// each member.
import { api, ApiError } from './api.js';
import { amount, money, amountOf } from './fmt.js';
import { h, clear, field, input, select, form, table, dialog, notice, unfielded } from './ui.js';
import { creditTypes, typeName, Idem } from './customer.js';
import { inviteFields, invite, sentText, pendingInvitations, roleName, roleAs } from './invitations.js';
import { t } from './i18n.js';

const AMOUNT = /^\d{1,15}(\.\d{1,6})?$/;

export default async function render(ctx) {
  const { main, me } = ctx;
  const cid = encodeURIComponent(me.customer_id);
  const [customer, types, { items: services }] = await Promise.all([
    api.get(`customers/${cid}`), creditTypes(), api.get('services')]);
  // Limits matter for the types orders are paid in.
  const priced = new Set(services.flatMap((s) => Object.keys(s.costs || {})));
  let spendable = [...types.values()].filter((t) => priced.has(t.code));
  if (!spendable.length) spendable = [...types.values()];
  const fmtv = (code, v) => (types.get(code)?.kind === 'monetary' ? money(v) : t('team.credits', { amount: amount(v), type: typeName(types, code) }));

  const status = h('div', { role: 'status' });
  const listBox = h('div');
  const limitsText = (m) => {
    if (m.role !== 'technician') return t('team.no_limit_owner');
    const set = Object.entries(m.monthly_limits || {});
    if (!set.length) return t('team.no_limit');
    return set.map(([c, v]) => t('team.per_month', { amount: fmtv(c, v) })).join(', ');
  };
  const drawList = () => {
    const list = table([
      { label: t('team.email'), value: (m) => [m.email, m.user_id === me.user_id ? h('span.sub', ` ${t('team.you')}`) : null] },
      { label: t('team.role'), value: (m) => roleName(m.role) },
      { label: t('team.monthly_limit'), value: limitsText },
      {
        label: t('team.actions'),
        value: (m) => (m.role === 'technician' && m.user_id !== me.user_id
          ? h('div.row-actions',
            h('button', { type: 'button', 'aria-label': t('team.set_limits_for', { email: m.email }), onclick: () => limits(m) }, t('team.set_limits')),
            h('button.danger', { type: 'button', 'aria-label': t('team.remove_label', { email: m.email }), onclick: () => remove(m) }, t('team.remove')))
          : '–'),
      },
    ], customer.members, { caption: customer.name });
    list.classList.add('stack');
    clear(listBox, list);
  };

  async function limits(m) {
    const idem = new Idem();
    const rows = spendable.map((x) => {
      const value = input(`limit_${x.code}`, { inputmode: 'decimal', autocomplete: 'off', placeholder: t('team.unchanged') });
      const none = h('input', { type: 'checkbox', name: `none_${x.code}`, id: `none-${x.code}`, 'aria-label': t('team.no_limit_for', { type: x.name }) });
      none.addEventListener('change', () => { value.disabled = none.checked; });
      return h('div.limit-row',
        field(t('team.type_per_month', { type: x.name }), value),
        h('label.choice', { for: none.id }, none, h('span', t('team.no_limit'))));
    });
    const done = await dialog(t('team.limits_title', { email: m.email }), [
      h('p.sub', t('team.limits_intro')),
      rows,
    ], async (v) => {
      const monthly = {};
      const errors = [];
      for (const x of spendable) {
        if (v[`none_${x.code}`]) monthly[x.code] = null;
        else if (v[`limit_${x.code}`] !== undefined) {
          const text = v[`limit_${x.code}`].trim();
          if (!AMOUNT.test(text)) errors.push({ field: `limit_${x.code}`, message: t('team.limit_number') });
          else monthly[x.code] = text;
        }
      }
      if (errors.length) throw new ApiError(422, { errors });
      if (!Object.keys(monthly).length) throw new ApiError(422, { errors: [{ field: null, message: t('team.limit_missing') }] });
      const body = { monthly_limits: monthly };
      try {
        const r = await api.patch(`customers/${cid}/members/${encodeURIComponent(m.user_id)}`, body, { key: idem.for(body) });
        return r;
      } catch (e) {
        // "'master' is not …": put it next to that type's field.
        if (e instanceof ApiError && e.field === 'monthly_limits') {
          const code = /'([^']+)'/.exec(e.problem.detail || '')?.[1];
          if (code && types.has(code)) e.errors = [{ field: `limit_${code}`, message: e.problem.detail }];
        }
        throw e;
      }
    }, { submit: t('team.limits_save') });
    if (done) {
      const now = { ...(m.monthly_limits || {}) };
      for (const [c, v] of Object.entries(done.monthly_limits)) {
        if (v === null) delete now[c];
        else now[c] = v;
      }
      m.monthly_limits = now;
      drawList();
      clear(status, notice(t('team.limits_saved', { email: m.email }), 'ok'));
    }
  }

  // Owners remove technicians; another owner is removed by the business.
  async function remove(m) {
    const done = await dialog(t('team.remove_title', { email: m.email }), [
      h('p', t('team.remove_text', { customer: customer.name })),
    ], () => api.del(`customers/${cid}/members/${encodeURIComponent(m.user_id)}`)
      .then(() => true, (e) => { throw unfielded(e); }), { submit: t('team.remove') });
    if (!done) return;
    customer.members = customer.members.filter((x) => x.user_id !== m.user_id);
    drawList();
    clear(status, notice(t('team.removed', { email: m.email }), 'ok'));
  }

  const idemAdd = new Idem();
  const email = input('email', { type: 'email', autocomplete: 'off', required: true });
  const password = input('password', { type: 'password', autocomplete: 'new-password', required: true });
  const role = select('role', [['technician', roleName('technician')]]);
  const add = form([
    field(t('team.email'), email),
    field(t('team.password'), password, t('team.password_hint')),
    field(t('team.role'), role, t('team.role_hint')),
  ], async (v) => {
    const body = { email: v.email || '', password: v.password || '', role: v.role || 'technician' };
    const r = await api.post(`customers/${cid}/members`, body, { key: idemAdd.for(body) });
    idemAdd.done();
    customer.members.push({ user_id: r.user_id, email: r.email, role: r.role, monthly_limits: {} });
    drawList();
    add.reset();
    clear(status, notice(t('team.added', { email: r.email, role: roleAs(r.role) }), 'ok'));
  }, { submit: t('team.add_member'), cls: 'add-member' });

  // Invited by mail, they choose their own password (invitations.js).
  const say = (text) => clear(status, notice(text, 'ok'));
  const pending = pendingInvitations({ say });
  const invitation = form(inviteFields([['technician', roleName('technician')], ['owner', roleName('owner')]], {
    roleHint: t('team.invite_role_hint'),
  }), async (v, f) => {
    const i = await invite(v);
    f.reset();
    await pending.refresh();
    say(sentText(i));
  }, { submit: t('invite.send'), cls: 'invite-form' });

  drawList();
  clear(main, h('h1', t('app.page.team')), status,
    listBox,
    h('h2', t('invite.by_mail')),
    h('p.sub', t('team.invite_intro')),
    invitation,
    h('h2', t('invite.invitations')), pending.el,
    h('h2', t('team.add')), add);
  await pending.refresh();
}
