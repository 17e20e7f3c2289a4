#!/bin/sh
# run.sh - `make bench`: novod against nginx's own ceiling and Debian's
# fcgiwrap, on this machine, in one go, bounded to BENCH_LIMIT seconds.
#
# Set-ups, each in its own temp folder with its own port and processes:
#   ceiling    nginx `return 200`
#   fcgiwrap   nginx -> fcgiwrap -c <cores> -> functions/hello, functions/fib
#   novod-on   nginx -> novod, sandbox = on  (keep-alive to novod)
#   novod-off  nginx -> novod, sandbox = off
# each measured with wrk at 1, 16 and 64 connections (a warm-up, then the
# measured run; hello's points ROUNDS times, the set-ups in turn, medians
# kept); before them, the floor: hello run by a tiny parent with
# no server at all (build/floor); then the first request of a function
# added by SIGHUP, and novod's memory with 10 functions x 4 warm children.
#
# Output: bench/out/results.md (the markdown table, the cold start, the
# memory, the targets of issue 4 with PASS/MISS) and bench/out/latency.png
# (latency CDF of every target), plus the raw data in bench/out/data/.
# Exit status: 0, or 1 when a set-up failed or any answer was not 2xx.
# docs/performance.md explains how to read them.
#
# Knobs (environment): BENCH_DURATION (s, 3), BENCH_ROUNDS (5: hello's
# points are measured that many times, in turns, and the medians kept),
# BENCH_WARMUP (s, 1), BENCH_CONNS ("1 16 64"), BENCH_FIB_N (30),
# BENCH_WARM (warm children per function, 4), BENCH_LIMIT (s, 300).

set -u
BENCH=$(cd "$(dirname "$0")" && pwd -P)
ROOT=$(dirname "$BENCH")
LIMIT=${BENCH_LIMIT:-300}

# The whole run is bounded: timeout sends SIGTERM at the limit (the trap
# below stops every process started here), SIGKILL 20 s later.
if [ -z "${BENCH_INNER:-}" ]; then
	exec timeout --foreground -k 20 "$LIMIT" env BENCH_INNER=1 sh "$0" "$@"
fi

DURATION=${BENCH_DURATION:-3}
ROUNDS=${BENCH_ROUNDS:-5}
WARMUP=${BENCH_WARMUP:-1}
CONNS=${BENCH_CONNS:-1 16 64}
FIB_N=${BENCH_FIB_N:-30}
WARM=${BENCH_WARM:-4}
COLD_ROUNDS=5
STEADY_N=30
MEM_FNS=10
MEM_WARM=4
NOVOD=$ROOT/build/novod
NGINX=/usr/sbin/nginx
FCGIWRAP=/usr/sbin/fcgiwrap
OUT=$ROOT/bench/out
FAILED=0

. "$BENCH/lib.sh"
. "$BENCH/targets.sh"
. "$BENCH/coldstart.sh"
. "$BENCH/memory.sh"
. "$BENCH/plot.sh"

# What the run needs, installed with apt-get when root (`make bench` has
# already run tests/deps.sh; this covers `sh bench/run.sh` alone).
deps() {
	missing=''
	for p in wrk:wrk fcgiwrap:$FCGIWRAP gnuplot:gnuplot-nox nginx:$NGINX \
		curl:curl ss:iproute2 pgrep:procps; do
		cmd=${p%%:*} pkg=${p#*:}
		case $pkg in
		/*) [ -x "$pkg" ] && continue; pkg=$cmd ;;
		*) command -v "$cmd" >/dev/null 2>&1 && continue ;;
		esac
		[ "$pkg" = nginx ] && pkg=nginx-light
		missing="$missing $pkg"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		say "missing:$missing; as root: apt-get install -y$missing"
		return 1
	fi
	say "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2 &&
		apt-get install -y -q --no-install-recommends $missing >&2
}

# The floor: hello run by build/floor (vfork, execve, read, wait), alone
# on the machine, with one loop and with one loop per core.
target_floor() {
	: >"$TMP/floor.tsv"
	[ -x "$ROOT/build/floor" ] || { loud "build/floor is missing (make build/floor)"; return 0; }
	for loops in 1 "$(nproc)"; do
		f=$("$ROOT/build/floor" "$ROOT/functions/hello/hello" "$DURATION" "$loops") ||
			{ loud "floor: hello did not run"; FAILED=1; return 0; }
		echo "$loops $f" >>"$TMP/floor.tsv"
		say "floor      hello loops=$loops  $f (runs/s p50 p99)"
	done
}

# The cold start and the memory: each a fresh folder and port; a failed
# one is reported, the run goes on with the next.
run_target() {
	mkdir -p "$DIR" && chmod 755 "$DIR" || return 1
	PORT=$(free_port) || { loud "no free port"; return 1; }
	say "--- $1 (load $(cut -d' ' -f1-3 /proc/loadavg))"
	"$1" || { loud "$1 failed"; FAILED=1; }
}

cleanup() {
	trap '' INT TERM
	say "interrupted (signal, or the ${LIMIT} s limit): stopping what was started"
	stop_all
	exit "${1:-1}"
}

deps || exit 1
[ -x "$NOVOD" ] || { say "$NOVOD is missing: run make first"; exit 1; }
for f in hello fib; do
	[ -x "$ROOT/functions/$f/$f" ] || { say "functions/$f/$f is missing: run make"; exit 1; }
done
TMP=$(mktemp -d /tmp/novo-bench-XXXXXX) || exit 1
# warm children run as nobody: they must reach their folder under $TMP
chmod 755 "$TMP"
mkdir -p "$TMP/cdf" "$OUT"
: >"$TMP/results.tsv"
: >"$TMP/pids"
trap 'cleanup 1' INT TERM

t_start=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
say "temp folder $TMP; limit ${LIMIT} s; wrk ${WARMUP} s + ${DURATION} s per point"

target_floor
bench_all
DIR=$TMP/coldstart
run_target target_coldstart
DIR=$TMP/memory
run_target target_memory
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
stop_all

{
	echo "# novo benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "Machine: $(hostname), $(nproc) cores, Linux $(uname -r); novod $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (tree modified)')."
	echo "Load average (1, 5, 15 min) at start: $load_start; at end: $load_end. The load column is the 1-min load just before a measured run (the highest of its rounds); with $(nproc) cores, a load above $(nproc) means others competed for the CPU."
	echo "wrk: ${WARMUP} s warm-up, then ${DURATION} s measured, 1 thread at 1 connection, 2 above; hello's points $ROUNDS times each, the targets in turn (the ceiling once), and the table gives the median of each figure over the rounds, with the range of req/s. fib is fib(n=$FIB_N); novod functions have warm = $WARM; fcgiwrap -c $(nproc); nginx worker_processes $(nproc). Run time $(($(date +%s) - t_start)) s."
	echo
	touch "$TMP/cold.tsv" "$TMP/memory.tsv" "$TMP/floor.tsv"
	if [ -s "$TMP/faults.txt" ]; then
		echo "**Faults seen during the run** (every answer was still counted above; novod's logs were in $TMP):"
		echo
		sed 's/^\([^ ]\)/- \1/' "$TMP/faults.txt"
		echo
	fi
	awk -v fib_n="$FIB_N" -v mem_fns="$MEM_FNS" -v mem_warm="$MEM_WARM" \
		-v rss_max_kb=20480 -f "$BENCH/report.awk" \
		"$TMP/results.tsv" "$TMP/cold.tsv" "$TMP/memory.tsv" "$TMP/floor.tsv"
} >"$OUT/results.md"

rm -rf "$OUT/data"
mkdir -p "$OUT/data"
cp -r "$TMP/results.tsv" "$TMP/cold.tsv" "$TMP/memory.tsv" "$TMP/floor.tsv" "$TMP/cdf" "$OUT/data/"
plot_latency "$OUT/latency.png" || { loud "gnuplot failed"; FAILED=1; }
cat "$OUT/results.md"
echo
say "wrote $OUT/results.md and $OUT/latency.png (raw data: $OUT/data/)"
grep -q 'NON-2XX' "$OUT/results.md" && FAILED=1
[ "$FAILED" = 0 ] && rm -rf "$TMP"
[ "$FAILED" = 0 ] || say "something failed: see above; logs kept in $TMP"
exit "$FAILED"
