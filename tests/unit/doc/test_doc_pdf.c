/*
 * Unit tests of the document renderer (doc/doc_pdf.c) and of the formats
 * it prints (doc/doc_format.c): an invoice and a credit note in English and
 * German, a 60-line invoice over several pages, the payment block, the
 * logos (PNG, JPEG, SVG), and the refusals.
 *
 * Method: each document is rendered to a buffer, which must be a PDF
 * ("%PDF-" first, "%%EOF" last); it is written to a temporary file and read
 * back as text by poppler's pdftotext -layout (so the text is real text, in
 * the order a reader meets it) and pdfinfo (the page count and size). The
 * texts are compared with what an accountant expects to read, numbers and
 * dates formatted per language.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>

#include "doc/doc.h"

/* ---- helpers ---------------------------------------------------------- */

struct rendered {
    char *text;    /* pdftotext -layout, no-break spaces made plain */
    int pages;     /* pdfinfo's Pages */
    char size[64]; /* pdfinfo's Page size */
    size_t bytes;
};

static char *read_command(const char *cmd)
{
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    for (size_t n; (n = fread(out + len, 1, cap - len - 1, f)) > 0;) {
        len += n;
        if (cap - len < 1024) {
            cap *= 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
    }
    out[len] = '\0';
    assert_int_equal(pclose(f), 0);
    return out;
}

/* Replaces each UTF-8 no-break space (C2 A0) by a plain space, in place. */
static void plain_spaces(char *s)
{
    char *w = s;
    for (const char *r = s; *r != '\0';) {
        if ((unsigned char)r[0] == 0xc2 && (unsigned char)r[1] == 0xa0) {
            *w++ = ' ';
            r += 2;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

static void render(const struct doc *d, struct rendered *out)
{
    struct buf b;
    buf_init(&b, DOC_PDF_BYTES_MAX);
    struct err_detail e = {0};
    assert_int_equal(doc_pdf(d, &b, &e), ERR_OK);
    assert_true(b.len > 1000);
    assert_memory_equal(b.data, "%PDF-", 5);
    assert_non_null(memmem(b.data + b.len - 8, 8, "%%EOF", 5));
    char path[] = "/tmp/creditd-doc-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b.data, b.len), (ssize_t)b.len);
    close(fd);
    out->bytes = b.len;
    buf_release(&b);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "pdftotext -layout -enc UTF-8 %s -", path);
    out->text = read_command(cmd);
    plain_spaces(out->text);
    snprintf(cmd, sizeof(cmd), "pdfinfo %s", path);
    char *info = read_command(cmd);
    const char *pages = strstr(info, "Pages:");
    assert_non_null(pages);
    out->pages = (int)strtol(pages + 6, NULL, 10);
    const char *size = strstr(info, "Page size:");
    assert_non_null(size);
    size += strlen("Page size:");
    size += strspn(size, " ");
    snprintf(out->size, sizeof(out->size), "%.*s", (int)strcspn(size, "\n"), size);
    free(info);
    if (getenv("CREDITD_TEST_KEEP_PDF") == NULL)
        unlink(path);
    else
        fprintf(stderr, "kept %s\n", path);
}

static void rendered_release(struct rendered *r)
{
    free(r->text);
}

static void assert_has(const struct rendered *r, const char *needle)
{
    if (strstr(r->text, needle) == NULL) {
        fprintf(stderr, "missing \"%s\" in:\n%s\n", needle, r->text);
        fail();
    }
}

static void assert_lacks(const struct rendered *r, const char *needle)
{
    if (strstr(r->text, needle) != NULL) {
        fprintf(stderr, "unexpected \"%s\" in:\n%s\n", needle, r->text);
        fail();
    }
}

/* ---- documents -------------------------------------------------------- */

static const struct doc_line one_line[] = {
    {"Master credits, 75 (package)", 2, 124950, 1900, 249900},
};
static const struct doc_vat one_vat[] = {{1900, 249900, 47481}};
static const struct doc_payment bank = {"Müller Tuning GmbH", "DE89370400440532013000",
                                        "COBADEFFXXX", "14 days net"};

static struct doc invoice_doc(const char *lang)
{
    return (struct doc){
        .kind = DOC_INVOICE,
        .lang = lang,
        .number = "RE-2026-000042",
        .customer_number = "cus_7",
        .currency = "EUR",
        .issue_date = {2026, 12, 4},
        .due_date = {2026, 12, 18},
        .seller = {"Müller Tuning GmbH", "Hauptstraße 1\n70173 Stuttgart", "DE", "DE123456789",
                   "info@mueller.example"},
        .buyer = {"Garage Dupont SARL", "12 rue de la Gare\n75010 Paris", "FR", "FR12345678901",
                  "compta@dupont.example"},
        .lines = one_line,
        .n_lines = 1,
        .vats = one_vat,
        .n_vats = 1,
        .net_minor = 249900,
        .gross_minor = 297381,
        .store_credit_minor = 10000,
        .due_minor = 287381,
        .payment = &bank,
        .footer =
            "Müller Tuning GmbH\nHauptstraße 1, 70173 Stuttgart\nAmtsgericht Stuttgart HRB 1234"
            "\nGeschäftsführer: Karl Müller",
    };
}

/* ---- formats ---------------------------------------------------------- */

static void money_dates_and_rates_follow_the_language(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1 << 20);
    assert_string_equal(doc_money(&a, "en", "EUR", 123456), "\xe2\x82\xac"
                                                            "1,234.56");
    assert_string_equal(doc_money(&a, "de", "EUR", 123456), "1.234,56\xc2\xa0\xe2\x82\xac");
    assert_string_equal(doc_money(&a, "de-AT", "EUR", -100000000000),
                        "-1.000.000.000,00\xc2\xa0\xe2\x82\xac");
    assert_string_equal(doc_money(&a, "en", "EUR", -500), "-\xe2\x82\xac"
                                                          "5.00");
    assert_string_equal(doc_money(&a, "de", "EUR", -5), "-0,05\xc2\xa0\xe2\x82\xac");
    assert_string_equal(doc_money(&a, "en", "CHF", 1200), "CHF\xc2\xa0"
                                                          "12.00");
    assert_string_equal(doc_money(&a, "de", "CHF", 1200), "12,00\xc2\xa0"
                                                          "CHF");
    assert_string_equal(doc_quantity(&a, "en", 1000), "1,000");
    assert_string_equal(doc_quantity(&a, "de", 1000), "1.000");
    assert_string_equal(doc_quantity(&a, "de", 999), "999");
    assert_string_equal(doc_date_text(&a, "en", (struct doc_date){2026, 12, 4}), "4 Dec 2026");
    assert_string_equal(doc_date_text(&a, "de", (struct doc_date){2026, 12, 4}), "04.12.2026");
    assert_string_equal(doc_date_text(&a, "de", (struct doc_date){0, 0, 0}), "");
    assert_string_equal(doc_rate(&a, "en", 1900), "19%");
    assert_string_equal(doc_rate(&a, "de", 1900), "19\xc2\xa0%");
    assert_string_equal(doc_rate(&a, "de", 750), "7,5\xc2\xa0%");
    assert_string_equal(doc_rate(&a, "en", 1025), "10.25%");
    assert_string_equal(doc_rate(&a, "en", 5), "0.05%");
    assert_string_equal(doc_rate(&a, "en", 0), "0%");
    char s[64];
    doc_format_iban("DE89370400440532013000", s, sizeof(s));
    assert_string_equal(s, "DE89 3704 0044 0532 0130 00");
    doc_format_iban("DE89 3704 0044 0532 0130 00", s, sizeof(s));
    assert_string_equal(s, "DE89 3704 0044 0532 0130 00");
    arena_release(&a);
}

static void the_words_come_from_the_catalogues(void **state)
{
    (void)state;
    assert_string_equal(i18n_text("en", "document.invoice"), "Invoice");
    assert_string_equal(i18n_text("de", "document.invoice"), "Rechnung");
    assert_string_equal(i18n_text("de-AT", "document.credit_note"), "Gutschrift");
    assert_string_equal(i18n_text("fr", "document.credit_note"), "Credit note");
    assert_string_equal(i18n_text("de", "document.payment_reference"), "Verwendungszweck");
    assert_string_equal(i18n_text("de", "document.vat_id"), "USt-IdNr.");
    assert_string_equal(doc_country_name("de", "AT"), "\xc3\x96sterreich");
    assert_string_equal(doc_country_name("en", "at"), "Austria");
    assert_string_equal(doc_country_name("en", "ZZ"), "ZZ");
    assert_string_equal(doc_country_name("en", "DEU"), "DEU");
}

/* ---- documents -------------------------------------------------------- */

static void english_invoice_reads_as_an_accountant_expects(void **state)
{
    (void)state;
    struct doc d = invoice_doc("en");
    struct rendered r;
    render(&d, &r);
    assert_int_equal(r.pages, 1);
    assert_string_equal(r.size, "595 x 842 pts (A4)");
    const char *expected[] = {"Invoice RE-2026-000042",
                              "Müller Tuning GmbH",
                              "Garage Dupont SARL",
                              "12 rue de la Gare",
                              "FRANCE",
                              "Invoice number",
                              "Invoice date",
                              "4 Dec 2026",
                              "Due date",
                              "18 Dec 2026",
                              "Customer number",
                              "cus_7",
                              "Your VAT ID",
                              "FR12345678901",
                              "Description",
                              "Unit price",
                              "Master credits, 75 (package)",
                              "€1,249.50",
                              "€2,499.00",
                              "Net amount",
                              "plus 19% VAT",
                              "€474.81",
                              "Total",
                              "€2,973.81",
                              "Paid with store credit",
                              "-€100.00",
                              "Amount due",
                              "€2,873.81",
                              "Please transfer €2,873.81 by 18 Dec 2026",
                              "Account holder",
                              "DE89 3704 0044 0532 0130 00",
                              "COBADEFFXXX",
                              "Payment reference",
                              "14 days net",
                              "Page 1/1",
                              "Amtsgericht Stuttgart HRB 1234",
                              "Date of supply: the invoice date"};
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
        assert_has(&r, expected[i]);
    assert_lacks(&r, "Rechnung");
    assert_lacks(&r, "2.499,00");
    rendered_release(&r);
}

static void german_invoice_reads_as_a_german_business_writes_it(void **state)
{
    (void)state;
    struct doc d = invoice_doc("de");
    struct rendered r;
    render(&d, &r);
    assert_int_equal(r.pages, 1);
    const char *expected[] = {"Rechnung RE-2026-000042",
                              "Rechnungsnummer",
                              "Rechnungsdatum",
                              "04.12.2026",
                              "Fälligkeitsdatum",
                              "18.12.2026",
                              "Kundennummer",
                              "Ihre USt-IdNr.",
                              "FRANKREICH",
                              "Beschreibung",
                              "Menge",
                              "Einzelpreis",
                              "1.249,50 €",
                              "2.499,00 €",
                              "Nettobetrag",
                              "zzgl. 19 % USt.",
                              "474,81 €",
                              "Gesamtbetrag",
                              "2.973,81 €",
                              "Mit Guthaben verrechnet",
                              "-100,00 €",
                              "Zahlbetrag",
                              "2.873,81 €",
                              "Bitte überweisen Sie 2.873,81 € bis zum 18.12.2026",
                              "zahlbar bis 18.12.2026",
                              "Kontoinhaber",
                              "Verwendungszweck",
                              "Zahlungsbedingungen",
                              "Seite 1/1",
                              "Leistungsdatum entspricht Rechnungsdatum"};
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
        assert_has(&r, expected[i]);
    assert_lacks(&r, "Invoice");
    assert_lacks(&r, "€2,499.00");
    rendered_release(&r);
}

static size_t count(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Sixty lines of which some wrap: the table goes on over further pages,
 * each with its header row and "page n/N", and every line is there once. */
static void sixty_lines_continue_on_further_pages(const char *lang, const char *header,
                                                  const char *page_word, const char *continued)
{
    struct doc_line lines[60];
    char descriptions[60][96];
    for (int i = 0; i < 60; i++) {
        snprintf(descriptions[i], sizeof(descriptions[i]),
                 i % 7 == 0 ? "Job %02d: Stage 1 remap with DPF and EGR off, checksum corrected, "
                              "dyno-tested"
                            : "Job %02d: Stage 1 remap",
                 i + 1);
        lines[i] = (struct doc_line){descriptions[i], 1, 15000, 1900, 15000};
    }
    struct doc_vat vat = {1900, 900000, 171000};
    struct doc d = invoice_doc(lang);
    d.lines = lines;
    d.n_lines = 60;
    d.vats = &vat;
    d.net_minor = 900000;
    d.gross_minor = 1071000;
    d.store_credit_minor = 0;
    d.due_minor = 1071000;
    struct rendered r;
    render(&d, &r);
    assert_true(r.pages >= 2);
    assert_int_equal(count(r.text, header), (size_t)r.pages);
    char text[64];
    for (int p = 1; p <= r.pages; p++) {
        snprintf(text, sizeof(text), "%s %d/%d", page_word, p, r.pages);
        assert_has(&r, text);
    }
    assert_int_equal(count(r.text, continued), (size_t)r.pages - 1);
    for (int i = 0; i < 60; i++) {
        snprintf(text, sizeof(text), "Job %02d:", i + 1);
        assert_int_equal(count(r.text, text), 1);
    }
    /* The totals come after the last line. */
    const char *last = strstr(r.text, "Job 60:");
    assert_non_null(strstr(last, strcmp(lang, "de") == 0 ? "10.710,00 €" : "€10,710.00"));
    rendered_release(&r);
}

static void sixty_lines_in_english(void **state)
{
    (void)state;
    sixty_lines_continue_on_further_pages("en", "Description", "Page", "RE-2026-000042, continued");
}

static void sixty_lines_in_german(void **state)
{
    (void)state;
    sixty_lines_continue_on_further_pages("de", "Beschreibung", "Seite",
                                          "RE-2026-000042, Fortsetzung");
}

static void credit_note_names_its_invoice_and_asks_for_no_payment(void **state)
{
    (void)state;
    struct doc d = invoice_doc("de");
    d.kind = DOC_CREDIT_NOTE;
    d.number = "GS-2026-000001";
    d.invoice_number = "RE-2026-000042";
    struct rendered r;
    render(&d, &r);
    assert_has(&r, "Gutschrift GS-2026-000001");
    assert_has(&r, "Gutschriftsnummer");
    assert_has(&r, "Zur Rechnung");
    assert_has(&r, "Zur Rechnung RE-2026-000042 schreiben wir Ihnen gut");
    /* What the correction gives back: store credit and the refund. */
    assert_has(&r, "Als Guthaben zurückgebucht");
    assert_has(&r, "Zu erstatten");
    assert_lacks(&r, "Bitte überweisen");
    assert_lacks(&r, "Verwendungszweck");
    assert_lacks(&r, "Fälligkeitsdatum");
    rendered_release(&r);
    d.lang = "en";
    render(&d, &r);
    assert_has(&r, "Credit note GS-2026-000001");
    assert_has(&r, "Relates to invoice");
    assert_has(&r, "Returned as store credit");
    assert_has(&r, "To be refunded");
    rendered_release(&r);
}

static void reverse_charge_prints_the_legal_note(void **state)
{
    (void)state;
    struct doc_vat zero = {0, 249900, 0};
    struct doc d = invoice_doc("de");
    d.vats = &zero;
    d.gross_minor = 249900;
    d.store_credit_minor = 0;
    d.due_minor = 249900;
    d.reverse_charge = true;
    struct rendered r;
    render(&d, &r);
    assert_has(&r, "Steuerschuldnerschaft des Leistungsempfängers");
    assert_has(&r, "zzgl. 0 % USt.");
    rendered_release(&r);
    d.lang = "en";
    render(&d, &r);
    assert_has(&r, "Reverse charge");
    rendered_release(&r);
}

static void paid_and_voided_invoices_ask_for_nothing(void **state)
{
    (void)state;
    struct doc d = invoice_doc("en");
    d.paid_date = (struct doc_date){2026, 12, 5};
    struct rendered r;
    render(&d, &r);
    assert_has(&r, "Paid on 5 Dec 2026. Thank you.");
    assert_lacks(&r, "Please transfer");
    assert_lacks(&r, "Payment reference");
    rendered_release(&r);
    d.paid_date = (struct doc_date){0, 0, 0};
    d.voided = true;
    d.lang = "de";
    render(&d, &r);
    assert_has(&r, "STORNIERT");
    assert_has(&r, "Diese Rechnung wurde storniert.");
    assert_lacks(&r, "Bitte überweisen");
    rendered_release(&r);
    /* Open, nothing due: no payment asked for; open without bank details
     * but with a due date: "zahlbar bis". */
    d.voided = false;
    d.payment = NULL;
    render(&d, &r);
    assert_has(&r, "Zahlbar bis 18.12.2026 ohne Abzug.");
    rendered_release(&r);
    d.store_credit_minor = d.gross_minor;
    d.due_minor = 0;
    render(&d, &r);
    assert_has(&r, "Es ist nichts mehr zu zahlen.");
    rendered_release(&r);
}

/* ---- logos ------------------------------------------------------------ */

/* A 16 × 8 JPEG of one blue (libjpeg, quality 50). */
static const unsigned char blue_jpeg[] = {
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x10, 0x0b, 0x0c, 0x0e, 0x0c, 0x0a, 0x10,
    0x0e, 0x0d, 0x0e, 0x12, 0x11, 0x10, 0x13, 0x18, 0x28, 0x1a, 0x18, 0x16, 0x16, 0x18, 0x31, 0x23,
    0x25, 0x1d, 0x28, 0x3a, 0x33, 0x3d, 0x3c, 0x39, 0x33, 0x38, 0x37, 0x40, 0x48, 0x5c, 0x4e, 0x40,
    0x44, 0x57, 0x45, 0x37, 0x38, 0x50, 0x6d, 0x51, 0x57, 0x5f, 0x62, 0x67, 0x68, 0x67, 0x3e, 0x4d,
    0x71, 0x79, 0x70, 0x64, 0x78, 0x5c, 0x65, 0x67, 0x63, 0xff, 0xdb, 0x00, 0x43, 0x01, 0x11, 0x12,
    0x12, 0x18, 0x15, 0x18, 0x2f, 0x1a, 0x1a, 0x2f, 0x63, 0x42, 0x38, 0x42, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0xff, 0xc0,
    0x00, 0x11, 0x08, 0x00, 0x08, 0x00, 0x10, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11,
    0x01, 0xff, 0xc4, 0x00, 0x1f, 0x00, 0x00, 0x01, 0x05, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
    0x0a, 0x0b, 0xff, 0xc4, 0x00, 0xb5, 0x10, 0x00, 0x02, 0x01, 0x03, 0x03, 0x02, 0x04, 0x03, 0x05,
    0x05, 0x04, 0x04, 0x00, 0x00, 0x01, 0x7d, 0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21,
    0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23,
    0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17,
    0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a,
    0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a,
    0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a,
    0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
    0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
    0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5,
    0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1,
    0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xff, 0xc4, 0x00, 0x1f, 0x01, 0x00, 0x03,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0xff, 0xc4, 0x00, 0xb5, 0x11, 0x00,
    0x02, 0x01, 0x02, 0x04, 0x04, 0x03, 0x04, 0x07, 0x05, 0x04, 0x04, 0x00, 0x01, 0x02, 0x77, 0x00,
    0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13,
    0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15,
    0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27,
    0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
    0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
    0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88,
    0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
    0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4,
    0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2,
    0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9,
    0xfa, 0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3f, 0x00, 0xa1,
    0x45, 0x14, 0x57, 0xb8, 0x79, 0xe7, 0xff, 0xd9,
};

static cairo_status_t png_to_buf(void *closure, const unsigned char *data, unsigned int len)
{
    return buf_append(closure, data, len) == ERR_OK ? CAIRO_STATUS_SUCCESS
                                                    : CAIRO_STATUS_WRITE_ERROR;
}

/* The images of a document as pdfimages -list sees them. */
static char *images_of(const struct doc *d)
{
    struct buf b;
    buf_init(&b, DOC_PDF_BYTES_MAX);
    struct err_detail e = {0};
    assert_int_equal(doc_pdf(d, &b, &e), ERR_OK);
    char path[] = "/tmp/creditd-doc-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b.data, b.len), (ssize_t)b.len);
    close(fd);
    buf_release(&b);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "pdfimages -list %s", path);
    char *list = read_command(cmd);
    unlink(path);
    return list;
}

static void png_and_jpeg_logos_are_drawn_and_broken_ones_left_out(void **state)
{
    (void)state;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 120, 40);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
    cairo_paint(cr);
    cairo_destroy(cr);
    struct buf png;
    buf_init(&png, 1 << 20);
    assert_int_equal(cairo_surface_write_to_png_stream(s, png_to_buf, &png), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(s);

    struct doc d = invoice_doc("en");
    d.logo = (struct doc_image){DOC_IMAGE_PNG, (const unsigned char *)png.data, png.len};
    char *list = images_of(&d);
    assert_non_null(strstr(list, "120    40"));
    free(list);

    d.logo = (struct doc_image){DOC_IMAGE_JPEG, blue_jpeg, sizeof(blue_jpeg)};
    list = images_of(&d);
    assert_non_null(strstr(list, "16     8"));
    assert_non_null(strstr(list, "jpeg"));
    free(list);

    /* Broken logos: the document is rendered without them. */
    d.logo = (struct doc_image){DOC_IMAGE_PNG, blue_jpeg, sizeof(blue_jpeg)};
    list = images_of(&d);
    assert_null(strstr(list, "image"));
    free(list);
    d.logo = (struct doc_image){DOC_IMAGE_JPEG, (const unsigned char *)png.data, png.len};
    list = images_of(&d);
    assert_null(strstr(list, "image"));
    free(list);
    d.logo = (struct doc_image){DOC_IMAGE_SVG, (const unsigned char *)"<svg/>", 6};
    list = images_of(&d);
    assert_null(strstr(list, "image"));
    free(list);
    buf_release(&png);
}

/* An SVG logo is drawn as vector graphics: its text is text in the PDF, and
 * no image is embedded. One with only a viewBox is sized by it; one that
 * does not parse, or has no size at all, is left out. */
static void svg_logos_stay_vector_graphics(void **state)
{
    (void)state;
    static const char *const logos[] = {
        "<svg xmlns='http://www.w3.org/2000/svg' width='300' height='80'>"
        "<rect width='80' height='80' fill='#c00'/>"
        "<text x='90' y='55' font-family='DejaVu Sans' font-size='36'>ACME TUNING</text></svg>",
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 300 80'>"
        "<text x='0' y='55' font-family='DejaVu Sans' font-size='36'>ACME TUNING</text></svg>",
    };
    for (size_t i = 0; i < sizeof(logos) / sizeof(logos[0]); i++) {
        struct doc d = invoice_doc("en");
        d.logo =
            (struct doc_image){DOC_IMAGE_SVG, (const unsigned char *)logos[i], strlen(logos[i])};
        struct rendered r;
        render(&d, &r);
        assert_has(&r, "ACME TUNING");
        assert_has(&r, "Invoice RE-2026-000042");
        rendered_release(&r);
        char *list = images_of(&d);
        assert_null(strstr(list, "image"));
        free(list);
    }
    static const char *const broken[] = {
        "<svg xmlns='http://www.w3.org/2000/svg' width='300' height='80'><text>ACME TUNING",
        "<svg xmlns='http://www.w3.org/2000/svg'><text y='50'>ACME TUNING</text></svg>",
        "<svg xmlns='http://www.w3.org/2000/svg' width='300' height='80'>"
        "<image href='file:///etc/passwd' width='10' height='10'/>"
        "<text y='50'>ACME TUNING</text></svg>",
    };
    for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
        struct doc d = invoice_doc("de");
        d.logo =
            (struct doc_image){DOC_IMAGE_SVG, (const unsigned char *)broken[i], strlen(broken[i])};
        struct rendered r;
        render(&d, &r);
        assert_has(&r, "Rechnung RE-2026-000042");
        if (i < 2)
            assert_lacks(&r, "ACME TUNING");
        assert_lacks(&r, "root:");
        rendered_release(&r);
        char *list = images_of(&d);
        assert_null(strstr(list, "image"));
        free(list);
    }
}

/* ---- refusals ---------------------------------------------------------- */

static void documents_it_cannot_print_are_refused_and_out_is_unchanged(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, DOC_PDF_BYTES_MAX);
    assert_int_equal(buf_puts(&b, "before"), ERR_OK);
    struct err_detail e = {0};
    struct doc d = invoice_doc("en");
    d.number = "";
    assert_int_equal(doc_pdf(&d, &b, &e), ERR_VALIDATION);
    assert_string_equal(e.field, "number");
    d = invoice_doc("en");
    struct doc_line bad = {"Stage \xff remap", 1, 100, 1900, 100};
    d.lines = &bad;
    assert_int_equal(doc_pdf(&d, &b, &e), ERR_VALIDATION);
    assert_string_equal(e.field, "lines.description");
    d = invoice_doc("en");
    d.buyer.name = "Garage \xc3";
    assert_int_equal(doc_pdf(&d, &b, &e), ERR_VALIDATION);
    assert_string_equal(e.field, "buyer.name");
    d = invoice_doc("en");
    d.n_lines = DOC_LINES_MAX + 1;
    assert_int_equal(doc_pdf(&d, &b, &e), ERR_VALIDATION);
    assert_string_equal(e.field, "lines");
    assert_int_equal(b.len, 6);
    buf_release(&b);
    /* A buffer too small for the PDF: too large, and nothing of it stays. */
    buf_init(&b, 4096);
    assert_int_equal(buf_puts(&b, "before"), ERR_OK);
    d = invoice_doc("de");
    assert_int_equal(doc_pdf(&d, &b, &e), ERR_TOO_LARGE);
    assert_int_equal(b.len, 6);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(money_dates_and_rates_follow_the_language),
        cmocka_unit_test(the_words_come_from_the_catalogues),
        cmocka_unit_test(english_invoice_reads_as_an_accountant_expects),
        cmocka_unit_test(german_invoice_reads_as_a_german_business_writes_it),
        cmocka_unit_test(sixty_lines_in_english),
        cmocka_unit_test(sixty_lines_in_german),
        cmocka_unit_test(credit_note_names_its_invoice_and_asks_for_no_payment),
        cmocka_unit_test(reverse_charge_prints_the_legal_note),
        cmocka_unit_test(paid_and_voided_invoices_ask_for_nothing),
        cmocka_unit_test(png_and_jpeg_logos_are_drawn_and_broken_ones_left_out),
        cmocka_unit_test(svg_logos_stay_vector_graphics),
        cmocka_unit_test(documents_it_cannot_print_are_refused_and_out_is_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
