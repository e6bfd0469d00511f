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

# A signal that ends the terminal or the process ends the run as a cancel:
# the investigation `cancelled`, no agent left running (SIGHUP included: a
# closed terminal must not leave agents unsupervised).
write_spec 5m
for sig in HUP INT TERM; do
	FAKE_PROFILING=hang "$B/perfd" run "$T/spec.yaml" >"$T/out" 2>&1 &
	rp=$!
	i=0
	until grep -q '"agent":"profiling".*"state":"started"' "$T/out"; do
		i=$((i + 1))
		[ $i -gt 200 ] && fail "SIG$sig: the run never started its agents: $(cat "$T/out")"
		sleep 0.05
	done
	kill -"$sig" "$rp"
	rc=0; wait "$rp" || rc=$?
	[ $rc -ne 0 ] || fail "SIG$sig: a cancelled run exits 0"
	id=$(perfd list | awk 'NR == 1 { print $1 }')
	perfd status "$id" | grep -q "cancelled" || fail "SIG$sig: $(perfd status "$id")"
	left=0
	for p in /proc/[0-9]*; do
		grep -qs "PERFD_INVESTIGATION=$id" "$p/environ" && left=$((left + 1))
	done
	[ $left -eq 0 ] || fail "SIG$sig: $left processes of the investigation left running"
done
