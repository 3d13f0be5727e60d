/* creditd seal: seals the journal's account chains of every tenant. */
#include "cli/cli.h"

static int cmd_seal_run(struct cli *c)
{
    if (c->argc > 0)
        return cli_fail(CLI_USAGE, "seal: unknown argument '%s'", c->argv[0]);
    if (!cli_open(c, false))
        return CLI_FAILURE;
    int64_t count = 0;
    enum err rc = svc_seal(&c->svc, &count);
    if (rc != ERR_OK)
        return cli_fail(CLI_FAILURE, "seal: %s", err_code(rc));
    printf("sealed %lld tenant%s\n", (long long)count, count == 1 ? "" : "s");
    return CLI_OK;
}

const struct cli_command cli_cmd_seal = {
    .name = "seal",
    .summary = "seal the journal's account chains",
    .usage = "usage: creditd seal [--db URL]\n\n"
             "Writes, for every tenant whose accounts moved since its last seal, one seal:\n"
             "a hash over the newest entry of each of those accounts, chained to the seal\n"
             "before. verify then finds a sealed entry that was removed or changed. The\n"
             "server runs the same job every minute.\n",
    .run = cmd_seal_run,
};
