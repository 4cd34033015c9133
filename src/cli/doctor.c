/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The checks of 'mtkbak doctor' (see doctor.h). Each finding is one line: what is wrong and
 * the command that fixes it. Everything read from sysfs, /proc or rules files is bounded:
 * small reads into fixed buffers, a cap on directory entries, no recursion. */
#include "doctor.h"
#ifdef _WIN32
#include "doctor_win.h"
#endif

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/hostenv.h"
#include "udev_rules.h"

#ifdef __linux__
#include <pwd.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#define WATCH_VID   0x0e8d
#define WATCH_PID   0x0003
#define MAX_WATCHES 8
#define MAX_SERIAL  64

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
static void fmt(char *out, size_t len, const char *f, ...) MTK_PRINTF(3, 4);
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

static bool process_in_group(const struct doctor_env *env, unsigned gid)
{
	for (size_t i = 0; i < env->ngids; i++)
		if (env->gids[i] == gid)
			return true;
	return false;
}

/* root + formatted path into out (MTK_PATH_MAX); false when it does not fit. */
#define rpath(env, out, ...) hostenv_path((env)->root, out, MTK_PATH_MAX, __VA_ARGS__)

static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return true;
	return false;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
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
	hostenv_id_name(env->root, "passwd", (unsigned)st.st_uid, owner, sizeof(owner));
	hostenv_id_name(env->root, "group", (unsigned)st.st_gid, group, sizeof(group));
	fmt(out, len, "%s:%s %04o", owner, group, (unsigned)(st.st_mode & 07777));
}

/* --- udev rules --- */

static void check_rules(const struct doctor_env *env, struct doctor_report *rep,
			const struct hostenv_rules *ri)
{
	static const char *const dirs[] = MTKBAK_UDEV_DIRS;
	char fix[384], where[256] = "";

	switch (ri->state) {
	case HOSTENV_RULES_CURRENT:
		doctor_add(rep, "udev-rules", DOCTOR_OK, 0, NULL,
			   "the udev rules are installed: %s", ri->path);
		return;
	case HOSTENV_RULES_DIFFER:
		doctor_add(rep, "udev-rules", DOCTOR_WARN, 0,
			   ri->ours ? "sudo mtkbak udev --install, then replug the watch"
				    : "look at it, then: sudo mtkbak udev --install --force",
			   "%s differs from this mtkbak's rules (%s)", ri->path,
			   ri->ours ? "an older version, or edited" : "not written by mtkbak");
		return;
	case HOSTENV_RULES_MASKED:
		fmt(fix, sizeof(fix), "sudo rm %s && sudo mtkbak udev --install", ri->path);
		doctor_add(rep, "udev-rules", DOCTOR_WARN, 0, fix,
			   "%s is empty or links to /dev/null, which switches the rules off",
			   ri->path);
		return;
	case HOSTENV_RULES_NONE:
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

	if (rpath(env, path, "/proc/version") && hostenv_read_small(path, ver, sizeof(ver)) > 0 &&
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

static void check_watches(struct doctor_report *rep, const struct hostenv_usb *w, int n)
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

static void access_fix(const struct doctor_env *env, const struct hostenv_rules *ri,
		       const char *group, bool group_exists, bool listed, char *fix, size_t len)
{
	if (ri->state == HOSTENV_RULES_NONE || ri->state == HOSTENV_RULES_MASKED)
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
			     const struct hostenv_rules *ri, const struct hostenv_usb *w, int n)
{
	const char *group = ri->group[0] ? ri->group : MTKBAK_UDEV_GROUP;
	unsigned gid = 0;
	bool listed = false,
	     group_exists = hostenv_group_lookup(env->root, group, env->user, &gid, &listed);
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
	} else if (ri->state == HOSTENV_RULES_NONE || ri->state == HOSTENV_RULES_MASKED) {
		doctor_add(rep, "usb-access", DOCTOR_FAIL, MTK_EXIT_NOPERM, fix,
			   "without mtkbak's udev rules only root can open the watch (USB device "
			   "nodes are root-owned)");
	} else if (hostenv_seat_user(env->root, env->uid, seat, sizeof(seat))) {
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
			       const struct hostenv_rules *ri, const struct hostenv_usb *w, int n)
{
	long pid = hostenv_find_process(env->root, "ModemManager");
	const char *fix_rules =
	    ri->state == HOSTENV_RULES_CURRENT ||
		    (ri->state == HOSTENV_RULES_DIFFER && ri->mm_ignore)
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
		if (hostenv_tty_holder(env->root, tty, holder, sizeof(holder)) == pid) {
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
		int db = hostenv_mm_ignored(env->root, w[i].dev, w[i].tty);

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
	if (n > 0 && marked == n && !(ri->mm_ignore && ri->state != HOSTENV_RULES_MASKED)) {
		/* Someone else's rule did it (the device's udev entry is what counts). */
		doctor_add(
		    rep, "modemmanager", DOCTOR_OK, 0, NULL,
		    "ModemManager is running (pid %ld); udev marked the connected watch to be "
		    "ignored",
		    pid);
		return;
	}
	if (ri->mm_ignore && ri->state != HOSTENV_RULES_MASKED) {
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
			  const struct hostenv_usb *w, int n)
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
static int sysfs_serial(const struct hostenv_usb *w, int n, struct doctor_serial *out, size_t max)
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
	struct hostenv_usb w[MAX_WATCHES];
	struct doctor_serial ports[MAX_SERIAL];
	struct hostenv_rules ri;
	int n, nports;

	rep->n = 0;
	check_user(env, rep);
	check_system(env, rep);
	{
		static const char *const dirs[] = MTKBAK_UDEV_DIRS;

		hostenv_find_rules(env->root, dirs, sizeof(dirs) / sizeof(dirs[0]),
				   mtkbak_udev_rules_name, mtkbak_udev_rules, &ri);
	}
	n = check_usb_bus(env, rep)
		? hostenv_find_usb(env->root, WATCH_VID, WATCH_PID, w, MAX_WATCHES)
		: 0;
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

void doctor_run(const struct doctor_env *env, struct doctor_report *rep)
{
	struct doctor_serial ports[MAX_SERIAL];
	int nports = -ENOSYS;

	rep->n = 0;
	doctor_add(rep, "system", DOCTOR_INFO, 0,
		   "use --port serial:PORT (see 'mtkbak list'); on Windows also --port usb when "
		   "WinUSB (Zadig) or UsbDk is installed",
		   "the udev, ModemManager and kernel-driver checks are for Linux; here mtkbak "
		   "reaches the watch through the system's serial driver or libusb");
#ifdef _WIN32
	if (!env->root[0]) { /* live system (MTKBAK_SYSROOT is for the Linux probes) */
		struct doctor_win_state ws;

		doctor_win_scan(&ws);
		doctor_win_advise(&ws, rep);
	}
#endif
	if (env->list_serial)
		nports = env->list_serial(env->ctx, ports, MAX_SERIAL);
	if (nports > MAX_SERIAL)
		nports = MAX_SERIAL;
	check_serial(env, rep, ports, nports, 0, "", NULL);
}

#endif
