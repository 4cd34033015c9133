/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The boot ROMs' forbidden-region tables, read out of the real dumps in the corpus and
 * compared with src/brom/chips.c and with the simulator's copy (sim/sim_brom.c).
 *
 * Each ROM holds an array of 12-byte entries {mask, pointer to [start, end) address pairs,
 * count} (MT6261 at 0xFFF08134, MT6260 at 0xFFF0BC60, MT6250 at 0xFFF08768; the MT6261
 * initialiser at 0xFFF0504C stores 7 as the entry count). The D7 validator (MT6261
 * 0xFFF05D40) and the READ16/READ32 handler (0xFFF05AA8) check the entries whose mask has a
 * bit of 0x19F, with the overlap test at 0xFFF04EFC. Everything read from the dump is
 * bounds-checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mtkbak/chip.h"
#include "mtkbak/fsutil.h"
#include "sim_internal.h"

#define BROM_BASE   0xFFF00000u
#define CHECK_MASK  0x19Fu
#define MAX_ENTRIES 16
#define MAX_PAIRS   64

struct rom_case {
	const char *file;
	uint16_t hw_code;
	uint32_t table;
};

static const struct rom_case roms[] = {
    {"MT6261-bootrom.bin", 0x6261, 0xFFF08134u},
    {"MT6260-bootrom.bin", 0x6260, 0xFFF0BC60u},
    {"MT6250-bootrom.bin", 0x6250, 0xFFF08768u},
};

struct region {
	uint32_t mask, start, end;
};

static bool word_at(const uint8_t *rom, size_t len, uint32_t addr, uint32_t *out)
{
	uint32_t off = addr - BROM_BASE;

	if (addr < BROM_BASE || off > len || len - off < 4)
		return false;
	*out = (uint32_t)rom[off] | (uint32_t)rom[off + 1] << 8 | (uint32_t)rom[off + 2] << 16 |
	       (uint32_t)rom[off + 3] << 24;
	return true;
}

/* The entries in ROM order, flattened to one region per address pair; only the checked
 * ones. Stops at the first word that is not an entry (a mask of one bit below 0x200 with a
 * pointer into the ROM). */
static size_t extract(const uint8_t *rom, size_t len, uint32_t table, struct region *out,
		      size_t max, size_t *entries)
{
	size_t n = 0;

	*entries = 0;
	for (uint32_t e = 0; e < MAX_ENTRIES; e++) {
		uint32_t mask, ptr, count, a = table + 12 * e;

		if (!word_at(rom, len, a, &mask) || !word_at(rom, len, a + 4, &ptr) ||
		    !word_at(rom, len, a + 8, &count))
			break;
		if (!mask || mask >= 0x200 || (mask & (mask - 1)) || ptr < BROM_BASE ||
		    count == 0 || count > MAX_PAIRS)
			break;
		(*entries)++;
		for (uint32_t k = 0; k < count; k++) {
			uint32_t s, t;

			assert_true(word_at(rom, len, ptr + 8 * k, &s));
			assert_true(word_at(rom, len, ptr + 8 * k + 4, &t));
			if (!(mask & CHECK_MASK))
				continue;
			assert_true(n < max);
			out[n++] = (struct region){mask, s, t};
		}
	}
	return n;
}

static void test_tables_match_roms(void **state)
{
	const char *corpus = getenv("MTKBAK_CORPUS");

	(void)state;
	for (size_t i = 0; i < sizeof(roms) / sizeof(roms[0]); i++) {
		char path[4096];
		uint8_t *rom = NULL;
		size_t len = 0, entries, n, sn;
		struct region got[MAX_ENTRIES * MAX_PAIRS];
		const struct chip_info *c = chip_find(roms[i].hw_code);
		const struct sim_forbidden *st = sim_forbidden_table(roms[i].hw_code, &sn);

		snprintf(path, sizeof(path), "%s/brom/%s", corpus, roms[i].file);
		if (read_whole_file(path, &rom, &len, 1u << 20) < 0)
			fail_msg("cannot read %s", path);
		n = extract(rom, len, roms[i].table, got, sizeof(got) / sizeof(got[0]), &entries);
		print_message("%s: %zu entries at 0x%08X, %zu checked regions\n", roms[i].file,
			      entries, roms[i].table, n);
		assert_int_equal(entries, 7);
		assert_non_null(c);
		assert_int_equal(c->forbidden_table_addr, roms[i].table);
		if (c->forbidden_count != n || sn != n)
			fail_msg(
			    "%s: the ROM has %zu checked regions, chips.c %zu, the simulator %zu",
			    roms[i].file, n, c->forbidden_count, sn);
		for (size_t k = 0; k < n; k++) {
			if (c->forbidden[k].start != got[k].start ||
			    c->forbidden[k].end != got[k].end)
				fail_msg("%s region %zu: ROM 0x%08X-0x%08X, chips.c 0x%08X-0x%08X",
					 roms[i].file, k, got[k].start, got[k].end,
					 c->forbidden[k].start, c->forbidden[k].end);
			if (st[k].mask != got[k].mask || st[k].start != got[k].start ||
			    st[k].end != got[k].end)
				fail_msg("%s region %zu: ROM %03X 0x%08X-0x%08X, simulator %03X "
					 "0x%08X-0x%08X",
					 roms[i].file, k, got[k].mask, got[k].start, got[k].end,
					 st[k].mask, st[k].start, st[k].end);
		}
		free(rom);
	}
}

/* What the tables mean for the load addresses that matter. */
static void test_load_facts(void **state)
{
	const struct chip_info *mt6261 = chip_find(0x6261), *mt6260 = chip_find(0x6260),
			       *mt6250 = chip_find(0x6250);

	(void)state;
	/* MT6261: loads up to 0x7000B000; SP Flash Tool's DA1 and DA2 fit */
	assert_true(chip_load_allowed(mt6261, 0x70007000u, 0x4000));
	assert_false(chip_load_allowed(mt6261, 0x70007000u, 0x4001));
	assert_true(chip_load_allowed(mt6261, 0x70007000u, 0x434));
	assert_true(chip_load_allowed(mt6261, 0x10020000u, 0x1B4A8));
	assert_false(chip_load_allowed(mt6261, 0x70005CF4u, 8));
	/* MT6260: its data up to 0x70006598 */
	assert_false(chip_load_allowed(mt6260, 0x70006000u, 4));
	assert_true(chip_load_allowed(mt6260, 0x70006598u, 0x6A68));
	assert_false(chip_load_allowed(mt6260, 0x70006598u, 0x6A69));
	/* MT6250: its data 0x7000663C-0x70007CA4, nothing from 0x7000D400 */
	assert_false(chip_load_allowed(mt6250, 0x70007000u, 4));
	assert_true(chip_load_allowed(mt6250, 0x70008000u, 0x5400));
	assert_false(chip_load_allowed(mt6250, 0x70008000u, 0x5401));
	/* size 0 and a range past 0xFFFFFFFF are never allowed */
	assert_false(chip_load_allowed(mt6261, 0x70007000u, 0));
	assert_false(chip_load_allowed(mt6261, 0xFFFFFF00u, 0x200));
}

int main(void)
{
	const struct CMUnitTest with_corpus[] = {
	    cmocka_unit_test(test_tables_match_roms),
	    cmocka_unit_test(test_load_facts),
	};
	const struct CMUnitTest without[] = {
	    cmocka_unit_test(test_load_facts),
	};
	const char *corpus = getenv("MTKBAK_CORPUS");
	char path[4096];
	int ret;

	snprintf(path, sizeof(path), "%s/brom/MT6261-bootrom.bin", corpus ? corpus : "");
	if (!corpus || access(path, R_OK) != 0) {
		/* the facts still hold; the comparison with the ROMs needs the dumps */
		ret = cmocka_run_group_tests(without, NULL, NULL);
		if (ret)
			return ret;
		printf("skip: no boot ROM dumps (MTKBAK_CORPUS=%s): tables not compared\n",
		       corpus ? corpus : "(unset)");
		return 77;
	}
	return cmocka_run_group_tests(with_corpus, NULL, NULL);
}
