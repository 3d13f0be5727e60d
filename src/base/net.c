/*
 * Network addresses as values: parsing IPv4 and IPv6 text, ranges (CIDR),
 * and finding the client of a request behind trusted proxies from its
 * X-Forwarded-For lines. A forwarded header is written by whoever sent the
 * request, so the walk believes an entry only when a trusted proxy appended
 * it, and treats anything that is not an address as the end of what can be
 * known. Pure: no allocation, no name resolution, no sockets.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "base/base.h"

/* The longest address text inet_pton takes (IPv6 with a dotted tail). */
enum { NET_TEXT_MAX = INET6_ADDRSTRLEN - 1 };

static const uint8_t net_v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Keeps an IPv4-mapped IPv6 address as the IPv4 address. */
static void net_addr_unmap(struct net_addr *a)
{
    if (a->family != 6 || memcmp(a->bytes, net_v4_mapped, sizeof(net_v4_mapped)) != 0)
        return;
    memmove(a->bytes, a->bytes + 12, 4);
    memset(a->bytes + 4, 0, 12);
    a->family = 4;
}

bool net_addr_parse(const char *text, size_t n, struct net_addr *out)
{
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    char buf[NET_TEXT_MAX + 1];
    if (text == NULL || n == 0 || n > NET_TEXT_MAX || memchr(text, '\0', n) != NULL)
        return false;
    memcpy(buf, text, n);
    buf[n] = '\0';
    /* inet_pton takes only dotted quads of decimals (no "1.2.3", no 0x, no
     * leading zeros) and plain IPv6 text (no zone, no brackets). */
    if (strchr(buf, ':') == NULL) {
        if (inet_pton(AF_INET, buf, out->bytes) != 1)
            return false;
        out->family = 4;
        return true;
    }
    if (inet_pton(AF_INET6, buf, out->bytes) != 1) {
        memset(out, 0, sizeof(*out));
        return false;
    }
    out->family = 6;
    net_addr_unmap(out);
    return true;
}

bool net_addr_from_sockaddr(const struct sockaddr *sa, struct net_addr *out)
{
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    if (sa == NULL)
        return false;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        memcpy(out->bytes, &in->sin_addr, 4);
        out->family = 4;
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        memcpy(out->bytes, &in6->sin6_addr, 16);
        out->family = 6;
        net_addr_unmap(out);
        return true;
    }
    return false;
}

bool net_addr_format(const struct net_addr *a, char *dst, size_t n)
{
    ASSERT(a != NULL);
    ASSERT(dst != NULL && n > 0);
    if (a->family == 4 || a->family == 6) {
        char buf[INET6_ADDRSTRLEN];
        int af = a->family == 4 ? AF_INET : AF_INET6;
        if (inet_ntop(af, a->bytes, buf, sizeof(buf)) != NULL)
            return str_copy(dst, n, buf);
    }
    return str_copy(dst, n, "unknown");
}

static unsigned net_family_bits(uint8_t family)
{
    return family == 4 ? 32 : family == 6 ? 128 : 0;
}

void net_addr_mask(struct net_addr *a, unsigned prefix_bits)
{
    unsigned bits = net_family_bits(a->family);
    for (unsigned i = prefix_bits; i < bits; i++)
        a->bytes[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
}

/* The prefix after '/': one to three decimal digits, at most bits. */
static bool net_prefix_parse(const char *p, unsigned bits, unsigned *out)
{
    size_t n = strlen(p);
    if (n == 0 || n > 3 || strspn(p, "0123456789") != n || (n > 1 && p[0] == '0'))
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (unsigned)(p[i] - '0');
    if (v > bits)
        return false;
    *out = v;
    return true;
}

bool net_cidr_parse(const char *text, struct net_cidr *out, struct err_detail *d)
{
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    const char *what = text ? text : "";
    const char *slash = strchr(what, '/');
    size_t n = slash ? (size_t)(slash - what) : strlen(what);
    if (!net_addr_parse(what, n, &out->addr)) {
        err_set(d, ERR_USAGE, "trusted-proxy", "'%s' is not an IPv4 or IPv6 address or range",
                what);
        return false;
    }
    unsigned bits = net_family_bits(out->addr.family), prefix = bits;
    if (slash != NULL && !net_prefix_parse(slash + 1, bits, &prefix)) {
        err_set(d, ERR_USAGE, "trusted-proxy", "'%s' needs a prefix of 0 to %u after the '/'", what,
                bits);
        return false;
    }
    struct net_addr masked = out->addr;
    net_addr_mask(&masked, prefix);
    if (memcmp(masked.bytes, out->addr.bytes, sizeof(masked.bytes)) != 0) {
        char want[NET_ADDR_TEXT];
        net_addr_format(&masked, want, sizeof(want));
        err_set(d, ERR_USAGE, "trusted-proxy", "'%s' has bits set past its prefix (%s/%u?)", what,
                want, prefix);
        return false;
    }
    out->prefix_bits = (uint8_t)prefix;
    return true;
}

bool net_cidr_contains(const struct net_cidr *c, const struct net_addr *a)
{
    ASSERT(c != NULL && a != NULL);
    if (a->family == 0 || a->family != c->addr.family)
        return false;
    struct net_addr masked = *a;
    net_addr_mask(&masked, c->prefix_bits);
    return memcmp(masked.bytes, c->addr.bytes, sizeof(masked.bytes)) == 0;
}

bool net_addr_in_any(const struct net_cidr *ranges, size_t n, const struct net_addr *a)
{
    for (size_t i = 0; i < n; i++)
        if (net_cidr_contains(&ranges[i], a))
            return true;
    return false;
}

/* ---- X-Forwarded-For ----------------------------------------------------- */

static bool net_is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* ":port" after an address: one to five digits. */
static bool net_port_ok(const char *p, size_t n)
{
    if (n < 2 || n > 6 || p[0] != ':')
        return false;
    for (size_t i = 1; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

/* One entry of a forwarded line (p, n), surrounding space included. */
static bool net_forwarded_entry(const char *p, size_t n, struct net_addr *out)
{
    while (n > 0 && net_is_space(p[0]))
        p++, n--;
    while (n > 0 && net_is_space(p[n - 1]))
        n--;
    if (n == 0)
        return false;
    if (p[0] == '[') {
        const char *close = memchr(p, ']', n);
        if (close == NULL)
            return false;
        size_t inner = (size_t)(close - p) - 1, rest = n - inner - 2;
        if (rest != 0 && !net_port_ok(close + 1, rest))
            return false;
        /* Brackets hold IPv6 text (which may map an IPv4 address). */
        return memchr(p + 1, ':', inner) != NULL && net_addr_parse(p + 1, inner, out);
    }
    const char *colon = memchr(p, ':', n);
    if (colon != NULL && memchr(colon + 1, ':', n - (size_t)(colon - p) - 1) == NULL) {
        /* One colon: IPv4 with a port (IPv6 text has at least two). */
        size_t host = (size_t)(colon - p);
        return net_port_ok(colon, n - host) && net_addr_parse(p, host, out);
    }
    return net_addr_parse(p, n, out);
}

void net_forwarded_client(const struct net_addr *peer, const char *const *lines, size_t n_lines,
                          const struct net_cidr *trusted, size_t n_trusted, struct net_addr *out)
{
    ASSERT(peer != NULL && out != NULL);
    ASSERT(n_lines == 0 || lines != NULL);
    *out = *peer;
    if (!net_addr_in_any(trusted, n_trusted, peer))
        return;
    /* From the last line's last entry leftwards: out is always the nearest
     * hop believed so far. */
    for (size_t l = n_lines; l-- > 0;) {
        const char *line = lines[l] ? lines[l] : "";
        size_t end = strlen(line);
        for (;;) {
            size_t start = end;
            while (start > 0 && line[start - 1] != ',')
                start--;
            struct net_addr hop;
            if (!net_forwarded_entry(line + start, end - start, &hop))
                return;
            *out = hop;
            if (!net_addr_in_any(trusted, n_trusted, &hop))
                return;
            if (start == 0)
                break;
            end = start - 1;
        }
    }
}
