/* Probes of the host environment below a root (include/mtkbak/hostenv.h). */
#include "mtkbak/hostenv.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/sysmacros.h>
#endif
#include <unistd.h>

#define R(root) ((root) ? (root) : "")

/* The program that has `tty` open, if any (bounded scan of /proc). */
void hostenv_tty_holder(const char *root, const char *tty, char *out, size_t len)
{
#ifndef __linux__
	(void)root;
	(void)tty;
	(void)out;
	(void)len;
}
#else
	char pdir[PATH_MAX];
	DIR *proc;

	snprintf(pdir, sizeof(pdir), "%s/proc", R(root));
	proc = opendir(pdir);
	struct dirent *p;
	int pids = 0;

	if (!proc)
		return;
	while ((p = readdir(proc)) && pids < 8192 && !out[0]) {
		char dir[64 + NAME_MAX], link[PATH_MAX], target[PATH_MAX];
		DIR *fds;
		struct dirent *f;

		if (!isdigit((unsigned char)p->d_name[0]))
			continue;
		pids++;
		snprintf(dir, sizeof(dir), "%s/proc/%s/fd", R(root), p->d_name);
		fds = opendir(dir);
		if (!fds)
			continue;
		for (int n = 0; (f = readdir(fds)) && n < 4096; n++) {
			ssize_t k;

			snprintf(link, sizeof(link), "%s/%s", dir, f->d_name);
			k = readlink(link, target, sizeof(target) - 1);
			if (k <= 0)
				continue;
			target[k] = 0;
			if (!strcmp(target, tty)) {
				FILE *c;

				snprintf(link, sizeof(link), "%s/proc/%s/comm", R(root), p->d_name);
				c = fopen(link, "r");
				if (c) {
					if (fgets(out, (int)len, c))
						out[strcspn(out, "\n")] = 0;
					fclose(c);
				}
				break;
			}
		}
		closedir(fds);
	}
	closedir(proc);
}
#endif

/* udev's ID_MM_DEVICE_IGNORE for a tty (from the udev database). */
bool hostenv_mm_ignored(const char *root, const char *tty)
{
#ifndef __linux__
	(void)root;
	(void)tty;
	return false;
#else
	struct stat st;
	char path[PATH_MAX], line[256];
	FILE *f;
	bool ignored = false;

	snprintf(path, sizeof(path), "%s%s", R(root), tty);
	if (stat(path, &st) != 0)
		return false;
	snprintf(path, sizeof(path), "%s/run/udev/data/c%u:%u", R(root), major(st.st_rdev),
		 minor(st.st_rdev));
	f = fopen(path, "r");
	if (!f)
		return false;
	for (int n = 0; fgets(line, sizeof(line), f) && n < 1000; n++)
		if (!strncmp(line, "E:ID_MM_DEVICE_IGNORE=1", 23))
			ignored = true;
	fclose(f);
	return ignored;
#endif
}

void hostenv_usb_driver(const char *root, const char *path, int itf, char *out, size_t len)
{
#ifndef __linux__
	(void)root;
	(void)path;
	(void)itf;
	(void)out;
	(void)len;
#else
	char link[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "%s/sys/bus/usb/devices/%s:1.%d/driver", R(root), path, itf);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = 0;
	snprintf(out, len, "%.31s", strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
#endif
}

void hostenv_usb_tty(const char *root, const char *path, int itf, char *out, size_t len)
{
	char dir[PATH_MAX];
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%s/sys/bus/usb/devices/%s:1.%d/tty", R(root), path, itf);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(out, len, "/dev/%.40s", e->d_name);
		break;
	}
	closedir(d);
}
