#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The documentation holds together: every relative link in README.md and doc/*.md resolves
# (the file exists, and a #fragment names a heading of that file, by GitHub's anchor rules),
# README.md stays a newcomer's page (under 40,000 bytes), and every Markdown file a comment in
# the code cites exists in the repository, with every section number it names ("doc/X.md
# section 4.4", "sections 2-4") a numbered heading of that file; and every repository path the
# docs name in `code` (src/..., tests/..., ...) exists.
# Needs only bash, grep, sed and awk; MTKBAK_SRC defaults to the tree this script is in.
. "$(dirname "$0")/lib.sh"
set -euo pipefail
src=${MTKBAK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src"

# Prints the GitHub anchor of every heading of a Markdown file, one a line (headings inside
# ``` fences are code, not headings; a repeated anchor gets -1, -2, ...).
anchors() {
	awk '
		/^[ \t]*```/ { fence = !fence; next }
		fence { next }
		/^#+[ \t]/ {
			h = $0
			sub(/^#+[ \t]+/, "", h)
			sub(/[ \t]+#*[ \t]*$/, "", h)
			h = tolower(h)
			gsub(/[^a-z0-9 _-]/, "", h)
			gsub(/ /, "-", h)
			if (h in seen) { n = seen[h]++; print h "-" n } else { seen[h] = 1; print h }
		}' "$1"
}

# Prints "target" for every inline link [text](target) outside code fences and code spans.
links() {
	awk '
		/^[ \t]*```/ { fence = !fence; next }
		fence { next }
		{
			line = $0
			gsub(/`[^`]*`/, "", line)
			while (match(line, /\]\([^) \t]+\)/)) {
				print substr(line, RSTART + 2, RLENGTH - 3)
				line = substr(line, RSTART + RLENGTH)
			}
		}' "$1"
}

# 1. README size.
size=$(wc -c <README.md)
[ "$size" -lt 40000 ] || fail "README.md is $size bytes (keep it under 40,000: move detail into doc/)"

# 2. Relative links resolve, anchors included.
docs=(README.md doc/*.md)
nlinks=0
for f in "${docs[@]}"; do
	dir=$(dirname "$f")
	while IFS= read -r target; do
		case $target in
		http://* | https://* | mailto:*) continue ;;
		esac
		nlinks=$((nlinks + 1))
		path=${target%%#*}
		frag=
		[ "$path" = "$target" ] || frag=${target#*#}
		if [ -z "$path" ]; then
			file=$f
		else
			file=$dir/$path
		fi
		if [ ! -e "$file" ]; then
			fail "$f: link to $target: $file does not exist"
			continue
		fi
		if [ -n "$frag" ]; then
			case $file in
			*.md) anchors "$file" | grep -qxF -- "$frag" ||
				fail "$f: link to $target: no heading with anchor #$frag in $file" ;;
			*) fail "$f: link to $target: a #fragment into a file that is not Markdown" ;;
			esac
		fi
	done < <(links "$f")
done
[ "$nlinks" -gt 20 ] || fail "only $nlinks relative links found: the link scan is broken"

# 3. Every doc/ file is linked from the README (a newcomer finds it from there).
for f in doc/*.md; do
	grep -qF "]($f)" README.md || fail "README.md does not link $f"
done

# 4. Comments in the code cite only Markdown files that exist, and sections that exist.
ncites=0
while IFS=: read -r file line text; do
	[ "$file" = tests/e2e/test_docs.sh ] && continue
	# each .md name on the line, with what follows it
	rest=$text
	while [[ $rest =~ ([A-Za-z0-9_./-]+\.md)(.*) ]]; do
		cited=${BASH_REMATCH[1]}
		after=${BASH_REMATCH[2]}
		rest=$after
		ncites=$((ncites + 1))
		if [ -e "$cited" ]; then
			target=$cited
		elif [ -e "$(dirname "$file")/$cited" ]; then
			target=$(dirname "$file")/$cited
		else
			fail "$file:$line cites $cited, which is not in the repository (cite doc/NAME.md)"
			continue
		fi
		# "section 4.4", "sections 2-4", "sections 2, 3 and 9", "4.1-4.5"
		if [[ $after =~ ^,?\ (sections?\ )?([0-9]+(\.[0-9]+)?(( ?- ?|, | and )[0-9]+(\.[0-9]+)?)*) ]]; then
			for n in $(grep -oE '[0-9]+(\.[0-9]+)?' <<<"${BASH_REMATCH[2]}"); do
				re="^#+ ${n//./\\.}\\.? "
				grep -qE "$re" "$target" ||
					fail "$file:$line cites $cited section $n, but $target has no heading numbered $n"
			done
		fi
	done
done < <(grep -rnE '[A-Za-z0-9_./-]+\.md' src sim include tests bench cmake agent CMakeLists.txt do 2>/dev/null |
	grep -vE '^[^:]+\.md:' || true)
[ "$ncites" -gt 10 ] || fail "only $ncites citations found in the code: the scan is broken"

# 5. Repository paths the docs name in `code` exist (a glob must match), so a moved file is
#    noticed in the docs too (a bare top folder such as `agent/` is too vague to check).
#    udev/rules.d is the system folder, not ours.
npaths=0
while IFS= read -r span; do
	path=${span//\`/}
	case $path in udev/rules.d | *...*) continue ;; esac
	npaths=$((npaths + 1))
	case $path in
	*[*?[]*) compgen -G "$path" >/dev/null ;;
	*) [ -e "$path" ] ;;
	esac || fail "the docs name $path, which is not in the repository"
done < <(grep -ohE '`(src|sim|include|tests|bench|udev|cmake|completions|agent|doc)/[^` <>]+`' \
	"${docs[@]}" | sort -u)

[ "$fails" -eq 0 ] || echo "problems in the documentation (above)"
finish "docs: README.md $size bytes; $nlinks relative links, $npaths repository paths and $ncites citations in the code resolve"
