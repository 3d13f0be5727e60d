/*
 * The ledger machinery every operation shares: building and writing journal
 * entries with their postings and hash chain, opening an account for change
 * (lock, lazy expiry), creating lots, refund lots, tenants with their zones.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "service/service_int.h"

const struct svc_actor SVC_SYSTEM = {.user_id = 0, .label = "system"};

const char *svc_actor_label(const struct svc_actor *actor)
{
    return actor != NULL && actor->label != NULL ? actor->label : "system";
}

void svc_entry_init(struct svc_entry *x, struct arena *a, int64_t tenant_id, enum journal_kind kind,
                    int64_t customer_id, const struct credit_type_row *type,
                    const struct svc_actor *actor, int64_t now_us)
{
    ASSERT(a != NULL);
    memset(x, 0, sizeof(*x));
    x->a = a;
    x->e.tenant_id = tenant_id;
    x->e.kind = kind;
    x->e.customer_id = customer_id;
    x->e.credit_type = type->code;
    x->e.actor = svc_actor_label(actor);
    x->e.reason = "";
    x->e.justification = "";
    x->e.created_at_us = now_us;
    x->credit_type_id = type->id;
    x->scale = type->scale;
    x->actor_user_id = actor != NULL ? actor->user_id : 0;
}

enum err svc_entry_post(struct svc_entry *x, enum account_kind account, int64_t lot_id,
                        int64_t amount_minor)
{
    ASSERT((account == ACCOUNT_LOT) == (lot_id != 0));
    ASSERT(x->e.n_postings <= x->postings_max);
    if (x->e.n_postings == x->postings_max) {
        /* Doubling keeps adding postings linear; the arena bounds the entry. */
        size_t max = x->postings_max ? 2 * x->postings_max : 8;
        struct posting *grown =
            max <= SIZE_MAX / sizeof(*grown) / 2 ? arena_alloc(x->a, max * sizeof(*grown)) : NULL;
        if (grown == NULL)
            return ERR_TOO_LARGE;
        if (x->e.n_postings > 0)
            memcpy(grown, x->postings, x->e.n_postings * sizeof(*grown));
        x->postings = grown;
        x->postings_max = max;
        x->e.postings = grown;
    }
    x->postings[x->e.n_postings++] =
        (struct posting){.account = account, .lot_id = lot_id, .amount_minor = amount_minor};
    return ERR_OK;
}

/* Room for the lot ids text of every posting, taken before the entry is
 * hashed so that writing the text there cannot fail. */
static enum err svc_entry_lot_ids_reserve(struct svc_entry *x)
{
    x->lot_ids_bytes = x->e.n_postings * SVC_LOT_ID_TEXT_BYTES + 1;
    x->lot_ids = arena_alloc(x->a, x->lot_ids_bytes);
    return x->lot_ids != NULL ? ERR_OK : ERR_TOO_LARGE;
}

static void svc_entry_lot_ids(struct svc_entry *x)
{
    size_t len = 0;
    ASSERT(x->lot_ids_bytes > x->e.n_postings * SVC_LOT_ID_TEXT_BYTES);
    x->lot_ids[0] = '\0';
    for (size_t i = 0; i < x->e.n_postings; i++) {
        if (x->postings[i].account != ACCOUNT_LOT)
            continue;
        int n = snprintf(x->lot_ids + len, x->lot_ids_bytes - len, "%s%lld", len ? "," : "",
                         (long long)x->postings[i].lot_id);
        ASSERT(n > 0 && (size_t)n < x->lot_ids_bytes - len);
        len += (size_t)n;
    }
}

enum err svc_entry_write(struct store_conn *c, struct svc_entry *x, struct account_row *acc,
                         int64_t *journal_id)
{
    ASSERT(acc->customer_id == x->e.customer_id);
    ASSERT(acc->credit_type_id == x->credit_type_id);
    int64_t amount = 0, held = 0;
    for (size_t i = 0; i < x->e.n_postings; i++) {
        const struct posting *p = &x->postings[i];
        enum err rc = ERR_OK;
        if (p->account == ACCOUNT_LOT || p->account == ACCOUNT_HELD)
            rc = amount_add(amount, p->amount_minor, &amount);
        if (rc == ERR_OK && p->account == ACCOUNT_HELD)
            rc = amount_add(held, p->amount_minor, &held);
        if (rc != ERR_OK)
            return rc;
    }
    int64_t balance, held_after;
    if (amount_add(acc->balance_minor, amount, &balance) != ERR_OK ||
        amount_add(acc->held_minor, held, &held_after) != ERR_OK)
        return ERR_OVERFLOW;
    if (balance < 0 || held_after < 0)
        return ERR_INSUFFICIENT_CREDITS;
    if (svc_entry_lot_ids_reserve(x) != ERR_OK)
        return ERR_TOO_LARGE;
    x->e.amount_minor = amount;
    x->e.balance_after_minor = balance;
    ASSERT(journal_is_balanced(&x->e));

    /* The account's own chain: its row is locked by this transaction, so
     * writers of other accounts never wait for each other here. */
    x->e.chain = JOURNAL_CHAIN_ACCOUNT;
    x->e.seq = acc->chain_seq + 1;
    if (!sha256_hex_decode(acc->chain_hash, x->e.prev_hash)) {
        log_msg(LOG_ERROR, "account of customer %lld has a malformed chain head",
                (long long)acc->customer_id);
        return ERR_STORE;
    }
    journal_hash(&x->e, x->e.prev_hash, x->e.hash);
    svc_entry_lot_ids(x);
    enum err rc =
        store_journal_insert(c, &x->e, x->credit_type_id, x->actor_user_id, x->lot_ids, journal_id);
    if (rc != ERR_OK)
        return rc;
    store_note_journal(c, x->e.kind);
    acc->chain_seq = x->e.seq;
    hex_encode(x->e.hash, SHA256_BYTES, acc->chain_hash);
    acc->balance_minor = balance;
    acc->held_minor = held_after;
    acc->updated_at_us = x->e.created_at_us;
    rc = svc_event_entry_written(c, x, acc, *journal_id);
    return rc == ERR_OK ? store_account_update(c, acc) : rc;
}

enum err svc_write_for(struct svc *s, int64_t tenant_id, int64_t customer_id, store_txn_fn fn,
                       void *ctx)
{
    if (customer_id <= 0 || tenant_id <= 0)
        return store_write(s->st, fn, ctx);
    return store_write_keyed(s->st, tenant_id, customer_id, fn, ctx);
}

/* ---- tenants and zones ------------------------------------------------- */

enum { SVC_TZ_CACHE = 16 };
static pthread_mutex_t svc_tz_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tz svc_tz_cache[SVC_TZ_CACHE];
static size_t svc_tz_count;

enum err svc_tz_get(const char *name, struct tz *out)
{
    pthread_mutex_lock(&svc_tz_lock);
    for (size_t i = 0; i < svc_tz_count; i++) {
        if (strcmp(svc_tz_cache[i].name, name) == 0) {
            *out = svc_tz_cache[i];
            pthread_mutex_unlock(&svc_tz_lock);
            return ERR_OK;
        }
    }
    pthread_mutex_unlock(&svc_tz_lock);
    enum err rc = tz_load(out, name);
    if (rc != ERR_OK)
        return rc;
    pthread_mutex_lock(&svc_tz_lock);
    if (svc_tz_count < SVC_TZ_CACHE)
        svc_tz_cache[svc_tz_count++] = *out;
    pthread_mutex_unlock(&svc_tz_lock);
    return ERR_OK;
}

enum err svc_tenant_load(struct store_conn *c, struct arena *a, int64_t tenant_id,
                         struct svc_tenant *out)
{
    enum err rc = store_tenant_get(c, a, tenant_id, &out->row);
    if (rc != ERR_OK)
        return rc;
    /* A zone that vanished from the system falls back to UTC, loudly. */
    if (svc_tz_get(out->row.timezone, &out->tz) != ERR_OK) {
        log_msg(LOG_WARN, "unknown time zone '%s', using UTC", out->row.timezone);
        rc = tz_load(&out->tz, "UTC");
    }
    return rc;
}

enum err svc_type_by_code(struct store_conn *c, struct arena *a, int64_t tenant_id,
                          const char *code, struct credit_type_row *out, struct err_detail *d)
{
    if (code == NULL || code[0] == '\0')
        return err_set(d, ERR_VALIDATION, "credit_type", "is required");
    enum err rc = store_credit_type_by_code(c, a, tenant_id, code, out);
    if (rc == ERR_NOT_FOUND)
        return err_set(d, ERR_VALIDATION, "credit_type", "unknown credit type '%s'", code);
    return rc;
}

enum err svc_customer_check(struct store_conn *c, struct arena *a, int64_t tenant_id,
                            int64_t customer_id)
{
    struct customer_row cust;
    return store_customer_get(c, a, tenant_id, customer_id, &cust);
}

/* ---- accounts ---------------------------------------------------------- */

static enum err svc_account_expire_lot(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                       const struct credit_type_row *type, struct lot_row *r,
                                       struct account_row *acc, int64_t now_us)
{
    int64_t moved;
    enum err rc = lot_expire(&r->lot, now_us, &moved);
    if (rc != ERR_OK)
        return rc;
    rc = store_lot_update(c, r, now_us);
    if (rc != ERR_OK || moved == 0)
        return rc;
    struct svc_entry x;
    /* Entries are written in order of time: the entry is dated when the expiry
     * is booked; the lot keeps the instant it expired at. */
    svc_entry_init(&x, a, tenant_id, JOURNAL_EXPIRY, r->lot.customer_id, type, &SVC_SYSTEM, now_us);
    x.e.reason = "expiry";
    if ((rc = svc_entry_post(&x, ACCOUNT_LOT, r->lot.id, -moved)) != ERR_OK ||
        (rc = svc_entry_post(&x, ACCOUNT_EXPIRED, 0, moved)) != ERR_OK)
        return rc;
    int64_t journal_id;
    return svc_entry_write(c, &x, acc, &journal_id);
}

enum err svc_account_lock(struct store_conn *c, struct arena *a, int64_t tenant_id,
                          int64_t customer_id, const struct credit_type_row *type, int64_t now_us,
                          struct svc_account *out)
{
    memset(out, 0, sizeof(*out));
    out->a = a;
    enum err rc = store_account_lock(c, tenant_id, customer_id, type->id, now_us, &out->acc);
    if (rc != ERR_OK)
        return rc;
    return store_lot_list_live(c, a, tenant_id, customer_id, type->id, true, &out->lots,
                               &out->n_lots);
}

enum err svc_account_settle(struct store_conn *c, int64_t tenant_id,
                            const struct credit_type_row *type, struct svc_account *acct,
                            int64_t now_us)
{
    enum err rc = ERR_OK;
    for (size_t i = 0; rc == ERR_OK && i < acct->n_lots; i++) {
        struct lot_row *r = &acct->lots[i];
        if (r->lot.status == LOT_ACTIVE && lot_is_past_expiry(&r->lot, now_us)) {
            rc = svc_account_expire_lot(c, acct->a, tenant_id, type, r, &acct->acc, now_us);
            acct->n_expired++;
        }
    }
    return rc;
}

enum err svc_account_open(struct store_conn *c, struct arena *a, int64_t tenant_id,
                          int64_t customer_id, const struct credit_type_row *type, int64_t now_us,
                          struct svc_account *out)
{
    enum err rc = svc_account_lock(c, a, tenant_id, customer_id, type, now_us, out);
    return rc != ERR_OK ? rc : svc_account_settle(c, tenant_id, type, out, now_us);
}

struct alloc_plan *svc_alloc_plan_new(struct arena *a, size_t n_lots)
{
    struct alloc_plan *plan = arena_alloc(a, sizeof(*plan));
    if (plan == NULL || n_lots > SIZE_MAX / sizeof(struct alloc_draw))
        return NULL;
    size_t *order = arena_alloc(a, (n_lots + 1) * sizeof(*order));
    struct alloc_draw *draws = arena_alloc(a, (n_lots + 1) * sizeof(*draws));
    if (order == NULL || draws == NULL)
        return NULL;
    alloc_plan_init(plan, order, draws, n_lots);
    return plan;
}

/* ---- lots -------------------------------------------------------------- */

enum err svc_lot_insert(struct store_conn *c, struct lot_row *r)
{
    ASSERT(r->lot.original_minor > 0);
    ASSERT(r->lot.remaining_minor == r->lot.original_minor);
    return store_lot_insert(c, r, &r->lot.id);
}

enum err svc_refund_lot(struct store_conn *c, const struct svc_tenant *t,
                        const struct credit_type_row *type, int64_t customer_id, int64_t order_id,
                        int64_t amount_minor, const char *actor, int64_t now_us,
                        struct svc_entry *x)
{
    struct lot_row r;
    memset(&r, 0, sizeof(r));
    r.tenant_id = t->row.id;
    r.lot.customer_id = customer_id;
    r.lot.credit_type_id = type->id;
    r.lot.original_minor = amount_minor;
    r.lot.remaining_minor = amount_minor;
    r.lot.status = LOT_ACTIVE;
    r.lot.source = SOURCE_REFUND;
    r.lot.created_at_us = now_us;
    r.lot.starts_at_us = now_us;
    r.lot.expires_at_us = now_us + (int64_t)t->row.refund_validity_days * USEC_PER_DAY;
    r.lot.categories = "";
    r.lot.provider = "";
    r.name = "Refund";
    r.notes = "";
    r.order_id = order_id;
    r.created_by = actor;
    enum err rc = svc_lot_insert(c, &r);
    if (rc != ERR_OK)
        return rc;
    return svc_entry_post(x, ACCOUNT_LOT, r.lot.id, amount_minor);
}

/* ---- validation -------------------------------------------------------- */

static bool svc_utf8_is_valid(const unsigned char *p)
{
    while (*p) {
        unsigned char ch = *p;
        size_t n = ch < 0x80         ? 1
                   : (ch >> 5) == 6  ? 2
                   : (ch >> 4) == 14 ? 3
                   : (ch >> 3) == 30 ? 4
                                     : 0;
        if (n == 0 || (n == 2 && ch < 0xc2))
            return false;
        for (size_t i = 1; i < n; i++)
            if ((p[i] & 0xc0) != 0x80)
                return false;
        if (n == 1 && (ch < 0x20 || ch == 0x7f) && ch != '\n' && ch != '\t')
            return false;
        p += n;
    }
    return true;
}

enum err svc_text_check(const char *value, const char *field, size_t max_bytes, bool required,
                        struct err_detail *d)
{
    if (value == NULL || value[0] == '\0') {
        if (required)
            return err_set(d, ERR_VALIDATION, field, "is required");
        return ERR_OK;
    }
    if (strlen(value) > max_bytes)
        return err_set(d, ERR_VALIDATION, field, "is longer than %zu bytes", max_bytes);
    if (!svc_utf8_is_valid((const unsigned char *)value))
        return err_set(d, ERR_VALIDATION, field, "must be UTF-8 text without control characters");
    if (required) {
        bool blank = true;
        for (const char *p = value; *p && blank; p++)
            blank = *p == ' ' || *p == '\t' || *p == '\n';
        if (blank)
            return err_set(d, ERR_VALIDATION, field, "is required");
    }
    return ERR_OK;
}
