/*
 * Insight: a customer's credits in and out over a period, the member's
 * dashboard (their own customer only, by construction) and the team's
 * dashboard. Staff and admins read any customer's summary in the tenant; a
 * member only their own (404 otherwise). Days are the tenant's local days.
 */
#include <string.h>

#include "http/http_int.h"

void h_customer_summary(struct http_request *r)
{
    int64_t id;
    if (!http_param_id(r, 0, "cus", &id) || !h_read_may_see(r, id))
        return;
    struct h_read_params p;
    h_read_params_begin(&p, r);
    int64_t from = h_read_time(&p, "from"), to = h_read_time(&p, "to");
    if (!h_read_params_done(&p))
        return;
    struct svc_summary sum;
    struct err_detail d = {0};
    enum err rc =
        svc_customer_summary_read(r->svc, &r->arena, r->tenant_id, id, from, to, &sum, &d);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, &d);
        return;
    }
    json_t *types = json_object();
    for (size_t t = 0; t < sum.n; t++) {
        int scale = sum.balances[t].scale;
        json_object_set_new(types, sum.balances[t].credit_type,
                            json_pack("{s:o, s:o, s:o}", "purchased",
                                      http_amount(sum.purchased_minor[t], scale), "used",
                                      http_amount(sum.used_minor[t], scale), "balance",
                                      http_amount(sum.balances[t].balance_minor, scale)));
    }
    json_t *o = json_pack("{s:o, s:o, s:o, s:o}", "customer_id", http_id("cus", id), "from",
                          http_time(from), "to", http_time(to), "credit_types", types);
    http_json(r, 200, o);
}

static json_t *h_dash_series(const struct svc_type_insight *ti)
{
    json_t *a = json_array();
    for (size_t d = 0; d < SVC_DASHBOARD_DAYS; d++)
        json_array_append_new(a, http_amount(ti->daily_minor[d], ti->type->scale));
    return a;
}

static json_t *h_dash_member_type(const struct svc_type_insight *ti)
{
    int sc = ti->type->scale;
    json_t *expiring = json_array();
    for (size_t i = 0; i < ti->n_expiring; i++) {
        const struct lot *l = &ti->expiring[i].lot;
        json_array_append_new(expiring,
                              json_pack("{s:o, s:o, s:o}", "lot_id", http_id("lot", l->id),
                                        "amount", http_amount(l->remaining_minor, sc), "expires_at",
                                        http_time(l->expires_at_us)));
    }
    json_t *o = json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:o}", "balance", http_amount(ti->balance.balance_minor, sc),
        "available", http_amount(ti->balance.available_minor, sc), "held",
        http_amount(ti->balance.held_minor, sc), "in_this_month",
        http_amount(ti->in_month_minor, sc), "out_this_month", http_amount(ti->out_month_minor, sc),
        "value", http_amount(ti->value_minor, H_READ_MONEY_SCALE));
    json_object_set_new(o, "expiring_soon", expiring);
    json_object_set_new(o, "spend_30d", h_dash_series(ti));
    json_object_set_new(o, "purchased", http_amount(ti->purchased_minor, sc));
    json_object_set_new(o, "used", http_amount(ti->used_minor, sc));
    return o;
}

void h_me_dashboard(struct http_request *r)
{
    struct svc_dashboard dash;
    enum err rc =
        svc_member_dashboard_read(r->svc, &r->arena, r->tenant_id, r->who.customer_id, &dash);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    json_t *types = json_object();
    for (size_t i = 0; i < dash.n; i++)
        json_object_set_new(types, dash.per_type[i].type->code,
                            h_dash_member_type(&dash.per_type[i]));
    http_json(r, 200,
              json_pack("{s:o, s:o, s:o, s:o}", "customer_id", http_id("cus", r->who.customer_id),
                        "first_day", http_time(dash.first_day_us), "month_start",
                        http_time(dash.month_start_us), "credit_types", types));
}

static json_t *h_dash_adjustment(const struct svc_types *types, const struct journal_row *row)
{
    const struct journal_entry *e = &row->entry;
    return json_pack("{s:o, s:o, s:o, s:s, s:o, s:s, s:s, s:s}", "id", http_id("jrn", e->id),
                     "created_at", http_time(e->created_at_us), "customer_id",
                     http_id("cus", e->customer_id), "credit_type", e->credit_type, "amount",
                     h_read_amount(types, row->credit_type_id, e->amount_minor), "actor", e->actor,
                     "reason", e->reason, "justification", e->justification);
}

void h_admin_dashboard(struct http_request *r)
{
    struct svc_dashboard dash;
    enum err rc = svc_admin_dashboard_read(r->svc, &r->arena, r->tenant_id, &dash);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    json_t *types = json_object();
    for (size_t i = 0; i < dash.n; i++) {
        const struct svc_type_insight *ti = &dash.per_type[i];
        json_object_set_new(
            types, ti->type->code,
            json_pack("{s:o, s:o, s:o, s:o}", "sold_30d", h_dash_series(ti), "outstanding",
                      http_amount(ti->balance.balance_minor, ti->type->scale), "held",
                      http_amount(ti->balance.held_minor, ti->type->scale), "outstanding_value",
                      http_amount(ti->value_minor, H_READ_MONEY_SCALE)));
    }
    json_t *recent = json_array();
    for (size_t i = 0; i < dash.n_recent; i++)
        json_array_append_new(recent, h_dash_adjustment(&dash.types, &dash.recent[i]));
    json_t *waiting = json_pack("{s:I, s:I}", "submitted", (json_int_t)dash.orders_submitted,
                                "in_progress", (json_int_t)dash.orders_in_progress);
    http_json(r, 200,
              json_pack("{s:o, s:o, s:o, s:o}", "first_day", http_time(dash.first_day_us),
                        "credit_types", types, "recent_adjustments", recent, "orders_waiting",
                        waiting));
}
