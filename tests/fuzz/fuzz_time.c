/*
 * Fuzz target: times (src/base/time.c): time_parse_rfc3339, the form of
 * every time field and query parameter, and time zone names (tz_load, the
 * tenant setting).
 *
 * Input: the text; the first line is also tried as a zone name, and the
 * first 8 bytes as an instant.
 *
 * Properties: a time taken lies between 1970-01-01 and 9999-12-31 (UTC),
 * prints with time_format_rfc3339 as text that parses back to the same
 * instant, and equals an independent computation from its fields (days from
 * the civil date by counting, the offset, the fraction's first six digits);
 * any instant in that range prints and parses back; a zone name that loads
 * has no "..", no leading '/', only the allowed characters, and offsets
 * within a day.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#include "fuzz.h"

/* 9999-12-31T23:59:59.999999Z */
#define FUZZ_TIME_MAX_US INT64_C(253402300799999999)

static bool fuzz_time_is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d, counted a year and a month at a time. */
static int64_t fuzz_time_days(int64_t y, int m, int d)
{
    static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t days = 0;
    for (int64_t k = 1970; k < y; k++)
        days += fuzz_time_is_leap(k) ? 366 : 365;
    for (int k = 1; k < m; k++)
        days += month_days[k - 1] + (k == 2 && fuzz_time_is_leap(y));
    return days + d - 1;
}

static int fuzz_time_num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* The instant of text the parser took, computed again from its fields
 * (the parser already vouched for their form). */
static int64_t fuzz_time_reference(const char *s)
{
    int64_t days =
        fuzz_time_days(fuzz_time_num(s, 4), fuzz_time_num(s + 5, 2), fuzz_time_num(s + 8, 2));
    if (s[10] == '\0')
        return days * USEC_PER_DAY;
    int64_t secs = days * 86400 + fuzz_time_num(s + 11, 2) * 3600 + fuzz_time_num(s + 14, 2) * 60 +
                   fuzz_time_num(s + 17, 2);
    const char *p = s + 19;
    int64_t us = 0;
    if (*p == '.') {
        int digits = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, digits++)
            if (digits < 6)
                us = us * 10 + (*p - '0');
        for (; digits < 6; digits++)
            us *= 10;
    }
    if (*p == '+' || *p == '-') {
        int64_t offset = fuzz_time_num(p + 1, 2) * 3600 + fuzz_time_num(p + 4, 2) * 60;
        secs -= *p == '+' ? offset : -offset;
    }
    return secs * USEC_PER_SEC + us;
}

static void fuzz_time_round_trip(int64_t t, const char *what)
{
    char printed[40];
    time_format_rfc3339(t, printed, sizeof(printed));
    int64_t back = 0;
    FUZZ_CHECK(time_parse_rfc3339(printed, &back) && back == t,
               "%s = %lld prints as %s, which reads back as %lld", what, (long long)t, printed,
               (long long)back);
}

static void fuzz_time_zone(const char *name)
{
    struct tz tz;
    if (tz_load(&tz, name) != ERR_OK)
        return;
    FUZZ_CHECK(
        name[0] != '/' && strstr(name, "..") == NULL &&
            strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-+") ==
                strlen(name),
        "zone '%s' loads", name);
    for (int64_t t = 0; t < FUZZ_TIME_MAX_US; t += FUZZ_TIME_MAX_US / 16) {
        int32_t offset = tz_offset_s(&tz, t);
        FUZZ_CHECK(offset > -86400 && offset < 86400, "zone '%s' is %d s off UTC", name, offset);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    struct fuzz_in numbers = in;
    struct fuzz_in lines = in;
    char *text = fuzz_take_rest(&in, NULL);
    int64_t t = 0;
    if (time_parse_rfc3339(text, &t)) {
        FUZZ_CHECK(t >= 0 && t <= FUZZ_TIME_MAX_US, "'%s' is %lld, outside 1970..9999", text,
                   (long long)t);
        FUZZ_CHECK(t == fuzz_time_reference(text), "'%s' read as %lld, the reference says %lld",
                   text, (long long)t, (long long)fuzz_time_reference(text));
        fuzz_time_round_trip(t, text);
    }
    uint64_t raw = fuzz_take_u64(&numbers);
    fuzz_time_round_trip((int64_t)(raw % (uint64_t)(FUZZ_TIME_MAX_US + 1)), "an instant");
    char *zone = fuzz_take_until(&lines, '\n');
    fuzz_time_zone(zone);
    free(zone);
    free(text);
    return 0;
}
