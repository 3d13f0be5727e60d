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
        rc = store_account_get(c, x->tenant_id, x->customer_id, types[t].id, &acc);
        if (rc == ERR_NOT_FOUND) {
            rc = ERR_OK; /* never held credits of this type */
            continue;
        }
        struct lot_row *lots;
        size_t n_lots;
        if (rc == ERR_OK)
            rc = store_lot_list_live(c, x->a, x->tenant_id, x->customer_id, types[t].id, false,
                                     &lots, &n_lots);
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
    int64_t chain_seq; /* the account chain replayed so far */
    uint8_t chain_hash[SHA256_BYTES];
    bool seen_in_table;
};

/* A head some seal recorded, looked up by (customer, type, chain seq). */
struct verify_head {
    struct seal_head_row row;
    uint8_t hash[SHA256_BYTES];
    bool matched; /* the journal has this entry with this hash */
};

struct verify_ctx {
    svc_finding_cb cb;
    void *cb_ctx;
    int64_t findings;
    int64_t tenant_id;
    int64_t last_seq; /* the tenant chain (entries before schema 6) */
    uint8_t last_hash[SHA256_BYTES];
    struct verify_account *accounts;
    size_t cap, used;
    struct verify_head *heads; /* sorted by seal, customer, type */
    size_t n_heads, cap_heads;
    size_t *head_index; /* open addressing over heads, SIZE_MAX = empty */
    size_t head_index_cap;
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

static size_t verify_head_slot(const struct verify_ctx *v, int64_t customer_id, int64_t type_id,
                               int64_t chain_seq)
{
    uint64_t h = (uint64_t)customer_id * UINT64_C(0x9E3779B97F4A7C15);
    h ^= (uint64_t)type_id * UINT64_C(0xC2B2AE3D27D4EB4F);
    h ^= (uint64_t)chain_seq * UINT64_C(0x165667B19E3779F9);
    h ^= h >> 31;
    return (size_t)(h & (v->head_index_cap - 1));
}

/* The sealed head of this account at this seq, or NULL. */
static struct verify_head *verify_head_find(struct verify_ctx *v, int64_t customer_id,
                                            int64_t type_id, int64_t chain_seq)
{
    if (v->head_index_cap == 0)
        return NULL;
    for (size_t k = verify_head_slot(v, customer_id, type_id, chain_seq);;
         k = (k + 1) & (v->head_index_cap - 1)) {
        if (v->head_index[k] == SIZE_MAX)
            return NULL;
        struct verify_head *h = &v->heads[v->head_index[k]];
        if (h->row.customer_id == customer_id && h->row.credit_type_id == type_id &&
            h->row.chain_seq == chain_seq)
            return h;
    }
}

/* The chain links of an entry: the tenant chain for entries written before
 * schema 6, its account's chain after; and a sealed head must match it. */
static void verify_entry_chain(struct verify_ctx *v, const struct journal_entry *e,
                               struct verify_account *acc)
{
    bool tenant = e->chain == JOURNAL_CHAIN_TENANT;
    int64_t *seq = tenant ? &v->last_seq : &acc->chain_seq;
    uint8_t *prev = tenant ? v->last_hash : acc->chain_hash;
    if (e->seq != *seq + 1)
        verify_report(v, "journal %lld: %s sequence %lld follows %lld", (long long)e->id,
                      tenant ? "tenant chain" : "account chain", (long long)e->seq,
                      (long long)*seq);
    if (memcmp(e->prev_hash, prev, SHA256_BYTES) != 0)
        verify_report(v,
                      "journal %lld: prev_hash does not match the entry before it in its %s "
                      "(chain broken)",
                      (long long)e->id, tenant ? "tenant chain" : "account chain");
    *seq = e->seq;
    memcpy(prev, e->hash, SHA256_BYTES);
    struct verify_head *h =
        tenant ? NULL : verify_head_find(v, e->customer_id, acc->credit_type_id, e->seq);
    if (h != NULL && !h->matched) {
        h->matched = true;
        if (memcmp(h->hash, e->hash, SHA256_BYTES) != 0)
            verify_report(v, "journal %lld: hash differs from the one seal %lld recorded",
                          (long long)e->id, (long long)h->row.seal_seq);
    }
}

static enum err verify_entry(const struct journal_row *r, void *arg)
{
    struct verify_ctx *v = arg;
    const struct journal_entry *e = &r->entry;
    struct verify_account *acc = verify_account(v, e->customer_id, r->credit_type_id);
    if (acc == NULL)
        return ERR_TOO_LARGE;
    uint8_t hash[SHA256_BYTES];
    journal_hash(e, e->prev_hash, hash);
    if (memcmp(hash, e->hash, SHA256_BYTES) != 0)
        verify_report(v, "journal %lld: hash does not match its contents (altered row)",
                      (long long)e->id);
    verify_entry_chain(v, e, acc);
    if (!journal_is_balanced(e))
        verify_report(v, "journal %lld: postings do not sum to zero", (long long)e->id);
    if (!journal_amount_matches(e))
        verify_report(v, "journal %lld: amount %lld differs from the customer's postings",
                      (long long)e->id, (long long)e->amount_minor);
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
    char head_hex[SHA256_HEX];
    hex_encode(acc->chain_hash, SHA256_BYTES, head_hex);
    if (a->chain_seq != acc->chain_seq || strcmp(a->chain_hash, head_hex) != 0)
        verify_report(v,
                      "account customer %lld type %lld: chain head at %lld does not match its "
                      "last entry %lld",
                      (long long)a->customer_id, (long long)a->credit_type_id,
                      (long long)a->chain_seq, (long long)acc->chain_seq);
    if (a->balance_minor != lots_minor + a->held_minor)
        verify_report(v,
                      "account customer %lld type %lld: balance %lld, but its lots hold %lld "
                      "and %lld is held",
                      (long long)a->customer_id, (long long)a->credit_type_id,
                      (long long)a->balance_minor, (long long)lots_minor, (long long)a->held_minor);
    return ERR_OK;
}

/* ---- seals ------------------------------------------------------------- */

static enum err verify_head_collect(const struct seal_head_row *h, void *arg)
{
    struct verify_ctx *v = arg;
    if (v->n_heads == v->cap_heads) {
        size_t cap = v->cap_heads ? v->cap_heads * 2 : 256;
        struct verify_head *grown = realloc(v->heads, cap * sizeof(*grown));
        if (grown == NULL) {
            v->out_of_memory = true;
            return ERR_TOO_LARGE;
        }
        v->heads = grown;
        v->cap_heads = cap;
    }
    struct verify_head *out = &v->heads[v->n_heads++];
    *out = (struct verify_head){.row = *h};
    if (!sha256_hex_decode(h->chain_hash, out->hash))
        memset(out->hash, 0xff, SHA256_BYTES);
    return ERR_OK;
}

static enum err verify_head_index(struct verify_ctx *v)
{
    size_t cap = 16;
    while (cap < v->n_heads * 2)
        cap *= 2;
    v->head_index = malloc(cap * sizeof(*v->head_index));
    if (v->head_index == NULL)
        return ERR_TOO_LARGE;
    v->head_index_cap = cap;
    for (size_t k = 0; k < cap; k++)
        v->head_index[k] = SIZE_MAX;
    for (size_t i = 0; i < v->n_heads; i++) {
        const struct seal_head_row *r = &v->heads[i].row;
        size_t k = verify_head_slot(v, r->customer_id, r->credit_type_id, r->chain_seq);
        while (v->head_index[k] != SIZE_MAX)
            k = (k + 1) & (cap - 1);
        v->head_index[k] = i;
    }
    return ERR_OK;
}

/* Recomputes one seal from its heads (heads[*next] onwards) and its link to
 * the seal before it. */
static void verify_seal_one(struct verify_ctx *v, const struct seal_row *s, const uint8_t *prev,
                            size_t *next)
{
    struct journal_seal js = {.tenant_id = s->tenant_id,
                              .seq = s->seq,
                              .created_at_us = s->created_at_us,
                              .n_heads = s->n_heads};
    uint8_t stored[SHA256_BYTES], hash[SHA256_BYTES];
    if (!sha256_hex_decode(s->prev_hash, js.prev_hash) || memcmp(js.prev_hash, prev, SHA256_BYTES))
        verify_report(v, "seal %lld: prev_hash does not match the seal before it",
                      (long long)s->seq);
    size_t first = *next;
    while (*next < v->n_heads && v->heads[*next].row.seal_seq == s->seq)
        (*next)++;
    if ((int64_t)(*next - first) != s->n_heads || s->n_heads < 1)
        verify_report(v, "seal %lld: records %lld heads, %zu are stored", (long long)s->seq,
                      (long long)s->n_heads, *next - first);
    struct sha256_state st;
    journal_seal_begin(&st, &js);
    for (size_t i = first; i < *next; i++) {
        const struct verify_head *h = &v->heads[i];
        journal_seal_add(&st, h->row.customer_id, h->row.credit_type_id, h->row.chain_seq, h->hash);
    }
    journal_seal_end(&st, hash);
    if (!sha256_hex_decode(s->hash, stored) || memcmp(stored, hash, SHA256_BYTES) != 0)
        verify_report(v, "seal %lld: hash does not match its heads (altered seal)",
                      (long long)s->seq);
}

/* Loads the tenant's seals and checks their chain; the heads they recorded
 * are kept for the journal scan. */
static enum err verify_seals(struct store_conn *c, struct arena *a, struct verify_ctx *v)
{
    struct seal_row *seals;
    size_t n;
    enum err rc = store_seal_list(c, a, v->tenant_id, &seals, &n);
    if (rc == ERR_OK)
        rc = store_seal_head_scan(c, v->tenant_id, verify_head_collect, v);
    if (rc == ERR_OK)
        rc = verify_head_index(v);
    uint8_t prev[SHA256_BYTES] = {0};
    size_t next = 0;
    for (size_t i = 0; rc == ERR_OK && i < n; i++) {
        if (seals[i].seq != (int64_t)i + 1)
            verify_report(v, "seal %lld follows seal %lld", (long long)seals[i].seq, (long long)i);
        while (next < v->n_heads && v->heads[next].row.seal_seq < seals[i].seq)
            verify_report(v, "sealed head of customer %lld belongs to no seal",
                          (long long)v->heads[next++].row.customer_id);
        verify_seal_one(v, &seals[i], prev, &next);
        if (!sha256_hex_decode(seals[i].hash, prev))
            memset(prev, 0xff, SHA256_BYTES);
    }
    return rc;
}

static void verify_seals_unmatched(struct verify_ctx *v)
{
    for (size_t i = 0; i < v->n_heads; i++) {
        const struct verify_head *h = &v->heads[i];
        if (!h->matched)
            verify_report(v,
                          "seal %lld: customer %lld type %lld entry %lld is missing from the "
                          "journal (removed)",
                          (long long)h->row.seal_seq, (long long)h->row.customer_id,
                          (long long)h->row.credit_type_id, (long long)h->row.chain_seq);
    }
}

static void verify_tenant_reset(struct verify_ctx *v)
{
    v->last_seq = 0;
    memset(v->last_hash, 0, SHA256_BYTES);
    free(v->accounts);
    v->accounts = NULL;
    v->cap = v->used = 0;
    free(v->heads);
    v->heads = NULL;
    v->n_heads = v->cap_heads = 0;
    free(v->head_index);
    v->head_index = NULL;
    v->head_index_cap = 0;
}

static enum err verify_tenant(struct store_conn *c, struct arena *a, struct verify_ctx *v)
{
    verify_tenant_reset(v);
    struct journal_filter f = {
        .tenant_id = v->tenant_id, .oldest_first = true, .with_postings = true};
    enum err rc = verify_seals(c, a, v);
    if (rc == ERR_OK)
        rc = store_journal_scan(c, a, &f, verify_entry, v);
    if (rc == ERR_OK)
        verify_seals_unmatched(v);
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
    verify_tenant_reset(&v);
    *n_findings = v.findings;
    return rc;
}

enum err svc_verify(struct svc *s, svc_finding_cb cb, void *ctx, int64_t *n_findings)
{
    return svc_verify_tenant(s, 0, cb, ctx, n_findings);
}
