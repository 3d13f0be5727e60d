/*
 * Unit tests of the webhook SSRF guard (notify/notify_addr.c) and of webhook
 * signatures (notify/notify_webhook.c): every special address range is
 * refused (its edges on both sides), an IPv6 form of an IPv4 address counts
 * as that address, and a receiver's URL is refused before any connection
 * when its scheme, user information, zone or host is not allowed.
 *
 * Method: the classification is a table of addresses (text, through
 * inet_pton) and the class each must get. The URL check runs on literal
 * addresses and on "localhost" (from /etc/hosts), so no test needs a DNS
 * server. The signature is checked against a vector computed independently:
 *   printf '%s' '1700000000.{"id":"evt_1","type":"order.created"}' |
 *     openssl dgst -sha256 -hmac 'whsec_creditd_test'
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include "notify/notify_int.h"

static enum notify_addr_class classify(const char *text)
{
    uint8_t bytes[16];
    if (inet_pton(AF_INET, text, bytes) == 1)
        return notify_addr_classify(AF_INET, bytes);
    if (inet_pton(AF_INET6, text, bytes) == 1)
        return notify_addr_classify(AF_INET6, bytes);
    fail_msg("'%s' is not an address", text);
    return NOTIFY_ADDR_PUBLIC;
}

struct row {
    const char *addr;
    enum notify_addr_class want;
};

static void assert_table(const struct row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        enum notify_addr_class got = classify(rows[i].addr);
        if (got != rows[i].want)
            fail_msg("%s: got %s, want %s", rows[i].addr, notify_addr_class_name(got),
                     notify_addr_class_name(rows[i].want));
    }
}

static void ipv4_ranges_and_their_edges_are_classified(void **state)
{
    (void)state;
    static const struct row rows[] = {
        {"0.0.0.0", NOTIFY_ADDR_UNSPECIFIED},
        {"0.255.255.255", NOTIFY_ADDR_UNSPECIFIED},
        {"1.0.0.0", NOTIFY_ADDR_PUBLIC},
        {"9.255.255.255", NOTIFY_ADDR_PUBLIC},
        {"10.0.0.0", NOTIFY_ADDR_PRIVATE},
        {"10.255.255.255", NOTIFY_ADDR_PRIVATE},
        {"11.0.0.0", NOTIFY_ADDR_PUBLIC},
        {"100.63.255.255", NOTIFY_ADDR_PUBLIC},
        {"100.64.0.0", NOTIFY_ADDR_SHARED},
        {"100.127.255.255", NOTIFY_ADDR_SHARED},
        {"100.128.0.0", NOTIFY_ADDR_PUBLIC},
        {"126.255.255.255", NOTIFY_ADDR_PUBLIC},
        {"127.0.0.1", NOTIFY_ADDR_LOOPBACK},
        {"127.255.255.254", NOTIFY_ADDR_LOOPBACK},
        {"128.0.0.0", NOTIFY_ADDR_PUBLIC},
        {"169.253.255.255", NOTIFY_ADDR_PUBLIC},
        {"169.254.0.0", NOTIFY_ADDR_LINK_LOCAL},
        {"169.254.169.254", NOTIFY_ADDR_LINK_LOCAL}, /* cloud metadata */
        {"169.254.255.255", NOTIFY_ADDR_LINK_LOCAL},
        {"169.255.0.0", NOTIFY_ADDR_PUBLIC},
        {"172.15.255.255", NOTIFY_ADDR_PUBLIC},
        {"172.16.0.0", NOTIFY_ADDR_PRIVATE},
        {"172.31.255.255", NOTIFY_ADDR_PRIVATE},
        {"172.32.0.0", NOTIFY_ADDR_PUBLIC},
        {"192.0.0.1", NOTIFY_ADDR_RESERVED},
        {"192.0.2.1", NOTIFY_ADDR_RESERVED},
        {"192.0.3.1", NOTIFY_ADDR_PUBLIC},
        {"192.88.99.1", NOTIFY_ADDR_RESERVED},
        {"192.167.255.255", NOTIFY_ADDR_PUBLIC},
        {"192.168.0.0", NOTIFY_ADDR_PRIVATE},
        {"192.168.255.255", NOTIFY_ADDR_PRIVATE},
        {"192.169.0.0", NOTIFY_ADDR_PUBLIC},
        {"198.17.255.255", NOTIFY_ADDR_PUBLIC},
        {"198.18.0.0", NOTIFY_ADDR_RESERVED},
        {"198.19.255.255", NOTIFY_ADDR_RESERVED},
        {"198.20.0.0", NOTIFY_ADDR_PUBLIC},
        {"198.51.100.7", NOTIFY_ADDR_RESERVED},
        {"203.0.113.7", NOTIFY_ADDR_RESERVED},
        {"8.8.8.8", NOTIFY_ADDR_PUBLIC},
        {"93.184.216.34", NOTIFY_ADDR_PUBLIC},
        {"223.255.255.255", NOTIFY_ADDR_PUBLIC},
        {"224.0.0.1", NOTIFY_ADDR_MULTICAST},
        {"239.255.255.255", NOTIFY_ADDR_MULTICAST},
        {"240.0.0.1", NOTIFY_ADDR_RESERVED},
        {"255.255.255.254", NOTIFY_ADDR_RESERVED},
        {"255.255.255.255", NOTIFY_ADDR_BROADCAST},
    };
    assert_table(rows, sizeof(rows) / sizeof(rows[0]));
}

static void ipv6_ranges_and_ipv4_inside_ipv6_are_classified(void **state)
{
    (void)state;
    static const struct row rows[] = {
        {"::", NOTIFY_ADDR_UNSPECIFIED},
        {"::1", NOTIFY_ADDR_LOOPBACK},
        {"::2", NOTIFY_ADDR_UNSPECIFIED}, /* compatible form of 0.0.0.2 */
        {"::ffff:127.0.0.1", NOTIFY_ADDR_LOOPBACK},
        {"::ffff:7f00:1", NOTIFY_ADDR_LOOPBACK},
        {"::ffff:10.1.2.3", NOTIFY_ADDR_PRIVATE},
        {"::ffff:169.254.169.254", NOTIFY_ADDR_LINK_LOCAL},
        {"::ffff:0.0.0.0", NOTIFY_ADDR_UNSPECIFIED},
        {"::ffff:8.8.8.8", NOTIFY_ADDR_PUBLIC},
        {"::127.0.0.1", NOTIFY_ADDR_LOOPBACK}, /* IPv4-compatible */
        {"::192.168.1.1", NOTIFY_ADDR_PRIVATE},
        {"::ffff:0:172.16.0.1", NOTIFY_ADDR_PRIVATE}, /* IPv4-translated */
        {"64:ff9b::127.0.0.1", NOTIFY_ADDR_LOOPBACK}, /* NAT64 */
        {"64:ff9b::8.8.8.8", NOTIFY_ADDR_PUBLIC},
        {"64:ff9b:1::1", NOTIFY_ADDR_PRIVATE},
        {"2002:7f00:1::", NOTIFY_ADDR_LOOPBACK}, /* 6to4 of 127.0.0.1 */
        {"2002:c0a8:101::1", NOTIFY_ADDR_PRIVATE},
        {"2002:808:808::1", NOTIFY_ADDR_PUBLIC},
        {"fc00::1", NOTIFY_ADDR_PRIVATE},
        {"fdff:ffff::1", NOTIFY_ADDR_PRIVATE},
        {"fd00:ec2::254", NOTIFY_ADDR_PRIVATE},
        {"fe7f:ffff::1", NOTIFY_ADDR_RESERVED},
        {"fe80::1", NOTIFY_ADDR_LINK_LOCAL},
        {"febf:ffff::1", NOTIFY_ADDR_LINK_LOCAL},
        {"fec0::1", NOTIFY_ADDR_PRIVATE},
        {"ff02::1", NOTIFY_ADDR_MULTICAST},
        {"100::1", NOTIFY_ADDR_RESERVED},
        {"2001::1", NOTIFY_ADDR_RESERVED}, /* Teredo */
        {"2001:db8::1", NOTIFY_ADDR_RESERVED},
        {"2001:4860:4860::8888", NOTIFY_ADDR_PUBLIC},
        {"2a00:1450:4001::200e", NOTIFY_ADDR_PUBLIC},
        {"3fff:ffff::1", NOTIFY_ADDR_PUBLIC},
        {"4000::1", NOTIFY_ADDR_RESERVED},
        {"1fff::1", NOTIFY_ADDR_RESERVED},
    };
    assert_table(rows, sizeof(rows) / sizeof(rows[0]));
}

static void allow_private_opens_the_local_ranges_but_never_metadata(void **state)
{
    (void)state;
    assert_true(notify_addr_is_allowed(NOTIFY_ADDR_PUBLIC, false));
    for (int c = NOTIFY_ADDR_LOOPBACK; c <= NOTIFY_ADDR_RESERVED; c++)
        assert_false(notify_addr_is_allowed((enum notify_addr_class)c, false));
    assert_true(notify_addr_is_allowed(NOTIFY_ADDR_LOOPBACK, true));
    assert_true(notify_addr_is_allowed(NOTIFY_ADDR_PRIVATE, true));
    assert_true(notify_addr_is_allowed(NOTIFY_ADDR_SHARED, true));
    assert_false(notify_addr_is_allowed(NOTIFY_ADDR_LINK_LOCAL, true));
    assert_false(notify_addr_is_allowed(NOTIFY_ADDR_UNSPECIFIED, true));
    assert_false(notify_addr_is_allowed(NOTIFY_ADDR_MULTICAST, true));
    assert_false(notify_addr_is_allowed(NOTIFY_ADDR_BROADCAST, true));
    assert_false(notify_addr_is_allowed(NOTIFY_ADDR_RESERVED, true));
}

/* ---- receivers' URLs --------------------------------------------------- */

static void assert_url(const char *url, bool allow_private, enum err want, const char *says)
{
    struct notify_target t;
    struct err_detail d = {0};
    enum err rc = notify_target_check(url, allow_private, &t, &d);
    if (rc != want)
        fail_msg("%s: got %s (%s), want %s", url, err_code(rc), d.message, err_code(want));
    if (says != NULL && strstr(d.message, says) == NULL)
        fail_msg("%s: message '%s' does not say '%s'", url, d.message, says);
}

static void urls_that_are_not_plain_http_receivers_are_refused(void **state)
{
    (void)state;
    assert_url(NULL, false, ERR_VALIDATION, "required");
    assert_url("", false, ERR_VALIDATION, "required");
    assert_url("not a url", false, ERR_VALIDATION, NULL);
    assert_url("ftp://8.8.8.8/hook", false, ERR_VALIDATION, "http");
    assert_url("file:///etc/passwd", false, ERR_VALIDATION, NULL);
    assert_url("gopher://8.8.8.8:70/", false, ERR_VALIDATION, "http");
    assert_url("https://user:secret@8.8.8.8/hook", false, ERR_VALIDATION, "user information");
    assert_url("https://user@8.8.8.8/hook", false, ERR_VALIDATION, "user information");
    assert_url("http://[fe80::1%25eth0]/hook", true, ERR_VALIDATION, "zone");
    assert_url("https://b\xc3\xbc"
               "cher.example/hook",
               false, ERR_VALIDATION, "xn--");
    char longest[WEBHOOK_URL_BYTES_MAX + 32];
    memset(longest, 'a', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    memcpy(longest, "https://8.8.8.8/", 16);
    assert_url(longest, false, ERR_VALIDATION, "longer");
}

static void private_and_special_receivers_are_forbidden(void **state)
{
    (void)state;
    assert_url("http://127.0.0.1:8080/hook", false, ERR_FORBIDDEN, "loopback");
    assert_url("http://localhost/hook", false, ERR_FORBIDDEN, "loopback");
    assert_url("http://LocalHost/hook", false, ERR_FORBIDDEN, NULL);
    assert_url("http://127.1/hook", false, ERR_FORBIDDEN, "loopback");
    assert_url("http://2130706433/hook", false, ERR_FORBIDDEN, "loopback");
    assert_url("http://0x7f000001/hook", false, ERR_FORBIDDEN, "loopback");
    assert_url("http://[::1]/hook", false, ERR_FORBIDDEN, "loopback");
    assert_url("http://[::ffff:127.0.0.1]/hook", false, ERR_FORBIDDEN, "loopback");
    assert_url("http://10.0.0.5/hook", false, ERR_FORBIDDEN, "private");
    assert_url("https://192.168.1.10/hook", false, ERR_FORBIDDEN, "private");
    assert_url("http://100.64.0.1/hook", false, ERR_FORBIDDEN, "shared");
    assert_url("http://[fd00::1]/hook", false, ERR_FORBIDDEN, "private");
    /* Never, not even with --webhook-allow-private. */
    assert_url("http://169.254.169.254/latest/meta-data/", true, ERR_FORBIDDEN, "link-local");
    assert_url("http://[::ffff:169.254.169.254]/", true, ERR_FORBIDDEN, "link-local");
    assert_url("http://0.0.0.0:8080/hook", true, ERR_FORBIDDEN, "unspecified");
    assert_url("http://[::]/hook", true, ERR_FORBIDDEN, "unspecified");
    assert_url("http://224.0.0.1/hook", true, ERR_FORBIDDEN, "multicast");
    assert_url("http://255.255.255.255/hook", true, ERR_FORBIDDEN, "broadcast");
    /* The message names the address and its class. */
    assert_url("http://10.1.2.3/hook", false, ERR_FORBIDDEN, "resolves to 10.1.2.3, a private");
}

static void allowed_receivers_are_pinned_to_the_checked_addresses(void **state)
{
    (void)state;
    struct notify_target t;
    struct err_detail d = {0};
    assert_int_equal(notify_target_check("https://8.8.8.8/hook?token=abc", false, &t, &d), ERR_OK);
    assert_string_equal(t.host, "8.8.8.8");
    assert_int_equal(t.port, 443);
    assert_true(t.host_is_literal);
    assert_int_equal(t.n_addresses, 1);
    assert_string_equal(t.addresses[0], "8.8.8.8");
    assert_string_equal(t.resolve, ""); /* an address needs no pinning */
    assert_int_equal(notify_target_check("http://LocalHost:8080/hook", true, &t, &d), ERR_OK);
    assert_string_equal(t.host, "localhost");
    assert_int_equal(t.port, 8080);
    assert_false(t.host_is_literal);
    assert_true(t.n_addresses >= 1);
    assert_true(notify_target_has(&t, "127.0.0.1") || notify_target_has(&t, "::1"));
    /* "localhost:8080:127.0.0.1" or with [::1] too, in getaddrinfo's order. */
    assert_true(strncmp(t.resolve, "localhost:8080:", 15) == 0);
    for (size_t i = 0; i < t.n_addresses; i++)
        assert_non_null(strstr(t.resolve, t.addresses[i]));
    if (notify_target_has(&t, "::1"))
        assert_non_null(strstr(t.resolve, "[::1]"));
    assert_non_null(strstr(t.url, "http://localhost:8080/hook"));
    assert_false(notify_target_has(&t, "10.0.0.1"));
}

/* ---- signatures -------------------------------------------------------- */

static void the_signature_matches_an_independent_hmac(void **state)
{
    (void)state;
    const char *body = "{\"id\":\"evt_1\",\"type\":\"order.created\"}";
    char header[NOTIFY_SIGNATURE_BYTES];
    assert_int_equal(
        notify_webhook_sign("whsec_creditd_test", INT64_C(1700000000), body, strlen(body), header),
        ERR_OK);
    assert_string_equal(header, "t=1700000000,v1="
                                "a56b233da68066ca926c5df16237c48c26f1480831182649d30320bd334e0108");
    /* printf '%s' '0.' | openssl dgst -sha256 -hmac k: an empty body. */
    assert_int_equal(notify_webhook_sign("k", 0, "", 0, header), ERR_OK);
    assert_string_equal(header,
                        "t=0,v1=6b4a4b8b3c40f1e8f53a3d36682e5f99f7ad2ac1df1c93dfe336f329167641e7");
}

static void a_signature_changes_with_secret_time_and_every_byte(void **state)
{
    (void)state;
    char body[] = "{\"amount\":\"10\"}";
    char base[NOTIFY_SIGNATURE_BYTES], other[NOTIFY_SIGNATURE_BYTES];
    assert_int_equal(notify_webhook_sign("s1", 1, body, strlen(body), base), ERR_OK);
    assert_int_equal(notify_webhook_sign("s2", 1, body, strlen(body), other), ERR_OK);
    assert_string_not_equal(base + 4, other + 4);
    assert_int_equal(notify_webhook_sign("s1", 2, body, strlen(body), other), ERR_OK);
    assert_string_not_equal(strchr(base, 'v'), strchr(other, 'v'));
    for (size_t i = 0; i < strlen(body); i++) {
        body[i] ^= 1;
        assert_int_equal(notify_webhook_sign("s1", 1, body, strlen(body), other), ERR_OK);
        assert_string_not_equal(base, other);
        body[i] ^= 1;
    }
}

static void signing_without_a_secret_or_with_a_negative_time_is_refused(void **state)
{
    (void)state;
    char header[NOTIFY_SIGNATURE_BYTES] = "x";
    assert_int_equal(notify_webhook_sign(NULL, 1, "{}", 2, header), ERR_VALIDATION);
    assert_string_equal(header, "");
    assert_int_equal(notify_webhook_sign("", 1, "{}", 2, header), ERR_VALIDATION);
    assert_int_equal(notify_webhook_sign("s", -1, "{}", 2, header), ERR_VALIDATION);
    char secret[WEBHOOK_SECRET_BYTES_MAX + 2];
    memset(secret, 's', sizeof(secret) - 1);
    secret[sizeof(secret) - 1] = '\0';
    assert_int_equal(notify_webhook_sign(secret, 1, "{}", 2, header), ERR_TOO_LARGE);
}

int main(void)
{
    if (notify_init() != ERR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ipv4_ranges_and_their_edges_are_classified),
        cmocka_unit_test(ipv6_ranges_and_ipv4_inside_ipv6_are_classified),
        cmocka_unit_test(allow_private_opens_the_local_ranges_but_never_metadata),
        cmocka_unit_test(urls_that_are_not_plain_http_receivers_are_refused),
        cmocka_unit_test(private_and_special_receivers_are_forbidden),
        cmocka_unit_test(allowed_receivers_are_pinned_to_the_checked_addresses),
        cmocka_unit_test(the_signature_matches_an_independent_hmac),
        cmocka_unit_test(a_signature_changes_with_secret_time_and_every_byte),
        cmocka_unit_test(signing_without_a_secret_or_with_a_negative_time_is_refused),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    notify_release();
    return rc;
}
