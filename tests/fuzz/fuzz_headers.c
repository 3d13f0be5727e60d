/*
 * Fuzz target: the request headers that decide who is calling (server.c,
 * base/net.c, service idempotency keys): Host (the tenant), Authorization
 * (Bearer key), Cookie (the session), X-CSRF-Token, headers that may come
 * only once, X-Forwarded-For behind trusted proxies (net_forwarded_client
 * via http_client_address), the addresses and ranges net_addr_parse and
 * net_cidr_parse read, and Idempotency-Key.
 *
 * The request goes through the real http_authorize over a fake connection
 * (fake_conn.c); the service calls it makes are replaced
 * (-Wl,--wrap=svc_tenant_by_host,svc_apikey_resolve,svc_session_resolve) by
 * stand-ins that check what they are given: the tenant's host, the key,
 * the session token.
 *
 * Input: line 1 the peer address, line 2 trusted proxy ranges separated by
 * spaces, line 3 "METHOD /path", then one header per line, "Name: value".
 *
 * Properties: the host looked up is the Host header without its port, in
 * lower case; a key is looked up exactly when Authorization says Bearer,
 * and it is the rest of the header; a session token is looked up only
 * without Authorization, and it is the value of the first cookie-pair
 * named creditd_session (RFC 6265 pairs split at ';'), 1 to 64 bytes; a
 * request is authorized only with a role the route allows, each of
 * Idempotency-Key, Host and Authorization at most once, and for a cookie
 * session with an unsafe method the right X-CSRF-Token; a refusal queues
 * one 4xx problem. Addresses and ranges print and parse back; a range
 * holds its own address; the client behind proxies is what an independent
 * right-to-left walk of the X-Forwarded-For entries finds; an idempotency
 * key is valid exactly when it is 1 to 255 visible ASCII characters.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http_int.h"

#include "fake_conn.h"
#include "fuzz.h"

enum { FUZZ_HEADERS_LINES_MAX = 48 };

enum err __wrap_svc_tenant_by_host(struct svc *s, const char *host, int64_t *tenant_id);
enum err __wrap_svc_apikey_resolve(struct svc *s, struct arena *a, int64_t tenant_id,
                                   const char *key, struct svc_principal *out);
enum err __wrap_svc_session_resolve(struct svc *s, struct arena *a, int64_t tenant_id,
                                    const char *token, struct svc_principal *out);

/* What the stand-ins were given, for the checks after http_authorize. */
static struct {
    int hosts, keys, sessions;
    char host[512], token[1024];
    char *key; /* as long as the header: malloc'd */
} fuzz_seen;

static const char fuzz_headers_csrf[] = "csrf0123456789abcdef";

/* The principal of a key or token: its first letter picks the role. */
static enum err fuzz_headers_principal(struct arena *a, const char *secret,
                                       struct svc_principal *out)
{
    static const struct {
        char letter;
        const char *role;
    } roles[] = {
        {'a', "admin"}, {'s', "staff"}, {'o', "owner"}, {'t', "technician"}, {'x', "auditor"}};
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        if (secret[0] != roles[i].letter)
            continue;
        out->tenant_id = 1;
        out->user_id = 7;
        out->customer_id = 3;
        out->role = roles[i].role;
        out->email = arena_strdup(a, "fuzz@example.com");
        memcpy(out->csrf_token, fuzz_headers_csrf, sizeof(fuzz_headers_csrf));
        return ERR_OK;
    }
    return secret[0] == 'b' ? ERR_STORE_BUSY : ERR_UNAUTHENTICATED;
}

/* The tenant http_authorize works in: 1, or 0 for the host no tenant has
 * (public routes answer there). */
static int64_t fuzz_headers_tenant(void)
{
    return strcmp(fuzz_seen.host, "nobody.example") == 0 ? 0 : 1;
}

enum err __wrap_svc_tenant_by_host(struct svc *s, const char *host, int64_t *tenant_id)
{
    (void)s;
    fuzz_seen.hosts++;
    snprintf(fuzz_seen.host, sizeof(fuzz_seen.host), "%s", host);
    *tenant_id = 1;
    return strcmp(host, "nobody.example") == 0 ? ERR_NOT_FOUND : ERR_OK;
}

enum err __wrap_svc_apikey_resolve(struct svc *s, struct arena *a, int64_t tenant_id,
                                   const char *key, struct svc_principal *out)
{
    (void)s;
    FUZZ_CHECK(tenant_id == fuzz_headers_tenant(), "a key looked up in tenant %lld",
               (long long)tenant_id);
    fuzz_seen.keys++;
    free(fuzz_seen.key);
    fuzz_seen.key = strdup(key);
    return fuzz_headers_principal(a, key, out);
}

enum err __wrap_svc_session_resolve(struct svc *s, struct arena *a, int64_t tenant_id,
                                    const char *token, struct svc_principal *out)
{
    (void)s;
    FUZZ_CHECK(tenant_id == fuzz_headers_tenant(), "a session looked up in tenant %lld",
               (long long)tenant_id);
    fuzz_seen.sessions++;
    snprintf(fuzz_seen.token, sizeof(fuzz_seen.token), "%s", token);
    return fuzz_headers_principal(a, token, out);
}

/* ---- independent readings -------------------------------------------- */

static int fuzz_headers_count(const char *name)
{
    int n = 0;
    struct fake_conn *c = fake_conn_get();
    for (size_t i = 0; i < c->n_values; i++)
        n += strcasecmp(c->values[i].key, name) == 0;
    return n;
}

static bool fuzz_headers_space(char c)
{
    return c == ' ' || c == '\t';
}

/* The first cookie-pair named creditd_session, its value up to a space;
 * NULL when there is none. */
static char *fuzz_headers_cookie(const char *header)
{
    static const char name[] = "creditd_session=";
    for (const char *p = header; p != NULL; p = strchr(p, ';') ? strchr(p, ';') + 1 : NULL) {
        while (fuzz_headers_space(*p))
            p++;
        if (strncmp(p, name, sizeof(name) - 1) != 0)
            continue;
        p += sizeof(name) - 1;
        return strndup(p, strcspn(p, "; \t"));
    }
    return NULL;
}

/* The Host header's name part (RFC 3986 host [":" port]), lower case. */
static void fuzz_headers_host(const char *host, char *out, size_t n)
{
    snprintf(out, n, "%s", host);
    char *end = out[0] == '[' ? strchr(out, ']') : NULL;
    char *colon = strchr(end != NULL ? end : out, ':');
    if (colon != NULL)
        *colon = '\0';
    for (char *p = out; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
}

static void fuzz_headers_addr_round_trip(const struct net_addr *a)
{
    char text[NET_ADDR_TEXT];
    FUZZ_CHECK(net_addr_format(a, text, sizeof(text)), "an address does not print");
    struct net_addr back;
    FUZZ_CHECK(net_addr_parse(text, strlen(text), &back) && back.family == a->family &&
                   memcmp(back.bytes, a->bytes, sizeof(back.bytes)) == 0,
               "%s does not read back", text);
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    FUZZ_CHECK(a->family == 4 || memcmp(a->bytes, mapped, sizeof(mapped)) != 0,
               "%s stays IPv4-mapped", text);
}

static void fuzz_headers_cidr(const char *text, struct net_cidr *out, size_t *n)
{
    struct err_detail d = {0};
    struct net_cidr c;
    if (!net_cidr_parse(text, &c, &d)) {
        FUZZ_CHECK(d.field[0] != '\0', "'%s' refused without a field", text);
        return;
    }
    FUZZ_CHECK(net_cidr_contains(&c, &c.addr), "'%s' does not hold its own address", text);
    FUZZ_CHECK(c.prefix_bits <= (c.addr.family == 4 ? 32 : 128), "'%s' /%u", text, c.prefix_bits);
    fuzz_headers_addr_round_trip(&c.addr);
    char addr[NET_ADDR_TEXT], again[NET_ADDR_TEXT + 8];
    net_addr_format(&c.addr, addr, sizeof(addr));
    snprintf(again, sizeof(again), "%s/%u", addr, c.prefix_bits);
    struct net_cidr back;
    FUZZ_CHECK(net_cidr_parse(again, &back, &d) && back.prefix_bits == c.prefix_bits &&
                   memcmp(&back.addr, &c.addr, sizeof(c.addr)) == 0,
               "'%s' prints as '%s', which reads otherwise", text, again);
    if (*n < TRUSTED_PROXIES_MAX)
        out[(*n)++] = c;
}

/* One X-Forwarded-For entry as RFC 7239's node reads it: an IPv4 address
 * with an optional port, IPv6 text, or bracketed IPv6 with an optional
 * port. */
static bool fuzz_headers_entry(const char *s, size_t n, struct net_addr *out)
{
    while (n > 0 && fuzz_headers_space(*s))
        s++, n--;
    while (n > 0 && fuzz_headers_space(s[n - 1]))
        n--;
    char host[64];
    const char *port = NULL;
    size_t port_len = 0, host_len = n;
    if (n > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (close == NULL)
            return false;
        s++;
        host_len = (size_t)(close - s);
        port = close + 1;
        port_len = n - host_len - 2;
        if (memchr(s, ':', host_len) == NULL)
            return false;
    } else {
        const char *colon = memchr(s, ':', n);
        if (colon != NULL && memchr(colon + 1, ':', n - (size_t)(colon - s) - 1) == NULL) {
            host_len = (size_t)(colon - s);
            port = colon;
            port_len = n - host_len;
        }
    }
    if (port_len > 0 && (port[0] != ':' || port_len < 2 || port_len > 6 ||
                         strspn(port + 1, "0123456789") < port_len - 1))
        return false;
    if (host_len == 0 || host_len >= sizeof(host) || memchr(s, '\0', host_len) != NULL)
        return false;
    memcpy(host, s, host_len);
    host[host_len] = '\0';
    memset(out, 0, sizeof(*out));
    if (strchr(host, ':') == NULL) {
        out->family = 4;
        return inet_pton(AF_INET, host, out->bytes) == 1;
    }
    if (inet_pton(AF_INET6, host, out->bytes) != 1)
        return false;
    out->family = 6;
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(out->bytes, mapped, sizeof(mapped)) == 0) {
        memmove(out->bytes, out->bytes + 12, 4);
        memset(out->bytes + 4, 0, 12);
        out->family = 4;
    }
    return true;
}

/* The client: from the peer leftwards through the entries of the last
 * FORWARDED_LINES_MAX lines, as long as each hop is a trusted proxy. */
static struct net_addr fuzz_headers_client(const struct http_config *cfg)
{
    struct fake_conn *c = fake_conn_get();
    struct net_addr out = c->peer;
    if (!net_addr_in_any(cfg->trusted_proxies, cfg->n_trusted_proxies, &out))
        return out;
    const char *lines[FAKE_CONN_VALUES_MAX];
    size_t n = 0;
    for (size_t i = 0; i < c->n_values; i++)
        if (strcasecmp(c->values[i].key, "X-Forwarded-For") == 0)
            lines[n++] = c->values[i].value;
    size_t first = n > FORWARDED_LINES_MAX ? n - FORWARDED_LINES_MAX : 0;
    for (size_t l = n; l-- > first;) {
        const char *line = lines[l];
        for (const char *end = line + strlen(line);;) {
            const char *start = end;
            while (start > line && start[-1] != ',')
                start--;
            struct net_addr hop;
            if (!fuzz_headers_entry(start, (size_t)(end - start), &hop))
                return out;
            out = hop;
            if (!net_addr_in_any(cfg->trusted_proxies, cfg->n_trusted_proxies, &hop))
                return out;
            if (start == line)
                break;
            end = start - 1;
        }
    }
    return out;
}

/* ---- the checks ------------------------------------------------------- */

static void fuzz_headers_check_caller(struct http_request *r, bool authorized)
{
    const char *auth = http_request_header(r, "Authorization");
    const char *cookie = http_request_header(r, "Cookie");
    bool twice = fuzz_headers_count("Idempotency-Key") > 1 || fuzz_headers_count("Host") > 1 ||
                 fuzz_headers_count("Authorization") > 1;
    if (twice) {
        FUZZ_CHECK(!authorized && fake_conn_get()->status == 400 && fuzz_seen.hosts == 0,
                   "a header sent twice got %u", fake_conn_get()->status);
        return;
    }
    FUZZ_CHECK(fuzz_seen.hosts == 1, "the tenant was looked up %d times", fuzz_seen.hosts);
    const char *host = http_request_header(r, "Host");
    if (host != NULL && strlen(host) < 256) {
        char want[256];
        fuzz_headers_host(host, want, sizeof(want));
        FUZZ_CHECK(strcmp(fuzz_seen.host, want) == 0, "Host '%s' looked up as '%s', not '%s'", host,
                   fuzz_seen.host, want);
    }
    bool tenant = strcmp(fuzz_seen.host, "nobody.example") != 0 ||
                  ((r->route->roles & ROLE_ANON) && strncmp(r->path, "/api/v1/auth/", 13) != 0);
    if (!tenant || (r->route->roles & ROUTE_BY_TOKEN) != 0) {
        FUZZ_CHECK(fuzz_seen.keys + fuzz_seen.sessions == 0, "a caller was looked up");
        return;
    }
    if (auth != NULL) {
        bool bearer = strncasecmp(auth, "Bearer ", 7) == 0;
        FUZZ_CHECK(fuzz_seen.sessions == 0, "a session was looked up beside Authorization");
        FUZZ_CHECK(fuzz_seen.keys == bearer, "'%s' looked up %d keys", auth, fuzz_seen.keys);
        FUZZ_CHECK(!bearer || strcmp(fuzz_seen.key, auth + 7) == 0, "'%s' gave key '%s'", auth,
                   fuzz_seen.key);
        return;
    }
    FUZZ_CHECK(fuzz_seen.keys == 0, "a key was looked up without Authorization");
    char *want = cookie != NULL ? fuzz_headers_cookie(cookie) : NULL;
    bool looked = want != NULL && want[0] != '\0' && strlen(want) <= SECRET_HEX;
    FUZZ_CHECK(fuzz_seen.sessions == looked, "Cookie '%s': %d sessions looked up, want %d",
               cookie ? cookie : "", fuzz_seen.sessions, looked);
    FUZZ_CHECK(!looked || strcmp(fuzz_seen.token, want) == 0,
               "Cookie '%s' gave token '%s', not '%s'", cookie, fuzz_seen.token, want);
    free(want);
}

static void fuzz_headers_check_authorize(struct http_request *r, bool authorized)
{
    if (!authorized) {
        unsigned status = fake_conn_get()->status;
        FUZZ_CHECK(r->responded && fake_conn_get()->queued == 1 &&
                       ((status >= 400 && status < 500) || status == 503),
                   "a refusal answered %u", status);
        return;
    }
    FUZZ_CHECK(!r->responded, "authorized and answered");
    FUZZ_CHECK((r->route->roles & r->role) != 0, "role %#x on a route for %#x", r->role,
               r->route->roles);
    bool safe = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0 ||
                strcmp(r->method, "OPTIONS") == 0;
    const char *csrf = http_request_header(r, "X-CSRF-Token");
    if (r->by_session && !safe)
        FUZZ_CHECK(csrf != NULL && strcmp(csrf, fuzz_headers_csrf) == 0,
                   "a session %s passed with X-CSRF-Token '%s'", r->method, csrf ? csrf : "");
}

static void fuzz_headers_check_idempotency_key(struct http_request *r)
{
    const char *key = http_request_header(r, "Idempotency-Key");
    if (key == NULL)
        return;
    size_t n = strlen(key);
    bool want = n >= 1 && n <= 255;
    for (size_t i = 0; i < n && want; i++)
        want = (unsigned char)key[i] >= 0x21 && (unsigned char)key[i] <= 0x7e;
    FUZZ_CHECK(svc_idem_key_is_valid(key) == want, "Idempotency-Key '%s' valid %d", key, !want);
}

/* ---- the input -------------------------------------------------------- */

/* Adds "Name: value" as a header (value without surrounding space, as
 * libmicrohttpd gives it); the strings go to keep. */
static void fuzz_headers_add(char *line, char **keep, size_t *n_keep)
{
    char *colon = strchr(line, ':');
    if (colon == NULL || colon == line) {
        free(line);
        return;
    }
    *colon = '\0';
    char *value = colon + 1;
    while (fuzz_headers_space(*value))
        value++;
    size_t len = strlen(value);
    while (len > 0 && fuzz_headers_space(value[len - 1]))
        value[--len] = '\0';
    if (fake_conn_add(MHD_HEADER_KIND, line, value))
        keep[(*n_keep)++] = line;
    else
        free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    static struct http_server srv;
    static struct svc svc;
    free(fuzz_seen.key);
    memset(&fuzz_seen, 0, sizeof(fuzz_seen));
    http_config_defaults(&srv.cfg);
    srv.cfg.n_trusted_proxies = 0;
    struct http_request r;
    memset(&r, 0, sizeof(r));
    arena_init(&r.arena, ARENA_REQUEST_BYTES_MAX);
    r.conn = fake_conn_reset();
    r.srv = &srv;
    r.svc = &svc;
    memcpy(r.id, "fuzz", 5);

    char *peer = fuzz_take_until(&in, '\n');
    if (net_addr_parse(peer, strlen(peer), &fake_conn_get()->peer))
        fuzz_headers_addr_round_trip(&fake_conn_get()->peer);
    char *proxies = fuzz_take_until(&in, '\n');
    for (char *p = proxies, *end; *p; p = end + (*end != '\0')) {
        end = p + strcspn(p, " ");
        char saved = *end;
        *end = '\0';
        fuzz_headers_cidr(p, srv.cfg.trusted_proxies, &srv.cfg.n_trusted_proxies);
        *end = saved;
    }
    char *request = fuzz_take_until(&in, '\n');
    char *space = strchr(request, ' ');
    r.method = request;
    r.path = space != NULL ? space + 1 : "/";
    if (space != NULL)
        *space = '\0';
    char *keep[FAKE_CONN_VALUES_MAX];
    size_t n_keep = 0;
    while (in.size > 0 && n_keep < FAKE_CONN_VALUES_MAX)
        fuzz_headers_add(fuzz_take_until(&in, '\n'), keep, &n_keep);

    char allow[64];
    r.route = http_route_find(r.method, r.path, r.params, allow, sizeof(allow));
    if (r.route == NULL)
        r.route = &http_routes[(size > 0 ? data[size - 1] : 0) % http_routes_count];
    bool authorized = http_authorize(&r);
    fuzz_headers_check_caller(&r, authorized);
    fuzz_headers_check_authorize(&r, authorized);
    fuzz_headers_check_idempotency_key(&r);

    struct net_addr client, want = fuzz_headers_client(&srv.cfg);
    http_client_address(&r, &client);
    FUZZ_CHECK(memcmp(&client, &want, sizeof(client)) == 0, "the client is another address");

    for (size_t i = 0; i < n_keep; i++)
        free(keep[i]);
    free(request);
    free(proxies);
    free(peer);
    arena_release(&r.arena);
    return 0;
}
