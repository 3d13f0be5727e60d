/*
 * Unit tests of Stripe webhook signatures (gateway/stripe_sig.c): a delivery
 * passes only when one of its v1 signatures is the HMAC of "<t>.<body>" under
 * the endpoint secret and t is within the tolerance of now.
 *
 * Method: a known vector computed independently (openssl dgst -sha256 -hmac)
 * pins the MAC; every other case signs a fixed body with stripe_signature_make
 * at a fixed "now" and then breaks one thing (the secret, one byte of the body,
 * the timestamp, the header's shape). Each refusal must say which check failed
 * and must not hold the secret.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "gateway/gateway.h"

#define SECRET    "whsec_test_secret"
#define NOW       INT64_C(1700000000)
#define TOLERANCE INT64_C(300)

static const char body[] = "{\"id\":\"evt_1\",\"object\":\"event\"}";

static enum err sig_verify(const char *header, const char *text, const char *secret, int64_t now,
                           struct err_detail *d)
{
    return stripe_signature_verify(header, text, strlen(text), secret, now, TOLERANCE, d);
}

static void sig_assert_refused(const char *header, const char *text, const char *secret,
                               int64_t now, const char *why)
{
    struct err_detail d = {0};
    enum err rc = sig_verify(header, text, secret, now, &d);
    if (rc != ERR_SIGNATURE_INVALID)
        fail_msg("header '%s': got %s, want signature_invalid", header ? header : "(null)",
                 err_code(rc));
    if (strstr(d.message, why) == NULL)
        fail_msg("header '%s': message '%s' does not say '%s'", header ? header : "(null)",
                 d.message, why);
    assert_null(strstr(d.message, secret));
    assert_null(strstr(d.message, "whsec_"));
}

static void sig_make(const char *text, int64_t t, char *out, size_t n)
{
    stripe_signature_make(text, strlen(text), SECRET, t, out, n);
}

static void signature_matches_an_independently_computed_vector(void **state)
{
    (void)state;
    char header[STRIPE_SIGNATURE_BYTES];
    sig_make(body, NOW, header, sizeof(header));
    assert_string_equal(
        header, "t=1700000000,v1=0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd");
}

static void a_signature_made_with_the_secret_verifies(void **state)
{
    (void)state;
    char header[STRIPE_SIGNATURE_BYTES];
    sig_make(body, NOW, header, sizeof(header));
    struct err_detail d = {0};
    assert_int_equal(sig_verify(header, body, SECRET, NOW, &d), ERR_OK);
}

static void a_signature_made_with_another_secret_is_refused_as_a_mismatch(void **state)
{
    (void)state;
    char header[STRIPE_SIGNATURE_BYTES];
    stripe_signature_make(body, strlen(body), "whsec_other_secret", NOW, header, sizeof(header));
    sig_assert_refused(header, body, SECRET, NOW, "no v1 signature matches");
}

static void a_tampered_body_is_refused_as_a_mismatch(void **state)
{
    (void)state;
    char header[STRIPE_SIGNATURE_BYTES];
    sig_make(body, NOW, header, sizeof(header));
    char tampered[sizeof(body)];
    memcpy(tampered, body, sizeof(body));
    tampered[12] = '2'; /* evt_1 becomes evt_2 */
    sig_assert_refused(header, tampered, SECRET, NOW, "no v1 signature matches");
}

static void a_timestamp_changed_after_signing_is_refused_as_a_mismatch(void **state)
{
    (void)state;
    char header[STRIPE_SIGNATURE_BYTES];
    sig_make(body, NOW, header, sizeof(header));
    header[11] = '1'; /* t=1700000000 becomes t=1700000001: still fresh, but not signed */
    sig_assert_refused(header, body, SECRET, NOW, "no v1 signature matches");
}

static void a_timestamp_exactly_at_the_tolerance_passes(void **state)
{
    (void)state;
    char header[STRIPE_SIGNATURE_BYTES];
    struct err_detail d = {0};
    sig_make(body, NOW - TOLERANCE, header, sizeof(header));
    assert_int_equal(sig_verify(header, body, SECRET, NOW, &d), ERR_OK);
    sig_make(body, NOW + TOLERANCE, header, sizeof(header));
    assert_int_equal(sig_verify(header, body, SECRET, NOW, &d), ERR_OK);
}

static void a_timestamp_older_than_the_tolerance_is_refused_as_stale(void **state)
{
    (void)state;
    char header[STRIPE_SIGNATURE_BYTES];
    sig_make(body, NOW - TOLERANCE - 1, header, sizeof(header));
    sig_assert_refused(header, body, SECRET, NOW, "301 s old, beyond the tolerance of 300 s");
}

static void a_timestamp_further_ahead_than_the_tolerance_is_refused(void **state)
{
    (void)state;
    char header[STRIPE_SIGNATURE_BYTES];
    sig_make(body, NOW + 3600, header, sizeof(header));
    sig_assert_refused(header, body, SECRET, NOW, "3600 s in the future");
}

static void one_right_v1_among_several_passes(void **state)
{
    (void)state;
    char good[STRIPE_SIGNATURE_BYTES], header[512];
    sig_make(body, NOW, good, sizeof(good));
    const char *v1 = strstr(good, "v1=");
    assert_non_null(v1);
    /* A rolled secret: Stripe signs with the old and the new one for a while. */
    assert_true(
        str_format(header, sizeof(header),
                   "t=%lld,v1=%064d,v1=not-hex,%s,v0=6ffbb59b2300aae63f272406069a9788598b792a9"
                   "44a07aba816edb039989a39",
                   (long long)NOW, 0, v1));
    struct err_detail d = {0};
    assert_int_equal(sig_verify(header, body, SECRET, NOW, &d), ERR_OK);
}

static void only_a_v0_signature_is_refused_as_having_no_v1(void **state)
{
    (void)state;
    char good[STRIPE_SIGNATURE_BYTES], header[256];
    sig_make(body, NOW, good, sizeof(good));
    /* Even the right MAC does not count under the test-mode scheme v0. */
    assert_true(str_format(header, sizeof(header), "t=%lld,v0=%s", (long long)NOW,
                           strstr(good, "v1=") + 3));
    sig_assert_refused(header, body, SECRET, NOW, "no v1 signature");
}

static void a_header_without_a_timestamp_is_refused(void **state)
{
    (void)state;
    char good[STRIPE_SIGNATURE_BYTES];
    sig_make(body, NOW, good, sizeof(good));
    sig_assert_refused(strstr(good, "v1="), body, SECRET, NOW, "no timestamp");
}

static void a_malformed_timestamp_is_refused(void **state)
{
    (void)state;
    sig_assert_refused("t=17000x0000,v1=00", body, SECRET, NOW, "malformed");
    sig_assert_refused("t=-5,v1=00", body, SECRET, NOW, "malformed");
    sig_assert_refused("t=,v1=00", body, SECRET, NOW, "malformed");
    sig_assert_refused("t=99999999999999999999,v1=00", body, SECRET, NOW, "malformed");
    sig_assert_refused("t=1,t=2,v1=00", body, SECRET, NOW, "repeated");
}

static void garbage_is_refused_as_malformed(void **state)
{
    (void)state;
    sig_assert_refused("garbage", body, SECRET, NOW, "malformed");
    sig_assert_refused("t=1700000000;v1=abc", body, SECRET, NOW, "malformed");
    sig_assert_refused("t=1700000000,,v1", body, SECRET, NOW, "malformed");
}

static void an_empty_header_is_refused_as_missing(void **state)
{
    (void)state;
    sig_assert_refused("", body, SECRET, NOW, "missing");
}

static void a_null_header_is_refused_as_missing(void **state)
{
    (void)state;
    sig_assert_refused(NULL, body, SECRET, NOW, "missing");
}

static void without_a_webhook_secret_webhooks_are_refused_as_not_configured(void **state)
{
    (void)state;
    char header[STRIPE_SIGNATURE_BYTES];
    sig_make(body, NOW, header, sizeof(header));
    struct err_detail d = {0};
    assert_int_equal(sig_verify(header, body, "", NOW, &d), ERR_GATEWAY_NOT_CONFIGURED);
    assert_int_equal(sig_verify(header, body, NULL, NOW, &d), ERR_GATEWAY_NOT_CONFIGURED);
}

static void an_empty_body_is_signed_like_any_other(void **state)
{
    (void)state;
    char header[STRIPE_SIGNATURE_BYTES];
    sig_make("", NOW, header, sizeof(header));
    struct err_detail d = {0};
    assert_int_equal(stripe_signature_verify(header, NULL, 0, SECRET, NOW, TOLERANCE, &d), ERR_OK);
    sig_assert_refused(header, "x", SECRET, NOW, "no v1 signature matches");
}

static int sig_setup(void **state)
{
    (void)state;
    return crypto_init() == ERR_OK ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signature_matches_an_independently_computed_vector),
        cmocka_unit_test(a_signature_made_with_the_secret_verifies),
        cmocka_unit_test(a_signature_made_with_another_secret_is_refused_as_a_mismatch),
        cmocka_unit_test(a_tampered_body_is_refused_as_a_mismatch),
        cmocka_unit_test(a_timestamp_changed_after_signing_is_refused_as_a_mismatch),
        cmocka_unit_test(a_timestamp_exactly_at_the_tolerance_passes),
        cmocka_unit_test(a_timestamp_older_than_the_tolerance_is_refused_as_stale),
        cmocka_unit_test(a_timestamp_further_ahead_than_the_tolerance_is_refused),
        cmocka_unit_test(one_right_v1_among_several_passes),
        cmocka_unit_test(only_a_v0_signature_is_refused_as_having_no_v1),
        cmocka_unit_test(a_header_without_a_timestamp_is_refused),
        cmocka_unit_test(a_malformed_timestamp_is_refused),
        cmocka_unit_test(garbage_is_refused_as_malformed),
        cmocka_unit_test(an_empty_header_is_refused_as_missing),
        cmocka_unit_test(a_null_header_is_refused_as_missing),
        cmocka_unit_test(without_a_webhook_secret_webhooks_are_refused_as_not_configured),
        cmocka_unit_test(an_empty_body_is_signed_like_any_other),
    };
    return cmocka_run_group_tests(tests, sig_setup, NULL);
}
