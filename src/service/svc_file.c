/*
 * Files on orders: uploads streamed to the files directory, originals that
 * wait for their order or go on an open one, the duplicate warning (DESIGN
 * rule 11), downloads, and purging contents while the row (name, size, hash,
 * who, when) stays: by staff, by the tenant's retention setting, and for
 * uploads that never reached an order.
 *
 * Contents and rows: a file is moved into place before the transaction that
 * records it, and deleted again when that transaction fails, so no row ever
 * names missing contents; a purge commits first and deletes afterwards, so a
 * crash in between leaves an unreferenced file, never a row without one. A
 * deletion that fails undoes the purge's mark (and says so in the order's
 * history): the file stays unpurged, and the job tries it again.
 */
#include <string.h>

#include "service/service_int.h"

/* Files the purge job takes per read. */
#define SVC_PURGE_BATCH 64

/* ---- uploads ----------------------------------------------------------- */

enum err svc_upload_begin(struct svc *s, struct svc_upload *up, const char *client_name)
{
    memset(up, 0, sizeof(*up));
    filename_sanitize(client_name, up->name);
    if (s->blobs == NULL) {
        log_msg(LOG_ERROR, "an upload came but no files directory is set");
        return ERR_STORAGE_UNAVAILABLE;
    }
    enum err rc = blob_tmp_open(s->blobs, &up->tmp);
    up->open = rc == ERR_OK;
    return rc;
}

enum err svc_upload_write(struct svc_upload *up, const void *data, size_t n)
{
    ASSERT(up->open);
    ASSERT(!up->sealed);
    enum err rc = blob_tmp_write(&up->tmp, data, n);
    up->size_bytes = up->tmp.size_bytes;
    return rc;
}

enum err svc_upload_seal(struct svc_upload *up)
{
    ASSERT(up->open);
    ASSERT(!up->sealed);
    enum err rc = blob_tmp_seal(&up->tmp, up->sha256);
    up->sealed = rc == ERR_OK;
    up->size_bytes = up->tmp.size_bytes;
    return rc;
}

void svc_upload_discard(struct svc_upload *up)
{
    if (up->open)
        blob_tmp_abort(&up->tmp);
    up->open = false;
}

enum err svc_blob_commit(struct svc *s, struct svc_upload *up, char storage_name[BLOB_NAME_BYTES])
{
    ASSERT(up->sealed);
    if (s->blobs == NULL)
        return ERR_STORAGE_UNAVAILABLE;
    return blob_tmp_commit(&up->tmp, up->sha256, storage_name);
}

void svc_blob_forget(struct svc *s, const char *storage_name)
{
    if (s->blobs == NULL)
        return;
    enum err rc = blob_remove(s->blobs, storage_name);
    /* A failure is logged by the blob store; the file is then unreferenced,
     * which costs disk space but never a row without its contents. */
    (void)rc;
}

/* ---- helpers shared with orders ---------------------------------------- */

const char *svc_file_describe(struct arena *a, const struct file_row *f)
{
    const char *text = arena_printf(a, "%s '%s' %lld bytes sha256 %s", f->role, f->name,
                                    (long long)f->size_bytes, f->sha256);
    return text ? text : "a file";
}

enum err svc_file_waiting(struct store_conn *c, struct arena *a, int64_t tenant_id,
                          int64_t customer_id, int64_t file_id, struct file_row *out,
                          struct err_detail *d)
{
    enum err rc = store_file_get(c, a, tenant_id, file_id, false, out);
    if (rc == ERR_NOT_FOUND ||
        (rc == ERR_OK && (out->customer_id != customer_id || strcmp(out->role, "original") != 0)))
        return err_set(d, ERR_VALIDATION, "file_id", "is not an upload of this customer");
    if (rc != ERR_OK)
        return rc;
    if (out->purged_at_us != 0)
        return err_set(d, ERR_VALIDATION, "file_id", "was removed; upload it again");
    if (out->order_id != 0)
        return err_set(d, ERR_VALIDATION, "file_id", "is on an order already");
    return ERR_OK;
}

enum err svc_file_duplicate(struct store_conn *c, struct arena *a, const struct tenant_row *t,
                            int64_t customer_id, const char *sha256, int64_t except_order_id,
                            int64_t now_us, const char **reference)
{
    *reference = NULL;
    if (t->duplicate_window_hours <= 0)
        return ERR_OK;
    int64_t since = now_us - (int64_t)t->duplicate_window_hours * USEC_PER_HOUR;
    enum err rc =
        store_file_duplicate(c, a, t->id, customer_id, sha256, since, except_order_id, reference);
    if (rc == ERR_NOT_FOUND) {
        *reference = NULL;
        return ERR_OK;
    }
    return rc;
}

/* ---- storing an original ----------------------------------------------- */

struct file_upload_ctx {
    struct arena *a;
    int64_t tenant_id;
    const struct svc_actor *actor;
    const struct svc_file_input *in;
    struct svc_file_result *out;
    int64_t now_us;
    struct err_detail *d;
};

/* The open order the file goes on (locked), within the caller's reach. */
static enum err svc_file_upload_order(struct store_conn *c, struct file_upload_ctx *x,
                                      struct order_row *o)
{
    enum err rc = store_order_get(c, x->a, x->tenant_id, x->in->order_id, true, o);
    if (rc == ERR_OK && x->in->only_customer_id != 0 && o->customer_id != x->in->only_customer_id)
        rc = ERR_NOT_FOUND;
    if (rc == ERR_NOT_FOUND)
        return err_set(x->d, rc, "order", "no such order");
    if (rc != ERR_OK)
        return rc;
    if (strcmp(o->status, "submitted") != 0 && strcmp(o->status, "in_progress") != 0)
        return err_set(x->d, ERR_ORDER_STATE, "status", "an order that is %s takes no more files",
                       o->status);
    return ERR_OK;
}

static enum err svc_file_upload_txn(struct store_conn *c, void *arg)
{
    struct file_upload_ctx *x = arg;
    struct file_row *f = &x->out->file;
    struct order_row o = {.status = ""};
    enum err rc;
    if (x->in->order_id != 0) {
        rc = svc_file_upload_order(c, x, &o);
        f->customer_id = o.customer_id;
    } else {
        rc = svc_customer_check(c, x->a, x->tenant_id, x->in->customer_id);
        if (rc == ERR_NOT_FOUND)
            rc = err_set(x->d, rc, "customer_id", "no such customer");
        f->customer_id = x->in->customer_id;
    }
    f->tenant_id = x->tenant_id;
    f->order_id = x->in->order_id;
    if (rc == ERR_OK)
        rc = store_file_insert(c, f, &f->id);
    if (rc == ERR_OK && x->in->order_id != 0)
        rc = store_order_note_insert(c, x->tenant_id, o.id, o.status, "file_uploaded",
                                     svc_file_describe(x->a, f), svc_actor_label(x->actor),
                                     x->now_us);
    struct tenant_row t;
    if (rc == ERR_OK)
        rc = store_tenant_get(c, x->a, x->tenant_id, &t);
    if (rc == ERR_OK)
        rc = svc_file_duplicate(c, x->a, &t, f->customer_id, f->sha256, x->in->order_id, x->now_us,
                                &x->out->duplicate_of);
    return rc;
}

enum err svc_file_upload(struct svc *s, struct arena *a, int64_t tenant_id,
                         const struct svc_actor *actor, const struct svc_file_input *in,
                         struct svc_upload *up, struct svc_file_result *out, struct err_detail *d)
{
    ASSERT(up->sealed);
    ASSERT(in->order_id != 0 || in->customer_id != 0);
    memset(out, 0, sizeof(*out));
    if (up->size_bytes == 0)
        return err_set(d, ERR_VALIDATION, "file", "the file is empty");
    char storage[BLOB_NAME_BYTES];
    enum err rc = svc_blob_commit(s, up, storage);
    if (rc != ERR_OK)
        return rc;
    struct file_upload_ctx x = {
        .a = a, .tenant_id = tenant_id, .actor = actor, .in = in, .out = out, .d = d};
    x.now_us = svc_now(s);
    out->file = (struct file_row){.role = "original",
                                  .name = arena_strdup(a, up->name),
                                  .size_bytes = up->size_bytes,
                                  .sha256 = arena_strdup(a, up->sha256),
                                  .storage_name = arena_strdup(a, storage),
                                  .uploaded_by = svc_actor_label(actor),
                                  .uploaded_by_user_id = actor != NULL ? actor->user_id : 0,
                                  .uploaded_at_us = x.now_us,
                                  .purged_by = ""};
    if (out->file.name == NULL || out->file.sha256 == NULL || out->file.storage_name == NULL)
        rc = ERR_TOO_LARGE;
    else
        rc = store_write(s->st, svc_file_upload_txn, &x);
    if (rc != ERR_OK)
        svc_blob_forget(s, storage);
    return rc;
}

/* ---- reading ----------------------------------------------------------- */

struct file_get_ctx {
    struct arena *a;
    int64_t tenant_id, file_id;
    struct file_row *out;
};

static enum err svc_file_get_txn(struct store_conn *c, void *arg)
{
    struct file_get_ctx *x = arg;
    return store_file_get(c, x->a, x->tenant_id, x->file_id, false, x->out);
}

enum err svc_file_get(struct svc *s, struct arena *a, int64_t tenant_id, int64_t file_id,
                      int64_t only_customer_id, struct file_row *out)
{
    struct file_get_ctx x = {.a = a, .tenant_id = tenant_id, .file_id = file_id, .out = out};
    enum err rc = store_read(s->st, svc_file_get_txn, &x);
    if (rc == ERR_OK && only_customer_id != 0 && out->customer_id != only_customer_id)
        return ERR_NOT_FOUND;
    return rc;
}

enum err svc_file_open(struct svc *s, const struct file_row *f, int *fd, int64_t *size_bytes)
{
    if (f->purged_at_us != 0)
        return ERR_FILE_PURGED;
    if (s->blobs == NULL)
        return ERR_STORAGE_UNAVAILABLE;
    enum err rc = blob_open_read(s->blobs, f->storage_name, fd, size_bytes);
    ASSERT(rc != ERR_OK || *fd >= 0);
    return rc;
}

/* ---- purging ----------------------------------------------------------- */

struct file_purge_ctx {
    struct arena *a;
    int64_t tenant_id, file_id;
    const struct svc_actor *actor;
    const char *why; /* appended to the history entry, "" for none */
    struct file_row *out;
    bool purged; /* this transaction purged it (the contents go after commit) */
    int64_t now_us;
    struct err_detail *d;
};

static enum err svc_file_purge_txn(struct store_conn *c, void *arg)
{
    struct file_purge_ctx *x = arg;
    struct file_row *f = x->out;
    struct order_row o;
    x->purged = false;
    enum err rc = store_file_get(c, x->a, x->tenant_id, x->file_id, false, f);
    /* Lock order: the order, then its file. */
    if (rc == ERR_OK && f->order_id != 0)
        rc = store_order_get(c, x->a, x->tenant_id, f->order_id, true, &o);
    if (rc == ERR_OK && f->order_id != 0 &&
        (strcmp(o.status, "submitted") == 0 || strcmp(o.status, "in_progress") == 0))
        return err_set(x->d, ERR_ORDER_OPEN, "order", "the file's order %s is still %s",
                       o.reference, o.status);
    int64_t order_seen = rc == ERR_OK ? f->order_id : 0;
    if (rc == ERR_OK)
        rc = store_file_get(c, x->a, x->tenant_id, x->file_id, true, f);
    /* Put on an order between the two reads: that order has just opened. */
    if (rc == ERR_OK && f->order_id != order_seen)
        return err_set(x->d, ERR_ORDER_OPEN, "order", "the file went on an open order");
    if (rc != ERR_OK || f->purged_at_us != 0)
        return rc;
    rc = store_file_mark_purged(c, x->tenant_id, f->id, svc_actor_label(x->actor), x->now_us);
    f->purged_at_us = x->now_us;
    f->purged_by = svc_actor_label(x->actor);
    if (rc == ERR_OK && f->order_id != 0) {
        const char *detail =
            arena_printf(x->a, "%s%s%s", svc_file_describe(x->a, f), x->why[0] ? "; " : "", x->why);
        rc = store_order_note_insert(c, x->tenant_id, o.id, o.status, "file_purged",
                                     detail ? detail : "", svc_actor_label(x->actor), x->now_us);
    }
    x->purged = rc == ERR_OK;
    return rc;
}

static enum err svc_file_unpurge_txn(struct store_conn *c, void *arg)
{
    struct file_purge_ctx *x = arg;
    const struct file_row *f = x->out;
    enum err rc = store_file_unmark_purged(c, x->tenant_id, f->id, x->now_us);
    struct order_row o;
    if (rc == ERR_OK && f->order_id != 0)
        rc = store_order_get(c, x->a, x->tenant_id, f->order_id, true, &o);
    const char *detail = arena_printf(x->a,
                                      "%s; its contents could not be removed, so it is "
                                      "kept and the removal will be tried again",
                                      svc_file_describe(x->a, f));
    if (rc == ERR_OK && f->order_id != 0)
        rc = store_order_note_insert(c, x->tenant_id, o.id, o.status, "file_purge_failed",
                                     detail ? detail : "", svc_actor_label(x->actor), x->now_us);
    return rc;
}

static enum err svc_file_purge_run(struct svc *s, struct file_purge_ctx *x)
{
    enum err rc = store_write(s->st, svc_file_purge_txn, x);
    if (rc != ERR_OK || !x->purged || s->blobs == NULL)
        return rc;
    rc = blob_remove(s->blobs, x->out->storage_name);
    if (rc == ERR_OK)
        return ERR_OK;
    /* The contents are still there: the file is not purged. */
    x->purged = false;
    enum err undo = store_write(s->st, svc_file_unpurge_txn, x);
    if (undo != ERR_OK)
        log_msg(LOG_ERROR, "file fil_%lld: cannot undo its purge mark (%s)", (long long)x->out->id,
                err_code(undo));
    else
        x->out->purged_at_us = 0;
    return err_set(x->d, ERR_STORAGE_UNAVAILABLE, "",
                   "the file's contents could not be removed; it is kept, try again");
}

enum err svc_file_purge(struct svc *s, struct arena *a, int64_t tenant_id,
                        const struct svc_actor *actor, int64_t file_id, struct file_row *out,
                        struct err_detail *d)
{
    struct file_purge_ctx x = {.a = a,
                               .tenant_id = tenant_id,
                               .file_id = file_id,
                               .actor = actor,
                               .why = "",
                               .out = out,
                               .now_us = svc_now(s),
                               .d = d};
    return svc_file_purge_run(s, &x);
}

struct file_due_ctx {
    struct arena *a;
    int64_t now_us;
    struct file_row *rows;
    size_t n;
};

static enum err svc_files_due_txn(struct store_conn *c, void *arg)
{
    struct file_due_ctx *x = arg;
    return store_file_list_due(c, x->a, x->now_us, SVC_PURGE_BATCH, &x->rows, &x->n);
}

/* Purges one batch of due files; *n_listed says how many were due, *kept how
 * many could not lose their contents (they stay due for the next run). */
static enum err svc_files_purge_batch(struct svc *s, int64_t now_us, int64_t *count,
                                      size_t *n_listed, size_t *kept)
{
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    struct file_due_ctx due = {.a = &a, .now_us = now_us};
    enum err rc = store_read(s->st, svc_files_due_txn, &due);
    *n_listed = rc == ERR_OK ? due.n : 0;
    for (size_t i = 0; rc == ERR_OK && i < due.n; i++) {
        const struct file_row *f = &due.rows[i];
        struct file_row after;
        struct file_purge_ctx x = {.a = &a,
                                   .tenant_id = f->tenant_id,
                                   .file_id = f->id,
                                   .actor = &SVC_SYSTEM,
                                   .why = f->order_id ? "the retention period after the order "
                                                        "closed has passed"
                                                      : "no order within a day of the upload",
                                   .out = &after,
                                   .now_us = now_us};
        rc = svc_file_purge_run(s, &x);
        /* Put on an open order since it was listed: not due any more. */
        if (rc == ERR_ORDER_OPEN)
            rc = ERR_OK;
        else if (rc == ERR_OK && x.purged)
            ++*count;
        else if (rc == ERR_STORAGE_UNAVAILABLE) {
            ++*kept; /* unpurged again: tried on the next run */
            rc = ERR_OK;
        }
    }
    arena_release(&a);
    return rc;
}

enum err svc_files_purge_due(struct svc *s, int64_t now_us, int64_t *count)
{
    *count = 0;
    if (now_us == 0)
        now_us = svc_now(s);
    size_t listed, kept = 0;
    enum err rc;
    /* A file kept stays due: stop at its batch rather than list it again. */
    do {
        rc = svc_files_purge_batch(s, now_us, count, &listed, &kept);
    } while (rc == ERR_OK && listed == SVC_PURGE_BATCH && kept == 0);
    if (rc == ERR_OK && kept > 0)
        log_msg(LOG_WARN,
                "files purge: %zu file(s) kept, their contents could not be removed; "
                "tried again next run",
                kept);
    return rc;
}
