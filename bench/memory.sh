# memory.sh - what novod and its warm children cost in memory (sourced
# by bench/run.sh).
#
# novod (sandbox on) with MEM_FNS functions x MEM_WARM warm children:
# novod's own VmRSS (/proc/PID/status: its threads, not its children) once
# every pool is full, again after a short load over every function (thread
# stacks and buffers that serving leaves behind), and VmHWM, its peak. The
# warm children's PSS (/proc/PID/smaps_rollup: shared pages divided among
# their sharers) and private memory (USS: what its exit frees) and page
# tables give what one more warm child costs; the spawners (one per
# function, whose pages the children share) are counted apart.

# "count PSS private page-tables" of the processes given, kB summed.
sum_rollup() {
	for p in "$@"; do
		echo "$(rollup_kb "$p" Pss) $(rollup_kb "$p" Private_Clean)" \
			"$(rollup_kb "$p" Private_Dirty) $(status_kb "$p" VmPTE)"
	done | awk 'NF == 4 { s += $1; u += $2 + $3; t += $4; n++ }
		END { printf "%d %d %d %d\n", n, s, u, t }'
}

mem_sample() {
	rss=$(status_kb "$NOVOD_PID" VmRSS)
	hwm=$(status_kb "$NOVOD_PID" VmHWM)
	pss=$(rollup_kb "$NOVOD_PID" Pss)
	kids=$(sum_rollup $(warm_children "$NOVOD_PID"))
	spawners=$(sum_rollup $(spawners_of "$NOVOD_PID"))
	echo "$rss $hwm $pss $kids $spawners"
}

# (j, not i: until_ok counts its tries in i)
all_full() {
	j=1
	while [ "$j" -le "$MEM_FNS" ]; do
		pool_full "mem$j" || return 1
		j=$((j + 1))
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
	novod_nginx_conf || return 1
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
