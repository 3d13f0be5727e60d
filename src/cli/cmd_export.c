/*
 * creditd export ledger --format csv: the journal of a tenant, oldest first,
 * one row per transaction with its running balance, streamed to stdout.
 */
#include <string.h>

#include "cli/cli.h"

struct export_ctx {
    struct svc_types types;
    struct buf line;
    enum err write_rc;
};

static int export_scale(const struct export_ctx *x, int64_t type_id)
{
    const struct credit_type_row *t = svc_type_find(&x->types, type_id);
    return t != NULL ? t->scale : 0;
}

/* Hands the line written so far to stdout. */
static enum err export_flush(struct export_ctx *x)
{
    struct buf *b = &x->line;
    if (fwrite(b->data, 1, b->len, stdout) != b->len)
        return x->write_rc = ERR_IO;
    buf_reset(b);
    return ERR_OK;
}

/* "12,15" → "lot_12 lot_15". An entry drawn from thousands of lots has a
 * longer list than one line buffer holds, so the line goes out in pieces. */
static enum err export_lot_ids(struct export_ctx *x, const char *ids)
{
    enum err rc = ERR_OK;
    const char *p = ids;
    bool first = true;
    while (rc == ERR_OK && *p) {
        if (x->line.len > LINE_BYTES_MAX / 2 && (rc = export_flush(x)) != ERR_OK)
            break;
        size_t len = strcspn(p, ",");
        rc = buf_printf(&x->line, "%slot_%.*s", first ? "" : " ", (int)len, p);
        first = false;
        p += len + (p[len] == ',');
    }
    return rc;
}

static enum err export_row(const struct journal_row *r, void *arg)
{
    struct export_ctx *x = arg;
    const struct journal_entry *e = &r->entry;
    int scale = export_scale(x, r->credit_type_id);
    char when[40], amount[AMOUNT_TEXT_BYTES], after[AMOUNT_TEXT_BYTES], id[ID_TEXT_BYTES],
        customer[ID_TEXT_BYTES], order[ID_TEXT_BYTES];
    time_format_rfc3339(e->created_at_us, when, sizeof(when));
    amount_format(e->amount_minor, scale, amount, sizeof(amount));
    amount_format(e->balance_after_minor, scale, after, sizeof(after));
    id_format(id, sizeof(id), "jrn", e->id);
    id_format(customer, sizeof(customer), "cus", e->customer_id);
    id_format(order, sizeof(order), "ord", e->order_id);
    struct buf *b = &x->line;
    buf_reset(b);
    enum err rc = buf_printf(b, "%s,%s,%s,", id, when, customer);
    if (rc == ERR_OK)
        rc = buf_csv_text(b, e->credit_type);
    if (rc == ERR_OK)
        rc = buf_printf(b, ",%s,%s,%s,%s,", journal_kind_name(e->kind), amount, after, order);
    if (rc == ERR_OK)
        rc = export_lot_ids(x, r->lot_ids);
    const char *texts[] = {e->actor, e->reason, e->justification};
    for (size_t i = 0; rc == ERR_OK && i < 3; i++) {
        rc = buf_puts(b, ",");
        if (rc == ERR_OK)
            rc = buf_csv_text(b, texts[i]);
    }
    if (rc == ERR_OK)
        rc = buf_printf(b, ",%s\n", r->hash_hex);
    return rc == ERR_OK ? export_flush(x) : rc;
}

static int cmd_export_run(struct cli *c)
{
    const char *format = "csv", *tenant = NULL;
    if (c->argc < 1 || strcmp(c->argv[0], "ledger") != 0)
        return cli_fail(CLI_USAGE, "export: expected `export ledger --format csv`");
    for (int i = 1; i < c->argc; i++) {
        if (cli_option(c, &i, "--format", &format) || cli_option(c, &i, "--tenant", &tenant))
            continue;
        return cli_fail(CLI_USAGE, "export ledger: unknown argument '%s'", c->argv[i]);
    }
    if (strcmp(format, "csv") != 0)
        return cli_fail(CLI_USAGE, "export ledger: the only format is csv");
    int64_t tenant_id;
    if (!cli_open(c, false) || !cli_tenant(c, tenant, &tenant_id))
        return CLI_FAILURE;
    struct export_ctx x = {0};
    buf_init(&x.line, LINE_BYTES_MAX);
    printf("id,created_at,customer_id,credit_type,kind,amount,balance_after,order_id,lot_ids,"
           "actor,reason,justification,hash\n");
    /* One read snapshot: the export is consistent even while others write. */
    enum err rc = svc_journal_export(&c->svc, &c->arena, tenant_id, &x.types, export_row, &x);
    buf_release(&x.line);
    if (fflush(stdout) != 0 || x.write_rc != ERR_OK)
        return cli_fail(CLI_FAILURE, "export ledger: cannot write the output");
    if (rc != ERR_OK)
        return cli_fail(CLI_FAILURE, "export ledger: %s", err_code(rc));
    return CLI_OK;
}

const struct cli_command cli_cmd_export = {
    .name = "export",
    .summary = "export the ledger as CSV",
    .usage = "usage: creditd export ledger --format csv [--tenant ID] [--db URL]\n\n"
             "Writes the tenant's journal to stdout, oldest first, one row per transaction:\n"
             "id,created_at,customer_id,credit_type,kind,amount,balance_after,order_id,\n"
             "lot_ids,actor,reason,justification,hash. amount is the change of the\n"
             "customer's balance and balance_after the running balance of that customer\n"
             "and credit type, so each row can be recomputed from the ones before it.\n",
    .run = cmd_export_run,
};
