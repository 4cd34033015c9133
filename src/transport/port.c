/* --port SPEC parsing, waiting for the watch and opening it (see include/mtkbak/port.h). */
#include "mtkbak/port.h"
#include "mtkbak/errors.h"
#include "mtkbak/fwgen.h"

#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/sysmacros.h>
#endif
#include <time.h>
#include <unistd.h>

#include "tp_internal.h"

#define MAX_SIMS	4
#define POLL_MS		20 /* well inside the 50 ms budget from appearing to talking */
#define TICK_MS		100
#define EACCES_GRACE_MS 1500 /* udev may still be fixing permissions right after a plug */

int port_spec_parse(const char *text, struct port_spec *out, char *err, size_t errlen)
{
	const char *arg = "";

	memset(out, 0, sizeof(*out));
	if (!strcmp(text, "auto")) {
		out->kind = PORT_AUTO;
	} else if (!strcmp(text, "usb")) {
		out->kind = PORT_USB;
	} else if (!strncmp(text, "usb:", 4)) {
		out->kind = PORT_USB;
		arg = text + 4;
	} else if (!strncmp(text, "serial:", 7)) {
		out->kind = PORT_SERIAL;
		arg = text + 7;
	} else if (!strncmp(text, "sim:", 4)) {
		out->kind = PORT_SIM;
		arg = text + 4;
	} else {
		snprintf(err, errlen, "unknown port kind");
		return -EINVAL;
	}
	if (strlen(arg) >= sizeof(out->arg)) {
		snprintf(err, errlen, "too long");
		return -EINVAL;
	}
	if ((out->kind == PORT_SERIAL || out->kind == PORT_SIM) && !*arg) {
		snprintf(err, errlen, "%s needs a value",
			 out->kind == PORT_SIM ? "sim:" : "serial:");
		return -EINVAL;
	}
	if (out->kind == PORT_USB && *arg) {
		/* BUS-PORT[.PORT...] */
		const char *p = arg;
		bool ok = isdigit((unsigned char)*p);

		while (ok && isdigit((unsigned char)*p))
			p++;
		ok = ok && *p == '-' && isdigit((unsigned char)p[1]);
		for (p++; ok && *p; p++)
			ok = isdigit((unsigned char)*p) ||
			     (*p == '.' && isdigit((unsigned char)p[1]));
		if (!ok) {
			snprintf(err, errlen, "usb: wants a bus-port path like usb:1-2.3");
			return -EINVAL;
		}
	}
	strcpy(out->arg, arg);
	return 0;
}

struct sim_slot {
	char key[MTK_PATH_MAX];
	struct sim_watch *w;
};

struct port_env {
	const struct mtk_log *log;
	struct usb_ctx *usb;
	bool usb_tried;
	int usb_err;
	char usb_errmsg[200];
	struct sim_slot sims[MAX_SIMS];
	size_t nsims;
	char err[512];
	int64_t serial_only_since; /* auto: when only the tty was seen, -1 if not */
};

struct port_env *port_env_new(const struct mtk_log *log)
{
	struct port_env *env = calloc(1, sizeof(*env));

	if (env) {
		env->log = log;
		env->serial_only_since = -1;
	}
	return env;
}

void port_env_free(struct port_env *env)
{
	if (!env)
		return;
	for (size_t i = 0; i < env->nsims; i++)
		sim_free(env->sims[i].w);
	usb_ctx_free(env->usb);
	free(env);
}

const char *port_env_last_error(const struct port_env *env)
{
	return env ? env->err : "";
}

static void set_err(struct port_env *env, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_err(struct port_env *env, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(env->err, sizeof(env->err), fmt, ap);
	va_end(ap);
}

/* libusb, set up once per env; NULL (with the reason kept) when there is no USB here. */
static struct usb_ctx *env_usb(struct port_env *env)
{
	if (!env->usb_tried) {
		env->usb_tried = true;
		env->usb_err =
		    usb_ctx_new(&env->usb, env->log, env->usb_errmsg, sizeof(env->usb_errmsg));
		if (env->usb_err < 0)
			mtk_logf(env->log, MTK_LOG_DEBUG, "usb: %s", env->usb_errmsg);
	}
	return env->usb;
}

static void nap(struct port_env *env, int ms)
{
	struct usb_ctx *u = env->usb;

	if (u) {
		usb_wait_event(u, ms);
	} else {
		struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)ms * 1000000L};
		nanosleep(&ts, NULL);
	}
}

/* ---- sim: ---- */

struct sim_spec {
	char image[MTK_PATH_MAX];
	const char *opts;
};

static void split_sim_arg(const char *arg, struct sim_spec *s)
{
	const char *comma = strchr(arg, ',');
	size_t n = comma ? (size_t)(comma - arg) : strlen(arg);

	if (n >= sizeof(s->image))
		n = sizeof(s->image) - 1;
	memcpy(s->image, arg, n);
	s->image[n] = 0;
	s->opts = comma ? comma + 1 : "";
}

struct sim_watch *port_env_sim(struct port_env *env, const struct port_spec *spec)
{
	for (size_t i = 0; env && spec && i < env->nsims; i++)
		if (!strcmp(env->sims[i].key, spec->arg))
			return env->sims[i].w;
	return NULL;
}

static int sim_create(struct port_env *env, const struct port_spec *spec, struct sim_watch **out)
{
	struct sim_spec ss;
	struct sim_opts o;
	char why[256] = "";
	uint8_t *img = NULL;
	size_t len = 0;
	int ret;

	split_sim_arg(spec->arg, &ss);
	sim_opts_default(&o);
	if (!strcmp(ss.image, "demo")) {
		/* The demo shows what a real pull looks like: the watch is plugged in a moment
		 * after mtkbak starts waiting, and the read runs at USB full speed.
		 * plug=0,link=none turn that off. */
		o.plug_ms = 1500;
		o.link_fs = true;
	}
	if ((ret = sim_opts_parse(ss.opts, &o, why, sizeof(why))) < 0) {
		set_err(env, "%s", why);
		return ret;
	}
	if (!strcmp(ss.image, "demo") && access("demo", F_OK) != 0) {
		ret = fwgen_demo(o.image_size, &img, &len);
		if (ret < 0) {
			set_err(
			    env,
			    "sim:demo could not build its demo firmware (%s)%s; use sim:IMAGE with "
			    "a flash image file",
			    mtk_strerror(ret),
			    ret == -ENOSYS ? ": the generator is not in this build" : "");
			return ret;
		}
	} else {
		ret = read_whole_file(ss.image, &img, &len, 16u * 1024 * 1024);
		if (ret < 0) {
			set_err(env, "sim image %s: %s%s", ss.image, mtk_strerror(ret),
				ret == -EFBIG ? " (a serial NOR is at most 16 MiB)" : "");
			return ret;
		}
		if ((ret = sim_image_size_check(len, why, sizeof(why))) < 0) {
			set_err(env, "sim image %s: %s", ss.image, why);
			free(img);
			return ret;
		}
	}
	*out = sim_new(&o, img, len);
	free(img);
	if (!*out) {
		set_err(env, "cannot create the simulated watch");
		return -ENOMEM;
	}
	return 0;
}

static int wait_ticks(const struct port_wait *wait, int64_t start, int64_t *next_tick)
{
	int64_t now = tp_now_ms();

	if (wait && wait->tick && now >= *next_tick) {
		int rc = wait->tick(wait->ctx, (int)(now - start));

		*next_tick = now + TICK_MS;
		if (rc)
			return rc;
	}
	return 0;
}

static bool wait_over(const struct port_wait *wait, int64_t start)
{
	if (!wait || wait->timeout_ms == 0)
		return true;
	return wait->timeout_ms > 0 && tp_now_ms() - start >= wait->timeout_ms;
}

/* The watch registered under key, created on first use. */
static int sim_slot_get(struct port_env *env, const char *key, const char *sub,
			struct sim_watch **out)
{
	struct port_spec one;
	int ret;

	for (size_t i = 0; i < env->nsims; i++) {
		if (!strcmp(env->sims[i].key, key)) {
			*out = env->sims[i].w;
			return 0;
		}
	}
	if (env->nsims == MAX_SIMS) {
		set_err(env, "too many simulated watches in one run (at most %d)", MAX_SIMS);
		return -EINVAL;
	}
	memset(&one, 0, sizeof(one));
	one.kind = PORT_SIM;
	snprintf(one.arg, sizeof(one.arg), "%s", sub);
	if ((ret = sim_create(env, &one, out)) < 0)
		return ret;
	snprintf(env->sims[env->nsims].key, sizeof(env->sims[0].key), "%s", key);
	env->sims[env->nsims++].w = *out;
	return 0;
}

/* sim:A+B+... is several simulated watches on one bus (e.g. a shop's --loop test, or two
 * watches connected at once); each part is IMAGE[,options]. */
static int open_sim(struct port_env *env, const struct port_spec *spec,
		    const struct port_wait *wait, struct mtk_transport **out)
{
	struct sim_watch *ws[MAX_SIMS];
	char subs[MAX_SIMS][MTK_PATH_MAX / MAX_SIMS];
	int64_t start = tp_now_ms(), next_tick = start;
	char name[160];
	size_t n = 0;
	int ret;

	if (!strchr(spec->arg, '+')) {
		if ((ret = sim_slot_get(env, spec->arg, spec->arg, &ws[0])) < 0)
			return ret;
		snprintf(subs[0], sizeof(subs[0]), "%.*s", (int)sizeof(subs[0]) - 1, spec->arg);
		n = 1;
	} else {
		const char *p = spec->arg;

		while (*p) {
			const char *plus = strchr(p, '+');
			size_t len = plus ? (size_t)(plus - p) : strlen(p);
			char key[MTK_PATH_MAX];

			if (n == MAX_SIMS || len == 0 || len >= sizeof(subs[0])) {
				set_err(env, "sim:A+B takes 1 to %d non-empty watches", MAX_SIMS);
				return -EINVAL;
			}
			memcpy(subs[n], p, len);
			subs[n][len] = 0;
			snprintf(key, sizeof(key), "#%zu:%s", n, subs[n]);
			if ((ret = sim_slot_get(env, key, subs[n], &ws[n])) < 0)
				return ret;
			n++;
			p = plus ? plus + 1 : p + len;
		}
	}
	/* bounded by the wait's timeout (or forever when asked, with ticks for Ctrl-C) */
	for (;;) {
		size_t present = 0, which = 0;

		for (size_t i = 0; i < n; i++) {
			if (sim_present(ws[i])) {
				present++;
				which = i;
			}
		}
		if (present > 1) {
			set_err(env, "%zu simulated watches are on the bus at once", present);
			return -MTK_EAMBIGUOUS;
		}
		if (present == 1) {
			snprintf(name, sizeof(name), "sim:%.150s", subs[which]);
			return sim_transport_new(ws[which], name, out);
		}
		if ((ret = wait_ticks(wait, start, &next_tick)) != 0)
			return ret;
		if (wait_over(wait, start)) {
			set_err(env, "the simulated watch is not on the bus");
			return -ENODEV;
		}
		sim_wait_present(ws[0], n == 1 ? POLL_MS : 10);
	}
}

/* ---- usb / serial / auto ---- */

/* One look: 1 opened, 0 nothing there (yet), < 0 a real failure. */
static int try_usb(struct port_env *env, const char *path, struct mtk_transport **out)
{
	struct usb_ctx *u = env_usb(env);
	char why[256] = "";
	int ret;

	if (!u) {
		set_err(env, "%s", env->usb_errmsg);
		return 0;
	}
	ret = usb_open_path(u, path, out, why, sizeof(why));
	if (ret == 0)
		return 1;
	set_err(env, "%s", why);
	return ret == -ENODEV ? 0 : ret;
}

static int try_serial(struct port_env *env, const char *name, struct mtk_transport **out)
{
	char why[256] = "";
	int ret = serial_open_name(name, env->log, out, why, sizeof(why));

	if (ret == 0)
		return 1;
	set_err(env, "%s", why);
	return ret == -ENODEV ? 0 : ret;
}

/* A fresh plug-in shows its cdc_acm tty before libusb lists the device (libusb waits for
 * udevd); prefer USB as promised by giving libusb this long to catch up. */
#define AUTO_USB_GRACE_MS 300

static int try_auto(struct port_env *env, bool can_wait, struct mtk_transport **out)
{
	struct usb_ctx *u = env_usb(env);
	char paths[2][64], names[2][64];
	int nusb = u ? usb_scan(u, paths, 2) : 0;
	int nser = serial_scan(names, 2);
	int ret;

	if (nusb > 1 || (nusb == 0 && nser > 1)) {
		set_err(env, "%d watches in boot-ROM mode are connected", nusb > 1 ? nusb : nser);
		return -MTK_EAMBIGUOUS;
	}
	if (nusb == 1) {
		ret = try_usb(env, paths[0], out);
		/* a port we may not claim over USB may still work through its tty */
		if ((ret == -EACCES || ret == -EBUSY) && nser == 1 &&
		    try_serial(env, names[0], out) == 1)
			return 1;
		return ret;
	}
	if (nser == 1) {
		if (u && can_wait) {
			if (env->serial_only_since < 0)
				env->serial_only_since = tp_now_ms();
			if (tp_now_ms() - env->serial_only_since < AUTO_USB_GRACE_MS)
				return 0;
		}
		return try_serial(env, names[0], out);
	}
	env->serial_only_since = -1;
	set_err(env, "no watch in boot-ROM mode (USB 0E8D:0003) found");
	return 0;
}

int port_open(struct port_env *env, const struct port_spec *spec, const struct port_wait *wait,
	      struct mtk_transport **out)
{
	int64_t start = tp_now_ms(), next_tick = start, denied_since = -1;
	int ret;

	env->err[0] = 0;
	*out = NULL;
	if (spec->kind == PORT_SIM)
		return open_sim(env, spec, wait, out);
	if (spec->kind != PORT_SERIAL)
		env_usb(env); /* so the first wait already uses hotplug events */
	/* bounded by the wait's timeout; wait->tick lets the caller stop it (Ctrl-C) */
	for (;;) {
		switch (spec->kind) {
		case PORT_USB:
			ret = try_usb(env, spec->arg, out);
			break;
		case PORT_SERIAL:
			ret = try_serial(env, spec->arg, out);
			break;
		default:
			ret = try_auto(env, wait && wait->timeout_ms != 0, out);
			break;
		}
		if (ret == 1)
			return 0;
		if (ret == -EACCES) {
			/* right after a plug udev may not have applied its rule yet */
			if (denied_since < 0)
				denied_since = tp_now_ms();
			if (tp_now_ms() - denied_since >= EACCES_GRACE_MS || wait_over(wait, start))
				return ret;
		} else if (ret < 0) {
			return ret;
		}
		if ((ret = wait_ticks(wait, start, &next_tick)) != 0)
			return ret;
		if (wait_over(wait, start)) {
			if (!env->err[0])
				set_err(env, "no watch found");
			return -ENODEV;
		}
		nap(env, POLL_MS);
	}
}

/* ---- listing ---- */

/* The program that has `tty` open, if any (bounded scan of /proc). */
static void tty_holder(const char *tty, char *out, size_t len)
{
#ifndef __linux__
	(void)tty;
	(void)out;
	(void)len;
}
#else
	DIR *proc = opendir("/proc");
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
		snprintf(dir, sizeof(dir), "/proc/%s/fd", p->d_name);
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

				snprintf(link, sizeof(link), "/proc/%s/comm", p->d_name);
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
static bool tty_mm_ignored(const char *tty)
{
#ifndef __linux__
	(void)tty;
	return false;
#else
	struct stat st;
	char path[64], line[256];
	FILE *f;
	bool ignored = false;

	if (stat(tty, &st) != 0)
		return false;
	snprintf(path, sizeof(path), "/run/udev/data/c%u:%u", major(st.st_rdev), minor(st.st_rdev));
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

int port_list(struct port_env *env, struct port_info *out, size_t max)
{
	struct usb_ctx *u = env_usb(env);
	int n = 0, k;

	env->err[0] = 0;
	if (u) {
		k = usb_list(u, out, max);
		if (k > 0)
			n = k;
	} else {
		set_err(env, "%s", env->usb_errmsg);
	}
	k = serial_list(out + n, max - (size_t)n);
	if (k > 0)
		n += k;
	for (int i = 0; i < n; i++) {
		const char *tty = out[i].kind == PORT_USB ? out[i].tty : out[i].path;

		if (!tty[0] || (out[i].kind == PORT_SERIAL && out[i].vid != MTK_USB_VID))
			continue;
		tty_holder(tty, out[i].holder, sizeof(out[i].holder));
		out[i].mm_ignored = tty_mm_ignored(tty);
	}
	return n;
}
