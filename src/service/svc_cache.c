/*
 * The server's memory of who is calling: the tenant of each Host, and the
 * principal behind each API key and session secret (by their SHA-256), so a
 * request does not read them from the database again. Correctness comes from
 * the auth epoch (store_auth_epoch_get): every change that can end access or
 * move a host moves it in its own transaction, and each request first reads
 * it (one small read) and drops everything cached under an older epoch. A
 * revoked key or session is therefore refused at the next request, on every
 * server that shares the database. Sessions still expire by time from the
 * cached instants, and a session's last use is written through as before.
 *
 * Must not: cache a refusal (a key created a moment ago must work), or hand
 * out pointers into the cache (entries are copied out under the lock).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "service/service_int.h"

enum {
    CACHE_SLOTS = 4096, /* callers (keys and sessions) kept; a collision evicts */
    CACHE_HOSTS = 256,  /* host names kept */
    CACHE_LABEL_BYTES = 264,
    CACHE_ROLE_BYTES = 16,
    CACHE_HOST_BYTES = 256,
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

struct cache_host {
    char host[CACHE_HOST_BYTES]; /* "" = empty */
    int64_t epoch;
    int64_t tenant_id;
};

struct svc_cache {
    pthread_mutex_t lock;
    int64_t epoch; /* the newest auth epoch read */
    struct cache_caller callers[CACHE_SLOTS];
    struct cache_host hosts[CACHE_HOSTS];
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

/* ---- hosts and the epoch ------------------------------------------------- */

struct host_ctx {
    const char *host;
    int64_t epoch;
    int64_t tenant_id;
    bool exact; /* the host is a tenant's own (not the single tenant's fallback) */
    bool only_epoch;
};

static enum err svc_host_txn(struct store_conn *c, void *arg)
{
    struct host_ctx *x = arg;
    enum err rc = store_auth_epoch_get(c, &x->epoch);
    if (rc != ERR_OK || x->only_epoch)
        return rc;
    rc = store_tenant_by_host(c, x->host, &x->tenant_id);
    x->exact = rc == ERR_OK;
    if (rc != ERR_NOT_FOUND)
        return rc;
    int64_t count;
    if ((rc = store_tenant_count(c, &count)) != ERR_OK)
        return rc;
    return count == 1 ? store_tenant_first(c, &x->tenant_id) : ERR_NOT_FOUND;
}

/* The cached tenant of host under the current epoch, or 0 (lock held). */
static int64_t cache_host_get(struct svc_cache *c, const char *host)
{
    const struct cache_host *h = &c->hosts[cache_slot(host, CACHE_HOSTS)];
    return h->epoch == c->epoch && strcmp(h->host, host) == 0 ? h->tenant_id : 0;
}

enum err svc_tenant_by_host(struct svc *s, const char *host, int64_t *tenant_id)
{
    ASSERT(host != NULL);
    *tenant_id = 0;
    struct host_ctx x = {.host = host};
    if (s->cache == NULL) {
        enum err rc = store_read(s->st, svc_host_txn, &x);
        *tenant_id = x.tenant_id;
        return rc;
    }
    /* The epoch first: everything cached before a revocation goes. */
    x.only_epoch = true;
    enum err rc = store_read(s->st, svc_host_txn, &x);
    if (rc != ERR_OK)
        return rc;
    struct svc_cache *c = s->cache;
    pthread_mutex_lock(&c->lock);
    if (x.epoch > c->epoch)
        c->epoch = x.epoch;
    *tenant_id = cache_host_get(c, host);
    pthread_mutex_unlock(&c->lock);
    if (*tenant_id != 0)
        return ERR_OK;
    x.only_epoch = false;
    rc = store_read(s->st, svc_host_txn, &x);
    if (rc != ERR_OK)
        return rc;
    *tenant_id = x.tenant_id;
    pthread_mutex_lock(&c->lock);
    /* A host too long to keep is looked up each time. */
    if (x.epoch == c->epoch && strlen(host) < CACHE_HOST_BYTES) {
        struct cache_host *h = &c->hosts[cache_slot(host, CACHE_HOSTS)];
        str_copy(h->host, sizeof(h->host), host);
        h->epoch = x.epoch;
        h->tenant_id = x.tenant_id;
    }
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
    bool hit = e->epoch == c->epoch && strcmp(e->hash, hash) == 0 && e->p.tenant_id == tenant_id;
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
    if (epoch == c->epoch) {
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

int64_t svc_cache_epoch(const struct svc *s)
{
    if (s->cache == NULL)
        return 0;
    pthread_mutex_lock(&s->cache->lock);
    int64_t e = s->cache->epoch;
    pthread_mutex_unlock(&s->cache->lock);
    return e;
}
