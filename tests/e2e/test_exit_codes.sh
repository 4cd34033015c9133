#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Exit codes by behaviour (include/mtkbak/errors.h): file errors get file exit codes and file
# hints, never the USB ones. A read-only output folder (73, not 77 "install udev rules"), a
# missing input (66), malformed input data (65), an existing output (73), a missing output
# folder (73) and a full disk (74, on a 1 MiB tmpfs when this runner may mount one).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/norlog_lib.sh"
# some runs are another user: the write log must be open to them
: >"$MTKBAK_SIM_NOR_LOG" && chmod 666 "$MTKBAK_SIM_NOR_LOG"
need MTKBAK MTKBAK_BUILD
need_fwimg
cd "$tmp" || exit 1
chmod 755 "$tmp"
"$fwimg" demo 4M img.bin >/dev/null || fail "fwimg demo"
chmod 644 img.bin

# run NAME WANT_RC CMD...: runs CMD, keeps stderr in NAME.err, checks the exit code
run() {
	local name=$1 want=$2 rc=0
	shift 2
	"$@" >"$name.out" 2>"$name.err" || rc=$?
	[ "$rc" -eq "$want" ] || fail "$name: exit $rc, want $want: $(cat "$name.err")"
}
no_usb_hint() { # NAME: a file error must not send the user to udev or the cable
	! grep -qiE 'udev|USB|boot key|ModemManager' "$1.err" || fail "$1: device hint: $(cat "$1.err")"
}

# 1. a read-only output folder: 73 and a folder hint (as an unprivileged user when root)
mkdir ro && chmod 555 ro
as_user=()
if [ "$(id -u)" -eq 0 ]; then
	if command -v setpriv >/dev/null; then
		as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	else
		as_user=(skip)
	fi
fi
if [ "${as_user[0]:-}" = skip ]; then
	echo "SKIP (case 1): running as root without setpriv, a read-only folder cannot be faked"
else
	run ro-read 73 "${as_user[@]}" "$MTKBAK" read --port sim:img.bin -o ro/flash.bin
	has ro-read.err "cannot write to the output folder ro: permission denied"
	has ro-read.err "hint: this user may not write there"
	no_usb_hint ro-read
	run ro-extract 73 "${as_user[@]}" "$MTKBAK" extract img.bin -o ro/kit
	has ro-extract.err "cannot write the kit to ro/kit: permission denied"
	no_usb_hint ro-extract
	run ro-pull 73 "${as_user[@]}" "$MTKBAK" pull --auto --timeout 20 --port sim:img.bin,plug=0 -o ro/p
	has ro-pull.err "cannot create the output folder: permission denied"
	no_usb_hint ro-pull
fi

# 2. a missing input: 66
run miss-check 66 "$MTKBAK" check missing.bin
has miss-check.err "cannot read missing.bin: No such file or directory"
run miss-extract 66 "$MTKBAK" extract missing.bin -o kit
run miss-sim 66 "$MTKBAK" read --port sim:missing.bin -o out.bin
grep -qxF "mtkbak: error: connecting to the watch: sim image missing.bin: No such file or directory" \
	miss-sim.err || fail "miss-sim: message: $(cat miss-sim.err)" # the reason once, not twice
has miss-sim.err "hint: check the file name"
no_usb_hint miss-sim
[ ! -e out.bin ] && [ ! -e out.bin.part ] || fail "miss-sim: left an output behind"

# 3. malformed input data: 65
head -c 300000 /dev/zero >odd.bin
run odd-sim 65 "$MTKBAK" identify --port sim:odd.bin
has odd-sim.err "power of two"
truncate -s 1025M huge.bin # sparse: larger than any flash readback
run huge-check 65 "$MTKBAK" check huge.bin
has huge-check.err "huge.bin is larger than 1024 MiB: not a flash readback"
rm -f huge.bin

# 4. the output exists (no --force): 73 and the --force hint; 5. no such folder: 73
echo old >exists.bin
run exists 73 "$MTKBAK" read --port sim:img.bin -o exists.bin
has exists.err "add --force"
[ "$(cat exists.bin)" = old ] || fail "exists: the user's file was changed"
run nodir 73 "$MTKBAK" read --port sim:img.bin -o nodir/flash.bin
has nodir.err "hint: check that the output folder exists"
no_usb_hint nodir

# 6. a full disk: 74 with a space hint (a 1 MiB tmpfs, for a 4 MiB read and a 4 MiB kit)
mkdir full
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=1M mtkbak-test "$tmp/full" 2>/dev/null; then
	on_exit 'umount "$tmp/full"'
	run full-read 74 "$MTKBAK" read --port sim:img.bin -o full/flash.bin
	has full-read.err "no space left on the disk"
	has full-read.err "hint: the disk is full"
	no_usb_hint full-read
	run full-extract 74 "$MTKBAK" extract img.bin -o full/kit
	has full-extract.err "no space left on the disk"
	no_usb_hint full-extract
else
	echo "SKIP (case 6): cannot mount a tmpfs here (needs root and mount rights), ENOSPC not tested"
fi
nor_log_empty
finish "exit codes: ok"
