#!/bin/sh
# split.sh N J - J jobs of N tasks each: in/<job>/<task>.txt, 3,000 numbers a task.
rm -rf in out merged results.db
for j in $(seq "$2"); do
	mkdir -p "in/$j" "out/$j"
	for i in $(seq "$1"); do
		awk -v seed="$((j * 1000 + i))" 'BEGIN { srand(seed); for (k = 0; k < 3000; k++) printf "%.6f\n", rand() * 1e6 }' >"in/$j/$i.txt"
	done
done
