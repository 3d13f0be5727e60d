/*
 * Sessions, API keys and idempotency records. Only hashes of secrets reach
 * the database; the caller hashes before asking.
 */
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"

enum err store_session_insert(struct store_conn *c, const struct session_row *r)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO sessions (id_hash, tenant_id, user_id, csrf_token, "
                                "created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, "
                                "$5, $6)",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_text(s, 1, r->id_hash);
    store_bind_int64(s, 2, r->tenant_id);
    store_bind_int64(s, 3, r->user_id);
    store_bind_text(s, 4, r->csrf_token);
    store_bind_int64(s, 5, r->created_at_us);
    store_bind_int64(s, 6, r->expires_at_us);
    return store_q_run(c, s);
}

static void store_session_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct session_row *out = row;
    out->id_hash = store_q_text(a, s, 0);
    out->tenant_id = store_column_int64(s, 1);
    out->user_id = store_column_int64(s, 2);
    out->csrf_token = store_q_text(a, s, 3);
    out->created_at_us = store_column_int64(s, 4);
    out->last_seen_at_us = store_column_int64(s, 5);
    out->expires_at_us = store_column_int64(s, 6);
    out->revoked = store_column_int64(s, 7) != 0;
}

enum err store_session_get(struct store_conn *c, struct arena *a, int64_t tenant_id,
                           const char *id_hash, struct session_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT id_hash, tenant_id, user_id, csrf_token, created_at, "
                                "last_seen_at, expires_at, revoked FROM sessions "
                                "WHERE id_hash = $1 AND tenant_id = $2",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_text(s, 1, id_hash);
    store_bind_int64(s, 2, tenant_id);
    return store_q_one(c, a, s, out, store_session_read);
}

enum err store_session_touch(struct store_conn *c, int64_t tenant_id, const char *id_hash,
                             int64_t now_us)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c, "UPDATE sessions SET last_seen_at = $2 WHERE tenant_id = $3 AND id_hash = $1", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_text(s, 1, id_hash);
    store_bind_int64(s, 2, now_us);
    store_bind_int64(s, 3, tenant_id);
    return store_q_run(c, s);
}

enum err store_session_revoke(struct store_conn *c, int64_t tenant_id, const char *id_hash)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c, "UPDATE sessions SET revoked = 1 WHERE tenant_id = $2 AND id_hash = $1", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_text(s, 1, id_hash);
    store_bind_int64(s, 2, tenant_id);
    rc = store_q_run(c, s);
    return rc != ERR_OK ? rc : store_auth_epoch_bump(c, tenant_id);
}

enum err store_api_key_revoke(struct store_conn *c, int64_t tenant_id, int64_t id, int64_t now_us)
{
    struct store_stmt *s;
    enum err rc =
        store_prepare(c,
                      "UPDATE api_keys SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 "
                      "AND revoked_at = 0 RETURNING id",
                      &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    store_bind_int64(s, 3, now_us);
    int64_t revoked;
    rc = store_q_id(c, s, &revoked);
    return rc != ERR_OK ? rc : store_auth_epoch_bump(c, tenant_id);
}

enum err store_auth_epoch_bump(struct store_conn *c, int64_t tenant_id)
{
    ASSERT(tenant_id > 0);
    struct store_stmt *s;
    enum err rc =
        store_prepare(c,
                      "INSERT INTO auth_epoch (tenant_id, value) VALUES ($1, 1) "
                      "ON CONFLICT (tenant_id) DO UPDATE SET value = auth_epoch.value + 1",
                      &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    return store_q_run(c, s);
}

enum err store_auth_epoch_get(struct store_conn *c, int64_t tenant_id, int64_t *value)
{
    /* A tenant whose epoch never moved has no row yet: epoch 0. */
    struct store_stmt *s;
    enum err rc =
        store_prepare(c, "SELECT COALESCE(MAX(value), 0) FROM auth_epoch WHERE tenant_id = $1", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    return store_q_id(c, s, value);
}

enum err store_api_key_insert(struct store_conn *c, const struct api_key_row *r, int64_t *id)
{
    struct store_stmt *s;
    enum err rc =
        store_prepare(c,
                      "INSERT INTO api_keys (tenant_id, name, key_hash, role, created_by, "
                      "created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                      &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, r->tenant_id);
    store_bind_text(s, 2, r->name ? r->name : "");
    store_bind_text(s, 3, r->key_hash);
    store_bind_text(s, 4, r->role);
    store_bind_text(s, 5, r->created_by ? r->created_by : "");
    store_bind_int64(s, 6, r->created_at_us);
    store_bind_int64(s, 7, r->expires_at_us);
    return store_q_id(c, s, id);
}

static void store_api_key_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct api_key_row *out = row;
    out->id = store_column_int64(s, 0);
    out->tenant_id = store_column_int64(s, 1);
    out->name = store_q_text(a, s, 2);
    out->key_hash = store_q_text(a, s, 3);
    out->role = store_q_text(a, s, 4);
    out->created_by = store_q_text(a, s, 5);
    out->created_at_us = store_column_int64(s, 6);
    out->revoked_at_us = store_column_int64(s, 7);
    out->expires_at_us = store_column_int64(s, 8);
}

enum err store_api_key_by_hash(struct store_conn *c, struct arena *a, int64_t tenant_id,
                               const char *key_hash, struct api_key_row *out)
{
    struct store_stmt *s;
    enum err rc =
        store_prepare(c,
                      "SELECT id, tenant_id, name, key_hash, role, created_by, "
                      "created_at, revoked_at, expires_at FROM api_keys WHERE tenant_id = $2 "
                      "AND key_hash = $1",
                      &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_text(s, 1, key_hash);
    store_bind_int64(s, 2, tenant_id);
    return store_q_one(c, a, s, out, store_api_key_read);
}

enum err store_api_key_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                            struct api_key_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc =
        store_prepare(c,
                      "SELECT id, tenant_id, name, key_hash, role, created_by, "
                      "created_at, revoked_at, expires_at FROM api_keys WHERE tenant_id = $1 "
                      "ORDER BY id",
                      &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_api_key_read);
}

enum err store_member_of_user(struct store_conn *c, struct arena *a, int64_t tenant_id,
                              int64_t user_id, struct member_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT m.customer_id, m.user_id, m.role, m.created_at, u.email "
                                "FROM members m JOIN users u ON u.tenant_id = m.tenant_id "
                                "AND u.id = m.user_id WHERE m.user_id = $1 AND m.tenant_id = $2 "
                                "ORDER BY m.customer_id LIMIT 1",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, user_id);
    store_bind_int64(s, 2, tenant_id);
    enum store_step r = store_step(s);
    if (r == STORE_ROW) {
        out->customer_id = store_column_int64(s, 0);
        out->user_id = store_column_int64(s, 1);
        out->role = store_q_text(a, s, 2);
        out->created_at_us = store_column_int64(s, 3);
        out->email = store_q_text(a, s, 4);
    }
    rc = r == STORE_ROW ? ERR_OK : r == STORE_DONE ? ERR_NOT_FOUND : store_conn_err(c);
    store_finish(s);
    return rc;
}

enum err store_idempotency_get(struct store_conn *c, struct arena *a, int64_t tenant_id,
                               const char *principal, const char *key, struct idempotency_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT request_hash, status, response, created_at FROM "
                                "idempotency_keys WHERE tenant_id = $1 AND principal = $2 "
                                "AND key = $3",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_text(s, 2, principal);
    store_bind_text(s, 3, key);
    enum store_step r = store_step(s);
    if (r == STORE_ROW) {
        out->request_hash = store_q_text(a, s, 0);
        out->status = (int)store_column_int64(s, 1);
        out->response = store_q_text(a, s, 2);
        out->created_at_us = store_column_int64(s, 3);
    }
    rc = r == STORE_ROW ? ERR_OK : r == STORE_DONE ? ERR_NOT_FOUND : store_conn_err(c);
    store_finish(s);
    return rc;
}

enum err store_idempotency_insert(struct store_conn *c, int64_t tenant_id, const char *principal,
                                  const char *key, const struct idempotency_row *r)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO idempotency_keys (tenant_id, principal, key, "
                                "request_hash, status, response, created_at) VALUES ($1, $2, $3, "
                                "$4, $5, $6, $7)",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_text(s, 2, principal);
    store_bind_text(s, 3, key);
    store_bind_text(s, 4, r->request_hash);
    store_bind_int64(s, 5, r->status);
    store_bind_text(s, 6, r->response);
    store_bind_int64(s, 7, r->created_at_us);
    return store_q_run(c, s);
}

/* ---- failed sign-ins (schema 8) ------------------------------------------ */

enum err store_login_throttle_get(struct store_conn *c, int64_t tenant_id,
                                  const char *const *subject_hashes, size_t n,
                                  struct login_throttle_row *out, size_t *found)
{
    ASSERT(n >= 1);
    ASSERT(n <= 2);
    *found = 0;
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT subject_hash, failures, window_start, last_failure_at "
                                "FROM login_throttle "
                                "WHERE tenant_id = $1 AND subject_hash IN ($2, $3)",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_text(s, 2, subject_hashes[0]);
    store_bind_text(s, 3, subject_hashes[n - 1]);
    enum store_step r;
    /* The primary key gives each subject one row at most. */
    while ((r = store_step(s)) == STORE_ROW && *found < n) {
        struct login_throttle_row *row = &out[(*found)++];
        str_copy(row->subject_hash, sizeof(row->subject_hash), store_column_text(s, 0));
        row->failures = store_column_int64(s, 1);
        row->window_start_us = store_column_int64(s, 2);
        row->last_failure_at_us = store_column_int64(s, 3);
    }
    rc = r == STORE_FAILED ? store_conn_err(c) : ERR_OK;
    store_finish(s);
    return rc;
}

enum err store_login_throttle_fail(struct store_conn *c, int64_t tenant_id,
                                   const char *const *subject_hashes, size_t n, int64_t now_us,
                                   int64_t stale_before_us)
{
    ASSERT(n >= 1);
    ASSERT(n <= 2);
    ASSERT(stale_before_us < now_us);
    /* A run whose last failure is a quiet window ago restarts at this
     * failure; a live one counts it. The row lock of the upsert orders
     * concurrent servers. */
#define STORE_THROTTLE_UPSERT                                                                      \
    " ON CONFLICT (tenant_id, subject_hash) DO UPDATE SET failures = CASE WHEN "                   \
    "login_throttle.last_failure_at <= $4 THEN 1 ELSE login_throttle.failures + 1 END, "           \
    "window_start = CASE WHEN login_throttle.last_failure_at <= $4 THEN excluded.window_start "    \
    "ELSE login_throttle.window_start END, last_failure_at = excluded.last_failure_at"
    static const char one[] =
        "INSERT INTO login_throttle (tenant_id, subject_hash, failures, "
        "window_start, last_failure_at) VALUES ($1, $2, 1, $3, $3)" STORE_THROTTLE_UPSERT;
    static const char two[] = "INSERT INTO login_throttle (tenant_id, subject_hash, failures, "
                              "window_start, last_failure_at) VALUES ($1, $2, 1, $3, $3), "
                              "($1, $5, 1, $3, $3)" STORE_THROTTLE_UPSERT;
#undef STORE_THROTTLE_UPSERT
    struct store_stmt *s;
    enum err rc = store_prepare(c, n == 1 ? one : two, &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_text(s, 2, subject_hashes[0]);
    store_bind_int64(s, 3, now_us);
    store_bind_int64(s, 4, stale_before_us);
    if (n == 2) {
        ASSERT(strcmp(subject_hashes[0], subject_hashes[1]) != 0);
        store_bind_text(s, 5, subject_hashes[1]);
    }
    return store_q_run(c, s);
}

enum err store_login_throttle_prune(struct store_conn *c, int64_t stale_before_us)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c, "DELETE FROM login_throttle WHERE last_failure_at <= $1", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, stale_before_us);
    return store_q_run(c, s);
}
