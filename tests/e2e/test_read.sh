#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# mtkbak read against the simulated watch: 4, 8 and 16 MiB demo images with --length auto
# (a 4 MiB chip is read through the 16 MiB window, where the simulator mirrors it), BROM-only
# (--no-da), --length, the JSON result, an existing output, and command-line errors.
# Every image read is compared byte for byte with the simulated flash.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/norlog_lib.sh"
need MTKBAK MTKBAK_BUILD
need_fwimg
cd "$tmp" || exit 1

for size in 4M 8M 16M; do
	"$fwimg" demo $size img$size.bin
	# the same read uncompressed (--compress off) first: the same bytes, more of them on the link
	rc=0
	"$MTKBAK" read -o off$size.bin --port sim:img$size.bin --compress off --json \
		>off$size.json 2>off$size.err || rc=$?
	[ $rc -eq 0 ] || fail "--compress off read of the $size image: exit $rc: $(cat off$size.err)"
	cmp -s off$size.bin img$size.bin || fail "--compress off read of the $size image differs"
	[ "$(json_field off$size.json compress)" = off ] || fail "--compress off: not reported"
	rc=0
	"$MTKBAK" read -o out$size.bin --port sim:img$size.bin >log$size.txt 2>&1 || rc=$?
	[ $rc -eq 0 ] || fail "read of the $size image: exit $rc: $(cat log$size.txt)"
	cmp -s out$size.bin img$size.bin || fail "read of the $size image differs from the flash"
	has log$size.txt "crossed the link for"
	has log$size.txt "reading ${size%M} MiB"
	has log$size.txt "the same CRC-32 the watch computed"
	[ ! -e out$size.bin.part ] || fail "out$size.bin.part left behind"
	[ ! -e out$size.bin.part.state ] || fail "out$size.bin.part.state left behind"
	sha=$(sha256sum img$size.bin | cut -d' ' -f1)
	has log$size.txt "SHA-256:  $sha"
done
# the 4 MiB chip: the mirror test agrees with the JEDEC ID
has log4M.txt "confirmed by SFDP and the mirror test"

# JSON: one result object with the size evidence and the checksums
rc=0
"$MTKBAK" read -o j.bin --port sim:img4M.bin --json >j.json 2>j.err || rc=$?
[ $rc -eq 0 ] || fail "read --json: exit $rc: $(cat j.err)"
cmp -s j.bin img4M.bin || fail "read --json output differs"
python3 - "$tmp/j.json" "$tmp/img4M.bin" <<'EOF' || fail "JSON result"
import json, sys, hashlib, zlib
events = [json.loads(l) for l in open(sys.argv[1])]
res = [e for e in events if e["event"] == "read"]
assert len(res) == 1, events
r = res[0]
data = open(sys.argv[2], "rb").read()
assert r["size"] == len(data) == 4 << 20, r
assert r["size_source"] == "jedec", r
assert r["jedec"] == "c84016", r
assert r["mirror_size"] == 4 << 20, r
assert r["device_crc_checked"] is True, r
assert r["crc32"] == "0x%08X" % zlib.crc32(data), r
assert r["sha256"] == hashlib.sha256(data).hexdigest(), r
assert r["no_da"] is False and r["resumed"] is False, r
# compressed by default: every flash byte went as a raw, erased or LZ4 packet, and fewer bytes
# crossed the link than the flash holds (the demo flash is mostly erased)
assert r["compress"] == "auto" and r["compressed_chunks"] > 0, r
kinds = r["raw_packet_bytes"] + r["erased_packet_bytes"] + r["lz4_packet_bytes"]
assert kinds == r["bytes_transferred"], r
assert r["erased_packet_bytes"] > 0 and r["lz4_packet_bytes"] > 0, r
assert 0 < r["wire_bytes"] < r["bytes_transferred"] // 2, r
assert any(e["event"] == "state" for e in events)
EOF

# BROM-only: READ32 words back to flash bytes, every block read twice
rc=0
"$MTKBAK" read -o nda.bin --port sim:img4M.bin --no-da >nda.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "read --no-da: exit $rc: $(cat nda.txt)"
cmp -s nda.bin img4M.bin || fail "read --no-da differs from the flash"
has nda.txt "reading through"
has nda.txt "every block read twice"
has nda.txt "mirror test: the data repeats every 4 MiB"
grep -q "Starting mtkbak's agent" nda.txt && fail "--no-da started the agent"

# --length: exactly that many bytes; a length beyond the chip is warned about
rc=0
"$MTKBAK" read -o len.bin --port sim:img8M.bin --length 1M >len.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "read --length 1M: exit $rc: $(cat len.txt)"
head -c 1048576 img8M.bin | cmp -s - len.bin || fail "--length 1M output differs"
rc=0
"$MTKBAK" read -o long.bin --port sim:img4M.bin --length 8M >long.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "read --length 8M of a 4M chip: exit $rc"
has long.txt "copies of the start"
cat img4M.bin img4M.bin | cmp -s - long.bin || fail "--length 8M of a 4M chip is not the mirrored image"

# an existing output is kept unless --force
echo keep >exists.bin
rc=0
"$MTKBAK" read -o exists.bin --port sim:img4M.bin >ex.txt 2>&1 || rc=$?
[ $rc -eq 73 ] || fail "existing output: exit $rc, expected 73"
has ex.txt "exists.bin already exists"
has ex.txt "--force"
[ "$(cat exists.bin)" = keep ] || fail "existing output was changed"
rc=0
"$MTKBAK" read -o exists.bin --port sim:img4M.bin --force >ex2.txt 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "--force: exit $rc"
cmp -s exists.bin img4M.bin || fail "--force output differs"

# command-line errors
rc=0
"$MTKBAK" read --port sim:img4M.bin >u1.txt 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "missing -o: exit $rc"
has u1.txt "-o FILE"
rc=0
"$MTKBAK" read -o x.bin --port sim:img4M.bin --length 5G >u2.txt 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "bad --length: exit $rc"
has u2.txt "--length"
rc=0
"$MTKBAK" read -o x.bin --port sim:img4M.bin --length 4097 >u3.txt 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "odd --length: exit $rc"
[ ! -e x.bin ] && [ ! -e x.bin.part ] || fail "a usage error created files"
"$MTKBAK" read --help | grep -q -- "--no-da" || fail "read --help"

# no watch: exit 69 with the boot-key hint
rc=0
"$MTKBAK" read -o none.bin --port sim:img4M.bin,plug=60000 --timeout 0.5 >none.txt 2>&1 || rc=$?
[ $rc -eq 69 ] || fail "no watch: exit $rc, expected 69: $(cat none.txt)"
has none.txt "boot key"
[ ! -e none.bin.part ] || fail "no watch: a .part was created"

# an output folder that does not exist: exit 73 (cannot create), nothing left behind
rc=0
"$MTKBAK" read -o nodir/out.bin --port sim:img4M.bin >nodir.txt 2>&1 || rc=$?
[ $rc -eq 73 ] || fail "missing output folder: exit $rc (want 73): $(cat nodir.txt)"
has nodir.txt "nodir"
[ -e nodir ] && fail "missing output folder: something was created"

nor_log_empty
finish "all read checks passed"
