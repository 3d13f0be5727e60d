#!/usr/bin/env bash
# make run: serves creditd on http://127.0.0.1:8080 with ./data/creditd.db.
# The first start creates the database with the demo business and prints,
# once, the first admin's login and a demo customer's login.
set -euo pipefail
bin=$1
db=${CREDITD_DB:-sqlite:./data/creditd.db}
listen=${CREDITD_LISTEN:-127.0.0.1:8080}
export CREDITD_DB=$db
if [ "$db" = "sqlite:./data/creditd.db" ] && [ ! -f ./data/creditd.db ]; then
    echo "First start: creating ./data/creditd.db with the demo business."
    password=$("$bin" init --admin-email admin@example.com | sed -n 's/^admin password (shown once): //p')
    "$bin" demo >/dev/null
    echo
    echo "  admin:          admin@example.com / $password   (shown once; keep it)"
    echo "  demo customer:  owner@weber-autotechnik.example / creditd-demo"
    echo
fi
"$bin" status | sed -n '1,6p'
echo
echo "Serving http://$listen  (Ctrl-C stops; the API is under /api/v1)"
exec "$bin" serve --listen "$listen"
