#!/bin/sh
# make-data.sh - 1,000 synthetic trades (id, ts, price, qty, side) into rows.csv.
awk 'BEGIN { srand(7); for (i = 1; i <= 1000; i++)
    printf "%d,%d,%.2f,%.4f,%s\n", i, 1790812800000 + i * 37, 68000 + rand() * 50, rand(), rand() < 0.5 ? "b" : "s" }' >rows.csv
