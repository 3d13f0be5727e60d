/*
 * Growable byte buffers with a maximum, and the small string helpers that
 * replace sprintf / atoi / strcpy everywhere in creditd.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

void buf_init(struct buf *b, size_t max_bytes)
{
    ASSERT(b != NULL);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max_bytes = max_bytes;
}

void buf_release(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

static enum err buf_reserve(struct buf *b, size_t extra)
{
    if (extra > b->max_bytes || b->len + extra + 1 > b->max_bytes)
        return ERR_TOO_LARGE;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return ERR_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    if (cap > b->max_bytes)
        cap = b->max_bytes;
    char *p = realloc(b->data, cap);
    if (p == NULL)
        return ERR_TOO_LARGE;
    b->data = p;
    b->cap = cap;
    return ERR_OK;
}

enum err buf_append(struct buf *b, const void *data, size_t n)
{
    enum err rc = buf_reserve(b, n);
    if (rc != ERR_OK)
        return rc;
    if (n > 0)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return ERR_OK;
}

enum err buf_puts(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

enum err buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ERR_INTERNAL;
    enum err rc = buf_reserve(b, (size_t)n);
    if (rc != ERR_OK)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return ERR_OK;
}

enum err buf_csv_field(struct buf *b, const char *s)
{
    if (s == NULL)
        return ERR_OK;
    if (strpbrk(s, ",\"\r\n") == NULL)
        return buf_puts(b, s);
    enum err rc = buf_append(b, "\"", 1);
    for (const char *p = s; rc == ERR_OK && *p; p++) {
        rc = *p == '"' ? buf_append(b, "\"\"", 2) : buf_append(b, p, 1);
    }
    return rc == ERR_OK ? buf_append(b, "\"", 1) : rc;
}

enum err buf_csv_text(struct buf *b, const char *s)
{
    if (s == NULL)
        return ERR_OK;
    if (*s == '\0' || strchr("=+-@\t\r", *s) == NULL)
        return buf_csv_field(b, s);
    /* The quote goes inside the field's quotes, so the cell's text is "'=…". */
    bool quoted = strpbrk(s, ",\"\r\n") != NULL;
    enum err rc = buf_puts(b, quoted ? "\"'" : "'");
    for (const char *p = s; rc == ERR_OK && *p; p++) {
        rc = *p == '"' ? buf_append(b, "\"\"", 2) : buf_append(b, p, 1);
    }
    return rc == ERR_OK && quoted ? buf_append(b, "\"", 1) : rc;
}

bool parse_int64(const char *s, int64_t *out)
{
    if (s == NULL || *s == '\0' || *s == ' ' || *s == '+')
        return false;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return false;
    *out = (int64_t)v;
    return true;
}

bool str_format(char *dst, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(dst, n, fmt, ap);
    va_end(ap);
    return r >= 0 && (size_t)r < n;
}

bool str_copy(char *dst, size_t n, const char *src)
{
    ASSERT(n > 0);
    size_t len = strlen(src);
    if (len >= n) {
        memcpy(dst, src, n - 1);
        dst[n - 1] = '\0';
        return false;
    }
    memcpy(dst, src, len + 1);
    return true;
}

void id_format(char *dst, size_t n, const char *prefix, int64_t id)
{
    ASSERT(n >= ID_TEXT_BYTES);
    if (id == 0)
        dst[0] = '\0';
    else
        snprintf(dst, n, "%s_%lld", prefix, (long long)id);
}

bool id_parse(const char *s, const char *prefix, int64_t *out)
{
    if (s == NULL)
        return false;
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n) == 0 && s[n] == '_')
        s += n + 1;
    int64_t v;
    if (s[0] < '1' || s[0] > '9' || !parse_int64(s, &v) || v <= 0)
        return false;
    *out = v;
    return true;
}
