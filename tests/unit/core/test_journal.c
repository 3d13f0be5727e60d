/*
 * Unit tests of journal entries (core/journal.c): the double-entry check, the
 * customer-amount check, the hash chain and the names of kinds and accounts.
 *
 * Method: DESIGN §3. Postings must sum to exactly zero, with no int64 wrap
 * passing as zero. The customer's amount is the sum of the lot and held
 * postings, never of system accounts. The hash must be deterministic, must
 * change when any hashed field or the previous hash changes (each field is
 * mutated alone from one sample entry), must be the SHA-256 of the documented
 * canonical bytes, and must not let text move between adjacent fields.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/core.h"

/* 2026-03-01T10:00:00Z. */
#define T0 INT64_C(1772359200000000)

static int journal_setup(void **state)
{
    (void)state;
    return crypto_init() == ERR_OK ? 0 : -1;
}

static struct journal_entry journal_make(const struct posting *postings, size_t n)
{
    struct journal_entry e;
    memset(&e, 0, sizeof(e));
    e.postings = postings;
    e.n_postings = n;
    return e;
}

/* ---- balance and customer amount --------------------------------------- */

static void journal_without_postings_is_not_balanced(void **state)
{
    (void)state;
    struct journal_entry e = journal_make(NULL, 0);
    assert_false(journal_is_balanced(&e));
}

static void journal_whose_postings_sum_to_zero_is_balanced(void **state)
{
    (void)state;
    /* A purchase of 50 Master: customer lot +50, issued -50. */
    const struct posting purchase[] = {{ACCOUNT_LOT, 7, 50}, {ACCOUNT_ISSUED, 0, -50}};
    struct journal_entry e = journal_make(purchase, 2);
    assert_true(journal_is_balanced(&e));
    /* An order drawn from two lots. */
    const struct posting order[] = {
        {ACCOUNT_LOT, 7, -3}, {ACCOUNT_LOT, 8, -2}, {ACCOUNT_CONSUMED, 0, 5}};
    e = journal_make(order, 3);
    assert_true(journal_is_balanced(&e));
}

static void journal_off_by_one_is_not_balanced(void **state)
{
    (void)state;
    const struct posting more[] = {{ACCOUNT_LOT, 7, 51}, {ACCOUNT_ISSUED, 0, -50}};
    struct journal_entry e = journal_make(more, 2);
    assert_false(journal_is_balanced(&e));
    const struct posting less[] = {{ACCOUNT_LOT, 7, 49}, {ACCOUNT_ISSUED, 0, -50}};
    e = journal_make(less, 2);
    assert_false(journal_is_balanced(&e));
    const struct posting one[] = {{ACCOUNT_LOT, 7, 1}};
    e = journal_make(one, 1);
    assert_false(journal_is_balanced(&e));
}

static void journal_whose_sum_overflows_is_not_balanced(void **state)
{
    (void)state;
    /* Each of these wraps to exactly zero in 64-bit two's complement. */
    const struct posting wrap_min[] = {{ACCOUNT_LOT, 7, INT64_MIN}, {ACCOUNT_ISSUED, 0, INT64_MIN}};
    struct journal_entry e = journal_make(wrap_min, 2);
    assert_false(journal_is_balanced(&e));
    const struct posting wrap_max[] = {
        {ACCOUNT_LOT, 7, INT64_MAX}, {ACCOUNT_LOT, 8, INT64_MAX}, {ACCOUNT_ISSUED, 0, 2}};
    e = journal_make(wrap_max, 3);
    assert_false(journal_is_balanced(&e));
    const struct posting past_max[] = {
        {ACCOUNT_LOT, 7, INT64_MAX}, {ACCOUNT_LOT, 8, 1}, {ACCOUNT_ISSUED, 0, INT64_MIN}};
    e = journal_make(past_max, 3);
    assert_false(journal_is_balanced(&e));
}

static void journal_amount_is_the_sum_of_lot_and_held_postings(void **state)
{
    (void)state;
    const struct posting purchase[] = {{ACCOUNT_LOT, 7, 50}, {ACCOUNT_ISSUED, 0, -50}};
    struct journal_entry e = journal_make(purchase, 2);
    e.amount_minor = 50;
    assert_true(journal_amount_matches(&e));
    e.amount_minor = 0;
    assert_false(journal_amount_matches(&e));
    e.amount_minor = -50;
    assert_false(journal_amount_matches(&e));

    /* A hold moves credits from a lot to held: the customer's balance is unchanged. */
    const struct posting hold[] = {{ACCOUNT_LOT, 7, -10}, {ACCOUNT_HELD, 0, 10}};
    e = journal_make(hold, 2);
    e.amount_minor = 0;
    assert_true(journal_amount_matches(&e));
    e.amount_minor = -10;
    assert_false(journal_amount_matches(&e));

    /* Capturing the hold: held -10 is the customer's, consumed +10 is not. */
    const struct posting capture[] = {{ACCOUNT_HELD, 0, -10}, {ACCOUNT_CONSUMED, 0, 10}};
    e = journal_make(capture, 2);
    e.amount_minor = -10;
    assert_true(journal_amount_matches(&e));
}

static void journal_amount_ignores_system_accounts(void **state)
{
    (void)state;
    const struct posting system[] = {{ACCOUNT_ISSUED, 0, -5},
                                     {ACCOUNT_CONSUMED, 0, 1},
                                     {ACCOUNT_EXPIRED, 0, 2},
                                     {ACCOUNT_DEACTIVATED, 0, 2}};
    struct journal_entry e = journal_make(system, 4);
    e.amount_minor = 0;
    assert_true(journal_amount_matches(&e));
    e.amount_minor = -5;
    assert_false(journal_amount_matches(&e));
    const struct posting expiry[] = {{ACCOUNT_LOT, 7, -4}, {ACCOUNT_EXPIRED, 0, 4}};
    e = journal_make(expiry, 2);
    e.amount_minor = -4;
    assert_true(journal_amount_matches(&e));
    e.amount_minor = 0;
    assert_false(journal_amount_matches(&e));
}

/* ---- hash -------------------------------------------------------------- */

struct journal_sample {
    struct journal_entry e;
    struct posting postings[3];
    uint8_t prev[SHA256_BYTES];
};

/* An order of 5 Master from two lots, with every field set. */
static void journal_sample_init(struct journal_sample *s)
{
    memset(s, 0, sizeof(*s));
    s->postings[0] = (struct posting){ACCOUNT_LOT, 7, -3};
    s->postings[1] = (struct posting){ACCOUNT_LOT, 8, -2};
    s->postings[2] = (struct posting){ACCOUNT_CONSUMED, 0, 5};
    s->e.id = 1001;
    s->e.tenant_id = 1;
    s->e.chain = JOURNAL_CHAIN_TENANT;
    s->e.seq = 42;
    s->e.kind = JOURNAL_ORDER;
    s->e.customer_id = 55;
    s->e.credit_type = "master";
    s->e.amount_minor = -5;
    s->e.balance_after_minor = 70;
    s->e.order_id = 900;
    s->e.invoice_id = 300;
    s->e.transfer_id = 12;
    s->e.actor = "staff@example.com";
    s->e.reason = "correction";
    s->e.justification = "double booking";
    s->e.created_at_us = T0;
    s->e.n_postings = 3;
    s->e.postings = s->postings;
    for (size_t i = 0; i < SHA256_BYTES; i++)
        s->prev[i] = (uint8_t)(i * 7 + 1);
}

static void journal_sample_hash(const struct journal_sample *s, uint8_t out[SHA256_BYTES])
{
    journal_hash(&s->e, s->prev, out);
}

static void journal_hash_is_deterministic(void **state)
{
    (void)state;
    struct journal_sample a, b;
    journal_sample_init(&a);
    journal_sample_init(&b);
    /* The same text in other memory: the hash covers contents, not pointers. */
    char type[] = "master", actor[] = "staff@example.com";
    b.e.credit_type = type;
    b.e.actor = actor;
    uint8_t h1[SHA256_BYTES], h2[SHA256_BYTES], h3[SHA256_BYTES];
    journal_sample_hash(&a, h1);
    journal_sample_hash(&a, h2);
    journal_sample_hash(&b, h3);
    assert_memory_equal(h1, h2, SHA256_BYTES);
    assert_memory_equal(h1, h3, SHA256_BYTES);
}

/* Hashes the sample after `change` and fails when the hash stayed the same. */
#define HASH_CHANGES_WHEN(change)                                                                  \
    do {                                                                                           \
        struct journal_sample s;                                                                   \
        journal_sample_init(&s);                                                                   \
        change;                                                                                    \
        uint8_t h[SHA256_BYTES];                                                                   \
        journal_sample_hash(&s, h);                                                                \
        if (memcmp(h, original, SHA256_BYTES) == 0)                                                \
            fail_msg("the hash did not change when: %s", #change);                                 \
    } while (0)

static void journal_hash_changes_when_any_field_changes(void **state)
{
    (void)state;
    struct journal_sample base;
    journal_sample_init(&base);
    uint8_t original[SHA256_BYTES];
    journal_sample_hash(&base, original);
    HASH_CHANGES_WHEN(s.e.tenant_id = 2);
    HASH_CHANGES_WHEN(s.e.seq = 43);
    HASH_CHANGES_WHEN(s.e.chain = JOURNAL_CHAIN_ACCOUNT);
    HASH_CHANGES_WHEN(s.e.kind = JOURNAL_REFUND);
    HASH_CHANGES_WHEN(s.e.customer_id = 56);
    HASH_CHANGES_WHEN(s.e.credit_type = "slave");
    HASH_CHANGES_WHEN(s.e.amount_minor = -6);
    HASH_CHANGES_WHEN(s.e.amount_minor = 5);
    HASH_CHANGES_WHEN(s.e.balance_after_minor = 69);
    HASH_CHANGES_WHEN(s.e.order_id = 0);
    HASH_CHANGES_WHEN(s.e.invoice_id = 301);
    HASH_CHANGES_WHEN(s.e.transfer_id = 0);
    HASH_CHANGES_WHEN(s.e.actor = "admin@example.com");
    HASH_CHANGES_WHEN(s.e.reason = "goodwill");
    HASH_CHANGES_WHEN(s.e.justification = "double booking.");
    HASH_CHANGES_WHEN(s.e.justification = "");
    HASH_CHANGES_WHEN(s.e.created_at_us = T0 + 1);
    for (size_t i = 0; i < 3; i++) {
        HASH_CHANGES_WHEN(s.postings[i].account = ACCOUNT_HELD);
        HASH_CHANGES_WHEN(s.postings[i].lot_id = 99);
        HASH_CHANGES_WHEN(s.postings[i].amount_minor += 1);
    }
    HASH_CHANGES_WHEN(s.e.n_postings = 2);
    HASH_CHANGES_WHEN(s.e.n_postings = 0);
    /* The postings in another order are another entry. */
    HASH_CHANGES_WHEN((s.postings[0].lot_id = 8, s.postings[0].amount_minor = -2,
                       s.postings[1].lot_id = 7, s.postings[1].amount_minor = -3));
}

static void journal_hash_changes_when_the_previous_hash_changes(void **state)
{
    (void)state;
    struct journal_sample base;
    journal_sample_init(&base);
    uint8_t original[SHA256_BYTES];
    journal_sample_hash(&base, original);
    for (size_t i = 0; i < SHA256_BYTES; i++)
        HASH_CHANGES_WHEN(s.prev[i] ^= 0x01);
    HASH_CHANGES_WHEN(memset(s.prev, 0, sizeof(s.prev)));
}

static void journal_hash_keeps_adjacent_text_fields_apart(void **state)
{
    (void)state;
    struct journal_sample a, b;
    journal_sample_init(&a);
    journal_sample_init(&b);
    uint8_t ha[SHA256_BYTES], hb[SHA256_BYTES];
    a.e.reason = "ab";
    a.e.justification = "c";
    b.e.reason = "a";
    b.e.justification = "bc";
    journal_sample_hash(&a, ha);
    journal_sample_hash(&b, hb);
    assert_memory_not_equal(ha, hb, SHA256_BYTES);
    /* A separator inside the text cannot fake a field boundary either. */
    a.e.reason = "a;1:b";
    a.e.justification = "";
    b.e.reason = "a";
    b.e.justification = "b";
    journal_sample_hash(&a, ha);
    journal_sample_hash(&b, hb);
    assert_memory_not_equal(ha, hb, SHA256_BYTES);
    journal_sample_init(&a);
    journal_sample_init(&b);
    a.e.actor = "staff@example.comx";
    a.e.reason = "";
    b.e.actor = "staff@example.com";
    b.e.reason = "x";
    journal_sample_hash(&a, ha);
    journal_sample_hash(&b, hb);
    assert_memory_not_equal(ha, hb, SHA256_BYTES);
    /* Numbers too: tenant 1, seq 23 is not tenant 12, seq 3. */
    journal_sample_init(&a);
    journal_sample_init(&b);
    a.e.tenant_id = 1;
    a.e.seq = 23;
    b.e.tenant_id = 12;
    b.e.seq = 3;
    journal_sample_hash(&a, ha);
    journal_sample_hash(&b, hb);
    assert_memory_not_equal(ha, hb, SHA256_BYTES);
}

/* Appends "<length>:<text>;" as the header describes the canonical form. */
static size_t journal_canonical_put(char *dst, size_t at, size_t n, const char *text)
{
    int written = snprintf(dst + at, n - at, "%zu:%s;", strlen(text), text);
    assert_true(written > 0 && (size_t)written < n - at);
    return at + (size_t)written;
}

/* The sample's canonical fields after the tag, as the header describes them. */
static const char *const journal_sample_fields[] = {"1",
                                                    "42",
                                                    "order",
                                                    "55",
                                                    "master",
                                                    "-5",
                                                    "70",
                                                    "900",
                                                    "300",
                                                    "12",
                                                    "staff@example.com",
                                                    "correction",
                                                    "double booking",
                                                    "1772359200000000",
                                                    "3",
                                                    "lot",
                                                    "7",
                                                    "-3",
                                                    "lot",
                                                    "8",
                                                    "-2",
                                                    "consumed",
                                                    "0",
                                                    "5"};

/* Checks the sample's hash on a chain against SHA-256 computed by hand from
 * the previous hash, the chain's tag and the fields. */
static void journal_sample_hash_is_pinned(int chain, const char *tag)
{
    struct journal_sample s;
    journal_sample_init(&s);
    s.e.chain = chain;
    char bytes[1024];
    memcpy(bytes, s.prev, SHA256_BYTES);
    size_t len = journal_canonical_put(bytes, SHA256_BYTES, sizeof(bytes), tag);
    for (size_t i = 0; i < sizeof(journal_sample_fields) / sizeof(journal_sample_fields[0]); i++)
        len = journal_canonical_put(bytes, len, sizeof(bytes), journal_sample_fields[i]);
    uint8_t want[SHA256_BYTES], got[SHA256_BYTES];
    sha256(bytes, len, want);
    journal_sample_hash(&s, got);
    assert_memory_equal(got, want, SHA256_BYTES);
}

static void journal_hash_is_sha256_of_the_previous_hash_and_the_canonical_fields(void **state)
{
    (void)state;
    /* Pinned so that a change of the canonical form, which would break every
     * stored chain, cannot pass unnoticed. */
    journal_sample_hash_is_pinned(JOURNAL_CHAIN_TENANT, "creditd-journal-v1");
}

static void journal_hash_on_an_account_chain_is_tagged_v2(void **state)
{
    (void)state;
    /* The same fields on the account chain: only the tag differs, so an entry
     * cannot be moved from one chain to the other unnoticed. */
    journal_sample_hash_is_pinned(JOURNAL_CHAIN_ACCOUNT, "creditd-journal-v2");
}

/* The seal of tenant 3, seq 2, over two heads. */
static void journal_seal_sample(struct journal_seal *js, const uint8_t heads[2][SHA256_BYTES],
                                int64_t second_seq, uint8_t out[SHA256_BYTES])
{
    struct sha256_state st;
    journal_seal_begin(&st, js);
    journal_seal_add(&st, 10, 1, 5, heads[0]);
    journal_seal_add(&st, 11, 1, second_seq, heads[1]);
    journal_seal_end(&st, out);
}

static void a_seal_is_sha256_of_the_previous_seal_and_its_heads(void **state)
{
    (void)state;
    struct journal_seal js = {.tenant_id = 3, .seq = 2, .created_at_us = T0, .n_heads = 2};
    uint8_t heads[2][SHA256_BYTES];
    for (size_t i = 0; i < SHA256_BYTES; i++) {
        js.prev_hash[i] = (uint8_t)(i + 1);
        heads[0][i] = (uint8_t)(i * 3);
        heads[1][i] = (uint8_t)(255 - i);
    }
    char bytes[1024];
    memcpy(bytes, js.prev_hash, SHA256_BYTES);
    size_t len = SHA256_BYTES;
    static const char *const fields[] = {"creditd-seal-v1", "3", "2", "1772359200000000", "2"};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        len = journal_canonical_put(bytes, len, sizeof(bytes), fields[i]);
    static const char *const head_fields[2][3] = {{"10", "1", "5"}, {"11", "1", "7"}};
    for (size_t h = 0; h < 2; h++) {
        for (size_t i = 0; i < 3; i++)
            len = journal_canonical_put(bytes, len, sizeof(bytes), head_fields[h][i]);
        memcpy(bytes + len, heads[h], SHA256_BYTES);
        len += SHA256_BYTES;
    }
    uint8_t want[SHA256_BYTES], got[SHA256_BYTES], other[SHA256_BYTES];
    sha256(bytes, len, want);
    journal_seal_sample(&js, heads, 7, got);
    assert_memory_equal(got, want, SHA256_BYTES);
    /* A head at another seq, or another previous seal, is another seal. */
    journal_seal_sample(&js, heads, 6, other);
    assert_memory_not_equal(got, other, SHA256_BYTES);
    js.prev_hash[0] ^= 1;
    journal_seal_sample(&js, heads, 7, other);
    assert_memory_not_equal(got, other, SHA256_BYTES);
}

/* ---- names ------------------------------------------------------------- */

static void journal_kind_names_round_trip(void **state)
{
    (void)state;
    static const char *const names[] = {"purchase",   "grant",  "order",        "refund",
                                        "adjustment", "expiry", "deactivation", "reactivation",
                                        "transfer",   "hold",   "capture",      "release"};
    assert_int_equal(sizeof(names) / sizeof(names[0]), JOURNAL__COUNT);
    for (int i = 0; i < JOURNAL__COUNT; i++) {
        assert_string_equal(journal_kind_name((enum journal_kind)i), names[i]);
        enum journal_kind k = JOURNAL__COUNT;
        assert_true(journal_kind_parse(names[i], &k));
        assert_int_equal(k, i);
    }
}

static void account_kind_names_round_trip(void **state)
{
    (void)state;
    static const char *const names[] = {"lot",     "issued",      "consumed",
                                        "expired", "deactivated", "held"};
    assert_int_equal(sizeof(names) / sizeof(names[0]), ACCOUNT__COUNT);
    for (int i = 0; i < ACCOUNT__COUNT; i++) {
        assert_string_equal(account_kind_name((enum account_kind)i), names[i]);
        enum account_kind k = ACCOUNT__COUNT;
        assert_true(account_kind_parse(names[i], &k));
        assert_int_equal(k, i);
    }
}

static void unknown_kind_names_are_refused_and_change_nothing(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "Order", "orders", "lots", "held ", "system"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        enum journal_kind k = JOURNAL_GRANT;
        enum account_kind a = ACCOUNT_EXPIRED;
        assert_false(journal_kind_parse(bad[i], &k));
        assert_false(account_kind_parse(bad[i], &a));
        assert_int_equal(k, JOURNAL_GRANT);
        assert_int_equal(a, ACCOUNT_EXPIRED);
    }
    enum journal_kind k = JOURNAL_GRANT;
    enum account_kind a = ACCOUNT_EXPIRED;
    assert_false(journal_kind_parse(NULL, &k));
    assert_false(account_kind_parse(NULL, &a));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(journal_without_postings_is_not_balanced),
        cmocka_unit_test(journal_whose_postings_sum_to_zero_is_balanced),
        cmocka_unit_test(journal_off_by_one_is_not_balanced),
        cmocka_unit_test(journal_whose_sum_overflows_is_not_balanced),
        cmocka_unit_test(journal_amount_is_the_sum_of_lot_and_held_postings),
        cmocka_unit_test(journal_amount_ignores_system_accounts),
        cmocka_unit_test(journal_hash_is_deterministic),
        cmocka_unit_test(journal_hash_changes_when_any_field_changes),
        cmocka_unit_test(journal_hash_changes_when_the_previous_hash_changes),
        cmocka_unit_test(journal_hash_keeps_adjacent_text_fields_apart),
        cmocka_unit_test(journal_hash_is_sha256_of_the_previous_hash_and_the_canonical_fields),
        cmocka_unit_test(journal_hash_on_an_account_chain_is_tagged_v2),
        cmocka_unit_test(a_seal_is_sha256_of_the_previous_seal_and_its_heads),
        cmocka_unit_test(journal_kind_names_round_trip),
        cmocka_unit_test(account_kind_names_round_trip),
        cmocka_unit_test(unknown_kind_names_are_refused_and_change_nothing),
    };
    return cmocka_run_group_tests(tests, journal_setup, NULL);
}
