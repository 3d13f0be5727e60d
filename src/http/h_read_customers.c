/*
 * Reads of customers, their lots and their orders. Staff and admins see the
 * whole tenant; a member (owner or technician) is bound to their own
 * customer: another customer's object is 404 not_found, never 403, so ids of
 * other shops cannot be probed. Lists are keyset pages (cursor = last id).
 */
#include <string.h>

#include "http/http_int.h"

static json_t *h_customer_json(const struct svc_customer_view *v)
{
    const struct customer_row *c = &v->row;
    json_t *o =
        json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:o}", "id", http_id("cus", c->id), "name",
                  c->name ? c->name : "", "email", c->email ? c->email : "", "vat_id",
                  c->vat_id ? c->vat_id : "", "country", c->country ? c->country : "", "locale",
                  c->locale ? c->locale : "", "created_at", http_time(c->created_at_us));
    json_object_set_new(o, "language", json_string(http_language(c->locale)));
    json_object_set_new(o, "status", json_string(c->status && c->status[0] ? c->status : "active"));
    json_object_set_new(o, "address", json_string(c->address ? c->address : ""));
    json_object_set_new(o, "balances", h_read_balances(v->balances, v->n_balances));
    return o;
}

void h_customers(struct http_request *r)
{
    struct h_read_params p;
    h_read_params_begin(&p, r);
    const char *q = h_read_text(&p, "q", NAME_BYTES_MAX);
    const char *status = h_read_text(&p, "status", 16);
    size_t limit = h_read_limit(&p);
    int64_t after = h_read_id(&p, "cursor", "cus");
    if (!h_read_params_done(&p))
        return;
    struct svc_customer_page page;
    enum err rc =
        svc_customer_list_read(r->svc, &r->arena, r->tenant_id, q, status, after, limit, &page);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < page.n; i++)
        json_array_append_new(items, h_customer_json(&page.items[i]));
    int64_t last = page.n ? page.items[page.n - 1].row.id : 0;
    http_json(r, 200, h_read_page(items, "cus", last, page.more));
}

void h_customer(struct http_request *r)
{
    int64_t id;
    if (!http_param_id(r, 0, "cus", &id) || !h_read_may_see(r, id))
        return;
    struct svc_customer_view v;
    enum err rc = svc_customer_read(r->svc, &r->arena, r->tenant_id, id, &v);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    json_t *o = h_customer_json(&v);
    json_t *members = json_array();
    for (size_t i = 0; i < v.n_members; i++) {
        /* A technician's monthly limits by credit type (only those set). */
        json_t *limits = json_object();
        for (size_t k = 0; k < v.n_balances; k++) {
            int64_t limit = v.member_limits_minor[i * v.n_balances + k];
            if (limit >= 0)
                json_object_set_new(limits, v.balances[k].credit_type,
                                    http_amount(limit, v.balances[k].scale));
        }
        json_array_append_new(members,
                              json_pack("{s:o, s:s, s:s, s:o}", "user_id",
                                        http_id("usr", v.members[i].user_id), "email",
                                        v.members[i].email ? v.members[i].email : "", "role",
                                        v.members[i].role, "monthly_limits", limits));
    }
    json_object_set_new(o, "members", members);
    http_json(r, 200, o);
}

void h_customer_lots(struct http_request *r)
{
    int64_t id;
    if (!http_param_id(r, 0, "cus", &id) || !h_read_may_see(r, id))
        return;
    struct svc_lots lots;
    enum err rc = svc_lots_read(r->svc, &r->arena, r->tenant_id, id, &lots);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < lots.n; i++)
        json_array_append_new(items, h_read_lot(&lots.types, &lots.items[i]));
    http_json(r, 200, json_pack("{s:o}", "items", items));
}

void h_lot(struct http_request *r)
{
    int64_t id;
    if (!http_param_id(r, 0, "lot", &id))
        return;
    struct svc_lots lots;
    enum err rc =
        svc_lot_read(r->svc, &r->arena, r->tenant_id, id, h_read_only_customer(r), false, &lots);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    http_json(r, 200, h_read_lot(&lots.types, &lots.items[0]));
}

void h_lot_history(struct http_request *r)
{
    int64_t id;
    if (!http_param_id(r, 0, "lot", &id))
        return;
    struct svc_lots lots;
    enum err rc =
        svc_lot_read(r->svc, &r->arena, r->tenant_id, id, h_read_only_customer(r), true, &lots);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    int64_t type_id = lots.items[0].lot.credit_type_id;
    json_t *items = json_array();
    for (size_t i = 0; i < lots.n_history; i++) {
        const struct lot_event_row *e = &lots.history[i];
        json_t *o =
            json_pack("{s:s, s:o, s:s, s:s, s:o, s:o}", "kind", e->kind ? e->kind : "", "amount",
                      h_read_amount(&lots.types, type_id, e->amount_minor), "detail",
                      e->detail ? e->detail : "", "actor", e->actor ? e->actor : "", "journal_id",
                      http_id("jrn", e->journal_id), "created_at", http_time(e->created_at_us));
        json_array_append_new(items, o);
    }
    http_json(r, 200, json_pack("{s:o}", "items", items));
}

/* The stored vehicle text is JSON written by the order form; anything else
 * reads as null rather than failing the page. */
static json_t *h_order_vehicle(const char *text)
{
    json_t *v = text && text[0] ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (v != NULL && !json_is_object(v)) {
        json_decref(v);
        v = NULL;
    }
    return v ? v : json_null();
}

static json_t *h_order_json(const struct svc_types *types, const struct order_row *o)
{
    json_t *j =
        json_pack("{s:o, s:s, s:o, s:o, s:o, s:s, s:s}", "id", http_id("ord", o->id), "reference",
                  o->reference ? o->reference : "", "customer_id", http_id("cus", o->customer_id),
                  "member_user_id", http_id("usr", o->member_user_id), "credit_type",
                  h_read_type_code(types, o->credit_type_id), "status", o->status ? o->status : "",
                  "charge_mode", o->charge_mode ? o->charge_mode : "");
    json_object_set_new(j, "base", h_read_amount(types, o->credit_type_id, o->base_minor));
    json_object_set_new(j, "total", h_read_amount(types, o->credit_type_id, o->total_minor));
    json_object_set_new(j, "vehicle", h_order_vehicle(o->vehicle));
    json_object_set_new(j, "notes", json_string(o->notes ? o->notes : ""));
    json_object_set_new(j, "cancel_reason", json_string(o->cancel_reason ? o->cancel_reason : ""));
    json_object_set_new(j, "created_by", json_string(o->created_by ? o->created_by : ""));
    json_object_set_new(j, "created_at", http_time(o->created_at_us));
    json_object_set_new(j, "updated_at", http_time(o->updated_at_us));
    return j;
}

/* status=submitted,in_progress: the statuses wanted, each once. */
static void h_orders_statuses(struct h_read_params *p, struct order_filter *f)
{
    static const char *const known[ORDER_STATUSES_MAX] = {"submitted", "in_progress", "completed",
                                                          "cancelled"};
    const char *v = h_read_text(p, "status", 64);
    for (const char *at = v; at != NULL;) {
        size_t len = strcspn(at, ",");
        const char *hit = NULL;
        for (size_t i = 0; i < ORDER_STATUSES_MAX && hit == NULL; i++)
            if (strlen(known[i]) == len && strncmp(at, known[i], len) == 0)
                hit = known[i];
        for (size_t i = 0; hit != NULL && i < f->n_statuses; i++)
            if (f->statuses[i] == hit)
                hit = NULL;
        if (hit == NULL) {
            http_field_error(&p->f, "status",
                             "must list submitted, in_progress, completed or cancelled, "
                             "each once, separated by commas");
            f->n_statuses = 0;
            return;
        }
        f->statuses[f->n_statuses++] = hit;
        at = at[len] == ',' ? at + len + 1 : NULL;
    }
}

void h_orders(struct http_request *r)
{
    struct h_read_params p;
    h_read_params_begin(&p, r);
    struct order_filter f = {.customer_id = h_read_id(&p, "customer", "cus"),
                             .limit = h_read_limit(&p),
                             .before_id = h_read_id(&p, "cursor", "ord")};
    h_orders_statuses(&p, &f);
    if (!h_read_params_done(&p))
        return;
    /* A member's list is their customer's, whatever they ask for. */
    if (h_read_only_customer(r) != 0)
        f.customer_id = h_read_only_customer(r);
    struct svc_orders page;
    enum err rc = svc_orders_read(r->svc, &r->arena, r->tenant_id, &f, &page);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < page.n; i++)
        json_array_append_new(items, h_order_json(&page.types, &page.items[i].row));
    int64_t last = page.n ? page.items[page.n - 1].row.id : 0;
    http_json(r, 200, h_read_page(items, "ord", last, page.more));
}

/* Who moved the order when, from which status to which, and why. */
static json_t *h_order_history(const struct svc_order_view *v)
{
    json_t *history = json_array();
    for (size_t i = 0; i < v->n_events; i++) {
        const struct order_event_row *e = &v->events[i];
        json_array_append_new(
            history,
            json_pack("{s:o, s:s, s:o, s:s, s:s, s:s, s:s}", "at", http_time(e->created_at_us),
                      "event", e->event, "from",
                      e->from_status[0] ? json_string(e->from_status) : json_null(), "to",
                      e->to_status, "actor", e->actor, "reason", e->reason, "detail", e->detail));
    }
    return history;
}

json_t *h_order_details(const struct svc_types *types, const struct svc_order_view *v)
{
    json_t *o = h_order_json(types, &v->row);
    int64_t type_id = v->row.credit_type_id;
    json_t *lines = json_array(), *allocs = json_array();
    for (size_t i = 0; i < v->n_lines; i++) {
        const struct order_line_row *l = &v->lines[i];
        json_array_append_new(
            lines, json_pack("{s:o, s:s, s:s, s:s, s:o}", "service_id",
                             http_id("svc", l->service_id), "name", l->name ? l->name : "", "kind",
                             l->kind ? l->kind : "", "category", l->category ? l->category : "",
                             "cost", h_read_amount(types, type_id, l->cost_minor)));
    }
    for (size_t i = 0; i < v->n_allocations; i++) {
        const struct allocation_row *a = &v->allocations[i];
        char mult[AMOUNT_TEXT_BYTES];
        amount_format(a->multiplier_permille, 3, mult, sizeof(mult));
        /* "1.500" reads as "1.5": trailing zeros after the point go. */
        size_t len = strlen(mult);
        while (len > 0 && mult[len - 1] == '0')
            mult[--len] = '\0';
        if (len > 0 && mult[len - 1] == '.')
            mult[--len] = '\0';
        json_array_append_new(
            allocs, json_pack("{s:o, s:o, s:o, s:s}", "lot_id", http_id("lot", a->lot_id), "amount",
                              h_read_amount(types, type_id, a->amount_minor), "base",
                              h_read_amount(types, type_id, a->base_minor), "multiplier", mult));
    }
    json_object_set_new(o, "lines", lines);
    json_object_set_new(o, "allocations", allocs);
    json_object_set_new(o, "history", h_order_history(v));
    json_t *files = json_array();
    for (size_t i = 0; i < v->n_files; i++)
        json_array_append_new(files, http_file_json(&v->files[i]));
    json_object_set_new(o, "files", files);
    return o;
}

void h_order(struct http_request *r)
{
    int64_t id;
    if (!http_param_id(r, 0, "ord", &id))
        return;
    struct svc_orders one;
    enum err rc =
        svc_order_read(r->svc, &r->arena, r->tenant_id, id, h_read_only_customer(r), &one);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    http_json(r, 200, h_order_details(&one.types, &one.items[0]));
}
