#!/bin/sh
# load.sh N - rows.csv as INSERTs through psql, a COMMIT every N rows (1:
# each row its own transaction, as the load is written today).
awk -F, -v n="${1:-1}" '{ if (n > 1 && (NR - 1) % n == 0) print "BEGIN;";
    printf "INSERT INTO trades VALUES (%d, %d, %s, %s, '\''%s'\'');\n", $1, $2, $3, $4, $5;
    if (n > 1 && NR % n == 0) print "COMMIT;" } END { if (n > 1 && NR % n != 0) print "COMMIT;" }' rows.csv |
    psql -Xq -v ON_ERROR_STOP=1
