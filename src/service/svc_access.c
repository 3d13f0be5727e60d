/*
 * The account life cycle (DESIGN §7): passwords changed and reset by mailed
 * single-use tokens, the team's users listed, re-roled and disabled, members
 * removed, and the security log every one of these writes. Whatever ends
 * access (a new password, disabling, removal) revokes the user's sessions
 * and moves the tenant's auth epoch in the same transaction, so every server
 * refuses the user at its next request.
 *
 * Must not: tell a caller whether an e-mail has an account (a reset request
 * answers the same either way), or keep a token or password in clear.
 */
#include <ctype.h>
#include <string.h>

#include "service/service_int.h"

/* ---- the security log ---------------------------------------------------------- */

enum err svc_seclog(struct store_conn *c, int64_t tenant_id, const struct svc_actor *actor,
                    const char *type, int64_t subject_user_id, const char *subject,
                    int64_t customer_id, const char *detail, int64_t now_us)
{
    ASSERT(tenant_id > 0);
    ASSERT(type != NULL);
    const struct svc_actor *who = actor != NULL ? actor : &SVC_SYSTEM;
    struct security_log_row r = {.tenant_id = tenant_id,
                                 .type = type,
                                 .actor_user_id = who->user_id,
                                 .actor = who->label,
                                 .subject_user_id = subject_user_id,
                                 .subject = subject,
                                 .customer_id = customer_id,
                                 .address = who->address,
                                 .detail = detail,
                                 .created_at_us = now_us};
    return store_security_log_insert(c, &r);
}

struct seclog_list_ctx {
    struct arena *a;
    const struct security_log_filter *f;
    struct security_log_row **out;
    size_t *n;
};

static enum err svc_security_log_list_txn(struct store_conn *c, void *arg)
{
    struct seclog_list_ctx *x = arg;
    return store_security_log_list(c, x->a, x->f, x->out, x->n);
}

enum err svc_security_log_list(struct svc *s, struct arena *a, const struct security_log_filter *f,
                               struct security_log_row **out, size_t *n)
{
    ASSERT(f->tenant_id > 0);
    struct seclog_list_ctx x = {.a = a, .f = f, .out = out, .n = n};
    return store_read(s->st, svc_security_log_list_txn, &x);
}

/* ---- password rules ------------------------------------------------------------- */

/* Passwords of 12 characters or more that lists of leaked passwords rank
 * first; compared without regard to case. */
static const char *const svc_common_passwords[] = {
    "123456789012",  "1234567890123", "12345678901234", "123456123456",     "111111111111",
    "000000000000",  "123123123123",  "123412341234",   "121212121212",     "987654321098",
    "password1234",  "password12345", "password123!",   "passwordpassword", "password1!",
    "iloveyou1234",  "qwerty123456",  "qwertyuiop12",   "qwertyuiopasdf",   "qwertyuiopas",
    "1q2w3e4r5t6y",  "1qaz2wsx3edc",  "zaq12wsxcde3",   "abcdefghijkl",     "abcd1234abcd",
    "abc123abc123",  "aaaaaaaaaaaa",  "letmein12345",   "welcome12345",     "welcome123!",
    "administrator", "admin1234567",  "adminadmin12",   "changeme1234",     "trustno1trustno1",
    "football1234",  "baseball1234",  "monkey123456",   "dragon123456",     "sunshine1234",
    "princess1234",  "superman1234",  "starwars1234",   "michael12345",     "jennifer1234",
    "passw0rd1234",  "p@ssw0rd1234",  "p@ssword1234",   "mypassword12",     "mypassword123",
    "secret123456",  "master123456",  "whatever1234",   "computer1234",     "internet1234",
    "liverpool123",  "chelsea12345",  "arsenal12345",   "manchester12",     "hallo1234567",
    "passwort1234",  "passwort12345", "qwertzuiop12",   "qwertzuiopü",      "schalke04schalke",
    "geheim123456",  "ichliebedich",  "ichliebedich1",  "sommer123456",     "winter123456",
    "fussball1234",  "test12345678",  "testtesttest",   "asdfghjkl123",     "asdfasdfasdf",
    "zxcvbnm12345",  "1234qwerasdf",  "q1w2e3r4t5y6",   "creditd12345",     "creditd-password",
    "summer2024!!",  "summer2025!!",  "summer2026!!",   "spring2026!!",     "winter2026!!",
};

static bool svc_password_is_common(const char *password)
{
    for (size_t i = 0; i < sizeof(svc_common_passwords) / sizeof(svc_common_passwords[0]); i++)
        if (strcasecmp(password, svc_common_passwords[i]) == 0)
            return true;
    /* One character repeated, or the same two alternating. */
    size_t n = strlen(password);
    bool repeats = n >= 2;
    for (size_t i = 2; i < n && repeats; i++)
        repeats = password[i] == password[i - 2];
    return repeats;
}

enum { PASSWORD_BYTES_MIN = 12, PASSWORD_BYTES_MAX = 1024 };

enum err svc_password_check(const char *password, const char *email, const char *field,
                            struct err_detail *d)
{
    ASSERT(field != NULL);
    size_t n = password ? strlen(password) : 0;
    if (n < PASSWORD_BYTES_MIN)
        return err_set(d, ERR_VALIDATION, field, "must be at least %d characters",
                       PASSWORD_BYTES_MIN);
    if (n > PASSWORD_BYTES_MAX)
        return err_set(d, ERR_VALIDATION, field, "is too long");
    if (svc_password_is_common(password))
        return err_set(d, ERR_VALIDATION, field, "is too common; choose another");
    if (email != NULL && strcasecmp(password, email) == 0)
        return err_set(d, ERR_VALIDATION, field, "must not be the e-mail address");
    return ERR_OK;
}

/* ---- changing a password ------------------------------------------------------------ */

struct password_ctx {
    struct arena *a;
    int64_t tenant_id;
    int64_t user_id;
    const struct svc_actor *actor;
    const char *hash;       /* the new password's */
    const char *keep_hash;  /* the session that stays, "" = none */
    const char *token_hash; /* reset: the token */
    const char *log_type;
    int64_t now_us;
    struct user_row user;
};

/* Sets the password, ends the reset tokens and every session but keep_hash,
 * and logs it. */
static enum err svc_password_apply(struct store_conn *c, struct password_ctx *x)
{
    enum err rc = store_user_password_set(c, x->tenant_id, x->user_id, x->hash, x->now_us);
    if (rc == ERR_OK)
        rc = store_auth_tokens_void(c, x->tenant_id, x->user_id, "password_reset", x->now_us);
    if (rc == ERR_OK)
        rc = store_user_sessions_revoke(c, x->tenant_id, x->user_id, x->keep_hash);
    if (rc == ERR_OK)
        rc = svc_seclog(c, x->tenant_id, x->actor, x->log_type, x->user_id, x->user.email, 0, NULL,
                        x->now_us);
    return rc;
}

static enum err svc_password_change_txn(struct store_conn *c, void *arg)
{
    struct password_ctx *x = arg;
    enum err rc = store_user_get(c, x->a, x->tenant_id, x->user_id, &x->user);
    return rc != ERR_OK ? rc : svc_password_apply(c, x);
}

static enum err svc_user_read_txn(struct store_conn *c, void *arg)
{
    struct password_ctx *x = arg;
    return store_user_get(c, x->a, x->tenant_id, x->user_id, &x->user);
}

enum err svc_password_change(struct svc *s, struct arena *a, int64_t tenant_id,
                             const struct svc_actor *actor, const char *current,
                             const char *password, const char *keep_session, struct err_detail *d)
{
    ASSERT(actor != NULL);
    if (actor->user_id == 0)
        return err_set(d, ERR_FORBIDDEN, "", "only a signed-in user has a password");
    struct password_ctx x = {.a = a,
                             .tenant_id = tenant_id,
                             .user_id = actor->user_id,
                             .actor = actor,
                             .keep_hash = "",
                             .log_type = "password.changed"};
    enum err rc = store_read(s->st, svc_user_read_txn, &x);
    if (rc != ERR_OK)
        return rc;
    if (!password_verify(x.user.password_hash, current != NULL ? current : ""))
        return err_set(d, ERR_VALIDATION, "current_password", "is not your password");
    if ((rc = svc_password_check(password, x.user.email, "new_password", d)) != ERR_OK)
        return rc;
    char hash[PASSWORD_HASH_BYTES], keep[SHA256_HEX] = "";
    if ((rc = password_hash(password, hash, sizeof(hash))) != ERR_OK)
        return rc;
    if (keep_session != NULL && keep_session[0] != '\0')
        svc_secret_hash(keep_session, keep);
    x.hash = hash;
    x.keep_hash = keep;
    x.now_us = svc_now(s);
    return store_write(s->st, svc_password_change_txn, &x);
}

/* ---- resetting a password ------------------------------------------------------------ */

struct reset_request_ctx {
    struct arena *a;
    int64_t tenant_id;
    const char *email;
    const struct svc_actor *actor;
    int64_t user_id; /* an admin's send: the user; 0 = by e-mail */
    int64_t now_us;
    struct user_row user;
};

/* Voids the user's earlier reset tokens, keeps the new one's hash and puts
 * the mail with its link in the outbox. The token travels in the event's
 * attrs to the dispatcher, which scrubs it once the mail is done. */
enum err svc_reset_issue_mail(struct store_conn *c, struct arena *a, int64_t tenant_id,
                              const struct user_row *u, int64_t now_us)
{
    char token[SECRET_HEX], hash[SHA256_HEX];
    random_hex(token, 32);
    svc_secret_hash(token, hash);
    struct auth_token_row t = {.token_hash = hash,
                               .tenant_id = tenant_id,
                               .purpose = "password_reset",
                               .user_id = u->id,
                               .created_at_us = now_us,
                               .expires_at_us = now_us + PASSWORD_RESET_TTL_US};
    enum err rc = store_auth_tokens_void(c, tenant_id, u->id, "password_reset", now_us);
    if (rc == ERR_OK)
        rc = store_auth_token_insert(c, &t);
    struct svc_event_attr attrs[] = {{"token", token}, {"email", u->email}};
    const char *json = svc_event_attrs(a, attrs, 2);
    if (rc == ERR_OK && json == NULL)
        rc = ERR_TOO_LARGE;
    struct svc_event_new ev = {.tenant_id = tenant_id,
                               .type = SVC_EVENT_ACCOUNT_PASSWORD_RESET,
                               .subject_id = u->id,
                               .user_id = u->id,
                               .attrs = json,
                               .now_us = now_us};
    if (rc == ERR_OK)
        rc = svc_event_emit(c, &ev);
    memset(token, 0, sizeof(token));
    return rc;
}

static enum err svc_reset_request_txn(struct store_conn *c, void *arg)
{
    struct reset_request_ctx *x = arg;
    enum err rc = x->user_id != 0 ? store_user_get(c, x->a, x->tenant_id, x->user_id, &x->user)
                                  : store_user_by_email(c, x->a, x->tenant_id, x->email, &x->user);
    bool known = rc == ERR_OK && !x->user.disabled;
    if (rc != ERR_OK && rc != ERR_NOT_FOUND)
        return rc;
    if (!known && x->user_id != 0)
        return ERR_NOT_FOUND;
    /* Both branches write a log line: the same work, the same time. */
    if (known && (rc = svc_reset_issue_mail(c, x->a, x->tenant_id, &x->user, x->now_us)) != ERR_OK)
        return rc;
    return svc_seclog(c, x->tenant_id, x->actor, "password.reset_requested", known ? x->user.id : 0,
                      known ? x->user.email : "", 0, known ? NULL : "{\"account\":\"unknown\"}",
                      x->now_us);
}

/* Per client address: more than this many reset requests in the throttle
 * window are refused. */
enum { RESET_REQUESTS_PER_ADDRESS_MAX = 10 };

static enum err svc_reset_request_run(struct svc *s, struct reset_request_ctx *x)
{
    x->now_us = svc_now(s);
    return store_write(s->st, svc_reset_request_txn, x);
}

enum err svc_password_reset_request(struct svc *s, struct arena *a, int64_t tenant_id,
                                    const char *email, const struct svc_actor *actor,
                                    int64_t *retry_after_s)
{
    ASSERT(retry_after_s != NULL);
    *retry_after_s = 0;
    enum err rc = svc_throttle_take(s, tenant_id, "reset", actor ? actor->address : NULL,
                                    RESET_REQUESTS_PER_ADDRESS_MAX, retry_after_s);
    if (rc != ERR_OK)
        return rc;
    struct reset_request_ctx x = {
        .a = a, .tenant_id = tenant_id, .email = email != NULL ? email : "", .actor = actor};
    return svc_reset_request_run(s, &x);
}

enum err svc_password_reset_send(struct svc *s, struct arena *a, int64_t tenant_id,
                                 const struct svc_actor *actor, int64_t user_id)
{
    struct reset_request_ctx x = {
        .a = a, .tenant_id = tenant_id, .actor = actor, .user_id = user_id};
    return svc_reset_request_run(s, &x);
}

static enum err svc_reset_confirm_txn(struct store_conn *c, void *arg)
{
    struct password_ctx *x = arg;
    enum err rc = store_auth_token_use(c, x->tenant_id, x->token_hash, "password_reset", x->now_us,
                                       &x->user_id);
    if (rc == ERR_NOT_FOUND)
        return ERR_TOKEN_INVALID;
    if (rc == ERR_OK)
        rc = store_user_get(c, x->a, x->tenant_id, x->user_id, &x->user);
    if (rc == ERR_OK && x->user.disabled)
        return ERR_TOKEN_INVALID;
    if (rc == ERR_OK && !x->user.email_verified) /* the link came by mail: it is verified */
        rc = store_user_email_verified_set(c, x->tenant_id, x->user_id);
    return rc != ERR_OK ? rc : svc_password_apply(c, x);
}

enum err svc_password_reset_confirm(struct svc *s, struct arena *a, int64_t tenant_id,
                                    const char *token, const char *password,
                                    const struct svc_actor *actor, struct err_detail *d)
{
    if (token == NULL || strlen(token) != SECRET_HEX - 1)
        return err_set(d, ERR_TOKEN_INVALID, "token", "is not a valid reset link");
    /* The rules that need no account first; the e-mail rule after. */
    enum err rc = svc_password_check(password, NULL, "password", d);
    if (rc != ERR_OK)
        return rc;
    char hash[PASSWORD_HASH_BYTES], token_hash[SHA256_HEX];
    if ((rc = password_hash(password, hash, sizeof(hash))) != ERR_OK)
        return rc;
    svc_secret_hash(token, token_hash);
    struct password_ctx x = {.a = a,
                             .tenant_id = tenant_id,
                             .actor = actor,
                             .hash = hash,
                             .keep_hash = "",
                             .token_hash = token_hash,
                             .log_type = "password.reset",
                             .now_us = svc_now(s)};
    rc = store_write(s->st, svc_reset_confirm_txn, &x);
    if (rc == ERR_TOKEN_INVALID)
        return err_set(d, rc, "token", "the link is unknown, used or expired; ask for a new one");
    return rc;
}

/* The CLI's way back in for an admin who cannot receive mail. */
static enum err svc_password_set_txn(struct store_conn *c, void *arg)
{
    struct password_ctx *x = arg;
    enum err rc = store_user_by_email(c, x->a, x->tenant_id, x->user.email, &x->user);
    if (rc != ERR_OK)
        return rc;
    x->user_id = x->user.id;
    return svc_password_apply(c, x);
}

enum err svc_password_set(struct svc *s, struct arena *a, int64_t tenant_id, const char *email,
                          const char *password, const struct svc_actor *actor, struct err_detail *d)
{
    enum err rc = svc_password_check(password, email, "password", d);
    if (rc != ERR_OK)
        return rc;
    char hash[PASSWORD_HASH_BYTES];
    if ((rc = password_hash(password, hash, sizeof(hash))) != ERR_OK)
        return rc;
    struct password_ctx x = {.a = a,
                             .tenant_id = tenant_id,
                             .actor = actor,
                             .hash = hash,
                             .keep_hash = "",
                             .log_type = "password.reset",
                             .now_us = svc_now(s),
                             .user = {.email = email != NULL ? email : ""}};
    rc = store_write(s->st, svc_password_set_txn, &x);
    if (rc == ERR_NOT_FOUND)
        return err_set(d, rc, "email", "no user has this e-mail");
    return rc;
}

/* ---- the team: staff and admins ------------------------------------------------------ */

struct team_ctx {
    struct arena *a;
    int64_t tenant_id;
    const struct svc_actor *actor;
    int64_t user_id;
    const char *role; /* NULL = unchanged */
    int disabled;     /* -1 = unchanged */
    int64_t now_us;
    struct user_row *out;
    size_t *n;
    struct err_detail *d;
};

static enum err svc_users_list_txn(struct store_conn *c, void *arg)
{
    struct team_ctx *x = arg;
    return store_user_list_team(c, x->a, x->tenant_id, &x->out, x->n);
}

struct user_find_ctx {
    struct arena *a;
    int64_t tenant_id;
    const char *email;
    struct user_row *out;
};

static enum err svc_user_by_email_txn(struct store_conn *c, void *arg)
{
    struct user_find_ctx *x = arg;
    return store_user_by_email(c, x->a, x->tenant_id, x->email, x->out);
}

enum err svc_user_by_email(struct svc *s, struct arena *a, int64_t tenant_id, const char *email,
                           struct user_row *out)
{
    struct user_find_ctx x = {.a = a, .tenant_id = tenant_id, .email = email, .out = out};
    return store_read(s->st, svc_user_by_email_txn, &x);
}

enum err svc_users_list(struct svc *s, struct arena *a, int64_t tenant_id, struct user_row **out,
                        size_t *n)
{
    struct team_ctx x = {.a = a, .tenant_id = tenant_id, .n = n};
    enum err rc = store_read(s->st, svc_users_list_txn, &x);
    if (rc == ERR_OK)
        *out = x.out;
    return rc;
}

/* Logs what changed between before and after. */
static enum err svc_user_update_log(struct store_conn *c, struct team_ctx *x,
                                    const struct user_row *before)
{
    enum err rc = ERR_OK;
    if (strcmp(before->role, x->out->role) != 0) {
        const char *detail =
            arena_printf(x->a, "{\"from\":\"%s\",\"to\":\"%s\"}", before->role, x->out->role);
        rc = detail == NULL ? ERR_TOO_LARGE
                            : svc_seclog(c, x->tenant_id, x->actor, "user.role_changed", before->id,
                                         before->email, 0, detail, x->now_us);
    }
    if (rc == ERR_OK && before->disabled != x->out->disabled)
        rc = svc_seclog(c, x->tenant_id, x->actor,
                        x->out->disabled ? "user.disabled" : "user.enabled", before->id,
                        before->email, 0, NULL, x->now_us);
    return rc;
}

static enum err svc_user_update_txn(struct store_conn *c, void *arg)
{
    struct team_ctx *x = arg;
    struct user_row before;
    enum err rc = store_user_get(c, x->a, x->tenant_id, x->user_id, &before);
    if (rc == ERR_OK && strcmp(before.role, "member") == 0)
        rc = ERR_NOT_FOUND; /* members are managed through their customer */
    if (rc != ERR_OK)
        return err_set(x->d, rc, "id", "no such user");
    *x->out = before;
    x->out->role = x->role != NULL ? x->role : before.role;
    x->out->disabled = x->disabled >= 0 ? x->disabled != 0 : before.disabled;
    rc = store_user_role_set(c, x->tenant_id, x->user_id, x->out->role, x->out->disabled);
    if (rc == ERR_OK && x->out->disabled && !before.disabled)
        rc = store_user_sessions_revoke(c, x->tenant_id, x->user_id, "");
    int64_t admins = 0;
    if (rc == ERR_OK)
        rc = store_user_admins_count(c, x->tenant_id, &admins);
    if (rc == ERR_OK && admins == 0)
        return err_set(x->d, ERR_CONFLICT, x->role != NULL ? "role" : "disabled",
                       "the business must keep at least one enabled admin");
    return rc != ERR_OK ? rc : svc_user_update_log(c, x, &before);
}

enum err svc_user_update(struct svc *s, struct arena *a, int64_t tenant_id,
                         const struct svc_actor *actor, int64_t user_id, const char *role,
                         int disabled, struct user_row *out, struct err_detail *d)
{
    ASSERT(out != NULL);
    if (role != NULL && strcmp(role, "admin") != 0 && strcmp(role, "staff") != 0)
        return err_set(d, ERR_VALIDATION, "role", "must be 'admin' or 'staff'");
    struct team_ctx x = {.a = a,
                         .tenant_id = tenant_id,
                         .actor = actor,
                         .user_id = user_id,
                         .role = role,
                         .disabled = disabled,
                         .now_us = svc_now(s),
                         .out = out,
                         .d = d};
    return store_write(s->st, svc_user_update_txn, &x);
}

/* ---- members ---------------------------------------------------------------------- */

struct member_remove_ctx {
    struct arena *a;
    int64_t tenant_id, customer_id, user_id;
    const struct svc_actor *actor;
    bool by_owner;
    int64_t now_us;
    struct err_detail *d;
};

static enum err svc_member_remove_txn(struct store_conn *c, void *arg)
{
    struct member_remove_ctx *x = arg;
    struct member_row m;
    enum err rc = svc_customer_check(c, x->a, x->tenant_id, x->customer_id);
    if (rc == ERR_OK)
        rc = store_member_get(c, x->a, x->tenant_id, x->customer_id, x->user_id, &m);
    if (rc == ERR_NOT_FOUND)
        return err_set(x->d, rc, "user_id", "no such member");
    if (rc != ERR_OK)
        return rc;
    if (x->by_owner && strcmp(m.role, "technician") != 0)
        return err_set(x->d, ERR_FORBIDDEN, "user_id", "owners remove technicians only");
    rc = store_member_remove(c, x->tenant_id, x->customer_id, x->user_id);
    if (rc == ERR_OK)
        rc = store_user_sessions_revoke(c, x->tenant_id, x->user_id, "");
    const char *detail = arena_printf(x->a, "{\"role\":\"%s\"}", m.role);
    if (rc == ERR_OK && detail == NULL)
        rc = ERR_TOO_LARGE;
    return rc != ERR_OK ? rc
                        : svc_seclog(c, x->tenant_id, x->actor, "member.removed", x->user_id,
                                     m.email, x->customer_id, detail, x->now_us);
}

enum err svc_member_remove(struct svc *s, struct arena *a, int64_t tenant_id,
                           const struct svc_actor *actor, bool by_owner, int64_t customer_id,
                           int64_t user_id, struct err_detail *d)
{
    if (by_owner && actor != NULL && actor->user_id == user_id)
        return err_set(d, ERR_FORBIDDEN, "user_id", "you cannot remove yourself");
    struct member_remove_ctx x = {.a = a,
                                  .tenant_id = tenant_id,
                                  .customer_id = customer_id,
                                  .user_id = user_id,
                                  .actor = actor,
                                  .by_owner = by_owner,
                                  .now_us = svc_now(s),
                                  .d = d};
    return store_write(s->st, svc_member_remove_txn, &x);
}
