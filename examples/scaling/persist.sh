#!/bin/sh
# persist.sh - the merged results into SQLite, one table, in one transaction.
for m in merged/*.txt; do
	sed "s/^/$(basename "$m" .txt),/" "$m"
done >merged.csv
sqlite3 results.db 'DROP TABLE IF EXISTS results' 'CREATE TABLE results (job INTEGER, value REAL)' \
    '.mode csv' '.import merged.csv results'
