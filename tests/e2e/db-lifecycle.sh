# The database agents on pipelines that make their own database: created by
# setup, created by a stage, deleted by teardown. Every agent answers, and
# a pipeline that never creates it is named as such.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
cd "$T"
cat >load.sh <<'EOS'
#!/bin/sh
# load.sh DB [CREATE]: 200 rows, a transaction every 10 (CREATE: make the table first).
{
	[ -n "${2:-}" ] && echo "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v INTEGER);"
	for i in $(seq 200); do
		[ $((i % 10)) = 1 ] && echo "BEGIN;"
		echo "INSERT INTO t (v) VALUES ($i);"
		[ $((i % 10)) = 0 ] && echo "COMMIT;"
	done
} | sqlite3 "$1"
EOS
chmod +x load.sh

# run NAME SETUP STAGE TEARDOWN
run() {
	cat >"$T/$1.yaml" <<EOS
version: 1
name: $1
rows: 200
pipeline:
  warmup: 0
  repetitions: 3
  setup: "$2"
  teardown: "$4"
  stages:
    - {name: ingest, run: "$3"}
database: {kind: sqlite, path: data/$1.db, table: t}
client: {stage: ingest}
batch: {stage: ingest, current: 10, sizes: [10]}
EOS
	rm -rf "$T/tmp" "$T/data"
	mkdir -p "$T/data"
	perfd run "$T/$1.yaml" >"$T/out" || fail "$1: the investigation must finish"
	D=$(ls -d "$T"/tmp/perf-optimization/*)
}

all_ok() {
	for a in db-config client-library batch-size; do
		[ "$(jget "$D/$a/findings.json" status)" = ok ] ||
		    fail "$1: $a: $(jget "$D/$a/findings.json" headline)"
		[ "$(jget "$D/$a/status.json" status)" = ok ] || fail "$1: $a status.json"
	done
	grep -q "4 of 4 agent reports arrived: 4 ok" "$D/MASTER_INTEGRATION_REPORT.md" ||
	    fail "$1: $(grep "agent reports arrived" "$D/MASTER_INTEGRATION_REPORT.md")"
}

run setup "rm -f data/setup.db; sqlite3 data/setup.db 'CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)'" \
    "./load.sh data/setup.db" ""
all_ok setup
run stage "rm -f data/stage.db" "./load.sh data/stage.db create" ""
all_ok stage
run teardown "sqlite3 data/teardown.db 'CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)'" \
    "./load.sh data/teardown.db" "rm -f data/teardown.db"
all_ok teardown
[ -e data/teardown.db ] && fail "the teardown's deletion was not left to it"

# A pipeline that never makes it: failed, saying so; the others go on.
run never "" "true" ""
for a in db-config client-library; do
	[ "$(jget "$D/$a/findings.json" status)" = failed ] || fail "never: $a"
	jget "$D/$a/findings.json" headline |
	    grep -q "the pipeline ran once (setup and the stages to ingest) and did not create data/never.db" ||
	    fail "never: $a says $(jget "$D/$a/findings.json" headline)"
	[ "$(jget "$D/$a/status.json" status)" = failed ] || fail "never: $a status.json"
done
# batch-size fails as cleanly: its own reason, and an agent that exited 0
# (under the sanitizer build a leak on this path made it exit 1).
[ "$(jget "$D/batch-size/status.json" status)" = failed ] || fail "never: batch-size"
jget "$D/batch-size/status.json" reason | grep -q "^Cannot probe the database: the pipeline ran once" ||
    fail "never: batch-size says $(jget "$D/batch-size/status.json" reason)"
[ "$(jget "$D/batch-size/status.json" exit_code)" = 0 ] || fail "never: batch-size exited non-zero"
grep -q "failed (db-config: the pipeline ran once" "$D/MASTER_INTEGRATION_REPORT.md" ||
    fail "never: the master report does not say why"
