/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The simulated watch against what the real boot ROMs do (issue 11, part B): USB transfer
 * boundaries, dtr=required, the WRITE echo order, D7 and READ range checks from each ROM's
 * forbidden-region table, MT6250, the EMI self-test registers, rom=PATH and past_end=.
 * The corpus parts (ROM dumps, the SP Flash Tool capture) skip when ../shared/corpus is
 * absent; the rest needs nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mtkbak/brom.h"
#include "mtkbak/chip.h"
#include "mtkbak/da.h"
#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/sim.h"
#include "mtkbak/clock.h"
#include "pcap_usb.h"
#include "sim_internal.h"
#include "simlib.h"

#define IMG (4u << 20)

static bool corpus_file(const char *rel, char *path, size_t len)
{
	const char *corpus = getenv("MTKBAK_CORPUS");

	snprintf(path, len, "%s/%s", corpus ? corpus : "", rel);
	if (corpus && access(path, R_OK) == 0)
		return true;
	print_message("skipped: %s not found (MTKBAK_CORPUS=%s)\n", rel,
		      corpus ? corpus : "(unset)");
	return false;
}

/* One bulk IN transfer from the watch: exactly want bytes, and it must end there. */
static void expect_transfer(struct sim_watch *w, const uint8_t *want, size_t len, const char *what)
{
	uint8_t got[4096];
	int n = sim_host_read(w, got, sizeof(got), 1000);

	if (n != (int)len)
		fail_msg("%s: a transfer of %d bytes, the real ROM sends %zu", what, n, len);
	if (want && memcmp(got, want, len))
		fail_msg("%s: wrong bytes", what);
}

static void send(struct sim_watch *w, const uint8_t *p, size_t n)
{
	assert_int_equal(sim_host_write(w, p, n, 1000), (int)n);
}

static void handshake_raw(struct sim_watch *w)
{
	static const uint8_t hs[4] = {0xA0, 0x0A, 0x50, 0x05};

	for (int i = 0; i < 4; i++) {
		uint8_t r = (uint8_t)~hs[i];

		send(w, &hs[i], 1);
		expect_transfer(w, &r, 1, "handshake");
	}
}

/* Fields are separate transfers; READ32 data goes out in full packets with one flush at the
 * end, and a flush after a multiple of 64 bytes sends no zero-length packet. */
static void test_field_transfers(void **state)
{
	struct simlib s;
	const uint8_t d1 = 0xD1;
	const uint8_t addr[4] = {0x80, 0x00, 0x00, 0x00};
	uint8_t count[4] = {0, 0, 0, 1};
	const uint8_t ok[2] = {0, 0};

	(void)state;
	assert_int_equal(simlib_open(&s, "", IMG), 0);
	handshake_raw(s.w);
	for (int round = 0; round < 3; round++) {
		uint32_t words = round == 0 ? 1 : round == 1 ? 16 : 17;

		count[3] = (uint8_t)words;
		send(s.w, &d1, 1);
		expect_transfer(s.w, &d1, 1, "command echo");
		send(s.w, addr, 4);
		expect_transfer(s.w, addr, 4, "address echo");
		send(s.w, count, 4);
		expect_transfer(s.w, count, 4, "count echo");
		expect_transfer(s.w, ok, 2, "status");
		if (words == 16) {
			/* 64 data bytes: no ZLP after them, so the status ends the transfer */
			expect_transfer(s.w, NULL, 66, "16 words + status");
		} else {
			expect_transfer(s.w, NULL, words * 4 % 64 ? words * 4 : 64, "data");
			expect_transfer(s.w, ok, 2, "status");
		}
	}
	/* a host buffer smaller than the transfer completes when it is full */
	send(s.w, &d1, 1);
	expect_transfer(s.w, &d1, 1, "command echo");
	send(s.w, addr, 4);
	send(s.w, count, 4);
	{
		uint8_t b[3];

		assert_int_equal(sim_host_read(s.w, b, 3, 1000), 3); /* 3 of the address echo */
		assert_int_equal(sim_host_read(s.w, b, 3, 1000), 1); /* its short packet ends */
	}
	simlib_close(&s);
}

/* After full packets and no short packet, a read returns what it has at its timeout. */
static void test_partial_transfer_at_timeout(void **state)
{
	struct simlib s;
	uint32_t v[16];
	uint8_t buf[4096];

	(void)state;
	assert_int_equal(simlib_open_synced(&s, "", IMG), 0);
	/* the whole of brom_read32 works on top of it, also for 64-byte replies */
	assert_int_equal(brom_read32(&s.b, 0x80000000u, v, 16), 0);
	assert_int_equal(v[2] & 0xFFFF, 0x6261);
	/* nothing pending: -ETIMEDOUT, not 0 */
	assert_int_equal(sim_host_read(s.w, buf, sizeof(buf), 50), -ETIMEDOUT);
	simlib_close(&s);

	/* the watch pauses between 64 data bytes and the status (stall before byte 80: 4
	 * handshake + 11 echoes + 2 status + 64 data): no ZLP ends the transfer, so the read
	 * returns the 64 bytes only at its timeout, and the status comes as its own transfer */
	{
		const uint8_t cmd[9] = {0xD1, 0x80, 0, 0, 0, 0, 0, 0, 16};
		int64_t t0;
		int n;

		assert_int_equal(simlib_open(&s, "stall=80,stallms=400", IMG), 0);
		handshake_raw(s.w);
		send(s.w, cmd, 1);
		expect_transfer(s.w, cmd, 1, "command echo");
		send(s.w, cmd + 1, 4);
		expect_transfer(s.w, cmd + 1, 4, "address echo");
		send(s.w, cmd + 5, 4);
		expect_transfer(s.w, cmd + 5, 4, "count echo");
		expect_transfer(s.w, NULL, 2, "status");
		t0 = mtk_now_ns();
		n = sim_host_read(s.w, buf, sizeof(buf), 150);
		assert_int_equal(n, 64);
		assert_true(mtk_now_ns() - t0 >= 140 * 1000000ll); /* held until the timeout */
		expect_transfer(s.w, NULL, 2, "status after the pause");
		simlib_close(&s);
	}
}

/* dtr=required: the watch ignores the host until DTR is up and a line coding was set. */
static void test_dtr_required(void **state)
{
	struct sim_opts o;
	char err[160];
	uint8_t *img = simlib_image(IMG, 1), b;
	struct sim_watch *w;
	const uint8_t a0 = 0xA0;

	(void)state;
	sim_opts_default(&o);
	assert_int_equal(sim_opts_parse("dtr=required", &o, err, sizeof(err)), 0);
	w = sim_new(&o, img, IMG);
	assert_non_null(w);
	assert_int_equal(sim_wait_present(w, 1000), 0);
	send(w, &a0, 1);
	assert_int_equal(sim_host_read(w, &b, 1, 100), -ETIMEDOUT);
	assert_int_equal(sim_host_set_control_line(w, true, true), 0);
	send(w, &a0, 1);
	assert_int_equal(sim_host_read(w, &b, 1, 100), -ETIMEDOUT); /* no line coding yet */
	assert_int_equal(sim_host_set_line_coding(w, 115200, 0, 0, 8), 0);
	handshake_raw(w); /* the bytes sent before were dropped: a clean start */
	/* DTR down again: ignored again */
	assert_int_equal(sim_host_set_control_line(w, false, false), 0);
	send(w, &a0, 1);
	assert_int_equal(sim_host_read(w, &b, 1, 100), -ETIMEDOUT);
	sim_free(w);
	free(img);

	/* mtkbak's sim transport opens the line like usb.c: everything works */
	{
		struct simlib s;
		struct brom_id id;

		assert_int_equal(simlib_open_synced(&s, "dtr=required", IMG), 0);
		assert_int_equal(brom_identify(&s.b, &id), 0);
		assert_int_equal(id.hw_code, 0x6261);
		simlib_close(&s);
	}
}

/* WRITE32 echoes and flushes the value, then stores it: the software-reset write is echoed,
 * then the watch resets (no final status) and re-enumerates. */
static void test_write_echo_then_reset(void **state)
{
	struct simlib s;
	const uint8_t cmd[] = {0xD4};
	const uint8_t addr[] = {0xA0, 0x03, 0x00, 0x1C}, count[] = {0, 0, 0, 1};
	const uint8_t val[] = {0x00, 0x00, 0x12, 0x09}, wok[] = {0x00, 0x01};
	uint64_t gen;
	uint8_t b[8];

	(void)state;
	assert_int_equal(simlib_open(&s, "", IMG), 0);
	handshake_raw(s.w);
	gen = sim_generation(s.w);
	send(s.w, cmd, 1);
	expect_transfer(s.w, cmd, 1, "D4 echo");
	send(s.w, addr, 4);
	expect_transfer(s.w, addr, 4, "address echo");
	send(s.w, count, 4);
	expect_transfer(s.w, count, 4, "count echo");
	expect_transfer(s.w, wok, 2, "status");
	send(s.w, val, 4);
	expect_transfer(s.w, val, 4, "value echo before the reset");
	for (int i = 0; i < 100 && sim_generation(s.w) == gen; i++)
		usleep(10000);
	assert_true(sim_generation(s.w) != gen);
	assert_true(sim_host_read(s.w, b, sizeof(b), 50) < 0); /* no status after the reset */
	simlib_close(&s);
}

static int d7(struct simlib *s, uint32_t addr, uint32_t len)
{
	static uint8_t code[0x6000];

	assert_true(len <= sizeof(code));
	return brom_send_da(&s->b, addr, code, len, 0);
}

/* D7 and READ refusals from the ROMs' own tables, per chip. */
static void test_d7_windows(void **state)
{
	struct simlib s;
	uint32_t v;

	(void)state;
	assert_int_equal(simlib_open_synced(&s, "chip=mt6261", IMG), 0);
	assert_int_equal(d7(&s, 0x70007000u, 0x4000), 0); /* mtkbak's agent: ends at 0x7000B000 */
	assert_int_equal(d7(&s, 0x70005CF8u, 0x100), 0);
	assert_int_equal(d7(&s, 0x10020000u, 0x1000), 0); /* SP Flash Tool's DA2 in PSRAM */
	assert_int_equal(d7(&s, 0x7000AF00u, 0x200), -EREMOTEIO);
	assert_int_equal(s.b.last_status, 0x1D12);
	assert_int_equal(d7(&s, 0x70005CF0u, 0x10), -EREMOTEIO); /* the ROM's stack */
	assert_int_equal(s.b.last_status, 0x1D12);
	assert_int_equal(d7(&s, 0x7000C000u, 4), -EREMOTEIO);
	assert_int_equal(s.b.last_status, 0x1D12);
	assert_int_equal(d7(&s, 0xFFFFFF00u, 0x200), -EREMOTEIO); /* wraps: the ROM's 0x706B */
	assert_int_equal(s.b.last_status, 0x706B);
	/* READ16/READ32 use the same table: the ROM itself and its data are refused */
	assert_int_equal(brom_read32(&s.b, 0xFFF00000u, &v, 1), -EREMOTEIO);
	assert_int_equal(s.b.last_status, 0x1D08);
	assert_int_equal(brom_read32(&s.b, 0x70004000u, &v, 1), -EREMOTEIO);
	assert_int_equal(s.b.last_status, 0x1D08);
	assert_int_equal(brom_read32(&s.b, 0x70007000u, &v, 1), 0);
	simlib_close(&s);

	assert_int_equal(simlib_open_synced(&s, "chip=mt6260", IMG), 0);
	assert_int_equal(d7(&s, 0x70006000u, 0x100), -EREMOTEIO); /* ROM data to 0x70006598 */
	assert_int_equal(s.b.last_status, 0x1D12);
	assert_int_equal(d7(&s, 0x70006598u, 0x100), 0);
	assert_int_equal(d7(&s, 0x7000C000u, 0x1000), 0); /* fernly's second load */
	assert_int_equal(d7(&s, 0x7000C000u, 0x1004), -EREMOTEIO);
	simlib_close(&s);

	assert_int_equal(simlib_open_synced(&s, "chip=mt6250", IMG), 0);
	assert_int_equal(d7(&s, 0x70007000u, 0x100), -EREMOTEIO); /* mtkbak's agent address */
	assert_int_equal(s.b.last_status, 0x1D12);
	assert_int_equal(d7(&s, 0x70008000u, 0x5400), 0); /* fits up to 0x7000D400 */
	assert_int_equal(d7(&s, 0x70008000u, 0x5404), -EREMOTEIO);
	simlib_close(&s);
}

/* chips.c agrees with the simulator's tables (and so with the ROMs, test_brom_tables). */
static void test_chip_table_matches_sim(void **state)
{
	(void)state;
	for (size_t i = 0; i < mtk_chips_count; i++) {
		const struct chip_info *c = &mtk_chips[i];
		size_t n;
		const struct sim_forbidden *t = sim_forbidden_table(c->hw_code, &n);

		assert_non_null(t);
		assert_int_equal(c->forbidden_count, n);
		for (size_t k = 0; k < n; k++) {
			assert_int_equal(c->forbidden[k].start, t[k].start);
			assert_int_equal(c->forbidden[k].end, t[k].end);
		}
		/* the same verdicts on a sweep of loads */
		for (uint32_t a = 0x70000000u; a < 0x7000E000u; a += 0x200)
			for (uint32_t len = 0x100; len <= 0x4000; len *= 4)
				assert_int_equal(chip_load_allowed(c, a, len),
						 sim_range_check(c->hw_code, a, len) == 1);
	}
}

/* mtkbak's agent on MT6250: the ROM refuses the old shared address 0x70007000 (its own data
 * is there) with 0x1D12; the chip table's own address (0x70008000, issue 12) loads and runs. */
static void test_mt6250_agent_refused(void **state)
{
	struct simlib s;
	struct brom_id id;
	struct da d;

	(void)state;
	assert_int_equal(simlib_open_synced(&s, "chip=mt6250", IMG), 0);
	assert_int_equal(brom_identify(&s.b, &id), 0);
	assert_int_equal(id.hw_code, 0x6250);
	assert_non_null(id.chip);
	assert_true(brom_send_da(&s.b, 0x70007000u, mtkbak_agent_blob,
				 (uint32_t)mtkbak_agent_blob_len, 0) < 0);
	assert_int_equal(s.b.last_status, 0x1D12);
	assert_int_equal(id.chip->agent_load_addr, 0x70008000u);
	da_init(&d, &s.b);
	assert_int_equal(da_start(&d, &s.b, id.chip), 0);
	simlib_close(&s);
}

/* The EMI memory self-test: configure, load a pattern, start, poll the finished bit. */
static void mbist_run(const char *opts, uint32_t want)
{
	struct simlib s;
	uint32_t v = 0, w;
	int polls = 0;

	assert_int_equal(simlib_open_synced(&s, opts, IMG), 0);
	w = 0;
	assert_int_equal(brom_write32(&s.b, 0xA0050300u, &w, 1), 0);
	w = 0x2000003Fu;
	assert_int_equal(brom_write32(&s.b, 0xA0050308u, &w, 1), 0);
	w = 0xFFFF0000u;
	assert_int_equal(brom_write32(&s.b, 0xA0050300u, &w, 1), 0);
	assert_int_equal(brom_read32(&s.b, 0xA0050300u, &v, 1), 0);
	assert_int_equal(v, 0xFFFF0000u);
	assert_int_equal(brom_read32(&s.b, 0xA0050318u, &v, 1), 0);
	assert_int_equal(v & 2, 0); /* not started yet */
	w = 0xFFFF0325u;
	assert_int_equal(brom_write32(&s.b, 0xA0050300u, &w, 1), 0);
	do {
		assert_int_equal(brom_read32(&s.b, 0xA0050318u, &v, 1), 0);
	} while (!(v & 2) && ++polls < 100);
	assert_int_equal(v, want);
	simlib_close(&s);
}

static void test_mbist(void **state)
{
	(void)state;
	mbist_run("", 0x3FFC0002u);
	mbist_run("mbist=fail", 0x00000003u);
}

/* Reads past the end of the flash: aliased (default) or 0xFF (past_end=ff). */
static void test_past_end(void **state)
{
	const char *opts[2] = {"", "past_end=ff"};

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct simlib s;
		uint32_t v, r = 2, first;

		assert_int_equal(simlib_open_synced(&s, opts[i], 1u << 20), 0);
		assert_int_equal(brom_write32(&s.b, 0xA0510000u, &r, 1), 0);
		assert_int_equal(brom_read32(&s.b, 0, &first, 1), 0);
		assert_int_equal(brom_read32(&s.b, 1u << 20, &v, 1), 0);
		assert_int_equal(v, i == 0 ? first : 0xFFFFFFFFu);
		assert_int_equal(brom_read32(&s.b, (1u << 20) - 4, &v, 1), 0);
		assert_int_equal(v, (uint32_t)s.image[(1u << 20) - 4] |
					(uint32_t)s.image[(1u << 20) - 3] << 8 |
					(uint32_t)s.image[(1u << 20) - 2] << 16 |
					(uint32_t)s.image[(1u << 20) - 1] << 24);
		simlib_close(&s);
	}
}

/* rom=PATH: the ROM window (mirrored every 64 KiB) holds the dump; the ROM's own READ32
 * still refuses it, mtkbak's agent (which does not check) reads it. */
static void test_rom_dump(void **state)
{
	char path[4096], opts[4200];
	uint8_t *rom = NULL;
	size_t rom_len = 0;

	(void)state;
	if (!corpus_file("brom/MT6261-bootrom.bin", path, sizeof(path)))
		skip();
	assert_int_equal(read_whole_file(path, &rom, &rom_len, 1u << 20), 0);
	for (int with = 0; with < 2; with++) {
		struct simlib s;
		struct brom_id id;
		struct da d;
		uint32_t v[4];

		snprintf(opts, sizeof(opts), with ? "rom=%s" : "", path);
		assert_int_equal(simlib_open_synced(&s, opts, IMG), 0);
		assert_int_equal(brom_read32(&s.b, 0xFFF00000u, v, 1), -EREMOTEIO);
		assert_int_equal(s.b.last_status, 0x1D08);
		assert_int_equal(brom_identify(&s.b, &id), 0);
		da_init(&d, &s.b);
		assert_int_equal(da_start(&d, &s.b, id.chip), 0);
		static const uint32_t mirrors[] = {0xFFF00000u, 0xFFF10000u, 0xFFF70000u,
						   0xFFFF0000u};

		for (size_t m = 0; m < sizeof(mirrors) / sizeof(mirrors[0]); m++) {
			uint32_t base = mirrors[m], off = 0x1000u;

			assert_int_equal(brom_read32(&s.b, base + off, v, 4), 0);
			for (int k = 0; k < 4; k++) {
				uint32_t want = 0;

				if (with)
					memcpy(&want, rom + off + 4 * k,
					       4); /* little-endian words */
				assert_int_equal(v[k], want);
			}
		}
		/* past the dump's end inside the 64 KiB window: zeros */
		assert_int_equal(brom_read32(&s.b, 0xFFF0FFF0u, v, 1), 0);
		assert_int_equal(v[0], 0);
		simlib_close(&s);
	}
	free(rom);
}

/* Every IN transfer of the capture's boot-ROM phase is one sim_host_read of the same size. */
static void test_capture_transfer_sizes(void **state)
{
	char path[4096];
	struct usbpcap p;
	struct simlib s;
	size_t ins = 0;
	int after_d5 = -1;

	(void)state;
	if (!corpus_file("captures/mt6261-spflashtool.pcap", path, sizeof(path)))
		skip();
	assert_int_equal(usbpcap_load(path, &p), 0);
	assert_int_equal(simlib_open(&s, "chip=mt6261", IMG), 0);
	/* the boot-ROM phase: up to D5's echo, address echo and status (then the DA talks) */
	for (size_t i = 0; i < p.count && after_d5 < 3; i++) {
		const struct usbpcap_rec *r = &p.recs[i];
		uint8_t got[4096];
		int n;

		if (r->transfer != 3 || r->len == 0)
			continue;
		if (!r->in) {
			if (r->len == 1 && r->data[0] == 0xD5)
				after_d5 = 0;
			send(s.w, r->data, r->len);
			continue;
		}
		n = sim_host_read(s.w, got, sizeof(got), 2000);
		if (n != (int)r->len)
			fail_msg("record %zu: the MT6261 sent a %u-byte transfer, the simulator %d",
				 i, r->len, n);
		ins++;
		if (after_d5 >= 0)
			after_d5++;
	}
	assert_int_equal(after_d5, 3);
	print_message("%zu device transfers matched in size\n", ins);
	assert_true(ins > 250); /* 288 in the capture */
	simlib_close(&s);
	usbpcap_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_field_transfers),
	    cmocka_unit_test(test_partial_transfer_at_timeout),
	    cmocka_unit_test(test_dtr_required),
	    cmocka_unit_test(test_write_echo_then_reset),
	    cmocka_unit_test(test_d7_windows),
	    cmocka_unit_test(test_chip_table_matches_sim),
	    cmocka_unit_test(test_mt6250_agent_refused),
	    cmocka_unit_test(test_mbist),
	    cmocka_unit_test(test_past_end),
	    cmocka_unit_test(test_rom_dump),
	    cmocka_unit_test(test_capture_transfer_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
