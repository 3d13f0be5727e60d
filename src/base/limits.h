/*
 * Every hard limit of creditd in one place, each with the reason for its value.
 * A limit reached is an error (ERR_TOO_LARGE or ERR_VALIDATION), never a crash
 * and never silent truncation of money.
 */
#ifndef CREDITD_LIMITS_H
#define CREDITD_LIMITS_H

/* Largest amount of one credit type, in minor units, anywhere in creditd:
 * 10^15 leaves room to add ten thousand maximal amounts without int64 overflow,
 * and is far above any real balance (a quadrillion whole credits). */
#define AMOUNT_MAX_MINOR INT64_C(1000000000000000)

/* Decimal places a credit type may have: 6 keeps 10^15 minor units meaningful. */
#define CREDIT_SCALE_MAX 6

/* Lots of one customer and credit type, and so lots one order, deduction or
 * transfer may draw from: no count of their own. An operation loads the
 * account's live lots into its arena, about 550 bytes a lot with the plan's
 * scratch, plus the length of its name and notes (measured: a quote over
 * 10,000 lots with short names takes 5.4 MB), so one request's arena
 * (ARENA_REQUEST_BYTES_MAX) holds about 30,000. Past that the operation
 * fails whole with ERR_TOO_LARGE (413 too_large), never as a partial draw.
 * Its journal entry, a posting per lot drawn, grows in the same arena. */

/* Services on one order (a base tuning plus add-ons; a course booking). */
#define ORDER_SERVICES_MAX 32

/* Peak windows per lot rule (e.g. mornings and evenings of weekdays). */
#define PEAK_WINDOWS_MAX 8

/* Categories a restricted lot may list. */
#define LOT_CATEGORIES_MAX 16

/* Text fields: names, reasons, justifications, notes. */
#define NAME_BYTES_MAX          200
#define NOTE_BYTES_MAX          2000
#define JUSTIFICATION_BYTES_MAX 2000
#define CODE_BYTES_MAX          32

/* A billing address on invoices: a few lines of a postal address (street,
 * city, region, country), bounded so the address block stays an address. */
#define ADDRESS_BYTES_MAX 500
#define ADDRESS_LINES_MAX 6

/* Time zone transitions kept from a TZif file (Europe/Berlin has about 150). */
#define TZ_TRANSITIONS_MAX 512

/* Arena of one CLI command or one request: generous, but bounded. The
 * request arena also bounds the lots of one account (see above). */
#define ARENA_COMMAND_BYTES_MAX (256u * 1024u * 1024u)
#define ARENA_REQUEST_BYTES_MAX (16u * 1024u * 1024u)

/* One CSV line or one canonical journal entry. */
#define LINE_BYTES_MAX (64u * 1024u)

/* Default largest uploaded file (serve --upload-max-mb changes it): an ECU
 * read or a tuned file is 0.5 to 8 MiB, a full flash dump of a modern
 * gearbox controller up to about 16 MiB; 32 MiB admits all of them with room
 * and still keeps a full disk from being one request away. */
#define UPLOAD_BYTES_DEFAULT (32u * 1024u * 1024u)
/* The most the upload limit may be set to: files are streamed to disk, so
 * memory does not bound it; 1 GiB keeps one request from filling a disk. */
#define UPLOAD_BYTES_LIMIT_MAX (1024u * 1024u * 1024u)
/* Bytes a multipart body may carry beyond its file (boundaries, the part's
 * headers with a long file name): a declared Content-Length above the file
 * limit plus this is refused before a byte is read. */
#define UPLOAD_MULTIPART_OVERHEAD_BYTES (64u * 1024u)
/* A chunked upload (no Content-Length) that passes the limit is read on and
 * dropped for at most this many bytes more, so that the client, still
 * sending, gets its 413 (libmicrohttpd answers only once the body is in);
 * past that the connection is cut. */
#define UPLOAD_DISCARD_BYTES_MAX (16u * 1024u * 1024u)
/* A client's file name is metadata only, kept sanitized up to this many
 * bytes (on a UTF-8 boundary): long enough for any real name, short enough
 * for one header line. */
#define FILE_NAME_BYTES_MAX 200
/* Paths under the files directory (Linux PATH_MAX). */
#define FILE_PATH_BYTES_MAX 4096

/* serve --trusted-proxy ranges: a load balancer tier or two, each with
 * its IPv4 and IPv6 ranges, fit many times over. */
#define TRUSTED_PROXIES_MAX 32
/* X-Forwarded-For header lines looked at (the rightmost ones): proxies
 * append to the last line or add one each, and only the hops right of the
 * first untrusted one count. */
#define FORWARDED_LINES_MAX 16

/* Connections in the PostgreSQL pool and SQLite readers. */
#define STORE_READERS_MAX 16

/* Writes batched into one SQLite commit (group commit). */
#define STORE_BATCH_MAX 512

/* PostgreSQL group commit: lanes run their batches at once, each on its own
 * connection (8 keeps half the pool for reads and unkeyed writes); a batch
 * holds at most 48 jobs because each savepoint that writes takes a
 * subtransaction id, and past 64 in one transaction every other session's
 * snapshot has to look them up on disk (subxid cache overflow). */
#define STORE_PG_LANES     8
#define STORE_PG_BATCH_MAX 48
/* Deadlock / serialization retries of one PostgreSQL transaction. */
#define STORE_RETRIES_MAX 8

/* How long a request may wait for the database before it is answered 503
 * (with Retry-After): a pool connection (all busy), and, through libpq, one
 * host of the URL to connect (CONNECT_S) or a silent peer to answer (the TCP
 * user timeout). A primary that vanishes without a word (a cut cable) so
 * costs a request at most about STORE_PG_SILENT_MS; one that stopped or
 * refuses fails it at once. */
#define STORE_WAIT_MS_MAX  10000
#define STORE_PG_CONNECT_S "3"
#define STORE_PG_SILENT_MS "10000"
/* The Retry-After of a 503 answer, in seconds: a failover takes a few. */
#define HTTP_RETRY_AFTER_S "2"

/* One answer from a payment gateway: a Checkout session is a few KiB, so this
 * leaves room for fields Stripe adds later while a misbehaving endpoint cannot
 * make creditd buffer without bound. */
#define GATEWAY_RESPONSE_BYTES_MAX (64u * 1024u)

/* One request body to a payment gateway: the form of a Checkout session, whose
 * largest parts are two return URLs (Stripe caps each at 5000 characters). */
#define GATEWAY_REQUEST_BYTES_MAX (32u * 1024u)

/* One webhook body from a payment gateway: a checkout.session event is a few
 * KiB; the HTTP layer caps webhook uploads at this before parsing. */
#define GATEWAY_WEBHOOK_BYTES_MAX (256u * 1024u)

/* ---- notifications (src/notify) ---------------------------------------- */

/* An e-mail address: RFC 5321 caps a path at 256 octets with its angle
 * brackets, so 254 for the address, of which 64 for the local part. */
#define MAIL_ADDRESS_BYTES_MAX    254
#define MAIL_LOCAL_PART_BYTES_MAX 64
/* A display name ("Müller Tuning"): a tenant's name is NAME_BYTES_MAX. */
#define MAIL_NAME_BYTES_MAX NAME_BYTES_MAX
/* A subject: readers show about 80 characters; 400 bytes hold a long German
 * subject with umlauts and an emoji, still under ten folded header lines once
 * encoded (RFC 2047, base64: 4 characters per 3 bytes). */
#define MAIL_SUBJECT_BYTES_MAX 400
/* A URL in a header (List-Unsubscribe): a URL cannot be folded, and the whole
 * line must stay within RFC 5322's 998 characters. */
#define MAIL_URL_BYTES_MAX 900
/* Each body part (text, HTML): a notification is a few KiB, and Gmail clips
 * HTML past 102 KiB anyway. */
#define MAIL_BODY_BYTES_MAX (256u * 1024u)
/* One composed message: both parts at their maximum, quoted-printable (at
 * worst 3 characters a byte and a soft break every 25 bytes: 78 bytes of
 * output per 25 of input) and the headers fit, with room. */
#define MAIL_MESSAGE_BYTES_MAX (2u * 1024u * 1024u)

/* The SMTP relay's URL (CREDITD_SMTP_URL, user and password included) and a
 * CA file's path (CREDITD_SMTP_CA_FILE). */
#define SMTP_URL_BYTES_MAX  1024
#define SMTP_PATH_BYTES_MAX 4096
/* Longest wait for an SMTP relay: to connect, and for the whole message. A
 * relay slower than that holds a dispatcher thread and is treated as down
 * (a temporary failure: the message is tried again later). */
#define SMTP_CONNECT_TIMEOUT_MS_MAX 30000
#define SMTP_TIMEOUT_MS_MAX         120000

/* A webhook's URL and its signing secret (generated by creditd: 32 random
 * bytes are 64 hex digits, so 256 leaves room for an imported one). */
#define WEBHOOK_URL_BYTES_MAX    2048
#define WEBHOOK_SECRET_BYTES_MAX 256
/* A tenant's portal address for links in mails: a scheme, a host and a
 * path prefix, far below any browser's limit. */
#define PORTAL_URL_BYTES_MAX 200
/* An event's attrs: a few short values of the moment (an amount, a status,
 * a reason and a justification of at most NOTE_BYTES_MAX each). */
#define EVENT_ATTRS_BYTES_MAX (16u * 1024u)
/* One webhook body: an event is a few KiB of JSON. */
#define WEBHOOK_BODY_BYTES_MAX (256u * 1024u)
/* What is kept of a receiver's answer for the delivery log; the rest is not
 * read at all, so a receiver cannot make creditd download without bound. */
#define WEBHOOK_EXCERPT_BYTES 512
/* Longest wait for a receiver: it should acknowledge at once and work
 * later; a slower one holds a dispatcher thread. */
#define WEBHOOK_TIMEOUT_MS_MAX 30000
/* Addresses of one webhook host that are pinned (CURLOPT_RESOLVE) for the
 * connection: every address the host resolves to is checked, the first 16
 * are kept, which is more than any real endpoint publishes. */
#define WEBHOOK_ADDRESSES_MAX 16

/* The business's logo (issue 13): a mark for the sign-in page, the portal's
 * header and documents, not a photograph. 512 KiB holds a detailed SVG or a
 * 1000 px PNG many times over, and it is kept in the database row (as hex,
 * twice that) and read whole into a request's arena. */
#define BRAND_LOGO_BYTES_MAX (512u * 1024u)
/* Width and height of a PNG or JPEG logo: more is a print file, not a logo. */
#define BRAND_LOGO_SIDE_MAX 4096
/* The name the portal shows (the tenant's name is NAME_BYTES_MAX too). */
#define BRAND_NAME_BYTES_MAX NAME_BYTES_MAX
/* White text on the accent colour must reach WCAG AA for normal text,
 * 4.5:1, in hundredths; the same colour on a white page then reaches it too
 * (the ratio is symmetric), so links in the accent colour are readable. */
#define BRAND_CONTRAST_MIN_X100 450

/* Business documents (src/doc). Lines on one invoice or credit note: a
 * purchase has one, a hand-made invoice a few; a thousand is some twenty
 * pages and bounds the time one rendering takes. */
#define DOC_LINES_MAX 1000
/* One rendered PDF: the fonts' subsets take some 40 KiB, a page of lines a
 * few KiB more, the logo as much as it is. 1 MiB is far above a real
 * document, and as base64 (4/3) it leaves room in MAIL_MESSAGE_BYTES_MAX for
 * the mail's own parts. */
#define DOC_PDF_BYTES_MAX (1024u * 1024u)
/* A logo on a document: a print-quality PNG or JPEG of a few hundred KiB. */
#define DOC_LOGO_BYTES_MAX (512u * 1024u)
/* The arena of one rendering: the texts of every line formatted once. */
#define DOC_ARENA_BYTES_MAX (4u * 1024u * 1024u)

#endif
