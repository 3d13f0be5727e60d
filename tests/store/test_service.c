/*
 * The ledger rules of DESIGN.md §2 and §3, through the service layer, against
 * a real database (SQLite, or PostgreSQL when CREDITD_TEST_DB is set). Each
 * rule has its success case and its refusal case, and every refusal checks
 * that nothing changed: balances, lots and the journal are as before.
 */
#include <stdio.h>
#include <string.h>

#include "testdb.h"

#define DAY   USEC_PER_DAY
#define HOUR  USEC_PER_HOUR
#define ACTOR (&(struct svc_actor){.user_id = 0, .label = "admin@test.example"})

/* ---- helpers ----------------------------------------------------------- */

struct snapshot {
    int64_t journal;
    int64_t balance[2];
    int64_t available[2];
    int64_t lots_remaining;
};

static enum err count_entry(const struct journal_row *r, void *ctx)
{
    (void)r;
    ++*(int64_t *)ctx;
    return ERR_OK;
}

struct count_ctx {
    struct testdb *t;
    int64_t customer;
    struct snapshot *s;
};

static enum err snapshot_txn(struct store_conn *c, void *arg)
{
    struct count_ctx *x = arg;
    struct journal_filter f = {.tenant_id = x->t->tenant_id, .oldest_first = true};
    enum err rc = store_journal_scan(c, &x->t->arena, &f, count_entry, &x->s->journal);
    struct lot_row *lots;
    size_t n;
    if (rc == ERR_OK)
        rc = store_lot_list_customer(c, &x->t->arena, x->t->tenant_id, x->customer, &lots, &n);
    for (size_t i = 0; rc == ERR_OK && i < n; i++)
        x->s->lots_remaining += lots[i].lot.remaining_minor;
    return rc;
}

static struct snapshot snapshot(struct testdb *t, int64_t customer)
{
    struct snapshot s = {0};
    struct count_ctx x = {.t = t, .customer = customer, .s = &s};
    assert_int_equal(store_read(t->svc.st, snapshot_txn, &x), ERR_OK);
    testdb_balance(t, customer, "master", &s.balance[0], &s.available[0]);
    testdb_balance(t, customer, "slave", &s.balance[1], &s.available[1]);
    return s;
}

static void assert_unchanged(struct testdb *t, int64_t customer, const struct snapshot *before)
{
    struct snapshot now = snapshot(t, customer);
    assert_int_equal(now.journal, before->journal);
    assert_int_equal(now.balance[0], before->balance[0]);
    assert_int_equal(now.balance[1], before->balance[1]);
    assert_int_equal(now.available[0], before->available[0]);
    assert_int_equal(now.lots_remaining, before->lots_remaining);
}

struct lot_ctx {
    struct testdb *t;
    int64_t id;
    struct lot_row row;
};

static enum err lot_get_txn(struct store_conn *c, void *arg)
{
    struct lot_ctx *x = arg;
    return store_lot_get(c, &x->t->arena, x->t->tenant_id, x->id, false, &x->row);
}

static struct lot_row lot_get(struct testdb *t, int64_t id)
{
    struct lot_ctx x = {.t = t, .id = id};
    assert_int_equal(store_read(t->svc.st, lot_get_txn, &x), ERR_OK);
    return x.row;
}

static enum err order_of(struct testdb *t, int64_t customer, const char *type, int64_t service,
                         struct svc_order_result *out, struct err_detail *d)
{
    struct svc_order_input in = {.customer_id = customer, .credit_type = type, .n_services = 1};
    in.service_ids[0] = service;
    return svc_order_place(&t->svc, &t->arena, t->tenant_id, ACTOR, &in, out, d);
}

static int64_t balance_of(struct testdb *t, int64_t customer, const char *type)
{
    int64_t b, a;
    testdb_balance(t, customer, type, &b, &a);
    return b;
}

static int64_t available_of(struct testdb *t, int64_t customer, const char *type)
{
    int64_t b, a;
    testdb_balance(t, customer, type, &b, &a);
    return a;
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

/* ---- rule 1: never negative -------------------------------------------- */

static void an_order_for_exactly_the_balance_succeeds_and_leaves_zero(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Exact");
    int64_t stage1 = testdb_service(t, "Stage 1", "base", "tuning", "master", (int64_t)6, NULL);
    testdb_lot(t, cus, "master", 6, 0);
    struct svc_order_result r;
    struct err_detail d = {0};
    assert_int_equal(order_of(t, cus, "master", stage1, &r, &d), ERR_OK);
    assert_int_equal(r.quote.total_minor, 6);
    assert_int_equal(balance_of(t, cus, "master"), 0);
    testdb_assert_verified(t);
}

static void an_order_one_credit_short_fails_whole_and_changes_nothing(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Short");
    int64_t stage1 = testdb_service(t, "Stage 1", "base", "tuning", "master", (int64_t)6, NULL);
    testdb_lot(t, cus, "master", 3, 0);
    testdb_lot(t, cus, "master", 2, 0);
    struct snapshot before = snapshot(t, cus);
    struct svc_order_result r;
    struct err_detail d = {0};
    assert_int_equal(order_of(t, cus, "master", stage1, &r, &d), ERR_INSUFFICIENT_CREDITS);
    assert_int_equal(d.shortfall_minor, 1);
    assert_int_equal(d.available_minor, 5);
    assert_int_equal(d.requested_minor, 6);
    assert_unchanged(t, cus, &before);
    testdb_assert_verified(t);
}

static void a_deduction_beyond_the_balance_is_refused(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Deduct");
    testdb_lot(t, cus, "master", 4, 0);
    struct snapshot before = snapshot(t, cus);
    struct svc_adjust_input in = {.customer_id = cus,
                                  .credit_type = "master",
                                  .amount_minor = -5,
                                  .reason = "correction",
                                  .justification = "typo"};
    int64_t j;
    struct err_detail d = {0};
    assert_int_equal(svc_adjust(&t->svc, t->tenant_id, ACTOR, &in, &j, &d),
                     ERR_INSUFFICIENT_CREDITS);
    assert_int_equal(d.shortfall_minor, 1);
    assert_unchanged(t, cus, &before);
}

static void amounts_past_the_maximum_are_refused(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Huge");
    struct svc_lot_input in = {.customer_id = cus,
                               .credit_type = "master",
                               .credits_minor = AMOUNT_MAX_MINOR + 1,
                               .source = SOURCE_MANUAL};
    int64_t ids[8];
    size_t n;
    struct err_detail d = {0};
    assert_int_equal(svc_lot_add(&t->svc, t->tenant_id, ACTOR, &in, ids, &n, &d), ERR_OVERFLOW);
    /* Two maximal lots would overflow nothing, but their sum passes the limit. */
    in.credits_minor = AMOUNT_MAX_MINOR;
    assert_int_equal(svc_lot_add(&t->svc, t->tenant_id, ACTOR, &in, ids, &n, &d), ERR_OK);
    struct snapshot before = snapshot(t, cus);
    assert_int_equal(svc_lot_add(&t->svc, t->tenant_id, ACTOR, &in, ids, &n, &d), ERR_OVERFLOW);
    assert_unchanged(t, cus, &before);
    testdb_assert_verified(t);
}

/* ---- rule 2: allocation order ------------------------------------------ */

static void allocation_takes_the_lot_expiring_first(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "FIFO");
    int64_t svc3 = testdb_service(t, "Three", "base", "tuning", "master", (int64_t)3, NULL);
    /* The design's example: B (10, 15 April) is older than A (5, 1 March). */
    int64_t b = testdb_lot(t, cus, "master", 10, TEST_T0 + 45 * DAY);
    int64_t a2 = testdb_lot(t, cus, "master", 5, TEST_T0 + DAY);
    struct svc_order_result r;
    struct err_detail d = {0};
    assert_int_equal(order_of(t, cus, "master", svc3, &r, &d), ERR_OK);
    assert_int_equal(lot_get(t, a2).lot.remaining_minor, 2);
    assert_int_equal(lot_get(t, b).lot.remaining_minor, 10);
    assert_int_equal(r.quote.n_draws, 1);
    assert_int_equal(r.quote.draws[0].lot_id, a2);
    testdb_assert_verified(t);
}

static void allocation_prefers_a_restricted_lot_that_admits_the_order(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Restricted");
    int64_t yoga = testdb_service(t, "Yoga", "base", "courses", "master", (int64_t)2, NULL);
    int64_t tune = testdb_service(t, "Tune", "base", "tuning", "master", (int64_t)2, NULL);
    int64_t plain = testdb_lot(t, cus, "master", 10, TEST_T0 + DAY);
    struct svc_lot_input in = {.customer_id = cus,
                               .credit_type = "master",
                               .credits_minor = 4,
                               .source = SOURCE_PROMOTION,
                               .categories = "courses"};
    int64_t ids[8];
    size_t n;
    struct err_detail d = {0};
    assert_int_equal(svc_lot_add(&t->svc, t->tenant_id, ACTOR, &in, ids, &n, &d), ERR_OK);
    struct svc_order_result r;
    assert_int_equal(order_of(t, cus, "master", yoga, &r, &d), ERR_OK);
    assert_int_equal(lot_get(t, ids[0]).lot.remaining_minor, 2);
    assert_int_equal(lot_get(t, plain).lot.remaining_minor, 10);
    /* A tuning order cannot use the course credits. */
    assert_int_equal(order_of(t, cus, "master", tune, &r, &d), ERR_OK);
    assert_int_equal(lot_get(t, ids[0]).lot.remaining_minor, 2);
    assert_int_equal(lot_get(t, plain).lot.remaining_minor, 8);
    testdb_assert_verified(t);
}

static void a_first_use_lot_starts_at_its_first_booking(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "FirstUse");
    int64_t svc1 = testdb_service(t, "One", "base", "tuning", "master", (int64_t)1, NULL);
    struct svc_lot_input in = {.customer_id = cus,
                               .credit_type = "master",
                               .credits_minor = 5,
                               .source = SOURCE_MANUAL,
                               .validity = {.start = START_FIRST_USE,
                                            .expiry = EXPIRY_DAYS_FROM_START,
                                            .expiry_days = 10}};
    int64_t ids[8];
    size_t n;
    struct err_detail d = {0};
    assert_int_equal(svc_lot_add(&t->svc, t->tenant_id, ACTOR, &in, ids, &n, &d), ERR_OK);
    assert_int_equal(lot_get(t, ids[0]).lot.expires_at_us, 0);
    t->now_us += 20 * DAY;
    struct svc_order_result r;
    assert_int_equal(order_of(t, cus, "master", svc1, &r, &d), ERR_OK);
    struct lot_row l = lot_get(t, ids[0]);
    assert_int_equal(l.lot.starts_at_us, t->now_us);
    assert_int_equal(l.lot.expires_at_us, t->now_us + 10 * DAY);
    testdb_assert_verified(t);
}

/* ---- rule 3: peak multiplier ------------------------------------------- */

static void peak_hours_multiply_the_credits_drawn_rounding_up(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Peak");
    int64_t svc3 = testdb_service(t, "Course", "base", "courses", "master", (int64_t)3, NULL);
    struct svc_lot_input in = {.customer_id = cus,
                               .credit_type = "master",
                               .credits_minor = 20,
                               .source = SOURCE_MANUAL,
                               .peak = "1.5x Mon-Fri 07:00-09:00, Mon-Fri 17:00-20:00"};
    int64_t ids[8];
    size_t n;
    struct err_detail d = {0};
    assert_int_equal(svc_lot_add(&t->svc, t->tenant_id, ACTOR, &in, ids, &n, &d), ERR_OK);
    /* Monday 2 March 2026, 08:00 UTC (the test tenant's zone): in the window. */
    t->now_us = TEST_T0 + DAY - 2 * HOUR;
    struct svc_quote q;
    struct svc_order_input oi = {.customer_id = cus, .credit_type = "master", .n_services = 1};
    oi.service_ids[0] = svc3;
    assert_int_equal(svc_quote(&t->svc, &t->arena, t->tenant_id, &oi, &q, &d), ERR_OK);
    assert_int_equal(q.base_minor, 3);
    assert_int_equal(q.total_minor, 5); /* 4.5 rounded up */
    struct svc_order_result r;
    assert_int_equal(order_of(t, cus, "master", svc3, &r, &d), ERR_OK);
    assert_int_equal(r.quote.total_minor, 5);
    assert_int_equal(lot_get(t, ids[0]).lot.remaining_minor, 15);
    /* 10:00 is outside the window: plain price. */
    t->now_us += 2 * HOUR;
    assert_int_equal(order_of(t, cus, "master", svc3, &r, &d), ERR_OK);
    assert_int_equal(r.quote.total_minor, 3);
    assert_int_equal(lot_get(t, ids[0]).lot.remaining_minor, 12);
    testdb_assert_verified(t);
}

/* ---- rule 4: quote before commit --------------------------------------- */

static void a_quote_changes_nothing_and_the_order_charges_exactly_it(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Quote");
    int64_t s1 = testdb_service(t, "Stage 1", "base", "tuning", "master", (int64_t)6, "slave",
                                (int64_t)4, NULL);
    int64_t dpf = testdb_service(t, "DPF", "addon", "tuning", "master", (int64_t)2, NULL);
    testdb_lot(t, cus, "master", 5, TEST_T0 + 2 * DAY);
    testdb_lot(t, cus, "master", 10, 0);
    struct svc_order_input in = {.customer_id = cus, .credit_type = "master", .n_services = 2};
    in.service_ids[0] = s1;
    in.service_ids[1] = dpf;
    struct snapshot before = snapshot(t, cus);
    struct svc_quote q;
    struct err_detail d = {0};
    assert_int_equal(svc_quote(&t->svc, &t->arena, t->tenant_id, &in, &q, &d), ERR_OK);
    assert_unchanged(t, cus, &before);
    assert_int_equal(q.total_minor, 8);
    assert_int_equal(q.n_lines, 2);
    assert_int_equal(q.n_draws, 2);
    assert_int_equal(q.balance_after_minor, 7);
    struct svc_order_result r;
    assert_int_equal(svc_order_place(&t->svc, &t->arena, t->tenant_id, ACTOR, &in, &r, &d), ERR_OK);
    assert_int_equal(r.quote.total_minor, q.total_minor);
    assert_int_equal(r.quote.n_draws, q.n_draws);
    for (size_t i = 0; i < q.n_draws; i++) {
        assert_int_equal(r.quote.draws[i].lot_id, q.draws[i].lot_id);
        assert_int_equal(r.quote.draws[i].amount_minor, q.draws[i].amount_minor);
    }
    assert_int_equal(balance_of(t, cus, "master"), q.balance_after_minor);
    assert_string_equal(r.reference, "ORD-2026-000001");
    /* A service without a price in the type is refused, naming the field. */
    in.credit_type = "slave";
    assert_int_equal(svc_quote(&t->svc, &t->arena, t->tenant_id, &in, &q, &d), ERR_VALIDATION);
    assert_string_equal(d.field, "services");
}

/* ---- rule 5: refunds go home ------------------------------------------- */

static void cancelling_returns_each_amount_to_its_lot(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Refund");
    int64_t s8 = testdb_service(t, "Eight", "base", "tuning", "master", (int64_t)8, NULL);
    int64_t a = testdb_lot(t, cus, "master", 5, TEST_T0 + DAY);
    int64_t b = testdb_lot(t, cus, "master", 10, 0);
    struct svc_order_result r;
    struct err_detail d = {0};
    assert_int_equal(order_of(t, cus, "master", s8, &r, &d), ERR_OK);
    assert_int_equal(lot_get(t, a).lot.remaining_minor, 0);
    assert_string_equal(lot_status_name(lot_get(t, a).lot.status), "exhausted");
    assert_int_equal(lot_get(t, b).lot.remaining_minor, 7);
    assert_int_equal(
        svc_order_cancel(&t->svc, t->tenant_id, ACTOR, r.order_id, "wrong file", false, &d),
        ERR_OK);
    assert_int_equal(lot_get(t, a).lot.remaining_minor, 5);
    assert_string_equal(lot_status_name(lot_get(t, a).lot.status), "active");
    assert_int_equal(lot_get(t, b).lot.remaining_minor, 10);
    assert_int_equal(balance_of(t, cus, "master"), 15);
    /* Cancelling twice is refused and changes nothing. */
    struct snapshot before = snapshot(t, cus);
    assert_int_equal(svc_order_cancel(&t->svc, t->tenant_id, ACTOR, r.order_id, "again", false, &d),
                     ERR_ORDER_STATE);
    assert_unchanged(t, cus, &before);
    testdb_assert_verified(t);
}

static void a_refund_to_an_expired_lot_goes_to_a_new_refund_lot(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Expired refund");
    int64_t s4 = testdb_service(t, "Four", "base", "tuning", "master", (int64_t)4, NULL);
    int64_t a = testdb_lot(t, cus, "master", 4, TEST_T0 + DAY);
    struct svc_order_result r;
    struct err_detail d = {0};
    assert_int_equal(order_of(t, cus, "master", s4, &r, &d), ERR_OK);
    t->now_us += 2 * DAY; /* lot a is past its expiry now */
    assert_int_equal(
        svc_order_cancel(&t->svc, t->tenant_id, ACTOR, r.order_id, "rejected", false, &d), ERR_OK);
    assert_int_equal(lot_get(t, a).lot.remaining_minor, 0);
    assert_int_equal(balance_of(t, cus, "master"), 4);
    struct lot_row *lots;
    size_t n;
    struct count_ctx unused = {0};
    (void)unused;
    struct lot_ctx x = {.t = t};
    (void)x;
    struct snapshot s = snapshot(t, cus);
    assert_int_equal(s.lots_remaining, 4);
    /* The new lot is a refund lot valid for the tenant's 30 days. */
    int64_t refund_id = a + 1;
    struct lot_row refund = lot_get(t, refund_id);
    assert_string_equal(lot_source_name(refund.lot.source), "refund");
    assert_int_equal(refund.lot.expires_at_us, t->now_us + 30 * DAY);
    (void)lots;
    (void)n;
    testdb_assert_verified(t);
}

/* ---- rule 6: manual adjustments need a reason -------------------------- */

static void a_deduction_needs_a_known_reason_and_a_justification(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Reason");
    int64_t lot = testdb_lot(t, cus, "master", 10, 0);
    struct snapshot before = snapshot(t, cus);
    struct svc_deduct_input in = {.customer_id = cus,
                                  .lot_id = lot,
                                  .amount_minor = 3,
                                  .reason = "because",
                                  .justification = "x"};
    int64_t j;
    struct err_detail d = {0};
    assert_int_equal(svc_deduct(&t->svc, t->tenant_id, ACTOR, &in, &j, &d), ERR_VALIDATION);
    assert_string_equal(d.field, "reason");
    in.reason = "compensation";
    in.justification = "   ";
    assert_int_equal(svc_deduct(&t->svc, t->tenant_id, ACTOR, &in, &j, &d), ERR_VALIDATION);
    assert_string_equal(d.field, "justification");
    assert_unchanged(t, cus, &before);
    in.justification = "File redone for free";
    assert_int_equal(svc_deduct(&t->svc, t->tenant_id, ACTOR, &in, &j, &d), ERR_OK);
    assert_int_equal(lot_get(t, lot).lot.remaining_minor, 7);
    testdb_assert_verified(t);
}

struct last_entry_ctx {
    struct journal_row row;
    char actor[64], reason[64], justification[64];
};

static enum err last_entry_cb(const struct journal_row *r, void *arg)
{
    struct last_entry_ctx *x = arg;
    x->row = *r;
    str_copy(x->actor, sizeof(x->actor), r->entry.actor);
    str_copy(x->reason, sizeof(x->reason), r->entry.reason);
    str_copy(x->justification, sizeof(x->justification), r->entry.justification);
    return ERR_OK;
}

struct last_ctx {
    struct testdb *t;
    struct last_entry_ctx *out;
};

static enum err last_entry_txn(struct store_conn *c, void *arg)
{
    struct last_ctx *x = arg;
    struct journal_filter f = {.tenant_id = x->t->tenant_id, .limit = 1, .with_postings = true};
    return store_journal_scan(c, &x->t->arena, &f, last_entry_cb, x->out);
}

static void last_entry(struct testdb *t, struct last_entry_ctx *out)
{
    struct last_ctx x = {.t = t, .out = out};
    assert_int_equal(store_read(t->svc.st, last_entry_txn, &x), ERR_OK);
}

static void an_adjustment_records_actor_reason_and_running_balance(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Adjust");
    testdb_lot(t, cus, "master", 10, 0);
    struct svc_adjust_input in = {.customer_id = cus,
                                  .credit_type = "master",
                                  .amount_minor = 5,
                                  .reason = "goodwill",
                                  .justification = "Loyal customer"};
    int64_t j;
    struct err_detail d = {0};
    assert_int_equal(svc_adjust(&t->svc, t->tenant_id, ACTOR, &in, &j, &d), ERR_OK);
    struct last_entry_ctx e;
    last_entry(t, &e);
    assert_string_equal(journal_kind_name(e.row.entry.kind), "adjustment");
    assert_string_equal(e.actor, "admin@test.example");
    assert_string_equal(e.reason, "goodwill");
    assert_string_equal(e.justification, "Loyal customer");
    assert_int_equal(e.row.entry.amount_minor, 5);
    assert_int_equal(e.row.entry.balance_after_minor, 15);
    in.amount_minor = -12;
    in.reason = "correction";
    assert_int_equal(svc_adjust(&t->svc, t->tenant_id, ACTOR, &in, &j, &d), ERR_OK);
    last_entry(t, &e);
    assert_int_equal(e.row.entry.amount_minor, -12);
    assert_int_equal(e.row.entry.balance_after_minor, 3);
    in.amount_minor = 0;
    assert_int_equal(svc_adjust(&t->svc, t->tenant_id, ACTOR, &in, &j, &d), ERR_VALIDATION);
    testdb_assert_verified(t);
}

/* ---- rule 7: lots are managed, not edited ------------------------------ */

static void a_paused_lot_cannot_be_spent_and_its_expiry_moves_on_resume(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Pause");
    int64_t s2 = testdb_service(t, "Two", "base", "tuning", "master", (int64_t)2, NULL);
    int64_t lot = testdb_lot(t, cus, "master", 10, TEST_T0 + 10 * DAY);
    struct svc_lot_change ch = {.action = SVC_LOT_PAUSE, .reason = "holiday"};
    struct err_detail d = {0};
    assert_int_equal(svc_lot_change(&t->svc, t->tenant_id, ACTOR, lot, &ch, &d), ERR_OK);
    assert_int_equal(balance_of(t, cus, "master"), 10);
    assert_int_equal(available_of(t, cus, "master"), 0);
    struct svc_order_result r;
    assert_int_equal(order_of(t, cus, "master", s2, &r, &d), ERR_INSUFFICIENT_CREDITS);
    /* Paused across its original expiry: resumed 15 days later, it lives on. */
    t->now_us += 15 * DAY;
    assert_int_equal(balance_of(t, cus, "master"), 10);
    ch.action = SVC_LOT_RESUME;
    assert_int_equal(svc_lot_change(&t->svc, t->tenant_id, ACTOR, lot, &ch, &d), ERR_OK);
    assert_int_equal(lot_get(t, lot).lot.expires_at_us, TEST_T0 + 25 * DAY);
    assert_int_equal(order_of(t, cus, "master", s2, &r, &d), ERR_OK);
    /* Resuming an active lot is refused. */
    assert_int_equal(svc_lot_change(&t->svc, t->tenant_id, ACTOR, lot, &ch, &d), ERR_LOT_STATE);
    testdb_assert_verified(t);
}

static void extend_moves_expiry_later_only(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Extend");
    int64_t lot = testdb_lot(t, cus, "master", 10, TEST_T0 + 10 * DAY);
    struct svc_lot_change ch = {.action = SVC_LOT_EXTEND, .expires_at_us = TEST_T0 + 5 * DAY};
    struct err_detail d = {0};
    assert_int_equal(svc_lot_change(&t->svc, t->tenant_id, ACTOR, lot, &ch, &d), ERR_VALIDATION);
    assert_string_equal(d.field, "expires_at");
    ch.expires_at_us = TEST_T0 + 40 * DAY;
    assert_int_equal(svc_lot_change(&t->svc, t->tenant_id, ACTOR, lot, &ch, &d), ERR_OK);
    assert_int_equal(lot_get(t, lot).lot.expires_at_us, TEST_T0 + 40 * DAY);
    struct lot_event_row *h;
    size_t n;
    struct lot_ctx x = {.t = t, .id = lot};
    (void)x;
    (void)h;
    (void)n;
    testdb_assert_verified(t);
}

static void deactivation_takes_credits_out_and_reactivation_brings_them_back(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Deactivate");
    int64_t lot = testdb_lot(t, cus, "master", 10, TEST_T0 + 10 * DAY);
    struct svc_lot_change ch = {.action = SVC_LOT_DEACTIVATE, .reason = "chargeback"};
    struct err_detail d = {0};
    assert_int_equal(svc_lot_change(&t->svc, t->tenant_id, ACTOR, lot, &ch, &d), ERR_OK);
    assert_int_equal(balance_of(t, cus, "master"), 0);
    struct last_entry_ctx e;
    last_entry(t, &e);
    assert_string_equal(journal_kind_name(e.row.entry.kind), "deactivation");
    assert_int_equal(e.row.entry.amount_minor, -10);
    ch.action = SVC_LOT_REACTIVATE;
    assert_int_equal(svc_lot_change(&t->svc, t->tenant_id, ACTOR, lot, &ch, &d), ERR_OK);
    assert_int_equal(balance_of(t, cus, "master"), 10);
    /* Deactivated again and past its expiry: the credits never come back. */
    ch.action = SVC_LOT_DEACTIVATE;
    assert_int_equal(svc_lot_change(&t->svc, t->tenant_id, ACTOR, lot, &ch, &d), ERR_OK);
    t->now_us += 11 * DAY;
    struct snapshot before = snapshot(t, cus);
    ch.action = SVC_LOT_REACTIVATE;
    assert_int_equal(svc_lot_change(&t->svc, t->tenant_id, ACTOR, lot, &ch, &d), ERR_LOT_EXPIRED);
    assert_unchanged(t, cus, &before);
    testdb_assert_verified(t);
}

static void name_and_notes_change_but_not_the_credit_count(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Edit");
    int64_t lot = testdb_lot(t, cus, "master", 10, 0);
    struct svc_lot_change ch = {.action = SVC_LOT_EDIT, .name = "Summer pack", .notes = "VIP"};
    struct err_detail d = {0};
    assert_int_equal(svc_lot_change(&t->svc, t->tenant_id, ACTOR, lot, &ch, &d), ERR_OK);
    struct lot_row r = lot_get(t, lot);
    assert_string_equal(r.name, "Summer pack");
    assert_string_equal(r.notes, "VIP");
    assert_int_equal(r.lot.remaining_minor, 10);
    testdb_assert_verified(t);
}

struct history_ctx {
    struct testdb *t;
    int64_t lot;
    struct lot_event_row *rows;
    size_t n;
};

static enum err history_txn(struct store_conn *c, void *arg)
{
    struct history_ctx *x = arg;
    return store_lot_history(c, &x->t->arena, x->t->tenant_id, x->lot, &x->rows, &x->n);
}

static void a_lot_history_lists_every_change_attributed(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "History");
    int64_t s2 = testdb_service(t, "Two", "base", "tuning", "master", (int64_t)2, NULL);
    int64_t lot = testdb_lot(t, cus, "master", 10, TEST_T0 + 10 * DAY);
    struct err_detail d = {0};
    struct svc_order_result r;
    t->now_us += HOUR;
    assert_int_equal(order_of(t, cus, "master", s2, &r, &d), ERR_OK);
    struct svc_lot_change steps[] = {
        {.action = SVC_LOT_PAUSE, .reason = "holiday"},
        {.action = SVC_LOT_RESUME},
        {.action = SVC_LOT_EXTEND, .expires_at_us = TEST_T0 + 60 * DAY},
        {.action = SVC_LOT_EDIT, .name = "Renamed"},
    };
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        t->now_us += HOUR;
        assert_int_equal(svc_lot_change(&t->svc, t->tenant_id, ACTOR, lot, &steps[i], &d), ERR_OK);
    }
    t->now_us += HOUR;
    assert_int_equal(svc_order_cancel(&t->svc, t->tenant_id, ACTOR, r.order_id, "redo", false, &d),
                     ERR_OK);
    struct history_ctx x = {.t = t, .lot = lot};
    assert_int_equal(store_read(t->svc.st, history_txn, &x), ERR_OK);
    static const char *const kinds[] = {"grant",  "order", "pause", "resume",
                                        "extend", "edit",  "refund"};
    static const int64_t amounts[] = {10, -2, 0, 0, 0, 0, 2};
    assert_int_equal(x.n, 7);
    for (size_t i = 0; i < x.n; i++) {
        assert_string_equal(x.rows[i].kind, kinds[i]);
        assert_int_equal(x.rows[i].amount_minor, amounts[i]);
    }
    assert_string_equal(x.rows[2].actor, "admin@test.example");
    assert_non_null(strstr(x.rows[2].detail, "holiday"));
    assert_non_null(strstr(x.rows[4].detail, "->"));
}

/* ---- rule 8: expiry ---------------------------------------------------- */

static void balances_exclude_expired_lots_before_the_job_runs(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Expiry");
    int64_t lot = testdb_lot(t, cus, "master", 7, TEST_T0 + DAY);
    testdb_lot(t, cus, "master", 3, 0);
    t->now_us = TEST_T0 + DAY - 1;
    assert_int_equal(balance_of(t, cus, "master"), 10);
    t->now_us = TEST_T0 + DAY; /* the exact instant of expiry */
    assert_int_equal(balance_of(t, cus, "master"), 3);
    int64_t count;
    assert_int_equal(svc_expire(&t->svc, 0, &count), ERR_OK);
    assert_int_equal(count, 1);
    assert_string_equal(lot_status_name(lot_get(t, lot).lot.status), "expired");
    struct last_entry_ctx e;
    last_entry(t, &e);
    assert_string_equal(journal_kind_name(e.row.entry.kind), "expiry");
    assert_int_equal(e.row.entry.amount_minor, -7);
    assert_int_equal(e.row.entry.balance_after_minor, 3);
    assert_int_equal(svc_expire(&t->svc, 0, &count), ERR_OK);
    assert_int_equal(count, 0);
    /* Expired credits never come back. */
    struct svc_lot_change ch = {.action = SVC_LOT_EXTEND, .expires_at_us = TEST_T0 + 90 * DAY};
    struct err_detail d = {0};
    assert_int_equal(svc_lot_change(&t->svc, t->tenant_id, ACTOR, lot, &ch, &d), ERR_LOT_EXPIRED);
    testdb_assert_verified(t);
}

/* ---- rule 9: credits toggle -------------------------------------------- */

static void switched_off_credits_keep_their_balance_but_cannot_be_spent(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Toggle");
    int64_t s2 = testdb_service(t, "Two", "base", "tuning", "master", (int64_t)2, NULL);
    testdb_lot(t, cus, "master", 10, 0);
    struct credit_type_row off = {.code = "master", .name = "Master credits", .spendable = false};
    struct err_detail d = {0};
    assert_int_equal(svc_credit_type_update(&t->svc, t->tenant_id, &off, &d), ERR_OK);
    struct snapshot before = snapshot(t, cus);
    struct svc_order_result r;
    assert_int_equal(order_of(t, cus, "master", s2, &r, &d), ERR_CREDITS_DISABLED);
    assert_unchanged(t, cus, &before);
    off.spendable = true;
    assert_int_equal(svc_credit_type_update(&t->svc, t->tenant_id, &off, &d), ERR_OK);
    assert_int_equal(order_of(t, cus, "master", s2, &r, &d), ERR_OK);
    assert_int_equal(balance_of(t, cus, "master"), 8);
}

/* ---- rule 12: technician limits ---------------------------------------- */

static void a_technician_cannot_pass_the_monthly_limit(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Limits");
    int64_t s6 = testdb_service(t, "Six", "base", "tuning", "master", (int64_t)6, NULL);
    testdb_lot(t, cus, "master", 100, 0);
    int64_t tech;
    struct err_detail d = {0};
    assert_int_equal(svc_member_add(&t->svc, t->tenant_id, cus, "tech@limits.example",
                                    "long-password-1", "technician", &tech, &d),
                     ERR_OK);
    assert_int_equal(svc_member_limit_set(&t->svc, t->tenant_id, cus, tech, "master", 10, &d),
                     ERR_OK);
    struct svc_order_input in = {
        .customer_id = cus, .member_user_id = tech, .credit_type = "master", .n_services = 1};
    in.service_ids[0] = s6;
    struct svc_order_result r;
    assert_int_equal(svc_order_place(&t->svc, &t->arena, t->tenant_id, ACTOR, &in, &r, &d), ERR_OK);
    struct snapshot before = snapshot(t, cus);
    assert_int_equal(svc_order_place(&t->svc, &t->arena, t->tenant_id, ACTOR, &in, &r, &d),
                     ERR_MEMBER_LIMIT_EXCEEDED);
    assert_unchanged(t, cus, &before);
    /* The owner (no member limit) may still order; next month the limit resets. */
    in.member_user_id = 0;
    assert_int_equal(svc_order_place(&t->svc, &t->arena, t->tenant_id, ACTOR, &in, &r, &d), ERR_OK);
    in.member_user_id = tech;
    t->now_us = TEST_T0 + 31 * DAY;
    assert_int_equal(svc_order_place(&t->svc, &t->arena, t->tenant_id, ACTOR, &in, &r, &d), ERR_OK);
    testdb_assert_verified(t);
}

/* ---- rule 13: transfers ------------------------------------------------ */

static void a_transfer_moves_credits_atomically_and_links_both_entries(void **state)
{
    struct testdb *t = *state;
    int64_t a = testdb_customer(t, "From");
    int64_t b = testdb_customer(t, "To");
    testdb_lot(t, a, "master", 10, 0);
    struct svc_transfer_input in = {.from_customer_id = a,
                                    .to_customer_id = b,
                                    .credit_type = "master",
                                    .amount_minor = 4,
                                    .justification = "Moved to the sister shop"};
    int64_t transfer;
    struct err_detail d = {0};
    struct svc_transfer_out out = {0};
    in.out = &out;
    assert_int_equal(svc_transfer(&t->svc, t->tenant_id, ACTOR, &in, &transfer, &d), ERR_OK);
    assert_int_equal(balance_of(t, a, "master"), 6);
    assert_int_equal(balance_of(t, b, "master"), 4);
    assert_int_equal(out.from_balance_minor, 6);
    assert_int_equal(out.to_balance_minor, 4);
    assert_true(out.from_journal_id != 0 && out.to_journal_id > out.from_journal_id);
    assert_true(out.to_lot_id != 0);
    struct last_entry_ctx e;
    last_entry(t, &e);
    assert_int_equal(e.row.entry.transfer_id, transfer);
    assert_int_equal(e.row.entry.id, out.to_journal_id);
    in.out = NULL;
    assert_string_equal(journal_kind_name(e.row.entry.kind), "transfer");
    /* Too much: refused whole, neither side changes. */
    struct snapshot sa = snapshot(t, a), sb = snapshot(t, b);
    in.amount_minor = 7;
    assert_int_equal(svc_transfer(&t->svc, t->tenant_id, ACTOR, &in, &transfer, &d),
                     ERR_INSUFFICIENT_CREDITS);
    assert_unchanged(t, a, &sa);
    assert_unchanged(t, b, &sb);
    in.to_customer_id = a;
    assert_int_equal(svc_transfer(&t->svc, t->tenant_id, ACTOR, &in, &transfer, &d),
                     ERR_VALIDATION);
    testdb_assert_verified(t);
}

/* ---- rule 14: two-phase ------------------------------------------------ */

static void set_charge_on(struct testdb *t, const char *when)
{
    struct tenant_row row;
    struct err_detail d = {0};
    assert_int_equal(svc_tenant_get(&t->svc, &t->arena, t->tenant_id, &row), ERR_OK);
    row.charge_on = when;
    assert_int_equal(svc_settings_update(&t->svc, &row, &d), ERR_OK);
}

static void a_held_order_is_captured_on_completion_and_released_on_cancel(void **state)
{
    struct testdb *t = *state;
    set_charge_on(t, "delivery");
    int64_t cus = testdb_customer(t, "Hold");
    int64_t s4 = testdb_service(t, "Four", "base", "tuning", "master", (int64_t)4, NULL);
    testdb_lot(t, cus, "master", 10, 0);
    struct svc_order_result r1, r2;
    struct err_detail d = {0};
    assert_int_equal(order_of(t, cus, "master", s4, &r1, &d), ERR_OK);
    assert_int_equal(balance_of(t, cus, "master"), 10);
    assert_int_equal(available_of(t, cus, "master"), 6);
    assert_int_equal(order_of(t, cus, "master", s4, &r2, &d), ERR_OK);
    assert_int_equal(available_of(t, cus, "master"), 2);
    assert_int_equal(
        svc_order_set_status(&t->svc, t->tenant_id, ACTOR, r1.order_id, "completed", &d), ERR_OK);
    assert_int_equal(balance_of(t, cus, "master"), 6);
    assert_int_equal(available_of(t, cus, "master"), 2);
    assert_int_equal(svc_order_cancel(&t->svc, t->tenant_id, ACTOR, r2.order_id, "no", false, &d),
                     ERR_OK);
    assert_int_equal(balance_of(t, cus, "master"), 6);
    assert_int_equal(available_of(t, cus, "master"), 6);
    testdb_assert_verified(t);
}

static void a_customer_may_cancel_only_before_work_starts(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Customer cancel");
    int64_t s4 = testdb_service(t, "Four", "base", "tuning", "master", (int64_t)4, NULL);
    testdb_lot(t, cus, "master", 10, 0);
    struct svc_order_result r;
    struct err_detail d = {0};
    assert_int_equal(order_of(t, cus, "master", s4, &r, &d), ERR_OK);
    assert_int_equal(
        svc_order_set_status(&t->svc, t->tenant_id, ACTOR, r.order_id, "in_progress", &d), ERR_OK);
    assert_int_equal(svc_order_cancel(&t->svc, t->tenant_id, ACTOR, r.order_id, "", true, &d),
                     ERR_ORDER_STATE);
    /* Staff may still reject it, with a reason. */
    assert_int_equal(svc_order_cancel(&t->svc, t->tenant_id, ACTOR, r.order_id, "", false, &d),
                     ERR_VALIDATION);
    assert_int_equal(
        svc_order_cancel(&t->svc, t->tenant_id, ACTOR, r.order_id, "bad read", false, &d), ERR_OK);
    assert_int_equal(balance_of(t, cus, "master"), 10);
}

/* The team's queue: waiting orders (submitted, in progress) newest first in
 * pages, and the dashboard's count of them. */
static void the_queue_lists_waiting_orders_newest_first_and_counts_them(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Customer queue");
    int64_t s1 = testdb_service(t, "One", "base", "tuning", "master", (int64_t)1, NULL);
    testdb_lot(t, cus, "master", 10, 0);
    int64_t ids[4];
    struct err_detail d = {0};
    for (int i = 0; i < 4; i++) {
        struct svc_order_result r;
        assert_int_equal(order_of(t, cus, "master", s1, &r, &d), ERR_OK);
        ids[i] = r.order_id;
    }
    assert_int_equal(svc_order_set_status(&t->svc, t->tenant_id, ACTOR, ids[1], "in_progress", &d),
                     ERR_OK);
    assert_int_equal(svc_order_set_status(&t->svc, t->tenant_id, ACTOR, ids[2], "completed", &d),
                     ERR_OK);
    assert_int_equal(svc_order_cancel(&t->svc, t->tenant_id, ACTOR, ids[3], "no", false, &d),
                     ERR_OK);
    struct order_filter f = {.statuses = {"submitted", "in_progress"}, .n_statuses = 2, .limit = 1};
    struct svc_orders page;
    assert_int_equal(svc_orders_read(&t->svc, &t->arena, t->tenant_id, &f, &page), ERR_OK);
    assert_int_equal(page.n, 1);
    assert_int_equal(page.items[0].row.id, ids[1]);
    assert_true(page.more);
    f.before_id = ids[1];
    assert_int_equal(svc_orders_read(&t->svc, &t->arena, t->tenant_id, &f, &page), ERR_OK);
    assert_int_equal(page.n, 1);
    assert_int_equal(page.items[0].row.id, ids[0]);
    assert_false(page.more);
    struct order_filter closed = {
        .statuses = {"cancelled", "completed"}, .n_statuses = 2, .limit = 10};
    assert_int_equal(svc_orders_read(&t->svc, &t->arena, t->tenant_id, &closed, &page), ERR_OK);
    assert_int_equal(page.n, 2);
    assert_int_equal(page.items[0].row.id, ids[3]);
    assert_int_equal(page.items[1].row.id, ids[2]);
    struct order_filter every = {.customer_id = cus, .limit = 10};
    assert_int_equal(svc_orders_read(&t->svc, &t->arena, t->tenant_id, &every, &page), ERR_OK);
    assert_int_equal(page.n, 4);
    struct svc_dashboard dash;
    assert_int_equal(svc_admin_dashboard_read(&t->svc, &t->arena, t->tenant_id, &dash), ERR_OK);
    assert_int_equal(dash.orders_submitted, 1);
    assert_int_equal(dash.orders_in_progress, 1);
}

/* ---- §3: the journal and verify ---------------------------------------- */

struct findings {
    int count;
    char first[512];
    char all[4096]; /* every finding, one a line, as far as they fit */
};

static void collect_finding(const char *finding, void *ctx)
{
    struct findings *f = ctx;
    if (f->count++ == 0)
        str_copy(f->first, sizeof(f->first), finding);
    size_t used = strlen(f->all);
    snprintf(f->all + used, sizeof(f->all) - used, "%s\n", finding);
}

static enum err tamper_txn(struct store_conn *c, void *arg)
{
    return store_exec(c, arg);
}

static void verify_names_a_row_whose_amount_was_changed_by_hand(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Tamper");
    int64_t s2 = testdb_service(t, "Two", "base", "tuning", "master", (int64_t)2, NULL);
    testdb_lot(t, cus, "master", 10, 0);
    struct svc_order_result r;
    struct err_detail d = {0};
    assert_int_equal(order_of(t, cus, "master", s2, &r, &d), ERR_OK);
    testdb_assert_verified(t);
    assert_int_equal(
        store_write(t->st, tamper_txn, "UPDATE journal SET amount_minor = -1 WHERE id = 2"),
        ERR_OK);
    struct findings f = {0};
    int64_t n;
    assert_int_equal(svc_verify(&t->svc, collect_finding, &f, &n), ERR_OK);
    assert_true(n > 0);
    assert_non_null(strstr(f.first, "journal 2"));
}

static void verify_names_a_row_whose_hash_was_changed_by_hand(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Hash");
    testdb_lot(t, cus, "master", 10, 0);
    testdb_lot(t, cus, "master", 5, 0);
    assert_int_equal(
        store_write(t->st, tamper_txn,
                    "UPDATE journal SET hash = "
                    "'00000000000000000000000000000000000000000000000000000000000000ff' "
                    "WHERE id = 1"),
        ERR_OK);
    struct findings f = {0};
    int64_t n;
    assert_int_equal(svc_verify(&t->svc, collect_finding, &f, &n), ERR_OK);
    assert_true(n >= 2); /* the row itself, and the chain to the next one */
    assert_non_null(strstr(f.first, "journal 1"));
}

/* Three entries on one account (lots of 10, 5 and 3): journal 1, 2, 3. */
static int64_t chain_of_three(struct testdb *t)
{
    int64_t cus = testdb_customer(t, "Chain");
    testdb_lot(t, cus, "master", 10, 0);
    testdb_lot(t, cus, "master", 5, 0);
    testdb_lot(t, cus, "master", 3, 0);
    testdb_assert_verified(t);
    return cus;
}

static struct findings verify_findings(struct testdb *t, int64_t *n)
{
    struct findings f = {0};
    assert_int_equal(svc_verify(&t->svc, collect_finding, &f, n), ERR_OK);
    return f;
}

static void entries_continue_their_account_chain_not_the_tenants(void **state)
{
    struct testdb *t = *state;
    int64_t a = testdb_customer(t, "A"), b = testdb_customer(t, "B");
    testdb_lot(t, a, "master", 10, 0);
    testdb_lot(t, b, "master", 10, 0);
    testdb_lot(t, a, "master", 10, 0);
    /* Each account counts its own entries from 1; the tenant chain of
     * entries before schema 6 does not move. */
    assert_int_equal(testdb_query_int(t, "SELECT COUNT(*) FROM journal WHERE chain = 2"), 3);
    assert_int_equal(testdb_query_int(t, "SELECT MAX(seq) FROM journal"), 2);
    assert_int_equal(testdb_query_int(t, "SELECT SUM(chain_seq) FROM accounts"), 3);
    assert_int_equal(testdb_query_int(t, "SELECT MAX(seq) FROM chain_heads"), 0);
    testdb_assert_verified(t);
}

static void verify_finds_a_deleted_entry_in_an_account_chain(void **state)
{
    struct testdb *t = *state;
    chain_of_three(t);
    assert_int_equal(store_write(t->st, tamper_txn,
                                 "DELETE FROM postings WHERE journal_id = 2; "
                                 "DELETE FROM journal WHERE id = 2"),
                     ERR_OK);
    int64_t n;
    struct findings f = verify_findings(t, &n);
    assert_true(n > 0);
    assert_non_null(strstr(f.first, "journal 3: account chain sequence 3 follows 1"));
}

static void verify_finds_an_entry_inserted_into_an_account_chain(void **state)
{
    struct testdb *t = *state;
    chain_of_three(t);
    /* A copy of entry 2 (its postings too) as a new last entry. */
    assert_int_equal(
        store_write(t->st, tamper_txn,
                    "INSERT INTO journal (id, tenant_id, chain, seq, kind, customer_id, "
                    "credit_type_id, credit_type, amount_minor, balance_after_minor, actor, "
                    "reason, justification, lot_ids, created_at, prev_hash, hash) SELECT 4, "
                    "tenant_id, chain, seq, kind, customer_id, credit_type_id, credit_type, "
                    "amount_minor, balance_after_minor, actor, reason, justification, lot_ids, "
                    "created_at, prev_hash, hash FROM journal WHERE id = 2; "
                    "INSERT INTO postings (tenant_id, journal_id, account, lot_id, "
                    "amount_minor) SELECT tenant_id, 4, account, lot_id, amount_minor FROM "
                    "postings WHERE journal_id = 2"),
        ERR_OK);
    int64_t n;
    struct findings f = verify_findings(t, &n);
    assert_true(n > 0);
    assert_non_null(strstr(f.all, "journal 4: account chain sequence 2 follows 3"));
}

static void verify_finds_two_swapped_entries_of_an_account(void **state)
{
    struct testdb *t = *state;
    chain_of_three(t);
    /* Entries 1 and 2 trade places whole, each still matching its hash. */
    assert_int_equal(
        store_write(t->st, tamper_txn,
                    "UPDATE journal SET (seq, amount_minor, balance_after_minor, lot_ids, "
                    "prev_hash, hash) = (SELECT o.seq, o.amount_minor, o.balance_after_minor, "
                    "o.lot_ids, o.prev_hash, o.hash FROM journal o WHERE o.id = 3 - journal.id) "
                    "WHERE id IN (1, 2); "
                    "UPDATE postings SET journal_id = 3 - journal_id WHERE journal_id IN (1, 2)"),
        ERR_OK);
    assert_int_equal(testdb_query_int(t, "SELECT seq FROM journal WHERE id = 1"), 2);
    int64_t n;
    struct findings f = verify_findings(t, &n);
    assert_true(n > 0);
    assert_non_null(strstr(f.first, "journal 1: account chain sequence 2 follows 0"));
}

static void a_seal_reveals_a_removed_tail_that_left_no_other_trace(void **state)
{
    struct testdb *t = *state;
    int64_t cus = chain_of_three(t);
    int64_t seals;
    assert_int_equal(svc_seal(&t->svc, &seals), ERR_OK);
    assert_int_equal(seals, 1);
    assert_int_equal(svc_seal(&t->svc, &seals), ERR_OK);
    assert_int_equal(seals, 0); /* nothing moved since */
    testdb_assert_verified(t);
    /* Remove entry 3 and its lot, and set the account back as it was after
     * entry 2: every remaining row agrees with every other. */
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "DELETE FROM postings WHERE journal_id = 3; DELETE FROM journal WHERE id = 3; "
             "DELETE FROM lot_events WHERE lot_id = 3; DELETE FROM lots WHERE id = 3; "
             "UPDATE accounts SET balance_minor = 15, chain_seq = 2, chain_hash = (SELECT "
             "hash FROM journal WHERE id = 2) WHERE customer_id = %lld",
             (long long)cus);
    assert_int_equal(store_write(t->st, tamper_txn, sql), ERR_OK);
    int64_t n;
    struct findings f = verify_findings(t, &n);
    assert_int_equal(n, 1);
    assert_non_null(strstr(f.first, "entry 3 is missing from the journal (removed)"));
}

static void verify_finds_a_seal_changed_by_hand(void **state)
{
    struct testdb *t = *state;
    chain_of_three(t);
    int64_t seals;
    assert_int_equal(svc_seal(&t->svc, &seals), ERR_OK);
    testdb_lot(t, testdb_customer(t, "Later"), "master", 1, 0);
    assert_int_equal(svc_seal(&t->svc, &seals), ERR_OK);
    assert_int_equal(seals, 1);
    testdb_assert_verified(t);
    assert_int_equal(store_write(t->st, tamper_txn,
                                 "UPDATE journal_seal_heads SET chain_seq = 2 WHERE seal_seq = 1"),
                     ERR_OK);
    int64_t n;
    struct findings f = verify_findings(t, &n);
    assert_true(n > 0);
    assert_non_null(strstr(f.first, "seal 1: hash does not match its heads"));
}

static void verify_finds_a_lot_changed_without_a_posting(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Lot tamper");
    testdb_lot(t, cus, "master", 10, 0);
    assert_int_equal(
        store_write(t->st, tamper_txn, "UPDATE lots SET remaining_minor = 11 WHERE id = 1"),
        ERR_OK);
    struct findings f = {0};
    int64_t n;
    assert_int_equal(svc_verify(&t->svc, collect_finding, &f, &n), ERR_OK);
    assert_true(n > 0);
    assert_non_null(strstr(f.first, "lot 1"));
}

static void verify_of_one_tenant_reports_only_that_tenant(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Mine");
    testdb_lot(t, cus, "master", 10, 0);
    int64_t other, other_cus;
    struct err_detail d = {0};
    assert_int_equal(svc_tenant_create(&t->svc, "Other", "other.example", &other, &d), ERR_OK);
    struct customer_row row = {.name = "Theirs"};
    assert_int_equal(svc_customer_create(&t->svc, other, &row, &other_cus, &d), ERR_OK);
    assert_int_equal(
        store_write(t->st, tamper_txn, "UPDATE journal SET amount_minor = 9 WHERE id = 1"), ERR_OK);
    int64_t n = -1;
    assert_int_equal(svc_verify_tenant(&t->svc, other, NULL, NULL, &n), ERR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(svc_verify_tenant(&t->svc, t->tenant_id, NULL, NULL, &n), ERR_OK);
    assert_true(n > 0);
    assert_int_equal(svc_verify(&t->svc, NULL, NULL, &n), ERR_OK);
    assert_true(n > 0);
}

static void migrations_are_safe_to_run_twice(void **state)
{
    struct testdb *t = *state;
    int applied = -1, version = 0;
    assert_int_equal(store_migrate(t->st, &applied), ERR_OK);
    assert_int_equal(applied, 0);
    assert_int_equal(store_schema_version(t->st, &version), ERR_OK);
    assert_true(version >= 1);
}

static void tenants_never_see_each_others_objects(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Mine");
    int64_t lot = testdb_lot(t, cus, "master", 10, 0);
    int64_t other;
    struct err_detail d = {0};
    assert_int_equal(svc_tenant_create(&t->svc, "Other", "other.example", &other, &d), ERR_OK);
    struct svc_lot_change ch = {.action = SVC_LOT_PAUSE};
    assert_int_equal(svc_lot_change(&t->svc, other, ACTOR, lot, &ch, &d), ERR_NOT_FOUND);
    struct svc_adjust_input in = {.customer_id = cus,
                                  .credit_type = "master",
                                  .amount_minor = 5,
                                  .reason = "other",
                                  .justification = "cross-tenant"};
    int64_t j;
    assert_int_equal(svc_adjust(&t->svc, other, ACTOR, &in, &j, &d), ERR_NOT_FOUND);
    assert_int_equal(balance_of(t, cus, "master"), 10);
    /* A host belongs to one tenant only. */
    assert_int_equal(svc_tenant_create(&t->svc, "Again", "other.example", &other, &d),
                     ERR_DUPLICATE);
}

/* ---- many lots --------------------------------------------------------- */

/* The customer's master balance, read with an arena of its own as a request
 * would (ten thousand lots fill the test's shared arena quickly). */
static int64_t many_balance(struct testdb *t, int64_t customer)
{
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    struct svc_balance *b;
    size_t n;
    int64_t balance = -1;
    assert_int_equal(svc_balances(&t->svc, &a, t->tenant_id, customer, &b, &n), ERR_OK);
    for (size_t i = 0; i < n; i++)
        if (strcmp(b[i].credit_type, "master") == 0)
            balance = b[i].balance_minor;
    arena_release(&a);
    return balance;
}

struct many_spent_ctx {
    int64_t tenant_id;
    int64_t customer;
    int64_t expiring_first_id; /* lots from this id on expire, those before never */
    int64_t spent_expiring, spent_never, highest_spent_never, lowest_left_never;
};

static enum err many_spent_txn(struct store_conn *c, void *arg)
{
    struct many_spent_ctx *x = arg;
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    struct lot_row *lots;
    size_t n;
    enum err rc = store_lot_list_customer(c, &a, x->tenant_id, x->customer, &lots, &n);
    x->lowest_left_never = INT64_MAX;
    for (size_t i = 0; rc == ERR_OK && i < n; i++) {
        const struct lot *l = &lots[i].lot;
        bool never = l->id < x->expiring_first_id;
        if (l->remaining_minor == 0 && never) {
            x->spent_never++;
            x->highest_spent_never =
                l->id > x->highest_spent_never ? l->id : x->highest_spent_never;
        } else if (l->remaining_minor == 0) {
            x->spent_expiring++;
        } else if (never && l->id < x->lowest_left_never) {
            x->lowest_left_never = l->id;
        }
    }
    arena_release(&a);
    return rc;
}

/* An order for more than the ten thousand lots hold names the true numbers;
 * one whose lots do not fit in its request's arena is refused whole (413),
 * never drawn in part. */
static void many_lots_refusals(struct testdb *t, int64_t cus, int64_t big, int64_t s300)
{
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    struct err_detail d = {0};
    struct svc_order_input in = {.customer_id = cus, .credit_type = "master", .n_services = 1};
    in.service_ids[0] = big;
    struct svc_quote q;
    assert_int_equal(svc_quote(&t->svc, &a, t->tenant_id, &in, &q, &d), ERR_INSUFFICIENT_CREDITS);
    assert_int_equal(d.requested_minor, 10001);
    assert_int_equal(d.available_minor, 10000);
    assert_int_equal(d.shortfall_minor, 1);
    arena_release(&a);
    arena_init(&a, 1u << 20);
    in.service_ids[0] = s300;
    struct svc_order_result r;
    assert_int_equal(svc_order_place(&t->svc, &a, t->tenant_id, ACTOR, &in, &r, &d), ERR_TOO_LARGE);
    arena_release(&a);
    assert_int_equal(many_balance(t, cus), 10000);
}

/* Issue 9, item 7: 9,000 never-expiring and then 1,000 expiring one-credit
 * lots. Quote, order, FIFO deduction, transfer and cancellation each see all
 * ten thousand and draw hundreds, in rule 2 order: the expiring lots first
 * (though they are newer), then the oldest. */
static void a_customer_with_ten_thousand_lots_orders_deducts_and_transfers(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Many lots"), to = testdb_customer(t, "Receiver");
    int64_t s300 = testdb_service(t, "Fleet", "base", "tuning", "master", (int64_t)300, NULL);
    int64_t big = testdb_service(t, "Too big", "base", "tuning", "master", (int64_t)10001, NULL);
    testdb_lots_bulk(t, cus, "master", 9000, 1, 0);
    int64_t expiring = testdb_lots_bulk(t, cus, "master", 1000, 1, TEST_T0 + 30 * DAY);
    assert_int_equal(many_balance(t, cus), 10000);
    many_lots_refusals(t, cus, big, s300);
    /* Each call gets a request's arena, as over HTTP. */
    struct arena a, b;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    arena_init(&b, ARENA_REQUEST_BYTES_MAX);
    struct err_detail d = {0};
    struct svc_order_input in = {.customer_id = cus, .credit_type = "master", .n_services = 1};
    in.service_ids[0] = s300;
    struct svc_quote q;
    struct svc_order_result r;
    assert_int_equal(svc_quote(&t->svc, &a, t->tenant_id, &in, &q, &d), ERR_OK);
    assert_int_equal(q.n_draws, 300);
    assert_int_equal(q.available_minor, 10000);
    assert_int_equal(q.balance_after_minor, 9700);
    for (size_t k = 0; k < q.n_draws; k++) {
        assert_true(q.draws[k].lot_id >= expiring);
        assert_true(k == 0 || q.draws[k].lot_id > q.draws[k - 1].lot_id);
    }
    assert_int_equal(svc_order_place(&t->svc, &b, t->tenant_id, ACTOR, &in, &r, &d), ERR_OK);
    assert_int_equal(r.quote.n_draws, 300);
    assert_int_equal(r.quote.draws[299].lot_id, q.draws[299].lot_id);
    arena_release(&a);
    arena_release(&b);
    assert_int_equal(many_balance(t, cus), 9700);
    struct svc_deduct_input de = {.customer_id = cus,
                                  .credit_type = "master",
                                  .amount_minor = 500,
                                  .reason = "correction",
                                  .justification = "Duplicate grant"};
    int64_t j;
    assert_int_equal(svc_deduct(&t->svc, t->tenant_id, ACTOR, &de, &j, &d), ERR_OK);
    assert_int_equal(many_balance(t, cus), 9200);
    struct svc_transfer_input tr = {.from_customer_id = cus,
                                    .to_customer_id = to,
                                    .credit_type = "master",
                                    .amount_minor = 400,
                                    .justification = "Moved to the sister shop"};
    assert_int_equal(svc_transfer(&t->svc, t->tenant_id, ACTOR, &tr, &j, &d), ERR_OK);
    assert_int_equal(many_balance(t, cus), 8800);
    assert_int_equal(many_balance(t, to), 400);
    /* Every expiring lot went (300 + 500 + 200), then the 200 oldest others. */
    struct many_spent_ctx x = {
        .tenant_id = t->tenant_id, .customer = cus, .expiring_first_id = expiring};
    assert_int_equal(store_read(t->st, many_spent_txn, &x), ERR_OK);
    assert_int_equal(x.spent_expiring, 1000);
    assert_int_equal(x.spent_never, 200);
    assert_true(x.highest_spent_never < x.lowest_left_never);
    /* Cancelling returns each of the 300 draws to its own lot. */
    assert_int_equal(
        svc_order_cancel(&t->svc, t->tenant_id, ACTOR, r.order_id, "Changed plans", false, &d),
        ERR_OK);
    assert_int_equal(many_balance(t, cus), 9100);
    testdb_assert_verified(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(an_order_for_exactly_the_balance_succeeds_and_leaves_zero),
        T(an_order_one_credit_short_fails_whole_and_changes_nothing),
        T(a_deduction_beyond_the_balance_is_refused),
        T(amounts_past_the_maximum_are_refused),
        T(allocation_takes_the_lot_expiring_first),
        T(allocation_prefers_a_restricted_lot_that_admits_the_order),
        T(a_first_use_lot_starts_at_its_first_booking),
        T(peak_hours_multiply_the_credits_drawn_rounding_up),
        T(a_quote_changes_nothing_and_the_order_charges_exactly_it),
        T(cancelling_returns_each_amount_to_its_lot),
        T(a_refund_to_an_expired_lot_goes_to_a_new_refund_lot),
        T(a_deduction_needs_a_known_reason_and_a_justification),
        T(an_adjustment_records_actor_reason_and_running_balance),
        T(a_paused_lot_cannot_be_spent_and_its_expiry_moves_on_resume),
        T(extend_moves_expiry_later_only),
        T(deactivation_takes_credits_out_and_reactivation_brings_them_back),
        T(name_and_notes_change_but_not_the_credit_count),
        T(a_lot_history_lists_every_change_attributed),
        T(balances_exclude_expired_lots_before_the_job_runs),
        T(switched_off_credits_keep_their_balance_but_cannot_be_spent),
        T(a_technician_cannot_pass_the_monthly_limit),
        T(a_transfer_moves_credits_atomically_and_links_both_entries),
        T(a_held_order_is_captured_on_completion_and_released_on_cancel),
        T(a_customer_may_cancel_only_before_work_starts),
        T(the_queue_lists_waiting_orders_newest_first_and_counts_them),
        T(verify_names_a_row_whose_amount_was_changed_by_hand),
        T(verify_names_a_row_whose_hash_was_changed_by_hand),
        T(entries_continue_their_account_chain_not_the_tenants),
        T(verify_finds_a_deleted_entry_in_an_account_chain),
        T(verify_finds_an_entry_inserted_into_an_account_chain),
        T(verify_finds_two_swapped_entries_of_an_account),
        T(a_seal_reveals_a_removed_tail_that_left_no_other_trace),
        T(verify_finds_a_seal_changed_by_hand),
        T(verify_finds_a_lot_changed_without_a_posting),
        T(verify_of_one_tenant_reports_only_that_tenant),
        T(migrations_are_safe_to_run_twice),
        T(tenants_never_see_each_others_objects),
        T(a_customer_with_ten_thousand_lots_orders_deducts_and_transfers),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
