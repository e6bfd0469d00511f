#!/bin/sh
# run.sh [BUILD-DIR] - investigate a PostgreSQL load end to end: start a
# private PostgreSQL server (Debian's postgresql, a unix socket in a folder
# of its own, as the postgres account when run as root), run perfd on
# spec.yaml against it, print the master report's path, stop the server.
# Nothing of the machine's own PostgreSQL is touched.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] && [ -x "$bin/initdb" ] ||
    { echo "run.sh: PostgreSQL's server is not installed (scripts/deps.sh installs it)" >&2; exit 1; }
pg=$(mktemp -d /tmp/perfd-example-pg-XXXXXX)
as=
if [ "$(id -u)" = 0 ]; then
	as="runuser -u postgres --"
	chown postgres "$pg"
fi
stop() { $as "$bin/pg_ctl" -D "$pg/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$pg"; }
trap stop EXIT INT TERM
$as "$bin/initdb" -D "$pg/data" -U loader --auth=trust -E UTF8 --no-locale >"$pg/initdb.log" 2>&1
$as "$bin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w \
    -o "-c listen_addresses='' -c unix_socket_directories='$pg'" start >/dev/null
# The spec's dsn names the database only; libpq takes the rest from here.
export PGHOST="$pg" PGUSER=loader PGDATABASE=postgres
cd "$here"
sh make-data.sh
"$build/perfd" run spec.yaml
