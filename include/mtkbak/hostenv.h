/* The host environment, read from the files the kernel and udev keep: sysfs (which driver
 * holds a USB interface, which tty it made), /proc (which program has a tty open) and the
 * udev database (whether ModemManager is told to leave a device alone). One module for
 * `doctor`, `list` and the USB backend alike, so they cannot disagree about one watch.
 *
 * Every probe reads below a root ("" or NULL = the live system), so tests build a fake
 * /sys, /proc and /run tree and assert the exact answers. Linux-only probes answer "nothing
 * found" elsewhere. All reads are bounded (entries scanned, bytes read). */
#ifndef MTKBAK_HOSTENV_H
#define MTKBAK_HOSTENV_H

#include <stdbool.h>
#include <stddef.h>

/* The kernel driver bound to interface itf of the USB device at sysfs name `dev` ("1-2.3"),
 * in its active configuration; out stays "" when none. */
void hostenv_usb_driver(const char *root, const char *dev, int itf, char *out, size_t len);
/* The tty (/dev/ttyACM0) the kernel made for that interface (tty/NAME or ttyNAME layouts);
 * out stays "" when none. */
void hostenv_usb_tty(const char *root, const char *dev, int itf, char *out, size_t len);
/* The program (its comm) that has the tty at path (/dev/ttyACM0) open; "" when none. */
void hostenv_tty_holder(const char *root, const char *tty, char *out, size_t len);
/* udev's ID_MM_DEVICE_IGNORE=1 for the tty at path (from /run/udev/data). */
bool hostenv_mm_ignored(const char *root, const char *tty);

#endif
