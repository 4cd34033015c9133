/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The checks behind 'mtkbak doctor': can this user open the watch, are the udev rules installed,
 * is ModemManager in the way, which kernel driver holds the watch, is there a serial port.
 *
 * Every probe reads files below env->root ("" on a live system), so tests can build a fake
 * /sys, /dev, /proc, /etc and /run tree and assert the exact findings (MTKBAK_SYSROOT).
 * The live-only probes (libusb open, libserialport port list) come in as callbacks from
 * cmd_doctor.c. The sysfs/udev/proc checks are Linux-only; elsewhere doctor_run explains
 * that and still runs the portable checks. */
#ifndef MTKBAK_CLI_DOCTOR_H
#define MTKBAK_CLI_DOCTOR_H

#include <stdbool.h>

#include "mtkbak/printf_attr.h"
#include <stddef.h>

enum doctor_status { DOCTOR_OK, DOCTOR_INFO, DOCTOR_WARN, DOCTOR_FAIL };

struct doctor_finding {
	char id[24];		   /* "usb-access", "udev-rules", ... (stable, for scripts) */
	enum doctor_status status; /* DOCTOR_FAIL: this would stop a pull */
	int exit_code;		   /* for DOCTOR_FAIL: 77 permission, 69 device unavailable */
	char message[512];
	char fix[384]; /* "" when there is nothing to do */
};

#define DOCTOR_MAX_FINDINGS 32

struct doctor_report {
	struct doctor_finding f[DOCTOR_MAX_FINDINGS];
	size_t n;
};

/* A serial port as a port lister sees it. */
struct doctor_serial {
	char path[64];		 /* "/dev/ttyACM0", "COM5" */
	unsigned vid, pid;	 /* 0 when not a USB port */
	char usb_name[32];	 /* sysfs name of the USB device ("1-2"), "" if unknown */
	unsigned busnum, devnum; /* USB bus and address when known (0 if not) */
};

#define DOCTOR_MAX_GROUPS 64

struct doctor_env {
	const char *root; /* prefix for /sys /dev /proc /etc /run /lib /usr; "" = live system */
	unsigned uid;
	unsigned gids[DOCTOR_MAX_GROUPS]; /* groups of this process (primary included) */
	size_t ngids;
	char user[64];	    /* login name of uid ("uid 1000" when unknown) */
	char sudo_user[64]; /* SUDO_USER when run through sudo, else "" */
	/* Tries to open the USB device BUS:DEV as the live system would (libusb): 0, -EACCES,
	 * -EBUSY, -ENODEV, -ENOTSUP; -ENOSYS means "could not tell, use file permissions".
	 * NULL: file permissions only. */
	int (*usb_open)(void *ctx, unsigned bus, unsigned dev);
	/* Lists serial ports into out (at most max); returns the count or a negative errno.
	 * NULL: read them from sysfs below root. */
	int (*list_serial)(void *ctx, struct doctor_serial *out, size_t max);
	void *ctx;
};

/* Fills uid, groups, user and sudo_user from this process; root from the argument. */
void doctor_env_from_process(struct doctor_env *env, const char *root);

/* Runs every check and fills the report. */
void doctor_run(const struct doctor_env *env, struct doctor_report *rep);

/* The exit code for the report: 0 when nothing would stop a pull, else 77 when a
 * permission problem is among the failures, 69 otherwise. */
int doctor_exit_code(const struct doctor_report *rep);

const char *doctor_status_name(enum doctor_status s);

/* Adds a finding (ignored when the report is full); fix may be NULL. */
void doctor_add(struct doctor_report *rep, const char *id, enum doctor_status st, int exit_code,
		const char *fix, const char *fmt, ...) MTK_PRINTF(6, 7);

#endif
