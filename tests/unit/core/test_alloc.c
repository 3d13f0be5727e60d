/*
 * Unit and property tests of allocation (core/alloc.c): which of a customer's
 * lots an order draws from, in which order, and how much from each.
 *
 * Method: DESIGN §2 rules 1 to 3. Hand-made cases first: the DESIGN example,
 * each step of the sort order (restricted that admit the order, earliest
 * expiry with never-expiring last, oldest, lowest id), every kind of unusable
 * lot, the exact balance and one credit short, peak multipliers with their
 * rounding up, and ten thousand one-credit lots. Then a randomized property
 * test builds thousands of lot sets (some of them thousands of lots long) with every status, expiry
 * edge, restriction and peak rule, and checks the plan against the rules rather than against a
 * second implementation: only usable admitting lots, in sort order, each at most once, greedy (only
 * the last draw is partial), drawn = base × multiplier rounded up and never more than the lot
 * holds, totals that add up, and on a shortfall the exact numbers. The seed comes from TEST_SEED or
 * the clock and is printed first, so a failure can be replayed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"

/* 2026-02-10T10:00:00Z, a Tuesday; the tenant's zone is UTC in these tests. */
#define NOW INT64_C(1770717600000000)
#define DAY USEC_PER_DAY

enum { MON, TUE, WED, THU, FRI, SAT, SUN };

static const struct order_service stage1[] = {{1, "tuning", "", 6}};
static const struct order_service stage1_dpf[] = {{1, "tuning", "", 6}, {2, "addon", "", 2}};

static int64_t date_us(int64_t y, unsigned m, unsigned d)
{
    return time_days_from_civil(y, m, d) * USEC_PER_DAY;
}

/* An active, unrestricted lot without peak pricing, created a month ago. */
static struct lot alloc_lot(int64_t id, int64_t remaining_minor, int64_t expires_at_us)
{
    struct lot l;
    memset(&l, 0, sizeof(l));
    l.id = id;
    l.customer_id = 10;
    l.credit_type_id = 100;
    l.original_minor = remaining_minor;
    l.remaining_minor = remaining_minor;
    l.status = remaining_minor > 0 ? LOT_ACTIVE : LOT_EXHAUSTED;
    l.source = SOURCE_PAYMENT;
    l.created_at_us = NOW - 30 * DAY;
    l.starts_at_us = NOW - 30 * DAY;
    l.expires_at_us = expires_at_us;
    l.categories = "";
    l.provider = "";
    l.peak.multiplier_permille = 1000;
    return l;
}

/* An order of amount_minor for one Stage 1 tuning, booked on Tuesday 10:00. */
static struct alloc_request alloc_request_make(int64_t amount_minor)
{
    return (struct alloc_request){
        .amount_minor = amount_minor,
        .services = stage1,
        .n_services = 1,
        .now_us = NOW,
        .local_weekday = TUE,
        .local_minute = 10 * 60,
    };
}

/* The most lots a test offers at once: well past any fixed bound the service
 * ever had (256), at the size of a customer with many small lots. */
#define TEST_LOTS_MAX 10000

/* Memory a plan borrows, as the service lends it from the request arena. */
static size_t plan_order[TEST_LOTS_MAX];
static struct alloc_draw plan_draws[TEST_LOTS_MAX];

static struct alloc_plan alloc_plan_lent(void)
{
    struct alloc_plan p;
    alloc_plan_init(&p, plan_order, plan_draws, TEST_LOTS_MAX);
    return p;
}

static void alloc_assert_draw(const struct alloc_plan *p, size_t k, size_t lot_index,
                              int64_t base_minor, int64_t drawn_minor)
{
    assert_true(k < p->count);
    assert_int_equal(p->draws[k].lot_index, lot_index);
    assert_int_equal(p->draws[k].base_minor, base_minor);
    assert_int_equal(p->draws[k].drawn_minor, drawn_minor);
}

/* The totals of a successful plan add up and no lot gives more than it holds. */
static void alloc_assert_totals(const struct lot *lots, const struct alloc_request *req,
                                const struct alloc_plan *p)
{
    int64_t base = 0, drawn = 0;
    for (size_t k = 0; k < p->count; k++) {
        assert_true(p->draws[k].drawn_minor <= lots[p->draws[k].lot_index].remaining_minor);
        base += p->draws[k].base_minor;
        drawn += p->draws[k].drawn_minor;
    }
    assert_int_equal(p->base_minor, req->amount_minor);
    assert_int_equal(base, req->amount_minor);
    assert_int_equal(drawn, p->total_minor);
    assert_int_equal(p->shortfall_minor, 0);
}

static void allocation_draws_the_design_example_from_the_earliest_expiry(void **state)
{
    (void)state;
    /* B first in the array, so the order comes from the rule, not the input. */
    struct lot lots[] = {
        alloc_lot(2, 10, date_us(2026, 4, 15)), /* B */
        alloc_lot(1, 5, date_us(2026, 3, 1)),   /* A */
    };
    struct alloc_request req = alloc_request_make(3);
    struct alloc_plan plan = alloc_plan_lent();
    assert_int_equal(alloc_plan_make(lots, 2, &req, &plan), ERR_OK);
    assert_int_equal(plan.count, 1);
    alloc_assert_draw(&plan, 0, 1, 3, 3);
    assert_int_equal(plan.draws[0].multiplier_permille, 1000);
    assert_int_equal(plan.total_minor, 3);
    assert_int_equal(plan.available_minor, 15);
    alloc_assert_totals(lots, &req, &plan);
    assert_int_equal(lot_draw(&lots[1], plan.draws[0].drawn_minor), ERR_OK);
    assert_int_equal(lots[1].remaining_minor, 2);  /* A keeps 2 */
    assert_int_equal(lots[0].remaining_minor, 10); /* B unchanged */
}

static void allocation_prefers_restricted_lots_that_admit_the_order(void **state)
{
    (void)state;
    struct lot lots[] = {
        alloc_lot(1, 5, NOW + DAY),
        alloc_lot(2, 5, NOW + 90 * DAY),
        alloc_lot(3, 5, 0),
    };
    lots[1].categories = "tuning,addon";
    lots[2].categories = "tuning";
    struct alloc_request req = alloc_request_make(12);
    struct alloc_plan plan = alloc_plan_lent();
    assert_int_equal(alloc_plan_make(lots, 3, &req, &plan), ERR_OK);
    /* Both restricted lots first (by expiry among themselves), then the unrestricted one. */
    assert_int_equal(plan.count, 3);
    alloc_assert_draw(&plan, 0, 1, 5, 5);
    alloc_assert_draw(&plan, 1, 2, 5, 5);
    alloc_assert_draw(&plan, 2, 0, 2, 2);
    alloc_assert_totals(lots, &req, &plan);
}

static void allocation_skips_a_restricted_lot_that_does_not_admit_every_service(void **state)
{
    (void)state;
    struct lot lots[] = {
        alloc_lot(1, 5, NOW + DAY),
        alloc_lot(2, 50, NOW + 90 * DAY),
        alloc_lot(3, 50, NOW + 90 * DAY),
    };
    lots[0].categories = "tuning"; /* no add-ons */
    lots[1].provider = "anna";     /* only Anna's services */
    struct alloc_request req = alloc_request_make(4);
    req.services = stage1_dpf;
    req.n_services = 2;
    struct alloc_plan plan = alloc_plan_lent();
    assert_int_equal(alloc_plan_make(lots, 3, &req, &plan), ERR_OK);
    assert_int_equal(plan.count, 1);
    alloc_assert_draw(&plan, 0, 2, 4, 4);
    assert_int_equal(plan.available_minor, 50);
    /* Only the unrestricted lot counts: 51 is one too many. */
    req.amount_minor = 51;
    assert_int_equal(alloc_plan_make(lots, 3, &req, &plan), ERR_INSUFFICIENT_CREDITS);
    assert_int_equal(plan.available_minor, 50);
    assert_int_equal(plan.shortfall_minor, 1);
}

static void allocation_takes_earliest_expiry_first_and_never_expiring_last(void **state)
{
    (void)state;
    struct lot lots[] = {
        alloc_lot(1, 2, 0),
        alloc_lot(2, 2, NOW + 30 * DAY),
        alloc_lot(3, 2, NOW + 1),
        alloc_lot(4, 2, NOW + 7 * DAY),
    };
    struct alloc_request req = alloc_request_make(8);
    struct alloc_plan plan = alloc_plan_lent();
    assert_int_equal(alloc_plan_make(lots, 4, &req, &plan), ERR_OK);
    assert_int_equal(plan.count, 4);
    alloc_assert_draw(&plan, 0, 2, 2, 2);
    alloc_assert_draw(&plan, 1, 3, 2, 2);
    alloc_assert_draw(&plan, 2, 1, 2, 2);
    alloc_assert_draw(&plan, 3, 0, 2, 2);
}

static void allocation_breaks_expiry_ties_by_oldest_then_lowest_id(void **state)
{
    (void)state;
    const int64_t expires = NOW + 10 * DAY;
    struct lot lots[] = {
        alloc_lot(9, 1, expires),
        alloc_lot(5, 1, expires),
        alloc_lot(7, 1, expires),
        alloc_lot(3, 1, expires),
    };
    lots[0].created_at_us = NOW - 50 * DAY; /* oldest */
    lots[3].created_at_us = NOW - DAY;      /* newest */
    struct alloc_request req = alloc_request_make(4);
    struct alloc_plan plan = alloc_plan_lent();
    assert_int_equal(alloc_plan_make(lots, 4, &req, &plan), ERR_OK);
    assert_int_equal(plan.count, 4);
    alloc_assert_draw(&plan, 0, 0, 1, 1); /* id 9, oldest */
    alloc_assert_draw(&plan, 1, 1, 1, 1); /* id 5 */
    alloc_assert_draw(&plan, 2, 2, 1, 1); /* id 7 */
    alloc_assert_draw(&plan, 3, 3, 1, 1); /* id 3, newest */
}

static void allocation_skips_unusable_lots(void **state)
{
    (void)state;
    struct lot lots[8];
    lots[0] = alloc_lot(1, 5, NOW + DAY);
    lots[0].status = LOT_PAUSED;
    lots[0].paused_at_us = NOW - DAY;
    lots[1] = alloc_lot(2, 0, NOW + DAY);
    lots[1].status = LOT_DEACTIVATED;
    lots[1].deactivated_minor = 5;
    lots[2] = alloc_lot(3, 0, NOW - DAY);
    lots[2].status = LOT_EXPIRED;
    lots[3] = alloc_lot(4, 0, NOW + DAY); /* exhausted */
    lots[4] = alloc_lot(5, 5, NOW + DAY);
    lots[4].starts_at_us = NOW + 1; /* not started yet */
    lots[5] = alloc_lot(6, 5, NOW); /* expires this instant, expiry job not run */
    lots[6] = alloc_lot(7, 5, NOW - 1);
    lots[7] = alloc_lot(8, 4, NOW + 60 * DAY); /* the only usable lot */
    struct alloc_request req = alloc_request_make(4);
    struct alloc_plan plan = alloc_plan_lent();
    assert_int_equal(alloc_plan_make(lots, 8, &req, &plan), ERR_OK);
    assert_int_equal(plan.count, 1);
    alloc_assert_draw(&plan, 0, 7, 4, 4);
    assert_int_equal(plan.available_minor, 4);
    req.amount_minor = 5;
    assert_int_equal(alloc_plan_make(lots, 8, &req, &plan), ERR_INSUFFICIENT_CREDITS);
    assert_int_equal(plan.available_minor, 4);
    assert_int_equal(plan.shortfall_minor, 1);
}

static void a_first_use_lot_sorts_by_the_expiry_this_booking_would_give_it(void **state)
{
    (void)state;
    /* Unstarted, 10 days from its start: drawn before a lot expiring in 20 days. */
    struct lot lots[] = {alloc_lot(1, 5, NOW + 20 * DAY), alloc_lot(2, 5, 0)};
    lots[1].starts_at_us = 0;
    lots[1].start_on_first_use = true;
    lots[1].expiry_days_after_start = 10;
    struct alloc_request req = alloc_request_make(2);
    struct alloc_plan plan = alloc_plan_lent();
    assert_int_equal(alloc_plan_make(lots, 2, &req, &plan), ERR_OK);
    alloc_assert_draw(&plan, 0, 1, 2, 2);
}

static void allocation_uses_a_first_use_lot_that_has_not_started(void **state)
{
    (void)state;
    struct lot lots[] = {alloc_lot(1, 5, 0)};
    lots[0].starts_at_us = 0;
    lots[0].start_on_first_use = true;
    lots[0].expiry_days_after_start = 30;
    struct alloc_request req = alloc_request_make(2);
    struct alloc_plan plan = alloc_plan_lent();
    assert_int_equal(alloc_plan_make(lots, 1, &req, &plan), ERR_OK);
    alloc_assert_draw(&plan, 0, 0, 2, 2);
}

static void allocation_succeeds_for_exactly_the_balance(void **state)
{
    (void)state;
    struct lot lots[] = {alloc_lot(1, 5, NOW + DAY), alloc_lot(2, 10, 0)};
    struct alloc_request req = alloc_request_make(15);
    struct alloc_plan plan = alloc_plan_lent();
    assert_int_equal(alloc_plan_make(lots, 2, &req, &plan), ERR_OK);
    assert_int_equal(plan.count, 2);
    alloc_assert_draw(&plan, 0, 0, 5, 5);
    alloc_assert_draw(&plan, 1, 1, 10, 10);
    assert_int_equal(plan.available_minor, 15);
    alloc_assert_totals(lots, &req, &plan);
}

static void allocation_one_credit_short_fails_naming_shortfall_and_available(void **state)
{
    (void)state;
    struct lot lots[] = {alloc_lot(1, 5, NOW + DAY), alloc_lot(2, 10, 0)};
    struct lot before[2] = {lots[0], lots[1]};
    struct alloc_request req = alloc_request_make(16);
    struct alloc_plan plan = alloc_plan_lent();
    assert_int_equal(alloc_plan_make(lots, 2, &req, &plan), ERR_INSUFFICIENT_CREDITS);
    assert_int_equal(plan.shortfall_minor, 1);
    assert_int_equal(plan.available_minor, 15);
    /* Planning is a decision only: the lots are as they were. */
    assert_int_equal(lots[0].remaining_minor, before[0].remaining_minor);
    assert_int_equal(lots[1].remaining_minor, before[1].remaining_minor);
    struct alloc_request none = alloc_request_make(3);
    assert_int_equal(alloc_plan_make(lots, 0, &none, &plan), ERR_INSUFFICIENT_CREDITS);
    assert_int_equal(plan.shortfall_minor, 3);
    assert_int_equal(plan.available_minor, 0);
}

static void allocation_of_zero_credits_is_an_empty_plan(void **state)
{
    (void)state;
    struct lot lots[] = {alloc_lot(1, 5, NOW + DAY)};
    struct alloc_request req = alloc_request_make(0);
    struct alloc_plan plan = alloc_plan_lent();
    assert_int_equal(alloc_plan_make(lots, 1, &req, &plan), ERR_OK);
    assert_int_equal(plan.count, 0);
    assert_int_equal(plan.base_minor, 0);
    assert_int_equal(plan.total_minor, 0);
    assert_int_equal(plan.shortfall_minor, 0);
    assert_int_equal(alloc_plan_make(lots, 0, &req, &plan), ERR_OK);
    assert_int_equal(plan.count, 0);
}

static void allocation_spreads_an_order_across_several_lots(void **state)
{
    (void)state;
    struct lot lots[] = {
        alloc_lot(1, 4, NOW + 3 * DAY),
        alloc_lot(2, 2, NOW + 1 * DAY),
        alloc_lot(3, 3, NOW + 2 * DAY),
        alloc_lot(4, 9, NOW + 4 * DAY),
    };
    struct alloc_request req = alloc_request_make(8);
    struct alloc_plan plan = alloc_plan_lent();
    assert_int_equal(alloc_plan_make(lots, 4, &req, &plan), ERR_OK);
    assert_int_equal(plan.count, 3);
    alloc_assert_draw(&plan, 0, 1, 2, 2);
    alloc_assert_draw(&plan, 1, 2, 3, 3);
    alloc_assert_draw(&plan, 2, 0, 3, 3);
    assert_int_equal(plan.available_minor, 18);
    alloc_assert_totals(lots, &req, &plan);
}

static struct lot alloc_peak_lot(int64_t id, int64_t remaining_minor, int64_t expires_at_us,
                                 const char *rule)
{
    struct lot l = alloc_lot(id, remaining_minor, expires_at_us);
    struct err_detail d = {0};
    assert_int_equal(peak_rule_parse(rule, &l.peak, &d), ERR_OK);
    return l;
}

static void allocation_multiplies_credits_drawn_in_a_peak_window(void **state)
{
    (void)state;
    struct lot lots[] = {alloc_peak_lot(1, 10, 0, "1.5x Mon-Fri 07:00-09:00")};
    struct alloc_request req = alloc_request_make(3);
    struct alloc_plan plan = alloc_plan_lent();
    req.local_weekday = MON;
    req.local_minute = 8 * 60;
    assert_int_equal(alloc_plan_make(lots, 1, &req, &plan), ERR_OK);
    alloc_assert_draw(&plan, 0, 0, 3, 5); /* 4.5 rounded up */
    assert_int_equal(plan.draws[0].multiplier_permille, 1500);
    assert_int_equal(plan.total_minor, 5);
    /* The window's first minute is in, its end minute is out. */
    req.local_minute = 7 * 60;
    assert_int_equal(alloc_plan_make(lots, 1, &req, &plan), ERR_OK);
    alloc_assert_draw(&plan, 0, 0, 3, 5);
    req.local_minute = 9 * 60;
    assert_int_equal(alloc_plan_make(lots, 1, &req, &plan), ERR_OK);
    alloc_assert_draw(&plan, 0, 0, 3, 3);
    assert_int_equal(plan.draws[0].multiplier_permille, 1000);
    req.local_weekday = SAT;
    req.local_minute = 8 * 60;
    assert_int_equal(alloc_plan_make(lots, 1, &req, &plan), ERR_OK);
    alloc_assert_draw(&plan, 0, 0, 3, 3);
}

static void allocation_peak_shortfall_counts_order_credits_not_lot_credits(void **state)
{
    (void)state;
    /* 10 credits at 1.5x cover 6 order credits (9 drawn); 7 would need 10.5. */
    struct lot lots[] = {alloc_peak_lot(1, 10, 0, "1.5x Mon-Fri 07:00-09:00")};
    struct alloc_request req = alloc_request_make(7);
    req.local_weekday = MON;
    req.local_minute = 8 * 60;
    struct alloc_plan plan = alloc_plan_lent();
    assert_int_equal(alloc_plan_make(lots, 1, &req, &plan), ERR_INSUFFICIENT_CREDITS);
    assert_int_equal(plan.available_minor, 6);
    assert_int_equal(plan.shortfall_minor, 1);
    req.amount_minor = 6;
    assert_int_equal(alloc_plan_make(lots, 1, &req, &plan), ERR_OK);
    alloc_assert_draw(&plan, 0, 0, 6, 9);
}

static void allocation_leaves_what_a_peak_lot_cannot_cover_to_the_next_lot(void **state)
{
    (void)state;
    /* A holds 4 at 1.5x: 2 order credits cost 3, a third would cost 4.5 -> 5. */
    struct lot lots[] = {
        alloc_lot(2, 10, 0),
        alloc_peak_lot(1, 4, NOW + DAY, "1.5x Mon-Fri 07:00-09:00"),
    };
    struct alloc_request req = alloc_request_make(3);
    req.local_weekday = WED;
    req.local_minute = 7 * 60 + 30;
    struct alloc_plan plan = alloc_plan_lent();
    assert_int_equal(alloc_plan_make(lots, 2, &req, &plan), ERR_OK);
    assert_int_equal(plan.count, 2);
    alloc_assert_draw(&plan, 0, 1, 2, 3);
    alloc_assert_draw(&plan, 1, 0, 1, 1);
    assert_int_equal(plan.draws[0].multiplier_permille, 1500);
    assert_int_equal(plan.draws[1].multiplier_permille, 1000);
    assert_int_equal(plan.base_minor, 3);
    assert_int_equal(plan.total_minor, 4);
    assert_int_equal(plan.available_minor, 12);
    alloc_assert_totals(lots, &req, &plan);
    /* A lot that cannot cover even one order credit is passed over. */
    lots[1].remaining_minor = 1;
    assert_int_equal(alloc_plan_make(lots, 2, &req, &plan), ERR_OK);
    assert_int_equal(plan.count, 1);
    alloc_assert_draw(&plan, 0, 0, 3, 3);
    alloc_assert_totals(lots, &req, &plan);
}

/* ---- property test ----------------------------------------------------- */

static uint64_t prop_rng;
static uint64_t prop_seed;
static int prop_case;

#define PROP(cond)                                                                                 \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fail_msg("seed %llu case %d: %s", (unsigned long long)prop_seed, prop_case, #cond);    \
    } while (0)

static uint64_t prop_next(void)
{
    uint64_t z = (prop_rng += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t prop_below(uint64_t n)
{
    return prop_next() % n;
}

#define PROP_PICK(array) (array[prop_below(sizeof(array) / sizeof(array[0]))])

/* The expiry a booking at now would give the lot (a first-use lot starts then). */
static int64_t prop_expiry(const struct lot *l, int64_t now_us)
{
    if (l->expires_at_us != 0)
        return l->expires_at_us;
    if (l->start_on_first_use && l->starts_at_us == 0 && l->expiry_days_after_start > 0)
        return now_us + (int64_t)l->expiry_days_after_start * DAY;
    return INT64_MAX;
}

/* DESIGN rule 2 written out again: true when a is drawn before b. */
static bool prop_before(const struct lot *a, const struct lot *b, int64_t now_us)
{
    bool ra = lot_is_restricted(a), rb = lot_is_restricted(b);
    if (ra != rb)
        return ra;
    int64_t ea = prop_expiry(a, now_us);
    int64_t eb = prop_expiry(b, now_us);
    if (ea != eb)
        return ea < eb;
    if (a->created_at_us != b->created_at_us)
        return a->created_at_us < b->created_at_us;
    return a->id < b->id;
}

static int64_t prop_cost(int64_t base_minor, int32_t permille)
{
    return (int64_t)(((__int128)base_minor * permille + 999) / 1000);
}

/* The most order credits a lot holding remaining_minor covers at permille. */
static int64_t prop_capacity(int64_t remaining_minor, int32_t permille)
{
    int64_t lo = 0, hi = remaining_minor;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo + 1) / 2;
        if (prop_cost(mid, permille) <= remaining_minor)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static void prop_random_peak(struct peak_rule *r)
{
    static const int32_t multipliers[] = {1001, 1250, 1500, 2000, 3333, 10000};
    r->multiplier_permille =
        prop_below(4) ? PROP_PICK(multipliers) : 1001 + (int32_t)prop_below(9000);
    r->count = 1 + (uint32_t)prop_below(3);
    for (uint32_t w = 0; w < r->count; w++) {
        uint16_t a = (uint16_t)prop_below(24 * 60), b = (uint16_t)prop_below(24 * 60 + 1);
        r->windows[w].days_mask = (uint8_t)(1 + prop_below(PEAK_ALL_DAYS));
        r->windows[w].start_minute = a < b ? a : b;
        r->windows[w].end_minute = a < b ? b : (uint16_t)(a + 1);
    }
}

static void prop_random_lot(struct lot *l, int64_t id, int64_t now)
{
    static const char *const categories[] = {"", "", "", "tuning", "tuning,addon", "addon", "tune"};
    static const char *const providers[] = {"", "", "", "anna", "bob"};
    static const enum lot_status others[] = {LOT_PAUSED, LOT_DEACTIVATED, LOT_EXPIRED,
                                             LOT_EXHAUSTED};
    const int64_t expiries[] = {0,       0,         now - DAY,     now - 1,       now,
                                now + 1, now + DAY, now + 2 * DAY, now + 30 * DAY};
    *l = alloc_lot(id, 0, PROP_PICK(expiries));
    l->remaining_minor = prop_below(10) ? (int64_t)prop_below(21) : (int64_t)prop_below(1000000);
    l->original_minor = l->remaining_minor + (int64_t)prop_below(5);
    l->status = prop_below(10) < 6 ? LOT_ACTIVE : PROP_PICK(others);
    if (l->status == LOT_PAUSED)
        l->paused_at_us = now - DAY;
    l->created_at_us = now - (int64_t)prop_below(3) * DAY;
    switch (prop_below(7)) {
    case 0:
        l->starts_at_us = now + 1 + (int64_t)prop_below((uint64_t)DAY);
        break;
    case 1:
        l->starts_at_us = 0;
        l->start_on_first_use = true;
        l->expiry_days_after_start = prop_below(2) ? 30 : 0;
        break;
    case 2:
        l->starts_at_us = now;
        break;
    default:
        l->starts_at_us = l->created_at_us;
        break;
    }
    l->categories = PROP_PICK(categories);
    l->provider = PROP_PICK(providers);
    if (prop_below(3) == 0)
        prop_random_peak(&l->peak);
}

static void prop_random_services(struct order_service *s, size_t *n)
{
    static const char *const categories[] = {"tuning", "tuning", "addon", "tune", ""};
    static const char *const providers[] = {"", "", "anna", "bob"};
    *n = (size_t)prop_below(4);
    for (size_t i = 0; i < *n; i++) {
        s[i].service_id = (int64_t)i + 1;
        s[i].category = PROP_PICK(categories);
        s[i].provider = PROP_PICK(providers);
        s[i].cost_minor = 1;
    }
}

/* Checks one plan against DESIGN rules 1 to 3. */
static void prop_check_plan(const struct lot *lots, size_t n, const struct alloc_request *req,
                            enum err rc, const struct alloc_plan *p)
{
    static bool eligible[TEST_LOTS_MAX], drawn_from[TEST_LOTS_MAX];
    static int64_t capacity[TEST_LOTS_MAX];
    static int32_t permille[TEST_LOTS_MAX];
    int64_t available = 0;
    for (size_t i = 0; i < n; i++) {
        eligible[i] = lot_is_usable(&lots[i], req->now_us) &&
                      lot_admits(&lots[i], req->services, req->n_services);
        permille[i] = peak_rule_multiplier(&lots[i].peak, req->local_weekday, req->local_minute);
        capacity[i] = eligible[i] ? prop_capacity(lots[i].remaining_minor, permille[i]) : 0;
        available += capacity[i];
        drawn_from[i] = false;
    }
    PROP(rc == ERR_OK || rc == ERR_INSUFFICIENT_CREDITS);
    PROP(p->available_minor == available);
    PROP(p->count <= n);
    int64_t base = 0, drawn = 0;
    for (size_t k = 0; k < p->count; k++) {
        const struct alloc_draw *d = &p->draws[k];
        PROP(d->lot_index < n);
        size_t i = d->lot_index;
        PROP(!drawn_from[i]);
        drawn_from[i] = true;
        PROP(eligible[i]);
        PROP(d->multiplier_permille == permille[i]);
        PROP(d->base_minor > 0);
        PROP(d->base_minor <= capacity[i]);
        PROP(d->drawn_minor == prop_cost(d->base_minor, permille[i]));
        PROP(d->drawn_minor <= lots[i].remaining_minor);
        /* Greedy: a lot is emptied (as far as it can cover) before the next one is touched. */
        if (k + 1 < p->count)
            PROP(d->base_minor == capacity[i]);
        if (k > 0)
            PROP(prop_before(&lots[p->draws[k - 1].lot_index], &lots[i], req->now_us));
        base += d->base_minor;
        drawn += d->drawn_minor;
    }
    PROP(p->base_minor == base);
    PROP(p->total_minor == drawn);
    for (size_t i = 0; i < n; i++) {
        if (!eligible[i] || capacity[i] == 0 || drawn_from[i] || req->amount_minor == 0)
            continue;
        /* A skipped lot with credits must come after every lot that was drawn. */
        PROP(rc == ERR_OK);
        PROP(p->count > 0);
        PROP(prop_before(&lots[p->draws[p->count - 1].lot_index], &lots[i], req->now_us));
    }
    if (rc == ERR_OK) {
        PROP(available >= req->amount_minor);
        PROP(p->base_minor == req->amount_minor);
        PROP(p->shortfall_minor == 0);
        PROP(req->amount_minor > 0 || p->count == 0);
    } else {
        PROP(available < req->amount_minor);
        PROP(p->shortfall_minor == req->amount_minor - available);
    }
}

/* Rule 1: applying a successful plan never takes a lot below zero. */
static void prop_check_apply(const struct lot *lots, const struct alloc_plan *p)
{
    for (size_t k = 0; k < p->count; k++) {
        struct lot copy = lots[p->draws[k].lot_index];
        PROP(lot_draw(&copy, p->draws[k].drawn_minor) == ERR_OK);
        PROP(copy.remaining_minor >= 0);
    }
}

static uint64_t prop_env_number(const char *name, uint64_t fallback)
{
    const char *s = getenv(name);
    if (s == NULL || s[0] == '\0')
        return fallback;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    return *end == '\0' ? (uint64_t)v : fallback;
}

static struct lot prop_lots[TEST_LOTS_MAX];

static void allocation_invariants_hold_for_random_lots_and_orders(void **state)
{
    (void)state;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    prop_seed =
        prop_env_number("TEST_SEED", (uint64_t)ts.tv_sec * 1000000007u + (uint64_t)ts.tv_nsec);
    const int cases = (int)prop_env_number("TEST_CASES", 20000);
    print_message("allocation property: seed %llu, %d cases (replay with TEST_SEED=%llu)\n",
                  (unsigned long long)prop_seed, cases, (unsigned long long)prop_seed);
    prop_rng = prop_seed;
    int ok = 0, short_of = 0;
    for (prop_case = 0; prop_case < cases; prop_case++) {
        /* Mostly a handful of lots; one case in 300 up to ten thousand. */
        size_t n =
            prop_below(300) == 0 ? (size_t)prop_below(TEST_LOTS_MAX + 1) : (size_t)prop_below(13);
        int64_t now = NOW + (int64_t)prop_below(1000) * USEC_PER_MIN;
        /* Unique ids in shuffled order, so the id tie-break is exercised. */
        int64_t total = 0;
        for (size_t i = 0; i < n; i++) {
            prop_random_lot(&prop_lots[i], (int64_t)i + 1, now);
            total += prop_lots[i].remaining_minor;
        }
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)prop_below(i);
            int64_t id = prop_lots[i - 1].id;
            prop_lots[i - 1].id = prop_lots[j].id;
            prop_lots[j].id = id;
        }
        struct order_service services[4];
        struct alloc_request req = {.services = services, .now_us = now};
        prop_random_services(services, &req.n_services);
        req.local_weekday = (unsigned)prop_below(7);
        req.local_minute = (unsigned)prop_below(24 * 60);
        uint64_t span = prop_below(2) ? (uint64_t)total + 3 : (uint64_t)total / 4 + 3;
        req.amount_minor = prop_below(20) == 0 ? 0 : (int64_t)prop_below(span);
        struct alloc_plan plan = alloc_plan_lent();
        enum err rc = alloc_plan_make(prop_lots, n, &req, &plan);
        prop_check_plan(prop_lots, n, &req, rc, &plan);
        if (rc == ERR_OK) {
            prop_check_apply(prop_lots, &plan);
            ok++;
        } else {
            short_of++;
        }
    }
    print_message("allocation property: %d planned, %d short\n", ok, short_of);
    /* Both outcomes must be exercised, or the test proves little. */
    assert_true(ok > cases / 10);
    assert_true(short_of > cases / 10);
}

/* ---- many lots --------------------------------------------------------- */

static struct lot many_lots[TEST_LOTS_MAX];
static struct lot many_sorted[TEST_LOTS_MAX];

static int many_lots_compare(const void *a, const void *b)
{
    const struct lot *x = a, *y = b;
    return prop_before(x, y, NOW) ? -1 : prop_before(y, x, NOW) ? 1 : 0;
}

/* Ten thousand one-credit lots in shuffled order: expiries over two months
 * and never, three creation days, some restricted to tuning (which admit the
 * order) or to add-ons (which do not), some paused, some starting on first
 * use. Returns how many the order may draw from, sorted into many_sorted. */
static size_t many_lots_make(void)
{
    static const char *const categories[] = {"", "", "", "", "", "", "", "tuning", "addon", ""};
    prop_rng = 42;
    size_t eligible = 0;
    for (size_t i = 0; i < TEST_LOTS_MAX; i++) {
        int64_t days = (int64_t)prop_below(61);
        struct lot *l = &many_lots[i];
        *l = alloc_lot((int64_t)i + 1, 1, days == 60 ? 0 : NOW + (days + 1) * DAY);
        l->created_at_us = NOW - (int64_t)prop_below(3) * DAY;
        l->categories = PROP_PICK(categories);
        if (prop_below(20) == 0) {
            l->status = LOT_PAUSED;
            l->paused_at_us = NOW - DAY;
        } else if (prop_below(20) == 0) {
            l->starts_at_us = 0;
            l->start_on_first_use = true;
            l->expires_at_us = 0;
            l->expiry_days_after_start = 1 + (int32_t)prop_below(60);
        }
    }
    for (size_t i = TEST_LOTS_MAX; i > 1; i--) {
        size_t j = (size_t)prop_below(i);
        int64_t id = many_lots[i - 1].id;
        many_lots[i - 1].id = many_lots[j].id;
        many_lots[j].id = id;
    }
    for (size_t i = 0; i < TEST_LOTS_MAX; i++)
        if (lot_is_usable(&many_lots[i], NOW) && lot_admits(&many_lots[i], stage1, 1))
            many_sorted[eligible++] = many_lots[i];
    qsort(many_sorted, eligible, sizeof(many_sorted[0]), many_lots_compare);
    return eligible;
}

static void allocation_over_ten_thousand_lots_keeps_the_order_and_stops_when_covered(void **state)
{
    (void)state;
    size_t eligible = many_lots_make();
    assert_true(eligible > 8000);
    struct alloc_request req = alloc_request_make(300);
    struct alloc_plan plan = alloc_plan_lent();
    assert_int_equal(alloc_plan_make(many_lots, TEST_LOTS_MAX, &req, &plan), ERR_OK);
    /* Exactly the first 300 lots of rule 2, one credit each, and no more;
     * available is still every usable lot. */
    assert_int_equal(plan.count, 300);
    for (size_t k = 0; k < plan.count; k++) {
        assert_int_equal(many_lots[plan.draws[k].lot_index].id, many_sorted[k].id);
        assert_int_equal(plan.draws[k].drawn_minor, 1);
    }
    assert_true(lot_is_restricted(&many_lots[plan.draws[0].lot_index]));
    assert_int_equal(plan.available_minor, (int64_t)eligible);
    alloc_assert_totals(many_lots, &req, &plan);
}

static void allocation_over_ten_thousand_lots_short_of_credits_draws_them_all_in_order(void **state)
{
    (void)state;
    size_t eligible = many_lots_make();
    struct alloc_request req = alloc_request_make((int64_t)eligible + 5);
    struct alloc_plan plan = alloc_plan_lent();
    assert_int_equal(alloc_plan_make(many_lots, TEST_LOTS_MAX, &req, &plan),
                     ERR_INSUFFICIENT_CREDITS);
    assert_int_equal(plan.count, eligible);
    for (size_t k = 0; k < plan.count; k++)
        assert_int_equal(many_lots[plan.draws[k].lot_index].id, many_sorted[k].id);
    assert_int_equal(plan.available_minor, (int64_t)eligible);
    assert_int_equal(plan.shortfall_minor, 5);
    req.amount_minor = (int64_t)eligible;
    assert_int_equal(alloc_plan_make(many_lots, TEST_LOTS_MAX, &req, &plan), ERR_OK);
    assert_int_equal(plan.count, eligible);
    alloc_assert_totals(many_lots, &req, &plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(allocation_draws_the_design_example_from_the_earliest_expiry),
        cmocka_unit_test(allocation_prefers_restricted_lots_that_admit_the_order),
        cmocka_unit_test(allocation_skips_a_restricted_lot_that_does_not_admit_every_service),
        cmocka_unit_test(allocation_takes_earliest_expiry_first_and_never_expiring_last),
        cmocka_unit_test(allocation_breaks_expiry_ties_by_oldest_then_lowest_id),
        cmocka_unit_test(allocation_skips_unusable_lots),
        cmocka_unit_test(allocation_uses_a_first_use_lot_that_has_not_started),
        cmocka_unit_test(a_first_use_lot_sorts_by_the_expiry_this_booking_would_give_it),
        cmocka_unit_test(allocation_succeeds_for_exactly_the_balance),
        cmocka_unit_test(allocation_one_credit_short_fails_naming_shortfall_and_available),
        cmocka_unit_test(allocation_of_zero_credits_is_an_empty_plan),
        cmocka_unit_test(allocation_spreads_an_order_across_several_lots),
        cmocka_unit_test(allocation_multiplies_credits_drawn_in_a_peak_window),
        cmocka_unit_test(allocation_peak_shortfall_counts_order_credits_not_lot_credits),
        cmocka_unit_test(allocation_leaves_what_a_peak_lot_cannot_cover_to_the_next_lot),
        cmocka_unit_test(allocation_over_ten_thousand_lots_keeps_the_order_and_stops_when_covered),
        cmocka_unit_test(
            allocation_over_ten_thousand_lots_short_of_credits_draws_them_all_in_order),
        cmocka_unit_test(allocation_invariants_hold_for_random_lots_and_orders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
