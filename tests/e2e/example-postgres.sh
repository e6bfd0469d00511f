# examples/postgres end to end, as README says to run it: its own private
# server started and stopped by run.sh, every agent answering on it, the
# load's commit-per-row pattern found from the server's count, the team's
# hypothesis (parsing is the bottleneck) rejected by the master report, and
# nothing of the server or of perfd's scratch clusters left running.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
cd "$T"
cp -r "$S/examples/postgres" "$T/ex"
rm -rf "$T/ex/tmp" "$T/ex/rows.csv" "$T/ex/trades.txt"
[ "$(id -u)" != 0 ] || chmod 711 "$T"
sh "$T/ex/run.sh" "$B" >"$T/out" 2>&1 || fail "run.sh failed: $(tail -5 "$T/out")"
M=$(sed -n 's/^master report: //p' "$T/out")
[ -f "$M" ] || fail "no master report: $(tail -5 "$T/out")"
D=$(dirname "$M")
for a in profiling db-config client-library batch-size integration; do
	[ "$(jget "$D/$a/status.json" status)" = ok ] ||
	    fail "$a: $(jget "$D/$a/status.json" status): $(jget "$D/$a/status.json" reason)"
done
grep -q "4 of 4 agent reports arrived: 4 ok" "$M" || fail "report count"
[ "$(jget "$D/MASTER_INTEGRATION_REPORT.json" hypothesis.stage)" = parse ] || fail "hypothesis stage"
[ "$(jget "$D/MASTER_INTEGRATION_REPORT.json" hypothesis.confirmed)" = false ] ||
    fail "the hypothesis is not rejected: $(grep -m1 "hypothesis" "$M")"
[ "$(jget "$D/MASTER_INTEGRATION_REPORT.json" bottleneck.stage)" = ingest ] ||
    fail "bottleneck: $(jget "$D/MASTER_INTEGRATION_REPORT.json" bottleneck.stage)"
grep -q "Pattern: \*\*one commit per row\*\*" "$D/client-library/CLIENT_ANALYSIS.md" ||
    fail "pattern: $(grep -m1 Pattern "$D/client-library/CLIENT_ANALYSIS.md")"
pgrep -af "perfd-example-pg-|perfd-pg-" >left.txt 2>/dev/null || true
[ ! -s left.txt ] || fail "a server is still running: $(cat left.txt)"
for f in /tmp/perfd-example-pg-* /tmp/perfd-pg-*; do
	[ -e "$f" ] && [ "$f" -nt "$T/ex/spec.yaml" ] && fail "a server's folder is left: $f"
done
echo ok
