#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Windows build checks with Debian's mingw-w64 cross compiler (package gcc-mingw-w64-x86-64).
#
#   tests/ci-extra/windows-cross.sh [--layers "DIR..."]
#       Compile-only check: every C file of the library and the CLI must compile for
#       x86_64-w64-mingw32 (no Linux-only headers or calls outside #ifdef __linux__).
#       Uses the build machine's libusb/libserialport/nettle headers (they are portable).
#   tests/ci-extra/windows-cross.sh --deps DIR
#       Cross-builds libusb-1.0, nettle and libserialport, static, from Debian's source
#       tarballs pinned in windows-deps.sha256 into DIR/prefix. Needs m4 and make; downloads
#       with a private apt configuration (the system's apt setup is not touched) only what
#       the cache ($MTKBAK_WIN_CACHE, default /var/cache/mtkbak-win) lacks; the built
#       libraries are cached too, keyed by the pins, this recipe and the compiler.
#   tests/ci-extra/windows-cross.sh --full DIR     (= ./do windows DIR)
#       --deps DIR, then builds mtkbak.exe with cmake/mingw-w64-x86_64.cmake into DIR/build,
#       and DIR/mtkbak-win64/: the stripped .exe, LICENSE.txt, licenses/, SOURCE.txt.
#
# Exit status: 0 ok, 1 problems found (listed one per line; a downloaded source whose sha256
# is not the pinned one is a problem), 77 skipped (the cross compiler or a header is missing,
# or a pinned source is neither served by the archive nor cached; the message says which).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
triple=x86_64-w64-mingw32

mode=check
deps=""
layers="src/util src/wire src/hostenv src/firmware src/extract src/brom src/da agent/core src/readback sim src/transport src/cli"
while [ $# -gt 0 ]; do
	case $1 in
	--layers)
		layers=$2
		shift 2
		;;
	--deps | --full)
		mode=${1#--}
		deps=${2:?$1 needs a folder}
		shift 2
		;;
	-h | --help)
		sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "windows-cross: unknown argument '$1' (see --help)" >&2
		exit 2
		;;
	esac
done

cc=""
for c in $triple-gcc-posix $triple-gcc; do
	if command -v "$c" >/dev/null 2>&1; then
		cc=$c
		break
	fi
done
if [ -z "$cc" ]; then
	echo "SKIP: no mingw-w64 cross compiler; install it with: apt-get install gcc-mingw-w64-x86-64"
	exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check_sources() {
	# The Windows build sees the same library headers; their declarations do not depend on
	# the OS except libusb's, which handles _WIN32 itself.
	mkdir -p "$tmp/inc"
	local h
	for h in /usr/include/libusb-1.0 /usr/include/libserialport.h /usr/include/nettle; do
		if [ ! -e "$h" ]; then
			echo "SKIP: $h is missing (install libusb-1.0-0-dev libserialport-dev nettle-dev)"
			exit 77
		fi
		ln -s "$h" "$tmp/inc/"
	done
	local flags=(-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DMTKBAK_VERSION='"0"'
		-I"$here/include" -I"$here/src" -I"$here/sim" -I"$here/agent" -isystem "$tmp/inc"
		-isystem "$tmp/inc/libusb-1.0" -fsyntax-only
		-Werror=implicit-function-declaration -Werror=implicit-int -Werror=int-conversion
		-Werror=incompatible-pointer-types)
	local n=0 bad=0 f first
	for d in $layers; do
		for f in "$here/$d"/*.c; do
			[ -e "$f" ] || continue
			n=$((n + 1))
			if ! "$cc" "${flags[@]}" "$f" >"$tmp/out" 2>&1; then
				bad=$((bad + 1))
				first=$(grep -m1 -E 'error' "$tmp/out" | sed "s|^$here/||")
				echo "FAIL ${f#"$here"/}: $first"
				grep -E 'error' "$tmp/out" | grep -v '^cc1:' | sed "s|^$here/||; s/^/       /" | sed -n '2,6p'
			fi
		done
	done
	if [ $n -eq 0 ]; then
		echo "windows-cross: no C files under: $layers" >&2
		exit 2
	fi
	echo "windows-cross: $((n - bad)) of $n files compile for $triple with $cc"
	[ $bad -eq 0 ]
}

# The pinned sources: "SHA256 FILE PACKAGE/SUITE" lines of windows-deps.sha256.
pins=$here/tests/ci-extra/windows-deps.sha256
cache=${MTKBAK_WIN_CACHE:-/var/cache/mtkbak-win}

# fetch_sources DIR: every pinned tarball into $cache/src, verified. A cached copy with the
# pinned hash is used as is; otherwise apt-get source --download-only through a private apt
# setup (bookworm and trixie deb-src lines; the system's sources are not touched).
fetch_sources() {
	local dir=$1 sha file pkg want=() have
	if ! mkdir -p "$cache/src" 2>/dev/null || [ ! -w "$cache/src" ]; then
		cache=${XDG_CACHE_HOME:-$HOME/.cache}/mtkbak-win
		mkdir -p "$cache/src"
	fi
	while read -r sha file pkg; do
		case $sha in '#'* | '') continue ;; esac
		if [ -f "$cache/src/$file" ] &&
			[ "$(sha256sum <"$cache/src/$file" | cut -d' ' -f1)" = "$sha" ]; then
			continue
		fi
		want+=("$pkg")
	done <"$pins"
	if [ ${#want[@]} -gt 0 ]; then
		local apt=$dir/apt
		mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$dir/download"
		{
			echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main"
			echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main"
		} >"$apt/sources.list"
		local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
			-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
		echo "     downloading ${want[*]} (apt-get source, private apt setup)"
		apt-get "${opts[@]}" -qq update >"$dir/apt.log" 2>&1 || true
		# only the orig tarballs are needed; a missing .dsc (trixie's libserialport) is fine
		(cd "$dir/download" && apt-get "${opts[@]}" -qq source --download-only "${want[@]}") \
			>>"$dir/apt.log" 2>&1 || true
	fi
	local missing=0
	while read -r sha file pkg; do
		case $sha in '#'* | '') continue ;; esac
		[ -f "$cache/src/$file" ] && [ "$(sha256sum <"$cache/src/$file" | cut -d' ' -f1)" = "$sha" ] &&
			continue
		if [ ! -f "$dir/download/$file" ]; then
			echo "MISSING $file: the archive did not serve it ($pkg) and $cache/src has no copy"
			[ $missing -eq 2 ] || missing=1
			continue
		fi
		have=$(sha256sum <"$dir/download/$file" | cut -d' ' -f1)
		if [ "$have" != "$sha" ]; then
			echo "FAIL $file: downloaded, but its sha256 is $have, not the pinned $sha"
			missing=2
			continue
		fi
		cp "$dir/download/$file" "$cache/src/$file.tmp" && mv "$cache/src/$file.tmp" "$cache/src/$file"
	done <"$pins"
	return $missing
}

build_autotools() { # NAME TARBALL PREFIX CONFIGURE-ARGS... (make targets via $targets)
	local name=$1 tarball=$cache/src/$2 prefix=$3
	shift 3
	rm -rf "$deps/work/$name"
	mkdir -p "$deps/work/$name"
	tar -xf "$tarball" -C "$deps/work/$name" --strip-components=1
	(
		cd "$deps/work/$name"
		./configure --host=$triple --prefix="$prefix" --disable-shared --enable-static "$@" \
			>configure.log 2>&1 || {
			tail -20 configure.log
			exit 1
		}
		make -j2 ${targets:-} >make.log 2>&1 || {
			tail -20 make.log
			exit 1
		}
		make ${install_targets:-install} >install.log 2>&1
	) || {
		echo "FAIL $name: cross build failed (logs in $deps/work/$name)"
		return 1
	}
	echo "ok   $name: built"
}

# The three libraries, built once per (pinned sources, this recipe, compiler) into
# $cache/prefix-KEY and copied to DIR/prefix; a second run only copies.
recipe_version=2
build_deps() {
	for tool in m4 make apt-get sha256sum; do
		command -v $tool >/dev/null 2>&1 || {
			echo "SKIP: $tool is missing (apt-get install $tool)"
			exit 77
		}
	done
	mkdir -p "$deps"
	deps=$(cd "$deps" && pwd)
	local frc=0
	fetch_sources "$deps" || frc=$?
	[ $frc -eq 0 ] || return $((frc == 1 ? 77 : 1))
	local key
	key=$({
		grep -v '^#' "$pins"
		echo "recipe $recipe_version"
		"$cc" --version | head -1
	} | sha256sum | cut -c1-16)
	local cached=$cache/prefix-$key
	if [ ! -f "$cached/.complete" ]; then
		local prefix=$cache/prefix-$key.tmp$$
		rm -rf "$prefix"
		targets="" install_targets=install build_autotools libusb libusb-1.0_1.0.26.orig.tar.bz2 \
			"$prefix" || return 1
		targets=libnettle.a install_targets="install-headers install-static install-pkgconfig" \
			build_autotools nettle nettle_3.8.1.orig.tar.gz "$prefix" --disable-public-key \
			--disable-documentation --disable-openssl || return 1
		targets="" install_targets=install build_autotools libserialport \
			libserialport_0.1.2.orig.tar.gz "$prefix" || return 1
		# the licences of what mtkbak.exe links, shipped next to it
		mkdir -p "$prefix/licenses"
		cp "$deps/work/libusb/COPYING" "$prefix/licenses/libusb-1.0.COPYING"
		cp "$deps/work/libserialport/COPYING" "$prefix/licenses/libserialport.COPYING"
		for f in COPYINGv3 COPYING.LESSERv3 COPYINGv2 README; do
			[ -f "$deps/work/nettle/$f" ] && cp "$deps/work/nettle/$f" "$prefix/licenses/nettle.$f"
		done
		touch "$prefix/.complete"
		rm -rf "$cached"
		mv "$prefix" "$cached"
		rm -rf "$deps/work"
	else
		echo "ok   libusb, nettle, libserialport: cached in $cached"
	fi
	# the .pc files name the prefix they were built for; point them at the copy
	rm -rf "$deps/prefix"
	cp -a "$cached" "$deps/prefix"
	sed -i "s|^prefix=.*|prefix=$deps/prefix|" "$deps/prefix"/lib/pkgconfig/*.pc
}

case $mode in
check)
	check_sources
	;;
deps)
	build_deps || exit $?
	;;
full)
	rc=0
	build_deps || rc=$?
	if [ $rc -eq 77 ]; then
		echo "SKIP: a pinned source is neither served nor cached; mtkbak.exe needs all three libraries"
		exit 77
	elif [ $rc -ne 0 ]; then
		echo "FAIL: a pinned source did not verify, or the Windows libraries did not build"
		exit 1
	fi
	cmake -S "$here" -B "$deps/build" -DCMAKE_TOOLCHAIN_FILE="$here/cmake/mingw-w64-x86_64.cmake" \
		-DMTKBAK_WIN_DEPS="$deps/prefix" -DMTKBAK_TESTS=OFF -DMTKBAK_USBSIM=OFF \
		-DCMAKE_BUILD_TYPE=Release >"$deps/cmake.log" 2>&1 || {
		tail -20 "$deps/cmake.log"
		echo "FAIL: cmake could not configure the Windows build"
		exit 1
	}
	cmake --build "$deps/build" -j2 --target mtkbak >"$deps/build.log" 2>&1 || {
		grep -E 'error' "$deps/build.log" | head -20
		echo "FAIL: mtkbak.exe did not build (log: $deps/build.log)"
		exit 1
	}
	# What a user gets: the .exe with the licences of everything in it and where the sources are.
	dist=$deps/mtkbak-win64
	rm -rf "$dist"
	mkdir -p "$dist/licenses"
	$triple-strip -o "$dist/mtkbak.exe" "$deps/build/mtkbak.exe"
	cp "$here/LICENSE" "$dist/LICENSE.txt"
	cp "$deps/prefix/licenses/"* "$dist/licenses/"
	sed "s/@VERSION@/$(sed -n 's/^project(mtkbak VERSION \([0-9.]*\).*/\1/p' "$here/CMakeLists.txt")/" \
		"$here/doc/windows-SOURCE.txt" >"$dist/SOURCE.txt"
	sed -n '/^[0-9a-f]\{64\}/p' "$pins" >>"$dist/SOURCE.txt"
	echo "ok   $deps/build/mtkbak.exe (and $dist: the .exe, LICENSE.txt, licenses/, SOURCE.txt)"
	;;
esac
