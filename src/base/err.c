/*
 * The error table's lookups and the detail setter. The table itself lives in
 * base.h so that every layer shares one list of failures.
 */
#include <stdio.h>
#include <stdlib.h>

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
    vsnprintf(d->message, sizeof(d->message), fmt, ap);
    va_end(ap);
    return e;
}

_Noreturn void base_assert_fail(const char *file, int line, const char *expr)
{
    fprintf(stderr, "%s:%d: assertion failed: %s\n", file, line, expr);
    fflush(stderr);
    abort();
}
