#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# mtkbak list: runs anywhere (no USB bus is fine), text and --json.
set -u
. "$(dirname "$0")/lib.sh"
need MTKBAK
out=$("$MTKBAK" list 2>&1) || fail "list exit $?: $out"
echo "$out" | grep -q '^USB devices in boot-ROM mode (0E8D:0003):$' || fail "usb header: $out"
echo "$out" | grep -q '^Serial ports:$' || fail "serial header: $out"
json=$("$MTKBAK" --json list) || fail "json exit $?"
echo "$json" | grep -q '^{"event":"list","usb":\[.*\],"serial":\[.*\]' || fail "json: $json"
"$MTKBAK" list extra 2>/dev/null; [ $? -eq 2 ] || fail "extra argument accepted"
"$MTKBAK" list --help | grep -q 'bus-port path' || fail "help"
finish
