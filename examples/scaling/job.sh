#!/bin/sh
# job.sh in/<job> - the job's tasks one after another: each number through
# a little arithmetic (the task's CPU work) into out/<job>/<task>.txt.
job=$(basename "$1")
for f in "$1"/*.txt; do
	awk '{ x = $1; for (k = 0; k < 40; k++) x = sqrt(x * x + k); printf "%.6f\n", x }' "$f" >"out/$job/$(basename "$f")"
done
