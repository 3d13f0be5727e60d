/*
 * Invoices and credit notes as documents: a struct doc (src/doc) filled
 * from an invoice as it was made (its parties, lines and totals are
 * snapshots on the invoice row) and the tenant's settings of now (time
 * zone, language), rendered as a PDF for the API and for the invoice mails.
 * A credit note prints its invoice's parties and lines with the amounts
 * negated (it reverses them), its own number, date and language, what it
 * returns as store credit and what is refunded, and its reason.
 *
 * The document's language is the customer's (its mail language), else the
 * tenant's. Dates are local dates in the tenant's time zone. What the
 * invoices do not hold yet is left out of the document: the buyer's postal
 * address, a due date, bank details, a logo, the seller's legal lines (the
 * renderer prints the seller's name, address and VAT ID instead).
 *
 * Must not: write anything, or decide a total (the invoice's are printed as
 * they are).
 */
#include <string.h>

#include "service/service_int.h"

static struct doc_date svc_doc_date(const struct tz *tz, int64_t t_us)
{
    if (t_us <= 0)
        return (struct doc_date){0, 0, 0};
    struct local_time lt;
    tz_local_time(tz, t_us, &lt);
    return (struct doc_date){lt.year, lt.month, lt.day};
}

/* The invoice's lines with the invoice's VAT rate on each. */
static struct doc_line *svc_doc_lines(struct arena *a, const struct invoice_row *inv,
                                      const struct invoice_line_row *rows, size_t n)
{
    struct doc_line *lines = arena_alloc(a, (n + 1) * sizeof(*lines));
    for (size_t i = 0; lines != NULL && i < n; i++)
        lines[i] = (struct doc_line){.description = rows[i].description,
                                     .quantity = rows[i].quantity,
                                     .unit_net_minor = rows[i].unit_net_minor,
                                     .vat_rate_bp = inv->vat_rate_bp,
                                     .net_minor = rows[i].net_minor};
    return lines;
}

/* A local day "YYYY-MM-DD" as a document date ({0} for none). */
static struct doc_date svc_doc_day(const char *day)
{
    if (day == NULL || strlen(day) != 10 || day[4] != '-' || day[7] != '-')
        return (struct doc_date){0, 0, 0};
    unsigned v[3] = {0, 0, 0};
    const int at[3][2] = {{0, 4}, {5, 2}, {8, 2}};
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < at[i][1]; k++) {
            char ch = day[at[i][0] + k];
            if (ch < '0' || ch > '9')
                return (struct doc_date){0, 0, 0};
            v[i] = v[i] * 10 + (unsigned)(ch - '0');
        }
    if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31)
        return (struct doc_date){0, 0, 0};
    return (struct doc_date){v[0], v[1], v[2]};
}

/* How to pay by transfer, from the bank details the invoice was issued
 * with (NULL when it had none). */
static const struct doc_payment *svc_doc_payment(struct arena *a, const char *lang,
                                                 const struct invoice_row *inv)
{
    if (inv->bank_iban == NULL || inv->bank_iban[0] == '\0')
        return NULL;
    struct doc_payment *p = arena_alloc(a, sizeof(*p));
    if (p == NULL)
        return NULL;
    *p = (struct doc_payment){
        .holder = inv->bank_account_holder != NULL && inv->bank_account_holder[0] != '\0'
                      ? inv->bank_account_holder
                      : inv->seller_name,
        .iban = inv->bank_iban,
        .bic = inv->bank_bic,
        .terms = inv->payment_terms_days > 0
                     ? i18n_plural(a, lang, "document.terms_days", inv->payment_terms_days, NULL)
                     : i18n_text(lang, "document.terms_now")};
    return p;
}

static void svc_doc_fill(struct arena *a, const struct svc_tenant *t,
                         const struct customer_row *cust, const struct invoice_row *inv,
                         struct doc *out)
{
    /* The language it was issued in; an invoice from before schema 11 has
     * none: the customer's, else the business's. */
    const char *lang = inv->language != NULL && inv->language[0] != '\0' ? inv->language
                       : cust != NULL && cust->locale != NULL && cust->locale[0] != '\0'
                           ? cust->locale
                           : t->row.locale;
    char customer_number[ID_TEXT_BYTES];
    id_format(customer_number, sizeof(customer_number), "cus", inv->customer_id);
    struct doc_vat *vat = arena_alloc(a, sizeof(*vat));
    if (vat != NULL)
        *vat = (struct doc_vat){inv->vat_rate_bp, inv->net_minor, inv->vat_minor};
    bool paid = strcmp(inv->status, "paid") == 0;
    *out = (struct doc){
        .kind = DOC_INVOICE,
        .lang = i18n_lang(lang),
        .number = inv->number,
        .customer_number = arena_strdup(a, customer_number),
        .currency = inv->currency,
        .issue_date = inv->issue_date != NULL && inv->issue_date[0] != '\0'
                          ? svc_doc_day(inv->issue_date)
                          : svc_doc_date(&t->tz, inv->created_at_us),
        .due_date = svc_doc_day(inv->due_date),
        .paid_date = paid ? svc_doc_date(&t->tz, inv->paid_at_us) : (struct doc_date){0, 0, 0},
        .voided = strcmp(inv->status, "void") == 0,
        .seller = {.name = inv->seller_name,
                   .address = inv->seller_address,
                   .country = inv->seller_country,
                   .vat_id = inv->seller_vat_id},
        .buyer = {.name = inv->buyer_name,
                  .address = inv->buyer_address,
                  .country = inv->buyer_country,
                  .vat_id = inv->buyer_vat_id,
                  .email = inv->buyer_email},
        .vats = vat,
        .n_vats = vat != NULL ? 1 : 0,
        .net_minor = inv->net_minor,
        .gross_minor = inv->gross_minor,
        .store_credit_minor = inv->store_credit_minor,
        .due_minor = inv->due_minor,
        .reverse_charge = inv->reverse_charge,
        /* The reverse charge's note is printed in the document's language. */
        .note = inv->reverse_charge ? NULL : inv->note,
    };
    out->payment = svc_doc_payment(a, out->lang, inv);
}

/* The business's logo on its documents, when it has one. */
static enum err svc_doc_logo(struct store_conn *c, struct arena *a, int64_t tenant_id,
                             struct doc_image *out)
{
    struct branding_row meta;
    const uint8_t *bytes = NULL;
    size_t n = 0;
    enum err rc = store_branding_logo_get(c, a, tenant_id, &meta, &bytes, &n);
    if (rc == ERR_NOT_FOUND)
        return ERR_OK;
    if (rc != ERR_OK)
        return rc;
    enum doc_image_type type = strcmp(meta.logo_type, "image/png") == 0       ? DOC_IMAGE_PNG
                               : strcmp(meta.logo_type, "image/jpeg") == 0    ? DOC_IMAGE_JPEG
                               : strcmp(meta.logo_type, "image/svg+xml") == 0 ? DOC_IMAGE_SVG
                                                                              : DOC_IMAGE_NONE;
    if (type != DOC_IMAGE_NONE && n <= DOC_LOGO_BYTES_MAX)
        *out = (struct doc_image){.type = type, .bytes = bytes, .len = n};
    return ERR_OK;
}

enum err svc_doc_from_invoice(struct store_conn *c, struct arena *a, int64_t tenant_id,
                              int64_t invoice_id, int64_t only_customer_id, struct doc *out)
{
    ASSERT(tenant_id > 0);
    ASSERT(out != NULL);
    struct invoice_row *inv = arena_alloc(a, sizeof(*inv));
    struct svc_tenant *t = arena_alloc(a, sizeof(*t));
    if (inv == NULL || t == NULL)
        return ERR_TOO_LARGE;
    enum err rc = store_invoice_get(c, a, tenant_id, invoice_id, false, inv);
    if (rc == ERR_OK && only_customer_id != 0 && inv->customer_id != only_customer_id)
        rc = ERR_NOT_FOUND;
    struct invoice_line_row *rows = NULL;
    size_t n = 0;
    if (rc == ERR_OK)
        rc = store_invoice_lines(c, a, tenant_id, invoice_id, &rows, &n);
    if (rc == ERR_OK)
        rc = svc_tenant_load(c, a, tenant_id, t);
    struct customer_row cust;
    enum err crc =
        rc == ERR_OK ? store_customer_get(c, a, tenant_id, inv->customer_id, &cust) : ERR_NOT_FOUND;
    if (crc != ERR_OK && crc != ERR_NOT_FOUND)
        rc = crc;
    if (rc != ERR_OK)
        return rc;
    svc_invoice_dates_fill(a, t, inv);
    svc_doc_fill(a, t, crc == ERR_OK ? &cust : NULL, inv, out);
    rc = svc_doc_logo(c, a, tenant_id, &out->logo);
    if (rc != ERR_OK)
        return rc;
    out->lines = svc_doc_lines(a, inv, rows, n);
    out->n_lines = n;
    return out->lines == NULL || out->customer_number == NULL || a->refused ? ERR_TOO_LARGE
                                                                            : ERR_OK;
}

/* The credit note as a document: its invoice's, reversed. */
static enum err svc_doc_from_credit_note(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                         int64_t note_id, int64_t only_customer_id, struct doc *out)
{
    struct credit_note_row *n = arena_alloc(a, sizeof(*n));
    if (n == NULL)
        return ERR_TOO_LARGE;
    enum err rc = store_credit_note_get(c, a, tenant_id, note_id, n);
    if (rc == ERR_OK && only_customer_id != 0 && n->customer_id != only_customer_id)
        rc = ERR_NOT_FOUND;
    if (rc == ERR_OK)
        rc = svc_doc_from_invoice(c, a, tenant_id, n->invoice_id, 0, out);
    if (rc != ERR_OK)
        return rc;
    struct doc_line *lines = (struct doc_line *)out->lines;
    for (size_t i = 0; i < out->n_lines; i++) {
        lines[i].unit_net_minor = -lines[i].unit_net_minor;
        lines[i].net_minor = -lines[i].net_minor;
    }
    struct doc_vat *vat = (struct doc_vat *)out->vats;
    if (out->n_vats == 1)
        *vat = (struct doc_vat){n->vat_rate_bp, -n->net_minor, -n->vat_minor};
    const char *lang =
        n->language != NULL && n->language[0] != '\0' ? i18n_lang(n->language) : out->lang;
    out->kind = DOC_CREDIT_NOTE;
    out->lang = lang;
    out->invoice_number = out->number;
    out->number = n->number;
    out->currency = n->currency;
    out->issue_date = svc_doc_day(n->issue_date);
    out->due_date = out->paid_date = (struct doc_date){0, 0, 0};
    out->voided = false;
    out->net_minor = -n->net_minor;
    out->gross_minor = -n->gross_minor;
    out->store_credit_minor = n->store_credit_minor;
    out->due_minor = n->refund_minor;
    out->payment = NULL;
    out->note = n->reason != NULL && n->reason[0] != '\0'
                    ? i18n_format(a, lang, "document.credit_note_reason", "reason", n->reason, NULL)
                    : NULL;
    return a->refused ? ERR_TOO_LARGE : ERR_OK;
}

struct svc_doc_read {
    struct arena *a;
    int64_t tenant_id, id, only_customer_id;
    bool credit_note;
    struct doc doc;
};

static enum err svc_doc_read_txn(struct store_conn *c, void *arg)
{
    struct svc_doc_read *x = arg;
    if (x->credit_note)
        return svc_doc_from_credit_note(c, x->a, x->tenant_id, x->id, x->only_customer_id, &x->doc);
    return svc_doc_from_invoice(c, x->a, x->tenant_id, x->id, x->only_customer_id, &x->doc);
}

/* Reads and renders one document; what is named in the errors is its kind. */
static enum err svc_doc_pdf(struct svc *s, struct svc_doc_read *x, struct buf *out,
                            const char **number, struct err_detail *d)
{
    const char *what = x->credit_note ? "credit note" : "invoice";
    enum err rc = store_read(s->st, svc_doc_read_txn, x);
    /* Each kind its own message, so that each says it in its language. */
    if (rc == ERR_NOT_FOUND && x->credit_note)
        return err_set(d, rc, "", "no such credit note");
    if (rc == ERR_NOT_FOUND)
        return err_set(d, rc, "", "no such invoice");
    if (rc != ERR_OK && x->credit_note)
        return err_set(d, rc, "", "cannot read the credit note");
    if (rc != ERR_OK)
        return err_set(d, rc, "", "cannot read the invoice");
    *number = x->doc.number;
    rc = doc_pdf(&x->doc, out, d);
    if (rc != ERR_OK && rc != ERR_TOO_LARGE) {
        /* Stored text the renderer refuses is no fault of the request. */
        log_msg(LOG_ERROR, "cannot render %s '%s' as PDF: %s: %s", what, x->doc.number, d->field,
                d->message);
        rc = x->credit_note ? err_set(d, ERR_INTERNAL, "", "cannot render the credit note")
                            : err_set(d, ERR_INTERNAL, "", "cannot render the invoice");
    }
    return rc;
}

enum err svc_invoice_pdf(struct svc *s, struct arena *a, int64_t tenant_id, int64_t invoice_id,
                         int64_t only_customer_id, struct buf *out, const char **number,
                         struct err_detail *d)
{
    ASSERT(out != NULL);
    ASSERT(number != NULL);
    struct svc_doc_read x = {
        .a = a, .tenant_id = tenant_id, .id = invoice_id, .only_customer_id = only_customer_id};
    return svc_doc_pdf(s, &x, out, number, d);
}

enum err svc_credit_note_pdf(struct svc *s, struct arena *a, int64_t tenant_id, int64_t note_id,
                             int64_t only_customer_id, struct buf *out, const char **number,
                             struct err_detail *d)
{
    ASSERT(out != NULL);
    ASSERT(number != NULL);
    struct svc_doc_read x = {.a = a,
                             .tenant_id = tenant_id,
                             .id = note_id,
                             .only_customer_id = only_customer_id,
                             .credit_note = true};
    return svc_doc_pdf(s, &x, out, number, d);
}
