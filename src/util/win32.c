/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The few things Windows does differently enough to need its own code: replacing a file
 * (msvcrt's rename() refuses when the target exists), the console's VT mode, a temporary
 * file that does not need administrator rights. Built only for Windows. */
#ifdef _WIN32
#include <windows.h>

#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>

#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/win32.h"

/* Narrow paths reach mtkbak in the code page msvcrt's fopen uses (the ANSI one, or OEM when
 * the process switched its file APIs); convert with the same one so the names agree. */
static int widen(const char *in, wchar_t *out, int len)
{
	UINT cp = AreFileApisANSI() ? CP_ACP : CP_OEMCP;

	return MultiByteToWideChar(cp, 0, in, -1, out, len) > 0 ? 0 : -ENAMETOOLONG;
}

static int replace(const char *from, const char *to, DWORD flags)
{
	wchar_t *wfrom = malloc(2 * MTK_PATH_MAX * sizeof(wchar_t)), *wto = wfrom + MTK_PATH_MAX;
	int ret;

	if (!wfrom)
		return -ENOMEM;
	ret = widen(from, wfrom, MTK_PATH_MAX);
	if (ret == 0)
		ret = widen(to, wto, MTK_PATH_MAX);
	if (ret < 0) {
		free(wfrom);
		return ret;
	}
	/* A virus scanner or the search indexer may hold a file it just saw for a moment:
	 * retry sharing errors a few times (at most 5 x 50 ms) before giving up. */
	for (int attempt = 0;; attempt++) {
		DWORD e;

		if (MoveFileExW(wfrom, wto, MOVEFILE_REPLACE_EXISTING | flags)) {
			free(wfrom);
			return 0;
		}
		e = GetLastError();
		if (attempt >= 5 || (e != ERROR_ACCESS_DENIED && e != ERROR_SHARING_VIOLATION)) {
			free(wfrom);
			return win32_errno(e, false);
		}
		Sleep(50);
	}
}

int fs_replace(const char *from, const char *to)
{
	/* WRITE_THROUGH: the call returns once the rename is on disk, like rename + fsync_dir */
	return replace(from, to, MOVEFILE_WRITE_THROUGH);
}

int fs_replace_nosync(const char *from, const char *to)
{
	return replace(from, to, 0);
}

int fs_same_file(const char *path, int fd)
{
	wchar_t *w = malloc(MTK_PATH_MAX * sizeof(wchar_t));
	BY_HANDLE_FILE_INFORMATION a, b;
	HANDLE hp, hf = (HANDLE)_get_osfhandle(fd);
	int ret;

	if (!w)
		return -ENOMEM;
	if ((ret = widen(path, w, MTK_PATH_MAX)) < 0) {
		free(w);
		return ret;
	}
	/* FILE_FLAG_OPEN_REPARSE_POINT: a link is looked at, not followed */
	hp = CreateFileW(
	    w, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
	    OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS, NULL);
	free(w);
	if (hp == INVALID_HANDLE_VALUE)
		return -ENOENT;
	ret = hf != INVALID_HANDLE_VALUE && GetFileInformationByHandle(hp, &a) &&
	      GetFileInformationByHandle(hf, &b) &&
	      !(a.dwFileAttributes & (FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DIRECTORY)) &&
	      a.dwVolumeSerialNumber == b.dwVolumeSerialNumber &&
	      a.nFileIndexHigh == b.nFileIndexHigh && a.nFileIndexLow == b.nFileIndexLow;
	CloseHandle(hp);
	return ret;
}

enum win32_console win32_console_stdout(void)
{
	HANDLE h = GetStdHandle(STD_OUTPUT_HANDLE);
	DWORD mode;

	if (h == INVALID_HANDLE_VALUE || h == NULL || !GetConsoleMode(h, &mode))
		return WIN32_NOT_CONSOLE;
	/* Wine's console takes the flag but prints the sequences as text */
	if (GetProcAddress(GetModuleHandleA("ntdll.dll"), "wine_get_version"))
		return WIN32_CONSOLE_PLAIN;
	if (mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING)
		return WIN32_CONSOLE_VT;
	/* Windows 10 1511 and later; older consoles (and Wine's) refuse or ignore it */
	if (SetConsoleMode(h, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING) &&
	    GetConsoleMode(h, &mode) && (mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING))
		return WIN32_CONSOLE_VT;
	return WIN32_CONSOLE_PLAIN;
}

FILE *win32_tmpfile(void)
{
	wchar_t dir[MAX_PATH + 1], name[MAX_PATH + 1];
	HANDLE h;
	int fd;
	FILE *f;

	if (!GetTempPathW(MAX_PATH + 1, dir) || !GetTempFileNameW(dir, L"mtk", 0, name))
		return NULL;
	h = CreateFileW(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
			FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		DeleteFileW(name);
		return NULL;
	}
	fd = _open_osfhandle((intptr_t)h, _O_RDWR | _O_BINARY);
	if (fd < 0) {
		CloseHandle(h);
		return NULL;
	}
	f = _fdopen(fd, "w+b");
	if (!f)
		_close(fd);
	return f;
}
#endif
