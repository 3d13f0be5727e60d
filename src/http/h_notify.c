/*
 * Notification choices over HTTP: a signed-in user's mail preferences and
 * language (GET/PATCH /me/notifications), a customer's low-balance
 * thresholds (GET/PATCH /customers/{id}/low-balance), and the one-click
 * unsubscribe of a mail's link (/unsubscribe/{token}): GET shows a page with
 * a button (a link scanner's prefetch changes nothing), POST does it (RFC
 * 8058: mail clients POST "List-Unsubscribe=One-Click" with no cookie).
 *
 * Must not: let an unsubscribe token act as anything but that one opt-out.
 */
#include <string.h>

#include "http/http_int.h"

static json_t *h_prefs_json(const struct svc_notify_prefs *p)
{
    json_t *mail = json_array();
    for (size_t i = 0; i < p->n; i++) {
        const struct svc_notify_pref *x = &p->items[i];
        json_array_append_new(mail, json_pack("{s:s, s:b, s:b}", "event", x->event, "enabled",
                                              x->enabled, "essential", x->essential));
    }
    return json_pack("{s:s, s:o}", "locale", p->locale != NULL ? p->locale : "", "mail", mail);
}

void h_notify_prefs(struct http_request *r)
{
    struct svc_notify_prefs p;
    enum err rc =
        svc_notify_prefs_get(r->svc, &r->arena, r->tenant_id, r->who.user_id, r->who.role, &p);
    if (rc == ERR_FORBIDDEN)
        http_problem_msg(r, rc, "an API key has no notification settings");
    else if (rc != ERR_OK)
        http_problem(r, rc, NULL);
    else
        http_json(r, 200, h_prefs_json(&p));
}

/* {"credits.added": false, …} into in. */
static void h_notify_prefs_mail(struct http_fields *f, struct svc_notify_prefs_input *in)
{
    json_t *mail = http_field_raw(f, "mail");
    if (mail == NULL)
        return;
    if (!json_is_object(mail) || json_object_size(mail) > SVC_EVENT__COUNT) {
        http_field_error(f, "mail", "must be an object of event types and true or false");
        return;
    }
    const char *key;
    json_t *v;
    json_object_foreach(mail, key, v)
    {
        if (!json_is_boolean(v)) {
            http_field_error(f, "mail", "each event takes true or false");
            return;
        }
        in->items[in->n].event = key;
        in->items[in->n++].enabled = json_is_true(v);
    }
}

void h_notify_prefs_update(struct http_request *r)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    struct svc_notify_prefs_input in = {.locale = http_field_string(&f, "locale", false, 5)};
    h_notify_prefs_mail(&f, &in);
    if (!http_fields_done(&f)) {
        json_decref(body);
        return;
    }
    struct svc_notify_prefs p;
    struct err_detail d = {0};
    enum err rc = svc_notify_prefs_update(r->svc, &r->arena, r->tenant_id, r->who.user_id,
                                          r->who.role, &in, &p, &d);
    json_decref(body); /* after the operation: in borrows its keys */
    if (rc != ERR_OK)
        http_problem(r, rc, &d);
    else
        http_json(r, 200, h_prefs_json(&p));
}

/* ---- low-balance thresholds ------------------------------------------------- */

static json_t *h_thresholds_json(const struct svc_threshold *t, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++)
        json_object_set_new(
            o, t[i].credit_type,
            t[i].threshold_minor < 0 ? json_null() : http_amount(t[i].threshold_minor, t[i].scale));
    return o;
}

void h_thresholds(struct http_request *r)
{
    int64_t customer_id;
    if (!h_path_customer(r, &customer_id))
        return;
    struct svc_threshold t[SVC_THRESHOLDS_MAX];
    size_t n = 0;
    enum err rc = svc_thresholds_get(r->svc, &r->arena, r->tenant_id, customer_id, t, &n);
    if (rc != ERR_OK)
        http_problem(r, rc, NULL);
    else
        http_json(r, 200, h_thresholds_json(t, n));
}

/* The body {"master": "10", "slave": null}: each key a credit type of the
 * tenant, each value an amount in its decimals or null (no threshold). */
static size_t h_thresholds_input(struct http_fields *f, const struct svc_threshold *now,
                                 size_t n_now, struct svc_threshold *in)
{
    size_t n = 0;
    for (size_t i = 0; i < n_now; i++) {
        json_t *v = json_object_get(f->obj, now[i].credit_type);
        if (v == NULL)
            continue;
        in[n] = now[i];
        if (json_is_null(v)) {
            (void)http_field_raw(f, now[i].credit_type); /* seen: not an unknown field */
            in[n].threshold_minor = -1;
        } else {
            if (http_field_amount(f, now[i].credit_type, now[i].scale, true,
                                  &in[n].threshold_minor) &&
                in[n].threshold_minor < 0)
                http_field_error(f, now[i].credit_type, "must be 0 or more, or null for none");
        }
        n++;
    }
    return n;
}

void h_thresholds_update(struct http_request *r)
{
    int64_t customer_id;
    if (!h_path_customer(r, &customer_id))
        return;
    struct svc_threshold now[SVC_THRESHOLDS_MAX], in[SVC_THRESHOLDS_MAX];
    size_t n_now = 0;
    enum err rc = svc_thresholds_get(r->svc, &r->arena, r->tenant_id, customer_id, now, &n_now);
    if (rc != ERR_OK) {
        http_problem(r, rc, NULL);
        return;
    }
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    size_t n = h_thresholds_input(&f, now, n_now, in);
    bool ok = http_fields_done(&f); /* a key that is no credit type is unknown */
    json_decref(body);
    if (!ok)
        return;
    struct err_detail d = {0};
    rc = svc_thresholds_set(r->svc, &r->arena, r->tenant_id, customer_id, in, n, now, &n_now, &d);
    if (rc != ERR_OK)
        http_problem(r, rc, &d);
    else
        http_json(r, 200, h_thresholds_json(now, n_now));
}

/* ---- one-click unsubscribe ---------------------------------------------------- */

static void h_unsubscribe_page(struct http_request *r, int status, const char *title,
                               const char *text, bool button)
{
    char *page = arena_printf(
        &r->arena,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width\"><title>%s</title></head>\n"
        "<body><main><h1>%s</h1><p>%s</p>%s</main></body></html>\n",
        title, title, text,
        button ? "<form method=\"post\"><button type=\"submit\">Unsubscribe</button></form>" : "");
    if (page == NULL)
        http_problem_msg(r, ERR_TOO_LARGE, "the page does not fit in memory");
    else
        http_text(r, status, "text/html; charset=utf-8", page, strlen(page));
}

void h_unsubscribe_form(struct http_request *r)
{
    const char *token = r->params[0];
    size_t n = strlen(token);
    if (n != 32 || strspn(token, "0123456789abcdef") != n) {
        h_unsubscribe_page(r, 404, "Link not valid", "This unsubscribe link is not valid.", false);
        return;
    }
    h_unsubscribe_page(r, 200, "Unsubscribe",
                       "Stop mails of this kind? Other mails keep coming; you can change this "
                       "any time under notification settings.",
                       true);
}

void h_unsubscribe(struct http_request *r)
{
    const char *event = NULL;
    enum err rc = svc_unsubscribe(r->svc, r->tenant_id, r->params[0], &event);
    if (rc == ERR_NOT_FOUND)
        h_unsubscribe_page(r, 404, "Link not valid", "This unsubscribe link is not valid.", false);
    else if (rc != ERR_OK)
        http_problem(r, rc, NULL);
    else
        h_unsubscribe_page(r, 200, "Unsubscribed",
                           arena_printf(&r->arena, "You will get no more mails about %s.", event),
                           false);
}

/* ---- the admin's mail status and test mail --------------------------------------- */

void h_notify_status(struct http_request *r)
{
    struct svc_notify_status st;
    svc_notify_status(r->svc, &st);
    json_t *mail = json_pack("{s:b}", "configured", st.mail_configured);
    json_object_set_new(mail, "relay", st.mail_configured ? json_string(st.relay) : json_null());
    json_object_set_new(mail, "from", st.mail_configured ? json_string(st.from) : json_null());
    http_json(r, 200,
              json_pack("{s:o, s:{s:b}, s:b}", "mail", mail, "webhooks", "allow_private",
                        st.webhook_allow_private, "dispatching", st.dispatching));
}

void h_notify_test_mail(struct http_request *r)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    struct svc_mail_test_input in = {
        .to = http_field_string(&f, "to", true, MAIL_ADDRESS_BYTES_MAX), .tenant_id = r->tenant_id};
    if (!http_fields_done(&f)) {
        json_decref(body);
        return;
    }
    struct svc_mail_test_result out;
    struct err_detail d = {0};
    enum err rc = svc_mail_test(r->svc, &r->arena, &in, &out, &d);
    json_decref(body); /* after the operation: in borrows "to" */
    if (rc != ERR_OK)
        http_problem(r, rc, &d);
    else
        http_json(r, 200,
                  json_pack("{s:s, s:s}", "message_id", out.message_id, "relay", out.relay));
}
