/*
 * Amounts, dates, VAT rates, IBANs and country names as a document in
 * English or German writes them: €1,234.56 and 4 Dec 2026 and 19%;
 * 1.234,56 € and 04.12.2026 and 19 %. The languages' ways and words come
 * from base/i18n.c and the catalogues (i18n/<lang>/document.json); this
 * file only turns the document's integers into the text those take.
 *
 * Must not: round (amounts arrive in minor units, exactly as printed).
 */
#include <stdio.h>
#include <string.h>

#include "doc/doc_int.h"

/* minor units of two decimals as a decimal "-1234.56". */
static void doc_decimal(int64_t minor, char *dst, size_t n)
{
    uint64_t v = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    bool fits = str_format(dst, n, "%s%llu.%02llu", minor < 0 ? "-" : "",
                           (unsigned long long)(v / 100), (unsigned long long)(v % 100));
    ASSERT(fits);
}

const char *doc_money(struct arena *a, const char *lang, const char *currency, int64_t minor)
{
    char amount[32];
    doc_decimal(minor, amount, sizeof(amount));
    const char *s = i18n_money(a, lang, amount, currency != NULL ? currency : "EUR");
    return s != NULL ? s : "";
}

const char *doc_quantity(struct arena *a, const char *lang, int64_t n)
{
    char amount[32];
    bool fits = str_format(amount, sizeof(amount), "%lld", (long long)n);
    ASSERT(fits);
    const char *s = i18n_number(a, lang, amount);
    return s != NULL ? s : "";
}

const char *doc_date_text(struct arena *a, const char *lang, struct doc_date d)
{
    if (d.year == 0)
        return "";
    ASSERT(d.month >= 1 && d.month <= 12);
    ASSERT(d.day >= 1 && d.day <= 31);
    char day[32];
    bool fits = str_format(day, sizeof(day), "%04lld-%02u-%02u", (long long)d.year, d.month, d.day);
    ASSERT(fits);
    const char *s = i18n_date(a, lang, day);
    return s != NULL && s != day ? s : "";
}

const char *doc_rate(struct arena *a, const char *lang, int32_t rate_bp)
{
    ASSERT(rate_bp >= 0);
    /* 1900 → "19", 750 → "7.5", 1025 → "10.25": no trailing zeros. */
    char number[32];
    bool fits = rate_bp % 100 == 0 ? str_format(number, sizeof(number), "%d", rate_bp / 100)
                : rate_bp % 10 == 0
                    ? str_format(number, sizeof(number), "%d.%d", rate_bp / 100, rate_bp / 10 % 10)
                    : str_format(number, sizeof(number), "%d.%02d", rate_bp / 100, rate_bp % 100);
    ASSERT(fits);
    const char *s = i18n_format(a, lang, "document.rate", "rate", i18n_number(a, lang, number),
                                (const char *)NULL);
    return s != NULL ? s : "";
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

const char *doc_country_name(const char *lang, const char *code)
{
    if (code == NULL || strlen(code) != 2)
        return code != NULL ? code : "";
    char key[32];
    bool fits = str_format(key, sizeof(key), "document.country.%c%c",
                           code[0] >= 'a' && code[0] <= 'z' ? code[0] - 32 : code[0],
                           code[1] >= 'a' && code[1] <= 'z' ? code[1] - 32 : code[1]);
    ASSERT(fits);
    const char *name = i18n_text(lang, key);
    return strcmp(name, key) == 0 ? code : name;
}
