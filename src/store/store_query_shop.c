/*
 * Questions about the shop: invoices, their lines, the store credit they
 * drew, and the payment gateways' webhook events. Portable SQL written once
 * for both backends, like store_query.c.
 *
 * Must not: decide totals, numbers or statuses (the service does).
 */
#include <string.h>

#include "store/store_int.h"

#define INVOICE_COLUMNS                                                                            \
    "id, tenant_id, customer_id, number, status, gateway, currency, seller_name, seller_address, " \
    "seller_country, seller_vat_id, buyer_name, buyer_email, buyer_country, buyer_vat_id, "        \
    "package_id, "                                                                                 \
    "net_minor, vat_rate_bp, vat_minor, gross_minor, reverse_charge, store_credit_minor, "         \
    "due_minor, credits_granted, gateway_ref, checkout_url, note, void_reason, created_by, "       \
    "created_at, paid_at, voided_at, updated_at, issue_date, due_date, payment_terms_days, "       \
    "bank_iban, bank_bic, bank_account_holder, buyer_address, language"

static void store_invoice_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct invoice_row *out = row;
    int i = 0;
    out->id = store_column_int64(s, i++);
    out->tenant_id = store_column_int64(s, i++);
    out->customer_id = store_column_int64(s, i++);
    out->number = store_q_text(a, s, i++);
    out->status = store_q_text(a, s, i++);
    out->gateway = store_q_text(a, s, i++);
    out->currency = store_q_text(a, s, i++);
    out->seller_name = store_q_text(a, s, i++);
    out->seller_address = store_q_text(a, s, i++);
    out->seller_country = store_q_text(a, s, i++);
    out->seller_vat_id = store_q_text(a, s, i++);
    out->buyer_name = store_q_text(a, s, i++);
    out->buyer_email = store_q_text(a, s, i++);
    out->buyer_country = store_q_text(a, s, i++);
    out->buyer_vat_id = store_q_text(a, s, i++);
    out->package_id = store_column_int64(s, i++);
    out->net_minor = store_column_int64(s, i++);
    out->vat_rate_bp = (int32_t)store_column_int64(s, i++);
    out->vat_minor = store_column_int64(s, i++);
    out->gross_minor = store_column_int64(s, i++);
    out->reverse_charge = store_column_int64(s, i++) != 0;
    out->store_credit_minor = store_column_int64(s, i++);
    out->due_minor = store_column_int64(s, i++);
    out->credits_granted = store_column_int64(s, i++) != 0;
    out->gateway_ref = store_q_text(a, s, i++);
    out->checkout_url = store_q_text(a, s, i++);
    out->note = store_q_text(a, s, i++);
    out->void_reason = store_q_text(a, s, i++);
    out->created_by = store_q_text(a, s, i++);
    out->created_at_us = store_column_int64(s, i++);
    out->paid_at_us = store_column_int64(s, i++);
    out->voided_at_us = store_column_int64(s, i++);
    out->updated_at_us = store_column_int64(s, i++);
    out->issue_date = store_q_text(a, s, i++);
    out->due_date = store_q_text(a, s, i++);
    out->payment_terms_days = (int32_t)store_column_int64(s, i++);
    out->bank_iban = store_q_text(a, s, i++);
    out->bank_bic = store_q_text(a, s, i++);
    out->bank_account_holder = store_q_text(a, s, i++);
    out->buyer_address = store_q_text(a, s, i++);
    out->language = store_q_text(a, s, i++);
    ASSERT(i == 41);
}

enum err store_invoice_insert(struct store_conn *c, const struct invoice_row *r, int64_t *id)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c,
        "INSERT INTO invoices (tenant_id, customer_id, number, status, gateway, currency, "
        "seller_name, seller_address, seller_country, seller_vat_id, buyer_name, buyer_email, "
        "buyer_country, buyer_vat_id, package_id, net_minor, vat_rate_bp, vat_minor, gross_minor, "
        "reverse_charge, store_credit_minor, due_minor, credits_granted, gateway_ref, "
        "checkout_url, note, created_by, created_at, paid_at, updated_at, issue_date, due_date, "
        "payment_terms_days, bank_iban, bank_bic, bank_account_holder, buyer_address, language) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
        "$19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $28, $30, $31, $32, $33, $34, $35, "
        "$36, $37) RETURNING id",
        &s);
    if (rc != ERR_OK)
        return rc;
    int i = 1;
    store_bind_int64(s, i++, r->tenant_id);
    store_bind_int64(s, i++, r->customer_id);
    store_bind_text(s, i++, r->number);
    store_bind_text(s, i++, r->status);
    store_bind_text(s, i++, r->gateway);
    store_bind_text(s, i++, r->currency);
    const char *texts[] = {r->seller_name, r->seller_address, r->seller_country, r->seller_vat_id,
                           r->buyer_name,  r->buyer_email,    r->buyer_country,  r->buyer_vat_id};
    for (size_t k = 0; k < sizeof(texts) / sizeof(texts[0]); k++)
        store_bind_text(s, i++, texts[k] ? texts[k] : "");
    store_bind_id(s, i++, r->package_id);
    store_bind_int64(s, i++, r->net_minor);
    store_bind_int64(s, i++, r->vat_rate_bp);
    store_bind_int64(s, i++, r->vat_minor);
    store_bind_int64(s, i++, r->gross_minor);
    store_bind_int64(s, i++, r->reverse_charge ? 1 : 0);
    store_bind_int64(s, i++, r->store_credit_minor);
    store_bind_int64(s, i++, r->due_minor);
    store_bind_int64(s, i++, r->credits_granted ? 1 : 0);
    store_bind_text(s, i++, r->gateway_ref ? r->gateway_ref : "");
    store_bind_text(s, i++, r->checkout_url ? r->checkout_url : "");
    store_bind_text(s, i++, r->note ? r->note : "");
    store_bind_text(s, i++, r->created_by);
    store_bind_int64(s, i++, r->created_at_us);
    store_bind_int64(s, i++, r->paid_at_us);
    store_bind_text(s, i++, r->issue_date);
    store_bind_text(s, i++, r->due_date);
    store_bind_int64(s, i++, r->payment_terms_days);
    const char *more[] = {r->bank_iban, r->bank_bic, r->bank_account_holder, r->buyer_address,
                          r->language};
    for (size_t k = 0; k < sizeof(more) / sizeof(more[0]); k++)
        store_bind_text(s, i++, more[k] ? more[k] : "");
    ASSERT(i == 38);
    return store_q_id(c, s, id);
}

enum err store_invoice_update(struct store_conn *c, const struct invoice_row *r)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE invoices SET status = $3, credits_granted = $4, "
                                "gateway_ref = $5, checkout_url = $6, void_reason = $7, "
                                "paid_at = $8, voided_at = $9, updated_at = $10 "
                                "WHERE tenant_id = $1 AND id = $2",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, r->tenant_id);
    store_bind_int64(s, 2, r->id);
    store_bind_text(s, 3, r->status);
    store_bind_int64(s, 4, r->credits_granted ? 1 : 0);
    store_bind_text(s, 5, r->gateway_ref ? r->gateway_ref : "");
    store_bind_text(s, 6, r->checkout_url ? r->checkout_url : "");
    store_bind_text(s, 7, r->void_reason ? r->void_reason : "");
    store_bind_int64(s, 8, r->paid_at_us);
    store_bind_int64(s, 9, r->voided_at_us);
    store_bind_int64(s, 10, r->updated_at_us);
    return store_q_run(c, s);
}

enum err store_invoice_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                           bool lock, struct invoice_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                lock ? "SELECT " INVOICE_COLUMNS
                                       " FROM invoices WHERE tenant_id = $1 AND id = $2 FOR UPDATE"
                                     : "SELECT " INVOICE_COLUMNS
                                       " FROM invoices WHERE tenant_id = $1 AND id = $2",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    return store_q_one(c, a, s, out, store_invoice_read);
}

enum err store_invoice_by_gateway_ref(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                      const char *gateway, const char *ref, bool lock,
                                      struct invoice_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                lock ? "SELECT " INVOICE_COLUMNS " FROM invoices WHERE tenant_id = "
                                       "$3 AND gateway = $1 AND gateway_ref = $2 AND gateway_ref "
                                       "<> '' FOR UPDATE"
                                     : "SELECT " INVOICE_COLUMNS " FROM invoices WHERE tenant_id = "
                                       "$3 AND gateway = $1 AND gateway_ref = $2 AND gateway_ref "
                                       "<> ''",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_text(s, 1, gateway);
    store_bind_text(s, 2, ref);
    store_bind_int64(s, 3, tenant_id);
    return store_q_one(c, a, s, out, store_invoice_read);
}

enum err store_invoice_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                            const struct invoice_filter *f, struct invoice_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c,
        "SELECT " INVOICE_COLUMNS " FROM invoices WHERE tenant_id = $1 "
        "AND (CAST($2 AS BIGINT) = 0 OR customer_id = $2) AND ($3 = '' OR status = $3) "
        "AND ($4 = '' OR gateway = $4) AND created_at >= $5 "
        "AND created_at < $6 AND id < $7 ORDER BY id DESC LIMIT $8",
        &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, f->customer_id);
    store_bind_text(s, 3, f->status ? f->status : "");
    store_bind_text(s, 4, f->gateway ? f->gateway : "");
    store_bind_int64(s, 5, f->from_us);
    store_bind_int64(s, 6, f->to_us > 0 ? f->to_us : INT64_MAX);
    store_bind_int64(s, 7, f->before_id > 0 ? f->before_id : INT64_MAX);
    store_bind_int64(s, 8, (int64_t)f->limit);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_invoice_read);
}

/* ---- credit notes -------------------------------------------------------- */

#define CREDIT_NOTE_COLUMNS                                                                        \
    "n.id, n.tenant_id, n.invoice_id, n.customer_id, n.number, n.issue_date, n.currency, "         \
    "n.net_minor, n.vat_rate_bp, n.vat_minor, n.gross_minor, n.store_credit_minor, "               \
    "n.refund_minor, n.reason, n.language, n.created_by, n.created_at, i.number"
#define CREDIT_NOTE_FROM                                                                           \
    " FROM credit_notes n JOIN invoices i ON i.tenant_id = n.tenant_id AND i.id = n.invoice_id "

static void store_credit_note_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct credit_note_row *out = row;
    int i = 0;
    out->id = store_column_int64(s, i++);
    out->tenant_id = store_column_int64(s, i++);
    out->invoice_id = store_column_int64(s, i++);
    out->customer_id = store_column_int64(s, i++);
    out->number = store_q_text(a, s, i++);
    out->issue_date = store_q_text(a, s, i++);
    out->currency = store_q_text(a, s, i++);
    out->net_minor = store_column_int64(s, i++);
    out->vat_rate_bp = (int32_t)store_column_int64(s, i++);
    out->vat_minor = store_column_int64(s, i++);
    out->gross_minor = store_column_int64(s, i++);
    out->store_credit_minor = store_column_int64(s, i++);
    out->refund_minor = store_column_int64(s, i++);
    out->reason = store_q_text(a, s, i++);
    out->language = store_q_text(a, s, i++);
    out->created_by = store_q_text(a, s, i++);
    out->created_at_us = store_column_int64(s, i++);
    out->invoice_number = store_q_text(a, s, i++);
    ASSERT(i == 18);
}

enum err store_credit_note_insert(struct store_conn *c, const struct credit_note_row *r,
                                  int64_t *id)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c,
        "INSERT INTO credit_notes (tenant_id, invoice_id, customer_id, number, issue_date, "
        "currency, net_minor, vat_rate_bp, vat_minor, gross_minor, store_credit_minor, "
        "refund_minor, reason, language, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, "
        "$7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
        &s);
    if (rc != ERR_OK)
        return rc;
    ASSERT(r->gross_minor == r->net_minor + r->vat_minor);
    int i = 1;
    store_bind_int64(s, i++, r->tenant_id);
    store_bind_int64(s, i++, r->invoice_id);
    store_bind_int64(s, i++, r->customer_id);
    store_bind_text(s, i++, r->number);
    store_bind_text(s, i++, r->issue_date);
    store_bind_text(s, i++, r->currency);
    store_bind_int64(s, i++, r->net_minor);
    store_bind_int64(s, i++, r->vat_rate_bp);
    store_bind_int64(s, i++, r->vat_minor);
    store_bind_int64(s, i++, r->gross_minor);
    store_bind_int64(s, i++, r->store_credit_minor);
    store_bind_int64(s, i++, r->refund_minor);
    store_bind_text(s, i++, r->reason ? r->reason : "");
    store_bind_text(s, i++, r->language);
    store_bind_text(s, i++, r->created_by);
    store_bind_int64(s, i++, r->created_at_us);
    ASSERT(i == 17);
    return store_q_id(c, s, id);
}

enum err store_credit_note_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                               struct credit_note_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c, "SELECT " CREDIT_NOTE_COLUMNS CREDIT_NOTE_FROM "WHERE n.tenant_id = $1 AND n.id = $2",
        &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    return store_q_one(c, a, s, out, store_credit_note_read);
}

enum err store_credit_note_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                const struct credit_note_filter *f, struct credit_note_row **out,
                                size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " CREDIT_NOTE_COLUMNS CREDIT_NOTE_FROM
                                "WHERE n.tenant_id = $1 AND (CAST($2 AS BIGINT) = 0 OR "
                                "n.customer_id = $2) AND (CAST($3 AS BIGINT) = 0 OR "
                                "n.invoice_id = $3) AND n.id < $4 ORDER BY n.id DESC LIMIT $5",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, f->customer_id);
    store_bind_int64(s, 3, f->invoice_id);
    store_bind_int64(s, 4, f->before_id > 0 ? f->before_id : INT64_MAX);
    store_bind_int64(s, 5, (int64_t)f->limit);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_credit_note_read);
}

enum err store_invoice_line_insert(struct store_conn *c, int64_t tenant_id, int64_t invoice_id,
                                   int position, const struct invoice_line_row *l)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO invoice_lines (invoice_id, position, description, "
                                "quantity, unit_net_minor, net_minor, tenant_id) "
                                "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 7, tenant_id);
    store_bind_int64(s, 1, invoice_id);
    store_bind_int64(s, 2, position);
    store_bind_text(s, 3, l->description);
    store_bind_int64(s, 4, l->quantity);
    store_bind_int64(s, 5, l->unit_net_minor);
    store_bind_int64(s, 6, l->net_minor);
    return store_q_run(c, s);
}

static void store_invoice_line_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct invoice_line_row *out = row;
    out->description = store_q_text(a, s, 0);
    out->quantity = store_column_int64(s, 1);
    out->unit_net_minor = store_column_int64(s, 2);
    out->net_minor = store_column_int64(s, 3);
}

enum err store_invoice_lines(struct store_conn *c, struct arena *a, int64_t tenant_id,
                             int64_t invoice_id, struct invoice_line_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT description, quantity, unit_net_minor, net_minor "
                                "FROM invoice_lines WHERE tenant_id = $2 AND invoice_id = $1 "
                                "ORDER BY position",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, invoice_id);
    store_bind_int64(s, 2, tenant_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_invoice_line_read);
}

enum err store_invoice_credit_insert(struct store_conn *c, int64_t tenant_id, int64_t invoice_id,
                                     const struct invoice_credit_row *r)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO invoice_credits (invoice_id, lot_id, credit_type_id, "
                                "amount_minor, money_minor, tenant_id) VALUES ($1, $2, $3, $4, "
                                "$5, $6)",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 6, tenant_id);
    store_bind_int64(s, 1, invoice_id);
    store_bind_int64(s, 2, r->lot_id);
    store_bind_int64(s, 3, r->credit_type_id);
    store_bind_int64(s, 4, r->amount_minor);
    store_bind_int64(s, 5, r->money_minor);
    return store_q_run(c, s);
}

static void store_invoice_credit_read(struct arena *a, struct store_stmt *s, void *row)
{
    (void)a;
    struct invoice_credit_row *out = row;
    out->lot_id = store_column_int64(s, 0);
    out->credit_type_id = store_column_int64(s, 1);
    out->amount_minor = store_column_int64(s, 2);
    out->money_minor = store_column_int64(s, 3);
}

enum err store_invoice_credits(struct store_conn *c, struct arena *a, int64_t tenant_id,
                               int64_t invoice_id, struct invoice_credit_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT lot_id, credit_type_id, amount_minor, money_minor "
                                "FROM invoice_credits WHERE tenant_id = $2 AND invoice_id = $1 "
                                "ORDER BY credit_type_id, lot_id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, invoice_id);
    store_bind_int64(s, 2, tenant_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_invoice_credit_read);
}

enum err store_webhook_event_insert(struct store_conn *c, const struct webhook_event_row *r)
{
    struct store_stmt *s;
    enum err rc =
        store_prepare(c,
                      "INSERT INTO webhook_events (gateway, event_id, type, tenant_id, "
                      "invoice_id, outcome, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                      "ON CONFLICT (tenant_id, gateway, event_id) DO NOTHING RETURNING received_at",
                      &s);
    if (rc != ERR_OK)
        return rc;
    ASSERT(r->tenant_id > 0);
    store_bind_text(s, 1, r->gateway);
    store_bind_text(s, 2, r->event_id);
    store_bind_text(s, 3, r->type);
    store_bind_int64(s, 4, r->tenant_id);
    store_bind_id(s, 5, r->invoice_id);
    store_bind_text(s, 6, r->outcome);
    store_bind_int64(s, 7, r->received_at_us);
    int64_t at;
    rc = store_q_id(c, s, &at);
    return rc == ERR_NOT_FOUND ? ERR_DUPLICATE : rc;
}

static void store_webhook_event_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct webhook_event_row *out = row;
    out->gateway = store_q_text(a, s, 0);
    out->event_id = store_q_text(a, s, 1);
    out->type = store_q_text(a, s, 2);
    out->tenant_id = store_column_int64(s, 3);
    out->invoice_id = store_column_int64(s, 4);
    out->outcome = store_q_text(a, s, 5);
    out->received_at_us = store_column_int64(s, 6);
}

enum err store_webhook_event_get(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                 const char *gateway, const char *event_id,
                                 struct webhook_event_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT gateway, event_id, type, tenant_id, invoice_id, outcome, "
                                "received_at FROM webhook_events WHERE tenant_id = $3 "
                                "AND gateway = $1 AND event_id = $2",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_text(s, 1, gateway);
    store_bind_text(s, 2, event_id);
    store_bind_int64(s, 3, tenant_id);
    return store_q_one(c, a, s, out, store_webhook_event_read);
}
