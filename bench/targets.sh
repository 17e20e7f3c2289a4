# targets.sh - the set-ups measured by bench/run.sh (sourced). Each one
# gets its own folder, its own port, its own nginx and its own backend.
# All four are started first and measured in turns (hello at 1
# connection on each, then at 16...), so that on a machine whose load
# drifts, the figures compared with each other are taken close in time.

# Every set-up answers /ping itself, to know nginx is up.
PING='location = /ping { return 200 "pong\n"; }'
TARGETS='ceiling fcgiwrap novod-on novod-off'

# var NAME TARGET [VALUE]: per-target variables (DIR, PORT, UP).
var() {
	v="$1_$(echo "$2" | tr -- '-' '_')"
	if [ $# = 3 ]; then eval "$v=\$3"; else eval "echo \"\${$v:-}\""; fi
}

# up TARGET: makes the set-up's folder and port, starts it; remembers
# its folder, port and nginx pid.
up() {
	DIR="$TMP/$1"
	mkdir -p "$DIR" && chmod 755 "$DIR" || return 1
	PORT=$(free_port) || { loud "no free port"; return 1; }
	NGINX_PID='' NOVOD_PID=''
	case $1 in
	ceiling) up_ceiling ;;
	fcgiwrap) up_fcgiwrap ;;
	novod-on) up_novod on ;;
	novod-off) up_novod off ;;
	esac
	rc=$?
	var DIR "$1" "$DIR"
	var PORT "$1" "$PORT"
	[ "$rc" = 0 ] && var UP "$1" yes
	return "$rc"
}

# nginx's `return 200`: what nginx alone can do on this machine, the
# ceiling no FastCGI backend can pass.
up_ceiling() {
	nginx_conf "$PING
		location = /fn/hello { return 200 \"Hello, world!\\n\"; }" "" &&
		start_nginx
}

# Debian's fcgiwrap, as /usr/share/doc/fcgiwrap/examples/nginx.conf sets
# it up: one connection per request (fcgiwrap serves one connection at a
# time per process, so nginx's keep-alive would hold its few processes
# idle), -c = cores.
up_fcgiwrap() {
	copy_functions hello fib || return 1
	fcgi="include /etc/nginx/fastcgi_params;
			fastcgi_pass unix:$DIR/fcgiwrap.sock;"
	nginx_conf "$PING
		location = /fn/hello { $fcgi
			fastcgi_param SCRIPT_FILENAME $DIR/functions/hello/hello; }
		location = /fn/fib { $fcgi
			fastcgi_param SCRIPT_FILENAME $DIR/functions/fib/fib; }" "" ||
		return 1
	start fcgiwrap "$FCGIWRAP" -c "$(nproc)" -s "unix:$DIR/fcgiwrap.sock"
	until_ok 50 test -S "$DIR/fcgiwrap.sock" || {
		loud "fcgiwrap made no socket"
		cat "$DIR/fcgiwrap.out" >&2
		return 1
	}
	start_nginx
}

# The nginx side of novod: keep-alive connections to it.
novod_nginx_conf() {
	fcgi="include /etc/nginx/fastcgi_params;
			fastcgi_pass novod;
			fastcgi_keep_conn on;"
	nginx_conf "$PING
		location /fn/ { $fcgi }
		location = /novo-status { $fcgi }" \
		"upstream novod { server unix:$DIR/novod.sock; keepalive 128; }"
}

# nginx -> novod; $1: sandbox on|off.
up_novod() {
	copy_functions hello fib || return 1
	novod_conf "$1" "[hello]" "warm = $WARM" "[fib]" "warm = $WARM" &&
		novod_nginx_conf && start_novod && start_nginx || return 1
	until_ok 100 pool_full hello && until_ok 100 pool_full fib || {
		loud "novod-$1: pools not full after 10 s"
		return 1
	}
}

# URL of function $2 on target $1, or nothing (the ceiling has no fib).
url_of() {
	case $1:$2 in
	ceiling:fib) return 0 ;;
	*:fib) echo "http://127.0.0.1:$(var PORT "$1")/fn/fib?n=$FIB_N" ;;
	*) echo "http://127.0.0.1:$(var PORT "$1")/fn/$2" ;;
	esac
}

# bench_point FN CONNS: every target in turn, ROUNDS times over for
# hello (the ceiling once): a ratio is then of medians taken side by
# side, not of two single runs some seconds apart on a machine whose
# speed drifts.
bench_point() {
	rounds=1
	[ "$1" = hello ] && rounds=$ROUNDS
	k=1
	while [ "$k" -le "$rounds" ]; do
		for t in $TARGETS; do
			u=$(url_of "$t" "$1")
			[ -n "$u" ] && [ "$(var UP "$t")" = yes ] || continue
			[ "$t" = ceiling ] && [ "$k" -gt 1 ] && continue
			DIR=$(var DIR "$t")
			bench_url "$t" "$1" "$2" "$u" "$k" || FAILED=1
		done
		k=$((k + 1))
	done
	for t in $TARGETS; do
		median_cdf "$t" "$1" "$2"
	done
}

# median_cdf TARGET FN CONNS: the curve drawn is that of the median round.
median_cdf() {
	k=$(awk -v t="$1" -v f="$2" -v c="$3" \
		'$1 == t && $2 == f && $3 == c && $5 > 0 { print $4 / $5, $11 }' \
		"$TMP/results.tsv" | sort -n | awk '{ r[NR] = $2 } END { if (NR) print r[int((NR + 1) / 2)] }')
	[ -n "$k" ] && cp "$TMP/cdf/$1-$2-$3.r$k" "$TMP/cdf/$1-$2-$3.dat"
}

bench_all() {
	for t in $TARGETS; do
		say "--- set-up $t (load $(cut -d' ' -f1-3 /proc/loadavg))"
		up "$t" || { loud "set-up $t failed"; FAILED=1; }
	done
	for fn in hello fib; do
		word=Hello
		[ "$fn" = fib ] && word="fib($FIB_N)"
		for t in $TARGETS; do
			u=$(url_of "$t" "$fn")
			[ -n "$u" ] && [ "$(var UP "$t")" = yes ] || continue
			DIR=$(var DIR "$t")
			check_url "$u" "$word" || { var UP "$t" no; FAILED=1; }
		done
		for c in $CONNS; do
			bench_point "$fn" "$c"
		done
	done
	for t in novod-on novod-off; do
		[ "$(var UP "$t")" = yes ] || continue
		PORT=$(var PORT "$t") DIR=$(var DIR "$t")
		novod_check "$t"
	done
	stop_all
}

# novod's own counters must agree: no 3xx/4xx/5xx, no spawn failure, no
# timeout. What is found goes to faults.txt, with novod's error lines.
novod_check() {
	curl -s "http://127.0.0.1:$PORT/novo-status" >"$DIR/status.json"
	bad=$(sed -n 's/^ *"\([A-Za-z0-9_-]*\)": {"requests".*/\1 &/p' "$DIR/status.json" |
		while read -r name line; do
			b=$(echo "$line" | grep -o '"[345]xx": [1-9][0-9]*\|"spawn_failures": [1-9][0-9]*\|"timeouts": [1-9][0-9]*' |
				tr -d '"' | tr '\n' ' ')
			[ -n "$b" ] && printf '%s: %s' "$name" "$b"
		done)
	[ -z "$bad" ] && return 0
	loud "$1: novod's status counts $bad(see $DIR/status.json and novod.log)"
	{
		echo "$1: novod's status counts $bad; its log says:"
		grep -m 4 '\[error\]' "$DIR/novod.log" | sed 's/^/  - /'
	} >>"$TMP/faults.txt"
	FAILED=1
}
