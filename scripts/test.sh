#!/bin/sh
# test.sh [--sanitize] - install, build and run the whole test suite; the
# last line is "N passed, N failed".
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh
dir=$(scripts/build.sh "$@")
exec tests/run.sh "$dir"
