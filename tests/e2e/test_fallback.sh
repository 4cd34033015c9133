#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Every unproven step falls back to the proven path (issue 12), through the real binary:
# - the boot ROM refusing the agent's upload (fail=d7:1d12): the boot ROM alone at once
# - an agent that never says hello (agent=hang) or goes silent mid-read (agent=die:N): the
#   watchdog armed before D5 resets the watch, mtkbak catches the boot ROM's short window
#   (window=1500) and finishes the same read through the boot ROM alone, byte-exact, with
#   one warning line saying why; --no-fallback stops instead (exit 75)
# - an agent whose READ stream is always damaged (agent=badstream): READ32 + the agent's CRC-32
# - SPI failures (spi=fail, sfc=slow:N) on each simulated chip: the size comes from the
#   mirror test, the firmware's tables or --length, with a warning naming the evidence
# - past_end=ff (reads past the chip read 0xFF): 4, 8 and 16 MiB sized from JEDEC/SFDP or
#   the firmware; with no evidence at all, the whole 16 MiB window and a plain warning
# - MT2503 (efuse=36000000): identity, and a warning instead of MT6261's keep-alive writes
# - a file and a folder named demo next to --port sim:demo
# - MT6250 through the agent at its own load address (skips until the simulator has
#   chip=mt6250 and rom=)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/norlog_lib.sh"
need MTKBAK MTKBAK_BUILD
need_fwimg
cd "$tmp" || exit 1

"$fwimg" demo 4M img.bin
"$fwimg" demo 8M img8.bin
"$fwimg" demo 16M img16.bin

# one mtkbak read; sets rc. run NAME PORT [ARGS...]
run() {
	local name=$1 port=$2
	shift 2
	rc=0
	"$MTKBAK" read -o "$name.bin" --port "$port" "$@" >"$name.out" 2>"$name.err" || rc=$?
	cat "$name.out" "$name.err" >"$name.txt"
}
warnings() { grep -c "warning:" "$1" || true; }

# ---- the agent never answers: watchdog, re-enumeration, the boot ROM alone ----
start=$(date +%s)
run hang "sim:img.bin,agent=hang,window=1500"
end=$(date +%s)
[ $rc -eq 0 ] || fail "agent=hang: exit $rc: $(cat hang.txt)"
cmp -s hang.bin img.bin || fail "agent=hang: output differs from the flash"
has hang.txt "warning: mtkbak's agent stopped answering (no hello within 3 s after the jump)"
has hang.txt "continuing through the boot ROM alone"
[ "$(grep -c "stopped answering" hang.txt)" -eq 1 ] || fail "agent=hang: not exactly one line"
[ $((end - start)) -lt 30 ] || fail "agent=hang: took $((end - start)) s"

# the agent stops after N bytes: during the flash ID, at the flash start, mid-image (bytes on
# the wire: --compress off, so that they are the image's)
for n in 20 100000 2500000; do
	run die$n "sim:img.bin,agent=die:$n,window=1500" --json --compress off
	[ $rc -eq 0 ] || fail "agent=die:$n: exit $rc: $(cat die$n.txt)"
	cmp -s die$n.bin img.bin || fail "agent=die:$n: output differs from the flash"
	has die$n.txt "mtkbak's agent stopped answering (it went silent"
	[ "$(json_field die$n.out fell_back)" = True ] || fail "agent=die:$n: fell_back not set"
done
# the verified part before the failure is kept: the boot ROM continues from there
has die2500000.txt "reading 0x200000..0x300000"

# the boot ROM refuses the upload (D7 0x1D12, as MT6250's ROM did at 0x70007000): no reset
# is needed, the same connection goes on through the boot ROM; --no-fallback exits 76
run d7 "sim:img.bin,fail=d7:1d12"
[ $rc -eq 0 ] && cmp -s d7.bin img.bin || fail "D7 refused: exit $rc: $(cat d7.txt)"
has d7.txt "warning: mtkbak's agent could not be started"
has d7.txt "0x1D12"
run d7nofb "sim:img.bin,fail=d7:1d12" --no-fallback
[ $rc -eq 76 ] || fail "D7 refused --no-fallback: exit $rc, expected 76: $(cat d7nofb.txt)"
has d7nofb.txt "--no-fallback"

# the agent answers but its READ stream is damaged every time (agent=badstream): READ32 once per
# block, each proven by the agent's CRC-32, and the whole image still checked by the watch
run bad "sim:img.bin,agent=badstream" --json
[ $rc -eq 0 ] && cmp -s bad.bin img.bin || fail "agent=badstream: exit $rc: $(cat bad.txt)"
has bad.txt "reading with READ32 once per block, each proven by the agent's CRC-32"
[ "$(json_field bad.out device_crc_checked)" = True ] || fail "agent=badstream: no device CRC"
[ "$(json_field bad.out fell_back)" = True ] || fail "agent=badstream: fell_back not set"

# pull does it too
rc=0
"$MTKBAK" pull --port "sim:img.bin,agent=hang" -o pulled >pull.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "pull agent=hang: exit $rc: $(cat pull.txt)"
cmp -s pulled/readback.bin img.bin || fail "pull agent=hang: pulled/readback.bin differs"
has pull.txt "continuing through the boot ROM alone"

# --no-fallback: a clear error, exit 75, FILE.part kept when something was verified
run nofb-hang "sim:img.bin,agent=hang" --no-fallback
[ $rc -eq 75 ] || fail "--no-fallback hang: exit $rc, expected 75: $(cat nofb-hang.txt)"
has nofb-hang.txt "--no-fallback: not continuing through the boot ROM alone"
[ ! -e nofb-hang.bin ] || fail "--no-fallback hang: output written"
run nofb-die "sim:img.bin,agent=die:2500000" --no-fallback --compress off
[ $rc -eq 75 ] || fail "--no-fallback die: exit $rc, expected 75: $(cat nofb-die.txt)"
has nofb-die.txt "--no-fallback: not continuing through the boot ROM alone"
[ -e nofb-die.bin.part ] || fail "--no-fallback die: FILE.part not kept"
# ... and the rerun without it finishes from there
run nofb-die "sim:img.bin"
[ $rc -eq 0 ] || fail "rerun after --no-fallback: exit $rc: $(cat nofb-die.txt)"
has nofb-die.txt "Resuming"
cmp -s nofb-die.bin img.bin || fail "rerun after --no-fallback: output differs"

# ---- SPI failures: no JEDEC ID, no SFDP; the read still completes ----
for chip in mt6261 mt6260; do
	run spi-$chip "sim:img8.bin,chip=$chip,spi=fail"
	[ $rc -eq 0 ] || fail "spi=fail $chip: exit $rc: $(cat spi-$chip.txt)"
	cmp -s spi-$chip.bin img8.bin || fail "spi=fail $chip: output differs"
	has spi-$chip.txt "warning: the serial flash did not answer its ID commands"
	has spi-$chip.txt "0x2D04"
	has spi-$chip.txt "size: mirror test: the data repeats every 8 MiB"
done
if "$MTKBAK" identify --port sim:img.bin,chip=mt6250 >/dev/null 2>&1; then
	run spi-mt6250 "sim:img8.bin,chip=mt6250,spi=fail"
	[ $rc -eq 0 ] || fail "spi=fail mt6250: exit $rc: $(cat spi-mt6250.txt)"
	cmp -s spi-mt6250.bin img8.bin || fail "spi=fail mt6250: output differs"
	has spi-mt6250.txt "no JEDEC ID, no SFDP"
else
	echo "note: the simulator has no chip=mt6250 yet: spi=fail on MT6250 not run"
fi
# with --length the user's word decides, and no SPI is needed at all
run spi-len "sim:img.bin,spi=fail" --length 4M
[ $rc -eq 0 ] || fail "spi=fail --length: exit $rc: $(cat spi-len.txt)"
cmp -s spi-len.bin img.bin || fail "spi=fail --length: output differs"
has spi-len.txt "size: --length 4 MiB"
# a slow controller that finishes in time is fine; one past the agent's limit is a failure
run slow "sim:img.bin,sfc=slow:1000"
[ $rc -eq 0 ] && cmp -s slow.bin img.bin || fail "sfc=slow:1000: exit $rc: $(cat slow.txt)"
has slow.txt "JEDEC ID C8 40 16"
[ "$(warnings slow.txt)" -eq 0 ] || fail "sfc=slow:1000: unexpected warning: $(cat slow.txt)"
run slower "sim:img.bin,sfc=slow:3000000"
[ $rc -eq 0 ] && cmp -s slower.bin img.bin || fail "sfc=slow:3000000: exit $rc: $(cat slower.txt)"
has slower.txt "no JEDEC ID, no SFDP"

# ---- past_end=ff: no mirror, the size still comes out right ----
for s in 4 8 16; do
	f=img.bin
	[ $s -eq 8 ] && f=img8.bin
	[ $s -eq 16 ] && f=img16.bin
	run ff$s "sim:$f,past_end=ff" --json
	[ $rc -eq 0 ] || fail "past_end=ff ${s}M: exit $rc: $(cat ff$s.txt)"
	cmp -s ff$s.bin $f || fail "past_end=ff ${s}M: output differs"
	[ "$(json_field ff$s.out size_source)" = jedec ] ||
		fail "past_end=ff ${s}M: size from $(json_field ff$s.out size_source), not jedec"
done
# no SPI: the firmware's flash tables tell
"$fwimg" synth --size 8M --ids C84017 -o syn8.bin
run ffsyn "sim:syn8.bin,past_end=ff,spi=fail"
[ $rc -eq 0 ] || fail "past_end=ff spi=fail firmware: exit $rc: $(cat ffsyn.txt)"
cmp -s ffsyn.bin syn8.bin || fail "past_end=ff spi=fail firmware: output differs"
has ffsyn.txt "size: the firmware's flash tables (8 MiB"
# nothing tells: the whole window, said plainly; the first 4 MiB are the flash
python3 -c 'import random,sys; random.seed(7); sys.stdout.buffer.write(bytes(random.getrandbits(8) for _ in range(4<<20)))' >rnd.bin
run ffnone "sim:rnd.bin,past_end=ff,spi=fail"
[ $rc -eq 0 ] || fail "past_end=ff no evidence: exit $rc: $(cat ffnone.txt)"
[ "$(stat -c %s ffnone.bin 2>/dev/null)" = $((16 << 20)) ] || fail "past_end=ff no evidence: not 16 MiB"
cmp -s -n $((4 << 20)) ffnone.bin rnd.bin || fail "past_end=ff no evidence: first 4 MiB differ"
has ffnone.txt "could not tell the flash size, so it reads the full 16 MiB window"

# ---- MT2503: named from the efuse word; no MT6261 keep-alive writes, and a warning ----
rc=0
"$MTKBAK" identify --port sim:img.bin,efuse=36000000 >id2503.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "identify MT2503: exit $rc: $(cat id2503.txt)"
has id2503.txt "Variant:      MT2503 (efuse 0x3600)"
"$MTKBAK" identify --port sim:img.bin,efuse=26400000 >id2502.txt 2>&1 || true
has id2502.txt "MT2502 (likely, not proven)"
"$MTKBAK" identify --port sim:img.bin,efuse=12340000 >idunk.txt 2>&1 || true
has idunk.txt "MT6261 family, variant unknown (efuse 0x1234)"
run mt2503 "sim:img.bin,efuse=36000000"
[ $rc -eq 0 ] && cmp -s mt2503.bin img.bin || fail "read MT2503: exit $rc: $(cat mt2503.txt)"
has mt2503.txt "MT2503 (hw code 0x6261)"
has mt2503.txt "a long read may power the watch off"
run mt6261 "sim:img.bin"
if grep -q "power the watch off" mt6261.txt; then fail "MT6261 warned about keep-alive"; fi

# ---- built-in names win over files: sim:demo next to a file or folder named demo ----
mkdir demo
rc=0
"$MTKBAK" read -o d1.bin --port sim:demo,plug=0,link=none >d1.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "sim:demo next to a folder demo: exit $rc: $(cat d1.txt)"
rmdir demo
cp img8.bin demo
rc=0
"$MTKBAK" read -o d2.bin --port sim:demo,plug=0,link=none >d2.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "sim:demo next to a file demo: exit $rc: $(cat d2.txt)"
[ "$(stat -c %s d2.bin 2>/dev/null)" = $((4 << 20)) ] || fail "sim:demo read the file demo"
rc=0
"$MTKBAK" read -o d3.bin --port sim:./demo >d3.txt 2>&1 || rc=$?
[ $rc -eq 0 ] && cmp -s d3.bin img8.bin || fail "sim:./demo: exit $rc: $(cat d3.txt)"

# ---- MT6250 through the agent, at its own load address, with the real ROM ----
rom=${MTKBAK_CORPUS:-}/brom/MT6250-bootrom.bin
if [ -r "$rom" ] && "$MTKBAK" identify --port "sim:img.bin,chip=mt6250,rom=$rom" >/dev/null 2>&1; then
	run mt6250 "sim:img.bin,chip=mt6250,rom=$rom" -v
	[ $rc -eq 0 ] && cmp -s mt6250.bin img.bin || fail "MT6250: exit $rc: $(cat mt6250.txt)"
	has mt6250.txt "to 0x70008000"
	if grep -q "boot ROM alone" mt6250.txt; then fail "MT6250: fell back: $(cat mt6250.txt)"; fi
else
	echo "note: no MT6250 ROM in the simulator yet (chip=mt6250, rom=): MT6250 agent read not run"
fi

nor_log_empty
finish
