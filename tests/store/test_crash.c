/*
 * Crash safety: a child process places orders from several threads and
 * writes the id of every acknowledged order to a pipe; the parent kills it
 * with SIGKILL in the middle of the load, reopens the database and checks
 * that every acknowledged order is there and that verify is clean (no
 * half-written operation is visible). Repeated a few
 * times on the same database. Sixteen threads on 24 customers keep the group
 * commit busy: on SQLite the writer's batches, on PostgreSQL several lanes'
 * batches in flight at the moment of the kill.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testdb.h"

enum { CRASH_ROUNDS = 3, CRASH_THREADS = 16, CRASH_CUSTOMERS = 24, CRASH_ACKS_MAX = 100000 };

struct crash_child {
    struct svc *svc;
    int64_t tenant_id;
    int64_t service;
    int64_t *customers;
    int fd;
    pthread_mutex_t lock;
};

static void *crash_worker(void *arg)
{
    struct crash_child *c = arg;
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    for (uint64_t i = (uint64_t)pthread_self();; i = i * 6364136223846793005u + 1) {
        struct svc_order_input in = {.customer_id = c->customers[(i >> 33) % CRASH_CUSTOMERS],
                                     .credit_type = "master",
                                     .n_services = 1};
        in.service_ids[0] = c->service;
        struct svc_order_result r;
        struct err_detail d = {0};
        if (svc_order_place(c->svc, &a, c->tenant_id, &SVC_SYSTEM, &in, &r, &d) == ERR_OK) {
            pthread_mutex_lock(&c->lock);
            ssize_t w = write(c->fd, &r.order_id, sizeof(r.order_id));
            pthread_mutex_unlock(&c->lock);
            if (w != (ssize_t)sizeof(r.order_id))
                _exit(3);
        }
        arena_release(&a);
        arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    }
    return NULL;
}

/* The child: its own store on the same database, orders until killed. */
static _Noreturn void crash_child_run(struct testdb *t, const char *url, int64_t service,
                                      int64_t *customers, int fd)
{
    struct store *st;
    struct err_detail d = {0};
    if (store_open(url, &st, &d) != ERR_OK)
        _exit(2);
    struct svc svc;
    svc_init(&svc, st, NULL);
    struct crash_child c = {.svc = &svc,
                            .tenant_id = t->tenant_id,
                            .service = service,
                            .customers = customers,
                            .fd = fd};
    pthread_mutex_init(&c.lock, NULL);
    pthread_t tid[CRASH_THREADS];
    for (int i = 0; i < CRASH_THREADS; i++)
        pthread_create(&tid[i], NULL, crash_worker, &c);
    pthread_join(tid[0], NULL);
    _exit(0);
}

struct ack_check_ctx {
    struct testdb *t;
    int64_t *acks;
    size_t n;
    size_t missing;
};

static enum err ack_check_txn(struct store_conn *c, void *arg)
{
    struct ack_check_ctx *x = arg;
    for (size_t i = 0; i < x->n; i++) {
        struct arena a;
        arena_init(&a, 1 << 20);
        struct order_row o;
        enum err rc = store_order_get(c, &a, x->t->tenant_id, x->acks[i], false, &o);
        if (rc == ERR_NOT_FOUND)
            x->missing++;
        else if (rc != ERR_OK)
            return rc;
        arena_release(&a);
    }
    return ERR_OK;
}

static void acknowledged_orders_survive_sigkill(void **state)
{
    (void)state;
    struct testdb t;
    testdb_open(&t);
    int64_t service = testdb_service(&t, "One", "base", "tuning", "master", (int64_t)1, NULL);
    int64_t customers[CRASH_CUSTOMERS];
    for (int i = 0; i < CRASH_CUSTOMERS; i++) {
        customers[i] = testdb_customer(&t, "Crash shop");
        testdb_lot(&t, customers[i], "master", 1000000, 0);
    }
    char url[400];
    const char *pg = getenv("CREDITD_TEST_DB");
    snprintf(url, sizeof(url), "%s%s", pg && pg[0] ? "" : "sqlite:", pg && pg[0] ? pg : t.path);
    int64_t *acks = calloc(CRASH_ACKS_MAX, sizeof(*acks));
    size_t n_acks = 0;
    /* One writer at a time: the parent's store is closed while children write. */
    testdb_close_keep(&t);
    for (int round = 0; round < CRASH_ROUNDS; round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            crash_child_run(&t, url, service, customers, fds[1]);
        }
        close(fds[1]);
        /* Let the child get well into its load: wait for 200 acknowledgements. */
        size_t round_acks = 0;
        int64_t id;
        while (round_acks < 200 && read(fds[0], &id, sizeof(id)) == (ssize_t)sizeof(id)) {
            if (n_acks < CRASH_ACKS_MAX)
                acks[n_acks++] = id;
            round_acks++;
        }
        kill(pid, SIGKILL);
        while (n_acks < CRASH_ACKS_MAX && read(fds[0], &id, sizeof(id)) == (ssize_t)sizeof(id))
            acks[n_acks++] = id;
        close(fds[0]);
        int status;
        waitpid(pid, &status, 0);
        assert_true(WIFSIGNALED(status));
        assert_int_equal(round_acks, 200);
    }
    /* A fresh store on the database the children were killed in. */
    testdb_reopen(&t);
    struct ack_check_ctx x = {.t = &t, .acks = acks, .n = n_acks};
    assert_int_equal(store_read(t.st, ack_check_txn, &x), ERR_OK);
    assert_int_equal(x.missing, 0);
    testdb_assert_verified(&t);
    free(acks);
    testdb_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(acknowledged_orders_survive_sigkill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
