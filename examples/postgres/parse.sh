#!/bin/sh
# parse.sh - trades.txt ("key=value ..." lines) into rows.csv (id, ts,
# price, qty, side): the step the team believes is slow.
awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "%s,%s,%s,%s,%s\n", v["id"], v["ts"], v["price"], v["qty"], v["side"] }' trades.txt >rows.csv
