/* creditd status: tenants, customers, booked balances and the verify result. */
#include "cli/cli.h"

static void status_print_tenant(int64_t tenant_id, const struct svc_tenant_status *x)
{
    char id[ID_TEXT_BYTES];
    id_format(id, sizeof(id), "ten", tenant_id);
    printf("tenant %s \"%s\": %lld customer%s\n", id, x->tenant.name, (long long)x->customers,
           x->customers == 1 ? "" : "s");
    for (size_t t = 0; t < x->types.n; t++) {
        const struct credit_type_row *type = &x->types.items[t];
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
    int64_t *tenants = NULL;
    size_t n_tenants = 0;
    enum err rc = svc_tenant_ids(&c->svc, &c->arena, &tenants, &n_tenants);
    printf("database %s (%s)\n", c->db_url, svc_backend_name(&c->svc));
    for (size_t i = 0; rc == ERR_OK && i < n_tenants; i++) {
        struct svc_tenant_status t;
        rc = svc_tenant_status(&c->svc, &c->arena, tenants[i], &t);
        if (rc == ERR_OK)
            status_print_tenant(tenants[i], &t);
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
