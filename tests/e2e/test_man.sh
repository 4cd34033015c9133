#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# doc/mtkbak.1: formats without a single groff warning, carries the binary's version, and
# documents every command of 'mtkbak help', every option each command's --help shows, every
# exit code of include/mtkbak/errors.h and every file a pull writes.
. "$(dirname "$0")/lib.sh"
set -euo pipefail
need MTKBAK
need MTKBAK_SRC
page=$MTKBAK_SRC/doc/mtkbak.1
if ! command -v groff >/dev/null 2>&1; then
	echo "SKIP: groff is not installed (Debian package groff-base)"
	exit 77
fi

# 1. groff with every warning on: no output at all, at two widths.
for width in 80 60; do
	groff -man -Tutf8 -ww -rLL=${width}n -z "$page" 2>"$tmp/groff.err" || fail "groff exit status"
	[ ! -s "$tmp/groff.err" ] || {
		fail "groff warnings at width $width:"
		cat "$tmp/groff.err"
	}
done
if command -v man >/dev/null 2>&1; then
	MANWIDTH=80 man --warnings -l "$page" >"$tmp/man.txt" 2>"$tmp/man.err" || fail "man -l exit status"
	[ ! -s "$tmp/man.err" ] || {
		fail "man --warnings:"
		cat "$tmp/man.err"
	}
	grep -q "^NAME" "$tmp/man.txt" || fail "man -l rendered no NAME section"
fi

# 2. Version: .TH carries the same version as 'mtkbak --version'.
version=$("$MTKBAK" --version | awk '{print $2}')
grep -q "^\.TH MTKBAK 1 \"[0-9-]*\" \"mtkbak $version\"" "$page" ||
	fail "the .TH line does not say mtkbak $version: $(grep '^\.TH' "$page")"

# 3. Commands and options, exit codes, files.
python3 - "$MTKBAK" "$page" "$MTKBAK_SRC/include/mtkbak/errors.h" <<'EOF' || fail "content"
import re, subprocess, sys
mtkbak, page, errors_h = sys.argv[1:]
src = open(page).read().replace("\\-", "-").replace("\\&", "")
bad = []

def commands():
    out = subprocess.run([mtkbak, "help"], capture_output=True, text=True).stdout
    block = out.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    return [l.split()[0] for l in block.splitlines() if l.strip()]

def options(cmd):
    """Long and short options of a command, from its --help (None when it has none yet)."""
    r = subprocess.run([mtkbak, cmd, "--help"], capture_output=True, text=True)
    if r.returncode != 0 or not r.stdout.startswith("usage:"):
        return None
    usage = r.stdout.split("\n\n", 1)[0]
    opts = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])", usage))
    for line in r.stdout.splitlines():
        m = re.match(r"^\s+((?:-[a-zA-Z]|--[a-z][a-z0-9-]*)(?:, (?:-[a-zA-Z]+|--[a-z][a-z0-9-]*))*)", line)
        if m:
            opts |= set(re.findall(r"--[a-z][a-z0-9-]*|-[a-zA-Z](?![a-zA-Z])", m.group(1)))
    return opts

def section(name):
    m = re.search(r'^\.SS "mtkbak %s"\n(.*?)(?=^\.S[SH] )' % re.escape(name), src, re.S | re.M)
    return m.group(1) if m else None

common = section_common = re.search(r"^\.SH COMMON OPTIONS\n(.*?)(?=^\.SH )", src, re.S | re.M).group(1)
cmds = commands()
assert "help" in cmds and "pull" in cmds, cmds
for c in cmds:
    s = section(c)
    if s is None:
        bad.append(f"no '.SS \"mtkbak {c}\"' section")
        continue
    if not re.search(r'^\.SY "mtkbak %s"' % re.escape(c), src, re.M):
        bad.append(f"{c}: not in the SYNOPSIS")
    opts = options(c)
    if opts is None:
        print(f"note: 'mtkbak {c} --help' gives no options yet; checked its section exists only")
        continue
    for o in sorted(opts):
        if re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(o), s):
            continue
        if re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(o), common):
            continue
        bad.append(f"{c}: option {o} (from its --help) is not documented in its section")

codes = sorted({int(v) for v in re.findall(r"MTK_EXIT_\w+ = (\d+)", open(errors_h).read())})
assert codes, "no exit codes found in errors.h"
exits = re.search(r"^\.SH EXIT STATUS\n(.*?)(?=^\.SH )", src, re.S | re.M).group(1)
documented = {int(v) for v in re.findall(r"^\.B (\d+)$", exits, re.M)}
for c in codes:
    if c not in documented:
        bad.append(f"exit code {c} (errors.h) is not under EXIT STATUS")
for c in documented - set(codes):
    bad.append(f"EXIT STATUS lists {c}, which errors.h does not define")

files = re.search(r"^\.SH FILES\n(.*?)(?=^\.SH )", src, re.S | re.M).group(1)
for f in ["readback.bin", "readback.bin.sha256", "BOOTLOADER", "EXT_BOOTLOADER", "ROM", "VIVA",
          "<PLATFORM>.cfg", "FAT.bin", "report.txt", "report.json", "SHA256SUMS", "mtkbak.log"]:
    if f not in files:
        bad.append(f"FILES does not list {f}")
for spec in ["auto", "usb", "usb:", "serial:", "sim:", "sim:demo"]:
    if not re.search(r"^\.(B|BI|BR) %s" % re.escape(spec), src, re.M):
        bad.append(f"PORT SPECIFICATIONS lacks {spec}")
for s in ["ENVIRONMENT", "EXAMPLES", "RESTORING WITH SP FLASH TOOL", "SEE ALSO"]:
    if not re.search(r"^\.SH %s$" % s, src, re.M):
        bad.append(f"no {s} section")
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
EOF

finish "man page: ok"
