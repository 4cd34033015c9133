/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The simulated watch as a port backend: --port sim:IMAGE[,opt=val], sim:demo and
 * sim:A+B (several watches on one bus). The CLI registers it with port_env_add_backend; the
 * transport layer never names the simulator. A watch lives as long as the port env, so it
 * keeps its state across reconnects within one mtkbak run. Like a USB device handle, a
 * transport on it dies when the watch re-enumerates: a new port_open is needed then. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mtkbak/clock.h"
#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/fwgen.h"
#include "mtkbak/port.h"
#include "mtkbak/sim.h"

#define MAX_SIMS 4
#define POLL_MS	 20 /* well inside the 50 ms budget from appearing to talking */

struct sim_slot {
	char key[MTK_PATH_MAX];
	struct sim_watch *w;
};

struct sim_port {
	struct sim_slot sims[MAX_SIMS];
	size_t nsims;
	char *err; /* the current open's message buffer */
	size_t errlen;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...) MTK_PRINTF(3, 4);

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

struct sim_tp {
	struct mtk_transport base; /* first: the ops get a struct mtk_transport * */
	struct sim_watch *w;
	uint64_t generation;
};

static int sim_tp_read(struct mtk_transport *t, uint8_t *buf, size_t len, int timeout_ms)
{
	struct sim_tp *s = (struct sim_tp *)t;

	if (sim_generation(s->w) != s->generation)
		return -ENODEV;
	return sim_host_read(s->w, buf, len, timeout_ms);
}

static int sim_tp_write(struct mtk_transport *t, const uint8_t *buf, size_t len, int timeout_ms)
{
	struct sim_tp *s = (struct sim_tp *)t;

	if (sim_generation(s->w) != s->generation)
		return -ENODEV;
	return sim_host_write(s->w, buf, len, timeout_ms);
}

static void sim_tp_close(struct mtk_transport *t)
{
	free(t);
}

static const struct mtk_transport_ops sim_tp_ops = {
    .kind = "sim",
    .read = sim_tp_read,
    .write = sim_tp_write,
    .close = sim_tp_close,
};

int sim_transport_new(struct sim_watch *w, const char *name, struct mtk_transport **out)
{
	struct sim_tp *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->base.ops = &sim_tp_ops;
	snprintf(s->base.name, sizeof(s->base.name), "%s", name);
	s->w = w;
	s->generation = sim_generation(w);
	/* what usb.c sends at open (and cdc_acm for a serial port): the line coding, then DTR
	 * and RTS; a watch that is not on the bus yet fails later, on the first read */
	sim_host_set_line_coding(w, 115200, 0, 0, 8);
	sim_host_set_control_line(w, true, true);
	*out = &s->base;
	return 0;
}

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

int sim_port_check(const char *arg, char *err, size_t errlen)
{
	char buf[1024];
	char *save = NULL;

	if (strlen(arg) >= sizeof(buf)) {
		set_err(err, errlen, "sim port argument too long");
		return -EINVAL;
	}
	strcpy(buf, arg);
	for (char *w = strtok_r(buf, "+", &save); w; w = strtok_r(NULL, "+", &save)) {
		struct sim_spec ss;
		struct sim_opts o;
		int ret;

		split_sim_arg(w, &ss);
		sim_opts_default(&o);
		if ((ret = sim_opts_parse(ss.opts, &o, err, errlen)) < 0)
			return ret;
	}
	return 0;
}

struct sim_watch *sim_port_watch(const struct port_env *penv, const char *arg)
{
	const struct sim_port *env = port_env_backend_ctx(penv, "sim");

	for (size_t i = 0; env && arg && i < env->nsims; i++)
		if (!strcmp(env->sims[i].key, arg))
			return env->sims[i].w;
	return NULL;
}

static int sim_create(struct sim_port *env, const char *arg, struct sim_watch **out)
{
	struct sim_spec ss;
	struct sim_opts o;
	char why[256] = "";
	uint8_t *img = NULL;
	size_t len = 0;
	int ret;

	split_sim_arg(arg, &ss);
	sim_opts_default(&o);
	/* The e2e tests point every simulated watch at one write log (nor_log=PATH wins). */
	if (getenv("MTKBAK_SIM_NOR_LOG"))
		snprintf(o.nor_log, sizeof(o.nor_log), "%s", getenv("MTKBAK_SIM_NOR_LOG"));
	if (!strcmp(ss.image, "demo")) {
		/* The demo shows what a real pull looks like: the watch is plugged in a moment
		 * after mtkbak starts waiting, and the read runs at USB full speed.
		 * plug=0,link=none turn that off. */
		o.plug_ms = 1500;
		o.link_fs = true;
	}
	if ((ret = sim_opts_parse(ss.opts, &o, why, sizeof(why))) < 0) {
		set_err(env->err, env->errlen, "%s", why);
		return ret;
	}
	/* built-in names win over files: a file or folder called demo is ./demo */
	if (!strcmp(ss.image, "demo")) {
		ret = fwgen_demo(o.image_size, &img, &len);
		if (ret < 0) {
			set_err(
			    env->err, env->errlen,
			    "sim:demo could not build its demo firmware (%s)%s; use sim:IMAGE with "
			    "a flash image file",
			    mtk_strerror(ret),
			    ret == -ENOSYS ? ": the generator is not in this build" : "");
			return ret;
		}
	} else {
		ret = read_whole_file(ss.image, &img, &len, 16u * 1024 * 1024);
		if (ret < 0) {
			set_err(env->err, env->errlen, "sim image %s: %s%s", ss.image,
				mtk_strerror(ret),
				mtk_errno(ret) == -EFBIG ? " (a serial NOR is at most 16 MiB)"
							 : "");
			return ret;
		}
		if ((ret = sim_image_size_check(len, why, sizeof(why))) < 0) {
			set_err(env->err, env->errlen, "sim image %s: %s", ss.image, why);
			free(img);
			return -MTK_EDATA; /* malformed input data: exit 65 */
		}
	}
	if (o.nor_log[0]) { /* say why, rather than "cannot create the simulated watch" */
		FILE *f = fopen(o.nor_log, "a");

		if (!f) {
			ret = -errno;
			set_err(env->err, env->errlen, "sim nor_log %s: %s", o.nor_log,
				mtk_strerror(ret));
			free(img);
			return mtk_output_err(ret);
		}
		fclose(f);
	}
	*out = sim_new(&o, img, len);
	free(img);
	if (!*out) {
		set_err(env->err, env->errlen, "cannot create the simulated watch");
		return -ENOMEM;
	}
	return 0;
}

/* The watch registered under key, created on first use. */
static int sim_slot_get(struct sim_port *env, const char *key, const char *sub,
			struct sim_watch **out)
{
	int ret;

	for (size_t i = 0; i < env->nsims; i++) {
		if (!strcmp(env->sims[i].key, key)) {
			*out = env->sims[i].w;
			return 0;
		}
	}
	if (env->nsims == MAX_SIMS) {
		set_err(env->err, env->errlen, "too many simulated watches in one run (at most %d)",
			MAX_SIMS);
		return -EINVAL;
	}
	if ((ret = sim_create(env, sub, out)) < 0)
		return ret;
	snprintf(env->sims[env->nsims].key, sizeof(env->sims[0].key), "%s", key);
	env->sims[env->nsims++].w = *out;
	return 0;
}

/* sim:A+B+... is several simulated watches on one bus (e.g. a shop's --loop test, or two
 * watches connected at once); each part is IMAGE[,options]. */
static int open_sim(void *ctx, const char *arg, const struct port_wait *wait,
		    struct mtk_transport **out, char *err, size_t errlen)
{
	struct sim_port *env = ctx;
	struct sim_watch *ws[MAX_SIMS];
	char subs[MAX_SIMS][MTK_PATH_MAX / MAX_SIMS];
	int64_t start = mtk_now_ms(), next_tick = start;
	char name[160];
	size_t n = 0;
	int ret;

	err[0] = 0;
	env->err = err;
	env->errlen = errlen;

	if (!strchr(arg, '+')) {
		if ((ret = sim_slot_get(env, arg, arg, &ws[0])) < 0)
			return ret;
		snprintf(subs[0], sizeof(subs[0]), "%.*s", (int)sizeof(subs[0]) - 1, arg);
		n = 1;
	} else {
		const char *p = arg;

		while (*p) {
			const char *plus = strchr(p, '+');
			size_t len = plus ? (size_t)(plus - p) : strlen(p);
			char key[MTK_PATH_MAX];

			if (n == MAX_SIMS || len == 0 || len >= sizeof(subs[0])) {
				set_err(err, errlen, "sim:A+B takes 1 to %d non-empty watches",
					MAX_SIMS);
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
			set_err(err, errlen, "%zu simulated watches are on the bus at once",
				present);
			return -MTK_EAMBIGUOUS;
		}
		if (present == 1) {
			snprintf(name, sizeof(name), "sim:%.150s", subs[which]);
			return sim_transport_new(ws[which], name, out);
		}
		if ((ret = port_wait_tick(wait, start, &next_tick)) != 0)
			return ret;
		if (port_wait_over(wait, start)) {
			set_err(err, errlen, "the simulated watch is not on the bus");
			return -ENODEV;
		}
		sim_wait_present(ws[0], n == 1 ? POLL_MS : 10);
	}
}

static void *sim_port_new(const struct mtk_log *log)
{
	(void)log;
	return calloc(1, sizeof(struct sim_port));
}

static void sim_port_free(void *ctx)
{
	struct sim_port *env = ctx;

	if (!env)
		return;
	for (size_t i = 0; i < env->nsims; i++)
		sim_free(env->sims[i].w);
	free(env);
}

const struct port_backend sim_port_backend = {
    .scheme = "sim",
    .ctx_new = sim_port_new,
    .ctx_free = sim_port_free,
    .open = open_sim,
};
