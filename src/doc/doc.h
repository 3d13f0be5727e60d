/*
 * doc: business documents (invoices and credit notes) as they go to a
 * customer, and their rendering as an A4 PDF with cairo and pango.
 *
 * A struct doc holds everything printed on the document, already decided:
 * the parties as they were when it was made, the lines, the totals, the
 * payment instructions, the logo. This layer only lays it out and formats
 * numbers, money and dates in the document's language (English or German).
 * It never computes a total, never reads a database, a file or the clock,
 * and writes nothing but the caller's buffer; the service fills a struct doc
 * from an invoice and the tenant's settings. It includes only base/, libc,
 * cairo, pango and librsvg.
 */
#ifndef CREDITD_DOC_H
#define CREDITD_DOC_H

#include "base/base.h"

enum doc_kind { DOC_INVOICE, DOC_CREDIT_NOTE };

/* VAT rates on one document (standard, reduced, zero…). */
#define DOC_VATS_MAX 8

/* A local calendar date (the tenant's time zone decides it); year 0 = none. */
struct doc_date {
    int64_t year;
    unsigned month, day;
};

/* Seller or buyer. Strings are borrowed UTF-8; NULL or "" = not printed. */
struct doc_party {
    const char *name;
    const char *address; /* lines separated by '\n' (street, postcode and town…) */
    const char *country; /* ISO 3166 alpha-2 ("DE") */
    const char *vat_id;
    const char *email;
};

struct doc_line {
    const char *description; /* may wrap over several lines */
    int64_t quantity;        /* whole units */
    int64_t unit_net_minor;  /* money minor units (two decimals) */
    int32_t vat_rate_bp;     /* 1900 = 19 % */
    int64_t net_minor;       /* quantity × unit net, as the invoice says */
};

/* The VAT of one rate: the net it is on and the tax. */
struct doc_vat {
    int32_t rate_bp;
    int64_t net_minor;
    int64_t vat_minor;
};

/* How to pay by bank transfer. The reference printed is the number. */
struct doc_payment {
    const char *holder; /* account holder */
    const char *iban;   /* printed in groups of four */
    const char *bic;    /* optional */
    const char *terms;  /* optional payment terms ("14 days net") */
};

enum doc_image_type { DOC_IMAGE_NONE, DOC_IMAGE_PNG, DOC_IMAGE_JPEG, DOC_IMAGE_SVG };

struct doc_image {
    enum doc_image_type type;
    const unsigned char *bytes; /* borrowed */
    size_t len;
};

struct doc {
    enum doc_kind kind;
    const char *lang;            /* "en" or "de" (anything else prints English) */
    const char *number;          /* "2026-000042" with the tenant's prefix */
    const char *invoice_number;  /* a credit note: the invoice it corrects */
    const char *customer_number; /* optional */
    const char *currency;        /* ISO 4217 ("EUR") */
    struct doc_date issue_date;
    struct doc_date due_date;  /* optional */
    struct doc_date paid_date; /* optional: a paid invoice says so */
    bool voided;               /* the invoice was voided: marked as such */
    struct doc_party seller, buyer;
    const struct doc_line *lines;
    size_t n_lines; /* at most DOC_LINES_MAX */
    const struct doc_vat *vats;
    size_t n_vats; /* one per rate, at most DOC_VATS_MAX; may be 0 */
    int64_t net_minor, gross_minor;
    /* An invoice: paid with store credit (0 = none) and gross - store
     * credit due. A credit note (its net, VAT, gross and lines negative):
     * returned as store credit, and the money to be refunded. */
    int64_t store_credit_minor;
    int64_t due_minor;
    bool reverse_charge;               /* prints the reverse charge note */
    const char *note;                  /* optional free text under the totals */
    const struct doc_payment *payment; /* optional; printed when something is due */
    struct doc_image logo;             /* optional */
    const char *footer;                /* the seller's legal lines, '\n' between them; optional */
};

/*
 * Renders d as an A4 PDF (595 × 842 pt) and appends it to out: logo and
 * seller at the top, the buyer's address in the window of a DIN 5008 letter,
 * title and number, the dates, the lines with right-aligned amounts,
 * totals, payment instructions and the footer on every page; lines that do
 * not fit continue on further pages, each repeating the table's header and
 * numbered "1/2". All text is real text (pango layouts), so it can be
 * selected and searched. The logo may be PNG, JPEG or SVG (vector graphics
 * in the PDF). Borrows d.
 *
 * ERR_VALIDATION with d->field for a document it cannot print (no number,
 * more than DOC_LINES_MAX lines, a text that is not UTF-8); ERR_TOO_LARGE when
 * out is full; ERR_INTERNAL when cairo fails. A logo that does not decode is
 * left out, never an error: the document matters more than the picture.
 */
enum err doc_pdf(const struct doc *d, struct buf *out, struct err_detail *e) WUR;

/* ---- formats by language (pure) ----------------------------------------- */

/* The language's way with each, base/i18n.c's (lang "de…" is German, any
 * other English); arena memory, "" when the arena is full. */

/* Money of two decimals: "€1,234.56", "-€5.00"; "1.234,56 €" (a no-break
 * space before the sign); a currency without a sign by its code. */
const char *doc_money(struct arena *a, const char *lang, const char *currency, int64_t minor);
/* A whole number: "1,000" / "1.000". */
const char *doc_quantity(struct arena *a, const char *lang, int64_t n);
/* "4 Dec 2026" / "04.12.2026"; "" when d has no year. */
const char *doc_date_text(struct arena *a, const char *lang, struct doc_date d);
/* A VAT rate: "19%", "7.5%" / "19 %", "7,5 %" (document.rate). */
const char *doc_rate(struct arena *a, const char *lang, int32_t rate_bp);
/* An IBAN in groups of four: "DE89 3704 0044 0532 0130 00" (spaces in the
 * input are dropped first). */
void doc_format_iban(const char *iban, char *dst, size_t n);
/* A country's name in the language ("DE" → "Germany" / "Deutschland",
 * document.country.DE), the code itself when the catalogue has none. */
const char *doc_country_name(const char *lang, const char *code);

#endif
