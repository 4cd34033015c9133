#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# issue 13, medium: pull leaves a user's files alone (a non-empty folder is used only when it
# is this watch's unfinished pull with nothing else in it); a --no-da resume reads the kept
# part again (the watch's firmware may have changed it); the BROM-only double read takes its
# second copy in another shape, so a fault tied to the stream position cannot pass.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/norlog_lib.sh"
need MTKBAK MTKBAK_BUILD
need_fwimg
cd "$tmp" || exit 1

"$fwimg" demo 4M a.bin
"$fwimg" corrupt a.bin -o a2.bin --fill 65536:4096:0x77

# 1. a folder with a user's file: refused, the file untouched
mkdir u && echo "mine" >u/report.txt
rc=0
"$MTKBAK" pull -o u --port sim:a.bin >u.txt 2>&1 || rc=$?
[ $rc -eq 73 ] || fail "pull into a user's folder: exit $rc, want 73: $(cat u.txt)"
has u.txt "is not empty and is not an unfinished pull of this watch"
[ "$(cat u/report.txt)" = mine ] || fail "pull replaced the user's report.txt"

# 2. an unfinished pull of this watch, plus a file it did not write: refused, naming it
"$MTKBAK" pull -o p --port sim:a.bin,link=fs,seed=5 >p1.txt 2>&1 &
pid=$!
for _ in $(seq 200); do
	[ -e p/readback.bin.part.state ] && grep -q "^verified [1-9]" p/readback.bin.part.state && break
	sleep 0.05
done
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[ $rc -eq 130 ] || fail "Ctrl-C pull: exit $rc: $(cat p1.txt)"
echo "notes" >p/notes.txt
rc=0
"$MTKBAK" pull -o p --port sim:a.bin,seed=5 >p2.txt 2>&1 || rc=$?
[ $rc -eq 73 ] || fail "resume with a foreign file: exit $rc, want 73: $(cat p2.txt)"
has p2.txt "notes.txt"
[ "$(cat p/notes.txt)" = notes ] || fail "notes.txt changed"
# another watch (another ME ID) may not continue it either
rc=0
"$MTKBAK" pull -o p --port sim:a.bin,seed=6 >p3.txt 2>&1 || rc=$?
[ $rc -eq 73 ] || fail "another watch's resume: exit $rc, want 73: $(cat p3.txt)"
rm p/notes.txt
rc=0
"$MTKBAK" pull -o p --port sim:a.bin,seed=5 >p4.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "resume of this watch's pull: exit $rc: $(cat p4.txt)"
cmp -s p/readback.bin a.bin || fail "resumed pull: wrong image"

# a pull that stopped before its record was written leaves only its own names: rerun works
mkdir early && echo "log of a failed pull" >early/mtkbak.log && : >early/readback.bin.part
rc=0
"$MTKBAK" pull -o early --port sim:a.bin >e.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "rerun after an early stop: exit $rc: $(cat e.txt)"
cmp -s early/readback.bin a.bin || fail "rerun after an early stop: wrong image"

# 3. --no-da: Ctrl-C, the watch's flash changes in the kept part, the rerun reads it again
"$MTKBAK" read --no-da -o n.bin --port sim:a.bin,link=fs,seed=9 >n1.txt 2>&1 &
pid=$!
for _ in $(seq 400); do
	[ -e n.bin.part.state ] && grep -q "^verified [1-9]" n.bin.part.state && break
	sleep 0.05
done
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[ $rc -eq 130 ] || fail "Ctrl-C --no-da: exit $rc: $(cat n1.txt)"
kept=$(sed -n 's/^verified //p' n.bin.part.state)
[ "${kept:-0}" -gt 69632 ] || fail "--no-da: only $kept bytes kept, the test needs the change inside"
rc=0
"$MTKBAK" read --no-da -o n.bin --port sim:a2.bin,seed=9 >n2.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "--no-da resume: exit $rc: $(cat n2.txt)"
has n2.txt "Resuming"
has n2.txt "changed on the watch since the earlier run"
cmp -s n.bin a2.bin || fail "--no-da resume kept bytes the watch no longer has"
has n2.txt "not compared with the watch"

# 4. a fault at a fixed stream position hits both copies of a block alike only if both are
#    read the same way: 40 seeds, every exit 0 must be the exact image
bad=0
for seed in $(seq 40); do
	rm -f c.bin
	rc=0
	"$MTKBAK" read --no-da -o c.bin --port "sim:a.bin,corrupt=65549,corruptcount=2,seed=$seed" \
		>c.txt 2>&1 || rc=$?
	if [ $rc -eq 0 ] && ! cmp -s c.bin a.bin; then
		bad=$((bad + 1))
	fi
done
[ $bad -eq 0 ] || fail "BROM-only double read: $bad of 40 seeds gave exit 0 with a wrong image"

nor_log_empty
finish "all pull folder and BROM-only checks passed"
