/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Windows side of serial.c (serial_win.c): cable-gone detection and libserialport's error
 * codes, which on Windows are GetLastError() values. */
#ifndef MTKBAK_SERIAL_WIN_H
#define MTKBAK_SERIAL_WIN_H

#ifdef _WIN32
#include <stdbool.h>
#include <stdint.h>

struct serial_gone {
	int64_t checked_ms; /* when the port list was last read (0: never) */
	bool gone;
};

/* Whether port NAME ("COM5") has left the system's port list (the cable was pulled). A DOS
 * device name always "exists" for access(), so this asks libserialport, at most every 250 ms;
 * in between the last answer is kept. */
bool serial_win_gone(const char *name, struct serial_gone *g);
/* The last libserialport failure (SP_ERR_FAIL) as a negative errno-style code. */
int serial_win_last_error(void);
#endif

#endif
