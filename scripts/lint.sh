#!/usr/bin/env bash
# make lint: checks a program can make so reviewers need not.
#  1. layers: src/core includes only core/, base/ and libc; nothing below
#     service includes the CLI; src/gateway includes only base/, libc, curl,
#     jansson and sodium; src/notify includes only base/, libc, curl and
#     sodium; src/doc includes only base/, libc, cairo, pango, librsvg and glib; no
#     banned functions anywhere.
#  1b. the service boundary: src/http and src/cli call svc_* operations,
#     never a store_*, gateway_*, stripe_* or notify_* function or svc_read,
#     and include no store/, gateway/ or notify/ header; the few files that
#     must (they open, migrate, back up or close the store) are listed below
#     with their reason, and a listed file that no longer needs it fails too,
#     so the list can only shrink (TigerBeetle tidy.zig).
#  2. function length: no function body over 100 lines (the style aims at 70).
#  3. formatting: clang-format with the repository's .clang-format.
#  4. gcc -fanalyzer over every source file.
#  5. the error catalogue: i18n/en/errors.json is what the sources' message
#     formats make, and German has every entry with the same holes
#     (scripts/errors_catalogue.py --check).
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
fail() { echo "lint: $*"; status=1; }

bad=$(grep -nE '#include *[<"](sqlite3|libpq|microhttpd|jansson|curl/|sodium|service/|store/|cli/|http/|gateway/)' src/core/*.[ch])
[ -n "$bad" ] && fail "src/core reaches outside base/ and libc:" && echo "$bad"
bad=$(grep -nE '#include *"(cli|http)/' src/service/*.[ch] src/store/*.[ch] src/base/*.[ch])
[ -n "$bad" ] && fail "a lower layer includes the CLI or HTTP layer:" && echo "$bad"
bad=$(grep -nE '#include *[<"](sqlite3|libpq|microhttpd|service/|store/|cli/|http/|core/)' \
    src/gateway/*.[ch])
[ -n "$bad" ] && fail "src/gateway reaches outside base/, libc, curl, jansson and sodium:" &&
    echo "$bad"
bad=$(grep -nE '#include *[<"](sqlite3|libpq|microhttpd|jansson|service/|store/|cli/|http/|core/|gateway/)' \
    src/notify/*.[ch])
[ -n "$bad" ] && fail "src/notify reaches outside base/, libc, curl and sodium:" && echo "$bad"
bad=$(grep -nE '#include *[<"](sqlite3|libpq|microhttpd|jansson|curl/|sodium|service/|store/|cli/|http/|core/|gateway/|notify/)' \
    src/doc/*.[ch])
[ -n "$bad" ] && fail "src/doc reaches outside base/, libc, cairo, pango and librsvg:" && echo "$bad"
bad=$(grep -nE '\b(strcpy|strcat|sprintf|vsprintf|atoi|atol|strtok|gets)\(' src/*/*.c)
[ -n "$bad" ] && fail "banned functions:" && echo "$bad"

declare -A boundary_exceptions=(
    [src/cli/cli.c]="opens the store (claims it for serve), migrates or checks its schema version, and closes it"
    [src/cli/cmd_migrate.c]="opens the store without the schema check to migrate it"
    [src/cli/cmd_backup.c]="copies the whole database, a store operation with no business meaning"
)
boundary='\b(store|gateway|stripe|notify)_[a-z0-9_]*\(|\bsvc_read\(|#include *[<"](store|gateway|notify)/'
for f in src/http/*.[ch] src/cli/*.[ch]; do
    bad=$(grep -nE "$boundary" "$f")
    if [ -n "${boundary_exceptions[$f]+x}" ]; then
        [ -z "$bad" ] &&
            fail "$f no longer reaches past the service: remove it from boundary_exceptions"
    elif [ -n "$bad" ]; then
        fail "$f reaches past the service (call a svc_* operation):" && echo "$bad" | sed "s|^|$f:|"
    fi
done
for f in "${!boundary_exceptions[@]}"; do
    [ -e "$f" ] || fail "boundary_exceptions names $f, which does not exist"
done

long=$(awk '
    FNR == 1 { depth = 0; start = 0 }
    /^[a-z].*\)$/ || /^[a-z].*\) *$/ { sig = FNR; name = $0 }
    /^\{/ { depth = 1; start = FNR; next }
    depth == 1 && /^\}/ { if (FNR - start > 100) printf "%s:%d: %d lines\n", FILENAME, start, FNR - start; depth = 0 }
' src/*/*.c)
[ -n "$long" ] && fail "functions over 100 lines:" && echo "$long"

if command -v clang-format >/dev/null; then
    if ! clang-format --dry-run --Werror src/*/*.[ch] tests/*/*.[ch] tests/*/*/*.[ch] bench/*.c 2>/dev/null; then
        fail "clang-format would change files (run make format)"
    fi
fi

python3 scripts/errors_catalogue.py --check >/dev/null 2>/tmp/errors_catalogue.$$ ||
    { fail "the error catalogue (run scripts/errors_catalogue.py):"; cat /tmp/errors_catalogue.$$; }
rm -f /tmp/errors_catalogue.$$

make --no-print-directory build/gen/schema_sql.h build/gen/web_assets.h build/gen/api_examples.h build/gen/i18n_catalogues.h >/dev/null
for f in src/*/*.c; do
    out=$(gcc -std=c17 -fanalyzer -Wall -Wextra -D_DEFAULT_SOURCE -D_GNU_SOURCE -Isrc -Ibuild/gen \
        $(pkg-config --cflags libpq pangocairo librsvg-2.0) -c -o /dev/null "$f" 2>&1)
    [ -n "$out" ] && fail "gcc -fanalyzer: $f" && echo "$out" | head -30
done
[ $status -eq 0 ] && echo "lint: clean"
exit $status
