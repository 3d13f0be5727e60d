/*
 * The API's setup writes: customers and their members, credit types,
 * packages, services and the tenant's settings.
 */
#include <string.h>

#include "http/http_int.h"

/* An answer built before the operation except for the new id, which the
 * operation fills in (renderers run inside the transaction and read nothing). */
struct h_created {
    json_t *body;       /* owned; the renderer hands out a new reference */
    const char *prefix; /* of the id field, NULL when there is none */
    const char *field;  /* the id's field name, NULL = "id" */
    int64_t id;
    int status;
};

static json_t *h_created_render(void *ctx, int *status)
{
    struct h_created *x = ctx;
    *status = x->status;
    json_t *out = json_deep_copy(x->body);
    if (x->prefix != NULL)
        json_object_set_new(out, x->field ? x->field : "id", http_id(x->prefix, x->id));
    return out;
}

/* Runs the operation's answer through http_respond and frees the body. */
static void h_created_respond(struct http_request *r, struct h_created *x, enum err rc,
                              const struct err_detail *d)
{
    http_respond(r, rc, d, h_created_render, x);
    json_decref(x->body);
}

static json_t *h_customer_json(int64_t id, const struct customer_row *c, int64_t created_at_us)
{
    json_t *o =
        json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:o}", "id", http_id("cus", id), "name", c->name,
                  "email", c->email ? c->email : "", "vat_id", c->vat_id ? c->vat_id : "",
                  "country", c->country ? c->country : "", "locale", c->locale ? c->locale : "",
                  "created_at", http_time(created_at_us));
    json_object_set_new(o, "language", json_string(http_language(c->locale)));
    json_object_set_new(o, "address", json_string(c->address ? c->address : ""));
    return o;
}

void h_customer_create(struct http_request *r)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    struct customer_row c = {0};
    c.name = http_field_string(&f, "name", true, NAME_BYTES_MAX);
    c.email = http_field_string(&f, "email", false, NAME_BYTES_MAX);
    c.vat_id = http_field_string(&f, "vat_id", false, 32);
    c.country = http_field_string(&f, "country", false, 2);
    c.locale = http_field_string(&f, "locale", false, 5);
    c.address = http_field_string(&f, "address", false, ADDRESS_BYTES_MAX);
    const char *language = http_field_language(&f, "language");
    if (language != NULL)
        c.locale = language; /* the documents' language; "locale" is its older name */
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    struct h_created x = {
        .body = h_customer_json(0, &c, time_now_us()), .prefix = "cus", .status = 201};
    http_idem_arm(r, h_created_render, &x);
    struct err_detail d = {0};
    enum err rc = svc_customer_create(r->svc, r->tenant_id, &c, &x.id, &d);
    h_created_respond(r, &x, rc, &d);
}

void h_member_add(struct http_request *r)
{
    int64_t customer_id;
    if (!h_path_customer(r, &customer_id))
        return;
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    const char *email = http_field_string(&f, "email", true, NAME_BYTES_MAX);
    const char *password = http_field_string(&f, "password", true, 1024);
    const char *role = http_field_string(&f, "role", true, 16);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    /* An owner adds technicians; staff add owners too. */
    if (r->role == ROLE_OWNER && strcmp(role, "technician") != 0) {
        http_problem_msg(r, ERR_FORBIDDEN, "an owner adds technicians only");
        return;
    }
    struct h_created x = {.body =
                              json_pack("{s:o, s:s, s:s}", "customer_id",
                                        http_id("cus", customer_id), "email", email, "role", role),
                          .prefix = "usr",
                          .field = "user_id",
                          .status = 201};
    http_idem_arm(r, h_created_render, &x);
    struct err_detail d = {0};
    /* The new id lands in x.id inside the transaction, for the renderer. */
    enum err rc = svc_member_add_by(r->svc, r->tenant_id, &r->actor, customer_id, email, password,
                                    role, &x.id, &d);
    h_created_respond(r, &x, rc, &d);
}

/* A staff user or admin with a password (invitations mail a link instead). */
void h_user_create(struct http_request *r)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    const char *email = http_field_string(&f, "email", true, NAME_BYTES_MAX);
    const char *password = http_field_string(&f, "password", true, 1024);
    const char *role = http_field_string(&f, "role", true, 16);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    struct h_created x = {.body = json_pack("{s:s, s:s}", "email", email, "role", role),
                          .prefix = "usr",
                          .status = 201};
    http_idem_arm(r, h_created_render, &x);
    struct err_detail d = {0};
    enum err rc =
        svc_user_add_by(r->svc, r->tenant_id, &r->actor, email, password, role, &x.id, &d);
    h_created_respond(r, &x, rc, &d);
}

static json_t *h_credit_type_json(const struct credit_type_row *t)
{
    return json_pack("{s:s, s:s, s:i, s:s, s:o, s:b, s:i}", "code", t->code, "name", t->name,
                     "scale", t->scale, "kind", t->kind == CREDIT_MONETARY ? "monetary" : "unit",
                     "unit_value", http_amount(t->unit_value_minor, 2), "spendable", t->spendable,
                     "sort_order", t->sort_order);
}

void h_credit_type_create(struct http_request *r)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    struct credit_type_row t = {.spendable = true};
    int64_t scale = 0, sort = 0;
    t.code = http_field_string(&f, "code", true, CODE_BYTES_MAX);
    t.name = http_field_string(&f, "name", true, NAME_BYTES_MAX);
    http_field_int(&f, "scale", 0, CREDIT_SCALE_MAX, &scale);
    const char *kind = http_field_string(&f, "kind", false, 16);
    if (kind != NULL && strcmp(kind, "monetary") != 0 && strcmp(kind, "unit") != 0)
        http_field_error(&f, "kind", "must be unit or monetary");
    http_field_amount(&f, "unit_value", 2, false, &t.unit_value_minor);
    http_field_bool(&f, "spendable", &t.spendable);
    http_field_int(&f, "sort_order", 0, 1000000, &sort);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    t.scale = (int)scale;
    t.sort_order = (int)sort;
    t.kind = kind != NULL && strcmp(kind, "monetary") == 0 ? CREDIT_MONETARY : CREDIT_UNIT;
    struct h_created x = {.body = h_credit_type_json(&t), .status = 201};
    http_idem_arm(r, h_created_render, &x);
    int64_t id;
    struct err_detail d = {0};
    enum err rc = svc_credit_type_create(r->svc, r->tenant_id, &t, &id, &d);
    h_created_respond(r, &x, rc, &d);
}

void h_credit_type_update(struct http_request *r)
{
    struct credit_type_row t;
    if (r->params[0] == NULL ||
        svc_credit_type_find(r->svc, &r->arena, r->tenant_id, r->params[0], &t) != ERR_OK) {
        http_problem_msg(r, ERR_NOT_FOUND, "no such credit type");
        return;
    }
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    const char *name = http_field_string(&f, "name", false, NAME_BYTES_MAX);
    int64_t sort = t.sort_order;
    http_field_amount(&f, "unit_value", 2, false, &t.unit_value_minor);
    http_field_bool(&f, "spendable", &t.spendable);
    http_field_int(&f, "sort_order", 0, 1000000, &sort);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    if (name != NULL)
        t.name = name;
    t.sort_order = (int)sort;
    struct h_created x = {.body = h_credit_type_json(&t), .status = 200};
    http_idem_arm(r, h_created_render, &x);
    struct err_detail d = {0};
    enum err rc = svc_credit_type_update(r->svc, r->tenant_id, &t, &d);
    h_created_respond(r, &x, rc, &d);
}

bool h_catalog(struct http_request *r, struct svc_catalog *c)
{
    enum err rc = svc_catalog_read(r->svc, &r->arena, r->tenant_id, false, c);
    if (rc != ERR_OK)
        http_problem_msg(r, rc, "cannot read the catalogue");
    return rc == ERR_OK;
}

const struct credit_type_row *h_type_by_code(const struct svc_types *types, const char *code)
{
    for (size_t i = 0; i < types->n; i++)
        if (strcmp(types->items[i].code, code) == 0)
            return &types->items[i];
    return NULL;
}

void h_amounts_field(struct http_fields *f, const struct svc_types *types, const char *field,
                     bool required, struct svc_amount *out, size_t *n, size_t max)
{
    json_t *obj = http_field_raw(f, field);
    if (obj == NULL) {
        if (required)
            http_field_error(f, field, "is required");
        return;
    }
    if (!json_is_object(obj) || json_object_size(obj) == 0 || json_object_size(obj) > max) {
        http_field_error(f, field, "must map 1 to 8 credit type codes to amounts");
        return;
    }
    const char *code;
    json_t *v;
    *n = 0;
    json_object_foreach(obj, code, v)
    {
        const struct credit_type_row *t = h_type_by_code(types, code);
        int64_t amount = -1;
        enum err rc = ERR_VALIDATION;
        if (t != NULL && json_is_string(v))
            rc = amount_parse(json_string_value(v), t->scale, &amount);
        else if (t != NULL && json_is_integer(v) && t->scale == 0)
            rc = (amount = (int64_t)json_integer_value(v)) >= 0 && amount <= AMOUNT_MAX_MINOR
                     ? ERR_OK
                     : ERR_VALIDATION;
        if (rc != ERR_OK || amount < 0) {
            http_field_error(f, field,
                             "holds an unknown credit type or an amount that is not a "
                             "decimal of the type's scale");
            return;
        }
        out[(*n)++] = (struct svc_amount){.credit_type = t->code, .amount_minor = amount};
    }
}

/* Amounts by type code back as {"master":"75"} with each type's decimals. */
static json_t *h_amounts_json(const struct svc_types *types, const struct svc_amount *amounts,
                              size_t n)
{
    json_t *out = json_object();
    for (size_t i = 0; i < n; i++) {
        const struct credit_type_row *t = h_type_by_code(types, amounts[i].credit_type);
        if (t != NULL)
            json_object_set_new(out, t->code, http_amount(amounts[i].amount_minor, t->scale));
    }
    return out;
}

void h_package_create(struct http_request *r)
{
    struct svc_catalog cat;
    if (!h_catalog(r, &cat))
        return;
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    struct svc_package_input in = {.row = {.vat_rate_bp = -1}};
    struct package_row *p = &in.row;
    int64_t sort = 0, vat = -1, days = 0;
    p->name = http_field_string(&f, "name", true, NAME_BYTES_MAX);
    p->description = http_field_string(&f, "description", false, NOTE_BYTES_MAX);
    h_amounts_field(&f, &cat.types, "credits", true, in.credits, &in.n_credits,
                    PACKAGE_CREDIT_TYPES_MAX);
    http_field_amount(&f, "price", 2, true, &p->price_minor);
    if (http_field_amount(&f, "vat_rate", 2, false, &vat))
        p->vat_rate_bp = (int32_t)vat;
    http_field_bool(&f, "published", &p->published);
    http_field_int(&f, "sort_order", 0, 1000000, &sort);
    p->sort_order = (int)sort;
    if (http_field_int(&f, "expiry_days", 1, 3660, &days)) {
        p->validity.expiry = EXPIRY_DAYS_FROM_PURCHASE;
        p->validity.expiry_days = (int32_t)days;
    }
    p->categories = http_field_string(&f, "categories", false, NAME_BYTES_MAX);
    p->provider = http_field_string(&f, "provider", false, NAME_BYTES_MAX);
    p->peak = http_field_string(&f, "peak", false, 320);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    struct h_created x = {.body = json_pack("{s:s, s:o, s:o, s:b}", "name", p->name, "credits",
                                            h_amounts_json(&cat.types, in.credits, in.n_credits),
                                            "price", http_amount(p->price_minor, 2), "published",
                                            p->published),
                          .prefix = "pkg",
                          .status = 201};
    http_idem_arm(r, h_created_render, &x);
    struct err_detail d = {0};
    enum err rc = svc_package_create(r->svc, r->tenant_id, &in, &x.id, &d);
    h_created_respond(r, &x, rc, &d);
}

void h_service_create(struct http_request *r)
{
    struct svc_catalog cat;
    if (!h_catalog(r, &cat))
        return;
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    struct svc_service_input in = {0};
    int64_t sort = 0;
    in.row.name = http_field_string(&f, "name", true, NAME_BYTES_MAX);
    in.row.kind = http_field_string(&f, "kind", true, 16);
    in.row.category = http_field_string(&f, "category", false, NAME_BYTES_MAX);
    in.row.provider = http_field_string(&f, "provider", false, NAME_BYTES_MAX);
    http_field_int(&f, "sort_order", 0, 1000000, &sort);
    in.row.sort_order = (int)sort;
    h_amounts_field(&f, &cat.types, "costs", true, in.costs, &in.n_costs, SERVICE_COST_TYPES_MAX);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    struct h_created x = {.body = json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", in.row.name,
                                            "kind", in.row.kind, "category",
                                            in.row.category ? in.row.category : "", "provider",
                                            in.row.provider ? in.row.provider : "", "costs",
                                            h_amounts_json(&cat.types, in.costs, in.n_costs)),
                          .prefix = "svc",
                          .status = 201};
    http_idem_arm(r, h_created_render, &x);
    struct err_detail d = {0};
    enum err rc = svc_service_create(r->svc, r->tenant_id, &in, &x.id, &d);
    h_created_respond(r, &x, rc, &d);
}

void h_settings_update(struct http_request *r)
{
    struct tenant_row t;
    if (svc_tenant_get(r->svc, &r->arena, r->tenant_id, &t) != ERR_OK) {
        http_problem_msg(r, ERR_STORE_BUSY, "cannot read the settings");
        return;
    }
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    const char *v;
    int64_t vat = t.vat_rate_bp, days = t.refund_validity_days;
    int64_t retention = t.file_retention_days, window = t.duplicate_window_hours;
    int64_t notice = t.expiry_notice_days;
    if ((v = http_field_string(&f, "name", false, NAME_BYTES_MAX)) != NULL)
        t.name = v;
    if ((v = http_field_string(&f, "currency", false, 3)) != NULL)
        t.currency = v;
    if ((v = http_field_string(&f, "timezone", false, 63)) != NULL)
        t.timezone = v;
    if ((v = http_field_string(&f, "locale", false, 16)) != NULL)
        t.locale = v;
    if ((v = http_field_string(&f, "charge_on", false, 16)) != NULL)
        t.charge_on = v;
    if ((v = http_field_string(&f, "invoice_prefix", false, 16)) != NULL)
        t.invoice_prefix = v;
    if ((v = http_field_string(&f, "country", false, 2)) != NULL)
        t.country = v;
    if ((v = http_field_string(&f, "vat_id", false, 32)) != NULL)
        t.vat_id = v;
    if ((v = http_field_string(&f, "seller_address", false, NOTE_BYTES_MAX)) != NULL)
        t.seller_address = v;
    if ((v = http_field_string(&f, "manual_grant", false, 16)) != NULL)
        t.manual_grant = v;
    if ((v = http_field_string(&f, "mail_sender_name", false, MAIL_NAME_BYTES_MAX)) != NULL)
        t.mail_sender_name = v;
    if ((v = http_field_string(&f, "mail_reply_to", false, MAIL_ADDRESS_BYTES_MAX)) != NULL)
        t.mail_reply_to = v;
    if ((v = http_field_string(&f, "portal_url", false, PORTAL_URL_BYTES_MAX)) != NULL)
        t.portal_url = v;
    if ((v = http_field_string(&f, "registration", false, 16)) != NULL)
        t.registration = v;
    if ((v = http_field_string(&f, "bank_iban", false, 64)) != NULL)
        t.bank_iban = v;
    if ((v = http_field_string(&f, "bank_bic", false, 16)) != NULL)
        t.bank_bic = v;
    if ((v = http_field_string(&f, "bank_account_holder", false, NAME_BYTES_MAX)) != NULL)
        t.bank_account_holder = v;
    if ((v = http_field_string(&f, "credit_note_prefix", false, 16)) != NULL)
        t.credit_note_prefix = v;
    int64_t terms = t.payment_terms_days;
    http_field_int(&f, "payment_terms_days", 0, 365, &terms);
    http_field_int(&f, "expiry_notice_days", 0, 365, &notice);
    http_field_amount(&f, "vat_rate", 2, false, &vat);
    http_field_int(&f, "refund_validity_days", 1, 3660, &days);
    http_field_int(&f, "file_retention_days", 0, 3660, &retention);
    http_field_int(&f, "duplicate_window_hours", 0, 8760, &window);
    http_field_bool(&f, "totp_required", &t.totp_required);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    t.vat_rate_bp = (int32_t)vat;
    t.refund_validity_days = (int32_t)days;
    t.file_retention_days = (int32_t)retention;
    t.duplicate_window_hours = (int32_t)window;
    t.expiry_notice_days = (int32_t)notice;
    t.payment_terms_days = (int32_t)terms;
    svc_settings_normalize(&r->arena, &t);
    struct h_created x = {.body = h_settings_json(&t), .status = 200};
    http_idem_arm(r, h_created_render, &x);
    struct err_detail d = {0};
    enum err rc = svc_settings_update(r->svc, &t, &d);
    h_created_respond(r, &x, rc, &d);
}
