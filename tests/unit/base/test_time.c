/*
 * Unit tests of time (base/time.c): RFC 3339 text and back, civil dates, and
 * time zones read from the system's TZif files.
 *
 * Method: known instants are written out by hand (2026-03-01T10:00:00Z is the
 * tests' usual "now", a Sunday), offsets and fractions are parsed against
 * them, and impossible dates and garbage are refused. Civil dates are round
 * tripped over every day of several thousand years, and random instants
 * (fixed seed, printed) through format and parse. Europe/Berlin gives the
 * winter and summer offsets, the instant of the DST switch, the local weekday
 * and minute that peak windows use, and the local month start that monthly
 * limits use. In every zone of a list chosen for awkward DST rules (switches
 * at midnight, half-hour offsets), each day of 2000-2036 must start at an
 * instant that lies in that local day. Zone names that could leave the
 * zoneinfo directory are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/base.h"

/* 2026-03-01T10:00:00Z, a Sunday. */
#define T0   INT64_C(1772359200000000)
#define HOUR USEC_PER_HOUR
#define DAY  USEC_PER_DAY

static int64_t utc_us(int64_t y, unsigned m, unsigned d, int hh, int mm)
{
    return time_days_from_civil(y, m, d) * DAY + hh * HOUR + mm * USEC_PER_MIN;
}

static void time_assert_parses(const char *text, int64_t want_us)
{
    int64_t got = -1;
    if (!time_parse_rfc3339(text, &got) || got != want_us)
        fail_msg("time_parse_rfc3339(\"%s\") = %lld; want %lld", text, (long long)got,
                 (long long)want_us);
}

static void time_assert_refused(const char *text)
{
    int64_t got = -1;
    if (time_parse_rfc3339(text, &got) || got != -1)
        fail_msg("time_parse_rfc3339(\"%s\") accepted (%lld)", text, (long long)got);
}

static void time_assert_formats(int64_t t_us, const char *want)
{
    char text[32];
    time_format_rfc3339(t_us, text, sizeof(text));
    if (strcmp(text, want) != 0)
        fail_msg("time_format_rfc3339(%lld) = \"%s\"; want \"%s\"", (long long)t_us, text, want);
}

static void rfc3339_parses_utc_instants(void **state)
{
    (void)state;
    time_assert_parses("2026-03-01T10:00:00Z", T0);
    time_assert_parses("2026-03-01t10:00:00z", T0);
    time_assert_parses("2026-03-01 10:00:00Z", T0);
    time_assert_parses("1970-01-01T00:00:00Z", 0);
    time_assert_parses("2024-02-29T23:59:59Z", utc_us(2024, 2, 29, 23, 59) + 59 * USEC_PER_SEC);
    time_assert_parses("9999-12-31T23:59:59Z", utc_us(9999, 12, 31, 23, 59) + 59 * USEC_PER_SEC);
}

static void rfc3339_parses_offsets_from_utc(void **state)
{
    (void)state;
    time_assert_parses("2026-03-01T11:00:00+01:00", T0);
    time_assert_parses("2026-03-01T12:00:00+02:00", T0);
    time_assert_parses("2026-03-01T05:30:00-04:30", T0);
    time_assert_parses("2026-03-01T10:00:00+00:00", T0);
    time_assert_parses("2026-03-01T10:00:00-00:00", T0);
    time_assert_parses("2026-03-02T09:59:00+23:59", T0);
    /* An offset may carry the instant into the day before. */
    time_assert_parses("2026-03-01T00:30:00+01:00", T0 - 10 * HOUR - 30 * USEC_PER_MIN);
}

static void rfc3339_parses_fractions_of_a_second(void **state)
{
    (void)state;
    time_assert_parses("2026-03-01T10:00:00.5Z", T0 + 500000);
    time_assert_parses("2026-03-01T10:00:00.000001Z", T0 + 1);
    time_assert_parses("2026-03-01T10:00:00.123456Z", T0 + 123456);
    time_assert_parses("2026-03-01T11:00:00.250+01:00", T0 + 250000);
    /* Microseconds are kept; finer digits (up to nanoseconds) are dropped. */
    time_assert_parses("2026-03-01T10:00:00.1234567Z", T0 + 123456);
    time_assert_parses("2026-03-01T10:00:00.123456789Z", T0 + 123456);
    time_assert_refused("2026-03-01T10:00:00.1234567891Z");
    time_assert_refused("2026-03-01T10:00:00.Z");
}

static void rfc3339_parses_a_plain_date_as_midnight_utc(void **state)
{
    (void)state;
    time_assert_parses("2026-03-01", T0 - 10 * HOUR);
    time_assert_parses("1970-01-01", 0);
    time_assert_parses("2024-02-29", utc_us(2024, 2, 29, 0, 0));
    time_assert_parses("2000-02-29", utc_us(2000, 2, 29, 0, 0));
}

static void rfc3339_refuses_impossible_dates_and_times(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "2026-02-29",
        "2100-02-29",
        "2026-13-01",
        "2026-00-10",
        "2026-01-00",
        "2026-01-32",
        "2026-04-31",
        "2026-06-31",
        "2026-02-30T10:00:00Z",
        "2026-03-01T24:00:00Z",
        "2026-03-01T10:60:00Z",
        "2026-03-01T10:00:60Z",
        "2026-03-01T10:00:00+24:00",
        "2026-03-01T10:00:00+01:60",
        "1969-12-31",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        time_assert_refused(bad[i]);
}

/* Found by the time fuzz target: the date was checked, but an offset carried
 * the instant before 1970 or past 9999, which prints as text that does not
 * parse back (a year 1969 or 10000). */
static void rfc3339_refuses_offsets_that_leave_1970_to_9999(void **state)
{
    (void)state;
    time_assert_refused("1970-01-01T00:00:00+01:00");
    time_assert_refused("1970-01-01T00:59:59.999999+01:00");
    time_assert_refused("9999-12-31T23:59:59-01:00");
    time_assert_refused("9999-12-31T23:59:00-00:01");
    time_assert_parses("1970-01-01T01:00:00+01:00", 0);
    time_assert_parses("1970-01-01T00:00:00-01:00", HOUR);
    time_assert_parses("9999-12-31T23:59:59.999999Z",
                       utc_us(9999, 12, 31, 23, 59) + 59 * USEC_PER_SEC + 999999);
    time_assert_parses("9999-12-31T23:59:59+01:00",
                       utc_us(9999, 12, 31, 22, 59) + 59 * USEC_PER_SEC);
}

static void rfc3339_refuses_garbage(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "garbage",
        "2026",
        "2026-03",
        "2026-3-1",
        "26-03-01",
        "2026/03/01",
        "2026-03-01T",
        "2026-03-01T10:00",
        "2026-03-01T10:00Z",
        "2026-03-01T10:00:00",
        "2026-03-01T10:00:00+01",
        "2026-03-01T10:00:00+0100",
        "2026-03-01T10:00:00 Z",
        "2026-03-01T10:00:00Zjunk",
        "2026-03-01T10:00:00+01:00x",
        "2026-03-01x",
        "2026-03-01X10:00:00Z",
        " 2026-03-01",
        "+2026-03-01",
        "2026-03-01T1a:00:00Z",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        time_assert_refused(bad[i]);
}

static void rfc3339_formats_a_fraction_only_when_there_is_one(void **state)
{
    (void)state;
    time_assert_formats(T0, "2026-03-01T10:00:00Z");
    time_assert_formats(0, "1970-01-01T00:00:00Z");
    time_assert_formats(T0 + 1, "2026-03-01T10:00:00.000001Z");
    time_assert_formats(T0 + 500000, "2026-03-01T10:00:00.500000Z");
    time_assert_formats(T0 - 1, "2026-03-01T09:59:59.999999Z");
    time_assert_formats(-1, "1969-12-31T23:59:59.999999Z");
    time_assert_formats(utc_us(2024, 2, 29, 23, 59), "2024-02-29T23:59:00Z");
}

static uint64_t time_rng_state;

static uint64_t time_rng_next(void)
{
    uint64_t z = (time_rng_state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static void rfc3339_round_trips_random_instants(void **state)
{
    (void)state;
    const uint64_t seed = UINT64_C(1772359200);
    time_rng_state = seed;
    print_message("rfc3339 round trips: seed %llu\n", (unsigned long long)seed);
    const int64_t end = utc_us(10000, 1, 1, 0, 0);
    for (int i = 0; i < 200000; i++) {
        int64_t t = (int64_t)(time_rng_next() % (uint64_t)end);
        if (i % 2)
            t -= t % USEC_PER_SEC;
        char text[32];
        time_format_rfc3339(t, text, sizeof(text));
        int64_t back = -1;
        if (!time_parse_rfc3339(text, &back) || back != t)
            fail_msg("seed %llu case %d: %lld -> \"%s\" -> %lld", (unsigned long long)seed, i,
                     (long long)t, text, (long long)back);
    }
}

static void civil_dates_match_known_days(void **state)
{
    (void)state;
    assert_int_equal(time_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(time_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(time_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(time_days_from_civil(2026, 3, 1), 20513);
    assert_int_equal(time_days_from_civil(2026, 3, 1) * DAY + 10 * HOUR, T0);
}

static void civil_dates_round_trip_over_a_range_of_days(void **state)
{
    (void)state;
    /* From the year 0 to about 7000, each day once, checking the calendar too. */
    int64_t y_prev = 0;
    unsigned m_prev = 0, d_prev = 0;
    for (int64_t days = -719528; days < 1800000; days++) {
        int64_t y;
        unsigned m, d;
        time_civil_from_days(days, &y, &m, &d);
        if (time_days_from_civil(y, m, d) != days || m < 1 || m > 12 || d < 1 || d > 31)
            fail_msg("day %lld -> %lld-%u-%u", (long long)days, (long long)y, m, d);
        if (days > -719528) {
            bool next_day = y == y_prev && m == m_prev && d == d_prev + 1;
            bool next_month = y == y_prev && m == m_prev + 1 && d == 1;
            bool next_year = y == y_prev + 1 && m == 1 && d == 1 && m_prev == 12 && d_prev == 31;
            if (!next_day && !next_month && !next_year)
                fail_msg("day %lld: %lld-%u-%u follows %lld-%u-%u", (long long)days, (long long)y,
                         m, d, (long long)y_prev, m_prev, d_prev);
        }
        y_prev = y;
        m_prev = m;
        d_prev = d;
    }
}

static void berlin_is_one_hour_ahead_in_winter_and_two_in_summer(void **state)
{
    (void)state;
    struct tz berlin;
    assert_int_equal(tz_load(&berlin, "Europe/Berlin"), ERR_OK);
    assert_string_equal(berlin.name, "Europe/Berlin");
    assert_int_equal(tz_offset_s(&berlin, T0), 3600);
    assert_int_equal(tz_offset_s(&berlin, utc_us(2026, 1, 15, 12, 0)), 3600);
    assert_int_equal(tz_offset_s(&berlin, utc_us(2026, 7, 15, 12, 0)), 7200);
    assert_int_equal(tz_offset_s(&berlin, utc_us(2026, 12, 24, 12, 0)), 3600);
    /* Summer time starts 2026-03-29 at 01:00 UTC and ends 2026-10-25 at 01:00 UTC. */
    const int64_t spring = utc_us(2026, 3, 29, 1, 0), autumn = utc_us(2026, 10, 25, 1, 0);
    assert_int_equal(tz_offset_s(&berlin, spring - 1), 3600);
    assert_int_equal(tz_offset_s(&berlin, spring), 7200);
    assert_int_equal(tz_offset_s(&berlin, autumn - 1), 7200);
    assert_int_equal(tz_offset_s(&berlin, autumn), 3600);
}

static void utc_zone_has_no_offset(void **state)
{
    (void)state;
    struct tz utc;
    assert_int_equal(tz_load(&utc, "UTC"), ERR_OK);
    assert_int_equal(tz_offset_s(&utc, T0), 0);
    assert_int_equal(tz_offset_s(&utc, utc_us(2026, 7, 15, 12, 0)), 0);
    assert_int_equal(tz_offset_s(&utc, -1), 0);
    struct tz etc;
    assert_int_equal(tz_load(&etc, "Etc/UTC"), ERR_OK);
    assert_int_equal(tz_offset_s(&etc, T0), 0);
}

static void local_time_gives_the_weekday_and_minute_of_day(void **state)
{
    (void)state;
    struct tz berlin, utc;
    assert_int_equal(tz_load(&berlin, "Europe/Berlin"), ERR_OK);
    assert_int_equal(tz_load(&utc, "UTC"), ERR_OK);
    struct local_time lt;
    tz_local_time(&berlin, T0, &lt);
    assert_int_equal(lt.year, 2026);
    assert_int_equal(lt.month, 3);
    assert_int_equal(lt.day, 1);
    assert_int_equal(lt.weekday, 6); /* Sunday, with Monday = 0 */
    assert_int_equal(lt.minute_of_day, 11 * 60);
    assert_int_equal(lt.day_start_us, utc_us(2026, 2, 28, 23, 0));
    tz_local_time(&utc, T0, &lt);
    assert_int_equal(lt.weekday, 6);
    assert_int_equal(lt.minute_of_day, 10 * 60);
    assert_int_equal(lt.day_start_us, utc_us(2026, 3, 1, 0, 0));
    tz_local_time(&berlin, utc_us(2026, 3, 2, 6, 30), &lt);
    assert_int_equal(lt.weekday, 0); /* Monday 07:30 in Berlin */
    assert_int_equal(lt.minute_of_day, 7 * 60 + 30);
    tz_local_time(&berlin, utc_us(2026, 7, 15, 6, 0), &lt);
    assert_int_equal(lt.weekday, 2); /* Wednesday 08:00 in summer time */
    assert_int_equal(lt.minute_of_day, 8 * 60);
}

static void local_time_crosses_midnight_with_the_offset(void **state)
{
    (void)state;
    struct tz berlin, utc;
    assert_int_equal(tz_load(&berlin, "Europe/Berlin"), ERR_OK);
    assert_int_equal(tz_load(&utc, "UTC"), ERR_OK);
    /* 23:30 UTC on Saturday is already 00:30 on Sunday in Berlin. */
    const int64_t t = utc_us(2026, 2, 28, 23, 30);
    struct local_time lt;
    tz_local_time(&berlin, t, &lt);
    assert_int_equal(lt.month, 3);
    assert_int_equal(lt.day, 1);
    assert_int_equal(lt.weekday, 6);
    assert_int_equal(lt.minute_of_day, 30);
    tz_local_time(&utc, t, &lt);
    assert_int_equal(lt.month, 2);
    assert_int_equal(lt.day, 28);
    assert_int_equal(lt.weekday, 5);
    assert_int_equal(lt.minute_of_day, 23 * 60 + 30);
    /* Before 1970 the weekday still holds: 1969-12-31 was a Wednesday. */
    tz_local_time(&utc, -1, &lt);
    assert_int_equal(lt.weekday, 2);
    assert_int_equal(lt.minute_of_day, 24 * 60 - 1);
}

static void month_start_is_local_midnight_of_the_first(void **state)
{
    (void)state;
    struct tz berlin, utc;
    assert_int_equal(tz_load(&berlin, "Europe/Berlin"), ERR_OK);
    assert_int_equal(tz_load(&utc, "UTC"), ERR_OK);
    /* Winter: local midnight of 1 March is 23:00Z on 28 February. */
    assert_int_equal(tz_month_start_us(&berlin, T0), utc_us(2026, 2, 28, 23, 0));
    assert_int_equal(tz_month_start_us(&berlin, utc_us(2026, 2, 28, 23, 0)),
                     utc_us(2026, 2, 28, 23, 0));
    /* One microsecond earlier it is still February in Berlin. */
    assert_int_equal(tz_month_start_us(&berlin, utc_us(2026, 2, 28, 23, 0) - 1),
                     utc_us(2026, 1, 31, 23, 0));
    /* Summer: midnight of 1 July is 22:00Z on 30 June. */
    assert_int_equal(tz_month_start_us(&berlin, utc_us(2026, 7, 15, 12, 0)),
                     utc_us(2026, 6, 30, 22, 0));
    /* April starts in summer time although March started in winter time. */
    assert_int_equal(tz_month_start_us(&berlin, utc_us(2026, 3, 31, 22, 30)),
                     utc_us(2026, 3, 31, 22, 0));
    assert_int_equal(tz_month_start_us(&utc, T0), utc_us(2026, 3, 1, 0, 0));
    assert_int_equal(tz_midnight_us(&berlin, 2026, 3, 29), utc_us(2026, 3, 28, 23, 0));
    assert_int_equal(tz_midnight_us(&berlin, 2026, 3, 30), utc_us(2026, 3, 29, 22, 0));
}

static void day_start_is_the_first_instant_of_the_day_when_midnight_is_skipped(void **state)
{
    (void)state;
    /* In the Azores summer time starts at local midnight: on 2026-03-29 the clock
     * jumps from 00:00 (-01:00) to 01:00 (+00:00) at 01:00Z. That day begins at
     * 01:00Z; 00:00Z is still 23:00 on 28 March. */
    struct tz azores;
    assert_int_equal(tz_load(&azores, "Atlantic/Azores"), ERR_OK);
    assert_int_equal(tz_offset_s(&azores, utc_us(2026, 3, 29, 1, 0) - 1), -3600);
    assert_int_equal(tz_offset_s(&azores, utc_us(2026, 3, 29, 1, 0)), 0);
    struct local_time lt;
    tz_local_time(&azores, utc_us(2026, 3, 29, 12, 0), &lt);
    assert_int_equal(lt.day, 29);
    assert_int_equal(lt.day_start_us, utc_us(2026, 3, 29, 1, 0));
    assert_int_equal(tz_midnight_us(&azores, 2026, 3, 29), utc_us(2026, 3, 29, 1, 0));
    /* Paraguay started summer time at midnight on 1 October 2023: October began at
     * 04:00Z, and 03:00Z is an hour of September. */
    struct tz asuncion;
    assert_int_equal(tz_load(&asuncion, "America/Asuncion"), ERR_OK);
    assert_int_equal(tz_month_start_us(&asuncion, utc_us(2023, 10, 15, 12, 0)),
                     utc_us(2023, 10, 1, 4, 0));
}

static void day_start_lies_in_its_own_local_day_in_every_zone(void **state)
{
    (void)state;
    /* Zones with midnight DST switches forward and back, half-hour and 45-minute
     * offsets, on both sides of UTC. */
    static const char *const zones[] = {
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "America/Santiago",
        "America/Havana",
        "America/Asuncion",
        "America/Sao_Paulo",
        "Atlantic/Azores",
        "Asia/Beirut",
        "Asia/Kolkata",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
    };
    const int64_t first = time_days_from_civil(2000, 1, 1), last = time_days_from_civil(2037, 1, 1);
    for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
        struct tz tz;
        assert_int_equal(tz_load(&tz, zones[z]), ERR_OK);
        for (int64_t days = first; days < last; days++) {
            int64_t y, py;
            unsigned m, d, pm, pd;
            time_civil_from_days(days, &y, &m, &d);
            time_civil_from_days(days - 1, &py, &pm, &pd);
            int64_t start = tz_midnight_us(&tz, y, m, d);
            struct local_time at, before;
            tz_local_time(&tz, start, &at);
            tz_local_time(&tz, start - 1, &before);
            bool in_day = at.year == y && at.month == m && at.day == d;
            bool first_instant = before.year == py && before.month == pm && before.day == pd;
            if (!in_day || !first_instant) {
                char text[32];
                time_format_rfc3339(start, text, sizeof(text));
                fail_msg("%s: day %lld-%02u-%02u starts at %s, local %lld-%02u-%02u %02u:%02u",
                         zones[z], (long long)y, m, d, text, (long long)at.year, at.month, at.day,
                         at.minute_of_day / 60, at.minute_of_day % 60);
            }
        }
    }
}

static void tz_load_refuses_an_unknown_zone(void **state)
{
    (void)state;
    struct tz tz;
    assert_int_equal(tz_load(&tz, "Nope/Zone"), ERR_NOT_FOUND);
    assert_int_equal(tz_load(&tz, "Europe/Nowhere"), ERR_NOT_FOUND);
    /* A directory of the zoneinfo tree is not a zone. */
    assert_int_equal(tz_load(&tz, "Europe"), ERR_NOT_FOUND);
}

static void tz_load_refuses_names_that_could_leave_the_zoneinfo_directory(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "../etc/passwd",
        "/etc/passwd",
        "Europe/../../etc/passwd",
        "..",
        "Europe/..",
        "",
        "Europe/Berlin\n",
        "Europe/Berlin;rm",
        "Europe/Ber lin",
        "Europe\\Berlin",
        "~root",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tz tz;
        enum err rc = tz_load(&tz, bad[i]);
        if (rc != ERR_VALIDATION)
            fail_msg("tz_load(\"%s\") = %s; want validation_failed", bad[i], err_code(rc));
    }
    char too_long[80];
    memset(too_long, 'A', sizeof(too_long) - 1);
    too_long[sizeof(too_long) - 1] = '\0';
    struct tz tz;
    assert_int_equal(tz_load(&tz, too_long), ERR_VALIDATION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc3339_parses_utc_instants),
        cmocka_unit_test(rfc3339_parses_offsets_from_utc),
        cmocka_unit_test(rfc3339_parses_fractions_of_a_second),
        cmocka_unit_test(rfc3339_parses_a_plain_date_as_midnight_utc),
        cmocka_unit_test(rfc3339_refuses_impossible_dates_and_times),
        cmocka_unit_test(rfc3339_refuses_offsets_that_leave_1970_to_9999),
        cmocka_unit_test(rfc3339_refuses_garbage),
        cmocka_unit_test(rfc3339_formats_a_fraction_only_when_there_is_one),
        cmocka_unit_test(rfc3339_round_trips_random_instants),
        cmocka_unit_test(civil_dates_match_known_days),
        cmocka_unit_test(civil_dates_round_trip_over_a_range_of_days),
        cmocka_unit_test(berlin_is_one_hour_ahead_in_winter_and_two_in_summer),
        cmocka_unit_test(utc_zone_has_no_offset),
        cmocka_unit_test(local_time_gives_the_weekday_and_minute_of_day),
        cmocka_unit_test(local_time_crosses_midnight_with_the_offset),
        cmocka_unit_test(month_start_is_local_midnight_of_the_first),
        cmocka_unit_test(day_start_is_the_first_instant_of_the_day_when_midnight_is_skipped),
        cmocka_unit_test(day_start_lies_in_its_own_local_day_in_every_zone),
        cmocka_unit_test(tz_load_refuses_an_unknown_zone),
        cmocka_unit_test(tz_load_refuses_names_that_could_leave_the_zoneinfo_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
