/* creditd apikey create: a new API key, printed once, alone on stdout. */
#include <string.h>

#include "cli/cli.h"

static int cmd_apikey_run(struct cli *c)
{
    if (c->argc < 1 || strcmp(c->argv[0], "create") != 0)
        return cli_fail(CLI_USAGE, "apikey: expected `apikey create --role admin|staff`");
    const char *role = NULL, *name = "", *tenant = NULL;
    for (int i = 1; i < c->argc; i++) {
        if (cli_option(c, &i, "--role", &role) || cli_option(c, &i, "--name", &name) ||
            cli_option(c, &i, "--tenant", &tenant))
            continue;
        return cli_fail(CLI_USAGE, "apikey create: unknown argument '%s'", c->argv[i]);
    }
    if (role == NULL)
        return cli_fail(CLI_USAGE, "apikey create: --role is required");
    int64_t tenant_id;
    if (!cli_open(c, false) || !cli_tenant(c, tenant, &tenant_id))
        return CLI_FAILURE;
    char key[API_KEY_TEXT];
    int64_t id;
    struct err_detail d = {0};
    enum err rc = svc_apikey_create(&c->svc, tenant_id, role, name, "cli", key, &id, &d);
    if (rc != ERR_OK)
        return cli_fail_err(rc, &d, "apikey create");
    printf("%s\n", key);
    memset(key, 0, sizeof(key));
    return CLI_OK;
}

const struct cli_command cli_cmd_apikey = {
    .name = "apikey",
    .summary = "create an API key",
    .usage = "usage: creditd apikey create --role admin|staff [--name N] [--tenant ID]\n"
             "                             [--db URL]\n\n"
             "Creates an API key for the tenant and prints it alone on stdout. It is shown\n"
             "once and stored only as a hash. Use it as `Authorization: Bearer KEY`.\n",
    .run = cmd_apikey_run,
};
