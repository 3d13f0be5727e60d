/*
 * Unit tests of network addresses (base/net.c): the ranges serve
 * --trusted-proxy takes, and the client found from X-Forwarded-For behind
 * trusted proxies.
 *
 * Method: ranges written out by hand, good and bad, each with its result or
 * its refusal; forwarded chains written out by hand for every rule of the
 * walk (untrusted peer, trusted hops skipped from the right, the leftmost
 * when all are trusted, a spoofed left entry, garbage as a stop, ports,
 * brackets, several header lines, IPv6); then random byte strings (fixed
 * seed, printed) as header lines: the walk never crashes and answers the
 * peer or an address it could parse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <string.h>

#include "base/base.h"

static struct net_addr addr(const char *text)
{
    struct net_addr a;
    if (!net_addr_parse(text, strlen(text), &a))
        fail_msg("'%s' does not parse", text);
    return a;
}

static struct net_cidr cidr(const char *text)
{
    struct net_cidr c;
    struct err_detail d = {0};
    if (!net_cidr_parse(text, &c, &d))
        fail_msg("'%s' refused: %s", text, d.message);
    return c;
}

static void text_is(const struct net_addr *a, const char *want)
{
    char got[NET_ADDR_TEXT];
    assert_true(net_addr_format(a, got, sizeof(got)));
    assert_string_equal(got, want);
}

static void ranges_parse_with_and_without_a_prefix(void **state)
{
    (void)state;
    struct net_cidr c = cidr("10.0.0.0/8");
    assert_int_equal(c.addr.family, 4);
    assert_int_equal(c.prefix_bits, 8);
    c = cidr("127.0.0.1");
    assert_int_equal(c.prefix_bits, 32);
    c = cidr("2001:db8::/32");
    assert_int_equal(c.addr.family, 6);
    assert_int_equal(c.prefix_bits, 32);
    c = cidr("::1");
    assert_int_equal(c.prefix_bits, 128);
    c = cidr("0.0.0.0/0");
    assert_int_equal(c.prefix_bits, 0);
    c = cidr("fd00::/8");
    text_is(&c.addr, "fd00::");
    /* An IPv4-mapped address is the IPv4 address. */
    c = cidr("::ffff:192.0.2.1");
    assert_int_equal(c.addr.family, 4);
    assert_int_equal(c.prefix_bits, 32);
    text_is(&c.addr, "192.0.2.1");
}

static void bad_ranges_are_refused_with_a_reason(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "/8",
        "10.0.0.0/",
        "10.0.0.0/33",
        "::/129",
        "10.0.0.0/-1",
        "10.0.0.0/+8",
        "10.0.0.0/08",
        "10.0.0.0/8/8",
        "10.0.0.0 /8",
        " 10.0.0.0",
        "10.0.0",
        "10.0.0.0.0",
        "256.0.0.0",
        "010.0.0.1",
        "0x7f.0.0.1",
        "localhost",
        "[::1]",
        "::1%lo",
        "fe80::1%eth0/64",
        "1.2.3.4:80",
        "10.0.0.0/8x",
        "10.0.0.0/1000000",
        "2001:db8::/3a",
        ":::",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct net_cidr c;
        struct err_detail d = {0};
        if (net_cidr_parse(bad[i], &c, &d))
            fail_msg("'%s' was accepted", bad[i]);
        assert_string_equal(d.field, "trusted-proxy");
        assert_non_null(strstr(d.message, bad[i]));
    }
    struct net_cidr c;
    struct err_detail d = {0};
    assert_false(net_cidr_parse(NULL, &c, &d));
}

static void a_range_with_bits_past_its_prefix_names_the_network(void **state)
{
    (void)state;
    struct net_cidr c;
    struct err_detail d = {0};
    assert_false(net_cidr_parse("10.1.2.3/8", &c, &d));
    assert_non_null(strstr(d.message, "10.0.0.0/8"));
    assert_false(net_cidr_parse("2001:db8::1/64", &c, &d));
    assert_non_null(strstr(d.message, "2001:db8::/64"));
}

static void ranges_contain_their_family_only(void **state)
{
    (void)state;
    struct net_cidr ten = cidr("10.0.0.0/8"), v6 = cidr("2001:db8::/32"), all4 = cidr("0.0.0.0/0");
    struct net_addr a = addr("10.255.0.1");
    assert_true(net_cidr_contains(&ten, &a));
    a = addr("11.0.0.1");
    assert_false(net_cidr_contains(&ten, &a));
    a = addr("::ffff:10.0.0.9");
    assert_true(net_cidr_contains(&ten, &a));
    a = addr("2001:db8:ffff::1");
    assert_true(net_cidr_contains(&v6, &a));
    assert_false(net_cidr_contains(&ten, &a));
    a = addr("2001:db9::1");
    assert_false(net_cidr_contains(&v6, &a));
    a = addr("198.51.100.7");
    assert_true(net_cidr_contains(&all4, &a));
    a = addr("::1");
    assert_false(net_cidr_contains(&all4, &a));
    struct net_addr unknown = {0};
    assert_false(net_cidr_contains(&all4, &unknown));
    struct net_cidr odd = cidr("192.168.0.0/17");
    a = addr("192.168.127.255");
    assert_true(net_cidr_contains(&odd, &a));
    a = addr("192.168.128.0");
    assert_false(net_cidr_contains(&odd, &a));
}

static void addresses_format_canonically_and_mask(void **state)
{
    (void)state;
    struct net_addr a = addr("2001:0DB8:0000:0000:0000:0000:0000:0001");
    text_is(&a, "2001:db8::1");
    a = addr("2001:db8:1:2:3:4:5:6");
    net_addr_mask(&a, 64);
    text_is(&a, "2001:db8:1:2::");
    struct net_addr unknown = {0};
    text_is(&unknown, "unknown");
    char small[4];
    a = addr("203.0.113.5");
    assert_false(net_addr_format(&a, small, sizeof(small)));
}

/* The client found for peer and lines with proxies trusted. */
static void client_is(const char *peer, const char *const *lines, size_t n, const char *want)
{
    static const char *const proxies[] = {"127.0.0.1/32", "10.0.0.0/8", "2001:db8:ff::/48"};
    struct net_cidr trusted[3];
    for (size_t i = 0; i < 3; i++)
        trusted[i] = cidr(proxies[i]);
    struct net_addr p = addr(peer), got;
    net_forwarded_client(&p, lines, n, trusted, 3, &got);
    char text[NET_ADDR_TEXT];
    assert_true(net_addr_format(&got, text, sizeof(text)));
    if (strcmp(text, want) != 0)
        fail_msg("peer %s, %zu lines ('%s'…): got %s, want %s", peer, n, n ? lines[0] : "", text,
                 want);
}

#define LINES(...) ((const char *const[]){__VA_ARGS__})
#define CLIENT(peer, want, ...)                                                                    \
    client_is(peer, LINES(__VA_ARGS__), sizeof(LINES(__VA_ARGS__)) / sizeof(char *), want)

static void an_untrusted_peer_is_the_client_whatever_it_forwards(void **state)
{
    (void)state;
    CLIENT("198.51.100.1", "198.51.100.1", "203.0.113.5");
    CLIENT("198.51.100.1", "198.51.100.1", "10.0.0.1, 127.0.0.1");
    client_is("198.51.100.1", NULL, 0, "198.51.100.1");
    /* A trusted peer without the header is the client itself. */
    client_is("127.0.0.1", NULL, 0, "127.0.0.1");
}

static void trusted_hops_are_skipped_from_the_right(void **state)
{
    (void)state;
    CLIENT("127.0.0.1", "203.0.113.5", "203.0.113.5");
    CLIENT("127.0.0.1", "203.0.113.5", "203.0.113.5, 10.1.1.1");
    CLIENT("127.0.0.1", "203.0.113.5", "203.0.113.5,10.1.1.1,10.2.2.2");
    /* Every hop trusted: the leftmost. */
    CLIENT("127.0.0.1", "10.9.9.9", "10.9.9.9, 10.1.1.1");
    CLIENT("10.0.0.2", "127.0.0.1", "127.0.0.1");
}

static void a_spoofed_left_entry_is_not_believed(void **state)
{
    (void)state;
    /* The client wrote "10.1.1.1, 1.1.1.1"; the proxy appended its address. */
    CLIENT("127.0.0.1", "203.0.113.6", "10.1.1.1, 1.1.1.1, 203.0.113.6");
    CLIENT("127.0.0.1", "203.0.113.6", "127.0.0.1, 203.0.113.6, 10.0.0.3");
    /* Garbage left of the client's address is never read. */
    CLIENT("127.0.0.1", "203.0.113.6", "<script>, , unknown, 203.0.113.6");
}

static void garbage_stops_the_walk_at_the_last_trusted_hop(void **state)
{
    (void)state;
    CLIENT("127.0.0.1", "127.0.0.1", "unknown");
    CLIENT("127.0.0.1", "127.0.0.1", "");
    CLIENT("127.0.0.1", "127.0.0.1", "203.0.113.5,");
    CLIENT("127.0.0.1", "10.1.1.1", "203.0.113.5, garbage, 10.1.1.1");
    CLIENT("127.0.0.1", "10.1.1.1", "203.0.113.5, _hidden, 10.1.1.1");
    CLIENT("127.0.0.1", "127.0.0.1", "203.0.113.5 10.1.1.1");
    CLIENT("127.0.0.1", "127.0.0.1", "203.0.113.5:");
    CLIENT("127.0.0.1", "127.0.0.1", "203.0.113.5:1234567");
    CLIENT("127.0.0.1", "127.0.0.1", "[2001:db8::1");
    CLIENT("127.0.0.1", "127.0.0.1", "[203.0.113.5]");
    CLIENT("127.0.0.1", "127.0.0.1", "fe80::1%eth0");
    char longline[4096];
    memset(longline, '9', sizeof(longline) - 1);
    longline[sizeof(longline) - 1] = '\0';
    CLIENT("127.0.0.1", "127.0.0.1", longline);
}

static void ports_brackets_spaces_and_ipv6_are_read(void **state)
{
    (void)state;
    CLIENT("127.0.0.1", "203.0.113.5", "203.0.113.5:51234");
    CLIENT("127.0.0.1", "2001:db8:1::7", "[2001:db8:1::7]:443");
    CLIENT("127.0.0.1", "2001:db8:1::7", "[2001:db8:1::7]");
    CLIENT("127.0.0.1", "2001:db8:1::7", "\t2001:db8:1::7 ,\t 2001:db8:ff::1 ");
    CLIENT("127.0.0.1", "203.0.113.5", "::ffff:203.0.113.5");
    CLIENT("127.0.0.1", "203.0.113.5", "[::ffff:203.0.113.5]:80");
}

static void several_lines_read_as_one_list_in_order(void **state)
{
    (void)state;
    /* A proxy that adds its own line instead of appending: its line is last. */
    CLIENT("127.0.0.1", "203.0.113.7", "10.1.1.1", "203.0.113.7");
    CLIENT("127.0.0.1", "203.0.113.7", "1.1.1.1, 203.0.113.7", "10.1.1.1");
    CLIENT("127.0.0.1", "10.1.1.1", "10.1.1.1", "10.2.2.2, 10.3.3.3");
    CLIENT("127.0.0.1", "10.2.2.2", "junk", "10.2.2.2, 10.3.3.3");
    CLIENT("127.0.0.1", "127.0.0.1", "203.0.113.7", "");
}

static void random_lines_give_the_peer_or_a_parsed_address(void **state)
{
    (void)state;
    unsigned seed = 20260301;
    printf("seed %u\n", seed);
    srand(seed);
    static const char alphabet[] = "0123456789abcdef.:,[] \t%/x";
    struct net_cidr trusted[2] = {cidr("127.0.0.0/8"), cidr("::/0")};
    struct net_addr peer = addr("127.0.0.1");
    for (int round = 0; round < 20000; round++) {
        char lines[2][48];
        for (int l = 0; l < 2; l++) {
            size_t n = (size_t)(rand() % 47);
            for (size_t i = 0; i < n; i++)
                lines[l][i] = round % 3 == 0 ? (char)(1 + rand() % 255)
                                             : alphabet[rand() % (sizeof(alphabet) - 1)];
            lines[l][n] = '\0';
        }
        const char *const ptrs[2] = {lines[0], lines[1]};
        struct net_addr got;
        net_forwarded_client(&peer, ptrs, 2, trusted, 2, &got);
        assert_true(got.family == 4 || got.family == 6);
        char text[NET_ADDR_TEXT];
        assert_true(net_addr_format(&got, text, sizeof(text)));
        struct net_addr again;
        assert_true(net_addr_parse(text, strlen(text), &again));
        assert_memory_equal(&again, &got, sizeof(got));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ranges_parse_with_and_without_a_prefix),
        cmocka_unit_test(bad_ranges_are_refused_with_a_reason),
        cmocka_unit_test(a_range_with_bits_past_its_prefix_names_the_network),
        cmocka_unit_test(ranges_contain_their_family_only),
        cmocka_unit_test(addresses_format_canonically_and_mask),
        cmocka_unit_test(an_untrusted_peer_is_the_client_whatever_it_forwards),
        cmocka_unit_test(trusted_hops_are_skipped_from_the_right),
        cmocka_unit_test(a_spoofed_left_entry_is_not_believed),
        cmocka_unit_test(garbage_stops_the_walk_at_the_last_trusted_hop),
        cmocka_unit_test(ports_brackets_spaces_and_ipv6_are_read),
        cmocka_unit_test(several_lines_read_as_one_list_in_order),
        cmocka_unit_test(random_lines_give_the_peer_or_a_parsed_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
