/*
 * Amounts: decimal text <-> int64 minor units, and checked arithmetic. Money
 * never touches floating point; every result outside ±AMOUNT_MAX_MINOR is an
 * error, not a wrap.
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"

enum err amount_parse(const char *s, int scale, int64_t *out_minor)
{
    ASSERT(scale >= 0);
    ASSERT(scale <= CREDIT_SCALE_MAX);
    if (s == NULL || *s == '\0')
        return ERR_VALIDATION;
    const char *p = s;
    bool negative = false;
    if (*p == '-') {
        negative = true;
        p++;
    }
    /* The documented form: no '+', and no leading zero before another digit
     * ("0.5" and "0" are fine, "007" is not). */
    if (p[0] == '0' && p[1] >= '0' && p[1] <= '9')
        return ERR_VALIDATION;
    int64_t whole = 0, frac = 0;
    int int_digits = 0, frac_digits = 0;
    for (; *p >= '0' && *p <= '9'; p++, int_digits++) {
        if (whole > AMOUNT_MAX_MINOR)
            return ERR_OVERFLOW;
        whole = whole * 10 + (*p - '0');
    }
    if (*p == '.') {
        p++;
        for (; *p >= '0' && *p <= '9'; p++, frac_digits++) {
            if (frac_digits >= scale)
                return ERR_VALIDATION;
            frac = frac * 10 + (*p - '0');
        }
        if (frac_digits == 0)
            return ERR_VALIDATION;
    }
    if (*p != '\0' || int_digits == 0)
        return ERR_VALIDATION;
    for (int i = frac_digits; i < scale; i++)
        frac *= 10;
    int64_t unit = 1;
    for (int i = 0; i < scale; i++)
        unit *= 10;
    if (whole > AMOUNT_MAX_MINOR / unit)
        return ERR_OVERFLOW;
    int64_t v = whole * unit + frac;
    if (v > AMOUNT_MAX_MINOR)
        return ERR_OVERFLOW;
    *out_minor = negative ? -v : v;
    return ERR_OK;
}

void amount_format(int64_t minor, int scale, char *dst, size_t n)
{
    ASSERT(n >= AMOUNT_TEXT_BYTES);
    ASSERT(scale >= 0 && scale <= CREDIT_SCALE_MAX);
    /* INT64_MIN has no positive counterpart; amounts never get there. */
    ASSERT(minor > INT64_MIN);
    uint64_t v = (uint64_t)(minor < 0 ? -minor : minor);
    uint64_t unit = 1;
    for (int i = 0; i < scale; i++)
        unit *= 10;
    if (scale == 0)
        snprintf(dst, n, "%s%llu", minor < 0 ? "-" : "", (unsigned long long)v);
    else
        snprintf(dst, n, "%s%llu.%0*llu", minor < 0 ? "-" : "", (unsigned long long)(v / unit),
                 scale, (unsigned long long)(v % unit));
}

enum err amount_add(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r) || r > AMOUNT_MAX_MINOR || r < -AMOUNT_MAX_MINOR)
        return ERR_OVERFLOW;
    *out = r;
    return ERR_OK;
}

enum err amount_scale_up(int64_t a, int32_t permille, int64_t *out)
{
    ASSERT(a >= 0);
    ASSERT(permille > 0);
    int64_t product;
    if (__builtin_mul_overflow(a, (int64_t)permille, &product))
        return ERR_OVERFLOW;
    int64_t r = product / 1000 + (product % 1000 != 0);
    if (r > AMOUNT_MAX_MINOR)
        return ERR_OVERFLOW;
    *out = r;
    return ERR_OK;
}

bool code_is_valid(const char *code)
{
    size_t n = strlen(code);
    if (n == 0 || n >= CODE_BYTES_MAX || code[0] < 'a' || code[0] > 'z')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = code[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}
