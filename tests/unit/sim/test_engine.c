/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The simulated watch's execution engine (sim/engine.c) on the real MT6261 and MT6260 boot
 * ROMs: mtkbak's shipped agent binary (the embedded mtkbak_agent_blob, not its C core) and a
 * foreign payload (tests/payloads/probe, built by the test build with arm-none-eabi-gcc) run
 * on the emulated ARM core, talking through the ROM's own putc/getc/flush; the host side
 * checks every byte. Skips (77) without the corpus or without libunicorn at build time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mtkbak/crc32.h"
#include "engine.h"
#include "engine_rom.h"
#include "mtkbak/brom.h"
#include "mtkbak/chip.h"
#include "mtkbak/da.h"
#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "simlib.h"

#define PROBE_ADDR 0x70008000u

static char corpus_rom[2][4096];
static char log_path[4096];

static const char *rom_path(uint16_t hw)
{
	return corpus_rom[hw == 0x6260];
}

static char *read_log(void)
{
	uint8_t *buf = NULL;
	size_t len = 0;

	assert_int_equal(read_whole_file(log_path, &buf, &len, 1u << 20), 0);
	buf = realloc(buf, len + 1);
	assert_non_null(buf);
	buf[len] = 0;
	return (char *)buf;
}

static void open_watch(struct simlib *s, uint16_t hw, bool with_rom, size_t len)
{
	char opts[9000];

	unlink(log_path);
	snprintf(opts, sizeof(opts), "chip=%s,engine_log=%s%s%s",
		 hw == 0x6260 ? "mt6260" : "mt6261", log_path, with_rom ? ",rom=" : "",
		 with_rom ? rom_path(hw) : "");
	assert_int_equal(simlib_open_synced(s, opts, len), 0);
	s->b.timeout_ms = 10000;
}

/* Waits for the watch to re-enumerate after a reset, then opens it again. */
static void wait_reenumerated(struct simlib *s, uint64_t gen)
{
	for (int i = 0; i < 500 && sim_generation(s->w) == gen; i++)
		usleep(10000);
	assert_true(sim_generation(s->w) != gen);
	assert_int_equal(simlib_reopen(s, 5000), 0);
}

struct cmp {
	const uint8_t *want;
	uint32_t mask, next;
};

static int cmp_sink(void *ctx, uint32_t off, const uint8_t *data, size_t len)
{
	struct cmp *c = ctx;

	if (off != c->next)
		return -EPROTO;
	for (size_t i = 0; i < len; i++)
		if (data[i] != c->want[(off + i) & c->mask])
			return -EBADMSG;
	c->next = off + (uint32_t)len;
	return 0;
}

/* The embedded agent binary on the emulated core: hello, flash ID, reads, CRC, reboot. */
static void agent_session(uint16_t hw)
{
	struct simlib s;
	struct brom_id id;
	struct da d;
	struct da_flash_info fi;
	struct cmp c;
	struct sim_engine_stats st;
	uint32_t crc = 0;
	const uint32_t len = 1u << 20;
	char *log;

	open_watch(&s, hw, true, len);
	assert_int_equal(brom_identify(&s.b, &id), 0);
	assert_non_null(id.chip);
	assert_int_equal(brom_disable_watchdog(&s.b, id.chip), 0);
	da_init(&d, &s.b);
	d.timeout_ms = 10000;
	if (da_start(&d, &s.b, id.chip) != 0)
		fail_msg("da_start on the engine: %s", d.detail);
	assert_int_equal(da_flash_info(&d, &fi), 0);
	assert_int_equal(fi.jedec[0], 0xC8);
	assert_int_equal(fi.jedec[2], 20); /* C8 40 14: 1 MiB */
	assert_int_equal(fi.sfdp_size, len);
	c = (struct cmp){s.image, len - 1, 0};
	assert_int_equal(da_read(&d, 0, len, cmp_sink, &c), 0);
	assert_int_equal(c.next, len);
	/* odd offsets and lengths, a reply of a multiple of 64 bytes */
	c = (struct cmp){s.image, len - 1, 12345};
	assert_int_equal(da_read(&d, 12345, 54321, cmp_sink, &c), 0);
	c = (struct cmp){s.image, len - 1, 77};
	assert_int_equal(da_read(&d, 77, 35, cmp_sink, &c), 0);
	assert_int_equal(da_crc32(&d, 0, len, &crc), 0);
	assert_int_equal(crc, mtk_crc32(0, s.image, len));
	assert_int_equal(d.retries, 0);
	/* boot-ROM commands answered by the agent (through the ROM's I/O) */
	{
		uint32_t v;
		uint8_t me[16];

		assert_int_equal(brom_read32(&s.b, 0xA0510000u, &v, 1), 0);
		assert_int_equal(v & 3, 2);
		assert_int_equal(brom_get_me_id(&s.b, me), 0);
		assert_memory_equal(me, id.me_id, 16);
	}
	{
		uint64_t gen = sim_generation(s.w);

		assert_int_equal(da_reboot(&d), 0);
		wait_reenumerated(&s, gen); /* it comes back in boot-ROM mode */
	}
	sim_engine_stats(s.w, &st);
	assert_true(st.usb_packets_in > len / 64);
	assert_int_equal(st.usb_zlp, 0); /* the ROM's flush never sends a zero-length packet */
	assert_true(st.sfc_transactions >= 3);
	assert_int_equal(st.unmodelled, 0);
	log = read_log();
	assert_non_null(strstr(log, "D5: running 0x70007000 on the emulated core"));
	assert_non_null(strstr(log, "run over (the watch reset)"));
	free(log);
	simlib_close(&s);
}

static void test_agent_mt6261(void **state)
{
	(void)state;
	agent_session(0x6261);
}

static void test_agent_mt6260(void **state)
{
	(void)state;
	agent_session(0x6260);
}

static uint8_t *probe_blob(size_t *len)
{
	const char *p = getenv("MTKBAK_PROBE");
	uint8_t *buf = NULL;

	if (!p || read_whole_file(p, &buf, len, 65536) < 0)
		return NULL;
	return buf;
}

static void put32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The foreign payload: finds the ROM's usbio table itself, reads the JEDEC ID and flash
 * bytes through the SFC in PIO mode and through the memory window. */
static void probe_session(uint16_t hw)
{
	struct simlib s;
	uint8_t *blob, tx[9], rx[4200];
	size_t blen;
	const uint32_t len = 256u * 1024;

	blob = probe_blob(&blen);
	if (!blob)
		skip();
	open_watch(&s, hw, true, len);
	assert_int_equal(brom_send_da(&s.b, PROBE_ADDR, blob, (uint32_t)blen, 0), 0);
	assert_int_equal(brom_jump_da(&s.b, PROBE_ADDR), 0);
	assert_int_equal(simlib_xfer(&s, NULL, 0, rx, 4, 10000), 0);
	assert_memory_equal(rx, "PROB", 4);

	assert_int_equal(simlib_xfer(&s, (const uint8_t *)"I", 1, rx, 4, 5000), 0);
	assert_memory_equal(rx, "I\xC8\x40\x12", 4); /* 256 KiB: C8 40 12 */

	/* PIO reads of 100 bytes at a few offsets, one across the end (it aliases); not a
	 * multiple of 64: the ROM sends no zero-length packet, so a reply of 2 full packets would
	 * only end at the host's timeout, as on a real watch */
	{
		const uint32_t offs[] = {0, 0x1234, 0x3FF80 + 0x40};

		for (size_t k = 0; k < 3; k++) {
			tx[0] = 'R';
			put32be(tx + 1, offs[k]);
			put32be(tx + 5, 100);
			assert_int_equal(simlib_xfer(&s, tx, 9, rx, 101, 5000), 0);
			assert_int_equal(rx[0], 'R');
			for (uint32_t i = 0; i < 100; i++)
				if (rx[1 + i] != s.image[(offs[k] + i) & (len - 1)])
					fail_msg("PIO read at 0x%X+%u: 0x%02X, flash 0x%02X",
						 (unsigned)offs[k], (unsigned)i, rx[1 + i],
						 s.image[(offs[k] + i) & (len - 1)]);
		}
	}
	/* 4 KiB through the memory window (64 full packets: putc's buffering end to end) */
	tx[0] = 'M';
	put32be(tx + 1, 0x20000);
	put32be(tx + 5, 4096);
	assert_int_equal(simlib_xfer(&s, tx, 9, rx, 4097, 5000), 0);
	assert_int_equal(rx[0], 'M');
	assert_memory_equal(rx + 1, s.image + 0x20000, 4096);

	/* the watchdog reset: it re-enumerates in boot-ROM mode */
	{
		uint64_t gen = sim_generation(s.w);

		assert_int_equal(simlib_xfer(&s, (const uint8_t *)"Z", 1, rx, 1, 5000), 0);
		assert_int_equal(rx[0], 'Z');
		wait_reenumerated(&s, gen);
	}
	assert_int_equal(brom_handshake(&s.b, 3000), 0);
	{
		struct sim_engine_stats st;

		sim_engine_stats(s.w, &st);
		assert_int_equal(st.usb_zlp, 0);
		assert_int_equal(st.sfc_transactions, 4);
		assert_int_equal(st.unmodelled, 0);
	}
	simlib_close(&s);
	free(blob);
}

static void test_probe_mt6261(void **state)
{
	(void)state;
	probe_session(0x6261);
}

static void test_probe_mt6260(void **state)
{
	(void)state;
	probe_session(0x6260);
}

/* Without rom= the probe is not run, and the log says why. */
static void test_no_rom_says_so(void **state)
{
	struct simlib s;
	uint8_t *blob, rx[4];
	size_t blen;
	char *log;

	(void)state;
	blob = probe_blob(&blen);
	if (!blob)
		skip();
	open_watch(&s, 0x6261, false, 256u * 1024);
	assert_int_equal(brom_send_da(&s.b, PROBE_ADDR, blob, (uint32_t)blen, 0), 0);
	assert_int_equal(brom_jump_da(&s.b, PROBE_ADDR), 0);
	assert_int_equal(simlib_xfer(&s, NULL, 0, rx, 4, 300), -ETIMEDOUT);
	log = read_log();
	assert_non_null(
	    strstr(log, "code at 0x70008000 not executed: no boot-ROM dump given (rom=PATH)"));
	free(log);
	simlib_close(&s);
	free(blob);
}

/* The engine's ROM table matches the dumps, and a dump of the other chip is refused. */
static void test_rom_tables(void **state)
{
	struct sim_opts o;
	char err[256], opts[9000];
	uint8_t *img = simlib_image(65536, 1);

	(void)state;
	for (int k = 0; k < 2; k++) {
		uint16_t hw = k ? 0x6260 : 0x6261;
		const struct engine_rom *r = engine_rom_find(hw);
		uint8_t *rom = NULL;
		size_t len = 0;
		char why[160];

		assert_non_null(r);
		assert_int_equal(read_whole_file(rom_path(hw), &rom, &len, 1u << 20), 0);
		assert_int_equal(engine_rom_check(r, rom, len, why, sizeof(why)), 0);
		assert_int_equal(len, r->rom_len);
		free(rom);
	}
	sim_opts_default(&o);
	snprintf(opts, sizeof(opts), "chip=mt6260,rom=%s", rom_path(0x6261));
	assert_int_equal(sim_opts_parse(opts, &o, err, sizeof(err)), 0);
	assert_null(sim_new(&o, img, 65536));
	sim_opts_default(&o);
	assert_int_equal(sim_opts_parse("rom=/nonexistent/rom.bin", &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "cannot read"));
	free(img);
}

int main(void)
{
	const char *corpus = getenv("MTKBAK_CORPUS");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rom_tables),	 cmocka_unit_test(test_agent_mt6261),
	    cmocka_unit_test(test_agent_mt6260), cmocka_unit_test(test_probe_mt6261),
	    cmocka_unit_test(test_probe_mt6260), cmocka_unit_test(test_no_rom_says_so),
	};
	char tmpl[] = "/tmp/mtkbak-engine-XXXXXX";

	if (!sim_engine_built()) {
		printf("skip: this build has no execution engine (libunicorn-dev missing)\n");
		return 77;
	}
	snprintf(corpus_rom[0], sizeof(corpus_rom[0]), "%s/brom/MT6261-bootrom.bin",
		 corpus ? corpus : "");
	snprintf(corpus_rom[1], sizeof(corpus_rom[1]), "%s/brom/MT6260-bootrom.bin",
		 corpus ? corpus : "");
	if (!corpus || access(corpus_rom[0], R_OK) || access(corpus_rom[1], R_OK)) {
		printf("skip: no MT6261/MT6260 boot ROM dumps (MTKBAK_CORPUS=%s)\n",
		       corpus ? corpus : "(unset)");
		return 77;
	}
	if (!mkdtemp(tmpl))
		return 1;
	snprintf(log_path, sizeof(log_path), "%s/engine.log", tmpl);
	{
		int ret = cmocka_run_group_tests(tests, NULL, NULL);

		unlink(log_path);
		rmdir(tmpl);
		return ret;
	}
}
