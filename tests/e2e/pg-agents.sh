# The database agents on a PostgreSQL server the test starts (Debian's
# postgresql, never a mock): a psql loader that sends one INSERT per row,
# each its own transaction. perfd must read the server only (its settings,
# the table, the server's counts) and run every experiment on a scratch
# cluster of its own, then stop and remove it:
# - every agent ok; commits counted by the server ("one commit per row");
# - db-config's synchronous_commit = off, applied by the harness the way
#   its How says (PGOPTIONS for the loader's sessions), within the bounds
#   a figure of its evidence kind is held to;
# - the server untouched: pg_settings and postgresql.auto.conf as before,
#   the server's own count of rows written is exactly what the pipeline's
#   runs wrote (perfd's sessions wrote nothing), and the table's contents
#   are what the pipeline's own commands leave;
# - the dsn's password in no file perfd wrote (reports, logs, spec.json,
#   the state database);
# - no scratch cluster left running or on disk;
# - without batch.command, batch-size's sweep on the scratch cluster.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
cd "$T"
# No autovacuum: its ANALYZE writes statistics rows that would blur the
# count of rows written.
PG_OPTS="-c autovacuum=off -c shared_preload_libraries=pg_stat_statements"
start_pg
psql -Xqc 'CREATE EXTENSION pg_stat_statements' || fail "pg_stat_statements"
trades_csv 400 7 | awk -F, '{ print NR "," $0 }' >rows.csv
# Every run of the loader and of setup leaves a line, to count what the
# pipeline wrote.
cat >load.sh <<'EOS'
#!/bin/sh
# load.sh N: the rows as INSERTs through psql, committed every N rows (1: each its own)
echo load >>runs.log
awk -F, -v n="$1" '{ if (n > 1 && (NR - 1) % n == 0) print "BEGIN;";
    printf "INSERT INTO trades VALUES (%d, %d, %s, %s, '\''%s'\'');\n", $1, $2, $3, $4, $5;
    if (n > 1 && NR % n == 0) print "COMMIT;" } END { if (n > 1 && NR % n != 0) print "COMMIT;" }' rows.csv |
    psql -Xq -v ON_ERROR_STOP=1
EOS
cat >setup.sh <<'EOS'
#!/bin/sh
echo setup >>runs.log
psql -Xq -c 'DROP TABLE IF EXISTS trades; CREATE TABLE trades (id bigint PRIMARY KEY, ts bigint NOT NULL, price real, qty real, side text)'
EOS
chmod +x load.sh setup.sh
pw=perfd-e2e-pw-$$
cat >spec.yaml <<EOS
version: 1
name: pg-loader
rows: 400
pipeline:
  warmup: 0
  repetitions: 3
  setup: ./setup.sh
  stages:
    - {name: ingest, run: "./load.sh 1"}
database:
  kind: postgresql
  dsn: "host=$T/pg dbname=postgres user=perfd_test password=$pw"
  table: public.trades
client: {stage: ingest}
batch:
  stage: ingest
  command: "./load.sh {batch}"
  current: 1
  sizes: [1, 10, 100, 400]
EOS
# What one setup and one load write, by the server's count.
written() {
	psql -XAtc "SELECT tup_inserted + tup_updated + tup_deleted FROM pg_stat_database WHERE datname = 'postgres'"
}
# The server's counts settle once the sessions that wrote have ended.
settled() {
	a=$(written); sleep 0.3; b=$(written)
	while [ "$a" != "$b" ]; do a=$b; sleep 0.3; b=$(written); done
	echo "$b"
}
settings() { psql -XAtc "SELECT name, setting FROM pg_settings ORDER BY name"; }
# (setup measured on a table that exists, as in every run after the first:
# dropping it writes too)
./setup.sh >/dev/null 2>&1
w0=$(settled); ./setup.sh; w1=$(settled); ./load.sh 1; w2=$(settled)
setup_w=$((w1 - w0)) load_w=$((w2 - w1))
settings >settings.before
cp "$T/pg/data/postgresql.auto.conf" auto.before
rm -f runs.log
before=$(settled)
investigate pg-loader
after=$(settled)
settings >settings.after
for a in profiling db-config client-library batch-size integration; do
	[ "$(jget "$D/$a/status.json" status)" = ok ] || fail "$a: $(jget "$D/$a/status.json" reason)"
done
cmp -s settings.before settings.after || fail "pg_settings changed: $(diff settings.before settings.after)"
cmp -s auto.before "$T/pg/data/postgresql.auto.conf" || fail "postgresql.auto.conf changed"
setups=$(grep -c setup runs.log) loads=$(grep -c load runs.log)
echo "the pipeline ran setup $setups and the loader $loads times: one setup writes $setup_w rows, one load $load_w; the server counted $((after - before))"
[ "$((after - before))" = "$((setups * setup_w + loads * load_w))" ] ||
    fail "perfd wrote to the user's server: it counted $((after - before)) rows written, the pipeline's runs account for $((setups * setup_w + loads * load_w))"
# The table's contents as the pipeline's own commands leave it: what the
# harness gets from running them (after setup and a load, or after setup
# alone, whichever perfd ran last).
contents() { psql -XAtc "SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, ',' ORDER BY id)), '') FROM trades t"; }
left=$(contents)
./setup.sh; after_setup=$(contents)
./load.sh 1; after_load=$(contents)
echo "the table as perfd left it: $left; after setup and a load: $after_load"
[ "$left" = "$after_load" ] || [ "$left" = "$after_setup" ] ||
    fail "the table is not as the pipeline leaves it: $left (setup: $after_setup; setup and load: $after_load)"
grep -rl -- "$pw" "$D" "$XDG_STATE_HOME" out >pw.found 2>/dev/null || true
[ ! -s pw.found ] || fail "the dsn's password is in: $(cat pw.found)"
# No scratch cluster left running, nor its folder.
pgrep -af "perfd-pg-" >left.txt 2>/dev/null || true
[ ! -s left.txt ] || fail "a scratch cluster is still running: $(cat left.txt)"
for f in /tmp/perfd-pg-* "$D"/*/pg-*; do
	[ -e "$f" ] && [ "$f" -nt spec.yaml ] && fail "a scratch cluster's folder is left: $f"
done

# PostgreSQL's own ways of loading are among the patterns measured.
for pat in "COPY FROM STDIN" "pipeline mode"; do
	grep -q "^| $pat" "$D/client-library/CLIENT_ANALYSIS.md" || fail "client-library: no '$pat' row"
done
# The pattern, from the server's own count, and the statements' shape from
# pg_stat_statements.
C="$D/client-library/CLIENT_ANALYSIS.md"
grep -q "one commit per row.*transactions committed in the database" "$C" ||
    fail "pattern: $(grep -m1 Pattern "$C")"
grep -q "pg_stat_statements counted, on public.trades: 400 INSERT statements for 400 rows (1.0 row per statement)" "$C" ||
    fail "statements: $(grep -m1 Pattern "$C")"
# COPY, against the stage's own pattern on the probe: more than x10.
rate_of() { grep "^| $1" "$C" | head -1 | cut -d'|' -f3 | tr -d ' ,'; }
copy=$(rate_of "COPY FROM STDIN")
now=$(grep "(the stage's pattern)" "$C" | head -1 | cut -d'|' -f3 | tr -d ' ,')
echo "client-library's probe: COPY $copy rows/s, the stage's pattern $now rows/s"
awk -v c="$copy" -v n="$now" 'BEGIN { exit !(n > 0 && c > 10 * n) }' ||
    fail "COPY is not x10 the stage's pattern: $copy against $now rows/s"

# db-config's synchronous_commit = off, applied as its How says: for the
# loader's own sessions.
F="$D/db-config/findings.json"
jget "$F" recommendations.0.apply | grep -q "PGOPTIONS='-c synchronous_commit=off'" ||
    fail "db-config: $(jget "$F" headline)"
set -- $(pair_ms 7 ./setup.sh "./load.sh 1" "PGOPTIONS='-c synchronous_commit=off' ./load.sh 1")
base=$1 fixed=$2
real=$(awk -v b="$base" -v a="$fixed" 'BEGIN { print b / a }')
echo "synchronous_commit = off: perfd predicts x$(jget "$F" recommendations.0.local_speedup) ($(jget "$F" recommendations.0.evidence_kind)), applying it gave x$real ($base -> $fixed ms)"
claim_check "$F" "$real" || fail "synchronous_commit: perfd predicts x$(jget "$F" recommendations.0.local_speedup), applying it gave x$real"

# batch-size, through the pipeline's own command.
BF="$D/batch-size/findings.json"
rec=$(jget "$BF" data.recommended)
set -- $(pair_ms 7 ./setup.sh "./load.sh 1" "./load.sh $rec")
real=$(awk -v b="$1" -v a="$2" 'BEGIN { print b / a }')
echo "batch $rec: perfd predicts x$(jget "$BF" recommendations.0.local_speedup), applying it gave x$real ($1 -> $2 ms)"
claim_check "$BF" "$real" || fail "batch $rec: perfd predicts x$(jget "$BF" recommendations.0.local_speedup), applying it gave x$real"

# Without batch.command, batch-size sweeps commit sizes on the scratch
# cluster: a probe figure, bounded by the stage; the harness applies the
# size it recommends through the loader.
sed -i '/command: /d' spec.yaml
investigate pg-loader-probe
[ "$(jget "$D/batch-size/status.json" status)" = ok ] ||
    fail "batch-size on the probe: $(jget "$D/batch-size/status.json" reason)"
BF="$D/batch-size/findings.json"
[ "$(jget "$BF" recommendations.0.evidence_kind)" = probe ] || fail "batch probe: evidence kind"
rec=$(jget "$BF" data.recommended)
set -- $(pair_ms 7 ./setup.sh "./load.sh 1" "./load.sh $rec")
real=$(awk -v b="$1" -v a="$2" 'BEGIN { print b / a }')
echo "batch $rec on the probe: perfd predicts x$(jget "$BF" recommendations.0.local_speedup), applying it gave x$real ($1 -> $2 ms)"
claim_check "$BF" "$real" || fail "batch $rec (probe): perfd predicts x$(jget "$BF" recommendations.0.local_speedup), applying it gave x$real"
pgrep -af "perfd-pg-" >left.txt 2>/dev/null || true
[ ! -s left.txt ] || fail "a scratch cluster is still running: $(cat left.txt)"
echo ok
