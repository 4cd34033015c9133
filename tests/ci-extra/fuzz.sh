#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Fuzzes the dump parser and every check for a bounded time (libFuzzer, clang, ASan+UBSan),
# starting from a seed corpus the generator writes. Fails on any crash, leak, hang or
# broken invariant; the input that did it is kept in build-fuzz/artifacts/.
# Then the compressed READ's LZ4 decoder and the agent's encoder (fuzz_lz4), for at most 30 s.
#   MTKBAK_FUZZ_SECONDS  run time (default 60)
#   MTKBAK_FUZZ_LZ4_SECONDS  fuzz_lz4 run time (default 30)
#   MTKBAK_FUZZ_BUILD    build folder (default ./build-fuzz)
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${MTKBAK_FUZZ_BUILD:-$src/build-fuzz}
secs=${MTKBAK_FUZZ_SECONDS:-60}
lz4_secs=${MTKBAK_FUZZ_LZ4_SECONDS:-30}

if ! command -v clang >/dev/null; then
	echo "fuzz: clang is missing: apt-get install clang libclang-rt-dev" >&2
	exit 1
fi
CC=clang cmake -S "$src" -B "$build" -DMTKBAK_TESTS=OFF -DMTKBAK_FUZZ=ON -DMTKBAK_USBSIM=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target fuzz_dump fuzz_seeds fuzz_lz4 >/dev/null

rm -rf "$build/seeds" "$build/corpus"
mkdir -p "$build/seeds" "$build/corpus" "$build/artifacts"
"$build/tests/fuzz/fuzz_seeds" seeds "$build/seeds"
# plus a few structured non-images: empty, one FILE_INFO, a header block alone
: >"$build/seeds/empty"
printf 'MMM\x01\x38\x00\x00\x00FILE_INFO\x00\x00\x00' >"$build/seeds/file_info"
printf 'SF_BOOT\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x02\x00\x00' >"$build/seeds/sf_boot"

echo "fuzz: running fuzz_dump for ${secs}s"
"$build/tests/fuzz/fuzz_dump" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
	-print_final_stats=1 -artifact_prefix="$build/artifacts/" "$build/corpus" "$build/seeds" \
	2>"$build/fuzz.log" || {
	tail -40 "$build/fuzz.log" >&2
	echo "fuzz: FAILED; the input is in $build/artifacts/" >&2
	exit 1
}
grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)" "$build/fuzz.log" || true
echo "fuzz: no crash in ${secs}s"

# LZ4: seeds are a few real blocks the agent's encoder made (length prefix + block) and the
# raw bytes of small images
rm -rf "$build/lz4-corpus" "$build/lz4-seeds"
mkdir -p "$build/lz4-corpus" "$build/lz4-seeds"
printf '\x00\x05\x10a\x01\x00\x10b' >"$build/lz4-seeds/overlap"
printf '\x00\x0c\xf0\x00aaaaaaaaaaaaaaa' >"$build/lz4-seeds/literals"
for f in "$build/seeds"/*; do head -c 4098 "$f" >"$build/lz4-seeds/$(basename "$f")"; done
echo "fuzz: running fuzz_lz4 for ${lz4_secs}s"
"$build/tests/fuzz/fuzz_lz4" -max_total_time="$lz4_secs" -timeout=10 -rss_limit_mb=2048 \
	-max_len=8192 -print_final_stats=1 -artifact_prefix="$build/artifacts/lz4-" \
	"$build/lz4-corpus" "$build/lz4-seeds" 2>"$build/fuzz-lz4.log" || {
	tail -40 "$build/fuzz-lz4.log" >&2
	echo "fuzz: fuzz_lz4 FAILED; the input is in $build/artifacts/" >&2
	exit 1
}
grep -E "^(stat::number_of_executed_units|#[0-9]+ +DONE)" "$build/fuzz-lz4.log" || true
echo "fuzz: fuzz_lz4: no crash in ${lz4_secs}s"
