#!/bin/sh
# cost.sh BUILD-DIR - what an investigation costs, in runs of the pipeline
# it investigates: the investigation's wall time over one end-to-end run
# (profiling's median), for three pipelines of different shapes, each as
# the first version ran it (repetitions: 10, every timed run of one stage
# preceded by setup and the stages before it) and as it runs now
# (repetitions: auto, the load stage declaring a prepare), in the same run
# of this script on the same machine; and the quickstart under a budget of
# 15 s. For each: the bottleneck with its share's CI and the top
# recommendation, to show the verdict is the same. Figures go to
# docs/performance.md.
set -eu
B=$(cd "$1" && pwd)
S=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /tmp/perfd-cost-XXXXXX)
trap 'rm -rf "$T"' EXIT
export XDG_RUNTIME_DIR="$T/run" XDG_STATE_HOME="$T/state"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

jq_() { "$B/tests/jget" "$@"; }

# measure LABEL DIR: run DIR/spec.yaml, print a table row.
measure() {
	rm -rf "$2/tmp"
	start=$(date +%s%N)
	"$B/perfd" run "$2/spec.yaml" >"$T/out" 2>&1 || { tail -5 "$T/out"; exit 1; }
	end=$(date +%s%N)
	M=$(ls -d "$2"/tmp/perf-optimization/*)/MASTER_INTEGRATION_REPORT.json
	wall=$(( (end - start) / 1000000 ))
	total=$(jq_ "$M" total_ms)
	awk -v l="$1" -v w="$wall" -v t="$total" -v b="$(jq_ "$M" bottleneck.stage)" \
	    -v s="$(jq_ "$M" bottleneck.share)" -v r="$(jq_ "$M" recommendations.0.title)" \
	    -v n="$(jq_ "$(dirname "$M")/profiling/findings.json" data.runs.counted)" \
	    -v c="$(jq_ "$(dirname "$M")/profiling/findings.json" data.bottleneck.share_ci.0)-$(jq_ "$(dirname "$M")/profiling/findings.json" data.bottleneck.share_ci.1)" \
	    'BEGIN { split(c, ci, "-"); printf "| %s | %.1f s | %.0f ms | **%.1f** | %d | %s %.1f%% (CI %.1f–%.1f) | %s |\n",
	        l, w / 1000, t, w / t, n, b, s * 100, ci[1] * 100, ci[2] * 100, r }'
}

# as_before DIR: the spec as the first version ran it: 10 repetitions, no prepare.
as_before() {
	sed -i -e '/^ *prepare:/d' -e 's/, prepare: "[^"]*"//' -e '/^  repetitions:/d' \
	    -e 's/^pipeline:$/pipeline:\n  repetitions: 10/' "$1/spec.yaml"
}

echo "| pipeline, as run | investigation | one run | pipeline-times | profiling runs | bottleneck (share, 95% CI) | top recommendation |"
echo "|---|---|---|---|---|---|---|"

# The quickstart: download, extract, parse, ingest into SQLite.
for v in before after budget; do
	rm -rf "$T/qs"
	cp -r "$S/examples/quickstart" "$T/qs"
	case $v in
	before) as_before "$T/qs" ;;
	budget) printf 'budget: 15s\n' >>"$T/qs/spec.yaml" ;;
	esac
	measure "quickstart, $v" "$T/qs"
	"$T/qs/cdn.sh" stop >/dev/null 2>&1 || true
done

# A CPU-bound stage: a hash over 20 MB after a short generation.
mkdir -p "$T/cpu"
cat >"$T/cpu/spec.yaml" <<'EOS'
version: 1
name: cpu-bound
pipeline:
  warmup: 1
  stages:
    - {name: generate, run: "head -c 20000000 /dev/zero > blob"}
    - {name: hash, run: "sha512sum blob >/dev/null; sha512sum blob >/dev/null; sha256sum blob >/dev/null", prepare: "true"}
    - {name: report, run: "sleep 0.02"}
EOS
for v in before after; do
	cp "$T/cpu/spec.yaml" "$T/cpu/spec.orig" 2>/dev/null || true
	[ $v = before ] && as_before "$T/cpu"
	measure "CPU-bound, $v" "$T/cpu"
	cp "$T/cpu/spec.orig" "$T/cpu/spec.yaml"
done

# A batch-size knee (tests/fixtures/knee-loader.sh: x15 from 10 to 1000).
mkdir -p "$T/knee"
cat >"$T/knee/spec.yaml" <<EOS
version: 1
name: knee
env: {ALLOC: "$B/tests/alloc"}
rows: 1000
pipeline:
  warmup: 1
  stages:
    - {name: prep, run: "sleep 0.2"}
    - {name: load, run: "$S/tests/fixtures/knee-loader.sh 10", prepare: "true"}
batch:
  stage: load
  command: $S/tests/fixtures/knee-loader.sh {batch}
  current: 10
  sizes: [10, 100, 1000, 10000]
EOS
cp "$T/knee/spec.yaml" "$T/knee/spec.orig"
for v in before after; do
	[ $v = before ] && as_before "$T/knee"
	measure "batch knee, $v" "$T/knee"
	cp "$T/knee/spec.orig" "$T/knee/spec.yaml"
done
