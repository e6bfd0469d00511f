# examples/scaling end to end, as README says to run it: every cell of its
# matrix profiled, and the report shows the bottleneck moving from run to
# merge as the task count grows (merge re-sorts its list with every task's
# result, so it grows about as tasks^2; run grows as tasks), with the
# concurrency table over jobs at once.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
cp -r "$S/examples/scaling" "$T/ex"
rm -rf "$T/ex/tmp" "$T/ex/in" "$T/ex/out" "$T/ex/merged" "$T/ex/merged.csv" "$T/ex/results.db"
perfd run "$T/ex/spec.yaml" >"$T/out" 2>&1 || fail "the example failed: $(tail -5 "$T/out")"
M=$(sed -n 's/^master report: //p' "$T/out")
D=$(dirname "$M")
P="$D/profiling"
[ "$(jget "$P/status.json" status)" = ok ] || fail "profiling: $(jget "$P/status.json" reason)"
grep -q "The bottleneck moves\*\*: at tasks=[0-9]*, merge overtakes run" "$P/MATRIX.md" ||
    fail "no move from run to merge: $(grep -A3 '^### With tasks' "$P/MATRIX.md"; grep -i 'bottleneck' "$P/MATRIX.md")"
grep -q "^## Concurrency (jobs)" "$P/MATRIX.md" || fail "no concurrency table"
grep -q "^| merge | ∝ tasks^" "$P/MATRIX.md" || fail "merge not fitted"
grep -q "^## At larger scale" "$M" || fail "no 'At larger scale' in the master report"
for a in profiling integration; do
	[ "$(jget "$D/$a/status.json" status)" = ok ] || fail "$a: $(jget "$D/$a/status.json" reason)"
done
echo ok
