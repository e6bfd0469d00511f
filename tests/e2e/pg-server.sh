# The private PostgreSQL server the database tests start (start_pg in
# lib.sh): up on a unix socket in the test's folder only (no TCP port), as
# an unprivileged user when the test runs as root, usable with psql, and
# gone after stop_pg with nothing of it left running.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
cd "$T"
start_pg
[ -S "$T/pg/.s.PGSQL.5432" ] || fail "no socket in the test's folder"
[ "$(psql -XAtc 'SHOW listen_addresses')" = "" ] || fail "the server listens on TCP"
[ "$(psql -XAtc "SELECT current_setting('unix_socket_directories')")" = "$T/pg" ] ||
    fail "socket folder: $(psql -XAtc 'SHOW unix_socket_directories')"
psql -Xq -c "CREATE TABLE trades (id int PRIMARY KEY, price real)" ||
    fail "cannot create a table"
seq 1 100 | awk '{ print $1 "," $1 * 1.5 }' | psql -Xq -c "\copy trades FROM STDIN (FORMAT csv)" ||
    fail "cannot load rows"
[ "$(psql -XAtc 'SELECT count(*) FROM trades')" = 100 ] || fail "rows"
owner=$(stat -c %U "$T/pg/data")
[ "$(id -u)" != 0 ] || [ "$owner" = postgres ] || fail "as root, the data belongs to $owner"
pid=$(head -1 "$T/pg/data/postmaster.pid")
stop_pg
# Gone, or a zombie for whoever reaps it (the postmaster removes its pid
# file, which pg_ctl waits for, just before it exits).
running() { s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1); [ -n "$s" ] && [ "$s" != Z ]; }
i=0
while running "$pid"; do
	i=$((i + 1))
	[ $i -gt 50 ] && fail "the server ($pid) is still running 5 s after stop_pg"
	sleep 0.1
done
echo "ok"
