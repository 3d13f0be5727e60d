#!/usr/bin/env bash
# make bench: the performance figures of DESIGN 5 on this machine, durable
# settings only (SQLite: WAL, synchronous=FULL; PostgreSQL: a throw-away
# cluster with fsync and synchronous_commit on), everything on 127.0.0.1,
# every run bounded in time. Sections:
#   1. order debits through the service layer, SQLite and PostgreSQL, with
#      bytes written per order (bench/bench_orders.c)
#   2. ledger reads with a journal of millions of rows (bench/bench_ledger.c)
#   3. HTTP with wrk, and the server's memory (bench/bench_http.mjs); then
#      POST /orders on PostgreSQL with one server and with two on one
#      database (bench/bench_http_pg.mjs, a throw-away cluster of its own)
#   4. the quality bars of DESIGN 5 against the figures above
#   5. the portal's pages in a browser (bench/bench_portal.mjs)
# Environment (defaults in brackets):
#   BENCH_SECONDS [3]            seconds per measured row, every section
#   BENCH_CUSTOMERS [10000]      customers of section 1
#   BENCH_HOT_CUSTOMERS [10]     the hot customers of section 1 (0: no hot rows)
#   BENCH_JOURNAL_ROWS [10000000] journal rows of section 2
#   BENCH_JOURNAL_CUSTOMERS [10000] customers the journal rows belong to
#   BENCH_LEDGER_PG [1]          0 runs section 2 on SQLite only
#   BENCH_HTTP_SECONDS [BENCH_SECONDS], BENCH_HTTP_CUSTOMERS [1000]  section 3
#   BENCH_HTTP_PG [1]            0 leaves out section 3's PostgreSQL rows
# The figures are also written to BUILD/bench/results.txt ("key value").
# Exits 1 when a bench failed (a failed verify too); a missed bar is not a
# failure, it is printed as MISSED.
set -euo pipefail
build=$1
customers=${BENCH_CUSTOMERS:-10000}
seconds=${BENCH_SECONDS:-3}
hot=${BENCH_HOT_CUSTOMERS:-10}
journal_rows=${BENCH_JOURNAL_ROWS:-10000000}
ledger_pg=${BENCH_LEDGER_PG:-1}
http_pg=${BENCH_HTTP_PG:-1}
export BENCH_JOURNAL_ROWS=$journal_rows
work=$(mktemp -d /tmp/creditd-bench.XXXXXX)
pg_dir=""
status=0
started=$SECONDS
cleanup() {
    [ -n "$pg_dir" ] && bash scripts/pg_cluster.sh stop "$pg_dir" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$build/bench"
export BENCH_RESULTS="$build/bench/results.txt"
: >"$BENCH_RESULTS"

section() {
    printf '\n\n==== %s ====\n' "$*"
}

section "1. order debits through the service layer ($customers customers, $seconds s a row)"
"$build/bench/bench_orders" "sqlite:$work/orders.db" "$customers" "$seconds" "$hot" || status=1
rm -f "$work"/orders.db*
pg_dir=$(mktemp -d /tmp/creditd-bench-pg.XXXXXX)
port=$((56000 + RANDOM % 900))
if url=$(bash scripts/pg_cluster.sh start "$pg_dir" "$port" 2>/dev/null); then
    "$build/bench/bench_orders" "$url" "$customers" "$seconds" "$hot" || status=1
else
    echo "bench: PostgreSQL could not be started; skipped"
    pg_dir=""
fi

section "2. ledger reads at scale ($journal_rows journal rows)"
"$build/bench/bench_ledger" "sqlite:$work/ledger.db" "$journal_rows" "$seconds" || status=1
rm -f "$work"/ledger.db*
if [ -n "$pg_dir" ] && [ "$ledger_pg" != 0 ]; then
    if url=$(bash scripts/pg_cluster.sh createdb "$pg_dir" "$port" creditd_ledger 2>/dev/null); then
        "$build/bench/bench_ledger" "$url" "$journal_rows" "$seconds" || status=1
    else
        echo "bench: cannot create the ledger database; PostgreSQL skipped"
    fi
fi
if [ -n "$pg_dir" ]; then
    bash scripts/pg_cluster.sh stop "$pg_dir" >/dev/null 2>&1 || true
    pg_dir=""
fi

# wrk is needed by make bench only, so it is installed here and not by make
# deps (scripts/deps.sh).
need_wrk() {
    command -v wrk >/dev/null && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "bench: wrk is missing (apt-get install wrk as root); HTTP skipped"
        return 1
    fi
    echo "bench: installing wrk"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends wrk >/dev/null ||
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null; } ||
        true
    command -v wrk >/dev/null || { echo "bench: cannot install wrk; HTTP skipped"; return 1; }
}

section "3. HTTP"
if need_wrk; then
    CREDITD_BIN="$build/creditd" node bench/bench_http.mjs || status=1
    # POST /orders on PostgreSQL, one server and two on one database, in a
    # fresh cluster: the 10 M-row ledger database of section 2 is gone with
    # its cluster, so its checkpoints do not weigh on these rows.
    if [ "$http_pg" != 0 ]; then
        pg_dir=$(mktemp -d /tmp/creditd-bench-pg.XXXXXX)
        port=$((56000 + RANDOM % 900))
        if bash scripts/pg_cluster.sh start "$pg_dir" "$port" >/dev/null 2>&1 &&
            url=$(bash scripts/pg_cluster.sh createdb "$pg_dir" "$port" creditd_http 2>/dev/null); then
            CREDITD_BIN="$build/creditd" BENCH_HTTP_PG_URL="$url" node bench/bench_http_pg.mjs ||
                status=1
        else
            echo "bench: PostgreSQL could not be started; HTTP on PostgreSQL skipped"
        fi
        bash scripts/pg_cluster.sh stop "$pg_dir" >/dev/null 2>&1 || true
        pg_dir=""
    fi
fi

# ---- 4. the bars ------------------------------------------------------------

fig() {
    awk -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? "-" : v) }' "$BENCH_RESULTS"
}

# The larger (worst) of figures, "-" when none was measured.
worst() {
    local k v out=-
    for k in "$@"; do
        v=$(fig "$k")
        [ "$v" = - ] && continue
        out=$(awk -v a="$out" -v b="$v" 'BEGIN { print (a == "-" || b + 0 > a + 0) ? b : a }')
    done
    echo "$out"
}

# bar WHAT OP TARGET VALUE: one row; OP is >= or <=, or - for a figure without a bar.
bar() {
    local verdict=""
    if [ "$2" != - ]; then
        if [ "$4" = - ] || [ "$3" = - ]; then
            verdict="not measured"
        else
            verdict=$(awk -v v="$4" -v t="$3" -v op="$2" \
                'BEGIN { ok = op == ">=" ? v + 0 >= t + 0 : v + 0 <= t + 0; print ok ? "met" : "MISSED" }')
        fi
    fi
    local target="$2 $3"
    [ "$2" = - ] && target=""
    printf '| %-62s | %-9s | %9s | %-12s |\n' "$1" "$target" "$4" "$verdict"
}

# 95% of a figure: "no drop" allows for the noise of a few seconds' run.
ninety_five() {
    [ "$1" = - ] && { echo -; return; }
    awk -v v="$1" 'BEGIN { printf "%.0f", v * 0.95 }'
}

section "4. DESIGN 5 quality bars against the figures above"
rows_m=$(awk -v r="$journal_rows" 'BEGIN { if (r >= 1e6) printf "%g M", r / 1e6; else printf "%d", r }')
echo
echo "| figure                                                         | bar       |  measured | verdict      |"
echo "|----------------------------------------------------------------|-----------|-----------|--------------|"
s=orders.sqlite
bar "SQLite orders/s, 32 callers, $customers customers" ">=" 30000 "$(fig $s.32.$customers.per_s)"
bar "SQLite orders/s, 64 callers, $customers customers" ">=" 30000 "$(fig $s.64.$customers.per_s)"
bar "SQLite p50 ms, 1 caller" "<=" 1 "$(fig $s.1.$customers.p50_ms)"
bar "SQLite p99 ms, 1 caller" "<=" 3 "$(fig $s.1.$customers.p99_ms)"
bar "SQLite bytes written per order, 32 callers" - - "$(fig $s.32.$customers.bytes_per_order)"
p=orders.postgresql
for n in "$customers" "$hot"; do
    [ "$n" = 0 ] && continue
    at16=$(fig $p.16.$n.per_s)
    bar "PostgreSQL orders/s, 16 callers, $n customers" ">=" 10000 "$at16"
    bar "PostgreSQL orders/s, 64 callers, $n customers (no drop)" ">=" "$(ninety_five "$at16")" \
        "$(fig $p.64.$n.per_s)"
    bar "PostgreSQL p99 ms, 16 callers, $n customers" "<=" 50 "$(fig $p.16.$n.p99_ms)"
    bar "PostgreSQL p99 ms, 64 callers, $n customers" "<=" 50 "$(fig $p.64.$n.p99_ms)"
done
bar "PostgreSQL WAL bytes per order, 16 callers" - - "$(fig $p.16.$customers.bytes_per_order)"
bar "HTTP POST /orders req/s, 64 connections (SQLite)" ">=" 15000 "$(fig http.orders.64.per_s)"
bar "HTTP POST /orders p99 ms, 64 connections" "<=" 25 "$(fig http.orders.64.p99_ms)"
bar "HTTP GET /healthz req/s, 64 connections, same server" - - "$(fig http.healthz.64.per_s)"
for n in 1 2; do
    servers="1 server"
    [ $n = 2 ] && servers="2 servers"
    bar "PostgreSQL HTTP POST /orders req/s, 64 connections, $servers" - - \
        "$(fig http.pg.orders.${n}srv.64.per_s)"
    bar "PostgreSQL HTTP POST /orders p99 ms, 64 connections, $servers" - - \
        "$(fig http.pg.orders.${n}srv.64.p99_ms)"
done
for b in sqlite postgresql; do
    name=SQLite
    [ $b = postgresql ] && name=PostgreSQL
    bar "$name p99 ms, ledger page of 50, $rows_m rows (worst of 4)" "<=" 2 \
        "$(worst ledger.$b.page_hot.p99_ms ledger.$b.page_hot_deep.p99_ms \
            ledger.$b.page_other.p99_ms ledger.$b.page_tenant.p99_ms)"
    bar "$name p99 ms, 30-day sums, $rows_m rows (worst of 2)" "<=" 2 \
        "$(worst ledger.$b.sums_hot.p99_ms ledger.$b.sums_other.p99_ms)"
done
bar "server VmRSS MiB, idle after setup" - - "$(fig http.rss_idle_mib)"
bar "server VmRSS MiB, under load (highest sample)" - - "$(fig http.rss_load_mib)"
echo
echo "(no drop: at least 95% of the 16-caller figure, for the noise of a short run;"
echo " PostgreSQL, 2 servers: one database, one wrk of 32 connections per server at the"
echo " same time, req/s summed, p99 the worse of the two;"
echo " all figures: $BENCH_RESULTS; sections 1-4 took $((SECONDS - started)) s)"

section "5. the portal"
# The portal's pages in a real browser (needs chromium and playwright-core).
if [ -x /usr/bin/chromium ] && [ -f node_modules/playwright-core/package.json ]; then
    CREDITD_BIN="$build/creditd" node bench/bench_portal.mjs || status=1
else
    echo "bench: chromium or playwright-core missing; portal timing skipped"
fi
exit $status
