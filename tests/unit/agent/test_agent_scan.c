/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The agent's boot ROM I/O table scan (src/da/agent/core/brom_scan.c) over the real boot ROM
 * dumps in the corpus. Expected addresses come from disassembling the dumps
 * (arm-none-eabi-objdump -D -b binary -marm -Mforce-thumb --adjust-vma=0xfff00000):
 *   - usbio routines: recv_buf reads through the SRAM I/O table (+4) with timeout -1 and
 *     XORs the data when asked; send_buf writes (+8) and flushes (+12);
 *   - the ROM's "select I/O" routine stores the USB driver into that SRAM table, from the
 *     literal pool right after the table address: these are fernly's known USB entry points
 *     (MT6261 read 0xFFF00B65 / write 0xFFF00B7F / flush 0xFFF01CB1, MT6260 0xFFF03639 /
 *     0xFFF03653 / 0xFFF04845, MT6250 write 0xFFF00B69 / flush 0xFFF01BAD);
 *   - GET_ME_ID (E1, MT6261 0xFFF05F40) sends 16 bytes from an SRAM buffer (0x70004498). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/brom_scan.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/byteorder.h"

#define BROM_BASE 0xFFF00000u

struct expect {
	const char *file;
	uint32_t usbio_table, timer_table, recv_buf, send_buf, io_vtable;
	uint32_t usb_read, usb_write, usb_flush;
	uint32_t me_id; /* the E1 handler's buffer */
};

static const struct expect roms[] = {
    {"MT6261-bootrom.bin", 0xFFF08228u, 0xFFF081F8u, 0xFFF05893u, 0xFFF058D7u, 0x700044A8u,
     0xFFF00B65u, 0xFFF00B7Fu, 0xFFF01CB1u, 0x70004498u},
    {"MT6260-bootrom.bin", 0xFFF0BD64u, 0xFFF0BD34u, 0xFFF08B73u, 0xFFF08BB7u, 0x70004558u,
     0xFFF03639u, 0xFFF03653u, 0xFFF04845u, 0x70004548u},
    /* fernly names no MT6250 read routine; the dump's literal pool has 0xFFF00B4F. Its E1
     * handler is not the MT6260/61 code: no ME ID buffer (the agent then refuses E1). */
    {"MT6250-bootrom.bin", 0xFFF0886Cu, 0xFFF0883Cu, 0xFFF05B9Bu, 0xFFF05BDDu, 0x70006438u,
     0xFFF00B4Fu, 0xFFF00B69u, 0xFFF01BADu, 0},
};

static uint8_t *load_rom(const char *name, size_t *len)
{
	const char *corpus = getenv("MTKBAK_CORPUS");
	char path[4096];
	uint8_t *data = NULL;

	snprintf(path, sizeof(path), "%s/brom/%s", corpus, name);
	if (read_whole_file(path, &data, len, 1u << 20) < 0)
		fail_msg("cannot read %s", path);
	return data;
}

static uint32_t word_at(const uint8_t *rom, uint32_t addr)
{
	const uint8_t *p = rom + (addr - BROM_BASE);

	return mtk_get_le32(p);
}

static void test_scan_dumps(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(roms) / sizeof(roms[0]); i++) {
		const struct expect *e = &roms[i];
		struct agent_brom_io io;
		size_t len;
		uint8_t *rom = load_rom(e->file, &len);

		assert_int_equal(agent_brom_scan(rom, BROM_BASE, (uint32_t)len, &io),
				 AGENT_SCAN_OK);
		printf("# %s: usbio table 0x%08X, recv_buf 0x%08X, send_buf 0x%08X, I/O table "
		       "0x%08X, USB read/write/flush 0x%08X/0x%08X/0x%08X\n",
		       e->file, io.usbio_table, io.usbio[AGENT_USBIO_RECV_BUF],
		       io.usbio[AGENT_USBIO_SEND_BUF], io.io_vtable, io.usb_read, io.usb_write,
		       io.usb_flush);
		assert_int_equal(io.usbio_table, e->usbio_table);
		assert_int_equal(io.timer_table, e->timer_table);
		assert_int_equal(io.pair_addr, e->usbio_table + AGENT_BROM_TABLE_BYTES);
		assert_int_equal(io.usbio[AGENT_USBIO_RECV_BUF], e->recv_buf);
		assert_int_equal(io.usbio[AGENT_USBIO_SEND_BUF], e->send_buf);
		assert_int_equal(io.io_vtable, e->io_vtable);
		assert_int_equal(word_at(rom, io.io_vtable_literal), e->io_vtable);
		assert_int_equal(io.usb_read, e->usb_read);
		assert_int_equal(io.usb_write, e->usb_write);
		assert_int_equal(io.usb_flush, e->usb_flush);
		assert_int_equal(io.me_id, e->me_id);
		/* recv8..send_buf ascend in all three ROMs (one source file) */
		for (unsigned k = AGENT_USBIO_RECV8; k < AGENT_BROM_TABLE_WORDS; k++)
			assert_true(io.usbio[k] > io.usbio[k - 1]);
		free(rom);
	}
}

/* The 64 KiB window the agent scans on the watch: the ROM, then (here) a repeat of it. */
static void test_scan_mirrored_window(void **state)
{
	struct agent_brom_io io;
	size_t len;
	uint8_t *rom = load_rom("MT6261-bootrom.bin", &len);
	uint8_t *win = malloc(0x10000);

	(void)state;
	assert_non_null(win);
	memset(win, 0xFF, 0x10000);
	memcpy(win, rom, len);
	memcpy(win + len, rom, 0x10000 - len);
	assert_int_equal(agent_brom_scan(win, BROM_BASE, 0x10000, &io), AGENT_SCAN_OK);
	assert_int_equal(io.usbio_table, 0xFFF08228u);
	free(win);
	free(rom);
}

static void test_scan_rejects(void **state)
{
	struct agent_brom_io io;
	size_t len;
	uint8_t *rom = load_rom("MT6261-bootrom.bin", &len);
	uint8_t *copy = malloc(len);

	(void)state;
	assert_non_null(copy);
	/* too small, NULL, misaligned base */
	assert_int_equal(agent_brom_scan(rom, BROM_BASE, 16, &io), AGENT_SCAN_NOT_FOUND);
	assert_int_equal(agent_brom_scan(NULL, BROM_BASE, (uint32_t)len, &io),
			 AGENT_SCAN_NOT_FOUND);
	assert_int_equal(agent_brom_scan(rom, BROM_BASE + 2, (uint32_t)len, &io),
			 AGENT_SCAN_NOT_FOUND);
	/* at another base the pointers no longer point at the tables */
	assert_int_equal(agent_brom_scan(rom, 0xFFE00000u, (uint32_t)len, &io),
			 AGENT_SCAN_NOT_FOUND);
	/* a table entry that is not a Thumb routine */
	memcpy(copy, rom, len);
	copy[0x8228 + 4 * AGENT_USBIO_RECV8] &= 0xFE;
	assert_int_equal(agent_brom_scan(copy, BROM_BASE, (uint32_t)len, &io),
			 AGENT_SCAN_NOT_FOUND);
	/* send_buf that does not load the SRAM table */
	memcpy(copy, rom, len);
	copy[0x58D8] = 0x00;
	copy[0x58D9] = 0x00; /* "ldr r2, [pc, #16]" -> movs r0, r0 */
	assert_int_equal(agent_brom_scan(copy, BROM_BASE, (uint32_t)len, &io),
			 AGENT_SCAN_NO_VTABLE);
	/* the tables twice: refuse to guess */
	{
		uint8_t *two = malloc(0x10000);

		assert_non_null(two);
		memset(two, 0xFF, 0x10000);
		memcpy(two, rom, len);
		/* a second pair that points at a copy of the tables at 0xFFF0C000 */
		memcpy(two + 0xC000, rom + 0x81F8, 0x60);
		two[0xC060] = 0x00;
		two[0xC061] = 0xC0;
		two[0xC062] = 0xF0;
		two[0xC063] = 0xFF;
		two[0xC064] = 0x30;
		two[0xC065] = 0xC0;
		two[0xC066] = 0xF0;
		two[0xC067] = 0xFF;
		assert_int_equal(agent_brom_scan(two, BROM_BASE, 0x10000, &io),
				 AGENT_SCAN_AMBIGUOUS);
		free(two);
	}
	/* random data never matches */
	{
		uint32_t x = 1;

		for (size_t k = 0; k < len; k++) {
			x = x * 1103515245u + 12345u;
			copy[k] = (uint8_t)(x >> 16);
		}
		assert_int_equal(agent_brom_scan(copy, BROM_BASE, (uint32_t)len, &io),
				 AGENT_SCAN_NOT_FOUND);
	}
	free(copy);
	free(rom);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scan_dumps),
	    cmocka_unit_test(test_scan_mirrored_window),
	    cmocka_unit_test(test_scan_rejects),
	};
	const char *corpus = getenv("MTKBAK_CORPUS");
	char path[4096];

	snprintf(path, sizeof(path), "%s/brom/MT6261-bootrom.bin", corpus ? corpus : "");
	if (!corpus || access(path, R_OK) != 0) {
		printf("skip: no boot ROM dumps (MTKBAK_CORPUS=%s)\n", corpus ? corpus : "(unset)");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
