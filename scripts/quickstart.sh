#!/bin/sh
# quickstart.sh - install, build, and investigate examples/quickstart end to
# end without a daemon; prints where the master report is.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh
dir=$(scripts/build.sh)
"$dir/perfd" run examples/quickstart/spec.yaml
