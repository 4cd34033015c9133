#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's architecture is a property of the build: every symbol a layer's objects use
# from another layer must come from a layer it links (CMakeLists.txt, written to
# $MTKBAK_BUILD/layers.txt as "layer:dep;dep"), directly or through those layers' own
# arrows. A sideways or upward call fails here, naming the symbol and both layers.
set -euo pipefail
build=${MTKBAK_BUILD:?MTKBAK_BUILD not set}
graph=$build/layers.txt
[ -f "$graph" ] || { echo "layers: $graph missing (configure the build first)" >&2; exit 1; }
command -v nm >/dev/null || { echo "layers: nm missing (binutils)" >&2; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

declare -A deps
layers=()
while IFS=: read -r name d; do
	[ -n "$name" ] || continue
	layers+=("$name")
	deps[$name]=${d//;/ }
	lib=$(find "$build" -maxdepth 2 -name "libmtkbak_$name.a" | head -1)
	[ -n "$lib" ] || { echo "layers: libmtkbak_$name.a not built" >&2; exit 1; }
	nm -g --defined-only "$lib" 2>/dev/null | awk 'NF==3 && $2 ~ /[TDBRCV]/ {print $3}' | sort -u >"$tmp/$name.def"
	nm -u "$lib" 2>/dev/null | awk 'NF>=2 {print $2}' | sort -u >"$tmp/$name.undef.all"
	comm -23 "$tmp/$name.undef.all" "$tmp/$name.def" >"$tmp/$name.undef"
done <"$graph"

closure() { # every layer reachable from $1 through the arrows
	local seen=" $1 " queue=($1) cur d
	while [ ${#queue[@]} -gt 0 ]; do
		cur=${queue[0]}
		queue=("${queue[@]:1}")
		for d in ${deps[$cur]}; do
			case "$seen" in *" $d "*) ;; *) seen="$seen$d " queue+=("$d") ;; esac
		done
	done
	echo "$seen"
}

bad=0
for l in "${layers[@]}"; do
	allowed=$(closure "$l")
	while read -r sym; do
		for o in "${layers[@]}"; do
			[ "$o" = "$l" ] && continue
			if grep -qx -- "$sym" "$tmp/$o.def"; then
				case "$allowed" in
				*" $o "*) ;;
				*)
					echo "layers: FAIL: $l uses $sym from $o, but $l does not link $o"
					bad=$((bad + 1))
					;;
				esac
			fi
		done
	done <"$tmp/$l.undef"
done

# the explicit promises, checked by name as well
if grep -E '^(sim_|fwgen_)' "$tmp/transport.undef"; then
	echo "layers: FAIL: transport references the simulator"
	bad=$((bad + 1))
fi
if grep -E '^fwgen_' "$tmp/extract.undef"; then
	echo "layers: FAIL: extract references the firmware generator"
	bad=$((bad + 1))
fi
n=${#layers[@]}
if [ $bad -ne 0 ]; then
	echo "layers: $bad violation(s)"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "layers: $n layers, every cross-layer symbol comes through an arrow of CMakeLists.txt"
