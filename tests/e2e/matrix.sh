# The scaling matrix with known answers: three stages whose time grows as
# tasks^1 (lin), tasks^2 (quad) and not at all (const), run at tasks 4, 8,
# 16 and 32. The fits must find each exponent within +-0.15, and the
# bottleneck must move from lin to quad at 32 (quad 1024 ms against lin
# 768 ms there; lin leads below: 384 against 256 at 16). Then two investigations compared cell by
# cell: quad made twice as slow fails there (rounds on auto this time).
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
cd "$T"
cat >stage.sh <<'EOS'
#!/bin/sh
# stage.sh KIND N: sleep as KIND grows with N (ms: lin 24 N, quad N^2 * SLOW,
# const 30), with shell builtins only: a process's start would add a
# constant that bends a power law at small N.
read -r slow <slow 2>/dev/null || slow=1
case $1 in
lin) ms=$(( 24 * $2 )) ;;
quad) ms=$(( $2 * $2 * slow )) ;;
const) ms=30 ;;
esac
exec sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
EOS
chmod +x stage.sh
cat >spec.yaml <<'EOS'
version: 1
name: scaling-known
pipeline:
  warmup: 0
  repetitions: 5
  stages:
    - {name: lin, run: "./stage.sh lin {tasks}"}
    - {name: quad, run: "./stage.sh quad {tasks}"}
    - {name: const, run: "./stage.sh const {tasks}"}
matrix:
  parameters:
    tasks: {from: 4, to: 32, factor: 2}
  repetitions: 4
  seed: 11
EOS
investigate matrix
P="$D/profiling"
[ "$(jget "$P/status.json" status)" = ok ] || fail "profiling: $(jget "$P/status.json" reason)"
for f in MATRIX.md matrix.csv matrix-tasks.svg; do
	[ -s "$P/$f" ] || fail "no profiling/$f"
done
[ "$(grep -c ',lin,' "$P/matrix.csv")" = 16 ] || fail "matrix.csv: $(grep -c ',lin,' "$P/matrix.csv") lin rows, not 4 cells x 4 runs"
grep -q "seed 11" "$P/MATRIX.md" || fail "the seed is not reported"
# The fitted exponents, from the findings.
python3 - "$P/findings.json" <<'PY' || fail "exponents (above)"
import json, sys
g = {e["stage"]: e for e in json.load(open(sys.argv[1]))["data"]["matrix"]["growth"]}
want = {"lin": 1.0, "quad": 2.0, "const": 0.0}
bad = 0
for s, b in want.items():
    print(f"{s}: b = {g[s]['b']:.3f} (CI {g[s]['b_lo']:.3f}-{g[s]['b_hi']:.3f}), {g[s]['class']}; want {b}")
    bad += abs(g[s]["b"] - b) > 0.15
sys.exit(bad)
PY
grep -q "| quad | ∝ tasks^[0-9.]* (95% CI [0-9.]*–[0-9.]*) | quadratic |" "$P/MATRIX.md" || fail "quad's row: $(grep '^| quad' "$P/MATRIX.md")"
grep -q "The bottleneck moves\*\*: at tasks=32, quad overtakes lin" "$P/MATRIX.md" ||
    fail "crossover: $(grep -i "bottleneck" "$P/MATRIX.md" | head -3)"
grep -q "an estimate" "$P/MATRIX.md" || fail "the next step is not labelled an estimate"
M="$D/MASTER_INTEGRATION_REPORT.md"
grep -q "^## At larger scale" "$M" || fail "no 'At larger scale' in the master report"
grep -q "quad grows as tasks^" "$M" || fail "master: $(sed -n '/At larger scale/,/^## [^A]/p' "$M")"
# (investigate removes the last investigation's folder)
cp -r "$D" "$T/first"
first=$T/first

# Cell by cell: the same matrix again, quad twice as slow, its rounds
# left to auto (these stages' shares settle in the fewest rounds auto
# makes).
echo 2 >slow
sed -i '/^  repetitions: 4$/d' spec.yaml
investigate slower
grep -q "Rounds: settled after [0-9]* rounds" "$D/profiling/MATRIX.md" ||
    fail "auto rounds: $(grep -m1 'Rounds:' "$D/profiling/MATRIX.md")"
perfd compare "$first" "$D" >cmp.txt 2>&1 && fail "compare passed a x2 slower quad"
grep -q "^cell by cell:" cmp.txt || fail "no cell-by-cell rows: $(cat cmp.txt)"
grep -q "tasks=32 *quad .*FAIL" cmp.txt || fail "tasks=32 quad not failed: $(cat cmp.txt)"
grep -q "tasks=32 *lin .*PASS" cmp.txt || fail "tasks=32 lin: $(grep 'tasks=32 *lin' cmp.txt)"
echo ok
