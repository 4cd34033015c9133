#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# mtkbak's one entry point for people and CI. Run as root, or as a user with sudo.
#   ./do demo    install what is missing, build, and run 'mtkbak pull --auto --port sim:demo'
#   ./do test    install what is missing, build (normal + ASan/UBSan), run the whole test suite
#                (unit, e2e, the QEMU rung, the format gate and tests/ci-extra)
#   ./do check   the quick edit loop: build ./build, run the unit and e2e tests (no ASan, no QEMU)
#   ./do fmt     format every C file with clang-format 14 (the version the tree follows)
#   ./do build   install what is missing and build into ./build
#   ./do windows DIR  build mtkbak.exe under DIR from Debian's sources (mingw-w64, static)
#   ./do deb     build the Debian package (mtkbak_VERSION_ARCH.deb) into ./build-deb
#   ./do deps    only install the packages
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)

# Debian/Ubuntu packages the build and the tests need.
BUILD_PKGS="build-essential cmake pkg-config libusb-1.0-0-dev libserialport-dev nettle-dev libunicorn-dev"
TEST_PKGS="libcmocka-dev clang libclang-rt-dev gcc-arm-none-eabi libnewlib-arm-none-eabi libunicorn-dev
  libusbredirparser-dev python3 groff-base gcc-mingw-w64-x86-64 m4 clang-format wine wine64
  debhelper dpkg-dev fakeroot lintian bash-completion"
# The format gate (tests/ci-extra/format.sh) pins clang-format's major version: Debian 12's
# clang-format package is 14, the version whose output the tree follows.
CLANG_FORMAT_MAJOR=14

install_pkgs() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "==> installing: ${missing[*]}"
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# libclang-rt-dev is named libclang-rt-NN-dev on Debian 12; pick what apt offers.
resolve_pkgs() {
	local out=()
	for p in $*; do
		if [ "$p" = libclang-rt-dev ]; then
			local v
			v=$(clang --version 2>/dev/null | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)
			[ -n "$v" ] && p="libclang-rt-$v-dev" || p="libclang-rt-14-dev"
			dpkg-query -W clang >/dev/null 2>&1 || p=""
		fi
		[ -n "$p" ] && out+=("$p")
	done
	echo "${out[@]}"
}

build() { # build DIR [cmake args...]
	local dir=$1
	shift
	cmake -S "$here" -B "$dir" -DMTKBAK_WERROR=ON "$@" >/dev/null
	cmake --build "$dir" -j"$(nproc)"
}

cmd=${1:-help}
case "$cmd" in
deps)
	install_pkgs $BUILD_PKGS
	install_pkgs clang
	install_pkgs $(resolve_pkgs $TEST_PKGS)
	;;
build)
	install_pkgs $BUILD_PKGS
	build build -DMTKBAK_SANITIZE=OFF
	;;
demo)
	install_pkgs $BUILD_PKGS
	build build -DMTKBAK_TESTS=OFF -DMTKBAK_SANITIZE=OFF
	shift
	exec ./build/mtkbak pull --auto --port sim:demo "$@"
	;;
check)
	install_pkgs $BUILD_PKGS
	install_pkgs libcmocka-dev python3
	echo "==> build (warnings are errors)"
	build build -DMTKBAK_TESTS=ON -DMTKBAK_SANITIZE=OFF -DMTKBAK_HIL=OFF
	echo "==> unit and e2e tests"
	(cd build && ctest --output-on-failure --no-tests=error -j2 -LE slow)
	echo "==> check passed (the whole suite: ./do test)"
	;;
fmt)
	install_pkgs clang-format
	v=$(clang-format --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
	if [ "$v" != "$CLANG_FORMAT_MAJOR" ]; then
		echo "clang-format $v found, the tree follows clang-format $CLANG_FORMAT_MAJOR" >&2
		exit 1
	fi
	git ls-files '*.c' '*.h' | xargs clang-format -i
	echo "==> formatted $(git ls-files '*.c' '*.h' | wc -l) C files"
	;;
windows)
	install_pkgs gcc-mingw-w64-x86-64 m4 make
	exec bash tests/ci-extra/windows-cross.sh --full "${2:?usage: ./do windows DIR}"
	;;
deb)
	install_pkgs $BUILD_PKGS debhelper dpkg-dev fakeroot
	exec bash tests/ci-extra/deb.sh --build-only
	;;
test)
	install_pkgs $BUILD_PKGS
	install_pkgs clang
	install_pkgs $(resolve_pkgs $TEST_PKGS)
	echo "==> build (warnings are errors)"
	# every option explicit: a cache left by './do demo' (tests off) must not thin the run
	build build -DMTKBAK_TESTS=ON -DMTKBAK_SANITIZE=OFF -DMTKBAK_HIL=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
	echo "==> tests"
	(cd build && ctest --output-on-failure --no-tests=error -j2)
	echo "==> build with AddressSanitizer + UndefinedBehaviorSanitizer"
	build build-asan -DMTKBAK_TESTS=ON -DMTKBAK_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DMTKBAK_HIL=OFF
	echo "==> tests under ASan+UBSan"
	(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure --no-tests=error -j2 -LE slow)
	for extra in tests/ci-extra/*.sh; do
		[ -f "$extra" ] || continue
		echo "==> $extra"
		rc=0
		CI=${CI:-true} CLANG_FORMAT_MAJOR=$CLANG_FORMAT_MAJOR bash "$extra" || rc=$?
		if [ $rc -eq 77 ]; then
			echo "    (skipped)"
		elif [ $rc -ne 0 ]; then
			echo "==> $extra failed (exit $rc)"
			exit $rc
		fi
	done
	echo "==> all tests passed"
	;;
*)
	sed -n '3,12p' "$0"
	exit 2
	;;
esac
