#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# mtkbak extract on a 16 MiB flash built from the real MT6260A kit in the corpus (header block
# at 0, ARM_BL at 0x800, XIP images at load_addr & 0x07FFFFFF, a constructed VIVA at ROM end +
# 0x400, NVRAM-like data in FLASH_INFO's FAT region): the kit files come back byte for byte,
# the cfg equals the real mtk_config.cfg apart from file paths; plus an extra THIRD_ROM, a
# damaged bootloader, a truncated dump, --force, an existing folder and --json.
. "$(dirname "$0")/lib.sh"
set -euo pipefail
need MTKBAK MTKBAK_BUILD
KIT=${MTKBAK_CORPUS:-}/mt6260a-kids-phone
if [ -z "${MTKBAK_CORPUS:-}" ] || [ ! -f "$KIT/MAUI" ]; then
	echo "skip: the corpus (MTKBAK_CORPUS/mt6260a-kids-phone) is not here"
	exit 77
fi
FWIMG=$MTKBAK_BUILD/tests/fwimg
t=$tmp
has() { # FILE TEXT
	grep -qF -- "$2" "$1" || {
		cat "$1" >&2
		fail "missing in $1: $2"
	}
}
slice() { # FILE OFFSET LENGTH
	dd if="$1" iflag=skip_bytes,count_bytes skip=$(($2)) count=$(($3)) bs=64K status=none
}

"$FWIMG" kit "$KIT" --size 16M -o "$t/dump.bin"
[ "$(stat -c %s "$t/dump.bin")" -eq 16777216 ] || fail "dump size"

"$MTKBAK" extract "$t/dump.bin" -o "$t/kit" >"$t/out" 2>"$t/err" || fail "extract: exit $?"
has "$t/out" "health: 100%"
has "$t/out" "kit written to $t/kit: BOOTLOADER EXT_BOOTLOADER ROM VIVA FAT.bin MT6260A.cfg report.txt report.json SHA256SUMS"
cmp "$KIT/INT_BOOTLOADER" "$t/kit/BOOTLOADER" || fail "BOOTLOADER differs"
cmp "$KIT/EXT_BOOTLOADER" "$t/kit/EXT_BOOTLOADER" || fail "EXT_BOOTLOADER differs"
cmp "$KIT/MAUI" "$t/kit/ROM" || fail "ROM differs"
slice "$t/dump.bin" 0x14B6CC 0x280000 | cmp - "$t/kit/VIVA" || fail "VIVA differs from the dump"
slice "$t/dump.bin" 0xD00000 0x300000 | cmp - "$t/kit/FAT.bin" || fail "FAT.bin differs from the dump"
[ ! -e "$t/kit/SDS.bin" ] || fail "no SDS region in this firmware"
# the cfg: the real one's layout and flash IDs, our file names
grep -v -- '- file: ' "$KIT/mtk_config.cfg" >"$t/real.cfg"
grep -v -- '- file: ' "$t/kit/MT6260A.cfg" >"$t/ours.cfg"
diff -u "$t/real.cfg" "$t/ours.cfg" || fail "cfg differs from the real mtk_config.cfg"
grep 'flash_id:' "$KIT/mtk_config.cfg" >"$t/real.ids"
grep 'flash_id:' "$t/kit/MT6260A.cfg" >"$t/ours.ids"
cmp "$t/real.ids" "$t/ours.ids" || fail "flash IDs differ"
[ "$(grep -c -- '- file: ' "$t/kit/MT6260A.cfg")" -eq 4 ] || fail "4 files in the cfg"
(cd "$t/kit" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS"
[ "$(wc -l <"$t/kit/SHA256SUMS")" -eq 8 ] || fail "SHA256SUMS covers 8 files"
has "$t/kit/report.txt" "mtkbak"
has "$t/kit/report.txt" "health: 100%"
ls -a "$t" | grep -q 'mtkbak-' && fail "a temporary folder was left behind"

# an existing, non-empty folder is refused (73) and left alone; --force replaces it
rc=0
"$MTKBAK" extract "$t/dump.bin" -o "$t/kit" >/dev/null 2>"$t/err" || rc=$?
[ $rc -eq 73 ] || fail "existing kit folder: exit $rc, want 73"
has "$t/err" "$t/kit exists and is not empty"
echo keep >"$t/kit/mine"
"$MTKBAK" extract "$t/dump.bin" -o "$t/kit" --force >/dev/null || fail "--force: exit $?"
[ ! -e "$t/kit/mine" ] || fail "--force must replace the folder"
cmp "$KIT/MAUI" "$t/kit/ROM" || fail "ROM differs after --force"

# an extra GFH image (THIRD_ROM) is extracted too and listed after VIVA
"$FWIMG" kit "$KIT" --size 16M --third-rom 0x600000:0x10000 -o "$t/third.bin"
"$MTKBAK" extract "$t/third.bin" -o "$t/kit3" >"$t/out3" || fail "THIRD_ROM: exit $?"
slice "$t/third.bin" 0x600000 0x10000 | cmp - "$t/kit3/THIRD_ROM" || fail "THIRD_ROM differs"
grep -A2 -- '- file: ROM' "$t/kit3/MT6260A.cfg" | tr -d ' ' | tr '\n' ' ' |
	grep -q -- '-file:ROM -file:VIVA -file:THIRD_ROM' || fail "cfg main region order"
cmp "$KIT/MAUI" "$t/kit3/ROM" || fail "ROM differs (THIRD_ROM build)"

# one flipped byte in BOOTLOADER: exit 1, the offsets named, no kit
"$FWIMG" corrupt "$t/dump.bin" --flip 0x1000 -o "$t/flip.bin"
rc=0
"$MTKBAK" extract "$t/flip.bin" -o "$t/kitf" >"$t/outf" 2>"$t/errf" || rc=$?
[ $rc -eq 1 ] || fail "damaged BOOTLOADER: exit $rc, want 1"
[ ! -e "$t/kitf" ] || fail "a kit was written from a damaged dump"
grep -q '^sha1.BOOTLOADER: FAIL  SHA-1 of 0x00000800-0x000028C4 is [0-9a-f]* but the trailer at 0x000028C4 holds b2972b68603bd809d751232f0939ffb34f69b835' "$t/outf" ||
	fail "SHA-1 failure line"
has "$t/errf" "no kit written: the dump failed sha1.BOOTLOADER"
has "$t/errf" "--force writes the kit anyway"
# --force: written, marked damaged, still exit 1
rc=0
"$MTKBAK" extract "$t/flip.bin" -o "$t/kitf" --force >"$t/outf" 2>"$t/errf" || rc=$?
[ $rc -eq 1 ] || fail "--force on a damaged dump: exit $rc, want 1"
has "$t/kitf/report.txt" "DAMAGED: this kit was written with --force although these checks failed: sha1.BOOTLOADER."
head -1 "$t/kitf/MT6260A.cfg" | grep -q '^# mtkbak: built with --force from a DAMAGED dump' || fail "cfg mark"
has "$t/errf" "the kit is marked DAMAGED"

# cut at 1 MiB: exit 1, the truncated image and both offsets named, no kit
"$FWIMG" corrupt "$t/dump.bin" --truncate 0x100000 -o "$t/cut.bin"
rc=0
"$MTKBAK" extract "$t/cut.bin" -o "$t/kitc" >"$t/outc" 2>"$t/errc" || rc=$?
[ $rc -eq 1 ] || fail "truncated: exit $rc, want 1"
[ ! -e "$t/kitc" ] || fail "a kit was written from a truncated dump"
has "$t/outc" "complete: FAIL  ROM at 0x00010000 needs 0x13B2CC bytes up to 0x0014B2CC but the dump ends at 0x00100000"

# --json: the report.json object on stdout
"$MTKBAK" extract --json "$t/dump.bin" -o "$t/kitj" >"$t/j" || fail "--json: exit $?"
python3 - "$t/j" "$t/kitj" <<'PY'
import json, sys, hashlib, os
d = json.load(open(sys.argv[1]))
assert d["health"] == 100 and d["kit_safe"]
k = d["kit"]
assert k["written"] and not k["damaged"] and k["cfg"] == "MT6260A.cfg" and k["platform"] == "MT6260A"
assert k["memory_type"] == "PSRAM_166MHz"
names = [f["name"] for f in k["files"]]
assert names == ["BOOTLOADER", "EXT_BOOTLOADER", "ROM", "VIVA", "FAT.bin", "MT6260A.cfg",
                 "report.txt", "report.json", "SHA256SUMS"], names
for f in k["files"]:
    data = open(os.path.join(sys.argv[2], f["name"]), "rb").read()
    assert len(data) == f["size"] and hashlib.sha256(data).hexdigest() == f["sha256"], f["name"]
assert [e["id"] for e in d["flash_ids"]["rom"]["entries"]] == ["EF6018", "C86018"]
# report.json is written before itself and SHA256SUMS: it lists the files up to report.txt
r = json.load(open(os.path.join(sys.argv[2], "report.json")))
assert r["images"] == d["images"] and r["checks"] == d["checks"]
assert r["kit"]["files"] == k["files"][:7]
PY
finish
