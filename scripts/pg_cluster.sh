#!/usr/bin/env bash
# Runs a throw-away PostgreSQL 15 cluster for the store contract tests and the
# API tests: trust authentication on 127.0.0.1, fsync on, one directory that
# holds the data, the log and the socket, removed again by `stop`.
#
#   scripts/pg_cluster.sh start DIR PORT        prints the URL of creditd_test
#   scripts/pg_cluster.sh createdb DIR PORT NAME prints the URL of NAME
#   scripts/pg_cluster.sh stop DIR              stops the cluster, removes DIR
#   scripts/pg_cluster.sh standby PRIMARY_PORT DIR PORT
#                        a streaming standby of the cluster on PRIMARY_PORT
#                        (pg_basebackup -R), started; prints its URL
#   scripts/pg_cluster.sh promote DIR           makes a standby the primary
#   scripts/pg_cluster.sh crash DIR             stops at once (-m immediate),
#                                               as a power cut would
#
# stdout carries only the URL, so callers can write URL=$(… start …); all
# progress and errors go to stderr. Run as root, the server runs as the
# `postgres` user (initdb refuses root); run as anyone else, it runs as them.
# It must not be pointed at a real cluster: `stop` removes DIR, and refuses to
# when DIR holds anything a throw-away cluster would not.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
DB_DEFAULT=creditd_test

die() {
    echo "pg_cluster.sh: $*" >&2
    exit 1
}

usage() {
    cat >&2 <<'EOF'
usage: scripts/pg_cluster.sh start DIR PORT
       scripts/pg_cluster.sh createdb DIR PORT NAME
       scripts/pg_cluster.sh stop DIR
       scripts/pg_cluster.sh standby PRIMARY_PORT DIR PORT
       scripts/pg_cluster.sh promote DIR
       scripts/pg_cluster.sh crash DIR
EOF
    exit 2
}

# Runs a server-side command as the cluster's owner.
as_owner() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

need_binaries() {
    [[ -x $PGBIN/initdb && -x $PGBIN/pg_ctl && -x $PGBIN/psql ]] ||
        die "PostgreSQL 15 not found in $PGBIN (apt-get install postgresql-15, or set PGBIN)"
    if [[ $EUID -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "no 'postgres' user to run the server as"
    fi
}

check_port() {
    if [[ ! $1 =~ ^[0-9]{1,5}$ ]] || ((10#$1 < 1024 || 10#$1 > 65535)); then
        die "port '$1' must be a number from 1024 to 65535"
    fi
}

check_db_name() {
    [[ $1 =~ ^[a-z_][a-z0-9_]{0,62}$ ]] ||
        die "database name '$1' must be lower-case letters, digits and '_'"
}

# The absolute form of DIR, which need not exist yet.
abs_dir() {
    [[ -n $1 ]] || die "DIR must not be empty"
    local d
    d=$(realpath -m -- "$1")
    [[ $d != / ]] || die "DIR must not be /"
    printf '%s\n' "$d"
}

psql_at() { # DIR PORT SQL
    "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$2" -U postgres -d postgres \
        -At -c "$3"
}

# Returns 1 (after saying why) rather than exiting, so start can clean up.
create_db() { # DIR PORT NAME
    local exists
    if ! exists=$(psql_at "$1" "$2" "SELECT 1 FROM pg_database WHERE datname = '$3'"); then
        echo "pg_cluster.sh: cannot reach the cluster on port $2" >&2
        return 1
    fi
    if [[ $exists != 1 ]] &&
        ! psql_at "$1" "$2" "CREATE DATABASE $3 ENCODING 'UTF8' TEMPLATE template0" >&2; then
        echo "pg_cluster.sh: cannot create database '$3'" >&2
        return 1
    fi
    printf 'postgresql://postgres@127.0.0.1:%s/%s\n' "$2" "$3"
}

is_running() {
    [[ -f $1/data/PG_VERSION ]] && as_owner "$PGBIN/pg_ctl" -D "$1/data" status >/dev/null 2>&1
}

cmd_start() { # DIR PORT
    local dir=$1 port=$2
    need_binaries
    check_port "$port"
    # The socket path DIR/.s.PGSQL.PORT must fit in sun_path (107 bytes).
    ((${#dir} + 18 <= 107)) || die "DIR '$dir' is too long for a Unix socket path"
    mkdir -p -- "$dir"
    if [[ $EUID -eq 0 ]]; then
        chown postgres: -- "$dir"
    fi
    chmod 700 -- "$dir"
    as_owner test -w "$dir" -a -x "$dir" ||
        die "'$dir' is not reachable by the server user (check the modes of its parents)"
    if is_running "$dir"; then
        die "a cluster is already running in '$dir'"
    fi
    if [[ ! -f $dir/data/PG_VERSION ]]; then
        echo "pg_cluster.sh: initdb in $dir/data" >&2
        as_owner "$PGBIN/initdb" -D "$dir/data" -A trust -U postgres --no-instructions -E UTF8 \
            >"$dir/initdb.log" 2>&1 || {
            cat "$dir/initdb.log" >&2
            die "initdb failed in '$dir/data'"
        }
        rm -f -- "$dir/initdb.log"
    fi
    echo "pg_cluster.sh: starting PostgreSQL on 127.0.0.1:$port" >&2
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=200 -c shared_buffers=128MB" \
        -l "$dir/log" -w start >&2 || {
        tail -n 20 "$dir/log" >&2 2>/dev/null || true
        die "cannot start the cluster in '$dir' on port $port"
    }
    create_db "$dir" "$port" "$DB_DEFAULT" || {
        as_owner "$PGBIN/pg_ctl" -D "$dir/data" stop -m fast >&2 || true
        die "cluster stopped again"
    }
}

cmd_createdb() { # DIR PORT NAME
    need_binaries
    check_port "$2"
    check_db_name "$3"
    is_running "$1" || die "no cluster is running in '$1'"
    create_db "$1" "$2" "$3" || exit 1
}

# Only what start leaves behind: data/, log, initdb.log and the socket files.
only_cluster_files() {
    local f
    shopt -s dotglob nullglob
    for f in "$1"/*; do
        case ${f##*/} in
        data | log | initdb.log | .s.PGSQL.*) ;;
        *) return 1 ;;
        esac
    done
    return 0
}

cmd_stop() { # DIR
    local dir=$1
    if [[ ! -e $dir ]]; then
        echo "pg_cluster.sh: '$dir' does not exist, nothing to stop" >&2
        return 0
    fi
    [[ -d $dir ]] || die "'$dir' is not a directory"
    only_cluster_files "$dir" || die "'$dir' holds files that are not a throw-away cluster's; not removing it"
    if [[ -f $dir/data/PG_VERSION ]]; then
        need_binaries
        if is_running "$dir"; then
            as_owner "$PGBIN/pg_ctl" -D "$dir/data" stop -m fast -w >&2 ||
                die "cannot stop the cluster in '$dir'"
        fi
    fi
    rm -rf -- "$dir"
}

# A copy of the primary's data taken with pg_basebackup -R (standby.signal
# and primary_conninfo written), started on its own port. Its connection is
# named DIR's last component, so synchronous_standby_names can name it.
cmd_standby() { # PRIMARY_PORT DIR PORT
    local primary_port=$1 dir=$2 port=$3
    need_binaries
    check_port "$primary_port"
    check_port "$port"
    ((${#dir} + 18 <= 107)) || die "DIR '$dir' is too long for a Unix socket path"
    [[ ! -e $dir/data ]] || die "'$dir/data' exists already"
    mkdir -p -- "$dir"
    if [[ $EUID -eq 0 ]]; then
        chown postgres: -- "$dir"
    fi
    chmod 700 -- "$dir"
    local name=${dir##*/}
    name=${name//[^a-zA-Z0-9_]/_}
    echo "pg_cluster.sh: pg_basebackup of 127.0.0.1:$primary_port into $dir/data" >&2
    as_owner "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$dir/data" \
        -R -X stream -c fast -d "application_name=$name" >&2 ||
        die "pg_basebackup from port $primary_port failed"
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c hot_standby=on -c fsync=on -c max_connections=200 -c shared_buffers=128MB" \
        -l "$dir/log" -w start >&2 || {
        tail -n 20 "$dir/log" >&2 2>/dev/null || true
        die "cannot start the standby in '$dir' on port $port"
    }
    printf 'postgresql://postgres@127.0.0.1:%s/%s\n' "$port" "$DB_DEFAULT"
}

cmd_promote() { # DIR
    need_binaries
    is_running "$1" || die "no cluster is running in '$1'"
    as_owner "$PGBIN/pg_ctl" -D "$1/data" promote -w >&2 || die "cannot promote '$1'"
}

cmd_crash() { # DIR
    need_binaries
    is_running "$1" || die "no cluster is running in '$1'"
    as_owner "$PGBIN/pg_ctl" -D "$1/data" stop -m immediate -w >&2 || die "cannot stop '$1'"
}

[[ $# -ge 2 ]] || usage
if [[ $1 == standby ]]; then
    [[ $# -eq 4 ]] || usage
    sdir=$(abs_dir "$3")
    cmd_standby "$2" "$sdir" "$4"
    exit 0
fi
# An assignment, so that set -e sees abs_dir fail.
dir=$(abs_dir "$2")
case $1 in
start)
    [[ $# -eq 3 ]] || usage
    cmd_start "$dir" "$3"
    ;;
createdb)
    [[ $# -eq 4 ]] || usage
    cmd_createdb "$dir" "$3" "$4"
    ;;
stop)
    [[ $# -eq 2 ]] || usage
    cmd_stop "$dir"
    ;;
promote)
    [[ $# -eq 2 ]] || usage
    cmd_promote "$dir"
    ;;
crash)
    [[ $# -eq 2 ]] || usage
    cmd_crash "$dir"
    ;;
*) usage ;;
esac
