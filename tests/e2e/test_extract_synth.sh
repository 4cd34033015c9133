#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# mtkbak extract on synthetic firmware (no corpus needed): 4 and 8 MiB chips with different
# offsets, a 4 MiB chip read as 16 MiB (extract keeps the real 4 MiB), an extra THIRD_ROM,
# the 16 MiB demo with an SDS region; every kit file is compared with the generator's own.
. "$(dirname "$0")/lib.sh"
set -euo pipefail
need MTKBAK MTKBAK_BUILD
FWIMG=$MTKBAK_BUILD/tests/fwimg
t=$tmp
slice() { # FILE OFFSET LENGTH
	dd if="$1" iflag=skip_bytes,count_bytes skip=$(($2)) count=$(($3)) bs=64K status=none
}
same_files() { # GENERATED_DIR KIT_DIR
	for f in "$1"/*; do
		cmp "$f" "$2/$(basename "$f")" || fail "$(basename "$f") differs"
	done
}

# 4 MiB, the tracker's offsets (EXT_BOOTLOADER 0x2400, ROM 0xA000), three flash parts
"$FWIMG" synth --size 4M --ext-bl-off 0x2400 --ext-bl-len 0x7400 --rom-off 0xA000 \
	--ids C22537,EF4016,C84016 --platform GXQ03D_M2M_11C_BB_gprs_MT2503_S00 \
	--fat 0x380000:0x80000 --kit-dir "$t/gen4" -o "$t/d4.bin"
"$MTKBAK" extract "$t/d4.bin" -o "$t/k4" >"$t/o4" || fail "4M: exit $?"
same_files "$t/gen4" "$t/k4"
slice "$t/d4.bin" 0x380000 0x80000 | cmp - "$t/k4/FAT.bin" || fail "4M FAT.bin"
[ -f "$t/k4/MT2503.cfg" ] || fail "cfg named after the platform"
grep 'flash_id:' "$t/k4/MT2503.cfg" | sed 's/ *flash_id: *//' >"$t/ids4"
printf '%s\n' '[0xC2, 0x25, 0x37, 0x00, 0x00, 0x00, 0x00, 0x00]' \
	'[0xEF, 0x40, 0x16, 0x00, 0x00, 0x00, 0x00, 0x00]' \
	'[0xC8, 0x40, 0x16, 0x00, 0x00, 0x00, 0x00, 0x00]' | diff - "$t/ids4" || fail "4M flash IDs"
(cd "$t/k4" && sha256sum --quiet -c SHA256SUMS) || fail "4M SHA256SUMS"

# 8 MiB chip read as 16 MiB: the kit comes from the first 8 MiB
"$FWIMG" synth --size 8M --read-size 16M --fat 0x400000:0x400000 --kit-dir "$t/gen8" -o "$t/d8.bin"
"$MTKBAK" extract "$t/d8.bin" -o "$t/k8" >"$t/o8" || fail "8M mirrored: exit $?"
same_files "$t/gen8" "$t/k8"
[ "$(stat -c %s "$t/k8/FAT.bin")" -eq $((0x400000)) ] || fail "8M FAT.bin size"
grep -q '^mirror: warn  the 16 MiB dump holds a 8 MiB flash 2 times' "$t/o8" || fail "mirror line"
grep -q '"mirrored": true' "$t/k8/report.json" || fail "report.json mirror"

# 4 MiB chip read as 16 MiB, with an extra THIRD_ROM
"$FWIMG" synth --size 4M --read-size 16M --third-rom 0x200000:0x20000 --kit-dir "$t/gen3" \
	-o "$t/d3.bin"
"$MTKBAK" extract "$t/d3.bin" -o "$t/k3" >"$t/o3" || fail "THIRD_ROM: exit $?"
same_files "$t/gen3" "$t/k3"
[ -f "$t/k3/THIRD_ROM" ] || fail "THIRD_ROM file"
grep -c -- '- file: ' "$t/k3/MT6261.cfg" | grep -qx 5 || fail "5 files in the cfg"

# the 16 MiB demo: SDS region too
"$FWIMG" demo 16M "$t/d16.bin"
"$MTKBAK" extract "$t/d16.bin" -o "$t/k16" >"$t/o16" || fail "16M: exit $?"
slice "$t/d16.bin" 0xFFE000 0x2000 | cmp - "$t/k16/SDS.bin" || fail "SDS.bin"
slice "$t/d16.bin" 0x500000 0xAFE000 | cmp - "$t/k16/FAT.bin" || fail "16M FAT.bin"
# check on the kit folder itself: placed, hashed and read back
"$MTKBAK" check "$t/k16" >"$t/kc" || fail "check kit folder: exit $?"
grep -qx 'health: 100%' "$t/kc" || fail "kit folder health"
grep -qxF 'kit_files: ok  placed as the flash tool would: BOOTLOADER (ARM_BL) at 0x00000800, EXT_BOOTLOADER (ARM_EXT_BL) at 0x00003000, ROM (PRIMARY_MAUI) at 0x00010000, VIVA (VIVA) at 0x00070400, FAT.bin, SDS.bin' "$t/kc" ||
	fail "kit_files line"
grep -qxF 'sha256sums: ok  all 9 files match SHA256SUMS' "$t/kc" || fail "sha256sums line"
grep -qxF "cfg: ok  MT6261.cfg lists 4 files, all present, and 2 flash IDs equal to the firmware's CMEM_ID_INFO" "$t/kc" ||
	fail "cfg line"
! grep -q '^header_block\|^mirror\|^dump' "$t/kc" || fail "dump-only checks in a kit check"
cp -r "$t/k16" "$t/kbad"
printf '\001' | dd of="$t/kbad/ROM" bs=1 seek=4096 conv=notrunc status=none
rm "$t/kbad/SDS.bin"
rc=0
"$MTKBAK" check "$t/kbad" >"$t/kb" || rc=$?
[ $rc -eq 1 ] || fail "damaged kit folder: exit $rc, want 1"
grep -qxF 'sha256sums: FAIL  2 of 9 files do not match SHA256SUMS: ROM differs, SDS.bin is missing' "$t/kb" ||
	fail "damaged kit: sha256sums line"
{ "$MTKBAK" check --json "$t/kbad" || true; } | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert not d["healthy"] and not d["kit_safe"]
assert [c["name"] for c in d["checks"]][:3] == ["kit_files", "sha256sums", "cfg"]'

# the kit folder may be given with a trailing slash and inside a new parent
"$MTKBAK" extract "$t/d16.bin" -o "$t/new/parent/kit/" >/dev/null || fail "new parent: exit $?"
[ -f "$t/new/parent/kit/SHA256SUMS" ] || fail "kit in a new parent folder"
# usage errors
rc=0; "$MTKBAK" extract "$t/d16.bin" >/dev/null 2>"$t/e" || rc=$?
[ $rc -eq 2 ] || fail "no -o: exit $rc, want 2"
grep -q 'extract needs the kit folder: -o DIR' "$t/e" || fail "no -o message"
rc=0; "$MTKBAK" extract "$t/missing.bin" -o "$t/x" >/dev/null 2>&1 || rc=$?
[ $rc -eq 66 ] || fail "missing dump: exit $rc, want 66"
rc=0; "$MTKBAK" extract "$t/d16.bin" -o /proc/mtkbak-kit >/dev/null 2>"$t/e" || rc=$?
[ $rc -eq 73 ] || fail "unwritable folder: exit $rc, want 73"
grep -q 'cannot write the kit to /proc/mtkbak-kit' "$t/e" || fail "unwritable folder message"
rc=0; "$MTKBAK" extract "$t/d16.bin" -o "$t/x" --platform 'MT/61' >/dev/null 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "bad --platform: exit $rc, want 2"
"$MTKBAK" extract "$t/d16.bin" -o "$t/kp" --platform MT6261D --memory-type PSRAM_130MHz >/dev/null ||
	fail "--platform: exit $?"
grep -q 'platform: MT6261D' "$t/kp/MT6261D.cfg" || fail "--platform cfg"
grep -q 'memory_type: PSRAM_130MHz' "$t/kp/MT6261D.cfg" || fail "--memory-type cfg"
finish
