/* creditd apikey create|list|revoke: a new API key, printed once, alone on
 * stdout; the tenant's keys (never a key itself); a key revoked at once. */
#include <string.h>

#include "cli/cli.h"

static const struct svc_actor cmd_apikey_actor = {.label = "cli"};

static int cmd_apikey_list(struct cli *c)
{
    const char *tenant = NULL;
    for (int i = 1; i < c->argc; i++) {
        if (cli_option(c, &i, "--tenant", &tenant))
            continue;
        return cli_fail(CLI_USAGE, "apikey list: unknown argument '%s'", c->argv[i]);
    }
    int64_t tenant_id;
    if (!cli_open(c, false) || !cli_tenant(c, tenant, &tenant_id))
        return CLI_FAILURE;
    struct api_key_row *keys;
    size_t n;
    if (svc_apikey_list(&c->svc, &c->arena, tenant_id, &keys, &n) != ERR_OK)
        return cli_fail(CLI_FAILURE, "apikey list: cannot read the keys");
    int64_t now = time_now_us();
    for (size_t i = 0; i < n; i++) {
        const struct api_key_row *k = &keys[i];
        bool expired = k->expires_at_us != 0 && now >= k->expires_at_us;
        printf("key_%lld\t%s\t%s\t%s\n", (long long)k->id, k->role,
               k->revoked_at_us != 0 ? "revoked"
               : expired             ? "expired"
                                     : "active",
               k->name[0] != '\0' ? k->name : "-");
    }
    return CLI_OK;
}

static int cmd_apikey_revoke(struct cli *c)
{
    const char *tenant = NULL, *which = NULL;
    for (int i = 1; i < c->argc; i++) {
        if (cli_option(c, &i, "--tenant", &tenant))
            continue;
        if (which == NULL && c->argv[i][0] != '-') {
            which = c->argv[i];
            continue;
        }
        return cli_fail(CLI_USAGE, "apikey revoke: unknown argument '%s'", c->argv[i]);
    }
    int64_t id = 0;
    if (which == NULL || strncmp(which, "key_", 4) != 0 || !parse_int64(which + 4, &id) || id <= 0)
        return cli_fail(CLI_USAGE, "apikey revoke: expected a key id like key_3 (apikey list)");
    int64_t tenant_id;
    if (!cli_open(c, false) || !cli_tenant(c, tenant, &tenant_id))
        return CLI_FAILURE;
    enum err rc = svc_apikey_revoke(&c->svc, tenant_id, &cmd_apikey_actor, id);
    if (rc == ERR_NOT_FOUND)
        return cli_fail(CLI_FAILURE, "apikey revoke: no active key '%s'", which);
    if (rc != ERR_OK)
        return cli_fail(CLI_FAILURE, "apikey revoke: %s", err_code(rc));
    printf("revoked %s\n", which);
    return CLI_OK;
}

static int cmd_apikey_run(struct cli *c)
{
    if (c->argc >= 1 && strcmp(c->argv[0], "list") == 0)
        return cmd_apikey_list(c);
    if (c->argc >= 1 && strcmp(c->argv[0], "revoke") == 0)
        return cmd_apikey_revoke(c);
    if (c->argc < 1 || strcmp(c->argv[0], "create") != 0)
        return cli_fail(CLI_USAGE, "apikey: expected `apikey create --role admin|staff`, "
                                   "`apikey list` or `apikey revoke KEY_ID`");
    const char *role = NULL, *name = "", *tenant = NULL, *days = NULL;
    for (int i = 1; i < c->argc; i++) {
        if (cli_option(c, &i, "--role", &role) || cli_option(c, &i, "--name", &name) ||
            cli_option(c, &i, "--tenant", &tenant) || cli_option(c, &i, "--expires-in-days", &days))
            continue;
        return cli_fail(CLI_USAGE, "apikey create: unknown argument '%s'", c->argv[i]);
    }
    if (role == NULL)
        return cli_fail(CLI_USAGE, "apikey create: --role is required");
    int64_t n_days = 0;
    if (days != NULL && (!parse_int64(days, &n_days) || n_days < 1 || n_days > 3660))
        return cli_fail(CLI_USAGE, "apikey create: --expires-in-days takes 1 to 3660");
    int64_t tenant_id;
    if (!cli_open(c, false) || !cli_tenant(c, tenant, &tenant_id))
        return CLI_FAILURE;
    char key[API_KEY_TEXT];
    int64_t id;
    struct err_detail d = {0};
    int64_t expires_at_us = n_days > 0 ? time_now_us() + n_days * USEC_PER_DAY : 0;
    enum err rc = svc_apikey_create(&c->svc, tenant_id, &cmd_apikey_actor, role, name,
                                    expires_at_us, key, &id, &d);
    if (rc != ERR_OK)
        return cli_fail_err(rc, &d, "apikey create");
    printf("%s\n", key);
    memset(key, 0, sizeof(key));
    return CLI_OK;
}

const struct cli_command cli_cmd_apikey = {
    .name = "apikey",
    .summary = "create, list or revoke API keys",
    .usage = "usage: creditd apikey create --role admin|staff [--name N] [--tenant ID]\n"
             "                             [--expires-in-days N] [--db URL]\n"
             "       creditd apikey list [--tenant ID] [--db URL]\n"
             "       creditd apikey revoke KEY_ID [--tenant ID] [--db URL]\n\n"
             "create makes an API key for the tenant and prints it alone on stdout. It is\n"
             "shown once and stored only as a hash. Use it as `Authorization: Bearer KEY`.\n"
             "With --expires-in-days the key stops working after N days.\n"
             "list prints each key's id, role, state and name (never the key); revoke\n"
             "ends a key at once, on every server.\n",
    .run = cmd_apikey_run,
};
