/*
 * Peak pricing rules of a lot: a multiplier and local-time windows, written
 * as text like "1.5x Mon-Fri 07:00-09:00, Mon-Fri 17:00-20:00". Parsing is
 * strict; formatting gives the canonical text back.
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"

static const char *const peak_day_names[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

/* Largest multiplier: 10x. A lot that costs more than that per credit is a mistake. */
enum { PEAK_MULTIPLIER_MAX_PERMILLE = 10000 };

static int peak_day_parse(const char *s)
{
    for (int i = 0; i < 7; i++)
        if (strncmp(s, peak_day_names[i], 3) == 0)
            return i;
    return -1;
}

/* Parses "Mon-Fri+Sun" or "Daily" into a mask; *p advances past it. */
static bool peak_days_parse(const char **p, uint8_t *mask)
{
    *mask = 0;
    if (strncmp(*p, "Daily", 5) == 0) {
        *p += 5;
        *mask = PEAK_ALL_DAYS;
        return true;
    }
    for (;;) {
        int from = peak_day_parse(*p);
        if (from < 0)
            return false;
        *p += 3;
        int to = from;
        if (**p == '-') {
            to = peak_day_parse(*p + 1);
            if (to < from)
                return false;
            *p += 4;
        }
        for (int d = from; d <= to; d++)
            *mask |= (uint8_t)(1u << d);
        if (**p != '+')
            return true;
        (*p)++;
    }
}

static bool peak_clock_parse(const char **p, unsigned *minute)
{
    const char *s = *p;
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[2] != ':' || s[3] < '0' ||
        s[3] > '5' || s[4] < '0' || s[4] > '9')
        return false;
    unsigned h = (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
    unsigned m = (unsigned)(s[3] - '0') * 10 + (unsigned)(s[4] - '0');
    if (h > 24 || (h == 24 && m != 0))
        return false;
    *minute = h * 60 + m;
    *p += 5;
    return true;
}

static enum err peak_window_parse(const char **p, struct peak_window *w, struct err_detail *d)
{
    unsigned start, end;
    if (!peak_days_parse(p, &w->days_mask) || **p != ' ')
        return err_set(d, ERR_VALIDATION, "peak", "expected days like 'Mon-Fri'");
    (*p)++;
    if (!peak_clock_parse(p, &start) || **p != '-')
        return err_set(d, ERR_VALIDATION, "peak", "expected a time range like '07:00-09:00'");
    (*p)++;
    if (!peak_clock_parse(p, &end) || end <= start)
        return err_set(d, ERR_VALIDATION, "peak", "a window ends after it starts, within a day");
    w->start_minute = (uint16_t)start;
    w->end_minute = (uint16_t)end;
    return ERR_OK;
}

enum err peak_rule_parse(const char *s, struct peak_rule *out, struct err_detail *d)
{
    memset(out, 0, sizeof(*out));
    out->multiplier_permille = 1000;
    if (s == NULL || s[0] == '\0')
        return ERR_OK;
    const char *x = strchr(s, 'x');
    char number[16];
    if (x == NULL || (size_t)(x - s) >= sizeof(number) || x[1] != ' ')
        return err_set(d, ERR_VALIDATION, "peak", "expected a multiplier like '1.5x'");
    memcpy(number, s, (size_t)(x - s));
    number[x - s] = '\0';
    int64_t permille;
    if (amount_parse(number, 3, &permille) != ERR_OK || permille <= 1000 ||
        permille > PEAK_MULTIPLIER_MAX_PERMILLE)
        return err_set(d, ERR_VALIDATION, "peak", "the multiplier is above 1 and at most 10");
    out->multiplier_permille = (int32_t)permille;
    const char *p = x + 2;
    for (;;) {
        if (out->count == PEAK_WINDOWS_MAX)
            return err_set(d, ERR_VALIDATION, "peak", "at most %d windows", PEAK_WINDOWS_MAX);
        enum err rc = peak_window_parse(&p, &out->windows[out->count], d);
        if (rc != ERR_OK)
            return rc;
        out->count++;
        if (*p == '\0')
            return ERR_OK;
        if (p[0] != ',' || p[1] != ' ')
            return err_set(d, ERR_VALIDATION, "peak", "windows are separated by ', '");
        p += 2;
    }
}

static size_t peak_days_format(uint8_t mask, char *dst, size_t n)
{
    if (mask == PEAK_ALL_DAYS)
        return (size_t)snprintf(dst, n, "Daily");
    size_t len = 0;
    for (int d = 0; d < 7;) {
        if (!(mask & (1u << d))) {
            d++;
            continue;
        }
        int e = d;
        while (e + 1 < 7 && (mask & (1u << (e + 1))))
            e++;
        const char *sep = len ? "+" : "";
        if (e > d)
            len += (size_t)snprintf(dst + len, n - len, "%s%s-%s", sep, peak_day_names[d],
                                    peak_day_names[e]);
        else
            len += (size_t)snprintf(dst + len, n - len, "%s%s", sep, peak_day_names[d]);
        d = e + 1;
    }
    return len;
}

void peak_rule_format(const struct peak_rule *r, char *dst, size_t n)
{
    ASSERT(n >= PEAK_TEXT_BYTES);
    dst[0] = '\0';
    if (r->count == 0 || r->multiplier_permille == 1000)
        return;
    char mult[AMOUNT_TEXT_BYTES];
    amount_format(r->multiplier_permille, 3, mult, sizeof(mult));
    /* "1.500" reads better as "1.5". */
    size_t ml = strlen(mult);
    while (ml > 0 && mult[ml - 1] == '0')
        mult[--ml] = '\0';
    if (ml > 0 && mult[ml - 1] == '.')
        mult[--ml] = '\0';
    size_t len = (size_t)snprintf(dst, n, "%sx", mult);
    for (uint32_t i = 0; i < r->count; i++) {
        const struct peak_window *w = &r->windows[i];
        len += (size_t)snprintf(dst + len, n - len, "%s", i ? ", " : " ");
        len += peak_days_format(w->days_mask, dst + len, n - len);
        len += (size_t)snprintf(dst + len, n - len, " %02u:%02u-%02u:%02u", w->start_minute / 60u,
                                w->start_minute % 60u, w->end_minute / 60u, w->end_minute % 60u);
    }
}

int32_t peak_rule_multiplier(const struct peak_rule *r, unsigned weekday, unsigned minute)
{
    ASSERT(weekday < 7);
    for (uint32_t i = 0; i < r->count; i++) {
        const struct peak_window *w = &r->windows[i];
        if ((w->days_mask & (1u << weekday)) && minute >= w->start_minute && minute < w->end_minute)
            return r->multiplier_permille;
    }
    return 1000;
}
