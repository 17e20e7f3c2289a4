#!/bin/sh
# profile.sh - where novod's time per request goes (not part of make
# bench): nginx -> novod (sandbox on, hello, warm = 4) under wrk -c 16,
# while
#   1. strace -c -f on novod (its threads), then on hello's spawner (and
#      the warm children it clones, through their execve of hello);
#   2. perf record -g on the whole machine (cpu-clock: works in a VM
#      without a PMU), reported by command and by symbol.
# strace slows novod down many times: read its calls per request, not
# its times (blocking calls, futex and poll, count their waits).
# Output in bench/out/profile/. Knob: PROFILE_SECONDS (5).

set -u
BENCH=$(cd "$(dirname "$0")" && pwd -P)
ROOT=$(dirname "$BENCH")
SECS=${PROFILE_SECONDS:-5}
WARM=${BENCH_WARM:-4}
NOVOD=$ROOT/build/novod
NGINX=/usr/sbin/nginx
OUT=$ROOT/bench/out/profile
FAILED=0
. "$BENCH/lib.sh"

for c in strace perf wrk; do
	command -v "$c" >/dev/null 2>&1 || { say "$c is missing (apt-get install $c; perf: linux-perf)"; exit 1; }
done
TMP=$(mktemp -d /tmp/novo-profile-XXXXXX) || exit 1
chmod 755 "$TMP"
: >"$TMP/pids"
trap 'stop_all; exit 1' INT TERM
DIR=$TMP/novod
mkdir -p "$DIR" "$OUT"
chmod 755 "$DIR"
PORT=$(free_port) || exit 1
copy_functions hello || exit 1
novod_conf on "[hello]" "warm = $WARM"
fcgi="include /etc/nginx/fastcgi_params; fastcgi_pass novod; fastcgi_keep_conn on;"
nginx_conf "location = /ping { return 200; }
	location /fn/ { $fcgi }
	location = /novo-status { $fcgi }" \
	"upstream novod { server unix:$DIR/novod.sock; keepalive 128; }"
start_novod && start_nginx && until_ok 100 pool_full hello || {
	stop_all
	exit 1
}
URL=http://127.0.0.1:$PORT/fn/hello
SPAWNER=$(spawners_of "$NOVOD_PID" | head -n 1)

# load: wrk at 16 connections for $SECS s, its summary to stderr.
load() { wrk -t2 -c16 -d"${SECS}s" "$URL" 2>&1 | grep -E 'Requests/sec|Latency ' >&2; }

# hello's request counter, from novod's status.
served() {
	curl -s "http://127.0.0.1:$PORT/novo-status" |
		sed -n 's/^ *"hello": {"requests": \([0-9]*\).*/\1/p'
}

# strace_load PID FILE: strace -c -f on PID during a load; then FILE gets
# a column more, the calls per request (requests counted by novod).
strace_load() {
	strace -c -f -qq -o "$2.raw" -p "$1" &
	st=$!
	sleep 1
	r0=$(served)
	load
	r1=$(served)
	kill -INT "$st"
	wait "$st"
	awk -v n="$((r1 - r0))" '
		NR == 1 { print "requests during the trace: " n; print $0 "  calls/request"; next }
		$4 ~ /^[0-9]+$/ && n > 0 { printf "%s  %8.2f\n", $0, $4 / n; next }
		{ print }' "$2.raw" >"$2"
	rm -f "$2.raw"
}

say "uptime: $(uptime)"
say "baseline, nothing attached:"
load
say "strace -c -f on novod $NOVOD_PID (its threads):"
strace_load "$NOVOD_PID" "$OUT/strace-novod.txt"
say "strace -c -f on the spawner $SPAWNER (and the children it clones):"
strace_load "$SPAWNER" "$OUT/strace-spawner.txt"
say "perf record -a -g:"
perf record -q -e cpu-clock -a -g -o "$OUT/perf.data" -- sleep "$SECS" \
	>/dev/null 2>&1 &
pf=$!
load
wait "$pf"
# novod's threads are named by role (docs/operations.md)
NOVOD_COMMS=novod,novod-req,novod-pool,novod-accept,novod-watch
perf report -q -i "$OUT/perf.data" --no-children --sort comm -g none \
	--stdio 2>/dev/null | grep -v '^$' | head -n 20 >"$OUT/perf-comm.txt"
perf report -q -i "$OUT/perf.data" --no-children --sort comm,dso,sym \
	-g none --stdio 2>/dev/null | grep -v '^$' | head -n 60 >"$OUT/perf-sym.txt"
perf report -q -i "$OUT/perf.data" --no-children --comm "$NOVOD_COMMS" \
	--sort sym -g none --stdio 2>/dev/null | grep -v '^$' |
	head -n 40 >"$OUT/perf-novod.txt"
perf report -q -i "$OUT/perf.data" --no-children --comm hello \
	--sort dso,sym -g none --stdio 2>/dev/null | grep -v '^$' |
	head -n 30 >"$OUT/perf-hello.txt"
# novod's samples by kernel leaf <- its caller <- the user-space call:
# in a VM, the top leaves are where interrupts are enabled again after a
# wake-up or a switch; their callers say which wake-ups novod pays for.
perf script -i "$OUT/perf.data" --comm "$NOVOD_COMMS" -F comm,ip,sym 2>/dev/null | awk '
	/^ *novod/ { in_s = 1; leaf = ""; call = ""; user = ""; next }
	NF == 0 { if (in_s) { n[leaf " <- " call " <- " user]++; tot++ } in_s = 0; next }
	{
		if (leaf == "") leaf = $2
		else if (call == "" && $2 !~ /spin_unlock|finish_task_switch/) call = $2
		if (user == "" && $1 !~ /^ffffffff/) user = $2
	}
	END { for (k in n) printf "%5.1f%%  %s\n", 100 * n[k] / tot, k }' |
	sort -rn | head -n 25 >"$OUT/perf-novod-callers.txt"
stop_all
for f in strace-novod strace-spawner perf-comm perf-sym perf-novod perf-hello perf-novod-callers; do
	echo "== $f"
	head -n 30 "$OUT/$f.txt"
done
rm -rf "$TMP"
