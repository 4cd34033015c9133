#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The Debian package: builds mtkbak_VERSION_ARCH.deb with dpkg-buildpackage from a copy of the
# tree in a temporary folder (dpkg-buildpackage writes into the parent folder), installs it
# with dpkg -i, runs 'mtkbak --version' and a pull from the simulated watch with the
# installed /usr/bin/mtkbak, checks the installed files, and runs lintian, which must report no
# error or warning (it reports none, not even at --pedantic; a tag that has to stay would be
# explained in debian/mtkbak.lintian-overrides). The package is removed
# again afterwards unless it was installed before.
#
#   tests/ci-extra/deb.sh               all of it (needs root, or sudo without a password, for dpkg -i)
#   tests/ci-extra/deb.sh --build-only  only build; the .deb lands in build-deb/
#
# Exit status: 0 ok, 1 a check failed, 77 skipped (debhelper/dpkg-dev missing, or no root).
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build_only=false
[ "${1:-}" = "--build-only" ] && build_only=true

for tool in dpkg-buildpackage dh fakeroot; do
	command -v $tool >/dev/null 2>&1 || {
		echo "SKIP: $tool is missing (apt-get install dpkg-dev debhelper fakeroot)"
		exit 77
	}
done
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if sudo -n true 2>/dev/null; then sudo="sudo -n"; elif ! $build_only; then
		echo "SKIP: installing the .deb needs root (or sudo without a password)"
		exit 77
	fi
fi

tmp=$(mktemp -d)
installed_before=false
dpkg-query -W -f='${Status}' mtkbak 2>/dev/null | grep -q 'ok installed' && installed_before=true
cleanup() {
	if ! $installed_before && ! $build_only &&
		dpkg-query -W -f='${Status}' mtkbak 2>/dev/null | grep -q 'ok installed'; then
		$sudo dpkg -r mtkbak >/dev/null 2>&1
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
	echo "FAIL $*"
	exit 1
}

version=$(dpkg-parsechangelog -l "$here/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
src=$tmp/mtkbak-$version
mkdir -p "$src"
# the tracked files when this is a git clone, else everything but build folders
if git -C "$here" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$here" ls-files -z --cached --others --exclude-standard |
		(cd "$here" && xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$src"
else
	tar -C "$here" --exclude='./build*' --exclude='./.git' -cf - . | tar -xf - -C "$src"
fi
start=$(date +%s)
(cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b) \
	>"$tmp/build.log" 2>&1 || {
	tail -30 "$tmp/build.log"
	fail "dpkg-buildpackage did not build the package"
}
deb=$tmp/mtkbak_${version}_${arch}.deb
[ -f "$deb" ] || fail "no $(basename "$deb") after dpkg-buildpackage: $(ls "$tmp")"
mkdir -p "$here/build-deb"
cp "$deb" "$tmp"/mtkbak_"${version}"_"${arch}".changes "$here/build-deb/" 2>/dev/null
echo "ok   $(basename "$deb") built in $(($(date +%s) - start)) s (copy in build-deb/)"
$build_only && exit 0

# what is inside, and what it needs
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/mtkbak ./usr/lib/udev/rules.d/60-mtkbak.rules ./usr/share/man/man1/mtkbak.1.gz \
	./usr/share/bash-completion/completions/mtkbak ./usr/share/doc/mtkbak/copyright; do
	grep -qx "$f" <<<"$contents" || fail "the package lacks $f"
done
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libusb-1.0-0 libserialport0 libnettle8 libc6; do
	grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib (shlibs): $depends"
done

$sudo dpkg -i "$deb" >"$tmp/install.log" 2>&1 || {
	cat "$tmp/install.log"
	fail "dpkg -i"
}
v=$(/usr/bin/mtkbak --version) || fail "the installed mtkbak --version"
[ "$v" = "mtkbak ${version%%-*}" ] || fail "installed mtkbak --version says '$v'"
(cd "$tmp" && /usr/bin/mtkbak pull --port sim:demo,plug=0,link=none -o kit >pull.txt 2>&1) ||
	fail "pull with the installed mtkbak: $(cat "$tmp/pull.txt")"
grep -q '^health: 100%$' "$tmp/kit/report.txt" || fail "the installed mtkbak's kit: $(tail -3 "$tmp/kit/report.txt")"
/usr/bin/mtkbak check "$tmp/kit" >/dev/null || fail "mtkbak check of the installed mtkbak's kit"
(cd "$tmp/kit" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS of the installed mtkbak's kit"
man -l /usr/share/man/man1/mtkbak.1.gz >/dev/null 2>&1 || zcat /usr/share/man/man1/mtkbak.1.gz |
	grep -q '^\.TH MTKBAK 1' || fail "the installed man page"
bash -c 'source /usr/share/bash-completion/completions/mtkbak && complete -p mtkbak' >/dev/null ||
	fail "the installed bash completion does not register for mtkbak"
echo "ok   installed: $v; sim:demo pull into a kit with health 100%"

# lintian: nothing but what debian/mtkbak.lintian-overrides explains
if command -v lintian >/dev/null 2>&1; then
	lintian --fail-on error,warning --display-info --pedantic "$deb" 2>&1 |
		grep -v 'running with root privileges is not recommended' >"$tmp/lintian.txt"
	rc=${PIPESTATUS[0]}
	if [ $rc -ne 0 ]; then
		cat "$tmp/lintian.txt"
		fail "lintian reports the tags above"
	fi
	echo "ok   lintian: no errors or warnings ($(grep -c . "$tmp/lintian.txt") info/pedantic tags)"
	sed 's/^/       /' "$tmp/lintian.txt"
else
	echo "     (lintian not installed: apt-get install lintian)"
fi
