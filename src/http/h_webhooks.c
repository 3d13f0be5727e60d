/*
 * The API of notifications for the business's team: webhook endpoints
 * (create, list, read, change, delete, a new secret), an endpoint's delivery
 * log, sending a delivery again, and the event log with each event's
 * deliveries.
 *
 * A signing secret appears in two answers only, create and rotate-secret;
 * the service returns every other row without it. Must not: talk to the
 * store or the delivery layer (the service does), or log a secret.
 */
#include <string.h>

#include "http/http_int.h"

/* Text from the database that may hold anything a receiver answered: as is
 * when it is UTF-8, else with every byte outside ASCII shown as '?'. "" is
 * null. */
static json_t *h_webhook_text(struct http_request *r, const char *s)
{
    if (s == NULL || s[0] == '\0')
        return json_null();
    json_t *v = json_string(s);
    if (v != NULL)
        return v;
    char *copy = arena_strdup(&r->arena, s);
    if (copy == NULL)
        return json_null();
    for (char *p = copy; *p != '\0'; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    v = json_string(copy);
    return v != NULL ? v : json_null();
}

/* "order.created,order.completed" or "*" as a list. */
static json_t *h_webhook_events_json(const char *events)
{
    json_t *out = json_array();
    for (const char *at = events; at != NULL && *at != '\0';) {
        size_t len = strcspn(at, ",");
        json_array_append_new(out, json_stringn(at, len));
        at = at[len] == ',' ? at + len + 1 : NULL;
    }
    return out;
}

static json_t *h_webhook_json(const struct webhook_endpoint_row *w)
{
    ASSERT(w != NULL);
    ASSERT(w->url != NULL);
    bool reason = w->disabled && w->disabled_reason != NULL && w->disabled_reason[0] != '\0';
    json_t *o =
        json_pack("{s:o, s:s, s:o, s:s, s:b, s:o, s:o, s:o, s:o}", "id", http_id("whe", w->id),
                  "url", w->url, "events", h_webhook_events_json(w->events), "description",
                  w->description ? w->description : "", "disabled", w->disabled, "disabled_reason",
                  reason ? json_string(w->disabled_reason) : json_null(), "failing_since",
                  http_time(w->failing_since_us), "created_at", http_time(w->created_at_us),
                  "updated_at", http_time(w->updated_at_us));
    return o != NULL ? o : json_object();
}

/* An endpoint as an operation leaves it, and its secret when it made one.
 * The renderer runs inside the operation's transaction and reads only this. */
struct h_webhook_answer {
    struct webhook_endpoint_row row;
    char secret[SVC_WEBHOOK_SECRET_TEXT];
    bool with_secret;
    int status;
};

static json_t *h_webhook_render(void *ctx, int *status)
{
    struct h_webhook_answer *x = ctx;
    *status = x->status;
    ASSERT(x->row.id > 0); /* the operation wrote it */
    json_t *o = h_webhook_json(&x->row);
    if (x->with_secret)
        json_object_set_new(o, "secret", json_string(x->secret));
    return o;
}

/* Answers an operation on an endpoint, then forgets the secret. */
static void h_webhook_respond(struct http_request *r, struct h_webhook_answer *x, enum err rc,
                              struct err_detail *d)
{
    if (rc == ERR_NOT_FOUND && d->message[0] == '\0')
        err_set(d, ERR_NOT_FOUND, "", "no such webhook endpoint");
    http_respond(r, rc, d, h_webhook_render, x);
    memset(x->secret, 0, sizeof(x->secret));
}

/* The field events: an array of event type names (or "*"), checked by the
 * service's rules so its errors come with the others. *n 0 when absent or
 * wrong. */
static void h_webhook_events_field(struct http_fields *f, bool required,
                                   const char *out[SVC_WEBHOOK_EVENTS_MAX], size_t *n)
{
    *n = 0;
    json_t *v = http_field_raw(f, "events");
    if (v == NULL) {
        if (required)
            http_field_error(f, "events", "is required");
        return;
    }
    if (!json_is_array(v) || json_array_size(v) > SVC_WEBHOOK_EVENTS_MAX) {
        http_field_error(f, "events",
                         "must be an array of at most 64 event type names, or [\"*\"]");
        return;
    }
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e)) {
            http_field_error(f, "events", "must hold event type names (strings)");
            return;
        }
        out[i] = json_string_value(e);
    }
    struct err_detail d = {0};
    if (svc_webhook_events_check(out, json_array_size(v), &d) != ERR_OK) {
        http_field_error_detail(f, "events", &d);
        return;
    }
    for (i = 0; i < json_array_size(v); i++)
        out[i] = arena_strdup(&f->r->arena, out[i]);
    *n = json_array_size(v);
}

void h_webhook_create(struct http_request *r)
{
    ASSERT(r->role == ROLE_ADMIN); /* the route says who */
    ASSERT(r->tenant_id > 0);
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    const char *events[SVC_WEBHOOK_EVENTS_MAX];
    struct svc_webhook_input in = {.events = events};
    in.url = http_field_string(&f, "url", true, WEBHOOK_URL_BYTES_MAX);
    h_webhook_events_field(&f, true, events, &in.n_events);
    in.description = http_field_string(&f, "description", false, NOTE_BYTES_MAX);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    struct h_webhook_answer x = {.with_secret = true, .status = 201};
    http_idem_arm(r, h_webhook_render, &x);
    struct err_detail d = {0};
    enum err rc = svc_webhook_create(r->svc, &r->arena, r->tenant_id, &in, &x.row, x.secret, &d);
    h_webhook_respond(r, &x, rc, &d);
}

void h_webhooks(struct http_request *r)
{
    ASSERT(r->role == ROLE_ADMIN); /* the route says who */
    ASSERT(r->tenant_id > 0);
    struct webhook_endpoint_row *rows;
    size_t n;
    enum err rc = svc_webhook_list(r->svc, &r->arena, r->tenant_id, &rows, &n);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, h_webhook_json(&rows[i]));
    http_json(r, 200, json_pack("{s:o}", "items", items));
}

void h_webhook(struct http_request *r)
{
    ASSERT(r->role == ROLE_ADMIN); /* the route says who */
    ASSERT(r->tenant_id > 0);
    int64_t id;
    if (!http_param_id(r, 0, "whe", &id))
        return;
    struct webhook_endpoint_row row;
    enum err rc = svc_webhook_get(r->svc, &r->arena, r->tenant_id, id, &row);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    http_json(r, 200, h_webhook_json(&row));
}

void h_webhook_update(struct http_request *r)
{
    ASSERT(r->role == ROLE_ADMIN); /* the route says who */
    ASSERT(r->tenant_id > 0);
    int64_t id;
    if (!http_param_id(r, 0, "whe", &id))
        return;
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    const char *events[SVC_WEBHOOK_EVENTS_MAX];
    struct svc_webhook_input in = {.events = events};
    in.url = http_field_string(&f, "url", false, WEBHOOK_URL_BYTES_MAX);
    h_webhook_events_field(&f, false, events, &in.n_events);
    in.description = http_field_string(&f, "description", false, NOTE_BYTES_MAX);
    in.set_disabled = http_field_bool(&f, "disabled", &in.disabled);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    struct h_webhook_answer x = {.status = 200};
    http_idem_arm(r, h_webhook_render, &x);
    struct err_detail d = {0};
    enum err rc =
        svc_webhook_update(r->svc, &r->arena, r->tenant_id, &r->actor, id, &in, &x.row, &d);
    h_webhook_respond(r, &x, rc, &d);
}

void h_webhook_delete(struct http_request *r)
{
    ASSERT(r->role == ROLE_ADMIN); /* the route says who */
    ASSERT(r->tenant_id > 0);
    int64_t id;
    if (!http_param_id(r, 0, "whe", &id))
        return;
    enum err rc = svc_webhook_delete(r->svc, r->tenant_id, id);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    http_text(r, 204, "application/json", "", 0);
}

void h_webhook_rotate(struct http_request *r)
{
    ASSERT(r->role == ROLE_ADMIN); /* the route says who */
    ASSERT(r->tenant_id > 0);
    int64_t id;
    if (!http_param_id(r, 0, "whe", &id))
        return;
    struct h_webhook_answer x = {.with_secret = true, .status = 200};
    http_idem_arm(r, h_webhook_render, &x);
    struct err_detail d = {0};
    enum err rc = svc_webhook_rotate_secret(r->svc, &r->arena, r->tenant_id, id, &x.row, x.secret);
    h_webhook_respond(r, &x, rc, &d);
}

/* ---- deliveries ----------------------------------------------------------- */

static json_t *h_attempt_json(struct http_request *r, const struct svc_delivery_attempt *a)
{
    const struct delivery_attempt_row *row = &a->row;
    ASSERT(row->outcome != NULL);
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:I, s:s, s:o, s:o}", "id", http_id("att", row->id),
                     "delivery_id", http_id("dlv", row->delivery_id), "event_id",
                     http_id("evt", a->event_id), "attempted_at", http_time(row->attempted_at_us),
                     "status", row->http_status > 0 ? json_integer(row->http_status) : json_null(),
                     "duration_ms", (json_int_t)row->duration_ms, "outcome", row->outcome,
                     "response_excerpt", h_webhook_text(r, row->excerpt), "error",
                     h_webhook_text(r, row->error));
}

void h_webhook_deliveries(struct http_request *r)
{
    ASSERT(r->role == ROLE_ADMIN); /* the route says who */
    ASSERT(r->tenant_id > 0);
    int64_t id;
    if (!http_param_id(r, 0, "whe", &id))
        return;
    struct h_read_params p;
    h_read_params_begin(&p, r);
    size_t limit = h_read_limit(&p);
    int64_t cursor = h_read_id(&p, "cursor", "att");
    if (!h_read_params_done(&p))
        return;
    struct svc_delivery_attempts page;
    enum err rc =
        svc_webhook_attempts_read(r->svc, &r->arena, r->tenant_id, id, cursor, limit, &page);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < page.n; i++)
        json_array_append_new(items, h_attempt_json(r, &page.items[i]));
    int64_t last = page.n ? page.items[page.n - 1].row.id : 0;
    http_json(r, 200, h_read_page(items, "att", last, page.more));
}

/* A delivery as the event log and a resend show it; the next attempt only
 * while one is due. */
static json_t *h_delivery_json(struct http_request *r, const struct delivery_row *dl)
{
    ASSERT(dl->channel != NULL);
    ASSERT(dl->status != NULL);
    bool pending = strcmp(dl->status, "pending") == 0;
    return json_pack("{s:o, s:o, s:s, s:o, s:o, s:s, s:I, s:o, s:o, s:o, s:o}", "id",
                     http_id("dlv", dl->id), "event_id", http_id("evt", dl->event_id), "channel",
                     dl->channel, "endpoint_id", http_id("whe", dl->endpoint_id), "recipient",
                     h_webhook_text(r, dl->recipient), "status", dl->status, "attempts",
                     (json_int_t)dl->attempts, "next_attempt_at",
                     pending ? http_time(dl->next_attempt_at_us) : json_null(), "last_error",
                     h_webhook_text(r, dl->last_error), "delivered_at",
                     http_time(dl->delivered_at_us), "created_at", http_time(dl->created_at_us));
}

struct h_resend_answer {
    struct http_request *r;
    struct delivery_row row;
};

static json_t *h_resend_render(void *ctx, int *status)
{
    struct h_resend_answer *x = ctx;
    *status = 202;
    ASSERT(x->row.id > 0);
    return h_delivery_json(x->r, &x->row);
}

void h_delivery_resend(struct http_request *r)
{
    ASSERT(r->role == ROLE_ADMIN); /* the route says who */
    ASSERT(r->tenant_id > 0);
    int64_t id;
    if (!http_param_id(r, 0, "dlv", &id))
        return;
    struct h_resend_answer x = {.r = r};
    http_idem_arm(r, h_resend_render, &x);
    struct err_detail d = {0};
    enum err rc = svc_delivery_resend(r->svc, &r->arena, r->tenant_id, id, &x.row, &d);
    if (rc == ERR_NOT_FOUND)
        err_set(&d, ERR_NOT_FOUND, "", "no such delivery");
    http_respond(r, rc, &d, h_resend_render, &x);
}

/* ---- the event log -------------------------------------------------------- */

/* A JSON text from the database: parsed, or null when it is not JSON. */
static json_t *h_event_parse(const char *text)
{
    if (text == NULL || text[0] == '\0')
        return json_null();
    json_error_t e;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
    return v != NULL ? v : json_null();
}

static json_t *h_event_json(const struct event_row *e)
{
    ASSERT(e != NULL);
    ASSERT(e->type != NULL);
    /* The payload is rendered when the event is fanned out; before that
     * there is no data yet. */
    json_t *body = h_event_parse(e->body);
    json_t *data = json_object_get(body, "data");
    json_t *o = json_pack("{s:o, s:s, s:o, s:o, s:O, s:o}", "id", http_id("evt", e->id), "type",
                          e->type, "created_at", http_time(e->created_at_us), "customer_id",
                          http_id("cus", e->customer_id), "data", data != NULL ? data : json_null(),
                          "attrs", h_event_parse(e->attrs));
    json_decref(body);
    return o != NULL ? o : json_object();
}

void h_events(struct http_request *r)
{
    ASSERT((r->role & ROLES_TEAM) != 0); /* the route says who */
    ASSERT(r->tenant_id > 0);
    struct h_read_params p;
    h_read_params_begin(&p, r);
    const char *type = h_read_text(&p, "type", 64);
    size_t limit = h_read_limit(&p);
    int64_t cursor = h_read_id(&p, "cursor", "evt");
    if (!h_read_params_done(&p))
        return;
    struct svc_events page;
    struct err_detail d = {0};
    enum err rc = svc_events_read(r->svc, &r->arena, r->tenant_id, type, cursor, limit, &page, &d);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, &d);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < page.n; i++)
        json_array_append_new(items, h_event_json(&page.items[i]));
    int64_t last = page.n ? page.items[page.n - 1].id : 0;
    http_json(r, 200, h_read_page(items, "evt", last, page.more));
}

void h_event(struct http_request *r)
{
    ASSERT((r->role & ROLES_TEAM) != 0); /* the route says who */
    ASSERT(r->tenant_id > 0);
    int64_t id;
    if (!http_param_id(r, 0, "evt", &id))
        return;
    struct svc_event_view v;
    enum err rc = svc_event_read(r->svc, &r->arena, r->tenant_id, id, &v);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    json_t *o = h_event_json(&v.event), *deliveries = json_array();
    for (size_t i = 0; i < v.n_deliveries; i++)
        json_array_append_new(deliveries, h_delivery_json(r, &v.deliveries[i]));
    json_object_set_new(o, "deliveries", deliveries);
    http_json(r, 200, o);
}
