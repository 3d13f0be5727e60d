/*
 * The questions about files: their rows, which order they are on, whether a
 * customer ordered the same contents recently, and which are due for purging.
 * The contents themselves are blobs (blob.c); nothing here touches the disk.
 */
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"

#define FILE_COLUMNS                                                                               \
    "id, tenant_id, customer_id, order_id, role, name, size_bytes, sha256, storage_name, "         \
    "uploaded_by, uploaded_by_user_id, uploaded_at, purged_at, purged_by"

static void store_file_read(struct arena *a, struct store_stmt *s, void *row)
{
    struct file_row *out = row;
    out->id = store_column_int64(s, 0);
    out->tenant_id = store_column_int64(s, 1);
    out->customer_id = store_column_int64(s, 2);
    out->order_id = store_column_int64(s, 3);
    out->role = store_q_text(a, s, 4);
    out->name = store_q_text(a, s, 5);
    out->size_bytes = store_column_int64(s, 6);
    out->sha256 = store_q_text(a, s, 7);
    out->storage_name = store_q_text(a, s, 8);
    out->uploaded_by = store_q_text(a, s, 9);
    out->uploaded_by_user_id = store_column_int64(s, 10);
    out->uploaded_at_us = store_column_int64(s, 11);
    out->purged_at_us = store_column_int64(s, 12);
    out->purged_by = store_q_text(a, s, 13);
}

enum err store_file_insert(struct store_conn *c, const struct file_row *f, int64_t *id)
{
    ASSERT(f->size_bytes > 0);
    ASSERT(strlen(f->sha256) == SHA256_HEX - 1);
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "INSERT INTO files (tenant_id, customer_id, order_id, role, name, "
                                "size_bytes, sha256, storage_name, uploaded_by, "
                                "uploaded_by_user_id, uploaded_at) VALUES ($1, $2, $3, $4, $5, "
                                "$6, $7, $8, $9, $10, $11) RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, f->tenant_id);
    store_bind_int64(s, 2, f->customer_id);
    store_bind_id(s, 3, f->order_id);
    store_bind_text(s, 4, f->role);
    store_bind_text(s, 5, f->name);
    store_bind_int64(s, 6, f->size_bytes);
    store_bind_text(s, 7, f->sha256);
    store_bind_text(s, 8, f->storage_name);
    store_bind_text(s, 9, f->uploaded_by);
    store_bind_id(s, 10, f->uploaded_by_user_id);
    store_bind_int64(s, 11, f->uploaded_at_us);
    return store_q_id(c, s, id);
}

enum err store_file_get(struct store_conn *c, struct arena *a, int64_t tenant_id, int64_t id,
                        bool lock, struct file_row *out)
{
    struct store_stmt *s;
    enum err rc = store_prepare(
        c,
        lock ? "SELECT " FILE_COLUMNS " FROM files WHERE tenant_id = $1 AND id = $2 FOR UPDATE"
             : "SELECT " FILE_COLUMNS " FROM files WHERE tenant_id = $1 AND id = $2",
        &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, id);
    return store_q_one(c, a, s, out, store_file_read);
}

enum err store_file_attach(struct store_conn *c, int64_t tenant_id, int64_t file_id,
                           int64_t order_id)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE files SET order_id = $2 WHERE tenant_id = $3 AND id = $1 "
                                "AND order_id IS NULL AND purged_at = 0 RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 3, tenant_id);
    store_bind_int64(s, 1, file_id);
    store_bind_int64(s, 2, order_id);
    int64_t id;
    return store_q_id(c, s, &id);
}

enum err store_file_mark_purged(struct store_conn *c, int64_t tenant_id, int64_t file_id,
                                const char *actor, int64_t now_us)
{
    ASSERT(now_us > 0);
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE files SET purged_at = $2, purged_by = $3 "
                                "WHERE tenant_id = $4 AND id = $1 AND purged_at = 0 RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 4, tenant_id);
    store_bind_int64(s, 1, file_id);
    store_bind_int64(s, 2, now_us);
    store_bind_text(s, 3, actor);
    int64_t id;
    return store_q_id(c, s, &id);
}

enum err store_file_unmark_purged(struct store_conn *c, int64_t tenant_id, int64_t file_id,
                                  int64_t purged_at_us)
{
    ASSERT(purged_at_us > 0);
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "UPDATE files SET purged_at = 0, purged_by = '' "
                                "WHERE tenant_id = $1 AND id = $2 AND purged_at = $3 RETURNING id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, tenant_id);
    store_bind_int64(s, 2, file_id);
    store_bind_int64(s, 3, purged_at_us);
    int64_t id;
    return store_q_id(c, s, &id);
}

enum err store_file_list_order(struct store_conn *c, struct arena *a, int64_t tenant_id,
                               int64_t order_id, struct file_row **out, size_t *n)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT " FILE_COLUMNS " FROM files WHERE order_id = $1 "
                                "AND tenant_id = $2 ORDER BY id",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, order_id);
    store_bind_int64(s, 2, tenant_id);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_file_read);
}

static void store_file_reference_read(struct arena *a, struct store_stmt *s, void *row)
{
    *(const char **)row = store_q_text(a, s, 0);
}

enum err store_file_duplicate(struct store_conn *c, struct arena *a, int64_t tenant_id,
                              int64_t customer_id, const char *sha256, int64_t since_us,
                              int64_t except_order_id, const char **reference)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c,
                                "SELECT o.reference FROM files f JOIN orders o "
                                "ON o.tenant_id = f.tenant_id AND o.id = f.order_id "
                                "WHERE f.customer_id = $1 AND f.sha256 = $2 AND f.tenant_id = $5 "
                                "AND f.role = 'original' AND o.status <> 'cancelled' "
                                "AND o.created_at >= $3 AND o.id <> $4 "
                                "ORDER BY o.id DESC LIMIT 1",
                                &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 5, tenant_id);
    store_bind_int64(s, 1, customer_id);
    store_bind_text(s, 2, sha256);
    store_bind_int64(s, 3, since_us);
    store_bind_int64(s, 4, except_order_id);
    return store_q_one(c, a, s, (void *)reference, store_file_reference_read);
}

enum err store_file_list_due(struct store_conn *c, struct arena *a, int64_t now_us, size_t limit,
                             struct file_row **out, size_t *n)
{
    ASSERT(limit > 0);
    struct store_stmt *s;
    enum err rc = store_prepare(
        c,
        "SELECT f.id, f.tenant_id, f.customer_id, f.order_id, f.role, f.name, f.size_bytes, "
        "f.sha256, f.storage_name, f.uploaded_by, f.uploaded_by_user_id, f.uploaded_at, "
        "f.purged_at, f.purged_by FROM files f JOIN tenants t ON t.id = f.tenant_id "
        "LEFT JOIN orders o ON o.tenant_id = f.tenant_id AND o.id = f.order_id "
        "WHERE f.purged_at = 0 AND ("
        "(f.order_id IS NULL AND "
        "f.uploaded_at + (t.duplicate_window_hours + 24) * 3600000000 <= $1) OR "
        "(t.file_retention_days > 0 AND o.status IN ('completed', 'cancelled') AND "
        "o.updated_at + t.file_retention_days * 86400000000 <= $1)) "
        "ORDER BY f.id LIMIT $2",
        &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, now_us);
    store_bind_int64(s, 2, (int64_t)limit);
    return store_q_list(c, a, s, (void **)out, n, sizeof(**out), store_file_read);
}
