# perfd run: the supervisor in-process; exit codes follow the outcome.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
write_spec
perfd run "$T/spec.yaml" >"$T/out" || fail "run failed: $(cat "$T/out")"
grep -q '^master report: .*/MASTER_INTEGRATION_REPORT.md$' "$T/out" || fail "no report line"
# Not a terminal: the progress comes as JSON lines, one per event.
grep -q '"event":"agent".*"state":"started"' "$T/out" || fail "no JSON events"
report=$(sed -n 's/^master report: //p' "$T/out")
[ -f "$report" ] || fail "report missing"
dir=$(dirname "$report")
for a in profiling db-config client-library batch-size integration; do
	[ -f "$dir/$a/status.json" ] || fail "$a has no status.json"
	[ -f "$dir/$a/agent.log" ] || fail "$a has no agent.log"
done
[ -f "$dir/spec.json" ] || fail "no spec.json"
[ -f "$dir/MASTER_INTEGRATION_REPORT.json" ] || fail "no master JSON"
# The run is in the state database: status works without a daemon.
id=$(basename "$dir")
perfd status "$id" | grep -q "done" || fail "status of a run"
perfd report "$id" | grep -q "$report" || fail "report path"
# Integration failing means no master report: exit 1.
rc=0; FAKE_INTEGRATION=crash perfd run "$T/spec.yaml" >"$T/out" 2>"$T/err" || rc=$?
[ $rc -eq 1 ] || fail "run without a master report exits $rc, want 1"
grep -q "without a master report" "$T/err" || fail "says why"
