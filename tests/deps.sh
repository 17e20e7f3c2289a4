#!/bin/sh
# deps.sh [run|test|bench] - the first step of `make run`, `make test`
# and `make bench`: installs the Debian packages they need when some are
# missing. Quiet when everything is there. As root it runs apt-get; as
# anyone else it prints the exact command and fails.
# (The kernel headers for the module are tests/lkm's business.)

set -u
export DEBIAN_FRONTEND=noninteractive

# package, or "a|b": either one will do (the first is installed).
# `make run` needs only what builds and serves; tests and the benchmark
# add their tools (so `make run` does not install fcgiwrap, say).
NEEDED="build-essential g++ libfcgi-dev libinih-dev libseccomp-dev
nginx-light|nginx|nginx-full|nginx-extras curl rustc"
case ${1:-run} in
test) NEEDED="$NEEDED python3 iproute2" ;;
bench) NEEDED="$NEEDED python3 fcgiwrap wrk gnuplot-nox|gnuplot" ;;
esac

installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

# rustc from rustup (~/.cargo/bin) serves as well as Debian's.
have() {
	case $1 in
	rustc) command -v rustc >/dev/null 2>&1 && return 0 ;;
	esac
	installed "$1"
}

missing=''
for want in $NEEDED; do
	ok=''
	for pkg in $(echo "$want" | tr '|' ' '); do
		have "$pkg" && { ok=1; break; }
	done
	[ -n "$ok" ] || missing="$missing ${want%%|*}"
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing Debian packages:$missing" >&2
	echo "deps.sh: run as root: apt-get update && $cmd" >&2
	exit 1
fi
echo "deps.sh: installing$missing" >&2
apt-get update -q >&2 || { echo "deps.sh: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086 # $missing is a list of words
apt-get install -y -q --no-install-recommends $missing >&2 ||
	{ echo "deps.sh: apt-get install failed" >&2; exit 1; }
