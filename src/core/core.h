/*
 * core: the ledger rules of creditd as plain functions over plain structs.
 *
 * Amounts, lot validity and state changes, allocation of an order over a
 * customer's lots (restrictions, expiry order, peak multipliers), refund
 * targets, and the journal entry's balance and hash. Nothing here does I/O,
 * reads a clock or allocates: the caller passes "now" and the memory, and gets
 * a decision back that the service layer applies. Strings in these structs are
 * borrowed from the caller.
 */
#ifndef CREDITD_CORE_H
#define CREDITD_CORE_H

#include "base/base.h"

/* ---- amounts ----------------------------------------------------------- */

/* Text of an amount: sign, 16 digits, point, terminator, with room to spare. */
#define AMOUNT_TEXT_BYTES 32

/*
 * Parses a decimal string with at most `scale` decimals ("12.5" with scale 2
 * is 1250 minor units). A sign is accepted; callers that need a positive
 * amount check it. ERR_VALIDATION for a malformed string or too many decimals,
 * ERR_OVERFLOW beyond ±AMOUNT_MAX_MINOR.
 */
enum err amount_parse(const char *s, int scale, int64_t *out_minor) WUR;
/* Writes minor units as text with exactly `scale` decimals ("-2", "12.50"). */
void amount_format(int64_t minor, int scale, char *dst, size_t n);
/* a + b, ERR_OVERFLOW when the result leaves ±AMOUNT_MAX_MINOR. */
enum err amount_add(int64_t a, int64_t b, int64_t *out) WUR;
/* ceil(a * permille / 1000) for a >= 0; ERR_OVERFLOW past AMOUNT_MAX_MINOR. */
enum err amount_scale_up(int64_t a, int32_t permille, int64_t *out) WUR;

/* ---- credit types ------------------------------------------------------ */

enum credit_kind { CREDIT_UNIT, CREDIT_MONETARY };

/* A code is 1..CODE_BYTES_MAX-1 of [a-z0-9_], starting with a letter. */
bool code_is_valid(const char *code);

/* ---- lots -------------------------------------------------------------- */

enum lot_status { LOT_ACTIVE, LOT_PAUSED, LOT_DEACTIVATED, LOT_EXPIRED, LOT_EXHAUSTED };
enum lot_source {
    SOURCE_PAYMENT,
    SOURCE_MANUAL,
    SOURCE_GOODWILL,
    SOURCE_PROMOTION,
    SOURCE_GIFT,
    SOURCE_REFUND,
    SOURCE_TRANSFER
};

const char *lot_status_name(enum lot_status s);
bool lot_status_parse(const char *s, enum lot_status *out);
const char *lot_source_name(enum lot_source s);
bool lot_source_parse(const char *s, enum lot_source *out);

/* Days of the week as bits, Monday = bit 0 … Sunday = bit 6. */
#define PEAK_WEEKDAYS (0x1f)
#define PEAK_ALL_DAYS (0x7f)

/* A local-time window [start_minute, end_minute) on the days in days_mask. */
struct peak_window {
    uint8_t days_mask;
    uint16_t start_minute;
    uint16_t end_minute;
};

/* Credits drawn in a window cost multiplier_permille / 1000 times as much. */
struct peak_rule {
    int32_t multiplier_permille; /* 1000 = no peak pricing */
    uint32_t count;
    struct peak_window windows[PEAK_WINDOWS_MAX];
};

/* Parses "1.5x Mon-Fri 07:00-09:00, Mon-Fri 17:00-20:00" style text; an empty
 * string is "no rule". Canonical text comes back from peak_rule_format. */
enum err peak_rule_parse(const char *s, struct peak_rule *out, struct err_detail *d) WUR;
/* Text of a rule with PEAK_WINDOWS_MAX windows: "10x " and 8 × ", Mon-Wed+Fri-Sun 00:00-24:00". */
#define PEAK_TEXT_BYTES 320
void peak_rule_format(const struct peak_rule *r, char *dst, size_t n); /* n >= PEAK_TEXT_BYTES */
/* The multiplier in force at a local weekday (0 = Monday) and minute. */
int32_t peak_rule_multiplier(const struct peak_rule *r, unsigned weekday, unsigned minute);

struct lot {
    int64_t id;
    int64_t customer_id;
    int64_t credit_type_id;
    int64_t original_minor;
    int64_t remaining_minor;
    int64_t deactivated_minor; /* credits taken out by deactivation, returned by reactivation */
    enum lot_status status;
    enum lot_source source;
    int64_t created_at_us;
    int64_t starts_at_us; /* 0 while a first-use lot has not started */
    bool start_on_first_use;
    int64_t expires_at_us;           /* 0 = never */
    int32_t expiry_days_after_start; /* first-use lots: expiry fixed when they start */
    int64_t paused_at_us;            /* while paused */
    const char *categories;          /* comma separated, "" = any category */
    const char *provider;            /* "" = any provider */
    struct peak_rule peak;
};

/* How long a lot is valid, as chosen for a package or a manual lot. */
enum start_rule { START_IMMEDIATE, START_FIXED, START_FIRST_USE };
enum expiry_rule { EXPIRY_NEVER, EXPIRY_FIXED, EXPIRY_DAYS_FROM_PURCHASE, EXPIRY_DAYS_FROM_START };

struct validity {
    enum start_rule start;
    int64_t start_at_us; /* START_FIXED */
    enum expiry_rule expiry;
    int64_t expires_at_us; /* EXPIRY_FIXED */
    int32_t expiry_days;   /* EXPIRY_DAYS_FROM_* */
};

const char *start_rule_name(enum start_rule r);
bool start_rule_parse(const char *s, enum start_rule *out);
const char *expiry_rule_name(enum expiry_rule r);
bool expiry_rule_parse(const char *s, enum expiry_rule *out);

/*
 * Checks a validity rule and fills the lot's start and expiry fields for a lot
 * created at now_us. ERR_VALIDATION (field in d) for a rule that cannot hold:
 * a fixed expiry not after the start or already past, days out of range.
 */
enum err validity_apply(const struct validity *v, int64_t now_us, struct lot *lot,
                        struct err_detail *d) WUR;

/* True when the lot counts in the customer's balance at now_us: active or
 * paused (paused lots never expire), or exhausted, and not past expiry. */
bool lot_is_in_balance(const struct lot *l, int64_t now_us);
/* True when the lot is past its expiry at now_us (a paused lot never is). */
bool lot_is_past_expiry(const struct lot *l, int64_t now_us);
/* True when the lot may be drawn from at now_us (ignoring restrictions). */
bool lot_is_usable(const struct lot *l, int64_t now_us);
/* True when the lot carries a category or provider restriction. */
bool lot_is_restricted(const struct lot *l);

/* One service of an order, as allocation sees it. */
struct order_service {
    int64_t service_id;
    const char *category;
    const char *provider;
    int64_t cost_minor;
};

/* True when the lot's restrictions admit every service of the order. */
bool lot_admits(const struct lot *l, const struct order_service *services, size_t n);

/* Lot state changes: each checks the lot's state and returns ERR_LOT_STATE
 * (or ERR_LOT_EXPIRED, ERR_VALIDATION) without touching the lot when refused. */
enum err lot_pause(struct lot *l, int64_t now_us) WUR;
enum err lot_resume(struct lot *l, int64_t now_us) WUR;
enum err lot_extend(struct lot *l, int64_t new_expires_at_us, int64_t now_us) WUR;
/* Moves the remaining credits out; *moved_minor is how many. */
enum err lot_deactivate(struct lot *l, int64_t now_us, int64_t *moved_minor) WUR;
/* Brings deactivated credits back unless the lot has expired. */
enum err lot_reactivate(struct lot *l, int64_t now_us, int64_t *moved_minor) WUR;
/* Marks a lot expired; *moved_minor is the remaining that leaves the balance. */
enum err lot_expire(struct lot *l, int64_t now_us, int64_t *moved_minor) WUR;
/* A first-use lot starts at its first booking, which fixes a start-relative expiry. */
void lot_start_on_use(struct lot *l, int64_t now_us);
/* Takes amount from the lot (ERR_INSUFFICIENT_CREDITS past remaining). */
enum err lot_draw(struct lot *l, int64_t amount_minor) WUR;
/* Puts a refunded amount back; false when the lot can no longer take it
 * (expired, deactivated, past expiry): the caller creates a refund lot. */
bool lot_can_take_refund(const struct lot *l, int64_t now_us);
void lot_take_refund(struct lot *l, int64_t amount_minor);

/* ---- allocation -------------------------------------------------------- */

struct alloc_request {
    int64_t amount_minor; /* the order's total before peak pricing */
    const struct order_service *services;
    size_t n_services;
    int64_t now_us;
    unsigned local_weekday; /* booking time in the tenant's zone */
    unsigned local_minute;
};

struct alloc_draw {
    size_t lot_index;    /* index into the caller's lot array */
    int64_t base_minor;  /* order credits this draw covers */
    int64_t drawn_minor; /* credits taken from the lot (base × multiplier, rounded up) */
    int32_t multiplier_permille;
};

/*
 * A plan over up to lots_max lots, in memory the caller lends (the core
 * allocates nothing): order[] is scratch for sorting lot indexes, draws[]
 * receives the draws, at most one per lot. alloc_plan_init lends it.
 */
struct alloc_plan {
    size_t *order;            /* caller's scratch, lots_max entries */
    struct alloc_draw *draws; /* caller's memory, lots_max entries */
    size_t lots_max;
    size_t count;
    int64_t base_minor;      /* = request amount when the plan succeeds */
    int64_t total_minor;     /* credits drawn over all lots */
    int64_t available_minor; /* order credits the usable lots could cover */
    int64_t shortfall_minor; /* order credits missing (0 on success) */
};

/* Lends order[lots_max] and draws[lots_max] to the plan p; borrows both. */
void alloc_plan_init(struct alloc_plan *p, size_t *order, struct alloc_draw *draws,
                     size_t lots_max);

/*
 * Plans an order over lots[0..n), n <= out->lots_max: usable lots whose
 * restrictions admit every service, restricted before unrestricted, then
 * earliest expiry (never last; a first-use lot counts with the expiry this
 * booking would give it), then oldest, then lowest id. Peak multipliers apply
 * per lot. Lots are taken in that order only until the amount is covered, so
 * an order over thousands of lots costs O(n + k log n) for k draws. On
 * ERR_INSUFFICIENT_CREDITS the plan still holds available and shortfall (and
 * the draws of every usable lot). ERR_OVERFLOW when the lots together hold
 * more than AMOUNT_MAX_MINOR (an account never does).
 */
enum err alloc_plan_make(const struct lot *lots, size_t n, const struct alloc_request *req,
                         struct alloc_plan *out) WUR;

/* ---- journal ----------------------------------------------------------- */

enum journal_kind {
    JOURNAL_PURCHASE,
    JOURNAL_GRANT,
    JOURNAL_ORDER,
    JOURNAL_REFUND,
    JOURNAL_ADJUSTMENT,
    JOURNAL_EXPIRY,
    JOURNAL_DEACTIVATION,
    JOURNAL_REACTIVATION,
    JOURNAL_TRANSFER,
    JOURNAL_HOLD,
    JOURNAL_CAPTURE,
    JOURNAL_RELEASE,
    JOURNAL__COUNT
};

/* Lot postings belong to the customer; the others are the tenant's system
 * accounts for the credit type. */
enum account_kind {
    ACCOUNT_LOT,
    ACCOUNT_ISSUED,
    ACCOUNT_CONSUMED,
    ACCOUNT_EXPIRED,
    ACCOUNT_DEACTIVATED,
    ACCOUNT_HELD,
    ACCOUNT__COUNT
};

const char *journal_kind_name(enum journal_kind k);
bool journal_kind_parse(const char *s, enum journal_kind *out);
const char *account_kind_name(enum account_kind k);
bool account_kind_parse(const char *s, enum account_kind *out);

struct posting {
    enum account_kind account;
    int64_t lot_id; /* ACCOUNT_LOT only */
    int64_t amount_minor;
};

enum { JOURNAL_CHAIN_TENANT = 1, JOURNAL_CHAIN_ACCOUNT = 2 };

struct journal_entry {
    int64_t id;
    int64_t tenant_id;
    /* Which chain the entry is on: JOURNAL_CHAIN_TENANT (entries written before
     * schema 6: seq is the position in the tenant's chain) or
     * JOURNAL_CHAIN_ACCOUNT (seq is the position in the chain of its account,
     * customer × credit type). Both count from 1. */
    int chain;
    int64_t seq;
    enum journal_kind kind;
    int64_t customer_id;
    const char *credit_type; /* code */
    int64_t amount_minor;    /* change of the customer's balance */
    int64_t balance_after_minor;
    int64_t order_id;    /* 0 = none */
    int64_t invoice_id;  /* 0 = none */
    int64_t transfer_id; /* the transfer both halves belong to, 0 = none */
    const char *actor;
    const char *reason;
    const char *justification;
    int64_t created_at_us;
    size_t n_postings;
    const struct posting *postings;
    uint8_t prev_hash[SHA256_BYTES];
    uint8_t hash[SHA256_BYTES];
};

/* Postings sum to zero. */
bool journal_is_balanced(const struct journal_entry *e);
/* The customer's amount equals the sum of the customer-side postings (lots and
 * held credits). */
bool journal_amount_matches(const struct journal_entry *e);
/* hash = SHA-256(prev_hash ‖ canonical bytes of the entry). The canonical form
 * is a tag naming the chain ("creditd-journal-v1" for the tenant chain,
 * "-v2" for the account chain), then every field in a fixed order, each as
 * "<length>:<bytes>;". */
void journal_hash(const struct journal_entry *e, const uint8_t prev_hash[SHA256_BYTES],
                  uint8_t out[SHA256_BYTES]);

/*
 * A seal: one hash over the heads of the account chains that moved since the
 * tenant's previous seal, chained to that seal. hash = SHA-256(prev_hash ‖
 * "creditd-seal-v1" ‖ tenant ‖ seq ‖ created_at ‖ count ‖ each head as
 * customer, credit type id, chain seq, chain hash), heads in ascending
 * (customer, credit type) order. Streamed: begin, add each head, end.
 */
struct journal_seal {
    int64_t tenant_id;
    int64_t seq; /* from 1 */
    int64_t created_at_us;
    int64_t n_heads;
    uint8_t prev_hash[SHA256_BYTES];
};
void journal_seal_begin(struct sha256_state *s, const struct journal_seal *seal);
void journal_seal_add(struct sha256_state *s, int64_t customer_id, int64_t credit_type_id,
                      int64_t chain_seq, const uint8_t chain_hash[SHA256_BYTES]);
void journal_seal_end(struct sha256_state *s, uint8_t out[SHA256_BYTES]);

/* ---- invoices (invoice.c) ---------------------------------------------- */

/* True for the EU member states' codes (ISO 3166, and EL for Greece). */
bool invoice_country_is_eu(const char *country);
/* Intra-EU B2B reverse charge: the buyer has a VAT id and is in another EU
 * country than the seller. */
bool invoice_reverse_charge_applies(const char *seller_country, const char *buyer_country,
                                    const char *buyer_vat_id);

struct invoice_totals {
    int64_t net_minor;
    int32_t vat_rate_bp; /* 0 with reverse charge */
    int64_t vat_minor;   /* net × rate, rounded half up */
    int64_t gross_minor;
    bool reverse_charge;
};
/* ERR_OVERFLOW past AMOUNT_MAX_MINOR, ERR_VALIDATION for a rate outside
 * 0..10000 basis points. */
enum err invoice_totals_compute(int64_t net_minor, int32_t vat_rate_bp, bool reverse_charge,
                                struct invoice_totals *out) WUR;

/* How much of an amount due monetary store credit covers: money_minor (at
 * most due) and the credits that pay it (at most available; a credit worth
 * unit_value_minor money per whole credit at scale; a fraction of a credit's
 * minor unit rounds up). Zero when the credits have no value. */
struct invoice_store_credit {
    int64_t money_minor;
    int64_t credits_minor;
};
enum err invoice_store_credit_plan(int64_t due_money_minor, int64_t available_credits_minor,
                                   int scale, int64_t unit_value_minor,
                                   struct invoice_store_credit *out) WUR;

/* ---- the business's brand (brand.c) ------------------------------------ */

enum brand_logo_type { BRAND_LOGO_PNG = 1, BRAND_LOGO_JPEG, BRAND_LOGO_SVG };
struct brand_logo_info {
    enum brand_logo_type type;
    uint32_t width, height; /* pixels; 0 for SVG (it scales) */
};
/* "image/png", "image/jpeg" or "image/svg+xml". */
const char *brand_logo_content_type(enum brand_logo_type type);
/*
 * Decides by its bytes whether a file may be a logo, whatever its name or
 * declared type: a PNG (signature, IHDR with its size, IEND at the end), a
 * JPEG (SOI, then segments up to a frame header with its size) or an SVG
 * (UTF-8 text without NUL whose root element, after an XML declaration,
 * comments and a DOCTYPE without internal subset, is <svg). ERR_TOO_LARGE
 * past BRAND_LOGO_BYTES_MAX; ERR_VALIDATION on "file" for anything else or
 * a side of 0 or past BRAND_LOGO_SIDE_MAX pixels. The SVG is not cleaned:
 * whoever serves it must keep its scripts from running.
 */
enum err brand_logo_check(const uint8_t *data, size_t n, struct brand_logo_info *out,
                          struct err_detail *d) WUR;
/* "#rrggbb" (either case) into rgb; false for anything else. */
bool brand_color_parse(const char *text, uint8_t rgb[3]) WUR;
/* The WCAG 2 contrast ratio of white against rgb, in hundredths rounded
 * down (the portal's blue #1d4ed8 is 670, 6.70:1). */
int brand_contrast_white_x100(const uint8_t rgb[3]);

/* ---- bank details (bank.c) --------------------------------------------- */

#define BANK_IBAN_BYTES           35 /* 34 characters at most (ISO 13616) */
#define BANK_IBAN_GROUPED_BYTES   43 /* in groups of four */
#define BANK_BIC_BYTES            12 /* 8 or 11 characters (ISO 9362) */
#define BANK_EPC_NAME_CHARS       70 /* the beneficiary's name (EPC069-12) */
#define BANK_EPC_REMITTANCE_CHARS 140
#define BANK_EPC_BYTES_MAX        331 /* the whole payload (EPC069-12) */

enum bank_check {
    BANK_OK,
    BANK_BAD_CHARACTER, /* not a letter, digit or space */
    BANK_BAD_FORM,      /* letters or digits where the other belongs */
    BANK_BAD_COUNTRY,   /* no IBAN country */
    BANK_BAD_LENGTH,    /* not the country's length */
    BANK_BAD_CHECKSUM,  /* mod 97 is not 1 */
};
/* Writes in without spaces, in capitals, and checks it: the country's code
 * and length, its BBAN's form where known, and the check digits (mod 97). */
enum bank_check bank_iban_normalize(const char *in, char out[BANK_IBAN_BYTES]);
/* Writes a BIC in capitals, without spaces: 8 or 11 characters, the
 * institution and country letters, location and branch letters or digits. */
enum bank_check bank_bic_normalize(const char *in, char out[BANK_BIC_BYTES]);
/* The outcome in words, for a validation error ("has wrong check digits"). */
const char *bank_check_text(enum bank_check c);
/* "DE89 3704 0044 0532 0130 00": a normalized IBAN in groups of four. */
void bank_iban_group(const char *iban, char out[BANK_IBAN_GROUPED_BYTES]);

/* A SEPA credit transfer of amount_minor euro cents. */
struct bank_transfer {
    const char *name; /* the beneficiary, cut to 70 characters */
    const char *iban; /* normalized */
    const char *bic;  /* normalized; "" = none (allowed in version 002) */
    int64_t amount_minor;
    const char *remittance; /* unstructured: the invoice number */
};
/* The EPC QR code's text (EPC069-12, version 002, UTF-8, SCT), lines joined
 * by LF: BCD, 002, 1, SCT, BIC, name, IBAN, "EUR12.34", purpose (empty),
 * structured reference (empty), remittance. ERR_VALIDATION for an amount
 * outside 0.01..999999999.99 or no IBAN, ERR_TOO_LARGE when out is short. */
enum err bank_epc_payload(const struct bank_transfer *t, char *out, size_t out_bytes) WUR;

#endif
