# coldstart.sh - the first request of a function added by SIGHUP, against
# that function's steady state (sourced by bench/run.sh).
#
# novod (sandbox on) serves hello. Then, COLD_ROUNDS times: a new
# function coldN (a fresh copy of the hello binary in its own folder) is
# appended to functions.ini, novod gets SIGHUP, the status is polled until
# coldN's pool is full, and the very first request to coldN is timed with
# curl -w. Its steady state is then timed the same way: STEADY_N more
# requests, each from a new curl (a new connection to nginx, as the first
# one had), and their median. wrk -c 1 gives a second steady p50.

# Milliseconds since the epoch, to the microsecond.
now_ms() { date +%s.%N | awk '{ printf "%.3f", $1 * 1000 }'; }

curl_ms() {
	curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$1" |
		awk '{ printf "%s %.3f\n", $1, $2 * 1000 }'
}

median() { sort -n | awk '{ v[NR] = $1 } END {
	if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2];
	else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

target_coldstart() {
	copy_functions hello || return 1
	novod_conf on "[hello]" "warm = $WARM" || return 1
	novod_nginx_conf || return 1
	start_novod || { stop "$NOVOD_PID" TERM; return 1; }
	if start_nginx && until_ok 100 pool_full hello; then
		curl_ms "http://127.0.0.1:$PORT/fn/hello" >/dev/null
		r=1
		while [ "$r" -le "$COLD_ROUNDS" ]; do
			cold_round "cold$r" || FAILED=1
			r=$((r + 1))
		done
	else
		loud "coldstart: novod did not get ready"
		FAILED=1
	fi
	stop "$NGINX_PID" QUIT
	stop "$NOVOD_PID" TERM
}

# One added function: a line "name ready_ms first_ms steady_curl_ms
# steady_wrk_p50_ms steady_over_1.5x steady_n" in $TMP/cold.tsv.
cold_round() {
	fn=$1
	u="http://127.0.0.1:$PORT/fn/$fn"
	mkdir -p "$DIR/functions/$fn"
	cp "$ROOT/functions/hello/hello" "$DIR/functions/$fn/$fn" || return 1
	printf '[%s]\nwarm = %s\n' "$fn" "$WARM" >>"$DIR/functions.ini"
	t0=$(now_ms)
	kill -HUP "$NOVOD_PID"
	if ! until_ok 100 pool_full "$fn"; then
		loud "coldstart: $fn not ready 10 s after SIGHUP"
		return 1
	fi
	ready=$(awk -v a="$t0" -v b="$(now_ms)" 'BEGIN { printf "%.1f", b - a }')
	set -- $(curl_ms "$u")
	if [ "$1" != 200 ]; then
		loud "coldstart: first request to $fn answered $1"
		return 1
	fi
	first=$2
	i=0
	: >"$DIR/$fn-steady.txt"
	while [ "$i" -lt "$STEADY_N" ]; do
		curl_ms "$u" >>"$DIR/$fn-steady.txt"
		i=$((i + 1))
	done
	if grep -vq '^200 ' "$DIR/$fn-steady.txt"; then
		loud "coldstart: non-200 answers from $fn (see $DIR/$fn-steady.txt)"
		return 1
	fi
	steady=$(cut -d' ' -f2 "$DIR/$fn-steady.txt" | median)
	# how often a steady request is itself over 1.5 x the median: the
	# noise a single first request is judged against
	over=$(awk -v m="$steady" '$2 > 1.5 * m { n++ } END { print n + 0 }' \
		"$DIR/$fn-steady.txt")
	wrk -t1 -c1 -d2s -s "$BENCH/report.lua" "$u" >"$DIR/$fn-wrk.out" 2>&1
	wrkp50=$(sed -n 's/^RESULT .* p50=\([0-9]*\) .*/\1/p' "$DIR/$fn-wrk.out" |
		awk '{ printf "%.3f", $1 / 1000 }')
	echo "$fn $ready $first $steady ${wrkp50:-nan} $over $STEADY_N" >>"$TMP/cold.tsv"
	say "coldstart $fn: ready ${ready} ms after SIGHUP; first request" \
		"$first ms; steady median $steady ms (curl), p50 ${wrkp50:-?} ms (wrk -c1)"
}
