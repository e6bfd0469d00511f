#!/bin/sh
# empty-db.sh - a fresh data/trades.db with an empty trades table: for
# setup.sh, and as the ingest stage's prepare (so that perfd can time the
# ingest again without downloading, extracting and parsing again).
set -eu
cd "$(dirname "$0")"
rm -f data/trades.db data/trades.db-journal
sqlite3 data/trades.db "CREATE TABLE trades (trade_id INTEGER PRIMARY KEY,
    time_ms INTEGER NOT NULL, price REAL NOT NULL, qty REAL NOT NULL,
    notional REAL NOT NULL, buyer_maker INTEGER NOT NULL)"
