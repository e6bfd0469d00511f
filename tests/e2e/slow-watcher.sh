# A watcher that stops reading is dropped; the daemon and others go on,
# and the daemon's memory stays bounded.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
write_spec
# The daemon's environment decides the agents: profiling floods events.
FAKE_PROFILING=spam:300000 start_daemon
id=$(perfd submit "$T/spec.yaml")
"$B/tests/pclient" "$SOCK" stall "$id" 12 &
stall=$!
perfd watch "$id" --json >"$T/events" || fail "a reading watcher failed"
tail -1 "$T/events" | grep -q '"status":"done"' || fail "reading watcher missed the end"
[ "$(grep -c '"event":"progress"' "$T/events")" -ge 300000 ] || fail "events lost"
echo '{"cmd":"ping"}' | pclient send | grep -q pong || fail "daemon stuck"
# The staller is dropped after 10 s without progress, not before.
wait "$stall" || fail "the stalled watcher was not disconnected"
grep -q "dropped a watcher of $id: nothing read for 10000 ms" "$T/daemon.log" || fail "no drop logged"
# Bounded: the daemon did not buffer 300,000 events for the staller.
rss=$(awk '/VmHWM/ {print $2}' /proc/$DPID/status)
echo "daemon peak RSS $rss kB"
[ -n "$PERFD_TEST_ASAN" ] || [ "$rss" -lt 32768 ] || fail "daemon peak RSS ${rss} kB"
