/*
 * Seals over the account chains. Each journal entry continues the hash chain
 * of its account (customer x credit type), so writers of different accounts
 * never wait for each other; but an account's newest entries could be
 * removed together with its head without breaking any link. A seal records,
 * for one tenant, the heads of the accounts that moved since the previous
 * seal, in one hash chained to that seal: a sealed entry that goes missing or
 * changes is a finding of verify, and the newest seal's hash, written down
 * outside the database, vouches for everything sealed before it.
 *
 * Must not: lock accounts (sealing reads committed heads and never holds up
 * an order) or run inside another operation's transaction.
 */
#include <string.h>

#include "service/service_int.h"

static const char seal_genesis_hex[SHA256_HEX] =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct seal_ctx {
    int64_t tenant_id;
    int64_t now_us;
    int64_t n_heads; /* heads sealed; 0 = nothing had moved */
};

/* The seal's hash over its heads, as hex into seal->hash. */
static enum err seal_hash(struct seal_row *seal, const struct seal_head_row *heads, size_t n)
{
    struct journal_seal js = {.tenant_id = seal->tenant_id,
                              .seq = seal->seq,
                              .created_at_us = seal->created_at_us,
                              .n_heads = seal->n_heads};
    if (!sha256_hex_decode(seal->prev_hash, js.prev_hash))
        return ERR_STORE;
    struct sha256_state st;
    journal_seal_begin(&st, &js);
    for (size_t i = 0; i < n; i++) {
        uint8_t head[SHA256_BYTES];
        ASSERT(heads[i].chain_seq > 0);
        if (!sha256_hex_decode(heads[i].chain_hash, head))
            return ERR_STORE;
        journal_seal_add(&st, heads[i].customer_id, heads[i].credit_type_id, heads[i].chain_seq,
                         head);
    }
    uint8_t out[SHA256_BYTES];
    journal_seal_end(&st, out);
    hex_encode(out, SHA256_BYTES, seal->hash);
    return ERR_OK;
}

static enum err svc_seal_txn(struct store_conn *c, void *arg)
{
    struct seal_ctx *x = arg;
    struct arena a;
    arena_init(&a, ARENA_COMMAND_BYTES_MAX);
    struct seal_row last, seal = {.tenant_id = x->tenant_id, .created_at_us = x->now_us};
    struct seal_head_row *heads = NULL;
    size_t n = 0;
    x->n_heads = 0;
    enum err rc = store_seal_last(c, x->tenant_id, &last);
    if (rc == ERR_NOT_FOUND) {
        last = (struct seal_row){.seq = 0};
        str_copy(last.hash, sizeof(last.hash), seal_genesis_hex);
        rc = ERR_OK;
    }
    if (rc == ERR_OK)
        rc = store_seal_pending(c, &a, x->tenant_id, &heads, &n);
    if (rc != ERR_OK || n == 0)
        goto out;
    seal.seq = last.seq + 1;
    seal.n_heads = (int64_t)n;
    str_copy(seal.prev_hash, sizeof(seal.prev_hash), last.hash);
    if ((rc = seal_hash(&seal, heads, n)) == ERR_OK)
        rc = store_seal_insert(c, &seal, heads, n);
    x->n_heads = rc == ERR_OK ? (int64_t)n : 0;
out:
    arena_release(&a);
    return rc;
}

struct seal_tenants_ctx {
    struct arena *a;
    int64_t *ids;
    size_t n;
};

static enum err svc_seal_tenants_txn(struct store_conn *c, void *arg)
{
    struct seal_tenants_ctx *x = arg;
    return store_tenant_ids(c, x->a, &x->ids, &x->n);
}

enum err svc_seal(struct svc *s, int64_t *n_seals)
{
    *n_seals = 0;
    struct arena a;
    arena_init(&a, ARENA_COMMAND_BYTES_MAX);
    struct seal_tenants_ctx t = {.a = &a};
    enum err rc = store_read(s->st, svc_seal_tenants_txn, &t);
    for (size_t i = 0; rc == ERR_OK && i < t.n; i++) {
        struct seal_ctx x = {.tenant_id = t.ids[i], .now_us = svc_now(s)};
        rc = store_write(s->st, svc_seal_txn, &x);
        /* Another server sealed this tenant meanwhile: its seal stands. */
        if (rc == ERR_DUPLICATE)
            rc = ERR_OK;
        *n_seals += x.n_heads > 0;
    }
    arena_release(&a);
    return rc;
}
