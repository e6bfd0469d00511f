# A failing stage and a hanging stage: reported with run, status and stderr.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
cat >"$T/spec.yaml" <<'EOS'
version: 1
name: failing
pipeline:
  warmup: 0
  repetitions: 3
  timeout: 500ms
  stages:
    - {name: ok, run: 'true'}
    - {name: bad, run: 'echo first >&2; echo "disk full" >&2; exit 3'}
EOS
perfd run "$T/spec.yaml" >/dev/null || fail "the investigation itself must finish"
P=$(ls -d "$T"/tmp/perf-optimization/*/profiling)
[ "$(jget "$P/findings.json" status)" = failed ] || fail "status $(jget "$P/findings.json" status)"
grep -q "run 1, bad" "$P/PROFILING_REPORT.md" || fail "run and stage"
grep -q "stage bad: exit 3" "$P/PROFILING_REPORT.md" || fail "exit status"
grep -q "disk full" "$P/PROFILING_REPORT.md" || fail "stderr tail"
grep -q '^1,0,bad,run,0,3,' "$P/runs.csv" || fail "runs.csv exit status: $(cat "$P/runs.csv")"
# Two failed runs in a row end the measurement: run 3 is never made.
[ "$(jget "$P/findings.json" data.failures.1.run)" = 2 ] || fail "second failure"
jget "$P/findings.json" data.failures.2 2>/dev/null && fail "a third run was made"
rm -rf "$T/tmp"
cat >"$T/spec.yaml" <<'EOS'
version: 1
name: hanging
pipeline:
  warmup: 0
  repetitions: 2
  timeout: 500ms
  stages:
    - {name: hang, run: 'sleep 30'}
EOS
start=$(date +%s)
perfd run "$T/spec.yaml" >/dev/null || fail "run"
[ $(($(date +%s) - start)) -lt 20 ] || fail "the hanging stage was not stopped"
P=$(ls -d "$T"/tmp/perf-optimization/*/profiling)
grep -q "stage hang: timeout after 0.5s" "$P/PROFILING_REPORT.md" || fail "timeout reported"
pgrep -f '^sleep 30$' >/dev/null && fail "sleep 30 survived"
[ "$(jget "$P/findings.json" status)" = failed ] || fail "status"

# A pipeline too fast to time: no bottleneck is named, and the report says
# how to make it measurable.
cat >"$T/fast.yaml" <<'EOS'
version: 1
name: fast
pipeline:
  warmup: 0
  repetitions: 20
  stages:
    - {name: a, run: 'true'}
    - {name: b, run: 'true'}
EOS
rm -rf "$T/tmp"
perfd run "$T/fast.yaml" >/dev/null || fail "fast run"
P=$(ls -d "$T"/tmp/perf-optimization/*/profiling)
jget "$P/findings.json" headline | grep -q "too fast to profile meaningfully" ||
    fail "fast: $(jget "$P/findings.json" headline)"
[ "$(jget "$P/findings.json" data.bottleneck)" = null ] || fail "a bottleneck was named"
[ "$(jget "$P/findings.json" votes.0.vote)" = abstain ] || fail "fast: a vote was cast"
grep -q "is the bottleneck" "$(dirname "$P")/MASTER_INTEGRATION_REPORT.md" &&
    fail "the master report names a bottleneck"
true
