/*
 * The ledger's questions: accounts, lots, orders, transfers and the journal.
 * Hot paths here are indexed (see the schema): a customer's live lots, a
 * customer's ledger page by keyset, sums over a date range. Full scans happen
 * only in verification.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"

/* ---- accounts ---------------------------------------------------------- */

static void store_account_read(struct arena *a, struct store_stmt *s, void *row)
{
    (void)a;
    struct account_row *out = row;
    out->customer_id = store_column_int64(s, 0);
    out->credit_type_id = store_column_int64(s, 1);
    out->tenant_id = store_column_int64(s, 2);
    out->balance_minor = store_column_int64(s, 3);
    out->held_minor = store_column_int64(s, 4);
    out->updated_at_us = store_column_int64(s, 5);
    out->chain_seq = store_column_int64(s, 6);
    str_copy(out->chain_hash, sizeof(out->chain_hash), store_column_text(s, 7));
    out->low_threshold_minor = store_column_int64(s, 8);
    out->low_alerted = store_column_int64(s, 9) != 0;
}

#define ACCOUNT_COLUMNS                                                                            \
    "customer_id, credit_type_id, tenant_id, balance_minor, held_minor, updated_at, chain_seq, "   \
    "chain_hash, low_threshold_minor, low_alerted"

enum err store_account_lock(struct store_conn *c, int64_t tenant_id, int64_t customer_id,
                            int64_t credit_type_id, int64_t now_us, struct account_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO accounts (customer_id, credit_type_id, tenant_id, "
                                "balance_minor, held_minor, updated_at) VALUES ($1, $2, $3, 0, 0, "
                                "$4) ON CONFLICT (tenant_id, customer_id, credit_type_id) "
                                "DO NOTHING",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, customer_id);
    store_bind_int64(s, 2, credit_type_id);
    store_bind_int64(s, 3, tenant_id);
    store_bind_int64(s, 4, now_us);
    /* Sent without waiting: the locking read below carries its outcome. */
    rc = store_send(s);
    if (rc != ERR_OK)
        return rc;
    rc = store_prepare(c,
                       "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE tenant_id = $3 "
                       "AND customer_id = $1 AND credit_type_id = $2 FOR UPDATE",
                       &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, customer_id);
    store_bind_int64(s, 2, credit_type_id);
    store_bind_int64(s, 3, tenant_id);
    return store_q_one(c, NULL, s, out, store_account_read);
}

enum err store_account_update(struct store_conn *c, const struct account_row *r)
{
    ASSERT(r->balance_minor >= 0);
    ASSERT(r->held_minor >= 0);
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE accounts SET balance_minor = $3, held_minor = $4, "
                                "updated_at = $5, chain_seq = $6, chain_hash = $7, "
                                "low_threshold_minor = $9, low_alerted = $10 WHERE "
                                "tenant_id = $8 AND customer_id = $1 AND credit_type_id = $2",
                                &s);
    if (rc != ERR_OK)
        return rc;
    ASSERT(r->tenant_id > 0);
    store_bind_int64(s, 8, r->tenant_id);
    store_bind_int64(s, 1, r->customer_id);
    store_bind_int64(s, 2, r->credit_type_id);
    store_bind_int64(s, 3, r->balance_minor);
    store_bind_int64(s, 4, r->held_minor);
    store_bind_int64(s, 5, r->updated_at_us);
    store_bind_int64(s, 6, r->chain_seq);
    store_bind_text(s, 7, r->chain_hash);
    store_bind_int64(s, 9, r->low_threshold_minor);
    store_bind_int64(s, 10, r->low_alerted ? 1 : 0);
    return store_send(s);
}

enum err store_account_get(struct store_conn *c, int64_t tenant_id, int64_t customer_id,
                           int64_t credit_type_id, struct account_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE tenant_id = $3 "
                                "AND customer_id = $1 AND credit_type_id = $2",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, customer_id);
    store_bind_int64(s, 2, credit_type_id);
    store_bind_int64(s, 3, tenant_id);
    return store_q_one(c, NULL, s, out, store_account_read);
}

enum err store_account_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                            struct account_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE tenant_id = $1 "
                                "ORDER BY customer_id, credit_type_id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_account_read);
}

/* ---- lots -------------------------------------------------------------- */

#define LOT_COLUMNS                                                                                \
    "id, tenant_id, customer_id, credit_type_id, name, notes, source, status, original_minor, "    \
    "remaining_minor, deactivated_minor, cost_basis_minor, package_id, invoice_id, order_id, "     \
    "starts_at, start_on_first_use, expires_at, expiry_days_after_start, paused_at, categories, "  \
    "provider, peak, created_by, created_at, updated_at"

static void store_lot_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct lot_row *out = row;
    struct lot *l = &out->lot;
    memset(out, 0, sizeof(*out));
    l->id = store_column_int64(s, 0);
    out->tenant_id = store_column_int64(s, 1);
    l->customer_id = store_column_int64(s, 2);
    l->credit_type_id = store_column_int64(s, 3);
    out->name = store_q_text(a, s, 4);
    out->notes = store_q_text(a, s, 5);
    if (!lot_source_parse(store_column_text(s, 6), &l->source))
        l->source = SOURCE_MANUAL;
    if (!lot_status_parse(store_column_text(s, 7), &l->status))
        l->status = LOT_DEACTIVATED;
    l->original_minor = store_column_int64(s, 8);
    l->remaining_minor = store_column_int64(s, 9);
    l->deactivated_minor = store_column_int64(s, 10);
    out->cost_basis_minor = store_column_int64(s, 11);
    out->package_id = store_column_int64(s, 12);
    out->invoice_id = store_column_int64(s, 13);
    out->order_id = store_column_int64(s, 14);
    l->starts_at_us = store_column_int64(s, 15);
    l->start_on_first_use = store_column_int64(s, 16) != 0;
    l->expires_at_us = store_column_int64(s, 17);
    l->expiry_days_after_start = (int32_t)store_column_int64(s, 18);
    l->paused_at_us = store_column_int64(s, 19);
    l->categories = store_q_text(a, s, 20);
    l->provider = store_q_text(a, s, 21);
    out->peak_text = store_q_text(a, s, 22);
    out->created_by = store_q_text(a, s, 23);
    l->created_at_us = store_column_int64(s, 24);
    out->updated_at_us = store_column_int64(s, 25);
    /* The rule was validated when it was written; a rule that no longer
     * parses prices at 1x rather than failing every order of the customer. */
    if (peak_rule_parse(out->peak_text, &l->peak, NULL) != ERR_OK)
        l->peak = (struct peak_rule){.multiplier_permille = 1000};
}

enum err store_lot_insert(struct store_conn *c, const struct lot_row *r, int64_t *id)
{
    const struct lot *l = &r->lot;
    ASSERT(l->remaining_minor >= 0);
    ASSERT(l->original_minor > 0);
    struct store_stmt *s;
    enum err rc = store_prepare(
        c,
        "INSERT INTO lots (tenant_id, customer_id, credit_type_id, name, notes, source, status, "
        "original_minor, remaining_minor, deactivated_minor, cost_basis_minor, package_id, "
        "invoice_id, order_id, starts_at, start_on_first_use, expires_at, "
        "expiry_days_after_start, paused_at, categories, provider, peak, created_by, created_at, "
        "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
        "$16, $17, $18, $19, $20, $21, $22, $23, $24, $24) RETURNING id",
        &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, r->tenant_id);
    store_bind_int64(s, 2, l->customer_id);
    store_bind_int64(s, 3, l->credit_type_id);
    store_bind_text(s, 4, r->name ? r->name : "");
    store_bind_text(s, 5, r->notes ? r->notes : "");
    store_bind_text(s, 6, lot_source_name(l->source));
    store_bind_text(s, 7, lot_status_name(l->status));
    store_bind_int64(s, 8, l->original_minor);
    store_bind_int64(s, 9, l->remaining_minor);
    store_bind_int64(s, 10, l->deactivated_minor);
    store_bind_int64(s, 11, r->cost_basis_minor);
    store_bind_id(s, 12, r->package_id);
    store_bind_id(s, 13, r->invoice_id);
    store_bind_id(s, 14, r->order_id);
    store_bind_int64(s, 15, l->starts_at_us);
    store_bind_int64(s, 16, l->start_on_first_use);
    store_bind_int64(s, 17, l->expires_at_us);
    store_bind_int64(s, 18, l->expiry_days_after_start);
    store_bind_int64(s, 19, l->paused_at_us);
    store_bind_text(s, 20, l->categories ? l->categories : "");
    store_bind_text(s, 21, l->provider ? l->provider : "");
    store_bind_text(s, 22, r->peak_text ? r->peak_text : "");
    store_bind_text(s, 23, r->created_by ? r->created_by : "");
    store_bind_int64(s, 24, l->created_at_us);
    return store_q_id(c, s, id);
}

enum err store_lot_update(struct store_conn *c, const struct lot_row *r, int64_t now_us)
{
    const struct lot *l = &r->lot;
    ASSERT(l->remaining_minor >= 0);
    struct store_stmt *s;
    enum err rc =
        store_prepare(c,
                      "UPDATE lots SET name = $3, notes = $4, status = $5, remaining_minor = $6, "
                      "deactivated_minor = $7, starts_at = $8, expires_at = $9, paused_at = $10, "
                      "updated_at = $11 WHERE tenant_id = $1 AND id = $2",
                      &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, r->tenant_id);
    store_bind_int64(s, 2, l->id);
    store_bind_text(s, 3, r->name);
    store_bind_text(s, 4, r->notes);
    store_bind_text(s, 5, lot_status_name(l->status));
    store_bind_int64(s, 6, l->remaining_minor);
    store_bind_int64(s, 7, l->deactivated_minor);
    store_bind_int64(s, 8, l->starts_at_us);
    store_bind_int64(s, 9, l->expires_at_us);
    store_bind_int64(s, 10, l->paused_at_us);
    store_bind_int64(s, 11, now_us);
    return store_send(s);
}

enum err store_lot_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                       bool lock, struct lot_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c,
        lock ? "SELECT " LOT_COLUMNS " FROM lots WHERE tenant_id = $1 AND id = $2 FOR UPDATE"
             : "SELECT " LOT_COLUMNS " FROM lots WHERE tenant_id = $1 AND id = $2",
        &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    return store_q_one(c, a, s, out, store_lot_read);
}

enum err store_lot_list_live(struct store_conn *c, struct arena *a, int64_t tenant_id,
                             int64_t customer_id, int64_t credit_type_id, bool lock,
                             struct lot_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c,
        lock ? "SELECT " LOT_COLUMNS " FROM lots WHERE customer_id = $1 AND credit_type_id = $2 "
               "AND status IN ('active', 'paused') AND tenant_id = $3 ORDER BY id FOR UPDATE"
             : "SELECT " LOT_COLUMNS " FROM lots WHERE customer_id = $1 AND credit_type_id = $2 "
               "AND status IN ('active', 'paused') AND tenant_id = $3 ORDER BY id",
        &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, customer_id);
    store_bind_int64(s, 2, credit_type_id);
    store_bind_int64(s, 3, tenant_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_lot_read);
}

enum err store_lot_list_customer(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                 int64_t customer_id, struct lot_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " LOT_COLUMNS " FROM lots WHERE customer_id = $1 "
                                "AND tenant_id = $2 ORDER BY id DESC",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, customer_id);
    store_bind_int64(s, 2, tenant_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_lot_read);
}

enum err store_lot_list_invoice(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                int64_t invoice_id, bool lock, struct lot_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                lock ? "SELECT " LOT_COLUMNS " FROM lots WHERE invoice_id = $1 "
                                       "AND tenant_id = $2 ORDER BY id FOR UPDATE"
                                     : "SELECT " LOT_COLUMNS " FROM lots WHERE invoice_id = $1 "
                                       "AND tenant_id = $2 ORDER BY id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, invoice_id);
    store_bind_int64(s, 2, tenant_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_lot_read);
}

enum err store_lot_list_expiring(struct store_conn *c, struct arena *a, int64_t now_us,
                                 size_t limit, struct lot_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " LOT_COLUMNS " FROM lots WHERE status = 'active' "
                                "AND expires_at > 0 AND expires_at <= $1 "
                                "ORDER BY expires_at, id LIMIT $2",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, now_us);
    store_bind_int64(s, 2, (int64_t)limit);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_lot_read);
}

enum err store_lots_expiring_unnoticed(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                       int64_t now_us, int64_t until_us, size_t limit,
                                       struct lot_row **out, size_t *n)
{
    ASSERT(until_us >= now_us);
    struct store_stmt *s;
    /* The expiry job's index (status, expires_at) finds the window; the
     * tenant and the notice are checks on the few rows in it. */
    enum err rc = store_prepare(c,
                                "SELECT " LOT_COLUMNS " FROM lots WHERE status = 'active' "
                                "AND expires_at > $1 AND expires_at <= $2 AND tenant_id = $3 "
                                "AND remaining_minor > 0 AND expiry_noticed_at = 0 "
                                "ORDER BY expires_at, id LIMIT $4",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, now_us);
    store_bind_int64(s, 2, until_us);
    store_bind_int64(s, 3, tenant_id);
    store_bind_int64(s, 4, (int64_t)limit);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_lot_read);
}

enum err store_lot_expiry_noticed(struct store_conn *c, int64_t tenant_id, int64_t lot_id,
                                  int64_t now_us)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE lots SET expiry_noticed_at = $3 WHERE tenant_id = $1 "
                                "AND id = $2 AND expiry_noticed_at = 0 RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, lot_id);
    store_bind_int64(s, 3, now_us);
    int64_t id;
    return store_q_id(c, s, &id);
}

enum err store_lot_event_insert(struct store_conn *c, int64_t tenant_id, int64_t lot_id,
                                const char *kind, const char *detail, const char *actor,
                                int64_t now_us)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO lot_events (lot_id, kind, detail, actor, created_at, "
                                "tenant_id) VALUES ($1, $2, $3, $4, $5, $6)",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 6, tenant_id);
    store_bind_int64(s, 1, lot_id);
    store_bind_text(s, 2, kind);
    store_bind_text(s, 3, detail ? detail : "");
    store_bind_text(s, 4, actor);
    store_bind_int64(s, 5, now_us);
    return store_q_run(c, s);
}

static void store_lot_event_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct lot_event_row *out = row;
    out->id = store_column_int64(s, 0);
    out->kind = store_q_text(a, s, 1);
    out->amount_minor = store_column_int64(s, 2);
    out->detail = store_q_text(a, s, 3);
    out->actor = store_q_text(a, s, 4);
    out->journal_id = store_column_int64(s, 5);
    out->created_at_us = store_column_int64(s, 6);
}

enum err store_lot_history(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t lot_id,
                           struct lot_event_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c,
        "SELECT id, kind, amount, detail, actor, journal_id, created_at FROM ("
        " SELECT p.id AS id, j.kind AS kind, p.amount_minor AS amount, "
        "  j.reason AS detail, j.actor AS actor, j.id AS journal_id, j.created_at AS created_at, "
        "  0 AS src FROM postings p JOIN journal j ON j.tenant_id = p.tenant_id "
        "  AND j.id = p.journal_id WHERE p.lot_id = $1 AND p.tenant_id = $2"
        " UNION ALL"
        " SELECT e.id, e.kind, 0, e.detail, e.actor, 0, e.created_at, 1 FROM lot_events e "
        "  WHERE e.lot_id = $1 AND e.tenant_id = $2"
        ") h ORDER BY created_at, src, id",
        &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, lot_id);
    store_bind_int64(s, 2, tenant_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_lot_event_read);
}

/* ---- orders ------------------------------------------------------------ */

#define ORDER_COLUMNS                                                                              \
    "id, tenant_id, customer_id, member_user_id, credit_type_id, reference, status, "              \
    "charge_mode, base_minor, total_minor, vehicle, notes, cancel_reason, created_by, "            \
    "created_at, updated_at"

static void store_order_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct order_row *out = row;
    out->id = store_column_int64(s, 0);
    out->tenant_id = store_column_int64(s, 1);
    out->customer_id = store_column_int64(s, 2);
    out->member_user_id = store_column_int64(s, 3);
    out->credit_type_id = store_column_int64(s, 4);
    out->reference = store_q_text(a, s, 5);
    out->status = store_q_text(a, s, 6);
    out->charge_mode = store_q_text(a, s, 7);
    out->base_minor = store_column_int64(s, 8);
    out->total_minor = store_column_int64(s, 9);
    out->vehicle = store_q_text(a, s, 10);
    out->notes = store_q_text(a, s, 11);
    out->cancel_reason = store_q_text(a, s, 12);
    out->created_by = store_q_text(a, s, 13);
    out->created_at_us = store_column_int64(s, 14);
    out->updated_at_us = store_column_int64(s, 15);
}

enum err store_order_id_next(struct store_conn *c, int64_t *id)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c, store_sql(c, STORE_SQL_ORDER_ID_NEXT), &s);
    if (rc != ERR_OK)
        return rc;
    return store_q_id(c, s, id);
}

enum err store_order_insert(struct store_conn *c, const struct order_row *o)
{
    ASSERT(o->id > 0);
    struct store_stmt *s;
    enum err rc = store_prepare(
        c,
        "INSERT INTO orders (tenant_id, customer_id, member_user_id, credit_type_id, reference, "
        "status, charge_mode, base_minor, total_minor, vehicle, notes, cancel_reason, "
        "created_by, created_at, updated_at, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
        "$10, $11, $12, $13, $14, $14, $15)",
        &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, o->tenant_id);
    store_bind_int64(s, 2, o->customer_id);
    store_bind_id(s, 3, o->member_user_id);
    store_bind_int64(s, 4, o->credit_type_id);
    store_bind_text(s, 5, o->reference);
    store_bind_text(s, 6, o->status);
    store_bind_text(s, 7, o->charge_mode);
    store_bind_int64(s, 8, o->base_minor);
    store_bind_int64(s, 9, o->total_minor);
    store_bind_text(s, 10, o->vehicle ? o->vehicle : "");
    store_bind_text(s, 11, o->notes ? o->notes : "");
    store_bind_text(s, 12, o->cancel_reason ? o->cancel_reason : "");
    store_bind_text(s, 13, o->created_by ? o->created_by : "");
    store_bind_int64(s, 14, o->created_at_us);
    store_bind_int64(s, 15, o->id);
    return store_send(s);
}

enum err store_order_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                         bool lock, struct order_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c,
        lock ? "SELECT " ORDER_COLUMNS " FROM orders WHERE tenant_id = $1 AND id = $2 FOR UPDATE"
             : "SELECT " ORDER_COLUMNS " FROM orders WHERE tenant_id = $1 AND id = $2",
        &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    return store_q_one(c, a, s, out, store_order_read);
}

enum err store_order_update(struct store_conn *c, const struct order_row *o)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE orders SET status = $3, charge_mode = $4, notes = $5, "
                                "cancel_reason = $6, updated_at = $7 "
                                "WHERE tenant_id = $1 AND id = $2",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, o->tenant_id);
    store_bind_int64(s, 2, o->id);
    store_bind_text(s, 3, o->status);
    store_bind_text(s, 4, o->charge_mode);
    store_bind_text(s, 5, o->notes);
    store_bind_text(s, 6, o->cancel_reason);
    store_bind_int64(s, 7, o->updated_at_us);
    return store_q_run(c, s);
}

/* One status's newest orders, each branch walking the (tenant_id, status, id)
 * index from the cursor down: the few waiting orders are found without
 * reading the many closed ones. A branch is HEAD $n TAIL name. */
#define ORDER_BRANCH_HEAD                                                                          \
    "SELECT * FROM (SELECT " ORDER_COLUMNS " FROM orders WHERE tenant_id = $1 AND status = "
#define ORDER_BRANCH_TAIL                                                                          \
    " AND (customer_id = $2 OR $2 = 0) AND id < $3 ORDER BY id DESC LIMIT $4) AS "

static const char store_order_list_all[] =
    "SELECT " ORDER_COLUMNS " FROM orders WHERE tenant_id = $1 "
    "AND (customer_id = $2 OR $2 = 0) AND id < $3 ORDER BY id DESC LIMIT $4";
static const char store_order_list_statuses[] = ORDER_BRANCH_HEAD
    "$5" ORDER_BRANCH_TAIL "s1 UNION ALL " ORDER_BRANCH_HEAD "$6" ORDER_BRANCH_TAIL
    "s2 UNION ALL " ORDER_BRANCH_HEAD "$7" ORDER_BRANCH_TAIL "s3 UNION ALL " ORDER_BRANCH_HEAD
    "$8" ORDER_BRANCH_TAIL "s4 ORDER BY id DESC LIMIT $4";
static_assert(ORDER_STATUSES_MAX == 4, "store_order_list_statuses has a branch per status");

enum err store_order_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                          const struct order_filter *f, struct order_row **out, size_t *n)
{
    ASSERT(f->n_statuses <= ORDER_STATUSES_MAX);
    struct store_stmt *s;
    enum err rc =
        store_prepare(c, f->n_statuses == 0 ? store_order_list_all : store_order_list_statuses, &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, f->customer_id);
    store_bind_int64(s, 3, f->before_id > 0 ? f->before_id : INT64_MAX);
    store_bind_int64(s, 4, (int64_t)f->limit);
    /* A slot without a status matches no order ('' is not a status). */
    for (size_t i = 0; f->n_statuses > 0 && i < ORDER_STATUSES_MAX; i++)
        store_bind_text(s, 5 + (int)i, i < f->n_statuses ? f->statuses[i] : "");
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_order_read);
}

enum err store_order_count_status(struct store_conn *c, int64_t tenant_id, const char *status,
                                  int64_t *count)
{
    struct store_stmt *s;
    enum err rc =
        store_prepare(c, "SELECT COUNT(*) FROM orders WHERE tenant_id = $1 AND status = $2", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_text(s, 2, status);
    return store_q_id(c, s, count);
}

enum err store_order_line_insert(struct store_conn *c, int64_t tenant_id, int64_t order_id,
                                 int position, const struct order_line_row *l)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO order_lines (order_id, position, service_id, name, "
                                "kind, category, cost_minor, tenant_id) VALUES ($1, $2, $3, $4, "
                                "$5, $6, $7, $8)",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 8, tenant_id);
    store_bind_int64(s, 1, order_id);
    store_bind_int64(s, 2, position);
    store_bind_int64(s, 3, l->service_id);
    store_bind_text(s, 4, l->name);
    store_bind_text(s, 5, l->kind);
    store_bind_text(s, 6, l->category);
    store_bind_int64(s, 7, l->cost_minor);
    return store_send(s);
}

static void store_order_line_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct order_line_row *out = row;
    out->service_id = store_column_int64(s, 0);
    out->name = store_q_text(a, s, 1);
    out->kind = store_q_text(a, s, 2);
    out->category = store_q_text(a, s, 3);
    out->cost_minor = store_column_int64(s, 4);
}

enum err store_order_lines(struct store_conn *c, struct arena *a, int64_t tenant_id,
                           int64_t order_id, struct order_line_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT service_id, name, kind, category, cost_minor FROM "
                                "order_lines WHERE tenant_id = $2 AND order_id = $1 "
                                "ORDER BY position",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, order_id);
    store_bind_int64(s, 2, tenant_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_order_line_read);
}

enum err store_allocation_insert(struct store_conn *c, int64_t tenant_id, int64_t order_id,
                                 const struct allocation_row *r)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO order_allocations (order_id, lot_id, base_minor, "
                                "amount_minor, multiplier_permille, tenant_id) VALUES ($1, $2, "
                                "$3, $4, $5, $6)",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 6, tenant_id);
    store_bind_int64(s, 1, order_id);
    store_bind_int64(s, 2, r->lot_id);
    store_bind_int64(s, 3, r->base_minor);
    store_bind_int64(s, 4, r->amount_minor);
    store_bind_int64(s, 5, r->multiplier_permille);
    return store_send(s);
}

static void store_allocation_read(struct arena *a, struct store_stmt *s, void *row)
{
    (void)a;
    struct allocation_row *out = row;
    out->lot_id = store_column_int64(s, 0);
    out->base_minor = store_column_int64(s, 1);
    out->amount_minor = store_column_int64(s, 2);
    out->multiplier_permille = (int32_t)store_column_int64(s, 3);
}

enum err store_allocations(struct store_conn *c, struct arena *a, int64_t tenant_id,
                           int64_t order_id, struct allocation_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT lot_id, base_minor, amount_minor, multiplier_permille "
                                "FROM order_allocations WHERE tenant_id = $2 AND order_id = $1 "
                                "ORDER BY lot_id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, order_id);
    store_bind_int64(s, 2, tenant_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_allocation_read);
}

enum err store_order_event_insert(struct store_conn *c, int64_t tenant_id, int64_t order_id,
                                  const char *from, const char *to, const char *actor,
                                  const char *reason, int64_t now_us)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO order_events (order_id, from_status, to_status, "
                                "actor, reason, created_at, tenant_id) VALUES ($1, $2, $3, $4, "
                                "$5, $6, $7)",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 7, tenant_id);
    store_bind_int64(s, 1, order_id);
    store_bind_text(s, 2, from);
    store_bind_text(s, 3, to);
    store_bind_text(s, 4, actor);
    store_bind_text(s, 5, reason ? reason : "");
    store_bind_int64(s, 6, now_us);
    return store_send(s);
}

enum err store_order_note_insert(struct store_conn *c, int64_t tenant_id, int64_t order_id,
                                 const char *status, const char *event, const char *detail,
                                 const char *actor, int64_t now_us)
{
    ASSERT(strcmp(event, "status") != 0);
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO order_events (order_id, from_status, to_status, "
                                "actor, reason, created_at, event, detail, tenant_id) "
                                "VALUES ($1, $2, $2, $3, '', $4, $5, $6, $7)",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 7, tenant_id);
    store_bind_int64(s, 1, order_id);
    store_bind_text(s, 2, status);
    store_bind_text(s, 3, actor);
    store_bind_int64(s, 4, now_us);
    store_bind_text(s, 5, event);
    store_bind_text(s, 6, detail);
    return store_send(s);
}

static void store_order_event_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct order_event_row *out = row;
    out->id = store_column_int64(s, 0);
    out->from_status = store_q_text(a, s, 1);
    out->to_status = store_q_text(a, s, 2);
    out->actor = store_q_text(a, s, 3);
    out->reason = store_q_text(a, s, 4);
    out->created_at_us = store_column_int64(s, 5);
    out->event = store_q_text(a, s, 6);
    out->detail = store_q_text(a, s, 7);
}

enum err store_order_events(struct store_conn *c, struct arena *a, int64_t tenant_id,
                            int64_t order_id, struct order_event_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT id, from_status, to_status, actor, reason, created_at, "
                                "event, detail FROM order_events WHERE order_id = $1 "
                                "AND tenant_id = $2 ORDER BY id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, order_id);
    store_bind_int64(s, 2, tenant_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_order_event_read);
}

enum err store_transfer_insert(struct store_conn *c, int64_t tenant_id, int64_t from_customer,
                               int64_t to_customer, int64_t credit_type_id, int64_t amount_minor,
                               const char *actor, const char *justification, int64_t now_us,
                               int64_t *id)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO transfers (tenant_id, from_customer_id, "
                                "to_customer_id, credit_type_id, amount_minor, actor, "
                                "justification, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                                "$8) RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, from_customer);
    store_bind_int64(s, 3, to_customer);
    store_bind_int64(s, 4, credit_type_id);
    store_bind_int64(s, 5, amount_minor);
    store_bind_text(s, 6, actor);
    store_bind_text(s, 7, justification);
    store_bind_int64(s, 8, now_us);
    return store_q_id(c, s, id);
}

/* ---- journal ----------------------------------------------------------- */

enum err store_journal_insert(struct store_conn *c, const struct journal_entry *e,
                              int64_t credit_type_id, int64_t actor_user_id, const char *lot_ids,
                              int64_t *id)
{
    ASSERT(journal_is_balanced(e));
    ASSERT(journal_amount_matches(e));
    char prev_hex[SHA256_HEX], hash_hex[SHA256_HEX];
    hex_encode(e->prev_hash, SHA256_BYTES, prev_hex);
    hex_encode(e->hash, SHA256_BYTES, hash_hex);
    struct store_stmt *s;
    enum err rc = store_prepare(
        c,
        "INSERT INTO journal (tenant_id, seq, kind, customer_id, credit_type_id, credit_type, "
        "amount_minor, balance_after_minor, order_id, invoice_id, transfer_id, actor, "
        "actor_user_id, reason, justification, lot_ids, created_at, prev_hash, hash, chain) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
        "$19, $20) RETURNING id",
        &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, e->tenant_id);
    store_bind_int64(s, 2, e->seq);
    store_bind_text(s, 3, journal_kind_name(e->kind));
    store_bind_int64(s, 4, e->customer_id);
    store_bind_int64(s, 5, credit_type_id);
    store_bind_text(s, 6, e->credit_type);
    store_bind_int64(s, 7, e->amount_minor);
    store_bind_int64(s, 8, e->balance_after_minor);
    store_bind_id(s, 9, e->order_id);
    store_bind_id(s, 10, e->invoice_id);
    store_bind_id(s, 11, e->transfer_id);
    store_bind_text(s, 12, e->actor ? e->actor : "");
    store_bind_id(s, 13, actor_user_id);
    store_bind_text(s, 14, e->reason ? e->reason : "");
    store_bind_text(s, 15, e->justification ? e->justification : "");
    store_bind_text(s, 16, lot_ids ? lot_ids : "");
    store_bind_int64(s, 17, e->created_at_us);
    store_bind_text(s, 18, prev_hex);
    store_bind_text(s, 19, hash_hex);
    store_bind_int64(s, 20, e->chain);
    rc = store_q_id(c, s, id);
    for (size_t i = 0; rc == ERR_OK && i < e->n_postings; i++) {
        const struct posting *p = &e->postings[i];
        rc = store_prepare(c,
                           "INSERT INTO postings (journal_id, account, lot_id, amount_minor, "
                           "tenant_id) VALUES ($1, $2, $3, $4, $5)",
                           &s);
        if (rc != ERR_OK)
            return rc;
        store_bind_int64(s, 5, e->tenant_id);
        store_bind_int64(s, 1, *id);
        store_bind_text(s, 2, account_kind_name(p->account));
        store_bind_id(s, 3, p->lot_id);
        store_bind_int64(s, 4, p->amount_minor);
        rc = store_send(s);
    }
    return rc;
}

#define JOURNAL_COLUMNS                                                                            \
    "id, tenant_id, seq, kind, customer_id, credit_type_id, credit_type, amount_minor, "           \
    "balance_after_minor, order_id, invoice_id, transfer_id, actor, actor_user_id, reason, "       \
    "justification, lot_ids, created_at, prev_hash, hash, chain"

static void store_journal_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct journal_row *r = row;
    struct journal_entry *e = &r->entry;
    memset(r, 0, sizeof(*r));
    e->id = store_column_int64(s, 0);
    e->tenant_id = store_column_int64(s, 1);
    e->seq = store_column_int64(s, 2);
    /* An unknown kind reads as the first kind; its hash then fails verify. */
    if (!journal_kind_parse(store_column_text(s, 3), &e->kind))
        e->kind = JOURNAL__COUNT - 1;
    e->customer_id = store_column_int64(s, 4);
    r->credit_type_id = store_column_int64(s, 5);
    e->credit_type = store_q_text(a, s, 6);
    e->amount_minor = store_column_int64(s, 7);
    e->balance_after_minor = store_column_int64(s, 8);
    e->order_id = store_column_int64(s, 9);
    e->invoice_id = store_column_int64(s, 10);
    e->transfer_id = store_column_int64(s, 11);
    e->actor = store_q_text(a, s, 12);
    r->actor_user_id = store_column_int64(s, 13);
    e->reason = store_q_text(a, s, 14);
    e->justification = store_q_text(a, s, 15);
    r->lot_ids = store_q_text(a, s, 16);
    e->created_at_us = store_column_int64(s, 17);
    str_copy(r->prev_hash_hex, sizeof(r->prev_hash_hex), store_column_text(s, 18));
    str_copy(r->hash_hex, sizeof(r->hash_hex), store_column_text(s, 19));
    if (!sha256_hex_decode(r->prev_hash_hex, e->prev_hash))
        memset(e->prev_hash, 0xff, SHA256_BYTES);
    if (!sha256_hex_decode(r->hash_hex, e->hash))
        memset(e->hash, 0xff, SHA256_BYTES);
    /* An unknown chain reads as the account chain; its hash then fails verify. */
    e->chain = store_column_int64(s, 20) == JOURNAL_CHAIN_TENANT ? JOURNAL_CHAIN_TENANT
                                                                 : JOURNAL_CHAIN_ACCOUNT;
}

static void store_posting_read(struct arena *a, struct store_stmt *s, void *row)
{
    (void)a;
    struct posting *p = row;
    /* An unknown account name reads as ACCOUNT_ISSUED so verify reports it. */
    if (!account_kind_parse(store_column_text(s, 0), &p->account))
        p->account = ACCOUNT_ISSUED;
    p->lot_id = store_column_int64(s, 1);
    p->amount_minor = store_column_int64(s, 2);
}

static enum err store_journal_postings(struct store_conn *c, struct arena *a, struct journal_row *r)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT account, lot_id, amount_minor FROM postings "
                                "WHERE journal_id = $1 AND tenant_id = $2 ORDER BY id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, r->entry.id);
    store_bind_int64(s, 2, r->entry.tenant_id);
    struct posting *ps;
    size_t n;
    rc = store_q_list(c, a, s, (void **)&ps, &n, sizeof(*ps), store_posting_read);
    r->postings = rc == ERR_OK ? ps : NULL;
    r->entry.postings = r->postings;
    r->entry.n_postings = rc == ERR_OK ? n : 0;
    return rc;
}

/* Journal pages of at most this many rows are read before the callbacks run,
 * so a callback may issue its own queries on the same connection. */
enum { JOURNAL_CHUNK_ROWS = 256 };

/* The journal query for one filter shape: each variant names the columns
 * of the index it is meant to use (customer and type; customer; tenant), and
 * keyset bounds are plain ranges so the index serves them. A unary + keeps a
 * column out of index choice. The tenant is a plain equality in every shape:
 * a database distributed by tenant_id sends the page to the tenant's shard
 * by it (a + would hide it and ask every shard). That the customer's page
 * still takes the customer's index is the schema's part: on SQLite, whose
 * planner counts equalities, the customer indexes lead with tenant_id
 * (schema 7); PostgreSQL weighs the rows each index would walk. */
#define JOURNAL_FILTERS                                                                            \
    " AND (kind = $4 OR $4 = '') AND (actor = $5 OR $5 = '') AND (created_at >= $6 OR $6 = 0)"     \
    " AND (created_at < $7 OR $7 = 0) AND id < $8 AND id > $9"
#define JOURNAL_SELECT(where, order)                                                               \
    "SELECT " JOURNAL_COLUMNS " FROM journal WHERE " where JOURNAL_FILTERS " ORDER BY id " order   \
    " LIMIT $10"

static const char *store_journal_sql(const struct journal_filter *f)
{
    static const char *const sql[3][2] = {
        {JOURNAL_SELECT("customer_id = $2 AND credit_type_id = $3 AND tenant_id = $1", "DESC"),
         JOURNAL_SELECT("customer_id = $2 AND credit_type_id = $3 AND tenant_id = $1", "ASC")},
        {JOURNAL_SELECT("customer_id = $2 AND tenant_id = $1 AND (+credit_type_id = $3 OR $3 = 0)",
                        "DESC"),
         JOURNAL_SELECT("customer_id = $2 AND tenant_id = $1 AND (+credit_type_id = $3 OR $3 = 0)",
                        "ASC")},
        {JOURNAL_SELECT("tenant_id = $1 AND (customer_id = $2 OR $2 = 0) AND "
                        "(credit_type_id = $3 OR $3 = 0)",
                        "DESC"),
         JOURNAL_SELECT("tenant_id = $1 AND (customer_id = $2 OR $2 = 0) AND "
                        "(credit_type_id = $3 OR $3 = 0)",
                        "ASC")},
    };
    int shape = f->customer_id && f->credit_type_id ? 0 : f->customer_id ? 1 : 2;
    return sql[shape][f->oldest_first ? 1 : 0];
}

/* Reads up to limit rows into rows[], fewer when their texts fill half of
 * the arena (an entry drawn from thousands of lots carries all their ids):
 * *full says the chunk stopped early and the scan goes on after it. */
static enum err store_journal_chunk(struct store_conn *c, struct arena *a,
                                    const struct journal_filter *f, int64_t before_id,
                                    int64_t after_id, size_t limit, struct journal_row *rows,
                                    size_t *n, bool *full)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c, store_journal_sql(f), &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, f->tenant_id);
    store_bind_int64(s, 2, f->customer_id);
    store_bind_int64(s, 3, f->credit_type_id);
    store_bind_text(s, 4, f->kind ? f->kind : "");
    store_bind_text(s, 5, f->actor ? f->actor : "");
    store_bind_int64(s, 6, f->from_us);
    store_bind_int64(s, 7, f->to_us);
    store_bind_int64(s, 8, before_id > 0 ? before_id : INT64_MAX);
    store_bind_int64(s, 9, after_id);
    store_bind_int64(s, 10, (int64_t)limit);
    *n = 0;
    *full = false;
    enum store_step st = STORE_DONE;
    while (rc == ERR_OK && *n < limit && !*full && (st = store_step(s)) == STORE_ROW) {
        if (store_q_read(a, s, &rows[*n], store_journal_read))
            (*n)++;
        else
            rc = ERR_TOO_LARGE;
        *full = a->used_bytes > a->max_bytes / 2;
    }
    if (rc == ERR_OK && st == STORE_FAILED)
        rc = store_conn_err(c);
    store_finish(s);
    return rc;
}

enum err store_journal_scan(struct store_conn *c, struct arena *a, const struct journal_filter *f,
                            store_journal_cb cb, void *ctx)
{
    size_t remaining = f->limit ? f->limit : SIZE_MAX;
    int64_t before = f->before_id, after = f->after_id;
    struct journal_row *rows = arena_alloc(a, JOURNAL_CHUNK_ROWS * sizeof(*rows));
    if (rows == NULL)
        return ERR_TOO_LARGE;
    /* Each chunk uses a scratch arena so a scan of millions of rows stays small. */
    for (;;) {
        struct arena chunk;
        arena_init(&chunk, ARENA_REQUEST_BYTES_MAX);
        size_t want = remaining < JOURNAL_CHUNK_ROWS ? remaining : JOURNAL_CHUNK_ROWS, n = 0;
        bool full;
        enum err rc = store_journal_chunk(c, &chunk, f, before, after, want, rows, &n, &full);
        for (size_t i = 0; rc == ERR_OK && i < n; i++) {
            /* One entry's postings at a time: an entry may have thousands. */
            struct arena postings;
            arena_init(&postings, ARENA_REQUEST_BYTES_MAX);
            if (f->with_postings)
                rc = store_journal_postings(c, &postings, &rows[i]);
            if (rc == ERR_OK)
                rc = cb(&rows[i], ctx);
            arena_release(&postings);
            rows[i].postings = NULL;
            rows[i].entry.postings = NULL;
        }
        if (n > 0) {
            if (f->oldest_first)
                after = rows[n - 1].entry.id;
            else
                before = rows[n - 1].entry.id;
        }
        arena_release(&chunk);
        if (rc != ERR_OK)
            return rc;
        remaining -= n;
        if ((n < want && !full) || remaining == 0)
            return ERR_OK;
    }
}

enum err store_journal_sums(struct store_conn *c, int64_t tenant_id, int64_t customer_id,
                            int64_t credit_type_id, int64_t from_us, int64_t to_us,
                            int64_t *in_minor, int64_t *out_minor)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT COALESCE(SUM(CASE WHEN amount_minor > 0 THEN amount_minor "
                                "ELSE 0 END), 0), COALESCE(SUM(CASE WHEN amount_minor < 0 THEN "
                                "-amount_minor ELSE 0 END), 0) FROM journal WHERE customer_id = $1 "
                                "AND created_at >= $2 AND created_at < $3 AND credit_type_id = $4 "
                                "AND tenant_id = $5",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 5, tenant_id);
    store_bind_int64(s, 1, customer_id);
    store_bind_int64(s, 2, from_us);
    store_bind_int64(s, 3, to_us);
    store_bind_int64(s, 4, credit_type_id);
    enum store_step r = store_step(s);
    if (r == STORE_ROW) {
        *in_minor = store_column_int64(s, 0);
        *out_minor = store_column_int64(s, 1);
    }
    rc = r == STORE_ROW ? ERR_OK : store_conn_err(c);
    store_finish(s);
    return rc;
}

/* ---- verification scans ------------------------------------------------ */

enum err store_lot_check_scan(struct store_conn *c, int64_t tenant_id, store_lot_check_cb cb,
                              void *ctx)
{
    struct store_stmt *s;
    /* The unary + keeps the first posting's lookup on the lot's index: PostgreSQL
     * would otherwise walk the postings in id order until it met the lot's
     * first one, once per lot (seconds for a customer with ten thousand lots). */
    enum err rc =
        store_prepare(c,
                      "SELECT l.id, l.remaining_minor, l.deactivated_minor, l.original_minor, "
                      "COALESCE((SELECT SUM(p.amount_minor) FROM postings p WHERE p.lot_id = l.id "
                      "AND p.tenant_id = l.tenant_id), 0), "
                      "COALESCE((SELECT p.amount_minor FROM postings p WHERE p.lot_id = l.id "
                      "AND p.tenant_id = l.tenant_id ORDER BY +p.id LIMIT 1), 0) "
                      "FROM lots l WHERE l.tenant_id = $1 ORDER BY l.id",
                      &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    enum store_step r = STORE_DONE;
    while (rc == ERR_OK && (r = store_step(s)) == STORE_ROW) {
        struct lot_check_row row = {
            .lot_id = store_column_int64(s, 0),
            .remaining_minor = store_column_int64(s, 1),
            .deactivated_minor = store_column_int64(s, 2),
            .original_minor = store_column_int64(s, 3),
            .postings_minor = store_column_int64(s, 4),
            .first_posting_minor = store_column_int64(s, 5),
        };
        rc = cb(&row, ctx);
    }
    if (rc == ERR_OK && r == STORE_FAILED)
        rc = store_conn_err(c);
    store_finish(s);
    return rc;
}

enum err store_account_check_scan(struct store_conn *c, int64_t tenant_id, store_account_sum_cb cb,
                                  void *ctx)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c,
        "SELECT a.customer_id, a.credit_type_id, a.tenant_id, a.balance_minor, a.held_minor, "
        "a.updated_at, a.chain_seq, a.chain_hash, a.low_threshold_minor, a.low_alerted, "
        "COALESCE((SELECT SUM(l.remaining_minor) FROM "
        "lots l WHERE "
        "l.customer_id = a.customer_id AND l.credit_type_id = a.credit_type_id AND l.status IN "
        "('active', 'paused', 'exhausted') AND l.tenant_id = a.tenant_id), 0) FROM accounts a "
        "WHERE a.tenant_id = $1 ORDER BY a.customer_id, a.credit_type_id",
        &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    enum store_step r = STORE_DONE;
    while (rc == ERR_OK && (r = store_step(s)) == STORE_ROW) {
        struct account_row acc;
        store_account_read(NULL, s, &acc);
        rc = cb(&acc, store_column_int64(s, 10), ctx);
    }
    if (rc == ERR_OK && r == STORE_FAILED)
        rc = store_conn_err(c);
    store_finish(s);
    return rc;
}

/* ---- seals ------------------------------------------------------------- */

#define SEAL_COLUMNS "tenant_id, seq, created_at, n_heads, prev_hash, hash"

static void store_seal_read(struct arena *a, struct store_stmt *s, void *row)
{
    (void)a;
    struct seal_row *out = row;
    out->tenant_id = store_column_int64(s, 0);
    out->seq = store_column_int64(s, 1);
    out->created_at_us = store_column_int64(s, 2);
    out->n_heads = store_column_int64(s, 3);
    str_copy(out->prev_hash, sizeof(out->prev_hash), store_column_text(s, 4));
    str_copy(out->hash, sizeof(out->hash), store_column_text(s, 5));
}

enum err store_seal_last(struct store_conn *c, int64_t tenant_id, struct seal_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " SEAL_COLUMNS " FROM journal_seals WHERE tenant_id = $1 "
                                "ORDER BY seq DESC LIMIT 1",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    return store_q_one(c, NULL, s, out, store_seal_read);
}

enum err store_seal_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                         struct seal_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c, "SELECT " SEAL_COLUMNS " FROM journal_seals WHERE tenant_id = $1 ORDER BY seq", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_seal_read);
}

static void store_seal_head_read(struct arena *a, struct store_stmt *s, void *row)
{
    (void)a;
    struct seal_head_row *out = row;
    out->seal_seq = store_column_int64(s, 0);
    out->customer_id = store_column_int64(s, 1);
    out->credit_type_id = store_column_int64(s, 2);
    out->chain_seq = store_column_int64(s, 3);
    str_copy(out->chain_hash, sizeof(out->chain_hash), store_column_text(s, 4));
}

enum err store_seal_pending(struct store_conn *c, struct arena *a, int64_t tenant_id,
                            struct seal_head_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c,
        "SELECT 0, a.customer_id, a.credit_type_id, a.chain_seq, a.chain_hash FROM accounts a "
        "WHERE a.tenant_id = $1 AND a.chain_seq > COALESCE((SELECT MAX(h.chain_seq) FROM "
        "journal_seal_heads h WHERE h.tenant_id = a.tenant_id AND h.customer_id = a.customer_id "
        "AND h.credit_type_id = a.credit_type_id), 0) ORDER BY a.customer_id, a.credit_type_id",
        &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_seal_head_read);
}

enum err store_seal_insert(struct store_conn *c, const struct seal_row *seal,
                           const struct seal_head_row *heads, size_t n)
{
    ASSERT(seal->n_heads == (int64_t)n);
    struct store_stmt *s;
    enum err rc = store_prepare(
        c, "INSERT INTO journal_seals (" SEAL_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6)", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, seal->tenant_id);
    store_bind_int64(s, 2, seal->seq);
    store_bind_int64(s, 3, seal->created_at_us);
    store_bind_int64(s, 4, seal->n_heads);
    store_bind_text(s, 5, seal->prev_hash);
    store_bind_text(s, 6, seal->hash);
    rc = store_q_run(c, s);
    for (size_t i = 0; rc == ERR_OK && i < n; i++) {
        rc = store_prepare(c,
                           "INSERT INTO journal_seal_heads (tenant_id, seal_seq, customer_id, "
                           "credit_type_id, chain_seq, chain_hash) VALUES ($1, $2, $3, $4, $5, $6)",
                           &s);
        if (rc != ERR_OK)
            return rc;
        store_bind_int64(s, 1, seal->tenant_id);
        store_bind_int64(s, 2, seal->seq);
        store_bind_int64(s, 3, heads[i].customer_id);
        store_bind_int64(s, 4, heads[i].credit_type_id);
        store_bind_int64(s, 5, heads[i].chain_seq);
        store_bind_text(s, 6, heads[i].chain_hash);
        rc = store_q_run(c, s);
    }
    return rc;
}

enum err store_seal_head_scan(struct store_conn *c, int64_t tenant_id, store_seal_head_cb cb,
                              void *ctx)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT seal_seq, customer_id, credit_type_id, chain_seq, "
                                "chain_hash FROM journal_seal_heads WHERE tenant_id = $1 "
                                "ORDER BY seal_seq, customer_id, credit_type_id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    enum store_step r = STORE_DONE;
    while (rc == ERR_OK && (r = store_step(s)) == STORE_ROW) {
        struct seal_head_row h;
        store_seal_head_read(NULL, s, &h);
        rc = cb(&h, ctx);
    }
    if (rc == ERR_OK && r == STORE_FAILED)
        rc = store_conn_err(c);
    store_finish(s);
    return rc;
}
