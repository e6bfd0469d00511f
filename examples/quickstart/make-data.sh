#!/bin/sh
# make-data.sh - one month of synthetic trades, as the exchange publishes
# them: CSV with a header, gzip-compressed. Deterministic (fixed seed).
set -eu
cd "$(dirname "$0")"
mkdir -p cdn
awk -v rows="${ROWS:-30000}" 'BEGIN {
	srand(42)
	print "trade_id,time_ms,price,qty,is_buyer_maker"
	t = 1790812800000; p = 68000
	for (i = 1; i <= rows; i++) {
		t += int(rand() * 90); p += (rand() - 0.5) * 8
		printf "%d,%d,%.2f,%.6f,%s\n", 300000000 + i, t, p, rand() * 0.8,
		    rand() < 0.5 ? "true" : "false"
	}
}' | gzip -6 > cdn/trades-2026-10.csv.gz.tmp
mv cdn/trades-2026-10.csv.gz.tmp cdn/trades-2026-10.csv.gz
