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

/*
 * Details of a failure for the one who sees it: which field was wrong and why,
 * or the shortfall of an insufficient balance. Filled by the function that
 * failed; strings are copied in (fixed size, truncated safely).
 */
struct err_detail {
    char field[64];
    char message[192];
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
/* Appends s as one CSV field (quoted when it holds a comma, quote or newline). */
enum err buf_csv_field(struct buf *b, const char *s) WUR;

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
/* Parses RFC 3339 with Z or ±hh:mm, or a plain date "2026-03-01" (midnight UTC). */
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

#endif
