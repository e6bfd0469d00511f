# Socket folder 0700, socket 0600, peer uid checked, one daemon per socket.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
start_daemon
[ "$(stat -c %a "$XDG_RUNTIME_DIR/perfd")" = 700 ] || fail "folder mode"
[ "$(stat -c %a "$SOCK")" = 600 ] || fail "socket mode"
rc=0; "$B/perfd" daemon 2>"$T/err2" || rc=$?
[ $rc -ne 0 ] || fail "a second daemon started"
grep -q "another perfd daemon is running on $SOCK" "$T/err2" || fail "second daemon message"
echo '{"cmd":"ping"}' | pclient send | grep -q '"pong":true' || fail "ping"
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
grep -q "open to other users (mode 755, want no 077 bits" "$T/err3" || fail "open folder message: $(cat "$T/err3")"
# A state folder others can write is refused (the history compare trusts).
mkdir -p "$T/openstate"; chmod 777 "$T/openstate"
write_spec
rc=0; "$B/perfd" run "$T/spec.yaml" --state "$T/openstate" >/dev/null 2>"$T/err4" || rc=$?
[ $rc -ne 0 ] || fail "run accepted a state folder others can write"
grep -q "openstate is open to other users (mode 777, want no 022 bits" "$T/err4" ||
    fail "open state message: $(cat "$T/err4")"
chmod 755 "$T/openstate"
"$B/perfd" run "$T/spec.yaml" --state "$T/openstate" >/dev/null 2>"$T/err4" ||
    fail "a state folder others can only read is fine: $(cat "$T/err4")"
