/*
 * store: where creditd keeps its state, behind one interface with two
 * backends, SQLite (embedded default) and PostgreSQL.
 *
 * Two levels live here. The backend level (struct store_ops) is small:
 * connections, transactions and statements. The question level (store_*
 * functions below) is every question the service layer asks, written once in
 * store_query.c over the backend level: the SQL is portable ($N parameters,
 * RETURNING, ON CONFLICT), so it is not written twice. A query whose text ends
 * in " FOR UPDATE" takes row locks on PostgreSQL; SQLite, whose single writer
 * already excludes every other writer, prepares it without that suffix.
 *
 * Concurrency: every change runs in store_write(), every read in store_read().
 * SQLite has exactly one writer connection on one thread; store_write hands
 * the work to that thread, which batches concurrent callers into one durable
 * commit (group commit), each caller in its own savepoint. PostgreSQL runs
 * each write on a pooled connection in its own transaction with row locks and
 * retries it on a deadlock or serialization failure. The work function may
 * therefore run more than once: it must not touch anything but the store and
 * its own context, and it sets its outputs rather than adding to them.
 *
 * A failed statement fails the whole work function (PostgreSQL aborts the
 * transaction at once): a function that gets an error returns it. Queries
 * that lock (" FOR UPDATE", lock = true below) run only inside store_write;
 * PostgreSQL refuses them in a read-only transaction. Parameters reach
 * PostgreSQL as untyped text, so each must appear where its type can be
 * inferred (next to a column), never bare.
 *
 * Must not: know about HTTP, JSON or the CLI; decide ledger rules.
 */
#ifndef CREDITD_STORE_H
#define CREDITD_STORE_H

#include "base/base.h"
#include "core/core.h"

struct store;
struct store_conn;
struct store_stmt;

/* ---- backend level ----------------------------------------------------- */

/* One versioned schema migration, embedded from src/store/sql/<backend>/. */
struct store_migration {
    int version;
    const char *name;
    const char *sql;
};

enum store_step { STORE_ROW, STORE_DONE, STORE_FAILED };

/* The locks that let one process of all that share a database run a kind of
 * background work at a time (store_jobs_lock). */
enum store_lock {
    STORE_LOCK_JOBS,     /* expiry, seals, purges, notices */
    STORE_LOCK_DISPATCH, /* the notifications' dispatcher */
    STORE_LOCK__COUNT
};

/* Queries that cannot be written once for both backends. */
enum store_sql {
    /* One row, one column: an id for a new order that no other transaction
     * gets, taken without a lock held to commit (order references derive
     * from it, so no counter row serializes the orders of a tenant). */
    STORE_SQL_ORDER_ID_NEXT,
    /* One row, one text column: the position in the write-ahead log up to
     * which everything committed on this (primary) server is included.
     * NULL: the backend has no replicas. */
    STORE_SQL_WAL_POSITION,
    /* $1 a WAL position: one row, one integer column, 1 when this server
     * (a replica) has replayed at least that far, or is no replica. */
    STORE_SQL_REPLICA_CAUGHT_UP,
    /* $1 the primary's WAL position: one row, the bytes this replica has
     * still to replay and the milliseconds its replay is behind (0 when it
     * has replayed everything it received). */
    STORE_SQL_REPLICA_LAG,
};

typedef enum err (*store_txn_fn)(struct store_conn *c, void *ctx);

struct store_ops {
    const char *name;
    /* Opens a database: SQLite gets the path after "sqlite:", PostgreSQL the
     * whole URL. */
    enum err (*open)(const char *target, struct store **out, struct err_detail *d);
    void (*close)(struct store *st);
    /* Runs fn inside one write transaction (see the file comment). */
    enum err (*write)(struct store *st, store_txn_fn fn, void *ctx);
    /* The same for a write that locks rows of one key (a customer of tenant
     * group) only: writes of one key may share a transaction and its commit
     * with others of keys that never meet theirs (PostgreSQL's group commit);
     * on a database distributed by tenant, only with writes of the same
     * group. NULL: as write. */
    enum err (*write_keyed)(struct store *st, int64_t group, int64_t key, store_txn_fn fn,
                            void *ctx);
    /* Runs fn inside one read-only transaction with a consistent snapshot. */
    enum err (*read)(struct store *st, store_txn_fn fn, void *ctx);
    /* Executes SQL text of one or more statements without results (DDL). */
    enum err (*exec)(struct store_conn *c, const char *sql);
    /* A prepared statement for sql, cached per connection by the pointer:
     * sql must be a string literal or otherwise outlive the store. */
    enum err (*prepare)(struct store_conn *c, const char *sql, struct store_stmt **out);
    void (*bind_int64)(struct store_stmt *s, int index, int64_t v);
    /* Text is copied; NULL binds NULL. Binding again after a step needs finish. */
    void (*bind_text)(struct store_stmt *s, int index, const char *v);
    void (*bind_null)(struct store_stmt *s, int index);
    enum store_step (*step)(struct store_stmt *s);
    /* Runs a bound statement whose rows nobody reads, and finishes it. The
     * backend may only send it now (PostgreSQL's pipeline mode) and report
     * its failure at the next statement or when the write's work ends, which
     * then fails the write as a failed step would. NULL: step and finish. */
    enum err (*send)(struct store_stmt *s);
    /* Integer (or NULL, read as 0) columns only. */
    int64_t (*column_int64)(struct store_stmt *s, int column);
    const char *(*column_text)(struct store_stmt *s, int column); /* NULL reads as "" */
    bool (*column_is_null)(struct store_stmt *s, int column);
    /* Ends a statement's use: clears bindings and results for the next use. */
    void (*finish)(struct store_stmt *s);
    /* The error of the last failed step on this connection, for the log. */
    const char *(*last_error)(struct store_conn *c);
    /* The failure kind of the last failed step: ERR_DUPLICATE for a unique
     * violation, ERR_CONFLICT for a check, foreign key or not-null violation,
     * ERR_STORE_BUSY (locked, lost connection: the outcome of a commit may be
     * unknown), ERR_IO (disk full), ERR_STORE. */
    enum err (*last_err)(struct store_conn *c);
    /* The backend's migrations, ascending. */
    const struct store_migration *migrations;
    size_t n_migrations;
    /* Writes a consistent copy of the database to path: every transaction
     * committed before it began, none after (ERR_USAGE when the backend has
     * no online backup and prints advice instead, or when path is the
     * database itself). */
    enum err (*backup)(struct store *st, const char *path, struct err_detail *d);
    /* The backend's text of a query of enum store_sql (a string literal). */
    const char *(*sql)(struct store_conn *c, enum store_sql which);
    /* Claims the database for this process's server until close, refusing
     * (ERR_CONFLICT, d names the database) while another process holds it.
     * NULL: any number of servers may share the database. */
    enum err (*claim)(struct store *st, struct err_detail *d);
    /* Takes the lock of the background jobs if no other process holds it:
     * *held says whether it did. It is held by this process (a database
     * session on PostgreSQL, so a crashed holder drops it) until jobs_unlock.
     * NULL: one process per database, always held. */
    enum err (*jobs_lock)(struct store *st, enum store_lock which, bool *held);
    void (*jobs_unlock)(struct store *st, enum store_lock which);
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

/* Every backend store starts with this header so generic code can find its
 * ops. Likewise every backend statement starts with a `struct store_conn *`
 * pointing at its connection, which store.c uses to dispatch. */
struct store {
    const struct store_ops *ops;
};

/*
 * Opens "sqlite:PATH" or "postgresql://…" / "postgres://…". A bare path is
 * taken as SQLite. ERR_USAGE for an unknown scheme, ERR_STORE when the
 * database cannot be opened (d says why). The caller owns *out (store_close).
 */
enum err store_open(const char *url, struct store **out, struct err_detail *d) WUR;
void store_close(struct store *st);
const char *store_backend_name(const struct store *st);

enum err store_write(struct store *st, store_txn_fn fn, void *ctx) WUR;
/* store_write for a write whose row locks all belong to one customer (key,
 * non-zero) of one tenant (group, non-zero): it may be batched with other
 * writes into one transaction, each in its own savepoint, so a failing write
 * rolls back alone. On a database distributed by tenant (Citus) a batch
 * holds writes of one group only, so that no transaction crosses tenants;
 * on one PostgreSQL primary batches mix tenants, which only share a commit
 * there (see store_pg.c). */
enum err store_write_keyed(struct store *st, int64_t group, int64_t key, store_txn_fn fn,
                           void *ctx) WUR;
enum err store_read(struct store *st, store_txn_fn fn, void *ctx) WUR;
enum err store_backup(struct store *st, const char *path, struct err_detail *d) WUR;
/* Only `serve` calls this, before migrating: on SQLite, one server per
 * database file (an exclusive flock on PATH.lock, held until store_close,
 * released by the kernel when the process dies), ERR_CONFLICT with d naming
 * the file while another process holds it; other commands (verify, backup,
 * export, expire) never claim and keep working beside a server. PostgreSQL
 * claims nothing: any number of servers share a database. */
enum err store_claim_server(struct store *st, struct err_detail *d) WUR;

/*
 * Read replicas (PostgreSQL streaming standbys). store_wal_position reads a
 * primary's current WAL position into lsn (text, at most lsn_bytes);
 * store_replica_caught_up says whether a replica has replayed up to lsn;
 * store_replica_lag gives a replica's lag behind lsn. ERR_USAGE on a backend
 * without replicas (SQLite).
 */
enum err store_wal_position(struct store_conn *c, char *lsn, size_t lsn_bytes) WUR;
enum err store_replica_caught_up(struct store_conn *c, const char *lsn, bool *caught_up) WUR;
enum err store_replica_lag(struct store_conn *c, const char *lsn, int64_t *bytes, int64_t *ms) WUR;

/* The lock that lets one process of all that share the database run the
 * background jobs (expiry, seals, purges) at a time: *held is true when this
 * process got it and must call store_jobs_unlock after the jobs. ERR_STORE_BUSY
 * when the database cannot be reached. A process that dies loses it. */
enum err store_jobs_lock(struct store *st, enum store_lock which, bool *held) WUR;
void store_jobs_unlock(struct store *st, enum store_lock which);

/* Applies the migrations not yet applied; *applied counts them. Safe to run
 * again. ERR_SCHEMA when the database is newer than this binary. */
enum err store_migrate(struct store *st, int *applied) WUR;
/* The newest schema version this binary knows. */
int store_schema_latest(const struct store *st);
/* The schema version of the database (0 = empty). */
enum err store_schema_version(struct store *st, int *version) WUR;

/* Tests: a store that passes everything to inner but fails the Nth statement
 * step after store_fault_arm(st, N) (0 disarms), with ERR_STORE. The wrapper
 * is freed by store_close; inner stays open and owned by the caller. */
struct store *store_fault_wrap(struct store *inner);
void store_fault_arm(struct store *st, int64_t fail_at_step);
int64_t store_fault_steps(const struct store *st);

/* Statement helpers for store_query.c and the backends' own use. */
enum err store_prepare(struct store_conn *c, const char *sql, struct store_stmt **out) WUR;
void store_bind_int64(struct store_stmt *s, int index, int64_t v);
void store_bind_id(struct store_stmt *s, int index, int64_t id); /* 0 binds NULL */
void store_bind_text(struct store_stmt *s, int index, const char *v);
enum store_step store_step(struct store_stmt *s);
/* Runs a statement whose rows nobody reads and whose failure need not be known
 * at once (see store_ops.send); only inside store_write, and never where the
 * caller acts on the error (a duplicate it turns into an answer). */
enum err store_send(struct store_stmt *s) WUR;
int64_t store_column_int64(struct store_stmt *s, int column);
const char *store_column_text(struct store_stmt *s, int column);
bool store_column_is_null(struct store_stmt *s, int column);
void store_finish(struct store_stmt *s);
const struct store_ops *store_conn_ops(struct store_conn *c);
enum err store_conn_err(struct store_conn *c);
const char *store_conn_error(struct store_conn *c);
enum err store_exec(struct store_conn *c, const char *sql) WUR;
const char *store_sql(struct store_conn *c, enum store_sql which);

/* Each backend's connection starts with this header. pending_journal counts
 * the journal entries written by the transaction in progress, by kind; the
 * backend adds them to the process-wide counters when it commits and drops
 * them when it rolls back, so the counters say what is durable. */
struct store_conn {
    const struct store_ops *ops;
    uint32_t pending_journal[JOURNAL__COUNT];
};

/* Notes a journal entry of kind written on c (counted once committed). */
void store_note_journal(struct store_conn *c, enum journal_kind kind);
/* For backends: the transaction committed (flush) or rolled back (drop). */
void store_pending_commit(struct store_conn *c);
void store_pending_drop(struct store_conn *c);
/* Committed journal entries by kind since the process started. */
uint64_t store_journal_committed(enum journal_kind kind);

/* ---- blobs: file contents on disk --------------------------------------- */
/*
 * Uploaded files live outside the database, in a files directory (the blob
 * store): <root>/<first two hex digits of the SHA-256>/<SHA-256>.<16 random
 * hex digits>, written first as <root>/tmp/<random>.part. A file is written,
 * fsynced, renamed into place and its directory fsynced before the row that
 * names it commits, so a crash leaves at worst an unreferenced file, never a
 * row without its contents. The database row holds the relative name (the
 * storage name); the client's file name is never part of a path.
 *
 * Failures: ENOSPC and EDQUOT are ERR_INSUFFICIENT_STORAGE, any other I/O
 * error ERR_STORAGE_UNAVAILABLE; each is logged once, here, naming the path.
 */
struct blob_store;

/* "ab/<64 hex>.<16 hex>" and its terminator. */
#define BLOB_NAME_BYTES 96

/* Opens (creating them) root and root/tmp; with clean_tmp, deletes what an
 * earlier run left in tmp (only the server does that: a CLI command must not
 * delete a running server's uploads in progress). The caller owns *out. */
enum err blob_store_open(const char *root, bool clean_tmp, struct blob_store **out,
                         struct err_detail *d) WUR;
void blob_store_close(struct blob_store *b);
const char *blob_store_root(const struct blob_store *b);
/* The error kind of an errno from the file system (see above). */
enum err blob_err_from_errno(int errnum);

/* A file being received: written to tmp/ and hashed as it comes. */
struct blob_tmp {
    struct blob_store *b;
    int fd; /* -1 once sealed or aborted */
    bool committed;
    int64_t size_bytes;
    struct sha256_state hash;
    char path[FILE_PATH_BYTES_MAX];
};

/* Creates the temporary file (t is the caller's, zeroed or aborted). */
enum err blob_tmp_open(struct blob_store *b, struct blob_tmp *t) WUR;
/* Appends n bytes and hashes them. */
enum err blob_tmp_write(struct blob_tmp *t, const void *data, size_t n) WUR;
/* Makes the bytes durable, closes the file and gives their SHA-256. */
enum err blob_tmp_seal(struct blob_tmp *t, char sha256_hex[SHA256_HEX]) WUR;
/* Renames a sealed file into place under a new random storage name and
 * fsyncs its directory; afterwards the file belongs to the caller (remove
 * it with blob_remove if the row naming it does not commit). */
enum err blob_tmp_commit(struct blob_tmp *t, const char *sha256_hex,
                         char storage_name[BLOB_NAME_BYTES]) WUR;
/* Reads a sealed temporary file whole (n is its size) into buf: for small
 * uploads that are kept elsewhere than in the files directory (a logo). */
enum err blob_tmp_read(const struct blob_tmp *t, void *buf, size_t n) WUR;
/* Closes and deletes the temporary file unless it was committed; safe to
 * call again and on a zeroed struct. */
void blob_tmp_abort(struct blob_tmp *t);

/* Opens stored contents for reading; *fd is the caller's to close. A name
 * not of the storage form is refused (ERR_STORAGE_UNAVAILABLE). */
enum err blob_open_read(struct blob_store *b, const char *storage_name, int *fd,
                        int64_t *size_bytes) WUR;
/* Deletes stored contents; already gone is ERR_OK. */
enum err blob_remove(struct blob_store *b, const char *storage_name) WUR;

/* ---- question level: rows ---------------------------------------------- */

struct tenant_row {
    int64_t id;
    const char *name;
    const char *currency;
    int32_t vat_rate_bp;
    const char *timezone;
    const char *locale;
    int32_t refund_validity_days;
    const char *charge_on; /* "submit" | "delivery" */
    const char *invoice_prefix;
    int32_t file_retention_days;    /* 0 = keep file contents forever */
    int32_t duplicate_window_hours; /* 0 = no duplicate warning */
    int64_t created_at_us;
    /* the seller on invoices */
    const char *country; /* ISO 3166 alpha-2, for the reverse charge */
    const char *vat_id;
    const char *seller_address;
    const char *manual_grant; /* bank transfer: credits on "payment" or at "invoice" */
    /* notifications (schema 9) */
    const char *mail_sender_name; /* "" = the tenant's name */
    const char *mail_reply_to;    /* "" = none */
    const char *portal_url;       /* "https://portal.example.com"; "" = https:// + first host */
    int32_t expiry_notice_days;   /* credits.expiring this many days ahead; 0 = never */
    /* accounts (schema 10) */
    const char *registration; /* who may sign up: "off", "open", "approval" */
    bool totp_required;       /* staff and admins must sign in with two factors */
    /* bank details and payment terms (schema 11) */
    const char *bank_iban;           /* without spaces, in capitals; "" = not set */
    const char *bank_bic;            /* "" = not set */
    const char *bank_account_holder; /* "" = the tenant's name */
    int32_t payment_terms_days;      /* an invoice is due this many days after its date */
    const char *credit_note_prefix;  /* "CN": credit notes are CN-2026-000001 */
};

struct credit_type_row {
    int64_t id;
    int64_t tenant_id;
    const char *code;
    const char *name;
    int scale;
    enum credit_kind kind;
    int64_t unit_value_minor; /* money minor units per whole credit */
    bool spendable;
    int sort_order;
    int64_t created_at_us;
};

struct user_row {
    int64_t id;
    int64_t tenant_id;
    const char *email;
    const char *name;
    const char *password_hash;
    const char *role; /* admin | staff | member */
    bool disabled;
    int64_t created_at_us;
    /* schema 10 */
    bool email_verified; /* false only for a self-registered owner, until verified */
    int64_t password_changed_at_us;
    const char *totp_secret; /* base32; "" = never enrolled */
    bool totp_enabled;
    int64_t totp_last_step; /* the last RFC 6238 step accepted */
    int64_t last_login_at_us;
};

struct customer_row {
    int64_t id;
    int64_t tenant_id;
    const char *name;
    const char *email;
    const char *vat_id;
    const char *country;
    int64_t created_at_us;
    const char *locale;  /* the language of its mails: "de", "en"; "" = the tenant's (schema 9) */
    const char *status;  /* "active"; "pending" approval, "rejected" (schema 10); NULL = active */
    const char *address; /* the billing address, lines joined by LF (schema 11); NULL = "" */
};

struct member_row {
    int64_t customer_id;
    int64_t user_id;
    const char *role; /* owner | technician */
    const char *email;
    int64_t created_at_us;
};

struct account_row {
    int64_t customer_id;
    int64_t credit_type_id;
    int64_t tenant_id;
    int64_t balance_minor;
    int64_t held_minor;
    int64_t updated_at_us;
    /* The head of the account's journal chain (schema 6): the seq and hash of
     * its newest account-chain entry, 0 and 64 zeros before the first. */
    int64_t chain_seq;
    char chain_hash[SHA256_HEX];
    /* The owner's low-balance threshold (schema 9; -1 = none) and whether the
     * available balance is below it, so balance.low fires once a crossing. */
    int64_t low_threshold_minor;
    bool low_alerted;
};

#define PACKAGE_CREDIT_TYPES_MAX 8
#define SERVICE_COST_TYPES_MAX   8

struct package_row {
    int64_t id;
    int64_t tenant_id;
    const char *name;
    const char *description;
    int64_t price_minor;
    int32_t vat_rate_bp; /* -1 = the tenant's rate */
    bool published;
    bool archived;
    int sort_order;
    struct validity validity;
    const char *categories;
    const char *provider;
    const char *peak;
    size_t n_credits;
    int64_t credit_type_ids[PACKAGE_CREDIT_TYPES_MAX];
    int64_t credit_amounts_minor[PACKAGE_CREDIT_TYPES_MAX];
    int64_t created_at_us;
    int64_t updated_at_us;
};

struct service_row {
    int64_t id;
    int64_t tenant_id;
    const char *name;
    const char *kind; /* base | addon */
    const char *category;
    const char *provider;
    bool active;
    int sort_order;
    size_t n_costs;
    int64_t cost_type_ids[SERVICE_COST_TYPES_MAX];
    int64_t cost_amounts_minor[SERVICE_COST_TYPES_MAX];
    int64_t created_at_us;
    int64_t updated_at_us;
};

/* A stored lot: the core's view plus its bookkeeping. */
struct lot_row {
    struct lot lot;
    int64_t tenant_id;
    const char *name;
    const char *notes;
    int64_t cost_basis_minor;
    int64_t package_id;
    int64_t invoice_id;
    int64_t order_id;
    const char *peak_text;
    const char *created_by;
    int64_t updated_at_us;
};

struct order_row {
    int64_t id;
    int64_t tenant_id;
    int64_t customer_id;
    int64_t member_user_id;
    int64_t credit_type_id;
    const char *reference;
    const char *status;      /* submitted | in_progress | completed | cancelled */
    const char *charge_mode; /* charged | held | captured | released | refunded */
    int64_t base_minor;
    int64_t total_minor;
    const char *vehicle;
    const char *notes;
    const char *cancel_reason;
    const char *created_by;
    int64_t created_at_us;
    int64_t updated_at_us;
};

/* The four statuses an order can have; a filter names at most all of them. */
#define ORDER_STATUSES_MAX 4
struct order_filter {
    int64_t customer_id;                      /* 0 = all */
    const char *statuses[ORDER_STATUSES_MAX]; /* the first n_statuses are wanted */
    size_t n_statuses;                        /* 0 = every status */
    int64_t before_id;                        /* 0 = from the newest */
    size_t limit;
};

struct order_line_row {
    int64_t service_id;
    const char *name;
    const char *kind;
    const char *category;
    int64_t cost_minor;
};

struct allocation_row {
    int64_t lot_id;
    int64_t base_minor;
    int64_t amount_minor;
    int32_t multiplier_permille;
};

struct invoice_row {
    int64_t id;
    int64_t tenant_id;
    int64_t customer_id;
    const char *number;  /* "2026-000042", after the tenant's prefix */
    const char *status;  /* open | paid | void */
    const char *gateway; /* manual | stripe | admin */
    const char *currency;
    /* the parties as they were when the invoice was made */
    const char *seller_name, *seller_address, *seller_country, *seller_vat_id;
    const char *buyer_name, *buyer_email, *buyer_country, *buyer_vat_id;
    int64_t package_id; /* 0 = a manual lot's invoice */
    int64_t net_minor;
    int32_t vat_rate_bp;
    int64_t vat_minor;
    int64_t gross_minor;
    bool reverse_charge;
    int64_t store_credit_minor; /* money covered by store credit */
    int64_t due_minor;          /* gross - store credit: what the gateway charges */
    bool credits_granted;       /* the invoice's lots exist */
    const char *gateway_ref;    /* the gateway's id (a Stripe Checkout Session) */
    const char *checkout_url;
    const char *note; /* e.g. the reverse charge's legal note */
    const char *void_reason;
    const char *created_by;
    int64_t created_at_us;
    int64_t paid_at_us;
    int64_t voided_at_us;
    int64_t updated_at_us;
    /* schema 11: dates in the tenant's time zone ("" before it: the service
     * dates such an invoice from created_at), what and where to pay */
    const char *issue_date; /* YYYY-MM-DD */
    const char *due_date;   /* YYYY-MM-DD */
    int32_t payment_terms_days;
    const char *bank_iban, *bank_bic, *bank_account_holder; /* "" = none set */
    const char *buyer_address;
    const char *language; /* of the document: "de" or "en" */
};

/* A credit note: a voided paid invoice's amounts credited back (schema 11). */
struct credit_note_row {
    int64_t id;
    int64_t tenant_id;
    int64_t invoice_id;
    int64_t customer_id;
    const char *number;     /* "CN-2026-000001" */
    const char *issue_date; /* YYYY-MM-DD in the tenant's time zone */
    const char *currency;
    int64_t net_minor;
    int32_t vat_rate_bp;
    int64_t vat_minor;
    int64_t gross_minor;
    int64_t store_credit_minor; /* of the gross: returned as store credit */
    int64_t refund_minor;       /* of the gross: money to pay back */
    const char *reason;
    const char *language;
    const char *created_by;
    int64_t created_at_us;
    const char *invoice_number; /* read with the note: its invoice's number */
};

struct credit_note_filter {
    int64_t customer_id; /* 0 = all */
    int64_t invoice_id;  /* 0 = all */
    int64_t before_id;   /* 0 = from the newest */
    size_t limit;
};

struct invoice_line_row {
    const char *description;
    int64_t quantity;
    int64_t unit_net_minor;
    int64_t net_minor;
};

/* Store credit an invoice drew from one lot. */
struct invoice_credit_row {
    int64_t lot_id;
    int64_t credit_type_id;
    int64_t amount_minor; /* credits */
    int64_t money_minor;  /* what they paid */
};

struct invoice_filter {
    int64_t customer_id; /* 0 = all */
    const char *status;  /* NULL = all */
    const char *gateway; /* NULL = all */
    int64_t from_us, to_us;
    int64_t before_id; /* 0 = from the newest */
    size_t limit;
};

struct webhook_event_row {
    const char *gateway;
    const char *event_id;
    const char *type;
    int64_t tenant_id;
    int64_t invoice_id;
    const char *outcome;
    int64_t received_at_us;
};

/* A journal entry as stored, with its lot ids for display. */
struct journal_row {
    struct journal_entry entry;
    int64_t credit_type_id;
    int64_t actor_user_id;
    const char *lot_ids;
    char prev_hash_hex[SHA256_HEX];
    char hash_hex[SHA256_HEX];
    struct posting *postings; /* arena memory, entry.postings points here */
};

struct lot_event_row {
    int64_t id;
    const char *kind;
    int64_t amount_minor; /* credits moved (0 for pause, extend, edit…) */
    const char *detail;
    const char *actor;
    int64_t journal_id;
    int64_t created_at_us;
};

/* Row callbacks: return ERR_OK to go on; anything else stops the scan and is
 * returned. Rows are valid only during the call. */
typedef enum err (*store_journal_cb)(const struct journal_row *r, void *ctx);

/* ---- question level: functions ----------------------------------------- */
/*
 * All of these run inside store_write / store_read on the given connection.
 * Strings they return are arena memory. They return ERR_NOT_FOUND when a row
 * asked for by id is absent (or belongs to another tenant), ERR_DUPLICATE on a
 * unique violation, ERR_STORE on a database failure.
 *
 * Every question about a tenant's rows names the tenant (a tenant_id
 * argument, or the tenant_id of the row passed in) and binds it as a plain
 * `tenant_id = $n`: schema 7 leads every key with the tenant, so the key
 * serves the lookup, and a database distributed by tenant_id (Citus) sends
 * the statement to the one shard that holds the tenant. Joins between
 * tenant-owned tables join on tenant_id too. The few reads that cross
 * tenants say so.
 */

/* Tenants */
enum err store_tenant_insert(struct store_conn *c, const char *name, int64_t now_us,
                             int64_t *id) WUR;
enum err store_tenant_get(struct store_conn *c, struct arena *a, int64_t id,
                          struct tenant_row *out) WUR;
enum err store_tenant_update(struct store_conn *c, const struct tenant_row *t) WUR;
enum err store_tenant_count(struct store_conn *c, int64_t *count) WUR;
enum err store_tenant_first(struct store_conn *c, int64_t *id) WUR;
enum err store_tenant_ids(struct store_conn *c, struct arena *a, int64_t **ids, size_t *n) WUR;
enum err store_tenant_host_add(struct store_conn *c, int64_t tenant_id, const char *host) WUR;
/* The tenant of host: the one it was added to, or, with a single tenant,
 * that tenant for any host; ERR_NOT_FOUND otherwise. Reads only the
 * reference tables tenant_hosts and tenants. */
enum err store_tenant_by_host(struct store_conn *c, const char *host, int64_t *tenant_id) WUR;

/* The end of the tenant's chain of entries written before schema 6 (the
 * tenant chain, frozen since): seq 0 and 64 zeros when it had none. */
enum err store_chain_get(struct store_conn *c, int64_t tenant_id, int64_t *seq,
                         char hash_hex[SHA256_HEX]) WUR;
/* Next value of a gapless per-tenant counter (invoice numbers per year: the
 * law wants them gapless; it locks the counter row until commit). */
enum err store_counter_next(struct store_conn *c, int64_t tenant_id, const char *name,
                            int64_t period, int64_t *value) WUR;

/* Credit types */
enum err store_credit_type_insert(struct store_conn *c, const struct credit_type_row *t,
                                  int64_t *id) WUR;
enum err store_credit_type_update(struct store_conn *c, const struct credit_type_row *t) WUR;
enum err store_credit_type_by_code(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                   const char *code, struct credit_type_row *out) WUR;
enum err store_credit_type_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                               struct credit_type_row *out) WUR;
enum err store_credit_type_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                struct credit_type_row **out, size_t *n) WUR;

/* Users and members */
enum err store_user_insert(struct store_conn *c, const struct user_row *u, int64_t *id) WUR;
enum err store_user_by_email(struct store_conn *c, struct arena *a, int64_t tenant_id,
                             const char *email, struct user_row *out) WUR;
enum err store_user_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                        struct user_row *out) WUR;
/*
 * Two-factor sign-in (store_query_totp.c). Each change of a user's 2FA state
 * is conditional on the state it expects, so two requests racing each other
 * cannot both win: ERR_NOT_FOUND when the user is not (or no longer) in it.
 */
/* Stores a pending secret (totp_enabled stays 0, the last step restarts) for
 * a user whose 2FA is off. */
enum err store_user_totp_pending(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                                 const char *secret) WUR;
/* Turns 2FA on for a user whose pending secret is still `secret`, noting the
 * step of the code that confirmed it. */
enum err store_user_totp_enable(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                                const char *secret, int64_t step) WUR;
/* Notes the step of a code accepted, if it is later than the last noted. */
enum err store_user_totp_step(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                              int64_t step) WUR;
/* Turns 2FA off: no secret, no step, no recovery codes. */
enum err store_user_totp_clear(struct store_conn *c, int64_t tenant_id, int64_t user_id) WUR;
/* Replaces a user's recovery codes with n new ones (SHA-256 hex each). */
enum err store_totp_recovery_replace(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                                     const char *const *code_hashes, size_t n) WUR;
/* Uses an unused recovery code of a user at now_us. */
enum err store_totp_recovery_use(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                                 const char *code_hash, int64_t now_us) WUR;
/* How many of a user's recovery codes are unused. */
enum err store_totp_recovery_left(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                                  int64_t *n) WUR;
enum err store_member_insert(struct store_conn *c, int64_t tenant_id,
                             const struct member_row *m) WUR;
enum err store_member_get(struct store_conn *c, struct arena *a, int64_t tenant_id,
                          int64_t customer_id, int64_t user_id, struct member_row *out) WUR;
enum err store_member_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                           int64_t customer_id, struct member_row **out, size_t *n) WUR;
enum err store_member_limit_set(struct store_conn *c, int64_t tenant_id, int64_t customer_id,
                                int64_t user_id, int64_t credit_type_id, int64_t limit_minor) WUR;
/* *limit_minor = -1 when no limit is set. */
enum err store_member_limit_get(struct store_conn *c, int64_t tenant_id, int64_t customer_id,
                                int64_t user_id, int64_t credit_type_id, int64_t *limit_minor) WUR;
/* Order credits a member spent since since_us (cancelled orders excluded). */
enum err store_member_spent_since(struct store_conn *c, int64_t tenant_id, int64_t customer_id,
                                  int64_t user_id, int64_t credit_type_id, int64_t since_us,
                                  int64_t *spent_minor) WUR;

/* Customers */
enum err store_customer_insert(struct store_conn *c, const struct customer_row *r, int64_t *id) WUR;
enum err store_customer_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                            struct customer_row *out) WUR;
enum err store_customer_update(struct store_conn *c, const struct customer_row *r) WUR;
/* Customers by name or email containing q ("" = all) and of status ("" =
 * any), ids above after_id. */
enum err store_customer_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                             const char *q, const char *status, int64_t after_id, size_t limit,
                             struct customer_row **out, size_t *n) WUR;
/* Sets a customer's status; ERR_NOT_FOUND unless it had status from. */
enum err store_customer_status_set(struct store_conn *c, int64_t tenant_id, int64_t id,
                                   const char *from, const char *to) WUR;

enum err store_customer_count(struct store_conn *c, int64_t tenant_id, int64_t *count) WUR;

/* Booked balances of a tenant per credit type (for dashboards and status). */
struct outstanding_row {
    int64_t credit_type_id;
    int64_t balance_minor;
    int64_t held_minor;
    int64_t accounts;
};
enum err store_outstanding(struct store_conn *c, struct arena *a, int64_t tenant_id,
                           struct outstanding_row **out, size_t *n) WUR;

/* Accounts (customer × credit type). lock creates the row when missing and
 * locks it for this transaction: the serialization point of a customer. */
enum err store_account_lock(struct store_conn *c, int64_t tenant_id, int64_t customer_id,
                            int64_t credit_type_id, int64_t now_us, struct account_row *out) WUR;
enum err store_account_update(struct store_conn *c, const struct account_row *r) WUR;
enum err store_account_get(struct store_conn *c, int64_t tenant_id, int64_t customer_id,
                           int64_t credit_type_id, struct account_row *out) WUR;
enum err store_account_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                            struct account_row **out, size_t *n) WUR;

/* Catalogue */
enum err store_package_insert(struct store_conn *c, const struct package_row *p, int64_t *id) WUR;
enum err store_package_update(struct store_conn *c, const struct package_row *p) WUR;
enum err store_package_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                           struct package_row *out) WUR;
enum err store_package_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                            bool published_only, struct package_row **out, size_t *n) WUR;
enum err store_service_insert(struct store_conn *c, const struct service_row *s, int64_t *id) WUR;
enum err store_service_update(struct store_conn *c, const struct service_row *s) WUR;
enum err store_service_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                           struct service_row *out) WUR;
enum err store_service_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                            struct service_row **out, size_t *n) WUR;

/* Lots */
enum err store_lot_insert(struct store_conn *c, const struct lot_row *r, int64_t *id) WUR;
/* Writes the changeable fields (amounts, status, dates, name, notes). */
enum err store_lot_update(struct store_conn *c, const struct lot_row *r, int64_t now_us) WUR;
/* lock = true takes the row lock (the caller holds the account lock first). */
enum err store_lot_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                       bool lock, struct lot_row *out) WUR;
/* A customer's lots of a type that may be drawn from or counted: status
 * active or paused (paused are returned so balances can count them), ascending
 * id, locked when lock is set. */
enum err store_lot_list_live(struct store_conn *c, struct arena *a, int64_t tenant_id,
                             int64_t customer_id, int64_t credit_type_id, bool lock,
                             struct lot_row **out, size_t *n) WUR;
/* All of a customer's lots (any status), newest first. */
enum err store_lot_list_customer(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                 int64_t customer_id, struct lot_row **out, size_t *n) WUR;
/* Active lots past expiry at now_us, ascending expiry, at most limit, of
 * every tenant: the expiry job's read, one of the few that crosses tenants
 * (on a distributed database it asks every shard). Each lot it finds is then
 * expired in a transaction of its own tenant. */
enum err store_lot_list_expiring(struct store_conn *c, struct arena *a, int64_t now_us,
                                 size_t limit, struct lot_row **out, size_t *n) WUR;
enum err store_lot_event_insert(struct store_conn *c, int64_t tenant_id, int64_t lot_id,
                                const char *kind, const char *detail, const char *actor,
                                int64_t now_us) WUR;
/* A lot's history: its postings (with the journal kind) and its events,
 * oldest first. */
enum err store_lot_history(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t lot_id,
                           struct lot_event_row **out, size_t *n) WUR;

/* Orders */
/* An id for a new order (see STORE_SQL_ORDER_ID_NEXT); the order's reference
 * is made from it. */
enum err store_order_id_next(struct store_conn *c, int64_t *id) WUR;
/* Inserts o with its id o->id (from store_order_id_next). */
enum err store_order_insert(struct store_conn *c, const struct order_row *o) WUR;
enum err store_order_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                         bool lock, struct order_row *out) WUR;
enum err store_order_update(struct store_conn *c, const struct order_row *o) WUR;
/* Orders newest first: one customer's (0 = all) in the statuses named (none
 * named = all), below before_id (0 = from the newest), at most limit. */
enum err store_order_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                          const struct order_filter *f, struct order_row **out, size_t *n) WUR;
/* How many of the tenant's orders are in status (the admin's queue). */
enum err store_order_count_status(struct store_conn *c, int64_t tenant_id, const char *status,
                                  int64_t *count) WUR;
enum err store_order_line_insert(struct store_conn *c, int64_t tenant_id, int64_t order_id,
                                 int position, const struct order_line_row *l) WUR;
enum err store_order_lines(struct store_conn *c, struct arena *a, int64_t tenant_id,
                           int64_t order_id, struct order_line_row **out, size_t *n) WUR;
enum err store_allocation_insert(struct store_conn *c, int64_t tenant_id, int64_t order_id,
                                 const struct allocation_row *r) WUR;
enum err store_allocations(struct store_conn *c, struct arena *a, int64_t tenant_id,
                           int64_t order_id, struct allocation_row **out, size_t *n) WUR;
enum err store_order_event_insert(struct store_conn *c, int64_t tenant_id, int64_t order_id,
                                  const char *from, const char *to, const char *actor,
                                  const char *reason, int64_t now_us) WUR;
/* An entry of the order's history that is not a status move (event
 * "file_uploaded", "file_delivered", "file_purged"…): the status stays
 * status on both sides, detail says what happened. */
enum err store_order_note_insert(struct store_conn *c, int64_t tenant_id, int64_t order_id,
                                 const char *status, const char *event, const char *detail,
                                 const char *actor, int64_t now_us) WUR;
/* An order's history, oldest first. */
struct order_event_row {
    int64_t id;
    const char *from_status; /* "" for the submission */
    const char *to_status;
    const char *actor;
    const char *reason;
    const char *event;  /* "status" for a status move */
    const char *detail; /* "" for a status move */
    int64_t created_at_us;
};
enum err store_order_events(struct store_conn *c, struct arena *a, int64_t tenant_id,
                            int64_t order_id, struct order_event_row **out, size_t *n) WUR;
enum err store_transfer_insert(struct store_conn *c, int64_t tenant_id, int64_t from_customer,
                               int64_t to_customer, int64_t credit_type_id, int64_t amount_minor,
                               const char *actor, const char *justification, int64_t now_us,
                               int64_t *id) WUR;

/* Files: their rows (the contents are blobs, see above). */
struct file_row {
    int64_t id;
    int64_t tenant_id;
    int64_t customer_id;
    int64_t order_id; /* 0 while the upload waits for its order */
    const char *role; /* original | modified */
    const char *name; /* the client's name, sanitized */
    int64_t size_bytes;
    const char *sha256; /* hex */
    const char *storage_name;
    const char *uploaded_by; /* the actor's label */
    int64_t uploaded_by_user_id;
    int64_t uploaded_at_us;
    int64_t purged_at_us; /* 0 while the contents are kept */
    const char *purged_by;
};
enum err store_file_insert(struct store_conn *c, const struct file_row *f, int64_t *id) WUR;
/* lock = true takes the row lock (after the order's, when it has one). */
enum err store_file_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                        bool lock, struct file_row *out) WUR;
/* Puts a waiting, unpurged upload on an order; ERR_NOT_FOUND when it is no
 * longer waiting (another order took it) or was purged meanwhile. */
enum err store_file_attach(struct store_conn *c, int64_t tenant_id, int64_t file_id,
                           int64_t order_id) WUR;
enum err store_file_mark_purged(struct store_conn *c, int64_t tenant_id, int64_t file_id,
                                const char *actor, int64_t now_us) WUR;
/* Undoes a purge marked at purged_at_us whose contents could not be removed
 * (ERR_NOT_FOUND when the mark is not that one any more). */
enum err store_file_unmark_purged(struct store_conn *c, int64_t tenant_id, int64_t file_id,
                                  int64_t purged_at_us) WUR;
/* An order's files, oldest first. */
enum err store_file_list_order(struct store_conn *c, struct arena *a, int64_t tenant_id,
                               int64_t order_id, struct file_row **out, size_t *n) WUR;
/* The reference of the newest order other than except_order_id of the
 * customer, created at since_us or later and not cancelled, that has an
 * original with this SHA-256; ERR_NOT_FOUND when none. */
enum err store_file_duplicate(struct store_conn *c, struct arena *a, int64_t tenant_id,
                              int64_t customer_id, const char *sha256, int64_t since_us,
                              int64_t except_order_id, const char **reference) WUR;
/* Files of every tenant whose contents are due for removal at now_us: those
 * of orders completed or cancelled more than the tenant's
 * file_retention_days ago (when set), and uploads still waiting for an order
 * duplicate_window_hours + 24 h after they came. Ascending id, at most limit.
 * Like the expiry job's list, this read crosses tenants (the purge job's
 * only one); each file is purged in a transaction of its own tenant. */
enum err store_file_list_due(struct store_conn *c, struct arena *a, int64_t now_us, size_t limit,
                             struct file_row **out, size_t *n) WUR;

/* Journal */
enum err store_journal_insert(struct store_conn *c, const struct journal_entry *e,
                              int64_t credit_type_id, int64_t actor_user_id, const char *lot_ids,
                              int64_t *id) WUR;

struct journal_filter {
    int64_t tenant_id;
    int64_t customer_id;    /* 0 = any */
    int64_t credit_type_id; /* 0 = any */
    const char *kind;       /* NULL = any */
    const char *actor;      /* NULL = any */
    int64_t from_us;        /* 0 = open */
    int64_t to_us;          /* 0 = open; exclusive */
    int64_t before_id;      /* keyset cursor for newest-first pages; 0 = start */
    int64_t after_id;       /* keyset cursor for oldest-first scans; 0 = start */
    bool oldest_first;
    bool with_postings;
    size_t limit;
};

/* Journal rows matching f, each passed to cb. */
enum err store_journal_scan(struct store_conn *c, struct arena *a, const struct journal_filter *f,
                            store_journal_cb cb, void *ctx) WUR;
/* Sum of positive and of negative customer amounts in [from, to). */
enum err store_journal_sums(struct store_conn *c, int64_t tenant_id, int64_t customer_id,
                            int64_t credit_type_id, int64_t from_us, int64_t to_us,
                            int64_t *in_minor, int64_t *out_minor) WUR;

/* Sessions, API keys, idempotency (secrets arrive hashed) */
struct session_row {
    const char *id_hash;
    int64_t tenant_id;
    int64_t user_id;
    const char *csrf_token;
    int64_t created_at_us;
    int64_t last_seen_at_us;
    int64_t expires_at_us;
    bool revoked;
};
enum err store_session_insert(struct store_conn *c, const struct session_row *r) WUR;
enum err store_session_get(struct store_conn *c, struct arena *a, int64_t tenant_id,
                           const char *id_hash, struct session_row *out) WUR;
enum err store_session_touch(struct store_conn *c, int64_t tenant_id, const char *id_hash,
                             int64_t now_us) WUR;
/* Revokes the session and moves the tenant's auth epoch. */
enum err store_session_revoke(struct store_conn *c, int64_t tenant_id, const char *id_hash) WUR;
/* Revokes a key of the tenant that is not revoked yet (ERR_NOT_FOUND
 * otherwise) and moves the tenant's auth epoch. */
enum err store_api_key_revoke(struct store_conn *c, int64_t tenant_id, int64_t id,
                              int64_t now_us) WUR;
/* The auth epoch of a tenant (schema 7; one shared epoch in schema 6):
 * moved by every change that can end access to the tenant; servers drop the
 * tenant's cached keys and sessions when it moves. A tenant whose epoch
 * never moved reads 0. */
enum err store_auth_epoch_bump(struct store_conn *c, int64_t tenant_id) WUR;
enum err store_auth_epoch_get(struct store_conn *c, int64_t tenant_id, int64_t *value) WUR;

struct api_key_row {
    int64_t id;
    int64_t tenant_id;
    const char *name;
    const char *key_hash;
    const char *role; /* admin | staff */
    const char *created_by;
    int64_t created_at_us;
    int64_t revoked_at_us;
    int64_t expires_at_us; /* 0 = never (schema 10) */
};
enum err store_api_key_insert(struct store_conn *c, const struct api_key_row *r, int64_t *id) WUR;
/* The tenant's key with this hash: a key is looked up in the tenant of the
 * Host it came to, never across tenants. */
enum err store_api_key_by_hash(struct store_conn *c, struct arena *a, int64_t tenant_id,
                               const char *key_hash, struct api_key_row *out) WUR;
/* The tenant's keys, revoked ones too, ascending id. */
enum err store_api_key_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                            struct api_key_row **out, size_t *n) WUR;
/* The customer a member user belongs to (the first, if several). */
enum err store_member_of_user(struct store_conn *c, struct arena *a, int64_t tenant_id,
                              int64_t user_id, struct member_row *out) WUR;

struct idempotency_row {
    const char *request_hash;
    int status;
    const char *response;
    int64_t created_at_us;
};
enum err store_idempotency_get(struct store_conn *c, struct arena *a, int64_t tenant_id,
                               const char *principal, const char *key,
                               struct idempotency_row *out) WUR;
enum err store_idempotency_insert(struct store_conn *c, int64_t tenant_id, const char *principal,
                                  const char *key, const struct idempotency_row *r) WUR;

/*
 * Failed sign-ins (schema 8, login_throttle): per tenant and subject (an
 * account or a client address, named by the SHA-256 hex of its text), the
 * failures counted since the first of a run, when it began and (schema 10)
 * the last failure. A run ends after a quiet window with no failure. The
 * service decides what the counts mean; these only read, count and forget.
 */
struct login_throttle_row {
    char subject_hash[SHA256_HEX];
    int64_t failures;
    int64_t window_start_us;
    int64_t last_failure_at_us;
};
/* The rows of the n subjects (at most 2) that exist, in any order: *found of
 * them in out. */
enum err store_login_throttle_get(struct store_conn *c, int64_t tenant_id,
                                  const char *const *subject_hashes, size_t n,
                                  struct login_throttle_row *out, size_t *found) WUR;
/* Counts one failure of each of the n subjects (at most 2, distinct) at
 * now_us in one statement: a new row (1, now_us); for a row whose last
 * failure was at or before stale_before_us, a new run (1, now_us); else one
 * failure more in its run. Atomic per row against concurrent servers (an
 * upsert). */
enum err store_login_throttle_fail(struct store_conn *c, int64_t tenant_id,
                                   const char *const *subject_hashes, size_t n, int64_t now_us,
                                   int64_t stale_before_us) WUR;
/* Deletes every tenant's rows whose last failure was at or before
 * stale_before_us (the run has ended: they decide nothing any more). */
enum err store_login_throttle_prune(struct store_conn *c, int64_t stale_before_us) WUR;

/* Verification: lots whose remaining differs from the sum of their postings. */
struct lot_check_row {
    int64_t lot_id;
    int64_t remaining_minor;
    int64_t deactivated_minor;
    int64_t original_minor;
    int64_t postings_minor;
    int64_t first_posting_minor;
};
typedef enum err (*store_lot_check_cb)(const struct lot_check_row *r, void *ctx);
enum err store_lot_check_scan(struct store_conn *c, int64_t tenant_id, store_lot_check_cb cb,
                              void *ctx) WUR;
/* Sum of live lots (active, paused, exhausted) per account, for verify. */
typedef enum err (*store_account_sum_cb)(const struct account_row *acc, int64_t lots_minor,
                                         void *ctx);
enum err store_account_check_scan(struct store_conn *c, int64_t tenant_id, store_account_sum_cb cb,
                                  void *ctx) WUR;

/* ---- seals over the account chains ---------------------------------------- */

/* One sealed head: an account's chain at chain_seq ended in chain_hash. */
struct seal_head_row {
    int64_t seal_seq;
    int64_t customer_id;
    int64_t credit_type_id;
    int64_t chain_seq;
    char chain_hash[SHA256_HEX];
};
struct seal_row {
    int64_t tenant_id;
    int64_t seq;
    int64_t created_at_us;
    int64_t n_heads;
    char prev_hash[SHA256_HEX];
    char hash[SHA256_HEX];
};
/* The tenant's newest seal (ERR_NOT_FOUND before the first). */
enum err store_seal_last(struct store_conn *c, int64_t tenant_id, struct seal_row *out) WUR;
/* The heads of the accounts whose chain moved past their last sealed head,
 * ascending by (customer, credit type); seal_seq is left 0. */
enum err store_seal_pending(struct store_conn *c, struct arena *a, int64_t tenant_id,
                            struct seal_head_row **out, size_t *n) WUR;
enum err store_seal_insert(struct store_conn *c, const struct seal_row *seal,
                           const struct seal_head_row *heads, size_t n) WUR;
/* Every seal of the tenant by seq (arena memory), and every sealed head by
 * seal, customer and credit type, for verify. */
enum err store_seal_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                         struct seal_row **out, size_t *n) WUR;
typedef enum err (*store_seal_head_cb)(const struct seal_head_row *h, void *ctx);
enum err store_seal_head_scan(struct store_conn *c, int64_t tenant_id, store_seal_head_cb cb,
                              void *ctx) WUR;

/* ---- the shop (store_query_shop.c) ------------------------------------- */

enum err store_invoice_insert(struct store_conn *c, const struct invoice_row *r, int64_t *id) WUR;
/* Writes status, credits_granted, gateway_ref, checkout_url, void_reason and
 * the paid / voided / updated instants. */
enum err store_invoice_update(struct store_conn *c, const struct invoice_row *r) WUR;
enum err store_invoice_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                           bool lock, struct invoice_row *out) WUR;
/* The tenant's invoice a gateway knows by ref (a webhook's tenant is the
 * one of the Host it was sent to). */
enum err store_invoice_by_gateway_ref(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                      const char *gateway, const char *ref, bool lock,
                                      struct invoice_row *out) WUR;
/* Newest first. */
enum err store_invoice_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                            const struct invoice_filter *f, struct invoice_row **out,
                            size_t *n) WUR;
enum err store_credit_note_insert(struct store_conn *c, const struct credit_note_row *r,
                                  int64_t *id) WUR;
/* ERR_NOT_FOUND when the tenant has no such note. */
enum err store_credit_note_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                               struct credit_note_row *out) WUR;
/* Newest first. */
enum err store_credit_note_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                const struct credit_note_filter *f, struct credit_note_row **out,
                                size_t *n) WUR;
enum err store_invoice_line_insert(struct store_conn *c, int64_t tenant_id, int64_t invoice_id,
                                   int position, const struct invoice_line_row *l) WUR;
enum err store_invoice_lines(struct store_conn *c, struct arena *a, int64_t tenant_id,
                             int64_t invoice_id, struct invoice_line_row **out, size_t *n) WUR;
enum err store_invoice_credit_insert(struct store_conn *c, int64_t tenant_id, int64_t invoice_id,
                                     const struct invoice_credit_row *r) WUR;
enum err store_invoice_credits(struct store_conn *c, struct arena *a, int64_t tenant_id,
                               int64_t invoice_id, struct invoice_credit_row **out, size_t *n) WUR;
/* The invoice's lots, ascending id. */
enum err store_lot_list_invoice(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                int64_t invoice_id, bool lock, struct lot_row **out, size_t *n) WUR;
/* Records a gateway event once per tenant (r->tenant_id, non-zero):
 * ERR_DUPLICATE when its id was seen before. */
enum err store_webhook_event_insert(struct store_conn *c, const struct webhook_event_row *r) WUR;
enum err store_webhook_event_get(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                 const char *gateway, const char *event_id,
                                 struct webhook_event_row *out) WUR;

/* ---- notifications (store_query_notify.c, schema 9) ---------------------- */

/* One outbox row: a business event, written in its change's transaction. */
struct event_row {
    int64_t id;
    int64_t tenant_id;
    const char *type;    /* "order.completed" */
    int64_t customer_id; /* the customer it concerns; 0 = none */
    int64_t subject_id;  /* the order, invoice, lot or journal entry; 0 = none */
    int64_t user_id;     /* a user it concerns (the technician); 0 = none */
    const char *attrs;   /* JSON object: what belongs to the moment */
    const char *body;    /* the payload, "" until fanned out */
    int64_t fanned_at_us;
    int64_t created_at_us;
};

struct webhook_endpoint_row {
    int64_t id;
    int64_t tenant_id;
    const char *url;
    const char *description;
    const char *events; /* "order.created,order.completed" or "*" */
    const char *secret;
    bool disabled;
    const char *disabled_reason;
    int64_t failing_since_us; /* first failure of the current run of failures; 0 = none */
    int64_t created_at_us;
    int64_t updated_at_us;
};

struct delivery_row {
    int64_t id;
    int64_t tenant_id;
    int64_t event_id;
    const char *channel;           /* mail | webhook */
    int64_t endpoint_id;           /* webhook */
    int64_t user_id;               /* mail: the user it goes to */
    const char *recipient;         /* the address, or the URL, when the delivery was made */
    const char *locale;            /* mail: the recipient's language */
    const char *unsubscribe_token; /* mail: names it in its unsubscribe link; "" = none */
    const char *status;            /* pending | delivered | failed | skipped */
    int64_t attempts;
    int64_t next_attempt_at_us;
    const char *last_error;
    int64_t delivered_at_us;
    int64_t created_at_us;
};

struct delivery_attempt_row {
    int64_t id;
    int64_t tenant_id;
    int64_t delivery_id;
    int64_t endpoint_id;
    int64_t attempted_at_us;
    int64_t http_status;
    int64_t duration_ms;
    const char *outcome; /* delivered | retry | failed */
    const char *excerpt;
    const char *error;
};

/* A user a mail may go to. */
struct recipient_row {
    int64_t user_id;
    const char *email;
    const char *name;
    const char *locale; /* the user's, else the customer's, else "" */
};

/* Writes an event (id from its identity) without waiting for the answer
 * (store_send): only inside store_write. */
enum err store_event_insert(struct store_conn *c, const struct event_row *e) WUR;
/* Up to limit events of tenant_id not yet fanned out, oldest first. */
enum err store_events_unfanned(struct store_conn *c, struct arena *a, int64_t tenant_id,
                               size_t limit, struct event_row **out, size_t *n) WUR;
/* Marks every unfanned event of the tenant fanned out at now_us, with no
 * body and no delivery. */
enum err store_events_quiet(struct store_conn *c, int64_t tenant_id, int64_t now_us) WUR;
/* Marks an event fanned out with its body; ERR_NOT_FOUND when another
 * dispatcher did it first (the caller rolls back). */
/* Blanks an event's attrs and body (an account mail's token, once its mail
 * is done). */
enum err store_event_scrub(struct store_conn *c, int64_t tenant_id, int64_t id) WUR;
enum err store_event_fan(struct store_conn *c, int64_t tenant_id, int64_t id, const char *body,
                         int64_t now_us) WUR;
enum err store_event_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                         struct event_row *out) WUR;
/* The tenant's events, newest first, ids below before_id (0 = from the newest);
 * type "" = every type. */
enum err store_event_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                          const char *type, int64_t before_id, size_t limit, struct event_row **out,
                          size_t *n) WUR;
/* Whether an event of type about subject_id exists since since_us. */
enum err store_event_exists(struct store_conn *c, int64_t tenant_id, const char *type,
                            int64_t subject_id, int64_t since_us, bool *exists) WUR;

enum err store_delivery_insert(struct store_conn *c, const struct delivery_row *d) WUR;
/* Up to limit pending deliveries of tenant_id due at now_us, the most overdue first. */
enum err store_deliveries_due(struct store_conn *c, struct arena *a, int64_t tenant_id,
                              int64_t now_us, size_t limit, struct delivery_row **out,
                              size_t *n) WUR;
/* Writes status, attempts, next_attempt_at, last_error and delivered_at. */
enum err store_delivery_update(struct store_conn *c, const struct delivery_row *d) WUR;
enum err store_delivery_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                            struct delivery_row *out) WUR;
/* An event's deliveries, ascending id. */
enum err store_delivery_list_event(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                   int64_t event_id, struct delivery_row **out, size_t *n) WUR;
/* Marks every pending delivery of an endpoint skipped with reason. */
enum err store_delivery_skip_endpoint(struct store_conn *c, int64_t tenant_id, int64_t endpoint_id,
                                      const char *reason) WUR;
enum err store_delivery_attempt_insert(struct store_conn *c,
                                       const struct delivery_attempt_row *r) WUR;
/* An endpoint's delivery log, newest first, ids below before_id (0 = newest). */
enum err store_delivery_attempt_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                     int64_t endpoint_id, int64_t before_id, size_t limit,
                                     struct delivery_attempt_row **out, size_t *n) WUR;

enum err store_webhook_endpoint_insert(struct store_conn *c, const struct webhook_endpoint_row *r,
                                       int64_t *id) WUR;
/* Writes url, description, events, secret, disabled, disabled_reason,
 * failing_since and updated_at. */
enum err store_webhook_endpoint_update(struct store_conn *c,
                                       const struct webhook_endpoint_row *r) WUR;
enum err store_webhook_endpoint_get(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                    int64_t id, bool lock, struct webhook_endpoint_row *out) WUR;
/* The tenant's endpoints, ascending id. */
enum err store_webhook_endpoint_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                     struct webhook_endpoint_row **out, size_t *n) WUR;
/* Deletes an endpoint (its deliveries and log stay); ERR_NOT_FOUND when gone. */
enum err store_webhook_endpoint_delete(struct store_conn *c, int64_t tenant_id, int64_t id) WUR;

/* The tenant's admins and staff who are not disabled, ascending id. */
enum err store_recipients_staff(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                struct recipient_row **out, size_t *n) WUR;
/* A customer's owners who are not disabled, ascending id, with the
 * customer's language where the user has none. */
enum err store_recipients_owners(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                 int64_t customer_id, struct recipient_row **out, size_t *n) WUR;
/* One user who is not disabled (ERR_NOT_FOUND otherwise), with the language of
 * customer_id (0 = none) where the user has none. */
enum err store_recipient_user(struct store_conn *c, struct arena *a, int64_t tenant_id,
                              int64_t user_id, int64_t customer_id, struct recipient_row *out) WUR;

/* The event types a user chose not to receive by mail, as a list. */
enum err store_mail_optouts(struct store_conn *c, struct arena *a, int64_t tenant_id,
                            int64_t user_id, const char ***types, size_t *n) WUR;
/* Opts a user out of (out true) or back into (false) mails of a type. */
enum err store_mail_optout_set(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                               const char *type, bool out, int64_t now_us) WUR;
/* A mail delivery of tenant_id by its unsubscribe token (ERR_NOT_FOUND). */
enum err store_delivery_by_unsubscribe(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                       const char *token, struct delivery_row *out) WUR;
/* The tenant's host that sorts first ("" when it has none): links in mails
 * use it when the tenant set no portal_url. */
enum err store_tenant_first_host(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                 const char **host) WUR;
/* Sets a user's language ("" = the customer's or the tenant's). */
enum err store_user_locale_set(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                               const char *locale) WUR;
enum err store_user_locale_get(struct store_conn *c, struct arena *a, int64_t tenant_id,
                               int64_t user_id, const char **locale) WUR;

/* Live lots of tenant_id (active, credits left) that expire after now_us and
 * at or before until_us and have had no expiry notice, soonest first. */
enum err store_lots_expiring_unnoticed(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                       int64_t now_us, int64_t until_us, size_t limit,
                                       struct lot_row **out, size_t *n) WUR;
/* Notes a lot's expiry notice; ERR_NOT_FOUND when one was noted already. */
enum err store_lot_expiry_noticed(struct store_conn *c, int64_t tenant_id, int64_t lot_id,
                                  int64_t now_us) WUR;

/* store_delivery_insert that also gives the new row's id (the webhook API
 * answers a resend with the delivery it made). */
enum err store_delivery_insert_id(struct store_conn *c, const struct delivery_row *d,
                                  int64_t *id) WUR;

/* ---- the account life cycle (schema 10) --------------------------------- */

/* One line of the security log: who (actor) did what (type) to whom
 * (subject), from where (address), when. */
struct security_log_row {
    int64_t id;
    int64_t tenant_id;
    const char *type; /* "login.succeeded", "password.reset", "user.disabled"... */
    int64_t actor_user_id;
    const char *actor; /* the actor's label: e-mail, "apikey:name", "cli" */
    int64_t subject_user_id;
    const char *subject; /* the e-mail (or key name) it concerns */
    int64_t customer_id;
    const char *address; /* the client's address, "" when none (the CLI) */
    const char *detail;  /* a JSON object, or "" */
    int64_t created_at_us;
};
enum err store_security_log_insert(struct store_conn *c, const struct security_log_row *r) WUR;

/* What a page of the security log holds: the tenant's lines, newest first,
 * older than before_id (0 = from the newest); type matches the line's type
 * or its first part ("login" matches "login.failed"); user_id (0 = any) is
 * the actor or the subject; from/to bound created_at (0 = open). */
struct security_log_filter {
    int64_t tenant_id;
    const char *type;
    int64_t user_id;
    int64_t from_us, to_us;
    int64_t before_id;
    size_t limit;
};
enum err store_security_log_list(struct store_conn *c, struct arena *a,
                                 const struct security_log_filter *f, struct security_log_row **out,
                                 size_t *n) WUR;

/* A mailed single-use token, kept as its SHA-256. */
struct auth_token_row {
    const char *token_hash;
    int64_t tenant_id;
    const char *purpose; /* password_reset | email_verify */
    int64_t user_id;
    int64_t created_at_us;
    int64_t expires_at_us;
    int64_t used_at_us;
};
enum err store_auth_token_insert(struct store_conn *c, const struct auth_token_row *r) WUR;
/* Uses a token of purpose that is unused and not expired at now_us, giving
 * its user (ERR_NOT_FOUND for any other token: unknown, used, expired). */
enum err store_auth_token_use(struct store_conn *c, int64_t tenant_id, const char *token_hash,
                              const char *purpose, int64_t now_us, int64_t *user_id) WUR;
/* Marks every unused token of a user and purpose used: a new one replaces
 * them, and a new password ends them. */
enum err store_auth_tokens_void(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                                const char *purpose, int64_t now_us) WUR;
/* Deletes tokens that expired before before_us. */
enum err store_auth_tokens_prune(struct store_conn *c, int64_t before_us) WUR;

/* An invitation to become a user of the tenant (staff, admin) or a member
 * of a customer (owner, technician); the token is kept as its hash. */
struct invitation_row {
    int64_t id;
    int64_t tenant_id;
    const char *email;
    const char *name;
    const char *role;    /* admin | staff | owner | technician */
    int64_t customer_id; /* 0 for staff and admins */
    int64_t invited_by_user_id;
    const char *invited_by; /* the inviter's label */
    const char *token_hash;
    int64_t created_at_us, expires_at_us, accepted_at_us, withdrawn_at_us;
    int64_t accepted_user_id;
};
enum err store_invitation_insert(struct store_conn *c, const struct invitation_row *r,
                                 int64_t *id) WUR;
/* The tenant's invitations, newest first: of one customer, or all when
 * customer_id is 0; at most limit. */
enum err store_invitation_list(struct store_conn *c, struct arena *a, int64_t tenant_id,
                               int64_t customer_id, size_t limit, struct invitation_row **out,
                               size_t *n) WUR;
enum err store_invitation_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                              struct invitation_row *out) WUR;
enum err store_invitation_by_token(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                   const char *token_hash, struct invitation_row *out) WUR;
/* Withdraws a pending invitation (ERR_NOT_FOUND: none pending with id). */
enum err store_invitation_withdraw(struct store_conn *c, int64_t tenant_id, int64_t id,
                                   int64_t now_us) WUR;
/* Withdraws every pending invitation of email to customer_id (0: the team). */
enum err store_invitations_withdraw_for(struct store_conn *c, int64_t tenant_id, const char *email,
                                        int64_t customer_id, int64_t now_us) WUR;
/* Marks a pending, unexpired invitation accepted by user_id (ERR_NOT_FOUND
 * otherwise: two acceptances cannot both win). */
enum err store_invitation_accept(struct store_conn *c, int64_t tenant_id, int64_t id,
                                 int64_t user_id, int64_t now_us) WUR;

/* Sets a user's password hash and when it changed. */
enum err store_user_password_set(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                                 const char *password_hash, int64_t now_us) WUR;
/* Revokes every session of a user but the one whose hash is keep_hash ("" =
 * none) and moves the tenant's auth epoch, so every server drops what it
 * cached. */
enum err store_user_sessions_revoke(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                                    const char *keep_hash) WUR;
/* Notes a successful sign-in. */
enum err store_user_login_noted(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                                int64_t now_us) WUR;
/* The tenant's staff and admins (role admin or staff), by e-mail. */
enum err store_user_list_team(struct store_conn *c, struct arena *a, int64_t tenant_id,
                              struct user_row **out, size_t *n) WUR;
/* Sets a user's role (admin | staff) and disabled flag; ERR_NOT_FOUND when
 * the tenant has no such user. Moves the auth epoch. */
enum err store_user_role_set(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                             const char *role, bool disabled) WUR;
/* Counts the tenant's enabled admins. */
enum err store_user_admins_count(struct store_conn *c, int64_t tenant_id, int64_t *n) WUR;
/* Marks a user's e-mail verified. */
enum err store_user_email_verified_set(struct store_conn *c, int64_t tenant_id,
                                       int64_t user_id) WUR;
/* Removes a member from a customer, with the member's limits; ERR_NOT_FOUND
 * when it is no member of it. */
enum err store_member_remove(struct store_conn *c, int64_t tenant_id, int64_t customer_id,
                             int64_t user_id) WUR;
/* How many customers a user is a member of. */
enum err store_member_count_of_user(struct store_conn *c, int64_t tenant_id, int64_t user_id,
                                    int64_t *n) WUR;

/* ---- the business's brand (store_query_branding.c) --------------------- */

/* A tenant's brand as stored: "" and 0 for what was never set (then the
 * portal's defaults apply); the logo's bytes are read on their own. */
struct branding_row {
    const char *tenant_name;
    const char *display_name; /* "" = the tenant's name */
    const char *accent_color; /* "" = the portal's default; else "#rrggbb" */
    const char *logo_type;    /* MIME type; "" = no logo */
    const char *logo_sha256;  /* of the bytes, hex */
    int64_t logo_bytes;
    int32_t logo_width, logo_height; /* pixels; 0 for SVG */
    int64_t updated_at_us;
    const char *updated_by;
};
/* The brand of a tenant without the logo's bytes; ERR_NOT_FOUND when the
 * tenant does not exist. Arena memory. */
enum err store_branding_get(struct store_conn *c, struct arena *a, int64_t tenant_id,
                            struct branding_row *out) WUR;
/* Sets the display name and the accent colour ("" = the default), making
 * the tenant's row when it has none. */
enum err store_branding_texts_set(struct store_conn *c, int64_t tenant_id, const char *display_name,
                                  const char *accent_color, int64_t now_us, const char *by) WUR;
/* Replaces the logo with n bytes described by meta (type, sha256, size;
 * the texts are kept), or removes it when n is 0. a holds the hex text. */
enum err store_branding_logo_set(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                 const struct branding_row *meta, const uint8_t *bytes, size_t n,
                                 int64_t now_us, const char *by) WUR;
/* The logo's bytes (arena memory) and its row; ERR_NOT_FOUND without a logo. */
enum err store_branding_logo_get(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                 struct branding_row *meta, const uint8_t **bytes, size_t *n) WUR;

#endif
