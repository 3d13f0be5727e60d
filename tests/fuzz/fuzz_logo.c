/*
 * Fuzz target: the logo check (src/core/brand.c), which decides by their
 * bytes whether an admin's upload is a PNG, JPEG or SVG and how large it is.
 *
 * Input: the file's bytes, in a buffer of exactly their size (ASan sees any
 * read past the end).
 *
 * Properties: the answer is ERR_OK, ERR_VALIDATION or ERR_TOO_LARGE; a
 * refusal names the field "file" and says why; an accepted file is what its
 * type says: a PNG starts with the signature and ends with the IEND chunk,
 * a JPEG starts with FF D8 FF, both with sides of 1 to BRAND_LOGO_SIDE_MAX
 * pixels; an SVG is well-formed UTF-8 (the drivers' own check) without NUL
 * and holds "<svg"; nothing past BRAND_LOGO_BYTES_MAX is accepted; and the
 * same bytes get the same answer again.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#include "fuzz.h"

static void fuzz_logo_accepted(const uint8_t *data, size_t size, const struct brand_logo_info *info)
{
    static const uint8_t png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const uint8_t iend[8] = {'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
    FUZZ_CHECK(size > 0 && size <= BRAND_LOGO_BYTES_MAX, "accepted %zu bytes", size);
    switch (info->type) {
    case BRAND_LOGO_PNG:
        FUZZ_CHECK(size >= 45 && memcmp(data, png, 8) == 0 && memcmp(data + size - 8, iend, 8) == 0,
                   "a PNG of %zu bytes without signature or IEND", size);
        break;
    case BRAND_LOGO_JPEG:
        FUZZ_CHECK(data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff, "a JPEG without SOI");
        break;
    case BRAND_LOGO_SVG:
        FUZZ_CHECK(memchr(data, 0, size) == NULL, "an SVG with a NUL");
        FUZZ_CHECK(fuzz_utf8_is_valid((const char *)data, size), "an SVG that is not UTF-8");
        FUZZ_CHECK(memmem(data, size, "<svg", 4) != NULL, "an SVG without <svg");
        FUZZ_CHECK(info->width == 0 && info->height == 0, "an SVG with a size");
        return;
    default:
        FUZZ_CHECK(false, "type %d", (int)info->type);
    }
    FUZZ_CHECK(info->width >= 1 && info->width <= BRAND_LOGO_SIDE_MAX && info->height >= 1 &&
                   info->height <= BRAND_LOGO_SIDE_MAX,
               "accepted %u x %u pixels", info->width, info->height);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size > 0 ? size : 1);
    FUZZ_CHECK(copy != NULL, "out of memory");
    if (size > 0)
        memcpy(copy, data, size);
    struct brand_logo_info info;
    struct err_detail d = {0};
    enum err rc = brand_logo_check(copy, size, &info, &d);
    FUZZ_CHECK(rc == ERR_OK || rc == ERR_VALIDATION || rc == ERR_TOO_LARGE, "answer %s",
               err_code(rc));
    if (rc == ERR_OK) {
        fuzz_logo_accepted(copy, size, &info);
    } else {
        FUZZ_CHECK(strcmp(d.field, "file") == 0, "a refusal names '%s'", d.field);
        FUZZ_CHECK(d.message[0] != '\0', "a refusal without a reason");
    }
    struct brand_logo_info again;
    struct err_detail d2 = {0};
    FUZZ_CHECK(brand_logo_check(copy, size, &again, &d2) == rc, "a second answer differs");
    FUZZ_CHECK(rc != ERR_OK || memcmp(&info, &again, sizeof(info)) == 0, "a second size differs");
    free(copy);
    return 0;
}
