/*
 * The drivers' shared helpers (fuzz.h): input cutting and the failure
 * report. Plain libc, so a finding here is never the code under test.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
    fprintf(stderr, "%s:%d: property failed: %s\n  ", file, line, cond);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

static char *fuzz_copy(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s == NULL)
        abort();
    if (n > 0)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

char *fuzz_take_until(struct fuzz_in *in, char sep)
{
    const uint8_t *end = in->size > 0 ? memchr(in->data, sep, in->size) : NULL;
    size_t n = end != NULL ? (size_t)(end - in->data) : in->size;
    char *s = fuzz_copy(in->data, n);
    size_t used = end != NULL ? n + 1 : n;
    in->data += used;
    in->size -= used;
    return s;
}

char *fuzz_take_rest(struct fuzz_in *in, size_t *len)
{
    char *s = fuzz_copy(in->data, in->size);
    if (len != NULL)
        *len = in->size;
    in->data += in->size;
    in->size = 0;
    return s;
}

uint8_t fuzz_take_byte(struct fuzz_in *in)
{
    if (in->size == 0)
        return 0;
    uint8_t b = in->data[0];
    in->data++;
    in->size--;
    return b;
}

uint64_t fuzz_take_u64(struct fuzz_in *in)
{
    uint64_t v = 0;
    for (int i = 0; i < 8 && in->size > 0; i++)
        v = (v << 8) | fuzz_take_byte(in);
    return v;
}

bool fuzz_utf8_is_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t len = c < 0x80             ? 1
                     : (c & 0xe0) == 0xc0 ? 2
                     : (c & 0xf0) == 0xe0 ? 3
                     : (c & 0xf8) == 0xf0 ? 4
                                          : 0;
        if (len == 0 || i + len > n)
            return false;
        uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < least[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

/* ---- reference models ---------------------------------------------------- */

static bool fuzz_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

enum fuzz_amount fuzz_amount_reference(const char *s, int scale, int64_t *out_minor)
{
    const __int128 max = 1000000000000000; /* AMOUNT_MAX_MINOR, written out again */
    const __int128 cap = (__int128)1 << 100;
    const char *p = s;
    bool negative = *p == '-';
    p += negative;
    if (!fuzz_is_digit(*p) || (p[0] == '0' && fuzz_is_digit(p[1])))
        return FUZZ_AMOUNT_MALFORMED;
    __int128 v = 0;
    for (; fuzz_is_digit(*p); p++)
        v = v < cap ? v * 10 + (*p - '0') : cap;
    int decimals = 0;
    __int128 fraction = 0;
    if (*p == '.') {
        for (p++; fuzz_is_digit(*p); p++) {
            if (++decimals > scale)
                return FUZZ_AMOUNT_MALFORMED;
            fraction = fraction * 10 + (*p - '0');
        }
        if (decimals == 0)
            return FUZZ_AMOUNT_MALFORMED;
    }
    if (*p != '\0')
        return FUZZ_AMOUNT_MALFORMED;
    for (int i = 0; i < scale; i++)
        v = v < cap ? v * 10 : cap;
    for (int i = decimals; i < scale; i++)
        fraction *= 10;
    v += fraction;
    if (v > max)
        return FUZZ_AMOUNT_RANGE;
    *out_minor = (int64_t)(negative ? -v : v);
    return FUZZ_AMOUNT_OK;
}

bool fuzz_id_reference(const char *s, const char *prefix, int64_t *out)
{
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n) == 0 && s[n] == '_')
        s += n + 1;
    if (*s < '1' || *s > '9')
        return false;
    __int128 v = 0;
    for (; fuzz_is_digit(*s); s++) {
        v = v * 10 + (*s - '0');
        if (v > INT64_MAX)
            return false;
    }
    if (*s != '\0')
        return false;
    *out = (int64_t)v;
    return true;
}
