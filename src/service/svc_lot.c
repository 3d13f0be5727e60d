/*
 * Lots and manual money moves: adding lots (manual or from a package),
 * managing them (pause, resume, extend, deactivate, reactivate, edit),
 * deductions with a reason and justification, signed adjustments and
 * transfers between customers. Rules 6, 7, 13 of DESIGN.md.
 */
#include <stdio.h>
#include <string.h>

#include "service/service_int.h"

static const char *const svc_reasons[] = {"correction", "compensation", "goodwill",
                                          "refund",     "transfer",     "other"};

bool svc_reason_is_valid(const char *reason)
{
    for (size_t i = 0; reason != NULL && i < sizeof(svc_reasons) / sizeof(svc_reasons[0]); i++)
        if (strcmp(reason, svc_reasons[i]) == 0)
            return true;
    return false;
}

static enum err svc_reason_check(const char *reason, const char *justification,
                                 struct err_detail *d)
{
    if (!svc_reason_is_valid(reason))
        return err_set(d, ERR_VALIDATION, "reason",
                       "must be one of correction, compensation, goodwill, refund, transfer, "
                       "other");
    return svc_text_check(justification, "justification", JUSTIFICATION_BYTES_MAX, true, d);
}

static enum err svc_amount_check(int64_t amount_minor, const char *field, struct err_detail *d)
{
    if (amount_minor <= 0)
        return err_set(d, ERR_VALIDATION, field, "must be positive");
    if (amount_minor > AMOUNT_MAX_MINOR)
        return err_set(d, ERR_OVERFLOW, field, "is too large");
    return ERR_OK;
}

/* Copies a lot row into an operation's output, strings into its arena. */
static enum err svc_lots_out_add(struct svc_lots_out *out, const struct lot_row *r)
{
    if (out == NULL)
        return ERR_OK;
    if (out->n == PACKAGE_CREDIT_TYPES_MAX)
        return ERR_TOO_LARGE;
    struct lot_row *dst = &out->rows[out->n];
    *dst = *r;
    dst->name = arena_strdup(out->a, r->name ? r->name : "");
    dst->notes = arena_strdup(out->a, r->notes ? r->notes : "");
    dst->lot.categories = arena_strdup(out->a, r->lot.categories ? r->lot.categories : "");
    dst->lot.provider = arena_strdup(out->a, r->lot.provider ? r->lot.provider : "");
    dst->peak_text = arena_strdup(out->a, r->peak_text ? r->peak_text : "");
    dst->created_by = arena_strdup(out->a, r->created_by ? r->created_by : "");
    if (!dst->name || !dst->notes || !dst->lot.categories || !dst->lot.provider ||
        !dst->peak_text || !dst->created_by)
        return ERR_TOO_LARGE;
    out->n++;
    return ERR_OK;
}

/* ---- creating lots ----------------------------------------------------- */

struct svc_lot_create {
    enum journal_kind kind;
    const struct svc_actor *actor;
    const char *reason;
    const char *justification;
    int64_t transfer_id;
    int64_t now_us;
};

/* Inserts lot r into the opened account and books its credits as issued. */
static enum err svc_lot_create_booked(struct store_conn *c, struct svc_account *acct,
                                      const struct credit_type_row *type, struct lot_row *r,
                                      const struct svc_lot_create *how, int64_t *journal_id)
{
    enum err rc = svc_lot_insert(c, r);
    if (rc != ERR_OK)
        return rc;
    struct svc_entry x;
    svc_entry_init(&x, acct->a, r->tenant_id, how->kind, r->lot.customer_id, type, how->actor,
                   how->now_us);
    x.e.reason = how->reason ? how->reason : "";
    x.e.justification = how->justification ? how->justification : "";
    x.e.transfer_id = how->transfer_id;
    x.e.invoice_id = r->invoice_id;
    if ((rc = svc_entry_post(&x, ACCOUNT_LOT, r->lot.id, r->lot.original_minor)) != ERR_OK ||
        (rc = svc_entry_post(&x, ACCOUNT_ISSUED, 0, -r->lot.original_minor)) != ERR_OK)
        return rc;
    return svc_entry_write(c, &x, &acct->acc, journal_id);
}

/* A lot row from the input's rules, ready for insertion. */
static enum err svc_lot_template(int64_t tenant_id, int64_t customer_id,
                                 const struct credit_type_row *type, int64_t credits,
                                 const struct validity *v, int64_t now_us, struct lot_row *r,
                                 struct err_detail *d)
{
    memset(r, 0, sizeof(*r));
    r->tenant_id = tenant_id;
    r->lot.customer_id = customer_id;
    r->lot.credit_type_id = type->id;
    r->lot.original_minor = credits;
    r->lot.remaining_minor = credits;
    r->lot.status = LOT_ACTIVE;
    r->lot.created_at_us = now_us;
    r->lot.categories = "";
    r->lot.provider = "";
    r->name = "";
    r->notes = "";
    r->peak_text = "";
    return validity_apply(v, now_us, &r->lot, d);
}

struct lot_add_ctx {
    int64_t tenant_id;
    const struct svc_actor *actor;
    const struct svc_lot_input *in;
    int64_t now_us;
    int64_t *ids;
    size_t n_ids;
    struct err_detail *d;
};

static enum err svc_lot_add_one(struct store_conn *c, struct lot_add_ctx *x,
                                struct svc_account *acct, const struct credit_type_row *type,
                                int64_t credits, const struct package_row *pkg, int64_t cost_basis)
{
    const struct svc_lot_input *in = x->in;
    const struct validity *v = pkg ? &pkg->validity : &in->validity;
    struct lot_row r;
    enum err rc =
        svc_lot_template(x->tenant_id, in->customer_id, type, credits, v, x->now_us, &r, x->d);
    if (rc != ERR_OK)
        return rc;
    r.lot.source = in->source;
    r.lot.categories = pkg ? pkg->categories : in->categories ? in->categories : "";
    r.lot.provider = pkg ? pkg->provider : in->provider ? in->provider : "";
    r.peak_text = pkg ? pkg->peak : in->peak ? in->peak : "";
    r.name = in->name && in->name[0] ? in->name : pkg ? pkg->name : "";
    r.notes = in->notes ? in->notes : "";
    r.package_id = pkg ? pkg->id : 0;
    r.invoice_id = in->invoice_id;
    r.cost_basis_minor = cost_basis;
    r.created_by = svc_actor_label(x->actor);
    struct svc_lot_create how = {
        .kind = in->source == SOURCE_PAYMENT ? JOURNAL_PURCHASE : JOURNAL_GRANT,
        .actor = x->actor,
        .reason = in->reason && in->reason[0] ? in->reason : lot_source_name(in->source),
        .now_us = x->now_us,
    };
    int64_t journal_id;
    rc = svc_lot_create_booked(c, acct, type, &r, &how, &journal_id);
    if (rc == ERR_OK)
        x->ids[x->n_ids++] = r.lot.id;
    if (rc == ERR_OK)
        rc = svc_lots_out_add(in->out, &r);
    return rc;
}

/* A package's lots: every account is locked (types ascending) before any is
 * settled or written, see svc_account_lock. */
static enum err svc_lot_add_package(struct store_conn *c, struct arena *a, struct lot_add_ctx *x)
{
    struct package_row pkg;
    enum err rc = store_package_get(c, a, x->tenant_id, x->in->package_id, &pkg);
    /* An archived package is sold no more, but an invoice made before it
     * was archived still grants its lots when it is paid. */
    if (rc == ERR_NOT_FOUND || (rc == ERR_OK && pkg.archived && x->in->invoice_id == 0))
        return err_set(x->d, ERR_VALIDATION, "package_id", "no such package");
    struct credit_type_row types[PACKAGE_CREDIT_TYPES_MAX];
    struct svc_account accts[PACKAGE_CREDIT_TYPES_MAX];
    for (size_t i = 0; rc == ERR_OK && i < pkg.n_credits; i++) {
        rc = store_credit_type_get(c, a, x->tenant_id, pkg.credit_type_ids[i], &types[i]);
        if (rc == ERR_OK)
            rc = svc_account_lock(c, a, x->tenant_id, x->in->customer_id, &types[i], x->now_us,
                                  &accts[i]);
    }
    for (size_t i = 0; rc == ERR_OK && i < pkg.n_credits; i++)
        rc = svc_account_settle(c, x->tenant_id, &types[i], &accts[i], x->now_us);
    /* The net price is the cost basis; several types share it evenly. */
    int64_t n = rc == ERR_OK ? (int64_t)pkg.n_credits : 1;
    for (size_t i = 0; rc == ERR_OK && i < pkg.n_credits; i++) {
        int64_t basis = pkg.price_minor / n + (i == 0 ? pkg.price_minor % n : 0);
        rc = svc_lot_add_one(c, x, &accts[i], &types[i], pkg.credit_amounts_minor[i], &pkg, basis);
    }
    return rc;
}

static enum err svc_lot_add_in(struct store_conn *c, struct lot_add_ctx *x)
{
    const struct svc_lot_input *in = x->in;
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    x->n_ids = 0;
    if (in->out != NULL)
        in->out->n = 0; /* a retried transaction starts over */
    enum err rc = svc_customer_check(c, &a, x->tenant_id, in->customer_id);
    if (rc == ERR_NOT_FOUND)
        rc = err_set(x->d, ERR_NOT_FOUND, "customer_id", "no such customer");
    struct credit_type_row type;
    struct svc_account acct;
    if (rc == ERR_OK && in->package_id == 0) {
        rc = svc_type_by_code(c, &a, x->tenant_id, in->credit_type, &type, x->d);
        if (rc == ERR_OK)
            rc = svc_account_open(c, &a, x->tenant_id, in->customer_id, &type, x->now_us, &acct);
        if (rc == ERR_OK)
            rc = svc_lot_add_one(c, x, &acct, &type, in->credits_minor, NULL, in->price_minor);
    } else if (rc == ERR_OK) {
        rc = svc_lot_add_package(c, &a, x);
    }
    arena_release(&a);
    return rc;
}

enum err svc_lot_add_in_txn(struct store_conn *c, int64_t tenant_id, const struct svc_actor *actor,
                            const struct svc_lot_input *in, int64_t now_us, int64_t *ids,
                            size_t *n_ids, struct err_detail *d)
{
    struct lot_add_ctx x = {
        .tenant_id = tenant_id, .actor = actor, .in = in, .now_us = now_us, .ids = ids, .d = d};
    enum err rc = svc_lot_add_in(c, &x);
    *n_ids = rc == ERR_OK ? x.n_ids : 0;
    return rc;
}

static enum err svc_lot_add_txn(struct store_conn *c, void *arg)
{
    return svc_lot_add_in(c, arg);
}

enum err svc_lot_input_check(const struct svc_lot_input *in, struct err_detail *d)
{
    enum err rc;
    if (in->package_id == 0) {
        if ((rc = svc_amount_check(in->credits_minor, "credits", d)) != ERR_OK)
            return rc;
        if ((rc = svc_lot_rules_check(in->categories, in->provider, in->peak, d)) != ERR_OK)
            return rc;
    }
    if ((rc = svc_text_check(in->name, "name", NAME_BYTES_MAX, false, d)) != ERR_OK ||
        (rc = svc_text_check(in->notes, "notes", NOTE_BYTES_MAX, false, d)) != ERR_OK ||
        (rc = svc_text_check(in->reason, "reason", NAME_BYTES_MAX, false, d)) != ERR_OK)
        return rc;
    if (in->price_minor < 0 || in->price_minor > AMOUNT_MAX_MINOR)
        return err_set(d, ERR_VALIDATION, "price", "must be zero or positive");
    return ERR_OK;
}

enum err svc_lot_add(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                     const struct svc_lot_input *in, int64_t *ids, size_t *n_ids,
                     struct err_detail *d)
{
    enum err rc = svc_lot_input_check(in, d);
    if (rc != ERR_OK)
        return rc;
    struct lot_add_ctx x = {
        .tenant_id = tenant_id, .actor = actor, .in = in, .now_us = svc_now(s), .ids = ids, .d = d};
    rc = svc_write_for(s, tenant_id, in->customer_id, svc_lot_add_txn, &x);
    *n_ids = rc == ERR_OK ? x.n_ids : 0;
    return rc;
}

/* ---- managing lots ----------------------------------------------------- */

struct lot_change_ctx {
    int64_t tenant_id;
    const struct svc_actor *actor;
    int64_t lot_id;
    const struct svc_lot_change *ch;
    int64_t now_us;
    struct err_detail *d;
};

/* Deactivation and reactivation move credits: a journal entry between the
 * lot and the tenant's deactivated account. */
static enum err svc_lot_move(struct store_conn *c, struct lot_change_ctx *x,
                             const struct credit_type_row *type, struct svc_account *acct,
                             struct lot_row *r, int64_t moved, bool out)
{
    struct svc_entry e;
    svc_entry_init(&e, acct->a, x->tenant_id, out ? JOURNAL_DEACTIVATION : JOURNAL_REACTIVATION,
                   r->lot.customer_id, type, x->actor, x->now_us);
    e.e.reason = x->ch->reason ? x->ch->reason : "";
    enum err rc;
    if ((rc = svc_entry_post(&e, ACCOUNT_LOT, r->lot.id, out ? -moved : moved)) != ERR_OK ||
        (rc = svc_entry_post(&e, ACCOUNT_DEACTIVATED, 0, out ? moved : -moved)) != ERR_OK)
        return rc;
    int64_t journal_id;
    return svc_entry_write(c, &e, &acct->acc, &journal_id);
}

static const char *svc_lot_action_name(enum svc_lot_action a)
{
    static const char *const names[] = {"pause",      "resume",     "extend",
                                        "deactivate", "reactivate", "edit"};
    return names[a];
}

/* The length of s cut at max bytes, never inside a UTF-8 character. */
static int svc_lot_cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return (int)n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return (int)n;
}

/* A new name and notes; the history says what the name was and became (each
 * cut at 60 bytes, so the line stays short) and whether the notes changed. */
static enum err svc_lot_edit(const struct svc_lot_change *ch, struct lot_row *r, char *detail,
                             size_t detail_len)
{
    ASSERT(ch->name != NULL || ch->notes != NULL);
    size_t len = 0;
    const char *was = r->name ? r->name : "";
    if (ch->name != NULL && strcmp(ch->name, was) != 0)
        len = (size_t)snprintf(detail, detail_len, "name '%.*s' -> '%.*s'", svc_lot_cut(was, 60),
                               was, svc_lot_cut(ch->name, 60), ch->name);
    bool notes_changed = ch->notes != NULL && strcmp(ch->notes, r->notes ? r->notes : "") != 0;
    if (notes_changed && len < detail_len)
        snprintf(detail + len, detail_len - len, "%snotes changed", len ? "; " : "");
    if (ch->name != NULL)
        r->name = ch->name;
    if (ch->notes != NULL)
        r->notes = ch->notes;
    return ERR_OK;
}

/* Applies the change to r; *moved and *moves_out say whether credits move. */
static enum err svc_lot_apply(struct lot_change_ctx *x, struct lot_row *r, int64_t *moved,
                              char *detail, size_t detail_len)
{
    const struct svc_lot_change *ch = x->ch;
    char before[40], after[40];
    enum err rc = ERR_OK;
    *moved = 0;
    switch (ch->action) {
    case SVC_LOT_PAUSE:
        return lot_pause(&r->lot, x->now_us);
    case SVC_LOT_RESUME:
        rc = lot_resume(&r->lot, x->now_us);
        if (rc == ERR_OK && r->lot.expires_at_us != 0) {
            time_format_rfc3339(r->lot.expires_at_us, after, sizeof(after));
            snprintf(detail, detail_len, "expires_at moved to %s", after);
        }
        return rc;
    case SVC_LOT_EXTEND:
        time_format_rfc3339(r->lot.expires_at_us, before, sizeof(before));
        rc = lot_extend(&r->lot, ch->expires_at_us, x->now_us);
        if (rc == ERR_VALIDATION)
            return err_set(x->d, ERR_VALIDATION, "expires_at",
                           "must be later than the current expiry (a lot that never expires "
                           "cannot be extended)");
        time_format_rfc3339(ch->expires_at_us, after, sizeof(after));
        snprintf(detail, detail_len, "expires_at %s -> %s", before, after);
        return rc;
    case SVC_LOT_DEACTIVATE:
        return lot_deactivate(&r->lot, x->now_us, moved);
    case SVC_LOT_REACTIVATE:
        return lot_reactivate(&r->lot, x->now_us, moved);
    case SVC_LOT_EDIT:
        return svc_lot_edit(ch, r, detail, detail_len);
    }
    return ERR_INTERNAL;
}

static enum err svc_lot_change_txn(struct store_conn *c, void *arg)
{
    struct lot_change_ctx *x = arg;
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    struct lot_row r;
    struct credit_type_row type;
    struct svc_account acct;
    char detail[200] = "";
    int64_t moved = 0;
    /* Lock order: the account first, then the lot (as every operation does). */
    enum err rc = store_lot_get(c, &a, x->tenant_id, x->lot_id, false, &r);
    if (rc == ERR_OK)
        rc = store_credit_type_get(c, &a, x->tenant_id, r.lot.credit_type_id, &type);
    if (rc == ERR_OK)
        rc = svc_account_open(c, &a, x->tenant_id, r.lot.customer_id, &type, x->now_us, &acct);
    if (rc == ERR_OK)
        rc = store_lot_get(c, &a, x->tenant_id, x->lot_id, true, &r);
    /* The credits of a voided invoice's lots left for good. */
    struct invoice_row inv;
    if (rc == ERR_OK && x->ch->action == SVC_LOT_REACTIVATE && r.invoice_id != 0 &&
        store_invoice_get(c, &a, x->tenant_id, r.invoice_id, false, &inv) == ERR_OK &&
        strcmp(inv.status, "void") == 0)
        rc = err_set(x->d, ERR_LOT_STATE, "lot", "its invoice %s was voided", inv.number);
    if (rc == ERR_OK)
        rc = svc_lot_apply(x, &r, &moved, detail, sizeof(detail));
    if (rc == ERR_OK)
        rc = store_lot_update(c, &r, x->now_us);
    if (rc == ERR_OK && x->ch->out != NULL) {
        x->ch->out->n = 0;
        rc = svc_lots_out_add(x->ch->out, &r);
    }
    bool moves = x->ch->action == SVC_LOT_DEACTIVATE || x->ch->action == SVC_LOT_REACTIVATE;
    if (rc == ERR_OK && moves && moved > 0)
        rc = svc_lot_move(c, x, &type, &acct, &r, moved, x->ch->action == SVC_LOT_DEACTIVATE);
    else if (rc == ERR_OK) {
        if (x->ch->reason != NULL && x->ch->reason[0] != '\0') {
            size_t len = strlen(detail);
            snprintf(detail + len, sizeof(detail) - len, "%s%s", len ? "; " : "", x->ch->reason);
        }
        rc = store_lot_event_insert(c, r.tenant_id, r.lot.id, svc_lot_action_name(x->ch->action),
                                    detail, svc_actor_label(x->actor), x->now_us);
    }
    arena_release(&a);
    return rc;
}

enum err svc_lot_change(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                        int64_t lot_id, const struct svc_lot_change *ch, struct err_detail *d)
{
    enum err rc;
    if ((rc = svc_text_check(ch->reason, "reason", NOTE_BYTES_MAX, false, d)) != ERR_OK)
        return rc;
    if (ch->action == SVC_LOT_EDIT) {
        if (ch->name == NULL && ch->notes == NULL)
            return err_set(d, ERR_VALIDATION, "name", "nothing to change");
        if ((rc = svc_text_check(ch->name, "name", NAME_BYTES_MAX, false, d)) != ERR_OK ||
            (rc = svc_text_check(ch->notes, "notes", NOTE_BYTES_MAX, false, d)) != ERR_OK)
            return rc;
    }
    if (ch->action == SVC_LOT_EXTEND && ch->expires_at_us <= 0)
        return err_set(d, ERR_VALIDATION, "expires_at", "is required");
    struct lot_change_ctx x = {.tenant_id = tenant_id,
                               .actor = actor,
                               .lot_id = lot_id,
                               .ch = ch,
                               .now_us = svc_now(s),
                               .d = d};
    rc = store_write(s->st, svc_lot_change_txn, &x);
    if (rc == ERR_LOT_STATE && d->message[0] == '\0')
        err_set(d, ERR_LOT_STATE, "lot", "the lot's status does not allow %s",
                svc_lot_action_name(ch->action));
    if (rc == ERR_LOT_EXPIRED && d->message[0] == '\0')
        err_set(d, ERR_LOT_EXPIRED, "lot", "the lot has expired");
    return rc;
}

/* ---- deductions, adjustments, transfers -------------------------------- */

struct svc_deduct_how {
    enum journal_kind kind;
    const struct svc_actor *actor;
    const char *reason;
    const char *justification;
    int64_t transfer_id;
    int64_t now_us;
};

static enum err svc_shortfall(struct err_detail *d, int64_t requested, int64_t available, int scale)
{
    char need[AMOUNT_TEXT_BYTES], have[AMOUNT_TEXT_BYTES];
    amount_format(requested, scale, need, sizeof(need));
    amount_format(available, scale, have, sizeof(have));
    err_set(d, ERR_INSUFFICIENT_CREDITS, "amount", "%s credits requested, %s available", need,
            have);
    if (d != NULL) {
        d->requested_minor = requested;
        d->available_minor = available;
        d->shortfall_minor = requested - available;
        d->scale = scale;
    }
    return ERR_INSUFFICIENT_CREDITS;
}

/* The lots a deduction may take from, as the core sees them: the one lot
 * lot_id, or every lot of the account; rows[k] is the account's row of
 * lots[k]. Peak multipliers do not apply to deductions. */
static enum err svc_deduct_offer(struct arena *a, const struct svc_account *acct, int64_t lot_id,
                                 struct lot **lots, size_t **rows, size_t *n)
{
    *n = 0;
    *lots = arena_alloc(a, (acct->n_lots + 1) * sizeof(**lots));
    *rows = arena_alloc(a, (acct->n_lots + 1) * sizeof(**rows));
    if (*lots == NULL || *rows == NULL)
        return ERR_TOO_LARGE;
    for (size_t i = 0; i < acct->n_lots; i++) {
        if (lot_id != 0 && acct->lots[i].lot.id != lot_id)
            continue;
        struct lot *l = &(*lots)[*n];
        *l = acct->lots[i].lot;
        l->peak = (struct peak_rule){.multiplier_permille = 1000};
        /* A deduction from a named lot may take from it while it is paused;
         * a paused lot never expires, so its frozen date does not count. */
        if (lot_id != 0 && l->status == LOT_PAUSED) {
            l->status = LOT_ACTIVE;
            l->expires_at_us = 0;
        }
        (*rows)[(*n)++] = i;
    }
    return ERR_OK;
}

/* Deducts amount from one lot (lot_id) or from usable lots in allocation
 * order. */
static enum err svc_deduct_booked(struct store_conn *c, struct arena *a, struct svc_account *acct,
                                  const struct credit_type_row *type, int64_t lot_id,
                                  int64_t amount, const struct svc_deduct_how *how,
                                  int64_t *journal_id, struct err_detail *d)
{
    struct lot *lots;
    size_t *rows, n;
    enum err rc = svc_deduct_offer(a, acct, lot_id, &lots, &rows, &n);
    struct alloc_plan *plan = rc == ERR_OK ? svc_alloc_plan_new(a, n) : NULL;
    if (plan == NULL)
        return ERR_TOO_LARGE;
    struct alloc_request req = {.amount_minor = amount, .now_us = how->now_us};
    rc = alloc_plan_make(lots, n, &req, plan);
    if (rc == ERR_INSUFFICIENT_CREDITS)
        return svc_shortfall(d, amount, plan->available_minor, type->scale);
    if (rc != ERR_OK)
        return rc;
    struct svc_entry x;
    svc_entry_init(&x, a, acct->acc.tenant_id, how->kind, acct->acc.customer_id, type, how->actor,
                   how->now_us);
    x.e.reason = how->reason;
    x.e.justification = how->justification;
    x.e.transfer_id = how->transfer_id;
    for (size_t k = 0; rc == ERR_OK && k < plan->count; k++) {
        const struct alloc_draw *dr = &plan->draws[k];
        struct lot_row *r = &acct->lots[rows[dr->lot_index]];
        ASSERT(r->lot.id == lots[dr->lot_index].id);
        rc = lot_draw(&r->lot, dr->drawn_minor);
        if (rc == ERR_OK)
            rc = store_lot_update(c, r, how->now_us);
        if (rc == ERR_OK)
            rc = svc_entry_post(&x, ACCOUNT_LOT, r->lot.id, -dr->drawn_minor);
    }
    if (rc == ERR_OK)
        rc = svc_entry_post(&x, ACCOUNT_ISSUED, 0, plan->total_minor);
    return rc == ERR_OK ? svc_entry_write(c, &x, &acct->acc, journal_id) : rc;
}

struct deduct_ctx {
    int64_t tenant_id;
    const struct svc_actor *actor;
    const struct svc_deduct_input *in;
    int64_t now_us;
    int64_t journal_id;
    struct err_detail *d;
};

static enum err svc_deduct_txn(struct store_conn *c, void *arg)
{
    struct deduct_ctx *x = arg;
    const struct svc_deduct_input *in = x->in;
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    struct credit_type_row type;
    struct svc_account acct;
    struct lot_row lot;
    int64_t customer_id = in->customer_id;
    enum err rc = ERR_OK;
    if (in->lot_id != 0) {
        rc = store_lot_get(c, &a, x->tenant_id, in->lot_id, false, &lot);
        if (rc == ERR_OK && customer_id != 0 && lot.lot.customer_id != customer_id)
            rc = ERR_NOT_FOUND;
        if (rc == ERR_OK)
            customer_id = lot.lot.customer_id;
        if (rc == ERR_OK)
            rc = store_credit_type_get(c, &a, x->tenant_id, lot.lot.credit_type_id, &type);
    } else {
        rc = svc_customer_check(c, &a, x->tenant_id, customer_id);
        if (rc == ERR_OK)
            rc = svc_type_by_code(c, &a, x->tenant_id, in->credit_type, &type, x->d);
    }
    if (rc == ERR_OK)
        rc = svc_account_open(c, &a, x->tenant_id, customer_id, &type, x->now_us, &acct);
    struct svc_deduct_how how = {.kind = JOURNAL_ADJUSTMENT,
                                 .actor = x->actor,
                                 .reason = in->reason,
                                 .justification = in->justification,
                                 .now_us = x->now_us};
    if (rc == ERR_OK)
        rc = svc_deduct_booked(c, &a, &acct, &type, in->lot_id, in->amount_minor, &how,
                               &x->journal_id, x->d);
    if (rc == ERR_OK && in->out != NULL) {
        in->out->n = 0;
        for (size_t i = 0; rc == ERR_OK && i < acct.n_lots; i++)
            if (acct.lots[i].lot.id == in->lot_id)
                rc = svc_lots_out_add(in->out, &acct.lots[i]);
    }
    arena_release(&a);
    return rc;
}

enum err svc_deduct(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                    const struct svc_deduct_input *in, int64_t *journal_id, struct err_detail *d)
{
    enum err rc;
    if ((rc = svc_amount_check(in->amount_minor, "amount", d)) != ERR_OK ||
        (rc = svc_reason_check(in->reason, in->justification, d)) != ERR_OK)
        return rc;
    struct deduct_ctx x = {
        .tenant_id = tenant_id, .actor = actor, .in = in, .now_us = svc_now(s), .d = d};
    rc = store_write(s->st, svc_deduct_txn, &x);
    if (rc == ERR_OK)
        *journal_id = x.journal_id;
    return rc;
}

struct adjust_ctx {
    int64_t tenant_id;
    const struct svc_actor *actor;
    const struct svc_adjust_input *in;
    int64_t now_us;
    int64_t *journal_id; /* set inside the transaction */
    struct err_detail *d;
};

static enum err svc_adjust_txn(struct store_conn *c, void *arg)
{
    struct adjust_ctx *x = arg;
    const struct svc_adjust_input *in = x->in;
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    struct credit_type_row type;
    struct svc_account acct;
    enum err rc = svc_customer_check(c, &a, x->tenant_id, in->customer_id);
    if (rc == ERR_OK)
        rc = svc_type_by_code(c, &a, x->tenant_id, in->credit_type, &type, x->d);
    if (rc == ERR_OK)
        rc = svc_account_open(c, &a, x->tenant_id, in->customer_id, &type, x->now_us, &acct);
    if (rc == ERR_OK && in->amount_minor > 0) {
        struct lot_row r;
        rc = svc_lot_template(x->tenant_id, in->customer_id, &type, in->amount_minor, &in->validity,
                              x->now_us, &r, x->d);
        r.lot.source = strcmp(in->reason, "goodwill") == 0 ? SOURCE_GOODWILL
                       : strcmp(in->reason, "refund") == 0 ? SOURCE_REFUND
                                                           : SOURCE_MANUAL;
        r.name = "Adjustment";
        r.created_by = svc_actor_label(x->actor);
        struct svc_lot_create how = {.kind = JOURNAL_ADJUSTMENT,
                                     .actor = x->actor,
                                     .reason = in->reason,
                                     .justification = in->justification,
                                     .now_us = x->now_us};
        if (rc == ERR_OK)
            rc = svc_lot_create_booked(c, &acct, &type, &r, &how, x->journal_id);
    } else if (rc == ERR_OK) {
        struct svc_deduct_how how = {.kind = JOURNAL_ADJUSTMENT,
                                     .actor = x->actor,
                                     .reason = in->reason,
                                     .justification = in->justification,
                                     .now_us = x->now_us};
        rc =
            svc_deduct_booked(c, &a, &acct, &type, 0, -in->amount_minor, &how, x->journal_id, x->d);
    }
    arena_release(&a);
    return rc;
}

enum err svc_adjust(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                    const struct svc_adjust_input *in, int64_t *journal_id, struct err_detail *d)
{
    enum err rc;
    if (in->amount_minor == 0)
        return err_set(d, ERR_VALIDATION, "amount", "must not be zero");
    if (in->amount_minor > AMOUNT_MAX_MINOR || in->amount_minor < -AMOUNT_MAX_MINOR)
        return err_set(d, ERR_OVERFLOW, "amount", "is too large");
    if ((rc = svc_reason_check(in->reason, in->justification, d)) != ERR_OK)
        return rc;
    struct adjust_ctx x = {.tenant_id = tenant_id,
                           .actor = actor,
                           .in = in,
                           .now_us = svc_now(s),
                           .journal_id = journal_id,
                           .d = d};
    return svc_write_for(s, tenant_id, in->customer_id, svc_adjust_txn, &x);
}

struct transfer_ctx {
    int64_t tenant_id;
    const struct svc_actor *actor;
    const struct svc_transfer_input *in;
    int64_t now_us;
    int64_t *transfer_id; /* set inside the transaction */
    struct err_detail *d;
};

static enum err svc_transfer_txn(struct store_conn *c, void *arg)
{
    struct transfer_ctx *x = arg;
    *x->transfer_id = 0;
    const struct svc_transfer_input *in = x->in;
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    struct credit_type_row type;
    struct svc_account from, to;
    enum err rc = svc_customer_check(c, &a, x->tenant_id, in->from_customer_id);
    if (rc == ERR_NOT_FOUND)
        rc = err_set(x->d, ERR_NOT_FOUND, "from_customer_id", "no such customer");
    if (rc == ERR_OK &&
        (rc = svc_customer_check(c, &a, x->tenant_id, in->to_customer_id)) == ERR_NOT_FOUND)
        rc = err_set(x->d, ERR_NOT_FOUND, "to_customer_id", "no such customer");
    if (rc == ERR_OK)
        rc = svc_type_by_code(c, &a, x->tenant_id, in->credit_type, &type, x->d);
    /* Accounts lock in ascending customer order, so two opposite transfers
     * cannot deadlock. */
    bool from_first = in->from_customer_id < in->to_customer_id;
    struct svc_account *first = from_first ? &from : &to, *second = from_first ? &to : &from;
    int64_t first_id = from_first ? in->from_customer_id : in->to_customer_id;
    int64_t second_id = from_first ? in->to_customer_id : in->from_customer_id;
    if (rc == ERR_OK)
        rc = svc_account_lock(c, &a, x->tenant_id, first_id, &type, x->now_us, first);
    if (rc == ERR_OK)
        rc = svc_account_lock(c, &a, x->tenant_id, second_id, &type, x->now_us, second);
    if (rc == ERR_OK)
        rc = svc_account_settle(c, x->tenant_id, &type, first, x->now_us);
    if (rc == ERR_OK)
        rc = svc_account_settle(c, x->tenant_id, &type, second, x->now_us);
    if (rc == ERR_OK)
        rc = store_transfer_insert(c, x->tenant_id, in->from_customer_id, in->to_customer_id,
                                   type.id, in->amount_minor, svc_actor_label(x->actor),
                                   in->justification, x->now_us, x->transfer_id);
    int64_t journal_id = 0, to_journal_id = 0;
    struct svc_deduct_how out = {.kind = JOURNAL_TRANSFER,
                                 .actor = x->actor,
                                 .reason = "transfer",
                                 .justification = in->justification,
                                 .transfer_id = *x->transfer_id,
                                 .now_us = x->now_us};
    if (rc == ERR_OK)
        rc = svc_deduct_booked(c, &a, &from, &type, 0, in->amount_minor, &out, &journal_id, x->d);
    struct lot_row r;
    struct validity forever = {.start = START_IMMEDIATE, .expiry = EXPIRY_NEVER};
    if (rc == ERR_OK)
        rc = svc_lot_template(x->tenant_id, in->to_customer_id, &type, in->amount_minor, &forever,
                              x->now_us, &r, x->d);
    if (rc == ERR_OK) {
        r.lot.source = SOURCE_TRANSFER;
        r.name = "Transfer";
        r.created_by = svc_actor_label(x->actor);
        struct svc_lot_create how = {.kind = JOURNAL_TRANSFER,
                                     .actor = x->actor,
                                     .reason = "transfer",
                                     .justification = in->justification,
                                     .transfer_id = *x->transfer_id,
                                     .now_us = x->now_us};
        rc = svc_lot_create_booked(c, &to, &type, &r, &how, &to_journal_id);
    }
    if (rc == ERR_OK && in->out != NULL) {
        ASSERT(journal_id != 0 && to_journal_id != 0);
        *in->out = (struct svc_transfer_out){.from_journal_id = journal_id,
                                             .to_journal_id = to_journal_id,
                                             .to_lot_id = r.lot.id,
                                             .from_balance_minor = from.acc.balance_minor,
                                             .to_balance_minor = to.acc.balance_minor};
    }
    arena_release(&a);
    return rc;
}

enum err svc_transfer(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                      const struct svc_transfer_input *in, int64_t *transfer_id,
                      struct err_detail *d)
{
    enum err rc;
    if ((rc = svc_amount_check(in->amount_minor, "amount", d)) != ERR_OK ||
        (rc = svc_text_check(in->justification, "justification", JUSTIFICATION_BYTES_MAX, true,
                             d)) != ERR_OK)
        return rc;
    if (in->from_customer_id == in->to_customer_id)
        return err_set(d, ERR_VALIDATION, "to_customer_id", "must differ from the source");
    struct transfer_ctx x = {.tenant_id = tenant_id,
                             .actor = actor,
                             .in = in,
                             .now_us = svc_now(s),
                             .transfer_id = transfer_id,
                             .d = d};
    return store_write(s->st, svc_transfer_txn, &x);
}

struct lot_get_ctx {
    struct arena *a;
    int64_t tenant_id, lot_id;
    struct lot_row *out;
    struct credit_type_row *type;
};

static enum err svc_lot_get_txn(struct store_conn *c, void *arg)
{
    struct lot_get_ctx *x = arg;
    enum err rc = store_lot_get(c, x->a, x->tenant_id, x->lot_id, false, x->out);
    if (rc == ERR_OK)
        rc = store_credit_type_get(c, x->a, x->tenant_id, x->out->lot.credit_type_id, x->type);
    return rc;
}

enum err svc_lot_get(struct svc *s, struct arena *a, int64_t tenant_id, int64_t lot_id,
                     struct lot_row *out, struct credit_type_row *type)
{
    struct lot_get_ctx x = {
        .a = a, .tenant_id = tenant_id, .lot_id = lot_id, .out = out, .type = type};
    return store_read(s->st, svc_lot_get_txn, &x);
}
