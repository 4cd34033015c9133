/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Path splitting that knows both path styles: '/' everywhere, and on Windows also '\', drive
 * letters ("C:\kit", drive-relative "C:kit") and UNC shares ("\\server\share\kit"). The
 * Windows rules are compiled on every system (path_split_style) so the Linux unit tests check
 * them too; the public helpers use the style of the system mtkbak runs on. */
#include <stdio.h>
#include <string.h>

#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"

#ifdef _WIN32
#define NATIVE_WIN true
#else
#define NATIVE_WIN false
#endif

static bool is_sep(char c, bool win)
{
	return c == '/' || (win && c == '\\');
}

bool path_is_sep(char c)
{
	return is_sep(c, NATIVE_WIN);
}

static bool is_drive(const char *p)
{
	return ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':';
}

size_t path_root_len_style(const char *p, bool win)
{
	if (!win)
		return p[0] == '/';
	if (is_drive(p))
		return is_sep(p[2], true) ? 3 : 2; /* "C:\" or the drive-relative "C:" */
	if (is_sep(p[0], true) && is_sep(p[1], true) && p[2] && !is_sep(p[2], true)) {
		/* \\server\share\ : the share is the root */
		size_t i = 2, parts = 0;

		while (p[i] && parts < 2) {
			if (is_sep(p[i], true)) {
				parts++;
				while (is_sep(p[i + 1], true))
					i++;
			}
			i++;
		}
		return i;
	}
	return is_sep(p[0], true);
}

size_t path_root_len(const char *path)
{
	return path_root_len_style(path, NATIVE_WIN);
}

int path_split_style(const char *path, bool win, char *parent, size_t plen, char *base, size_t blen)
{
	size_t len = strlen(path), root = path_root_len_style(path, win), cut;
	int n;

	if (len == 0 || len >= MTK_PATH_MAX)
		return len ? -ENAMETOOLONG : -EINVAL;
	while (len > root && is_sep(path[len - 1], win))
		len--; /* "kit/" is "kit" */
	cut = len;
	while (cut > root && !is_sep(path[cut - 1], win))
		cut--;
	/* path[root, len) is the last component when cut == root, else path[cut, len) */
	if (base) {
		n = snprintf(base, blen, "%.*s", (int)(len - cut), path + cut);
		if (n < 0 || (size_t)n >= blen)
			return -ENAMETOOLONG;
	}
	if (!parent)
		return 0;
	if (cut > root) {
		size_t end = cut;

		while (end > root && is_sep(path[end - 1], win))
			end--;
		n = snprintf(parent, plen, "%.*s", (int)end, path);
	} else if (root == 0) {
		n = snprintf(parent, plen, ".");
	} else if (win && root == 2 && is_drive(path)) {
		n = snprintf(parent, plen, "%.2s.", path); /* "C:kit" lives in "C:." */
	} else {
		n = snprintf(parent, plen, "%.*s", (int)root, path);
	}
	if (n < 0 || (size_t)n >= plen)
		return -ENAMETOOLONG;
	return 0;
}

int path_split(const char *path, char *parent, size_t plen, char *base, size_t blen)
{
	return path_split_style(path, NATIVE_WIN, parent, plen, base, blen);
}

bool path_needs_sep_style(const char *dir, bool win)
{
	size_t len = strlen(dir);

	if (len == 0 || is_sep(dir[len - 1], win))
		return false;
	return !(win && len == 2 && is_drive(dir)); /* "C:" + "kit" is "C:kit" */
}

#ifndef _WIN32
int fs_replace(const char *from, const char *to)
{
	return rename(from, to) < 0 ? -errno : 0;
}

int fs_replace_nosync(const char *from, const char *to)
{
	return fs_replace(from, to);
}
#endif

bool path_is_plain_name(const char *name)
{
	if (!name[0] || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const char *p = name; *p; p++)
		if (is_sep(*p, NATIVE_WIN) || (NATIVE_WIN && *p == ':'))
			return false;
	return true;
}
