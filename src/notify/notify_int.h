/*
 * Internals shared by the files of src/notify, and the pieces the unit tests
 * check one by one (the encoders, the webhook host check). Nothing outside
 * the directory and its tests includes this.
 */
#ifndef CREDITD_NOTIFY_INT_H
#define CREDITD_NOTIFY_INT_H

#include "notify/notify.h"

/* Sent as User-Agent: creditd/<version> with every webhook. */
#define NOTIFY_USER_AGENT "creditd/0.1"

/* The longest line of a quoted-printable body (RFC 2045, the soft break's
 * "=" included) and of a header line holding an encoded-word (RFC 2047). */
enum { NOTIFY_QP_LINE_MAX = 76, NOTIFY_ENCODED_LINE_MAX = 76, NOTIFY_ENCODED_WORD_MAX = 75 };

/* True between notify_init and notify_release: libcurl may be used. */
bool notify_is_initialized(void);

/* True when s[0..n) is well-formed UTF-8 (no overlong form, no surrogate,
 * nothing past U+10FFFF). */
bool notify_utf8_is_valid(const char *s, size_t n);

/* Replaces every occurrence of secret (n bytes, n > 0) in msg by '*'. */
void notify_scrub(char *msg, const char *secret, size_t n);

/*
 * Appends s[0..n) as quoted-printable: every line break of the input (CRLF,
 * LF or CR) becomes CRLF, lines are at most NOTIFY_QP_LINE_MAX characters
 * with soft breaks, "=" and bytes outside printable ASCII are =XX, a space
 * or tab before a line end is encoded, and so is a "." that starts a line
 * (SMTP reads a lone "." as the end of the data). ERR_TOO_LARGE when out is
 * full.
 */
enum err notify_qp_encode(struct buf *out, const char *s, size_t n) WUR;

/*
 * Appends s as RFC 2047 encoded-words (=?UTF-8?B?…?=) to a header line whose
 * current length is *column: each word preceded by a space, or by CRLF and a
 * space when it would pass NOTIFY_ENCODED_LINE_MAX; no word over
 * NOTIFY_ENCODED_WORD_MAX characters and none ending inside a UTF-8
 * character. s must be valid UTF-8. Updates *column. ERR_TOO_LARGE when out
 * is full.
 */
enum err notify_encoded_words(struct buf *out, size_t *column, const char *s) WUR;

/* "Thu, 01 Jan 1970 00:00:00 +0000" for Unix seconds t >= 0; n >= 32. */
void notify_date_format(int64_t t, char *dst, size_t n);

/* A webhook URL checked and its host resolved and judged (notify_addr.c). */
struct notify_target {
    char url[WEBHOOK_URL_BYTES_MAX + 16]; /* as libcurl gets it: the host in lower case */
    char host[256];                       /* lower case, without brackets */
    long port;
    bool host_is_literal; /* the URL names an address, not a name */
    size_t n_addresses;
    char addresses[WEBHOOK_ADDRESSES_MAX][48];      /* text form, IPv6 without brackets */
    char resolve[WEBHOOK_ADDRESSES_MAX * 50 + 300]; /* "host:port:a,[b]" for CURLOPT_RESOLVE */
};

/* True when text (an address as inet_ntop prints it) is one of t's. */
bool notify_target_has(const struct notify_target *t, const char *text);

/*
 * Checks url (http or https, a host of letters, digits, '-', '.' and '_'
 * or an address, no user information or zone id, at most
 * WEBHOOK_URL_BYTES_MAX) and resolves its host with getaddrinfo; every
 * address must pass notify_addr_is_allowed. Fills t with the host, port and
 * the addresses to pin. ERR_VALIDATION for the URL, ERR_FORBIDDEN for a
 * refused address (the message names host, address and class),
 * ERR_DELIVERY_UNAVAILABLE when the name does not resolve, ERR_INTERNAL when
 * out of memory.
 */
enum err notify_target_check(const char *url, bool allow_private, struct notify_target *t,
                             struct err_detail *d) WUR;

#endif
