// The banner over every page of a member who may only read (GET /me's
// hold): an owner who has not confirmed their e-mail yet, with "Send the
// link again" (POST /me/verify-email/resend: 202; 409 when confirmed
// already, then who is signed in is read again), or a customer that waits
// for the business's approval or was rejected (customer_status, read by
// the shell from GET /customers/{id}).
import { api, ApiError } from './api.js';
import { h, clear, errorText } from './ui.js';
import { waitText } from './fmt.js';

const T = {
  label: 'Your account',
  unverified: (email) => `Confirm your e-mail address: open the link we mailed to ${email}. Until then you can look around and price orders, but not order or buy.`,
  resend: 'Send the link again',
  resent: (email) => `A new link is on its way to ${email}; the earlier ones no longer work.`,
  wait: (s) => `Too many links asked for. Try again in ${waitText(s)}.`,
  pending: (b) => `${b} checks new customer accounts. Until yours is approved you can look around and price orders, but not order or buy.`,
  rejected: (b) => `${b} has not approved this customer account: you can look around, but not order or buy. Contact them if this is a mistake.`,
};

// The banner for me, or null; changed() runs when the hold is gone.
export function holdBanner(me, changed) {
  const business = me.tenant?.name || 'The business';
  if (me.hold === 'email_unverified') {
    const said = h('span.hold-said', { role: 'status' });
    const button = h('button', { type: 'button' }, T.resend);
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await api.post('me/verify-email/resend');
        clear(said, T.resent(me.email));
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) { changed(); return; }
        clear(said, e instanceof ApiError && e.retryAfter ? T.wait(e.retryAfter) : errorText(e));
      } finally {
        button.disabled = false;
      }
    });
    return h('section.notice.warn.hold-banner', { 'aria-label': T.label }, h('p', T.unverified(me.email)), h('div.actions', button, said));
  }
  if (me.hold === 'customer_not_approved') {
    const text = me.customer_status === 'rejected' ? T.rejected(business) : T.pending(business);
    return h('section.notice.warn.hold-banner', { 'aria-label': T.label }, h('p', text));
  }
  return null;
}
