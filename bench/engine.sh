#!/usr/bin/env bash
# Benchmark of the simulated watch's execution engine: the unthrottled time of a 16 MiB
# `mtkbak pull` (no link model) through mtkbak's agent binary on the emulated ARM core with
# the real boot ROM (sim option rom=), next to the same pull with the agent's C core (the
# default fast path), measured in the same run. Target: the engine's pull under 20 s.
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
"$fwimg" demo 16M "$tmp/img.bin" >/dev/null

# run NAME PORT-OPTIONS: prints "wall cpu" seconds of the whole pull; checks the readback
run() {
	local name=$1 opts=$2
	rm -rf "$tmp/$name"
	if ! python3 - "$mtkbak" "$tmp/$name" "sim:$tmp/img.bin$opts" "$tmp/$name.out" <<'PY'; then
import resource, subprocess, sys, time
t0 = time.monotonic()
with open(sys.argv[4], "w") as out:
    rc = subprocess.call([sys.argv[1], "pull", "-o", sys.argv[2], "--port", sys.argv[3]],
                         stdout=out, stderr=subprocess.STDOUT)
wall = time.monotonic() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{wall:.2f} {ru.ru_utime + ru.ru_stime:.2f}")
sys.exit(rc)
PY
		echo "bench/engine.sh: $name failed:" >&2
		cat "$tmp/$name.out" >&2
		exit 1
	fi
	if ! cmp -s "$tmp/$name/readback.bin" "$tmp/img.bin"; then
		echo "bench/engine.sh: $name: the readback differs from the flash" >&2
		exit 1
	fi
}

read -r c_model c_cpu < <(run cmodel "")
read -r eng61 e61_cpu < <(run eng61 ",rom=$corpus/brom/MT6261-bootrom.bin,engine_log=$tmp/e61.log")
read -r eng60 e60_cpu < <(run eng60 ",chip=mt6260,rom=$corpus/brom/MT6260-bootrom.bin,engine_log=$tmp/e60.log")
grep -q 'run over (the watch reset)' "$tmp/e61.log" || { cat "$tmp/e61.log"; exit 1; }
python3 - "$c_model" "$c_cpu" "$eng61" "$e61_cpu" "$eng60" "$e60_cpu" "$(nproc)" \
	"$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import sys
c, c_cpu, e61, e61_cpu, e60, e60_cpu = map(float, sys.argv[1:7])
size = 16 * 1048576
print("mtkbak pull, 16 MiB image, simulated watch, unthrottled (no link model)")
print("  (wall = the whole command; cpu = user + sys of mtkbak, both threads)")
print(f"  agent's C core (default):               wall {c:6.2f} s  cpu {c_cpu:6.2f} s  {size / c / 1e6:6.1f} MB/s")
print(f"  agent binary on the engine, MT6261 ROM: wall {e61:6.2f} s  cpu {e61_cpu:6.2f} s  {size / e61 / 1e6:6.1f} MB/s")
print(f"  agent binary on the engine, MT6260 ROM: wall {e60:6.2f} s  cpu {e60_cpu:6.2f} s  {size / e60 / 1e6:6.1f} MB/s")
ok = max(e61, e60) < 20
print(f"target: engine pull under 20 s wall: {'met' if ok else 'MISSED'}"
      f" (cpu: {'under' if max(e61_cpu, e60_cpu) < 20 else 'over'} 20 s)")
print(f"machine: {sys.argv[7]} cores, load average {sys.argv[8]} (other jobs share the cores)")
PY
