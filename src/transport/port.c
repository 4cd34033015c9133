/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --port SPEC parsing, waiting for the watch and opening it (see include/mtkbak/port.h). */
#include "mtkbak/port.h"
#include "mtkbak/errors.h"

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

#include "mtkbak/fsutil.h"
#include "mtkbak/hostenv.h"
#include "tp_internal.h"

#define MAX_BACKENDS	4
#define POLL_MS		20 /* well inside the 50 ms budget from appearing to talking */
#define TICK_MS		100
#define EACCES_GRACE_MS 1500 /* udev may still be fixing permissions right after a plug */

/* "name:..." with a lower-case name other than the built-in ones: a registered backend's
 * scheme (checked when the port is opened). */
static bool backend_scheme(const char *text, char *out, size_t len)
{
	size_t n = 0;

	while (text[n] >= 'a' && text[n] <= 'z')
		n++;
	if (n == 0 || n >= len || text[n] != ':')
		return false;
	memcpy(out, text, n);
	out[n] = 0;
	return true;
}

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
	} else if (backend_scheme(text, out->scheme, sizeof(out->scheme))) {
		out->kind = PORT_BACKEND;
		arg = text + strlen(out->scheme) + 1;
	} else {
		snprintf(err, errlen, "unknown port kind");
		return -EINVAL;
	}
	if (strlen(arg) >= sizeof(out->arg)) {
		snprintf(err, errlen, "too long");
		return -EINVAL;
	}
	if ((out->kind == PORT_SERIAL || out->kind == PORT_BACKEND) && !*arg) {
		snprintf(err, errlen, "%s: needs a value",
			 out->kind == PORT_BACKEND ? out->scheme : "serial");
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

struct backend_slot {
	const struct port_backend *b;
	void *ctx;
};

struct port_env {
	const struct mtk_log *log;
	struct usb_ctx *usb;
	bool usb_tried;
	int usb_err;
	char usb_errmsg[200];
	struct backend_slot backends[MAX_BACKENDS];
	size_t nbackends;
	char err[512];
	int64_t serial_only_since; /* auto: when only the tty was seen, -1 if not */
	char sysroot[256];	   /* port_env_set_sysroot: list reads a fake host */
#ifdef _WIN32
	int64_t usb_held_since; /* auto: when libusb first found the watch held by usbser */
#endif
};

struct port_env *port_env_new(const struct mtk_log *log)
{
	struct port_env *env = calloc(1, sizeof(*env));

	if (env) {
		env->log = log;
		env->serial_only_since = -1;
#ifdef _WIN32
		env->usb_held_since = -1;
#endif
	}
	return env;
}

int port_env_set_sysroot(struct port_env *env, const char *root)
{
	int n = snprintf(env->sysroot, sizeof(env->sysroot), "%s", root ? root : "");

	if (n < 0 || (size_t)n >= sizeof(env->sysroot)) {
		env->sysroot[0] = 0;
		return -ENAMETOOLONG;
	}
	return 0;
}

void port_env_free(struct port_env *env)
{
	if (!env)
		return;
	for (size_t i = 0; i < env->nbackends; i++)
		if (env->backends[i].b->ctx_free)
			env->backends[i].b->ctx_free(env->backends[i].ctx);
	usb_ctx_free(env->usb);
	free(env);
}

static void set_err(struct port_env *env, const char *fmt, ...) MTK_PRINTF(2, 3);

static void set_err(struct port_env *env, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(env->err, sizeof(env->err), fmt, ap);
	va_end(ap);
}

int port_env_add_backend(struct port_env *env, const struct port_backend *b)
{
	void *ctx = NULL;

	if (!env || !b || !b->scheme || !b->open)
		return -EINVAL;
	if (env->nbackends == MAX_BACKENDS)
		return -ENOSPC;
	if (b->ctx_new && !(ctx = b->ctx_new(env->log)))
		return -ENOMEM;
	env->backends[env->nbackends].b = b;
	env->backends[env->nbackends++].ctx = ctx;
	return 0;
}

void *port_env_backend_ctx(const struct port_env *env, const char *scheme)
{
	for (size_t i = 0; env && scheme && i < env->nbackends; i++)
		if (!strcmp(env->backends[i].b->scheme, scheme))
			return env->backends[i].ctx;
	return NULL;
}

static int open_backend(struct port_env *env, const struct port_spec *spec,
			const struct port_wait *wait, struct mtk_transport **out)
{
	for (size_t i = 0; i < env->nbackends; i++) {
		const struct backend_slot *s = &env->backends[i];

		if (strcmp(s->b->scheme, spec->scheme))
			continue;
		env->err[0] = 0;
		return s->b->open(s->ctx, spec->arg, wait, out, env->err, sizeof(env->err));
	}
	set_err(env, "unknown port kind \"%s:\" (this build knows auto, usb, serial%s)",
		spec->scheme, env->nbackends ? " and its own" : "");
	return -EINVAL;
}

const char *port_env_last_error(const struct port_env *env)
{
	return env ? env->err : "";
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

int port_wait_tick(const struct port_wait *wait, int64_t start, int64_t *next_tick)
{
	int64_t now = mtk_now_ms();

	if (wait && wait->tick && now >= *next_tick) {
		int rc = wait->tick(wait->ctx, (int)(now - start));

		*next_tick = now + TICK_MS;
		if (rc)
			return rc;
	}
	return 0;
}

bool port_wait_over(const struct port_wait *wait, int64_t start)
{
	if (!wait || wait->timeout_ms == 0)
		return true;
	return wait->timeout_ms > 0 && mtk_now_ms() - start >= wait->timeout_ms;
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
/* Windows: how long auto waits for the COM port of a watch usbser holds */
#define WIN_COM_GRACE_MS 2000

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
#ifdef _WIN32
		/* usbser holds it and its COM port is listed a moment after the USB device */
		if (ret == -EBUSY && nser == 0 && can_wait) {
			if (env->usb_held_since < 0)
				env->usb_held_since = mtk_now_ms();
			if (mtk_now_ms() - env->usb_held_since < WIN_COM_GRACE_MS)
				return 0;
		}
#endif
		return ret;
	}
	if (nser == 1) {
		if (u && can_wait) {
			if (env->serial_only_since < 0)
				env->serial_only_since = mtk_now_ms();
			if (mtk_now_ms() - env->serial_only_since < AUTO_USB_GRACE_MS)
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
	int64_t start = mtk_now_ms(), next_tick = start, denied_since = -1;
	int ret;

	env->err[0] = 0;
	*out = NULL;
	if (spec->kind == PORT_BACKEND)
		return open_backend(env, spec, wait, out);
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
				denied_since = mtk_now_ms();
			if (mtk_now_ms() - denied_since >= EACCES_GRACE_MS ||
			    port_wait_over(wait, start))
				return ret;
		} else if (ret < 0) {
			return ret;
		}
		if ((ret = port_wait_tick(wait, start, &next_tick)) != 0)
			return ret;
		if (port_wait_over(wait, start)) {
			if (!env->err[0])
				set_err(env, "no watch found");
			return -ENODEV;
		}
		nap(env, POLL_MS);
	}
}

/* ---- listing ---- */

/* The watches sysfs shows below env->sysroot (a fake host: libusb cannot be pointed there). */
static int sysfs_list(struct port_env *env, struct port_info *out, size_t max)
{
	struct hostenv_usb w[8];
	int n = hostenv_find_usb(env->sysroot, MTK_USB_VID, MTK_USB_PID, w, 8);
	int count = 0;

	for (int i = 0; i < n && (size_t)count < max; i++) {
		struct port_info *pi = &out[count++];
		char node[MTK_PATH_MAX];

		memset(pi, 0, sizeof(*pi));
		pi->kind = PORT_USB;
		pi->vid = MTK_USB_VID;
		pi->pid = MTK_USB_PID;
		snprintf(pi->path, sizeof(pi->path), "%s", w[i].name);
		snprintf(pi->driver, sizeof(pi->driver), "%s", hostenv_usb_first_driver(&w[i]));
		if (w[i].tty[0])
			snprintf(pi->tty, sizeof(pi->tty), "/dev/%s", w[i].tty);
		pi->accessible = hostenv_path(env->sysroot, node, sizeof(node), "%s", w[i].node) &&
				 access(node, R_OK | W_OK) == 0;
	}
	return count;
}

int port_list(struct port_env *env, struct port_info *out, size_t max)
{
	struct usb_ctx *u = env->sysroot[0] ? NULL : env_usb(env);
	int n = 0, k;

	env->err[0] = 0;
	if (env->sysroot[0]) {
		n = sysfs_list(env, out, max); /* no live serial ports on a fake host either */
	} else {
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
	}
	for (int i = 0; i < n; i++) {
		const char *tty = out[i].kind == PORT_USB ? out[i].tty : out[i].path;
		struct hostenv_usb hw = {0};

		if (!tty[0] || (out[i].kind == PORT_SERIAL && out[i].vid != MTK_USB_VID))
			continue;
		if (out[i].kind == PORT_USB)
			hostenv_usb_describe(env->sysroot, out[i].path, &hw);
		hostenv_tty_holder(env->sysroot, tty, out[i].holder, sizeof(out[i].holder));
		out[i].mm_ignored = hostenv_mm_ignored(env->sysroot, hw.dev, tty) == 1;
	}
	return n;
}
