/*
 * The server's memory of who is calling: the principal behind each API key
 * and session secret (by their SHA-256) of each tenant, so a request does not
 * read them from the database again. Correctness comes from the tenant's auth
 * epoch (store_auth_epoch_get): every change that can end access to a tenant
 * moves that tenant's epoch in its own transaction, and each request first
 * resolves its tenant from the Host and reads the tenant's epoch (one small
 * read of two statements), dropping what was cached under an older epoch. A
 * revoked key or session is therefore refused at the next request, on every
 * server that shares the database. Sessions still expire by time from the
 * cached instants, and a session's last use is written through as before.
 *
 * The epoch is per tenant (schema 7) so that a logout writes a row of its own
 * tenant only: a shared row would be written by every tenant's logouts and,
 * on a database distributed by tenant, make each logout a transaction across
 * nodes. Hosts are not cached: tenant_hosts and tenants are small reference
 * tables, and reading the host with the epoch costs one indexed statement,
 * with no shared epoch needed to tell when a host moved.
 *
 * Must not: cache a refusal (a key created a moment ago must work), hand
 * out pointers into the cache (entries are copied out under the lock), or
 * let a tenant's known epoch go back (an entry read under an old epoch
 * would come alive again): tenants' epochs are never evicted.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "service/service_int.h"

enum {
    CACHE_SLOTS = 4096,   /* callers (keys and sessions) kept; a collision evicts */
    CACHE_TENANTS = 1024, /* tenants whose epoch is kept; callers of others are not cached */
    CACHE_LABEL_BYTES = 264,
    CACHE_ROLE_BYTES = 16,
};

struct cache_caller {
    char hash[SHA256_HEX]; /* "" = empty */
    int64_t epoch;
    struct svc_principal p; /* email and role point into this entry: copy out */
    char label[CACHE_LABEL_BYTES];
    char role[CACHE_ROLE_BYTES];
    int64_t expires_at_us; /* sessions */
    int64_t last_seen_at_us;
};

struct cache_tenant {
    int64_t tenant_id; /* 0 = empty */
    int64_t epoch;     /* the newest auth epoch read for the tenant */
};

struct svc_cache {
    pthread_mutex_t lock;
    struct cache_caller callers[CACHE_SLOTS];
    struct cache_tenant tenants[CACHE_TENANTS]; /* open addressing, never evicted */
};

enum err svc_cache_new(struct svc_cache **out)
{
    struct svc_cache *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return ERR_TOO_LARGE;
    pthread_mutex_init(&c->lock, NULL);
    *out = c;
    return ERR_OK;
}

void svc_cache_free(struct svc_cache *c)
{
    if (c == NULL)
        return;
    pthread_mutex_destroy(&c->lock);
    free(c);
}

void svc_use_cache(struct svc *s, struct svc_cache *c)
{
    s->cache = c;
}

static size_t cache_slot(const char *key, size_t n)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (const char *p = key; *p; p++)
        h = (h ^ (uint8_t)*p) * UINT64_C(1099511628211);
    return (size_t)(h % n);
}

/* ---- tenants and their epochs --------------------------------------------- */

/* The tenant's entry (lock held); with add, a free one is taken for it. NULL
 * when it has none (and, with add, none is free: its callers go uncached). */
static struct cache_tenant *cache_tenant_find(struct svc_cache *c, int64_t tenant_id, bool add)
{
    if (tenant_id <= 0)
        return NULL; /* a public route at a host of no tenant */
    size_t start = (size_t)((uint64_t)tenant_id * UINT64_C(11400714819323198485) % CACHE_TENANTS);
    for (size_t i = 0; i < CACHE_TENANTS; i++) {
        struct cache_tenant *t = &c->tenants[(start + i) % CACHE_TENANTS];
        if (t->tenant_id == tenant_id)
            return t;
        if (t->tenant_id == 0) {
            if (!add)
                return NULL;
            *t = (struct cache_tenant){.tenant_id = tenant_id, .epoch = -1};
            return t;
        }
    }
    return NULL;
}

/* The tenant's epoch as last read, -1 when unknown (lock held). */
static int64_t cache_tenant_epoch(struct svc_cache *c, int64_t tenant_id)
{
    const struct cache_tenant *t = cache_tenant_find(c, tenant_id, false);
    return t != NULL ? t->epoch : -1;
}

struct host_ctx {
    const char *host;
    bool with_epoch;
    int64_t tenant_id;
    int64_t epoch;
};

static enum err svc_host_txn(struct store_conn *c, void *arg)
{
    struct host_ctx *x = arg;
    enum err rc = store_tenant_by_host(c, x->host, &x->tenant_id);
    if (rc == ERR_OK && x->with_epoch)
        rc = store_auth_epoch_get(c, x->tenant_id, &x->epoch);
    return rc;
}

enum err svc_tenant_by_host(struct svc *s, const char *host, int64_t *tenant_id)
{
    ASSERT(host != NULL);
    *tenant_id = 0;
    struct svc_cache *c = s->cache;
    struct host_ctx x = {.host = host, .with_epoch = c != NULL};
    enum err rc = store_read(s->st, svc_host_txn, &x);
    if (rc != ERR_OK)
        return rc;
    ASSERT(x.tenant_id > 0);
    *tenant_id = x.tenant_id;
    if (c == NULL)
        return ERR_OK;
    /* The epoch first: everything the tenant cached before a revocation goes. */
    pthread_mutex_lock(&c->lock);
    struct cache_tenant *t = cache_tenant_find(c, x.tenant_id, true);
    if (t != NULL && x.epoch > t->epoch)
        t->epoch = x.epoch;
    pthread_mutex_unlock(&c->lock);
    return ERR_OK;
}

/* ---- callers ------------------------------------------------------------- */

bool svc_cache_caller_get(struct svc *s, struct arena *a, const char *hash, int64_t tenant_id,
                          struct svc_principal *out, int64_t *expires_at_us,
                          int64_t *last_seen_at_us)
{
    struct svc_cache *c = s->cache;
    if (c == NULL)
        return false;
    pthread_mutex_lock(&c->lock);
    const struct cache_caller *e = &c->callers[cache_slot(hash, CACHE_SLOTS)];
    int64_t epoch = cache_tenant_epoch(c, tenant_id);
    bool hit = epoch >= 0 && e->epoch == epoch && strcmp(e->hash, hash) == 0 &&
               e->p.tenant_id == tenant_id;
    if (hit) {
        *out = e->p;
        out->email = arena_strdup(a, e->label);
        out->role = arena_strdup(a, e->role);
        *expires_at_us = e->expires_at_us;
        *last_seen_at_us = e->last_seen_at_us;
    }
    pthread_mutex_unlock(&c->lock);
    return hit && out->email != NULL && out->role != NULL;
}

void svc_cache_caller_put(struct svc *s, const char *hash, int64_t epoch,
                          const struct svc_principal *p, int64_t expires_at_us,
                          int64_t last_seen_at_us)
{
    struct svc_cache *c = s->cache;
    if (c == NULL || strlen(p->email) >= CACHE_LABEL_BYTES || strlen(p->role) >= CACHE_ROLE_BYTES)
        return;
    pthread_mutex_lock(&c->lock);
    /* Read under an older epoch: it may already be revoked. */
    if (epoch >= 0 && epoch == cache_tenant_epoch(c, p->tenant_id)) {
        struct cache_caller *e = &c->callers[cache_slot(hash, CACHE_SLOTS)];
        str_copy(e->hash, sizeof(e->hash), hash);
        e->epoch = epoch;
        e->p = *p;
        str_copy(e->label, sizeof(e->label), p->email);
        str_copy(e->role, sizeof(e->role), p->role);
        e->p.email = e->label;
        e->p.role = e->role;
        e->expires_at_us = expires_at_us;
        e->last_seen_at_us = last_seen_at_us;
    }
    pthread_mutex_unlock(&c->lock);
}

void svc_cache_caller_forget(struct svc *s, const char *hash)
{
    struct svc_cache *c = s->cache;
    if (c == NULL)
        return;
    pthread_mutex_lock(&c->lock);
    struct cache_caller *e = &c->callers[cache_slot(hash, CACHE_SLOTS)];
    if (strcmp(e->hash, hash) == 0)
        e->hash[0] = '\0';
    pthread_mutex_unlock(&c->lock);
}

int64_t svc_cache_epoch(const struct svc *s, int64_t tenant_id)
{
    if (s->cache == NULL)
        return -1;
    pthread_mutex_lock(&s->cache->lock);
    int64_t e = cache_tenant_epoch(s->cache, tenant_id);
    pthread_mutex_unlock(&s->cache->lock);
    return e;
}
