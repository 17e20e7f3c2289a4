#!/bin/busybox sh
# init.sh - /init of the test VM: runs the checks of novo.ko on this
# kernel, prints "ok - ..." / "not ok - ..." on the serial console, and
# powers off. run.sh parses the console.
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /tmp && mount -t tmpfs tmp /tmp
export PATH=/bin

say() { echo "$1 - $2"; }
check() { # check DESCRIPTION COMMAND...
	d=$1; shift
	if "$@"; then say ok "$d"; else say "not ok" "$d"; fi
}
wait_file() { # wait_file PATH: up to 20 s
	i=0
	while [ ! -e "$1" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$1" ]
}

echo "novo-vm: start $(uname -r)"
check "insmod novo.ko" insmod /novo.ko
check "/dev/novo exists" test -c /dev/novo

# the main scenario; a process outside the tree runs while it holds
# bound children
/sup run & sup=$!
wait_file /tmp/sup.ready
/sup outside
touch /tmp/sup.go
check "supervisor scenario exit status" wait $sup
cat /dev/novo | sed 's/^/# table: /'
check "deny logged as SPEC says" sh -c \
	'dmesg | grep -Eq "novo: deny fn=nogetppid pid=[0-9]+ comm=sup uid=0 syscall=getppid$"'
check "grandchild logged under its function" sh -c \
	'[ "$(dmesg | grep -c "novo: deny fn=nogetppid .*syscall=getppid")" -ge 2 ]'

# the supervisor exited: its watch ended, anyone may register again
check "supervisor exit ended the watch" grep -q "watch=none" /dev/novo
/sup register

# unload under load: bound children keep calling a refused syscall
/sup hold 4 & hold=$!
wait_file /tmp/hold.ready
check "rmmod while bound children run" rmmod novo
check "/dev/novo gone" test ! -e /dev/novo
kill -TERM $hold
check "supervisor goes on after rmmod" wait $hold
check "insmod again" insmod /novo.ko
/sup register
check "rmmod again" rmmod novo

# the real novod, when run.sh packed it
[ -x /novod ] && . /novod.sh

check "no kernel warning, BUG or oops in dmesg" sh -c \
	'! dmesg | grep -qE "WARNING:|BUG:|Oops|cut here"'
dmesg | grep -A40 -m1 "cut here" | sed 's/^/# oops: /'
dmesg | grep "novo:" | sed 's/^/# dmesg: /'
echo "novo-vm: done"
poweroff -f
