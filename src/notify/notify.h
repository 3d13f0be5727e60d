/*
 * notify: the delivery layer of notifications. It composes e-mails (RFC 5322
 * with a text and an HTML part), sends them to an SMTP relay over libcurl,
 * signs webhook bodies and posts them to a receiver after an SSRF check of
 * the receiver's addresses.
 *
 * This layer knows nothing of tenants, events, outboxes or retries: callers
 * pass plain strings and get a result and an error class back, and decide
 * what to do next (a dispatcher retries ERR_DELIVERY_UNAVAILABLE later and
 * gives up on ERR_DELIVERY_REJECTED). It never includes service/, store/,
 * http/, cli/ or core/, and only the service calls it. Passwords and webhook
 * secrets never appear in an error message; nothing here logs.
 */
#ifndef CREDITD_NOTIFY_H
#define CREDITD_NOTIFY_H

#include "base/base.h"

/* ---- lifetime ---------------------------------------------------------- */

/*
 * Starts libcurl's global state and libsodium once for the process; call it
 * before any thread sends, and notify_release as many times at the end.
 * ERR_INTERNAL when a library cannot start.
 */
enum err notify_init(void) WUR;
void notify_release(void);

/* ---- composing a mail (pure: no I/O) ------------------------------------ */

/* "<" 32 hex digits "@" domain ">" and the terminator. */
#define NOTIFY_MESSAGE_ID_BYTES (MAIL_ADDRESS_BYTES_MAX + 40)

/* A file that goes with a message (an invoice as PDF). Borrowed. */
struct notify_attachment {
    const char *filename;     /* "2026-000042.pdf"; sent as ASCII (see below) */
    const char *content_type; /* "application/pdf": type/subtype of letters, digits, ".+-" */
    const void *data;
    size_t len;
};

/* Files one message may carry. */
#define NOTIFY_ATTACHMENTS_MAX 4

/* One message. Strings are borrowed for the call and are UTF-8. */
struct notify_mail {
    const char *from_name; /* display name, the tenant's ("Müller Tuning"); NULL or "" = none */
    const char *from_addr; /* "noreply@example.com" */
    const char *to_name;   /* optional */
    const char *to_addr;
    const char *reply_to;                        /* optional address */
    const char *subject;                         /* at most MAIL_SUBJECT_BYTES_MAX bytes */
    const char *text;                            /* the text/plain part */
    const char *html;                            /* the text/html part */
    const char *unsubscribe_url;                 /* optional http(s) URL: List-Unsubscribe */
    int64_t date_s;                              /* the Date header, Unix seconds (>= 0) */
    const struct notify_attachment *attachments; /* optional, n_attachments of them */
    size_t n_attachments;                        /* at most NOTIFY_ATTACHMENTS_MAX */
};

/*
 * Appends the message to out: Date (RFC 5322, +0000), From, To, Reply-To
 * when given, Subject, Message-ID (<32 random hex digits@the From domain>,
 * from libsodium), MIME-Version, Auto-Submitted: auto-generated,
 * List-Unsubscribe <url> when given (and List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click, RFC 8058, when it is https), then a
 * multipart/alternative body with the text and the HTML part, both UTF-8 in
 * quoted-printable (lines of at most 76 characters). With attachments the
 * body is multipart/mixed: that alternative part first, then each file in
 * base64 (lines of 76) with Content-Disposition: attachment and its file
 * name made safe (filename_sanitize, then every non-ASCII character an
 * underscore, so it needs no RFC 2231 encoding). Lines end in CRLF.
 * Non-ASCII names and subjects become RFC 2047 encoded-words
 * (=?UTF-8?B?…?=, none over 75 characters, never split inside a character,
 * no header line holding one over 76). message_id, when not NULL, receives
 * the Message-ID with its angle brackets. Initialise out with
 * buf_init(out, MAIL_MESSAGE_BYTES_MAX) or more.
 *
 * ERR_VALIDATION with d->field for an address that is not one (not exactly
 * one @, empty parts, spaces, controls, angle brackets, quotes, commas,
 * non-ASCII), a header value holding CR, LF or another control character
 * (header injection), text that is not UTF-8, a missing part, or a
 * List-Unsubscribe URL that is not http(s), more than NOTIFY_ATTACHMENTS_MAX
 * attachments or one without data or with a content type that is not
 * type/subtype; ERR_TOO_LARGE with d->field for a
 * value over its limit (limits.h) or when out is full. out may hold part of
 * a message when it fails.
 */
enum err notify_mail_compose(const struct notify_mail *m, struct buf *out,
                             char message_id[NOTIFY_MESSAGE_ID_BYTES], struct err_detail *d) WUR;

/* ERR_OK when addr is an address creditd sends to or from (see above), else
 * ERR_VALIDATION (or ERR_TOO_LARGE) with field and message set. */
enum err notify_mail_address_check(const char *addr, const char *field, struct err_detail *d) WUR;

/* ---- sending a mail over SMTP (libcurl) -------------------------------- */

/* The relay, read once at start-up (notify_smtp_config_from_env). The
 * struct holds copies, the password among them: end it with
 * notify_smtp_config_release, which wipes them. */
struct notify_smtp_config {
    bool configured;                       /* a relay and a sender are set and valid */
    char url[SMTP_URL_BYTES_MAX];          /* smtp:// or smtps://, user:password@ included */
    char url_redacted[SMTP_URL_BYTES_MAX]; /* the same without the password, for messages */
    char password[SMTP_URL_BYTES_MAX];     /* percent-decoded, for scrubbing; "" = none */
    char password_raw[SMTP_URL_BYTES_MAX]; /* as written in the URL, for scrubbing */
    char from_addr[MAIL_ADDRESS_BYTES_MAX + 1];
    char from_name[MAIL_NAME_BYTES_MAX + 1]; /* "" when CREDITD_MAIL_FROM has none */
    char ca_file[SMTP_PATH_BYTES_MAX];       /* "" = the system's CAs */
    bool implicit_tls;                       /* smtps:// */
    bool require_tls; /* smtp:// must switch to TLS (STARTTLS) or the send fails */
    long connect_timeout_ms;
    long timeout_ms; /* the whole conversation */
};

/* Defaults of the timeouts (connect 10 s, whole mail 60 s). */
#define NOTIFY_SMTP_CONNECT_TIMEOUT_MS 10000
#define NOTIFY_SMTP_TIMEOUT_MS         60000

/*
 * Fills cfg from the given settings (the environment's, or a test's):
 * url "smtp://[user[:password]@]host[:port]" (STARTTLS when the server
 * offers it, required with require_tls) or "smtps://…" (TLS from the first
 * byte); mail_from "noreply@example.com" or "Example Shop
 * <noreply@example.com>"; ca_file NULL or "" for the system's CAs. TLS
 * certificates are always verified.
 *
 * Both url and mail_from NULL or "": ERR_OK with cfg->configured false (mail
 * is off). ERR_MAIL_NOT_CONFIGURED with d->field and the reason (never the
 * password) when only one is set, the URL is not smtp(s):// with a host, has
 * a path, query or fragment, the sender is not an address, or a value is too
 * long; cfg->configured is false then too.
 */
enum err notify_smtp_config_parse(struct notify_smtp_config *cfg, const char *url,
                                  const char *mail_from, const char *ca_file, bool require_tls,
                                  struct err_detail *d) WUR;

/*
 * notify_smtp_config_parse with CREDITD_SMTP_URL, CREDITD_MAIL_FROM,
 * CREDITD_SMTP_CA_FILE and CREDITD_SMTP_REQUIRE_TLS ("1", "true" or "yes"
 * requires STARTTLS) from the environment.
 */
enum err notify_smtp_config_from_env(struct notify_smtp_config *cfg, struct err_detail *d) WUR;

/* Wipes the copies of the URL and the password. */
void notify_smtp_config_release(struct notify_smtp_config *cfg);

/* True when mail can be sent with cfg (cfg->configured). */
bool notify_mail_is_configured(const struct notify_smtp_config *cfg);

/*
 * Sends message (message_len bytes, as notify_mail_compose made it) from
 * from_addr to to_addr through the relay of cfg: MAIL FROM, RCPT TO, DATA,
 * the login from the URL, STARTTLS or implicit TLS as cfg says, within
 * cfg's timeouts. notify_init must have been called. Borrows everything.
 *
 * ERR_MAIL_NOT_CONFIGURED when cfg is not configured; ERR_VALIDATION for an
 * address that is not one; ERR_TOO_LARGE past MAIL_MESSAGE_BYTES_MAX;
 * ERR_DELIVERY_REJECTED when the relay refused this message for good (a 5xx
 * reply to MAIL FROM, RCPT TO or DATA: a bad recipient, a refused sender or
 * content): do not try again; ERR_DELIVERY_UNAVAILABLE for everything that
 * may pass later (a 4xx reply, no connection, a timeout, TLS failing or not
 * offered when required, a certificate that does not verify, the login
 * refused: a setting the operator fixes, after which the message should
 * still go out); ERR_INTERNAL when libcurl cannot start. d->message says
 * what failed with the relay's reply when there was one, and never holds the
 * password.
 */
enum err notify_mail_send(const struct notify_smtp_config *cfg, const char *from_addr,
                          const char *to_addr, const char *message, size_t message_len,
                          struct err_detail *d) WUR;

/* ---- webhooks ---------------------------------------------------------- */

/* Room for "t=<20 digits>,v1=<64 hex>" and the terminator. */
#define NOTIFY_SIGNATURE_BYTES 96

/*
 * The Creditd-Signature header value of body signed at unix_time:
 * "t=<unix_time>,v1=<hex HMAC-SHA256(secret, "<unix_time>.<body>")>", the
 * MAC keyed with the whole secret string. Pure. ERR_VALIDATION when secret
 * is NULL or "" or unix_time is negative; ERR_TOO_LARGE for a secret over
 * WEBHOOK_SECRET_BYTES_MAX.
 */
enum err notify_webhook_sign(const char *secret, int64_t unix_time, const char *body,
                             size_t body_len, char out_header[NOTIFY_SIGNATURE_BYTES]) WUR;

/* One delivery. Strings are borrowed for the call. */
struct notify_webhook_request {
    const char *url;       /* http:// or https://, no user information */
    const char *body;      /* JSON */
    size_t body_len;       /* at most WEBHOOK_BODY_BYTES_MAX */
    const char *signature; /* the Creditd-Signature value (notify_webhook_sign) */
    const char *event_id;  /* optional: sent as Creditd-Event-Id */
    long timeout_ms;       /* the whole request; 0 = 10 s; at most WEBHOOK_TIMEOUT_MS_MAX */
    bool allow_private;    /* serve --webhook-allow-private: see notify_addr_is_allowed */
    const char *ca_file;   /* NULL or "" = the system's CAs (tests give their own) */
};

/* What a delivery did, for the delivery log. Filled whatever the outcome. */
struct notify_webhook_result {
    long status;                             /* the HTTP status; 0 when no answer came */
    int64_t duration_ms;                     /* from the first connect to the end */
    char excerpt[WEBHOOK_EXCERPT_BYTES + 1]; /* the answer's first bytes, terminated */
    size_t excerpt_len;
    char address[48]; /* the address connected to; "" when none */
};

/*
 * Posts body to url with Content-Type: application/json, Creditd-Signature,
 * Creditd-Event-Id when given and User-Agent: creditd/<version>; follows no
 * redirect and uses no proxy. Before connecting it resolves the host and
 * refuses when any of its addresses is not allowed (notify_addr_is_allowed),
 * then connects only to the addresses it checked (CURLOPT_RESOLVE), so a
 * DNS answer that changes between the check and the connection cannot
 * reach another address. Reads at most WEBHOOK_EXCERPT_BYTES of the answer.
 * notify_init must have been called.
 *
 * ERR_OK for a 2xx answer; ERR_VALIDATION for a URL that is not http(s)://
 * with a host, carries user information or a zone id, or is too long, or a
 * missing body or signature; ERR_TOO_LARGE for a body over the limit;
 * ERR_FORBIDDEN when the host resolves to a refused address (the message
 * names it and its class); ERR_DELIVERY_REJECTED for 410 Gone (the receiver
 * says it is gone for good); ERR_DELIVERY_UNAVAILABLE for any other answer
 * (a redirect included), a host that does not resolve, no connection or a
 * timeout; ERR_INTERNAL when libcurl cannot start. out is filled in every
 * case.
 */
enum err notify_webhook_post(const struct notify_webhook_request *req,
                             struct notify_webhook_result *out, struct err_detail *d) WUR;

/* ---- the SSRF guard (pure) --------------------------------------------- */

/* What kind of address a webhook host resolved to. */
enum notify_addr_class {
    NOTIFY_ADDR_PUBLIC,
    NOTIFY_ADDR_LOOPBACK,    /* 127/8, ::1 */
    NOTIFY_ADDR_PRIVATE,     /* 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10 */
    NOTIFY_ADDR_SHARED,      /* 100.64/10 (carrier-grade NAT) */
    NOTIFY_ADDR_LINK_LOCAL,  /* 169.254/16 (cloud metadata), fe80::/10 */
    NOTIFY_ADDR_UNSPECIFIED, /* 0/8 ("this network", 0.0.0.0 reaches the host), :: */
    NOTIFY_ADDR_MULTICAST,   /* 224/4, ff00::/8 */
    NOTIFY_ADDR_BROADCAST,   /* 255.255.255.255 */
    NOTIFY_ADDR_RESERVED,    /* 240/4, 192.0.0/24, 198.18/15, documentation, 100::/64, … */
};

/*
 * Classifies an address: family AF_INET with 4 bytes or AF_INET6 with 16,
 * in network order. An IPv6 address that carries an IPv4 one (mapped
 * ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16)
 * has the class of the IPv4 address inside. Pure.
 */
enum notify_addr_class notify_addr_classify(int family, const uint8_t *bytes);

/* "public", "loopback", "private", … for messages. */
const char *notify_addr_class_name(enum notify_addr_class c);

/* Whether a webhook may connect to an address of class c: public always;
 * with allow_private also loopback, private and shared (a receiver on the
 * same machine or network); never link-local (the cloud metadata service),
 * unspecified, multicast, broadcast or reserved. */
bool notify_addr_is_allowed(enum notify_addr_class c, bool allow_private);

#endif
