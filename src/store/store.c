/*
 * The backend-independent part of the store: opening by URL, the named
 * wrappers over the ops table, and schema migrations.
 */
#include <string.h>

#include "store/store.h"

enum err store_open(const char *url, struct store **out, struct err_detail *d)
{
    ASSERT(url != NULL);
    ASSERT(out != NULL);
    *out = NULL;
    if (strncmp(url, "sqlite:", 7) == 0)
        return store_sqlite_ops.open(url + 7, out, d);
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        return store_pg_ops.open(url, out, d);
    if (strstr(url, "://") != NULL || url[0] == '\0')
        return err_set(d, ERR_USAGE, "db",
                       "unknown database URL '%s' (use sqlite:PATH or "
                       "postgresql://…)",
                       url);
    return store_sqlite_ops.open(url, out, d);
}

void store_close(struct store *st)
{
    if (st != NULL)
        st->ops->close(st);
}

const char *store_backend_name(const struct store *st)
{
    return st->ops->name;
}

enum err store_write(struct store *st, store_txn_fn fn, void *ctx)
{
    return st->ops->write(st, fn, ctx);
}

enum err store_write_keyed(struct store *st, int64_t group, int64_t key, store_txn_fn fn, void *ctx)
{
    ASSERT(group > 0);
    ASSERT(key > 0);
    if (st->ops->write_keyed == NULL)
        return st->ops->write(st, fn, ctx);
    return st->ops->write_keyed(st, group, key, fn, ctx);
}

enum err store_read(struct store *st, store_txn_fn fn, void *ctx)
{
    return st->ops->read(st, fn, ctx);
}

enum err store_backup(struct store *st, const char *path, struct err_detail *d)
{
    return st->ops->backup(st, path, d);
}

enum err store_claim_server(struct store *st, struct err_detail *d)
{
    ASSERT(st != NULL);
    return st->ops->claim != NULL ? st->ops->claim(st, d) : ERR_OK;
}

enum err store_jobs_lock(struct store *st, enum store_lock which, bool *held)
{
    ASSERT(held != NULL);
    ASSERT(which < STORE_LOCK__COUNT);
    *held = true;
    return st->ops->jobs_lock ? st->ops->jobs_lock(st, which, held) : ERR_OK;
}

void store_jobs_unlock(struct store *st, enum store_lock which)
{
    ASSERT(which < STORE_LOCK__COUNT);
    if (st->ops->jobs_unlock)
        st->ops->jobs_unlock(st, which);
}

enum err store_prepare(struct store_conn *c, const char *sql, struct store_stmt **out)
{
    return c->ops->prepare(c, sql, out);
}

void store_bind_int64(struct store_stmt *s, int index, int64_t v)
{
    /* Every statement belongs to a connection of the same backend; the
     * statement's first member is that backend's connection. */
    struct store_conn *c = *(struct store_conn **)s;
    c->ops->bind_int64(s, index, v);
}

void store_bind_id(struct store_stmt *s, int index, int64_t id)
{
    struct store_conn *c = *(struct store_conn **)s;
    if (id == 0)
        c->ops->bind_null(s, index);
    else
        c->ops->bind_int64(s, index, id);
}

void store_bind_text(struct store_stmt *s, int index, const char *v)
{
    struct store_conn *c = *(struct store_conn **)s;
    c->ops->bind_text(s, index, v);
}

enum store_step store_step(struct store_stmt *s)
{
    struct store_conn *c = *(struct store_conn **)s;
    return c->ops->step(s);
}

enum err store_send(struct store_stmt *s)
{
    struct store_conn *c = *(struct store_conn **)s;
    if (c->ops->send != NULL)
        return c->ops->send(s);
    enum store_step r = c->ops->step(s);
    enum err rc = r == STORE_FAILED ? store_conn_err(c) : ERR_OK;
    c->ops->finish(s);
    return rc;
}

int64_t store_column_int64(struct store_stmt *s, int column)
{
    struct store_conn *c = *(struct store_conn **)s;
    return c->ops->column_int64(s, column);
}

bool store_column_is_null(struct store_stmt *s, int column)
{
    struct store_conn *c = *(struct store_conn **)s;
    return c->ops->column_is_null(s, column);
}

const char *store_column_text(struct store_stmt *s, int column)
{
    struct store_conn *c = *(struct store_conn **)s;
    return c->ops->column_text(s, column);
}

void store_finish(struct store_stmt *s)
{
    struct store_conn *c = *(struct store_conn **)s;
    c->ops->finish(s);
}

const struct store_ops *store_conn_ops(struct store_conn *c)
{
    return c->ops;
}

enum err store_conn_err(struct store_conn *c)
{
    return c->ops->last_err(c);
}

const char *store_conn_error(struct store_conn *c)
{
    return c->ops->last_error(c);
}

enum err store_exec(struct store_conn *c, const char *sql)
{
    return c->ops->exec(c, sql);
}

const char *store_sql(struct store_conn *c, enum store_sql which)
{
    const char *sql = c->ops->sql(c, which);
    ASSERT(sql != NULL);
    return sql;
}

/* ---- migrations -------------------------------------------------------- */

static const char store_migrations_table[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
    "name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

static enum err store_version_query(struct store_conn *c, int *version)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &s);
    if (rc != ERR_OK)
        return rc;
    if (store_step(s) != STORE_ROW) {
        rc = store_conn_err(c);
        store_finish(s);
        return rc;
    }
    *version = (int)store_column_int64(s, 0);
    store_finish(s);
    return ERR_OK;
}

struct store_migrate_ctx {
    int applied;
};

static enum err store_migrate_txn(struct store_conn *c, void *ctx)
{
    struct store_migrate_ctx *m = ctx;
    const struct store_ops *ops = store_conn_ops(c);
    m->applied = 0;
    enum err rc = store_exec(c, store_migrations_table);
    int version = 0;
    if (rc == ERR_OK)
        rc = store_version_query(c, &version);
    if (rc != ERR_OK)
        return rc;
    if (ops->n_migrations > 0 && version > ops->migrations[ops->n_migrations - 1].version) {
        log_msg(LOG_ERROR, "database schema version %d is newer than this creditd", version);
        return ERR_SCHEMA;
    }
    for (size_t i = 0; i < ops->n_migrations; i++) {
        const struct store_migration *mg = &ops->migrations[i];
        if (mg->version <= version)
            continue;
        rc = store_exec(c, mg->sql);
        if (rc != ERR_OK) {
            log_msg(LOG_ERROR, "migration %d '%s' failed: %s", mg->version, mg->name,
                    store_conn_error(c));
            return rc;
        }
        struct store_stmt *s;
        rc = store_prepare(c,
                           "INSERT INTO schema_migrations (version, name, applied_at) "
                           "VALUES ($1, $2, $3)",
                           &s);
        if (rc != ERR_OK)
            return rc;
        store_bind_int64(s, 1, mg->version);
        store_bind_text(s, 2, mg->name);
        store_bind_int64(s, 3, time_now_us());
        rc = store_step(s) == STORE_DONE ? ERR_OK : store_conn_err(c);
        store_finish(s);
        if (rc != ERR_OK)
            return rc;
        m->applied++;
    }
    return ERR_OK;
}

enum err store_migrate(struct store *st, int *applied)
{
    struct store_migrate_ctx m = {0};
    enum err rc = store_write(st, store_migrate_txn, &m);
    if (applied != NULL)
        *applied = rc == ERR_OK ? m.applied : 0;
    return rc;
}

static enum err store_schema_version_txn(struct store_conn *c, void *ctx)
{
    int *version = ctx;
    enum err rc = store_exec(c, store_migrations_table);
    if (rc != ERR_OK)
        return rc;
    return store_version_query(c, version);
}

int store_schema_latest(const struct store *st)
{
    const struct store_ops *ops = st->ops;
    return ops->n_migrations ? ops->migrations[ops->n_migrations - 1].version : 0;
}

enum err store_schema_version(struct store *st, int *version)
{
    *version = 0;
    return store_write(st, store_schema_version_txn, version);
}

/* ---- committed journal counts (for metrics) ----------------------------- */

static uint64_t store_journal_counts[JOURNAL__COUNT];

void store_note_journal(struct store_conn *c, enum journal_kind kind)
{
    ASSERT((size_t)kind < JOURNAL__COUNT);
    c->pending_journal[kind]++;
}

void store_pending_commit(struct store_conn *c)
{
    for (size_t k = 0; k < JOURNAL__COUNT; k++) {
        if (c->pending_journal[k] != 0)
            __atomic_fetch_add(&store_journal_counts[k], c->pending_journal[k], __ATOMIC_RELAXED);
        c->pending_journal[k] = 0;
    }
}

void store_pending_drop(struct store_conn *c)
{
    memset(c->pending_journal, 0, sizeof(c->pending_journal));
}

uint64_t store_journal_committed(enum journal_kind kind)
{
    ASSERT((size_t)kind < JOURNAL__COUNT);
    return __atomic_load_n(&store_journal_counts[kind], __ATOMIC_RELAXED);
}
