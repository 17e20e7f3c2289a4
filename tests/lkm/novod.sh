#!/bin/sh
# novod.sh - inside the VM, after init.sh's module checks: the real novod
# (sandbox = off, so only novo.ko can refuse) with a function whose
# whitelist lacks getppid. Uses check/wait_file from init.sh.
sock=/tmp/novod.sock
conf=/etc/novo/novod.ini

start_novod() {
	rm -f $sock
	/novod -c $conf 2>>/tmp/novod.log & novod=$!
	wait_file $sock
}
fn_ini() { # fn_ini "EXTRA SYSCALLS"
	printf '[ppid]\nsyscalls = @cgi clone clone3 fork vfork wait4 %s\nwarm = 1\n' \
		"$1" >/etc/novo/functions.ini
}
reply_has() { # reply_has URI TEXT
	/get $sock "$1" >/tmp/reply 2>&1
	grep -q "$2" /tmp/reply || { sed 's/^/# reply: /' /tmp/reply; return 1; }
}

fn_ini ""
check "novod: insmod" insmod /novo.ko
start_novod
check "novod: registered with novo.ko" grep -q "novo.ko watches novod" /tmp/novod.log
check "novod: function refused getppid by novo.ko (sandbox off)" \
	reply_has /fn/ppid "^fn getppid=-1 errno=1$"
check "novod: the function's grandchild too" \
	grep -q "^grandchild getppid=-1 errno=1$" /tmp/reply
/sup outside
check "novod: status says lkm active" reply_has /novo-status '"lkm": "active"'
check "novod: status counts the refusals" grep -q '"getppid": 2' /tmp/reply
check "novod: deny logged for fn=ppid" sh -c \
	'dmesg | grep -Eq "novo: deny fn=ppid pid=[0-9]+ comm=ppid uid=65534 syscall=getppid$"'

fn_ini getppid
kill -HUP $novod
sleep 2
check "novod: reload allowing getppid takes effect" \
	reply_has /fn/ppid "^fn getppid=1 errno=0$"
fn_ini ""
kill -HUP $novod
sleep 2
check "novod: reload refusing getppid takes effect" \
	reply_has /fn/ppid "^fn getppid=-1 errno=1$"
check "novoctl learn: through novo.ko's learn mode, getppid learned" sh -c \
	'/novoctl -c /etc/novo/novod.ini learn ppid >/tmp/learn.out 2>/tmp/learn.err &&
	 grep -q "learned through novo.ko" /tmp/learn.err &&
	 grep -q "^syscalls = .*getppid" /tmp/learn.out' ||
	sed 's/^/# learn: /' /tmp/learn.out /tmp/learn.err
check "novoctl learn: learn mode off again, getppid refused" \
	reply_has /fn/ppid "^fn getppid=-1 errno=1$"

kill -TERM $novod
check "novod: stops" wait $novod
check "novod: its exit ended the watch" grep -q "watch=none" /dev/novo

start_novod
check "novod: a new novod registers" reply_has /fn/ppid "^fn getppid=-1 errno=1$"
/get $sock /fn/ppid 150 >/dev/null 2>/tmp/get.err & load=$!
sleep 1
check "novod: rmmod while requests run" rmmod novo
check "novod: every request answered across rmmod" wait $load
check "novod: logs that it goes on without the module" sh -c \
	'/get /tmp/novod.sock /novo-status | grep -q "\"lkm\": \"absent\"" &&
	 grep -q "going on with novod.s own sandbox" /tmp/novod.log'
check "novod: function runs free after rmmod" \
	reply_has /fn/ppid "^fn getppid=1 errno=0$"
kill -TERM $novod
wait $novod
sed 's/^/# novod.log: /' /tmp/novod.log | grep -v "access\|fn=ppid req=" | head -30
