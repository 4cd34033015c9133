/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Probes of the host environment below a root (include/mtkbak/hostenv.h). Moved here from
 * doctor.c (rooted, tested) and from the copies in port.c and usb.c, so `doctor`, `list` and
 * the USB backend read the host the same way. Everything read is bounded: small reads into
 * fixed buffers, a cap on directory entries, no recursion. */
#include "mtkbak/hostenv.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mtkbak/fsutil.h"

#ifdef __linux__
#include <dirent.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#define MAX_DIR_ENTRIES 4096 /* per directory scan: sysfs device lists, rules folders */
#define MAX_PROCS	32768
#define MAX_FDS		4096
#define MAX_LINES	10000

static const char *R(const char *root)
{
	return root ? root : "";
}

/* printf into a fixed buffer; messages and names are short, truncation only shortens them. */
static void fmt(char *out, size_t len, const char *f, ...) MTK_PRINTF(3, 4);
static void fmt(char *out, size_t len, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(out, len, f, ap);
	va_end(ap);
}

bool hostenv_path(const char *root, char *out, size_t len, const char *f, ...)
{
	const char *r = R(root);
	size_t rl = strlen(r);
	va_list ap;
	int n;

	if (len == 0 || rl >= len)
		return false;
	memcpy(out, r, rl);
	va_start(ap, f);
	n = vsnprintf(out + rl, len - rl, f, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < len - rl;
}

int hostenv_read_small(const char *path, char *buf, size_t len)
{
	FILE *f;
	size_t n;

	if (len == 0)
		return -EINVAL;
	buf[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return (int)n;
}

const char *hostenv_usb_first_driver(const struct hostenv_usb *w)
{
	for (int i = 0; i < w->nifaces && i < HOSTENV_MAX_IFACES; i++)
		if (w->iface_driver[i][0])
			return w->iface_driver[i];
	return "";
}

#ifdef __linux__

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

bool hostenv_link_basename(const char *path, char *out, size_t len)
{
	char target[MTK_PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *base;

	out[0] = '\0';
	if (n <= 0)
		return false;
	target[n] = '\0';
	base = strrchr(target, '/');
	fmt(out, len, "%s", base ? base + 1 : target);
	return out[0] != '\0';
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* The first entry called ttySOMETHING in dir (bounded scan); false when none. */
static bool first_tty(const char *dir, char *out, size_t len)
{
	struct dirent *de;
	int seen = 0;
	bool found = false;
	DIR *d = opendir(dir);

	if (!d)
		return false;
	while (!found && (de = readdir(d)) && seen++ < MAX_DIR_ENTRIES)
		if (!strncmp(de->d_name, "tty", 3) && de->d_name[3] && strlen(de->d_name) < len) {
			fmt(out, len, "%s", de->d_name);
			found = true;
		}
	closedir(d);
	return found;
}

int hostenv_usb_describe(const char *root, const char *name, struct hostenv_usb *w)
{
	char path[MTK_PATH_MAX], buf[32];
	char keep[sizeof(w->name)];

	fmt(keep, sizeof(keep), "%s", name);
	memset(w, 0, sizeof(*w));
	fmt(w->name, sizeof(w->name), "%s", keep);
	if (!hostenv_path(root, path, sizeof(path), "/sys/bus/usb/devices/%s", w->name) ||
	    !is_dir(path))
		return -ENOENT;
	if (hostenv_path(root, path, sizeof(path), "/sys/bus/usb/devices/%s/idVendor", w->name) &&
	    hostenv_read_small(path, buf, sizeof(buf)) > 0)
		w->vid = (unsigned)strtoul(buf, NULL, 16) & 0xffff;
	if (hostenv_path(root, path, sizeof(path), "/sys/bus/usb/devices/%s/idProduct", w->name) &&
	    hostenv_read_small(path, buf, sizeof(buf)) > 0)
		w->pid = (unsigned)strtoul(buf, NULL, 16) & 0xffff;
	if (hostenv_path(root, path, sizeof(path), "/sys/bus/usb/devices/%s/busnum", w->name) &&
	    hostenv_read_small(path, buf, sizeof(buf)) > 0)
		w->busnum = (unsigned)strtoul(buf, NULL, 10) & 0xfff;
	if (hostenv_path(root, path, sizeof(path), "/sys/bus/usb/devices/%s/devnum", w->name) &&
	    hostenv_read_small(path, buf, sizeof(buf)) > 0)
		w->devnum = (unsigned)strtoul(buf, NULL, 10) & 0xfff;
	if (hostenv_path(root, path, sizeof(path), "/sys/bus/usb/devices/%s/dev", w->name))
		hostenv_read_small(path, w->dev, sizeof(w->dev));
	fmt(w->node, sizeof(w->node), "/dev/bus/usb/%03u/%03u", w->busnum, w->devnum);
	w->config = 1;
	if (hostenv_path(root, path, sizeof(path), "/sys/bus/usb/devices/%s/bConfigurationValue",
			 w->name) &&
	    hostenv_read_small(path, buf, sizeof(buf)) > 0 && atoi(buf) > 0 && atoi(buf) < 256)
		w->config = atoi(buf);
	for (int i = 0; i < HOSTENV_MAX_IFACES; i++) {
		char ifname[48];

		fmt(ifname, sizeof(ifname), "%s:%d.%d", w->name, w->config, i);
		if (!hostenv_path(root, path, sizeof(path), "/sys/bus/usb/devices/%s", ifname) ||
		    !is_dir(path))
			break;
		w->nifaces = i + 1;
		if (hostenv_path(root, path, sizeof(path), "/sys/bus/usb/devices/%s/driver",
				 ifname))
			hostenv_link_basename(path, w->iface_driver[i], sizeof(w->iface_driver[i]));
		if (w->tty[0])
			continue;
		/* cdc_acm: IFACE/tty/ttyACM0; usb-serial drivers: IFACE/ttyUSB0 */
		if (hostenv_path(root, path, sizeof(path), "/sys/bus/usb/devices/%s/tty", ifname) &&
		    first_tty(path, w->tty, sizeof(w->tty)))
			continue;
		if (hostenv_path(root, path, sizeof(path), "/sys/bus/usb/devices/%s", ifname))
			first_tty(path, w->tty, sizeof(w->tty));
	}
	return 0;
}

static int cmp_usb(const void *a, const void *b)
{
	return strcmp(((const struct hostenv_usb *)a)->name, ((const struct hostenv_usb *)b)->name);
}

int hostenv_find_usb(const char *root, unsigned vid, unsigned pid, struct hostenv_usb *out,
		     size_t max)
{
	char path[MTK_PATH_MAX];
	struct dirent *de;
	size_t n = 0;
	int seen = 0;
	DIR *d;

	if (!hostenv_path(root, path, sizeof(path), "/sys/bus/usb/devices") || !(d = opendir(path)))
		return 0;
	while ((de = readdir(d)) && seen++ < MAX_DIR_ENTRIES && n < max) {
		struct hostenv_usb *w = &out[n];

		if (de->d_name[0] == '.' || strchr(de->d_name, ':') ||
		    strlen(de->d_name) >= sizeof(w->name))
			continue;
		if (hostenv_usb_describe(root, de->d_name, w) < 0 || w->vid != vid || w->pid != pid)
			continue;
		n++;
	}
	closedir(d);
	qsort(out, n, sizeof(*out), cmp_usb);
	return (int)n;
}

long hostenv_find_process(const char *root, const char *comm)
{
	char path[MTK_PATH_MAX], buf[64];
	struct dirent *de;
	long pid = 0;
	int seen = 0;
	DIR *d;

	if (!hostenv_path(root, path, sizeof(path), "/proc") || !(d = opendir(path)))
		return -ENOENT;
	while ((de = readdir(d)) && seen++ < MAX_PROCS) {
		if (!all_digits(de->d_name) ||
		    !hostenv_path(root, path, sizeof(path), "/proc/%s/comm", de->d_name) ||
		    hostenv_read_small(path, buf, sizeof(buf)) <= 0 || strcmp(buf, comm))
			continue;
		long p = strtol(de->d_name, NULL, 10);

		if (!pid || p < pid) /* lowest pid: deterministic */
			pid = p;
	}
	closedir(d);
	return pid;
}

long hostenv_tty_holder(const char *root, const char *tty, char *comm, size_t len)
{
	char path[MTK_PATH_MAX], target[256];
	struct dirent *de;
	long best = 0;
	int seen = 0;
	DIR *d;

	if (len)
		comm[0] = '\0';
	if (!tty[0] || !hostenv_path(root, path, sizeof(path), "/proc") || !(d = opendir(path)))
		return 0;
	while ((de = readdir(d)) && seen++ < MAX_PROCS) {
		struct dirent *fe;
		int fds = 0;
		DIR *fd;

		if (!all_digits(de->d_name) ||
		    !hostenv_path(root, path, sizeof(path), "/proc/%s/fd", de->d_name) ||
		    !(fd = opendir(path)))
			continue;
		while ((fe = readdir(fd)) && fds++ < MAX_FDS) {
			ssize_t n;

			if (!all_digits(fe->d_name) ||
			    !hostenv_path(root, path, sizeof(path), "/proc/%s/fd/%s", de->d_name,
					  fe->d_name))
				continue;
			n = readlink(path, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			if (strcmp(target, tty))
				continue;
			long p = strtol(de->d_name, NULL, 10);

			if (!best || p < best) {
				best = p;
				if (!hostenv_path(root, path, sizeof(path), "/proc/%s/comm",
						  de->d_name) ||
				    hostenv_read_small(path, comm, len) <= 0)
					fmt(comm, len, "pid %ld", p);
			}
			break;
		}
		closedir(fd);
	}
	closedir(d);
	return best;
}

/* 1/0/-1 for one udev database entry "cMAJ:MIN" (see hostenv_mm_ignored). */
static int udev_db_entry(const char *root, const char *dev)
{
	char path[MTK_PATH_MAX];
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret = 0;

	if (!dev[0] || strchr(dev, '/') ||
	    !hostenv_path(root, path, sizeof(path), "/run/udev/data/c%s", dev) ||
	    read_whole_file(path, &buf, &len, 1 << 20) < 0) {
		free(buf);
		return -1;
	}
	for (size_t i = 0; i + 23 <= len; i++)
		if (!memcmp(buf + i, "E:ID_MM_DEVICE_IGNORE=1", 23) &&
		    (i == 0 || buf[i - 1] == '\n')) {
			ret = 1;
			break;
		}
	free(buf);
	return ret;
}

int hostenv_mm_ignored(const char *root, const char *usb_dev, const char *tty)
{
	int ret = usb_dev && usb_dev[0] ? udev_db_entry(root, usb_dev) : -1;

	if (ret != 1 && tty && tty[0]) {
		const char *name = strncmp(tty, "/dev/", 5) ? tty : tty + 5;
		char path[MTK_PATH_MAX], dev[16];
		int t;

		if (!strchr(name, '/') &&
		    hostenv_path(root, path, sizeof(path), "/sys/class/tty/%s/dev", name) &&
		    hostenv_read_small(path, dev, sizeof(dev)) > 0) {
			t = udev_db_entry(root, dev);
			if (t > ret)
				ret = t;
		}
	}
	return ret;
}

static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return true;
	return false;
}

static void rules_group(const char *text, char *out, size_t len)
{
	const char *g = strstr(text, "GROUP=\"");

	out[0] = '\0';
	if (g) {
		g += 7;
		size_t n = strcspn(g, "\"\n");

		if (n < len) {
			memcpy(out, g, n);
			out[n] = '\0';
		}
	}
}

/* A rules file as a NUL-terminated string (at most 1 MiB); NULL when unreadable or empty. */
static char *read_text(const char *path)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char *text;

	if (read_whole_file(path, &buf, &len, 1 << 20) < 0 || len == 0) {
		free(buf);
		return NULL;
	}
	text = malloc(len + 1);
	if (text) {
		memcpy(text, buf, len);
		text[len] = '\0';
	}
	free(buf);
	return text;
}

void hostenv_find_rules(const char *root, const char *const *dirs, size_t ndirs, const char *name,
			const char *expected, struct hostenv_rules *ri)
{
	char path[MTK_PATH_MAX];

	memset(ri, 0, sizeof(*ri));
	for (size_t i = 0; i < ndirs && ri->state == HOSTENV_RULES_NONE; i++) {
		char target[64];
		ssize_t tl;
		char *text;

		if (!hostenv_path(root, path, sizeof(path), "%s/%s", dirs[i], name) ||
		    !exists(path))
			continue;
		fmt(ri->path, sizeof(ri->path), "%s/%s", dirs[i], name);
		tl = readlink(path, target, sizeof(target) - 1);
		if (tl > 0) {
			target[tl] = '\0';
			if (!strcmp(target, "/dev/null")) {
				ri->state = HOSTENV_RULES_MASKED;
				break;
			}
		}
		text = read_text(path);
		if (!text) {
			ri->state = HOSTENV_RULES_MASKED;
			break;
		}
		ri->state = !strcmp(text, expected) ? HOSTENV_RULES_CURRENT : HOSTENV_RULES_DIFFER;
		ri->ours = strcspn(text, "\n") > 0 && strstr(text, "mtkbak") &&
			   (size_t)(strstr(text, "mtkbak") - text) < strcspn(text, "\n");
		ri->mm_ignore = strstr(text, "ID_MM_DEVICE_IGNORE") != NULL;
		rules_group(text, ri->group, sizeof(ri->group));
		free(text);
	}
	if (ri->state != HOSTENV_RULES_NONE)
		return;
	/* Another tool's rules for MediaTek devices (mtkclient, SP Flash Tool guides...). */
	for (size_t i = 0; i < ndirs && !ri->other[0]; i++) {
		struct dirent *de;
		int seen = 0;
		DIR *d;

		if (!hostenv_path(root, path, sizeof(path), "%s", dirs[i]) || !(d = opendir(path)))
			continue;
		while ((de = readdir(d)) && seen++ < MAX_DIR_ENTRIES && !ri->other[0]) {
			size_t nl = strlen(de->d_name);
			char *text;

			if (nl < 7 || strcmp(de->d_name + nl - 6, ".rules") ||
			    !hostenv_path(root, path, sizeof(path), "%s/%s", dirs[i], de->d_name) ||
			    !(text = read_text(path)))
				continue;
			if (contains_ci(text, "0e8d")) {
				fmt(ri->other, sizeof(ri->other), "%s/%s", dirs[i], de->d_name);
				ri->mm_ignore = strstr(text, "ID_MM_DEVICE_IGNORE") != NULL;
				ri->other_late_uaccess =
				    strstr(text, "uaccess") && strcmp(de->d_name, "73") > 0;
				rules_group(text, ri->group, sizeof(ri->group));
			}
			free(text);
		}
		closedir(d);
	}
}

bool hostenv_group_lookup(const char *root, const char *group, const char *user, unsigned *gid,
			  bool *user_listed)
{
	char path[MTK_PATH_MAX], line[4096];
	bool found = false;
	FILE *f;

	*user_listed = false;
	if (hostenv_path(root, path, sizeof(path), "/etc/group") && (f = fopen(path, "r"))) {
		for (int lines = 0; lines < MAX_LINES && fgets(line, sizeof(line), f); lines++) {
			char *save = NULL, *name, *gidtxt, *members;

			line[strcspn(line, "\n")] = '\0';
			name = strtok_r(line, ":", &save);
			if (!name || strcmp(name, group))
				continue;
			strtok_r(NULL, ":", &save); /* password */
			gidtxt = strtok_r(NULL, ":", &save);
			members = strtok_r(NULL, ":", &save);
			if (!gidtxt)
				continue;
			*gid = (unsigned)strtoul(gidtxt, NULL, 10);
			found = true;
			for (char *m = members ? strtok_r(members, ",", &save) : NULL; m;
			     m = strtok_r(NULL, ",", &save))
				if (!strcmp(m, user))
					*user_listed = true;
			break;
		}
		fclose(f);
	}
	if (!found && !R(root)[0]) {
		struct group *g = getgrnam(group); /* NSS (LDAP, ...) on a live system */

		if (g) {
			*gid = (unsigned)g->gr_gid;
			found = true;
			for (char **m = g->gr_mem; m && *m; m++)
				if (!strcmp(*m, user))
					*user_listed = true;
		}
	}
	return found;
}

void hostenv_id_name(const char *root, const char *file, unsigned id, char *out, size_t len)
{
	char path[MTK_PATH_MAX], line[1024];
	FILE *f;

	fmt(out, len, "%u", id);
	if (!hostenv_path(root, path, sizeof(path), "/etc/%s", file) || !(f = fopen(path, "r")))
		return;
	for (int lines = 0; lines < MAX_LINES && fgets(line, sizeof(line), f); lines++) {
		char *save = NULL, *name = strtok_r(line, ":", &save), *idtxt;

		strtok_r(NULL, ":", &save);
		idtxt = strtok_r(NULL, ":", &save);
		if (name && idtxt && all_digits(idtxt) &&
		    (unsigned)strtoul(idtxt, NULL, 10) == id) {
			fmt(out, len, "%s", name);
			break;
		}
	}
	fclose(f);
}

bool hostenv_seat_user(const char *root, unsigned uid, char *seat, size_t seatlen)
{
	char path[MTK_PATH_MAX], buf[2048];
	struct dirent *de;
	bool found = false;
	int seen = 0;
	DIR *d;

	if (!hostenv_path(root, path, sizeof(path), "/run/systemd/seats") || !(d = opendir(path)))
		return false;
	while (!found && (de = readdir(d)) && seen++ < 256) {
		char *p;

		if (de->d_name[0] == '.' ||
		    !hostenv_path(root, path, sizeof(path), "/run/systemd/seats/%s", de->d_name) ||
		    hostenv_read_small(path, buf, sizeof(buf)) <= 0)
			continue;
		for (p = buf; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
			if (!strncmp(p, "ACTIVE_UID=", 11) &&
			    (unsigned)strtoul(p + 11, NULL, 10) == uid) {
				fmt(seat, seatlen, "%s", de->d_name);
				found = true;
				break;
			}
	}
	closedir(d);
	return found;
}

#else /* not Linux: nothing of this exists */

bool hostenv_link_basename(const char *path, char *out, size_t len)
{
	(void)path;
	if (len)
		out[0] = '\0';
	return false;
}

int hostenv_usb_describe(const char *root, const char *name, struct hostenv_usb *w)
{
	(void)root;
	memset(w, 0, sizeof(*w));
	fmt(w->name, sizeof(w->name), "%s", name);
	return -ENOENT;
}

int hostenv_find_usb(const char *root, unsigned vid, unsigned pid, struct hostenv_usb *out,
		     size_t max)
{
	(void)root;
	(void)vid;
	(void)pid;
	(void)out;
	(void)max;
	return 0;
}

long hostenv_find_process(const char *root, const char *comm)
{
	(void)root;
	(void)comm;
	return -ENOENT;
}

long hostenv_tty_holder(const char *root, const char *tty, char *comm, size_t len)
{
	(void)root;
	(void)tty;
	if (len)
		comm[0] = '\0';
	return 0;
}

int hostenv_mm_ignored(const char *root, const char *usb_dev, const char *tty)
{
	(void)root;
	(void)usb_dev;
	(void)tty;
	return -1;
}

void hostenv_find_rules(const char *root, const char *const *dirs, size_t ndirs, const char *name,
			const char *expected, struct hostenv_rules *ri)
{
	(void)root;
	(void)dirs;
	(void)ndirs;
	(void)name;
	(void)expected;
	memset(ri, 0, sizeof(*ri));
}

bool hostenv_group_lookup(const char *root, const char *group, const char *user, unsigned *gid,
			  bool *user_listed)
{
	(void)root;
	(void)group;
	(void)user;
	(void)gid;
	*user_listed = false;
	return false;
}

void hostenv_id_name(const char *root, const char *file, unsigned id, char *out, size_t len)
{
	(void)root;
	(void)file;
	fmt(out, len, "%u", id);
}

bool hostenv_seat_user(const char *root, unsigned uid, char *seat, size_t seatlen)
{
	(void)root;
	(void)uid;
	(void)seat;
	(void)seatlen;
	return false;
}

#endif
