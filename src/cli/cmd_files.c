/*
 * creditd files purge: deletes the contents of files that are due (kept past
 * their tenant's retention after the order closed, or uploaded and never put
 * on an order), keeping their rows. The server runs the same job every
 * minute; this runs it now, or as of another instant.
 */
#include <string.h>

#include "cli/cli.h"

static int cmd_files_run(struct cli *c)
{
    const char *now_text = NULL, *dir = NULL;
    if (c->argc < 1 || strcmp(c->argv[0], "purge") != 0)
        return cli_fail(CLI_USAGE, "files: expected 'purge' (see creditd files --help)");
    for (int i = 1; i < c->argc; i++) {
        if (cli_option(c, &i, "--now", &now_text) || cli_option(c, &i, "--files-dir", &dir))
            continue;
        return cli_fail(CLI_USAGE, "files purge: unknown argument '%s'", c->argv[i]);
    }
    int64_t now = 0;
    if (now_text != NULL && !time_parse_rfc3339(now_text, &now))
        return cli_fail(CLI_USAGE, "files purge: --now takes an RFC 3339 time, not '%s'", now_text);
    /* Never clean tmp/ here: a running server may be receiving uploads. */
    if (!cli_open(c, false) || !cli_open_files(c, dir, false))
        return CLI_FAILURE;
    int64_t count = 0;
    enum err rc = svc_files_purge_due(&c->svc, now, &count);
    if (rc != ERR_OK)
        return cli_fail(CLI_FAILURE, "files purge: %s", err_code(rc));
    printf("purged %lld file%s\n", (long long)count, count == 1 ? "" : "s");
    return CLI_OK;
}

const struct cli_command cli_cmd_files = {
    .name = "files",
    .summary = "purge file contents that are due",
    .usage = "usage: creditd files purge [--now TIME] [--files-dir DIR] [--db URL]\n\n"
             "Deletes the contents of the files that are due at TIME (RFC 3339, default\n"
             "now): files of orders completed or cancelled longer ago than the tenant's\n"
             "file_retention_days (0 keeps them forever), and uploads that were never put\n"
             "on an order a day after the duplicate window. Names, sizes and hashes stay;\n"
             "each purge is noted in the order's history. DIR is the server's files\n"
             "directory (or CREDITD_FILES_DIR; default: 'files' beside the SQLite\n"
             "database, ./data/files for PostgreSQL). The server runs the same job every\n"
             "minute.\n",
    .run = cmd_files_run,
};
