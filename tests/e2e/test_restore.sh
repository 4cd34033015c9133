#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `mtkbak restore` through the real binary against the simulated watch, whose flash is the NOR
# model of sim/sim_nor.c: save= writes the watch's flash when mtkbak exits, nor_log= lists every
# WREN/WRSR/erase/program command, so every assertion here is on the bytes the watch ends with
# and on what was sent to its flash.
. "$(dirname "$0")/lib.sh"
need MTKBAK MTKBAK_BUILD
need_fwimg
cd "$tmp" || exit 1

nor=norspeed=100 # NOR times / 100: the same commands, faster
$fwimg demo 4M good.bin
# the watch: the same firmware with 12 KiB of its ROM region changed (3 sectors)
$fwimg corrupt good.bin -o watch.bin --fill 0x20000:0x3000:00 >/dev/null
# nor_log= appends (sim/sim_norlog.c): every run starts from an empty log
sim() { rm -f "$3" && echo "sim:$1,$nor,save=$2,nor_log=$3${4:+,$4}"; }
count() { grep -c "^$1 " "$2" || true; }
outside() { # outside LOG OPS LO HI: lines of LOG with an opcode in OPS outside [LO, HI)
	local op a n
	while read -r op a n; do
		case " $2 " in *" $op "*) ;; *) continue ;; esac
		if ((0x$a < $3 || 0x$a >= $4)); then echo "$op $a $n"; fi
	done <"$1"
}

# 1. full image onto the watch with the changed ROM: only the 3 changed sectors written
$MTKBAK restore good.bin --port "$(sim watch.bin out1.bin log1)" --yes --other-watch \
	--with-nvram >o1 2>&1 || fail "restore of a full image: $(cat o1)"
cmp -s good.bin out1.bin || fail "the watch does not hold the image after restore"
[ "$(count 20 log1)" = 3 ] || fail "expected 3 sector erases: $(grep -v '^0[26] ' log1)"
[ "$(count 52 log1)$(count D8 log1)$(count C7 log1)" = 000 ] || fail "block erases: $(cat log1)"
for a in 020000 021000 022000; do grep -q "^20 00$a 00001000$" log1 || fail "no erase of $a"; done
bad=$(outside log1 "02 20" 0x20000 0x23000)
[ -z "$bad" ] || fail "programs outside the changed sectors: $bad"
[ "$(count 02 log1)" = 96 ] || fail "expected 96 page pieces of 128 bytes: $(count 02 log1)"
has o1 "Restored: 3 sectors written"
undo=$(ls pre-restore-*.bin | head -1)
cmp -s "$undo" watch.bin || fail "the undo image is not the watch as it was"
[ -f "$undo.sha256" ] && (sha256sum -c "$undo.sha256" >/dev/null) || fail "undo SHA-256 file"
ls restore-*.state >/dev/null 2>&1 && fail "the restore record stays after success"

# 2. the undo image restores the original exactly (its .info names this watch: no --other-watch)
$MTKBAK restore "$undo" --port "$(sim out1.bin out2.bin log2)" --yes >o2 2>&1 ||
	fail "restoring the undo image: $(cat o2)"
cmp -s watch.bin out2.bin || fail "the undo image did not bring the original back"
rm -f pre-restore-*

# 3. a pull folder of this watch (its readback.bin.info names the watch) onto the changed watch
$MTKBAK pull --port "sim:good.bin" -o pulled >p3 2>&1 || fail "pull: $(cat p3)"
grep -q "^me_id [0-9a-f]\{32\}$" pulled/readback.bin.info || fail "pull wrote no ME ID"
$MTKBAK restore pulled --port "$(sim watch.bin out3.bin log3)" --yes >o3 2>&1 ||
	fail "restore of a pull folder: $(cat o3)"
cmp -s good.bin out3.bin || fail "pull folder: result differs"
[ "$(count 20 log3)" = 3 ] || fail "pull folder: expected 3 erases"
rm -f pre-restore-*
# the same folder onto another watch (another ME ID): refused before any write
rc=0
$MTKBAK restore pulled --port "$(sim watch.bin out3b.bin log3b meid=00112233445566778899AABBCCDDEEFF)" \
	--yes >o3b 2>&1 || rc=$?
[ $rc -ne 0 ] || fail "another watch: restore went ahead"
has o3b "the backup belongs to another watch"
[ -s log3b ] && fail "another watch: write commands were sent"

# 4. --dry-run writes nothing (no erase/program/WREN at all) and shows the plan
$MTKBAK restore good.bin --port "$(sim watch.bin out4.bin log4)" --dry-run --other-watch \
	>o4 2>&1 || fail "dry run: $(cat o4)"
cmp -s watch.bin out4.bin || fail "dry run changed the watch"
[ -s log4 ] && fail "dry run sent write commands: $(cat log4)"
has o4 "Plan: 3 of 1024 sectors differ"
has o4 "Dry run: nothing was written."
ls pre-restore-* >/dev/null 2>&1 && fail "dry run made an undo image"

# 5. --other-watch keeps the target's FAT: a watch with its own FAT bytes keeps them
$fwimg corrupt watch.bin -o watch5.bin --fill 0x300000:0x2000:5A >/dev/null
$MTKBAK restore good.bin --port "$(sim watch5.bin out5.bin log5)" --yes --other-watch >o5 2>&1 ||
	fail "--other-watch: $(cat o5)"
cmp -s <(head -c $((0x300000)) good.bin) <(head -c $((0x300000)) out5.bin) ||
	fail "--other-watch: the code regions were not restored"
cmp -s <(tail -c +$((0x300001)) watch5.bin) <(tail -c +$((0x300001)) out5.bin) ||
	fail "--other-watch: the FAT region was not kept"
[ -z "$(outside log5 "02 20 52 D8" 0 0x300000)" ] ||
	fail "--other-watch: commands inside FAT: $(outside log5 "02 20 52 D8" 0 0x300000)"
rm -f pre-restore-*

# 6. refusals, each before any write command, each with what to do next
refuse() { # refuse NAME EXPECTED-TEXT SIMOPTS SOURCE [ARGS...]
	local name=$1 want=$2 opts=$3 src=$4 rc=0
	shift 4
	rm -f logr
	$MTKBAK restore "$src" --port "$(sim watch.bin outr.bin logr "$opts")" --yes "$@" \
		>or 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || fail "$name: restore went ahead"
	has or "$want"
	grep -q "hint:" or || fail "$name: no next step: $(cat or)"
	[ -s logr ] && fail "$name: write commands were sent: $(cat logr)"
	cmp -s watch.bin outr.bin || fail "$name: the watch changed"
	true
}
refuse "other JEDEC ID" "does not list this watch's flash EF 40 16" jedec=EF4016 good.bin --other-watch
refuse "other chip" "firmware, the watch is MT6260" chip=mt6260 good.bin --other-watch
refuse "unknown watch" "does not say which watch" "" good.bin
refuse "protected" "block protection (status register 1 = 0x1C)" protect=1C good.bin --other-watch
$fwimg corrupt good.bin -o sick.bin --flip 0x1000 >/dev/null
refuse "health" "health is" "" sick.bin --other-watch
# a smaller flash: an 8 MiB image onto the 4 MiB watch that claims an 8 MiB part
$fwimg demo 8M big.bin
refuse "smaller flash" "the watch's flash only 4096 KiB" jedec=C84017 big.bin --other-watch

# 7. protected sectors with --unprotect: written, and the status register put back
$MTKBAK restore good.bin --port "$(sim watch.bin out7.bin log7 protect=1C)" --yes --other-watch \
	--with-nvram --unprotect >o7 2>&1 || fail "--unprotect: $(cat o7)"
cmp -s good.bin out7.bin || fail "--unprotect: result differs"
[ "$(count 01 log7)" = 2 ] || fail "--unprotect: expected 2 status writes: $(count 01 log7)"
has o7 "Block protection put back (status register 1 = 0x1C)"
rm -f pre-restore-*

# 8. cable drop in the middle of an erase or a program, then the same command: exact
$fwimg corrupt good.bin -o watch8.bin --fill 0x10000:0x60000:00 >/dev/null # the whole ROM
for cut in 2 17 40 77 150; do
	rm -f restore-*.state pre-restore-*
	cp watch8.bin w8.bin
	rc=0
	$MTKBAK restore good.bin --port "$(sim w8.bin w8a.bin log8 norcut=$cut,seed=$cut)" --yes \
		--other-watch --with-nvram >o8 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || fail "cut $cut: restore claimed success: $(tail -3 o8)"
	grep -q "Restored" o8 && fail "cut $cut: 'Restored' after a cable drop"
	grep -q "run the same command again" o8 || fail "cut $cut: no rerun hint: $(tail -3 o8)"
	ls restore-*.state >/dev/null 2>&1 || fail "cut $cut: no restore record"
	$MTKBAK restore good.bin --port "$(sim w8a.bin w8b.bin log8b seed=$cut)" --yes --other-watch \
		--with-nvram >o8b 2>&1 || fail "cut $cut: rerun failed: $(tail -5 o8b)"
	cmp -s good.bin w8b.bin || fail "cut $cut: the rerun did not restore exactly"
	has o8b "Continuing an interrupted restore"
	ls pre-restore-* 2>/dev/null | grep -q . || fail "cut $cut: the undo image is gone"
done
rm -f pre-restore-*

# 9. a sector that never erases: a clear error naming it, nothing claimed
rc=0
$MTKBAK restore good.bin --port "$(sim watch.bin out9.bin log9 norbad=0x21000)" --yes \
	--other-watch --with-nvram >o9 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "bad sector: exit $rc, expected 1: $(tail -3 o9)"
has o9 "sector 0x021000 (ROM) does not hold the image's bytes"
grep -q "Restored" o9 && fail "bad sector: 'Restored' claimed"
[ "$(grep -c '^20 00021000 ' log9)" = 2 ] || fail "bad sector: expected one retry"
rm -f pre-restore-* restore-*.state

# 10. an unchanged watch: nothing erased or programmed, no undo image needed
$MTKBAK restore good.bin --port "$(sim good.bin out10.bin log10)" --yes --other-watch \
	--with-nvram >o10 2>&1 || fail "unchanged watch: $(cat o10)"
[ -s log10 ] && fail "unchanged watch: write commands: $(cat log10)"
has o10 "nothing to write"

# 11. read, pull and identify stay read-only: the NOR saw no write command, not even a WREN
$MTKBAK read -o r.bin --port "$(sim watch.bin out11.bin log11)" >o11 2>&1 || fail "read: $(cat o11)"
[ -s log11 ] && fail "read sent write commands: $(cat log11)"
$MTKBAK pull --port "$(sim watch.bin out11p.bin log11p)" -o p11 >o11p 2>&1 || fail "pull: $(cat o11p)"
[ -s log11p ] && fail "pull sent write commands: $(cat log11p)"
$MTKBAK identify --port "$(sim watch.bin out11i.bin log11i)" >o11i 2>&1 || fail "identify: $(cat o11i)"
[ -s log11i ] && fail "identify sent write commands: $(cat log11i)"
cmp -s watch.bin out11.bin && cmp -s watch.bin out11p.bin && cmp -s watch.bin out11i.bin ||
	fail "a read-only command changed the watch"

# 11b. --only ROM: a watch whose ROM and FAT differ gets only its ROM back
$fwimg corrupt watch.bin -o watch11.bin --fill 0x300000:0x1000:33 >/dev/null
$MTKBAK restore good.bin --port "$(sim watch11.bin out11o.bin log11o)" --yes --other-watch \
	--with-nvram --only ROM >o11o 2>&1 || fail "--only ROM: $(cat o11o)"
cmp -s <(head -c $((0x300000)) good.bin) <(head -c $((0x300000)) out11o.bin) ||
	fail "--only ROM: the ROM was not restored"
cmp -s <(tail -c +$((0x300001)) watch11.bin) <(tail -c +$((0x300001)) out11o.bin) ||
	fail "--only ROM: the FAT changed"
rm -f pre-restore-*

# 11c. a memory window that serves stale data after a program: verification goes through the
# flash controller, so the restore still ends exact (and says so only then)
$MTKBAK restore good.bin --port "$(sim watch.bin out11s.bin log11s stale)" --yes --other-watch \
	--with-nvram >o11s 2>&1 || fail "stale window: $(cat o11s)"
cmp -s good.bin out11s.bin || fail "stale window: result differs"
has o11s "Restored: 3 sectors written"
rm -f pre-restore-*

# 11d. without --yes and without a terminal: nothing is written, and it says how to go on
rc=0
$MTKBAK restore good.bin --port "$(sim watch.bin out11n.bin log11n)" --other-watch </dev/null \
	>o11n 2>&1 || rc=$?
[ $rc -ne 0 ] || fail "no confirmation: it went ahead"
has o11n "add --yes"
[ -s log11n ] && fail "no confirmation: write commands were sent: $(cat log11n)"
ls pre-restore-* >/dev/null 2>&1 && fail "no confirmation: an undo image was made"

# 11e. the shipped ARM agent on the emulated core with the real boot ROM (rom=, when the
# corpus has it): the same restore, the same erase/program commands, then a power cut mid-way
# and the rerun
rom=${MTKBAK_CORPUS:-}/brom/MT6261-bootrom.bin
if [ -f "$rom" ]; then
	$MTKBAK restore good.bin --port "$(sim watch.bin out11e.bin log11e rom=$rom)" --yes \
		--other-watch --with-nvram >o11e 2>&1 || fail "engine: $(tail -3 o11e)"
	cmp -s good.bin out11e.bin || fail "engine: result differs"
	[ "$(count 20 log11e)/$(count 02 log11e)" = 3/96 ] || fail "engine: $(count 20 log11e) erases"
	rm -f pre-restore-* restore-*.state
	$MTKBAK restore good.bin --port "$(sim watch8.bin out11f.bin log11f rom=$rom,norcut=40)" \
		--yes --other-watch --with-nvram >o11f 2>&1 && fail "engine cut: claimed success"
	$MTKBAK restore good.bin --port "$(sim out11f.bin out11g.bin log11g rom=$rom)" --yes \
		--other-watch --with-nvram >o11g 2>&1 || fail "engine rerun: $(tail -3 o11g)"
	cmp -s good.bin out11g.bin || fail "engine rerun: result differs"
	rm -f pre-restore-* restore-*.state
else
	echo "note: no $rom: the restore through the emulated ARM agent is not run"
fi

# 12. SIGKILL and Ctrl-C at points spread over the undo image, erases and programs (real NOR
# times; persist keeps the flash file current, as a real watch keeps its flash), then the
# same command again: exact every time
for sig in KILL INT; do
	for delay in 0.2 0.5 0.9 1.3 1.7; do
		rm -f restore-*.state* pre-restore-*
		cp watch8.bin k.bin
		$MTKBAK restore good.bin --port "sim:k.bin,save=k.bin,persist,seed=7" --yes \
			--other-watch --with-nvram >ok 2>&1 &
		pid=$!
		sleep $delay
		kill -$sig $pid 2>/dev/null || true
		rc=0
		wait $pid || rc=$?
		pid=
		if [ $sig = INT ] && [ $rc -ne 0 ] && [ $rc -ne 130 ]; then
			fail "Ctrl-C at $delay s: exit $rc, want 130: $(tail -3 ok)"
		fi
		if [ $rc -eq 0 ]; then
			cmp -s good.bin k.bin || fail "$sig at $delay s: exit 0 but the image differs"
		fi
		$MTKBAK restore good.bin --port "$(sim k.bin k2.bin logk seed=7)" --yes --other-watch \
			--with-nvram >ok2 2>&1 || fail "$sig at $delay s: rerun: $(tail -3 ok2)"
		cmp -s good.bin k2.bin || fail "$sig at $delay s: the rerun did not restore exactly"
	done
done

finish "restore: all checks passed"
