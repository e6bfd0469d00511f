# Bad input gets an error response and the connection stays usable.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
start_daemon
{
	echo 'not json'
	echo '[1,2]'
	echo '{"cmd":"frob"}'
	echo '{"nocmd":1}'
	echo '{"v":2,"cmd":"ping"}'
	echo '{"cmd":"watch"}'
	echo '{"cmd":"watch","id":7}'
	echo '{"cmd":"status","id":"nope"}'
	echo '{"cmd":"cancel","id":"nope"}'
	echo '{"cmd":"submit","spec":"relative.yaml"}'
	echo '{"cmd":"list","limit":-1}'
	echo '{"cmd":"ping"}'
} | pclient send >"$T/out"
for code in bad_json bad_json unknown_command missing_field unsupported_version \
    missing_field bad_field unknown_id not_active bad_field bad_field; do
	grep -q "\"code\":\"$code\"" "$T/out" || fail "no $code"
done
[ "$(wc -l <"$T/out")" -eq 12 ] || fail "want 12 responses, got $(wc -l <"$T/out")"
tail -1 "$T/out" | grep -q '"pong":true' || fail "ping after errors"
# A line over 1 MiB: one error, then the same connection still works.
{ head -c 1200000 /dev/zero | tr '\0' 'x'; echo; echo '{"cmd":"ping"}'; } | pclient send >"$T/out"
head -1 "$T/out" | grep -q '"code":"line_too_long"' || fail "oversize line"
tail -1 "$T/out" | grep -q '"pong":true' || fail "ping after oversize line"
[ "$(wc -l <"$T/out")" -eq 2 ] || fail "oversize: want 2 responses"
