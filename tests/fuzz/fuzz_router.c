/*
 * Fuzz target: the router and path ids. A request line's path as
 * libmicrohttpd hands it over: decoded by http_unescape (server.c), matched
 * by http_route_find (router.c), its {id} parameters read by id_parse.
 *
 * Input: the method, a space, the raw path; the first 8 bytes also give an
 * id for id_format and back.
 *
 * Properties: http_unescape equals an independent percent-decoder that
 * keeps %00, never lengthens, and leaves no NUL inside; a route found has
 * the request's method and a pattern that, with its parameters put back,
 * spells the path exactly (parameters non-empty, without '/', as many as
 * the pattern's braces); it is the first route of the table that an
 * independent segment matcher matches; with no route, the Allow list names
 * exactly the methods of the routes whose pattern matches, and is empty
 * when none does; an id parameter is read exactly when it is
 * "<prefix>_<n>" or n, and id_format writes it back that way.
 */
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

#include "fuzz.h"

static int fuzz_router_hex(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Percent-decoding as RFC 3986 reads it, except that %00 stays. */
static size_t fuzz_router_unescape(const char *in, char *out)
{
    size_t n = 0;
    for (size_t i = 0; in[i] != '\0';) {
        int hi = in[i] == '%' ? fuzz_router_hex(in[i + 1]) : -1;
        int lo = hi >= 0 ? fuzz_router_hex(in[i + 2]) : -1;
        if (lo >= 0 && hi * 16 + lo != 0) {
            out[n++] = (char)(hi * 16 + lo);
            i += 3;
        } else {
            out[n++] = in[i++];
        }
    }
    out[n] = '\0';
    return n;
}

/* Whether path matches pattern segment by segment ("{x}" is one
 * non-empty segment); the parameters go to params. */
static bool fuzz_router_matches(const char *pattern, const char *path, char params[][512],
                                size_t *n_params)
{
    *n_params = 0;
    while (*pattern != '\0' || *path != '\0') {
        if (*pattern != '/' || *path != '/')
            return false;
        pattern++, path++;
        size_t plen = strcspn(pattern, "/"), len = strcspn(path, "/");
        if (pattern[0] == '{') {
            if (len == 0 || len >= 512 || *n_params == HTTP_PARAMS_MAX)
                return false;
            memcpy(params[*n_params], path, len);
            params[(*n_params)++][len] = '\0';
        } else if (plen != len || memcmp(pattern, path, len) != 0) {
            return false;
        }
        pattern += plen, path += len;
    }
    return true;
}

static bool fuzz_router_allows(const char *allow, const char *method)
{
    size_t n = strlen(method);
    for (const char *p = allow; (p = strstr(p, method)) != NULL; p += n)
        if ((p == allow || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

static void fuzz_router_params(const struct http_route *rt, const char *const *params,
                               const char *path)
{
    /* The pattern with its parameters put back spells the path. */
    char spelled[1024];
    size_t len = 0, k = 0;
    for (const char *p = rt->pattern; *p && len < sizeof(spelled) - 1;) {
        if (*p == '{') {
            FUZZ_CHECK(k < HTTP_PARAMS_MAX && params[k] != NULL, "parameter %zu missing", k);
            FUZZ_CHECK(params[k][0] != '\0' && strchr(params[k], '/') == NULL,
                       "parameter '%s' of %s", params[k], rt->pattern);
            size_t n = strlen(params[k++]);
            FUZZ_CHECK(len + n < sizeof(spelled), "parameters too long");
            memcpy(spelled + len, params[k - 1], n);
            len += n;
            p = strchr(p, '}') + 1;
        } else {
            spelled[len++] = *p++;
        }
    }
    spelled[len] = '\0';
    FUZZ_CHECK(strcmp(spelled, path) == 0, "%s with its parameters is %s, not %s", rt->pattern,
               spelled, path);
    for (; k < HTTP_PARAMS_MAX; k++)
        FUZZ_CHECK(params[k] == NULL, "an extra parameter %zu", k);
}

static void fuzz_router_ids(const char *const *params)
{
    static const char *const prefixes[] = {"cus", "lot", "ord", "inv", "fil", "key"};
    for (size_t k = 0; k < HTTP_PARAMS_MAX && params[k] != NULL; k++) {
        for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
            int64_t got = 0, want = 0;
            bool read = id_parse(params[k], prefixes[i], &got);
            bool fits = fuzz_id_reference(params[k], prefixes[i], &want);
            FUZZ_CHECK(read == fits && (!read || got == want), "'%s' as a %s id: %d %lld",
                       params[k], prefixes[i], read, (long long)got);
        }
    }
}

static void fuzz_router_route(const char *method, const char *path)
{
    const char *params[HTTP_PARAMS_MAX] = {0};
    char allow[64];
    const struct http_route *rt = http_route_find(method, path, params, allow, sizeof(allow));
    bool check_all = strlen(path) < 400; /* the router's scratch holds every parameter */
    char ref_params[HTTP_PARAMS_MAX][512];
    size_t n = 0;
    const struct http_route *first = NULL;
    bool any_pattern = false;
    for (size_t i = 0; check_all && i < http_routes_count; i++) {
        const struct http_route *r = &http_routes[i];
        if (!fuzz_router_matches(r->pattern, path, ref_params, &n))
            continue;
        any_pattern = true;
        if (first == NULL && strcmp(r->method, method) == 0)
            first = r;
        if (rt == NULL)
            FUZZ_CHECK(fuzz_router_allows(allow, r->method), "%s %s: Allow '%s' lacks %s", method,
                       path, allow, r->method);
    }
    if (check_all)
        FUZZ_CHECK(rt == first, "%s %s: routed to %s, the reference says %s", method, path,
                   rt ? rt->pattern : "nothing", first ? first->pattern : "nothing");
    if (rt == NULL) {
        FUZZ_CHECK(!check_all || any_pattern == (allow[0] != '\0'), "%s %s: Allow '%s'", method,
                   path, allow);
        return;
    }
    FUZZ_CHECK(strcmp(rt->method, method) == 0, "%s routed to a %s route", method, rt->method);
    fuzz_router_params(rt, params, path);
    fuzz_router_ids(params);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    struct fuzz_in numbers = in;
    char *method = fuzz_take_until(&in, ' ');
    char *path = fuzz_take_rest(&in, NULL);
    size_t raw_len = strlen(path);
    char *want = malloc(raw_len + 1);
    FUZZ_CHECK(want != NULL, "out of memory");
    size_t want_len = fuzz_router_unescape(path, want);
    size_t len = http_unescape(NULL, NULL, path);
    FUZZ_CHECK(len == strlen(path) && len <= raw_len, "unescaped length %zu", len);
    FUZZ_CHECK(len == want_len && strcmp(path, want) == 0, "unescaped '%s', the reference '%s'",
               path, want);
    fuzz_router_route(method, path);

    int64_t id = (int64_t)(fuzz_take_u64(&numbers) >> 1);
    if (id > 0) {
        char text[ID_TEXT_BYTES];
        int64_t back = 0;
        id_format(text, sizeof(text), "ord", id);
        FUZZ_CHECK(id_parse(text, "ord", &back) && back == id, "%s does not read back", text);
    }
    free(want);
    free(path);
    free(method);
    return 0;
}
