/* creditd tenant add: a further white-label portal with its own host. */
#include <string.h>

#include "cli/cli.h"

static int cmd_tenant_run(struct cli *c)
{
    if (c->argc < 2 || strcmp(c->argv[0], "add") != 0 || c->argv[1][0] == '-')
        return cli_fail(CLI_USAGE, "tenant: expected `tenant add NAME --host HOST`");
    const char *name = c->argv[1], *host = NULL;
    for (int i = 2; i < c->argc; i++) {
        if (cli_option(c, &i, "--host", &host))
            continue;
        return cli_fail(CLI_USAGE, "tenant add: unknown argument '%s'", c->argv[i]);
    }
    if (host == NULL)
        return cli_fail(CLI_USAGE, "tenant add: --host is required");
    if (!cli_open(c, false))
        return CLI_FAILURE;
    struct err_detail d = {0};
    int64_t tenant_id;
    enum err rc = svc_tenant_create(&c->svc, name, host, &tenant_id, &d);
    if (rc != ERR_OK)
        return cli_fail_err(rc, &d, "tenant add");
    char id[ID_TEXT_BYTES];
    id_format(id, sizeof(id), "ten", tenant_id);
    printf("%s\n", id);
    fprintf(stderr,
            "creditd: tenant '%s' serves %s; add its admin with `creditd user add "
            "--tenant %s`\n",
            name, host, id);
    return CLI_OK;
}

const struct cli_command cli_cmd_tenant = {
    .name = "tenant",
    .summary = "add a further tenant (white-label portal)",
    .usage = "usage: creditd tenant add NAME --host HOST [--db URL]\n\n"
             "Creates a tenant with Master and Slave credits, served for requests whose\n"
             "Host header is HOST. Prints the new tenant's id.\n",
    .run = cmd_tenant_run,
};
