/*
 * Insight: a customer's credits in and out over a period. Staff and admins
 * read any customer of the tenant; a member only their own (404 otherwise).
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
