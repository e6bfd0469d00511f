# max_parallel 1: the second investigation waits; cancel works on both.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
export FAKE_PROFILING=hang
start_daemon --max-parallel 1
write_spec 5m
a=$(perfd submit "$T/spec.yaml")
b=$(perfd submit "$T/spec.yaml")
perfd status "$b" | grep -q "queued.*(queue position 1)" || fail "queue position: $(perfd status "$b")"
perfd status | grep -q "$a" || fail "status lists running"
perfd cancel "$a" | grep -q "cancelling $a" || fail "cancel a"
wait_status "$a" cancelled
wait_status "$b" running
perfd cancel "$b" >/dev/null
rc=0; perfd watch "$b" --json >"$T/ev" || rc=$?
[ $rc -eq 1 ] || fail "watch of a cancelled investigation exits $rc, want 1"
perfd status "$b" --json | grep -q '"agent":[[:space:]]*"profiling"' || fail "agents in status"
perfd status "$b" | grep -q "profiling *killed *cancelled" || fail "agent status: $(perfd status "$b")"
rc=0; perfd cancel "$b" 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "cancel of an ended investigation exits $rc"
