/*
 * The API's ledger writes: lots (manual or from a package) and their
 * management, deductions, adjustments, transfers, quotes and orders. Each
 * handler reads its fields strictly, checks the caller may act for the
 * customer, calls one service operation and renders the result.
 */
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

/* A member acts only for their own customer; anything else is not found. */
static bool h_customer_allowed(struct http_request *r, int64_t customer_id)
{
    if ((r->role & ROLES_MEMBER) == 0 || customer_id == r->who.customer_id)
        return true;
    http_problem_msg(r, ERR_NOT_FOUND, "no such customer");
    return false;
}

/* The customer of the path, in the caller's reach (404 before any field is
 * looked at, so the answer never depends on a body for an unreachable one). */
bool h_path_customer(struct http_request *r, int64_t *customer_id)
{
    if (!http_param_id(r, 0, "cus", customer_id))
        return false;
    if (((r->role & ROLES_MEMBER) && *customer_id != r->who.customer_id) ||
        !svc_customer_exists(r->svc, r->tenant_id, *customer_id)) {
        http_problem_msg(r, ERR_NOT_FOUND, "no such customer");
        return false;
    }
    return true;
}

/* The credit type named by a request (422 on `field` when unknown). */
static bool h_type(struct http_request *r, struct http_fields *f, const char *field,
                   const char *code, struct credit_type_row *type)
{
    if (code == NULL)
        return false;
    if (svc_credit_type_find(r->svc, &r->arena, r->tenant_id, code, type) == ERR_OK)
        return true;
    http_field_error(f, field, "is not a credit type of this business");
    return false;
}

/* The lots an operation wrote, rendered with their credit types. */
struct h_lots_answer {
    struct svc_lots_out out;
    struct svc_catalog catalog;
    int status;
    struct svc_invoice_view *invoice; /* a lot added with its invoice */
};

static json_t *h_lots_render(void *ctx, int *status)
{
    struct h_lots_answer *x = ctx;
    *status = x->status;
    if (x->out.n == 0)
        return json_object();
    const struct lot_row *row = &x->out.rows[0];
    const struct credit_type_row *t = svc_type_find(&x->catalog.types, row->lot.credit_type_id);
    json_t *lot = http_lot_json(row, t ? t->code : "", t ? t->scale : 0);
    if (x->out.n > 1) {
        json_t *all = json_array();
        for (size_t i = 0; i < x->out.n; i++) {
            const struct lot_row *ri = &x->out.rows[i];
            t = svc_type_find(&x->catalog.types, ri->lot.credit_type_id);
            json_array_append_new(all, http_lot_json(ri, t ? t->code : "", t ? t->scale : 0));
        }
        json_object_set_new(lot, "lots", all);
    }
    if (x->invoice != NULL)
        json_object_set_new(lot, "invoice", h_invoice_json(x->invoice));
    return lot;
}

/* Prepares an answer of lots: the credit types are read before the operation,
 * because the renderer runs inside its transaction and reads nothing. */
static bool h_lots_answer_begin(struct http_request *r, struct h_lots_answer *x, int status)
{
    memset(x, 0, sizeof(*x));
    x->out.a = &r->arena;
    x->status = status;
    enum err rc = svc_catalog_read(r->svc, &r->arena, r->tenant_id, false, &x->catalog);
    if (rc != ERR_OK) {
        http_problem_msg(r, rc, "cannot read the credit types");
        return false;
    }
    http_idem_arm(r, h_lots_render, x);
    return true;
}

/* The validity fields of a manual lot; shorthand: expires_at alone is a fixed
 * expiry, expiry_days alone counts from purchase, starts_at alone a fixed start. */
static void h_validity(struct http_fields *f, struct validity *v)
{
    const char *start = http_field_string(f, "start", false, 16);
    const char *expiry = http_field_string(f, "expiry", false, 24);
    bool has_start = http_field_time(f, "starts_at", false, &v->start_at_us);
    bool has_expires = http_field_time(f, "expires_at", false, &v->expires_at_us);
    int64_t days = 0;
    bool has_days = http_field_int(f, "expiry_days", 1, 3660, &days);
    v->expiry_days = (int32_t)days;
    v->start = has_start ? START_FIXED : START_IMMEDIATE;
    v->expiry = has_expires ? EXPIRY_FIXED : has_days ? EXPIRY_DAYS_FROM_PURCHASE : EXPIRY_NEVER;
    if (start != NULL && !start_rule_parse(start, &v->start))
        http_field_error(f, "start", "must be immediate, fixed or first_use");
    if (expiry != NULL && !expiry_rule_parse(expiry, &v->expiry))
        http_field_error(f, "expiry",
                         "must be never, fixed, days_from_purchase or days_from_start");
}

void h_lot_create(struct http_request *r)
{
    int64_t customer_id;
    if (!h_path_customer(r, &customer_id))
        return;
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    struct svc_lot_input in = {.customer_id = customer_id, .source = SOURCE_MANUAL};
    struct credit_type_row type = {0};
    http_field_id(&f, "package_id", "pkg", false, &in.package_id);
    const char *source = http_field_string(&f, "source", false, 16);
    if (source != NULL && !lot_source_parse(source, &in.source))
        http_field_error(&f, "source",
                         "must be payment, manual, goodwill, promotion, gift, refund or transfer");
    in.credit_type = http_field_string(&f, "credit_type", in.package_id == 0, CODE_BYTES_MAX);
    if (in.package_id == 0 && h_type(r, &f, "credit_type", in.credit_type, &type))
        http_field_amount(&f, "credits", type.scale, true, &in.credits_minor);
    in.name = http_field_string(&f, "name", false, NAME_BYTES_MAX);
    in.notes = http_field_string(&f, "notes", false, NOTE_BYTES_MAX);
    in.reason = http_field_string(&f, "reason", false, NAME_BYTES_MAX);
    in.categories = http_field_string(&f, "categories", false, NAME_BYTES_MAX);
    in.provider = http_field_string(&f, "provider", false, NAME_BYTES_MAX);
    in.peak = http_field_string(&f, "peak", false, 320);
    http_field_amount(&f, "price", 2, false, &in.price_minor);
    h_validity(&f, &in.validity);
    const char *invoice = http_field_string(&f, "invoice", false, 8);
    if (invoice != NULL && strcmp(invoice, "paid") != 0 && strcmp(invoice, "open") != 0)
        http_field_error(&f, "invoice", "must be 'paid' or 'open'");
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    struct h_lots_answer *answer = arena_alloc(&r->arena, sizeof(*answer));
    if (answer == NULL || !h_lots_answer_begin(r, answer, 201))
        return;
    in.out = &answer->out;
    struct err_detail d = {0};
    enum err rc;
    if (invoice != NULL) {
        /* The lot and its invoice, made together by the shop. */
        answer->invoice = arena_alloc(&r->arena, sizeof(*answer->invoice));
        if (answer->invoice == NULL) {
            http_problem_msg(r, ERR_TOO_LARGE, "out of request memory");
            return;
        }
        struct svc_purchase_input pin = {.customer_id = customer_id,
                                         .lot = &in,
                                         .gateway = "admin",
                                         .status = invoice,
                                         .expect_due_minor = -1};
        rc = svc_purchase(r->svc, &r->arena, r->tenant_id, &r->actor, &pin, answer->invoice, &d);
    } else {
        int64_t ids[PACKAGE_CREDIT_TYPES_MAX];
        size_t n = 0;
        rc = svc_lot_add(r->svc, r->tenant_id, &r->actor, &in, ids, &n, &d);
    }
    http_respond(r, rc, &d, h_lots_render, answer);
}

/* The lot of the path, in the caller's tenant (404 otherwise). */
static bool h_lot_param(struct http_request *r, int64_t *lot_id)
{
    struct lot_row row;
    struct credit_type_row type;
    if (!http_param_id(r, 0, "lot", lot_id))
        return false;
    if (svc_lot_get(r->svc, &r->arena, r->tenant_id, *lot_id, &row, &type) != ERR_OK) {
        http_problem_msg(r, ERR_NOT_FOUND, "no such lot");
        return false;
    }
    return true;
}

static void h_lot_change_run(struct http_request *r, struct svc_lot_change *ch, int64_t lot_id)
{
    struct h_lots_answer answer;
    if (!h_lots_answer_begin(r, &answer, 200))
        return;
    ch->out = &answer.out;
    struct err_detail d = {0};
    enum err rc = svc_lot_change(r->svc, r->tenant_id, &r->actor, lot_id, ch, &d);
    http_respond(r, rc, &d, h_lots_render, &answer);
}

/* pause, resume, deactivate, reactivate: an optional reason. */
static void h_lot_action(struct http_request *r, enum svc_lot_action action)
{
    int64_t lot_id;
    if (!h_lot_param(r, &lot_id))
        return;
    struct svc_lot_change ch = {.action = action};
    if (r->body.len > 0) {
        json_t *body = http_body_object(r);
        if (body == NULL)
            return;
        struct http_fields f;
        http_fields_begin(&f, r, body);
        ch.reason = http_field_string(&f, "reason", false, NOTE_BYTES_MAX);
        bool ok = http_fields_done(&f);
        json_decref(body);
        if (!ok)
            return;
    }
    h_lot_change_run(r, &ch, lot_id);
}

void h_lot_pause(struct http_request *r)
{
    h_lot_action(r, SVC_LOT_PAUSE);
}

void h_lot_resume(struct http_request *r)
{
    h_lot_action(r, SVC_LOT_RESUME);
}

void h_lot_deactivate(struct http_request *r)
{
    h_lot_action(r, SVC_LOT_DEACTIVATE);
}

void h_lot_reactivate(struct http_request *r)
{
    h_lot_action(r, SVC_LOT_REACTIVATE);
}

void h_lot_extend(struct http_request *r)
{
    int64_t lot_id;
    if (!h_lot_param(r, &lot_id))
        return;
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    struct svc_lot_change ch = {.action = SVC_LOT_EXTEND};
    http_field_time(&f, "expires_at", true, &ch.expires_at_us);
    ch.reason = http_field_string(&f, "reason", false, NOTE_BYTES_MAX);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (ok)
        h_lot_change_run(r, &ch, lot_id);
}

void h_lot_update(struct http_request *r)
{
    int64_t lot_id;
    if (!h_lot_param(r, &lot_id))
        return;
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    struct svc_lot_change ch = {.action = SVC_LOT_EDIT};
    ch.name = http_field_string(&f, "name", false, NAME_BYTES_MAX);
    ch.notes = http_field_string(&f, "notes", false, NOTE_BYTES_MAX);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (ok)
        h_lot_change_run(r, &ch, lot_id);
}

void h_lot_deduct(struct http_request *r)
{
    int64_t lot_id;
    if (!h_lot_param(r, &lot_id))
        return;
    struct lot_row lot;
    struct credit_type_row type;
    enum err rc = svc_lot_get(r->svc, &r->arena, r->tenant_id, lot_id, &lot, &type);
    if (rc != ERR_OK) {
        http_problem_msg(r, rc, "no such lot");
        return;
    }
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    struct svc_deduct_input in = {.lot_id = lot_id};
    http_field_amount(&f, "amount", type.scale, true, &in.amount_minor);
    in.reason = http_field_string(&f, "reason", true, 32);
    in.justification = http_field_string(&f, "justification", true, JUSTIFICATION_BYTES_MAX);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    struct h_lots_answer answer;
    if (!h_lots_answer_begin(r, &answer, 200))
        return;
    in.out = &answer.out;
    int64_t journal_id;
    struct err_detail d = {0};
    rc = svc_deduct(r->svc, r->tenant_id, &r->actor, &in, &journal_id, &d);
    http_respond(r, rc, &d, h_lots_render, &answer);
}

struct h_adjust_answer {
    const struct svc_adjust_input *in;
    const struct credit_type_row *type;
    int64_t journal_id;
};

static json_t *h_adjust_render(void *ctx, int *status)
{
    struct h_adjust_answer *x = ctx;
    *status = 201;
    return json_pack("{s:o, s:o, s:s, s:o, s:s, s:s}", "journal_id", http_id("jrn", x->journal_id),
                     "customer_id", http_id("cus", x->in->customer_id), "credit_type",
                     x->type->code, "amount", http_amount(x->in->amount_minor, x->type->scale),
                     "reason", x->in->reason, "justification", x->in->justification);
}

void h_adjustment_create(struct http_request *r)
{
    int64_t customer_id;
    if (!h_path_customer(r, &customer_id))
        return;
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    struct svc_adjust_input in = {.customer_id = customer_id};
    struct credit_type_row type;
    in.credit_type = http_field_string(&f, "credit_type", true, CODE_BYTES_MAX);
    if (h_type(r, &f, "credit_type", in.credit_type, &type))
        http_field_amount(&f, "amount", type.scale, true, &in.amount_minor);
    in.reason = http_field_string(&f, "reason", true, 32);
    in.justification = http_field_string(&f, "justification", true, JUSTIFICATION_BYTES_MAX);
    h_validity(&f, &in.validity);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    struct h_adjust_answer x = {.in = &in, .type = &type};
    http_idem_arm(r, h_adjust_render, &x);
    struct err_detail d = {0};
    enum err rc = svc_adjust(r->svc, r->tenant_id, &r->actor, &in, &x.journal_id, &d);
    http_respond(r, rc, &d, h_adjust_render, &x);
}

struct h_transfer_answer {
    const struct svc_transfer_input *in;
    const struct credit_type_row *type;
    int64_t id;
    struct svc_transfer_out out;
};

/* The transfer with its two ledger entries and both balances after it, so a
 * client can link to each side without searching the ledger. */
static json_t *h_transfer_render(void *ctx, int *status)
{
    struct h_transfer_answer *x = ctx;
    ASSERT(x->out.from_journal_id != 0);
    ASSERT(x->out.to_journal_id != 0);
    *status = 201;
    int scale = x->type->scale;
    json_t *o =
        json_pack("{s:o, s:o, s:o, s:s, s:o, s:s}", "id", http_id("trf", x->id), "from_customer_id",
                  http_id("cus", x->in->from_customer_id), "to_customer_id",
                  http_id("cus", x->in->to_customer_id), "credit_type", x->type->code, "amount",
                  http_amount(x->in->amount_minor, scale), "justification", x->in->justification);
    json_object_set_new(o, "from_journal_id", http_id("jrn", x->out.from_journal_id));
    json_object_set_new(o, "to_journal_id", http_id("jrn", x->out.to_journal_id));
    json_object_set_new(o, "to_lot_id", http_id("lot", x->out.to_lot_id));
    json_object_set_new(o, "from_balance_after", http_amount(x->out.from_balance_minor, scale));
    json_object_set_new(o, "to_balance_after", http_amount(x->out.to_balance_minor, scale));
    return o;
}

void h_transfer_create(struct http_request *r)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    struct svc_transfer_input in = {0};
    struct credit_type_row type;
    http_field_id(&f, "from_customer_id", "cus", true, &in.from_customer_id);
    http_field_id(&f, "to_customer_id", "cus", true, &in.to_customer_id);
    in.credit_type = http_field_string(&f, "credit_type", true, CODE_BYTES_MAX);
    if (h_type(r, &f, "credit_type", in.credit_type, &type))
        http_field_amount(&f, "amount", type.scale, true, &in.amount_minor);
    in.justification = http_field_string(&f, "justification", true, JUSTIFICATION_BYTES_MAX);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    struct h_transfer_answer x = {.in = &in, .type = &type};
    in.out = &x.out;
    http_idem_arm(r, h_transfer_render, &x);
    struct err_detail d = {0};
    enum err rc = svc_transfer(r->svc, r->tenant_id, &r->actor, &in, &x.id, &d);
    http_respond(r, rc, &d, h_transfer_render, &x);
}

/* A member's order names its vehicle: the workshop cannot start without
 * make and model (the portal's form asks for both). Staff placing an order
 * for a customer may leave it out. */
static void h_order_vehicle_required(struct http_fields *f, const json_t *vehicle)
{
    static const char *const fields[] = {"make", "model"};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const json_t *v = vehicle != NULL ? json_object_get(vehicle, fields[i]) : NULL;
        const char *text = json_is_string(v) ? json_string_value(v) : "";
        size_t blank = strspn(text, " \t");
        if (text[blank] == '\0') {
            char name[32];
            if (str_format(name, sizeof(name), "vehicle.%s", fields[i]))
                http_field_error(f, name, "is required");
        }
    }
}

/* The order fields shared by quotes and orders; false when a problem is queued. */
static bool h_order_input(struct http_request *r, struct svc_order_input *in,
                          struct credit_type_row *type, bool with_details)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return false;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    memset(in, 0, sizeof(*in));
    bool member = (r->role & ROLES_MEMBER) != 0;
    if (!http_field_id(&f, "customer_id", "cus", !member, &in->customer_id) && member)
        in->customer_id = r->who.customer_id;
    in->credit_type = http_field_string(&f, "credit_type", true, CODE_BYTES_MAX);
    h_type(r, &f, "credit_type", in->credit_type, type);
    json_t *services = http_field_raw(&f, "services");
    size_t i;
    json_t *v;
    if (!json_is_array(services) || json_array_size(services) == 0 ||
        json_array_size(services) > ORDER_SERVICES_MAX)
        http_field_error(&f, "services", "must be a list of 1 to 32 service ids");
    else
        json_array_foreach(services, i, v)
        {
            if (!json_is_string(v) || !id_parse(json_string_value(v), "svc", &in->service_ids[i]))
                http_field_error(&f, "services", "holds something that is not a service id");
            in->n_services = i + 1;
        }
    if (with_details) {
        json_t *vehicle = http_field_raw(&f, "vehicle");
        if (vehicle != NULL && !json_is_object(vehicle))
            http_field_error(&f, "vehicle", "must be an object");
        else if (member)
            h_order_vehicle_required(&f, vehicle);
        if (json_is_object(vehicle)) {
            char *text = json_dumps(vehicle, JSON_COMPACT | JSON_SORT_KEYS);
            in->vehicle = arena_strdup(&r->arena, text);
            free(text);
        }
        in->notes = http_field_string(&f, "notes", false, NOTE_BYTES_MAX);
        http_field_bool(&f, "confirm_duplicate", &in->confirm_duplicate);
    }
    http_field_id(&f, "file_id", "fil", false, &in->file_id);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok || !h_customer_allowed(r, in->customer_id))
        return false;
    if (r->role == ROLE_TECHNICIAN)
        in->member_user_id = r->who.user_id;
    return true;
}

void h_quote(struct http_request *r)
{
    struct svc_order_input in;
    struct credit_type_row type;
    if (!h_order_input(r, &in, &type, false))
        return;
    struct svc_quote q;
    struct err_detail d = {0};
    enum err rc = svc_quote(r->svc, &r->arena, r->tenant_id, &in, &q, &d);
    if (rc != ERR_OK && rc != ERR_INSUFFICIENT_CREDITS) {
        http_problem(r, rc, &d);
        return;
    }
    /* A quote that cannot be afforded is still a quote: it says so. */
    json_t *out = http_quote_json(&q, type.code);
    json_object_set_new(out, "affordable", json_boolean(rc == ERR_OK));
    if (rc != ERR_OK)
        json_object_set_new(out, "shortfall", http_amount(d.shortfall_minor, type.scale));
    http_json(r, 200, out);
}

struct h_order_answer {
    const struct svc_order_input *in;
    const struct credit_type_row *type;
    struct svc_order_result res;
};

static json_t *h_order_render(void *ctx, int *status)
{
    struct h_order_answer *x = ctx;
    *status = 201;
    json_t *out = http_quote_json(&x->res.quote, x->type->code);
    json_object_set_new(out, "id", http_id("ord", x->res.order_id));
    json_object_set_new(out, "reference", json_string(x->res.reference));
    json_object_set_new(out, "customer_id", http_id("cus", x->in->customer_id));
    json_object_set_new(out, "status", json_string("submitted"));
    json_object_set_new(out, "journal_id", http_id("jrn", x->res.journal_id));
    json_object_set_new(out, "file_id",
                        x->in->file_id ? http_id("fil", x->in->file_id) : json_null());
    return out;
}

void h_order_create(struct http_request *r)
{
    struct svc_order_input in;
    struct credit_type_row type;
    if (!h_order_input(r, &in, &type, true))
        return;
    struct h_order_answer x = {.in = &in, .type = &type};
    http_idem_arm(r, h_order_render, &x);
    struct err_detail d = {0};
    enum err rc = svc_order_place(r->svc, &r->arena, r->tenant_id, &r->actor, &in, &x.res, &d);
    http_respond(r, rc, &d, h_order_render, &x);
}

struct h_order_change_answer {
    int64_t order_id;
    const char *status;
};

static json_t *h_order_change_render(void *ctx, int *status)
{
    struct h_order_change_answer *x = ctx;
    *status = 200;
    return json_pack("{s:o, s:s}", "id", http_id("ord", x->order_id), "status", x->status);
}

static void h_order_change(struct http_request *r, bool cancel)
{
    int64_t order_id;
    if (!http_param_id(r, 0, "ord", &order_id))
        return;
    bool member = (r->role & ROLES_MEMBER) != 0;
    if (!svc_order_is_of_customer(r->svc, r->tenant_id, order_id,
                                  member ? r->who.customer_id : 0)) {
        http_problem_msg(r, ERR_NOT_FOUND, "no such order");
        return;
    }
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    const char *value = cancel ? http_field_string(&f, "reason", false, NOTE_BYTES_MAX)
                               : http_field_string(&f, "status", true, 16);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    struct h_order_change_answer x = {.order_id = order_id, .status = cancel ? "cancelled" : value};
    http_idem_arm(r, h_order_change_render, &x);
    struct err_detail d = {0};
    enum err rc =
        cancel ? svc_order_cancel(r->svc, r->tenant_id, &r->actor, order_id, value, member, &d)
               : svc_order_set_status(r->svc, r->tenant_id, &r->actor, order_id, value, &d);
    http_respond(r, rc, &d, h_order_change_render, &x);
}

void h_order_status(struct http_request *r)
{
    h_order_change(r, false);
}

void h_order_cancel(struct http_request *r)
{
    h_order_change(r, true);
}
