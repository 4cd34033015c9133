#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Inputs nothing trusts (issue 13, low): --length that would wrap, NaN timeouts, a FIFO or a
# /dev/zero link given to check, malformed SHA256SUMS lines, a dump truncated while it is
# checked (no SIGBUS), bad sim: options reported before "output exists", and pull's
# --reconnect-timeout.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/norlog_lib.sh"
need MTKBAK MTKBAK_BUILD
need_fwimg
cd "$tmp" || exit 1

"$fwimg" demo 4M a.bin

# --length: 2^44 MiB + 1 MiB wrapped to 1 MiB before
rc=0
"$MTKBAK" read -o l.bin --length 17592186044417M --port sim:a.bin >l.txt 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "--length overflow: exit $rc, want 2: $(cat l.txt)"
[ ! -e l.bin ] || fail "--length overflow: a file was written"
rc=0
"$MTKBAK" read -o l.bin --length 16385K --port sim:a.bin >l.txt 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "--length 16385K: exit $rc, want 2"

# NaN (and inf) seconds
for opt in --timeout --reconnect-timeout; do
	for v in nan inf -nan; do
		rc=0
		"$MTKBAK" read -o n.bin $opt $v --port sim:a.bin >n.txt 2>&1 || rc=$?
		[ $rc -eq 2 ] || fail "read $opt $v: exit $rc, want 2: $(cat n.txt)"
	done
done
rc=0
"$MTKBAK" pull -o np --reconnect-timeout nan --port sim:a.bin >n.txt 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "pull --reconnect-timeout nan: exit $rc, want 2: $(cat n.txt)"
rc=0
"$MTKBAK" identify --timeout nan --port sim:a.bin >n.txt 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "identify --timeout nan: exit $rc, want 2"

# bad sim options are a usage error even when the output exists
echo keep >exists.bin
rc=0
"$MTKBAK" read -o exists.bin --port sim:a.bin,colour=red >b.txt 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "bad sim option: exit $rc, want 2: $(cat b.txt)"
has b.txt "unknown sim option 'colour'"
grep -q "exists" b.txt && fail "bad sim option reported as an existing output: $(cat b.txt)"

# pull --reconnect-timeout: the cable drops at 50% and never comes back
rc=0
start=$(date +%s)
"$MTKBAK" pull -o rp --compress off --reconnect-timeout 1 --port sim:a.bin,disconnect=2500000 >rp.txt 2>&1 || rc=$?
[ $rc -eq 75 ] || fail "pull --reconnect-timeout 1: exit $rc, want 75: $(cat rp.txt)"
has rp.txt "within 1 s"
[ $(($(date +%s) - start)) -lt 30 ] || fail "pull --reconnect-timeout 1 took too long"

# a real kit to check
rc=0
"$MTKBAK" pull -o kit --port sim:a.bin >k.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "pull: exit $rc: $(cat k.txt)"
"$MTKBAK" check kit >c0.txt 2>&1 || fail "check of a good kit: $(cat c0.txt)"

# a FIFO: refused at once, not waited on
mkfifo fifo
rc=0
timeout 10 "$MTKBAK" check fifo >f.txt 2>&1 || rc=$?
[ $rc -eq 66 ] || fail "check FIFO: exit $rc, want 66: $(cat f.txt)"
has f.txt "not a regular file"

# SHA256SUMS naming a link to /dev/zero: bounded, and it does not match
cp -r kit kz
ln -s /dev/zero kz/zero.bin
printf '%064d  zero.bin\n' 0 >>kz/SHA256SUMS
rc=0
timeout 20 "$MTKBAK" check kz >z.txt 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "check with a /dev/zero link: exit $rc, want 1: $(cat z.txt)"
has z.txt "zero.bin"

# malformed SHA256SUMS lines are reported, not skipped
cp -r kit km
echo "this is not a checksum line" >>km/SHA256SUMS
rc=0
"$MTKBAK" check km >m.txt 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "check with a malformed SHA256SUMS line: exit $rc, want 1: $(cat m.txt)"
has m.txt "malformed"

# a dump truncated and rewritten while it is checked: a clean error or a result, never SIGBUS
cp a.bin t.bin
(
	for _ in $(seq 40); do
		truncate -s 1M t.bin
		cat a.bin >t.bin
	done
) &
tpid=$!
sigbus=0
for _ in $(seq 40); do
	rc=0
	"$MTKBAK" check t.bin >/dev/null 2>&1 || rc=$?
	[ $rc -ge 128 ] && sigbus=$((sigbus + 1))
	rc=0
	"$MTKBAK" extract t.bin -o ex >/dev/null 2>&1 || rc=$?
	[ $rc -ge 128 ] && sigbus=$((sigbus + 1))
	rm -rf ex
done
wait $tpid
[ $sigbus -eq 0 ] || fail "check/extract died of a signal $sigbus times on a changing dump"
ls -a | grep -q '^\.mtkbak-' && fail "extract left a temporary folder: $(ls -a)"

nor_log_empty
finish "all input safety checks passed"
