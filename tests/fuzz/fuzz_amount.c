/*
 * Fuzz target: amounts (src/core/money.c). amount_parse at every scale, the
 * checked arithmetic, and credit type codes.
 *
 * Input: a scale byte, then the amount text (for the arithmetic, the same
 * bytes read as integers).
 *
 * Properties: amount_parse agrees with an independent reading of DESIGN §3
 * (the form -?(0|[1-9][0-9]*)(\.[0-9]{1,scale})?, at most ±AMOUNT_MAX_MINOR,
 * ERR_OVERFLOW past it) and leaves its output alone when it refuses; what it
 * takes survives amount_format and back, and amount_format's text has
 * exactly `scale` decimals; amount_add and amount_scale_up equal the exact
 * result or refuse when that is past the maximum; code_is_valid takes
 * exactly [a-z][a-z0-9_]* below CODE_BYTES_MAX.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#include "fuzz.h"

#define UNTOUCHED INT64_C(-777)

static void fuzz_amount_parse(const char *text, int scale)
{
    int64_t got = UNTOUCHED, want = 0;
    enum err rc = amount_parse(text, scale, &got);
    enum fuzz_amount ref = fuzz_amount_reference(text, scale, &want);
    FUZZ_CHECK((rc == ERR_OK) == (ref == FUZZ_AMOUNT_OK), "'%s' at scale %d: %s, reference %d",
               text, scale, err_code(rc), ref);
    if (ref == FUZZ_AMOUNT_RANGE)
        FUZZ_CHECK(rc == ERR_OVERFLOW, "'%s' past the maximum gave %s", text, err_code(rc));
    if (rc != ERR_OK) {
        FUZZ_CHECK(rc == ERR_VALIDATION || rc == ERR_OVERFLOW, "'%s' gave %s", text, err_code(rc));
        FUZZ_CHECK(got == UNTOUCHED, "'%s' was refused but wrote its output", text);
        return;
    }
    FUZZ_CHECK(got == want, "'%s' at scale %d read %lld, reference %lld", text, scale,
               (long long)got, (long long)want);
    char printed[AMOUNT_TEXT_BYTES];
    amount_format(got, scale, printed, sizeof(printed));
    int64_t back = UNTOUCHED;
    FUZZ_CHECK(amount_parse(printed, scale, &back) == ERR_OK && back == got,
               "'%s' = %lld prints as '%s', which reads back as %lld", text, (long long)got,
               printed, (long long)back);
    const char *dot = strchr(printed, '.');
    FUZZ_CHECK(scale == 0 ? dot == NULL : dot != NULL && strlen(dot + 1) == (size_t)scale,
               "'%s' printed with the wrong decimals at scale %d", printed, scale);
}

/* amount_format and back for any amount in range, at any scale. */
static void fuzz_amount_format(int64_t minor, int scale)
{
    if (minor < -AMOUNT_MAX_MINOR || minor > AMOUNT_MAX_MINOR)
        minor %= AMOUNT_MAX_MINOR + 1;
    char printed[AMOUNT_TEXT_BYTES];
    amount_format(minor, scale, printed, sizeof(printed));
    int64_t back = UNTOUCHED;
    FUZZ_CHECK(amount_parse(printed, scale, &back) == ERR_OK && back == minor,
               "%lld prints as '%s' at scale %d, which reads back as %lld", (long long)minor,
               printed, scale, (long long)back);
}

static void fuzz_amount_arithmetic(int64_t a, int64_t b)
{
    int64_t got = UNTOUCHED;
    __int128 sum = (__int128)a + b;
    bool fits = sum >= -AMOUNT_MAX_MINOR && sum <= AMOUNT_MAX_MINOR;
    enum err rc = amount_add(a, b, &got);
    FUZZ_CHECK(rc == (fits ? ERR_OK : ERR_OVERFLOW), "%lld + %lld: %s", (long long)a, (long long)b,
               err_code(rc));
    FUZZ_CHECK(fits ? got == (int64_t)sum : got == UNTOUCHED, "%lld + %lld = %lld", (long long)a,
               (long long)b, (long long)got);
    /* amount_scale_up takes an amount and a multiplier (permille) above 0. */
    int64_t amount = a < 0 ? -(a + 1) : a;
    int32_t permille = (int32_t)((uint64_t)b % 100000) + 1;
    __int128 exact = ((__int128)amount * permille + 999) / 1000;
    got = UNTOUCHED;
    rc = amount_scale_up(amount, permille, &got);
    fits = exact <= AMOUNT_MAX_MINOR;
    FUZZ_CHECK(rc == (fits ? ERR_OK : ERR_OVERFLOW), "%lld x %d/1000: %s", (long long)amount,
               permille, err_code(rc));
    FUZZ_CHECK(!fits || got == (int64_t)exact, "%lld x %d/1000 = %lld, not %lld", (long long)amount,
               permille, (long long)got, (long long)exact);
}

static void fuzz_amount_code(const char *code)
{
    size_t n = strlen(code);
    bool want = n > 0 && n < CODE_BYTES_MAX && code[0] >= 'a' && code[0] <= 'z' &&
                strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
    FUZZ_CHECK(code_is_valid(code) == want, "code '%s' valid %d", code, !want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    int scale = fuzz_take_byte(&in) % (CREDIT_SCALE_MAX + 1);
    struct fuzz_in numbers = in;
    char *text = fuzz_take_rest(&in, NULL);
    fuzz_amount_parse(text, scale);
    fuzz_amount_code(text);
    int64_t a = (int64_t)fuzz_take_u64(&numbers), b = (int64_t)fuzz_take_u64(&numbers);
    fuzz_amount_format(a == INT64_MIN ? 0 : a, scale);
    fuzz_amount_arithmetic(a, b);
    free(text);
    return 0;
}
