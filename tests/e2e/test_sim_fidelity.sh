#!/usr/bin/env bash
# mtkbak against the simulated watch's real-ROM behaviours (doc/simulator.md): a watch that
# ignores the host until DTR and the line coding are set (dtr=required), one that reads 0xFF
# past the end of its flash (past_end=ff), the MT6250 boot ROM refusing mtkbak's agent
# address with 0x1D12 while BROM-only reads work, and a boot-ROM dump given with rom=.
# Every image read is compared byte for byte with the simulated flash.
. "$(dirname "$0")/lib.sh"
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

# past_end=ff: the image is exact. The size: mtkbak's mirror test finds no repeat, takes
# the 0xFF tail for more chip than the JEDEC ID says and reads the whole 16 MiB window, with
# a warning (the bytes past the end are 0xFF): what it does today, checked so a change shows
rc=0
"$MTKBAK" read -o ff.bin --port sim:img.bin,past_end=ff >ff.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "read with past_end=ff: exit $rc: $(cat ff.txt)"
cmp -s -n $((4 << 20)) ff.bin img.bin || fail "read with past_end=ff: the first 4 MiB differ"
[ "$(stat -c %s ff.bin)" -eq $((16 << 20)) ] || fail "read with past_end=ff: not 16 MiB"
[ "$(tail -c +$(((4 << 20) + 1)) ff.bin | tr -d '\377' | wc -c)" -eq 0 ] ||
	fail "read with past_end=ff: the bytes past 4 MiB are not all 0xFF"
has ff.txt "the data beyond 4 MiB differs from the start"
# the default (wrap) aliases: 4 MiB, confirmed by the mirror test
rc=0
"$MTKBAK" read -o wrap.bin --port sim:img.bin,past_end=wrap >wrap.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "read with past_end=wrap: exit $rc: $(cat wrap.txt)"
cmp -s wrap.bin img.bin || fail "read with past_end=wrap differs from the flash"
has wrap.txt "confirmed by SFDP and the mirror test"

# MT6250: identified; its ROM keeps data at 0x7000663C-0x70007CA4, so the agent at 0x70007000
# is refused (a per-chip agent address is a later issue); --no-da reads through the ROM
rc=0
"$MTKBAK" identify --port sim:img.bin,chip=mt6250 >id50.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "identify MT6250: exit $rc: $(cat id50.txt)"
has id50.txt "MT6250 (hw code 0x6250)"
rc=0
"$MTKBAK" read -o a50.bin --port sim:img.bin,chip=mt6250 >a50.txt 2>&1 || rc=$?
[ $rc -eq 76 ] || fail "agent read on MT6250: exit $rc (want 76): $(cat a50.txt)"
has a50.txt "1D12"
[ ! -e a50.bin ] || fail "a refused read wrote a50.bin"
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

finish "PASS"
