/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kit plan and the SP Flash Tool .cfg: exact text in the real cfgs' layout, flash IDs in
 * the firmware's order, region order, overrides, damaged marker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwimage.h"
#include "mtkbak/fwgen.h"
#include "mtkbak/kit.h"

#define MIB (1u << 20)

static const char demo_cfg[] =
    "general:\n"
    "    config_version : alpha\n"
    "    platform: MT6261\n"
    " \n"
    "boot_region:\n"
    "  alignment: block\n"
    "  rom:\n"
    "    - file: BOOTLOADER\n"
    "    - file: EXT_BOOTLOADER\n"
    " \n"
    "control_block_region:\n"
    "  rom:\n"
    " \n"
    "main_region:\n"
    "  alignment: block\n"
    "  rom:\n"
    "    - file: ROM\n"
    "    - file: VIVA\n"
    " \n"
    "file_system_region:\n"
    "  rom:\n"
    " \n"
    "external_memory: \n"
    "    parameters_version: v1\n"
    "    parameters: \n"
    "       # EMI 1\n"
    "     - flash_info:\n"
    "           flash_type: SF\n"
    "           id_length: 3\n"
    "           flash_id:  [0xC8, 0x40, 0x16, 0x00, 0x00, 0x00, 0x00, 0x00]\n"
    "       memory_type: PSRAM_166MHz\n"
    "       EMI_Setting:\n"
    " \n"
    "       # EMI 2\n"
    "     - flash_info:\n"
    "           flash_type: SF\n"
    "           id_length: 3\n"
    "           flash_id:  [0xC8, 0x40, 0x17, 0x00, 0x00, 0x00, 0x00, 0x00]\n"
    "       memory_type: PSRAM_166MHz\n"
    "       EMI_Setting:\n"
    " \n";

struct ctx {
	uint8_t *img;
	size_t len;
	struct fw_layout l;
};

static struct ctx *make(const struct fwgen_fw_opts *fo, uint32_t flash)
{
	struct fwgen_flash_opts flo = {.flash_size = flash};
	struct ctx *c = calloc(1, sizeof(*c));

	assert_int_equal(fwimage_synth(fo, &flo, &c->img, &c->len), 0);
	assert_int_equal(layout_scan(c->img, c->len, &c->l, NULL), 0);
	return c;
}

static void done(struct ctx *c)
{
	free(c->img);
	free(c);
}

static char *render(const struct fw_layout *l, const struct kit_opts *o, bool damaged,
		    struct kit_plan *plan)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	kit_plan_make(l, o, plan);
	assert_int_equal(cfg_write(l, plan, o, damaged, f), 0);
	fclose(f);
	return text;
}

static void test_demo_cfg(void **state)
{
	struct fwgen_fw_opts fo;
	struct kit_plan plan;
	struct ctx *c;
	char *text;

	(void)state;
	fwgen_demo_options(4 * MIB, &fo);
	c = make(&fo, 4 * MIB);
	text = render(&c->l, NULL, false, &plan);
	assert_string_equal(text, demo_cfg);
	assert_string_equal(plan.cfg_name, "MT6261.cfg");
	assert_int_equal(plan.n, 5);
	assert_string_equal(plan.f[4].name, "FAT.bin");
	assert_int_equal(plan.f[4].region, KIT_DATA);
	assert_int_equal(plan.f[4].offset, 0x300000);
	free(text);

	/* damaged marker, platform and memory overrides */
	struct kit_opts o = {.platform = "MT6261D", .memory_type = "PSRAM_130MHz"};
	text = render(&c->l, &o, true, &plan);
	assert_string_equal(plan.cfg_name, "MT6261D.cfg");
	assert_memory_equal(text, "# mtkbak: built with --force from a DAMAGED dump", 48);
	assert_non_null(strstr(text, "\n    platform: MT6261D\n"));
	assert_non_null(strstr(text, "memory_type: PSRAM_130MHz\n"));
	assert_null(strstr(text, "PSRAM_166MHz"));
	free(text);
	done(c);
}

/* Main region in address order, extras by type name, boot region first; FAT/SDS as data. */
static void test_plan_order(void **state)
{
	struct fwgen_fw_opts fo;
	struct kit_plan plan;
	struct ctx *c;
	char *text;

	(void)state;
	fwgen_demo_options(16 * MIB, &fo);
	fo.nextras = 2;
	fo.extras[0] = (struct fwgen_extra){0x0104, 0x400000, 0x1000}; /* DSP_ROM */
	fo.extras[1] = (struct fwgen_extra){0x0103, 0x0C0000, 0x1000}; /* THIRD_ROM */
	c = make(&fo, 16 * MIB);
	text = render(&c->l, NULL, false, &plan);
	assert_non_null(strstr(text, "  rom:\n    - file: ROM\n    - file: VIVA\n"
				     "    - file: THIRD_ROM\n    - file: DSP_ROM\n \n"
				     "file_system_region:"));
	assert_non_null(strstr(text, "flash_id:  [0xEF, 0x40, 0x18, 0x00, 0x00, 0x00, 0x00, "
				     "0x00]"));
	assert_int_equal(plan.n, 8);
	assert_string_equal(plan.f[0].name, "BOOTLOADER");
	assert_string_equal(plan.f[1].name, "EXT_BOOTLOADER");
	assert_string_equal(plan.f[6].name, "FAT.bin");
	assert_string_equal(plan.f[7].name, "SDS.bin");
	assert_int_equal(plan.f[7].length, 0x2000);
	free(text);
	done(c);
}

/* No CMEM table: no external_memory section; no platform: firmware.cfg, empty platform. */
static void test_missing_tables(void **state)
{
	struct fwgen_fw_opts fo;
	struct kit_plan plan;
	struct ctx *c;
	char *text;

	(void)state;
	fwgen_demo_options(4 * MIB, &fo);
	fo.platform_id = "NO_CHIP_NAME_HERE";
	c = make(&fo, 4 * MIB);
	c->l.rom_ids.found = false;
	c->l.ext_ids.found = false;
	text = render(&c->l, NULL, false, &plan);
	assert_string_equal(plan.cfg_name, "firmware.cfg");
	assert_non_null(strstr(text, "    platform: \n"));
	assert_null(strstr(text, "external_memory"));
	free(text);
	done(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_demo_cfg),
	    cmocka_unit_test(test_plan_order),
	    cmocka_unit_test(test_missing_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
