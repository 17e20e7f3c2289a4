#!/bin/sh
# tests/cluster/run.sh - three novod hosts in network namespaces behind one
# nginx (issue 6). Needs root, iproute2 and nginx; builds the test function
# whoami (static), then runs cluster.py, which prints `ok - ...` /
# `not ok - ...` and `N passed, M failed` last, and tears down what it made.
# The trap below is a second line of defence if cluster.py itself dies:
# it deletes the namespaces of this run, by their names.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tag=$$

fail() { echo "not ok - $*"; echo "0 passed, 1 failed"; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "cluster: needs root (network namespaces, veth pairs)"
if ! command -v ip >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q iproute2 >/dev/null 2>&1 ||
		fail "cluster: iproute2 missing and apt-get install iproute2 failed"
fi
command -v nginx >/dev/null || fail "cluster: nginx missing (make deps)"
command -v python3 >/dev/null || fail "cluster: python3 missing"
[ -x "$top/build/novod" ] || fail "cluster: build/novod missing (make)"

work=$(mktemp -d /tmp/novo-cluster-bin.XXXXXX) || fail "cluster: mktemp"
cleanup() {
	for ns in h1 h2 h3 x; do
		ip netns del "novo-$tag-$ns" 2>/dev/null
	done
	for l in h1 h2 h3; do
		ip link del "nv${tag}$l" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -static \
	-o "$work/whoami" "$here/whoami.c" 2>"$work/cc.log" ||
	{ cat "$work/cc.log"; fail "cluster: build tests/cluster/whoami.c"; }

PYTHONDONTWRITEBYTECODE=1 python3 "$here/cluster.py" "$tag" "$top/build/novod" "$work/whoami"
