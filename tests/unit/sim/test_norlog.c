/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The simulated flash's write detector (nor_log=PATH): read-side commands leave the log empty
 * (but created); program, erase, write enable, write status and writes into the memory-mapped
 * flash window are each one "OP ADDRESS LENGTH" line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mtkbak/errors.h"
#include "sim_internal.h"
#include "simlib.h"

#define IMG (256u * 1024u)

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void test_reads_log_nothing(void **state)
{
	char path[] = "/tmp/mtkbak-norlog-XXXXXX", opts[64];
	uint8_t tx[5] = {0x9F, 0, 0, 0, 0}, rx[16];
	struct simlib s;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path); /* the watch must create it */
	snprintf(opts, sizeof(opts), "nor_log=%s", path);
	assert_int_equal(simlib_open(&s, opts, IMG), 0);
	assert_non_null(slurp(path));
	assert_string_equal(slurp(path), "");
	assert_int_equal(sim_nor_spi(s.w, tx, 1, rx, 3), 0);
	tx[0] = 0x03;
	assert_int_equal(sim_nor_spi(s.w, tx, 4, rx, 16), 0);
	tx[0] = 0x0B;
	assert_int_equal(sim_nor_spi(s.w, tx, 5, rx, 16), 0);
	tx[0] = 0x05;
	assert_int_equal(sim_nor_spi(s.w, tx, 1, rx, 1), 0);
	tx[0] = 0x5A;
	assert_int_equal(sim_nor_spi(s.w, tx, 5, rx, 16), 0);
	(void)sim_mem_read32(s.w, 0x100);
	assert_int_equal(s.w->nor_writes, 0);
	simlib_close(&s);
	assert_string_equal(slurp(path), "");
	unlink(path);
}

static void test_writes_are_logged(void **state)
{
	char path[] = "/tmp/mtkbak-norlog-XXXXXX", opts[64];
	const uint8_t wren[1] = {0x06}, erase[4] = {0xD8, 0x04, 0x00, 0x00},
		      prog[8] = {0x02, 0x00, 0x01, 0x00, 1, 2, 3, 4}, wrsr[2] = {0x01, 0x00},
		      chip[1] = {0xC7};
	uint8_t rx[4];
	struct simlib s;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(opts, sizeof(opts), "nor_log=%s", path);
	assert_int_equal(simlib_open(&s, opts, IMG), 0);
	assert_int_equal(sim_nor_spi(s.w, wren, 1, rx, 0), 0);
	assert_int_equal(sim_nor_spi(s.w, erase, 4, rx, 0), 0);
	assert_int_equal(sim_nor_spi(s.w, prog, 8, rx, 0), 0);
	assert_int_equal(sim_nor_spi(s.w, wrsr, 2, rx, 0), 0);
	assert_int_equal(sim_nor_spi(s.w, chip, 1, rx, 0), 0);
	/* the flash window (remap 2: flash at 0): a 32-bit write is one command */
	sim_mem_write32(s.w, 0xA0510000u, 2);
	sim_mem_write32(s.w, 0x00001000u, 0xDEADBEEFu);
	sim_mem_write8(s.w, 0x00002001u, 0x55);
	/* RAM is not the flash: not logged */
	sim_mem_write32(s.w, 0x10000000u, 1);
	assert_int_equal(s.w->nor_writes, 7);
	simlib_close(&s);
	assert_string_equal(slurp(path), "06 00000000 00000000\n"
					 "D8 00040000 00010000\n"
					 "02 00000100 00000004\n"
					 "01 00000000 00000001\n"
					 "C7 00000000 00040000\n"
					 "FW 00001000 00000004\n"
					 "FW 00002001 00000001\n");
	unlink(path);
}

static void test_bad_option(void **state)
{
	struct sim_opts o;
	char err[256];

	(void)state;
	sim_opts_default(&o);
	assert_int_equal(sim_opts_parse("nor_log", &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(sim_opts_parse("nor_log=/x", &o, err, sizeof(err)), 0);
	assert_string_equal(o.nor_log, "/x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reads_log_nothing),
	    cmocka_unit_test(test_writes_are_logged),
	    cmocka_unit_test(test_bad_option),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
