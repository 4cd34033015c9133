#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# mtkbak read with the compressed READ (issue 16; --compress auto, the default) through a faulty
# link: bit flips (damaged packets, compressed ones included, are requested again), a lost
# byte (the stream is re-synchronised), the cable pulled at 10%, 50% and 99% of what crosses
# the link, a watch that never comes back and a rerun in the other mode (the resume record
# does not depend on it, in both directions), a mirrored 4 MiB chip, and with the corpus the
# 16 MiB and 4 MiB images built from the MT6260A kit. Every read is compared byte for byte
# with the simulated flash.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/norlog_lib.sh"
need MTKBAK MTKBAK_BUILD
need_fwimg
cd "$tmp" || exit 1

"$fwimg" demo 4M img.bin
size=$(stat -c %s img.bin)

# a clean read: how many bytes cross the link (the fault positions below are fractions of it)
rc=0
"$MTKBAK" read -o clean.bin --port sim:img.bin --json >clean.json 2>clean.err || rc=$?
[ $rc -eq 0 ] || fail "clean: exit $rc: $(cat clean.err)"
cmp -s clean.bin img.bin || fail "clean: output differs from the flash"
wire=$(json_field clean.json wire_bytes)
[ "$wire" -gt 0 ] && [ "$wire" -lt $((size / 2)) ] || fail "clean: $wire bytes on the link"
[ "$(json_field clean.json compress)" = auto ] || fail "clean: not compressed"

# bit flips: about one every 20000 bytes the watch sends
rc=0
"$MTKBAK" read -o c.bin --port sim:img.bin,corrupt=20000 --json >c.json 2>c.err || rc=$?
[ $rc -eq 0 ] || fail "corrupt: exit $rc: $(cat c.err)"
cmp -s c.bin img.bin || fail "corrupt: output differs from the flash"
[ "$(json_field c.json packet_retries)" -gt 0 ] 2>/dev/null ||
	fail "corrupt: no packet was re-requested ($(json_field c.json packet_retries))"
[ "$(json_field c.json lz4_packet_bytes)" -gt 0 ] || fail "corrupt: no LZ4 packets"

# one byte lost in the middle of the stream
rc=0
"$MTKBAK" read -o dr.bin --port "sim:img.bin,drop=$((wire / 2))" --json >dr.json 2>dr.err || rc=$?
[ $rc -eq 0 ] || fail "drop: exit $rc: $(cat dr.err)"
cmp -s dr.bin img.bin || fail "drop: output differs from the flash"

# the cable pulled at 10%, 50% and 99% of the compressed stream, back after 300 ms
for pct in 10 50 99; do
	at=$((wire * pct / 100))
	rc=0
	"$MTKBAK" read -o d$pct.bin --port "sim:img.bin,disconnect=$at,replug=300" \
		--reconnect-timeout 10 >d$pct.txt 2>&1 || rc=$?
	[ $rc -eq 0 ] || fail "disconnect at $pct%: exit $rc: $(cat d$pct.txt)"
	cmp -s d$pct.bin img.bin || fail "disconnect at $pct%: output differs from the flash"
	has d$pct.txt "The watch is back"
	has d$pct.txt "1 reconnect"
	has d$pct.txt "crossed the link for"
done

# never back, compressed (at 99% of the stream: the demo's first chunk holds most of its
# data, the rest is erased); the rerun reads the rest uncompressed ...
rc=0
"$MTKBAK" read -o n.bin --port "sim:img.bin,disconnect=$((wire * 99 / 100))" \
	--reconnect-timeout 1 >n.txt 2>&1 || rc=$?
[ $rc -eq 75 ] || fail "never back (auto): exit $rc, expected 75: $(cat n.txt)"
grep -q "^verified [1-9]" n.bin.part.state || fail "never back (auto): nothing verified"
rc=0
"$MTKBAK" read -o n.bin --port sim:img.bin --compress off >n2.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "rerun with --compress off: exit $rc: $(cat n2.txt)"
has n2.txt "Resuming"
has n2.txt "uncompressed (--compress off)"
cmp -s n.bin img.bin || fail "rerun with --compress off: output differs"
# ... and the other way round
rc=0
"$MTKBAK" read -o m.bin --port "sim:img.bin,disconnect=$((size / 2))" --compress off \
	--reconnect-timeout 1 >m.txt 2>&1 || rc=$?
[ $rc -eq 75 ] || fail "never back (off): exit $rc, expected 75: $(cat m.txt)"
rc=0
"$MTKBAK" read -o m.bin --port sim:img.bin >m2.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "rerun compressed: exit $rc: $(cat m2.txt)"
has m2.txt "Resuming"
has m2.txt "crossed the link for"
cmp -s m.bin img.bin || fail "rerun compressed: output differs"

# a 4 MiB chip read as 8 MiB: the second copy comes through the mirrored window
rc=0
"$MTKBAK" read -o long.bin --port sim:img.bin --length 8M >long.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "--length 8M of a 4M chip: exit $rc: $(cat long.txt)"
cat img.bin img.bin | cmp -s - long.bin || fail "--length 8M compressed is not the mirrored image"

# the BROM-only path says it cannot compress
rc=0
"$MTKBAK" read -o b.bin --port sim:img.bin --no-da --length 1M >b.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "--no-da: exit $rc: $(cat b.txt)"
has b.txt "cannot compress"

# pull: compressed by default, --compress off passed through; the result says which
for mode in auto off; do
	rc=0
	"$MTKBAK" pull --port sim:img.bin -o pull$mode --compress $mode --json >p$mode.json \
		2>p$mode.err || rc=$?
	[ $rc -eq 0 ] || fail "pull --compress $mode: exit $rc: $(cat p$mode.err)"
	cmp -s pull$mode/readback.bin img.bin || fail "pull --compress $mode: readback differs"
	python3 - p$mode.json $mode <<'EOF' || fail "pull --compress $mode: result"
import json, sys
res = [e for e in map(json.loads, open(sys.argv[1])) if e.get("event") == "result"]
assert len(res) == 1 and res[0]["compress"] == sys.argv[2], res
assert (res[0]["compressed_chunks"] > 0) == (sys.argv[2] == "auto"), res
EOF
done

# a bad --compress value is a usage error
rc=0
"$MTKBAK" read -o x.bin --port sim:img.bin --compress fast >x.txt 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "--compress fast: exit $rc, expected 2"
has x.txt "--compress must be auto or off"

# images built from the real MT6260A kit (corpus): 16 MiB (file system mostly erased) and
# 4 MiB (nearly full of firmware)
kit=${MTKBAK_CORPUS:-}/mt6260a-kids-phone
if [ -d "$kit" ]; then
	for s in 16M 4M; do
		"$fwimg" kit "$kit" --size $s -o kit$s.bin >/dev/null
		for mode in auto off; do
			rc=0
			"$MTKBAK" read -o k$s$mode.bin --port sim:kit$s.bin --compress $mode --json \
				>k$s$mode.json 2>k$s$mode.err || rc=$?
			[ $rc -eq 0 ] || fail "kit $s $mode: exit $rc: $(cat k$s$mode.err)"
			cmp -s k$s$mode.bin kit$s.bin || fail "kit $s $mode: output differs"
		done
		a=$(json_field k${s}auto.json wire_bytes)
		o=$(json_field k${s}off.json wire_bytes)
		[ "$a" -le "$o" ] || fail "kit $s: compressed $a bytes on the link, uncompressed $o"
	done
	[ "$(json_field k16Mauto.json wire_bytes)" -lt $((16 << 20 >> 1)) ] ||
		fail "kit 16M: not even half saved"
else
	echo "note: corpus not found ($kit): the kit images were not read"
fi

nor_log_empty
finish "all compressed read checks passed"
