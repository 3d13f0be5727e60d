/*
 * Unit tests of peak pricing rules (core/peak.c): the text form a business
 * writes ("1.5x Mon-Fri 07:00-09:00, Mon-Fri 17:00-20:00"), its canonical
 * form, and the multiplier in force at a local weekday and minute.
 *
 * Method: DESIGN §2 rule 3. Known rules are parsed field by field, formatted
 * back to canonical text, and that text parsed again to the same rule. Every
 * malformed rule is refused with validation_failed naming the field "peak".
 * Windows are checked at their edges: the start minute is inside, the end
 * minute is outside, and days outside the mask never pay the multiplier.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/core.h"

enum { MON, TUE, WED, THU, FRI, SAT, SUN };

static struct peak_rule peak_parse_ok(const char *text)
{
    struct peak_rule r;
    struct err_detail d = {0};
    enum err rc = peak_rule_parse(text, &r, &d);
    if (rc != ERR_OK)
        fail_msg("peak_rule_parse(\"%s\") = %s (%s: %s)", text, err_code(rc), d.field, d.message);
    return r;
}

static void peak_assert_same_rule(const struct peak_rule *a, const struct peak_rule *b)
{
    assert_int_equal(a->multiplier_permille, b->multiplier_permille);
    assert_int_equal(a->count, b->count);
    for (uint32_t i = 0; i < a->count; i++) {
        assert_int_equal(a->windows[i].days_mask, b->windows[i].days_mask);
        assert_int_equal(a->windows[i].start_minute, b->windows[i].start_minute);
        assert_int_equal(a->windows[i].end_minute, b->windows[i].end_minute);
    }
}

/* text parses, formats as canonical, and canonical parses to the same rule. */
static void peak_assert_round_trip(const char *text, const char *canonical)
{
    struct peak_rule r = peak_parse_ok(text);
    char out[PEAK_TEXT_BYTES];
    peak_rule_format(&r, out, sizeof(out));
    if (strcmp(out, canonical) != 0)
        fail_msg("peak_rule_format(parse(\"%s\")) = \"%s\"; want \"%s\"", text, out, canonical);
    struct peak_rule again = peak_parse_ok(out);
    peak_assert_same_rule(&again, &r);
}

static void peak_assert_refused(const char *text)
{
    struct peak_rule r;
    struct err_detail d = {0};
    enum err rc = peak_rule_parse(text, &r, &d);
    if (rc != ERR_VALIDATION || strcmp(d.field, "peak") != 0 || d.message[0] == '\0')
        fail_msg("peak_rule_parse(\"%s\") = %s, field \"%s\"; want validation_failed on \"peak\"",
                 text, err_code(rc), d.field);
}

static void peak_rule_parses_weekday_mornings_and_evenings(void **state)
{
    (void)state;
    struct peak_rule r = peak_parse_ok("1.5x Mon-Fri 07:00-09:00, Mon-Fri 17:00-20:00");
    assert_int_equal(r.multiplier_permille, 1500);
    assert_int_equal(r.count, 2);
    assert_int_equal(r.windows[0].days_mask, PEAK_WEEKDAYS);
    assert_int_equal(r.windows[0].start_minute, 7 * 60);
    assert_int_equal(r.windows[0].end_minute, 9 * 60);
    assert_int_equal(r.windows[1].days_mask, PEAK_WEEKDAYS);
    assert_int_equal(r.windows[1].start_minute, 17 * 60);
    assert_int_equal(r.windows[1].end_minute, 20 * 60);
}

static void peak_rule_parses_day_lists_and_whole_days(void **state)
{
    (void)state;
    struct peak_rule daily = peak_parse_ok("2x Daily 00:00-24:00");
    assert_int_equal(daily.multiplier_permille, 2000);
    assert_int_equal(daily.count, 1);
    assert_int_equal(daily.windows[0].days_mask, PEAK_ALL_DAYS);
    assert_int_equal(daily.windows[0].start_minute, 0);
    assert_int_equal(daily.windows[0].end_minute, 24 * 60);
    struct peak_rule weekend = peak_parse_ok("1.25x Sat+Sun 10:00-12:00");
    assert_int_equal(weekend.multiplier_permille, 1250);
    assert_int_equal(weekend.windows[0].days_mask, (1 << SAT) | (1 << SUN));
    struct peak_rule split = peak_parse_ok("1.5x Mon-Wed+Fri 07:00-09:00");
    assert_int_equal(split.windows[0].days_mask, (1 << MON) | (1 << TUE) | (1 << WED) | (1 << FRI));
}

static void peak_rule_formats_back_to_canonical_text(void **state)
{
    (void)state;
    peak_assert_round_trip("1.5x Mon-Fri 07:00-09:00, Mon-Fri 17:00-20:00",
                           "1.5x Mon-Fri 07:00-09:00, Mon-Fri 17:00-20:00");
    peak_assert_round_trip("2x Daily 00:00-24:00", "2x Daily 00:00-24:00");
    /* Adjacent days are written as a range: "Sat+Sun" reads back as "Sat-Sun". */
    peak_assert_round_trip("1.25x Sat+Sun 10:00-12:00", "1.25x Sat-Sun 10:00-12:00");
    peak_assert_round_trip("1.25x Sat-Sun 10:00-12:00", "1.25x Sat-Sun 10:00-12:00");
    peak_assert_round_trip("1.5x Mon-Wed+Fri 07:00-09:00", "1.5x Mon-Wed+Fri 07:00-09:00");
    peak_assert_round_trip("1.5x Mon+Wed+Fri+Sun 06:30-07:45", "1.5x Mon+Wed+Fri+Sun 06:30-07:45");
    peak_assert_round_trip("1.5x Mon-Sun 07:00-09:00", "1.5x Daily 07:00-09:00");
    peak_assert_round_trip("1.500x Tue 23:59-24:00", "1.5x Tue 23:59-24:00");
    peak_assert_round_trip("10x Sun 00:00-00:01", "10x Sun 00:00-00:01");
    peak_assert_round_trip("1.001x Thu 12:00-13:00", "1.001x Thu 12:00-13:00");
}

static void peak_rule_format_keeps_every_window_of_the_longest_rule(void **state)
{
    (void)state;
    /* PEAK_TEXT_BYTES holds any rule: dropping a window silently would lose a
     * peak price. The longest text: a 4-decimal multiplier and eight windows
     * with the longest day lists. */
    const char *text = "9.999x Mon+Wed+Fri+Sun 00:00-24:00, Mon+Wed+Fri+Sun 00:00-24:00, "
                       "Mon+Wed+Fri+Sun 00:00-24:00, Mon+Wed+Fri+Sun 00:00-24:00, "
                       "Mon+Wed+Fri+Sun 00:00-24:00, Mon+Wed+Fri+Sun 00:00-24:00, "
                       "Mon+Wed+Fri+Sun 00:00-24:00, Mon+Wed+Fri+Sun 00:00-24:00";
    struct peak_rule r = peak_parse_ok(text);
    assert_int_equal(r.count, PEAK_WINDOWS_MAX);
    char out[PEAK_TEXT_BYTES];
    peak_rule_format(&r, out, sizeof(out));
    assert_string_equal(out, text);
    const char *design = "1.5x Mon-Fri 07:00-09:00, Mon-Fri 17:00-20:00";
    r = peak_parse_ok(design);
    peak_rule_format(&r, out, sizeof(out));
    assert_string_equal(out, design);
}

static void peak_rule_of_the_empty_string_is_no_rule(void **state)
{
    (void)state;
    struct peak_rule r = peak_parse_ok("");
    assert_int_equal(r.multiplier_permille, 1000);
    assert_int_equal(r.count, 0);
    char out[PEAK_TEXT_BYTES];
    peak_rule_format(&r, out, sizeof(out));
    assert_string_equal(out, "");
    for (unsigned day = MON; day <= SUN; day++)
        for (unsigned minute = 0; minute < 24 * 60; minute += 7)
            assert_int_equal(peak_rule_multiplier(&r, day, minute), 1000);
    struct peak_rule none = peak_parse_ok(NULL);
    assert_int_equal(none.multiplier_permille, 1000);
    assert_int_equal(none.count, 0);
}

static void peak_rule_refuses_multipliers_not_above_one_or_above_ten(void **state)
{
    (void)state;
    peak_assert_refused("1x Mon 07:00-09:00");
    peak_assert_refused("1.0x Mon 07:00-09:00");
    peak_assert_refused("1.000x Mon 07:00-09:00");
    peak_assert_refused("0.5x Mon 07:00-09:00");
    peak_assert_refused("0x Mon 07:00-09:00");
    peak_assert_refused("-1.5x Mon 07:00-09:00");
    peak_assert_refused("11x Mon 07:00-09:00");
    peak_assert_refused("10.001x Mon 07:00-09:00");
    peak_assert_refused("1.0005x Mon 07:00-09:00");
    peak_assert_refused("x Mon 07:00-09:00");
    peak_assert_refused("1.5 Mon 07:00-09:00");
    peak_assert_refused("1.5X Mon 07:00-09:00");
    peak_assert_refused("1,5x Mon 07:00-09:00");
    peak_assert_refused("99999999999999999999x Mon 07:00-09:00");
    struct peak_rule ten = peak_parse_ok("10x Mon 07:00-09:00");
    assert_int_equal(ten.multiplier_permille, 10000);
}

static void peak_rule_refuses_malformed_windows(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "1.5x",
        "1.5x ",
        "1.5x Mon",
        "1.5x Mon ",
        "1.5x 07:00-09:00",
        "1.5x Mon 09:00-07:00",
        "1.5x Mon 07:00-07:00",
        "1.5x Xyz 07:00-09:00",
        "1.5x mon 07:00-09:00",
        "1.5x Monday 07:00-09:00",
        "1.5x Fri-Mon 07:00-09:00",
        "1.5x Mon- 07:00-09:00",
        "1.5x Mon+ 07:00-09:00",
        "1.5x Mon 25:00-26:00",
        "1.5x Mon 07:60-09:00",
        "1.5x Mon 00:00-24:01",
        "1.5x Mon 24:00-24:00",
        "1.5x Mon 7:00-9:00",
        "1.5x Mon 0700-0900",
        "1.5x Mon 07:00-",
        "1.5x Mon 07:00",
        "1.5x Mon  07:00-09:00",
        "1.5x  Mon 07:00-09:00",
        "1.5x Mon 07:00-09:00 ",
        "1.5x Mon 07:00-09:00,",
        "1.5x Mon 07:00-09:00, ",
        "1.5x Mon 07:00-09:00,Tue 07:00-09:00",
        "1.5x Mon 07:00-09:00; Tue 07:00-09:00",
        "1.5x Mon 07:00-09:00 garbage",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        peak_assert_refused(bad[i]);
}

static void peak_rule_refuses_more_than_the_maximum_number_of_windows(void **state)
{
    (void)state;
    char text[PEAK_TEXT_BYTES];
    size_t len = (size_t)snprintf(text, sizeof(text), "1.5x");
    for (int i = 0; i < PEAK_WINDOWS_MAX; i++)
        len += (size_t)snprintf(text + len, sizeof(text) - len,
                                "%s Mon+Wed+Fri+Sun %02d:00-%02d:30", i ? "," : "", i, i);
    struct peak_rule most = peak_parse_ok(text);
    assert_int_equal(most.count, PEAK_WINDOWS_MAX);
    /* The largest rule formats whole, with no window lost. */
    peak_assert_round_trip(text, text);
    snprintf(text + len, sizeof(text) - len, ", Sat 20:00-21:00");
    peak_assert_refused(text);
}

static void peak_multiplier_applies_from_the_start_minute_until_the_end_minute(void **state)
{
    (void)state;
    struct peak_rule r = peak_parse_ok("1.5x Mon-Fri 07:00-09:00, Mon-Fri 17:00-20:00");
    for (unsigned day = MON; day <= FRI; day++) {
        assert_int_equal(peak_rule_multiplier(&r, day, 7 * 60 - 1), 1000);
        assert_int_equal(peak_rule_multiplier(&r, day, 7 * 60), 1500);
        assert_int_equal(peak_rule_multiplier(&r, day, 8 * 60), 1500);
        assert_int_equal(peak_rule_multiplier(&r, day, 9 * 60 - 1), 1500);
        assert_int_equal(peak_rule_multiplier(&r, day, 9 * 60), 1000);
        assert_int_equal(peak_rule_multiplier(&r, day, 12 * 60), 1000);
        assert_int_equal(peak_rule_multiplier(&r, day, 17 * 60 - 1), 1000);
        assert_int_equal(peak_rule_multiplier(&r, day, 17 * 60), 1500);
        assert_int_equal(peak_rule_multiplier(&r, day, 20 * 60 - 1), 1500);
        assert_int_equal(peak_rule_multiplier(&r, day, 20 * 60), 1000);
    }
}

static void peak_multiplier_does_not_apply_on_other_days(void **state)
{
    (void)state;
    struct peak_rule r = peak_parse_ok("1.5x Mon-Fri 07:00-09:00, Mon-Fri 17:00-20:00");
    for (unsigned minute = 0; minute < 24 * 60; minute++) {
        assert_int_equal(peak_rule_multiplier(&r, SAT, minute), 1000);
        assert_int_equal(peak_rule_multiplier(&r, SUN, minute), 1000);
    }
    struct peak_rule split = peak_parse_ok("1.25x Mon-Wed+Fri 07:00-09:00");
    assert_int_equal(peak_rule_multiplier(&split, WED, 8 * 60), 1250);
    assert_int_equal(peak_rule_multiplier(&split, THU, 8 * 60), 1000);
    assert_int_equal(peak_rule_multiplier(&split, FRI, 8 * 60), 1250);
}

static void peak_multiplier_of_a_whole_day_window_applies_at_every_minute(void **state)
{
    (void)state;
    struct peak_rule r = peak_parse_ok("2x Daily 00:00-24:00");
    for (unsigned day = MON; day <= SUN; day++) {
        assert_int_equal(peak_rule_multiplier(&r, day, 0), 2000);
        assert_int_equal(peak_rule_multiplier(&r, day, 24 * 60 - 1), 2000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(peak_rule_parses_weekday_mornings_and_evenings),
        cmocka_unit_test(peak_rule_parses_day_lists_and_whole_days),
        cmocka_unit_test(peak_rule_formats_back_to_canonical_text),
        cmocka_unit_test(peak_rule_format_keeps_every_window_of_the_longest_rule),
        cmocka_unit_test(peak_rule_of_the_empty_string_is_no_rule),
        cmocka_unit_test(peak_rule_refuses_multipliers_not_above_one_or_above_ten),
        cmocka_unit_test(peak_rule_refuses_malformed_windows),
        cmocka_unit_test(peak_rule_refuses_more_than_the_maximum_number_of_windows),
        cmocka_unit_test(peak_multiplier_applies_from_the_start_minute_until_the_end_minute),
        cmocka_unit_test(peak_multiplier_does_not_apply_on_other_days),
        cmocka_unit_test(peak_multiplier_of_a_whole_day_window_applies_at_every_minute),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
