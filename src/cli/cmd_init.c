/*
 * creditd init: creates the schema and, on an empty database, the first
 * tenant and its first admin. Safe to run again: it then only migrates.
 */
#include <string.h>

#include "cli/cli.h"

static int cmd_init_run(struct cli *c)
{
    const char *email = "admin@example.com", *name = "My tuning business", *host = NULL;
    bool password_stdin = false;
    for (int i = 0; i < c->argc; i++) {
        if (cli_option(c, &i, "--admin-email", &email) || cli_option(c, &i, "--name", &name) ||
            cli_option(c, &i, "--host", &host))
            continue;
        if (cli_flag(c, &i, "--admin-password-stdin")) {
            password_stdin = true;
            continue;
        }
        return cli_fail(CLI_USAGE, "init: unknown argument '%s'", c->argv[i]);
    }
    if (!cli_open(c, true))
        return CLI_FAILURE;
    int64_t tenant_id;
    if (svc_tenant_default(&c->svc, &tenant_id) == ERR_OK) {
        fprintf(stderr, "creditd: the database is initialised already; schema up to date\n");
        return CLI_OK;
    }
    char password[1100];
    bool generated = !password_stdin;
    if (password_stdin) {
        if (!cli_read_stdin_line(password, sizeof(password)))
            return cli_fail(CLI_USAGE, "init: no password on standard input");
    } else {
        random_hex(password, 12);
    }
    struct err_detail d = {0};
    enum err rc = svc_tenant_create(&c->svc, name, host, &tenant_id, &d);
    if (rc != ERR_OK)
        return cli_fail_err(rc, &d, "init");
    int64_t user_id;
    rc = svc_user_add(&c->svc, tenant_id, email, password, "admin", &user_id, &d);
    if (rc != ERR_OK)
        return cli_fail_err(rc, &d, "init: first admin");
    fprintf(stderr, "creditd: initialised %s; admin %s\n", c->db_url, email);
    if (generated)
        printf("admin password (shown once): %s\n", password);
    memset(password, 0, sizeof(password));
    return CLI_OK;
}

const struct cli_command cli_cmd_init = {
    .name = "init",
    .summary = "create the schema, the first tenant and its admin",
    .usage = "usage: creditd init [--db URL] [--admin-email E] [--admin-password-stdin]\n"
             "                    [--name BUSINESS] [--host HOST]\n\n"
             "Creates or migrates the database. On an empty database it also creates the\n"
             "first tenant (with Master and Slave credits) and an admin user. Without\n"
             "--admin-password-stdin a one-time password is generated and printed once.\n"
             "Running it again only migrates.\n",
    .run = cmd_init_run,
};
