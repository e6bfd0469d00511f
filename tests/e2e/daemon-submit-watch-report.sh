# submit / watch / status / list / report against a daemon on a private socket.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
start_daemon
write_spec
id=$(perfd submit "$T/spec.yaml") || fail "submit"
echo "$id" | grep -Eq '^[0-9]{8}-[0-9]{6}\.[0-9]{3}-[0-9a-f]{6}-[0-9a-f]{8}$' || fail "ID format: $id"
perfd watch "$id" --json >"$T/events" || fail "watch exit"
tail -1 "$T/events" | grep -q '"state":"finished","status":"done"' || fail "last event"
# Sequence numbers run 1..N without a gap.
n=$(wc -l <"$T/events")
seqs=$(sed -n 's/.*"seq":\([0-9]*\).*/\1/p' "$T/events" | tr '\n' ' ')
[ "$seqs" = "$(seq 1 "$n" | tr '\n' ' ')" ] || fail "sequence: $seqs"
# Watching again replays the same events.
perfd watch "$id" --json >"$T/events2"
head -n "$n" "$T/events2" | cmp -s - "$T/events" || fail "replay differs"
path=$(perfd report "$id")
[ -f "$path" ] || fail "report path $path"
perfd report "$id" --cat | grep -q '^# Master integration report: e2e' || fail "report --cat"
perfd status "$id" | grep -q 'done' || fail "status"
perfd list | grep -q "^$id" || fail "list"
perfd status | grep -q 'no investigation running' || fail "status without ID"
# submit --wait follows to the end and exits 0.
perfd submit "$T/spec.yaml" --wait --json >"$T/wait" || fail "submit --wait"
grep -q '"status":"done"' "$T/wait" || fail "wait saw no end"
# A spec error comes back from the daemon with its position; exit 2.
cp "$S/tests/specs/bad/21-batch-no-placeholder.yaml" "$T/bad.yaml"
rc=0; perfd submit "$T/bad.yaml" 2>"$T/err" || rc=$?
[ $rc -eq 2 ] || fail "bad spec exit $rc"
grep -q 'bad.yaml:11:12: batch.command' "$T/err" || fail "bad spec message"
# A baseline the daemon does not know: exit 2; a known one is accepted.
rc=0; perfd submit "$T/spec.yaml" --baseline nope 2>"$T/err" || rc=$?
[ $rc -eq 2 ] || fail "unknown baseline exit $rc"
grep -q "no investigation nope to use as the baseline" "$T/err" || fail "baseline message"
perfd submit "$T/spec.yaml" --baseline "$id" --wait --json >/dev/null || fail "submit --baseline"
echo '{"cmd":"shutdown"}' | pclient send | grep -q '"ok":true' || fail "shutdown"
wait "$DPID" || fail "daemon exit status"
DPID=
[ ! -e "$SOCK" ] || fail "socket left behind"
