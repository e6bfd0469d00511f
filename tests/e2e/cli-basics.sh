# The CLI without a daemon: version, help, check, exit codes.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
perfd --version | grep -q '^perfd [0-9]' || fail "--version"
perfd help | grep -q 'perfd submit SPEC' || fail "help lists commands"
perfd help | grep -q '3  no daemon' || fail "help lists exit codes"
perfd help watch | grep -q 'one live line per' || fail "help watch"
rc=0; perfd frobnicate 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "unknown command exits $rc, want 2"
rc=0; perfd submit 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "missing operand exits $rc, want 2"
write_spec
perfd check "$T/spec.yaml" | grep -q "valid spec 'e2e': 2 stages" || fail "check good"
rc=0; perfd check "$S/tests/specs/bad/18-hypothesis-no-stage.yaml" 2>"$T/err" || rc=$?
[ $rc -eq 2 ] || fail "check bad exits $rc"
grep -q "18-hypothesis-no-stage.yaml:3:13: hypothesis: 'ingest' names no stage" "$T/err" || fail "check message"
# An invalid spec runs nothing: no investigation folder appears.
cp "$S/tests/specs/bad/16-stage-neither.yaml" "$T/bad.yaml"
rc=0; perfd run "$T/bad.yaml" 2>"$T/err" || rc=$?
[ $rc -eq 2 ] || fail "run of a bad spec exits $rc"
[ ! -e "$T/tmp" ] || fail "a bad spec made an investigation folder"
rc=0; perfd submit "$T/spec.yaml" 2>"$T/err" || rc=$?
[ $rc -eq 3 ] || fail "submit without daemon exits $rc, want 3"
grep -q "no perfd daemon on" "$T/err" || fail "no-daemon message"
rc=0; perfd report nope 2>"$T/err" || rc=$?
[ $rc -eq 2 ] || fail "report of an unknown ID exits $rc"
