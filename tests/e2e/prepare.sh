# A stage's prepare: an agent that times the stage again runs its prepare
# instead of setup and the stages before it, and still the teardown after
# its last run; the figures and the verdict are the same as without. The
# stage refuses to run where its prepare did not run (out.txt left over)
# and where the prefix's output is gone (in.txt removed by the teardown),
# so a missed prepare or an early teardown fails the investigation.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
cd "$T"
cat >load.sh <<'EOS'
# load.sh BATCH: 0.3 s of work cut into batches with a fixed cost each (x10 planted from 1 to 100).
[ -e in.txt ] || { echo "in.txt is gone: the prefix did not run" >&2; exit 1; }
[ -e out.txt ] && { echo "out.txt is left over: the prepare did not run" >&2; exit 1; }
sleep "$(awk -v b="$1" 'BEGIN { printf "%.3f", 0.03 + 0.27 / b }')"
touch out.txt
EOS
# spec NAME [PREPARE-KEY]
spec() {
	cat >spec.yaml <<EOS
version: 1
name: $1
pipeline:
  warmup: 0
  repetitions: 3
  setup: "echo s >>count.setup; rm -f out.txt"
  teardown: "rm -f in.txt out.txt"
  stages:
    - {name: make, run: "echo m >>count.make; seq 1000 >in.txt"}
    - {name: load, run: "sh load.sh 1"${2:-}}
batch:
  stage: load
  command: "sh load.sh {batch}"
  current: 1
  sizes: [1, 10, 100]
EOS
	rm -f count.setup count.make
	investigate "$1"
	P="$D/batch-size"
	[ "$(jget "$P/findings.json" status)" = ok ] || fail "$1: batch-size: $(jget "$P/findings.json" headline)"
	[ -e in.txt ] && fail "$1: the teardown did not run after the last measurement"
	echo "$1: setup ran $(wc -l <count.setup) times, make $(wc -l <count.make)"
}

spec plain
plain_make=$(wc -l <count.make)
plain_rec=$(jget "$P/findings.json" data.recommended)
grep -q "the stage's \`prepare\`" "$P/BATCH_ANALYSIS.md" && fail "plain: a prepare reported where none is declared"

spec prepared ', prepare: "echo p >>count.prepare; rm -f out.txt"'
prep_make=$(wc -l <count.make)
[ "$(jget "$P/findings.json" data.recommended)" = "$plain_rec" ] ||
    fail "the verdict changed with a prepare: $(jget "$P/findings.json" data.recommended), not $plain_rec"
grep -q "and the stage's \`prepare\` instead [0-9]* times" "$P/BATCH_ANALYSIS.md" ||
    fail "the report does not say what ran: $(tail -2 "$P/BATCH_ANALYSIS.md")"
# The sweep is 3 sizes x 3 repetitions: a prefix per repetition, not per visit.
b=$(sed -n 's/.*this agent ran setup and the stages before it \([0-9]*\) time.*/\1/p' "$P/BATCH_ANALYSIS.md")
[ "$b" -le 4 ] || fail "batch-size ran the prefix $b times with a prepare"
[ "$prep_make" -lt "$plain_make" ] || fail "make ran $prep_make times with a prepare, $plain_make without"
# The prepare lines land in the agents' own folders, not a stage's.
ls "$T"/tmp/perf-optimization/*/batch-size/load.prepare.stdout >/dev/null || fail "no prepare log"
