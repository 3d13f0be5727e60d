/*
 * The command table, global options (--db, --help) and the helpers every
 * command uses. A command never prints secrets except the one it was asked
 * to create (a one-time password, an API key), and then on stdout alone.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define CLI_DB_DEFAULT "sqlite:./data/creditd.db"

static const struct cli_command *const cli_commands[] = {
    &cli_cmd_serve,  &cli_cmd_init,   &cli_cmd_migrate, &cli_cmd_user,   &cli_cmd_tenant,
    &cli_cmd_expire, &cli_cmd_verify, &cli_cmd_export,  &cli_cmd_backup, &cli_cmd_demo,
    &cli_cmd_status, &cli_cmd_apikey, &cli_cmd_files,   &cli_cmd_seal,   &cli_cmd_mail,
};

static void cli_usage(FILE *f)
{
    fprintf(f, "usage: creditd [--db URL] COMMAND [OPTIONS]\n\n"
               "A prepaid credit ledger. Commands:\n");
    for (size_t i = 0; i < sizeof(cli_commands) / sizeof(cli_commands[0]); i++)
        fprintf(f, "  %-10s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
    fprintf(f,
            "\n--db URL (or CREDITD_DB): sqlite:PATH (default %s) or\n"
            "postgresql://user@host:port/database.\n"
            "`creditd COMMAND --help` describes a command. Exit codes: 0 ok, 1 failure, "
            "2 usage.\n",
            CLI_DB_DEFAULT);
}

int cli_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("creditd: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

int cli_fail_err(enum err rc, const struct err_detail *d, const char *what)
{
    if (d != NULL && d->message[0] != '\0') {
        if (d->field[0] != '\0')
            return cli_fail(CLI_FAILURE, "%s: %s: %s (%s)", what, d->field, d->message,
                            err_code(rc));
        return cli_fail(CLI_FAILURE, "%s: %s (%s)", what, d->message, err_code(rc));
    }
    return cli_fail(CLI_FAILURE, "%s: %s", what, err_code(rc));
}

bool cli_option(struct cli *c, int *i, const char *name, const char **value)
{
    const char *arg = c->argv[*i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0)
        return false;
    if (arg[n] == '=') {
        *value = arg + n + 1;
        return true;
    }
    if (arg[n] != '\0' || *i + 1 >= c->argc)
        return false;
    *value = c->argv[++*i];
    return true;
}

bool cli_flag(struct cli *c, int *i, const char *name)
{
    return strcmp(c->argv[*i], name) == 0;
}

bool cli_read_stdin_line(char *dst, size_t n)
{
    if (fgets(dst, (int)n, stdin) == NULL)
        return false;
    size_t len = strlen(dst);
    while (len > 0 && (dst[len - 1] == '\n' || dst[len - 1] == '\r'))
        dst[--len] = '\0';
    return true;
}

/* Opens the store; serve claims it (one server per SQLite file) before it
 * migrates, so a second server changes nothing. */
static bool cli_open_store(struct cli *c, bool migrate, bool serve)
{
    struct err_detail d = {0};
    enum err rc = store_open(c->db_url, &c->st, &d);
    if (rc != ERR_OK) {
        cli_fail_err(rc, &d, "cannot open the database");
        return false;
    }
    if (serve && (rc = store_claim_server(c->st, &d)) != ERR_OK) {
        cli_fail(CLI_FAILURE, "serve: %s", d.message[0] ? d.message : err_code(rc));
        return false;
    }
    int applied = 0;
    if (migrate && (rc = store_migrate(c->st, &applied)) != ERR_OK) {
        cli_fail(CLI_FAILURE, "cannot migrate the database: %s", err_code(rc));
        return false;
    }
    if (!migrate) {
        int version = 0;
        rc = store_schema_version(c->st, &version);
        if (rc != ERR_OK || version == 0) {
            cli_fail(CLI_FAILURE, "the database has no schema: run `creditd init` first");
            return false;
        }
        if (version < store_schema_latest(c->st)) {
            cli_fail(CLI_FAILURE,
                     "the database schema is version %d, this creditd needs %d: run "
                     "`creditd migrate` first",
                     version, store_schema_latest(c->st));
            return false;
        }
    }
    svc_init(&c->svc, c->st, NULL);
    return true;
}

bool cli_open(struct cli *c, bool migrate)
{
    return cli_open_store(c, migrate, false);
}

bool cli_open_server(struct cli *c)
{
    return cli_open_store(c, true, true);
}

/* The default files directory: beside the SQLite file, ./data/files for
 * PostgreSQL (whose database has no directory of its own). */
static void cli_files_default(const char *db_url, char *out, size_t n)
{
    if (strncmp(db_url, "postgres", 8) == 0) {
        str_copy(out, n, "./data/files");
        return;
    }
    const char *path = strncmp(db_url, "sqlite:", 7) == 0 ? db_url + 7 : db_url;
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        str_copy(out, n, "./files");
    else if (slash == path)
        str_copy(out, n, "/files");
    else
        str_format(out, n, "%.*s/files", (int)(slash - path), path);
}

bool cli_open_replica(struct cli *c, const char *url)
{
    ASSERT(c->st != NULL);
    ASSERT(url != NULL);
    if (strcmp(store_backend_name(c->st), "postgresql") != 0) {
        cli_fail(CLI_USAGE, "--read-db needs a PostgreSQL database (--db), not SQLite");
        return false;
    }
    struct err_detail d = {0};
    enum err rc = store_open(url, &c->replica, &d);
    if (rc == ERR_OK && strcmp(store_backend_name(c->replica), "postgresql") != 0) {
        cli_fail(CLI_USAGE, "--read-db must be a PostgreSQL URL (a streaming replica)");
        return false;
    }
    if (rc != ERR_OK) {
        cli_fail_err(rc, &d, "cannot open the read replica");
        return false;
    }
    if (svc_replica_new(c->replica, &c->replica_svc) != ERR_OK) {
        cli_fail(CLI_FAILURE, "out of memory");
        return false;
    }
    svc_use_replica(&c->svc, c->replica_svc);
    return true;
}

bool cli_open_files(struct cli *c, const char *dir, bool clean_tmp)
{
    ASSERT(c->st != NULL);
    char fallback[FILE_PATH_BYTES_MAX];
    if (dir == NULL || dir[0] == '\0')
        dir = getenv("CREDITD_FILES_DIR");
    if (dir == NULL || dir[0] == '\0') {
        cli_files_default(c->db_url, fallback, sizeof(fallback));
        dir = fallback;
    }
    struct err_detail d = {0};
    enum err rc = blob_store_open(dir, clean_tmp, &c->blobs, &d);
    if (rc != ERR_OK) {
        cli_fail_err(rc, &d, "cannot open the files directory");
        return false;
    }
    svc_use_blobs(&c->svc, c->blobs);
    return true;
}

bool cli_tenant(struct cli *c, const char *tenant_arg, int64_t *tenant_id)
{
    if (tenant_arg != NULL) {
        struct tenant_row t;
        if (!id_parse(tenant_arg, "ten", tenant_id) ||
            svc_tenant_get(&c->svc, &c->arena, *tenant_id, &t) != ERR_OK) {
            cli_fail(CLI_USAGE, "no tenant '%s'", tenant_arg);
            return false;
        }
        return true;
    }
    if (svc_tenant_default(&c->svc, tenant_id) != ERR_OK) {
        cli_fail(CLI_FAILURE, "no tenant yet: run `creditd init` first");
        return false;
    }
    return true;
}

static const struct cli_command *cli_find(const char *name)
{
    for (size_t i = 0; i < sizeof(cli_commands) / sizeof(cli_commands[0]); i++)
        if (strcmp(cli_commands[i]->name, name) == 0)
            return cli_commands[i];
    return NULL;
}

int cli_main(int argc, char **argv)
{
    struct cli c = {.db_url = getenv("CREDITD_DB")};
    if (c.db_url == NULL || c.db_url[0] == '\0')
        c.db_url = CLI_DB_DEFAULT;
    int i = 1;
    /* Global options before the command. */
    for (; i < argc && argv[i][0] == '-'; i++) {
        c.argc = argc;
        c.argv = argv;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cli_usage(stdout);
            return CLI_OK;
        }
        if (!cli_option(&c, &i, "--db", &c.db_url))
            return cli_usage(stderr), cli_fail(CLI_USAGE, "unknown option '%s'", argv[i]);
    }
    if (i >= argc) {
        cli_usage(stderr);
        return CLI_USAGE;
    }
    const struct cli_command *cmd = cli_find(argv[i]);
    if (cmd == NULL)
        return cli_usage(stderr), cli_fail(CLI_USAGE, "unknown command '%s'", argv[i]);
    /* The command sees its own arguments; --db and --help work there too. */
    char **rest = calloc((size_t)argc, sizeof(*rest));
    if (rest == NULL)
        return CLI_FAILURE;
    int n = 0;
    for (int k = i + 1; k < argc; k++) {
        if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
            fputs(cmd->usage, stdout);
            free(rest);
            return CLI_OK;
        }
        if (strcmp(argv[k], "--db") == 0 && k + 1 < argc) {
            c.db_url = argv[++k];
            continue;
        }
        if (strncmp(argv[k], "--db=", 5) == 0) {
            c.db_url = argv[k] + 5;
            continue;
        }
        rest[n++] = argv[k];
    }
    c.argc = n;
    c.argv = rest;
    if (crypto_init() != ERR_OK) {
        free(rest);
        return cli_fail(CLI_FAILURE, "cannot initialise libsodium");
    }
    arena_init(&c.arena, ARENA_COMMAND_BYTES_MAX);
    int code = cmd->run(&c);
    arena_release(&c.arena);
    svc_replica_free(c.replica_svc);
    store_close(c.replica);
    store_close(c.st);
    blob_store_close(c.blobs);
    free(rest);
    return code;
}
