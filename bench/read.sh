#!/usr/bin/env bash
# Benchmark of `mtkbak read` on a 16 MiB image (the simulated watch):
#   - with the agent and with --no-da over the USB full-speed link model (sim option link=fs:
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

# run NAME PORT-OPTIONS [mtkbak options]: prints "total_seconds read_seconds bytes"
run() {
	local name=$1 opts=$2
	shift 2
	rm -f "$tmp/$name.bin" "$tmp/$name.bin.part" "$tmp/$name.bin.part.state"
	if ! "$mtkbak" read -o "$tmp/$name.bin" --port "sim:$tmp/img.bin$opts" --json "$@" \
		>"$tmp/$name.json" 2>"$tmp/$name.err"; then
		echo "bench/read.sh: $name failed:" >&2
		cat "$tmp/$name.err" >&2
		exit 1
	fi
	if ! cmp -s "$tmp/$name.bin" "$tmp/img.bin"; then
		echo "bench/read.sh: $name: the image read differs from the flash" >&2
		exit 1
	fi
	python3 -c 'import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("event") == "read":
        print(e["seconds"], e["read_seconds"], e["bytes_transferred"])' "$tmp/$name.json"
}

read -r da_total da_read da_bytes < <(run agent ",link=fs")
read -r nda_total nda_read nda_bytes < <(run brom ",link=fs" --no-da)
read -r un_total un_read un_bytes < <(run fast "")
read -r unr_total unr_read unr_bytes < <(run fast_noreboot "" --no-reboot)
read -r unn_total unn_read unn_bytes < <(run fast_brom "" --no-da)

python3 - "$size" "$da_total" "$da_read" "$nda_total" "$nda_read" "$un_total" "$un_read" \
	"$un_bytes" "$unr_total" "$unn_total" "$unn_read" <<'EOF'
import sys
size = int(sys.argv[1])
da_total, da_read, nda_total, nda_read, un_total, un_read = map(float, sys.argv[2:8])
un_bytes = int(sys.argv[8])
unr_total, unn_total, unn_read = map(float, sys.argv[9:12])
link = size / 1216000.0
mib = size / 1048576
print(f"mtkbak read, {mib:.0f} MiB image, simulated watch")
print(f"  link-limited time (USB full speed, 1,216,000 B/s):  {link:6.2f} s")
print(f"  with the agent, link=fs:   {da_total:6.2f} s total ({100 * (da_total / link - 1):+.1f}% vs link limit),"
      f" data phase {da_read:.2f} s ({100 * (da_read / link - 1):+.1f}%)")
print(f"  --no-da (BROM READ32 x2), link=fs: {nda_total:6.2f} s total ({nda_total / link:.2f}x link limit),"
      f" data phase {nda_read:.2f} s")
print(f"  unthrottled, agent:        {un_total:6.2f} s total = {size / un_total / 1e6:6.1f} MB/s;"
      f" data phase {size / un_read / 1e6:6.1f} MB/s")
print(f"  unthrottled, agent, --no-reboot: {unr_total:6.2f} s total = {size / unr_total / 1e6:6.1f} MB/s")
print(f"  unthrottled, --no-da:      {unn_total:6.2f} s total = {size / unn_total / 1e6:6.1f} MB/s;"
      f" data phase {size / unn_read / 1e6:6.1f} MB/s")
ok_link = da_total <= link * 1.10
ok_host = size / un_read / 1e6 > 100
print(f"  target agent within 10% of the link limit: {'met' if ok_link else 'MISSED'}")
print(f"  target host side > 100 MB/s (unthrottled data phase): {'met' if ok_host else 'MISSED'}")
EOF
