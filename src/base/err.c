/*
 * The error table's lookups, the detail setter, and the keeping of a
 * message's format and arguments so that it can be said again in another
 * language (struct err_text). The table itself lives in base.h so that every
 * layer shares one list of failures.
 *
 * Must not: pick a language (the answer does, on the request's thread), or
 * hand a template from a catalogue to printf.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "base/base.h"

static const char *const err_codes[] = {
#define X(name, status, code) code,
    ERR_TABLE(X)
#undef X
};

static const int err_statuses[] = {
#define X(name, status, code) status,
    ERR_TABLE(X)
#undef X
};

_Static_assert(sizeof(err_codes) / sizeof(err_codes[0]) == ERR__COUNT, "error table size");

const char *err_code(enum err e)
{
    ASSERT((int)e >= 0);
    ASSERT(e < ERR__COUNT);
    return err_codes[e];
}

int err_http_status(enum err e)
{
    ASSERT((int)e >= 0);
    ASSERT(e < ERR__COUNT);
    return err_statuses[e];
}

enum err err_set(struct err_detail *d, enum err e, const char *field, const char *fmt, ...)
{
    if (d == NULL)
        return e;
    str_copy(d->field, sizeof(d->field), field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    va_list copy;
    va_copy(copy, ap);
    vsnprintf(d->message, sizeof(d->message), fmt, ap);
    va_end(ap);
    /* Into a copy first: an argument may be d's own text. */
    struct err_text text;
    err_text_capture(&text, fmt, copy);
    va_end(copy);
    d->text = text;
    return e;
}

/* ---- messages kept for translation ------------------------------------- */

/* What one conversion takes from the arguments. */
enum err_arg_kind {
    ERR_ARG_NONE, /* %% */
    ERR_ARG_SIGNED,
    ERR_ARG_UNSIGNED,
    ERR_ARG_DOUBLE,
    ERR_ARG_LONG_DOUBLE,
    ERR_ARG_CHAR,
    ERR_ARG_STRING,
    ERR_ARG_POINTER,
};

/* One conversion of a format, as err_conv_parse reads it. */
struct err_conv {
    const char *flags;
    size_t flags_len;
    int width, precision; /* -1: none; ERR_CONV_STAR: from the arguments */
    char length[3];       /* "", "hh", "h", "l", "ll", "z", "j", "t", "L" */
    char conversion;      /* d i u x X o c s p f F g G e E a A % */
    enum err_arg_kind kind;
};
#define ERR_CONV_STAR (-2)

/* Digits up to a bound (a format's widths are small). */
static const char *err_conv_number(const char *p, int *out)
{
    *out = 0;
    while (*p >= '0' && *p <= '9') {
        if (*out < 100000)
            *out = *out * 10 + (*p - '0');
        p++;
    }
    return p;
}

/* The conversion starting at p ('%'); its end, or NULL when it is not one
 * err_text_capture knows. */
static const char *err_conv_parse(const char *p, struct err_conv *c)
{
    ASSERT(*p == '%');
    *c = (struct err_conv){.width = -1, .precision = -1};
    c->flags = ++p;
    p += strspn(p, "-+ #0'");
    c->flags_len = (size_t)(p - c->flags);
    if (*p == '*') {
        c->width = ERR_CONV_STAR;
        p++;
    } else if (*p >= '0' && *p <= '9') {
        p = err_conv_number(p, &c->width);
    }
    if (*p == '.') {
        p++;
        if (*p == '*') {
            c->precision = ERR_CONV_STAR;
            p++;
        } else {
            p = err_conv_number(p, &c->precision);
        }
    }
    static const char *const lengths[] = {"hh", "ll", "h", "l", "z", "j", "t", "L"};
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++)
        if (strncmp(p, lengths[i], strlen(lengths[i])) == 0) {
            str_copy(c->length, sizeof(c->length), lengths[i]);
            p += strlen(lengths[i]);
            break;
        }
    c->conversion = *p;
    bool plain = c->length[0] == '\0', l = strcmp(c->length, "L") == 0;
    if (c->conversion != '\0' && strchr("di", c->conversion) != NULL && !l)
        c->kind = ERR_ARG_SIGNED;
    else if (c->conversion != '\0' && strchr("uxXo", c->conversion) != NULL && !l)
        c->kind = ERR_ARG_UNSIGNED;
    else if (c->conversion != '\0' && strchr("fFgGeEaA", c->conversion) != NULL &&
             (plain || l || strcmp(c->length, "l") == 0))
        c->kind = l ? ERR_ARG_LONG_DOUBLE : ERR_ARG_DOUBLE;
    else if (plain && c->conversion == 'c')
        c->kind = ERR_ARG_CHAR;
    else if (plain && c->conversion == 's')
        c->kind = ERR_ARG_STRING;
    else if (plain && c->conversion == 'p')
        c->kind = ERR_ARG_POINTER;
    else if (plain && c->conversion == '%' && c->flags_len == 0 && c->width == -1 &&
             c->precision == -1)
        c->kind = ERR_ARG_NONE;
    else
        return NULL;
    return p + 1;
}

/* A signed integer argument of the conversion's length, as intmax_t. */
static intmax_t err_conv_signed(const struct err_conv *c, va_list *ap)
{
    const char *l = c->length;
    if (strcmp(l, "hh") == 0)
        return (signed char)va_arg(*ap, int);
    if (strcmp(l, "h") == 0)
        return (short)va_arg(*ap, int);
    if (strcmp(l, "l") == 0)
        return va_arg(*ap, long);
    if (strcmp(l, "ll") == 0)
        return va_arg(*ap, long long);
    if (strcmp(l, "z") == 0)
        return va_arg(*ap, ssize_t);
    if (strcmp(l, "j") == 0)
        return va_arg(*ap, intmax_t);
    if (strcmp(l, "t") == 0)
        return va_arg(*ap, ptrdiff_t);
    return va_arg(*ap, int);
}

/* An unsigned integer argument of the conversion's length, as uintmax_t. */
static uintmax_t err_conv_unsigned(const struct err_conv *c, va_list *ap)
{
    const char *l = c->length;
    if (strcmp(l, "hh") == 0)
        return (unsigned char)va_arg(*ap, unsigned);
    if (strcmp(l, "h") == 0)
        return (unsigned short)va_arg(*ap, unsigned);
    if (strcmp(l, "l") == 0)
        return va_arg(*ap, unsigned long);
    if (strcmp(l, "ll") == 0)
        return va_arg(*ap, unsigned long long);
    if (strcmp(l, "z") == 0)
        return va_arg(*ap, size_t);
    if (strcmp(l, "j") == 0)
        return va_arg(*ap, uintmax_t);
    if (strcmp(l, "t") == 0)
        return (uintmax_t)va_arg(*ap, ptrdiff_t);
    return va_arg(*ap, unsigned);
}

/* Cuts s (of len bytes) back to the end of its last whole UTF-8 character. */
static void err_utf8_cut(char *s, size_t len)
{
    size_t start = len;
    while (start > 0 && ((unsigned char)s[start - 1] & 0xC0) == 0x80)
        start--;
    if (start == 0)
        return;
    unsigned char lead = (unsigned char)s[start - 1];
    size_t need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (len - (start - 1) < need)
        s[start - 1] = '\0';
}

/* The '*' of a width or precision, taken from the arguments and written
 * into the conversion as digits (a negative width is the '-' flag, a
 * negative precision none). */
static void err_conv_stars(struct err_conv *c, va_list *ap, bool *left)
{
    *left = false;
    if (c->width == ERR_CONV_STAR) {
        int w = va_arg(*ap, int);
        *left = w < 0;
        c->width = w < 0 ? (w < -100000 ? 100000 : -w) : (w > 100000 ? 100000 : w);
    }
    if (c->precision == ERR_CONV_STAR) {
        int p = va_arg(*ap, int);
        c->precision = p < 0 ? -1 : (p > 100000 ? 100000 : p);
    }
}

/* The value of one conversion. */
union err_arg_value {
    intmax_t i;
    uintmax_t u;
    double f;
    long double lf;
    int c;
    const char *s;
    void *p;
};

/*
 * One conversion of a checked format written out: spec is that conversion
 * rebuilt by err_text_capture_one (its flags, width and precision, a length
 * matching the value read), so it is not a literal, but it comes from a
 * literal the compiler checked against these very arguments at the call of
 * err_set (format attribute). Hence the one place printf gets a format that
 * is not a literal.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void err_conv_print(char *out, size_t n, const char *spec, enum err_arg_kind kind,
                           const union err_arg_value *v)
{
    switch (kind) {
    case ERR_ARG_SIGNED:
        snprintf(out, n, spec, v->i);
        break;
    case ERR_ARG_UNSIGNED:
        snprintf(out, n, spec, v->u);
        break;
    case ERR_ARG_DOUBLE:
        snprintf(out, n, spec, v->f);
        break;
    case ERR_ARG_LONG_DOUBLE:
        snprintf(out, n, spec, v->lf);
        break;
    case ERR_ARG_CHAR:
        snprintf(out, n, spec, v->c);
        break;
    case ERR_ARG_STRING:
        snprintf(out, n, spec, v->s);
        break;
    case ERR_ARG_POINTER:
        snprintf(out, n, spec, v->p);
        break;
    case ERR_ARG_NONE:
        out[0] = '\0';
        break;
    }
}
#pragma GCC diagnostic pop

/* Reads the argument of one conversion (not %%) and writes it into out. */
static void err_text_capture_one(struct err_conv *c, va_list *ap, char out[ERR_ARG_BYTES])
{
    bool left;
    err_conv_stars(c, ap, &left);
    union err_arg_value v = {0};
    const char *length = "";
    switch (c->kind) {
    case ERR_ARG_SIGNED:
        v.i = err_conv_signed(c, ap);
        length = "j";
        break;
    case ERR_ARG_UNSIGNED:
        v.u = err_conv_unsigned(c, ap);
        length = "j";
        break;
    case ERR_ARG_DOUBLE:
        v.f = va_arg(*ap, double);
        break;
    case ERR_ARG_LONG_DOUBLE:
        v.lf = va_arg(*ap, long double);
        length = "L";
        break;
    case ERR_ARG_CHAR:
        v.c = va_arg(*ap, int);
        break;
    case ERR_ARG_STRING:
        v.s = va_arg(*ap, const char *);
        if (v.s == NULL)
            v.s = "(null)";
        break;
    case ERR_ARG_POINTER:
        v.p = va_arg(*ap, void *);
        break;
    case ERR_ARG_NONE:
        break;
    }
    char spec[48], width[16] = "", precision[16] = "";
    if (c->width >= 0)
        snprintf(width, sizeof(width), "%d", c->width);
    if (c->precision >= 0)
        snprintf(precision, sizeof(precision), ".%d", c->precision);
    snprintf(spec, sizeof(spec), "%%%s%.*s%s%s%s%c", left ? "-" : "", (int)c->flags_len, c->flags,
             width, precision, length, c->conversion);
    err_conv_print(out, ERR_ARG_BYTES, spec, c->kind, &v);
    err_utf8_cut(out, strlen(out));
}

void err_text_capture(struct err_text *t, const char *fmt, va_list ap)
{
    ASSERT(t != NULL);
    ASSERT(fmt != NULL);
    memset(t, 0, sizeof(*t));
    va_list args;
    va_copy(args, ap);
    for (const char *p = strchr(fmt, '%'); p != NULL; p = strchr(p, '%')) {
        struct err_conv c;
        const char *end = err_conv_parse(p, &c);
        if (end == NULL || (c.kind != ERR_ARG_NONE && t->argc == ERR_ARGS_MAX)) {
            memset(t, 0, sizeof(*t));
            va_end(args);
            return;
        }
        if (c.kind != ERR_ARG_NONE)
            err_text_capture_one(&c, &args, t->args[t->argc++]);
        p = end;
    }
    va_end(args);
    t->fmt = fmt;
}

void err_text_render(const struct err_text *t, const char *template, char *out, size_t n)
{
    ASSERT(t != NULL);
    ASSERT(out != NULL && n > 0);
    size_t o = 0;
    bool cut = false;
    for (const char *p = template; *p != '\0' && !cut;) {
        const char *piece = p;
        size_t len = 1;
        int k = 0;
        if (*p == '{' && p[1] >= '1' && p[1] <= '9') {
            const char *q = err_conv_number(p + 1, &k);
            if (*q == '}' && k <= t->argc) {
                piece = t->args[k - 1];
                len = strlen(piece);
                p = q + 1;
            } else {
                p++;
            }
        } else {
            p++;
        }
        if (o + len >= n) {
            len = n - 1 - o;
            cut = true;
        }
        memcpy(out + o, piece, len);
        o += len;
    }
    out[o] = '\0';
    if (cut)
        err_utf8_cut(out, o);
}

void err_format_id(const char *fmt, char out[ERR_FORMAT_ID_BYTES])
{
    uint64_t h = 0xcbf29ce484222325u;
    for (const unsigned char *p = (const unsigned char *)fmt; *p != '\0'; p++) {
        h ^= *p;
        h *= 0x100000001b3u;
    }
    snprintf(out, ERR_FORMAT_ID_BYTES, "%012llx", (unsigned long long)(h >> 16));
}

const char *err_text_in(const struct err_text *t, const char *lang, const char *english, char *out,
                        size_t n)
{
    ASSERT(t != NULL);
    if (t->fmt == NULL || strcmp(i18n_lang(lang), "en") == 0)
        return english;
    char id[ERR_FORMAT_ID_BYTES], key[32];
    err_format_id(t->fmt, id);
    snprintf(key, sizeof(key), "errors.%s", id);
    const char *template = i18n_lookup(lang, key);
    if (template == NULL)
        return english;
    err_text_render(t, template, out, n);
    return out;
}

bool err_format_template(const char *fmt, char *out, size_t n, int *holes)
{
    ASSERT(out != NULL && n > 0);
    size_t o = 0;
    *holes = 0;
    for (const char *p = fmt; *p != '\0';) {
        char piece[16];
        size_t len = 1;
        const char *from = p;
        if (*p == '%') {
            struct err_conv c;
            const char *end = err_conv_parse(p, &c);
            if (end == NULL)
                return false;
            if (c.kind == ERR_ARG_NONE)
                snprintf(piece, sizeof(piece), "%%");
            else
                snprintf(piece, sizeof(piece), "{%d}", ++*holes);
            from = piece;
            len = strlen(piece);
            p = end;
        } else {
            p++;
        }
        if (o + len >= n)
            return false;
        memcpy(out + o, from, len);
        o += len;
    }
    out[o] = '\0';
    return true;
}

_Noreturn void base_assert_fail(const char *file, int line, const char *expr)
{
    fprintf(stderr, "%s:%d: assertion failed: %s\n", file, line, expr);
    fflush(stderr);
    abort();
}
