/*
 * Self-registration (DESIGN §7): where the business allows it (tenant
 * setting registration: open, or approval by staff), a visitor creates a
 * customer and its owner in one transaction; the owner is unverified until
 * the mailed link is followed, and can sign in but not order until then (and
 * until staff approve the customer, where approval is asked for). Staff
 * approve or reject pending customers.
 *
 * Must not: reveal that an e-mail has an account (a sign-up with a known
 * e-mail answers the same and mails that account a reset link), or keep a
 * token in clear.
 */
#include <string.h>

#include "service/service_int.h"

#define EMAIL_VERIFY_TTL_US (7 * USEC_PER_DAY)
/* Sign-ups and verification mails per client address per throttle window. */
enum { REGISTRATIONS_PER_ADDRESS_MAX = 5, VERIFY_RESENDS_PER_ADDRESS_MAX = 5 };

/* A new verification link for u in the outbox (earlier ones void). */
static enum err svc_verify_issue(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                 const struct user_row *u, int64_t now_us)
{
    char token[SECRET_HEX], hash[SHA256_HEX];
    random_hex(token, 32);
    svc_secret_hash(token, hash);
    struct auth_token_row t = {.token_hash = hash,
                               .tenant_id = tenant_id,
                               .purpose = "email_verify",
                               .user_id = u->id,
                               .created_at_us = now_us,
                               .expires_at_us = now_us + EMAIL_VERIFY_TTL_US};
    enum err rc = store_auth_tokens_void(c, tenant_id, u->id, "email_verify", now_us);
    if (rc == ERR_OK)
        rc = store_auth_token_insert(c, &t);
    struct svc_event_attr attrs[] = {{"token", token}, {"email", u->email}};
    const char *json = svc_event_attrs(a, attrs, 2);
    if (rc == ERR_OK && json == NULL)
        rc = ERR_TOO_LARGE;
    struct svc_event_new ev = {.tenant_id = tenant_id,
                               .type = SVC_EVENT_ACCOUNT_EMAIL_VERIFY,
                               .subject_id = u->id,
                               .user_id = u->id,
                               .attrs = json,
                               .now_us = now_us};
    if (rc == ERR_OK)
        rc = svc_event_emit(c, &ev);
    memset(token, 0, sizeof(token));
    return rc;
}

struct register_ctx {
    struct arena *a;
    const struct svc_register_input *in;
    const char *password_hash;
    int64_t now_us;
    struct tenant_row tenant;
    struct err_detail *d;
};

/* The customer, its unverified owner and the link, or, for an e-mail that
 * has an account, a reset link to it: the caller sees no difference. */
static enum err svc_register_txn(struct store_conn *c, void *arg)
{
    struct register_ctx *x = arg;
    const struct svc_register_input *in = x->in;
    enum err rc = store_tenant_get(c, x->a, in->tenant_id, &x->tenant);
    if (rc == ERR_OK && strcmp(x->tenant.registration, "off") == 0)
        return err_set(x->d, ERR_REGISTRATION_CLOSED, "", "this business does not take sign-ups");
    struct user_row u;
    if (rc == ERR_OK && (rc = store_user_by_email(c, x->a, in->tenant_id, in->email, &u)) == ERR_OK)
        return u.disabled ? ERR_OK : svc_reset_issue_mail(c, x->a, in->tenant_id, &u, x->now_us);
    if (rc != ERR_NOT_FOUND)
        return rc;
    bool approval = strcmp(x->tenant.registration, "approval") == 0;
    struct customer_row cust = {.tenant_id = in->tenant_id,
                                .name = in->business_name,
                                .email = in->email,
                                .vat_id = in->vat_id != NULL ? in->vat_id : "",
                                .country = in->country != NULL ? in->country : "",
                                .locale = in->locale != NULL ? in->locale : "",
                                .status = approval ? "pending" : "active",
                                .created_at_us = x->now_us};
    u = (struct user_row){.tenant_id = in->tenant_id,
                          .email = in->email,
                          .name = in->name != NULL ? in->name : "",
                          .password_hash = x->password_hash,
                          .role = "member",
                          .created_at_us = x->now_us};
    rc = store_customer_insert(c, &cust, &cust.id);
    if (rc == ERR_OK)
        rc = store_user_insert(c, &u, &u.id);
    struct member_row m = {
        .customer_id = cust.id, .user_id = u.id, .role = "owner", .created_at_us = x->now_us};
    if (rc == ERR_OK)
        rc = store_member_insert(c, in->tenant_id, &m);
    if (rc == ERR_OK)
        rc = svc_verify_issue(c, x->a, in->tenant_id, &u, x->now_us);
    struct svc_actor who = {.user_id = u.id, .label = u.email, .address = in->address};
    return rc != ERR_OK
               ? rc
               : svc_seclog(c, in->tenant_id, &who, "customer.registered", u.id, u.email, cust.id,
                            approval ? "{\"approval\":\"pending\"}" : NULL, x->now_us);
}

static enum err svc_register_check(const struct svc_register_input *in, struct err_detail *d)
{
    struct customer_row cust = {.name = in->business_name,
                                .email = in->email,
                                .vat_id = in->vat_id,
                                .country = in->country,
                                .locale = in->locale};
    enum err rc = svc_customer_input_check(&cust, d);
    if (rc == ERR_VALIDATION && d != NULL && strcmp(d->field, "name") == 0)
        str_copy(d->field, sizeof(d->field), "business_name");
    if (rc == ERR_OK && (in->email == NULL || in->email[0] == '\0'))
        rc = err_set(d, ERR_VALIDATION, "email", "is required");
    if (rc == ERR_OK)
        rc = svc_text_check(in->name, "name", NAME_BYTES_MAX, false, d);
    return rc == ERR_OK ? svc_password_check(in->password, in->email, "password", d) : rc;
}

enum err svc_register(struct svc *s, struct arena *a, const struct svc_register_input *in,
                      int64_t *retry_after_s, struct err_detail *d)
{
    ASSERT(retry_after_s != NULL);
    *retry_after_s = 0;
    enum err rc = svc_throttle_take(s, in->tenant_id, "register", in->address,
                                    REGISTRATIONS_PER_ADDRESS_MAX, retry_after_s);
    if (rc == ERR_OK)
        rc = svc_register_check(in, d);
    if (rc != ERR_OK)
        return rc;
    /* Hashed whether or not the e-mail is known: the same time either way. */
    char hash[PASSWORD_HASH_BYTES];
    if ((rc = password_hash(in->password, hash, sizeof(hash))) != ERR_OK)
        return rc;
    struct register_ctx x = {.a = a, .in = in, .password_hash = hash, .now_us = svc_now(s), .d = d};
    return store_write(s->st, svc_register_txn, &x);
}

struct registration_mode_ctx {
    struct arena *a;
    int64_t tenant_id;
    struct tenant_row t;
};

static enum err svc_registration_mode_txn(struct store_conn *c, void *arg)
{
    struct registration_mode_ctx *x = arg;
    return store_tenant_get(c, x->a, x->tenant_id, &x->t);
}

enum err svc_registration_mode(struct svc *s, struct arena *a, int64_t tenant_id, const char **mode,
                               const char **business)
{
    struct registration_mode_ctx x = {.a = a, .tenant_id = tenant_id};
    enum err rc = store_read(s->st, svc_registration_mode_txn, &x);
    if (rc == ERR_OK) {
        *mode = x.t.registration;
        *business = x.t.name;
    }
    return rc;
}

/* ---- verification ------------------------------------------------------------- */

struct verify_ctx {
    struct arena *a;
    int64_t tenant_id;
    const char *token_hash;
    const struct svc_actor *actor;
    int64_t user_id, now_us;
    struct user_row user;
};

static enum err svc_verify_txn(struct store_conn *c, void *arg)
{
    struct verify_ctx *x = arg;
    enum err rc = store_auth_token_use(c, x->tenant_id, x->token_hash, "email_verify", x->now_us,
                                       &x->user_id);
    if (rc == ERR_NOT_FOUND)
        return ERR_TOKEN_INVALID;
    if (rc == ERR_OK)
        rc = store_user_get(c, x->a, x->tenant_id, x->user_id, &x->user);
    if (rc == ERR_OK)
        rc = store_user_email_verified_set(c, x->tenant_id, x->user_id);
    if (rc == ERR_OK) /* cached principals hold the old state */
        rc = store_auth_epoch_bump(c, x->tenant_id);
    return rc != ERR_OK ? rc
                        : svc_seclog(c, x->tenant_id, x->actor, "email.verified", x->user_id,
                                     x->user.email, 0, NULL, x->now_us);
}

enum err svc_email_verify(struct svc *s, struct arena *a, int64_t tenant_id, const char *token,
                          const struct svc_actor *actor, struct err_detail *d)
{
    if (token == NULL || strlen(token) != SECRET_HEX - 1)
        return err_set(d, ERR_TOKEN_INVALID, "token", "is not a verification link");
    char hash[SHA256_HEX];
    svc_secret_hash(token, hash);
    struct verify_ctx x = {
        .a = a, .tenant_id = tenant_id, .token_hash = hash, .actor = actor, .now_us = svc_now(s)};
    enum err rc = store_write(s->st, svc_verify_txn, &x);
    if (rc == ERR_TOKEN_INVALID)
        return err_set(d, rc, "token", "the link is unknown, used or expired; ask for a new one");
    return rc;
}

static enum err svc_verify_resend_txn(struct store_conn *c, void *arg)
{
    struct verify_ctx *x = arg;
    enum err rc = store_user_get(c, x->a, x->tenant_id, x->user_id, &x->user);
    if (rc != ERR_OK || x->user.email_verified)
        return rc == ERR_OK ? ERR_CONFLICT : rc;
    return svc_verify_issue(c, x->a, x->tenant_id, &x->user, x->now_us);
}

enum err svc_email_verify_resend(struct svc *s, struct arena *a, int64_t tenant_id,
                                 const struct svc_actor *actor, int64_t *retry_after_s,
                                 struct err_detail *d)
{
    ASSERT(actor != NULL);
    *retry_after_s = 0;
    if (actor->user_id == 0)
        return err_set(d, ERR_FORBIDDEN, "", "only a signed-in user has an e-mail to confirm");
    enum err rc = svc_throttle_take(s, tenant_id, "verify", actor->address,
                                    VERIFY_RESENDS_PER_ADDRESS_MAX, retry_after_s);
    if (rc != ERR_OK)
        return rc;
    struct verify_ctx x = {.a = a,
                           .tenant_id = tenant_id,
                           .actor = actor,
                           .user_id = actor->user_id,
                           .now_us = svc_now(s)};
    rc = store_write(s->st, svc_verify_resend_txn, &x);
    if (rc == ERR_CONFLICT)
        return err_set(d, rc, "", "your e-mail address is confirmed already");
    return rc;
}

/* ---- approval ----------------------------------------------------------------- */

struct review_ctx {
    struct arena *a;
    int64_t tenant_id, customer_id, now_us;
    bool approve;
    const struct svc_actor *actor;
    struct err_detail *d;
};

static enum err svc_customer_review_txn(struct store_conn *c, void *arg)
{
    struct review_ctx *x = arg;
    struct customer_row cust;
    enum err rc = store_customer_get(c, x->a, x->tenant_id, x->customer_id, &cust);
    if (rc == ERR_NOT_FOUND)
        return err_set(x->d, rc, "id", "no such customer");
    const char *to = x->approve ? "active" : "rejected";
    /* Approving a rejected customer is allowed: a second look. */
    const char *from =
        x->approve && rc == ERR_OK && strcmp(cust.status, "rejected") == 0 ? "rejected" : "pending";
    if (rc == ERR_OK && (rc = store_customer_status_set(c, x->tenant_id, x->customer_id, from,
                                                        to)) == ERR_NOT_FOUND)
        return err_set(x->d, ERR_CONFLICT, "id", "the customer is not waiting for approval");
    if (rc == ERR_OK)
        rc = store_auth_epoch_bump(c, x->tenant_id);
    return rc != ERR_OK ? rc
                        : svc_seclog(c, x->tenant_id, x->actor,
                                     x->approve ? "customer.approved" : "customer.rejected", 0,
                                     cust.name, x->customer_id, NULL, x->now_us);
}

enum err svc_customer_review(struct svc *s, struct arena *a, int64_t tenant_id,
                             const struct svc_actor *actor, int64_t customer_id, bool approve,
                             struct err_detail *d)
{
    struct review_ctx x = {.a = a,
                           .tenant_id = tenant_id,
                           .customer_id = customer_id,
                           .now_us = svc_now(s),
                           .approve = approve,
                           .actor = actor,
                           .d = d};
    return store_write(s->st, svc_customer_review_txn, &x);
}
