/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Windows-only helpers (src/util/win32.c) and the Win32 error table (src/util/winerr.c, built
 * everywhere so its unit test runs on Linux). */
#ifndef MTKBAK_WIN32_H
#define MTKBAK_WIN32_H

#include <stdbool.h>
#include <stdio.h>

/* A negative errno-style code for a GetLastError() value. device: the code came from a serial
 * port or USB device (a vanished device reads as -ENODEV, a port another program holds as
 * -EBUSY), not from a file. */
int win32_errno(unsigned long code, bool device);

#ifdef _WIN32
enum win32_console {
	WIN32_NOT_CONSOLE = 0, /* a file, a pipe or NUL */
	WIN32_CONSOLE_PLAIN,   /* a console that does not take VT sequences */
	WIN32_CONSOLE_VT       /* ENABLE_VIRTUAL_TERMINAL_PROCESSING is on */
};
/* What stdout is; turns VT processing on when the console allows it. */
enum win32_console win32_console_stdout(void);
/* tmpfile() that works without administrator rights (msvcrt's writes to C:\). */
FILE *win32_tmpfile(void);
#endif

#endif
