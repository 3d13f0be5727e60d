/*
 * The dispatcher of notifications (DESIGN §6). One pass (svc_notify_run, every
 * second in serve) does two things for each tenant:
 *   1. fans out events not yet fanned: renders the payload once (the hook
 *      the server gives, so data.object is the object as the API shows it),
 *      and in one transaction stores it on the event with one delivery per
 *      recipient: a mail to each user the event concerns who did not opt out
 *      of it, a post to each webhook endpoint that subscribed to it;
 *   2. attempts the deliveries that are due, outside any transaction, and
 *      records each outcome with a row in the delivery log: delivered, retried
 *      later with exponential backoff, failed for good, or skipped.
 * One server of all that share a database dispatches at a time (the store's
 * dispatch lock, lost with the holder's session); a delivery whose outcome
 * was never recorded (a crash while sending) is attempted again, so a
 * receiver may see an event twice, always with the same id and body.
 *
 * Must not: hold a transaction open while talking to a relay or receiver, or
 * write a secret or a password into an error or the log.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify/notify.h"
#include "service/service_int.h"

/* Per pass and tenant: bounds a pass, so that one busy tenant cannot keep a
 * pass from the others for long; the next pass takes the rest. */
#define NOTIFY_FAN_PER_PASS     100
#define NOTIFY_DELIVER_PER_PASS 50
/* A delivery is given up after this many attempts or this long after its
 * event (the backoff doubles from retry_base_ms up to NOTIFY_BACKOFF_MAX_US). */
#define NOTIFY_ATTEMPTS_MAX   20
#define NOTIFY_GIVE_UP_US     (3 * USEC_PER_DAY)
#define NOTIFY_BACKOFF_MAX_US (6 * USEC_PER_HOUR)
/* An endpoint failing without a success for this long is disabled. */
#define NOTIFY_ENDPOINT_FAILING_MAX_US (3 * USEC_PER_DAY)
#define NOTIFY_WEBHOOK_TIMEOUT_MS      10000

struct svc_notify {
    struct svc_notify_config cfg;
    svc_event_render_fn render;
    void *render_ctx;
    struct notify_smtp_config smtp; /* svc_notify_start's own, cfg.smtp points here */
    bool curl_started;
};

static void svc_notify_free(struct svc_notify *n)
{
    if (n == NULL)
        return;
    notify_smtp_config_release(&n->smtp);
    if (n->curl_started)
        notify_release();
    free(n);
}

enum err svc_notify_start(struct svc *s, const struct svc_notify_options *o,
                          svc_event_render_fn render, void *render_ctx, struct err_detail *d)
{
    ASSERT(s->notify == NULL);
    ASSERT(render != NULL);
    struct svc_notify *n = calloc(1, sizeof(*n));
    if (n == NULL)
        return err_set(d, ERR_TOO_LARGE, "", "out of memory");
    enum err rc = notify_smtp_config_from_env(&n->smtp, d);
    if (rc == ERR_OK && (rc = notify_init()) != ERR_OK)
        err_set(d, rc, "", "cannot start libcurl for mail and webhooks");
    n->curl_started = rc == ERR_OK;
    if (rc != ERR_OK) {
        svc_notify_free(n);
        return rc;
    }
    n->cfg = (struct svc_notify_config){
        .mail_configured = notify_mail_is_configured(&n->smtp),
        .smtp = &n->smtp,
        .webhook_allow_private = o->webhook_allow_private,
        .webhook_ca_file =
            o->webhook_ca_file != NULL && o->webhook_ca_file[0] != '\0' ? o->webhook_ca_file : NULL,
        .retry_base_ms = o->retry_base_ms > 0 ? o->retry_base_ms : 30000,
    };
    n->render = render;
    n->render_ctx = render_ctx;
    s->notify = n;
    return ERR_OK;
}

void svc_notify_stop(struct svc *s)
{
    svc_notify_free(s->notify);
    s->notify = NULL;
}

const struct svc_notify_config *svc_notify_config_of(const struct svc *s)
{
    return s->notify != NULL ? &s->notify->cfg : NULL;
}

/* The delay before attempt number attempts + 1. */
static int64_t notify_backoff_us(const struct svc_notify *n, int64_t attempts)
{
    ASSERT(attempts >= 1);
    int64_t delay = n->cfg.retry_base_ms * 1000;
    for (int64_t i = 1; i < attempts && delay < NOTIFY_BACKOFF_MAX_US; i++)
        delay *= 2;
    return delay < NOTIFY_BACKOFF_MAX_US ? delay : NOTIFY_BACKOFF_MAX_US;
}

/* Who gets an event by mail: the business's staff, the customer's owners,
 * and the member it concerns (who placed the order, who hit the limit). */
static void notify_audience(enum svc_event_type t, bool *staff, bool *owners, bool *member)
{
    *staff = t == SVC_EVENT_ORDER_CREATED || t == SVC_EVENT_ORDER_CANCELLED ||
             t == SVC_EVENT_WEBHOOK_ENDPOINT_DISABLED;
    *owners = t != SVC_EVENT_ORDER_CREATED && t != SVC_EVENT_WEBHOOK_ENDPOINT_DISABLED;
    *member = t == SVC_EVENT_ORDER_STATUS_CHANGED || t == SVC_EVENT_ORDER_COMPLETED ||
              t == SVC_EVENT_ORDER_REJECTED || t == SVC_EVENT_ORDER_CANCELLED ||
              t == SVC_EVENT_MEMBER_LIMIT_REACHED;
}

/* Whether an endpoint's list ("*" or "a,b,c") holds type. */
static bool notify_endpoint_wants(const char *events, const char *type)
{
    if (strcmp(events, "*") == 0)
        return true;
    size_t n = strlen(type);
    for (const char *p = events; p != NULL && *p != '\0';) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, type, n) == 0)
            return true;
        p = comma != NULL ? comma + 1 : NULL;
    }
    return false;
}

/* ---- fanning out ---------------------------------------------------------- */

struct notify_fan_ctx {
    struct svc *s;
    struct arena *a;
    const struct event_row *e;
    enum svc_event_type type;
    const char *body;
    int64_t now_us;
    int64_t deliveries;
};

/* Whether user_id opted out of mails of the event's type. */
static enum err notify_opted_out(struct store_conn *c, struct notify_fan_ctx *x, int64_t user_id,
                                 bool *out)
{
    const char **types;
    size_t n;
    *out = false;
    enum err rc = store_mail_optouts(c, x->a, x->e->tenant_id, user_id, &types, &n);
    for (size_t i = 0; rc == ERR_OK && i < n; i++)
        *out = *out || strcmp(types[i], x->e->type) == 0;
    return rc;
}

static enum err notify_fan_mail(struct store_conn *c, struct notify_fan_ctx *x,
                                const struct recipient_row *r)
{
    bool essential = svc_event_is_essential(x->type), out = false;
    enum err rc = essential ? ERR_OK : notify_opted_out(c, x, r->user_id, &out);
    if (rc != ERR_OK || out || r->email[0] == '\0')
        return rc;
    bool on = x->s->notify->cfg.mail_configured;
    char token[33] = "";
    if (!essential)
        random_hex(token, 16);
    struct delivery_row d = {
        .tenant_id = x->e->tenant_id,
        .event_id = x->e->id,
        .channel = "mail",
        .user_id = r->user_id,
        .recipient = r->email,
        .locale = r->locale,
        .unsubscribe_token = token,
        .status = on ? "pending" : "skipped",
        .next_attempt_at_us = x->now_us,
        .last_error = on ? "" : "mail is not configured (CREDITD_SMTP_URL, CREDITD_MAIL_FROM)",
        .created_at_us = x->now_us,
    };
    x->deliveries++;
    return store_delivery_insert(c, &d);
}

/* Adds the rows of more to all, leaving out users already there. */
static void notify_recipients_merge(struct recipient_row *all, size_t *n,
                                    const struct recipient_row *more, size_t n_more)
{
    for (size_t i = 0; i < n_more; i++) {
        bool seen = false;
        for (size_t j = 0; j < *n && !seen; j++)
            seen = all[j].user_id == more[i].user_id;
        if (!seen)
            all[(*n)++] = more[i];
    }
}

/* An account mail's one recipient: its user, or for an invitation the
 * address (and name, language) the invitation names. */
static enum err notify_fan_account(struct store_conn *c, struct notify_fan_ctx *x)
{
    const struct event_row *e = x->e;
    struct recipient_row one = {0};
    if (e->user_id != 0) {
        enum err rc = store_recipient_user(c, x->a, e->tenant_id, e->user_id, 0, &one);
        return rc == ERR_NOT_FOUND ? ERR_OK : rc != ERR_OK ? rc : notify_fan_mail(c, x, &one);
    }
    json_t *attrs = json_loads(e->attrs, 0, NULL);
    const char *email = json_string_value(json_object_get(attrs, "email"));
    const char *name = json_string_value(json_object_get(attrs, "name"));
    const char *locale = json_string_value(json_object_get(attrs, "locale"));
    one.email = arena_strdup(x->a, email != NULL ? email : "");
    one.name = arena_strdup(x->a, name != NULL ? name : "");
    one.locale = arena_strdup(x->a, locale != NULL ? locale : "");
    json_decref(attrs);
    if (one.email == NULL || one.name == NULL || one.locale == NULL)
        return ERR_TOO_LARGE;
    return notify_fan_mail(c, x, &one);
}

static enum err notify_fan_mails(struct store_conn *c, struct notify_fan_ctx *x)
{
    if (svc_event_is_account(x->type))
        return notify_fan_account(c, x);
    bool staff, owners, member;
    notify_audience(x->type, &staff, &owners, &member);
    const struct event_row *e = x->e;
    struct recipient_row *st = NULL, *ow = NULL, one;
    size_t n_st = 0, n_ow = 0, n_one = 0;
    enum err rc = staff ? store_recipients_staff(c, x->a, e->tenant_id, &st, &n_st) : ERR_OK;
    if (rc == ERR_OK && owners && e->customer_id != 0)
        rc = store_recipients_owners(c, x->a, e->tenant_id, e->customer_id, &ow, &n_ow);
    if (rc == ERR_OK && member && e->user_id != 0) {
        rc = store_recipient_user(c, x->a, e->tenant_id, e->user_id, e->customer_id, &one);
        n_one = rc == ERR_OK;
        rc = rc == ERR_NOT_FOUND ? ERR_OK : rc; /* disabled or gone: nobody to tell */
    }
    if (rc != ERR_OK)
        return rc;
    struct recipient_row *all = arena_alloc(x->a, (n_st + n_ow + 1) * sizeof(*all));
    if (all == NULL)
        return ERR_TOO_LARGE;
    size_t n = 0;
    notify_recipients_merge(all, &n, st, n_st);
    notify_recipients_merge(all, &n, ow, n_ow);
    notify_recipients_merge(all, &n, &one, n_one);
    for (size_t i = 0; rc == ERR_OK && i < n; i++)
        rc = notify_fan_mail(c, x, &all[i]);
    return rc;
}

static enum err notify_fan_webhooks(struct store_conn *c, struct notify_fan_ctx *x)
{
    if (x->type < SVC_EVENT__COUNT && svc_event_is_account(x->type))
        return ERR_OK; /* a secret for one person, never posted */
    struct webhook_endpoint_row *eps;
    size_t n;
    enum err rc = store_webhook_endpoint_list(c, x->a, x->e->tenant_id, &eps, &n);
    for (size_t i = 0; rc == ERR_OK && i < n; i++) {
        if (eps[i].disabled || !notify_endpoint_wants(eps[i].events, x->e->type))
            continue;
        struct delivery_row d = {.tenant_id = x->e->tenant_id,
                                 .event_id = x->e->id,
                                 .channel = "webhook",
                                 .endpoint_id = eps[i].id,
                                 .recipient = eps[i].url,
                                 .status = "pending",
                                 .next_attempt_at_us = x->now_us,
                                 .created_at_us = x->now_us};
        x->deliveries++;
        rc = store_delivery_insert(c, &d);
    }
    return rc;
}

static enum err notify_fan_txn(struct store_conn *c, void *arg)
{
    struct notify_fan_ctx *x = arg;
    x->deliveries = 0;
    enum err rc = store_event_fan(c, x->e->tenant_id, x->e->id, x->body, x->now_us);
    if (rc == ERR_NOT_FOUND)
        return ERR_OK; /* another dispatcher fanned it out first */
    if (rc == ERR_OK && x->type < SVC_EVENT__COUNT)
        rc = notify_fan_mails(c, x);
    if (rc == ERR_OK)
        rc = notify_fan_webhooks(c, x);
    /* An account mail that cannot go (mail is off) keeps no token. */
    bool account = x->type < SVC_EVENT__COUNT && svc_event_is_account(x->type);
    if (rc == ERR_OK && account && !x->s->notify->cfg.mail_configured)
        rc = store_event_scrub(c, x->e->tenant_id, x->e->id);
    return rc;
}

/* Renders one event for its fan-out. An event whose type this binary does
 * not know (a newer one wrote it) gets no mails, but its webhooks still go. */
static enum err notify_fan_prepare(struct svc *s, struct arena *a, const struct event_row *e,
                                   int64_t now_us, struct notify_fan_ctx *x)
{
    *x = (struct notify_fan_ctx){.s = s, .a = a, .e = e, .now_us = now_us};
    if (!svc_event_type_parse(e->type, &x->type))
        x->type = SVC_EVENT__COUNT;
    char *body = NULL;
    enum err rc = s->notify->render(s->notify->render_ctx, s, a, e, &body);
    x->body = body;
    return rc;
}

/* A pass's events, fanned out in one transaction: a busy shop's dispatcher
 * writes once per pass, not once per order, beside the orders' own
 * commits. */
struct notify_fan_batch {
    struct notify_fan_ctx *fans;
    size_t n;
};

static enum err notify_fan_batch_txn(struct store_conn *c, void *arg)
{
    struct notify_fan_batch *b = arg;
    enum err rc = ERR_OK;
    for (size_t i = 0; rc == ERR_OK && i < b->n; i++)
        rc = notify_fan_txn(c, &b->fans[i]);
    return rc;
}

/* Fans out the rendered events: together, or, when that fails, each on its
 * own, so that one event that cannot be written holds up no other. */
static enum err notify_fan_commit(struct svc *s, struct notify_fan_batch *b,
                                  struct svc_notify_report *out)
{
    enum err rc = b->n > 0 ? store_write(s->st, notify_fan_batch_txn, b) : ERR_OK;
    size_t done = rc == ERR_OK ? b->n : 0;
    if (rc != ERR_OK && b->n > 1) {
        log_msg(LOG_WARN, "notify: fanning out %zu events together failed (%s); one by one", b->n,
                err_code(rc));
        rc = ERR_OK;
        for (size_t i = 0; rc == ERR_OK && i < b->n; i++) {
            rc = store_write(s->st, notify_fan_txn, &b->fans[i]);
            if (rc == ERR_OK) {
                out->fanned++;
                out->deliveries += b->fans[i].deliveries;
            }
        }
        return rc;
    }
    for (size_t i = 0; i < done; i++) {
        out->fanned++;
        out->deliveries += b->fans[i].deliveries;
    }
    return rc;
}

/* ---- delivering ------------------------------------------------------------ */

/* One delivery's attempt: what it needs, read before, and what came of it. */
struct notify_job {
    struct svc *s;
    struct arena *a;
    struct delivery_row *d;
    int64_t now_us;
    struct event_row ev;
    enum svc_event_type type;
    struct webhook_endpoint_row ep; /* webhook */
    bool gone;                      /* the endpoint or the user is no more (or disabled) */
    struct tenant_row tenant;       /* mail */
    const char *host;
    struct recipient_row rcpt;
    const char *customer, *member;
    /* the outcome */
    enum err result;
    struct err_detail det;
    struct notify_webhook_result wh;
};

static enum err notify_prepare_mail(struct store_conn *c, struct notify_job *j)
{
    const struct delivery_row *d = j->d;
    enum err rc = store_tenant_get(c, j->a, d->tenant_id, &j->tenant);
    if (rc == ERR_OK)
        rc = store_tenant_first_host(c, j->a, d->tenant_id, &j->host);
    if (rc == ERR_OK && d->user_id == 0) /* an invitation: no user yet */
        j->rcpt = (struct recipient_row){.email = d->recipient, .name = "", .locale = d->locale};
    else if (rc == ERR_OK)
        rc = store_recipient_user(c, j->a, d->tenant_id, d->user_id, j->ev.customer_id, &j->rcpt);
    if (rc == ERR_NOT_FOUND) {
        j->gone = true; /* disabled or removed since */
        return ERR_OK;
    }
    struct customer_row cust;
    j->customer = j->member = "";
    if (rc == ERR_OK && j->ev.customer_id != 0 &&
        (rc = store_customer_get(c, j->a, d->tenant_id, j->ev.customer_id, &cust)) == ERR_OK)
        j->customer = cust.name;
    struct recipient_row m;
    if (rc == ERR_OK && j->ev.user_id != 0) {
        rc = store_recipient_user(c, j->a, d->tenant_id, j->ev.user_id, 0, &m);
        if (rc == ERR_OK)
            j->member = m.name[0] != '\0' ? m.name : m.email;
        rc = rc == ERR_NOT_FOUND ? ERR_OK : rc;
    }
    return rc;
}

static enum err notify_prepare_txn(struct store_conn *c, void *arg)
{
    struct notify_job *j = arg;
    enum err rc = store_event_get(c, j->a, j->d->tenant_id, j->d->event_id, &j->ev);
    if (rc != ERR_OK)
        return rc;
    if (!svc_event_type_parse(j->ev.type, &j->type))
        j->type = SVC_EVENT__COUNT;
    if (strcmp(j->d->channel, "mail") == 0)
        return notify_prepare_mail(c, j);
    rc = store_webhook_endpoint_get(c, j->a, j->d->tenant_id, j->d->endpoint_id, false, &j->ep);
    if (rc == ERR_NOT_FOUND || (rc == ERR_OK && j->ep.disabled)) {
        j->gone = true;
        rc = ERR_OK;
    }
    return rc;
}

/* "https://portal.example.com": the tenant's portal_url, else https:// and
 * its first host; "" when it has neither. */
static const char *notify_portal(struct notify_job *j)
{
    const char *url = j->tenant.portal_url;
    if (url != NULL && url[0] != '\0') {
        size_t n = strlen(url);
        return arena_strndup(j->a, url, url[n - 1] == '/' ? n - 1 : n);
    }
    return j->host[0] != '\0' ? arena_printf(j->a, "https://%s", j->host) : "";
}

/* The public id of the event's subject, for the link ("ord_12"). */
static const char *notify_subject_id(struct notify_job *j)
{
    const char *prefix = strncmp(j->ev.type, "order.", 6) == 0     ? "ord"
                         : strncmp(j->ev.type, "invoice.", 8) == 0 ? "inv"
                                                                   : NULL;
    return prefix != NULL ? arena_printf(j->a, "%s_%lld", prefix, (long long)j->ev.subject_id) : "";
}

static void notify_send_mail(struct notify_job *j)
{
    const struct svc_notify_config *cfg = &j->s->notify->cfg;
    if (!cfg->mail_configured || cfg->smtp == NULL) {
        j->result = err_set(&j->det, ERR_MAIL_NOT_CONFIGURED, "", "mail is not configured");
        return;
    }
    const char *portal = notify_portal(j);
    const struct tenant_row *t = &j->tenant;
    const char *business = t->mail_sender_name[0] != '\0' ? t->mail_sender_name : t->name;
    const char *token = j->d->unsubscribe_token;
    struct svc_mail_vars v = {
        .name = j->rcpt.name,
        .business = business,
        .customer = j->customer,
        .member = j->member,
        .portal = portal != NULL ? portal : "",
        .subject_id = notify_subject_id(j),
        .unsubscribe_url = token[0] != '\0' && portal != NULL && portal[0] != '\0'
                               ? arena_printf(j->a, "%s/api/v1/unsubscribe/%s", portal, token)
                               : NULL,
    };
    struct svc_mail_rendered m;
    j->result = svc_mail_render(j->a, j->type, j->ev.body,
                                j->rcpt.locale[0] != '\0' ? j->rcpt.locale : t->locale, &v, &m);
    if (j->result != ERR_OK) {
        err_set(&j->det, j->result, "", "cannot write the mail of %s", j->ev.type);
        return;
    }
    struct notify_mail mail = {.from_name = business,
                               .from_addr = cfg->smtp->from_addr,
                               .to_name = j->rcpt.name,
                               .to_addr = j->rcpt.email,
                               .reply_to = t->mail_reply_to[0] != '\0' ? t->mail_reply_to : NULL,
                               .subject = m.subject,
                               .text = m.text,
                               .html = m.html,
                               .unsubscribe_url = v.unsubscribe_url,
                               .date_s = time_now_us() / USEC_PER_SEC};
    struct buf msg;
    buf_init(&msg, MAIL_MESSAGE_BYTES_MAX);
    char message_id[NOTIFY_MESSAGE_ID_BYTES];
    j->result = notify_mail_compose(&mail, &msg, message_id, &j->det);
    if (j->result == ERR_OK)
        j->result = notify_mail_send(cfg->smtp, cfg->smtp->from_addr, j->rcpt.email, msg.data,
                                     msg.len, &j->det);
    buf_release(&msg);
}

static void notify_send_webhook(struct notify_job *j)
{
    const struct svc_notify_config *cfg = &j->s->notify->cfg;
    char sig[NOTIFY_SIGNATURE_BYTES], id[32];
    size_t len = strlen(j->ev.body);
    /* Signed at the wall clock's time, which receivers compare with theirs. */
    j->result =
        notify_webhook_sign(j->ep.secret, time_now_us() / USEC_PER_SEC, j->ev.body, len, sig);
    if (j->result != ERR_OK) {
        err_set(&j->det, j->result, "secret", "cannot sign the body");
        return;
    }
    snprintf(id, sizeof(id), "evt_%lld", (long long)j->ev.id);
    struct notify_webhook_request req = {.url = j->ep.url,
                                         .body = j->ev.body,
                                         .body_len = len,
                                         .signature = sig,
                                         .event_id = id,
                                         .timeout_ms = NOTIFY_WEBHOOK_TIMEOUT_MS,
                                         .allow_private = cfg->webhook_allow_private,
                                         .ca_file = cfg->webhook_ca_file};
    j->result = notify_webhook_post(&req, &j->wh, &j->det);
}

/* What an attempt's result makes of the delivery. */
static const char *notify_outcome(const struct notify_job *j)
{
    switch (j->result) {
    case ERR_OK:
        return "delivered";
    case ERR_MAIL_NOT_CONFIGURED:
        return "skipped";
    case ERR_DELIVERY_REJECTED:
    case ERR_FORBIDDEN:
    case ERR_VALIDATION:
    case ERR_TOO_LARGE:
    case ERR_NOT_FOUND:
        return "failed"; /* trying again cannot help */
    default:
        break;
    }
    bool spent = j->d->attempts + 1 >= NOTIFY_ATTEMPTS_MAX ||
                 j->now_us - j->d->created_at_us >= NOTIFY_GIVE_UP_US;
    return spent ? "failed" : "retry";
}

/* An endpoint's run of failures: started by a failure, ended by a success;
 * one that lasts NOTIFY_ENDPOINT_FAILING_MAX_US disables the endpoint, skips
 * what it still had to get and tells the admins (webhook_endpoint.disabled). */
static enum err notify_endpoint_after(struct store_conn *c, struct notify_job *j, bool ok)
{
    struct webhook_endpoint_row ep;
    enum err rc =
        store_webhook_endpoint_get(c, j->a, j->d->tenant_id, j->d->endpoint_id, true, &ep);
    if (rc == ERR_NOT_FOUND)
        return ERR_OK;
    if (rc != ERR_OK || ep.disabled || (ok && ep.failing_since_us == 0))
        return rc;
    ep.updated_at_us = j->now_us;
    if (ok || ep.failing_since_us == 0) {
        ep.failing_since_us = ok ? 0 : j->now_us;
        return store_webhook_endpoint_update(c, &ep);
    }
    if (j->now_us - ep.failing_since_us < NOTIFY_ENDPOINT_FAILING_MAX_US)
        return ERR_OK;
    ep.disabled = true;
    ep.disabled_reason =
        arena_printf(j->a, "failing since %lld: %s",
                     (long long)(ep.failing_since_us / USEC_PER_SEC), j->det.message);
    if (ep.disabled_reason == NULL)
        return ERR_TOO_LARGE;
    const struct svc_event_attr attrs[] = {{"url", ep.url}, {"error", j->det.message}};
    const char *text = svc_event_attrs(j->a, attrs, 2);
    struct svc_event_new ev = {.tenant_id = ep.tenant_id,
                               .type = SVC_EVENT_WEBHOOK_ENDPOINT_DISABLED,
                               .subject_id = ep.id,
                               .attrs = text,
                               .now_us = j->now_us};
    if (text == NULL)
        return ERR_TOO_LARGE;
    if ((rc = store_webhook_endpoint_update(c, &ep)) != ERR_OK ||
        (rc = store_delivery_skip_endpoint(c, ep.tenant_id, ep.id, "endpoint disabled")) != ERR_OK)
        return rc;
    return svc_event_emit(c, &ev);
}

static enum err notify_record_txn(struct store_conn *c, void *arg)
{
    struct notify_job *j = arg;
    struct delivery_row *d = j->d;
    const char *outcome = j->gone ? "skipped" : notify_outcome(j);
    bool webhook = strcmp(d->channel, "webhook") == 0;
    d->attempts += !j->gone;
    d->last_error = j->gone          ? (webhook ? "endpoint disabled or deleted" : "user disabled")
                    : j->result == 0 ? ""
                                     : j->det.message;
    d->status = strcmp(outcome, "retry") == 0 ? "pending" : outcome;
    if (j->result == ERR_OK && !j->gone)
        d->delivered_at_us = j->now_us;
    if (strcmp(outcome, "retry") == 0)
        d->next_attempt_at_us = j->now_us + notify_backoff_us(j->s->notify, d->attempts);
    enum err rc = store_delivery_update(c, d);
    bool account = j->type < SVC_EVENT__COUNT && svc_event_is_account(j->type);
    if (rc == ERR_OK && account && strcmp(d->status, "pending") != 0)
        rc = store_event_scrub(c, d->tenant_id, d->event_id); /* done: the token goes */
    if (rc != ERR_OK || j->gone || strcmp(outcome, "skipped") == 0)
        return rc;
    struct delivery_attempt_row at = {.tenant_id = d->tenant_id,
                                      .delivery_id = d->id,
                                      .endpoint_id = d->endpoint_id,
                                      .attempted_at_us = j->now_us,
                                      .http_status = j->wh.status,
                                      .duration_ms = j->wh.duration_ms,
                                      .outcome = outcome,
                                      .excerpt = j->wh.excerpt,
                                      .error = d->last_error};
    rc = store_delivery_attempt_insert(c, &at);
    if (rc == ERR_OK && webhook)
        rc = notify_endpoint_after(c, j, j->result == ERR_OK);
    return rc;
}

static enum err notify_deliver_one(struct svc *s, struct arena *a, struct delivery_row *d,
                                   int64_t now_us, struct svc_notify_report *out)
{
    struct notify_job j = {.s = s, .a = a, .d = d, .now_us = now_us};
    enum err rc = store_read(s->st, notify_prepare_txn, &j);
    if (rc != ERR_OK)
        return rc;
    if (!j.gone && strcmp(d->channel, "mail") == 0)
        notify_send_mail(&j);
    else if (!j.gone)
        notify_send_webhook(&j);
    rc = store_write(s->st, notify_record_txn, &j);
    if (rc != ERR_OK)
        return rc; /* not recorded: attempted again next time */
    const char *st = d->status;
    out->delivered += strcmp(st, "delivered") == 0;
    out->retried += strcmp(st, "pending") == 0;
    out->failed += strcmp(st, "failed") == 0;
    out->skipped += strcmp(st, "skipped") == 0;
    if (strcmp(st, "delivered") != 0 && !j.gone)
        log_msg(LOG_WARN, "%s delivery dlv_%lld of %s: %s (%s)", d->channel, (long long)d->id,
                j.ev.type, strcmp(st, "pending") == 0 ? "will retry" : st, d->last_error);
    return ERR_OK;
}

struct notify_quiet_ctx {
    int64_t tenant_id, now_us;
};

static enum err notify_quiet_txn(struct store_conn *c, void *arg)
{
    struct notify_quiet_ctx *x = arg;
    return store_events_quiet(c, x->tenant_id, x->now_us);
}

enum err svc_events_quiet(struct svc *s, int64_t tenant_id)
{
    ASSERT(tenant_id > 0);
    struct notify_quiet_ctx x = {.tenant_id = tenant_id, .now_us = svc_now(s)};
    return store_write(s->st, notify_quiet_txn, &x);
}

/* ---- a pass ---------------------------------------------------------------- */

struct notify_scan_ctx {
    struct arena *a;
    int64_t tenant_id, now_us;
    struct event_row *events;
    size_t n_events;
    struct delivery_row *due;
    size_t n_due;
};

static enum err notify_scan_events_txn(struct store_conn *c, void *arg)
{
    struct notify_scan_ctx *x = arg;
    return store_events_unfanned(c, x->a, x->tenant_id, NOTIFY_FAN_PER_PASS, &x->events,
                                 &x->n_events);
}

static enum err notify_scan_due_txn(struct store_conn *c, void *arg)
{
    struct notify_scan_ctx *x = arg;
    return store_deliveries_due(c, x->a, x->tenant_id, x->now_us, NOTIFY_DELIVER_PER_PASS, &x->due,
                                &x->n_due);
}

static enum err notify_tenant_ids_txn(struct store_conn *c, void *arg)
{
    struct notify_scan_ctx *x = arg;
    int64_t **ids = (int64_t **)&x->events;
    return store_tenant_ids(c, x->a, ids, &x->n_events);
}

/* Fans out, then delivers what is due, what was just fanned out included. */
static enum err notify_tenant(struct svc *s, int64_t tenant_id, int64_t now_us,
                              struct svc_notify_report *out)
{
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    struct notify_scan_ctx x = {.a = &a, .tenant_id = tenant_id, .now_us = now_us};
    enum err rc = store_read(s->st, notify_scan_events_txn, &x);
    struct notify_fan_batch batch = {.n = 0};
    if (rc == ERR_OK && x.n_events > 0) {
        batch.fans = arena_alloc(&a, x.n_events * sizeof(*batch.fans));
        rc = batch.fans != NULL ? ERR_OK : ERR_TOO_LARGE;
    }
    for (size_t i = 0; rc == ERR_OK && i < x.n_events; i++) {
        rc = notify_fan_prepare(s, &a, &x.events[i], now_us, &batch.fans[batch.n]);
        batch.n += rc == ERR_OK;
    }
    /* What was rendered goes out even when a later event could not be. */
    enum err fanned = notify_fan_commit(s, &batch, out);
    if (rc == ERR_OK)
        rc = fanned;
    if (rc == ERR_OK)
        rc = store_read(s->st, notify_scan_due_txn, &x);
    for (size_t i = 0; rc == ERR_OK && i < x.n_due; i++)
        rc = notify_deliver_one(s, &a, &x.due[i], now_us, out);
    arena_release(&a);
    return rc;
}

enum err svc_notify_run(struct svc *s, struct svc_notify_report *out)
{
    ASSERT(s != NULL);
    ASSERT(s->notify != NULL);
    *out = (struct svc_notify_report){.ran = false};
    bool held = false;
    enum err rc = store_jobs_lock(s->st, STORE_LOCK_DISPATCH, &held);
    if (rc != ERR_OK || !held)
        return rc;
    out->ran = true;
    int64_t now_us = svc_now(s);
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    struct notify_scan_ctx ids = {.a = &a};
    rc = store_read(s->st, notify_tenant_ids_txn, &ids);
    const int64_t *tenant_ids = (const int64_t *)ids.events;
    for (size_t i = 0; rc == ERR_OK && i < ids.n_events; i++)
        rc = notify_tenant(s, tenant_ids[i], now_us, out);
    arena_release(&a);
    store_jobs_unlock(s->st, STORE_LOCK_DISPATCH);
    return rc;
}
