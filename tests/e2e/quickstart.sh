# The quickstart end to end with the real agents: the master report names
# the bottleneck the example was built to have, and rejects the hypothesis.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
cp -r "$S/examples/quickstart" "$T/qs"
rm -rf "$T/qs/tmp" "$T/qs/data" "$T/qs/cdn" "$T/qs/.bin"
# A port of its own, so a quickstart the user runs meanwhile is not disturbed.
port=$((30000 + $$ % 20000))
sed -i "s/18931/$port/" "$T/qs/spec.yaml" "$T/qs/cdn.sh"
perfd run "$T/qs/spec.yaml" >"$T/out" || fail "quickstart failed: $(tail -5 "$T/out")"
M=$(sed -n 's/^master report: //p' "$T/out" | sed 's/\.md$/.json/')
[ "$(jget "$M" bottleneck.stage)" = download ] || fail "bottleneck $(jget "$M" bottleneck.stage)"
[ "$(jget "$M" hypothesis.stage)" = ingest ] || fail "hypothesis stage"
[ "$(jget "$M" hypothesis.confirmed)" = false ] || fail "hypothesis confirmed"
awk -v s="$(jget "$M" bottleneck.share)" 'BEGIN { exit !(s > 0.6) }' || fail "share $(jget "$M" bottleneck.share)"
[ "$(jget "$M" recommendations.0.stage)" = download ] || fail "top recommendation"
[ "$(jget "$M" recommendations.0.evidence_kind)" = pipeline ] || fail "top recommendation's evidence"
# From a tree where the database does not exist yet: every agent answers.
D=$(dirname "$M")
for a in profiling db-config client-library batch-size integration; do
	[ "$(jget "$D/$a/status.json" status)" = ok ] ||
	    fail "$a: $(jget "$D/$a/status.json" status): $(jget "$D/$a/status.json" reason)"
done
grep -q "4 of 4 agent reports arrived: 4 ok" "${M%.json}.md" || fail "report count"
grep -q "is \*\*rejected\*\*" "${M%.json}.md" || fail "report does not reject the hypothesis"
"$T/qs/cdn.sh" stop
