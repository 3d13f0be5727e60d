/*
 * Fuzz target: CSV fields (buf_csv_field in src/base/buf.c), as the ledger
 * export writes a record: fields joined by ',' and ended by a line feed.
 *
 * Input: the fields, separated by 0x1f (unit separator); the first byte
 * also picks the buffer's maximum, small enough to run out sometimes.
 *
 * Properties: the record reads back, under RFC 4180 (a field is either
 * free of ',', '"', CR and LF, or quoted with inner quotes doubled), as
 * exactly the fields written; a field that needs no quotes is written as it
 * is; when the buffer's maximum is reached the call says ERR_TOO_LARGE and
 * the buffer never holds more than its maximum.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#include "fuzz.h"

enum { FUZZ_CSV_FIELDS_MAX = 32 };

/* Reads one RFC 4180 field at *p; false when it is malformed. The field's
 * text goes to out (at least as long as the record). */
static bool fuzz_csv_read_field(const char **p, const char *end, char *out, size_t *len)
{
    const char *s = *p;
    *len = 0;
    if (s < end && *s == '"') {
        for (s++;; s++) {
            if (s == end)
                return false;
            if (*s == '"') {
                if (s + 1 < end && s[1] == '"') {
                    out[(*len)++] = '"';
                    s++;
                    continue;
                }
                s++;
                break;
            }
            out[(*len)++] = *s;
        }
    } else {
        for (; s < end && *s != ',' && *s != '\n'; s++) {
            if (*s == '"' || *s == '\r')
                return false;
            out[(*len)++] = *s;
        }
    }
    *p = s;
    return s < end && (*s == ',' || *s == '\n');
}

static void fuzz_csv_check_record(const struct buf *b, char **fields, size_t n)
{
    const char *p = b->data, *end = b->data + b->len;
    char *field = malloc(b->len + 1);
    FUZZ_CHECK(field != NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        FUZZ_CHECK(fuzz_csv_read_field(&p, end, field, &len), "field %zu does not read back", i);
        FUZZ_CHECK(len == strlen(fields[i]) && memcmp(field, fields[i], len) == 0,
                   "field %zu reads back as another text", i);
        FUZZ_CHECK(*p == (i + 1 < n ? ',' : '\n'), "field %zu is not followed by its separator", i);
        p++;
    }
    FUZZ_CHECK(p == end, "the record goes on after its last field");
    free(field);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    size_t max = 16 + (size_t)fuzz_take_byte(&in) * 64;
    char *fields[FUZZ_CSV_FIELDS_MAX];
    size_t n = 0;
    while (n < FUZZ_CSV_FIELDS_MAX && (n == 0 || in.size > 0))
        fields[n++] = fuzz_take_until(&in, 0x1f);

    struct buf b;
    buf_init(&b, max);
    enum err rc = ERR_OK;
    for (size_t i = 0; i < n && rc == ERR_OK; i++) {
        if (i > 0)
            rc = buf_puts(&b, ",");
        size_t before = b.len;
        if (rc == ERR_OK)
            rc = buf_csv_field(&b, fields[i]);
        if (rc == ERR_OK && strpbrk(fields[i], ",\"\r\n") == NULL)
            FUZZ_CHECK(b.len - before == strlen(fields[i]) &&
                           memcmp(b.data + before, fields[i], b.len - before) == 0,
                       "plain field %zu was changed", i);
    }
    if (rc == ERR_OK)
        rc = buf_puts(&b, "\n");
    FUZZ_CHECK(rc == ERR_OK || rc == ERR_TOO_LARGE, "writing gave %s", err_code(rc));
    FUZZ_CHECK(b.len < max && b.cap <= max, "the buffer holds %zu of at most %zu", b.len, max);
    if (rc == ERR_OK)
        fuzz_csv_check_record(&b, fields, n);
    FUZZ_CHECK(buf_csv_field(&b, NULL) == ERR_OK, "a NULL field is not nothing");
    buf_release(&b);
    for (size_t i = 0; i < n; i++)
        free(fields[i]);
    return 0;
}
