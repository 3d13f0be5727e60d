/*
 * Unit tests of the brand rules (core/brand.c): which bytes may be a logo and
 * whether an accent colour carries white text.
 *
 * Method: images built here byte by byte (a PNG's signature, IHDR and IEND,
 * a JPEG's segments, SVG texts with and without a prologue), each refusal
 * with its field and message; the WCAG contrast against published figures
 * (white on black 21:1, on #767676 just 4.54:1, on #777777 just below 4.5);
 * and every truncation of valid images, which must be refused or accepted
 * without reading past the end (run under ASan by make test).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/core.h"

/* A PNG of w x h as far as the checks read it: signature, IHDR, one empty
 * IDAT, IEND (the CRCs are not checked, so they are zero here). */
static size_t png_make(uint8_t *out, uint32_t w, uint32_t h)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const uint8_t iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
    size_t n = 0;
    memcpy(out, sig, 8);
    n = 8;
    const uint8_t ihdr[25] = {0,      0,        0,       13,     'I',      'H',     'D',
                              'R',    w >> 24,  w >> 16, w >> 8, w & 0xff, h >> 24, h >> 16,
                              h >> 8, h & 0xff, 8,       2,      0,        0,       0,
                              0,      0,        0,       0};
    memcpy(out + n, ihdr, sizeof(ihdr));
    n += sizeof(ihdr);
    const uint8_t idat[12] = {0, 0, 0, 0, 'I', 'D', 'A', 'T', 0, 0, 0, 0};
    memcpy(out + n, idat, sizeof(idat));
    n += sizeof(idat);
    memcpy(out + n, iend, sizeof(iend));
    return n + sizeof(iend);
}

/* SOI, APP0, SOF2 (progressive) with h and w, SOS, EOI. */
static size_t jpeg_make(uint8_t *out, uint16_t w, uint16_t h)
{
    const uint8_t b[] = {0xff, 0xd8, 0xff, 0xe0, 0x00,   0x04,     0x4a,   0x46,     0xff, 0xff,
                         0xc2, 0x00, 0x0b, 0x08, h >> 8, h & 0xff, w >> 8, w & 0xff, 0x01, 0x01,
                         0x11, 0x00, 0xff, 0xda, 0x00,   0x02,     0xff,   0xd9};
    memcpy(out, b, sizeof(b));
    return sizeof(b);
}

static enum err check(const void *data, size_t n, struct brand_logo_info *info,
                      struct err_detail *d)
{
    memset(d, 0, sizeof(*d));
    return brand_logo_check(data, n, info, d);
}

static void a_png_is_known_by_its_signature_and_gives_its_size(void **state)
{
    (void)state;
    uint8_t b[128];
    struct brand_logo_info info;
    struct err_detail d;
    size_t n = png_make(b, 640, 200);
    assert_int_equal(check(b, n, &info, &d), ERR_OK);
    assert_int_equal(info.type, BRAND_LOGO_PNG);
    assert_int_equal(info.width, 640);
    assert_int_equal(info.height, 200);
    assert_string_equal(brand_logo_content_type(info.type), "image/png");
    /* The largest side allowed, and one more. */
    n = png_make(b, 4096, 1);
    assert_int_equal(check(b, n, &info, &d), ERR_OK);
    n = png_make(b, 4097, 1);
    assert_int_equal(check(b, n, &info, &d), ERR_VALIDATION);
    assert_string_equal(d.field, "file");
    assert_string_equal(d.message, "the image is 4097 x 1 pixels: each side must be 1 to 4096");
    n = png_make(b, 10, 0);
    assert_int_equal(check(b, n, &info, &d), ERR_VALIDATION);
    /* Cut before its end chunk. */
    n = png_make(b, 10, 10);
    assert_int_equal(check(b, n - 1, &info, &d), ERR_VALIDATION);
    assert_string_equal(d.message, "the PNG image is cut short (no IEND chunk)");
}

static void a_jpeg_gives_its_size_from_the_frame_header(void **state)
{
    (void)state;
    uint8_t b[64];
    struct brand_logo_info info;
    struct err_detail d;
    size_t n = jpeg_make(b, 300, 120);
    assert_int_equal(check(b, n, &info, &d), ERR_OK);
    assert_int_equal(info.type, BRAND_LOGO_JPEG);
    assert_int_equal(info.width, 300);
    assert_int_equal(info.height, 120);
    /* The scan before any frame header: no image. */
    const uint8_t scan_first[] = {0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0xff, 0xd9};
    assert_int_equal(check(scan_first, sizeof(scan_first), &info, &d), ERR_VALIDATION);
    assert_string_equal(d.message, "the JPEG image has no valid frame header");
    /* A segment whose length runs past the end. */
    const uint8_t overlong[] = {0xff, 0xd8, 0xff, 0xe0, 0x7f, 0xff, 0x00};
    assert_int_equal(check(overlong, sizeof(overlong), &info, &d), ERR_VALIDATION);
    /* A DHT segment (C4) is not a frame header. */
    const uint8_t dht[] = {0xff, 0xd8, 0xff, 0xc4, 0x00, 0x0b, 0x08, 0x00, 0x10,
                           0x00, 0x10, 0x01, 0x01, 0x11, 0x00, 0xff, 0xd9};
    assert_int_equal(check(dht, sizeof(dht), &info, &d), ERR_VALIDATION);
}

static void an_svg_is_text_whose_root_is_svg(void **state)
{
    (void)state;
    struct brand_logo_info info;
    struct err_detail d;
    const char *good[] = {
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        "\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- Müller -->\n<svg>\n</svg>",
        "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x.dtd\">\r\n<svg\tviewBox=\"0 0 1 "
        "1\"/>",
        "  <svg><script>alert(1)</script></svg>", /* kept: served under a policy */
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(check(good[i], strlen(good[i]), &info, &d), ERR_OK);
        assert_int_equal(info.type, BRAND_LOGO_SVG);
        assert_int_equal(info.width, 0);
    }
    const char *bad[] = {
        "name,credits\nweber,75\n", "<html><svg/></html>",   "<svgx/>", "<svg",
        "<!-- never closed <svg/>", "<?xml version=\"1.0\"", "GIF89a",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(check(bad[i], strlen(bad[i]), &info, &d), ERR_VALIDATION);
        assert_string_equal(d.field, "file");
        assert_string_equal(d.message, "the file is not a PNG, JPEG or SVG image");
    }
    const char entity[] = "<!DOCTYPE svg [<!ENTITY a \"b\">]><svg/>";
    assert_int_equal(check(entity, strlen(entity), &info, &d), ERR_VALIDATION);
    assert_string_equal(d.message, "an SVG with its own DTD declarations is not accepted");
    /* Not UTF-8, or with a NUL: no text. */
    const char latin1[] = "<svg>\xfc</svg>";
    assert_int_equal(check(latin1, strlen(latin1), &info, &d), ERR_VALIDATION);
    const char nul[] = "<svg>\0</svg>";
    assert_int_equal(check(nul, sizeof(nul) - 1, &info, &d), ERR_VALIDATION);
}

static void empty_and_oversize_files_are_refused(void **state)
{
    (void)state;
    struct brand_logo_info info;
    struct err_detail d;
    assert_int_equal(check("", 0, &info, &d), ERR_VALIDATION);
    assert_string_equal(d.message, "the file is empty");
    static uint8_t big[BRAND_LOGO_BYTES_MAX + 1];
    size_t n = png_make(big, 10, 10);
    memmove(big + sizeof(big) - n, big, n); /* any bytes: the size decides first */
    assert_int_equal(check(big, sizeof(big), &info, &d), ERR_TOO_LARGE);
    assert_string_equal(d.field, "file");
    assert_string_equal(d.message, "the logo is larger than 512 KiB");
}

static void every_truncation_is_refused_or_accepted_within_its_bytes(void **state)
{
    (void)state;
    uint8_t b[128];
    struct brand_logo_info info;
    struct err_detail d;
    size_t n = png_make(b, 20, 20);
    for (size_t k = 0; k < n; k++) {
        uint8_t *copy = test_malloc(k + 1); /* exact size: ASan sees any overread */
        memcpy(copy, b, k);
        assert_int_not_equal(check(copy, k, &info, &d), ERR_OK);
        test_free(copy);
    }
    n = jpeg_make(b, 20, 20);
    for (size_t k = 0; k <= n; k++) {
        uint8_t *copy = test_malloc(k + 1);
        memcpy(copy, b, k);
        enum err rc = check(copy, k, &info, &d);
        /* Once the frame header is whole, the size is known. */
        assert_true(rc == ERR_OK ? k >= 22 : rc == ERR_VALIDATION);
        test_free(copy);
    }
}

static void contrast_of_white_follows_wcag(void **state)
{
    (void)state;
    uint8_t rgb[3];
    assert_true(brand_color_parse("#000000", rgb));
    assert_int_equal(brand_contrast_white_x100(rgb), 2100);
    assert_true(brand_color_parse("#FFFFFF", rgb));
    assert_int_equal(brand_contrast_white_x100(rgb), 100);
    assert_true(brand_color_parse("#1d4ed8", rgb));
    assert_int_equal(brand_contrast_white_x100(rgb), 670);
    assert_true(brand_color_parse("#767676", rgb)); /* the lightest grey at AA */
    assert_int_equal(brand_contrast_white_x100(rgb), 454);
    assert_true(brand_color_parse("#777777", rgb));
    assert_true(brand_contrast_white_x100(rgb) < BRAND_CONTRAST_MIN_X100);
    assert_int_equal(rgb[0], 0x77);
}

static void colours_are_hash_and_six_hex_digits(void **state)
{
    (void)state;
    uint8_t rgb[3];
    const char *bad[] = {NULL,       "",        "#",          "0b6e4f",  "#0b6e4",
                         "#0b6e4f0", "#0b6e4g", "rgb(1,2,3)", " #0b6e4f"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(brand_color_parse(bad[i], rgb));
    assert_true(brand_color_parse("#0B6e4F", rgb));
    assert_int_equal(rgb[0], 0x0b);
    assert_int_equal(rgb[1], 0x6e);
    assert_int_equal(rgb[2], 0x4f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_png_is_known_by_its_signature_and_gives_its_size),
        cmocka_unit_test(a_jpeg_gives_its_size_from_the_frame_header),
        cmocka_unit_test(an_svg_is_text_whose_root_is_svg),
        cmocka_unit_test(empty_and_oversize_files_are_refused),
        cmocka_unit_test(every_truncation_is_refused_or_accepted_within_its_bytes),
        cmocka_unit_test(contrast_of_white_follows_wcag),
        cmocka_unit_test(colours_are_hash_and_six_hex_digits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
