#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# mtkbak read, stopped with Ctrl-C (SIGINT) in the middle of a read over the full-speed link
# model, then run again: it continues at the first unverified offset and the result is exact.
# A progress record from another watch, or a .part without its record, starts over instead.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/norlog_lib.sh"
need MTKBAK MTKBAK_BUILD
need_fwimg
cd "$tmp" || exit 1

"$fwimg" demo 4M img.bin

# 1. Ctrl-C once the first megabyte is safely in o.bin.part (link=fs: about 3.5 s for 4 MiB)
"$MTKBAK" read -o o.bin --port sim:img.bin,link=fs >int.txt 2>&1 &
pid=$!
for _ in $(seq 200); do
	if [ -e o.bin.part.state ] && grep -q "^verified [1-9]" o.bin.part.state; then
		break
	fi
	sleep 0.05
done
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[ $rc -eq 130 ] || fail "Ctrl-C: exit $rc, expected 130: $(cat int.txt)"
has int.txt "interrupted"
has int.txt "kept in o.bin.part"
[ ! -e o.bin ] || fail "Ctrl-C: o.bin was written"
[ -e o.bin.part ] && [ -e o.bin.part.state ] || fail "Ctrl-C: .part or its record missing"
kept=$(sed -n 's/^verified //p' o.bin.part.state)
[ "${kept:-0}" -gt 0 ] && [ "${kept:-0}" -lt 4194304 ] || fail "Ctrl-C: verified offset '$kept'"
# what the record calls verified is the flash's first bytes
head -c "$kept" img.bin | cmp -s - <(head -c "$kept" o.bin.part) ||
	fail "Ctrl-C: the kept part differs from the flash"

# 2. the same command again (no link model now): resumes and finishes exactly
rc=0
"$MTKBAK" read -o o.bin --port sim:img.bin --json >res.json 2>res.err || rc=$?
[ $rc -eq 0 ] || fail "rerun: exit $rc: $(cat res.err)"
cmp -s o.bin img.bin || fail "rerun: output differs from the flash"
[ "$(json_field res.json resumed)" = True ] || fail "rerun did not resume"
[ "$(json_field res.json resumed_from)" = "$kept" ] ||
	fail "rerun resumed from $(json_field res.json resumed_from), not $kept"
[ "$(json_field res.json bytes_transferred)" -lt 4194304 ] ||
	fail "rerun read everything again ($(json_field res.json bytes_transferred) bytes)"
[ ! -e o.bin.part ] && [ ! -e o.bin.part.state ] || fail "rerun left .part files"

# 3. a record from another watch (other ME ID): start over, and say so
"$MTKBAK" read -o p.bin --port sim:img.bin,link=fs >p1.txt 2>&1 &
pid=$!
for _ in $(seq 200); do
	[ -e p.bin.part.state ] && grep -q "^verified [1-9]" p.bin.part.state && break
	sleep 0.05
done
kill -INT "$pid"
wait "$pid" || true
pid=
rc=0
"$MTKBAK" read -o p.bin --port sim:img.bin,meid=00112233445566778899aabbccddeeff \
	>p2.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "other watch: exit $rc: $(cat p2.txt)"
has p2.txt "Starting over: it was made on another watch"
cmp -s p.bin img.bin || fail "other watch: output differs"

# 4. a .part without a record: start over
head -c 100000 /dev/urandom >q.bin.part
rc=0
"$MTKBAK" read -o q.bin --port sim:img.bin >q.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "stray .part: exit $rc"
has q.txt "has no progress record"
cmp -s q.bin img.bin || fail "stray .part: output differs"

nor_log_empty
finish "all read resume checks passed"
