/*
 * Events: the outbox rows of DESIGN §6, written by the operations inside the
 * write transaction of the change that causes them, so that an event exists
 * exactly when its change committed and rolls back with it. This file names
 * the event types, builds an event's attrs (what belongs to the moment: the
 * previous status, the amount, the reason) and writes the row; the credit
 * events of a journal entry and the low-balance crossing are decided here
 * too, from the entry svc_entry_write has just written.
 *
 * Must not: deliver anything or wait on the network (the dispatcher does,
 * after commit), or write an event outside the caller's transaction.
 */
#include <stdio.h>
#include <string.h>

#include "service/service_int.h"

/* Lots noticed per tenant and run: the next run (a minute later) takes more. */
#define NOTICE_LOTS_PER_PASS 500

static const char *const svc_event_names[SVC_EVENT__COUNT] = {
#define SVC_EVENT_NAME(name, text) [name] = text,
    SVC_EVENT_TYPES(SVC_EVENT_NAME)
#undef SVC_EVENT_NAME
};

const char *svc_event_type_name(enum svc_event_type t)
{
    ASSERT(t < SVC_EVENT__COUNT);
    return svc_event_names[t];
}

bool svc_event_type_parse(const char *text, enum svc_event_type *out)
{
    for (int t = 0; text != NULL && t < SVC_EVENT__COUNT; t++) {
        if (strcmp(text, svc_event_names[t]) == 0) {
            *out = (enum svc_event_type)t;
            return true;
        }
    }
    return false;
}

/* Appends s as a JSON string (quoted, escaped). */
static enum err svc_event_json_string(struct buf *b, const char *s)
{
    enum err rc = buf_append(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; rc == ERR_OK && *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            char esc[2] = {'\\', (char)*p};
            rc = buf_append(b, esc, 2);
        } else if (*p < 0x20) {
            char esc[8];
            snprintf(esc, sizeof(esc), "\\u%04x", *p);
            rc = buf_puts(b, esc);
        } else {
            rc = buf_append(b, (const char *)p, 1);
        }
    }
    return rc == ERR_OK ? buf_append(b, "\"", 1) : rc;
}

char *svc_event_attrs(struct arena *a, const struct svc_event_attr *attrs, size_t n)
{
    ASSERT(a != NULL);
    struct buf b;
    buf_init(&b, EVENT_ATTRS_BYTES_MAX);
    enum err rc = buf_append(&b, "{", 1);
    for (size_t i = 0; rc == ERR_OK && i < n; i++) {
        ASSERT(attrs[i].key != NULL);
        if (i > 0)
            rc = buf_append(&b, ",", 1);
        if (rc == ERR_OK)
            rc = svc_event_json_string(&b, attrs[i].key);
        if (rc == ERR_OK)
            rc = buf_append(&b, ":", 1);
        if (rc == ERR_OK && attrs[i].text == NULL)
            rc = buf_puts(&b, "null");
        else if (rc == ERR_OK)
            rc = svc_event_json_string(&b, attrs[i].text);
    }
    if (rc == ERR_OK)
        rc = buf_append(&b, "}", 1);
    char *out = rc == ERR_OK ? arena_strndup(a, b.data, b.len) : NULL;
    buf_release(&b);
    return out;
}

enum err svc_event_emit(struct store_conn *c, const struct svc_event_new *ev)
{
    ASSERT(ev->tenant_id > 0);
    ASSERT(ev->type < SVC_EVENT__COUNT);
    struct event_row row = {.tenant_id = ev->tenant_id,
                            .type = svc_event_names[ev->type],
                            .customer_id = ev->customer_id,
                            .subject_id = ev->subject_id,
                            .user_id = ev->user_id,
                            .attrs = ev->attrs != NULL ? ev->attrs : "{}",
                            .created_at_us = ev->now_us};
    return store_event_insert(c, &row);
}

/* The event a journal entry of kind is to its customer, if any. */
static bool svc_event_of_kind(enum journal_kind kind, enum svc_event_type *out)
{
    switch (kind) {
    case JOURNAL_PURCHASE:
    case JOURNAL_GRANT:
        *out = SVC_EVENT_CREDITS_ADDED;
        return true;
    case JOURNAL_ADJUSTMENT:
    case JOURNAL_TRANSFER:
    case JOURNAL_DEACTIVATION:
    case JOURNAL_REACTIVATION:
        *out = SVC_EVENT_CREDITS_ADJUSTED;
        return true;
    default:
        return false;
    }
}

/* credits.added / credits.adjusted for a written entry: the entry as the
 * ledger shows it. */
static enum err svc_event_credits(struct store_conn *c, const struct svc_entry *x,
                                  int64_t journal_id, enum svc_event_type type)
{
    char amount[AMOUNT_TEXT_BYTES], after[AMOUNT_TEXT_BYTES], id[32];
    amount_format(x->e.amount_minor, x->scale, amount, sizeof(amount));
    amount_format(x->e.balance_after_minor, x->scale, after, sizeof(after));
    snprintf(id, sizeof(id), "jrn_%lld", (long long)journal_id);
    const struct svc_event_attr attrs[] = {
        {"entry", id},
        {"kind", journal_kind_name(x->e.kind)},
        {"credit_type", x->e.credit_type},
        {"amount", amount},
        {"balance_after", after},
        {"reason", x->e.reason},
        {"justification", x->e.justification},
        {"actor", x->e.actor},
    };
    const char *text = svc_event_attrs(x->a, attrs, sizeof(attrs) / sizeof(attrs[0]));
    if (text == NULL)
        return ERR_TOO_LARGE;
    struct svc_event_new ev = {.tenant_id = x->e.tenant_id,
                               .type = type,
                               .customer_id = x->e.customer_id,
                               .subject_id = journal_id,
                               .attrs = text,
                               .now_us = x->e.created_at_us};
    return svc_event_emit(c, &ev);
}

/* balance.low once per crossing: the available balance fell below the
 * owner's threshold (acc->low_alerted is set until it is back at or above). */
static enum err svc_event_low_balance(struct store_conn *c, const struct svc_entry *x,
                                      struct account_row *acc)
{
    if (acc->low_threshold_minor < 0)
        return ERR_OK;
    int64_t available = acc->balance_minor - acc->held_minor;
    bool below = available < acc->low_threshold_minor;
    if (below == acc->low_alerted)
        return ERR_OK;
    acc->low_alerted = below;
    if (!below)
        return ERR_OK;
    char avail[AMOUNT_TEXT_BYTES], threshold[AMOUNT_TEXT_BYTES];
    amount_format(available, x->scale, avail, sizeof(avail));
    amount_format(acc->low_threshold_minor, x->scale, threshold, sizeof(threshold));
    const struct svc_event_attr attrs[] = {
        {"credit_type", x->e.credit_type},
        {"available", avail},
        {"threshold", threshold},
    };
    const char *text = svc_event_attrs(x->a, attrs, sizeof(attrs) / sizeof(attrs[0]));
    if (text == NULL)
        return ERR_TOO_LARGE;
    struct svc_event_new ev = {.tenant_id = x->e.tenant_id,
                               .type = SVC_EVENT_BALANCE_LOW,
                               .customer_id = x->e.customer_id,
                               .subject_id = x->credit_type_id,
                               .attrs = text,
                               .now_us = x->e.created_at_us};
    return svc_event_emit(c, &ev);
}

enum err svc_event_entry_written(struct store_conn *c, const struct svc_entry *x,
                                 struct account_row *acc, int64_t journal_id)
{
    ASSERT(journal_id > 0);
    ASSERT(acc->customer_id == x->e.customer_id);
    enum svc_event_type type;
    enum err rc = ERR_OK;
    if (svc_event_of_kind(x->e.kind, &type))
        rc = svc_event_credits(c, x, journal_id, type);
    return rc == ERR_OK ? svc_event_low_balance(c, x, acc) : rc;
}

/* ---- credits.expiring: the notice job ------------------------------------- */

struct notice_ctx {
    struct arena *a;
    int64_t tenant_id;
    const struct lot_row *lot;
    const struct credit_type_row *type;
    int64_t now_us;
    bool noticed;
};

/* Notes the notice on the lot and writes the event, unless another run did. */
static enum err svc_notice_txn(struct store_conn *c, void *arg)
{
    struct notice_ctx *x = arg;
    const struct lot_row *r = x->lot;
    x->noticed = false;
    enum err rc = store_lot_expiry_noticed(c, x->tenant_id, r->lot.id, x->now_us);
    if (rc == ERR_NOT_FOUND)
        return ERR_OK;
    if (rc != ERR_OK)
        return rc;
    char remaining[AMOUNT_TEXT_BYTES], expires[40], id[32];
    amount_format(r->lot.remaining_minor, x->type->scale, remaining, sizeof(remaining));
    time_format_rfc3339(r->lot.expires_at_us, expires, sizeof(expires));
    snprintf(id, sizeof(id), "lot_%lld", (long long)r->lot.id);
    const struct svc_event_attr attrs[] = {
        {"lot_id", id},
        {"lot_name", r->name != NULL ? r->name : ""},
        {"credit_type", x->type->code},
        {"remaining", remaining},
        {"expires_at", expires},
    };
    const char *text = svc_event_attrs(x->a, attrs, sizeof(attrs) / sizeof(attrs[0]));
    if (text == NULL)
        return ERR_TOO_LARGE;
    struct svc_event_new ev = {.tenant_id = x->tenant_id,
                               .type = SVC_EVENT_CREDITS_EXPIRING,
                               .customer_id = r->lot.customer_id,
                               .subject_id = r->lot.id,
                               .attrs = text,
                               .now_us = x->now_us};
    x->noticed = true;
    return svc_event_emit(c, &ev);
}

struct notice_scan_ctx {
    struct arena *a;
    int64_t tenant_id, now_us;
    struct tenant_row tenant;
    struct credit_type_row *types;
    size_t n_types;
    struct lot_row *lots;
    size_t n_lots;
};

static enum err svc_notice_scan_txn(struct store_conn *c, void *arg)
{
    struct notice_scan_ctx *x = arg;
    x->n_lots = 0;
    enum err rc = store_tenant_get(c, x->a, x->tenant_id, &x->tenant);
    if (rc != ERR_OK || x->tenant.expiry_notice_days <= 0)
        return rc;
    rc = store_credit_type_list(c, x->a, x->tenant_id, &x->types, &x->n_types);
    int64_t until = x->now_us + (int64_t)x->tenant.expiry_notice_days * USEC_PER_DAY;
    return rc == ERR_OK ? store_lots_expiring_unnoticed(c, x->a, x->tenant_id, x->now_us, until,
                                                        NOTICE_LOTS_PER_PASS, &x->lots, &x->n_lots)
                        : rc;
}

/* One tenant's notices due at now_us; *count adds those written. */
static enum err svc_notices_tenant(struct svc *s, int64_t tenant_id, int64_t now_us, int64_t *count)
{
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    struct notice_scan_ctx scan = {.a = &a, .tenant_id = tenant_id, .now_us = now_us};
    enum err rc = store_read(s->st, svc_notice_scan_txn, &scan);
    for (size_t i = 0; rc == ERR_OK && i < scan.n_lots; i++) {
        const struct lot_row *r = &scan.lots[i];
        const struct credit_type_row *type = NULL;
        for (size_t k = 0; k < scan.n_types; k++)
            type = scan.types[k].id == r->lot.credit_type_id ? &scan.types[k] : type;
        if (type == NULL)
            continue;
        struct notice_ctx x = {
            .a = &a, .tenant_id = tenant_id, .lot = r, .type = type, .now_us = now_us};
        rc = svc_write_for(s, tenant_id, r->lot.customer_id, svc_notice_txn, &x);
        *count += rc == ERR_OK && x.noticed;
    }
    arena_release(&a);
    return rc;
}

static enum err svc_notice_tenants_txn(struct store_conn *c, void *arg)
{
    struct notice_scan_ctx *x = arg;
    int64_t **ids = (int64_t **)&x->lots;
    return store_tenant_ids(c, x->a, ids, &x->n_lots);
}

enum err svc_expiry_notices(struct svc *s, int64_t now_us, int64_t *count)
{
    ASSERT(count != NULL);
    int64_t now = now_us ? now_us : svc_now(s);
    *count = 0;
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    struct notice_scan_ctx ids = {.a = &a};
    enum err rc = store_read(s->st, svc_notice_tenants_txn, &ids);
    const int64_t *tenant_ids = (const int64_t *)ids.lots;
    for (size_t i = 0; rc == ERR_OK && i < ids.n_lots; i++)
        rc = svc_notices_tenant(s, tenant_ids[i], now, count);
    arena_release(&a);
    return rc;
}
