/* creditd tenant add: a further white-label portal with its own host. */
#include <string.h>

#include "cli/cli.h"

/* tenant add-host TENANT HOST: one more host for an existing tenant. */
static int cmd_tenant_add_host(struct cli *c)
{
    if (c->argc != 3)
        return cli_fail(CLI_USAGE, "tenant: expected `tenant add-host TENANT HOST`");
    int64_t tenant_id;
    if (!cli_open(c, false) || !cli_tenant(c, c->argv[1], &tenant_id))
        return CLI_FAILURE;
    struct err_detail d = {0};
    enum err rc = svc_tenant_host_add(&c->svc, tenant_id, c->argv[2], &d);
    if (rc != ERR_OK)
        return cli_fail_err(rc, &d, "tenant add-host");
    fprintf(stderr, "creditd: %s is served at %s\n", c->argv[1], c->argv[2]);
    return CLI_OK;
}

static int cmd_tenant_run(struct cli *c)
{
    if (c->argc >= 1 && strcmp(c->argv[0], "add-host") == 0)
        return cmd_tenant_add_host(c);
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
    .usage = "usage: creditd tenant add NAME --host HOST [--db URL]\n"
             "       creditd tenant add-host TENANT HOST [--db URL]\n\n"
             "add creates a tenant with Master and Slave credits, served for requests whose\n"
             "Host header is HOST, and prints the new tenant's id. add-host serves an\n"
             "existing tenant at one more host. With one tenant every host reaches it;\n"
             "with several, each is reached only at its own hosts, so give the first\n"
             "tenant its host before adding a second.\n",
    .run = cmd_tenant_run,
};
