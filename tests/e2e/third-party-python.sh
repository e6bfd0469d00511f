# A third-party client: a loader on Python's sqlite3 module committing every
# row. The test harness applies each fix perfd recommends for the stage, as
# its How says, times the fixed loader itself, and checks perfd's figure
# against it: within x2, either way (see honest() in lib.sh).
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
[ -x /usr/bin/python3 ] || fail "python3 is not installed (scripts/deps.sh installs it)"
cd "$T"
cp "$S/tests/fixtures/py-loader.py" loader.py
trades_csv 800 7 >rows.csv
schema="CREATE TABLE trades (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, price REAL, qty REAL, side TEXT)"
cat >spec.yaml <<EOS
version: 1
name: python-loader
rows: 800
pipeline:
  warmup: 0
  repetitions: 5
  setup: "rm -f data.db data.db-journal; sqlite3 data.db '$schema'"
  stages:
    - {name: ingest, run: "/usr/bin/python3 loader.py rows.csv data.db"}
database: {kind: sqlite, path: data.db, table: trades}
client: {stage: ingest}
EOS
perfd run spec.yaml >out 2>&1 || fail "the investigation must finish: $(tail -5 out)"
D=$(ls -d "$T"/tmp/perf-optimization/*)
for a in profiling db-config client-library; do
	[ "$(jget "$D/$a/status.json" status)" = ok ] || fail "$a: $(jget "$D/$a/status.json" reason)"
done
C="$D/client-library/findings.json"
F="$D/db-config/findings.json"
jget "$C" headline | grep -q "one commit per row" || fail "pattern: $(jget "$C" headline)"
grep -q "Python's sqlite3 module" "$D/client-library/CLIENT_ANALYSIS.md" || fail "client not recognised"
jget "$C" recommendations.0.apply | grep -q "con.executemany" || fail "advice not in Python"
jget "$F" recommendations.0.apply | grep -q 'con.execute("PRAGMA synchronous = normal;")' ||
    fail "settings advice not in Python: $(jget "$F" recommendations.0.apply)"

# The harness applies each fix and times the stage itself.
reset="rm -f data.db data.db-journal data.db-wal data.db-shm; sqlite3 data.db '$schema'"
wal="$reset; sqlite3 data.db 'PRAGMA journal_mode = wal;'"
base=$(median_ms 7 "$reset" "/usr/bin/python3 loader.py rows.csv data.db")
tx=$(median_ms 7 "$reset" "/usr/bin/python3 loader.py rows.csv data.db tx")
walk=$(median_ms 7 "$wal" "/usr/bin/python3 loader.py rows.csv data.db wal")
check() { # NAME FINDINGS FIXED-MS
	real=$(awk -v b="$base" -v a="$3" 'BEGIN { print b / a }')
	echo "$1: perfd predicts x$(jget "$2" recommendations.0.local_speedup)" \
	    "(x$(jget "$2" recommendations.0.local_speedup_ci.0)-x$(jget "$2" recommendations.0.local_speedup_ci.1))," \
	    "applying it gave x$real ($base -> $3 ms)"
	awk -v r="$real" 'BEGIN { exit !(r >= 5) }' || fail "$1: the planted effect is too small here: x$real"
	claim_check "$2" "$real" || fail "$1: applying it gave x$real, outside what perfd stated"
}
check "one transaction" "$C" "$tx"
check "WAL + synchronous=normal" "$F" "$walk"
[ "$(jget "$C" recommendations.0.evidence_kind)" = probe ] || fail "evidence kind"
