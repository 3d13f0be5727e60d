/*
 * Sign in and out, who am I, API keys. Logins are throttled per account and
 * per client address (429 with Retry-After; the service keeps the counts in
 * the database, shared by every server); a session is a cookie holding a
 * 256-bit secret (HttpOnly, SameSite=Lax) plus a CSRF token the client sends
 * back in X-CSRF-Token on every unsafe request.
 */
#include <stdio.h>
#include <string.h>

#include "http/http_int.h"

static json_t *h_principal_json(const struct svc_principal *p)
{
    json_t *me = json_pack("{s:o, s:s, s:s, s:o}", "user_id", http_id("usr", p->user_id), "email",
                           p->email ? p->email : "", "role", p->role, "tenant_id",
                           http_id("ten", p->tenant_id));
    json_object_set_new(me, "customer_id", http_id("cus", p->customer_id));
    json_object_set_new(me, "totp_enabled", json_boolean(p->totp_enabled));
    json_object_set_new(me, "totp_enrolment_required", json_boolean(p->totp_enrolment_required));
    return me;
}

void h_login(struct http_request *r)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    const char *email = http_field_string(&f, "email", true, NAME_BYTES_MAX);
    const char *password = http_field_string(&f, "password", true, 1024);
    const char *totp = http_field_string(&f, "totp", false, 64);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    struct net_addr client;
    http_client_address(r, &client);
    char token[SECRET_HEX];
    struct svc_principal who;
    int64_t retry_after_s = 0;
    enum err rc = svc_login_with_code(r->svc, &r->arena, r->tenant_id, email, password, totp,
                                      &client, token, &who, &retry_after_s);
    if (rc == ERR_THROTTLED) {
        ASSERT(retry_after_s > 0);
        http_retry_after(r, retry_after_s);
        http_problem_msg(r, ERR_THROTTLED, "too many failed sign-ins; try again later");
        return;
    }
    if (rc == ERR_UNAUTHENTICATED) {
        http_problem_msg(r, ERR_UNAUTHENTICATED, "wrong e-mail or password");
        return;
    }
    if (rc == ERR_TOTP_REQUIRED) {
        http_problem_msg(r, rc,
                         totp != NULL && totp[0] != '\0'
                             ? "the authentication code is wrong or was used already"
                             : "enter the code of your authenticator app, or a recovery "
                               "code");
        return;
    }
    if (rc != ERR_OK) {
        http_problem_msg(r, rc, "cannot sign in now");
        return;
    }
    char *cookie = arena_printf(&r->arena, "creditd_session=%s; Path=/; HttpOnly; SameSite=Lax%s",
                                token, r->srv->cfg.secure_cookies ? "; Secure" : "");
    memset(token, 0, sizeof(token));
    http_header(r, "Set-Cookie", cookie);
    json_t *me = h_principal_json(&who);
    json_object_set_new(me, "csrf_token", json_string(who.csrf_token));
    http_json(r, 200, me);
}

void h_logout(struct http_request *r)
{
    if (r->by_session) {
        char buf[SECRET_HEX + 1];
        const char *token = http_session_token(r, buf, sizeof(buf));
        if (svc_logout(r->svc, r->tenant_id, token != NULL ? token : "") != ERR_OK) {
            http_problem_msg(r, ERR_STORE_BUSY, "cannot end the session now");
            return;
        }
    }
    http_header(r, "Set-Cookie", "creditd_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    http_json(r, 200, json_pack("{s:b}", "signed_out", 1));
}

static void h_me_monthly_limits(struct http_request *r, json_t *me);

void h_me(struct http_request *r)
{
    json_t *me = h_principal_json(&r->who);
    if (r->by_session)
        json_object_set_new(me, "csrf_token", json_string(r->who.csrf_token));
    /* Why a member may only read (the portal's banner): the code the refused
     * changes answer, or null. */
    json_object_set_new(me, "hold",
                        r->who.hold == ERR_OK ? json_null() : json_string(err_code(r->who.hold)));
    /* What every page needs to show amounts: the business's name, currency,
     * locale and zone (GET /settings is for the team only). */
    struct tenant_row t;
    if (svc_tenant_get(r->svc, &r->arena, r->tenant_id, &t) == ERR_OK) {
        /* How buyers can pay here (the shop offers only these): a bank
         * transfer always, a card when the gateway is set up. */
        json_t *methods = json_pack("[s]", "manual");
        if (svc_card_payments_ready(r->svc))
            json_array_append_new(methods, json_string("stripe"));
        json_object_set_new(me, "tenant",
                            json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "name", t.name,
                                      "currency", t.currency, "locale", t.locale, "language",
                                      i18n_lang(t.locale), "timezone", t.timezone, "vat_rate",
                                      http_amount(t.vat_rate_bp, 2), "payment_methods", methods));
    }
    h_me_monthly_limits(r, me);
    /* The user's own language ("": the business's); an API key has none. */
    struct svc_notify_prefs p;
    const char *language = "";
    if (r->who.user_id != 0 && svc_notify_prefs_get(r->svc, &r->arena, r->tenant_id, r->who.user_id,
                                                    r->who.role, &p) == ERR_OK)
        language = http_language(p.locale);
    json_object_set_new(me, "language", json_string(language));
    /* Whether a bank transfer can say where to pay (the shop tells when not). */
    json_t *tenant = json_object_get(me, "tenant");
    if (tenant != NULL)
        json_object_set_new(tenant, "bank_transfer", json_boolean(t.bank_iban[0] != '\0'));
    http_json(r, 200, me);
}

void h_me_update(struct http_request *r)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    const char *language = http_field_language(&f, "language");
    bool ok = http_fields_done(&f);
    struct err_detail d = {0};
    enum err rc = ERR_OK;
    if (ok && r->who.user_id == 0)
        rc = err_set(&d, ERR_FORBIDDEN, "", "an API key has no settings of its own");
    struct svc_notify_prefs p;
    struct svc_notify_prefs_input in = {.locale = language};
    if (ok && rc == ERR_OK)
        rc = svc_notify_prefs_update(r->svc, &r->arena, r->tenant_id, r->who.user_id, r->who.role,
                                     &in, &p, &d);
    json_decref(body);
    if (!ok)
        return;
    if (rc != ERR_OK) {
        if (strcmp(d.field, "locale") == 0)
            str_copy(d.field, sizeof(d.field), "language");
        http_problem(r, rc, &d);
        return;
    }
    h_me(r);
}

/* A technician's monthly limits per credit type with what this month's
 * orders took ({"master": {"limit", "spent", "left"}}); null for others. */
static void h_me_monthly_limits(struct http_request *r, json_t *me)
{
    struct svc_member_month *m = NULL;
    size_t n = 0;
    if (r->role != ROLE_TECHNICIAN || r->who.customer_id == 0 ||
        svc_member_month_read(r->svc, &r->arena, r->tenant_id, r->who.customer_id, r->who.user_id,
                              &m, &n) != ERR_OK) {
        json_object_set_new(me, "monthly_limits", json_null());
        return;
    }
    json_t *limits = json_object();
    for (size_t i = 0; i < n; i++) {
        int64_t left =
            m[i].limit_minor > m[i].spent_minor ? m[i].limit_minor - m[i].spent_minor : 0;
        json_object_set_new(limits, m[i].credit_type,
                            json_pack("{s:o, s:o, s:o}", "limit",
                                      http_amount(m[i].limit_minor, m[i].scale), "spent",
                                      http_amount(m[i].spent_minor, m[i].scale), "left",
                                      http_amount(left, m[i].scale)));
    }
    json_object_set_new(me, "monthly_limits", limits);
}

/* A key as lists show it: never the key or its hash. */
static json_t *h_api_key_json(const struct api_key_row *k, int64_t now_us)
{
    bool expired = k->expires_at_us != 0 && now_us >= k->expires_at_us;
    return json_pack("{s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:b}", "id", http_id("key", k->id),
                     "name", k->name, "role", k->role, "created_by", k->created_by, "created_at",
                     http_time(k->created_at_us), "expires_at", http_time(k->expires_at_us),
                     "revoked_at", http_time(k->revoked_at_us), "active",
                     k->revoked_at_us == 0 && !expired);
}

void h_api_keys(struct http_request *r)
{
    struct api_key_row *keys;
    size_t n;
    enum err rc = svc_apikey_list(r->svc, &r->arena, r->tenant_id, &keys, &n);
    if (rc != ERR_OK) {
        http_problem(r, rc, NULL);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, h_api_key_json(&keys[i], svc_now(r->svc)));
    http_json(r, 200, json_pack("{s:o}", "items", items));
}

/* Revokes a key at once, on every server (the tenant's auth epoch moves). */
void h_api_key_revoke(struct http_request *r)
{
    int64_t id;
    if (!http_param_id(r, 0, "key", &id))
        return;
    enum err rc = svc_apikey_revoke(r->svc, r->tenant_id, &r->actor, id);
    if (rc == ERR_NOT_FOUND)
        http_problem_msg(r, rc, "no such key, or revoked already");
    else if (rc != ERR_OK)
        http_problem(r, rc, NULL);
    else
        http_text(r, 204, "text/plain", "", 0);
}

void h_api_key_create(struct http_request *r)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    const char *role = http_field_string(&f, "role", true, 16);
    const char *name = http_field_string(&f, "name", false, NAME_BYTES_MAX);
    int64_t expires_at_us = 0;
    http_field_time(&f, "expires_at", false, &expires_at_us);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    char key[API_KEY_TEXT];
    int64_t id;
    struct err_detail d = {0};
    enum err rc = svc_apikey_create(r->svc, r->tenant_id, &r->actor, role, name ? name : "",
                                    expires_at_us, key, &id, &d);
    if (rc != ERR_OK) {
        http_problem(r, rc, &d);
        return;
    }
    http_json(r, 201,
              json_pack("{s:o, s:s, s:s, s:o, s:s}", "id", http_id("key", id), "role", role, "name",
                        name ? name : "", "expires_at", http_time(expires_at_us), "key", key));
    memset(key, 0, sizeof(key));
}
