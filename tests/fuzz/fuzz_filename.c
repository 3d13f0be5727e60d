/*
 * Fuzz target: client file names (src/base/filename.c). A name arrives in
 * a multipart part header, is kept as metadata and goes back out in a
 * Content-Disposition header, as filename="<ascii>" and
 * filename*=UTF-8''<percent-encoded>.
 *
 * Input: the name as the client sent it.
 *
 * Properties: the sanitized name is 1 to FILE_NAME_BYTES_MAX bytes of
 * valid UTF-8, holds no path separator, control character, quote, ';' or
 * bidirectional override, is neither "." nor "..", is the client's last
 * path segment when that was already clean, and sanitizing it again changes
 * nothing; its ASCII form is printable ASCII without quote, backslash or
 * ';'; its percent-encoding holds only RFC 8187 attr-chars and %XX, and
 * decodes back to the name.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#include "fuzz.h"

static bool fuzz_filename_is_clean_byte(unsigned char c)
{
    return c >= 0x20 && c != 0x7f && c != '/' && c != '\\' && c != '"' && c != '\'' && c != ';';
}

/* Whether UTF-8 text s holds a code point sanitize must drop: C1
 * controls and the bidirectional marks, embeddings, overrides and isolates
 * (U+200E, U+200F, U+202A..U+202E, U+2066..U+2069). Invalid sequences are
 * the UTF-8 check's business and skipped here. */
static bool fuzz_filename_has_dropped_mark(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : 4;
        uint32_t cp = len == 1 ? *p : *p & (0x7f >> len);
        size_t k = 1;
        for (; k < len && (p[k] & 0xc0) == 0x80; k++)
            cp = (cp << 6) | (p[k] & 0x3f);
        if (k == len && ((cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
                         (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)))
            return true;
        p += k;
    }
    return false;
}

static void fuzz_filename_sanitized(const char *client, const char *name, size_t len)
{
    FUZZ_CHECK(len == strlen(name) && len >= 1 && len <= FILE_NAME_BYTES_MAX, "name of %zu bytes",
               len);
    FUZZ_CHECK(fuzz_utf8_is_valid(name, len), "'%s' is not UTF-8", name);
    for (size_t i = 0; i < len; i++)
        FUZZ_CHECK(fuzz_filename_is_clean_byte((unsigned char)name[i]), "'%s' holds byte %#x", name,
                   (unsigned char)name[i]);
    FUZZ_CHECK(!fuzz_filename_has_dropped_mark(name), "'%s' holds a mark to drop", name);
    FUZZ_CHECK(strcmp(name, ".") != 0 && strcmp(name, "..") != 0, "name '%s'", name);
    char again[FILE_NAME_BYTES_MAX + 1];
    filename_sanitize(name, again);
    FUZZ_CHECK(strcmp(again, name) == 0, "'%s' sanitizes again to '%s'", name, again);
    /* A last segment that was clean already is kept as it is. */
    const char *slash = strrchr(client, '/'), *back = strrchr(client, '\\');
    const char *base = slash > back ? slash + 1 : back != NULL ? back + 1 : client;
    size_t base_len = strlen(base);
    bool clean = base_len > 0 && base_len <= FILE_NAME_BYTES_MAX &&
                 fuzz_utf8_is_valid(base, base_len) && !fuzz_filename_has_dropped_mark(base) &&
                 strcmp(base, ".") != 0 && strcmp(base, "..") != 0;
    for (size_t i = 0; clean && i < base_len; i++)
        clean = fuzz_filename_is_clean_byte((unsigned char)base[i]);
    if (clean)
        FUZZ_CHECK(strcmp(name, base) == 0, "clean '%s' became '%s'", base, name);
}

static int fuzz_filename_hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void fuzz_filename_encodings(const char *name)
{
    char ascii[FILE_NAME_BYTES_MAX + 1];
    filename_ascii(name, ascii);
    FUZZ_CHECK(strlen(ascii) >= 1 && strlen(ascii) <= strlen(name), "ascii '%s'", ascii);
    for (const char *p = ascii; *p; p++)
        FUZZ_CHECK(*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' && *p != ';',
                   "ascii form '%s' holds %#x", ascii, (unsigned char)*p);
    char encoded[3 * FILE_NAME_BYTES_MAX + 1];
    FUZZ_CHECK(filename_percent_encode(name, encoded, sizeof(encoded)), "'%s' does not encode",
               name);
    char decoded[FILE_NAME_BYTES_MAX + 1];
    size_t n = 0;
    for (const char *p = encoded; *p; p++) {
        FUZZ_CHECK(n < sizeof(decoded) - 1, "'%s' decodes longer than it was", encoded);
        if (*p == '%') {
            int hi = fuzz_filename_hex(p[1]), lo = hi >= 0 ? fuzz_filename_hex(p[2]) : -1;
            FUZZ_CHECK(lo >= 0, "'%s' has a bad escape", encoded);
            decoded[n++] = (char)(hi * 16 + lo);
            p += 2;
            continue;
        }
        FUZZ_CHECK(strchr("!#$&+-.^_`|~", *p) != NULL || (*p >= 'a' && *p <= 'z') ||
                       (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'),
                   "'%s' holds '%c' unescaped", encoded, *p);
        decoded[n++] = *p;
    }
    decoded[n] = '\0';
    FUZZ_CHECK(strcmp(decoded, name) == 0, "'%s' encodes as '%s'", name, encoded);
    /* Too small a buffer is refused, never overrun. */
    char tiny[8];
    bool fits = filename_percent_encode(name, tiny, sizeof(tiny));
    FUZZ_CHECK(!fits || strlen(tiny) < sizeof(tiny), "a small buffer overran");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    char *client = fuzz_take_rest(&in, NULL);
    char name[FILE_NAME_BYTES_MAX + 1];
    size_t len = filename_sanitize(client, name);
    fuzz_filename_sanitized(client, name, len);
    fuzz_filename_encodings(name);
    free(client);
    return 0;
}
