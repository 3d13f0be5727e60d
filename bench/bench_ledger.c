/*
 * Ledger reads at scale: a journal of millions of rows, then the reads that
 * GET /ledger, GET /customers/{id}/summary and GET /me/dashboard make,
 * through the same service functions the handlers call, one caller, with
 * p50 and p99 over many calls. It must show whether a page of 50 and the
 * 30-day sums stay flat as history grows (DESIGN 5: p99 <= 2 ms with 10 M
 * journal rows).
 *
 *   bench_ledger URL [rows] [seconds-per-row]
 *
 * rows defaults to BENCH_JOURNAL_ROWS, else 10,000,000; customers to
 * BENCH_JOURNAL_CUSTOMERS, else 10,000. One hot customer holds 1 in 1000
 * rows, at least 10,000, spread over the whole history; the other rows go
 * round-robin to the other customers. The rows cover the last 730 days,
 * oldest first, and are about 95% orders and 5% purchases in two credit
 * types, each with its two postings, over one lot per customer and type.
 *
 * The rows are made directly in SQL, fast and not through the service: one
 * transaction of INSERT ... SELECT over a recursive CTE (SQLite) or
 * generate_series (PostgreSQL), with the journal's and the postings' own
 * indexes dropped first and built again after (their definitions are read
 * from the database, so they stay the schema's). Every INSERT names its
 * columns and leaves the others to their defaults. The hashes are not a
 * valid chain and chain_heads is left alone, so `verify` on this database
 * reports findings: it is for reading only. The load runs on its own
 * connection while the store is closed (the SQLite store wants to be the
 * only writer), with the load's own settings (SQLite: rollback journal,
 * synchronous off, big cache; PostgreSQL: foreign-key triggers off, then
 * VACUUM ANALYZE as autovacuum would do). The reads then run on the store's
 * own connections and settings. Every run is bounded and stops by itself.
 *
 * With BENCH_RESULTS=FILE it appends its figures to FILE ("key value").
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "service/service.h"
#include "store/store.h"

enum {
    LEDGER_INDEXES_MAX = 32,
    LEDGER_SQL_BYTES = 4096,
    LEDGER_CALLS_MAX = 200000,
    LEDGER_WARMUP_CALLS = 20,
    LEDGER_PAGE = 50,
};

#define LEDGER_HISTORY_DAYS 730
#define LEDGER_HASH         "0000000000000000000000000000000000000000000000000000000000000000"

/* The connection that loads the rows: one of the two drivers. */
struct loader {
    bool pg;
    sqlite3 *db;
    PGconn *conn;
};

/* What the load made: ids are contiguous, so every row's ids are known. */
struct ledger_gen {
    int64_t rows, customers, stride, hot_rows;
    int64_t tenant_id, master_id, slave_id;
    int64_t c0;         /* the first customer, the hot one */
    int64_t l0;         /* lot of customer c0+k in type t (0 master, 1 slave): l0+2k+t */
    int64_t j0, s0, p0; /* journal id, chain seq and posting id before the first row */
    int64_t t0_us, step_us;
};

static double ledger_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t ledger_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int64_t ledger_env(const char *name, int64_t fallback)
{
    const char *v = getenv(name);
    char *end;
    long long n = v && *v ? strtoll(v, &end, 10) : 0;
    return v && *v && *end == '\0' && n > 0 ? n : fallback;
}

/* ---- the loader's two drivers ------------------------------------------ */

typedef int (*loader_row_fn)(void *ctx, int n, char **values, char **names);

static bool loader_open(struct loader *l, const char *url)
{
    memset(l, 0, sizeof(*l));
    l->pg = strncmp(url, "postgres", 8) == 0;
    if (l->pg) {
        l->conn = PQconnectdb(url);
        if (PQstatus(l->conn) == CONNECTION_OK)
            return true;
        fprintf(stderr, "bench: cannot connect: %s", PQerrorMessage(l->conn));
        return false;
    }
    const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
    if (sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK)
        return true;
    fprintf(stderr, "bench: cannot open '%s': %s\n", path, sqlite3_errmsg(l->db));
    return false;
}

static void loader_close(struct loader *l)
{
    if (l->pg)
        PQfinish(l->conn);
    else
        sqlite3_close(l->db);
}

/* Runs sql (one or more statements; on PostgreSQL the rows of the last) and
 * hands each row to cb; false, said on stderr, when it fails. */
static bool loader_run(struct loader *l, const char *sql, loader_row_fn cb, void *ctx)
{
    if (!l->pg) {
        char *msg = NULL;
        if (sqlite3_exec(l->db, sql, cb, ctx, &msg) == SQLITE_OK)
            return true;
        fprintf(stderr, "bench: %s\n  in: %.300s\n", msg ? msg : sqlite3_errmsg(l->db), sql);
        sqlite3_free(msg);
        return false;
    }
    PGresult *r = PQexec(l->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "bench: %s  in: %.300s\n", PQerrorMessage(l->conn), sql);
    for (int i = 0; ok && cb != NULL && i < PQntuples(r); i++) {
        char *values[4] = {0};
        int n = PQnfields(r) < 4 ? PQnfields(r) : 4;
        for (int k = 0; k < n; k++)
            values[k] = PQgetvalue(r, i, k);
        cb(ctx, n, values, NULL);
    }
    PQclear(r);
    return ok;
}

static int loader_int_row(void *ctx, int n, char **values, char **names)
{
    (void)names;
    if (n > 0 && values[0] != NULL)
        *(int64_t *)ctx = strtoll(values[0], NULL, 10);
    return 0;
}

/* The first column of the first row as an integer (0 without one). */
static bool loader_int(struct loader *l, const char *sql, int64_t *out)
{
    *out = 0;
    return loader_run(l, sql, loader_int_row, out);
}

/* The series 0 .. n-1 as g(i), to put before an INSERT. */
static void loader_series(const struct loader *l, int64_t n, char *buf, size_t size)
{
    if (l->pg)
        snprintf(buf, size, "WITH g(i) AS (SELECT generate_series(0, %" PRId64 "::bigint)) ",
                 n - 1);
    else
        snprintf(buf, size,
                 "WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < %" PRId64
                 ") ",
                 n - 1);
}

/* ---- the load ----------------------------------------------------------- */

struct ledger_indexes {
    size_t n;
    char *name[LEDGER_INDEXES_MAX];
    char *sql[LEDGER_INDEXES_MAX];
};

static int ledger_index_row(void *ctx, int n, char **values, char **names)
{
    (void)names;
    struct ledger_indexes *x = ctx;
    if (n >= 2 && values[0] && values[1] && x->n < LEDGER_INDEXES_MAX) {
        x->name[x->n] = strdup(values[0]);
        x->sql[x->n++] = strdup(values[1]);
    }
    return 0;
}

/* The indexes of journal and postings that are not constraints. */
static bool ledger_indexes_read(struct loader *l, struct ledger_indexes *x)
{
    const char *sql =
        l->pg ? "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename IN ('journal', 'postings') AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint)"
              : "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN "
                "('journal', 'postings') AND sql IS NOT NULL";
    return loader_run(l, sql, ledger_index_row, x);
}

static bool ledger_indexes_drop(struct loader *l, const struct ledger_indexes *x)
{
    char sql[256];
    for (size_t i = 0; i < x->n; i++) {
        snprintf(sql, sizeof(sql), "DROP INDEX %s", x->name[i]);
        if (!loader_run(l, sql, NULL, NULL))
            return false;
    }
    return true;
}

/* Builds the indexes again (only when build) and forgets them. */
static bool ledger_indexes_build(struct loader *l, struct ledger_indexes *x, bool build)
{
    bool ok = build;
    for (size_t i = 0; i < x->n; i++) {
        ok = ok && loader_run(l, x->sql[i], NULL, NULL);
        free(x->name[i]);
        free(x->sql[i]);
    }
    x->n = 0;
    return ok;
}

/* Where the new rows start, and the tenant's credit types. */
static bool ledger_bases(struct loader *l, struct ledger_gen *g)
{
    char sql[LEDGER_SQL_BYTES];
    snprintf(sql, sizeof(sql),
             "SELECT id FROM credit_types WHERE tenant_id = %" PRId64 " AND code = 'master'",
             g->tenant_id);
    bool ok = loader_int(l, sql, &g->master_id);
    snprintf(sql, sizeof(sql),
             "SELECT id FROM credit_types WHERE tenant_id = %" PRId64 " AND code = 'slave'",
             g->tenant_id);
    ok = ok && loader_int(l, sql, &g->slave_id);
    ok = ok && loader_int(l, "SELECT COALESCE(MAX(id), 0) + 1 FROM customers", &g->c0);
    ok = ok && loader_int(l, "SELECT COALESCE(MAX(id), 0) + 1 FROM lots", &g->l0);
    ok = ok && loader_int(l, "SELECT COALESCE(MAX(id), 0) FROM journal", &g->j0);
    ok = ok && loader_int(l, "SELECT COALESCE(MAX(id), 0) FROM postings", &g->p0);
    snprintf(sql, sizeof(sql),
             "SELECT COALESCE(MAX(seq), 0) FROM journal WHERE tenant_id = %" PRId64, g->tenant_id);
    ok = ok && loader_int(l, sql, &g->s0);
    if (ok && (g->master_id == 0 || g->slave_id == 0)) {
        fprintf(stderr, "bench: the tenant has no 'master' and 'slave' credit types\n");
        ok = false;
    }
    return ok;
}

/* Customers, one account and one lot per customer and type. */
static bool ledger_load_customers(struct loader *l, const struct ledger_gen *g)
{
    char with[256], sql[LEDGER_SQL_BYTES];
    loader_series(l, g->customers, with, sizeof(with));
    snprintf(sql, sizeof(sql),
             "%sINSERT INTO customers (id, tenant_id, name, created_at) SELECT %" PRId64
             " + i, %" PRId64 ", 'Customer ' || CAST(i AS TEXT), %" PRId64 " FROM g",
             with, g->c0, g->tenant_id, g->t0_us);
    if (!loader_run(l, sql, NULL, NULL))
        return false;
    loader_series(l, 2 * g->customers, with, sizeof(with));
    snprintf(sql, sizeof(sql),
             "%sINSERT INTO accounts (customer_id, credit_type_id, tenant_id, balance_minor, "
             "updated_at) SELECT %" PRId64 " + i / 2, CASE WHEN i %% 2 = 1 THEN %" PRId64
             " ELSE %" PRId64 " END, %" PRId64 ", 5000, %" PRId64 " FROM g",
             with, g->c0, g->slave_id, g->master_id, g->tenant_id, g->t0_us);
    if (!loader_run(l, sql, NULL, NULL))
        return false;
    snprintf(sql, sizeof(sql),
             "%sINSERT INTO lots (id, tenant_id, customer_id, credit_type_id, name, source, "
             "status, original_minor, remaining_minor, created_at, updated_at) SELECT %" PRId64
             " + i, %" PRId64 ", %" PRId64 " + i / 2, CASE WHEN i %% 2 = 1 THEN %" PRId64
             " ELSE %" PRId64 " END, 'Bench', 'payment', 'active', 1000000, 5000, %" PRId64
             ", %" PRId64 " FROM g",
             with, g->l0, g->tenant_id, g->c0, g->slave_id, g->master_id, g->t0_us, g->t0_us);
    return loader_run(l, sql, NULL, NULL);
}

/* The journal rows, then two postings each read back from them. Row i gets
 * id j0+1+i and seq s0+1+i; h mixes i so that kind and type do not follow
 * the hot customer's stride. */
static bool ledger_load_journal(struct loader *l, const struct ledger_gen *g)
{
    char with[256], sql[LEDGER_SQL_BYTES];
    loader_series(l, g->rows, with, sizeof(with));
    snprintf(
        sql, sizeof(sql),
        "%sINSERT INTO journal (id, tenant_id, seq, kind, customer_id, credit_type_id, "
        "credit_type, amount_minor, balance_after_minor, actor, lot_ids, created_at, prev_hash, "
        "hash) SELECT %" PRId64 " + 1 + i, %" PRId64 ", %" PRId64 " + 1 + i, CASE WHEN h %% 20 = 0 "
        "THEN 'purchase' ELSE 'order' END, c, CASE t WHEN 1 THEN %" PRId64 " ELSE %" PRId64
        " END, CASE t WHEN 1 THEN 'slave' ELSE 'master' END, CASE WHEN h %% 20 = 0 THEN 100 "
        "ELSE -(1 + h %% 12) END, 5000 + h %% 4999, 'bench@bench.example', CAST(%" PRId64
        " + 2 * (c - %" PRId64 ") + t AS TEXT), %" PRId64 " + i * %" PRId64 ", '" LEDGER_HASH
        "', '" LEDGER_HASH "' FROM (SELECT i, h, CASE WHEN i %% %" PRId64 " = 0 THEN %" PRId64
        " ELSE %" PRId64 " + 1 + i %% %" PRId64 " END AS c, CASE WHEN h / 20 %% 10 = 9 THEN 1 "
        "ELSE 0 END AS t FROM (SELECT i, i * 2654435761 %% 1000003 AS h FROM g) AS m) AS x",
        with, g->j0, g->tenant_id, g->s0, g->slave_id, g->master_id, g->l0, g->c0, g->t0_us,
        g->step_us, g->stride, g->c0, g->c0, g->customers - 1);
    if (!loader_run(l, sql, NULL, NULL))
        return false;
    snprintf(sql, sizeof(sql),
             "INSERT INTO postings (id, tenant_id, journal_id, account, lot_id, amount_minor) "
             "SELECT %" PRId64 " + 2 * (j.id - %" PRId64 ") - 1 + k, j.tenant_id, j.id, CASE "
             "WHEN k = 0 THEN 'lot' WHEN "
             "j.amount_minor > 0 THEN 'issued' ELSE 'consumed' END, CASE WHEN k = 0 THEN %" PRId64
             " + 2 * (j.customer_id - %" PRId64 ") + CASE WHEN j.credit_type_id = %" PRId64
             " THEN 1 ELSE 0 END END, CASE WHEN k = 0 THEN j.amount_minor ELSE -j.amount_minor "
             "END FROM journal j CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1) AS two WHERE j.id "
             "> %" PRId64 " ORDER BY j.id, k",
             g->p0, g->j0, g->l0, g->c0, g->slave_id, g->j0);
    return loader_run(l, sql, NULL, NULL);
}

/* After the load: PostgreSQL's identities continue after the rows given
 * explicit ids. */
static bool ledger_load_sequences(struct loader *l)
{
    if (!l->pg)
        return true;
    static const char *const tables[] = {"customers", "lots", "journal", "postings"};
    char sql[256];
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        snprintf(sql, sizeof(sql),
                 "SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT MAX(id) FROM %s))",
                 tables[i], tables[i]);
        if (!loader_run(l, sql, NULL, NULL))
            return false;
    }
    return true;
}

static bool ledger_load(const char *url, const struct ledger_gen *g)
{
    struct loader l;
    if (!loader_open(&l, url))
        return false;
    struct ledger_indexes x = {0};
    /* Not superuser: the foreign keys are then checked row by row. */
    if (l.pg && !loader_run(&l, "SET session_replication_role = replica", NULL, NULL))
        fprintf(stderr, "bench: foreign-key triggers stay on\n");
    bool ok = loader_run(&l,
                         l.pg ? "SET maintenance_work_mem = '512MB'"
                              : "PRAGMA journal_mode = DELETE; PRAGMA synchronous = OFF; "
                                "PRAGMA cache_size = -1048576",
                         NULL, NULL);
    ok = ok && loader_run(&l, "BEGIN", NULL, NULL) && ledger_load_customers(&l, g) &&
         ledger_indexes_read(&l, &x) && ledger_indexes_drop(&l, &x) && ledger_load_journal(&l, g);
    ok = ledger_indexes_build(&l, &x, ok) && ok;
    ok = ok && ledger_load_sequences(&l) && loader_run(&l, "COMMIT", NULL, NULL);
    ok = ok && loader_run(&l,
                          l.pg ? "VACUUM ANALYZE customers, accounts, lots, journal, postings"
                               : "PRAGMA journal_mode = WAL",
                          NULL, NULL);
    loader_close(&l);
    return ok;
}

/* The tenant, through the service; the store is closed again for the load. */
static bool ledger_tenant(const char *url, int64_t *tenant_id)
{
    struct store *st;
    struct err_detail d = {0};
    int applied;
    if (store_open(url, &st, &d) != ERR_OK || store_migrate(st, &applied) != ERR_OK) {
        fprintf(stderr, "bench: cannot open %s: %s\n", url, d.message);
        return false;
    }
    struct svc svc;
    svc_init(&svc, st, NULL);
    enum err rc = svc_tenant_create(&svc, "Bench ledger", NULL, tenant_id, &d);
    if (rc != ERR_OK)
        fprintf(stderr, "bench: cannot create the tenant: %s\n", err_code(rc));
    store_close(st);
    return rc == ERR_OK;
}

static double ledger_db_mib(const char *url)
{
    struct loader l;
    if (!loader_open(&l, url))
        return 0;
    int64_t bytes = 0;
    if (l.pg) {
        if (!loader_int(&l, "SELECT pg_database_size(current_database())", &bytes))
            bytes = 0;
    } else {
        const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
        struct stat sb;
        bytes = stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
    }
    loader_close(&l);
    return (double)bytes / (1024.0 * 1024.0);
}

/* ---- the reads ---------------------------------------------------------- */

struct ledger_reader {
    struct svc svc;
    const struct ledger_gen *g;
    uint64_t rng;
    int64_t seen; /* rows the last read returned */
};

typedef enum err (*ledger_read_fn)(struct ledger_reader *r, struct arena *a);

static enum err ledger_count_row(const struct journal_row *row, void *arg)
{
    int64_t *n = arg;
    if (row == NULL)
        *n = 0;
    else
        (*n)++;
    return ERR_OK;
}

static int64_t ledger_other_customer(struct ledger_reader *r)
{
    return r->g->c0 + 1 + (int64_t)(ledger_rand(&r->rng) % (uint64_t)(r->g->customers - 1));
}

/* A page as GET /ledger asks for it: one row more than the page. */
static enum err ledger_page(struct ledger_reader *r, struct arena *a, int64_t customer_id,
                            int64_t cursor_id)
{
    struct svc_ledger_query q = {
        .customer_id = customer_id, .cursor_id = cursor_id, .limit = LEDGER_PAGE + 1};
    struct svc_types types;
    struct err_detail d = {0};
    return svc_ledger_scan(&r->svc, a, r->g->tenant_id, &q, &types, ledger_count_row, &r->seen, &d);
}

static enum err ledger_page_hot(struct ledger_reader *r, struct arena *a)
{
    return ledger_page(r, a, r->g->c0, 0);
}

static enum err ledger_page_hot_deep(struct ledger_reader *r, struct arena *a)
{
    int64_t cursor = r->g->j0 + 1 + (int64_t)(ledger_rand(&r->rng) % (uint64_t)r->g->rows);
    return ledger_page(r, a, r->g->c0, cursor);
}

static enum err ledger_page_other(struct ledger_reader *r, struct arena *a)
{
    return ledger_page(r, a, ledger_other_customer(r), 0);
}

static enum err ledger_page_tenant(struct ledger_reader *r, struct arena *a)
{
    return ledger_page(r, a, 0, 0);
}

static enum err ledger_sums(struct ledger_reader *r, struct arena *a, int64_t customer_id)
{
    struct svc_summary sum;
    struct err_detail d = {0};
    int64_t from = time_now_us() - 30 * USEC_PER_DAY;
    return svc_customer_summary_read(&r->svc, a, r->g->tenant_id, customer_id, from, 0, &sum, &d);
}

static enum err ledger_sums_hot(struct ledger_reader *r, struct arena *a)
{
    return ledger_sums(r, a, r->g->c0);
}

static enum err ledger_sums_other(struct ledger_reader *r, struct arena *a)
{
    return ledger_sums(r, a, ledger_other_customer(r));
}

static enum err ledger_dashboard_hot(struct ledger_reader *r, struct arena *a)
{
    struct svc_dashboard dash;
    return svc_member_dashboard_read(&r->svc, a, r->g->tenant_id, r->g->c0, &dash);
}

static int ledger_cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

struct ledger_read {
    const char *key;   /* in BENCH_RESULTS */
    const char *label; /* in the table */
    const char *whose; /* whose entries it reads */
    ledger_read_fn fn;
};

/* Calls fn for seconds (at most LEDGER_CALLS_MAX times) after a warm-up and
 * prints its row; false when a call fails. */
static bool ledger_measure(struct ledger_reader *r, const char *backend,
                           const struct ledger_read *m, double seconds, double *samples)
{
    struct arena a;
    size_t n = 0;
    enum err rc = ERR_OK;
    double end = 0;
    for (size_t i = 0; rc == ERR_OK && (i < LEDGER_WARMUP_CALLS || n < LEDGER_CALLS_MAX); i++) {
        if (i == LEDGER_WARMUP_CALLS)
            end = ledger_now() + seconds;
        else if (i > LEDGER_WARMUP_CALLS && ledger_now() >= end)
            break;
        arena_init(&a, ARENA_REQUEST_BYTES_MAX);
        double t0 = ledger_now();
        rc = m->fn(r, &a);
        double ms = (ledger_now() - t0) * 1000.0;
        arena_release(&a);
        if (i >= LEDGER_WARMUP_CALLS)
            samples[n++] = ms;
    }
    if (rc != ERR_OK || n == 0) {
        fprintf(stderr, "bench: %s failed: %s\n", m->label, err_code(rc));
        return false;
    }
    qsort(samples, n, sizeof(double), ledger_cmp);
    double p50 = samples[n / 2], p99 = samples[(size_t)((double)n * 0.99)];
    printf("| %-10s | %-38s | %-21s | %7zu | %7.3f | %7.3f |\n", backend, m->label, m->whose, n,
           p50, p99);
    fflush(stdout);
    const char *path = getenv("BENCH_RESULTS");
    FILE *f = path && *path ? fopen(path, "a") : NULL;
    if (f != NULL) {
        fprintf(f, "ledger.%s.%s.p50_ms %.3f\nledger.%s.%s.p99_ms %.3f\n", backend, m->key, p50,
                backend, m->key, p99);
        fclose(f);
    }
    return true;
}

static int ledger_reads(const char *url, const struct ledger_gen *g, double seconds)
{
    struct store *st;
    struct err_detail d = {0};
    if (store_open(url, &st, &d) != ERR_OK) {
        fprintf(stderr, "bench: cannot open %s: %s\n", url, d.message);
        return 1;
    }
    const char *backend = store_backend_name(st);
    struct ledger_reader r = {.g = g, .rng = 0x9E3779B97F4A7C15ull};
    svc_init(&r.svc, st, NULL);
    char hot[40], other[40], all[40];
    snprintf(hot, sizeof(hot), "hot, %" PRId64, g->hot_rows);
    snprintf(other, sizeof(other), "any other, ~%" PRId64,
             (g->rows - g->hot_rows) / (g->customers - 1));
    snprintf(all, sizeof(all), "all, %" PRId64, g->rows);
    const struct ledger_read reads[] = {
        {"page_hot", "ledger page of 50, newest", hot, ledger_page_hot},
        {"page_hot_deep", "ledger page of 50, at a random cursor", hot, ledger_page_hot_deep},
        {"page_other", "ledger page of 50, newest", other, ledger_page_other},
        {"page_tenant", "ledger page of 50, newest (no filter)", all, ledger_page_tenant},
        {"sums_hot", "30-day sums (customer summary)", hot, ledger_sums_hot},
        {"sums_other", "30-day sums (customer summary)", other, ledger_sums_other},
        {"dashboard_hot", "member dashboard (30 daily sums)", hot, ledger_dashboard_hot},
    };
    double *samples = malloc(LEDGER_CALLS_MAX * sizeof(double));
    bool ok = samples != NULL;
    printf("| backend    | read (service layer, one caller)       | customer, entries     |   "
           "calls | p50 ms  | p99 ms  |\n");
    printf("|------------|----------------------------------------|-----------------------|-------"
           "--|---------|---------|\n");
    for (size_t i = 0; ok && i < sizeof(reads) / sizeof(reads[0]); i++)
        ok = ledger_measure(&r, backend, &reads[i], seconds, samples);
    free(samples);
    store_close(st);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_ledger URL [rows] [seconds]\n");
        return 2;
    }
    struct ledger_gen g = {.rows = argc > 2 ? strtoll(argv[2], NULL, 10)
                                            : ledger_env("BENCH_JOURNAL_ROWS", 10000000),
                           .customers = ledger_env("BENCH_JOURNAL_CUSTOMERS", 10000)};
    double seconds = argc > 3 ? strtod(argv[3], NULL) : 3.0;
    if (g.rows < 2 || g.customers < 2 || seconds <= 0 || crypto_init() != ERR_OK)
        return 2;
    log_set_level(LOG_ERROR);
    g.hot_rows = g.rows / 1000 > 10000 ? g.rows / 1000 : 10000;
    if (g.hot_rows > g.rows / 2)
        g.hot_rows = g.rows / 2;
    g.stride = g.rows / g.hot_rows;
    g.hot_rows = (g.rows + g.stride - 1) / g.stride; /* rows 0, stride, 2 stride, ... */
    g.step_us = (int64_t)LEDGER_HISTORY_DAYS * USEC_PER_DAY / g.rows;
    g.t0_us = time_now_us() - g.step_us * g.rows;
    if (!ledger_tenant(argv[1], &g.tenant_id))
        return 1;
    struct loader l;
    bool ok = loader_open(&l, argv[1]) && ledger_bases(&l, &g);
    loader_close(&l);
    fprintf(stderr, "bench: loading %" PRId64 " journal rows (minutes for millions)\n", g.rows);
    double t0 = ledger_now();
    if (!ok || !ledger_load(argv[1], &g))
        return 1;
    double load_s = ledger_now() - t0;
    printf("\nledger reads at scale: a journal of %" PRId64 " rows (and %" PRId64
           " postings) over %" PRId64 " customers and %d days,\nloaded in %.0f s, database "
           "%.0f MiB\n\n",
           g.rows, 2 * g.rows, g.customers, LEDGER_HISTORY_DAYS, load_s, ledger_db_mib(argv[1]));
    return ledger_reads(argv[1], &g, seconds);
}
