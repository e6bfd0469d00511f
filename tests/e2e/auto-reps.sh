# repetitions: auto (the default). A quiet pipeline whose bottleneck is
# plain (75% against 25%) settles in a few runs; a noisy one whose two
# stages are alike (each a random sleep) never decides its bottleneck and
# runs to the most auto allows. Each says how many runs it made and why it
# stopped there. The effect is planted large: a shared machine's jitter of
# a few ms moves neither verdict.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
cd "$T"
NOISE="$S/tests/fixtures/noise.sh"
# spec NAME RUN-A RUN-B
spec() {
	cat >spec.yaml <<EOS
version: 1
name: $1
pipeline:
  warmup: 0
  stages:
    - {name: a, run: "$2"}
    - {name: b, run: "$3"}
EOS
	investigate "$1"
	F="$D/profiling/findings.json"
	[ "$(jget "$F" data.runs.auto)" = true ] || fail "$1: repetitions are not auto by default"
	echo "$1: $(jget "$F" data.runs.counted) runs: $(jget "$F" data.runs.stopped)"
	grep -q "repetitions auto; it stopped there" "$(dirname "$F")/PROFILING_REPORT.md" ||
	    fail "$1: the report does not say why the runs stopped"
}

spec quiet "sleep 0.05" "sleep 0.15"
quiet=$(jget "$F" data.runs.counted)
jget "$F" data.runs.stopped | grep -q "^settled after $quiet runs" || fail "quiet: $(jget "$F" data.runs.stopped)"
[ "$(jget "$F" votes.1.vote)" = optimize ] || fail "quiet: the bottleneck is b: $(jget "$F" votes.1.reason)"

spec noisy "$NOISE 0.01 0.15" "$NOISE 0.01 0.15"
noisy=$(jget "$F" data.runs.counted)
[ "$noisy" = 30 ] || fail "noisy: $noisy runs, want the most auto allows (30)"
jget "$F" data.runs.stopped | grep -q "had not settled" || fail "noisy: $(jget "$F" data.runs.stopped)"
[ "$quiet" -lt "$noisy" ] || fail "auto ran the quiet pipeline $quiet times, the noisy one $noisy"

# A fixed number stays possible, and says so.
sed -i 's/  warmup: 0/  warmup: 0\n  repetitions: 4/' spec.yaml
investigate fixed
F="$D/profiling/findings.json"
[ "$(jget "$F" data.runs.counted)" = 4 ] || fail "fixed: $(jget "$F" data.runs.counted) runs"
[ "$(jget "$F" data.runs.auto)" = false ] || fail "fixed: auto"

# The batch sweep under auto: 6 visits a size, but a size far slower than
# the fastest (x10 planted) is dropped after 3 and says so; the current
# size never is.
cat >load.sh <<'EOS'
sleep "$(awk -v b="$1" 'BEGIN { printf "%.3f", 0.03 + 0.3 / b }')"
EOS
cat >spec.yaml <<EOS
version: 1
name: sweep
pipeline:
  warmup: 0
  stages:
    - {name: load, run: "sh load.sh 100"}
batch:
  stage: load
  command: "sh load.sh {batch}"
  current: 100
  sizes: [1, 100, 1000]
EOS
investigate sweep
P="$D/batch-size"
[ "$(jget "$P/findings.json" data.sizes.0.runs)" = 3 ] || fail "sweep: size 1 ran $(jget "$P/findings.json" data.sizes.0.runs) times"
jget "$P/findings.json" data.sizes.0.dropped | grep -q "dropped after 3 runs" || fail "sweep: size 1 not dropped"
[ "$(jget "$P/findings.json" data.sizes.1.runs)" = 6 ] || fail "sweep: the current size ran $(jget "$P/findings.json" data.sizes.1.runs) times"
grep -q "^- batch 1: dropped after 3 runs" "$P/BATCH_ANALYSIS.md" || fail "sweep: the report does not say what was dropped"
