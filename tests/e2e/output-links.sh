# perfd writes only into real folders below the output folder: a link
# planted as tmp/perf-optimization is refused with a clear error, nothing
# is written at its target, and IDs cannot be guessed in advance.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
write_spec
mkdir -p "$T/elsewhere" "$T/tmp"
ln -s "$T/elsewhere" "$T/tmp/perf-optimization"
rc=0; perfd run "$T/spec.yaml" >"$T/out" 2>&1 || rc=$?
[ $rc -ne 0 ] || fail "a run into a planted link succeeded"
grep -q "tmp/perf-optimization is a link or not a folder" "$T/out" || fail "no clear error: $(cat "$T/out")"
[ -z "$(ls -A "$T/elsewhere")" ] || fail "perfd wrote at the link's target: $(ls "$T/elsewhere")"
# Through the daemon, the same.
start_daemon
out=$(echo "{\"cmd\":\"submit\",\"spec\":\"$T/spec.yaml\"}" | pclient send 2000)
echo "$out" | grep -q '"code":"submit_failed".*is a link or not a folder' || fail "daemon: $out"
[ -z "$(ls -A "$T/elsewhere")" ] || fail "the daemon wrote at the link's target"
stop_daemon
# A real folder: two runs, IDs with a random part that differs.
rm "$T/tmp/perf-optimization"
perfd run "$T/spec.yaml" >/dev/null && perfd run "$T/spec.yaml" >/dev/null || fail "runs"
ls "$T/tmp/perf-optimization" | grep -Eqx '[0-9]{8}-[0-9]{6}\.[0-9]{3}-[0-9a-f]{6}-[0-9a-f]{8}' ||
    fail "ID format: $(ls "$T/tmp/perf-optimization")"
[ "$(ls "$T/tmp/perf-optimization" | sed 's/.*-//' | sort -u | wc -l)" -eq 2 ] || fail "random parts repeat"
