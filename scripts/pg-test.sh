#!/bin/sh
# A throw-away PostgreSQL cluster on loopback for the test suite.
#   scripts/pg-test.sh start DIR PORT   → initdb in DIR (as the postgres user when run as root), start, create db "oms_test"
#   scripts/pg-test.sh stop DIR         → stop it and delete DIR
set -eu
cmd=$1; dir=$2; port=${3:-55432}

find_bin() {
    if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return; fi
    for candidate in /usr/lib/postgresql/*/bin/"$1"; do
        [ -x "$candidate" ] && { echo "$candidate"; return; }
    done
    return 1
}

ensure_installed() {
    if find_bin initdb >/dev/null; then return; fi
    echo "PostgreSQL not found: installing it from Debian packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
}

as_pg() {
    if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "cd / && $*"; else sh -c "$*"; fi
}

case "$cmd" in
start)
    ensure_installed
    initdb=$(find_bin initdb); pg_ctl=$(find_bin pg_ctl)
    rm -rf "$dir"; mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_pg "'$initdb' -D '$dir/data' -A trust -U postgres -E UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1"
    as_pg "'$pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -o \"-h 127.0.0.1 -p $port -k '$dir' -c fsync=on -c max_connections=200\" start >/dev/null"
    as_pg "psql -h 127.0.0.1 -p $port -U postgres -qc 'CREATE DATABASE oms_test' postgres"
    echo "postgresql://postgres@127.0.0.1:$port/oms_test"
    ;;
stop)
    pg_ctl=$(find_bin pg_ctl)
    [ -d "$dir/data" ] && as_pg "'$pg_ctl' -D '$dir/data' -m fast -w stop >/dev/null" || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac
