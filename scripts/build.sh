#!/bin/sh
# build.sh [--sanitize] - configure (once) and build perfd into build/
# (build-asan/ with AddressSanitizer + UBSan).
set -eu
cd "$(dirname "$0")/.."
dir=build
opt=
if [ "${1:-}" = --sanitize ]; then
	dir=build-asan
	opt=-Dsanitize=true
fi
[ -f "$dir/build.ninja" ] || meson setup "$dir" $opt >/dev/null
ninja -C "$dir" >/dev/null
echo "$dir"
