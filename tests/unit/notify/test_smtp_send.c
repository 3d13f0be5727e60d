/*
 * Unit tests of the SMTP relay's configuration (notify/notify.c) and of
 * sending over libcurl (notify/notify_smtp.c): the URL and sender are read
 * strictly, the password is kept only for scrubbing, and every way a relay
 * can answer ends as delivered, rejected for good (5xx to the message) or
 * unavailable for now (4xx, no connection, a timeout, a refused login),
 * never with the password in the message.
 *
 * Method: a scripted relay (fake_tcp.h) on 127.0.0.1 speaks plain SMTP
 * without TLS and answers each command with the code the test chose; it
 * records the envelope and the data (dot-unstuffed) it received. TLS, AUTH
 * with a real server and the CLI are covered end to end by
 * tests/api/mail.test.mjs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

#include "notify/notify_int.h"
#include "fake_tcp.h"

#define PASSWORD     "hunter2+secret"
#define PASSWORD_URL "hunter2%2Bsecret"

/* ---- the scripted relay ------------------------------------------------ */

struct relay {
    int greeting, mail, rcpt, data_end; /* codes; 0 = 250 (220 for the greeting) */
    int greeting_delay_ms;
    bool offer_auth;       /* EHLO lists AUTH PLAIN; the login is refused */
    const char *auth_says; /* the refusal's text */
    char mail_from[400], rcpt_to[400];
    struct buf data;
    bool quit;
};

static void relay_reply(int fd, int code, int fallback, const char *text)
{
    char line[256];
    assert_true(str_format(line, sizeof(line), "%d %s\r\n", code ? code : fallback, text));
    fake_tcp_puts(fd, line);
}

/* Reads DATA up to the lone ".", undoing the dot-stuffing. */
static void relay_data(struct relay *r, int fd)
{
    char line[2048];
    while (fake_tcp_read_line(fd, line, sizeof(line)) && strcmp(line, ".\r\n") != 0) {
        const char *from = line[0] == '.' ? line + 1 : line;
        assert_int_equal(buf_puts(&r->data, from), ERR_OK);
    }
}

static void relay_serve(struct fake_tcp *f, int fd)
{
    struct relay *r = f->ctx;
    if (r->greeting_delay_ms > 0)
        usleep((useconds_t)r->greeting_delay_ms * 1000);
    relay_reply(fd, r->greeting, 220, "fake.example ESMTP");
    char line[2048];
    while (fake_tcp_read_line(fd, line, sizeof(line))) {
        if (strncasecmp(line, "EHLO", 4) == 0) {
            fake_tcp_puts(fd, r->offer_auth ? "250-fake.example\r\n250-AUTH PLAIN\r\n"
                                              "250 SIZE 10000000\r\n"
                                            : "250-fake.example\r\n250 SIZE 10000000\r\n");
        } else if (strncasecmp(line, "AUTH PLAIN", 10) == 0) {
            if (strlen(line) <= 12) { /* no initial response: ask for it */
                fake_tcp_puts(fd, "334 \r\n");
                fake_tcp_read_line(fd, line, sizeof(line));
            }
            relay_reply(fd, 535, 535, r->auth_says);
        } else if (strncasecmp(line, "MAIL FROM:", 10) == 0) {
            str_copy(r->mail_from, sizeof(r->mail_from), line);
            relay_reply(fd, r->mail, 250, "2.1.0 ok");
        } else if (strncasecmp(line, "RCPT TO:", 8) == 0) {
            str_copy(r->rcpt_to, sizeof(r->rcpt_to), line);
            relay_reply(fd, r->rcpt, 250,
                        r->rcpt >= 500 ? "5.1.1 <nobody@example.org>: no such user" : "2.1.5 ok");
        } else if (strncasecmp(line, "DATA", 4) == 0) {
            fake_tcp_puts(fd, "354 go ahead\r\n");
            relay_data(r, fd);
            relay_reply(fd, r->data_end, 250, "2.0.0 queued as 42");
        } else if (strncasecmp(line, "QUIT", 4) == 0) {
            r->quit = true;
            fake_tcp_puts(fd, "221 bye\r\n");
            return;
        } else {
            fake_tcp_puts(fd, "250 ok\r\n");
        }
    }
}

/* ---- helpers ----------------------------------------------------------- */

static void config_for(struct notify_smtp_config *cfg, const char *url)
{
    struct err_detail d = {0};
    enum err rc =
        notify_smtp_config_parse(cfg, url, "Shop <noreply@shop.example>", NULL, false, &d);
    if (rc != ERR_OK)
        fail_msg("config '%s': %s", url, d.message);
    assert_true(notify_mail_is_configured(cfg));
}

static const char message[] =
    "Subject: test\r\n\r\nline one\r\n.hidden by a lone dot\r\n..\r\nend\r\n";

/* Sends message through a relay scripted by r; returns the outcome. */
static enum err send_through(struct relay *r, struct err_detail *d, bool with_password)
{
    struct fake_tcp f;
    buf_init(&r->data, 64 * 1024);
    fake_tcp_start(&f, relay_serve, r);
    char url[128];
    assert_true(str_format(url, sizeof(url), "smtp://%s127.0.0.1:%d",
                           with_password ? "shop:" PASSWORD_URL "@" : "", f.port));
    struct notify_smtp_config cfg;
    config_for(&cfg, url);
    cfg.timeout_ms = 2000;
    enum err rc = notify_mail_send(&cfg, "noreply@shop.example", "kunde@example.org", message,
                                   strlen(message), d);
    notify_smtp_config_release(&cfg);
    fake_tcp_stop(&f);
    assert_null(strstr(d->message, PASSWORD));
    assert_null(strstr(d->message, PASSWORD_URL));
    return rc;
}

/* ---- configuration ----------------------------------------------------- */

static void without_settings_mail_is_off(void **state)
{
    (void)state;
    struct notify_smtp_config cfg;
    struct err_detail d = {0};
    assert_int_equal(notify_smtp_config_parse(&cfg, NULL, NULL, NULL, false, &d), ERR_OK);
    assert_false(notify_mail_is_configured(&cfg));
    assert_int_equal(notify_smtp_config_parse(&cfg, "", "", "", false, &d), ERR_OK);
    assert_false(notify_mail_is_configured(&cfg));
    assert_int_equal(notify_smtp_config_parse(&cfg, "smtp://relay.example", NULL, NULL, false, &d),
                     ERR_MAIL_NOT_CONFIGURED);
    assert_string_equal(d.field, "CREDITD_MAIL_FROM");
    assert_false(notify_mail_is_configured(&cfg));
    assert_int_equal(notify_smtp_config_parse(&cfg, NULL, "a@b.example", NULL, false, &d),
                     ERR_MAIL_NOT_CONFIGURED);
    assert_string_equal(d.field, "CREDITD_SMTP_URL");
}

static void the_url_gives_scheme_login_and_a_redacted_form(void **state)
{
    (void)state;
    struct notify_smtp_config cfg;
    struct err_detail d = {0};
    assert_int_equal(notify_smtp_config_parse(&cfg,
                                              "smtp://shop:" PASSWORD_URL "@relay.example:587",
                                              "noreply@shop.example", "/tmp/ca.pem", true, &d),
                     ERR_OK);
    assert_true(cfg.configured);
    assert_false(cfg.implicit_tls);
    assert_true(cfg.require_tls);
    assert_string_equal(cfg.password, PASSWORD);
    assert_string_equal(cfg.password_raw, PASSWORD_URL);
    assert_null(strstr(cfg.url_redacted, "hunter2"));
    assert_string_equal(cfg.url_redacted, "smtp://shop@relay.example:587/");
    assert_string_equal(cfg.from_addr, "noreply@shop.example");
    assert_string_equal(cfg.from_name, "");
    assert_string_equal(cfg.ca_file, "/tmp/ca.pem");
    assert_int_equal(cfg.timeout_ms, NOTIFY_SMTP_TIMEOUT_MS);
    notify_smtp_config_release(&cfg);
    assert_false(cfg.configured);
    assert_string_equal(cfg.password, "");
    assert_string_equal(cfg.url, "");
    assert_int_equal(notify_smtp_config_parse(&cfg, "SMTPS://relay.example",
                                              "\"Müller Tuning\" <noreply@shop.example>", NULL,
                                              false, &d),
                     ERR_OK);
    assert_true(cfg.implicit_tls);
    assert_string_equal(cfg.password, "");
    assert_string_equal(cfg.from_name, "Müller Tuning");
    assert_int_equal(notify_smtp_config_parse(&cfg, "smtp://relay.example",
                                              "Shop GmbH <noreply@shop.example>", NULL, false, &d),
                     ERR_OK);
    assert_string_equal(cfg.from_name, "Shop GmbH");
    assert_string_equal(cfg.from_addr, "noreply@shop.example");
}

static void bad_urls_and_senders_leave_mail_off_without_the_password(void **state)
{
    (void)state;
    const char *urls[] = {"http://user:" PASSWORD "@relay.example",
                          "smtp://",
                          "smtp://user:" PASSWORD "@relay.example/?x=1",
                          "smtp://relay.example/#frag",
                          "relay.example:25",
                          "imap://relay.example"};
    for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        struct notify_smtp_config cfg;
        struct err_detail d = {0};
        if (notify_smtp_config_parse(&cfg, urls[i], "a@b.example", NULL, false, &d) !=
            ERR_MAIL_NOT_CONFIGURED)
            fail_msg("url '%s' was accepted", urls[i]);
        assert_false(cfg.configured);
        assert_string_equal(d.field, "CREDITD_SMTP_URL");
        assert_null(strstr(d.message, PASSWORD));
        assert_string_equal(cfg.password, "");
    }
    const char *senders[] = {"not an address", "Shop <a@b.example", "Shop <>",
                             "Shop <a@@b.example>", "Shop\r\nBcc: x@y.example <a@b.example>"};
    for (size_t i = 0; i < sizeof(senders) / sizeof(senders[0]); i++) {
        struct notify_smtp_config cfg;
        struct err_detail d = {0};
        enum err rc =
            notify_smtp_config_parse(&cfg, "smtp://relay.example", senders[i], NULL, false, &d);
        if (rc != ERR_MAIL_NOT_CONFIGURED)
            fail_msg("sender '%s' was accepted", senders[i]);
        assert_string_equal(d.field, "CREDITD_MAIL_FROM");
    }
    char longest[SMTP_URL_BYTES_MAX + 10];
    memset(longest, 'a', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    memcpy(longest, "smtp://", 7);
    struct notify_smtp_config cfg;
    assert_int_equal(notify_smtp_config_parse(&cfg, longest, "a@b.example", NULL, false, NULL),
                     ERR_MAIL_NOT_CONFIGURED);
}

static void the_environment_gives_the_four_settings(void **state)
{
    (void)state;
    setenv("CREDITD_SMTP_URL", "smtp://relay.example:2525", 1);
    setenv("CREDITD_MAIL_FROM", "noreply@shop.example", 1);
    setenv("CREDITD_SMTP_CA_FILE", "/etc/creditd/relay-ca.pem", 1);
    setenv("CREDITD_SMTP_REQUIRE_TLS", "true", 1);
    struct notify_smtp_config cfg;
    assert_int_equal(notify_smtp_config_from_env(&cfg, NULL), ERR_OK);
    assert_true(cfg.configured);
    assert_true(cfg.require_tls);
    assert_string_equal(cfg.ca_file, "/etc/creditd/relay-ca.pem");
    setenv("CREDITD_SMTP_REQUIRE_TLS", "0", 1);
    assert_int_equal(notify_smtp_config_from_env(&cfg, NULL), ERR_OK);
    assert_false(cfg.require_tls);
    unsetenv("CREDITD_SMTP_URL");
    unsetenv("CREDITD_MAIL_FROM");
    unsetenv("CREDITD_SMTP_CA_FILE");
    unsetenv("CREDITD_SMTP_REQUIRE_TLS");
    assert_int_equal(notify_smtp_config_from_env(&cfg, NULL), ERR_OK);
    assert_false(cfg.configured);
}

/* ---- sending ----------------------------------------------------------- */

static void a_mail_is_delivered_with_its_envelope_and_data_intact(void **state)
{
    (void)state;
    struct relay r = {0};
    struct err_detail d = {0};
    enum err rc = send_through(&r, &d, false);
    if (rc != ERR_OK)
        fail_msg("send: %s: %s", err_code(rc), d.message);
    assert_true(strncmp(r.mail_from, "MAIL FROM:<noreply@shop.example>", 32) == 0);
    assert_string_equal(r.rcpt_to, "RCPT TO:<kunde@example.org>\r\n");
    /* libcurl stuffed the leading dots and the relay removed them again. */
    assert_string_equal(r.data.data, message);
    assert_true(r.quit);
    buf_release(&r.data);
}

static void a_refused_recipient_is_rejected_for_good(void **state)
{
    (void)state;
    struct relay r = {.rcpt = 550};
    struct err_detail d = {0};
    assert_int_equal(send_through(&r, &d, true), ERR_DELIVERY_REJECTED);
    assert_non_null(strstr(d.message, "550"));
    assert_non_null(strstr(d.message, "no such user"));
    assert_non_null(strstr(d.message, "smtp://shop@127.0.0.1:"));
    assert_int_equal(r.data.len, 0);
    buf_release(&r.data);
}

static void a_refused_sender_or_content_is_rejected_for_good(void **state)
{
    (void)state;
    struct relay r = {.mail = 553};
    struct err_detail d = {0};
    assert_int_equal(send_through(&r, &d, false), ERR_DELIVERY_REJECTED);
    buf_release(&r.data);
    r = (struct relay){.data_end = 554};
    assert_int_equal(send_through(&r, &d, false), ERR_DELIVERY_REJECTED);
    assert_non_null(strstr(d.message, "554"));
    buf_release(&r.data);
}

static void a_deferral_is_temporary(void **state)
{
    (void)state;
    int codes[][3] = {{0, 450, 0}, {451, 0, 0}, {0, 0, 452}};
    for (size_t i = 0; i < 3; i++) {
        struct relay r = {.mail = codes[i][0], .rcpt = codes[i][1], .data_end = codes[i][2]};
        struct err_detail d = {0};
        enum err rc = send_through(&r, &d, false);
        if (rc != ERR_DELIVERY_UNAVAILABLE)
            fail_msg("case %zu: got %s (%s)", i, err_code(rc), d.message);
        buf_release(&r.data);
    }
    struct relay r = {.greeting = 421};
    struct err_detail d = {0};
    assert_int_equal(send_through(&r, &d, false), ERR_DELIVERY_UNAVAILABLE);
    buf_release(&r.data);
}

static void a_refused_login_is_temporary_and_never_shows_the_password(void **state)
{
    (void)state;
    /* A relay that quotes the password back: the message must not. */
    struct relay r = {.offer_auth = true,
                      .auth_says = "5.7.8 bad credentials " PASSWORD " / " PASSWORD_URL};
    struct err_detail d = {0};
    enum err rc = send_through(&r, &d, true);
    assert_int_equal(rc, ERR_DELIVERY_UNAVAILABLE);
    assert_non_null(strstr(d.message, "refused the login"));
    assert_non_null(strstr(d.message, "bad credentials"));
    buf_release(&r.data);
}

static void no_relay_listening_is_temporary_and_quick(void **state)
{
    (void)state;
    struct fake_tcp f;
    fake_tcp_listen(&f);
    int port = f.port;
    close(f.listen_fd); /* nobody listens there now */
    char url[96];
    assert_true(str_format(url, sizeof(url), "smtp://shop:%s@127.0.0.1:%d", PASSWORD_URL, port));
    struct notify_smtp_config cfg;
    config_for(&cfg, url);
    struct err_detail d = {0};
    time_t start = time(NULL);
    assert_int_equal(notify_mail_send(&cfg, "noreply@shop.example", "kunde@example.org", message,
                                      strlen(message), &d),
                     ERR_DELIVERY_UNAVAILABLE);
    assert_true(time(NULL) - start <= 2);
    assert_non_null(strstr(d.message, "cannot connect"));
    assert_null(strstr(d.message, "hunter2"));
    notify_smtp_config_release(&cfg);
}

static void a_silent_relay_times_out_as_temporary(void **state)
{
    (void)state;
    struct relay r = {.greeting_delay_ms = 1500};
    struct fake_tcp f;
    buf_init(&r.data, 1024);
    fake_tcp_start(&f, relay_serve, &r);
    char url[96];
    assert_true(str_format(url, sizeof(url), "smtp://127.0.0.1:%d", f.port));
    struct notify_smtp_config cfg;
    config_for(&cfg, url);
    cfg.timeout_ms = 300;
    struct err_detail d = {0};
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    enum err rc = notify_mail_send(&cfg, "noreply@shop.example", "kunde@example.org", message,
                                   strlen(message), &d);
    clock_gettime(CLOCK_MONOTONIC, &b);
    fake_tcp_stop(&f);
    assert_int_equal(rc, ERR_DELIVERY_UNAVAILABLE);
    assert_non_null(strstr(d.message, "in time"));
    assert_true((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 1200);
    buf_release(&r.data);
}

static void a_relay_without_starttls_fails_when_tls_is_required(void **state)
{
    (void)state;
    struct relay r = {0};
    struct fake_tcp f;
    buf_init(&r.data, 1024);
    fake_tcp_start(&f, relay_serve, &r);
    char url[96];
    assert_true(str_format(url, sizeof(url), "smtp://127.0.0.1:%d", f.port));
    struct notify_smtp_config cfg;
    struct err_detail d = {0};
    assert_int_equal(notify_smtp_config_parse(&cfg, url, "noreply@shop.example", NULL, true, &d),
                     ERR_OK);
    enum err rc = notify_mail_send(&cfg, "noreply@shop.example", "kunde@example.org", message,
                                   strlen(message), &d);
    fake_tcp_stop(&f);
    assert_int_equal(rc, ERR_DELIVERY_UNAVAILABLE);
    assert_non_null(strstr(d.message, "STARTTLS"));
    assert_int_equal(r.data.len, 0); /* nothing went out in clear */
    assert_string_equal(r.mail_from, "");
    buf_release(&r.data);
}

static void what_cannot_be_sent_is_refused_before_connecting(void **state)
{
    (void)state;
    struct notify_smtp_config off;
    assert_int_equal(notify_smtp_config_parse(&off, NULL, NULL, NULL, false, NULL), ERR_OK);
    struct err_detail d = {0};
    assert_int_equal(notify_mail_send(&off, "a@b.example", "c@d.example", "x", 1, &d),
                     ERR_MAIL_NOT_CONFIGURED);
    struct notify_smtp_config cfg;
    config_for(&cfg, "smtp://127.0.0.1:1");
    assert_int_equal(
        notify_mail_send(&cfg, "a@b.example", "c@d.example\r\nRCPT TO:<e@f.example>", "x", 1, &d),
        ERR_VALIDATION);
    assert_string_equal(d.field, "to_addr");
    assert_int_equal(notify_mail_send(&cfg, "a b@example", "c@d.example", "x", 1, &d),
                     ERR_VALIDATION);
    assert_string_equal(d.field, "from_addr");
    assert_int_equal(notify_mail_send(&cfg, "a@b.example", "c@d.example", message,
                                      MAIL_MESSAGE_BYTES_MAX + 1, &d),
                     ERR_TOO_LARGE);
}

int main(void)
{
    if (notify_init() != ERR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(without_settings_mail_is_off),
        cmocka_unit_test(the_url_gives_scheme_login_and_a_redacted_form),
        cmocka_unit_test(bad_urls_and_senders_leave_mail_off_without_the_password),
        cmocka_unit_test(the_environment_gives_the_four_settings),
        cmocka_unit_test(a_mail_is_delivered_with_its_envelope_and_data_intact),
        cmocka_unit_test(a_refused_recipient_is_rejected_for_good),
        cmocka_unit_test(a_refused_sender_or_content_is_rejected_for_good),
        cmocka_unit_test(a_deferral_is_temporary),
        cmocka_unit_test(a_refused_login_is_temporary_and_never_shows_the_password),
        cmocka_unit_test(no_relay_listening_is_temporary_and_quick),
        cmocka_unit_test(a_silent_relay_times_out_as_temporary),
        cmocka_unit_test(a_relay_without_starttls_fails_when_tls_is_required),
        cmocka_unit_test(what_cannot_be_sent_is_refused_before_connecting),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    notify_release();
    return rc;
}
