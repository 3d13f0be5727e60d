/* creditd backup FILE: a consistent copy of a SQLite database. */
#include "cli/cli.h"

static int cmd_backup_run(struct cli *c)
{
    if (c->argc != 1 || c->argv[0][0] == '-')
        return cli_fail(CLI_USAGE, "backup: expected `backup FILE`");
    if (!cli_open(c, false))
        return CLI_FAILURE;
    struct err_detail d = {0};
    enum err rc = store_backup(c->st, c->argv[0], &d);
    if (rc == ERR_USAGE) {
        fprintf(stderr, "creditd: %s\n", d.message);
        return CLI_USAGE;
    }
    if (rc != ERR_OK)
        return cli_fail_err(rc, &d, "backup");
    fprintf(stderr, "creditd: backup written to %s\n", c->argv[0]);
    return CLI_OK;
}

const struct cli_command cli_cmd_backup = {
    .name = "backup",
    .summary = "write a consistent copy of the database",
    .usage = "usage: creditd backup FILE [--db URL]\n\n"
             "SQLite: writes an online, consistent copy to FILE while the server runs.\n"
             "PostgreSQL: prints how to back up with pg_dump instead.\n",
    .run = cmd_backup_run,
};
