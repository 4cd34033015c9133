#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Rebuilds the download agent from agent into a temporary folder and fails if the
# result differs by one byte from the committed agent/mtkbak-agent.bin (the binary
# users run must be the one the sources produce). Needs gcc-arm-none-eabi (./do deps).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)/agent
committed=$src/mtkbak-agent.bin

if ! command -v arm-none-eabi-gcc >/dev/null; then
	echo "agent-repro: arm-none-eabi-gcc is missing: install gcc-arm-none-eabi (./do deps)" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! make -s -C "$src" O="$tmp" bin >"$tmp/build.log" 2>&1; then
	cat "$tmp/build.log" >&2
	echo "agent-repro: FAILED: the agent does not build from agent" >&2
	exit 1
fi
if cmp -s "$tmp/mtkbak-agent.bin" "$committed"; then
	echo "agent-repro: ok: agent/mtkbak-agent.bin ($(stat -c %s "$committed") bytes) is" \
		"exactly what the sources build"
	exit 0
fi

echo "agent-repro: FAILED: agent/mtkbak-agent.bin differs from a fresh build of" \
	"agent" >&2
echo "  committed: $(stat -c %s "$committed") bytes, sha256 $(sha256sum "$committed" | cut -c1-16)" >&2
echo "  rebuilt:   $(stat -c %s "$tmp/mtkbak-agent.bin") bytes, sha256" \
	"$(sha256sum "$tmp/mtkbak-agent.bin" | cut -c1-16)" >&2
gcc_now=$(dpkg-query -W -f='${Version}' gcc-arm-none-eabi 2>/dev/null || echo unknown)
bin_now=$(dpkg-query -W -f='${Version}' binutils-arm-none-eabi 2>/dev/null || echo unknown)
gcc_want=$(sed -n 's/^gcc-arm-none-eabi //p' "$src/TOOLCHAIN")
bin_want=$(sed -n 's/^binutils-arm-none-eabi //p' "$src/TOOLCHAIN")
if [ "$gcc_now" != "$gcc_want" ] || [ "$bin_now" != "$bin_want" ]; then
	echo "  note: the toolchain differs from agent/TOOLCHAIN (built with gcc" \
		"$gcc_want, binutils $bin_want; here gcc $gcc_now, binutils $bin_now)" >&2
fi
echo "  fix: if you changed the agent's sources, run 'make -C agent' and commit" \
	"agent/mtkbak-agent.bin with them" >&2
exit 1
