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
[ "$(jget "$M" recommendations.0.measured)" = true ] || fail "top recommendation measured"
grep -q "is \*\*rejected\*\*" "${M%.json}.md" || fail "report does not reject the hypothesis"
"$T/qs/cdn.sh" stop
