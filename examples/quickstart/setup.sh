#!/bin/sh
# setup.sh - before every run (not timed): data made once, the local CDN
# up, the previous run's files gone and an empty table to load into.
set -eu
cd "$(dirname "$0")"
mkdir -p data
[ -f cdn/trades-2026-10.csv.gz ] || ./make-data.sh
./cdn.sh start
rm -f data/trades.csv.gz data/trades.csv data/rows.csv
./empty-db.sh
