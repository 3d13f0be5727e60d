#!/usr/bin/env bash
# make bench: order debits on durable SQLite and on a throw-away PostgreSQL.
# BENCH_CUSTOMERS (default 10000) and BENCH_SECONDS (per row, default 3).
set -euo pipefail
build=$1
customers=${BENCH_CUSTOMERS:-10000}
seconds=${BENCH_SECONDS:-3}
work=$(mktemp -d /tmp/creditd-bench.XXXXXX)
pg_dir=""
cleanup() {
    [ -n "$pg_dir" ] && bash scripts/pg_cluster.sh stop "$pg_dir" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
"$build/bench/bench_orders" "sqlite:$work/bench.db" "$customers" "$seconds"
pg_dir=$(mktemp -d /tmp/creditd-bench-pg.XXXXXX)
port=$((56000 + RANDOM % 900))
if url=$(bash scripts/pg_cluster.sh start "$pg_dir" "$port" 2>/dev/null); then
    "$build/bench/bench_orders" "$url" "$customers" "$seconds"
else
    echo "bench: PostgreSQL could not be started; skipped"
    pg_dir=""
fi
# The portal's pages in a real browser (needs chromium and playwright-core).
if [ -x /usr/bin/chromium ] && [ -f node_modules/playwright-core/package.json ]; then
    CREDITD_BIN="$build/creditd" node bench/bench_portal.mjs
else
    echo "bench: chromium or playwright-core missing; portal timing skipped"
fi
