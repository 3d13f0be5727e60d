/*
 * Every mutation is atomic. Each test sets a scene, then runs one operation
 * through a store that fails its 1st statement, then its 2nd, and so on until
 * the operation gets through: after every injected failure the whole database
 * (row counts, lot amounts, balances, the hash chain) must be exactly as
 * before, and verify must be clean. Runs on SQLite (where a failure rolls back
 * one savepoint of a group commit) and on PostgreSQL.
 */
#include <stdio.h>
#include <string.h>

#include "testdb.h"

#define DAY   USEC_PER_DAY
#define ACTOR (&(struct svc_actor){.label = "admin@test.example"})

#define FINGERPRINT_N 16

struct fingerprint {
    int64_t v[FINGERPRINT_N];
};

static enum err fingerprint_txn(struct store_conn *c, void *arg)
{
    struct fingerprint *f = arg;
    struct store_stmt *s;
    enum err rc = store_prepare(
        c,
        "SELECT (SELECT COUNT(*) FROM journal), (SELECT COUNT(*) FROM postings), "
        "(SELECT COUNT(*) FROM lots), (SELECT COALESCE(SUM(remaining_minor), 0) FROM lots), "
        "(SELECT COUNT(*) FROM orders), (SELECT COUNT(*) FROM order_allocations), "
        "(SELECT COALESCE(SUM(balance_minor), 0) FROM accounts), "
        "(SELECT COALESCE(SUM(held_minor), 0) FROM accounts), (SELECT COUNT(*) FROM transfers), "
        "(SELECT COUNT(*) FROM lot_events), (SELECT COALESCE(SUM(chain_seq), 0) FROM accounts), "
        "(SELECT COUNT(*) FROM order_events), (SELECT COUNT(*) FROM invoices), "
        "(SELECT COUNT(*) FROM invoice_credits), (SELECT COALESCE(SUM(value), 0) FROM counters), "
        "(SELECT COUNT(*) FROM credit_notes)",
        &s);
    if (rc != ERR_OK)
        return rc;
    if (store_step(s) == STORE_ROW)
        for (int i = 0; i < FINGERPRINT_N; i++)
            f->v[i] = store_column_int64(s, i);
    store_finish(s);
    return ERR_OK;
}

static struct fingerprint fingerprint(struct testdb *t)
{
    struct fingerprint f = {0};
    assert_int_equal(store_read(t->st, fingerprint_txn, &f), ERR_OK);
    return f;
}

/* One operation under test, run on the faulty service. */
typedef enum err (*scenario_fn)(struct testdb *t, struct svc *faulty, void *ctx);

static int64_t faulty_clock(void *ctx)
{
    return ((struct testdb *)ctx)->now_us;
}

/* Runs op with a failure at each step in turn; returns the steps it took. */
static int64_t run_through_every_failure(struct testdb *t, scenario_fn op, void *ctx)
{
    struct store *faulty_store = store_fault_wrap(t->st);
    assert_non_null(faulty_store);
    struct svc faulty;
    struct svc_clock clock = {.now_us = faulty_clock, .ctx = t};
    svc_init(&faulty, faulty_store, &clock);
    int64_t n = 1;
    for (;; n++) {
        assert_true(n < 1000);
        struct fingerprint before = fingerprint(t);
        store_fault_arm(faulty_store, n);
        enum err rc = op(t, &faulty, ctx);
        int64_t steps = store_fault_steps(faulty_store);
        store_fault_arm(faulty_store, 0);
        if (rc == ERR_OK) {
            assert_true(steps < n); /* the fault was never reached */
            struct fingerprint after = fingerprint(t);
            assert_memory_not_equal(&before, &after, sizeof(before));
            break;
        }
        struct fingerprint after = fingerprint(t);
        if (memcmp(&before, &after, sizeof(before)) != 0) {
            for (int i = 0; i < FINGERPRINT_N; i++)
                fprintf(stderr, "fingerprint[%d]: %lld -> %lld\n", i, (long long)before.v[i],
                        (long long)after.v[i]);
            fail_msg("failure at step %lld (%s) left a change behind", (long long)n, err_code(rc));
        }
        testdb_assert_verified(t);
    }
    store_close(faulty_store);
    testdb_assert_verified(t);
    return n;
}

static int setup(void **state)
{
    static struct testdb t;
    testdb_open(&t);
    *state = &t;
    return 0;
}

static int teardown(void **state)
{
    testdb_close(*state);
    return 0;
}

struct scene {
    int64_t customer, other, service, order, lot, package;
};

static enum err place_order(struct testdb *t, struct svc *faulty, void *ctx)
{
    struct scene *s = ctx;
    struct svc_order_input in = {
        .customer_id = s->customer, .credit_type = "master", .n_services = 1};
    in.service_ids[0] = s->service;
    struct svc_order_result r;
    struct err_detail d = {0};
    enum err rc = svc_order_place(faulty, &t->arena, t->tenant_id, ACTOR, &in, &r, &d);
    if (rc == ERR_OK)
        s->order = r.order_id;
    return rc;
}

static void an_order_over_several_lots_with_a_due_expiry_is_atomic(void **state)
{
    struct testdb *t = *state;
    struct scene s = {.customer = testdb_customer(t, "Order")};
    s.service = testdb_service(t, "Nine", "base", "tuning", "master", (int64_t)9, NULL);
    testdb_lot(t, s.customer, "master", 3, TEST_T0 + DAY);
    testdb_lot(t, s.customer, "master", 4, TEST_T0 + 2 * DAY);
    testdb_lot(t, s.customer, "master", 5, TEST_T0 + 9 * DAY);
    testdb_lot(t, s.customer, "master", 7, 0);
    t->now_us = TEST_T0 + DAY + 1; /* the first lot's expiry is due inside the order */
    int64_t steps = run_through_every_failure(t, place_order, &s);
    assert_true(steps > 10);
}

static enum err cancel_order(struct testdb *t, struct svc *faulty, void *ctx)
{
    struct scene *s = ctx;
    struct err_detail d = {0};
    return svc_order_cancel(faulty, t->tenant_id, ACTOR, s->order, "rejected", false, &d);
}

static void a_cancellation_with_a_refund_lot_is_atomic(void **state)
{
    struct testdb *t = *state;
    struct scene s = {.customer = testdb_customer(t, "Cancel")};
    s.service = testdb_service(t, "Six", "base", "tuning", "master", (int64_t)6, NULL);
    testdb_lot(t, s.customer, "master", 4, TEST_T0 + DAY);
    testdb_lot(t, s.customer, "master", 4, 0);
    assert_int_equal(place_order(t, &t->svc, &s), ERR_OK);
    t->now_us += 2 * DAY; /* the first lot has expired: its share needs a refund lot */
    run_through_every_failure(t, cancel_order, &s);
}

static enum err transfer(struct testdb *t, struct svc *faulty, void *ctx)
{
    struct scene *s = ctx;
    struct svc_transfer_input in = {.from_customer_id = s->customer,
                                    .to_customer_id = s->other,
                                    .credit_type = "master",
                                    .amount_minor = 6,
                                    .justification = "moved"};
    int64_t id;
    struct err_detail d = {0};
    return svc_transfer(faulty, t->tenant_id, ACTOR, &in, &id, &d);
}

static void a_transfer_is_atomic(void **state)
{
    struct testdb *t = *state;
    struct scene s = {.customer = testdb_customer(t, "From"), .other = testdb_customer(t, "To")};
    testdb_lot(t, s.customer, "master", 4, 0);
    testdb_lot(t, s.customer, "master", 4, 0);
    testdb_lot(t, s.other, "master", 1, 0);
    run_through_every_failure(t, transfer, &s);
}

static enum err deduct(struct testdb *t, struct svc *faulty, void *ctx)
{
    struct scene *s = ctx;
    struct svc_adjust_input in = {.customer_id = s->customer,
                                  .credit_type = "master",
                                  .amount_minor = -7,
                                  .reason = "correction",
                                  .justification = "double booking"};
    int64_t j;
    struct err_detail d = {0};
    return svc_adjust(faulty, t->tenant_id, ACTOR, &in, &j, &d);
}

static void a_fifo_deduction_is_atomic(void **state)
{
    struct testdb *t = *state;
    struct scene s = {.customer = testdb_customer(t, "Deduct")};
    testdb_lot(t, s.customer, "master", 5, TEST_T0 + 3 * DAY);
    testdb_lot(t, s.customer, "master", 5, 0);
    run_through_every_failure(t, deduct, &s);
}

static enum err deactivate(struct testdb *t, struct svc *faulty, void *ctx)
{
    struct scene *s = ctx;
    struct svc_lot_change ch = {.action = SVC_LOT_DEACTIVATE, .reason = "chargeback"};
    struct err_detail d = {0};
    return svc_lot_change(faulty, t->tenant_id, ACTOR, s->lot, &ch, &d);
}

static void a_deactivation_is_atomic(void **state)
{
    struct testdb *t = *state;
    struct scene s = {.customer = testdb_customer(t, "Deactivate")};
    s.lot = testdb_lot(t, s.customer, "master", 5, 0);
    run_through_every_failure(t, deactivate, &s);
}

static enum err add_package(struct testdb *t, struct svc *faulty, void *ctx)
{
    struct scene *s = ctx;
    struct svc_lot_input in = {
        .customer_id = s->customer, .package_id = s->package, .source = SOURCE_PAYMENT};
    int64_t ids[PACKAGE_CREDIT_TYPES_MAX];
    size_t n;
    struct err_detail d = {0};
    return svc_lot_add(faulty, t->tenant_id, ACTOR, &in, ids, &n, &d);
}

static void a_purchase_of_a_two_type_package_is_atomic(void **state)
{
    struct testdb *t = *state;
    struct scene s = {.customer = testdb_customer(t, "Buyer")};
    struct svc_package_input p = {
        .row = {.name = "Combo", .price_minor = 9900, .vat_rate_bp = -1, .published = true},
        .n_credits = 2,
        .credits = {{"master", 50}, {"slave", 20}}};
    struct err_detail d = {0};
    assert_int_equal(svc_package_create(&t->svc, t->tenant_id, &p, &s.package, &d), ERR_OK);
    run_through_every_failure(t, add_package, &s);
    int64_t b;
    testdb_balance(t, s.customer, "master", &b, NULL);
    assert_int_equal(b, 50);
    testdb_balance(t, s.customer, "slave", &b, NULL);
    assert_int_equal(b, 20);
}

static enum err void_invoice(struct testdb *t, struct svc *faulty, void *ctx)
{
    struct scene *s = ctx;
    struct svc_invoice_view v;
    struct err_detail d = {0};
    return svc_invoice_void(faulty, &t->arena, t->tenant_id, ACTOR, s->order, "cancelled", &v, &d);
}

/* The void of a paid invoice and its credit note's number land together: a
 * failure anywhere takes no number, so the series stays gapless. */
static void voiding_a_paid_invoice_with_its_credit_note_is_atomic(void **state)
{
    struct testdb *t = *state;
    struct scene s = {.customer = testdb_customer(t, "Refunded")};
    struct svc_package_input p = {
        .row = {.name = "Refundable", .price_minor = 5000, .vat_rate_bp = -1, .published = true},
        .n_credits = 1,
        .credits = {{"master", 10}}};
    struct err_detail d = {0};
    assert_int_equal(svc_package_create(&t->svc, t->tenant_id, &p, &s.package, &d), ERR_OK);
    struct svc_lot_input lot = {
        .customer_id = s.customer, .package_id = s.package, .source = SOURCE_PAYMENT};
    struct svc_purchase_input in = {.customer_id = s.customer,
                                    .lot = &lot,
                                    .gateway = "admin",
                                    .status = "paid",
                                    .expect_due_minor = -1};
    struct svc_invoice_view v;
    assert_int_equal(svc_purchase(&t->svc, &t->arena, t->tenant_id, ACTOR, &in, &v, &d), ERR_OK);
    assert_string_equal(v.row.status, "paid");
    s.order = v.row.id; /* the invoice */
    run_through_every_failure(t, void_invoice, &s);
    assert_int_equal(svc_invoice_read(&t->svc, &t->arena, t->tenant_id, s.order, 0, &v), ERR_OK);
    assert_string_equal(v.row.status, "void");
    assert_true(v.has_credit_note);
    assert_non_null(strstr(v.credit_note.number, "-000001"));
    assert_int_equal(v.credit_note.gross_minor, v.row.gross_minor);
}

static enum err complete_order(struct testdb *t, struct svc *faulty, void *ctx)
{
    struct scene *s = ctx;
    struct err_detail d = {0};
    return svc_order_set_status(faulty, t->tenant_id, ACTOR, s->order, "completed", &d);
}

static void capturing_a_held_order_is_atomic(void **state)
{
    struct testdb *t = *state;
    struct tenant_row row;
    struct err_detail d = {0};
    assert_int_equal(svc_tenant_get(&t->svc, &t->arena, t->tenant_id, &row), ERR_OK);
    row.charge_on = "delivery";
    assert_int_equal(svc_settings_update(&t->svc, &row, &d), ERR_OK);
    struct scene s = {.customer = testdb_customer(t, "Held")};
    s.service = testdb_service(t, "Three", "base", "tuning", "master", (int64_t)3, NULL);
    testdb_lot(t, s.customer, "master", 5, 0);
    assert_int_equal(place_order(t, &t->svc, &s), ERR_OK);
    run_through_every_failure(t, complete_order, &s);
}

/* The expiry job is a batch of independent transactions, one per account:
 * a failure may come after an account's expiry committed. What must hold is
 * that each account's expiry lands whole or not at all. */
static void expiry_of_one_account_lands_whole_or_not_at_all(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Expire");
    testdb_lot(t, cus, "master", 5, TEST_T0 + DAY);
    testdb_lot(t, cus, "master", 6, TEST_T0 + DAY);
    t->now_us += 2 * DAY;
    struct store *faulty_store = store_fault_wrap(t->st);
    struct svc faulty;
    struct svc_clock clock = {.now_us = faulty_clock, .ctx = t};
    svc_init(&faulty, faulty_store, &clock);
    struct fingerprint start = fingerprint(t);
    for (int64_t n = 1; n < 1000; n++) {
        store_fault_arm(faulty_store, n);
        int64_t count = 0;
        enum err rc = svc_expire(&faulty, 0, &count);
        store_fault_arm(faulty_store, 0);
        struct fingerprint now = fingerprint(t);
        testdb_assert_verified(t);
        if (memcmp(&start, &now, sizeof(now)) == 0) {
            assert_int_not_equal(rc, ERR_OK);
            continue;
        }
        /* Both lots expired in one go: two entries, nothing left. */
        assert_int_equal(now.v[0], start.v[0] + 2);
        assert_int_equal(now.v[3], 0);
        assert_int_equal(now.v[6], 0);
        break;
    }
    int64_t b;
    testdb_balance(t, cus, "master", &b, NULL);
    assert_int_equal(b, 0);
    store_close(faulty_store);
}

/* ---- the shop ------------------------------------------------------------ */

struct shop_scene {
    int64_t customer, package, invoice;
};

static void shop_scene_setup(struct testdb *t, struct shop_scene *s, int64_t eur_minor)
{
    struct credit_type_row eur = {.code = "eur",
                                  .name = "Store credit",
                                  .scale = 2,
                                  .kind = CREDIT_MONETARY,
                                  .unit_value_minor = 100,
                                  .spendable = true};
    int64_t id;
    struct err_detail d = {0};
    assert_int_equal(svc_credit_type_create(&t->svc, t->tenant_id, &eur, &id, &d), ERR_OK);
    struct svc_package_input p = {
        .row = {.name = "Combo", .price_minor = 10000, .vat_rate_bp = -1, .published = true},
        .n_credits = 2,
        .credits = {{"master", 50}, {"slave", 20}}};
    assert_int_equal(svc_package_create(&t->svc, t->tenant_id, &p, &s->package, &d), ERR_OK);
    s->customer = testdb_customer(t, "Shop");
    testdb_lot(t, s->customer, "eur", eur_minor / 2, 0);
    testdb_lot(t, s->customer, "eur", eur_minor - eur_minor / 2, t->now_us + 30 * DAY);
}

static enum err shop_purchase(struct testdb *t, struct svc *faulty, void *ctx)
{
    struct shop_scene *s = ctx;
    struct svc_purchase_input in = {.customer_id = s->customer,
                                    .package_id = s->package,
                                    .gateway = "manual",
                                    .expect_due_minor = -1};
    struct svc_invoice_view v;
    struct err_detail d = {0};
    enum err rc = svc_purchase(faulty, &t->arena, t->tenant_id, ACTOR, &in, &v, &d);
    if (rc == ERR_OK)
        s->invoice = v.row.id;
    return rc;
}

static void a_purchase_paid_by_store_credit_is_atomic(void **state)
{
    struct testdb *t = *state;
    struct shop_scene s;
    shop_scene_setup(t, &s, 20000);
    run_through_every_failure(t, shop_purchase, &s);
    int64_t b;
    testdb_balance(t, s.customer, "eur", &b, NULL);
    assert_int_equal(b, 20000 - 11900);
    testdb_balance(t, s.customer, "slave", &b, NULL);
    assert_int_equal(b, 20);
}

static void a_purchase_holding_part_of_the_store_credit_is_atomic(void **state)
{
    struct testdb *t = *state;
    struct shop_scene s;
    shop_scene_setup(t, &s, 5000);
    run_through_every_failure(t, shop_purchase, &s);
    int64_t b, a;
    testdb_balance(t, s.customer, "eur", &b, &a);
    assert_int_equal(b, 5000);
    assert_int_equal(a, 0);
}

static enum err shop_void(struct testdb *t, struct svc *faulty, void *ctx)
{
    struct shop_scene *s = ctx;
    struct svc_invoice_view v;
    struct err_detail d = {0};
    return svc_invoice_void(faulty, &t->arena, t->tenant_id, ACTOR, s->invoice, "chargeback", &v,
                            &d);
}

static void voiding_a_paid_invoice_is_atomic(void **state)
{
    struct testdb *t = *state;
    struct shop_scene s;
    shop_scene_setup(t, &s, 20000);
    assert_int_equal(shop_purchase(t, &t->svc, &s), ERR_OK);
    t->now_us += 40 * DAY; /* one store credit lot has expired: its part goes to a refund lot */
    run_through_every_failure(t, shop_void, &s);
    int64_t b;
    testdb_balance(t, s.customer, "master", &b, NULL);
    assert_int_equal(b, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(an_order_over_several_lots_with_a_due_expiry_is_atomic),
        T(a_cancellation_with_a_refund_lot_is_atomic),
        T(a_transfer_is_atomic),
        T(a_fifo_deduction_is_atomic),
        T(a_deactivation_is_atomic),
        T(a_purchase_of_a_two_type_package_is_atomic),
        T(voiding_a_paid_invoice_with_its_credit_note_is_atomic),
        T(capturing_a_held_order_is_atomic),
        T(expiry_of_one_account_lands_whole_or_not_at_all),
        T(a_purchase_paid_by_store_credit_is_atomic),
        T(a_purchase_holding_part_of_the_store_credit_is_atomic),
        T(voiding_a_paid_invoice_is_atomic),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
