# Stages that leave work running — `cmd &`, a subshell's `(cmd &)`, a
# setsid'ed "server" — leave nothing behind: not after a run, a stage
# timeout, a cancel, nor when an agent is killed.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
# left MARK: how many processes carry the marker in their command line
# (its arguments joined by spaces: /proc keeps them NUL-separated)
left() {
	n=0
	for p in /proc/[0-9]*; do
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q -- "$1" && n=$((n + 1))
	done
	echo $n
}
# spec STAGE-COMMAND [TIMEOUT]
spec() {
	cat >"$T/spec.yaml" <<EOS
version: 1
name: leftovers
pipeline:
  warmup: 0
  repetitions: 2
  timeout: ${2:-60s}
  stages:
    - {name: quick, run: 'true'}
    - {name: leaver, run: "$1"}
EOS
}
# started: wait until the profiling agent runs the stage
started() {
	i=0
	until [ "$(left "$1")" -gt 0 ]; do
		i=$((i + 1))
		[ $i -gt 400 ] && fail "the stage never started"
		sleep 0.05
	done
}

# A normal run.
spec "sleep 4321 & (sleep 4322 &); setsid sleep 4323 & true"
perfd run "$T/spec.yaml" >"$T/out" || fail "run"
[ "$(left 'sleep 432')" -eq 0 ] || fail "$(left 'sleep 432') processes left after a run"
grep -q '"agent":"profiling".*stopped [1-9][0-9]* processes the pipeline left running' "$T/out" ||
    fail "the agent did not say what it stopped"

# A stage timeout.
rm -rf "$T/tmp"
spec "sleep 4331 & setsid sleep 4332 & sleep 30" 1s
perfd run "$T/spec.yaml" >/dev/null 2>&1 || true
[ "$(left 'sleep 433')" -eq 0 ] || fail "$(left 'sleep 433') processes left after a timeout"

# A cancel (SIGINT to perfd run).
rm -rf "$T/tmp"
spec "sleep 4341 & setsid sleep 4342 & sleep 30"
"$B/perfd" run "$T/spec.yaml" >/dev/null 2>&1 &
rp=$!
started "sleep 4342"
kill -INT "$rp"
wait "$rp" || true
[ "$(left 'sleep 434')" -eq 0 ] || fail "$(left 'sleep 434') processes left after a cancel"

# The agent itself killed: the supervisor stops what carries the
# investigation's name, and — as the subreaper its orphans come to — what
# cleared its environment so that its name cannot be seen.
rm -rf "$T/tmp"
spec "sleep 4351 & setsid sleep 4352 & env -i sleep 4353 & (setsid env -i sleep 4354 &); sleep 30"
"$B/perfd" run "$T/spec.yaml" >"$T/out" 2>&1 &
rp=$!
started "sleep 4352"
pkill -9 -f "perfd-agent profiling" || fail "no profiling agent to kill"
wait "$rp" || true
[ "$(left 'sleep 435')" -eq 0 ] || fail "$(left 'sleep 435') processes left after the agent was killed"
grep -q '"leftovers_stopped":[1-9]' "$T/out" || fail "the supervisor did not say what it stopped"
