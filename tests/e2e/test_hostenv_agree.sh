#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `list` and `doctor` read the host through one module (src/hostenv): on one fake host
# (MTKBAK_SYSROOT) they name the same driver, tty, holder and ModemManager mark for a watch.
# The watch sits in configuration 2 with a usb-serial tty in the IFACE/ttyNAME layout, which
# the old USB-backend probe (configuration 1, tty/ only) could not see.
set -u
. "$(dirname "$0")/lib.sh"
need MTKBAK
R=$tmp/root
s=$R/sys/bus/usb/devices
mkdir -p "$s/1-3" "$s/1-3:2.0/ttyUSB4" "$R/dev/bus/usb/001" "$R/proc/1/fd" "$R/proc/640/fd" \
	"$R/etc" "$R/run/udev/data" "$R/sys/class/tty/ttyUSB4"
echo 0e8d >"$s/1-3/idVendor"
echo 0003 >"$s/1-3/idProduct"
echo 1 >"$s/1-3/busnum"
echo 7 >"$s/1-3/devnum"
echo 2 >"$s/1-3/bConfigurationValue"
echo 189:6 >"$s/1-3/dev"
ln -s ../../../../bus/usb/drivers/option "$s/1-3:2.0/driver"
: >"$R/dev/bus/usb/001/007"
: >"$R/dev/ttyUSB4"
echo 188:4 >"$R/sys/class/tty/ttyUSB4/dev"
echo systemd >"$R/proc/1/comm"
printf 'root:x:0:0::/root:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\nplugdev:x:46:\n' >"$R/etc/group"

# 1. ModemManager holds the watch's tty.
echo ModemManager >"$R/proc/640/comm"
ln -s /dev/ttyUSB4 "$R/proc/640/fd/9"
list=$(MTKBAK_SYSROOT=$R "$MTKBAK" --json list) || fail "list exit $?: $list"
want='"usb":[{"path":"1-3","vid":"0x0E8D","pid":"0x0003","watch":true,"driver":"option","tty":"/dev/ttyUSB4","held_by":"ModemManager","modemmanager_ignores":false'
case $list in *"$want"*) ;; *) fail "list: want $want in: $list" ;; esac
doc=$(MTKBAK_SYSROOT=$R "$MTKBAK" doctor 2>&1)
echo "$doc" | grep -qF 'usb:1-3: option is bound (serial port /dev/ttyUSB4)' || fail "doctor driver/tty: $doc"
echo "$doc" | grep -qF 'ModemManager (pid 640) has the watch'"'"'s serial port /dev/ttyUSB4 open' ||
	fail "doctor holder: $doc"

# 2. ModemManager runs but holds nothing, and udev marked the tty to be ignored.
rm "$R/proc/640/fd/9"
echo 'E:ID_MM_DEVICE_IGNORE=1' >"$R/run/udev/data/c188:4"
list=$(MTKBAK_SYSROOT=$R "$MTKBAK" --json list) || fail "list exit $?: $list"
want='"driver":"option","tty":"/dev/ttyUSB4","held_by":null,"modemmanager_ignores":true'
case $list in *"$want"*) ;; *) fail "list: want $want in: $list" ;; esac
doc=$(MTKBAK_SYSROOT=$R "$MTKBAK" doctor 2>&1)
echo "$doc" | grep -qF 'udev marked the connected watch to be ignored' || fail "doctor mm: $doc"

# 3. Text output of list names the same driver and tty.
txt=$(MTKBAK_SYSROOT=$R "$MTKBAK" list) || fail "list text exit $?"
echo "$txt" | grep -qE '^  usb:1-3 +0E8D:0003  driver option +/dev/ttyUSB4$' || fail "list text: $txt"
finish
