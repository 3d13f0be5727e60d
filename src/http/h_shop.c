/*
 * The API's shop: purchases (an invoice, store credit first, the rest to a
 * payment gateway), invoices as JSON, as a printable page and as PDF, marking a bank
 * transfer paid, voiding, the Stripe webhook. The gateway is the service's:
 * here are only the return URLs, the answers and the problems.
 *
 * Must not: decide totals or statuses (the service does) or log a gateway key.
 */
#include <stdio.h>
#include <string.h>

#include "http/http_int.h"

/* ---- rendering --------------------------------------------------------- */

static json_t *h_money(int64_t minor)
{
    return http_amount(minor, H_READ_MONEY_SCALE);
}

static json_t *h_text_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

/* How to pay an open invoice by bank transfer (null without an IBAN or
 * nothing due): the account, the amount, the invoice number as the
 * reference, the due date, and for euros the EPC QR code's text. */
static json_t *h_invoice_payment_json(const struct invoice_row *r)
{
    if (strcmp(r->status, "open") != 0 || r->due_minor <= 0 || r->bank_iban == NULL ||
        r->bank_iban[0] == '\0')
        return json_null();
    char grouped[BANK_IBAN_GROUPED_BYTES], epc[BANK_EPC_BYTES_MAX + 1];
    bank_iban_group(r->bank_iban, grouped);
    struct bank_transfer t = {.name = r->bank_account_holder,
                              .iban = r->bank_iban,
                              .bic = r->bank_bic,
                              .amount_minor = r->due_minor,
                              .remittance = r->number};
    bool euro = strcmp(r->currency, "EUR") == 0;
    bool qr = euro && bank_epc_payload(&t, epc, sizeof(epc)) == ERR_OK;
    json_t *o = json_object();
    json_object_set_new(o, "method", json_string("bank_transfer"));
    json_object_set_new(o, "account_holder", json_string(r->bank_account_holder));
    json_object_set_new(o, "iban", json_string(r->bank_iban));
    json_object_set_new(o, "iban_display", json_string(grouped));
    json_object_set_new(o, "bic", json_string(r->bank_bic));
    json_object_set_new(o, "amount", h_money(r->due_minor));
    json_object_set_new(o, "currency", json_string(r->currency));
    json_object_set_new(o, "reference", json_string(r->number));
    json_object_set_new(o, "due_date", json_string(r->due_date));
    json_object_set_new(o, "epc_qr", qr ? json_string(epc) : json_null());
    return o;
}

/* The invoice's row as lists show it. */
static json_t *h_invoice_row_json(const struct invoice_row *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", http_id("inv", r->id));
    json_object_set_new(o, "number", json_string(r->number));
    json_object_set_new(o, "status", json_string(r->status));
    json_object_set_new(o, "gateway", json_string(r->gateway));
    json_object_set_new(o, "customer_id", http_id("cus", r->customer_id));
    json_object_set_new(o, "package_id", http_id("pkg", r->package_id));
    json_object_set_new(o, "currency", json_string(r->currency));
    json_object_set_new(o, "seller",
                        json_pack("{s:s, s:s, s:s, s:s}", "name", r->seller_name, "address",
                                  r->seller_address, "country", r->seller_country, "vat_id",
                                  r->seller_vat_id));
    json_object_set_new(o, "buyer",
                        json_pack("{s:s, s:s, s:s, s:s}", "name", r->buyer_name, "email",
                                  r->buyer_email, "country", r->buyer_country, "vat_id",
                                  r->buyer_vat_id));
    json_object_set_new(o, "net", h_money(r->net_minor));
    json_object_set_new(o, "vat_rate", http_amount(r->vat_rate_bp, 2));
    json_object_set_new(o, "vat", h_money(r->vat_minor));
    json_object_set_new(o, "gross", h_money(r->gross_minor));
    json_object_set_new(o, "reverse_charge", json_boolean(r->reverse_charge));
    json_object_set_new(o, "note", json_string(r->note));
    json_object_set_new(o, "store_credit_applied", h_money(r->store_credit_minor));
    json_object_set_new(o, "amount_due", h_money(r->due_minor));
    json_object_set_new(o, "credits_granted", json_boolean(r->credits_granted));
    json_object_set_new(o, "checkout_url", h_text_or_null(r->checkout_url));
    json_object_set_new(o, "gateway_reference", h_text_or_null(r->gateway_ref));
    json_object_set_new(o, "void_reason", h_text_or_null(r->void_reason));
    json_object_set_new(o, "created_by", json_string(r->created_by));
    json_object_set_new(o, "created_at", http_time(r->created_at_us));
    json_object_set_new(o, "paid_at", http_time(r->paid_at_us));
    json_object_set_new(o, "voided_at", http_time(r->voided_at_us));
    json_object_set_new(json_object_get(o, "buyer"), "address", json_string(r->buyer_address));
    json_object_set_new(o, "issue_date", json_string(r->issue_date));
    json_object_set_new(o, "due_date", json_string(r->due_date));
    json_object_set_new(o, "payment_terms_days", json_integer(r->payment_terms_days));
    json_object_set_new(o, "language", json_string(r->language));
    char grouped[BANK_IBAN_GROUPED_BYTES];
    bank_iban_group(r->bank_iban, grouped);
    json_object_set_new(o, "bank",
                        json_pack("{s:s, s:s, s:s, s:s}", "account_holder", r->bank_account_holder,
                                  "iban", r->bank_iban, "iban_display", grouped, "bic",
                                  r->bank_bic));
    json_object_set_new(o, "payment", h_invoice_payment_json(r));
    return o;
}

/* A credit note as lists show it. */
static json_t *h_credit_note_json(const struct credit_note_row *n)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", http_id("crn", n->id));
    json_object_set_new(o, "number", json_string(n->number));
    json_object_set_new(o, "invoice_id", http_id("inv", n->invoice_id));
    json_object_set_new(o, "invoice_number", json_string(n->invoice_number));
    json_object_set_new(o, "customer_id", http_id("cus", n->customer_id));
    json_object_set_new(o, "issue_date", json_string(n->issue_date));
    json_object_set_new(o, "currency", json_string(n->currency));
    json_object_set_new(o, "net", h_money(n->net_minor));
    json_object_set_new(o, "vat_rate", http_amount(n->vat_rate_bp, 2));
    json_object_set_new(o, "vat", h_money(n->vat_minor));
    json_object_set_new(o, "gross", h_money(n->gross_minor));
    json_object_set_new(o, "store_credit_returned", h_money(n->store_credit_minor));
    json_object_set_new(o, "refund_due", h_money(n->refund_minor));
    json_object_set_new(o, "reason", json_string(n->reason));
    json_object_set_new(o, "language", json_string(n->language));
    json_object_set_new(o, "created_by", json_string(n->created_by));
    json_object_set_new(o, "created_at", http_time(n->created_at_us));
    return o;
}

/* The whole invoice: lines, the store credit it drew, the lots it paid for
 * (and, after a void, what was taken from each). */
json_t *h_invoice_json(const struct svc_invoice_view *v)
{
    json_t *o = h_invoice_row_json(&v->row);
    json_t *lines = json_array(), *credits = json_array(), *lots = json_array();
    for (size_t i = 0; i < v->n_lines; i++) {
        const struct invoice_line_row *l = &v->lines[i];
        json_array_append_new(lines,
                              json_pack("{s:s, s:I, s:o, s:o}", "description", l->description,
                                        "quantity", (json_int_t)l->quantity, "unit_net",
                                        h_money(l->unit_net_minor), "net", h_money(l->net_minor)));
    }
    for (size_t i = 0; i < v->n_credits; i++) {
        const struct invoice_credit_row *c = &v->credits[i];
        const struct credit_type_row *t = svc_type_find(&v->types, c->credit_type_id);
        json_array_append_new(credits,
                              json_pack("{s:o, s:s, s:o, s:o}", "lot_id", http_id("lot", c->lot_id),
                                        "credit_type", t ? t->code : "", "credits",
                                        http_amount(c->amount_minor, t ? t->scale : 0), "money",
                                        h_money(c->money_minor)));
    }
    for (size_t i = 0; i < v->n_lots; i++) {
        const struct lot_row *l = &v->lots[i];
        const struct credit_type_row *t = svc_type_find(&v->types, l->lot.credit_type_id);
        int scale = t ? t->scale : 0;
        json_t *lot =
            json_pack("{s:o, s:s, s:s, s:o, s:o}", "id", http_id("lot", l->lot.id), "credit_type",
                      t ? t->code : "", "status", lot_status_name(l->lot.status), "original",
                      http_amount(l->lot.original_minor, scale), "remaining",
                      http_amount(l->lot.remaining_minor, scale));
        if (v->removed_minor != NULL) {
            int64_t removed = v->removed_minor[i];
            json_object_set_new(lot, "removed", http_amount(removed, scale));
            json_object_set_new(lot, "spent",
                                http_amount(l->lot.original_minor - removed -
                                                l->lot.remaining_minor - l->lot.deactivated_minor,
                                            scale));
        }
        json_array_append_new(lots, lot);
    }
    json_object_set_new(o, "lines", lines);
    json_object_set_new(o, "store_credit", credits);
    json_object_set_new(o, "lots", lots);
    json_object_set_new(o, "credit_note",
                        v->has_credit_note ? h_credit_note_json(&v->credit_note) : json_null());
    return o;
}

struct h_invoice_answer {
    struct svc_invoice_view view;
    int status;
    bool with_checkout; /* a purchase: {"invoice", "checkout_url"} */
};

static json_t *h_invoice_render(void *ctx, int *status)
{
    struct h_invoice_answer *x = ctx;
    *status = x->status;
    json_t *inv = h_invoice_json(&x->view);
    if (!x->with_checkout)
        return inv;
    return json_pack("{s:o, s:o}", "invoice", inv, "checkout_url",
                     h_text_or_null(x->view.row.status[0] == 'o' ? x->view.row.checkout_url : ""));
}

/* ---- purchases --------------------------------------------------------- */

/* An answer of the request's arena (NULL: 413 queued). */
static struct h_invoice_answer *h_invoice_answer_new(struct http_request *r, int status,
                                                     bool with_checkout)
{
    struct h_invoice_answer *x = arena_alloc(&r->arena, sizeof(*x));
    if (x == NULL) {
        http_problem_msg(r, ERR_TOO_LARGE, "out of request memory");
        return NULL;
    }
    memset(x, 0, sizeof(*x));
    x->status = status;
    x->with_checkout = with_checkout;
    return x;
}

/* Where the gateway sends the buyer back: this host, on the portal. */
static const char *h_shop_return_url(struct http_request *r, const char *outcome)
{
    const char *host = http_request_header(r, "Host");
    return arena_printf(&r->arena, "%s://%s/?checkout=%s",
                        r->srv->cfg.secure_cookies ? "https" : "http", host ? host : "localhost",
                        outcome);
}

/* Staff buy for the customer they name; a member buys for their own. */
static void h_purchase_customer(struct http_request *r, struct http_fields *f, int64_t *customer_id)
{
    bool member = (r->role & ROLES_MEMBER) != 0;
    http_field_id(f, "customer_id", "cus", !member, customer_id);
    if (member && *customer_id != 0 && *customer_id != r->who.customer_id)
        http_field_error(f, "customer_id", "members buy for their own customer");
    if (member)
        *customer_id = r->who.customer_id;
}

void h_purchase_create(struct http_request *r)
{
    json_t *body = http_body_object(r);
    if (body == NULL)
        return;
    struct http_fields f;
    http_fields_begin(&f, r, body);
    struct svc_purchase_input in = {.expect_due_minor = -1,
                                    .published_only = (r->role & ROLES_MEMBER) != 0};
    http_field_id(&f, "package_id", "pkg", true, &in.package_id);
    in.gateway = http_field_string(&f, "gateway", true, 16);
    h_purchase_customer(r, &f, &in.customer_id);
    bool ok = http_fields_done(&f);
    json_decref(body);
    if (!ok)
        return;
    if (in.customer_id != 0 && !svc_customer_exists(r->svc, r->tenant_id, in.customer_id)) {
        http_problem_msg(r, ERR_NOT_FOUND, "no such customer");
        return;
    }
    struct h_invoice_answer *x = h_invoice_answer_new(r, 201, true);
    if (x == NULL)
        return;
    /* Card payments: the service asks the gateway for a checkout session
     * before the purchase's transaction (svc_purchase_checkout). */
    struct svc_checkout_input co = {.success_url = h_shop_return_url(r, "success"),
                                    .cancel_url = h_shop_return_url(r, "cancel"),
                                    .idempotency_key = http_request_header(r, "Idempotency-Key")};
    struct err_detail d = {0};
    http_idem_arm(r, h_invoice_render, x);
    enum err rc =
        svc_purchase_checkout(r->svc, &r->arena, r->tenant_id, &r->actor, &in, &co, &x->view, &d);
    http_respond(r, rc, &d, h_invoice_render, x);
}

/* ---- invoices ---------------------------------------------------------- */

/* Members see their own customer's invoices (technicians none: the route
 * admits owners only); another's is not found. */
static bool h_invoice_param(struct http_request *r, struct svc_invoice_view *v)
{
    int64_t id;
    if (!http_param_id(r, 0, "inv", &id))
        return false;
    enum err rc = svc_invoice_read(r->svc, &r->arena, r->tenant_id, id, h_read_only_customer(r), v);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return false;
    }
    return true;
}

void h_invoice(struct http_request *r)
{
    struct svc_invoice_view v;
    if (h_invoice_param(r, &v))
        http_json(r, 200, h_invoice_json(&v));
}

void h_invoices(struct http_request *r)
{
    struct h_read_params p;
    h_read_params_begin(&p, r);
    struct invoice_filter f = {.customer_id = h_read_id(&p, "customer", "cus"),
                               .status = h_read_text(&p, "status", 8),
                               .gateway = h_read_text(&p, "gateway", 8),
                               .from_us = h_read_time(&p, "from"),
                               .to_us = h_read_time(&p, "to"),
                               .limit = h_read_limit(&p),
                               .before_id = h_read_id(&p, "cursor", "inv")};
    if (f.status != NULL && strcmp(f.status, "open") != 0 && strcmp(f.status, "paid") != 0 &&
        strcmp(f.status, "void") != 0)
        http_field_error(&p.f, "status", "must be open, paid or void");
    if (f.gateway != NULL && strcmp(f.gateway, "manual") != 0 && strcmp(f.gateway, "stripe") != 0 &&
        strcmp(f.gateway, "admin") != 0)
        http_field_error(&p.f, "gateway", "must be manual, stripe or admin");
    if (!h_read_params_done(&p))
        return;
    if (h_read_only_customer(r) != 0)
        f.customer_id = h_read_only_customer(r);
    struct svc_invoices page;
    enum err rc = svc_invoices_read(r->svc, &r->arena, r->tenant_id, &f, &page);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < page.n; i++)
        json_array_append_new(items, h_invoice_row_json(&page.items[i]));
    int64_t last = page.n ? page.items[page.n - 1].id : 0;
    http_json(r, 200, h_read_page(items, "inv", last, page.more));
}

static void h_invoice_change(struct http_request *r, bool paid)
{
    int64_t id;
    if (!http_param_id(r, 0, "inv", &id))
        return;
    struct svc_invoice_view seen;
    if (svc_invoice_read(r->svc, &r->arena, r->tenant_id, id, 0, &seen) != ERR_OK) {
        http_problem_msg(r, ERR_NOT_FOUND, "no such invoice");
        return;
    }
    /* Marking paid takes no fields: an empty body will do. */
    const char *reason = NULL;
    if (!paid || r->body.len > 0) {
        json_t *body = http_body_object(r);
        if (body == NULL)
            return;
        struct http_fields f;
        http_fields_begin(&f, r, body);
        if (!paid)
            reason = http_field_string(&f, "reason", true, NOTE_BYTES_MAX);
        bool ok = http_fields_done(&f);
        json_decref(body);
        if (!ok)
            return;
    }
    struct h_invoice_answer *x = h_invoice_answer_new(r, 200, false);
    if (x == NULL)
        return;
    http_idem_arm(r, h_invoice_render, x);
    struct err_detail d = {0};
    enum err rc =
        paid ? svc_invoice_mark_paid(r->svc, &r->arena, r->tenant_id, &r->actor, id, &x->view, &d)
             : svc_invoice_void(r->svc, &r->arena, r->tenant_id, &r->actor, id, reason, &x->view,
                                &d);
    http_respond(r, rc, &d, h_invoice_render, x);
}

void h_invoice_mark_paid(struct http_request *r)
{
    h_invoice_change(r, true);
}

void h_invoice_void(struct http_request *r)
{
    h_invoice_change(r, false);
}

/* ---- the Stripe webhook ------------------------------------------------ */

/*
 * Stripe calls this with signed events. The signature (with its timestamp
 * tolerance) is checked on the raw body before anything is read; each event
 * id is applied once (a replay answers 200 "duplicate"); unknown event types
 * are acknowledged and ignored, so Stripe stops sending them. The event
 * belongs to the tenant of the Host it was sent to (each business registers
 * its own portal's URL with Stripe); at a host of no tenant it is 404.
 */
void h_webhook_stripe(struct http_request *r)
{
    struct err_detail d = {0};
    struct svc_gateway_event ev;
    enum err rc =
        svc_stripe_event_read(r->svc, &r->arena, http_request_header(r, "Stripe-Signature"),
                              r->body.data ? r->body.data : "", r->body.len, &ev, &d);
    if (rc != ERR_OK) {
        http_problem(r, rc, &d);
        return;
    }
    struct svc_invoice_view v;
    rc = svc_gateway_event_apply(r->svc, &r->arena, r->tenant_id, &ev, &v);
    if (rc == ERR_NOT_FOUND) {
        http_problem_msg(r, rc, "no business is served at this host");
        return;
    }
    if (rc != ERR_OK) {
        http_problem_msg(r, rc, "the event could not be applied; send it again");
        return;
    }
    log_msg(LOG_INFO, "stripe event %s %s: %s", ev.event_id, ev.type, v.outcome);
    http_json(r, 200,
              json_pack("{s:b, s:s, s:s, s:o}", "received", 1, "event", ev.event_id, "outcome",
                        v.outcome, "invoice", v.row.id ? json_string(v.row.number) : json_null()));
}

/* ---- credit notes ------------------------------------------------------ */

/* Members see their own customer's credit notes; another's is not found. */
void h_credit_note(struct http_request *r)
{
    int64_t id;
    if (!http_param_id(r, 0, "crn", &id))
        return;
    struct svc_credit_note_view v;
    enum err rc =
        svc_credit_note_read(r->svc, &r->arena, r->tenant_id, id, h_read_only_customer(r), &v);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    json_t *o = h_credit_note_json(&v.note);
    json_object_set_new(o, "invoice", h_invoice_json(&v.invoice));
    http_json(r, 200, o);
}

void h_credit_notes(struct http_request *r)
{
    struct h_read_params p;
    h_read_params_begin(&p, r);
    struct credit_note_filter f = {.customer_id = h_read_id(&p, "customer", "cus"),
                                   .invoice_id = h_read_id(&p, "invoice", "inv"),
                                   .limit = h_read_limit(&p),
                                   .before_id = h_read_id(&p, "cursor", "crn")};
    if (!h_read_params_done(&p))
        return;
    if (h_read_only_customer(r) != 0)
        f.customer_id = h_read_only_customer(r);
    struct svc_credit_notes page;
    enum err rc = svc_credit_notes_read(r->svc, &r->arena, r->tenant_id, &f, &page);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < page.n; i++)
        json_array_append_new(items, h_credit_note_json(&page.items[i]));
    int64_t last = page.n ? page.items[page.n - 1].id : 0;
    http_json(r, 200, h_read_page(items, "crn", last, page.more));
}

typedef enum err (*h_pdf_fn)(struct svc *, struct arena *, int64_t, int64_t, int64_t, struct buf *,
                             const char **, struct err_detail *);

/* A document as a PDF, shown in the browser (inline) under its number. */
static void h_pdf_send(struct http_request *r, const char *prefix, h_pdf_fn render)
{
    int64_t id;
    if (!http_param_id(r, 0, prefix, &id))
        return;
    struct buf b;
    buf_init(&b, DOC_PDF_BYTES_MAX);
    const char *number = NULL;
    struct err_detail d = {0};
    enum err rc =
        render(r->svc, &r->arena, r->tenant_id, id, h_read_only_customer(r), &b, &number, &d);
    const char *name = rc == ERR_OK ? arena_printf(&r->arena, "%s.pdf", number) : NULL;
    const char *disposition = name != NULL ? http_content_disposition(r, "inline", name) : NULL;
    if (rc == ERR_OK && disposition == NULL)
        rc = err_set(&d, ERR_TOO_LARGE, "", "cannot name the file");
    if (rc != ERR_OK) {
        buf_release(&b);
        http_problem(r, rc, &d);
        return;
    }
    ASSERT(b.len > 0);
    http_header(r, "Content-Disposition", disposition);
    http_header(r, "Cache-Control", "private, no-store");
    http_text(r, 200, "application/pdf", b.data, b.len);
    buf_release(&b);
}

void h_invoice_pdf(struct http_request *r)
{
    h_pdf_send(r, "inv", svc_invoice_pdf);
}

void h_credit_note_pdf(struct http_request *r)
{
    h_pdf_send(r, "crn", svc_credit_note_pdf);
}
