/*
 * Journal entries: the double-entry check, the customer-amount check and the
 * hash chain. The canonical bytes are fed straight into SHA-256, field by
 * field, so hashing needs no buffer and no allocation.
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"

static const char *const journal_kind_names[] = {
    "purchase",     "grant",        "order",    "refund", "adjustment", "expiry",
    "deactivation", "reactivation", "transfer", "hold",   "capture",    "release"};
static const char *const account_kind_names[] = {"lot",     "issued",      "consumed",
                                                 "expired", "deactivated", "held"};

_Static_assert(sizeof(journal_kind_names) / sizeof(journal_kind_names[0]) == JOURNAL__COUNT,
               "journal kinds");
_Static_assert(sizeof(account_kind_names) / sizeof(account_kind_names[0]) == ACCOUNT__COUNT,
               "account kinds");

const char *journal_kind_name(enum journal_kind k)
{
    ASSERT((size_t)k < JOURNAL__COUNT);
    return journal_kind_names[k];
}

bool journal_kind_parse(const char *s, enum journal_kind *out)
{
    for (size_t i = 0; s != NULL && i < JOURNAL__COUNT; i++) {
        if (strcmp(s, journal_kind_names[i]) == 0) {
            *out = (enum journal_kind)i;
            return true;
        }
    }
    return false;
}

const char *account_kind_name(enum account_kind k)
{
    ASSERT((size_t)k < ACCOUNT__COUNT);
    return account_kind_names[k];
}

bool account_kind_parse(const char *s, enum account_kind *out)
{
    for (size_t i = 0; s != NULL && i < ACCOUNT__COUNT; i++) {
        if (strcmp(s, account_kind_names[i]) == 0) {
            *out = (enum account_kind)i;
            return true;
        }
    }
    return false;
}

bool journal_is_balanced(const struct journal_entry *e)
{
    int64_t sum = 0;
    for (size_t i = 0; i < e->n_postings; i++) {
        if (__builtin_add_overflow(sum, e->postings[i].amount_minor, &sum))
            return false;
    }
    return e->n_postings > 0 && sum == 0;
}

bool journal_amount_matches(const struct journal_entry *e)
{
    int64_t sum = 0;
    for (size_t i = 0; i < e->n_postings; i++) {
        enum account_kind a = e->postings[i].account;
        if ((a == ACCOUNT_LOT || a == ACCOUNT_HELD) &&
            __builtin_add_overflow(sum, e->postings[i].amount_minor, &sum))
            return false;
    }
    return sum == e->amount_minor;
}

static void journal_hash_text(struct sha256_state *s, const char *text)
{
    const char *t = text ? text : "";
    char len[24];
    int n = snprintf(len, sizeof(len), "%zu:", strlen(t));
    sha256_update(s, len, (size_t)n);
    sha256_update(s, t, strlen(t));
    sha256_update(s, ";", 1);
}

static void journal_hash_int(struct sha256_state *s, int64_t v)
{
    char text[24];
    snprintf(text, sizeof(text), "%lld", (long long)v);
    journal_hash_text(s, text);
}

void journal_hash(const struct journal_entry *e, const uint8_t prev_hash[SHA256_BYTES],
                  uint8_t out[SHA256_BYTES])
{
    struct sha256_state s;
    sha256_begin(&s);
    sha256_update(&s, prev_hash, SHA256_BYTES);
    ASSERT(e->chain == JOURNAL_CHAIN_TENANT || e->chain == JOURNAL_CHAIN_ACCOUNT);
    journal_hash_text(&s, e->chain == JOURNAL_CHAIN_TENANT ? "creditd-journal-v1"
                                                           : "creditd-journal-v2");
    journal_hash_int(&s, e->tenant_id);
    journal_hash_int(&s, e->seq);
    journal_hash_text(&s, journal_kind_name(e->kind));
    journal_hash_int(&s, e->customer_id);
    journal_hash_text(&s, e->credit_type);
    journal_hash_int(&s, e->amount_minor);
    journal_hash_int(&s, e->balance_after_minor);
    journal_hash_int(&s, e->order_id);
    journal_hash_int(&s, e->invoice_id);
    journal_hash_int(&s, e->transfer_id);
    journal_hash_text(&s, e->actor);
    journal_hash_text(&s, e->reason);
    journal_hash_text(&s, e->justification);
    journal_hash_int(&s, e->created_at_us);
    journal_hash_int(&s, (int64_t)e->n_postings);
    for (size_t i = 0; i < e->n_postings; i++) {
        journal_hash_text(&s, account_kind_name(e->postings[i].account));
        journal_hash_int(&s, e->postings[i].lot_id);
        journal_hash_int(&s, e->postings[i].amount_minor);
    }
    sha256_end(&s, out);
}

void journal_seal_begin(struct sha256_state *s, const struct journal_seal *seal)
{
    /* No asserts on the values: verify hashes seals as it reads them, tampered
     * or not. */
    sha256_begin(s);
    sha256_update(s, seal->prev_hash, SHA256_BYTES);
    journal_hash_text(s, "creditd-seal-v1");
    journal_hash_int(s, seal->tenant_id);
    journal_hash_int(s, seal->seq);
    journal_hash_int(s, seal->created_at_us);
    journal_hash_int(s, seal->n_heads);
}

void journal_seal_add(struct sha256_state *s, int64_t customer_id, int64_t credit_type_id,
                      int64_t chain_seq, const uint8_t chain_hash[SHA256_BYTES])
{
    journal_hash_int(s, customer_id);
    journal_hash_int(s, credit_type_id);
    journal_hash_int(s, chain_seq);
    sha256_update(s, chain_hash, SHA256_BYTES);
}

void journal_seal_end(struct sha256_state *s, uint8_t out[SHA256_BYTES])
{
    sha256_end(s, out);
}
