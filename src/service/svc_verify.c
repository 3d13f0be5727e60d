/*
 * Expiry, balances and verification. Expiry books one journal entry per lot
 * (rule 8). Balances are computed from the lots at read time, so credits past
 * their expiry never show even before the expiry job ran. verify recomputes
 * the whole ledger from the postings (DESIGN §3) and reports every finding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/service_int.h"

/* ---- expiry ------------------------------------------------------------ */

/* Lots looked at per pass of the expiry job. */
enum { SVC_EXPIRE_BATCH = 256 };

struct expire_list_ctx {
    struct arena *a;
    int64_t now_us;
    struct lot_row *lots;
    size_t n;
};

static enum err svc_expire_list_txn(struct store_conn *c, void *arg)
{
    struct expire_list_ctx *x = arg;
    return store_lot_list_expiring(c, x->a, x->now_us, SVC_EXPIRE_BATCH, &x->lots, &x->n);
}

struct expire_ctx {
    const struct lot_row *lot;
    int64_t now_us;
    int64_t expired;
};

static enum err svc_expire_txn(struct store_conn *c, void *arg)
{
    struct expire_ctx *x = arg;
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    struct credit_type_row type;
    struct svc_account acct;
    enum err rc =
        store_credit_type_get(c, &a, x->lot->tenant_id, x->lot->lot.credit_type_id, &type);
    if (rc == ERR_OK)
        rc = svc_account_open(c, &a, x->lot->tenant_id, x->lot->lot.customer_id, &type, x->now_us,
                              &acct);
    x->expired = rc == ERR_OK ? acct.n_expired : 0;
    arena_release(&a);
    return rc;
}

enum err svc_expire(struct svc *s, int64_t now_us, int64_t *count)
{
    int64_t now = now_us ? now_us : svc_now(s);
    *count = 0;
    for (;;) {
        struct arena a;
        arena_init(&a, ARENA_REQUEST_BYTES_MAX);
        struct expire_list_ctx list = {.a = &a, .now_us = now};
        enum err rc = store_read(s->st, svc_expire_list_txn, &list);
        int64_t pass = 0;
        /* One transaction per account: it expires every due lot of it. */
        for (size_t i = 0; rc == ERR_OK && i < list.n; i++) {
            struct expire_ctx x = {.lot = &list.lots[i], .now_us = now};
            rc = store_write(s->st, svc_expire_txn, &x);
            pass += x.expired;
        }
        arena_release(&a);
        *count += pass;
        if (rc != ERR_OK)
            return rc;
        if (list.n < SVC_EXPIRE_BATCH || pass == 0)
            return ERR_OK;
    }
}

/* ---- balances ---------------------------------------------------------- */

struct balances_ctx {
    struct arena *a;
    int64_t tenant_id, customer_id, now_us;
    struct svc_balance *out;
    size_t n;
};

static enum err svc_balances_txn(struct store_conn *c, void *arg)
{
    struct balances_ctx *x = arg;
    struct credit_type_row *types;
    size_t n_types;
    enum err rc = svc_customer_check(c, x->a, x->tenant_id, x->customer_id);
    if (rc == ERR_OK)
        rc = store_credit_type_list(c, x->a, x->tenant_id, &types, &n_types);
    if (rc != ERR_OK)
        return rc;
    x->out = arena_alloc(x->a, (n_types + 1) * sizeof(*x->out));
    if (x->out == NULL)
        return ERR_TOO_LARGE;
    x->n = n_types;
    for (size_t t = 0; rc == ERR_OK && t < n_types; t++) {
        struct svc_balance *b = &x->out[t];
        *b = (struct svc_balance){.credit_type_id = types[t].id,
                                  .credit_type = types[t].code,
                                  .scale = types[t].scale,
                                  .spendable = types[t].spendable};
        struct account_row acc = {0};
        rc = store_account_get(c, x->customer_id, types[t].id, &acc);
        if (rc == ERR_NOT_FOUND) {
            rc = ERR_OK; /* never held credits of this type */
            continue;
        }
        struct lot_row *lots;
        size_t n_lots;
        if (rc == ERR_OK)
            rc = store_lot_list_live(c, x->a, x->customer_id, types[t].id, false, &lots, &n_lots);
        b->held_minor = acc.held_minor;
        b->balance_minor = acc.held_minor;
        for (size_t i = 0; rc == ERR_OK && i < n_lots; i++) {
            const struct lot *l = &lots[i].lot;
            if (lot_is_in_balance(l, x->now_us))
                b->balance_minor += l->remaining_minor;
            if (lot_is_usable(l, x->now_us))
                b->available_minor += l->remaining_minor;
        }
    }
    return rc;
}

enum err svc_balances(struct svc *s, struct arena *a, int64_t tenant_id, int64_t customer_id,
                      struct svc_balance **out, size_t *n)
{
    struct balances_ctx x = {
        .a = a, .tenant_id = tenant_id, .customer_id = customer_id, .now_us = svc_now(s)};
    enum err rc = store_read(s->st, svc_balances_txn, &x);
    *out = x.out;
    *n = rc == ERR_OK ? x.n : 0;
    return rc;
}

/* ---- verify ------------------------------------------------------------ */

/* Running totals of one account (customer × credit type) while replaying. */
struct verify_account {
    int64_t customer_id; /* 0 = empty slot */
    int64_t credit_type_id;
    int64_t balance_minor;
    int64_t held_minor;
    bool seen_in_table;
};

struct verify_ctx {
    svc_finding_cb cb;
    void *cb_ctx;
    int64_t findings;
    int64_t tenant_id;
    int64_t last_seq;
    uint8_t last_hash[SHA256_BYTES];
    struct verify_account *accounts;
    size_t cap, used;
    bool out_of_memory;
};

static void verify_report(struct verify_ctx *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void verify_report(struct verify_ctx *v, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    v->findings++;
    if (v->cb != NULL)
        v->cb(msg, v->cb_ctx);
}

static size_t verify_slot(const struct verify_ctx *v, int64_t customer_id, int64_t type_id)
{
    uint64_t h = (uint64_t)customer_id * UINT64_C(0x9E3779B97F4A7C15) ^ (uint64_t)type_id;
    h ^= h >> 29;
    return (size_t)(h & (v->cap - 1));
}

static struct verify_account *verify_account(struct verify_ctx *v, int64_t customer_id,
                                             int64_t type_id)
{
    if (v->used * 2 >= v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 1024;
        struct verify_account *old = v->accounts;
        size_t old_cap = v->cap;
        v->accounts = calloc(cap, sizeof(*v->accounts));
        if (v->accounts == NULL) {
            v->accounts = old;
            v->out_of_memory = true;
            return NULL;
        }
        v->cap = cap;
        for (size_t i = 0; i < old_cap; i++) {
            if (old[i].customer_id == 0)
                continue;
            size_t k = verify_slot(v, old[i].customer_id, old[i].credit_type_id);
            while (v->accounts[k].customer_id != 0)
                k = (k + 1) & (cap - 1);
            v->accounts[k] = old[i];
        }
        free(old);
    }
    size_t k = verify_slot(v, customer_id, type_id);
    while (v->accounts[k].customer_id != 0 &&
           (v->accounts[k].customer_id != customer_id || v->accounts[k].credit_type_id != type_id))
        k = (k + 1) & (v->cap - 1);
    if (v->accounts[k].customer_id == 0) {
        v->accounts[k] =
            (struct verify_account){.customer_id = customer_id, .credit_type_id = type_id};
        v->used++;
    }
    return &v->accounts[k];
}

static enum err verify_entry(const struct journal_row *r, void *arg)
{
    struct verify_ctx *v = arg;
    const struct journal_entry *e = &r->entry;
    if (e->seq != v->last_seq + 1)
        verify_report(v, "journal %lld: sequence %lld follows %lld", (long long)e->id,
                      (long long)e->seq, (long long)v->last_seq);
    if (memcmp(e->prev_hash, v->last_hash, SHA256_BYTES) != 0)
        verify_report(v,
                      "journal %lld: prev_hash does not match the entry before it (chain "
                      "broken)",
                      (long long)e->id);
    uint8_t hash[SHA256_BYTES];
    journal_hash(e, e->prev_hash, hash);
    if (memcmp(hash, e->hash, SHA256_BYTES) != 0)
        verify_report(v, "journal %lld: hash does not match its contents (altered row)",
                      (long long)e->id);
    if (!journal_is_balanced(e))
        verify_report(v, "journal %lld: postings do not sum to zero", (long long)e->id);
    if (!journal_amount_matches(e))
        verify_report(v, "journal %lld: amount %lld differs from the customer's postings",
                      (long long)e->id, (long long)e->amount_minor);
    v->last_seq = e->seq;
    memcpy(v->last_hash, e->hash, SHA256_BYTES);
    struct verify_account *acc = verify_account(v, e->customer_id, r->credit_type_id);
    if (acc == NULL)
        return ERR_TOO_LARGE;
    acc->balance_minor += e->amount_minor;
    for (size_t i = 0; i < e->n_postings; i++)
        if (e->postings[i].account == ACCOUNT_HELD)
            acc->held_minor += e->postings[i].amount_minor;
    if (e->balance_after_minor != acc->balance_minor)
        verify_report(v, "journal %lld: balance_after %lld, but the running balance is %lld",
                      (long long)e->id, (long long)e->balance_after_minor,
                      (long long)acc->balance_minor);
    if (acc->balance_minor < 0 || acc->held_minor < 0)
        verify_report(v, "journal %lld: customer %lld goes below zero", (long long)e->id,
                      (long long)e->customer_id);
    return ERR_OK;
}

static enum err verify_lot(const struct lot_check_row *r, void *arg)
{
    struct verify_ctx *v = arg;
    if (r->remaining_minor != r->postings_minor)
        verify_report(v, "lot %lld: remaining %lld, but its postings sum to %lld",
                      (long long)r->lot_id, (long long)r->remaining_minor,
                      (long long)r->postings_minor);
    if (r->first_posting_minor != r->original_minor)
        verify_report(v, "lot %lld: created with %lld, but its original is %lld",
                      (long long)r->lot_id, (long long)r->first_posting_minor,
                      (long long)r->original_minor);
    if (r->remaining_minor < 0 || r->deactivated_minor < 0)
        verify_report(v, "lot %lld: negative remaining", (long long)r->lot_id);
    return ERR_OK;
}

static enum err verify_stored_account(const struct account_row *a, int64_t lots_minor, void *arg)
{
    struct verify_ctx *v = arg;
    struct verify_account *acc = verify_account(v, a->customer_id, a->credit_type_id);
    if (acc == NULL)
        return ERR_TOO_LARGE;
    acc->seen_in_table = true;
    if (a->balance_minor != acc->balance_minor)
        verify_report(v, "account customer %lld type %lld: stored balance %lld, journal says %lld",
                      (long long)a->customer_id, (long long)a->credit_type_id,
                      (long long)a->balance_minor, (long long)acc->balance_minor);
    if (a->held_minor != acc->held_minor)
        verify_report(v, "account customer %lld type %lld: stored held %lld, journal says %lld",
                      (long long)a->customer_id, (long long)a->credit_type_id,
                      (long long)a->held_minor, (long long)acc->held_minor);
    if (a->balance_minor != lots_minor + a->held_minor)
        verify_report(v,
                      "account customer %lld type %lld: balance %lld, but its lots hold %lld "
                      "and %lld is held",
                      (long long)a->customer_id, (long long)a->credit_type_id,
                      (long long)a->balance_minor, (long long)lots_minor, (long long)a->held_minor);
    return ERR_OK;
}

static enum err verify_tenant(struct store_conn *c, struct arena *a, struct verify_ctx *v)
{
    v->last_seq = 0;
    memset(v->last_hash, 0, SHA256_BYTES);
    free(v->accounts);
    v->accounts = NULL;
    v->cap = v->used = 0;
    struct journal_filter f = {
        .tenant_id = v->tenant_id, .oldest_first = true, .with_postings = true};
    enum err rc = store_journal_scan(c, a, &f, verify_entry, v);
    int64_t head_seq;
    char head_hex[SHA256_HEX], last_hex[SHA256_HEX];
    if (rc == ERR_OK)
        rc = store_chain_get(c, v->tenant_id, &head_seq, head_hex);
    hex_encode(v->last_hash, SHA256_BYTES, last_hex);
    if (rc == ERR_OK && (head_seq != v->last_seq || strcmp(head_hex, last_hex) != 0))
        verify_report(v, "tenant %lld: chain head at %lld does not match the last entry %lld",
                      (long long)v->tenant_id, (long long)head_seq, (long long)v->last_seq);
    if (rc == ERR_OK)
        rc = store_lot_check_scan(c, v->tenant_id, verify_lot, v);
    if (rc == ERR_OK)
        rc = store_account_check_scan(c, v->tenant_id, verify_stored_account, v);
    for (size_t i = 0; rc == ERR_OK && i < v->cap; i++) {
        const struct verify_account *acc = &v->accounts[i];
        if (acc->customer_id != 0 && !acc->seen_in_table)
            verify_report(v,
                          "account customer %lld type %lld: has journal entries but no "
                          "stored balance",
                          (long long)acc->customer_id, (long long)acc->credit_type_id);
    }
    return rc;
}

static enum err svc_verify_txn(struct store_conn *c, void *arg)
{
    struct verify_ctx *v = arg;
    struct arena a;
    arena_init(&a, ARENA_COMMAND_BYTES_MAX);
    int64_t *ids = &v->tenant_id, one = v->tenant_id;
    size_t n = 1;
    enum err rc = ERR_OK;
    if (one == 0)
        rc = store_tenant_ids(c, &a, &ids, &n);
    v->findings = 0;
    for (size_t i = 0; rc == ERR_OK && i < n; i++) {
        v->tenant_id = one != 0 ? one : ids[i];
        rc = verify_tenant(c, &a, v);
    }
    v->tenant_id = one;
    arena_release(&a);
    return rc;
}

enum err svc_verify_tenant(struct svc *s, int64_t tenant_id, svc_finding_cb cb, void *ctx,
                           int64_t *n_findings)
{
    struct verify_ctx v = {.cb = cb, .cb_ctx = ctx, .tenant_id = tenant_id};
    /* One read snapshot: the journal, the lots, the accounts and the chain
     * head are seen at one instant, and writers are not held up. */
    enum err rc = store_read(s->st, svc_verify_txn, &v);
    free(v.accounts);
    *n_findings = v.findings;
    return rc;
}

enum err svc_verify(struct svc *s, svc_finding_cb cb, void *ctx, int64_t *n_findings)
{
    return svc_verify_tenant(s, 0, cb, ctx, n_findings);
}
