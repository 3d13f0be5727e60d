/*
 * The printable invoice and credit note: one self-contained HTML page each,
 * in the document's language (English or German, stored on the invoice),
 * dated in the tenant's time zone, the parties with their addresses (the
 * country named once), the lines and totals, and for an open invoice with
 * bank details how to pay it, with the EPC QR code ("GiroCode") that
 * /assets/invoice-qr.js draws from the text the page carries.
 *
 * The words of the documents are in the message catalogues
 * (i18n/<lang>/invoice.json); amounts and dates are written the language's
 * way (i18n_money, i18n_date).
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

/* The page's language and arena. */
struct h_doc {
    struct http_request *r;
    const char *lang; /* "en" | "de" */
};

static const char *h_doc_t(const struct h_doc *d, const char *key)
{
    return i18n_text(d->lang, key);
}

/* key with one hole filled (the key's English text when the arena is full). */
static const char *h_doc_f(const struct h_doc *d, const char *key, const char *hole,
                           const char *value)
{
    const char *s = i18n_format(&d->r->arena, d->lang, key, hole, value, NULL);
    return s != NULL ? s : i18n_text("en", key);
}

static const char *h_doc_money(const struct h_doc *d, int64_t minor, const char *currency)
{
    char amount[AMOUNT_TEXT_BYTES];
    amount_format(minor, H_READ_MONEY_SCALE, amount, sizeof(amount));
    const char *s = i18n_money(&d->r->arena, d->lang, amount, currency);
    return s != NULL ? s : "";
}

static const char *h_doc_date(const struct h_doc *d, const char *day)
{
    const char *s = day != NULL && day[0] != '\0' ? i18n_date(&d->r->arena, d->lang, day) : "";
    return s != NULL ? s : day;
}

/* The country's name in the language (the code for one without a name). */
static const char *h_doc_country(const struct h_doc *d, const char *lang, const char *code)
{
    char key[32];
    if (code == NULL || code[0] == '\0' ||
        !str_format(key, sizeof(key), "invoice.country.%s", code))
        return code != NULL ? code : "";
    const char *name = i18n_text(lang != NULL ? lang : d->lang, key);
    return strcmp(name, key) == 0 ? code : name;
}

/* Whether the address's last line already names the country (its code or
 * its name in either language). */
static bool h_doc_address_names_country(const struct h_doc *d, const char *address,
                                        const char *code)
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
    const char *names[] = {code, h_doc_country(d, "en", code), h_doc_country(d, "de", code)};
    for (size_t i = 0; i < 3; i++)
        if (names[i] != NULL && strlen(names[i]) == n && strncasecmp(start, names[i], n) == 0)
            return true;
    return false;
}

static const char *h_doc_status(const struct h_doc *d, const char *status)
{
    return h_doc_t(d, strcmp(status, "paid") == 0   ? "invoice.status.paid"
                      : strcmp(status, "void") == 0 ? "invoice.status.void"
                                                    : "invoice.status.open");
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

/* Escaped text, its lines kept (the parties' style keeps line breaks). */
static enum err h_html_party(const struct h_doc *d, struct buf *b, const struct h_party *p)
{
    const char *address = p->address != NULL ? p->address : "";
    enum err rc = h_html_el(b, "<div><strong>", p->title, "</strong>\n");
    if (rc == ERR_OK)
        rc = h_html_text(b, p->name);
    if (rc == ERR_OK && address[0])
        rc = h_html_el(b, "\n", address, "");
    if (rc == ERR_OK && p->country && p->country[0] &&
        !h_doc_address_names_country(d, address, p->country))
        rc = h_html_el(b, "\n", h_doc_country(d, NULL, p->country), "");
    if (rc == ERR_OK && p->email && p->email[0])
        rc = h_html_el(b, "\n", p->email, "");
    if (rc == ERR_OK && p->vat_id && p->vat_id[0])
        rc = h_html_el(b, "\n", h_doc_f(d, "invoice.vat_id", "vat_id", p->vat_id), "");
    return rc == ERR_OK ? buf_puts(b, "</div>") : rc;
}

static enum err h_html_parties(const struct h_doc *d, struct buf *b, const struct invoice_row *row)
{
    struct h_party seller = {.title = h_doc_t(d, "invoice.from"),
                             .name = row->seller_name,
                             .address = row->seller_address,
                             .country = row->seller_country,
                             .vat_id = row->seller_vat_id};
    struct h_party buyer = {.title = h_doc_t(d, "invoice.to"),
                            .name = row->buyer_name,
                            .address = row->buyer_address,
                            .email = row->buyer_email,
                            .country = row->buyer_country,
                            .vat_id = row->buyer_vat_id};
    enum err rc = buf_puts(b, "<div class=parties>");
    if (rc == ERR_OK)
        rc = h_html_party(d, b, &seller);
    if (rc == ERR_OK)
        rc = h_html_party(d, b, &buyer);
    return rc == ERR_OK ? buf_puts(b, "</div>") : rc;
}

struct h_total {
    const char *label;
    int64_t minor;
    bool show;
};

static enum err h_html_lines(const struct h_doc *d, struct buf *b, const struct svc_invoice_view *v,
                             const struct h_total *totals, size_t n_totals)
{
    const char *currency = v->row.currency;
    enum err rc = buf_puts(b, "<table><thead><tr>");
    const char *heads[][2] = {{"<th>", "invoice.description"},
                              {"<th class=n>", "invoice.quantity"},
                              {"<th class=n>", "invoice.unit_net"},
                              {"<th class=n>", "invoice.net"}};
    for (size_t i = 0; rc == ERR_OK && i < 4; i++)
        rc = h_html_el(b, heads[i][0], h_doc_t(d, heads[i][1]), "</th>");
    if (rc == ERR_OK)
        rc = buf_puts(b, "</tr></thead><tbody>");
    for (size_t i = 0; rc == ERR_OK && i < v->n_lines; i++) {
        const struct invoice_line_row *l = &v->lines[i];
        if ((rc = h_html_el(b, "<tr><td>", l->description, "</td>")) == ERR_OK &&
            (rc = buf_printf(b, "<td class=n>%lld</td>", (long long)l->quantity)) == ERR_OK &&
            (rc = h_html_el(b, "<td class=n>", h_doc_money(d, l->unit_net_minor, currency),
                            "</td>")) == ERR_OK)
            rc = h_html_el(b, "<td class=n>", h_doc_money(d, l->net_minor, currency), "</td></tr>");
    }
    if (rc == ERR_OK)
        rc = buf_puts(b, "</tbody><tbody class=totals>");
    for (size_t i = 0; rc == ERR_OK && i < n_totals; i++) {
        if (!totals[i].show)
            continue;
        if ((rc = h_html_el(b, "<tr><td colspan=3 class=n>", totals[i].label, "</td>")) == ERR_OK)
            rc = h_html_el(b, "<td class=n>", h_doc_money(d, totals[i].minor, currency),
                           "</td></tr>");
    }
    return rc == ERR_OK ? buf_puts(b, "</tbody></table>") : rc;
}

static const char *h_doc_vat_label(const struct h_doc *d, int32_t rate_bp)
{
    char rate[AMOUNT_TEXT_BYTES];
    amount_format(rate_bp, 2, rate, sizeof(rate));
    const char *shown = i18n_number(&d->r->arena, d->lang, rate);
    return h_doc_f(d, "invoice.vat", "rate", shown != NULL ? shown : rate);
}

/* How to pay: account, amount, reference, due date, and the QR code drawn
 * by /assets/invoice-qr.js from data-epc. */
static enum err h_html_payment(const struct h_doc *d, struct buf *b, const struct invoice_row *row)
{
    if (strcmp(row->status, "open") != 0 || row->due_minor <= 0 || row->bank_iban[0] == '\0')
        return ERR_OK;
    char grouped[BANK_IBAN_GROUPED_BYTES], epc[BANK_EPC_BYTES_MAX + 1];
    bank_iban_group(row->bank_iban, grouped);
    const char *rows[][2] = {{"invoice.pay.account_holder", row->bank_account_holder},
                             {"invoice.pay.iban", grouped},
                             {"invoice.pay.bic", row->bank_bic},
                             {"invoice.pay.amount", h_doc_money(d, row->due_minor, row->currency)},
                             {"invoice.pay.reference", row->number},
                             {"invoice.pay.by", h_doc_date(d, row->due_date)}};
    const char *hint = h_doc_t(d, "invoice.pay.qr_hint");
    enum err rc = h_html_el(b, "<section class=payment><div><h2>",
                            h_doc_t(d, "invoice.pay.heading"), "</h2><table>");
    for (size_t i = 0; rc == ERR_OK && i < sizeof(rows) / sizeof(rows[0]); i++) {
        if (rows[i][1] == NULL || rows[i][1][0] == '\0')
            continue;
        if ((rc = h_html_el(b, "<tr><th>", h_doc_t(d, rows[i][0]), "</th>")) == ERR_OK)
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
            rc = h_html_el(b, "", hint, "\">");
        if (rc == ERR_OK)
            rc = h_html_el(b, "<figcaption>", hint,
                           "</figcaption></figure>"
                           "<script type=module src=\"/assets/invoice-qr.js\"></script>");
    }
    return rc == ERR_OK ? buf_puts(b, "</section>") : rc;
}

static enum err h_html_head(const struct h_doc *d, struct buf *b, const char *title,
                            const char *number)
{
    enum err rc = buf_printf(b,
                             "<!doctype html><html lang=%s><head><meta charset=utf-8>"
                             "<meta name=viewport content=\"width=device-width,initial-scale=1\">",
                             d->lang);
    if (rc == ERR_OK)
        rc = h_html_el(b, "<title>", title, " ");
    if (rc == ERR_OK)
        rc = h_html_el(b, "", number, "</title>");
    if (rc == ERR_OK)
        rc = buf_printf(b, "<style>%s</style></head><body>", h_invoice_css);
    if (rc == ERR_OK)
        rc = h_html_el(b, "<h1>", title, " ");
    return rc == ERR_OK ? h_html_el(b, "", number, "</h1>") : rc;
}

/* " · text", escaped. */
static enum err h_html_dot(struct buf *b, const char *text)
{
    return h_html_el(b, " \xc2\xb7 ", text, "");
}

static enum err h_invoice_html_build(const struct h_doc *d, struct buf *b,
                                     const struct svc_invoice_view *v)
{
    const struct invoice_row *row = &v->row;
    enum err rc = h_html_head(d, b, h_doc_t(d, "invoice.title"), row->number);
    if (rc == ERR_OK)
        rc = h_html_el(b, "<p><span class=status>", h_doc_status(d, row->status), "</span> ");
    if (rc == ERR_OK)
        rc = h_html_text(b,
                         h_doc_f(d, "invoice.issue_date", "date", h_doc_date(d, row->issue_date)));
    if (rc == ERR_OK && strcmp(row->status, "void") != 0)
        rc = h_html_dot(b, h_doc_f(d, "invoice.due_date", "date", h_doc_date(d, row->due_date)));
    if (rc == ERR_OK && row->paid_at_us && strcmp(row->status, "paid") == 0)
        rc = h_html_dot(b, h_doc_t(d, "invoice.paid"));
    if (rc == ERR_OK && row->voided_at_us)
        rc = h_html_dot(b, h_doc_f(d, "invoice.voided", "reason", row->void_reason));
    if (rc == ERR_OK && v->has_credit_note)
        rc = h_html_dot(b, h_doc_f(d, "invoice.credit_note_ref", "number", v->credit_note.number));
    if (rc == ERR_OK)
        rc = buf_puts(b, "</p>");
    if (rc == ERR_OK)
        rc = h_html_parties(d, b, row);
    struct h_total totals[] = {
        {h_doc_t(d, "invoice.net"), row->net_minor, true},
        {h_doc_vat_label(d, row->vat_rate_bp), row->vat_minor, true},
        {h_doc_t(d, "invoice.total"), row->gross_minor, true},
        {h_doc_t(d, "invoice.store_credit"), -row->store_credit_minor, row->store_credit_minor > 0},
        {h_doc_t(d, "invoice.amount_due"), row->due_minor, row->store_credit_minor > 0}};
    if (rc == ERR_OK)
        rc = h_html_lines(d, b, v, totals, sizeof(totals) / sizeof(totals[0]));
    if (rc == ERR_OK)
        rc = h_html_payment(d, b, row);
    if (rc == ERR_OK && row->note[0])
        rc = h_html_el(b, "<p class=note>", row->note, "</p>");
    return rc == ERR_OK ? buf_puts(b, "</body></html>\n") : rc;
}

static enum err h_credit_note_html_build(const struct h_doc *d, struct buf *b,
                                         const struct svc_credit_note_view *cv)
{
    const struct credit_note_row *n = &cv->note;
    const struct invoice_row *row = &cv->invoice.row;
    enum err rc = h_html_head(d, b, h_doc_t(d, "invoice.credit_note.title"), n->number);
    const char *cancels =
        i18n_format(&d->r->arena, d->lang, "invoice.credit_note.cancels", "number", row->number,
                    "date", h_doc_date(d, row->issue_date), NULL);
    if (rc == ERR_OK)
        rc = h_html_el(b, "<p>",
                       h_doc_f(d, "invoice.credit_note.date", "date", h_doc_date(d, n->issue_date)),
                       "");
    if (rc == ERR_OK)
        rc = h_html_dot(b, cancels != NULL ? cancels : row->number);
    if (rc == ERR_OK)
        rc = buf_puts(b, "</p>");
    if (rc == ERR_OK)
        rc = h_html_parties(d, b, row);
    struct h_total totals[] = {
        {h_doc_t(d, "invoice.net"), -n->net_minor, true},
        {h_doc_vat_label(d, n->vat_rate_bp), -n->vat_minor, true},
        {h_doc_t(d, "invoice.total"), -n->gross_minor, true},
        {h_doc_t(d, "invoice.credit_note.store_credit_returned"), n->store_credit_minor,
         n->store_credit_minor > 0},
        {h_doc_t(d, "invoice.credit_note.refund_due"), n->refund_minor, true}};
    if (rc == ERR_OK)
        rc = h_html_lines(d, b, &cv->invoice, totals, sizeof(totals) / sizeof(totals[0]));
    if (rc == ERR_OK && n->reason[0])
        rc = h_html_el(b, "<p class=note>",
                       h_doc_f(d, "invoice.credit_note.reason", "reason", n->reason), "</p>");
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
    struct h_doc d = {.r = r, .lang = i18n_lang(v.row.language)};
    struct buf b;
    buf_init(&b, 256 * 1024);
    h_html_send(r, &b, h_invoice_html_build(&d, &b, &v));
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
    struct h_doc d = {.r = r, .lang = i18n_lang(v.note.language)};
    struct buf b;
    buf_init(&b, 256 * 1024);
    h_html_send(r, &b, h_credit_note_html_build(&d, &b, &v));
}
