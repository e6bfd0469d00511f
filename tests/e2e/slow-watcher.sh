# A watcher that stops reading is dropped; the daemon and others go on.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
start_daemon
write_spec
export FAKE_PROFILING=spam:300000
id=$(FAKE_PROFILING=hang perfd submit "$T/spec.yaml")
perfd cancel "$id" >/dev/null
wait_status "$id" cancelled
# The daemon's environment decides the agents: restart it with spam.
stop_daemon
FAKE_PROFILING=spam:300000 start_daemon
id=$(perfd submit "$T/spec.yaml")
"$B/tests/pclient" "$SOCK" stall "$id" &
stall=$!
perfd watch "$id" --json >"$T/events" || fail "a reading watcher failed"
tail -1 "$T/events" | grep -q '"status":"done"' || fail "reading watcher missed the end"
[ "$(grep -c '"event":"progress"' "$T/events")" -ge 300000 ] || fail "events lost"
echo '{"cmd":"ping"}' | pclient send | grep -q pong || fail "daemon stuck"
kill "$stall" 2>/dev/null || true
# Bounded: the daemon did not buffer 300,000 events for the staller.
rss=$(awk '/VmHWM/ {print $2}' /proc/$DPID/status)
echo "daemon peak RSS $rss kB"
[ "$rss" -lt 32768 ] || fail "daemon peak RSS ${rss} kB"
