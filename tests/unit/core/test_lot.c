/*
 * Unit tests of lots (core/lot.c): validity rules, when a lot is usable and
 * counts in the balance, and every state change (pause, resume, extend,
 * deactivate, reactivate, expire, first use, draw, refund), restrictions and
 * the names of statuses, sources and rules.
 *
 * Method: one test per rule of DESIGN §2 (rules 2, 5, 7, 8) as it applies to
 * a single lot, each paired with its refusals. A refused change must leave
 * the lot exactly as it was, so every refusal compares the whole lot with a
 * copy taken before. Times sit on the exact instants that matter (expiry,
 * start, one microsecond before), because "expired" is a boundary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/core.h"

/* 2026-03-01T10:00:00Z, a Sunday: the tests' usual "now". */
#define T0  INT64_C(1772359200000000)
#define DAY USEC_PER_DAY

/* An active, unrestricted lot that started a day before T0. */
static struct lot lot_make(int64_t remaining_minor, int64_t expires_at_us)
{
    struct lot l;
    memset(&l, 0, sizeof(l));
    l.id = 1;
    l.customer_id = 10;
    l.credit_type_id = 100;
    l.original_minor = remaining_minor;
    l.remaining_minor = remaining_minor;
    l.status = remaining_minor > 0 ? LOT_ACTIVE : LOT_EXHAUSTED;
    l.source = SOURCE_PAYMENT;
    l.created_at_us = T0 - DAY;
    l.starts_at_us = T0 - DAY;
    l.expires_at_us = expires_at_us;
    l.categories = "";
    l.provider = "";
    l.peak.multiplier_permille = 1000;
    return l;
}

static void lot_assert_same(const struct lot *got, const struct lot *want)
{
    assert_int_equal(got->id, want->id);
    assert_int_equal(got->customer_id, want->customer_id);
    assert_int_equal(got->credit_type_id, want->credit_type_id);
    assert_int_equal(got->original_minor, want->original_minor);
    assert_int_equal(got->remaining_minor, want->remaining_minor);
    assert_int_equal(got->deactivated_minor, want->deactivated_minor);
    assert_int_equal(got->status, want->status);
    assert_int_equal(got->source, want->source);
    assert_int_equal(got->created_at_us, want->created_at_us);
    assert_int_equal(got->starts_at_us, want->starts_at_us);
    assert_int_equal(got->start_on_first_use, want->start_on_first_use);
    assert_int_equal(got->expires_at_us, want->expires_at_us);
    assert_int_equal(got->expiry_days_after_start, want->expiry_days_after_start);
    assert_int_equal(got->paused_at_us, want->paused_at_us);
    assert_ptr_equal(got->categories, want->categories);
    assert_ptr_equal(got->provider, want->provider);
    assert_int_equal(got->peak.multiplier_permille, want->peak.multiplier_permille);
    assert_int_equal(got->peak.count, want->peak.count);
}

/* ---- validity ---------------------------------------------------------- */

struct validity_case {
    const char *name;
    struct validity rule;
    int64_t starts_at_us;
    bool start_on_first_use;
    int64_t expires_at_us;
    int32_t expiry_days_after_start;
};

static void validity_check_cases(const struct validity_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct validity_case *c = &cases[i];
        /* Leftovers in the lot must be overwritten, not kept. */
        struct lot l = lot_make(10, T0 + 999 * DAY);
        l.expiry_days_after_start = 77;
        struct err_detail d = {0};
        enum err rc = validity_apply(&c->rule, T0, &l, &d);
        if (rc != ERR_OK || l.starts_at_us != c->starts_at_us ||
            l.start_on_first_use != c->start_on_first_use || l.expires_at_us != c->expires_at_us ||
            l.expiry_days_after_start != c->expiry_days_after_start)
            fail_msg("%s: %s (%s), starts %lld first_use %d expires %lld days %d", c->name,
                     err_code(rc), d.field, (long long)l.starts_at_us, l.start_on_first_use,
                     (long long)l.expires_at_us, l.expiry_days_after_start);
    }
}

static void validity_with_immediate_start_applies_each_expiry_rule(void **state)
{
    (void)state;
    const struct validity_case cases[] = {
        {"immediate, never", {.start = START_IMMEDIATE, .expiry = EXPIRY_NEVER}, T0, false, 0, 0},
        {"immediate, fixed",
         {.start = START_IMMEDIATE, .expiry = EXPIRY_FIXED, .expires_at_us = T0 + 30 * DAY},
         T0,
         false,
         T0 + 30 * DAY,
         0},
        {"immediate, days from purchase",
         {.start = START_IMMEDIATE, .expiry = EXPIRY_DAYS_FROM_PURCHASE, .expiry_days = 30},
         T0,
         false,
         T0 + 30 * DAY,
         0},
        {"immediate, days from start",
         {.start = START_IMMEDIATE, .expiry = EXPIRY_DAYS_FROM_START, .expiry_days = 30},
         T0,
         false,
         T0 + 30 * DAY,
         0},
    };
    validity_check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void validity_with_fixed_start_applies_each_expiry_rule(void **state)
{
    (void)state;
    const int64_t start = T0 + 5 * DAY;
    const struct validity_case cases[] = {
        {"fixed, never",
         {.start = START_FIXED, .start_at_us = start, .expiry = EXPIRY_NEVER},
         start,
         false,
         0,
         0},
        {"fixed, fixed",
         {.start = START_FIXED,
          .start_at_us = start,
          .expiry = EXPIRY_FIXED,
          .expires_at_us = T0 + 40 * DAY},
         start,
         false,
         T0 + 40 * DAY,
         0},
        {"fixed, days from purchase",
         {.start = START_FIXED,
          .start_at_us = start,
          .expiry = EXPIRY_DAYS_FROM_PURCHASE,
          .expiry_days = 30},
         start,
         false,
         T0 + 30 * DAY,
         0},
        {"fixed, days from start",
         {.start = START_FIXED,
          .start_at_us = start,
          .expiry = EXPIRY_DAYS_FROM_START,
          .expiry_days = 30},
         start,
         false,
         start + 30 * DAY,
         0},
        {"fixed in the past, days from start",
         {.start = START_FIXED,
          .start_at_us = T0 - 5 * DAY,
          .expiry = EXPIRY_DAYS_FROM_START,
          .expiry_days = 30},
         T0 - 5 * DAY,
         false,
         T0 + 25 * DAY,
         0},
    };
    validity_check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void validity_with_first_use_start_defers_only_the_start_relative_expiry(void **state)
{
    (void)state;
    const struct validity_case cases[] = {
        {"first use, never", {.start = START_FIRST_USE, .expiry = EXPIRY_NEVER}, 0, true, 0, 0},
        {"first use, fixed",
         {.start = START_FIRST_USE, .expiry = EXPIRY_FIXED, .expires_at_us = T0 + 30 * DAY},
         0,
         true,
         T0 + 30 * DAY,
         0},
        {"first use, days from purchase",
         {.start = START_FIRST_USE, .expiry = EXPIRY_DAYS_FROM_PURCHASE, .expiry_days = 30},
         0,
         true,
         T0 + 30 * DAY,
         0},
        {"first use, days from start",
         {.start = START_FIRST_USE, .expiry = EXPIRY_DAYS_FROM_START, .expiry_days = 30},
         0,
         true,
         0,
         30},
    };
    validity_check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void validity_assert_refused(const struct validity *v, const char *field)
{
    struct lot l = lot_make(10, T0 + 999 * DAY);
    struct lot before = l;
    struct err_detail d = {0};
    assert_int_equal(validity_apply(v, T0, &l, &d), ERR_VALIDATION);
    assert_string_equal(d.field, field);
    assert_true(d.message[0] != '\0');
    lot_assert_same(&l, &before);
}

static void validity_refuses_a_fixed_expiry_in_the_past(void **state)
{
    (void)state;
    enum start_rule starts[] = {START_IMMEDIATE, START_FIXED, START_FIRST_USE};
    for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
        struct validity v = {.start = starts[i],
                             .start_at_us = T0 - 10 * DAY,
                             .expiry = EXPIRY_FIXED,
                             .expires_at_us = T0 - 1};
        validity_assert_refused(&v, "expires_at");
        /* Expiring at the very instant of creation is already past. */
        v.expires_at_us = T0;
        validity_assert_refused(&v, "expires_at");
    }
}

static void validity_refuses_an_expiry_not_after_the_fixed_start(void **state)
{
    (void)state;
    const int64_t start = T0 + 10 * DAY;
    struct validity v = {
        .start = START_FIXED, .start_at_us = start, .expiry = EXPIRY_FIXED, .expires_at_us = start};
    validity_assert_refused(&v, "expires_at");
    v.expires_at_us = start - 1;
    validity_assert_refused(&v, "expires_at");
    /* Thirty days from purchase end before a start forty days out. */
    struct validity w = {.start = START_FIXED,
                         .start_at_us = T0 + 40 * DAY,
                         .expiry = EXPIRY_DAYS_FROM_PURCHASE,
                         .expiry_days = 30};
    validity_assert_refused(&w, "expiry_days");
}

static void validity_refuses_days_from_a_past_fixed_start_that_end_before_now(void **state)
{
    (void)state;
    /* Started 40 days ago, valid 30 days from its start: expired ten days before it
     * was created. Like a fixed expiry in the past, this rule cannot hold. */
    struct validity v = {.start = START_FIXED,
                         .start_at_us = T0 - 40 * DAY,
                         .expiry = EXPIRY_DAYS_FROM_START,
                         .expiry_days = 30};
    validity_assert_refused(&v, "expiry_days");
    /* Ending at the very instant of creation is already past too. */
    v.start_at_us = T0 - 30 * DAY;
    validity_assert_refused(&v, "expiry_days");
}

static void validity_refuses_expiry_days_out_of_range(void **state)
{
    (void)state;
    enum expiry_rule rules[] = {EXPIRY_DAYS_FROM_PURCHASE, EXPIRY_DAYS_FROM_START};
    int32_t bad_days[] = {0, -1, 3661, 5000, INT32_MAX, INT32_MIN};
    for (size_t r = 0; r < 2; r++) {
        for (size_t i = 0; i < sizeof(bad_days) / sizeof(bad_days[0]); i++) {
            struct validity v = {
                .start = START_IMMEDIATE, .expiry = rules[r], .expiry_days = bad_days[i]};
            validity_assert_refused(&v, "expiry_days");
            v.start = START_FIRST_USE;
            validity_assert_refused(&v, "expiry_days");
        }
        /* The edges of the range are accepted. */
        struct lot l = lot_make(10, 0);
        struct err_detail d = {0};
        struct validity one = {.start = START_IMMEDIATE, .expiry = rules[r], .expiry_days = 1};
        assert_int_equal(validity_apply(&one, T0, &l, &d), ERR_OK);
        assert_int_equal(l.expires_at_us, T0 + DAY);
        struct validity most = {.start = START_IMMEDIATE, .expiry = rules[r], .expiry_days = 3660};
        assert_int_equal(validity_apply(&most, T0, &l, &d), ERR_OK);
        assert_int_equal(l.expires_at_us, T0 + 3660 * DAY);
    }
}

static void validity_refuses_a_fixed_start_without_a_date(void **state)
{
    (void)state;
    struct validity v = {.start = START_FIXED, .start_at_us = 0, .expiry = EXPIRY_NEVER};
    validity_assert_refused(&v, "starts_at");
    v.start_at_us = -1;
    validity_assert_refused(&v, "starts_at");
}

/* ---- usable, in balance, past expiry ----------------------------------- */

static void lot_is_usable_until_the_instant_it_expires(void **state)
{
    (void)state;
    const int64_t expires = T0 + DAY;
    struct lot l = lot_make(5, expires);
    assert_true(lot_is_usable(&l, expires - 1));
    assert_false(lot_is_past_expiry(&l, expires - 1));
    assert_false(lot_is_usable(&l, expires));
    assert_true(lot_is_past_expiry(&l, expires));
    assert_false(lot_is_usable(&l, expires + 1));
    assert_true(lot_is_past_expiry(&l, expires + 1));
}

static void lot_counts_in_the_balance_until_the_instant_it_expires(void **state)
{
    (void)state;
    const int64_t expires = T0 + DAY;
    struct lot l = lot_make(5, expires);
    assert_true(lot_is_in_balance(&l, expires - 1));
    assert_false(lot_is_in_balance(&l, expires));
    /* Even before the expiry job ran (status still active). */
    assert_int_equal(l.status, LOT_ACTIVE);
    assert_false(lot_is_in_balance(&l, expires + 365 * DAY));
}

static void lot_never_expiring_is_never_past_expiry(void **state)
{
    (void)state;
    struct lot l = lot_make(5, 0);
    assert_false(lot_is_past_expiry(&l, INT64_MAX));
    assert_true(lot_is_usable(&l, T0 + 10000 * DAY));
    assert_true(lot_is_in_balance(&l, T0 + 10000 * DAY));
}

static void lot_in_balance_depends_on_its_status(void **state)
{
    (void)state;
    struct lot l = lot_make(5, T0 + DAY);
    l.status = LOT_ACTIVE;
    assert_true(lot_is_in_balance(&l, T0));
    l.status = LOT_PAUSED;
    l.paused_at_us = T0 - 1;
    assert_true(lot_is_in_balance(&l, T0));
    l.status = LOT_DEACTIVATED;
    assert_false(lot_is_in_balance(&l, T0));
    l.status = LOT_EXPIRED;
    assert_false(lot_is_in_balance(&l, T0));
    l.remaining_minor = 0;
    l.status = LOT_EXHAUSTED;
    assert_true(lot_is_in_balance(&l, T0));
}

static void lot_is_usable_only_when_active_with_credits_left(void **state)
{
    (void)state;
    struct lot l = lot_make(5, T0 + DAY);
    assert_true(lot_is_usable(&l, T0));
    enum lot_status others[] = {LOT_PAUSED, LOT_DEACTIVATED, LOT_EXPIRED, LOT_EXHAUSTED};
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        struct lot o = l;
        o.status = others[i];
        if (lot_is_usable(&o, T0))
            fail_msg("a %s lot is usable", lot_status_name(others[i]));
    }
    struct lot empty = l;
    empty.remaining_minor = 0;
    assert_false(lot_is_usable(&empty, T0));
}

static void lot_with_a_fixed_start_is_not_usable_before_it_starts(void **state)
{
    (void)state;
    struct lot l = lot_make(5, T0 + 30 * DAY);
    l.starts_at_us = T0 + DAY;
    assert_false(lot_is_usable(&l, T0));
    assert_false(lot_is_usable(&l, T0 + DAY - 1));
    assert_true(lot_is_usable(&l, T0 + DAY));
    /* Its credits are the customer's already: they count, but cannot be spent. */
    assert_true(lot_is_in_balance(&l, T0));
}

/* A first-use lot valid for 30 days from its start, as validity_apply makes it. */
static struct lot lot_make_first_use(int64_t remaining_minor)
{
    struct lot l = lot_make(remaining_minor, T0 + 999 * DAY);
    struct validity v = {
        .start = START_FIRST_USE, .expiry = EXPIRY_DAYS_FROM_START, .expiry_days = 30};
    struct err_detail d = {0};
    assert_int_equal(validity_apply(&v, T0 - 10 * DAY, &l, &d), ERR_OK);
    return l;
}

static void first_use_lot_is_usable_before_its_first_booking(void **state)
{
    (void)state;
    struct lot l = lot_make_first_use(5);
    assert_int_equal(l.starts_at_us, 0);
    assert_int_equal(l.expires_at_us, 0);
    assert_true(lot_is_usable(&l, T0));
    assert_true(lot_is_in_balance(&l, T0));
    assert_false(lot_is_past_expiry(&l, T0 + 1000 * DAY));
}

static void first_use_lot_starts_at_its_booking_which_fixes_its_expiry(void **state)
{
    (void)state;
    struct lot l = lot_make_first_use(5);
    lot_start_on_use(&l, T0);
    assert_int_equal(l.starts_at_us, T0);
    assert_int_equal(l.expires_at_us, T0 + 30 * DAY);
    assert_true(lot_is_usable(&l, T0 + 30 * DAY - 1));
    assert_false(lot_is_usable(&l, T0 + 30 * DAY));
    /* A second booking does not restart the clock. */
    lot_start_on_use(&l, T0 + 5 * DAY);
    assert_int_equal(l.starts_at_us, T0);
    assert_int_equal(l.expires_at_us, T0 + 30 * DAY);
}

static void first_use_lot_with_a_fixed_expiry_keeps_it_when_started(void **state)
{
    (void)state;
    struct lot l = lot_make(5, 0);
    struct validity v = {
        .start = START_FIRST_USE, .expiry = EXPIRY_FIXED, .expires_at_us = T0 + 20 * DAY};
    struct err_detail d = {0};
    assert_int_equal(validity_apply(&v, T0 - DAY, &l, &d), ERR_OK);
    lot_start_on_use(&l, T0);
    assert_int_equal(l.starts_at_us, T0);
    assert_int_equal(l.expires_at_us, T0 + 20 * DAY);
}

static void start_on_use_leaves_an_ordinary_lot_alone(void **state)
{
    (void)state;
    struct lot l = lot_make(5, T0 + DAY);
    struct lot before = l;
    lot_start_on_use(&l, T0);
    lot_assert_same(&l, &before);
}

/* ---- pause and resume -------------------------------------------------- */

static void pause_moves_the_expiry_later_by_exactly_the_paused_time(void **state)
{
    (void)state;
    const int64_t expires = T0 + 10 * DAY;
    struct lot l = lot_make(5, expires);
    assert_int_equal(lot_pause(&l, T0), ERR_OK);
    assert_int_equal(l.status, LOT_PAUSED);
    assert_int_equal(l.paused_at_us, T0);
    assert_int_equal(lot_resume(&l, T0 + 3 * DAY + 7), ERR_OK);
    assert_int_equal(l.status, LOT_ACTIVE);
    assert_int_equal(l.paused_at_us, 0);
    assert_int_equal(l.expires_at_us, expires + 3 * DAY + 7);
    assert_int_equal(l.remaining_minor, 5);
}

static void pause_spanning_the_original_expiry_keeps_the_lot_valid_after_resume(void **state)
{
    (void)state;
    const int64_t expires = T0 + DAY;
    struct lot l = lot_make(5, expires);
    assert_int_equal(lot_pause(&l, T0), ERR_OK);
    /* Resumed five days after the original expiry, with a day left on the clock. */
    const int64_t resumed = expires + 5 * DAY;
    assert_int_equal(lot_resume(&l, resumed), ERR_OK);
    assert_int_equal(l.expires_at_us, resumed + DAY);
    assert_true(lot_is_usable(&l, resumed));
    assert_true(lot_is_in_balance(&l, resumed));
    assert_true(lot_is_usable(&l, resumed + DAY - 1));
    assert_false(lot_is_usable(&l, resumed + DAY));
}

static void paused_lot_is_never_past_expiry_and_never_usable(void **state)
{
    (void)state;
    const int64_t expires = T0 + DAY;
    struct lot l = lot_make(5, expires);
    assert_int_equal(lot_pause(&l, T0), ERR_OK);
    assert_false(lot_is_usable(&l, T0));
    assert_false(lot_is_past_expiry(&l, expires));
    assert_false(lot_is_past_expiry(&l, expires + 1000 * DAY));
    assert_true(lot_is_in_balance(&l, expires + 1000 * DAY));
    int64_t moved = -1;
    assert_int_equal(lot_expire(&l, expires + 1000 * DAY, &moved), ERR_LOT_STATE);
    assert_int_equal(moved, -1);
}

static void pause_of_a_never_expiring_lot_keeps_it_never_expiring(void **state)
{
    (void)state;
    struct lot l = lot_make(5, 0);
    assert_int_equal(lot_pause(&l, T0), ERR_OK);
    assert_int_equal(lot_resume(&l, T0 + 9 * DAY), ERR_OK);
    assert_int_equal(l.expires_at_us, 0);
    assert_int_equal(l.status, LOT_ACTIVE);
}

static void pause_of_an_exhausted_lot_resumes_as_exhausted(void **state)
{
    (void)state;
    struct lot l = lot_make(0, T0 + DAY);
    assert_int_equal(l.status, LOT_EXHAUSTED);
    assert_int_equal(lot_pause(&l, T0), ERR_OK);
    assert_int_equal(lot_resume(&l, T0 + DAY), ERR_OK);
    assert_int_equal(l.status, LOT_EXHAUSTED);
    assert_int_equal(l.expires_at_us, T0 + 2 * DAY);
}

static void resume_of_an_active_lot_is_refused_and_changes_nothing(void **state)
{
    (void)state;
    struct lot l = lot_make(5, T0 + DAY);
    struct lot before = l;
    assert_int_equal(lot_resume(&l, T0), ERR_LOT_STATE);
    lot_assert_same(&l, &before);
    enum lot_status others[] = {LOT_DEACTIVATED, LOT_EXPIRED, LOT_EXHAUSTED};
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        struct lot o = l;
        o.status = others[i];
        struct lot o_before = o;
        assert_int_equal(lot_resume(&o, T0), ERR_LOT_STATE);
        lot_assert_same(&o, &o_before);
    }
}

static void resume_before_the_pause_began_is_refused_and_changes_nothing(void **state)
{
    (void)state;
    struct lot l = lot_make(5, T0 + DAY);
    assert_int_equal(lot_pause(&l, T0), ERR_OK);
    struct lot before = l;
    assert_int_equal(lot_resume(&l, T0 - 1), ERR_VALIDATION);
    lot_assert_same(&l, &before);
}

static void pause_is_refused_for_paused_deactivated_expired_or_past_expiry_lots(void **state)
{
    (void)state;
    struct lot paused = lot_make(5, T0 + DAY);
    assert_int_equal(lot_pause(&paused, T0 - 5), ERR_OK);
    struct lot before = paused;
    assert_int_equal(lot_pause(&paused, T0), ERR_LOT_STATE);
    lot_assert_same(&paused, &before);

    enum lot_status closed[] = {LOT_DEACTIVATED, LOT_EXPIRED};
    for (size_t i = 0; i < 2; i++) {
        struct lot l = lot_make(5, T0 + DAY);
        l.status = closed[i];
        struct lot l_before = l;
        assert_int_equal(lot_pause(&l, T0), ERR_LOT_STATE);
        lot_assert_same(&l, &l_before);
    }

    struct lot late = lot_make(5, T0);
    struct lot late_before = late;
    assert_int_equal(lot_pause(&late, T0), ERR_LOT_EXPIRED);
    lot_assert_same(&late, &late_before);
}

/* ---- extend ------------------------------------------------------------ */

static void extend_moves_the_expiry_later_only(void **state)
{
    (void)state;
    struct lot l = lot_make(5, T0 + DAY);
    assert_int_equal(lot_extend(&l, T0 + 10 * DAY, T0), ERR_OK);
    assert_int_equal(l.expires_at_us, T0 + 10 * DAY);
    struct lot before = l;
    assert_int_equal(lot_extend(&l, T0 + 10 * DAY, T0), ERR_VALIDATION);
    lot_assert_same(&l, &before);
    assert_int_equal(lot_extend(&l, T0 + 2 * DAY, T0), ERR_VALIDATION);
    lot_assert_same(&l, &before);
    assert_int_equal(lot_extend(&l, 0, T0), ERR_VALIDATION);
    lot_assert_same(&l, &before);
}

static void extend_of_a_never_expiring_lot_is_refused(void **state)
{
    (void)state;
    struct lot l = lot_make(5, 0);
    struct lot before = l;
    assert_int_equal(lot_extend(&l, T0 + 10 * DAY, T0), ERR_VALIDATION);
    lot_assert_same(&l, &before);
}

static void extend_of_an_expired_lot_is_refused(void **state)
{
    (void)state;
    struct lot expired = lot_make(0, T0 - DAY);
    expired.status = LOT_EXPIRED;
    struct lot before = expired;
    assert_int_equal(lot_extend(&expired, T0 + 10 * DAY, T0), ERR_LOT_EXPIRED);
    lot_assert_same(&expired, &before);
    /* Past expiry but the expiry job has not run: the credits are gone all the same. */
    struct lot late = lot_make(5, T0);
    struct lot late_before = late;
    assert_int_equal(lot_extend(&late, T0 + 10 * DAY, T0), ERR_LOT_EXPIRED);
    lot_assert_same(&late, &late_before);
    struct lot off = lot_make(0, T0 + DAY);
    off.status = LOT_DEACTIVATED;
    struct lot off_before = off;
    assert_int_equal(lot_extend(&off, T0 + 10 * DAY, T0), ERR_LOT_STATE);
    lot_assert_same(&off, &off_before);
}

/* ---- deactivate and reactivate ----------------------------------------- */

static void deactivate_moves_the_remaining_credits_out_of_the_balance(void **state)
{
    (void)state;
    struct lot l = lot_make(7, T0 + DAY);
    l.original_minor = 10;
    int64_t moved = -1;
    assert_int_equal(lot_deactivate(&l, T0, &moved), ERR_OK);
    assert_int_equal(moved, 7);
    assert_int_equal(l.status, LOT_DEACTIVATED);
    assert_int_equal(l.remaining_minor, 0);
    assert_int_equal(l.deactivated_minor, 7);
    assert_int_equal(l.original_minor, 10);
    assert_false(lot_is_in_balance(&l, T0));
    assert_false(lot_is_usable(&l, T0));
}

static void reactivate_brings_the_credits_back_before_expiry(void **state)
{
    (void)state;
    struct lot l = lot_make(7, T0 + DAY);
    int64_t moved = -1;
    assert_int_equal(lot_deactivate(&l, T0, &moved), ERR_OK);
    moved = -1;
    assert_int_equal(lot_reactivate(&l, T0 + DAY - 1, &moved), ERR_OK);
    assert_int_equal(moved, 7);
    assert_int_equal(l.status, LOT_ACTIVE);
    assert_int_equal(l.remaining_minor, 7);
    assert_int_equal(l.deactivated_minor, 0);
    assert_true(lot_is_usable(&l, T0 + DAY - 1));
}

static void reactivate_after_expiry_is_refused_and_leaves_the_lot_unchanged(void **state)
{
    (void)state;
    struct lot l = lot_make(7, T0 + DAY);
    int64_t moved = -1;
    assert_int_equal(lot_deactivate(&l, T0, &moved), ERR_OK);
    struct lot before = l;
    moved = -1;
    assert_int_equal(lot_reactivate(&l, T0 + DAY, &moved), ERR_LOT_EXPIRED);
    assert_int_equal(moved, -1);
    lot_assert_same(&l, &before);
    assert_int_equal(lot_reactivate(&l, T0 + 100 * DAY, &moved), ERR_LOT_EXPIRED);
    lot_assert_same(&l, &before);
}

static void reactivate_of_an_exhausted_deactivated_lot_leaves_it_exhausted(void **state)
{
    (void)state;
    struct lot l = lot_make(0, T0 + DAY);
    int64_t moved = -1;
    assert_int_equal(lot_deactivate(&l, T0, &moved), ERR_OK);
    assert_int_equal(moved, 0);
    assert_int_equal(lot_reactivate(&l, T0, &moved), ERR_OK);
    assert_int_equal(moved, 0);
    assert_int_equal(l.status, LOT_EXHAUSTED);
}

static void deactivating_a_paused_lot_ends_the_pause_first(void **state)
{
    (void)state;
    const int64_t expires = T0 + DAY;
    struct lot l = lot_make(7, expires);
    assert_int_equal(lot_pause(&l, T0), ERR_OK);
    /* Paused across the original expiry, then deactivated. */
    int64_t moved = -1;
    assert_int_equal(lot_deactivate(&l, T0 + 3 * DAY, &moved), ERR_OK);
    assert_int_equal(moved, 7);
    assert_int_equal(l.status, LOT_DEACTIVATED);
    assert_int_equal(l.paused_at_us, 0);
    assert_int_equal(l.expires_at_us, expires + 3 * DAY);
    /* The day left on its clock lets it come back. */
    assert_int_equal(lot_reactivate(&l, T0 + 3 * DAY + 1, &moved), ERR_OK);
    assert_int_equal(l.status, LOT_ACTIVE);
    assert_int_equal(l.remaining_minor, 7);
}

static void deactivating_a_paused_lot_before_its_pause_began_is_refused(void **state)
{
    (void)state;
    struct lot l = lot_make(7, T0 + DAY);
    assert_int_equal(lot_pause(&l, T0), ERR_OK);
    struct lot before = l;
    int64_t moved = -1;
    /* A clock behind the pause (skew, `expire --now` in the past) is refused. */
    assert_int_equal(lot_deactivate(&l, T0 - 1, &moved), ERR_VALIDATION);
    assert_memory_equal(&l, &before, sizeof(l));
}

static void deactivate_is_refused_for_deactivated_expired_or_past_expiry_lots(void **state)
{
    (void)state;
    enum lot_status closed[] = {LOT_DEACTIVATED, LOT_EXPIRED};
    for (size_t i = 0; i < 2; i++) {
        struct lot l = lot_make(0, T0 + DAY);
        l.status = closed[i];
        l.deactivated_minor = 3;
        struct lot before = l;
        int64_t moved = -1;
        assert_int_equal(lot_deactivate(&l, T0, &moved), ERR_LOT_STATE);
        assert_int_equal(moved, -1);
        lot_assert_same(&l, &before);
    }
    struct lot late = lot_make(5, T0);
    struct lot before = late;
    int64_t moved = -1;
    assert_int_equal(lot_deactivate(&late, T0, &moved), ERR_LOT_EXPIRED);
    assert_int_equal(moved, -1);
    lot_assert_same(&late, &before);
}

static void reactivate_of_a_lot_that_is_not_deactivated_is_refused(void **state)
{
    (void)state;
    enum lot_status others[] = {LOT_ACTIVE, LOT_PAUSED, LOT_EXPIRED, LOT_EXHAUSTED};
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        struct lot l = lot_make(5, T0 + DAY);
        l.status = others[i];
        struct lot before = l;
        int64_t moved = -1;
        assert_int_equal(lot_reactivate(&l, T0, &moved), ERR_LOT_STATE);
        assert_int_equal(moved, -1);
        lot_assert_same(&l, &before);
    }
}

/* ---- expire ------------------------------------------------------------ */

static void expire_takes_the_remaining_credits_of_a_lot_past_expiry(void **state)
{
    (void)state;
    struct lot l = lot_make(4, T0);
    int64_t moved = -1;
    assert_int_equal(lot_expire(&l, T0, &moved), ERR_OK);
    assert_int_equal(moved, 4);
    assert_int_equal(l.remaining_minor, 0);
    assert_int_equal(l.status, LOT_EXPIRED);
    assert_false(lot_is_in_balance(&l, T0));
    struct lot empty = lot_make(0, T0);
    assert_int_equal(lot_expire(&empty, T0 + DAY, &moved), ERR_OK);
    assert_int_equal(moved, 0);
    assert_int_equal(empty.status, LOT_EXPIRED);
}

static void expire_is_refused_for_a_lot_not_past_expiry(void **state)
{
    (void)state;
    struct lot lots[5];
    lots[0] = lot_make(4, T0 + 1);
    lots[1] = lot_make(4, 0);
    lots[2] = lot_make(4, T0 - DAY);
    lots[2].status = LOT_PAUSED;
    lots[2].paused_at_us = T0 - 2 * DAY;
    lots[3] = lot_make(0, T0 - DAY);
    lots[3].status = LOT_DEACTIVATED;
    lots[3].deactivated_minor = 4;
    lots[4] = lot_make(0, T0 - DAY);
    lots[4].status = LOT_EXPIRED;
    for (size_t i = 0; i < 5; i++) {
        struct lot before = lots[i];
        int64_t moved = -1;
        assert_int_equal(lot_expire(&lots[i], T0, &moved), ERR_LOT_STATE);
        assert_int_equal(moved, -1);
        lot_assert_same(&lots[i], &before);
    }
}

/* ---- draw and refund --------------------------------------------------- */

static void draw_of_exactly_the_remaining_exhausts_the_lot(void **state)
{
    (void)state;
    struct lot l = lot_make(5, T0 + DAY);
    assert_int_equal(lot_draw(&l, 5), ERR_OK);
    assert_int_equal(l.remaining_minor, 0);
    assert_int_equal(l.status, LOT_EXHAUSTED);
    assert_false(lot_is_usable(&l, T0));
    assert_true(lot_is_in_balance(&l, T0));
}

static void draw_of_part_keeps_the_lot_active(void **state)
{
    (void)state;
    struct lot l = lot_make(5, T0 + DAY);
    assert_int_equal(lot_draw(&l, 3), ERR_OK);
    assert_int_equal(l.remaining_minor, 2);
    assert_int_equal(l.status, LOT_ACTIVE);
    assert_int_equal(l.original_minor, 5);
}

static void draw_of_one_more_than_remaining_is_refused_and_changes_nothing(void **state)
{
    (void)state;
    struct lot l = lot_make(5, T0 + DAY);
    struct lot before = l;
    assert_int_equal(lot_draw(&l, 6), ERR_INSUFFICIENT_CREDITS);
    lot_assert_same(&l, &before);
    assert_int_equal(lot_draw(&l, INT64_MAX), ERR_INSUFFICIENT_CREDITS);
    lot_assert_same(&l, &before);
    struct lot empty = lot_make(0, T0 + DAY);
    struct lot empty_before = empty;
    assert_int_equal(lot_draw(&empty, 1), ERR_INSUFFICIENT_CREDITS);
    lot_assert_same(&empty, &empty_before);
}

static void refund_goes_back_to_an_active_lot(void **state)
{
    (void)state;
    struct lot l = lot_make(5, T0 + DAY);
    assert_int_equal(lot_draw(&l, 3), ERR_OK);
    assert_true(lot_can_take_refund(&l, T0));
    lot_take_refund(&l, 3);
    assert_int_equal(l.remaining_minor, 5);
    assert_int_equal(l.status, LOT_ACTIVE);
}

static void refund_to_an_exhausted_lot_makes_it_active_again(void **state)
{
    (void)state;
    struct lot l = lot_make(5, T0 + DAY);
    assert_int_equal(lot_draw(&l, 5), ERR_OK);
    assert_int_equal(l.status, LOT_EXHAUSTED);
    assert_true(lot_can_take_refund(&l, T0 + DAY - 1));
    lot_take_refund(&l, 2);
    assert_int_equal(l.remaining_minor, 2);
    assert_int_equal(l.status, LOT_ACTIVE);
    assert_true(lot_is_usable(&l, T0));
}

static void refund_is_refused_by_expired_deactivated_or_past_expiry_lots(void **state)
{
    (void)state;
    struct lot expired = lot_make(0, T0 - DAY);
    expired.status = LOT_EXPIRED;
    assert_false(lot_can_take_refund(&expired, T0));
    struct lot off = lot_make(0, T0 + DAY);
    off.status = LOT_DEACTIVATED;
    off.deactivated_minor = 5;
    assert_false(lot_can_take_refund(&off, T0));
    struct lot late = lot_make(2, T0 + DAY);
    assert_true(lot_can_take_refund(&late, T0 + DAY - 1));
    assert_false(lot_can_take_refund(&late, T0 + DAY));
    struct lot late_empty = lot_make(0, T0 + DAY);
    assert_false(lot_can_take_refund(&late_empty, T0 + DAY));
}

/* ---- restrictions ------------------------------------------------------ */

static const struct order_service stage1 = {1, "tuning", "", 6};
static const struct order_service dpf = {2, "addon", "", 2};
static const struct order_service tune_course = {3, "tune", "anna", 1};
static const struct order_service anna_class = {4, "yoga", "anna", 1};
static const struct order_service bob_class = {5, "yoga", "bob", 1};

static void unrestricted_lot_admits_any_service(void **state)
{
    (void)state;
    struct lot l = lot_make(5, 0);
    assert_false(lot_is_restricted(&l));
    const struct order_service order[] = {stage1, dpf, tune_course, anna_class, bob_class};
    assert_true(lot_admits(&l, order, 5));
    assert_true(lot_admits(&l, order, 0));
    l.categories = NULL;
    l.provider = NULL;
    assert_false(lot_is_restricted(&l));
    assert_true(lot_admits(&l, order, 5));
}

static void category_restriction_admits_listed_categories_by_exact_match(void **state)
{
    (void)state;
    struct lot l = lot_make(5, 0);
    l.categories = "tuning,addon";
    assert_true(lot_is_restricted(&l));
    const struct order_service both[] = {stage1, dpf};
    assert_true(lot_admits(&l, both, 2));
    assert_true(lot_admits(&l, &dpf, 1));
    /* "tune" is not "tuning", and one service outside the list refuses the order. */
    assert_false(lot_admits(&l, &tune_course, 1));
    const struct order_service mixed[] = {stage1, tune_course};
    assert_false(lot_admits(&l, mixed, 2));
    l.categories = "tune";
    assert_false(lot_admits(&l, &stage1, 1));
    assert_true(lot_admits(&l, &tune_course, 1));
    l.categories = "tuningx,xtuning,tunin";
    assert_false(lot_admits(&l, &stage1, 1));
    /* An empty entry in the list does not admit a service without a category. */
    const struct order_service no_category = {9, "", "", 1};
    const struct order_service null_category = {9, NULL, NULL, 1};
    l.categories = "tuning,,addon";
    assert_true(lot_admits(&l, &dpf, 1));
    assert_false(lot_admits(&l, &no_category, 1));
    assert_false(lot_admits(&l, &null_category, 1));
}

static void provider_restriction_admits_only_that_provider(void **state)
{
    (void)state;
    struct lot l = lot_make(5, 0);
    l.provider = "anna";
    assert_true(lot_is_restricted(&l));
    assert_true(lot_admits(&l, &anna_class, 1));
    assert_true(lot_admits(&l, &tune_course, 1));
    assert_false(lot_admits(&l, &bob_class, 1));
    assert_false(lot_admits(&l, &stage1, 1));
    const struct order_service two[] = {anna_class, bob_class};
    assert_false(lot_admits(&l, two, 2));
    l.provider = "ann";
    assert_false(lot_admits(&l, &anna_class, 1));
}

static void category_and_provider_restrictions_both_apply(void **state)
{
    (void)state;
    struct lot l = lot_make(5, 0);
    l.categories = "yoga";
    l.provider = "anna";
    assert_true(lot_admits(&l, &anna_class, 1));
    assert_false(lot_admits(&l, &bob_class, 1));
    assert_false(lot_admits(&l, &tune_course, 1));
}

/* ---- names ------------------------------------------------------------- */

static void lot_status_names_round_trip(void **state)
{
    (void)state;
    static const char *const names[] = {"active", "paused", "deactivated", "expired", "exhausted"};
    for (int i = LOT_ACTIVE; i <= LOT_EXHAUSTED; i++) {
        assert_string_equal(lot_status_name((enum lot_status)i), names[i]);
        enum lot_status s = LOT_EXHAUSTED;
        assert_true(lot_status_parse(names[i], &s));
        assert_int_equal(s, i);
    }
}

static void lot_source_names_round_trip(void **state)
{
    (void)state;
    static const char *const names[] = {"payment", "manual", "goodwill", "promotion",
                                        "gift",    "refund", "transfer"};
    for (int i = SOURCE_PAYMENT; i <= SOURCE_TRANSFER; i++) {
        assert_string_equal(lot_source_name((enum lot_source)i), names[i]);
        enum lot_source s = SOURCE_TRANSFER;
        assert_true(lot_source_parse(names[i], &s));
        assert_int_equal(s, i);
    }
}

static void start_and_expiry_rule_names_round_trip(void **state)
{
    (void)state;
    static const char *const starts[] = {"immediate", "fixed", "first_use"};
    for (int i = START_IMMEDIATE; i <= START_FIRST_USE; i++) {
        assert_string_equal(start_rule_name((enum start_rule)i), starts[i]);
        enum start_rule r = START_FIRST_USE;
        assert_true(start_rule_parse(starts[i], &r));
        assert_int_equal(r, i);
    }
    static const char *const expiries[] = {"never", "fixed", "days_from_purchase",
                                           "days_from_start"};
    for (int i = EXPIRY_NEVER; i <= EXPIRY_DAYS_FROM_START; i++) {
        assert_string_equal(expiry_rule_name((enum expiry_rule)i), expiries[i]);
        enum expiry_rule r = EXPIRY_DAYS_FROM_START;
        assert_true(expiry_rule_parse(expiries[i], &r));
        assert_int_equal(r, i);
    }
}

static void unknown_names_are_refused_and_change_nothing(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "Active", "active ", "activ", "expiredx", "unknown"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        enum lot_status s = LOT_PAUSED;
        enum lot_source src = SOURCE_GIFT;
        enum start_rule st = START_FIXED;
        enum expiry_rule ex = EXPIRY_FIXED;
        assert_false(lot_status_parse(bad[i], &s));
        assert_false(lot_source_parse(bad[i], &src));
        assert_false(start_rule_parse(bad[i], &st));
        assert_false(expiry_rule_parse(bad[i], &ex));
        assert_int_equal(s, LOT_PAUSED);
        assert_int_equal(src, SOURCE_GIFT);
        assert_int_equal(st, START_FIXED);
        assert_int_equal(ex, EXPIRY_FIXED);
    }
    enum lot_status s = LOT_PAUSED;
    assert_false(lot_status_parse(NULL, &s));
    assert_false(lot_status_parse("Paused", &s));
    enum expiry_rule ex = EXPIRY_NEVER;
    assert_false(expiry_rule_parse("days", &ex));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(validity_with_immediate_start_applies_each_expiry_rule),
        cmocka_unit_test(validity_with_fixed_start_applies_each_expiry_rule),
        cmocka_unit_test(validity_with_first_use_start_defers_only_the_start_relative_expiry),
        cmocka_unit_test(validity_refuses_a_fixed_expiry_in_the_past),
        cmocka_unit_test(validity_refuses_an_expiry_not_after_the_fixed_start),
        cmocka_unit_test(validity_refuses_days_from_a_past_fixed_start_that_end_before_now),
        cmocka_unit_test(validity_refuses_expiry_days_out_of_range),
        cmocka_unit_test(validity_refuses_a_fixed_start_without_a_date),
        cmocka_unit_test(lot_is_usable_until_the_instant_it_expires),
        cmocka_unit_test(lot_counts_in_the_balance_until_the_instant_it_expires),
        cmocka_unit_test(lot_never_expiring_is_never_past_expiry),
        cmocka_unit_test(lot_in_balance_depends_on_its_status),
        cmocka_unit_test(lot_is_usable_only_when_active_with_credits_left),
        cmocka_unit_test(lot_with_a_fixed_start_is_not_usable_before_it_starts),
        cmocka_unit_test(first_use_lot_is_usable_before_its_first_booking),
        cmocka_unit_test(first_use_lot_starts_at_its_booking_which_fixes_its_expiry),
        cmocka_unit_test(first_use_lot_with_a_fixed_expiry_keeps_it_when_started),
        cmocka_unit_test(start_on_use_leaves_an_ordinary_lot_alone),
        cmocka_unit_test(pause_moves_the_expiry_later_by_exactly_the_paused_time),
        cmocka_unit_test(pause_spanning_the_original_expiry_keeps_the_lot_valid_after_resume),
        cmocka_unit_test(paused_lot_is_never_past_expiry_and_never_usable),
        cmocka_unit_test(pause_of_a_never_expiring_lot_keeps_it_never_expiring),
        cmocka_unit_test(pause_of_an_exhausted_lot_resumes_as_exhausted),
        cmocka_unit_test(resume_of_an_active_lot_is_refused_and_changes_nothing),
        cmocka_unit_test(resume_before_the_pause_began_is_refused_and_changes_nothing),
        cmocka_unit_test(pause_is_refused_for_paused_deactivated_expired_or_past_expiry_lots),
        cmocka_unit_test(extend_moves_the_expiry_later_only),
        cmocka_unit_test(extend_of_a_never_expiring_lot_is_refused),
        cmocka_unit_test(extend_of_an_expired_lot_is_refused),
        cmocka_unit_test(deactivate_moves_the_remaining_credits_out_of_the_balance),
        cmocka_unit_test(deactivating_a_paused_lot_before_its_pause_began_is_refused),
        cmocka_unit_test(reactivate_brings_the_credits_back_before_expiry),
        cmocka_unit_test(reactivate_after_expiry_is_refused_and_leaves_the_lot_unchanged),
        cmocka_unit_test(reactivate_of_an_exhausted_deactivated_lot_leaves_it_exhausted),
        cmocka_unit_test(deactivating_a_paused_lot_ends_the_pause_first),
        cmocka_unit_test(deactivate_is_refused_for_deactivated_expired_or_past_expiry_lots),
        cmocka_unit_test(reactivate_of_a_lot_that_is_not_deactivated_is_refused),
        cmocka_unit_test(expire_takes_the_remaining_credits_of_a_lot_past_expiry),
        cmocka_unit_test(expire_is_refused_for_a_lot_not_past_expiry),
        cmocka_unit_test(draw_of_exactly_the_remaining_exhausts_the_lot),
        cmocka_unit_test(draw_of_part_keeps_the_lot_active),
        cmocka_unit_test(draw_of_one_more_than_remaining_is_refused_and_changes_nothing),
        cmocka_unit_test(refund_goes_back_to_an_active_lot),
        cmocka_unit_test(refund_to_an_exhausted_lot_makes_it_active_again),
        cmocka_unit_test(refund_is_refused_by_expired_deactivated_or_past_expiry_lots),
        cmocka_unit_test(unrestricted_lot_admits_any_service),
        cmocka_unit_test(category_restriction_admits_listed_categories_by_exact_match),
        cmocka_unit_test(provider_restriction_admits_only_that_provider),
        cmocka_unit_test(category_and_provider_restrictions_both_apply),
        cmocka_unit_test(lot_status_names_round_trip),
        cmocka_unit_test(lot_source_names_round_trip),
        cmocka_unit_test(start_and_expiry_rule_names_round_trip),
        cmocka_unit_test(unknown_names_are_refused_and_change_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
