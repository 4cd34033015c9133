#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Benchmark of the simulated watch's execution engine: the unthrottled time of a 16 MiB
# `mtkbak pull` (no link model) through mtkbak's agent binary on the emulated ARM core with
# the real boot ROM (sim option rom=), next to the same pull with the agent's C core (the
# default fast path), measured in the same run; and a `read` of 16 MiB of random bytes, where
# the agent's compression saves nothing. Target: the engine's pull under 20 s.
# Usage: bench/engine.sh [BUILD_DIR]   (default: ./build; needs mtkbak and tests/fwimg built,
#        and the boot-ROM dumps in ../shared/corpus/brom or $MTKBAK_CORPUS/brom)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${MTKBAK_BUILD:-$here/build}}
corpus=${MTKBAK_CORPUS:-$here/../shared/corpus}
mtkbak=$build/mtkbak
fwimg=$build/tests/fwimg
for f in "$mtkbak" "$fwimg"; do
	if [ ! -x "$f" ]; then
		echo "bench/engine.sh: $f is missing: build first (cmake --build $build)" >&2
		exit 1
	fi
done
for c in MT6261 MT6260; do
	if [ ! -r "$corpus/brom/$c-bootrom.bin" ]; then
		echo "bench/engine.sh: no $corpus/brom/$c-bootrom.bin (set MTKBAK_CORPUS)" >&2
		exit 1
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$fwimg" demo 16M "$tmp/demo.bin" >/dev/null
# random bytes: nothing to compress, every byte crosses the link (the worst case)
head -c 16777216 /dev/urandom >"$tmp/random.bin"

# run NAME IMAGE PORT-OPTIONS: prints "wall cpu" seconds of the whole command (pull; read for
# random bytes, which are no firmware to build a kit of); checks the readback
run() {
	local name=$1 img=$2 opts=$3 cmd=pull
	[ "$img" = random ] && cmd=read
	rm -rf "$tmp/$name"
	if ! python3 - "$mtkbak" "$tmp/$name" "sim:$tmp/$img.bin$opts" "$tmp/$name.out" "$cmd" <<'PY'; then
import resource, subprocess, sys, time
t0 = time.monotonic()
with open(sys.argv[4], "w") as out:
    out_path = sys.argv[2] if sys.argv[5] == "pull" else sys.argv[2] + ".bin"
    rc = subprocess.call([sys.argv[1], sys.argv[5], "-o", out_path, "--port", sys.argv[3]],
                         stdout=out, stderr=subprocess.STDOUT)
wall = time.monotonic() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{wall:.2f} {ru.ru_utime + ru.ru_stime:.2f}")
sys.exit(rc)
PY
		echo "bench/engine.sh: $name failed:" >&2
		cat "$tmp/$name.out" >&2
		kill $$ # (run is called in a subshell)
		exit 1
	fi
	local got="$tmp/$name/readback.bin"
	[ "$cmd" = read ] && got="$tmp/$name.bin"
	if ! cmp -s "$got" "$tmp/$img.bin"; then
		echo "bench/engine.sh: $name: the readback differs from the flash" >&2
		kill $$
		exit 1
	fi
}

read -r c_model c_cpu < <(run cmodel demo "")
read -r eng61 e61_cpu < <(run eng61 demo ",rom=$corpus/brom/MT6261-bootrom.bin,engine_log=$tmp/e61.log")
read -r eng60 e60_cpu < <(run eng60 demo ",chip=mt6260,rom=$corpus/brom/MT6260-bootrom.bin,engine_log=$tmp/e60.log")
read -r c_rnd c_rnd_cpu < <(run cmodel_rnd random "")
read -r eng_rnd eng_rnd_cpu < <(run eng61_rnd random ",rom=$corpus/brom/MT6261-bootrom.bin")
grep -q 'run over (the watch reset)' "$tmp/e61.log" || { cat "$tmp/e61.log"; exit 1; }
python3 - "$c_model" "$c_cpu" "$eng61" "$e61_cpu" "$eng60" "$e60_cpu" "$c_rnd" "$c_rnd_cpu" \
	"$eng_rnd" "$eng_rnd_cpu" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import sys
c, c_cpu, e61, e61_cpu, e60, e60_cpu, cr, cr_cpu, er, er_cpu = map(float, sys.argv[1:11])
size = 16 * 1048576
print("mtkbak pull, 16 MiB image, simulated watch, unthrottled (no link model)")
print("  (wall = the whole command; cpu = user + sys of mtkbak, both threads)")
print("  the demo firmware (partly erased: the agent's compressed READ sends less):")
print(f"    agent's C core (default):               wall {c:6.2f} s  cpu {c_cpu:6.2f} s  {size / c / 1e6:6.1f} MB/s")
print(f"    agent binary on the engine, MT6261 ROM: wall {e61:6.2f} s  cpu {e61_cpu:6.2f} s  {size / e61 / 1e6:6.1f} MB/s")
print(f"    agent binary on the engine, MT6260 ROM: wall {e60:6.2f} s  cpu {e60_cpu:6.2f} s  {size / e60 / 1e6:6.1f} MB/s")
print("  random bytes, mtkbak read (every byte crosses the link):")
print(f"    agent's C core (default):               wall {cr:6.2f} s  cpu {cr_cpu:6.2f} s  {size / cr / 1e6:6.1f} MB/s")
print(f"    agent binary on the engine, MT6261 ROM: wall {er:6.2f} s  cpu {er_cpu:6.2f} s  {size / er / 1e6:6.1f} MB/s")
worst = max(e61, e60, er)
print(f"target: engine pull under 20 s wall: {'met' if worst < 20 else 'MISSED'} (slowest {worst:.2f} s;"
      f" cpu {'under' if max(e61_cpu, e60_cpu, er_cpu) < 20 else 'over'} 20 s)")
print(f"machine: {sys.argv[11]} cores, load average {sys.argv[12]} (other jobs share the cores)")
PY
