// The banner over every page of a member who may only read (GET /me's
// hold): an owner who has not confirmed their e-mail yet, with "Send the
// link again" (POST /me/verify-email/resend: 202; 409 when confirmed
// already, then who is signed in is read again), or a customer that waits
// for the business's approval or was rejected (customer_status, read by
// the shell from GET /customers/{id}).
import { api, ApiError } from './api.js';
import { h, clear, errorText } from './ui.js';
import { waitWords } from './password.js';
import { t } from './i18n.js';

// The banner for me, or null; changed() runs when the hold is gone.
export function holdBanner(me, changed) {
  const business = me.tenant?.name || t('access.hold_business');
  if (me.hold === 'email_unverified') {
    const said = h('span.hold-said', { role: 'status' });
    const button = h('button', { type: 'button' }, t('access.hold_resend'));
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await api.post('me/verify-email/resend');
        clear(said, t('access.hold_resent', { email: me.email }));
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) { changed(); return; }
        clear(said, e instanceof ApiError && e.retryAfter ? t('access.hold_wait', { wait: waitWords(e.retryAfter) }) : errorText(e));
      } finally {
        button.disabled = false;
      }
    });
    return h('section.notice.warn.hold-banner', { 'aria-label': t('access.hold_label') }, h('p', t('access.hold_unverified', { email: me.email })), h('div.actions', button, said));
  }
  if (me.hold === 'customer_not_approved') {
    const text = me.customer_status === 'rejected' ? t('access.hold_rejected', { business }) : t('access.hold_pending', { business });
    return h('section.notice.warn.hold-banner', { 'aria-label': t('access.hold_label') }, h('p', text));
  }
  return null;
}
