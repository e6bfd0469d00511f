#!/bin/sh
# merge.sh - each job's task results merged into one sorted list, the way
# the team wrote it: the list so far sorted again with each task's result
# (so a job of N tasks sorts about N^2 / 2 results' worth).
mkdir -p merged
for d in out/*; do
	m="merged/$(basename "$d").txt"
	: >"$m"
	for f in "$d"/*.txt; do
		sort -n "$m" "$f" -o "$m"
	done
done
