#!/bin/sh
# run.sh [SECONDS] - fuzz the spec parser, the daemon's request line
# handler and the exposition-format parser (telemetry scrapes) with AFL++
# (afl-clang-fast, ASan + UBSan), SECONDS each (default
# 60). Exits 1 when either found a crash or a hang, naming the inputs; a
# found crash belongs in tests/fuzz/{spec,proto}-crashes/ as a regression
# fixture once fixed. Output: FUZZ_OUT (default: a temporary folder).
# A long run:  tests/fuzz/run.sh 3600
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
out=${FUZZ_OUT:-$(mktemp -d /tmp/perfd-fuzz-XXXXXX)}
bld=${FUZZ_BUILD:-$src/build-fuzz}
mkdir -p "$out"
command -v afl-fuzz >/dev/null || { echo "afl-fuzz is not installed (scripts/deps.sh installs afl++)" >&2; exit 2; }
if [ ! -f "$bld/build.ninja" ]; then
	CC=afl-clang-fast meson setup "$bld" "$src" -Dsanitize=true >/dev/null
fi
ninja -C "$bld" tests/fuzz/fuzz-spec tests/fuzz/fuzz-proto tests/fuzz/fuzz-expo >"$out/build.log" 2>&1 || {
	echo "fuzz: the instrumented build failed:" >&2
	tail -20 "$out/build.log" >&2
	exit 2
}
# No CPU-governor or core-pattern tuning on a shared machine: run as it is.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
    AFL_NO_AFFINITY=1 AFL_QUIET=1
bad=0
for h in spec proto expo; do
	afl-fuzz -V "$secs" -t 2000 -m none -i "$src/tests/fuzz/$h-seeds" -o "$out/$h" \
	    -- "$bld/tests/fuzz/fuzz-$h" >"$out/$h.log" 2>&1 || {
		echo "fuzz-$h: afl-fuzz failed:" >&2
		tail -20 "$out/$h.log" >&2
		exit 2
	}
	stats="$out/$h/default/fuzzer_stats"
	execs=$(awk -F' *: *' '$1 == "execs_done" { print $2 }' "$stats")
	paths=$(awk -F' *: *' '$1 == "corpus_count" { print $2 }' "$stats")
	crashes=$(find "$out/$h/default/crashes" -type f -name 'id:*' | wc -l)
	hangs=$(find "$out/$h/default/hangs" -type f -name 'id:*' | wc -l)
	echo "fuzz-$h: $execs executions in ${secs}s, $paths inputs in the corpus, $crashes crashes, $hangs hangs"
	if [ "$crashes" -gt 0 ] || [ "$hangs" -gt 0 ]; then
		find "$out/$h/default/crashes" "$out/$h/default/hangs" -type f -name 'id:*' >&2
		bad=1
	fi
done
exit $bad
