# memory.sh - what novod and its warm children cost in memory (sourced
# by bench/run.sh).
#
# novod (sandbox on) with MEM_FNS functions x MEM_WARM warm children:
# novod's own VmRSS (/proc/PID/status: its threads, not its children) once
# every pool is full, again after a short load over every function (thread
# stacks and buffers that serving leaves behind), and VmHWM, its peak. The
# warm children's PSS (/proc/PID/smaps_rollup: shared pages divided among
# their sharers) gives what one more warm child costs; the spawners (one
# per function) are counted apart.

sum_rollup() {
	for p in "$@"; do rollup_kb "$p" Pss; done |
		awk '{ s += $1; n++ } END { printf "%d %d\n", n, s }'
}

mem_sample() {
	rss=$(status_kb "$NOVOD_PID" VmRSS)
	hwm=$(status_kb "$NOVOD_PID" VmHWM)
	pss=$(rollup_kb "$NOVOD_PID" Pss)
	set -- $(sum_rollup $(warm_children "$NOVOD_PID"))
	kids_n=$1 kids_pss=$2
	set -- $(sum_rollup $(spawners_of "$NOVOD_PID"))
	sp_n=$1 sp_pss=$2
	echo "$rss $hwm $pss $kids_n $kids_pss $sp_n $sp_pss"
}

all_full() {
	i=1
	while [ "$i" -le "$MEM_FNS" ]; do
		pool_full "mem$i" || return 1
		i=$((i + 1))
	done
}

target_memory() {
	set --
	names=''
	i=1
	while [ "$i" -le "$MEM_FNS" ]; do
		mkdir -p "$DIR/functions/mem$i"
		cp "$ROOT/functions/hello/hello" "$DIR/functions/mem$i/mem$i" ||
			return 1
		set -- "$@" "[mem$i]" "warm = $MEM_WARM"
		names="$names mem$i"
		i=$((i + 1))
	done
	novod_conf on "$@" || return 1
	fcgi="include /etc/nginx/fastcgi_params;
			fastcgi_pass novod;
			fastcgi_keep_conn on;"
	nginx_conf "$PING
		location /fn/ { $fcgi }
		location = /novo-status { $fcgi }" \
		"upstream novod { server unix:$DIR/novod.sock; keepalive 128; }" ||
		return 1
	start_novod || { stop "$NOVOD_PID" TERM; return 1; }
	if start_nginx && until_ok 150 all_full; then
		echo "idle $(mem_sample)" >"$TMP/memory.tsv"
		BENCH_FNS=$names wrk -t2 -c16 -d2s -s "$BENCH/rotate.lua" \
			"http://127.0.0.1:$PORT" >"$DIR/wrk-load.out" 2>&1
		until_ok 150 all_full || say "memory: pools not full again after the load"
		echo "loaded $(mem_sample)" >>"$TMP/memory.tsv"
		novod_check memory
	else
		loud "memory: novod's $MEM_FNS pools did not fill"
		FAILED=1
	fi
	stop "$NGINX_PID" QUIT
	stop "$NOVOD_PID" TERM
}
