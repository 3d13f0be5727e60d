/*
 * The business's brand: which bytes may be its logo, and whether its accent
 * colour is readable. The logo is checked by its contents alone (the name and
 * the declared type are the client's word): PNG by signature, header and end
 * chunk, JPEG by its segments up to the frame header, SVG by its root
 * element. Pure: it reads the bytes it is given and nothing else; it does not
 * clean an SVG (the HTTP layer serves it with a policy that runs no script).
 */
#include <math.h>
#include <string.h>

#include "core/core.h"

const char *brand_logo_content_type(enum brand_logo_type type)
{
    switch (type) {
    case BRAND_LOGO_PNG:
        return "image/png";
    case BRAND_LOGO_JPEG:
        return "image/jpeg";
    case BRAND_LOGO_SVG:
        return "image/svg+xml";
    }
    ASSERT(!"unknown logo type");
    return "";
}

static uint32_t brand_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t brand_be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

/* The refusal of a file that is no image we take (one literal, so that the
 * error catalogue finds it: scripts/errors_catalogue.py). */
static enum err brand_not_image(struct err_detail *d)
{
    return err_set(d, ERR_VALIDATION, "file", "the file is not a PNG, JPEG or SVG image");
}

/* PNG: signature, IHDR first (length 13) with width and height, IEND last. */
static enum err brand_logo_png(const uint8_t *data, size_t n, struct brand_logo_info *out,
                               struct err_detail *d)
{
    static const uint8_t iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
    /* signature 8, IHDR chunk 25, IEND chunk 12 */
    if (n < 8 + 25 + 12 || brand_be32(data + 8) != 13 || memcmp(data + 12, "IHDR", 4) != 0)
        return err_set(d, ERR_VALIDATION, "file", "the PNG image has no valid header");
    if (memcmp(data + n - sizeof(iend), iend, sizeof(iend)) != 0)
        return err_set(d, ERR_VALIDATION, "file", "the PNG image is cut short (no IEND chunk)");
    out->type = BRAND_LOGO_PNG;
    out->width = brand_be32(data + 16);
    out->height = brand_be32(data + 20);
    return ERR_OK;
}

/* A JPEG frame header: SOF0..SOF15 but DHT (C4), JPG (C8) and DAC (CC). */
static bool brand_jpeg_is_sof(uint8_t marker)
{
    return marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
}

/* JPEG: SOI, then marker segments up to the frame header, which gives the
 * height and width; the scan (SOS) before a frame header is no image. */
static enum err brand_logo_jpeg(const uint8_t *data, size_t n, struct brand_logo_info *out,
                                struct err_detail *d)
{
    size_t pos = 2;
    while (pos + 4 <= n) {
        if (data[pos] != 0xff)
            break;
        uint8_t marker = data[pos + 1];
        if (marker == 0xff) { /* fill byte */
            pos++;
            continue;
        }
        if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd8)) { /* no length */
            pos += 2;
            continue;
        }
        if (marker == 0xda || marker == 0xd9)
            break;
        size_t len = brand_be16(data + pos + 2);
        if (len < 2 || pos + 2 + len > n)
            break;
        if (brand_jpeg_is_sof(marker)) {
            if (len < 8)
                break;
            out->type = BRAND_LOGO_JPEG;
            out->height = brand_be16(data + pos + 5);
            out->width = brand_be16(data + pos + 7);
            return ERR_OK;
        }
        pos += 2 + len;
    }
    return err_set(d, ERR_VALIDATION, "file", "the JPEG image has no valid frame header");
}

/* True when data holds well-formed UTF-8 (RFC 3629) and no NUL. */
static bool brand_utf8_text(const uint8_t *data, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint8_t c = data[i];
        size_t more = c < 0x80             ? 0
                      : (c & 0xe0) == 0xc0 ? 1
                      : (c & 0xf0) == 0xe0 ? 2
                      : (c & 0xf8) == 0xf0 ? 3
                                           : 4;
        if (c == 0 || more == 4 || (more == 1 && c < 0xc2) || (more == 3 && c > 0xf4) ||
            (more > 0 && i + more >= n))
            return false;
        for (size_t k = 1; k <= more; k++)
            if ((data[i + k] & 0xc0) != 0x80)
                return false;
        /* No overlong forms, surrogates or code points past U+10FFFF. */
        uint8_t next = more > 0 ? data[i + 1] : 0;
        if ((c == 0xe0 && next < 0xa0) || (c == 0xed && next > 0x9f) ||
            (c == 0xf0 && next < 0x90) || (c == 0xf4 && next > 0x8f))
            return false;
        i += more + 1;
    }
    return true;
}

/* The first occurrence of needle in [p, end), or NULL. */
static const char *brand_find(const char *p, const char *end, const char *needle)
{
    size_t k = strlen(needle);
    for (; p + k <= end; p++)
        if (memcmp(p, needle, k) == 0)
            return p;
    return NULL;
}

static bool brand_starts(const char *p, const char *end, const char *prefix)
{
    size_t k = strlen(prefix);
    return (size_t)(end - p) >= k && memcmp(p, prefix, k) == 0;
}

/* SVG: text whose first element, after a BOM, white space, an XML
 * declaration, comments and a DOCTYPE, is <svg. An internal DTD subset
 * ("[...]", where entities are declared) is refused outright. */
static enum err brand_logo_svg(const uint8_t *data, size_t n, struct brand_logo_info *out,
                               struct err_detail *d)
{
    if (!brand_utf8_text(data, n))
        return brand_not_image(d);
    const char *p = (const char *)data, *end = p + n;
    if (brand_starts(p, end, "\xef\xbb\xbf"))
        p += 3;
    for (;;) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
            p++;
        const char *close = NULL;
        size_t close_len = 1;
        if (brand_starts(p, end, "<?xml")) {
            close = brand_find(p, end, "?>");
            close_len = 2;
        } else if (brand_starts(p, end, "<!--")) {
            close = brand_find(p + 4, end, "-->");
            close_len = 3;
        } else if (brand_starts(p, end, "<!DOCTYPE")) {
            close = brand_find(p, end, ">");
            if (close != NULL && memchr(p, '[', (size_t)(close - p)) != NULL)
                return err_set(d, ERR_VALIDATION, "file",
                               "an SVG with its own DTD declarations is not accepted");
        } else
            break;
        if (close == NULL)
            return brand_not_image(d);
        p = close + close_len;
    }
    if (!brand_starts(p, end, "<svg") || p + 4 >= end || strchr(" \t\r\n>/", p[4]) == NULL)
        return brand_not_image(d);
    out->type = BRAND_LOGO_SVG;
    out->width = 0;
    out->height = 0;
    return ERR_OK;
}

enum err brand_logo_check(const uint8_t *data, size_t n, struct brand_logo_info *out,
                          struct err_detail *d)
{
    ASSERT(out != NULL);
    ASSERT(data != NULL || n == 0);
    memset(out, 0, sizeof(*out));
    if (n > BRAND_LOGO_BYTES_MAX)
        return err_set(d, ERR_TOO_LARGE, "file", "the logo is larger than %u KiB",
                       BRAND_LOGO_BYTES_MAX / 1024);
    if (n == 0)
        return err_set(d, ERR_VALIDATION, "file", "the file is empty");
    static const uint8_t png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    enum err rc;
    if (n >= sizeof(png) && memcmp(data, png, sizeof(png)) == 0)
        rc = brand_logo_png(data, n, out, d);
    else if (n >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
        rc = brand_logo_jpeg(data, n, out, d);
    else
        rc = brand_logo_svg(data, n, out, d);
    if (rc != ERR_OK || out->type == BRAND_LOGO_SVG)
        return rc;
    if (out->width == 0 || out->height == 0 || out->width > BRAND_LOGO_SIDE_MAX ||
        out->height > BRAND_LOGO_SIDE_MAX)
        return err_set(d, ERR_VALIDATION, "file",
                       "the image is %u x %u pixels: each side must be 1 to %d", out->width,
                       out->height, BRAND_LOGO_SIDE_MAX);
    return ERR_OK;
}

static int brand_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool brand_color_parse(const char *text, uint8_t rgb[3])
{
    if (text == NULL || strlen(text) != 7 || text[0] != '#')
        return false;
    for (int i = 0; i < 3; i++) {
        int hi = brand_hex_digit(text[1 + 2 * i]), lo = brand_hex_digit(text[2 + 2 * i]);
        if (hi < 0 || lo < 0)
            return false;
        rgb[i] = (uint8_t)(hi * 16 + lo);
    }
    return true;
}

/* An sRGB channel's linear value (WCAG 2 relative luminance). */
static double brand_linear(uint8_t c)
{
    double v = c / 255.0;
    return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

int brand_contrast_white_x100(const uint8_t rgb[3])
{
    double l = 0.2126 * brand_linear(rgb[0]) + 0.7152 * brand_linear(rgb[1]) +
               0.0722 * brand_linear(rgb[2]);
    ASSERT(l >= 0.0 && l <= 1.0 + 1e-9);
    /* The epsilon keeps a ratio of exactly n.nn from rounding below it. */
    return (int)floor(1.05 / (l + 0.05) * 100.0 + 1e-9);
}
