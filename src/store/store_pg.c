/*
 * The PostgreSQL backend: a pool of libpq connections, one transaction per
 * store_write or store_read, row locks for the serialization points.
 *
 * A write takes a connection from the pool (waiting when all are in use),
 * runs the work function in a READ COMMITTED transaction and commits; on a
 * deadlock or serialization failure it rolls back and runs the function
 * again, a few times, after a short random pause. A read runs in a REPEATABLE
 * READ READ ONLY transaction, so it sees one snapshot. Statements are
 * prepared once per connection and cached by the address of their SQL text.
 * PostgreSQL aborts a transaction at its first failed statement. That is
 * the contract of store_write on every backend: a failed statement fails the
 * whole operation (the service returns the error and everything rolls back),
 * so no statement needs a savepoint of its own.
 *
 * Must not: print or log the password of the database URL, keep a connection
 * in the pool that is inside a transaction, or use one connection from two
 * threads at once.
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libpq-fe.h>

#include "store/store.h"
#include "schema_sql.h"

enum {
    PG_STMT_CACHE = 256,
    PG_PARAMS_MAX = 40, /* the most a statement binds: the invoice insert, 37 */
    PG_INT_BYTES = 24,  /* "-9223372036854775808" and the terminator */
    PG_NAME_BYTES = 16, /* "s4294967295" */
    PG_ERROR_BYTES = 512,
    PG_TEXT_KEEP_BYTES = 1024, /* parameter buffers up to this size are reused */
    PG_URL_SHOWN_BYTES = 512,
    PG_BACKOFF_MS_MAX = 32,
    PG_OPEN_RETRY_US = 1000000, /* after a failed lazy connect, wait this long */
};

enum pg_stmt_state { PG_STMT_FRESH, PG_STMT_ROWS, PG_STMT_DONE, PG_STMT_FAILED };

struct pg_stmt {
    struct store_conn *conn; /* first: see store.c */
    const char *sql;
    char name[PG_NAME_BYTES];
    int n_params;
    bool bind_failed; /* out of memory copying a text parameter */
    enum pg_stmt_state state;
    PGresult *res;
    int row, n_rows;
    const char *values[PG_PARAMS_MAX];
    char ints[PG_PARAMS_MAX][PG_INT_BYTES];
    char *texts[PG_PARAMS_MAX];
    size_t text_caps[PG_PARAMS_MAX];
};

struct pg_conn {
    struct store_conn base;
    PGconn *pg;
    struct pg_stmt *cache[PG_STMT_CACHE];
    unsigned n_prepared; /* names the next statement */
    char error[PG_ERROR_BYTES];
    enum err last;
    bool retry_seen; /* a deadlock or serialization failure in this attempt */
    int n_piped;     /* statements sent in pipeline mode, results not yet read */
    bool stale;      /* reconnect before the next use (see pg_state_is_stale) */
};

/* A keyed write waiting in its lane for a batch. */
struct pg_job {
    int64_t group; /* the tenant */
    store_txn_fn fn;
    void *ctx;
    enum err rc;
    int attempts;
    bool retry; /* failed on a deadlock or serialization failure: run again */
    bool done;
    struct pg_job *next;
};

/* The writes of the keys that hash here, run one batch at a time: a lane's
 * batches never wait for each other's row locks, and different lanes share
 * no key. */
struct pg_lane {
    struct pg_job *head, *tail;
    bool busy;           /* a caller is running a batch of this lane */
    pthread_cond_t done; /* a batch of this lane finished: wakes its callers only */
};

struct pg_store {
    struct store base;
    char *target;                       /* the full URL, password included: never printed */
    char url_shown[PG_URL_SHOWN_BYTES]; /* the URL without its password */
    pthread_mutex_t lock;
    pthread_cond_t conn_free;
    /* A batch holds writes of one tenant only: set when the database is
     * distributed by tenant (the citus extension is installed), where a
     * batch of several tenants would be a transaction across shards and
     * nodes. One primary keeps mixing them: there they only share a commit,
     * and a lane of many small tenants would otherwise commit one at a time. */
    bool batch_per_group;
    struct pg_lane lanes[STORE_PG_LANES];
    struct pg_conn *free[STORE_READERS_MAX];
    size_t n_free;
    size_t n_open; /* connections that exist or are being opened */
    int64_t open_retry_after_us;
    struct pg_conn *jobs[STORE_LOCK__COUNT]; /* each holds its advisory lock, out of the pool */
};

static_assert(STORE_READERS_MAX >= 1, "the pool needs a connection");
static_assert(STORE_RETRIES_MAX >= 0, "retries cannot be negative");

/* ---- errors ------------------------------------------------------------ */

/* Copies a libpq message onto one line: whitespace runs become one space and
 * the trailing newline goes. */
static void pg_copy_message(char *dst, size_t n, const char *msg)
{
    ASSERT(n > 0);
    size_t j = 0;
    bool space = false;
    for (const char *p = msg ? msg : ""; *p != '\0' && j + 1 < n; p++) {
        if (isspace((unsigned char)*p)) {
            space = j > 0;
            continue;
        }
        if (space && j + 2 < n)
            dst[j++] = ' ';
        space = false;
        dst[j++] = *p;
    }
    dst[j] = '\0';
}

static bool pg_state_is(const char *state, const char *want)
{
    return state != NULL && strcmp(state, want) == 0;
}

static bool pg_state_is_retryable(const char *state)
{
    return pg_state_is(state, "40001") || pg_state_is(state, "40P01");
}

/* The server behind the connection cannot take our work any more: class 08
 * is a lost connection, 57P01-57P03 a server shutting down or starting, and
 * 25006 a read-only transaction (the host became, or always was, a standby:
 * after a failover with a URL that does not ask for target_session_attrs).
 * The connection is reconnected before its next use, which finds the
 * primary again. */
static bool pg_state_is_stale(const char *state)
{
    return state != NULL && (strncmp(state, "08", 2) == 0 || pg_state_is(state, "57P01") ||
                             pg_state_is(state, "57P02") || pg_state_is(state, "57P03") ||
                             pg_state_is(state, "25006"));
}

static enum err pg_err_from_state(const char *state, bool connected)
{
    if (!connected)
        return ERR_STORE_BUSY;
    if (state == NULL)
        return ERR_STORE;
    if (pg_state_is(state, "23505"))
        return ERR_DUPLICATE;
    if (pg_state_is(state, "23514") || pg_state_is(state, "23503") || pg_state_is(state, "23502"))
        return ERR_CONFLICT;
    /* Class 08 is a lost connection; 57P01-57P03 a server shutting down. */
    if (pg_state_is_retryable(state) || pg_state_is_stale(state))
        return ERR_STORE_BUSY;
    if (pg_state_is(state, "53100") || pg_state_is(state, "58030"))
        return ERR_IO;
    return ERR_STORE;
}

/* Records the failure of res (NULL when libpq had no result to give). The
 * message is the primary one only: the DETAIL line repeats row values (an
 * email, a host), which do not belong in the log. */
static void pg_conn_error(struct pg_conn *c, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (primary != NULL) {
        char line[PG_ERROR_BYTES];
        pg_copy_message(line, sizeof(line), primary);
        str_format(c->error, sizeof(c->error), "%s (%s)", line, state ? state : "no sqlstate");
    } else {
        const char *msg = res ? PQresultErrorMessage(res) : "";
        pg_copy_message(c->error, sizeof(c->error), msg[0] ? msg : PQerrorMessage(c->pg));
        if (c->error[0] == '\0')
            str_copy(c->error, sizeof(c->error), "unknown PostgreSQL failure");
    }
    c->last = pg_err_from_state(state, PQstatus(c->pg) == CONNECTION_OK);
    if (pg_state_is_retryable(state))
        c->retry_seen = true;
    if (pg_state_is_stale(state))
        c->stale = true;
}

/* Checks a result; ERR_OK or the recorded failure. Does not clear res. */
static enum err pg_result_check(struct pg_conn *c, const PGresult *res)
{
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY)
        return ERR_OK;
    pg_conn_error(c, res);
    return c->last;
}

/* The primary message of a failed result that is not recorded. */
static const char *pg_result_message(const PGresult *res)
{
    const char *m = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    return m ? m : "no result";
}

/*
 * Reads the results of the statements sent in pipeline mode and leaves it:
 * ERR_OK, or the first failure (the server then skipped the rest, and the
 * transaction is aborted, as after any failed statement). Called before
 * anything else is sent and when a write's work ends.
 */
static enum err pg_flush(struct pg_conn *c)
{
    if (c->n_piped == 0)
        return ERR_OK;
    enum err rc = ERR_OK;
    bool synced = false;
    int nulls = 0;
    if (PQpipelineSync(c->pg) == 1) {
        while (!synced) {
            PGresult *res = PQgetResult(c->pg);
            if (res == NULL) {
                /* One NULL ends each statement's results; more is a lost link. */
                if (++nulls > c->n_piped || PQstatus(c->pg) != CONNECTION_OK)
                    break;
                continue;
            }
            ExecStatusType st = PQresultStatus(res);
            synced = st == PGRES_PIPELINE_SYNC;
            if (!synced && rc == ERR_OK && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
                rc = pg_result_check(c, res);
            PQclear(res);
        }
    }
    c->n_piped = 0;
    if (!synced || PQexitPipelineMode(c->pg) != 1) {
        pg_copy_message(c->error, sizeof(c->error), PQerrorMessage(c->pg));
        c->last = rc = ERR_STORE_BUSY;
    }
    return rc;
}

static enum err pg_exec(struct store_conn *base, const char *sql)
{
    struct pg_conn *c = (struct pg_conn *)base;
    ASSERT(sql != NULL);
    enum err flushed = pg_flush(c);
    PGresult *res = PQexec(c->pg, sql);
    enum err rc = pg_result_check(c, res);
    PQclear(res);
    return flushed != ERR_OK ? flushed : rc;
}

static const char *pg_last_error(struct store_conn *base)
{
    return ((struct pg_conn *)base)->error;
}

static enum err pg_last_err(struct store_conn *base)
{
    struct pg_conn *c = (struct pg_conn *)base;
    return c->last == ERR_OK ? ERR_STORE : c->last;
}

/* ---- statements -------------------------------------------------------- */

static size_t pg_cache_slot(const char *sql)
{
    uintptr_t h = (uintptr_t)sql;
    h ^= h >> 17;
    h *= UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> 40) % PG_STMT_CACHE;
}

/* The highest $N in sql, skipping single-quoted literals and -- comments
 * ('' inside a literal closes and reopens it, which comes out the same).
 * PG_PARAMS_MAX + 1 when a parameter number is out of range. */
static int pg_param_count(const char *sql)
{
    int highest = 0;
    bool quoted = false;
    for (const char *p = sql; *p != '\0'; p++) {
        if (*p == '\'') {
            quoted = !quoted;
        } else if (!quoted && p[0] == '-' && p[1] == '-') {
            while (p[1] != '\0' && p[1] != '\n')
                p++;
        } else if (!quoted && *p == '$' && isdigit((unsigned char)p[1]) &&
                   (p == sql || !(isalnum((unsigned char)p[-1]) || p[-1] == '_'))) {
            int n = 0;
            while (isdigit((unsigned char)p[1]) && n <= PG_PARAMS_MAX)
                n = n * 10 + (*++p - '0');
            if (n > highest)
                highest = n;
        }
    }
    return highest > PG_PARAMS_MAX ? PG_PARAMS_MAX + 1 : highest;
}

static void pg_stmt_free(struct pg_stmt *s)
{
    if (s == NULL)
        return;
    PQclear(s->res);
    for (int i = 0; i < PG_PARAMS_MAX; i++)
        free(s->texts[i]);
    free(s);
}

/* The server's own parameter count must match the scan: a mismatch is a
 * query this backend does not understand (a $ in a double-quoted name). */
static bool pg_stmt_params_match(struct pg_conn *c, const struct pg_stmt *s)
{
    PGresult *res = PQdescribePrepared(c->pg, s->name);
    bool ok = PQresultStatus(res) != PGRES_COMMAND_OK || PQnparams(res) == s->n_params;
    PQclear(res);
    return ok;
}

/* Prepares sql on the server as a new statement; ERR_OK fills *out. */
static enum err pg_stmt_new(struct pg_conn *c, const char *sql, struct pg_stmt **out)
{
    struct pg_stmt *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        str_copy(c->error, sizeof(c->error), "out of memory preparing a statement");
        c->last = ERR_STORE;
        return ERR_STORE;
    }
    s->conn = &c->base;
    s->sql = sql;
    s->n_params = pg_param_count(sql);
    ASSERT(s->n_params <= PG_PARAMS_MAX);
    str_format(s->name, sizeof(s->name), "s%u", ++c->n_prepared);
    enum err rc = pg_flush(c);
    PGresult *res = rc == ERR_OK ? PQprepare(c->pg, s->name, sql, 0, NULL) : NULL;
    if (rc == ERR_OK)
        rc = pg_result_check(c, res);
    PQclear(res);
    if (rc != ERR_OK) {
        log_msg(LOG_ERROR, "cannot prepare statement: %s", c->error);
        pg_stmt_free(s);
        return rc;
    }
    ASSERT(pg_stmt_params_match(c, s));
    *out = s;
    return ERR_OK;
}

static enum err pg_prepare(struct store_conn *base, const char *sql, struct store_stmt **out)
{
    struct pg_conn *c = (struct pg_conn *)base;
    ASSERT(sql != NULL);
    ASSERT(out != NULL);
    size_t slot = pg_cache_slot(sql);
    for (size_t probe = 0; probe < PG_STMT_CACHE; probe++) {
        struct pg_stmt **entry = &c->cache[(slot + probe) % PG_STMT_CACHE];
        if (*entry != NULL && (*entry)->sql == sql) {
            *out = (struct store_stmt *)*entry;
            return ERR_OK;
        }
        if (*entry != NULL)
            continue;
        enum err rc = pg_stmt_new(c, sql, entry);
        if (rc == ERR_OK)
            *out = (struct store_stmt *)*entry;
        return rc;
    }
    return ERR_TOO_LARGE;
}

/* Every statement the server knew is gone after a reconnect. */
static void pg_conn_forget_statements(struct pg_conn *c)
{
    for (size_t i = 0; i < PG_STMT_CACHE; i++) {
        pg_stmt_free(c->cache[i]);
        c->cache[i] = NULL;
    }
    c->n_prepared = 0;
}

static void pg_stmt_check_bind(const struct pg_stmt *s, int index)
{
    ASSERT(s->state == PG_STMT_FRESH); /* bound after step without finish */
    ASSERT(index >= 1);
    ASSERT(index <= s->n_params);
}

static void pg_bind_int64(struct store_stmt *base, int index, int64_t v)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    pg_stmt_check_bind(s, index);
    char *dst = s->ints[index - 1];
    bool fits = str_format(dst, PG_INT_BYTES, "%lld", (long long)v);
    ASSERT(fits);
    s->values[index - 1] = dst;
}

/* Copies v: callers may reuse their buffer before step. */
static void pg_bind_text(struct store_stmt *base, int index, const char *v)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    pg_stmt_check_bind(s, index);
    int i = index - 1;
    s->values[i] = NULL;
    if (v == NULL)
        return;
    size_t n = strlen(v) + 1;
    if (n > s->text_caps[i]) {
        char *grown = realloc(s->texts[i], n);
        if (grown == NULL) {
            s->bind_failed = true;
            return;
        }
        s->texts[i] = grown;
        s->text_caps[i] = n;
    }
    memcpy(s->texts[i], v, n);
    s->values[i] = s->texts[i];
}

static void pg_bind_null(struct store_stmt *base, int index)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    pg_stmt_check_bind(s, index);
    s->values[index - 1] = NULL;
}

/* Runs the statement and keeps its rows for the steps that follow. */
static enum store_step pg_step_execute(struct pg_stmt *s)
{
    struct pg_conn *c = (struct pg_conn *)s->conn;
    if (s->bind_failed) {
        str_copy(c->error, sizeof(c->error), "out of memory binding a parameter");
        c->last = ERR_STORE;
        return STORE_FAILED;
    }
    if (pg_flush(c) != ERR_OK)
        return STORE_FAILED;
    PGresult *res = PQexecPrepared(c->pg, s->name, s->n_params, s->values, NULL, NULL, 0);
    if (pg_result_check(c, res) != ERR_OK) {
        PQclear(res);
        return STORE_FAILED;
    }
    s->res = res;
    s->n_rows = PQntuples(res);
    s->row = 0;
    return s->n_rows > 0 ? STORE_ROW : STORE_DONE;
}

static enum store_step pg_step(struct store_stmt *base)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    enum store_step r;
    switch (s->state) {
    case PG_STMT_FRESH:
        r = pg_step_execute(s);
        break;
    case PG_STMT_ROWS:
        s->row++;
        r = s->row < s->n_rows ? STORE_ROW : STORE_DONE;
        break;
    case PG_STMT_DONE:
        return STORE_DONE;
    default:
        return STORE_FAILED;
    }
    s->state = r == STORE_ROW ? PG_STMT_ROWS : r == STORE_DONE ? PG_STMT_DONE : PG_STMT_FAILED;
    return r;
}

static void pg_stmt_check_column(const struct pg_stmt *s, int column)
{
    ASSERT(s->state == PG_STMT_ROWS);
    ASSERT(column >= 0);
    ASSERT(column < PQnfields(s->res));
}

/* Integers come back as decimal text; SUM() of a bigint is a numeric, which
 * prints without a fraction, and a boolean prints as t or f. Anything else
 * is a query asking the wrong column, and an out-of-range number must never
 * be clamped silently: both are programmer errors. */
static int64_t pg_column_int64(struct store_stmt *base, int column)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    pg_stmt_check_column(s, column);
    if (PQgetisnull(s->res, s->row, column))
        return 0;
    const char *v = PQgetvalue(s->res, s->row, column);
    if (strcmp(v, "t") == 0 || strcmp(v, "f") == 0)
        return v[0] == 't';
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    ASSERT(end != v);
    ASSERT(errno == 0);
    if (*end == '.')
        end += strspn(end + 1, "0") + 1;
    ASSERT(*end == '\0');
    return (int64_t)n;
}

static const char *pg_column_text(struct store_stmt *base, int column)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    pg_stmt_check_column(s, column);
    if (PQgetisnull(s->res, s->row, column))
        return "";
    return PQgetvalue(s->res, s->row, column);
}

static bool pg_column_is_null(struct store_stmt *base, int column)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    pg_stmt_check_column(s, column);
    return PQgetisnull(s->res, s->row, column) != 0;
}

static void pg_finish(struct store_stmt *base);

/* Sends one SQL command without parameters in pipeline mode (a savepoint),
 * its result read at the next flush like pg_send's. */
static enum err pg_send_text(struct pg_conn *c, const char *sql)
{
    if (c->n_piped == 0 && PQenterPipelineMode(c->pg) != 1) {
        pg_copy_message(c->error, sizeof(c->error), PQerrorMessage(c->pg));
        return c->last = ERR_STORE_BUSY;
    }
    c->n_piped++;
    if (PQsendQueryParams(c->pg, sql, 0, NULL, NULL, NULL, NULL, 0) != 1) {
        pg_copy_message(c->error, sizeof(c->error), PQerrorMessage(c->pg));
        return c->last = ERR_STORE_BUSY;
    }
    return ERR_OK;
}

/* Sends the statement in pipeline mode without waiting for its result: the
 * writes at the end of an operation then cost one round trip together. */
static enum err pg_send(struct store_stmt *base)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    struct pg_conn *c = (struct pg_conn *)s->conn;
    ASSERT(s->state == PG_STMT_FRESH);
    enum err rc = ERR_OK;
    if (s->bind_failed) {
        str_copy(c->error, sizeof(c->error), "out of memory binding a parameter");
        c->last = rc = ERR_STORE;
    } else if (c->n_piped == 0 && PQenterPipelineMode(c->pg) != 1) {
        pg_copy_message(c->error, sizeof(c->error), PQerrorMessage(c->pg));
        c->last = rc = ERR_STORE_BUSY;
    } else if (PQsendQueryPrepared(c->pg, s->name, s->n_params, s->values, NULL, NULL, 0) != 1) {
        pg_copy_message(c->error, sizeof(c->error), PQerrorMessage(c->pg));
        c->last = rc = ERR_STORE_BUSY;
        c->n_piped++; /* leave pipeline mode at the flush */
    } else {
        c->n_piped++;
    }
    pg_finish(base);
    return rc;
}

static void pg_finish(struct store_stmt *base)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    PQclear(s->res);
    s->res = NULL;
    s->row = 0;
    s->n_rows = 0;
    s->state = PG_STMT_FRESH;
    s->bind_failed = false;
    for (int i = 0; i < PG_PARAMS_MAX; i++) {
        s->values[i] = NULL;
        if (s->text_caps[i] > PG_TEXT_KEEP_BYTES) {
            free(s->texts[i]);
            s->texts[i] = NULL;
            s->text_caps[i] = 0;
        }
    }
}

/* ---- connections ------------------------------------------------------- */

static void pg_notice(void *arg, const char *message)
{
    (void)arg;
    char line[PG_ERROR_BYTES];
    pg_copy_message(line, sizeof(line), message);
    log_msg(LOG_WARN, "postgresql: %s", line);
}

/* Session settings, on every new or reset connection. */
static enum err pg_conn_setup(struct pg_conn *c)
{
    return pg_exec(&c->base, "SET synchronous_commit = on; SET client_min_messages = warning; "
                             "SET TIME ZONE 'UTC'");
}

static void pg_conn_close(struct pg_conn *c)
{
    if (c == NULL)
        return;
    pg_conn_forget_statements(c);
    PQfinish(c->pg);
    free(c);
}

/* Reconnects a connection that broke or was left inside a transaction. */
static void pg_conn_reset(struct pg_conn *c)
{
    log_msg(LOG_WARN, "database connection lost or left in a transaction, reconnecting");
    pg_conn_forget_statements(c);
    c->n_piped = 0;
    c->stale = false;
    PQreset(c->pg);
    if (PQstatus(c->pg) != CONNECTION_OK) {
        char why[PG_ERROR_BYTES];
        pg_copy_message(why, sizeof(why), PQerrorMessage(c->pg));
        log_msg(LOG_ERROR, "cannot reconnect to database: %s", why);
        return;
    }
    if (pg_conn_setup(c) != ERR_OK)
        log_msg(LOG_ERROR, "cannot set up database connection: %s", c->error);
}

/* Stars out every occurrence of secret in msg, in place. */
static void pg_scrub(char *msg, const char *secret, size_t secret_len)
{
    if (secret_len == 0)
        return;
    char *hit, *from = msg;
    while ((hit = memmem(from, strlen(from), secret, secret_len)) != NULL) {
        memset(hit, '*', secret_len);
        from = hit + secret_len;
    }
}

/* Where the password of a URL's user-info sits ("user:PASS@host"). */
static void pg_url_password(const char *url, const char **at, size_t *len)
{
    *at = NULL;
    *len = 0;
    const char *p = strstr(url, "://");
    if (p == NULL)
        return;
    p += 3;
    size_t authority = strcspn(p, "/?");
    const char *sign = NULL;
    for (size_t i = 0; i < authority; i++)
        if (p[i] == '@')
            sign = p + i;
    const char *colon = sign ? memchr(p, ':', (size_t)(sign - p)) : NULL;
    if (colon != NULL) {
        *at = colon + 1;
        *len = (size_t)(sign - colon - 1);
    }
}

/* A connection error for the user: one line, and without the password even
 * when libpq quotes the part of the URL it could not parse. */
static void pg_connect_message(const char *target, PGconn *pg, char *dst, size_t n)
{
    pg_copy_message(dst, n, pg ? PQerrorMessage(pg) : "out of memory");
    const char *at;
    size_t len;
    pg_url_password(target, &at, &len);
    pg_scrub(dst, at ? at : "", len);
    const char *q = strstr(target, "password=");
    if (q != NULL)
        pg_scrub(dst, q + 9, strcspn(q + 9, "&"));
}

static enum err pg_conn_open(const char *target, struct pg_conn **out, char *why, size_t n)
{
    *out = NULL;
    struct pg_conn *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        str_copy(why, n, "out of memory");
        return ERR_STORE;
    }
    c->base.ops = &store_pg_ops;
    /* Defaults first: the URL's own settings, expanded from dbname, win. */
    const char *const keys[] = {"application_name",
                                "connect_timeout",
                                "keepalives",
                                "keepalives_idle",
                                "keepalives_interval",
                                "keepalives_count",
                                "tcp_user_timeout",
                                "dbname",
                                NULL};
    const char *const values[] = {"creditd", STORE_PG_CONNECT_S, "1",    "5", "2",
                                  "3",       STORE_PG_SILENT_MS, target, NULL};
    c->pg = PQconnectdbParams(keys, values, 1);
    if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK) {
        pg_connect_message(target, c->pg, why, n);
        pg_conn_close(c);
        return ERR_STORE;
    }
    PQsetNoticeProcessor(c->pg, pg_notice, NULL);
    if (pg_conn_setup(c) != ERR_OK) {
        str_copy(why, n, c->error);
        pg_conn_close(c);
        return ERR_STORE;
    }
    *out = c;
    return ERR_OK;
}

/* ---- the pool ---------------------------------------------------------- */

/* Opens one more connection for the pool; on failure the pool makes do with
 * what it has for a while instead of hammering a full server. */
static struct pg_conn *pg_pool_grow(struct pg_store *st)
{
    struct pg_conn *c;
    char why[PG_ERROR_BYTES];
    if (pg_conn_open(st->target, &c, why, sizeof(why)) == ERR_OK)
        return c;
    pthread_mutex_lock(&st->lock);
    size_t n_open = --st->n_open;
    st->open_retry_after_us = time_now_us() + PG_OPEN_RETRY_US;
    pthread_cond_signal(&st->conn_free);
    pthread_mutex_unlock(&st->lock);
    log_msg(LOG_WARN, "cannot open another database connection (%zu open): %s", n_open, why);
    return NULL;
}

static enum err pg_pool_take(struct pg_store *st, struct pg_conn **out)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += STORE_WAIT_MS_MAX / 1000;
    pthread_mutex_lock(&st->lock);
    for (;;) {
        if (st->n_free > 0) {
            *out = st->free[--st->n_free];
            pthread_mutex_unlock(&st->lock);
            return ERR_OK;
        }
        if (st->n_open < STORE_READERS_MAX && time_now_us() >= st->open_retry_after_us) {
            st->n_open++;
            pthread_mutex_unlock(&st->lock);
            *out = pg_pool_grow(st);
            if (*out != NULL)
                return ERR_OK;
            pthread_mutex_lock(&st->lock);
            if (st->n_open == 0)
                break;
            continue;
        }
        if (pthread_cond_timedwait(&st->conn_free, &st->lock, &until) != 0)
            break; /* every connection stayed busy: 503, not a hang */
    }
    pthread_mutex_unlock(&st->lock);
    return ERR_STORE_BUSY;
}

/* A connection goes back only idle and connected (or after a reset try). */
static void pg_pool_give(struct pg_store *st, struct pg_conn *c)
{
    if (c->stale || PQstatus(c->pg) != CONNECTION_OK || PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        pg_conn_reset(c);
    pthread_mutex_lock(&st->lock);
    ASSERT(st->n_free < STORE_READERS_MAX);
    st->free[st->n_free++] = c;
    pthread_cond_signal(&st->conn_free);
    pthread_mutex_unlock(&st->lock);
}

/* ---- transactions ------------------------------------------------------ */

static void pg_rollback(struct pg_conn *c)
{
    (void)pg_flush(c); /* whatever it says, everything is undone now */
    if (PQstatus(c->pg) != CONNECTION_OK || PQtransactionStatus(c->pg) == PQTRANS_IDLE)
        return;
    PGresult *res = PQexec(c->pg, "ROLLBACK");
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        log_msg(LOG_ERROR, "cannot roll back: %s", pg_result_message(res));
    PQclear(res);
}

/* COMMIT of a transaction PostgreSQL already aborted answers ROLLBACK and
 * succeeds; that must not pass for a commit. */
static enum err pg_commit(struct pg_conn *c)
{
    enum err flushed = pg_flush(c);
    if (flushed != ERR_OK) {
        if (!c->retry_seen)
            log_msg(LOG_ERROR, "cannot commit: %s", c->error);
        return flushed;
    }
    if (PQtransactionStatus(c->pg) == PQTRANS_INERROR) {
        if (!c->retry_seen)
            log_msg(LOG_ERROR, "cannot commit a failed transaction: %s", c->error);
        return pg_last_err(&c->base);
    }
    PGresult *res = PQexec(c->pg, "COMMIT");
    enum err rc = pg_result_check(c, res);
    if (rc == ERR_OK && strcmp(PQcmdStatus(res), "COMMIT") != 0) {
        str_copy(c->error, sizeof(c->error), "the transaction was rolled back at commit");
        c->last = rc = ERR_STORE;
    }
    PQclear(res);
    if (rc != ERR_OK && !c->retry_seen)
        log_msg(LOG_ERROR, "cannot commit: %s", c->error);
    return rc;
}

static enum err pg_begin(struct pg_conn *c, const char *begin)
{
    enum err rc = pg_exec(&c->base, begin);
    if (rc != ERR_OK && PQstatus(c->pg) != CONNECTION_OK) {
        /* The server went away while the connection sat in the pool (a
         * restart): nothing has run yet, so reconnect and begin once more. */
        pg_conn_reset(c);
        rc = pg_exec(&c->base, begin);
    }
    if (rc != ERR_OK)
        log_msg(LOG_ERROR, "cannot begin a transaction: %s", c->error);
    return rc;
}

/* One attempt: begin, the work, commit or roll back. */
static enum err pg_txn_once(struct pg_conn *c, const char *begin, store_txn_fn fn, void *ctx)
{
    c->retry_seen = false;
    store_pending_drop(&c->base);
    enum err rc = pg_begin(c, begin);
    if (rc != ERR_OK)
        return rc;
    rc = fn(&c->base, ctx);
    if (rc == ERR_OK)
        rc = pg_commit(c);
    if (rc == ERR_OK)
        store_pending_commit(&c->base);
    else
        store_pending_drop(&c->base);
    pg_rollback(c);
    return rc;
}

/* A few milliseconds, random, growing with the attempt, so the transactions
 * that deadlocked do not meet again at once. */
static void pg_backoff(int attempt)
{
    static _Thread_local uint64_t state;
    if (state == 0) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        state = ((uint64_t)now.tv_nsec << 20) ^ (uint64_t)(uintptr_t)&state ^ 1;
    }
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    int shift = attempt < 4 ? attempt : 4;
    long limit_ms = 2L << shift;
    if (limit_ms > PG_BACKOFF_MS_MAX)
        limit_ms = PG_BACKOFF_MS_MAX;
    long ms = 1 + (long)(state % (uint64_t)limit_ms);
    struct timespec pause = {.tv_sec = 0, .tv_nsec = ms * 1000000L};
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR)
        ;
}

static enum err pg_run(struct store *base, const char *begin, store_txn_fn fn, void *ctx)
{
    struct pg_store *st = (struct pg_store *)base;
    ASSERT(fn != NULL);
    struct pg_conn *c;
    enum err rc = pg_pool_take(st, &c);
    if (rc != ERR_OK) {
        log_msg(LOG_ERROR, "no database connection available");
        return rc;
    }
    for (int attempt = 0;; attempt++) {
        rc = pg_txn_once(c, begin, fn, ctx);
        if (rc == ERR_OK || !c->retry_seen)
            break;
        if (attempt == STORE_RETRIES_MAX) {
            log_msg(LOG_WARN, "giving up after %d retries: %s", attempt, c->error);
            break;
        }
        log_msg(LOG_DEBUG, "retrying transaction: %s", c->error);
        pg_backoff(attempt);
    }
    pg_pool_give(st, c);
    return rc;
}

static enum err pg_write(struct store *base, store_txn_fn fn, void *ctx)
{
    return pg_run(base, "BEGIN ISOLATION LEVEL READ COMMITTED", fn, ctx);
}

/* ---- group commit ------------------------------------------------------ */

/* Runs one job of a batch inside its savepoint (none when it is alone: then
 * the transaction is its savepoint). False when the connection is unusable. */
static bool pg_batch_job(struct pg_conn *c, struct pg_job *j, bool alone, bool first)
{
    uint32_t before[JOURNAL__COUNT];
    memcpy(before, c->base.pending_journal, sizeof(before));
    c->retry_seen = false;
    j->rc = ERR_OK; /* a job run again after a deadlock starts afresh */
    /* The savepoint travels with the job's first statement. */
    if (!alone && !first)
        j->rc = pg_send_text(c, "RELEASE SAVEPOINT job");
    if (!alone && j->rc == ERR_OK)
        j->rc = pg_send_text(c, "SAVEPOINT job");
    if (j->rc != ERR_OK)
        return false;
    j->rc = j->fn(&c->base, j->ctx);
    /* Its statements sent without waiting must have succeeded too. */
    if (j->rc == ERR_OK)
        j->rc = pg_flush(c);
    j->retry = j->rc != ERR_OK && c->retry_seen;
    if (j->rc == ERR_OK || alone)
        return true;
    /* This job alone rolls back; its batch-mates' work stays. */
    memcpy(c->base.pending_journal, before, sizeof(before));
    return pg_exec(&c->base, "ROLLBACK TO SAVEPOINT job") == ERR_OK;
}

/* One transaction for every job of the batch, one commit. */
static void pg_batch_run(struct pg_store *st, struct pg_job *batch)
{
    size_t n = 0;
    for (struct pg_job *j = batch; j != NULL; j = j->next)
        n++;
    struct pg_conn *c;
    enum err rc = pg_pool_take(st, &c);
    if (rc == ERR_OK) {
        store_pending_drop(&c->base);
        rc = pg_begin(c, "BEGIN ISOLATION LEVEL READ COMMITTED");
    }
    bool usable = rc == ERR_OK, first = true;
    for (struct pg_job *j = batch; j != NULL; j = j->next) {
        if (!usable) {
            j->rc = rc != ERR_OK ? rc : ERR_STORE_BUSY;
            continue;
        }
        usable = pg_batch_job(c, j, n == 1, first);
        first = false;
    }
    if (rc == ERR_OK) {
        enum err commit = ERR_STORE_BUSY;
        if (usable && (n > 1 || batch->rc == ERR_OK))
            commit = pg_commit(c);
        if (commit == ERR_OK)
            store_pending_commit(&c->base);
        else
            store_pending_drop(&c->base);
        /* A failed commit fails every job it carried (the outcome of a lost
         * connection is unknown: ERR_STORE_BUSY, as for a single write). */
        for (struct pg_job *j = batch; j != NULL && n > 1; j = j->next)
            if (j->rc == ERR_OK && commit != ERR_OK)
                j->rc = commit;
        pg_rollback(c);
        pg_pool_give(st, c);
    }
}

/* Takes up to STORE_PG_BATCH_MAX jobs off the lane (lock held); with
 * per_group, only those of the first job's group, the others keeping their
 * place in the queue for the next batches. */
static struct pg_job *pg_lane_take(struct pg_lane *lane, bool per_group)
{
    ASSERT(lane->head != NULL);
    int64_t group = lane->head->group;
    struct pg_job *batch = NULL, **batch_end = &batch, **link = &lane->head;
    size_t n = 0;
    while (*link != NULL && n < STORE_PG_BATCH_MAX) {
        struct pg_job *j = *link;
        if (per_group && j->group != group) {
            link = &j->next;
            continue;
        }
        *link = j->next; /* unlinked from the queue, onto the batch */
        j->next = NULL;
        *batch_end = j;
        batch_end = &j->next;
        n++;
    }
    lane->tail = NULL;
    for (struct pg_job *j = lane->head; j != NULL; j = j->next)
        lane->tail = j;
    ASSERT(batch != NULL);
    return batch;
}

/* Marks the batch's jobs done, or queues those that met a deadlock again at
 * the lane's head: they changed nothing, so running them again cannot apply
 * them twice (lock held). */
static void pg_lane_finish(struct pg_lane *lane, struct pg_job *batch)
{
    struct pg_job *again = NULL, *last = NULL;
    for (struct pg_job *j = batch, *next; j != NULL; j = next) {
        next = j->next;
        j->next = NULL;
        if (!j->retry || ++j->attempts > STORE_RETRIES_MAX) {
            j->done = true;
            continue;
        }
        if (last != NULL)
            last->next = j;
        else
            again = j;
        last = j;
    }
    if (again != NULL) {
        last->next = lane->head;
        if (lane->head == NULL)
            lane->tail = last;
        lane->head = again;
    }
}

static size_t pg_lane_of(int64_t key)
{
    uint64_t h = (uint64_t)key * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> 32) % STORE_PG_LANES;
}

/*
 * A write for one key (a customer): queued in the key's lane; whichever
 * caller finds the lane idle runs the queued jobs as one batch and wakes the
 * others. Writes without a key run alone (pg_write), because they may lock
 * rows of several keys.
 */
static enum err pg_write_keyed(struct store *base, int64_t group, int64_t key, store_txn_fn fn,
                               void *ctx)
{
    struct pg_store *st = (struct pg_store *)base;
    if (key == 0)
        return pg_write(base, fn, ctx);
    struct pg_lane *lane = &st->lanes[pg_lane_of(key)];
    struct pg_job job = {.group = group, .fn = fn, .ctx = ctx, .rc = ERR_OK};
    pthread_mutex_lock(&st->lock);
    if (lane->tail != NULL)
        lane->tail->next = &job;
    else
        lane->head = &job;
    lane->tail = &job;
    while (!job.done) {
        if (lane->busy || lane->head == NULL) {
            pthread_cond_wait(&lane->done, &st->lock);
            continue;
        }
        lane->busy = true;
        struct pg_job *batch = pg_lane_take(lane, st->batch_per_group);
        pthread_mutex_unlock(&st->lock);
        pg_batch_run(st, batch);
        pthread_mutex_lock(&st->lock);
        pg_lane_finish(lane, batch);
        lane->busy = false;
        pthread_cond_broadcast(&lane->done);
    }
    pthread_mutex_unlock(&st->lock);
    return job.rc;
}

static enum err pg_read(struct store *base, store_txn_fn fn, void *ctx)
{
    return pg_run(base, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", fn, ctx);
}

/* ---- open, close, backup ----------------------------------------------- */

/* The URL without its password (user-info or ?password=), for advice. */
static void pg_url_redact(const char *url, char *dst, size_t n)
{
    const char *at;
    size_t len;
    pg_url_password(url, &at, &len);
    struct buf b;
    buf_init(&b, n);
    bool ok = buf_append(&b, url, at ? (size_t)(at - 1 - url) : strlen(url)) == ERR_OK;
    const char *rest = at ? at + len : "";
    const char *query = strchr(rest, '?');
    ok = ok && buf_append(&b, rest, query ? (size_t)(query - rest) : strlen(rest)) == ERR_OK;
    char sep = '?';
    for (const char *p = query ? query + 1 : ""; *p != '\0';) {
        size_t k = strcspn(p, "&");
        if (strncmp(p, "password=", 9) != 0) {
            ok = ok && buf_append(&b, &sep, 1) == ERR_OK && buf_append(&b, p, k) == ERR_OK;
            sep = '&';
        }
        p += k + (p[k] == '&');
    }
    str_copy(dst, n, ok && b.data ? b.data : "<database URL>");
    buf_release(&b);
}

/* Whether a batch must hold one tenant's writes only (see batch_per_group):
 * when the citus extension is installed. CREDITD_PG_BATCH_PER_TENANT ("1" or
 * "0") decides instead when set: Citus is not packaged where creditd is
 * tested, so its tests force it. */
static bool pg_batch_per_group(PGconn *pg)
{
    const char *force = getenv("CREDITD_PG_BATCH_PER_TENANT");
    if (force != NULL && force[0] != '\0')
        return strcmp(force, "0") != 0;
    PGresult *res = PQexec(pg, "SELECT 1 FROM pg_extension WHERE extname = 'citus'");
    bool citus = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0;
    PQclear(res);
    return citus;
}

static void pg_close(struct store *base)
{
    struct pg_store *st = (struct pg_store *)base;
    ASSERT(st->n_free == st->n_open); /* no transaction may be running */
    for (size_t i = 0; i < st->n_free; i++)
        pg_conn_close(st->free[i]);
    pthread_mutex_destroy(&st->lock);
    pthread_cond_destroy(&st->conn_free);
    for (size_t i = 0; i < STORE_PG_LANES; i++)
        pthread_cond_destroy(&st->lanes[i].done);
    explicit_bzero(st->target, strlen(st->target));
    free(st->target);
    free(st);
}

static enum err pg_open(const char *target, struct store **out, struct err_detail *d)
{
    ASSERT(target != NULL);
    ASSERT(out != NULL);
    if (!PQisthreadsafe())
        return err_set(d, ERR_STORE, "db", "libpq was built without thread safety");
    struct pg_store *st = calloc(1, sizeof(*st));
    if (st == NULL || (st->target = strdup(target)) == NULL) {
        free(st);
        return err_set(d, ERR_STORE, "db", "out of memory");
    }
    st->base.ops = &store_pg_ops;
    pg_url_redact(target, st->url_shown, sizeof(st->url_shown));
    /* One connection now, so a wrong URL fails here; the rest on demand. */
    char why[PG_ERROR_BYTES];
    struct pg_conn *c;
    if (pg_conn_open(target, &c, why, sizeof(why)) != ERR_OK) {
        explicit_bzero(st->target, strlen(st->target));
        free(st->target);
        free(st);
        return err_set(d, ERR_STORE, "db", "cannot connect to database: %s", why);
    }
    pthread_mutex_init(&st->lock, NULL);
    pthread_cond_init(&st->conn_free, NULL);
    for (size_t i = 0; i < STORE_PG_LANES; i++)
        pthread_cond_init(&st->lanes[i].done, NULL);
    st->batch_per_group = pg_batch_per_group(c->pg);
    st->free[0] = c;
    st->n_free = 1;
    st->n_open = 1;
    *out = &st->base;
    return ERR_OK;
}

static enum err pg_backup(struct store *base, const char *path, struct err_detail *d)
{
    struct pg_store *st = (struct pg_store *)base;
    ASSERT(path != NULL);
    enum err rc = err_set(d, ERR_USAGE, "db",
                          "no file backup for PostgreSQL: run pg_dump --format=custom "
                          "--file='%s' '%s'; restore with pg_restore",
                          path, st->url_shown);
    /* Advice cut short is worse than advice with placeholders. */
    if (d != NULL && strlen(d->message) + 1 >= sizeof(d->message))
        err_set(d, ERR_USAGE, "db",
                "no file backup for PostgreSQL: run pg_dump --format=custom --file=PATH "
                "DATABASE_URL; restore with pg_restore");
    return rc;
}

/* The key of the background jobs' session advisory lock ("creditd" in
 * ASCII): a session lock, not a transaction's, because the jobs run many
 * transactions; the session ends with the process, and so does the lock. */
#define PG_JOBS_LOCK_KEY "109535483978084"

/* The key of each lock: the jobs' above, the dispatcher's one more. */
static const char *const pg_lock_sql[STORE_LOCK__COUNT][2] = {
    [STORE_LOCK_JOBS] = {"SELECT pg_try_advisory_lock(" PG_JOBS_LOCK_KEY ")",
                         "SELECT pg_advisory_unlock(" PG_JOBS_LOCK_KEY ")"},
    [STORE_LOCK_DISPATCH] = {"SELECT pg_try_advisory_lock(109535483978085)",
                             "SELECT pg_advisory_unlock(109535483978085)"},
};

static enum err pg_jobs_lock(struct store *base, enum store_lock which, bool *held)
{
    struct pg_store *st = (struct pg_store *)base;
    ASSERT(st->jobs[which] == NULL); /* one holder of each lock in the process: its thread */
    *held = false;
    struct pg_conn *c;
    enum err rc = pg_pool_take(st, &c);
    if (rc != ERR_OK)
        return rc;
    if (c->stale || PQstatus(c->pg) != CONNECTION_OK)
        pg_conn_reset(c);
    PGresult *res = PQexec(c->pg, pg_lock_sql[which][0]);
    rc = pg_result_check(c, res);
    if (rc == ERR_OK && PQntuples(res) == 1)
        *held = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (*held)
        st->jobs[which] = c;
    else
        pg_pool_give(st, c);
    return rc;
}

static void pg_jobs_unlock(struct store *base, enum store_lock which)
{
    struct pg_store *st = (struct pg_store *)base;
    struct pg_conn *c = st->jobs[which];
    ASSERT(c != NULL);
    st->jobs[which] = NULL;
    PGresult *res = PQexec(c->pg, pg_lock_sql[which][1]);
    if (pg_result_check(c, res) != ERR_OK)
        c->stale = true; /* a new session holds no lock */
    PQclear(res);
    pg_pool_give(st, c);
}

static const char *pg_sql(struct store_conn *c, enum store_sql which)
{
    (void)c;
    switch (which) {
    case STORE_SQL_ORDER_ID_NEXT:
        /* Sequences never roll back and never wait for another transaction. */
        return "SELECT nextval(pg_get_serial_sequence('orders', 'id'))";
    case STORE_SQL_WAL_POSITION:
        return "SELECT pg_current_wal_lsn()::text";
    case STORE_SQL_REPLICA_CAUGHT_UP:
        return "SELECT CASE WHEN pg_last_wal_replay_lsn() IS NULL OR "
               "pg_last_wal_replay_lsn() >= $1::pg_lsn THEN 1 ELSE 0 END";
    case STORE_SQL_REPLICA_LAG:
        return "SELECT GREATEST(COALESCE(pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn()), "
               "0), "
               "0)::bigint, CASE WHEN pg_last_wal_receive_lsn() IS NULL OR "
               "pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 ELSE "
               "COALESCE((EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) * 1000)"
               "::bigint, 0) END";
    }
    return NULL;
}

const struct store_ops store_pg_ops = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .write = pg_write,
    .write_keyed = pg_write_keyed,
    .read = pg_read,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .bind_int64 = pg_bind_int64,
    .bind_text = pg_bind_text,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .send = pg_send,
    .column_int64 = pg_column_int64,
    .column_text = pg_column_text,
    .column_is_null = pg_column_is_null,
    .finish = pg_finish,
    .last_error = pg_last_error,
    .last_err = pg_last_err,
    .migrations = migrations_postgres,
    .n_migrations = sizeof(migrations_postgres) / sizeof(migrations_postgres[0]),
    .backup = pg_backup,
    .sql = pg_sql,
    .jobs_lock = pg_jobs_lock,
    .jobs_unlock = pg_jobs_unlock,
};
