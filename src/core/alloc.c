/*
 * Allocation: which lots an order draws from, and how much from each.
 * DESIGN rule 2 (order) and rule 3 (peak multipliers). The plan is a pure
 * decision; the service applies it to the stored lots under a lock.
 */
#include <string.h>

#include "core/core.h"

/* The expiry a lot would have if drawn now: a first-use lot that has not
 * started gets its start-relative expiry at this booking. */
static int64_t alloc_expiry(const struct lot *l, int64_t now_us)
{
    if (l->expires_at_us != 0)
        return l->expires_at_us;
    if (l->start_on_first_use && l->starts_at_us == 0 && l->expiry_days_after_start > 0)
        return now_us + (int64_t)l->expiry_days_after_start * USEC_PER_DAY;
    return INT64_MAX;
}

/* Sort key comparison: true when lot a is drawn before lot b. */
static bool alloc_before(const struct lot *a, const struct lot *b, int64_t now_us)
{
    bool ra = lot_is_restricted(a), rb = lot_is_restricted(b);
    if (ra != rb)
        return ra;
    int64_t ea = alloc_expiry(a, now_us);
    int64_t eb = alloc_expiry(b, now_us);
    if (ea != eb)
        return ea < eb;
    if (a->created_at_us != b->created_at_us)
        return a->created_at_us < b->created_at_us;
    return a->id < b->id;
}

/* Order credits a lot can cover at `permille`, and the credits that takes. */
static int64_t alloc_lot_capacity(int64_t remaining_minor, int32_t permille)
{
    if (permille == 1000)
        return remaining_minor;
    /* floor(R*1000/m): ceil(b*m/1000) <= R holds for this b and fails for b+1. */
    return (int64_t)(((__int128)remaining_minor * 1000) / permille);
}

enum err alloc_plan_make(const struct lot *lots, size_t n, const struct alloc_request *req,
                         struct alloc_plan *out)
{
    ASSERT(req->amount_minor >= 0);
    ASSERT(req->local_weekday < 7);
    memset(out, 0, sizeof(*out));
    if (n > ALLOC_LOTS_MAX)
        return ERR_TOO_LARGE;
    size_t order[ALLOC_LOTS_MAX];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const struct lot *l = &lots[i];
        if (!lot_is_usable(l, req->now_us) || !lot_admits(l, req->services, req->n_services))
            continue;
        /* Insertion sort: the lot lists are short and this needs no memory. */
        size_t j = m++;
        while (j > 0 && alloc_before(l, &lots[order[j - 1]], req->now_us)) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    int64_t need = req->amount_minor;
    for (size_t k = 0; k < m; k++) {
        const struct lot *l = &lots[order[k]];
        int32_t permille = peak_rule_multiplier(&l->peak, req->local_weekday, req->local_minute);
        int64_t capacity = alloc_lot_capacity(l->remaining_minor, permille);
        out->available_minor += capacity;
        if (need == 0 || capacity == 0)
            continue;
        int64_t base = capacity < need ? capacity : need;
        int64_t drawn;
        if (amount_scale_up(base, permille, &drawn) != ERR_OK)
            return ERR_OVERFLOW;
        ASSERT(drawn <= l->remaining_minor);
        out->draws[out->count++] = (struct alloc_draw){
            .lot_index = order[k],
            .base_minor = base,
            .drawn_minor = drawn,
            .multiplier_permille = permille,
        };
        out->base_minor += base;
        out->total_minor += drawn;
        need -= base;
    }
    out->shortfall_minor = need;
    if (need > 0)
        return ERR_INSUFFICIENT_CREDITS;
    ASSERT(out->base_minor == req->amount_minor);
    return ERR_OK;
}
