/*
 * Unit tests of two-factor codes (base/totp.c): the codes are RFC 6238's,
 * a code is taken one step either side of now and no further, a step is
 * never taken twice, and what is not a code or not a secret is refused.
 *
 * Method: the SHA-1 test vectors of RFC 6238 appendix B (secret
 * "12345678901234567890", whose 8-digit codes end in our 6 digits), then
 * codes made by totp_code checked around a fixed now.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <string.h>

#include "base/base.h"

/* base32("12345678901234567890") */
#define RFC_SECRET "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

static void the_codes_are_those_of_rfc_6238(void **state)
{
    (void)state;
    static const struct {
        int64_t unix_s;
        const char *code; /* the last 6 of the RFC's 8 digits */
    } vectors[] = {
        {59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
        {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
    };
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        char code[TOTP_DIGITS + 1];
        assert_true(totp_code(RFC_SECRET, totp_step(vectors[i].unix_s), code));
        assert_string_equal(code, vectors[i].code);
        int64_t step;
        assert_int_equal(totp_check(RFC_SECRET, vectors[i].code, vectors[i].unix_s, 0, &step),
                         ERR_OK);
        assert_int_equal(step, vectors[i].unix_s / 30);
    }
}

static void a_code_is_taken_one_step_either_side_of_now_and_no_further(void **state)
{
    (void)state;
    int64_t now = 1772359200; /* a step boundary: 2026-03-01T10:00:00Z */
    int64_t here = totp_step(now), step;
    for (int64_t off = -3; off <= 3; off++) {
        char code[TOTP_DIGITS + 1];
        assert_true(totp_code(RFC_SECRET, here + off, code));
        enum err want = off >= -1 && off <= 1 ? ERR_OK : ERR_UNAUTHENTICATED;
        assert_int_equal(totp_check(RFC_SECRET, code, now, 0, &step), want);
        if (want == ERR_OK)
            assert_int_equal(step, here + off);
    }
    /* The last second of a step still takes the next step's code. */
    char next[TOTP_DIGITS + 1];
    assert_true(totp_code(RFC_SECRET, here + 1, next));
    assert_int_equal(totp_check(RFC_SECRET, next, now + 29, 0, &step), ERR_OK);
    assert_int_equal(totp_check(RFC_SECRET, next, now + 89, 0, &step), ERR_OK);
    assert_int_equal(totp_check(RFC_SECRET, next, now - 31, 0, &step), ERR_UNAUTHENTICATED);
}

static void a_step_once_taken_is_refused_and_only_later_ones_count(void **state)
{
    (void)state;
    int64_t now = 1772359200, here = totp_step(now), step;
    char code[TOTP_DIGITS + 1], before[TOTP_DIGITS + 1];
    assert_true(totp_code(RFC_SECRET, here, code));
    assert_true(totp_code(RFC_SECRET, here - 1, before));
    assert_int_equal(totp_check(RFC_SECRET, code, now, 0, &step), ERR_OK);
    /* Replayed: its step is the last accepted one. */
    assert_int_equal(totp_check(RFC_SECRET, code, now, step, &step), ERR_UNAUTHENTICATED);
    /* An older code of the window is no good either once a later step was taken. */
    assert_int_equal(totp_check(RFC_SECRET, before, now, here, &step), ERR_UNAUTHENTICATED);
    /* The next step's code is. */
    char later[TOTP_DIGITS + 1];
    assert_true(totp_code(RFC_SECRET, here + 1, later));
    assert_int_equal(totp_check(RFC_SECRET, later, now + 30, here, &step), ERR_OK);
    assert_int_equal(step, here + 1);
}

static void malformed_codes_and_secrets_are_refused(void **state)
{
    (void)state;
    int64_t now = 59, step;
    const char *bad[] = {"", "28708", "2870822", "28708a", " 287082", "287082 ", "94287082"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(totp_check(RFC_SECRET, bad[i], now, 0, &step), ERR_UNAUTHENTICATED);
    assert_int_equal(totp_check(RFC_SECRET, NULL, now, 0, &step), ERR_UNAUTHENTICATED);
    assert_int_equal(totp_check("", "287082", now, 0, &step), ERR_VALIDATION);
    assert_int_equal(totp_check("not base32!", "287082", now, 0, &step), ERR_VALIDATION);
    char code[TOTP_DIGITS + 1];
    assert_false(totp_code("", 1, code));
}

static void new_secrets_are_32_base32_letters_and_differ(void **state)
{
    (void)state;
    char a[TOTP_SECRET_TEXT], b[TOTP_SECRET_TEXT];
    totp_secret_new(a);
    totp_secret_new(b);
    assert_int_equal(strlen(a), 32);
    assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 32);
    assert_string_not_equal(a, b);
    char code[TOTP_DIGITS + 1];
    assert_true(totp_code(a, 1000, code));
    int64_t step;
    assert_int_equal(totp_check(a, code, 1000 * 30 + 5, 0, &step), ERR_OK);
    assert_int_equal(step, 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_codes_are_those_of_rfc_6238),
        cmocka_unit_test(a_code_is_taken_one_step_either_side_of_now_and_no_further),
        cmocka_unit_test(a_step_once_taken_is_refused_and_only_later_ones_count),
        cmocka_unit_test(malformed_codes_and_secrets_are_refused),
        cmocka_unit_test(new_secrets_are_32_base32_letters_and_differ),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
