#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# cmake --install puts the binary, the udev rules, the man page and the bash completion where
# the system looks for them, both with --prefix and with DESTDIR (how distributions package).
. "$(dirname "$0")/lib.sh"
set -euo pipefail
need MTKBAK_BUILD
need MTKBAK_SRC

check_tree() { # ROOT (the installed prefix)
	local p=$1
	[ -x "$p/bin/mtkbak" ] || fail "$p/bin/mtkbak missing or not executable"
	"$p/bin/mtkbak" --version | grep -q '^mtkbak [0-9]' || fail "installed mtkbak --version"
	cmp -s "$p/lib/udev/rules.d/60-mtkbak.rules" "$MTKBAK_SRC/udev/60-mtkbak.rules" ||
		fail "$p/lib/udev/rules.d/60-mtkbak.rules missing or different"
	cmp -s "$p/share/man/man1/mtkbak.1" "$MTKBAK_SRC/doc/mtkbak.1" ||
		fail "$p/share/man/man1/mtkbak.1 missing or different"
	cmp -s "$p/share/bash-completion/completions/mtkbak" "$MTKBAK_SRC/completions/mtkbak.bash" ||
		fail "$p/share/bash-completion/completions/mtkbak missing or different"
	for f in lib/udev/rules.d/60-mtkbak.rules share/man/man1/mtkbak.1 \
		share/bash-completion/completions/mtkbak; do
		[ -e "$p/$f" ] || continue
		[ "$(stat -c %a "$p/$f")" = 644 ] || fail "$f: mode $(stat -c %a "$p/$f"), expected 644"
	done
	# The installed binary prints the same rules as the installed file.
	if [ -x "$p/bin/mtkbak" ]; then
		"$p/bin/mtkbak" udev 2>/dev/null | cmp -s - "$p/lib/udev/rules.d/60-mtkbak.rules" ||
			fail "installed 'mtkbak udev' differs from the installed rules file"
	fi
	# man finds the page through the prefix, and the completion loads from its place.
	if command -v man >/dev/null 2>&1 && [ -e "$p/share/man/man1/mtkbak.1" ]; then
		MANPATH=$p/share/man MANWIDTH=80 man mtkbak >"$tmp/man.txt" 2>&1 || true
		grep -Eq "mtkbak +- +back +up" "$tmp/man.txt" ||
			fail "man mtkbak with MANPATH=$p/share/man: $(head -3 "$tmp/man.txt")"
	fi
	if [ -e "$p/share/bash-completion/completions/mtkbak" ]; then
		bash -c 'source "$1"; COMP_LINE="mtkbak doc"; COMP_POINT=${#COMP_LINE}; _mtkbak;
			[ "${COMPREPLY[*]}" = doctor ]' _ "$p/share/bash-completion/completions/mtkbak" ||
			fail "installed completion does not complete 'mtkbak doc'"
	fi
}

# 1. --prefix
cmake --install "$MTKBAK_BUILD" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1 || {
	fail "cmake --install --prefix failed"
	cat "$tmp/install.log"
}
check_tree "$tmp/prefix"

# 2. DESTDIR with prefix /usr, as a Debian package build does: the rules land in
#    /usr/lib/udev/rules.d, where udev reads them.
DESTDIR=$tmp/dest cmake --install "$MTKBAK_BUILD" --prefix /usr >"$tmp/install2.log" 2>&1 || {
	fail "DESTDIR install failed"
	cat "$tmp/install2.log"
}
check_tree "$tmp/dest/usr"
[ -e "$tmp/dest/usr/lib/udev/rules.d/60-mtkbak.rules" ] || fail "DESTDIR: rules not in /usr/lib/udev/rules.d"

finish "install: ok"
