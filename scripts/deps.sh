#!/bin/sh
# deps.sh - install what perfd needs to build, test and run the quickstart
# (Debian packages), only what is missing. Needs root or sudo.
set -eu
pkgs="gcc libc6-dev meson ninja-build pkg-config libuv1-dev libyaml-dev libcjson-dev
libsqlite3-dev libcurl4-openssl-dev libpq-dev sqlite3 gzip procps util-linux git linux-perf
strace curl eatmydata python3 sqlite-utils afl++ postgresql prometheus"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps.sh: installing$missing" >&2
as_root=
[ "$(id -u)" = 0 ] || as_root=sudo
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -qq
# shellcheck disable=SC2086
$as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
