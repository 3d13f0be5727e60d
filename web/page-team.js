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
import { inviteFields, invite, sentText, pendingInvitations } from './invitations.js';

const ROLES = { owner: 'Owner', technician: 'Technician' };
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
  const fmtv = (code, v) => (types.get(code)?.kind === 'monetary' ? money(v) : `${amountOf(v, typeName(types, code))}`);

  const status = h('div', { role: 'status' });
  const listBox = h('div');
  const limitsText = (m) => {
    if (m.role !== 'technician') return 'No limit (owner)';
    const set = Object.entries(m.monthly_limits || {});
    if (!set.length) return 'No limit';
    return set.map(([c, v]) => `${fmtv(c, v)} a month`).join(', ');
  };
  const drawList = () => {
    const t = table([
      { label: 'E-mail', value: (m) => [m.email, m.user_id === me.user_id ? h('span.sub', ' (you)') : null] },
      { label: 'Role', value: (m) => ROLES[m.role] || m.role },
      { label: 'Monthly limit', value: limitsText },
      {
        label: 'Actions',
        value: (m) => (m.role === 'technician' && m.user_id !== me.user_id
          ? h('div.row-actions',
            h('button', { type: 'button', 'aria-label': `Set limits for ${m.email}`, onclick: () => limits(m) }, 'Set limits'),
            h('button.danger', { type: 'button', 'aria-label': `Remove ${m.email}`, onclick: () => remove(m) }, 'Remove'))
          : '–'),
      },
    ], customer.members, { caption: customer.name });
    t.classList.add('stack');
    clear(listBox, t);
  };

  async function limits(m) {
    const idem = new Idem();
    const rows = spendable.map((t) => {
      const value = input(`limit_${t.code}`, { inputmode: 'decimal', autocomplete: 'off', placeholder: 'unchanged' });
      const none = h('input', { type: 'checkbox', name: `none_${t.code}`, id: `none-${t.code}`, 'aria-label': `No limit for ${t.name}` });
      none.addEventListener('change', () => { value.disabled = none.checked; });
      return h('div.limit-row',
        field(`${t.name} per month`, value),
        h('label.choice', { for: none.id }, none, h('span', 'No limit')));
    });
    const done = await dialog(`Monthly limits for ${m.email}`, [
      h('p.sub', 'Orders this technician places in a calendar month may not cost more than the limit. Leave a field empty to keep its current limit.'),
      rows,
    ], async (v) => {
      const monthly = {};
      const errors = [];
      for (const t of spendable) {
        if (v[`none_${t.code}`]) monthly[t.code] = null;
        else if (v[`limit_${t.code}`] !== undefined) {
          const x = v[`limit_${t.code}`].trim();
          if (!AMOUNT.test(x)) errors.push({ field: `limit_${t.code}`, message: 'must be a number of credits, like 40' });
          else monthly[t.code] = x;
        }
      }
      if (errors.length) throw new ApiError(422, { errors });
      if (!Object.keys(monthly).length) throw new ApiError(422, { errors: [{ field: null, message: 'Enter a limit, or tick "No limit".' }] });
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
    }, { submit: 'Save limits' });
    if (done) {
      const now = { ...(m.monthly_limits || {}) };
      for (const [c, v] of Object.entries(done.monthly_limits)) {
        if (v === null) delete now[c];
        else now[c] = v;
      }
      m.monthly_limits = now;
      drawList();
      clear(status, notice(`Limits saved for ${m.email}.`, 'ok'));
    }
  }

  // Owners remove technicians; another owner is removed by the business.
  async function remove(m) {
    const done = await dialog(`Remove ${m.email} from the team?`, [
      h('p', `They are signed out at once and can no longer sign in for ${customer.name}. The orders they placed stay, with their name.`),
    ], () => api.del(`customers/${cid}/members/${encodeURIComponent(m.user_id)}`)
      .then(() => true, (e) => { throw unfielded(e); }), { submit: 'Remove' });
    if (!done) return;
    customer.members = customer.members.filter((x) => x.user_id !== m.user_id);
    drawList();
    clear(status, notice(`${m.email} was removed from the team.`, 'ok'));
  }

  const idemAdd = new Idem();
  const email = input('email', { type: 'email', autocomplete: 'off', required: true });
  const password = input('password', { type: 'password', autocomplete: 'new-password', required: true });
  const role = select('role', [['technician', 'Technician']]);
  const add = form([
    field('E-mail', email),
    field('Initial password', password, 'Give it to them privately; they sign in with it.'),
    field('Role', role, 'Technicians place orders, within the limits you set. Another owner is added by us.'),
  ], async (v) => {
    const body = { email: v.email || '', password: v.password || '', role: v.role || 'technician' };
    const r = await api.post(`customers/${cid}/members`, body, { key: idemAdd.for(body) });
    idemAdd.done();
    customer.members.push({ user_id: r.user_id, email: r.email, role: r.role, monthly_limits: {} });
    drawList();
    add.reset();
    clear(status, notice(`${r.email} was added as ${ROLES[r.role]?.toLowerCase() || r.role}.`, 'ok'));
  }, { submit: 'Add member', cls: 'add-member' });

  // Invited by mail, they choose their own password (invitations.js).
  const say = (text) => clear(status, notice(text, 'ok'));
  const pending = pendingInvitations({ say });
  const invitation = form(inviteFields([['technician', 'Technician'], ['owner', 'Owner']], {
    roleHint: 'Owners also buy credits, see invoices and manage the team.',
  }), async (v, f) => {
    const i = await invite(v);
    f.reset();
    await pending.refresh();
    say(sentText(i));
  }, { submit: 'Send invitation', cls: 'invite-form' });

  drawList();
  clear(main, h('h1', 'Team'), status,
    listBox,
    h('h2', 'Invite by e-mail'),
    h('p.sub', 'They get a link to choose their own password and join the team; it works for 7 days.'),
    invitation,
    h('h2', 'Invitations'), pending.el,
    h('h2', 'Add a technician with a password'), add);
  await pending.refresh();
}
