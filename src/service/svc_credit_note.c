/*
 * What an invoice says beyond its totals, and its credit note: the issue
 * and due dates as local dates of the tenant's time zone, the document's
 * language, the bank details it asks to be paid to, and, when a paid
 * invoice is voided, the credit note that cancels it. Credit notes are
 * numbered per tenant and year without gaps, like invoices, in their own
 * series ("<prefix>-2026-000001"), taken in the void's transaction.
 *
 * Must not: change what voiding does to the ledger (svc_invoice.c decides
 * that) or render anything.
 */
#include <string.h>

#include "service/service_int.h"

#define CREDIT_NOTE_PREFIX_BYTES_MAX 10
#define BANK_HOLDER_CHARS_MAX        70 /* the EPC QR code's name field */

const char *svc_local_date(struct arena *a, const struct tz *tz, int64_t t_us, int32_t plus_days)
{
    ASSERT(plus_days >= 0);
    struct local_time lt;
    tz_local_time(tz, t_us, &lt);
    int64_t y;
    unsigned m, d;
    time_civil_from_days(time_days_from_civil(lt.year, lt.month, lt.day) + plus_days, &y, &m, &d);
    return arena_printf(a, "%04lld-%02u-%02u", (long long)y, m, d);
}

const char *svc_document_language(const char *customer_locale, const char *tenant_locale)
{
    const char *l =
        customer_locale != NULL && customer_locale[0] != '\0' ? customer_locale : tenant_locale;
    return i18n_lang(l);
}

void svc_invoice_dates_fill(struct arena *a, const struct svc_tenant *t, struct invoice_row *row)
{
    if (row->issue_date != NULL && row->issue_date[0] != '\0')
        return;
    /* Made before schema 11: dated from when it was made, due after the
     * terms it was migrated with. */
    const char *issue = svc_local_date(a, &t->tz, row->created_at_us, 0);
    const char *due = svc_local_date(a, &t->tz, row->created_at_us,
                                     row->payment_terms_days > 0 ? row->payment_terms_days : 0);
    row->issue_date = issue != NULL ? issue : "";
    row->due_date = due != NULL ? due : "";
}

/* ---- settings ------------------------------------------------------------ */

static size_t svc_utf8_chars(const char *s)
{
    size_t n = 0;
    for (; s != NULL && *s != '\0'; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

void svc_settings_normalize(struct arena *a, struct tenant_row *t)
{
    char iban[BANK_IBAN_BYTES], bic[BANK_BIC_BYTES];
    if (t->bank_iban != NULL && bank_iban_normalize(t->bank_iban, iban) == BANK_OK) {
        const char *copy = arena_strdup(a, iban);
        t->bank_iban = copy != NULL ? copy : t->bank_iban;
    }
    if (t->bank_bic != NULL && bank_bic_normalize(t->bank_bic, bic) == BANK_OK) {
        const char *copy = arena_strdup(a, bic);
        t->bank_bic = copy != NULL ? copy : t->bank_bic;
    }
}

enum err svc_settings_bank_check(const struct tenant_row *t, char iban[BANK_IBAN_BYTES],
                                 char bic[BANK_BIC_BYTES], struct err_detail *d)
{
    iban[0] = bic[0] = '\0';
    enum bank_check b;
    if (t->bank_iban != NULL && t->bank_iban[0] != '\0' &&
        (b = bank_iban_normalize(t->bank_iban, iban)) != BANK_OK)
        return err_set(d, ERR_VALIDATION, "bank_iban", "%s", bank_check_text(b));
    if (t->bank_bic != NULL && t->bank_bic[0] != '\0' &&
        (b = bank_bic_normalize(t->bank_bic, bic)) != BANK_OK)
        return err_set(d, ERR_VALIDATION, "bank_bic",
                       "must be a BIC of 8 or 11 letters and digits (ISO 9362), like "
                       "'COBADEFFXXX'");
    enum err rc =
        svc_text_check(t->bank_account_holder, "bank_account_holder", NAME_BYTES_MAX, false, d);
    if (rc != ERR_OK)
        return rc;
    if (svc_utf8_chars(t->bank_account_holder) > BANK_HOLDER_CHARS_MAX)
        return err_set(d, ERR_VALIDATION, "bank_account_holder",
                       "must be at most %d characters (the transfer's name field)",
                       BANK_HOLDER_CHARS_MAX);
    if (t->payment_terms_days < 0 || t->payment_terms_days > 365)
        return err_set(d, ERR_VALIDATION, "payment_terms_days", "must be between 0 and 365");
    const char *prefix = t->credit_note_prefix != NULL ? t->credit_note_prefix : "";
    size_t n = strlen(prefix);
    bool ok = n >= 1 && n <= CREDIT_NOTE_PREFIX_BYTES_MAX;
    for (const char *p = prefix; ok && *p != '\0'; p++)
        ok = (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
    if (!ok)
        return err_set(d, ERR_VALIDATION, "credit_note_prefix",
                       "must be 1 to %d capital letters or digits, like 'CN' or 'GS'",
                       CREDIT_NOTE_PREFIX_BYTES_MAX);
    return ERR_OK;
}

/* ---- issuing ------------------------------------------------------------- */

enum err svc_credit_note_issue(struct store_conn *c, struct arena *a, const struct svc_actor *actor,
                               const struct invoice_row *inv, const char *reason, int64_t now_us,
                               struct credit_note_row *out)
{
    ASSERT(strcmp(inv->status, "void") == 0);
    struct svc_tenant t;
    enum err rc = svc_tenant_load(c, a, inv->tenant_id, &t);
    if (rc != ERR_OK)
        return rc;
    struct local_time lt;
    tz_local_time(&t.tz, now_us, &lt);
    int64_t seq;
    if ((rc = store_counter_next(c, inv->tenant_id, "credit_note", lt.year, &seq)) != ERR_OK)
        return rc;
    const char *prefix = t.row.credit_note_prefix[0] != '\0' ? t.row.credit_note_prefix : "CN";
    *out = (struct credit_note_row){
        .tenant_id = inv->tenant_id,
        .invoice_id = inv->id,
        .customer_id = inv->customer_id,
        .number = arena_printf(a, "%s-%04lld-%06lld", prefix, (long long)lt.year, (long long)seq),
        .issue_date = svc_local_date(a, &t.tz, now_us, 0),
        .currency = inv->currency,
        .net_minor = inv->net_minor,
        .vat_rate_bp = inv->vat_rate_bp,
        .vat_minor = inv->vat_minor,
        .gross_minor = inv->gross_minor,
        .store_credit_minor = inv->store_credit_minor,
        .refund_minor = inv->due_minor,
        .reason = reason != NULL ? reason : "",
        .language = inv->language != NULL && inv->language[0] != '\0' ? inv->language : "en",
        .created_by = svc_actor_label(actor),
        .created_at_us = now_us,
        .invoice_number = inv->number};
    if (out->number == NULL || out->issue_date == NULL)
        return ERR_TOO_LARGE;
    ASSERT(out->refund_minor == out->gross_minor - out->store_credit_minor);
    return store_credit_note_insert(c, out, &out->id);
}

/* ---- reads --------------------------------------------------------------- */

struct credit_note_read_ctx {
    struct arena *a;
    int64_t tenant_id, id, only_customer_id;
    const struct credit_note_filter *filter;
    struct svc_credit_note_view *one;
    struct svc_credit_notes *list;
};

static enum err svc_credit_note_read_txn(struct store_conn *c, void *arg)
{
    struct credit_note_read_ctx *x = arg;
    enum err rc = store_credit_note_get(c, x->a, x->tenant_id, x->id, &x->one->note);
    if (rc == ERR_OK && x->only_customer_id != 0 && x->one->note.customer_id != x->only_customer_id)
        rc = ERR_NOT_FOUND;
    struct invoice_row inv;
    if (rc == ERR_OK)
        rc = store_invoice_get(c, x->a, x->tenant_id, x->one->note.invoice_id, false, &inv);
    return rc == ERR_OK ? svc_invoice_view_fill(c, x->a, &inv, &x->one->invoice) : rc;
}

enum err svc_credit_note_read(struct svc *s, struct arena *a, int64_t tenant_id, int64_t id,
                              int64_t only_customer_id, struct svc_credit_note_view *out)
{
    memset(out, 0, sizeof(*out));
    struct credit_note_read_ctx x = {
        .a = a, .tenant_id = tenant_id, .id = id, .only_customer_id = only_customer_id, .one = out};
    return store_read(s->st, svc_credit_note_read_txn, &x);
}

static enum err svc_credit_notes_read_txn(struct store_conn *c, void *arg)
{
    struct credit_note_read_ctx *x = arg;
    struct credit_note_filter f = *x->filter;
    f.limit = x->filter->limit + 1;
    enum err rc = store_credit_note_list(c, x->a, x->tenant_id, &f, &x->list->items, &x->list->n);
    if (rc == ERR_OK && x->list->n > x->filter->limit) {
        x->list->more = true;
        x->list->n = x->filter->limit;
    }
    return rc;
}

enum err svc_credit_notes_read(struct svc *s, struct arena *a, int64_t tenant_id,
                               const struct credit_note_filter *f, struct svc_credit_notes *out)
{
    ASSERT(f->limit > 0);
    memset(out, 0, sizeof(*out));
    struct credit_note_read_ctx x = {.a = a, .tenant_id = tenant_id, .filter = f, .list = out};
    return store_read(s->st, svc_credit_notes_read_txn, &x);
}
