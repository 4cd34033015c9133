#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Benchmark of `mtkbak restore` on a 16 MiB image, the simulated watch with the NOR model's
# typical W25Q128JV timings (real time) and the USB full-speed link model (link=fs):
#   - full: a watch whose whole flash differs (every sector written);
#   - rom: a watch whose ROM region (384 KiB) differs;
#   each next to the part's own lower bound: the typical erase time of every erase command
#   the watch received (its nor_log) + the typical program time of every 256-byte page
#   programmed, as whole pages; and that bound plus the USB time of the programmed sectors'
#   bytes at 1,216,000 B/s (restore does not overlap transfer and programming; the
#   simulator's link model only throttles device-to-host, so this part is not in the
#   measured time). Target: the write phase within 1.3x of the bound.
#   - unchanged: a restore onto a watch that already holds the image, next to one verified
#     `mtkbak read` of it. Target: within 1.2x.
# Usage: bench/restore.sh [BUILD_DIR]   (default ./build; needs mtkbak and tests/fwimg)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${MTKBAK_BUILD:-$here/build}}
mtkbak=$build/mtkbak
fwimg=$build/tests/fwimg
for f in "$mtkbak" "$fwimg"; do
	[ -x "$f" ] || {
		echo "bench/restore.sh: $f is missing: build first" >&2
		exit 1
	}
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
"$fwimg" demo 16M img.bin
"$fwimg" corrupt img.bin -o full.bin --fill 0:0x1000000:00 >/dev/null
"$fwimg" corrupt img.bin -o rom.bin --fill 0x10000:0x60000:00 >/dev/null

# run NAME WATCH-IMAGE: prints "total_ms write_ms"
run() {
	local name=$1 watch=$2
	rm -f pre-restore-* restore-*.state
	if ! "$mtkbak" --json restore img.bin --port "sim:$watch,link=fs,save=$name.out,nor_log=$name.log" \
		--yes --other-watch --with-nvram >"$name.json" 2>"$name.err"; then
		echo "bench/restore.sh: $name failed:" >&2
		cat "$name.err" >&2
		exit 1
	fi
	cmp -s img.bin "$name.out" || {
		echo "bench/restore.sh: $name: the watch does not hold the image" >&2
		exit 1
	}
	python3 -c 'import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("event") == "result":
        print(e["ms"], e["write_ms"])' "$name.json"
}

read -r full_ms full_w < <(run full full.bin)
read -r rom_ms rom_w < <(run rom rom.bin)
read -r same_ms same_w < <(run same img.bin)
t0=$(date +%s%N)
"$mtkbak" read -o read.bin --port "sim:img.bin,link=fs" >read.out 2>&1
read_ms=$((($(date +%s%N) - t0) / 1000000))

python3 - "$full_w" "$rom_w" "$same_ms" "$read_ms" "$full_ms" "$rom_ms" <<'EOF'
import sys
full_w, rom_w, same_ms, read_ms, full_ms, rom_ms = map(float, sys.argv[1:])
# W25Q128JV typical: tSE 45 ms, tBE1 120 ms, tBE2 150 ms, tPP (256 bytes) 0.4 ms
erase_ms = {"20": 45.0, "52": 120.0, "D8": 150.0}
def bound(log):
    ms, pages, sectors = 0.0, set(), set()
    for line in open(log):
        op, addr, n = line.split()
        a = int(addr, 16)
        if op in erase_ms:
            ms += erase_ms[op]
        elif op == "02":
            pages.add(a // 256)
            sectors.add(a // 4096)
    usb_ms = len(sectors) * (4096 + 17) / 1216000.0 * 1000
    return ms + len(pages) * 0.4, usb_ms, len(pages), len(sectors)
for name, w, total in (("full", full_w, full_ms), ("rom", rom_w, rom_ms)):
    b, usb, pages, secs = bound(name + ".log")
    print(f"{name:9s} write phase {w/1000:7.2f} s; the part's erase + program time "
          f"{b/1000:7.2f} s ({pages} pages in {secs} sectors): {w/b:.2f}x (target 1.3x); "
          f"+ USB time of the programmed bytes {(b+usb)/1000:.2f} s: {w/(b+usb):.2f}x; "
          f"whole command {total/1000:.1f} s incl. the 16 MiB undo image")
print("(the simulator's link model throttles device-to-host bytes only, so the second "
      "ratio is what a real link would add, not what was measured)")
print(f"unchanged restore {same_ms/1000:.2f} s vs one verified read {read_ms/1000:.2f} s: "
      f"{same_ms/read_ms:.2f}x (target 1.2x)")
EOF
