#!/bin/sh
# parse.sh IN OUT - validate and normalise the trades: drop the header,
# add the notional (price x qty), booleans as 0/1.
set -eu
awk -F, 'NR > 1 {
	if (NF != 5) { print "bad row " NR > "/dev/stderr"; exit 1 }
	printf "%s,%s,%s,%s,%.8f,%d\n", $1, $2, $3, $4, $3 * $4, $5 == "true"
}' "$1" > "$2"
