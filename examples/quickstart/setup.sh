#!/bin/sh
# setup.sh - before every run (not timed): data made once, the local CDN
# up, the previous run's files gone and an empty table to load into.
set -eu
cd "$(dirname "$0")"
mkdir -p data
[ -f cdn/trades-2026-10.csv.gz ] || ./make-data.sh
./cdn.sh start
rm -f data/trades.csv.gz data/trades.csv data/rows.csv data/trades.db
sqlite3 data/trades.db "CREATE TABLE trades (trade_id INTEGER PRIMARY KEY,
    time_ms INTEGER NOT NULL, price REAL NOT NULL, qty REAL NOT NULL,
    notional REAL NOT NULL, buyer_maker INTEGER NOT NULL)"
