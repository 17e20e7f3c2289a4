#!/bin/sh
# kernels.sh OUT - fetches Debian's cloud kernels with their headers into
# OUT/root without installing anything: 6.1 from bookworm (security
# updates included) and 6.12 from bookworm-backports. apt runs with a
# private sources list and state under OUT, so the machine's own apt
# configuration is left alone. Prints one kernel release per line.
set -eu
out=$1
apt="$out/apt"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$out/debs" "$out/root"
key=/usr/share/keyrings/debian-archive-keyring.gpg
mirror=http://deb.debian.org/debian
cat > "$apt/sources.list" <<EOS
deb [signed-by=$key] $mirror bookworm main
deb [signed-by=$key] $mirror bookworm-updates main
deb [signed-by=$key] $mirror-security bookworm-security main
deb [signed-by=$key] $mirror bookworm-backports main
EOS
set -- -o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=- \
	-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" \
	-o Debug::NoLocking=1 -o APT::Sandbox::User=root
# a day-old package list is good enough
if [ -z "$(find "$apt/lists" -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
	apt-get "$@" -q update >&2
fi

# field PKG=VER FIELD: one control field of one package version
field() { apt-cache "$@" show "$pkgver" 2>/dev/null | sed -n "s/^$fld: //p" | head -1; }

for series in 6.1 6.12; do
	ver=$(apt-cache "$@" show linux-headers-cloud-amd64 |
		sed -n "s/^Version: \($series\.[0-9].*\)/\1/p" | head -1)
	[ -n "$ver" ] || { echo "kernels.sh: no $series cloud kernel" >&2; exit 1; }
	pkgver="linux-headers-cloud-amd64=$ver"; fld=Depends
	hdr=$(field "$@" | sed 's/ .*//')             # linux-headers-<rel>
	rel=${hdr#linux-headers-}
	pkgver="$hdr=$ver"
	deps=$(field "$@")
	common=$(echo "$deps" | tr ',' '\n' | sed -n 's/^ *\(linux-headers-[^ ]*-common\).*/\1/p')
	kbuild=$(echo "$deps" | tr ',' '\n' | sed -n 's/^ *\(linux-kbuild-[^ ]*\).*/\1/p')
	if [ ! -e "$out/root/boot/vmlinuz-$rel" ] ||
	   [ ! -e "$out/root/usr/src/$hdr/.config" ]; then
		(cd "$out/debs" && apt-get "$@" -q download \
			"linux-image-$rel=$ver" "$hdr=$ver" "$common=$ver" \
			"$kbuild=$ver" >&2)
		for deb in "$out/debs"/*.deb; do dpkg-deb -x "$deb" "$out/root"; done
		rm -f "$out/debs"/*.deb
	fi
	# the headers include their -common part by absolute path
	sed -i "s#^include /usr/src/#include $out/root/usr/src/#" \
		"$out/root/usr/src/$hdr/Makefile"
	echo "$rel"
done
