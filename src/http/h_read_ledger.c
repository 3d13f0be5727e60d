/*
 * The ledger: GET /ledger pages newest first by keyset (cursor = id of the
 * last entry seen) and GET /ledger.csv exports the same filter oldest first
 * with the hash of each entry, in the columns of `creditd export`. Members
 * are bound to their own customer whatever they ask for. Every parameter is
 * validated, and all wrong ones come back in one 422.
 * Must not: stream yet; the CSV is built in memory up to a hard limit (413).
 */
#include <string.h>

#include "http/http_int.h"

/* The CSV is built in memory; a bigger export needs streaming (later). */
#define H_LEDGER_CSV_BYTES_MAX (64u * 1024u * 1024u)

/* Reads the filter shared by both endpoints; false with a 422 queued. */
static bool h_ledger_query(struct http_request *r, struct svc_ledger_query *q, bool paged)
{
    struct h_read_params p;
    h_read_params_begin(&p, r);
    memset(q, 0, sizeof(*q));
    q->customer_id = h_read_id(&p, "customer", "cus");
    q->credit_type = h_read_text(&p, "credit_type", CODE_BYTES_MAX);
    q->kind = h_read_text(&p, "kind", 32);
    enum journal_kind kind;
    if (q->kind != NULL && !journal_kind_parse(q->kind, &kind))
        http_field_error(&p.f, "kind", "is not a journal kind");
    q->actor = h_read_text(&p, "actor", NAME_BYTES_MAX);
    q->from_us = h_read_time(&p, "from");
    q->to_us = h_read_time(&p, "to");
    if (paged) {
        q->limit = h_read_limit(&p) + 1; /* one more tells whether a page follows */
        q->cursor_id = h_read_id(&p, "cursor", "jrn");
    }
    if (!h_read_params_done(&p))
        return false;
    if (h_read_only_customer(r) != 0)
        q->customer_id = h_read_only_customer(r);
    q->oldest_first = !paged;
    return true;
}

/* "12,15" → ["lot_12", "lot_15"]. */
static json_t *h_ledger_lot_ids(const char *ids)
{
    json_t *a = json_array();
    for (const char *p = ids ? ids : ""; *p;) {
        size_t len = strcspn(p, ",");
        char text[ID_TEXT_BYTES];
        if (str_format(text, sizeof(text), "lot_%.*s", (int)len, p))
            json_array_append_new(a, json_string(text));
        p += len + (p[len] == ',');
    }
    return a;
}

struct h_ledger_page {
    const struct svc_types *types;
    json_t *items;
    int64_t last_id[2]; /* ids of the last two rows */
};

static enum err h_ledger_row(const struct journal_row *row, void *arg)
{
    struct h_ledger_page *x = arg;
    if (row == NULL) {
        json_array_clear(x->items);
        x->last_id[0] = x->last_id[1] = 0;
        return ERR_OK;
    }
    const struct journal_entry *e = &row->entry;
    const struct credit_type_row *t = svc_type_find(x->types, row->credit_type_id);
    int scale = t ? t->scale : 0;
    json_t *o =
        json_pack("{s:o, s:o, s:o, s:s, s:s, s:o, s:o}", "id", http_id("jrn", e->id), "created_at",
                  http_time(e->created_at_us), "customer_id", http_id("cus", e->customer_id),
                  "credit_type", e->credit_type ? e->credit_type : "", "kind",
                  journal_kind_name(e->kind), "amount", http_amount(e->amount_minor, scale),
                  "balance_after", http_amount(e->balance_after_minor, scale));
    json_object_set_new(o, "order_id", http_id("ord", e->order_id));
    json_object_set_new(o, "transfer_id", http_id("trf", e->transfer_id));
    json_object_set_new(o, "lot_ids", h_ledger_lot_ids(row->lot_ids));
    json_object_set_new(o, "actor", json_string(e->actor ? e->actor : ""));
    json_object_set_new(o, "reason", json_string(e->reason ? e->reason : ""));
    json_object_set_new(o, "justification", json_string(e->justification ? e->justification : ""));
    json_array_append_new(x->items, o);
    x->last_id[0] = x->last_id[1];
    x->last_id[1] = e->id;
    return ERR_OK;
}

void h_ledger(struct http_request *r)
{
    struct svc_ledger_query q;
    if (!h_ledger_query(r, &q, true))
        return;
    struct svc_types types = {0};
    struct h_ledger_page x = {.types = &types, .items = json_array()};
    struct err_detail d = {0};
    enum err rc =
        svc_ledger_scan(r->svc, &r->arena, r->tenant_id, &q, &types, h_ledger_row, &x, &d);
    if (rc != ERR_OK) {
        json_decref(x.items);
        h_read_fail(r, rc, &d);
        return;
    }
    bool more = json_array_size(x.items) == q.limit;
    if (more)
        json_array_remove(x.items, q.limit - 1);
    http_json(r, 200, h_read_page(x.items, "jrn", x.last_id[0], more));
}

struct h_ledger_csv {
    const struct svc_types *types;
    struct buf *out;
};

/* One CSV row, as `creditd export ledger` writes it. */
static enum err h_ledger_csv_row(const struct journal_row *row, void *arg)
{
    struct h_ledger_csv *x = arg;
    if (row == NULL) {
        buf_reset(x->out);
        return buf_puts(x->out, "id,created_at,customer_id,credit_type,kind,amount,balance_after,"
                                "order_id,lot_ids,actor,reason,justification,hash\n");
    }
    const struct journal_entry *e = &row->entry;
    const struct credit_type_row *t = svc_type_find(x->types, row->credit_type_id);
    char when[40], amount[AMOUNT_TEXT_BYTES], after[AMOUNT_TEXT_BYTES], id[ID_TEXT_BYTES],
        customer[ID_TEXT_BYTES], order[ID_TEXT_BYTES] = "";
    time_format_rfc3339(e->created_at_us, when, sizeof(when));
    amount_format(e->amount_minor, t ? t->scale : 0, amount, sizeof(amount));
    amount_format(e->balance_after_minor, t ? t->scale : 0, after, sizeof(after));
    id_format(id, sizeof(id), "jrn", e->id);
    id_format(customer, sizeof(customer), "cus", e->customer_id);
    if (e->order_id != 0)
        id_format(order, sizeof(order), "ord", e->order_id);
    struct buf *b = x->out;
    enum err rc = buf_printf(b, "%s,%s,%s,", id, when, customer);
    if (rc == ERR_OK)
        rc = buf_csv_field(b, e->credit_type);
    if (rc == ERR_OK)
        rc = buf_printf(b, ",%s,%s,%s,%s,", journal_kind_name(e->kind), amount, after, order);
    const char *p = row->lot_ids ? row->lot_ids : "";
    for (bool first = true; rc == ERR_OK && *p; first = false) {
        size_t len = strcspn(p, ",");
        rc = buf_printf(b, "%slot_%.*s", first ? "" : " ", (int)len, p);
        p += len + (p[len] == ',');
    }
    const char *texts[] = {e->actor, e->reason, e->justification};
    for (size_t i = 0; rc == ERR_OK && i < 3; i++) {
        rc = buf_puts(b, ",");
        if (rc == ERR_OK)
            rc = buf_csv_field(b, texts[i] ? texts[i] : "");
    }
    if (rc == ERR_OK)
        rc = buf_printf(b, ",%s\n", row->hash_hex);
    return rc;
}

void h_ledger_csv(struct http_request *r)
{
    struct svc_ledger_query q;
    if (!h_ledger_query(r, &q, false))
        return;
    struct svc_types types = {0};
    struct buf out;
    buf_init(&out, H_LEDGER_CSV_BYTES_MAX);
    struct h_ledger_csv x = {.types = &types, .out = &out};
    struct err_detail d = {0};
    enum err rc =
        svc_ledger_scan(r->svc, &r->arena, r->tenant_id, &q, &types, h_ledger_csv_row, &x, &d);
    if (rc == ERR_TOO_LARGE)
        http_problem_msg(r, ERR_TOO_LARGE, "the export is larger than %u bytes; narrow the filter",
                         H_LEDGER_CSV_BYTES_MAX);
    else if (rc != ERR_OK)
        h_read_fail(r, rc, &d);
    else {
        http_header(r, "Content-Disposition", "attachment; filename=\"ledger.csv\"");
        http_text(r, 200, "text/csv; charset=utf-8", out.data ? out.data : "", out.len);
    }
    buf_release(&out);
}
