/*
 * What the read handlers share: query parameters validated into 422 problems
 * with every wrong field listed, the member binding (a customer's user reaches
 * only their own customer; anything else is 404 as if it did not exist), and
 * the JSON shapes that several endpoints return (a lot, balances, a page).
 * Must not: talk to the store; the service answers every question.
 */
#include <string.h>

#include "http/http_int.h"

void h_read_params_begin(struct h_read_params *p, struct http_request *r)
{
    p->obj = json_object();
    http_fields_begin(&p->f, r, p->obj);
}

bool h_read_params_done(struct h_read_params *p)
{
    bool ok = http_fields_done(&p->f);
    json_decref(p->obj);
    return ok;
}

const char *h_read_text(struct h_read_params *p, const char *name, size_t max_bytes)
{
    const char *v = http_query(p->f.r, name);
    if (v != NULL && strlen(v) > max_bytes) {
        http_field_error(&p->f, name, "is too long");
        return NULL;
    }
    return v != NULL && v[0] != '\0' ? v : NULL;
}

int64_t h_read_id(struct h_read_params *p, const char *name, const char *prefix)
{
    const char *v = h_read_text(p, name, ID_TEXT_BYTES);
    int64_t id = 0;
    if (v != NULL && !id_parse(v, prefix, &id)) {
        http_field_error(&p->f, name, "must be an id like '%s_1'", prefix);
        return 0;
    }
    return id;
}

int64_t h_read_time(struct h_read_params *p, const char *name)
{
    const char *v = h_read_text(p, name, 64);
    int64_t us = 0;
    if (v != NULL && !time_parse_rfc3339(v, &us)) {
        http_field_error(&p->f, name, "must be an RFC 3339 time like '2026-03-01T00:00:00Z'");
        return 0;
    }
    return us;
}

size_t h_read_limit(struct h_read_params *p)
{
    const char *v = h_read_text(p, "limit", 16);
    int64_t n = H_READ_LIMIT_DEFAULT;
    if (v != NULL && (!parse_int64(v, &n) || n < 1 || n > H_READ_LIMIT_MAX)) {
        http_field_error(&p->f, "limit", "must be a whole number from 1 to 200");
        return H_READ_LIMIT_DEFAULT;
    }
    return (size_t)n;
}

int64_t h_read_only_customer(const struct http_request *r)
{
    return (r->role & ROLES_MEMBER) ? r->who.customer_id : 0;
}

bool h_read_may_see(struct http_request *r, int64_t customer_id)
{
    int64_t only = h_read_only_customer(r);
    if (only == 0 || only == customer_id)
        return true;
    http_problem_msg(r, ERR_NOT_FOUND, "no such object");
    return false;
}

void h_read_fail(struct http_request *r, enum err rc, const struct err_detail *d)
{
    if (rc == ERR_NOT_FOUND) {
        http_problem_msg(r, ERR_NOT_FOUND, "no such object");
        return;
    }
    if (rc >= ERR_STORE_BUSY)
        http_metrics_store_error();
    http_problem(r, rc, d);
}

json_t *h_read_amount(const struct svc_types *types, int64_t type_id, int64_t minor)
{
    const struct credit_type_row *t = svc_type_find(types, type_id);
    return http_amount(minor, t ? t->scale : 0);
}

json_t *h_read_type_code(const struct svc_types *types, int64_t type_id)
{
    const struct credit_type_row *t = svc_type_find(types, type_id);
    return t ? json_string(t->code) : json_null();
}

json_t *h_read_type_amounts(const struct svc_types *types, size_t n, const int64_t *type_ids,
                            const int64_t *amounts_minor)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) {
        const struct credit_type_row *t = svc_type_find(types, type_ids[i]);
        if (t != NULL)
            json_object_set_new(o, t->code, http_amount(amounts_minor[i], t->scale));
    }
    return o;
}

json_t *h_read_balances(const struct svc_balance *b, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++)
        json_object_set_new(o, b[i].credit_type,
                            json_pack("{s:o, s:o, s:o}", "balance",
                                      http_amount(b[i].balance_minor, b[i].scale), "available",
                                      http_amount(b[i].available_minor, b[i].scale), "held",
                                      http_amount(b[i].held_minor, b[i].scale)));
    return o;
}

json_t *h_read_lot(const struct svc_types *types, const struct lot_row *r)
{
    const struct lot *l = &r->lot;
    json_t *o = json_pack("{s:o, s:o, s:o, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "id",
                          http_id("lot", l->id), "customer_id", http_id("cus", l->customer_id),
                          "credit_type", h_read_type_code(types, l->credit_type_id), "name",
                          r->name ? r->name : "", "notes", r->notes ? r->notes : "", "source",
                          lot_source_name(l->source), "status", lot_status_name(l->status),
                          "original", h_read_amount(types, l->credit_type_id, l->original_minor),
                          "remaining", h_read_amount(types, l->credit_type_id, l->remaining_minor),
                          "cost_basis", http_amount(r->cost_basis_minor, H_READ_MONEY_SCALE));
    json_object_set_new(o, "starts_at", http_time(l->starts_at_us));
    json_object_set_new(o, "expires_at", http_time(l->expires_at_us));
    json_object_set_new(o, "expiry_days_after_start", json_integer(l->expiry_days_after_start));
    json_object_set_new(o, "paused_at", http_time(l->paused_at_us));
    json_object_set_new(o, "start_on_first_use", json_boolean(l->start_on_first_use));
    json_object_set_new(o, "categories", json_string(l->categories ? l->categories : ""));
    json_object_set_new(o, "provider", json_string(l->provider ? l->provider : ""));
    json_object_set_new(o, "peak", json_string(r->peak_text ? r->peak_text : ""));
    json_object_set_new(o, "package_id", http_id("pkg", r->package_id));
    json_object_set_new(o, "invoice_id", http_id("inv", r->invoice_id));
    json_object_set_new(o, "created_at", http_time(l->created_at_us));
    return o;
}

json_t *h_read_page(json_t *items, const char *prefix, int64_t last_id, bool more)
{
    return json_pack("{s:o, s:o}", "items", items, "next_cursor",
                     more ? http_id(prefix, last_id) : json_null());
}
