/*
 * Fuzz target: mail (src/notify): addresses (notify_mail_address_check),
 * whole messages (notify_mail_compose, whose names, subject and bodies come
 * from tenants and customers), and the relay settings
 * (notify_smtp_config_parse of CREDITD_SMTP_URL and CREDITD_MAIL_FROM).
 *
 * Input: one line each for from_addr, to_addr, reply_to, from_name,
 * to_name, subject, unsubscribe_url, the SMTP URL and the sender setting,
 * then the text part, 0x1e, the HTML part.
 *
 * Properties: an address is taken exactly when an independent check says
 * so (one '@', 1 to 64 bytes before it, a domain of letters, digits, '-'
 * and '.' without empty labels at its ends or "..", at most 254 bytes of
 * visible ASCII without <>()[]\,;:" and without "=?"); a message is
 * composed exactly when every value passes its check (addresses, names and
 * subject without control characters and in UTF-8 within their limits,
 * http(s) unsubscribe URL, both parts present in UTF-8); a composed message
 * has only CRLF line ends, lines of at most 998 (76 with an encoded-word, 76
 * in the parts), each header once and only the headers creditd writes (no
 * injected header), and its Subject, names and both parts decode (RFC 2047,
 * quoted strings, quoted-printable) to exactly what was given; relay
 * settings taken give a sender that passes the address check, a name
 * without control characters, and a redacted URL without the password.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <sodium.h>

#include "notify/notify_int.h"

#include "fuzz.h"

struct fuzz_mail_in {
    char *from_addr, *to_addr, *reply_to, *from_name, *to_name, *subject, *url, *smtp_url,
        *mail_from, *text, *html;
};

/* ---- independent checks ------------------------------------------------ */

static bool fuzz_mail_address_ok(const char *a)
{
    size_t n = strlen(a);
    const char *at = strchr(a, '@');
    if (n == 0 || n > 254 || at == NULL || strchr(at + 1, '@') != NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        if (a[i] <= 0x20 || a[i] >= 0x7f || strchr("<>()[]\\,;:\"", a[i]) != NULL)
            return false;
    const char *domain = at + 1;
    size_t local = (size_t)(at - a), dn = strlen(domain);
    for (size_t i = 0; i < dn; i++)
        if (!((domain[i] >= 'a' && domain[i] <= 'z') || (domain[i] >= 'A' && domain[i] <= 'Z') ||
              (domain[i] >= '0' && domain[i] <= '9') || domain[i] == '-' || domain[i] == '.'))
            return false;
    return local >= 1 && local <= 64 && dn > 0 && domain[0] != '.' && domain[dn - 1] != '.' &&
           strstr(domain, "..") == NULL && strstr(a, "=?") == NULL;
}

static bool fuzz_mail_header_value_ok(const char *v, size_t max)
{
    size_t n = strlen(v);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return false;
    return n <= max && fuzz_utf8_is_valid(v, n);
}

static bool fuzz_mail_url_ok(const char *u)
{
    if (strlen(u) > MAIL_URL_BYTES_MAX ||
        (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0))
        return false;
    for (const char *p = u; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || *p == '<' || *p == '>')
            return false;
    return true;
}

static bool fuzz_mail_body_ok(const char *b)
{
    return b[0] != '\0' && strlen(b) <= MAIL_BODY_BYTES_MAX && fuzz_utf8_is_valid(b, strlen(b));
}

static bool fuzz_mail_should_compose(const struct fuzz_mail_in *m)
{
    return fuzz_mail_address_ok(m->from_addr) && fuzz_mail_address_ok(m->to_addr) &&
           (m->reply_to[0] == '\0' || fuzz_mail_address_ok(m->reply_to)) &&
           fuzz_mail_header_value_ok(m->from_name, MAIL_NAME_BYTES_MAX) &&
           fuzz_mail_header_value_ok(m->to_name, MAIL_NAME_BYTES_MAX) && m->subject[0] != '\0' &&
           fuzz_mail_header_value_ok(m->subject, MAIL_SUBJECT_BYTES_MAX) &&
           (m->url[0] == '\0' || fuzz_mail_url_ok(m->url)) && fuzz_mail_body_ok(m->text) &&
           fuzz_mail_body_ok(m->html);
}

/* ---- reading a message back -------------------------------------------- */

enum { FUZZ_MAIL_HEADERS_MAX = 16 };

struct fuzz_mail_headers {
    char *lines[FUZZ_MAIL_HEADERS_MAX]; /* unfolded "Name: value", malloc'd */
    size_t n;
};

/* The only headers creditd writes, each at most once. */
static const char *const fuzz_mail_names[] = {
    "Date",
    "From",
    "To",
    "Reply-To",
    "Subject",
    "Message-ID",
    "MIME-Version",
    "Auto-Submitted",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "Content-Type",
};

/* Checks every line's end and length, and unfolds the header block. */
static void fuzz_mail_lines(const char *msg, size_t len, const char *body,
                            struct fuzz_mail_headers *h)
{
    for (const char *line = msg; line < msg + len;) {
        const char *eol = memmem(line, (size_t)(msg + len - line), "\r\n", 2);
        FUZZ_CHECK(eol != NULL, "the message does not end with CRLF");
        size_t n = (size_t)(eol - line);
        FUZZ_CHECK(memchr(line, '\r', n) == NULL && memchr(line, '\n', n) == NULL,
                   "a bare CR or LF");
        FUZZ_CHECK(n <= 998, "a line of %zu characters", n);
        /* A header with encoded-words keeps to their line length; the
         * unsubscribe address is a URL in angle brackets, never decoded,
         * and may hold the same characters. */
        if (line < body && memmem(line, n, "=?UTF-8?B?", 10) != NULL &&
            strncmp(line, "List-Unsubscribe:", 17) != 0)
            FUZZ_CHECK(n <= NOTIFY_ENCODED_LINE_MAX, "a header line with encoded-words of %zu", n);
        if (line >= body)
            FUZZ_CHECK(n <= NOTIFY_QP_LINE_MAX, "a body line of %zu characters", n);
        if (line < body - 2 && (line[0] == ' ' || line[0] == '\t')) {
            FUZZ_CHECK(h->n > 0, "the message starts with a continuation");
            char *prev = h->lines[h->n - 1];
            size_t had = strlen(prev);
            prev = realloc(prev, had + n + 1);
            FUZZ_CHECK(prev != NULL, "out of memory");
            memcpy(prev + had, line, n);
            prev[had + n] = '\0';
            h->lines[h->n - 1] = prev;
        } else if (line < body - 2) {
            FUZZ_CHECK(h->n < FUZZ_MAIL_HEADERS_MAX, "too many headers");
            h->lines[h->n++] = strndup(line, n);
        }
        line = eol + 2;
    }
}

/* The value of header name, checking that every header is one creditd
 * writes and comes once. */
static const char *fuzz_mail_header(const struct fuzz_mail_headers *h, const char *name)
{
    const char *found = NULL;
    for (size_t i = 0; i < h->n; i++) {
        const char *colon = strchr(h->lines[i], ':');
        FUZZ_CHECK(colon != NULL, "header line '%s' without a colon", h->lines[i]);
        size_t len = (size_t)(colon - h->lines[i]);
        bool known = false;
        for (size_t k = 0; k < sizeof(fuzz_mail_names) / sizeof(fuzz_mail_names[0]); k++)
            known |= strlen(fuzz_mail_names[k]) == len &&
                     strncasecmp(fuzz_mail_names[k], h->lines[i], len) == 0;
        FUZZ_CHECK(known, "an injected header '%s'", h->lines[i]);
        if (strlen(name) == len && strncasecmp(name, h->lines[i], len) == 0) {
            FUZZ_CHECK(found == NULL, "header %s twice", name);
            found = colon + 1;
        }
    }
    return found;
}

/* Decodes a header value's text: encoded-words (whitespace between them
 * dropped), a quoted string (in a display name), or plain words. */
static char *fuzz_mail_decode(const char *v, bool is_name)
{
    size_t n = strlen(v);
    char *out = malloc(n + 1), *o = out;
    FUZZ_CHECK(out != NULL, "out of memory");
    while (*v == ' ')
        v++;
    if (strncmp(v, "=?UTF-8?B?", 10) == 0) {
        while (strncmp(v, "=?UTF-8?B?", 10) == 0) {
            const char *end = strstr(v + 10, "?=");
            FUZZ_CHECK(end != NULL && end + 2 - v <= NOTIFY_ENCODED_WORD_MAX, "a bad encoded-word");
            size_t bin_len = 0;
            FUZZ_CHECK(sodium_base642bin((unsigned char *)o, n, v + 10, (size_t)(end - v - 10),
                                         NULL, &bin_len, NULL, sodium_base64_VARIANT_ORIGINAL) == 0,
                       "an encoded-word is not base64");
            FUZZ_CHECK(fuzz_utf8_is_valid(o, bin_len), "an encoded-word splits a character");
            o += bin_len;
            v = end + 2;
            v += strspn(v, " ");
        }
        FUZZ_CHECK(*v == '\0', "text after encoded-words: '%s'", v);
    } else if (is_name && *v == '"') {
        for (v++; *v != '"'; v++) {
            FUZZ_CHECK(*v != '\0', "an unterminated quoted string");
            if (*v == '\\')
                v++;
            *o++ = *v;
        }
        FUZZ_CHECK(v[1] == '\0', "text after a quoted string");
    } else {
        memcpy(o, v, strlen(v));
        o += strlen(v);
    }
    *o = '\0';
    return out;
}

/* "Name: [display name] <addr>" or "Name: addr". */
static void fuzz_mail_mailbox(const char *value, const char *name, const char *addr)
{
    FUZZ_CHECK(value != NULL, "a mailbox header is missing");
    size_t vlen = strlen(value), alen = strlen(addr);
    if (name[0] == '\0') {
        FUZZ_CHECK(vlen == alen + 1 && value[0] == ' ' && strcmp(value + 1, addr) == 0,
                   "mailbox '%s' for %s", value, addr);
        return;
    }
    FUZZ_CHECK(vlen >= alen + 3 && value[vlen - 1] == '>' && value[vlen - alen - 2] == '<' &&
                   value[vlen - alen - 3] == ' ' &&
                   strncmp(value + vlen - alen - 1, addr, alen) == 0,
               "mailbox '%s' does not end with <%s>", value, addr);
    char *display = strndup(value, vlen - alen - 3);
    char *decoded = fuzz_mail_decode(display, true);
    FUZZ_CHECK(strcmp(decoded, name) == 0, "name '%s' reads back as '%s'", name, decoded);
    free(decoded);
    free(display);
}

static int fuzz_mail_hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Every line break of text (CRLF, LF or CR) as CRLF. */
static char *fuzz_mail_crlf(const char *text)
{
    char *out = malloc(2 * strlen(text) + 1), *o = out;
    FUZZ_CHECK(out != NULL, "out of memory");
    for (const char *p = text; *p; p++) {
        if (*p == '\r' || *p == '\n') {
            p += *p == '\r' && p[1] == '\n';
            *o++ = '\r';
            *o++ = '\n';
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

/* The part after "--boundary\r\n" at *p: its headers say type, and its
 * quoted-printable body decodes to text. */
static void fuzz_mail_part(const char **p, const char *boundary, const char *type, const char *text)
{
    char head[256];
    snprintf(head, sizeof(head),
             "--%s\r\nContent-Type: %s; charset=UTF-8\r\n"
             "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
             boundary, type);
    FUZZ_CHECK(strncmp(*p, head, strlen(head)) == 0, "the %s part's headers", type);
    const char *s = *p + strlen(head);
    char delimiter[80];
    snprintf(delimiter, sizeof(delimiter), "\r\n--%s", boundary);
    const char *end = strstr(s, delimiter);
    FUZZ_CHECK(end != NULL, "the %s part does not end", type);
    char *want = fuzz_mail_crlf(text);
    char *got = malloc((size_t)(end - s) + 1), *o = got;
    FUZZ_CHECK(got != NULL, "out of memory");
    for (const char *q = s; q < end;) {
        if (q[0] == '=' && q[1] == '\r' && q[2] == '\n') {
            q += 3;
        } else if (q[0] == '=') {
            int hi = fuzz_mail_hex(q[1]), lo = hi >= 0 ? fuzz_mail_hex(q[2]) : -1;
            FUZZ_CHECK(lo >= 0, "a bad quoted-printable escape in the %s part", type);
            *o++ = (char)(hi * 16 + lo);
            q += 3;
        } else {
            FUZZ_CHECK(*q == '\r' || *q == '\n' || *q == '\t' || (*q >= 0x20 && *q < 0x7f),
                       "a raw byte %#x in the %s part", (unsigned char)*q, type);
            FUZZ_CHECK(!(*q == '.' && (q == s || q[-1] == '\n')),
                       "a line of the %s part starts with '.'", type);
            *o++ = *q++;
        }
    }
    *o = '\0';
    FUZZ_CHECK(strcmp(got, want) == 0, "the %s part decodes to other text", type);
    free(got);
    free(want);
    *p = end + 2;
}

static void fuzz_mail_read_back(const struct fuzz_mail_in *m, const struct buf *out)
{
    const char *msg = out->data;
    const char *body = strstr(msg, "\r\n\r\n");
    FUZZ_CHECK(body != NULL && strlen(msg) == out->len, "no header block");
    body += 4;
    struct fuzz_mail_headers h = {.n = 0};
    fuzz_mail_lines(msg, out->len, body, &h);
    fuzz_mail_mailbox(fuzz_mail_header(&h, "From"), m->from_name, m->from_addr);
    fuzz_mail_mailbox(fuzz_mail_header(&h, "To"), m->to_name, m->to_addr);
    const char *subject = fuzz_mail_header(&h, "Subject");
    FUZZ_CHECK(subject != NULL, "no Subject");
    char *decoded = fuzz_mail_decode(subject, false);
    FUZZ_CHECK(strcmp(decoded, m->subject) == 0, "subject '%s' reads back as '%s'", m->subject,
               decoded);
    free(decoded);
    const char *reply = fuzz_mail_header(&h, "Reply-To");
    FUZZ_CHECK(m->reply_to[0] == '\0' ? reply == NULL
                                      : reply != NULL && strcmp(reply + 1, m->reply_to) == 0,
               "Reply-To '%s'", reply ? reply : "");
    const char *type = fuzz_mail_header(&h, "Content-Type");
    const char *b = type != NULL ? strstr(type, "boundary=\"") : NULL;
    FUZZ_CHECK(b != NULL && strchr(b + 10, '"') != NULL, "no boundary");
    char *boundary = strndup(b + 10, (size_t)(strchr(b + 10, '"') - b - 10));
    const char *p = body;
    fuzz_mail_part(&p, boundary, "text/plain", m->text);
    fuzz_mail_part(&p, boundary, "text/html", m->html);
    char last[80];
    snprintf(last, sizeof(last), "--%s--\r\n", boundary);
    FUZZ_CHECK(strcmp(p, last) == 0, "the message does not end with its last boundary");
    free(boundary);
    for (size_t i = 0; i < h.n; i++)
        free(h.lines[i]);
}

/* ---- the relay's settings --------------------------------------------- */

static void fuzz_mail_smtp(const char *url, const char *from)
{
    struct notify_smtp_config cfg;
    struct err_detail d = {0};
    if (notify_smtp_config_parse(&cfg, url, from, NULL, false, &d) != ERR_OK || !cfg.configured)
        return;
    struct err_detail why = {0};
    FUZZ_CHECK(notify_mail_address_check(cfg.from_addr, "from", &why) == ERR_OK,
               "sender '%s' taken", cfg.from_addr);
    FUZZ_CHECK(fuzz_mail_header_value_ok(cfg.from_name, MAIL_NAME_BYTES_MAX),
               "sender name '%s' taken", cfg.from_name);
    CURLU *u = curl_url();
    char *pass = NULL;
    FUZZ_CHECK(u != NULL && curl_url_set(u, CURLUPART_URL, cfg.url_redacted, 0) == CURLUE_OK,
               "redacted URL '%s' is not a URL", cfg.url_redacted);
    FUZZ_CHECK(curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) != CURLUE_OK,
               "redacted URL '%s' has a password", cfg.url_redacted);
    curl_url_cleanup(u);
    notify_smtp_config_release(&cfg);
}

/* ---- the driver -------------------------------------------------------- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return sodium_init() < 0 ? 1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    struct fuzz_mail_in m;
    char **lines[] = {&m.from_addr, &m.to_addr, &m.reply_to, &m.from_name, &m.to_name,
                      &m.subject,   &m.url,     &m.smtp_url, &m.mail_from};
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        *lines[i] = fuzz_take_until(&in, '\n');
    m.text = fuzz_take_until(&in, 0x1e);
    m.html = fuzz_take_rest(&in, NULL);

    struct err_detail d = {0};
    bool taken = notify_mail_address_check(m.to_addr, "to", &d) == ERR_OK;
    FUZZ_CHECK(taken == fuzz_mail_address_ok(m.to_addr), "address '%s' taken %d", m.to_addr, taken);
    struct notify_mail mail = {
        .from_name = m.from_name,
        .from_addr = m.from_addr,
        .to_name = m.to_name,
        .to_addr = m.to_addr,
        .reply_to = m.reply_to,
        .subject = m.subject,
        .text = m.text,
        .html = m.html,
        .unsubscribe_url = m.url,
        .date_s = 1772359200,
    };
    struct buf out;
    buf_init(&out, MAIL_MESSAGE_BYTES_MAX);
    char message_id[NOTIFY_MESSAGE_ID_BYTES];
    enum err rc = notify_mail_compose(&mail, &out, message_id, &d);
    bool want = fuzz_mail_should_compose(&m);
    FUZZ_CHECK((rc == ERR_OK) == want, "composed: %s (%s: %s), the reference says %d", err_code(rc),
               d.field, d.message, want);
    if (rc == ERR_OK)
        fuzz_mail_read_back(&m, &out);
    buf_release(&out);
    fuzz_mail_smtp(m.smtp_url, m.mail_from);
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        free(*lines[i]);
    free(m.text);
    free(m.html);
    return 0;
}
