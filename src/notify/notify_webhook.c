/*
 * Webhooks: the Creditd-Signature of a body, and one POST of a signed body
 * to a receiver.
 *
 * The POST connects only to addresses the SSRF guard judged (notify_addr.c):
 * they are pinned with CURLOPT_RESOLVE, and the socket callback refuses any
 * other address libcurl might still try. It follows no redirect (a 3xx is an
 * answer like any other: the receiver might redirect to an internal
 * address), uses no proxy, and reads at most WEBHOOK_EXCERPT_BYTES of the
 * answer. Messages name the receiver's host, never its URL, whose path or
 * query may hold a token, and never the secret.
 */
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>

#include "notify/notify_int.h"

/* Longest Creditd-Event-Id: event ids are short opaque strings. */
enum { WEBHOOK_EVENT_ID_BYTES_MAX = 128, WEBHOOK_TIMEOUT_MS_DEFAULT = 10000 };

enum err notify_webhook_sign(const char *secret, int64_t unix_time, const char *body,
                             size_t body_len, char out_header[NOTIFY_SIGNATURE_BYTES])
{
    ASSERT(out_header != NULL);
    ASSERT(body != NULL || body_len == 0);
    out_header[0] = '\0';
    if (secret == NULL || secret[0] == '\0')
        return ERR_VALIDATION;
    if (strlen(secret) > WEBHOOK_SECRET_BYTES_MAX)
        return ERR_TOO_LARGE;
    if (unix_time < 0)
        return ERR_VALIDATION;
    char t[24];
    bool fits = str_format(t, sizeof(t), "%lld", (long long)unix_time);
    ASSERT(fits);
    crypto_auth_hmacsha256_state st;
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)t, strlen(t));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, body_len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof(st));
    char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
    hex_encode(mac, sizeof(mac), hex);
    fits = str_format(out_header, NOTIFY_SIGNATURE_BYTES, "t=%s,v1=%s", t, hex);
    ASSERT(fits);
    return ERR_OK;
}

/* What one POST holds; released together at the end of notify_webhook_post. */
struct webhook_call {
    CURL *curl;
    struct curl_slist *headers, *resolve;
    struct notify_target target;
    struct notify_webhook_result *out;
    bool excerpt_full;    /* more arrived than is kept: the read stopped */
    bool address_refused; /* libcurl tried an address that was not checked */
};

static size_t webhook_write(char *data, size_t size, size_t count, void *userdata)
{
    struct webhook_call *call = userdata;
    struct notify_webhook_result *out = call->out;
    ASSERT(out->excerpt_len <= WEBHOOK_EXCERPT_BYTES);
    size_t n = size * count, room = WEBHOOK_EXCERPT_BYTES - out->excerpt_len;
    size_t keep = n < room ? n : room;
    memcpy(out->excerpt + out->excerpt_len, data, keep);
    out->excerpt_len += keep;
    out->excerpt[out->excerpt_len] = '\0';
    if (keep == n)
        return n;
    /* Returning less than n stops the transfer: the rest is never read. */
    call->excerpt_full = true;
    return 0;
}

/* Opens the socket only for an address the guard checked. */
static curl_socket_t webhook_open_socket(void *clientp, curlsocktype purpose,
                                         struct curl_sockaddr *address)
{
    struct webhook_call *call = clientp;
    (void)purpose;
    const char *raw = (const char *)&address->addr;
    const void *bytes = NULL;
    if (address->family == AF_INET && address->addrlen >= sizeof(struct sockaddr_in))
        bytes = raw + offsetof(struct sockaddr_in, sin_addr);
    else if (address->family == AF_INET6 && address->addrlen >= sizeof(struct sockaddr_in6))
        bytes = raw + offsetof(struct sockaddr_in6, sin6_addr);
    char text[48];
    if (bytes == NULL || inet_ntop(address->family, bytes, text, sizeof(text)) == NULL ||
        !notify_target_has(&call->target, text)) {
        call->address_refused = true;
        return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype, address->protocol);
}

static bool webhook_is_visible_ascii(const char *s)
{
    for (const char *p = s; *p != '\0'; p++) {
        if (*p < 0x21 || *p > 0x7e)
            return false;
    }
    return true;
}

static enum err webhook_request_check(const struct notify_webhook_request *req,
                                      struct err_detail *d)
{
    if (req->body == NULL || req->body_len == 0)
        return err_set(d, ERR_VALIDATION, "body", "is required");
    if (req->body_len > WEBHOOK_BODY_BYTES_MAX)
        return err_set(d, ERR_TOO_LARGE, "body", "is larger than %u bytes", WEBHOOK_BODY_BYTES_MAX);
    if (req->signature == NULL || req->signature[0] == '\0' ||
        strlen(req->signature) >= NOTIFY_SIGNATURE_BYTES ||
        !webhook_is_visible_ascii(req->signature))
        return err_set(d, ERR_VALIDATION, "signature", "is not a Creditd-Signature value");
    if (req->event_id != NULL && (strlen(req->event_id) > WEBHOOK_EVENT_ID_BYTES_MAX ||
                                  !webhook_is_visible_ascii(req->event_id)))
        return err_set(d, ERR_VALIDATION, "event_id", "must be at most %d visible ASCII characters",
                       WEBHOOK_EVENT_ID_BYTES_MAX);
    return ERR_OK;
}

static bool webhook_header_add(struct webhook_call *call, const char *name, const char *value)
{
    char line[WEBHOOK_EVENT_ID_BYTES_MAX + 64];
    if (!str_format(line, sizeof(line), "%s: %s", name, value))
        return false;
    struct curl_slist *h = curl_slist_append(call->headers, line);
    if (h == NULL)
        return false;
    call->headers = h;
    return true;
}

/* The request's timeout: 0 for the default, never past the maximum. */
static long webhook_timeout_ms(const struct notify_webhook_request *req)
{
    if (req->timeout_ms <= 0)
        return WEBHOOK_TIMEOUT_MS_DEFAULT;
    return req->timeout_ms < WEBHOOK_TIMEOUT_MS_MAX ? req->timeout_ms : WEBHOOK_TIMEOUT_MS_MAX;
}

static enum err webhook_setup(const struct notify_webhook_request *req, struct webhook_call *call)
{
    CURL *c = call->curl;
    long timeout = webhook_timeout_ms(req);
    bool set =
        webhook_header_add(call, "Content-Type", "application/json") &&
        webhook_header_add(call, "Creditd-Signature", req->signature) &&
        (req->event_id == NULL || webhook_header_add(call, "Creditd-Event-Id", req->event_id)) &&
        webhook_header_add(call, "Expect", "");
    if (set && call->target.resolve[0] != '\0')
        set = (call->resolve = curl_slist_append(NULL, call->target.resolve)) != NULL;
    set = set && curl_easy_setopt(c, CURLOPT_URL, call->target.url) == CURLE_OK &&
          curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
          curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
          curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
          curl_easy_setopt(c, CURLOPT_PROXY, "") == CURLE_OK &&
          curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
          curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK &&
          (req->ca_file == NULL || req->ca_file[0] == '\0' ||
           curl_easy_setopt(c, CURLOPT_CAINFO, req->ca_file) == CURLE_OK) &&
          curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout) == CURLE_OK &&
          curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout) == CURLE_OK &&
          (call->resolve == NULL ||
           curl_easy_setopt(c, CURLOPT_RESOLVE, call->resolve) == CURLE_OK) &&
          curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, webhook_open_socket) == CURLE_OK &&
          curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, call) == CURLE_OK &&
          curl_easy_setopt(c, CURLOPT_USERAGENT, NOTIFY_USER_AGENT) == CURLE_OK &&
          curl_easy_setopt(c, CURLOPT_HTTPHEADER, call->headers) == CURLE_OK &&
          curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body) == CURLE_OK &&
          curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len) == CURLE_OK &&
          curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, webhook_write) == CURLE_OK &&
          curl_easy_setopt(c, CURLOPT_WRITEDATA, call) == CURLE_OK;
    return set ? ERR_OK : ERR_INTERNAL;
}

/* Sorts what the transfer ended with into the outcome of the delivery. */
static enum err webhook_outcome(struct webhook_call *call, CURLcode res, long timeout_ms,
                                struct err_detail *d)
{
    const char *host = call->target.host;
    struct notify_webhook_result *out = call->out;
    if (call->address_refused)
        return err_set(d, ERR_FORBIDDEN, "url",
                       "webhook host '%.64s': a connection to an address that was not checked "
                       "was refused",
                       host);
    if (res == CURLE_OPERATION_TIMEDOUT)
        return err_set(d, ERR_DELIVERY_UNAVAILABLE, "",
                       "webhook receiver '%.64s' did not answer "
                       "within %ld ms",
                       host, timeout_ms);
    if (res != CURLE_OK && !(res == CURLE_WRITE_ERROR && call->excerpt_full))
        return err_set(d, ERR_DELIVERY_UNAVAILABLE, "", "cannot reach webhook receiver '%.64s': %s",
                       host, curl_easy_strerror(res));
    if (curl_easy_getinfo(call->curl, CURLINFO_RESPONSE_CODE, &out->status) != CURLE_OK)
        out->status = 0;
    if (out->status >= 200 && out->status <= 299)
        return ERR_OK;
    if (out->status == 410)
        return err_set(d, ERR_DELIVERY_REJECTED, "",
                       "webhook receiver '%.64s' answered 410: it is gone", host);
    return err_set(d, ERR_DELIVERY_UNAVAILABLE, "", "webhook receiver '%.64s' answered %ld", host,
                   out->status);
}

static int64_t webhook_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum err notify_webhook_post(const struct notify_webhook_request *req,
                             struct notify_webhook_result *out, struct err_detail *d)
{
    ASSERT(req != NULL);
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    int64_t started = webhook_now_ms();
    struct webhook_call call = {.out = out};
    enum err rc = webhook_request_check(req, d);
    if (rc == ERR_OK)
        rc = notify_target_check(req->url, req->allow_private, &call.target, d);
    if (rc != ERR_OK)
        goto out;
    ASSERT(notify_is_initialized());
    if ((call.curl = curl_easy_init()) == NULL || webhook_setup(req, &call) != ERR_OK) {
        rc = err_set(d, ERR_INTERNAL, "", "cannot start a libcurl request");
        goto out;
    }
    CURLcode res = curl_easy_perform(call.curl);
    char *ip = NULL;
    if (curl_easy_getinfo(call.curl, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip != NULL)
        str_copy(out->address, sizeof(out->address), ip);
    rc = webhook_outcome(&call, res, webhook_timeout_ms(req), d);
out:
    out->duration_ms = webhook_now_ms() - started;
    curl_slist_free_all(call.headers);
    curl_slist_free_all(call.resolve);
    curl_easy_cleanup(call.curl);
    return rc;
}
