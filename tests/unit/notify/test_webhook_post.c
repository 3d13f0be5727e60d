/*
 * Unit tests of webhook delivery (notify/notify_webhook.c) over real HTTP:
 * the signed body arrives with its headers, the answer's status, time and
 * first bytes come back for the delivery log, and the guard holds: a
 * receiver on a refused address is never connected to, a redirect is never
 * followed, and a large or slow answer cannot hold creditd.
 *
 * Method: a scripted HTTP receiver (fake_tcp.h) on 127.0.0.1 reads one
 * request, records it and answers with the status, headers, body size and
 * delay the test chose. The receiver is on loopback, so the deliveries that
 * should arrive set allow_private; the same deliveries without it must be
 * refused before any connection (the listening socket has nothing pending).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "notify/notify_int.h"
#include "fake_tcp.h"

#define BODY "{\"id\":\"evt_1\",\"type\":\"order.created\",\"data\":{\"reference\":\"ORD-1\"}}"

struct receiver {
    int status;
    const char *headers; /* extra answer headers, each ending in CRLF */
    size_t body_bytes;   /* of 'r', after "ok" when 0 */
    int delay_ms;
    char request[16 * 1024];
    size_t request_len;
};

static void receiver_serve(struct fake_tcp *f, int fd)
{
    struct receiver *r = f->ctx;
    char line[4096];
    long length = 0;
    while (fake_tcp_read_line(fd, line, sizeof(line))) {
        size_t n = strlen(line);
        if (r->request_len + n < sizeof(r->request)) {
            memcpy(r->request + r->request_len, line, n + 1);
            r->request_len += n;
        }
        if (strncasecmp(line, "Content-Length:", 15) == 0)
            length = strtol(line + 15, NULL, 10);
        if (strcmp(line, "\r\n") == 0)
            break;
    }
    for (long i = 0; i < length && r->request_len + 1 < sizeof(r->request); i++) {
        if (read(fd, r->request + r->request_len, 1) != 1)
            break;
        r->request[++r->request_len] = '\0';
    }
    if (r->delay_ms > 0)
        usleep((useconds_t)r->delay_ms * 1000);
    size_t body = r->body_bytes > 0 ? r->body_bytes : 2;
    char head[512];
    assert_true(
        str_format(head, sizeof(head),
                   "HTTP/1.1 %d Status\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n",
                   r->status ? r->status : 200, body, r->headers ? r->headers : ""));
    fake_tcp_puts(fd, head);
    if (r->body_bytes == 0) {
        fake_tcp_puts(fd, "ok");
        return;
    }
    char chunk[4096];
    memset(chunk, 'r', sizeof(chunk));
    for (size_t sent = 0; sent < body; sent += sizeof(chunk))
        fake_tcp_write(fd, chunk, body - sent < sizeof(chunk) ? body - sent : sizeof(chunk));
}

static struct notify_webhook_request request_to(const char *url, char *signature)
{
    assert_int_equal(notify_webhook_sign("whsec_test", 1700000000, BODY, strlen(BODY), signature),
                     ERR_OK);
    return (struct notify_webhook_request){
        .url = url,
        .body = BODY,
        .body_len = strlen(BODY),
        .signature = signature,
        .event_id = "evt_1",
        .timeout_ms = 3000,
        .allow_private = true,
    };
}

/* Posts to the receiver r at host:port/path and returns the outcome. */
static enum err post_to(struct receiver *r, const char *host, struct notify_webhook_result *out,
                        struct err_detail *d)
{
    struct fake_tcp f;
    fake_tcp_start(&f, receiver_serve, r);
    char url[128], sig[NOTIFY_SIGNATURE_BYTES];
    assert_true(str_format(url, sizeof(url), "http://%s:%d/hook?x=1", host, f.port));
    struct notify_webhook_request req = request_to(url, sig);
    enum err rc = notify_webhook_post(&req, out, d);
    fake_tcp_stop(&f);
    return rc;
}

static void the_signed_body_arrives_with_its_headers(void **state)
{
    (void)state;
    struct receiver r = {0};
    struct notify_webhook_result out;
    struct err_detail d = {0};
    enum err rc = post_to(&r, "127.0.0.1", &out, &d);
    if (rc != ERR_OK)
        fail_msg("post: %s: %s", err_code(rc), d.message);
    assert_true(strncmp(r.request, "POST /hook?x=1 HTTP/1.1\r\n", 25) == 0);
    assert_non_null(strstr(r.request, "\r\nContent-Type: application/json\r\n"));
    assert_non_null(strstr(r.request, "\r\nCreditd-Signature: t=1700000000,v1="));
    assert_non_null(strstr(r.request, "\r\nCreditd-Event-Id: evt_1\r\n"));
    assert_non_null(strstr(r.request, "\r\nUser-Agent: " NOTIFY_USER_AGENT "\r\n"));
    assert_null(strstr(r.request, "Expect:"));
    char length[64];
    assert_true(str_format(length, sizeof(length), "\r\nContent-Length: %zu\r\n", strlen(BODY)));
    assert_non_null(strstr(r.request, length));
    const char *body = strstr(r.request, "\r\n\r\n");
    assert_string_equal(body + 4, BODY);
    assert_int_equal(out.status, 200);
    assert_string_equal(out.excerpt, "ok");
    assert_int_equal(out.excerpt_len, 2);
    assert_string_equal(out.address, "127.0.0.1");
    assert_true(out.duration_ms >= 0 && out.duration_ms < 3000);
}

static void a_host_name_is_pinned_to_the_address_checked(void **state)
{
    (void)state;
    struct receiver r = {0};
    struct notify_webhook_result out;
    struct err_detail d = {0};
    enum err rc = post_to(&r, "LocalHost", &out, &d);
    if (rc != ERR_OK)
        fail_msg("post: %s: %s", err_code(rc), d.message);
    assert_non_null(strstr(r.request, "\r\nHost: localhost:"));
    assert_string_equal(out.address, "127.0.0.1");
}

static void a_receiver_on_loopback_is_never_reached_without_allow_private(void **state)
{
    (void)state;
    struct fake_tcp f;
    fake_tcp_listen(&f); /* no thread: a connection would stay pending */
    const char *hosts[] = {"127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "127.1"};
    for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        char url[128], sig[NOTIFY_SIGNATURE_BYTES];
        assert_true(str_format(url, sizeof(url), "http://%s:%d/hook", hosts[i], f.port));
        struct notify_webhook_request req = request_to(url, sig);
        req.allow_private = false;
        struct notify_webhook_result out;
        struct err_detail d = {0};
        enum err rc = notify_webhook_post(&req, &out, &d);
        if (rc != ERR_FORBIDDEN)
            fail_msg("%s: got %s (%s)", url, err_code(rc), d.message);
        assert_non_null(strstr(d.message, "loopback"));
        assert_int_equal(out.status, 0);
        assert_false(fake_tcp_has_pending(&f));
    }
    fake_tcp_stop(&f);
}

static void a_redirect_is_an_answer_never_followed(void **state)
{
    (void)state;
    struct receiver r = {.status = 302,
                         .headers = "Location: http://169.254.169.254/latest/meta-data/\r\n"};
    struct notify_webhook_result out;
    struct err_detail d = {0};
    assert_int_equal(post_to(&r, "127.0.0.1", &out, &d), ERR_DELIVERY_UNAVAILABLE);
    assert_int_equal(out.status, 302);
    assert_non_null(strstr(d.message, "answered 302"));
}

static void error_answers_are_temporary_except_gone(void **state)
{
    (void)state;
    int statuses[] = {400, 401, 404, 429, 500, 503};
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        struct receiver r = {.status = statuses[i]};
        struct notify_webhook_result out;
        struct err_detail d = {0};
        assert_int_equal(post_to(&r, "127.0.0.1", &out, &d), ERR_DELIVERY_UNAVAILABLE);
        assert_int_equal(out.status, statuses[i]);
        assert_string_equal(out.excerpt, "ok");
    }
    struct receiver r = {.status = 410};
    struct notify_webhook_result out;
    struct err_detail d = {0};
    assert_int_equal(post_to(&r, "127.0.0.1", &out, &d), ERR_DELIVERY_REJECTED);
    assert_int_equal(out.status, 410);
    r = (struct receiver){.status = 204};
    assert_int_equal(post_to(&r, "127.0.0.1", &out, &d), ERR_OK);
}

static void only_the_first_bytes_of_a_large_answer_are_read(void **state)
{
    (void)state;
    struct receiver r = {.body_bytes = 4 * 1024 * 1024};
    struct notify_webhook_result out;
    struct err_detail d = {0};
    enum err rc = post_to(&r, "127.0.0.1", &out, &d);
    if (rc != ERR_OK)
        fail_msg("post: %s: %s", err_code(rc), d.message);
    assert_int_equal(out.status, 200);
    assert_int_equal(out.excerpt_len, WEBHOOK_EXCERPT_BYTES);
    assert_int_equal(strlen(out.excerpt), WEBHOOK_EXCERPT_BYTES);
    assert_int_equal(strspn(out.excerpt, "r"), WEBHOOK_EXCERPT_BYTES);
}

static void a_slow_receiver_times_out_as_temporary(void **state)
{
    (void)state;
    struct fake_tcp f;
    struct receiver r = {.delay_ms = 1200};
    fake_tcp_start(&f, receiver_serve, &r);
    char url[128], sig[NOTIFY_SIGNATURE_BYTES];
    assert_true(str_format(url, sizeof(url), "http://127.0.0.1:%d/hook", f.port));
    struct notify_webhook_request req = request_to(url, sig);
    req.timeout_ms = 200;
    struct notify_webhook_result out;
    struct err_detail d = {0};
    enum err rc = notify_webhook_post(&req, &out, &d);
    fake_tcp_stop(&f);
    assert_int_equal(rc, ERR_DELIVERY_UNAVAILABLE);
    assert_non_null(strstr(d.message, "within 200 ms"));
    assert_true(out.duration_ms >= 150 && out.duration_ms < 1000);
    assert_int_equal(out.status, 0);
}

static void no_receiver_listening_is_temporary(void **state)
{
    (void)state;
    struct fake_tcp f;
    fake_tcp_listen(&f);
    int port = f.port;
    close(f.listen_fd);
    char url[128], sig[NOTIFY_SIGNATURE_BYTES];
    assert_true(str_format(url, sizeof(url), "http://127.0.0.1:%d/hook?token=secret", port));
    struct notify_webhook_request req = request_to(url, sig);
    struct notify_webhook_result out;
    struct err_detail d = {0};
    assert_int_equal(notify_webhook_post(&req, &out, &d), ERR_DELIVERY_UNAVAILABLE);
    assert_int_equal(out.status, 0);
    assert_non_null(strstr(d.message, "cannot reach webhook receiver '127.0.0.1'"));
    assert_null(strstr(d.message, "token")); /* the URL's query stays out of messages */
}

static void a_request_that_cannot_be_sent_is_refused_before_connecting(void **state)
{
    (void)state;
    char sig[NOTIFY_SIGNATURE_BYTES];
    struct notify_webhook_request base = request_to("http://127.0.0.1:1/hook", sig);
    struct notify_webhook_result out;
    struct err_detail d = {0};
    struct notify_webhook_request req = base;
    req.body = NULL;
    assert_int_equal(notify_webhook_post(&req, &out, &d), ERR_VALIDATION);
    assert_string_equal(d.field, "body");
    req = base;
    req.body_len = WEBHOOK_BODY_BYTES_MAX + 1;
    assert_int_equal(notify_webhook_post(&req, &out, &d), ERR_TOO_LARGE);
    req = base;
    req.signature = "";
    assert_int_equal(notify_webhook_post(&req, &out, &d), ERR_VALIDATION);
    assert_string_equal(d.field, "signature");
    req = base;
    req.signature = "t=1,v1=ab\r\nX-Injected: yes";
    assert_int_equal(notify_webhook_post(&req, &out, &d), ERR_VALIDATION);
    assert_string_equal(d.field, "signature");
    req = base;
    req.event_id = "evt 1";
    assert_int_equal(notify_webhook_post(&req, &out, &d), ERR_VALIDATION);
    assert_string_equal(d.field, "event_id");
    req = base;
    req.url = "https://user:pw@127.0.0.1/hook";
    assert_int_equal(notify_webhook_post(&req, &out, &d), ERR_VALIDATION);
    assert_null(strstr(d.message, "pw"));
    req = base;
    req.url = "http://169.254.169.254/latest/meta-data/";
    assert_int_equal(notify_webhook_post(&req, &out, &d), ERR_FORBIDDEN);
}

int main(void)
{
    if (notify_init() != ERR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_signed_body_arrives_with_its_headers),
        cmocka_unit_test(a_host_name_is_pinned_to_the_address_checked),
        cmocka_unit_test(a_receiver_on_loopback_is_never_reached_without_allow_private),
        cmocka_unit_test(a_redirect_is_an_answer_never_followed),
        cmocka_unit_test(error_answers_are_temporary_except_gone),
        cmocka_unit_test(only_the_first_bytes_of_a_large_answer_are_read),
        cmocka_unit_test(a_slow_receiver_times_out_as_temporary),
        cmocka_unit_test(no_receiver_listening_is_temporary),
        cmocka_unit_test(a_request_that_cannot_be_sent_is_refused_before_connecting),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    notify_release();
    return rc;
}
