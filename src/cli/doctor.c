/* The checks of 'mtkbak doctor' (see doctor.h). Each finding is one line: what is wrong and
 * the command that fixes it. Everything read from sysfs, /proc or rules files is bounded:
 * small reads into fixed buffers, a cap on directory entries, no recursion. */
#include "doctor.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "udev_rules.h"

#ifdef __linux__
#include <dirent.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#define WATCH_VID	0x0e8d
#define WATCH_PID	0x0003
#define MAX_WATCHES	8
#define MAX_SERIAL	64
#define MAX_DIR_ENTRIES 4096 /* per directory scan: sysfs device lists, rules folders */
#define MAX_PROCS	32768
#define MAX_FDS		4096

const char *doctor_status_name(enum doctor_status s)
{
	switch (s) {
	case DOCTOR_OK:
		return "ok";
	case DOCTOR_INFO:
		return "info";
	case DOCTOR_WARN:
		return "warn";
	case DOCTOR_FAIL:
		return "FAIL";
	}
	return "?";
}

void doctor_add(struct doctor_report *rep, const char *id, enum doctor_status st, int exit_code,
		const char *fix, const char *fmt, ...)
{
	struct doctor_finding *f;
	va_list ap;

	if (rep->n >= DOCTOR_MAX_FINDINGS)
		return;
	f = &rep->f[rep->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->id, sizeof(f->id), "%s", id);
	f->status = st;
	f->exit_code = st == DOCTOR_FAIL ? exit_code : 0;
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
	if (fix)
		snprintf(f->fix, sizeof(f->fix), "%s", fix);
}

int doctor_exit_code(const struct doctor_report *rep)
{
	int code = 0;

	for (size_t i = 0; i < rep->n; i++) {
		if (rep->f[i].status != DOCTOR_FAIL)
			continue;
		if (rep->f[i].exit_code == MTK_EXIT_NOPERM)
			return MTK_EXIT_NOPERM;
		code = rep->f[i].exit_code ? rep->f[i].exit_code : MTK_EXIT_UNAVAILABLE;
	}
	return code;
}

/* printf into a fixed buffer; the checks' messages are short, truncation only shortens them. */
static void fmt(char *out, size_t len, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *out, size_t len, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(out, len, f, ap);
	va_end(ap);
}

/* Serial check: works on every system (the lister is libserialport on a live system). */
static void check_serial(const struct doctor_env *env, struct doctor_report *rep,
			 const struct doctor_serial *ports, int nports, int nwatches,
			 const char *first_watch,
			 bool (*can_open)(const struct doctor_env *, const char *, char *, size_t))
{
	int found = 0;

	if (nports < 0) {
		doctor_add(rep, "serial", DOCTOR_INFO, 0, NULL, "could not list serial ports: %s",
			   strerror(-nports));
		return;
	}
	for (int i = 0; i < nports; i++) {
		const struct doctor_serial *p = &ports[i];
		char why[160] = "", fix[256], where[64] = "";

		if (p->vid != WATCH_VID || p->pid != WATCH_PID)
			continue;
		found++;
		if (p->usb_name[0])
			fmt(where, sizeof(where), " at usb:%s", p->usb_name);
		else if (p->busnum)
			fmt(where, sizeof(where), " (USB bus %u device %u)", p->busnum, p->devnum);
		if (!can_open || can_open(env, p->path, why, sizeof(why))) {
			doctor_add(rep, "serial", DOCTOR_OK, 0, NULL,
				   "serial port %s belongs to the watch%s (usable with --port "
				   "serial:%s)",
				   p->path, where, p->path);
			continue;
		}
		fmt(fix, sizeof(fix),
		    "sudo usermod -aG dialout %s, then log in again (needed only for --port "
		    "serial:%s; the default USB path does not use it)",
		    env->user, p->path);
		doctor_add(rep, "serial", DOCTOR_WARN, 0, fix,
			   "serial port %s belongs to the watch, but %s cannot open it (%s)",
			   p->path, env->user, why);
	}
	if (found)
		return;
	if (nwatches > 0)
		doctor_add(rep, "serial", DOCTOR_INFO, 0,
			   "only needed for --port serial:PATH: sudo modprobe cdc_acm, then replug "
			   "the watch",
			   "the watch at usb:%s has no serial port (no serial driver bound); fine "
			   "for the default USB path",
			   first_watch);
	else if (nports == 0)
		doctor_add(rep, "serial", DOCTOR_INFO, 0, NULL,
			   "no serial port of a watch is present now");
	else
		doctor_add(rep, "serial", DOCTOR_INFO, 0, NULL,
			   "no serial port of a watch is present now (%d other serial port%s)",
			   nports, nports == 1 ? "" : "s");
}

#ifdef __linux__

/* root + formatted path into out (MTK_PATH_MAX); false when it does not fit. */
static bool rpath(const struct doctor_env *env, char *out, const char *f, ...)
    __attribute__((format(printf, 3, 4)));
static bool rpath(const struct doctor_env *env, char *out, const char *f, ...)
{
	size_t rl = strlen(env->root);
	va_list ap;
	int n;

	if (rl >= MTK_PATH_MAX)
		return false;
	memcpy(out, env->root, rl);
	va_start(ap, f);
	n = vsnprintf(out + rl, MTK_PATH_MAX - rl, f, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < MTK_PATH_MAX - rl;
}

/* Reads at most len-1 bytes of a small file (sysfs attribute, /proc entry) and strips the
 * trailing newline. Returns the length or -errno. */
static int read_small(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	buf[0] = '\0';
	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return (int)n;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The last component of a symlink's target ("cdc_acm" for .../drivers/cdc_acm). */
static bool link_basename(const char *path, char *out, size_t len)
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

static unsigned parse_hex(const char *s)
{
	return (unsigned)strtoul(s, NULL, 16);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int cmp_watch(const void *a, const void *b)
{
	return strcmp(((const struct doctor_watch *)a)->name,
		      ((const struct doctor_watch *)b)->name);
}

/* Fills the interfaces' drivers and the tty of watch w from sysfs. */
static void watch_interfaces(const struct doctor_env *env, struct doctor_watch *w)
{
	char path[MTK_PATH_MAX], cfg[16];
	int config = 1;

	if (rpath(env, path, "/sys/bus/usb/devices/%s/bConfigurationValue", w->name) &&
	    read_small(path, cfg, sizeof(cfg)) > 0 && atoi(cfg) > 0 && atoi(cfg) < 256)
		config = atoi(cfg);
	for (int i = 0; i < DOCTOR_MAX_IFACES; i++) {
		char ifname[48];

		fmt(ifname, sizeof(ifname), "%s:%d.%d", w->name, config, i);
		if (!rpath(env, path, "/sys/bus/usb/devices/%s", ifname) || !is_dir(path))
			break;
		w->nifaces = i + 1;
		if (rpath(env, path, "/sys/bus/usb/devices/%s/driver", ifname))
			link_basename(path, w->iface_driver[i], sizeof(w->iface_driver[i]));
		if (w->tty[0])
			continue;
		/* cdc_acm: IFACE/tty/ttyACM0; usb-serial drivers: IFACE/ttyUSB0 */
		for (int kind = 0; kind < 2 && !w->tty[0]; kind++) {
			DIR *d;
			struct dirent *de;
			int seen = 0;

			if (!rpath(env, path, "/sys/bus/usb/devices/%s%s", ifname,
				   kind == 0 ? "/tty" : ""))
				continue;
			d = opendir(path);
			if (!d)
				continue;
			while ((de = readdir(d)) && seen++ < MAX_DIR_ENTRIES) {
				if (!strncmp(de->d_name, "tty", 3) && de->d_name[3] &&
				    strlen(de->d_name) < sizeof(w->tty)) {
					fmt(w->tty, sizeof(w->tty), "%s", de->d_name);
					break;
				}
			}
			closedir(d);
		}
	}
}

int doctor_find_watches(const struct doctor_env *env, struct doctor_watch *out, size_t max)
{
	char path[MTK_PATH_MAX], buf[32];
	struct dirent *de;
	size_t n = 0;
	int seen = 0;
	DIR *d;

	if (!rpath(env, path, "/sys/bus/usb/devices") || !(d = opendir(path)))
		return 0;
	while ((de = readdir(d)) && seen++ < MAX_DIR_ENTRIES && n < max) {
		struct doctor_watch *w = &out[n];

		if (de->d_name[0] == '.' || strchr(de->d_name, ':') ||
		    strlen(de->d_name) >= sizeof(w->name))
			continue;
		if (!rpath(env, path, "/sys/bus/usb/devices/%s/idVendor", de->d_name) ||
		    read_small(path, buf, sizeof(buf)) <= 0 || parse_hex(buf) != WATCH_VID)
			continue;
		if (!rpath(env, path, "/sys/bus/usb/devices/%s/idProduct", de->d_name) ||
		    read_small(path, buf, sizeof(buf)) <= 0 || parse_hex(buf) != WATCH_PID)
			continue;
		memset(w, 0, sizeof(*w));
		fmt(w->name, sizeof(w->name), "%s", de->d_name);
		if (rpath(env, path, "/sys/bus/usb/devices/%s/busnum", w->name) &&
		    read_small(path, buf, sizeof(buf)) > 0)
			w->busnum = (unsigned)strtoul(buf, NULL, 10) & 0xfff;
		if (rpath(env, path, "/sys/bus/usb/devices/%s/devnum", w->name) &&
		    read_small(path, buf, sizeof(buf)) > 0)
			w->devnum = (unsigned)strtoul(buf, NULL, 10) & 0xfff;
		if (rpath(env, path, "/sys/bus/usb/devices/%s/dev", w->name))
			read_small(path, w->dev, sizeof(w->dev));
		fmt(w->node, sizeof(w->node), "/dev/bus/usb/%03u/%03u", w->busnum, w->devnum);
		watch_interfaces(env, w);
		n++;
	}
	closedir(d);
	qsort(out, n, sizeof(*out), cmp_watch);
	return (int)n;
}

/* --- users and groups (read from root/etc so tests can fake them) --- */

/* Looks up a group by name in root/etc/group: its gid and whether user is listed as member. */
static bool group_lookup(const struct doctor_env *env, const char *group, unsigned *gid,
			 bool *user_listed)
{
	char path[MTK_PATH_MAX], line[4096];
	bool found = false;
	FILE *f;

	*user_listed = false;
	if (rpath(env, path, "/etc/group") && (f = fopen(path, "r"))) {
		for (int lines = 0; lines < 10000 && fgets(line, sizeof(line), f); lines++) {
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
				if (!strcmp(m, env->user))
					*user_listed = true;
			break;
		}
		fclose(f);
	}
	if (!found && !env->root[0]) {
		struct group *g = getgrnam(group); /* NSS (LDAP, ...) on a live system */

		if (g) {
			*gid = (unsigned)g->gr_gid;
			found = true;
			for (char **m = g->gr_mem; m && *m; m++)
				if (!strcmp(*m, env->user))
					*user_listed = true;
		}
	}
	return found;
}

/* Name of a uid or gid from root/etc/passwd or root/etc/group; the number when unknown. */
static void id_name(const struct doctor_env *env, const char *file, unsigned id, char *out,
		    size_t len)
{
	char path[MTK_PATH_MAX], line[1024];
	FILE *f;

	fmt(out, len, "%u", id);
	if (!rpath(env, path, "/etc/%s", file) || !(f = fopen(path, "r")))
		return;
	for (int lines = 0; lines < 10000 && fgets(line, sizeof(line), f); lines++) {
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

static bool process_in_group(const struct doctor_env *env, unsigned gid)
{
	for (size_t i = 0; i < env->ngids; i++)
		if (env->gids[i] == gid)
			return true;
	return false;
}

/* True when logind reports uid as the active user of a seat (then uaccess applies). */
static bool seat_user(const struct doctor_env *env, char *seat, size_t seatlen)
{
	char path[MTK_PATH_MAX], buf[2048];
	struct dirent *de;
	bool found = false;
	int seen = 0;
	DIR *d;

	if (!rpath(env, path, "/run/systemd/seats") || !(d = opendir(path)))
		return false;
	while (!found && (de = readdir(d)) && seen++ < 256) {
		char *p;

		if (de->d_name[0] == '.' ||
		    !rpath(env, path, "/run/systemd/seats/%s", de->d_name) ||
		    read_small(path, buf, sizeof(buf)) <= 0)
			continue;
		for (p = buf; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
			if (!strncmp(p, "ACTIVE_UID=", 11) &&
			    (unsigned)strtoul(p + 11, NULL, 10) == env->uid) {
				fmt(seat, seatlen, "%s", de->d_name);
				found = true;
				break;
			}
	}
	closedir(d);
	return found;
}

/* "root:plugdev 0660" for a device node, or the reason it cannot be stat'ed. */
static void describe_node(const struct doctor_env *env, const char *path, char *out, size_t len)
{
	struct stat st;
	char owner[64], group[64];

	if (stat(path, &st) < 0) {
		fmt(out, len, "%s", strerror(errno));
		return;
	}
	id_name(env, "passwd", (unsigned)st.st_uid, owner, sizeof(owner));
	id_name(env, "group", (unsigned)st.st_gid, group, sizeof(group));
	fmt(out, len, "%s:%s %04o", owner, group, (unsigned)(st.st_mode & 07777));
}

/* --- udev rules --- */

enum rules_state { RULES_NONE, RULES_CURRENT, RULES_DIFFER, RULES_MASKED };

struct rules_info {
	enum rules_state state;
	char path[MTK_PATH_MAX];  /* the file udev uses (without root) */
	bool ours;		  /* the file names mtkbak in its first line */
	bool mm_ignore;		  /* it sets ID_MM_DEVICE_IGNORE */
	char group[32];		  /* its GROUP="..." ("" if none) */
	char other[MTK_PATH_MAX]; /* RULES_NONE: another rules file that mentions 0e8d */
	bool other_late_uaccess;  /* ...and tags uaccess from a file sorted after 73 */
};

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

static void find_rules(const struct doctor_env *env, struct rules_info *ri)
{
	static const char *const dirs[] = MTKBAK_UDEV_DIRS;
	char path[MTK_PATH_MAX];

	memset(ri, 0, sizeof(*ri));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && ri->state == RULES_NONE; i++) {
		char target[64];
		uint8_t *buf = NULL;
		size_t len = 0;
		ssize_t tl;

		if (!rpath(env, path, "%s/%s", dirs[i], mtkbak_udev_rules_name) || !exists(path))
			continue;
		fmt(ri->path, sizeof(ri->path), "%s/%s", dirs[i], mtkbak_udev_rules_name);
		tl = readlink(path, target, sizeof(target) - 1);
		if (tl > 0) {
			target[tl] = '\0';
			if (!strcmp(target, "/dev/null")) {
				ri->state = RULES_MASKED;
				break;
			}
		}
		if (read_whole_file(path, &buf, &len, 1 << 20) < 0 || len == 0) {
			free(buf);
			ri->state = RULES_MASKED;
			break;
		}
		char *text = malloc(len + 1);

		if (!text) {
			free(buf);
			ri->state = RULES_DIFFER;
			break;
		}
		memcpy(text, buf, len);
		text[len] = '\0';
		free(buf);
		ri->state =
		    strlen(text) == strlen(mtkbak_udev_rules) && !strcmp(text, mtkbak_udev_rules)
			? RULES_CURRENT
			: RULES_DIFFER;
		ri->ours = strcspn(text, "\n") > 0 && strstr(text, "mtkbak") &&
			   (size_t)(strstr(text, "mtkbak") - text) < strcspn(text, "\n");
		ri->mm_ignore = strstr(text, "ID_MM_DEVICE_IGNORE") != NULL;
		rules_group(text, ri->group, sizeof(ri->group));
		free(text);
	}
	if (ri->state != RULES_NONE)
		return;
	/* Another tool's rules for MediaTek devices (mtkclient, SP Flash Tool guides...). */
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !ri->other[0]; i++) {
		struct dirent *de;
		int seen = 0;
		DIR *d;

		if (!rpath(env, path, "%s", dirs[i]) || !(d = opendir(path)))
			continue;
		while ((de = readdir(d)) && seen++ < MAX_DIR_ENTRIES && !ri->other[0]) {
			size_t nl = strlen(de->d_name);
			uint8_t *buf = NULL;
			size_t len = 0;

			if (nl < 7 || strcmp(de->d_name + nl - 6, ".rules") ||
			    !rpath(env, path, "%s/%s", dirs[i], de->d_name) ||
			    read_whole_file(path, &buf, &len, 1 << 20) < 0) {
				free(buf);
				continue;
			}
			char *text = malloc(len + 1);

			if (text) {
				memcpy(text, buf, len);
				text[len] = '\0';
				if (contains_ci(text, "0e8d")) {
					fmt(ri->other, sizeof(ri->other), "%s/%s", dirs[i],
					    de->d_name);
					ri->mm_ignore = strstr(text, "ID_MM_DEVICE_IGNORE") != NULL;
					ri->other_late_uaccess =
					    strstr(text, "uaccess") && strcmp(de->d_name, "73") > 0;
					rules_group(text, ri->group, sizeof(ri->group));
				}
				free(text);
			}
			free(buf);
		}
		closedir(d);
	}
}

static void check_rules(const struct doctor_env *env, struct doctor_report *rep,
			const struct rules_info *ri)
{
	static const char *const dirs[] = MTKBAK_UDEV_DIRS;
	char fix[384], where[256] = "";

	switch (ri->state) {
	case RULES_CURRENT:
		doctor_add(rep, "udev-rules", DOCTOR_OK, 0, NULL,
			   "the udev rules are installed: %s", ri->path);
		return;
	case RULES_DIFFER:
		doctor_add(rep, "udev-rules", DOCTOR_WARN, 0,
			   ri->ours ? "sudo mtkbak udev --install, then replug the watch"
				    : "look at it, then: sudo mtkbak udev --install --force",
			   "%s differs from this mtkbak's rules (%s)", ri->path,
			   ri->ours ? "an older version, or edited" : "not written by mtkbak");
		return;
	case RULES_MASKED:
		fmt(fix, sizeof(fix), "sudo rm %s && sudo mtkbak udev --install", ri->path);
		doctor_add(rep, "udev-rules", DOCTOR_WARN, 0, fix,
			   "%s is empty or links to /dev/null, which switches the rules off",
			   ri->path);
		return;
	case RULES_NONE:
		break;
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		size_t l = strlen(where);

		fmt(where + l, sizeof(where) - l, "%s%s", i ? ", " : "", dirs[i]);
	}
	if (ri->other[0])
		doctor_add(rep, "udev-rules", DOCTOR_WARN, 0,
			   "sudo mtkbak udev --install, then replug the watch",
			   "mtkbak's udev rules are not installed; %s mentions 0e8d (another "
			   "tool's rules?)%s",
			   ri->other,
			   ri->other_late_uaccess ? ", but its TAG+=\"uaccess\" sorts after "
						    "73-seat-late.rules and has no effect"
						  : "");
	else
		doctor_add(rep, "udev-rules", DOCTOR_WARN, 0,
			   "sudo mtkbak udev --install, then replug the watch",
			   "mtkbak's udev rules are not installed (looked in %s)", where);
}

/* --- processes --- */

/* Finds a process by its comm name; returns its pid, 0 if none, -errno without /proc. */
static long find_process(const struct doctor_env *env, const char *comm)
{
	char path[MTK_PATH_MAX], buf[64];
	struct dirent *de;
	long pid = 0;
	int seen = 0;
	DIR *d;

	if (!rpath(env, path, "/proc") || !(d = opendir(path)))
		return -ENOENT;
	while ((de = readdir(d)) && seen++ < MAX_PROCS) {
		if (!all_digits(de->d_name) || !rpath(env, path, "/proc/%s/comm", de->d_name) ||
		    read_small(path, buf, sizeof(buf)) <= 0 || strcmp(buf, comm))
			continue;
		long p = strtol(de->d_name, NULL, 10);

		if (!pid || p < pid) /* lowest pid: deterministic */
			pid = p;
	}
	closedir(d);
	return pid;
}

/* Finds a process that has dev (e.g. "/dev/ttyACM0") open: pid and comm, 0 if none seen
 * (other users' fd folders are unreadable without root). */
static long find_holder(const struct doctor_env *env, const char *dev, char *comm, size_t len)
{
	char path[MTK_PATH_MAX], target[256];
	struct dirent *de;
	long best = 0;
	int seen = 0;
	DIR *d;

	comm[0] = '\0';
	if (!rpath(env, path, "/proc") || !(d = opendir(path)))
		return 0;
	while ((de = readdir(d)) && seen++ < MAX_PROCS) {
		struct dirent *fe;
		int fds = 0;
		DIR *fd;

		if (!all_digits(de->d_name) || !rpath(env, path, "/proc/%s/fd", de->d_name) ||
		    !(fd = opendir(path)))
			continue;
		while ((fe = readdir(fd)) && fds++ < MAX_FDS) {
			ssize_t n;

			if (!all_digits(fe->d_name) ||
			    !rpath(env, path, "/proc/%s/fd/%s", de->d_name, fe->d_name))
				continue;
			n = readlink(path, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			if (strcmp(target, dev))
				continue;
			long p = strtol(de->d_name, NULL, 10);

			if (!best || p < best) {
				best = p;
				if (!rpath(env, path, "/proc/%s/comm", de->d_name) ||
				    read_small(path, comm, len) <= 0)
					fmt(comm, len, "pid %ld", p);
			}
			break;
		}
		closedir(fd);
	}
	closedir(d);
	return best;
}

/* 1 when udev's database entry of the device says ID_MM_DEVICE_IGNORE=1, 0 when the entry
 * exists without it, -1 when there is no entry to look at. */
static int udev_db_mm_ignored(const struct doctor_env *env, const char *dev)
{
	char path[MTK_PATH_MAX];
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret = 0;

	if (!dev[0] || !rpath(env, path, "/run/udev/data/c%s", dev) ||
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

/* --- the checks --- */

static void check_user(const struct doctor_env *env, struct doctor_report *rep)
{
	if (env->uid == 0 && env->sudo_user[0]) {
		char fix[160];

		fmt(fix, sizeof(fix), "run 'mtkbak doctor' without sudo to check %s",
		    env->sudo_user);
		doctor_add(rep, "user", DOCTOR_WARN, 0, fix,
			   "running through sudo: these results are for root, not for %s",
			   env->sudo_user);
	} else {
		doctor_add(rep, "user", DOCTOR_INFO, 0, NULL, "checking as %s (uid %u)", env->user,
			   env->uid);
	}
}

static void check_system(const struct doctor_env *env, struct doctor_report *rep)
{
	char path[MTK_PATH_MAX], ver[512];

	if (rpath(env, path, "/proc/version") && read_small(path, ver, sizeof(ver)) > 0 &&
	    (contains_ci(ver, "microsoft") || contains_ci(ver, "WSL")))
		doctor_add(rep, "system", DOCTOR_INFO, 0,
			   "in Windows: usbipd attach --wsl --busid BUSID --auto-attach",
			   "this is WSL: attach the watch from Windows with usbipd, and keep "
			   "--auto-attach on because the boot ROM re-enumerates");
}

static bool check_usb_bus(const struct doctor_env *env, struct doctor_report *rep)
{
	char path[MTK_PATH_MAX];

	if (!rpath(env, path, "/sys/bus/usb") || !is_dir(path)) {
		doctor_add(rep, "usb-bus", DOCTOR_FAIL, MTK_EXIT_UNAVAILABLE,
			   "run mtkbak on the machine the watch is plugged into, or pass USB "
			   "through (docker: --device /dev/bus/usb; WSL2: usbipd attach)",
			   "this system shows no USB bus (/sys/bus/usb is missing), as in a "
			   "container or virtual machine without USB");
		return false;
	}
	if (!rpath(env, path, "/dev/bus/usb") || !is_dir(path)) {
		doctor_add(
		    rep, "usb-bus", DOCTOR_FAIL, MTK_EXIT_UNAVAILABLE,
		    "in a container pass --device /dev/bus/usb (or bind-mount /dev/bus/usb); "
		    "if only the serial port is passed through use --port serial:PATH",
		    "/dev/bus/usb is missing, so USB devices cannot be opened");
		return false;
	}
	doctor_add(rep, "usb-bus", DOCTOR_OK, 0, NULL, "the USB bus is visible (/dev/bus/usb)");
	return true;
}

static void check_watches(struct doctor_report *rep, const struct doctor_watch *w, int n)
{
	char names[256] = "", fix[160];

	if (n == 0) {
		doctor_add(rep, "watch", DOCTOR_INFO, 0, NULL,
			   "no watch in boot-ROM mode (0E8D:0003) is connected now; fine: 'mtkbak "
			   "pull --auto' waits for it");
		return;
	}
	if (n == 1) {
		doctor_add(rep, "watch", DOCTOR_OK, 0, NULL,
			   "a watch in boot-ROM mode is connected at usb:%s (bus %u device %u)",
			   w[0].name, w[0].busnum, w[0].devnum);
		return;
	}
	for (int i = 0; i < n; i++) {
		size_t l = strlen(names);

		fmt(names + l, sizeof(names) - l, "%susb:%s", i ? ", " : "", w[i].name);
	}
	fmt(fix, sizeof(fix), "choose one with --port usb:%s (or unplug the others)", w[0].name);
	doctor_add(
	    rep, "watch", DOCTOR_WARN, 0, fix,
	    "%d watches in boot-ROM mode are connected (%s): mtkbak will not guess which one", n,
	    names);
}

static void access_fix(const struct doctor_env *env, const struct rules_info *ri, const char *group,
		       bool group_exists, bool listed, char *fix, size_t len)
{
	if (ri->state == RULES_NONE || ri->state == RULES_MASKED)
		fmt(fix, len,
		    "sudo mtkbak udev --install, then unplug and replug the watch (or run "
		    "mtkbak with sudo)");
	else if (!group_exists)
		fmt(fix, len,
		    "sudo groupadd --system %s && sudo usermod -aG %s %s, then log in "
		    "again and replug the watch",
		    group, group, env->user);
	else if (listed)
		fmt(fix, len,
		    "log out and in again (or start a shell with 'newgrp %s'), then "
		    "replug the watch",
		    group);
	else
		fmt(fix, len, "sudo usermod -aG %s %s, then log in again and replug the watch",
		    group, env->user);
}

static void check_usb_access(const struct doctor_env *env, struct doctor_report *rep,
			     const struct rules_info *ri, const struct doctor_watch *w, int n)
{
	const char *group = ri->group[0] ? ri->group : MTKBAK_UDEV_GROUP;
	unsigned gid = 0;
	bool listed = false, group_exists = group_lookup(env, group, &gid, &listed);
	bool in_group = group_exists && process_in_group(env, gid);
	char fix[384], seat[64] = "";

	access_fix(env, ri, group, group_exists, listed, fix, sizeof(fix));
	for (int i = 0; i < n; i++) {
		char node[MTK_PATH_MAX], why[128];
		int r = env->usb_open ? env->usb_open(env->ctx, w[i].busnum, w[i].devnum) : -ENOSYS;

		if (!rpath(env, node, "%s", w[i].node))
			continue;
		if (r == -ENOSYS)
			r = access(node, R_OK | W_OK) == 0 ? 0 : -errno;
		switch (r) {
		case 0:
			doctor_add(rep, "usb-access", DOCTOR_OK, 0, NULL,
				   "%s can open the watch at usb:%s (%s)", env->user, w[i].name,
				   w[i].node);
			break;
		case -EACCES:
		case -EPERM:
			describe_node(env, node, why, sizeof(why));
			doctor_add(rep, "usb-access", DOCTOR_FAIL, MTK_EXIT_NOPERM, fix,
				   "%s cannot open the watch at usb:%s (%s is %s)", env->user,
				   w[i].name, w[i].node, why);
			break;
		case -EBUSY:
			doctor_add(rep, "usb-access", DOCTOR_FAIL, MTK_EXIT_UNAVAILABLE,
				   "close the other program (another mtkbak, mtkclient, a virtual "
				   "machine with USB passthrough), then replug the watch",
				   "the watch at usb:%s is busy: another program holds it",
				   w[i].name);
			break;
		case -ENOENT:
		case -ENODEV:
			doctor_add(rep, "usb-access", DOCTOR_WARN, 0,
				   "unplug the watch and plug it in again",
				   "the watch at usb:%s went away while checking (%s is missing)",
				   w[i].name, w[i].node);
			break;
		default:
			doctor_add(rep, "usb-access", DOCTOR_FAIL, MTK_EXIT_UNAVAILABLE,
				   "run with -v and report the message",
				   "cannot open the watch at usb:%s: %s", w[i].name,
				   mtk_strerror(r));
			break;
		}
	}
	if (n > 0)
		return;
	/* No watch now: predict what happens when one is plugged in. */
	if (env->uid == 0) {
		doctor_add(rep, "usb-access", DOCTOR_OK, 0, NULL,
			   "running as root: every USB device can be opened");
	} else if (ri->state == RULES_NONE || ri->state == RULES_MASKED) {
		doctor_add(rep, "usb-access", DOCTOR_FAIL, MTK_EXIT_NOPERM, fix,
			   "without mtkbak's udev rules only root can open the watch (USB device "
			   "nodes are root-owned)");
	} else if (seat_user(env, seat, sizeof(seat))) {
		doctor_add(rep, "usb-access", DOCTOR_OK, 0, NULL,
			   "%s is logged in at this machine (%s): the rules' uaccess tag gives %s "
			   "the watch",
			   env->user, seat, env->user);
	} else if (in_group) {
		doctor_add(rep, "usb-access", DOCTOR_OK, 0, NULL,
			   "%s is in group %s, which the udev rules give the watch to", env->user,
			   group);
	} else if (!group_exists) {
		doctor_add(rep, "usb-access", DOCTOR_FAIL, MTK_EXIT_NOPERM, fix,
			   "%s is not logged in at this machine's seat, and group %s that the udev "
			   "rules use does not exist",
			   env->user, group);
	} else if (listed) {
		doctor_add(rep, "usb-access", DOCTOR_FAIL, MTK_EXIT_NOPERM, fix,
			   "%s was added to group %s after this login, so it does not count yet",
			   env->user, group);
	} else {
		doctor_add(rep, "usb-access", DOCTOR_FAIL, MTK_EXIT_NOPERM, fix,
			   "%s is neither logged in at this machine's seat nor in group %s, so the "
			   "watch will only open with sudo",
			   env->user, group);
	}
}

static void check_modemmanager(const struct doctor_env *env, struct doctor_report *rep,
			       const struct rules_info *ri, const struct doctor_watch *w, int n)
{
	long pid = find_process(env, "ModemManager");
	const char *fix_rules =
	    ri->state == RULES_CURRENT || (ri->state == RULES_DIFFER && ri->mm_ignore)
		? "unplug the watch and plug it in again so udev applies the rules (or: sudo "
		  "systemctl stop ModemManager)"
		: "sudo mtkbak udev --install, then replug the watch (or: sudo systemctl stop "
		  "ModemManager)";

	if (pid < 0) {
		doctor_add(rep, "modemmanager", DOCTOR_INFO, 0, NULL,
			   "cannot tell whether ModemManager runs (no /proc)");
		return;
	}
	if (pid == 0) {
		doctor_add(rep, "modemmanager", DOCTOR_OK, 0, NULL, "ModemManager is not running");
		return;
	}
	for (int i = 0; i < n; i++) {
		char tty[48], holder[64];

		if (!w[i].tty[0])
			continue;
		fmt(tty, sizeof(tty), "/dev/%s", w[i].tty);
		if (find_holder(env, tty, holder, sizeof(holder)) == pid) {
			doctor_add(rep, "modemmanager", DOCTOR_FAIL, MTK_EXIT_UNAVAILABLE,
				   "sudo systemctl stop ModemManager; sudo mtkbak udev --install; "
				   "then replug the watch",
				   "ModemManager (pid %ld) has the watch's serial port %s open and "
				   "will break the boot-ROM handshake",
				   pid, tty);
			return;
		}
	}
	int marked = 0;

	for (int i = 0; i < n; i++) {
		int db = udev_db_mm_ignored(env, w[i].dev);

		if (db == 0) {
			doctor_add(rep, "modemmanager", DOCTOR_FAIL, MTK_EXIT_UNAVAILABLE,
				   fix_rules,
				   "ModemManager is running (pid %ld) and udev did not tell it to "
				   "ignore the watch at usb:%s",
				   pid, w[i].name);
			return;
		}
		marked += db == 1;
	}
	if (n > 0 && marked == n && !(ri->mm_ignore && ri->state != RULES_MASKED)) {
		/* Someone else's rule did it (the device's udev entry is what counts). */
		doctor_add(
		    rep, "modemmanager", DOCTOR_OK, 0, NULL,
		    "ModemManager is running (pid %ld); udev marked the connected watch to be "
		    "ignored",
		    pid);
		return;
	}
	if (ri->mm_ignore && ri->state != RULES_MASKED) {
		doctor_add(rep, "modemmanager", DOCTOR_OK, 0, NULL,
			   "ModemManager is running (pid %ld); the udev rules tell it to leave the "
			   "watch alone",
			   pid);
		return;
	}
	doctor_add(rep, "modemmanager", DOCTOR_FAIL, MTK_EXIT_UNAVAILABLE, fix_rules,
		   "ModemManager is running (pid %ld) and no udev rule tells it to ignore the "
		   "watch: its AT-command probe breaks the boot-ROM handshake",
		   pid);
}

static void check_drivers(const struct doctor_env *env, struct doctor_report *rep,
			  const struct doctor_watch *w, int n)
{
	for (int i = 0; i < n; i++) {
		char drivers[160] = "", tty[48] = "";
		const char *odd = NULL;
		bool usbfs = false;

		for (int k = 0; k < w[i].nifaces; k++) {
			const char *d = w[i].iface_driver[k];
			size_t l = strlen(drivers);

			if (!d[0] || strstr(drivers, d))
				continue;
			fmt(drivers + l, sizeof(drivers) - l, "%s%s", l ? ", " : "", d);
			if (!strcmp(d, "usbfs"))
				usbfs = true;
			else if (strcmp(d, "cdc_acm") && strcmp(d, "usbserial_generic") &&
				 strcmp(d, "option") && strcmp(d, "ftdi_sio"))
				odd = d;
		}
		if (w[i].tty[0])
			fmt(tty, sizeof(tty), " (serial port /dev/%s)", w[i].tty);
		if (usbfs) {
			doctor_add(rep, "driver", DOCTOR_FAIL, MTK_EXIT_UNAVAILABLE,
				   "close the other program (another mtkbak, mtkclient, a virtual "
				   "machine with USB passthrough), then replug the watch",
				   "usb:%s is open in another program right now (driver usbfs)",
				   w[i].name);
		} else if (!drivers[0]) {
			doctor_add(rep, "driver", DOCTOR_OK, 0, NULL,
				   "usb:%s: no kernel driver is bound; mtkbak talks to it directly "
				   "over USB",
				   w[i].name);
		} else if (odd) {
			char fix[256];

			fmt(fix, sizeof(fix),
			    "mtkbak detaches it when it opens the watch; if that fails: echo "
			    "%s:1.0 | sudo tee /sys/bus/usb/drivers/%s/unbind",
			    w[i].name, odd);
			doctor_add(rep, "driver", DOCTOR_WARN, 0, fix,
				   "usb:%s: an unusual driver is bound: %s%s", w[i].name, drivers,
				   tty);
		} else {
			doctor_add(rep, "driver", DOCTOR_OK, 0, NULL,
				   "usb:%s: %s is bound%s; mtkbak detaches it to use the USB link "
				   "(or use --port serial:/dev/%s)",
				   w[i].name, drivers, tty, w[i].tty[0] ? w[i].tty : "ttyACM0");
		}
	}
	(void)env;
}

static bool can_open_path(const struct doctor_env *env, const char *path, char *why, size_t len)
{
	char full[MTK_PATH_MAX];

	if (strncmp(path, "/dev/", 5) || !rpath(env, full, "%s", path))
		return true; /* not a Linux device node: nothing to check here */
	if (access(full, R_OK | W_OK) == 0)
		return true;
	if (errno == EACCES || errno == EPERM)
		describe_node(env, full, why, len);
	else
		fmt(why, len, "%s", strerror(errno));
	return false;
}

/* The watches' serial ports from sysfs (the lister when there is no live libserialport). */
static int sysfs_serial(const struct doctor_watch *w, int n, struct doctor_serial *out, size_t max)
{
	int k = 0;

	for (int i = 0; i < n && (size_t)k < max; i++) {
		if (!w[i].tty[0])
			continue;
		memset(&out[k], 0, sizeof(out[k]));
		fmt(out[k].path, sizeof(out[k].path), "/dev/%s", w[i].tty);
		out[k].vid = WATCH_VID;
		out[k].pid = WATCH_PID;
		fmt(out[k].usb_name, sizeof(out[k].usb_name), "%s", w[i].name);
		k++;
	}
	return k;
}

void doctor_env_from_process(struct doctor_env *env, const char *root)
{
	gid_t groups[DOCTOR_MAX_GROUPS];
	struct passwd *pw;
	const char *sudo = getenv("SUDO_USER");
	int n;

	memset(env, 0, sizeof(*env));
	env->root = root ? root : "";
	env->uid = (unsigned)getuid();
	env->gids[env->ngids++] = (unsigned)getgid();
	n = getgroups(DOCTOR_MAX_GROUPS, groups);
	for (int i = 0; i < n && env->ngids < DOCTOR_MAX_GROUPS; i++)
		env->gids[env->ngids++] = (unsigned)groups[i];
	pw = getpwuid(getuid());
	if (pw && pw->pw_name)
		fmt(env->user, sizeof(env->user), "%s", pw->pw_name);
	else
		fmt(env->user, sizeof(env->user), "uid %u", env->uid);
	if (sudo && env->uid == 0)
		fmt(env->sudo_user, sizeof(env->sudo_user), "%s", sudo);
}

void doctor_run(const struct doctor_env *env, struct doctor_report *rep)
{
	struct doctor_watch w[MAX_WATCHES];
	struct doctor_serial ports[MAX_SERIAL];
	struct rules_info ri;
	int n, nports;

	rep->n = 0;
	check_user(env, rep);
	check_system(env, rep);
	find_rules(env, &ri);
	n = check_usb_bus(env, rep) ? doctor_find_watches(env, w, MAX_WATCHES) : 0;
	check_watches(rep, w, n);
	check_usb_access(env, rep, &ri, w, n);
	check_rules(env, rep, &ri);
	check_modemmanager(env, rep, &ri, w, n);
	check_drivers(env, rep, w, n);
	nports = env->list_serial ? env->list_serial(env->ctx, ports, MAX_SERIAL)
				  : sysfs_serial(w, n, ports, MAX_SERIAL);
	if (nports > MAX_SERIAL)
		nports = MAX_SERIAL;
	/* Name the watch a port belongs to by its USB address (libserialport gives bus/address). */
	for (int i = 0; i < nports; i++)
		for (int k = 0; k < n && !ports[i].usb_name[0] && ports[i].busnum; k++)
			if (w[k].busnum == ports[i].busnum && w[k].devnum == ports[i].devnum)
				fmt(ports[i].usb_name, sizeof(ports[i].usb_name), "%s", w[k].name);
	check_serial(env, rep, ports, nports, n, n ? w[0].name : "", can_open_path);
}

#else /* not Linux */

void doctor_env_from_process(struct doctor_env *env, const char *root)
{
	memset(env, 0, sizeof(*env));
	env->root = root ? root : "";
	snprintf(env->user, sizeof(env->user), "this user");
}

int doctor_find_watches(const struct doctor_env *env, struct doctor_watch *out, size_t max)
{
	(void)env;
	(void)out;
	(void)max;
	return 0;
}

void doctor_run(const struct doctor_env *env, struct doctor_report *rep)
{
	struct doctor_serial ports[MAX_SERIAL];
	int nports = -ENOSYS;

	rep->n = 0;
	doctor_add(rep, "system", DOCTOR_INFO, 0,
		   "use --port serial:PORT (see 'mtkbak list'); on Windows keep the system's "
		   "USB serial (CDC) driver for the watch",
		   "the udev, ModemManager and kernel-driver checks are for Linux; here mtkbak "
		   "reaches the watch through the system's serial driver");
	if (env->list_serial)
		nports = env->list_serial(env->ctx, ports, MAX_SERIAL);
	if (nports > MAX_SERIAL)
		nports = MAX_SERIAL;
	check_serial(env, rep, ports, nports, 0, "", NULL);
}

#endif
