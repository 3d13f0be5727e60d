/*
 * Reads for operators: the tenants and their booked balances for `creditd
 * status`, the ledger export, the readiness probe, the store's name and the
 * journal counters for /metrics. Each read is one snapshot.
 *
 * Must not: write, print or format (the CLI and HTTP render what it returns).
 */
#include "service/service_int.h"

const char *svc_backend_name(const struct svc *s)
{
    ASSERT(s != NULL);
    return store_backend_name(s->st);
}

uint64_t svc_journal_committed(enum journal_kind kind)
{
    ASSERT(kind < JOURNAL__COUNT);
    return store_journal_committed(kind);
}

static enum err svc_ready_txn(struct store_conn *c, void *arg)
{
    return store_tenant_count(c, arg);
}

enum err svc_ready(struct svc *s, int64_t *tenants)
{
    ASSERT(tenants != NULL);
    return store_read(s->st, svc_ready_txn, tenants);
}

struct svc_tenant_ids_ctx {
    struct arena *a;
    int64_t **ids;
    size_t *n;
};

static enum err svc_tenant_ids_txn(struct store_conn *c, void *arg)
{
    struct svc_tenant_ids_ctx *x = arg;
    return store_tenant_ids(c, x->a, x->ids, x->n);
}

enum err svc_tenant_ids(struct svc *s, struct arena *a, int64_t **ids, size_t *n)
{
    ASSERT(ids != NULL && n != NULL);
    struct svc_tenant_ids_ctx x = {.a = a, .ids = ids, .n = n};
    return store_read(s->st, svc_tenant_ids_txn, &x);
}

struct svc_tenant_status_ctx {
    struct arena *a;
    int64_t tenant_id;
    struct svc_tenant_status *out;
};

static enum err svc_tenant_status_txn(struct store_conn *c, void *arg)
{
    struct svc_tenant_status_ctx *x = arg;
    struct svc_tenant_status *o = x->out;
    enum err rc = store_tenant_get(c, x->a, x->tenant_id, &o->tenant);
    if (rc == ERR_OK)
        rc = store_customer_count(c, x->tenant_id, &o->customers);
    if (rc == ERR_OK)
        rc = store_credit_type_list(c, x->a, x->tenant_id, &o->types.items, &o->types.n);
    if (rc == ERR_OK)
        rc = store_outstanding(c, x->a, x->tenant_id, &o->sums, &o->n_sums);
    return rc;
}

enum err svc_tenant_status(struct svc *s, struct arena *a, int64_t tenant_id,
                           struct svc_tenant_status *out)
{
    ASSERT(out != NULL);
    *out = (struct svc_tenant_status){0};
    struct svc_tenant_status_ctx x = {.a = a, .tenant_id = tenant_id, .out = out};
    return store_read(s->st, svc_tenant_status_txn, &x);
}

struct svc_customer_count_ctx {
    int64_t tenant_id;
    int64_t *count;
};

static enum err svc_customer_count_txn(struct store_conn *c, void *arg)
{
    struct svc_customer_count_ctx *x = arg;
    return store_customer_count(c, x->tenant_id, x->count);
}

enum err svc_customer_count(struct svc *s, int64_t tenant_id, int64_t *count)
{
    ASSERT(count != NULL);
    struct svc_customer_count_ctx x = {.tenant_id = tenant_id, .count = count};
    return store_read(s->st, svc_customer_count_txn, &x);
}

struct svc_journal_export_ctx {
    struct arena *a;
    int64_t tenant_id;
    struct svc_types *types;
    store_journal_cb cb;
    void *ctx;
};

static enum err svc_journal_export_txn(struct store_conn *c, void *arg)
{
    struct svc_journal_export_ctx *x = arg;
    enum err rc = store_credit_type_list(c, x->a, x->tenant_id, &x->types->items, &x->types->n);
    if (rc != ERR_OK)
        return rc;
    struct journal_filter f = {.tenant_id = x->tenant_id, .oldest_first = true};
    return store_journal_scan(c, x->a, &f, x->cb, x->ctx);
}

enum err svc_journal_export(struct svc *s, struct arena *a, int64_t tenant_id,
                            struct svc_types *types, store_journal_cb cb, void *ctx)
{
    ASSERT(types != NULL);
    ASSERT(cb != NULL);
    struct svc_journal_export_ctx x = {
        .a = a, .tenant_id = tenant_id, .types = types, .cb = cb, .ctx = ctx};
    return svc_read_heavy(s, svc_journal_export_txn, &x);
}
