# The spec parser, the request line handler and the exposition-format
# parser under AFL++ for a bounded time (ASan + UBSan): no crash, no hang.
# First, every crash found so far is replayed as a regression fixture
# against this build.
. "$PERFD_TEST_SRC/tests/e2e/lib.sh"
"$B/tests/fuzz/fuzz-spec" "$S"/tests/fuzz/spec-crashes/* || fail "a spec crash fixture fails again"
"$B/tests/fuzz/fuzz-proto" "$S"/tests/fuzz/proto-seeds/* || fail "a protocol fixture fails"
"$B/tests/fuzz/fuzz-expo" "$S"/tests/fuzz/expo-seeds/* || fail "an exposition fixture fails"
if ls "$S"/tests/fuzz/proto-crashes/* >/dev/null 2>&1; then
	"$B/tests/fuzz/fuzz-proto" "$S"/tests/fuzz/proto-crashes/* || fail "a protocol crash fixture fails again"
fi
command -v afl-fuzz >/dev/null || fail "afl-fuzz is not installed (scripts/deps.sh installs afl++)"
# The instrumented build lives beside the build under test, made once.
FUZZ_OUT="$T/fuzz" FUZZ_BUILD="$(dirname "$B")/build-fuzz" "$S/tests/fuzz/run.sh" 45 ||
    fail "fuzzing found a crash or a hang (inputs listed above)"
