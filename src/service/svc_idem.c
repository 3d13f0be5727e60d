/*
 * Idempotency keys (DESIGN rule 11), the service's half. A caller with a key
 * first looks it up: the same key with the same request hash is answered
 * from the record, with another hash it is ERR_IDEMPOTENCY_CONFLICT.
 * Otherwise the operation runs on a service whose store wraps the real one:
 * after the operation's work succeeds, and inside the same transaction, the
 * caller's render callback turns the outputs into the answer and the key,
 * the request's hash and the answer are inserted. So the record commits
 * exactly when the change does, a failed operation leaves none, and of two
 * concurrent repeats the second loses the unique key (its change rolls back)
 * and answers with the first one's record.
 *
 * Must not: know JSON or HTTP. What makes two requests the same (the hash)
 * and what an answer looks like are the caller's; here they are opaque text.
 */
#include <stdlib.h>
#include <string.h>

#include "service/service_int.h"

struct svc_idem {
    struct store base; /* first: the wrapped store handed to the operation */
    struct store *inner;
    struct svc svc; /* the operation's service: base as its store */
    int64_t tenant_id;
    char principal[ID_TEXT_BYTES];
    char key[SVC_IDEM_KEY_BYTES_MAX + 1];
    char hash[SHA256_HEX];
    svc_idem_render_fn render;
    void *render_ctx;
    char *text; /* the answer rendered inside the transaction (malloc'd) */
    int status;
    bool collided; /* a concurrent request with the same key won */
};

struct svc_idem_call {
    struct svc_idem *idem;
    store_txn_fn fn;
    void *ctx;
};

static enum err svc_idem_trampoline(struct store_conn *c, void *arg)
{
    struct svc_idem_call *call = arg;
    struct svc_idem *idem = call->idem;
    enum err rc = call->fn(c, call->ctx);
    if (rc != ERR_OK || idem->render == NULL)
        return rc;
    /* A retried transaction renders again from its own outputs. */
    free(idem->text);
    idem->status = 200;
    idem->text = idem->render(idem->render_ctx, &idem->status);
    if (idem->text == NULL)
        return ERR_INTERNAL;
    struct idempotency_row row = {.request_hash = idem->hash,
                                  .status = idem->status,
                                  .response = idem->text,
                                  .created_at_us = svc_now(&idem->svc)};
    rc = store_idempotency_insert(c, idem->tenant_id, idem->principal, idem->key, &row);
    if (rc == ERR_DUPLICATE)
        idem->collided = true;
    return rc;
}

static enum err svc_idem_write(struct store *st, store_txn_fn fn, void *ctx)
{
    struct svc_idem *idem = (struct svc_idem *)st;
    struct svc_idem_call call = {.idem = idem, .fn = fn, .ctx = ctx};
    return store_write(idem->inner, svc_idem_trampoline, &call);
}

static enum err svc_idem_write_keyed(struct store *st, int64_t group, int64_t key, store_txn_fn fn,
                                     void *ctx)
{
    struct svc_idem *idem = (struct svc_idem *)st;
    struct svc_idem_call call = {.idem = idem, .fn = fn, .ctx = ctx};
    return store_write_keyed(idem->inner, group, key, svc_idem_trampoline, &call);
}

static enum err svc_idem_read(struct store *st, store_txn_fn fn, void *ctx)
{
    return store_read(((struct svc_idem *)st)->inner, fn, ctx);
}

static void svc_idem_close(struct store *st)
{
    (void)st; /* owned by the caller, freed by svc_idem_free */
}

static enum err svc_idem_backup(struct store *st, const char *path, struct err_detail *d)
{
    return store_backup(((struct svc_idem *)st)->inner, path, d);
}

/* Only the store-level entries: connections stay the wrapped store's own. */
static const struct store_ops svc_idem_ops = {
    .name = "idempotent",
    .close = svc_idem_close,
    .write = svc_idem_write,
    .write_keyed = svc_idem_write_keyed,
    .read = svc_idem_read,
    .backup = svc_idem_backup,
};

bool svc_idem_key_is_valid(const char *key)
{
    size_t n = strlen(key);
    if (n == 0 || n > SVC_IDEM_KEY_BYTES_MAX)
        return false;
    for (const char *p = key; *p; p++)
        if (*p < 0x21 || *p > 0x7e)
            return false;
    return true;
}

enum err svc_idem_new(struct svc *s, int64_t tenant_id, const char *principal, const char *key,
                      const char *request_hash, struct svc_idem **out)
{
    ASSERT(svc_idem_key_is_valid(key));
    ASSERT(strlen(request_hash) == SHA256_HEX - 1);
    ASSERT(strlen(principal) < ID_TEXT_BYTES);
    struct svc_idem *idem = calloc(1, sizeof(*idem));
    if (idem == NULL)
        return ERR_INTERNAL;
    idem->base.ops = &svc_idem_ops;
    idem->inner = s->st;
    idem->tenant_id = tenant_id;
    str_copy(idem->principal, sizeof(idem->principal), principal);
    str_copy(idem->key, sizeof(idem->key), key);
    str_copy(idem->hash, sizeof(idem->hash), request_hash);
    svc_init(&idem->svc, &idem->base, &s->clock);
    svc_use_blobs(&idem->svc, s->blobs);
    svc_use_cache(&idem->svc, s->cache);
    idem->svc.gateway = s->gateway;
    idem->svc.webhook_allow_private = s->webhook_allow_private;
    idem->svc.notify = s->notify;
    *out = idem;
    return ERR_OK;
}

struct svc_idem_lookup_ctx {
    struct arena *a;
    const struct svc_idem *idem;
    struct idempotency_row row;
};

static enum err svc_idem_lookup_txn(struct store_conn *c, void *arg)
{
    struct svc_idem_lookup_ctx *x = arg;
    return store_idempotency_get(c, x->a, x->idem->tenant_id, x->idem->principal, x->idem->key,
                                 &x->row);
}

enum err svc_idem_lookup(struct svc_idem *idem, struct arena *a, struct svc_idem_answer *out)
{
    ASSERT(idem != NULL);
    ASSERT(out != NULL);
    struct svc_idem_lookup_ctx x = {.a = a, .idem = idem};
    enum err rc = store_read(idem->inner, svc_idem_lookup_txn, &x);
    if (rc != ERR_OK)
        return rc;
    if (strcmp(x.row.request_hash, idem->hash) != 0)
        return ERR_IDEMPOTENCY_CONFLICT;
    out->status = (int)x.row.status;
    out->text = x.row.response;
    return ERR_OK;
}

struct svc *svc_idem_svc(struct svc_idem *idem)
{
    ASSERT(idem != NULL);
    return &idem->svc;
}

void svc_idem_arm(struct svc_idem *idem, svc_idem_render_fn render, void *ctx)
{
    ASSERT(idem != NULL);
    ASSERT(render != NULL);
    idem->render = render;
    idem->render_ctx = ctx;
}

bool svc_idem_rendered(const struct svc_idem *idem, struct svc_idem_answer *out)
{
    ASSERT(idem != NULL);
    if (idem->text == NULL)
        return false;
    out->status = idem->status;
    out->text = idem->text;
    return true;
}

bool svc_idem_collided(const struct svc_idem *idem)
{
    ASSERT(idem != NULL);
    return idem->collided;
}

void svc_idem_free(struct svc_idem *idem)
{
    if (idem != NULL) {
        free(idem->text);
        free(idem);
    }
}
