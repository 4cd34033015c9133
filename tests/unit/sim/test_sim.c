/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The simulated watch itself: byte-wise parsing, bus model, faults, link model, NOR model. */
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
#include "mtkbak/clock.h"
#include "sim_internal.h"
#include "simlib.h"

#define IMG (256u * 1024u)

static int64_t ms_now(void)
{
	return mtk_now_ns() / 1000000;
}

static void test_opts(void **state)
{
	struct sim_opts o;
	char err[256];

	(void)state;
	sim_opts_default(&o);
	assert_int_equal(o.hw_code, 0x6261);
	assert_int_equal(o.replug_ms, -1);
	assert_int_equal(
	    sim_opts_parse("chip=mt6260,jedec=EF4018,secure,window=3000,plug=10,"
			   "link=fs,corrupt=7,corruptcount=2,drop=9,stall=11,"
			   "stallms=20,disconnect=100,replug=50,seed=3,size=16M,"
			   "meid=000102030405060708090a0b0c0d0e0f,fail=d1:1d07,wdt=500",
			   &o, err, sizeof(err)),
	    0);
	assert_int_equal(o.hw_code, 0x6260);
	assert_true(o.jedec_set);
	assert_int_equal(o.jedec[0], 0xEF);
	assert_int_equal(o.jedec[2], 0x18);
	assert_true(o.secure);
	assert_int_equal(o.window_ms, 3000);
	assert_true(o.link_fs);
	assert_int_equal(o.corrupt_every, 7);
	assert_int_equal(o.corrupt_count, 2);
	assert_int_equal(o.drop_at, 9);
	assert_int_equal(o.stall_at, 11);
	assert_int_equal(o.stall_ms, 20);
	assert_int_equal(o.disconnect_at, 100);
	assert_int_equal(o.replug_ms, 50);
	assert_int_equal(o.seed, 3);
	assert_int_equal(o.image_size, 16u << 20);
	assert_int_equal(o.me_id[15], 0x0f);
	assert_int_equal(o.fail_cmd, 0xD1);
	assert_int_equal(o.fail_status, 0x1D07);
	assert_int_equal(o.wdt_ms, 500);

	assert_int_equal(sim_opts_parse("colour=red", &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown sim option 'colour'"));
	assert_int_equal(sim_opts_parse("size=5M", &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "4M, 8M or 16M"));
	assert_int_equal(sim_opts_parse("jedec=C840", &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(sim_opts_parse("chip=mt6589", &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(sim_opts_parse("window=-5", &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(sim_opts_parse("stallms=abc", &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(sim_opts_parse("fail=d1:0005", &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(sim_opts_parse("link=hs", &o, err, sizeof(err)), -EINVAL);
}

static void test_image_sizes(void **state)
{
	struct sim_opts o;
	uint8_t *img = calloc(1, 32u << 20);
	char err[256];

	(void)state;
	sim_opts_default(&o);
	assert_null(sim_new(&o, img, 3u << 20));
	assert_null(sim_new(&o, img, 32u * 1024));
	assert_null(sim_new(&o, img, 32u << 20));
	assert_int_equal(sim_image_size_check(3u << 20, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "power of two"));
	assert_int_equal(sim_image_size_check(16u << 20, err, sizeof(err)), 0);
	free(img);
}

/* The ROM reads byte-wise: how the host splits its writes must not matter. */
static void test_packet_boundaries_do_not_matter(void **state)
{
	struct simlib s;
	const uint8_t cmd[] = {0xD1, 0xA0, 0x1C, 0x01, 0x08, 0x00, 0x00, 0x00, 0x01};
	const uint8_t want[] = {0xD1, 0xA0, 0x1C, 0x01, 0x08, 0x00, 0x00, 0x00, 0x01,
				0x00, 0x00, 0x35, 0xC0, 0x00, 0x00, 0x00, 0x00};
	uint8_t rx[sizeof(want)];

	(void)state;
	assert_int_equal(simlib_open_synced(&s, "", IMG), 0);
	assert_int_equal(simlib_xfer(&s, cmd, sizeof(cmd), rx, sizeof(rx), 1000), 0);
	assert_memory_equal(rx, want, sizeof(want));
	for (size_t i = 0; i < sizeof(cmd); i++)
		assert_int_equal(mtk_tp_write(s.tp, cmd + i, 1, 1000), 0);
	assert_int_equal(mtk_tp_read_exact(s.tp, rx, sizeof(rx), 1000), 0);
	assert_memory_equal(rx, want, sizeof(want));
	/* two commands in one write */
	{
		uint8_t two[2 * sizeof(cmd)], rx2[2 * sizeof(want)];

		memcpy(two, cmd, sizeof(cmd));
		memcpy(two + sizeof(cmd), cmd, sizeof(cmd));
		assert_int_equal(simlib_xfer(&s, two, sizeof(two), rx2, sizeof(rx2), 1000), 0);
		assert_memory_equal(rx2 + sizeof(want), want, sizeof(want));
	}
	simlib_close(&s);
}

static void test_handshake_state_machine(void **state)
{
	struct simlib s;
	const uint8_t tx[] = {0x0A, 0xA0, 0x0A, 0x51, 0xA0, 0x0A, 0x50, 0x05, 0xFF, 0x42};
	const uint8_t want[] = {0x0B, 0x5F, 0xF5, 0x52, 0x5F, 0xF5, 0xAF, 0xFA, 0x05, 0x42};
	uint8_t rx[sizeof(want)];

	(void)state;
	assert_int_equal(simlib_open(&s, "", IMG), 0);
	for (size_t i = 0; i < sizeof(tx); i++)
		assert_int_equal(simlib_xfer(&s, tx + i, 1, rx + i, 1, 500), 0);
	assert_memory_equal(rx, want, sizeof(want));
	simlib_close(&s);
}

static void test_window_reenumerates(void **state)
{
	struct simlib s;
	uint64_t g0;

	(void)state;
	assert_int_equal(simlib_open(&s, "window=100", IMG), 0);
	g0 = sim_generation(s.w);
	usleep(250 * 1000);
	assert_true(sim_generation(s.w) >= g0 + 2);
	assert_int_equal(brom_handshake(&s.b, 300), -ENODEV); /* the old handle is dead */
	assert_int_equal(simlib_reopen(&s, 500), 0);
	assert_int_equal(brom_handshake(&s.b, 300), 0);
	g0 = sim_generation(s.w);
	usleep(200 * 1000); /* after the handshake the window no longer applies */
	assert_int_equal(sim_generation(s.w), g0);
	simlib_close(&s);
}

static void test_plug_unplug(void **state)
{
	struct sim_opts o;
	uint8_t *img = simlib_image(IMG, 1);
	struct sim_watch *w;
	int64_t t0 = ms_now();

	(void)state;
	sim_opts_default(&o);
	o.plug_ms = 150;
	w = sim_new(&o, img, IMG);
	assert_non_null(w);
	assert_false(sim_present(w));
	assert_int_equal(sim_generation(w), 0);
	assert_int_equal(sim_wait_present(w, 50), -ENODEV);
	assert_int_equal(sim_wait_present(w, 1000), 0);
	assert_true(ms_now() - t0 >= 140);
	assert_int_equal(sim_generation(w), 1);
	sim_unplug(w);
	assert_false(sim_present(w));
	{
		uint8_t b = 0xA0;
		assert_int_equal(sim_host_write(w, &b, 1, 100), -ENODEV);
		assert_int_equal(sim_host_read(w, &b, 1, 100), -ENODEV);
	}
	sim_plug(w);
	assert_true(sim_present(w));
	assert_int_equal(sim_generation(w), 2);
	sim_free(w);
	free(img);
}

static void test_disconnect_and_replug(void **state)
{
	struct simlib s;
	uint8_t v;

	(void)state;
	assert_int_equal(simlib_open_synced(&s, "disconnect=6,replug=80", IMG), 0);
	assert_int_equal(brom_get_version(&s.b, &v), 0);       /* byte 5 */
	assert_int_equal(brom_get_version(&s.b, &v), -ENODEV); /* byte 6 then off the bus */
	assert_false(sim_present(s.w));
	assert_int_equal(simlib_reopen(&s, 1000), 0);
	/* a fresh boot ROM, and the fault does not repeat */
	assert_int_equal(brom_handshake(&s.b, 500), 0);
	assert_false(s.b.already_synced);
	for (int i = 0; i < 5; i++)
		assert_int_equal(brom_get_version(&s.b, &v), 0);
	simlib_close(&s);
}

static void test_drop_corrupt_stall(void **state)
{
	struct simlib s;
	const uint8_t hs[] = {0xA0, 0x0A, 0x50, 0x05};
	uint8_t rx[4];
	int64_t t0;

	(void)state;
	assert_int_equal(simlib_open(&s, "drop=2", IMG), 0);
	assert_int_equal(simlib_xfer(&s, hs, 4, rx, 3, 500), 0);
	assert_memory_equal(rx, "\x5F\xAF\xFA", 3);
	assert_int_equal(mtk_tp_read_exact(s.tp, rx, 1, 100), -ETIMEDOUT);
	assert_int_equal(sim_bytes_sent(s.w), 4);
	simlib_close(&s);

	assert_int_equal(simlib_open(&s, "corrupt=2,corruptcount=1", IMG), 0);
	assert_int_equal(simlib_xfer(&s, hs, 4, rx, 4, 500), 0);
	assert_int_equal(rx[0], 0x5F);
	assert_int_not_equal(rx[1], 0xF5);
	assert_int_equal(__builtin_popcount(rx[1] ^ 0xF5), 1); /* one bit flipped */
	assert_int_equal(rx[2], 0xAF);
	simlib_close(&s);

	assert_int_equal(simlib_open(&s, "stall=3,stallms=200", IMG), 0);
	t0 = ms_now();
	assert_int_equal(simlib_xfer(&s, hs, 4, rx, 2, 500), 0);
	assert_true(ms_now() - t0 < 100);
	assert_int_equal(mtk_tp_read_exact(s.tp, rx, 2, 1000), 0);
	assert_true(ms_now() - t0 >= 190);
	assert_memory_equal(rx, "\xAF\xFA", 2);
	simlib_close(&s);
}

static void test_link_fs_timing(void **state)
{
	struct simlib s;
	static uint32_t words[16384];
	uint8_t v;
	int64_t t0;

	(void)state;
	assert_int_equal(simlib_open_synced(&s, "link=fs", IMG), 0);
	assert_int_equal(brom_remap_flash(&s.b, chip_find(0x6261)), 0);
	t0 = ms_now();
	for (int i = 0; i < 20; i++)
		assert_int_equal(brom_get_version(&s.b, &v), 0);
	assert_true(ms_now() - t0 >= 20); /* one 1 ms frame per exchange at least */
	t0 = ms_now();
	assert_int_equal(brom_read32(&s.b, 0, words, 16384), 0); /* 64 KiB */
	/* 65536 / 1216000 B/s = 54 ms */
	assert_true(ms_now() - t0 >= 50);
	simlib_close(&s);

	assert_int_equal(simlib_open_synced(&s, "", IMG), 0);
	assert_int_equal(brom_remap_flash(&s.b, chip_find(0x6261)), 0);
	t0 = ms_now();
	assert_int_equal(brom_read32(&s.b, 0, words, 16384), 0);
	assert_true(ms_now() - t0 < 50); /* unthrottled */
	simlib_close(&s);
}

static void test_remap_banks(void **state)
{
	struct simlib s;
	uint32_t v, three = 3, first;

	(void)state;
	assert_int_equal(simlib_open_synced(&s, "", IMG), 0);
	first =
	    (uint32_t)s.image[0] | s.image[1] << 8 | s.image[2] << 16 | (uint32_t)s.image[3] << 24;
	/* remap 0: boot code at 0, RAM at 0x10000000 */
	assert_int_equal(brom_read32(&s.b, 0x10000000u, &v, 1), 0);
	assert_int_equal(v, 0);
	/* remap 3: flash at 0x10000000 */
	assert_int_equal(brom_write32(&s.b, 0xA0510000u, &three, 1), 0);
	assert_int_equal(brom_read32(&s.b, 0x10000000u, &v, 1), 0);
	assert_int_equal(v, first);
	assert_int_equal(brom_read32(&s.b, 0x10000000u + IMG * 3, &v, 1), 0);
	assert_int_equal(v, first);
	simlib_close(&s);
}

static void test_nor_model(void **state)
{
	struct simlib s;
	uint8_t tx[5] = {0x9F}, rx[300], sfdp[256];

	(void)state;
	assert_int_equal(simlib_open(&s, "", IMG), 0);
	assert_int_equal(sim_nor_spi(s.w, tx, 1, rx, 3), 0);
	assert_memory_equal(rx, "\xC8\x40\x12", 3); /* 256 KiB = 2^18 */
	tx[0] = 0x03;
	tx[1] = 0x04; /* 0x040000 = 256 KiB: aliases to 0 */
	tx[2] = tx[3] = 0;
	assert_int_equal(sim_nor_spi(s.w, tx, 4, rx, 16), 0);
	assert_memory_equal(rx, s.image, 16);
	tx[0] = 0x5A;
	tx[1] = tx[2] = tx[3] = tx[4] = 0;
	assert_int_equal(sim_nor_spi(s.w, tx, 5, rx, 256), 0);
	assert_memory_equal(rx, "SFDP", 4);
	sim_sfdp_table(s.w, sfdp);
	assert_memory_equal(rx, sfdp, 256);
	/* BFPT dword 2 = density in bits - 1 */
	assert_int_equal(rx[0x34] | rx[0x35] << 8 | rx[0x36] << 16 | (uint32_t)rx[0x37] << 24,
			 IMG * 8 - 1);
	assert_int_equal(rx[12], 0x30);
	tx[0] = 0x05;
	assert_int_equal(sim_nor_spi(s.w, tx, 1, rx, 2), 0);
	assert_int_equal(rx[0], 0);
	assert_int_equal(sim_nor_spi(s.w, tx, 0, rx, 2), -1);
	simlib_close(&s);

	assert_int_equal(simlib_open(&s, "jedec=EF4017", IMG), 0);
	tx[0] = 0x9F;
	assert_int_equal(sim_nor_spi(s.w, tx, 1, rx, 3), 0);
	assert_memory_equal(rx, "\xEF\x40\x17", 3);
	assert_false(sim_agent_matches(s.w, 0x70007000u, 0x1000)); /* nothing there */
	simlib_close(&s);
}

static void test_free_while_busy(void **state)
{
	struct simlib s;
	const uint8_t hs[] = {0xA0, 0x0A, 0x50, 0x05};
	int64_t t0;

	(void)state;
	/* freeing a watch in the middle of a long stall returns at once */
	assert_int_equal(simlib_open(&s, "stall=1,stallms=60000", IMG), 0);
	assert_int_equal(mtk_tp_write(s.tp, hs, 4, 100), 0);
	usleep(20 * 1000);
	t0 = ms_now();
	simlib_close(&s);
	assert_true(ms_now() - t0 < 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_opts),
	    cmocka_unit_test(test_image_sizes),
	    cmocka_unit_test(test_packet_boundaries_do_not_matter),
	    cmocka_unit_test(test_handshake_state_machine),
	    cmocka_unit_test(test_window_reenumerates),
	    cmocka_unit_test(test_plug_unplug),
	    cmocka_unit_test(test_disconnect_and_replug),
	    cmocka_unit_test(test_drop_corrupt_stall),
	    cmocka_unit_test(test_link_fs_timing),
	    cmocka_unit_test(test_remap_banks),
	    cmocka_unit_test(test_nor_model),
	    cmocka_unit_test(test_free_while_busy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
