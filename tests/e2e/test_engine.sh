#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# mtkbak pull and read through the real binary with the simulated watch's execution engine:
# with rom=PATH (the real MT6261 / MT6260 boot-ROM dumps in ../shared/corpus) mtkbak's shipped
# agent binary runs on the emulated ARM core and talks through the ROM's own USB I/O. Every
# output byte is compared with the watch's flash; the engine log must show the run and no
# access the model cannot answer. Skips (77) without the corpus or without the engine.
set -u
: "${MTKBAK:?set MTKBAK to the mtkbak binary}"
: "${MTKBAK_BUILD:?set MTKBAK_BUILD to the build folder}"
FWIMG="$MTKBAK_BUILD/tests/fwimg"
ROM61="${MTKBAK_CORPUS:-}/brom/MT6261-bootrom.bin"
ROM60="${MTKBAK_CORPUS:-}/brom/MT6260-bootrom.bin"
if [ ! -r "$ROM61" ] || [ ! -r "$ROM60" ]; then
	echo "SKIP: no boot-ROM dumps in MTKBAK_CORPUS=${MTKBAK_CORPUS:-(unset)}"
	exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$T" || exit 1
tmp=$T
. "$(dirname "$0")/norlog_lib.sh"

if "$MTKBAK" identify --port "sim:demo,plug=0,link=none,rom=$ROM61" --timeout 5 >probe.out 2>&1; then
	:
elif grep -q 'built without the execution engine' probe.out; then
	echo "SKIP: this mtkbak has no execution engine (libunicorn-dev was missing at build time)"
	exit 77
else
	cat probe.out
	fail "identify with rom= failed"
fi

"$FWIMG" demo 4M demo4.bin >/dev/null || fail "fwimg demo"
"$FWIMG" demo 8M demo8.bin >/dev/null || fail "fwimg demo 8M"

# engine_ok LOG: the engine ran the agent, it ended with the agent's watchdog reset, the ROM
# never sent a zero-length packet, and the agent asked nothing of the model it cannot answer
engine_ok() {
	local log=$1
	grep -q 'D5: running 0x70007000 on the emulated core' "$log" || fail "$log: no engine run: $(cat "$log")"
	grep -q 'run over (the watch reset) at pc 0x[0-9A-F]*: .* (0 zero-length), .* 0 unmodelled accesses' "$log" ||
		fail "$log: $(grep 'run over\|unmodelled' "$log")"
	# (the ROM's own set-up before the target may touch registers the model only stores)
	sed -n '/D5: running/,$p' "$log" | grep -q '^ *[0-9.]* unmodelled ' &&
		fail "$log: $(grep unmodelled "$log")"
	return 0
}

# 1. pull of an MT6261 watch: the whole kit, every file checked
out=$("$MTKBAK" pull --port "sim:demo4.bin,rom=$ROM61,engine_log=e1.log" -o one 2>err); rc=$?
[ $rc -eq 0 ] || { cat err; cat e1.log; fail "pull exit $rc"; }
echo "$out" | grep -q '^Found MT6261 (hw code 0x6261' || fail "found line: $out"
echo "$out" | grep -q 'reading 4\(\.0\)\? MiB (size from JEDEC ID C8 40 16' || fail "size line: $out"
echo "$out" | grep -q '^Done in .* MT6261, flash C8 40 16 4 MiB, health 100%' || fail "summary: $out"
cmp demo4.bin one/readback.bin || fail "one/readback.bin differs from the flash"
(cd one && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS"
rm -rf x && "$MTKBAK" extract demo4.bin -o x >/dev/null || fail "extract of the image"
for f in BOOTLOADER EXT_BOOTLOADER ROM VIVA FAT.bin MT6261.cfg; do
	cmp -s "one/$f" "x/$f" || fail "one/$f differs from the kit of the image itself"
done
engine_ok e1.log

# 2. pull of an MT6260 watch (its own boot ROM) with an 8 MiB flash
out=$("$MTKBAK" pull --port "sim:demo8.bin,chip=mt6260,rom=$ROM60,engine_log=e2.log" -o two 2>err); rc=$?
[ $rc -eq 0 ] || { cat err; cat e2.log; fail "MT6260 pull exit $rc"; }
echo "$out" | grep -q '^Found MT6260 (hw code 0x6260' || fail "MT6260 found line: $out"
cmp demo8.bin two/readback.bin || fail "two/readback.bin differs from the flash"
engine_ok e2.log
grep -q 'MT6260 boot ROM' e2.log || fail "e2.log names no MT6260 ROM"

# 3. read at USB full speed through the engine: the same bytes, at the link's speed
"$MTKBAK" read --port "sim:demo4.bin,link=fs,rom=$ROM61,engine_log=e3.log" -o fs.bin >out 2>err ||
	{ cat err; fail "read link=fs"; }
cmp demo4.bin fs.bin || fail "fs.bin differs"
engine_ok e3.log

# 4. the boot ROM's own command loop answers too (brom=engine): identify, the upload and the
#    jump are ROM code, then the agent binary; the same kit
out=$("$MTKBAK" pull --port "sim:demo4.bin,rom=$ROM61,brom=engine,engine_log=e5.log" -o three 2>err); rc=$?
[ $rc -eq 0 ] || { cat err; cat e5.log; fail "pull with brom=engine exit $rc"; }
cmp demo4.bin three/readback.bin || fail "three/readback.bin differs from the flash"
for f in BOOTLOADER EXT_BOOTLOADER ROM VIVA FAT.bin MT6261.cfg; do
	cmp -s "one/$f" "three/$f" || fail "three/$f differs from the first pull's"
done
grep -q "command loop (0xFFF061F6) runs on the core" e5.log || fail "e5.log: $(head -5 e5.log)"
grep -q 'run over (the watch reset)' e5.log || fail "e5.log: $(grep 'run over' e5.log)"

# 5. a wrong dump for the chip is refused with a log line, and rom= names a missing file
"$MTKBAK" identify --port "sim:demo4.bin,chip=mt6260,rom=$ROM61,engine_log=e4.log" --timeout 2 >out 2>err &&
	fail "an MT6261 dump accepted as MT6260"
grep -q 'refused: ' e4.log || fail "e4.log: $(cat e4.log)"
"$MTKBAK" identify --port "sim:demo4.bin,rom=$T/none.bin" --timeout 2 >out 2>err; rc=$?
[ $rc -eq 2 ] || fail "missing rom= file: exit $rc"
grep -q 'sim option rom: cannot read' err || fail "missing rom= message: $(cat err)"
nor_log_empty
echo "ok"
