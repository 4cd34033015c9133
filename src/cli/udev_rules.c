/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The udev rules text, the same bytes as udev/60-mtkbak.rules (tests/e2e/test_udev_rules.sh
 * fails when the two differ). Used by 'mtkbak udev' and by 'mtkbak doctor'. */
#include "udev_rules.h"

const char mtkbak_udev_rules[] =
    "# udev rules for mtkbak: MediaTek MT6250/MT6260/MT6261/MT2502/MT2503 boot ROM (USB download\n"
    "# mode, 0E8D:0003). Install with 'sudo mtkbak udev --install', or copy this file to\n"
    "# /etc/udev/rules.d/ and run 'sudo udevadm control --reload-rules && sudo udevadm trigger',\n"
    "# then unplug and replug the watch.\n"
    "#\n"
    "# The name sorts before 73-seat-late.rules so that TAG+=\"uaccess\" takes effect: the user\n"
    "# logged in at the machine gets access. GROUP=\"plugdev\" covers users without a local seat\n"
    "# (ssh, headless): 'sudo usermod -aG plugdev USER', then log in again. The boot ROM's serial\n"
    "# port keeps the system's default group (dialout on Debian).\n"
    "# ID_MM_DEVICE_IGNORE keeps ModemManager from probing the watch with AT commands during its\n"
    "# few-second boot-ROM window.\n"
    "\n"
    "ACTION==\"remove\", GOTO=\"mtkbak_end\"\n"
    "\n"
    "# The USB device node (/dev/bus/usb/BBB/DDD) that mtkbak opens through libusb.\n"
    "SUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\", ATTR{idVendor}==\"0e8d\", "
    "ATTR{idProduct}==\"0003\", TAG+=\"uaccess\", GROUP=\"plugdev\", MODE=\"0660\", "
    "ENV{ID_MM_DEVICE_IGNORE}=\"1\"\n"
    "\n"
    "# The serial port cdc_acm makes for it (/dev/ttyACM*), used by --port serial:PATH.\n"
    "SUBSYSTEM==\"tty\", ATTRS{idVendor}==\"0e8d\", ATTRS{idProduct}==\"0003\", TAG+=\"uaccess\", "
    "ENV{ID_MM_DEVICE_IGNORE}=\"1\"\n"
    "\n"
    "LABEL=\"mtkbak_end\"\n";

const char mtkbak_udev_rules_name[] = "60-mtkbak.rules";
