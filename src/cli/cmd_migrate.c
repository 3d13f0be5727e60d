/* creditd migrate: applies the schema migrations not yet applied. */
#include "cli/cli.h"

static int cmd_migrate_run(struct cli *c)
{
    if (c->argc > 0)
        return cli_fail(CLI_USAGE, "migrate: unknown argument '%s'", c->argv[0]);
    struct err_detail d = {0};
    enum err rc = store_open(c->db_url, &c->st, &d);
    if (rc != ERR_OK)
        return cli_fail_err(rc, &d, "cannot open the database");
    int applied = 0, version = 0;
    rc = store_migrate(c->st, &applied);
    if (rc == ERR_OK)
        rc = store_schema_version(c->st, &version);
    if (rc != ERR_OK)
        return cli_fail(CLI_FAILURE, "migrate: %s", err_code(rc));
    printf("applied %d migration%s; schema version %d\n", applied, applied == 1 ? "" : "s",
           version);
    return CLI_OK;
}

const struct cli_command cli_cmd_migrate = {
    .name = "migrate",
    .summary = "apply pending schema migrations",
    .usage = "usage: creditd migrate [--db URL]\n\n"
             "Applies the schema migrations the database does not have yet. Safe to run\n"
             "any number of times.\n",
    .run = cmd_migrate_run,
};
