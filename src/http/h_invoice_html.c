/*
 * The printable invoice and credit note: one self-contained HTML page each,
 * in the document's language (English or German, stored on the invoice),
 * dated in the tenant's time zone, the parties with their addresses (the
 * country named once), the lines and totals, and for an open invoice with
 * bank details how to pay it, with the EPC QR code ("GiroCode") that
 * /assets/invoice-qr.js draws from the text the page carries.
 *
 * The words of the documents are in h_doc_texts, one table per language,
 * so that moving them to message catalogues is mechanical.
 *
 * Must not: run inline script or style (the page's CSP allows only the
 * style whose hash it names and scripts of this origin), or decide amounts.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/http_int.h"

/* ---- the documents' words ------------------------------------------------ */

struct h_doc_text {
    const char *lang;
    const char *invoice, *credit_note, *credit_note_for, *issue_date, *due_date, *paid_on;
    const char *voided, *from, *to, *vat_id, *description, *quantity, *unit_net, *net;
    const char *vat, *total, *store_credit, *amount_due, *pay_heading, *account_holder;
    const char *amount, *reference, *pay_by, *qr_hint, *store_credit_returned, *refund_due;
    const char *reason, *status_open, *status_paid, *status_void;
};

static const struct h_doc_text h_doc_texts[] = {
    {.lang = "en",
     .invoice = "Invoice",
     .credit_note = "Credit note",
     .credit_note_for = "Cancels invoice",
     .issue_date = "Date",
     .due_date = "Due date",
     .paid_on = "Paid",
     .voided = "Void",
     .from = "From",
     .to = "To",
     .vat_id = "VAT ID",
     .description = "Description",
     .quantity = "Qty",
     .unit_net = "Unit net",
     .net = "Net",
     .vat = "VAT",
     .total = "Total",
     .store_credit = "Paid with store credit",
     .amount_due = "Amount due",
     .pay_heading = "Payment by bank transfer",
     .account_holder = "Account holder",
     .amount = "Amount",
     .reference = "Reference",
     .pay_by = "Please pay by",
     .qr_hint = "Scan with your banking app (EPC QR code)",
     .store_credit_returned = "Returned as store credit",
     .refund_due = "To be refunded",
     .reason = "Reason",
     .status_open = "open",
     .status_paid = "paid",
     .status_void = "void"},
    {.lang = "de",
     .invoice = "Rechnung",
     .credit_note = "Gutschrift",
     .credit_note_for = "Storniert die Rechnung",
     .issue_date = "Rechnungsdatum",
     .due_date = "F\xc3\xa4lligkeitsdatum",
     .paid_on = "Bezahlt am",
     .voided = "Storniert",
     .from = "Von",
     .to = "An",
     .vat_id = "USt-IdNr.",
     .description = "Beschreibung",
     .quantity = "Menge",
     .unit_net = "Einzelpreis netto",
     .net = "Netto",
     .vat = "USt.",
     .total = "Gesamtbetrag",
     .store_credit = "Mit Guthaben bezahlt",
     .amount_due = "Zu zahlen",
     .pay_heading = "Zahlung per \xc3\x9c"
                    "berweisung",
     .account_holder = "Kontoinhaber",
     .amount = "Betrag",
     .reference = "Verwendungszweck",
     .pay_by = "Zahlbar bis",
     .qr_hint = "Mit Ihrer Banking-App scannen (GiroCode)",
     .store_credit_returned = "Als Guthaben zur\xc3\xbc"
                              "ckgebucht",
     .refund_due = "Zu erstatten",
     .reason = "Grund",
     .status_open = "offen",
     .status_paid = "bezahlt",
     .status_void = "storniert"},
};

static const struct h_doc_text *h_doc_text_of(const char *lang)
{
    bool de = lang != NULL && strcmp(lang, "de") == 0;
    return &h_doc_texts[de ? 1 : 0];
}

/* Country names in both languages, to name a party's country once. */
static const char *const h_doc_countries[][3] = {
    {"AT", "Austria", "\xc3\x96sterreich"},
    {"BE", "Belgium", "Belgien"},
    {"BG", "Bulgaria", "Bulgarien"},
    {"CH", "Switzerland", "Schweiz"},
    {"CY", "Cyprus", "Zypern"},
    {"CZ", "Czechia", "Tschechien"},
    {"DE", "Germany", "Deutschland"},
    {"DK", "Denmark", "D\xc3\xa4nemark"},
    {"EE", "Estonia", "Estland"},
    {"EL", "Greece", "Griechenland"},
    {"ES", "Spain", "Spanien"},
    {"FI", "Finland", "Finnland"},
    {"FR", "France", "Frankreich"},
    {"GB", "United Kingdom", "Vereinigtes K\xc3\xb6nigreich"},
    {"GR", "Greece", "Griechenland"},
    {"HR", "Croatia", "Kroatien"},
    {"HU", "Hungary", "Ungarn"},
    {"IE", "Ireland", "Irland"},
    {"IT", "Italy", "Italien"},
    {"LI", "Liechtenstein", "Liechtenstein"},
    {"LT", "Lithuania", "Litauen"},
    {"LU", "Luxembourg", "Luxemburg"},
    {"LV", "Latvia", "Lettland"},
    {"MT", "Malta", "Malta"},
    {"NL", "Netherlands", "Niederlande"},
    {"NO", "Norway", "Norwegen"},
    {"PL", "Poland", "Polen"},
    {"PT", "Portugal", "Portugal"},
    {"RO", "Romania", "Rum\xc3\xa4nien"},
    {"SE", "Sweden", "Schweden"},
    {"SI", "Slovenia", "Slowenien"},
    {"SK", "Slovakia", "Slowakei"},
    {"US", "United States", "Vereinigte Staaten"},
};

/* The country's name in lang ("" for none, the code for one not listed). */
static const char *h_doc_country_name(const char *code, bool de, const char *const **row)
{
    *row = NULL;
    if (code == NULL || code[0] == '\0')
        return "";
    for (size_t i = 0; i < sizeof(h_doc_countries) / sizeof(h_doc_countries[0]); i++)
        if (strcmp(code, h_doc_countries[i][0]) == 0) {
            *row = h_doc_countries[i];
            return h_doc_countries[i][de ? 2 : 1];
        }
    return code;
}

/* Whether the address's last line already names the country (its code or
 * its name in either language). */
static bool h_doc_address_names_country(const char *address, const char *code,
                                        const char *const *row)
{
    const char *end = address + strlen(address);
    while (end > address && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\r'))
        end--;
    const char *start = end;
    while (start > address && start[-1] != '\n')
        start--;
    while (start < end && *start == ' ')
        start++;
    size_t n = (size_t)(end - start);
    const char *names[] = {code, row ? row[1] : NULL, row ? row[2] : NULL};
    for (size_t i = 0; i < 3; i++)
        if (names[i] != NULL && strlen(names[i]) == n && strncasecmp(start, names[i], n) == 0)
            return true;
    return false;
}

/* "2026-12-04" as the language writes it: 04.12.2026 in German. */
static const char *h_doc_date(struct http_request *r, const char *iso, bool de)
{
    if (iso == NULL || strlen(iso) != 10 || !de)
        return iso != NULL ? iso : "";
    const char *s = arena_printf(&r->arena, "%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
    return s != NULL ? s : iso;
}

/* 1,234.56 EUR in English, 1.234,56 € in German. */
static const char *h_doc_money(struct http_request *r, int64_t minor, const char *currency, bool de)
{
    char amount[AMOUNT_TEXT_BYTES], out[AMOUNT_TEXT_BYTES * 2];
    amount_format(minor, H_READ_MONEY_SCALE, amount, sizeof(amount));
    const char *dot = strchr(amount, '.');
    size_t whole_end = dot != NULL ? (size_t)(dot - amount) : strlen(amount);
    size_t start = amount[0] == '-' ? 1 : 0, k = 0;
    for (size_t i = 0; i < whole_end && k + 2 < sizeof(out); i++) {
        if (i > start && (whole_end - i) % 3 == 0)
            out[k++] = de ? '.' : ',';
        out[k++] = amount[i];
    }
    if (dot != NULL && k + strlen(dot) + 1 < sizeof(out)) {
        out[k++] = de ? ',' : '.';
        memcpy(out + k, dot + 1, strlen(dot + 1));
        k += strlen(dot + 1);
    }
    out[k] = '\0';
    bool euro = strcmp(currency, "EUR") == 0;
    const char *s = de ? arena_printf(&r->arena, "%s %s", out, euro ? "\xe2\x82\xac" : currency)
                       : arena_printf(&r->arena, "%s %s", out, currency);
    return s != NULL ? s : "";
}

static const char *h_doc_status(const struct h_doc_text *t, const char *status)
{
    return strcmp(status, "paid") == 0   ? t->status_paid
           : strcmp(status, "void") == 0 ? t->status_void
                                         : t->status_open;
}

/* ---- the page ------------------------------------------------------------ */

/* The page's only style; its SHA-256 goes in the page's CSP so nothing else
 * (no other style, no script of another origin) can run. */
static const char h_invoice_css[] =
    "body{font:14px/1.45 system-ui,sans-serif;color:#111;max-width:46rem;margin:2rem auto;"
    "padding:0 1rem}h1{font-size:1.5rem;margin:0 0 .25rem}.parties{display:flex;gap:2rem;"
    "justify-content:space-between;margin:1.5rem 0}.parties div{white-space:pre-line}"
    "table{width:100%;border-collapse:collapse;margin:1rem 0}th,td{padding:.4rem;"
    "border-bottom:1px solid #ccc;text-align:left}td.n,th.n{text-align:right}"
    ".totals td{border:0}.status{display:inline-block;padding:.1rem .5rem;border:1px solid;"
    "border-radius:.25rem;text-transform:uppercase;font-size:.8rem}.note{margin-top:1rem}"
    ".payment{display:flex;gap:1.5rem;align-items:flex-start;flex-wrap:wrap;border:1px solid #ccc;"
    "border-radius:.25rem;padding:.75rem 1rem;margin:1rem 0}.payment table{width:auto;margin:0}"
    ".payment td,.payment th{border:0;padding:.15rem .75rem .15rem 0}.payment h2{font-size:1rem;"
    "margin:0 0 .5rem}.epc{min-width:180px;margin:0}"
    "@media print{body{margin:0;max-width:none}.noprint{display:none}}";

static char h_invoice_csp[200];
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
             "default-src 'none'; style-src 'sha256-%s'; script-src 'self'; "
             "frame-ancestors 'none'",
             enc);
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

/* "<tag>text</tag>" with text escaped. */
static enum err h_html_el(struct buf *b, const char *open, const char *text, const char *close)
{
    enum err rc = buf_puts(b, open);
    if (rc == ERR_OK)
        rc = h_html_text(b, text);
    return rc == ERR_OK ? buf_puts(b, close) : rc;
}

struct h_party {
    const char *title, *name, *address, *email, *country, *vat_id;
};

static enum err h_html_party(struct buf *b, const struct h_doc_text *t, const struct h_party *p)
{
    bool de = strcmp(t->lang, "de") == 0;
    const char *const *row;
    const char *country = h_doc_country_name(p->country, de, &row);
    const char *address = p->address != NULL ? p->address : "";
    enum err rc = h_html_el(b, "<div><strong>", p->title, "</strong>\n");
    if (rc == ERR_OK)
        rc = h_html_text(b, p->name);
    if (rc == ERR_OK && address[0])
        rc = h_html_el(b, "\n", address, "");
    if (rc == ERR_OK && country[0] && !h_doc_address_names_country(address, p->country, row))
        rc = h_html_el(b, "\n", country, "");
    if (rc == ERR_OK && p->email && p->email[0])
        rc = h_html_el(b, "\n", p->email, "");
    if (rc == ERR_OK && p->vat_id && p->vat_id[0])
        rc = buf_printf(b, "\n%s: ", t->vat_id);
    if (rc == ERR_OK && p->vat_id && p->vat_id[0])
        rc = h_html_text(b, p->vat_id);
    return rc == ERR_OK ? buf_puts(b, "</div>") : rc;
}

static enum err h_html_parties(struct buf *b, const struct h_doc_text *t,
                               const struct invoice_row *row)
{
    struct h_party seller = {.title = t->from,
                             .name = row->seller_name,
                             .address = row->seller_address,
                             .country = row->seller_country,
                             .vat_id = row->seller_vat_id};
    struct h_party buyer = {.title = t->to,
                            .name = row->buyer_name,
                            .address = row->buyer_address,
                            .email = row->buyer_email,
                            .country = row->buyer_country,
                            .vat_id = row->buyer_vat_id};
    enum err rc = buf_puts(b, "<div class=parties>");
    if (rc == ERR_OK)
        rc = h_html_party(b, t, &seller);
    if (rc == ERR_OK)
        rc = h_html_party(b, t, &buyer);
    return rc == ERR_OK ? buf_puts(b, "</div>") : rc;
}

struct h_total {
    const char *label;
    int64_t minor;
    bool show;
};

static enum err h_html_lines(struct http_request *r, struct buf *b, const struct h_doc_text *t,
                             const struct svc_invoice_view *v, const struct h_total *totals,
                             size_t n_totals)
{
    const struct invoice_row *row = &v->row;
    bool de = strcmp(t->lang, "de") == 0;
    enum err rc = buf_printf(b,
                             "<table><thead><tr><th>%s</th><th class=n>%s</th><th class=n>%s</th>"
                             "<th class=n>%s</th></tr></thead><tbody>",
                             t->description, t->quantity, t->unit_net, t->net);
    for (size_t i = 0; rc == ERR_OK && i < v->n_lines; i++) {
        const struct invoice_line_row *l = &v->lines[i];
        if ((rc = h_html_el(b, "<tr><td>", l->description, "</td>")) == ERR_OK &&
            (rc = buf_printf(b, "<td class=n>%lld</td>", (long long)l->quantity)) == ERR_OK &&
            (rc = h_html_el(b, "<td class=n>", h_doc_money(r, l->unit_net_minor, row->currency, de),
                            "</td>")) == ERR_OK)
            rc = h_html_el(b, "<td class=n>", h_doc_money(r, l->net_minor, row->currency, de),
                           "</td></tr>");
    }
    if (rc == ERR_OK)
        rc = buf_puts(b, "</tbody><tbody class=totals>");
    for (size_t i = 0; rc == ERR_OK && i < n_totals; i++) {
        if (!totals[i].show)
            continue;
        if ((rc = h_html_el(b, "<tr><td colspan=3 class=n>", totals[i].label, "</td>")) == ERR_OK)
            rc = h_html_el(b, "<td class=n>", h_doc_money(r, totals[i].minor, row->currency, de),
                           "</td></tr>");
    }
    return rc == ERR_OK ? buf_puts(b, "</tbody></table>") : rc;
}

static const char *h_doc_vat_label(struct http_request *r, const struct h_doc_text *t,
                                   int32_t rate_bp)
{
    char rate[AMOUNT_TEXT_BYTES];
    amount_format(rate_bp, 2, rate, sizeof(rate));
    if (strcmp(t->lang, "de") == 0)
        for (char *p = rate; *p; p++)
            *p = *p == '.' ? ',' : *p;
    const char *s = arena_printf(&r->arena, "%s %s %%", t->vat, rate);
    return s != NULL ? s : t->vat;
}

/* How to pay: account, amount, reference, due date, and the QR code drawn
 * by /assets/invoice-qr.js from data-epc. */
static enum err h_html_payment(struct http_request *r, struct buf *b, const struct h_doc_text *t,
                               const struct invoice_row *row)
{
    if (strcmp(row->status, "open") != 0 || row->due_minor <= 0 || row->bank_iban[0] == '\0')
        return ERR_OK;
    bool de = strcmp(t->lang, "de") == 0;
    char grouped[BANK_IBAN_GROUPED_BYTES], epc[BANK_EPC_BYTES_MAX + 1];
    bank_iban_group(row->bank_iban, grouped);
    const char *rows[][2] = {{t->account_holder, row->bank_account_holder},
                             {"IBAN", grouped},
                             {"BIC", row->bank_bic},
                             {t->amount, h_doc_money(r, row->due_minor, row->currency, de)},
                             {t->reference, row->number},
                             {t->pay_by, h_doc_date(r, row->due_date, de)}};
    enum err rc = h_html_el(b, "<section class=payment><div><h2>", t->pay_heading, "</h2><table>");
    for (size_t i = 0; rc == ERR_OK && i < sizeof(rows) / sizeof(rows[0]); i++) {
        if (rows[i][1] == NULL || rows[i][1][0] == '\0')
            continue;
        if ((rc = h_html_el(b, "<tr><th>", rows[i][0], "</th>")) == ERR_OK)
            rc = h_html_el(b, "<td>", rows[i][1], "</td></tr>");
    }
    if (rc == ERR_OK)
        rc = buf_puts(b, "</table></div>");
    struct bank_transfer tr = {.name = row->bank_account_holder,
                               .iban = row->bank_iban,
                               .bic = row->bank_bic,
                               .amount_minor = row->due_minor,
                               .remittance = row->number};
    if (rc == ERR_OK && strcmp(row->currency, "EUR") == 0 &&
        bank_epc_payload(&tr, epc, sizeof(epc)) == ERR_OK) {
        if ((rc = h_html_el(b, "<figure class=epc data-epc=\"", epc, "\" data-label=\"")) == ERR_OK)
            rc = h_html_el(b, "", t->qr_hint, "\">");
        if (rc == ERR_OK)
            rc = h_html_el(b, "<figcaption>", t->qr_hint,
                           "</figcaption></figure>"
                           "<script type=module src=\"/assets/invoice-qr.js\"></script>");
    }
    return rc == ERR_OK ? buf_puts(b, "</section>") : rc;
}

static enum err h_html_head(struct buf *b, const struct h_doc_text *t, const char *title,
                            const char *number)
{
    enum err rc = buf_printf(b,
                             "<!doctype html><html lang=%s><head><meta charset=utf-8>"
                             "<meta name=viewport content=\"width=device-width,initial-scale=1\">"
                             "<title>%s ",
                             t->lang, title);
    if (rc == ERR_OK)
        rc = h_html_el(b, "", number, "</title>");
    if (rc == ERR_OK)
        rc = buf_printf(b, "<style>%s</style></head><body><h1>%s ", h_invoice_css, title);
    return rc == ERR_OK ? h_html_el(b, "", number, "</h1>") : rc;
}

static enum err h_invoice_html_build(struct http_request *r, struct buf *b,
                                     const struct svc_invoice_view *v)
{
    const struct invoice_row *row = &v->row;
    const struct h_doc_text *t = h_doc_text_of(row->language);
    bool de = strcmp(t->lang, "de") == 0;
    enum err rc = h_html_head(b, t, t->invoice, row->number);
    if (rc == ERR_OK)
        rc = h_html_el(b, "<p><span class=status>", h_doc_status(t, row->status), "</span> ");
    if (rc == ERR_OK)
        rc = buf_printf(b, "%s: %s", t->issue_date, h_doc_date(r, row->issue_date, de));
    if (rc == ERR_OK && strcmp(row->status, "void") != 0)
        rc = buf_printf(b, " \xc2\xb7 %s: %s", t->due_date, h_doc_date(r, row->due_date, de));
    if (rc == ERR_OK && row->paid_at_us && strcmp(row->status, "paid") == 0)
        rc = h_html_el(b, " \xc2\xb7 ", t->paid_on, "");
    if (rc == ERR_OK && row->voided_at_us)
        rc = buf_printf(b, " \xc2\xb7 %s: ", t->voided);
    if (rc == ERR_OK && row->voided_at_us)
        rc = h_html_text(b, row->void_reason);
    if (rc == ERR_OK && v->has_credit_note)
        rc = buf_printf(b, " \xc2\xb7 %s ", t->credit_note);
    if (rc == ERR_OK && v->has_credit_note)
        rc = h_html_text(b, v->credit_note.number);
    if (rc == ERR_OK)
        rc = buf_puts(b, "</p>");
    if (rc == ERR_OK)
        rc = h_html_parties(b, t, row);
    struct h_total totals[] = {
        {t->net, row->net_minor, true},
        {h_doc_vat_label(r, t, row->vat_rate_bp), row->vat_minor, true},
        {t->total, row->gross_minor, true},
        {t->store_credit, -row->store_credit_minor, row->store_credit_minor > 0},
        {t->amount_due, row->due_minor, row->store_credit_minor > 0}};
    if (rc == ERR_OK)
        rc = h_html_lines(r, b, t, v, totals, sizeof(totals) / sizeof(totals[0]));
    if (rc == ERR_OK)
        rc = h_html_payment(r, b, t, row);
    if (rc == ERR_OK && row->note[0])
        rc = h_html_el(b, "<p class=note>", row->note, "</p>");
    return rc == ERR_OK ? buf_puts(b, "</body></html>\n") : rc;
}

static enum err h_credit_note_html_build(struct http_request *r, struct buf *b,
                                         const struct svc_credit_note_view *cv)
{
    const struct credit_note_row *n = &cv->note;
    const struct invoice_row *row = &cv->invoice.row;
    const struct h_doc_text *t = h_doc_text_of(n->language);
    bool de = strcmp(t->lang, "de") == 0;
    enum err rc = h_html_head(b, t, t->credit_note, n->number);
    if (rc == ERR_OK)
        rc = buf_printf(b, "<p>%s: %s \xc2\xb7 %s ", t->issue_date,
                        h_doc_date(r, n->issue_date, de), t->credit_note_for);
    if (rc == ERR_OK)
        rc = h_html_text(b, row->number);
    if (rc == ERR_OK)
        rc = buf_printf(b, " (%s)</p>", h_doc_date(r, row->issue_date, de));
    if (rc == ERR_OK)
        rc = h_html_parties(b, t, row);
    struct h_total totals[] = {
        {t->net, -n->net_minor, true},
        {h_doc_vat_label(r, t, n->vat_rate_bp), -n->vat_minor, true},
        {t->total, -n->gross_minor, true},
        {t->store_credit_returned, n->store_credit_minor, n->store_credit_minor > 0},
        {t->refund_due, n->refund_minor, true}};
    if (rc == ERR_OK)
        rc = h_html_lines(r, b, t, &cv->invoice, totals, sizeof(totals) / sizeof(totals[0]));
    if (rc == ERR_OK && n->reason[0])
        rc = buf_printf(b, "<p class=note>%s: ", t->reason);
    if (rc == ERR_OK && n->reason[0])
        rc = h_html_el(b, "", n->reason, "</p>");
    if (rc == ERR_OK && row->note[0])
        rc = h_html_el(b, "<p class=note>", row->note, "</p>");
    return rc == ERR_OK ? buf_puts(b, "</body></html>\n") : rc;
}

static void h_html_send(struct http_request *r, struct buf *b, enum err rc)
{
    if (rc != ERR_OK) {
        buf_release(b);
        http_problem_msg(r, rc, "cannot render the document");
        return;
    }
    pthread_once(&h_invoice_csp_once, h_invoice_csp_init);
    http_header(r, "Content-Security-Policy", h_invoice_csp);
    http_text(r, 200, "text/html; charset=utf-8", b->data, b->len);
    buf_release(b);
}

void h_invoice_html(struct http_request *r)
{
    int64_t id;
    if (!http_param_id(r, 0, "inv", &id))
        return;
    struct svc_invoice_view v;
    enum err rc =
        svc_invoice_read(r->svc, &r->arena, r->tenant_id, id, h_read_only_customer(r), &v);
    if (rc != ERR_OK) {
        h_read_fail(r, rc, NULL);
        return;
    }
    struct buf b;
    buf_init(&b, 256 * 1024);
    h_html_send(r, &b, h_invoice_html_build(r, &b, &v));
}

void h_credit_note_html(struct http_request *r)
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
    struct buf b;
    buf_init(&b, 256 * 1024);
    h_html_send(r, &b, h_credit_note_html_build(r, &b, &v));
}
