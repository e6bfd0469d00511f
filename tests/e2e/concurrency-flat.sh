# Concurrent downloads from a server that answers one request at a time
# (Python's http.server without threads, each response held 150 ms): more
# transfers at once gain nothing, so after the first level that gains
# nothing over the one below, perfd measures no larger level, says why,
# and recommends no concurrency. The effect is planted large: 8 transfers
# at once take 8 times as long, whatever the machine's load.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
mkdir -p "$T/www"
head -c 100000 /dev/urandom >"$T/www/day.bin"
PORT=$((20000 + ($$ + 7) % 20000))
python3 - "$T/www" "$PORT" "$T/serial.pid" 2>"$T/serial.log" <<'PY' &
import http.server, os, sys, time
root, port, pidfile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=root, **k)
    def do_GET(self):
        time.sleep(0.15)
        super().do_GET()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", port), H)   # one request at a time
open(pidfile, "w").write(str(os.getpid()))
s.serve_forever()
PY
CDN_PID=$!
wait_pidfile "$T/serial.pid" "$T/serial.log"
cat >"$T/spec.yaml" <<EOS
version: 1
name: serial
pipeline:
  warmup: 0
  repetitions: 4
  stages:
    - name: download
      fetch: {url: "http://127.0.0.1:$PORT/day.bin", output: day.bin}
      concurrency: [8, 2, 4]
    - {name: unpack, run: "sleep 0.02"}
EOS
investigate serial
F="$D/profiling/findings.json"
# Levels fewest first: 1 (the stage's own runs), 2, 4, 8.
[ "$(jget "$F" data.stages.0.concurrency.0.from_stage_runs)" = true ] || fail "level 1 is not the stage's own runs"
[ "$(jget "$F" data.stages.0.concurrency.1.n)" = 2 ] || fail "levels not in order: $(jget "$F" data.stages.0.concurrency.1.n)"
[ "$(jget "$F" data.stages.0.concurrency.3.n)" = 8 ] || fail "level 8 not last"
# 8 at once is never measured: 2 or 4 gained nothing over the level below.
[ "$(jget "$F" data.stages.0.concurrency.3.runs)" = 0 ] || fail "level 8 was measured on a server that answers one at a time"
grep -q "| 8 | not measured: [24] transfers at once gained nothing over [12] |" "$D/profiling/PROFILING_REPORT.md" ||
    fail "the report does not say why 8 was not measured: $(grep '^| 8 ' "$D/profiling/PROFILING_REPORT.md")"
# The level measured gained nothing: no recommendation to download concurrently.
grep -q "concurrently" "$F" && fail "concurrency recommended against a serial server"
echo "levels: $(grep '^| [1248] ' "$D/profiling/PROFILING_REPORT.md" | tr '\n' ' ')"
exit 0
