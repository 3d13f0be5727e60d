/*
 * The shop through the service layer (DESIGN rule 10 and §1 invoice), on a
 * real database (SQLite, or PostgreSQL when CREDITD_TEST_DB is set).
 *
 * Method: a customer with EUR store credit buys a package of 50 Master for
 * 100.00 net (119.00 gross at 19 %). Each case checks the invoice (number,
 * totals, status), the balances of both types, the lots the invoice made,
 * and that verify stays clean; refusals check that nothing changed. Invoice
 * numbers are checked for gaps and repeats under concurrent purchases.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "testdb.h"

#define ACTOR (&(struct svc_actor){.user_id = 0, .label = "admin@test.example"})

struct shop {
    struct testdb *t;
    int64_t customer;
    int64_t package;
};

static int64_t shop_balance(struct testdb *t, int64_t customer, const char *type)
{
    int64_t b, a;
    testdb_balance(t, customer, type, &b, &a);
    return b;
}

static int64_t shop_available(struct testdb *t, int64_t customer, const char *type)
{
    int64_t b, a;
    testdb_balance(t, customer, type, &b, &a);
    return a;
}

static void shop_setup(struct testdb *t, struct shop *s, int64_t eur_minor)
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
    struct svc_package_input p = {.row = {.name = "Master 50",
                                          .description = "",
                                          .price_minor = 10000,
                                          .vat_rate_bp = -1,
                                          .published = true,
                                          .categories = "",
                                          .provider = "",
                                          .peak = ""},
                                  .n_credits = 1};
    p.credits[0] = (struct svc_amount){.credit_type = "master", .amount_minor = 50};
    assert_int_equal(svc_package_create(&t->svc, t->tenant_id, &p, &s->package, &d), ERR_OK);
    s->t = t;
    s->customer = testdb_customer(t, "Garage Nord");
    if (eur_minor > 0)
        testdb_lot(t, s->customer, "eur", eur_minor, 0);
}

static enum err shop_buy(struct shop *s, const char *gateway, struct svc_invoice_view *out,
                         struct err_detail *d)
{
    struct svc_purchase_input in = {.customer_id = s->customer,
                                    .package_id = s->package,
                                    .gateway = gateway,
                                    .published_only = true,
                                    .expect_due_minor = -1};
    return svc_purchase(&s->t->svc, &s->t->arena, s->t->tenant_id, ACTOR, &in, out, d);
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

static void a_bank_transfer_purchase_stays_open_until_marked_paid(void **state)
{
    struct testdb *t = *state;
    struct shop s;
    shop_setup(t, &s, 0);
    struct svc_invoice_view v;
    struct err_detail d = {0};
    assert_int_equal(shop_buy(&s, "manual", &v, &d), ERR_OK);
    assert_string_equal(v.row.number, "2026-000001");
    assert_string_equal(v.row.status, "open");
    assert_int_equal(v.row.net_minor, 10000);
    assert_int_equal(v.row.vat_minor, 1900);
    assert_int_equal(v.row.gross_minor, 11900);
    assert_int_equal(v.row.due_minor, 11900);
    assert_int_equal(v.n_lines, 1);
    assert_string_equal(v.lines[0].description, "Master 50 (50 Master credits)");
    assert_int_equal(v.n_lots, 0);
    assert_int_equal(shop_balance(t, s.customer, "master"), 0);

    assert_int_equal(
        svc_invoice_mark_paid(&t->svc, &t->arena, t->tenant_id, ACTOR, v.row.id, &v, &d), ERR_OK);
    assert_string_equal(v.row.status, "paid");
    assert_int_equal(v.n_lots, 1);
    assert_int_equal(v.lots[0].lot.original_minor, 50);
    assert_int_equal(v.lots[0].cost_basis_minor, 10000);
    assert_int_equal(v.lots[0].invoice_id, v.row.id);
    assert_int_equal(shop_balance(t, s.customer, "master"), 50);
    /* Paid twice is refused and changes nothing. */
    assert_int_equal(
        svc_invoice_mark_paid(&t->svc, &t->arena, t->tenant_id, ACTOR, v.row.id, &v, &d),
        ERR_INVOICE_STATE);
    assert_int_equal(shop_balance(t, s.customer, "master"), 50);
    testdb_assert_verified(t);
}

static void an_invoice_for_a_package_archived_since_is_still_paid_with_its_credits(void **state)
{
    struct testdb *t = *state;
    struct shop s;
    shop_setup(t, &s, 0);
    struct svc_invoice_view v;
    struct err_detail d = {0};
    assert_int_equal(shop_buy(&s, "manual", &v, &d), ERR_OK);
    struct svc_package_input p = {.row = {.id = s.package,
                                          .name = "Master 50",
                                          .description = "",
                                          .price_minor = 10000,
                                          .vat_rate_bp = -1,
                                          .archived = true,
                                          .categories = "",
                                          .provider = "",
                                          .peak = ""},
                                  .n_credits = 1};
    p.credits[0] = (struct svc_amount){.credit_type = "master", .amount_minor = 50};
    assert_int_equal(svc_package_update(&t->svc, t->tenant_id, &p, &d), ERR_OK);
    /* No longer for sale… */
    struct svc_invoice_view w;
    assert_int_equal(shop_buy(&s, "manual", &w, &d), ERR_VALIDATION);
    assert_string_equal(d.field, "package_id");
    /* …but the transfer for the invoice made before still buys the credits. */
    assert_int_equal(
        svc_invoice_mark_paid(&t->svc, &t->arena, t->tenant_id, ACTOR, v.row.id, &v, &d), ERR_OK);
    assert_int_equal(shop_balance(t, s.customer, "master"), 50);
    testdb_assert_verified(t);
}

static void a_tenant_may_grant_bank_transfer_credits_at_once(void **state)
{
    struct testdb *t = *state;
    struct shop s;
    shop_setup(t, &s, 0);
    struct tenant_row row;
    assert_int_equal(svc_tenant_get(&t->svc, &t->arena, t->tenant_id, &row), ERR_OK);
    row.manual_grant = "invoice";
    struct err_detail d = {0};
    assert_int_equal(svc_settings_update(&t->svc, &row, &d), ERR_OK);
    struct svc_invoice_view v;
    assert_int_equal(shop_buy(&s, "manual", &v, &d), ERR_OK);
    assert_string_equal(v.row.status, "open");
    assert_true(v.row.credits_granted);
    assert_int_equal(shop_balance(t, s.customer, "master"), 50);
    /* Paying later grants nothing twice. */
    assert_int_equal(
        svc_invoice_mark_paid(&t->svc, &t->arena, t->tenant_id, ACTOR, v.row.id, &v, &d), ERR_OK);
    assert_int_equal(shop_balance(t, s.customer, "master"), 50);
    testdb_assert_verified(t);
}

static void store_credit_covering_all_pays_the_invoice_at_once(void **state)
{
    struct testdb *t = *state;
    struct shop s;
    shop_setup(t, &s, 20000);
    struct svc_invoice_view v;
    struct err_detail d = {0};
    assert_int_equal(shop_buy(&s, "stripe", &v, &d), ERR_OK);
    assert_string_equal(v.row.status, "paid");
    assert_int_equal(v.row.store_credit_minor, 11900);
    assert_int_equal(v.row.due_minor, 0);
    assert_int_equal(v.n_credits, 1);
    assert_int_equal(v.credits[0].amount_minor, 11900);
    assert_int_equal(shop_balance(t, s.customer, "eur"), 8100);
    assert_int_equal(shop_available(t, s.customer, "eur"), 8100);
    assert_int_equal(shop_balance(t, s.customer, "master"), 50);
    testdb_assert_verified(t);
}

static void partial_store_credit_is_held_and_the_rest_is_due(void **state)
{
    struct testdb *t = *state;
    struct shop s;
    shop_setup(t, &s, 5000);
    struct svc_invoice_view v;
    struct err_detail d = {0};
    assert_int_equal(shop_buy(&s, "stripe", &v, &d), ERR_OK);
    assert_string_equal(v.row.status, "open");
    assert_int_equal(v.row.store_credit_minor, 5000);
    assert_int_equal(v.row.due_minor, 6900);
    /* Held: out of what can be spent, still in the balance. */
    assert_int_equal(shop_available(t, s.customer, "eur"), 0);
    assert_int_equal(shop_balance(t, s.customer, "eur"), 5000);
    assert_int_equal(shop_balance(t, s.customer, "master"), 0);
    assert_int_equal(
        svc_invoice_mark_paid(&t->svc, &t->arena, t->tenant_id, ACTOR, v.row.id, &v, &d), ERR_OK);
    assert_int_equal(shop_balance(t, s.customer, "eur"), 0);
    assert_int_equal(shop_balance(t, s.customer, "master"), 50);
    testdb_assert_verified(t);
}

static void voiding_an_open_invoice_releases_its_store_credit(void **state)
{
    struct testdb *t = *state;
    struct shop s;
    shop_setup(t, &s, 5000);
    struct svc_invoice_view v;
    struct err_detail d = {0};
    assert_int_equal(shop_buy(&s, "stripe", &v, &d), ERR_OK);
    int64_t id = v.row.id;
    assert_int_equal(svc_invoice_void(&t->svc, &t->arena, t->tenant_id, ACTOR, id, "", &v, &d),
                     ERR_VALIDATION);
    assert_string_equal(d.field, "reason");
    assert_int_equal(svc_invoice_void(&t->svc, &t->arena, t->tenant_id, ACTOR, id,
                                      "customer changed mind", &v, &d),
                     ERR_OK);
    assert_string_equal(v.row.status, "void");
    assert_int_equal(shop_available(t, s.customer, "eur"), 5000);
    assert_int_equal(shop_balance(t, s.customer, "eur"), 5000);
    assert_int_equal(svc_invoice_mark_paid(&t->svc, &t->arena, t->tenant_id, ACTOR, id, &v, &d),
                     ERR_INVOICE_STATE);
    assert_int_equal(shop_balance(t, s.customer, "master"), 0);
    testdb_assert_verified(t);
}

static void voiding_a_paid_invoice_removes_the_unspent_credits(void **state)
{
    struct testdb *t = *state;
    struct shop s;
    shop_setup(t, &s, 20000);
    struct svc_invoice_view v;
    struct err_detail d = {0};
    assert_int_equal(shop_buy(&s, "stripe", &v, &d), ERR_OK);
    int64_t service = testdb_service(t, "Stage 1", "base", "tuning", "master", 20, NULL);
    struct svc_order_input in = {
        .customer_id = s.customer, .credit_type = "master", .n_services = 1};
    in.service_ids[0] = service;
    struct svc_order_result o;
    assert_int_equal(svc_order_place(&t->svc, &t->arena, t->tenant_id, ACTOR, &in, &o, &d), ERR_OK);
    assert_int_equal(
        svc_invoice_void(&t->svc, &t->arena, t->tenant_id, ACTOR, v.row.id, "refunded", &v, &d),
        ERR_OK);
    assert_int_equal(v.n_lots, 1);
    assert_int_equal(v.removed_minor[0], 30); /* 20 were spent */
    assert_int_equal(shop_balance(t, s.customer, "master"), 0);
    /* The store credit it used came back. */
    assert_int_equal(shop_balance(t, s.customer, "eur"), 20000);
    /* Voided credits never come back. */
    struct svc_lot_change ch = {.action = SVC_LOT_REACTIVATE};
    assert_int_equal(svc_lot_change(&t->svc, t->tenant_id, ACTOR, v.lots[0].lot.id, &ch, &d),
                     ERR_LOT_STATE);
    testdb_assert_verified(t);
}

static void a_vat_id_in_another_eu_country_gets_reverse_charge(void **state)
{
    struct testdb *t = *state;
    struct shop s;
    shop_setup(t, &s, 0);
    struct customer_row c = {.id = s.customer,
                             .name = "Garage Wien",
                             .email = "",
                             .vat_id = "ATU12345678",
                             .country = "AT"};
    struct err_detail d = {0};
    assert_int_equal(svc_customer_update(&t->svc, t->tenant_id, &c, &d), ERR_OK);
    struct svc_invoice_view v;
    assert_int_equal(shop_buy(&s, "manual", &v, &d), ERR_OK);
    assert_true(v.row.reverse_charge);
    assert_int_equal(v.row.vat_minor, 0);
    assert_int_equal(v.row.gross_minor, 10000);
    assert_non_null(strstr(v.row.note, "Reverse charge"));
    assert_string_equal(v.row.buyer_vat_id, "ATU12345678");
    assert_string_equal(v.row.seller_country, "DE");
}

static void an_unpublished_package_cannot_be_bought(void **state)
{
    struct testdb *t = *state;
    struct shop s;
    shop_setup(t, &s, 0);
    struct svc_invoice_view v;
    struct err_detail d = {0};
    struct svc_purchase_input in = {.customer_id = s.customer,
                                    .package_id = s.package + 100,
                                    .gateway = "manual",
                                    .published_only = true,
                                    .expect_due_minor = -1};
    assert_int_equal(svc_purchase(&t->svc, &t->arena, t->tenant_id, ACTOR, &in, &v, &d),
                     ERR_VALIDATION);
    assert_string_equal(d.field, "package_id");
    in.package_id = s.package;
    in.gateway = "paypal";
    assert_int_equal(svc_purchase(&t->svc, &t->arena, t->tenant_id, ACTOR, &in, &v, &d),
                     ERR_VALIDATION);
    assert_string_equal(d.field, "gateway");
    struct svc_invoices list;
    struct invoice_filter f = {.limit = 10};
    assert_int_equal(svc_invoices_read(&t->svc, &t->arena, t->tenant_id, &f, &list), ERR_OK);
    assert_int_equal(list.n, 0);
}

static void a_stripe_purchase_is_paid_by_its_event_once(void **state)
{
    struct testdb *t = *state;
    struct shop s;
    shop_setup(t, &s, 0);
    struct svc_purchase_input in = {.customer_id = s.customer,
                                    .package_id = s.package,
                                    .gateway = "stripe",
                                    .gateway_ref = "cs_test_1",
                                    .checkout_url = "http://127.0.0.1/c/pay/cs_test_1",
                                    .expect_due_minor = 11900};
    struct svc_invoice_view v;
    struct err_detail d = {0};
    assert_int_equal(svc_purchase(&t->svc, &t->arena, t->tenant_id, ACTOR, &in, &v, &d), ERR_OK);
    struct svc_gateway_event ev = {.gateway = "stripe",
                                   .event_id = "evt_1",
                                   .type = "checkout.session.completed",
                                   .kind = SVC_EVENT_PAID,
                                   .ref = "cs_test_1",
                                   .amount_minor = 11800,
                                   .currency = "eur"};
    assert_int_equal(svc_gateway_event_apply(&t->svc, &t->arena, t->tenant_id, &ev, &v), ERR_OK);
    assert_string_equal(v.outcome, "amount_mismatch");
    assert_int_equal(shop_balance(t, s.customer, "master"), 0);
    ev.event_id = "evt_2";
    ev.amount_minor = 11900;
    assert_int_equal(svc_gateway_event_apply(&t->svc, &t->arena, t->tenant_id, &ev, &v), ERR_OK);
    assert_string_equal(v.outcome, "paid");
    assert_int_equal(shop_balance(t, s.customer, "master"), 50);
    assert_int_equal(svc_gateway_event_apply(&t->svc, &t->arena, t->tenant_id, &ev, &v), ERR_OK);
    assert_string_equal(v.outcome, "duplicate");
    ev.event_id = "evt_3";
    ev.kind = SVC_EVENT_EXPIRED;
    assert_int_equal(svc_gateway_event_apply(&t->svc, &t->arena, t->tenant_id, &ev, &v), ERR_OK);
    assert_string_equal(v.outcome, "already_paid");
    ev.event_id = "evt_4";
    ev.ref = "cs_unknown";
    assert_int_equal(svc_gateway_event_apply(&t->svc, &t->arena, t->tenant_id, &ev, &v), ERR_OK);
    assert_string_equal(v.outcome, "unknown_reference");
    assert_int_equal(shop_balance(t, s.customer, "master"), 50);
    testdb_assert_verified(t);
}

/* A gateway's event belongs to the tenant of the Host it was sent to: it is
 * recorded there and finds only that tenant's invoices (schema 7: no lookup
 * by a gateway reference crosses tenants). */
static void a_signed_event_naming_its_tenant_pays_at_any_host(void **state)
{
    struct testdb *t = *state;
    struct shop s;
    shop_setup(t, &s, 0);
    struct svc_purchase_input in = {.customer_id = s.customer,
                                    .package_id = s.package,
                                    .gateway = "stripe",
                                    .gateway_ref = "cs_test_10",
                                    .checkout_url = "http://127.0.0.1/c/pay/cs_test_10",
                                    .expect_due_minor = 11900};
    struct svc_invoice_view v;
    struct err_detail d = {0};
    assert_int_equal(svc_purchase(&t->svc, &t->arena, t->tenant_id, ACTOR, &in, &v, &d), ERR_OK);
    int64_t other;
    assert_int_equal(svc_tenant_create(&t->svc, "Other", "other.example", &other, &d), ERR_OK);
    /* One Stripe endpoint, registered at the other business's host, serves
     * both: the event's signed metadata names the checkout's tenant. */
    struct svc_gateway_event ev = {.gateway = "stripe",
                                   .event_id = "evt_10",
                                   .type = "checkout.session.completed",
                                   .kind = SVC_EVENT_PAID,
                                   .ref = "cs_test_10",
                                   .amount_minor = 11900,
                                   .currency = "eur",
                                   .tenant_id = t->tenant_id};
    assert_int_equal(svc_gateway_event_apply(&t->svc, &t->arena, other, &ev, &v), ERR_OK);
    assert_string_equal(v.outcome, "paid");
    assert_int_equal(shop_balance(t, s.customer, "master"), 50);
    assert_int_equal(svc_gateway_event_apply(&t->svc, &t->arena, 0, &ev, &v), ERR_OK);
    assert_string_equal(v.outcome, "duplicate");
    assert_int_equal(shop_balance(t, s.customer, "master"), 50);
}

static void a_gateway_event_is_applied_in_the_tenant_of_its_host_only(void **state)
{
    struct testdb *t = *state;
    struct shop s;
    shop_setup(t, &s, 0);
    struct svc_purchase_input in = {.customer_id = s.customer,
                                    .package_id = s.package,
                                    .gateway = "stripe",
                                    .gateway_ref = "cs_test_9",
                                    .checkout_url = "http://127.0.0.1/c/pay/cs_test_9",
                                    .expect_due_minor = 11900};
    struct svc_invoice_view v;
    struct err_detail d = {0};
    assert_int_equal(svc_purchase(&t->svc, &t->arena, t->tenant_id, ACTOR, &in, &v, &d), ERR_OK);
    int64_t other;
    assert_int_equal(svc_tenant_create(&t->svc, "Other", "other.example", &other, &d), ERR_OK);
    struct svc_gateway_event ev = {.gateway = "stripe",
                                   .event_id = "evt_9",
                                   .type = "checkout.session.completed",
                                   .kind = SVC_EVENT_PAID,
                                   .ref = "cs_test_9",
                                   .amount_minor = 11900,
                                   .currency = "eur"};
    assert_int_equal(svc_gateway_event_apply(&t->svc, &t->arena, other, &ev, &v), ERR_OK);
    assert_string_equal(v.outcome, "unknown_reference");
    assert_int_equal(shop_balance(t, s.customer, "master"), 0);
    assert_int_equal(svc_gateway_event_apply(&t->svc, &t->arena, 0, &ev, &v), ERR_NOT_FOUND);
    /* An event that names a tenant no install has is taken at its host. */
    ev.tenant_id = 999999;
    assert_int_equal(svc_gateway_event_apply(&t->svc, &t->arena, other, &ev, &v), ERR_OK);
    assert_string_equal(v.outcome, "duplicate");
    ev.tenant_id = 0;
    /* The same event id at the right host is new there, and pays. */
    assert_int_equal(svc_gateway_event_apply(&t->svc, &t->arena, t->tenant_id, &ev, &v), ERR_OK);
    assert_string_equal(v.outcome, "paid");
    assert_int_equal(shop_balance(t, s.customer, "master"), 50);
    assert_int_equal(svc_gateway_event_apply(&t->svc, &t->arena, t->tenant_id, &ev, &v), ERR_OK);
    assert_string_equal(v.outcome, "duplicate");
    testdb_assert_verified(t);
}

static void an_admin_lot_with_an_open_invoice_grants_at_once(void **state)
{
    struct testdb *t = *state;
    struct shop s;
    shop_setup(t, &s, 0);
    struct svc_lot_input lot = {.customer_id = s.customer,
                                .credit_type = "slave",
                                .credits_minor = 10,
                                .source = SOURCE_MANUAL,
                                .price_minor = 5000,
                                .validity = {.expiry = EXPIRY_NEVER}};
    struct svc_purchase_input in = {.customer_id = s.customer,
                                    .lot = &lot,
                                    .gateway = "admin",
                                    .status = "open",
                                    .expect_due_minor = -1};
    struct svc_invoice_view v;
    struct err_detail d = {0};
    assert_int_equal(svc_purchase(&t->svc, &t->arena, t->tenant_id, ACTOR, &in, &v, &d), ERR_OK);
    assert_string_equal(v.row.status, "open");
    assert_int_equal(v.row.gross_minor, 5950);
    assert_int_equal(v.n_lots, 1);
    assert_int_equal(shop_balance(t, s.customer, "slave"), 10);
    assert_int_equal(
        svc_invoice_mark_paid(&t->svc, &t->arena, t->tenant_id, ACTOR, v.row.id, &v, &d), ERR_OK);
    assert_int_equal(shop_balance(t, s.customer, "slave"), 10);
    testdb_assert_verified(t);
}

/* ---- numbering under concurrency ---------------------------------------- */

enum { RACE_THREADS = 8, RACE_PURCHASES = 64 };

struct race {
    struct shop *s;
    atomic_int next;
    pthread_barrier_t start;
    char numbers[RACE_PURCHASES][32];
    enum err rc[RACE_PURCHASES];
};

static void *race_buy(void *arg)
{
    struct race *r = arg;
    pthread_barrier_wait(&r->start);
    for (int i; (i = atomic_fetch_add(&r->next, 1)) < RACE_PURCHASES;) {
        struct arena a;
        arena_init(&a, 4 << 20);
        struct svc_purchase_input in = {.customer_id = r->s->customer,
                                        .package_id = r->s->package,
                                        .gateway = "manual",
                                        .expect_due_minor = -1};
        struct svc_invoice_view v;
        struct err_detail d = {0};
        r->rc[i] = svc_purchase(&r->s->t->svc, &a, r->s->t->tenant_id, ACTOR, &in, &v, &d);
        if (r->rc[i] == ERR_OK)
            snprintf(r->numbers[i], sizeof(r->numbers[i]), "%s", v.row.number);
        arena_release(&a);
    }
    return NULL;
}

static void invoice_numbers_have_no_gaps_or_repeats_under_concurrency(void **state)
{
    struct testdb *t = *state;
    struct shop s;
    shop_setup(t, &s, 100000);
    static struct race r;
    memset(&r, 0, sizeof(r));
    r.s = &s;
    assert_int_equal(pthread_barrier_init(&r.start, NULL, RACE_THREADS), 0);
    pthread_t th[RACE_THREADS];
    for (int i = 0; i < RACE_THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, race_buy, &r), 0);
    for (int i = 0; i < RACE_THREADS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    pthread_barrier_destroy(&r.start);
    bool seen[RACE_PURCHASES + 1] = {false};
    for (int i = 0; i < RACE_PURCHASES; i++) {
        assert_int_equal(r.rc[i], ERR_OK);
        int year, n;
        assert_int_equal(sscanf(r.numbers[i], "%d-%d", &year, &n), 2);
        assert_int_equal(year, 2026);
        assert_true(n >= 1 && n <= RACE_PURCHASES);
        assert_false(seen[n]);
        seen[n] = true;
    }
    /* 100000 of store credit paid the first invoices whole, then part of one. */
    assert_int_equal(shop_balance(t, s.customer, "eur"), 100000 - 8 * 11900);
    testdb_assert_verified(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_bank_transfer_purchase_stays_open_until_marked_paid,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_tenant_may_grant_bank_transfer_credits_at_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            an_invoice_for_a_package_archived_since_is_still_paid_with_its_credits, setup,
            teardown),
        cmocka_unit_test_setup_teardown(store_credit_covering_all_pays_the_invoice_at_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(partial_store_credit_is_held_and_the_rest_is_due, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(voiding_an_open_invoice_releases_its_store_credit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(voiding_a_paid_invoice_removes_the_unspent_credits, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_vat_id_in_another_eu_country_gets_reverse_charge, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(an_unpublished_package_cannot_be_bought, setup, teardown),
        cmocka_unit_test_setup_teardown(a_stripe_purchase_is_paid_by_its_event_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_signed_event_naming_its_tenant_pays_at_any_host, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_gateway_event_is_applied_in_the_tenant_of_its_host_only,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(an_admin_lot_with_an_open_invoice_grants_at_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(invoice_numbers_have_no_gaps_or_repeats_under_concurrency,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
