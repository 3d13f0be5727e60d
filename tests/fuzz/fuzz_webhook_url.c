/*
 * Fuzz target: the webhook URL guard (notify_target_check in
 * src/notify/notify_addr.c), which decides whether creditd may post to a
 * URL a tenant's admin gave, and which addresses it may connect to.
 *
 * Name resolution is replaced: this file defines getaddrinfo and
 * freeaddrinfo (they take precedence over libc's), answering address text
 * as the C library would (inet_aton, inet_pton) and names from a fixed
 * table (public, private, loopback, IPv6, several addresses, unknown), so
 * no query leaves the machine and every class of answer is reachable.
 *
 * Input: a flags byte (bit 0: --webhook-allow-private), 16 bytes read as
 * an address, then the URL.
 *
 * Properties: a URL is taken exactly when its host was looked up and every
 * address the lookup gave is allowed (public, or private and loopback with
 * the flag), and refused as forbidden when one is not; a taken target's URL
 * reads back (libcurl) as http or https with the target's host and port,
 * no user and no zone; the host holds only name or address characters; the
 * addresses pinned are exactly those the lookup gave, and the
 * CURLOPT_RESOLVE entry names host, port and each of them. An IPv6 address
 * carrying an IPv4 one (mapped, NAT64, 6to4) is classed as that IPv4
 * address.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "notify/notify_int.h"

#include "fuzz.h"

/* What the stand-in resolver was asked and answered. */
static struct {
    int calls;
    char node[512];
    size_t n;
    char answers[8][48];
    int families[8];
} fuzz_dns;

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res);
void freeaddrinfo(struct addrinfo *res);

static void fuzz_dns_answer(int family, const char *text)
{
    if (fuzz_dns.n < 8) {
        snprintf(fuzz_dns.answers[fuzz_dns.n], sizeof(fuzz_dns.answers[0]), "%s", text);
        fuzz_dns.families[fuzz_dns.n++] = family;
    }
}

/* The table of names: the answer depends on a word in the name. */
static int fuzz_dns_names(const char *node)
{
    if (strstr(node, "nx") != NULL)
        return EAI_NONAME;
    if (strcmp(node, "localhost") == 0) {
        fuzz_dns_answer(AF_INET, "127.0.0.1");
        fuzz_dns_answer(AF_INET6, "::1");
    } else if (strstr(node, "internal") != NULL) {
        fuzz_dns_answer(AF_INET, "10.0.0.5");
    } else if (strstr(node, "metadata") != NULL) {
        fuzz_dns_answer(AF_INET, "169.254.169.254");
    } else if (strstr(node, "v6") != NULL) {
        fuzz_dns_answer(AF_INET6, "2606:4700::1111");
        fuzz_dns_answer(AF_INET6, "::ffff:192.168.0.1");
    } else if (strstr(node, "multi") != NULL) {
        fuzz_dns_answer(AF_INET, "93.184.216.34");
        fuzz_dns_answer(AF_INET, "93.184.216.35");
        fuzz_dns_answer(AF_INET, "93.184.216.34");
    } else if (strstr(node, "none") == NULL) {
        fuzz_dns_answer(AF_INET, "93.184.216.34");
    }
    return 0;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res)
{
    (void)service;
    (void)hints;
    fuzz_dns.calls++;
    fuzz_dns.n = 0;
    snprintf(fuzz_dns.node, sizeof(fuzz_dns.node), "%s", node ? node : "");
    struct in_addr v4;
    unsigned char v6[16];
    char text[48];
    int rc = 0;
    if (node != NULL && inet_aton(node, &v4) == 1)
        fuzz_dns_answer(AF_INET, inet_ntop(AF_INET, &v4, text, sizeof(text)));
    else if (node != NULL && inet_pton(AF_INET6, node, v6) == 1)
        fuzz_dns_answer(AF_INET6, inet_ntop(AF_INET6, v6, text, sizeof(text)));
    else
        rc = fuzz_dns_names(node != NULL ? node : "");
    *res = NULL;
    for (size_t i = fuzz_dns.n; rc == 0 && i-- > 0;) {
        struct addrinfo *ai = calloc(1, sizeof(*ai) + sizeof(struct sockaddr_in6));
        FUZZ_CHECK(ai != NULL, "out of memory");
        ai->ai_family = fuzz_dns.families[i];
        ai->ai_socktype = SOCK_STREAM;
        ai->ai_addr = (struct sockaddr *)(void *)(ai + 1);
        if (ai->ai_family == AF_INET) {
            struct sockaddr_in *in = (struct sockaddr_in *)(void *)ai->ai_addr;
            in->sin_family = AF_INET;
            inet_pton(AF_INET, fuzz_dns.answers[i], &in->sin_addr);
            ai->ai_addrlen = sizeof(*in);
        } else {
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)ai->ai_addr;
            in6->sin6_family = AF_INET6;
            inet_pton(AF_INET6, fuzz_dns.answers[i], &in6->sin6_addr);
            ai->ai_addrlen = sizeof(*in6);
        }
        ai->ai_next = *res;
        *res = ai;
    }
    return rc;
}

void freeaddrinfo(struct addrinfo *res)
{
    while (res != NULL) {
        struct addrinfo *next = res->ai_next;
        free(res);
        res = next;
    }
}

/* ---- the checks -------------------------------------------------------- */

static enum notify_addr_class fuzz_webhook_class(int family, const char *text)
{
    uint8_t raw[16];
    FUZZ_CHECK(inet_pton(family, text, raw) == 1, "address '%s'", text);
    return notify_addr_classify(family, raw);
}

static void fuzz_webhook_url_reads_back(const struct notify_target *t)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL, *zone = NULL;
    FUZZ_CHECK(u != NULL && curl_url_set(u, CURLUPART_URL, t->url, 0) == CURLUE_OK,
               "'%s' is not a URL", t->url);
    FUZZ_CHECK(curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
                   (strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0),
               "'%s' has another scheme", t->url);
    FUZZ_CHECK(curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK, "'%s' has no host", t->url);
    size_t len = strlen(host);
    bool bracketed = len >= 2 && host[0] == '[' && host[len - 1] == ']';
    FUZZ_CHECK(strlen(t->host) == len - 2 * bracketed &&
                   strncmp(host + bracketed, t->host, len - 2 * bracketed) == 0,
               "'%s' names host '%s', the target '%s'", t->url, host, t->host);
    FUZZ_CHECK(curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
                   strtol(port, NULL, 10) == t->port,
               "'%s' has port %s, the target %ld", t->url, port, t->port);
    FUZZ_CHECK(curl_url_get(u, CURLUPART_USER, &user, 0) != CURLUE_OK, "'%s' has a user", t->url);
    FUZZ_CHECK(curl_url_get(u, CURLUPART_ZONEID, &zone, 0) != CURLUE_OK, "'%s' has a zone", t->url);
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
}

static void fuzz_webhook_target(const struct notify_target *t, bool allow_private)
{
    FUZZ_CHECK(fuzz_dns.calls == 1 && strcmp(fuzz_dns.node, t->host) == 0,
               "resolved '%s', the target's host is '%s'", fuzz_dns.node, t->host);
    FUZZ_CHECK(strspn(t->host, "abcdefghijklmnopqrstuvwxyz0123456789-._:") == strlen(t->host),
               "host '%s'", t->host);
    FUZZ_CHECK(t->n_addresses >= 1 && t->n_addresses <= WEBHOOK_ADDRESSES_MAX, "%zu addresses",
               t->n_addresses);
    for (size_t i = 0; i < fuzz_dns.n; i++) {
        char text[48];
        uint8_t raw[16];
        inet_pton(fuzz_dns.families[i], fuzz_dns.answers[i], raw);
        inet_ntop(fuzz_dns.families[i], raw, text, sizeof(text));
        FUZZ_CHECK(notify_target_has(t, text), "answer %s is not pinned", text);
    }
    for (size_t i = 0; i < t->n_addresses; i++) {
        int family = strchr(t->addresses[i], ':') != NULL ? AF_INET6 : AF_INET;
        enum notify_addr_class c = fuzz_webhook_class(family, t->addresses[i]);
        FUZZ_CHECK(notify_addr_is_allowed(c, allow_private), "%s (%s) is pinned", t->addresses[i],
                   notify_addr_class_name(c));
    }
    fuzz_webhook_url_reads_back(t);
    if (t->host_is_literal)
        return;
    char want[sizeof(t->resolve)];
    int n = snprintf(want, sizeof(want), "%s:%ld:", t->host, t->port);
    for (size_t i = 0; i < t->n_addresses; i++) {
        bool v6 = strchr(t->addresses[i], ':') != NULL;
        n += snprintf(want + n, sizeof(want) - (size_t)n, "%s%s%s%s", i ? "," : "", v6 ? "[" : "",
                      t->addresses[i], v6 ? "]" : "");
    }
    FUZZ_CHECK(strcmp(t->resolve, want) == 0, "resolve '%s', want '%s'", t->resolve, want);
}

/* Every way an IPv6 address carries an IPv4 one is classed as that one. */
static void fuzz_webhook_classes(const uint8_t *raw)
{
    uint8_t v6[16] = {0};
    enum notify_addr_class c4 = notify_addr_classify(AF_INET, raw);
    (void)notify_addr_class_name(notify_addr_classify(AF_INET6, raw));
    static const uint8_t prefixes[][12] = {
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff},
        {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0},
        {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        memcpy(v6, prefixes[i], 12);
        memcpy(v6 + 12, raw, 4);
        FUZZ_CHECK(notify_addr_classify(AF_INET6, v6) == c4, "%u.%u.%u.%u in form %zu", raw[0],
                   raw[1], raw[2], raw[3], i);
    }
    memset(v6, 0, sizeof(v6));
    v6[0] = 0x20;
    v6[1] = 0x02;
    memcpy(v6 + 2, raw, 4);
    FUZZ_CHECK(notify_addr_classify(AF_INET6, v6) == c4, "%u.%u.%u.%u in 6to4", raw[0], raw[1],
               raw[2], raw[3]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    bool allow_private = fuzz_take_byte(&in) & 1;
    uint8_t raw[16] = {0};
    for (size_t i = 0; i < sizeof(raw); i++)
        raw[i] = fuzz_take_byte(&in);
    fuzz_webhook_classes(raw);
    char *url = fuzz_take_rest(&in, NULL);
    memset(&fuzz_dns, 0, sizeof(fuzz_dns));
    struct notify_target t;
    struct err_detail d = {0};
    enum err rc = notify_target_check(url, allow_private, &t, &d);
    bool allowed = fuzz_dns.calls == 1 && fuzz_dns.n > 0;
    for (size_t i = 0; allowed && i < fuzz_dns.n; i++)
        allowed = notify_addr_is_allowed(
            fuzz_webhook_class(fuzz_dns.families[i], fuzz_dns.answers[i]), allow_private);
    FUZZ_CHECK((rc == ERR_OK) == allowed, "'%s': %s, the lookup gave %zu addresses", url,
               err_code(rc), fuzz_dns.n);
    if (fuzz_dns.calls == 1 && fuzz_dns.n > 0 && !allowed)
        FUZZ_CHECK(rc == ERR_FORBIDDEN, "'%s' with a refused address: %s", url, err_code(rc));
    if (rc == ERR_OK)
        fuzz_webhook_target(&t, allow_private);
    free(url);
    return 0;
}
