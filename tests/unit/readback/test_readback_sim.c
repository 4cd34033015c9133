/* SPDX-License-Identifier: GPL-3.0-or-later */
/* readback_run() in-process against the simulated watch: through an already open port
 * (opts.tp, what `pull` does after identify) and through a port spec with the agent and
 * BROM-only, each compared byte for byte with the simulated flash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/readback.h"
#include "readback/rb_internal.h"
#include "simlib.h"

#define MiB (1024u * 1024u)

struct fx {
	char dir[64];
	char out[MTK_PATH_MAX];
	unsigned progress_calls;
	uint64_t last_done, last_total;
};

static void on_progress(void *ctx, const struct readback_progress *p)
{
	struct fx *x = ctx;

	assert_true(p->done <= p->total);
	assert_true(p->done >= x->last_done || p->total != x->last_total);
	x->progress_calls++;
	x->last_done = p->done;
	x->last_total = p->total;
}

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));

	snprintf(x->dir, sizeof(x->dir), "/tmp/mtkbak-rbsim-XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	path_join(x->out, x->dir, "flash.bin");
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	rm_rf(x->dir);
	free(x);
	return 0;
}

static void assert_file_is(const char *path, const uint8_t *data, size_t len)
{
	uint8_t *buf;
	size_t n;

	assert_int_equal(read_whole_file(path, &buf, &n, 32 * MiB), 0);
	assert_int_equal(n, len);
	assert_memory_equal(buf, data, len);
	free(buf);
}

static void test_given_port(void **state)
{
	struct fx *x = *state;
	struct simlib s;
	struct readback_opts o;
	struct readback_result r;

	assert_int_equal(simlib_open(&s, "", 4 * MiB), 0);
	readback_opts_default(&o);
	o.out_path = x->out;
	o.tp = s.tp;
	s.tp = NULL; /* readback_run owns it now */
	o.progress = on_progress;
	o.cb_ctx = x;
	assert_int_equal(readback_run(&o, &r), 0);
	assert_file_is(x->out, s.image, 4 * MiB);
	assert_int_equal(r.size, 4 * MiB);
	assert_true(r.device_crc_checked);
	assert_true(x->progress_calls > 2);
	assert_int_equal(x->last_done, 4 * MiB);
	simlib_close(&s);
}

static void test_port_spec(void **state)
{
	struct fx *x = *state;
	char img[MTK_PATH_MAX], spec_text[MTK_PATH_MAX + 32], err[128];
	uint8_t *image = simlib_image(8 * MiB, 9);
	struct port_spec spec;
	struct port_env *env = test_port_env();
	struct readback_opts o;
	struct readback_result r;

	path_join(img, x->dir, "img.bin");
	assert_int_equal(atomic_write_file(img, image, 8 * MiB, true), 0);
	snprintf(spec_text, sizeof(spec_text), "sim:%s", img);
	assert_int_equal(port_spec_parse(spec_text, &spec, err, sizeof(err)), 0);

	for (int no_da = 0; no_da < 2; no_da++) {
		readback_opts_default(&o);
		o.out_path = x->out;
		o.force = true;
		o.env = env;
		o.port = &spec;
		o.no_da = no_da;
		o.open_timeout_ms = 2000;
		assert_int_equal(readback_run(&o, &r), 0);
		assert_file_is(x->out, image, 8 * MiB);
		assert_int_equal(r.size, 8 * MiB);
		assert_int_equal(r.device_crc_checked, !no_da);
		assert_int_equal(r.have_jedec, !no_da);
	}

	/* missing port: a clear error, no files */
	readback_opts_default(&o);
	o.out_path = x->out;
	o.force = true;
	assert_int_equal(readback_run(&o, &r), -EINVAL);
	port_env_free(env);
	free(image);
}

static int cancel_after_2m(void *ctx)
{
	struct fx *x = ctx;

	return x->last_done >= 2 * MiB;
}

/* Stopped with the agent left running (as after a crash, or with --no-reboot), then run again
 * on the same watch: the rerun finds the running agent, and continues. */
static void test_rerun_with_agent_running(void **state)
{
	struct fx *x = *state;
	char img[MTK_PATH_MAX], spec_text[MTK_PATH_MAX + 32], err[128];
	uint8_t *image = simlib_image(4 * MiB, 5);
	struct port_spec spec;
	struct port_env *env = test_port_env();
	struct readback_opts o;
	struct readback_result r;

	path_join(img, x->dir, "img.bin");
	assert_int_equal(atomic_write_file(img, image, 4 * MiB, true), 0);
	snprintf(spec_text, sizeof(spec_text), "sim:%s", img);
	assert_int_equal(port_spec_parse(spec_text, &spec, err, sizeof(err)), 0);

	readback_opts_default(&o);
	o.out_path = x->out;
	o.env = env;
	o.port = &spec;
	o.open_timeout_ms = 2000;
	o.no_reboot = true;
	o.progress = on_progress;
	o.cancelled = cancel_after_2m;
	o.cb_ctx = x;
	assert_int_equal(readback_run(&o, &r), -EINTR);
	assert_true(r.verified >= 1 * MiB);

	o.cancelled = NULL;
	x->last_done = 0;
	x->last_total = 0;
	int ret = readback_run(&o, &r);
	if (ret == -EREMOTEIO && strstr(r.error_context, "0x2D07")) {
		/* the simulator's agent cannot answer E1 yet (no ME ID in its hardware layer) */
		print_message("SKIP: the simulated agent has no ME ID to answer E1 with: %s\n",
			      r.error_context);
		port_env_free(env);
		free(image);
		skip();
	}
	if (ret != 0)
		fail_msg("rerun: %d: %s", ret, r.error_context);
	assert_true(r.resumed);
	assert_file_is(x->out, image, 4 * MiB);
	port_env_free(env);
	free(image);
}

/* Issue 12 through the library: the watchdog armed before D5 resets a watch whose agent
 * never answers (counted by the simulator), and the read finishes through the boot ROM; with
 * --no-reboot the agent is left running and the watchdog disarmed, so nothing resets it. */
static void run_sim(struct fx *x, const char *opts, bool no_reboot, struct port_env *env,
		    uint8_t *image, struct readback_result *r, struct sim_watch **w)
{
	char img[MTK_PATH_MAX], spec_text[MTK_PATH_MAX + 64], err[128];
	struct port_spec spec;
	struct readback_opts o;

	path_join(img, x->dir, "img.bin");
	assert_int_equal(atomic_write_file(img, image, 4 * MiB, true), 0);
	snprintf(spec_text, sizeof(spec_text), "sim:%s%s", img, opts);
	assert_int_equal(port_spec_parse(spec_text, &spec, err, sizeof(err)), 0);
	readback_opts_default(&o);
	o.out_path = x->out;
	o.force = true;
	o.env = env;
	o.port = &spec;
	o.open_timeout_ms = 2000;
	o.no_reboot = no_reboot;
	assert_int_equal(readback_run(&o, r), 0);
	assert_file_is(x->out, image, 4 * MiB);
	*w = sim_port_watch(env, spec.arg);
	assert_non_null(*w);
}

static void test_dead_agent_watchdog(void **state)
{
	struct fx *x = *state;
	uint8_t *image = simlib_image(4 * MiB, 11);
	struct port_env *env = test_port_env();
	struct readback_result r;
	struct sim_watch *w;

	run_sim(x, ",agent=hang", false, env, image, &r, &w);
	assert_true(r.fell_back);
	assert_non_null(strstr(r.fallback_reason, "no hello"));
	assert_int_equal(sim_wdt_resets(w), 1);
	assert_false(r.device_crc_checked); /* every block was read twice instead */
	port_env_free(env);

	env = test_port_env();
	run_sim(x, "", true, env, image, &r, &w);
	assert_false(r.fell_back);
	{
		uint64_t gen = sim_generation(w);

		usleep(5600 * 1000); /* past the 5 s the watchdog was armed for */
		assert_int_equal(sim_wdt_resets(w), 0);
		assert_true(sim_generation(w) == gen);
	}
	port_env_free(env);
	free(image);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_given_port, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_port_spec, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rerun_with_agent_running, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dead_agent_watchdog, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
