/*
 * The concurrency test of DESIGN §5: many callers spending the same balance
 * at once through one `struct svc`, on SQLite (group commit on one writer
 * thread) and on PostgreSQL when CREDITD_TEST_DB holds a URL (a pool, row
 * locks, retries).
 *
 * Goal: rule 1 holds under contention. Exactly the affordable number of
 * orders succeed and the others fail whole with insufficient_credits; no lot
 * is drawn twice; holds are captured and released exactly; opposite transfers
 * do not deadlock and lose nothing; callers on different customers do not
 * refuse each other; operations that lock two accounts (a package of two
 * credit types, a transfer that first books an expiry) do not deadlock with
 * the orders running beside them; verify stays clean.
 *
 * Method: the threads wait on a barrier and then fire their operations as
 * fast as they can; a shared counter hands out the work. Threads only record
 * what each call returned (cmocka's assertions are not for other threads);
 * the main thread joins them all and then checks the counts, the exact
 * balances, the lots, the journal (each balance_after once: the charges were
 * serialized) and runs verify. Nothing here measures time. A deadlock on
 * SQLite would be a test that does not finish; PostgreSQL breaks deadlocks by
 * aborting a transaction, which the store runs again, so each test also
 * checks that no transaction ran twice (the ids have no gaps) and that no
 * operation gave up with store_busy.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testdb.h"

enum { THREADS = 8, DRAWS_MAX = 8, JOBS_MAX = 256 };

static const struct svc_actor staff = {.user_id = 0, .label = "staff@test.example"};

/* What one call returned, recorded by the thread that made it. */
struct outcome {
    enum err rc;
    enum err settle_rc; /* completing or cancelling the order afterwards */
    int64_t order_id;
    int64_t total_minor;
    int64_t balance_after_minor;
    size_t n_draws;
    int64_t draw_lot[DRAWS_MAX];
    int64_t draw_minor[DRAWS_MAX];
};

/* What a job of a mixed race does. */
enum job_kind { JOB_ORDER_MASTER, JOB_ORDER_SLAVE, JOB_PACKAGE, JOB_TRANSFER };

/* Work shared by the threads of one test. */
struct race {
    struct testdb *t;
    pthread_barrier_t start;
    atomic_int next;
    int n_jobs;
    int64_t customers[THREADS];
    int64_t service;
    struct outcome out[JOBS_MAX]; /* n_jobs used */
    /* Transfers: job i moves amounts[i] from customers[from[i]] to
     * customers[to[i]] (to NULL: to the other of customers 0 and 1). */
    const int64_t *amounts;
    const int *from;
    const int *to;
    /* Orders: job i is for customers[customer_of[i]] (NULL: customers[0]). */
    const int *customer_of;
    /* Mixed races: what job i is; packages go to customers[0]. */
    const enum job_kind *kinds;
    int64_t package;
};

static void race_init(struct race *r, struct testdb *t, int n_jobs)
{
    memset(r, 0, sizeof(*r));
    r->t = t;
    r->n_jobs = n_jobs;
    assert_true(n_jobs <= JOBS_MAX);
    atomic_init(&r->next, 0);
    assert_int_equal(pthread_barrier_init(&r->start, NULL, THREADS), 0);
}

static void race_release(struct race *r)
{
    pthread_barrier_destroy(&r->start);
}

static void race_run(struct race *r, void *(*fn)(void *))
{
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, fn, r), 0);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
}

/* Places one order of r->service for job i and records the outcome. */
static void race_order_one(struct race *r, int i, const char *type)
{
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    int customer = r->customer_of ? r->customer_of[i] : 0;
    struct svc_order_input in = {.customer_id = r->customers[customer],
                                 .credit_type = type,
                                 .n_services = 1,
                                 .service_ids = {r->service}};
    struct svc_order_result res;
    struct err_detail d = {0};
    struct outcome *o = &r->out[i];
    o->rc = svc_order_place(&r->t->svc, &a, r->t->tenant_id, &staff, &in, &res, &d);
    if (o->rc == ERR_OK) {
        o->order_id = res.order_id;
        o->total_minor = res.quote.total_minor;
        o->balance_after_minor = res.quote.balance_after_minor;
        o->n_draws = res.quote.n_draws < DRAWS_MAX ? res.quote.n_draws : DRAWS_MAX;
        for (size_t k = 0; k < o->n_draws; k++) {
            o->draw_lot[k] = res.quote.draws[k].lot_id;
            o->draw_minor[k] = res.quote.draws[k].amount_minor;
        }
    }
    arena_release(&a);
}

static void *race_orders(void *arg)
{
    struct race *r = arg;
    pthread_barrier_wait(&r->start);
    for (int i; (i = atomic_fetch_add(&r->next, 1)) < r->n_jobs;)
        race_order_one(r, i, "master");
    return NULL;
}

static void race_transfer_one(struct race *r, int i)
{
    int to = r->to ? r->to[i] : 1 - r->from[i];
    struct svc_transfer_input in = {.from_customer_id = r->customers[r->from[i]],
                                    .to_customer_id = r->customers[to],
                                    .credit_type = "master",
                                    .amount_minor = r->amounts[i],
                                    .justification = "shops share credits"};
    int64_t transfer_id = 0;
    struct err_detail d = {0};
    r->out[i].rc = svc_transfer(&r->t->svc, r->t->tenant_id, &staff, &in, &transfer_id, &d);
}

static void *race_transfers(void *arg)
{
    struct race *r = arg;
    pthread_barrier_wait(&r->start);
    for (int i; (i = atomic_fetch_add(&r->next, 1)) < r->n_jobs;)
        race_transfer_one(r, i);
    return NULL;
}

static void race_package_one(struct race *r, int i)
{
    struct svc_lot_input in = {
        .customer_id = r->customers[0], .package_id = r->package, .source = SOURCE_PAYMENT};
    int64_t ids[PACKAGE_CREDIT_TYPES_MAX];
    size_t n = 0;
    struct err_detail d = {0};
    r->out[i].rc = svc_lot_add(&r->t->svc, r->t->tenant_id, &staff, &in, ids, &n, &d);
}

static void *race_mixed(void *arg)
{
    struct race *r = arg;
    pthread_barrier_wait(&r->start);
    for (int i; (i = atomic_fetch_add(&r->next, 1)) < r->n_jobs;) {
        switch (r->kinds[i]) {
        case JOB_ORDER_MASTER:
            race_order_one(r, i, "master");
            break;
        case JOB_ORDER_SLAVE:
            race_order_one(r, i, "slave");
            break;
        case JOB_PACKAGE:
            race_package_one(r, i);
            break;
        case JOB_TRANSFER:
            race_transfer_one(r, i);
            break;
        }
    }
    return NULL;
}

/* Job i completes (even) or cancels (odd) the order of job i. */
static void *race_settle(void *arg)
{
    struct race *r = arg;
    pthread_barrier_wait(&r->start);
    for (int i; (i = atomic_fetch_add(&r->next, 1)) < r->n_jobs;) {
        struct outcome *o = &r->out[i];
        if (o->rc != ERR_OK)
            continue;
        struct err_detail d = {0};
        o->settle_rc = i % 2 == 0 ? svc_order_set_status(&r->t->svc, r->t->tenant_id, &staff,
                                                         o->order_id, "completed", &d)
                                  : svc_order_cancel(&r->t->svc, r->t->tenant_id, &staff,
                                                     o->order_id, "customer asked", false, &d);
    }
    return NULL;
}

/* Counts the outcomes with rc; fails on any code other than ok and
 * insufficient_credits. */
static int race_count(const struct race *r, enum err rc)
{
    int n = 0;
    for (int i = 0; i < r->n_jobs; i++) {
        enum err got = r->out[i].rc;
        if (got != ERR_OK && got != ERR_INSUFFICIENT_CREDITS)
            fail_msg("job %d returned %s", i, err_code(got));
        n += got == rc;
    }
    return n;
}

/* The balance_after of the successful orders are exactly start - k * cost for
 * k = 1..n, each once: the charges were applied one after another. */
static void race_assert_serialized(const struct race *r, int64_t start_minor, int64_t cost_minor)
{
    int n = race_count(r, ERR_OK);
    bool seen[JOBS_MAX + 1] = {false};
    assert_true(n <= JOBS_MAX);
    for (int i = 0; i < r->n_jobs; i++) {
        const struct outcome *o = &r->out[i];
        if (o->rc != ERR_OK)
            continue;
        assert_int_equal(o->total_minor, cost_minor);
        int64_t k = (start_minor - o->balance_after_minor) / cost_minor;
        assert_int_equal((start_minor - o->balance_after_minor) % cost_minor, 0);
        assert_true(k >= 1 && k <= n);
        assert_false(seen[k]);
        seen[k] = true;
    }
}

struct journal_count {
    int64_t customer_id;
    const char *kind;
    int n;
    int64_t sum_minor;
};

static enum err journal_count_entry(const struct journal_row *r, void *arg)
{
    struct journal_count *x = arg;
    x->n++;
    x->sum_minor += r->entry.amount_minor;
    return ERR_OK;
}

struct journal_count_txn_ctx {
    struct testdb *t;
    struct journal_count *count;
};

static enum err journal_count_txn(struct store_conn *c, void *arg)
{
    struct journal_count_txn_ctx *x = arg;
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    struct journal_filter f = {.tenant_id = x->t->tenant_id,
                               .customer_id = x->count->customer_id,
                               .kind = x->count->kind,
                               .oldest_first = true};
    enum err rc = store_journal_scan(c, &a, &f, journal_count_entry, x->count);
    arena_release(&a);
    return rc;
}

/* How many journal entries of a kind a customer has, and their sum. */
static struct journal_count journal_count(struct testdb *t, int64_t customer, const char *kind)
{
    struct journal_count count = {.customer_id = customer, .kind = kind};
    struct journal_count_txn_ctx x = {.t = t, .count = &count};
    assert_int_equal(store_read(t->svc.st, journal_count_txn, &x), ERR_OK);
    return count;
}

struct lot_get_ctx {
    struct testdb *t;
    int64_t id;
    struct lot_row row;
    struct arena a;
};

static enum err lot_get_txn(struct store_conn *c, void *arg)
{
    struct lot_get_ctx *x = arg;
    return store_lot_get(c, &x->a, x->t->tenant_id, x->id, false, &x->row);
}

static struct lot lot_read(struct testdb *t, int64_t id)
{
    struct lot_get_ctx x = {.t = t, .id = id};
    arena_init(&x.a, ARENA_REQUEST_BYTES_MAX);
    assert_int_equal(store_read(t->svc.st, lot_get_txn, &x), ERR_OK);
    struct lot l = x.row.lot;
    arena_release(&x.a);
    l.categories = l.provider = NULL;
    return l;
}

struct id_span {
    const char *sql;
    int64_t count, max;
};

static enum err id_span_txn(struct store_conn *c, void *arg)
{
    struct id_span *x = arg;
    struct store_stmt *s;
    enum err rc = store_prepare(c, x->sql, &s);
    if (rc != ERR_OK)
        return rc;
    rc = store_step(s) == STORE_ROW ? ERR_OK : store_conn_err(c);
    if (rc == ERR_OK) {
        x->count = store_column_int64(s, 0);
        x->max = store_column_int64(s, 1);
    }
    store_finish(s);
    return rc;
}

/*
 * No write was rolled back and run again. On PostgreSQL a transaction that
 * deadlocks is rolled back and retried, and the ids it drew from the
 * sequences stay used: a gap in a fresh database's ids is a retry. In these
 * races every operation succeeds the first time unless two transactions took
 * their locks in opposite orders (SQLite never leaves gaps).
 */
static void assert_no_write_ran_twice(struct testdb *t)
{
    static const char *const sql[] = {
        "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM journal",
        "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM orders",
        "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM lots",
    };
    for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
        struct id_span x = {.sql = sql[i]};
        assert_int_equal(store_read(t->svc.st, id_span_txn, &x), ERR_OK);
        if (x.count != x.max)
            fail_msg("%s: %lld rows but ids up to %lld: transactions rolled back and ran again "
                     "(deadlock)",
                     sql[i], (long long)x.count, (long long)x.max);
    }
}

/* ---- the tests ----------------------------------------------------------- */

/* Each test gets a fresh database and its race; teardown releases both even
 * when the test failed. */
struct fixture {
    struct testdb t;
    struct race r;
    bool race_ready;
};

static int fixture_open(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    testdb_open(&f->t);
    *state = f;
    return 0;
}

static int fixture_close(void **state)
{
    struct fixture *f = *state;
    if (f->race_ready)
        race_release(&f->r);
    testdb_close(&f->t);
    free(f);
    return 0;
}

static void exactly_the_affordable_number_of_concurrent_orders_succeed(void **state)
{
    struct fixture *f = *state;
    struct testdb *t = &f->t;
    struct race *r = &f->r;
    race_init(r, t, 50);
    f->race_ready = true;
    r->customers[0] = testdb_customer(t, "Shop");
    r->service = testdb_service(t, "Stage 1", "base", "tuning", "master", INT64_C(3), NULL);
    int64_t lot = testdb_lot(t, r->customers[0], "master", 60, 0);

    race_run(r, race_orders);

    assert_int_equal(race_count(r, ERR_OK), 20);
    assert_int_equal(race_count(r, ERR_INSUFFICIENT_CREDITS), 30);
    race_assert_serialized(r, 60, 3);
    int64_t balance = -1, available = -1;
    testdb_balance(t, r->customers[0], "master", &balance, &available);
    assert_int_equal(balance, 0);
    assert_int_equal(available, 0);
    struct lot l = lot_read(t, lot);
    assert_int_equal(l.remaining_minor, 0);
    assert_int_equal(l.status, LOT_EXHAUSTED);
    struct journal_count orders = journal_count(t, r->customers[0], "order");
    assert_int_equal(orders.n, 20);
    assert_int_equal(orders.sum_minor, -60);
    assert_no_write_ran_twice(t);
    testdb_assert_verified(t);
}

static void concurrent_orders_across_several_lots_draw_each_credit_once(void **state)
{
    struct fixture *f = *state;
    struct testdb *t = &f->t;
    struct race *r = &f->r;
    race_init(r, t, 50);
    f->race_ready = true;
    r->customers[0] = testdb_customer(t, "Shop");
    r->service = testdb_service(t, "Stage 1", "base", "tuning", "master", INT64_C(3), NULL);
    /* 60 credits in lots that do not divide by 3, some expiring: orders
     * straddle lots, and the earliest expiry goes first. */
    int64_t day = USEC_PER_DAY;
    const int64_t credits[] = {7, 11, 13, 17, 12};
    const int64_t expires[] = {TEST_T0 + day, TEST_T0 + 2 * day, TEST_T0 + 5 * day, 0, 0};
    int64_t lots[5];
    for (int i = 0; i < 5; i++)
        lots[i] = testdb_lot(t, r->customers[0], "master", credits[i], expires[i]);

    race_run(r, race_orders);

    assert_int_equal(race_count(r, ERR_OK), 20);
    assert_int_equal(race_count(r, ERR_INSUFFICIENT_CREDITS), 30);
    race_assert_serialized(r, 60, 3);
    /* The draws of all successful orders add up to each lot exactly. */
    for (int i = 0; i < 5; i++) {
        int64_t drawn = 0;
        for (int k = 0; k < r->n_jobs; k++)
            for (size_t j = 0; r->out[k].rc == ERR_OK && j < r->out[k].n_draws; j++)
                drawn += r->out[k].draw_lot[j] == lots[i] ? r->out[k].draw_minor[j] : 0;
        assert_int_equal(drawn, credits[i]);
        struct lot l = lot_read(t, lots[i]);
        assert_int_equal(l.remaining_minor, 0);
        assert_int_equal(l.status, LOT_EXHAUSTED);
    }
    int64_t balance = -1, available = -1;
    testdb_balance(t, r->customers[0], "master", &balance, &available);
    assert_int_equal(balance, 0);
    assert_int_equal(available, 0);
    assert_no_write_ran_twice(t);
    testdb_assert_verified(t);
}

static void opposite_concurrent_transfers_neither_deadlock_nor_lose_credits(void **state)
{
    struct fixture *f = *state;
    struct testdb *t = &f->t;
    enum { JOBS = 160 };
    struct race *r = &f->r;
    race_init(r, t, JOBS);
    f->race_ready = true;
    r->customers[0] = testdb_customer(t, "Shop A");
    r->customers[1] = testdb_customer(t, "Shop B");
    testdb_lot(t, r->customers[0], "master", 100, 0);
    testdb_lot(t, r->customers[1], "master", 100, TEST_T0 + 30 * USEC_PER_DAY);
    int64_t amounts[JOBS];
    int from[JOBS];
    for (int i = 0; i < JOBS; i++) {
        from[i] = i % 2; /* A→B and B→A interleave */
        amounts[i] = 1 + (i * 7) % 9;
    }
    r->amounts = amounts;
    r->from = from;

    race_run(r, race_transfers);

    int ok = race_count(r, ERR_OK);
    assert_true(ok > 0);
    int64_t a_expected = 100, b_expected = 100;
    for (int i = 0; i < JOBS; i++) {
        if (r->out[i].rc != ERR_OK)
            continue;
        a_expected += from[i] == 0 ? -amounts[i] : amounts[i];
        b_expected += from[i] == 0 ? amounts[i] : -amounts[i];
    }
    int64_t a = -1, b = -1;
    testdb_balance(t, r->customers[0], "master", &a, NULL);
    testdb_balance(t, r->customers[1], "master", &b, NULL);
    assert_int_equal(a + b, 200);
    assert_int_equal(a, a_expected);
    assert_int_equal(b, b_expected);
    /* Each transfer is two linked entries, one per customer. */
    struct journal_count ja = journal_count(t, r->customers[0], "transfer");
    struct journal_count jb = journal_count(t, r->customers[1], "transfer");
    assert_int_equal(ja.n + jb.n, 2 * ok);
    assert_int_equal(ja.sum_minor, a - 100);
    assert_int_equal(jb.sum_minor, b - 100);
    assert_no_write_ran_twice(t);
    testdb_assert_verified(t);
}

static void concurrent_orders_of_different_customers_all_succeed(void **state)
{
    struct fixture *f = *state;
    struct testdb *t = &f->t;
    enum { PER_CUSTOMER = 10, JOBS = THREADS * PER_CUSTOMER };
    struct race *r = &f->r;
    race_init(r, t, JOBS);
    f->race_ready = true;
    r->service = testdb_service(t, "Stage 1", "base", "tuning", "master", INT64_C(3), NULL);
    for (int c = 0; c < THREADS; c++) {
        char name[32];
        snprintf(name, sizeof(name), "Shop %d", c);
        r->customers[c] = testdb_customer(t, name);
        testdb_lot(t, r->customers[c], "master", 3 * PER_CUSTOMER, 0);
    }
    /* Consecutive jobs go to different customers, so every customer is being
     * charged by several threads while the others are too. */
    int customer_of[JOBS];
    for (int i = 0; i < JOBS; i++)
        customer_of[i] = i % THREADS;
    r->customer_of = customer_of;

    race_run(r, race_orders);

    assert_int_equal(race_count(r, ERR_OK), JOBS);
    for (int c = 0; c < THREADS; c++) {
        int64_t balance = -1, available = -1;
        testdb_balance(t, r->customers[c], "master", &balance, &available);
        assert_int_equal(balance, 0);
        assert_int_equal(available, 0);
        struct journal_count orders = journal_count(t, r->customers[c], "order");
        assert_int_equal(orders.n, PER_CUSTOMER);
        assert_int_equal(orders.sum_minor, -3 * PER_CUSTOMER);
    }
    assert_no_write_ran_twice(t);
    testdb_assert_verified(t);
}

static void concurrent_holds_captures_and_releases_leave_the_exact_balance(void **state)
{
    struct fixture *f = *state;
    struct testdb *t = &f->t;
    struct tenant_row row;
    struct err_detail d = {0};
    assert_int_equal(svc_tenant_get(&t->svc, &t->arena, t->tenant_id, &row), ERR_OK);
    row.charge_on = "delivery";
    assert_int_equal(svc_settings_update(&t->svc, &row, &d), ERR_OK);
    struct race *r = &f->r;
    race_init(r, t, 50);
    f->race_ready = true;
    r->customers[0] = testdb_customer(t, "Shop");
    r->service = testdb_service(t, "Stage 1", "base", "tuning", "master", INT64_C(3), NULL);
    testdb_lot(t, r->customers[0], "master", 40, 0);
    testdb_lot(t, r->customers[0], "master", 20, TEST_T0 + USEC_PER_DAY);

    race_run(r, race_orders);

    /* Holds: available drops, the balance does not (rule 14). */
    assert_int_equal(race_count(r, ERR_OK), 20);
    assert_int_equal(race_count(r, ERR_INSUFFICIENT_CREDITS), 30);
    int64_t balance = -1, available = -1;
    testdb_balance(t, r->customers[0], "master", &balance, &available);
    assert_int_equal(balance, 60);
    assert_int_equal(available, 0);
    int completed = 0;
    for (int i = 0; i < r->n_jobs; i++)
        completed += r->out[i].rc == ERR_OK && i % 2 == 0;

    /* Now every held order is completed (captured) or cancelled (released)
     * at once, from all threads. */
    atomic_store(&r->next, 0);
    race_run(r, race_settle);

    for (int i = 0; i < r->n_jobs; i++)
        assert_int_equal(r->out[i].settle_rc, ERR_OK);
    testdb_balance(t, r->customers[0], "master", &balance, &available);
    assert_int_equal(balance, 60 - 3 * completed);
    assert_int_equal(available, 60 - 3 * completed);
    struct journal_count captures = journal_count(t, r->customers[0], "capture");
    struct journal_count releases = journal_count(t, r->customers[0], "release");
    assert_int_equal(captures.n, completed);
    assert_int_equal(releases.n, 20 - completed);
    assert_no_write_ran_twice(t);
    testdb_assert_verified(t);
}

/* A package of two credit types books its lots one type after the other:
 * orders in the second type must not wait on it in the opposite order. */
static void orders_racing_a_package_of_two_credit_types_never_deadlock(void **state)
{
    struct fixture *f = *state;
    struct testdb *t = &f->t;
    enum { JOBS = 32 };
    struct race *r = &f->r;
    race_init(r, t, JOBS);
    f->race_ready = true;
    r->customers[0] = testdb_customer(t, "Shop");
    r->service = testdb_service(t, "EGR off", "addon", "tuning", "master", INT64_C(1), "slave",
                                INT64_C(1), NULL);
    struct svc_package_input pkg = {.row = {.name = "Master and slave",
                                            .price_minor = 10000,
                                            .vat_rate_bp = -1,
                                            .published = true,
                                            .validity = {.expiry = EXPIRY_NEVER}},
                                    .n_credits = 2,
                                    .credits = {{"master", 5}, {"slave", 5}}};
    struct err_detail d = {0};
    assert_int_equal(svc_package_create(&t->svc, t->tenant_id, &pkg, &r->package, &d), ERR_OK);
    testdb_lot(t, r->customers[0], "master", 100, 0);
    testdb_lot(t, r->customers[0], "slave", 100, 0);
    enum job_kind kinds[JOBS];
    int packages = 0, master = 0, slave = 0;
    for (int i = 0; i < JOBS; i++) {
        kinds[i] = i % 8 == 3 ? JOB_PACKAGE : i % 2 ? JOB_ORDER_SLAVE : JOB_ORDER_MASTER;
        packages += kinds[i] == JOB_PACKAGE;
        master += kinds[i] == JOB_ORDER_MASTER;
        slave += kinds[i] == JOB_ORDER_SLAVE;
    }
    r->kinds = kinds;

    race_run(r, race_mixed);

    assert_int_equal(race_count(r, ERR_OK), JOBS);
    int64_t balance = -1;
    testdb_balance(t, r->customers[0], "master", &balance, NULL);
    assert_int_equal(balance, 100 + 5 * packages - master);
    testdb_balance(t, r->customers[0], "slave", &balance, NULL);
    assert_int_equal(balance, 100 + 5 * packages - slave);
    assert_no_write_ran_twice(t);
    testdb_assert_verified(t);
}

/* A transfer opens the lower customer's account first; when that expires a
 * lot, the expiry is booked before the other account is locked. Orders on the
 * other account must not wait on it in the opposite order. */
static void transfers_that_expire_lots_while_orders_run_never_deadlock(void **state)
{
    struct fixture *f = *state;
    struct testdb *t = &f->t;
    enum { SOURCES = 4, JOBS = 32, TARGET = SOURCES };
    struct race *r = &f->r;
    race_init(r, t, JOBS);
    f->race_ready = true;
    for (int c = 0; c < SOURCES; c++) {
        char name[32];
        snprintf(name, sizeof(name), "Source %d", c);
        r->customers[c] = testdb_customer(t, name);
        testdb_lot(t, r->customers[c], "master", 10, TEST_T0 + USEC_PER_HOUR);
        testdb_lot(t, r->customers[c], "master", 50, 0);
    }
    r->customers[TARGET] = testdb_customer(t, "Target");
    testdb_lot(t, r->customers[TARGET], "master", 100, 0);
    r->service = testdb_service(t, "EGR off", "addon", "tuning", "master", INT64_C(1), NULL);
    t->now_us = TEST_T0 + 2 * USEC_PER_HOUR; /* each source now has a lot due to expire */
    enum job_kind kinds[JOBS];
    int from[JOBS], to[JOBS], customer_of[JOBS], orders = 0;
    int64_t amounts[JOBS];
    for (int i = 0, source = 0; i < JOBS; i++) {
        bool transfer = i % 8 == 4 && source < SOURCES;
        kinds[i] = transfer ? JOB_TRANSFER : JOB_ORDER_MASTER;
        from[i] = transfer ? source++ : 0;
        to[i] = TARGET;
        amounts[i] = 5;
        customer_of[i] = TARGET;
        orders += !transfer;
    }
    r->kinds = kinds;
    r->from = from;
    r->to = to;
    r->amounts = amounts;
    r->customer_of = customer_of;

    race_run(r, race_mixed);

    assert_int_equal(race_count(r, ERR_OK), JOBS);
    int64_t balance = -1;
    for (int c = 0; c < SOURCES; c++) {
        testdb_balance(t, r->customers[c], "master", &balance, NULL);
        assert_int_equal(balance, 50 - 5);
    }
    testdb_balance(t, r->customers[TARGET], "master", &balance, NULL);
    assert_int_equal(balance, 100 + 5 * SOURCES - orders);
    assert_no_write_ran_twice(t);
    testdb_assert_verified(t);
}

/* ---- group commit: one batch, one failure --------------------------------- */

enum { PROBES = 6, PROBE_FAILING = 3 };

/* One keyed write of the batch test: it inserts its number and notes its
 * transaction (PostgreSQL). The failing one's second insert breaks a CHECK;
 * both are sent without waiting (store_send), so on PostgreSQL the failure
 * arrives only when its work has ended. */
struct probe {
    struct testdb *t;
    struct store *st; /* the store it writes through */
    int64_t group;    /* its tenant */
    bool fail;        /* breaks the CHECK */
    int n;
    atomic_int *queued;  /* writers about to queue behind the first */
    atomic_int *running; /* the first is inside its transaction */
    enum err rc;
    int64_t txid;
};

static enum err probe_txn(struct store_conn *c, void *arg)
{
    struct probe *p = arg;
    if (p->n == 0)
        atomic_store(p->running, 1);
    struct store_stmt *s;
    enum err rc = store_prepare(c, "INSERT INTO batch_probe (n) VALUES ($1)", &s);
    if (rc != ERR_OK)
        return rc;
    store_bind_int64(s, 1, p->n);
    if ((rc = store_send(s)) != ERR_OK)
        return rc;
    if (p->fail) {
        if ((rc = store_prepare(c, "INSERT INTO batch_probe (n) VALUES ($1)", &s)) != ERR_OK)
            return rc;
        store_bind_int64(s, 1, -1);
        return store_send(s);
    }
    if (strcmp(testdb_backend(), "postgres") == 0) {
        if ((rc = store_prepare(c, "SELECT txid_current()", &s)) != ERR_OK)
            return rc;
        p->txid = store_step(s) == STORE_ROW ? store_column_int64(s, 0) : -1;
        store_finish(s);
    }
    /* The first holds its batch until the others are queued behind it. */
    while (p->n == 0 && atomic_load(p->queued) < PROBES - 1)
        usleep(1000);
    if (p->n == 0)
        usleep(100 * 1000);
    return ERR_OK;
}

static void *probe_main(void *arg)
{
    struct probe *p = arg;
    if (p->n > 0)
        atomic_fetch_add(p->queued, 1);
    p->rc = store_write_keyed(p->st, p->group, 42, probe_txn, p);
    return NULL;
}

static enum err probe_setup_txn(struct store_conn *c, void *arg)
{
    (void)arg;
    return store_exec(c, "CREATE TABLE batch_probe (n BIGINT NOT NULL CHECK (n >= 0))");
}

static void a_failing_write_rolls_back_alone_and_its_batch_mates_commit(void **state)
{
    struct fixture *f = *state;
    struct testdb *t = &f->t;
    assert_int_equal(store_write(t->st, probe_setup_txn, NULL), ERR_OK);
    atomic_int queued = 0, running = 0;
    struct probe p[PROBES];
    pthread_t tid[PROBES];
    for (int i = 0; i < PROBES; i++)
        p[i] = (struct probe){.t = t,
                              .st = t->st,
                              .group = t->tenant_id,
                              .fail = i == PROBE_FAILING,
                              .n = i,
                              .queued = &queued,
                              .running = &running};
    /* The first write of the key runs alone; the rest queue behind it in the
     * same lane and then go as one batch. */
    assert_int_equal(pthread_create(&tid[0], NULL, probe_main, &p[0]), 0);
    while (atomic_load(&running) == 0)
        usleep(1000);
    for (int i = 1; i < PROBES; i++)
        assert_int_equal(pthread_create(&tid[i], NULL, probe_main, &p[i]), 0);
    for (int i = 0; i < PROBES; i++)
        pthread_join(tid[i], NULL);
    for (int i = 0; i < PROBES; i++)
        assert_int_equal(p[i].rc, i == PROBE_FAILING ? ERR_CONFLICT : ERR_OK);
    /* The failed write's insert is gone, every other one is there. */
    assert_int_equal(testdb_query_int(t, "SELECT COUNT(*) FROM batch_probe"), PROBES - 1);
    assert_int_equal(testdb_query_int(t, "SELECT COUNT(*) FROM batch_probe WHERE n = 3"), 0);
    assert_int_equal(testdb_query_int(t, "SELECT SUM(n) FROM batch_probe"),
                     PROBES * (PROBES - 1) / 2 - PROBE_FAILING);
    if (strcmp(testdb_backend(), "postgres") == 0) {
        /* One transaction (one commit) carried the queued writes. */
        for (int i = 2; i < PROBES; i++)
            if (i != PROBE_FAILING)
                assert_int_equal(p[i].txid, p[1].txid);
        assert_true(p[1].txid != p[0].txid);
    }
}

/* On a database distributed by tenant a batch must not cross tenants: the
 * store then batches each tenant's queued writes apart (forced here, as
 * Citus is not installed). SQLite, never distributed, has one writer. */
static void batches_of_a_distributed_database_hold_one_tenant_each(void **state)
{
    struct fixture *f = *state;
    struct testdb *t = &f->t;
    if (strcmp(testdb_backend(), "postgres") != 0)
        return;
    assert_int_equal(store_write(t->st, probe_setup_txn, NULL), ERR_OK);
    setenv("CREDITD_PG_BATCH_PER_TENANT", "1", 1);
    struct store *st;
    struct err_detail d = {0};
    assert_int_equal(store_open(getenv("CREDITD_TEST_DB"), &st, &d), ERR_OK);
    unsetenv("CREDITD_PG_BATCH_PER_TENANT");
    atomic_int queued = 0, running = 0;
    struct probe p[PROBES];
    pthread_t tid[PROBES];
    /* Queued behind the first, tenants 1 and 2 take turns in one lane. */
    for (int i = 0; i < PROBES; i++)
        p[i] = (struct probe){
            .t = t, .st = st, .group = 1 + i % 2, .n = i, .queued = &queued, .running = &running};
    assert_int_equal(pthread_create(&tid[0], NULL, probe_main, &p[0]), 0);
    while (atomic_load(&running) == 0)
        usleep(1000);
    for (int i = 1; i < PROBES; i++)
        assert_int_equal(pthread_create(&tid[i], NULL, probe_main, &p[i]), 0);
    for (int i = 0; i < PROBES; i++)
        pthread_join(tid[i], NULL);
    store_close(st);
    for (int i = 0; i < PROBES; i++)
        assert_int_equal(p[i].rc, ERR_OK);
    assert_int_equal(testdb_query_int(t, "SELECT COUNT(*) FROM batch_probe"), PROBES);
    /* Each tenant's queued writes shared a transaction; the tenants did not. */
    for (int i = 3; i < PROBES; i++)
        assert_int_equal(p[i].txid, p[i - 2].txid);
    assert_true(p[1].txid != p[2].txid);
    assert_true(p[1].txid != p[0].txid && p[2].txid != p[0].txid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(exactly_the_affordable_number_of_concurrent_orders_succeed,
                                        fixture_open, fixture_close),
        cmocka_unit_test_setup_teardown(concurrent_orders_across_several_lots_draw_each_credit_once,
                                        fixture_open, fixture_close),
        cmocka_unit_test_setup_teardown(
            opposite_concurrent_transfers_neither_deadlock_nor_lose_credits, fixture_open,
            fixture_close),
        cmocka_unit_test_setup_teardown(concurrent_orders_of_different_customers_all_succeed,
                                        fixture_open, fixture_close),
        cmocka_unit_test_setup_teardown(
            concurrent_holds_captures_and_releases_leave_the_exact_balance, fixture_open,
            fixture_close),
        cmocka_unit_test_setup_teardown(orders_racing_a_package_of_two_credit_types_never_deadlock,
                                        fixture_open, fixture_close),
        cmocka_unit_test_setup_teardown(transfers_that_expire_lots_while_orders_run_never_deadlock,
                                        fixture_open, fixture_close),
        cmocka_unit_test_setup_teardown(a_failing_write_rolls_back_alone_and_its_batch_mates_commit,
                                        fixture_open, fixture_close),
        cmocka_unit_test_setup_teardown(batches_of_a_distributed_database_hold_one_tenant_each,
                                        fixture_open, fixture_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
