# The profiling agent on stages whose answer is known.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
start_cdn 100 2000000
head -c 400000 /dev/urandom > "$T/www/data.bin"
cat >"$T/spec.yaml" <<EOS
version: 1
name: known
hypothesis: burn
pipeline:
  warmup: 1
  repetitions: 7
  stages:
    - name: wait
      run: sleep 0.2
    - name: burn
      run: "awk 'BEGIN { for (i = 0; i < 2000000; i++) s += sqrt(i); print s }'"
    - name: alloc
      run: $B/tests/alloc 64
    - name: download
      fetch: {url: "http://127.0.0.1:$CDN_PORT/data.bin", output: data.bin}
      concurrency: [1, 4]
EOS
perfd run "$T/spec.yaml" >/dev/null || fail "run"
P=$(ls -d "$T"/tmp/perf-optimization/*/profiling)
F="$P/findings.json"
[ "$(jget "$F" status)" = ok ] || fail "status $(jget "$F" status)"
# Stages in spec order: wait, burn, alloc, download.
[ "$(jget "$F" data.stages.0.class)" = waiting ] || fail "sleep is $(jget "$F" data.stages.0.class)"
[ "$(jget "$F" data.stages.1.class)" = cpu-bound ] || fail "burn is $(jget "$F" data.stages.1.class)"
[ "$(jget "$F" data.stages.3.class)" = waiting ] || fail "download is $(jget "$F" data.stages.3.class)"
# sleep 0.2 within 2% of 200 ms at the median.
awk -v m="$(jget "$F" data.stages.0.median_ms)" 'BEGIN { exit !(m >= 196 && m <= 204) }' ||
    fail "sleep 0.2 measured $(jget "$F" data.stages.0.median_ms) ms"
# 64 MiB allocated: peak RSS within 10% of 65536 kB (not under ASan's shadow memory).
[ -n "$PERFD_TEST_ASAN" ] || awk -v r="$(jget "$F" data.stages.2.peak_rss_kb)" 'BEGIN { exit !(r >= 58982 && r <= 72090) }' ||
    fail "alloc 64 peak RSS $(jget "$F" data.stages.2.peak_rss_kb) kB"
# The bottleneck is the largest share, and the hypothesis is judged by it.
[ "$(jget "$F" data.bottleneck.stage)" = download ] || fail "bottleneck $(jget "$F" data.bottleneck.stage)"
[ "$(jget "$F" data.hypothesis.confirmed)" = false ] || fail "hypothesis"
grep -q "The hypothesis (burn) is rejected" "$P/PROFILING_REPORT.md" || fail "verdict"
# 4 transfers at once against a server with per-request latency: a measured speed-up.
s=$(jget "$F" data.stages.3.concurrency.1.speedup)
awk -v s="$s" 'BEGIN { exit !(s > 2.5) }' || fail "concurrency speed-up $s"
[ "$(jget "$F" recommendations.0.measured)" = true ] || fail "recommendation not measured"
[ "$(jget "$F" recommendations.0.stage)" = download ] || fail "recommendation stage"
# Fetch phases are there and ordered.
awk -F, '$3 == "download" && $2 == 0 { if (!($15 <= $16 && $16 <= $18)) exit 1 }' "$P/runs.csv" ||
    fail "fetch phases out of order"
# Votes: the bottleneck optimize; a stage under 5% leave.
[ "$(jget "$F" votes.3.vote)" = optimize ] || fail "bottleneck vote"
# Raw runs: warmup + 7 counted runs x 4 stages, plus the header.
[ "$(wc -l <"$P/runs.csv")" -eq 33 ] || fail "runs.csv has $(wc -l <"$P/runs.csv") lines"
[ -s "$P/stages.svg" ] || fail "no chart"
grep -q '<svg' "$P/stages.svg" || fail "chart is not SVG"
# Context recorded with the figures.
[ "$(jget "$F" data.context.cores)" -ge 1 ] || fail "context"

# The How line runs as printed and gives what perfd measured: the harness
# fetches four files one at a time, then with each printed command.
apply=$(jget "$F" recommendations.0.apply)
xargs_cmd=$(echo "$apply" | sed -n 's/^[^`]*`\(xargs [^`]*\)`.*/\1/p')
curl_cmd=$(echo "$apply" | sed -n 's/.*`\(curl --parallel [^`]*\) -O URL1 -O URL2 \.\.\.`.*/\1/p')
[ -n "$xargs_cmd" ] && [ -n "$curl_cmd" ] || fail "no command in the How line: $apply"
mkdir "$T/get"
for i in 1 2 3 4; do
	cp "$T/www/data.bin" "$T/www/d$i.bin"
	echo "http://127.0.0.1:$CDN_PORT/d$i.bin" >>"$T/get/urls.txt"
done
cd "$T/get"
clean="rm -f d?.bin"
one=$(median_ms 3 "$clean" "xargs -P 1 -n 1 curl -sSfO < urls.txt")
par=$(median_ms 3 "$clean" "$xargs_cmd")
imm=$(median_ms 3 "$clean" "$curl_cmd $(sed 's/^/-O /' urls.txt | tr '\n' ' ')")
[ "$(cat d?.bin | wc -c)" -eq 1600000 ] || fail "the printed command did not fetch the files"
for m in "$par" "$imm"; do
	real=$(awk -v b="$one" -v a="$m" 'BEGIN { print b / a }')
	echo "4 at a time: perfd measured x$s, the printed command gives x$real ($one -> $m ms)"
	awk -v p="$s" -v m="$real" 'BEGIN { exit !(p <= 1.5 * m && m <= 1.5 * p) }' ||
	    fail "the printed command gives x$real, perfd said x$s"
done
