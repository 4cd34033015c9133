#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Bad input to mtkbak check: empty files, random bytes, dumps cut at many lengths, damaged
# GFH fields (sizes 0 and 0xFFFF, file_len 0xFFFFFFFF, CMEM counts of 2^32-1), flipped bytes.
# Each must end with a clear message and exit 1 (never a signal, never a hang), naming the
# offsets involved.
. "$(dirname "$0")/lib.sh"
set -euo pipefail
need MTKBAK MTKBAK_BUILD
FWIMG=$MTKBAK_BUILD/tests/fwimg
t=$tmp
# check FILE WANT_EXIT: runs check with a time limit, keeps the output in $t/out
check() {
	local rc=0
	timeout 30 "$MTKBAK" check "$1" >"$t/out" 2>"$t/err" || rc=$?
	[ $rc -eq "$2" ] || {
		cat "$t/out" "$t/err" >&2
		fail "check $(basename "$1"): exit $rc, want $2"
	}
	grep -q '^health: [0-9]*%$' "$t/out" || fail "no health line for $1"
}
has() {
	grep -qF -- "$1" "$t/out" || {
		cat "$t/out" >&2
		fail "missing: $1"
	}
}

"$FWIMG" demo 4M "$t/good.bin"

: >"$t/empty.bin"
check "$t/empty.bin" 1
has "dump: FAIL  the file is empty (0 bytes): the readback wrote nothing; read the flash again"
has "health: 28%"

head -c 1048576 /dev/urandom >"$t/random.bin"
check "$t/random.bin" 1
has "images: FAIL  no GFH image found"

head -c 4194304 /dev/zero | tr '\0' '\377' >"$t/blank.bin"
check "$t/blank.bin" 1
has "dump: FAIL  all 4194304 bytes are 0xFF: the read returned no data"

# cut at many lengths, including inside every image and inside the GFH headers
for len in 1 7 20 0x200 0x2b4 0x800 0x830 0x838 0x900 0x1fe0 0x2000 0x3010 0x8000 0x10000 0x10100 \
	0x40000 0x70000 0x70410 0x90000 0x100000 0x300100 0x3fffff; do
	"$FWIMG" corrupt "$t/good.bin" --truncate $len -o "$t/cut.bin"
	check "$t/cut.bin" 1
done
"$FWIMG" corrupt "$t/good.bin" --truncate 0x40000 -o "$t/cut.bin"
check "$t/cut.bin" 1
has "complete: FAIL  ROM at 0x00010000 needs 0x60000 bytes up to 0x00070000 but the dump ends at 0x00040000: the readback is truncated; read the whole flash again"

# one flipped byte in each bootloader
"$FWIMG" corrupt "$t/good.bin" --flip 0x1000 -o "$t/f.bin"
check "$t/f.bin" 1
grep -q '^sha1.BOOTLOADER: FAIL  SHA-1 of 0x00000800-0x00001FE0 is [0-9a-f]\{40\} but the trailer at 0x00001FE0 holds [0-9a-f]\{40\}: BOOTLOADER is damaged in this dump (read it again)$' "$t/out" ||
	fail "BOOTLOADER SHA-1 line"
"$FWIMG" corrupt "$t/good.bin" --flip 0x5000 -o "$t/f.bin"
check "$t/f.bin" 1
has "sha1.EXT_BOOTLOADER: FAIL"

# GFH block sizes 0 and 0xFFFF in the ROM chain (MAUI_INFO at ROM+0x38)
"$FWIMG" corrupt "$t/good.bin" --put 0x1003C:0000 -o "$t/f.bin"
check "$t/f.bin" 1
has "gfh.ROM: FAIL  ROM at 0x00010000: GFH chain broken at +0x38 (0x00010038): block size 0x0 is not a multiple of 4 >= 8"
"$FWIMG" corrupt "$t/good.bin" --put 0x1003C:FFFF -o "$t/f.bin"
check "$t/f.bin" 1
has "GFH chain broken at +0x38 (0x00010038): block size 0xFFFF"
# a chain that runs off the end of the image: a huge content offset
"$FWIMG" corrupt "$t/good.bin" --put 0x70428:FFFFFFFF -o "$t/f.bin"
check "$t/f.bin" 1
has "gfh.VIVA: FAIL"
# file_len 0xFFFFFFFF (not post-built)
"$FWIMG" corrupt "$t/good.bin" --put 0x70420:FFFFFFFF -o "$t/f.bin"
check "$t/f.bin" 1
has "gfh.VIVA: FAIL  VIVA at 0x00070400: file_len is 0xFFFFFFFF: the image was never post-built"
# file_len past the end of the flash
"$FWIMG" corrupt "$t/good.bin" --put 0x70420:00007000 -o "$t/f.bin"
check "$t/f.bin" 1
has "complete: FAIL  VIVA at 0x00070400 needs 0x700000 bytes up to 0x00770400 but the dump ends at 0x00400000"
# CMEM counts of 2^32-1: in ROM only, EXT_BOOTLOADER's copy is still there (a warning)
"$FWIMG" corrupt "$t/good.bin" --put 0x10230:FFFFFFFF -o "$t/f.bin"
check "$t/f.bin" 0
has "flash_ids: warn  the ROM has no CMEM_ID_INFO; EXT_BOOTLOADER's copy at"
# CMEM_NOR_INFO count 2^32-1 as well
"$FWIMG" corrupt "$t/good.bin" --put 0x10230:FFFFFFFF --put 0x10254:FFFFFFFF -o "$t/f.bin"
check "$t/f.bin" 0
# a header block whose BRLYT points nowhere
"$FWIMG" corrupt "$t/good.bin" --put 0x21C:00090000 -o "$t/f.bin"
check "$t/f.bin" 1
has "header_block: FAIL  descriptor 0 (ARM_BL) points to 0x00000900 where no image starts"
# no header block at all: failing, but the images are fine
"$FWIMG" corrupt "$t/good.bin" --fill 0:0x800:0xFF -o "$t/f.bin"
check "$t/f.bin" 1
has "header_block: FAIL  no SF_BOOT identifier at offset 0"
has "sha1.BOOTLOADER: ok"
# a ROM end marker overwritten
"$FWIMG" corrupt "$t/good.bin" --fill 0x6FFF8:8:0 -o "$t/f.bin"
check "$t/f.bin" 1
has "rom_tail: FAIL  ROM's last 8 bytes at 0x0006FFF8 are 00 00 00 00 00 00 00 00, expected 00 44 4E 45 FF FF FF FF"
# random blocks written over every part of the image: never a crash
for off in 0 0x800 0x3000 0x10000 0x10100 0x70400 0x300000; do
	head -c 4096 /dev/urandom >"$t/blk"
	cp "$t/good.bin" "$t/f.bin"
	dd if="$t/blk" of="$t/f.bin" bs=1 seek=$((off)) conv=notrunc status=none
	rc=0
	timeout 30 "$MTKBAK" check "$t/f.bin" >/dev/null 2>&1 || rc=$?
	[ $rc -le 1 ] || fail "random block at $off: exit $rc"
done
finish
