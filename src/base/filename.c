/*
 * Client file names. A name arrives in a multipart part header, is stored as
 * metadata only (the contents are kept under a random internal name) and is
 * sent back in a Content-Disposition header. So it must never carry a path,
 * a character that ends a header parameter, a control character or invalid
 * UTF-8. Pure functions: no allocation, no I/O.
 */
#include <string.h>

#include "base/base.h"

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 when invalid:
 * overlong forms, surrogates and code points past U+10FFFF are invalid. */
static size_t filename_utf8_length(const unsigned char *p, size_t n, uint32_t *cp)
{
    size_t len = 0;
    if (p[0] < 0x80)
        len = 1;
    else if ((p[0] & 0xe0) == 0xc0)
        len = 2;
    else if ((p[0] & 0xf0) == 0xe0)
        len = 3;
    else if ((p[0] & 0xf8) == 0xf0)
        len = 4;
    if (len == 0 || len > n)
        return 0;
    static const uint32_t first_mask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    uint32_t v = p[0] & first_mask[len];
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3f);
    }
    if (v < min[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

/* Characters dropped from names: controls, the bidirectional marks and
 * overrides that make "gpj.exe" look like "exe.jpg", quotes and ';'. */
static bool filename_drops(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == '"' || cp == '\'' ||
           cp == ';' || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

size_t filename_sanitize(const char *in, char out[FILE_NAME_BYTES_MAX + 1])
{
    ASSERT(out != NULL);
    const char *base = in ? in : "";
    for (const char *p = base; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    const unsigned char *p = (const unsigned char *)base;
    size_t left = strlen(base), len = 0;
    while (left > 0) {
        uint32_t cp = 0;
        size_t n = filename_utf8_length(p, left, &cp);
        const char *piece = (const char *)p;
        size_t piece_len = n;
        if (n == 0) {
            piece = "_";
            piece_len = 1;
            n = 1;
        } else if (filename_drops(cp)) {
            piece_len = 0;
        }
        if (len + piece_len > FILE_NAME_BYTES_MAX)
            break;
        memcpy(out + len, piece, piece_len);
        len += piece_len;
        p += n;
        left -= n;
    }
    out[len] = '\0';
    if (len == 0 || strcmp(out, ".") == 0 || strcmp(out, "..") == 0) {
        memcpy(out, "file", 5);
        len = 4;
    }
    ASSERT(len <= FILE_NAME_BYTES_MAX);
    return len;
}

void filename_ascii(const char *name, char out[FILE_NAME_BYTES_MAX + 1])
{
    const unsigned char *p = (const unsigned char *)name;
    size_t left = strlen(name), len = 0;
    while (left > 0 && len < FILE_NAME_BYTES_MAX) {
        uint32_t cp = 0;
        size_t n = filename_utf8_length(p, left, &cp);
        if (n == 0)
            n = 1;
        out[len++] = n == 1 && p[0] >= 0x20 && p[0] < 0x7f ? (char)p[0] : '_';
        p += n;
        left -= n;
    }
    out[len] = '\0';
}

bool filename_percent_encode(const char *name, char *out, size_t n)
{
    static const char digits[] = "0123456789ABCDEF";
    /* RFC 8187 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~" go as they are. */
    static const char plain[] = "!#$&+-.^_`|~";
    size_t len = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        bool as_is = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || (*p != 0 && strchr(plain, *p) != NULL);
        size_t need = as_is ? 1 : 3;
        if (len + need >= n)
            return false;
        if (as_is) {
            out[len++] = (char)*p;
        } else {
            out[len++] = '%';
            out[len++] = digits[*p >> 4];
            out[len++] = digits[*p & 15];
        }
    }
    ASSERT(len < n);
    out[len] = '\0';
    return true;
}
