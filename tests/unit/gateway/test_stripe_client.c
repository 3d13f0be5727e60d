/*
 * Tests of the Stripe Checkout client (gateway/gw_stripe.c) over real HTTP
 * with libcurl: a session is created as asked, and every way Stripe can fail
 * comes back as gateway_unavailable without a key in the message.
 *
 * Method: the group starts the local stand-in (node
 * tests/support/stripe_standin.mjs --port 0 --print-port), reads its port from
 * its stdout and stops it at the end; its stdin is a pipe we hold, so it also
 * exits if this process dies. Tests are run from the repository root, as
 * scripts/test.sh does. The stand-in checks Stripe's auth, form encoding and
 * idempotency; /_standin/fail-next makes its next answer a failure, a lie or
 * a delay. Sessions are read back through the stand-in's own API to see what
 * the form carried. Without node on PATH the tests that need the stand-in
 * are skipped; the configuration and unreachable-host cases still run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "gateway/gateway.h"

#define STANDIN_SCRIPT "tests/support/stripe_standin.mjs"
#define SECRET_KEY     "sk_test_standin_client_0123456789"
#define WRONG_KEY      "sk_test_wrong_key_9876"

/* The stand-in of this run; pid -1 when node is not installed. */
static struct {
    pid_t pid;
    int lifeline_fd;
    char base[64];
} standin = {-1, -1, ""};

static int standin_read_port(int fd)
{
    char line[16];
    size_t n = 0;
    while (n + 1 < sizeof(line)) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 15000) != 1)
            return -1;
        ssize_t got = read(fd, line + n, 1);
        if (got != 1)
            return -1;
        if (line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    int64_t port;
    return parse_int64(line, &port) && port > 0 && port < 65536 ? (int)port : -1;
}

static int standin_start(void **state)
{
    (void)state;
    if (gateway_init() != ERR_OK)
        return -1;
    if (access(STANDIN_SCRIPT, R_OK) != 0) {
        fprintf(stderr, "cannot read %s: run the tests from the repository root\n", STANDIN_SCRIPT);
        return -1;
    }
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    char *argv[] = {
        "node",         STANDIN_SCRIPT, "--port", "0", "--print-port", "--stdin-lifeline",
        "--secret-key", SECRET_KEY,     NULL};
    pid_t pid;
    int rc = posix_spawnp(&pid, "node", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    if (rc == ENOENT) {
        fprintf(stderr, "node is not on PATH: tests that need the Stripe stand-in are skipped\n");
        close(in[1]);
        close(out[0]);
        return 0;
    }
    int port = rc == 0 ? standin_read_port(out[0]) : -1;
    close(out[0]);
    if (port < 0) {
        fprintf(stderr, "the Stripe stand-in did not start (posix_spawnp: %d)\n", rc);
        close(in[1]);
        return -1;
    }
    standin.pid = pid;
    standin.lifeline_fd = in[1];
    if (!str_format(standin.base, sizeof(standin.base), "http://127.0.0.1:%d", port))
        return -1;
    return 0;
}

static int standin_stop(void **state)
{
    (void)state;
    if (standin.pid > 0) {
        close(standin.lifeline_fd);
        kill(standin.pid, SIGTERM);
        waitpid(standin.pid, NULL, 0);
        standin.pid = -1;
    }
    gateway_release();
    return 0;
}

#define NEED_STANDIN()                                                                             \
    do {                                                                                           \
        if (standin.pid < 0)                                                                       \
            skip();                                                                                \
    } while (0)

static size_t standin_collect(char *data, size_t size, size_t count, void *userdata)
{
    return buf_append(userdata, data, size * count) == ERR_OK ? size * count : 0;
}

/* GET (body NULL) or POST body as JSON to the stand-in; the parsed answer. */
static json_t *standin_call(const char *path, const char *body)
{
    char url[256];
    assert_true(str_format(url, sizeof(url), "%s%s", standin.base, path));
    struct buf answer;
    buf_init(&answer, 1024 * 1024);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    struct curl_slist *h = curl_slist_append(NULL, "Authorization: Bearer " SECRET_KEY);
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, standin_collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
    if (body != NULL)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    json_t *v = json_loadb(answer.data ? answer.data : "", answer.len, 0, NULL);
    buf_release(&answer);
    assert_non_null(v);
    return v;
}

static void standin_fail_next(const char *json)
{
    json_decref(standin_call("/_standin/fail-next", json));
}

static void client_config(struct gateway_config *cfg, const char *base)
{
    gateway_config_defaults(cfg);
    cfg->stripe_api_base = base;
    cfg->stripe_secret_key = SECRET_KEY;
    cfg->timeout_ms = 5000;
}

static struct stripe_checkout_request client_request(void)
{
    return (struct stripe_checkout_request){
        .currency = "EUR",
        .amount_minor = 4250,
        .product_name = "Invoice 2026-000042 & co: tuning für 2 Räder",
        .client_reference_id = "inv_42",
        .customer_email = "owner+test@example.com",
        .success_url = "https://shop.example/pay/done?invoice=inv_42&x=1",
        .cancel_url = "https://shop.example/pay/cancel",
        .metadata_tenant = "ten_1",
        .metadata_invoice = "inv_42",
        .idempotency_key = NULL,
    };
}

static void client_assert_unavailable(enum err rc, const struct err_detail *d, const char *says)
{
    if (rc != ERR_GATEWAY_UNAVAILABLE)
        fail_msg("got %s (%s), want gateway_unavailable", err_code(rc), d->message);
    if (strstr(d->message, says) == NULL)
        fail_msg("message '%s' does not say '%s'", d->message, says);
    assert_null(strstr(d->message, SECRET_KEY));
    assert_null(strstr(d->message, "sk_test_"));
}

static void a_session_is_created_and_its_url_returned(void **state)
{
    (void)state;
    NEED_STANDIN();
    struct gateway_config cfg;
    client_config(&cfg, standin.base);
    struct stripe_checkout_request in = client_request();
    struct stripe_checkout_session s;
    struct err_detail d = {0};
    assert_int_equal(stripe_checkout_create(&cfg, &in, &s, &d), ERR_OK);
    assert_int_equal(strncmp(s.id, "cs_test_", 8), 0);
    char want_url[512];
    assert_true(str_format(want_url, sizeof(want_url), "%s/c/pay/%s", standin.base, s.id));
    assert_string_equal(s.url, want_url);
    assert_int_equal(s.amount_total, 4250);
    assert_string_equal(s.currency, "eur");
    assert_true(s.expires_at > time_now_us() / USEC_PER_SEC);

    /* What the form carried, as the stand-in decoded it. */
    char path[512];
    assert_true(str_format(path, sizeof(path), "/v1/checkout/sessions/%s", s.id));
    json_t *got = standin_call(path, NULL);
    assert_string_equal(json_string_value(json_object_get(got, "client_reference_id")), "inv_42");
    assert_string_equal(json_string_value(json_object_get(got, "customer_email")),
                        "owner+test@example.com");
    assert_string_equal(json_string_value(json_object_get(got, "success_url")), in.success_url);
    json_t *meta = json_object_get(got, "metadata");
    assert_string_equal(json_string_value(json_object_get(meta, "tenant")), "ten_1");
    assert_string_equal(json_string_value(json_object_get(meta, "invoice")), "inv_42");
    json_decref(got);
    assert_true(str_format(path, sizeof(path), "/v1/checkout/sessions/%s/line_items", s.id));
    got = standin_call(path, NULL);
    json_t *item = json_array_get(json_object_get(got, "data"), 0);
    assert_string_equal(json_string_value(json_object_get(item, "description")), in.product_name);
    assert_int_equal(json_integer_value(json_object_get(item, "quantity")), 1);
    json_decref(got);
}

static void the_same_idempotency_key_gives_the_same_session_twice(void **state)
{
    (void)state;
    NEED_STANDIN();
    struct gateway_config cfg;
    client_config(&cfg, standin.base);
    struct stripe_checkout_request in = client_request();
    in.idempotency_key = "checkout-inv_42-attempt-1";
    struct stripe_checkout_session first, second, other;
    struct err_detail d = {0};
    assert_int_equal(stripe_checkout_create(&cfg, &in, &first, &d), ERR_OK);
    assert_int_equal(stripe_checkout_create(&cfg, &in, &second, &d), ERR_OK);
    assert_string_equal(first.id, second.id);
    assert_string_equal(first.url, second.url);
    in.idempotency_key = "checkout-inv_42-attempt-2";
    assert_int_equal(stripe_checkout_create(&cfg, &in, &other, &d), ERR_OK);
    assert_string_not_equal(first.id, other.id);
}

static void the_same_idempotency_key_for_another_amount_is_refused(void **state)
{
    (void)state;
    NEED_STANDIN();
    struct gateway_config cfg;
    client_config(&cfg, standin.base);
    struct stripe_checkout_request in = client_request();
    in.idempotency_key = "checkout-inv_43";
    struct stripe_checkout_session s;
    struct err_detail d = {0};
    assert_int_equal(stripe_checkout_create(&cfg, &in, &s, &d), ERR_OK);
    in.amount_minor = 4251;
    enum err rc = stripe_checkout_create(&cfg, &in, &s, &d);
    client_assert_unavailable(rc, &d, "stripe answered 400: Keys for idempotent requests");
    assert_string_equal(s.id, "");
}

static void a_wrong_secret_key_is_refused_without_the_key_in_the_message(void **state)
{
    (void)state;
    NEED_STANDIN();
    struct gateway_config cfg;
    client_config(&cfg, standin.base);
    cfg.stripe_secret_key = WRONG_KEY;
    struct stripe_checkout_request in = client_request();
    struct stripe_checkout_session s;
    struct err_detail d = {0};
    enum err rc = stripe_checkout_create(&cfg, &in, &s, &d);
    client_assert_unavailable(rc, &d, "stripe answered 401: Invalid API Key provided: ***");
    assert_null(strstr(d.message, "9876")); /* the stand-in, like Stripe, shows the last four */
    assert_null(strstr(d.message, WRONG_KEY));
}

static void stripe_server_errors_and_throttling_are_gateway_unavailable(void **state)
{
    (void)state;
    NEED_STANDIN();
    struct gateway_config cfg;
    client_config(&cfg, standin.base);
    struct stripe_checkout_request in = client_request();
    struct stripe_checkout_session s;
    struct err_detail d = {0};
    standin_fail_next("{\"status\":500}");
    client_assert_unavailable(stripe_checkout_create(&cfg, &in, &s, &d), &d,
                              "stripe answered 500: The stand-in was told to fail");
    standin_fail_next("{\"status\":429,\"body\":{\"error\":{\"type\":\"rate_limit_error\","
                      "\"message\":\"Too many requests\"}}}");
    client_assert_unavailable(stripe_checkout_create(&cfg, &in, &s, &d), &d,
                              "stripe answered 429: Too many requests");
    standin_fail_next("{\"status\":502,\"raw\":\"<html>bad gateway</html>\"}");
    client_assert_unavailable(stripe_checkout_create(&cfg, &in, &s, &d), &d, "stripe answered 502");
}

static void a_refusal_carries_stripes_message_scrubbed_of_keys(void **state)
{
    (void)state;
    NEED_STANDIN();
    struct gateway_config cfg;
    client_config(&cfg, standin.base);
    struct stripe_checkout_request in = client_request();
    struct stripe_checkout_session s;
    struct err_detail d = {0};
    standin_fail_next("{\"status\":400,\"body\":{\"error\":{\"type\":\"invalid_request_error\","
                      "\"message\":\"Amount must be at least 0.50 eur (key "
                      "sk_test_standin_client_0123456789, also rk_live_abc)\"}}}");
    client_assert_unavailable(stripe_checkout_create(&cfg, &in, &s, &d), &d,
                              "stripe answered 400: Amount must be at least 0.50 eur (key ***, "
                              "also ***)");
}

static void an_answer_that_is_not_the_session_asked_for_is_not_trusted(void **state)
{
    (void)state;
    NEED_STANDIN();
    struct gateway_config cfg;
    client_config(&cfg, standin.base);
    struct stripe_checkout_request in = client_request();
    struct stripe_checkout_session s;
    struct err_detail d = {0};
    const char *session = "\"id\":\"cs_x\",\"url\":\"https://pay.example/cs_x\","
                          "\"expires_at\":1900000000";
    char lie[512];
    assert_true(str_format(lie, sizeof(lie),
                           "{\"status\":200,\"body\":{%s,\"amount_total\":1,\"currency\":\"eur\"}}",
                           session));
    standin_fail_next(lie);
    client_assert_unavailable(stripe_checkout_create(&cfg, &in, &s, &d), &d, "another amount");
    assert_true(str_format(
        lie, sizeof(lie),
        "{\"status\":200,\"body\":{%s,\"amount_total\":4250,\"currency\":\"usd\"}}", session));
    standin_fail_next(lie);
    client_assert_unavailable(stripe_checkout_create(&cfg, &in, &s, &d), &d, "another amount");
    standin_fail_next("{\"status\":200,\"body\":{\"id\":\"cs_x\",\"amount_total\":4250,"
                      "\"currency\":\"eur\",\"expires_at\":1}}");
    client_assert_unavailable(stripe_checkout_create(&cfg, &in, &s, &d), &d, "without a session");
    standin_fail_next("{\"status\":200,\"raw\":\"<html>ok</html>\"}");
    client_assert_unavailable(stripe_checkout_create(&cfg, &in, &s, &d), &d, "not a JSON object");
    assert_string_equal(s.id, "");
}

static void an_answer_over_the_size_limit_is_refused(void **state)
{
    (void)state;
    NEED_STANDIN();
    struct gateway_config cfg;
    client_config(&cfg, standin.base);
    struct stripe_checkout_request in = client_request();
    struct stripe_checkout_session s;
    struct err_detail d = {0};
    size_t n = GATEWAY_RESPONSE_BYTES_MAX + 64;
    char *big = malloc(n);
    assert_non_null(big);
    int head = snprintf(big, n, "{\"status\":200,\"raw\":\"");
    memset(big + head, 'x', n - (size_t)head - 3);
    memcpy(big + n - 3, "\"}", 3);
    standin_fail_next(big);
    free(big);
    client_assert_unavailable(stripe_checkout_create(&cfg, &in, &s, &d), &d, "larger than");
}

static void a_stripe_slower_than_the_timeout_is_gateway_unavailable(void **state)
{
    (void)state;
    NEED_STANDIN();
    struct gateway_config cfg;
    client_config(&cfg, standin.base);
    cfg.timeout_ms = 300;
    struct stripe_checkout_request in = client_request();
    struct stripe_checkout_session s;
    struct err_detail d = {0};
    standin_fail_next("{\"delay_ms\":3000}");
    client_assert_unavailable(stripe_checkout_create(&cfg, &in, &s, &d), &d,
                              "did not answer within 300 ms");
}

static void an_unreachable_port_is_gateway_unavailable(void **state)
{
    (void)state;
    /* A port that was free a moment ago: bound, read back, closed. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    char base[64];
    assert_true(str_format(base, sizeof(base), "http://127.0.0.1:%d", ntohs(a.sin_port)));
    struct gateway_config cfg;
    client_config(&cfg, base);
    struct stripe_checkout_request in = client_request();
    struct stripe_checkout_session s;
    struct err_detail d = {0};
    client_assert_unavailable(stripe_checkout_create(&cfg, &in, &s, &d), &d, "cannot reach stripe");
}

static void client_assert_not_configured(const char *base, const char *key)
{
    struct gateway_config cfg;
    client_config(&cfg, base);
    cfg.stripe_secret_key = key;
    struct stripe_checkout_request in = client_request();
    struct stripe_checkout_session s;
    struct err_detail d = {0};
    enum err rc = stripe_checkout_create(&cfg, &in, &s, &d);
    if (rc != ERR_GATEWAY_NOT_CONFIGURED)
        fail_msg("base '%s': got %s, want gateway_not_configured", base ? base : "(null)",
                 err_code(rc));
    assert_true(d.message[0] != '\0');
    if (key != NULL && key[0] != '\0')
        assert_null(strstr(d.message, key));
    assert_false(gateway_stripe_is_configured(&cfg));
}

static void plain_http_to_a_host_other_than_loopback_is_not_configured(void **state)
{
    (void)state;
    client_assert_not_configured("http://api.stripe.com", SECRET_KEY);
    client_assert_not_configured("http://10.0.0.1:12111", SECRET_KEY);
    client_assert_not_configured("http://127.0.0.1@evil.example", SECRET_KEY);
    client_assert_not_configured("http://localhost.evil.example", SECRET_KEY);
    client_assert_not_configured("https://user:pass@api.stripe.com", SECRET_KEY);
    client_assert_not_configured("ftp://127.0.0.1", SECRET_KEY);
    client_assert_not_configured("api.stripe.com", SECRET_KEY);
    client_assert_not_configured("", SECRET_KEY);
    client_assert_not_configured(NULL, SECRET_KEY);
    struct gateway_config cfg;
    const char *fine[] = {"https://api.stripe.com", "https://stripe-proxy.internal:8443/",
                          "http://127.0.0.1:12111", "http://localhost:12111/",
                          "http://[::1]:12111"};
    for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
        client_config(&cfg, fine[i]);
        if (!gateway_stripe_is_configured(&cfg))
            fail_msg("'%s' should be accepted", fine[i]);
    }
}

static void without_a_secret_key_stripe_is_not_configured(void **state)
{
    (void)state;
    client_assert_not_configured("https://api.stripe.com", NULL);
    client_assert_not_configured("https://api.stripe.com", "");
    client_assert_not_configured("https://api.stripe.com", "sk_test_with\r\nX-Injected: 1");
    struct gateway_config cfg;
    gateway_config_defaults(&cfg);
    assert_false(gateway_stripe_is_configured(&cfg));
}

static void a_request_that_cannot_be_sent_is_refused_before_sending(void **state)
{
    (void)state;
    /* Port 1 on loopback: were anything sent, the answer would be unavailable. */
    struct gateway_config cfg;
    client_config(&cfg, "http://127.0.0.1:1");
    struct stripe_checkout_session s;
    struct err_detail d = {0};
    struct stripe_checkout_request in = client_request();
    in.amount_minor = 0;
    assert_int_equal(stripe_checkout_create(&cfg, &in, &s, &d), ERR_VALIDATION);
    assert_string_equal(d.field, "amount_minor");
    in = client_request();
    in.currency = "EURO";
    assert_int_equal(stripe_checkout_create(&cfg, &in, &s, &d), ERR_VALIDATION);
    assert_string_equal(d.field, "currency");
    in = client_request();
    in.success_url = NULL;
    assert_int_equal(stripe_checkout_create(&cfg, &in, &s, &d), ERR_VALIDATION);
    assert_string_equal(d.field, "success_url");
    in = client_request();
    in.idempotency_key = "has a space";
    assert_int_equal(stripe_checkout_create(&cfg, &in, &s, &d), ERR_VALIDATION);
    assert_string_equal(d.field, "idempotency_key");
}

static void the_configuration_reads_the_three_environment_variables(void **state)
{
    (void)state;
    struct gateway_config cfg;
    gateway_config_defaults(&cfg);
    assert_string_equal(cfg.stripe_api_base, "https://api.stripe.com");
    assert_int_equal(cfg.timeout_ms, 10000);
    assert_int_equal(cfg.webhook_tolerance_s, 300);
    setenv("CREDITD_STRIPE_API_BASE", "http://127.0.0.1:12111", 1);
    setenv("CREDITD_STRIPE_SECRET_KEY", "sk_test_env", 1);
    setenv("CREDITD_STRIPE_WEBHOOK_SECRET", "whsec_env", 1);
    gateway_config_from_env(&cfg);
    assert_string_equal(cfg.stripe_api_base, "http://127.0.0.1:12111");
    assert_string_equal(cfg.stripe_secret_key, "sk_test_env");
    assert_string_equal(cfg.stripe_webhook_secret, "whsec_env");
    assert_true(gateway_stripe_is_configured(&cfg));
    unsetenv("CREDITD_STRIPE_API_BASE");
    setenv("CREDITD_STRIPE_SECRET_KEY", "", 1);
    unsetenv("CREDITD_STRIPE_WEBHOOK_SECRET");
    gateway_config_defaults(&cfg);
    gateway_config_from_env(&cfg);
    assert_string_equal(cfg.stripe_api_base, "https://api.stripe.com");
    assert_null(cfg.stripe_secret_key);
    assert_null(cfg.stripe_webhook_secret);
    unsetenv("CREDITD_STRIPE_SECRET_KEY");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_session_is_created_and_its_url_returned),
        cmocka_unit_test(the_same_idempotency_key_gives_the_same_session_twice),
        cmocka_unit_test(the_same_idempotency_key_for_another_amount_is_refused),
        cmocka_unit_test(a_wrong_secret_key_is_refused_without_the_key_in_the_message),
        cmocka_unit_test(stripe_server_errors_and_throttling_are_gateway_unavailable),
        cmocka_unit_test(a_refusal_carries_stripes_message_scrubbed_of_keys),
        cmocka_unit_test(an_answer_that_is_not_the_session_asked_for_is_not_trusted),
        cmocka_unit_test(an_answer_over_the_size_limit_is_refused),
        cmocka_unit_test(a_stripe_slower_than_the_timeout_is_gateway_unavailable),
        cmocka_unit_test(an_unreachable_port_is_gateway_unavailable),
        cmocka_unit_test(plain_http_to_a_host_other_than_loopback_is_not_configured),
        cmocka_unit_test(without_a_secret_key_stripe_is_not_configured),
        cmocka_unit_test(a_request_that_cannot_be_sent_is_refused_before_sending),
        cmocka_unit_test(the_configuration_reads_the_three_environment_variables),
    };
    return cmocka_run_group_tests(tests, standin_start, standin_stop);
}
