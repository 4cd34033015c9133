#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# completions/mtkbak.bash: sourced in bash, _mtkbak must offer every command of 'mtkbak help',
# every option each command's --help shows, the --port forms, and files where a file goes.
. "$(dirname "$0")/lib.sh"
set -euo pipefail
need MTKBAK
need MTKBAK_SRC

# shellcheck source=/dev/null
source "$MTKBAK_SRC/completions/mtkbak.bash"
complete -p mtkbak | grep -q -- "-F _mtkbak" || fail "not registered with complete"

# comp LINE: runs the completion for LINE (cursor at the end); prints the candidates sorted.
comp() {
	COMP_LINE=$1
	COMP_POINT=${#1}
	COMP_WORDBREAKS=$' \t\n"\'><=;|&(:'
	read -r -a COMP_WORDS <<<"$1"
	[[ $1 =~ [[:space:]]$ ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_mtkbak mtkbak "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]:-}"
	printf '%s\n' "${COMPREPLY[@]}" | sort
}
expect() { # LINE WANT (space-separated, sorted or not)
	local got want
	got=$(comp "$1" | tr '\n' ' ' | sed 's/ $//')
	want=$(tr ' ' '\n' <<<"$2" | grep -v '^$' | sort | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$want" ] || fail "complete '$1': got '$got', want '$want'"
}
has() { # LINE WORD...: every WORD is among the candidates
	local line=$1 w
	shift
	comp "$line" >"$tmp/c"
	for w in "$@"; do
		grep -qxF -- "$w" "$tmp/c" || fail "complete '$line': '$w' missing (got: $(tr '\n' ' ' <"$tmp/c"))"
	done
}

# Commands: exactly the ones 'mtkbak help' lists.
cmds=$("$MTKBAK" help | sed -n '/^Commands:/,/^$/p' | awk 'NF && $1 != "Commands:" {print $1}' | tr '\n' ' ')
[ -n "$cmds" ] || fail "could not read the commands from 'mtkbak help'"
expect "mtkbak " "$cmds"
expect "mtkbak help " "$cmds"
expect "mtkbak ext" "extract"
expect "mtkbak -v pu" "pull"
has "mtkbak --" --json --verbose --quiet --help --version

# Options: every option of every command's --help.
for c in $cmds; do
	"$MTKBAK" "$c" --help >"$tmp/help" 2>/dev/null || continue
	head -1 "$tmp/help" | grep -q '^usage:' || continue
	opts=$(python3 - "$tmp/help" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
usage = text.split("\n\n", 1)[0]
opts = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])", usage))
for line in text.splitlines():
    m = re.match(r"^\s+((?:-[a-zA-Z]|--[a-z][a-z0-9-]*)(?:, (?:-[a-zA-Z]+|--[a-z][a-z0-9-]*))*)", line)
    if m:
        opts |= set(re.findall(r"--[a-z][a-z0-9-]*|-[a-zA-Z](?![a-zA-Z])", m.group(1)))
print(" ".join(sorted(opts)))
EOF
	)
	# shellcheck disable=SC2086
	has "mtkbak $c -" $opts
done
expect "mtkbak udev --install --r" "--root"
expect "mtkbak doctor --j" "--json"

# --port values, with and without the colon part typed.
has "mtkbak pull --port " auto usb usb: serial: sim: sim:demo
expect "mtkbak identify --port se" "serial:"
expect "mtkbak pull --port sim:de" "demo"
expect "mtkbak read --length " "auto 4M 8M 16M"
expect "mtkbak extract x.bin --platform MT626" "MT6260 MT6261"

# Files where a file goes.
mkdir -p "$tmp/w/kits"
: >"$tmp/w/ROM_0.bin"
: >"$tmp/w/other.txt"
cd "$tmp/w"
expect "mtkbak check R" "ROM_0.bin"
has "mtkbak extract " ROM_0.bin other.txt kits
expect "mtkbak pull -o k" "kits"
expect "mtkbak pull --port sim:RO" "ROM_0.bin"
cd - >/dev/null

finish "bash completion: ok"
