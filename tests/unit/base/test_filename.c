/*
 * Unit tests of client file names (base/filename.c): what is stored of a
 * name a client sends, and how it goes back out in Content-Disposition.
 *
 * Method: hostile names written out by hand (paths of both kinds, quotes and
 * ';' that would end a header parameter, control characters, bidirectional
 * overrides, invalid and overlong UTF-8, names made only of what is dropped)
 * each with the exact result; the length cap is checked on a boundary inside
 * a multi-byte character; then every sanitized result of random byte strings
 * (fixed seed, printed) must be valid UTF-8 without anything the rules drop.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <string.h>

#include "base/base.h"

static void sanitized_is(const char *in, const char *want)
{
    char out[FILE_NAME_BYTES_MAX + 1];
    size_t n = filename_sanitize(in, out);
    if (strcmp(out, want) != 0)
        fail_msg("'%s' became '%s', want '%s'", in ? in : "(null)", out, want);
    assert_int_equal(n, strlen(want));
}

static void a_path_keeps_only_its_last_component(void **state)
{
    (void)state;
    sanitized_is("ecu.bin", "ecu.bin");
    sanitized_is("/etc/passwd", "passwd");
    sanitized_is("../../data/creditd.db", "creditd.db");
    sanitized_is("C:\\Users\\werkstatt\\Desktop\\EDC17 read.bin", "EDC17 read.bin");
    sanitized_is("mixed/dir\\name.ori", "name.ori");
    sanitized_is("dir/", "file");
    sanitized_is("..", "file");
    sanitized_is("a/.", "file");
}

static void quotes_semicolons_and_controls_are_dropped(void **state)
{
    (void)state;
    sanitized_is("a\"b'c;d.bin", "abcd.bin");
    sanitized_is("line\r\nbreak\t.bin", "linebreak.bin");
    sanitized_is("del\x7f.bin", "del.bin");
    /* U+0085 (NEL, a C1 control) and U+202E (right-to-left override). */
    sanitized_is("next\xc2\x85line.bin", "nextline.bin");
    sanitized_is("photo\xe2\x80\xae"
                 "gpj.exe",
                 "photogpj.exe");
    sanitized_is("\";\"", "file");
    sanitized_is("", "file");
    sanitized_is(NULL, "file");
}

static void invalid_utf8_becomes_underscores(void **state)
{
    (void)state;
    sanitized_is("M\xfcller.bin", "M_ller.bin");            /* Latin-1, not UTF-8 */
    sanitized_is("M\xc3\xbcller.bin", "M\xc3\xbcller.bin"); /* valid UTF-8 stays */
    sanitized_is("\xc0\xaf.bin", "__.bin");                 /* overlong '/' */
    sanitized_is("\xed\xa0\x80x", "___x");                  /* a surrogate */
    sanitized_is("\xf4\x90\x80\x80", "____");               /* past U+10FFFF */
    sanitized_is("cut\xe2\x82", "cut__");                   /* truncated sequence */
}

static void long_names_are_cut_on_a_character_boundary(void **state)
{
    (void)state;
    char in[512], want[FILE_NAME_BYTES_MAX + 1];
    /* 199 ASCII bytes and then a two-byte character: it would end at 201. */
    memset(in, 'a', 199);
    memcpy(in + 199, "\xc3\xa4tail", 7);
    memcpy(want, in, 199);
    want[199] = '\0';
    sanitized_is(in, want);
    memset(in, 'b', 300);
    in[300] = '\0';
    memset(want, 'b', FILE_NAME_BYTES_MAX);
    want[FILE_NAME_BYTES_MAX] = '\0';
    sanitized_is(in, want);
}

static bool utf8_clean(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\'' || *p == ';' || *p == '/' ||
            *p == '\\')
            return false;
        size_t n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : 4;
        for (size_t i = 1; i < n; i++)
            if ((p[i] & 0xc0) != 0x80)
                return false;
        p += n;
    }
    return true;
}

static void random_bytes_always_give_a_clean_name(void **state)
{
    (void)state;
    uint64_t seed = 20261123, x = seed;
    printf("seed %llu\n", (unsigned long long)seed);
    for (int round = 0; round < 20000; round++) {
        char in[300], out[FILE_NAME_BYTES_MAX + 1];
        size_t n = (size_t)(x % 299);
        for (size_t i = 0; i < n; i++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            in[i] = (char)((x >> 33) % 255 + 1);
        }
        in[n] = '\0';
        size_t len = filename_sanitize(in, out);
        assert_true(len >= 1 && len <= FILE_NAME_BYTES_MAX);
        assert_int_equal(strlen(out), len);
        if (!utf8_clean(out))
            fail_msg("round %d: unclean result", round);
    }
}

static void header_forms_are_ascii_and_percent_encoded(void **state)
{
    (void)state;
    char ascii[FILE_NAME_BYTES_MAX + 1], enc[3 * FILE_NAME_BYTES_MAX + 1];
    filename_ascii("M\xc3\xbcller Stage 1.bin", ascii);
    assert_string_equal(ascii, "M_ller Stage 1.bin");
    assert_true(filename_percent_encode("M\xc3\xbcller Stage 1.bin", enc, sizeof(enc)));
    assert_string_equal(enc, "M%C3%BCller%20Stage%201.bin");
    assert_true(filename_percent_encode("a+b_c-d.e~f%", enc, sizeof(enc)));
    assert_string_equal(enc, "a+b_c-d.e~f%25");
    /* Too small a buffer is refused, never cut. */
    assert_false(filename_percent_encode("\xc3\xbc", enc, 6));
    assert_true(filename_percent_encode("\xc3\xbc", enc, 7));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_path_keeps_only_its_last_component),
        cmocka_unit_test(quotes_semicolons_and_controls_are_dropped),
        cmocka_unit_test(invalid_utf8_becomes_underscores),
        cmocka_unit_test(long_names_are_cut_on_a_character_boundary),
        cmocka_unit_test(random_bytes_always_give_a_clean_name),
        cmocka_unit_test(header_forms_are_ascii_and_percent_encoded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
