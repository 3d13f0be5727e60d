/*
 * Instants as microseconds since the epoch, their RFC 3339 form, civil date
 * arithmetic (Howard Hinnant's algorithms) and time zones read from TZif files.
 * Only tz_load and time_now_us touch the system; every other function is pure.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/base.h"

int64_t time_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

int64_t time_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void time_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void time_format_rfc3339(int64_t t_us, char *dst, size_t n)
{
    ASSERT(n >= 32);
    int64_t days = floor_div(t_us, USEC_PER_DAY);
    int64_t rem = t_us - days * USEC_PER_DAY;
    int64_t y;
    unsigned m, d;
    time_civil_from_days(days, &y, &m, &d);
    int64_t secs = rem / USEC_PER_SEC;
    int64_t frac = rem % USEC_PER_SEC;
    int hh = (int)(secs / 3600), mm = (int)(secs / 60 % 60), ss = (int)(secs % 60);
    if (frac == 0)
        snprintf(dst, n, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d, hh, mm, ss);
    else
        snprintf(dst, n, "%04lld-%02u-%02uT%02d:%02d:%02d.%06lldZ", (long long)y, m, d, hh, mm, ss,
                 (long long)frac);
}

/* 9999-12-31T23:59:59Z: the last second with a four-digit year. */
#define TIME_RFC3339_MAX_S INT64_C(253402300799)

static bool time_parse_digits(const char **p, int count, int *out)
{
    int v = 0;
    for (int i = 0; i < count; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += count;
    *out = v;
    return true;
}

static unsigned time_month_days(int64_t y, unsigned m)
{
    static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

bool time_parse_rfc3339(const char *s, int64_t *out_us)
{
    int y, mo, d, hh = 0, mi = 0, ss = 0;
    int64_t frac_us = 0, offset_s = 0;
    const char *p = s;
    if (!time_parse_digits(&p, 4, &y) || *p++ != '-' || !time_parse_digits(&p, 2, &mo) ||
        *p++ != '-' || !time_parse_digits(&p, 2, &d))
        return false;
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
        (unsigned)d > time_month_days(y, (unsigned)mo))
        return false;
    if (*p != '\0') {
        if (*p != 'T' && *p != 't' && *p != ' ')
            return false;
        p++;
        if (!time_parse_digits(&p, 2, &hh) || *p++ != ':' || !time_parse_digits(&p, 2, &mi) ||
            *p++ != ':' || !time_parse_digits(&p, 2, &ss))
            return false;
        if (hh > 23 || mi > 59 || ss > 59)
            return false;
        if (*p == '.') {
            p++;
            int digits = 0;
            int64_t scale = 100000;
            while (*p >= '0' && *p <= '9') {
                if (digits < 6)
                    frac_us += (*p - '0') * scale;
                scale /= 10;
                digits++;
                p++;
            }
            if (digits == 0 || digits > 9)
                return false;
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p == '-' ? -1 : 1, oh, om;
            p++;
            if (!time_parse_digits(&p, 2, &oh) || *p++ != ':' || !time_parse_digits(&p, 2, &om))
                return false;
            if (oh > 23 || om > 59)
                return false;
            offset_s = sign * (oh * 3600 + om * 60);
        } else {
            return false;
        }
        if (*p != '\0')
            return false;
    }
    int64_t days = time_days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t secs = days * 86400 + hh * 3600 + mi * 60 + ss - offset_s;
    /* The local date is within 1970..9999, but an offset can carry the
     * instant out of it ("1970-01-01T00:00:00+01:00"), to a time that
     * time_format_rfc3339 prints as text this function refuses. */
    if (secs < 0 || secs > TIME_RFC3339_MAX_S)
        return false;
    *out_us = secs * USEC_PER_SEC + frac_us;
    return true;
}

/* ---- time zones -------------------------------------------------------- */

static int64_t tz_be(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = (v << 8) | p[i];
    if (bytes == 4)
        return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

static bool tz_name_is_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= 64 || name[0] == '/' || strstr(name, "..") != NULL)
        return false;
    for (const char *p = name; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '/' || c == '_' || c == '-' || c == '+';
        if (!ok)
            return false;
    }
    return true;
}

/* Parses the 64-bit (version 2+) body of a TZif file. */
static enum err tz_parse(struct tz *tz, const unsigned char *data, size_t len)
{
    if (len < 44 || memcmp(data, "TZif", 4) != 0)
        return ERR_VALIDATION;
    int64_t counts[6];
    for (int i = 0; i < 6; i++)
        counts[i] = tz_be(data + 20 + 4 * i, 4);
    /* counts: isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
    size_t v1 =
        (size_t)(counts[3] * 5 + counts[4] * 6 + counts[5] + counts[2] * 8 + counts[1] + counts[0]);
    const unsigned char *h = data + 44 + v1;
    if (data[4] < '2' || (size_t)(h - data) + 44 > len || memcmp(h, "TZif", 4) != 0)
        return ERR_VALIDATION;
    for (int i = 0; i < 6; i++)
        counts[i] = tz_be(h + 20 + 4 * i, 4);
    int64_t timecnt = counts[3], typecnt = counts[4];
    const unsigned char *times = h + 44;
    const unsigned char *idx = times + timecnt * 8;
    const unsigned char *types = idx + timecnt;
    if (typecnt < 1 || timecnt < 0 || (size_t)(types + typecnt * 6 - data) > len)
        return ERR_VALIDATION;
    if (timecnt > TZ_TRANSITIONS_MAX)
        return ERR_TOO_LARGE;
    tz->count = (int32_t)timecnt;
    tz->initial_offset_s = (int32_t)tz_be(types, 4);
    for (int64_t i = 0; i < timecnt; i++) {
        unsigned t = idx[i];
        if (t >= typecnt)
            return ERR_VALIDATION;
        tz->transition_s[i] = tz_be(times + i * 8, 8);
        tz->offset_s[i] = (int32_t)tz_be(types + t * 6, 4);
    }
    return ERR_OK;
}

enum err tz_load(struct tz *tz, const char *name)
{
    memset(tz, 0, sizeof(*tz));
    if (!tz_name_is_valid(name))
        return ERR_VALIDATION;
    str_copy(tz->name, sizeof(tz->name), name);
    if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0)
        return ERR_OK;
    char path[160];
    if (!str_format(path, sizeof(path), "/usr/share/zoneinfo/%s", name))
        return ERR_VALIDATION;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return ERR_NOT_FOUND;
    static _Thread_local unsigned char data[128 * 1024];
    size_t len = fread(data, 1, sizeof(data), f);
    fclose(f);
    enum err rc = tz_parse(tz, data, len);
    return rc == ERR_OK ? ERR_OK : ERR_NOT_FOUND;
}

int32_t tz_offset_s(const struct tz *tz, int64_t t_us)
{
    int64_t t = floor_div(t_us, USEC_PER_SEC);
    if (tz->count == 0 || t < tz->transition_s[0])
        return tz->initial_offset_s;
    int32_t lo = 0, hi = tz->count - 1;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo + 1) / 2;
        if (tz->transition_s[mid] <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    return tz->offset_s[lo];
}

void tz_local_time(const struct tz *tz, int64_t t_us, struct local_time *out)
{
    int64_t local_us = t_us + (int64_t)tz_offset_s(tz, t_us) * USEC_PER_SEC;
    int64_t days = floor_div(local_us, USEC_PER_DAY);
    time_civil_from_days(days, &out->year, &out->month, &out->day);
    /* 1970-01-01 was a Thursday (3 with Monday = 0). */
    out->weekday = (unsigned)((days % 7 + 7 + 3) % 7);
    out->minute_of_day = (unsigned)((local_us - days * USEC_PER_DAY) / USEC_PER_MIN);
    out->day_start_us = tz_midnight_us(tz, out->year, out->month, out->day);
}

int64_t tz_midnight_us(const struct tz *tz, int64_t y, unsigned m, unsigned d)
{
    /* The first instant whose local date is y-m-d: local midnight under one of
     * the offsets in force around it, or, where midnight is skipped by a
     * transition, the transition itself (local midnight under the old offset
     * lands on it). The earliest candidate that falls in the day wins. */
    int64_t days = time_days_from_civil(y, m, d);
    int64_t local = days * USEC_PER_DAY;
    int64_t best = INT64_MAX;
    for (int k = -1; k <= 1; k++) {
        int64_t c = local - (int64_t)tz_offset_s(tz, local + k * USEC_PER_DAY) * USEC_PER_SEC;
        int64_t c_local = c + (int64_t)tz_offset_s(tz, c) * USEC_PER_SEC;
        if (floor_div(c_local, USEC_PER_DAY) == days && c < best)
            best = c;
    }
    return best != INT64_MAX ? best : local - (int64_t)tz_offset_s(tz, local) * USEC_PER_SEC;
}

int64_t tz_month_start_us(const struct tz *tz, int64_t t_us)
{
    struct local_time lt;
    tz_local_time(tz, t_us, &lt);
    return tz_midnight_us(tz, lt.year, lt.month, 1);
}
