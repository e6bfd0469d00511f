# perfd export: an investigation's headline figures in the OpenMetrics text
# format, checked by promtool and scraped by a real Prometheus (Debian's
# prometheus package) the test starts on a loopback port it picks; perfd
# compare --openmetrics too. The figures must be the master report's.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
cd "$T"
command -v promtool >/dev/null && command -v prometheus >/dev/null ||
    fail "prometheus is not installed (scripts/deps.sh installs it)"
cat >spec.yaml <<'EOS'
version: 1
name: export-me
pipeline:
  warmup: 0
  repetitions: 6
  stages:
    - {name: slow, run: "sleep 0.06"}
    - {name: quick, run: "sleep 0.01"}
EOS
investigate export
J="$D/MASTER_INTEGRATION_REPORT.json"
perfd export "$D" --format openmetrics --out "$T/www/perfd.prom" 2>err.txt && fail "export into a missing folder succeeded"
mkdir -p "$T/www"
perfd export "$D" --format openmetrics --out "$T/www/perfd.prom" || fail "export: $(cat err.txt)"
perfd export "$D" --format csv >/dev/null 2>err.txt && fail "--format csv was taken"
grep -q "takes openmetrics" err.txt || fail "bad format: $(cat err.txt)"
M="$T/www/perfd.prom"
tail -1 "$M" | grep -qx "# EOF" || fail "no # EOF"
promtool check metrics <"$M" >lint.txt 2>&1 || fail "promtool: $(cat lint.txt)"
id=$(basename "$D")
want=$(awk -v ms="$(jget "$J" total_ms)" 'BEGIN { printf "%.6f", ms / 1000 }')
got=$(sed -n "s/^perfd_end_to_end_seconds{pipeline=\"export-me\",investigation=\"$id\"} //p" "$M")
awk -v a="$want" -v b="$got" 'BEGIN { exit !(b > 0 && (a - b) ^ 2 < 1e-12) }' ||
    fail "end to end: exported '$got', the master report says $want s"
grep -q "^perfd_stage_share_ratio{pipeline=\"export-me\",investigation=\"$id\",stage=\"slow\"} 0\.[5-9]" "$M" ||
    fail "slow's share: $(grep share_ratio "$M")"

# A real Prometheus scrapes the file (served over HTTP by the test's fixture
# server) and answers a query with the figure.
start_cdn 0 0
pport=$((CDN_PORT + 1))
cat >prom.yml <<EOS
global: {scrape_interval: 1s}
scrape_configs:
  - job_name: perfd
    metrics_path: /perfd.prom
    static_configs: [{targets: ["127.0.0.1:$CDN_PORT"]}]
EOS
prometheus --config.file=prom.yml --storage.tsdb.path="$T/tsdb" \
    --web.listen-address="127.0.0.1:$pport" >prom.log 2>&1 &
SERVER_PIDS=$!
q="http://127.0.0.1:$pport/api/v1/query?query=perfd_end_to_end_seconds"
for _ in $(seq 60); do
	curl -fsS "$q" >q.json 2>/dev/null && grep -q "\"$id\"" q.json && break
	sleep 0.5
done
kill "$SERVER_PIDS" 2>/dev/null
wait "$SERVER_PIDS" 2>/dev/null || true
SERVER_PIDS=
grep -q "\"$id\"" q.json 2>/dev/null || fail "Prometheus did not take the file: $(tail -3 prom.log)"
python3 - "$want" q.json <<'PY' || fail "Prometheus's value (above)"
import json, sys
v = float(json.load(open(sys.argv[2]))["data"]["result"][0]["value"][1])
print(f"Prometheus reads perfd_end_to_end_seconds = {v} (the master report: {sys.argv[1]})")
sys.exit(abs(v - float(sys.argv[1])) > 1e-6)
PY

# compare's verdict: the same investigation against itself passes.
perfd compare "$D" "$D" --openmetrics cmp.prom >/dev/null || fail "compare"
promtool check metrics <cmp.prom >lint.txt 2>&1 || fail "promtool (compare): $(cat lint.txt)"
grep -q "^perfd_compare_verdict{base=\"$id\",candidate=\"$id\"} 0$" cmp.prom ||
    fail "verdict: $(grep verdict cmp.prom)"
echo ok
