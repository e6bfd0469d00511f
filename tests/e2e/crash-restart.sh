# kill -9 of the daemon mid-investigation: the next one cleans up.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
write_spec 5m
export FAKE_PROFILING=child FAKE_DB_CONFIG=hang FAKE_INTEGRATION=hang
start_daemon
id=$(perfd submit "$T/spec.yaml")
wait_status "$id" running
sleep 0.3
kill -9 "$DPID"; wait "$DPID" 2>/dev/null || true; DPID=
# Its agents outlive it for now.
left=$(grep -ls "PERFD_INVESTIGATION=$id" /proc/[0-9]*/environ 2>/dev/null | wc -l)
[ "$left" -ge 3 ] || fail "expected leftover agents, found $left"
start_daemon
grep -q "investigation $id was interrupted; stopped" "$T/daemon.log" || fail "no recovery log"
perfd status "$id" | grep -q interrupted || fail "status not interrupted: $(perfd status "$id")"
sleep 0.2
for p in $(grep -ls "PERFD_INVESTIGATION=$id" /proc/[0-9]*/environ 2>/dev/null); do
	pid=$(echo "$p" | cut -d/ -f3)
	state=$(awk '{print $3}' /proc/$pid/stat 2>/dev/null || echo gone)
	[ "$state" = Z ] || [ "$state" = gone ] || fail "process $pid still running"
done
perfd watch "$id" --json | tail -1 | grep -q '"status":"interrupted"' || fail "watch of interrupted"
stop_daemon
[ "$(sqlite3 "$XDG_STATE_HOME/perfd/perfd.db" 'PRAGMA integrity_check')" = ok ] || fail "integrity"
