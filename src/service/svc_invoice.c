/*
 * The shop: a purchase makes an invoice with a gapless number per tenant and
 * year, the seller's and buyer's details as they are now, its lines, VAT (or
 * the intra-EU reverse charge) and gross. Monetary store credit pays first
 * (DESIGN rule 10): it is held on the customer's store credit lots while the
 * invoice is open, captured when it is paid and released when it is voided.
 * A paid invoice creates the package's lots in the same transaction.
 *
 * Lock order, as everywhere: the customer's accounts (types ascending), then
 * the invoice counter (invoices alone need gapless numbers). Changes to
 * an existing invoice lock the invoice row first, then its accounts.
 *
 * Must not: talk to a payment gateway (the HTTP layer does, outside any
 * transaction) or render anything.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "service/service_int.h"

#define SHOP_TYPES_MAX 16

/* What an invoice will be, worked out from the catalogue and the balances. */
struct shop_plan {
    struct svc_tenant tenant;
    struct customer_row customer;
    struct package_row pkg;
    bool has_pkg;
    struct credit_type_row *types;
    size_t n_types;
    const char *line;
    struct invoice_totals totals;
    /* store credit per monetary type (index into types) */
    size_t n_credit;
    size_t credit_type[SHOP_TYPES_MAX];
    struct invoice_store_credit credit[SHOP_TYPES_MAX];
    int64_t store_credit_minor;
    int64_t due_minor;
};

struct shop_ctx {
    struct arena *a;
    int64_t tenant_id;
    const struct svc_actor *actor;
    const struct svc_purchase_input *in;
    const struct svc_gateway_event *ev;
    int64_t invoice_id;
    const char *reason;
    int64_t now_us;
    struct svc_invoice_view *out;
    struct err_detail *d;
};

static const struct credit_type_row *shop_type(const struct shop_plan *p, int64_t id)
{
    for (size_t i = 0; i < p->n_types; i++)
        if (p->types[i].id == id)
            return &p->types[i];
    return NULL;
}

/* "75 Master, 10 Slave" for a package's credits. */
static const char *shop_credits_text(struct arena *a, const struct shop_plan *p, size_t n,
                                     const int64_t *type_ids, const int64_t *amounts)
{
    char *text = arena_strdup(a, "");
    for (size_t i = 0; text != NULL && i < n; i++) {
        const struct credit_type_row *t = shop_type(p, type_ids[i]);
        char amount[AMOUNT_TEXT_BYTES];
        amount_format(amounts[i], t ? t->scale : 0, amount, sizeof(amount));
        text = arena_printf(a, "%s%s%s %s", text, i ? ", " : "", amount, t ? t->name : "credits");
    }
    return text;
}

/* Customer, package (or the admin's lot), types and totals. */
static enum err shop_plan_price(struct store_conn *c, struct shop_ctx *x, struct shop_plan *p)
{
    const struct svc_purchase_input *in = x->in;
    memset(p, 0, sizeof(*p));
    enum err rc = svc_tenant_load(c, x->a, x->tenant_id, &p->tenant);
    if (rc == ERR_OK)
        rc = store_customer_get(c, x->a, x->tenant_id, in->customer_id, &p->customer);
    if (rc == ERR_NOT_FOUND)
        return err_set(x->d, ERR_NOT_FOUND, "customer_id", "no such customer");
    if (rc == ERR_OK)
        rc = store_credit_type_list(c, x->a, x->tenant_id, &p->types, &p->n_types);
    if (rc != ERR_OK)
        return rc;
    int64_t package_id = in->lot != NULL ? in->lot->package_id : in->package_id;
    int64_t net = in->lot != NULL ? in->lot->price_minor : 0;
    int32_t rate = p->tenant.row.vat_rate_bp;
    if (package_id != 0) {
        rc = store_package_get(c, x->a, x->tenant_id, package_id, &p->pkg);
        if (rc == ERR_NOT_FOUND || (rc == ERR_OK && p->pkg.archived) ||
            (rc == ERR_OK && in->published_only && !p->pkg.published))
            return err_set(x->d, ERR_VALIDATION, "package_id", "no such package");
        if (rc != ERR_OK)
            return rc;
        p->has_pkg = true;
        net = p->pkg.price_minor;
        rate = p->pkg.vat_rate_bp >= 0 ? p->pkg.vat_rate_bp : rate;
        const char *credits = shop_credits_text(x->a, p, p->pkg.n_credits, p->pkg.credit_type_ids,
                                                p->pkg.credit_amounts_minor);
        p->line = arena_printf(x->a, "%s (%s)", p->pkg.name, credits ? credits : "");
    } else {
        struct credit_type_row type;
        rc = svc_type_by_code(c, x->a, x->tenant_id, in->lot->credit_type, &type, x->d);
        if (rc != ERR_OK)
            return rc;
        const char *credits = shop_credits_text(x->a, p, 1, &type.id, &in->lot->credits_minor);
        const char *name = in->lot->name && in->lot->name[0] ? in->lot->name : "Credits";
        p->line = arena_printf(x->a, "%s (%s)", name, credits ? credits : "");
    }
    if (p->line == NULL)
        return ERR_TOO_LARGE;
    bool reverse = invoice_reverse_charge_applies(p->tenant.row.country, p->customer.country,
                                                  p->customer.vat_id);
    if ((rc = invoice_totals_compute(net, rate, reverse, &p->totals)) != ERR_OK)
        return err_set(x->d, rc, "package_id", "the price cannot be invoiced");
    p->due_minor = p->totals.gross_minor;
    return ERR_OK;
}

/* Store credit usable for an invoice: live, unrestricted, usable now. */
static int64_t shop_credit_available(const struct lot_row *lots, size_t n, int64_t now_us)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        if (lot_is_usable(&lots[i].lot, now_us) && !lot_is_restricted(&lots[i].lot))
            sum += lots[i].lot.remaining_minor;
    return sum;
}

/* Store credit that pays invoices (rule 10): a spendable monetary type with a
 * money value. */
static bool shop_type_pays(const struct credit_type_row *t)
{
    return t->kind == CREDIT_MONETARY && t->spendable && t->unit_value_minor > 0;
}

static enum err shop_plan_credit_one(struct shop_plan *p, size_t type_index,
                                     const struct lot_row *lots, size_t n, int64_t now_us)
{
    const struct credit_type_row *t = &p->types[type_index];
    if (p->due_minor == 0 || p->n_credit == SHOP_TYPES_MAX)
        return ERR_OK;
    struct invoice_store_credit sc;
    enum err rc = invoice_store_credit_plan(p->due_minor, shop_credit_available(lots, n, now_us),
                                            t->scale, t->unit_value_minor, &sc);
    if (rc != ERR_OK || sc.credits_minor == 0)
        return rc;
    p->credit_type[p->n_credit] = type_index;
    p->credit[p->n_credit++] = sc;
    p->store_credit_minor += sc.money_minor;
    p->due_minor -= sc.money_minor;
    ASSERT(p->due_minor >= 0);
    return ERR_OK;
}

/* ---- the invoice view -------------------------------------------------- */

enum err svc_invoice_view_fill(struct store_conn *c, struct arena *a, const struct invoice_row *row,
                               struct svc_invoice_view *out)
{
    struct svc_invoice_view v = {.row = *row};
    struct svc_tenant t;
    enum err rc = svc_tenant_load(c, a, row->tenant_id, &t);
    if (rc == ERR_OK)
        rc = store_credit_type_list(c, a, row->tenant_id, &v.types.items, &v.types.n);
    if (rc == ERR_OK)
        rc = store_invoice_lines(c, a, row->tenant_id, row->id, &v.lines, &v.n_lines);
    if (rc == ERR_OK)
        rc = store_invoice_credits(c, a, row->tenant_id, row->id, &v.credits, &v.n_credits);
    if (rc == ERR_OK)
        rc = store_lot_list_invoice(c, a, row->tenant_id, row->id, false, &v.lots, &v.n_lots);
    struct credit_note_filter f = {.invoice_id = row->id, .limit = 1};
    struct credit_note_row *notes = NULL;
    size_t n_notes = 0;
    if (rc == ERR_OK && strcmp(row->status, "void") == 0)
        rc = store_credit_note_list(c, a, row->tenant_id, &f, &notes, &n_notes);
    if (rc == ERR_OK) {
        svc_invoice_dates_fill(a, &t, &v.row);
        v.has_credit_note = n_notes > 0;
        if (v.has_credit_note)
            v.credit_note = notes[0];
        v.removed_minor = out->removed_minor;
        *out = v;
    }
    return rc;
}

/* ---- holding, capturing and releasing store credit ---------------------- */

/* Draws sc credits of a monetary type from the opened account as a hold for
 * the invoice, recording which lots gave how much. */
static enum err shop_credit_hold(struct store_conn *c, struct shop_ctx *x,
                                 const struct credit_type_row *type, struct svc_account *acct,
                                 const struct invoice_store_credit *sc)
{
    struct lot *lots = arena_alloc(x->a, (acct->n_lots + 1) * sizeof(*lots));
    size_t *rows = arena_alloc(x->a, (acct->n_lots + 1) * sizeof(*rows));
    struct alloc_plan *plan = svc_alloc_plan_new(x->a, acct->n_lots);
    if (lots == NULL || rows == NULL || plan == NULL)
        return ERR_TOO_LARGE;
    size_t n = 0;
    for (size_t i = 0; i < acct->n_lots; i++) {
        if (lot_is_restricted(&acct->lots[i].lot))
            continue;
        rows[n] = i;
        lots[n] = acct->lots[i].lot;
        lots[n++].peak = (struct peak_rule){.multiplier_permille = 1000};
    }
    struct alloc_request req = {.amount_minor = sc->credits_minor, .now_us = x->now_us};
    enum err rc = alloc_plan_make(lots, n, &req, plan);
    if (rc != ERR_OK)
        return rc == ERR_INSUFFICIENT_CREDITS ? ERR_CONFLICT : rc;
    struct svc_entry e;
    svc_entry_init(&e, x->a, x->tenant_id, JOURNAL_HOLD, acct->acc.customer_id, type, x->actor,
                   x->now_us);
    e.e.invoice_id = x->invoice_id;
    e.e.reason = "invoice";
    int64_t money_left = sc->money_minor;
    for (size_t k = 0; rc == ERR_OK && k < plan->count; k++) {
        const struct alloc_draw *dr = &plan->draws[k];
        struct lot_row *r = &acct->lots[rows[dr->lot_index]];
        ASSERT(r->lot.id == lots[dr->lot_index].id);
        /* The money is spread over the lots in proportion; the last takes the rest. */
        int64_t money =
            k + 1 == plan->count
                ? money_left
                : (int64_t)((__int128)sc->money_minor * dr->drawn_minor / sc->credits_minor);
        money_left -= money;
        struct invoice_credit_row cr = {.lot_id = r->lot.id,
                                        .credit_type_id = type->id,
                                        .amount_minor = dr->drawn_minor,
                                        .money_minor = money};
        if ((rc = lot_draw(&r->lot, dr->drawn_minor)) == ERR_OK &&
            (rc = store_lot_update(c, r, x->now_us)) == ERR_OK &&
            (rc = store_invoice_credit_insert(c, x->tenant_id, x->invoice_id, &cr)) == ERR_OK)
            rc = svc_entry_post(&e, ACCOUNT_LOT, r->lot.id, -dr->drawn_minor);
    }
    if (rc == ERR_OK)
        rc = svc_entry_post(&e, ACCOUNT_HELD, 0, plan->total_minor);
    int64_t journal_id;
    return rc == ERR_OK ? svc_entry_write(c, &e, &acct->acc, &journal_id) : rc;
}

/* Sum of the invoice's store credit in one type. */
static int64_t shop_credit_sum(const struct invoice_credit_row *rows, size_t n, int64_t type_id)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].credit_type_id == type_id)
            sum += rows[i].amount_minor;
    return sum;
}

/* Paid: the held store credit of every type becomes consumed. */
static enum err shop_credit_capture(struct store_conn *c, struct shop_ctx *x,
                                    const struct invoice_row *inv,
                                    const struct invoice_credit_row *rows, size_t n)
{
    enum err rc = ERR_OK;
    for (size_t i = 0; rc == ERR_OK && i < n; i++) {
        if (i > 0 && rows[i - 1].credit_type_id == rows[i].credit_type_id)
            continue; /* one entry per type: rows come sorted by type */
        struct credit_type_row type;
        struct svc_account acct;
        int64_t sum = shop_credit_sum(rows, n, rows[i].credit_type_id), journal_id;
        rc = store_credit_type_get(c, x->a, x->tenant_id, rows[i].credit_type_id, &type);
        if (rc == ERR_OK)
            rc = svc_account_open(c, x->a, x->tenant_id, inv->customer_id, &type, x->now_us, &acct);
        struct svc_entry e;
        svc_entry_init(&e, x->a, x->tenant_id, JOURNAL_CAPTURE, inv->customer_id, &type, x->actor,
                       x->now_us);
        e.e.invoice_id = inv->id;
        e.e.reason = "invoice";
        if (rc == ERR_OK && (rc = svc_entry_post(&e, ACCOUNT_HELD, 0, -sum)) == ERR_OK &&
            (rc = svc_entry_post(&e, ACCOUNT_CONSUMED, 0, sum)) == ERR_OK)
            rc = svc_entry_write(c, &e, &acct.acc, &journal_id);
    }
    return rc;
}

/* Void: the store credit goes home (rule 5): released while held, refunded
 * once captured, to a new refund lot when its own lot cannot take it. */
static enum err shop_credit_return(struct store_conn *c, struct shop_ctx *x,
                                   const struct invoice_row *inv,
                                   const struct invoice_credit_row *rows, size_t n, bool captured)
{
    enum err rc = ERR_OK;
    struct svc_tenant t;
    if (n > 0)
        rc = svc_tenant_load(c, x->a, x->tenant_id, &t);
    for (size_t i = 0; rc == ERR_OK && i < n; i++) {
        if (i > 0 && rows[i - 1].credit_type_id == rows[i].credit_type_id)
            continue;
        struct credit_type_row type;
        struct svc_account acct;
        int64_t sum = shop_credit_sum(rows, n, rows[i].credit_type_id), journal_id;
        rc = store_credit_type_get(c, x->a, x->tenant_id, rows[i].credit_type_id, &type);
        if (rc == ERR_OK)
            rc = svc_account_open(c, x->a, x->tenant_id, inv->customer_id, &type, x->now_us, &acct);
        struct svc_entry e;
        svc_entry_init(&e, x->a, x->tenant_id, captured ? JOURNAL_REFUND : JOURNAL_RELEASE,
                       inv->customer_id, &type, x->actor, x->now_us);
        e.e.invoice_id = inv->id;
        e.e.reason = "invoice voided";
        for (size_t k = i; rc == ERR_OK && k < n && rows[k].credit_type_id == type.id; k++) {
            struct lot_row r;
            rc = store_lot_get(c, x->a, x->tenant_id, rows[k].lot_id, true, &r);
            if (rc == ERR_OK && lot_can_take_refund(&r.lot, x->now_us)) {
                lot_take_refund(&r.lot, rows[k].amount_minor);
                if ((rc = store_lot_update(c, &r, x->now_us)) == ERR_OK)
                    rc = svc_entry_post(&e, ACCOUNT_LOT, r.lot.id, rows[k].amount_minor);
            } else if (rc == ERR_OK) {
                rc = svc_refund_lot(c, &t, &type, inv->customer_id, 0, rows[k].amount_minor,
                                    svc_actor_label(x->actor), x->now_us, &e);
            }
        }
        if (rc == ERR_OK)
            rc = svc_entry_post(&e, captured ? ACCOUNT_CONSUMED : ACCOUNT_HELD, 0, -sum);
        if (rc == ERR_OK)
            rc = svc_entry_write(c, &e, &acct.acc, &journal_id);
    }
    return rc;
}

/* ---- granting the package's lots -------------------------------------- */

static enum err shop_grant(struct store_conn *c, struct shop_ctx *x, struct invoice_row *inv)
{
    struct svc_lot_input lot = {.customer_id = inv->customer_id,
                                .package_id = inv->package_id,
                                .source = SOURCE_PAYMENT,
                                .reason = inv->number,
                                .invoice_id = inv->id};
    int64_t ids[PACKAGE_CREDIT_TYPES_MAX];
    size_t n_ids;
    ASSERT(inv->package_id != 0);
    enum err rc = svc_lot_add_in_txn(c, x->tenant_id, x->actor, &lot, x->now_us, ids, &n_ids, x->d);
    inv->credits_granted = rc == ERR_OK;
    return rc;
}

/* invoice.created / invoice.paid: the invoice as the API shows it is the
 * payload, rendered when the event goes out. */
static enum err shop_invoice_event(struct store_conn *c, const struct shop_ctx *x,
                                   const struct invoice_row *inv, enum svc_event_type type)
{
    ASSERT(inv->id > 0);
    /* The status of the moment: the object itself is rendered later. */
    const struct svc_event_attr attrs[] = {{"status", inv->status}};
    struct svc_event_new ev = {.tenant_id = inv->tenant_id,
                               .type = type,
                               .customer_id = inv->customer_id,
                               .subject_id = inv->id,
                               .attrs = svc_event_attrs(x->a, attrs, 1),
                               .now_us = x->now_us};
    if (ev.attrs == NULL)
        return ERR_TOO_LARGE;
    return svc_event_emit(c, &ev);
}

/* Paid: captures the store credit, grants the lots when not yet there. */
static enum err shop_settle_paid(struct store_conn *c, struct shop_ctx *x, struct invoice_row *inv)
{
    struct invoice_credit_row *rows = NULL;
    size_t n = 0;
    enum err rc = store_invoice_credits(c, x->a, inv->tenant_id, inv->id, &rows, &n);
    if (rc == ERR_OK)
        rc = shop_credit_capture(c, x, inv, rows, n);
    if (rc == ERR_OK && !inv->credits_granted && inv->package_id != 0)
        rc = shop_grant(c, x, inv);
    inv->status = "paid";
    inv->paid_at_us = x->now_us;
    inv->updated_at_us = x->now_us;
    if (rc == ERR_OK)
        rc = shop_invoice_event(c, x, inv, SVC_EVENT_INVOICE_PAID);
    return rc == ERR_OK ? store_invoice_update(c, inv) : rc;
}

/* Locks the customer's accounts of these types, ascending, before anything
 * else of theirs (see svc_account_lock). */
static int shop_id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static enum err shop_lock_accounts(struct store_conn *c, struct shop_ctx *x, int64_t customer_id,
                                   int64_t *type_ids, size_t n)
{
    qsort(type_ids, n, sizeof(*type_ids), shop_id_cmp);
    enum err rc = ERR_OK;
    for (size_t i = 0; rc == ERR_OK && i < n; i++) {
        struct account_row acc;
        if (i == 0 || type_ids[i] != type_ids[i - 1])
            rc = store_account_lock(c, x->tenant_id, customer_id, type_ids[i], x->now_us, &acc);
    }
    return rc;
}

/* The accounts a purchase touches: its store credit types and the package's
 * (a full store credit cover grants the lots at once). */
static size_t shop_invoice_types(const struct shop_plan *p, int64_t *ids, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n_types && n < max; i++)
        if (shop_type_pays(&p->types[i]))
            ids[n++] = p->types[i].id;
    for (size_t i = 0; p->has_pkg && i < p->pkg.n_credits && n < max; i++)
        ids[n++] = p->pkg.credit_type_ids[i];
    return n;
}

/* Plans the store credit from the accounts as they stand (opened, so due
 * expiries are booked first when writing; read as they are otherwise). */
static enum err shop_plan_credit(struct store_conn *c, struct shop_ctx *x, struct shop_plan *p,
                                 bool write, struct svc_account *accts)
{
    enum err rc = ERR_OK;
    for (size_t i = 0; rc == ERR_OK && i < p->n_types; i++) {
        if (!shop_type_pays(&p->types[i]))
            continue;
        struct svc_account *acct = &accts[i];
        if (write)
            rc = svc_account_open(c, x->a, x->tenant_id, p->customer.id, &p->types[i], x->now_us,
                                  acct);
        else
            rc = store_lot_list_live(c, x->a, x->tenant_id, p->customer.id, p->types[i].id, false,
                                     &acct->lots, &acct->n_lots);
        if (rc == ERR_OK)
            rc = shop_plan_credit_one(p, i, acct->lots, acct->n_lots, x->now_us);
    }
    return rc;
}

static enum err shop_number(struct store_conn *c, struct shop_ctx *x, const struct shop_plan *p,
                            const char **number)
{
    struct local_time lt;
    tz_local_time(&p->tenant.tz, x->now_us, &lt);
    int64_t seq;
    enum err rc = store_counter_next(c, x->tenant_id, "invoice", lt.year, &seq);
    if (rc != ERR_OK)
        return rc;
    *number = arena_printf(x->a, "%s%04lld-%06lld", p->tenant.row.invoice_prefix,
                           (long long)lt.year, (long long)seq);
    return *number != NULL ? ERR_OK : ERR_TOO_LARGE;
}

static void shop_invoice_row(const struct shop_ctx *x, const struct shop_plan *p,
                             const char *number, struct invoice_row *r)
{
    const struct tenant_row *t = &p->tenant.row;
    const char *language = svc_document_language(p->customer.locale, t->locale);
    *r = (struct invoice_row){
        .tenant_id = x->tenant_id,
        .customer_id = p->customer.id,
        .number = number,
        .status = "open",
        .gateway = x->in->gateway,
        .currency = t->currency,
        .seller_name = t->name,
        .seller_address = t->seller_address,
        .seller_country = t->country,
        .seller_vat_id = t->vat_id,
        .buyer_name = p->customer.name,
        .buyer_email = p->customer.email,
        .buyer_country = p->customer.country,
        .buyer_vat_id = p->customer.vat_id,
        .package_id = p->has_pkg ? p->pkg.id : 0,
        .net_minor = p->totals.net_minor,
        .vat_rate_bp = p->totals.vat_rate_bp,
        .vat_minor = p->totals.vat_minor,
        .gross_minor = p->totals.gross_minor,
        .reverse_charge = p->totals.reverse_charge,
        .store_credit_minor = p->store_credit_minor,
        .due_minor = p->due_minor,
        .gateway_ref = x->in->gateway_ref,
        .checkout_url = x->in->checkout_url,
        .note = p->totals.reverse_charge ? i18n_text(language, "invoice.reverse_charge_note") : "",
        .created_by = svc_actor_label(x->actor),
        .created_at_us = x->now_us,
        .updated_at_us = x->now_us,
        .issue_date = svc_local_date(x->a, &p->tenant.tz, x->now_us, 0),
        .due_date = svc_local_date(x->a, &p->tenant.tz, x->now_us, t->payment_terms_days),
        .payment_terms_days = t->payment_terms_days,
        .bank_iban = t->bank_iban,
        .bank_bic = t->bank_bic,
        .bank_account_holder = t->bank_account_holder[0] != '\0' ? t->bank_account_holder : t->name,
        .buyer_address = p->customer.address,
        .language = language};
}

/* Whether the purchase's lots are created with the invoice, before payment. */
static bool shop_grants_at_once(const struct shop_ctx *x, const struct shop_plan *p)
{
    if (x->in->lot != NULL)
        return true; /* an admin adds the lot; the invoice only records it */
    return strcmp(x->in->gateway, "manual") == 0 &&
           strcmp(p->tenant.row.manual_grant, "invoice") == 0;
}

static enum err shop_purchase_write(struct store_conn *c, struct shop_ctx *x, struct shop_plan *p,
                                    struct svc_account *accts, struct invoice_row *inv)
{
    const struct svc_purchase_input *in = x->in;
    enum err rc = store_invoice_insert(c, inv, &inv->id);
    x->invoice_id = inv->id;
    if (rc == ERR_OK)
        rc = shop_invoice_event(c, x, inv, SVC_EVENT_INVOICE_CREATED);
    struct invoice_line_row line = {.description = p->line,
                                    .quantity = 1,
                                    .unit_net_minor = p->totals.net_minor,
                                    .net_minor = p->totals.net_minor};
    if (rc == ERR_OK)
        rc = store_invoice_line_insert(c, inv->tenant_id, inv->id, 0, &line);
    for (size_t k = 0; rc == ERR_OK && k < p->n_credit; k++) {
        size_t ti = p->credit_type[k];
        rc = shop_credit_hold(c, x, &p->types[ti], &accts[ti], &p->credit[k]);
    }
    if (rc == ERR_OK && in->lot != NULL) {
        struct svc_lot_input lot = *in->lot;
        lot.invoice_id = inv->id;
        int64_t ids[PACKAGE_CREDIT_TYPES_MAX];
        size_t n_ids;
        rc = svc_lot_add_in_txn(c, x->tenant_id, x->actor, &lot, x->now_us, ids, &n_ids, x->d);
        inv->credits_granted = true;
    } else if (rc == ERR_OK && shop_grants_at_once(x, p)) {
        rc = shop_grant(c, x, inv);
    }
    bool paid = in->lot != NULL ? strcmp(in->status, "paid") == 0 : inv->due_minor == 0;
    if (rc == ERR_OK && paid)
        rc = shop_settle_paid(c, x, inv);
    else if (rc == ERR_OK && inv->credits_granted)
        rc = store_invoice_update(c, inv);
    return rc;
}

static enum err shop_purchase_txn(struct store_conn *c, void *arg)
{
    struct shop_ctx *x = arg;
    const struct svc_purchase_input *in = x->in;
    struct shop_plan p;
    enum err rc = shop_plan_price(c, x, &p);
    if (rc != ERR_OK)
        return rc;
    /* An admin's lot records its invoice and pays nothing with store credit;
     * it locks its own accounts. A purchase locks every account it may touch
     * first. */
    bool apply_credit = in->lot == NULL;
    int64_t ids[SHOP_TYPES_MAX + PACKAGE_CREDIT_TYPES_MAX];
    size_t n_ids = apply_credit ? shop_invoice_types(&p, ids, SHOP_TYPES_MAX) : 0;
    if ((rc = shop_lock_accounts(c, x, p.customer.id, ids, n_ids)) != ERR_OK)
        return rc;
    const char *number;
    if ((rc = shop_number(c, x, &p, &number)) != ERR_OK)
        return rc;
    struct svc_account *accts = arena_alloc(x->a, (p.n_types + 1) * sizeof(*accts));
    if (accts == NULL)
        return ERR_TOO_LARGE;
    memset(accts, 0, (p.n_types + 1) * sizeof(*accts));
    if (apply_credit && (rc = shop_plan_credit(c, x, &p, true, accts)) != ERR_OK)
        return rc;
    if (in->expect_due_minor >= 0 && in->expect_due_minor != p.due_minor)
        return err_set(x->d, ERR_CONFLICT, "package_id",
                       "the store credit changed while paying; try again");
    struct invoice_row inv;
    shop_invoice_row(x, &p, number, &inv);
    if (inv.issue_date == NULL || inv.due_date == NULL)
        return ERR_TOO_LARGE;
    if ((rc = shop_purchase_write(c, x, &p, accts, &inv)) != ERR_OK)
        return rc;
    return svc_invoice_view_fill(c, x->a, &inv, x->out);
}

static enum err shop_price_txn(struct store_conn *c, void *arg)
{
    struct shop_ctx *x = arg;
    struct shop_plan p;
    enum err rc = shop_plan_price(c, x, &p);
    struct svc_account *accts =
        rc == ERR_OK ? arena_alloc(x->a, (p.n_types + 1) * sizeof(*accts)) : NULL;
    if (rc == ERR_OK && accts == NULL)
        return ERR_TOO_LARGE;
    if (rc == ERR_OK) {
        memset(accts, 0, (p.n_types + 1) * sizeof(*accts));
        rc = shop_plan_credit(c, x, &p, false, accts);
    }
    if (rc != ERR_OK)
        return rc;
    struct invoice_row inv;
    shop_invoice_row(x, &p, "", &inv);
    if (inv.issue_date == NULL || inv.due_date == NULL)
        return ERR_TOO_LARGE;
    struct invoice_line_row *line = arena_alloc(x->a, sizeof(*line));
    if (line == NULL)
        return ERR_TOO_LARGE;
    *line = (struct invoice_line_row){.description = p.line,
                                      .quantity = 1,
                                      .unit_net_minor = p.totals.net_minor,
                                      .net_minor = p.totals.net_minor};
    memset(x->out, 0, sizeof(*x->out));
    x->out->row = inv;
    x->out->lines = line;
    x->out->n_lines = 1;
    return ERR_OK;
}

static enum err shop_input_check(const struct svc_purchase_input *in, struct err_detail *d)
{
    if (in->lot != NULL) {
        ASSERT(strcmp(in->gateway, "admin") == 0);
        if (in->status == NULL || (strcmp(in->status, "paid") != 0 && strcmp(in->status, "open")))
            return err_set(d, ERR_VALIDATION, "invoice", "must be 'paid' or 'open'");
        return svc_lot_input_check(in->lot, d);
    }
    if (in->gateway == NULL ||
        (strcmp(in->gateway, "manual") != 0 && strcmp(in->gateway, "stripe") != 0))
        return err_set(d, ERR_VALIDATION, "gateway", "must be 'manual' or 'stripe'");
    if (in->package_id <= 0)
        return err_set(d, ERR_VALIDATION, "package_id", "is required");
    return ERR_OK;
}

enum err svc_purchase_price(struct svc *s, struct arena *a, int64_t tenant_id,
                            const struct svc_purchase_input *in, struct svc_invoice_view *out,
                            struct err_detail *d)
{
    enum err rc = shop_input_check(in, d);
    if (rc != ERR_OK)
        return rc;
    struct shop_ctx x = {
        .a = a, .tenant_id = tenant_id, .in = in, .now_us = svc_now(s), .out = out, .d = d};
    return store_read(s->st, shop_price_txn, &x);
}

enum err svc_purchase(struct svc *s, struct arena *a, int64_t tenant_id,
                      const struct svc_actor *actor, const struct svc_purchase_input *in,
                      struct svc_invoice_view *out, struct err_detail *d)
{
    enum err rc = shop_input_check(in, d);
    if (rc != ERR_OK)
        return rc;
    memset(out, 0, sizeof(*out));
    struct shop_ctx x = {.a = a,
                         .tenant_id = tenant_id,
                         .actor = actor,
                         .in = in,
                         .now_us = svc_now(s),
                         .out = out,
                         .d = d};
    return store_write(s->st, shop_purchase_txn, &x);
}

/* ---- marking paid and voiding ------------------------------------------ */

/* Locks the accounts of an existing invoice (its store credit types and its
 * lots' or package's types), ascending. */
static enum err shop_invoice_lock(struct store_conn *c, struct shop_ctx *x,
                                  const struct invoice_row *inv,
                                  const struct invoice_credit_row *rows, size_t n,
                                  const struct package_row *pkg)
{
    int64_t ids[SHOP_TYPES_MAX + PACKAGE_CREDIT_TYPES_MAX];
    size_t k = 0;
    for (size_t i = 0; i < n && k < SHOP_TYPES_MAX; i++)
        ids[k++] = rows[i].credit_type_id;
    for (size_t i = 0; pkg != NULL && i < pkg->n_credits; i++)
        ids[k++] = pkg->credit_type_ids[i];
    return shop_lock_accounts(c, x, inv->customer_id, ids, k);
}

static enum err shop_paid_txn(struct store_conn *c, void *arg)
{
    struct shop_ctx *x = arg;
    struct invoice_row inv;
    enum err rc = store_invoice_get(c, x->a, x->tenant_id, x->invoice_id, true, &inv);
    if (rc == ERR_OK && strcmp(inv.status, "open") != 0)
        rc = err_set(x->d, ERR_INVOICE_STATE, "status", "the invoice is %s", inv.status);
    struct invoice_credit_row *rows = NULL;
    size_t n = 0;
    struct package_row pkg;
    bool grant = rc == ERR_OK && !inv.credits_granted && inv.package_id != 0;
    if (rc == ERR_OK)
        rc = store_invoice_credits(c, x->a, inv.tenant_id, inv.id, &rows, &n);
    if (rc == ERR_OK && grant)
        rc = store_package_get(c, x->a, x->tenant_id, inv.package_id, &pkg);
    if (rc == ERR_OK)
        rc = shop_invoice_lock(c, x, &inv, rows, n, grant ? &pkg : NULL);
    if (rc == ERR_OK)
        rc = shop_settle_paid(c, x, &inv);
    return rc == ERR_OK ? svc_invoice_view_fill(c, x->a, &inv, x->out) : rc;
}

/* Takes the unspent credits of one of the invoice's lots out of the balance. */
static enum err shop_lot_remove(struct store_conn *c, struct shop_ctx *x,
                                const struct invoice_row *inv, const struct lot_row *lot,
                                int64_t *removed)
{
    struct credit_type_row type;
    struct svc_account acct;
    *removed = 0;
    enum err rc = store_credit_type_get(c, x->a, x->tenant_id, lot->lot.credit_type_id, &type);
    if (rc == ERR_OK)
        rc = svc_account_open(c, x->a, x->tenant_id, inv->customer_id, &type, x->now_us, &acct);
    struct lot_row *r = NULL;
    for (size_t i = 0; rc == ERR_OK && i < acct.n_lots && r == NULL; i++)
        if (acct.lots[i].lot.id == lot->lot.id)
            r = &acct.lots[i];
    if (rc != ERR_OK || r == NULL || r->lot.remaining_minor == 0)
        return rc; /* expired, deactivated or spent: nothing left to take */
    struct svc_entry e;
    svc_entry_init(&e, x->a, x->tenant_id, JOURNAL_ADJUSTMENT, inv->customer_id, &type, x->actor,
                   x->now_us);
    e.e.invoice_id = inv->id;
    e.e.reason = "correction";
    e.e.justification = arena_printf(x->a, "invoice %s voided", inv->number);
    if (e.e.justification == NULL)
        return ERR_TOO_LARGE;
    int64_t amount = r->lot.remaining_minor, journal_id;
    if ((rc = lot_draw(&r->lot, amount)) == ERR_OK &&
        (rc = store_lot_update(c, r, x->now_us)) == ERR_OK &&
        (rc = svc_entry_post(&e, ACCOUNT_LOT, r->lot.id, -amount)) == ERR_OK &&
        (rc = svc_entry_post(&e, ACCOUNT_ISSUED, 0, amount)) == ERR_OK)
        rc = svc_entry_write(c, &e, &acct.acc, &journal_id);
    *removed = rc == ERR_OK ? amount : 0;
    return rc;
}

static enum err shop_void_txn(struct store_conn *c, void *arg)
{
    struct shop_ctx *x = arg;
    struct invoice_row inv;
    enum err rc = store_invoice_get(c, x->a, x->tenant_id, x->invoice_id, true, &inv);
    if (rc == ERR_OK && strcmp(inv.status, "void") == 0)
        rc = err_set(x->d, ERR_INVOICE_STATE, "status", "the invoice is already void");
    struct invoice_credit_row *rows = NULL;
    struct lot_row *lots = NULL;
    size_t n = 0, n_lots = 0;
    if (rc == ERR_OK)
        rc = store_invoice_credits(c, x->a, inv.tenant_id, inv.id, &rows, &n);
    if (rc == ERR_OK)
        rc = store_lot_list_invoice(c, x->a, inv.tenant_id, inv.id, false, &lots, &n_lots);
    struct package_row lot_types = {.n_credits = 0};
    for (size_t i = 0; rc == ERR_OK && i < n_lots && i < PACKAGE_CREDIT_TYPES_MAX; i++)
        lot_types.credit_type_ids[lot_types.n_credits++] = lots[i].lot.credit_type_id;
    if (rc == ERR_OK)
        rc = shop_invoice_lock(c, x, &inv, rows, n, &lot_types);
    if (rc == ERR_OK)
        rc = shop_credit_return(c, x, &inv, rows, n, strcmp(inv.status, "paid") == 0);
    int64_t *removed = arena_alloc(x->a, (n_lots + 1) * sizeof(*removed));
    if (rc == ERR_OK && removed == NULL)
        rc = ERR_TOO_LARGE;
    for (size_t i = 0; rc == ERR_OK && i < n_lots; i++)
        rc = shop_lot_remove(c, x, &inv, &lots[i], &removed[i]);
    bool was_paid = rc == ERR_OK && strcmp(inv.status, "paid") == 0;
    inv.status = "void";
    inv.void_reason = x->reason;
    inv.voided_at_us = x->now_us;
    inv.updated_at_us = x->now_us;
    if (rc == ERR_OK)
        rc = store_invoice_update(c, &inv);
    /* A paid invoice is cancelled by a credit note, numbered in this
     * transaction so that a void that fails leaves no gap. */
    struct credit_note_row note;
    if (rc == ERR_OK && was_paid)
        rc = svc_credit_note_issue(c, x->a, x->actor, &inv, x->reason, x->now_us, &note);
    if (rc == ERR_OK) {
        x->out->removed_minor = removed;
        rc = svc_invoice_view_fill(c, x->a, &inv, x->out);
    }
    return rc;
}

enum err svc_invoice_mark_paid(struct svc *s, struct arena *a, int64_t tenant_id,
                               const struct svc_actor *actor, int64_t invoice_id,
                               struct svc_invoice_view *out, struct err_detail *d)
{
    memset(out, 0, sizeof(*out));
    struct shop_ctx x = {.a = a,
                         .tenant_id = tenant_id,
                         .actor = actor,
                         .invoice_id = invoice_id,
                         .now_us = svc_now(s),
                         .out = out,
                         .d = d};
    return store_write(s->st, shop_paid_txn, &x);
}

enum err svc_invoice_void(struct svc *s, struct arena *a, int64_t tenant_id,
                          const struct svc_actor *actor, int64_t invoice_id, const char *reason,
                          struct svc_invoice_view *out, struct err_detail *d)
{
    enum err rc = svc_text_check(reason, "reason", NOTE_BYTES_MAX, true, d);
    if (rc != ERR_OK)
        return rc;
    memset(out, 0, sizeof(*out));
    struct shop_ctx x = {.a = a,
                         .tenant_id = tenant_id,
                         .actor = actor,
                         .invoice_id = invoice_id,
                         .reason = reason,
                         .now_us = svc_now(s),
                         .out = out,
                         .d = d};
    return store_write(s->st, shop_void_txn, &x);
}

/* ---- reads ------------------------------------------------------------- */

struct shop_read_ctx {
    struct arena *a;
    int64_t tenant_id, invoice_id, only_customer_id;
    const struct invoice_filter *filter;
    struct svc_invoice_view *one;
    struct svc_invoices *list;
};

static enum err shop_read_one_txn(struct store_conn *c, void *arg)
{
    struct shop_read_ctx *x = arg;
    struct invoice_row inv;
    enum err rc = store_invoice_get(c, x->a, x->tenant_id, x->invoice_id, false, &inv);
    if (rc == ERR_OK && x->only_customer_id != 0 && inv.customer_id != x->only_customer_id)
        rc = ERR_NOT_FOUND;
    return rc == ERR_OK ? svc_invoice_view_fill(c, x->a, &inv, x->one) : rc;
}

enum err svc_invoice_read(struct svc *s, struct arena *a, int64_t tenant_id, int64_t invoice_id,
                          int64_t only_customer_id, struct svc_invoice_view *out)
{
    memset(out, 0, sizeof(*out));
    struct shop_read_ctx x = {.a = a,
                              .tenant_id = tenant_id,
                              .invoice_id = invoice_id,
                              .only_customer_id = only_customer_id,
                              .one = out};
    return store_read(s->st, shop_read_one_txn, &x);
}

static enum err shop_read_list_txn(struct store_conn *c, void *arg)
{
    struct shop_read_ctx *x = arg;
    struct svc_invoices *o = x->list;
    struct invoice_filter f = *x->filter;
    f.limit = x->filter->limit + 1;
    enum err rc = store_credit_type_list(c, x->a, x->tenant_id, &o->types.items, &o->types.n);
    if (rc == ERR_OK)
        rc = store_invoice_list(c, x->a, x->tenant_id, &f, &o->items, &o->n);
    if (rc == ERR_OK && o->n > x->filter->limit) {
        o->more = true;
        o->n = x->filter->limit;
    }
    struct svc_tenant t;
    if (rc == ERR_OK && o->n > 0)
        rc = svc_tenant_load(c, x->a, x->tenant_id, &t);
    for (size_t i = 0; rc == ERR_OK && i < o->n; i++)
        svc_invoice_dates_fill(x->a, &t, &o->items[i]);
    return rc;
}

enum err svc_invoices_read(struct svc *s, struct arena *a, int64_t tenant_id,
                           const struct invoice_filter *f, struct svc_invoices *out)
{
    ASSERT(f->limit > 0);
    memset(out, 0, sizeof(*out));
    struct shop_read_ctx x = {.a = a, .tenant_id = tenant_id, .filter = f, .list = out};
    return store_read(s->st, shop_read_list_txn, &x);
}

/* ---- payment gateway events ------------------------------------------- */

static const char *shop_event_on_open(struct store_conn *c, struct shop_ctx *x,
                                      const struct svc_gateway_event *ev, struct invoice_row *inv,
                                      enum err *rc)
{
    if (ev->kind == SVC_EVENT_EXPIRED) {
        x->reason = "the checkout expired unpaid";
        *rc = shop_void_txn(c, x);
        return "voided";
    }
    if (ev->kind != SVC_EVENT_PAID)
        return ev->kind == SVC_EVENT_UNPAID ? "awaiting_payment" : "ignored";
    if (ev->amount_minor != inv->due_minor || ev->currency == NULL ||
        strcasecmp(ev->currency, inv->currency) != 0) {
        log_msg(LOG_ERROR, "gateway %s event %s pays %lld %s for invoice %s due %lld %s: not paid",
                ev->gateway, ev->event_id, (long long)ev->amount_minor,
                ev->currency ? ev->currency : "", inv->number, (long long)inv->due_minor,
                inv->currency);
        return "amount_mismatch";
    }
    *rc = shop_paid_txn(c, x);
    return "paid";
}

static enum err shop_event_txn(struct store_conn *c, void *arg)
{
    struct shop_ctx *x = arg;
    const struct svc_gateway_event *ev = x->ev;
    struct webhook_event_row seen;
    x->out->outcome = "duplicate";
    enum err rc = store_webhook_event_get(c, x->a, x->tenant_id, ev->gateway, ev->event_id, &seen);
    if (rc != ERR_NOT_FOUND)
        return rc;
    struct invoice_row inv = {0};
    const char *outcome = "unknown_reference";
    rc = ev->ref != NULL && ev->ref[0] != '\0'
             ? store_invoice_by_gateway_ref(c, x->a, x->tenant_id, ev->gateway, ev->ref, true, &inv)
             : ERR_NOT_FOUND;
    if (rc == ERR_OK) {
        ASSERT(inv.tenant_id == x->tenant_id);
        x->invoice_id = inv.id;
        if (strcmp(inv.status, "open") == 0)
            outcome = shop_event_on_open(c, x, ev, &inv, &rc);
        else if (ev->kind == SVC_EVENT_PAID && strcmp(inv.status, "void") == 0) {
            log_msg(LOG_ERROR, "gateway %s event %s pays invoice %s, which is void: refund it",
                    ev->gateway, ev->event_id, inv.number);
            outcome = "invoice_void";
        } else
            outcome = strcmp(inv.status, "paid") == 0 ? "already_paid" : "already_void";
    } else if (rc == ERR_NOT_FOUND) {
        rc = ERR_OK;
    }
    struct webhook_event_row row = {.gateway = ev->gateway,
                                    .event_id = ev->event_id,
                                    .type = ev->type,
                                    .tenant_id = x->tenant_id,
                                    .invoice_id = inv.id,
                                    .outcome = outcome,
                                    .received_at_us = x->now_us};
    if (rc == ERR_OK)
        rc = store_webhook_event_insert(c, &row);
    x->out->outcome = outcome;
    if (x->out->row.id == 0)
        x->out->row = inv;
    return rc;
}

enum err svc_gateway_event_apply(struct svc *s, struct arena *a, int64_t tenant_id,
                                 const struct svc_gateway_event *ev, struct svc_invoice_view *out)
{
    ASSERT(ev->gateway != NULL && ev->event_id != NULL);
    memset(out, 0, sizeof(*out));
    struct tenant_row named;
    if (ev->tenant_id > 0 && svc_tenant_get(s, a, ev->tenant_id, &named) == ERR_OK)
        tenant_id = ev->tenant_id; /* signed: the checkout's own tenant, whatever the host */
    if (tenant_id <= 0)
        return ERR_NOT_FOUND; /* sent to a host of no tenant */
    struct svc_actor actor = {.user_id = 0, .label = ev->gateway};
    struct err_detail d = {0};
    struct shop_ctx x = {.a = a,
                         .tenant_id = tenant_id,
                         .actor = &actor,
                         .ev = ev,
                         .now_us = svc_now(s),
                         .out = out,
                         .d = &d};
    enum err rc = store_write(s->st, shop_event_txn, &x);
    if (rc == ERR_DUPLICATE) {
        /* Delivered twice at once: the other delivery recorded it. */
        out->outcome = "duplicate";
        return ERR_OK;
    }
    return rc;
}
