#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# mtkbak check on generated flash images: the demo watch's firmware at 4, 8 and 16 MiB, other
# offsets, a small chip read as 16 MiB (mirror), the JSON report, and the exit codes for
# usage errors and unreadable files. Output is compared line by line.
. "$(dirname "$0")/lib.sh"
set -euo pipefail
need MTKBAK MTKBAK_BUILD
FWIMG=$MTKBAK_BUILD/tests/fwimg
t=$tmp
expect_line() { # FILE LINE
	grep -qxF -- "$2" "$1" || {
		echo "--- $1:" >&2
		cat "$1" >&2
		fail "missing line: $2"
	}
}

for s in 4M 8M 16M; do
	"$FWIMG" demo $s "$t/demo$s.bin"
	rc=0
	"$MTKBAK" check "$t/demo$s.bin" >"$t/out$s" 2>"$t/err$s" || rc=$?
	[ $rc -eq 0 ] || fail "check demo $s: exit $rc"
	expect_line "$t/out$s" "health: 100%"
	! grep -q ': FAIL\|: warn' "$t/out$s" || fail "demo $s has a failure or warning"
	[ "$(wc -l <"$t/out$s")" -eq 21 ] || fail "demo $s: expected 20 check lines + health"
	[ ! -s "$t/err$s" ] || fail "demo $s wrote to stderr"
done
o=$t/out4M
expect_line "$o" "dump: ok  4194304 bytes (4 MiB)"
expect_line "$o" "images: ok  4 images: BOOTLOADER 0x00000800+0x1800, EXT_BOOTLOADER 0x00003000+0x9000, ROM 0x00010000+0x60000, VIVA 0x00070400+0x30000"
expect_line "$o" "rom_tail: ok  ROM ends with 00 44 4E 45 FF FF FF FF at 0x0006FFF8"
expect_line "$o" "viva_position: ok  VIVA at 0x00070400 = ROM end 0x00070000 + 0x400"
expect_line "$o" "flash_size: ok  4 MiB matches the firmware's flash parts (C8 40 16 4 MiB, C8 40 17 8 MiB)"
expect_line "$o" "platform: ok  MT6261 from MAUI_INFO at 0x00010038: \"MTKBAK_DEMO_PCB01_gprs_MT6261_S00.MAUI_11CW1418SP5_W20_01.bin\""
grep -q '^flash_ids: ok  ROM CMEM_ID_INFO at 0x00010224: C8 40 16, C8 40 17; EXT_BOOTLOADER copy at 0x[0-9A-F]* agrees$' "$o" ||
	fail "flash_ids line"
expect_line "$t/out16M" "sds_region: ok  SDS 0x00FFE000-0x01000000 (8 KiB, from MAUI_INFO at 0x00010038) inside the 16 MiB flash, after the code (ends 0x000A0400)"
expect_line "$t/out16M" "fat_region: ok  FAT 0x00500000-0x00FFE000 (11256 KiB, from FLASH_INFO at 0x00010168) inside the 16 MiB flash, after the code (ends 0x000A0400)"

# another build: EXT_BOOTLOADER at 0x2400, ROM at 0xA000 (found from the headers)
"$FWIMG" synth --size 8M --ext-bl-off 0x2400 --ext-bl-len 0x7400 --rom-off 0xA000 --fat 0x780000:0x80000 -o "$t/tracker.bin"
"$MTKBAK" check "$t/tracker.bin" >"$t/tr" || fail "tracker layout: exit $?"
expect_line "$t/tr" "images: ok  4 images: BOOTLOADER 0x00000800+0x1800, EXT_BOOTLOADER 0x00002400+0x7400, ROM 0x0000A000+0x60000, VIVA 0x0006A400+0x30000"

# a 4 MiB chip read as 16 MiB: a warning that names the aliases, still healthy
"$FWIMG" synth --size 4M --read-size 16M -o "$t/mirror.bin"
"$MTKBAK" check "$t/mirror.bin" >"$t/mir" || fail "mirrored: exit $?"
expect_line "$t/mir" "mirror: warn  the 16 MiB dump holds a 4 MiB flash 4 times: bytes 0x00400000-0x00FFFFFF are aliases of 0x00000000-0x003FFFFF (the chip ignores the high address bits); the real flash size is 4 MiB and extract keeps only those bytes"
expect_line "$t/mir" "health: 100%"
# an 8 MiB chip read as 16 MiB
"$FWIMG" synth --size 8M --read-size 16M -o "$t/mirror8.bin"
"$MTKBAK" check "$t/mirror8.bin" >"$t/mir8" || fail "mirrored 8M: exit $?"
grep -q '^mirror: warn  the 16 MiB dump holds a 8 MiB flash 2 times' "$t/mir8" || fail "8M mirror line"

# a mirrored read whose copies differ in one byte: an unreliable read (FAIL), offsets named
"$FWIMG" corrupt "$t/mirror.bin" --flip 0x00C01000 -o "$t/mirbad.bin"
rc=0
"$MTKBAK" check "$t/mirbad.bin" >"$t/mb" || rc=$?
[ $rc -eq 1 ] || fail "mirror with a differing copy: exit $rc, want 1"
expect_line "$t/mb" "mirror: FAIL  the 16 MiB dump repeats a 4 MiB flash 4 times (the chip ignores the high address bits) but the copies differ in 1 byte, first at 0x00C01000 against 0x00001000: the read returned different data for the same flash bytes; read it again"

# -q: only what is not ok, and the health line
"$MTKBAK" check -q "$t/mirror.bin" >"$t/q"
[ "$(wc -l <"$t/q")" -eq 2 ] || fail "-q prints the warning and health only"

# --json: one object with the same findings
"$MTKBAK" check --json "$t/demo4M.bin" >"$t/j"
[ "$(wc -l <"$t/j")" -eq 1 ] || fail "--json is one line"
python3 - "$t/j" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["health"] == 100 and d["healthy"] and d["kit_safe"], d["health"]
assert d["flash"]["size"] == 4 << 20 and not d["flash"]["mirrored"]
assert [i["name"] for i in d["images"]] == ["BOOTLOADER", "EXT_BOOTLOADER", "ROM", "VIVA"]
assert d["images"][0]["offset"] == "0x00000800" and d["images"][0]["sha1"] == "ok"
assert [e["id"] for e in d["flash_ids"]["rom"]["entries"]] == ["C84016", "C84017"]
assert d["flash_ids"]["nor_sizes"] == [4 << 20, 8 << 20]
assert d["regions"]["fat"] == {"offset": "0x00300000", "length": 1 << 20}
assert d["regions"]["sds"] is None
assert d["platform"] == "MT6261"
assert len(d["checks"]) == 20 and all(c["status"] == "ok" for c in d["checks"])
assert d["checks"][0] == {"name": "dump", "status": "ok", "unsafe": False, "offsets": [],
                          "message": "4194304 bytes (4 MiB)"}
PY
"$MTKBAK" --json check "$t/mirror.bin" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["flash"] == {"size": 4 << 20, "size_source": "mirror", "mirrored": True,
                      "mirror_mismatch": False, "mirror_diff_bytes": 0, "copies": 4,
                      "alias_bytes": 12 << 20}, d["flash"]
m = [c for c in d["checks"] if c["name"] == "mirror"][0]
assert m["status"] == "warn" and m["offsets"] == ["0x00400000"]'

# exit codes: 2 usage, 66 unreadable
rc=0; "$MTKBAK" check >/dev/null 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "no DUMP: exit $rc, want 2"
rc=0; "$MTKBAK" check a b >/dev/null 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "two DUMPs: exit $rc, want 2"
rc=0; "$MTKBAK" check --bogus "$t/demo4M.bin" >/dev/null 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "unknown option: exit $rc, want 2"
rc=0; "$MTKBAK" check "$t/nonexistent.bin" >/dev/null 2>"$t/e" || rc=$?
[ $rc -eq 66 ] || fail "missing file: exit $rc, want 66"
grep -q "cannot read $t/nonexistent.bin: No such file or directory" "$t/e" || fail "missing file message"
rc=0; "$MTKBAK" check "$t/demo4M.bin/x" >/dev/null 2>"$t/e" || rc=$?
[ $rc -eq 66 ] || fail "a path through a file: exit $rc, want 66"
mkdir "$t/nokit"
echo hello >"$t/nokit/readme.txt"
rc=0; "$MTKBAK" check "$t/nokit" >"$t/nk" 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "a folder without a kit: exit $rc, want 1"
grep -qxF 'kit_files: FAIL  no GFH image in the folder: not a firmware kit' "$t/nk" || fail "no kit line"
"$MTKBAK" check --help | grep -q '^usage: mtkbak check DUMP' || fail "--help"
finish
