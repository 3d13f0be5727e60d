/* creditd user add: a further admin or staff login for a tenant; user
 * disable-totp: two-factor sign-in off for a user who lost the device. */
#include <string.h>

#include "cli/cli.h"

/* Turns two-factor sign-in off and ends the user's sessions: the user signs
 * in with the password alone and may enrol again. */
static int cmd_user_disable_totp(struct cli *c)
{
    const char *email = NULL, *tenant = NULL;
    for (int i = 1; i < c->argc; i++) {
        if (cli_option(c, &i, "--email", &email) || cli_option(c, &i, "--tenant", &tenant))
            continue;
        return cli_fail(CLI_USAGE, "user disable-totp: unknown argument '%s'", c->argv[i]);
    }
    if (email == NULL)
        return cli_fail(CLI_USAGE, "user disable-totp: --email is required");
    int64_t tenant_id;
    if (!cli_open(c, false) || !cli_tenant(c, tenant, &tenant_id))
        return CLI_FAILURE;
    struct svc_actor cli = {.label = "cli", .address = ""};
    struct err_detail d = {0};
    enum err rc = svc_totp_reset(&c->svc, &c->arena, tenant_id, email, &cli, &d);
    if (rc != ERR_OK)
        return cli_fail_err(rc, &d, "user disable-totp");
    fprintf(stderr, "creditd: two-factor sign-in is off for %s; their sessions are ended\n", email);
    return CLI_OK;
}

static int cmd_user_run(struct cli *c)
{
    if (c->argc >= 1 && strcmp(c->argv[0], "disable-totp") == 0)
        return cmd_user_disable_totp(c);
    if (c->argc < 1 || strcmp(c->argv[0], "add") != 0)
        return cli_fail(CLI_USAGE, "user: expected `user add --email E --role admin|staff` or "
                                   "`user disable-totp --email E`");
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
    .summary = "add an admin or staff user; turn a user's two-factor sign-in off",
    .usage = "usage: creditd user add --email E --role admin|staff [--password-stdin]\n"
             "                        [--tenant ID] [--db URL]\n"
             "       creditd user disable-totp --email E [--tenant ID] [--db URL]\n\n"
             "add: adds a login to the tenant (the default tenant unless --tenant). Without\n"
             "--password-stdin a one-time password is generated and printed once.\n\n"
             "disable-totp: turns two-factor sign-in off for a user who lost the device\n"
             "(the secret and recovery codes are deleted) and ends their sessions; they\n"
             "sign in with the password alone and may enrol again.\n",
    .run = cmd_user_run,
};
