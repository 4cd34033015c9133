/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The few POSIX calls mtkbak uses that Windows (mingw-w64) spells differently. Everything
 * else in the portable layers is C11 + stdio. */
#ifndef MTKBAK_COMPAT_H
#define MTKBAK_COMPAT_H

#include <fcntl.h>
#ifndef O_BINARY
#define O_BINARY 0 /* Windows: open() without it turns LF into CRLF and stops at 0x1A */
#endif

#ifdef _WIN32
#include <direct.h>
#include <io.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

static inline ssize_t compat_pread(int fd, void *buf, size_t n, int64_t off)
{
	if (_lseeki64(fd, off, SEEK_SET) < 0)
		return -1;
	return _read(fd, buf, (unsigned)n);
}

static inline ssize_t compat_pwrite(int fd, const void *buf, size_t n, int64_t off)
{
	if (_lseeki64(fd, off, SEEK_SET) < 0)
		return -1;
	return _write(fd, buf, (unsigned)n);
}

/* mkdtemp: template ends in XXXXXX */
static inline char *compat_mkdtemp(char *tmpl)
{
	if (_mktemp_s(tmpl, strlen(tmpl) + 1) != 0 || _mkdir(tmpl) != 0)
		return NULL;
	return tmpl;
}

#define pread(fd, buf, n, off)	compat_pread(fd, buf, n, off)
#define pwrite(fd, buf, n, off) compat_pwrite(fd, buf, n, off)
#define fsync(fd)		_commit(fd)
#define fdatasync(fd)		_commit(fd)
#define mkdtemp(t)		compat_mkdtemp(t)
#define lstat(p, st)		stat(p, st) /* no symlinks in the CRT's view */
#endif

#endif
