/*
 * Unit tests of the messages kept for translation (base/err.c): err_set
 * keeps the format and each argument written out on its own, and a template
 * with holes {1} {2} … says the message again.
 *
 * Method: every conversion kind, length, flag, '*' width and precision is
 * set through err_set and checked two ways: each kept argument against
 * snprintf of that one conversion, and the English template (the format
 * with its conversions as holes) filled with the arguments against the
 * message printf made. Then the edges by hand: arguments cut at 63 bytes on
 * a UTF-8 boundary, more arguments than kept, %%, holes reordered, repeated,
 * unknown or past the end, and a rendering cut short. Last, every format
 * in the sources (found by scripts/errors_catalogue.py) has its English
 * template in the catalogue with one hole per argument, and a German one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <inttypes.h>
#include <string.h>

#include "base/base.h"
#include "error_formats.h" /* scripts/errors_catalogue.py --c-header */

/* The English template of d's format filled with its kept arguments is the
 * message itself. */
static void english_again_is_the_message(const struct err_detail *d)
{
    assert_non_null(d->text.fmt);
    char template[512], again[512];
    int holes = -1;
    assert_true(err_format_template(d->text.fmt, template, sizeof(template), &holes));
    assert_int_equal(holes, d->text.argc);
    err_text_render(&d->text, template, again, sizeof(again));
    assert_string_equal(again, d->message);
}

static void every_conversion_kind_is_kept_as_its_own_text(void **state)
{
    (void)state;
    struct err_detail d = {0};
    int x = 7;
    assert_int_equal(
        err_set(&d, ERR_VALIDATION, "f", "%d|%i|%u|%x|%X|%o", -12, 34, 56u, 255u, 255u, 8u),
        ERR_VALIDATION);
    assert_int_equal(d.text.argc, 6);
    assert_string_equal(d.text.args[0], "-12");
    assert_string_equal(d.text.args[1], "34");
    assert_string_equal(d.text.args[2], "56");
    assert_string_equal(d.text.args[3], "ff");
    assert_string_equal(d.text.args[4], "FF");
    assert_string_equal(d.text.args[5], "10");
    english_again_is_the_message(&d);

    err_set(&d, ERR_VALIDATION, "f", "%c %s %f %g %e %%", 'Z', "word", 1.5, 0.25, 1000.0);
    assert_int_equal(d.text.argc, 5);
    assert_string_equal(d.text.args[0], "Z");
    assert_string_equal(d.text.args[1], "word");
    assert_string_equal(d.text.args[2], "1.500000");
    assert_string_equal(d.text.args[3], "0.25");
    assert_string_equal(d.text.args[4], "1.000000e+03");
    english_again_is_the_message(&d);

    err_set(&d, ERR_VALIDATION, "f", "%p", (void *)&x);
    char want[64];
    snprintf(want, sizeof(want), "%p", (void *)&x);
    assert_string_equal(d.text.args[0], want);
    english_again_is_the_message(&d);
}

static void every_length_modifier_reads_its_own_type(void **state)
{
    (void)state;
    struct err_detail d = {0};
    err_set(&d, ERR_VALIDATION, "", "%hhd %hd %ld %lld %zu %jd %td %Lf %hhu %hu %lu %llx",
            (signed char)-5, (short)-300, -70000L, -9000000000LL, (size_t)42, (intmax_t)-1,
            (ptrdiff_t)-2, (long double)2.5, (unsigned char)200, (unsigned short)60000,
            4000000000UL, 0xdeadbeefcafeULL);
    /* Twelve conversions: more than are kept, so nothing is. */
    assert_null(d.text.fmt);
    assert_string_equal(d.message, "-5 -300 -70000 -9000000000 42 -1 -2 2.500000 200 60000 "
                                   "4000000000 deadbeefcafe");
    err_set(&d, ERR_VALIDATION, "", "%hhd %hd %ld %lld %zu %jd", (signed char)-5, (short)-300,
            -70000L, -9000000000LL, (size_t)42, (intmax_t)-1);
    english_again_is_the_message(&d);
    assert_string_equal(d.text.args[3], "-9000000000");
    err_set(&d, ERR_VALIDATION, "", "%td %Lf %hhu %hu %lu %llx", (ptrdiff_t)-2, (long double)2.5,
            (unsigned char)200, (unsigned short)60000, 4000000000UL, 0xdeadbeefcafeULL);
    english_again_is_the_message(&d);
    assert_string_equal(d.text.args[1], "2.500000");
    assert_string_equal(d.text.args[5], "deadbeefcafe");
    /* An overflowing hh and h are cut as printf cuts them. */
    err_set(&d, ERR_VALIDATION, "", "%hhd %hu", 300, 70000);
    assert_string_equal(d.message, "44 4464");
    english_again_is_the_message(&d);
    /* PRId64 and friends are l or ll: either is read right. */
    err_set(&d, ERR_VALIDATION, "", "%" PRId64 " %" PRIu64, (int64_t)-1,
            (uint64_t)18446744073709551615u);
    english_again_is_the_message(&d);
}

static void flags_widths_and_stars_stay_with_their_argument(void **state)
{
    (void)state;
    struct err_detail d = {0};
    err_set(&d, ERR_VALIDATION, "", "[%-6s][%6s][%+d][%05d][%#x][% d][%.2f]", "ab", "cd", 3, 42,
            255u, 7, 3.14159);
    assert_null(d.text.fmt); /* seven */
    err_set(&d, ERR_VALIDATION, "", "[%-6s][%6s][%+d][%05d][%#x][%.2f]", "ab", "cd", 3, 42, 255u,
            3.14159);
    assert_string_equal(d.message, "[ab    ][    cd][+3][00042][0xff][3.14]");
    assert_string_equal(d.text.args[0], "ab    ");
    assert_string_equal(d.text.args[3], "00042");
    english_again_is_the_message(&d);
    /* '*' takes its number from the arguments; a negative width is '-'. */
    err_set(&d, ERR_VALIDATION, "", "[%*d][%-*d][%*d][%.*s][%*.*f]", 5, 1, 4, 2, -4, 3, 3, "abcdef",
            8, 1, 2.25);
    assert_string_equal(d.message, "[    1][2   ][3   ][abc][     2.2]");
    assert_int_equal(d.text.argc, 5);
    assert_string_equal(d.text.args[2], "3   ");
    assert_string_equal(d.text.args[3], "abc");
    english_again_is_the_message(&d);
    /* A negative precision from '*' is none. */
    err_set(&d, ERR_VALIDATION, "", "%.*s|%%|%s", -1, "whole", "x");
    assert_string_equal(d.message, "whole|%|x");
    english_again_is_the_message(&d);
}

static void long_arguments_are_cut_on_a_character(void **state)
{
    (void)state;
    struct err_detail d = {0};
    char long_text[200];
    memset(long_text, 'a', sizeof(long_text) - 1);
    long_text[sizeof(long_text) - 1] = '\0';
    err_set(&d, ERR_VALIDATION, "", "name '%s' is taken", long_text);
    assert_int_equal(strlen(d.text.args[0]), ERR_ARG_BYTES - 1);
    assert_int_equal(strlen(d.message), sizeof(d.message) - 1);
    /* 62 ASCII bytes and a three-byte character: cut before it. */
    char utf8[80];
    memset(utf8, 'b', 62);
    memcpy(utf8 + 62, "\xe2\x82\xac", 4);
    err_set(&d, ERR_VALIDATION, "", "%s", utf8);
    assert_int_equal(strlen(d.text.args[0]), 62);
    /* The message is whole, as before. */
    assert_string_equal(d.message, utf8);
}

static void more_arguments_than_kept_keep_nothing_and_english_stays(void **state)
{
    (void)state;
    struct err_detail d = {0};
    err_set(&d, ERR_VALIDATION, "x", "%d %d %d %d %d %d %d", 1, 2, 3, 4, 5, 6, 7);
    assert_null(d.text.fmt);
    assert_int_equal(d.text.argc, 0);
    assert_string_equal(d.message, "1 2 3 4 5 6 7");
    char out[64];
    assert_string_equal(err_text_in(&d.text, "de", d.message, out, sizeof(out)), "1 2 3 4 5 6 7");
    err_set(&d, ERR_VALIDATION, "x", "%d %d %d %d %d %d", 1, 2, 3, 4, 5, 6);
    assert_non_null(d.text.fmt);
    assert_string_equal(d.text.args[5], "6");
    /* Conversions err.c does not keep (wide strings, %n) keep nothing. */
    err_set(&d, ERR_VALIDATION, "x", "%ls", L"w");
    assert_null(d.text.fmt);
    assert_string_equal(d.field, "x");
    assert_int_equal(err_set(NULL, ERR_NOT_FOUND, "", "nothing"), ERR_NOT_FOUND);
}

static void templates_reorder_repeat_and_keep_what_is_no_hole(void **state)
{
    (void)state;
    struct err_detail d = {0};
    err_set(&d, ERR_VALIDATION, "", "%s of %s", "first", "second");
    char out[128];
    err_text_render(&d.text, "{2} vor {1}, {1} again", out, sizeof(out));
    assert_string_equal(out, "second vor first, first again");
    err_text_render(&d.text, "{3} {0} {x} {} {1", out, sizeof(out));
    assert_string_equal(out, "{3} {0} {x} {} {1");
    err_text_render(&d.text, "%s %d {1}", out, sizeof(out));
    assert_string_equal(out, "%s %d first");
    /* Cut short, and on a character: "€" does not fit after "ab". */
    err_text_render(&d.text, "ab\xe2\x82\xac{1}", out, 5);
    assert_string_equal(out, "ab");
    err_text_render(&d.text, "{1}{2}", out, 8);
    assert_string_equal(out, "firstse");
}

static void english_is_the_message_and_no_translation_falls_back(void **state)
{
    (void)state;
    struct err_detail d = {0};
    err_set(&d, ERR_VALIDATION, "", "no translation has %s", "this");
    char out[64] = "untouched";
    assert_ptr_equal(err_text_in(&d.text, "en", d.message, out, sizeof(out)), d.message);
    assert_ptr_equal(err_text_in(&d.text, NULL, d.message, out, sizeof(out)), d.message);
    assert_ptr_equal(err_text_in(&d.text, "fr", d.message, out, sizeof(out)), d.message);
    assert_ptr_equal(err_text_in(&d.text, "de", d.message, out, sizeof(out)), d.message);
    assert_string_equal(out, "untouched");
}

static void ids_are_fnv1a_as_the_catalogue_script_makes_them(void **state)
{
    (void)state;
    char id[ERR_FORMAT_ID_BYTES];
    /* scripts/errors_catalogue.py: format_id(b"is required") and friends. */
    err_format_id("is required", id);
    assert_string_equal(id, "cb1b61209ed1");
    err_format_id("the file is larger than %zu bytes", id);
    assert_string_equal(id, "1c2c9efeb28a");
    err_format_id("", id);
    assert_string_equal(id, "cbf29ce48422");
    char template[64];
    int holes;
    assert_true(
        err_format_template("at most %zu bytes, 100%%", template, sizeof(template), &holes));
    assert_string_equal(template, "at most {1} bytes, 100%");
    assert_int_equal(holes, 1);
    assert_false(err_format_template("%n", template, sizeof(template), &holes));
    assert_false(err_format_template("%5%", template, sizeof(template), &holes));
    assert_false(err_format_template("too long for it", template, 8, &holes));
}

/* The distinct holes {n} of a text. */
static int distinct_holes(const char *text)
{
    bool seen[10] = {false};
    int n = 0;
    for (const char *p = strchr(text, '{'); p != NULL; p = strchr(p + 1, '{'))
        if (p[1] >= '1' && p[1] <= '9' && p[2] == '}' && !seen[p[1] - '0']) {
            seen[p[1] - '0'] = true;
            n++;
        }
    return n;
}

static void every_format_in_the_sources_has_its_templates(void **state)
{
    (void)state;
    size_t n = sizeof(error_formats) / sizeof(error_formats[0]);
    assert_true(n > 300);
    for (size_t i = 0; i < n; i++) {
        const char *fmt = error_formats[i];
        char id[ERR_FORMAT_ID_BYTES], key[32], template[512];
        err_format_id(fmt, id);
        snprintf(key, sizeof(key), "errors.%s", id);
        int holes = -1;
        if (!err_format_template(fmt, template, sizeof(template), &holes))
            fail_msg("'%s' has a conversion err.c cannot keep", fmt);
        if (holes > ERR_ARGS_MAX)
            fail_msg("'%s' has more than %d arguments", fmt, ERR_ARGS_MAX);
        const char *en = i18n_lookup("en", key), *de = i18n_lookup("de", key);
        if (en == NULL || de == NULL)
            fail_msg("'%s' (%s) is not in the catalogue of %s", fmt, key, en == NULL ? "en" : "de");
        if (strcmp(en, template) != 0)
            fail_msg("%s: English '%s', the format makes '%s'", key, en, template);
        if (distinct_holes(en) != holes || distinct_holes(de) != holes)
            fail_msg("%s: %d arguments, holes: %d in en, %d in de", key, holes, distinct_holes(en),
                     distinct_holes(de));
    }
}

static void german_is_said_from_the_kept_arguments(void **state)
{
    (void)state;
    struct err_detail d = {0};
    char out[512];
    err_set(&d, ERR_VALIDATION, "name", "is required");
    assert_string_equal(err_text_in(&d.text, "de", d.message, out, sizeof(out)),
                        "ist erforderlich");
    assert_string_equal(err_text_in(&d.text, "en", d.message, out, sizeof(out)), "is required");
    err_set(&d, ERR_TOO_LARGE, "file", "the file is larger than %zu bytes", (size_t)1024);
    assert_string_equal(err_text_in(&d.text, "de-AT", d.message, out, sizeof(out)),
                        "die Datei ist größer als 1024 Bytes");
    /* German puts the hours before the order: {2} before {1}. */
    err_set(&d, ERR_DUPLICATE_FILE, "file_id",
            "this file was ordered in %s within the last %d hours; send "
            "\"confirm_duplicate\": true to order it again",
            "ord_7", 48);
    assert_string_equal(err_text_in(&d.text, "de", d.message, out, sizeof(out)),
                        "diese Datei wurde in den letzten 48 Stunden bereits in ord_7 beauftragt; "
                        "senden Sie \"confirm_duplicate\": true, um sie erneut zu beauftragen");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_conversion_kind_is_kept_as_its_own_text),
        cmocka_unit_test(every_length_modifier_reads_its_own_type),
        cmocka_unit_test(flags_widths_and_stars_stay_with_their_argument),
        cmocka_unit_test(long_arguments_are_cut_on_a_character),
        cmocka_unit_test(more_arguments_than_kept_keep_nothing_and_english_stays),
        cmocka_unit_test(templates_reorder_repeat_and_keep_what_is_no_hole),
        cmocka_unit_test(english_is_the_message_and_no_translation_falls_back),
        cmocka_unit_test(ids_are_fnv1a_as_the_catalogue_script_makes_them),
        cmocka_unit_test(every_format_in_the_sources_has_its_templates),
        cmocka_unit_test(german_is_said_from_the_kept_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
