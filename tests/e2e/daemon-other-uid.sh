# Another user who reaches the socket (its modes opened on purpose) is
# refused: the daemon checks the peer's uid, not only the file modes.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null ||
    skip "switching to another user needs root and setpriv (util-linux)"
start_daemon
chmod 711 "$T" "$XDG_RUNTIME_DIR" "$XDG_RUNTIME_DIR/perfd"
chmod 666 "$SOCK"
out=$(echo '{"cmd":"ping"}' | setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$B/tests/pclient" "$SOCK" send 2>&1 || true)
echo "$out" | grep -q pong && fail "another uid got an answer: $out"
grep -q "refused a connection from another user" "$T/daemon.log" || fail "no refusal logged"
# And the same socket still serves its owner.
echo '{"cmd":"ping"}' | pclient send | grep -q pong || fail "the owner is refused too"
