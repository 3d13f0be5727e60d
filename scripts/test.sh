#!/usr/bin/env bash
# Runs every test suite of creditd, then all of them again under
# AddressSanitizer and UndefinedBehaviorSanitizer, and prints one line
# "N passed, N failed" for everything together.
#
# Suites: unit tests of the core and base (no database), the store/service
# suites and property tests on SQLite and on a throw-away PostgreSQL 15 that
# this script starts and stops, the CLI tests against the real binary, and
# the fuzz drivers (tests/fuzz), each for a few seconds over its seeds.
#   scripts/test.sh              normal build, sanitizer build, fuzz drivers
#   scripts/test.sh --asan-only  sanitizer build and fuzz drivers
#   scripts/test.sh --fuzz-only  fuzz drivers only
set -uo pipefail
cd "$(dirname "$0")/.."

mode=${1:-all}
passed=0
failed=0
failures=()
pg_dir=""
pg_port=""

cleanup() {
    if [ -n "$pg_dir" ]; then
        bash scripts/pg_cluster.sh stop "$pg_dir" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

# Counts a cmocka binary's results from its summary lines.
run_cmocka() {
    local label=$1 bin=$2
    shift 2
    local out rc p f
    out=$(env "$@" "$bin" 2>&1)
    rc=$?
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
    p=${p:-0}
    f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1 # crashed or aborted before its summary
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -gt 0 ]; then
        failures+=("$label")
        printf '%s\n' "$out" | tail -n 40
    fi
    printf '%-58s %4d passed, %d failed\n' "$label" "$p" "$f"
}

# Counts a TAP-speaking script's "ok" / "not ok" lines.
run_tap() {
    local label=$1
    shift
    local out rc p f
    out=$("$@" 2>&1)
    rc=$?
    p=$(printf '%s\n' "$out" | grep -c '^ok ')
    f=$(printf '%s\n' "$out" | grep -c '^not ok ')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -gt 0 ]; then
        failures+=("$label")
        printf '%s\n' "$out" | grep -v '^ok ' | tail -n 40
    fi
    printf '%-58s %4d passed, %d failed\n' "$label" "$p" "$f"
}

# Runs node's test runner on dir with the environment given; its output goes
# to the file out_file, its exit status to out_file.rc.
node_suite() {
    local out_file=$1 dir=$2
    shift 2
    # One suite at a time where node knows how to say so (node 20+; Debian
    # 12's node 18 runs the files one after another by itself).
    local serial=()
    if node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)'; then
        serial=(--test-concurrency=1)
    fi
    env "$@" node --test "${serial[@]}" "$dir" >"$out_file" 2>&1
    echo $? >"$out_file.rc"
}

# Counts node's test runner results from its closing "# pass N" / "# fail N".
run_node() {
    local label=$1 dir=$2
    shift 2
    local file
    file=$(mktemp /tmp/creditd-node.XXXXXX)
    node_suite "$file" "$dir" "$@"
    count_node "$label" "$file"
}

# Two suites at once (most of their time is spent waiting: for mail, for
# deadlines, for servers to start), each counted as run_node counts.
run_node_pair() {
    local label_a=$1 label_b=$2 dir=$3 env_a=$4 env_b=$5
    local file_a file_b
    file_a=$(mktemp /tmp/creditd-node.XXXXXX)
    file_b=$(mktemp /tmp/creditd-node.XXXXXX)
    # shellcheck disable=SC2086 # each env list is word-split on purpose
    node_suite "$file_a" "$dir" $env_a &
    local pid_a=$!
    # shellcheck disable=SC2086
    node_suite "$file_b" "$dir" $env_b
    wait "$pid_a"
    count_node "$label_a" "$file_a"
    count_node "$label_b" "$file_b"
}

count_node() {
    local label=$1 file=$2
    local out rc p f
    out=$(cat "$file")
    rc=$(cat "$file.rc" 2>/dev/null || echo 1)
    rm -f "$file" "$file.rc"
    p=$(printf '%s\n' "$out" | sed -n 's/^# pass \([0-9]*\)$/\1/p' | tail -n1)
    f=$(printf '%s\n' "$out" | sed -n 's/^# fail \([0-9]*\)$/\1/p' | tail -n1)
    p=${p:-0}
    f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -gt 0 ]; then
        failures+=("$label")
        printf '%s\n' "$out" | grep -B2 -A25 '^not ok' | head -n 80
    fi
    printf '%-58s %4d passed, %d failed\n' "$label" "$p" "$f"
}

start_pg() {
    [ -n "$pg_dir" ] && return 0
    local port
    for port in $(seq $((55000 + RANDOM % 900)) 55999); do
        if ! (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
            break
        fi
    done
    pg_dir=$(mktemp -d /tmp/creditd-pg.XXXXXX)
    if ! pg_url=$(bash scripts/pg_cluster.sh start "$pg_dir" "$port" 2>>build/pg.log); then
        echo "cannot start PostgreSQL for the tests" >&2
        failures+=("postgresql start")
        failed=$((failed + 1))
        pg_dir=""
        return 1
    fi
    export PG_TEST_URL=$pg_url
    pg_port=$port
}

# A fresh database in the cluster for one suite, so suites never share state.
pg_fresh_db() {
    bash scripts/pg_cluster.sh createdb "$pg_dir" "$pg_port" "$1$RANDOM$RANDOM" 2>/dev/null |
        tail -n1
}

run_build() {
    local build=$1 label=$2
    shift 2
    local log="build/logs/$(printf '%s' "$build" | tr '/' '_').log"
    mkdir -p build/logs
    if ! make --no-print-directory tests BUILD="$build" "$@" >"$log" 2>&1; then
        tail -n 40 "$log"
        failures+=("build $label")
        failed=$((failed + 1))
        return 1
    fi
    local bin
    for bin in "$build"/tests/unit/*/test_*; do
        [ -x "$bin" ] && run_cmocka "$label unit/${bin#"$build"/tests/unit/}" "$bin"
    done
    for bin in "$build"/tests/store/test_* "$build"/tests/prop/test_*; do
        [ -x "$bin" ] || continue
        local name=${bin#"$build"/tests/}
        run_cmocka "$label $name [sqlite]" "$bin" CREDITD_TEST_DB=
        if start_pg; then
            local db
            db=$(pg_fresh_db t)
            run_cmocka "$label $name [postgres]" "$bin" CREDITD_TEST_DB="${db:-$PG_TEST_URL}"
        fi
    done
    if ls tests/api/*.test.mjs >/dev/null 2>&1; then
        if start_pg; then
            run_node_pair "$label api [sqlite]" "$label api [postgres]" tests/api/ \
                "CREDITD_BIN=$build/creditd CREDITD_TEST_PG=" \
                "CREDITD_BIN=$build/creditd CREDITD_TEST_PG=${PG_TEST_URL%/*}/postgres"
        else
            run_node "$label api [sqlite]" tests/api/ CREDITD_BIN="$build/creditd" CREDITD_TEST_PG=
        fi
    fi
    # Several servers, standbys, replicas and backups (tests/cluster): each
    # test starts the PostgreSQL clusters it needs besides the shared one.
    if ls tests/cluster/*.test.mjs >/dev/null 2>&1 && start_pg; then
        run_node "$label cluster" tests/cluster/ CREDITD_BIN="$build/creditd" \
            CREDITD_TEST_PG="${PG_TEST_URL%/*}/postgres"
    fi
    # The portal in a real browser: once, on the normal build, with SQLite.
    if [ -z "$label" ] || [ "$label" = "   " ]; then
        # The portal's modules that need no browser (the QR encoder).
        if ls tests/web/*.test.mjs >/dev/null 2>&1; then
            run_node "$label web" tests/web/
        fi
        if ls tests/e2e/*.test.mjs >/dev/null 2>&1; then
            run_node "$label e2e [chromium]" tests/e2e/ CREDITD_BIN="$build/creditd" CREDITD_TEST_PG=
        fi
    fi
    if [ -x tests/cli/test_cli.sh ]; then
        run_tap "$label cli [sqlite]" bash tests/cli/test_cli.sh "$build/creditd" sqlite
        if start_pg; then
            local db
            db=$(pg_fresh_db c)
            run_tap "$label cli [postgres]" bash tests/cli/test_cli.sh "$build/creditd" "$db"
        fi
    fi
}

# The fuzz drivers (clang, libFuzzer, ASan, UBSan), each one test: it
# passes when FUZZ_SMOKE_SECONDS (5) of fuzzing from its committed seeds
# find nothing. `make fuzz` is the long run.
run_fuzz() {
    local log=build/logs/fuzz_build.log
    mkdir -p build/logs
    if ! make -j"$(nproc)" --no-print-directory fuzz-build >"$log" 2>&1; then
        tail -n 40 "$log"
        failures+=("build fuzz")
        failed=$((failed + 1))
        return 1
    fi
    run_tap "fuzz" bash scripts/fuzz.sh smoke build/fuzz "${FUZZ_SMOKE_SECONDS:-5}"
}

mkdir -p build
if [ "$mode" != "--asan-only" ] && [ "$mode" != "--fuzz-only" ]; then
    run_build build "   " || true
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
# fontconfig's caches (PDF documents) live until exit: tests/lsan.supp.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export PROP_OPS=${PROP_OPS_ASAN:-600}
if [ "$mode" != "--fuzz-only" ]; then
    run_build build/asan "asan" SAN="-fsanitize=address,undefined -fno-omit-frame-pointer" \
        OPT="-O1 -g" || true
fi
run_fuzz || true

if [ ${#failures[@]} -gt 0 ]; then
    echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
