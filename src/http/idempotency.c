/*
 * Idempotency-Key (DESIGN rule 11). For a route marked idempotent, a request
 * with the header is first looked up: the same key with the same request
 * (method, path, body; for an upload, the file's hash and name) replays the
 * first response byte for byte; with another request it is 409
 * idempotency_conflict. Otherwise the service operation runs
 * on a per-request store that wraps the real one: after the operation's work
 * succeeds, and inside the same transaction, the handler's renderer builds the
 * response and the key, the request's hash and the response are inserted. So
 * the record commits exactly when the ledger change commits. Renderers must
 * not read the store (they see only the operation's outputs).
 */
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

struct http_idem {
    struct store base; /* first: handed out as the request's store */
    struct store *inner;
    struct http_request *r;
    char principal[ID_TEXT_BYTES];
    char key[256];
    char hash[SHA256_HEX];
    http_render_fn render;
    void *render_ctx;
    char *text; /* the response rendered inside the transaction */
    int status;
    bool collided; /* a concurrent request with the same key won */
};

struct http_idem_call {
    struct http_idem *idem;
    store_txn_fn fn;
    void *ctx;
};

static enum err http_idem_trampoline(struct store_conn *c, void *arg)
{
    struct http_idem_call *call = arg;
    struct http_idem *idem = call->idem;
    enum err rc = call->fn(c, call->ctx);
    if (rc != ERR_OK || idem->render == NULL)
        return rc;
    /* A retried transaction renders again from its own outputs. */
    free(idem->text);
    json_t *body = idem->render(idem->render_ctx, &idem->status);
    idem->text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(body);
    if (idem->text == NULL)
        return ERR_INTERNAL;
    struct idempotency_row row = {.request_hash = idem->hash,
                                  .status = idem->status,
                                  .response = idem->text,
                                  .created_at_us = svc_now(idem->r->svc)};
    rc = store_idempotency_insert(c, idem->r->tenant_id, idem->principal, idem->key, &row);
    if (rc == ERR_DUPLICATE)
        idem->collided = true;
    return rc;
}

static enum err http_idem_write(struct store *st, store_txn_fn fn, void *ctx)
{
    struct http_idem *idem = (struct http_idem *)st;
    struct http_idem_call call = {.idem = idem, .fn = fn, .ctx = ctx};
    return store_write(idem->inner, http_idem_trampoline, &call);
}

static enum err http_idem_write_keyed(struct store *st, int64_t key, store_txn_fn fn, void *ctx)
{
    struct http_idem *idem = (struct http_idem *)st;
    struct http_idem_call call = {.idem = idem, .fn = fn, .ctx = ctx};
    return store_write_keyed(idem->inner, key, http_idem_trampoline, &call);
}

static enum err http_idem_read(struct store *st, store_txn_fn fn, void *ctx)
{
    return store_read(((struct http_idem *)st)->inner, fn, ctx);
}

static void http_idem_close(struct store *st)
{
    (void)st; /* owned by the request, freed by http_idem_release */
}

static enum err http_idem_backup(struct store *st, const char *path, struct err_detail *d)
{
    return store_backup(((struct http_idem *)st)->inner, path, d);
}

/* Only the store-level entries: connections stay the wrapped store's own. */
static const struct store_ops http_idem_ops = {
    .name = "idempotent",
    .close = http_idem_close,
    .write = http_idem_write,
    .write_keyed = http_idem_write_keyed,
    .read = http_idem_read,
    .backup = http_idem_backup,
};

struct http_idem_lookup {
    struct arena *a;
    int64_t tenant_id;
    const char *principal, *key;
    struct idempotency_row row;
};

static enum err http_idem_lookup_txn(struct store_conn *c, void *arg)
{
    struct http_idem_lookup *x = arg;
    return store_idempotency_get(c, x->a, x->tenant_id, x->principal, x->key, &x->row);
}

/* Replays a stored answer or refuses a reused key; false when it responded. */
static bool http_idem_replay(struct http_request *r, struct http_idem *idem)
{
    struct http_idem_lookup x = {
        .a = &r->arena, .tenant_id = r->tenant_id, .principal = idem->principal, .key = idem->key};
    enum err rc = store_read(idem->inner, http_idem_lookup_txn, &x);
    if (rc == ERR_NOT_FOUND)
        return true;
    if (rc != ERR_OK) {
        http_problem_msg(r, rc, "cannot check the Idempotency-Key");
        return false;
    }
    if (strcmp(x.row.request_hash, idem->hash) != 0) {
        http_problem_msg(r, ERR_IDEMPOTENCY_CONFLICT,
                         "this Idempotency-Key was used with another request");
        return false;
    }
    http_header(r, "Idempotent-Replayed", "true");
    http_text(r, x.row.status, "application/json", x.row.response, strlen(x.row.response));
    return false;
}

static bool http_idem_key_is_valid(const char *key)
{
    size_t n = strlen(key);
    if (n == 0 || n > 255)
        return false;
    for (const char *p = key; *p; p++)
        if (*p < 0x21 || *p > 0x7e)
            return false;
    return true;
}

/* What makes two requests "the same": method, path and body. An upload's
 * body is never held, so its file stands for it by SHA-256 and name, with
 * the customer it is for. */
static void http_idem_request_hash(struct http_request *r, char hash[SHA256_HEX])
{
    struct sha256_state h;
    uint8_t digest[SHA256_BYTES];
    sha256_begin(&h);
    sha256_update(&h, r->method, strlen(r->method));
    sha256_update(&h, "\n", 1);
    sha256_update(&h, r->path, strlen(r->path));
    sha256_update(&h, "\n", 1);
    if (r->route->upload) {
        const struct svc_upload *f = &r->upload.file;
        const char *customer = http_query(r, "customer_id");
        ASSERT(f->sealed);
        sha256_update(&h, customer ? customer : "", customer ? strlen(customer) : 0);
        sha256_update(&h, "\n", 1);
        sha256_update(&h, f->sha256, strlen(f->sha256));
        sha256_update(&h, "\n", 1);
        sha256_update(&h, f->name, strlen(f->name));
    } else {
        sha256_update(&h, r->body.data ? r->body.data : "", r->body.len);
    }
    sha256_end(&h, digest);
    hex_encode(digest, SHA256_BYTES, hash);
}

bool http_idem_prepare(struct http_request *r)
{
    const char *key = http_request_header(r, "Idempotency-Key");
    if (key == NULL || !r->route->idempotent)
        return true;
    if (!http_idem_key_is_valid(key)) {
        struct err_detail d = {0};
        err_set(&d, ERR_VALIDATION, "Idempotency-Key", "1 to 255 visible ASCII characters");
        http_problem(r, ERR_VALIDATION, &d);
        return false;
    }
    struct http_idem *idem = calloc(1, sizeof(*idem));
    if (idem == NULL) {
        http_problem_msg(r, ERR_INTERNAL, "out of memory");
        return false;
    }
    idem->base.ops = &http_idem_ops;
    idem->inner = r->svc->st;
    idem->r = r;
    str_copy(idem->key, sizeof(idem->key), key);
    if (r->who.api_key_id != 0)
        id_format(idem->principal, sizeof(idem->principal), "key", r->who.api_key_id);
    else
        id_format(idem->principal, sizeof(idem->principal), "usr", r->who.user_id);
    http_idem_request_hash(r, idem->hash);
    r->idem = idem;
    if (!http_idem_replay(r, idem))
        return false;
    svc_init(&r->idem_svc, &idem->base, &r->svc->clock);
    svc_use_blobs(&r->idem_svc, r->svc->blobs);
    svc_use_cache(&r->idem_svc, r->svc->cache);
    r->svc = &r->idem_svc;
    return true;
}

void http_respond(struct http_request *r, enum err rc, const struct err_detail *d,
                  http_render_fn render, void *ctx)
{
    struct http_idem *idem = r->idem;
    if (rc != ERR_OK) {
        /* Lost the race for the key: the winner's answer is the answer. */
        if (idem != NULL && idem->collided && !http_idem_replay(r, idem))
            return;
        http_problem(r, rc, d);
        return;
    }
    if (idem != NULL && idem->text != NULL) {
        http_text(r, idem->status, "application/json", idem->text, strlen(idem->text));
        return;
    }
    int status = 200;
    json_t *body = render(ctx, &status);
    http_json(r, status, body);
}

void http_idem_arm(struct http_request *r, http_render_fn render, void *ctx)
{
    if (r->idem != NULL) {
        r->idem->render = render;
        r->idem->render_ctx = ctx;
    }
}

void http_idem_release(struct http_request *r)
{
    if (r->idem != NULL) {
        free(r->idem->text);
        free(r->idem);
        r->idem = NULL;
    }
}
