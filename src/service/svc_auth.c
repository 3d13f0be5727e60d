/*
 * Authentication: passwords (argon2id), sessions and API keys. Secrets are
 * handed to the caller once and stored only as their SHA-256; a wrong e-mail
 * and a wrong password take the same time and give the same answer.
 */
#include <pthread.h>
#include <string.h>

#include "service/service_int.h"

/* Verifying against this hash when the user is unknown costs the same time
 * as a real check, so timing does not reveal which e-mails exist. */
static char svc_dummy_hash[PASSWORD_HASH_BYTES];
static pthread_once_t svc_dummy_once = PTHREAD_ONCE_INIT;

static void svc_dummy_init(void)
{
    if (password_hash("creditd-dummy-password", svc_dummy_hash, sizeof(svc_dummy_hash)) != ERR_OK)
        svc_dummy_hash[0] = '\0';
}

void svc_secret_hash(const char *secret, char out[SHA256_HEX])
{
    uint8_t digest[SHA256_BYTES];
    sha256(secret, strlen(secret), digest);
    hex_encode(digest, SHA256_BYTES, out);
}

/* Staff and admins of a tenant requiring two factors must enrol before
 * anything else. */
static enum err svc_principal_enrolment(struct store_conn *c, struct arena *a,
                                        const struct user_row *u, struct svc_principal *out)
{
    ASSERT(strcmp(u->role, "member") != 0);
    if (u->totp_enabled)
        return ERR_OK;
    struct tenant_row t;
    enum err rc = store_tenant_get(c, a, u->tenant_id, &t);
    if (rc == ERR_OK)
        out->totp_enrolment_required = t.totp_required;
    return rc;
}

/* Fills the principal of a user: its role, and its customer for members. */
static enum err svc_principal_of_user(struct store_conn *c, struct arena *a,
                                      const struct user_row *u, struct svc_principal *out)
{
    out->tenant_id = u->tenant_id;
    out->user_id = u->id;
    out->email = u->email;
    out->role = u->role;
    out->customer_id = 0;
    out->hold = ERR_OK;
    out->totp_enabled = u->totp_enabled;
    out->totp_enrolment_required = false;
    if (strcmp(u->role, "member") != 0)
        return svc_principal_enrolment(c, a, u, out);
    struct member_row m;
    enum err rc = store_member_of_user(c, a, u->tenant_id, u->id, &m);
    if (rc == ERR_NOT_FOUND)
        return ERR_UNAUTHENTICATED; /* a member of no customer has nothing to see */
    struct customer_row cust;
    if (rc == ERR_OK) {
        out->role = m.role;
        out->customer_id = m.customer_id;
        rc = store_customer_get(c, a, u->tenant_id, m.customer_id, &cust);
    }
    if (rc == ERR_OK && cust.status[0] != '\0' && strcmp(cust.status, "active") != 0)
        out->hold = ERR_CUSTOMER_PENDING;
    else if (rc == ERR_OK && !u->email_verified)
        out->hold = ERR_EMAIL_UNVERIFIED;
    return rc;
}

struct login_ctx {
    struct arena *a;
    int64_t tenant_id;
    const char *email;
    struct user_row user;
};

static enum err svc_login_find_txn(struct store_conn *c, void *arg)
{
    struct login_ctx *x = arg;
    return store_user_by_email(c, x->a, x->tenant_id, x->email, &x->user);
}

struct session_open_ctx {
    struct arena *a;
    struct session_row row;
    const struct user_row *user;
    const char *totp; /* the second factor given, "" = none */
    const char *address;
    struct svc_principal *out;
};

/* The second factor is used up in the transaction that opens the session:
 * a code is never spent on a session that does not open. */
static enum err svc_session_open_txn(struct store_conn *c, void *arg)
{
    struct session_open_ctx *x = arg;
    struct svc_actor who = {.user_id = x->user->id, .label = x->user->email, .address = x->address};
    enum err rc = ERR_OK;
    if (x->user->totp_enabled)
        rc = svc_totp_use(c, x->a, x->user, x->totp, &who, x->row.created_at_us);
    if (rc == ERR_UNAUTHENTICATED)
        return ERR_TOTP_REQUIRED;
    if (rc == ERR_OK)
        rc = svc_principal_of_user(c, x->a, x->user, x->out);
    if (rc == ERR_OK)
        rc = store_session_insert(c, &x->row);
    if (rc == ERR_OK)
        rc = store_user_login_noted(c, x->row.tenant_id, x->user->id, x->row.created_at_us);
    if (rc == ERR_OK)
        rc = svc_seclog(c, x->row.tenant_id, &who, "login.succeeded", x->user->id, x->user->email,
                        x->out->customer_id, NULL, x->row.created_at_us);
    return rc;
}

struct login_failed_ctx {
    int64_t tenant_id;
    const struct user_row *user; /* NULL: no such account */
    const char *address;
    const char *detail; /* NULL: the password was wrong */
    int64_t now_us;
    const char *const *throttle; /* the pair and address counted, or NULL */
};

/* A failure is logged under the account it was for; for an unknown one only
 * that it was unknown (what was typed may be a password). */
static enum err svc_login_failed_txn(struct store_conn *c, void *arg)
{
    const struct login_failed_ctx *x = arg;
    struct svc_actor who = {.label = "", .address = x->address};
    enum err rc = svc_seclog(c, x->tenant_id, &who, "login.failed", x->user ? x->user->id : 0,
                             x->user ? x->user->email : "", 0,
                             x->user ? x->detail : "{\"account\":\"unknown\"}", x->now_us);
    /* The failure is counted in the same transaction that logs it. */
    if (rc == ERR_OK && x->throttle != NULL)
        rc = store_login_throttle_fail(c, x->tenant_id, x->throttle, 2, x->now_us,
                                       x->now_us - LOGIN_THROTTLE_WINDOW_US);
    return rc;
}

/* Opens the session of a user whose password was right, using up the
 * second factor when the user has two: ERR_TOTP_REQUIRED when it is missing
 * (nothing written), or wrong or used (logged as a failed sign-in). */
static enum err svc_login_open(struct svc *s, struct arena *a, const struct user_row *user,
                               const char *totp, const char *address, const char *const *throttle,
                               int64_t now, char token[SECRET_HEX], struct svc_principal *out)
{
    bool given = totp != NULL && totp[0] != '\0';
    if (user->totp_enabled && !given)
        return ERR_TOTP_REQUIRED;
    char hash[SHA256_HEX];
    random_hex(token, 32);
    svc_secret_hash(token, hash);
    memset(out, 0, sizeof(*out));
    random_hex(out->csrf_token, 32);
    struct session_open_ctx o = {.a = a,
                                 .row = {.id_hash = hash,
                                         .tenant_id = user->tenant_id,
                                         .user_id = user->id,
                                         .csrf_token = out->csrf_token,
                                         .created_at_us = now,
                                         .expires_at_us = now + SESSION_ABSOLUTE_US},
                                 .user = user,
                                 .totp = given ? totp : "",
                                 .address = address,
                                 .out = out};
    enum err rc = store_write(s->st, svc_session_open_txn, &o);
    if (rc != ERR_TOTP_REQUIRED)
        return rc;
    memset(token, 0, SECRET_HEX);
    struct login_failed_ctx f = {.tenant_id = user->tenant_id,
                                 .user = user,
                                 .address = address,
                                 .detail = "{\"reason\":\"totp\"}",
                                 .now_us = now,
                                 .throttle = throttle};
    rc = store_write(s->st, svc_login_failed_txn, &f);
    return rc != ERR_OK ? rc : ERR_TOTP_REQUIRED;
}

/* svc_login with the second factor (NULL = none), the client's address for
 * the security log (NULL: none) and the throttle subjects a failure counts
 * against (NULL: none). */
static enum err svc_login_from(struct svc *s, struct arena *a, int64_t tenant_id, const char *email,
                               const char *password, const char *totp, const char *address,
                               const char *const *throttle, char token[SECRET_HEX],
                               struct svc_principal *out)
{
    pthread_once(&svc_dummy_once, svc_dummy_init);
    if (svc_dummy_hash[0] == '\0')
        return ERR_INTERNAL;
    struct login_ctx x = {.a = a, .tenant_id = tenant_id, .email = email ? email : ""};
    enum err rc = store_read(s->st, svc_login_find_txn, &x);
    if (rc != ERR_OK && rc != ERR_NOT_FOUND)
        return rc;
    bool exists = rc == ERR_OK;
    bool known = exists && !x.user.disabled && x.user.password_hash[0] != '\0';
    bool ok =
        password_verify(known ? x.user.password_hash : svc_dummy_hash, password ? password : "");
    int64_t now = svc_now(s);
    if (!known || !ok) {
        struct login_failed_ctx f = {.tenant_id = tenant_id,
                                     .user = exists ? &x.user : NULL,
                                     .address = address,
                                     .now_us = now,
                                     .throttle = throttle};
        rc = store_write(s->st, svc_login_failed_txn, &f);
        return rc != ERR_OK ? rc : ERR_UNAUTHENTICATED;
    }
    return svc_login_open(s, a, &x.user, totp, address, throttle, now, token, out);
}

enum err svc_login(struct svc *s, struct arena *a, int64_t tenant_id, const char *email,
                   const char *password, char token[SECRET_HEX], struct svc_principal *out)
{
    return svc_login_from(s, a, tenant_id, email, password, NULL, NULL, NULL, token, out);
}

/* ---- the throttle of failed sign-ins ------------------------------------ */

struct throttle_ctx {
    int64_t tenant_id;
    const char *subjects[2]; /* the account and address pair's, the address's */
    struct login_throttle_row rows[2];
    size_t found;
    int64_t now_us;
};

/* SHA-256 hex of "<kind>:<text>": rows name a subject without keeping it. */
static void svc_throttle_subject(const char *kind, const char *text, char out[SHA256_HEX])
{
    uint8_t digest[SHA256_BYTES];
    struct sha256_state h;
    sha256_begin(&h);
    sha256_update(&h, kind, strlen(kind));
    sha256_update(&h, ":", 1);
    sha256_update(&h, text, strlen(text));
    sha256_end(&h, digest);
    hex_encode(digest, SHA256_BYTES, out);
}

/* The address a client is counted under (IPv4 whole, IPv6 by its /64), and
 * the pair of the e-mail as typed with it. */
static void svc_throttle_subjects(const char *email, const struct net_addr *client,
                                  char pair[SHA256_HEX], char address[SHA256_HEX])
{
    struct net_addr a = client != NULL ? *client : (struct net_addr){0};
    if (a.family == 6)
        net_addr_mask(&a, 64);
    char host[NET_ADDR_TEXT], text[NET_ADDR_TEXT + 4];
    bool whole = net_addr_format(&a, host, sizeof(host)) &&
                 str_format(text, sizeof(text), "%s%s", host, a.family == 6 ? "/64" : "");
    ASSERT(whole);
    svc_throttle_subject("address", text, address);
    /* "<address>\n<e-mail>": no address text holds a newline. */
    uint8_t digest[SHA256_BYTES];
    struct sha256_state h;
    sha256_begin(&h);
    sha256_update(&h, "pair:", 5);
    sha256_update(&h, text, strlen(text));
    sha256_update(&h, "\n", 1);
    sha256_update(&h, email, strlen(email));
    sha256_end(&h, digest);
    hex_encode(digest, SHA256_BYTES, pair);
}

/* Seconds until a subject may try again (0: now). The first free failures
 * of a live run cost nothing; the next waits delay_us after its last
 * failure, each one after twice as long, at most a window. */
static int64_t svc_throttle_wait_s(const struct login_throttle_row *row, int64_t free,
                                   int64_t delay_us, int64_t now)
{
    ASSERT(free > 0);
    ASSERT(delay_us > 0);
    if (now - row->last_failure_at_us >= LOGIN_THROTTLE_WINDOW_US || row->failures < free)
        return 0;
    int64_t wait = delay_us;
    for (int64_t i = free; i < row->failures && wait < LOGIN_THROTTLE_WINDOW_US; i++)
        wait *= 2;
    if (wait > LOGIN_THROTTLE_WINDOW_US)
        wait = LOGIN_THROTTLE_WINDOW_US;
    int64_t until = row->last_failure_at_us + wait;
    return until <= now ? 0 : (until - now + USEC_PER_SEC - 1) / USEC_PER_SEC;
}

static enum err svc_throttle_read_txn(struct store_conn *c, void *arg)
{
    struct throttle_ctx *x = arg;
    return store_login_throttle_get(c, x->tenant_id, x->subjects, 2, x->rows, &x->found);
}

enum err svc_login_throttled(struct svc *s, struct arena *a, int64_t tenant_id, const char *email,
                             const char *password, const struct net_addr *client,
                             char token[SECRET_HEX], struct svc_principal *out,
                             int64_t *retry_after_s)
{
    return svc_login_with_code(s, a, tenant_id, email, password, NULL, client, token, out,
                               retry_after_s);
}

enum err svc_login_with_code(struct svc *s, struct arena *a, int64_t tenant_id, const char *email,
                             const char *password, const char *totp, const struct net_addr *client,
                             char token[SECRET_HEX], struct svc_principal *out,
                             int64_t *retry_after_s)
{
    ASSERT(retry_after_s != NULL);
    *retry_after_s = 0;
    char pair[SHA256_HEX], address[SHA256_HEX];
    svc_throttle_subjects(email ? email : "", client, pair, address);
    struct throttle_ctx x = {
        .tenant_id = tenant_id, .subjects = {pair, address}, .now_us = svc_now(s)};
    enum err rc = store_read(s->st, svc_throttle_read_txn, &x);
    if (rc != ERR_OK)
        return rc;
    ASSERT(x.found <= 2);
    for (size_t i = 0; i < x.found; i++) {
        bool is_pair = strcmp(x.rows[i].subject_hash, pair) == 0;
        int64_t wait = svc_throttle_wait_s(
            &x.rows[i], is_pair ? LOGIN_THROTTLE_PAIR_MAX : LOGIN_THROTTLE_ADDRESS_MAX,
            is_pair ? LOGIN_THROTTLE_PAIR_DELAY_US : LOGIN_THROTTLE_ADDRESS_DELAY_US, x.now_us);
        if (wait > *retry_after_s)
            *retry_after_s = wait;
    }
    if (*retry_after_s > 0)
        return ERR_THROTTLED;
    char address_text[NET_ADDR_TEXT] = "";
    if (client != NULL && !net_addr_format(client, address_text, sizeof(address_text)))
        address_text[0] = '\0';
    /* A wrong password, or a wrong or used second factor, is logged and
     * counted in one transaction. A missing second factor guessed nothing
     * (the password was right: the portal asks for the code next), so a
     * user's ordinary two-step sign-in costs no failure. */
    return svc_login_from(s, a, tenant_id, email, password, totp, address_text, x.subjects, token,
                          out);
}

struct throttle_take_ctx {
    int64_t tenant_id;
    const char *subject;
    struct login_throttle_row row;
    size_t found;
    int64_t now_us;
};

static enum err svc_throttle_take_txn(struct store_conn *c, void *arg)
{
    struct throttle_take_ctx *x = arg;
    enum err rc = store_login_throttle_get(c, x->tenant_id, &x->subject, 1, &x->row, &x->found);
    if (rc == ERR_OK)
        rc = store_login_throttle_fail(c, x->tenant_id, &x->subject, 1, x->now_us,
                                       x->now_us - LOGIN_THROTTLE_WINDOW_US);
    return rc;
}

enum err svc_throttle_take(struct svc *s, int64_t tenant_id, const char *kind, const char *address,
                           int64_t max, int64_t *retry_after_s)
{
    ASSERT(kind != NULL);
    ASSERT(max > 0);
    char subject[SHA256_HEX];
    svc_throttle_subject(kind, address != NULL ? address : "", subject);
    struct throttle_take_ctx x = {.tenant_id = tenant_id, .subject = subject, .now_us = svc_now(s)};
    /* Counted whether refused or not: hammering does not shorten the wait. */
    enum err rc = store_write(s->st, svc_throttle_take_txn, &x);
    if (rc != ERR_OK)
        return rc;
    /* max requests of a run go through; then it must go quiet a window. */
    bool live = x.found == 1 && x.now_us - x.row.last_failure_at_us < LOGIN_THROTTLE_WINDOW_US;
    if (!live || x.row.failures < max)
        return ERR_OK;
    *retry_after_s = LOGIN_THROTTLE_WINDOW_US / USEC_PER_SEC;
    return ERR_THROTTLED;
}

static enum err svc_throttle_prune_txn(struct store_conn *c, void *arg)
{
    const int64_t *stale_before_us = arg;
    enum err rc = store_login_throttle_prune(c, *stale_before_us);
    /* Mailed tokens past their expiry open nothing any more. */
    return rc == ERR_OK ? store_auth_tokens_prune(c, *stale_before_us) : rc;
}

enum err svc_login_throttle_prune(struct svc *s, int64_t now_us)
{
    int64_t stale_before_us = (now_us != 0 ? now_us : svc_now(s)) - LOGIN_THROTTLE_WINDOW_US;
    return store_write(s->st, svc_throttle_prune_txn, &stale_before_us);
}

struct session_ctx {
    struct arena *a;
    int64_t tenant_id;
    const char *hash;
    int64_t now_us;
    struct session_row session;
    struct user_row user;
    struct svc_principal *out;
};

static enum err svc_session_resolve_txn(struct store_conn *c, void *arg)
{
    struct session_ctx *x = arg;
    enum err rc = store_session_get(c, x->a, x->tenant_id, x->hash, &x->session);
    if (rc == ERR_NOT_FOUND)
        return ERR_UNAUTHENTICATED;
    if (rc != ERR_OK)
        return rc;
    if (x->session.revoked || x->now_us >= x->session.expires_at_us ||
        x->now_us - x->session.last_seen_at_us >= SESSION_IDLE_US)
        return ERR_UNAUTHENTICATED;
    rc = store_user_get(c, x->a, x->tenant_id, x->session.user_id, &x->user);
    if (rc == ERR_NOT_FOUND || (rc == ERR_OK && x->user.disabled))
        return ERR_UNAUTHENTICATED;
    if (rc == ERR_OK)
        rc = svc_principal_of_user(c, x->a, &x->user, x->out);
    if (rc == ERR_OK)
        str_copy(x->out->csrf_token, sizeof(x->out->csrf_token), x->session.csrf_token);
    return rc;
}

static enum err svc_session_touch_txn(struct store_conn *c, void *arg)
{
    struct session_ctx *x = arg;
    return store_session_touch(c, x->tenant_id, x->hash, x->now_us);
}

/* Sessions note their last use at most once a minute: reads stay reads. */
enum { SESSION_TOUCH_US = 60 * 1000000 };

enum err svc_session_resolve(struct svc *s, struct arena *a, int64_t tenant_id, const char *token,
                             struct svc_principal *out)
{
    if (token == NULL || strlen(token) != SECRET_HEX - 1)
        return ERR_UNAUTHENTICATED;
    char hash[SHA256_HEX];
    svc_secret_hash(token, hash);
    memset(out, 0, sizeof(*out));
    int64_t now = svc_now(s), expires, last_seen;
    /* Cached: still the same epoch (not logged out), within its lifetimes,
     * and its last use recent enough not to need writing. */
    if (svc_cache_caller_get(s, a, hash, tenant_id, out, &expires, &last_seen) && now < expires &&
        now - last_seen < SESSION_TOUCH_US)
        return ERR_OK;
    int64_t epoch = svc_cache_epoch(s, tenant_id);
    struct session_ctx x = {
        .a = a, .tenant_id = tenant_id, .hash = hash, .now_us = now, .out = out};
    enum err rc = store_read(s->st, svc_session_resolve_txn, &x);
    if (rc == ERR_OK && x.now_us - x.session.last_seen_at_us >= SESSION_TOUCH_US) {
        rc = store_write(s->st, svc_session_touch_txn, &x);
        x.session.last_seen_at_us = x.now_us;
    }
    if (rc == ERR_OK)
        svc_cache_caller_put(s, hash, epoch, out, x.session.expires_at_us,
                             x.session.last_seen_at_us);
    return rc;
}

struct logout_ctx {
    int64_t tenant_id;
    const char *hash;
};

static enum err svc_logout_txn(struct store_conn *c, void *arg)
{
    const struct logout_ctx *x = arg;
    return store_session_revoke(c, x->tenant_id, x->hash);
}

enum err svc_logout(struct svc *s, int64_t tenant_id, const char *token)
{
    if (token == NULL || strlen(token) != SECRET_HEX - 1)
        return ERR_UNAUTHENTICATED;
    char hash[SHA256_HEX];
    svc_secret_hash(token, hash);
    /* Other servers see the tenant's epoch move that the revocation writes. */
    struct logout_ctx x = {.tenant_id = tenant_id, .hash = hash};
    enum err rc = store_write(s->st, svc_logout_txn, &x);
    svc_cache_caller_forget(s, hash);
    return rc;
}

struct apikey_ctx {
    struct api_key_row row;
    const struct svc_actor *actor;
    int64_t id;
};

static enum err svc_apikey_create_txn(struct store_conn *c, void *arg)
{
    struct apikey_ctx *x = arg;
    enum err rc = store_api_key_insert(c, &x->row, &x->id);
    char detail[96];
    str_format(detail, sizeof(detail), "{\"key_id\":\"key_%lld\",\"role\":\"%s\"}",
               (long long)x->id, x->row.role);
    return rc != ERR_OK ? rc
                        : svc_seclog(c, x->row.tenant_id, x->actor, "api_key.created", 0,
                                     x->row.name, 0, detail, x->row.created_at_us);
}

enum err svc_apikey_create(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                           const char *role, const char *name, int64_t expires_at_us,
                           char key[API_KEY_TEXT], int64_t *id, struct err_detail *d)
{
    ASSERT(actor != NULL);
    if (role == NULL || (strcmp(role, "admin") != 0 && strcmp(role, "staff") != 0))
        return err_set(d, ERR_VALIDATION, "role", "must be 'admin' or 'staff'");
    enum err rc = svc_text_check(name, "name", NAME_BYTES_MAX, false, d);
    if (rc != ERR_OK)
        return rc;
    int64_t now = svc_now(s);
    if (expires_at_us != 0 && expires_at_us <= now)
        return err_set(d, ERR_VALIDATION, "expires_at", "must be in the future");
    char secret[SECRET_HEX], hash[SHA256_HEX];
    random_hex(secret, 32);
    str_format(key, API_KEY_TEXT, "cd_%s", secret);
    svc_secret_hash(key, hash);
    struct apikey_ctx x = {.row = {.tenant_id = tenant_id,
                                   .name = name,
                                   .key_hash = hash,
                                   .role = role,
                                   .created_by = actor->label,
                                   .created_at_us = now,
                                   .expires_at_us = expires_at_us},
                           .actor = actor};
    rc = store_write(s->st, svc_apikey_create_txn, &x);
    if (rc == ERR_OK)
        *id = x.id;
    return rc;
}

struct apikey_resolve_ctx {
    struct arena *a;
    int64_t tenant_id;
    const char *hash;
    struct api_key_row row;
};

static enum err svc_apikey_resolve_txn(struct store_conn *c, void *arg)
{
    struct apikey_resolve_ctx *x = arg;
    return store_api_key_by_hash(c, x->a, x->tenant_id, x->hash, &x->row);
}

enum err svc_apikey_resolve(struct svc *s, struct arena *a, int64_t tenant_id, const char *key,
                            struct svc_principal *out)
{
    if (key == NULL || strlen(key) != API_KEY_TEXT - 1 || strncmp(key, "cd_", 3) != 0)
        return ERR_UNAUTHENTICATED;
    char hash[SHA256_HEX];
    svc_secret_hash(key, hash);
    int64_t expires, unused, now = svc_now(s);
    if (svc_cache_caller_get(s, a, hash, tenant_id, out, &expires, &unused))
        return now < expires ? ERR_OK : ERR_UNAUTHENTICATED;
    int64_t epoch = svc_cache_epoch(s, tenant_id);
    /* Looked up in the tenant of the Host only: a key is never searched for
     * across tenants. */
    struct apikey_resolve_ctx x = {.a = a, .tenant_id = tenant_id, .hash = hash};
    enum err rc = store_read(s->st, svc_apikey_resolve_txn, &x);
    if (rc == ERR_NOT_FOUND ||
        (rc == ERR_OK && (x.row.revoked_at_us != 0 || x.row.tenant_id != tenant_id ||
                          (x.row.expires_at_us != 0 && now >= x.row.expires_at_us))))
        return ERR_UNAUTHENTICATED;
    if (rc != ERR_OK)
        return rc;
    memset(out, 0, sizeof(*out));
    out->tenant_id = tenant_id;
    out->api_key_id = x.row.id;
    out->role = x.row.role;
    out->email = arena_printf(a, "apikey:%s", x.row.name[0] ? x.row.name : "unnamed");
    if (out->email == NULL)
        return ERR_TOO_LARGE;
    svc_cache_caller_put(s, hash, epoch, out,
                         x.row.expires_at_us != 0 ? x.row.expires_at_us : INT64_MAX, 0);
    return ERR_OK;
}

struct apikey_revoke_ctx {
    int64_t tenant_id, id, now_us;
    const struct svc_actor *actor;
};

static enum err svc_apikey_revoke_txn(struct store_conn *c, void *arg)
{
    struct apikey_revoke_ctx *x = arg;
    enum err rc = store_api_key_revoke(c, x->tenant_id, x->id, x->now_us);
    char detail[48];
    str_format(detail, sizeof(detail), "{\"key_id\":\"key_%lld\"}", (long long)x->id);
    return rc != ERR_OK ? rc
                        : svc_seclog(c, x->tenant_id, x->actor, "api_key.revoked", 0, "", 0, detail,
                                     x->now_us);
}

struct apikey_list_ctx {
    struct arena *a;
    int64_t tenant_id;
    struct api_key_row **out;
    size_t *n;
};

static enum err svc_apikey_list_txn(struct store_conn *c, void *arg)
{
    struct apikey_list_ctx *x = arg;
    return store_api_key_list(c, x->a, x->tenant_id, x->out, x->n);
}

enum err svc_apikey_list(struct svc *s, struct arena *a, int64_t tenant_id,
                         struct api_key_row **out, size_t *n)
{
    ASSERT(tenant_id > 0);
    struct apikey_list_ctx x = {.a = a, .tenant_id = tenant_id, .out = out, .n = n};
    return store_read(s->st, svc_apikey_list_txn, &x);
}

enum err svc_apikey_revoke(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                           int64_t id)
{
    struct apikey_revoke_ctx x = {
        .tenant_id = tenant_id, .id = id, .now_us = svc_now(s), .actor = actor};
    return store_write(s->st, svc_apikey_revoke_txn, &x);
}
