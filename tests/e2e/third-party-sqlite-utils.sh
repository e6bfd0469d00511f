# A third-party bulk loader run with a too-small batch flag: sqlite-utils
# commits once per --batch-size chunk and caps a chunk at 999 / columns
# rows. The batch-size agent measures the flag through the loader itself
# (pipeline evidence), and the harness applies the recommended size and
# times it; sizes past the cap are reported as the cap, not a flat optimum;
# db-config leaves out what sqlite-utils cannot set on its connection.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
command -v sqlite-utils >/dev/null || fail "sqlite-utils is not installed (scripts/deps.sh installs it)"
cd "$T"
{ echo "ts,price,qty,side"; trades_csv 2000 11; } >rows.csv
schema="CREATE TABLE trades (ts INTEGER NOT NULL, price REAL, qty REAL, side TEXT)"
cat >spec.yaml <<EOS
version: 1
name: sqlite-utils-loader
rows: 2000
pipeline:
  warmup: 0
  repetitions: 3
  setup: "rm -f data.db data.db-journal; sqlite3 data.db '$schema'"
  stages:
    - {name: ingest, run: "sqlite-utils insert data.db trades rows.csv --csv --batch-size 1"}
database: {kind: sqlite, path: data.db, table: trades}
client: {stage: ingest}
batch:
  stage: ingest
  command: "sqlite-utils insert data.db trades rows.csv --csv --batch-size {batch}"
  current: 1
  sizes: [1, 10, 100, 1000, 10000]
EOS
# The harness applies the recommended flag and times the loader itself,
# alternating with the loader as it is. Both sides move with the machine:
# the loader as it is with the disk (2,000 syncs), the recommended one with
# Python's start-up (most of its 100-170 ms). perfd's figure is held to
# within x1.5 of the harness's only when each side's time agrees with
# perfd's own to within x1.25 (so that the two ratios were taken on the
# same machine); otherwise the investigation and the pair are made again,
# up to three times. (One suite failed at x1.6 with the harness's
# recommended side at 167 ms against perfd's 116.)
reset="rm -f data.db data.db-journal data.db-wal data.db-shm; sqlite3 data.db '$schema'"
for attempt in 1 2 3; do
	investigate sqlite-utils-loader
	BF="$D/batch-size/findings.json"
	rec=$(jget "$BF" data.recommended)
	set -- $(pair_ms 5 "$reset" "sqlite-utils insert data.db trades rows.csv --csv --batch-size 1" \
	    "sqlite-utils insert data.db trades rows.csv --csv --batch-size $rec")
	base=$1 fixed=$2
	seen=$(jget "$BF" data.sizes.0.median_ms)
	seen_fixed=
	for i in 0 1 2 3 4; do
		[ "$(jget "$BF" data.sizes.$i.size)" = "$rec" ] && seen_fixed=$(jget "$BF" data.sizes.$i.median_ms)
	done
	[ -n "$seen_fixed" ] || fail "no figure for the recommended size $rec"
	echo "batch size 1: perfd saw $seen ms, the harness $base ms; batch $rec: perfd $seen_fixed ms, the harness $fixed ms"
	close_to "$seen" "$base" && close_to "$seen_fixed" "$fixed" && break
	[ $attempt = 3 ] && fail "the machine's speed moved more than x1.25 between perfd's measurement and the harness's, three times"
done
[ "$(jget "$BF" data.sizes.0.size)" = 1 ] || fail "sizes: the first is not the current 1"
for a in profiling db-config client-library batch-size; do
	[ "$(jget "$D/$a/status.json" status)" = ok ] || fail "$a: $(jget "$D/$a/status.json" reason)"
done
[ "$(jget "$BF" recommendations.0.evidence_kind)" = pipeline ] || fail "batch evidence kind"
jget "$BF" headline | grep -q "the loader caps its batch" || fail "cap not reported: $(jget "$BF" headline)"
grep -q "Left out: synchronous = normal: a per-connection setting, and sqlite-utils offers no way" \
    "$D/db-config/CONFIG_ANALYSIS.md" || fail "db-config advises what sqlite-utils cannot set"
grep -q "sqlite-utils" "$D/client-library/CLIENT_ANALYSIS.md" || fail "client not recognised"
real=$(awk -v b="$base" -v a="$fixed" 'BEGIN { print b / a }')
k=$(jget "$BF" recommendations.0.local_speedup)
echo "batch $rec: perfd predicts x$k, applying it gave x$real ($base -> $fixed ms)"
awk -v r="$real" 'BEGIN { exit !(r >= 5) }' || fail "the planted effect is too small here: x$real"
awk -v p="$k" -v m="$real" 'BEGIN { r = p / m; exit !(r <= 1.5 && r >= 1 / 1.5) }' ||
    fail "batch $rec: perfd predicts x$k, applying it gave x$real"

# db-config's WAL (all that sqlite-utils lets a user set) applied by the
# harness where the database is created: measured on the stage itself,
# within x1.5 of it either way.
F="$D/db-config/findings.json"
jget "$F" recommendations.0.apply | grep -q "journal_mode = wal" || fail "db-config: $(jget "$F" headline)"
wal=$(median_ms 5 "$reset; sqlite3 data.db 'PRAGMA journal_mode = wal;'" \
    "sqlite-utils insert data.db trades rows.csv --csv --batch-size 1")
real=$(awk -v b="$base" -v a="$wal" 'BEGIN { print b / a }')
k=$(jget "$F" recommendations.0.local_speedup)
echo "WAL: perfd predicts x$k, applying it gave x$real ($base -> $wal ms)"
[ "$(jget "$F" recommendations.0.evidence_kind)" = pipeline ] || fail "WAL: evidence kind"
claim_check "$F" "$real" || fail "WAL: perfd predicts x$k, applying it gave x$real"
