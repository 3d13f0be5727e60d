/* creditd user add|list|disable|enable|reset-password|disable-totp: the
 * tenant's admin and staff logins from the command line, and the way back in
 * for an admin who lost the password (and gets no mail) or the device of
 * their second factor. Disabling, a new password and two-factor turned off
 * end the user's sessions at once, on every server. */
#include <string.h>

#include "cli/cli.h"

static const struct svc_actor cmd_user_actor = {.label = "cli"};

/* The options every subcommand takes: --email, --tenant, --password-stdin. */
struct cmd_user_args {
    const char *email, *role, *tenant;
    bool password_stdin;
    int64_t tenant_id;
};

static int cmd_user_parse(struct cli *c, const char *what, bool role_allowed,
                          struct cmd_user_args *o)
{
    for (int i = 1; i < c->argc; i++) {
        if (cli_option(c, &i, "--email", &o->email) || cli_option(c, &i, "--tenant", &o->tenant))
            continue;
        if (role_allowed && cli_option(c, &i, "--role", &o->role))
            continue;
        if (cli_flag(c, &i, "--password-stdin")) {
            o->password_stdin = true;
            continue;
        }
        return cli_fail(CLI_USAGE, "user %s: unknown argument '%s'", what, c->argv[i]);
    }
    if (!cli_open(c, false) || !cli_tenant(c, o->tenant, &o->tenant_id))
        return CLI_FAILURE;
    return CLI_OK;
}

/* A password from stdin, or a generated one (printed once by the caller). */
static bool cmd_user_password(const struct cmd_user_args *o, char *password, size_t n)
{
    if (o->password_stdin)
        return cli_read_stdin_line(password, n);
    random_hex(password, 12);
    return true;
}

static int cmd_user_add(struct cli *c)
{
    struct cmd_user_args o = {0};
    int rc_cli = cmd_user_parse(c, "add", true, &o);
    if (rc_cli != CLI_OK)
        return rc_cli;
    if (o.email == NULL || o.role == NULL)
        return cli_fail(CLI_USAGE, "user add: --email and --role are required");
    char password[1100];
    if (!cmd_user_password(&o, password, sizeof(password)))
        return cli_fail(CLI_USAGE, "user add: no password on standard input");
    struct err_detail d = {0};
    int64_t user_id;
    enum err rc = svc_user_add_by(&c->svc, o.tenant_id, &cmd_user_actor, o.email, password, o.role,
                                  &user_id, &d);
    if (rc != ERR_OK)
        return cli_fail_err(rc, &d, "user add");
    char id[ID_TEXT_BYTES];
    id_format(id, sizeof(id), "usr", user_id);
    fprintf(stderr, "creditd: added %s %s (%s)\n", o.role, o.email, id);
    if (!o.password_stdin)
        printf("password (shown once): %s\n", password);
    memset(password, 0, sizeof(password));
    return CLI_OK;
}

static int cmd_user_list(struct cli *c)
{
    struct cmd_user_args o = {0};
    int rc_cli = cmd_user_parse(c, "list", false, &o);
    if (rc_cli != CLI_OK)
        return rc_cli;
    struct user_row *users;
    size_t n;
    if (svc_users_list(&c->svc, &c->arena, o.tenant_id, &users, &n) != ERR_OK)
        return cli_fail(CLI_FAILURE, "user list: cannot read the users");
    for (size_t i = 0; i < n; i++)
        printf("usr_%lld\t%s\t%s\t%s%s\n", (long long)users[i].id, users[i].role,
               users[i].disabled ? "disabled" : "active", users[i].email,
               users[i].totp_enabled ? "\t2fa" : "");
    return CLI_OK;
}

/* disable (true) or enable (false) the user with --email. */
static int cmd_user_set_disabled(struct cli *c, bool disabled)
{
    const char *what = disabled ? "disable" : "enable";
    struct cmd_user_args o = {0};
    int rc_cli = cmd_user_parse(c, what, false, &o);
    if (rc_cli != CLI_OK)
        return rc_cli;
    if (o.email == NULL)
        return cli_fail(CLI_USAGE, "user %s: --email is required", what);
    struct user_row u;
    enum err rc = svc_user_by_email(&c->svc, &c->arena, o.tenant_id, o.email, &u);
    if (rc == ERR_NOT_FOUND || (rc == ERR_OK && strcmp(u.role, "member") == 0))
        return cli_fail(CLI_FAILURE, "user %s: no admin or staff user '%s'", what, o.email);
    if (rc != ERR_OK)
        return cli_fail(CLI_FAILURE, "user %s: %s", what, err_code(rc));
    struct err_detail d = {0};
    rc = svc_user_update(&c->svc, &c->arena, o.tenant_id, &cmd_user_actor, u.id, NULL, disabled, &u,
                         &d);
    if (rc != ERR_OK)
        return cli_fail_err(rc, &d, disabled ? "user disable" : "user enable");
    printf("%s %s\n", disabled ? "disabled" : "enabled", o.email);
    return CLI_OK;
}

static int cmd_user_reset_password(struct cli *c)
{
    struct cmd_user_args o = {0};
    int rc_cli = cmd_user_parse(c, "reset-password", false, &o);
    if (rc_cli != CLI_OK)
        return rc_cli;
    if (o.email == NULL)
        return cli_fail(CLI_USAGE, "user reset-password: --email is required");
    char password[1100];
    if (!cmd_user_password(&o, password, sizeof(password)))
        return cli_fail(CLI_USAGE, "user reset-password: no password on standard input");
    struct err_detail d = {0};
    enum err rc =
        svc_password_set(&c->svc, &c->arena, o.tenant_id, o.email, password, &cmd_user_actor, &d);
    if (rc != ERR_OK) {
        memset(password, 0, sizeof(password));
        return cli_fail_err(rc, &d, "user reset-password");
    }
    fprintf(stderr, "creditd: new password set for %s; their sessions have ended\n", o.email);
    if (!o.password_stdin)
        printf("password (shown once): %s\n", password);
    memset(password, 0, sizeof(password));
    return CLI_OK;
}

/* Turns two-factor sign-in off and ends the user's sessions: the user signs
 * in with the password alone and may enrol again. */
static int cmd_user_disable_totp(struct cli *c)
{
    struct cmd_user_args o = {0};
    int rc_cli = cmd_user_parse(c, "disable-totp", false, &o);
    if (rc_cli != CLI_OK)
        return rc_cli;
    if (o.email == NULL)
        return cli_fail(CLI_USAGE, "user disable-totp: --email is required");
    struct err_detail d = {0};
    enum err rc = svc_totp_reset(&c->svc, &c->arena, o.tenant_id, o.email, &cmd_user_actor, &d);
    if (rc != ERR_OK)
        return cli_fail_err(rc, &d, "user disable-totp");
    fprintf(stderr, "creditd: two-factor sign-in is off for %s; their sessions have ended\n",
            o.email);
    return CLI_OK;
}

static int cmd_user_run(struct cli *c)
{
    const char *sub = c->argc >= 1 ? c->argv[0] : "";
    if (strcmp(sub, "add") == 0)
        return cmd_user_add(c);
    if (strcmp(sub, "list") == 0)
        return cmd_user_list(c);
    if (strcmp(sub, "disable") == 0)
        return cmd_user_set_disabled(c, true);
    if (strcmp(sub, "enable") == 0)
        return cmd_user_set_disabled(c, false);
    if (strcmp(sub, "reset-password") == 0)
        return cmd_user_reset_password(c);
    if (strcmp(sub, "disable-totp") == 0)
        return cmd_user_disable_totp(c);
    return cli_fail(CLI_USAGE,
                    "user: expected add, list, disable, enable, reset-password or disable-totp");
}

const struct cli_command cli_cmd_user = {
    .name = "user",
    .summary = "add, list, disable or enable admins and staff; reset a password or 2FA",
    .usage = "usage: creditd user add --email E --role admin|staff [--password-stdin]\n"
             "       creditd user list\n"
             "       creditd user disable --email E\n"
             "       creditd user enable --email E\n"
             "       creditd user reset-password --email E [--password-stdin]\n"
             "       creditd user disable-totp --email E\n"
             "       (each also takes [--tenant ID] [--db URL])\n\n"
             "add makes a login of the tenant (the default tenant unless --tenant).\n"
             "list prints each admin and staff user: id, role, state, e-mail.\n"
             "disable ends a user's access at once (every session, on every server);\n"
             "enable lets them sign in again. The last enabled admin cannot be disabled.\n"
             "reset-password sets a new password for any user of the tenant and ends\n"
             "their sessions: the way back in for an admin who gets no mail.\n"
             "disable-totp turns two-factor sign-in off for a user who lost the device\n"
             "(and ends their sessions); they may enrol again.\n"
             "Without --password-stdin a one-time password is generated and printed once.\n"
             "Passwords have at least 12 characters and are not common ones.\n",
    .run = cmd_user_run,
};
