/*
 * Orders: the quote (rule 4), placing an order that charges or holds its
 * credits atomically (rules 1-3, 9, 12, 14), cancellation that refunds each
 * drawn amount to its lot or to a refund lot (rule 5), and the status moves
 * that capture a hold on completion.
 */
#include <stdio.h>
#include <string.h>

#include "service/service_int.h"

/* Everything an order needs decided, read in the transaction that uses it. */
struct order_plan {
    struct svc_tenant tenant;
    struct credit_type_row type;
    struct order_service services[ORDER_SERVICES_MAX];
    struct svc_quote *quote;
    struct lot *lots; /* the customer's lots as the core sees them */
    struct lot_row *rows;
    size_t n_lots;
    struct alloc_plan *alloc;
    struct file_row file; /* the original, with file_id */
};

/* Loads the services of the order and prices them in its credit type. */
static enum err order_plan_services(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                    const struct svc_order_input *in, struct order_plan *p,
                                    struct err_detail *d)
{
    struct svc_quote *q = p->quote;
    q->n_lines = 0;
    q->base_minor = 0;
    size_t bases = 0;
    for (size_t i = 0; i < in->n_services; i++) {
        struct service_row sr;
        enum err rc = store_service_get(c, a, tenant_id, in->service_ids[i], &sr);
        if (rc == ERR_NOT_FOUND || (rc == ERR_OK && !sr.active))
            return err_set(d, ERR_VALIDATION, "services", "no such service");
        if (rc != ERR_OK)
            return rc;
        for (size_t k = 0; k < i; k++)
            if (in->service_ids[k] == sr.id)
                return err_set(d, ERR_VALIDATION, "services", "service '%s' given twice", sr.name);
        int64_t cost = -1;
        for (size_t k = 0; k < sr.n_costs; k++)
            if (sr.cost_type_ids[k] == p->type.id)
                cost = sr.cost_amounts_minor[k];
        if (cost < 0)
            return err_set(d, ERR_VALIDATION, "services", "'%s' has no price in %s credits",
                           sr.name, p->type.code);
        if (amount_add(q->base_minor, cost, &q->base_minor) != ERR_OK)
            return err_set(d, ERR_OVERFLOW, "services", "the total is too large");
        bases += strcmp(sr.kind, "base") == 0;
        p->services[i] = (struct order_service){.service_id = sr.id,
                                                .category = sr.category,
                                                .provider = sr.provider,
                                                .cost_minor = cost};
        q->lines[q->n_lines++] = (struct order_line_row){.service_id = sr.id,
                                                         .name = sr.name,
                                                         .kind = sr.kind,
                                                         .category = sr.category,
                                                         .cost_minor = cost};
    }
    if (bases > 1)
        return err_set(d, ERR_VALIDATION, "services", "an order has at most one base service");
    return ERR_OK;
}

/* Plans the draw over the customer's lots; fills the quote. */
static enum err order_plan_draw(struct arena *a, struct order_plan *p, int64_t now_us,
                                int64_t held_minor, struct err_detail *d)
{
    struct svc_quote *q = p->quote;
    p->lots = arena_alloc(a, (p->n_lots + 1) * sizeof(*p->lots));
    p->alloc = svc_alloc_plan_new(a, p->n_lots);
    if (p->lots == NULL || p->alloc == NULL)
        return ERR_TOO_LARGE;
    q->balance_minor = held_minor;
    for (size_t i = 0; i < p->n_lots; i++) {
        p->lots[i] = p->rows[i].lot;
        if (lot_is_in_balance(&p->lots[i], now_us))
            q->balance_minor += p->lots[i].remaining_minor;
    }
    struct local_time lt;
    tz_local_time(&p->tenant.tz, now_us, &lt);
    struct alloc_request req = {.amount_minor = q->base_minor,
                                .services = p->services,
                                .n_services = q->n_lines,
                                .now_us = now_us,
                                .local_weekday = lt.weekday,
                                .local_minute = lt.minute_of_day};
    enum err rc = alloc_plan_make(p->lots, p->n_lots, &req, p->alloc);
    /* Every usable lot's cover, though the draws stopped once the order was. */
    q->available_minor = p->alloc->available_minor;
    q->total_minor = p->alloc->total_minor;
    q->draws = arena_alloc(a, (p->alloc->count + 1) * sizeof(*q->draws));
    if (q->draws == NULL)
        return ERR_TOO_LARGE;
    q->n_draws = p->alloc->count;
    for (size_t k = 0; k < p->alloc->count; k++) {
        const struct alloc_draw *dr = &p->alloc->draws[k];
        q->draws[k] = (struct svc_quote_draw){.lot_id = p->lots[dr->lot_index].id,
                                              .lot_name = p->rows[dr->lot_index].name,
                                              .base_minor = dr->base_minor,
                                              .amount_minor = dr->drawn_minor,
                                              .multiplier_permille = dr->multiplier_permille};
    }
    q->balance_after_minor = q->balance_minor - (q->hold ? 0 : q->total_minor);
    if (rc == ERR_INSUFFICIENT_CREDITS) {
        char need[AMOUNT_TEXT_BYTES], have[AMOUNT_TEXT_BYTES];
        amount_format(q->base_minor, p->type.scale, need, sizeof(need));
        amount_format(p->alloc->available_minor, p->type.scale, have, sizeof(have));
        err_set(d, rc, "credit_type", "the order costs %s %s credits, %s are available", need,
                p->type.code, have);
        d->requested_minor = q->base_minor;
        d->available_minor = p->alloc->available_minor;
        d->shortfall_minor = p->alloc->shortfall_minor;
        d->scale = p->type.scale;
    }
    return rc;
}

/* The checks every order passes before any lot is looked at. */
static enum err order_plan_begin(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                 const struct svc_order_input *in, struct order_plan *p,
                                 struct err_detail *d)
{
    enum err rc = svc_tenant_load(c, a, tenant_id, &p->tenant);
    if (rc != ERR_OK)
        return rc;
    rc = svc_customer_check(c, a, tenant_id, in->customer_id);
    if (rc == ERR_NOT_FOUND)
        return err_set(d, ERR_NOT_FOUND, "customer_id", "no such customer");
    if (rc != ERR_OK)
        return rc;
    if ((rc = svc_type_by_code(c, a, tenant_id, in->credit_type, &p->type, d)) != ERR_OK)
        return rc;
    if (!p->type.spendable)
        return err_set(d, ERR_CREDITS_DISABLED, "credit_type",
                       "%s credits are switched off for spending", p->type.code);
    p->quote->scale = p->type.scale;
    p->quote->hold = strcmp(p->tenant.row.charge_on, "delivery") == 0;
    return order_plan_services(c, a, tenant_id, in, p, d);
}

static enum err order_input_check(const struct svc_order_input *in, struct err_detail *d)
{
    if (in->n_services == 0)
        return err_set(d, ERR_VALIDATION, "services", "pick at least one service");
    if (in->n_services > ORDER_SERVICES_MAX)
        return err_set(d, ERR_VALIDATION, "services", "at most %d services", ORDER_SERVICES_MAX);
    enum err rc;
    if ((rc = svc_text_check(in->notes, "notes", NOTE_BYTES_MAX, false, d)) != ERR_OK ||
        (rc = svc_text_check(in->vehicle, "vehicle", NOTE_BYTES_MAX, false, d)) != ERR_OK)
        return rc;
    return ERR_OK;
}

/* ---- quote ------------------------------------------------------------- */

struct quote_ctx {
    struct arena *a;
    int64_t tenant_id;
    const struct svc_order_input *in;
    struct svc_quote *out;
    int64_t now_us;
    struct err_detail *d;
};

/* The order's original, when it names one: the customer's, waiting for an
 * order; and whether a recent order of the customer had the same contents. */
static enum err order_plan_file(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                const struct svc_order_input *in, struct order_plan *p,
                                int64_t now_us, struct err_detail *d)
{
    p->quote->duplicate_of = NULL;
    if (in->file_id == 0)
        return ERR_OK;
    enum err rc = svc_file_waiting(c, a, tenant_id, in->customer_id, in->file_id, &p->file, d);
    if (rc == ERR_OK)
        rc = svc_file_duplicate(c, a, &p->tenant.row, in->customer_id, p->file.sha256, 0, now_us,
                                &p->quote->duplicate_of);
    return rc;
}

static enum err svc_quote_txn(struct store_conn *c, void *arg)
{
    struct quote_ctx *x = arg;
    struct order_plan p = {.quote = x->out};
    enum err rc = order_plan_begin(c, x->a, x->tenant_id, x->in, &p, x->d);
    if (rc == ERR_OK)
        rc = order_plan_file(c, x->a, x->tenant_id, x->in, &p, x->now_us, x->d);
    struct account_row acc = {0};
    if (rc == ERR_OK) {
        rc = store_account_get(c, x->tenant_id, x->in->customer_id, p.type.id, &acc);
        rc = rc == ERR_NOT_FOUND ? ERR_OK : rc;
    }
    if (rc == ERR_OK)
        rc = store_lot_list_live(c, x->a, x->tenant_id, x->in->customer_id, p.type.id, false,
                                 &p.rows, &p.n_lots);
    if (rc == ERR_OK)
        rc = order_plan_draw(x->a, &p, x->now_us, acc.held_minor, x->d);
    return rc;
}

enum err svc_quote(struct svc *s, struct arena *a, int64_t tenant_id,
                   const struct svc_order_input *in, struct svc_quote *out, struct err_detail *d)
{
    memset(out, 0, sizeof(*out));
    enum err rc = order_input_check(in, d);
    if (rc != ERR_OK)
        return rc;
    struct quote_ctx x = {
        .a = a, .tenant_id = tenant_id, .in = in, .out = out, .now_us = svc_now(s), .d = d};
    return store_read(s->st, svc_quote_txn, &x);
}

/* ---- place ------------------------------------------------------------- */

struct place_ctx {
    struct arena *a;
    int64_t tenant_id;
    const struct svc_actor *actor;
    const struct svc_order_input *in;
    struct svc_order_result *out;
    int64_t now_us;
    struct err_detail *d;
};

/* member.limit_reached, once per member, credit type and month: written
 * with the order that uses the last of the limit, or on its own after an
 * order the limit refused. */
static enum err order_limit_reached(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                    int64_t customer_id, int64_t member_user_id,
                                    const struct credit_type_row *type, int64_t limit,
                                    const struct tz *zone, int64_t now_us)
{
    ASSERT(member_user_id > 0);
    bool told;
    /* The subject is the member; the type is in attrs, so a month's notice
     * about one type also covers the member's others (rarely more than one). */
    enum err rc = store_event_exists(c, tenant_id, "member.limit_reached", member_user_id,
                                     tz_month_start_us(zone, now_us), &told);
    if (rc != ERR_OK || told)
        return rc;
    char lim[AMOUNT_TEXT_BYTES];
    amount_format(limit, type->scale, lim, sizeof(lim));
    const struct svc_event_attr attrs[] = {{"credit_type", type->code}, {"limit", lim}};
    const char *text = svc_event_attrs(a, attrs, 2);
    if (text == NULL)
        return ERR_TOO_LARGE;
    struct svc_event_new ev = {.tenant_id = tenant_id,
                               .type = SVC_EVENT_MEMBER_LIMIT_REACHED,
                               .customer_id = customer_id,
                               .subject_id = member_user_id,
                               .user_id = member_user_id,
                               .attrs = text,
                               .now_us = now_us};
    return svc_event_emit(c, &ev);
}

/* Rule 12: a technician's orders in a calendar month stay within the limit. */
static enum err order_member_limit(struct store_conn *c, const struct place_ctx *x,
                                   const struct order_plan *p)
{
    if (x->in->member_user_id == 0)
        return ERR_OK;
    int64_t limit;
    enum err rc = store_member_limit_get(c, x->tenant_id, x->in->customer_id, x->in->member_user_id,
                                         p->type.id, &limit);
    if (rc != ERR_OK || limit < 0)
        return rc;
    int64_t since = tz_month_start_us(&p->tenant.tz, x->now_us), spent, after;
    rc = store_member_spent_since(c, x->tenant_id, x->in->customer_id, x->in->member_user_id,
                                  p->type.id, since, &spent);
    if (rc != ERR_OK)
        return rc;
    if (amount_add(spent, p->quote->total_minor, &after) == ERR_OK && after == limit)
        return order_limit_reached(c, x->a, x->tenant_id, x->in->customer_id, x->in->member_user_id,
                                   &p->type, limit, &p->tenant.tz, x->now_us);
    if (amount_add(spent, p->quote->total_minor, &after) != ERR_OK || after > limit) {
        char lim[AMOUNT_TEXT_BYTES], sp[AMOUNT_TEXT_BYTES];
        amount_format(limit, p->type.scale, lim, sizeof(lim));
        amount_format(spent, p->type.scale, sp, sizeof(sp));
        return err_set(x->d, ERR_MEMBER_LIMIT_EXCEEDED, "services",
                       "this order would pass the monthly limit of %s %s credits (%s used)", lim,
                       p->type.code, sp);
    }
    return ERR_OK;
}

/* Draws each planned amount from its lot and posts it. */
static enum err order_draw_lots(struct store_conn *c, const struct place_ctx *x,
                                struct order_plan *p, struct svc_entry *e)
{
    for (size_t k = 0; k < p->alloc->count; k++) {
        const struct alloc_draw *dr = &p->alloc->draws[k];
        struct lot_row *r = &p->rows[dr->lot_index];
        lot_start_on_use(&r->lot, x->now_us);
        enum err rc = lot_draw(&r->lot, dr->drawn_minor);
        if (rc == ERR_OK)
            rc = store_lot_update(c, r, x->now_us);
        if (rc == ERR_OK)
            rc = svc_entry_post(e, ACCOUNT_LOT, r->lot.id, -dr->drawn_minor);
        if (rc != ERR_OK)
            return rc;
    }
    return svc_entry_post(e, p->quote->hold ? ACCOUNT_HELD : ACCOUNT_CONSUMED, 0,
                          p->quote->total_minor);
}

/* Puts the original on the new order, noted in its history. */
static enum err order_write_file(struct store_conn *c, struct place_ctx *x, struct order_plan *p)
{
    enum err rc = store_file_attach(c, x->tenant_id, p->file.id, x->out->order_id);
    if (rc == ERR_NOT_FOUND)
        return err_set(x->d, ERR_VALIDATION, "file_id", "went on another order meanwhile");
    if (rc != ERR_OK)
        return rc;
    return store_order_note_insert(c, x->tenant_id, x->out->order_id, "submitted", "file_attached",
                                   svc_file_describe(x->a, &p->file), svc_actor_label(x->actor),
                                   x->now_us);
}

static enum err order_write(struct store_conn *c, struct place_ctx *x, struct order_plan *p)
{
    struct local_time lt;
    tz_local_time(&p->tenant.tz, x->now_us, &lt);
    /* The reference's number is the order's id: unique and increasing, and
     * unlike a per-tenant counter it locks no row that every order of the
     * tenant would wait for. It has gaps (other tenants' orders, rollbacks);
     * order references need not be gapless, invoice numbers must be. */
    enum err rc = store_order_id_next(c, &x->out->order_id);
    if (rc != ERR_OK)
        return rc;
    char *ref =
        arena_printf(x->a, "ORD-%04lld-%06lld", (long long)lt.year, (long long)x->out->order_id);
    if (ref == NULL)
        return ERR_TOO_LARGE;
    struct order_row o = {.tenant_id = x->tenant_id,
                          .customer_id = x->in->customer_id,
                          .member_user_id = x->in->member_user_id,
                          .credit_type_id = p->type.id,
                          .reference = ref,
                          .status = "submitted",
                          .charge_mode = p->quote->hold ? "held" : "charged",
                          .base_minor = p->quote->base_minor,
                          .total_minor = p->quote->total_minor,
                          .vehicle = x->in->vehicle,
                          .notes = x->in->notes,
                          .created_by = svc_actor_label(x->actor),
                          .created_at_us = x->now_us,
                          .id = x->out->order_id};
    rc = store_order_insert(c, &o);
    for (size_t i = 0; rc == ERR_OK && i < p->quote->n_lines; i++)
        rc =
            store_order_line_insert(c, x->tenant_id, x->out->order_id, (int)i, &p->quote->lines[i]);
    for (size_t k = 0; rc == ERR_OK && k < p->quote->n_draws; k++) {
        const struct svc_quote_draw *dr = &p->quote->draws[k];
        struct allocation_row ar = {.lot_id = dr->lot_id,
                                    .base_minor = dr->base_minor,
                                    .amount_minor = dr->amount_minor,
                                    .multiplier_permille = dr->multiplier_permille};
        rc = store_allocation_insert(c, x->tenant_id, x->out->order_id, &ar);
    }
    if (rc == ERR_OK)
        rc = store_order_event_insert(c, x->tenant_id, x->out->order_id, "", "submitted",
                                      svc_actor_label(x->actor), "", x->now_us);
    if (rc == ERR_OK) {
        struct svc_event_new ev = {.tenant_id = x->tenant_id,
                                   .type = SVC_EVENT_ORDER_CREATED,
                                   .customer_id = x->in->customer_id,
                                   .subject_id = x->out->order_id,
                                   .user_id = x->in->member_user_id,
                                   .attrs = "{\"status\":\"submitted\"}",
                                   .now_us = x->now_us};
        rc = svc_event_emit(c, &ev);
    }
    x->out->reference = ref;
    if (rc == ERR_OK && x->in->file_id != 0)
        rc = order_write_file(c, x, p);
    return rc;
}

static enum err svc_order_place_txn(struct store_conn *c, void *arg)
{
    struct place_ctx *x = arg;
    struct order_plan p = {.quote = &x->out->quote};
    struct svc_account acct;
    enum err rc = order_plan_begin(c, x->a, x->tenant_id, x->in, &p, x->d);
    if (rc == ERR_OK)
        rc = svc_account_open(c, x->a, x->tenant_id, x->in->customer_id, &p.type, x->now_us, &acct);
    if (rc != ERR_OK)
        return rc;
    p.rows = acct.lots;
    p.n_lots = acct.n_lots;
    /* After the account lock: an order of the same customer and type that
     * committed meanwhile is seen as a duplicate. */
    if ((rc = order_plan_file(c, x->a, x->tenant_id, x->in, &p, x->now_us, x->d)) != ERR_OK)
        return rc;
    if (p.quote->duplicate_of != NULL && !x->in->confirm_duplicate) {
        if (x->d != NULL)
            str_copy(x->d->reference, sizeof(x->d->reference), p.quote->duplicate_of);
        return err_set(x->d, ERR_DUPLICATE_FILE, "file_id",
                       "this file was ordered in %s within the last %d hours; send "
                       "\"confirm_duplicate\": true to order it again",
                       p.quote->duplicate_of, (int)p.tenant.row.duplicate_window_hours);
    }
    if ((rc = order_plan_draw(x->a, &p, x->now_us, acct.acc.held_minor, x->d)) != ERR_OK ||
        (rc = order_member_limit(c, x, &p)) != ERR_OK || (rc = order_write(c, x, &p)) != ERR_OK)
        return rc;
    struct svc_entry e;
    svc_entry_init(&e, x->a, x->tenant_id, p.quote->hold ? JOURNAL_HOLD : JOURNAL_ORDER,
                   x->in->customer_id, &p.type, x->actor, x->now_us);
    e.e.order_id = x->out->order_id;
    e.e.reason = x->out->reference;
    if ((rc = order_draw_lots(c, x, &p, &e)) != ERR_OK)
        return rc;
    return svc_entry_write(c, &e, &acct.acc, &x->out->journal_id);
}

/* After an order the monthly limit refused: member.limit_reached, if the
 * month has none yet. */
static enum err order_limit_refused_txn(struct store_conn *c, void *arg)
{
    struct place_ctx *x = arg;
    struct svc_tenant t;
    struct credit_type_row type;
    int64_t limit = -1;
    enum err rc = svc_tenant_load(c, x->a, x->tenant_id, &t);
    if (rc == ERR_OK)
        rc = svc_type_by_code(c, x->a, x->tenant_id, x->in->credit_type, &type, NULL);
    if (rc == ERR_OK)
        rc = store_member_limit_get(c, x->tenant_id, x->in->customer_id, x->in->member_user_id,
                                    type.id, &limit);
    if (rc != ERR_OK || limit < 0)
        return rc;
    return order_limit_reached(c, x->a, x->tenant_id, x->in->customer_id, x->in->member_user_id,
                               &type, limit, &t.tz, x->now_us);
}

enum err svc_order_place(struct svc *s, struct arena *a, int64_t tenant_id,
                         const struct svc_actor *actor, const struct svc_order_input *in,
                         struct svc_order_result *out, struct err_detail *d)
{
    memset(out, 0, sizeof(*out));
    enum err rc = order_input_check(in, d);
    if (rc != ERR_OK)
        return rc;
    struct place_ctx x = {.a = a,
                          .tenant_id = tenant_id,
                          .actor = actor,
                          .in = in,
                          .out = out,
                          .now_us = svc_now(s),
                          .d = d};
    rc = svc_write_for(s, tenant_id, in->customer_id, svc_order_place_txn, &x);
    if (rc == ERR_MEMBER_LIMIT_EXCEEDED && in->member_user_id != 0 &&
        svc_write_for(s, tenant_id, in->customer_id, order_limit_refused_txn, &x) != ERR_OK)
        log_msg(LOG_WARN, "cannot note member.limit_reached of user %lld",
                (long long)in->member_user_id);
    return rc;
}

/* ---- cancel and status ------------------------------------------------- */

struct order_change_ctx {
    int64_t tenant_id;
    const struct svc_actor *actor;
    int64_t order_id;
    const char *status; /* the new status */
    const char *reason;
    bool by_customer;
    struct file_row *deliver; /* a delivery: the modified file, stored with the move */
    int64_t now_us;
    struct err_detail *d;
};

/* Returns each drawn amount home (rule 5); releases or refunds. */
static enum err order_return_credits(struct store_conn *c, struct arena *a,
                                     struct order_change_ctx *x, const struct svc_tenant *t,
                                     const struct credit_type_row *type, struct order_row *o,
                                     struct svc_account *acct)
{
    bool held = strcmp(o->charge_mode, "held") == 0;
    struct allocation_row *allocs;
    size_t n;
    enum err rc = store_allocations(c, a, o->tenant_id, o->id, &allocs, &n);
    if (rc != ERR_OK)
        return rc;
    struct svc_entry e;
    svc_entry_init(&e, a, x->tenant_id, held ? JOURNAL_RELEASE : JOURNAL_REFUND, o->customer_id,
                   type, x->actor, x->now_us);
    e.e.order_id = o->id;
    e.e.reason = x->reason && x->reason[0] ? x->reason : o->reference;
    for (size_t i = 0; rc == ERR_OK && i < n; i++) {
        struct lot_row r;
        rc = store_lot_get(c, a, x->tenant_id, allocs[i].lot_id, true, &r);
        if (rc == ERR_OK && lot_can_take_refund(&r.lot, x->now_us)) {
            lot_take_refund(&r.lot, allocs[i].amount_minor);
            rc = store_lot_update(c, &r, x->now_us);
            if (rc == ERR_OK)
                rc = svc_entry_post(&e, ACCOUNT_LOT, r.lot.id, allocs[i].amount_minor);
        } else if (rc == ERR_OK) {
            rc = svc_refund_lot(c, t, type, o->customer_id, o->id, allocs[i].amount_minor,
                                svc_actor_label(x->actor), x->now_us, &e);
        }
    }
    if (rc == ERR_OK)
        rc = svc_entry_post(&e, held ? ACCOUNT_HELD : ACCOUNT_CONSUMED, 0, -o->total_minor);
    int64_t journal_id;
    if (rc == ERR_OK)
        rc = svc_entry_write(c, &e, &acct->acc, &journal_id);
    o->charge_mode = held ? "released" : "refunded";
    return rc;
}

/* Completion of a held order captures it: held credits become consumed. */
static enum err order_capture(struct store_conn *c, struct order_change_ctx *x,
                              const struct credit_type_row *type, struct order_row *o,
                              struct svc_account *acct)
{
    struct svc_entry e;
    svc_entry_init(&e, acct->a, x->tenant_id, JOURNAL_CAPTURE, o->customer_id, type, x->actor,
                   x->now_us);
    e.e.order_id = o->id;
    e.e.reason = o->reference;
    enum err rc;
    if ((rc = svc_entry_post(&e, ACCOUNT_HELD, 0, -o->total_minor)) != ERR_OK ||
        (rc = svc_entry_post(&e, ACCOUNT_CONSUMED, 0, o->total_minor)) != ERR_OK)
        return rc;
    o->charge_mode = "captured";
    int64_t journal_id;
    return svc_entry_write(c, &e, &acct->acc, &journal_id);
}

/* The delivered file goes on the order before the order completes. */
static enum err order_deliver_file(struct store_conn *c, struct arena *a,
                                   struct order_change_ctx *x, const struct order_row *o)
{
    struct file_row *f = x->deliver;
    f->tenant_id = o->tenant_id;
    f->customer_id = o->customer_id;
    f->order_id = o->id;
    enum err rc = store_file_insert(c, f, &f->id);
    if (rc != ERR_OK)
        return rc;
    return store_order_note_insert(c, o->tenant_id, o->id, o->status, "file_delivered",
                                   svc_file_describe(a, f), svc_actor_label(x->actor), x->now_us);
}

static bool order_move_is_allowed(const char *from, const char *to, bool by_customer)
{
    bool open = strcmp(from, "submitted") == 0 || strcmp(from, "in_progress") == 0;
    if (strcmp(to, "cancelled") == 0)
        return by_customer ? strcmp(from, "submitted") == 0 : open;
    if (strcmp(to, "in_progress") == 0)
        return strcmp(from, "submitted") == 0;
    if (strcmp(to, "completed") == 0)
        return open;
    return false;
}

/* The event of an order's move: order.completed, order.rejected (cancelled
 * by the business), order.cancelled (by the customer), and
 * order.status_changed for the moves without an event of their own. */
static enum err order_change_event(struct store_conn *c, struct arena *a,
                                   const struct order_change_ctx *x, const struct order_row *o,
                                   const struct credit_type_row *type, const char *from)
{
    bool cancel = strcmp(x->status, "cancelled") == 0;
    enum svc_event_type t = strcmp(x->status, "completed") == 0 ? SVC_EVENT_ORDER_COMPLETED
                            : !cancel                           ? SVC_EVENT_ORDER_STATUS_CHANGED
                            : x->by_customer                    ? SVC_EVENT_ORDER_CANCELLED
                                                                : SVC_EVENT_ORDER_REJECTED;
    char refunded[AMOUNT_TEXT_BYTES];
    amount_format(cancel ? o->total_minor : 0, type->scale, refunded, sizeof(refunded));
    const struct svc_event_attr attrs[] = {
        {"previous_status", from},
        {"status", x->status},
        {"reason", x->reason != NULL ? x->reason : ""},
        {"credit_type", type->code},
        {"refunded", refunded},
    };
    const char *text = svc_event_attrs(a, attrs, cancel ? 5 : 2);
    if (text == NULL)
        return ERR_TOO_LARGE;
    struct svc_event_new ev = {.tenant_id = o->tenant_id,
                               .type = t,
                               .customer_id = o->customer_id,
                               .subject_id = o->id,
                               .user_id = o->member_user_id,
                               .attrs = text,
                               .now_us = x->now_us};
    return svc_event_emit(c, &ev);
}

static enum err svc_order_change_txn(struct store_conn *c, void *arg)
{
    struct order_change_ctx *x = arg;
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    struct order_row o;
    struct svc_tenant t;
    struct credit_type_row type;
    struct svc_account acct;
    enum err rc = store_order_get(c, &a, x->tenant_id, x->order_id, false, &o);
    if (rc == ERR_OK)
        rc = svc_tenant_load(c, &a, x->tenant_id, &t);
    if (rc == ERR_OK)
        rc = store_credit_type_get(c, &a, x->tenant_id, o.credit_type_id, &type);
    /* Lock order: the account, then the order, then lots. */
    if (rc == ERR_OK)
        rc = svc_account_open(c, &a, x->tenant_id, o.customer_id, &type, x->now_us, &acct);
    if (rc == ERR_OK)
        rc = store_order_get(c, &a, x->tenant_id, x->order_id, true, &o);
    const char *from = rc == ERR_OK ? o.status : "";
    if (rc == ERR_OK && !order_move_is_allowed(from, x->status, x->by_customer))
        rc = err_set(x->d, ERR_ORDER_STATE, "status", "an order that is %s cannot become %s", from,
                     x->status);
    bool held = rc == ERR_OK && strcmp(o.charge_mode, "held") == 0;
    if (rc == ERR_OK && strcmp(x->status, "cancelled") == 0)
        rc = order_return_credits(c, &a, x, &t, &type, &o, &acct);
    else if (rc == ERR_OK && strcmp(x->status, "completed") == 0 && held)
        rc = order_capture(c, x, &type, &o, &acct);
    if (rc == ERR_OK && x->deliver != NULL)
        rc = order_deliver_file(c, &a, x, &o);
    if (rc == ERR_OK) {
        o.status = x->status;
        if (strcmp(x->status, "cancelled") == 0)
            o.cancel_reason = x->reason ? x->reason : "";
        o.updated_at_us = x->now_us;
        rc = store_order_update(c, &o);
    }
    if (rc == ERR_OK)
        rc = store_order_event_insert(c, o.tenant_id, o.id, from, x->status,
                                      svc_actor_label(x->actor), x->reason, x->now_us);
    if (rc == ERR_OK)
        rc = order_change_event(c, &a, x, &o, &type, from);
    arena_release(&a);
    return rc;
}

enum err svc_order_cancel(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                          int64_t order_id, const char *reason, bool by_customer,
                          struct err_detail *d)
{
    enum err rc = svc_text_check(reason, "reason", NOTE_BYTES_MAX, !by_customer, d);
    if (rc != ERR_OK)
        return rc;
    struct order_change_ctx x = {.tenant_id = tenant_id,
                                 .actor = actor,
                                 .order_id = order_id,
                                 .status = "cancelled",
                                 .reason = reason,
                                 .by_customer = by_customer,
                                 .now_us = svc_now(s),
                                 .d = d};
    return store_write(s->st, svc_order_change_txn, &x);
}

enum err svc_order_set_status(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                              int64_t order_id, const char *status, struct err_detail *d)
{
    if (status == NULL || (strcmp(status, "in_progress") != 0 && strcmp(status, "completed") != 0))
        return err_set(d, ERR_VALIDATION, "status",
                       "must be 'in_progress' or 'completed' (cancel with its own action)");
    struct order_change_ctx x = {.tenant_id = tenant_id,
                                 .actor = actor,
                                 .order_id = order_id,
                                 .status = status,
                                 .reason = "",
                                 .now_us = svc_now(s),
                                 .d = d};
    return store_write(s->st, svc_order_change_txn, &x);
}

enum err svc_order_deliver(struct svc *s, struct arena *a, int64_t tenant_id,
                           const struct svc_actor *actor, int64_t order_id, struct svc_upload *up,
                           struct svc_file_result *out, struct err_detail *d)
{
    ASSERT(up->sealed);
    memset(out, 0, sizeof(*out));
    if (up->size_bytes == 0)
        return err_set(d, ERR_VALIDATION, "file", "the file is empty");
    char storage[BLOB_NAME_BYTES];
    enum err rc = svc_blob_commit(s, up, storage);
    if (rc != ERR_OK)
        return rc;
    out->file = (struct file_row){.role = "modified",
                                  .name = arena_strdup(a, up->name),
                                  .size_bytes = up->size_bytes,
                                  .sha256 = arena_strdup(a, up->sha256),
                                  .storage_name = arena_strdup(a, storage),
                                  .uploaded_by = svc_actor_label(actor),
                                  .uploaded_by_user_id = actor != NULL ? actor->user_id : 0,
                                  .uploaded_at_us = svc_now(s),
                                  .purged_by = ""};
    struct order_change_ctx x = {.tenant_id = tenant_id,
                                 .actor = actor,
                                 .order_id = order_id,
                                 .status = "completed",
                                 .reason = "",
                                 .deliver = &out->file,
                                 .now_us = out->file.uploaded_at_us,
                                 .d = d};
    if (out->file.name == NULL || out->file.sha256 == NULL || out->file.storage_name == NULL)
        rc = ERR_TOO_LARGE;
    else
        rc = store_write(s->st, svc_order_change_txn, &x);
    if (rc != ERR_OK)
        svc_blob_forget(s, storage);
    return rc;
}

struct order_get_ctx {
    struct arena *a;
    int64_t tenant_id, order_id;
    struct order_row *out;
};

static enum err svc_order_get_txn(struct store_conn *c, void *arg)
{
    struct order_get_ctx *x = arg;
    return store_order_get(c, x->a, x->tenant_id, x->order_id, false, x->out);
}

enum err svc_order_get(struct svc *s, struct arena *a, int64_t tenant_id, int64_t order_id,
                       int64_t only_customer_id, struct order_row *out)
{
    struct order_get_ctx x = {.a = a, .tenant_id = tenant_id, .order_id = order_id, .out = out};
    enum err rc = store_read(s->st, svc_order_get_txn, &x);
    if (rc == ERR_OK && only_customer_id != 0 && out->customer_id != only_customer_id)
        return ERR_NOT_FOUND;
    return rc;
}

struct order_owner_ctx {
    int64_t tenant_id, order_id, customer_id;
};

static enum err svc_order_owner_txn(struct store_conn *c, void *arg)
{
    struct order_owner_ctx *x = arg;
    struct arena a;
    arena_init(&a, 64 * 1024);
    struct order_row o;
    enum err rc = store_order_get(c, &a, x->tenant_id, x->order_id, false, &o);
    if (rc == ERR_OK)
        x->customer_id = o.customer_id;
    arena_release(&a);
    return rc;
}

bool svc_order_is_of_customer(struct svc *s, int64_t tenant_id, int64_t order_id,
                              int64_t customer_id)
{
    struct order_owner_ctx x = {.tenant_id = tenant_id, .order_id = order_id};
    return store_read(s->st, svc_order_owner_txn, &x) == ERR_OK &&
           (customer_id == 0 || x.customer_id == customer_id);
}
