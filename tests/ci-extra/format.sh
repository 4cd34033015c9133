#!/usr/bin/env bash
# Every C source and header follows the repository's .clang-format.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v clang-format >/dev/null 2>&1; then
	echo "SKIP: clang-format is not installed (apt-get install clang-format)"
	exit 77
fi
bad=0
for f in $(git ls-files '*.c' '*.h' 2>/dev/null || find src include sim tests -name '*.[ch]'); do
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "not formatted: $f (run: clang-format -i $f)"
		bad=1
	fi
done
[ $bad -eq 0 ] && echo "format: every C file follows .clang-format"
exit $bad
