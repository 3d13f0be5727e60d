#!/usr/bin/env bash
# make run: on first use creates ./data/creditd.db with the demo business
# (printing the admin's one-time password once), then prints a summary:
# tenants, customers, outstanding credits per type and the verify result.
set -euo pipefail
bin=$1
db=${CREDITD_DB:-sqlite:./data/creditd.db}
export CREDITD_DB=$db
if [ "$db" = "sqlite:./data/creditd.db" ] && [ ! -f ./data/creditd.db ]; then
    echo "creating ./data/creditd.db with the demo business"
    "$bin" init --admin-email admin@example.com
    "$bin" demo
    echo
fi
"$bin" status
echo
echo "Try: $bin export ledger --format csv | head    ($bin --help lists every command)"
