/*
 * Unit tests of mail composition (notify/notify_mail.c): a message is a
 * well-formed RFC 5322 / MIME document whose headers and parts decode back
 * to exactly what was given, within every line limit, and any value that
 * could add a header of its own is refused before a byte is written.
 *
 * Method: each test composes a message and reads it back with the small
 * reader below (split headers from body, unfold, decode RFC 2047 words and
 * quoted-printable), then compares with the input. Line limits are checked
 * on the raw bytes: every line ends in CRLF, none is over 998 characters,
 * a header line with an encoded-word and a quoted-printable line are at most
 * 76. Encoders are also checked on their own, the quoted-printable one with
 * random bytes (the seed is printed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "notify/notify_int.h"

#define FROM_ADDR "noreply@shop.example"
#define TO_ADDR   "kunde@example.org"
#define DATE_S    INT64_C(1700000000)

/* ---- a small reader of what was composed ------------------------------- */

struct parsed {
    char headers[64][2048]; /* unfolded "Name: value" */
    size_t n_headers;
    const char *body; /* into the message */
};

static void parse(const char *msg, struct parsed *p)
{
    memset(p, 0, sizeof(*p));
    const char *end = strstr(msg, "\r\n\r\n");
    assert_non_null(end);
    p->body = end + 4;
    for (const char *line = msg; line < end + 2;) {
        const char *eol = strstr(line, "\r\n");
        size_t len = (size_t)(eol - line);
        if (line[0] == ' ' || line[0] == '\t') {
            assert_true(p->n_headers > 0);
            char *h = p->headers[p->n_headers - 1];
            assert_true(strlen(h) + len < sizeof(p->headers[0]));
            strncat(h, line, len); /* unfolding removes the CRLF only */
        } else {
            assert_true(p->n_headers < 64);
            assert_true(len < sizeof(p->headers[0]));
            memcpy(p->headers[p->n_headers], line, len);
            p->headers[p->n_headers++][len] = '\0';
        }
        line = eol + 2;
    }
}

/* The value of header name (after "Name: "), or NULL. */
static const char *header(const struct parsed *p, const char *name)
{
    size_t n = strlen(name);
    const char *found = NULL;
    for (size_t i = 0; i < p->n_headers; i++) {
        if (strncasecmp(p->headers[i], name, n) == 0 && p->headers[i][n] == ':') {
            assert_null(found); /* every header once */
            found = p->headers[i] + n + 1;
            while (*found == ' ')
                found++;
        }
    }
    return found;
}

/* Decodes RFC 2047 words (and plain text between them) into dst. */
static void decode_words(const char *v, char *dst, size_t n)
{
    size_t j = 0;
    bool after_word = false;
    for (const char *p = v; *p != '\0';) {
        if (strncmp(p, "=?UTF-8?B?", 10) == 0) {
            const char *end = strstr(p + 10, "?=");
            assert_non_null(end);
            assert_true(end + 2 - p <= NOTIFY_ENCODED_WORD_MAX);
            unsigned char bin[64];
            size_t bin_len = 0;
            assert_int_equal(sodium_base642bin(bin, sizeof(bin), p + 10, (size_t)(end - p - 10),
                                               NULL, &bin_len, NULL,
                                               sodium_base64_VARIANT_ORIGINAL),
                             0);
            /* Never split inside a character: each word is UTF-8 alone. */
            assert_true(notify_utf8_is_valid((const char *)bin, bin_len));
            assert_true(j + bin_len < n);
            memcpy(dst + j, bin, bin_len);
            j += bin_len;
            p = end + 2;
            after_word = true;
            continue;
        }
        /* Whitespace between two encoded-words is not part of the text. */
        size_t ws = strspn(p, " ");
        if (after_word && strncmp(p + ws, "=?UTF-8?B?", 10) == 0) {
            p += ws;
            continue;
        }
        after_word = false;
        assert_true(j + 1 < n);
        dst[j++] = *p++;
    }
    dst[j] = '\0';
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes quoted-printable s[0..n) into out (hard breaks stay CRLF). */
static void qp_decode(const char *s, size_t n, struct buf *out)
{
    for (size_t i = 0; i < n;) {
        if (s[i] == '=' && i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
            i += 3;
            continue;
        }
        if (s[i] == '=') {
            assert_true(i + 2 < n + 1);
            int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            assert_true(hi >= 0 && lo >= 0);
            char c = (char)(hi * 16 + lo);
            assert_int_equal(buf_append(out, &c, 1), ERR_OK);
            i += 3;
            continue;
        }
        assert_int_equal(buf_append(out, s + i, 1), ERR_OK);
        i++;
    }
}

/* Every line ends in CRLF and keeps its limit: 998 always, 76 for a header
 * line with an encoded-word and for every line of the parts' bodies. */
static void assert_line_limits(const char *msg)
{
    const char *body = strstr(msg, "\r\n\r\n");
    assert_non_null(body);
    for (const char *line = msg; *line != '\0';) {
        const char *eol = strstr(line, "\r\n");
        assert_non_null(eol);
        size_t len = (size_t)(eol - line);
        assert_null(memchr(line, '\n', len));
        assert_null(memchr(line, '\r', len));
        assert_true(len <= 998);
        if (line < body && memmem(line, len, "=?", 2) != NULL)
            assert_true(len <= NOTIFY_ENCODED_LINE_MAX);
        if (line > body)
            assert_true(len <= NOTIFY_QP_LINE_MAX);
        line = eol + 2;
    }
}

/* ---- composing --------------------------------------------------------- */

static struct notify_mail mail_default(void)
{
    return (struct notify_mail){
        .from_name = "Shop",
        .from_addr = FROM_ADDR,
        .to_addr = TO_ADDR,
        .subject = "Your order ORD-2026-000123 is complete",
        .text = "Hello,\nyour tuned file is ready.\n",
        .html = "<p>Hello,</p><p>your tuned file is ready.</p>",
        .date_s = DATE_S,
    };
}

static void compose(const struct notify_mail *m, struct buf *out, char *id)
{
    struct err_detail d = {0};
    buf_init(out, MAIL_MESSAGE_BYTES_MAX);
    enum err rc = notify_mail_compose(m, out, id, &d);
    if (rc != ERR_OK)
        fail_msg("compose: %s: %s: %s", err_code(rc), d.field, d.message);
    assert_line_limits(out->data);
}

/* The body of the part of type in a multipart message, decoded. */
static void part_body(const struct parsed *p, const char *type, struct buf *out)
{
    const char *ct = header(p, "Content-Type");
    const char *b = strstr(ct, "boundary=\"");
    assert_non_null(b);
    char boundary[80] = "--";
    size_t len = strcspn(b + 10, "\"");
    memcpy(boundary + 2, b + 10, len);
    boundary[len + 2] = '\0';
    char want[128];
    assert_true(str_format(want, sizeof(want), "Content-Type: %s; charset=UTF-8\r\n", type));
    const char *part = strstr(p->body, want);
    assert_non_null(part);
    assert_non_null(strstr(part, "Content-Transfer-Encoding: quoted-printable\r\n"));
    const char *start = strstr(part, "\r\n\r\n") + 4;
    const char *end = strstr(start, boundary);
    assert_non_null(end);
    buf_init(out, MAIL_MESSAGE_BYTES_MAX);
    qp_decode(start, (size_t)(end - start) - 2, out); /* the CRLF before the boundary */
}

static void a_message_has_its_headers_and_a_text_and_an_html_part(void **state)
{
    (void)state;
    struct notify_mail m = mail_default();
    struct buf out;
    char id[NOTIFY_MESSAGE_ID_BYTES];
    compose(&m, &out, id);
    struct parsed p;
    parse(out.data, &p);
    assert_string_equal(header(&p, "Date"), "Tue, 14 Nov 2023 22:13:20 +0000");
    assert_string_equal(header(&p, "From"), "Shop <" FROM_ADDR ">");
    assert_string_equal(header(&p, "To"), TO_ADDR);
    assert_string_equal(header(&p, "Subject"), m.subject);
    assert_string_equal(header(&p, "MIME-Version"), "1.0");
    assert_string_equal(header(&p, "Auto-Submitted"), "auto-generated");
    assert_null(header(&p, "Reply-To"));
    assert_null(header(&p, "List-Unsubscribe"));
    assert_null(header(&p, "List-Unsubscribe-Post"));
    /* <32 hex digits @ the sender's domain>, and the caller gets the same. */
    const char *mid = header(&p, "Message-ID");
    assert_string_equal(mid, id);
    assert_int_equal(strlen(mid), 1 + 32 + 1 + strlen("shop.example") + 1);
    assert_int_equal(strspn(mid + 1, "0123456789abcdef"), 32);
    assert_string_equal(mid + 33, "@shop.example>");
    assert_non_null(strstr(header(&p, "Content-Type"), "multipart/alternative; boundary=\"=_"));
    struct buf text, html;
    part_body(&p, "text/plain", &text);
    part_body(&p, "text/html", &html);
    assert_string_equal(text.data, "Hello,\r\nyour tuned file is ready.\r\n");
    assert_string_equal(html.data, m.html);
    /* The closing delimiter ends the message. */
    const char *close = strstr(out.data, "--\r\n");
    assert_non_null(close);
    assert_string_equal(close, "--\r\n");
    buf_release(&text);
    buf_release(&html);
    buf_release(&out);
}

static void reply_to_and_one_click_unsubscribe_are_added_when_given(void **state)
{
    (void)state;
    struct notify_mail m = mail_default();
    m.reply_to = "support@shop.example";
    m.unsubscribe_url = "https://shop.example/unsubscribe?t=abc123";
    m.to_name = "Max Mustermann";
    struct buf out;
    compose(&m, &out, NULL);
    struct parsed p;
    parse(out.data, &p);
    assert_string_equal(header(&p, "Reply-To"), "support@shop.example");
    assert_string_equal(header(&p, "To"), "Max Mustermann <" TO_ADDR ">");
    assert_string_equal(header(&p, "List-Unsubscribe"),
                        "<https://shop.example/unsubscribe?t=abc123>");
    assert_string_equal(header(&p, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
    buf_release(&out);
    /* RFC 8058 one-click needs https: a plain http URL gets the link only. */
    m.unsubscribe_url = "http://127.0.0.1:8080/unsubscribe";
    compose(&m, &out, NULL);
    parse(out.data, &p);
    assert_string_equal(header(&p, "List-Unsubscribe"), "<http://127.0.0.1:8080/unsubscribe>");
    assert_null(header(&p, "List-Unsubscribe-Post"));
    buf_release(&out);
}

static void german_umlauts_in_name_and_subject_become_encoded_words(void **state)
{
    (void)state;
    struct notify_mail m = mail_default();
    m.from_name = "Müller Tuning";
    m.subject = "Preisänderung für Stage 1 – gültig ab März";
    struct buf out;
    compose(&m, &out, NULL);
    struct parsed p;
    parse(out.data, &p);
    /* base64 of "Müller Tuning", computed with base64(1). */
    assert_string_equal(header(&p, "From"), "=?UTF-8?B?TcO8bGxlciBUdW5pbmc=?= <" FROM_ADDR ">");
    char decoded[1024];
    decode_words(header(&p, "Subject"), decoded, sizeof(decoded));
    assert_string_equal(decoded, m.subject);
    decode_words(header(&p, "From"), decoded, sizeof(decoded));
    assert_string_equal(decoded, "Müller Tuning <" FROM_ADDR ">");
    buf_release(&out);
}

static void long_subjects_with_emoji_split_between_characters(void **state)
{
    (void)state;
    /* 4-byte emoji, 3-byte euro signs and 2-byte umlauts, long enough for
     * several words and lines, in every alignment against the split. */
    char subject[MAIL_SUBJECT_BYTES_MAX + 1];
    const char *pieces[] = {"😀", "€", "ü", "a", " "};
    for (size_t shift = 0; shift < 5; shift++) {
        size_t len = 0;
        for (size_t i = shift; len + 4 < 380; i++) {
            const char *piece = pieces[(i * 7 + shift) % 5];
            memcpy(subject + len, piece, strlen(piece));
            len += strlen(piece);
        }
        subject[len] = '\0';
        if (subject[0] == ' ')
            subject[0] = 'x';
        struct notify_mail m = mail_default();
        m.subject = subject;
        m.from_name = "Ömer 😀 Çelik Fahrzeugtechnik und Chiptuning Gesellschaft mbH & Co. KG";
        struct buf out;
        compose(&m, &out, NULL);
        struct parsed p;
        parse(out.data, &p);
        char decoded[2048];
        decode_words(header(&p, "Subject"), decoded, sizeof(decoded));
        assert_string_equal(decoded, subject);
        decode_words(header(&p, "From"), decoded, sizeof(decoded));
        char want[512];
        assert_true(str_format(want, sizeof(want), "%s <%s>", m.from_name, FROM_ADDR));
        assert_string_equal(decoded, want);
        buf_release(&out);
    }
}

static void a_long_ascii_subject_is_folded_at_its_spaces(void **state)
{
    (void)state;
    struct notify_mail m = mail_default();
    m.subject = "Your credits expire soon: 120 Master credits of the package Stage 1 "
                "bundle expire on 31 March 2026, 40 Slave credits on 30 April 2026";
    struct buf out;
    compose(&m, &out, NULL);
    assert_null(strstr(out.data, "=?"));
    struct parsed p;
    parse(out.data, &p);
    assert_string_equal(header(&p, "Subject"), m.subject);
    /* Folded: the raw Subject spans lines of at most 78 characters. */
    const char *raw = strstr(out.data, "Subject:");
    const char *eol = strstr(raw, "\r\n");
    assert_true(eol - raw <= 78);
    assert_true(eol[2] == ' ');
    buf_release(&out);
}

static void text_a_reader_would_misread_is_encoded(void **state)
{
    (void)state;
    const char *subjects[] = {"looks like =?UTF-8?B?eA==?= a word", "two  spaces", " leading space",
                              "trailing space "};
    for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
        struct notify_mail m = mail_default();
        m.subject = subjects[i];
        struct buf out;
        compose(&m, &out, NULL);
        struct parsed p;
        parse(out.data, &p);
        const char *raw = header(&p, "Subject");
        assert_true(strncmp(raw, "=?UTF-8?B?", 10) == 0);
        char decoded[256];
        decode_words(raw, decoded, sizeof(decoded));
        assert_string_equal(decoded, subjects[i]);
        buf_release(&out);
    }
}

static void a_display_name_with_specials_is_quoted(void **state)
{
    (void)state;
    struct notify_mail m = mail_default();
    m.from_name = "Shop, Inc. \"Tuning\" \\ Co";
    struct buf out;
    compose(&m, &out, NULL);
    struct parsed p;
    parse(out.data, &p);
    assert_string_equal(header(&p, "From"),
                        "\"Shop, Inc. \\\"Tuning\\\" \\\\ Co\" <" FROM_ADDR ">");
    buf_release(&out);
}

static void two_messages_differ_in_message_id_and_boundary(void **state)
{
    (void)state;
    struct notify_mail m = mail_default();
    struct buf a, b;
    char id_a[NOTIFY_MESSAGE_ID_BYTES], id_b[NOTIFY_MESSAGE_ID_BYTES];
    compose(&m, &a, id_a);
    compose(&m, &b, id_b);
    assert_string_not_equal(id_a, id_b);
    struct parsed pa, pb;
    parse(a.data, &pa);
    parse(b.data, &pb);
    assert_string_not_equal(header(&pa, "Content-Type"), header(&pb, "Content-Type"));
    buf_release(&a);
    buf_release(&b);
}

/* ---- refusals ---------------------------------------------------------- */

static void assert_refused(const struct notify_mail *m, enum err want, const char *field)
{
    struct buf out;
    buf_init(&out, MAIL_MESSAGE_BYTES_MAX);
    struct err_detail d = {0};
    enum err rc = notify_mail_compose(m, &out, NULL, &d);
    if (rc != want)
        fail_msg("want %s on %s, got %s (%s: %s)", err_code(want), field, err_code(rc), d.field,
                 d.message);
    assert_string_equal(d.field, field);
    assert_int_equal(out.len, 0); /* checked before a byte is written */
    buf_release(&out);
}

static void a_line_break_in_any_header_value_is_refused(void **state)
{
    (void)state;
    const char *evil[] = {"x\r\nBcc: victim@example.org", "x\nBcc: a@b.example", "x\rBcc: c",
                          "tab\there", "nul-free but \x7f"};
    for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
        struct notify_mail m = mail_default();
        m.subject = evil[i];
        assert_refused(&m, ERR_VALIDATION, "subject");
        m = mail_default();
        m.from_name = evil[i];
        assert_refused(&m, ERR_VALIDATION, "from_name");
        m = mail_default();
        m.to_name = evil[i];
        assert_refused(&m, ERR_VALIDATION, "to_name");
    }
    struct notify_mail m = mail_default();
    m.to_addr = "kunde@example.org\r\nBcc: victim@example.org";
    assert_refused(&m, ERR_VALIDATION, "to_addr");
    m = mail_default();
    m.from_addr = "noreply@shop.example\nX: y";
    assert_refused(&m, ERR_VALIDATION, "from_addr");
    m = mail_default();
    m.reply_to = "a@b.example\r\nBcc: c@d.example";
    assert_refused(&m, ERR_VALIDATION, "reply_to");
    m = mail_default();
    m.unsubscribe_url = "https://shop.example/u\r\nBcc: c@d.example";
    assert_refused(&m, ERR_VALIDATION, "unsubscribe_url");
}

static void addresses_are_checked_minimally(void **state)
{
    (void)state;
    const char *good[] = {"a@b", "first.last+tag@sub.example.org", "x_y-z=1@mail.example"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_int_equal(notify_mail_address_check(good[i], "to", NULL), ERR_OK);
    const char *bad[] = {"", "plain", "two@@example.org", "a@b@c", "@example.org", "user@",
                         "sp ace@example.org", "<a@b.example>", "a@b.example>", "\"q\"@example.org",
                         "a,b@example.org", "a@.example", "a@example.", "a@exa..mple",
                         "ü@example.org", "a@exämple.org", "a\t@example.org", "a;b@example.org",
                         /* Found by the mail fuzz target: a domain is a host
                          * name, and no address holds an encoded-word. */
                         "a@sh=?UTF-8?B?op.example", "norepl}@exa}mple.org", "a@b_c.example",
                         "=?utf-8?q?x=40evil.example?=@shop.example", "a=?b@example.org"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct err_detail d = {0};
        if (notify_mail_address_check(bad[i], "to", &d) != ERR_VALIDATION)
            fail_msg("address '%s' was accepted", bad[i]);
        assert_string_equal(d.field, "to");
    }
    char local[80], longest[MAIL_ADDRESS_BYTES_MAX + 2];
    memset(local, 'a', 65);
    local[65] = '\0';
    assert_true(str_format(longest, sizeof(longest), "%s@example.org", local));
    assert_int_equal(notify_mail_address_check(longest, "to", NULL), ERR_VALIDATION);
    memset(longest, 'b', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    longest[10] = '@';
    assert_int_equal(notify_mail_address_check(longest, "to", NULL), ERR_TOO_LARGE);
}

static void values_over_their_limits_are_too_large(void **state)
{
    (void)state;
    char *big = malloc(MAIL_BODY_BYTES_MAX + 2);
    assert_non_null(big);
    memset(big, 'x', MAIL_BODY_BYTES_MAX + 1);
    big[MAIL_BODY_BYTES_MAX + 1] = '\0';
    struct notify_mail m = mail_default();
    m.text = big;
    assert_refused(&m, ERR_TOO_LARGE, "text");
    m = mail_default();
    m.html = big;
    assert_refused(&m, ERR_TOO_LARGE, "html");
    m = mail_default();
    big[MAIL_SUBJECT_BYTES_MAX + 1] = '\0';
    m.subject = big;
    assert_refused(&m, ERR_TOO_LARGE, "subject");
    m = mail_default();
    big[MAIL_NAME_BYTES_MAX + 1] = '\0';
    m.from_name = big;
    assert_refused(&m, ERR_TOO_LARGE, "from_name");
    m = mail_default();
    memset(big, 'x', MAIL_URL_BYTES_MAX + 1);
    memcpy(big, "https://", 8);
    big[MAIL_URL_BYTES_MAX + 1] = '\0';
    m.unsubscribe_url = big;
    assert_refused(&m, ERR_TOO_LARGE, "unsubscribe_url");
    free(big);
    /* A buffer smaller than the message: too large, never a cut message. */
    m = mail_default();
    struct buf small;
    buf_init(&small, 600);
    struct err_detail d = {0};
    assert_int_equal(notify_mail_compose(&m, &small, NULL, &d), ERR_TOO_LARGE);
    buf_release(&small);
}

static void parts_and_text_must_be_there_and_utf8(void **state)
{
    (void)state;
    struct notify_mail m = mail_default();
    m.html = NULL;
    assert_refused(&m, ERR_VALIDATION, "html");
    m = mail_default();
    m.text = "";
    assert_refused(&m, ERR_VALIDATION, "text");
    m = mail_default();
    m.subject = "";
    assert_refused(&m, ERR_VALIDATION, "subject");
    m = mail_default();
    m.text = "Latin-1 \xfc is not UTF-8";
    assert_refused(&m, ERR_VALIDATION, "text");
    m = mail_default();
    m.subject = "overlong \xc0\xaf slash";
    assert_refused(&m, ERR_VALIDATION, "subject");
    m = mail_default();
    m.from_name = "surrogate \xed\xa0\x80";
    assert_refused(&m, ERR_VALIDATION, "from_name");
    m = mail_default();
    m.unsubscribe_url = "javascript:alert(1)";
    assert_refused(&m, ERR_VALIDATION, "unsubscribe_url");
    m = mail_default();
    m.date_s = -1;
    assert_refused(&m, ERR_VALIDATION, "date_s");
}

/* ---- the encoders on their own ----------------------------------------- */

/* A PDF goes with the mail: the body becomes multipart/mixed around the
 * alternative part, and the file comes back byte for byte from its base64. */
static void attachments_make_a_mixed_body_and_decode_back(void **state)
{
    (void)state;
    unsigned char pdf[3000];
    for (size_t i = 0; i < sizeof(pdf); i++)
        pdf[i] = (unsigned char)(i * 7 + 3);
    memcpy(pdf, "%PDF-1.5\n", 9);
    struct notify_attachment files[] = {
        {"Rechnung \"RE-2026-000042\" f\xc3\xbcr Sie.pdf", "application/pdf", pdf, sizeof(pdf)}};
    struct notify_mail m = mail_default();
    m.attachments = files;
    m.n_attachments = 1;
    struct buf out;
    compose(&m, &out, NULL);
    struct parsed p;
    parse(out.data, &p);
    const char *ct = header(&p, "Content-Type");
    assert_non_null(strstr(ct, "multipart/mixed; boundary=\"=_creditd_mixed_"));
    /* The alternative part comes first, with its two parts inside. */
    const char *alt = strstr(p.body, "Content-Type: multipart/alternative;");
    const char *text = strstr(p.body, "Content-Type: text/plain; charset=UTF-8");
    const char *html = strstr(p.body, "Content-Type: text/html; charset=UTF-8");
    const char *file = strstr(p.body, "Content-Type: application/pdf;\r\n name=");
    assert_true(alt != NULL && text != NULL && html != NULL && file != NULL);
    assert_true(alt < text && text < html && html < file);
    /* The name without quotes and with ASCII only. */
    assert_non_null(strstr(file, "Content-Disposition: attachment;\r\n filename=\"Rechnung "
                                 "RE-2026-000042 f_r Sie.pdf\"\r\n"));
    assert_non_null(strstr(file, "Content-Transfer-Encoding: base64\r\n\r\n"));
    const char *b64 = strstr(file, "\r\n\r\n") + 4;
    const char *end = strstr(b64, "\r\n--");
    assert_non_null(end);
    unsigned char back[4000];
    size_t back_len = 0;
    assert_int_equal(sodium_base642bin(back, sizeof(back), b64, (size_t)(end - b64), "\r\n",
                                       &back_len, NULL, sodium_base64_VARIANT_ORIGINAL),
                     0);
    assert_int_equal(back_len, sizeof(pdf));
    assert_memory_equal(back, pdf, sizeof(pdf));
    /* The mixed part's closing delimiter ends the message. */
    char closing[96];
    snprintf(closing, sizeof(closing), "--%.*s--\r\n", (int)strcspn(strstr(ct, "=_"), "\""),
             strstr(ct, "=_"));
    assert_true(out.len > strlen(closing));
    assert_string_equal(out.data + out.len - strlen(closing), closing);
    buf_release(&out);
}

static void attachments_without_data_or_with_a_bad_type_are_refused(void **state)
{
    (void)state;
    struct notify_mail m = mail_default();
    struct notify_attachment bad[] = {{"a.pdf", "application/pdf\r\nBcc: x@evil.example", "x", 1}};
    m.attachments = bad;
    m.n_attachments = 1;
    assert_refused(&m, ERR_VALIDATION, "attachments");
    bad[0] = (struct notify_attachment){"a.pdf", "application/pdf", NULL, 0};
    assert_refused(&m, ERR_VALIDATION, "attachments");
    bad[0] = (struct notify_attachment){"a.pdf", "pdf", "x", 1};
    assert_refused(&m, ERR_VALIDATION, "attachments");
    struct notify_attachment many[NOTIFY_ATTACHMENTS_MAX + 1];
    for (size_t i = 0; i < NOTIFY_ATTACHMENTS_MAX + 1; i++)
        many[i] = (struct notify_attachment){"a.pdf", "application/pdf", "x", 1};
    m.attachments = many;
    m.n_attachments = NOTIFY_ATTACHMENTS_MAX + 1;
    assert_refused(&m, ERR_VALIDATION, "attachments");
}

static void qp_roundtrip(const char *in, size_t n, const char *want_decoded)
{
    struct buf enc, dec;
    buf_init(&enc, 1024 * 1024);
    buf_init(&dec, 1024 * 1024);
    assert_int_equal(notify_qp_encode(&enc, in, n), ERR_OK);
    for (const char *line = enc.data ? enc.data : ""; *line != '\0';) {
        const char *eol = strstr(line, "\r\n");
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        assert_true(len <= NOTIFY_QP_LINE_MAX);
        assert_null(memchr(line, '\n', len));
        if (len > 0 && eol != NULL)
            assert_true(line[len - 1] != ' ' && line[len - 1] != '\t');
        assert_true(line[0] != '.');
        for (size_t i = 0; i < len; i++)
            assert_true(line[i] == '\t' || (line[i] >= 0x20 && line[i] < 0x7f));
        line += len + (eol ? 2 : 0);
    }
    qp_decode(enc.data ? enc.data : "", enc.len, &dec);
    assert_int_equal(dec.len, strlen(want_decoded));
    assert_memory_equal(dec.data ? dec.data : "", want_decoded, dec.len);
    buf_release(&enc);
    buf_release(&dec);
}

static void quoted_printable_keeps_lines_short_and_decodes_back(void **state)
{
    (void)state;
    char line[301];
    memset(line, 'a', 300);
    line[300] = '\0';
    qp_roundtrip(line, 300, line);
    qp_roundtrip("a=b", 3, "a=b");
    qp_roundtrip("trailing space \nand tab\t\n", 25, "trailing space \r\nand tab\t\r\n");
    qp_roundtrip(".\n.dot\r\n..", 10, ".\r\n.dot\r\n..");
    qp_roundtrip("cr\ronly and crlf\r\n", 18, "cr\r\nonly and crlf\r\n");
    qp_roundtrip("Grüße, 😀 €", strlen("Grüße, 😀 €"), "Grüße, 😀 €");
    /* Exactly at the limit: 75 characters and a soft break. */
    struct buf enc;
    buf_init(&enc, 4096);
    memset(line, 'b', 76);
    assert_int_equal(notify_qp_encode(&enc, line, 76), ERR_OK);
    assert_int_equal(strcspn(enc.data, "\r"), 76); /* 75 b's and "=" */
    assert_string_equal(enc.data + 74, "b=\r\nb");
    buf_release(&enc);
}

static void quoted_printable_of_random_bytes_decodes_back(void **state)
{
    (void)state;
    unsigned seed = (unsigned)time(NULL);
    printf("# seed %u\n", seed);
    srand(seed);
    char in[2000], want[4000];
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)(rand() % (int)sizeof(in));
        size_t w = 0;
        for (size_t i = 0; i < n; i++) {
            static const char pick[] = " \t.=\r\nab\xc3\xbc";
            in[i] = rand() % 3 == 0 ? (char)(rand() % 256) : pick[rand() % 11];
            if (in[i] == '\0')
                in[i] = 'z';
        }
        /* What decoding gives: every line break as CRLF. */
        for (size_t i = 0; i < n; i++) {
            if (in[i] == '\r' || in[i] == '\n') {
                if (in[i] == '\r' && i + 1 < n && in[i + 1] == '\n')
                    i++;
                want[w++] = '\r';
                want[w++] = '\n';
            } else {
                want[w++] = in[i];
            }
        }
        want[w] = '\0';
        if (strlen(want) != w)
            continue; /* the reader compares C strings */
        qp_roundtrip(in, n, want);
    }
}

static void encoded_words_respect_the_line_where_they_start(void **state)
{
    (void)state;
    for (size_t column = 0; column < 76; column++) {
        struct buf out;
        buf_init(&out, 4096);
        char lead[80];
        memset(lead, 'H', column);
        lead[column] = '\0';
        assert_int_equal(buf_puts(&out, lead), ERR_OK);
        size_t col = column;
        assert_int_equal(notify_encoded_words(&out, &col, "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀 ü"), ERR_OK);
        for (const char *line = out.data; *line != '\0';) {
            const char *eol = strstr(line, "\r\n");
            size_t len = eol ? (size_t)(eol - line) : strlen(line);
            assert_true(len <= NOTIFY_ENCODED_LINE_MAX || len == column);
            line += len + (eol ? 2 : 0);
        }
        buf_release(&out);
    }
}

static void dates_are_rfc5322_in_utc(void **state)
{
    (void)state;
    char s[40];
    /* Expected values from date -u -R -d @T. */
    notify_date_format(0, s, sizeof(s));
    assert_string_equal(s, "Thu, 01 Jan 1970 00:00:00 +0000");
    notify_date_format(951782400, s, sizeof(s));
    assert_string_equal(s, "Tue, 29 Feb 2000 00:00:00 +0000");
    notify_date_format(4102444799, s, sizeof(s));
    assert_string_equal(s, "Thu, 31 Dec 2099 23:59:59 +0000");
    notify_date_format(DATE_S, s, sizeof(s));
    assert_string_equal(s, "Tue, 14 Nov 2023 22:13:20 +0000");
}

int main(void)
{
    if (crypto_init() != ERR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_message_has_its_headers_and_a_text_and_an_html_part),
        cmocka_unit_test(reply_to_and_one_click_unsubscribe_are_added_when_given),
        cmocka_unit_test(german_umlauts_in_name_and_subject_become_encoded_words),
        cmocka_unit_test(long_subjects_with_emoji_split_between_characters),
        cmocka_unit_test(a_long_ascii_subject_is_folded_at_its_spaces),
        cmocka_unit_test(text_a_reader_would_misread_is_encoded),
        cmocka_unit_test(a_display_name_with_specials_is_quoted),
        cmocka_unit_test(two_messages_differ_in_message_id_and_boundary),
        cmocka_unit_test(a_line_break_in_any_header_value_is_refused),
        cmocka_unit_test(addresses_are_checked_minimally),
        cmocka_unit_test(values_over_their_limits_are_too_large),
        cmocka_unit_test(parts_and_text_must_be_there_and_utf8),
        cmocka_unit_test(quoted_printable_keeps_lines_short_and_decodes_back),
        cmocka_unit_test(quoted_printable_of_random_bytes_decodes_back),
        cmocka_unit_test(encoded_words_respect_the_line_where_they_start),
        cmocka_unit_test(dates_are_rfc5322_in_utc),
        cmocka_unit_test(attachments_make_a_mixed_body_and_decode_back),
        cmocka_unit_test(attachments_without_data_or_with_a_bad_type_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
