# Shared set-up of the `mtkbak read` end-to-end tests (sourced, not a test itself): checks the
# environment, makes and enters a temporary folder ($tmp, removed on exit), and defines
# fail/has/json_field. $fwimg is the test image tool.
set -euo pipefail
: "${MTKBAK:?set MTKBAK to the mtkbak binary}"
: "${MTKBAK_BUILD:?set MTKBAK_BUILD to the build folder}"
fwimg=$MTKBAK_BUILD/tests/fwimg
if [ ! -x "$fwimg" ]; then
	echo "SKIP: $fwimg (the test image tool) is not built"
	exit 77
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d)
pid= # a background mtkbak a test may start; killed on exit
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp"
. "$here/norlog_lib.sh" "$tmp"
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
has() { # has FILE TEXT
	grep -qF -- "$2" "$1" || fail "$1 lacks '$2': $(head -c 3000 "$1")"
}
json_field() { # json_field FILE KEY: the value of KEY in the "read" event
	python3 -c 'import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("event") == "read":
        print(e[sys.argv[2]])' "$1" "$2"
}
