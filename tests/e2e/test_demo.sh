#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The built-in demo watch (issue 7): `mtkbak pull --auto --port sim:demo` shows a whole pull
# (waiting, plug-in after a moment, identify, agent, auto size, read, check, extract, summary)
# in a few seconds, and its kit passes `mtkbak check`; size=8M and 16M work too.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/norlog_lib.sh"
need MTKBAK
T=$tmp
cd "$T" || exit 1

start=$(date +%s%N)
out=$("$MTKBAK" pull --auto --port sim:demo 2>err); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $rc -eq 0 ] || { cat err; fail "demo pull: exit $rc"; }
[ -s err ] && fail "demo pull wrote to stderr: $(cat err)"
# every stage, in order
expected=(
	'^Waiting for the watch: switch it off, then connect USB'
	'^Found MT6261 \(hw code 0x6261, hw ver 0xCB01\) on sim:demo, ME ID [0-9a-f]{32}$'
	'^Output folder: MT6261-[0-9a-f]{8}-[0-9]{8}-[0-9]{6}/$'
	"^Starting mtkbak's agent on the watch$"
	'^Flash: JEDEC ID C8 40 16, reading 4 MiB \(size from JEDEC ID'
	'^Reading 4 MiB into '
	'^Verifying the whole image against the watch$'
	"^Read 4 MiB, verified \(CRC-32 [0-9A-F]{8} matches the watch's\), SHA-256 [0-9a-f]{64}$"
	'^Checked the firmware: health 100% \(20 ok, 0 warnings, 0 failed\)$'
	'^Wrote the kit: 9 files$'
	'^Done in [0-9.]+ s \([0-9.]+ MB/s\): MT6261, flash C8 40 16 4 MiB, health 100%, files in MT6261-'
)
n=0
while IFS= read -r line; do
	[ $n -lt ${#expected[@]} ] || break
	if grep -Eq "${expected[$n]}" <<<"$line"; then n=$((n + 1)); fi
done <<<"$out"
[ $n -eq ${#expected[@]} ] || fail "demo output lacks stage $n (${expected[$n]}): $out"
# a real pull's pace: the watch is plugged in after a moment and the read runs at USB full speed
# (the mostly erased demo flash crosses the link compressed, in well under the raw 3.5 s)
[ $ms -ge 1500 ] && [ $ms -le 30000 ] || fail "demo took $ms ms (expected a few seconds)"

d=$(ls -d MT6261-*/ | head -1)
d=${d%/}
[ "$(stat -c %s "$d/readback.bin")" -eq 4194304 ] || fail "readback size"
"$MTKBAK" check "$d/readback.bin" >check.txt || fail "check of the demo readback: $(cat check.txt)"
grep -q '^health: 100%$' check.txt || fail "readback health: $(tail -2 check.txt)"
"$MTKBAK" check "$d" >kitcheck.txt || fail "check of the demo kit folder: $(cat kitcheck.txt)"
grep -q '^health: 100%$' kitcheck.txt || fail "kit health: $(tail -2 kitcheck.txt)"
(cd "$d" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS"
grep -q '_MT6261_' "$d/report.txt" || fail "platform string names MT6261"
grep -q 'C8 40 16' "$d/report.txt" && grep -q 'C8 40 17' "$d/report.txt" || fail "the two flash IDs"
grep -q 'flash_id:  \[0xC8, 0x40, 0x16' "$d/MT6261.cfg" || fail "cfg flash id"
grep -q 'viva_position: ok' "$d/report.txt" || fail "VIVA at ROM end + 0x400"
[ "$(stat -c %s "$d/FAT.bin")" -gt 0 ] && tr -d '\377' <"$d/FAT.bin" | head -c 1 | grep -q . || fail "FAT region holds no NVRAM-like data"

# bigger demo watches, without the plug delay and the link model
for sz in 8M 16M; do
	"$MTKBAK" pull --port "sim:demo,size=$sz,plug=0,link=none" -o "d$sz" >o.txt 2>err || { cat err; fail "demo $sz"; }
	bytes=$(( ${sz%M} * 1048576 ))
	[ "$(stat -c %s "d$sz/readback.bin")" -eq $bytes ] || fail "demo $sz size"
	grep -q '^health: 100%$' "d$sz/report.txt" || fail "demo $sz health"
	"$MTKBAK" check "d$sz" >/dev/null || fail "demo $sz kit check"
done
nor_log_empty
finish "demo: all checks passed ($ms ms)"
