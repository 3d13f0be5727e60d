/*
 * The API's changes to existing setup objects: customers, packages (and their
 * archiving), services, and a technician's monthly limits. A PATCH changes
 * only the fields it sends; everything else stays.
 */
#include <string.h>

#include "http/http_int.h"

struct h_patch_answer {
    json_t *body;
    int status;
};

static json_t *h_patch_render(void *ctx, int *status)
{
    struct h_patch_answer *x = ctx;
    *status = x->status;
    return json_deep_copy(x->body);
}

static void h_patch_respond(struct http_request *r, struct h_patch_answer *x, enum err rc,
                            const struct err_detail *d)
{
    http_respond(r, rc, d, h_patch_render, x);
    json_decref(x->body);
}

void h_customer_update(struct http_request *r)
{
    int64_t id;
    if (!http_param_id(r, 0, "cus", &id))
        return;
    struct svc_customer_view view;
    if (svc_customer_read(r->svc, &r->arena, r->tenant_id, id, &view) != ERR_OK) {
        http_problem_msg(r, ERR_NOT_FOUND, "no such customer");
        return;
    }
    struct customer_row c = view.row;
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    const char *v;
    if ((v = http_field_string(&f, "name", false, NAME_BYTES_MAX)) != NULL)
        c.name = v;
    if ((v = http_field_string(&f, "email", false, NAME_BYTES_MAX)) != NULL)
        c.email = v;
    if ((v = http_field_string(&f, "vat_id", false, 32)) != NULL)
        c.vat_id = v;
    if ((v = http_field_string(&f, "country", false, 2)) != NULL)
        c.country = v;
    if ((v = http_field_string(&f, "locale", false, 5)) != NULL)
        c.locale = v;
    if ((v = http_field_string(&f, "address", false, ADDRESS_BYTES_MAX)) != NULL)
        c.address = v;
    if ((v = http_field_language(&f, "language")) != NULL)
        c.locale = v; /* the documents' language; "locale" is its older name */
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    struct h_patch_answer x = {.body = json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:o}", "id",
                                                 http_id("cus", id), "name", c.name, "email",
                                                 c.email, "vat_id", c.vat_id, "country", c.country,
                                                 "locale", c.locale ? c.locale : "", "created_at",
                                                 http_time(c.created_at_us)),
                               .status = 200};
    json_object_set_new(x.body, "address", json_string(c.address ? c.address : ""));
    json_object_set_new(x.body, "language", json_string(http_language(c.locale)));
    http_idem_arm(r, h_patch_render, &x);
    struct err_detail d = {0};
    enum err rc = svc_customer_update(r->svc, r->tenant_id, &c, &d);
    h_patch_respond(r, &x, rc, &d);
}

/* Package or service amounts as they stand, by code, for a PATCH that keeps them. */
static size_t h_amounts_of(const struct svc_types *types, const int64_t *ids,
                           const int64_t *amounts, size_t n, struct svc_amount *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct credit_type_row *t = svc_type_find(types, ids[i]);
        if (t != NULL)
            out[k++] = (struct svc_amount){.credit_type = t->code, .amount_minor = amounts[i]};
    }
    return k;
}

static const struct package_row *h_find_package(const struct svc_catalog *c, int64_t id)
{
    for (size_t i = 0; i < c->n_packages; i++)
        if (c->packages[i].id == id)
            return &c->packages[i];
    return NULL;
}

/* The package of the path as an input for saving, with its credits by code;
 * NULL with 404 queued when the tenant has no such package. */
static const struct package_row *h_package_input(struct http_request *r, struct svc_catalog *cat,
                                                 struct svc_package_input *in)
{
    int64_t id;
    if (!http_param_id(r, 0, "pkg", &id) || !h_catalog(r, cat))
        return NULL;
    const struct package_row *p = h_find_package(cat, id);
    if (p == NULL) {
        http_problem_msg(r, ERR_NOT_FOUND, "no such package");
        return NULL;
    }
    memset(in, 0, sizeof(*in));
    in->row = *p;
    in->n_credits = h_amounts_of(&cat->types, p->credit_type_ids, p->credit_amounts_minor,
                                 p->n_credits, in->credits);
    return p;
}

static void h_package_save(struct http_request *r, struct svc_package_input *in)
{
    struct h_patch_answer x = {
        .body = json_pack("{s:o, s:s, s:o, s:b, s:b}", "id", http_id("pkg", in->row.id), "name",
                          in->row.name, "price", http_amount(in->row.price_minor, 2), "published",
                          in->row.published, "archived", in->row.archived),
        .status = 200};
    http_idem_arm(r, h_patch_render, &x);
    struct err_detail d = {0};
    enum err rc = svc_package_update(r->svc, r->tenant_id, in, &d);
    h_patch_respond(r, &x, rc, &d);
}

void h_package_update(struct http_request *r)
{
    struct svc_catalog cat;
    struct svc_package_input in;
    const struct package_row *p = h_package_input(r, &cat, &in);
    if (p == NULL)
        return;
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    const char *v;
    int64_t sort = p->sort_order, vat = p->vat_rate_bp;
    if ((v = http_field_string(&f, "name", false, NAME_BYTES_MAX)) != NULL)
        in.row.name = v;
    if ((v = http_field_string(&f, "description", false, NOTE_BYTES_MAX)) != NULL)
        in.row.description = v;
    h_amounts_field(&f, &cat.types, "credits", false, in.credits, &in.n_credits,
                    PACKAGE_CREDIT_TYPES_MAX);
    http_field_amount(&f, "price", 2, false, &in.row.price_minor);
    if (http_field_amount(&f, "vat_rate", 2, false, &vat))
        in.row.vat_rate_bp = (int32_t)vat;
    http_field_bool(&f, "published", &in.row.published);
    http_field_bool(&f, "archived", &in.row.archived);
    http_field_int(&f, "sort_order", 0, 1000000, &sort);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    in.row.sort_order = (int)sort;
    if (in.row.archived)
        in.row.published = false;
    h_package_save(r, &in);
}

void h_package_archive(struct http_request *r)
{
    /* Archived, never deleted: old invoices and lots keep naming it. */
    struct svc_catalog cat;
    struct svc_package_input in;
    if (h_package_input(r, &cat, &in) == NULL)
        return;
    in.row.archived = true;
    in.row.published = false;
    h_package_save(r, &in);
}

void h_service_update(struct http_request *r)
{
    int64_t id;
    struct svc_catalog cat;
    if (!http_param_id(r, 0, "svc", &id) || !h_catalog(r, &cat))
        return;
    const struct service_row *found = NULL;
    for (size_t i = 0; i < cat.n_services && found == NULL; i++)
        if (cat.services[i].id == id)
            found = &cat.services[i];
    if (found == NULL) {
        http_problem_msg(r, ERR_NOT_FOUND, "no such service");
        return;
    }
    struct svc_service_input in = {.row = *found};
    in.n_costs = h_amounts_of(&cat.types, found->cost_type_ids, found->cost_amounts_minor,
                              found->n_costs, in.costs);
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    const char *v;
    int64_t sort = found->sort_order;
    if ((v = http_field_string(&f, "name", false, NAME_BYTES_MAX)) != NULL)
        in.row.name = v;
    if ((v = http_field_string(&f, "kind", false, 16)) != NULL)
        in.row.kind = v;
    if ((v = http_field_string(&f, "category", false, NAME_BYTES_MAX)) != NULL)
        in.row.category = v;
    if ((v = http_field_string(&f, "provider", false, NAME_BYTES_MAX)) != NULL)
        in.row.provider = v;
    http_field_bool(&f, "active", &in.row.active);
    http_field_int(&f, "sort_order", 0, 1000000, &sort);
    h_amounts_field(&f, &cat.types, "costs", false, in.costs, &in.n_costs, SERVICE_COST_TYPES_MAX);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    in.row.sort_order = (int)sort;
    struct h_patch_answer x = {.body =
                                   json_pack("{s:o, s:s, s:s, s:s, s:b}", "id", http_id("svc", id),
                                             "name", in.row.name, "kind", in.row.kind, "category",
                                             in.row.category, "active", in.row.active),
                               .status = 200};
    http_idem_arm(r, h_patch_render, &x);
    struct err_detail d = {0};
    enum err rc = svc_service_update(r->svc, r->tenant_id, &in, &d);
    h_patch_respond(r, &x, rc, &d);
}

void h_member_limits(struct http_request *r)
{
    int64_t customer_id, user_id;
    if (!h_path_customer(r, &customer_id) || !http_param_id(r, 1, "usr", &user_id))
        return;
    struct svc_catalog cat;
    if (!h_catalog(r, &cat))
        return;
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    json_t *limits = http_field_raw(&f, "monthly_limits");
    if (!json_is_object(limits))
        http_field_error(&f, "monthly_limits", "must map credit type codes to amounts or null");
    bool ok = http_fields_done(&f);
    if (!ok) {
        json_decref(body);
        return;
    }
    struct svc_amount parsed[PACKAGE_CREDIT_TYPES_MAX];
    size_t n = 0;
    const char *code;
    json_t *v;
    enum err rc = ERR_OK;
    struct err_detail d = {0};
    json_object_foreach(limits, code, v)
    {
        const struct credit_type_row *t = h_type_by_code(&cat.types, code);
        int64_t amount = -1;
        bool bad_amount =
            !json_is_null(v) &&
            (!json_is_string(v) ||
             amount_parse(json_string_value(v), t ? t->scale : 0, &amount) != ERR_OK || amount < 0);
        if (t == NULL || bad_amount || n == PACKAGE_CREDIT_TYPES_MAX) {
            rc = err_set(&d, ERR_VALIDATION, "monthly_limits",
                         "'%s' is not a credit type with an amount or null", code);
            break;
        }
        parsed[n++] = (struct svc_amount){.credit_type = t->code, .amount_minor = amount};
    }
    /* All limits or none: one transaction. */
    if (rc == ERR_OK)
        rc = svc_member_limits_set(r->svc, r->tenant_id, customer_id, user_id, parsed, n, &d);
    json_t *echo = json_object();
    for (size_t i = 0; rc == ERR_OK && i < n; i++) {
        const struct credit_type_row *t = h_type_by_code(&cat.types, parsed[i].credit_type);
        json_object_set_new(echo, parsed[i].credit_type,
                            parsed[i].amount_minor < 0
                                ? json_null()
                                : http_amount(parsed[i].amount_minor, t ? t->scale : 0));
    }
    if (rc == ERR_OK)
        http_json(r, 200,
                  json_pack("{s:o, s:o, s:o}", "customer_id", http_id("cus", customer_id),
                            "user_id", http_id("usr", user_id), "monthly_limits", echo));
    else {
        json_decref(echo);
        http_problem(r, rc, &d);
    }
    json_decref(body);
}
