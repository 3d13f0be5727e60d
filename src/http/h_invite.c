/*
 * Coming in over HTTP (DESIGN §7): invitations (sent, listed, withdrawn,
 * previewed and accepted by link), self-registration, e-mail verification
 * and the staff's approval of new customers.
 *
 * Must not: echo a token, or show an owner another customer's invitations
 * (they answer 404, as if there were none).
 */
#include <stdio.h>
#include <string.h>

#include "http/http_int.h"

static const char *h_invitation_status(const struct invitation_row *v, int64_t now_us)
{
    return v->accepted_at_us != 0       ? "accepted"
           : v->withdrawn_at_us != 0    ? "withdrawn"
           : now_us >= v->expires_at_us ? "expired"
                                        : "pending";
}

static json_t *h_invitation_json(const struct invitation_row *v, int64_t now_us)
{
    ASSERT(v->id > 0);
    return json_pack("{s:o, s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:o, s:o}", "id",
                     http_id("ivt", v->id), "email", v->email, "name", v->name, "role", v->role,
                     "customer_id", v->customer_id ? http_id("cus", v->customer_id) : json_null(),
                     "invited_by", v->invited_by, "status", h_invitation_status(v, now_us),
                     "created_at", http_time(v->created_at_us), "expires_at",
                     http_time(v->expires_at_us), "accepted_at", http_time(v->accepted_at_us),
                     "withdrawn_at", http_time(v->withdrawn_at_us));
}

static void h_retry_after_header(struct http_request *r, int64_t seconds)
{
    char retry[24];
    snprintf(retry, sizeof(retry), "%lld", (long long)seconds);
    http_header(r, "Retry-After", retry);
}

void h_invitation_create(struct http_request *r)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    struct svc_invite_input in = {.tenant_id = r->tenant_id,
                                  .actor = &r->actor,
                                  .actor_role = r->who.role,
                                  .actor_customer_id = r->who.customer_id};
    in.email = http_field_string(&f, "email", true, NAME_BYTES_MAX);
    in.role = http_field_string(&f, "role", true, 16);
    in.name = http_field_string(&f, "name", false, NAME_BYTES_MAX);
    in.locale = http_field_string(&f, "locale", false, 16);
    http_field_id(&f, "customer_id", "cus", false, &in.customer_id);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    /* An owner's invitations are to their own customer. */
    bool to_member = strcmp(in.role, "owner") == 0 || strcmp(in.role, "technician") == 0;
    if (r->role == ROLE_OWNER && in.customer_id == 0 && to_member)
        in.customer_id = r->who.customer_id;
    if (r->role == ROLE_OWNER && in.customer_id != 0 && in.customer_id != r->who.customer_id) {
        http_problem_msg(r, ERR_NOT_FOUND, "no such customer");
        return;
    }
    struct invitation_row out;
    struct err_detail d = {0};
    enum err rc = svc_invitation_create(r->svc, &r->arena, &in, &out, &d);
    if (rc != ERR_OK)
        http_problem(r, rc, &d);
    else
        http_json(r, 201, h_invitation_json(&out, svc_now(r->svc)));
}

void h_invitations(struct http_request *r)
{
    struct h_read_params p;
    h_read_params_begin(&p, r);
    int64_t customer_id = h_read_id(&p, "customer", "cus");
    if (!h_read_params_done(&p))
        return;
    if (r->role == ROLE_OWNER)
        customer_id = r->who.customer_id;
    struct invitation_row *rows;
    size_t n;
    enum err rc = svc_invitations_list(r->svc, &r->arena, r->tenant_id, customer_id, &rows, &n);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    int64_t now = svc_now(r->svc);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, h_invitation_json(&rows[i], now));
    http_json(r, 200, json_pack("{s:o}", "items", items));
}

void h_invitation_withdraw(struct http_request *r)
{
    int64_t id;
    if (!http_param_id(r, 0, "ivt", &id))
        return;
    struct err_detail d = {0};
    int64_t scope = r->role == ROLE_OWNER ? r->who.customer_id : 0;
    enum err rc =
        svc_invitation_withdraw(r->svc, &r->arena, r->tenant_id, &r->actor, scope, id, &d);
    if (rc != ERR_OK)
        http_problem(r, rc, &d);
    else
        http_text(r, 204, "text/plain", "", 0);
}

static json_t *h_invitation_view_json(const struct svc_invitation_view *v)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "email", v->row.email, "name",
                     v->row.name, "role", v->row.role, "business", v->business, "customer_name",
                     v->customer_name, "invited_by", v->row.invited_by, "expires_at",
                     http_time(v->row.expires_at_us));
}

void h_invitation_preview(struct http_request *r)
{
    struct svc_invitation_view v;
    struct err_detail d = {0};
    enum err rc = svc_invitation_preview(r->svc, &r->arena, r->tenant_id, r->params[0], &v, &d);
    if (rc != ERR_OK)
        http_problem(r, rc, &d);
    else
        http_json(r, 200, h_invitation_view_json(&v));
}

void h_invitation_accept(struct http_request *r)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    const char *token = http_field_string(&f, "token", true, 128);
    const char *password = http_field_string(&f, "password", true, 1024);
    const char *name = http_field_string(&f, "name", false, NAME_BYTES_MAX);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    struct svc_invitation_view v;
    int64_t user_id = 0;
    struct err_detail d = {0};
    enum err rc = svc_invitation_accept(r->svc, &r->arena, r->tenant_id, token, password, name,
                                        &r->actor, &v, &user_id, &d);
    if (rc != ERR_OK) {
        http_problem(r, rc, &d);
        return;
    }
    http_json(r, 201,
              json_pack("{s:o, s:s, s:s, s:o}", "user_id", http_id("usr", user_id), "email",
                        v.row.email, "role", v.row.role, "customer_id",
                        v.row.customer_id ? http_id("cus", v.row.customer_id) : json_null()));
}

/* ---- registration -------------------------------------------------------------- */

void h_registration(struct http_request *r)
{
    const char *mode, *business;
    enum err rc = svc_registration_mode(r->svc, &r->arena, r->tenant_id, &mode, &business);
    if (rc != ERR_OK)
        http_problem(r, rc, NULL);
    else
        http_json(r, 200, json_pack("{s:s, s:s}", "mode", mode, "business", business));
}

void h_register(struct http_request *r)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    struct svc_register_input in = {.tenant_id = r->tenant_id, .address = r->actor.address};
    in.business_name = http_field_string(&f, "business_name", true, NAME_BYTES_MAX);
    in.email = http_field_string(&f, "email", true, NAME_BYTES_MAX);
    in.password = http_field_string(&f, "password", true, 1024);
    in.name = http_field_string(&f, "name", false, NAME_BYTES_MAX);
    in.country = http_field_string(&f, "country", false, 2);
    in.vat_id = http_field_string(&f, "vat_id", false, 32);
    in.locale = http_field_string(&f, "locale", false, 16);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    int64_t retry_after_s = 0;
    struct err_detail d = {0};
    enum err rc = svc_register(r->svc, &r->arena, &in, &retry_after_s, &d);
    if (rc == ERR_THROTTLED) {
        h_retry_after_header(r, retry_after_s);
        http_problem_msg(r, rc, "too many sign-ups from this address; try again later");
    } else if (rc != ERR_OK) {
        http_problem(r, rc, &d);
    } else {
        http_json(r, 202,
                  json_pack("{s:s}", "message",
                            "check your mail: follow the link we sent to confirm your e-mail "
                            "address, then sign in"));
    }
}

void h_email_verify(struct http_request *r)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    const char *token = http_field_string(&f, "token", true, 128);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    struct err_detail d = {0};
    enum err rc = svc_email_verify(r->svc, &r->arena, r->tenant_id, token, &r->actor, &d);
    if (rc != ERR_OK)
        http_problem(r, rc, &d);
    else
        http_text(r, 204, "text/plain", "", 0);
}

void h_email_verify_resend(struct http_request *r)
{
    int64_t retry_after_s = 0;
    struct err_detail d = {0};
    enum err rc =
        svc_email_verify_resend(r->svc, &r->arena, r->tenant_id, &r->actor, &retry_after_s, &d);
    if (rc == ERR_THROTTLED) {
        h_retry_after_header(r, retry_after_s);
        http_problem_msg(r, rc, "too many mails asked for; try again later");
    } else if (rc != ERR_OK) {
        http_problem(r, rc, &d);
    } else {
        http_json(r, 202, json_pack("{s:s}", "message", "a new link is on its way"));
    }
}

/* Approve (true) or reject a customer that signed up. */
static void h_customer_review(struct http_request *r, bool approve)
{
    int64_t id;
    if (!http_param_id(r, 0, "cus", &id))
        return;
    struct err_detail d = {0};
    enum err rc = svc_customer_review(r->svc, &r->arena, r->tenant_id, &r->actor, id, approve, &d);
    if (rc != ERR_OK)
        http_problem(r, rc, &d);
    else
        http_json(r, 200,
                  json_pack("{s:o, s:s}", "id", http_id("cus", id), "status",
                            approve ? "active" : "rejected"));
}

void h_customer_approve(struct http_request *r)
{
    h_customer_review(r, true);
}

void h_customer_reject(struct http_request *r)
{
    h_customer_review(r, false);
}
