/*
 * The API's shop: purchases (an invoice, store credit first, the rest to a
 * payment gateway), invoices as JSON, as a printable page and as PDF, marking a bank
 * transfer paid, voiding, the Stripe webhook. The gateway is the service's:
 * here are only the return URLs, the answers and the problems.
 *
 * Must not: decide totals or statuses (the service does) or log a gateway key.
 */
#include <pthread.h>
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

/* ---- the printable invoice --------------------------------------------- */

/* The page's only style; its SHA-256 goes in the page's CSP so nothing else
 * (no script, no other style) can run. */
static const char h_invoice_css[] =
    "body{font:14px/1.45 system-ui,sans-serif;color:#111;max-width:46rem;margin:2rem auto;"
    "padding:0 1rem}h1{font-size:1.5rem;margin:0 0 .25rem}.parties{display:flex;gap:2rem;"
    "justify-content:space-between;margin:1.5rem 0}.parties div{white-space:pre-line}"
    "table{width:100%;border-collapse:collapse;margin:1rem 0}th,td{padding:.4rem;"
    "border-bottom:1px solid #ccc;text-align:left}td.n,th.n{text-align:right}"
    ".totals td{border:0}.status{display:inline-block;padding:.1rem .5rem;border:1px solid;"
    "border-radius:.25rem;text-transform:uppercase;font-size:.8rem}.note{margin-top:1rem}"
    "@media print{body{margin:0;max-width:none}.noprint{display:none}}";

static char h_invoice_csp[160];
static pthread_once_t h_invoice_csp_once = PTHREAD_ONCE_INIT;

static void h_invoice_csp_init(void)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint8_t d[SHA256_BYTES];
    sha256(h_invoice_css, strlen(h_invoice_css), d);
    char enc[48];
    size_t k = 0;
    for (size_t i = 0; i < SHA256_BYTES; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < SHA256_BYTES ? (uint32_t)d[i + 1] << 8 : 0) |
                     (i + 2 < SHA256_BYTES ? d[i + 2] : 0);
        enc[k++] = b64[v >> 18 & 63];
        enc[k++] = b64[v >> 12 & 63];
        enc[k++] = i + 1 < SHA256_BYTES ? b64[v >> 6 & 63] : '=';
        enc[k++] = i + 2 < SHA256_BYTES ? b64[v & 63] : '=';
    }
    enc[k] = '\0';
    snprintf(h_invoice_csp, sizeof(h_invoice_csp),
             "default-src 'none'; style-src 'sha256-%s'; frame-ancestors 'none'", enc);
}

/* Text with &, <, >, " and ' escaped. */
static enum err h_html_text(struct buf *b, const char *s)
{
    enum err rc = ERR_OK;
    for (; rc == ERR_OK && s != NULL && *s; s++) {
        switch (*s) {
        case '&':
            rc = buf_puts(b, "&amp;");
            break;
        case '<':
            rc = buf_puts(b, "&lt;");
            break;
        case '>':
            rc = buf_puts(b, "&gt;");
            break;
        case '"':
            rc = buf_puts(b, "&quot;");
            break;
        case '\'':
            rc = buf_puts(b, "&#39;");
            break;
        default:
            rc = buf_append(b, s, 1);
        }
    }
    return rc;
}

static const char *h_html_money(struct http_request *r, int64_t minor, const char *currency)
{
    char amount[AMOUNT_TEXT_BYTES];
    amount_format(minor, H_READ_MONEY_SCALE, amount, sizeof(amount));
    return arena_printf(&r->arena, "%s %s", amount, currency);
}

static const char *h_html_date(struct http_request *r, int64_t us)
{
    json_t *t = http_time(us);
    const char *s = json_is_string(t) ? arena_strndup(&r->arena, json_string_value(t), 10) : "";
    json_decref(t);
    return s ? s : "";
}

/* "<tag>text</tag>" with text escaped. */
static enum err h_html_el(struct buf *b, const char *open, const char *text, const char *close)
{
    enum err rc = buf_puts(b, open);
    if (rc == ERR_OK)
        rc = h_html_text(b, text);
    return rc == ERR_OK ? buf_puts(b, close) : rc;
}

static enum err h_html_party(struct buf *b, const char *title, const char *name, const char *more,
                             const char *country, const char *vat_id)
{
    enum err rc = h_html_el(b, "<div><strong>", title, "</strong>\n");
    if (rc == ERR_OK)
        rc = h_html_text(b, name);
    if (rc == ERR_OK && more && more[0])
        rc = h_html_el(b, "\n", more, "");
    if (rc == ERR_OK && country && country[0])
        rc = h_html_el(b, "\n", country, "");
    if (rc == ERR_OK && vat_id && vat_id[0])
        rc = h_html_el(b, "\nVAT ID: ", vat_id, "");
    return rc == ERR_OK ? buf_puts(b, "</div>") : rc;
}

static enum err h_invoice_html_lines(struct http_request *r, struct buf *b,
                                     const struct svc_invoice_view *v)
{
    const struct invoice_row *row = &v->row;
    enum err rc = buf_puts(b, "<table><thead><tr><th>Description</th><th class=n>Qty</th>"
                              "<th class=n>Unit net</th><th class=n>Net</th></tr></thead><tbody>");
    for (size_t i = 0; rc == ERR_OK && i < v->n_lines; i++) {
        const struct invoice_line_row *l = &v->lines[i];
        if ((rc = h_html_el(b, "<tr><td>", l->description, "</td>")) == ERR_OK &&
            (rc = buf_printf(b, "<td class=n>%lld</td>", (long long)l->quantity)) == ERR_OK &&
            (rc = h_html_el(b, "<td class=n>", h_html_money(r, l->unit_net_minor, row->currency),
                            "</td>")) == ERR_OK)
            rc = h_html_el(b, "<td class=n>", h_html_money(r, l->net_minor, row->currency),
                           "</td></tr>");
    }
    char rate[AMOUNT_TEXT_BYTES];
    amount_format(row->vat_rate_bp, 2, rate, sizeof(rate));
    const char *vat_label = arena_printf(&r->arena, "VAT %s %%", rate);
    struct {
        const char *label;
        int64_t minor;
        bool show;
    } totals[] = {{"Net", row->net_minor, true},
                  {vat_label ? vat_label : "VAT", row->vat_minor, true},
                  {"Total", row->gross_minor, true},
                  {"Paid with store credit", -row->store_credit_minor, row->store_credit_minor > 0},
                  {"Amount due", row->due_minor, row->store_credit_minor > 0}};
    if (rc == ERR_OK)
        rc = buf_puts(b, "</tbody><tbody class=totals>");
    for (size_t i = 0; rc == ERR_OK && i < sizeof(totals) / sizeof(totals[0]); i++) {
        if (!totals[i].show)
            continue;
        if ((rc = h_html_el(b, "<tr><td colspan=3 class=n>", totals[i].label, "</td>")) == ERR_OK)
            rc = h_html_el(b, "<td class=n>", h_html_money(r, totals[i].minor, row->currency),
                           "</td></tr>");
    }
    return rc == ERR_OK ? buf_puts(b, "</tbody></table>") : rc;
}

static enum err h_invoice_html_build(struct http_request *r, struct buf *b,
                                     const struct svc_invoice_view *v)
{
    const struct invoice_row *row = &v->row;
    enum err rc =
        buf_puts(b, "<!doctype html><html lang=en><head><meta charset=utf-8>"
                    "<meta name=viewport content=\"width=device-width,initial-scale=1\">");
    if (rc == ERR_OK)
        rc = h_html_el(b, "<title>Invoice ", row->number, "</title>");
    if (rc == ERR_OK)
        rc = buf_printf(b, "<style>%s</style></head><body>", h_invoice_css);
    if (rc == ERR_OK)
        rc = h_html_el(b, "<h1>Invoice ", row->number, "</h1>");
    if (rc == ERR_OK)
        rc = h_html_el(b, "<p><span class=status>", row->status, "</span> ");
    if (rc == ERR_OK)
        rc = h_html_el(b, "Date: ", h_html_date(r, row->created_at_us), "");
    if (rc == ERR_OK && row->paid_at_us)
        rc = h_html_el(b, " · Paid: ", h_html_date(r, row->paid_at_us), "");
    if (rc == ERR_OK && row->voided_at_us)
        rc = h_html_el(b, " · Void: ", row->void_reason, "");
    if (rc == ERR_OK)
        rc = buf_puts(b, "</p><div class=parties>");
    if (rc == ERR_OK)
        rc = h_html_party(b, "From", row->seller_name, row->seller_address, row->seller_country,
                          row->seller_vat_id);
    if (rc == ERR_OK)
        rc = h_html_party(b, "To", row->buyer_name, row->buyer_email, row->buyer_country,
                          row->buyer_vat_id);
    if (rc == ERR_OK)
        rc = buf_puts(b, "</div>");
    if (rc == ERR_OK)
        rc = h_invoice_html_lines(r, b, v);
    if (rc == ERR_OK && row->note[0])
        rc = h_html_el(b, "<p class=note>", row->note, "</p>");
    return rc == ERR_OK ? buf_puts(b, "</body></html>\n") : rc;
}

void h_invoice_html(struct http_request *r)
{
    struct svc_invoice_view v;
    if (!h_invoice_param(r, &v))
        return;
    struct buf b;
    buf_init(&b, 256 * 1024);
    enum err rc = h_invoice_html_build(r, &b, &v);
    if (rc != ERR_OK) {
        buf_release(&b);
        http_problem_msg(r, rc, "cannot render the invoice");
        return;
    }
    pthread_once(&h_invoice_csp_once, h_invoice_csp_init);
    http_header(r, "Content-Security-Policy", h_invoice_csp);
    http_text(r, 200, "text/html; charset=utf-8", b.data, b.len);
    buf_release(&b);
}

/* The invoice as a PDF, shown in the browser (inline) under its number. */
void h_invoice_pdf(struct http_request *r)
{
    int64_t id;
    if (!http_param_id(r, 0, "inv", &id))
        return;
    struct buf b;
    buf_init(&b, DOC_PDF_BYTES_MAX);
    const char *number = NULL;
    struct err_detail d = {0};
    enum err rc = svc_invoice_pdf(r->svc, &r->arena, r->tenant_id, id, h_read_only_customer(r), &b,
                                  &number, &d);
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
