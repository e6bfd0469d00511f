# The db-config and client-library agents on fixture databases with known answers.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
cd "$T"
schema="CREATE TABLE trades (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, price REAL,
    side TEXT); CREATE INDEX trades_ts ON trades(ts);"

# spec NAME DB STAGE-COMMAND [EXTRA-DATABASE-KEYS] [EXTRA-TOP-LEVEL-YAML]
spec() {
	cat >"$T/$1.yaml" <<EOS
version: 1
name: $1
rows: 300
pipeline:
  warmup: 0
  repetitions: 3
  stages:
    - {name: ingest, run: "$3"}
database: {kind: sqlite, path: $2, table: trades${4:-}}
client: {stage: ingest}
${5:-}
EOS
	rm -rf "$T/tmp"
	perfd run "$T/$1.yaml" >"$T/out" || fail "$1: the investigation must finish"
	D=$(ls -d "$T"/tmp/perf-optimization/*)
}

# Rollback journal, commits of 10 rows (batch.current): WAL +
# synchronous=NORMAL is a large measured gain — the work is dominated by
# syncs, so the figure holds under ASan and on a busy machine — and the
# user's file is byte-identical after the whole investigation.
sqlite3 full.db "PRAGMA journal_mode=DELETE; $schema" >/dev/null
before=$(sha256sum full.db)
spec full full.db true "" "batch: {stage: ingest, current: 10, sizes: [10]}"
F="$D/db-config/findings.json"
[ "$(jget "$F" status)" = ok ] || fail "full: status"
[ "$(jget "$F" votes.0.vote)" = optimize ] || fail "full: vote $(jget "$F" votes.0.vote)"
k=$(jget "$F" recommendations.0.local_speedup)
awk -v k="$k" 'BEGIN { exit !(k > 2) }' || fail "full: gain $k at 10-row commits"
awk -v lo="$(jget "$F" recommendations.0.local_speedup_ci.0)" 'BEGIN { exit !(lo > 1) }' || fail "CI"
jget "$F" headline | grep -q "the cadence of batch.current" || fail "cadence not stated"
grep -q "PRAGMA journal_mode = wal;" "$D/db-config/CONFIG_ANALYSIS.md" || fail "PRAGMA lines"
grep -q "index \`trades_ts\`" "$D/db-config/CONFIG_ANALYSIS.md" || fail "indexes"
grep -q '<svg' "$D/db-config/config.svg" || fail "no config chart"
grep -q '<svg' "$D/client-library/client.svg" || fail "no client chart"
[ "$(sha256sum full.db)" = "$before" ] || fail "the user's database changed"
ls "$D"/*/scratch.db* 2>/dev/null && fail "scratch copies left behind"

# Without batch.current the headline assumes 1000-row commits and says so,
# with one-commit-per-row figures beside it.
sqlite3 full2.db "PRAGMA journal_mode=DELETE; $schema" >/dev/null
spec full2 full2.db true
grep -q "With one commit per row (300 rows) the combination gives x" "$D/db-config/CONFIG_ANALYSIS.md" ||
    fail "per-row figure"
jget "$D/db-config/findings.json" headline | grep -q "assumes 1000-row commits" ||
    fail "assumption not stated: $(jget "$D/db-config/findings.json" headline)"

# WAL, with the pipeline's synchronous=NORMAL declared: already optimal.
sqlite3 wal.db "PRAGMA journal_mode=WAL; $schema" >/dev/null
spec wal wal.db true ", pragmas: {synchronous: normal}"
F="$D/db-config/findings.json"
[ "$(jget "$F" votes.0.vote)" = leave ] || fail "wal: $(jget "$F" headline)"
jget "$F" headline | grep -q "Configuration already optimal" || fail "wal headline"
grep -q "| synchronous | normal | the spec (database.pragmas) |" "$D/db-config/CONFIG_ANALYSIS.md" ||
    fail "where the setting comes from"

# A client that commits every row: classified from its syscalls, >10x measured.
sqlite3 rows.db "PRAGMA journal_mode=DELETE; $schema" >/dev/null
spec rowcommit rows.db "for i in \$(seq 300); do echo \\\"INSERT INTO trades (ts, price, side) VALUES (\$i, 1.5, 'b');\\\"; done | sqlite3 rows.db"
F="$D/client-library/findings.json"
grep -q "Pattern: \*\*one commit per row\*\*" "$D/client-library/CLIENT_ANALYSIS.md" ||
    fail "row-per-commit not classified: $(grep Pattern "$D/client-library/CLIENT_ANALYSIS.md")"
[ "$(jget "$F" votes.0.vote)" = optimize ] || fail "rowcommit vote"
awk -v k="$(jget "$F" recommendations.0.local_speedup)" 'BEGIN { exit !(k > 10) }' ||
    fail "rowcommit gap $(jget "$F" recommendations.0.local_speedup)"
grep -q "sqlite3_prepare_v2" "$D/client-library/CLIENT_ANALYSIS.md" || fail "no code sketch"

# A bulk .import: already optimal.
sqlite3 bulk.db "PRAGMA journal_mode=DELETE; $schema" >/dev/null
seq 1 20000 | awk '{ print $1 ",1.5,b" }' >bulk.csv
spec bulk bulk.db "sqlite3 bulk.db 'CREATE TEMP TABLE x (ts, price, side)' '.import --csv bulk.csv x' 'INSERT INTO trades (ts, price, side) SELECT * FROM x'"
F="$D/client-library/findings.json"
[ "$(jget "$F" votes.0.vote)" = leave ] || fail "bulk: $(jget "$F" headline)"
jget "$F" headline | grep -q "Client usage already optimal" || fail "bulk headline"

# Bad input: each agent fails with the reason; the investigation goes on.
bad() { # NAME DB-PATH EXPECTED-REASON
	spec "$1" "$2" true
	for a in db-config client-library; do
		[ "$(jget "$D/$a/findings.json" status)" = failed ] || fail "$1: $a status"
		jget "$D/$a/findings.json" headline | grep -q "$3" ||
		    fail "$1: $a says '$(jget "$D/$a/findings.json" headline)', want '$3'"
	done
	[ -f "$D/MASTER_INTEGRATION_REPORT.md" ] || fail "$1: no master report"
}
bad missing nothere.db "nothere.db: No such file or directory"
echo "not a database" >junk.db
bad notsqlite junk.db "not an SQLite database\|file is not a database"
sqlite3 other.db "CREATE TABLE other (x);"
bad notable other.db "no table 'trades'"
mkdir dir.db
bad unreadable dir.db "dir.db: not a regular file"
sqlite3 locked.db "PRAGMA journal_mode=DELETE; $schema" >/dev/null
(echo "BEGIN EXCLUSIVE; INSERT INTO trades (ts) VALUES (1);"; sleep 14; echo "COMMIT;") |
    sqlite3 locked.db &
sleep 0.5
bad locked locked.db "locked"
wait
