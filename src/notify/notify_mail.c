/*
 * Composing an e-mail: RFC 5322 headers, RFC 2047 encoded-words for names
 * and subjects that are not plain ASCII, and a multipart/alternative body
 * (RFC 2046) with a text and an HTML part in quoted-printable (RFC 2045),
 * inside a multipart/mixed body with files in base64 when it has any.
 *
 * Pure apart from the random Message-ID and boundary. Every value that goes
 * into a header is checked before a byte is written: a CR or LF there would
 * let a name or subject add headers of its own (header injection), so any
 * control character is refused, never stripped. Lines end in CRLF and stay
 * within the limits: 76 characters in quoted-printable and in header lines
 * with encoded-words, 78 where a plain header can be folded, never 998.
 */
#include <string.h>

#include <sodium.h>

#include "notify/notify_int.h"

/* Plain header lines are folded before 78 characters (RFC 5322 2.1.1). */
enum { MAIL_LINE_SOFT_MAX = 78 };
/* "=?UTF-8?B?" and "?=" around the base64 of an encoded-word. */
enum { MAIL_ENCODED_OVERHEAD = 12 };

static bool mail_is_utf8_continuation(unsigned char c)
{
    return (c & 0xc0) == 0x80;
}

/* ---- encoders ---------------------------------------------------------- */

static bool mail_qp_is_literal(unsigned char c)
{
    return (c >= 33 && c <= 126 && c != '=') || c == ' ' || c == '\t';
}

/* The encoded form of s[i] at the given column: 1 or 3 characters. */
static size_t mail_qp_token(const char *s, size_t n, size_t i, size_t column, char tok[4])
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned char c = (unsigned char)s[i];
    bool line_ends = i + 1 == n || s[i + 1] == '\r' || s[i + 1] == '\n';
    bool literal = mail_qp_is_literal(c) && !((c == ' ' || c == '\t') && line_ends) &&
                   !(c == '.' && column == 0);
    if (literal) {
        tok[0] = (char)c;
        return 1;
    }
    tok[0] = '=';
    tok[1] = hex[c >> 4];
    tok[2] = hex[c & 15];
    return 3;
}

enum err notify_qp_encode(struct buf *out, const char *s, size_t n)
{
    ASSERT(out != NULL);
    ASSERT(s != NULL || n == 0);
    enum err rc = ERR_OK;
    size_t column = 0;
    for (size_t i = 0; i < n && rc == ERR_OK; i++) {
        if (s[i] == '\r' || s[i] == '\n') {
            if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
                i++;
            rc = buf_append(out, "\r\n", 2);
            column = 0;
            continue;
        }
        char tok[4];
        size_t len = mail_qp_token(s, n, i, column, tok);
        /* A soft break "=" ends the line: the content stays within 75. */
        if (column + len > NOTIFY_QP_LINE_MAX - 1) {
            rc = buf_append(out, "=\r\n", 3);
            column = 0;
            len = mail_qp_token(s, n, i, column, tok);
        }
        if (rc == ERR_OK)
            rc = buf_append(out, tok, len);
        column += len;
    }
    ASSERT(column <= NOTIFY_QP_LINE_MAX - 1);
    return rc;
}

/* How many bytes of s[0..n) one encoded-word of at most chars base64
 * characters holds, ending on a character boundary. */
static size_t mail_encoded_take(const char *s, size_t n, size_t chars)
{
    size_t take = chars / 4 * 3;
    if (take >= n)
        return n;
    while (take > 0 && mail_is_utf8_continuation((unsigned char)s[take]))
        take--;
    return take;
}

enum err notify_encoded_words(struct buf *out, size_t *column, const char *s)
{
    ASSERT(out != NULL);
    ASSERT(column != NULL);
    size_t n = strlen(s);
    /* A word of one four-byte character is 8 base64 characters. */
    const size_t word_min = 1 + MAIL_ENCODED_OVERHEAD + 8;
    enum err rc = ERR_OK;
    for (size_t i = 0; i < n && rc == ERR_OK;) {
        if (*column + word_min > NOTIFY_ENCODED_LINE_MAX) {
            rc = buf_append(out, "\r\n", 2);
            *column = 0;
        }
        size_t room = NOTIFY_ENCODED_LINE_MAX - *column - 1 - MAIL_ENCODED_OVERHEAD;
        if (room > NOTIFY_ENCODED_WORD_MAX - MAIL_ENCODED_OVERHEAD)
            room = NOTIFY_ENCODED_WORD_MAX - MAIL_ENCODED_OVERHEAD;
        size_t take = mail_encoded_take(s + i, n - i, room);
        ASSERT(take > 0);
        char b64[NOTIFY_ENCODED_WORD_MAX];
        sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)s + i, take,
                          sodium_base64_VARIANT_ORIGINAL);
        size_t word = strlen(b64) + MAIL_ENCODED_OVERHEAD;
        ASSERT(word <= NOTIFY_ENCODED_WORD_MAX);
        if (rc == ERR_OK)
            rc = buf_printf(out, " =?UTF-8?B?%s?=", b64);
        *column += 1 + word;
        i += take;
    }
    return rc;
}

void notify_date_format(int64_t t, char *dst, size_t n)
{
    static const char *const days[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    ASSERT(t >= 0);
    ASSERT(n >= 32);
    int64_t day = t / 86400, second = t % 86400, year;
    unsigned month, mday;
    time_civil_from_days(day, &year, &month, &mday);
    bool fits = str_format(dst, n, "%s, %02u %s %04lld %02d:%02d:%02d +0000", days[day % 7], mday,
                           months[month - 1], (long long)year, (int)(second / 3600),
                           (int)(second / 60 % 60), (int)(second % 60));
    ASSERT(fits);
}

/* ---- checks ------------------------------------------------------------ */

/* Characters an address never holds here: they would change how a header
 * or an SMTP command reads it. */
static bool mail_address_char_ok(unsigned char c)
{
    return c > 0x20 && c < 0x7f && strchr("<>()[]\\,;:\"", c) == NULL;
}

enum err notify_mail_address_check(const char *addr, const char *field, struct err_detail *d)
{
    ASSERT(field != NULL);
    if (addr == NULL || addr[0] == '\0')
        return err_set(d, ERR_VALIDATION, field, "address is required");
    size_t len = strlen(addr);
    if (len > MAIL_ADDRESS_BYTES_MAX)
        return err_set(d, ERR_TOO_LARGE, field, "address is longer than %d bytes",
                       MAIL_ADDRESS_BYTES_MAX);
    const char *at = strchr(addr, '@');
    if (at == NULL || strchr(at + 1, '@') != NULL)
        return err_set(d, ERR_VALIDATION, field, "address must hold exactly one @");
    for (size_t i = 0; i < len; i++) {
        if (!mail_address_char_ok((unsigned char)addr[i]))
            return err_set(d, ERR_VALIDATION, field,
                           "address must not hold spaces, control characters, angle brackets, "
                           "quotes or non-ASCII characters");
    }
    /* An RFC 2047 encoded-word never belongs in an address, and some mail
     * software decodes one there anyway, so that "=?utf-8?q?x=40evil?=@shop"
     * reaches another mailbox than the one checked ("Splitting the email
     * atom", PortSwigger 2024). */
    if (strstr(addr, "=?") != NULL)
        return err_set(d, ERR_VALIDATION, field, "address must not hold \"=?\"");
    const char *domain = at + 1;
    size_t local_len = (size_t)(at - addr), domain_len = strlen(domain);
    if (local_len == 0 || local_len > MAIL_LOCAL_PART_BYTES_MAX)
        return err_set(d, ERR_VALIDATION, field, "address needs a local part of 1 to %d bytes",
                       MAIL_LOCAL_PART_BYTES_MAX);
    if (domain_len == 0 || domain[0] == '.' || domain[domain_len - 1] == '.' ||
        strstr(domain, "..") != NULL ||
        strspn(domain, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") !=
            domain_len)
        return err_set(d, ERR_VALIDATION, field,
                       "address needs a domain of letters, digits, '-' and '.' after the @");
    return ERR_OK;
}

/* A value that goes into a header: bounded, UTF-8, and no control
 * character (CR and LF above all: header injection). */
static enum err mail_header_value_check(const char *v, size_t max, const char *field,
                                        struct err_detail *d)
{
    size_t len = strlen(v);
    if (len > max)
        return err_set(d, ERR_TOO_LARGE, field, "is longer than %zu bytes", max);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c == 0x7f)
            return err_set(d, ERR_VALIDATION, field,
                           "must not hold line breaks or control characters");
    }
    if (!notify_utf8_is_valid(v, len))
        return err_set(d, ERR_VALIDATION, field, "is not UTF-8");
    return ERR_OK;
}

static enum err mail_body_check(const char *body, const char *field, struct err_detail *d)
{
    if (body == NULL || body[0] == '\0')
        return err_set(d, ERR_VALIDATION, field, "is required");
    size_t len = strlen(body);
    if (len > MAIL_BODY_BYTES_MAX)
        return err_set(d, ERR_TOO_LARGE, field, "is longer than %u bytes", MAIL_BODY_BYTES_MAX);
    if (!notify_utf8_is_valid(body, len))
        return err_set(d, ERR_VALIDATION, field, "is not UTF-8");
    return ERR_OK;
}

static enum err mail_url_check(const char *url, struct err_detail *d)
{
    const char *field = "unsubscribe_url";
    if (strlen(url) > MAIL_URL_BYTES_MAX)
        return err_set(d, ERR_TOO_LARGE, field, "is longer than %d bytes", MAIL_URL_BYTES_MAX);
    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
        return err_set(d, ERR_VALIDATION, field, "must be an http:// or https:// URL");
    for (const char *p = url; *p != '\0'; p++) {
        if (!(*p > 0x20 && *p < 0x7f) || *p == '<' || *p == '>')
            return err_set(d, ERR_VALIDATION, field,
                           "must not hold spaces, control characters, angle brackets or "
                           "non-ASCII characters");
    }
    return ERR_OK;
}

static bool mail_is_set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* "type/subtype" of letters, digits and ".+-": safe in a header as it is. */
static bool mail_content_type_ok(const char *t)
{
    const char *allowed = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-";
    size_t type = strspn(t, allowed);
    if (type == 0 || t[type] != '/')
        return false;
    size_t sub = strspn(t + type + 1, allowed);
    return sub > 0 && t[type + 1 + sub] == '\0' && type + 1 + sub <= 100;
}

static enum err mail_attachments_check(const struct notify_mail *m, struct err_detail *d)
{
    if (m->n_attachments > NOTIFY_ATTACHMENTS_MAX)
        return err_set(d, ERR_VALIDATION, "attachments", "more than %d attachments",
                       NOTIFY_ATTACHMENTS_MAX);
    for (size_t i = 0; i < m->n_attachments; i++) {
        const struct notify_attachment *a = &m->attachments[i];
        if (a->data == NULL || a->len == 0)
            return err_set(d, ERR_VALIDATION, "attachments", "an attachment has no data");
        if (a->content_type == NULL || !mail_content_type_ok(a->content_type))
            return err_set(d, ERR_VALIDATION, "attachments",
                           "an attachment's content type is not type/subtype");
    }
    return ERR_OK;
}

static enum err mail_check(const struct notify_mail *m, struct err_detail *d)
{
    enum err rc = notify_mail_address_check(m->from_addr, "from_addr", d);
    if (rc == ERR_OK)
        rc = notify_mail_address_check(m->to_addr, "to_addr", d);
    if (rc == ERR_OK && mail_is_set(m->reply_to))
        rc = notify_mail_address_check(m->reply_to, "reply_to", d);
    if (rc == ERR_OK && mail_is_set(m->from_name))
        rc = mail_header_value_check(m->from_name, MAIL_NAME_BYTES_MAX, "from_name", d);
    if (rc == ERR_OK && mail_is_set(m->to_name))
        rc = mail_header_value_check(m->to_name, MAIL_NAME_BYTES_MAX, "to_name", d);
    if (rc == ERR_OK && !mail_is_set(m->subject))
        rc = err_set(d, ERR_VALIDATION, "subject", "is required");
    if (rc == ERR_OK)
        rc = mail_header_value_check(m->subject, MAIL_SUBJECT_BYTES_MAX, "subject", d);
    if (rc == ERR_OK && mail_is_set(m->unsubscribe_url))
        rc = mail_url_check(m->unsubscribe_url, d);
    if (rc == ERR_OK)
        rc = mail_body_check(m->text, "text", d);
    if (rc == ERR_OK)
        rc = mail_body_check(m->html, "html", d);
    if (rc == ERR_OK && m->date_s < 0)
        rc = err_set(d, ERR_VALIDATION, "date_s", "must not be before 1970");
    if (rc == ERR_OK)
        rc = mail_attachments_check(m, d);
    return rc;
}

/* ---- headers ----------------------------------------------------------- */

/* Text that cannot go into a header as it is: non-ASCII, "=?" (a reader
 * would decode it), or spaces that folding could not keep (leading,
 * trailing, doubled). */
static bool mail_needs_encoding(const char *s)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)s[i] >= 0x80)
            return true;
    }
    return strstr(s, "=?") != NULL || strstr(s, "  ") != NULL || s[0] == ' ' ||
           (len > 0 && s[len - 1] == ' ');
}

/* Appends s word by word, folding at its spaces before MAIL_LINE_SOFT_MAX. */
static enum err mail_header_words(struct buf *out, size_t *column, const char *s)
{
    enum err rc = ERR_OK;
    for (const char *p = s; *p != '\0' && rc == ERR_OK;) {
        size_t len = strcspn(p, " ");
        if (*column + 1 + len > MAIL_LINE_SOFT_MAX) {
            rc = buf_append(out, "\r\n", 2);
            *column = 0;
        }
        if (rc == ERR_OK)
            rc = buf_printf(out, " %.*s", (int)len, p);
        *column += 1 + len;
        p += len + (p[len] == ' ');
    }
    return rc;
}

/* A display name that must be quoted: it holds a special of RFC 5322. */
static bool mail_name_needs_quotes(const char *s)
{
    return strpbrk(s, "()<>[]:;@\\,.\"") != NULL;
}

static enum err mail_header_quoted(struct buf *out, size_t *column, const char *s)
{
    enum err rc = buf_append(out, " \"", 2);
    *column += 2;
    for (const char *p = s; *p != '\0' && rc == ERR_OK; p++) {
        if (*p == '"' || *p == '\\') {
            rc = buf_append(out, "\\", 1);
            (*column)++;
        }
        if (rc == ERR_OK)
            rc = buf_append(out, p, 1);
        (*column)++;
    }
    (*column)++;
    return rc == ERR_OK ? buf_append(out, "\"", 1) : rc;
}

/* Appends a name (is_name) or a subject after a header's colon. */
static enum err mail_header_text(struct buf *out, size_t *column, const char *s, bool is_name)
{
    if (mail_needs_encoding(s))
        return notify_encoded_words(out, column, s);
    if (is_name && mail_name_needs_quotes(s))
        return mail_header_quoted(out, column, s);
    return mail_header_words(out, column, s);
}

/* "Name: [display name] <addr>" or "Name: addr", and the line's end. */
static enum err mail_header_mailbox(struct buf *out, const char *header, const char *name,
                                    const char *addr)
{
    size_t column = strlen(header) + 1;
    enum err rc = buf_printf(out, "%s:", header);
    if (rc != ERR_OK)
        return rc;
    if (!mail_is_set(name))
        return buf_printf(out, " %s\r\n", addr);
    rc = mail_header_text(out, &column, name, true);
    /* The stricter limit of a line with encoded-words, whatever the name was. */
    if (rc == ERR_OK && column + 3 + strlen(addr) > NOTIFY_ENCODED_LINE_MAX)
        rc = buf_append(out, "\r\n", 2);
    return rc == ERR_OK ? buf_printf(out, " <%s>\r\n", addr) : rc;
}

/* The headers; the body's type is multipart/<kind> with boundary. */
static enum err mail_headers(const struct notify_mail *m, struct buf *out, const char *message_id,
                             const char *kind, const char *boundary)
{
    char date[40];
    notify_date_format(m->date_s, date, sizeof(date));
    enum err rc = buf_printf(out, "Date: %s\r\n", date);
    if (rc == ERR_OK)
        rc = mail_header_mailbox(out, "From", m->from_name, m->from_addr);
    if (rc == ERR_OK)
        rc = mail_header_mailbox(out, "To", m->to_name, m->to_addr);
    if (rc == ERR_OK && mail_is_set(m->reply_to))
        rc = buf_printf(out, "Reply-To: %s\r\n", m->reply_to);
    size_t column = strlen("Subject:");
    if (rc == ERR_OK)
        rc = buf_puts(out, "Subject:");
    if (rc == ERR_OK)
        rc = mail_header_text(out, &column, m->subject, false);
    if (rc == ERR_OK)
        rc = buf_printf(out,
                        "\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n"
                        "Auto-Submitted: auto-generated\r\n",
                        message_id);
    if (rc == ERR_OK && mail_is_set(m->unsubscribe_url))
        rc = buf_printf(out, "List-Unsubscribe: <%s>\r\n", m->unsubscribe_url);
    /* RFC 8058: one-click needs an https URL the receiver can POST to. */
    if (rc == ERR_OK && mail_is_set(m->unsubscribe_url) &&
        strncmp(m->unsubscribe_url, "https://", 8) == 0)
        rc = buf_puts(out, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
    if (rc == ERR_OK)
        rc = buf_printf(out, "Content-Type: multipart/%s;\r\n boundary=\"%s\"\r\n\r\n", kind,
                        boundary);
    return rc;
}

/* ---- the message ------------------------------------------------------- */

static enum err mail_part(struct buf *out, const char *boundary, const char *type, const char *body)
{
    enum err rc = buf_printf(out,
                             "--%s\r\nContent-Type: %s; charset=UTF-8\r\n"
                             "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                             boundary, type);
    if (rc == ERR_OK)
        rc = notify_qp_encode(out, body, strlen(body));
    return rc == ERR_OK ? buf_append(out, "\r\n", 2) : rc;
}

/* Appends data as base64 in lines of 76 characters (57 bytes each). */
static enum err mail_base64(struct buf *out, const unsigned char *data, size_t len)
{
    enum err rc = ERR_OK;
    for (size_t i = 0; i < len && rc == ERR_OK; i += 57) {
        size_t n = len - i < 57 ? len - i : 57;
        char line[80];
        sodium_bin2base64(line, sizeof(line), data + i, n, sodium_base64_VARIANT_ORIGINAL);
        rc = buf_printf(out, "%s\r\n", line);
    }
    return rc;
}

/* One attachment as a part of the mixed body. */
static enum err mail_attachment(struct buf *out, const char *boundary,
                                const struct notify_attachment *a)
{
    char safe[FILE_NAME_BYTES_MAX + 1], ascii[FILE_NAME_BYTES_MAX + 1];
    filename_sanitize(a->filename, safe);
    filename_ascii(safe, ascii);
    enum err rc = buf_printf(out,
                             "--%s\r\nContent-Type: %s;\r\n name=\"%s\"\r\n"
                             "Content-Disposition: attachment;\r\n filename=\"%s\"\r\n"
                             "Content-Transfer-Encoding: base64\r\n\r\n",
                             boundary, a->content_type, ascii, ascii);
    return rc == ERR_OK ? mail_base64(out, a->data, a->len) : rc;
}

/* The text and the HTML part in a multipart/alternative body. */
static enum err mail_alternative(const struct notify_mail *m, struct buf *out, const char *boundary)
{
    enum err rc = mail_part(out, boundary, "text/plain", m->text);
    if (rc == ERR_OK)
        rc = mail_part(out, boundary, "text/html", m->html);
    return rc == ERR_OK ? buf_printf(out, "--%s--\r\n", boundary) : rc;
}

/* The body after the headers: the alternative part alone, or inside a
 * mixed part with the attachments after it. */
static enum err mail_body(const struct notify_mail *m, struct buf *out, const char *boundary,
                          const char *mixed)
{
    if (m->n_attachments == 0)
        return mail_alternative(m, out, boundary);
    enum err rc = buf_printf(out,
                             "--%s\r\nContent-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n"
                             "\r\n",
                             mixed, boundary);
    if (rc == ERR_OK)
        rc = mail_alternative(m, out, boundary);
    for (size_t i = 0; i < m->n_attachments && rc == ERR_OK; i++)
        rc = mail_attachment(out, mixed, &m->attachments[i]);
    return rc == ERR_OK ? buf_printf(out, "--%s--\r\n", mixed) : rc;
}

enum err notify_mail_compose(const struct notify_mail *m, struct buf *out,
                             char message_id[NOTIFY_MESSAGE_ID_BYTES], struct err_detail *d)
{
    ASSERT(m != NULL);
    ASSERT(out != NULL);
    enum err rc = mail_check(m, d);
    if (rc != ERR_OK)
        return rc;
    /* "=_" never occurs in quoted-printable text, and "_" never in base64,
     * so no part can hold a boundary. */
    char random[33], boundary[48], mixed[48], id[NOTIFY_MESSAGE_ID_BYTES];
    random_hex(random, 12);
    bool fits = str_format(boundary, sizeof(boundary), "=_creditd_%s", random);
    random_hex(random, 12);
    fits = fits && str_format(mixed, sizeof(mixed), "=_creditd_mixed_%s", random);
    random_hex(random, 16);
    fits = fits && str_format(id, sizeof(id), "<%s@%s>", random, strchr(m->from_addr, '@') + 1);
    ASSERT(fits); /* the address was bounded */
    bool mixed_body = m->n_attachments > 0;
    rc = mail_headers(m, out, id, mixed_body ? "mixed" : "alternative",
                      mixed_body ? mixed : boundary);
    if (rc == ERR_OK)
        rc = mail_body(m, out, boundary, mixed);
    if (rc == ERR_TOO_LARGE)
        return err_set(d, rc, "", "message is larger than %zu bytes", out->max_bytes);
    if (rc != ERR_OK)
        return err_set(d, rc, "", "cannot compose the message");
    if (message_id != NULL)
        memcpy(message_id, id, strlen(id) + 1);
    return ERR_OK;
}
