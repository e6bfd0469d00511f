# The database agents on PostgreSQL when something is wrong, each named in
# the agents' reasons, the investigation itself finishing: the server is
# not there; the pipeline does not create the table; the table has a
# column perfd cannot make values for (NOT NULL, no default), so no probe
# can run on the scratch cluster (said, nothing guessed).
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
cd "$T"
start_pg
spec() {
	cat >spec.yaml <<EOS
version: 1
name: pg-fail
rows: 50
pipeline:
  warmup: 0
  repetitions: 3
  setup: "$1"
  stages:
    - {name: ingest, run: "$2"}
database:
  kind: postgresql
  dsn: "host=$3 dbname=postgres user=perfd_test"
  table: public.trades
client: {stage: ingest}
EOS
}
spec "true" "true" "$T/nowhere"
investigate down
db_failed "server down" "cannot connect to the PostgreSQL server: connection to server on socket \"$T/nowhere/.s.PGSQL.5432\" failed"

spec "psql -Xqc 'DROP TABLE IF EXISTS trades'" "true" "$T/pg"
investigate no-table
db_failed "no table" "did not create table public.trades in .*dbname=postgres .*(no table 'public.trades' on the server)"

cat >points.sh <<'EOS'
seq 1 50 | sed 's/.*/INSERT INTO trades VALUES (&, point(&, 1));/' | psql -Xq
EOS
spec "psql -Xqc 'DROP TABLE IF EXISTS trades; CREATE TABLE trades (id int, spot point NOT NULL)'" \
    "sh points.sh" "$T/pg"
investigate no-values
for a in db-config client-library; do
	grep -rq "perfd cannot make values for column spot of type point (NOT NULL, no default)" \
	    "$D/$a" || fail "no-values: $a does not say why: $(jget "$D/$a/findings.json" headline)"
done
pgrep -af "perfd-pg-" >left.txt 2>/dev/null || true
[ ! -s left.txt ] || fail "a scratch cluster is still running: $(cat left.txt)"
echo ok
