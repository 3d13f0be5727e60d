/* creditd status: tenants, customers, booked balances and the verify result. */
#include "cli/cli.h"

struct status_ctx {
    struct arena *a;
    int64_t *tenants;
    size_t n_tenants;
};

static enum err status_tenants_txn(struct store_conn *c, void *arg)
{
    struct status_ctx *x = arg;
    return store_tenant_ids(c, x->a, &x->tenants, &x->n_tenants);
}

struct status_tenant_ctx {
    struct arena *a;
    int64_t tenant_id;
    struct tenant_row tenant;
    int64_t customers;
    struct credit_type_row *types;
    size_t n_types;
    struct outstanding_row *sums;
    size_t n_sums;
};

static enum err status_tenant_txn(struct store_conn *c, void *arg)
{
    struct status_tenant_ctx *x = arg;
    enum err rc = store_tenant_get(c, x->a, x->tenant_id, &x->tenant);
    if (rc == ERR_OK)
        rc = store_customer_count(c, x->tenant_id, &x->customers);
    if (rc == ERR_OK)
        rc = store_credit_type_list(c, x->a, x->tenant_id, &x->types, &x->n_types);
    if (rc == ERR_OK)
        rc = store_outstanding(c, x->a, x->tenant_id, &x->sums, &x->n_sums);
    return rc;
}

static void status_print_tenant(const struct status_tenant_ctx *x)
{
    char id[ID_TEXT_BYTES];
    id_format(id, sizeof(id), "ten", x->tenant_id);
    printf("tenant %s \"%s\": %lld customer%s\n", id, x->tenant.name, (long long)x->customers,
           x->customers == 1 ? "" : "s");
    for (size_t t = 0; t < x->n_types; t++) {
        const struct credit_type_row *type = &x->types[t];
        int64_t balance = 0, held = 0;
        for (size_t i = 0; i < x->n_sums; i++) {
            if (x->sums[i].credit_type_id == type->id) {
                balance = x->sums[i].balance_minor;
                held = x->sums[i].held_minor;
            }
        }
        char b[AMOUNT_TEXT_BYTES], h[AMOUNT_TEXT_BYTES];
        amount_format(balance, type->scale, b, sizeof(b));
        amount_format(held, type->scale, h, sizeof(h));
        printf("  %-10s outstanding %s (held %s)%s\n", type->code, b, h,
               type->spendable ? "" : " [spending switched off]");
    }
}

static void status_finding(const char *finding, void *ctx)
{
    (void)ctx;
    printf("  verify: %s\n", finding);
}

static int cmd_status_run(struct cli *c)
{
    if (c->argc > 0)
        return cli_fail(CLI_USAGE, "status: unknown argument '%s'", c->argv[0]);
    if (!cli_open(c, false))
        return CLI_FAILURE;
    struct status_ctx x = {.a = &c->arena};
    enum err rc = svc_read(&c->svc, status_tenants_txn, &x);
    printf("database %s (%s)\n", c->db_url, store_backend_name(c->st));
    for (size_t i = 0; rc == ERR_OK && i < x.n_tenants; i++) {
        struct status_tenant_ctx t = {.a = &c->arena, .tenant_id = x.tenants[i]};
        rc = svc_read(&c->svc, status_tenant_txn, &t);
        if (rc == ERR_OK)
            status_print_tenant(&t);
    }
    if (rc != ERR_OK)
        return cli_fail(CLI_FAILURE, "status: %s", err_code(rc));
    int64_t findings = 0;
    rc = svc_verify(&c->svc, status_finding, NULL, &findings);
    if (rc != ERR_OK)
        return cli_fail(CLI_FAILURE, "status: verify could not run: %s", err_code(rc));
    printf("verify: %s\n", findings == 0 ? "ok" : "FINDINGS (see above)");
    return findings == 0 ? CLI_OK : CLI_FAILURE;
}

const struct cli_command cli_cmd_status = {
    .name = "status",
    .summary = "summarise tenants, balances and the verify result",
    .usage = "usage: creditd status [--db URL]\n\n"
             "Prints each tenant with its number of customers and the outstanding credits\n"
             "per type, then runs verify. Exit status 1 when verify has findings.\n",
    .run = cmd_status_run,
};
