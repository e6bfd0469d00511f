# budget: the agents stop starting measurements when the next would not
# fit, and the master report says what was cut short to fit (never
# silently); a budget below the least profiling needs is said at once, and
# a report still comes out. perfd status gives a running investigation's
# time left. (Whether a budget holds to within 10% is a benchmark figure:
# bench/cost.sh, docs/performance.md.)
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
cd "$T"
NOISE="$S/tests/fixtures/noise.sh 0.05 0.15"
# spec NAME BUDGET: two alike stages (never settled: auto would run 30 times) and a sweep.
spec() {
	cat >spec.yaml <<EOS
version: 1
name: $1
budget: $2
pipeline:
  warmup: 1
  stages:
    - {name: a, run: "$NOISE"}
    - {name: b, run: "$NOISE"}
batch:
  stage: b
  command: "$NOISE {batch}"
  current: 1
  sizes: [1, 10, 100]
EOS
}

# 4 s: about 20 runs of the pipeline for everything.
spec tight 4s
investigate tight
M="$D/MASTER_INTEGRATION_REPORT.md"
runs=$(jget "$D/profiling/findings.json" data.runs.counted)
[ "$runs" -lt 30 ] || fail "tight: profiling ran $runs times within a 4 s budget"
jget "$D/profiling/findings.json" data.runs.stopped | grep -q "^the budget" ||
    fail "tight: $(jget "$D/profiling/findings.json" data.runs.stopped)"
grep -q '^\*\*Budget:\*\* 4.0 s' "$M" || fail "tight: no budget line"
grep -q "^- profiling: $runs counted runs" "$M" || fail "tight: the cut is not listed: $(grep -A5 Budget "$M")"
[ "$(jget "$D/MASTER_INTEGRATION_REPORT.json" budget.budget_ms)" = 4000 ] || fail "tight: budget in JSON"
jget "$D/MASTER_INTEGRATION_REPORT.json" budget.cuts.0.cut | grep -q . || fail "tight: no cut in JSON"
echo "tight: $runs profiling runs, $(jget "$D/MASTER_INTEGRATION_REPORT.json" time.wall_ms) ms in all"

# 1 s is below even the least: said up front, and the report still comes out.
spec tiny 1s
investigate tiny
grep -q "the budget (1.0 s) is less than profiling needs at the least" "$D/MASTER_INTEGRATION_REPORT.md" ||
    fail "tiny: the budget's shortfall is not said"
[ "$(jget "$D/profiling/findings.json" status)" = ok ] || fail "tiny: profiling $(jget "$D/profiling/findings.json" status)"
jget "$D/MASTER_INTEGRATION_REPORT.json" bottleneck.stage | grep -q . || fail "tiny: no bottleneck named"

# perfd status: a running investigation's time left, from its budget.
cat >slow.sh <<'EOS'
sleep 1
EOS
cat >spec.yaml <<EOS
version: 1
name: slow
budget: 60s
pipeline:
  warmup: 0
  stages:
    - {name: a, run: "sh slow.sh"}
EOS
start_daemon
id=$(perfd submit "$T/spec.yaml") || fail "submit"
i=0
until perfd status "$id" | grep -q "time left: about [0-9]* s (from the spec's budget of 60 s)"; do
	i=$((i + 1))
	[ $i -gt 100 ] && fail "status: $(perfd status "$id")"
	sleep 0.1
done
perfd cancel "$id" >/dev/null || fail "cancel"
