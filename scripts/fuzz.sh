#!/usr/bin/env bash
# Runs the libFuzzer drivers of tests/fuzz, built by `make fuzz-build` into
# BUILD (build/fuzz).
#
#   scripts/fuzz.sh run BUILD SECONDS [TARGET...]
#       each target for SECONDS over its seeds (tests/fuzz/corpus/<target>),
#       keeping what it learns in BUILD/corpus/<target> (never in the seeds)
#       and an input that fails in BUILD/artifacts/<target>-crash-…; a
#       summary line per target, and exit 1 when any failed (`make fuzz`).
#   scripts/fuzz.sh smoke BUILD SECONDS [TARGET...]
#       each target for SECONDS over its seeds only, learning into a
#       throw-away directory, with a fixed random seed (FUZZ_SEED, 1); one
#       TAP line per target (scripts/test.sh).
#
# No TARGET means every tests/fuzz/fuzz_<target>.c. A failure is replayed
# with `BUILD/fuzz_<target> ARTIFACT`; a seed that failed once belongs in
# tests/fuzz/corpus/<target>/ with the fix.
set -uo pipefail
cd "$(dirname "$0")/.."

mode=${1:?usage: scripts/fuzz.sh run|smoke BUILD SECONDS [TARGET...]}
build=${2:?BUILD}
seconds=${3:?SECONDS}
shift 3
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for f in tests/fuzz/fuzz_*.c; do
        t=${f#tests/fuzz/fuzz_}
        targets+=("${t%.c}")
    done
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$build/artifacts" "$build/logs"

# Runs one target; its libFuzzer output goes to the log.
fuzz_one() {
    local t=$1 corpus=$2 log=$3
    local args=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=3072 -print_final_stats=1
        -artifact_prefix="$build/artifacts/$t-")
    [ -f "tests/fuzz/$t.dict" ] && args+=(-dict="tests/fuzz/$t.dict")
    # The smoke run in `make test` walks the same path every time (a fixed
    # seed), so a test run does not fail by luck; `make fuzz` explores.
    [ "$mode" = smoke ] && args+=(-seed="${FUZZ_SEED:-1}")
    "$build/fuzz_$t" "${args[@]}" "$corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1
}

failed=0
n=0
for t in "${targets[@]}"; do
    n=$((n + 1))
    if [ ! -x "$build/fuzz_$t" ] || [ ! -d "tests/fuzz/corpus/$t" ]; then
        echo "fuzz: no driver or seeds for '$t'" >&2
        [ "$mode" = smoke ] && echo "not ok $n - fuzz $t"
        failed=1
        continue
    fi
    log="$build/logs/$t.log"
    if [ "$mode" = smoke ]; then
        corpus=$(mktemp -d "/tmp/creditd-fuzz-$t.XXXXXX")
        fuzz_one "$t" "$corpus" "$log"
        rc=$?
        rm -rf "$corpus"
        if [ $rc -eq 0 ]; then
            echo "ok $n - fuzz $t"
        else
            echo "not ok $n - fuzz $t (log: $log)"
            grep -a -E 'property failed|ERROR|runtime error|SUMMARY|Test unit written' "$log" |
                head -n 8 | cut -c1-300 | sed 's/^/# /'
            failed=1
        fi
        continue
    fi
    mkdir -p "$build/corpus/$t"
    fuzz_one "$t" "$build/corpus/$t" "$log"
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    if [ $rc -eq 0 ]; then
        printf 'fuzz %-12s ok      %10s runs in %ss\n' "$t" "${runs:-?}" "$seconds"
    else
        printf 'fuzz %-12s FAILED  %10s runs (log: %s)\n' "$t" "${runs:-?}" "$log"
        grep -a -E 'property failed|ERROR|runtime error|SUMMARY|Test unit written' "$log" |
            head -n 8 | cut -c1-300 | sed 's/^/    /'
        failed=1
    fi
done
exit $failed
