/*
 * Reads of what a business sells and how it is set up: credit types,
 * packages (members see only published, not archived ones), services, the
 * settings, and the ledger verification for admins. Nothing here is bound to
 * a customer; the route table decides who may call each one.
 */
#include <string.h>

#include "http/http_int.h"

static json_t *h_credit_type_json(const struct credit_type_row *t)
{
    return json_pack("{s:s, s:s, s:i, s:s, s:o, s:b}", "code", t->code, "name", t->name, "scale",
                     t->scale, "kind", t->kind == CREDIT_MONETARY ? "monetary" : "unit",
                     "unit_value", http_amount(t->unit_value_minor, H_READ_MONEY_SCALE),
                     "spendable", t->spendable);
}

void h_credit_types(struct http_request *r)
{
    struct svc_catalog cat;
    enum err rc = svc_catalog_read(r->svc, &r->arena, r->tenant_id, true, &cat);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < cat.types.n; i++)
        json_array_append_new(items, h_credit_type_json(&cat.types.items[i]));
    http_json(r, 200, json_pack("{s:o}", "items", items));
}

static json_t *h_validity_json(const struct validity *v)
{
    json_t *o = json_object();
    json_object_set_new(o, "start", json_string(start_rule_name(v->start)));
    json_object_set_new(o, "starts_at", http_time(v->start == START_FIXED ? v->start_at_us : 0));
    json_object_set_new(o, "expiry", json_string(expiry_rule_name(v->expiry)));
    json_object_set_new(o, "expires_at",
                        http_time(v->expiry == EXPIRY_FIXED ? v->expires_at_us : 0));
    bool days = v->expiry == EXPIRY_DAYS_FROM_PURCHASE || v->expiry == EXPIRY_DAYS_FROM_START;
    json_object_set_new(o, "expiry_days", days ? json_integer(v->expiry_days) : json_null());
    return o;
}

static json_t *h_package_json(const struct svc_types *types, const struct package_row *p)
{
    json_t *o = json_pack(
        "{s:o, s:s, s:s, s:o, s:o}", "id", http_id("pkg", p->id), "name", p->name ? p->name : "",
        "description", p->description ? p->description : "", "credits",
        h_read_type_amounts(types, p->n_credits, p->credit_type_ids, p->credit_amounts_minor),
        "price", http_amount(p->price_minor, H_READ_MONEY_SCALE));
    json_object_set_new(o, "vat_rate",
                        p->vat_rate_bp < 0 ? json_null() : http_amount(p->vat_rate_bp, 2));
    json_object_set_new(o, "published", json_boolean(p->published));
    json_object_set_new(o, "archived", json_boolean(p->archived));
    json_object_set_new(o, "sort_order", json_integer(p->sort_order));
    json_object_set_new(o, "validity", h_validity_json(&p->validity));
    json_object_set_new(o, "categories", json_string(p->categories ? p->categories : ""));
    json_object_set_new(o, "provider", json_string(p->provider ? p->provider : ""));
    json_object_set_new(o, "peak", json_string(p->peak ? p->peak : ""));
    return o;
}

void h_packages(struct http_request *r)
{
    struct svc_catalog cat;
    bool published_only = (r->role & ROLES_TEAM) == 0;
    enum err rc = svc_catalog_read(r->svc, &r->arena, r->tenant_id, published_only, &cat);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < cat.n_packages; i++)
        json_array_append_new(items, h_package_json(&cat.types, &cat.packages[i]));
    http_json(r, 200, json_pack("{s:o}", "items", items));
}

static json_t *h_service_json(const struct svc_types *types, const struct service_row *s)
{
    json_t *o = json_pack("{s:o, s:s, s:s, s:s, s:s, s:b}", "id", http_id("svc", s->id), "name",
                          s->name ? s->name : "", "kind", s->kind ? s->kind : "", "category",
                          s->category ? s->category : "", "provider",
                          s->provider ? s->provider : "", "active", s->active);
    json_object_set_new(o, "sort_order", json_integer(s->sort_order));
    json_object_set_new(
        o, "costs",
        h_read_type_amounts(types, s->n_costs, s->cost_type_ids, s->cost_amounts_minor));
    return o;
}

void h_services(struct http_request *r)
{
    struct svc_catalog cat;
    enum err rc = svc_catalog_read(r->svc, &r->arena, r->tenant_id, true, &cat);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    bool team = (r->role & ROLES_TEAM) != 0;
    json_t *items = json_array();
    for (size_t i = 0; i < cat.n_services; i++)
        if (team || cat.services[i].active)
            json_array_append_new(items, h_service_json(&cat.types, &cat.services[i]));
    http_json(r, 200, json_pack("{s:o}", "items", items));
}

json_t *h_settings_json(const struct tenant_row *t)
{
    json_t *o = json_pack(
        "{s:s, s:s, s:o, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s}", "name", t->name, "currency",
        t->currency, "vat_rate", http_amount(t->vat_rate_bp, 2), "timezone", t->timezone, "locale",
        t->locale, "refund_validity_days", t->refund_validity_days, "charge_on", t->charge_on,
        "invoice_prefix", t->invoice_prefix ? t->invoice_prefix : "", "country", t->country,
        "vat_id", t->vat_id, "seller_address", t->seller_address, "manual_grant", t->manual_grant);
    json_object_set_new(o, "file_retention_days", json_integer(t->file_retention_days));
    json_object_set_new(o, "duplicate_window_hours", json_integer(t->duplicate_window_hours));
    json_object_set_new(o, "mail_sender_name", json_string(t->mail_sender_name));
    json_object_set_new(o, "mail_reply_to", json_string(t->mail_reply_to));
    json_object_set_new(o, "portal_url", json_string(t->portal_url));
    json_object_set_new(o, "expiry_notice_days", json_integer(t->expiry_notice_days));
    json_object_set_new(o, "registration", json_string(t->registration));
    json_object_set_new(o, "totp_required", json_boolean(t->totp_required));
    char grouped[BANK_IBAN_GROUPED_BYTES];
    bank_iban_group(t->bank_iban, grouped);
    json_object_set_new(o, "bank_iban", json_string(t->bank_iban));
    json_object_set_new(o, "bank_iban_display", json_string(grouped));
    json_object_set_new(o, "bank_bic", json_string(t->bank_bic));
    json_object_set_new(o, "bank_account_holder", json_string(t->bank_account_holder));
    json_object_set_new(o, "payment_terms_days", json_integer(t->payment_terms_days));
    json_object_set_new(o, "credit_note_prefix", json_string(t->credit_note_prefix));
    /* The language of the business's documents and of users who chose none. */
    json_object_set_new(o, "language", json_string(i18n_lang(t->locale)));
    return o;
}

void h_settings(struct http_request *r)
{
    struct tenant_row t;
    enum err rc = svc_tenant_get(r->svc, &r->arena, r->tenant_id, &t);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    http_json(r, 200, h_settings_json(&t));
}

static void h_verify_finding(const char *finding, void *ctx)
{
    json_array_append_new(ctx, json_string(finding));
}

void h_verify(struct http_request *r)
{
    json_t *findings = json_array();
    int64_t n = 0;
    enum err rc = svc_verify_tenant(r->svc, r->tenant_id, h_verify_finding, findings, &n);
    if (rc != ERR_OK) {
        json_decref(findings);
        h_read_fail(r, rc, NULL);
        return;
    }
    http_json(r, 200, json_pack("{s:b, s:o}", "ok", n == 0, "findings", findings));
}
