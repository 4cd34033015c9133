#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Hardware-in-the-loop test on a real Linux USB stack: boots a Debian kernel under QEMU (TCG),
# plugs the simulated watch into the guest's xHCI port through mtkbak-usbsim (usbredir) and
# runs mtkbak's scenarios inside the guest (tests/hil/guest/scenarios.sh). Each scenario prints
# "HIL: PASS|FAIL|SKIP N name" on the serial console; this script exits 1 if any failed,
# 77 if it cannot run here (no root to install packages), 0 otherwise.
#
#   tests/hil/qemu-usb.sh [--scenarios "0 4 5"] [--keep] [--verbose] [--timeout SECONDS]
#
# Environment (set by ctest): MTKBAK (the binary under test), MTKBAK_USBSIM, MTKBAK_BUILD
# (the kernel/udev extraction is cached in $MTKBAK_BUILD/hil-cache), MTKBAK_SRC.
# Needs: qemu-system-x86 busybox-static cpio python3 (installed with apt when missing).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${MTKBAK_SRC:-$(cd "$here/../.." && pwd)}
build=${MTKBAK_BUILD:-$src/build}
mtkbak=${MTKBAK:-$build/mtkbak}
usbsim=${MTKBAK_USBSIM:-$build/sim/usbsim/mtkbak-usbsim}
cache=${MTKBAK_HIL_CACHE:-$build/hil-cache}
scenarios=${MTKBAK_HIL_SCENARIOS:-"0 1 2 3 4 5 6"}
timeout_s=${MTKBAK_HIL_TIMEOUT:-300}
keep=0
verbose=0

while [ $# -gt 0 ]; do
	case "$1" in
	--scenarios) scenarios=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	--verbose|-v) verbose=1; shift ;;
	--timeout) timeout_s=$2; shift 2 ;;
	-h|--help) sed -n '3,14p' "$0"; exit 0 ;;
	*) echo "qemu-usb.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

say() { echo "hil: $*"; }
skip() { echo "hil: SKIP: $*"; exit 77; }
die() { echo "hil: ERROR: $*" >&2; exit 1; }
t_start=$(date +%s.%N)
elapsed() { awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

[ -x "$mtkbak" ] || die "mtkbak binary not found at $mtkbak (build first, or set MTKBAK)"
[ -x "$usbsim" ] || skip "mtkbak-usbsim not built ($usbsim): install libusbredirparser-dev and re-run cmake"

# ---------------------------------------------------------------- packages
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; elif sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi
}
apt_updated=0
apt_update() {
	[ $apt_updated -eq 1 ] && return 0
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
	apt_updated=1
}
need_pkgs=(qemu-system-x86 busybox-static cpio python3 libkmod2 libacl1 libblkid1 libcap2 libselinux1)
missing=()
for p in "${need_pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	say "installing ${missing[*]}"
	if ! as_root true; then
		skip "needs packages ${missing[*]} and cannot install them (not root, no sudo)"
	fi
	apt_update
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
fi
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing after install"

# ---------------------------------------------------------------- kernel + udev (cached)
mkdir -p "$cache"
apt_download() { # PKG DIR
	(cd "$2" && as_root apt-get -q -o APT::Sandbox::User=root download "$1" >/dev/null 2>&1)
}
resolve_kernel_pkg() {
	apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}'
}
# apt-cache takes a second or two per call: remember the answers until the package lists change
resolved=$cache/resolved
kpkg="" udev_ver=""
if [ -f "$resolved" ] && [ "$resolved" -nt /var/cache/apt/pkgcache.bin ]; then
	read -r kpkg udev_ver <"$resolved" || true
fi
if [ -z "$kpkg" ] || [ -z "$udev_ver" ]; then
	kpkg=$(resolve_kernel_pkg)
	if [ -z "$kpkg" ]; then
		apt_update || true
		kpkg=$(resolve_kernel_pkg)
	fi
	udev_ver=$(apt-cache show --no-all-versions udev 2>/dev/null | awk '/^Version:/{print $2; exit}' || true)
	[ -n "$kpkg" ] && [ -n "$udev_ver" ] && echo "$kpkg $udev_ver" >"$resolved"
fi
if [ -z "$kpkg" ]; then
	# offline: use whatever kernel was extracted before
	kdir=$(ls -d "$cache"/kernel-* 2>/dev/null | sort | tail -1 || true)
	[ -n "$kdir" ] && [ -f "$kdir/ready" ] || die "cannot resolve linux-image-amd64 (apt-cache) and nothing is cached in $cache"
	kv=${kdir##*/kernel-}
else
	kv=${kpkg#linux-image-}
	kdir=$cache/kernel-$kv
fi
if [ ! -f "$kdir/ready" ]; then
	say "extracting kernel $kv (once; cached in $kdir)"
	rm -rf "$kdir"
	mkdir -p "$kdir/dl"
	apt_download "$kpkg" "$kdir/dl" || { apt_update; apt_download "$kpkg" "$kdir/dl"; } ||
		die "apt-get download $kpkg failed"
	mods="drivers/usb/common/usb-common.ko drivers/usb/core/usbcore.ko drivers/usb/host/xhci-hcd.ko
		drivers/usb/host/xhci-pci.ko drivers/usb/class/cdc-acm.ko"
	pats=("./boot/vmlinuz-$kv")
	for m in $mods; do pats+=("./lib/modules/$kv/kernel/$m"); done
	dpkg-deb --fsys-tarfile "$kdir"/dl/*.deb | tar -x -C "$kdir" "${pats[@]}"
	# The ELF vmlinux boots through its PVH entry: no real-mode setup and no XZ decompressor,
	# both slow under TCG (about 4-5 s of every boot).
	python3 - "$kdir/boot/vmlinuz-$kv" "$kdir/vmlinux" <<'EOF' || true
import lzma, sys
d = open(sys.argv[1], 'rb').read()
o = d.find(b'\xfd7zXZ\x00')
if o >= 0:
    open(sys.argv[2], 'wb').write(lzma.LZMADecompressor().decompress(d[o:]))
EOF
	rm -rf "$kdir/dl"
	touch "$kdir/ready"
fi
kernel=$kdir/vmlinux
[ -s "$kernel" ] || kernel=$kdir/boot/vmlinuz-$kv

if [ -n "$udev_ver" ]; then
	udir=$cache/udev-$udev_ver
else
	udir=$(ls -d "$cache"/udev-* 2>/dev/null | sort | tail -1 || true)
	[ -n "$udir" ] || die "cannot resolve the udev package (apt-cache) and nothing is cached"
fi
if [ ! -f "$udir/ready" ]; then
	say "extracting udevadm ${udev_ver} (once; cached in $udir)"
	rm -rf "$udir"
	mkdir -p "$udir/dl"
	apt_download udev "$udir/dl" || { apt_update; apt_download udev "$udir/dl"; } ||
		die "apt-get download udev failed"
	dpkg-deb -x "$udir"/dl/*.deb "$udir/x"
	rm -rf "$udir/dl"
	touch "$udir/ready"
fi

# ---------------------------------------------------------------- per-run work folder
if [ -n "${MTKBAK_HIL_WORK:-}" ]; then
	work=$MTKBAK_HIL_WORK
	rm -rf "$work"
	mkdir -p "$work"
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/mtkbak-hil.XXXXXX")
fi
qemu_pid=""
usbsim_pid=""
cleanup() {
	[ -n "$usbsim_pid" ] && kill "$usbsim_pid" 2>/dev/null || true
	[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null || true
	[ -n "$usbsim_pid" ] && wait "$usbsim_pid" 2>/dev/null || true
	[ -n "$qemu_pid" ] && wait "$qemu_pid" 2>/dev/null || true
	if [ $keep -eq 1 ]; then say "work folder kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The flash the watch holds: the demo firmware of sim:demo at 16 MiB, the largest chip.
image=$work/flash.bin
if ! "$usbsim" --save-image "$image" -o size=16M demo 2>"$work/demo.log"; then
	# no firmware generator in this build: a deterministic pseudo-random flash still checks
	# every byte of the readback (kits are then not compared)
	say "no demo firmware ($(cat "$work/demo.log")); using a pseudo-random 16 MiB image"
	python3 -c 'import random,sys; random.seed(6261); sys.stdout.buffer.write(random.randbytes(16 << 20))' >"$image"
fi
image_sha=$(sha256sum "$image" | cut -d' ' -f1)
image_size=$(stat -c %s "$image")

# Expected kit: what mtkbak builds on this host from the same image, file by file.
kit_sums=$work/kit.sha256
: >"$kit_sums"
if "$mtkbak" extract --help >/dev/null 2>&1; then
	if "$mtkbak" extract -q "$image" -o "$work/kit-ref" >"$work/extract.log" 2>&1; then
		(cd "$work/kit-ref" && find . -type f | LC_ALL=C sort | xargs -r sha256sum) >"$kit_sums"
	else
		say "host 'mtkbak extract' failed on the demo image; kits are not compared:"
		sed 's/^/  | /' "$work/extract.log"
	fi
fi

# ---------------------------------------------------------------- initramfs
say "building the guest initramfs (kernel $kv)"
R=$work/rootfs
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,run,tmp,etc/udev/rules.d,root,hil,lib/modules/$kv,lib/systemd,lib/udev/rules.d,home/watcher}
cp /bin/busybox "$R/bin/busybox"
# one symlink per applet; "busybox" itself is in the list and a self-symlink would replace the
# binary (the kernel then fails to run /init with ELOOP)
"$R/bin/busybox" --list | python3 -c '
import os, sys
for a in sys.stdin.read().split():
    p = os.path.join(sys.argv[1], a)
    if a != "busybox" and not os.path.lexists(p):
        os.symlink("busybox", p)' "$R/bin"
for m in usb-common usbcore xhci-hcd xhci-pci cdc-acm; do
	find "$kdir/lib/modules/$kv" -name "$m.ko" -exec cp {} "$R/lib/modules/$kv/" \;
done
copy_with_libs() { # BINARY DEST
	cp -L "$1" "$R$2"
	ldd "$1" | grep -q 'not found' && die "$1: shared libraries missing on this host: $(ldd "$1" | grep 'not found')"
	for l in $(ldd "$1" | grep -o '/[^ ]*'); do
		[ -e "$R$l" ] && continue
		mkdir -p "$R$(dirname "$l")"
		cp -L "$l" "$R$l"
	done
}
copy_with_libs "$udir/x/bin/udevadm" /bin/udevadm
ln -sf /bin/udevadm "$R/lib/systemd/systemd-udevd"
cp "$udir/x/lib/udev/rules.d/50-udev-default.rules" "$R/lib/udev/rules.d/"
copy_with_libs "$mtkbak" /usr/bin/mtkbak
rules_group=""
if [ -f "$src/udev/60-mtkbak.rules" ]; then
	cp "$src/udev/60-mtkbak.rules" "$R/hil/60-mtkbak.rules"
	rules_group=$(sed -n 's/.*idVendor.*GROUP="\([a-z_][a-z0-9_-]*\)".*/\1/p' "$src/udev/60-mtkbak.rules" | head -1)
fi
cp "$here/guest/init" "$R/init"
cp "$here/guest/scenarios.sh" "$R/hil/scenarios.sh"
chmod 755 "$R/init" "$R/hil/scenarios.sh"
cp "$kit_sums" "$R/hil/kit.sha256"
grp=${rules_group:-plugdev}
cat >"$R/etc/passwd" <<EOF
root:x:0:0:root:/root:/bin/sh
watcher:x:1000:1000:unprivileged user:/home/watcher:/bin/sh
EOF
# watcher is in the group the project's udev rules grant (the guest has no seat: no uaccess)
for g in root:0 tty:5 disk:6 lp:7 kmem:15 dialout:20 cdrom:24 floppy:25 tape:26 audio:29 video:44 \
	plugdev:46 input:105 kvm:106 render:107 sgx:108 watcher:1000; do
	echo "${g%%:*}:x:${g##*:}:"
done | awk -F: -v OFS=: -v grp="$grp" '$1 == grp { $4 = "watcher"; found = 1 } { print }
	END { if (!found) print grp, "x", 900, "watcher" }' >"$R/etc/group"
echo "passwd: files
group: files" >"$R/etc/nsswitch.conf"
cat >"$R/hil/config" <<EOF
SCENARIOS="$scenarios"
IMAGE_SHA256=$image_sha
IMAGE_SIZE=$image_size
RULES_GROUP=$grp
KERNEL=$kv
VERBOSE=$verbose
EOF
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.cpio.gz"
say "initramfs $(du -h "$work/initramfs.cpio.gz" | cut -f1), ready after $(elapsed) s"

# ---------------------------------------------------------------- boot
console=$work/console.log
qemu_log=$work/qemu.log
usbsim_log=$work/usbsim.log
: >"$console"
t_boot=$(date +%s.%N)
# timeout: QEMU must not outlive this script even if the script itself is killed hard
timeout -k 5 $((timeout_s + 30)) qemu-system-x86_64 -machine q35,accel=tcg -m 1024 -smp 1 \
	-nodefaults -no-user-config -display none -no-reboot \
	-kernel "$kernel" -initrd "$work/initramfs.cpio.gz" \
	-append "console=ttyS0 quiet panic=-1 rdinit=/init" \
	-chardev file,id=con,path="$console" -serial chardev:con \
	-chardev socket,id=ctl,path="$work/ctl.sock",server=on,wait=off -serial chardev:ctl \
	-device qemu-xhci,id=xhci \
	-chardev socket,id=ur0,path="$work/ur.sock",server=on,wait=off \
	-device usb-redir,chardev=ur0,id=redir0,bus=xhci.0,port=1 \
	</dev/null >"$qemu_log" 2>&1 &
qemu_pid=$!
for _ in $(seq 100); do
	[ -S "$work/ur.sock" ] && [ -S "$work/ctl.sock" ] && break
	kill -0 "$qemu_pid" 2>/dev/null || break
	sleep 0.05
done
[ -S "$work/ur.sock" ] || { cat "$qemu_log"; die "QEMU did not start"; }
usbsim_v=()
[ $verbose -eq 1 ] && usbsim_v=(-v)
# The guest drives the cable through the control channel (its /dev/ttyS1).
"$usbsim" "${usbsim_v[@]}" --unplugged -s "$work/ur.sock" -c "$work/ctl.sock" -o link=fs,dtr=required "$image" \
	</dev/null >"$usbsim_log" 2>&1 &
usbsim_pid=$!

# Follow the console until the guest powers off (or the deadline).
shown=0
deadline=$(($(date +%s) + timeout_s))
timed_out=0
while kill -0 "$qemu_pid" 2>/dev/null; do
	if [ "$(date +%s)" -ge $deadline ]; then
		timed_out=1
		kill "$qemu_pid" 2>/dev/null || true
		break
	fi
	sleep 0.5
	n=$(wc -l <"$console")
	if [ "$n" -gt "$shown" ]; then
		if [ $verbose -eq 1 ]; then
			sed -n "$((shown + 1)),${n}p" "$console" | tr -d '\r'
		else
			sed -n "$((shown + 1)),${n}p" "$console" | tr -d '\r' | grep -E '^HIL: ' || true
		fi
		shown=$n
	fi
done
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=""
t_guest=$(awk -v a="$t_boot" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
n=$(wc -l <"$console")
if [ "$n" -gt "$shown" ]; then
	if [ $verbose -eq 1 ]; then
		sed -n "$((shown + 1)),${n}p" "$console" | tr -d '\r'
	else
		sed -n "$((shown + 1)),${n}p" "$console" | tr -d '\r' | grep -E '^HIL: ' || true
	fi
fi
kill "$usbsim_pid" 2>/dev/null || true
wait "$usbsim_pid" 2>/dev/null || true
usbsim_pid=""

pass=$(tr -d '\r' <"$console" | grep -c '^HIL: PASS ' || true)
fail=$(tr -d '\r' <"$console" | grep -c '^HIL: FAIL ' || true)
skipped=$(tr -d '\r' <"$console" | grep -c '^HIL: SKIP ' || true)
done_line=$(tr -d '\r' <"$console" | grep -c '^HIL: DONE' || true)
say "guest run (boot + scenarios): $t_guest s; whole script: $(elapsed) s"
if [ "$fail" -gt 0 ] || [ "$done_line" -eq 0 ] || [ "$pass" -eq 0 ]; then
	[ $timed_out -eq 1 ] && say "the guest did not finish within $timeout_s s"
	[ "$done_line" -eq 0 ] && say "the guest did not reach the end of its scenarios"
	if [ $verbose -eq 0 ]; then
		echo "---------------- guest console (kernel log and mtkbak output) ----------------"
		tr -d '\r' <"$console"
	fi
	echo "---------------- mtkbak-usbsim log (last 60 lines) ----------------"
	tail -n 60 "$usbsim_log"
	echo "---------------- QEMU log ----------------"
	cat "$qemu_log"
	echo "$pass passed, $fail failed, $skipped skipped"
	exit 1
fi
[ $verbose -eq 1 ] && { echo "---- usbsim log ----"; cat "$usbsim_log"; }
echo "$pass passed, $fail failed, $skipped skipped"
exit 0
