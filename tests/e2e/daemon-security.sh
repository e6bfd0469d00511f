# Socket folder 0700, socket 0600, peer uid checked, one daemon per socket.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
start_daemon
[ "$(stat -c %a "$XDG_RUNTIME_DIR/perfd")" = 700 ] || fail "folder mode"
[ "$(stat -c %a "$SOCK")" = 600 ] || fail "socket mode"
rc=0; "$B/perfd" daemon 2>"$T/err2" || rc=$?
[ $rc -ne 0 ] || fail "a second daemon started"
grep -q "another perfd daemon is running on $SOCK" "$T/err2" || fail "second daemon message"
echo '{"cmd":"ping"}' | pclient send | grep -q '"pong":true' || fail "ping"
# Another user reaching the socket (modes opened on purpose) is refused.
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	chmod 711 "$T" "$XDG_RUNTIME_DIR" "$XDG_RUNTIME_DIR/perfd"
	chmod 666 "$SOCK"
	out=$(echo '{"cmd":"ping"}' | setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$B/tests/pclient" "$SOCK" send 2>&1 || true)
	echo "$out" | grep -q pong && fail "another uid got an answer"
	grep -q "refused a connection from another user" "$T/daemon.log" || fail "no refusal logged"
	chmod 700 "$XDG_RUNTIME_DIR/perfd" "$XDG_RUNTIME_DIR" "$T"
	chmod 600 "$SOCK"
fi
# A dead daemon's socket is replaced by the next one.
kill -9 "$DPID"; wait "$DPID" 2>/dev/null || true; DPID=
[ -S "$SOCK" ] || fail "kill -9 should leave the socket file"
start_daemon
echo '{"cmd":"ping"}' | pclient send | grep -q '"pong":true' || fail "ping after stale socket"
stop_daemon
# A runtime folder open to others is refused.
mkdir -p "$T/open"; chmod 755 "$T/open"
rc=0; "$B/perfd" daemon --socket "$T/open/perfd.sock" 2>"$T/err3" || rc=$?
[ $rc -ne 0 ] || fail "daemon accepted an open folder"
grep -q "open to other users (mode 755, want 700)" "$T/err3" || fail "open folder message: $(cat "$T/err3")"
