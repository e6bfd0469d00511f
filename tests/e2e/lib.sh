# lib.sh - shared set-up for the end-to-end tests (sourced).
# Each test gets a private folder, socket and state; nothing touches ~.
set -eu
B="$PERFD_TEST_BUILD"
S="$PERFD_TEST_SRC"
T=$(mktemp -d /tmp/perfd-e2e-XXXXXX)
export XDG_RUNTIME_DIR="$T/run" XDG_STATE_HOME="$T/state" HOME="$T/home"
mkdir -p "$XDG_RUNTIME_DIR" "$HOME"
chmod 700 "$XDG_RUNTIME_DIR"
SOCK="$XDG_RUNTIME_DIR/perfd/perfd.sock"
DPID=
# Agents are the test double unless a test says otherwise.
export PERFD_AGENT="$B/tests/fake-agent" FAKE_REAL_AGENT="$B/perfd-agent"

perfd() { "$B/perfd" "$@"; }
pclient() { "$B/tests/pclient" "$SOCK" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# A test that cannot run here says why; run.sh counts it as skipped.
skip() { echo "SKIP: $*" >&2; exit 77; }

cleanup() {
	[ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null || true
	[ -n "${CDN_PID:-}" ] && kill "$CDN_PID" 2>/dev/null || true
	# Other servers a test started (SERVER_PIDS: theirs, blank-separated).
	for p in ${SERVER_PIDS:-}; do kill "$p" 2>/dev/null || true; done
	[ -n "${PG_DATA:-}" ] && stop_pg
	# Anything a test investigation left running goes too.
	for p in /proc/[0-9]*; do
		grep -qs "PERFD_INVESTIGATION=" "$p/environ" 2>/dev/null &&
		    grep -qs "$T" "$p/environ" 2>/dev/null && kill -9 "${p#/proc/}" 2>/dev/null
	done
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

start_daemon() {
	"$B/perfd" daemon "$@" 2>>"$T/daemon.log" &
	DPID=$!
	i=0
	# Ready when this daemon (not a dead one's socket file) answers.
	until echo '{"cmd":"ping"}' | "$B/tests/pclient" "$SOCK" send 2>/dev/null |
	    grep -q "\"pid\":$DPID}"; do
		i=$((i + 1))
		[ $i -gt 100 ] && fail "daemon did not start: $(cat "$T/daemon.log")"
		kill -0 "$DPID" 2>/dev/null || fail "daemon exited: $(cat "$T/daemon.log")"
		sleep 0.05
	done
}

stop_daemon() {
	kill "$DPID"
	wait "$DPID" || true
	DPID=
}

# A small valid spec in $T/spec.yaml.
write_spec() {
	cat >"$T/spec.yaml" <<EOS
version: 1
name: e2e
pipeline:
  warmup: 0
  repetitions: 2
  stages:
    - {name: a, run: 'true'}
    - {name: b, run: 'true'}
agents:
  timeout: ${1:-30s}
EOS
}

# Wait until "perfd status ID" shows a status matching $2.
wait_status() {
	i=0
	until perfd status "$1" --json | grep -q "\"status\":[[:space:]]*\"$2\""; do
		i=$((i + 1))
		[ $i -gt 200 ] && fail "$1 never reached status $2: $(perfd status "$1")"
		sleep 0.05
	done
}

jget() { "$B/tests/jget" "$@"; }

# Use the real agents (not the test double).
real_agents() { unset PERFD_AGENT; }

# A fixture HTTP server on 127.0.0.1 serving $T/www: start_cdn LATENCY_MS RATE
start_cdn() {
	mkdir -p "$T/www"
	CDN_PORT=$((20000 + $$ % 20000))
	"$B/tests/slow-cdn" --root "$T/www" --port "$CDN_PORT" --latency-ms "$1" \
	    --rate "$2" --idle-exit 120 --pidfile "$T/cdn.pid" 2>"$T/cdn.log" &
	CDN_PID=$!
	wait_pidfile "$T/cdn.pid" "$T/cdn.log"
}

# wait_pidfile PIDFILE LOG: a fixture server is up when it has written its
# pid file (after it bound its port); fail with its log after 5 s.
wait_pidfile() {
	i=0
	until [ -s "$1" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && fail "fixture server did not start: $(cat "$2")"
		sleep 0.05
	done
}

# start_pg: a private PostgreSQL server for this test, never the machine's
# own: its data folder and its unix socket in $T/pg, no TCP port, trust
# authentication on the socket only. The server refuses to run as root: as
# root it runs as the account Debian's package makes (postgres), and $T
# becomes traversable (not readable) for it. Exports PGHOST (the socket's
# folder), PGPORT, PGUSER and PGDATABASE for psql and libpq; cleanup stops
# it whatever happens.
# PG_OPTS: more of the server's options ("-c name=value ...").
start_pg() {
	PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] ||
	    fail "PostgreSQL's server is not installed (scripts/deps.sh installs it)"
	PG_AS=
	mkdir -p "$T/pg"
	if [ "$(id -u)" = 0 ]; then
		PG_AS="runuser -u postgres --"
		chmod 711 "$T"
		chown postgres "$T/pg"
	fi
	$PG_AS "$PG_BIN/initdb" -D "$T/pg/data" -U perfd_test --auth=trust -E UTF8 \
	    --no-locale -N >"$T/pg/initdb.log" 2>&1 || fail "initdb: $(tail -5 "$T/pg/initdb.log")"
	PG_DATA="$T/pg/data"
	$PG_AS "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$T/pg/server.log" -w -t 30 \
	    -o "-c listen_addresses='' -c unix_socket_directories='$T/pg' -c fsync=on ${PG_OPTS:-}" \
	    start >/dev/null 2>&1 || fail "the test's PostgreSQL did not start: $(tail -5 "$T/pg/server.log")"
	export PGHOST="$T/pg" PGPORT=5432 PGUSER=perfd_test PGDATABASE=postgres
}

# db_failed LABEL PATTERN: in the investigation in $D, db-config and
# client-library failed with PATTERN in their reason, while profiling
# measured and the master report was written.
db_failed() {
	for a in db-config client-library; do
		[ "$(jget "$D/$a/status.json" status)" = failed ] ||
		    fail "$1: $a is $(jget "$D/$a/status.json" status): $(jget "$D/$a/findings.json" headline)"
		jget "$D/$a/status.json" reason | grep -q -- "$2" ||
		    fail "$1: $a says: $(jget "$D/$a/status.json" reason)"
	done
	[ "$(jget "$D/profiling/status.json" status)" = ok ] || fail "$1: profiling"
	[ -f "$D/MASTER_INTEGRATION_REPORT.md" ] || fail "$1: no master report"
}

# stop_pg: the test's server, stopped at once (nothing of it is kept).
stop_pg() {
	$PG_AS "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
	PG_DATA=
}

# trades_csv N SEED: N synthetic trades, "ts,price,qty,side" rows (no header).
trades_csv() {
	awk -v n="$1" -v seed="$2" 'BEGIN { srand(seed); for (i = 1; i <= n; i++)
	    printf "%d,%.2f,%.4f,%s\n", 1790812800000 + i * 37, 68000 + rand() * 50, rand(), rand() < 0.5 ? "b" : "s" }'
}

# investigate LABEL: perfd run $T/spec.yaml, the last investigation's
# folder removed first; the new one in $D, or fail with the run's last lines.
investigate() {
	rm -rf "$T/tmp"
	perfd run "$T/spec.yaml" >"$T/out" 2>&1 || fail "$1: the investigation must finish: $(tail -5 "$T/out")"
	D=$(ls -d "$T"/tmp/perf-optimization/*)
}

# time_us SETUP CMD: CMD's wall time in microseconds, after SETUP.
time_us() {
	sh -c "$1" >/dev/null 2>&1
	s=$(date +%s%N)
	sh -c "$2" >/dev/null 2>&1 || fail "harness command failed: $2"
	e=$(date +%s%N)
	z=$(harness_us)
	echo $(( (e - s) / 1000 > z ? (e - s) / 1000 - z : 0 ))
}

# harness_us: what time_us adds to a command that perfd's own figures do not
# have: date's start-up, and the shell its command line runs in (perfd times
# a stage from the fork of the one shell that runs it; here `sh -c "sh
# tx.sh"` is two). The least of three, since load only ever adds. On a
# stage of a few ms this was a quarter of it: x24.5 "applied" against
# x33.9 claimed, where without it the two sides agreed.
harness_us() {
	best=
	for _ in 1 2 3; do
		s=$(date +%s%N)
		sh -c : >/dev/null 2>&1
		e=$(date +%s%N)
		d=$(( (e - s) / 1000 ))
		if [ -z "$best" ] || [ "$d" -lt "$best" ]; then best=$d; fi
	done
	echo "$best"
}

# us_median: the median in ms of the microsecond figures on its input, a line each.
us_median() {
	sort -n | awk '{ v[NR] = $1 }
	    END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f\n", m / 1000 }'
}

# median_ms N SETUP CMD: the median wall time of CMD over N runs, SETUP
# (untimed) before each; the harness's own measurement of a fix.
median_ms() {
	n=$1 setup=$2 cmd=$3
	for _ in $(seq "$n"); do
		time_us "$setup" "$cmd"
	done | us_median
}

# pair_ms N SETUP CMD-A CMD-B [SETUP-B]: "A B", the medians in ms of N runs
# of each command, alternated (A, B, A, B, ...) after SETUP each (SETUP-B
# before B when given), so that a drift of the machine lands on both sides
# of their ratio.
pair_ms() {
	ta= tb=
	for _ in $(seq "$1"); do
		ta="$ta $(time_us "$2" "$3")"
		tb="$tb $(time_us "${5:-$2}" "$4")"
	done
	echo "$(printf '%s\n' $ta | us_median) $(printf '%s\n' $tb | us_median)"
}

# same_machine PERFD-MS HARNESS-MS: the stage as perfd timed it and as the
# harness did are within x1.5 of each other. A stage bound by its syncs moves
# with the disk (ten times slower for seconds, seen here), and a ratio taken
# at one moment cannot be held to one taken at another.
same_machine() {
	awk -v s="$1" -v b="$2" 'BEGIN { exit !(s <= 1.5 * b && b <= 1.5 * s) }'
}

# close_to PERFD-MS HARNESS-MS: within x1.25 of each other, for a ratio whose
# two sides must both have been taken on the same machine.
close_to() {
	awk -v s="$1" -v b="$2" 'BEGIN { exit !(s <= 1.25 * b && b <= 1.25 * s) }'
}

# claim_check FINDINGS MEASURED: a figure measured on the pipeline (the
# user's own stage re-run with the change) is within x1.5 of what applying
# the fix gave, either way, as the issue asks. A probe figure that says it
# rests on an upper bound of the client's own work (the smaller claim, said
# so) must never claim above x2 of it; any other probe figure is honest.
claim_check() {
	if [ "$(jget "$1" recommendations.0.evidence_kind)" = pipeline ]; then
		figure_check "$1" "$2" 'p <= 1.5 * m && m <= 1.5 * p'
	elif jget "$1" recommendations.0.bound | grep -q "an upper bound"; then
		probe_check "$1" "$2" 'p <= 2 * m'
	else
		honest "$1" "$2"
	fi
}

# figure_check FINDINGS MEASURED CONDITION: an awk condition on p, perfd's
# figure for recommendation 0 of FINDINGS, and m, what applying the fix
# gave; on failure, what the figure was made of.
figure_check() {
	awk -v p="$(jget "$1" recommendations.0.local_speedup)" -v m="$2" "BEGIN { exit !($3) }" && return 0
	explain "$1"
	return 1
}

# probe_check FINDINGS MEASURED CONDITION: figure_check for a probe figure.
# Under AddressSanitizer perfd's own probe runs instrumented and slow, the
# user's loader does not: probe figures mean nothing there (as memory
# figures), so only the kind of figure is checked. A pipeline figure times
# the user's own programs, which are not instrumented, and is checked.
probe_check() {
	if [ -n "${PERFD_TEST_ASAN:-}" ]; then
		echo "ASan build: perfd's probe figure x$(jget "$1" recommendations.0.local_speedup) not compared"
		return 0
	fi
	figure_check "$@"
}

# explain FINDINGS: what recommendation 0's figure was made of, for whoever
# reads a failure.
explain() {
	echo "perfd's bound: $(jget "$1" recommendations.0.bound)"
	obs="$(dirname "$(dirname "$1")")/db-observation.json"
	[ -f "$obs" ] && echo "the observation: $(tr -d '\n\t' <"$obs")"
	return 0
}

# honest FINDINGS MEASURED: perfd's figure is within x2 of what applying the
# fix gave, either way: never a claim above x2 of it (the issue's bound on
# an overclaim), nor below half. The x1.5 the figures reach on a quiet
# machine is a benchmark figure (docs/performance.md), not asserted here:
# under a concurrent suite the harness's own reference moves by x1.4
# between runs.
honest() { probe_check "$1" "$2" 'p <= 2 * m && m <= 2 * p'; }
