/*
 * The reads behind the HTTP API: catalogue, customers with balances and
 * members, lots with their history, orders with lines and allocations, the
 * ledger, summaries and dashboards. Each public function runs one read
 * transaction (one consistent snapshot) and fills plain structs in the
 * caller's arena. Authorization stays with the caller, except that a lookup
 * by id may be bound to one customer (only_customer_id): an object of another
 * customer is then ERR_NOT_FOUND, exactly like one that does not exist.
 *
 * Must not: write, or decide anything a ledger rule decides (balances come
 * from the core's lot predicates, as in svc_balances).
 */
#include <string.h>

#include "service/service_int.h"

const struct credit_type_row *svc_type_find(const struct svc_types *types, int64_t id)
{
    for (size_t i = 0; i < types->n; i++)
        if (types->items[i].id == id)
            return &types->items[i];
    return NULL;
}

static enum err svc_read_types(struct store_conn *c, struct arena *a, int64_t tenant_id,
                               struct svc_types *out)
{
    return store_credit_type_list(c, a, tenant_id, &out->items, &out->n);
}

/* The customer's balance in one credit type, computed from its live lots. */
static enum err svc_read_balance(struct store_conn *c, struct arena *a, int64_t customer_id,
                                 const struct credit_type_row *type, int64_t now_us,
                                 struct svc_balance *b)
{
    *b = (struct svc_balance){.credit_type_id = type->id,
                              .credit_type = type->code,
                              .scale = type->scale,
                              .spendable = type->spendable};
    struct account_row acc = {0};
    enum err rc = store_account_get(c, type->tenant_id, customer_id, type->id, &acc);
    if (rc == ERR_NOT_FOUND)
        return ERR_OK; /* never held credits of this type */
    if (rc != ERR_OK)
        return rc;
    struct lot_row *lots;
    size_t n_lots;
    rc = store_lot_list_live(c, a, type->tenant_id, customer_id, type->id, false, &lots, &n_lots);
    if (rc != ERR_OK)
        return rc;
    b->held_minor = acc.held_minor;
    b->balance_minor = acc.held_minor;
    for (size_t i = 0; i < n_lots; i++) {
        const struct lot *l = &lots[i].lot;
        if (lot_is_in_balance(l, now_us))
            b->balance_minor += l->remaining_minor;
        if (lot_is_usable(l, now_us))
            b->available_minor += l->remaining_minor;
    }
    return ERR_OK;
}

static enum err svc_read_balances(struct store_conn *c, struct arena *a, int64_t customer_id,
                                  const struct svc_types *types, int64_t now_us,
                                  struct svc_balance **out, size_t *n)
{
    *n = 0;
    *out = arena_alloc(a, (types->n + 1) * sizeof(**out));
    if (*out == NULL)
        return ERR_TOO_LARGE;
    for (size_t t = 0; t < types->n; t++) {
        enum err rc = svc_read_balance(c, a, customer_id, &types->items[t], now_us, &(*out)[t]);
        if (rc != ERR_OK)
            return rc;
    }
    *n = types->n;
    return ERR_OK;
}

/* ---- catalogue --------------------------------------------------------- */

struct catalog_ctx {
    struct arena *a;
    int64_t tenant_id;
    bool published_only;
    struct svc_catalog *out;
};

static enum err svc_catalog_txn(struct store_conn *c, void *arg)
{
    struct catalog_ctx *x = arg;
    struct svc_catalog *o = x->out;
    memset(o, 0, sizeof(*o));
    enum err rc = svc_read_types(c, x->a, x->tenant_id, &o->types);
    if (rc == ERR_OK)
        rc = store_package_list(c, x->a, x->tenant_id, x->published_only, &o->packages,
                                &o->n_packages);
    if (rc == ERR_OK)
        rc = store_service_list(c, x->a, x->tenant_id, &o->services, &o->n_services);
    return rc;
}

enum err svc_catalog_read(struct svc *s, struct arena *a, int64_t tenant_id, bool published_only,
                          struct svc_catalog *out)
{
    struct catalog_ctx x = {
        .a = a, .tenant_id = tenant_id, .published_only = published_only, .out = out};
    return store_read(s->st, svc_catalog_txn, &x);
}

/* ---- customers --------------------------------------------------------- */

struct customer_ctx {
    struct arena *a;
    int64_t tenant_id, customer_id, now_us;
    const char *q;
    const char *status;
    int64_t after_id;
    size_t limit;
    struct svc_types types;
    struct svc_customer_page *page;
    struct svc_customer_view *one;
};

static enum err svc_customer_list_txn(struct store_conn *c, void *arg)
{
    struct customer_ctx *x = arg;
    struct svc_customer_page *p = x->page;
    memset(p, 0, sizeof(*p));
    enum err rc = svc_read_types(c, x->a, x->tenant_id, &x->types);
    struct customer_row *rows = NULL;
    size_t n = 0;
    if (rc == ERR_OK)
        rc = store_customer_list(c, x->a, x->tenant_id, x->q, x->status, x->after_id, x->limit + 1,
                                 &rows, &n);
    if (rc != ERR_OK)
        return rc;
    p->more = n > x->limit;
    p->n = p->more ? x->limit : n;
    p->items = arena_alloc(x->a, (p->n + 1) * sizeof(*p->items));
    if (p->items == NULL)
        return ERR_TOO_LARGE;
    for (size_t i = 0; rc == ERR_OK && i < p->n; i++) {
        p->items[i].row = rows[i];
        rc = svc_read_balances(c, x->a, rows[i].id, &x->types, x->now_us, &p->items[i].balances,
                               &p->items[i].n_balances);
    }
    return rc;
}

enum err svc_customer_list_read(struct svc *s, struct arena *a, int64_t tenant_id, const char *q,
                                const char *status, int64_t after_id, size_t limit,
                                struct svc_customer_page *out)
{
    ASSERT(limit > 0);
    struct customer_ctx x = {.a = a,
                             .tenant_id = tenant_id,
                             .now_us = svc_now(s),
                             .q = q ? q : "",
                             .status = status ? status : "",
                             .after_id = after_id,
                             .limit = limit,
                             .page = out};
    return store_read(s->st, svc_customer_list_txn, &x);
}

static enum err svc_customer_one_txn(struct store_conn *c, void *arg)
{
    struct customer_ctx *x = arg;
    struct svc_customer_view *o = x->one;
    memset(o, 0, sizeof(*o));
    enum err rc = store_customer_get(c, x->a, x->tenant_id, x->customer_id, &o->row);
    if (rc == ERR_OK)
        rc = svc_read_types(c, x->a, x->tenant_id, &x->types);
    if (rc == ERR_OK)
        rc = svc_read_balances(c, x->a, x->customer_id, &x->types, x->now_us, &o->balances,
                               &o->n_balances);
    if (rc == ERR_OK)
        rc = store_member_list(c, x->a, x->tenant_id, x->customer_id, &o->members, &o->n_members);
    size_t n = o->n_members * o->n_balances;
    if (rc == ERR_OK &&
        (o->member_limits_minor = arena_alloc(x->a, (n + 1) * sizeof(int64_t))) == NULL)
        rc = ERR_TOO_LARGE;
    for (size_t i = 0; rc == ERR_OK && i < o->n_members; i++)
        for (size_t k = 0; rc == ERR_OK && k < o->n_balances; k++)
            rc = store_member_limit_get(c, x->tenant_id, x->customer_id, o->members[i].user_id,
                                        o->balances[k].credit_type_id,
                                        &o->member_limits_minor[i * o->n_balances + k]);
    return rc;
}

enum err svc_customer_read(struct svc *s, struct arena *a, int64_t tenant_id, int64_t customer_id,
                           struct svc_customer_view *out)
{
    struct customer_ctx x = {.a = a,
                             .tenant_id = tenant_id,
                             .customer_id = customer_id,
                             .now_us = svc_now(s),
                             .one = out};
    return store_read(s->st, svc_customer_one_txn, &x);
}

struct member_month_ctx {
    struct arena *a;
    int64_t tenant_id, customer_id, user_id, now_us;
    struct svc_member_month *out;
    size_t n;
};

static enum err svc_member_month_txn(struct store_conn *c, void *arg)
{
    struct member_month_ctx *x = arg;
    struct svc_types types = {0};
    struct svc_tenant t;
    x->n = 0;
    enum err rc = svc_tenant_load(c, x->a, x->tenant_id, &t);
    if (rc == ERR_OK)
        rc = svc_read_types(c, x->a, x->tenant_id, &types);
    if (rc == ERR_OK && (x->out = arena_alloc(x->a, (types.n + 1) * sizeof(*x->out))) == NULL)
        rc = ERR_TOO_LARGE;
    int64_t since = rc == ERR_OK ? tz_month_start_us(&t.tz, x->now_us) : 0;
    for (size_t k = 0; rc == ERR_OK && k < types.n; k++) {
        int64_t limit = -1, spent = 0;
        rc = store_member_limit_get(c, x->tenant_id, x->customer_id, x->user_id, types.items[k].id,
                                    &limit);
        if (rc != ERR_OK || limit < 0)
            continue;
        rc = store_member_spent_since(c, x->tenant_id, x->customer_id, x->user_id,
                                      types.items[k].id, since, &spent);
        x->out[x->n++] = (struct svc_member_month){.credit_type = types.items[k].code,
                                                   .scale = types.items[k].scale,
                                                   .limit_minor = limit,
                                                   .spent_minor = spent};
    }
    ASSERT(rc != ERR_OK || x->n <= types.n);
    return rc;
}

enum err svc_member_month_read(struct svc *s, struct arena *a, int64_t tenant_id,
                               int64_t customer_id, int64_t user_id, struct svc_member_month **out,
                               size_t *n)
{
    ASSERT(customer_id > 0);
    struct member_month_ctx x = {.a = a,
                                 .tenant_id = tenant_id,
                                 .customer_id = customer_id,
                                 .user_id = user_id,
                                 .now_us = svc_now(s)};
    enum err rc = store_read(s->st, svc_member_month_txn, &x);
    *out = x.out;
    *n = rc == ERR_OK ? x.n : 0;
    return rc;
}

/* ---- lots -------------------------------------------------------------- */

struct lots_ctx {
    struct arena *a;
    int64_t tenant_id, customer_id, lot_id, only_customer_id;
    bool with_history;
    struct svc_lots *out;
};

static enum err svc_lots_txn(struct store_conn *c, void *arg)
{
    struct lots_ctx *x = arg;
    struct svc_lots *o = x->out;
    memset(o, 0, sizeof(*o));
    enum err rc = svc_customer_check(c, x->a, x->tenant_id, x->customer_id);
    if (rc == ERR_OK)
        rc = svc_read_types(c, x->a, x->tenant_id, &o->types);
    if (rc == ERR_OK)
        rc = store_lot_list_customer(c, x->a, x->tenant_id, x->customer_id, &o->items, &o->n);
    return rc;
}

enum err svc_lots_read(struct svc *s, struct arena *a, int64_t tenant_id, int64_t customer_id,
                       struct svc_lots *out)
{
    struct lots_ctx x = {.a = a, .tenant_id = tenant_id, .customer_id = customer_id, .out = out};
    return store_read(s->st, svc_lots_txn, &x);
}

static enum err svc_lot_one_txn(struct store_conn *c, void *arg)
{
    struct lots_ctx *x = arg;
    struct svc_lots *o = x->out;
    memset(o, 0, sizeof(*o));
    o->items = arena_alloc(x->a, sizeof(*o->items));
    if (o->items == NULL)
        return ERR_TOO_LARGE;
    enum err rc = store_lot_get(c, x->a, x->tenant_id, x->lot_id, false, o->items);
    if (rc != ERR_OK)
        return rc;
    if (x->only_customer_id != 0 && o->items->lot.customer_id != x->only_customer_id)
        return ERR_NOT_FOUND;
    o->n = 1;
    rc = svc_read_types(c, x->a, x->tenant_id, &o->types);
    if (rc == ERR_OK && x->with_history)
        rc = store_lot_history(c, x->a, x->tenant_id, x->lot_id, &o->history, &o->n_history);
    return rc;
}

enum err svc_lot_read(struct svc *s, struct arena *a, int64_t tenant_id, int64_t lot_id,
                      int64_t only_customer_id, bool with_history, struct svc_lots *out)
{
    struct lots_ctx x = {.a = a,
                         .tenant_id = tenant_id,
                         .lot_id = lot_id,
                         .only_customer_id = only_customer_id,
                         .with_history = with_history,
                         .out = out};
    return store_read(s->st, svc_lot_one_txn, &x);
}

/* ---- orders ------------------------------------------------------------ */

struct orders_ctx {
    struct arena *a;
    int64_t tenant_id, order_id, only_customer_id;
    const struct order_filter *filter;
    struct svc_orders *out;
};

static enum err svc_orders_txn(struct store_conn *c, void *arg)
{
    struct orders_ctx *x = arg;
    struct svc_orders *o = x->out;
    memset(o, 0, sizeof(*o));
    struct order_row *rows = NULL;
    size_t n = 0;
    /* One more than asked tells whether another page exists. */
    struct order_filter f = *x->filter;
    f.limit++;
    enum err rc = svc_read_types(c, x->a, x->tenant_id, &o->types);
    if (rc == ERR_OK)
        rc = store_order_list(c, x->a, x->tenant_id, &f, &rows, &n);
    if (rc != ERR_OK)
        return rc;
    o->more = n > x->filter->limit;
    o->n = o->more ? x->filter->limit : n;
    o->items = arena_alloc(x->a, (o->n + 1) * sizeof(*o->items));
    if (o->items == NULL)
        return ERR_TOO_LARGE;
    for (size_t i = 0; i < o->n; i++)
        o->items[i].row = rows[i];
    return ERR_OK;
}

enum err svc_orders_read(struct svc *s, struct arena *a, int64_t tenant_id,
                         const struct order_filter *f, struct svc_orders *out)
{
    ASSERT(f->limit > 0);
    ASSERT(f->n_statuses <= ORDER_STATUSES_MAX);
    struct orders_ctx x = {.a = a, .tenant_id = tenant_id, .filter = f, .out = out};
    return store_read(s->st, svc_orders_txn, &x);
}

static enum err svc_order_one_txn(struct store_conn *c, void *arg)
{
    struct orders_ctx *x = arg;
    struct svc_orders *o = x->out;
    memset(o, 0, sizeof(*o));
    struct svc_order_view *v = arena_alloc(x->a, sizeof(*v));
    if (v == NULL)
        return ERR_TOO_LARGE;
    enum err rc = store_order_get(c, x->a, x->tenant_id, x->order_id, false, &v->row);
    if (rc != ERR_OK)
        return rc;
    if (x->only_customer_id != 0 && v->row.customer_id != x->only_customer_id)
        return ERR_NOT_FOUND;
    o->items = v;
    o->n = 1;
    rc = svc_read_types(c, x->a, x->tenant_id, &o->types);
    if (rc == ERR_OK)
        rc = store_order_lines(c, x->a, x->tenant_id, x->order_id, &v->lines, &v->n_lines);
    if (rc == ERR_OK)
        rc = store_allocations(c, x->a, x->tenant_id, x->order_id, &v->allocations,
                               &v->n_allocations);
    if (rc == ERR_OK)
        rc = store_order_events(c, x->a, x->tenant_id, x->order_id, &v->events, &v->n_events);
    if (rc == ERR_OK)
        rc = store_file_list_order(c, x->a, x->tenant_id, x->order_id, &v->files, &v->n_files);
    return rc;
}

enum err svc_order_read(struct svc *s, struct arena *a, int64_t tenant_id, int64_t order_id,
                        int64_t only_customer_id, struct svc_orders *out)
{
    struct orders_ctx x = {.a = a,
                           .tenant_id = tenant_id,
                           .order_id = order_id,
                           .only_customer_id = only_customer_id,
                           .out = out};
    return store_read(s->st, svc_order_one_txn, &x);
}

/* ---- ledger ------------------------------------------------------------ */

struct ledger_ctx {
    struct arena *a;
    int64_t tenant_id;
    const struct svc_ledger_query *q;
    struct svc_types *types;
    struct err_detail *d;
    store_journal_cb cb;
    void *cb_ctx;
};

static enum err svc_ledger_txn(struct store_conn *c, void *arg)
{
    struct ledger_ctx *x = arg;
    const struct svc_ledger_query *q = x->q;
    struct journal_filter f = {.tenant_id = x->tenant_id,
                               .customer_id = q->customer_id,
                               .kind = q->kind,
                               .actor = q->actor,
                               .from_us = q->from_us,
                               .to_us = q->to_us,
                               .before_id = q->oldest_first ? (q->until_id ? q->until_id + 1 : 0)
                                                            : q->cursor_id,
                               .after_id = q->oldest_first ? q->cursor_id : 0,
                               .oldest_first = q->oldest_first,
                               .limit = q->limit};
    enum err rc = svc_read_types(c, x->a, x->tenant_id, x->types);
    if (rc == ERR_OK && q->credit_type != NULL) {
        struct credit_type_row type = {0};
        rc = svc_type_by_code(c, x->a, x->tenant_id, q->credit_type, &type, x->d);
        f.credit_type_id = type.id;
    }
    /* A restart (a retried transaction) is announced so the caller starts over. */
    if (rc == ERR_OK)
        rc = x->cb(NULL, x->cb_ctx);
    if (rc == ERR_OK)
        rc = store_journal_scan(c, x->a, &f, x->cb, x->cb_ctx);
    return rc;
}

enum err svc_ledger_scan(struct svc *s, struct arena *a, int64_t tenant_id,
                         const struct svc_ledger_query *q, struct svc_types *types,
                         store_journal_cb cb, void *ctx, struct err_detail *d)
{
    ASSERT(cb != NULL);
    if (q->from_us != 0 && q->to_us != 0 && q->to_us <= q->from_us)
        return err_set(d, ERR_VALIDATION, "to", "must be later than 'from'");
    struct ledger_ctx x = {
        .a = a, .tenant_id = tenant_id, .q = q, .types = types, .d = d, .cb = cb, .cb_ctx = ctx};
    return q->heavy ? svc_read_heavy(s, svc_ledger_txn, &x) : store_read(s->st, svc_ledger_txn, &x);
}

/* ---- summaries --------------------------------------------------------- */

struct summary_ctx {
    struct arena *a;
    int64_t tenant_id, customer_id, from_us, to_us, now_us;
    struct svc_summary *out;
};

static enum err svc_summary_txn(struct store_conn *c, void *arg)
{
    struct summary_ctx *x = arg;
    struct svc_summary *o = x->out;
    memset(o, 0, sizeof(*o));
    enum err rc = svc_customer_check(c, x->a, x->tenant_id, x->customer_id);
    if (rc == ERR_OK)
        rc = svc_read_types(c, x->a, x->tenant_id, &o->types);
    if (rc == ERR_OK)
        rc = svc_read_balances(c, x->a, x->customer_id, &o->types, x->now_us, &o->balances, &o->n);
    if (rc != ERR_OK)
        return rc;
    o->purchased_minor = arena_alloc(x->a, (o->n + 1) * sizeof(int64_t));
    o->used_minor = arena_alloc(x->a, (o->n + 1) * sizeof(int64_t));
    if (o->purchased_minor == NULL || o->used_minor == NULL)
        return ERR_TOO_LARGE;
    for (size_t t = 0; rc == ERR_OK && t < o->n; t++)
        rc = store_journal_sums(c, x->tenant_id, x->customer_id, o->types.items[t].id, x->from_us,
                                x->to_us, &o->purchased_minor[t], &o->used_minor[t]);
    return rc;
}

enum err svc_customer_summary_read(struct svc *s, struct arena *a, int64_t tenant_id,
                                   int64_t customer_id, int64_t from_us, int64_t to_us,
                                   struct svc_summary *out, struct err_detail *d)
{
    if (to_us != 0 && to_us <= from_us)
        return err_set(d, ERR_VALIDATION, "to", "must be later than 'from'");
    struct summary_ctx x = {.a = a,
                            .tenant_id = tenant_id,
                            .customer_id = customer_id,
                            .from_us = from_us,
                            .to_us = to_us ? to_us : INT64_MAX,
                            .now_us = svc_now(s),
                            .out = out};
    return svc_read_heavy(s, svc_summary_txn, &x);
}

/* ---- dashboards -------------------------------------------------------- */

struct dash_ctx {
    struct arena *a;
    int64_t tenant_id, customer_id, now_us;
    struct svc_tenant t;
    int64_t first_day; /* days since the epoch of the series' first local day */
    struct svc_dashboard *out;
};

static int64_t svc_dash_local_day(const struct tz *tz, int64_t t_us)
{
    struct local_time lt;
    tz_local_time(tz, t_us, &lt);
    return time_days_from_civil(lt.year, lt.month, lt.day);
}

/* Loads the tenant and types, and lays out one insight per type. */
static enum err svc_dash_begin(struct store_conn *c, struct dash_ctx *x)
{
    struct svc_dashboard *o = x->out;
    memset(o, 0, sizeof(*o));
    enum err rc = svc_tenant_load(c, x->a, x->tenant_id, &x->t);
    if (rc == ERR_OK)
        rc = svc_read_types(c, x->a, x->tenant_id, &o->types);
    if (rc != ERR_OK)
        return rc;
    o->n = o->types.n;
    o->per_type = arena_alloc(x->a, (o->n + 1) * sizeof(*o->per_type));
    if (o->per_type == NULL)
        return ERR_TOO_LARGE;
    x->first_day = svc_dash_local_day(&x->t.tz, x->now_us) - (SVC_DASHBOARD_DAYS - 1);
    int64_t y;
    unsigned m, d;
    time_civil_from_days(x->first_day, &y, &m, &d);
    o->first_day_us = tz_midnight_us(&x->t.tz, y, m, d);
    o->month_start_us = tz_month_start_us(&x->t.tz, x->now_us);
    for (size_t i = 0; i < o->n; i++)
        o->per_type[i].type = &o->types.items[i];
    return ERR_OK;
}

/* Money value of credits: minor units of the type × money per whole credit. */
static int64_t svc_dash_value(const struct credit_type_row *t, int64_t minor)
{
    int64_t div = 1;
    for (int i = 0; i < t->scale; i++)
        div *= 10;
    __int128 v = (__int128)minor * t->unit_value_minor / div;
    return v > AMOUNT_MAX_MINOR ? AMOUNT_MAX_MINOR : (int64_t)v;
}

static struct svc_type_insight *svc_dash_type(struct svc_dashboard *o, int64_t type_id)
{
    for (size_t i = 0; i < o->n; i++)
        if (o->per_type[i].type->id == type_id)
            return &o->per_type[i];
    return NULL;
}

/* Spend per local day: orders count, refunds give back. */
static enum err svc_dash_spend_row(const struct journal_row *r, void *arg)
{
    struct dash_ctx *x = arg;
    struct svc_type_insight *ti = svc_dash_type(x->out, r->credit_type_id);
    int64_t day = svc_dash_local_day(&x->t.tz, r->entry.created_at_us) - x->first_day;
    if (ti == NULL || day < 0 || day >= SVC_DASHBOARD_DAYS)
        return ERR_OK;
    enum journal_kind k = r->entry.kind;
    if (k == JOURNAL_ORDER || k == JOURNAL_REFUND || k == JOURNAL_CAPTURE)
        ti->daily_minor[day] -= r->entry.amount_minor;
    return ERR_OK;
}

static enum err svc_dash_member_type(struct store_conn *c, struct dash_ctx *x,
                                     struct svc_type_insight *ti)
{
    enum err rc = svc_read_balance(c, x->a, x->customer_id, ti->type, x->now_us, &ti->balance);
    if (rc == ERR_OK)
        rc = store_journal_sums(c, x->tenant_id, x->customer_id, ti->type->id,
                                x->out->month_start_us, INT64_MAX, &ti->in_month_minor,
                                &ti->out_month_minor);
    if (rc == ERR_OK)
        rc = store_journal_sums(c, x->tenant_id, x->customer_id, ti->type->id, 0, INT64_MAX,
                                &ti->purchased_minor, &ti->used_minor);
    ti->value_minor = svc_dash_value(ti->type, ti->balance.balance_minor);
    struct lot_row *lots = NULL;
    size_t n = 0;
    if (rc == ERR_OK)
        rc = store_lot_list_live(c, x->a, x->tenant_id, x->customer_id, ti->type->id, false, &lots,
                                 &n);
    if (rc != ERR_OK)
        return rc;
    ti->expiring = arena_alloc(x->a, (n + 1) * sizeof(*ti->expiring));
    if (ti->expiring == NULL)
        return ERR_TOO_LARGE;
    int64_t horizon = x->now_us + SVC_EXPIRING_SOON_DAYS * USEC_PER_DAY;
    for (size_t i = 0; i < n; i++) {
        const struct lot *l = &lots[i].lot;
        if (l->status == LOT_ACTIVE && l->remaining_minor > 0 && l->expires_at_us > x->now_us &&
            l->expires_at_us <= horizon)
            ti->expiring[ti->n_expiring++] = lots[i];
    }
    return ERR_OK;
}

static enum err svc_member_dashboard_txn(struct store_conn *c, void *arg)
{
    struct dash_ctx *x = arg;
    enum err rc = svc_customer_check(c, x->a, x->tenant_id, x->customer_id);
    if (rc == ERR_OK)
        rc = svc_dash_begin(c, x);
    for (size_t i = 0; rc == ERR_OK && i < x->out->n; i++)
        rc = svc_dash_member_type(c, x, &x->out->per_type[i]);
    struct journal_filter f = {.tenant_id = x->tenant_id,
                               .customer_id = x->customer_id,
                               .from_us = x->out->first_day_us,
                               .oldest_first = true};
    if (rc == ERR_OK)
        rc = store_journal_scan(c, x->a, &f, svc_dash_spend_row, x);
    return rc;
}

enum err svc_member_dashboard_read(struct svc *s, struct arena *a, int64_t tenant_id,
                                   int64_t customer_id, struct svc_dashboard *out)
{
    struct dash_ctx x = {.a = a,
                         .tenant_id = tenant_id,
                         .customer_id = customer_id,
                         .now_us = svc_now(s),
                         .out = out};
    return svc_read_heavy(s, svc_member_dashboard_txn, &x);
}

/* Credits sold per local day: purchases and grants. */
static enum err svc_dash_sold_row(const struct journal_row *r, void *arg)
{
    struct dash_ctx *x = arg;
    struct svc_type_insight *ti = svc_dash_type(x->out, r->credit_type_id);
    int64_t day = svc_dash_local_day(&x->t.tz, r->entry.created_at_us) - x->first_day;
    if (ti != NULL && day >= 0 && day < SVC_DASHBOARD_DAYS)
        ti->daily_minor[day] += r->entry.amount_minor;
    return ERR_OK;
}

/* Copies a row's strings out of the scan's scratch memory. */
static enum err svc_dash_recent_row(const struct journal_row *r, void *arg)
{
    struct dash_ctx *x = arg;
    struct svc_dashboard *o = x->out;
    if (o->n_recent >= SVC_RECENT_ADJUSTMENTS)
        return ERR_OK;
    struct journal_entry *e = &o->recent[o->n_recent].entry;
    o->recent[o->n_recent] = *r;
    o->recent[o->n_recent].postings = NULL;
    o->recent[o->n_recent].lot_ids = arena_strdup(x->a, r->lot_ids);
    e->n_postings = 0;
    e->postings = NULL;
    e->credit_type = arena_strdup(x->a, r->entry.credit_type);
    e->actor = arena_strdup(x->a, r->entry.actor);
    e->reason = arena_strdup(x->a, r->entry.reason);
    e->justification = arena_strdup(x->a, r->entry.justification);
    if (e->credit_type == NULL || e->actor == NULL || e->reason == NULL || e->justification == NULL)
        return ERR_TOO_LARGE;
    o->n_recent++;
    return ERR_OK;
}

static enum err svc_admin_dashboard_txn(struct store_conn *c, void *arg)
{
    struct dash_ctx *x = arg;
    struct svc_dashboard *o = x->out;
    enum err rc = svc_dash_begin(c, x);
    static const char *const sold[] = {"purchase", "grant"};
    for (size_t k = 0; rc == ERR_OK && k < 2; k++) {
        struct journal_filter f = {
            .tenant_id = x->tenant_id, .kind = sold[k], .from_us = o->first_day_us};
        rc = store_journal_scan(c, x->a, &f, svc_dash_sold_row, x);
    }
    struct outstanding_row *rows = NULL;
    size_t n = 0;
    if (rc == ERR_OK)
        rc = store_outstanding(c, x->a, x->tenant_id, &rows, &n);
    for (size_t i = 0; rc == ERR_OK && i < n; i++) {
        struct svc_type_insight *ti = svc_dash_type(o, rows[i].credit_type_id);
        if (ti == NULL)
            continue;
        ti->balance.balance_minor = rows[i].balance_minor;
        ti->balance.held_minor = rows[i].held_minor;
        ti->value_minor = svc_dash_value(ti->type, rows[i].balance_minor);
    }
    o->recent = arena_alloc(x->a, SVC_RECENT_ADJUSTMENTS * sizeof(*o->recent));
    if (rc == ERR_OK && o->recent == NULL)
        rc = ERR_TOO_LARGE;
    struct journal_filter f = {
        .tenant_id = x->tenant_id, .kind = "adjustment", .limit = SVC_RECENT_ADJUSTMENTS};
    if (rc == ERR_OK)
        rc = store_journal_scan(c, x->a, &f, svc_dash_recent_row, x);
    if (rc == ERR_OK)
        rc = store_order_count_status(c, x->tenant_id, "submitted", &o->orders_submitted);
    if (rc == ERR_OK)
        rc = store_order_count_status(c, x->tenant_id, "in_progress", &o->orders_in_progress);
    return rc;
}

enum err svc_admin_dashboard_read(struct svc *s, struct arena *a, int64_t tenant_id,
                                  struct svc_dashboard *out)
{
    struct dash_ctx x = {.a = a, .tenant_id = tenant_id, .now_us = svc_now(s), .out = out};
    return svc_read_heavy(s, svc_admin_dashboard_txn, &x);
}
