/*
 * Prometheus metrics kept in process memory: requests by route and status,
 * a latency histogram, database errors. Updated with atomic adds from the
 * server threads; rendered by GET /metrics.
 */
#include <string.h>

#include "http/http_int.h"

enum { METRIC_ROUTES_MAX = 128, METRIC_STATUS_CLASSES = 6, METRIC_BUCKETS = 12 };

static const int64_t metric_bounds_us[METRIC_BUCKETS] = {
    500, 1000, 2000, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, INT64_MAX};

/* Requests by route (index+1; 0 = no route) and status class (1xx…5xx, other). */
static uint64_t metric_requests[METRIC_ROUTES_MAX + 1][METRIC_STATUS_CLASSES];
static uint64_t metric_latency[METRIC_BUCKETS];
static uint64_t metric_latency_sum_us;
static uint64_t metric_store_errors;

void http_metrics_observe(const struct http_route *route, int status, int64_t duration_us)
{
    size_t index = route ? (size_t)(route - http_routes) + 1 : 0;
    if (index > METRIC_ROUTES_MAX)
        index = 0;
    int cls = status >= 100 && status < 600 ? status / 100 - 1 : 5;
    __atomic_fetch_add(&metric_requests[index][cls], 1, __ATOMIC_RELAXED);
    for (int b = 0; b < METRIC_BUCKETS; b++) {
        if (duration_us <= metric_bounds_us[b]) {
            __atomic_fetch_add(&metric_latency[b], 1, __ATOMIC_RELAXED);
            break;
        }
    }
    __atomic_fetch_add(&metric_latency_sum_us, (uint64_t)duration_us, __ATOMIC_RELAXED);
}

void http_metrics_store_error(void)
{
    __atomic_fetch_add(&metric_store_errors, 1, __ATOMIC_RELAXED);
}

void http_metrics_render(struct buf *b)
{
    static const char *const classes[] = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};
    enum err rc = buf_puts(b, "# HELP creditd_http_requests_total HTTP requests by route and "
                              "status class.\n# TYPE creditd_http_requests_total counter\n");
    for (size_t i = 0; rc == ERR_OK && i <= http_routes_count && i <= METRIC_ROUTES_MAX; i++) {
        for (int c = 0; rc == ERR_OK && c < METRIC_STATUS_CLASSES; c++) {
            uint64_t v = __atomic_load_n(&metric_requests[i][c], __ATOMIC_RELAXED);
            if (v == 0)
                continue;
            const char *method = i ? http_routes[i - 1].method : "";
            const char *route = i ? http_routes[i - 1].pattern : "unmatched";
            rc = buf_printf(b,
                            "creditd_http_requests_total{method=\"%s\",route=\"%s\","
                            "status=\"%s\"} %llu\n",
                            method, route, classes[c], (unsigned long long)v);
        }
    }
    uint64_t cumulative = 0, total = 0;
    for (int k = 0; k < METRIC_BUCKETS; k++)
        total += __atomic_load_n(&metric_latency[k], __ATOMIC_RELAXED);
    if (rc == ERR_OK)
        rc = buf_puts(b, "# HELP creditd_http_request_duration_seconds Request latency.\n"
                         "# TYPE creditd_http_request_duration_seconds histogram\n");
    for (int k = 0; rc == ERR_OK && k < METRIC_BUCKETS; k++) {
        cumulative += __atomic_load_n(&metric_latency[k], __ATOMIC_RELAXED);
        if (metric_bounds_us[k] == INT64_MAX)
            rc = buf_printf(b, "creditd_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                            (unsigned long long)total);
        else
            rc = buf_printf(b, "creditd_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                            (double)metric_bounds_us[k] / 1e6, (unsigned long long)cumulative);
    }
    if (rc == ERR_OK)
        rc =
            buf_printf(b,
                       "creditd_http_request_duration_seconds_sum %.6f\n"
                       "creditd_http_request_duration_seconds_count %llu\n"
                       "# HELP creditd_store_errors_total Database failures seen by requests.\n"
                       "# TYPE creditd_store_errors_total counter\n"
                       "creditd_store_errors_total %llu\n",
                       (double)__atomic_load_n(&metric_latency_sum_us, __ATOMIC_RELAXED) / 1e6,
                       (unsigned long long)total,
                       (unsigned long long)__atomic_load_n(&metric_store_errors, __ATOMIC_RELAXED));
    if (rc == ERR_OK)
        rc = buf_puts(b, "# HELP creditd_ledger_transactions_total Journal entries committed by "
                         "this process, by kind.\n# TYPE creditd_ledger_transactions_total "
                         "counter\n");
    for (int k = 0; rc == ERR_OK && k < JOURNAL__COUNT; k++)
        rc = buf_printf(b, "creditd_ledger_transactions_total{kind=\"%s\"} %llu\n",
                        journal_kind_name((enum journal_kind)k),
                        (unsigned long long)svc_journal_committed((enum journal_kind)k));
    (void)rc;
}
