#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server, then stop it and delete its files.
#
#   scripts/with-postgres.sh .venv/bin/pytest -q
#
# The command sees HEADWAY_TEST_DATABASE_URL pointing at an empty database `headway_test`
# (trust authentication, loopback only). The server is stopped on any exit, failure or signal.
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi

is_postgres_bindir() {
    local dir=$1 tool
    for tool in initdb pg_ctl postgres pg_isready createdb; do
        [ -x "$dir/$tool" ] || return 1
    done
}

find_bindir() {
    local dir
    if command -v pg_config >/dev/null 2>&1; then
        dir=$(pg_config --bindir 2>/dev/null || true)
        if [ -n "$dir" ] && is_postgres_bindir "$dir"; then echo "$dir"; return; fi
    fi
    if is_postgres_bindir /usr/lib/postgresql/15/bin; then echo /usr/lib/postgresql/15/bin; return; fi
    if command -v initdb >/dev/null 2>&1; then
        # Resolve symlinks such as /usr/local/bin/initdb so the sibling tools are found too.
        dir=$(dirname "$(readlink -f "$(command -v initdb)")")
        if is_postgres_bindir "$dir"; then echo "$dir"; return; fi
    fi
    return 1
}

as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "with-postgres: need root or sudo to run: $*" >&2
        return 1
    fi
}

if ! bindir=$(find_bindir); then
    # A fresh machine may lack the server: CI must still pass there.
    echo "with-postgres: no PostgreSQL server found, installing Debian's postgresql-15" >&2
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15
    bindir=$(find_bindir)
fi

# initdb and postgres refuse to run as root, so root runs them as the postgres system user,
# and that user must be able to reach the directory: hence /tmp rather than root's TMPDIR.
tmp_base=${TMPDIR:-/tmp}
as_postgres() { "$@"; }
if [ "$(id -u)" = 0 ]; then
    tmp_base=/tmp
    if ! id -u postgres >/dev/null 2>&1; then
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /bin/sh postgres
    fi
    if command -v runuser >/dev/null 2>&1; then
        as_postgres() { runuser -u postgres -- "$@"; }
    else
        as_postgres() { su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; }
    fi
fi

tmpdir=$(mktemp -d "$tmp_base/headway-pg.XXXXXX")
datadir=$tmpdir/data
logfile=$tmpdir/postgres.log
initdb_log=$tmpdir/initdb.log
started=0

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ "$started" = 1 ]; then
        if ! (cd "$tmpdir" && as_postgres "$bindir/pg_ctl" -D "$datadir" -m fast -w -t 60 stop \
            >/dev/null); then
            (cd "$tmpdir" && as_postgres "$bindir/pg_ctl" -D "$datadir" -m immediate -w stop \
                >/dev/null) || true
        fi
    fi
    rm -rf "$tmpdir"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$(id -u)" = 0 ]; then
    chown postgres: "$tmpdir"
fi

port=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()')

# The postgres user runs from the temp dir: it may not be allowed into the caller's directory.
cd "$tmpdir"
# C.UTF-8 sorts text by code point on every machine, as SQLite does by default.
as_postgres "$bindir/initdb" -D "$datadir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    --no-sync --no-instructions >"$initdb_log" 2>&1 || {
    cat "$initdb_log" >&2
    exit 1
}
started=1
# Durability off: the data is thrown away, so commits need not wait for the disk.
as_postgres "$bindir/pg_ctl" -D "$datadir" -l "$logfile" -w -t 60 start \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $tmpdir -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off" >/dev/null || {
    echo "with-postgres: the server did not start; its log:" >&2
    cat "$logfile" >&2
    exit 1
}
cd "$OLDPWD"

for _ in $(seq 1 600); do
    if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
        break
    fi
    sleep 0.1
done
if ! "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
    echo "with-postgres: the server did not start within 60 s; its log:" >&2
    cat "$logfile" >&2
    exit 1
fi

"$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres headway_test
export HEADWAY_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/headway_test"
echo "with-postgres: $("$bindir/postgres" --version) on 127.0.0.1:$port" >&2

"$@"
