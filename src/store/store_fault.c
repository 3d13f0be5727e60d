/*
 * A store that wraps another and fails its Nth statement step, so tests can
 * walk an operation through every point of failure and check that each
 * failure rolls back whole (SQLite's test VFS, TigerBeetle's test storage).
 * Everything else is passed to the wrapped store unchanged. Not for
 * production: nothing but tests arms it.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

enum { FAULT_STMTS_MAX = 256 };

struct fault_store {
    struct store base;
    struct store *inner;
    int64_t fail_at; /* 1-based step to fail; 0 = never */
    int64_t steps;
};

struct fault_stmt {
    struct store_conn *conn; /* first: see store.c */
    struct store_stmt *inner;
};

struct fault_conn {
    struct store_conn base;
    struct store_conn *inner;
    struct fault_store *st;
    bool injected;
    size_t n_stmts;
    struct fault_stmt stmts[FAULT_STMTS_MAX];
};

static const struct store_ops store_fault_ops;

struct fault_call {
    struct fault_store *st;
    store_txn_fn fn;
    void *ctx;
};

/* Runs fn on a wrapper of the backend's connection. */
static enum err fault_trampoline(struct store_conn *inner, void *arg)
{
    struct fault_call *call = arg;
    struct fault_conn *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return ERR_TOO_LARGE;
    c->base.ops = &store_fault_ops;
    c->inner = inner;
    c->st = call->st;
    enum err rc = call->fn(&c->base, call->ctx);
    free(c);
    return rc;
}

static enum err fault_write(struct store *base, store_txn_fn fn, void *ctx)
{
    struct fault_store *st = (struct fault_store *)base;
    struct fault_call call = {.st = st, .fn = fn, .ctx = ctx};
    return store_write(st->inner, fault_trampoline, &call);
}

static enum err fault_write_keyed(struct store *base, int64_t group, int64_t key, store_txn_fn fn,
                                  void *ctx)
{
    struct fault_store *st = (struct fault_store *)base;
    struct fault_call call = {.st = st, .fn = fn, .ctx = ctx};
    return store_write_keyed(st->inner, group, key, fault_trampoline, &call);
}

static enum err fault_read(struct store *base, store_txn_fn fn, void *ctx)
{
    struct fault_store *st = (struct fault_store *)base;
    struct fault_call call = {.st = st, .fn = fn, .ctx = ctx};
    return store_read(st->inner, fault_trampoline, &call);
}

static enum err fault_exec(struct store_conn *base, const char *sql)
{
    return store_exec(((struct fault_conn *)base)->inner, sql);
}

static enum err fault_prepare(struct store_conn *base, const char *sql, struct store_stmt **out)
{
    struct fault_conn *c = (struct fault_conn *)base;
    struct store_stmt *inner;
    enum err rc = store_prepare(c->inner, sql, &inner);
    if (rc != ERR_OK)
        return rc;
    for (size_t i = 0; i < c->n_stmts; i++) {
        if (c->stmts[i].inner == inner) {
            *out = (struct store_stmt *)&c->stmts[i];
            return ERR_OK;
        }
    }
    if (c->n_stmts == FAULT_STMTS_MAX)
        return ERR_TOO_LARGE;
    c->stmts[c->n_stmts] = (struct fault_stmt){.conn = base, .inner = inner};
    *out = (struct store_stmt *)&c->stmts[c->n_stmts++];
    return ERR_OK;
}

static struct store_stmt *fault_inner(struct store_stmt *s)
{
    return ((struct fault_stmt *)s)->inner;
}

static void fault_bind_int64(struct store_stmt *s, int index, int64_t v)
{
    store_bind_int64(fault_inner(s), index, v);
}

static void fault_bind_text(struct store_stmt *s, int index, const char *v)
{
    store_bind_text(fault_inner(s), index, v);
}

static void fault_bind_null(struct store_stmt *s, int index)
{
    store_bind_id(fault_inner(s), index, 0);
}

static enum store_step fault_step(struct store_stmt *s)
{
    struct fault_conn *c = (struct fault_conn *)((struct fault_stmt *)s)->conn;
    struct fault_store *st = c->st;
    if (st->fail_at != 0 && ++st->steps == st->fail_at) {
        c->injected = true;
        return STORE_FAILED;
    }
    return store_step(fault_inner(s));
}

static enum err fault_send(struct store_stmt *s)
{
    struct fault_conn *c = (struct fault_conn *)((struct fault_stmt *)s)->conn;
    struct fault_store *st = c->st;
    if (st->fail_at != 0 && ++st->steps == st->fail_at) {
        c->injected = true;
        store_finish(fault_inner(s));
        return ERR_STORE;
    }
    return store_send(fault_inner(s));
}

static int64_t fault_column_int64(struct store_stmt *s, int column)
{
    return store_column_int64(fault_inner(s), column);
}

static const char *fault_column_text(struct store_stmt *s, int column)
{
    return store_column_text(fault_inner(s), column);
}

static bool fault_column_is_null(struct store_stmt *s, int column)
{
    struct store_stmt *inner = fault_inner(s);
    struct store_conn *ic = *(struct store_conn **)inner;
    return ic->ops->column_is_null(inner, column);
}

static void fault_finish(struct store_stmt *s)
{
    store_finish(fault_inner(s));
}

static const char *fault_last_error(struct store_conn *base)
{
    struct fault_conn *c = (struct fault_conn *)base;
    return c->injected ? "injected fault" : store_conn_error(c->inner);
}

static enum err fault_last_err(struct store_conn *base)
{
    struct fault_conn *c = (struct fault_conn *)base;
    return c->injected ? ERR_STORE : store_conn_err(c->inner);
}

static const char *fault_sql(struct store_conn *base, enum store_sql which)
{
    return store_sql(((struct fault_conn *)base)->inner, which);
}

static enum err fault_backup(struct store *base, const char *path, struct err_detail *d)
{
    return store_backup(((struct fault_store *)base)->inner, path, d);
}

static void fault_close(struct store *base)
{
    free(base);
}

static enum err fault_open(const char *target, struct store **out, struct err_detail *d)
{
    (void)target;
    (void)out;
    return err_set(d, ERR_USAGE, "db", "the fault store wraps an open store");
}

static const struct store_ops store_fault_ops = {
    .name = "fault",
    .open = fault_open,
    .close = fault_close,
    .write = fault_write,
    .write_keyed = fault_write_keyed,
    .read = fault_read,
    .exec = fault_exec,
    .prepare = fault_prepare,
    .bind_int64 = fault_bind_int64,
    .bind_text = fault_bind_text,
    .bind_null = fault_bind_null,
    .step = fault_step,
    .send = fault_send,
    .column_int64 = fault_column_int64,
    .column_text = fault_column_text,
    .column_is_null = fault_column_is_null,
    .finish = fault_finish,
    .last_error = fault_last_error,
    .last_err = fault_last_err,
    .backup = fault_backup,
    .sql = fault_sql,
};

struct store *store_fault_wrap(struct store *inner)
{
    struct fault_store *st = calloc(1, sizeof(*st));
    if (st == NULL)
        return NULL;
    st->base.ops = &store_fault_ops;
    st->inner = inner;
    /* base is the first member: the same pointer, handed out as the store. */
    return (struct store *)st;
}

void store_fault_arm(struct store *st, int64_t fail_at_step)
{
    ASSERT(st->ops == &store_fault_ops);
    struct fault_store *f = (struct fault_store *)st;
    f->fail_at = fail_at_step;
    f->steps = 0;
}

int64_t store_fault_steps(const struct store *st)
{
    ASSERT(st->ops == &store_fault_ops);
    return ((const struct fault_store *)st)->steps;
}
