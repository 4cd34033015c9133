/* SPDX-License-Identifier: GPL-3.0-or-later */
/* layout_scan on generated images: every image found from its own headers at whatever offset
 * the build put it, the tables inside, mirrors, and the platform naming rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fwimage.h"
#include "mtkbak/errors.h"
#include "mtkbak/fwgen.h"
#include "mtkbak/extract.h"

#define MIB (1u << 20)

static struct fw_layout *scan(const uint8_t *img, size_t len)
{
	struct fw_layout *l = calloc(1, sizeof(*l));

	assert_non_null(l);
	assert_int_equal(layout_scan(img, len, l, NULL), 0);
	return l;
}

static void test_demo_layout(void **state)
{
	uint8_t *img;
	size_t len;
	struct fw_layout *l;

	(void)state;
	assert_int_equal(fwgen_demo(4 * MIB, &img, &len), 0);
	l = scan(img, len);
	assert_int_equal(l->flash_size, 4 * MIB);
	assert_false(l->mirrored);
	assert_true(l->hb.sf_boot);
	assert_true(l->hb.brlyt);
	assert_int_equal(l->hb.brlyt_off, 0x200);
	assert_int_equal(l->hb.ndesc, 2);
	assert_int_equal(l->hb.desc[0].type, GFH_FT_ARM_BL);
	assert_int_equal(l->hb.desc[0].begin_off, 0x800);
	assert_int_equal(l->nimages, 4);
	assert_string_equal(l->img[l->bl].name, "BOOTLOADER");
	assert_int_equal(l->img[l->bl].offset, 0x800);
	assert_true(l->img[l->bl].in_brlyt);
	assert_int_equal(l->img[l->bl].sha1, FW_HASH_OK);
	assert_true(l->img[l->bl].dne_ok);
	assert_string_equal(l->img[l->ext_bl].name, "EXT_BOOTLOADER");
	assert_int_equal(l->img[l->ext_bl].offset, 0x3000);
	assert_int_equal(l->img[l->ext_bl].sha1, FW_HASH_OK);
	assert_string_equal(l->img[l->rom].name, "ROM");
	assert_int_equal(l->img[l->rom].offset, 0x10000);
	assert_int_equal(l->img[l->rom].length, 0x60000);
	assert_true(l->img[l->rom].chain.ok);
	assert_int_equal(l->img[l->rom].chain.n, 7);
	assert_string_equal(l->img[l->viva].name, "VIVA");
	assert_int_equal(l->img[l->viva].offset, 0x70400);
	assert_true(l->viva_hdr.alice);
	assert_string_equal(l->viva_hdr.alice_magic, "ALICE_2");

	assert_true(l->rom_ids.found);
	assert_int_equal(l->rom_ids.count, 2);
	assert_memory_equal(l->rom_ids.e[0].id, "\xC8\x40\x16", 3);
	assert_memory_equal(l->rom_ids.e[1].id, "\xC8\x40\x17", 3);
	assert_true(l->ext_ids.found);
	assert_memory_equal(&l->ext_ids.e, &l->rom_ids.e, sizeof(l->rom_ids.e));
	assert_true(l->rom_nor.found);
	assert_int_equal(l->rom_nor.chip_size[0], 4 * MIB);
	assert_int_equal(l->rom_nor.chip_size[1], 8 * MIB);
	assert_true(l->maui_info);
	assert_string_equal(l->platform, "MT6261");
	assert_true(l->rominfo);
	assert_true(l->fat.present);
	assert_int_equal(l->fat.offset, 0x300000);
	assert_int_equal(l->fat.length, 0x100000);
	assert_false(l->sds.present);
	free(l);
	free(img);
}

/* Another build puts EXT_BOOTLOADER at 0x2400 and ROM at 0xA000 (an MT6261 tracker's
 * scatter): found there, nothing assumed. */
static void test_other_offsets(void **state)
{
	struct fwgen_fw_opts fo;
	struct fwgen_flash_opts flo = {.flash_size = 8 * MIB};
	struct fw_layout *l;
	uint8_t *img;
	size_t len;

	(void)state;
	fwgen_demo_options(8 * MIB, &fo);
	fo.bl_len = 0x1C00;
	fo.ext_bl_off = 0x2400;
	fo.ext_bl_len = 0x7400;
	fo.rom_off = 0xA000;
	fo.viva_gap = 0x800;
	fo.fat_off = 0x780000;
	fo.fat_len = 0x80000;
	assert_int_equal(fwimage_synth(&fo, &flo, &img, &len), 0);
	l = scan(img, len);
	assert_int_equal(l->nimages, 4);
	assert_int_equal(l->img[l->ext_bl].offset, 0x2400);
	assert_int_equal(l->img[l->rom].offset, 0xA000);
	assert_int_equal(l->img[l->viva].offset, 0xA000 + 0x60000 + 0x800);
	assert_int_equal(l->fat.offset, 0x780000);
	free(l);
	free(img);
}

static void test_mirror(void **state)
{
	struct fwgen_fw_opts fo;
	struct fwgen_flash_opts flo = {.flash_size = 4 * MIB, .read_size = 16 * MIB};
	struct fw_layout *l;
	uint8_t *img;
	size_t len;

	(void)state;
	fwgen_demo_options(4 * MIB, &fo);
	assert_int_equal(fwimage_synth(&fo, &flo, &img, &len), 0);
	assert_int_equal(len, 16 * MIB);
	assert_int_equal(fw_mirror_period(img, len), 4 * MIB);
	l = scan(img, len);
	assert_true(l->mirrored);
	assert_int_equal(l->flash_size, 4 * MIB);
	assert_int_equal(l->mirror_copies, 4);
	assert_int_equal(l->nimages, 4); /* the aliases are not scanned as more images */
	free(l);
	/* one differing byte in the last copy: not a mirror */
	img[len - 1] ^= 1;
	assert_int_equal(fw_mirror_period(img, len), 0);
	free(img);

	/* an 8 MiB chip read as 16 MiB */
	fwgen_demo_options(8 * MIB, &fo);
	flo.flash_size = 8 * MIB;
	assert_int_equal(fwimage_synth(&fo, &flo, &img, &len), 0);
	assert_int_equal(fw_mirror_period(img, len), 8 * MIB);
	free(img);
	assert_int_equal(fw_mirror_period(NULL, 0), 0);
}

static void test_no_header_block(void **state)
{
	struct fwgen_fw_opts fo;
	struct fwgen_flash_opts flo = {.flash_size = 4 * MIB, .no_header_block = true};
	struct fw_layout *l;
	uint8_t *img;
	size_t len;

	(void)state;
	fwgen_demo_options(4 * MIB, &fo);
	assert_int_equal(fwimage_synth(&fo, &flo, &img, &len), 0);
	l = scan(img, len);
	assert_false(l->hb.sf_boot);
	assert_string_equal(l->hb.why, "no SF_BOOT identifier at offset 0");
	/* the first bootloader is still found by its FILE_INFO */
	assert_true(l->bl >= 0);
	assert_int_equal(l->img[l->bl].offset, 0x800);
	assert_false(l->img[l->bl].in_brlyt);
	free(l);
	free(img);
}

static void test_extra_images(void **state)
{
	struct fwgen_fw_opts fo;
	struct fwgen_flash_opts flo = {.flash_size = 4 * MIB};
	struct fw_layout *l;
	uint8_t *img;
	size_t len;

	(void)state;
	fwgen_demo_options(4 * MIB, &fo);
	fo.nextras = 2;
	fo.extras[0] = (struct fwgen_extra){GFH_FT_THIRD_ROM, 0x200000, 0x10000};
	fo.extras[1] = (struct fwgen_extra){GFH_FT_THIRD_ROM, 0x100000, 0x8000};
	assert_int_equal(fwimage_synth(&fo, &flo, &img, &len), 0);
	l = scan(img, len);
	assert_int_equal(l->nimages, 6);
	/* sorted by offset; the second of a type gets a suffix */
	assert_string_equal(l->img[4].name, "THIRD_ROM");
	assert_int_equal(l->img[4].offset, 0x100000);
	assert_string_equal(l->img[5].name, "THIRD_ROM_2");
	assert_int_equal(l->img[5].offset, 0x200000);
	free(l);
	free(img);
}

/* A FILE_INFO-looking header in a body whose load address points elsewhere is not an image. */
static void test_stray_header(void **state)
{
	uint8_t *img;
	size_t len;
	struct fw_layout *l;

	(void)state;
	assert_int_equal(fwgen_demo(4 * MIB, &img, &len), 0);
	memcpy(img + 0x40000, img + 0x10000, 0x38); /* a copy of ROM's FILE_INFO inside ROM */
	l = scan(img, len);
	assert_int_equal(l->nimages, 4);
	assert_int_equal(l->nrejects, 1);
	assert_int_equal(l->rejects[0].offset, 0x40000);
	assert_non_null(strstr(l->rejects[0].why, "does not point here"));
	free(l);
	free(img);
}

static void test_platform_names(void **state)
{
	static const struct {
		const char *platform, *project, *want;
	} cases[] = {
	    /* the real MT6260A kit: its cfg says MT6260A */
	    {"GINWAVE60A_11B_PCB01_gprs_MT6260_S00.T31_ZX_PH05_DCAMGC032ABF20A6_60A_V48_20231030."
	     "bin",
	     "T31_ZX_PH05_DCAMGC032ABF20A6_60A_V48_20231030", "MT6260A"},
	    /* RePhone: its cfg says MT2502 (SEEED02A is a board name, not a separate token) */
	    {"SEEED02A_DEMO_PCB01_gprs_MT2502_S00.MAUI_11CW1418SP5_W15_19.bin",
	     "MAUI.11CW1418SP5.W15.19", "MT2502"},
	    {"MTKBAK_DEMO_PCB01_gprs_MT6261_S00.MAUI_11CW1418SP5_W20_01.bin", "X", "MT6261"},
	    {"ABC_MT6261D_S00", "", "MT6261D"},
	    {"ABC_mt6250_S00", "", "MT6250"},
	    {"ABC_MT62610_S00", "", ""},
	    {"XMT6261_S00", "", ""},
	    {"ABC_MT6261_S00_61A_61B", "", "MT6261"}, /* conflicting letters: none */
	    {"", "", ""},
	};
	char out[16];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fw_platform_name(cases[i].platform, cases[i].project, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
	fw_platform_name(NULL, NULL, out, sizeof(out));
	assert_string_equal(out, "");
}

static void test_empty_and_tiny(void **state)
{
	static const uint8_t one = 0x4D;
	struct fw_layout *l;

	(void)state;
	l = scan(NULL, 0);
	assert_int_equal(l->nimages, 0);
	assert_int_equal(l->bl, -1);
	free(l);
	l = scan(&one, 1);
	assert_true(l->blank);
	free(l);
	assert_int_equal(layout_scan(NULL, 5, &(struct fw_layout){0}, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_demo_layout),	   cmocka_unit_test(test_other_offsets),
	    cmocka_unit_test(test_mirror),	   cmocka_unit_test(test_no_header_block),
	    cmocka_unit_test(test_extra_images),   cmocka_unit_test(test_stray_header),
	    cmocka_unit_test(test_platform_names), cmocka_unit_test(test_empty_and_tiny),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
