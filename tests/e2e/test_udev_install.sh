#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# mtkbak udev --install --root DIR: writes DIR/etc/udev/rules.d/60-mtkbak.rules atomically,
# says when nothing changed, replaces older mtkbak rules, refuses someone else's file without
# --force, names the cause and the fix when it cannot write. Never touches the live /etc.
. "$(dirname "$0")/lib.sh"
set -euo pipefail
need MTKBAK
need MTKBAK_SRC
rules=$MTKBAK_SRC/udev/60-mtkbak.rules
chmod 755 "$tmp"
# t NAME EXPECTED_RC ARGS...: runs mtkbak, keeps stdout/stderr in $tmp/NAME.{out,err}
t() {
	local name=$1 want=$2 rc
	shift 2
	set +e
	"$MTKBAK" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	set -e
	[ "$rc" = "$want" ] || fail "$name: exit $rc, expected $want (stderr: $(cat "$tmp/$name.err"))"
}
R=$tmp/root
f=$R/etc/udev/rules.d/60-mtkbak.rules

# Fresh install into an empty root: folders created, exact bytes, 0644, no .part left.
t fresh 0 udev --install --root "$R"
cmp -s "$f" "$rules" || fail "fresh: installed file differs from udev/60-mtkbak.rules"
[ "$(stat -c %a "$f")" = 644 ] || fail "fresh: mode $(stat -c %a "$f"), expected 644"
[ "$(ls -A "$R/etc/udev/rules.d")" = "60-mtkbak.rules" ] || fail "fresh: extra files: $(ls -A "$R/etc/udev/rules.d")"
grep -qxF "Installed the udev rules: $f" "$tmp/fresh.out" || fail "fresh: message: $(cat "$tmp/fresh.out")"
! grep -q udevadm "$tmp/fresh.out" "$tmp/fresh.err" || fail "fresh: --root must not mention reloading the live udev"

# Again: nothing to do.
t again 0 udev --install --root "$R"
grep -qxF "The udev rules are already installed and current: $f" "$tmp/again.out" ||
	fail "again: message: $(cat "$tmp/again.out")"

# An older mtkbak version is replaced without --force.
sed -i 's/MODE="0660"/MODE="0666"/' "$f"
t upgrade 0 udev --install --root "$R"
cmp -s "$f" "$rules" || fail "upgrade: not replaced"

# Someone else's 60-mtkbak.rules: refused (73) and untouched, replaced with --force.
echo 'SUBSYSTEM=="usb", MODE="0666"' >"$f"
t foreign 73 udev --install --root "$R"
grep -qxF "mtkbak: error: $f exists and was not written by mtkbak" "$tmp/foreign.err" ||
	fail "foreign: message: $(cat "$tmp/foreign.err")"
grep -qF "hint: look at it first; 'sudo mtkbak udev --install --force' replaces it" "$tmp/foreign.err" ||
	fail "foreign: hint: $(cat "$tmp/foreign.err")"
[ "$(cat "$f")" = 'SUBSYSTEM=="usb", MODE="0666"' ] || fail "foreign: file was changed"
t force 0 udev --install --root "$R" --force
cmp -s "$f" "$rules" || fail "force: not replaced"

# --json result.
rm -rf "$R"
t json 0 --json udev --install --root "$R"
python3 - "$tmp/json.out" "$f" <<'EOF' || fail "json: $(cat "$tmp/json.out")"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
o = json.loads(lines[0])
assert o == {"event": "udev-install", "path": sys.argv[2], "changed": True, "reloaded": False}, o
EOF
t json2 0 udev --json --install --root "$R"
grep -qF '"changed":false' "$tmp/json2.out" || fail "json2: $(cat "$tmp/json2.out")"

# Cannot write: a file where the folder should be, and (as root) an unprivileged user.
mkdir -p "$tmp/bad/etc/udev"
: >"$tmp/bad/etc/udev/rules.d"
t notdir 73 udev --install --root "$tmp/bad"
grep -qF "mtkbak: error: cannot write $tmp/bad/etc/udev/rules.d/60-mtkbak.rules: Not a directory" "$tmp/notdir.err" ||
	fail "notdir: message: $(cat "$tmp/notdir.err")"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	mkdir -p "$tmp/ro/etc/udev/rules.d"
	set +e
	setpriv --reuid=65534 --regid=65534 --clear-groups "$MTKBAK" udev --install --root "$tmp/ro" \
		>/dev/null 2>"$tmp/ro.err"
	rc=$?
	set -e
	[ $rc -eq 77 ] || fail "unprivileged: exit $rc, expected 77"
	grep -qF "hint: installing the rules needs root: sudo mtkbak udev --install" "$tmp/ro.err" ||
		fail "unprivileged: hint: $(cat "$tmp/ro.err")"
	[ -z "$(ls -A "$tmp/ro/etc/udev/rules.d")" ] || fail "unprivileged: left files behind"
fi

# Without --root on a system without udev (a container): refused, nothing created. Only run
# where /etc/udev is absent, so the test never writes the live system's rules.
if [ ! -e /etc/udev ]; then
	t noudev 69 udev --install
	grep -qF "mtkbak: error: this system has no /etc/udev: udev is not installed (a container?)" "$tmp/noudev.err" ||
		fail "noudev: message: $(cat "$tmp/noudev.err")"
	[ ! -e /etc/udev ] || fail "noudev: /etc/udev was created"
fi

# Usage errors.
t usage1 2 udev --root "$R"
grep -qF -- "--root, --force and --no-reload only go with --install" "$tmp/usage1.err" || fail "usage1"
t usage2 2 udev extra
grep -qF "udev takes no arguments ('extra')" "$tmp/usage2.err" || fail "usage2"
t usage3 2 udev --bogus
t help 0 udev --help
grep -q "^usage: mtkbak udev" "$tmp/help.out" || fail "help"

finish "udev --install: ok"
