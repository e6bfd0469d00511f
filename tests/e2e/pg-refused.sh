# The database agents on PostgreSQL when the server refuses them, or when
# no scratch cluster can run, each said in the agents' reasons, the
# investigation itself finishing, and the password in no file perfd wrote:
# - a wrong password (the server asks for one: scram-sha-256);
# - a role that may not read pg_settings;
# - the server's major version not installed where perfd looks for it
#   (PERFD_PG_LIBDIR): the settings are read, nothing is measured.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
cd "$T"
start_pg
pw=perfd-right-pw-$$
bad=perfd-wrong-pw-$$
psql -Xqc "CREATE ROLE loader LOGIN PASSWORD '$pw'" || fail "role"
# The loader must give its password on the socket; the test's own role not.
$PG_AS sh -c "{ echo 'local all loader scram-sha-256'; cat '$PG_DATA/pg_hba.conf'; } >'$PG_DATA/hba.new' && mv '$PG_DATA/hba.new' '$PG_DATA/pg_hba.conf'" ||
    fail "pg_hba.conf"
psql -XqAtc 'SELECT pg_reload_conf()' >/dev/null || fail "reload"
PGPASSWORD=$bad psql -Xq -U loader -c 'SELECT 1' >/dev/null 2>&1 &&
    fail "the server let a wrong password in"
cat >load.sh <<'EOS'
seq 1 50 | sed 's/.*/INSERT INTO trades VALUES (&, &);/' | psql -Xq
EOS
spec() {
	cat >spec.yaml <<EOS
version: 1
name: pg-refused
rows: 50
pipeline:
  warmup: 0
  repetitions: 3
  setup: "psql -Xqc 'DROP TABLE IF EXISTS trades; CREATE TABLE trades (id int, qty int); GRANT SELECT ON trades TO loader'"
  stages:
    - {name: ingest, run: "sh load.sh"}
database:
  kind: postgresql
  dsn: "host=$T/pg dbname=postgres user=loader password=$1"
  table: public.trades
client: {stage: ingest}
EOS
}
reasons() {
	db_failed "$1" "$2"
	grep -rl -e "$pw" -e "$bad" "$D" "$XDG_STATE_HOME" >pw.found 2>/dev/null || true
	[ ! -s pw.found ] || fail "$1: a password is in: $(cat pw.found)"
}

spec "$bad"
investigate wrong-password
reasons "wrong password" 'password authentication failed for user "loader"'

psql -Xqc 'REVOKE SELECT ON pg_settings FROM PUBLIC' || fail "revoke"
spec "$pw"
investigate no-settings
reasons "pg_settings" "permission denied for view pg_settings"
psql -Xqc 'GRANT SELECT ON pg_settings TO PUBLIC' || fail "grant"

mkdir nopg
export PERFD_PG_LIBDIR="$T/nopg"
investigate no-version
unset PERFD_PG_LIBDIR
reasons "no version" "PostgreSQL 1[0-9]'s server is not installed here (no $T/nopg/1[0-9]/bin/initdb)"
pgrep -af "perfd-pg-" >left.txt 2>/dev/null || true
[ ! -s left.txt ] || fail "a scratch cluster is still running: $(cat left.txt)"
echo ok
