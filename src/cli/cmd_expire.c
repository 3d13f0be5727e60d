/* creditd expire: books the expiry of every lot past its expiry date. */
#include "cli/cli.h"

static int cmd_expire_run(struct cli *c)
{
    const char *now_text = NULL;
    for (int i = 0; i < c->argc; i++) {
        if (cli_option(c, &i, "--now", &now_text))
            continue;
        return cli_fail(CLI_USAGE, "expire: unknown argument '%s'", c->argv[i]);
    }
    int64_t now = 0;
    if (now_text != NULL && !time_parse_rfc3339(now_text, &now))
        return cli_fail(CLI_USAGE, "expire: --now takes an RFC 3339 time, not '%s'", now_text);
    if (!cli_open(c, false))
        return CLI_FAILURE;
    int64_t count = 0;
    enum err rc = svc_expire(&c->svc, now, &count);
    if (rc != ERR_OK)
        return cli_fail(CLI_FAILURE, "expire: %s", err_code(rc));
    printf("expired %lld lot%s\n", (long long)count, count == 1 ? "" : "s");
    return CLI_OK;
}

const struct cli_command cli_cmd_expire = {
    .name = "expire",
    .summary = "expire lots past their expiry",
    .usage = "usage: creditd expire [--now TIME] [--db URL]\n\n"
             "Writes one journal entry for each lot past its expiry (at TIME, RFC 3339,\n"
             "default now). The server runs the same job on a timer.\n",
    .run = cmd_expire_run,
};
