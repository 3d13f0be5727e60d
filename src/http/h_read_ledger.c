/*
 * The ledger: GET /ledger pages newest first by keyset (cursor = id of the
 * last entry seen) and GET /ledger.csv exports the same filter oldest first
 * with the hash of each entry, in the columns of `creditd export`. Members
 * are bound to their own customer whatever they ask for. Every parameter is
 * validated, and all wrong ones come back in one 422.
 * The CSV is streamed: libmicrohttpd asks for the next block and gets the
 * next chunk of rows, read by keyset, oldest first, up to the newest entry
 * that matched when the download began.
 */
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

/* Rows read per chunk of the streamed CSV: one short read transaction each. */
#define H_LEDGER_CSV_CHUNK_ROWS 500

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

/* The state of one streamed export, owned by the response. */
struct h_ledger_csv {
    struct svc *svc;
    int64_t tenant_id;
    struct svc_ledger_query q;
    struct arena arena; /* the query's strings and the types */
    struct svc_types types;
    struct buf out;     /* text not yet handed to the connection */
    size_t sent;        /* bytes of out already handed over */
    size_t chunk_start; /* out's length when the chunk being read began */
    int64_t last_id;
    size_t rows;
    bool header_done;
    bool done;
};

static enum err h_ledger_csv_row(const struct journal_row *row, void *arg);

/* Reads the next chunk of rows into out; done when a chunk comes back short. */
static enum err h_ledger_csv_fill(struct h_ledger_csv *x)
{
    struct svc_ledger_query q = x->q;
    q.cursor_id = x->last_id;
    q.limit = H_LEDGER_CSV_CHUNK_ROWS;
    size_t before = x->rows;
    x->chunk_start = x->out.len;
    struct arena scratch;
    arena_init(&scratch, ARENA_REQUEST_BYTES_MAX);
    struct svc_types types;
    struct err_detail d = {0};
    enum err rc =
        svc_ledger_scan(x->svc, &scratch, x->tenant_id, &q, &types, h_ledger_csv_row, x, &d);
    arena_release(&scratch);
    if (rc != ERR_OK)
        return rc;
    if (x->rows - before < H_LEDGER_CSV_CHUNK_ROWS)
        x->done = true;
    return ERR_OK;
}

static ssize_t h_ledger_csv_read(void *cls, uint64_t pos, char *dst, size_t max)
{
    (void)pos;
    struct h_ledger_csv *x = cls;
    while (x->sent == x->out.len && !x->done) {
        buf_reset(&x->out);
        x->sent = 0;
        if (h_ledger_csv_fill(x) != ERR_OK) {
            log_msg(LOG_ERROR, "ledger export stopped: the database failed mid-stream");
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
    }
    if (x->sent == x->out.len)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = x->out.len - x->sent;
    if (n > max)
        n = max;
    memcpy(dst, x->out.data + x->sent, n);
    x->sent += n;
    return (ssize_t)n;
}

static void h_ledger_csv_free(void *cls)
{
    struct h_ledger_csv *x = cls;
    buf_release(&x->out);
    arena_release(&x->arena);
    free(x);
}

/* One CSV row, as `creditd export ledger` writes it. */
static enum err h_ledger_csv_row(const struct journal_row *row, void *arg)
{
    struct h_ledger_csv *x = arg;
    if (row == NULL) {
        /* A (re)started read: drop what this chunk wrote so far. */
        x->out.len = x->chunk_start;
        return ERR_OK;
    }
    const struct journal_entry *e = &row->entry;
    const struct credit_type_row *t = svc_type_find(&x->types, row->credit_type_id);
    x->last_id = e->id;
    x->rows++;
    char when[40], amount[AMOUNT_TEXT_BYTES], after[AMOUNT_TEXT_BYTES], id[ID_TEXT_BYTES],
        customer[ID_TEXT_BYTES], order[ID_TEXT_BYTES] = "";
    time_format_rfc3339(e->created_at_us, when, sizeof(when));
    amount_format(e->amount_minor, t ? t->scale : 0, amount, sizeof(amount));
    amount_format(e->balance_after_minor, t ? t->scale : 0, after, sizeof(after));
    id_format(id, sizeof(id), "jrn", e->id);
    id_format(customer, sizeof(customer), "cus", e->customer_id);
    if (e->order_id != 0)
        id_format(order, sizeof(order), "ord", e->order_id);
    struct buf *b = &x->out;
    enum err rc = buf_printf(b, "%s,%s,%s,", id, when, customer);
    if (rc == ERR_OK)
        rc = buf_csv_text(b, e->credit_type);
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
            rc = buf_csv_text(b, texts[i] ? texts[i] : "");
    }
    if (rc == ERR_OK)
        rc = buf_printf(b, ",%s\n", row->hash_hex);
    return rc;
}

/* The newest entry matching q now: the export stops there. */
static enum err h_ledger_csv_last(const struct journal_row *row, void *arg)
{
    if (row != NULL)
        *(int64_t *)arg = row->entry.id;
    return ERR_OK;
}

void h_ledger_csv(struct http_request *r)
{
    struct h_ledger_csv *x = calloc(1, sizeof(*x));
    if (x == NULL) {
        http_problem_msg(r, ERR_INTERNAL, "out of memory");
        return;
    }
    arena_init(&x->arena, ARENA_REQUEST_BYTES_MAX);
    buf_init(&x->out, LINE_BYTES_MAX * (H_LEDGER_CSV_CHUNK_ROWS + 2));
    x->svc = r->svc;
    x->tenant_id = r->tenant_id;
    struct svc_ledger_query newest;
    struct err_detail d = {0};
    enum err rc = ERR_VALIDATION;
    if (h_ledger_query(r, &newest, false)) {
        newest.oldest_first = false;
        newest.heavy = true; /* the export's rows come from the read replica, if any */
        newest.limit = 1;
        newest.cursor_id = 0;
        int64_t until = 0;
        rc = svc_ledger_scan(r->svc, &r->arena, r->tenant_id, &newest, &x->types, h_ledger_csv_last,
                             &until, &d);
        x->q = newest;
        x->q.oldest_first = true;
        x->q.until_id = until;
        x->done = until == 0;
        if (rc != ERR_OK)
            h_read_fail(r, rc, &d);
    }
    /* The query's strings and the types move into the export's own arena. */
    x->q.credit_type = arena_strdup(&x->arena, x->q.credit_type);
    x->q.kind = arena_strdup(&x->arena, x->q.kind);
    x->q.actor = arena_strdup(&x->arena, x->q.actor);
    struct credit_type_row *types = arena_alloc(&x->arena, (x->types.n + 1) * sizeof(*types));
    for (size_t i = 0; rc == ERR_OK && types != NULL && i < x->types.n; i++) {
        types[i] = x->types.items[i];
        types[i].code = arena_strdup(&x->arena, types[i].code);
        types[i].name = arena_strdup(&x->arena, types[i].name);
    }
    x->types.items = types;
    if (rc == ERR_OK)
        rc = buf_puts(&x->out, "id,created_at,customer_id,credit_type,kind,amount,balance_after,"
                               "order_id,lot_ids,actor,reason,justification,hash\n");
    if (rc != ERR_OK) {
        if (!r->responded)
            http_problem_msg(r, rc, "cannot start the export");
        h_ledger_csv_free(x);
        return;
    }
    struct MHD_Response *resp = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, 64 * 1024, h_ledger_csv_read, x, h_ledger_csv_free);
    if (resp == NULL) {
        h_ledger_csv_free(x);
        http_problem_msg(r, ERR_INTERNAL, "cannot start the export");
        return;
    }
    http_header(r, "Content-Disposition", "attachment; filename=\"ledger.csv\"");
    http_respond_stream(r, 200, "text/csv; charset=utf-8", resp);
}
