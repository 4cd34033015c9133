#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Benchmark: `mtkbak check` and `mtkbak extract` of a 16 MiB dump next to a plain `cp` of the
# same file, in the same run and on the same disk, with peak memory (GNU time).
# Targets (issue 2): extract within 2x the time of cp; peak RSS <= dump size + 8 MiB.
#   bench/extract.sh [BUILD_DIR]      default ./build (configured and built when missing)
#   MTKBAK_BENCH_RUNS=N               repetitions, the median is shown (default 9)
#   MTKBAK_CORPUS=DIR                 use the real MT6260A kit (else the 16 MiB demo image)
# It prints figures; it does not fail when a target is missed (it is not a timed test).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
runs=${MTKBAK_BENCH_RUNS:-9}
TIME=/usr/bin/time

if [ ! -x "$TIME" ]; then
	echo "bench: needs GNU time for the peak memory: apt-get install time" >&2
	exit 1
fi
if [ ! -x "$build/mtkbak" ] || [ ! -x "$build/tests/fwimg" ]; then
	cmake -S "$src" -B "$build" >/dev/null
	cmake --build "$build" -j2 --target mtkbak fwimg >/dev/null
fi
work=$(mktemp -d "$build/bench.XXXXXX") # on the disk a real kit would go to
trap 'rm -rf "$work"' EXIT

corpus=${MTKBAK_CORPUS:-$src/../shared/corpus}/mt6260a-kids-phone
if [ -f "$corpus/MAUI" ]; then
	"$build/tests/fwimg" kit "$corpus" --size 16M -o "$work/dump.bin"
	what="the real MT6260A kit placed in a 16 MiB flash (FAT 3 MiB)"
else
	"$build/tests/fwimg" demo 16M "$work/dump.bin"
	what="the 16 MiB demo firmware (FAT 11 MiB)"
fi
size=$(stat -c %s "$work/dump.bin")
cat "$work/dump.bin" >/dev/null # page cache warm for every contender

# Each contender runs $runs times in turn; wall and CPU time (user + sys, from wait4()) of each
# run; the median is shown. Peak RSS from GNU time.
python3 - "$work" "$runs" "$build/mtkbak" "$size" "$what" <<'PY'
import os, shutil, statistics, subprocess, sys, time

work, runs, mtkbak, size, what = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
dump, copy, kit = f"{work}/dump.bin", f"{work}/copy", f"{work}/kit"

def clean():
    if os.path.exists(copy):
        os.remove(copy)
    shutil.rmtree(kit, ignore_errors=True)

contenders = [
    ("cp", ["cp", dump, copy]),
    ("cp + sync", ["sh", "-c", f"cp '{dump}' '{copy}' && sync '{copy}'"]),
    ("mtkbak check", [mtkbak, "check", dump]),
    ("mtkbak extract", [mtkbak, "extract", dump, "-o", kit]),
]
res = {name: [] for name, _ in contenders}
for _ in range(runs):
    for name, cmd in contenders:
        clean()
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = (time.perf_counter() - t0) * 1000
        p.returncode = os.waitstatus_to_exitcode(status)
        if name.startswith("mtkbak") and p.returncode != 0:
            sys.exit(f"bench: {' '.join(cmd)} exited {p.returncode}")
        res[name].append((wall, (ru.ru_utime + ru.ru_stime) * 1000))
med = {n: tuple(statistics.median(r[i] for r in v) for i in range(2)) for n, v in res.items()}
# peak RSS from GNU time (a wait4 after Python's fork would report Python's own size for cp)
rss = {}
for name, cmd in contenders:
    clean()
    subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f"{work}/rss", *cmd],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rss[name] = int(open(f"{work}/rss").read().split()[-1])
clean()
subprocess.run([mtkbak, "extract", dump, "-o", kit], stdout=subprocess.DEVNULL, check=True)
kit_bytes = sum(os.path.getsize(os.path.join(kit, f)) for f in os.listdir(kit))
print(f"dump: {size >> 20} MiB, {what}; kit written: {kit_bytes / 1048576:.1f} MiB")
print(f"median of {runs} runs (wall includes process start; cpu = user + sys):")
cw, cc = med["cp"]
for name, _ in contenders:
    w, c = med[name]
    r = rss[name]
    print(f"  {name:15} wall {w:7.1f} ms ({w / cw:4.2f}x cp)   cpu {c:6.1f} ms   peak RSS {r / 1024:5.1f} MiB")
print("  (extract writes every file into a temporary folder, fsyncs them, renames the folder)")
ew, er = med["mtkbak extract"][0], rss["mtkbak extract"]
limit = size / 1024 + 8192
print(f"targets: extract wall <= 2x cp: {'met' if ew <= 2 * cw else 'MISSED'} ({ew / cw:.2f}x); "
      f"extract peak RSS <= dump + 8 MiB: {'met' if er <= limit else 'MISSED'} "
      f"({er / 1024:.1f} of {limit / 1024:.1f} MiB)")
PY
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
