#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Fuzzes, for a bounded time each (libFuzzer, clang, ASan+UBSan; 160 s in all by default):
#   fuzz_dump   the dump parser and every check, from the generator's seeds (<= 256 KiB);
#               then again on full-size 4 and 8 MiB demo images (mirrors, FAT/SDS, flash
#               size tables), which libFuzzer mutates a few bytes at a time
#   fuzz_lz4    the compressed READ's LZ4 decoder and the agent's encoder
#   fuzz_watch  everything a watch sends, under identify + agent start + flash info + read
#   fuzz_files  the progress record and kit folders (SHA256SUMS, the cfg reader)
# Fails on any crash, leak, hang or broken invariant; the input is kept in build-fuzz/artifacts/.
#   MTKBAK_FUZZ_SECONDS  fuzz_dump's run time (default 60; full-size dumps and fuzz_files get
#                        a third of it, fuzz_watch half)
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
cmake --build "$build" -j2 --target fuzz_dump fuzz_seeds fuzz_lz4 fuzz_watch fuzz_watch_seed fuzz_files >/dev/null

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

# run NAME SECONDS MAX_LEN CORPUS... : one more bounded run
run() {
	local name=$1 t=$2 maxlen=$3
	shift 3
	echo "fuzz: running $name for ${t}s"
	"$build/tests/fuzz/$name" -max_total_time="$t" -timeout=10 -rss_limit_mb=2048 -max_len="$maxlen" \
		-print_final_stats=1 -artifact_prefix="$build/artifacts/" "$@" 2>"$build/$name.log" || {
		tail -40 "$build/$name.log" >&2
		echo "fuzz: $name FAILED; the input is in $build/artifacts/" >&2
		exit 1
	}
	grep -E "^stat::number_of_executed_units" "$build/$name.log" || true
}
third=$((secs / 3))
half=$((secs / 2))

# full-size dumps: real-sized demo images as seeds, mutated in place
mkdir -p "$build/seeds-full" "$build/corpus-full"
"$build/tests/fuzz/fuzz_seeds" demo 4M "$build/seeds-full/demo4M.bin" 2>/dev/null ||
	cp "$build/seeds"/* "$build/seeds-full/" 2>/dev/null || true
"$build/tests/fuzz/fuzz_seeds" demo 8M "$build/seeds-full/demo8M.bin" 2>/dev/null || true
run fuzz_dump "$third" 16777216 -len_control=0 "$build/corpus-full" "$build/seeds-full"

# the watch's side of the link; seeds: a boot ROM that answers the handshake, and a whole
# real conversation with the simulated watch (every step succeeds on it)
mkdir -p "$build/corpus-watch" "$build/seeds-watch"
printf '\x00\x5f\x00\xf5\x00\xaf\x00\xfa' >"$build/seeds-watch/handshake"
"$build/tests/fuzz/fuzz_watch_seed" "$build/seeds-watch/conversation"
run fuzz_watch "$half" 65536 "$build/corpus-watch" "$build/seeds-watch"

# the progress record (odd first byte) and kit folders (even)
mkdir -p "$build/corpus-files" "$build/seeds-files"
printf '\x01mtkbak-readback-state 1\nsize 4194304\nme_id 00112233445566778899aabbccddeeff\njedec c84016\nverified 1048576\nverified_crc32 0badf00d\n' \
	>"$build/seeds-files/state"
printf '\x00%064d  ROM\n\x00[firmware]\n' 0 >"$build/seeds-files/kit"
run fuzz_files "$third" 16384 "$build/corpus-files" "$build/seeds-files"
echo "fuzz: no crash in any target"
