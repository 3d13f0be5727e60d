/* creditd verify: recomputes the ledger and prints every finding. */
#include "cli/cli.h"

static void cmd_verify_finding(const char *finding, void *ctx)
{
    (void)ctx;
    printf("%s\n", finding);
}

static int cmd_verify_run(struct cli *c)
{
    if (c->argc > 0)
        return cli_fail(CLI_USAGE, "verify: unknown argument '%s'", c->argv[0]);
    if (!cli_open(c, false))
        return CLI_FAILURE;
    int64_t findings = 0;
    enum err rc = svc_verify(&c->svc, cmd_verify_finding, NULL, &findings);
    if (rc != ERR_OK)
        return cli_fail(CLI_FAILURE, "verify could not run: %s", err_code(rc));
    if (findings > 0) {
        fprintf(stderr, "creditd: verify: %lld finding%s\n", (long long)findings,
                findings == 1 ? "" : "s");
        return CLI_FAILURE;
    }
    printf("ok: journal, lots, balances and hash chain agree\n");
    return CLI_OK;
}

const struct cli_command cli_cmd_verify = {
    .name = "verify",
    .summary = "recompute the ledger and report every inconsistency",
    .usage = "usage: creditd verify [--db URL]\n\n"
             "Recomputes everything from the postings: each transaction sums to zero, each\n"
             "lot's remaining equals its postings, each balance and every balance_after\n"
             "match the running sum, and the hash chain of every tenant is unbroken.\n"
             "Prints each finding; exit status 1 when there is any.\n",
    .run = cmd_verify_run,
};
