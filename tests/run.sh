#!/bin/sh
# run.sh - the whole test suite: unit tests, spec fixtures, end-to-end tests.
# usage: tests/run.sh [BUILD_DIR]     (default: build)
# Ends with the line "N passed, N failed" (", N skipped" when a test could
# not run here, each with its reason above); exits non-zero when any failed.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
export PERFD_TEST_SRC="$src" PERFD_TEST_BUILD="$build"
# Memory figures mean nothing under AddressSanitizer: tests skip them.
PERFD_TEST_ASAN=
grep -q fsanitize=address "$build/build.ninja" 2>/dev/null && PERFD_TEST_ASAN=1
export PERFD_TEST_ASAN
log=$(mktemp)
passed=0
failed=0
skipped=0

# Unit tests and spec fixtures, each in a process of its own.
"$build/tests/perfd-test" >"$log" 2>&1
cat "$log" | grep -v '^[0-9]* passed, [0-9]* failed$'
passed=$((passed + $(grep -c '^ok ' "$log")))
failed=$((failed + $(grep -c '^not ok ' "$log")))

# End-to-end tests against the real binaries, one shell script each.
for t in "$src"/tests/e2e/*.sh; do
	name=$(basename "$t" .sh)
	case "$name" in lib) continue ;; esac
	rc=0
	timeout 600 sh "$t" >"$log" 2>&1 || rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok - e2e/$name"
		passed=$((passed + 1))
	elif [ $rc -eq 77 ]; then
		echo "skipped - e2e/$name: $(sed -n 's/^SKIP: //p' "$log" | tail -1)"
		skipped=$((skipped + 1))
	else
		echo "not ok - e2e/$name"
		sed 's/^/    /' "$log" | tail -40
		failed=$((failed + 1))
	fi
done
rm -f "$log"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
