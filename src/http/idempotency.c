/*
 * Idempotency-Key (DESIGN rule 11), the HTTP half: reading the header,
 * hashing the request, answering a replay (byte for byte, with
 * Idempotent-Replayed: true) or a 409 idempotency_conflict, and rendering the
 * answer as JSON text inside the operation's transaction. Recording the key
 * with the change, in the same transaction, is the service's (svc_idem.c):
 * for a route marked idempotent the handler's operation runs on the service
 * svc_idem_svc gives. Renderers must not read the store (they see only the
 * operation's outputs).
 */
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

/* Answers from a record: the same request replays, another is refused. false
 * when nothing was answered (no record). */
static bool http_idem_replay(struct http_request *r)
{
    struct svc_idem_answer ans;
    enum err rc = svc_idem_lookup(r->idem, &r->arena, &ans);
    if (rc == ERR_NOT_FOUND)
        return false;
    if (rc == ERR_IDEMPOTENCY_CONFLICT) {
        http_problem_msg(r, rc, "this Idempotency-Key was used with another request");
        return true;
    }
    if (rc != ERR_OK) {
        http_problem_msg(r, rc, "cannot check the Idempotency-Key");
        return true;
    }
    http_header(r, "Idempotent-Replayed", "true");
    http_text(r, ans.status, "application/json", ans.text, strlen(ans.text));
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
    ASSERT(r->idem == NULL);
    const char *key = http_request_header(r, "Idempotency-Key");
    if (key == NULL || !r->route->idempotent)
        return true;
    if (!svc_idem_key_is_valid(key)) {
        struct err_detail d = {0};
        err_set(&d, ERR_VALIDATION, "Idempotency-Key", "1 to 255 visible ASCII characters");
        http_problem(r, ERR_VALIDATION, &d);
        return false;
    }
    char principal[ID_TEXT_BYTES], hash[SHA256_HEX];
    if (r->who.api_key_id != 0)
        id_format(principal, sizeof(principal), "key", r->who.api_key_id);
    else
        id_format(principal, sizeof(principal), "usr", r->who.user_id);
    http_idem_request_hash(r, hash);
    if (svc_idem_new(r->svc, r->tenant_id, principal, key, hash, &r->idem) != ERR_OK) {
        http_problem_msg(r, ERR_INTERNAL, "out of memory");
        return false;
    }
    if (http_idem_replay(r))
        return false;
    r->svc = svc_idem_svc(r->idem);
    return true;
}

/* The service's render callback: the handler's JSON as compact text. */
static char *http_idem_render(void *ctx, int *status)
{
    struct http_request *r = ctx;
    ASSERT(r->idem_render != NULL);
    json_t *body = r->idem_render(r->idem_render_ctx, status);
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(body);
    return text;
}

void http_respond(struct http_request *r, enum err rc, const struct err_detail *d,
                  http_render_fn render, void *ctx)
{
    if (rc != ERR_OK) {
        /* Lost the race for the key: the winner's answer is the answer. */
        if (r->idem != NULL && svc_idem_collided(r->idem) && http_idem_replay(r))
            return;
        http_problem(r, rc, d);
        return;
    }
    struct svc_idem_answer ans;
    if (r->idem != NULL && svc_idem_rendered(r->idem, &ans)) {
        http_text(r, ans.status, "application/json", ans.text, strlen(ans.text));
        return;
    }
    int status = 200;
    json_t *body = render(ctx, &status);
    http_json(r, status, body);
}

void http_idem_arm(struct http_request *r, http_render_fn render, void *ctx)
{
    if (r->idem != NULL) {
        r->idem_render = render;
        r->idem_render_ctx = ctx;
        svc_idem_arm(r->idem, http_idem_render, r);
    }
}

void http_idem_release(struct http_request *r)
{
    svc_idem_free(r->idem);
    r->idem = NULL;
}
