/*
 * Property tests of the whole ledger through the service layer, on the real
 * store (a new SQLite file, or PostgreSQL when CREDITD_TEST_DB holds a URL).
 *
 * Goal: thousands of random business operations in random order never break
 * the rules of DESIGN §2 or the ledger of §3, and a refused operation changes
 * nothing at all.
 *
 * Method: a few customers, services priced in master and slave (some of them
 * courses of a trainer), then random operations: manual lots with every
 * validity rule, restrictions and peak rules, quotes and orders, cancellation
 * by staff and by the customer, status moves, FIFO and single-lot deductions,
 * positive adjustments, transfers, pause / resume / extend / deactivate /
 * reactivate / edit of lots, the clock moving by minutes to days, the expiry
 * job, charge_on switching between submit and delivery, credit types
 * switched off and on, and technicians ordering against the monthly limit
 * their owner sets. Many are refused, on purpose. The tenant works in UTC,
 * Europe/Berlin or America/New_York, so peak windows and calendar months
 * move with daylight saving. Beside the store the test
 * keeps its own model, written from DESIGN.md and service.h rather than from
 * the code: every lot (remaining, status, start, expiry, pause), every order
 * and the held and stored balance of every account. For each operation the
 * model predicts the outcome (refused with which code, or the exact quote with
 * its draws) and the journal entries it writes. After each operation the test
 * compares the service's balances with the model (and, after a refusal, with
 * the balances before it), reads the new journal entries (each balanced, its
 * amount the customer's postings, balance_after the running sum, lot postings
 * on the customer's own lots, the count the model predicted), compares the
 * touched customers' lots and orders row by row, and checks
 * balance >= available >= 0. Every PROP_VERIFY_EVERY operations and at the
 * end it runs verify; at the end it runs expiry and re-reads the whole journal
 * to check that the postings sum to zero, that each customer's balance is the
 * sum of its lot and held postings, and that the sum of all balances is
 * issued minus consumed, expired and deactivated.
 *
 * The seed is printed first; PROP_SEED=<seed> replays a run and PROP_OPS
 * scales it (default 2000 operations for the mixed run, a quarter of that for
 * each of the two focused runs). The last operations are printed on failure.
 * A failure the runs found is kept below as a small fixed case.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testdb.h"

enum {
    PROP_CUSTOMERS = 4,
    PROP_TYPES = 2,
    PROP_SERVICES = 7,
    PROP_VERIFY_EVERY = 100,
    PROP_FULL_CHECK_EVERY = 50,
    PROP_HISTORY = 24,
    PROP_OPS_DEFAULT = 2000,
};

#define PROP_MINUTE USEC_PER_MIN
#define PROP_HOUR   USEC_PER_HOUR
#define PROP_DAY    USEC_PER_DAY

static const struct svc_actor prop_staff = {.user_id = 0, .label = "staff@test.example"};

static const char *const prop_type_codes[PROP_TYPES] = {"master", "slave"};
static const char *const prop_type_names[PROP_TYPES] = {"Master credits", "Slave credits"};

/* The catalogue: a cost of -1 means "no price in that type". */
struct prop_service {
    const char *name, *kind, *category, *provider;
    int64_t cost[PROP_TYPES];
};

static const struct prop_service prop_services[PROP_SERVICES] = {
    {"Stage 1", "base", "tuning", "", {6, 4}},
    {"Stage 2", "base", "tuning", "", {10, 7}},
    {"DPF off", "addon", "tuning", "", {2, 1}},
    {"EGR off", "addon", "tuning", "", {1, 1}},
    {"Yoga with Anna", "base", "courses", "anna", {3, -1}},
    {"Stretching with Anna", "addon", "courses", "anna", {2, 2}},
    {"Spin class with Ben", "base", "courses", "ben", {4, 3}},
};

/* Peak rules as text, and the same rules as the model reads them (windows in
 * the tenant's local time). */
struct prop_peak {
    const char *text;
    int32_t permille;
    int n;
    uint8_t days[2];
    uint16_t from_minute[2], to_minute[2];
};

static const struct prop_peak prop_peaks[] = {
    {"1.5x Mon-Fri 07:00-09:00, Mon-Fri 17:00-20:00",
     1500,
     2,
     {0x1f, 0x1f},
     {420, 1020},
     {540, 1200}},
    {"2x Daily 10:00-12:00", 2000, 1, {0x7f, 0}, {600, 0}, {720, 0}},
    {"1.25x Sat+Sun 00:00-24:00", 1250, 1, {0x60, 0}, {0, 0}, {1440, 0}},
    {"1.333x Mon+Wed+Fri 09:30-18:15", 1333, 1, {0x15, 0}, {570, 0}, {1095, 0}},
};
#define PROP_N_PEAKS ((int)(sizeof(prop_peaks) / sizeof(prop_peaks[0])))

struct prop_restriction {
    const char *categories, *provider;
};

static const struct prop_restriction prop_restrictions[] = {
    {"courses", ""}, {"tuning,courses", ""}, {"", "anna"}, {"courses", "anna"}, {"tuning", ""},
};
#define PROP_N_RESTRICTIONS ((int)(sizeof(prop_restrictions) / sizeof(prop_restrictions[0])))

static const char *const prop_reasons[] = {"correction", "compensation", "goodwill",
                                           "refund",     "transfer",     "other"};

/* ---- the model ----------------------------------------------------------- */

struct mlot {
    int64_t id; /* 0 while the store has made it but the test has not seen its id */
    int cust, type;
    int64_t original, remaining, deactivated;
    enum lot_status status;
    enum lot_source source;
    int64_t created_at, starts_at, expires_at, paused_at;
    bool first_use;
    int32_t days_after_start;
    int restriction; /* index into prop_restrictions, -1 = none */
    int peak;        /* index into prop_peaks, -1 = none */
};

enum morder_status { MO_SUBMITTED, MO_IN_PROGRESS, MO_COMPLETED, MO_CANCELLED };
static const char *const morder_status_names[] = {"submitted", "in_progress", "completed",
                                                  "cancelled"};

struct morder {
    int64_t id;
    int cust, type;
    enum morder_status status;
    const char *charge_mode; /* charged | held | captured | released | refunded */
    int64_t total;
    size_t n_draws;
    int64_t *draw_lot, *draw_amount;
    bool by_technician;
    int64_t created_at;
};

struct model {
    struct mlot *lots; /* ascending id once adopted */
    size_t n_lots, cap_lots;
    struct morder *orders;
    size_t n_orders, cap_orders;
    int64_t held[PROP_CUSTOMERS][PROP_TYPES];
    int64_t stored[PROP_CUSTOMERS][PROP_TYPES]; /* the journal's running balance */
    int64_t system[PROP_TYPES][ACCOUNT__COUNT]; /* sum of postings per system account */
    bool spendable[PROP_TYPES];
    int64_t limit[PROP_CUSTOMERS][PROP_TYPES]; /* the technician's monthly limit, -1 = none */
    bool delivery;
    int32_t refund_days;
    int64_t max_lot_id;
};

/* A balance as svc_balances shows it. */
struct pbal {
    int64_t balance, available, held;
    bool spendable;
};

/* What the journal says, read incrementally. */
struct jstate {
    int64_t last_id, n_entries;
    /* Each account's hash chain: its last seq and hash. */
    int64_t chain_seq[PROP_CUSTOMERS][PROP_TYPES];
    uint8_t chain_hash[PROP_CUSTOMERS][PROP_TYPES][SHA256_BYTES];
    int64_t running[PROP_CUSTOMERS][PROP_TYPES];
    int64_t held[PROP_CUSTOMERS][PROP_TYPES];
    int64_t system[PROP_TYPES][ACCOUNT__COUNT];
    int64_t postings[PROP_TYPES]; /* every posting, lots included */
    int64_t n_new;
    int n_kind[JOURNAL__COUNT];
};

/* Operation mix of one run, in relative weights. */
enum prop_op {
    OP_LOT_ADD,
    OP_ORDER,
    OP_CANCEL,
    OP_STATUS,
    OP_DEDUCT_FIFO,
    OP_DEDUCT_LOT,
    OP_ADJUST_ADD,
    OP_TRANSFER,
    OP_LOT_CHANGE,
    OP_CLOCK,
    OP_EXPIRE,
    OP_CHARGE_ON,
    OP_SPENDABLE,
    OP_LIMIT,
    OP__COUNT
};
static const char *const prop_op_names[OP__COUNT] = {
    "lot add",  "order",      "cancel", "status", "deduct fifo", "deduct lot", "adjust add",
    "transfer", "lot change", "clock",  "expire", "charge_on",   "spendable",  "limit"};

struct prop_profile {
    const char *name;
    int zone; /* index into prop_zones */
    int weight[OP__COUNT];
    int64_t lot_credits_max;
    int delivery_percent; /* chance that a settings change picks delivery */
    bool start_with_delivery;
};

struct prop {
    struct testdb *t;
    const struct prop_profile *profile;
    const struct prop_zone *zone;
    uint64_t seed, rng;
    long op_index;
    int64_t customer_ids[PROP_CUSTOMERS];
    int64_t technician_ids[PROP_CUSTOMERS];
    int64_t type_ids[PROP_TYPES];
    int64_t service_ids[PROP_SERVICES];
    struct model m;
    struct jstate j;
    struct arena a; /* per operation */
    struct pbal before[PROP_CUSTOMERS][PROP_TYPES];
    /* The outcome of the current operation. */
    bool refused;
    int64_t expect_kind[JOURNAL__COUNT]; /* journal entries the model expects, by kind */
    unsigned touched;                    /* customers whose lots to compare, as bits */
    long order_touched;                  /* order index to compare, -1 none */
    char what[256];
    char history[PROP_HISTORY][320];
    long ok[OP__COUNT], no[OP__COUNT][ERR__COUNT];
    enum err last_rc;
    char problem[512]; /* set inside a store callback, reported after it */
};

/* ---- failing with context ------------------------------------------------ */

static void prop_fail(struct prop *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)))
__attribute__((noreturn));

static void prop_fail(struct prop *p, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr,
            "property run '%s', seed %" PRIu64 " (replay: PROP_SEED=%" PRIu64
            "), %s, operation %ld\nlast operations:\n",
            p->profile->name, p->seed, p->seed, testdb_backend(), p->op_index);
    for (long i = p->op_index - PROP_HISTORY + 1; i < p->op_index; i++)
        if (i >= 0)
            fprintf(stderr, "  %5ld %s\n", i, p->history[i % PROP_HISTORY]);
    fprintf(stderr, "  %5ld %s  <= this one\n", p->op_index, p->what);
    fail_msg("%s", msg);
    abort();
}

/* ---- random numbers: xorshift64* ----------------------------------------- */

static uint64_t prop_next(struct prop *p)
{
    uint64_t x = p->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    p->rng = x;
    return x * UINT64_C(2685821657736338717);
}

/* Uniform in [lo, hi]. */
static int64_t prop_range(struct prop *p, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(prop_next(p) % (uint64_t)(hi - lo + 1));
}

static bool prop_chance(struct prop *p, int percent)
{
    return prop_range(p, 0, 99) < percent;
}

/* A whole number from the environment, or 0 when unset. */
static int64_t prop_env(const char *name)
{
    const char *s = getenv(name);
    int64_t v = 0;
    if (s != NULL && s[0] != '\0' && (!parse_int64(s, &v) || v < 0))
        fail_msg("%s must be a whole number, not '%s'", name, s);
    return v;
}

static uint64_t prop_seed(int run)
{
    if (getenv("PROP_SEED") != NULL && getenv("PROP_SEED")[0] != '\0')
        return (uint64_t)prop_env("PROP_SEED");
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
    return (x ^ (uint64_t)run * UINT64_C(0x9E3779B97F4A7C15)) % UINT64_C(1000000000000);
}

static long prop_ops(void)
{
    int64_t n = prop_env("PROP_OPS");
    return n > 0 ? (long)n : PROP_OPS_DEFAULT;
}

/* ---- the model's reading of the rules ------------------------------------ */

static bool mlot_past_expiry(const struct mlot *l, int64_t now)
{
    /* A paused lot's expiry clock stands still (rule 7). */
    return l->status != LOT_PAUSED && l->expires_at != 0 && now >= l->expires_at;
}

static bool mlot_in_balance(const struct mlot *l, int64_t now)
{
    bool live = l->status == LOT_ACTIVE || l->status == LOT_PAUSED || l->status == LOT_EXHAUSTED;
    return live && !mlot_past_expiry(l, now);
}

static bool mlot_started(const struct mlot *l, int64_t now)
{
    if (l->first_use && l->starts_at == 0)
        return true; /* starts at this booking */
    return l->starts_at <= now;
}

static bool mlot_usable(const struct mlot *l, int64_t now)
{
    return l->status == LOT_ACTIVE && l->remaining > 0 && !mlot_past_expiry(l, now) &&
           mlot_started(l, now);
}

static bool mlot_restricted(const struct mlot *l)
{
    return l->restriction >= 0;
}

static bool prop_list_has(const char *list, const char *item)
{
    size_t n = strlen(item);
    for (const char *s = list; n > 0 && *s;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        if (len == n && strncmp(s, item, n) == 0)
            return true;
        if (comma == NULL)
            break;
        s = comma + 1;
    }
    return false;
}

static bool mlot_admits(const struct mlot *l, const int *services, size_t n)
{
    if (l->restriction < 0)
        return true;
    const struct prop_restriction *r = &prop_restrictions[l->restriction];
    for (size_t i = 0; i < n; i++) {
        const struct prop_service *s = &prop_services[services[i]];
        if (r->categories[0] && !prop_list_has(r->categories, s->category))
            return false;
        if (r->provider[0] && strcmp(r->provider, s->provider) != 0)
            return false;
    }
    return true;
}

/* ---- the tenant's time zone as the model knows it -------------------------- */

/* Civil dates (H. Hinnant's algorithms), written here rather than taken from
 * base/time.c, which is under test. */
static int64_t prop_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void prop_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Monday = 0 … Sunday = 6; 1970-01-01 was a Thursday. */
static int prop_weekday(int64_t days)
{
    return (int)(((days % 7) + 7 + 3) % 7);
}

/* The day of the nth Sunday (0 = the last) of a month. */
static int64_t prop_sunday(int64_t y, int m, int nth)
{
    if (nth == 0) {
        int64_t last = prop_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;
        return last - (prop_weekday(last) + 1) % 7;
    }
    int64_t first = prop_days_from_civil(y, m, 1);
    return first + (6 - prop_weekday(first) + 7) % 7 + 7 * (nth - 1);
}

/* A zone by its published rule: standard offset, and daylight saving from the
 * nth Sunday of one month to the nth Sunday of another, at UTC hours. */
struct prop_zone {
    const char *name;
    int32_t std_offset_s, dst_offset_s;
    int start_month, start_nth, start_hour_utc;
    int end_month, end_nth, end_hour_utc;
};

static const struct prop_zone prop_zones[] = {
    {"UTC", 0, 0, 0, 0, 0, 0, 0, 0},
    {"Europe/Berlin", 3600, 7200, 3, 0, 1, 10, 0, 1},
    {"America/New_York", -18000, -14400, 3, 2, 7, 11, 1, 6},
};

static int64_t prop_zone_offset_us(const struct prop_zone *z, int64_t utc)
{
    if (z->start_month == 0)
        return z->std_offset_s * USEC_PER_SEC;
    int64_t y;
    int m, d;
    prop_civil_from_days(utc / PROP_DAY, &y, &m, &d);
    int64_t start =
        prop_sunday(y, z->start_month, z->start_nth) * PROP_DAY + z->start_hour_utc * PROP_HOUR;
    int64_t end = prop_sunday(y, z->end_month, z->end_nth) * PROP_DAY + z->end_hour_utc * PROP_HOUR;
    bool dst = utc >= start && utc < end;
    return (dst ? z->dst_offset_s : z->std_offset_s) * USEC_PER_SEC;
}

static int32_t mlot_multiplier(const struct mlot *l, const struct prop_zone *z, int64_t now)
{
    if (l->peak < 0)
        return 1000;
    const struct prop_peak *pk = &prop_peaks[l->peak];
    int64_t local = now + prop_zone_offset_us(z, now);
    int64_t days = local / PROP_DAY;
    unsigned weekday = (unsigned)prop_weekday(days);
    unsigned minute = (unsigned)((local % PROP_DAY) / PROP_MINUTE);
    for (int i = 0; i < pk->n; i++)
        if ((pk->days[i] & (1u << weekday)) && minute >= pk->from_minute[i] &&
            minute < pk->to_minute[i])
            return pk->permille;
    return 1000;
}

/* The expiry a lot has once drawn now: a first-use lot that has not started
 * starts at this booking, which fixes its start-relative expiry (rule 2). */
static int64_t mlot_expiry_if_drawn(const struct mlot *l, int64_t now)
{
    if (l->expires_at != 0)
        return l->expires_at;
    if (l->first_use && l->starts_at == 0 && l->days_after_start > 0)
        return now + l->days_after_start * PROP_DAY;
    return INT64_MAX;
}

/* Rule 2's order: restricted first, earliest expiry (never last), oldest, id. */
static bool mlot_before(const struct mlot *a, const struct mlot *b, int64_t now)
{
    if (mlot_restricted(a) != mlot_restricted(b))
        return mlot_restricted(a);
    int64_t ea = mlot_expiry_if_drawn(a, now);
    int64_t eb = mlot_expiry_if_drawn(b, now);
    if (ea != eb)
        return ea < eb;
    if (a->created_at != b->created_at)
        return a->created_at < b->created_at;
    return a->id < b->id;
}

/* The status a lot has once its account is opened (due expiry applied). */
static enum lot_status mlot_status_opened(const struct mlot *l, int64_t now)
{
    if (l->status == LOT_ACTIVE && mlot_past_expiry(l, now))
        return LOT_EXPIRED;
    return l->status;
}

static struct mlot *model_lot(struct prop *p, int64_t id)
{
    size_t lo = 0, hi = p->m.n_lots;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int64_t mid_id = p->m.lots[mid].id;
        if (mid_id == 0 || mid_id > id)
            hi = mid;
        else if (mid_id < id)
            lo = mid + 1;
        else
            return &p->m.lots[mid];
    }
    return NULL;
}

static struct mlot *model_lot_append(struct prop *p)
{
    struct model *m = &p->m;
    if (m->n_lots == m->cap_lots) {
        m->cap_lots = m->cap_lots ? m->cap_lots * 2 : 256;
        m->lots = realloc(m->lots, m->cap_lots * sizeof(*m->lots));
        assert_non_null(m->lots);
    }
    struct mlot *l = &m->lots[m->n_lots++];
    memset(l, 0, sizeof(*l));
    l->restriction = -1;
    l->peak = -1;
    l->created_at = p->t->now_us;
    l->status = LOT_ACTIVE;
    return l;
}

static struct pbal model_view(const struct prop *p, int c, int t)
{
    int64_t now = p->t->now_us;
    struct pbal b = {.balance = p->m.held[c][t], .held = p->m.held[c][t]};
    b.spendable = p->m.spendable[t];
    for (size_t i = 0; i < p->m.n_lots; i++) {
        const struct mlot *l = &p->m.lots[i];
        if (l->cust != c || l->type != t)
            continue;
        if (mlot_in_balance(l, now))
            b.balance += l->remaining;
        if (mlot_usable(l, now))
            b.available += l->remaining;
    }
    return b;
}

static void prop_expect_entry(struct prop *p, enum journal_kind kind)
{
    p->expect_kind[kind]++;
}

/* Opening an account for change expires its due lots first, one journal
 * entry each. */
static void model_open_account(struct prop *p, int c, int t)
{
    int64_t now = p->t->now_us;
    for (size_t i = 0; i < p->m.n_lots; i++) {
        struct mlot *l = &p->m.lots[i];
        if (l->cust != c || l->type != t || l->status != LOT_ACTIVE || !mlot_past_expiry(l, now))
            continue;
        p->m.stored[c][t] -= l->remaining;
        p->m.system[t][ACCOUNT_EXPIRED] += l->remaining;
        if (l->remaining > 0)
            prop_expect_entry(p, JOURNAL_EXPIRY);
        l->remaining = 0;
        l->status = LOT_EXPIRED;
    }
}

/* A validity rule as the model applies it; false when it cannot hold. */
static bool model_validity(const struct validity *v, int64_t now, struct mlot *l)
{
    int64_t start = v->start == START_FIXED ? v->start_at_us : now;
    bool days_rule = v->expiry == EXPIRY_DAYS_FROM_PURCHASE || v->expiry == EXPIRY_DAYS_FROM_START;
    if (days_rule && (v->expiry_days < 1 || v->expiry_days > 3660))
        return false;
    int64_t expires = 0;
    if (v->expiry == EXPIRY_FIXED) {
        expires = v->expires_at_us;
        if (expires <= now || (v->start != START_FIRST_USE && expires <= start))
            return false;
    } else if (v->expiry == EXPIRY_DAYS_FROM_PURCHASE) {
        expires = now + v->expiry_days * PROP_DAY;
    } else if (v->expiry == EXPIRY_DAYS_FROM_START && v->start != START_FIRST_USE) {
        expires = start + v->expiry_days * PROP_DAY;
        if (expires <= now)
            return false; /* it would already have expired */
    }
    l->first_use = v->start == START_FIRST_USE;
    l->starts_at = l->first_use ? 0 : start;
    l->expires_at = expires;
    l->days_after_start = l->first_use && v->expiry == EXPIRY_DAYS_FROM_START ? v->expiry_days : 0;
    return true;
}

/* ---- allocation as the model sees it ------------------------------------- */

struct mplan {
    size_t n;
    size_t *lot; /* index into m.lots */
    int64_t *base, *drawn;
    int32_t *permille;
    int64_t base_total, total, available, short_by;
};

/* Plans order credits `amount` over (c, t): services NULL = a deduction,
 * which ignores restrictions and peak pricing. */
static bool model_plan(struct prop *p, int c, int t, const int *services, size_t n_services,
                       int64_t amount, struct mplan *pl)
{
    int64_t now = p->t->now_us;
    size_t n = p->m.n_lots + 1;
    memset(pl, 0, sizeof(*pl));
    size_t *order = arena_alloc(&p->a, n * sizeof(*order));
    pl->lot = arena_alloc(&p->a, n * sizeof(*pl->lot));
    pl->base = arena_alloc(&p->a, n * sizeof(*pl->base));
    pl->drawn = arena_alloc(&p->a, n * sizeof(*pl->drawn));
    pl->permille = arena_alloc(&p->a, n * sizeof(*pl->permille));
    assert_true(order && pl->lot && pl->base && pl->drawn && pl->permille);
    size_t m = 0;
    for (size_t i = 0; i < p->m.n_lots; i++) {
        const struct mlot *l = &p->m.lots[i];
        if (l->cust != c || l->type != t || !mlot_usable(l, now))
            continue;
        if (services != NULL && !mlot_admits(l, services, n_services))
            continue;
        size_t k = m++;
        while (k > 0 && mlot_before(l, &p->m.lots[order[k - 1]], now)) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = i;
    }
    int64_t need = amount;
    for (size_t k = 0; k < m; k++) {
        const struct mlot *l = &p->m.lots[order[k]];
        int32_t permille = services != NULL ? mlot_multiplier(l, p->zone, now) : 1000;
        int64_t capacity = l->remaining * 1000 / permille;
        pl->available += capacity;
        if (need == 0 || capacity == 0)
            continue;
        int64_t base = capacity < need ? capacity : need;
        pl->lot[pl->n] = order[k];
        pl->base[pl->n] = base;
        pl->drawn[pl->n] = (base * permille + 999) / 1000;
        pl->permille[pl->n] = permille;
        pl->base_total += base;
        pl->total += pl->drawn[pl->n];
        pl->n++;
        need -= base;
    }
    pl->short_by = need;
    return need == 0;
}

/* Takes a plan's draws from the model's lots; orders start first-use lots. */
static void model_plan_apply(struct prop *p, const struct mplan *pl, bool starts_lots)
{
    int64_t now = p->t->now_us;
    for (size_t k = 0; k < pl->n; k++) {
        struct mlot *l = &p->m.lots[pl->lot[k]];
        if (starts_lots && l->first_use && l->starts_at == 0) {
            l->starts_at = now;
            if (l->days_after_start > 0)
                l->expires_at = now + l->days_after_start * PROP_DAY;
        }
        l->remaining -= pl->drawn[k];
        assert_true(l->remaining >= 0);
        if (l->remaining == 0 && l->status == LOT_ACTIVE)
            l->status = LOT_EXHAUSTED;
    }
}

/* ---- reading the store ----------------------------------------------------- */

static int prop_customer_index(const struct prop *p, int64_t id)
{
    for (int c = 0; c < PROP_CUSTOMERS; c++)
        if (p->customer_ids[c] == id)
            return c;
    return -1;
}

static int prop_type_index(const struct prop *p, int64_t id)
{
    for (int t = 0; t < PROP_TYPES; t++)
        if (p->type_ids[t] == id)
            return t;
    return -1;
}

static void prop_balances(struct prop *p, struct pbal out[PROP_CUSTOMERS][PROP_TYPES])
{
    for (int c = 0; c < PROP_CUSTOMERS; c++) {
        struct svc_balance *b;
        size_t n;
        enum err rc = svc_balances(&p->t->svc, &p->a, p->t->tenant_id, p->customer_ids[c], &b, &n);
        if (rc != ERR_OK || n != PROP_TYPES)
            prop_fail(p, "svc_balances: %s, %zu types", err_code(rc), n);
        for (size_t i = 0; i < n; i++) {
            int t = prop_type_index(p, b[i].credit_type_id);
            if (t < 0)
                prop_fail(p, "svc_balances: unknown credit type %lld",
                          (long long)b[i].credit_type_id);
            out[c][t] = (struct pbal){.balance = b[i].balance_minor,
                                      .available = b[i].available_minor,
                                      .held = b[i].held_minor,
                                      .spendable = b[i].spendable};
        }
    }
}

static enum err prop_journal_entry(const struct journal_row *r, void *arg)
{
    struct prop *p = arg;
    struct jstate *j = &p->j;
    const struct journal_entry *e = &r->entry;
    int c = prop_customer_index(p, e->customer_id), t = prop_type_index(p, r->credit_type_id);
    if (c < 0 || t < 0 || strcmp(e->credit_type, prop_type_codes[t]) != 0) {
        snprintf(p->problem, sizeof(p->problem), "journal %lld: unknown customer or type",
                 (long long)e->id);
        return ERR_INTERNAL;
    }
    int64_t sum = 0, customer = 0, held = 0;
    for (size_t i = 0; i < e->n_postings; i++) {
        const struct posting *ps = &e->postings[i];
        sum += ps->amount_minor;
        if (ps->account == ACCOUNT_LOT || ps->account == ACCOUNT_HELD)
            customer += ps->amount_minor;
        if (ps->account == ACCOUNT_HELD)
            held += ps->amount_minor;
        if (ps->account != ACCOUNT_LOT)
            j->system[t][ps->account] += ps->amount_minor;
        const struct mlot *l = ps->account == ACCOUNT_LOT ? model_lot(p, ps->lot_id) : NULL;
        if (ps->account == ACCOUNT_LOT && (l == NULL || l->cust != c || l->type != t)) {
            snprintf(p->problem, sizeof(p->problem),
                     "journal %lld: posting on lot %lld, which is not a %s lot of customer %d",
                     (long long)e->id, (long long)ps->lot_id, prop_type_codes[t], c);
            return ERR_INTERNAL;
        }
    }
    j->running[c][t] += customer;
    j->held[c][t] += held;
    j->postings[t] += sum;
    const char *bad = sum != 0                            ? "postings do not sum to 0"
                      : customer != e->amount_minor       ? "amount is not the postings"
                      : e->chain != JOURNAL_CHAIN_ACCOUNT ? "not on its account chain"
                      : e->seq != j->chain_seq[c][t] + 1  ? "account sequence has a gap"
                      : memcmp(e->prev_hash, j->chain_hash[c][t], SHA256_BYTES) != 0
                          ? "prev_hash is not the account's last hash"
                      : e->balance_after_minor != j->running[c][t] ? "balance_after is wrong"
                      : j->running[c][t] < 0 || j->held[c][t] < 0  ? "balance below zero"
                      : (unsigned)e->kind >= JOURNAL__COUNT        ? "unknown kind"
                                                                   : NULL;
    if (bad != NULL) {
        snprintf(p->problem, sizeof(p->problem),
                 "journal %lld (%s, seq %lld): %s (amount %lld, balance_after %lld, running %lld)",
                 (long long)e->id, journal_kind_name(e->kind), (long long)e->seq, bad,
                 (long long)e->amount_minor, (long long)e->balance_after_minor,
                 (long long)j->running[c][t]);
        return ERR_INTERNAL;
    }
    j->chain_seq[c][t] = e->seq;
    memcpy(j->chain_hash[c][t], e->hash, SHA256_BYTES);
    j->last_id = e->id;
    j->n_entries++;
    j->n_new++;
    j->n_kind[e->kind]++;
    return ERR_OK;
}

static enum err prop_journal_txn(struct store_conn *c, void *arg)
{
    struct prop *p = arg;
    struct journal_filter f = {.tenant_id = p->t->tenant_id,
                               .after_id = p->j.last_id,
                               .oldest_first = true,
                               .with_postings = true};
    return store_journal_scan(c, &p->a, &f, prop_journal_entry, p);
}

/* Reads the entries written since the last call into p->j. */
static void prop_journal_read(struct prop *p)
{
    p->j.n_new = 0;
    memset(p->j.n_kind, 0, sizeof(p->j.n_kind));
    p->problem[0] = '\0';
    enum err rc = store_read(p->t->svc.st, prop_journal_txn, p);
    if (rc != ERR_OK)
        prop_fail(p, "journal: %s %s", err_code(rc), p->problem);
}

struct prop_rows {
    struct prop *p;
    int64_t customer_id;
    int64_t order_id;
    struct lot_row *lots;
    size_t n_lots;
    struct order_row order;
};

static enum err prop_lots_txn(struct store_conn *c, void *arg)
{
    struct prop_rows *x = arg;
    return store_lot_list_customer(c, &x->p->a, x->p->t->tenant_id, x->customer_id, &x->lots,
                                   &x->n_lots);
}

static enum err prop_order_txn(struct store_conn *c, void *arg)
{
    struct prop_rows *x = arg;
    return store_order_get(c, &x->p->a, x->p->t->tenant_id, x->order_id, false, &x->order);
}

/* ---- checks after every operation ------------------------------------------ */

static void prop_check_lot_row(struct prop *p, int c, const struct lot_row *r)
{
    const struct lot *s = &r->lot;
    const struct mlot *l = model_lot(p, s->id);
    if (l == NULL)
        prop_fail(p, "lot %lld of customer %d is not in the model", (long long)s->id, c);
    const struct prop_restriction *rs = l->restriction >= 0 ? &prop_restrictions[l->restriction]
                                                            : &(struct prop_restriction){"", ""};
    const char *field = s->customer_id != p->customer_ids[l->cust]          ? "customer"
                        : s->credit_type_id != p->type_ids[l->type]         ? "credit type"
                        : s->original_minor != l->original                  ? "original"
                        : s->remaining_minor != l->remaining                ? "remaining"
                        : s->deactivated_minor != l->deactivated            ? "deactivated"
                        : s->status != l->status                            ? "status"
                        : s->source != l->source                            ? "source"
                        : s->created_at_us != l->created_at                 ? "created_at"
                        : s->starts_at_us != l->starts_at                   ? "starts_at"
                        : s->expires_at_us != l->expires_at                 ? "expires_at"
                        : s->paused_at_us != l->paused_at                   ? "paused_at"
                        : s->start_on_first_use != l->first_use             ? "start_on_first_use"
                        : s->expiry_days_after_start != l->days_after_start ? "expiry days"
                        : strcmp(s->categories, rs->categories) != 0        ? "categories"
                        : strcmp(s->provider, rs->provider) != 0            ? "provider"
                        : strcmp(r->peak_text, l->peak >= 0 ? prop_peaks[l->peak].text : "") != 0
                            ? "peak"
                            : NULL;
    if (field != NULL)
        prop_fail(p,
                  "lot %lld differs in %s: store %s remaining %lld deactivated %lld starts %lld "
                  "expires %lld paused %lld; model %s remaining %lld deactivated %lld starts "
                  "%lld expires %lld paused %lld",
                  (long long)s->id, field, lot_status_name(s->status),
                  (long long)s->remaining_minor, (long long)s->deactivated_minor,
                  (long long)s->starts_at_us, (long long)s->expires_at_us,
                  (long long)s->paused_at_us, lot_status_name(l->status), (long long)l->remaining,
                  (long long)l->deactivated, (long long)l->starts_at, (long long)l->expires_at,
                  (long long)l->paused_at);
}

/* Every lot of the customers in mask is the model's lot, field by field. */
static void prop_check_lots(struct prop *p, unsigned mask)
{
    for (int c = 0; c < PROP_CUSTOMERS; c++) {
        if (!(mask & (1u << c)))
            continue;
        struct prop_rows x = {.p = p, .customer_id = p->customer_ids[c]};
        enum err rc = store_read(p->t->svc.st, prop_lots_txn, &x);
        if (rc != ERR_OK)
            prop_fail(p, "lots: %s", err_code(rc));
        size_t in_model = 0;
        for (size_t i = 0; i < p->m.n_lots; i++)
            in_model += p->m.lots[i].cust == c;
        if (x.n_lots != in_model)
            prop_fail(p, "customer %d has %zu lots, the model %zu", c, x.n_lots, in_model);
        for (size_t i = 0; i < x.n_lots; i++)
            prop_check_lot_row(p, c, &x.lots[i]);
    }
}

static void prop_check_order(struct prop *p, long k)
{
    const struct morder *o = &p->m.orders[k];
    struct prop_rows x = {.p = p, .order_id = o->id};
    enum err rc = store_read(p->t->svc.st, prop_order_txn, &x);
    if (rc != ERR_OK)
        prop_fail(p, "order %lld: %s", (long long)o->id, err_code(rc));
    if (strcmp(x.order.status, morder_status_names[o->status]) != 0 ||
        strcmp(x.order.charge_mode, o->charge_mode) != 0 || x.order.total_minor != o->total)
        prop_fail(p, "order %lld is %s/%s total %lld, the model says %s/%s total %lld",
                  (long long)o->id, x.order.status, x.order.charge_mode,
                  (long long)x.order.total_minor, morder_status_names[o->status], o->charge_mode,
                  (long long)o->total);
}

static bool pbal_equal(const struct pbal *a, const struct pbal *b)
{
    return a->balance == b->balance && a->available == b->available && a->held == b->held &&
           a->spendable == b->spendable;
}

static void prop_check_balances(struct prop *p, struct pbal after[PROP_CUSTOMERS][PROP_TYPES])
{
    prop_balances(p, after);
    for (int c = 0; c < PROP_CUSTOMERS; c++) {
        for (int t = 0; t < PROP_TYPES; t++) {
            const struct pbal *b = &after[c][t], *was = &p->before[c][t];
            struct pbal want = model_view(p, c, t);
            if (b->balance < b->available || b->available < 0 || b->held < 0)
                prop_fail(p, "customer %d %s: balance %lld, available %lld, held %lld", c,
                          prop_type_codes[t], (long long)b->balance, (long long)b->available,
                          (long long)b->held);
            if (p->refused && !pbal_equal(b, was))
                prop_fail(p,
                          "a refused operation changed customer %d %s: balance %lld -> %lld, "
                          "available %lld -> %lld, held %lld -> %lld",
                          c, prop_type_codes[t], (long long)was->balance, (long long)b->balance,
                          (long long)was->available, (long long)b->available, (long long)was->held,
                          (long long)b->held);
            if (!pbal_equal(b, &want))
                prop_fail(p,
                          "customer %d %s: balance %lld available %lld held %lld spendable %d; "
                          "the model says %lld / %lld / %lld / %d",
                          c, prop_type_codes[t], (long long)b->balance, (long long)b->available,
                          (long long)b->held, b->spendable, (long long)want.balance,
                          (long long)want.available, (long long)want.held, want.spendable);
        }
    }
}

/* The journal agrees with the model: running balances, held credits and the
 * system accounts. */
static void prop_check_journal_totals(struct prop *p, const struct jstate *j)
{
    for (int c = 0; c < PROP_CUSTOMERS; c++)
        for (int t = 0; t < PROP_TYPES; t++)
            if (j->running[c][t] != p->m.stored[c][t] || j->held[c][t] != p->m.held[c][t])
                prop_fail(p, "customer %d %s: journal balance %lld held %lld, model %lld / %lld", c,
                          prop_type_codes[t], (long long)j->running[c][t], (long long)j->held[c][t],
                          (long long)p->m.stored[c][t], (long long)p->m.held[c][t]);
    for (int t = 0; t < PROP_TYPES; t++)
        for (int a = ACCOUNT_ISSUED; a < ACCOUNT__COUNT; a++)
            if (j->system[t][a] != p->m.system[t][a])
                prop_fail(p, "%s account %s: journal %lld, model %lld", prop_type_codes[t],
                          account_kind_name((enum account_kind)a), (long long)j->system[t][a],
                          (long long)p->m.system[t][a]);
}

static void prop_check_journal(struct prop *p)
{
    prop_journal_read(p);
    for (int k = 0; k < JOURNAL__COUNT; k++)
        if (p->j.n_kind[k] != p->expect_kind[k])
            prop_fail(p, "%d new %s journal entries (%lld in all), the model expected %lld",
                      p->j.n_kind[k], journal_kind_name((enum journal_kind)k),
                      (long long)p->j.n_new, (long long)p->expect_kind[k]);
    prop_check_journal_totals(p, &p->j);
}

/* ---- adopting lots the store created without telling us their ids --------- */

static int prop_lot_id_cmp(const void *a, const void *b)
{
    int64_t x = ((const struct mlot *)a)->id, y = ((const struct mlot *)b)->id;
    return (x > y) - (x < y);
}

/* Refund, transfer and adjustment lots: each new store lot of the touched
 * customers is matched to a pending model lot of the same customer, type,
 * source and amount. */
static void prop_adopt_lots(struct prop *p)
{
    size_t pending = 0;
    for (size_t i = 0; i < p->m.n_lots; i++)
        pending += p->m.lots[i].id == 0;
    if (pending == 0)
        return;
    int64_t max_id = p->m.max_lot_id;
    for (int c = 0; c < PROP_CUSTOMERS; c++) {
        if (!(p->touched & (1u << c)))
            continue;
        struct prop_rows x = {.p = p, .customer_id = p->customer_ids[c]};
        if (store_read(p->t->svc.st, prop_lots_txn, &x) != ERR_OK)
            prop_fail(p, "cannot list lots");
        for (size_t i = 0; i < x.n_lots; i++) {
            const struct lot *s = &x.lots[i].lot;
            if (s->id <= p->m.max_lot_id)
                continue;
            struct mlot *match = NULL;
            for (size_t k = 0; k < p->m.n_lots && match == NULL; k++) {
                struct mlot *l = &p->m.lots[k];
                if (l->id == 0 && l->cust == c && p->type_ids[l->type] == s->credit_type_id &&
                    l->source == s->source && l->original == s->original_minor)
                    match = l;
            }
            if (match == NULL)
                prop_fail(p, "the store made lot %lld (%s, %lld) that the model did not expect",
                          (long long)s->id, lot_source_name(s->source),
                          (long long)s->original_minor);
            match->id = s->id;
            max_id = s->id > max_id ? s->id : max_id;
            pending--;
        }
    }
    if (pending != 0)
        prop_fail(p, "%zu lots the model expected were not made", pending);
    p->m.max_lot_id = max_id;
    qsort(p->m.lots, p->m.n_lots, sizeof(*p->m.lots), prop_lot_id_cmp);
}

/* ---- operations -------------------------------------------------------------- */

/* A lot to act on: mostly one that still holds or held credits. */
static struct mlot *prop_pick_lot(struct prop *p)
{
    if (p->m.n_lots == 0)
        return NULL;
    struct mlot *l = &p->m.lots[prop_range(p, 0, (int64_t)p->m.n_lots - 1)];
    for (int tries = 0; tries < 12 && prop_chance(p, 75); tries++) {
        if (l->status != LOT_EXPIRED && (l->remaining > 0 || l->deactivated > 0))
            break;
        l = &p->m.lots[prop_range(p, 0, (int64_t)p->m.n_lots - 1)];
    }
    return l;
}

static void prop_expect_rc(struct prop *p, const char *call, enum err got, enum err want,
                           const struct err_detail *d)
{
    if (got != want)
        prop_fail(p, "%s returned %s (%s: %s), the model expected %s", call, err_code(got),
                  d->field, d->message, err_code(want));
    p->refused = got != ERR_OK;
    p->last_rc = got;
}

static void prop_random_validity(struct prop *p, struct validity *v, bool allow_invalid)
{
    int64_t now = p->t->now_us;
    memset(v, 0, sizeof(*v));
    switch (prop_range(p, 0, 7)) {
    case 0:
    case 1:
        v->expiry = EXPIRY_NEVER;
        break;
    case 2:
        v->expiry = EXPIRY_FIXED;
        v->expires_at_us = now + prop_range(p, 30, 5 * 24 * 60) * PROP_MINUTE;
        break;
    case 3:
        v->expiry = EXPIRY_DAYS_FROM_PURCHASE;
        v->expiry_days = (int32_t)prop_range(p, 1, 6);
        break;
    case 4:
    case 5:
        v->start = START_FIRST_USE;
        v->expiry = EXPIRY_DAYS_FROM_START;
        v->expiry_days = (int32_t)prop_range(p, 1, 5);
        break;
    case 6:
        v->start = START_FIRST_USE;
        v->expiry = prop_chance(p, 50) ? EXPIRY_FIXED : EXPIRY_NEVER;
        if (v->expiry == EXPIRY_FIXED)
            v->expires_at_us = now + prop_range(p, 60, 6 * 24 * 60) * PROP_MINUTE;
        break;
    default:
        /* A fixed start, ahead or already past (then maybe already over). */
        v->start = START_FIXED;
        v->start_at_us = now + prop_range(p, -4 * 24 * 60, 36 * 60) * PROP_MINUTE;
        v->expiry = EXPIRY_DAYS_FROM_START;
        v->expiry_days = (int32_t)prop_range(p, 1, 5);
        break;
    }
    if (allow_invalid && prop_chance(p, 4)) {
        if (prop_chance(p, 50)) {
            v->start = START_IMMEDIATE;
            v->expiry = EXPIRY_FIXED;
            v->expires_at_us = now - prop_range(p, 0, 600) * PROP_MINUTE;
        } else {
            v->expiry = EXPIRY_DAYS_FROM_PURCHASE;
            v->expiry_days = prop_chance(p, 50) ? 0 : 4000;
        }
    }
}

static void prop_op_lot_add(struct prop *p)
{
    int c = (int)prop_range(p, 0, PROP_CUSTOMERS - 1), t = (int)prop_range(p, 0, PROP_TYPES - 1);
    static const enum lot_source sources[] = {SOURCE_PAYMENT, SOURCE_MANUAL, SOURCE_GOODWILL,
                                              SOURCE_PROMOTION, SOURCE_GIFT};
    struct mlot l = {.cust = c, .type = t, .restriction = -1, .peak = -1};
    l.original = l.remaining = prop_range(p, 1, p->profile->lot_credits_max);
    l.source = sources[prop_range(p, 0, 4)];
    l.created_at = p->t->now_us;
    l.status = LOT_ACTIVE;
    if (prop_chance(p, 25))
        l.restriction = (int)prop_range(p, 0, PROP_N_RESTRICTIONS - 1);
    if (prop_chance(p, 25))
        l.peak = (int)prop_range(p, 0, PROP_N_PEAKS - 1);
    bool bad_peak = prop_chance(p, 2);
    struct svc_lot_input in = {
        .customer_id = p->customer_ids[c],
        .credit_type = prop_type_codes[t],
        .credits_minor = l.original,
        .source = l.source,
        .name = "Random lot",
        .price_minor = l.source == SOURCE_PAYMENT ? l.original * 100 : 0,
        .categories = l.restriction >= 0 ? prop_restrictions[l.restriction].categories : NULL,
        .provider = l.restriction >= 0 ? prop_restrictions[l.restriction].provider : NULL,
        .peak = bad_peak      ? "3 times on Mondays"
                : l.peak >= 0 ? prop_peaks[l.peak].text
                              : NULL,
    };
    prop_random_validity(p, &in.validity, true);
    bool valid = model_validity(&in.validity, p->t->now_us, &l) && !bad_peak;
    snprintf(p->what, sizeof(p->what),
             "lot add: customer %d %s %lld, start %s expiry %s days %d, restriction %d peak %d%s",
             c, prop_type_codes[t], (long long)l.original, start_rule_name(in.validity.start),
             expiry_rule_name(in.validity.expiry), in.validity.expiry_days, l.restriction, l.peak,
             bad_peak ? " (bad peak text)" : "");
    int64_t ids[PACKAGE_CREDIT_TYPES_MAX] = {0};
    size_t n = 0;
    struct err_detail d = {0};
    enum err rc = svc_lot_add(&p->t->svc, p->t->tenant_id, &prop_staff, &in, ids, &n, &d);
    prop_expect_rc(p, "svc_lot_add", rc, valid ? ERR_OK : ERR_VALIDATION, &d);
    p->touched = 1u << c;
    if (rc != ERR_OK)
        return;
    if (n != 1 || ids[0] <= p->m.max_lot_id)
        prop_fail(p, "svc_lot_add made %zu lots, id %lld", n, (long long)ids[0]);
    model_open_account(p, c, t);
    prop_expect_entry(p, l.source == SOURCE_PAYMENT ? JOURNAL_PURCHASE : JOURNAL_GRANT);
    l.id = ids[0];
    p->m.max_lot_id = l.id;
    *model_lot_append(p) = l;
    p->m.stored[c][t] += l.original;
    p->m.system[t][ACCOUNT_ISSUED] -= l.original;
}

/* Random services: mostly one base with add-ons, sometimes invalid. */
static size_t prop_random_services(struct prop *p, int *services)
{
    static const int bases[] = {0, 1, 4, 6}, addons[] = {2, 3, 5};
    size_t n = 0;
    if (prop_chance(p, 6)) {
        size_t k = (size_t)prop_range(p, 1, 3);
        for (size_t i = 0; i < k; i++)
            services[n++] = (int)prop_range(p, 0, PROP_SERVICES - 1);
        return n;
    }
    if (prop_chance(p, 88))
        services[n++] = bases[prop_range(p, 0, 3)];
    for (int i = 0; i < 3; i++)
        if (prop_chance(p, n == 0 ? 60 : 30))
            services[n++] = addons[i];
    if (n == 0)
        services[n++] = addons[prop_range(p, 0, 2)];
    return n;
}

/* ERR_OK when the services make a valid order in type t. */
static enum err prop_services_check(const int *services, size_t n, int t)
{
    int bases = 0;
    for (size_t i = 0; i < n; i++) {
        const struct prop_service *s = &prop_services[services[i]];
        for (size_t k = 0; k < i; k++)
            if (services[k] == services[i])
                return ERR_VALIDATION;
        if (s->cost[t] < 0)
            return ERR_VALIDATION;
        bases += strcmp(s->kind, "base") == 0;
    }
    return bases > 1 ? ERR_VALIDATION : ERR_OK;
}

/* The quote (and the placed order's quote) is exactly the model's plan. */
/* On a failure: the model's lots of one account and both plans. */
static void prop_dump_plans(const struct prop *p, int c, int t, const struct svc_quote *q,
                            const struct mplan *pl)
{
    fprintf(stderr, "model lots of customer %d %s at %lld:\n", c, prop_type_codes[t],
            (long long)p->t->now_us);
    for (size_t i = 0; i < p->m.n_lots; i++) {
        const struct mlot *l = &p->m.lots[i];
        if (l->cust == c && l->type == t)
            fprintf(stderr,
                    "  lot %lld %s remaining %lld created %lld starts %lld expires %lld "
                    "first_use %d restriction %d peak %d\n",
                    (long long)l->id, lot_status_name(l->status), (long long)l->remaining,
                    (long long)l->created_at, (long long)l->starts_at, (long long)l->expires_at,
                    l->first_use, l->restriction, l->peak);
    }
    for (size_t k = 0; k < q->n_draws; k++)
        fprintf(stderr, "  store draw: lot %lld base %lld drawn %lld\n",
                (long long)q->draws[k].lot_id, (long long)q->draws[k].base_minor,
                (long long)q->draws[k].amount_minor);
    for (size_t k = 0; k < pl->n; k++)
        fprintf(stderr, "  model draw: lot %lld base %lld drawn %lld\n",
                (long long)p->m.lots[pl->lot[k]].id, (long long)pl->base[k],
                (long long)pl->drawn[k]);
}

static void prop_check_quote(struct prop *p, const char *call, const struct svc_quote *q,
                             const struct mplan *pl, int c, int t)
{
    struct pbal view = model_view(p, c, t);
    bool hold = p->m.delivery;
    bool same = q->n_draws == pl->n;
    for (size_t k = 0; same && k < pl->n; k++)
        same = q->draws[k].lot_id == p->m.lots[pl->lot[k]].id &&
               q->draws[k].base_minor == pl->base[k] && q->draws[k].amount_minor == pl->drawn[k] &&
               q->draws[k].multiplier_permille == pl->permille[k];
    if (!same)
        prop_dump_plans(p, c, t, q, pl);
    if (q->base_minor != pl->base_total || q->total_minor != pl->total ||
        q->available_minor != pl->available || q->n_draws != pl->n || q->hold != hold ||
        q->balance_minor != view.balance ||
        q->balance_after_minor != view.balance - (hold ? 0 : pl->total))
        prop_fail(p,
                  "%s: base %lld total %lld available %lld draws %zu hold %d balance %lld after "
                  "%lld; the model: %lld %lld %lld %zu %d %lld %lld",
                  call, (long long)q->base_minor, (long long)q->total_minor,
                  (long long)q->available_minor, q->n_draws, q->hold, (long long)q->balance_minor,
                  (long long)q->balance_after_minor, (long long)pl->base_total,
                  (long long)pl->total, (long long)pl->available, pl->n, hold,
                  (long long)view.balance, (long long)(view.balance - (hold ? 0 : pl->total)));
    for (size_t k = 0; k < pl->n; k++) {
        const struct svc_quote_draw *dr = &q->draws[k];
        const struct mlot *l = &p->m.lots[pl->lot[k]];
        if (dr->lot_id != l->id || dr->base_minor != pl->base[k] ||
            dr->amount_minor != pl->drawn[k] || dr->multiplier_permille != pl->permille[k])
            prop_fail(p,
                      "%s draw %zu: lot %lld base %lld drawn %lld at %d permille; the model: lot "
                      "%lld base %lld drawn %lld at %d",
                      call, k, (long long)dr->lot_id, (long long)dr->base_minor,
                      (long long)dr->amount_minor, dr->multiplier_permille, (long long)l->id,
                      (long long)pl->base[k], (long long)pl->drawn[k], pl->permille[k]);
    }
}

static void prop_check_shortfall(struct prop *p, const char *call, const struct err_detail *d,
                                 const struct mplan *pl, int64_t requested)
{
    if (d->requested_minor != requested || d->available_minor != pl->available ||
        d->shortfall_minor != pl->short_by)
        prop_fail(p, "%s: requested %lld available %lld shortfall %lld; the model %lld %lld %lld",
                  call, (long long)d->requested_minor, (long long)d->available_minor,
                  (long long)d->shortfall_minor, (long long)requested, (long long)pl->available,
                  (long long)pl->short_by);
}

static struct morder *model_order_append(struct prop *p)
{
    struct model *m = &p->m;
    if (m->n_orders == m->cap_orders) {
        m->cap_orders = m->cap_orders ? m->cap_orders * 2 : 256;
        m->orders = realloc(m->orders, m->cap_orders * sizeof(*m->orders));
        assert_non_null(m->orders);
    }
    struct morder *o = &m->orders[m->n_orders++];
    memset(o, 0, sizeof(*o));
    return o;
}

/* Books a placed order into the model (rules 2, 3, 14). */
static void model_order_placed(struct prop *p, int c, int t, const struct mplan *pl,
                               const struct svc_order_result *res)
{
    model_open_account(p, c, t);
    prop_expect_entry(p, p->m.delivery ? JOURNAL_HOLD : JOURNAL_ORDER);
    model_plan_apply(p, pl, true);
    struct morder *o = model_order_append(p);
    o->id = res->order_id;
    o->created_at = p->t->now_us;
    o->cust = c;
    o->type = t;
    o->status = MO_SUBMITTED;
    o->total = pl->total;
    o->charge_mode = p->m.delivery ? "held" : "charged";
    o->n_draws = pl->n;
    o->draw_lot = calloc(pl->n + 1, sizeof(*o->draw_lot));
    o->draw_amount = calloc(pl->n + 1, sizeof(*o->draw_amount));
    assert_true(o->draw_lot && o->draw_amount);
    for (size_t k = 0; k < pl->n; k++) {
        o->draw_lot[k] = p->m.lots[pl->lot[k]].id;
        o->draw_amount[k] = pl->drawn[k];
    }
    if (p->m.delivery) {
        p->m.held[c][t] += pl->total;
        p->m.system[t][ACCOUNT_HELD] += pl->total;
    } else {
        p->m.stored[c][t] -= pl->total;
        p->m.system[t][ACCOUNT_CONSUMED] += pl->total;
    }
    p->order_touched = (long)(p->m.n_orders - 1);
}

/* What the technician of customer c spent in type t this calendar month of
 * the tenant's zone: orders not cancelled. */
static int64_t model_technician_spent(const struct prop *p, int c, int t)
{
    int64_t now = p->t->now_us, y;
    int m, day;
    prop_civil_from_days((now + prop_zone_offset_us(p->zone, now)) / PROP_DAY, &y, &m, &day);
    int64_t local_start = prop_days_from_civil(y, m, 1) * PROP_DAY;
    /* No zone changes its offset at midnight on the first of a month. */
    int64_t month_start = local_start - prop_zone_offset_us(p->zone, local_start - PROP_DAY);
    int64_t spent = 0;
    for (size_t k = 0; k < p->m.n_orders; k++) {
        const struct morder *o = &p->m.orders[k];
        if (o->by_technician && o->cust == c && o->type == t && o->created_at >= month_start &&
            o->status != MO_CANCELLED)
            spent += o->total;
    }
    return spent;
}

static void prop_op_order(struct prop *p)
{
    int c = (int)prop_range(p, 0, PROP_CUSTOMERS - 1), t = (int)prop_range(p, 0, PROP_TYPES - 1);
    int services[8];
    size_t n = prop_random_services(p, services);
    bool by_technician = prop_chance(p, 35);
    struct svc_order_input in = {.customer_id = p->customer_ids[c],
                                 .member_user_id = by_technician ? p->technician_ids[c] : 0,
                                 .credit_type = prop_type_codes[t],
                                 .n_services = n,
                                 .vehicle = "{\"make\":\"VW\"}"};
    int64_t cost = 0;
    int len = snprintf(p->what, sizeof(p->what), "order: customer %d%s %s services", c,
                       by_technician ? " (technician)" : "", prop_type_codes[t]);
    for (size_t i = 0; i < n; i++) {
        in.service_ids[i] = p->service_ids[services[i]];
        cost += prop_services[services[i]].cost[t] > 0 ? prop_services[services[i]].cost[t] : 0;
        len += snprintf(p->what + len, sizeof(p->what) - (size_t)len, " %d", services[i]);
    }
    struct mplan pl = {0};
    enum err want = !p->m.spendable[t] ? ERR_CREDITS_DISABLED : prop_services_check(services, n, t);
    if (want == ERR_OK && !model_plan(p, c, t, services, n, cost, &pl))
        want = ERR_INSUFFICIENT_CREDITS;
    struct svc_quote q;
    struct err_detail d = {0};
    enum err rc = svc_quote(&p->t->svc, &p->a, p->t->tenant_id, &in, &q, &d);
    prop_expect_rc(p, "svc_quote", rc, want, &d);
    if (rc == ERR_OK)
        prop_check_quote(p, "svc_quote", &q, &pl, c, t);
    if (rc == ERR_INSUFFICIENT_CREDITS)
        prop_check_shortfall(p, "svc_quote", &d, &pl, cost);
    /* The quote does not know who will submit; the order checks rule 12. */
    int64_t limit = p->m.limit[c][t];
    if (want == ERR_OK && by_technician && limit >= 0 &&
        model_technician_spent(p, c, t) + pl.total > limit)
        want = ERR_MEMBER_LIMIT_EXCEEDED;
    struct svc_order_result res;
    d = (struct err_detail){0};
    rc = svc_order_place(&p->t->svc, &p->a, p->t->tenant_id, &prop_staff, &in, &res, &d);
    prop_expect_rc(p, "svc_order_place", rc, want, &d);
    p->touched = 1u << c;
    if (rc == ERR_INSUFFICIENT_CREDITS)
        prop_check_shortfall(p, "svc_order_place", &d, &pl, cost);
    if (rc != ERR_OK)
        return;
    prop_check_quote(p, "svc_order_place", &res.quote, &pl, c, t);
    if (res.order_id <= 0 || res.reference == NULL || strncmp(res.reference, "ORD-", 4) != 0)
        prop_fail(p, "order id %lld reference %s", (long long)res.order_id,
                  res.reference ? res.reference : "(null)");
    model_order_placed(p, c, t, &pl, &res);
    p->m.orders[p->m.n_orders - 1].by_technician = by_technician;
    /* Rules 1 and 14: a charge lowers the balance by the total, a hold only
     * what is available; the store is held to the model after the step. */
    struct pbal now_view = model_view(p, c, t), *was = &p->before[c][t];
    bool ok = p->m.delivery ? now_view.balance == was->balance &&
                                  now_view.available == was->available - pl.total
                            : now_view.balance == was->balance - pl.total;
    if (!ok)
        prop_fail(p, "the model's own balance moved wrongly for order total %lld",
                  (long long)pl.total);
}

/* An order to act on: mostly an open one, sometimes any, sometimes none. */
static long prop_pick_order(struct prop *p)
{
    if (p->m.n_orders == 0 || prop_chance(p, 3))
        return -1;
    if (prop_chance(p, 75)) {
        long open[64];
        int n = 0;
        for (long k = (long)p->m.n_orders - 1; k >= 0 && n < 64; k--)
            if (p->m.orders[k].status == MO_SUBMITTED || p->m.orders[k].status == MO_IN_PROGRESS)
                open[n++] = k;
        if (n > 0)
            return open[prop_range(p, 0, n - 1)];
    }
    return (long)prop_range(p, 0, (int64_t)p->m.n_orders - 1);
}

/* Rule 5: each drawn amount goes home, or to a new refund lot. */
static void model_order_cancelled(struct prop *p, struct morder *o)
{
    int64_t now = p->t->now_us;
    bool held = strcmp(o->charge_mode, "held") == 0;
    model_open_account(p, o->cust, o->type);
    prop_expect_entry(p, held ? JOURNAL_RELEASE : JOURNAL_REFUND);
    for (size_t k = 0; k < o->n_draws; k++) {
        struct mlot *l = model_lot(p, o->draw_lot[k]);
        if (l == NULL)
            prop_fail(p, "order %lld drew from lot %lld, unknown to the model", (long long)o->id,
                      (long long)o->draw_lot[k]);
        bool home =
            l->status != LOT_EXPIRED && l->status != LOT_DEACTIVATED && !mlot_past_expiry(l, now);
        if (home) {
            l->remaining += o->draw_amount[k];
            if (l->status == LOT_EXHAUSTED)
                l->status = LOT_ACTIVE;
            continue;
        }
        struct mlot *r = model_lot_append(p);
        r->cust = o->cust;
        r->type = o->type;
        r->original = r->remaining = o->draw_amount[k];
        r->source = SOURCE_REFUND;
        r->starts_at = now;
        r->expires_at = now + p->m.refund_days * PROP_DAY;
    }
    if (held) {
        p->m.held[o->cust][o->type] -= o->total;
        p->m.system[o->type][ACCOUNT_HELD] -= o->total;
    } else {
        p->m.stored[o->cust][o->type] += o->total;
        p->m.system[o->type][ACCOUNT_CONSUMED] -= o->total;
    }
    o->status = MO_CANCELLED;
    o->charge_mode = held ? "released" : "refunded";
}

static void prop_op_cancel(struct prop *p)
{
    long k = prop_pick_order(p);
    bool by_customer = prop_chance(p, 20);
    const char *reason = by_customer         ? (prop_chance(p, 50) ? "" : "no longer needed")
                         : prop_chance(p, 4) ? ""
                                             : "customer changed their mind";
    struct morder *o = k >= 0 ? &p->m.orders[k] : NULL;
    int64_t id = o ? o->id : 987654321;
    snprintf(p->what, sizeof(p->what), "cancel: order %lld (%s) by %s, reason '%s'", (long long)id,
             o ? morder_status_names[o->status] : "missing", by_customer ? "customer" : "staff",
             reason);
    enum err want = ERR_OK;
    if (!by_customer && reason[0] == '\0')
        want = ERR_VALIDATION;
    else if (o == NULL)
        want = ERR_NOT_FOUND;
    else if (!(o->status == MO_SUBMITTED || (o->status == MO_IN_PROGRESS && !by_customer)))
        want = ERR_ORDER_STATE;
    struct err_detail d = {0};
    int64_t balance_was = o ? p->before[o->cust][o->type].balance : 0;
    enum err rc =
        svc_order_cancel(&p->t->svc, p->t->tenant_id, &prop_staff, id, reason, by_customer, &d);
    prop_expect_rc(p, "svc_order_cancel", rc, want, &d);
    if (o == NULL)
        return;
    p->touched = 1u << o->cust;
    p->order_touched = k;
    if (rc != ERR_OK)
        return;
    bool held = strcmp(o->charge_mode, "held") == 0;
    model_order_cancelled(p, o);
    /* A refund brings the balance back by the total; a release leaves it. */
    struct pbal view = model_view(p, o->cust, o->type);
    if (view.balance != balance_was + (held ? 0 : o->total))
        prop_fail(p, "the model's balance after cancelling moved wrongly");
}

static void prop_op_status(struct prop *p)
{
    long k = prop_pick_order(p);
    const char *status = prop_chance(p, 40) ? "in_progress" : "completed";
    struct morder *o = k >= 0 ? &p->m.orders[k] : NULL;
    int64_t id = o ? o->id : 987654321;
    snprintf(p->what, sizeof(p->what), "status: order %lld (%s) -> %s", (long long)id,
             o ? morder_status_names[o->status] : "missing", status);
    bool to_progress = strcmp(status, "in_progress") == 0;
    enum err want = ERR_OK;
    if (o == NULL)
        want = ERR_NOT_FOUND;
    else if (to_progress ? o->status != MO_SUBMITTED
                         : o->status != MO_SUBMITTED && o->status != MO_IN_PROGRESS)
        want = ERR_ORDER_STATE;
    struct err_detail d = {0};
    enum err rc = svc_order_set_status(&p->t->svc, p->t->tenant_id, &prop_staff, id, status, &d);
    prop_expect_rc(p, "svc_order_set_status", rc, want, &d);
    if (o == NULL)
        return;
    p->touched = 1u << o->cust;
    p->order_touched = k;
    if (rc != ERR_OK)
        return;
    model_open_account(p, o->cust, o->type);
    o->status = to_progress ? MO_IN_PROGRESS : MO_COMPLETED;
    if (!to_progress && strcmp(o->charge_mode, "held") == 0) {
        /* Delivery captures the hold: held credits become consumed. */
        prop_expect_entry(p, JOURNAL_CAPTURE);
        p->m.held[o->cust][o->type] -= o->total;
        p->m.stored[o->cust][o->type] -= o->total;
        p->m.system[o->type][ACCOUNT_HELD] -= o->total;
        p->m.system[o->type][ACCOUNT_CONSUMED] += o->total;
        o->charge_mode = "captured";
    }
}

/* Reason and justification of a manual move; sometimes invalid. */
static enum err prop_random_reason(struct prop *p, const char **reason, const char **why)
{
    *reason = prop_reasons[prop_range(p, 0, 5)];
    *why = "property test";
    if (prop_chance(p, 3)) {
        *reason = "because";
        return ERR_VALIDATION;
    }
    if (prop_chance(p, 3)) {
        *why = prop_chance(p, 50) ? "" : "   ";
        return ERR_VALIDATION;
    }
    return ERR_OK;
}

static void model_deducted(struct prop *p, int c, int t, const struct mplan *pl)
{
    model_plan_apply(p, pl, false);
    p->m.stored[c][t] -= pl->total;
    p->m.system[t][ACCOUNT_ISSUED] += pl->total;
}

static void prop_op_deduct_fifo(struct prop *p)
{
    int c = (int)prop_range(p, 0, PROP_CUSTOMERS - 1), t = (int)prop_range(p, 0, PROP_TYPES - 1);
    int64_t amount = prop_range(p, 1, 40);
    struct svc_adjust_input in = {.customer_id = p->customer_ids[c],
                                  .credit_type = prop_type_codes[t],
                                  .amount_minor = -amount};
    enum err want = prop_random_reason(p, &in.reason, &in.justification);
    snprintf(p->what, sizeof(p->what), "deduct fifo: customer %d %s %lld reason %s '%s'", c,
             prop_type_codes[t], (long long)amount, in.reason, in.justification);
    struct mplan pl = {0};
    if (want == ERR_OK && !model_plan(p, c, t, NULL, 0, amount, &pl))
        want = ERR_INSUFFICIENT_CREDITS;
    int64_t journal_id = 0;
    struct err_detail d = {0};
    enum err rc = svc_adjust(&p->t->svc, p->t->tenant_id, &prop_staff, &in, &journal_id, &d);
    prop_expect_rc(p, "svc_adjust (deduct)", rc, want, &d);
    p->touched = 1u << c;
    if (rc == ERR_INSUFFICIENT_CREDITS)
        prop_check_shortfall(p, "svc_adjust (deduct)", &d, &pl, amount);
    if (rc != ERR_OK)
        return;
    model_open_account(p, c, t);
    prop_expect_entry(p, JOURNAL_ADJUSTMENT);
    model_deducted(p, c, t, &pl);
}

/* Rule 7 with svc_deduct's contract: a deduction from one named lot takes
 * from it while it is active or paused (a paused lot's expiry stands still). */
static bool model_lot_deductible(const struct mlot *l, int64_t now)
{
    if (l->status == LOT_PAUSED)
        return l->remaining > 0 && mlot_started(l, now);
    return mlot_usable(l, now);
}

static void prop_op_deduct_lot(struct prop *p)
{
    struct mlot *l = prop_pick_lot(p);
    if (l == NULL)
        return;
    int64_t amount = prop_range(p, 1, l->remaining + 3);
    struct svc_deduct_input in = {.customer_id = prop_chance(p, 50) ? p->customer_ids[l->cust] : 0,
                                  .lot_id = l->id,
                                  .amount_minor = amount};
    enum err want = prop_random_reason(p, &in.reason, &in.justification);
    int64_t now = p->t->now_us;
    snprintf(p->what, sizeof(p->what),
             "deduct lot: lot %lld (customer %d %s, %s, remaining %lld, expires %lld) amount %lld",
             (long long)l->id, l->cust, prop_type_codes[l->type], lot_status_name(l->status),
             (long long)l->remaining, (long long)l->expires_at, (long long)amount);
    bool usable = model_lot_deductible(l, now);
    if (want == ERR_OK && (!usable || l->remaining < amount))
        want = ERR_INSUFFICIENT_CREDITS;
    int64_t journal_id = 0;
    struct err_detail d = {0};
    enum err rc = svc_deduct(&p->t->svc, p->t->tenant_id, &prop_staff, &in, &journal_id, &d);
    prop_expect_rc(p, "svc_deduct", rc, want, &d);
    p->touched = 1u << l->cust;
    if (rc != ERR_OK)
        return;
    model_open_account(p, l->cust, l->type);
    prop_expect_entry(p, JOURNAL_ADJUSTMENT);
    l->remaining -= amount;
    if (l->remaining == 0 && l->status == LOT_ACTIVE)
        l->status = LOT_EXHAUSTED;
    p->m.stored[l->cust][l->type] -= amount;
    p->m.system[l->type][ACCOUNT_ISSUED] += amount;
}

static void prop_op_adjust_add(struct prop *p)
{
    int c = (int)prop_range(p, 0, PROP_CUSTOMERS - 1), t = (int)prop_range(p, 0, PROP_TYPES - 1);
    int64_t amount = prop_range(p, 1, 30);
    struct svc_adjust_input in = {.customer_id = p->customer_ids[c],
                                  .credit_type = prop_type_codes[t],
                                  .amount_minor = amount};
    enum err want = prop_random_reason(p, &in.reason, &in.justification);
    prop_random_validity(p, &in.validity, true);
    struct mlot l = {.cust = c, .type = t, .original = amount, .remaining = amount};
    if (!model_validity(&in.validity, p->t->now_us, &l) && want == ERR_OK)
        want = ERR_VALIDATION;
    snprintf(p->what, sizeof(p->what), "adjust add: customer %d %s %lld reason %s, %s/%s days %d",
             c, prop_type_codes[t], (long long)amount, in.reason,
             start_rule_name(in.validity.start), expiry_rule_name(in.validity.expiry),
             in.validity.expiry_days);
    int64_t journal_id = 0;
    struct err_detail d = {0};
    enum err rc = svc_adjust(&p->t->svc, p->t->tenant_id, &prop_staff, &in, &journal_id, &d);
    prop_expect_rc(p, "svc_adjust (add)", rc, want, &d);
    p->touched = 1u << c;
    if (rc != ERR_OK)
        return;
    model_open_account(p, c, t);
    prop_expect_entry(p, JOURNAL_ADJUSTMENT);
    struct mlot *n = model_lot_append(p);
    int64_t created = n->created_at;
    *n = l;
    n->id = 0;
    n->created_at = created;
    n->status = LOT_ACTIVE;
    n->restriction = n->peak = -1;
    n->source = strcmp(in.reason, "goodwill") == 0 ? SOURCE_GOODWILL
                : strcmp(in.reason, "refund") == 0 ? SOURCE_REFUND
                                                   : SOURCE_MANUAL;
    p->m.stored[c][t] += amount;
    p->m.system[t][ACCOUNT_ISSUED] -= amount;
}

static void prop_op_transfer(struct prop *p)
{
    int a = (int)prop_range(p, 0, PROP_CUSTOMERS - 1),
        b = (int)prop_range(p, 0, PROP_CUSTOMERS - 1);
    int t = (int)prop_range(p, 0, PROP_TYPES - 1);
    int64_t amount = prop_range(p, 1, 30);
    struct svc_transfer_input in = {.from_customer_id = p->customer_ids[a],
                                    .to_customer_id = p->customer_ids[b],
                                    .credit_type = prop_type_codes[t],
                                    .amount_minor = amount,
                                    .justification = prop_chance(p, 3) ? "" : "shop merger"};
    snprintf(p->what, sizeof(p->what), "transfer: %d -> %d %s %lld%s", a, b, prop_type_codes[t],
             (long long)amount, in.justification[0] ? "" : " without justification");
    struct mplan pl = {0};
    enum err want = in.justification[0] == '\0' || a == b ? ERR_VALIDATION : ERR_OK;
    if (want == ERR_OK && !model_plan(p, a, t, NULL, 0, amount, &pl))
        want = ERR_INSUFFICIENT_CREDITS;
    int64_t transfer_id = 0;
    struct err_detail d = {0};
    enum err rc = svc_transfer(&p->t->svc, p->t->tenant_id, &prop_staff, &in, &transfer_id, &d);
    prop_expect_rc(p, "svc_transfer", rc, want, &d);
    p->touched = (1u << a) | (1u << b);
    if (rc == ERR_INSUFFICIENT_CREDITS)
        prop_check_shortfall(p, "svc_transfer", &d, &pl, amount);
    if (rc != ERR_OK)
        return;
    model_open_account(p, a, t);
    model_open_account(p, b, t);
    prop_expect_entry(p, JOURNAL_TRANSFER);
    prop_expect_entry(p, JOURNAL_TRANSFER);
    model_deducted(p, a, t, &pl);
    struct mlot *n = model_lot_append(p);
    n->cust = b;
    n->type = t;
    n->original = n->remaining = amount;
    n->source = SOURCE_TRANSFER;
    n->starts_at = p->t->now_us;
    p->m.stored[b][t] += amount;
    p->m.system[t][ACCOUNT_ISSUED] -= amount;
}

/* Rule 7 as the model reads it: what a lot change would return. */
static enum err model_lot_change_check(const struct mlot *l, const struct svc_lot_change *ch,
                                       int64_t now)
{
    enum lot_status s = mlot_status_opened(l, now);
    bool past = mlot_past_expiry(l, now);
    switch (ch->action) {
    case SVC_LOT_PAUSE:
        return s != LOT_ACTIVE && s != LOT_EXHAUSTED ? ERR_LOT_STATE
               : past                                ? ERR_LOT_EXPIRED
                                                     : ERR_OK;
    case SVC_LOT_RESUME:
        return s != LOT_PAUSED ? ERR_LOT_STATE : ERR_OK;
    case SVC_LOT_EXTEND:
        return s == LOT_EXPIRED || past                                   ? ERR_LOT_EXPIRED
               : s == LOT_DEACTIVATED                                     ? ERR_LOT_STATE
               : l->expires_at == 0 || ch->expires_at_us <= l->expires_at ? ERR_VALIDATION
                                                                          : ERR_OK;
    case SVC_LOT_DEACTIVATE:
        return s == LOT_DEACTIVATED || s == LOT_EXPIRED ? ERR_LOT_STATE
               : past                                   ? ERR_LOT_EXPIRED
                                                        : ERR_OK;
    case SVC_LOT_REACTIVATE:
        return s != LOT_DEACTIVATED                         ? ERR_LOT_STATE
               : l->expires_at != 0 && now >= l->expires_at ? ERR_LOT_EXPIRED
                                                            : ERR_OK;
    case SVC_LOT_EDIT:
        return ERR_OK;
    }
    return ERR_INTERNAL;
}

static void model_lot_unpause(struct mlot *l, int64_t now)
{
    if (l->expires_at != 0)
        l->expires_at += now - l->paused_at;
    l->paused_at = 0;
    l->status = l->remaining > 0 ? LOT_ACTIVE : LOT_EXHAUSTED;
}

/* Applies an accepted change and the journal entry it writes, if any. */
static void model_lot_change(struct prop *p, struct mlot *l, const struct svc_lot_change *ch)
{
    int64_t now = p->t->now_us, moved = 0;
    switch (ch->action) {
    case SVC_LOT_PAUSE:
        l->status = LOT_PAUSED;
        l->paused_at = now;
        return;
    case SVC_LOT_RESUME:
        model_lot_unpause(l, now);
        return;
    case SVC_LOT_EXTEND:
        l->expires_at = ch->expires_at_us;
        return;
    case SVC_LOT_DEACTIVATE:
        if (l->status == LOT_PAUSED)
            model_lot_unpause(l, now);
        moved = l->remaining;
        l->deactivated = l->remaining;
        l->remaining = 0;
        l->status = LOT_DEACTIVATED;
        p->m.stored[l->cust][l->type] -= moved;
        p->m.system[l->type][ACCOUNT_DEACTIVATED] += moved;
        if (moved > 0)
            prop_expect_entry(p, JOURNAL_DEACTIVATION);
        return;
    case SVC_LOT_REACTIVATE:
        moved = l->deactivated;
        l->remaining = l->deactivated;
        l->deactivated = 0;
        l->status = l->remaining > 0 ? LOT_ACTIVE : LOT_EXHAUSTED;
        p->m.stored[l->cust][l->type] += moved;
        p->m.system[l->type][ACCOUNT_DEACTIVATED] -= moved;
        if (moved > 0)
            prop_expect_entry(p, JOURNAL_REACTIVATION);
        return;
    case SVC_LOT_EDIT:
        return;
    }
}

static void prop_op_lot_change(struct prop *p)
{
    static const enum svc_lot_action actions[] = {
        SVC_LOT_PAUSE,      SVC_LOT_PAUSE,      SVC_LOT_RESUME,     SVC_LOT_RESUME,
        SVC_LOT_RESUME,     SVC_LOT_EXTEND,     SVC_LOT_EXTEND,     SVC_LOT_DEACTIVATE,
        SVC_LOT_DEACTIVATE, SVC_LOT_REACTIVATE, SVC_LOT_REACTIVATE, SVC_LOT_EDIT};
    struct mlot *l = prop_pick_lot(p);
    if (l == NULL)
        return;
    int64_t now = p->t->now_us;
    struct svc_lot_change ch = {.action = actions[prop_range(p, 0, 11)], .reason = "asked"};
    if (ch.action == SVC_LOT_EXTEND) {
        int64_t from = l->expires_at ? l->expires_at : now;
        ch.expires_at_us = from + (prop_chance(p, 85) ? 1 : -1) * prop_range(p, 1, 72) * PROP_HOUR;
    }
    if (ch.action == SVC_LOT_EDIT)
        ch.name = "Renamed lot";
    bool missing = prop_chance(p, 2);
    int64_t id = missing ? 987654321 : l->id;
    snprintf(p->what, sizeof(p->what),
             "lot change %d: lot %lld (customer %d %s, %s, remaining %lld, deactivated %lld, "
             "expires %lld, paused %lld) new expiry %lld",
             (int)ch.action, (long long)id, l->cust, prop_type_codes[l->type],
             lot_status_name(l->status), (long long)l->remaining, (long long)l->deactivated,
             (long long)l->expires_at, (long long)l->paused_at, (long long)ch.expires_at_us);
    enum err want = missing ? ERR_NOT_FOUND : model_lot_change_check(l, &ch, now);
    struct err_detail d = {0};
    enum err rc = svc_lot_change(&p->t->svc, p->t->tenant_id, &prop_staff, id, &ch, &d);
    prop_expect_rc(p, "svc_lot_change", rc, want, &d);
    p->touched = 1u << l->cust;
    if (rc != ERR_OK)
        return;
    model_open_account(p, l->cust, l->type);
    model_lot_change(p, l, &ch);
}

static void prop_op_clock(struct prop *p)
{
    int64_t step = prop_chance(p, 60)   ? prop_range(p, 1, 600) * PROP_MINUTE
                   : prop_chance(p, 75) ? prop_range(p, 1, 48) * PROP_HOUR
                                        : prop_range(p, 1, 5) * PROP_DAY;
    p->t->now_us += step;
    char when[40];
    time_format_rfc3339(p->t->now_us, when, sizeof(when));
    snprintf(p->what, sizeof(p->what), "clock: +%lld min, now %s", (long long)(step / PROP_MINUTE),
             when);
}

static void prop_op_expire(struct prop *p)
{
    int64_t now = p->t->now_us, due = 0;
    for (size_t i = 0; i < p->m.n_lots; i++)
        due += p->m.lots[i].status == LOT_ACTIVE && mlot_past_expiry(&p->m.lots[i], now);
    snprintf(p->what, sizeof(p->what), "expire: %lld lots due", (long long)due);
    int64_t count = -1;
    enum err rc = svc_expire(&p->t->svc, 0, &count);
    if (rc != ERR_OK || count != due)
        prop_fail(p, "svc_expire: %s, %lld lots expired, the model says %lld", err_code(rc),
                  (long long)count, (long long)due);
    for (int c = 0; c < PROP_CUSTOMERS; c++)
        for (int t = 0; t < PROP_TYPES; t++)
            model_open_account(p, c, t);
    p->touched = (1u << PROP_CUSTOMERS) - 1;
}

static void prop_op_charge_on(struct prop *p)
{
    struct tenant_row row;
    if (svc_tenant_get(&p->t->svc, &p->a, p->t->tenant_id, &row) != ERR_OK)
        prop_fail(p, "cannot read the tenant");
    bool bad = prop_chance(p, 5);
    bool delivery = prop_chance(p, p->profile->delivery_percent);
    int32_t days = (int32_t)prop_range(p, 1, 40);
    row.charge_on = bad ? "later" : delivery ? "delivery" : "submit";
    row.refund_validity_days = days;
    snprintf(p->what, sizeof(p->what), "settings: charge_on %s, refund validity %d days",
             row.charge_on, days);
    struct err_detail d = {0};
    enum err rc = svc_settings_update(&p->t->svc, &row, &d);
    prop_expect_rc(p, "svc_settings_update", rc, bad ? ERR_VALIDATION : ERR_OK, &d);
    if (rc != ERR_OK)
        return;
    p->m.delivery = delivery;
    p->m.refund_days = days;
}

static void prop_op_spendable(struct prop *p)
{
    int t = (int)prop_range(p, 0, PROP_TYPES - 1);
    /* Mostly on: a type switched off comes back at the next toggle. */
    bool on = !p->m.spendable[t] || prop_chance(p, 85);
    struct credit_type_row row = {.code = prop_type_codes[t],
                                  .name = prop_type_names[t],
                                  .scale = 0,
                                  .kind = CREDIT_UNIT,
                                  .spendable = on,
                                  .sort_order = t};
    snprintf(p->what, sizeof(p->what), "spendable: %s %s", prop_type_codes[t], on ? "on" : "off");
    struct err_detail d = {0};
    enum err rc = svc_credit_type_update(&p->t->svc, p->t->tenant_id, &row, &d);
    prop_expect_rc(p, "svc_credit_type_update", rc, ERR_OK, &d);
    p->m.spendable[t] = on;
}

/* Rule 12: the owner sets (or removes) a technician's monthly limit. */
static void prop_op_limit(struct prop *p)
{
    int c = (int)prop_range(p, 0, PROP_CUSTOMERS - 1), t = (int)prop_range(p, 0, PROP_TYPES - 1);
    int64_t limit = prop_chance(p, 25) ? -1 : prop_range(p, 0, 60);
    snprintf(p->what, sizeof(p->what), "limit: technician of customer %d, %s %lld", c,
             prop_type_codes[t], (long long)limit);
    struct err_detail d = {0};
    enum err rc = svc_member_limit_set(&p->t->svc, p->t->tenant_id, p->customer_ids[c],
                                       p->technician_ids[c], prop_type_codes[t], limit, &d);
    prop_expect_rc(p, "svc_member_limit_set", rc, ERR_OK, &d);
    p->m.limit[c][t] = limit;
}

/* ---- the run ----------------------------------------------------------------- */

static enum prop_op prop_pick_op(struct prop *p)
{
    int total = 0;
    for (int i = 0; i < OP__COUNT; i++)
        total += p->profile->weight[i];
    int r = (int)prop_range(p, 0, total - 1);
    for (int i = 0; i < OP__COUNT; i++) {
        if (r < p->profile->weight[i])
            return (enum prop_op)i;
        r -= p->profile->weight[i];
    }
    return OP_CLOCK;
}

static void prop_run_op(struct prop *p, enum prop_op op)
{
    switch (op) {
    case OP_LOT_ADD:
        prop_op_lot_add(p);
        break;
    case OP_ORDER:
        prop_op_order(p);
        break;
    case OP_CANCEL:
        prop_op_cancel(p);
        break;
    case OP_STATUS:
        prop_op_status(p);
        break;
    case OP_DEDUCT_FIFO:
        prop_op_deduct_fifo(p);
        break;
    case OP_DEDUCT_LOT:
        prop_op_deduct_lot(p);
        break;
    case OP_ADJUST_ADD:
        prop_op_adjust_add(p);
        break;
    case OP_TRANSFER:
        prop_op_transfer(p);
        break;
    case OP_LOT_CHANGE:
        prop_op_lot_change(p);
        break;
    case OP_CLOCK:
        prop_op_clock(p);
        break;
    case OP_EXPIRE:
        prop_op_expire(p);
        break;
    case OP_CHARGE_ON:
        prop_op_charge_on(p);
        break;
    case OP_SPENDABLE:
        prop_op_spendable(p);
        break;
    case OP_LIMIT:
        prop_op_limit(p);
        break;
    case OP__COUNT:
        break;
    }
}

static void prop_step(struct prop *p)
{
    arena_init(&p->a, ARENA_REQUEST_BYTES_MAX);
    p->refused = false;
    memset(p->expect_kind, 0, sizeof(p->expect_kind));
    p->touched = 0;
    p->order_touched = -1;
    snprintf(p->what, sizeof(p->what), "(nothing)");
    enum prop_op op = prop_pick_op(p);
    /* The history line is written before the call so a crash shows it. */
    snprintf(p->history[p->op_index % PROP_HISTORY], sizeof(p->history[0]), "%s",
             prop_op_names[op]);
    prop_run_op(p, op);
    snprintf(p->history[p->op_index % PROP_HISTORY], sizeof(p->history[0]), "%.256s%s", p->what,
             p->refused ? "  => refused" : "");
    if (p->refused)
        p->no[op][p->last_rc]++;
    else
        p->ok[op]++;
    if (!p->refused)
        prop_adopt_lots(p);
    struct pbal after[PROP_CUSTOMERS][PROP_TYPES];
    prop_check_balances(p, after);
    prop_check_journal(p);
    bool full = p->op_index % PROP_FULL_CHECK_EVERY == PROP_FULL_CHECK_EVERY - 1;
    prop_check_lots(p, full ? (1u << PROP_CUSTOMERS) - 1 : p->touched);
    if (p->order_touched >= 0)
        prop_check_order(p, p->order_touched);
    if (p->op_index % PROP_VERIFY_EVERY == PROP_VERIFY_EVERY - 1)
        testdb_assert_verified(p->t);
    memcpy(p->before, after, sizeof(after));
    arena_release(&p->a);
}

static void prop_setup(struct prop *p)
{
    struct testdb *t = p->t;
    for (int c = 0; c < PROP_CUSTOMERS; c++) {
        char name[32];
        snprintf(name, sizeof(name), "Shop %d", c);
        p->customer_ids[c] = testdb_customer(t, name);
        char email[64];
        snprintf(email, sizeof(email), "tech%d@shop.example", c);
        struct err_detail d = {0};
        assert_int_equal(svc_member_add(&t->svc, t->tenant_id, p->customer_ids[c], email,
                                        "correct horse battery", "technician",
                                        &p->technician_ids[c], &d),
                         ERR_OK);
        p->m.limit[c][0] = p->m.limit[c][1] = -1;
    }
    for (int i = 0; i < PROP_SERVICES; i++) {
        const struct prop_service *s = &prop_services[i];
        struct svc_service_input in = {.row = {.name = s->name,
                                               .kind = s->kind,
                                               .category = s->category,
                                               .provider = s->provider}};
        for (int k = 0; k < PROP_TYPES; k++)
            if (s->cost[k] >= 0)
                in.costs[in.n_costs++] = (struct svc_amount){.credit_type = prop_type_codes[k],
                                                             .amount_minor = s->cost[k]};
        struct err_detail d = {0};
        assert_int_equal(svc_service_create(&t->svc, t->tenant_id, &in, &p->service_ids[i], &d),
                         ERR_OK);
    }
    arena_init(&p->a, ARENA_REQUEST_BYTES_MAX);
    struct svc_balance *b;
    size_t n;
    assert_int_equal(svc_balances(&t->svc, &p->a, t->tenant_id, p->customer_ids[0], &b, &n),
                     ERR_OK);
    assert_int_equal(n, PROP_TYPES);
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < PROP_TYPES; k++)
            if (strcmp(b[i].credit_type, prop_type_codes[k]) == 0)
                p->type_ids[k] = b[i].credit_type_id;
    struct tenant_row row;
    assert_int_equal(svc_tenant_get(&t->svc, &p->a, t->tenant_id, &row), ERR_OK);
    p->m.refund_days = row.refund_validity_days;
    row.timezone = p->zone->name;
    if (p->profile->start_with_delivery)
        row.charge_on = "delivery";
    struct err_detail d = {0};
    assert_int_equal(svc_settings_update(&t->svc, &row, &d), ERR_OK);
    p->m.delivery = strcmp(row.charge_on, "delivery") == 0;
    p->m.spendable[0] = p->m.spendable[1] = true;
    prop_balances(p, p->before);
    arena_release(&p->a);
}

/* The end of a run: expiry, then the whole journal read again from the start
 * must give what the incremental reading gave (nothing was rewritten), sum to
 * zero, and explain every balance. */
static void prop_finish(struct prop *p)
{
    arena_init(&p->a, ARENA_REQUEST_BYTES_MAX);
    p->refused = false;
    memset(p->expect_kind, 0, sizeof(p->expect_kind));
    p->touched = 0;
    prop_op_expire(p);
    snprintf(p->history[p->op_index % PROP_HISTORY], sizeof(p->history[0]), "%.256s (final)",
             p->what);
    struct pbal after[PROP_CUSTOMERS][PROP_TYPES];
    prop_check_balances(p, after);
    prop_check_journal(p);
    prop_check_lots(p, (1u << PROP_CUSTOMERS) - 1);
    struct jstate incremental = p->j;
    memset(&p->j, 0, sizeof(p->j));
    prop_journal_read(p);
    if (p->j.n_entries != incremental.n_entries || p->j.last_id != incremental.last_id ||
        memcmp(p->j.running, incremental.running, sizeof(p->j.running)) != 0 ||
        memcmp(p->j.system, incremental.system, sizeof(p->j.system)) != 0)
        prop_fail(p, "the journal read again differs from the journal read as it grew");
    prop_check_journal_totals(p, &p->j);
    for (int t = 0; t < PROP_TYPES; t++) {
        int64_t customers = 0, postings = 0;
        for (int c = 0; c < PROP_CUSTOMERS; c++) {
            customers += p->j.running[c][t];
            /* After expiry a balance is exactly its lot and held postings. */
            if (after[c][t].balance != p->j.running[c][t])
                prop_fail(p, "customer %d %s: balance %lld, the journal says %lld", c,
                          prop_type_codes[t], (long long)after[c][t].balance,
                          (long long)p->j.running[c][t]);
        }
        postings = p->j.postings[t];
        int64_t held = 0;
        for (int c = 0; c < PROP_CUSTOMERS; c++)
            held += p->j.held[c][t];
        if (held != p->j.system[t][ACCOUNT_HELD] || postings != 0)
            prop_fail(p, "%s: postings sum to %lld, held %lld vs account %lld", prop_type_codes[t],
                      (long long)postings, (long long)held,
                      (long long)p->j.system[t][ACCOUNT_HELD]);
        int64_t explained = -p->j.system[t][ACCOUNT_ISSUED] - p->j.system[t][ACCOUNT_CONSUMED] -
                            p->j.system[t][ACCOUNT_EXPIRED] - p->j.system[t][ACCOUNT_DEACTIVATED];
        if (customers != explained)
            prop_fail(p,
                      "%s: balances sum to %lld, issued - consumed - expired - deactivated "
                      "is %lld",
                      prop_type_codes[t], (long long)customers, (long long)explained);
    }
    testdb_assert_verified(p->t);
    arena_release(&p->a);
}

/* Each test gets a fresh database and, for a run, its model; teardown
 * releases both even when the test failed. */
struct fixture {
    struct testdb t;
    struct prop *p;
};

static int fixture_open(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    testdb_open(&f->t);
    *state = f;
    return 0;
}

static int fixture_close(void **state)
{
    struct fixture *f = *state;
    struct prop *p = f->p;
    for (size_t k = 0; p != NULL && k < p->m.n_orders; k++) {
        free(p->m.orders[k].draw_lot);
        free(p->m.orders[k].draw_amount);
    }
    if (p != NULL) {
        arena_release(&p->a);
        free(p->m.orders);
        free(p->m.lots);
        free(p);
    }
    testdb_close(&f->t);
    free(f);
    return 0;
}

static void prop_report(const struct prop *p)
{
    printf("%s: done, %lld journal entries, %zu lots, %zu orders\n", p->profile->name,
           (long long)p->j.n_entries, p->m.n_lots, p->m.n_orders);
    for (int i = 0; i < OP__COUNT; i++) {
        printf("  %-12s %5ld done", prop_op_names[i], p->ok[i]);
        for (int e = 0; e < ERR__COUNT; e++)
            if (p->no[i][e] > 0)
                printf(", %ld %s", p->no[i][e], err_code((enum err)e));
        printf("\n");
    }
}

static void prop_run(struct fixture *f, const struct prop_profile *profile, long n_ops, int run)
{
    struct prop *p = calloc(1, sizeof(*p));
    assert_non_null(p);
    f->p = p;
    p->t = &f->t;
    p->profile = profile;
    p->zone = &prop_zones[profile->zone];
    p->seed = prop_seed(run);
    p->rng = p->seed ? p->seed * UINT64_C(0x9E3779B97F4A7C15) + 1 : UINT64_C(88172645463325252);
    printf("%s: seed %llu, %ld operations on %s, zone %s\n", profile->name,
           (unsigned long long)p->seed, n_ops, testdb_backend(), p->zone->name);
    fflush(stdout);
    prop_setup(p);
    for (p->op_index = 0; p->op_index < n_ops; p->op_index++)
        prop_step(p);
    prop_finish(p);
    prop_report(p);
}

/* ---- the tests ----------------------------------------------------------------- */

static void random_operations_agree_with_the_model_and_keep_the_ledger_whole(void **state)
{
    static const struct prop_profile mixed = {
        .name = "mixed",
        /* lot add, order, cancel, status, deduct fifo, deduct lot, adjust add,
         * transfer, lot change, clock, expire, charge_on, spendable, limit */
        .weight = {12, 22, 7, 7, 4, 4, 4, 5, 14, 12, 3, 3, 3, 2},
        .lot_credits_max = 50,
        .delivery_percent = 50,
    };
    prop_run(*state, &mixed, prop_ops(), 0);
}

/* A case the mixed run found (most seeds failed on it before the fix): rule 7
 * stops a paused lot's expiry clock and svc_deduct takes from a named lot
 * while it is paused, yet once the frozen expires_at lay behind the clock the
 * deduction was refused as insufficient_credits with 0 available, although
 * the lot's credits are in the balance. */
static void a_named_deduction_takes_from_a_paused_lot_past_its_frozen_expiry(void **state)
{
    struct fixture *f = *state;
    struct testdb *t = &f->t;
    int64_t shop = testdb_customer(t, "Shop");
    int64_t lot = testdb_lot(t, shop, "master", 10, TEST_T0 + PROP_DAY);
    struct svc_lot_change pause = {.action = SVC_LOT_PAUSE, .reason = "holiday"};
    struct err_detail d = {0};
    assert_int_equal(svc_lot_change(&t->svc, t->tenant_id, &prop_staff, lot, &pause, &d), ERR_OK);
    t->now_us = TEST_T0 + 3 * PROP_DAY;
    int64_t balance = -1, available = -1;
    testdb_balance(t, shop, "master", &balance, &available);
    assert_int_equal(balance, 10); /* paused credits stay in the balance */
    assert_int_equal(available, 0);

    struct svc_deduct_input in = {.customer_id = shop,
                                  .lot_id = lot,
                                  .amount_minor = 4,
                                  .reason = "correction",
                                  .justification = "double booking"};
    int64_t journal_id = 0;
    enum err rc = svc_deduct(&t->svc, t->tenant_id, &prop_staff, &in, &journal_id, &d);
    if (rc != ERR_OK)
        fail_msg("deducting 4 from the paused lot: %s (%s)", err_code(rc), d.message);
    testdb_balance(t, shop, "master", &balance, &available);
    assert_int_equal(balance, 6);
    testdb_assert_verified(t);
}

static void refused_operations_on_scarce_credits_change_nothing(void **state)
{
    /* Few, small lots and many spends: about half of the spends are refused. */
    static const struct prop_profile scarce = {
        .name = "scarce",
        .zone = 1,
        .weight = {10, 30, 4, 4, 8, 8, 2, 8, 12, 10, 3, 1, 1, 1},
        .lot_credits_max = 12,
        .delivery_percent = 50,
    };
    prop_run(*state, &scarce, (prop_ops() + 3) / 4, 1);
}

static void two_phase_orders_hold_capture_and_release_exactly(void **state)
{
    /* charge_on = delivery most of the time: holds, captures, releases. */
    static const struct prop_profile holds = {
        .name = "two-phase",
        .zone = 2,
        .weight = {10, 25, 14, 14, 3, 3, 3, 3, 10, 10, 3, 1, 1, 2},
        .lot_credits_max = 40,
        .delivery_percent = 80,
        .start_with_delivery = true,
    };
    prop_run(*state, &holds, (prop_ops() + 3) / 4, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            random_operations_agree_with_the_model_and_keep_the_ledger_whole, fixture_open,
            fixture_close),
        cmocka_unit_test_setup_teardown(refused_operations_on_scarce_credits_change_nothing,
                                        fixture_open, fixture_close),
        cmocka_unit_test_setup_teardown(two_phase_orders_hold_capture_and_release_exactly,
                                        fixture_open, fixture_close),
        cmocka_unit_test_setup_teardown(
            a_named_deduction_takes_from_a_paused_lot_past_its_frozen_expiry, fixture_open,
            fixture_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
