# perfd compare on synthetic run sets with known answers; perfd history.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"

# mkset NAME RUNS SEED CPU "stage:ms:noise ..." : an investigation folder whose
# runs of each stage are ms * (1 + noise * U(-1, 1)).
mkset() {
	d="$T/$1"
	mkdir -p "$d/profiling"
	{
		echo "version: 1"; echo "name: synthetic"; echo "workdir: /"
		echo "pipeline:"; echo "  stages:"
		for s in $5; do echo "    - {name: ${s%%:*}, run: 'true'}"; done
	} >"$d/spec.json"
	awk -v runs="$2" -v seed="$3" -v spec="$5" 'BEGIN {
		srand(seed); n = split(spec, st, " ")
		print "run,warmup,stage,kind,ok,exit,wall_ms"
		for (r = 1; r <= runs; r++)
			for (i = 1; i <= n; i++) {
				split(st[i], f, ":")
				printf "%d,0,%s,run,1,0,%.4f\n", r, f[1], f[2] * (1 + f[3] * (2 * rand() - 1))
			}
	}' >"$d/profiling/runs.csv"
	cat >"$d/profiling/findings.json" <<EOJ
{"schema":"perfd.findings/1","agent":"profiling","status":"ok","votes":[],"recommendations":[],
 "data":{"context":{"cpu_model":"$4","cores":2,"git_commit":null}}}
EOJ
}

verdict() { jget "$T/c.json" "rows.$1.verdict"; }

mkset base 10 1 cpuA "a:100:0.02 b:50:0.02"
mkset same 10 2 cpuA "a:100:0.02 b:50:0.02"
perfd compare "$T/base" "$T/same" --json >"$T/c.json" || fail "identical: exit $?"
[ "$(verdict 0):$(verdict 1):$(verdict 2)" = PASS:PASS:PASS ] || fail "identical verdicts"
[ "$(jget "$T/c.json" rows.2.stage)" = "end to end" ] || fail "end-to-end row"
[ "$(jget "$T/c.json" rows.0.test)" = exact ] || fail "10 runs a side without ties: exact test"

# 20% slower, 10 runs each: FAIL, exit 1.
mkset slow 10 3 cpuA "a:120:0.02 b:50:0.02"
rc=0; perfd compare "$T/base" "$T/slow" --json >"$T/c.json" || rc=$?
[ $rc -eq 1 ] || fail "20% shift exits $rc"
[ "$(verdict 0)" = FAIL ] || fail "20% shift: $(verdict 0)"
[ "$(verdict 1)" = PASS ] || fail "unchanged stage: $(verdict 1)"
awk -v c="$(jget "$T/c.json" rows.0.change)" 'BEGIN { exit !(c > 0.17 && c < 0.23) }' || fail "change"

# 3% slower: under the 5% threshold: PASS (noted when significant).
mkset three 10 4 cpuA "a:103:0.01 b:50:0.02"
perfd compare "$T/base" "$T/three" --json >"$T/c.json" || fail "3% shift must pass"
[ "$(verdict 0)" = PASS ] || fail "3%: $(verdict 0)"
# ... and FAIL at a 2% threshold, per stage from the spec or from the flag.
rc=0; perfd compare "$T/base" "$T/three" --threshold 2% >/dev/null || rc=$?
[ $rc -eq 1 ] || fail "3% at --threshold 2% exits $rc"
sed -i "s/{name: a, run: 'true'}/{name: a, run: 'true', threshold: 2%}/" "$T/three/spec.json"
rc=0; perfd compare "$T/base" "$T/three" >/dev/null || rc=$?
[ $rc -eq 1 ] || fail "stage threshold 2% exits $rc"

# 8% slower but very noisy: not significant: WARN, exit 0.
mkset noisyb 6 5 cpuA "a:100:0.6 b:50:0.02"
mkset noisyc 6 6 cpuA "a:108:0.6 b:50:0.02"
perfd compare "$T/noisyb" "$T/noisyc" --json >"$T/c.json" || fail "noisy must not fail"
awk -v c="$(jget "$T/c.json" rows.0.change)" 'BEGIN { exit !(c > 0.05) }' ||
    fail "the noisy fixture must be more than 5% slower: $(jget "$T/c.json" rows.0.change)"
[ "$(verdict 0)" = WARN ] || fail "noisy 8%: $(verdict 0) p=$(jget "$T/c.json" rows.0.p)"

# Bad input: different stages, too few runs: exit 2, saying which.
mkset other 10 7 cpuA "a:100:0.02 c:50:0.02"
rc=0; perfd compare "$T/base" "$T/other" 2>"$T/err" || rc=$?
[ $rc -eq 2 ] || fail "mismatched stages exit $rc"
grep -q "different stages: .*base has \[a, b\], .*other has \[a, c\]" "$T/err" || fail "mismatch message: $(cat "$T/err")"
mkset few 3 8 cpuA "a:100:0.02 b:50:0.02"
rc=0; perfd compare "$T/base" "$T/few" 2>"$T/err" || rc=$?
[ $rc -eq 2 ] || fail "too few runs exit $rc"
grep -q "too few runs to test stage a: 10 and 3 (at least 4 per side)" "$T/err" || fail "few message"
rc=0; perfd compare nope "$T/base" 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "unknown ID exit $rc"

# Another machine: said in the output and in the JSON.
mkset elsewhere 10 9 cpuB "a:100:0.02 b:50:0.02"
# Same medians, so no regression (exit 0); the mismatch is a warning.
rc=0; perfd compare "$T/base" "$T/elsewhere" --json >"$T/c.json" 2>"$T/err" || rc=$?
[ $rc -eq 0 ] || fail "another machine, same medians: exit $rc"
[ "$(jget "$T/c.json" machine_mismatch)" = true ] || fail "machine mismatch not in JSON"
grep -q "different machines: cpuA (2 cores) against cpuB (2 cores)" "$T/err" || fail "machine warning"

# Predicted against achieved, from BASE's master report; --markdown.
cat >"$T/base/MASTER_INTEGRATION_REPORT.json" <<'EOJ'
{"schema":"perfd.master/1","recommendations":[{"rank":1,"priority":"P2","title":"Faster a",
 "stage":"a","local_speedup":2.0,"end_to_end_speedup":1.5,"measured":true}]}
EOJ
mkset fixed 10 10 cpuA "a:50:0.02 b:50:0.02"
perfd compare "$T/base" "$T/fixed" --json --markdown "$T/c.md" >"$T/c.json" || fail "improvement exit"
awk -v g="$(jget "$T/c.json" predictions.0.achieved_local_speedup)" 'BEGIN { exit !(g > 1.9 && g < 2.1) }' ||
    fail "achieved local"
[ "$(jget "$T/c.json" predictions.0.predicted_end_to_end_speedup)" = 1.5 ] || fail "predicted e2e"
[ "$(jget "$T/c.json" rows.0.improved)" = true ] || fail "improved not marked"
grep -q "Predicted against achieved" "$T/c.md" || fail "markdown predictions"
grep -q "Mann-Whitney U" "$T/c.md" || fail "markdown names the test"

# History: three real investigations of one spec, a step planted in the third.
real_agents
echo 0.03 >"$T/delay"
cat >"$T/hist.yaml" <<EOS
version: 1
name: hist
pipeline:
  warmup: 1
  repetitions: 10
  stages:
    - {name: work, run: 'sleep \$(cat $T/delay)'}
    - {name: fixed, run: 'sleep 0.01'}
EOS
perfd run "$T/hist.yaml" >/dev/null && perfd run "$T/hist.yaml" >/dev/null || fail "history runs"
echo 0.09 >"$T/delay"
perfd run "$T/hist.yaml" >/dev/null || fail "third run"
( cd "$T" && perfd history hist ) >"$T/h.out" || fail "history exit"
[ "$(grep -c '^2026\|^20[0-9][0-9]' "$T/h.out")" -eq 3 ] || fail "3 rows: $(cat "$T/h.out")"
sed -n 2,3p "$T/h.out" | grep -q "work +" && fail "a step where none was planted"
sed -n 4p "$T/h.out" | grep -q "work +[0-9]*%" || fail "the planted step is not marked: $(cat "$T/h.out")"
grep -q '<svg' "$T/history-hist.svg" || fail "history.svg"
grep -q '>step</text>' "$T/history-hist.svg" || fail "step not marked in the chart"
( cd "$T" && perfd history hist --last 2 ) | grep -c "^20" | grep -q '^2$' || fail "--last"

# --baseline: the master report compares this run with the first one.
first=$(perfd list | awk '$2 == "hist" { id = $1 } END { print id }')
perfd run "$T/hist.yaml" --baseline "$first" >"$T/out" || fail "run --baseline"
M=$(sed -n 's/^master report: //p' "$T/out")
grep -q "## 8. Against the baseline" "$M" || fail "no baseline section"
grep -q "| work | .* | \*\*FAIL\*\*" "$M" || fail "the step is not a FAIL against the baseline: $(grep '| work' "$M")"
[ "$(jget "${M%.md}.json" baseline.rows.0.verdict)" = FAIL ] || fail "baseline JSON"
rc=0; perfd run "$T/hist.yaml" --baseline nope 2>"$T/err" || rc=$?
[ $rc -eq 2 ] || fail "unknown baseline exits $rc"
grep -q "no investigation nope to use as the baseline" "$T/err" || fail "baseline message"
