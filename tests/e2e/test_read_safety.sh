#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Outputs nobody else can aim or share (issue 13): a symlink or a hard link at FILE.part is
# refused (its target untouched), a link at the record's temporary is removed rather than
# written through, two reads into one output (two watches) cannot mix: the second is refused
# while the first holds the lock, and the first ends with its own watch's bytes. The same for
# two pulls into one folder.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/norlog_lib.sh"
need MTKBAK MTKBAK_BUILD
need_fwimg
cd "$tmp" || exit 1

"$fwimg" demo 4M a.bin
"$fwimg" corrupt a.bin -o b.bin --fill 3145728:65536:0x5A
cmp -s a.bin b.bin && fail "the two watches' images are the same"
echo "precious" >victim
victim_sum=$(sha256sum victim)

# 1. a symlink at FILE.part: refused before the watch is touched, the target stays
ln -s "$tmp/victim" o.bin.part
rc=0
"$MTKBAK" read -o o.bin --port sim:a.bin >s1.txt 2>&1 || rc=$?
[ $rc -eq 73 ] || fail "symlinked .part: exit $rc, want 73: $(cat s1.txt)"
has s1.txt "o.bin.part"
has s1.txt "refusing to write through it"
[ "$(sha256sum victim)" = "$victim_sum" ] || fail "symlinked .part: the target was written"
[ ! -e o.bin ] || fail "symlinked .part: o.bin was written"
rm -f o.bin.part

# 2. a hard link at FILE.part (a name of someone else's file): refused the same way
ln victim o.bin.part
rc=0
"$MTKBAK" read -o o.bin --port sim:a.bin >s2.txt 2>&1 || rc=$?
[ $rc -eq 73 ] || fail "hard-linked .part: exit $rc, want 73: $(cat s2.txt)"
[ "$(sha256sum victim)" = "$victim_sum" ] || fail "hard-linked .part: the target was written"
rm -f o.bin.part

# 3. a symlink at the record's temporary: removed, never written through; the read works
ln -s "$tmp/victim" o.bin.part.state.tmp
rc=0
"$MTKBAK" read -o o.bin --port sim:a.bin >s3.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "symlinked record temporary: exit $rc: $(cat s3.txt)"
cmp -s o.bin a.bin || fail "symlinked record temporary: wrong image"
[ "$(sha256sum victim)" = "$victim_sum" ] || fail "symlinked record temporary: target written"
[ ! -L o.bin ] || fail "o.bin is a link"
rm -f o.bin o.bin.part.state.tmp

# 4. two reads, two watches, one output: the second is refused while the first runs
"$MTKBAK" read -o two.bin --port sim:a.bin,link=fs,seed=1 >r1.txt 2>&1 &
pid=$!
for _ in $(seq 200); do
	[ -e two.bin.part.state ] && break
	sleep 0.05
done
rc=0
"$MTKBAK" read -o two.bin --port sim:b.bin,seed=2 >r2.txt 2>&1 || rc=$?
[ $rc -eq 73 ] || fail "second read: exit $rc, want 73: $(cat r2.txt)"
has r2.txt "is being written by another mtkbak"
rc=0
wait "$pid" || rc=$?
pid=
[ $rc -eq 0 ] || fail "first read: exit $rc: $(cat r1.txt)"
cmp -s two.bin a.bin || fail "first read: two.bin is not the first watch's image"

# 5. the same with pull into one folder
"$MTKBAK" pull --port sim:a.bin,link=fs,seed=1 -o kit >p1.txt 2>&1 &
pid=$!
for _ in $(seq 200); do
	[ -e kit/readback.bin.part.state ] && break
	sleep 0.05
done
rc=0
"$MTKBAK" pull --port sim:b.bin,seed=2 -o kit >p2.txt 2>&1 || rc=$?
[ $rc -eq 73 ] || fail "second pull: exit $rc, want 73: $(cat p2.txt)"
rc=0
wait "$pid" || rc=$?
pid=
[ $rc -eq 0 ] || fail "first pull: exit $rc: $(cat p1.txt)"
cmp -s kit/readback.bin a.bin || fail "first pull: readback.bin is not the first watch's"
(cd kit && sha256sum -c --quiet SHA256SUMS) >/dev/null 2>&1 || fail "first pull: SHA256SUMS"

# 6. the kit writer's temporaries: links at NAME.part are removed, never written through
mkdir kk
for n in report.txt report.json SHA256SUMS ROM MT6261.cfg; do ln -s "$tmp/victim" "kk/$n.part"; done
rc=0
"$MTKBAK" pull --force --port sim:a.bin -o kk >k.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "pull with linked kit temporaries: exit $rc: $(cat k.txt)"
[ "$(sha256sum victim)" = "$victim_sum" ] || fail "the kit writer wrote through a link"
[ ! -L kk/report.txt ] || fail "kk/report.txt is a link"
(cd kk && sha256sum -c --quiet SHA256SUMS) >/dev/null 2>&1 || fail "linked kit temporaries: SHA256SUMS"

nor_log_empty
finish "all read safety checks passed"
