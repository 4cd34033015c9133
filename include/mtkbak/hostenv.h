/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The host environment, read from the files the kernel and udev keep: sysfs (which watches
 * are plugged in, which driver holds a USB interface, which tty it made), /proc (which
 * program has a tty open, whether a program runs), the udev database (whether ModemManager
 * is told to leave a device alone), udev rules folders and /etc/passwd, /etc/group. One
 * module for `doctor`, `list` and the USB backend alike, so they cannot disagree about one
 * watch.
 *
 * Every probe reads below a root ("" or NULL = the live system), so tests build a fake
 * /sys, /proc, /etc and /run tree and assert the exact answers. Linux-only probes answer
 * "nothing found" elsewhere. All reads are bounded (entries scanned, bytes read). */
#ifndef MTKBAK_HOSTENV_H
#define MTKBAK_HOSTENV_H

#include <stdbool.h>
#include <stddef.h>

#include "mtkbak/printf_attr.h"

/* ---- primitives (rooted paths, small reads) ---- */

/* root + formatted path into out (len bytes); false when it does not fit. */
bool hostenv_path(const char *root, char *out, size_t len, const char *fmt, ...) MTK_PRINTF(4, 5);
/* Reads at most len-1 bytes of a small file (sysfs attribute, /proc entry) and strips the
 * trailing newline. Returns the length or -errno. */
int hostenv_read_small(const char *path, char *buf, size_t len);
/* The last component of a symlink's target ("cdc_acm" for .../drivers/cdc_acm). */
bool hostenv_link_basename(const char *path, char *out, size_t len);

/* ---- USB devices in sysfs ---- */

#define HOSTENV_MAX_IFACES 4

/* A USB device as sysfs shows it. */
struct hostenv_usb {
	char name[32]; /* sysfs name = --port usb:NAME, e.g. "1-2.3" */
	unsigned vid, pid;
	unsigned busnum, devnum;
	char node[64]; /* /dev/bus/usb/BBB/DDD (without root) */
	char dev[16];  /* "189:4": key of udev's database entry */
	int config;    /* active configuration (bConfigurationValue; 1 when unreadable) */
	int nifaces;
	char iface_driver[HOSTENV_MAX_IFACES][32]; /* "" when none is bound */
	char tty[32];				   /* "ttyACM0" made by a driver, or "" */
};

/* Fills w (everything but name, which the caller sets) from sysfs below root: ids, bus
 * address, node, the active configuration's interfaces, their drivers and the first tty
 * (IFACE/tty/ttyACM0 as cdc_acm makes it, or IFACE/ttyUSB0 as usb-serial drivers do).
 * Returns 0, or -ENOENT when the device is not in sysfs. */
int hostenv_usb_describe(const char *root, const char *name, struct hostenv_usb *w);

/* Finds the USB devices vid:pid in sysfs below root, sorted by name; returns how many
 * (<= max), 0 when none or not on Linux. */
int hostenv_find_usb(const char *root, unsigned vid, unsigned pid, struct hostenv_usb *out,
		     size_t max);

/* The first interface driver of w ("" when none is bound). */
const char *hostenv_usb_first_driver(const struct hostenv_usb *w);

/* ---- processes (/proc) ---- */

/* Finds a process by its comm name; returns its lowest pid, 0 if none, -ENOENT without
 * /proc. */
long hostenv_find_process(const char *root, const char *comm);
/* Finds a process that has tty (e.g. "/dev/ttyACM0") open: returns its pid (the lowest) and
 * its comm in comm ("pid N" when unreadable), 0 and "" when none is seen (other users' fd
 * folders are unreadable without root). */
long hostenv_tty_holder(const char *root, const char *tty, char *comm, size_t len);

/* ---- the udev database ---- */

/* Whether udev marked the watch for ModemManager to ignore (E:ID_MM_DEVICE_IGNORE=1 in
 * /run/udev/data of the USB device, or of its tty): 1 yes, 0 an entry exists without it,
 * -1 no entry to look at. usb_dev is "189:4" ("" to skip), tty "ttyACM0" or "/dev/ttyACM0"
 * ("" to skip; its number comes from /sys/class/tty/NAME/dev). */
int hostenv_mm_ignored(const char *root, const char *usb_dev, const char *tty);

/* ---- udev rules ---- */

enum hostenv_rules_state {
	HOSTENV_RULES_NONE,
	HOSTENV_RULES_CURRENT,
	HOSTENV_RULES_DIFFER,
	HOSTENV_RULES_MASKED
};

struct hostenv_rules {
	enum hostenv_rules_state state;
	char path[256];		 /* the file udev uses (without root) */
	bool ours;		 /* the file names mtkbak in its first line */
	bool mm_ignore;		 /* it sets ID_MM_DEVICE_IGNORE */
	char group[32];		 /* its GROUP="..." ("" if none) */
	char other[256];	 /* RULES_NONE: another rules file that mentions 0e8d */
	bool other_late_uaccess; /* ...and tags uaccess from a file sorted after 73 */
};

/* Finds the rules file `name` in dirs (udev's order of priority) below root and compares
 * it with `expected`; when it is absent, looks for another tool's rules mentioning 0e8d. */
void hostenv_find_rules(const char *root, const char *const *dirs, size_t ndirs, const char *name,
			const char *expected, struct hostenv_rules *ri);

/* ---- users, groups, seats ---- */

/* Looks up a group by name in root/etc/group (then NSS on the live system): its gid and
 * whether user is listed as a member. */
bool hostenv_group_lookup(const char *root, const char *group, const char *user, unsigned *gid,
			  bool *user_listed);
/* Name of a uid or gid from root/etc/passwd (file "passwd") or root/etc/group ("group");
 * the number when unknown. */
void hostenv_id_name(const char *root, const char *file, unsigned id, char *out, size_t len);
/* True when logind reports uid as the active user of a seat (its name in seat). */
bool hostenv_seat_user(const char *root, unsigned uid, char *seat, size_t seatlen);

#endif
