#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# mtkbak doctor against fake systems: MTKBAK_SYSROOT points it at a built /sys, /dev, /proc,
# /etc and /run tree. Checks the exact lines, the exit code and the --json object.
# Runs as root (CI does) so it can also check an unprivileged user with setpriv.
. "$(dirname "$0")/lib.sh"
set -euo pipefail
need MTKBAK
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (fakes an unprivileged user with setpriv)"
	exit 77
fi
chmod 755 "$tmp"

# base ROOT: an empty Linux with a USB bus and no watch, no rules, no ModemManager.
base() {
	local r=$1
	rm -rf "$r"
	mkdir -p "$r"/sys/bus/usb/devices "$r"/dev/bus/usb "$r"/proc/1 "$r"/etc "$r"/run
	echo systemd >"$r"/proc/1/comm
	echo "Linux version 6.1.0-13-amd64 (debian-kernel@lists.debian.org)" >"$r"/proc/version
	printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$r"/etc/passwd
	printf 'root:x:0:\ndialout:x:20:\nplugdev:x:46:\nnogroup:x:65534:\n' >"$r"/etc/group
	chmod -R a+rX "$r"
}

# watch ROOT NAME BUS DEV DRIVER(iface 0) DRIVER(iface 1) TTY MODE GROUP
watch() {
	local r=$1 name=$2 bus=$3 dev=$4 d0=$5 d1=$6 tty=$7 mode=$8 group=$9
	local s=$r/sys/bus/usb/devices
	mkdir -p "$s/$name" "$s/$name:1.0" "$s/$name:1.1"
	echo 0e8d >"$s/$name/idVendor"
	echo 0003 >"$s/$name/idProduct"
	echo "$bus" >"$s/$name/busnum"
	echo "$dev" >"$s/$name/devnum"
	echo 1 >"$s/$name/bConfigurationValue"
	echo "189:$(((bus - 1) * 128 + dev - 1))" >"$s/$name/dev"
	[ -n "$d0" ] && ln -s "../../../../bus/usb/drivers/$d0" "$s/$name:1.0/driver"
	[ -n "$d1" ] && ln -s "../../../../bus/usb/drivers/$d1" "$s/$name:1.1/driver"
	[ -n "$tty" ] && mkdir -p "$s/$name:1.1/tty/$tty" && : >"$r/dev/$tty" && chmod 660 "$r/dev/$tty" &&
		chgrp 20 "$r/dev/$tty"
	local node
	node=$(printf '%s/dev/bus/usb/%03d/%03d' "$r" "$bus" "$dev")
	mkdir -p "$(dirname "$node")"
	: >"$node"
	chmod "$mode" "$node"
	chgrp "$group" "$node"
	chmod -R a+rX "$r/sys"
}

# run NAME ROOT [env/command prefix...]: runs doctor, keeps stdout/stderr/rc in $tmp/NAME.*
run() {
	local name=$1 r=$2
	shift 2
	set +e
	env MTKBAK_SYSROOT="$r" "$@" "$MTKBAK" doctor >"$tmp/$name.out" 2>"$tmp/$name.err"
	echo $? >"$tmp/$name.rc"
	set -e
}
expect_rc() { # NAME RC
	local got
	got=$(cat "$tmp/$1.rc")
	[ "$got" = "$2" ] || fail "$1: exit code $got, expected $2 (stderr: $(cat "$tmp/$1.err"))"
}
expect_line() { # NAME LINE (whole line of stdout)
	grep -qxF -- "$2" "$tmp/$1.out" || {
		fail "$1: missing line: $2"
		sed 's/^/    got: /' "$tmp/$1.out"
	}
}
expect_err() { # NAME TEXT (substring of stderr)
	grep -qF -- "$2" "$tmp/$1.err" || fail "$1: stderr lacks '$2': $(cat "$tmp/$1.err")"
}

R=$tmp/root

# 1. Nothing connected, nothing installed, as root: every line exactly, exit 0.
base "$R"
run empty "$R"
expect_rc empty 0
cat >"$tmp/empty.want" <<'EOF'
info  user          checking as root (uid 0)
ok    usb-bus       the USB bus is visible (/dev/bus/usb)
info  watch         no watch in boot-ROM mode (0E8D:0003) is connected now; fine: 'mtkbak pull --auto' waits for it
ok    usb-access    running as root: every USB device can be opened
warn  udev-rules    mtkbak's udev rules are not installed (looked in /etc/udev/rules.d, /run/udev/rules.d, /usr/local/lib/udev/rules.d, /usr/lib/udev/rules.d, /lib/udev/rules.d); fix: sudo mtkbak udev --install, then replug the watch
ok    modemmanager  ModemManager is not running
info  serial        no serial port of a watch is present now
Nothing blocking (see the warnings): 'mtkbak pull --auto' should work here.
EOF
diff -u "$tmp/empty.want" "$tmp/empty.out" || fail "empty: output differs"
[ ! -s "$tmp/empty.err" ] || fail "empty: unexpected stderr: $(cat "$tmp/empty.err")"

# 2. No USB bus at all (a container): blocking, exit 69, named on stderr.
base "$R"
rm -rf "$R/sys/bus/usb"
run nobus "$R"
expect_rc nobus 69
expect_line nobus "FAIL  usb-bus       this system shows no USB bus (/sys/bus/usb is missing), as in a container or virtual machine without USB; fix: run mtkbak on the machine the watch is plugged into, or pass USB through (docker: --device /dev/bus/usb; WSL2: usbipd attach)"
expect_err nobus "mtkbak: error: 1 problem would stop a pull: usb-bus"
base "$R"
rm -rf "$R/dev/bus"
run nodev "$R"
expect_rc nodev 69
expect_line nodev "FAIL  usb-bus       /dev/bus/usb is missing, so USB devices cannot be opened; fix: in a container pass --device /dev/bus/usb (or bind-mount /dev/bus/usb); if only the serial port is passed through use --port serial:PATH"

# 3. The healthy case: rules installed by 'mtkbak udev --install --root', a watch with cdc_acm,
#    ModemManager running but udev marked the watch to be ignored.
base "$R"
"$MTKBAK" udev --install --root "$R" >/dev/null
watch "$R" 1-2 1 5 "" cdc_acm ttyACM0 660 46
mkdir -p "$R/proc/812" "$R/run/udev/data"
echo ModemManager >"$R/proc/812/comm"
printf 'I:123\nE:ID_MM_DEVICE_IGNORE=1\nG:uaccess\n' >"$R/run/udev/data/c189:4"
run healthy "$R"
expect_rc healthy 0
cat >"$tmp/healthy.want" <<'EOF'
info  user          checking as root (uid 0)
ok    usb-bus       the USB bus is visible (/dev/bus/usb)
ok    watch         a watch in boot-ROM mode is connected at usb:1-2 (bus 1 device 5)
ok    usb-access    root can open the watch at usb:1-2 (/dev/bus/usb/001/005)
ok    udev-rules    the udev rules are installed: /etc/udev/rules.d/60-mtkbak.rules
ok    modemmanager  ModemManager is running (pid 812); the udev rules tell it to leave the watch alone
ok    driver        usb:1-2: cdc_acm is bound (serial port /dev/ttyACM0); mtkbak detaches it to use the USB link (or use --port serial:/dev/ttyACM0)
ok    serial        serial port /dev/ttyACM0 belongs to the watch at usb:1-2 (usable with --port serial:/dev/ttyACM0)
All good: 'mtkbak pull --auto' should work here.
EOF
diff -u "$tmp/healthy.want" "$tmp/healthy.out" || fail "healthy: output differs"

# --json: one object, parsed.
set +e
MTKBAK_SYSROOT="$R" "$MTKBAK" doctor --json >"$tmp/healthy.json"
rc=$?
set -e
[ $rc -eq 0 ] || fail "healthy --json: exit $rc"
python3 - "$tmp/healthy.json" <<'EOF' || fail "healthy --json: content"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
o = json.loads(lines[0])
assert o["event"] == "doctor" and o["ok"] is True and o["exit_code"] == 0, o
assert o["blocking"] == [], o
ids = [c["id"] for c in o["checks"]]
assert ids == ["user", "usb-bus", "watch", "usb-access", "udev-rules", "modemmanager", "driver", "serial"], ids
for c in o["checks"]:
    assert set(c) == {"id", "status", "message", "fix"}, c
    assert c["status"] in ("ok", "info", "warn", "fail"), c
assert o["checks"][4]["message"] == "the udev rules are installed: /etc/udev/rules.d/60-mtkbak.rules"
EOF

# 4. ModemManager holds the watch's tty: blocking, exit 69.
mkdir -p "$R/proc/812/fd"
ln -s /dev/ttyACM0 "$R/proc/812/fd/9"
run mmhold "$R"
expect_rc mmhold 69
expect_line mmhold "FAIL  modemmanager  ModemManager (pid 812) has the watch's serial port /dev/ttyACM0 open and will break the boot-ROM handshake; fix: sudo systemctl stop ModemManager; sudo mtkbak udev --install; then replug the watch"
expect_err mmhold "1 problem would stop a pull: modemmanager"
rm -rf "$R/proc/812/fd"

# 5. Rules installed but the watch was plugged in before: udev's database lacks the ignore flag.
printf 'I:123\nG:uaccess\n' >"$R/run/udev/data/c189:4"
run mmstale "$R"
expect_rc mmstale 69
expect_line mmstale "FAIL  modemmanager  ModemManager is running (pid 812) and udev did not tell it to ignore the watch at usb:1-2; fix: unplug the watch and plug it in again so udev applies the rules (or: sudo systemctl stop ModemManager)"

# 6. ModemManager running and no rules at all.
base "$R"
mkdir -p "$R/proc/812"
echo ModemManager >"$R/proc/812/comm"
run mmnorules "$R"
expect_rc mmnorules 69
expect_line mmnorules "FAIL  modemmanager  ModemManager is running (pid 812) and no udev rule tells it to ignore the watch: its AT-command probe breaks the boot-ROM handshake; fix: sudo mtkbak udev --install, then replug the watch (or: sudo systemctl stop ModemManager)"

#    ...no mtkbak rules, but the watch's udev entry is marked (another tool's rule): fine.
base "$R"
watch "$R" 1-2 1 5 "" cdc_acm ttyACM0 660 46
mkdir -p "$R/proc/812" "$R/run/udev/data"
echo ModemManager >"$R/proc/812/comm"
printf 'E:ID_MM_DEVICE_IGNORE=1\n' >"$R/run/udev/data/c189:4"
run mmmarked "$R"
expect_rc mmmarked 0
expect_line mmmarked "ok    modemmanager  ModemManager is running (pid 812); udev marked the connected watch to be ignored"

# 7. An unprivileged user and a root-only device node (no rules): permission, exit 77.
base "$R"
watch "$R" 3-1.4 3 7 "" "" "" 600 0
run noperm "$R" setpriv --reuid=65534 --regid=65534 --clear-groups
expect_rc noperm 77
expect_line noperm "FAIL  usb-access    nobody cannot open the watch at usb:3-1.4 (/dev/bus/usb/003/007 is root:root 0600); fix: sudo mtkbak udev --install, then unplug and replug the watch (or run mtkbak with sudo)"
expect_line noperm "ok    driver        usb:3-1.4: no kernel driver is bound; mtkbak talks to it directly over USB"
expect_line noperm "info  serial        the watch at usb:3-1.4 has no serial port (no serial driver bound); fine for the default USB path; fix: only needed for --port serial:PATH: sudo modprobe cdc_acm, then replug the watch"
expect_err noperm "1 problem would stop a pull: usb-access"

#    ...rules installed, node given to plugdev, user not in it: the fix is usermod.
"$MTKBAK" udev --install --root "$R" >/dev/null
chmod 660 "$R/dev/bus/usb/003/007"
chgrp 46 "$R/dev/bus/usb/003/007"
run nogroup "$R" setpriv --reuid=65534 --regid=65534 --clear-groups
expect_rc nogroup 77
expect_line nogroup "FAIL  usb-access    nobody cannot open the watch at usb:3-1.4 (/dev/bus/usb/003/007 is root:plugdev 0660); fix: sudo usermod -aG plugdev nobody, then log in again and replug the watch"
#    ...and in the group: it opens, exit 0.
run ingroup "$R" setpriv --reuid=65534 --regid=65534 --groups=46
expect_rc ingroup 0
expect_line ingroup "ok    usb-access    nobody can open the watch at usb:3-1.4 (/dev/bus/usb/003/007)"
expect_line ingroup "info  user          checking as nobody (uid 65534)"

# 8. No watch, unprivileged, rules installed: predicted from group membership and seat.
base "$R"
"$MTKBAK" udev --install --root "$R" >/dev/null
run predict_no "$R" setpriv --reuid=65534 --regid=65534 --clear-groups
expect_rc predict_no 77
expect_line predict_no "FAIL  usb-access    nobody is neither logged in at this machine's seat nor in group plugdev, so the watch will only open with sudo; fix: sudo usermod -aG plugdev nobody, then log in again and replug the watch"
printf 'root:x:0:\nplugdev:x:46:alice,nobody\n' >"$R/etc/group"
run predict_relogin "$R" setpriv --reuid=65534 --regid=65534 --clear-groups
expect_line predict_relogin "FAIL  usb-access    nobody was added to group plugdev after this login, so it does not count yet; fix: log out and in again (or start a shell with 'newgrp plugdev'), then replug the watch"
mkdir -p "$R/run/systemd/seats"
printf '# This is private data. Do not parse.\nIS_SEAT0=1\nACTIVE=c2\nACTIVE_UID=65534\n' >"$R/run/systemd/seats/seat0"
chmod -R a+rX "$R/run"
run predict_seat "$R" setpriv --reuid=65534 --regid=65534 --clear-groups
expect_rc predict_seat 0
expect_line predict_seat "ok    usb-access    nobody is logged in at this machine (seat0): the rules' uaccess tag gives nobody the watch"

# 9. Two watches: warn (pull would ask for --port), not blocking.
base "$R"
watch "$R" 1-1 1 2 "" "" "" 660 0
watch "$R" 2-3 2 9 "" "" "" 660 0
run two "$R"
expect_rc two 0
expect_line two "warn  watch         2 watches in boot-ROM mode are connected (usb:1-1, usb:2-3): mtkbak will not guess which one; fix: choose one with --port usb:1-1 (or unplug the others)"

# 10. Another program has the watch open (usbfs), and an unusual driver.
base "$R"
watch "$R" 1-4 1 3 usbfs "" "" 660 0
run usbfs "$R"
expect_rc usbfs 69
expect_line usbfs "FAIL  driver        usb:1-4 is open in another program right now (driver usbfs); fix: close the other program (another mtkbak, mtkclient, a virtual machine with USB passthrough), then replug the watch"
base "$R"
watch "$R" 1-4 1 3 option option ttyUSB0 660 0
rm -rf "$R/sys/bus/usb/devices/1-4:1.1/tty"
mkdir -p "$R/sys/bus/usb/devices/1-4:1.0/ttyUSB0"
watch "$R" 1-5 1 4 weird_drv "" "" 660 0
run drivers "$R"
expect_line drivers "ok    driver        usb:1-4: option is bound (serial port /dev/ttyUSB0); mtkbak detaches it to use the USB link (or use --port serial:/dev/ttyUSB0)"
expect_line drivers "warn  driver        usb:1-5: an unusual driver is bound: weird_drv; fix: mtkbak detaches it when it opens the watch; if that fails: echo 1-5:1.0 | sudo tee /sys/bus/usb/drivers/weird_drv/unbind"

# 11. Rules: masked, an older mtkbak version, another tool's late uaccess rules.
base "$R"
mkdir -p "$R/etc/udev/rules.d" "$R/usr/lib/udev/rules.d"
"$MTKBAK" udev >"$R/usr/lib/udev/rules.d/60-mtkbak.rules" 2>/dev/null
ln -s /dev/null "$R/etc/udev/rules.d/60-mtkbak.rules"
run masked "$R"
expect_line masked "warn  udev-rules    /etc/udev/rules.d/60-mtkbak.rules is empty or links to /dev/null, which switches the rules off; fix: sudo rm /etc/udev/rules.d/60-mtkbak.rules && sudo mtkbak udev --install"
rm "$R/etc/udev/rules.d/60-mtkbak.rules"
sed -i 's/MODE="0660"/MODE="0666"/' "$R/usr/lib/udev/rules.d/60-mtkbak.rules"
run older "$R"
expect_line older "warn  udev-rules    /usr/lib/udev/rules.d/60-mtkbak.rules differs from this mtkbak's rules (an older version, or edited); fix: sudo mtkbak udev --install, then replug the watch"
rm "$R/usr/lib/udev/rules.d/60-mtkbak.rules"
echo 'SUBSYSTEM=="usb", ATTR{idVendor}=="0e8d", MODE="0666", TAG+="uaccess"' >"$R/etc/udev/rules.d/80-mtk.rules"
run other "$R"
expect_line other "warn  udev-rules    mtkbak's udev rules are not installed; /etc/udev/rules.d/80-mtk.rules mentions 0e8d (another tool's rules?), but its TAG+=\"uaccess\" sorts after 73-seat-late.rules and has no effect; fix: sudo mtkbak udev --install, then replug the watch"

# 12. WSL, and running under sudo.
base "$R"
echo "Linux version 5.15.133.1-microsoft-standard-WSL2" >"$R/proc/version"
run wsl "$R" env SUDO_USER=alice
expect_line wsl "info  system        this is WSL: attach the watch from Windows with usbipd, and keep --auto-attach on because the boot ROM re-enumerates; fix: in Windows: usbipd attach --wsl --busid BUSID --auto-attach"
expect_line wsl "warn  user          running through sudo: these results are for root, not for alice; fix: run 'mtkbak doctor' without sudo to check alice"

# 13. --json with a blocking problem; -q prints only problems; bad usage.
base "$R"
watch "$R" 1-4 1 3 usbfs "" "" 660 0
set +e
MTKBAK_SYSROOT="$R" "$MTKBAK" doctor --json >"$tmp/j.out" 2>"$tmp/j.err"
rc=$?
set -e
[ $rc -eq 69 ] || fail "json blocking: exit $rc"
python3 - "$tmp/j.out" <<'EOF' || fail "json blocking: content"
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["ok"] is False and o["exit_code"] == 69 and o["blocking"] == ["driver"], o
d = [c for c in o["checks"] if c["id"] == "driver"][0]
assert d["status"] == "fail" and d["fix"].startswith("close the other program"), d
EOF
MTKBAK_SYSROOT="$R" "$MTKBAK" doctor -q >"$tmp/q.out" 2>/dev/null || true
[ "$(wc -l <"$tmp/q.out")" -eq 2 ] || fail "-q: expected 2 lines (warn udev-rules, FAIL driver): $(cat "$tmp/q.out")"
set +e
"$MTKBAK" doctor extra >/dev/null 2>"$tmp/usage.err"
rc=$?
set -e
[ $rc -eq 2 ] || fail "doctor extra: exit $rc, expected 2"
grep -q "doctor takes no arguments" "$tmp/usage.err" || fail "doctor extra: message"
"$MTKBAK" doctor --help | grep -q "^usage: mtkbak doctor" || fail "doctor --help"

finish "doctor: all scenarios passed"
