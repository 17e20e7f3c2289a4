#!/bin/sh
# tests/hostile/run.sh - the attacks of tests/hostile/ through real nginx and
# novod, each with its unconfined control (`make test` runs it).
#
#   tests/hostile/run.sh [--novod PATH] [--only NAME]... [--keep]
#
# Builds the attack programs into build/hostile/, then runs hostile.py.
# Prints `ok - ...`/`not ok - ...`, last line `N passed, M failed`; exit 1
# on any failure. Needs root: the controls run as nobody and in throwaway
# namespaces, and one test installs a setuid-root binary.
cd "$(dirname "$0")/../.." || exit 1

fail() {
	echo "not ok - $1"
	echo "0 passed, 1 failed"
	exit 1
}

[ "$(id -u)" -eq 0 ] || fail "tests/hostile must run as root (controls switch to nobody)"
make -s -C tests/hostile OUT="$PWD/build/hostile" >build/hostile.log 2>&1 ||
	fail "build the attack programs: $(tail -n 5 build/hostile.log | tr '\n' ' ')"
rm -f build/hostile.log
[ -x build/novod ] || fail "build/novod is missing (run make)"
exec python3 tests/hostile/hostile.py "$@"
