#!/bin/sh
# ingest.sh [BATCH] - load data/rows.csv into the trades table.
# No BATCH: one bulk .import (one transaction). With BATCH: one
# transaction per BATCH rows, as a row-streaming loader would.
set -eu
batch=${1:-0}
if [ "$batch" -le 0 ]; then
	sqlite3 data/trades.db ".import --csv data/rows.csv trades"
	exit 0
fi
rm -rf data/chunks
mkdir data/chunks
split -l "$batch" data/rows.csv data/chunks/c.
for f in data/chunks/c.*; do echo ".import --csv $f trades"; done |
    sqlite3 data/trades.db
rm -rf data/chunks
