#!/bin/sh
# run.sh - tests novo.ko on Debian's cloud kernels under QEMU (TCG).
#
# For each kernel (6.1 bookworm, 6.12 bookworm-backports): fetch it with
# its headers (kernels.sh), build the module against it, warning-free and
# sparse-clean, pack an initramfs (busybox, novo.ko, the static test
# supervisor, init.sh), boot, and read the results off the serial
# console. Prints "ok - ..." / "not ok - ..." and exits non-zero on any
# failure. Serial logs: build/lkm-vm/<kernel>.log.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build
kern=$build/lkm-kernels
vm=$build/lkm-vm
fail=0
pass=0

ok() { echo "ok - $*"; pass=$((pass + 1)); }
notok() { echo "not ok - $*"; fail=$((fail + 1)); }
die() { notok "$*"; echo "$pass passed, $fail failed"; exit 1; }

# Debian packages the test needs, installed when missing (as root).
need=""
command -v qemu-system-x86_64 >/dev/null || need="$need qemu-system-x86"
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx poweroff &&
	ldd /bin/busybox 2>&1 | grep -q "not a dynamic" || need="$need busybox-static"
command -v sparse >/dev/null || need="$need sparse"
command -v cpio >/dev/null || need="$need cpio"
command -v make >/dev/null && command -v gcc >/dev/null || need="$need build-essential"
[ -e /usr/lib/x86_64-linux-gnu/libseccomp.a ] || need="$need libseccomp-dev"
if [ -n "$need" ]; then
	echo "# installing:$need"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		$need >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends $need >/dev/null 2>&1; } ||
		die "apt-get install$need"
fi

rels=$(sh "$top/tests/lkm/kernels.sh" "$kern" 2>"$build/lkm-kernels.log") ||
	die "fetch Debian cloud kernels (see build/lkm-kernels.log)"
ok "fetched kernels: $(echo $rels)"

mkdir -p "$vm"
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wformat=2 -Wshadow \
	-Wno-unused-parameter -I"$top/pool" -static -o "$vm/sup" \
	"$top/tests/lkm/sup.c" "$top/pool/lkm.c" "$top/pool/log.c" \
	"$top/pool/syscalls.c" -lseccomp -lpthread 2>"$vm/sup.log" ||
	die "build the static test supervisor (see build/lkm-vm/sup.log)"

# novod and its shared libraries, a test function, a FastCGI client
make -C "$top" build/novod build/novoctl >"$vm/novod-build.log" 2>&1 ||
	die "build novod (see build/lkm-vm/novod-build.log)"
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -static -o "$vm/ppid" \
	"$top/tests/lkm/ppid.c" &&
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -I"$top/pool" -static \
	-o "$vm/get" "$top/tests/lkm/get.c" "$top/pool/fcgi_client.c" 2>/dev/null ||
	die "build the test function and client"

# pack_novod ROOT: novod, what ldd names, its config, a user to run as
pack_novod() {
	cp "$build/novod" "$1/novod"
	cp "$build/novoctl" "$1/novoctl"
	for lib in $(ldd "$build/novod" "$build/novoctl" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p;s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' | sort -u); do
		mkdir -p "$1$(dirname "$lib")"
		cp -L "$lib" "$1$lib"
	done
	mkdir -p "$1/etc/novo" "$1/fn/ppid"
	cp "$vm/ppid" "$1/fn/ppid/ppid"
	cp "$vm/get" "$1/get"
	cp "$top/tests/lkm/novod.sh" "$1/novod.sh"
	printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$1/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$1/etc/group"
	cat >"$1/etc/novo/novod.ini" <<EOI
[server]
listen = unix:/tmp/novod.sock
functions = functions.ini
functions_dir = /fn
status_path = /novo-status
user = nobody
sandbox = off
[lkm]
mode = require
EOI
}

for rel in $rels; do
	kdir=$kern/root/usr/src/linux-headers-$rel
	log=$vm/$rel.build.log
	# C=2: sparse checks every file, even when nothing changed
	if ! make -C "$top/lkm" KDIR="$kdir" BUILD="$build" C=2 >"$log" 2>&1; then
		notok "$rel: build novo.ko (see $log)"
		continue
	fi
	if grep -E "warning|error|: note:" "$log" | grep -v "^make"; then
		notok "$rel: novo.ko builds warning-free and sparse-clean"
	else
		ok "$rel: novo.ko builds warning-free and sparse-clean"
	fi
	cp "$build/lkm-obj/linux-headers-$rel/novo.ko" "$vm/novo-$rel.ko"

	# the initramfs
	root=$vm/root-$rel
	rm -rf "$root"
	mkdir -p "$root/bin"
	cp /bin/busybox "$root/bin/busybox"
	cp "$top/tests/lkm/init.sh" "$root/init"
	cp "$vm/sup" "$root/sup"
	cp "$vm/novo-$rel.ko" "$root/novo.ko"
	pack_novod "$root"
	(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$vm/initrd-$rel.gz"

	# boot: TCG, -cx16 (QEMU 7.2 mis-emulates cmpxchg16b, see DESIGN.md).
	# Two CPUs, so probes really run beside rmmod. Under TCG, 6.12 now
	# and then dies patching its own text at boot, before init runs and
	# before any module is loaded: such a boot is retried (twice at most).
	console=$vm/$rel.log
	rm -f "$console".boot*.txt
	for try in 1 2 3; do
		timeout 300 qemu-system-x86_64 -accel tcg -cpu max,-cx16 -m 512 \
			-smp 2 -nographic -no-reboot -monitor none -serial stdio \
			-kernel "$kern/root/boot/vmlinuz-$rel" \
			-initrd "$vm/initrd-$rel.gz" \
			-append "console=ttyS0 quiet panic=-1 oops=panic" \
			</dev/null >"$console" 2>&1
		tr -d '\r\000' <"$console" >"$console.txt"
		grep -aqE "novo-vm: |^(not )?ok - " "$console.txt" && break
		cp "$console.txt" "$console.boot$try.txt"
		echo "# $rel: boot $try died before init (see $console.boot$try.txt)"
	done
	grep -aq "novo-vm: done" "$console.txt" ||
		notok "$rel: the VM ran to the end (see $console)"
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "$rel: ${line#ok - }" ;;
		"not ok - "*) notok "$rel: ${line#not ok - }" ;;
		esac
	done <"$console.txt"
	if grep -aqE "BUG:|Oops|WARNING:|Call Trace|Kernel panic" "$console.txt"; then
		notok "$rel: no kernel oops, warning or panic"
	else
		ok "$rel: no kernel oops, warning or panic"
	fi
done

echo "lkm: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
