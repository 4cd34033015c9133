#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Fault campaign for `mtkbak restore` on the simulated watch: N runs (default 40), each with a
# seeded fault (a power cut at a random erase/program, link bit flips, a lost byte, a cable
# drop after a random number of bytes, a worn sector), then, if it failed, the same command
# once more without the fault. Counts:
#   silent failure: a run that exits 0 (or prints "Restored") while the watch's flash differs
#                   from the image outside the regions it keeps: must be 0;
#   recovered:      failed with the fault, exact after the rerun;
#   clean:          succeeded despite the fault (the fault was survived, e.g. retried packets).
# Usage: bench/restore-faults.sh [BUILD_DIR] [N]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${MTKBAK_BUILD:-$here/build}}
n=${2:-40}
mtkbak=$build/mtkbak
fwimg=$build/tests/fwimg
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
"$fwimg" demo 4M good.bin
"$fwimg" corrupt good.bin -o watch.bin --fill 0x10000:0x90000:00 >/dev/null
silent=0 recovered=0 clean=0 stuck=0 unrecovered=0
for i in $(seq 1 "$n"); do
	r=$((i * 2654435761 % 1000003))
	case $((i % 5)) in
	0) fault="norcut=$((r % 200 + 1))" ;;
	1) fault="corrupt=$((r % 5000 + 2000)),corruptcount=3" ;;
	2) fault="drop=$((r % 3000000 + 1000))" ;;
	3) fault="disconnect=$((r % 4000000 + 1000))" ;;
	4) fault="norbad=$(((r % 144 + 16) * 4096))" ;;
	esac
	rm -f pre-restore-* restore-*.state*
	cp watch.bin w.bin
	rc=0
	"$mtkbak" restore good.bin --port "sim:w.bin,norspeed=200,seed=$i,save=w1.bin,$fault" --yes \
		--other-watch --with-nvram --timeout 5 >o1 2>&1 || rc=$?
	if [ $rc -eq 0 ] || grep -q "^Restored" o1; then
		if cmp -s good.bin w1.bin; then
			clean=$((clean + 1))
		else
			silent=$((silent + 1))
			echo "SILENT FAILURE: run $i ($fault): exit $rc, flash differs" >&2
		fi
		continue
	fi
	rc2=0
	"$mtkbak" restore good.bin --port "sim:w1.bin,norspeed=200,seed=$i,save=w2.bin" --yes \
		--other-watch --with-nvram --timeout 5 >o2 2>&1 || rc2=$?
	if [ $rc2 -eq 0 ] && cmp -s good.bin w2.bin; then
		recovered=$((recovered + 1))
	elif [[ $fault == norbad=* ]] && [ $rc -eq 1 ] && grep -q "does not hold" o1; then
		stuck=$((stuck + 1)) # a worn sector stays worn: reported, never claimed
	else
		unrecovered=$((unrecovered + 1))
		echo "run $i ($fault): exit $rc, rerun exit $rc2: $(tail -2 o2)" >&2
	fi
done
echo "restore fault campaign: $n runs: $silent silent failures, $clean clean, $recovered" \
	"recovered by a rerun, $stuck worn sectors reported, $unrecovered not recovered"
[ $silent -eq 0 ]
