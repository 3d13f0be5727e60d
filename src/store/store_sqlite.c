/*
 * The SQLite backend: one file, WAL, synchronous=FULL.
 *
 * Exactly one connection writes, and only on its own thread: store_write
 * queues the work there and waits. The writer takes every queued job at once,
 * runs each in its own savepoint inside one BEGIN IMMEDIATE transaction and
 * commits them together (group commit), so concurrent callers share one
 * durable fsync. Readers use read-only connections from a small pool. No
 * other connection ever writes or checkpoints, which keeps creditd clear of
 * the WAL-reset bug of SQLite before 3.51.3 (two connections writing or
 * checkpointing at once).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"
#include "schema_sql.h"

enum {
    SQLITE_STMT_CACHE = 256,
    SQLITE_ERROR_BYTES = 256,
    SQLITE_PARAMS_MAX = 40, /* the most a statement binds: the invoice insert, 37 */
    /* The writer checkpoints once the WAL holds this many pages (16 MiB of
     * 4 KiB pages): SQLite's own automatic checkpoint (1000 pages) would
     * run inside a batch's COMMIT, before its callers are answered. */
    SQLITE_WAL_FRAMES_MAX = 4000,
};

struct sqlite_stmt {
    struct store_conn *conn; /* first: see store.c */
    sqlite3_stmt *stmt;
    const char *sql;
    /* SQLite numbers named parameters by first appearance; this maps $N to it. */
    uint8_t param_index[SQLITE_PARAMS_MAX + 1];
};

struct sqlite_conn {
    struct store_conn base;
    sqlite3 *db;
    struct sqlite_stmt cache[SQLITE_STMT_CACHE];
    char error[SQLITE_ERROR_BYTES];
    enum err last;
};

struct sqlite_job {
    store_txn_fn fn;
    void *ctx;
    enum err rc;
    bool done;
    struct sqlite_job *next;
};

struct sqlite_store {
    struct store base;
    char path[4096];
    int claim_fd; /* PATH.lock, flocked by the server (sqlite_claim); -1 */
    struct sqlite_conn writer;
    pthread_t writer_thread;
    pthread_mutex_t lock;
    pthread_cond_t work; /* jobs queued or stopping */
    pthread_cond_t done; /* a batch finished */
    struct sqlite_job *head, *tail;
    bool stopping;
    int wal_frames; /* frames in the WAL after the last commit (the WAL hook) */
    struct sqlite_conn *readers[STORE_READERS_MAX];
    size_t n_readers_free;
    size_t n_readers_open;
    pthread_cond_t reader_free;
};

/* ---- connections and statements ---------------------------------------- */

static void sqlite_conn_error(struct sqlite_conn *c, int code)
{
    snprintf(c->error, sizeof(c->error), "%s", sqlite3_errmsg(c->db));
    int primary = code & 0xff;
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
        c->last = ERR_DUPLICATE;
    else if (primary == SQLITE_CONSTRAINT)
        c->last = ERR_CONFLICT;
    else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        c->last = ERR_STORE_BUSY;
    else if (primary == SQLITE_FULL || primary == SQLITE_IOERR)
        c->last = ERR_IO;
    else
        c->last = ERR_STORE;
}

static enum err sqlite_exec(struct store_conn *base, const char *sql)
{
    struct sqlite_conn *c = (struct sqlite_conn *)base;
    char *msg = NULL;
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        sqlite_conn_error(c, sqlite3_extended_errcode(c->db));
        if (msg != NULL)
            snprintf(c->error, sizeof(c->error), "%s", msg);
        sqlite3_free(msg);
        return c->last;
    }
    return ERR_OK;
}

static size_t sqlite_cache_slot(const char *sql)
{
    uintptr_t h = (uintptr_t)sql;
    h ^= h >> 17;
    h *= UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> 40) % SQLITE_STMT_CACHE;
}

/* Queries ending in " FOR UPDATE" lock rows on PostgreSQL; here the single
 * writer already excludes other writers, so the suffix is left off. */
static int sqlite_sql_length(const char *sql)
{
    static const char suffix[] = " FOR UPDATE";
    size_t n = strlen(sql), k = sizeof(suffix) - 1;
    if (n > k && strcmp(sql + n - k, suffix) == 0)
        n -= k;
    return (int)n;
}

/* Parameters are written $1..$n (PostgreSQL's form, which SQLite takes as
 * names); map each $N to SQLite's own index once per prepared statement. */
static bool sqlite_params_map(struct sqlite_stmt *s)
{
    int n = sqlite3_bind_parameter_count(s->stmt);
    if (n > SQLITE_PARAMS_MAX)
        return false;
    memset(s->param_index, 0, sizeof(s->param_index));
    for (int i = 1; i <= n; i++) {
        const char *name = sqlite3_bind_parameter_name(s->stmt, i);
        int64_t k;
        if (name == NULL || name[0] != '$' || !parse_int64(name + 1, &k) || k < 1 ||
            k > SQLITE_PARAMS_MAX)
            return false;
        s->param_index[k] = (uint8_t)i;
    }
    return true;
}

static int sqlite_param(struct sqlite_stmt *s, int index)
{
    ASSERT(index >= 1 && index <= SQLITE_PARAMS_MAX);
    ASSERT(s->param_index[index] != 0);
    return s->param_index[index];
}

static enum err sqlite_prepare(struct store_conn *base, const char *sql, struct store_stmt **out)
{
    struct sqlite_conn *c = (struct sqlite_conn *)base;
    size_t slot = sqlite_cache_slot(sql);
    for (size_t probe = 0; probe < SQLITE_STMT_CACHE; probe++) {
        struct sqlite_stmt *s = &c->cache[(slot + probe) % SQLITE_STMT_CACHE];
        if (s->sql == sql) {
            *out = (struct store_stmt *)s;
            return ERR_OK;
        }
        if (s->sql != NULL)
            continue;
        int rc = sqlite3_prepare_v3(c->db, sql, sqlite_sql_length(sql), SQLITE_PREPARE_PERSISTENT,
                                    &s->stmt, NULL);
        if (rc != SQLITE_OK) {
            sqlite_conn_error(c, rc);
            log_msg(LOG_ERROR, "cannot prepare statement: %s", c->error);
            return ERR_STORE;
        }
        bool mapped = sqlite_params_map(s);
        ASSERT(mapped);
        s->sql = sql;
        s->conn = base;
        *out = (struct store_stmt *)s;
        return ERR_OK;
    }
    return ERR_TOO_LARGE;
}

static void sqlite_bind_int64(struct store_stmt *base, int index, int64_t v)
{
    struct sqlite_stmt *s = (struct sqlite_stmt *)base;
    int rc = sqlite3_bind_int64(s->stmt, sqlite_param(s, index), v);
    ASSERT(rc == SQLITE_OK);
}

static void sqlite_bind_text(struct store_stmt *base, int index, const char *v)
{
    struct sqlite_stmt *s = (struct sqlite_stmt *)base;
    int i = sqlite_param(s, index);
    int rc = v == NULL ? sqlite3_bind_null(s->stmt, i)
                       : sqlite3_bind_text(s->stmt, i, v, -1, SQLITE_TRANSIENT);
    ASSERT(rc == SQLITE_OK);
}

static void sqlite_bind_null(struct store_stmt *base, int index)
{
    struct sqlite_stmt *s = (struct sqlite_stmt *)base;
    int rc = sqlite3_bind_null(s->stmt, sqlite_param(s, index));
    ASSERT(rc == SQLITE_OK);
}

static enum store_step sqlite_step(struct store_stmt *base)
{
    struct sqlite_stmt *s = (struct sqlite_stmt *)base;
    int rc = sqlite3_step(s->stmt);
    if (rc == SQLITE_ROW)
        return STORE_ROW;
    if (rc == SQLITE_DONE)
        return STORE_DONE;
    sqlite_conn_error((struct sqlite_conn *)s->conn,
                      sqlite3_extended_errcode(((struct sqlite_conn *)s->conn)->db));
    return STORE_FAILED;
}

static int64_t sqlite_column_int64(struct store_stmt *base, int column)
{
    struct sqlite_stmt *s = (struct sqlite_stmt *)base;
    return sqlite3_column_int64(s->stmt, column);
}

static const char *sqlite_column_text(struct store_stmt *base, int column)
{
    struct sqlite_stmt *s = (struct sqlite_stmt *)base;
    const unsigned char *t = sqlite3_column_text(s->stmt, column);
    return t ? (const char *)t : "";
}

static bool sqlite_column_is_null(struct store_stmt *base, int column)
{
    struct sqlite_stmt *s = (struct sqlite_stmt *)base;
    return sqlite3_column_type(s->stmt, column) == SQLITE_NULL;
}

static void sqlite_finish(struct store_stmt *base)
{
    struct sqlite_stmt *s = (struct sqlite_stmt *)base;
    sqlite3_reset(s->stmt);
    sqlite3_clear_bindings(s->stmt);
}

static const char *sqlite_last_error(struct store_conn *base)
{
    return ((struct sqlite_conn *)base)->error;
}

static enum err sqlite_last_err(struct store_conn *base)
{
    struct sqlite_conn *c = (struct sqlite_conn *)base;
    return c->last == ERR_OK ? ERR_STORE : c->last;
}

static void sqlite_conn_close(struct sqlite_conn *c)
{
    for (size_t i = 0; i < SQLITE_STMT_CACHE; i++) {
        if (c->cache[i].stmt != NULL)
            sqlite3_finalize(c->cache[i].stmt);
        c->cache[i].stmt = NULL;
        c->cache[i].sql = NULL;
    }
    if (c->db != NULL)
        sqlite3_close(c->db);
    c->db = NULL;
}

static enum err sqlite_conn_open(struct sqlite_conn *c, const char *path, bool writer,
                                 struct err_detail *d)
{
    memset(c, 0, sizeof(*c));
    c->base.ops = &store_sqlite_ops;
    int flags = writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    flags |= SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
        err_set(d, ERR_STORE, "db", "cannot open database '%s': %s", path,
                c->db ? sqlite3_errmsg(c->db) : "out of memory");
        sqlite_conn_close(c);
        return ERR_STORE;
    }
    sqlite3_extended_result_codes(c->db, 1);
    const char *pragmas = writer ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                                   "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000; "
                                   "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
                                 : "PRAGMA query_only=1; PRAGMA busy_timeout=10000; "
                                   "PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY;";
    if (sqlite_exec(&c->base, pragmas) != ERR_OK) {
        err_set(d, ERR_STORE, "db", "cannot set up database '%s': %s", path, c->error);
        sqlite_conn_close(c);
        return ERR_STORE;
    }
    return ERR_OK;
}

/* ---- the writer thread ------------------------------------------------- */

/* Runs one of the writer's fixed commands (savepoints, transaction control)
 * from the statement cache: they are compiled once, not at every job. */
static enum err sqlite_writer_cmd(struct sqlite_store *st, const char *sql)
{
    struct store_stmt *s;
    enum err rc = store_prepare(&st->writer.base, sql, &s);
    if (rc != ERR_OK)
        return rc;
    enum store_step r = store_step(s);
    rc = r == STORE_FAILED ? st->writer.last : ERR_OK;
    store_finish(s);
    return rc;
}

/* Notes the WAL's size after each commit; the writer checkpoints later. */
static int sqlite_wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
    (void)db;
    (void)name;
    ((struct sqlite_store *)arg)->wal_frames = frames;
    return SQLITE_OK;
}

/*
 * Copies the WAL back into the database once it holds SQLITE_WAL_FRAMES_MAX
 * frames, on the writer thread (no other connection ever checkpoints) but
 * after the batch's callers were answered: the copy is off their commit. A
 * PASSIVE checkpoint never waits for readers; what it could not copy yet,
 * the next one does.
 */
static void sqlite_writer_checkpoint(struct sqlite_store *st)
{
    if (st->wal_frames < SQLITE_WAL_FRAMES_MAX)
        return;
    int log = 0, done = 0;
    int rc = sqlite3_wal_checkpoint_v2(st->writer.db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        log_msg(LOG_WARN, "checkpoint failed: %s", sqlite3_errmsg(st->writer.db));
    st->wal_frames = 0;
}

static void sqlite_batch_run(struct sqlite_store *st, struct sqlite_job *batch)
{
    struct store_conn *w = &st->writer.base;
    enum err begin = sqlite_writer_cmd(st, "BEGIN IMMEDIATE");
    for (struct sqlite_job *j = batch; j != NULL; j = j->next) {
        if (begin != ERR_OK) {
            j->rc = begin;
            continue;
        }
        uint32_t before[JOURNAL__COUNT];
        memcpy(before, w->pending_journal, sizeof(before));
        j->rc = sqlite_writer_cmd(st, "SAVEPOINT job");
        if (j->rc == ERR_OK)
            j->rc = j->fn(w, j->ctx);
        if (j->rc != ERR_OK)
            memcpy(w->pending_journal, before, sizeof(before)); /* this job's entries are gone */
        if (j->rc != ERR_OK && sqlite_writer_cmd(st, "ROLLBACK TO job") != ERR_OK)
            log_msg(LOG_ERROR, "cannot roll back to savepoint: %s", st->writer.error);
        if (sqlite_writer_cmd(st, "RELEASE job") != ERR_OK)
            log_msg(LOG_ERROR, "cannot release savepoint: %s", st->writer.error);
    }
    if (begin != ERR_OK) {
        store_pending_drop(w);
        log_msg(LOG_ERROR, "cannot begin a write transaction: %s", st->writer.error);
        return;
    }
    enum err commit = sqlite_writer_cmd(st, "COMMIT");
    if (commit == ERR_OK) {
        store_pending_commit(w);
        return;
    }
    store_pending_drop(w);
    log_msg(LOG_ERROR, "cannot commit: %s", st->writer.error);
    if (sqlite_exec(w, "ROLLBACK") != ERR_OK)
        log_msg(LOG_ERROR, "cannot roll back: %s", st->writer.error);
    for (struct sqlite_job *j = batch; j != NULL; j = j->next)
        if (j->rc == ERR_OK)
            j->rc = commit;
}

static void *sqlite_writer_main(void *arg)
{
    struct sqlite_store *st = arg;
    pthread_mutex_lock(&st->lock);
    for (;;) {
        while (st->head == NULL && !st->stopping)
            pthread_cond_wait(&st->work, &st->lock);
        if (st->head == NULL && st->stopping)
            break;
        /* Take up to STORE_BATCH_MAX queued jobs; the rest wait for the next batch. */
        struct sqlite_job *batch = st->head, *last = batch;
        for (size_t n = 1; n < STORE_BATCH_MAX && last->next != NULL; n++)
            last = last->next;
        st->head = last->next;
        if (st->head == NULL)
            st->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&st->lock);
        sqlite_batch_run(st, batch);
        pthread_mutex_lock(&st->lock);
        for (struct sqlite_job *j = batch; j != NULL; j = j->next)
            j->done = true;
        pthread_cond_broadcast(&st->done);
        pthread_mutex_unlock(&st->lock);
        sqlite_writer_checkpoint(st);
        pthread_mutex_lock(&st->lock);
    }
    pthread_mutex_unlock(&st->lock);
    return NULL;
}

static enum err sqlite_write(struct store *base, store_txn_fn fn, void *ctx)
{
    struct sqlite_store *st = (struct sqlite_store *)base;
    ASSERT(!pthread_equal(pthread_self(), st->writer_thread)); /* no nested writes */
    struct sqlite_job job = {.fn = fn, .ctx = ctx, .rc = ERR_OK, .done = false, .next = NULL};
    pthread_mutex_lock(&st->lock);
    if (st->tail != NULL)
        st->tail->next = &job;
    else
        st->head = &job;
    st->tail = &job;
    pthread_cond_signal(&st->work);
    while (!job.done)
        pthread_cond_wait(&st->done, &st->lock);
    pthread_mutex_unlock(&st->lock);
    return job.rc;
}

/* ---- readers ----------------------------------------------------------- */

static enum err sqlite_reader_take(struct sqlite_store *st, struct sqlite_conn **out)
{
    pthread_mutex_lock(&st->lock);
    while (st->n_readers_free == 0 && st->n_readers_open == STORE_READERS_MAX)
        pthread_cond_wait(&st->reader_free, &st->lock);
    if (st->n_readers_free > 0) {
        *out = st->readers[--st->n_readers_free];
        pthread_mutex_unlock(&st->lock);
        return ERR_OK;
    }
    st->n_readers_open++;
    pthread_mutex_unlock(&st->lock);
    struct sqlite_conn *c = calloc(1, sizeof(*c));
    struct err_detail d = {0};
    if (c == NULL || sqlite_conn_open(c, st->path, false, &d) != ERR_OK) {
        free(c);
        log_msg(LOG_ERROR, "%s", d.message);
        pthread_mutex_lock(&st->lock);
        st->n_readers_open--;
        pthread_cond_signal(&st->reader_free);
        pthread_mutex_unlock(&st->lock);
        return ERR_STORE;
    }
    *out = c;
    return ERR_OK;
}

static void sqlite_reader_give(struct sqlite_store *st, struct sqlite_conn *c)
{
    pthread_mutex_lock(&st->lock);
    st->readers[st->n_readers_free++] = c;
    pthread_cond_signal(&st->reader_free);
    pthread_mutex_unlock(&st->lock);
}

static enum err sqlite_read(struct store *base, store_txn_fn fn, void *ctx)
{
    struct sqlite_store *st = (struct sqlite_store *)base;
    struct sqlite_conn *c;
    enum err rc = sqlite_reader_take(st, &c);
    if (rc != ERR_OK)
        return rc;
    rc = sqlite_exec(&c->base, "BEGIN");
    if (rc == ERR_OK) {
        rc = fn(&c->base, ctx);
        if (sqlite_exec(&c->base, "COMMIT") != ERR_OK)
            log_msg(LOG_ERROR, "cannot end a read transaction: %s", c->error);
    }
    sqlite_reader_give(st, c);
    return rc;
}

/* ---- open, close, backup ----------------------------------------------- */

static void sqlite_make_parent_dir(const char *path)
{
    char dir[4096];
    if (!str_copy(dir, sizeof(dir), path))
        return;
    char *slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir)
        return;
    *slash = '\0';
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        log_msg(LOG_WARN, "cannot create directory '%s': %s", dir, strerror(errno));
}

static void sqlite_close(struct store *base)
{
    struct sqlite_store *st = (struct sqlite_store *)base;
    pthread_mutex_lock(&st->lock);
    st->stopping = true;
    pthread_cond_signal(&st->work);
    pthread_mutex_unlock(&st->lock);
    pthread_join(st->writer_thread, NULL);
    for (size_t i = 0; i < st->n_readers_free; i++) {
        sqlite_conn_close(st->readers[i]);
        free(st->readers[i]);
    }
    sqlite_conn_close(&st->writer);
    pthread_mutex_destroy(&st->lock);
    pthread_cond_destroy(&st->work);
    pthread_cond_destroy(&st->done);
    pthread_cond_destroy(&st->reader_free);
    if (st->claim_fd >= 0)
        close(st->claim_fd); /* releases the flock */
    free(st);
}

static enum err sqlite_open(const char *target, struct store **out, struct err_detail *d)
{
    if (target[0] == '\0')
        return err_set(d, ERR_USAGE, "db", "sqlite: needs a file path");
    struct sqlite_store *st = calloc(1, sizeof(*st));
    if (st == NULL)
        return ERR_STORE;
    st->base.ops = &store_sqlite_ops;
    st->claim_fd = -1;
    if (!str_copy(st->path, sizeof(st->path), target)) {
        free(st);
        return err_set(d, ERR_USAGE, "db", "database path too long");
    }
    sqlite_make_parent_dir(st->path);
    enum err rc = sqlite_conn_open(&st->writer, st->path, true, d);
    if (rc != ERR_OK) {
        free(st);
        return rc;
    }
    sqlite3_wal_autocheckpoint(st->writer.db, 0);
    sqlite3_wal_hook(st->writer.db, sqlite_wal_hook, st);
    pthread_mutex_init(&st->lock, NULL);
    pthread_cond_init(&st->work, NULL);
    pthread_cond_init(&st->done, NULL);
    pthread_cond_init(&st->reader_free, NULL);
    if (pthread_create(&st->writer_thread, NULL, sqlite_writer_main, st) != 0) {
        sqlite_conn_close(&st->writer);
        free(st);
        return err_set(d, ERR_STORE, "db", "cannot start the writer thread");
    }
    *out = &st->base;
    return ERR_OK;
}

/* One server per file: the writer's group commit and checkpoints assume
 * no other process writes. SQLite's own locks cannot say so (they would shut
 * out verify and backup too), so the server holds an exclusive flock on a
 * file beside the database for its whole run; a lock of a crashed process
 * goes with it. */
static enum err sqlite_claim(struct store *base, struct err_detail *d)
{
    struct sqlite_store *st = (struct sqlite_store *)base;
    ASSERT(st->claim_fd < 0);
    char lock[sizeof(st->path) + 8];
    if (!str_format(lock, sizeof(lock), "%s.lock", st->path))
        return err_set(d, ERR_USAGE, "db", "database path too long");
    int fd = open(lock, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (fd < 0)
        return err_set(d, ERR_IO, "db", "cannot open the lock file '%s': %s", lock,
                       strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK)
            return err_set(d, ERR_CONFLICT, "db",
                           "database '%s' is in use by another creditd serve (lock file '%s')",
                           st->path, lock);
        return err_set(d, ERR_IO, "db", "cannot lock '%s': %s", lock, strerror(e));
    }
    st->claim_fd = fd;
    return ERR_OK;
}

struct sqlite_backup_ctx {
    const char *path;
    struct err_detail *d;
};

/* Runs on a reader: the backup reads a consistent snapshot and never writes
 * the source, so it cannot race the writer. */
static enum err sqlite_backup_txn(struct store_conn *base, void *arg)
{
    struct sqlite_conn *c = (struct sqlite_conn *)base;
    struct sqlite_backup_ctx *b = arg;
    sqlite3 *dst = NULL;
    if (sqlite3_open_v2(b->path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        err_set(b->d, ERR_IO, "file", "cannot open '%s': %s", b->path,
                dst ? sqlite3_errmsg(dst) : "out of memory");
        sqlite3_close(dst);
        return ERR_IO;
    }
    sqlite3_backup *bk = sqlite3_backup_init(dst, "main", c->db, "main");
    int rc = bk ? sqlite3_backup_step(bk, -1) : SQLITE_ERROR;
    if (bk != NULL)
        sqlite3_backup_finish(bk);
    enum err result = ERR_OK;
    if (rc != SQLITE_DONE) {
        err_set(b->d, ERR_IO, "file", "cannot write backup '%s': %s", b->path, sqlite3_errmsg(dst));
        result = ERR_IO;
    }
    sqlite3_close(dst);
    return result;
}

/* The backup must go to another file. Onto the database itself (`creditd
 * backup data/creditd.db` read as "back up this file") or its WAL, it would
 * be a second writer putting the snapshot back over whatever committed after
 * it, and it would say "backup written" with no copy anywhere. Compared by
 * device and inode, so other spellings of the path are caught too. */
static enum err sqlite_backup_target_check(const struct sqlite_store *st, const char *path,
                                           struct err_detail *d)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    struct stat target;
    if (stat(path, &target) != 0)
        return ERR_OK; /* a new file */
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        char own[sizeof(st->path) + 16];
        struct stat live;
        if (!str_format(own, sizeof(own), "%s%s", st->path, suffixes[i]) || stat(own, &live) != 0)
            continue;
        if (live.st_dev == target.st_dev && live.st_ino == target.st_ino)
            return err_set(d, ERR_USAGE, "file",
                           "backup: '%s' is the live database or one of its files: name a new "
                           "file for the copy",
                           path);
    }
    return ERR_OK;
}

static enum err sqlite_backup(struct store *base, const char *path, struct err_detail *d)
{
    struct sqlite_store *st = (struct sqlite_store *)base;
    enum err rc = sqlite_backup_target_check(st, path, d);
    if (rc != ERR_OK)
        return rc;
    /* A new copy is readable by its owner only: it holds customers, invoices
     * and password hashes, and backups often go to a shared directory. An
     * existing file keeps its mode (SQLite's journal takes the same). */
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
    struct sqlite_backup_ctx b = {.path = path, .d = d};
    return sqlite_read(base, sqlite_backup_txn, &b);
}

static const char *sqlite_sql(struct store_conn *c, enum store_sql which)
{
    (void)c;
    switch (which) {
    case STORE_SQL_ORDER_ID_NEXT:
        /* The one writer excludes every other: the next rowid is free until
         * this transaction ends (a rolled-back id is simply taken again). */
        return "SELECT COALESCE(MAX(id), 0) + 1 FROM orders";
    case STORE_SQL_WAL_POSITION:
    case STORE_SQL_REPLICA_CAUGHT_UP:
    case STORE_SQL_REPLICA_LAG:
        return NULL; /* one file: no replicas */
    }
    return NULL;
}

const struct store_ops store_sqlite_ops = {
    .name = "sqlite",
    .open = sqlite_open,
    .close = sqlite_close,
    .write = sqlite_write,
    .read = sqlite_read,
    .exec = sqlite_exec,
    .prepare = sqlite_prepare,
    .bind_int64 = sqlite_bind_int64,
    .bind_text = sqlite_bind_text,
    .bind_null = sqlite_bind_null,
    .step = sqlite_step,
    .column_int64 = sqlite_column_int64,
    .column_text = sqlite_column_text,
    .column_is_null = sqlite_column_is_null,
    .finish = sqlite_finish,
    .last_error = sqlite_last_error,
    .last_err = sqlite_last_err,
    .migrations = migrations_sqlite,
    .n_migrations = sizeof(migrations_sqlite) / sizeof(migrations_sqlite[0]),
    .backup = sqlite_backup,
    .sql = sqlite_sql,
    .claim = sqlite_claim,
};
