/*
 * Bank details on invoices: the IBAN (ISO 13616: country, two check digits
 * by mod 97, the country's length and, for the countries listed, its BBAN
 * form), the BIC (ISO 9362), the payment terms' due date, and the EPC QR
 * code's text ("GiroCode", EPC069-12 version 002) a banking app reads to
 * fill in a SEPA credit transfer.
 *
 * Must not: read a clock, allocate, or know where the details are stored.
 * The QR symbol itself is drawn by the portal (web/qr.js) from this text.
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"

/* The IBAN registry's countries: length of the whole IBAN, and the BBAN's
 * form where we check it ("" = letters and digits only): runs of a count
 * and n (digits), a (capital letters) or c (letters and digits). */
static const struct bank_country {
    char code[3];
    int length;
    const char *bban;
} bank_countries[] = {
    {"AD", 24, "8n12c"},    {"AE", 23, "3n16n"},    {"AL", 28, "8n16c"},   {"AT", 20, "16n"},
    {"AZ", 28, "4a20c"},    {"BA", 20, "16n"},      {"BE", 16, "12n"},     {"BG", 22, "4a6n8c"},
    {"BH", 22, "4a14c"},    {"BR", 29, ""},         {"BY", 28, ""},        {"CH", 21, "5n12c"},
    {"CR", 22, "18n"},      {"CY", 28, "8n16c"},    {"CZ", 24, "20n"},     {"DE", 22, "18n"},
    {"DK", 18, "14n"},      {"DO", 28, "4c20n"},    {"EE", 20, "16n"},     {"EG", 29, "25n"},
    {"ES", 24, "20n"},      {"FI", 18, "14n"},      {"FO", 18, "14n"},     {"FR", 27, "10n11c2n"},
    {"GB", 22, "4a14n"},    {"GE", 22, "2a16n"},    {"GI", 23, "4a15c"},   {"GL", 18, "14n"},
    {"GR", 27, "7n16c"},    {"GT", 28, "24c"},      {"HR", 21, "17n"},     {"HU", 28, "24n"},
    {"IE", 22, "4a14n"},    {"IL", 23, "19n"},      {"IQ", 23, "4a15n"},   {"IS", 26, "22n"},
    {"IT", 27, "1a10n12c"}, {"JO", 30, "4a4n18c"},  {"KW", 30, "4a22c"},   {"KZ", 20, "3n13c"},
    {"LB", 28, "4n20c"},    {"LC", 32, "4a24c"},    {"LI", 21, "5n12c"},   {"LT", 20, "16n"},
    {"LU", 20, "3n13c"},    {"LV", 21, "4a13c"},    {"LY", 25, "21n"},     {"MC", 27, "10n11c2n"},
    {"MD", 24, "20c"},      {"ME", 22, "18n"},      {"MK", 19, "3n10c2n"}, {"MR", 27, "23n"},
    {"MT", 31, "4a5n18c"},  {"MU", 30, ""},         {"NL", 18, "4a10n"},   {"NO", 15, "11n"},
    {"PK", 24, "4a16c"},    {"PL", 28, "24n"},      {"PS", 29, "4a21c"},   {"PT", 25, "21n"},
    {"QA", 29, "4a21c"},    {"RO", 24, "4a16c"},    {"RS", 22, "18n"},     {"SA", 24, "2n18c"},
    {"SC", 31, ""},         {"SD", 18, "14n"},      {"SE", 24, "20n"},     {"SI", 19, "15n"},
    {"SK", 24, "20n"},      {"SM", 27, "1a10n12c"}, {"ST", 25, "21n"},     {"SV", 28, "4a20n"},
    {"TL", 23, "19n"},      {"TN", 24, "20n"},      {"TR", 26, "5n1n16c"}, {"UA", 29, "6n19c"},
    {"VA", 22, "3n15n"},    {"VG", 24, "4a16n"},    {"XK", 20, "4n10n2n"},
};

static bool bank_is_upper(char ch)
{
    return ch >= 'A' && ch <= 'Z';
}

static bool bank_is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static const struct bank_country *bank_country_find(const char *iban)
{
    for (size_t i = 0; i < sizeof(bank_countries) / sizeof(bank_countries[0]); i++)
        if (iban[0] == bank_countries[i].code[0] && iban[1] == bank_countries[i].code[1])
            return &bank_countries[i];
    return NULL;
}

/* Whether bban has the registry's form for its country. */
static bool bank_bban_matches(const char *bban, const char *form)
{
    size_t at = 0;
    for (const char *f = form; *f != '\0';) {
        int count = 0;
        while (bank_is_digit(*f))
            count = count * 10 + (*f++ - '0');
        char kind = *f++;
        for (int i = 0; i < count; i++, at++) {
            char ch = bban[at];
            bool ok = kind == 'n'   ? bank_is_digit(ch)
                      : kind == 'a' ? bank_is_upper(ch)
                                    : bank_is_digit(ch) || bank_is_upper(ch);
            if (!ok)
                return false;
        }
    }
    return bban[at] == '\0';
}

/* The IBAN mod 97, letters as 10..35, the first four characters moved to
 * the end (ISO 13616 / ISO 7064 MOD 97-10). */
static int bank_iban_mod97(const char *iban, size_t n)
{
    int r = 0;
    for (size_t k = 0; k < n; k++) {
        char ch = iban[(k + 4) % n];
        int v = bank_is_digit(ch) ? ch - '0' : ch - 'A' + 10;
        r = v >= 10 ? (r * 100 + v) % 97 : (r * 10 + v) % 97;
    }
    return r;
}

enum bank_check bank_iban_normalize(const char *in, char out[BANK_IBAN_BYTES])
{
    ASSERT(in != NULL);
    size_t n = 0;
    out[0] = '\0';
    for (const char *p = in; *p != '\0'; p++) {
        char ch = *p;
        if (ch == ' ')
            continue;
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        if (!bank_is_digit(ch) && !bank_is_upper(ch))
            return BANK_BAD_CHARACTER;
        if (n + 1 >= BANK_IBAN_BYTES)
            return BANK_BAD_LENGTH;
        out[n++] = ch;
    }
    out[n] = '\0';
    if (n < 4 || !bank_is_upper(out[0]) || !bank_is_upper(out[1]) || !bank_is_digit(out[2]) ||
        !bank_is_digit(out[3]))
        return BANK_BAD_FORM;
    const struct bank_country *c = bank_country_find(out);
    if (c == NULL)
        return BANK_BAD_COUNTRY;
    if ((int)n != c->length)
        return BANK_BAD_LENGTH;
    if (c->bban[0] != '\0' && !bank_bban_matches(out + 4, c->bban))
        return BANK_BAD_FORM;
    return bank_iban_mod97(out, n) == 1 ? BANK_OK : BANK_BAD_CHECKSUM;
}

const char *bank_check_text(enum bank_check c)
{
    switch (c) {
    case BANK_OK:
        return "is valid";
    case BANK_BAD_CHARACTER:
        return "may hold only letters, digits and spaces";
    case BANK_BAD_FORM:
        return "does not have the IBAN form of its country";
    case BANK_BAD_COUNTRY:
        return "does not start with the code of a country that uses IBANs";
    case BANK_BAD_LENGTH:
        return "does not have the length of its country's IBANs";
    case BANK_BAD_CHECKSUM:
        return "has wrong check digits (ISO 13616 mod 97): please check it for a typo";
    }
    return "is not valid";
}

void bank_iban_group(const char *iban, char out[BANK_IBAN_GROUPED_BYTES])
{
    size_t k = 0;
    for (size_t i = 0; iban[i] != '\0' && k + 2 < BANK_IBAN_GROUPED_BYTES; i++) {
        if (i > 0 && i % 4 == 0)
            out[k++] = ' ';
        out[k++] = iban[i];
    }
    out[k] = '\0';
}

enum bank_check bank_bic_normalize(const char *in, char out[BANK_BIC_BYTES])
{
    ASSERT(in != NULL);
    size_t n = 0;
    out[0] = '\0';
    for (const char *p = in; *p != '\0'; p++) {
        char ch = *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
        if (ch == ' ')
            continue;
        if (!bank_is_digit(ch) && !bank_is_upper(ch))
            return BANK_BAD_CHARACTER;
        if (n + 1 >= BANK_BIC_BYTES)
            return BANK_BAD_LENGTH;
        out[n++] = ch;
    }
    out[n] = '\0';
    if (n != 8 && n != 11)
        return BANK_BAD_LENGTH;
    /* Institution (4 letters), country (2 letters), location and branch
     * (letters or digits). */
    for (size_t i = 0; i < 6; i++)
        if (!bank_is_upper(out[i]))
            return BANK_BAD_FORM;
    return BANK_OK;
}

/* Copies at most max characters (UTF-8 code points) of s. */
static size_t bank_utf8_prefix(const char *s, size_t max_chars)
{
    size_t bytes = 0, chars = 0;
    while (s[bytes] != '\0' && chars < max_chars) {
        bytes++;
        while (((unsigned char)s[bytes] & 0xC0) == 0x80)
            bytes++;
        chars++;
    }
    return bytes;
}

enum err bank_epc_payload(const struct bank_transfer *t, char *out, size_t out_bytes)
{
    ASSERT(t != NULL);
    ASSERT(out != NULL);
    if (t->amount_minor < 1 || t->amount_minor > 99999999999LL || t->iban == NULL ||
        t->iban[0] == '\0')
        return ERR_VALIDATION;
    const char *name = t->name != NULL ? t->name : "";
    const char *bic = t->bic != NULL ? t->bic : "";
    const char *text = t->remittance != NULL ? t->remittance : "";
    size_t name_bytes = bank_utf8_prefix(name, BANK_EPC_NAME_CHARS);
    size_t text_bytes = bank_utf8_prefix(text, BANK_EPC_REMITTANCE_CHARS);
    /* Service tag, version, UTF-8, SEPA credit transfer, BIC, name, IBAN,
     * amount, purpose (none), structured reference (none), remittance. */
    int n = snprintf(out, out_bytes, "BCD\n002\n1\nSCT\n%s\n%.*s\n%s\nEUR%lld.%02lld\n\n\n%.*s",
                     bic, (int)name_bytes, name, t->iban, (long long)(t->amount_minor / 100),
                     (long long)(t->amount_minor % 100), (int)text_bytes, text);
    if (n < 0 || (size_t)n >= out_bytes)
        return ERR_TOO_LARGE;
    ASSERT((size_t)n <= BANK_EPC_BYTES_MAX);
    return ERR_OK;
}
