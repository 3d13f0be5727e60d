/*
 * The SSRF guard of webhooks: which addresses a receiver may have, and the
 * check of a receiver's URL and host before anything connects to it.
 *
 * A tenant's admin chooses the URL, so without the guard creditd would post
 * to whatever the URL's name resolves to: the machine itself, the office
 * network, or the cloud's metadata service (169.254.169.254) whose answer
 * would land in the delivery log. Every address of the host is judged, not
 * only the first, and an IPv6 address that carries an IPv4 one is judged by
 * that IPv4 address (::ffff:127.0.0.1 is loopback). The classification is
 * pure; the check resolves once, and the caller connects only to the
 * addresses judged here (CURLOPT_RESOLVE), never resolving again.
 */
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "notify/notify_int.h"

static enum notify_addr_class addr_classify_v4(const uint8_t *b)
{
    if (b[0] == 0)
        return NOTIFY_ADDR_UNSPECIFIED; /* 0/8: 0.0.0.0 connects to this host */
    if (b[0] == 127)
        return NOTIFY_ADDR_LOOPBACK;
    if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168))
        return NOTIFY_ADDR_PRIVATE;
    if (b[0] == 100 && (b[1] & 0xc0) == 64)
        return NOTIFY_ADDR_SHARED;
    if (b[0] == 169 && b[1] == 254)
        return NOTIFY_ADDR_LINK_LOCAL;
    if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255)
        return NOTIFY_ADDR_BROADCAST;
    if (b[0] >= 224 && b[0] <= 239)
        return NOTIFY_ADDR_MULTICAST;
    if (b[0] >= 240)
        return NOTIFY_ADDR_RESERVED;
    /* IETF protocol assignments, 6to4 relays, benchmarking, documentation. */
    if ((b[0] == 192 && b[1] == 0 && (b[2] == 0 || b[2] == 2)) ||
        (b[0] == 192 && b[1] == 88 && b[2] == 99) || (b[0] == 198 && (b[1] & 0xfe) == 18) ||
        (b[0] == 198 && b[1] == 51 && b[2] == 100) || (b[0] == 203 && b[1] == 0 && b[2] == 113))
        return NOTIFY_ADDR_RESERVED;
    return NOTIFY_ADDR_PUBLIC;
}

static bool addr_zero(const uint8_t *b, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        if (b[i] != 0)
            return false;
    }
    return true;
}

/* The IPv4 address an IPv6 one carries, or NULL: mapped ::ffff:0:0/96,
 * translated ::ffff:0:0:0/96, compatible ::/96, NAT64 64:ff9b::/96, 6to4
 * 2002::/16. */
static const uint8_t *addr_embedded_v4(const uint8_t *b)
{
    static const uint8_t nat64[4] = {0x00, 0x64, 0xff, 0x9b};
    if (addr_zero(b, 0, 10) && b[10] == 0xff && b[11] == 0xff)
        return b + 12;
    if (addr_zero(b, 0, 8) && b[8] == 0xff && b[9] == 0xff && addr_zero(b, 10, 12))
        return b + 12;
    if (addr_zero(b, 0, 12))
        return b + 12;
    if (memcmp(b, nat64, 4) == 0 && addr_zero(b, 4, 12))
        return b + 12;
    if (b[0] == 0x20 && b[1] == 0x02)
        return b + 2;
    return NULL;
}

static enum notify_addr_class addr_classify_v6(const uint8_t *b)
{
    if (addr_zero(b, 0, 16))
        return NOTIFY_ADDR_UNSPECIFIED;
    if (addr_zero(b, 0, 15) && b[15] == 1)
        return NOTIFY_ADDR_LOOPBACK;
    const uint8_t *v4 = addr_embedded_v4(b);
    if (v4 != NULL)
        return addr_classify_v4(v4);
    if (b[0] == 0xff)
        return NOTIFY_ADDR_MULTICAST;
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        return NOTIFY_ADDR_LINK_LOCAL;
    if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0))
        return NOTIFY_ADDR_PRIVATE; /* unique local fc00::/7, old site-local fec0::/10 */
    if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 1)
        return NOTIFY_ADDR_PRIVATE; /* local-use NAT64 64:ff9b:1::/48 */
    /* Teredo 2001::/32 (it tunnels to an address of its own choosing),
     * documentation 2001:db8::/32, discard-only 100::/64, and everything
     * outside global unicast 2000::/3. */
    if ((b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) ||
        (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) ||
        (b[0] == 0x01 && addr_zero(b, 1, 8)) || (b[0] & 0xe0) != 0x20)
        return NOTIFY_ADDR_RESERVED;
    return NOTIFY_ADDR_PUBLIC;
}

enum notify_addr_class notify_addr_classify(int family, const uint8_t *bytes)
{
    ASSERT(bytes != NULL);
    ASSERT(family == AF_INET || family == AF_INET6);
    return family == AF_INET ? addr_classify_v4(bytes) : addr_classify_v6(bytes);
}

const char *notify_addr_class_name(enum notify_addr_class c)
{
    static const char *const names[] = {
        [NOTIFY_ADDR_PUBLIC] = "public",         [NOTIFY_ADDR_LOOPBACK] = "loopback",
        [NOTIFY_ADDR_PRIVATE] = "private",       [NOTIFY_ADDR_SHARED] = "shared (CGNAT)",
        [NOTIFY_ADDR_LINK_LOCAL] = "link-local", [NOTIFY_ADDR_UNSPECIFIED] = "unspecified",
        [NOTIFY_ADDR_MULTICAST] = "multicast",   [NOTIFY_ADDR_BROADCAST] = "broadcast",
        [NOTIFY_ADDR_RESERVED] = "reserved",
    };
    ASSERT((size_t)c < sizeof(names) / sizeof(names[0]));
    ASSERT(names[c] != NULL);
    return names[c];
}

bool notify_addr_is_allowed(enum notify_addr_class c, bool allow_private)
{
    if (c == NOTIFY_ADDR_PUBLIC)
        return true;
    return allow_private &&
           (c == NOTIFY_ADDR_LOOPBACK || c == NOTIFY_ADDR_PRIVATE || c == NOTIFY_ADDR_SHARED);
}

/* ---- a receiver's URL -------------------------------------------------- */

/* A host libcurl connects to by exactly this name: no percent-encoding and
 * no international name that libcurl would convert (and so look up under
 * another name than the one pinned). */
static bool addr_host_is_plain(const char *h, size_t n, bool bracketed)
{
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        bool ok = bracketed ? (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                                  (c >= 'A' && c <= 'F') || c == ':' || c == '.'
                            : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                                  (c >= 'A' && c <= 'Z') || c == '-' || c == '.' || c == '_';
        if (!ok)
            return false;
    }
    return n > 0;
}

bool notify_target_has(const struct notify_target *t, const char *text)
{
    ASSERT(t != NULL);
    ASSERT(text != NULL);
    for (size_t i = 0; i < t->n_addresses; i++) {
        if (strcmp(t->addresses[i], text) == 0)
            return true;
    }
    return false;
}

/* Scheme http(s), no user information or zone id; fills host (lower case,
 * no brackets), port, host_is_literal and the URL with that host. */
static enum err addr_target_url(CURLU *u, const char *url, struct notify_target *t,
                                struct err_detail *d)
{
    enum err rc = ERR_VALIDATION;
    char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL, *zone = NULL, *full = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0' ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
        err_set(d, rc, "url", "webhook URL is not a URL with a host");
        goto out;
    }
    if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
        err_set(d, rc, "url", "webhook URL must start with http:// or https://");
        goto out;
    }
    if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
        err_set(d, rc, "url", "webhook URL must not carry user information");
        goto out;
    }
    if (curl_url_get(u, CURLUPART_ZONEID, &zone, 0) == CURLUE_OK) {
        err_set(d, rc, "url", "webhook URL must not name an IPv6 zone");
        goto out;
    }
    size_t len = strlen(host);
    bool bracketed = len >= 2 && host[0] == '[' && host[len - 1] == ']';
    if (len - (bracketed ? 2 : 0) >= sizeof(t->host)) {
        err_set(d, rc, "url", "webhook URL's host is too long");
        goto out;
    }
    if (!addr_host_is_plain(host + bracketed, len - 2 * bracketed, bracketed)) {
        err_set(d, rc, "url",
                "webhook URL's host must be ASCII letters, digits, '-' and '.' (an "
                "international name in its xn-- form) or an address");
        goto out;
    }
    for (size_t i = 0; i < len; i++)
        host[i] = (char)((host[i] >= 'A' && host[i] <= 'Z') ? host[i] | 0x20 : host[i]);
    memcpy(t->host, host + bracketed, len - 2 * bracketed);
    t->host[len - 2 * bracketed] = '\0';
    int64_t p = 0;
    if (!parse_int64(port, &p) || p <= 0 || p > 65535) {
        err_set(d, rc, "url", "webhook URL's port is not a port");
        goto out;
    }
    t->port = (long)p;
    uint8_t raw[16];
    t->host_is_literal =
        inet_pton(AF_INET, t->host, raw) == 1 || inet_pton(AF_INET6, t->host, raw) == 1;
    /* The URL libcurl gets names the host in the same (lower) case as the
     * pinned addresses. */
    if (curl_url_set(u, CURLUPART_HOST, host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK ||
        !str_copy(t->url, sizeof(t->url), full)) {
        err_set(d, rc, "url", "webhook URL is too long");
        goto out;
    }
    rc = ERR_OK;
out:
    curl_free(full);
    curl_free(zone);
    curl_free(user);
    curl_free(port);
    curl_free(host);
    curl_free(scheme);
    return rc;
}

/* Judges one resolved address and keeps it (once) for pinning. */
static enum err addr_target_add(struct notify_target *t, const struct addrinfo *ai,
                                bool allow_private, struct err_detail *d)
{
    const uint8_t *bytes;
    if (ai->ai_family == AF_INET)
        bytes = (const uint8_t *)&((const struct sockaddr_in *)ai->ai_addr)->sin_addr;
    else if (ai->ai_family == AF_INET6)
        bytes = (const uint8_t *)&((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
    else
        return ERR_OK; /* not an address TCP connects to */
    char text[48];
    if (inet_ntop(ai->ai_family, bytes, text, sizeof(text)) == NULL)
        return err_set(d, ERR_INTERNAL, "url", "cannot print a resolved address");
    enum notify_addr_class c = notify_addr_classify(ai->ai_family, bytes);
    if (!notify_addr_is_allowed(c, allow_private))
        return err_set(d, ERR_FORBIDDEN, "url",
                       "webhook host '%.64s' resolves to %s, a %s address, which webhooks may "
                       "not reach",
                       t->host, text, notify_addr_class_name(c));
    if (!notify_target_has(t, text) && t->n_addresses < WEBHOOK_ADDRESSES_MAX)
        memcpy(t->addresses[t->n_addresses++], text, sizeof(text));
    return ERR_OK;
}

/* "host:port:a,[b]": the CURLOPT_RESOLVE entry pinning the checked
 * addresses. */
static void addr_target_resolve(struct notify_target *t)
{
    size_t j = 0;
    bool fits = str_format(t->resolve, sizeof(t->resolve), "%s:%ld:", t->host, t->port);
    for (size_t i = 0; fits && i < t->n_addresses; i++) {
        j = strlen(t->resolve);
        bool v6 = strchr(t->addresses[i], ':') != NULL;
        fits = str_format(t->resolve + j, sizeof(t->resolve) - j, "%s%s%s%s", i > 0 ? "," : "",
                          v6 ? "[" : "", t->addresses[i], v6 ? "]" : "");
    }
    ASSERT(fits); /* the host and the addresses are bounded */
}

enum err notify_target_check(const char *url, bool allow_private, struct notify_target *t,
                             struct err_detail *d)
{
    ASSERT(t != NULL);
    memset(t, 0, sizeof(*t));
    if (url == NULL || url[0] == '\0')
        return err_set(d, ERR_VALIDATION, "url", "webhook URL is required");
    if (strlen(url) > WEBHOOK_URL_BYTES_MAX)
        return err_set(d, ERR_VALIDATION, "url", "webhook URL is longer than %d bytes",
                       WEBHOOK_URL_BYTES_MAX);
    CURLU *u = curl_url();
    if (u == NULL)
        return err_set(d, ERR_INTERNAL, "url", "out of memory");
    enum err rc = addr_target_url(u, url, t, d);
    /* The URL libcurl gets is parsed again when sent, and a host that was
     * percent-encoded ("http:/%396.0") is normalised only then ("96.0" is
     * 96.0.0.0): the target is taken from its own URL until that is stable,
     * so the host checked and pinned is the one connected to. */
    for (int round = 0; rc == ERR_OK; round++) {
        char host[sizeof(t->host)], again[sizeof(t->url)];
        memcpy(host, t->host, sizeof(host));
        memcpy(again, t->url, sizeof(again));
        rc = addr_target_url(u, again, t, d);
        if (rc != ERR_OK || strcmp(host, t->host) == 0)
            break;
        if (round == 2) {
            rc = err_set(d, ERR_VALIDATION, "url", "webhook URL's host is not in a stable form");
            break;
        }
    }
    curl_url_cleanup(u);
    if (rc != ERR_OK)
        return rc;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int gai = getaddrinfo(t->host, NULL, &hints, &res);
    if (gai != 0)
        return err_set(d, ERR_DELIVERY_UNAVAILABLE, "url",
                       "cannot resolve webhook host '%.64s': %s", t->host, gai_strerror(gai));
    for (const struct addrinfo *ai = res; ai != NULL && rc == ERR_OK; ai = ai->ai_next)
        rc = addr_target_add(t, ai, allow_private, d);
    freeaddrinfo(res);
    if (rc == ERR_OK && t->n_addresses == 0)
        rc = err_set(d, ERR_DELIVERY_UNAVAILABLE, "url",
                     "webhook host '%.64s' has no address to connect to", t->host);
    if (rc == ERR_OK && !t->host_is_literal)
        addr_target_resolve(t);
    ASSERT(rc != ERR_OK || t->n_addresses > 0);
    return rc;
}
