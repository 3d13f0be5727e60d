/*
 * Unit tests of CSV cells (base/buf.c): buf_csv_field quotes what RFC 4180
 * needs quoted; buf_csv_text also keeps a spreadsheet from running a text
 * cell as a formula (a leading '=', '+', '-', '@', tab or carriage return
 * gets a "'" in front), while amounts written with buf_csv_field stay
 * numbers.
 *
 * Method: each dangerous first character, alone and inside a cell that also
 * needs quotes, with the exact bytes written; harmless text and the empty
 * cell unchanged; the buffer's maximum still answered with ERR_TOO_LARGE.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <string.h>

#include "base/base.h"

static void text_is(const char *in, const char *want)
{
    struct buf b;
    buf_init(&b, 1024);
    assert_int_equal(buf_csv_text(&b, in), ERR_OK);
    if (b.len != strlen(want) || memcmp(b.data, want, b.len) != 0)
        fail_msg("'%s' was written as '%.*s', want '%s'", in, (int)b.len, b.data, want);
    buf_release(&b);
}

static void field_is(const char *in, const char *want)
{
    struct buf b;
    buf_init(&b, 1024);
    assert_int_equal(buf_csv_field(&b, in), ERR_OK);
    if (b.len != strlen(want) || memcmp(b.data, want, b.len) != 0)
        fail_msg("'%s' was written as '%.*s', want '%s'", in, (int)b.len, b.data, want);
    buf_release(&b);
}

static void a_formula_start_gets_a_quote_in_front(void **state)
{
    (void)state;
    text_is("=1+2", "'=1+2");
    text_is("+1", "'+1");
    text_is("-x", "'-x");
    text_is("@x", "'@x");
    text_is("\tx", "'\tx");
    text_is("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    text_is("\rx", "\"'\rx\"");
    text_is("-a,b", "\"'-a,b\"");
}

static void harmless_text_is_written_as_csv_field_writes_it(void **state)
{
    (void)state;
    text_is("", "");
    text_is("goodwill", "goodwill");
    text_is("a = b", "a = b");
    text_is("x-1", "x-1");
    text_is("say \"hi\", then go", "\"say \"\"hi\"\", then go\"");
    text_is("'quoted already", "'quoted already");
}

static void amounts_written_as_fields_stay_numbers(void **state)
{
    (void)state;
    field_is("-5", "-5");
    field_is("-12.50", "-12.50");
    field_is("+3", "+3");
}

static void a_null_cell_writes_nothing_and_a_full_buffer_says_so(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 8);
    assert_int_equal(buf_csv_text(&b, NULL), ERR_OK);
    assert_int_equal(b.len, 0);
    assert_int_equal(buf_csv_text(&b, "=a very long formula"), ERR_TOO_LARGE);
    assert_true(b.len < 8);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_formula_start_gets_a_quote_in_front),
        cmocka_unit_test(harmless_text_is_written_as_csv_field_writes_it),
        cmocka_unit_test(amounts_written_as_fields_stay_numbers),
        cmocka_unit_test(a_null_cell_writes_nothing_and_a_full_buffer_says_so),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
