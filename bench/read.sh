#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Benchmark of `mtkbak read` on a 16 MiB image (the simulated watch):
#   - with the agent uncompressed (--compress off), with --no-da, and with a broken agent
#     stream (agent=badstream: READ32 + the agent's CRC-32) over the USB full-speed
#     link model (sim option link=fs: at most 19 x 64-byte packets per 1 ms frame, every host
#     wait costs at least one frame; it counts every byte that crosses the wire), next to the
#     link-limited time 16 MiB / 1,216,000 B/s (target with the agent: within 10%);
#   - unthrottled (no link model), where only the host and the simulator count
#     (target: over 100 MB/s);
#   - the compressed READ (--compress auto, issue 16) on images built from the real MT6260A kit
#     (corpus): 16 MiB with its file system mostly erased (target: at most 6.9 s, half the raw
#     link time) and 4 MiB nearly full of firmware (target: never slower than --compress off,
#     within 2%); the bytes saved per region (tests/tools/zstat.c), and the agent's cost per
#     byte on the emulated ARM core (tests/unit/agent/test_agent_unicorn).
# Usage: bench/read.sh [BUILD_DIR]   (default: ./build; needs mtkbak and tests/fwimg built)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${MTKBAK_BUILD:-$here/build}}
mtkbak=$build/mtkbak
fwimg=$build/tests/fwimg
for f in "$mtkbak" "$fwimg"; do
	if [ ! -x "$f" ]; then
		echo "bench/read.sh: $f is missing: build first (cmake --build $build)" >&2
		exit 1
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$fwimg" demo 16M "$tmp/img.bin"
size=$(stat -c %s "$tmp/img.bin")

# run NAME PORT-OPTIONS [mtkbak options]: prints "total_seconds read_seconds bytes wall_seconds"
# (total: connection to verified file, from the JSON result; wall: the whole command)
run() {
	local name=$1 opts=$2 t0 t1
	shift 2
	rm -f "$tmp/$name.bin" "$tmp/$name.bin.part" "$tmp/$name.bin.part.state"
	t0=$(date +%s.%N)
	if ! "$mtkbak" read -o "$tmp/$name.bin" --port "sim:$tmp/img.bin$opts" --json "$@" \
		>"$tmp/$name.json" 2>"$tmp/$name.err"; then
		echo "bench/read.sh: $name failed:" >&2
		cat "$tmp/$name.err" >&2
		exit 1
	fi
	t1=$(date +%s.%N)
	if ! cmp -s "$tmp/$name.bin" "$tmp/img.bin"; then
		echo "bench/read.sh: $name: the image read differs from the flash" >&2
		exit 1
	fi
	python3 -c 'import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("event") == "read":
        print(e["seconds"], e["read_seconds"], e["bytes_transferred"], float(sys.argv[3]) - float(sys.argv[2]))' \
		"$tmp/$name.json" "$t0" "$t1"
}

read -r da_total da_read da_bytes da_wall < <(run agent ",link=fs" --compress off)
read -r nda_total nda_read nda_bytes nda_wall < <(run brom ",link=fs" --no-da)
# the agent answers but its READ stream does not work: READ32 once per block + its CRC-32
read -r bad_total bad_read bad_bytes bad_wall < <(run badstream ",link=fs,agent=badstream" --compress off)
read -r un_total un_read un_bytes un_wall < <(run fast "" --compress off)
read -r unn_total unn_read unn_bytes unn_wall < <(run fast_brom "" --no-da)
# the engine alone (file, CRC-32, SHA-256, bookkeeping) against an instant in-memory watch
engine=$("$build/tests/readback_test_readback_engine" 2>/dev/null | sed -n 's/.*host side only: //p' || true)

python3 - "$size" "$da_total" "$da_read" "$da_wall" "$nda_total" "$nda_read" "$nda_wall" \
	"$un_total" "$un_read" "$un_wall" "$unn_total" "$unn_read" "$unn_wall" "${engine:-n/a}" \
	"$bad_total" "$bad_wall" <<'EOF'
import sys
size = int(sys.argv[1])
(da_total, da_read, da_wall, nda_total, nda_read, nda_wall, un_total, un_read, un_wall,
 unn_total, unn_read, unn_wall) = map(float, sys.argv[2:14])
engine = sys.argv[14]
bad_total, bad_wall = map(float, sys.argv[15:17])
link = size / 1216000.0
mib = size / 1048576
def pct(t):
    return f"{100 * (t / link - 1):+.1f}%"
print(f"mtkbak read, {mib:.0f} MiB image, simulated watch")
print(f"  link limit (USB full speed, 1,216,000 B/s): {link:6.2f} s")
print(f"  agent (--compress off), link=fs: {da_total:6.2f} s to the verified file ({pct(da_total)}), "
      f"{da_wall:.2f} s whole command ({pct(da_wall)}), data phase {da_read:.2f} s")
print(f"  --no-da, link=fs: {nda_total:6.2f} s to the verified file ({nda_total / link:.2f}x the "
      f"link limit), {nda_wall:.2f} s whole command, data phase {nda_read:.2f} s")
print(f"  agent stream broken (agent=badstream), link=fs: {bad_total:6.2f} s to the verified file "
      f"({bad_total / link:.2f}x the link limit; READ32 once per block + the agent's CRC-32), "
      f"{bad_wall:.2f} s whole command")
print(f"  agent,  unthrottled: {un_wall:5.2f} s whole command = {size / un_wall / 1e6:6.1f} MB/s; "
      f"{size / un_total / 1e6:.1f} MB/s to the verified file; data phase "
      f"{size / un_read / 1e6:.1f} MB/s")
print(f"  --no-da, unthrottled: {unn_wall:5.2f} s whole command = {size / unn_wall / 1e6:6.1f} MB/s; "
      f"data phase {size / unn_read / 1e6:.1f} MB/s")
print(f"  readback engine alone (instant in-memory watch): {engine}")
print(f"  target: agent within 10% of the link limit: "
      f"{'met' if da_total <= link * 1.10 else 'MISSED'} (whole command: "
      f"{'met' if da_wall <= link * 1.10 else 'missed'})")
print(f"  target: host side over 100 MB/s (unthrottled data phase): "
      f"{'met' if size / un_read / 1e6 > 100 else 'MISSED'}")
EOF

# ---- the compressed READ (issue 16) ----
zstat=$build/tests/zstat
kit=${MTKBAK_CORPUS:-$here/../shared/corpus}/mt6260a-kids-phone
if [ ! -d "$kit" ]; then
	echo "compressed READ: the corpus kit ($kit) is missing: set MTKBAK_CORPUS; skipped"
	exit 0
fi
# zrun NAME IMAGE [mtkbak options]: "total_seconds wire_bytes wall_seconds"
zrun() {
	local name=$1 img=$2 t0 t1
	shift 2
	rm -f "$tmp/$name.bin" "$tmp/$name.bin.part" "$tmp/$name.bin.part.state"
	t0=$(date +%s.%N)
	if ! "$mtkbak" read -o "$tmp/$name.bin" --port "sim:$img,link=fs" --json "$@" \
		>"$tmp/$name.json" 2>"$tmp/$name.err"; then
		echo "bench/read.sh: $name failed:" >&2
		cat "$tmp/$name.err" >&2
		exit 1
	fi
	t1=$(date +%s.%N)
	cmp -s "$tmp/$name.bin" "$img" || {
		echo "bench/read.sh: $name differs" >&2
		exit 1
	}
	python3 -c 'import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("event") == "read":
        print(e["seconds"], e["wire_bytes"], float(sys.argv[3]) - float(sys.argv[2]))' \
		"$tmp/$name.json" "$t0" "$t1"
}
# regions from `mtkbak check`: code = boot loaders + ROM, resources = VIVA, file system = FAT/SDS
regions() {
	"$mtkbak" --json check "$1" 2>/dev/null | python3 -c 'import json,sys
d = json.load(sys.stdin)
imgs = {i["name"]: (int(i["offset"], 16), i["length"]) for i in d["images"]}
end = max(o + l for n, (o, l) in imgs.items() if n != "VIVA")
out = ["--region", "code:0:%d" % end]
if "VIVA" in imgs:
    out += ["--region", "resources:%d:%d" % imgs["VIVA"]]
for k in ("fat", "sds"):
    r = (d.get("regions") or {}).get(k)
    if r:
        out += ["--region", "fs:%d:%d" % (int(r["offset"], 16), r["length"])]
print(" ".join(out))'
}
"$fwimg" kit "$kit" --size 16M -o "$tmp/kit16.bin" >/dev/null
"$fwimg" kit "$kit" --size 4M -o "$tmp/kit4.bin" >/dev/null
read -r k16_t k16_w k16_wall < <(zrun k16 "$tmp/kit16.bin")
read -r k16o_t k16o_w k16o_wall < <(zrun k16off "$tmp/kit16.bin" --compress off)
read -r k4_t k4_w k4_wall < <(zrun k4 "$tmp/kit4.bin")
read -r k4o_t k4o_w k4o_wall < <(zrun k4off "$tmp/kit4.bin" --compress off)
python3 - "$k16_t" "$k16_w" "$k16o_t" "$k16o_w" "$k4_t" "$k4_w" "$k4o_t" "$k4o_w" \
	"$k16_wall" "$k4_wall" "$k4o_wall" <<'EOF'
import sys
(k16_t, k16_w, k16o_t, k16o_w, k4_t, k4_w, k4o_t, k4o_w, k16_wall, k4_wall,
 k4o_wall) = map(float, sys.argv[1:])
l16, l4 = 16 * 1048576 / 1216000.0, 4 * 1048576 / 1216000.0
print("compressed READ, images from the MT6260A kit (corpus), link=fs")
print(f"  link limit for the raw bytes: 16 MiB {l16:.2f} s, 4 MiB {l4:.2f} s")
print(f"  16 MiB (file system mostly erased): {k16_t:6.2f} s compressed ({k16_w / 1e6:.2f} MB on "
      f"the link; whole command {k16_wall:.2f} s), {k16o_t:6.2f} s --compress off "
      f"({k16o_w / 1e6:.2f} MB); {l16 / k16_t:.2f}x faster than the link limit")
print(f"  4 MiB (nearly full of firmware):    {k4_t:6.2f} s compressed ({k4_w / 1e6:.2f} MB), "
      f"{k4o_t:6.2f} s --compress off ({k4o_w / 1e6:.2f} MB): {100 * (k4_t / k4o_t - 1):+.1f}%; "
      f"whole command {k4_wall:.2f} s vs {k4o_wall:.2f} s")
print(f"  target: 16 MiB in at most 6.9 s: {'met' if k16_t <= 6.9 else 'MISSED'}")
print(f"  target: 4 MiB never slower than --compress off (within 2%): "
      f"{'met' if k4_t <= k4o_t * 1.02 else 'MISSED'}")
EOF
if [ -x "$zstat" ]; then
	for img in kit16 kit4; do
		echo "bytes saved per region, $img.bin (4 KiB packets; wire = header, payload, CRC):"
		# shellcheck disable=SC2046
		"$zstat" "$tmp/$img.bin" $(regions "$tmp/$img.bin") | sed 's/^/  /'
	done
fi
uni=$(find "$build/tests" -name agent_test_agent_unicorn -type f 2>/dev/null | head -1)
if [ -n "$uni" ]; then
	echo "the agent's cost on the emulated ARM926 (Unicorn; instructions = executed Thumb code / 2):"
	MTKBAK_CORPUS=${MTKBAK_CORPUS:-$here/../shared/corpus} "$uni" 2>/dev/null |
		grep '^# emulated agent,' | awk '!seen[$0]++' | sed 's/^# /  /' ||
		echo "  (skipped: no Unicorn or corpus)"
	echo "  to keep up with 1,216,000 B/s the agent needs (instructions per byte x 1.216) MIPS"
fi
