#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# mtkbak against the simulated watch's real-ROM behaviours (doc/simulator.md): a watch that
# ignores the host until DTR and the line coding are set (dtr=required), one that reads 0xFF
# past the end of its flash (past_end=ff), MT6250 reading through the agent at its own
# address and through the boot ROM alone, and a boot-ROM dump given with rom=.
# Every image read is compared byte for byte with the simulated flash.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/norlog_lib.sh"
need MTKBAK MTKBAK_BUILD
need_fwimg
cd "$tmp" || exit 1

"$fwimg" demo 4M img.bin

# dtr=required: mtkbak's transport sets the line coding and raises DTR like usb.c does
for mode in agent no-da; do
	flag=
	[ $mode = agent ] || flag=--no-da
	rc=0
	"$MTKBAK" read -o dtr-$mode.bin $flag --port sim:img.bin,dtr=required >dtr-$mode.txt 2>&1 ||
		rc=$?
	[ $rc -eq 0 ] || fail "read ($mode) with dtr=required: exit $rc: $(cat dtr-$mode.txt)"
	cmp -s dtr-$mode.bin img.bin || fail "read ($mode) with dtr=required differs from the flash"
done

# past_end=ff: the image is exact. The size: the mirror test finds no repeat, but the data
# past 8 MiB reads all 0xFF, which proves nothing about the size (issue 12), so the JEDEC ID
# decides: 4 MiB, not the whole window
rc=0
"$MTKBAK" read -o ff.bin --port sim:img.bin,past_end=ff >ff.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "read with past_end=ff: exit $rc: $(cat ff.txt)"
cmp -s ff.bin img.bin || fail "read with past_end=ff differs from the flash (4 MiB)"
has ff.txt "JEDEC ID C8 40 16 (4 MiB)"
has ff.txt "reads 0xFF from 8 MiB up"
# the default (wrap) aliases: 4 MiB, confirmed by the mirror test
rc=0
"$MTKBAK" read -o wrap.bin --port sim:img.bin,past_end=wrap >wrap.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "read with past_end=wrap: exit $rc: $(cat wrap.txt)"
cmp -s wrap.bin img.bin || fail "read with past_end=wrap differs from the flash"
has wrap.txt "confirmed by SFDP and the mirror test"

# MT6250: identified; its ROM keeps data at 0x7000663C-0x70007CA4, so the agent goes to its
# own address 0x70008000 (issue 12) and reads through the agent; --no-da reads through the ROM
rc=0
"$MTKBAK" identify --port sim:img.bin,chip=mt6250 >id50.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "identify MT6250: exit $rc: $(cat id50.txt)"
has id50.txt "MT6250 (hw code 0x6250)"
rc=0
"$MTKBAK" read -v -o a50.bin --port sim:img.bin,chip=mt6250 >a50.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "agent read on MT6250: exit $rc: $(cat a50.txt)"
cmp -s a50.bin img.bin || fail "agent read on MT6250 differs from the flash"
has a50.txt "to 0x70008000"
if grep -q "boot ROM alone" a50.txt; then fail "MT6250 fell back to the boot ROM"; fi
rc=0
"$MTKBAK" read --no-da -o n50.bin --port sim:img.bin,chip=mt6250 >n50.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "--no-da read on MT6250: exit $rc: $(cat n50.txt)"
cmp -s n50.bin img.bin || fail "--no-da read on MT6250 differs from the flash"

# rom=: a missing dump is a usage error naming the file; a real one changes nothing for mtkbak
rc=0
"$MTKBAK" identify --port "sim:img.bin,rom=$tmp/nothere.bin" >rom0.txt 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "rom= with a missing file: exit $rc (want 2)"
has rom0.txt "nothere.bin"
rom=${MTKBAK_CORPUS:-}/brom/MT6261-bootrom.bin
if [ -r "$rom" ]; then
	rc=0
	"$MTKBAK" read -o rom.bin --port "sim:img.bin,rom=$rom" >rom.txt 2>&1 || rc=$?
	[ $rc -eq 0 ] || fail "read with rom=: exit $rc: $(cat rom.txt)"
	cmp -s rom.bin img.bin || fail "read with rom= differs from the flash"
else
	echo "note: $rom not found, the rom= read is not run"
fi

nor_log_empty
finish "PASS"
