#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# mtkbak read through a faulty link (simulated watch): bit flips on the wire (bad packets are
# re-requested), the cable pulled at 10%, 50% and 99% and plugged in again (the read goes on),
# a watch that never comes back (exit 75, FILE.part kept, the rerun finishes), a JEDEC ID
# that disagrees with the firmware and the mirror test, and a secure part (exit 77).
# Every finished read is compared byte for byte with the simulated flash.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/norlog_lib.sh"
need MTKBAK MTKBAK_BUILD
need_fwimg
cd "$tmp" || exit 1

"$fwimg" demo 4M img.bin
size=$(stat -c %s img.bin)

# bit flips on the wire: every 60000th byte the watch sends
rc=0
"$MTKBAK" read -o c.bin --port sim:img.bin,corrupt=60000 --json >c.json 2>c.err || rc=$?
[ $rc -eq 0 ] || fail "corrupt: exit $rc: $(cat c.err)"
cmp -s c.bin img.bin || fail "corrupt: output differs from the flash"
[ "$(json_field c.json packet_retries)" -gt 0 ] 2>/dev/null ||
	fail "corrupt: no packet was re-requested ($(json_field c.json packet_retries))"

# the cable pulled at 10%, 50% and 99% of the image, back after 300 ms. The simulator counts
# bytes it sent: the image offset plus the 256 KiB flash start read while sizing (reused in
# the file) and about 40 KiB of size probes and protocol. These positions count every flash
# byte, so the reads here are uncompressed (test_read_compress.sh: the same, compressed).
for pct in 10 50 99; do
	at=$((size * pct / 100 + 40 * 1024))
	rc=0
	"$MTKBAK" read -o d$pct.bin --port "sim:img.bin,disconnect=$at,replug=300" \
		--compress off --reconnect-timeout 10 >d$pct.txt 2>&1 || rc=$?
	[ $rc -eq 0 ] || fail "disconnect at $pct%: exit $rc: $(cat d$pct.txt)"
	cmp -s d$pct.bin img.bin || fail "disconnect at $pct%: output differs from the flash"
	has d$pct.txt "Plug the watch in again"
	has d$pct.txt "The watch is back"
	has d$pct.txt "1 reconnect"
done

# never back: exit 75, the verified part is kept; the same command then finishes it
rc=0
"$MTKBAK" read -o n.bin --port "sim:img.bin,disconnect=$((size / 2 + 40960))" \
	--compress off --reconnect-timeout 1 >n.txt 2>&1 || rc=$?
[ $rc -eq 75 ] || fail "never back: exit $rc, expected 75: $(cat n.txt)"
has n.txt "did not come back within 1 s"
has n.txt "kept in n.bin.part"
[ -e n.bin.part ] && [ -e n.bin.part.state ] || fail "never back: .part or its record missing"
[ ! -e n.bin ] || fail "never back: n.bin was written"
grep -q "^verified [1-9]" n.bin.part.state || fail "never back: nothing verified in the record"
rc=0
"$MTKBAK" read -o n.bin --port sim:img.bin >n2.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "rerun after never back: exit $rc: $(cat n2.txt)"
has n2.txt "Resuming"
cmp -s n.bin img.bin || fail "rerun after never back: output differs"

# a JEDEC ID that says 16 MiB on a 4 MiB chip (and is not in the firmware's list)
rc=0
"$MTKBAK" read -o jd.bin --port sim:img.bin,jedec=C84018 >jd.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "jedec mismatch: exit $rc: $(cat jd.txt)"
cmp -s jd.bin img.bin || fail "jedec mismatch: output differs (must be the real 4 MiB)"
has jd.txt "JEDEC ID C8 40 18, which stands for 16 MiB, but the data repeats every 4 MiB"
has jd.txt "does not contain"
has jd.txt "size from mirror test"

# a secure part refuses the agent: clear message, exit 77, nothing written
rc=0
"$MTKBAK" read -o s.bin --port sim:img.bin,secure >s.txt 2>&1 || rc=$?
[ $rc -eq 77 ] || fail "secure: exit $rc, expected 77: $(cat s.txt)"
has s.txt "secure part"
has s.txt "--no-da"
[ ! -e s.bin ] && [ ! -e s.bin.part ] || fail "secure: files were created"
# ... while the boot ROM alone still reads it
rc=0
"$MTKBAK" read -o s.bin --port sim:img.bin,secure --no-da >s2.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "secure --no-da: exit $rc: $(cat s2.txt)"
cmp -s s.bin img.bin || fail "secure --no-da: output differs"

# BROM-only through a noisy link: the double reads catch the flips
rc=0
"$MTKBAK" read -o nc.bin --port sim:img.bin,corrupt=200000 --no-da >nc.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "--no-da corrupt: exit $rc: $(cat nc.txt)"
cmp -s nc.bin img.bin || fail "--no-da corrupt: output differs"

nor_log_empty
finish "all read fault checks passed"
