#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Every source file names its licence in its first line (after a #! line):
#   /* SPDX-License-Identifier: GPL-3.0-or-later */   C, headers, assembly, linker scripts
#   # SPDX-License-Identifier: GPL-3.0-or-later       shell, CMake, Makefiles, completion
#
#   tests/ci-extra/spdx.sh          lists the files without it (exit 1 when there are any)
#   tests/ci-extra/spdx.sh --fix    adds it where it is missing (then run clang-format)
#
# Not touched: data and generated files, Markdown, the man page, .ci/, debian/ (its copyright file
# says it for the package), and udev/60-mtkbak.rules (mtkbak udev prints the same text from
# src/cli/udev_rules.c, and the tests compare the two byte for byte).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"
id="SPDX-License-Identifier: GPL-3.0-or-later"
fix=false
[ "${1:-}" = "--fix" ] && fix=true

files() {
	if git rev-parse --git-dir >/dev/null 2>&1; then
		git ls-files --cached --others --exclude-standard
	else
		find . -type f -not -path './build*' -not -path './.git/*' | sed 's|^\./||'
	fi
}

style() { # FILE -> c, hash or "" (not a source file)
	case $1 in
	debian/* | udev/* | .ci/*) echo "" ;;
	*.c | *.h | *.S | *.ld) echo c ;;
	*.sh | *.cmake | */CMakeLists.txt | CMakeLists.txt | */Makefile | Makefile | *.bash | do) echo hash ;;
	*) head -c 2 "$1" 2>/dev/null | grep -q '^#!' && echo hash || echo "" ;;
	esac
}

missing=0
while IFS= read -r f; do
	[ -f "$f" ] || continue
	s=$(style "$f")
	[ -n "$s" ] || continue
	first=$(head -n 1 "$f")
	second=$(sed -n 2p "$f")
	case $first in '#!'*) line=$second ;; *) line=$first ;; esac
	case $line in *"$id"*) continue ;; esac
	missing=$((missing + 1))
	if ! $fix; then
		echo "no SPDX line: $f"
		continue
	fi
	if [ "$s" = c ]; then
		hdr="/* $id */"
	else
		hdr="# $id"
	fi
	tmp=$f.spdx-tmp
	case $first in
	'#!'*) { echo "$first"; echo "$hdr"; tail -n +2 "$f"; } >"$tmp" ;;
	*) { echo "$hdr"; cat "$f"; } >"$tmp" ;;
	esac
	chmod --reference="$f" "$tmp"
	mv "$tmp" "$f"
done < <(files)

if $fix; then
	echo "spdx: added the licence line to $missing files"
elif [ $missing -gt 0 ]; then
	echo "spdx: $missing source files lack '$id' (tests/ci-extra/spdx.sh --fix adds it)"
	exit 1
else
	echo "spdx: every source file names its licence"
fi
