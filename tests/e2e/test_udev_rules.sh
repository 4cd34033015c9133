#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# udev/60-mtkbak.rules: the text built into mtkbak is the file byte for byte, the file says
# what it must (uaccess before 73, group, ModemManager ignore on the USB device and the tty),
# and every line is valid udev rule syntax. Uses 'udevadm verify' too when udevadm has it.
. "$(dirname "$0")/lib.sh"
set -euo pipefail
need MTKBAK
need MTKBAK_SRC
rules=$MTKBAK_SRC/udev/60-mtkbak.rules

# 1. mtkbak udev: the rules on stdout, byte for byte; the instructions on stderr.
"$MTKBAK" udev >"$tmp/out" 2>"$tmp/err"
cmp "$tmp/out" "$rules" || {
	fail "'mtkbak udev' differs from udev/60-mtkbak.rules (update src/cli/udev_rules.c)"
	diff -u "$rules" "$tmp/out" | head -20 || true
}
for want in "sudo mtkbak udev --install" \
	"mtkbak udev | sudo tee /etc/udev/rules.d/60-mtkbak.rules >/dev/null" \
	"sudo udevadm control --reload-rules && sudo udevadm trigger --subsystem-match=usb --subsystem-match=tty" \
	"then unplug the watch and plug it in again." \
	"sudo usermod -aG plugdev \"\$USER\""; do
	grep -qF -- "$want" "$tmp/err" || fail "instructions lack: $want"
done
"$MTKBAK" udev -q >"$tmp/q" 2>"$tmp/qerr"
cmp -s "$tmp/q" "$rules" || fail "udev -q: rules differ"
[ ! -s "$tmp/qerr" ] || fail "udev -q printed instructions: $(cat "$tmp/qerr")"

# 2. --json: one object whose rules are the file.
"$MTKBAK" udev --json >"$tmp/json"
python3 - "$tmp/json" "$rules" <<'EOF' || fail "udev --json"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
o = json.loads(lines[0])
assert o["event"] == "udev" and o["file"] == "60-mtkbak.rules", o
assert o["install_path"] == "/etc/udev/rules.d/60-mtkbak.rules" and o["group"] == "plugdev", o
assert o["rules"] == open(sys.argv[2]).read(), "rules text differs"
assert o["reload_commands"] == ["udevadm control --reload-rules",
                                "udevadm trigger --subsystem-match=usb --subsystem-match=tty"], o
EOF

# 3. Syntax and content of the file itself.
python3 - "$rules" <<'EOF' || fail "rules file syntax/content"
import os, re, sys
path = sys.argv[1]
name = os.path.basename(path)
num = int(name.split("-")[0])
assert num < 73, f"{name}: must sort before 73-seat-late.rules for uaccess"
text = open(path).read()
assert text.endswith("\n") and "\r" not in text and "\t" not in text
MATCH = {"ACTION", "SUBSYSTEM", "SUBSYSTEMS", "KERNEL", "KERNELS", "DRIVER", "DRIVERS",
         "DEVPATH", "ATTR", "ATTRS", "ENV", "TAG", "TAGS", "TEST", "PROGRAM", "RESULT"}
ASSIGN = {"GOTO", "LABEL", "TAG", "ENV", "GROUP", "OWNER", "MODE", "SYMLINK", "RUN",
          "IMPORT", "OPTIONS", "ATTR", "NAME"}
tok = re.compile(r'\s*([A-Z_]+)(?:\{([A-Za-z0-9_]+)\})?\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*(,|$)')
labels, gotos, rules = set(), set(), []
for n, line in enumerate(text.splitlines(), 1):
    if not line.strip() or line.lstrip().startswith("#"):
        continue
    assert not line.endswith("\\"), f"line {n}: keep each rule on one line"
    pos, keys = 0, []
    while pos < len(line):
        m = tok.match(line, pos)
        assert m, f"line {n}: cannot parse at column {pos}: {line[pos:]!r}"
        key, attr, op, val, _ = m.groups()
        if op in ("==", "!="):
            assert key in MATCH, f"line {n}: {key} cannot be matched"
        else:
            assert key in ASSIGN, f"line {n}: {key} cannot be assigned"
        if key in ("ATTR", "ATTRS", "ENV"):
            assert attr, f"line {n}: {key} needs {{name}}"
        if key == "LABEL":
            labels.add(val)
        if key == "GOTO":
            gotos.add(val)
        if key == "MODE":
            assert re.fullmatch(r"0[0-7]{3}", val), f"line {n}: MODE {val}"
        keys.append((key, attr, op, val))
        pos = m.end()
    rules.append(keys)
assert gotos <= labels, f"GOTO without LABEL: {gotos - labels}"
def has(rule, key, attr, op, val):
    return (key, attr, op, val) in rule
usb = [r for r in rules if has(r, "SUBSYSTEM", None, "==", "usb")]
tty = [r for r in rules if has(r, "SUBSYSTEM", None, "==", "tty")]
assert len(usb) == 1 and len(tty) == 1, (usb, tty)
u, t = usb[0], tty[0]
for k in [("ENV", "DEVTYPE", "==", "usb_device"), ("ATTR", "idVendor", "==", "0e8d"),
          ("ATTR", "idProduct", "==", "0003"), ("TAG", None, "+=", "uaccess"),
          ("GROUP", None, "=", "plugdev"), ("MODE", None, "=", "0660"),
          ("ENV", "ID_MM_DEVICE_IGNORE", "=", "1")]:
    assert has(u, *k), f"usb rule lacks {k}"
for k in [("ATTRS", "idVendor", "==", "0e8d"), ("ATTRS", "idProduct", "==", "0003"),
          ("TAG", None, "+=", "uaccess"), ("ENV", "ID_MM_DEVICE_IGNORE", "=", "1")]:
    assert has(t, *k), f"tty rule lacks {k}"
assert not any(k[0] == "MODE" and k[3] == "0666" for r in rules for k in r), "no world access"
EOF

# 4. The group the rules use exists on a stock Debian system.
if [ -r /usr/share/base-passwd/group.master ]; then
	grep -q '^plugdev:' /usr/share/base-passwd/group.master ||
		fail "plugdev is not in Debian's base-passwd group.master"
fi

# 5. udevadm verify (systemd >= 253) where present; Debian 12's udevadm does not have it.
if command -v udevadm >/dev/null 2>&1 && udevadm verify --help >/dev/null 2>&1; then
	udevadm verify --resolve-names=never "$rules" || fail "udevadm verify rejects the rules"
else
	echo "note: udevadm verify not available; used the built-in syntax check only"
fi

finish "udev rules: ok"
