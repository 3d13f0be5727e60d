/*
 * Two-factor sign-in rows (schema 10): a user's secret, whether it is on and
 * the last time step accepted, and the user's recovery codes (SHA-256 only).
 * Every change names the state it expects in its WHERE clause and answers
 * ERR_NOT_FOUND when the row was not in it, so racing requests cannot both
 * use one code or both turn 2FA on. Changes that alter who may do what move
 * the tenant's auth epoch, so every server drops the principals it cached.
 */
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"

/* Runs an UPDATE ... RETURNING id of one user: ERR_NOT_FOUND when no row was
 * in the state the statement expects. */
static enum err store_totp_update_one(struct store_conn *c, struct store_stmt *s)
{
    int64_t id;
    return store_q_id(c, s, &id);
}

enum err store_user_totp_pending(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                                 const char *secret)
{
    ASSERT(secret != NULL);
    ASSERT(secret[0] != '\0');
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE users SET totp_secret = $3, totp_last_step = 0 "
                                "WHERE tenant_id = $1 AND id = $2 AND totp_enabled = 0 "
                                "RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, user_id);
    store_bind_text(s, 3, secret);
    return store_totp_update_one(c, s);
}

enum err store_user_totp_enable(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                                const char *secret, int64_t step)
{
    ASSERT(secret != NULL);
    ASSERT(step > 0);
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE users SET totp_enabled = 1, totp_last_step = $4 "
                                "WHERE tenant_id = $1 AND id = $2 AND totp_enabled = 0 "
                                "AND totp_secret = $3 RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, user_id);
    store_bind_text(s, 3, secret);
    store_bind_int64(s, 4, step);
    rc = store_totp_update_one(c, s);
    return rc != ERR_OK ? rc : store_auth_epoch_bump(c, tenant_id);
}

enum err store_user_totp_step(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                              int64_t step)
{
    ASSERT(step > 0);
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE users SET totp_last_step = $3 WHERE tenant_id = $1 "
                                "AND id = $2 AND totp_enabled = 1 AND totp_last_step < $3 "
                                "RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, user_id);
    store_bind_int64(s, 3, step);
    return store_totp_update_one(c, s);
}

static enum err store_totp_recovery_delete(struct store_conn *c, int64_t tenant_id, int64_t user_id)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c, "DELETE FROM totp_recovery_codes WHERE tenant_id = $1 AND user_id = $2", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, user_id);
    return store_q_run(c, s);
}

enum err store_user_totp_clear(struct store_conn *c, int64_t tenant_id, int64_t user_id)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE users SET totp_secret = '', totp_enabled = 0, "
                                "totp_last_step = 0 WHERE tenant_id = $1 AND id = $2 "
                                "RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, user_id);
    rc = store_totp_update_one(c, s);
    if (rc == ERR_OK)
        rc = store_totp_recovery_delete(c, tenant_id, user_id);
    return rc != ERR_OK ? rc : store_auth_epoch_bump(c, tenant_id);
}

enum err store_totp_recovery_replace(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                                     const char *const *code_hashes, size_t n)
{
    ASSERT(n > 0);
    enum err rc = store_totp_recovery_delete(c, tenant_id, user_id);
    for (size_t i = 0; i < n && rc == ERR_OK; i++) {
        ASSERT(strlen(code_hashes[i]) == SHA256_HEX - 1);
        struct store_stmt *s;
        rc = store_prepare(c,
                           "INSERT INTO totp_recovery_codes (tenant_id, user_id, code_hash) "
                           "VALUES ($1, $2, $3)",
                           &s);
        if (rc != ERR_OK)
            break;
        store_bind_int64(s, 1, tenant_id);
        store_bind_int64(s, 2, user_id);
        store_bind_text(s, 3, code_hashes[i]);
        rc = store_q_run(c, s);
    }
    return rc;
}

enum err store_totp_recovery_use(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                                 const char *code_hash, int64_t now_us)
{
    ASSERT(code_hash != NULL);
    ASSERT(now_us > 0);
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE totp_recovery_codes SET used_at = $4 WHERE tenant_id = $1 "
                                "AND user_id = $2 AND code_hash = $3 AND used_at = 0 "
                                "RETURNING user_id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, user_id);
    store_bind_text(s, 3, code_hash);
    store_bind_int64(s, 4, now_us);
    return store_totp_update_one(c, s);
}

enum err store_totp_recovery_left(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                                  int64_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT COUNT(*) FROM totp_recovery_codes WHERE tenant_id = $1 "
                                "AND user_id = $2 AND used_at = 0",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, user_id);
    return store_q_id(c, s, n);
}
