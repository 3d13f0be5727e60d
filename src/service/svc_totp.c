/*
 * Two-factor sign-in (DESIGN §5, §7): enrolment with an RFC 6238 secret shown
 * once as an otpauth:// URI, confirmation by a first code, ten single-use
 * recovery codes, turning it off with password and code, and the CLI's reset
 * for a user who lost the device. Codes are checked by base/totp.c; a step
 * once accepted is stored and never accepted again, and that write is
 * conditional, so two sign-ins racing with one code cannot both succeed.
 *
 * Must not: keep a recovery code in clear (only its SHA-256), show a secret
 * or recovery codes again after the answer that made them, or let an API key
 * enrol (keys are not people).
 */
#include <ctype.h>
#include <string.h>

#include "service/service_int.h"

/* Recovery codes: 10 letters of Crockford's base32 (50 bits), shown as
 * "xxxx-xxxx-xx"; typed in any case, with or without the dashes, and with
 * the letters people mistake for digits read as those digits. */
enum { RECOVERY_LETTERS = 10 };
static const char svc_recovery_alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

/* Tries to change 2FA (disable, new recovery codes) per user in the
 * throttle window: a stolen session cannot guess the password through them. */
enum { TOTP_CHANGES_PER_USER_MAX = 10 };

static void svc_recovery_code_new(char out[TOTP_RECOVERY_CODE_TEXT])
{
    _Static_assert(sizeof(svc_recovery_alphabet) - 1 == 32, "32 letters: 5 bits each");
    uint8_t raw[RECOVERY_LETTERS];
    random_bytes(raw, sizeof(raw));
    size_t o = 0;
    for (size_t i = 0; i < RECOVERY_LETTERS; i++) {
        if (i == 4 || i == 8)
            out[o++] = '-';
        out[o++] = svc_recovery_alphabet[raw[i] & 31];
    }
    out[o] = '\0';
    ASSERT(o == TOTP_RECOVERY_CODE_TEXT - 1);
}

/* The 10 letters of a recovery code as typed, normalised; false when it
 * cannot be one. */
static bool svc_recovery_code_normalise(const char *in, char out[RECOVERY_LETTERS + 1])
{
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        char ch = (char)tolower((unsigned char)*p);
        if (ch == '-' || ch == ' ')
            continue;
        ch = ch == 'o' ? '0' : ch == 'i' || ch == 'l' ? '1' : ch;
        if (n == RECOVERY_LETTERS || ch == '\0' || strchr(svc_recovery_alphabet, ch) == NULL)
            return false;
        out[n++] = ch;
    }
    out[n] = '\0';
    return n == RECOVERY_LETTERS;
}

static void svc_recovery_code_hash(const char *code, char out[SHA256_HEX])
{
    char letters[RECOVERY_LETTERS + 1];
    bool ok = svc_recovery_code_normalise(code, letters);
    ASSERT(ok);
    svc_secret_hash(letters, out);
}

static bool svc_totp_is_digits(const char *code)
{
    size_t n = strlen(code);
    return n == TOTP_DIGITS && strspn(code, "0123456789") == n;
}

enum err svc_totp_use(struct store_conn *c, struct arena *a, const struct user_row *u,
                      const char *code, const struct svc_actor *actor, int64_t now_us)
{
    ASSERT(u->totp_enabled);
    ASSERT(now_us > 0);
    if (code == NULL || code[0] == '\0')
        return ERR_UNAUTHENTICATED;
    if (svc_totp_is_digits(code)) {
        int64_t step;
        enum err rc =
            totp_check(u->totp_secret, code, now_us / USEC_PER_SEC, u->totp_last_step, &step);
        if (rc == ERR_OK)
            rc = store_user_totp_step(c, u->tenant_id, u->id, step);
        /* ERR_NOT_FOUND: another sign-in took this step or a later one meanwhile. */
        if (rc == ERR_NOT_FOUND || rc == ERR_VALIDATION)
            rc = ERR_UNAUTHENTICATED;
        return rc;
    }
    char letters[RECOVERY_LETTERS + 1], hash[SHA256_HEX];
    if (!svc_recovery_code_normalise(code, letters))
        return ERR_UNAUTHENTICATED;
    svc_secret_hash(letters, hash);
    enum err rc = store_totp_recovery_use(c, u->tenant_id, u->id, hash, now_us);
    if (rc == ERR_NOT_FOUND)
        return ERR_UNAUTHENTICATED;
    int64_t left = 0;
    if (rc == ERR_OK)
        rc = store_totp_recovery_left(c, u->tenant_id, u->id, &left);
    const char *detail = rc == ERR_OK ? arena_printf(a, "{\"left\":%lld}", (long long)left) : NULL;
    if (rc == ERR_OK && detail == NULL)
        rc = ERR_TOO_LARGE;
    return rc != ERR_OK ? rc
                        : svc_seclog(c, u->tenant_id, actor, "totp.recovery_code_used", u->id,
                                     u->email, 0, detail, now_us);
}

/* ---- enrolment ----------------------------------------------------------- */

/* Percent-encodes everything but RFC 3986's unreserved characters. */
static char *svc_uri_escape(struct arena *a, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(text);
    char *out = arena_alloc(a, 3 * n + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = '\0';
    return out;
}

/* otpauth://totp/<issuer>:<account>?secret=..&issuer=<issuer>&... (Google's
 * key URI format, which every authenticator app reads). */
static const char *svc_otpauth_uri(struct arena *a, const char *issuer, const char *account,
                                   const char *secret)
{
    const char *i = svc_uri_escape(a, issuer), *e = svc_uri_escape(a, account);
    if (i == NULL || e == NULL)
        return NULL;
    return arena_printf(a,
                        "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&"
                        "period=%d",
                        i, e, secret, i, TOTP_DIGITS, TOTP_STEP_S);
}

struct totp_ctx {
    struct arena *a;
    int64_t tenant_id;
    const struct svc_actor *actor;
    const char *secret;   /* enrolment: the new one */
    const char *code;     /* the code given */
    const char *email;    /* the CLI's reset: whose */
    const char *log_type; /* after password and code: what is done */
    const char *hashes[TOTP_RECOVERY_CODES];
    int64_t now_us;
    struct user_row user;
    struct tenant_row tenant;
    struct err_detail *d;
};

static enum err svc_totp_user_read_txn(struct store_conn *c, void *arg)
{
    struct totp_ctx *x = arg;
    return store_user_get(c, x->a, x->tenant_id, x->actor->user_id, &x->user);
}

static enum err svc_totp_enrol_txn(struct store_conn *c, void *arg)
{
    struct totp_ctx *x = arg;
    enum err rc = store_user_get(c, x->a, x->tenant_id, x->actor->user_id, &x->user);
    if (rc == ERR_OK)
        rc = store_tenant_get(c, x->a, x->tenant_id, &x->tenant);
    if (rc == ERR_OK)
        rc = store_user_totp_pending(c, x->tenant_id, x->actor->user_id, x->secret);
    if (rc == ERR_NOT_FOUND && x->user.totp_enabled)
        return err_set(x->d, ERR_CONFLICT, "", "two-factor authentication is on already");
    return rc;
}

enum err svc_totp_enrol(struct svc *s, struct arena *a, int64_t tenant_id,
                        const struct svc_actor *actor, struct svc_totp_enrolment *out,
                        struct err_detail *d)
{
    ASSERT(actor != NULL);
    ASSERT(out != NULL);
    if (actor->user_id == 0)
        return err_set(d, ERR_FORBIDDEN, "", "only a signed-in user can use two factors");
    totp_secret_new(out->secret);
    struct totp_ctx x = {
        .a = a, .tenant_id = tenant_id, .actor = actor, .secret = out->secret, .d = d};
    enum err rc = store_write(s->st, svc_totp_enrol_txn, &x);
    if (rc != ERR_OK)
        return rc;
    out->otpauth_uri = svc_otpauth_uri(a, x.tenant.name, x.user.email, out->secret);
    return out->otpauth_uri != NULL ? ERR_OK : ERR_TOO_LARGE;
}

/* Ten new codes in out, their hashes in x (arena memory). */
static enum err svc_totp_codes_new(struct totp_ctx *x, struct svc_totp_codes *out)
{
    for (size_t i = 0; i < TOTP_RECOVERY_CODES; i++) {
        svc_recovery_code_new(out->codes[i]);
        char *hash = arena_alloc(x->a, SHA256_HEX);
        if (hash == NULL)
            return ERR_TOO_LARGE;
        svc_recovery_code_hash(out->codes[i], hash);
        x->hashes[i] = hash;
    }
    return ERR_OK;
}

static enum err svc_totp_confirm_txn(struct store_conn *c, void *arg)
{
    struct totp_ctx *x = arg;
    int64_t step;
    enum err rc = totp_check(x->user.totp_secret, x->code, x->now_us / USEC_PER_SEC, 0, &step);
    if (rc != ERR_OK)
        return err_set(x->d, ERR_VALIDATION, "code", "is not the code your app shows now");
    rc = store_user_totp_enable(c, x->tenant_id, x->user.id, x->user.totp_secret, step);
    if (rc == ERR_NOT_FOUND)
        return err_set(x->d, ERR_CONFLICT, "", "the enrolment changed meanwhile; start again");
    if (rc == ERR_OK)
        rc = store_totp_recovery_replace(c, x->tenant_id, x->user.id, x->hashes,
                                         TOTP_RECOVERY_CODES);
    return rc != ERR_OK ? rc
                        : svc_seclog(c, x->tenant_id, x->actor, "totp.enabled", x->user.id,
                                     x->user.email, 0, NULL, x->now_us);
}

enum err svc_totp_confirm(struct svc *s, struct arena *a, int64_t tenant_id,
                          const struct svc_actor *actor, const char *code,
                          struct svc_totp_codes *out, struct err_detail *d)
{
    ASSERT(actor != NULL);
    if (actor->user_id == 0)
        return err_set(d, ERR_FORBIDDEN, "", "only a signed-in user can use two factors");
    struct totp_ctx x = {
        .a = a, .tenant_id = tenant_id, .actor = actor, .code = code ? code : "", .d = d};
    enum err rc = store_read(s->st, svc_totp_user_read_txn, &x);
    if (rc != ERR_OK)
        return rc;
    if (x.user.totp_enabled)
        return err_set(d, ERR_CONFLICT, "", "two-factor authentication is on already");
    if (x.user.totp_secret[0] == '\0')
        return err_set(d, ERR_CONFLICT, "", "start the enrolment first (POST /me/totp)");
    if ((rc = svc_totp_codes_new(&x, out)) != ERR_OK)
        return rc;
    x.now_us = svc_now(s);
    return store_write(s->st, svc_totp_confirm_txn, &x);
}

/* ---- turning it off, new recovery codes ------------------------------------ */

/* The password and the throttle, before the code is checked in the write. */
static enum err svc_totp_change_check(struct svc *s, struct totp_ctx *x, const char *password,
                                      int64_t *retry_after_s)
{
    ASSERT(retry_after_s != NULL);
    *retry_after_s = 0;
    if (x->actor->user_id == 0)
        return err_set(x->d, ERR_FORBIDDEN, "", "only a signed-in user can use two factors");
    char subject[32];
    str_format(subject, sizeof(subject), "%lld", (long long)x->actor->user_id);
    enum err rc = svc_throttle_take(s, x->tenant_id, "totp", subject, TOTP_CHANGES_PER_USER_MAX,
                                    retry_after_s);
    if (rc == ERR_OK)
        rc = store_read(s->st, svc_totp_user_read_txn, x);
    if (rc != ERR_OK)
        return rc;
    if (!x->user.totp_enabled)
        return err_set(x->d, ERR_CONFLICT, "", "two-factor authentication is off");
    if (!password_verify(x->user.password_hash, password != NULL ? password : ""))
        return err_set(x->d, ERR_VALIDATION, "password", "is not your password");
    return ERR_OK;
}

static enum err svc_totp_disable_txn(struct store_conn *c, void *arg)
{
    struct totp_ctx *x = arg;
    enum err rc = svc_totp_use(c, x->a, &x->user, x->code, x->actor, x->now_us);
    if (rc == ERR_UNAUTHENTICATED)
        return err_set(x->d, ERR_VALIDATION, "code", "is not a current or recovery code");
    if (rc == ERR_OK)
        rc = store_user_totp_clear(c, x->tenant_id, x->user.id);
    return rc != ERR_OK ? rc
                        : svc_seclog(c, x->tenant_id, x->actor, "totp.disabled", x->user.id,
                                     x->user.email, 0, NULL, x->now_us);
}

enum err svc_totp_disable(struct svc *s, struct arena *a, int64_t tenant_id,
                          const struct svc_actor *actor, const char *password, const char *code,
                          int64_t *retry_after_s, struct err_detail *d)
{
    ASSERT(actor != NULL);
    struct totp_ctx x = {
        .a = a, .tenant_id = tenant_id, .actor = actor, .code = code ? code : "", .d = d};
    enum err rc = svc_totp_change_check(s, &x, password, retry_after_s);
    if (rc != ERR_OK)
        return rc;
    x.now_us = svc_now(s);
    return store_write(s->st, svc_totp_disable_txn, &x);
}

static enum err svc_totp_renew_txn(struct store_conn *c, void *arg)
{
    struct totp_ctx *x = arg;
    enum err rc = svc_totp_use(c, x->a, &x->user, x->code, x->actor, x->now_us);
    if (rc == ERR_UNAUTHENTICATED)
        return err_set(x->d, ERR_VALIDATION, "code", "is not a current or recovery code");
    if (rc == ERR_OK)
        rc = store_totp_recovery_replace(c, x->tenant_id, x->user.id, x->hashes,
                                         TOTP_RECOVERY_CODES);
    return rc != ERR_OK ? rc
                        : svc_seclog(c, x->tenant_id, x->actor, "totp.recovery_codes_replaced",
                                     x->user.id, x->user.email, 0, NULL, x->now_us);
}

enum err svc_totp_recovery_renew(struct svc *s, struct arena *a, int64_t tenant_id,
                                 const struct svc_actor *actor, const char *password,
                                 const char *code, struct svc_totp_codes *out,
                                 int64_t *retry_after_s, struct err_detail *d)
{
    ASSERT(actor != NULL);
    ASSERT(out != NULL);
    struct totp_ctx x = {
        .a = a, .tenant_id = tenant_id, .actor = actor, .code = code ? code : "", .d = d};
    enum err rc = svc_totp_change_check(s, &x, password, retry_after_s);
    if (rc == ERR_OK)
        rc = svc_totp_codes_new(&x, out);
    if (rc != ERR_OK)
        return rc;
    x.now_us = svc_now(s);
    return store_write(s->st, svc_totp_renew_txn, &x);
}

/* ---- the CLI's reset -------------------------------------------------------- */

static enum err svc_totp_reset_txn(struct store_conn *c, void *arg)
{
    struct totp_ctx *x = arg;
    enum err rc = store_user_by_email(c, x->a, x->tenant_id, x->email, &x->user);
    if (rc == ERR_NOT_FOUND)
        return err_set(x->d, rc, "email", "no user has this e-mail");
    if (rc != ERR_OK)
        return rc;
    if (!x->user.totp_enabled && x->user.totp_secret[0] == '\0')
        return err_set(x->d, ERR_CONFLICT, "email", "two-factor authentication is off already");
    rc = store_user_totp_clear(c, x->tenant_id, x->user.id);
    if (rc == ERR_OK)
        rc = store_user_sessions_revoke(c, x->tenant_id, x->user.id, "");
    return rc != ERR_OK ? rc
                        : svc_seclog(c, x->tenant_id, x->actor, "totp.disabled", x->user.id,
                                     x->user.email, 0, "{\"by\":\"reset\"}", x->now_us);
}

enum err svc_totp_reset(struct svc *s, struct arena *a, int64_t tenant_id, const char *email,
                        const struct svc_actor *actor, struct err_detail *d)
{
    ASSERT(tenant_id > 0);
    struct totp_ctx x = {.a = a,
                         .tenant_id = tenant_id,
                         .actor = actor,
                         .email = email != NULL ? email : "",
                         .now_us = svc_now(s),
                         .d = d};
    return store_write(s->st, svc_totp_reset_txn, &x);
}
