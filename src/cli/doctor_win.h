/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mtkbak doctor on Windows: which driver holds the watch and what to do (doctor_win.c). The
 * advice is a pure function of what SetupAPI reported, so its decision table is unit-tested
 * on every system; the SetupAPI scan itself is Windows-only. */
#ifndef MTKBAK_CLI_DOCTOR_WIN_H
#define MTKBAK_CLI_DOCTOR_WIN_H

#include <stdbool.h>

#include "doctor.h"

#define DOCTOR_WIN_MAX_DEVS 8

/* One device node of the watch (0E8D:0003) that Windows knows: connected now, or remembered
 * from an earlier plug-in (Windows keeps the driver choice per USB port). */
struct doctor_win_dev {
	char service[32]; /* the function driver's service: "usbser", "WinUSB", "" when none */
	char port[16];	  /* "COM5" when a serial driver made a port, else "" */
	bool present;	  /* connected now */
	unsigned problem; /* Device Manager's problem code when present (0: working) */
};

struct doctor_win_state {
	struct doctor_win_dev dev[DOCTOR_WIN_MAX_DEVS];
	int n;
	int scan_err;	    /* 0, or a negative code when SetupAPI could not be asked */
	bool usbdk;	    /* the UsbDk service is installed */
	bool usbdk_running; /* ... and running */
};

/* Adds the "windows-driver" (and "usbdk") findings for what the scan saw. */
void doctor_win_advise(const struct doctor_win_state *s, struct doctor_report *rep);

#ifdef _WIN32
/* Asks SetupAPI for every device node of the watch and the service manager for UsbDk. */
void doctor_win_scan(struct doctor_win_state *s);
#endif

#endif
