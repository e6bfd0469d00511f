#!/bin/sh
# cdn.sh start|stop - the local stand-in for the exchange's CDN.
# Built from slow-cdn.c on first use; it stops by itself when idle.
set -eu
cd "$(dirname "$0")"
# Running, and not a zombie left for a parent that does not reap.
pid() {
	[ -s cdn/pid ] || return 1
	state=$(sed 's/.*) //' "/proc/$(cat cdn/pid)/stat" 2>/dev/null | cut -c1)
	[ -n "$state" ] && [ "$state" != Z ]
}
case "${1:-start}" in
start)
	pid && exit 0
	mkdir -p .bin cdn
	[ -x .bin/slow-cdn ] && [ .bin/slow-cdn -nt slow-cdn.c ] ||
	    cc -O2 -o .bin/slow-cdn slow-cdn.c
	rm -f cdn/pid
	# 250 ms to the first byte and 1.5 MB/s per connection: a far-away edge.
	setsid .bin/slow-cdn --root cdn --port 18931 --latency-ms 250 \
	    --rate 1500000 --idle-exit 30 --pidfile cdn/pid </dev/null >cdn/log 2>&1 &
	i=0
	until [ -s cdn/pid ]; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			echo "cdn.sh: the local CDN did not start:" >&2
			cat cdn/log >&2
			exit 1
		fi
		sleep 0.05
	done
	;;
stop)
	pid && kill "$(cat cdn/pid)" || true
	;;
esac
