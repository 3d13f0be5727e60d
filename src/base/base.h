/*
 * base: the building blocks every layer may use: the error table, assertions,
 * arenas and buffers with hard limits, logging, time formatting, time zones,
 * hashing and random bytes. Nothing here knows about credits or ledgers, and
 * nothing here talks to a database or the network.
 */
#ifndef CREDITD_BASE_H
#define CREDITD_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"

/* ---- errors ------------------------------------------------------------ */

/* name, HTTP status, stable code. The only list of failures in creditd. */
#define ERR_TABLE(X)                                                                               \
    X(ERR_OK, 200, "ok")                                                                           \
    X(ERR_VALIDATION, 422, "validation_failed")                                                    \
    X(ERR_NOT_FOUND, 404, "not_found")                                                             \
    X(ERR_CONFLICT, 409, "conflict")                                                               \
    X(ERR_INSUFFICIENT_CREDITS, 409, "insufficient_credits")                                       \
    X(ERR_CREDITS_DISABLED, 409, "credits_disabled")                                               \
    X(ERR_MEMBER_LIMIT_EXCEEDED, 403, "member_limit_exceeded")                                     \
    X(ERR_LOT_STATE, 409, "invalid_lot_state")                                                     \
    X(ERR_ORDER_STATE, 409, "invalid_order_state")                                                 \
    X(ERR_LOT_EXPIRED, 409, "lot_expired")                                                         \
    X(ERR_DUPLICATE, 409, "already_exists")                                                        \
    X(ERR_FORBIDDEN, 403, "forbidden")                                                             \
    X(ERR_UNAUTHENTICATED, 401, "unauthenticated")                                                 \
    X(ERR_IDEMPOTENCY_CONFLICT, 409, "idempotency_conflict")                                       \
    X(ERR_OVERFLOW, 422, "amount_out_of_range")                                                    \
    X(ERR_METHOD_NOT_ALLOWED, 405, "method_not_allowed")                                           \
    X(ERR_TOO_LARGE, 413, "too_large")                                                             \
    X(ERR_UNSUPPORTED_MEDIA, 415, "unsupported_media_type")                                        \
    X(ERR_THROTTLED, 429, "too_many_requests")                                                     \
    X(ERR_DUPLICATE_FILE, 409, "duplicate_file")                                                   \
    X(ERR_FILE_PURGED, 410, "file_purged")                                                         \
    X(ERR_ORDER_OPEN, 409, "order_open")                                                           \
    X(ERR_INVOICE_STATE, 409, "invalid_invoice_state")                                             \
    X(ERR_SIGNATURE_INVALID, 400, "signature_invalid")                                             \
    X(ERR_GATEWAY_UNAVAILABLE, 502, "gateway_unavailable")                                         \
    X(ERR_GATEWAY_NOT_CONFIGURED, 409, "gateway_not_configured")                                   \
    X(ERR_MAIL_NOT_CONFIGURED, 409, "mail_not_configured")                                         \
    X(ERR_DELIVERY_REJECTED, 502, "delivery_rejected")                                             \
    X(ERR_DELIVERY_UNAVAILABLE, 503, "delivery_unavailable")                                       \
    X(ERR_INSUFFICIENT_STORAGE, 507, "insufficient_storage")                                       \
    X(ERR_STORAGE_UNAVAILABLE, 503, "storage_unavailable")                                         \
    X(ERR_STORE_BUSY, 503, "store_busy")                                                           \
    X(ERR_STORE, 500, "store_failed")                                                              \
    X(ERR_SCHEMA, 500, "schema_mismatch")                                                          \
    X(ERR_IO, 500, "io_failed")                                                                    \
    X(ERR_USAGE, 400, "usage")                                                                     \
    X(ERR_TOKEN_INVALID, 400, "invalid_token")                                                     \
    X(ERR_TOTP_REQUIRED, 401, "totp_required")                                                     \
    X(ERR_TOTP_ENROLMENT_REQUIRED, 403, "totp_enrolment_required")                                 \
    X(ERR_EMAIL_UNVERIFIED, 403, "email_unverified")                                               \
    X(ERR_CUSTOMER_PENDING, 403, "customer_not_approved")                                          \
    X(ERR_REGISTRATION_CLOSED, 403, "registration_closed")                                         \
    X(ERR_INTERNAL, 500, "internal")

enum err {
#define X(name, status, code) name,
    ERR_TABLE(X)
#undef X
        ERR__COUNT
};

/* The stable machine code of an error ("insufficient_credits"). */
const char *err_code(enum err e);
/* The HTTP status that goes with an error. */
int err_http_status(enum err e);

/* The arguments a message keeps for saying it again, and their size each. */
enum { ERR_ARGS_MAX = 6, ERR_ARG_BYTES = 64 };

/*
 * A message as it was made, so that it can be said again in another language
 * after the fact (err_set often runs on the writer thread, for a batch of
 * requests): its printf format, a string literal that outlives it, and each
 * argument written out on its own by its own conversion ("%-6.2f" of 1.5 is
 * "1.50  "). A translation is a template with holes {1} {2} … for those
 * arguments in order, found in the catalogues under "errors.<id>", where id
 * is err_format_id of the English format (scripts/errors_catalogue.py).
 */
struct err_text {
    const char *fmt; /* NULL: nothing kept; the English message is all there is */
    int argc;
    char args[ERR_ARGS_MAX][ERR_ARG_BYTES]; /* cut at a UTF-8 boundary */
};

/*
 * Details of a failure for the one who sees it: which field was wrong and why,
 * or the shortfall of an insufficient balance. Filled by the function that
 * failed; strings are copied in (fixed size, truncated safely).
 */
struct err_detail {
    char field[64];
    char message[192];       /* in English */
    struct err_text text;    /* the message's format and arguments, to translate it */
    int64_t shortfall_minor; /* ERR_INSUFFICIENT_CREDITS: credits missing */
    int64_t available_minor; /* ERR_INSUFFICIENT_CREDITS: credits usable */
    int64_t requested_minor; /* ERR_INSUFFICIENT_CREDITS: credits asked for */
    int scale;               /* ERR_INSUFFICIENT_CREDITS: decimals of those amounts */
    char reference[40];      /* ERR_DUPLICATE_FILE: the order it duplicates */
};

/* Sets field and a printf-formatted message; returns e so callers can
 * `return err_set(d, ERR_VALIDATION, "amount", "must be positive")`. */
enum err err_set(struct err_detail *d, enum err e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Keeps fmt (a string literal: borrowed for good) and each argument of ap
 * formatted on its own in t. A conversion err.c does not know (%n, %ls) or
 * more than ERR_ARGS_MAX of them keep nothing: t->fmt is NULL. Consumes ap. */
void err_text_capture(struct err_text *t, const char *fmt, va_list ap);
/* The text of template with each hole {k} (1 ≤ k ≤ t->argc) filled by
 * argument k, other braces as they are, into out (always terminated, cut at
 * a UTF-8 boundary). Never a printf: the template may be any text. */
void err_text_render(const struct err_text *t, const char *template, char *out, size_t n);
/* The message in lang: english when lang is English, nothing was kept or the
 * catalogue has no translation; else the translation rendered into out. */
const char *err_text_in(const struct err_text *t, const char *lang, const char *english, char *out,
                        size_t n);
/* Bytes of an id (12 hex digits and the NUL). */
#define ERR_FORMAT_ID_BYTES 13
/* The catalogue id of a format: the first 12 hex digits of its FNV-1a 64. */
void err_format_id(const char *fmt, char out[ERR_FORMAT_ID_BYTES]);
/* The English template of a format ("at most %zu bytes" → "at most {1}
 * bytes", "%%" → "%"), the conversions counted in *holes; false when a
 * conversion is not one err_text_capture keeps, or out is too small. */
bool err_format_template(const char *fmt, char *out, size_t n, int *holes);

#define WUR __attribute__((warn_unused_result))

/* ---- assertions -------------------------------------------------------- */

/* Always on: a failed assertion is a programmer error and aborts. */
#define ASSERT(x)                                                                                  \
    do {                                                                                           \
        if (!(x))                                                                                  \
            base_assert_fail(__FILE__, __LINE__, #x);                                              \
    } while (0)

_Noreturn void base_assert_fail(const char *file, int line, const char *expr);

/* ---- arena ------------------------------------------------------------- */

/*
 * A bump allocator with a hard maximum. Memory is released all at once by
 * arena_release; nothing is freed piecemeal. Allocation past the maximum
 * returns NULL (callers turn that into ERR_TOO_LARGE) and sets `refused`,
 * which stays set until the arena is released, for code that copies many
 * small things (the store's row readers) and checks once at the end.
 */
struct arena_block;
struct arena {
    struct arena_block *head;  /* small allocations come from here */
    struct arena_block *large; /* allocations larger than a block, one each */
    size_t used_bytes;
    size_t max_bytes;
    bool refused;
};

void arena_init(struct arena *a, size_t max_bytes);
void arena_release(struct arena *a);
/* Zeroed memory aligned for any type, or NULL past the limit. */
void *arena_alloc(struct arena *a, size_t size);
/* A copy of s (NULL stays NULL) or NULL past the limit. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- growable buffer --------------------------------------------------- */

/* A heap buffer that refuses to grow past max_bytes (ERR_TOO_LARGE). */
struct buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max_bytes;
};

void buf_init(struct buf *b, size_t max_bytes);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
enum err buf_append(struct buf *b, const void *data, size_t n) WUR;
enum err buf_puts(struct buf *b, const char *s) WUR;
enum err buf_printf(struct buf *b, const char *fmt, ...) WUR __attribute__((format(printf, 2, 3)));
/* Appends s as one CSV field (quoted when it holds a comma, quote or newline).
 * For numbers, ids and names the program makes; text a person typed goes
 * through buf_csv_text. */
enum err buf_csv_field(struct buf *b, const char *s) WUR;
/* Appends s as one CSV text cell: like buf_csv_field, but a cell that starts
 * with '=', '+', '-', '@', a tab or a carriage return gets a leading "'" so a
 * spreadsheet shows it as text instead of running it as a formula (OWASP "CSV
 * injection"). Never for amounts: "-5" must stay a number. NULL appends
 * nothing. Returns ERR_TOO_LARGE when b is full. */
enum err buf_csv_text(struct buf *b, const char *s) WUR;

/* ---- ISO code lists (iso.c) -------------------------------------------- */

/* True for an ISO 4217 currency in use ("EUR"; not funds, metals or test
 * codes) / an ISO 3166-1 alpha-2 country ("DE"), upper case. NULL is false. */
bool iso_currency_is_known(const char *code);
bool iso_country_is_known(const char *code);

/* ---- logging ----------------------------------------------------------- */

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- numbers and strings ----------------------------------------------- */

/* Parses a whole decimal int64 (optional '-'), no trailing junk. */
bool parse_int64(const char *s, int64_t *out);
/* snprintf that reports truncation as false. */
bool str_format(char *dst, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Copies at most n-1 bytes and terminates; false when truncated. */
bool str_copy(char *dst, size_t n, const char *src);

/* ---- languages --------------------------------------------------------- */

/*
 * The words of everything creditd writes for people (portal, mails,
 * documents) come from message catalogues, i18n/<lang>/<area>.json, embedded
 * at build time: flat objects of "<area>.<name>": "text with {holes}", the
 * same keys in every language (English is the reference). Plurals are two
 * keys, "<key>_one" and "<key>_other" (as i18next names them).
 */
#define I18N_LANGS_MAX 2
/* The languages with a catalogue, English first. */
extern const char *const i18n_langs[I18N_LANGS_MAX];
/* The catalogue language of a locale or language ("de-AT" → "de"; unknown,
 * empty or NULL → "en"). */
const char *i18n_lang(const char *locale);
/* True when locale names a language with a catalogue ("", NULL: false). */
bool i18n_lang_known(const char *locale);
/* The text of key in lang: else the English one, else the key itself. */
const char *i18n_text(const char *lang, const char *key);
/* The text of key in lang itself, or NULL (no falling back). */
const char *i18n_lookup(const char *lang, const char *key);
/* The catalogue language an Accept-Language header asks for: the known
 * language of the highest q (ties: the first), "de-AT;q=0.9" counting as
 * "de"; "en" when the header is NULL, says nothing known, or is garbage. */
const char *i18n_accept_language(const char *header);
/* The text of key with its holes filled from NULL-terminated name, value
 * pairs ("{count}" → "3"); holes without a value stay as they are. NULL
 * past the arena's limit. */
const char *i18n_format(struct arena *a, const char *lang, const char *key, ...)
    __attribute__((sentinel));
/* key_one or key_other for n (both languages: one for exactly 1), with
 * "{count}" filled by n and further NULL-terminated pairs. */
const char *i18n_plural(struct arena *a, const char *lang, const char *key, int64_t n, ...)
    __attribute__((sentinel));
/* A decimal amount ("-1234.5") with the language's separators: "-1,234.5"
 * (en), "-1.234,5" (de); text that is no decimal comes back as it is. */
const char *i18n_number(struct arena *a, const char *lang, const char *amount);
/* An amount of money: "€1,234.50" / "1.234,50 €" (symbols for EUR, USD,
 * GBP; other currencies by their code: "CHF 1,234.50" / "1.234,50 CHF"). */
const char *i18n_money(struct arena *a, const char *lang, const char *amount, const char *currency);
/* A calendar day "YYYY-MM-DD" (a longer RFC 3339 time is cut to its day) as
 * "4 Dec 2026" (en) or "04.12.2026" (de); other text comes back as it is. */
const char *i18n_date(struct arena *a, const char *lang, const char *day);
/* The whole catalogue of lang as one JSON object (for the portal), made
 * once, with a quoted ETag; false when lang has none. */
bool i18n_catalogue_json(const char *lang, const char **json, size_t *len, const char **etag);

/* ---- file names -------------------------------------------------------- */

/*
 * A client's file name made safe to store and to send back in a header:
 * only the last path component (after '/' or '\'), without control
 * characters (C0, DEL, C1, bidirectional overrides), quotes and ';', each
 * byte of invalid UTF-8 replaced by '_', cut to FILE_NAME_BYTES_MAX bytes on
 * a character boundary; empty, "." and ".." become "file". in may be NULL.
 * Returns the length written to out.
 */
size_t filename_sanitize(const char *in, char out[FILE_NAME_BYTES_MAX + 1]);
/* The sanitized name for a quoted header parameter: every non-ASCII
 * character becomes one '_'. out holds FILE_NAME_BYTES_MAX + 1. */
void filename_ascii(const char *name, char out[FILE_NAME_BYTES_MAX + 1]);
/* RFC 8187 percent-encoding of name (UTF-8) for filename*=UTF-8''…; false
 * when out (3 bytes per input byte + 1 suffice) is too small. */
bool filename_percent_encode(const char *name, char *out, size_t n);

/* ---- identifiers ------------------------------------------------------- */

/* Ids leave creditd as opaque strings "<prefix>_<number>" ("cus_12"). */
#define ID_TEXT_BYTES 32
void id_format(char *dst, size_t n, const char *prefix, int64_t id);
/* Parses "<prefix>_<number>" (a bare positive number is accepted too). */
bool id_parse(const char *s, const char *prefix, int64_t *out);

/* ---- time -------------------------------------------------------------- */

/* Microseconds since the Unix epoch, UTC. All instants in creditd are these. */
#define USEC_PER_SEC  INT64_C(1000000)
#define USEC_PER_MIN  (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MIN)
#define USEC_PER_DAY  (24 * USEC_PER_HOUR)

/* The wall clock (the real one; tests inject their own in the service). */
int64_t time_now_us(void);
/* RFC 3339 "2026-03-01T00:00:00Z" (fraction only when non-zero); n >= 32. */
void time_format_rfc3339(int64_t t_us, char *dst, size_t n);
/* Parses RFC 3339 with Z or ±hh:mm, or a plain date "2026-03-01" (midnight UTC),
 * for instants from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z. */
bool time_parse_rfc3339(const char *s, int64_t *out_us);
/* Days since 1970-01-01 for a civil date, and back (proleptic Gregorian). */
int64_t time_days_from_civil(int64_t y, unsigned m, unsigned d);
void time_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/*
 * A time zone loaded from a TZif file; lookups are pure. Debian ships "fat"
 * TZif files whose tables run to 2037; past the last transition the last
 * offset stays in force (the POSIX footer rule is not interpreted).
 */
struct tz {
    char name[64];
    int32_t count;
    int64_t transition_s[TZ_TRANSITIONS_MAX];
    int32_t offset_s[TZ_TRANSITIONS_MAX]; /* offset in force from transition i */
    int32_t initial_offset_s;
};

/* Loads zone `name` ("UTC", "Europe/Berlin") from the system zoneinfo.
 * ERR_NOT_FOUND for an unknown zone, ERR_VALIDATION for a bad name. */
enum err tz_load(struct tz *tz, const char *name) WUR;
/* Offset from UTC in seconds in force at instant t_us. */
int32_t tz_offset_s(const struct tz *tz, int64_t t_us);

/* Local calendar facts of an instant in a zone. */
struct local_time {
    int64_t year;
    unsigned month, day;
    unsigned weekday; /* 0 = Monday … 6 = Sunday */
    unsigned minute_of_day;
    int64_t day_start_us; /* the UTC instant of local midnight of that day */
};
void tz_local_time(const struct tz *tz, int64_t t_us, struct local_time *out);
/* The UTC instant of local midnight on the first day of the month of t_us. */
int64_t tz_month_start_us(const struct tz *tz, int64_t t_us);
/* The UTC instant of local midnight on civil date y-m-d. */
int64_t tz_midnight_us(const struct tz *tz, int64_t y, unsigned m, unsigned d);

/* ---- network addresses (net.c) ---------------------------------------- */

/*
 * An IPv4 or IPv6 address as bytes: family 4 uses bytes[0..3], family 6 all
 * 16; family 0 is "unknown". An IPv4-mapped IPv6 address (::ffff:a.b.c.d)
 * is kept as the IPv4 address, so one client has one form. Pure functions
 * over text: nothing here resolves a name or opens a socket.
 */
struct net_addr {
    uint8_t family; /* 0, 4 or 6 */
    uint8_t bytes[16];
};
/* A range: the address with every bit past prefix_bits zero. */
struct net_cidr {
    struct net_addr addr;
    uint8_t prefix_bits; /* 0..32 or 0..128 */
};
/* The longest text of an address with a prefix: IPv6 (45) + "/128" + NUL. */
#define NET_ADDR_TEXT 52

struct sockaddr;
/* Exactly n bytes of text as an address: dotted-quad IPv4 or IPv6 text, no
 * brackets, port, zone or surrounding space. */
bool net_addr_parse(const char *text, size_t n, struct net_addr *out) WUR;
/* The address of an AF_INET or AF_INET6 socket address (family 0, false,
 * for NULL or any other). */
bool net_addr_from_sockaddr(const struct sockaddr *sa, struct net_addr *out);
/* Canonical text ("203.0.113.5", "2001:db8::1", "unknown" for family 0);
 * false when n is too small (NET_ADDR_TEXT always suffices). */
bool net_addr_format(const struct net_addr *a, char *dst, size_t n);
/* The address with every bit past prefix_bits set to zero. */
void net_addr_mask(struct net_addr *a, unsigned prefix_bits);
/* "10.0.0.0/8", "2001:db8::/32" or a bare address (/32, /128). False, with
 * why in d (field "trusted-proxy"), for anything else: a bad address or
 * prefix, a prefix past the family's bits, or bits set past the prefix. */
bool net_cidr_parse(const char *text, struct net_cidr *out, struct err_detail *d) WUR;
/* Whether a is inside c (never across families; false for family 0). */
bool net_cidr_contains(const struct net_cidr *c, const struct net_addr *a);
bool net_addr_in_any(const struct net_cidr *ranges, size_t n, const struct net_addr *a);
/*
 * The client of a request that came from peer, given its X-Forwarded-For
 * header lines in the order received (n_lines may be 0). Only when peer is
 * inside a trusted range are the lines read, from the right: each hop inside
 * a trusted range is skipped and the first one outside is the client; when
 * every hop is trusted, the leftmost is. An entry that is not an address
 * (empty, "unknown", garbage, too long) stops the walk and the last trusted
 * hop (peer or an entry to its right) is the client: garbage is never
 * believed, and whatever a client writes left of its own address is never
 * read. Entries may be "a.b.c.d", "a.b.c.d:port", IPv6 text, "[v6]" or
 * "[v6]:port", with spaces or tabs around them.
 */
void net_forwarded_client(const struct net_addr *peer, const char *const *lines, size_t n_lines,
                          const struct net_cidr *trusted, size_t n_trusted, struct net_addr *out);

/* ---- crypto ------------------------------------------------------------ */

#define SHA256_BYTES 32
#define SHA256_HEX   65 /* 64 hex digits and the terminator */

enum err crypto_init(void) WUR;
void sha256(const void *data, size_t n, uint8_t out[SHA256_BYTES]);
/* Incremental SHA-256 over several pieces. */
struct sha256_state {
    _Alignas(64) uint8_t opaque[128];
};
void sha256_begin(struct sha256_state *s);
void sha256_update(struct sha256_state *s, const void *data, size_t n);
void sha256_end(struct sha256_state *s, uint8_t out[SHA256_BYTES]);
void hex_encode(const uint8_t *data, size_t n, char *dst); /* dst holds 2n+1 */
/* Decodes exactly 64 lower-case hex digits; false (out undefined) otherwise. */
bool sha256_hex_decode(const char *hex, uint8_t out[SHA256_BYTES]) WUR;
void random_bytes(void *dst, size_t n);
/* A random token of n bytes, hex encoded into dst (2n+1). */
void random_hex(char *dst, size_t n_bytes);
/* argon2id password hashing (libsodium string format). */
enum err password_hash(const char *password, char *out, size_t out_len) WUR;
bool password_verify(const char *hash, const char *password);
#define PASSWORD_HASH_BYTES 128

/* ---- two-factor codes (totp.c) ----------------------------------------- */

/* RFC 6238 with the parameters every authenticator app assumes: HMAC-SHA1,
 * 6 digits, 30-second steps counted from the Unix epoch. */
#define TOTP_SECRET_BYTES 20
#define TOTP_SECRET_TEXT  33 /* base32 of 20 bytes (32 letters, no padding) and the terminator */
#define TOTP_DIGITS       6
#define TOTP_STEP_S       30
/* Steps either side of now whose codes are taken: a phone's clock may be off
 * by half a minute, and a code typed at the end of its step arrives in the next. */
#define TOTP_WINDOW_STEPS 1

/* A new random secret, base32 (RFC 4648, upper case, unpadded). */
void totp_secret_new(char out[TOTP_SECRET_TEXT]);
/* The code of a base32 secret for time step step; false when the secret is
 * not base32. */
bool totp_code(const char *secret, int64_t step, char out[TOTP_DIGITS + 1]) WUR;
/* The time step of unix time now_s. */
int64_t totp_step(int64_t now_s);
/*
 * Checks a code typed for a secret at unix time now_s: the code of one of the
 * steps within TOTP_WINDOW_STEPS of now's, later than after_step (a step
 * accepted once is refused after: no replay). *step receives the step that
 * matched, the earliest when several do. ERR_UNAUTHENTICATED for a wrong,
 * used or malformed code; ERR_VALIDATION when secret is not base32.
 */
enum err totp_check(const char *secret, const char *code, int64_t now_s, int64_t after_step,
                    int64_t *step) WUR;

#endif
