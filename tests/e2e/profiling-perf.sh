# A CPU-bound bottleneck is sampled: a flame graph and a self-time table,
# or, where perf cannot run, one line saying why.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
cat >"$T/spec.yaml" <<'EOS'
version: 1
name: cpu
pipeline:
  warmup: 0
  repetitions: 3
  stages:
    - {name: nap, run: 'sleep 0.02'}
    - {name: burn, run: "awk 'BEGIN { for (i = 0; i < 3000000; i++) s += sqrt(i); print s }'"}
EOS
perfd run "$T/spec.yaml" >/dev/null || fail "run"
P=$(ls -d "$T"/tmp/perf-optimization/*/profiling)
[ "$(jget "$P/findings.json" data.bottleneck.class)" = cpu-bound ] || fail "not cpu-bound"
if command -v perf >/dev/null && perf record -q -o "$T/probe.data" -- true 2>/dev/null; then
	grep -q '<svg' "$P/flamegraph.svg" || fail "no flame graph"
	grep -q '<title>.* samples, .*%)</title>' "$P/flamegraph.svg" || fail "no tooltips"
	grep -q '| function | self samples | share |' "$P/PROFILING_REPORT.md" || fail "no self-time table"
	grep -q ' [0-9]*$' "$P/stacks.folded" || fail "stacks not folded"
	# Leaves without symbols (a stripped awk): said, with how to get them.
	unnamed=$(awk '{ n = $NF; t += n; k = split($0, f, ";"); if (f[k] ~ /^\[/) u += n }
	    END { print (u >= 0.2 * t) }' "$P/stacks.folded")
	if [ "$unnamed" = 1 ]; then
		grep -q 'frames without a symbol.*-dbgsym' "$P/PROFILING_REPORT.md" ||
		    fail "unnamed frames not explained"
	else
		grep -q 'frames without a symbol' "$P/PROFILING_REPORT.md" && fail "a note on few unnamed frames"
	fi
else
	grep -q 'perf is not installed\|No flame graph: perf record failed' \
	    "$P/PROFILING_REPORT.md" || fail "no note about perf"
fi
# The estimate for a CPU-bound bottleneck is bounded by the cores, and marked so.
[ "$(jget "$P/findings.json" recommendations.0.measured)" = false ] || fail "estimate marked measured"
[ "$(jget "$P/findings.json" recommendations.0.local_speedup)" = "$(nproc)" ] || fail "not bounded by cores"
