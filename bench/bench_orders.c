/*
 * Order debits through the service layer: many callers placing orders for
 * random customers at once, on a durable database (SQLite: WAL and
 * synchronous=FULL, concurrent writers batched into group commits;
 * PostgreSQL: synchronous_commit on). Prints one table row per caller count
 * with throughput and latency percentiles, then runs verify.
 *
 *   bench_orders URL [customers] [seconds-per-row]
 *
 * Every run is bounded in time and stops by itself.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "service/service.h"

enum { BENCH_THREADS_MAX = 64, BENCH_SAMPLES_MAX = 1 << 20 };

struct bench {
    struct svc svc;
    int64_t tenant_id;
    int64_t service_id;
    int64_t *customers;
    size_t n_customers;
    double seconds;
    /* setup */
    size_t next_setup;
    pthread_mutex_t lock;
};

struct worker {
    struct bench *b;
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
        in.customer_id = b->customers[bench_rand(&w->rng) % b->n_customers];
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

static void bench_row(struct bench *b, const char *backend, int threads)
{
    struct worker w[BENCH_THREADS_MAX];
    pthread_t tid[BENCH_THREADS_MAX];
    size_t cap = BENCH_SAMPLES_MAX / (size_t)threads;
    double t0 = bench_now();
    for (int i = 0; i < threads; i++) {
        w[i] = (struct worker){.b = b, .rng = 0x9E3779B97F4A7C15ull * (uint64_t)(i + 1)};
        w[i].latency_ms = malloc(cap * sizeof(double));
        w[i].cap_latency = w[i].latency_ms ? cap : 0;
        pthread_create(&tid[i], NULL, bench_order_worker, &w[i]);
    }
    int64_t ok = 0, failed = 0;
    size_t n = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        ok += w[i].ok;
        failed += w[i].failed;
        n += w[i].n_latency;
    }
    double elapsed = bench_now() - t0;
    double *all = malloc((n + 1) * sizeof(double));
    size_t k = 0;
    for (int i = 0; i < threads; i++) {
        if (all != NULL)
            memcpy(all + k, w[i].latency_ms, w[i].n_latency * sizeof(double));
        k += w[i].n_latency;
        free(w[i].latency_ms);
    }
    double p50 = 0, p99 = 0;
    if (all != NULL && n > 0) {
        qsort(all, n, sizeof(double), bench_cmp);
        p50 = all[n / 2];
        p99 = all[(size_t)((double)n * 0.99)];
    }
    free(all);
    printf("| %-10s | %7d | %9zu | %8lld | %7lld | %10.0f | %7.2f | %7.2f |\n", backend, threads,
           b->n_customers, (long long)ok, (long long)failed, (double)ok / elapsed, p50, p99);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_orders URL [customers] [seconds]\n");
        return 2;
    }
    struct bench b = {.n_customers = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 10000,
                      .seconds = argc > 3 ? strtod(argv[3], NULL) : 3.0};
    if (b.n_customers == 0 || b.seconds <= 0 || crypto_init() != ERR_OK)
        return 2;
    log_set_level(LOG_ERROR);
    pthread_mutex_init(&b.lock, NULL);
    struct store *st;
    struct err_detail d = {0};
    int applied;
    if (store_open(argv[1], &st, &d) != ERR_OK || store_migrate(st, &applied) != ERR_OK) {
        fprintf(stderr, "bench: cannot open %s: %s\n", argv[1], d.message);
        return 1;
    }
    svc_init(&b.svc, st, NULL);
    if (svc_tenant_create(&b.svc, "Bench", NULL, &b.tenant_id, &d) != ERR_OK)
        return 1;
    struct svc_service_input s = {.row = {.name = "Stage 1", .kind = "base", .category = "t"},
                                  .n_costs = 1,
                                  .costs = {{"master", 1}}};
    if (svc_service_create(&b.svc, b.tenant_id, &s, &b.service_id, &d) != ERR_OK)
        return 1;
    b.customers = calloc(b.n_customers, sizeof(*b.customers));
    pthread_t setup[32];
    double t0 = bench_now();
    for (int i = 0; i < 32; i++)
        pthread_create(&setup[i], NULL, bench_setup_worker, &b);
    for (int i = 0; i < 32; i++)
        pthread_join(setup[i], NULL);
    fprintf(stderr, "bench: %zu customers set up in %.1f s\n", b.n_customers, bench_now() - t0);
    const char *backend = store_backend_name(st);
    printf("\norder debits through the service layer (durable commits)\n\n");
    printf(
        "| backend    | callers | customers |   orders | refused |   orders/s | p50 ms  | p99 ms  "
        "|\n");
    printf("|------------|---------|-----------|----------|---------|------------|---------|-------"
           "--|\n");
    static const int threads[] = {1, 16, 32, 64};
    for (size_t i = 0; i < sizeof(threads) / sizeof(threads[0]); i++)
        bench_row(&b, backend, threads[i]);
    int64_t findings = 0;
    enum err rc = svc_verify(&b.svc, NULL, NULL, &findings);
    printf("\nverify after the run: %s\n", rc == ERR_OK && findings == 0 ? "clean" : "FINDINGS");
    free(b.customers);
    store_close(st);
    return rc == ERR_OK && findings == 0 ? 0 : 1;
}
