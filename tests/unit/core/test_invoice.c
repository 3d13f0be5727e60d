/*
 * Unit tests of invoice arithmetic (core/invoice.c): VAT with half-up
 * rounding, the intra-EU reverse charge rule, and how far monetary store
 * credit covers an amount due (DESIGN rule 10).
 *
 * Method: worked examples an accountant would check by hand, the edges
 * (zero, the largest amount, a rate of 0 and 100 %), and a fixed-seed sweep
 * (seed printed) that checks the store credit plan never takes more credits
 * than the customer has, never covers more than is due, and that the credits
 * taken are worth at least the money they stand for.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "core/core.h"

static void vat_is_rounded_half_up_on_the_net_amount(void **state)
{
    (void)state;
    struct invoice_totals t;
    assert_int_equal(invoice_totals_compute(24900, 1900, false, &t), ERR_OK);
    assert_int_equal(t.vat_minor, 4731); /* 249.00 × 19 % = 47.31 */
    assert_int_equal(t.gross_minor, 29631);
    assert_int_equal(invoice_totals_compute(50, 1900, false, &t), ERR_OK);
    assert_int_equal(t.vat_minor, 10); /* 0.095 rounds up to 0.10 */
    assert_int_equal(invoice_totals_compute(1, 1900, false, &t), ERR_OK);
    assert_int_equal(t.vat_minor, 0); /* 0.0019 rounds down */
    assert_int_equal(invoice_totals_compute(1000, 10000, false, &t), ERR_OK);
    assert_int_equal(t.gross_minor, 2000);
}

static void reverse_charge_sets_the_vat_to_zero(void **state)
{
    (void)state;
    struct invoice_totals t;
    assert_int_equal(invoice_totals_compute(24900, 1900, true, &t), ERR_OK);
    assert_true(t.reverse_charge);
    assert_int_equal(t.vat_rate_bp, 0);
    assert_int_equal(t.vat_minor, 0);
    assert_int_equal(t.gross_minor, 24900);
}

static void totals_refuse_bad_rates_and_amounts(void **state)
{
    (void)state;
    struct invoice_totals t;
    assert_int_equal(invoice_totals_compute(-1, 1900, false, &t), ERR_OVERFLOW);
    assert_int_equal(invoice_totals_compute(AMOUNT_MAX_MINOR + 1, 0, false, &t), ERR_OVERFLOW);
    assert_int_equal(invoice_totals_compute(100, -1, false, &t), ERR_VALIDATION);
    assert_int_equal(invoice_totals_compute(100, 10001, false, &t), ERR_VALIDATION);
    assert_int_equal(invoice_totals_compute(AMOUNT_MAX_MINOR, 10000, false, &t), ERR_OVERFLOW);
    assert_int_equal(invoice_totals_compute(AMOUNT_MAX_MINOR, 0, false, &t), ERR_OK);
}

static void reverse_charge_needs_a_vat_id_in_another_eu_country(void **state)
{
    (void)state;
    assert_true(invoice_reverse_charge_applies("DE", "AT", "ATU12345678"));
    assert_false(invoice_reverse_charge_applies("DE", "DE", "DE123456789"));
    assert_false(invoice_reverse_charge_applies("DE", "AT", ""));
    assert_false(invoice_reverse_charge_applies("DE", "AT", NULL));
    assert_false(invoice_reverse_charge_applies("DE", "CH", "CHE123"));
    assert_false(invoice_reverse_charge_applies("CH", "DE", "DE123456789"));
    assert_false(invoice_reverse_charge_applies("GR", "EL", "EL123"));
    assert_true(invoice_reverse_charge_applies("EL", "IT", "IT123"));
    assert_true(invoice_country_is_eu("HR"));
    assert_false(invoice_country_is_eu("GB"));
    assert_false(invoice_country_is_eu(NULL));
}

static void store_credit_covers_all_part_or_nothing(void **state)
{
    (void)state;
    struct invoice_store_credit p;
    /* eur store credit: scale 2, one credit is worth 1.00 */
    assert_int_equal(invoice_store_credit_plan(29631, 50000, 2, 100, &p), ERR_OK);
    assert_int_equal(p.money_minor, 29631);
    assert_int_equal(p.credits_minor, 29631);
    assert_int_equal(invoice_store_credit_plan(29631, 10000, 2, 100, &p), ERR_OK);
    assert_int_equal(p.money_minor, 10000);
    assert_int_equal(p.credits_minor, 10000);
    assert_int_equal(invoice_store_credit_plan(29631, 0, 2, 100, &p), ERR_OK);
    assert_int_equal(p.money_minor, 0);
    assert_int_equal(p.credits_minor, 0);
    /* credits with no money value pay nothing */
    assert_int_equal(invoice_store_credit_plan(29631, 500, 0, 0, &p), ERR_OK);
    assert_int_equal(p.money_minor, 0);
}

static void store_credit_rounds_credits_up_and_never_past_the_balance(void **state)
{
    (void)state;
    struct invoice_store_credit p;
    /* whole credits worth 0.03 each: 10 cents take 4 credits */
    assert_int_equal(invoice_store_credit_plan(10, 100, 0, 3, &p), ERR_OK);
    assert_int_equal(p.money_minor, 10);
    assert_int_equal(p.credits_minor, 4);
    /* 3 credits are worth 9 cents: that is all they cover */
    assert_int_equal(invoice_store_credit_plan(10, 3, 0, 3, &p), ERR_OK);
    assert_int_equal(p.money_minor, 9);
    assert_int_equal(p.credits_minor, 3);
    assert_int_equal(invoice_store_credit_plan(-1, 3, 0, 3, &p), ERR_VALIDATION);
}

static void store_credit_plans_keep_their_bounds_over_random_cases(void **state)
{
    (void)state;
    uint64_t seed = 0x5eed1234u, x = seed;
    printf("store credit sweep seed %llu\n", (unsigned long long)seed);
    for (int i = 0; i < 20000; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        int64_t due = (int64_t)(x >> 40) % 10000000;
        int64_t avail = (int64_t)(x >> 20) % 10000000;
        int scale = (int)(x % 7);
        int64_t uv = (int64_t)((x >> 8) % 100000);
        struct invoice_store_credit p;
        assert_int_equal(invoice_store_credit_plan(due, avail, scale, uv, &p), ERR_OK);
        assert_true(p.money_minor <= due);
        assert_true(p.credits_minor <= avail);
        int64_t unit = 1;
        for (int k = 0; k < scale; k++)
            unit *= 10;
        assert_true((__int128)p.credits_minor * uv >= (__int128)p.money_minor * unit);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vat_is_rounded_half_up_on_the_net_amount),
        cmocka_unit_test(reverse_charge_sets_the_vat_to_zero),
        cmocka_unit_test(totals_refuse_bad_rates_and_amounts),
        cmocka_unit_test(reverse_charge_needs_a_vat_id_in_another_eu_country),
        cmocka_unit_test(store_credit_covers_all_part_or_nothing),
        cmocka_unit_test(store_credit_rounds_credits_up_and_never_past_the_balance),
        cmocka_unit_test(store_credit_plans_keep_their_bounds_over_random_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
