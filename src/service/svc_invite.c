/*
 * Invitations by mail (DESIGN §7): admins invite staff and admins, staff and
 * owners invite a customer's owners and technicians; the mailed link lets
 * the invitee choose a password, which makes the user (and the membership)
 * with a verified e-mail. Pending invitations are listed and withdrawn; a
 * new one to the same place replaces the pending one.
 *
 * Must not: keep a token in clear, or let an owner see or touch another
 * customer's invitations.
 */
#include <string.h>

#include "service/service_int.h"

/* How long an invitation works. */
#define INVITATION_TTL_US (7 * USEC_PER_DAY)

static bool svc_role_is_member(const char *role)
{
    return strcmp(role, "owner") == 0 || strcmp(role, "technician") == 0;
}

/* Who may invite whom: admins anyone; staff a customer's members; an owner
 * the members of their own customer. */
static enum err svc_invite_allowed(const struct svc_invite_input *in, struct err_detail *d)
{
    const char *by = in->actor_role;
    bool member = svc_role_is_member(in->role);
    bool team = strcmp(in->role, "admin") == 0 || strcmp(in->role, "staff") == 0;
    if (!member && !team)
        return err_set(d, ERR_VALIDATION, "role", "must be admin, staff, owner or technician");
    bool may = strcmp(by, "admin") == 0 || (member && strcmp(by, "staff") == 0) ||
               (member && strcmp(by, "owner") == 0 && in->customer_id == in->actor_customer_id);
    if (!may)
        return err_set(d, ERR_FORBIDDEN, "role", "you may not invite a %s", in->role);
    if (member && in->customer_id == 0)
        return err_set(d, ERR_VALIDATION, "customer_id", "is required for owners and technicians");
    if (team && in->customer_id != 0)
        return err_set(d, ERR_VALIDATION, "customer_id", "is only for owners and technicians");
    return ERR_OK;
}

struct invite_ctx {
    struct arena *a;
    const struct svc_invite_input *in;
    const char *token, *token_hash;
    int64_t now_us;
    struct invitation_row *out;
    struct err_detail *d;
};

/* The invitation mail in the outbox, with what it says. */
static enum err svc_invite_mail(struct store_conn *c, struct invite_ctx *x, const char *customer)
{
    const struct invitation_row *r = x->out;
    struct svc_event_attr attrs[] = {
        {"token", x->token},        {"email", r->email},
        {"name", r->name},          {"locale", x->in->locale != NULL ? x->in->locale : ""},
        {"role", r->role},          {"inviter", r->invited_by},
        {"customer_name", customer}};
    const char *json = svc_event_attrs(x->a, attrs, sizeof(attrs) / sizeof(attrs[0]));
    if (json == NULL)
        return ERR_TOO_LARGE;
    struct svc_event_new ev = {.tenant_id = r->tenant_id,
                               .type = SVC_EVENT_ACCOUNT_INVITATION,
                               .customer_id = r->customer_id,
                               .subject_id = r->id,
                               .attrs = json,
                               .now_us = x->now_us};
    return svc_event_emit(c, &ev);
}

static enum err svc_invite_txn(struct store_conn *c, void *arg)
{
    struct invite_ctx *x = arg;
    const struct svc_invite_input *in = x->in;
    struct customer_row cust = {.name = ""};
    enum err rc = in->customer_id != 0
                      ? store_customer_get(c, x->a, in->tenant_id, in->customer_id, &cust)
                      : ERR_OK;
    if (rc == ERR_NOT_FOUND)
        return err_set(x->d, rc, "customer_id", "no such customer");
    struct user_row existing;
    if (rc == ERR_OK &&
        (rc = store_user_by_email(c, x->a, in->tenant_id, in->email, &existing)) == ERR_OK)
        return err_set(x->d, ERR_DUPLICATE, "email", "a user with this e-mail exists");
    if (rc != ERR_NOT_FOUND)
        return rc;
    *x->out = (struct invitation_row){.tenant_id = in->tenant_id,
                                      .email = in->email,
                                      .name = in->name != NULL ? in->name : "",
                                      .role = in->role,
                                      .customer_id = in->customer_id,
                                      .invited_by_user_id = in->actor->user_id,
                                      .invited_by = in->actor->label,
                                      .token_hash = x->token_hash,
                                      .created_at_us = x->now_us,
                                      .expires_at_us = x->now_us + INVITATION_TTL_US};
    /* A new invitation replaces the pending one to the same place. */
    rc = store_invitations_withdraw_for(c, in->tenant_id, in->email, in->customer_id, x->now_us);
    if (rc == ERR_OK)
        rc = store_invitation_insert(c, x->out, &x->out->id);
    if (rc == ERR_OK)
        rc = svc_invite_mail(c, x, cust.name);
    const char *detail = arena_printf(x->a, "{\"invitation_id\":\"ivt_%lld\",\"role\":\"%s\"}",
                                      (long long)x->out->id, in->role);
    if (rc == ERR_OK && detail == NULL)
        rc = ERR_TOO_LARGE;
    return rc != ERR_OK ? rc
                        : svc_seclog(c, in->tenant_id, in->actor, "invitation.sent", 0, in->email,
                                     in->customer_id, detail, x->now_us);
}

enum err svc_invitation_create(struct svc *s, struct arena *a, const struct svc_invite_input *in,
                               struct invitation_row *out, struct err_detail *d)
{
    ASSERT(in->actor != NULL);
    ASSERT(in->actor_role != NULL);
    enum err rc = svc_email_check(in->email, d);
    if (rc == ERR_OK && in->role == NULL)
        rc = err_set(d, ERR_VALIDATION, "role", "is required");
    if (rc == ERR_OK)
        rc = svc_invite_allowed(in, d);
    if (rc == ERR_OK)
        rc = svc_text_check(in->name, "name", NAME_BYTES_MAX, false, d);
    if (rc == ERR_OK && !svc_locale_is_valid(in->locale))
        rc =
            err_set(d, ERR_VALIDATION, "locale", "must be 'en' or 'de' (or '' for the business's)");
    if (rc != ERR_OK)
        return rc;
    char token[SECRET_HEX], hash[SHA256_HEX];
    random_hex(token, 32);
    svc_secret_hash(token, hash);
    struct invite_ctx x = {.a = a,
                           .in = in,
                           .token = token,
                           .token_hash = hash,
                           .now_us = svc_now(s),
                           .out = out,
                           .d = d};
    rc = store_write(s->st, svc_invite_txn, &x);
    memset(token, 0, sizeof(token));
    return rc;
}

/* ---- listing and withdrawing --------------------------------------------------- */

struct invitations_ctx {
    struct arena *a;
    int64_t tenant_id, customer_id, id, now_us;
    const struct svc_actor *actor;
    struct invitation_row *rows;
    size_t *n;
    struct err_detail *d;
};

static enum err svc_invitations_list_txn(struct store_conn *c, void *arg)
{
    struct invitations_ctx *x = arg;
    return store_invitation_list(c, x->a, x->tenant_id, x->customer_id, INVITATIONS_LIST_MAX,
                                 &x->rows, x->n);
}

enum err svc_invitations_list(struct svc *s, struct arena *a, int64_t tenant_id,
                              int64_t customer_id, struct invitation_row **out, size_t *n)
{
    struct invitations_ctx x = {.a = a, .tenant_id = tenant_id, .customer_id = customer_id, .n = n};
    enum err rc = store_read(s->st, svc_invitations_list_txn, &x);
    if (rc == ERR_OK)
        *out = x.rows;
    return rc;
}

static enum err svc_invitation_withdraw_txn(struct store_conn *c, void *arg)
{
    struct invitations_ctx *x = arg;
    struct invitation_row r;
    enum err rc = store_invitation_get(c, x->a, x->tenant_id, x->id, &r);
    if (rc == ERR_OK && x->customer_id != 0 && r.customer_id != x->customer_id)
        rc = ERR_NOT_FOUND; /* another customer's: as if there were none */
    if (rc == ERR_NOT_FOUND)
        return err_set(x->d, rc, "id", "no such invitation");
    if (rc == ERR_OK &&
        (rc = store_invitation_withdraw(c, x->tenant_id, x->id, x->now_us)) == ERR_NOT_FOUND)
        return err_set(x->d, ERR_CONFLICT, "id",
                       "the invitation was accepted or withdrawn already");
    const char *detail = arena_printf(x->a, "{\"invitation_id\":\"ivt_%lld\"}", (long long)x->id);
    if (rc == ERR_OK && detail == NULL)
        rc = ERR_TOO_LARGE;
    return rc != ERR_OK ? rc
                        : svc_seclog(c, x->tenant_id, x->actor, "invitation.withdrawn", 0, r.email,
                                     r.customer_id, detail, x->now_us);
}

enum err svc_invitation_withdraw(struct svc *s, struct arena *a, int64_t tenant_id,
                                 const struct svc_actor *actor, int64_t customer_id, int64_t id,
                                 struct err_detail *d)
{
    struct invitations_ctx x = {.a = a,
                                .tenant_id = tenant_id,
                                .customer_id = customer_id,
                                .id = id,
                                .now_us = svc_now(s),
                                .actor = actor,
                                .d = d};
    return store_write(s->st, svc_invitation_withdraw_txn, &x);
}

/* ---- accepting ------------------------------------------------------------------ */

struct accept_ctx {
    struct arena *a;
    int64_t tenant_id;
    const char *token_hash;
    const char *password_hash; /* NULL: only look (the preview) */
    const char *name;
    const struct svc_actor *actor;
    int64_t now_us;
    struct svc_invitation_view *view;
    int64_t user_id;
    struct err_detail *d;
};

/* The pending, unexpired invitation of a token, with what it is for. */
static enum err svc_invitation_find(struct store_conn *c, struct accept_ctx *x)
{
    struct svc_invitation_view *v = x->view;
    enum err rc = store_invitation_by_token(c, x->a, x->tenant_id, x->token_hash, &v->row);
    bool live = rc == ERR_OK && v->row.accepted_at_us == 0 && v->row.withdrawn_at_us == 0 &&
                x->now_us < v->row.expires_at_us;
    if ((rc == ERR_OK && !live) || rc == ERR_NOT_FOUND)
        return err_set(x->d, ERR_TOKEN_INVALID, "token",
                       "the invitation is unknown, used, withdrawn or expired");
    struct tenant_row t;
    struct customer_row cust = {.name = ""};
    if (rc == ERR_OK)
        rc = store_tenant_get(c, x->a, x->tenant_id, &t);
    if (rc == ERR_OK && v->row.customer_id != 0)
        rc = store_customer_get(c, x->a, x->tenant_id, v->row.customer_id, &cust);
    v->business = rc == ERR_OK ? t.name : "";
    v->customer_name = cust.name;
    return rc;
}

static enum err svc_invitation_preview_txn(struct store_conn *c, void *arg)
{
    return svc_invitation_find(c, arg);
}

static enum err svc_invitation_accept_txn(struct store_conn *c, void *arg)
{
    struct accept_ctx *x = arg;
    enum err rc = svc_invitation_find(c, x);
    if (rc != ERR_OK)
        return rc;
    const struct invitation_row *r = &x->view->row;
    bool member = svc_role_is_member(r->role);
    struct user_row u = {.tenant_id = x->tenant_id,
                         .email = r->email,
                         .name = x->name != NULL && x->name[0] != '\0' ? x->name : r->name,
                         .password_hash = x->password_hash,
                         .role = member ? "member" : r->role,
                         .created_at_us = x->now_us,
                         .email_verified = true}; /* the link came by mail */
    rc = store_user_insert(c, &u, &x->user_id);
    if (rc == ERR_DUPLICATE)
        return err_set(x->d, rc, "token", "a user with this e-mail exists: sign in instead");
    struct member_row m = {.customer_id = r->customer_id,
                           .user_id = x->user_id,
                           .role = r->role,
                           .created_at_us = x->now_us};
    if (rc == ERR_OK && member)
        rc = store_member_insert(c, x->tenant_id, &m);
    if (rc == ERR_OK && (rc = store_invitation_accept(c, x->tenant_id, r->id, x->user_id,
                                                      x->now_us)) == ERR_NOT_FOUND)
        return err_set(x->d, ERR_TOKEN_INVALID, "token", "the invitation was used already");
    struct svc_actor who = {
        .user_id = x->user_id, .label = r->email, .address = x->actor ? x->actor->address : NULL};
    const char *detail = arena_printf(x->a, "{\"invitation_id\":\"ivt_%lld\",\"role\":\"%s\"}",
                                      (long long)r->id, r->role);
    if (rc == ERR_OK && detail == NULL)
        rc = ERR_TOO_LARGE;
    return rc != ERR_OK ? rc
                        : svc_seclog(c, x->tenant_id, &who, "invitation.accepted", x->user_id,
                                     r->email, r->customer_id, detail, x->now_us);
}

enum err svc_invitation_preview(struct svc *s, struct arena *a, int64_t tenant_id,
                                const char *token, struct svc_invitation_view *out,
                                struct err_detail *d)
{
    if (token == NULL || strlen(token) != SECRET_HEX - 1)
        return err_set(d, ERR_TOKEN_INVALID, "token", "is not an invitation link");
    char hash[SHA256_HEX];
    svc_secret_hash(token, hash);
    struct accept_ctx x = {.a = a,
                           .tenant_id = tenant_id,
                           .token_hash = hash,
                           .now_us = svc_now(s),
                           .view = out,
                           .d = d};
    return store_read(s->st, svc_invitation_preview_txn, &x);
}

enum err svc_invitation_accept(struct svc *s, struct arena *a, int64_t tenant_id, const char *token,
                               const char *password, const char *name,
                               const struct svc_actor *actor, struct svc_invitation_view *out,
                               int64_t *user_id, struct err_detail *d)
{
    enum err rc = svc_invitation_preview(s, a, tenant_id, token, out, d);
    if (rc == ERR_OK)
        rc = svc_password_check(password, out->row.email, "password", d);
    if (rc == ERR_OK)
        rc = svc_text_check(name, "name", NAME_BYTES_MAX, false, d);
    if (rc != ERR_OK)
        return rc;
    char hash[PASSWORD_HASH_BYTES], token_hash[SHA256_HEX];
    if ((rc = password_hash(password, hash, sizeof(hash))) != ERR_OK)
        return rc;
    svc_secret_hash(token, token_hash);
    struct accept_ctx x = {.a = a,
                           .tenant_id = tenant_id,
                           .token_hash = token_hash,
                           .password_hash = hash,
                           .name = name,
                           .actor = actor,
                           .now_us = svc_now(s),
                           .view = out,
                           .d = d};
    rc = store_write(s->st, svc_invitation_accept_txn, &x);
    if (rc == ERR_OK)
        *user_id = x.user_id;
    return rc;
}
