# A client that sends requests and never reads the answers: the daemon
# stops reading it once its answers pass the high water mark, drops it when
# it takes nothing for 10 s, and its memory stays bounded meanwhile; other
# clients are served all along.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
write_spec
start_daemon
# A history, so that every "list" answer is a few kB.
for i in $(seq 20); do perfd submit "$T/spec.yaml" >/dev/null; done
until [ "$(perfd list | grep -c done)" -eq 20 ]; do sleep 0.1; done
[ "$(perfd list | wc -c)" -gt 2000 ] || fail "list answers too small to flood with"
"$B/tests/pclient" "$SOCK" flood 25 &
flood=$!
sleep 3
echo '{"cmd":"ping"}' | pclient send | grep -q pong || fail "the daemon stopped answering others"
rc=0; wait "$flood" || rc=$?
[ $rc -eq 0 ] || fail "the flooding client was never dropped"
grep -q "dropped a client: nothing read for 10000 ms" "$T/daemon.log" || fail "no drop logged: $(cat "$T/daemon.log")"
echo '{"cmd":"ping"}' | pclient send | grep -q pong || fail "daemon stuck after the drop"
rss=$(awk '/VmHWM/ {print $2}' /proc/$DPID/status)
echo "daemon peak RSS $rss kB"
[ -n "${PERFD_TEST_ASAN:-}" ] || [ "$rss" -lt 32768 ] || fail "daemon peak RSS ${rss} kB"
