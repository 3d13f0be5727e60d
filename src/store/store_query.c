/*
 * Every question the service asks of the store, written once over the
 * backend statements (store.h explains why the SQL is shared). Each function
 * prepares a cached statement, binds, steps, copies what it read into the
 * caller's arena and finishes the statement before it returns.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"

/* ---- helpers ----------------------------------------------------------- */

enum err store_q_run(struct store_conn *c, struct store_stmt *s)
{
    enum store_step r = store_step(s);
    enum err rc = r == STORE_FAILED ? store_conn_err(c) : ERR_OK;
    store_finish(s);
    return rc;
}

enum err store_q_id(struct store_conn *c, struct store_stmt *s, int64_t *id)
{
    enum store_step r = store_step(s);
    enum err rc = ERR_OK;
    if (r == STORE_ROW)
        *id = store_column_int64(s, 0);
    else
        rc = r == STORE_DONE ? ERR_NOT_FOUND : store_conn_err(c);
    store_finish(s);
    return rc;
}

char *store_q_text(struct arena *a, struct store_stmt *s, int column)
{
    const char *v = store_column_text(s, column);
    if (v == NULL || v[0] == '\0')
        return (char *)"";
    /* A refused copy reads as "", and the arena remembers the refusal:
     * store_q_read fails the row rather than let "" pass for the text. */
    char *t = arena_strdup(a, v);
    return t ? t : (char *)"";
}

bool store_q_read(struct arena *a, struct store_stmt *s, void *row, store_q_reader read)
{
    if (a == NULL) {
        read(a, s, row); /* a row without texts (an account, a count) */
        return true;
    }
    bool refused = a->refused;
    a->refused = false;
    read(a, s, row);
    bool ok = !a->refused;
    a->refused = a->refused || refused;
    return ok;
}

/* Room for one more row in the heap copy of a list, never more than the
 * arena could still take. */
static bool store_q_list_grow(const struct arena *a, char **rows, size_t *cap, size_t size)
{
    size_t room = (a->max_bytes - a->used_bytes) / size;
    size_t next = *cap ? *cap * 2 : 16;
    next = next < room ? next : room;
    if (next <= *cap)
        return false;
    char *grown = realloc(*rows, next * size);
    if (grown == NULL)
        return false;
    *rows = grown;
    *cap = next;
    return true;
}

enum err store_q_list(struct store_conn *c, struct arena *a, struct store_stmt *s, void **items,
                      size_t *n, size_t size, store_q_reader read)
{
    /* Rows gather in heap memory and move into the arena once, at their
     * exact size: an arena array grown by doubling leaves every smaller copy
     * behind, twice the final list or more (for a customer's ten thousand
     * lots, 8 MiB of a request's 16). */
    size_t cap = 0;
    char *rows = NULL;
    enum err rc = ERR_OK;
    enum store_step r = STORE_DONE;
    *n = 0;
    *items = NULL;
    while (rc == ERR_OK && (r = store_step(s)) == STORE_ROW) {
        if (*n == cap && !store_q_list_grow(a, &rows, &cap, size)) {
            rc = ERR_TOO_LARGE;
            break;
        }
        /* Readers may leave fields alone, as they did in zeroed arena memory. */
        memset(rows + *n * size, 0, size);
        if (!store_q_read(a, s, rows + *n * size, read))
            rc = ERR_TOO_LARGE;
        else
            (*n)++;
    }
    if (rc == ERR_OK && r != STORE_DONE)
        rc = store_conn_err(c);
    store_finish(s);
    void *kept = NULL;
    if (rc == ERR_OK && *n > 0 && rows != NULL) {
        kept = arena_alloc(a, *n * size);
        if (kept != NULL)
            memcpy(kept, rows, *n * size);
        else
            rc = ERR_TOO_LARGE;
    }
    free(rows);
    *items = kept;
    if (kept == NULL)
        *n = 0;
    return rc;
}

enum err store_q_one(struct store_conn *c, struct arena *a, struct store_stmt *s, void *row,
                     store_q_reader read)
{
    enum store_step r = store_step(s);
    enum err rc = r == STORE_ROW ? ERR_OK : r == STORE_DONE ? ERR_NOT_FOUND : store_conn_err(c);
    if (rc == ERR_OK && !store_q_read(a, s, row, read))
        rc = ERR_TOO_LARGE;
    store_finish(s);
    return rc;
}

/* ---- tenants ----------------------------------------------------------- */

enum err store_tenant_insert(struct store_conn *c, const char *name, int64_t now_us, int64_t *id)
{
    struct store_stmt *s;
    enum err rc =
        store_prepare(c, "INSERT INTO tenants (name, created_at) VALUES ($1, $2) RETURNING id", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_text(s, 1, name);
    store_bind_int64(s, 2, now_us);
    rc = store_q_id(c, s, id);
    if (rc != ERR_OK)
        return rc;
    rc = store_prepare(c, "INSERT INTO chain_heads (tenant_id, seq, hash) VALUES ($1, 0, $2)", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, *id);
    store_bind_text(s, 2, STORE_CHAIN_GENESIS);
    return store_q_run(c, s);
}

static void store_tenant_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct tenant_row *out = row;
    out->id = store_column_int64(s, 0);
    out->name = store_q_text(a, s, 1);
    out->currency = store_q_text(a, s, 2);
    out->vat_rate_bp = (int32_t)store_column_int64(s, 3);
    out->timezone = store_q_text(a, s, 4);
    out->locale = store_q_text(a, s, 5);
    out->refund_validity_days = (int32_t)store_column_int64(s, 6);
    out->charge_on = store_q_text(a, s, 7);
    out->invoice_prefix = store_q_text(a, s, 8);
    out->created_at_us = store_column_int64(s, 9);
    out->country = store_q_text(a, s, 10);
    out->vat_id = store_q_text(a, s, 11);
    out->seller_address = store_q_text(a, s, 12);
    out->manual_grant = store_q_text(a, s, 13);
    out->file_retention_days = (int32_t)store_column_int64(s, 14);
    out->duplicate_window_hours = (int32_t)store_column_int64(s, 15);
    out->mail_sender_name = store_q_text(a, s, 16);
    out->mail_reply_to = store_q_text(a, s, 17);
    out->portal_url = store_q_text(a, s, 18);
    out->expiry_notice_days = (int32_t)store_column_int64(s, 19);
    out->registration = store_q_text(a, s, 20);
    out->totp_required = store_column_int64(s, 21) != 0;
    out->bank_iban = store_q_text(a, s, 22);
    out->bank_bic = store_q_text(a, s, 23);
    out->bank_account_holder = store_q_text(a, s, 24);
    out->payment_terms_days = (int32_t)store_column_int64(s, 25);
    out->credit_note_prefix = store_q_text(a, s, 26);
}

enum err store_tenant_get(struct store_conn *c, struct arena *a, int64_t id, struct tenant_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT id, name, currency, vat_rate_bp, timezone, locale, "
                                "refund_validity_days, charge_on, invoice_prefix, created_at, "
                                "country, vat_id, seller_address, manual_grant, "
                                "file_retention_days, duplicate_window_hours, mail_sender_name, "
                                "mail_reply_to, portal_url, expiry_notice_days, registration, "
                                "totp_required, bank_iban, bank_bic, bank_account_holder, "
                                "payment_terms_days, credit_note_prefix "
                                "FROM tenants WHERE id = $1",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, id);
    return store_q_one(c, a, s, out, store_tenant_read);
}

enum err store_tenant_update(struct store_conn *c, const struct tenant_row *t)
{
    struct store_stmt *s;
    enum err rc =
        store_prepare(c,
                      "UPDATE tenants SET name = $2, currency = $3, vat_rate_bp = $4, "
                      "timezone = $5, locale = $6, refund_validity_days = $7, "
                      "charge_on = $8, invoice_prefix = $9, country = $10, vat_id = $11, "
                      "seller_address = $12, manual_grant = $13, "
                      "file_retention_days = $14, duplicate_window_hours = $15, "
                      "mail_sender_name = $16, mail_reply_to = $17, portal_url = $18, "
                      "expiry_notice_days = $19, registration = $20, totp_required = $21, "
                      "bank_iban = $22, bank_bic = $23, bank_account_holder = $24, "
                      "payment_terms_days = $25, credit_note_prefix = $26 "
                      "WHERE id = $1",
                      &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, t->id);
    store_bind_text(s, 2, t->name);
    store_bind_text(s, 3, t->currency);
    store_bind_int64(s, 4, t->vat_rate_bp);
    store_bind_text(s, 5, t->timezone);
    store_bind_text(s, 6, t->locale);
    store_bind_int64(s, 7, t->refund_validity_days);
    store_bind_text(s, 8, t->charge_on);
    store_bind_text(s, 9, t->invoice_prefix);
    store_bind_text(s, 10, t->country);
    store_bind_text(s, 11, t->vat_id);
    store_bind_text(s, 12, t->seller_address);
    store_bind_text(s, 13, t->manual_grant);
    store_bind_int64(s, 14, t->file_retention_days);
    store_bind_int64(s, 15, t->duplicate_window_hours);
    store_bind_text(s, 16, t->mail_sender_name != NULL ? t->mail_sender_name : "");
    store_bind_text(s, 17, t->mail_reply_to != NULL ? t->mail_reply_to : "");
    store_bind_text(s, 18, t->portal_url != NULL ? t->portal_url : "");
    store_bind_int64(s, 19, t->expiry_notice_days);
    store_bind_text(s, 20, t->registration != NULL ? t->registration : "off");
    store_bind_int64(s, 21, t->totp_required);
    store_bind_text(s, 22, t->bank_iban != NULL ? t->bank_iban : "");
    store_bind_text(s, 23, t->bank_bic != NULL ? t->bank_bic : "");
    store_bind_text(s, 24, t->bank_account_holder != NULL ? t->bank_account_holder : "");
    store_bind_int64(s, 25, t->payment_terms_days);
    store_bind_text(s, 26, t->credit_note_prefix != NULL ? t->credit_note_prefix : "CN");
    return store_q_run(c, s);
}

enum err store_tenant_count(struct store_conn *c, int64_t *count)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c, "SELECT COUNT(*) FROM tenants", &s);
    return rc != ERR_OK ? rc : store_q_id(c, s, count);
}

enum err store_tenant_first(struct store_conn *c, int64_t *id)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c, "SELECT id FROM tenants ORDER BY id LIMIT 1", &s);
    return rc != ERR_OK ? rc : store_q_id(c, s, id);
}

enum err store_tenant_host_add(struct store_conn *c, int64_t tenant_id, const char *host)
{
    struct store_stmt *s;
    enum err rc =
        store_prepare(c, "INSERT INTO tenant_hosts (host, tenant_id) VALUES ($1, $2)", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_text(s, 1, host);
    store_bind_int64(s, 2, tenant_id);
    return store_q_run(c, s);
}

enum err store_tenant_by_host(struct store_conn *c, const char *host, int64_t *tenant_id)
{
    /* Reference tables only (tenant_hosts, tenants): one statement, answered
     * on any node of a distributed database. */
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT COALESCE((SELECT tenant_id FROM tenant_hosts WHERE host = "
                                "$1), (SELECT CASE WHEN COUNT(*) = 1 THEN MIN(id) END FROM "
                                "tenants), 0)",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_text(s, 1, host);
    rc = store_q_id(c, s, tenant_id);
    return rc == ERR_OK && *tenant_id == 0 ? ERR_NOT_FOUND : rc;
}

enum err store_chain_get(struct store_conn *c, int64_t tenant_id, int64_t *seq,
                         char hash_hex[SHA256_HEX])
{
    struct store_stmt *s;
    enum err rc = store_prepare(c, "SELECT seq, hash FROM chain_heads WHERE tenant_id = $1", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    enum store_step r = store_step(s);
    if (r == STORE_ROW) {
        *seq = store_column_int64(s, 0);
        str_copy(hash_hex, SHA256_HEX, store_column_text(s, 1));
    }
    rc = r == STORE_ROW ? ERR_OK : r == STORE_DONE ? ERR_NOT_FOUND : store_conn_err(c);
    store_finish(s);
    return rc;
}

enum err store_counter_next(struct store_conn *c, int64_t tenant_id, const char *name,
                            int64_t period, int64_t *value)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO counters (tenant_id, name, period, value) "
                                "VALUES ($1, $2, $3, 1) ON CONFLICT (tenant_id, name, period) "
                                "DO UPDATE SET value = counters.value + 1 RETURNING value",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_text(s, 2, name);
    store_bind_int64(s, 3, period);
    return store_q_id(c, s, value);
}

/* ---- credit types ------------------------------------------------------ */

#define CREDIT_TYPE_COLUMNS                                                                        \
    "id, tenant_id, code, name, scale, kind, unit_value_minor, spendable, sort_order, created_at"

static void store_credit_type_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct credit_type_row *out = row;
    out->id = store_column_int64(s, 0);
    out->tenant_id = store_column_int64(s, 1);
    out->code = store_q_text(a, s, 2);
    out->name = store_q_text(a, s, 3);
    out->scale = (int)store_column_int64(s, 4);
    out->kind = strcmp(store_column_text(s, 5), "monetary") == 0 ? CREDIT_MONETARY : CREDIT_UNIT;
    out->unit_value_minor = store_column_int64(s, 6);
    out->spendable = store_column_int64(s, 7) != 0;
    out->sort_order = (int)store_column_int64(s, 8);
    out->created_at_us = store_column_int64(s, 9);
}

enum err store_credit_type_insert(struct store_conn *c, const struct credit_type_row *t,
                                  int64_t *id)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO credit_types (tenant_id, code, name, scale, kind, "
                                "unit_value_minor, spendable, sort_order, created_at) "
                                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, t->tenant_id);
    store_bind_text(s, 2, t->code);
    store_bind_text(s, 3, t->name);
    store_bind_int64(s, 4, t->scale);
    store_bind_text(s, 5, t->kind == CREDIT_MONETARY ? "monetary" : "unit");
    store_bind_int64(s, 6, t->unit_value_minor);
    store_bind_int64(s, 7, t->spendable);
    store_bind_int64(s, 8, t->sort_order);
    store_bind_int64(s, 9, t->created_at_us);
    return store_q_id(c, s, id);
}

enum err store_credit_type_update(struct store_conn *c, const struct credit_type_row *t)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE credit_types SET name = $3, unit_value_minor = $4, "
                                "spendable = $5, sort_order = $6 WHERE tenant_id = $1 AND id = $2",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, t->tenant_id);
    store_bind_int64(s, 2, t->id);
    store_bind_text(s, 3, t->name);
    store_bind_int64(s, 4, t->unit_value_minor);
    store_bind_int64(s, 5, t->spendable);
    store_bind_int64(s, 6, t->sort_order);
    return store_q_run(c, s);
}

enum err store_credit_type_by_code(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                   const char *code, struct credit_type_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c, "SELECT " CREDIT_TYPE_COLUMNS " FROM credit_types WHERE tenant_id = $1 AND code = $2",
        &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_text(s, 2, code);
    return store_q_one(c, a, s, out, store_credit_type_read);
}

enum err store_credit_type_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                               struct credit_type_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c, "SELECT " CREDIT_TYPE_COLUMNS " FROM credit_types WHERE tenant_id = $1 AND id = $2", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    return store_q_one(c, a, s, out, store_credit_type_read);
}

enum err store_credit_type_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                struct credit_type_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " CREDIT_TYPE_COLUMNS " FROM credit_types "
                                "WHERE tenant_id = $1 ORDER BY sort_order, id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_credit_type_read);
}

/* ---- users and members ------------------------------------------------- */

#define USER_COLUMNS                                                                               \
    "id, tenant_id, email, name, password_hash, role, disabled, created_at, email_verified, "      \
    "password_changed_at, totp_secret, totp_enabled, totp_last_step, last_login_at"

static void store_user_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct user_row *out = row;
    out->id = store_column_int64(s, 0);
    out->tenant_id = store_column_int64(s, 1);
    out->email = store_q_text(a, s, 2);
    out->name = store_q_text(a, s, 3);
    out->password_hash = store_q_text(a, s, 4);
    out->role = store_q_text(a, s, 5);
    out->disabled = store_column_int64(s, 6) != 0;
    out->created_at_us = store_column_int64(s, 7);
    out->email_verified = store_column_int64(s, 8) != 0;
    out->password_changed_at_us = store_column_int64(s, 9);
    out->totp_secret = store_q_text(a, s, 10);
    out->totp_enabled = store_column_int64(s, 11) != 0;
    out->totp_last_step = store_column_int64(s, 12);
    out->last_login_at_us = store_column_int64(s, 13);
}

enum err store_user_insert(struct store_conn *c, const struct user_row *u, int64_t *id)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO users (tenant_id, email, name, password_hash, role, "
                                "disabled, created_at, email_verified, password_changed_at) "
                                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7) RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, u->tenant_id);
    store_bind_text(s, 2, u->email);
    store_bind_text(s, 3, u->name ? u->name : "");
    store_bind_text(s, 4, u->password_hash ? u->password_hash : "");
    store_bind_text(s, 5, u->role);
    store_bind_int64(s, 6, u->disabled);
    store_bind_int64(s, 7, u->created_at_us);
    store_bind_int64(s, 8, u->email_verified);
    return store_q_id(c, s, id);
}

enum err store_user_list_team(struct store_conn *c, struct arena *a, int64_t tenant_id,
                              struct user_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " USER_COLUMNS " FROM users WHERE tenant_id = $1 "
                                "AND role IN ('admin', 'staff') ORDER BY email",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_user_read);
}

enum err store_user_by_email(struct store_conn *c, struct arena *a, int64_t tenant_id,
                             const char *email, struct user_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c, "SELECT " USER_COLUMNS " FROM users WHERE tenant_id = $1 AND email = $2", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_text(s, 2, email);
    return store_q_one(c, a, s, out, store_user_read);
}

enum err store_user_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                        struct user_row *out)
{
    struct store_stmt *s;
    enum err rc =
        store_prepare(c, "SELECT " USER_COLUMNS " FROM users WHERE tenant_id = $1 AND id = $2", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    return store_q_one(c, a, s, out, store_user_read);
}

static void store_member_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct member_row *out = row;
    out->customer_id = store_column_int64(s, 0);
    out->user_id = store_column_int64(s, 1);
    out->role = store_q_text(a, s, 2);
    out->created_at_us = store_column_int64(s, 3);
    out->email = store_q_text(a, s, 4);
}

enum err store_member_insert(struct store_conn *c, int64_t tenant_id, const struct member_row *m)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO members (tenant_id, customer_id, user_id, role, "
                                "created_at) VALUES ($1, $2, $3, $4, $5)",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, m->customer_id);
    store_bind_int64(s, 3, m->user_id);
    store_bind_text(s, 4, m->role);
    store_bind_int64(s, 5, m->created_at_us);
    return store_q_run(c, s);
}

enum err store_member_get(struct store_conn *c, struct arena *a, int64_t tenant_id,
                          int64_t customer_id, int64_t user_id, struct member_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT m.customer_id, m.user_id, m.role, m.created_at, u.email "
                                "FROM members m JOIN users u ON u.tenant_id = m.tenant_id "
                                "AND u.id = m.user_id WHERE m.tenant_id = $1 "
                                "AND m.customer_id = $2 AND m.user_id = $3",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, customer_id);
    store_bind_int64(s, 3, user_id);
    return store_q_one(c, a, s, out, store_member_read);
}

enum err store_member_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                           int64_t customer_id, struct member_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT m.customer_id, m.user_id, m.role, m.created_at, u.email "
                                "FROM members m JOIN users u ON u.tenant_id = m.tenant_id "
                                "AND u.id = m.user_id WHERE m.tenant_id = $1 "
                                "AND m.customer_id = $2 ORDER BY m.user_id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, customer_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_member_read);
}

enum err store_member_limit_set(struct store_conn *c, int64_t tenant_id, int64_t customer_id,
                                int64_t user_id, int64_t credit_type_id, int64_t limit_minor)
{
    struct store_stmt *s;
    enum err rc;
    if (limit_minor < 0) {
        rc = store_prepare(c,
                           "DELETE FROM member_limits WHERE tenant_id = $1 AND customer_id = $2 "
                           "AND user_id = $3 AND credit_type_id = $4",
                           &s);
    } else {
        rc = store_prepare(c,
                           "INSERT INTO member_limits (tenant_id, customer_id, user_id, "
                           "credit_type_id, limit_minor) VALUES ($1, $2, $3, $4, $5) "
                           "ON CONFLICT (tenant_id, customer_id, user_id, credit_type_id) "
                           "DO UPDATE SET limit_minor = $5",
                           &s);
    }
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, customer_id);
    store_bind_int64(s, 3, user_id);
    store_bind_int64(s, 4, credit_type_id);
    if (limit_minor >= 0)
        store_bind_int64(s, 5, limit_minor);
    return store_q_run(c, s);
}

enum err store_member_limit_get(struct store_conn *c, int64_t tenant_id, int64_t customer_id,
                                int64_t user_id, int64_t credit_type_id, int64_t *limit_minor)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT limit_minor FROM member_limits WHERE tenant_id = $1 "
                                "AND customer_id = $2 AND user_id = $3 AND credit_type_id = $4",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, customer_id);
    store_bind_int64(s, 3, user_id);
    store_bind_int64(s, 4, credit_type_id);
    rc = store_q_id(c, s, limit_minor);
    if (rc == ERR_NOT_FOUND) {
        *limit_minor = -1;
        rc = ERR_OK;
    }
    return rc;
}

enum err store_member_spent_since(struct store_conn *c, int64_t tenant_id, int64_t customer_id,
                                  int64_t user_id, int64_t credit_type_id, int64_t since_us,
                                  int64_t *spent_minor)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT COALESCE(SUM(total_minor), 0) FROM orders "
                                "WHERE customer_id = $1 AND member_user_id = $2 "
                                "AND created_at >= $3 AND credit_type_id = $4 "
                                "AND status <> 'cancelled' AND tenant_id = $5",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, customer_id);
    store_bind_int64(s, 2, user_id);
    store_bind_int64(s, 3, since_us);
    store_bind_int64(s, 4, credit_type_id);
    store_bind_int64(s, 5, tenant_id);
    return store_q_id(c, s, spent_minor);
}

/* ---- customers --------------------------------------------------------- */

#define CUSTOMER_COLUMNS                                                                           \
    "id, tenant_id, name, email, vat_id, country, created_at, locale, status, address"

static void store_customer_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct customer_row *out = row;
    out->id = store_column_int64(s, 0);
    out->tenant_id = store_column_int64(s, 1);
    out->name = store_q_text(a, s, 2);
    out->email = store_q_text(a, s, 3);
    out->vat_id = store_q_text(a, s, 4);
    out->country = store_q_text(a, s, 5);
    out->created_at_us = store_column_int64(s, 6);
    out->locale = store_q_text(a, s, 7);
    out->status = store_q_text(a, s, 8);
    out->address = store_q_text(a, s, 9);
}

enum err store_customer_insert(struct store_conn *c, const struct customer_row *r, int64_t *id)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO customers (tenant_id, name, email, vat_id, country, "
                                "created_at, locale, status, address) VALUES ($1, $2, $3, $4, $5, "
                                "$6, $7, $8, $9) RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, r->tenant_id);
    store_bind_text(s, 2, r->name);
    store_bind_text(s, 3, r->email ? r->email : "");
    store_bind_text(s, 4, r->vat_id ? r->vat_id : "");
    store_bind_text(s, 5, r->country ? r->country : "");
    store_bind_int64(s, 6, r->created_at_us);
    store_bind_text(s, 7, r->locale ? r->locale : "");
    store_bind_text(s, 8, r->status ? r->status : "active");
    store_bind_text(s, 9, r->address ? r->address : "");
    return store_q_id(c, s, id);
}

enum err store_customer_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                            struct customer_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c, "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE tenant_id = $1 AND id = $2", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    return store_q_one(c, a, s, out, store_customer_read);
}

enum err store_customer_update(struct store_conn *c, const struct customer_row *r)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE customers SET name = $3, email = $4, vat_id = $5, "
                                "country = $6, locale = $7, address = $8 "
                                "WHERE tenant_id = $1 AND id = $2",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, r->tenant_id);
    store_bind_int64(s, 2, r->id);
    store_bind_text(s, 3, r->name);
    store_bind_text(s, 4, r->email);
    store_bind_text(s, 5, r->vat_id);
    store_bind_text(s, 6, r->country);
    store_bind_text(s, 7, r->locale ? r->locale : "");
    store_bind_text(s, 8, r->address ? r->address : "");
    return store_q_run(c, s);
}

enum err store_customer_status_set(struct store_conn *c, int64_t tenant_id, int64_t id,
                                   const char *from, const char *to)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE customers SET status = $4 WHERE tenant_id = $1 AND id = $2 "
                                "AND status = $3 RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    store_bind_text(s, 3, from);
    store_bind_text(s, 4, to);
    int64_t changed;
    return store_q_id(c, s, &changed);
}

enum err store_customer_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                             const char *q, const char *status, int64_t after_id, size_t limit,
                             struct customer_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE tenant_id = $1 "
                                "AND id > $2 AND ($3 = '' OR LOWER(name) LIKE $4 OR "
                                "LOWER(email) LIKE $4) AND ($6 = '' OR status = $6) "
                                "ORDER BY id LIMIT $5",
                                &s);
    if (rc != ERR_OK)
        return rc;
    char pattern[NAME_BYTES_MAX + 3];
    size_t k = 0;
    pattern[k++] = '%';
    for (const char *p = q; *p && k < sizeof(pattern) - 2; p++) {
        char ch = *p;
        /* LIKE wildcards in the search text match themselves loosely: drop them. */
        if (ch == '%' || ch == '_')
            continue;
        pattern[k++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    pattern[k++] = '%';
    pattern[k] = '\0';
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, after_id);
    store_bind_text(s, 3, q);
    store_bind_text(s, 4, pattern);
    store_bind_int64(s, 5, (int64_t)limit);
    store_bind_text(s, 6, status != NULL ? status : "");
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_customer_read);
}

/* ---- catalogue: packages ----------------------------------------------- */

#define PACKAGE_COLUMNS                                                                            \
    "id, tenant_id, name, description, price_minor, vat_rate_bp, published, archived, "            \
    "sort_order, start_rule, start_at, expiry_rule, expires_at, expiry_days, categories, "         \
    "provider, peak, created_at, updated_at"

static void store_package_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct package_row *out = row;
    out->id = store_column_int64(s, 0);
    out->tenant_id = store_column_int64(s, 1);
    out->name = store_q_text(a, s, 2);
    out->description = store_q_text(a, s, 3);
    out->price_minor = store_column_int64(s, 4);
    out->vat_rate_bp = (int32_t)store_column_int64(s, 5);
    out->published = store_column_int64(s, 6) != 0;
    out->archived = store_column_int64(s, 7) != 0;
    out->sort_order = (int)store_column_int64(s, 8);
    if (!start_rule_parse(store_column_text(s, 9), &out->validity.start))
        out->validity.start = START_IMMEDIATE;
    out->validity.start_at_us = store_column_int64(s, 10);
    if (!expiry_rule_parse(store_column_text(s, 11), &out->validity.expiry))
        out->validity.expiry = EXPIRY_NEVER;
    out->validity.expires_at_us = store_column_int64(s, 12);
    out->validity.expiry_days = (int32_t)store_column_int64(s, 13);
    out->categories = store_q_text(a, s, 14);
    out->provider = store_q_text(a, s, 15);
    out->peak = store_q_text(a, s, 16);
    out->created_at_us = store_column_int64(s, 17);
    out->updated_at_us = store_column_int64(s, 18);
}

static void store_package_bind(struct store_stmt *s, const struct package_row *p)
{
    store_bind_text(s, 3, p->name);
    store_bind_text(s, 4, p->description ? p->description : "");
    store_bind_int64(s, 5, p->price_minor);
    store_bind_int64(s, 6, p->vat_rate_bp);
    store_bind_int64(s, 7, p->published);
    store_bind_int64(s, 8, p->archived);
    store_bind_int64(s, 9, p->sort_order);
    store_bind_text(s, 10, start_rule_name(p->validity.start));
    store_bind_int64(s, 11, p->validity.start_at_us);
    store_bind_text(s, 12, expiry_rule_name(p->validity.expiry));
    store_bind_int64(s, 13, p->validity.expires_at_us);
    store_bind_int64(s, 14, p->validity.expiry_days);
    store_bind_text(s, 15, p->categories ? p->categories : "");
    store_bind_text(s, 16, p->provider ? p->provider : "");
    store_bind_text(s, 17, p->peak ? p->peak : "");
    store_bind_int64(s, 18, p->updated_at_us);
}

/* Replaces a package's or a service's amounts per credit type. */
static enum err store_amounts_replace(struct store_conn *c, const char *delete_sql,
                                      const char *insert_sql, int64_t tenant_id, int64_t owner_id,
                                      size_t n, const int64_t *type_ids, const int64_t *amounts)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c, delete_sql, &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, owner_id);
    store_bind_int64(s, 2, tenant_id);
    rc = store_q_run(c, s);
    for (size_t i = 0; rc == ERR_OK && i < n; i++) {
        rc = store_prepare(c, insert_sql, &s);
        if (rc != ERR_OK)
            return rc;
        store_bind_int64(s, 1, owner_id);
        store_bind_int64(s, 2, type_ids[i]);
        store_bind_int64(s, 3, amounts[i]);
        store_bind_int64(s, 4, tenant_id);
        rc = store_q_run(c, s);
    }
    return rc;
}

static enum err store_package_credits_write(struct store_conn *c, const struct package_row *p)
{
    return store_amounts_replace(
        c, "DELETE FROM package_credits WHERE package_id = $1 AND tenant_id = $2",
        "INSERT INTO package_credits (package_id, credit_type_id, amount_minor, tenant_id) "
        "VALUES ($1, $2, $3, $4)",
        p->tenant_id, p->id, p->n_credits, p->credit_type_ids, p->credit_amounts_minor);
}

enum err store_package_insert(struct store_conn *c, const struct package_row *p, int64_t *id)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c,
        "INSERT INTO packages (tenant_id, created_at, name, description, price_minor, "
        "vat_rate_bp, published, archived, sort_order, start_rule, start_at, expiry_rule, "
        "expires_at, expiry_days, categories, provider, peak, updated_at) VALUES ($1, $2, $3, "
        "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id",
        &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, p->tenant_id);
    store_bind_int64(s, 2, p->created_at_us);
    store_package_bind(s, p);
    rc = store_q_id(c, s, id);
    if (rc != ERR_OK)
        return rc;
    struct package_row saved = *p;
    saved.id = *id;
    return store_package_credits_write(c, &saved);
}

enum err store_package_update(struct store_conn *c, const struct package_row *p)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c,
        "UPDATE packages SET name = $3, description = $4, price_minor = $5, vat_rate_bp = $6, "
        "published = $7, archived = $8, sort_order = $9, start_rule = $10, start_at = $11, "
        "expiry_rule = $12, expires_at = $13, expiry_days = $14, categories = $15, "
        "provider = $16, peak = $17, updated_at = $18 WHERE tenant_id = $1 AND id = $2",
        &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, p->tenant_id);
    store_bind_int64(s, 2, p->id);
    store_package_bind(s, p);
    rc = store_q_run(c, s);
    return rc != ERR_OK ? rc : store_package_credits_write(c, p);
}

/* Loads the amounts per credit type of one package or service (at most max). */
static enum err store_amounts_load(struct store_conn *c, const char *sql, int64_t tenant_id,
                                   int64_t owner_id, int64_t *type_ids, int64_t *amounts, size_t *n,
                                   size_t max)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c, sql, &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, owner_id);
    store_bind_int64(s, 2, tenant_id);
    *n = 0;
    enum store_step r;
    while ((r = store_step(s)) == STORE_ROW && *n < max) {
        type_ids[*n] = store_column_int64(s, 0);
        amounts[(*n)++] = store_column_int64(s, 1);
    }
    rc = r == STORE_FAILED ? store_conn_err(c) : ERR_OK;
    store_finish(s);
    return rc;
}

/* Loads the credits of each package in ps[0..n). */
static enum err store_package_credits_load(struct store_conn *c, struct package_row *ps, size_t n)
{
    enum err rc = ERR_OK;
    for (size_t i = 0; rc == ERR_OK && i < n; i++)
        rc = store_amounts_load(c,
                                "SELECT credit_type_id, amount_minor FROM package_credits "
                                "WHERE package_id = $1 AND tenant_id = $2 ORDER BY credit_type_id",
                                ps[i].tenant_id, ps[i].id, ps[i].credit_type_ids,
                                ps[i].credit_amounts_minor, &ps[i].n_credits,
                                PACKAGE_CREDIT_TYPES_MAX);
    return rc;
}

enum err store_package_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                           struct package_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c, "SELECT " PACKAGE_COLUMNS " FROM packages WHERE tenant_id = $1 AND id = $2", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    rc = store_q_one(c, a, s, out, store_package_read);
    return rc != ERR_OK ? rc : store_package_credits_load(c, out, 1);
}

enum err store_package_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                            bool published_only, struct package_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " PACKAGE_COLUMNS " FROM packages WHERE tenant_id = $1 "
                                "AND (published = 1 AND archived = 0 OR $2 = 0) "
                                "ORDER BY sort_order, id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, published_only);
    rc = store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_package_read);
    return rc != ERR_OK ? rc : store_package_credits_load(c, *out, *n);
}

/* ---- catalogue: services ----------------------------------------------- */

#define SERVICE_COLUMNS                                                                            \
    "id, tenant_id, name, kind, category, provider, active, sort_order, created_at, updated_at"

static void store_service_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct service_row *out = row;
    out->id = store_column_int64(s, 0);
    out->tenant_id = store_column_int64(s, 1);
    out->name = store_q_text(a, s, 2);
    out->kind = store_q_text(a, s, 3);
    out->category = store_q_text(a, s, 4);
    out->provider = store_q_text(a, s, 5);
    out->active = store_column_int64(s, 6) != 0;
    out->sort_order = (int)store_column_int64(s, 7);
    out->created_at_us = store_column_int64(s, 8);
    out->updated_at_us = store_column_int64(s, 9);
}

static enum err store_service_costs_write(struct store_conn *c, const struct service_row *r)
{
    return store_amounts_replace(
        c, "DELETE FROM service_costs WHERE service_id = $1 AND tenant_id = $2",
        "INSERT INTO service_costs (service_id, credit_type_id, amount_minor, tenant_id) "
        "VALUES ($1, $2, $3, $4)",
        r->tenant_id, r->id, r->n_costs, r->cost_type_ids, r->cost_amounts_minor);
}

enum err store_service_insert(struct store_conn *c, const struct service_row *r, int64_t *id)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO services (tenant_id, name, kind, category, provider, "
                                "active, sort_order, created_at, updated_at) VALUES ($1, $2, $3, "
                                "$4, $5, $6, $7, $8, $9) RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, r->tenant_id);
    store_bind_text(s, 2, r->name);
    store_bind_text(s, 3, r->kind);
    store_bind_text(s, 4, r->category ? r->category : "");
    store_bind_text(s, 5, r->provider ? r->provider : "");
    store_bind_int64(s, 6, r->active);
    store_bind_int64(s, 7, r->sort_order);
    store_bind_int64(s, 8, r->created_at_us);
    store_bind_int64(s, 9, r->updated_at_us);
    rc = store_q_id(c, s, id);
    if (rc != ERR_OK)
        return rc;
    struct service_row saved = *r;
    saved.id = *id;
    return store_service_costs_write(c, &saved);
}

enum err store_service_update(struct store_conn *c, const struct service_row *r)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE services SET name = $3, kind = $4, category = $5, "
                                "provider = $6, active = $7, sort_order = $8, updated_at = $9 "
                                "WHERE tenant_id = $1 AND id = $2",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, r->tenant_id);
    store_bind_int64(s, 2, r->id);
    store_bind_text(s, 3, r->name);
    store_bind_text(s, 4, r->kind);
    store_bind_text(s, 5, r->category);
    store_bind_text(s, 6, r->provider);
    store_bind_int64(s, 7, r->active);
    store_bind_int64(s, 8, r->sort_order);
    store_bind_int64(s, 9, r->updated_at_us);
    rc = store_q_run(c, s);
    return rc != ERR_OK ? rc : store_service_costs_write(c, r);
}

static enum err store_service_costs_load(struct store_conn *c, struct service_row *rs, size_t n)
{
    enum err rc = ERR_OK;
    for (size_t i = 0; rc == ERR_OK && i < n; i++)
        rc = store_amounts_load(c,
                                "SELECT credit_type_id, amount_minor FROM service_costs "
                                "WHERE service_id = $1 AND tenant_id = $2 ORDER BY credit_type_id",
                                rs[i].tenant_id, rs[i].id, rs[i].cost_type_ids,
                                rs[i].cost_amounts_minor, &rs[i].n_costs, SERVICE_COST_TYPES_MAX);
    return rc;
}

/* One statement for the service and its costs (a row per cost, or one row
 * with NULL costs): every order reads its services, and on PostgreSQL each
 * statement is a round trip. */
enum err store_service_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                           struct service_row *out)
{
    struct store_stmt *s;
    enum err rc =
        store_prepare(c,
                      "SELECT s.id, s.tenant_id, s.name, s.kind, s.category, s.provider, "
                      "s.active, s.sort_order, s.created_at, s.updated_at, "
                      "k.credit_type_id, k.amount_minor FROM services s LEFT JOIN "
                      "service_costs k ON k.tenant_id = s.tenant_id AND k.service_id = s.id "
                      "WHERE s.tenant_id = $1 "
                      "AND s.id = $2 ORDER BY k.credit_type_id",
                      &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    enum store_step r;
    size_t rows = 0;
    out->n_costs = 0;
    while (rc == ERR_OK && (r = store_step(s)) == STORE_ROW) {
        if (rows++ == 0)
            store_service_read(a, s, out);
        if (store_column_is_null(s, 10))
            continue;
        if (out->n_costs == SERVICE_COST_TYPES_MAX)
            rc = ERR_TOO_LARGE;
        else {
            out->cost_type_ids[out->n_costs] = store_column_int64(s, 10);
            out->cost_amounts_minor[out->n_costs++] = store_column_int64(s, 11);
        }
    }
    if (rc == ERR_OK)
        rc = r == STORE_FAILED ? store_conn_err(c) : rows == 0 ? ERR_NOT_FOUND : ERR_OK;
    store_finish(s);
    return rc;
}

enum err store_service_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                            struct service_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " SERVICE_COLUMNS " FROM services WHERE tenant_id = $1 "
                                "ORDER BY sort_order, id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    rc = store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_service_read);
    return rc != ERR_OK ? rc : store_service_costs_load(c, *out, *n);
}

static void store_id_read(struct arena *a, struct store_stmt *s, void *row)
{
    (void)a;
    *(int64_t *)row = store_column_int64(s, 0);
}

enum err store_tenant_ids(struct store_conn *c, struct arena *a, int64_t **ids, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c, "SELECT id FROM tenants ORDER BY id", &s);
    if (rc != ERR_OK)
        return rc;
    return store_q_list(c, a, s, (void **)ids, n, sizeof(**ids), store_id_read);
}

enum err store_customer_count(struct store_conn *c, int64_t tenant_id, int64_t *count)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c, "SELECT COUNT(*) FROM customers WHERE tenant_id = $1", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    return store_q_id(c, s, count);
}

static void store_outstanding_read(struct arena *a, struct store_stmt *s, void *row)
{
    (void)a;
    struct outstanding_row *out = row;
    out->credit_type_id = store_column_int64(s, 0);
    out->balance_minor = store_column_int64(s, 1);
    out->held_minor = store_column_int64(s, 2);
    out->accounts = store_column_int64(s, 3);
}

enum err store_outstanding(struct store_conn *c, struct arena *a, int64_t tenant_id,
                           struct outstanding_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT credit_type_id, COALESCE(SUM(balance_minor), 0), "
                                "COALESCE(SUM(held_minor), 0), COUNT(*) FROM accounts "
                                "WHERE tenant_id = $1 GROUP BY credit_type_id "
                                "ORDER BY credit_type_id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_outstanding_read);
}
