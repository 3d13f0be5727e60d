/*
 * The account life cycle over HTTP (DESIGN §7): password change and reset,
 * the team's users, member removal and the security log. The handlers read
 * and check the request, call the service and render its answer.
 *
 * Must not: answer a reset request differently for known and unknown
 * e-mails, or echo a token or password.
 */
#include <stdio.h>
#include <string.h>

#include "http/http_int.h"

/* The session token of the caller's cookie (NULL for API keys). */
static const char *h_access_session_token(struct http_request *r, char *buf, size_t n)
{
    return r->by_session ? http_session_token(r, buf, n) : NULL;
}

void h_password_change(struct http_request *r)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    const char *current = http_field_string(&f, "current_password", true, 1024);
    const char *password = http_field_string(&f, "new_password", true, 1024);
    bool ok = http_fields_done(&f);
    if (!ok) {
        json_decref(body);
        return;
    }
    char token[SECRET_HEX + 1];
    struct err_detail d = {0};
    enum err rc = svc_password_change(r->svc, &r->arena, r->tenant_id, &r->actor, current, password,
                                      h_access_session_token(r, token, sizeof(token)), &d);
    json_decref(body);
    if (rc != ERR_OK)
        http_problem(r, rc, &d);
    else
        http_text(r, 204, "text/plain", "", 0);
}

void h_password_reset_request(struct http_request *r)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    const char *email = http_field_string(&f, "email", true, NAME_BYTES_MAX);
    bool ok = http_fields_done(&f);
    if (!ok) {
        json_decref(body);
        return;
    }
    int64_t retry_after_s = 0;
    enum err rc = svc_password_reset_request(r->svc, &r->arena, r->tenant_id, email, &r->actor,
                                             &retry_after_s);
    json_decref(body);
    if (rc == ERR_THROTTLED) {
        http_retry_after(r, retry_after_s);
        http_problem_msg(r, rc, "too many reset requests from this address; try again later");
    } else if (rc != ERR_OK) {
        http_problem_msg(r, rc, "cannot take the request now");
    } else {
        http_json(r, 202,
                  json_pack("{s:s}", "message",
                            "if this e-mail has an account, a link to set a new password is on "
                            "its way; it works once, for one hour"));
    }
}

void h_password_reset_confirm(struct http_request *r)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    const char *token = http_field_string(&f, "token", true, 128);
    const char *password = http_field_string(&f, "password", true, 1024);
    bool ok = http_fields_done(&f);
    if (!ok) {
        json_decref(body);
        return;
    }
    struct err_detail d = {0};
    enum err rc =
        svc_password_reset_confirm(r->svc, &r->arena, r->tenant_id, token, password, &r->actor, &d);
    json_decref(body);
    if (rc != ERR_OK)
        http_problem(r, rc, &d);
    else
        http_text(r, 204, "text/plain", "", 0);
}

/* ---- the team ------------------------------------------------------------------ */

static json_t *h_user_json(const struct user_row *u)
{
    return json_pack(
        "{s:o, s:s, s:s, s:s, s:b, s:b, s:o, s:o, s:o}", "id", http_id("usr", u->id), "email",
        u->email, "name", u->name, "role", u->role, "disabled", u->disabled, "totp_enabled",
        u->totp_enabled, "last_login_at", http_time(u->last_login_at_us), "password_changed_at",
        http_time(u->password_changed_at_us), "created_at", http_time(u->created_at_us));
}

void h_users(struct http_request *r)
{
    struct user_row *users;
    size_t n;
    enum err rc = svc_users_list(r->svc, &r->arena, r->tenant_id, &users, &n);
    if (rc != ERR_OK) {
        http_problem(r, rc, NULL);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, h_user_json(&users[i]));
    http_json(r, 200, json_pack("{s:o}", "items", items));
}

void h_user_update(struct http_request *r)
{
    int64_t id;
    if (!http_param_id(r, 0, "usr", &id))
        return;
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    const char *role = http_field_string(&f, "role", false, 16);
    bool disabled = false;
    bool has_disabled = json_object_get(body, "disabled") != NULL;
    http_field_bool(&f, "disabled", &disabled);
    bool ok = http_fields_done(&f);
    if (!ok) {
        json_decref(body);
        return;
    }
    struct user_row u;
    struct err_detail d = {0};
    enum err rc = svc_user_update(r->svc, &r->arena, r->tenant_id, &r->actor, id, role,
                                  has_disabled ? disabled : -1, &u, &d);
    json_decref(body);
    if (rc != ERR_OK)
        http_problem(r, rc, &d);
    else
        http_json(r, 200, h_user_json(&u));
}

void h_user_password_reset(struct http_request *r)
{
    int64_t id;
    if (!http_param_id(r, 0, "usr", &id))
        return;
    enum err rc = svc_password_reset_send(r->svc, &r->arena, r->tenant_id, &r->actor, id);
    if (rc == ERR_NOT_FOUND)
        http_problem_msg(r, rc, "no such user, or disabled");
    else if (rc != ERR_OK)
        http_problem(r, rc, NULL);
    else
        http_json(r, 202, json_pack("{s:s}", "message", "a reset link is on its way"));
}

/* An owner removes technicians of their customer; staff remove anyone. */
void h_member_remove(struct http_request *r)
{
    int64_t customer_id, user_id;
    if (!h_path_customer(r, &customer_id) || !http_param_id(r, 1, "usr", &user_id))
        return;
    struct err_detail d = {0};
    enum err rc = svc_member_remove(r->svc, &r->arena, r->tenant_id, &r->actor,
                                    r->role == ROLE_OWNER, customer_id, user_id, &d);
    if (rc != ERR_OK)
        http_problem(r, rc, &d);
    else
        http_text(r, 204, "text/plain", "", 0);
}

/* ---- the security log ---------------------------------------------------------- */

static json_t *h_security_log_json(const struct security_log_row *l)
{
    json_t *detail = l->detail[0] != '\0' ? json_loads(l->detail, 0, NULL) : NULL;
    return json_pack(
        "{s:o, s:s, s:s, s:o, s:s, s:o, s:s, s:o, s:o, s:o}", "id", http_id("sec", l->id), "type",
        l->type, "actor", l->actor, "actor_id",
        l->actor_user_id ? http_id("usr", l->actor_user_id) : json_null(), "subject", l->subject,
        "subject_id", l->subject_user_id ? http_id("usr", l->subject_user_id) : json_null(),
        "address", l->address, "customer_id",
        l->customer_id ? http_id("cus", l->customer_id) : json_null(), "detail",
        detail != NULL ? detail : json_object(), "created_at", http_time(l->created_at_us));
}

void h_security_log(struct http_request *r)
{
    struct h_read_params p;
    h_read_params_begin(&p, r);
    struct security_log_filter f = {.tenant_id = r->tenant_id};
    f.type = h_read_text(&p, "type", 64);
    f.user_id = h_read_id(&p, "user", "usr");
    f.from_us = h_read_time(&p, "from");
    f.to_us = h_read_time(&p, "to");
    f.before_id = h_read_id(&p, "cursor", "sec");
    f.limit = h_read_limit(&p) + 1;
    if (!h_read_params_done(&p))
        return;
    struct security_log_row *rows;
    size_t n;
    enum err rc = svc_security_log_list(r->svc, &r->arena, &f, &rows, &n);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    bool more = n == f.limit;
    size_t shown = more ? n - 1 : n;
    json_t *items = json_array();
    for (size_t i = 0; i < shown; i++)
        json_array_append_new(items, h_security_log_json(&rows[i]));
    http_json(r, 200, h_read_page(items, "sec", shown > 0 ? rows[shown - 1].id : 0, more));
}
