# A stage that prints 40 MB: its output file keeps the first and last
# 8 MiB, with a line saying how much was cut; the folder does not fill up.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
real_agents
cat >"$T/spec.yaml" <<'EOS'
version: 1
name: loud
pipeline:
  warmup: 0
  repetitions: 1
  stages:
    - {name: loud, run: "head -c 40000000 /dev/zero | tr '\\0' x; echo END"}
EOS
perfd run "$T/spec.yaml" >/dev/null || fail "run"
P=$(ls -d "$T"/tmp/perf-optimization/*/profiling)
size=$(stat -c %s "$P/loud.stdout")
[ "$size" -le $((16 * 1048576 + 200)) ] || fail "loud.stdout kept $size bytes"
grep -q "bytes cut here; the first and last 8388608 bytes are kept" "$P/loud.stdout" || fail "no cut line"
[ "$(tail -c 4 "$P/loud.stdout")" = "END" ] || fail "the end of the output was not kept"
total=$(du -sk "$T/tmp" | cut -f1)
[ "$total" -lt 100000 ] || fail "the investigation folder holds $total kB"
