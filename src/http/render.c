/*
 * JSON shapes shared by several handlers: a lot, a quote, an order result.
 * One renderer per shape, so every endpoint shows an object the same way.
 */
#include "http/http_int.h"

json_t *http_lot_json(const struct lot_row *r, const char *type_code, int scale)
{
    const struct lot *l = &r->lot;
    json_t *o = json_object();
    json_object_set_new(o, "id", http_id("lot", l->id));
    json_object_set_new(o, "customer_id", http_id("cus", l->customer_id));
    json_object_set_new(o, "credit_type", json_string(type_code));
    json_object_set_new(o, "name", json_string(r->name ? r->name : ""));
    json_object_set_new(o, "notes", json_string(r->notes ? r->notes : ""));
    json_object_set_new(o, "source", json_string(lot_source_name(l->source)));
    json_object_set_new(o, "status", json_string(lot_status_name(l->status)));
    json_object_set_new(o, "original", http_amount(l->original_minor, scale));
    json_object_set_new(o, "remaining", http_amount(l->remaining_minor, scale));
    json_object_set_new(o, "cost_basis", http_amount(r->cost_basis_minor, 2));
    json_object_set_new(o, "start_on_first_use", json_boolean(l->start_on_first_use));
    json_object_set_new(o, "starts_at", http_time(l->starts_at_us));
    json_object_set_new(o, "expires_at", http_time(l->expires_at_us));
    json_object_set_new(o, "expiry_days_after_start", json_integer(l->expiry_days_after_start));
    json_object_set_new(o, "paused_at", http_time(l->paused_at_us));
    json_object_set_new(o, "categories", json_string(l->categories ? l->categories : ""));
    json_object_set_new(o, "provider", json_string(l->provider ? l->provider : ""));
    json_object_set_new(o, "peak", json_string(r->peak_text ? r->peak_text : ""));
    json_object_set_new(o, "package_id", http_id("pkg", r->package_id));
    json_object_set_new(o, "invoice_id", http_id("inv", r->invoice_id));
    json_object_set_new(o, "created_at", http_time(l->created_at_us));
    return o;
}

json_t *http_quote_json(const struct svc_quote *q, const char *type_code)
{
    json_t *lines = json_array(), *draws = json_array();
    for (size_t i = 0; i < q->n_lines; i++)
        json_array_append_new(lines, json_pack("{s:o, s:s, s:s, s:s, s:o}", "service_id",
                                               http_id("svc", q->lines[i].service_id), "name",
                                               q->lines[i].name, "kind", q->lines[i].kind,
                                               "category", q->lines[i].category, "cost",
                                               http_amount(q->lines[i].cost_minor, q->scale)));
    for (size_t k = 0; k < q->n_draws; k++) {
        const struct svc_quote_draw *d = &q->draws[k];
        json_array_append_new(draws, json_pack("{s:o, s:s, s:o, s:o, s:o}", "lot_id",
                                               http_id("lot", d->lot_id), "lot_name",
                                               d->lot_name ? d->lot_name : "", "amount",
                                               http_amount(d->amount_minor, q->scale), "base",
                                               http_amount(d->base_minor, q->scale), "multiplier",
                                               http_amount(d->multiplier_permille, 3)));
    }
    return json_pack(
        "{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:o}", "credit_type", type_code, "base",
        http_amount(q->base_minor, q->scale), "total", http_amount(q->total_minor, q->scale),
        "balance", http_amount(q->balance_minor, q->scale), "available",
        http_amount(q->available_minor, q->scale), "balance_after",
        http_amount(q->balance_after_minor, q->scale), "lines", lines, "allocations", draws, "hold",
        q->hold, "duplicate_of", q->duplicate_of ? json_string(q->duplicate_of) : json_null());
}
