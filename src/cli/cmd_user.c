/* creditd user add: a further admin or staff login for a tenant. */
#include <string.h>

#include "cli/cli.h"

static int cmd_user_run(struct cli *c)
{
    if (c->argc < 1 || strcmp(c->argv[0], "add") != 0)
        return cli_fail(CLI_USAGE, "user: expected `user add --email E --role admin|staff`");
    const char *email = NULL, *role = NULL, *tenant = NULL;
    bool password_stdin = false;
    for (int i = 1; i < c->argc; i++) {
        if (cli_option(c, &i, "--email", &email) || cli_option(c, &i, "--role", &role) ||
            cli_option(c, &i, "--tenant", &tenant))
            continue;
        if (cli_flag(c, &i, "--password-stdin")) {
            password_stdin = true;
            continue;
        }
        return cli_fail(CLI_USAGE, "user add: unknown argument '%s'", c->argv[i]);
    }
    if (email == NULL || role == NULL)
        return cli_fail(CLI_USAGE, "user add: --email and --role are required");
    int64_t tenant_id;
    if (!cli_open(c, false) || !cli_tenant(c, tenant, &tenant_id))
        return CLI_FAILURE;
    char password[1100];
    if (password_stdin) {
        if (!cli_read_stdin_line(password, sizeof(password)))
            return cli_fail(CLI_USAGE, "user add: no password on standard input");
    } else {
        random_hex(password, 12);
    }
    struct err_detail d = {0};
    int64_t user_id;
    enum err rc = svc_user_add(&c->svc, tenant_id, email, password, role, &user_id, &d);
    if (rc != ERR_OK)
        return cli_fail_err(rc, &d, "user add");
    char id[ID_TEXT_BYTES];
    id_format(id, sizeof(id), "usr", user_id);
    fprintf(stderr, "creditd: added %s %s (%s)\n", role, email, id);
    if (!password_stdin)
        printf("password (shown once): %s\n", password);
    memset(password, 0, sizeof(password));
    return CLI_OK;
}

const struct cli_command cli_cmd_user = {
    .name = "user",
    .summary = "add an admin or staff user",
    .usage = "usage: creditd user add --email E --role admin|staff [--password-stdin]\n"
             "                        [--tenant ID] [--db URL]\n\n"
             "Adds a login to the tenant (the default tenant unless --tenant). Without\n"
             "--password-stdin a one-time password is generated and printed once.\n",
    .run = cmd_user_run,
};
