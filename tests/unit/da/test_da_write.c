/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The agent's write path (WSESSION, SECTOR_CRCS, ERASE, PROGRAM, STATUS, WRSR) against the
 * simulated watch's NOR model (sim/sim_nor.c): the session gate, erase and program results
 * byte by byte, the latch, page wrap, block protection, the stale memory window, a worn
 * sector, stuck bits, the power cut, save= and nor_log=. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mtkbak/agent_wire.h"
#include "mtkbak/brom.h"
#include "mtkbak/crc32.h"
#include "mtkbak/da.h"
#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/nor.h"
#include "mtkbak/sim.h"
#include "simlib.h"

#define LEN (1u << 20)

struct rig {
	struct simlib s;
	struct brom_id id;
	struct da d;
};

static void rig_open(struct rig *r, const char *opts)
{
	char all[600];

	memset(r, 0, sizeof(*r));
	snprintf(all, sizeof(all), "norspeed=1000%s%s", opts && *opts ? "," : "", opts ? opts : "");
	assert_int_equal(simlib_open_synced(&r->s, all, LEN), 0);
	assert_int_equal(brom_identify(&r->s.b, &r->id), 0);
	assert_non_null(r->id.chip);
	assert_int_equal(brom_disable_watchdog(&r->s.b, r->id.chip), 0);
	if (da_start(&r->d, &r->s.b, r->id.chip) != 0)
		fail_msg("da_start: %s", r->d.detail);
}

static const uint8_t *flash(struct rig *r)
{
	size_t n;
	const uint8_t *f = sim_flash(r->s.w, &n);

	assert_int_equal(n, LEN);
	return f;
}

static void test_session_gate(void **state)
{
	struct rig r;
	uint8_t before[4096], data[4096];
	uint32_t crc;
	uint16_t v[1];

	(void)state;
	rig_open(&r, "");
	memcpy(before, flash(&r) + 0x10000, sizeof(before));
	memset(data, 0, sizeof(data));
	/* outside a session: erase, program and status write are refused, nothing changes */
	assert_int_equal(da_erase(&r.d, NOR_OP_SE, 0x10000, 500, NULL), -EREMOTEIO);
	assert_int_equal(r.d.last_status, AGENT_ST_READ_ONLY);
	assert_int_equal(da_program(&r.d, 0x10000, data, sizeof(data), 10, &crc), -EREMOTEIO);
	assert_int_equal(r.d.last_status, AGENT_ST_READ_ONLY);
	assert_int_equal(da_write_status(&r.d, 0x1C, 0, 1, 50, NULL), -EREMOTEIO);
	assert_int_equal(r.d.last_status, AGENT_ST_READ_ONLY);
	/* boot-ROM style writes into the flash controller are refused too */
	v[0] = 0x1234;
	assert_true(brom_write16(&r.s.b, 0xA0140010u, v, 1) < 0);
	assert_memory_equal(flash(&r) + 0x10000, before, sizeof(before));
	/* the agent still answers in step */
	assert_int_equal(da_ping(&r.d), 0);
	/* a wrong key is refused and leaves the session closed */
	assert_int_equal(da_write_session(&r.d, true), 0);
	assert_int_equal(da_write_session(&r.d, false), 0);
	assert_int_equal(da_erase(&r.d, NOR_OP_SE, 0x10000, 500, NULL), -EREMOTEIO);
	assert_memory_equal(flash(&r) + 0x10000, before, sizeof(before));
	simlib_close(&r.s);
}

static void test_erase_program_verify(void **state)
{
	struct rig r;
	uint8_t data[4096];
	uint32_t crc, crcs[3];
	uint8_t sr;

	(void)state;
	rig_open(&r, "");
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	memset(data + 256, 0xFF, 256); /* a page that is all 0xFF: skipped */
	assert_int_equal(da_write_session(&r.d, true), 0);
	assert_int_equal(da_erase(&r.d, NOR_OP_SE, 0x21000, 500, &sr), 0);
	assert_int_equal(sr & (NOR_SR_WIP | NOR_SR_WEL), 0);
	for (unsigned i = 0; i < 4096; i++)
		assert_int_equal(flash(&r)[0x21000 + i], 0xFF);
	assert_int_equal(flash(&r)[0x20FFF] == 0xFF && flash(&r)[0x22000] == 0xFF, 0);
	assert_int_equal(da_program(&r.d, 0x21000, data, sizeof(data), 10, &crc), 0);
	assert_memory_equal(flash(&r) + 0x21000, data, sizeof(data));
	assert_int_equal(crc, mtk_crc32(0, data, sizeof(data)));
	/* sector CRCs, through the window and through the controller */
	assert_int_equal(da_sector_crcs(&r.d, 0x20000, 3, false, crcs), 0);
	assert_int_equal(crcs[1], crc);
	assert_int_equal(crcs[0], mtk_crc32(0, flash(&r) + 0x20000, 4096));
	assert_int_equal(da_sector_crcs(&r.d, 0x20000, 3, true, crcs), 0);
	assert_int_equal(crcs[1], crc);
	assert_int_equal(crcs[2], mtk_crc32(0, flash(&r) + 0x22000, 4096));
	/* program only clears bits: programming 0xF0 over the pattern ANDs it */
	memset(data, 0xF0, 128);
	assert_int_equal(da_program(&r.d, 0x21000, data, 128, 10, &crc), 0);
	for (unsigned i = 0; i < 128; i++)
		assert_int_equal(flash(&r)[0x21000 + i], (uint8_t)((i * 7 + 3) & 0xF0));
	/* 32 and 64 KiB erases, misaligned addresses refused */
	assert_int_equal(da_erase(&r.d, NOR_OP_BE32, 0x28000, 2000, NULL), 0);
	for (unsigned i = 0; i < 0x8000; i++)
		assert_int_equal(flash(&r)[0x28000 + i], 0xFF);
	assert_int_equal(da_erase(&r.d, NOR_OP_BE64, 0x31000, 2000, NULL), -EREMOTEIO);
	assert_int_equal(r.d.last_status, AGENT_ST_BAD_ARG);
	assert_int_equal(da_erase(&r.d, 0xC7, 0, 2000, NULL), -EREMOTEIO);
	assert_int_equal(da_erase(&r.d, NOR_OP_BE64, 0x30000, 2000, NULL), 0);
	for (unsigned i = 0; i < 0x10000; i++)
		assert_int_equal(flash(&r)[0x30000 + i], 0xFF);
	/* a program that crosses a sector is refused by the host before sending */
	assert_int_equal(da_program(&r.d, 0x21F00, data, 512, 10, &crc), -EINVAL);
	assert_int_equal(da_write_session(&r.d, false), 0);
	simlib_close(&r.s);
}

static void test_protection(void **state)
{
	struct rig r;
	uint8_t sr[2], out[2], before[4096];
	uint32_t start, end;

	(void)state;
	/* BP0|BP1 (0x0C): BP = 3, the top 1/16 of 1 MiB = 64 KiB protected */
	rig_open(&r, "protect=0C");
	assert_int_equal(nor_protected_range(0x0C, LEN, &start, &end), 0);
	assert_int_equal(start, LEN - 0x10000);
	assert_int_equal(end, LEN);
	assert_int_equal(da_status_regs(&r.d, sr), 0);
	assert_int_equal(sr[0], 0x0C);
	assert_int_equal(da_write_session(&r.d, true), 0);
	memcpy(before, flash(&r) + LEN - 0x1000, sizeof(before));
	/* the part ignores the erase in the protected range: nothing changes */
	assert_int_equal(da_erase(&r.d, NOR_OP_SE, LEN - 0x1000, 500, NULL), 0);
	assert_memory_equal(flash(&r) + LEN - 0x1000, before, sizeof(before));
	/* below it, it works */
	assert_int_equal(da_erase(&r.d, NOR_OP_SE, LEN - 0x11000, 500, NULL), 0);
	assert_int_equal(flash(&r)[LEN - 0x11000], 0xFF);
	/* clear the bits, erase, put them back */
	assert_int_equal(da_write_status(&r.d, 0x00, 0, 1, 50, out), 0);
	assert_int_equal(out[0], 0x00);
	assert_int_equal(da_erase(&r.d, NOR_OP_SE, LEN - 0x1000, 500, NULL), 0);
	for (unsigned i = 0; i < 4096; i++)
		assert_int_equal(flash(&r)[LEN - 0x1000 + i], 0xFF);
	assert_int_equal(da_write_status(&r.d, 0x0C, 0, 1, 50, out), 0);
	assert_int_equal(out[0], 0x0C);
	simlib_close(&r.s);
}

static void test_stale_window(void **state)
{
	struct rig r;
	uint8_t data[4096];
	uint32_t crc, win, sfc;

	(void)state;
	rig_open(&r, "stale");
	memset(data, 0x5A, sizeof(data));
	assert_int_equal(da_write_session(&r.d, true), 0);
	assert_int_equal(da_erase(&r.d, NOR_OP_SE, 0x40000, 500, NULL), 0);
	assert_int_equal(da_program(&r.d, 0x40000, data, sizeof(data), 10, &crc), 0);
	/* the controller sees the new bytes; the window still serves the old ones */
	assert_int_equal(crc, mtk_crc32(0, data, sizeof(data)));
	assert_int_equal(da_sector_crcs(&r.d, 0x40000, 1, true, &sfc), 0);
	assert_int_equal(da_sector_crcs(&r.d, 0x40000, 1, false, &win), 0);
	assert_int_equal(sfc, crc);
	assert_int_not_equal(win, crc);
	simlib_close(&r.s);
}

static void test_bad_sector_and_stuck_bit(void **state)
{
	struct rig r;
	uint8_t data[4096];
	uint32_t crc;

	(void)state;
	rig_open(&r, "norbad=0x50000,norstuck=0x60010");
	memset(data, 0xFF, sizeof(data));
	data[0] = 0x00;
	assert_int_equal(da_write_session(&r.d, true), 0);
	assert_int_equal(da_erase(&r.d, NOR_OP_SE, 0x50000, 500, NULL), 0);
	{
		int ff = 1;

		for (unsigned i = 0; i < 4096; i++)
			ff &= flash(&r)[0x50000 + i] == 0xFF;
		assert_false(ff);
	}
	assert_int_equal(da_erase(&r.d, NOR_OP_SE, 0x60000, 500, NULL), 0);
	assert_int_equal(flash(&r)[0x60010], 0xFE);
	memset(data, 0xFF, sizeof(data));
	assert_int_equal(da_program(&r.d, 0x60000, data, sizeof(data), 10, &crc), 0);
	assert_int_not_equal(crc, mtk_crc32(0, data, sizeof(data)));
	simlib_close(&r.s);
}

static void test_power_cut_save_log(void **state)
{
	struct rig r;
	char dir[] = "/tmp/mtkbak-dawrite-XXXXXX", save[80], log[80], opts[300], line[80];
	uint8_t data[4096], *saved = NULL;
	size_t saved_len = 0;
	uint32_t crc;
	unsigned n = 0, erases = 0, programs = 0, wrens = 0;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(save, sizeof(save), "%s/flash.bin", dir);
	snprintf(log, sizeof(log), "%s/nor.log", dir);
	/* the 3rd erase/program loses the power */
	snprintf(opts, sizeof(opts), "norcut=3,seed=5,save=%s,nor_log=%s", save, log);
	rig_open(&r, opts);
	memset(data, 0x00, sizeof(data));
	assert_int_equal(da_write_session(&r.d, true), 0);
	assert_int_equal(da_erase(&r.d, NOR_OP_SE, 0x70000, 500, NULL), 0);  /* 1 */
	assert_int_equal(da_program(&r.d, 0x70000, data, 128, 10, &crc), 0); /* 2 */
	assert_true(da_erase(&r.d, NOR_OP_SE, 0x71000, 500, NULL) < 0);	     /* 3: cut */
	assert_false(sim_present(r.s.w));
	simlib_close(&r.s);
	assert_int_equal(read_whole_file(save, &saved, &saved_len, LEN), 0);
	assert_int_equal(saved_len, LEN);
	{
		/* partly erased: some but not all of the sector is 0xFF */
		unsigned ff = 0;

		for (unsigned i = 0; i < 4096; i++)
			ff += saved[0x71000 + i] == 0xFF;
		assert_true(ff < 4096);
		for (unsigned i = 0; i < 128; i++)
			assert_int_equal(saved[0x70000 + i], 0);
		assert_int_equal(saved[0x70080], 0xFF);
	}
	f = fopen(log, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (!strncmp(line, "20 ", 3))
			erases++;
		if (!strcmp(line, "02 00070000 00000080\n"))
			programs++;
		if (!strcmp(line, "06 00000000 00000000\n"))
			wrens++;
	}
	fclose(f);
	assert_int_equal(erases, 2);
	assert_int_equal(programs, 1);
	assert_int_equal(wrens, 3);
	assert_int_equal(n, 6);
	free(saved);
	unlink(save);
	unlink(log);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_session_gate),
	    cmocka_unit_test(test_erase_program_verify),
	    cmocka_unit_test(test_protection),
	    cmocka_unit_test(test_stale_window),
	    cmocka_unit_test(test_bad_sector_and_stuck_bit),
	    cmocka_unit_test(test_power_cut_save_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
