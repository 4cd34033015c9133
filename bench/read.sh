#!/usr/bin/env bash
# Benchmark of `mtkbak read` on a 16 MiB image (the simulated watch):
#   - with the agent, with --no-da, and with a broken agent stream (agent=badstream: READ32 + the
#     agent's CRC-32) over the USB full-speed link model (sim option link=fs:
#     at most 19 x 64-byte packets per 1 ms frame, every host wait costs at least one frame),
#     next to the link-limited time 16 MiB / 1,216,000 B/s (target with the agent: within 10%);
#   - unthrottled (no link model), where only the host and the simulator count
#     (target: over 100 MB/s).
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

read -r da_total da_read da_bytes da_wall < <(run agent ",link=fs")
read -r nda_total nda_read nda_bytes nda_wall < <(run brom ",link=fs" --no-da)
# the agent answers but its READ stream does not work: READ32 once per block + its CRC-32
read -r bad_total bad_read bad_bytes bad_wall < <(run badstream ",link=fs,agent=badstream")
read -r un_total un_read un_bytes un_wall < <(run fast "")
read -r unn_total unn_read unn_bytes unn_wall < <(run fast_brom "" --no-da)
# the engine alone (file, CRC-32, SHA-256, bookkeeping) against an instant in-memory watch
engine=$("$build/tests/test_readback_engine" 2>/dev/null | sed -n 's/.*host side only: //p' || true)

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
print(f"  agent,  link=fs: {da_total:6.2f} s to the verified file ({pct(da_total)}), "
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
