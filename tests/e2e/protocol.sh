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
	echo '{"cmd":"submit","spec":"/abs.yaml","out":"relative/out"}'
	echo '{"cmd":"ping"}'
} | pclient send >"$T/out"
for code in bad_json bad_json unknown_command missing_field unsupported_version \
    missing_field bad_field unknown_id not_active bad_field bad_field; do
	grep -q "\"code\":\"$code\"" "$T/out" || fail "no $code"
done
grep -q "'out' must be an absolute folder" "$T/out" || fail "a relative out was taken"
[ "$(wc -l <"$T/out")" -eq 13 ] || fail "want 13 responses, got $(wc -l <"$T/out")"
tail -1 "$T/out" | grep -q '"pong":true' || fail "ping after errors"
# A line over 1 MiB: one error, then the same connection still works.
{ head -c 1200000 /dev/zero | tr '\0' 'x'; echo; echo '{"cmd":"ping"}'; } | pclient send >"$T/out"
head -1 "$T/out" | grep -q '"code":"line_too_long"' || fail "oversize line"
tail -1 "$T/out" | grep -q '"pong":true' || fail "ping after oversize line"
[ "$(wc -l <"$T/out")" -eq 2 ] || fail "oversize: want 2 responses"
# Strict framing: a version that is not the integer 1, bytes after the
# object, a NUL inside the line; invalid UTF-8 is never echoed back.
{
	echo '{"cmd":"ping","v":1.5}'
	echo '{"cmd":"ping"} trailing'
	printf '{"cmd":"ping"}\000xx\n'
	printf '{"cmd":"p\377\376ng"}\n'
	echo '{"cmd":"ping","v":1}'
} | pclient send >"$T/out"
sed -n 1p "$T/out" | grep -q '"code":"unsupported_version"' || fail "v 1.5: $(sed -n 1p "$T/out")"
sed -n 2p "$T/out" | grep -q '"code":"bad_json"' || fail "trailing bytes: $(sed -n 2p "$T/out")"
sed -n 3p "$T/out" | grep -q '"code":"bad_json".*NUL byte' || fail "NUL: $(sed -n 3p "$T/out")"
sed -n 4p "$T/out" | grep -q 'unknown command .p\\\\xFF\\\\xFEng' || fail "invalid UTF-8: $(sed -n 4p "$T/out")"
iconv -f UTF-8 -t UTF-8 "$T/out" >/dev/null || fail "the daemon sent invalid UTF-8"
sed -n 5p "$T/out" | grep -q '"pong":true' || fail "ping after the strict cases"
