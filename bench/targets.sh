# targets.sh - the set-ups measured by bench/run.sh (sourced). Each one
# gets its own folder ($DIR), its own port, its own nginx, and its own
# backend, started before and stopped after its wrk runs.

# Every set-up answers /ping itself, to know nginx is up.
PING='location = /ping { return 200 "pong\n"; }'

# nginx's `return 200`: what nginx alone can do on this machine, the
# ceiling no FastCGI backend can pass.
target_ceiling() {
	nginx_conf "$PING
		location = /fn/hello { return 200 \"Hello, world!\\n\"; }" "" &&
		start_nginx || return 1
	check_url "http://127.0.0.1:$PORT/fn/hello" Hello &&
		bench_fn ceiling hello "http://127.0.0.1:$PORT/fn/hello"
	stop "$NGINX_PID" QUIT
}

# Debian's fcgiwrap, as its documentation sets it up: one connection per
# request (fcgiwrap serves one connection at a time per process, so
# nginx's keep-alive would hold its few processes idle), -c = cores.
target_fcgiwrap() {
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
	FCGIWRAP_PID=$LAST_PID
	until_ok 50 test -S "$DIR/fcgiwrap.sock" || {
		loud "fcgiwrap made no socket"
		cat "$DIR/fcgiwrap.out" >&2
		stop "$FCGIWRAP_PID" TERM
		return 1
	}
	start_nginx && target_functions fcgiwrap
	stop "$NGINX_PID" QUIT
	stop "$FCGIWRAP_PID" TERM
}

# nginx -> novod, keep-alive on both sides of nginx; $1: sandbox on|off.
target_novod() {
	copy_functions hello fib || return 1
	novod_conf "$1" "[hello]" "warm = $WARM" "[fib]" "warm = $WARM" ||
		return 1
	fcgi="include /etc/nginx/fastcgi_params;
			fastcgi_pass novod;
			fastcgi_keep_conn on;"
	nginx_conf "$PING
		location /fn/ { $fcgi }
		location = /novo-status { $fcgi }" \
		"upstream novod { server unix:$DIR/novod.sock; keepalive 128; }" ||
		return 1
	start_novod || { stop "$NOVOD_PID" TERM; return 1; }
	if start_nginx && until_ok 100 pool_full hello &&
		until_ok 100 pool_full fib; then
		target_functions "novod-$1"
		novod_check "novod-$1"
	else
		loud "novod-$1 did not get ready"
		FAILED=1
	fi
	stop "$NGINX_PID" QUIT
	stop "$NOVOD_PID" TERM
}

# hello and fib through the set-up on $PORT.
target_functions() {
	u="http://127.0.0.1:$PORT/fn"
	check_url "$u/hello" Hello && bench_fn "$1" hello "$u/hello"
	check_url "$u/fib?n=$FIB_N" "fib($FIB_N)" &&
		bench_fn "$1" fib "$u/fib?n=$FIB_N"
}

# novod's own counters must agree: no 3xx/4xx/5xx, no spawn failure.
novod_check() {
	curl -s "http://127.0.0.1:$PORT/novo-status" >"$DIR/status.json"
	bad=$(grep -o '"[345]xx": [1-9][0-9]*\|"spawn_failures": [1-9][0-9]*\|"timeouts": [1-9][0-9]*' \
		"$DIR/status.json" | tr '\n' ' ')
	if [ -n "$bad" ]; then
		loud "$1: novod's status counts $bad(see $DIR/status.json)"
		FAILED=1
	fi
}
