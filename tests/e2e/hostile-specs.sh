# Specs built to stall or crash the daemon are refused quickly, with the
# reason, and the daemon goes on answering others meanwhile.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
start_daemon
# A FIFO where the spec should be: refused at once, not read.
mkfifo "$T/fifo.yaml"
out=$(echo "{\"cmd\":\"submit\",\"spec\":\"$T/fifo.yaml\"}" | timeout 10 "$B/tests/pclient" "$SOCK" send 2000)
echo "$out" | grep -q '"code":"bad_spec".*not a regular file' || fail "FIFO: $out"
# Nested 500,000 levels deep, and 1 MiB of keys: refused by the caps.
{
	printf 'version: 1\nname: t\ndescription: '
	awk 'BEGIN { for (i = 0; i < 500000; i++) printf "["; for (i = 0; i < 500000; i++) printf "]"; print "" }'
} >"$T/deep.yaml"
awk 'BEGIN { print "version: 1\nname: t"; for (i = 0; i < 60000; i++) printf "k%d: 1\n", i }' >"$T/keys.yaml"
for f in deep keys; do
	out=$(echo "{\"cmd\":\"submit\",\"spec\":\"$T/$f.yaml\"}" | timeout 20 "$B/tests/pclient" "$SOCK" send 5000)
	echo "$out" | grep -q '"code":"bad_spec"' || fail "$f: $out"
done
echo "{\"cmd\":\"submit\",\"spec\":\"$T/deep.yaml\"}" | "$B/tests/pclient" "$SOCK" send 5000 |
    grep -q 'nested more than 32 levels deep' || fail "no reason for the deep spec"
echo "{\"cmd\":\"submit\",\"spec\":\"$T/keys.yaml\"}" | "$B/tests/pclient" "$SOCK" send 5000 |
    grep -q 'more than 20000 keys and values' || fail "no reason for the 1 MiB of keys"
# A client's answers keep the order of its requests around a submit
# parsed off the loop: ping, submit, ping on one line each, in one write.
printf '{"cmd":"ping"}\n{"cmd":"submit","spec":"%s"}\n{"cmd":"ping"}\n' "$T/deep.yaml" |
    pclient send 5000 >"$T/order"
[ "$(sed -n 1p "$T/order" | grep -c pong)$(sed -n 2p "$T/order" | grep -c bad_spec)$(sed -n 3p "$T/order" | grep -c pong)" = 111 ] ||
    fail "answers out of order: $(cat "$T/order")"
# The same submits through `perfd check`, with file:line:column.
perfd check "$T/deep.yaml" 2>&1 | grep -q "deep.yaml:3:[0-9]*: nested more than 32 levels deep" ||
    fail "check: $(perfd check "$T/deep.yaml" 2>&1 | head -2)"
