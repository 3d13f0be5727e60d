/*
 * The libmicrohttpd glue: one request = one arena, created when the request
 * arrives and freed by the completed callback. A JSON request is read whole
 * (up to its limit), then dispatched: route, tenant from the Host header, the
 * caller from the session cookie or the bearer key, the route's roles, the
 * CSRF token for cookie sessions, then the handler. An upload route is
 * authorized as soon as its headers are in and its body is streamed to disk
 * (upload.c). Every answer carries the security headers and the request id;
 * every request logs one access line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http_int.h"

#define SESSION_COOKIE "creditd_session"

void http_config_defaults(struct http_config *cfg)
{
    *cfg = (struct http_config){
        .listen = "127.0.0.1:8080",
        /* A request waiting for its commit holds its thread: 16 let that
         * many writes share one group commit (bench_http: 64 connections,
         * POST /orders 2,000/s with 4 threads, 3,100/s with 16). */
        .threads = 16,
        .connections_max = 1024,
        /* Seven addresses cannot take the 1024 (behind a trusted proxy, whose
         * address every client has, there is no per-address limit). 128, not
         * 64: a load balancer or wrk with 64 connections from one address
         * briefly holds more while closed ones are reaped (bench_http on
         * PostgreSQL: 32,011 refused sockets and 268 instead of 596 req/s
         * with 64). */
        .per_ip_max = 128,
        .timeout_s = 30,
        .memory_per_connection_bytes = 128 * 1024,
        .json_body_bytes_max = 64 * 1024,
        .upload_bytes_max = UPLOAD_BYTES_DEFAULT,
    };
}

/* ---- responses --------------------------------------------------------- */

/* Headers added to the answer being built, before it is queued. */
struct http_pending_header {
    const char *name, *value;
};
static _Thread_local struct http_pending_header http_pending[8];
static _Thread_local size_t http_pending_count;

void http_header(struct http_request *r, const char *name, const char *value)
{
    (void)r;
    if (value == NULL)
        return;
    if (http_pending_count < sizeof(http_pending) / sizeof(http_pending[0]))
        http_pending[http_pending_count++] = (struct http_pending_header){name, value};
}

void http_retry_after(struct http_request *r, int64_t seconds)
{
    ASSERT(seconds >= 0);
    http_header(r, "Retry-After", arena_printf(&r->arena, "%lld", (long long)seconds));
}

static void http_queue_response(struct http_request *r, int status, const char *content_type,
                                struct MHD_Response *resp);

static void http_queue(struct http_request *r, int status, const char *content_type,
                       const void *data, size_t len)
{
    ASSERT(!r->responded);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (resp == NULL) {
        http_pending_count = 0;
        return;
    }
    http_queue_response(r, status, content_type, resp);
}

void http_respond_stream(struct http_request *r, int status, const char *content_type,
                         struct MHD_Response *resp)
{
    ASSERT(!r->responded);
    http_queue_response(r, status, content_type, resp);
}

/* Adds the headers every answer carries and queues it (takes resp). */
static void http_queue_response(struct http_request *r, int status, const char *content_type,
                                struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Content-Type", content_type);
    MHD_add_response_header(resp, "X-Request-Id", r->id);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    /* A page with its own policy (e.g. its style's hash) or its own caching
     * (the portal's assets) replaces the default. */
    bool own_policy = false, own_cache = false;
    for (size_t i = 0; i < http_pending_count; i++) {
        own_policy |= strcasecmp(http_pending[i].name, "Content-Security-Policy") == 0;
        own_cache |= strcasecmp(http_pending[i].name, "Cache-Control") == 0;
        MHD_add_response_header(resp, http_pending[i].name, http_pending[i].value);
    }
    if (!own_cache)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (!own_policy)
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'none'; frame-ancestors 'none'");
    http_pending_count = 0;
    r->status = status;
    r->responded = true;
    if (r->defer) {
        r->deferred = resp;
        return;
    }
    MHD_queue_response(r->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
}

/* Sends the answer kept while the body was read (see struct http_request). */
static void http_answer_deferred(struct http_request *r)
{
    MHD_queue_response(r->conn, (unsigned)r->status, r->deferred);
    MHD_destroy_response(r->deferred);
    r->deferred = NULL;
}

void http_text(struct http_request *r, int status, const char *content_type, const char *text,
               size_t len)
{
    http_queue(r, status, content_type, text, len);
}

void http_json(struct http_request *r, int status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(body);
    if (text == NULL) {
        http_queue(r, 500, "application/problem+json", "{}", 2);
        return;
    }
    http_queue(r, status, "application/json", text, strlen(text));
    free(text);
}

static const char *http_problem_title(enum err e)
{
    switch (e) {
    case ERR_VALIDATION:
        return "The request has invalid fields";
    case ERR_NOT_FOUND:
        return "Not found";
    case ERR_INSUFFICIENT_CREDITS:
        return "Not enough credits";
    case ERR_CREDITS_DISABLED:
        return "These credits cannot be spent now";
    case ERR_MEMBER_LIMIT_EXCEEDED:
        return "Monthly limit reached";
    case ERR_FORBIDDEN:
        return "Not allowed";
    case ERR_UNAUTHENTICATED:
        return "Sign in first";
    case ERR_IDEMPOTENCY_CONFLICT:
        return "Idempotency key reused with another request";
    case ERR_TOO_LARGE:
        return "Request too large";
    case ERR_STORE_BUSY:
        return "Busy, try again";
    case ERR_DUPLICATE_FILE:
        return "This file was already ordered";
    case ERR_FILE_PURGED:
        return "The file's contents were removed";
    case ERR_ORDER_OPEN:
        return "The order is still open";
    case ERR_INVOICE_STATE:
        return "The invoice does not allow this";
    case ERR_SIGNATURE_INVALID:
        return "Signature not valid";
    case ERR_GATEWAY_UNAVAILABLE:
        return "The payment gateway did not answer";
    case ERR_GATEWAY_NOT_CONFIGURED:
        return "This payment method is not set up";
    case ERR_INSUFFICIENT_STORAGE:
        return "No space left for the file";
    case ERR_STORAGE_UNAVAILABLE:
        return "File storage failed, try again";
    case ERR_TOTP_REQUIRED:
        return "Authentication code required";
    case ERR_TOTP_ENROLMENT_REQUIRED:
        return "Turn on two-factor sign-in first";
    case ERR_METHOD_NOT_ALLOWED:
        return "Method not allowed";
    default:
        return err_code(e);
    }
}

const char *http_request_lang(struct http_request *r)
{
    ASSERT(r != NULL);
    return i18n_accept_language(http_request_header(r, "Accept-Language"));
}

const char *http_problem_title_in(struct http_request *r, enum err e)
{
    const char *lang = http_request_lang(r);
    if (strcmp(lang, "en") == 0)
        return http_problem_title(e);
    char key[64];
    snprintf(key, sizeof(key), "errors.title.%s", err_code(e));
    const char *title = i18n_lookup(lang, key);
    return title != NULL ? title : http_problem_title(e);
}

/* Answers e with field and message; the message is English, and said in
 * the request's language when kept (its format and arguments) has a
 * translation. */
static void http_problem_send(struct http_request *r, enum err e, const char *field,
                              const char *english, const struct err_text *kept,
                              const struct err_detail *d)
{
    int status = err_http_status(e);
    char translated[512];
    const char *message = english;
    if (kept != NULL)
        message = err_text_in(kept, http_request_lang(r), english, translated, sizeof(translated));
    json_t *p = json_object();
    json_object_set_new(p, "type", json_string("about:blank"));
    json_object_set_new(p, "title", json_string(http_problem_title_in(r, e)));
    json_object_set_new(p, "status", json_integer(status));
    json_object_set_new(p, "code", json_string(err_code(e)));
    if (message != NULL && message[0] != '\0')
        json_object_set_new(p, "detail", json_string(message));
    if (field != NULL && field[0] != '\0') {
        json_object_set_new(p, "field", json_string(field));
        if (e == ERR_VALIDATION || e == ERR_OVERFLOW) {
            json_t *errors = json_array(), *one = json_object();
            json_object_set_new(one, "field", json_string(field));
            json_object_set_new(one, "message", json_string(message ? message : ""));
            json_array_append_new(errors, one);
            json_object_set_new(p, "errors", errors);
        }
    }
    if (e == ERR_DUPLICATE_FILE && d != NULL && d->reference[0] != '\0')
        json_object_set_new(p, "duplicate_of", json_string(d->reference));
    if (e == ERR_INSUFFICIENT_CREDITS && d != NULL) {
        json_object_set_new(p, "shortfall", http_amount(d->shortfall_minor, d->scale));
        json_object_set_new(p, "available", http_amount(d->available_minor, d->scale));
        json_object_set_new(p, "requested", http_amount(d->requested_minor, d->scale));
    }
    json_object_set_new(p, "request_id", json_string(r->id));
    char *text = json_dumps(p, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(p);
    if (e == ERR_STORE || e == ERR_STORE_BUSY || e == ERR_IO)
        http_metrics_store_error();
    if (e >= ERR_STORE_BUSY && e != ERR_USAGE)
        log_msg(LOG_ERROR, "request %s %s %s failed: %s", r->id, r->method, r->path, err_code(e));
    /* A 503 is passing (a failover, a busy database): say when to come back. */
    if (status == 503)
        http_header(r, "Retry-After", HTTP_RETRY_AFTER_S);
    http_queue(r, status, "application/problem+json", text ? text : "{}", text ? strlen(text) : 2);
    free(text);
}

void http_problem(struct http_request *r, enum err e, const struct err_detail *d)
{
    http_problem_send(r, e, d ? d->field : NULL, d ? d->message : NULL, d ? &d->text : NULL, d);
}

void http_problem_msg(struct http_request *r, enum err e, const char *fmt, ...)
{
    char message[256];
    struct err_text text;
    va_list ap, copy;
    va_start(ap, fmt);
    va_copy(copy, ap);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    err_text_capture(&text, fmt, copy);
    va_end(copy);
    http_problem_send(r, e, NULL, message, &text, NULL);
}

void http_method_not_allowed(struct http_request *r, const char *allow)
{
    http_header(r, "Allow", allow);
    json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", "about:blank", "title",
                          http_problem_title_in(r, ERR_METHOD_NOT_ALLOWED), "status", 405, "code",
                          "method_not_allowed", "request_id", r->id);
    char *text = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    http_queue(r, 405, "application/problem+json", text ? text : "{}", text ? strlen(text) : 2);
    free(text);
}

/* ---- requests ---------------------------------------------------------- */

const char *http_request_header(struct http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* Counts the lines of the headers that must come once. */
struct http_single {
    int idempotency_key, host, authorization;
};

static enum MHD_Result http_single_count(void *cls, enum MHD_ValueKind kind, const char *key,
                                         const char *value)
{
    (void)kind;
    (void)value;
    struct http_single *n = cls;
    n->idempotency_key += strcasecmp(key, "Idempotency-Key") == 0;
    n->host += strcasecmp(key, "Host") == 0;
    n->authorization += strcasecmp(key, "Authorization") == 0;
    return MHD_YES;
}

/* The header sent twice of those that must come once (one key, one host,
 * one credential: with two, which one a proxy and this server each read
 * could differ), or NULL. */
static const char *http_header_twice(struct http_request *r)
{
    struct http_single n = {0};
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, http_single_count, &n);
    return n.idempotency_key > 1 ? "Idempotency-Key"
           : n.host > 1          ? "Host"
           : n.authorization > 1 ? "Authorization"
                                 : NULL;
}

/* The X-Forwarded-For lines of a request, in order; past the most kept,
 * the oldest give way (the walk reads from the right). */
struct http_forwarded {
    const char *lines[FORWARDED_LINES_MAX];
    size_t n;
};

static enum MHD_Result http_forwarded_line(void *cls, enum MHD_ValueKind kind, const char *key,
                                           const char *value)
{
    (void)kind;
    struct http_forwarded *f = cls;
    if (key == NULL || strcasecmp(key, "X-Forwarded-For") != 0)
        return MHD_YES;
    if (f->n == FORWARDED_LINES_MAX) {
        memmove(f->lines, f->lines + 1, (FORWARDED_LINES_MAX - 1) * sizeof(f->lines[0]));
        f->n--;
    }
    f->lines[f->n++] = value ? value : "";
    return MHD_YES;
}

void http_client_address(struct http_request *r, struct net_addr *out)
{
    ASSERT(out != NULL);
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    struct net_addr peer;
    net_addr_from_sockaddr(info != NULL ? info->client_addr : NULL, &peer);
    const struct http_config *cfg = &r->srv->cfg;
    struct http_forwarded f = {.n = 0};
    /* Lines are read only from a trusted peer: anyone else's are its own word. */
    if (net_addr_in_any(cfg->trusted_proxies, cfg->n_trusted_proxies, &peer))
        MHD_get_connection_values(r->conn, MHD_HEADER_KIND, http_forwarded_line, &f);
    ASSERT(f.n <= FORWARDED_LINES_MAX);
    net_forwarded_client(&peer, f.lines, f.n, cfg->trusted_proxies, cfg->n_trusted_proxies, out);
}

const char *http_client_address_text(struct http_request *r)
{
    struct net_addr client;
    http_client_address(r, &client);
    char *text = arena_alloc(&r->arena, NET_ADDR_TEXT);
    return text != NULL && net_addr_format(&client, text, NET_ADDR_TEXT) ? text : "";
}

const char *http_query(struct http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

bool http_param_id(struct http_request *r, int index, const char *prefix, int64_t *out)
{
    ASSERT(index >= 0 && index < HTTP_PARAMS_MAX);
    if (r->params[index] != NULL && id_parse(r->params[index], prefix, out))
        return true;
    http_problem_msg(r, ERR_NOT_FOUND, "no such object");
    return false;
}

/* ---- dispatch ---------------------------------------------------------- */

static unsigned http_role_bit(const char *role)
{
    if (strcmp(role, "admin") == 0)
        return ROLE_ADMIN;
    if (strcmp(role, "staff") == 0)
        return ROLE_STAFF;
    if (strcmp(role, "owner") == 0)
        return ROLE_OWNER;
    if (strcmp(role, "technician") == 0)
        return ROLE_TECHNICIAN;
    return 0;
}

/* The host of a Host header value (RFC 9110: uri-host [":" port]) in lower
 * case: the port goes, also after an IPv6 literal, which keeps its
 * brackets ("[2001:db8::1]:8443" is "[2001:db8::1]"). */
static void http_host_name(const char *host, char *name, size_t n)
{
    ASSERT(n > 0);
    str_copy(name, n, host);
    char *literal_end = name[0] == '[' ? strchr(name, ']') : NULL;
    char *colon = strchr(literal_end != NULL ? literal_end : name, ':');
    if (colon != NULL)
        *colon = '\0';
    for (char *p = name; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
}

/* The tenant of the Host header; with a single tenant, any host. */
static enum err http_resolve_tenant(struct http_request *r)
{
    const char *host = http_request_header(r, "Host");
    char name[256] = "";
    if (host != NULL)
        http_host_name(host, name, sizeof(name));
    return svc_tenant_by_host(r->svc, name, &r->tenant_id);
}

/* The session token from the Cookie header, copied into buf: the value of
 * the first cookie-pair named SESSION_COOKIE. Pairs are split at ';' (RFC
 * 6265 5.4) and the name is matched at a pair's start only, so that
 * "prefs=a creditd_session=x", one cookie whose value holds a space, is no
 * session: a cookie a page's script may set must not pass for ours. */
const char *http_session_token(struct http_request *r, char *buf, size_t n)
{
    const char *cookie = http_request_header(r, "Cookie");
    for (const char *p = cookie; p != NULL; p = strchr(p, ';') ? strchr(p, ';') + 1 : NULL) {
        p += strspn(p, " \t");
        if (strncmp(p, SESSION_COOKIE "=", strlen(SESSION_COOKIE "=")) != 0)
            continue;
        p += strlen(SESSION_COOKIE "=");
        size_t len = strcspn(p, "; \t");
        if (len == 0 || len >= n)
            return NULL;
        memcpy(buf, p, len);
        buf[len] = '\0';
        return buf;
    }
    return NULL;
}

/* Resolves the caller; ERR_OK with role ROLE_ANON when there is none. */
static enum err http_resolve_caller(struct http_request *r)
{
    r->role = ROLE_ANON;
    r->actor = (struct svc_actor){.label = "", .address = http_client_address_text(r)};
    const char *auth = http_request_header(r, "Authorization");
    enum err rc;
    if (auth != NULL) {
        if (strncasecmp(auth, "Bearer ", 7) != 0)
            return ERR_UNAUTHENTICATED;
        rc = svc_apikey_resolve(r->svc, &r->arena, r->tenant_id, auth + 7, &r->who);
    } else {
        char token[SECRET_HEX + 1];
        const char *t = http_session_token(r, token, sizeof(token));
        if (t == NULL)
            return ERR_OK;
        rc = svc_session_resolve(r->svc, &r->arena, r->tenant_id, t, &r->who);
        r->by_session = rc == ERR_OK;
        /* A stale cookie is no caller at all: public routes still work. */
        if (rc == ERR_UNAUTHENTICATED)
            return ERR_OK;
    }
    if (rc != ERR_OK)
        return rc;
    r->role = http_role_bit(r->who.role);
    r->actor.user_id = r->who.user_id;
    r->actor.label = r->who.email;
    return r->role != 0 ? ERR_OK : ERR_UNAUTHENTICATED;
}

static bool http_method_is_safe(const char *method)
{
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
           strcmp(method, "OPTIONS") == 0;
}

/* A member whose e-mail is not confirmed yet, or whose business awaits
 * approval, reads everything of theirs, prices orders and manages their own
 * account, and changes nothing else. */
static bool http_authorize_hold(struct http_request *r)
{
    const char *p = r->route->pattern;
    bool own = strncmp(p, "/api/v1/me", 10) == 0 || strncmp(p, "/api/v1/auth/", 13) == 0 ||
               strcmp(p, "/api/v1/quotes") == 0;
    if (r->who.hold == ERR_OK || http_method_is_safe(r->method) || own)
        return true;
    http_problem_msg(r, r->who.hold,
                     r->who.hold == ERR_EMAIL_UNVERIFIED
                         ? "confirm your e-mail address first: follow the link we mailed you"
                         : "the business has not approved your customer account yet");
    return false;
}

bool http_authorize(struct http_request *r)
{
    ASSERT(r->route != NULL);
    const char *twice = http_header_twice(r);
    if (twice != NULL) {
        http_problem_msg(r, ERR_USAGE, "the %s header may come only once", twice);
        return false;
    }
    enum err rc = http_resolve_tenant(r);
    /* Public routes other than signing in (health, metrics, the API
     * document) answer at any host, even before a tenant exists. */
    bool public_route = (r->route->roles & ROLE_ANON) && strncmp(r->path, "/api/v1/auth/", 13) != 0;
    if (rc == ERR_NOT_FOUND && public_route) {
        r->tenant_id = 0;
        rc = ERR_OK;
    } else if (rc == ERR_NOT_FOUND) {
        http_problem_msg(r, ERR_NOT_FOUND, "no business is served at this host");
        return false;
    }
    r->role = ROLE_ANON;
    if (rc == ERR_OK && (r->route->roles & ROUTE_BY_TOKEN) == 0)
        rc = http_resolve_caller(r);
    if (rc != ERR_OK) {
        http_problem_msg(r, rc, rc == ERR_UNAUTHENTICATED ? "the credentials are not valid" : "");
        return false;
    }
    if ((r->route->roles & r->role) == 0) {
        if (r->role == ROLE_ANON)
            http_problem_msg(r, ERR_UNAUTHENTICATED, "sign in or send an API key");
        else
            http_problem_msg(r, ERR_FORBIDDEN, "your role may not do this");
        return false;
    }
    if (r->who.totp_enrolment_required &&
        (r->route->roles & (ROLE_ANON | ROUTE_WHILE_ENROLLING)) == 0) {
        http_problem_msg(r, ERR_TOTP_ENROLMENT_REQUIRED,
                         "this business requires two-factor sign-in: turn it on first");
        return false;
    }
    if (r->by_session && !http_method_is_safe(r->method)) {
        const char *csrf = http_request_header(r, "X-CSRF-Token");
        if (csrf == NULL || strcmp(csrf, r->who.csrf_token) != 0) {
            http_problem_msg(r, ERR_FORBIDDEN, "missing or wrong X-CSRF-Token header");
            return false;
        }
    }
    return http_authorize_hold(r);
}

/* Finds the route when the headers are in (uploads act on it at once). */
static void http_route(struct http_request *r)
{
    r->route = http_route_find(r->method, r->path, r->params, r->allow, sizeof(r->allow));
    for (int i = 0; i < HTTP_PARAMS_MAX; i++)
        r->params[i] = arena_strdup(&r->arena, r->params[i]);
}

/* A JSON (or body-less) request, read whole. */
static void http_dispatch(struct http_request *r)
{
    if (r->route == NULL) {
        if (r->allow[0] != '\0')
            http_method_not_allowed(r, r->allow);
        else
            http_problem_msg(r, ERR_NOT_FOUND, "no such endpoint");
        return;
    }
    if (r->body_too_large) {
        http_problem_msg(r, ERR_TOO_LARGE, "the body is larger than %zu bytes",
                         r->srv->cfg.json_body_bytes_max);
        return;
    }
    if (!http_authorize(r) || !http_idem_prepare(r))
        return;
    r->route->handler(r);
    if (!r->responded)
        http_problem_msg(r, ERR_INTERNAL, "no answer");
}

/* ---- libmicrohttpd callbacks ------------------------------------------- */

static struct http_request *http_request_new(struct http_server *srv, struct MHD_Connection *conn,
                                             const char *url, const char *method)
{
    struct http_request *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    arena_init(&r->arena, ARENA_REQUEST_BYTES_MAX);
    r->srv = srv;
    r->svc = srv->cfg.test_clock ? &srv->test_svc : srv->svc;
    r->conn = conn;
    r->started_us = time_now_us();
    random_hex(r->id, 8);
    r->method = arena_strdup(&r->arena, method);
    const char *q = strchr(url, '?');
    r->path = q ? arena_strndup(&r->arena, url, (size_t)(q - url)) : arena_strdup(&r->arena, url);
    buf_init(&r->body, srv->cfg.json_body_bytes_max);
    return r;
}

static enum MHD_Result http_access(void *cls, struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version, const char *upload_data,
                                   size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct http_server *srv = cls;
    struct http_request *r = *con_cls;
    if (r == NULL) {
        r = http_request_new(srv, conn, url, method);
        if (r == NULL)
            return MHD_NO;
        *con_cls = r;
        http_deadline_phase(conn, HTTP_PHASE_BODY);
        http_route(r);
        /* Headers only: an upload is refused now, before its body is sent
         * (a client waiting on Expect: 100-continue then sends nothing). */
        if (r->route != NULL && r->route->upload)
            http_upload_begin(r);
        return MHD_YES;
    }
    bool upload = r->route != NULL && r->route->upload;
    if (*upload_data_size > 0) {
        http_deadline_bytes(conn, *upload_data_size);
        bool keep = true;
        if (upload)
            keep = http_upload_data(r, upload_data, *upload_data_size);
        else if (!r->body_too_large &&
                 buf_append(&r->body, upload_data, *upload_data_size) != ERR_OK)
            r->body_too_large = true;
        *upload_data_size = 0;
        return keep ? MHD_YES : MHD_NO;
    }
    http_deadline_phase(conn, HTTP_PHASE_BUSY);
    if (r->deferred != NULL)
        http_answer_deferred(r);
    else if (!r->responded && upload)
        http_upload_done(r);
    else if (!r->responded)
        http_dispatch(r);
    return MHD_YES;
}

static void http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                           enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    struct http_request *r = *con_cls;
    if (r == NULL)
        return;
    http_deadline_phase(conn, HTTP_PHASE_WAITING); /* the next request's headers */
    int64_t duration = time_now_us() - r->started_us;
    http_metrics_observe(r->route, r->status, duration);
    /* One line per request: never a header, a body or a query string. */
    log_msg(LOG_INFO, "access id=%s method=%s path=%s status=%d duration_us=%lld%s", r->id,
            r->method, r->path, r->status, (long long)duration,
            toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
    if (r->deferred != NULL)
        MHD_destroy_response(r->deferred);
    http_upload_release(r);
    http_idem_release(r);
    buf_release(&r->body);
    arena_release(&r->arena);
    free(r);
    *con_cls = NULL;
}

/* ---- start and stop ---------------------------------------------------- */

static int64_t http_test_clock(void *ctx)
{
    struct http_server *srv = ctx;
    int64_t t = __atomic_load_n(&srv->test_now_us, __ATOMIC_SEQ_CST);
    return t != 0 ? t : time_now_us();
}

static bool http_parse_listen(const char *listen, struct sockaddr_in *addr)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    if (colon == NULL || (size_t)(colon - listen) >= sizeof(host))
        return false;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    int64_t port;
    if (!parse_int64(colon + 1, &port) || port < 1 || port > 65535)
        return false;
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    addr->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &addr->sin_addr) == 1;
}

/* Decodes %HH in a path or query value in place, except %00, which stays as
 * the three characters: a decoded NUL would end the C string early, and
 * "/customers/cus_1%00xyz" would then name cus_1. */
size_t http_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    static const char hex[] = "0123456789abcdef0123456789ABCDEF";
    size_t out = 0;
    for (size_t in = 0; s[in] != '\0'; out++) {
        const char *h1 = s[in] == '%' && s[in + 1] != '\0' ? strchr(hex, s[in + 1]) : NULL;
        const char *h2 = h1 != NULL && s[in + 2] != '\0' ? strchr(hex, s[in + 2]) : NULL;
        int v = h2 != NULL ? ((int)(h1 - hex) % 16) * 16 + (int)(h2 - hex) % 16 : -1;
        if (v > 0) {
            s[out] = (char)v;
            in += 3;
        } else {
            s[out] = s[in++];
        }
    }
    s[out] = '\0';
    return out;
}

enum err http_server_start(const struct http_config *cfg, struct svc *svc, struct http_server **out,
                           struct err_detail *d)
{
    struct sockaddr_in addr;
    if (!http_parse_listen(cfg->listen, &addr))
        return err_set(d, ERR_USAGE, "listen", "expected HOST:PORT with an IPv4 host, not '%s'",
                       cfg->listen);
    struct http_server *srv = calloc(1, sizeof(*srv));
    if (srv == NULL)
        return ERR_INTERNAL;
    srv->svc = svc;
    srv->cfg = *cfg;
    struct svc_clock clock = {.now_us = http_test_clock, .ctx = srv};
    svc_init(&srv->test_svc, svc->st, &clock);
    svc_use_blobs(&srv->test_svc, svc->blobs);
    svc_use_cache(&srv->test_svc, svc->cache);
    srv->test_svc.gateway = svc->gateway;
    srv->test_svc.notify = svc->notify;
    srv->test_svc.webhook_allow_private = svc->webhook_allow_private;
    if (http_deadline_new(&srv->deadline) != ERR_OK) {
        free(srv);
        return err_set(d, ERR_INTERNAL, "", "cannot start the deadline sweeper");
    }
    unsigned per_ip = cfg->n_trusted_proxies > 0 ? cfg->connections_max : cfg->per_ip_max;
    srv->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0, NULL,
        NULL, http_access, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, cfg->threads, MHD_OPTION_CONNECTION_LIMIT,
        cfg->connections_max, MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        cfg->memory_per_connection_bytes, MHD_OPTION_NOTIFY_COMPLETED, http_completed, srv,
        MHD_OPTION_UNESCAPE_CALLBACK, http_unescape, NULL, MHD_OPTION_NOTIFY_CONNECTION,
        http_deadline_notify, srv->deadline, MHD_OPTION_END);
    if (srv->daemon == NULL) {
        http_deadline_free(srv->deadline);
        free(srv);
        return err_set(d, ERR_IO, "listen", "cannot listen on %s", cfg->listen);
    }
    *out = srv;
    return ERR_OK;
}

struct svc *http_server_svc(struct http_server *srv)
{
    return srv->cfg.test_clock ? &srv->test_svc : srv->svc;
}

void http_server_stop(struct http_server *srv)
{
    if (srv == NULL)
        return;
    MHD_quiesce_daemon(srv->daemon);
    /* Requests in flight finish; idle keep-alive connections are closed by
     * the stop after at most five seconds. */
    for (int i = 0; i < 500; i++) {
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (info == NULL || info->num_connections == 0)
            break;
        usleep(10 * 1000);
    }
    MHD_stop_daemon(srv->daemon);
    http_deadline_free(srv->deadline);
    free(srv);
}
