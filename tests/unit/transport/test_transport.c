/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Transports: the read-ahead layer, the sim adapter, the serial backend end to end through a
 * pty with the simulated watch behind it, and the USB backend where no USB device exists. */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mtkbak/brom.h"
#include "mtkbak/errors.h"
#include "mtkbak/port.h"
#include "mtkbak/clock.h"
#include "simlib.h"

/* ---- a scripted fake backend ---- */

struct fake_tp {
	struct mtk_transport base;
	const char *chunks[8];
	size_t nchunks, next;
	int reads;
	int fail_after; /* -ENODEV once the script is done, else -ETIMEDOUT */
};

static int fake_read(struct mtk_transport *t, uint8_t *buf, size_t len, int timeout_ms)
{
	struct fake_tp *f = (struct fake_tp *)t;
	size_t n;

	f->reads++;
	if (f->next == f->nchunks) {
		if (f->fail_after)
			return f->fail_after;
		usleep((useconds_t)(timeout_ms > 20 ? 20 : timeout_ms) * 1000);
		return -ETIMEDOUT;
	}
	n = strlen(f->chunks[f->next]);
	assert_true(n <= len);
	memcpy(buf, f->chunks[f->next++], n);
	return (int)n;
}

static int fake_write(struct mtk_transport *t, const uint8_t *buf, size_t len, int timeout_ms)
{
	(void)t;
	(void)buf;
	(void)timeout_ms;
	return (int)len;
}

static void fake_close(struct mtk_transport *t)
{
	(void)t;
}

static const struct mtk_transport_ops fake_ops = {"fake", fake_read, fake_write, fake_close};

static void test_read_ahead_and_deadline(void **state)
{
	struct fake_tp f = {.base.ops = &fake_ops, .chunks = {"ab", "cdefg", "h"}, .nchunks = 3};
	char out[16] = "";
	int64_t t0;

	(void)state;
	assert_int_equal(mtk_tp_read_exact(&f.base, out, 1, 100), 0);
	assert_int_equal(out[0], 'a');
	assert_int_equal(mtk_tp_read_exact(&f.base, out, 3, 100), 0); /* b + cd */
	assert_memory_equal(out, "bcd", 3);
	assert_int_equal(f.reads, 2);
	assert_int_equal(mtk_tp_read_exact(&f.base, out, 3, 100), 0); /* efg from the buffer */
	assert_int_equal(f.reads, 2);
	assert_memory_equal(out, "efg", 3);
	t0 = mtk_now_ms();
	assert_int_equal(mtk_tp_read_exact(&f.base, out, 2, 150), -ETIMEDOUT); /* only h */
	assert_true(mtk_now_ms() - t0 >= 140 && mtk_now_ms() - t0 < 400);

	f = (struct fake_tp){
	    .base.ops = &fake_ops, .chunks = {"xyz"}, .nchunks = 1, .fail_after = -ENODEV};
	assert_int_equal(mtk_tp_read_exact(&f.base, out, 4, 1000), -ENODEV);

	f = (struct fake_tp){.base.ops = &fake_ops, .chunks = {"stale", "more"}, .nchunks = 2};
	assert_int_equal(mtk_tp_read_exact(&f.base, out, 1, 100), 0);
	mtk_tp_drain(&f.base, 50);
	assert_int_equal(f.next, 2);
	assert_int_equal(mtk_tp_read_exact(&f.base, out, 1, 50), -ETIMEDOUT);
}

/* ---- serial through a pty ---- */

struct pump {
	int master;
	struct sim_watch *w;
	volatile int stop;
	pthread_t th;
};

static void *pump_main(void *arg)
{
	struct pump *p = arg;
	uint8_t buf[4096];

	while (!p->stop) {
		struct pollfd pfd = {.fd = p->master, .events = POLLIN};
		int n;

		if (poll(&pfd, 1, 2) > 0 && (pfd.revents & POLLIN)) {
			ssize_t k = read(p->master, buf, sizeof(buf));

			if (k > 0)
				sim_host_write(p->w, buf, (size_t)k, 1000);
		}
		n = sim_host_read(p->w, buf, sizeof(buf), 2);
		if (n > 0 && write(p->master, buf, (size_t)n) != n)
			break;
	}
	return NULL;
}

static void test_serial_pty_end_to_end(void **state)
{
	struct simlib s;
	struct pump p = {0};
	struct termios raw;
	char name[64], spec_text[96], err[128];
	int slave;
	struct port_env *env;
	struct port_spec spec;
	struct mtk_transport *tp = NULL;
	struct brom b;
	struct brom_id id;
	struct port_wait once = {0};

	(void)state;
	assert_int_equal(simlib_open(&s, "", 64 * 1024), 0);
	memset(&raw, 0, sizeof(raw));
	cfmakeraw(&raw);
	assert_int_equal(openpty(&p.master, &slave, name, &raw, NULL), 0);
	p.w = s.w;
	assert_int_equal(pthread_create(&p.th, NULL, pump_main, &p), 0);

	env = test_port_env();
	snprintf(spec_text, sizeof(spec_text), "serial:%s", name);
	assert_int_equal(port_spec_parse(spec_text, &spec, err, sizeof(err)), 0);
	assert_int_equal(port_open(env, &spec, &once, &tp), 0);
	assert_string_equal(tp->ops->kind, "serial");
	brom_init(&b, tp, NULL);
	assert_int_equal(brom_handshake(&b, 2000), 0);
	assert_int_equal(brom_identify(&b, &id), 0);
	assert_int_equal(id.hw_code, 0x6261);
	mtk_tp_close(tp);

	p.stop = 1;
	pthread_join(p.th, NULL);
	close(slave);
	close(p.master);
	port_env_free(env);
	simlib_close(&s);
}

static void test_serial_missing_port(void **state)
{
	struct port_env *env = test_port_env();
	struct port_spec spec;
	struct mtk_transport *tp = NULL;
	struct port_wait w = {.timeout_ms = 200};
	char err[64];
	int64_t t0 = mtk_now_ms();

	(void)state;
	assert_int_equal(port_spec_parse("serial:/dev/ttyMTKBAKNOPE", &spec, err, sizeof(err)), 0);
	assert_int_equal(port_open(env, &spec, &w, &tp), -ENODEV);
	assert_true(mtk_now_ms() - t0 >= 190 && mtk_now_ms() - t0 < 1000);
	assert_null(tp);
	assert_non_null(strstr(port_env_last_error(env), "ttyMTKBAKNOPE"));
	port_env_free(env);
}

static int count_ticks(void *ctx, int waited_ms)
{
	int *n = ctx;

	(void)waited_ms;
	(*n)++;
	return 0;
}

static void test_usb_no_device(void **state)
{
	struct port_env *env = test_port_env();
	struct port_spec spec;
	struct mtk_transport *tp = NULL;
	struct port_info info[8];
	int ticks = 0;
	struct port_wait w = {.timeout_ms = 0};
	char err[64];
	int64_t t0 = mtk_now_ms();

	(void)state;
	assert_int_equal(port_spec_parse("usb", &spec, err, sizeof(err)), 0);
	assert_int_equal(port_open(env, &spec, &w, &tp), -ENODEV);
	assert_true(mtk_now_ms() - t0 < 500);
	/* waiting: ticks at least every 100 ms */
	w = (struct port_wait){.timeout_ms = 450, .tick = count_ticks, .ctx = &ticks};
	assert_int_equal(port_spec_parse("usb:3-1.4", &spec, err, sizeof(err)), 0);
	t0 = mtk_now_ms();
	assert_int_equal(port_open(env, &spec, &w, &tp), -ENODEV);
	assert_true(mtk_now_ms() - t0 >= 440);
	assert_true(ticks >= 4);
	assert_true(port_list(env, info, 8) >= 0);
	for (int i = 0; i < 8 && i < port_list(env, info, 8); i++)
		assert_true(info[i].kind == PORT_USB || info[i].kind == PORT_SERIAL);
	port_env_free(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_read_ahead_and_deadline),
	    cmocka_unit_test(test_serial_pty_end_to_end),
	    cmocka_unit_test(test_serial_missing_port),
	    cmocka_unit_test(test_usb_no_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
