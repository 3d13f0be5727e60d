/*
 * Heavy reads on a read replica (serve --read-db): CSV exports, dashboards
 * and reports run on a PostgreSQL streaming standby, so they take no CPU or
 * I/O from the primary's writers. Freshness: before such a read, the
 * primary's WAL position is read (one tiny query); the read's transaction on
 * the replica first checks that the replica has replayed that far, and only
 * then reads, inside the same snapshot. So a heavy read sees every write
 * acknowledged before it began, by any caller, as on the primary. A replica
 * that stays behind for SVC_REPLICA_WAIT_MS, or cannot be reached, leaves the
 * read to the primary. Everything else (balances before a write, quotes,
 * single objects) always reads the primary.
 *
 * Must not: fall back to the primary once the read itself has started on the
 * replica (an export may already have streamed rows), or hide a replica
 * that is down (the metrics say so).
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "service/service_int.h"

enum {
    SVC_REPLICA_WAIT_MS = 200, /* how long a heavy read waits for the replica */
    SVC_REPLICA_POLL_MS = 10,  /* between its checks */
    SVC_LSN_BYTES = 32,        /* "FFFFFFFF/FFFFFFFF" */
};

struct svc_replica {
    struct store *st; /* borrowed */
    atomic_llong on_replica, on_primary;
};

enum err svc_replica_new(struct store *replica, struct svc_replica **out)
{
    ASSERT(replica != NULL);
    struct svc_replica *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return ERR_TOO_LARGE;
    r->st = replica;
    atomic_init(&r->on_replica, 0);
    atomic_init(&r->on_primary, 0);
    *out = r;
    return ERR_OK;
}

void svc_replica_free(struct svc_replica *r)
{
    free(r);
}

void svc_use_replica(struct svc *s, struct svc_replica *r)
{
    s->replica = r;
}

struct replica_wal_ctx {
    char lsn[SVC_LSN_BYTES];
};

static enum err svc_replica_wal_txn(struct store_conn *c, void *arg)
{
    struct replica_wal_ctx *x = arg;
    return store_wal_position(c, x->lsn, sizeof(x->lsn));
}

struct replica_read_ctx {
    const char *lsn;
    store_txn_fn fn;
    void *ctx;
    bool behind; /* the replica had not replayed lsn: fn did not run */
    bool ran;    /* fn started: no second try anywhere */
};

/* The first statement of the read fixes its snapshot: it only goes on when
 * that snapshot holds everything the primary had at lsn. */
static enum err svc_replica_read_txn(struct store_conn *c, void *arg)
{
    struct replica_read_ctx *x = arg;
    bool caught_up = false;
    enum err rc = store_replica_caught_up(c, x->lsn, &caught_up);
    if (rc != ERR_OK)
        return rc;
    x->behind = !caught_up;
    if (x->behind)
        return ERR_CONFLICT; /* ends the transaction; nothing was read */
    x->ran = true;
    return x->fn(c, x->ctx);
}

static void svc_replica_pause(void)
{
    struct timespec t = {.tv_sec = 0, .tv_nsec = SVC_REPLICA_POLL_MS * 1000000L};
    nanosleep(&t, NULL);
}

enum err svc_read_heavy(struct svc *s, store_txn_fn fn, void *ctx)
{
    struct svc_replica *r = s->replica;
    if (r == NULL)
        return store_read(s->st, fn, ctx);
    struct replica_wal_ctx wal = {.lsn = ""};
    enum err rc = store_read(s->st, svc_replica_wal_txn, &wal);
    if (rc != ERR_OK)
        return rc; /* the primary is not there either */
    struct replica_read_ctx x = {.lsn = wal.lsn, .fn = fn, .ctx = ctx};
    for (int waited = 0; waited <= SVC_REPLICA_WAIT_MS; waited += SVC_REPLICA_POLL_MS) {
        x.behind = false;
        rc = store_read(r->st, svc_replica_read_txn, &x);
        if (x.ran) {
            atomic_fetch_add(&r->on_replica, 1);
            return rc;
        }
        if (!x.behind)
            break; /* unreachable or failing: the primary answers */
        svc_replica_pause();
    }
    atomic_fetch_add(&r->on_primary, 1);
    return store_read(s->st, fn, ctx);
}

struct replica_lag_ctx {
    const char *lsn;
    int64_t bytes, ms;
};

static enum err svc_replica_lag_txn(struct store_conn *c, void *arg)
{
    struct replica_lag_ctx *x = arg;
    return store_replica_lag(c, x->lsn, &x->bytes, &x->ms);
}

enum err svc_replica_status(struct svc *s, struct svc_replica_status *out)
{
    *out = (struct svc_replica_status){.configured = s->replica != NULL};
    if (s->replica == NULL)
        return ERR_OK;
    out->reads_on_replica = atomic_load(&s->replica->on_replica);
    out->reads_on_primary = atomic_load(&s->replica->on_primary);
    struct replica_wal_ctx wal = {.lsn = ""};
    enum err rc = store_read(s->st, svc_replica_wal_txn, &wal);
    if (rc != ERR_OK)
        return rc;
    struct replica_lag_ctx lag = {.lsn = wal.lsn};
    out->up = store_read(s->replica->st, svc_replica_lag_txn, &lag) == ERR_OK;
    out->lag_bytes = lag.bytes;
    out->lag_ms = lag.ms;
    return ERR_OK;
}
