#!/bin/sh
# run.sh - what `make run` runs after `make`: novod and nginx serving the
# functions of functions/ on http://127.0.0.1:8080 until Ctrl-C.
#
# Everything lives in build/run/: novod's socket (conf/novod.ini), nginx's
# pid, logs and temp folders (conf/nginx.conf). novod logs to this terminal.
# Ctrl-C (or SIGTERM) stops both gracefully and exits 0; if either dies on
# its own, the other is stopped too and the exit status is 1.

set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd -P)
RUN=$ROOT/build/run
NOVOD=$ROOT/build/novod
NGINX=${NGINX:-/usr/sbin/nginx}
CONF=$ROOT/conf/novod.ini
URL=http://127.0.0.1:8080
novod_pid='' nginx_pid=''

say() { printf 'run.sh: %s\n' "$*" >&2; }

# Alive and not a zombie waiting to be reaped.
alive() {
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] &&
		[ "$(sed 's/.*) //; s/ .*//' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# Waits up to $2 tenths of a second for pid $1 to end; 0 if it did.
wait_end() {
	i=0
	while alive "$1" && [ "$i" -lt "$2" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	! alive "$1"
}

# Graceful stop of both (SIGQUIT: nginx finishes its requests; SIGTERM:
# novod finishes what is in flight), SIGKILL after 15 seconds. Each was
# started by setsid: its pid is also its process group.
stop() {
	trap '' INT TERM
	alive "$nginx_pid" && kill -QUIT "$nginx_pid" 2>/dev/null
	alive "$novod_pid" && kill -TERM "$novod_pid" 2>/dev/null
	for p in $nginx_pid $novod_pid; do
		if ! wait_end "$p" 150; then
			say "pid $p did not stop in 15 s: killing it"
			kill -KILL "$p" 2>/dev/null
		fi
		wait "$p" 2>/dev/null
		# What a dead leader left in its group (nginx's workers outlive
		# a killed master); empty after a graceful stop.
		kill -9 "-$p" 2>/dev/null
	done
	rm -f "$RUN/run.pid"
	exit "$1"
}

# One example request per function of functions.ini.
print_urls() {
	echo "novo serves $URL (Ctrl-C stops it). Try:"
	sed -n 's/^\[\([A-Za-z0-9_-]*\)\].*/\1/p' conf/functions.ini |
	while read -r fn; do
		case $fn in
		echo) echo "  curl -d 'some body' '$URL/fn/echo/a/path?x=1'" ;;
		fib) echo "  curl '$URL/fn/fib?n=30'" ;;
		primes) echo "  curl '$URL/fn/primes?n=100'" ;;
		wordcount) echo "  curl --data-binary @README.md '$URL/fn/wordcount?top=5'" ;;
		files) echo "  curl '$URL/fn/files?name=hello.txt'" ;;
		fetch) echo "  curl '$URL/fn/fetch?host=127.0.0.1&port=8080&path=/fn/hello'" ;;
		*) echo "  curl $URL/fn/$fn" ;;
		esac
	done
	echo "  curl $URL/novo-status"
	echo "  build/novoctl status"
	echo "novod logs below; nginx logs in build/run/nginx-*.log"
}

[ -x "$NOVOD" ] || { say "$NOVOD is missing: run make first"; exit 1; }
[ -x "$NGINX" ] || { say "$NGINX is missing: run make deps"; exit 1; }
mkdir -p "$RUN" || exit 1
if [ -r "$RUN/run.pid" ] && alive "$(cat "$RUN/run.pid")"; then
	say "make run is already running here (pid $(cat "$RUN/run.pid"))"
	exit 1
fi
if curl -s -o /dev/null --max-time 2 "$URL/"; then
	say "something already answers on $URL: stop it first"
	exit 1
fi
echo $$ >"$RUN/run.pid"
"$NOVOD" -t -c "$CONF" || { say "bad configuration"; rm -f "$RUN/run.pid"; exit 1; }
rm -f "$RUN/novod.sock"

# setsid: each in its own session, so that Ctrl-C reaches only this script
# and the stop is the orderly one below, not a signal race.
trap 'stop 0' INT TERM
setsid "$NOVOD" -c "$CONF" &
novod_pid=$!
i=0
while [ ! -S "$RUN/novod.sock" ]; do
	alive "$novod_pid" || { say "novod exited at start"; stop 1; }
	[ "$i" -lt 100 ] || { say "novod made no socket in 10 s"; stop 1; }
	sleep 0.1
	i=$((i + 1))
done

# As root, nginx's workers would be "nobody", who may not reach build/run/
# (a checkout under /root); this server listens on loopback only.
nginx_user=
[ "$(id -u)" = 0 ] && nginx_user='user root;'
setsid "$NGINX" -p "$ROOT" -e build/run/nginx-error.log -c conf/nginx.conf \
	-g "daemon off; $nginx_user" &
nginx_pid=$!
i=0
until curl -s -o /dev/null "$URL/fn/hello"; do
	alive "$nginx_pid" || {
		say "nginx exited at start:"
		tail -n 5 build/run/nginx-error.log >&2
		stop 1
	}
	[ "$i" -lt 100 ] || { say "nginx did not answer in 10 s"; stop 1; }
	sleep 0.1
	i=$((i + 1))
done
print_urls

while alive "$novod_pid" && alive "$nginx_pid"; do
	sleep 1
done
alive "$novod_pid" || say "novod exited: stopping nginx"
alive "$nginx_pid" || say "nginx exited: stopping novod"
stop 1
