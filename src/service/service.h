/*
 * service: creditd's use cases. Each public function is one business
 * operation and runs as one atomic store transaction: read through the store,
 * decide with the core, write, commit. Either all of it happens or none.
 *
 * Callers (the CLI, the HTTP handlers, tests) pass plain input structs and an
 * arena for the output; strings in outputs are arena memory. Every function
 * that can fail returns enum err and fills the err_detail with the field that
 * was wrong or the shortfall. Time comes from the injectable clock.
 *
 * Must not: parse JSON or HTTP, print, or hold state between calls other than
 * the clock and the store handle.
 */
#ifndef CREDITD_SERVICE_H
#define CREDITD_SERVICE_H

#include "base/base.h"
#include "core/core.h"
#include "store/store.h"

struct svc_clock {
    int64_t (*now_us)(void *ctx);
    void *ctx;
};

struct svc_cache;
struct svc_notify;
struct notify_smtp_config;
struct svc_replica;
struct gateway_config;

struct svc {
    struct store *st;
    struct svc_clock clock;
    struct blob_store *blobs;             /* the files directory; NULL: file operations refuse */
    struct svc_cache *cache;              /* the server's memory of callers; NULL: none */
    const struct gateway_config *gateway; /* card payments; NULL: refused */
    struct svc_replica *replica;          /* heavy reads go here; NULL: the primary */
    struct svc_notify *notify;            /* the dispatcher's settings; NULL: events are
                                             written, nothing is delivered */
    bool webhook_allow_private;           /* serve --webhook-allow-private: webhook URLs may
                                             name loopback and private addresses */
};

/* Borrows st. clock NULL = the wall clock. No files directory until
 * svc_use_blobs. */
void svc_init(struct svc *s, struct store *st, const struct svc_clock *clock);
/* Borrows b (which must outlive s) for the operations on files. */
void svc_use_blobs(struct svc *s, struct blob_store *b);
int64_t svc_now(const struct svc *s);

/*
 * The server keeps the principal of each API key and session in memory
 * (svc_cache.c), valid while its tenant's auth epoch stays where it was:
 * every logout and revocation moves it, and svc_tenant_by_host reads it at
 * each request first. svc_cache_new allocates (ERR_TOO_LARGE), the caller
 * frees; s borrows it.
 */
enum err svc_cache_new(struct svc_cache **out) WUR;
void svc_cache_free(struct svc_cache *c);
void svc_use_cache(struct svc *s, struct svc_cache *c);
/*
 * A read replica (svc_replica.c): heavy reads (CSV exports, dashboards,
 * reports) run on it once it has replayed everything the primary had when
 * the read began, else on the primary. svc_replica_new borrows the replica's
 * store (ERR_TOO_LARGE); the caller frees it; s borrows it.
 * svc_replica_status fills what /metrics shows (ERR_OK with up false when
 * the replica cannot be reached; the primary's failure otherwise).
 */
struct svc_replica_status {
    bool configured, up;
    int64_t lag_bytes, lag_ms;
    int64_t reads_on_replica, reads_on_primary; /* heavy reads since start */
};
enum err svc_replica_new(struct store *replica, struct svc_replica **out) WUR;
void svc_replica_free(struct svc_replica *r);
void svc_use_replica(struct svc *s, struct svc_replica *r);
enum err svc_replica_status(struct svc *s, struct svc_replica_status *out) WUR;

/* The tenant of a Host (lower case, no port); with a single tenant any host
 * reaches it. ERR_NOT_FOUND when none does. Call it first for each request:
 * with a cache it also reads the tenant's auth epoch. Every lookup by a
 * secret that is unique across tenants (an API key, a session, a gateway's
 * reference) is made in the tenant it returns, never across tenants. */
enum err svc_tenant_by_host(struct svc *s, const char *host, int64_t *tenant_id) WUR;

/*
 * Idempotency keys (svc_idem.c, DESIGN rule 11). The caller says what makes
 * two requests the same (request_hash, SHA256_HEX text) and who asks
 * (principal); svc_idem_new allocates the record's handle (ERR_INTERNAL), the
 * caller frees it with svc_idem_free. svc_idem_lookup answers a key seen
 * before: ERR_OK with the first answer (arena memory) for the same request,
 * ERR_IDEMPOTENCY_CONFLICT for another, ERR_NOT_FOUND for a new key. Then the
 * operation runs on svc_idem_svc (borrowed from the handle): once its work
 * succeeds, inside its transaction, the render callback armed with
 * svc_idem_arm returns the answer (malloc'd text, the handle takes it; NULL
 * fails the operation) and status, and the key is recorded with it, so the
 * record commits with the change and a failure leaves none. The render
 * callback must not read the store; a retried transaction calls it again.
 * svc_idem_rendered gives the recorded answer (borrowed from the handle);
 * after a failure, svc_idem_collided says a concurrent request with the key
 * won the race: look the key up again and answer with its answer.
 */
#define SVC_IDEM_KEY_BYTES_MAX 255
struct svc_idem;
struct svc_idem_answer {
    int status;
    const char *text;
};
typedef char *(*svc_idem_render_fn)(void *ctx, int *status);
/* 1 to 255 visible ASCII characters. */
bool svc_idem_key_is_valid(const char *key);
enum err svc_idem_new(struct svc *s, int64_t tenant_id, const char *principal, const char *key,
                      const char *request_hash, struct svc_idem **out) WUR;
enum err svc_idem_lookup(struct svc_idem *idem, struct arena *a, struct svc_idem_answer *out) WUR;
struct svc *svc_idem_svc(struct svc_idem *idem);
void svc_idem_arm(struct svc_idem *idem, svc_idem_render_fn render, void *ctx);
bool svc_idem_rendered(const struct svc_idem *idem, struct svc_idem_answer *out);
bool svc_idem_collided(const struct svc_idem *idem);
void svc_idem_free(struct svc_idem *idem);

/* Who acts: recorded on every manual change. */
struct svc_actor {
    int64_t user_id;     /* 0 for the system or the CLI */
    const char *label;   /* e-mail of the user, "cli" or "system" */
    const char *address; /* the client's address (security log); NULL = none */
};

extern const struct svc_actor SVC_SYSTEM;

/* ---- tenants and settings ---------------------------------------------- */

/* Creates a tenant with the credit types `master` and `slave` (scale 0) and
 * maps host to it (host may be NULL). */
enum err svc_tenant_create(struct svc *s, const char *name, const char *host, int64_t *tenant_id,
                           struct err_detail *d) WUR;
/* Serves the tenant also at host (ERR_DUPLICATE when another tenant has it). */
enum err svc_tenant_host_add(struct svc *s, int64_t tenant_id, const char *host,
                             struct err_detail *d) WUR;
/* The only tenant of a single-business install (ERR_NOT_FOUND when none). */
enum err svc_tenant_default(struct svc *s, int64_t *tenant_id) WUR;
enum err svc_tenant_get(struct svc *s, struct arena *a, int64_t tenant_id,
                        struct tenant_row *out) WUR;
/* Validates and stores settings (VAT, currency, time zone, refund validity,
 * charge_on, invoice prefix, file retention, duplicate window). */
enum err svc_settings_update(struct svc *s, const struct tenant_row *t, struct err_detail *d) WUR;
/* Writes a valid bank_iban and bank_bic of t as they are stored (capitals, no
 * spaces), copies in a; leaves invalid ones for svc_settings_update to refuse. */
void svc_settings_normalize(struct arena *a, struct tenant_row *t);

/* ---- people ------------------------------------------------------------ */

enum err svc_user_add(struct svc *s, int64_t tenant_id, const char *email, const char *password,
                      const char *role, int64_t *user_id, struct err_detail *d) WUR;
/* svc_user_add by an actor, who is named in the security log (user.created). */
enum err svc_user_add_by(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                         const char *email, const char *password, const char *role,
                         int64_t *user_id, struct err_detail *d) WUR;
enum err svc_customer_create(struct svc *s, int64_t tenant_id, const struct customer_row *in,
                             int64_t *customer_id, struct err_detail *d) WUR;
/* Adds a member (owner or technician) to a customer, creating its user. */
enum err svc_member_add(struct svc *s, int64_t tenant_id, int64_t customer_id, const char *email,
                        const char *password, const char *role, int64_t *user_id,
                        struct err_detail *d) WUR;
/* svc_member_add by an actor, who is named in the security log (member.added). */
enum err svc_member_add_by(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                           int64_t customer_id, const char *email, const char *password,
                           const char *role, int64_t *user_id, struct err_detail *d) WUR;
/* Sets a technician's monthly limit in a credit type (limit < 0 removes it). */
enum err svc_member_limit_set(struct svc *s, int64_t tenant_id, int64_t customer_id,
                              int64_t user_id, const char *credit_type, int64_t limit_minor,
                              struct err_detail *d) WUR;

/* ---- catalogue --------------------------------------------------------- */

enum err svc_credit_type_create(struct svc *s, int64_t tenant_id, const struct credit_type_row *in,
                                int64_t *id, struct err_detail *d) WUR;
/* The tenant's credit type of code (ERR_NOT_FOUND when it has none). */
enum err svc_credit_type_find(struct svc *s, struct arena *a, int64_t tenant_id, const char *code,
                              struct credit_type_row *out) WUR;
/* Changes name, unit value, spendable and sort order of the type with in->code. */
enum err svc_credit_type_update(struct svc *s, int64_t tenant_id, const struct credit_type_row *in,
                                struct err_detail *d) WUR;

/* Package and service amounts come by credit type code. */
struct svc_amount {
    const char *credit_type;
    int64_t amount_minor;
};

/* Sets several of a technician's monthly limits at once (amount -1 removes
 * one), all or none. */
enum err svc_member_limits_set(struct svc *s, int64_t tenant_id, int64_t customer_id,
                               int64_t user_id, const struct svc_amount *limits, size_t n,
                               struct err_detail *d) WUR;

struct svc_package_input {
    struct package_row row; /* id, tenant and the credits arrays are filled by the service */
    size_t n_credits;
    struct svc_amount credits[PACKAGE_CREDIT_TYPES_MAX];
};
enum err svc_package_create(struct svc *s, int64_t tenant_id, const struct svc_package_input *in,
                            int64_t *id, struct err_detail *d) WUR;

/* Rewrites the package in->row.id (archived = unpublished and kept for old
 * invoices). ERR_NOT_FOUND when the tenant has no such package. */
enum err svc_package_update(struct svc *s, int64_t tenant_id, const struct svc_package_input *in,
                            struct err_detail *d) WUR;

struct svc_service_input {
    struct service_row row;
    size_t n_costs;
    struct svc_amount costs[SERVICE_COST_TYPES_MAX];
};
enum err svc_service_create(struct svc *s, int64_t tenant_id, const struct svc_service_input *in,
                            int64_t *id, struct err_detail *d) WUR;

/* Rewrites the service in->row.id (costs, active…). */
enum err svc_service_update(struct svc *s, int64_t tenant_id, const struct svc_service_input *in,
                            struct err_detail *d) WUR;
/* Rewrites the customer in->id (name, email, VAT id, country). */
enum err svc_customer_update(struct svc *s, int64_t tenant_id, const struct customer_row *in,
                             struct err_detail *d) WUR;

/* ---- lots -------------------------------------------------------------- */

/* Lots an operation wrote, as they stand after it (optional output). */
struct svc_lots_out {
    struct arena *a; /* strings of the rows live here */
    size_t n;
    struct lot_row rows[PACKAGE_CREDIT_TYPES_MAX];
};

struct svc_lot_input {
    struct svc_lots_out *out; /* NULL, or receives the new lots */
    int64_t customer_id;
    int64_t package_id;      /* from a package: credits, validity, restrictions from it */
    const char *credit_type; /* manual lot: */
    int64_t credits_minor;
    enum lot_source source;
    const char *name;
    const char *notes;
    int64_t price_minor; /* money paid (cost basis), 0 for free credits */
    struct validity validity;
    const char *categories;
    const char *provider;
    const char *peak;
    const char *reason; /* shown in the customer's ledger */
    int64_t invoice_id; /* set by the shop: the invoice the lots belong to */
};

/* Creates the lot(s): one per credit type of a package, one for a manual lot.
 * ids receives up to PACKAGE_CREDIT_TYPES_MAX lot ids. */
enum err svc_lot_add(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                     const struct svc_lot_input *in, int64_t *ids, size_t *n_ids,
                     struct err_detail *d) WUR;

/* A lot of the tenant with its credit type (ERR_NOT_FOUND otherwise). */
enum err svc_lot_get(struct svc *s, struct arena *a, int64_t tenant_id, int64_t lot_id,
                     struct lot_row *out, struct credit_type_row *type) WUR;

enum svc_lot_action {
    SVC_LOT_PAUSE,
    SVC_LOT_RESUME,
    SVC_LOT_EXTEND,
    SVC_LOT_DEACTIVATE,
    SVC_LOT_REACTIVATE,
    SVC_LOT_EDIT,
};

struct svc_lot_change {
    struct svc_lots_out *out; /* NULL, or receives the lot after the change */
    enum svc_lot_action action;
    int64_t expires_at_us; /* EXTEND */
    const char *name;      /* EDIT: NULL keeps */
    const char *notes;     /* EDIT: NULL keeps */
    const char *reason;    /* optional note for the history */
};
enum err svc_lot_change(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                        int64_t lot_id, const struct svc_lot_change *ch, struct err_detail *d) WUR;

/* Manual deductions take one of these reasons and a justification. */
bool svc_reason_is_valid(const char *reason);

/* Deducts from one lot (lot_id) or, with lot_id 0, from the customer's lots in
 * allocation order. */
struct svc_deduct_input {
    struct svc_lots_out *out; /* NULL, or receives the named lot after it */
    int64_t customer_id;
    int64_t lot_id;
    const char *credit_type; /* with lot_id 0 */
    int64_t amount_minor;
    const char *reason;
    const char *justification;
};
enum err svc_deduct(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                    const struct svc_deduct_input *in, int64_t *journal_id,
                    struct err_detail *d) WUR;

/* A signed adjustment: positive adds a manual lot, negative deducts FIFO. */
struct svc_adjust_input {
    int64_t customer_id;
    const char *credit_type;
    int64_t amount_minor;
    const char *reason;
    const char *justification;
    struct validity validity; /* for additions */
};
enum err svc_adjust(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                    const struct svc_adjust_input *in, int64_t *journal_id,
                    struct err_detail *d) WUR;

/* What a transfer wrote: its two journal entries, the receiver's new lot and
 * both balances after it (minor units). */
struct svc_transfer_out {
    int64_t from_journal_id, to_journal_id;
    int64_t to_lot_id;
    int64_t from_balance_minor, to_balance_minor;
};
struct svc_transfer_input {
    int64_t from_customer_id;
    int64_t to_customer_id;
    const char *credit_type;
    int64_t amount_minor;
    const char *justification;
    struct svc_transfer_out *out; /* optional: filled inside the transaction */
};
enum err svc_transfer(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                      const struct svc_transfer_input *in, int64_t *transfer_id,
                      struct err_detail *d) WUR;

/* ---- orders ------------------------------------------------------------ */

struct svc_order_input {
    int64_t customer_id;
    int64_t member_user_id; /* the submitting member, 0 when staff submit */
    const char *credit_type;
    size_t n_services;
    int64_t service_ids[ORDER_SERVICES_MAX];
    const char *vehicle; /* JSON text, stored as is */
    const char *notes;
    int64_t file_id;        /* 0, or the customer's original waiting for its order */
    bool confirm_duplicate; /* order it even if it duplicates a recent order */
};

struct svc_quote_draw {
    int64_t lot_id;
    const char *lot_name;
    int64_t base_minor;
    int64_t amount_minor;
    int32_t multiplier_permille;
};

struct svc_quote {
    int scale;
    int64_t base_minor;  /* sum of the service costs */
    int64_t total_minor; /* credits drawn, with peak multipliers */
    int64_t balance_minor;
    int64_t available_minor;
    int64_t balance_after_minor;
    size_t n_lines;
    struct order_line_row lines[ORDER_SERVICES_MAX];
    size_t n_draws;
    struct svc_quote_draw *draws; /* arena memory */
    bool hold;                    /* charge_on = delivery */
    /* With file_id: the reference of a recent order of the customer with the
     * same original (DESIGN rule 11), NULL when there is none. */
    const char *duplicate_of;
};

/* What the order would cost now; nothing changes. */
enum err svc_quote(struct svc *s, struct arena *a, int64_t tenant_id,
                   const struct svc_order_input *in, struct svc_quote *out,
                   struct err_detail *d) WUR;

struct svc_order_result {
    int64_t order_id;
    const char *reference;
    struct svc_quote quote;
    int64_t journal_id;
};

/* Places and charges (or holds) an order atomically; with file_id the file
 * goes on the order in the same transaction. ERR_VALIDATION on "file_id"
 * for a file that is not the customer's waiting original; ERR_DUPLICATE_FILE
 * (d->reference names the earlier order) when it duplicates a recent order
 * and confirm_duplicate is not set. */
enum err svc_order_place(struct svc *s, struct arena *a, int64_t tenant_id,
                         const struct svc_actor *actor, const struct svc_order_input *in,
                         struct svc_order_result *out, struct err_detail *d) WUR;
/* Cancels an open order and refunds (or releases) its credits, rule 5.
 * by_customer: only a submitted order may be cancelled. */
enum err svc_order_cancel(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                          int64_t order_id, const char *reason, bool by_customer,
                          struct err_detail *d) WUR;
/* True when the order exists in the tenant and belongs to the customer
 * (customer_id 0: to any customer). */
bool svc_order_is_of_customer(struct svc *s, int64_t tenant_id, int64_t order_id,
                              int64_t customer_id);
/* An order's row (only_customer_id != 0: of that customer only;
 * ERR_NOT_FOUND otherwise). */
enum err svc_order_get(struct svc *s, struct arena *a, int64_t tenant_id, int64_t order_id,
                       int64_t only_customer_id, struct order_row *out) WUR;
/* True when the customer exists in the tenant. */
bool svc_customer_exists(struct svc *s, int64_t tenant_id, int64_t customer_id);
/* Moves an order along: in_progress, completed (captures a hold). */
enum err svc_order_set_status(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                              int64_t order_id, const char *status, struct err_detail *d) WUR;

/* ---- the shop and invoices (svc_invoice.c) ----------------------------- */

struct svc_purchase_input {
    int64_t customer_id;
    int64_t package_id;              /* the package bought (not with lot) */
    const struct svc_lot_input *lot; /* an admin adds this lot with its invoice */
    const char *gateway;             /* "manual" | "stripe"; "admin" with lot */
    const char *status;              /* with lot: the invoice is "paid" or "open" */
    bool published_only;             /* a customer buys: published packages only */
    /* stripe: the checkout session made for the amount due before the
     * purchase; a different amount due now is ERR_CONFLICT. */
    const char *gateway_ref;
    const char *checkout_url;
    int64_t expect_due_minor; /* -1: no expectation */
};

/* The types come first so amounts can be named and scaled. */
struct svc_types {
    struct credit_type_row *items;
    size_t n;
};

struct svc_invoice_view {
    struct svc_types types;
    struct invoice_row row;
    struct invoice_line_row *lines;
    size_t n_lines;
    struct invoice_credit_row *credits; /* the store credit it drew */
    size_t n_credits;
    struct lot_row *lots; /* the lots it paid for */
    size_t n_lots;
    int64_t *removed_minor; /* void: credits taken from each lot (NULL otherwise) */
    const char *outcome;    /* gateway events: what the event did */
    bool has_credit_note;   /* a voided paid invoice's credit note */
    struct credit_note_row credit_note;
};

/* What the purchase would cost now: the invoice as it would be made (number
 * empty), with the store credit it would use and what stays due. Changes
 * nothing. */
enum err svc_purchase_price(struct svc *s, struct arena *a, int64_t tenant_id,
                            const struct svc_purchase_input *in, struct svc_invoice_view *out,
                            struct err_detail *d) WUR;
/* Makes the invoice (rule 10): store credit is held first; with nothing left
 * due the invoice is paid and its lots created at once, otherwise it stays
 * open (a bank transfer may grant the lots at once: manual_grant). With lot,
 * an admin's lot and its invoice are made together. */
enum err svc_purchase(struct svc *s, struct arena *a, int64_t tenant_id,
                      const struct svc_actor *actor, const struct svc_purchase_input *in,
                      struct svc_invoice_view *out, struct err_detail *d) WUR;
/* An open invoice is paid: its store credit is captured and its lots created
 * (ERR_INVOICE_STATE when it is paid or void). */
enum err svc_invoice_mark_paid(struct svc *s, struct arena *a, int64_t tenant_id,
                               const struct svc_actor *actor, int64_t invoice_id,
                               struct svc_invoice_view *out, struct err_detail *d) WUR;
/* Voids an open or paid invoice: its store credit goes home (rule 5) and the
 * unspent credits of its lots are removed; out->removed_minor says how many
 * per lot. Needs a reason. */
enum err svc_invoice_void(struct svc *s, struct arena *a, int64_t tenant_id,
                          const struct svc_actor *actor, int64_t invoice_id, const char *reason,
                          struct svc_invoice_view *out, struct err_detail *d) WUR;
/* only_customer_id != 0 makes another customer's invoice ERR_NOT_FOUND. */
enum err svc_invoice_read(struct svc *s, struct arena *a, int64_t tenant_id, int64_t invoice_id,
                          int64_t only_customer_id, struct svc_invoice_view *out) WUR;
/*
 * The invoice as an A4 PDF (src/doc) in its customer's language, appended to
 * out (buf_init(out, DOC_PDF_BYTES_MAX)); *number receives its number, arena
 * memory, for the file's name. only_customer_id as for svc_invoice_read.
 * Changes nothing. ERR_NOT_FOUND; ERR_TOO_LARGE when out or a is full;
 * ERR_INTERNAL (logged) when the document cannot be rendered.
 */
enum err svc_invoice_pdf(struct svc *s, struct arena *a, int64_t tenant_id, int64_t invoice_id,
                         int64_t only_customer_id, struct buf *out, const char **number,
                         struct err_detail *d) WUR;
/* The credit note as an A4 PDF in its own language: the invoice it corrects
 * with its amounts negated, what is returned as store credit and what is
 * refunded; otherwise as svc_invoice_pdf. */
enum err svc_credit_note_pdf(struct svc *s, struct arena *a, int64_t tenant_id, int64_t note_id,
                             int64_t only_customer_id, struct buf *out, const char **number,
                             struct err_detail *d) WUR;
struct svc_invoices {
    struct svc_types types;
    struct invoice_row *items;
    size_t n;
    bool more;
};
enum err svc_invoices_read(struct svc *s, struct arena *a, int64_t tenant_id,
                           const struct invoice_filter *f, struct svc_invoices *out) WUR;

/* A credit note with the invoice it cancels (whose parties and lines it
 * repeats). only_customer_id != 0 makes another customer's ERR_NOT_FOUND. */
struct svc_credit_note_view {
    struct credit_note_row note;
    struct svc_invoice_view invoice;
};
enum err svc_credit_note_read(struct svc *s, struct arena *a, int64_t tenant_id, int64_t id,
                              int64_t only_customer_id, struct svc_credit_note_view *out) WUR;
struct svc_credit_notes {
    struct credit_note_row *items;
    size_t n;
    bool more;
};
/* Newest first; f->limit > 0. */
enum err svc_credit_notes_read(struct svc *s, struct arena *a, int64_t tenant_id,
                               const struct credit_note_filter *f,
                               struct svc_credit_notes *out) WUR;

/* A payment gateway's event, verified by the caller. */
enum svc_event_kind {
    SVC_EVENT_PAID,    /* the payment arrived */
    SVC_EVENT_UNPAID,  /* the checkout completed, the money is still on its way */
    SVC_EVENT_EXPIRED, /* the checkout ended unpaid */
    SVC_EVENT_OTHER,
};
struct svc_gateway_event {
    const char *gateway; /* "stripe" */
    const char *event_id;
    const char *type;
    enum svc_event_kind kind;
    const char *ref; /* the gateway's id the invoice was made with */
    int64_t amount_minor;
    const char *currency;
    int64_t tenant_id; /* the signed event's own tenant (its metadata); 0: none */
};
/* Applies an event once per id in its tenant: the tenant the signed event
 * names (creditd put it in the checkout's metadata, so one gateway endpoint
 * serves every business of an install), else tenant_id, the tenant of the
 * Host the gateway sent it to. Its invoice is found there by its gateway
 * reference, never across tenants: pays or voids an open invoice; anything
 * else is only recorded. out->outcome says what happened ("paid", "voided", "duplicate",
 * "already_paid", "amount_mismatch", "unknown_reference", …). ERR_NOT_FOUND
 * when tenant_id is 0 (a host of no tenant). */
enum err svc_gateway_event_apply(struct svc *s, struct arena *a, int64_t tenant_id,
                                 const struct svc_gateway_event *ev,
                                 struct svc_invoice_view *out) WUR;

/* ---- card payments (svc_checkout.c) ------------------------------------ */

/* Reads the payment gateway's settings from the environment and starts its
 * client for the process (ERR_INTERNAL when it cannot); a setting that makes
 * card payments refused is logged once. s (and services made from it later)
 * use it until svc_gateway_stop. Without it card payments are refused. */
enum err svc_gateway_start(struct svc *s) WUR;
void svc_gateway_stop(struct svc *s);
/* True when buyers can pay by card here: the gateway was started with
 * settings that pass gateway_config_check (what svc_purchase_checkout
 * requires before it takes gateway "stripe"). */
bool svc_card_payments_ready(const struct svc *s);

struct svc_checkout_input {
    const char *success_url; /* where the gateway sends the buyer back */
    const char *cancel_url;
    const char *idempotency_key; /* the client's key or NULL; the gateway sees a digest */
};
/*
 * A purchase as a buyer makes it (svc_purchase). With gateway "stripe" it is
 * priced first and, when something stays due after store credit, a checkout
 * session is made with the gateway for it (outside any transaction; a repeat
 * with the same key gets the same session); the purchase's transaction then
 * refuses with ERR_CONFLICT when the amount due changed meanwhile.
 * ERR_GATEWAY_NOT_CONFIGURED without usable settings, ERR_GATEWAY_UNAVAILABLE
 * when the gateway fails (logged). in->lot must be NULL.
 */
enum err svc_purchase_checkout(struct svc *s, struct arena *a, int64_t tenant_id,
                               const struct svc_actor *actor, const struct svc_purchase_input *in,
                               const struct svc_checkout_input *co, struct svc_invoice_view *out,
                               struct err_detail *d) WUR;
/*
 * A Stripe webhook: checks signature (the Stripe-Signature header, NULL when
 * absent) on the raw body against the wall clock within the configured
 * tolerance, then parses the event into out (strings in arena memory) for
 * svc_gateway_event_apply. ERR_GATEWAY_NOT_CONFIGURED or
 * ERR_SIGNATURE_INVALID (logged), ERR_VALIDATION or ERR_TOO_LARGE for a body
 * that is not an event; d says why.
 */
enum err svc_stripe_event_read(struct svc *s, struct arena *a, const char *signature,
                               const char *body, size_t len, struct svc_gateway_event *out,
                               struct err_detail *d) WUR;

/* ---- mail (svc_mail.c) ------------------------------------------------- */

struct svc_mail_test_input {
    const char *to;    /* the recipient's address */
    int64_t tenant_id; /* 0: none; else its name signs the mail and its locale picks the text */
};
struct svc_mail_test_result {
    char message_id[MAIL_ADDRESS_BYTES_MAX + 40]; /* "<…@domain>" as sent */
    char relay[SMTP_URL_BYTES_MAX];               /* the relay's URL without its password */
};
/*
 * Sends a short test mail to in->to with the relay and sender of the
 * environment (CREDITD_SMTP_URL, CREDITD_MAIL_FROM, CREDITD_SMTP_CA_FILE,
 * CREDITD_SMTP_REQUIRE_TLS), read for this call. The sender's name is the
 * tenant's, else the one in CREDITD_MAIL_FROM, else "creditd". s may be
 * NULL when in->tenant_id is 0: no database is needed then.
 *
 * ERR_MAIL_NOT_CONFIGURED (d says which setting and why), ERR_VALIDATION on
 * "to" for an address that is not one, ERR_NOT_FOUND for an unknown tenant,
 * and notify_mail_send's ERR_DELIVERY_REJECTED (the relay refused the mail
 * for good) or ERR_DELIVERY_UNAVAILABLE (it may pass later). Messages never
 * hold the relay's password.
 */
enum err svc_mail_test(struct svc *s, struct arena *a, const struct svc_mail_test_input *in,
                       struct svc_mail_test_result *out, struct err_detail *d) WUR;

/* ---- notifications (svc_event.c, svc_notify.c, svc_webhook.c) ---------- */

/*
 * Events (DESIGN §6) are rows of an outbox written in the transaction of the
 * change that causes them; the dispatcher (svc_notify_run, in serve) fans
 * each out into deliveries (mails to users, posts to webhook endpoints) and
 * delivers those at least once, with backoff. An event's public id is
 * "evt_<id>"; its payload is {"id","type","created_at","data"}.
 */
#define SVC_EVENT_TYPES(X)                                                                         \
    X(SVC_EVENT_ORDER_CREATED, "order.created")                                                    \
    X(SVC_EVENT_ORDER_STATUS_CHANGED, "order.status_changed")                                      \
    X(SVC_EVENT_ORDER_COMPLETED, "order.completed")                                                \
    X(SVC_EVENT_ORDER_REJECTED, "order.rejected")                                                  \
    X(SVC_EVENT_ORDER_CANCELLED, "order.cancelled")                                                \
    X(SVC_EVENT_INVOICE_CREATED, "invoice.created")                                                \
    X(SVC_EVENT_INVOICE_PAID, "invoice.paid")                                                      \
    X(SVC_EVENT_CREDITS_ADDED, "credits.added")                                                    \
    X(SVC_EVENT_CREDITS_ADJUSTED, "credits.adjusted")                                              \
    X(SVC_EVENT_CREDITS_EXPIRING, "credits.expiring")                                              \
    X(SVC_EVENT_BALANCE_LOW, "balance.low")                                                        \
    X(SVC_EVENT_MEMBER_LIMIT_REACHED, "member.limit_reached")                                      \
    X(SVC_EVENT_WEBHOOK_ENDPOINT_DISABLED, "webhook_endpoint.disabled")                            \
    X(SVC_EVENT_ACCOUNT_PASSWORD_RESET, "account.password_reset")                                  \
    X(SVC_EVENT_ACCOUNT_EMAIL_VERIFY, "account.email_verify")                                      \
    X(SVC_EVENT_ACCOUNT_INVITATION, "account.invitation")

enum svc_event_type {
#define SVC_EVENT_ENUM(name, text) name,
    SVC_EVENT_TYPES(SVC_EVENT_ENUM)
#undef SVC_EVENT_ENUM
        SVC_EVENT__COUNT
};
/* Account mails (a reset link, a verification link, an invitation) carry a
 * secret: they go by mail to their one recipient only, never to webhooks or
 * the event log, and nobody can opt out of them. */
bool svc_event_is_account(enum svc_event_type t);
/* "order.created" for SVC_EVENT_ORDER_CREATED. */
const char *svc_event_type_name(enum svc_event_type t);
/* The type named text; false when there is none. */
bool svc_event_type_parse(const char *text, enum svc_event_type *out);

/* The dispatcher's settings, set up by serve. */
struct svc_notify_config {
    bool mail_configured;                  /* CREDITD_SMTP_URL and CREDITD_MAIL_FROM valid */
    const struct notify_smtp_config *smtp; /* borrowed; NULL when mail is off */
    bool webhook_allow_private;            /* serve --webhook-allow-private */
    const char *webhook_ca_file;           /* CREDITD_WEBHOOK_CA_FILE; NULL = the system's */
    int64_t retry_base_ms;                 /* the first retry's delay (default 30 s) */
};

/* Renders an event's payload {"id","type","created_at","data"} into *body
 * (arena memory): the server's hook, so that data.object is the object as
 * the API shows it. ERR_NOT_FOUND is not an answer: a hook renders what it
 * can (the attrs) when the object is gone. */
typedef enum err (*svc_event_render_fn)(void *ctx, struct svc *s, struct arena *a,
                                        const struct event_row *e, char **body);

/* What serve sets of the dispatcher; mail comes from the environment. */
struct svc_notify_options {
    bool webhook_allow_private;  /* serve --webhook-allow-private */
    const char *webhook_ca_file; /* CREDITD_WEBHOOK_CA_FILE; NULL or "" = the system's CAs */
    int64_t retry_base_ms;       /* 0 = 30 s */
};
/*
 * Sets s up to dispatch (svc_notify_run): reads the mail relay from the
 * environment (CREDITD_SMTP_URL, CREDITD_MAIL_FROM, CREDITD_SMTP_CA_FILE,
 * CREDITD_SMTP_REQUIRE_TLS; both unset = mail off, its deliveries skipped)
 * and starts libcurl. ERR_MAIL_NOT_CONFIGURED with d naming the setting when
 * the relay is set but wrong (a server that silently does not mail is worse
 * than one that does not start). svc_notify_stop ends it after the last run.
 */
enum err svc_notify_start(struct svc *s, const struct svc_notify_options *o,
                          svc_event_render_fn render, void *render_ctx, struct err_detail *d) WUR;
void svc_notify_stop(struct svc *s);
/* The dispatcher's settings; NULL when this process does not dispatch. */
const struct svc_notify_config *svc_notify_config_of(const struct svc *s);

/* What the admin's notification page shows of the server's mail settings. */
struct svc_notify_status {
    bool dispatching;               /* this process runs a dispatcher (serve) */
    bool mail_configured;           /* CREDITD_SMTP_URL and CREDITD_MAIL_FROM */
    char relay[SMTP_URL_BYTES_MAX]; /* the relay's URL without its password */
    char from[MAIL_ADDRESS_BYTES_MAX + 1];
    bool webhook_allow_private;
};
void svc_notify_status(const struct svc *s, struct svc_notify_status *out);

struct svc_notify_report {
    bool ran; /* this process held the dispatch lock */
    int64_t fanned, deliveries, delivered, retried, failed, skipped;
};
/*
 * One pass of the dispatcher (svc_notify.c): with the store's dispatch lock
 * (another server holding it: nothing done, out->ran false), for each
 * tenant, fans out the events not yet fanned and attempts the deliveries
 * that are due at svc_now. Sends outside transactions; bounded per tenant.
 * A store failure ends the pass (ERR_STORE_BUSY…): what was not recorded is
 * attempted again at the next.
 */
enum err svc_notify_run(struct svc *s, struct svc_notify_report *out) WUR;

/* Marks every event of the tenant not yet fanned out as fanned out with no
 * delivery (the demo's invented history): they stay in the event log, and
 * nobody is mailed or posted about them. */
enum err svc_events_quiet(struct svc *s, int64_t tenant_id) WUR;

/* Mails that are part of doing business (invoices, an endpoint disabled):
 * they reach their recipients whatever they chose, with no unsubscribe link. */
bool svc_event_is_essential(enum svc_event_type t);

/* ---- notification preferences (svc_prefs.c) ---- */

struct svc_notify_pref {
    const char *event; /* "order.completed" */
    bool enabled;      /* mails of it reach the user */
    bool essential;    /* cannot be turned off */
};
struct svc_notify_prefs {
    const char *locale; /* the user's language; "" = the customer's or the business's */
    size_t n;
    struct svc_notify_pref items[SVC_EVENT__COUNT]; /* the events of the user's role */
};
struct svc_notify_prefs_input {
    const char *locale; /* NULL = unchanged */
    size_t n;
    struct {
        const char *event;
        bool enabled;
    } items[SVC_EVENT__COUNT];
};
/* A signed-in user's choices (role: admin, staff, owner, technician);
 * ERR_FORBIDDEN for an API key (user_id 0). Returns arena memory. */
enum err svc_notify_prefs_get(struct svc *s, struct arena *a, int64_t tenant_id, int64_t user_id,
                              const char *role, struct svc_notify_prefs *out) WUR;
/* Changes them all or nothing: ERR_VALIDATION on "locale" or "mail" (an
 * event the role gets no mails of, or an essential one turned off); out
 * holds the choices afterwards. */
enum err svc_notify_prefs_update(struct svc *s, struct arena *a, int64_t tenant_id, int64_t user_id,
                                 const char *role, const struct svc_notify_prefs_input *in,
                                 struct svc_notify_prefs *out, struct err_detail *d) WUR;
/* The one-click unsubscribe of a mail's link: turns the mail's kind off for
 * its recipient; *event names it (a static string). ERR_NOT_FOUND for a
 * token that is no mail's of this tenant. Saying it twice is fine. */
enum err svc_unsubscribe(struct svc *s, int64_t tenant_id, const char *token,
                         const char **event) WUR;

/* A customer's low-balance threshold of one credit type (balance.low). */
#define SVC_THRESHOLDS_MAX 16
struct svc_threshold {
    const char *credit_type;
    int scale;
    int64_t threshold_minor; /* -1 = none */
};
/* The thresholds of every credit type of the tenant (ERR_NOT_FOUND for an
 * unknown customer). out has room for SVC_THRESHOLDS_MAX. */
enum err svc_thresholds_get(struct svc *s, struct arena *a, int64_t tenant_id, int64_t customer_id,
                            struct svc_threshold *out, size_t *n_out) WUR;
/* Sets the thresholds given (-1 removes one) in one transaction, then reads
 * them all; ERR_VALIDATION on "credit_type" for an unknown type. A balance
 * already below a new threshold is not told until it crosses again. */
enum err svc_thresholds_set(struct svc *s, struct arena *a, int64_t tenant_id, int64_t customer_id,
                            const struct svc_threshold *in, size_t n, struct svc_threshold *out,
                            size_t *n_out, struct err_detail *d) WUR;
/* ---- webhook endpoints and the event log (svc_webhook.c) --------------- */

/*
 * Where an admin wants events posted (DESIGN §6). An endpoint's public id is
 * "whe_<id>", a delivery's "dlv_<id>", a delivery attempt's "att_<id>". The
 * signing secret is "whsec_" and 64 hex digits (32 random bytes); only
 * create and rotate hand it out, every read returns the row with secret NULL.
 *
 * A URL is http:// or https:// with a host, no user information, at most
 * WEBHOOK_URL_BYTES_MAX bytes. A host that is an address (IPv4 in any form
 * libcurl reads, such as 2130706433 or 127.1; IPv6 in brackets) must be of a
 * class notify_addr_is_allowed admits (loopback, private and shared only
 * with s->webhook_allow_private; link-local, unspecified, multicast,
 * broadcast and reserved never): ERR_VALIDATION on "url" naming the class
 * otherwise. A host name is judged when the dispatcher resolves it, at each
 * delivery, not here: its addresses can change.
 */
#define SVC_WEBHOOK_SECRET_PREFIX "whsec_"
#define SVC_WEBHOOK_SECRET_TEXT   (sizeof(SVC_WEBHOOK_SECRET_PREFIX) - 1 + 2 * 32 + 1)
/* Entries of an endpoint's list of event types, duplicates included (they
 * are dropped, but a list is read whole first): every type a few times over. */
#define SVC_WEBHOOK_EVENTS_MAX 64

struct svc_webhook_input {
    const char *url;           /* create: required; update: NULL keeps */
    const char *const *events; /* type names, or "*" alone for every type */
    size_t n_events;           /* create: at least 1; update: 0 keeps */
    const char *description;   /* NULL: "" on create, kept on update */
    bool set_disabled;         /* update: disabled says the new state */
    bool disabled;
};

/* Checks a list of event type names as the endpoints take it: at least one,
 * each a known type or "*" standing alone, at most SVC_WEBHOOK_EVENTS_MAX
 * entries. ERR_VALIDATION on "events" naming the first unknown one. Pure. */
enum err svc_webhook_events_check(const char *const *events, size_t n, struct err_detail *d) WUR;

/*
 * Creates an endpoint of the tenant: url and events checked as above,
 * duplicate types dropped and the rest kept in the order of SVC_EVENT_TYPES
 * (stored "a,b" or "*"), description checked by svc_text_check (optional,
 * NOTE_BYTES_MAX). out receives the new row (arena memory) with its secret,
 * which is also copied into secret. ERR_VALIDATION with the field;
 * nothing is written then.
 */
enum err svc_webhook_create(struct svc *s, struct arena *a, int64_t tenant_id,
                            const struct svc_webhook_input *in, struct webhook_endpoint_row *out,
                            char secret[SVC_WEBHOOK_SECRET_TEXT], struct err_detail *d) WUR;
/* The tenant's endpoints, ascending id, secrets NULL (arena memory). */
enum err svc_webhook_list(struct svc *s, struct arena *a, int64_t tenant_id,
                          struct webhook_endpoint_row **out, size_t *n) WUR;
/* One endpoint, secret NULL; ERR_NOT_FOUND outside the tenant. */
enum err svc_webhook_get(struct svc *s, struct arena *a, int64_t tenant_id, int64_t id,
                         struct webhook_endpoint_row *out) WUR;
/*
 * Changes what in gives (see svc_webhook_input), checked as on create.
 * Disabling notes who did it in disabled_reason ("disabled by <actor>");
 * enabling a disabled endpoint clears disabled_reason and failing_since, so
 * its run of failures starts afresh. out receives the row after the change,
 * secret NULL. ERR_NOT_FOUND, ERR_VALIDATION; nothing changes then.
 */
enum err svc_webhook_update(struct svc *s, struct arena *a, int64_t tenant_id,
                            const struct svc_actor *actor, int64_t id,
                            const struct svc_webhook_input *in, struct webhook_endpoint_row *out,
                            struct err_detail *d) WUR;
/* Deletes an endpoint and, in the same transaction, marks its pending
 * deliveries skipped ("endpoint deleted"); its delivery log stays.
 * ERR_NOT_FOUND. */
enum err svc_webhook_delete(struct svc *s, int64_t tenant_id, int64_t id) WUR;
/* Gives the endpoint a new secret; the old one signs nothing from the
 * commit on. out and secret as for create. ERR_NOT_FOUND. */
enum err svc_webhook_rotate_secret(struct svc *s, struct arena *a, int64_t tenant_id, int64_t id,
                                   struct webhook_endpoint_row *out,
                                   char secret[SVC_WEBHOOK_SECRET_TEXT]) WUR;

/* One row of an endpoint's delivery log with the event it delivered. */
struct svc_delivery_attempt {
    struct delivery_attempt_row row;
    int64_t event_id; /* 0 when its delivery is gone */
};
struct svc_delivery_attempts {
    struct svc_delivery_attempt *items;
    size_t n;
    bool more; /* another page follows the last item */
};
/* The endpoint's delivery log, newest first, attempt ids below before_id (0 =
 * from the newest), at most limit (> 0). ERR_NOT_FOUND for an endpoint the
 * tenant does not have (any more). Arena memory. */
enum err svc_webhook_attempts_read(struct svc *s, struct arena *a, int64_t tenant_id,
                                   int64_t endpoint_id, int64_t before_id, size_t limit,
                                   struct svc_delivery_attempts *out) WUR;
/*
 * Sends a webhook delivery again: a new pending delivery of the same event
 * to the same endpoint, due now, which the dispatcher picks up; the old one
 * stays as it is. out receives the new row (arena memory). ERR_NOT_FOUND for
 * a delivery the tenant does not have; ERR_CONFLICT for a mail delivery, an
 * endpoint that was deleted or is disabled (enable it first).
 */
enum err svc_delivery_resend(struct svc *s, struct arena *a, int64_t tenant_id, int64_t delivery_id,
                             struct delivery_row *out, struct err_detail *d) WUR;

/* The event log: the tenant's events, newest first, ids below before_id (0
 * = from the newest), at most limit (> 0), of one type (NULL = all;
 * ERR_VALIDATION on "type" for an unknown one). Arena memory. */
struct svc_events {
    struct event_row *items;
    size_t n;
    bool more;
};
enum err svc_events_read(struct svc *s, struct arena *a, int64_t tenant_id, const char *type,
                         int64_t before_id, size_t limit, struct svc_events *out,
                         struct err_detail *d) WUR;
/* One event with its deliveries, ascending id. ERR_NOT_FOUND outside the
 * tenant. */
struct svc_event_view {
    struct event_row event;
    struct delivery_row *deliveries;
    size_t n_deliveries;
};
enum err svc_event_read(struct svc *s, struct arena *a, int64_t tenant_id, int64_t event_id,
                        struct svc_event_view *out) WUR;

/* ---- files (svc_file.c) ------------------------------------------------ */

/*
 * An upload being received: streamed to a temporary file in the files
 * directory while it is counted and hashed, never held whole in memory. The
 * caller owns the struct and ends it with svc_upload_discard (which deletes
 * the temporary file unless an operation below took it).
 */
struct svc_upload {
    struct blob_tmp tmp;
    bool open, sealed;
    int64_t size_bytes;
    char sha256[SHA256_HEX]; /* once sealed */
    char name[FILE_NAME_BYTES_MAX + 1];
};
/* Starts an upload of a file the client calls client_name (sanitized here,
 * NULL = "file"). ERR_STORAGE_UNAVAILABLE without a files directory. */
enum err svc_upload_begin(struct svc *s, struct svc_upload *up, const char *client_name) WUR;
enum err svc_upload_write(struct svc_upload *up, const void *data, size_t n) WUR;
/* Makes the bytes durable and computes size and SHA-256. */
enum err svc_upload_seal(struct svc_upload *up) WUR;
void svc_upload_discard(struct svc_upload *up);

struct svc_file_input {
    int64_t customer_id;      /* the owner (without order_id) */
    int64_t order_id;         /* 0: an original waiting for its order */
    int64_t only_customer_id; /* a member's customer: the order must be theirs */
};
struct svc_file_result {
    struct file_row file;
    const char *duplicate_of; /* a recent order with the same original, or NULL */
};
/*
 * Stores a sealed upload as an original: of a customer, waiting for its order
 * (order_id 0), or on an open order (submitted or in_progress), recorded in
 * the order's history. The contents are moved into place before the row
 * commits and deleted again when it does not. ERR_VALIDATION on "file" for
 * an empty file; ERR_NOT_FOUND for an order or customer out of reach;
 * ERR_ORDER_STATE for a closed order; ERR_INSUFFICIENT_STORAGE and
 * ERR_STORAGE_UNAVAILABLE from the disk.
 */
enum err svc_file_upload(struct svc *s, struct arena *a, int64_t tenant_id,
                         const struct svc_actor *actor, const struct svc_file_input *in,
                         struct svc_upload *up, struct svc_file_result *out,
                         struct err_detail *d) WUR;
/* Staff deliver the modified file: it is stored on the open order and the
 * order completes in the same transaction (capturing a hold, rule 14). */
enum err svc_order_deliver(struct svc *s, struct arena *a, int64_t tenant_id,
                           const struct svc_actor *actor, int64_t order_id, struct svc_upload *up,
                           struct svc_file_result *out, struct err_detail *d) WUR;
/* A file of the tenant (only_customer_id != 0: of that customer only;
 * ERR_NOT_FOUND otherwise). */
enum err svc_file_get(struct svc *s, struct arena *a, int64_t tenant_id, int64_t file_id,
                      int64_t only_customer_id, struct file_row *out) WUR;
/* Opens the contents of a file read with svc_file_get: *fd and *size_bytes
 * are the caller's. ERR_FILE_PURGED once purged. */
enum err svc_file_open(struct svc *s, const struct file_row *f, int *fd, int64_t *size_bytes) WUR;
/* Deletes a file's contents and keeps its row (name, size, hash, purged_at,
 * purged_by), noted in its order's history. ERR_ORDER_OPEN while its order
 * is submitted or in_progress. Purging again changes nothing. out receives
 * the row after it. */
enum err svc_file_purge(struct svc *s, struct arena *a, int64_t tenant_id,
                        const struct svc_actor *actor, int64_t file_id, struct file_row *out,
                        struct err_detail *d) WUR;
/* Purges every file due at now_us (0 = the clock): contents of orders closed
 * longer ago than their tenant's file_retention_days, and uploads that never
 * reached an order a day after the duplicate window. *count receives how
 * many. */
enum err svc_files_purge_due(struct svc *s, int64_t now_us, int64_t *count) WUR;

/* ---- reads ------------------------------------------------------------- */

struct svc_balance {
    int64_t credit_type_id;
    const char *credit_type;
    int scale;
    bool spendable;
    int64_t balance_minor;   /* in the balance: live lots and held credits */
    int64_t available_minor; /* usable now */
    int64_t held_minor;
};

/* The customer's balances per credit type of the tenant (all types listed). */
enum err svc_balances(struct svc *s, struct arena *a, int64_t tenant_id, int64_t customer_id,
                      struct svc_balance **out, size_t *n) WUR;

/* ---- reads for operators (svc_status.c) -------------------------------- */

/* The store's backend: "sqlite" or "postgresql". */
const char *svc_backend_name(const struct svc *s);
/* Journal entries committed by this process, by kind (for /metrics). */
uint64_t svc_journal_committed(enum journal_kind kind);
/* The database answers a read; *tenants receives how many tenants it holds. */
enum err svc_ready(struct svc *s, int64_t *tenants) WUR;
/* Every tenant's id, ascending (arena memory). */
enum err svc_tenant_ids(struct svc *s, struct arena *a, int64_t **ids, size_t *n) WUR;
/* A tenant with its number of customers and its booked balances per credit
 * type, read in one snapshot (arena memory). */
struct svc_tenant_status {
    struct tenant_row tenant;
    int64_t customers;
    struct svc_types types;
    struct outstanding_row *sums;
    size_t n_sums;
};
enum err svc_tenant_status(struct svc *s, struct arena *a, int64_t tenant_id,
                           struct svc_tenant_status *out) WUR;
/* How many customers the tenant has. */
enum err svc_customer_count(struct svc *s, int64_t tenant_id, int64_t *count) WUR;
/* The tenant's journal, oldest first, each row passed to cb, in one read
 * snapshot; types receives the tenant's credit types before the first row.
 * An error from cb ends the scan and is returned. */
enum err svc_journal_export(struct svc *s, struct arena *a, int64_t tenant_id,
                            struct svc_types *types, store_journal_cb cb, void *ctx) WUR;

/* ---- reads for the API (svc_read.c) ------------------------------------ */

/* The type with id among types, NULL when absent. */
const struct credit_type_row *svc_type_find(const struct svc_types *types, int64_t id);

/* Credit types, packages (published_only: published and not archived) and
 * services of a tenant, in sort order. Returns arena memory. */
struct svc_catalog {
    struct svc_types types;
    struct package_row *packages;
    size_t n_packages;
    struct service_row *services;
    size_t n_services;
};
enum err svc_catalog_read(struct svc *s, struct arena *a, int64_t tenant_id, bool published_only,
                          struct svc_catalog *out) WUR;

/* A customer with its balance in every credit type (and, read alone, its
 * members). */
struct svc_customer_view {
    struct customer_row row;
    struct svc_balance *balances;
    size_t n_balances;
    struct member_row *members;
    size_t n_members;
    /* svc_customer_read: members × balances, each member's monthly limit in
     * the balance's credit type (-1: none) */
    int64_t *member_limits_minor;
};
struct svc_customer_page {
    struct svc_customer_view *items;
    size_t n;
    bool more; /* another page follows the last item */
};
/* Customers whose name or e-mail contains q and of status (NULL or "" =
 * any), ids above after_id, at most limit (> 0), ascending id. */
enum err svc_customer_list_read(struct svc *s, struct arena *a, int64_t tenant_id, const char *q,
                                const char *status, int64_t after_id, size_t limit,
                                struct svc_customer_page *out) WUR;
/* A member's monthly limit in one credit type and what their orders took
 * of it since the calendar month began in the business's zone (rule 12). */
struct svc_member_month {
    const char *credit_type; /* code, arena memory */
    int scale;
    int64_t limit_minor;
    int64_t spent_minor;
};
/* The limits set for user_id in customer_id (types without a limit are left
 * out), each with this month's spending; *out in arena memory. */
enum err svc_member_month_read(struct svc *s, struct arena *a, int64_t tenant_id,
                               int64_t customer_id, int64_t user_id, struct svc_member_month **out,
                               size_t *n) WUR;
/* One customer with balances and members; ERR_NOT_FOUND outside the tenant. */
enum err svc_customer_read(struct svc *s, struct arena *a, int64_t tenant_id, int64_t customer_id,
                           struct svc_customer_view *out) WUR;

struct svc_lots {
    struct svc_types types;
    struct lot_row *items;
    size_t n;
    struct lot_event_row *history; /* svc_lot_read with history */
    size_t n_history;
};
/* All lots of a customer, newest first; ERR_NOT_FOUND outside the tenant. */
enum err svc_lots_read(struct svc *s, struct arena *a, int64_t tenant_id, int64_t customer_id,
                       struct svc_lots *out) WUR;
/* One lot as items[0] (and its history, oldest first). only_customer_id != 0
 * makes another customer's lot ERR_NOT_FOUND. */
enum err svc_lot_read(struct svc *s, struct arena *a, int64_t tenant_id, int64_t lot_id,
                      int64_t only_customer_id, bool with_history, struct svc_lots *out) WUR;

struct svc_order_view {
    struct order_row row;
    struct order_line_row *lines; /* svc_order_read only */
    size_t n_lines;
    struct allocation_row *allocations;
    size_t n_allocations;
    struct order_event_row *events; /* svc_order_read only: the history */
    size_t n_events;
    struct file_row *files; /* svc_order_read only: originals and deliveries */
    size_t n_files;
};
struct svc_orders {
    struct svc_types types;
    struct svc_order_view *items;
    size_t n;
    bool more;
};
/* Orders newest first as the filter says (see store_order_list; its limit
 * > 0); more tells whether a next page exists. */
enum err svc_orders_read(struct svc *s, struct arena *a, int64_t tenant_id,
                         const struct order_filter *f, struct svc_orders *out) WUR;
/* One order as items[0] with lines and allocations; only_customer_id as for lots. */
enum err svc_order_read(struct svc *s, struct arena *a, int64_t tenant_id, int64_t order_id,
                        int64_t only_customer_id, struct svc_orders *out) WUR;

struct svc_ledger_query {
    int64_t customer_id;     /* 0 = all */
    const char *credit_type; /* code, NULL = all */
    const char *kind;        /* NULL = all */
    const char *actor;       /* NULL = all */
    int64_t from_us, to_us;  /* 0 = open; to exclusive */
    int64_t cursor_id;       /* the last id already seen, 0 = start */
    int64_t until_id;        /* oldest first: no entry after this id, 0 = no bound */
    bool oldest_first;       /* newest first otherwise */
    bool heavy;              /* an export: may run on the read replica */
    size_t limit;            /* 0 = no limit */
};
/*
 * Runs cb for each journal entry matching q in one snapshot. cb first gets a
 * NULL row each time the scan (re)starts, so it can drop what it collected;
 * rows and their strings are valid only during the call. types receives the
 * tenant's credit types before that. ERR_VALIDATION with field "credit_type"
 * for an unknown code, "to" for a range that is empty.
 */
enum err svc_ledger_scan(struct svc *s, struct arena *a, int64_t tenant_id,
                         const struct svc_ledger_query *q, struct svc_types *types,
                         store_journal_cb cb, void *ctx, struct err_detail *d) WUR;

/* Per credit type (parallel arrays of n): credits in (sum of positive
 * amounts) and out (negative amounts, as a positive number) in [from, to),
 * and the current balance. to_us 0 = open. */
struct svc_summary {
    struct svc_types types;
    size_t n;
    struct svc_balance *balances;
    int64_t *purchased_minor;
    int64_t *used_minor;
};
enum err svc_customer_summary_read(struct svc *s, struct arena *a, int64_t tenant_id,
                                   int64_t customer_id, int64_t from_us, int64_t to_us,
                                   struct svc_summary *out, struct err_detail *d) WUR;

/* Dashboards: one insight per credit type over the last SVC_DASHBOARD_DAYS
 * local days of the tenant's zone (daily_minor[0] is the oldest day). */
#define SVC_DASHBOARD_DAYS     30
#define SVC_EXPIRING_SOON_DAYS 30
#define SVC_RECENT_ADJUSTMENTS 10
struct svc_type_insight {
    const struct credit_type_row *type;
    struct svc_balance balance;              /* admin: the tenant's outstanding balance and held */
    int64_t value_minor;                     /* balance × unit value, money */
    int64_t in_month_minor, out_month_minor; /* member: this calendar month */
    int64_t purchased_minor, used_minor;     /* member: lifetime in and out */
    int64_t daily_minor[SVC_DASHBOARD_DAYS]; /* member: spent; admin: sold */
    struct lot_row *expiring;                /* member: active lots expiring soon */
    size_t n_expiring;
};
struct svc_dashboard {
    struct svc_types types;
    struct svc_type_insight *per_type; /* n, in the order of types */
    size_t n;
    int64_t first_day_us;       /* local midnight of the first day */
    int64_t month_start_us;     /* local midnight of this month's first day */
    struct journal_row *recent; /* admin: newest manual adjustments */
    size_t n_recent;
    int64_t orders_submitted;   /* admin: orders waiting to be taken */
    int64_t orders_in_progress; /* admin: orders being worked on */
};
/* A member's view of their customer. ERR_NOT_FOUND outside the tenant. */
enum err svc_member_dashboard_read(struct svc *s, struct arena *a, int64_t tenant_id,
                                   int64_t customer_id, struct svc_dashboard *out) WUR;
/* The team's view: credits sold per day, outstanding balances, adjustments,
 * and how many orders wait. */
enum err svc_admin_dashboard_read(struct svc *s, struct arena *a, int64_t tenant_id,
                                  struct svc_dashboard *out) WUR;

/* ---- authentication ---------------------------------------------------- */

/* Who is calling, once a session or API key is resolved. */
struct svc_principal {
    int64_t tenant_id;
    int64_t user_id;     /* 0 for an API key */
    int64_t api_key_id;  /* 0 for a session */
    const char *email;   /* the actor label */
    const char *role;    /* admin | staff | owner | technician */
    int64_t customer_id; /* owner and technician: their customer */
    /* Why a member may only read and manage their own account: ERR_OK (no
     * reason), ERR_EMAIL_UNVERIFIED, or ERR_CUSTOMER_PENDING (the business
     * has not approved the customer, or rejected it). */
    enum err hold;
    char csrf_token[SHA256_HEX];
    bool totp_enabled; /* the user signs in with a second factor */
    /* A staff user or admin of a tenant that requires two factors, without
     * them: may only see who they are, enrol and sign out. */
    bool totp_enrolment_required;
};

/* A session's lifetimes: idle and absolute. */
#define SESSION_IDLE_US     (2 * USEC_PER_HOUR)
#define SESSION_ABSOLUTE_US (7 * USEC_PER_DAY)
/* Secrets handed out: 32 random bytes as hex. */
#define SECRET_HEX (2 * 32 + 1)

/* Checks e-mail and password and opens a session. ERR_UNAUTHENTICATED for a
 * wrong password, an unknown e-mail or a disabled user (indistinguishable).
 * token receives the session secret (for the cookie), never stored. */
enum err svc_login(struct svc *s, struct arena *a, int64_t tenant_id, const char *email,
                   const char *password, char token[SECRET_HEX], struct svc_principal *out) WUR;
/*
 * Failed sign-ins are counted per account and address pair (the e-mail as
 * typed, known or not, from one client address) and per client address
 * (IPv6 by its /64, which one client usually holds whole) of a tenant, in
 * the database (login_throttle), so every server on it counts together and
 * a restart forgets nothing. Nothing is counted per account alone: a
 * stranger's failures lock the stranger's own address out, never the
 * account's owner signing in from elsewhere. The first failures of a run are
 * free (LOGIN_THROTTLE_PAIR_MAX for a pair, LOGIN_THROTTLE_ADDRESS_MAX for an
 * address); after those, each failure makes the subject wait before its next
 * attempt, twice as long each time: LOGIN_THROTTLE_PAIR_DELAY_US after the
 * first, then double, at most LOGIN_THROTTLE_WINDOW_US. While it waits every
 * sign-in of the subject is refused, the right password included, and a
 * refused attempt neither counts nor moves the wait. A run ends after a
 * quiet LOGIN_THROTTLE_WINDOW_US with no failure.
 */
#define LOGIN_THROTTLE_PAIR_MAX         5
#define LOGIN_THROTTLE_ADDRESS_MAX      20
#define LOGIN_THROTTLE_PAIR_DELAY_US    (60 * USEC_PER_SEC)
#define LOGIN_THROTTLE_ADDRESS_DELAY_US (30 * USEC_PER_SEC)
#define LOGIN_THROTTLE_WINDOW_US        (15 * USEC_PER_MIN)

/* svc_login behind the throttle. Reads the two subjects' counts first (a read,
 * no write): ERR_THROTTLED with *retry_after_s (seconds until the longer of
 * the two waits ends) without checking the password. Then svc_login; only
 * its ERR_UNAUTHENTICATED counts a failure for both subjects (one upsert,
 * one write transaction); when that cannot be written its error is returned
 * instead, so a wrong password is never answered as wrong while uncounted.
 * A successful sign-in writes nothing here. client NULL or family 0 counts
 * as the address "unknown". */
enum err svc_login_throttled(struct svc *s, struct arena *a, int64_t tenant_id, const char *email,
                             const char *password, const struct net_addr *client,
                             char token[SECRET_HEX], struct svc_principal *out,
                             int64_t *retry_after_s) WUR;
/* Deletes the counts whose window has ended at now_us (0 = the clock), of
 * every tenant (a background job, svc_jobs_run), so the table holds only the
 * last window's subjects. */
enum err svc_login_throttle_prune(struct svc *s, int64_t now_us) WUR;
/* The principal of a live session (ERR_UNAUTHENTICATED when unknown, revoked,
 * idle too long or too old). */
enum err svc_session_resolve(struct svc *s, struct arena *a, int64_t tenant_id, const char *token,
                             struct svc_principal *out) WUR;
enum err svc_logout(struct svc *s, int64_t tenant_id, const char *token) WUR;
/* A new API key for a role (admin or staff), made by actor (its label is
 * created_by; the security log names it), valid until expires_at_us (0 =
 * until revoked; else in the future, or ERR_VALIDATION on expires_at); key
 * receives "cd_" + secret. */
#define API_KEY_TEXT (3 + SECRET_HEX)
enum err svc_apikey_create(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                           const char *role, const char *name, int64_t expires_at_us,
                           char key[API_KEY_TEXT], int64_t *id, struct err_detail *d) WUR;
enum err svc_apikey_resolve(struct svc *s, struct arena *a, int64_t tenant_id, const char *key,
                            struct svc_principal *out) WUR;
/* Revokes an API key of the tenant: refused from the next request on, on every
 * server (the auth epoch moves). ERR_NOT_FOUND for no such live key. */
enum err svc_apikey_revoke(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                           int64_t id) WUR;
/* The tenant's API keys, revoked ones too (rows hold hashes, never keys). */
enum err svc_apikey_list(struct svc *s, struct arena *a, int64_t tenant_id,
                         struct api_key_row **out, size_t *n) WUR;

/* ---- two-factor sign-in (svc_totp.c) ----------------------------------- */

/*
 * A user with two factors on signs in with a 6-digit code of an RFC 6238
 * authenticator app, or with one of ten single-use recovery codes. A code's
 * time step must be later than the last one accepted (a code works once),
 * and recovery codes are kept as SHA-256 only. Every change of a user's
 * state, and of the tenant's totp_required, moves the tenant's auth epoch.
 */
#define TOTP_RECOVERY_CODES     10
#define TOTP_RECOVERY_CODE_TEXT 13 /* "xxxx-xxxx-xx" and the terminator */

/* svc_login_throttled with the second factor: totp is a 6-digit code or a
 * recovery code (used up); NULL or "" = none given. For a user with two
 * factors on, after the right password: ERR_TOTP_REQUIRED when the code is
 * missing, wrong or used, counted as a failure like ERR_UNAUTHENTICATED. A
 * wrong password stays ERR_UNAUTHENTICATED whatever the code. client may be
 * NULL (no address). */
enum err svc_login_with_code(struct svc *s, struct arena *a, int64_t tenant_id, const char *email,
                             const char *password, const char *totp, const struct net_addr *client,
                             char token[SECRET_HEX], struct svc_principal *out,
                             int64_t *retry_after_s) WUR;

struct svc_totp_enrolment {
    char secret[TOTP_SECRET_TEXT];
    const char *otpauth_uri; /* arena memory: otpauth://totp/<tenant>:<email>?... */
};
/* Starts (or restarts) the enrolment of the actor's user: a new secret is
 * stored pending, 2FA stays off until svc_totp_confirm. ERR_FORBIDDEN for an
 * actor that is no user (an API key), ERR_CONFLICT when 2FA is on already. */
enum err svc_totp_enrol(struct svc *s, struct arena *a, int64_t tenant_id,
                        const struct svc_actor *actor, struct svc_totp_enrolment *out,
                        struct err_detail *d) WUR;

struct svc_totp_codes {
    char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_CODE_TEXT];
};
/* Turns 2FA on when code is the pending secret's current code (one step
 * either side), and hands out the ten recovery codes, once. ERR_VALIDATION on
 * "code" for a wrong code, ERR_CONFLICT when nothing is pending or 2FA is on. */
enum err svc_totp_confirm(struct svc *s, struct arena *a, int64_t tenant_id,
                          const struct svc_actor *actor, const char *code,
                          struct svc_totp_codes *out, struct err_detail *d) WUR;
/* Turns 2FA off after checking the user's password and a code (a recovery
 * code too): the secret and recovery codes are deleted. ERR_VALIDATION on
 * "password" or "code", ERR_CONFLICT when 2FA is off, ERR_THROTTLED (with
 * *retry_after_s) past the attempts allowed in the throttle window. */
enum err svc_totp_disable(struct svc *s, struct arena *a, int64_t tenant_id,
                          const struct svc_actor *actor, const char *password, const char *code,
                          int64_t *retry_after_s, struct err_detail *d) WUR;
/* Replaces the recovery codes after the same checks as svc_totp_disable. */
enum err svc_totp_recovery_renew(struct svc *s, struct arena *a, int64_t tenant_id,
                                 const struct svc_actor *actor, const char *password,
                                 const char *code, struct svc_totp_codes *out,
                                 int64_t *retry_after_s, struct err_detail *d) WUR;
/* The CLI's way back in for a user who lost the device: 2FA off and every
 * session of the user ended. ERR_NOT_FOUND on "email" for no such user,
 * ERR_CONFLICT when 2FA was neither on nor pending. */
enum err svc_totp_reset(struct svc *s, struct arena *a, int64_t tenant_id, const char *email,
                        const struct svc_actor *actor, struct err_detail *d) WUR;

/* ---- expiry and verification ------------------------------------------- */

/* Expires every lot past its expiry at now_us (0 = the clock): one journal
 * entry per lot. *count receives how many lots expired. */
enum err svc_expire(struct svc *s, int64_t now_us, int64_t *count) WUR;

/*
 * Seals every tenant's journal: one seal per tenant whose account chains moved
 * since its last seal, a hash over their heads chained to that seal (see
 * journal_seal_begin). Verify then finds a removed tail of an account's chain,
 * which the chain alone cannot show. *n_seals counts the seals written. Safe to
 * run from several servers at once: a seal written meanwhile by another wins.
 */
enum err svc_seal(struct svc *s, int64_t *n_seals) WUR;

/* What one run of the background jobs did. */
struct svc_jobs_report {
    bool ran; /* false: another server holds the jobs lock and runs them */
    enum err expire_rc, seal_rc, purge_rc, throttle_rc, notice_rc;
    int64_t expired, sealed, purged, noticed; /* lots, seals, files, expiry notices */
};

/* credits.expiring (svc_event.c): for every tenant with expiry_notice_days
 * set, each live lot with credits left that expires within that many days
 * of now_us (0 = the clock) gets one notice, once in its life; *count
 * counts those written. Safe beside another run (the lot's mark decides). */
enum err svc_expiry_notices(struct svc *s, int64_t now_us, int64_t *count) WUR;

/* Runs expiry, seals, the file purge and the prune of ended sign-in throttle
 * windows (at now_us, 0 = the clock) unless
 * another process sharing the database runs them now (report->ran false).
 * Each job's outcome is in the report; the return is ERR_OK, or the failure
 * to ask for the lock (ERR_STORE_BUSY when the database is unreachable). */
enum err svc_jobs_run(struct svc *s, int64_t now_us, struct svc_jobs_report *report) WUR;

/* A finding of verify, in words, naming the row. */
typedef void (*svc_finding_cb)(const char *finding, void *ctx);

/* Recomputes everything from the postings for every tenant and reports each
 * finding to cb; *n_findings counts them. ERR_OK means the check ran, not
 * that it was clean. */
enum err svc_verify(struct svc *s, svc_finding_cb cb, void *ctx, int64_t *n_findings) WUR;
/* The same for one tenant only (the API's /admin/verify). */
enum err svc_verify_tenant(struct svc *s, int64_t tenant_id, svc_finding_cb cb, void *ctx,
                           int64_t *n_findings) WUR;

/* ---- the account life cycle (svc_access.c) ----------------------------- */

/* A reset link's lifetime. */
#define PASSWORD_RESET_TTL_US USEC_PER_HOUR

/* Changes the signed-in user's password after checking current; ends every
 * other session of the user (keep_session, the caller's session token, stays;
 * NULL = none). ERR_VALIDATION naming current_password or new_password. */
enum err svc_password_change(struct svc *s, struct arena *a, int64_t tenant_id,
                             const struct svc_actor *actor, const char *current,
                             const char *password, const char *keep_session,
                             struct err_detail *d) WUR;
/* Mails a reset link (valid PASSWORD_RESET_TTL_US, single use, replacing
 * earlier links) when email names an enabled user; does the same work and
 * answers ERR_OK either way. ERR_THROTTLED (with *retry_after_s) past the
 * requests allowed from the actor's address. */
enum err svc_password_reset_request(struct svc *s, struct arena *a, int64_t tenant_id,
                                    const char *email, const struct svc_actor *actor,
                                    int64_t *retry_after_s) WUR;
/* An admin's reset link to a user of the tenant (ERR_NOT_FOUND: none, or
 * disabled). */
enum err svc_password_reset_send(struct svc *s, struct arena *a, int64_t tenant_id,
                                 const struct svc_actor *actor, int64_t user_id) WUR;
/* Sets the password of the token's user, uses the token, verifies the
 * e-mail and ends every session of the user. ERR_TOKEN_INVALID for a token
 * unknown, used or expired; ERR_VALIDATION for the password. */
enum err svc_password_reset_confirm(struct svc *s, struct arena *a, int64_t tenant_id,
                                    const char *token, const char *password,
                                    const struct svc_actor *actor, struct err_detail *d) WUR;
/* Sets the password of the user with email and ends their sessions (the
 * CLI's reset for an admin who gets no mail). */
enum err svc_password_set(struct svc *s, struct arena *a, int64_t tenant_id, const char *email,
                          const char *password, const struct svc_actor *actor,
                          struct err_detail *d) WUR;
/* The user of the tenant with email (ERR_NOT_FOUND: none). */
enum err svc_user_by_email(struct svc *s, struct arena *a, int64_t tenant_id, const char *email,
                           struct user_row *out) WUR;
/* The tenant's staff and admins, by e-mail. */
enum err svc_users_list(struct svc *s, struct arena *a, int64_t tenant_id, struct user_row **out,
                        size_t *n) WUR;
/* Changes a staff user's or admin's role (NULL = unchanged) and disabled flag
 * (-1 = unchanged); disabling ends the user's sessions. ERR_CONFLICT when no
 * enabled admin would be left; ERR_NOT_FOUND for members and strangers. */
enum err svc_user_update(struct svc *s, struct arena *a, int64_t tenant_id,
                         const struct svc_actor *actor, int64_t user_id, const char *role,
                         int disabled, struct user_row *out, struct err_detail *d) WUR;
/* Removes a member from a customer and ends the member's sessions; an owner
 * (by_owner) removes technicians only, never themself. */
enum err svc_member_remove(struct svc *s, struct arena *a, int64_t tenant_id,
                           const struct svc_actor *actor, bool by_owner, int64_t customer_id,
                           int64_t user_id, struct err_detail *d) WUR;
/* A page of the security log (see struct security_log_filter). */
enum err svc_security_log_list(struct svc *s, struct arena *a, const struct security_log_filter *f,
                               struct security_log_row **out, size_t *n) WUR;

/* ---- coming in: invitations, registration (svc_invite.c, svc_register.c) */

/* An invitation list holds at most this many, newest first. */
#define INVITATIONS_LIST_MAX 200

struct svc_invite_input {
    int64_t tenant_id;
    const struct svc_actor *actor; /* the inviter */
    const char *actor_role;        /* admin | staff | owner */
    int64_t actor_customer_id;     /* an owner's customer */
    const char *email;
    const char *name;    /* optional */
    const char *role;    /* admin | staff | owner | technician */
    int64_t customer_id; /* owners and technicians: their customer; else 0 */
    const char *locale;  /* the mail's language; "" = the business's */
};
/* Invites by mail (a link valid 7 days, once). Admins invite anyone, staff
 * a customer's members, owners their own customer's. ERR_DUPLICATE when a
 * user has the e-mail; ERR_FORBIDDEN for a role the inviter may not give. */
enum err svc_invitation_create(struct svc *s, struct arena *a, const struct svc_invite_input *in,
                               struct invitation_row *out, struct err_detail *d) WUR;
/* The invitations of one customer, or of the whole tenant (customer_id 0),
 * newest first, at most INVITATIONS_LIST_MAX. */
enum err svc_invitations_list(struct svc *s, struct arena *a, int64_t tenant_id,
                              int64_t customer_id, struct invitation_row **out, size_t *n) WUR;
/* Withdraws a pending invitation (of customer_id only, unless 0): the link
 * stops working. ERR_CONFLICT when accepted or withdrawn already. */
enum err svc_invitation_withdraw(struct svc *s, struct arena *a, int64_t tenant_id,
                                 const struct svc_actor *actor, int64_t customer_id, int64_t id,
                                 struct err_detail *d) WUR;
/* What an invitation link is for. */
struct svc_invitation_view {
    struct invitation_row row;
    const char *business;
    const char *customer_name; /* "" for staff and admins */
};
/* The pending invitation of a token; ERR_TOKEN_INVALID for any other. */
enum err svc_invitation_preview(struct svc *s, struct arena *a, int64_t tenant_id,
                                const char *token, struct svc_invitation_view *out,
                                struct err_detail *d) WUR;
/* Accepts: makes the user with password (and name), a member of the
 * customer for owners and technicians, e-mail verified. */
enum err svc_invitation_accept(struct svc *s, struct arena *a, int64_t tenant_id, const char *token,
                               const char *password, const char *name,
                               const struct svc_actor *actor, struct svc_invitation_view *out,
                               int64_t *user_id, struct err_detail *d) WUR;

struct svc_register_input {
    int64_t tenant_id;
    const char *business_name;
    const char *email;
    const char *password;
    const char *name;    /* the owner's; optional */
    const char *country; /* optional */
    const char *vat_id;  /* optional */
    const char *locale;  /* optional */
    const char *address; /* the client's, for the throttle and the log */
};
/* A sign-up: the customer (pending where the business approves sign-ups)
 * and its unverified owner, and a verification link by mail; for an e-mail
 * that has an account, a reset link to it instead, answered the same.
 * ERR_REGISTRATION_CLOSED when the business takes none; ERR_THROTTLED past
 * the sign-ups from one address. */
enum err svc_register(struct svc *s, struct arena *a, const struct svc_register_input *in,
                      int64_t *retry_after_s, struct err_detail *d) WUR;
/* The tenant's registration setting and name (for the sign-in page). */
enum err svc_registration_mode(struct svc *s, struct arena *a, int64_t tenant_id, const char **mode,
                               const char **business) WUR;
/* Confirms the e-mail of the token's user. ERR_TOKEN_INVALID otherwise. */
enum err svc_email_verify(struct svc *s, struct arena *a, int64_t tenant_id, const char *token,
                          const struct svc_actor *actor, struct err_detail *d) WUR;
/* A new verification link for the signed-in user; ERR_CONFLICT when
 * confirmed already. */
enum err svc_email_verify_resend(struct svc *s, struct arena *a, int64_t tenant_id,
                                 const struct svc_actor *actor, int64_t *retry_after_s,
                                 struct err_detail *d) WUR;
/* Approves (pending or rejected → active) or rejects (pending → rejected) a
 * customer; ERR_CONFLICT when it is in neither state. */
enum err svc_customer_review(struct svc *s, struct arena *a, int64_t tenant_id,
                             const struct svc_actor *actor, int64_t customer_id, bool approve,
                             struct err_detail *d) WUR;

/* ---- the business's brand (svc_branding.c) ----------------------------- */

/* The portal's accent colour when the business chose none. */
#define SVC_BRAND_ACCENT_DEFAULT "#1d4ed8"

/* A tenant's brand as the portal uses it: what was set, else the defaults
 * (the tenant's name, SVC_BRAND_ACCENT_DEFAULT). Arena memory. */
struct svc_branding {
    const char *display_name;
    const char *accent_color;                /* "#rrggbb", lower case */
    bool display_name_set, accent_color_set; /* false: the default shows */
    const char *logo_type;                   /* MIME type; NULL without a logo */
    const char *logo_sha256;                 /* of the logo's bytes (its ETag) */
    int64_t logo_bytes;
    int32_t logo_width, logo_height; /* pixels; 0 for SVG */
    int64_t updated_at_us;           /* 0: never changed */
    const char *updated_by;
};
/* ERR_NOT_FOUND for a tenant that does not exist. */
enum err svc_branding_get(struct svc *s, struct arena *a, int64_t tenant_id,
                          struct svc_branding *out) WUR;
/* A change of the texts: NULL keeps one, "" goes back to the default. */
struct svc_branding_change {
    const char *display_name; /* at most BRAND_NAME_BYTES_MAX, no control characters */
    const char *accent_color; /* "#rrggbb" with white text on it at 4.5:1 or more */
};
/* ERR_VALIDATION on "display_name" or "accent_color" (the contrast it has
 * and needs in the message); nothing changes then. out: the brand after. */
enum err svc_branding_update(struct svc *s, struct arena *a, int64_t tenant_id,
                             const struct svc_actor *actor, const struct svc_branding_change *in,
                             struct svc_branding *out, struct err_detail *d) WUR;
/* Replaces the logo with n bytes checked by brand_logo_check (by content;
 * ERR_VALIDATION or ERR_TOO_LARGE on "file"). out: the brand after. */
enum err svc_branding_logo_set(struct svc *s, struct arena *a, int64_t tenant_id,
                               const struct svc_actor *actor, const uint8_t *data, size_t n,
                               struct svc_branding *out, struct err_detail *d) WUR;
/* The same with a sealed upload (read whole: it is at most
 * BRAND_LOGO_BYTES_MAX, else ERR_TOO_LARGE without reading it). */
enum err svc_branding_logo_upload(struct svc *s, struct arena *a, int64_t tenant_id,
                                  const struct svc_actor *actor, struct svc_upload *up,
                                  struct svc_branding *out, struct err_detail *d) WUR;
/* Removes the logo (none already is ERR_OK). out: the brand after. */
enum err svc_branding_logo_delete(struct svc *s, struct arena *a, int64_t tenant_id,
                                  const struct svc_actor *actor, struct svc_branding *out) WUR;
/* The logo with what describes it; ERR_NOT_FOUND without one. Arena memory. */
struct svc_logo {
    const uint8_t *bytes;
    size_t len;
    const char *content_type; /* image/png, image/jpeg or image/svg+xml */
    const char *sha256;
    int32_t width, height; /* pixels; 0 for SVG */
};
enum err svc_branding_logo_read(struct svc *s, struct arena *a, int64_t tenant_id,
                                struct svc_logo *out) WUR;
/* For documents (invoices, PDFs): the logo's bytes, length and MIME type in
 * arena memory; ERR_NOT_FOUND when the business has none. An SVG is as the
 * admin uploaded it (not cleaned): render it as an image only. */
enum err svc_branding_logo(struct svc *s, struct arena *a, int64_t tenant_id, const uint8_t **bytes,
                           size_t *len, const char **content_type) WUR;

#endif
