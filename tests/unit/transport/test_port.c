/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --port SPEC, waiting, the sim: backend through port_open, and brom_connect/reconnect. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mtkbak/brom.h"
#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/port.h"
#include "mtkbak/clock.h"
#include "simlib.h"

static char g_img[64], g_bad[64];

static int setup(void **state)
{
	uint8_t *img = simlib_image(512 * 1024, 7);
	int fd;

	(void)state;
	strcpy(g_img, "/tmp/mtkbak-port-XXXXXX");
	strcpy(g_bad, "/tmp/mtkbak-port-XXXXXX");
	fd = mkstemp(g_img);
	close(fd);
	fd = mkstemp(g_bad);
	close(fd);
	assert_int_equal(atomic_write_file(g_img, img, 256 * 1024, true), 0);
	assert_int_equal(atomic_write_file(g_bad, img, 300 * 1024, true), 0);
	free(img);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(g_img);
	unlink(g_bad);
	return 0;
}

/* "sim:" + arg + tail */
static void spec_of3(struct port_spec *spec, const char *arg, const char *tail)
{
	char text[512], err[128];

	snprintf(text, sizeof(text), "sim:%s%s", arg, tail);
	assert_int_equal(port_spec_parse(text, spec, err, sizeof(err)), 0);
}

static void test_spec_parse(void **state)
{
	struct port_spec s;
	char err[128];

	(void)state;
	assert_int_equal(port_spec_parse("auto", &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, PORT_AUTO);
	assert_int_equal(port_spec_parse("usb:1-2.3", &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, PORT_USB);
	assert_string_equal(s.arg, "1-2.3");
	assert_int_equal(port_spec_parse("serial:COM5", &s, err, sizeof(err)), 0);
	assert_string_equal(s.arg, "COM5");
	assert_int_equal(port_spec_parse("sim:x.bin,chip=mt6260", &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, PORT_BACKEND);
	assert_string_equal(s.scheme, "sim");
	assert_int_equal(port_spec_parse("usb:abc", &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "usb:1-2.3"));
	assert_int_equal(port_spec_parse("usb:1-", &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(port_spec_parse("usb:1-2.", &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(port_spec_parse("sim:", &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(port_spec_parse("bluetooth", &s, err, sizeof(err)), -EINVAL);
}

static void test_sim_spec_errors(void **state)
{
	struct port_env *env = test_port_env();
	struct port_spec spec;
	struct mtk_transport *tp = NULL;
	int ret;

	(void)state;
	spec_of3(&spec, g_bad, "");
	assert_int_equal(port_open(env, &spec, NULL, &tp), -MTK_EDATA); /* exit 65 */
	assert_non_null(strstr(port_env_last_error(env), "power of two"));
	spec_of3(&spec, "/nonexistent/flash.bin", "");
	assert_int_equal(port_open(env, &spec, NULL, &tp), mtk_input_err(-ENOENT)); /* 66 */
	assert_non_null(strstr(port_env_last_error(env), "/nonexistent/flash.bin"));
	spec_of3(&spec, g_img, ",speed=11");
	assert_int_equal(port_open(env, &spec, NULL, &tp), -EINVAL);
	assert_non_null(strstr(port_env_last_error(env), "unknown sim option 'speed'"));
	/* sim:demo either works (generator present) or says clearly why not */
	spec_of3(&spec, "demo,size=4M,plug=0", ""); /* the demo plugs in after 1.5 s */
	ret = port_open(env, &spec, NULL, &tp);
	if (ret == 0) {
		size_t len;

		assert_non_null(sim_port_watch(env, spec.arg));
		sim_flash(sim_port_watch(env, spec.arg), &len);
		assert_int_equal(len, 4u << 20);
		mtk_tp_close(tp);
	} else {
		assert_non_null(strstr(port_env_last_error(env), "demo firmware"));
	}
	assert_null(sim_port_watch(env, NULL));
	port_env_free(env);
}

static int ticks(void *ctx, int waited_ms)
{
	int *n = ctx;

	(void)waited_ms;
	return ++*n >= 3 ? -EINTR : 0;
}

static void test_wait_for_plug(void **state)
{
	struct port_env *env = test_port_env();
	struct port_spec spec;
	struct mtk_transport *tp = NULL;
	struct port_wait once = {0}, wait = {.timeout_ms = 2000};
	int n = 0;
	int64_t t0;

	(void)state;
	spec_of3(&spec, g_img, ",plug=600");
	assert_int_equal(port_open(env, &spec, &once, &tp), -ENODEV); /* look once */
	wait.tick = ticks;
	wait.ctx = &n;
	assert_int_equal(port_open(env, &spec, &wait, &tp), -EINTR); /* Ctrl-C while waiting */
	assert_int_equal(n, 3);
	wait.tick = NULL;
	t0 = mtk_now_ms();
	assert_int_equal(port_open(env, &spec, &wait, &tp), 0);
	assert_true(mtk_now_ms() - t0 < 650);
	mtk_tp_close(tp);
	port_env_free(env);
}

static void test_connect_and_reconnect(void **state)
{
	struct port_env *env = test_port_env();
	struct port_spec spec;
	struct port_wait wait = {.timeout_ms = 3000};
	struct brom b;
	struct brom_id id;
	struct sim_watch *w;
	uint16_t v;
	uint32_t words[64];

	(void)state;
	spec_of3(&spec, g_img, ",disconnect=400,replug=100");
	assert_int_equal(brom_connect(&b, env, &spec, &wait, NULL, &id, NULL), 0);
	assert_int_equal(id.hw_code, 0x6261);
	w = sim_port_watch(env, spec.arg);
	assert_non_null(w);
	/* watchdog off and keep-alive written */
	assert_int_equal(brom_read16(&b, 0xA0030000u, &v, 1), 0);
	assert_int_equal(v & 1, 0);
	assert_int_equal(brom_read16(&b, 0xA0700A24u, &v, 1), 0);
	assert_int_equal(v, 0x0002);
	assert_int_equal(brom_remap_flash(&b, id.chip), 0);
	/* reads until the cable "drops" */
	for (int i = 0; i < 10; i++) {
		int ret = brom_read32(&b, 0, words, 64);

		if (ret == -ENODEV)
			break;
		assert_int_equal(ret, 0);
	}
	assert_true(sim_bytes_sent(w) >= 400);
	/* the same watch comes back as a fresh boot ROM (the port_env keeps it alive) */
	brom_disconnect(&b);
	assert_int_equal(brom_connect(&b, env, &spec, &wait, NULL, &id, NULL), 0);
	assert_ptr_equal(sim_port_watch(env, spec.arg), w);
	assert_true(sim_generation(w) >= 2);
	assert_int_equal(brom_remap_flash(&b, id.chip), 0);
	assert_int_equal(brom_read32(&b, 0, words, 64), 0);
	assert_memory_equal(words, "SF_B", 4 - 4); /* content checked in test_brom */
	brom_disconnect(&b);
	port_env_free(env);
}

static void test_connect_survives_window(void **state)
{
	struct port_env *env = test_port_env();
	struct port_spec spec;
	struct port_wait wait = {.timeout_ms = 3000};
	struct brom b;
	struct brom_id id;

	(void)state;
	/* the first handshake reply is late: the watch re-enumerates; the host waits for it
	 * again and gets through on the next enumeration */
	spec_of3(&spec, g_img, ",window=40,stall=1,stallms=150");
	assert_int_equal(brom_connect(&b, env, &spec, &wait, NULL, &id, NULL), 0);
	assert_true(sim_generation(sim_port_watch(env, spec.arg)) >= 2);
	brom_disconnect(&b);
	port_env_free(env);
}

static void test_connect_failures(void **state)
{
	struct port_env *env = test_port_env();
	struct port_spec spec;
	struct port_wait wait = {.timeout_ms = 300};
	struct brom b;
	struct brom_id id;
	struct brom_connect_opts strict = {0};

	(void)state;
	spec_of3(&spec, g_img, ",corrupt=1");
	assert_int_equal(brom_connect(&b, env, &spec, &wait, &strict, &id, NULL), -EPROTO);
	assert_null(b.tp);
	assert_non_null(strstr(b.detail, "handshake"));
	spec_of3(&spec, g_img, ",plug=60000");
	assert_int_equal(brom_connect(&b, env, &spec, &wait, &strict, &id, NULL), -ENODEV);
	assert_null(b.tp);
	port_env_free(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spec_parse),
	    cmocka_unit_test(test_sim_spec_errors),
	    cmocka_unit_test(test_wait_for_plug),
	    cmocka_unit_test(test_connect_and_reconnect),
	    cmocka_unit_test(test_connect_survives_window),
	    cmocka_unit_test(test_connect_failures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
