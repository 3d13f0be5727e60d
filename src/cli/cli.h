/*
 * cli: the creditd command line. A table of subcommands, each in its own
 * cmd_<name>.c, all of them clients of the service layer. Exit codes: 0 ok,
 * 1 failure, 2 usage. Output meant for scripts goes to stdout alone (a key,
 * a CSV); messages go to stderr.
 */
#ifndef CREDITD_CLI_H
#define CREDITD_CLI_H

#include <stdio.h>

#include "service/service.h"

enum { CLI_OK = 0, CLI_FAILURE = 1, CLI_USAGE = 2 };

/* What every command gets: its arguments after the command name, the
 * database URL, and (once cli_open ran) the store and service. */
struct cli {
    const char *db_url;
    struct store *st;
    struct svc svc;
    struct blob_store *blobs; /* once cli_open_files ran */
    struct store *replica;    /* serve --read-db, once cli_open_replica ran */
    struct svc_replica *replica_svc;
    struct arena arena;
    int argc;
    char **argv;
};

struct cli_command {
    const char *name;
    const char *summary;
    const char *usage; /* full --help text */
    int (*run)(struct cli *c);
};

/* Runs creditd with argv; returns the exit code. */
int cli_main(int argc, char **argv);

/* Opens the database of c->db_url and migrates it when migrate is set.
 * Prints the reason and returns false on failure. */
bool cli_open(struct cli *c, bool migrate);
/* cli_open for `serve`: claims the database first (one server per SQLite
 * file; a second one fails, naming the file, before migrating anything),
 * then migrates. */
bool cli_open_server(struct cli *c);
/* Opens the files directory (dir, else CREDITD_FILES_DIR, else "files" next
 * to the SQLite database or ./data/files for PostgreSQL) for c->svc, after
 * cli_open. clean_tmp: delete unfinished uploads (the server at start only).
 * Prints the reason and returns false on failure. */
bool cli_open_files(struct cli *c, const char *dir, bool clean_tmp);
/* Opens the read replica at url for the heavy reads of c->svc, after
 * cli_open (both must be PostgreSQL). Prints the reason and returns false on
 * failure. */
bool cli_open_replica(struct cli *c, const char *url);
/* Option parsing over c->argv: takes "--name VALUE" or "--name=VALUE" at
 * position *i and advances; returns false when argv[*i] is not that option. */
bool cli_option(struct cli *c, int *i, const char *name, const char **value);
/* A flag without value at position *i. */
bool cli_flag(struct cli *c, int *i, const char *name);
/* Prints "creditd: <message>" to stderr and returns code. */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints an error from the service with its detail; returns CLI_FAILURE. */
int cli_fail_err(enum err rc, const struct err_detail *d, const char *what);
/* Reads one line from stdin (a password), without its newline. */
bool cli_read_stdin_line(char *dst, size_t n);
/* The tenant of --tenant ID, or the default tenant. */
bool cli_tenant(struct cli *c, const char *tenant_arg, int64_t *tenant_id);

extern const struct cli_command cli_cmd_init, cli_cmd_migrate, cli_cmd_user, cli_cmd_tenant,
    cli_cmd_expire, cli_cmd_verify, cli_cmd_export, cli_cmd_backup, cli_cmd_demo, cli_cmd_status,
    cli_cmd_apikey, cli_cmd_serve, cli_cmd_files, cli_cmd_seal, cli_cmd_mail;

#endif
