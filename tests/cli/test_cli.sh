#!/usr/bin/env bash
# Black-box tests of the creditd command line against a real database:
#   tests/cli/test_cli.sh BINARY sqlite|POSTGRES_URL
# Each check prints a TAP line ("ok N - ..." or "not ok N - ..."). Covers the
# commands of issue 2: init (twice), migrate, demo, verify, export (a running
# balance a reader can recompute), tampering found by verify, user add,
# tenant add, expire, backup, --help and exit codes; files purge (issue 4);
# one serve per SQLite file, the other commands beside it (issue 10).
set -uo pipefail
bin=$(realpath "$1")
fixtures=$(realpath "$(dirname "$0")/../fixtures")
# The newest schema version this tree has (its highest migration number).
schema_latest=$(find "$(dirname "$0")/../../src/store/sql/sqlite" -name '[0-9]*_*.sql' -printf '%f\n' |
    sed 's/_.*//' | sort -n | tail -n1 | sed 's/^0*//')
backend=$2
work=$(mktemp -d /tmp/creditd-cli.XXXXXX)
serve_pid=""
trap '[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
if [ "$backend" = sqlite ]; then
    db="sqlite:$work/data/creditd.db"
    sql() { sqlite3 "$work/data/creditd.db" "$1"; }
else
    db=$backend
    sql() { psql -qAt "$db" -c "$1"; }
fi
export CREDITD_DB=$db
n=0
check() { # check "description" command...
    local desc=$1
    shift
    n=$((n + 1))
    if "$@" >"$work/out" 2>"$work/err"; then
        echo "ok $n - $desc"
    else
        echo "not ok $n - $desc"
        sed 's/^/#   /' "$work/out" "$work/err" | head -20
    fi
}
exits() { # exits CODE command... : the command exits with CODE
    local want=$1
    shift
    "$@" >"$work/cmd_out" 2>"$work/cmd_err"
    local got=$?
    cat "$work/cmd_out"
    cat "$work/cmd_err" >&2
    [ "$got" -eq "$want" ]
}
output_has() { # output_has TEXT command...
    local text=$1
    shift
    "$@" >"$work/cmd_out" 2>&1
    grep -qF -- "$text" "$work/cmd_out"
}

serve_start() { # serve_start: starts serve on a free port, waits for /healthz
    serve_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$bin" serve --listen "127.0.0.1:$serve_port" >"$work/serve.log" 2>&1 &
    serve_pid=$!
    for _ in $(seq 100); do
        curl -fs "http://127.0.0.1:$serve_port/healthz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}
serve_stop() {
    kill "$serve_pid" 2>/dev/null
    wait "$serve_pid" 2>/dev/null
    serve_pid=""
}
check "--help lists the commands and exits 0" output_has "export" "$bin" --help
check "an unknown command exits 2" exits 2 "$bin" frobnicate
for cmd in init migrate user tenant expire verify export backup demo status apikey files seal; do
    check "$cmd --help exits 0" output_has "usage: creditd $cmd" "$bin" "$cmd" --help
done
check "verify on an empty database says to run init and exits 1" exits 1 "$bin" verify
check "init with a password on stdin exits 0" \
    exits 0 sh -c "echo 'first-admin-password' | '$bin' init --admin-email boss@shop.example --admin-password-stdin"
check "init a second time only migrates and exits 0" \
    output_has "initialised already" "$bin" init
check "migrate applies nothing new" output_has "applied 0 migrations" "$bin" migrate
latest=$(sed -n 's/.*schema version \([0-9]*\).*/\1/p' "$work/cmd_out")
check "demo fills the empty tenant" output_has "12 customers" "$bin" demo
check "demo refuses a tenant with customers" exits 1 "$bin" demo
check "verify is clean after the demo" output_has "ok:" "$bin" verify
check "status summarises and verifies" output_has "verify: ok" "$bin" status

"$bin" export ledger --format csv >"$work/ledger.csv" 2>"$work/export.err"
check "export writes the documented header" \
    test "$(head -n1 "$work/ledger.csv")" = \
    "id,created_at,customer_id,credit_type,kind,amount,balance_after,order_id,lot_ids,actor,reason,justification,hash"
check "export has every journal entry" \
    test "$(($(wc -l <"$work/ledger.csv") - 1))" -eq "$(sql 'SELECT COUNT(*) FROM journal')"
# The running balance per customer and credit type, recomputed from amount.
recompute() {
    python3 - "$work/ledger.csv" <<'PY'
import csv, sys
from decimal import Decimal
bal = {}
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows:
    key = (r["customer_id"], r["credit_type"])
    bal[key] = bal.get(key, Decimal(0)) + Decimal(r["amount"])
    if bal[key] != Decimal(r["balance_after"]):
        print("row", r["id"], "running", bal[key], "balance_after", r["balance_after"])
        sys.exit(1)
kinds = {r["kind"] for r in rows}
need = {"purchase", "order", "refund", "adjustment", "transfer", "expiry", "grant"}
if not need <= kinds:
    print("missing kinds", need - kinds)
    sys.exit(1)
PY
}
check "every balance_after is the running sum of the amounts before it" recompute

# Exports a spreadsheet cannot run (issue 13): text a customer or operator
# typed that starts with '=', '+', '-', '@' or a tab is written with a
# leading "'"; amounts such as -5 stay numbers. The entries come through the
# API (order cancel reasons, a deduction's justification).
csv_cells() { # csv_cells: the export's reason and justification cells are neutralised
    python3 - "$work/formula.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
reasons = {r["reason"] for r in rows if r["kind"] == "refund"}
want = ["'=HYPERLINK(\"http://x\",\"y\")", "'+1", "'@x", "'-x", "'\tx"]
missing = [w for w in want if w not in reasons]
if missing:
    print("not neutralised:", missing, sorted(reasons)[:20])
    sys.exit(1)
for r in rows:
    for k in ("credit_type", "actor", "reason", "justification"):
        v = r[k]
        if v and (v[0] in "=+@\t\r" or (v[0] == "-" and not v[1:2].isdigit())):
            print("formula-like cell", k, repr(v))
            sys.exit(1)
adj = [r for r in rows if r["justification"] == "'-5 by hand"]
if len(adj) != 1 or adj[0]["amount"] != "-5":
    print("the deduction of -5:", adj)
    sys.exit(1)
PY
}
formula_entries() { # formula_entries: orders cancelled with formula-like reasons, a -5 deduction
    local key api svc cus id i=0
    key=$("$bin" apikey create --role admin) || return 1
    api() { curl -fsS -H "Authorization: Bearer $key" -H 'Content-Type: application/json' "$@"; }
    svc=$(api "http://127.0.0.1:$serve_port/api/v1/services" |
        python3 -c 'import json,sys; print(next(s["id"] for s in json.load(sys.stdin)["items"] if s["name"] == "Stage 1"))') || return 1
    cus=$(api "http://127.0.0.1:$serve_port/api/v1/customers?q=Weber" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])') || return 1
    for reason in '"=HYPERLINK(\"http://x\",\"y\")"' '"+1"' '"@x"' '"-x"' '"\tx"'; do
        i=$((i + 1))
        id=$(api -X POST "http://127.0.0.1:$serve_port/api/v1/orders" \
            -d "{\"customer_id\":\"$cus\",\"credit_type\":\"master\",\"services\":[\"$svc\"],\"vehicle\":{\"make\":\"VW\",\"model\":\"Golf $i\"}}" |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') || return 1
        api -X POST "http://127.0.0.1:$serve_port/api/v1/orders/$id/cancel" -d "{\"reason\":$reason}" >/dev/null || return 1
    done
    api -X POST "http://127.0.0.1:$serve_port/api/v1/customers/$cus/adjustments" \
        -d '{"credit_type":"master","amount":"-5","reason":"correction","justification":"-5 by hand"}' >/dev/null
}
check "serve starts for the formula checks" serve_start
check "orders cancelled with formula-like reasons and a -5 deduction" formula_entries
serve_stop
"$bin" export ledger --format csv >"$work/formula.csv" 2>"$work/export.err"
check "export neutralises formula-like text cells and keeps amounts as numbers" csv_cells

id=$(sql "SELECT id FROM journal WHERE kind = 'order' ORDER BY id LIMIT 1 OFFSET 5")
sql "UPDATE journal SET amount_minor = amount_minor - 1 WHERE id = $id"
check "verify exits 1 when an amount was changed by hand" exits 1 "$bin" verify
check "verify names the altered row" output_has "journal $id:" "$bin" verify
sql "UPDATE journal SET amount_minor = amount_minor + 1 WHERE id = $id"
check "verify is clean again once the amount is restored" exits 0 "$bin" verify
hash=$(sql "SELECT hash FROM journal WHERE id = $id")
sql "UPDATE journal SET hash = '$(printf '%064d' 7)' WHERE id = $id"
check "verify names a row whose hash was changed" output_has "journal $id: hash" "$bin" verify
sql "UPDATE journal SET hash = '$hash' WHERE id = $id"
check "verify is clean again once the hash is restored" exits 0 "$bin" verify

check "user add creates a staff login" \
    exits 0 sh -c "echo 'staff-password-12' | '$bin' user add --email staff@shop.example --role staff --password-stdin"
check "user add refuses a second user with the same e-mail" \
    exits 1 sh -c "echo 'staff-password-12' | '$bin' user add --email staff@shop.example --role staff --password-stdin"
check "user add refuses an unknown role" \
    exits 1 sh -c "echo 'staff-password-12' | '$bin' user add --email x@shop.example --role king --password-stdin"
check "user add without --email is a usage error" exits 2 "$bin" user add --role staff
sql "UPDATE users SET totp_secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', totp_enabled = 1 WHERE email = 'staff@shop.example'"
sql "INSERT INTO totp_recovery_codes (tenant_id, user_id, code_hash) SELECT tenant_id, id, '$(printf '%064d' 1)' FROM users WHERE email = 'staff@shop.example'"
check "user disable-totp turns a user's two factors off" \
    output_has "two-factor sign-in is off for staff@shop.example" "$bin" user disable-totp --email staff@shop.example
check "user disable-totp leaves no secret and no recovery code" \
    test "$(sql "SELECT totp_enabled + length(totp_secret) + (SELECT COUNT(*) FROM totp_recovery_codes) FROM users WHERE email = 'staff@shop.example'")" = 0
check "user disable-totp refuses a user whose two factors are off" \
    exits 1 "$bin" user disable-totp --email staff@shop.example
check "user disable-totp refuses an unknown e-mail" exits 1 "$bin" user disable-totp --email nobody@shop.example
check "user disable-totp without --email is a usage error" exits 2 "$bin" user disable-totp
check "user add refuses a short password" \
    exits 1 sh -c "echo 'short-pass' | '$bin' user add --email y@shop.example --role staff --password-stdin"
check "user add refuses a common password" \
    exits 1 sh -c "echo 'password1234' | '$bin' user add --email y@shop.example --role staff --password-stdin"
check "user list shows each admin and staff user with id, role and state" \
    sh -c "'$bin' user list 2>/dev/null | grep -qE '^usr_[0-9]+	staff	active	staff@shop.example\$'"
check "user disable disables, and the user list says so" \
    sh -c "'$bin' user disable --email staff@shop.example 2>/dev/null | grep -qx 'disabled staff@shop.example' && '$bin' user list 2>/dev/null | grep -qE '	staff	disabled	staff@shop.example\$'"
check "user enable enables again" \
    sh -c "'$bin' user enable --email staff@shop.example >/dev/null 2>&1 && '$bin' user list 2>/dev/null | grep -qE '	staff	active	staff@shop.example\$'"
check "user disable refuses the last enabled admin" \
    sh -c "admin=\$('$bin' user list 2>/dev/null | awk '\$2 == \"admin\" {print \$4; exit}'); ! '$bin' user disable --email \"\$admin\" >/dev/null 2>&1"
check "user disable refuses an unknown e-mail" exits 1 "$bin" user disable --email nobody@shop.example
check "user reset-password sets a password from stdin and ends the user's sessions" \
    sh -c "echo 'a brand new phrase 9' | '$bin' user reset-password --email staff@shop.example --password-stdin 2>&1 | grep -q 'sessions have ended'"
check "user reset-password prints a one-time password without --password-stdin" \
    sh -c "'$bin' user reset-password --email staff@shop.example 2>/dev/null | grep -qE '^password \\(shown once\\): [0-9a-f]{24}\$'"
check "user reset-password refuses an unknown e-mail" \
    exits 1 sh -c "echo 'a brand new phrase 9' | '$bin' user reset-password --email nobody@shop.example --password-stdin"
check "the security log holds what the CLI did" \
    test "$(sql "SELECT COUNT(*) FROM security_log WHERE actor = 'cli' AND type IN ('user.created', 'user.disabled', 'user.enabled', 'password.reset')")" -ge 5
check "apikey create --expires-in-days takes 1 to 3660 days" exits 2 "$bin" apikey create --role staff --expires-in-days 0
"$bin" apikey create --role staff --name soon --expires-in-days 1 >/dev/null 2>&1
check "apikey create --expires-in-days sets the expiry a day ahead" \
    test "$(sql "SELECT COUNT(*) FROM api_keys WHERE name = 'soon' AND expires_at > created_at + 86000000000 AND expires_at < created_at + 87000000000")" = 1
sql "UPDATE api_keys SET expires_at = 1 WHERE name = 'soon'"
check "an expired key is listed as expired" \
    sh -c "'$bin' apikey list 2>/dev/null | grep -qE '^key_[0-9]+	staff	expired	soon\$'"
check "apikey create prints the key alone on stdout" \
    sh -c "'$bin' apikey create --role admin --name ci 2>/dev/null | grep -qxE 'cd_[0-9a-f]{64}'"
check "apikey create stores only a hash of the key" \
    sh -c "key=\$('$bin' apikey create --role staff 2>/dev/null); test -n \"\$key\" && ! grep -aq \"\${key#cd_}\" '$work/data/creditd.db' 2>/dev/null"
check "apikey create refuses a customer role" exits 1 "$bin" apikey create --role owner
check "apikey list shows ids, roles and names, never a key" \
    sh -c "'$bin' apikey list 2>/dev/null | grep -qE '^key_[0-9]+	admin	active	ci\$' && ! '$bin' apikey list 2>/dev/null | grep -q cd_"
check "apikey revoke ends a key and says so; twice fails" \
    sh -c "id=\$('$bin' apikey list 2>/dev/null | awk '\$4 == \"ci\" {print \$1}') && '$bin' apikey revoke \$id 2>/dev/null | grep -qx \"revoked \$id\" && '$bin' apikey list 2>/dev/null | grep -qE \"^\$id	admin	revoked	ci\\\$\" && ! '$bin' apikey revoke \$id 2>/dev/null"
check "apikey revoke without an id is a usage error" exits 2 "$bin" apikey revoke
check "tenant add prints the new tenant" output_has "ten_2" "$bin" tenant add "Second shop" --host files.second.example
check "tenant add refuses a host in use" exits 1 "$bin" tenant add "Third" --host files.second.example
check "expire --now rejects a bad time" exits 2 "$bin" expire --now yesterday
check "expire --now far ahead expires the lots with an expiry" \
    output_has "expired" "$bin" expire --now 2029-01-01T00:00:00Z
check "files purge runs and says how many it purged" \
    output_has "purged 0 files" "$bin" files purge --files-dir "$work/files"
check "files purge --now rejects a bad time" exits 2 "$bin" files purge --now soon
check "files without purge is a usage error" exits 2 "$bin" files
check "verify is clean after expiry" exits 0 "$bin" verify

if [ "$backend" = sqlite ]; then
    check "backup writes a copy" exits 0 "$bin" backup "$work/copy.db"
    check "the backup passes SQLite's integrity check" \
        test "$(sqlite3 "$work/copy.db" 'PRAGMA integrity_check')" = ok
    check "the backup verifies clean" exits 0 "$bin" --db "sqlite:$work/copy.db" verify
    check "a new backup is readable by its owner only" test "$(stat -c %a "$work/copy.db")" = 600
    check "backup onto the database itself is refused and exits 2" \
        exits 2 "$bin" backup "$work/data/../data/creditd.db"
    ln "$work/data/creditd.db" "$work/same.db"
    check "backup onto another name of the database is refused" \
        output_has "is the live database" "$bin" backup "$work/same.db"
    rm -f "$work/same.db"
    check "the database is untouched by the refused backups" exits 0 "$bin" verify
    old="$work/old.db"
    sqlite3 "$old" "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL); INSERT INTO schema_migrations VALUES (1, 'init', 0);"
    check "a database older than the binary is refused with the advice to migrate" \
        output_has "run \`creditd migrate\`" "$bin" --db "sqlite:$old" verify
else
    check "backup on PostgreSQL explains pg_dump and exits 2" \
        output_has "pg_dump" "$bin" backup "$work/copy.db"
fi
check "an unknown database scheme is refused" exits 1 "$bin" --db "mysql://x" verify

# One server per SQLite file (issue 10): a second serve on the file refuses
# before it migrates or listens, naming the file; the other commands keep
# working beside the server; once it stops, a server starts again. On
# PostgreSQL any number of servers share the database (tests/cluster).
second_serve_refused() {
    timeout 20 "$bin" serve --listen 127.0.0.1:1 >"$work/second.out" 2>&1
    local got=$?
    cat "$work/second.out"
    [ "$got" -eq 1 ] && grep -qF "database '$work/data/creditd.db' is in use by another creditd serve" \
        "$work/second.out" && grep -qF "$work/data/creditd.db.lock" "$work/second.out"
}
if [ "$backend" = sqlite ]; then
    check "serve starts on the SQLite file" serve_start
    check "a second serve on the same file exits 1 naming the file" second_serve_refused
    check "verify works while the server runs" exits 0 "$bin" verify
    check "backup works while the server runs" exits 0 "$bin" backup "$work/while-serving.db"
    check "export works while the server runs" output_has "balance_after" "$bin" export ledger --format csv
    check "expire works while the server runs" output_has "expired" "$bin" expire
    check "the first server still answers" curl -fs "http://127.0.0.1:$serve_port/healthz"
    serve_stop
    check "serve starts again once the first one stopped" serve_start
    serve_stop
fi

# A journal written before schema 6 (one hash chain per tenant; the fixture is
# the demo made by the schema 5 binary) still verifies after the migration,
# and the entries written after it continue the account chains.
if [ "$backend" = sqlite ]; then
    gunzip -c "$fixtures/schema5-demo.sqlite.sql.gz" | sqlite3 "$work/v5.db"
    v5="sqlite:$work/v5.db"
    v5sql() { sqlite3 "$work/v5.db" "$1"; }
else
    v5name="creditd_v5_$$"
    psql -qAt "$db" -c "CREATE DATABASE $v5name" >/dev/null
    v5="${db%/*}/$v5name"
    gunzip -c "$fixtures/schema5-demo.postgres.sql.gz" | psql -q "$v5" >/dev/null 2>&1
    v5sql() { psql -qAt "$v5" -c "$1"; }
fi
# Schema 7 gives the child tables (postings, order lines, members...) their
# tenant: every row must come through, each with its parent's tenant.
v5rows() {
    v5sql "SELECT (SELECT COUNT(*) FROM postings) || ' ' || (SELECT COUNT(*) FROM order_lines) || ' ' || (SELECT COUNT(*) FROM order_allocations) || ' ' || (SELECT COUNT(*) FROM members) || ' ' || (SELECT COUNT(*) FROM lot_events) || ' ' || (SELECT COUNT(*) FROM accounts)"
}
v5_before=$(v5rows)
check "a schema 5 database migrates through every migration to the newest schema" \
    output_has "schema version $latest" "$bin" --db "$v5" migrate
check "the migration keeps every posting, order line, allocation, member, lot event and account" \
    test "$(v5rows)" = "$v5_before"
check "each posting has its entry's tenant" test "$(v5sql "SELECT COUNT(*) FROM postings p JOIN journal j ON j.id = p.journal_id WHERE p.tenant_id <> j.tenant_id")" = 0
check "its tenant chain verifies after the migration" exits 0 "$bin" --db "$v5" verify
# The demo's active lots never expire: give one an expiry to book.
v5sql "UPDATE lots SET expires_at = 1861920000000000 WHERE id = (SELECT MIN(id) FROM lots WHERE status = 'active' AND remaining_minor > 0)"
check "expiry after the migration books on the account chains" \
    output_has "expired 1 lot" "$bin" --db "$v5" expire --now 2029-06-01T00:00:00Z
check "the new entries are on the account chains" test "$(v5sql "SELECT COUNT(*) FROM journal WHERE chain = 2")" -gt 0
check "seal seals the tenant whose accounts moved" output_has "sealed 1 tenant" "$bin" --db "$v5" seal
check "a second seal finds nothing new" output_has "sealed 0 tenants" "$bin" --db "$v5" seal
check "both chains and the seal verify together" exits 0 "$bin" --db "$v5" verify
old_id=$(v5sql "SELECT MIN(id) FROM journal WHERE chain = 1 AND amount_minor > 0")
v5sql "UPDATE journal SET amount_minor = amount_minor + 1, balance_after_minor = balance_after_minor + 1 WHERE id = $old_id"
check "verify finds an old entry changed by hand" output_has "journal $old_id: hash" "$bin" --db "$v5" verify
v5sql "UPDATE journal SET amount_minor = amount_minor - 1, balance_after_minor = balance_after_minor - 1 WHERE id = $old_id"
new_id=$(v5sql "SELECT MAX(id) FROM journal WHERE chain = 2")
v5sql "UPDATE journal SET hash = '$(printf '%064d' 7)' WHERE id = $new_id"
check "verify finds a sealed new entry whose hash was replaced" \
    output_has "differs from the one seal 1 recorded" "$bin" --db "$v5" verify
if [ "$backend" != sqlite ]; then
    psql -qAt "$db" -c "DROP DATABASE $v5name" >/dev/null
fi
echo "1..$n"
