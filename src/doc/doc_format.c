/*
 * Numbers, money, dates, VAT rates and IBANs as a document in English or
 * German writes them: 1,234.56 and €1,234.56 and 4 Dec 2026; 1.234,56 and
 * 1.234,56 € and 04.12.2026. Pure: integers in, text out.
 *
 * Must not: round (amounts arrive in minor units, exactly as printed) or
 * know which words surround them (doc_text.c).
 */
#include <stdio.h>
#include <string.h>

#include "doc/doc_int.h"

bool doc_lang_is_german(const char *lang)
{
    return lang != NULL && strncmp(lang, "de", 2) == 0;
}

void doc_format_number(const char *lang, int64_t minor, int scale, char *dst, size_t n)
{
    ASSERT(scale >= 0 && scale <= CREDIT_SCALE_MAX);
    ASSERT(n >= DOC_TEXT_BYTES);
    bool de = doc_lang_is_german(lang);
    char group = de ? '.' : ',', point = de ? ',' : '.';
    uint64_t v = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    uint64_t unit = 1;
    for (int i = 0; i < scale; i++)
        unit *= 10;
    char digits[32];
    int len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)(v / unit));
    ASSERT(len > 0 && (size_t)len < sizeof(digits));
    size_t o = 0;
    if (minor < 0)
        dst[o++] = '-';
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            dst[o++] = group;
        dst[o++] = digits[i];
    }
    if (scale > 0) {
        dst[o++] = point;
        int fraction = snprintf(dst + o, n - o, "%0*llu", scale, (unsigned long long)(v % unit));
        ASSERT(fraction == scale);
        o += (size_t)fraction;
    }
    ASSERT(o < n);
    dst[o] = '\0';
}

/* The sign of a currency, or NULL when it is written by its code. */
static const char *doc_currency_sign(const char *currency)
{
    static const char *const signs[][2] = {
        {"EUR", "\xe2\x82\xac"}, {"USD", "$"}, {"GBP", "\xc2\xa3"}, {"JPY", "\xc2\xa5"}};
    for (size_t i = 0; currency != NULL && i < sizeof(signs) / sizeof(signs[0]); i++) {
        if (strcmp(currency, signs[i][0]) == 0)
            return signs[i][1];
    }
    return NULL;
}

void doc_format_money(const char *lang, const char *currency, int64_t minor, char *dst, size_t n)
{
    ASSERT(n >= DOC_TEXT_BYTES);
    char number[DOC_TEXT_BYTES];
    doc_format_number(lang, minor < 0 ? -minor : minor, 2, number, sizeof(number));
    const char *sign = doc_currency_sign(currency);
    const char *code = currency != NULL ? currency : "";
    const char *minus = minor < 0 ? "-" : "";
    bool fits;
    if (doc_lang_is_german(lang)) /* "1.234,56 €" with a no-break space */
        fits = str_format(dst, n, "%s%s\xc2\xa0%s", minus, number, sign != NULL ? sign : code);
    else if (sign != NULL)
        fits = str_format(dst, n, "%s%s%s", minus, sign, number);
    else
        fits = str_format(dst, n, "%s%s\xc2\xa0%s", minus, code, number);
    ASSERT(fits);
}

void doc_format_date(const char *lang, struct doc_date d, char *dst, size_t n)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    ASSERT(n >= DOC_TEXT_BYTES);
    if (d.year == 0) {
        dst[0] = '\0';
        return;
    }
    ASSERT(d.month >= 1 && d.month <= 12);
    ASSERT(d.day >= 1 && d.day <= 31);
    bool fits =
        doc_lang_is_german(lang)
            ? str_format(dst, n, "%02u.%02u.%04lld", d.day, d.month, (long long)d.year)
            : str_format(dst, n, "%u %s %04lld", d.day, months[d.month - 1], (long long)d.year);
    ASSERT(fits);
}

void doc_format_rate(const char *lang, int32_t rate_bp, char *dst, size_t n)
{
    ASSERT(rate_bp >= 0);
    ASSERT(n >= DOC_TEXT_BYTES);
    char number[DOC_TEXT_BYTES];
    /* 1900 → "19", 750 → "7.5", 1025 → "10.25": no trailing zeros. */
    int scale = rate_bp % 100 == 0 ? 0 : rate_bp % 10 == 0 ? 1 : 2;
    int64_t value = scale == 0 ? rate_bp / 100 : scale == 1 ? rate_bp / 10 : rate_bp;
    doc_format_number(lang, value, scale, number, sizeof(number));
    bool fits = doc_lang_is_german(lang) ? str_format(dst, n, "%s\xc2\xa0%%", number)
                                         : str_format(dst, n, "%s%%", number);
    ASSERT(fits);
}

void doc_format_iban(const char *iban, char *dst, size_t n)
{
    ASSERT(n > 0);
    size_t o = 0, k = 0;
    for (const char *p = iban != NULL ? iban : ""; *p != '\0' && o + 2 < n; p++) {
        if (*p == ' ')
            continue;
        if (k > 0 && k % 4 == 0)
            dst[o++] = ' ';
        dst[o++] = *p;
        k++;
    }
    dst[o] = '\0';
}
