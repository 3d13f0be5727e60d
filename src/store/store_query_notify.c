/*
 * The notifications' questions (schema 9): the outbox of events, the
 * deliveries made from them with their log, webhook endpoints, who a mail
 * may go to, and what each user chose not to receive.
 *
 * Every statement names its tenant, as everywhere (Citus). The dispatcher's
 * scans (unfanned events, due deliveries) are per tenant and run on partial
 * indexes that hold only the rows still to do.
 */
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"

/* ---- events ------------------------------------------------------------ */

#define EVENT_COLUMNS                                                                              \
    "id, tenant_id, type, customer_id, subject_id, user_id, attrs, body, fanned_at, created_at"

static void store_event_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct event_row *out = row;
    out->id = store_column_int64(s, 0);
    out->tenant_id = store_column_int64(s, 1);
    out->type = store_q_text(a, s, 2);
    out->customer_id = store_column_int64(s, 3);
    out->subject_id = store_column_int64(s, 4);
    out->user_id = store_column_int64(s, 5);
    out->attrs = store_q_text(a, s, 6);
    out->body = store_q_text(a, s, 7);
    out->fanned_at_us = store_column_int64(s, 8);
    out->created_at_us = store_column_int64(s, 9);
}

enum err store_event_insert(struct store_conn *c, const struct event_row *e)
{
    ASSERT(e->tenant_id > 0);
    ASSERT(e->type != NULL);
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO events (tenant_id, type, customer_id, subject_id, "
                                "user_id, attrs, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, e->tenant_id);
    store_bind_text(s, 2, e->type);
    store_bind_int64(s, 3, e->customer_id);
    store_bind_int64(s, 4, e->subject_id);
    store_bind_int64(s, 5, e->user_id);
    store_bind_text(s, 6, e->attrs != NULL ? e->attrs : "{}");
    store_bind_int64(s, 7, e->created_at_us);
    return store_send(s);
}

enum err store_events_unfanned(struct store_conn *c, struct arena *a, int64_t tenant_id,
                               size_t limit, struct event_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " EVENT_COLUMNS " FROM events WHERE fanned_at = 0 "
                                "AND tenant_id = $1 ORDER BY id LIMIT $2",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, (int64_t)limit);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_event_read);
}

enum err store_event_fan(struct store_conn *c, int64_t tenant_id, int64_t id, const char *body,
                         int64_t now_us)
{
    ASSERT(now_us > 0);
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE events SET body = $3, fanned_at = $4 WHERE tenant_id = $1 "
                                "AND id = $2 AND fanned_at = 0 RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    store_bind_text(s, 3, body);
    store_bind_int64(s, 4, now_us);
    int64_t got;
    return store_q_id(c, s, &got);
}

enum err store_events_quiet(struct store_conn *c, int64_t tenant_id, int64_t now_us)
{
    ASSERT(now_us > 0);
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE events SET fanned_at = $2 WHERE fanned_at = 0 AND "
                                "tenant_id = $1",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, now_us);
    return store_q_run(c, s);
}

enum err store_event_scrub(struct store_conn *c, int64_t tenant_id, int64_t id)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c, "UPDATE events SET attrs = '{}', body = '' WHERE tenant_id = $1 AND id = $2", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    return store_q_run(c, s);
}

enum err store_event_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                         struct event_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c, "SELECT " EVENT_COLUMNS " FROM events WHERE tenant_id = $1 AND id = $2", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    return store_q_one(c, a, s, out, store_event_read);
}

enum err store_event_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                          const char *type, int64_t before_id, size_t limit, struct event_row **out,
                          size_t *n)
{
    struct store_stmt *s;
    enum err rc =
        store_prepare(c,
                      "SELECT " EVENT_COLUMNS " FROM events WHERE tenant_id = $1 "
                      "AND (CAST($2 AS BIGINT) = 0 OR id < $2) AND ($3 = '' OR type = $3) "
                      "AND type NOT LIKE 'account.%' "
                      "ORDER BY tenant_id DESC, id DESC LIMIT $4",
                      &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, before_id);
    store_bind_text(s, 3, type != NULL ? type : "");
    store_bind_int64(s, 4, (int64_t)limit);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_event_read);
}

enum err store_event_exists(struct store_conn *c, int64_t tenant_id, const char *type,
                            int64_t subject_id, int64_t since_us, bool *exists)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT COUNT(*) FROM events WHERE subject_id = $2 AND type = $3 "
                                "AND tenant_id = $1 AND created_at >= $4",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, subject_id);
    store_bind_text(s, 3, type);
    store_bind_int64(s, 4, since_us);
    int64_t count = 0;
    rc = store_q_id(c, s, &count);
    *exists = rc == ERR_OK && count > 0;
    return rc;
}

/* ---- deliveries ---------------------------------------------------------- */

#define DELIVERY_COLUMNS                                                                           \
    "id, tenant_id, event_id, channel, endpoint_id, user_id, recipient, locale, status, "          \
    "attempts, next_attempt_at, last_error, delivered_at, created_at, unsubscribe_token"

static void store_delivery_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct delivery_row *out = row;
    out->id = store_column_int64(s, 0);
    out->tenant_id = store_column_int64(s, 1);
    out->event_id = store_column_int64(s, 2);
    out->channel = store_q_text(a, s, 3);
    out->endpoint_id = store_column_int64(s, 4);
    out->user_id = store_column_int64(s, 5);
    out->recipient = store_q_text(a, s, 6);
    out->locale = store_q_text(a, s, 7);
    out->status = store_q_text(a, s, 8);
    out->attempts = store_column_int64(s, 9);
    out->next_attempt_at_us = store_column_int64(s, 10);
    out->last_error = store_q_text(a, s, 11);
    out->delivered_at_us = store_column_int64(s, 12);
    out->created_at_us = store_column_int64(s, 13);
    out->unsubscribe_token = store_q_text(a, s, 14);
}

enum err store_delivery_insert(struct store_conn *c, const struct delivery_row *d)
{
    int64_t id;
    return store_delivery_insert_id(c, d, &id);
}

enum err store_deliveries_due(struct store_conn *c, struct arena *a, int64_t tenant_id,
                              int64_t now_us, size_t limit, struct delivery_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " DELIVERY_COLUMNS " FROM deliveries WHERE status = "
                                "'pending' AND next_attempt_at <= $2 AND tenant_id = $1 "
                                "ORDER BY next_attempt_at, id LIMIT $3",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, now_us);
    store_bind_int64(s, 3, (int64_t)limit);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_delivery_read);
}

enum err store_delivery_update(struct store_conn *c, const struct delivery_row *d)
{
    ASSERT(d->attempts >= 0);
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE deliveries SET status = $3, attempts = $4, "
                                "next_attempt_at = $5, last_error = $6, delivered_at = $7 "
                                "WHERE tenant_id = $1 AND id = $2",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, d->tenant_id);
    store_bind_int64(s, 2, d->id);
    store_bind_text(s, 3, d->status);
    store_bind_int64(s, 4, d->attempts);
    store_bind_int64(s, 5, d->next_attempt_at_us);
    store_bind_text(s, 6, d->last_error != NULL ? d->last_error : "");
    store_bind_int64(s, 7, d->delivered_at_us);
    return store_q_run(c, s);
}

enum err store_delivery_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                            struct delivery_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c, "SELECT " DELIVERY_COLUMNS " FROM deliveries WHERE tenant_id = $1 AND id = $2", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    return store_q_one(c, a, s, out, store_delivery_read);
}

enum err store_delivery_list_event(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                   int64_t event_id, struct delivery_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " DELIVERY_COLUMNS " FROM deliveries WHERE event_id = $2 "
                                "AND tenant_id = $1 ORDER BY id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, event_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_delivery_read);
}

enum err store_delivery_skip_endpoint(struct store_conn *c, int64_t tenant_id, int64_t endpoint_id,
                                      const char *reason)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE deliveries SET status = 'skipped', last_error = $3 "
                                "WHERE endpoint_id = $2 AND status = 'pending' AND tenant_id = $1 "
                                "AND channel = 'webhook'",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, endpoint_id);
    store_bind_text(s, 3, reason);
    return store_q_run(c, s);
}

#define ATTEMPT_COLUMNS                                                                            \
    "id, tenant_id, delivery_id, endpoint_id, attempted_at, http_status, duration_ms, outcome, "   \
    "excerpt, error"

static void store_attempt_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct delivery_attempt_row *out = row;
    out->id = store_column_int64(s, 0);
    out->tenant_id = store_column_int64(s, 1);
    out->delivery_id = store_column_int64(s, 2);
    out->endpoint_id = store_column_int64(s, 3);
    out->attempted_at_us = store_column_int64(s, 4);
    out->http_status = store_column_int64(s, 5);
    out->duration_ms = store_column_int64(s, 6);
    out->outcome = store_q_text(a, s, 7);
    out->excerpt = store_q_text(a, s, 8);
    out->error = store_q_text(a, s, 9);
}

enum err store_delivery_attempt_insert(struct store_conn *c, const struct delivery_attempt_row *r)
{
    ASSERT(r->tenant_id > 0);
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO delivery_attempts (tenant_id, delivery_id, "
                                "endpoint_id, attempted_at, http_status, duration_ms, outcome, "
                                "excerpt, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, r->tenant_id);
    store_bind_int64(s, 2, r->delivery_id);
    store_bind_int64(s, 3, r->endpoint_id);
    store_bind_int64(s, 4, r->attempted_at_us);
    store_bind_int64(s, 5, r->http_status);
    store_bind_int64(s, 6, r->duration_ms);
    store_bind_text(s, 7, r->outcome);
    store_bind_text(s, 8, r->excerpt != NULL ? r->excerpt : "");
    store_bind_text(s, 9, r->error != NULL ? r->error : "");
    return store_q_run(c, s);
}

enum err store_delivery_attempt_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                     int64_t endpoint_id, int64_t before_id, size_t limit,
                                     struct delivery_attempt_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc =
        store_prepare(c,
                      "SELECT " ATTEMPT_COLUMNS " FROM delivery_attempts WHERE "
                      "endpoint_id = $2 AND tenant_id = $1 AND (CAST($3 AS BIGINT) = 0 OR id < $3) "
                      "ORDER BY endpoint_id DESC, id DESC LIMIT $4",
                      &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, endpoint_id);
    store_bind_int64(s, 3, before_id);
    store_bind_int64(s, 4, (int64_t)limit);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_attempt_read);
}

/* ---- webhook endpoints --------------------------------------------------- */

#define ENDPOINT_COLUMNS                                                                           \
    "id, tenant_id, url, description, events, secret, disabled, disabled_reason, failing_since, "  \
    "created_at, updated_at"

static void store_endpoint_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct webhook_endpoint_row *out = row;
    out->id = store_column_int64(s, 0);
    out->tenant_id = store_column_int64(s, 1);
    out->url = store_q_text(a, s, 2);
    out->description = store_q_text(a, s, 3);
    out->events = store_q_text(a, s, 4);
    out->secret = store_q_text(a, s, 5);
    out->disabled = store_column_int64(s, 6) != 0;
    out->disabled_reason = store_q_text(a, s, 7);
    out->failing_since_us = store_column_int64(s, 8);
    out->created_at_us = store_column_int64(s, 9);
    out->updated_at_us = store_column_int64(s, 10);
}

enum err store_webhook_endpoint_insert(struct store_conn *c, const struct webhook_endpoint_row *r,
                                       int64_t *id)
{
    ASSERT(r->tenant_id > 0);
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO webhook_endpoints (tenant_id, url, description, "
                                "events, secret, disabled, disabled_reason, failing_since, "
                                "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                                "$9, $9) RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, r->tenant_id);
    store_bind_text(s, 2, r->url);
    store_bind_text(s, 3, r->description != NULL ? r->description : "");
    store_bind_text(s, 4, r->events);
    store_bind_text(s, 5, r->secret);
    store_bind_int64(s, 6, r->disabled ? 1 : 0);
    store_bind_text(s, 7, r->disabled_reason != NULL ? r->disabled_reason : "");
    store_bind_int64(s, 8, r->failing_since_us);
    store_bind_int64(s, 9, r->created_at_us);
    return store_q_id(c, s, id);
}

enum err store_webhook_endpoint_update(struct store_conn *c, const struct webhook_endpoint_row *r)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE webhook_endpoints SET url = $3, description = $4, "
                                "events = $5, secret = $6, disabled = $7, disabled_reason = $8, "
                                "failing_since = $9, updated_at = $10 WHERE tenant_id = $1 "
                                "AND id = $2",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, r->tenant_id);
    store_bind_int64(s, 2, r->id);
    store_bind_text(s, 3, r->url);
    store_bind_text(s, 4, r->description != NULL ? r->description : "");
    store_bind_text(s, 5, r->events);
    store_bind_text(s, 6, r->secret);
    store_bind_int64(s, 7, r->disabled ? 1 : 0);
    store_bind_text(s, 8, r->disabled_reason != NULL ? r->disabled_reason : "");
    store_bind_int64(s, 9, r->failing_since_us);
    store_bind_int64(s, 10, r->updated_at_us);
    return store_q_run(c, s);
}

enum err store_webhook_endpoint_get(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                    int64_t id, bool lock, struct webhook_endpoint_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                lock ? "SELECT " ENDPOINT_COLUMNS " FROM webhook_endpoints WHERE "
                                       "tenant_id = $1 AND id = $2 FOR UPDATE"
                                     : "SELECT " ENDPOINT_COLUMNS " FROM webhook_endpoints WHERE "
                                       "tenant_id = $1 AND id = $2",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    return store_q_one(c, a, s, out, store_endpoint_read);
}

enum err store_webhook_endpoint_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                     struct webhook_endpoint_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " ENDPOINT_COLUMNS " FROM webhook_endpoints WHERE "
                                "tenant_id = $1 ORDER BY tenant_id, id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_endpoint_read);
}

enum err store_webhook_endpoint_delete(struct store_conn *c, int64_t tenant_id, int64_t id)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c, "DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2 RETURNING id", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    int64_t got;
    return store_q_id(c, s, &got);
}

/* ---- recipients and preferences -------------------------------------------- */

static void store_recipient_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct recipient_row *out = row;
    out->user_id = store_column_int64(s, 0);
    out->email = store_q_text(a, s, 1);
    out->name = store_q_text(a, s, 2);
    out->locale = store_q_text(a, s, 3);
}

enum err store_recipients_staff(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                struct recipient_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT id, email, name, locale FROM users WHERE tenant_id = $1 "
                                "AND role IN ('admin', 'staff') AND disabled = 0 ORDER BY id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_recipient_read);
}

enum err store_recipients_owners(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                 int64_t customer_id, struct recipient_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c,
        "SELECT u.id, u.email, u.name, CASE WHEN u.locale <> '' THEN u.locale ELSE k.locale END "
        "FROM members m JOIN users u ON u.id = m.user_id AND u.tenant_id = m.tenant_id "
        "JOIN customers k ON k.id = m.customer_id AND k.tenant_id = m.tenant_id "
        "WHERE m.customer_id = $2 AND m.tenant_id = $1 AND m.role = 'owner' AND u.disabled = 0 "
        "ORDER BY u.id",
        &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, customer_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_recipient_read);
}

enum err store_recipient_user(struct store_conn *c, struct arena *a, int64_t tenant_id,
                              int64_t user_id, int64_t customer_id, struct recipient_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c,
        "SELECT u.id, u.email, u.name, CASE WHEN u.locale <> '' THEN u.locale ELSE "
        "COALESCE((SELECT k.locale FROM customers k WHERE k.id = $3 AND k.tenant_id = $1), '') "
        "END FROM users u WHERE u.id = $2 AND u.tenant_id = $1 AND u.disabled = 0",
        &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, user_id);
    store_bind_int64(s, 3, customer_id);
    return store_q_one(c, a, s, out, store_recipient_read);
}

static void store_type_read(struct arena *a, struct store_stmt *s, void *row)
{
    *(const char **)row = store_q_text(a, s, 0);
}

enum err store_mail_optouts(struct store_conn *c, struct arena *a, int64_t tenant_id,
                            int64_t user_id, const char ***types, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT event_type FROM mail_optouts WHERE user_id = $2 "
                                "AND tenant_id = $1 ORDER BY event_type",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, user_id);
    return store_q_list(c, a, s, (void **)types, n, sizeof(**types), store_type_read);
}

enum err store_mail_optout_set(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                               const char *type, bool out, int64_t now_us)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                out ? "INSERT INTO mail_optouts (tenant_id, user_id, event_type, "
                                      "created_at) VALUES ($1, $2, $3, $4) ON CONFLICT "
                                      "(user_id, event_type, tenant_id) DO NOTHING"
                                    : "DELETE FROM mail_optouts WHERE user_id = $2 AND "
                                      "event_type = $3 AND tenant_id = $1 AND $4 >= 0",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, user_id);
    store_bind_text(s, 3, type);
    store_bind_int64(s, 4, now_us);
    return store_q_run(c, s);
}

enum err store_user_locale_set(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                               const char *locale)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c, "UPDATE users SET locale = $3 WHERE tenant_id = $1 AND id = $2 RETURNING id", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, user_id);
    store_bind_text(s, 3, locale);
    int64_t got;
    return store_q_id(c, s, &got);
}

enum err store_user_locale_get(struct store_conn *c, struct arena *a, int64_t tenant_id,
                               int64_t user_id, const char **locale)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c, "SELECT locale FROM users WHERE tenant_id = $1 AND id = $2", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, user_id);
    return store_q_one(c, a, s, locale, store_type_read);
}

enum err store_delivery_by_unsubscribe(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                       const char *token, struct delivery_row *out)
{
    ASSERT(token != NULL);
    if (token[0] == '\0')
        return ERR_NOT_FOUND;
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " DELIVERY_COLUMNS " FROM deliveries WHERE "
                                "unsubscribe_token = $2 AND unsubscribe_token <> '' AND "
                                "tenant_id = $1 AND channel = 'mail'",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_text(s, 2, token);
    return store_q_one(c, a, s, out, store_delivery_read);
}

enum err store_tenant_first_host(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                 const char **host)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT host FROM tenant_hosts WHERE tenant_id = $1 "
                                "ORDER BY host LIMIT 1",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    rc = store_q_one(c, a, s, host, store_type_read);
    if (rc == ERR_NOT_FOUND) {
        *host = "";
        rc = ERR_OK;
    }
    return rc;
}

/* ---- added for the webhook API (svc_webhook.c) ----------------------------- */

enum err store_delivery_insert_id(struct store_conn *c, const struct delivery_row *d, int64_t *id)
{
    ASSERT(d->tenant_id > 0);
    ASSERT(d->event_id > 0);
    struct store_stmt *s;
    enum err rc =
        store_prepare(c,
                      "INSERT INTO deliveries (tenant_id, event_id, channel, endpoint_id, "
                      "user_id, recipient, locale, status, attempts, next_attempt_at, "
                      "last_error, delivered_at, created_at, unsubscribe_token) VALUES "
                      "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
                      &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, d->tenant_id);
    store_bind_int64(s, 2, d->event_id);
    store_bind_text(s, 3, d->channel);
    store_bind_int64(s, 4, d->endpoint_id);
    store_bind_int64(s, 5, d->user_id);
    store_bind_text(s, 6, d->recipient);
    store_bind_text(s, 7, d->locale != NULL ? d->locale : "");
    store_bind_text(s, 8, d->status);
    store_bind_int64(s, 9, d->attempts);
    store_bind_int64(s, 10, d->next_attempt_at_us);
    store_bind_text(s, 11, d->last_error != NULL ? d->last_error : "");
    store_bind_int64(s, 12, d->delivered_at_us);
    store_bind_int64(s, 13, d->created_at_us);
    store_bind_text(s, 14, d->unsubscribe_token != NULL ? d->unsubscribe_token : "");
    return store_q_id(c, s, id);
}
