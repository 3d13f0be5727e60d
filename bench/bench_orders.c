/*
 * Order debits through the service layer: many callers placing orders for
 * random customers at once, on a durable database (SQLite: WAL and
 * synchronous=FULL, concurrent writers batched into group commits;
 * PostgreSQL: synchronous_commit on). Prints one table row per caller count
 * with throughput and latency percentiles: 1, 16, 32 and 64 callers over all
 * customers, then 16 and 64 callers that all hit only the first HOT
 * customers (default 10, 0 leaves those rows out). A second table gives the
 * bytes each order wrote during the same rows: SQLite, the bytes handed to
 * write(2) for the database and its WAL (checkpoints included) and the
 * page-cache bytes dirtied, from /proc/self/io; PostgreSQL, the WAL bytes
 * (pg_current_wal_insert_lsn before and after, which unlike pg_stat_wal does
 * not wait for the backends to report). Then it runs verify.
 *
 *   bench_orders URL [customers] [seconds-per-row] [hot]
 *
 * With BENCH_RESULTS=FILE it also appends its figures to FILE, one
 * "key value" line each, for the summary of scripts/bench.sh.
 * Every run is bounded in time and stops by itself.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "service/service.h"
#include "store/store.h"

enum { BENCH_THREADS_MAX = 64, BENCH_SAMPLES_MAX = 1 << 20, BENCH_ROWS_MAX = 8 };

struct bench {
    struct svc svc;
    int64_t tenant_id;
    int64_t service_id;
    struct store *st;
    bool sqlite;
    int64_t *customers;
    size_t n_customers;
    double seconds;
    /* setup */
    size_t next_setup;
    pthread_mutex_t lock;
};

struct worker {
    struct bench *b;
    size_t n_customers; /* orders go to the first n of b->customers */
    uint64_t rng;
    int64_t ok, failed;
    double *latency_ms;
    size_t n_latency, cap_latency;
};

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t bench_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Setup: customers with a lot each, created by several threads so that the
 * group commit batches them. */
static void *bench_setup_worker(void *arg)
{
    struct bench *b = arg;
    for (;;) {
        pthread_mutex_lock(&b->lock);
        size_t i = b->next_setup++;
        pthread_mutex_unlock(&b->lock);
        if (i >= b->n_customers)
            return NULL;
        char name[32];
        snprintf(name, sizeof(name), "Shop %zu", i + 1);
        struct customer_row c = {.name = name};
        struct err_detail d = {0};
        if (svc_customer_create(&b->svc, b->tenant_id, &c, &b->customers[i], &d) != ERR_OK)
            abort();
        struct svc_lot_input in = {.customer_id = b->customers[i],
                                   .credit_type = "master",
                                   .credits_minor = 1000000,
                                   .source = SOURCE_PAYMENT};
        int64_t ids[8];
        size_t n;
        if (svc_lot_add(&b->svc, b->tenant_id, &SVC_SYSTEM, &in, ids, &n, &d) != ERR_OK)
            abort();
    }
}

static void *bench_order_worker(void *arg)
{
    struct worker *w = arg;
    struct bench *b = w->b;
    struct svc_order_input in = {.credit_type = "master", .n_services = 1};
    in.service_ids[0] = b->service_id;
    double end = bench_now() + b->seconds;
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    while (bench_now() < end) {
        in.customer_id = b->customers[bench_rand(&w->rng) % w->n_customers];
        struct svc_order_result r;
        struct err_detail d = {0};
        double t0 = bench_now();
        enum err rc = svc_order_place(&b->svc, &a, b->tenant_id, &SVC_SYSTEM, &in, &r, &d);
        double ms = (bench_now() - t0) * 1000.0;
        arena_release(&a);
        arena_init(&a, ARENA_REQUEST_BYTES_MAX);
        if (rc != ERR_OK) {
            w->failed++;
            continue;
        }
        w->ok++;
        if (w->n_latency < w->cap_latency)
            w->latency_ms[w->n_latency++] = ms;
    }
    arena_release(&a);
    return NULL;
}

static int bench_cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* What the process has written so far, from /proc/self/io: wchar (bytes
 * handed to write(2) and friends) and write_bytes (page-cache bytes dirtied,
 * what reaches the disk). */
static void bench_proc_io(int64_t *handed, int64_t *dirtied)
{
    *handed = *dirtied = -1;
    FILE *f = fopen("/proc/self/io", "r");
    if (f == NULL)
        return;
    char line[128];
    long long v;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "wchar: %lld", &v) == 1)
            *handed = v;
        else if (sscanf(line, "write_bytes: %lld", &v) == 1)
            *dirtied = v;
    }
    fclose(f);
}

static enum err bench_wal_lsn_txn(struct store_conn *c, void *arg)
{
    struct store_stmt *s;
    enum err rc =
        store_prepare(c, "SELECT CAST(pg_current_wal_insert_lsn() - '0/0'::pg_lsn AS BIGINT)", &s);
    if (rc != ERR_OK)
        return rc;
    if (store_step(s) == STORE_ROW)
        *(int64_t *)arg = store_column_int64(s, 0);
    else
        rc = store_conn_err(c);
    store_finish(s);
    return rc;
}

/* Bytes written so far: SQLite, by this process (written: to write(2),
 * dirtied: to the page cache); PostgreSQL, the WAL insert position (dirtied
 * -1). -1 where unknown. */
static void bench_written(struct bench *b, int64_t *written, int64_t *dirtied)
{
    if (b->sqlite) {
        bench_proc_io(written, dirtied);
        return;
    }
    *written = *dirtied = -1;
    int64_t lsn = -1;
    if (store_read(b->st, bench_wal_lsn_txn, &lsn) == ERR_OK)
        *written = lsn;
}

/* One row's figures. */
struct bench_result {
    int threads;
    size_t customers;
    int64_t ok, failed;
    double per_s, p50, p99;
    int64_t written, dirtied; /* bytes during the row, -1 unknown */
};

static void bench_result_save(const char *backend, const struct bench_result *r)
{
    const char *path = getenv("BENCH_RESULTS");
    FILE *f = path && *path ? fopen(path, "a") : NULL;
    if (f == NULL)
        return;
    char key[96];
    snprintf(key, sizeof(key), "orders.%s.%d.%zu", backend, r->threads, r->customers);
    fprintf(f, "%s.per_s %.0f\n%s.p50_ms %.2f\n%s.p99_ms %.2f\n%s.refused %lld\n", key, r->per_s,
            key, r->p50, key, r->p99, key, (long long)r->failed);
    if (r->written >= 0 && r->ok > 0)
        fprintf(f, "%s.bytes_per_order %.0f\n", key, (double)r->written / (double)r->ok);
    fclose(f);
}

/* Runs threads callers for b->seconds over the first n_customers customers. */
static struct bench_result bench_row(struct bench *b, int threads, size_t n_customers)
{
    struct worker w[BENCH_THREADS_MAX];
    pthread_t tid[BENCH_THREADS_MAX];
    size_t cap = BENCH_SAMPLES_MAX / (size_t)threads;
    struct bench_result res = {.threads = threads, .customers = n_customers};
    int64_t written0, dirtied0, written1, dirtied1;
    bench_written(b, &written0, &dirtied0);
    double t0 = bench_now();
    for (int i = 0; i < threads; i++) {
        w[i] = (struct worker){
            .b = b, .n_customers = n_customers, .rng = 0x9E3779B97F4A7C15ull * (uint64_t)(i + 1)};
        w[i].latency_ms = malloc(cap * sizeof(double));
        w[i].cap_latency = w[i].latency_ms ? cap : 0;
        pthread_create(&tid[i], NULL, bench_order_worker, &w[i]);
    }
    size_t n = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        res.ok += w[i].ok;
        res.failed += w[i].failed;
        n += w[i].n_latency;
    }
    double elapsed = bench_now() - t0;
    bench_written(b, &written1, &dirtied1);
    res.written = written0 >= 0 && written1 >= 0 ? written1 - written0 : -1;
    res.dirtied = dirtied0 >= 0 && dirtied1 >= 0 ? dirtied1 - dirtied0 : -1;
    double *all = malloc((n + 1) * sizeof(double));
    size_t k = 0;
    for (int i = 0; i < threads; i++) {
        if (all != NULL)
            memcpy(all + k, w[i].latency_ms, w[i].n_latency * sizeof(double));
        k += w[i].n_latency;
        free(w[i].latency_ms);
    }
    if (all != NULL && n > 0) {
        qsort(all, n, sizeof(double), bench_cmp);
        res.p50 = all[n / 2];
        res.p99 = all[(size_t)((double)n * 0.99)];
    }
    free(all);
    res.per_s = (double)res.ok / elapsed;
    return res;
}

static void bench_print_row(const char *backend, const struct bench_result *r)
{
    printf("| %-10s | %7d | %9zu | %8lld | %7lld | %10.0f | %7.2f | %7.2f |\n", backend, r->threads,
           r->customers, (long long)r->ok, (long long)r->failed, r->per_s, r->p50, r->p99);
    fflush(stdout);
}

/* Bytes per order of each row; "-" where the figure is not known. */
static void bench_print_bytes(const char *backend, const struct bench_result *rows, size_t n)
{
    bool sqlite = strcmp(backend, "sqlite") == 0;
    printf("\nbytes written per order, same rows\n(%s)\n\n",
           sqlite ? "written: bytes handed to write(2) for the database and its WAL, checkpoints "
                    "included;\n dirtied: page-cache bytes dirtied, what reaches the disk; both "
                    "from /proc/self/io"
                  : "written: WAL bytes, pg_current_wal_insert_lsn before and after the row");
    printf("| backend    | callers | customers |   orders | written B/order | dirtied B/order |\n");
    printf("|------------|---------|-----------|----------|-----------------|-----------------|\n");
    for (size_t i = 0; i < n; i++) {
        const struct bench_result *r = &rows[i];
        char written[32] = "-", dirtied[32] = "-";
        if (r->written >= 0 && r->ok > 0)
            snprintf(written, sizeof(written), "%.0f", (double)r->written / (double)r->ok);
        if (r->dirtied >= 0 && r->ok > 0)
            snprintf(dirtied, sizeof(dirtied), "%.0f", (double)r->dirtied / (double)r->ok);
        printf("| %-10s | %7d | %9zu | %8lld | %15s | %15s |\n", backend, r->threads, r->customers,
               (long long)r->ok, written, dirtied);
    }
}

/* A tenant, a service costing 1 credit and the customers with their lots. */
static int bench_setup(struct bench *b)
{
    struct err_detail d = {0};
    if (svc_tenant_create(&b->svc, "Bench", NULL, &b->tenant_id, &d) != ERR_OK)
        return 1;
    struct svc_service_input s = {.row = {.name = "Stage 1", .kind = "base", .category = "t"},
                                  .n_costs = 1,
                                  .costs = {{"master", 1}}};
    if (svc_service_create(&b->svc, b->tenant_id, &s, &b->service_id, &d) != ERR_OK)
        return 1;
    b->customers = calloc(b->n_customers, sizeof(*b->customers));
    if (b->customers == NULL)
        return 1;
    pthread_t setup[32];
    double t0 = bench_now();
    for (int i = 0; i < 32; i++)
        pthread_create(&setup[i], NULL, bench_setup_worker, b);
    for (int i = 0; i < 32; i++)
        pthread_join(setup[i], NULL);
    fprintf(stderr, "bench: %zu customers set up in %.1f s\n", b->n_customers, bench_now() - t0);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_orders URL [customers] [seconds] [hot]\n");
        return 2;
    }
    struct bench b = {.n_customers = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 10000,
                      .seconds = argc > 3 ? strtod(argv[3], NULL) : 3.0};
    size_t hot = argc > 4 ? (size_t)strtoul(argv[4], NULL, 10) : 10;
    if (hot > b.n_customers)
        hot = b.n_customers;
    if (b.n_customers == 0 || b.seconds <= 0 || crypto_init() != ERR_OK)
        return 2;
    log_set_level(LOG_ERROR);
    pthread_mutex_init(&b.lock, NULL);
    struct err_detail d = {0};
    int applied;
    if (store_open(argv[1], &b.st, &d) != ERR_OK || store_migrate(b.st, &applied) != ERR_OK) {
        fprintf(stderr, "bench: cannot open %s: %s\n", argv[1], d.message);
        return 1;
    }
    const char *backend = store_backend_name(b.st);
    b.sqlite = strcmp(backend, "sqlite") == 0;
    svc_init(&b.svc, b.st, NULL);
    if (bench_setup(&b) != 0) {
        fprintf(stderr, "bench: setup failed\n");
        return 1;
    }
    printf("\norder debits through the service layer (durable commits)\n\n");
    printf(
        "| backend    | callers | customers |   orders | refused |   orders/s | p50 ms  | p99 ms  "
        "|\n");
    printf("|------------|---------|-----------|----------|---------|------------|---------|-------"
           "--|\n");
    static const int threads[] = {1, 16, 32, 64}, hot_threads[] = {16, 64};
    static_assert(sizeof(threads) / sizeof(threads[0]) +
                          sizeof(hot_threads) / sizeof(hot_threads[0]) <=
                      BENCH_ROWS_MAX,
                  "rows fit");
    struct bench_result rows[BENCH_ROWS_MAX];
    size_t n = 0;
    for (size_t i = 0; i < sizeof(threads) / sizeof(threads[0]); i++) {
        rows[n] = bench_row(&b, threads[i], b.n_customers);
        bench_print_row(backend, &rows[n++]);
    }
    for (size_t i = 0; hot > 0 && i < sizeof(hot_threads) / sizeof(hot_threads[0]); i++) {
        rows[n] = bench_row(&b, hot_threads[i], hot);
        bench_print_row(backend, &rows[n++]);
    }
    for (size_t i = 0; i < n; i++)
        bench_result_save(backend, &rows[i]);
    bench_print_bytes(backend, rows, n);
    int64_t findings = 0;
    enum err rc = svc_verify(&b.svc, NULL, NULL, &findings);
    printf("\nverify after the run: %s\n", rc == ERR_OK && findings == 0 ? "clean" : "FINDINGS");
    fflush(stdout);
    free(b.customers);
    store_close(b.st);
    return rc == ERR_OK && findings == 0 ? 0 : 1;
}
