# SPDX-License-Identifier: GPL-3.0-or-later
# The one preamble of the end-to-end tests: every tests/e2e/test_*.sh sources it first
# (it is not a test itself). It gives each test a fresh temporary folder and one way to fail:
#
#   need VAR...         the environment ctest sets (MTKBAK, MTKBAK_BUILD, MTKBAK_SRC)
#   skip MESSAGE        prints "SKIP: MESSAGE" and exits 77 (ctest counts it as skipped)
#   fail MESSAGE        prints "FAIL: MESSAGE" and counts it; the test goes on, so one run
#                       shows every failure, and it exits 1 at the end whatever comes after
#   finish [TEXT]       the last line of a test: "N check(s) failed" and exit 1, or TEXT
#   on_exit COMMAND     runs COMMAND (a string) when the test exits, before $tmp goes
#   has FILE TEXT       fails unless FILE contains TEXT
#   need_fwimg          sets $fwimg to the test image tool (tests/tools/fwimg.c) or skips
#   json_field FILE KEY the value of KEY in the "read" event of a --json log
#
# $tmp is the test's temporary folder (removed on exit); set $pid to a background process
# the test starts and it is killed on exit. lib.sh sets only `set -u`: a test that wants
# -e or pipefail says so itself.
set -u

fails=0
pid=
tmp=$(mktemp -d) || {
	echo "FAIL: mktemp"
	exit 1
}
_lib_on_exit=()

on_exit() {
	_lib_on_exit+=("$1")
}

_lib_exit() {
	local rc=$1 c
	set +e
	for c in "${_lib_on_exit[@]+"${_lib_on_exit[@]}"}"; do
		eval "$c"
	done
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	cd / && rm -rf "$tmp"
	if [ "$fails" -gt 0 ]; then
		[ "$rc" -eq 1 ] || echo "$fails check(s) failed"
		exit 1
	fi
	exit "$rc"
}
trap '_lib_exit $?' EXIT

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
	return 0
}

skip() {
	echo "SKIP: $*"
	exit 77
}

finish() {
	if [ "$fails" -gt 0 ]; then
		echo "$fails check(s) failed"
		exit 1
	fi
	echo "${1:-ok}"
	exit 0
}

need() {
	local v
	for v in "$@"; do
		if [ -z "${!v:-}" ]; then
			echo "FAIL: set $v (ctest sets it)"
			exit 2
		fi
	done
}

has() { # has FILE TEXT
	grep -qF -- "$2" "$1" || fail "$1 lacks '$2': $(head -c 3000 "$1")"
}

need_fwimg() {
	need MTKBAK_BUILD
	fwimg=$MTKBAK_BUILD/tests/fwimg
	[ -x "$fwimg" ] || skip "$fwimg (the test image tool) is not built"
}

json_field() { # json_field FILE KEY: the value of KEY in the "read" event
	python3 -c 'import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("event") == "read":
        print(e[sys.argv[2]])' "$1" "$2"
}
