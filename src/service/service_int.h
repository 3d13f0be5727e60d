/*
 * Internals shared by the service's files: the journal entry builder, the
 * account opener that applies due expiries first, lot creation, and small
 * validation helpers. Nothing outside src/service includes this.
 */
#ifndef CREDITD_SERVICE_INT_H
#define CREDITD_SERVICE_INT_H

#include "doc/doc.h"
#include "service/service.h"

/* Text of one lot posting's id in the entry's lot_ids: 20 digits and a comma. */
#define SVC_LOT_ID_TEXT_BYTES 21

/* A journal entry being built inside a write transaction. Its postings grow
 * in the arena as they are added, so an entry may draw from any number of
 * lots; the lot ids text is sized when the entry is written. */
struct svc_entry {
    struct journal_entry e;
    struct arena *a;          /* borrowed: the postings and lot ids live here */
    struct posting *postings; /* arena memory, postings_max entries */
    size_t postings_max;
    int64_t credit_type_id;
    int scale; /* the credit type's, for the amounts of its events */
    int64_t actor_user_id;
    char *lot_ids; /* arena memory, lot_ids_bytes, "12,15" */
    size_t lot_ids_bytes;
};

/* Starts an entry whose postings and lot ids will take memory from a. */
void svc_entry_init(struct svc_entry *x, struct arena *a, int64_t tenant_id, enum journal_kind kind,
                    int64_t customer_id, const struct credit_type_row *type,
                    const struct svc_actor *actor, int64_t now_us);
/* Adds a posting (ERR_TOO_LARGE when the arena cannot hold the postings). */
enum err svc_entry_post(struct svc_entry *x, enum account_kind account, int64_t lot_id,
                        int64_t amount_minor) WUR;
/*
 * Writes the entry: the customer's amount is the sum of the lot and held
 * postings; the account's balance and held credits move by it (never below
 * zero: ERR_INSUFFICIENT_CREDITS), balance_after is the new balance, and the
 * account's hash chain advances (its head is in acc, written back with the
 * balance). acc must be locked by this transaction. ERR_TOO_LARGE when the
 * arena cannot hold the lot ids text.
 */
enum err svc_entry_write(struct store_conn *c, struct svc_entry *x, struct account_row *acc,
                         int64_t *journal_id) WUR;

/* ---- events (svc_event.c) ---- */

/* One attribute of an event's moment: a JSON string, or null when text is NULL. */
struct svc_event_attr {
    const char *key;
    const char *text;
};
/* The JSON object of n attributes in arena memory; NULL past
 * EVENT_ATTRS_BYTES_MAX or when the arena is full. */
char *svc_event_attrs(struct arena *a, const struct svc_event_attr *attrs, size_t n);

struct svc_event_new {
    int64_t tenant_id;
    enum svc_event_type type;
    int64_t customer_id; /* 0 = none */
    int64_t subject_id;  /* the order, invoice, lot, journal entry, credit type or user */
    int64_t user_id;     /* a user it concerns besides the recipients by role; 0 = none */
    const char *attrs;   /* JSON object text (svc_event_attrs); NULL = {} */
    int64_t now_us;
};
/* Writes the event in the caller's write transaction. */
enum err svc_event_emit(struct store_conn *c, const struct svc_event_new *ev) WUR;
/* The events of a journal entry just written (credits.added for purchases
 * and grants, credits.adjusted for adjustments, transfers, deactivations and
 * reactivations) and balance.low when the entry took the account's available
 * balance below its threshold (acc->low_alerted follows the crossing; the
 * caller writes acc afterwards). */
enum err svc_event_entry_written(struct store_conn *c, const struct svc_entry *x,
                                 struct account_row *acc, int64_t journal_id) WUR;

/* ---- notification mails (svc_notify_mail.c) ---- */

/* The values of a mail that are not in the event's payload. Borrowed. */
struct svc_mail_vars {
    const char *name;            /* the recipient's name; "" = none */
    const char *business;        /* the sender's name */
    const char *customer;        /* the customer's name; "" = none */
    const char *member;          /* the member the event concerns; "" = none */
    const char *portal;          /* "https://portal.example.com" (no slash at the end); "" */
    const char *subject_id;      /* the subject's public id for the link ("ord_12") */
    const char *unsubscribe_url; /* NULL or "" = an essential mail, no link */
};
struct svc_mail_rendered {
    const char *subject, *text, *html; /* arena memory */
    const char *lang;                  /* "en" | "de" */
};
/* Whether a locale ("de-DE", "de") asks for German. */
bool svc_mail_lang_is_german(const char *locale);
/* The mail of an event of type with payload body, in the language of locale
 * (German for "de…", else English). ERR_NOT_FOUND for a type without a
 * mail, ERR_VALIDATION for a body that is not JSON, ERR_TOO_LARGE past the
 * limits or when the arena is full. */
enum err svc_mail_render(struct arena *a, enum svc_event_type type, const char *body,
                         const char *locale, const struct svc_mail_vars *vars,
                         struct svc_mail_rendered *out) WUR;

/* Runs a heavy read-only fn (an export, a dashboard) on the read replica
 * when there is one and it is fresh, else on the primary (svc_replica.c). */
enum err svc_read_heavy(struct svc *s, store_txn_fn fn, void *ctx) WUR;

/* Runs a write whose row locks all belong to one customer of tenant_id: it
 * may share a transaction and commit with other customers' writes (of the
 * same tenant only on a distributed database, see store_write_keyed). An
 * unknown customer (0) runs alone and fails inside as usual. */
enum err svc_write_for(struct svc *s, int64_t tenant_id, int64_t customer_id, store_txn_fn fn,
                       void *ctx) WUR;

/* The cached principal of a key or session hash in tenant_id, copied into a
 * (false: not cached under the tenant's current auth epoch). */
bool svc_cache_caller_get(struct svc *s, struct arena *a, const char *hash, int64_t tenant_id,
                          struct svc_principal *out, int64_t *expires_at_us,
                          int64_t *last_seen_at_us);
/* Keeps a principal read under its tenant's auth epoch `epoch` (from
 * svc_cache_epoch before the read); dropped when the epoch moved meanwhile. */
void svc_cache_caller_put(struct svc *s, const char *hash, int64_t epoch,
                          const struct svc_principal *p, int64_t expires_at_us,
                          int64_t last_seen_at_us);
void svc_cache_caller_forget(struct svc *s, const char *hash);
/* The tenant's auth epoch as the last svc_tenant_by_host read it; -1
 * without a cache or when unknown (nothing read then is kept). */
int64_t svc_cache_epoch(const struct svc *s, int64_t tenant_id);

/* A tenant with its zone, as an operation needs it. */
struct svc_tenant {
    struct tenant_row row;
    struct tz tz;
};
enum err svc_tenant_load(struct store_conn *c, struct arena *a, int64_t tenant_id,
                         struct svc_tenant *out) WUR;

/* ---- invoices' dates, language, bank details; credit notes (svc_credit_note.c) */

/* "2026-12-03": the local date of t_us in tz, plus_days later (arena memory;
 * NULL when the arena is full). */
const char *svc_local_date(struct arena *a, const struct tz *tz, int64_t t_us, int32_t plus_days);
/* "de" or "en": the customer's locale, else the tenant's. */
const char *svc_document_language(const char *customer_locale, const char *tenant_locale);
/* Dates an invoice made before schema 11 (issue_date ""), from created_at in
 * the tenant's zone and its payment terms. */
void svc_invoice_dates_fill(struct arena *a, const struct svc_tenant *t, struct invoice_row *row);
/* Checks the bank details, terms and credit note prefix of settings, giving
 * the normalized IBAN and BIC ("" when not set). */
enum err svc_settings_bank_check(const struct tenant_row *t, char iban[BANK_IBAN_BYTES],
                                 char bic[BANK_BIC_BYTES], struct err_detail *d) WUR;
/* Issues the credit note of inv, a paid invoice voided in this transaction:
 * the next number of the tenant's credit note series of this year. */
enum err svc_credit_note_issue(struct store_conn *c, struct arena *a, const struct svc_actor *actor,
                               const struct invoice_row *inv, const char *reason, int64_t now_us,
                               struct credit_note_row *out) WUR;
/* The whole invoice view of row: lines, store credit, lots, credit note,
 * dates (keeps out->removed_minor). */
enum err svc_invoice_view_fill(struct store_conn *c, struct arena *a, const struct invoice_row *row,
                               struct svc_invoice_view *out) WUR;
/* A zone from a small process-wide cache (zones are read once). */
enum err svc_tz_get(const char *name, struct tz *out) WUR;

/* ---- documents (svc_document.c) ---- */

/* Fills out with the invoice as a document, in the caller's read or write
 * transaction; strings are arena memory. only_customer_id != 0 makes
 * another customer's invoice ERR_NOT_FOUND. */
enum err svc_doc_from_invoice(struct store_conn *c, struct arena *a, int64_t tenant_id,
                              int64_t invoice_id, int64_t only_customer_id, struct doc *out) WUR;

/* Looks a credit type up by code; ERR_VALIDATION on field "credit_type" when
 * the tenant has no such type. */
enum err svc_type_by_code(struct store_conn *c, struct arena *a, int64_t tenant_id,
                          const char *code, struct credit_type_row *out, struct err_detail *d) WUR;

/* An account opened for change: locked, with its live lots locked and every
 * lot past its expiry expired first (one journal entry each), so balances and
 * balance_after never include credits that have already expired. */
struct svc_account {
    struct arena *a; /* borrowed: the lots, and the entries written for them */
    struct account_row acc;
    struct lot_row *lots;
    size_t n_lots;
    int64_t n_expired; /* lots expired while opening */
};
enum err svc_account_open(struct store_conn *c, struct arena *a, int64_t tenant_id,
                          int64_t customer_id, const struct credit_type_row *type, int64_t now_us,
                          struct svc_account *out) WUR;
/*
 * The two halves of svc_account_open, for operations on several accounts:
 * lock every account first (customers ascending, then types ascending), then
 * settle each. Settling writes journal entries; taking a further account lock
 * after writing would invite deadlocks with operations that lock in order.
 */
enum err svc_account_lock(struct store_conn *c, struct arena *a, int64_t tenant_id,
                          int64_t customer_id, const struct credit_type_row *type, int64_t now_us,
                          struct svc_account *out) WUR;
enum err svc_account_settle(struct store_conn *c, int64_t tenant_id,
                            const struct credit_type_row *type, struct svc_account *acct,
                            int64_t now_us) WUR;

/* A plan with memory for n_lots lots lent from the arena (NULL when the arena
 * is full): see alloc_plan_make. */
struct alloc_plan *svc_alloc_plan_new(struct arena *a, size_t n_lots);

/* Checks that a customer exists in the tenant (ERR_NOT_FOUND otherwise). */
enum err svc_customer_check(struct store_conn *c, struct arena *a, int64_t tenant_id,
                            int64_t customer_id) WUR;

/* Inserts a new lot with r->lot.remaining credits and writes nothing else;
 * the caller posts its creation. */
enum err svc_lot_insert(struct store_conn *c, struct lot_row *r) WUR;

/* Creates a refund lot for amount (rule 5 when the source lot cannot take it
 * back) and posts +amount to it in x. */
enum err svc_refund_lot(struct store_conn *c, const struct svc_tenant *t,
                        const struct credit_type_row *type, int64_t customer_id, int64_t order_id,
                        int64_t amount_minor, const char *actor, int64_t now_us,
                        struct svc_entry *x) WUR;

/* Text checks: required (non-empty) or optional, at most max bytes, valid UTF-8,
 * no control characters. */
enum err svc_text_check(const char *value, const char *field, size_t max_bytes, bool required,
                        struct err_detail *d) WUR;

/* Checks a lot's category / provider restrictions and its peak rule text. */
enum err svc_lot_rules_check(const char *categories, const char *provider, const char *peak,
                             struct err_detail *d) WUR;

/* Checks a lot input as svc_lot_add does before its transaction. */
enum err svc_lot_input_check(const struct svc_lot_input *in, struct err_detail *d) WUR;
/* svc_lot_add's work inside the caller's write transaction. */
enum err svc_lot_add_in_txn(struct store_conn *c, int64_t tenant_id, const struct svc_actor *actor,
                            const struct svc_lot_input *in, int64_t now_us, int64_t *ids,
                            size_t *n_ids, struct err_detail *d) WUR;

/* "", "en", "de" or either with a region ("de-AT"): a language with texts. */
bool svc_locale_is_valid(const char *locale);

/* Two capital letters (ISO 3166 alpha-2). */
bool svc_country_is_valid(const char *country);

/* The actor's label for the journal. */
const char *svc_actor_label(const struct svc_actor *actor);

/* ---- files (svc_file.c) ------------------------------------------------ */

/* "original 'ecu.bin' 1048576 bytes sha256 <hex>" for the order's history
 * (arena memory; a fixed text when the arena is full). */
const char *svc_file_describe(struct arena *a, const struct file_row *f);
/* The customer's original waiting for its order (ERR_VALIDATION on
 * "file_id" otherwise: unknown, another customer's, on an order, purged). */
enum err svc_file_waiting(struct store_conn *c, struct arena *a, int64_t tenant_id,
                          int64_t customer_id, int64_t file_id, struct file_row *out,
                          struct err_detail *d) WUR;
/* The reference of a recent order of the customer (within the tenant's
 * duplicate window before now_us, not except_order_id) with an original of
 * this SHA-256, or NULL. */
enum err svc_file_duplicate(struct store_conn *c, struct arena *a, const struct tenant_row *t,
                            int64_t customer_id, const char *sha256, int64_t except_order_id,
                            int64_t now_us, const char **reference) WUR;
/* A sealed upload moved into place under a new storage name, which the
 * caller removes with svc_blob_forget when its row does not commit. */
enum err svc_blob_commit(struct svc *s, struct svc_upload *up,
                         char storage_name[BLOB_NAME_BYTES]) WUR;
void svc_blob_forget(struct svc *s, const char *storage_name);

/* ---- two-factor sign-in (svc_totp.c) ------------------------------------ */

/* Checks and uses up a second factor of user u (two factors on) inside the
 * caller's write transaction: a 6-digit code of a step later than the last
 * accepted (which it becomes), or an unused recovery code (logged as used).
 * ERR_UNAUTHENTICATED for anything else; nothing is written then. */
enum err svc_totp_use(struct store_conn *c, struct arena *a, const struct user_row *u,
                      const char *code, const struct svc_actor *actor, int64_t now_us) WUR;

/* ---- the account life cycle (svc_access.c) ------------------------------- */

/* Writes a line of the security log inside the caller's transaction: actor
 * (its user, label and address; NULL = the system) did type to the subject
 * user (0 = none) named subject, of customer_id (0 = none); detail is a JSON
 * object or NULL. */
enum err svc_seclog(struct store_conn *c, int64_t tenant_id, const struct svc_actor *actor,
                    const char *type, int64_t subject_user_id, const char *subject,
                    int64_t customer_id, const char *detail, int64_t now_us) WUR;

/* The password rules: at least 12 characters (at most 1 KiB), not one of the
 * built-in common passwords, not the e-mail. field names the input. */
enum err svc_password_check(const char *password, const char *email, const char *field,
                            struct err_detail *d) WUR;

/* An e-mail address as users are kept: lower case, one '@', no spaces. */
enum err svc_email_check(const char *email, struct err_detail *d) WUR;
/* The checks of a new customer's fields (name, vat_id, country, email,
 * locale). */
/* A postal address: optional, at most ADDRESS_BYTES_MAX bytes of UTF-8 text
 * in at most ADDRESS_LINES_MAX lines; a problem names field. */
enum err svc_address_check(const char *address, const char *field, struct err_detail *d) WUR;
enum err svc_customer_input_check(const struct customer_row *in, struct err_detail *d) WUR;
/* Puts a mail with a link for u in the outbox, inside the caller's
 * transaction: a new single-use token of purpose (password_reset,
 * email_verify) valid ttl_us, kept as its hash, earlier ones of the purpose
 * void; the mail is the account event type. */
enum err svc_token_mail(struct store_conn *c, struct arena *a, int64_t tenant_id,
                        const struct user_row *u, const char *purpose, int64_t ttl_us,
                        enum svc_event_type type, int64_t now_us) WUR;
/* svc_token_mail of a password reset link. */
enum err svc_reset_issue_mail(struct store_conn *c, struct arena *a, int64_t tenant_id,
                              const struct user_row *u, int64_t now_us) WUR;

/* SHA-256 hex of a secret handed out (session id, key, mailed token). */
void svc_secret_hash(const char *secret, char out[SHA256_HEX]);

/* Counts one more request of kind ("reset", "register") from a client
 * address and refuses it (ERR_THROTTLED, *retry_after_s set) once max were
 * counted within the throttle window. Shared by every server. */
enum err svc_throttle_take(struct svc *s, int64_t tenant_id, const char *kind, const char *address,
                           int64_t max, int64_t *retry_after_s) WUR;

#endif
