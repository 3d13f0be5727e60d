/*
 * Lots: validity rules, the states a lot moves through (pause, resume,
 * extend, deactivate, reactivate, expire, first use), restrictions and peak
 * windows. Every change is checked first and applied whole, so a refused
 * change leaves the lot as it was.
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"

static const char *const lot_status_names[] = {"active", "paused", "deactivated", "expired",
                                               "exhausted"};
static const char *const lot_source_names[] = {"payment", "manual", "goodwill", "promotion",
                                               "gift",    "refund", "transfer"};
static const char *const start_rule_names[] = {"immediate", "fixed", "first_use"};
static const char *const expiry_rule_names[] = {"never", "fixed", "days_from_purchase",
                                                "days_from_start"};

static bool lot_name_lookup(const char *const *names, size_t n, const char *s, int *out)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], s) == 0) {
            *out = (int)i;
            return true;
        }
    }
    return false;
}

#define LOT_NAMES(fn_name, fn_parse, type, table)                                                  \
    const char *fn_name(type v)                                                                    \
    {                                                                                              \
        ASSERT((size_t)v < sizeof(table) / sizeof(table[0]));                                      \
        return table[v];                                                                           \
    }                                                                                              \
    bool fn_parse(const char *s, type *out)                                                        \
    {                                                                                              \
        int i;                                                                                     \
        if (s == NULL || !lot_name_lookup(table, sizeof(table) / sizeof(table[0]), s, &i))         \
            return false;                                                                          \
        *out = (type)i;                                                                            \
        return true;                                                                               \
    }

LOT_NAMES(lot_status_name, lot_status_parse, enum lot_status, lot_status_names)
LOT_NAMES(lot_source_name, lot_source_parse, enum lot_source, lot_source_names)
LOT_NAMES(start_rule_name, start_rule_parse, enum start_rule, start_rule_names)
LOT_NAMES(expiry_rule_name, expiry_rule_parse, enum expiry_rule, expiry_rule_names)

/* Ten years and a bit: longer validity is a typo, not a business rule. */
enum { VALIDITY_DAYS_MAX = 3660 };

enum err validity_apply(const struct validity *v, int64_t now_us, struct lot *lot,
                        struct err_detail *d)
{
    ASSERT(v != NULL);
    ASSERT(lot != NULL);
    int64_t start = now_us;
    if (v->start == START_FIXED) {
        if (v->start_at_us <= 0)
            return err_set(d, ERR_VALIDATION, "starts_at", "a fixed start needs a date");
        start = v->start_at_us;
    }
    bool days_rule = v->expiry == EXPIRY_DAYS_FROM_PURCHASE || v->expiry == EXPIRY_DAYS_FROM_START;
    if (days_rule && (v->expiry_days < 1 || v->expiry_days > VALIDITY_DAYS_MAX))
        return err_set(d, ERR_VALIDATION, "expiry_days", "must be between 1 and %d",
                       VALIDITY_DAYS_MAX);
    int64_t expires = 0;
    switch (v->expiry) {
    case EXPIRY_NEVER:
        break;
    case EXPIRY_FIXED:
        expires = v->expires_at_us;
        if (expires <= now_us)
            return err_set(d, ERR_VALIDATION, "expires_at", "must be in the future");
        if (v->start != START_FIRST_USE && expires <= start)
            return err_set(d, ERR_VALIDATION, "expires_at", "must be after the start");
        break;
    case EXPIRY_DAYS_FROM_PURCHASE:
        expires = now_us + (int64_t)v->expiry_days * USEC_PER_DAY;
        if (v->start == START_FIXED && expires <= start)
            return err_set(d, ERR_VALIDATION, "expiry_days", "expires before the fixed start");
        break;
    case EXPIRY_DAYS_FROM_START:
        if (v->start != START_FIRST_USE)
            expires = start + (int64_t)v->expiry_days * USEC_PER_DAY;
        if (expires != 0 && expires <= now_us)
            return err_set(d, ERR_VALIDATION, "expiry_days", "the lot would already have expired");
        break;
    }
    lot->start_on_first_use = v->start == START_FIRST_USE;
    lot->starts_at_us = v->start == START_FIRST_USE ? 0 : start;
    lot->expires_at_us = expires;
    lot->expiry_days_after_start =
        v->start == START_FIRST_USE && v->expiry == EXPIRY_DAYS_FROM_START ? v->expiry_days : 0;
    return ERR_OK;
}

bool lot_is_past_expiry(const struct lot *l, int64_t now_us)
{
    if (l->status == LOT_PAUSED)
        return false;
    return l->expires_at_us != 0 && now_us >= l->expires_at_us;
}

bool lot_is_in_balance(const struct lot *l, int64_t now_us)
{
    bool state = l->status == LOT_ACTIVE || l->status == LOT_PAUSED || l->status == LOT_EXHAUSTED;
    return state && !lot_is_past_expiry(l, now_us);
}

bool lot_is_usable(const struct lot *l, int64_t now_us)
{
    if (l->status != LOT_ACTIVE || l->remaining_minor <= 0)
        return false;
    if (lot_is_past_expiry(l, now_us))
        return false;
    bool started = l->starts_at_us != 0 ? l->starts_at_us <= now_us : l->start_on_first_use;
    return started;
}

bool lot_is_restricted(const struct lot *l)
{
    return (l->categories != NULL && l->categories[0] != '\0') ||
           (l->provider != NULL && l->provider[0] != '\0');
}

/* True when `item` is one of the comma-separated entries of `list`. */
static bool lot_list_contains(const char *list, const char *item)
{
    size_t n = strlen(item);
    const char *p = list;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && n > 0 && memcmp(p, item, n) == 0)
            return true;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return false;
}

bool lot_admits(const struct lot *l, const struct order_service *services, size_t n)
{
    bool by_category = l->categories != NULL && l->categories[0] != '\0';
    bool by_provider = l->provider != NULL && l->provider[0] != '\0';
    for (size_t i = 0; i < n; i++) {
        const char *category = services[i].category ? services[i].category : "";
        const char *provider = services[i].provider ? services[i].provider : "";
        if (by_category && !lot_list_contains(l->categories, category))
            return false;
        if (by_provider && strcmp(l->provider, provider) != 0)
            return false;
    }
    return true;
}

enum err lot_pause(struct lot *l, int64_t now_us)
{
    if (l->status != LOT_ACTIVE && l->status != LOT_EXHAUSTED)
        return ERR_LOT_STATE;
    if (lot_is_past_expiry(l, now_us))
        return ERR_LOT_EXPIRED;
    l->status = LOT_PAUSED;
    l->paused_at_us = now_us;
    return ERR_OK;
}

/* Ends a pause: the expiry moves later by the time the lot was paused. */
static void lot_unpause(struct lot *l, int64_t now_us)
{
    ASSERT(l->status == LOT_PAUSED);
    ASSERT(now_us >= l->paused_at_us);
    if (l->expires_at_us != 0)
        l->expires_at_us += now_us - l->paused_at_us;
    l->paused_at_us = 0;
    l->status = l->remaining_minor > 0 ? LOT_ACTIVE : LOT_EXHAUSTED;
}

enum err lot_resume(struct lot *l, int64_t now_us)
{
    if (l->status != LOT_PAUSED)
        return ERR_LOT_STATE;
    if (now_us < l->paused_at_us)
        return ERR_VALIDATION;
    lot_unpause(l, now_us);
    return ERR_OK;
}

enum err lot_extend(struct lot *l, int64_t new_expires_at_us, int64_t now_us)
{
    if (l->status == LOT_EXPIRED || lot_is_past_expiry(l, now_us))
        return ERR_LOT_EXPIRED;
    if (l->status == LOT_DEACTIVATED)
        return ERR_LOT_STATE;
    if (l->expires_at_us == 0 || new_expires_at_us <= l->expires_at_us)
        return ERR_VALIDATION;
    l->expires_at_us = new_expires_at_us;
    return ERR_OK;
}

enum err lot_deactivate(struct lot *l, int64_t now_us, int64_t *moved_minor)
{
    if (l->status == LOT_DEACTIVATED || l->status == LOT_EXPIRED)
        return ERR_LOT_STATE;
    if (lot_is_past_expiry(l, now_us))
        return ERR_LOT_EXPIRED;
    if (l->status == LOT_PAUSED && now_us < l->paused_at_us)
        return ERR_VALIDATION;
    if (l->status == LOT_PAUSED)
        lot_unpause(l, now_us);
    *moved_minor = l->remaining_minor;
    l->deactivated_minor = l->remaining_minor;
    l->remaining_minor = 0;
    l->status = LOT_DEACTIVATED;
    return ERR_OK;
}

enum err lot_reactivate(struct lot *l, int64_t now_us, int64_t *moved_minor)
{
    if (l->status != LOT_DEACTIVATED)
        return ERR_LOT_STATE;
    if (l->expires_at_us != 0 && now_us >= l->expires_at_us)
        return ERR_LOT_EXPIRED;
    *moved_minor = l->deactivated_minor;
    l->remaining_minor = l->deactivated_minor;
    l->deactivated_minor = 0;
    l->status = l->remaining_minor > 0 ? LOT_ACTIVE : LOT_EXHAUSTED;
    return ERR_OK;
}

enum err lot_expire(struct lot *l, int64_t now_us, int64_t *moved_minor)
{
    if (l->status != LOT_ACTIVE && l->status != LOT_EXHAUSTED)
        return ERR_LOT_STATE;
    if (!lot_is_past_expiry(l, now_us))
        return ERR_LOT_STATE;
    *moved_minor = l->remaining_minor;
    l->remaining_minor = 0;
    l->status = LOT_EXPIRED;
    return ERR_OK;
}

void lot_start_on_use(struct lot *l, int64_t now_us)
{
    if (l->starts_at_us != 0 || !l->start_on_first_use)
        return;
    l->starts_at_us = now_us;
    if (l->expiry_days_after_start > 0)
        l->expires_at_us = now_us + (int64_t)l->expiry_days_after_start * USEC_PER_DAY;
}

enum err lot_draw(struct lot *l, int64_t amount_minor)
{
    ASSERT(amount_minor > 0);
    if (amount_minor > l->remaining_minor)
        return ERR_INSUFFICIENT_CREDITS;
    l->remaining_minor -= amount_minor;
    if (l->remaining_minor == 0 && l->status == LOT_ACTIVE)
        l->status = LOT_EXHAUSTED;
    return ERR_OK;
}

bool lot_can_take_refund(const struct lot *l, int64_t now_us)
{
    if (l->status == LOT_EXPIRED || l->status == LOT_DEACTIVATED)
        return false;
    return !lot_is_past_expiry(l, now_us);
}

void lot_take_refund(struct lot *l, int64_t amount_minor)
{
    ASSERT(amount_minor > 0);
    ASSERT(l->status != LOT_EXPIRED && l->status != LOT_DEACTIVATED);
    l->remaining_minor += amount_minor;
    if (l->status == LOT_EXHAUSTED)
        l->status = LOT_ACTIVE;
}
