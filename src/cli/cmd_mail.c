/*
 * creditd mail test: sends a short test mail through the configured SMTP
 * relay, so an operator sees at once whether mail works (and the tests reach
 * the real mail client end to end). The relay's password is never printed:
 * the service names the relay by its URL without it.
 */
#include <string.h>

#include "cli/cli.h"

static int cmd_mail_test(struct cli *c)
{
    const char *to = NULL, *tenant = NULL;
    for (int i = 1; i < c->argc; i++) {
        if (cli_option(c, &i, "--to", &to) || cli_option(c, &i, "--tenant", &tenant))
            continue;
        return cli_fail(CLI_USAGE, "mail test: unknown argument '%s'", c->argv[i]);
    }
    if (to == NULL || to[0] == '\0')
        return cli_fail(CLI_USAGE, "mail test: --to ADDRESS is required");
    struct svc_mail_test_input in = {.to = to};
    struct svc *s = NULL;
    if (tenant != NULL) {
        if (!cli_open(c, false))
            return CLI_FAILURE;
        if (!cli_tenant(c, tenant, &in.tenant_id))
            return CLI_USAGE;
        s = &c->svc;
    }
    struct svc_mail_test_result out;
    struct err_detail d = {0};
    enum err rc = svc_mail_test(s, &c->arena, &in, &out, &d);
    if ((rc == ERR_VALIDATION || rc == ERR_TOO_LARGE) && strcmp(d.field, "to") == 0)
        return cli_fail(CLI_USAGE, "mail test: --to: %s", d.message);
    if (rc != ERR_OK)
        return cli_fail_err(rc, &d, "mail test");
    printf("sent a test mail to %s via %s (Message-ID %s)\n", to, out.relay, out.message_id);
    return CLI_OK;
}

static int cmd_mail_run(struct cli *c)
{
    ASSERT(c != NULL);
    ASSERT(c->argc >= 0);
    if (c->argc < 1 || strcmp(c->argv[0], "test") != 0)
        return cli_fail(CLI_USAGE, "mail: expected `mail test --to ADDRESS [--tenant ID]`");
    return cmd_mail_test(c);
}

const struct cli_command cli_cmd_mail = {
    .name = "mail",
    .summary = "send a test mail through the configured SMTP relay",
    .usage = "usage: creditd mail test --to ADDRESS [--tenant ID] [--db URL]\n\n"
             "Sends a short test mail (a text and an HTML part) to ADDRESS through the SMTP\n"
             "relay of CREDITD_SMTP_URL, from CREDITD_MAIL_FROM:\n"
             "  CREDITD_SMTP_URL      smtp://[user:password@]host[:port] (STARTTLS when the\n"
             "                        relay offers it) or smtps://... (TLS from the start)\n"
             "  CREDITD_MAIL_FROM     noreply@example.com or 'Example Shop <noreply@example.com>'\n"
             "  CREDITD_SMTP_CA_FILE  a PEM file of CAs for a private relay (default: the\n"
             "                        system's); certificates are always verified\n"
             "  CREDITD_SMTP_REQUIRE_TLS=1  fail unless an smtp:// relay switches to TLS\n"
             "With --tenant the mail is signed with that tenant's name (the database is\n"
             "opened for it); without, with the name in CREDITD_MAIL_FROM.\n"
             "Exit status 0 when the relay accepted the mail, 1 when it did not (the message\n"
             "says whether it refused it for good, delivery_rejected, or it may pass later,\n"
             "delivery_unavailable), 2 for a usage error or an address that is not one.\n",
    .run = cmd_mail_run,
};
