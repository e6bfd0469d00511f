#!/bin/sh
# make-data.sh - 1,000 synthetic trades as the exchange sends them, one
# "key=value ..." line each, into trades.txt.
awk 'BEGIN { srand(7); for (i = 1; i <= 1000; i++)
    printf "id=%d ts=%d price=%.2f qty=%.4f side=%s\n", i, 1790812800000 + i * 37, 68000 + rand() * 50, rand(), rand() < 0.5 ? "b" : "s" }' >trades.txt
