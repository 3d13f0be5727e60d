/*
 * Allocation: which lots an order draws from, and how much from each.
 * DESIGN rule 2 (order) and rule 3 (peak multipliers). The plan is a pure
 * decision in memory the caller lends; the service applies it to the stored
 * lots under a lock. A customer may hold thousands of lots: nothing here is
 * bounded, and an order looks at each lot once plus O(log n) per lot drawn.
 */
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

void alloc_plan_init(struct alloc_plan *p, size_t *order, struct alloc_draw *draws, size_t lots_max)
{
    ASSERT(lots_max == 0 || order != NULL);
    ASSERT(lots_max == 0 || draws != NULL);
    *p = (struct alloc_plan){.order = order, .draws = draws, .lots_max = lots_max};
}

/*
 * A binary heap over the caller's index array with the lot drawn first at
 * order[0]: it sorts in place, so allocation needs no memory of its own, and
 * building it is O(n) while each lot taken from it is O(log n). An order that
 * needs k of a customer's n lots pops only those k.
 */
struct alloc_heap {
    const struct lot *lots;
    size_t *order;
    size_t n;
    int64_t now_us;
};

static bool alloc_heap_before(const struct alloc_heap *h, size_t i, size_t j)
{
    return alloc_before(&h->lots[h->order[i]], &h->lots[h->order[j]], h->now_us);
}

static void alloc_heap_sift_down(struct alloc_heap *h, size_t i)
{
    for (;;) {
        size_t first = i, left = 2 * i + 1, right = left + 1;
        if (left < h->n && alloc_heap_before(h, left, first))
            first = left;
        if (right < h->n && alloc_heap_before(h, right, first))
            first = right;
        if (first == i)
            return;
        size_t moved = h->order[i];
        h->order[i] = h->order[first];
        h->order[first] = moved;
        i = first;
    }
}

/* The index of the lot drawn next, removed from the heap. */
static size_t alloc_heap_pop(struct alloc_heap *h)
{
    ASSERT(h->n > 0);
    size_t top = h->order[0];
    h->order[0] = h->order[--h->n];
    alloc_heap_sift_down(h, 0);
    return top;
}

/* Puts every lot the order may draw from in the heap and sums what they can
 * cover. The available figure needs every usable lot but not their order, so
 * this O(n) pass gives the quote its true total (and the shortfall its exact
 * size) while the draws below stop as soon as the amount is covered. */
static enum err alloc_plan_offer(const struct lot *lots, size_t n, const struct alloc_request *req,
                                 struct alloc_heap *h, int64_t *available_minor)
{
    *available_minor = 0;
    for (size_t i = 0; i < n; i++) {
        const struct lot *l = &lots[i];
        if (!lot_is_usable(l, req->now_us) || !lot_admits(l, req->services, req->n_services))
            continue;
        int32_t permille = peak_rule_multiplier(&l->peak, req->local_weekday, req->local_minute);
        int64_t capacity = alloc_lot_capacity(l->remaining_minor, permille);
        if (amount_add(*available_minor, capacity, available_minor) != ERR_OK)
            return ERR_OVERFLOW;
        if (capacity > 0)
            h->order[h->n++] = i;
    }
    for (size_t i = h->n / 2; i-- > 0;)
        alloc_heap_sift_down(h, i);
    return ERR_OK;
}

enum err alloc_plan_make(const struct lot *lots, size_t n, const struct alloc_request *req,
                         struct alloc_plan *out)
{
    ASSERT(req->amount_minor >= 0);
    ASSERT(req->local_weekday < 7);
    ASSERT(n <= out->lots_max);
    alloc_plan_init(out, out->order, out->draws, out->lots_max);
    struct alloc_heap h = {.lots = lots, .order = out->order, .now_us = req->now_us};
    enum err rc = alloc_plan_offer(lots, n, req, &h, &out->available_minor);
    if (rc != ERR_OK)
        return rc;
    int64_t need = req->amount_minor;
    while (need > 0 && h.n > 0) {
        size_t i = alloc_heap_pop(&h);
        const struct lot *l = &lots[i];
        int32_t permille = peak_rule_multiplier(&l->peak, req->local_weekday, req->local_minute);
        int64_t capacity = alloc_lot_capacity(l->remaining_minor, permille);
        int64_t base = capacity < need ? capacity : need;
        int64_t drawn;
        if (amount_scale_up(base, permille, &drawn) != ERR_OK)
            return ERR_OVERFLOW;
        ASSERT(drawn <= l->remaining_minor);
        ASSERT(out->count < n);
        out->draws[out->count++] = (struct alloc_draw){
            .lot_index = i,
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
