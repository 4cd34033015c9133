#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The HIL scenarios, run inside the guest by /init (busybox sh). Each prints one line
#   HIL: PASS|FAIL|SKIP N name[ - reason]
# on the console. The "cable" is mtkbak-usbsim on the host, driven through /dev/ttyS1:
#   new-unplugged OPTS   a freshly booted watch with sim options OPTS, cable out
#   plug / unplug        cable in / out;  status   counters (connects, disconnects, ...)
. /hil/config
OUT=/tmp/hil
mkdir -p $OUT
FAILS=0

log() { echo "hil: $*"; }

# result STATUS N NAME [REASON] [OUTPUT-FILE...]: on FAIL the files are shown
result() {
	st=$1 n=$2 name=$3 why=$4
	if [ $# -ge 4 ]; then shift 4; else shift $#; fi
	if [ -n "$why" ]; then echo "HIL: $st $n $name - $why"; else echo "HIL: $st $n $name"; fi
	[ "$st" = FAIL ] && FAILS=$((FAILS + 1))
	if [ "$st" = FAIL ] || [ "${VERBOSE:-0}" = 1 ]; then
		for f in "$@"; do
			[ -f "$f" ] || continue
			echo "---- $f"
			sed 's/^/  | /' "$f" | tail -n 80
		done
	fi
}

# ---------------------------------------------------------------- the cable (mtkbak-usbsim)
stty -F /dev/ttyS1 raw -echo 115200 2>/dev/null
exec 3<>/dev/ttyS1
REPLY_LINE=""
ctl() {
	echo "$*" >&3
	if ! read -t 30 -r REPLY_LINE <&3; then
		log "no answer from mtkbak-usbsim to '$*'"
		return 1
	fi
	REPLY_LINE=$(printf '%s' "$REPLY_LINE" | tr -d '\r')
	case "$REPLY_LINE" in
	ok*) return 0 ;;
	*) log "mtkbak-usbsim: '$*': $REPLY_LINE"; return 1 ;;
	esac
}
# status field: ctl_field connects
ctl_field() {
	ctl status >/dev/null || return 1
	for kv in $REPLY_LINE; do
		case "$kv" in "$1="*) echo "${kv#*=}"; return 0 ;; esac
	done
	return 1
}

# ---------------------------------------------------------------- the watch in sysfs
# dev_path: the watch's bus-port path (e.g. 1-1), or fails
dev_path() {
	for d in /sys/bus/usb/devices/*; do
		[ -f "$d/idVendor" ] || continue
		if [ "$(cat "$d/idVendor"):$(cat "$d/idProduct")" = "0e8d:0003" ]; then
			basename "$d"
			return 0
		fi
	done
	return 1
}
# wait_dev present|absent SECONDS
wait_dev() {
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		if dev_path >/dev/null; then
			[ "$1" = present ] && return 0
		else
			[ "$1" = absent ] && return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# tty_of PATH: the ttyACM the kernel made for the device at PATH
tty_of() {
	for t in /sys/class/tty/ttyACM*; do
		[ -e "$t" ] || continue
		case "$(readlink -f "$t/device")" in
		*/"$1"/"$1":*) basename "$t"; return 0 ;;
		esac
	done
	return 1
}
# wait_tty PATH SECONDS: prints the tty name once /dev/NAME exists
wait_tty() {
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		t=$(tty_of "$1") && [ -c "/dev/$t" ] && { echo "$t"; return 0; }
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# fresh_watch OPTS: a newly booted watch, plugged in, enumerated, cdc_acm bound, udev done.
# Sets DEV (bus-port path) and TTY. Every watch here waits for DTR and a line coding
# (dtr=required), so each scenario also shows that the host side sets both up.
fresh_watch() {
	DEV="" TTY=""
	ctl new-unplugged "$1,dtr=required" || return 1
	wait_dev absent 10 || { log "the old watch did not leave the bus"; return 1; }
	ctl plug || return 1
	wait_dev present 20 || { log "the watch did not enumerate within 20 s"; return 1; }
	DEV=$(dev_path)
	TTY=$(wait_tty "$DEV" 10) || { log "no ttyACM for $DEV within 10 s"; return 1; }
	udevadm settle -t 10 2>/dev/null
	return 0
}

# usb_node PATH: the libusb device node of the device at PATH
usb_node() {
	printf '/dev/bus/usb/%03d/%03d\n' "$(cat "/sys/bus/usb/devices/$1/busnum")" "$(cat "/sys/bus/usb/devices/$1/devnum")"
}

# have_cmd NAME: the command is in this build of mtkbak (not the placeholder)
have_cmd() {
	o=$(mtkbak "$1" --help 2>&1)
	rc=$?
	case "$o" in *"not in this build"*) return 1 ;; esac
	[ $rc -ne 70 ]
}

hex_of() { od -An -tx1 -v "$1" | tr -d ' \n'; }

# ---------------------------------------------------------------- 0: the USB stack itself
# Not an mtkbak command: the emulated boot ROM on the real kernel stack (descriptors as the
# kernel received them, cdc_acm binding, device nodes, the handshake through /dev/ttyACM*).
# device descriptor (18 B) then the configuration (67 B), as in doc/brom-protocol.md section 1.2
DESC_DEVICE=12011001020000408d0e0300000100000001
DESC_CONFIG=09024300020100800009040000020a00000107058102400000070501024000000904010001020201\
0205240010010424020f0524060100052401030007058303100001
DESC_EXPECTED=$DESC_DEVICE$DESC_CONFIG
scenario_0() {
	n=0 name=usb-stack f=$OUT/s0.log
	: >$f
	fresh_watch link=fs >>$f 2>&1 || { result FAIL $n $name "the watch did not come up" $f; return; }
	got=$(hex_of /sys/bus/usb/devices/$DEV/descriptors)
	if [ "$got" != "$DESC_EXPECTED" ]; then
		echo "descriptors: $got" >>$f
		result FAIL $n $name "descriptors differ from the MT6261 capture" $f
		return
	fi
	[ "$DEV" = 1-1 ] || { result FAIL $n $name "bus-port path is $DEV, expected 1-1" $f; return; }
	for i in 0 1; do
		d=$(basename "$(readlink -f /sys/bus/usb/devices/$DEV:1.$i/driver)" 2>/dev/null)
		[ "$d" = cdc_acm ] || { result FAIL $n $name "interface 1.$i driver '$d', not cdc_acm" $f; return; }
	done
	node=$(usb_node "$DEV")
	[ -c "$node" ] || { result FAIL $n $name "no device node $node" $f; return; }
	# the boot ROM handshake byte by byte through cdc_acm: A0 0A 50 05 -> 5F F5 AF FA
	stty -F /dev/$TTY raw -echo 115200 >>$f 2>&1
	exec 4<>/dev/$TTY
	hs=""
	for b in a0 0a 50 05; do
		printf "\\x$b" >&4
		hs="$hs$(timeout 3 dd bs=1 count=1 <&4 2>>$f | od -An -tx1 | tr -d ' \n')"
	done
	exec 4<&-
	[ "$hs" = 5ff5affa ] || { result FAIL $n $name "handshake through /dev/$TTY answered '$hs'" $f; return; }
	result PASS $n $name "$DEV cdc_acm /dev/$TTY $node, descriptors exact, handshake ok"
}

# ---------------------------------------------------------------- 1: mtkbak list
scenario_1() {
	n=1 name=list f=$OUT/s1.log
	have_cmd list || { result SKIP $n $name "mtkbak list is not in this build"; return; }
	fresh_watch link=fs >$f 2>&1 || { result FAIL $n $name "the watch did not come up" $f; return; }
	mtkbak list >$OUT/s1.out 2>&1
	rc=$?
	cat $OUT/s1.out >>$f
	[ $rc -eq 0 ] || { result FAIL $n $name "exit code $rc" $f; return; }
	grep -q "$DEV" $OUT/s1.out || { result FAIL $n $name "bus-port path $DEV not shown" $f; return; }
	grep -q cdc_acm $OUT/s1.out || { result FAIL $n $name "cdc_acm binding not shown" $f; return; }
	grep -q "$TTY" $OUT/s1.out || { result FAIL $n $name "/dev/$TTY not shown" $f; return; }
	result PASS $n $name "shows $DEV, cdc_acm, $TTY" $f
}

# ---------------------------------------------------------------- 2: identify over libusb
MEID=4d544b42414b2d48494c2d5445535421
# tty_events FILE: kernel add/remove events of ttys while a command runs (stop with kill)
tty_events_start() {
	udevadm monitor --kernel --subsystem-match=tty >"$1" 2>&1 &
	MONITOR=$!
	sleep 0.3
}
tty_events_stop() {
	sleep 0.3
	kill $MONITOR 2>/dev/null
	wait $MONITOR 2>/dev/null
}
scenario_2() {
	n=2 name=identify-usb f=$OUT/s2.log
	have_cmd identify || { result SKIP $n $name "mtkbak identify is not in this build"; return; }
	fresh_watch "link=fs,meid=$MEID" >$f 2>&1 || { result FAIL $n $name "the watch did not come up" $f; return; }
	tty_events_start $OUT/s2.events
	timeout 60 mtkbak identify --port usb >$OUT/s2.out 2>&1
	rc=$?
	# libusb detached cdc_acm for the handshake; mtkbak must hand the interfaces back
	tty=$(wait_tty "$DEV" 10)
	tty_events_stop
	cat $OUT/s2.out $OUT/s2.events >>$f
	[ $rc -eq 0 ] || { result FAIL $n $name "exit code $rc" $f; return; }
	grep -q "hw code 0x6261" $OUT/s2.out || { result FAIL $n $name "chip not shown" $f; return; }
	grep -qi "$MEID" $OUT/s2.out || { result FAIL $n $name "ME ID $MEID not shown" $f; return; }
	grep -q "remove.*ttyACM" $OUT/s2.events ||
		{ result FAIL $n $name "cdc_acm was never detached (no tty remove event)" $f; return; }
	[ -n "$tty" ] || { result FAIL $n $name "no /dev/ttyACM* after identify: cdc_acm not re-attached" $f; return; }
	for i in 0 1; do
		d=$(basename "$(readlink -f /sys/bus/usb/devices/$DEV:1.$i/driver)" 2>/dev/null)
		[ "$d" = cdc_acm ] || { result FAIL $n $name "interface 1.$i driver '$d' after identify" $f; return; }
	done
	result PASS $n $name "MT6261 + ME ID over libusb; cdc_acm detached and back (/dev/$tty)" $f
}

# ---------------------------------------------------------------- 3: identify over cdc_acm
scenario_3() {
	n=3 name=identify-serial f=$OUT/s3.log
	have_cmd identify || { result SKIP $n $name "mtkbak identify is not in this build"; return; }
	have_cmd list || { result SKIP $n $name "mtkbak list is not in this build"; return; }
	fresh_watch "link=fs,meid=$MEID" >$f 2>&1 || { result FAIL $n $name "the watch did not come up" $f; return; }
	# libserialport finds the port's USB VID:PID through sysfs
	mtkbak list --json >$OUT/s3.list 2>&1
	cat $OUT/s3.list >>$f
	entry=$(tr '{' '\n' <$OUT/s3.list | grep "\"path\":\"/dev/$TTY\"" | tr 'A-F' 'a-f')
	case "$entry" in
	*'"vid":"0x0e8d"'*'"pid":"0x0003"'*'"watch":true'*) ;;
	*) result FAIL $n $name "list does not show /dev/$TTY as 0e8d:0003 (watch)" $f; return ;;
	esac
	timeout 60 mtkbak identify --port serial:/dev/$TTY >$OUT/s3.out 2>&1
	rc=$?
	cat $OUT/s3.out >>$f
	[ $rc -eq 0 ] || { result FAIL $n $name "exit code $rc" $f; return; }
	grep -q "hw code 0x6261" $OUT/s3.out || { result FAIL $n $name "chip not shown" $f; return; }
	grep -qi "$MEID" $OUT/s3.out || { result FAIL $n $name "ME ID $MEID not shown" $f; return; }
	result PASS $n $name "/dev/$TTY listed as 0e8d:0003; MT6261 + ME ID through cdc_acm" $f
}

# ---------------------------------------------------------------- 4-6: the backup
# pull when this build has it, else read (the same engine) — the result line says which
BACKUP=""
have_cmd pull && BACKUP="pull"
[ -z "$BACKUP" ] && have_cmd read && BACKUP="read"

# backup_start DIR [USER]: starts the backup in the background (BK_PID), output in DIR.out
backup_start() {
	dir=$1 user=$2
	mkdir -p "$(dirname "$dir")"
	if [ $BACKUP = pull ]; then
		cmd="mtkbak pull --auto -o $dir --timeout 120 ${BK_EXTRA:-}"
	else
		cmd="mtkbak read -o $dir/readback.bin --timeout 120 ${BK_EXTRA:-}"
		mkdir -p "$dir"
	fi
	if [ -n "$user" ]; then
		chown -R "$user" "$(dirname "$dir")"
		[ $BACKUP = read ] && chown "$user" "$dir"
		timeout 170 su "$user" -s /bin/sh -c "cd /tmp && exec $cmd" >"$dir.out" 2>&1 &
	else
		timeout 170 sh -c "exec $cmd" >"$dir.out" 2>&1 &
	fi
	BK_PID=$!
}
# backup_check DIR: the image is exact and (pull) the kit matches the host's, file by file.
# Sets WHY on failure and KIT_NOTE.
backup_check() {
	dir=$1 WHY="" KIT_NOTE=""
	[ -f "$dir/readback.bin" ] || { WHY="no $dir/readback.bin"; return 1; }
	sum=$(sha256sum "$dir/readback.bin" | cut -d' ' -f1)
	[ "$sum" = "$IMAGE_SHA256" ] || { WHY="readback.bin differs from the watch's flash ($sum)"; return 1; }
	if [ $BACKUP = read ]; then
		KIT_NOTE="(mtkbak read: no kit)"
		return 0
	fi
	[ -f "$dir/SHA256SUMS" ] || { WHY="no SHA256SUMS"; return 1; }
	(cd "$dir" && sha256sum -c SHA256SUMS >/dev/null 2>&1) || { WHY="SHA256SUMS does not verify"; return 1; }
	if [ ! -s /hil/kit.sha256 ]; then
		KIT_NOTE="kit not compared (the host could not build a reference)"
		return 0
	fi
	nfiles=0
	while read -r ksum kpath; do
		case "$kpath" in ./report.txt | ./report.json | ./SHA256SUMS) continue ;; esac
		got=""
		[ -f "$dir/$kpath" ] && got=$(sha256sum "$dir/$kpath" | cut -d' ' -f1)
		[ "$got" = "$ksum" ] || { WHY="kit file $kpath differs from the host's extract"; return 1; }
		nfiles=$((nfiles + 1))
	done </hil/kit.sha256
	KIT_NOTE="kit: $nfiles files identical to the host's"
	return 0
}

scenario_4() {
	n=4 name=hotplug-pull f=$OUT/s4.log
	[ -n "$BACKUP" ] || { result SKIP $n $name "neither mtkbak pull nor read is in this build"; return; }
	name=hotplug-$BACKUP
	ctl new-unplugged "link=fs,dtr=required" >$f 2>&1 || { result FAIL $n $name "mtkbak-usbsim did not answer" $f; return; }
	wait_dev absent 10
	backup_start $OUT/s4
	sleep 2
	kill -0 $BK_PID 2>/dev/null || { cat $OUT/s4.out >>$f; result FAIL $n $name "mtkbak ended before the watch was plugged in" $f; return; }
	t0=$(cut -d' ' -f1 /proc/uptime)
	b0=$(ctl_field in_bytes)
	ctl plug >>$f 2>&1
	wait $BK_PID
	rc=$?
	t1=$(cut -d' ' -f1 /proc/uptime)
	b1=$(ctl_field in_bytes)
	cat $OUT/s4.out >>$f
	[ $rc -eq 0 ] || { result FAIL $n $name "exit code $rc" $f; return; }
	# the compressed READ sends fewer bytes than the flash holds: what crossed the bus must
	# be at least what mtkbak says crossed the link (its "Link:" line, in MB)
	wire=$(sed -n 's/^Link: *\([0-9.]*\) MB crossed.*/\1/p' $OUT/s4.out | head -1)
	[ -n "$wire" ] || { result FAIL $n $name "mtkbak did not say how many bytes crossed the link" $f; return; }
	need=$(awk -v w=$wire 'BEGIN{printf "%d", w * 1000000 * 0.99}')
	[ $((b1 - b0)) -ge $need ] || { result FAIL $n $name "only $((b1 - b0)) bytes crossed the bus, mtkbak counted $wire MB" $f; return; }
	# --port auto takes the watch through libusb or, when its tty shows up before libusb has
	# listed the device, through cdc_acm: both are the real USB stack; say which one it was
	via=$(grep -o -E 'usb:[0-9][0-9.-]*|serial:/dev/[A-Za-z0-9]+' $OUT/s4.out | head -1)
	[ -n "$via" ] || { result FAIL $n $name "the output does not say which port it used" $f; return; }
	backup_check $OUT/s4 || { result FAIL $n $name "$WHY" $f; return; }
	result PASS $n $name "via $via, 16 MiB exact in $(awk -v a=$t0 -v b=$t1 'BEGIN{printf "%.1f", b-a}') s after plug-in; $KIT_NOTE" $f
	rm -rf $OUT/s4
}

scenario_5() {
	n=5 name=cable-drop f=$OUT/s5.log
	[ -n "$BACKUP" ] || { result SKIP $n $name "neither mtkbak pull nor read is in this build"; return; }
	name=cable-drop-$BACKUP
	# the watch drops off the bus after 40% of the image went out, and is back 1.5 s later
	at=$((IMAGE_SIZE * 4 / 10))
	fresh_watch "link=fs,disconnect=$at,replug=1500" >$f 2>&1 || { result FAIL $n $name "the watch did not come up" $f; return; }
	c0=$(ctl_field connects)
	b0=$(ctl_field in_bytes)
	# the drop is placed by raw byte count: read uncompressed so it falls at 40% of the image
	BK_EXTRA="--compress off" backup_start $OUT/s5
	wait $BK_PID
	rc=$?
	c1=$(ctl_field connects)
	b1=$(ctl_field in_bytes)
	cat $OUT/s5.out >>$f
	dmesg | grep -E 'usb 1-1: (USB disconnect|new full-speed)' | tail -n 4 >>$f
	[ $rc -eq 0 ] || { result FAIL $n $name "exit code $rc" $f; return; }
	[ $((c1 - c0)) -ge 1 ] || { result FAIL $n $name "the cable was never pulled (connects $c0 -> $c1)" $f; return; }
	# resumed, not started over: well under 40% of the image crossed the bus twice
	moved=$((b1 - b0))
	[ $moved -lt $((IMAGE_SIZE * 5 / 4)) ] ||
		{ result FAIL $n $name "$moved bytes crossed the bus: the read started over instead of resuming" $f; return; }
	grep -q "usb:1-1" $OUT/s5.out || { result FAIL $n $name "did not read through usb:1-1" $f; return; }
	backup_check $OUT/s5 || { result FAIL $n $name "$WHY" $f; return; }
	mib=$(awk -v b=$moved 'BEGIN{printf "%.1f", b / 1048576}')
	result PASS $n $name "cable out at byte $at, back 1.5 s later: resumed ($mib MiB over the bus), 16 MiB exact; $KIT_NOTE" $f
	rm -rf $OUT/s5
}

RULES=/etc/udev/rules.d/60-mtkbak.rules
scenario_6() {
	n=6 name=unprivileged f=$OUT/s6.log
	[ -n "$BACKUP" ] || { result SKIP $n $name "neither mtkbak pull nor read is in this build"; return; }
	[ -f /hil/60-mtkbak.rules ] || { result SKIP $n $name "no udev/60-mtkbak.rules in the tree"; return; }
	name=unprivileged-$BACKUP
	# a) with the rules: watcher is in group $RULES_GROUP, nothing else
	cp /hil/60-mtkbak.rules $RULES
	udevadm control --reload
	fresh_watch "link=fs" >$f 2>&1 || { result FAIL $n $name "the watch did not come up" $f; return; }
	ls -l "$(usb_node "$DEV")" >>$f
	id watcher >>$f 2>&1
	rm -rf /home/watcher/s6
	backup_start /home/watcher/s6/out watcher
	wait $BK_PID
	rc=$?
	cat /home/watcher/s6/out.out >>$f
	[ $rc -eq 0 ] || { result FAIL $n $name "as watcher (group $RULES_GROUP) with the rules: exit code $rc" $f; return; }
	backup_check /home/watcher/s6/out || { result FAIL $n $name "with the rules: $WHY" $f; return; }
	owner=$(stat -c %U /home/watcher/s6/out/readback.bin)
	[ "$owner" = watcher ] || { result FAIL $n $name "readback.bin belongs to $owner" $f; return; }
	rm -rf /home/watcher/s6
	# b) without the rules: a clear permission error naming the fix, exit 77
	rm -f $RULES
	udevadm control --reload
	fresh_watch "link=fs" >>$f 2>&1 || { result FAIL $n $name "the watch did not come up (no rules)" $f; return; }
	ls -l "$(usb_node "$DEV")" >>$f 2>&1
	mkdir -p /home/watcher/s6
	chown watcher /home/watcher/s6
	o=/home/watcher/s6/out
	[ $BACKUP = read ] && o=/home/watcher/s6/readback.bin
	timeout 60 su watcher -s /bin/sh -c "cd /tmp && exec mtkbak $BACKUP --port usb -o $o --timeout 10" \
		>$OUT/s6b.out 2>&1
	rc=$?
	cat $OUT/s6b.out >>$f
	cp /hil/60-mtkbak.rules $RULES
	udevadm control --reload
	[ $rc -eq 77 ] || { result FAIL $n $name "without the rules: exit code $rc, expected 77" $f; return; }
	grep -qi "permission" $OUT/s6b.out || { result FAIL $n $name "without the rules: no 'permission' in the error" $f; return; }
	grep -q "udev" $OUT/s6b.out || { result FAIL $n $name "without the rules: the error does not point at the udev rules" $f; return; }
	result PASS $n $name "as watcher in $RULES_GROUP: exact; $KIT_NOTE; without rules: exit 77, '$(grep -i -m1 permission $OUT/s6b.out | cut -c1-90)'" $f
}

SCENARIO_LIST=${SCENARIOS:-"0 1 2 3 4 5 6"}
for s in $SCENARIO_LIST; do
	t0=$(cut -d' ' -f1 /proc/uptime)
	if type scenario_$s >/dev/null 2>&1; then
		scenario_$s
	else
		result SKIP $s unknown "no such scenario"
	fi
	t1=$(cut -d' ' -f1 /proc/uptime)
	log "scenario $s took $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s"
done

if [ $FAILS -gt 0 ]; then
	echo "---------------- guest kernel log ----------------"
	dmesg
	echo "---------------- udevd log ----------------"
	cat /tmp/udevd.log
fi
