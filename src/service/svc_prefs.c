/*
 * What reaches whom (DESIGN §6): each user chooses which of their events come
 * by mail and in which language; a mail's one-click unsubscribe link turns
 * one kind off; an owner (or staff) sets low-balance thresholds per credit
 * type on the customer's accounts.
 *
 * Which events a user may get follows the dispatcher's audience (staff: new
 * and cancelled orders; owners: their orders, invoices, credits, balance and
 * members; technicians: their own orders and limit). Essential mails
 * (invoices, an endpoint disabled) cannot be turned off.
 *
 * Must not: let a user change another user's choices, or a token name
 * anything but the one delivery it was made for.
 */
#include <string.h>

#include "service/service_int.h"

/* The events a role hears about by mail. */
static bool prefs_role_hears(const char *role, enum svc_event_type t)
{
    bool team = strcmp(role, "admin") == 0 || strcmp(role, "staff") == 0;
    bool owner = strcmp(role, "owner") == 0;
    switch (t) {
    case SVC_EVENT_ORDER_CREATED:
        return team;
    case SVC_EVENT_ORDER_CANCELLED:
    case SVC_EVENT_ORDER_STATUS_CHANGED:
    case SVC_EVENT_ORDER_COMPLETED:
    case SVC_EVENT_ORDER_REJECTED:
        return team ? t == SVC_EVENT_ORDER_CANCELLED : true;
    case SVC_EVENT_MEMBER_LIMIT_REACHED:
        return !team;
    case SVC_EVENT_WEBHOOK_ENDPOINT_DISABLED:
        return strcmp(role, "admin") == 0;
    default:
        return owner;
    }
}

bool svc_event_is_account(enum svc_event_type t)
{
    return t == SVC_EVENT_ACCOUNT_PASSWORD_RESET || t == SVC_EVENT_ACCOUNT_EMAIL_VERIFY ||
           t == SVC_EVENT_ACCOUNT_INVITATION;
}

bool svc_event_is_essential(enum svc_event_type t)
{
    return t == SVC_EVENT_INVOICE_CREATED || t == SVC_EVENT_INVOICE_PAID ||
           t == SVC_EVENT_WEBHOOK_ENDPOINT_DISABLED || svc_event_is_account(t);
}

struct prefs_ctx {
    struct arena *a;
    int64_t tenant_id, user_id;
    const char *role;
    const struct svc_notify_prefs_input *in;
    struct svc_notify_prefs *out;
    int64_t now_us;
    struct err_detail *d;
};

static enum err prefs_read_txn(struct store_conn *c, void *arg)
{
    struct prefs_ctx *x = arg;
    const char **off;
    size_t n_off;
    enum err rc = store_user_locale_get(c, x->a, x->tenant_id, x->user_id, &x->out->locale);
    if (rc == ERR_OK)
        rc = store_mail_optouts(c, x->a, x->tenant_id, x->user_id, &off, &n_off);
    if (rc != ERR_OK)
        return rc;
    x->out->n = 0;
    for (int t = 0; t < SVC_EVENT__COUNT; t++) {
        if (!prefs_role_hears(x->role, (enum svc_event_type)t))
            continue;
        struct svc_notify_pref *p = &x->out->items[x->out->n++];
        p->event = svc_event_type_name((enum svc_event_type)t);
        p->essential = svc_event_is_essential((enum svc_event_type)t);
        p->enabled = true;
        for (size_t i = 0; i < n_off && !p->essential; i++)
            p->enabled = p->enabled && strcmp(off[i], p->event) != 0;
    }
    return ERR_OK;
}

enum err svc_notify_prefs_get(struct svc *s, struct arena *a, int64_t tenant_id, int64_t user_id,
                              const char *role, struct svc_notify_prefs *out)
{
    ASSERT(role != NULL);
    memset(out, 0, sizeof(*out));
    if (user_id == 0)
        return ERR_FORBIDDEN; /* an API key has no mailbox */
    struct prefs_ctx x = {
        .a = a, .tenant_id = tenant_id, .user_id = user_id, .role = role, .out = out};
    return store_read(s->st, prefs_read_txn, &x);
}

/* Checks every choice before anything is written. */
static enum err prefs_input_check(const char *role, const struct svc_notify_prefs_input *in,
                                  struct err_detail *d)
{
    if (in->locale != NULL && !svc_locale_is_valid(in->locale))
        return err_set(d, ERR_VALIDATION, "locale",
                       "must be 'en' or 'de' (or '' for the customer's or business's)");
    for (size_t i = 0; i < in->n; i++) {
        enum svc_event_type t;
        if (!svc_event_type_parse(in->items[i].event, &t) || !prefs_role_hears(role, t))
            return err_set(d, ERR_VALIDATION, "mail", "'%s' is no event you get mails of",
                           in->items[i].event);
        if (svc_event_is_essential(t) && !in->items[i].enabled)
            return err_set(d, ERR_VALIDATION, "mail", "'%s' mails cannot be turned off",
                           in->items[i].event);
    }
    return ERR_OK;
}

static enum err prefs_write_txn(struct store_conn *c, void *arg)
{
    struct prefs_ctx *x = arg;
    enum err rc = ERR_OK;
    if (x->in->locale != NULL)
        rc = store_user_locale_set(c, x->tenant_id, x->user_id, x->in->locale);
    for (size_t i = 0; rc == ERR_OK && i < x->in->n; i++)
        rc = store_mail_optout_set(c, x->tenant_id, x->user_id, x->in->items[i].event,
                                   !x->in->items[i].enabled, x->now_us);
    return rc == ERR_OK ? prefs_read_txn(c, x) : rc;
}

enum err svc_notify_prefs_update(struct svc *s, struct arena *a, int64_t tenant_id, int64_t user_id,
                                 const char *role, const struct svc_notify_prefs_input *in,
                                 struct svc_notify_prefs *out, struct err_detail *d)
{
    ASSERT(in->n <= SVC_EVENT__COUNT);
    memset(out, 0, sizeof(*out));
    if (user_id == 0)
        return err_set(d, ERR_FORBIDDEN, "", "an API key has no notification settings");
    enum err rc = prefs_input_check(role, in, d);
    if (rc != ERR_OK)
        return rc;
    struct prefs_ctx x = {.a = a,
                          .tenant_id = tenant_id,
                          .user_id = user_id,
                          .role = role,
                          .in = in,
                          .out = out,
                          .now_us = svc_now(s),
                          .d = d};
    return store_write(s->st, prefs_write_txn, &x);
}

/* ---- the one-click unsubscribe ----------------------------------------------- */

struct unsubscribe_ctx {
    int64_t tenant_id;
    const char *token;
    const char *event; /* out: the kind turned off */
    int64_t now_us;
};

static enum err unsubscribe_txn(struct store_conn *c, void *arg)
{
    struct unsubscribe_ctx *x = arg;
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX); /* the event's body comes along */
    struct delivery_row d;
    struct event_row e;
    enum svc_event_type t;
    enum err rc = store_delivery_by_unsubscribe(c, &a, x->tenant_id, x->token, &d);
    if (rc == ERR_OK)
        rc = store_event_get(c, &a, x->tenant_id, d.event_id, &e);
    if (rc == ERR_OK && (!svc_event_type_parse(e.type, &t) || svc_event_is_essential(t)))
        rc = ERR_NOT_FOUND; /* essential mails carry no token */
    if (rc == ERR_OK) {
        x->event = svc_event_type_name(t);
        rc = store_mail_optout_set(c, x->tenant_id, d.user_id, x->event, true, x->now_us);
    }
    arena_release(&a);
    return rc;
}

enum err svc_unsubscribe(struct svc *s, int64_t tenant_id, const char *token, const char **event)
{
    ASSERT(token != NULL);
    *event = NULL;
    size_t n = strlen(token);
    if (tenant_id == 0 || n != 32 || strspn(token, "0123456789abcdef") != n)
        return ERR_NOT_FOUND;
    struct unsubscribe_ctx x = {.tenant_id = tenant_id, .token = token, .now_us = svc_now(s)};
    enum err rc = store_write(s->st, unsubscribe_txn, &x);
    *event = x.event;
    return rc;
}

/* ---- low-balance thresholds ---------------------------------------------------- */

struct threshold_ctx {
    struct arena *a;
    int64_t tenant_id, customer_id;
    const struct svc_threshold *in;
    size_t n;
    struct svc_threshold *out;
    size_t *n_out;
    int64_t now_us;
    struct err_detail *d;
};

static enum err threshold_read_txn(struct store_conn *c, void *arg)
{
    struct threshold_ctx *x = arg;
    struct svc_types types;
    enum err rc = svc_customer_check(c, x->a, x->tenant_id, x->customer_id);
    if (rc == ERR_OK)
        rc = store_credit_type_list(c, x->a, x->tenant_id, &types.items, &types.n);
    *x->n_out = 0;
    for (size_t i = 0; rc == ERR_OK && i < types.n && i < SVC_THRESHOLDS_MAX; i++) {
        struct account_row acc;
        rc = store_account_get(c, x->tenant_id, x->customer_id, types.items[i].id, &acc);
        int64_t threshold = rc == ERR_OK ? acc.low_threshold_minor : -1;
        rc = rc == ERR_NOT_FOUND ? ERR_OK : rc;
        x->out[(*x->n_out)++] = (struct svc_threshold){.credit_type = types.items[i].code,
                                                       .scale = types.items[i].scale,
                                                       .threshold_minor = threshold};
    }
    return rc;
}

static enum err threshold_write_txn(struct store_conn *c, void *arg)
{
    struct threshold_ctx *x = arg;
    enum err rc = svc_customer_check(c, x->a, x->tenant_id, x->customer_id);
    for (size_t i = 0; rc == ERR_OK && i < x->n; i++) {
        struct credit_type_row type;
        struct account_row acc;
        rc = svc_type_by_code(c, x->a, x->tenant_id, x->in[i].credit_type, &type, x->d);
        if (rc == ERR_OK)
            rc = store_account_lock(c, x->tenant_id, x->customer_id, type.id, x->now_us, &acc);
        if (rc != ERR_OK)
            break;
        acc.low_threshold_minor = x->in[i].threshold_minor;
        /* A balance already below is no crossing: the next one is told. */
        acc.low_alerted = acc.low_threshold_minor >= 0 &&
                          acc.balance_minor - acc.held_minor < acc.low_threshold_minor;
        rc = store_account_update(c, &acc);
    }
    return rc == ERR_OK ? threshold_read_txn(c, x) : rc;
}

enum err svc_thresholds_get(struct svc *s, struct arena *a, int64_t tenant_id, int64_t customer_id,
                            struct svc_threshold *out, size_t *n_out)
{
    struct threshold_ctx x = {
        .a = a, .tenant_id = tenant_id, .customer_id = customer_id, .out = out, .n_out = n_out};
    return store_read(s->st, threshold_read_txn, &x);
}

enum err svc_thresholds_set(struct svc *s, struct arena *a, int64_t tenant_id, int64_t customer_id,
                            const struct svc_threshold *in, size_t n, struct svc_threshold *out,
                            size_t *n_out, struct err_detail *d)
{
    ASSERT(n <= SVC_THRESHOLDS_MAX);
    for (size_t i = 0; i < n; i++) {
        if (in[i].threshold_minor < -1)
            return err_set(d, ERR_VALIDATION, in[i].credit_type, "must be 0 or more, or null");
    }
    struct threshold_ctx x = {.a = a,
                              .tenant_id = tenant_id,
                              .customer_id = customer_id,
                              .in = in,
                              .n = n,
                              .out = out,
                              .n_out = n_out,
                              .now_us = svc_now(s),
                              .d = d};
    return svc_write_for(s, tenant_id, customer_id, threshold_write_txn, &x);
}
