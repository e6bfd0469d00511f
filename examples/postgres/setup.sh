#!/bin/sh
# setup.sh - the table as the load expects it, empty.
psql -Xq -v ON_ERROR_STOP=1 -c 'DROP TABLE IF EXISTS trades' -c 'CREATE TABLE trades (id bigint PRIMARY KEY, ts bigint NOT NULL, price real, qty real, side text)' 2>/dev/null
