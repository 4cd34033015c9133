/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The chip table: consistent rows, and the facts the protocol depends on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mtkbak/chip.h"

static bool in_window(const struct chip_info *c, uint32_t start, uint32_t len)
{
	for (int i = 0; i < CHIP_MAX_WINDOWS; i++)
		if (c->sram_load[i].end > c->sram_load[i].start && start >= c->sram_load[i].start &&
		    start < c->sram_load[i].end && len <= c->sram_load[i].end - start)
			return true;
	return false;
}

static void test_rows(void **state)
{
	(void)state;
	assert_true(mtk_chips_count >= 3);
	for (size_t i = 0; i < mtk_chips_count; i++) {
		const struct chip_info *c = &mtk_chips[i];

		assert_non_null(c->name);
		assert_ptr_equal(chip_find(c->hw_code), c);
		/* the agent fits where the boot ROM allows loading it, on every chip (MT6250's
		 * own address is past its ROM's data at 0x7000663C-0x70007CA4, issue 12) */
		assert_true(c->agent_max_size >= 8 * 1024);
		assert_true(chip_load_allowed(c, c->agent_load_addr, c->agent_max_size));
		assert_true(in_window(c, c->agent_load_addr, c->agent_max_size));
		/* every mtkbak load window is clear of the ROM's forbidden regions */
		for (int k = 0; k < CHIP_MAX_WINDOWS; k++)
			if (c->sram_load[k].end > c->sram_load[k].start)
				assert_true(
				    chip_load_allowed(c, c->sram_load[k].start,
						      c->sram_load[k].end - c->sram_load[k].start));
		assert_int_equal(c->agent_load_addr & 3, 0);
		assert_int_equal(c->wdt_disable_value, 0x2200);
		assert_int_equal(c->wdt_swrst_value, 0x1209);
		assert_int_equal(c->remap_reg, 0xA0510000u);
		assert_true(c->keepalive_count <= CHIP_MAX_KEEPALIVE);
		assert_true(c->variant_count <= CHIP_MAX_VARIANTS);
	}
	assert_null(chip_find(0x6572));
}

static void test_mt6261_facts(void **state)
{
	const struct chip_info *c = chip_find(0x6261);

	(void)state;
	assert_string_equal(c->name, "MT6261");
	assert_non_null(strstr(c->family_note, "MT2502"));
	/* SP Flash Tool's loads work, 0x7000B000 and up is refused (the ROM's table) */
	assert_true(in_window(c, 0x70007000u, 0x434));
	assert_true(in_window(c, 0x10020000u, 0x1B4A8));
	assert_false(in_window(c, 0x7000B000u, 4));
	assert_false(chip_load_allowed(c, 0x7000B000u, 4));
	assert_true(c->agent_load_addr + c->agent_max_size <= 0x7000B000u);
	assert_string_equal(chip_variant_name(c, 0x35C00000u), "MT6261");
	assert_string_equal(chip_variant_name(c, 0x36000000u), "MT2503");
	assert_null(chip_variant_name(c, 0x12340000u));
	assert_string_equal(chip_variant_name(c, 0x76400000u), "MT2503DV");
	assert_string_equal(chip_variant_name(c, 0x26400000u), "MT2502");
	assert_true(chip_variant_find(c, 0x26400000u)->likely);
	assert_true(chip_variant_find(c, 0x36000000u)->no_keepalive);
	assert_int_equal(c->wdt_length_reg, 0xA0030004u);
	assert_int_equal(c->wdt_length_key, 0x08);
	/* MT6250: past its ROM's live data (to 0x70007CA4), below its limit 0x7000D400 */
	assert_int_equal(chip_find(0x6250)->agent_load_addr, 0x70008000u);
	assert_true(chip_find(0x6250)->agent_load_addr + chip_find(0x6250)->agent_max_size <=
		    0x7000D400u);
	assert_false(chip_find(0x6250)->verified);
	assert_int_equal(chip_find(0x6250)->keepalive_count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows),
	    cmocka_unit_test(test_mt6261_facts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
