#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A short seeded slice of the fault campaign (tests/campaign/campaign.py): random read/pull
# runs over every simulator fault, SIGINT/SIGKILL and rerun, a quarter on the ASan+UBSan build
# when ./build-asan has one. Fails on any silent corruption, hang, crash, resume mismatch or
# flash write. A minute or two; the long run is in doc/testing.md.
#   MTKBAK_CAMPAIGN_RUNS  runs (default 40)     MTKBAK_CAMPAIGN_SEED  seed (default 13)
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${MTKBAK_BUILD:-$src/build}
if [ ! -x "$build/mtkbak" ] || [ ! -x "$build/tests/fwimg" ]; then
	echo "campaign: $build/mtkbak or $build/tests/fwimg is not built (./do build with tests)" >&2
	exit 77
fi
asan=()
[ -x "$src/build-asan/mtkbak" ] && asan=(--asan "$src/build-asan/mtkbak")
exec python3 "$src/tests/campaign/campaign.py" --mtkbak "$build/mtkbak" "${asan[@]}" \
	--fwimg "$build/tests/fwimg" -n "${MTKBAK_CAMPAIGN_RUNS:-40}" --seed "${MTKBAK_CAMPAIGN_SEED:-13}" \
	--restore "${MTKBAK_CAMPAIGN_RESTORE:-12}"
