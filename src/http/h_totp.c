/*
 * Two-factor sign-in of the signed-in user (/me/totp): enrol (a secret and
 * its otpauth:// URI for the authenticator app), confirm with a first code
 * (the recovery codes come back once), turn off and renew the recovery codes
 * with password and code. Secrets and codes are answered once and never
 * logged; an API key is refused by the service (keys are not people).
 */
#include <stdio.h>
#include <string.h>

#include "http/http_int.h"

static json_t *h_totp_codes_json(const struct svc_totp_codes *codes)
{
    json_t *list = json_array();
    for (size_t i = 0; i < TOTP_RECOVERY_CODES; i++)
        json_array_append_new(list, json_string(codes->codes[i]));
    return list;
}

/* A refused change: 429 with Retry-After, or the problem. */
static void h_totp_fail(struct http_request *r, enum err rc, int64_t retry_after_s,
                        const struct err_detail *d)
{
    ASSERT(rc != ERR_OK);
    if (rc == ERR_THROTTLED) {
        char retry[24];
        snprintf(retry, sizeof(retry), "%lld", (long long)retry_after_s);
        http_header(r, "Retry-After", retry);
        http_problem_msg(r, rc, "too many attempts; try again later");
        return;
    }
    http_problem(r, rc, d);
}

void h_totp_enrol(struct http_request *r)
{
    ASSERT(r->tenant_id > 0);
    struct svc_totp_enrolment e;
    struct err_detail d = {0};
    enum err rc = svc_totp_enrol(r->svc, &r->arena, r->tenant_id, &r->actor, &e, &d);
    if (rc != ERR_OK) {
        http_problem(r, rc, &d);
        return;
    }
    http_json(r, 200, json_pack("{s:s, s:s}", "secret", e.secret, "otpauth_uri", e.otpauth_uri));
    memset(e.secret, 0, sizeof(e.secret));
}

void h_totp_confirm(struct http_request *r)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    const char *code = http_field_string(&f, "code", true, 16);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    struct svc_totp_codes codes;
    struct err_detail d = {0};
    enum err rc = svc_totp_confirm(r->svc, &r->arena, r->tenant_id, &r->actor, code, &codes, &d);
    if (rc != ERR_OK) {
        http_problem(r, rc, &d);
        return;
    }
    http_json(
        r, 200,
        json_pack("{s:b, s:o}", "totp_enabled", 1, "recovery_codes", h_totp_codes_json(&codes)));
    memset(&codes, 0, sizeof(codes));
}

/* The password and code of a change; false when a problem is queued. */
static bool h_totp_change_fields(struct http_request *r, const char **password, const char **code)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return false;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    *password = http_field_string(&f, "password", true, 1024);
    *code = http_field_string(&f, "code", true, 64);
    bool ok = http_fields_done(&f);
    json_decref(body);
    return ok;
}

void h_totp_disable(struct http_request *r)
{
    const char *password, *code;
    if (!h_totp_change_fields(r, &password, &code))
        return;
    struct err_detail d = {0};
    int64_t retry_after_s = 0;
    enum err rc = svc_totp_disable(r->svc, &r->arena, r->tenant_id, &r->actor, password, code,
                                   &retry_after_s, &d);
    if (rc != ERR_OK)
        h_totp_fail(r, rc, retry_after_s, &d);
    else
        http_json(r, 200, json_pack("{s:b}", "totp_enabled", 0));
}

void h_totp_recovery_codes(struct http_request *r)
{
    const char *password, *code;
    if (!h_totp_change_fields(r, &password, &code))
        return;
    struct svc_totp_codes codes;
    struct err_detail d = {0};
    int64_t retry_after_s = 0;
    enum err rc = svc_totp_recovery_renew(r->svc, &r->arena, r->tenant_id, &r->actor, password,
                                          code, &codes, &retry_after_s, &d);
    if (rc != ERR_OK) {
        h_totp_fail(r, rc, retry_after_s, &d);
        return;
    }
    http_json(r, 200, json_pack("{s:o}", "recovery_codes", h_totp_codes_json(&codes)));
    memset(&codes, 0, sizeof(codes));
}
