/*
 * Shared by the libFuzzer drivers of tests/fuzz: cutting one input into the
 * pieces a parser takes, and the checks every driver makes.
 *
 * A driver is one file fuzz_<target>.c with LLVMFuzzerTestOneInput. It calls
 * the parser the way creditd does and then checks properties of the result
 * (a round trip, an independent reference, the output's bounds) with
 * FUZZ_CHECK, which prints what failed and aborts so that libFuzzer keeps
 * the input. Nothing here may depend on the order inputs arrive in: each
 * call starts from scratch.
 */
#ifndef CREDITD_FUZZ_H
#define CREDITD_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fails the input: prints the condition and a message, then aborts. */
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                                     \
    } while (0)

_Noreturn void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* An input being cut into pieces, front to back. */
struct fuzz_in {
    const uint8_t *data;
    size_t size;
};

/* The bytes up to the next sep (not included; the rest when there is
 * none) as a new NUL-terminated string, and moves past sep. A NUL inside
 * ends the C string early, as it would for the parser. Free with free(). */
char *fuzz_take_until(struct fuzz_in *in, char sep);
/* The rest of the input as a new NUL-terminated string (*len its bytes). */
char *fuzz_take_rest(struct fuzz_in *in, size_t *len);
/* The next byte, 0 when the input is used up. */
uint8_t fuzz_take_byte(struct fuzz_in *in);
/* The next 8 bytes as an integer (fewer when the input ends). */
uint64_t fuzz_take_u64(struct fuzz_in *in);

/* Whether s[0..n) is well-formed UTF-8 (no overlong forms, surrogates or
 * code points past U+10FFFF): an independent check for the drivers. */
bool fuzz_utf8_is_valid(const char *s, size_t n);

/* ---- reference models ---------------------------------------------------- */

/* An amount as DESIGN §3 writes it, read independently of amount_parse:
 * -?(0|[1-9][0-9]*)(\.[0-9]{1,scale})?, at most ±AMOUNT_MAX_MINOR minor
 * units. RANGE only for text of the right form. */
enum fuzz_amount { FUZZ_AMOUNT_OK, FUZZ_AMOUNT_MALFORMED, FUZZ_AMOUNT_RANGE };
enum fuzz_amount fuzz_amount_reference(const char *s, int scale, int64_t *out_minor);

/* An id as the API writes it, "<prefix>_<n>" or a bare n, n a positive
 * int64 without leading zeros; false for anything else. */
bool fuzz_id_reference(const char *s, const char *prefix, int64_t *out);

#endif
