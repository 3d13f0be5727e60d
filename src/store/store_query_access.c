/*
 * Queries of the account life cycle (schema 10): the security log, mailed
 * single-use tokens, passwords, sessions of a user, the team's users and
 * member removal. Written once in portable SQL; every statement binds the
 * tenant (docs/scaling.md).
 *
 * Must not: decide anything (who may do what is the service's), or keep a
 * token or password in clear (callers hand in hashes).
 */
#include <string.h>

#include "store/store_int.h"

/* ---- the security log ------------------------------------------------------ */

enum err store_security_log_insert(struct store_conn *c, const struct security_log_row *r)
{
    ASSERT(r->tenant_id > 0);
    ASSERT(r->type != NULL);
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO security_log (tenant_id, type, actor_user_id, actor, "
                                "subject_user_id, subject, customer_id, address, detail, "
                                "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, r->tenant_id);
    store_bind_text(s, 2, r->type);
    store_bind_int64(s, 3, r->actor_user_id);
    store_bind_text(s, 4, r->actor ? r->actor : "");
    store_bind_int64(s, 5, r->subject_user_id);
    store_bind_text(s, 6, r->subject ? r->subject : "");
    store_bind_int64(s, 7, r->customer_id);
    store_bind_text(s, 8, r->address ? r->address : "");
    store_bind_text(s, 9, r->detail ? r->detail : "");
    store_bind_int64(s, 10, r->created_at_us);
    return store_q_run(c, s);
}

static void store_security_log_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct security_log_row *out = row;
    out->id = store_column_int64(s, 0);
    out->tenant_id = store_column_int64(s, 1);
    out->type = store_q_text(a, s, 2);
    out->actor_user_id = store_column_int64(s, 3);
    out->actor = store_q_text(a, s, 4);
    out->subject_user_id = store_column_int64(s, 5);
    out->subject = store_q_text(a, s, 6);
    out->customer_id = store_column_int64(s, 7);
    out->address = store_q_text(a, s, 8);
    out->detail = store_q_text(a, s, 9);
    out->created_at_us = store_column_int64(s, 10);
}

enum err store_security_log_list(struct store_conn *c, struct arena *a,
                                 const struct security_log_filter *f, struct security_log_row **out,
                                 size_t *n)
{
    ASSERT(f->tenant_id > 0);
    ASSERT(f->limit > 0);
    const char *type = f->type != NULL ? f->type : "";
    struct store_stmt *s;
    enum err rc = store_prepare(
        c,
        "SELECT id, tenant_id, type, actor_user_id, actor, subject_user_id, subject, "
        "customer_id, address, detail, created_at FROM security_log WHERE tenant_id = $1 "
        "AND (CAST($2 AS BIGINT) = 0 OR id < $2) "
        "AND ($3 = '' OR type = $3 OR type LIKE $3 || '.%') "
        "AND (CAST($4 AS BIGINT) = 0 OR actor_user_id = $4 OR subject_user_id = $4) "
        /* Cast: PostgreSQL would take "$5 = 0" for an int4, too small for
         * microseconds. */
        "AND (CAST($5 AS BIGINT) = 0 OR created_at >= $5) "
        "AND (CAST($6 AS BIGINT) = 0 OR created_at < $6) "
        "ORDER BY id DESC LIMIT $7",
        &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, f->tenant_id);
    store_bind_int64(s, 2, f->before_id);
    store_bind_text(s, 3, type);
    store_bind_int64(s, 4, f->user_id);
    store_bind_int64(s, 5, f->from_us);
    store_bind_int64(s, 6, f->to_us);
    store_bind_int64(s, 7, (int64_t)f->limit);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_security_log_read);
}

/* ---- mailed tokens ------------------------------------------------------------ */

enum err store_auth_token_insert(struct store_conn *c, const struct auth_token_row *r)
{
    ASSERT(r->tenant_id > 0);
    ASSERT(r->user_id > 0);
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO auth_tokens (token_hash, tenant_id, purpose, user_id, "
                                "created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_text(s, 1, r->token_hash);
    store_bind_int64(s, 2, r->tenant_id);
    store_bind_text(s, 3, r->purpose);
    store_bind_int64(s, 4, r->user_id);
    store_bind_int64(s, 5, r->created_at_us);
    store_bind_int64(s, 6, r->expires_at_us);
    return store_q_run(c, s);
}

enum err store_auth_token_use(struct store_conn *c, int64_t tenant_id, const char *token_hash,
                              const char *purpose, int64_t now_us, int64_t *user_id)
{
    /* One statement checks and uses: two callers with the same token cannot
     * both get its user. */
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE auth_tokens SET used_at = $4 WHERE tenant_id = $1 "
                                "AND token_hash = $2 AND purpose = $3 AND used_at = 0 "
                                "AND expires_at > $4 RETURNING user_id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_text(s, 2, token_hash);
    store_bind_text(s, 3, purpose);
    store_bind_int64(s, 4, now_us);
    return store_q_id(c, s, user_id);
}

enum err store_auth_tokens_void(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                                const char *purpose, int64_t now_us)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE auth_tokens SET used_at = $4 WHERE tenant_id = $1 "
                                "AND user_id = $2 AND purpose = $3 AND used_at = 0",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, user_id);
    store_bind_text(s, 3, purpose);
    store_bind_int64(s, 4, now_us);
    return store_q_run(c, s);
}

enum err store_auth_tokens_prune(struct store_conn *c, int64_t before_us)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c, "DELETE FROM auth_tokens WHERE expires_at < $1", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, before_us);
    return store_q_run(c, s);
}

/* ---- users ----------------------------------------------------------------- */

enum err store_user_password_set(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                                 const char *password_hash, int64_t now_us)
{
    ASSERT(password_hash != NULL);
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE users SET password_hash = $3, password_changed_at = $4 "
                                "WHERE tenant_id = $1 AND id = $2 RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, user_id);
    store_bind_text(s, 3, password_hash);
    store_bind_int64(s, 4, now_us);
    int64_t id;
    return store_q_id(c, s, &id);
}

enum err store_user_sessions_revoke(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                                    const char *keep_hash)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE sessions SET revoked = 1 WHERE tenant_id = $1 "
                                "AND user_id = $2 AND revoked = 0 AND id_hash <> $3",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, user_id);
    store_bind_text(s, 3, keep_hash != NULL ? keep_hash : "");
    rc = store_q_run(c, s);
    return rc != ERR_OK ? rc : store_auth_epoch_bump(c, tenant_id);
}

enum err store_user_login_noted(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                                int64_t now_us)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c, "UPDATE users SET last_login_at = $3 WHERE tenant_id = $1 AND id = $2", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, user_id);
    store_bind_int64(s, 3, now_us);
    return store_q_run(c, s);
}

enum err store_user_role_set(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                             const char *role, bool disabled)
{
    ASSERT(role != NULL);
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE users SET role = $3, disabled = $4 WHERE tenant_id = $1 "
                                "AND id = $2 AND role IN ('admin', 'staff') RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, user_id);
    store_bind_text(s, 3, role);
    store_bind_int64(s, 4, disabled);
    int64_t id;
    rc = store_q_id(c, s, &id);
    return rc != ERR_OK ? rc : store_auth_epoch_bump(c, tenant_id);
}

enum err store_user_admins_count(struct store_conn *c, int64_t tenant_id, int64_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT COUNT(*) FROM users WHERE tenant_id = $1 "
                                "AND role = 'admin' AND disabled = 0",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    return store_q_id(c, s, n);
}

enum err store_user_email_verified_set(struct store_conn *c, int64_t tenant_id, int64_t user_id)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c, "UPDATE users SET email_verified = 1 WHERE tenant_id = $1 AND id = $2", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, user_id);
    return store_q_run(c, s);
}

/* ---- members ----------------------------------------------------------------- */

enum err store_member_remove(struct store_conn *c, int64_t tenant_id, int64_t customer_id,
                             int64_t user_id)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "DELETE FROM member_limits WHERE tenant_id = $1 "
                                "AND customer_id = $2 AND user_id = $3",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, customer_id);
    store_bind_int64(s, 3, user_id);
    if ((rc = store_q_run(c, s)) != ERR_OK)
        return rc;
    rc = store_prepare(c,
                       "DELETE FROM members WHERE tenant_id = $1 AND customer_id = $2 "
                       "AND user_id = $3 RETURNING user_id",
                       &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, customer_id);
    store_bind_int64(s, 3, user_id);
    int64_t removed;
    return store_q_id(c, s, &removed);
}

enum err store_member_count_of_user(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                                    int64_t *n)
{
    struct store_stmt *s;
    enum err rc =
        store_prepare(c, "SELECT COUNT(*) FROM members WHERE tenant_id = $1 AND user_id = $2", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, user_id);
    return store_q_id(c, s, n);
}

/* ---- invitations ------------------------------------------------------------- */

#define INVITATION_COLUMNS                                                                         \
    "id, tenant_id, email, name, role, customer_id, invited_by_user_id, invited_by, token_hash, "  \
    "created_at, expires_at, accepted_at, withdrawn_at, accepted_user_id"

static void store_invitation_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct invitation_row *out = row;
    out->id = store_column_int64(s, 0);
    out->tenant_id = store_column_int64(s, 1);
    out->email = store_q_text(a, s, 2);
    out->name = store_q_text(a, s, 3);
    out->role = store_q_text(a, s, 4);
    out->customer_id = store_column_int64(s, 5);
    out->invited_by_user_id = store_column_int64(s, 6);
    out->invited_by = store_q_text(a, s, 7);
    out->token_hash = store_q_text(a, s, 8);
    out->created_at_us = store_column_int64(s, 9);
    out->expires_at_us = store_column_int64(s, 10);
    out->accepted_at_us = store_column_int64(s, 11);
    out->withdrawn_at_us = store_column_int64(s, 12);
    out->accepted_user_id = store_column_int64(s, 13);
}

enum err store_invitation_insert(struct store_conn *c, const struct invitation_row *r, int64_t *id)
{
    ASSERT(r->tenant_id > 0);
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO invitations (tenant_id, email, name, role, "
                                "customer_id, invited_by_user_id, invited_by, token_hash, "
                                "created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                                "$9, $10) RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, r->tenant_id);
    store_bind_text(s, 2, r->email);
    store_bind_text(s, 3, r->name ? r->name : "");
    store_bind_text(s, 4, r->role);
    store_bind_int64(s, 5, r->customer_id);
    store_bind_int64(s, 6, r->invited_by_user_id);
    store_bind_text(s, 7, r->invited_by ? r->invited_by : "");
    store_bind_text(s, 8, r->token_hash);
    store_bind_int64(s, 9, r->created_at_us);
    store_bind_int64(s, 10, r->expires_at_us);
    return store_q_id(c, s, id);
}

enum err store_invitation_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                               int64_t customer_id, size_t limit, struct invitation_row **out,
                               size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " INVITATION_COLUMNS " FROM invitations WHERE "
                                "tenant_id = $1 AND (CAST($2 AS BIGINT) = 0 OR customer_id = $2) "
                                "ORDER BY id DESC LIMIT $3",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, customer_id);
    store_bind_int64(s, 3, (int64_t)limit);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_invitation_read);
}

enum err store_invitation_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                              struct invitation_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c, "SELECT " INVITATION_COLUMNS " FROM invitations WHERE tenant_id = $1 AND id = $2", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    return store_q_one(c, a, s, out, store_invitation_read);
}

enum err store_invitation_by_token(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                   const char *token_hash, struct invitation_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " INVITATION_COLUMNS " FROM invitations WHERE "
                                "tenant_id = $1 AND token_hash = $2",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_text(s, 2, token_hash);
    return store_q_one(c, a, s, out, store_invitation_read);
}

enum err store_invitation_withdraw(struct store_conn *c, int64_t tenant_id, int64_t id,
                                   int64_t now_us)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE invitations SET withdrawn_at = $3 WHERE tenant_id = $1 "
                                "AND id = $2 AND accepted_at = 0 AND withdrawn_at = 0 RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    store_bind_int64(s, 3, now_us);
    int64_t done;
    return store_q_id(c, s, &done);
}

enum err store_invitations_withdraw_for(struct store_conn *c, int64_t tenant_id, const char *email,
                                        int64_t customer_id, int64_t now_us)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE invitations SET withdrawn_at = $4 WHERE tenant_id = $1 "
                                "AND email = $2 AND customer_id = $3 AND accepted_at = 0 "
                                "AND withdrawn_at = 0",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_text(s, 2, email);
    store_bind_int64(s, 3, customer_id);
    store_bind_int64(s, 4, now_us);
    return store_q_run(c, s);
}

enum err store_invitation_accept(struct store_conn *c, int64_t tenant_id, int64_t id,
                                 int64_t user_id, int64_t now_us)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE invitations SET accepted_at = $4, accepted_user_id = $3 "
                                "WHERE tenant_id = $1 AND id = $2 AND accepted_at = 0 "
                                "AND withdrawn_at = 0 AND expires_at > $4 RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    store_bind_int64(s, 3, user_id);
    store_bind_int64(s, 4, now_us);
    int64_t done;
    return store_q_id(c, s, &done);
}
