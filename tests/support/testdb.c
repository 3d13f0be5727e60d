/*
 * Test support, see testdb.h. PostgreSQL tests get a clean schema by dropping
 * and recreating `public` in the test database; SQLite tests get a new file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testdb.h"

/* For testdb_lots_bulk only: it books lots as the service's own helpers do. */
#include "service/service_int.h"

static int64_t testdb_clock(void *ctx)
{
    return ((struct testdb *)ctx)->now_us;
}

const char *testdb_backend(void)
{
    const char *url = getenv("CREDITD_TEST_DB");
    return url && url[0] ? "postgres" : "sqlite";
}

static enum err testdb_reset_pg(struct store_conn *c, void *ctx)
{
    (void)ctx;
    return store_exec(c, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
}

void testdb_open(struct testdb *t)
{
    static int counter;
    memset(t, 0, sizeof(*t));
    assert_int_equal(crypto_init(), ERR_OK);
    log_set_level(LOG_ERROR);
    const char *url = getenv("CREDITD_TEST_DB");
    char sqlite_url[300];
    struct err_detail d = {0};
    if (url == NULL || url[0] == '\0') {
        snprintf(t->path, sizeof(t->path), "/tmp/creditd-test-%d-%d.db", (int)getpid(), ++counter);
        unlink(t->path);
        snprintf(sqlite_url, sizeof(sqlite_url), "sqlite:%s", t->path);
        url = sqlite_url;
    }
    enum err rc = store_open(url, &t->st, &d);
    if (rc != ERR_OK)
        fail_msg("cannot open test database: %s", d.message);
    if (t->path[0] == '\0')
        assert_int_equal(store_write(t->st, testdb_reset_pg, NULL), ERR_OK);
    int applied = 0;
    assert_int_equal(store_migrate(t->st, &applied), ERR_OK);
    t->now_us = TEST_T0;
    struct svc_clock clock = {.now_us = testdb_clock, .ctx = t};
    svc_init(&t->svc, t->st, &clock);
    assert_int_equal(svc_tenant_create(&t->svc, "Test", "test.example", &t->tenant_id, &d), ERR_OK);
    /* Tests reason in UTC unless they set a zone. */
    struct tenant_row row;
    arena_init(&t->arena, ARENA_REQUEST_BYTES_MAX);
    assert_int_equal(svc_tenant_get(&t->svc, &t->arena, t->tenant_id, &row), ERR_OK);
    row.timezone = "UTC";
    assert_int_equal(svc_settings_update(&t->svc, &row, &d), ERR_OK);
}

void testdb_close_keep(struct testdb *t)
{
    store_close(t->st);
    t->st = NULL;
}

void testdb_reopen(struct testdb *t)
{
    const char *url = getenv("CREDITD_TEST_DB");
    char sqlite_url[300];
    if (t->path[0] != '\0') {
        snprintf(sqlite_url, sizeof(sqlite_url), "sqlite:%s", t->path);
        url = sqlite_url;
    }
    struct err_detail d = {0};
    if (store_open(url, &t->st, &d) != ERR_OK)
        fail_msg("cannot reopen test database: %s", d.message);
    struct svc_clock clock = t->svc.clock;
    svc_init(&t->svc, t->st, &clock);
}

void testdb_close(struct testdb *t)
{
    arena_release(&t->arena);
    store_close(t->st);
    if (t->path[0] != '\0') {
        char extra[300];
        unlink(t->path);
        snprintf(extra, sizeof(extra), "%s-wal", t->path);
        unlink(extra);
        snprintf(extra, sizeof(extra), "%s-shm", t->path);
        unlink(extra);
    }
}

int64_t testdb_customer(struct testdb *t, const char *name)
{
    struct customer_row c = {.name = name, .email = ""};
    int64_t id = 0;
    struct err_detail d = {0};
    enum err rc = svc_customer_create(&t->svc, t->tenant_id, &c, &id, &d);
    if (rc != ERR_OK)
        fail_msg("customer: %s %s", err_code(rc), d.message);
    return id;
}

int64_t testdb_lot(struct testdb *t, int64_t customer, const char *type, int64_t credits,
                   int64_t expires_us)
{
    struct svc_lot_input in = {
        .customer_id = customer,
        .credit_type = type,
        .credits_minor = credits,
        .source = SOURCE_MANUAL,
        .validity = {.start = START_IMMEDIATE,
                     .expiry = expires_us ? EXPIRY_FIXED : EXPIRY_NEVER,
                     .expires_at_us = expires_us},
    };
    int64_t ids[PACKAGE_CREDIT_TYPES_MAX];
    size_t n = 0;
    struct err_detail d = {0};
    enum err rc = svc_lot_add(&t->svc, t->tenant_id, &SVC_SYSTEM, &in, ids, &n, &d);
    if (rc != ERR_OK)
        fail_msg("lot: %s %s", err_code(rc), d.message);
    assert_int_equal(n, 1);
    return ids[0];
}

struct testdb_bulk {
    struct testdb *t;
    int64_t customer;
    const char *type;
    size_t n;
    int64_t credits, expires_us, first_id;
};

/* Inserts one lot of the bulk and posts its credits in e. */
static enum err testdb_bulk_lot(struct store_conn *c, struct testdb_bulk *x,
                                const struct credit_type_row *type, struct svc_entry *e)
{
    struct lot_row r = {.tenant_id = x->t->tenant_id,
                        .name = "Bulk",
                        .notes = "",
                        .peak_text = "",
                        .created_by = "system"};
    r.lot = (struct lot){.customer_id = x->customer,
                         .credit_type_id = type->id,
                         .original_minor = x->credits,
                         .remaining_minor = x->credits,
                         .status = LOT_ACTIVE,
                         .source = SOURCE_MANUAL,
                         .created_at_us = x->t->now_us,
                         .starts_at_us = x->t->now_us,
                         .expires_at_us = x->expires_us,
                         .categories = "",
                         .provider = "",
                         .peak = {.multiplier_permille = 1000}};
    enum err rc = svc_lot_insert(c, &r);
    if (rc == ERR_OK && x->first_id == 0)
        x->first_id = r.lot.id;
    return rc == ERR_OK ? svc_entry_post(e, ACCOUNT_LOT, r.lot.id, x->credits) : rc;
}

static enum err testdb_lots_bulk_txn(struct store_conn *c, void *arg)
{
    struct testdb_bulk *x = arg;
    struct arena a;
    arena_init(&a, ARENA_COMMAND_BYTES_MAX);
    struct credit_type_row type;
    struct svc_account acct;
    struct svc_entry e;
    x->first_id = 0;
    enum err rc = svc_type_by_code(c, &a, x->t->tenant_id, x->type, &type, NULL);
    if (rc == ERR_OK)
        rc = svc_account_open(c, &a, x->t->tenant_id, x->customer, &type, x->t->now_us, &acct);
    if (rc == ERR_OK) {
        svc_entry_init(&e, &a, x->t->tenant_id, JOURNAL_GRANT, x->customer, &type, &SVC_SYSTEM,
                       x->t->now_us);
        e.e.reason = "manual";
    }
    for (size_t i = 0; rc == ERR_OK && i < x->n; i++)
        rc = testdb_bulk_lot(c, x, &type, &e);
    int64_t journal_id;
    if (rc == ERR_OK)
        rc = svc_entry_post(&e, ACCOUNT_ISSUED, 0, -(int64_t)x->n * x->credits);
    if (rc == ERR_OK)
        rc = svc_entry_write(c, &e, &acct.acc, &journal_id);
    arena_release(&a);
    return rc;
}

int64_t testdb_lots_bulk(struct testdb *t, int64_t customer, const char *type, size_t n,
                         int64_t credits, int64_t expires_us)
{
    struct testdb_bulk x = {.t = t,
                            .customer = customer,
                            .type = type,
                            .n = n,
                            .credits = credits,
                            .expires_us = expires_us};
    enum err rc = store_write(t->st, testdb_lots_bulk_txn, &x);
    if (rc != ERR_OK)
        fail_msg("bulk lots: %s", err_code(rc));
    return x.first_id;
}

int64_t testdb_service(struct testdb *t, const char *name, const char *kind, const char *category,
                       ...)
{
    struct svc_service_input in = {.row = {.name = name, .kind = kind, .category = category}};
    va_list ap;
    va_start(ap, category);
    const char *code;
    while ((code = va_arg(ap, const char *)) != NULL) {
        in.costs[in.n_costs].credit_type = code;
        in.costs[in.n_costs++].amount_minor = va_arg(ap, int64_t);
    }
    va_end(ap);
    int64_t id = 0;
    struct err_detail d = {0};
    enum err rc = svc_service_create(&t->svc, t->tenant_id, &in, &id, &d);
    if (rc != ERR_OK)
        fail_msg("service: %s %s", err_code(rc), d.message);
    return id;
}

void testdb_balance(struct testdb *t, int64_t customer, const char *type, int64_t *balance,
                    int64_t *available)
{
    struct svc_balance *b;
    size_t n;
    assert_int_equal(svc_balances(&t->svc, &t->arena, t->tenant_id, customer, &b, &n), ERR_OK);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(b[i].credit_type, type) == 0) {
            *balance = b[i].balance_minor;
            if (available != NULL)
                *available = b[i].available_minor;
            return;
        }
    }
    fail_msg("no credit type %s", type);
}

static void testdb_print_finding(const char *finding, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "verify: %s\n", finding);
}

void testdb_assert_verified(struct testdb *t)
{
    int64_t findings = -1;
    assert_int_equal(svc_verify(&t->svc, testdb_print_finding, NULL, &findings), ERR_OK);
    assert_int_equal(findings, 0);
}

struct testdb_query {
    const char *sql;
    int64_t value;
};

static enum err testdb_query_txn(struct store_conn *c, void *arg)
{
    struct testdb_query *q = arg;
    struct store_stmt *s;
    enum err rc = store_prepare(c, q->sql, &s);
    if (rc != ERR_OK)
        return rc;
    enum store_step r = store_step(s);
    q->value = r == STORE_ROW ? store_column_int64(s, 0) : 0;
    store_finish(s);
    return r == STORE_FAILED ? store_conn_err(c) : r == STORE_ROW ? ERR_OK : ERR_NOT_FOUND;
}

int64_t testdb_query_int(struct testdb *t, const char *sql)
{
    /* Prepared statements are cached by the address of their text: a test's
     * literal lives as long as the process. */
    struct testdb_query q = {.sql = sql};
    assert_int_equal(store_read(t->st, testdb_query_txn, &q), ERR_OK);
    return q.value;
}
