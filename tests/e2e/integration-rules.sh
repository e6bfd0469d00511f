# The integration agent on hand-written findings: every rule with a known answer.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"

# mkinv NAME TIMEOUT STAGES...: an investigation folder with a spec whose
# stages are "NAME=COMMAND".
mkinv() {
	I="$T/$1/tmp/perf-optimization/inv-$1"
	mkdir -p "$I/profiling" "$I/db-config" "$I/client-library" "$I/batch-size" "$I/integration"
	to=$2
	shift 2
	{
		echo "version: 1"; echo "name: $(basename "$I" | tr A-Z a-z)"
		echo "hypothesis: ${HYP:-a}"; echo "workdir: $T"
		echo "pipeline:"; echo "  warmup: 0"; echo "  repetitions: 3"; echo "  stages:"
		for s in "$@"; do
			echo "    - {name: ${s%%=*}, run: '${s#*=}'}"
		done
		echo "agents:"; echo "  timeout: $to"
	} >"$I/spec.json"
}

# finding AGENT STATUS VOTES RECS [DATA]: VOTES "stage:vote ...", RECS JSON list.
finding() {
	votes=
	for v in $3; do
		votes="$votes${votes:+,}{\"stage\":\"${v%%:*}\",\"vote\":\"${v#*:}\",\"reason\":\"fixture\"}"
	done
	cat >"$I/$1/findings.json" <<EOJ
{"schema":"perfd.findings/1","agent":"$1","status":"$2","headline":"$1 fixture",
 "report":null,"votes":[$votes],"recommendations":[${4:-}],"warnings":[],"data":${5:-null}}
EOJ
}

rec() { # rec ID STAGE K KIND (pipeline, probe, estimate; true/false: pipeline/estimate) [BOUND]
	case $4 in true) k=pipeline ;; false) k=estimate ;; *) k=$4 ;; esac
	echo "{\"id\":\"$1\",\"title\":\"$1\",\"stage\":\"$2\",\"local_speedup\":$3,\"evidence_kind\":\"$k\",${5:+\"bound\":\"$5\",}\"effort\":\"low\"}"
}

# profile SHARES: "stage=share ..."
profile() {
	st=
	for x in $1; do
		st="$st${st:+,}{\"name\":\"${x%%=*}\",\"share\":${x#*=},\"share_ci\":[${x#*=},${x#*=}],\"median_ms\":100,\"p95_ms\":110,\"cpu_util\":0.5,\"peak_rss_kb\":1000}"
	done
	echo "{\"total\":{\"median_ms\":1000},\"bottleneck\":{\"stage\":\"${2:-a}\"},\"stages\":[$st]}"
}

integrate() {
	"$B/perfd-agent" integration --spec "$I/spec.json" --out "$I/integration" \
	    2>"$T/integ.err" || fail "integration failed: $(cat "$T/integ.err")"
	M="$I/MASTER_INTEGRATION_REPORT.json"
}
stage_field() { jget "$M" "stages.$1.$2"; }

# 1. Consensus rules and contradictions.
mkinv rules 60s a='sleep 0.05' b='sleep 0.02' c='true' d='sleep 0.05' e='true'
finding profiling ok "a:optimize b:abstain c:leave d:abstain e:abstain" "" \
    "$(profile 'a=0.6 b=0.25 c=0.02 d=0.1 e=0.03')"
finding db-config ok "a:optimize b:optimize c:optimize d:abstain e:abstain" "$(rec cfg c 10 true)"
finding client-library ok "a:optimize b:optimize c:abstain d:optimize e:abstain" "$(rec cli d 3 true)"
finding batch-size ok "a:optimize b:abstain c:abstain d:leave e:abstain"
integrate
[ "$(stage_field 0 consensus)" = consensus ] || fail "a: $(stage_field 0 consensus)"
[ "$(stage_field 0 verdict)" = optimize ] || fail "a verdict"
[ "$(stage_field 1 consensus)" = "investigate further" ] || fail "b: $(stage_field 1 consensus)"
# c: profiling's leave (2%) against a claimed x10: Amdahl says x1.018.
[ "$(stage_field 2 consensus)" = contradiction ] || fail "c: $(stage_field 2 consensus)"
[ "$(stage_field 2 verdict)" = leave ] || fail "c verdict $(stage_field 2 verdict)"
stage_field 2 resolution | grep -q "settled by Amdahl: c takes 2.0% of the time, so the claimed local speed-up gives x1.018" ||
    fail "c resolution: $(stage_field 2 resolution)"
# d: optimize against leave, neither about the share: a tie-breaker run.
[ "$(stage_field 3 consensus)" = contradiction ] || fail "d consensus"
stage_field 3 tiebreaker.how | grep -q "more runs of the whole pipeline" || fail "no tie-breaker"
[ "$(stage_field 3 tiebreaker.supports)" = optimize ] || fail "d supports $(stage_field 3 tiebreaker.supports)"
[ "$(stage_field 4 consensus)" = "no opinion" ] || fail "e"
grep -q "Contradiction on d" "$I/MASTER_INTEGRATION_REPORT.md" || fail "report names the contradiction"
grep -q "Tie-breaker: " "$I/MASTER_INTEGRATION_REPORT.md" || fail "report shows the tie-breaker"

# 2. A failed agent and one that never reports (timeout): degraded consensus.
mkinv degraded 1s a='true' b='true'
finding profiling ok "a:optimize b:leave" "$(rec conc a 4 true)" "$(profile 'a=0.5 b=0.02')"
finding client-library ok "a:optimize b:abstain"
echo '{"agent":"db-config","status":"failed","reason":"exited with status 1"}' >"$I/db-config/status.json"
start=$(date +%s)
integrate
[ $(($(date +%s) - start)) -le 5 ] || fail "waited too long"
[ "$(jget "$M" agents.db-config.status)" = missing ] || fail "failed agent status"
jget "$M" agents.db-config.reason | grep -q "ended (failed) without a report: exited with status 1" || fail "failed reason"
jget "$M" agents.batch-size.reason | grep -q "no report within agents.timeout (1s)" || fail "timeout reason"
[ "$(stage_field 0 consensus)" = "investigate further" ] || fail "2 of 2 answering: $(stage_field 0 consensus)"
grep -q "2 of 4 agent reports arrived" "$I/MASTER_INTEGRATION_REPORT.md" || fail "count"

# 3. Priority boundaries (a stage with all the time: end to end = local) and the estimate cap.
HYP=all mkinv levels 60s all='true' other='true'
finding profiling ok "all:optimize" "$(rec p0 all 5.01 true),$(rec p1-at-5 all 5 true),$(rec p1-at-2 all 2 true),$(rec p2 all 1.99 true),$(rec p2-at-1.2 all 1.2 true),$(rec p3 all 1.19 true),$(rec estimate all 20 false),$(rec unranked other 3 true)" \
    "$(profile 'all=1' all)"
finding db-config ok ""
finding client-library ok ""
finding batch-size ok ""
integrate
# Order: by priority, measured before estimated, then by end-to-end speed-up.
order=""
for n in 0 1 2 3 4 5 6 7; do order="$order $(jget "$M" "recommendations.$n.title")"; done
[ "$order" = " p0 p1-at-5 p1-at-2 estimate p2 p2-at-1.2 p3 unranked" ] || fail "order:$order"
for n in 0 1 2 3 4 5 6; do
	t=$(jget "$M" "recommendations.$n.title")
	p=$(jget "$M" "recommendations.$n.priority")
	case "$t" in
	p0) [ "$p" = P0 ] ;; p1-at-5|p1-at-2|estimate) [ "$p" = P1 ] ;;
	p2|p2-at-1.2) [ "$p" = P2 ] ;; p3) [ "$p" = P3 ] ;; *) false ;;
	esac || fail "$t is $p"
done
[ "$(jget "$M" recommendations.0.title)" = p0 ] || fail "P0 not first"
[ "$(jget "$M" recommendations.7.title)" = unranked ] || fail "unranked not last"
[ "$(jget "$M" recommendations.7.priority)" = null ] || fail "unranked has a priority"
jget "$M" recommendations.7.unranked_reason | grep -q "no measured share for other" || fail "unranked reason"
grep -q -- "- estimate — x20.00 end to end (x20.00 on all), estimate" "$I/MASTER_INTEGRATION_REPORT.md" || fail "estimate not marked"
[ "$(jget "$M" recommendations.3.measured)" = false ] || fail "estimate measured"

# 4. A contradiction about a batch size: the claimed size against the current one.
HYP=load mkinv batchclaim 60s prep='true' load="$S/tests/fixtures/knee-loader.sh 10"
cat >>"$I/spec.json" <<EOS
env: {ALLOC: "$B/tests/alloc"}
batch:
  stage: load
  command: $S/tests/fixtures/knee-loader.sh {batch}
  current: 10
EOS
finding profiling ok "prep:abstain load:abstain"
finding db-config ok ""
finding client-library ok "load:leave"
finding batch-size ok "load:optimize" "$(rec batch-1000 load 2.9 true)" \
    '{"current":10,"recommended":1000,"optimal_range":[1000,10000]}'
integrate
[ "$(stage_field 1 consensus)" = contradiction ] || fail "batch contradiction"
stage_field 1 tiebreaker.how | grep -q "batch 1000 (claimed) against 10 (current), 10 and 10 runs" ||
    fail "batch tie-breaker: $(stage_field 1 tiebreaker.how)"
[ "$(stage_field 1 tiebreaker.supports)" = optimize ] || fail "batch tie-breaker supports $(stage_field 1 tiebreaker.supports)"
[ "$(jget "$M" batch.recommended)" = 1000 ] || fail "master batch field"
