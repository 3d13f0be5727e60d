/*
 * Unit tests of amounts (core/money.c): decimal text to int64 minor units and
 * back, checked addition, rounding-up of peak multipliers, credit type codes.
 *
 * Method: DESIGN §3 says amounts are integers in the type's minor unit, text
 * has exactly `scale` decimals, more decimals are refused, and nothing ever
 * wraps. Each rule gets its accepted cases and its refusals (asserting the
 * output is left alone), with the edges at ±AMOUNT_MAX_MINOR and at the int64
 * extremes. A fixed-seed generator (seed printed) round-trips random amounts
 * through format and parse at every scale.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/core.h"

/* An output value no test expects, to see that refusals leave it alone. */
#define UNTOUCHED INT64_C(-777)

static uint64_t money_rng_state;

/* splitmix64: small, fast and good enough to spread test values. */
static uint64_t money_rng_next(void)
{
    uint64_t z = (money_rng_state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static void money_assert_parses(const char *text, int scale, int64_t want_minor)
{
    int64_t got = UNTOUCHED;
    enum err rc = amount_parse(text, scale, &got);
    if (rc != ERR_OK || got != want_minor)
        fail_msg("amount_parse(\"%s\", %d) = %s, %lld; want ok, %lld", text, scale, err_code(rc),
                 (long long)got, (long long)want_minor);
}

static void money_assert_refused(const char *text, int scale, enum err want)
{
    int64_t got = UNTOUCHED;
    enum err rc = amount_parse(text, scale, &got);
    if (rc != want || got != UNTOUCHED)
        fail_msg("amount_parse(\"%s\", %d) = %s, %lld; want %s and no output", text, scale,
                 err_code(rc), (long long)got, err_code(want));
}

static void money_assert_formats(int64_t minor, int scale, const char *want)
{
    char text[AMOUNT_TEXT_BYTES];
    amount_format(minor, scale, text, sizeof(text));
    if (strcmp(text, want) != 0)
        fail_msg("amount_format(%lld, %d) = \"%s\"; want \"%s\"", (long long)minor, scale, text,
                 want);
}

static void amount_parse_reads_whole_credits_at_scale_zero(void **state)
{
    (void)state;
    money_assert_parses("0", 0, 0);
    money_assert_parses("5", 0, 5);
    money_assert_parses("124", 0, 124);
    money_assert_parses("-2", 0, -2);
    money_assert_parses("-0", 0, 0);
}

static void amount_parse_reads_decimals_up_to_the_scale(void **state)
{
    (void)state;
    money_assert_parses("12.5", 2, 1250);
    money_assert_parses("12.50", 2, 1250);
    money_assert_parses("12", 2, 1200);
    money_assert_parses("0.05", 2, 5);
    money_assert_parses("-12.5", 2, -1250);
    money_assert_parses("-0.01", 2, -1);
    money_assert_parses("1.5", 6, 1500000);
    money_assert_parses("0.000001", 6, 1);
    money_assert_parses("3", 6, 3000000);
    money_assert_parses("-0.000001", 6, -1);
}

static void amount_parse_refuses_a_plus_and_leading_zeros(void **state)
{
    (void)state;
    /* The documented form only: "0.5" and "0" but not "+5" or "007". */
    money_assert_parses("0.5", 2, 50);
    money_assert_parses("-0.5", 2, -50);
    static const char *const bad[] = {"+5", "007", "0012.50", "-000.5",
                                      "00", "-01", "+0",      "000000000000000000001"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t v = 99;
        if (amount_parse(bad[i], 2, &v) != ERR_VALIDATION)
            fail_msg("amount_parse(\"%s\") accepted", bad[i]);
        assert_int_equal(v, 99);
    }
}

static void amount_parse_refuses_more_decimals_than_the_scale(void **state)
{
    (void)state;
    money_assert_refused("12.5", 0, ERR_VALIDATION);
    money_assert_refused("5.0", 0, ERR_VALIDATION);
    money_assert_refused("12.505", 2, ERR_VALIDATION);
    money_assert_refused("0.001", 2, ERR_VALIDATION);
    /* A trailing zero is still a decimal too many: the text is not canonical. */
    money_assert_refused("1.000", 2, ERR_VALIDATION);
    money_assert_refused("0.0000001", 6, ERR_VALIDATION);
    money_assert_refused("-0.0000001", 6, ERR_VALIDATION);
}

static void amount_parse_refuses_malformed_text(void **state)
{
    (void)state;
    static const char *const bad[] = {"",      "-",   "+",    ".",     ".5",   "5.",  " 5",
                                      "5 ",    "5x",  "--5",  "+-5",   "-+5",  "++5", "-.5",
                                      "1e3",   "1,5", "5..0", "5.5.5", "0x10", "\t5", "5\n",
                                      "1 000", "½",   "12.a", "12-",   "- 5",  "five"};
    static const int scales[] = {0, 2, 6};
    for (size_t s = 0; s < sizeof(scales) / sizeof(scales[0]); s++)
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
            money_assert_refused(bad[i], scales[s], ERR_VALIDATION);
    int64_t got = UNTOUCHED;
    assert_int_equal(amount_parse(NULL, 2, &got), ERR_VALIDATION);
    assert_int_equal(got, UNTOUCHED);
}

static void amount_parse_accepts_exactly_the_largest_amount(void **state)
{
    (void)state;
    money_assert_parses("1000000000000000", 0, AMOUNT_MAX_MINOR);
    money_assert_parses("-1000000000000000", 0, -AMOUNT_MAX_MINOR);
    money_assert_parses("10000000000000", 2, AMOUNT_MAX_MINOR);
    money_assert_parses("10000000000000.00", 2, AMOUNT_MAX_MINOR);
    money_assert_parses("1000000000", 6, AMOUNT_MAX_MINOR);
    money_assert_parses("1000000000.000000", 6, AMOUNT_MAX_MINOR);
    money_assert_parses("-1000000000.0", 6, -AMOUNT_MAX_MINOR);
    money_assert_parses("999999999999999", 0, AMOUNT_MAX_MINOR - 1);
}

static void amount_parse_refuses_one_more_than_the_largest_amount(void **state)
{
    (void)state;
    money_assert_refused("1000000000000001", 0, ERR_OVERFLOW);
    money_assert_refused("-1000000000000001", 0, ERR_OVERFLOW);
    money_assert_refused("10000000000000.01", 2, ERR_OVERFLOW);
    money_assert_refused("-10000000000000.01", 2, ERR_OVERFLOW);
    money_assert_refused("10000000000001", 2, ERR_OVERFLOW);
    money_assert_refused("1000000000.000001", 6, ERR_OVERFLOW);
    money_assert_refused("1000000001", 6, ERR_OVERFLOW);
}

static void amount_parse_refuses_huge_digit_strings_as_overflow_without_wrapping(void **state)
{
    (void)state;
    /* 2^63-1, 2^63, 2^64 (wraps to 0) and 2^64+1 (wraps to 1) in 64-bit arithmetic. */
    static const char *const huge[] = {
        "9223372036854775807",  "9223372036854775808",
        "18446744073709551616", "18446744073709551617",
        "-9223372036854775808", "-18446744073709551616",
        "10000000000000000",    "99999999999999999999999999999999999999"};
    static const int scales[] = {0, 2, 6};
    for (size_t s = 0; s < sizeof(scales) / sizeof(scales[0]); s++)
        for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++)
            money_assert_refused(huge[i], scales[s], ERR_OVERFLOW);
    char digits[301];
    memset(digits, '9', sizeof(digits) - 1);
    digits[sizeof(digits) - 1] = '\0';
    money_assert_refused(digits, 0, ERR_OVERFLOW);
    digits[0] = '1';
    memset(digits + 1, '0', sizeof(digits) - 2);
    money_assert_refused(digits, 2, ERR_OVERFLOW);
    money_assert_refused("18446744073709551616.5", 2, ERR_OVERFLOW);
}

static void amount_format_writes_exactly_scale_decimals(void **state)
{
    (void)state;
    money_assert_formats(1250, 2, "12.50");
    money_assert_formats(124, 0, "124");
    money_assert_formats(-2, 0, "-2");
    money_assert_formats(5, 2, "0.05");
    money_assert_formats(-5, 2, "-0.05");
    money_assert_formats(0, 2, "0.00");
    money_assert_formats(0, 0, "0");
    money_assert_formats(1, 6, "0.000001");
    money_assert_formats(-1500000, 6, "-1.500000");
    money_assert_formats(AMOUNT_MAX_MINOR, 0, "1000000000000000");
    money_assert_formats(-AMOUNT_MAX_MINOR, 6, "-1000000000.000000");
}

/* Values that hit the interesting places more often than uniform ones would. */
static int64_t money_random_amount(void)
{
    uint64_t r = money_rng_next();
    int64_t magnitude;
    switch (r % 4) {
    case 0:
        magnitude = (int64_t)(money_rng_next() % 1000);
        break;
    case 1:
        magnitude = AMOUNT_MAX_MINOR - (int64_t)(money_rng_next() % 1000);
        break;
    default:
        magnitude = (int64_t)(money_rng_next() % (uint64_t)(AMOUNT_MAX_MINOR + 1));
        break;
    }
    return (r >> 8) & 1 ? -magnitude : magnitude;
}

static void amount_format_round_trips_through_parse_for_random_values(void **state)
{
    (void)state;
    const uint64_t seed = UINT64_C(20260301);
    money_rng_state = seed;
    print_message("amount round trips: seed %llu\n", (unsigned long long)seed);
    for (int i = 0; i < 200000; i++) {
        int64_t minor = money_random_amount();
        int scale = (int)(money_rng_next() % (CREDIT_SCALE_MAX + 1));
        char text[AMOUNT_TEXT_BYTES];
        amount_format(minor, scale, text, sizeof(text));
        const char *point = strchr(text, '.');
        size_t decimals = point ? strlen(point + 1) : 0;
        int64_t back = UNTOUCHED;
        enum err rc = amount_parse(text, scale, &back);
        if (decimals != (size_t)scale || rc != ERR_OK || back != minor)
            fail_msg("seed %llu case %d: %lld at scale %d -> \"%s\" -> %s, %lld",
                     (unsigned long long)seed, i, (long long)minor, scale, text, err_code(rc),
                     (long long)back);
    }
}

static void amount_add_sums_within_the_range(void **state)
{
    (void)state;
    int64_t r = UNTOUCHED;
    assert_int_equal(amount_add(2, 3, &r), ERR_OK);
    assert_int_equal(r, 5);
    assert_int_equal(amount_add(-5, 3, &r), ERR_OK);
    assert_int_equal(r, -2);
    assert_int_equal(amount_add(AMOUNT_MAX_MINOR - 1, 1, &r), ERR_OK);
    assert_int_equal(r, AMOUNT_MAX_MINOR);
    assert_int_equal(amount_add(-AMOUNT_MAX_MINOR + 1, -1, &r), ERR_OK);
    assert_int_equal(r, -AMOUNT_MAX_MINOR);
    assert_int_equal(amount_add(AMOUNT_MAX_MINOR, -AMOUNT_MAX_MINOR, &r), ERR_OK);
    assert_int_equal(r, 0);
}

static void money_assert_add_refused(int64_t a, int64_t b)
{
    int64_t r = UNTOUCHED;
    enum err rc = amount_add(a, b, &r);
    if (rc != ERR_OVERFLOW || r != UNTOUCHED)
        fail_msg("amount_add(%lld, %lld) = %s, %lld; want amount_out_of_range", (long long)a,
                 (long long)b, err_code(rc), (long long)r);
}

static void amount_add_refuses_results_beyond_the_largest_amount(void **state)
{
    (void)state;
    money_assert_add_refused(AMOUNT_MAX_MINOR, 1);
    money_assert_add_refused(1, AMOUNT_MAX_MINOR);
    money_assert_add_refused(-AMOUNT_MAX_MINOR, -1);
    money_assert_add_refused(AMOUNT_MAX_MINOR, AMOUNT_MAX_MINOR);
    money_assert_add_refused(-AMOUNT_MAX_MINOR, -AMOUNT_MAX_MINOR);
}

static void amount_add_refuses_int64_extremes(void **state)
{
    (void)state;
    money_assert_add_refused(INT64_MAX, 1);
    money_assert_add_refused(INT64_MIN, -1);
    money_assert_add_refused(INT64_MAX, INT64_MAX);
    money_assert_add_refused(INT64_MIN, INT64_MIN);
    money_assert_add_refused(INT64_MAX, 0);
    money_assert_add_refused(0, INT64_MIN);
    money_assert_add_refused(INT64_MAX - 5, 3);
}

static void money_assert_scaled(int64_t a, int32_t permille, int64_t want)
{
    int64_t r = UNTOUCHED;
    enum err rc = amount_scale_up(a, permille, &r);
    if (rc != ERR_OK || r != want)
        fail_msg("amount_scale_up(%lld, %d) = %s, %lld; want %lld", (long long)a, permille,
                 err_code(rc), (long long)r, (long long)want);
}

static void amount_scale_up_rounds_up_to_a_whole_minor_unit(void **state)
{
    (void)state;
    money_assert_scaled(3, 1500, 5); /* 4.5 */
    money_assert_scaled(2, 1500, 3);
    money_assert_scaled(1, 1250, 2); /* 1.25 */
    money_assert_scaled(0, 1500, 0);
    money_assert_scaled(10, 1000, 10);
    money_assert_scaled(1, 1001, 2);
    money_assert_scaled(999, 1001, 1000); /* 999.999 */
    money_assert_scaled(1000, 1001, 1001);
    money_assert_scaled(7, 2000, 14);
    money_assert_scaled(3, 3333, 10); /* 9.999 */
    money_assert_scaled(AMOUNT_MAX_MINOR, 1000, AMOUNT_MAX_MINOR);
}

static void amount_scale_up_is_the_smallest_amount_covering_the_product(void **state)
{
    (void)state;
    const uint64_t seed = UINT64_C(15001250);
    money_rng_state = seed;
    print_message("scale up: seed %llu\n", (unsigned long long)seed);
    for (int i = 0; i < 100000; i++) {
        int64_t a = (int64_t)(money_rng_next() % (uint64_t)(AMOUNT_MAX_MINOR / 10));
        if (i % 2)
            a %= 100000;
        int32_t permille = 1000 + (int32_t)(money_rng_next() % 9001);
        int64_t r = UNTOUCHED;
        assert_int_equal(amount_scale_up(a, permille, &r), ERR_OK);
        __int128 product = (__int128)a * permille;
        if (!((__int128)r * 1000 >= product && (__int128)(r - 1) * 1000 < product) &&
            !(a == 0 && r == 0))
            fail_msg("seed %llu case %d: amount_scale_up(%lld, %d) = %lld",
                     (unsigned long long)seed, i, (long long)a, permille, (long long)r);
    }
}

static void amount_scale_up_refuses_results_beyond_the_largest_amount(void **state)
{
    (void)state;
    int64_t r = UNTOUCHED;
    assert_int_equal(amount_scale_up(AMOUNT_MAX_MINOR, 1001, &r), ERR_OVERFLOW);
    assert_int_equal(amount_scale_up(AMOUNT_MAX_MINOR, 10000, &r), ERR_OVERFLOW);
    assert_int_equal(amount_scale_up(AMOUNT_MAX_MINOR / 2 + 1, 2000, &r), ERR_OVERFLOW);
    /* The product itself would not fit in int64. */
    assert_int_equal(amount_scale_up(INT64_MAX, 2000, &r), ERR_OVERFLOW);
    assert_int_equal(amount_scale_up(INT64_MAX / 1000 + 1, 1000, &r), ERR_OVERFLOW);
    assert_int_equal(r, UNTOUCHED);
}

static void code_is_valid_accepts_lowercase_codes_starting_with_a_letter(void **state)
{
    (void)state;
    assert_true(code_is_valid("master"));
    assert_true(code_is_valid("slave"));
    assert_true(code_is_valid("eur"));
    assert_true(code_is_valid("a"));
    assert_true(code_is_valid("a1"));
    assert_true(code_is_valid("store_credit_2"));
    char longest[CODE_BYTES_MAX];
    memset(longest, 'a', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    assert_true(code_is_valid(longest));
}

static void code_is_valid_refuses_everything_else(void **state)
{
    (void)state;
    static const char *const bad[] = {"",    "1abc", "_a", "Master", "eUr",  "a-b", "a b",
                                      "a.b", "eur!", "é",  " eur",   "eur ", "a/b"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (code_is_valid(bad[i]))
            fail_msg("code_is_valid(\"%s\") is true", bad[i]);
    char too_long[CODE_BYTES_MAX + 1];
    memset(too_long, 'a', sizeof(too_long) - 1);
    too_long[sizeof(too_long) - 1] = '\0';
    assert_false(code_is_valid(too_long));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(amount_parse_reads_whole_credits_at_scale_zero),
        cmocka_unit_test(amount_parse_reads_decimals_up_to_the_scale),
        cmocka_unit_test(amount_parse_refuses_a_plus_and_leading_zeros),
        cmocka_unit_test(amount_parse_refuses_more_decimals_than_the_scale),
        cmocka_unit_test(amount_parse_refuses_malformed_text),
        cmocka_unit_test(amount_parse_accepts_exactly_the_largest_amount),
        cmocka_unit_test(amount_parse_refuses_one_more_than_the_largest_amount),
        cmocka_unit_test(amount_parse_refuses_huge_digit_strings_as_overflow_without_wrapping),
        cmocka_unit_test(amount_format_writes_exactly_scale_decimals),
        cmocka_unit_test(amount_format_round_trips_through_parse_for_random_values),
        cmocka_unit_test(amount_add_sums_within_the_range),
        cmocka_unit_test(amount_add_refuses_results_beyond_the_largest_amount),
        cmocka_unit_test(amount_add_refuses_int64_extremes),
        cmocka_unit_test(amount_scale_up_rounds_up_to_a_whole_minor_unit),
        cmocka_unit_test(amount_scale_up_is_the_smallest_amount_covering_the_product),
        cmocka_unit_test(amount_scale_up_refuses_results_beyond_the_largest_amount),
        cmocka_unit_test(code_is_valid_accepts_lowercase_codes_starting_with_a_letter),
        cmocka_unit_test(code_is_valid_refuses_everything_else),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
