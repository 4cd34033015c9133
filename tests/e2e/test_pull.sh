#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# mtkbak pull against simulated watches through the real binary: a watch plugged in after a
# delay, a cable drop mid-read, Ctrl-C and a rerun, two watches in --loop, two watches at once,
# a damaged firmware (kit refused), and --json events. Every output file is checked.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/norlog_lib.sh"
need MTKBAK
need MTKBAK_BUILD
FWIMG="$MTKBAK_BUILD/tests/fwimg"
T=$tmp
cd "$T" || exit 1

"$FWIMG" demo 4M demo4.bin >/dev/null || fail "fwimg demo"
"$FWIMG" demo 8M demo8.bin >/dev/null || fail "fwimg demo 8M"

# check_kit DIR IMAGE: every file of a pull folder, against the image the watch holds
check_kit() {
	local d=$1 img=$2
	cmp -s "$d/readback.bin" "$img" || fail "$d/readback.bin differs from the watch's flash"
	local sha
	sha=$(sha256sum "$img" | cut -d' ' -f1)
	[ "$(cat "$d/readback.bin.sha256")" = "$sha  readback.bin" ] || fail "$d/readback.bin.sha256"
	for f in BOOTLOADER EXT_BOOTLOADER ROM VIVA FAT.bin MT6261.cfg report.txt report.json \
		SHA256SUMS mtkbak.log; do
		[ -s "$d/$f" ] || fail "$d/$f missing"
	done
	(cd "$d" && sha256sum --quiet -c SHA256SUMS) || fail "$d/SHA256SUMS does not verify"
	for f in BOOTLOADER EXT_BOOTLOADER ROM VIVA FAT.bin readback.bin readback.bin.sha256; do
		grep -q "  $f\$" "$d/SHA256SUMS" || fail "$f not in SHA256SUMS"
	done
	grep -q '^health: 100%$' "$d/report.txt" || fail "$d/report.txt health: $(tail -3 "$d/report.txt")"
	grep -q 'platform: MT6261' "$d/MT6261.cfg" || fail "cfg platform"
	# the kit passes check, and extract of the readback gives the same files
	"$MTKBAK" check "$d/readback.bin" >/dev/null || fail "check of $d/readback.bin"
	rm -rf "$T/x"
	"$MTKBAK" extract "$d/readback.bin" -o "$T/x" >/dev/null || fail "extract of $d/readback.bin"
	for f in BOOTLOADER EXT_BOOTLOADER ROM VIVA FAT.bin MT6261.cfg; do
		cmp -s "$d/$f" "$T/x/$f" || fail "$d/$f differs from extract's"
	done
	ls "$d" | grep -q '\.part' && fail "$d has .part leftovers: $(ls "$d")"
	return 0
}

# 1. the watch is plugged in 800 ms after mtkbak starts waiting
out=$("$MTKBAK" pull --auto --timeout 20 --port "sim:demo4.bin,plug=800" -o one 2>err); rc=$?
[ $rc -eq 0 ] || { cat err; fail "pull exit $rc"; }
echo "$out" | head -1 | grep -q '^Waiting for the watch: switch it off, then connect USB' || fail "waiting line: $out"
echo "$out" | grep -q '^Found MT6261 (hw code 0x6261' || fail "found line: $out"
echo "$out" | grep -q 'reading 4 MiB (size from JEDEC ID' || fail "size line: $out"
echo "$out" | grep -q '^Checked the firmware: health 100%' || fail "check line: $out"
echo "$out" | grep -q '^Done in .* MT6261, flash C8 40 16 4 MiB, health 100%, files in one/$' || fail "summary: $out"
check_kit one demo4.bin
grep -q 'state Found MT6261' one/mtkbak.log || fail "mtkbak.log lacks the states"
grep -q 'brom: ' one/mtkbak.log || fail "mtkbak.log lacks the protocol steps"

# the same -o again refuses to overwrite without --force
"$MTKBAK" pull --port sim:demo4.bin -o one >/dev/null 2>err; rc=$?
[ $rc -eq 73 ] || fail "second pull into a finished folder: exit $rc"
grep -q 'force' err || fail "no --force hint: $(cat err)"

# 2. the cable is pulled at about half of the read and plugged back: resumed, exact
out=$("$MTKBAK" pull --auto --timeout 20 --port "sim:demo8.bin,disconnect=4500000,replug=300" -o two 2>err); rc=$?
[ $rc -eq 0 ] || { cat err; fail "pull with a cable drop: exit $rc"; }
check_kit two demo8.bin
grep -qi 'reconnect\|came back\|again' <<<"$out$(cat err)" || fail "no word about the cable drop: $out"

# 3. Ctrl-C in the middle (slow USB link model), then the same command again continues
"$MTKBAK" pull --port "sim:demo8.bin,link=fs,meid=00112233445566778899aabbccddeeff" -o three >out3 2>err3 &
pid=$!
for _ in $(seq 100); do
	[ -s three/readback.bin.part ] && [ "$(stat -c %s three/readback.bin.part)" -gt 2000000 ] && break
	sleep 0.1
done
kill -INT $pid
wait $pid; rc=$?
[ $rc -eq 130 ] || { cat err3; fail "Ctrl-C: exit $rc"; }
[ -f three/readback.bin.part ] || fail "Ctrl-C left no .part to resume"
[ -f three/readback.bin ] && fail "Ctrl-C left a readback.bin"
out=$("$MTKBAK" pull --port "sim:demo8.bin,meid=00112233445566778899aabbccddeeff" -o three 2>err); rc=$?
[ $rc -eq 0 ] || { cat err; fail "rerun after Ctrl-C: exit $rc"; }
grep -qi 'resum\|continu' <<<"$out" || fail "rerun did not say it continues: $out"
check_kit three demo8.bin

# 4. a shop's loop: two watches one after the other, each into its own folder
W1="demo4.bin,meid=11111111000000000000000000000001,reset=off"
W2="demo8.bin,meid=22222222000000000000000000000002,reset=off,plug=2500"
out=$("$MTKBAK" pull --loop --timeout 6 --port "sim:$W1+$W2" -o shop 2>err); rc=$?
[ $rc -eq 0 ] || { cat err; fail "loop exit $rc"; }
d1=$(ls -d shop/MT6261-11111111-* 2>/dev/null | head -1)
d2=$(ls -d shop/MT6261-22222222-* 2>/dev/null | head -1)
[ -n "$d1" ] && [ -n "$d2" ] || fail "loop folders: $(ls shop)"
check_kit "$d1" demo4.bin
check_kit "$d2" demo8.bin
echo "$out" | grep -q '^2 watches backed up in this session.$' || fail "loop summary: $out"

# two watches connected at once: refuse to guess
"$MTKBAK" pull --port "sim:demo4.bin+demo8.bin" -o both >/dev/null 2>err; rc=$?
[ $rc -eq 2 ] || fail "two watches at once: exit $rc"
grep -q -- '--port' err || fail "two watches: no --port hint: $(cat err)"
[ -e both/readback.bin ] && fail "two watches: wrote a readback"

# 5. a watch whose bootloader is damaged: the readback is kept, no kit, exit 1
"$FWIMG" corrupt demo4.bin -o bad.bin --flip 0x1000 >/dev/null || fail "fwimg corrupt"
out=$("$MTKBAK" pull --port sim:bad.bin -o bad 2>err); rc=$?
[ $rc -eq 1 ] || { cat err; fail "damaged firmware: exit $rc"; }
cmp -s bad/readback.bin bad.bin || fail "damaged: the verified readback must still be kept"
[ -e bad/BOOTLOADER ] && fail "damaged: a kit was written"
grep -q 'sha1.BOOTLOADER' err || fail "damaged: the failing check is not named: $(cat err)"
grep -q 'no kit' err || fail "damaged: no 'no kit' message: $(cat err)"

# 6. --json: one object per line, parsed
"$MTKBAK" --json pull --port sim:demo4.bin -o js >events.jsonl 2>err || { cat err; fail "json pull"; }
python3 - events.jsonl <<'PY' || fail "json events"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
kinds = [e["event"] for e in ev]
assert kinds[-1] == "result", kinds
r = ev[-1]
assert r["status"] == "ok" and r["exit_code"] == 0, r
assert r["chip"] == "MT6261" and r["hw_code"] == "0x6261", r
assert r["flash_size"] == 4 << 20 and r["jedec_id"] == "c84016", r
assert r["health"] == 100 and r["kit_safe"] is True, r
assert r["folder"] == "js", r
assert any(e["event"] == "state" and e["message"].startswith("Found MT6261") for e in ev)
assert any(e["event"] == "progress" for e in ev), kinds
PY
check_kit js demo4.bin

# 7. no watch before --timeout: exit 69 with a hint
"$MTKBAK" pull --auto --timeout 1 --port "sim:demo4.bin,plug=60000" -o none >/dev/null 2>err; rc=$?
[ $rc -eq 69 ] || fail "no watch: exit $rc"
grep -q 'no watch appeared within 1 s' err || fail "no watch message: $(cat err)"
nor_log_empty
finish "pull: all checks passed"
