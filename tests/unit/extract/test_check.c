/* SPDX-License-Identifier: GPL-3.0-or-later */
/* layout_check: healthy images pass every check; each kind of damage is reported by the right
 * check, with the right severity, offsets and safety verdict; hostile input never crashes. */
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
#include "mtkbak/hash.h"
#include "mtkbak/extract.h"
#include "mtkbak/byteorder.h"

#define MIB (1u << 20)

struct result {
	struct fw_layout l;
	struct fw_findings fs;
};

static struct result *run(const uint8_t *img, size_t len, const struct fw_check_opts *o)
{
	struct result *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	assert_int_equal(layout_scan(img, len, &r->l, NULL), 0);
	layout_check(&r->l, o, &r->fs);
	/* invariants of every result */
	assert_int_equal(r->fs.ok + r->fs.warn + r->fs.fail, r->fs.n);
	assert_int_equal(r->fs.health, 100 * (r->fs.ok + r->fs.warn) / r->fs.n);
	assert_true(r->fs.fail == 0 || r->fs.health < 100);
	return r;
}

static const struct fw_finding *find(const struct result *r, const char *name)
{
	for (int i = 0; i < r->fs.n; i++)
		if (!strcmp(r->fs.f[i].name, name))
			return &r->fs.f[i];
	fail_msg("no finding named %s", name);
	return NULL;
}

static bool has_offset(const struct fw_finding *f, uint64_t off)
{
	for (int i = 0; i < f->noffsets; i++)
		if (f->offsets[i] == off)
			return true;
	return false;
}

static void print_failures(const struct result *r)
{
	for (int i = 0; i < r->fs.n; i++)
		if (r->fs.f[i].sev != FW_SEV_OK)
			print_message("%s: %s %s\n", r->fs.f[i].name,
				      fw_severity_name(r->fs.f[i].sev), r->fs.f[i].message);
}

static uint8_t *demo(uint32_t size, size_t *len)
{
	uint8_t *img;

	assert_int_equal(fwgen_demo(size, &img, len), 0);
	return img;
}

/* Recomputes the SHA-1 trailer of a PHASH image at off (after a deliberate edit). */
static void resign(uint8_t *img, uint32_t off)
{
	uint32_t len = mtk_get_le32(img + off + 0x20);

	mtk_sha1(img + off, len - 0x20, img + off + len - 0x20);
}

static void test_demo_healthy(void **state)
{
	static const uint32_t sizes[] = {4 * MIB, 8 * MIB, 16 * MIB};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		size_t len;
		uint8_t *img = demo(sizes[i], &len);
		struct result *r = run(img, len, NULL);

		print_failures(r);
		assert_int_equal(r->fs.fail, 0);
		assert_int_equal(r->fs.warn, 0);
		assert_int_equal(r->fs.health, 100);
		assert_true(r->fs.kit_safe);
		/* one line per check, per image for gfh and sha1 */
		assert_int_equal(r->fs.n, 16 + 4 + 2 - 2);
		assert_int_equal(find(r, "sds_region")->sev, FW_SEV_OK);
		if (sizes[i] == 16 * MIB)
			assert_non_null(strstr(find(r, "sds_region")->message, "SDS 0x00FFE000"));
		free(r);
		free(img);
	}
}

static void test_bootloader_flip(void **state)
{
	size_t len;
	uint8_t *img = demo(4 * MIB, &len);
	struct result *r;
	const struct fw_finding *f;

	(void)state;
	img[0x800 + 0x500] ^= 0x10;
	r = run(img, len, NULL);
	f = find(r, "sha1.BOOTLOADER");
	assert_int_equal(f->sev, FW_SEV_FAIL);
	assert_true(f->unsafe);
	assert_true(has_offset(f, 0x800));
	assert_true(has_offset(f, 0x800 + 0x1800 - 0x20));
	assert_non_null(strstr(f->message, "BOOTLOADER is damaged"));
	assert_false(r->fs.kit_safe);
	assert_int_equal(r->fs.fail, 1);
	assert_int_equal(find(r, "sha1.EXT_BOOTLOADER")->sev, FW_SEV_OK);
	free(r);

	img[0x800 + 0x500] ^= 0x10;
	img[0x3000 + 0x8000] ^= 0x01;
	r = run(img, len, NULL);
	assert_int_equal(find(r, "sha1.EXT_BOOTLOADER")->sev, FW_SEV_FAIL);
	assert_false(r->fs.kit_safe);
	free(r);
	free(img);
}

static void test_truncated(void **state)
{
	size_t len;
	uint8_t *img = demo(4 * MIB, &len);
	struct result *r = run(img, 0x40000, NULL);
	const struct fw_finding *f = find(r, "complete");

	(void)state;
	assert_int_equal(f->sev, FW_SEV_FAIL);
	assert_true(f->unsafe);
	assert_true(has_offset(f, 0x10000));
	assert_true(has_offset(f, 0x40000));
	assert_non_null(strstr(f->message, "ROM at 0x00010000 needs 0x60000 bytes up to "
					   "0x00070000 but the dump ends at 0x00040000"));
	assert_int_equal(find(r, "flash_size")->sev, FW_SEV_FAIL);
	assert_int_equal(find(r, "fat_region")->sev, FW_SEV_FAIL);
	assert_false(r->fs.kit_safe);
	free(r);
	free(img);
}

/* A dump cut at any length: no crash, no out-of-bounds read (ASan), and a cut inside an image
 * is always reported. */
static void test_every_cut(void **state)
{
	struct fwgen_fw_opts fo;
	struct fwgen_flash_opts flo = {.flash_size = 0x20000};
	uint8_t *img;
	size_t len;

	(void)state;
	fwgen_demo_options(4 * MIB, &fo);
	fo.bl_len = 0x400;
	fo.ext_bl_off = 0x1000;
	fo.ext_bl_len = 0x800;
	fo.rom_off = 0x2000;
	fo.rom_len = 0x1000;
	fo.viva_len = 0x400;
	fo.fat_off = 0x10000;
	fo.fat_len = 0x10000;
	fo.nparts = 1;
	memcpy(fo.part_ids[0], "\xEF\x40\x11", 3);
	assert_int_equal(fwimage_synth(&fo, &flo, &img, &len), 0);
	{
		struct result *r = run(img, len, NULL);

		print_failures(r);
		assert_int_equal(r->fs.fail, 0);
		free(r);
	}
	for (size_t cut = 0; cut < 0x4000; cut += (cut < 0x900 ? 1 : 7)) {
		/* a private copy of exactly cut bytes, so ASan sees any read past it */
		uint8_t *part = malloc(cut ? cut : 1);
		struct result *r;

		memcpy(part, img, cut);
		r = run(part, cut, NULL);
		if (cut > 0x800 && cut < 0x3800)
			assert_true(r->fs.fail > 0);
		static const uint32_t images[][2] = {
		    {0x800, 0xC00}, {0x1000, 0x1800}, {0x2000, 0x3000}, {0x3400, 0x3800}};
		for (int k = 0; k < 4; k++)
			if (cut >= images[k][0] + 0x38 && cut < images[k][1]) {
				const struct fw_finding *f = find(r, "complete");

				assert_int_equal(f->sev, FW_SEV_FAIL);
				assert_true(has_offset(f, images[k][0]));
			}
		free(r);
		free(part);
	}
	free(img);
}

static void test_no_header_block(void **state)
{
	size_t len;
	uint8_t *img = demo(4 * MIB, &len);
	struct result *r;
	const struct fw_finding *f;

	(void)state;
	memset(img, 0xFF, 0x800);
	r = run(img, len, NULL);
	f = find(r, "header_block");
	assert_int_equal(f->sev, FW_SEV_FAIL);
	assert_false(f->unsafe); /* the flash tool writes a new one: the kit is fine */
	assert_true(r->fs.kit_safe);
	assert_non_null(strstr(f->message, "no SF_BOOT"));
	assert_int_equal(find(r, "sha1.BOOTLOADER")->sev, FW_SEV_OK);
	free(r);
	free(img);
}

static void test_header_block_mismatch(void **state)
{
	size_t len;
	uint8_t *img = demo(4 * MIB, &len);
	struct result *r;
	const struct fw_finding *f;

	(void)state;
	/* descriptor 1 (EXT_BOOTLOADER) boundary cut short */
	mtk_put_le32(img + 0x200 + 20 + 20 + 12, 0x3000 + 0x100);
	r = run(img, len, NULL);
	f = find(r, "header_block");
	assert_int_equal(f->sev, FW_SEV_FAIL);
	assert_non_null(strstr(f->message, "boundary 0x00003100 cuts EXT_BOOTLOADER"));
	free(r);
	/* descriptor 0 pointing to nothing */
	mtk_put_le32(img + 0x200 + 20 + 12, 0x3000 + 0x9000);
	mtk_put_le32(img + 0x200 + 20 + 8, 0x900);
	r = run(img, len, NULL);
	f = find(r, "header_block");
	assert_non_null(strstr(f->message, "points to 0x00000900 where no image starts"));
	free(r);
	free(img);
}

static void test_mirrored(void **state)
{
	struct fwgen_fw_opts fo;
	struct fwgen_flash_opts flo = {.flash_size = 4 * MIB, .read_size = 16 * MIB};
	struct result *r;
	const struct fw_finding *f;
	uint8_t *img;
	size_t len;

	(void)state;
	fwgen_demo_options(4 * MIB, &fo);
	assert_int_equal(fwimage_synth(&fo, &flo, &img, &len), 0);
	r = run(img, len, NULL);
	f = find(r, "mirror");
	assert_int_equal(f->sev, FW_SEV_WARN);
	assert_true(has_offset(f, 4 * MIB));
	assert_non_null(strstr(f->message, "holds a 4 MiB flash 4 times"));
	assert_non_null(strstr(f->message, "0x00400000-0x00FFFFFF are aliases"));
	assert_int_equal(find(r, "flash_size")->sev, FW_SEV_OK);
	assert_int_equal(r->fs.fail, 0);
	assert_int_equal(r->fs.health, 100);
	free(r);

	/* the third copy read with two wrong bytes: an unreliable read, not a bigger chip */
	img[8 * MIB + 0x12345] ^= 0x04;
	img[8 * MIB + 0x20000] ^= 0x80;
	r = run(img, len, NULL);
	f = find(r, "mirror");
	assert_int_equal(f->sev, FW_SEV_FAIL);
	assert_true(f->unsafe);
	assert_true(has_offset(f, 8 * MIB + 0x12345));
	assert_true(has_offset(f, 0x12345));
	assert_non_null(strstr(f->message, "differ in 2 bytes, first at 0x00812345 against "
					   "0x00012345"));
	assert_int_equal(r->l.flash_size, 4 * MIB);
	assert_int_equal(r->l.nimages, 4);
	assert_false(r->fs.kit_safe);
	free(r);
	free(img);
}

static void test_viva(void **state)
{
	struct fwgen_fw_opts fo;
	struct fwgen_flash_opts flo = {.flash_size = 4 * MIB};
	struct result *r;
	uint8_t *img;
	size_t len;
	uint32_t viva;

	(void)state;
	fwgen_demo_options(4 * MIB, &fo);
	fo.viva_gap = 0x1000;
	assert_int_equal(fwimage_synth(&fo, &flo, &img, &len), 0);
	r = run(img, len, NULL);
	assert_int_equal(find(r, "viva_position")->sev, FW_SEV_WARN);
	assert_non_null(strstr(find(r, "viva_position")->message, "0x00070400"));
	assert_int_equal(find(r, "viva_header")->sev, FW_SEV_OK);
	free(r);

	/* the ALICE dictionary pointer points past VIVA */
	viva = 0x70000 + 0x1000;
	mtk_put_le32(img + viva + 0x4C + 16, 0x10000000 + viva + 0x30000 + 0x10);
	r = run(img, len, NULL);
	assert_int_equal(find(r, "viva_header")->sev, FW_SEV_FAIL);
	assert_non_null(strstr(find(r, "viva_header")->message, "outside VIVA"));
	free(r);
	/* no ALICE at the address the header gives: not recognised, a warning */
	memset(img + viva + 0x4C, 0, 8);
	r = run(img, len, NULL);
	assert_int_equal(find(r, "viva_header")->sev, FW_SEV_WARN);
	free(r);
	free(img);
}

static void test_not_post_built(void **state)
{
	size_t len;
	uint8_t *img = demo(4 * MIB, &len);
	struct result *r;
	const struct fw_finding *f;

	(void)state;
	mtk_put_le32(img + 0x70400 + 0x20, 0xFFFFFFFF); /* VIVA file_len */
	r = run(img, len, NULL);
	f = find(r, "gfh.VIVA");
	assert_int_equal(f->sev, FW_SEV_FAIL);
	assert_true(f->unsafe);
	assert_non_null(strstr(f->message, "never post-built"));
	free(r);
	mtk_put_le32(img + 0x70400 + 0x20, 0x30000);
	mtk_put_le32(img + 0x70400 + 0x34, 2); /* attr without POST_BUILD_DONE */
	r = run(img, len, NULL);
	assert_non_null(strstr(find(r, "gfh.VIVA")->message, "post-build-done"));
	free(r);
	free(img);
}

static void test_broken_chain(void **state)
{
	size_t len;
	uint8_t *img = demo(4 * MIB, &len);
	struct result *r;
	const struct fw_finding *f;

	(void)state;
	img[0x10000 + 0x38 + 4] = 0; /* MAUI_INFO size 0 */
	img[0x10000 + 0x38 + 5] = 0;
	r = run(img, len, NULL);
	f = find(r, "gfh.ROM");
	assert_int_equal(f->sev, FW_SEV_FAIL);
	assert_true(f->unsafe);
	assert_true(has_offset(f, 0x10038));
	assert_non_null(strstr(f->message, "GFH chain broken at +0x38 (0x00010038)"));
	assert_int_equal(find(r, "platform")->sev, FW_SEV_WARN);
	free(r);
	free(img);
}

static void test_cmem_tables(void **state)
{
	size_t len;
	uint8_t *img = demo(4 * MIB, &len);
	struct result *r;
	const struct fw_finding *f;
	uint32_t rom_ids = 0x10000 + 0x224, ext_ids;

	(void)state;
	r = run(img, len, NULL);
	ext_ids = (uint32_t)r->l.ext_ids.offset;
	assert_int_equal(r->l.rom_ids.offset, rom_ids);
	free(r);

	/* the ROM's count is 2^32-1: its table is rejected, EXT_BOOTLOADER's copy is used */
	mtk_put_le32(img + rom_ids + 12, 0xFFFFFFFF);
	r = run(img, len, NULL);
	f = find(r, "flash_ids");
	assert_int_equal(f->sev, FW_SEV_WARN);
	assert_non_null(strstr(f->message, "ROM has no CMEM_ID_INFO"));
	free(r);

	/* and the copy too: no list at all */
	mtk_put_le32(img + ext_ids + 12, 0xFFFFFFFF);
	resign(img, 0x3000);
	r = run(img, len, NULL);
	assert_int_equal(find(r, "flash_ids")->sev, FW_SEV_FAIL);
	assert_int_equal(find(r, "sha1.EXT_BOOTLOADER")->sev, FW_SEV_OK);
	free(r);

	/* lists that differ */
	mtk_put_le32(img + rom_ids + 12, 2);
	mtk_put_le32(img + ext_ids + 12, 2);
	img[ext_ids + 16 + 2] = 0x20;
	resign(img, 0x3000);
	r = run(img, len, NULL);
	f = find(r, "flash_ids");
	assert_int_equal(f->sev, FW_SEV_WARN);
	assert_non_null(strstr(f->message, "differs: 20 40 16, C8 40 17"));
	free(r);
	free(img);
}

static void test_device_id(void **state)
{
	size_t len;
	uint8_t *img = demo(4 * MIB, &len);
	struct fw_check_opts o = {.have_device_id = true, .device_id = {0xC8, 0x40, 0x16}};
	struct result *r;

	(void)state;
	r = run(img, len, &o);
	assert_int_equal(r->fs.fail + r->fs.warn, 0);
	free(r);
	memcpy(o.device_id, "\xAA\xBB\x16", 3);
	r = run(img, len, &o);
	assert_int_equal(find(r, "flash_ids")->sev, FW_SEV_WARN);
	assert_non_null(strstr(find(r, "flash_ids")->message, "AA BB 16) is not in the list"));
	free(r);
	memcpy(o.device_id, "\xC8\x40\x17", 3); /* an 8 MiB chip, but 4 MiB of data */
	r = run(img, len, &o);
	assert_int_equal(find(r, "flash_size")->sev, FW_SEV_FAIL);
	free(r);
	free(img);
}

static void test_flash_size(void **state)
{
	struct fwgen_fw_opts fo;
	struct fwgen_flash_opts flo = {.flash_size = 16 * MIB};
	struct result *r;
	uint8_t *img, *big;
	size_t len;

	(void)state;
	/* the 4/8 MiB firmware on a 16 MiB chip (no mirror): larger than any listed part */
	fwgen_demo_options(4 * MIB, &fo);
	assert_int_equal(fwimage_synth(&fo, &flo, &img, &len), 0);
	r = run(img, len, NULL);
	assert_int_equal(find(r, "flash_size")->sev, FW_SEV_WARN);
	assert_int_equal(r->fs.fail, 0);
	free(r);
	free(img);

	/* the 16 MiB firmware read as 8 MiB: the read stopped early */
	fwgen_demo_options(16 * MIB, &fo);
	flo.flash_size = 8 * MIB;
	assert_int_equal(fwimage_synth(&fo, &flo, &img, &len), 0);
	r = run(img, len, NULL);
	assert_int_equal(find(r, "flash_size")->sev, FW_SEV_FAIL);
	assert_non_null(strstr(find(r, "flash_size")->message, "the read stopped early"));
	assert_int_equal(find(r, "fat_region")->sev, FW_SEV_FAIL);
	free(r);
	free(img);

	/* bytes appended: not a power of two */
	img = demo(4 * MIB, &len);
	big = malloc(len + 512);
	memcpy(big, img, len);
	memset(big + len, 0, 512);
	r = run(big, len + 512, NULL);
	assert_int_equal(find(r, "flash_size")->sev, FW_SEV_FAIL);
	assert_non_null(strstr(find(r, "flash_size")->message, "not a power of two"));
	free(r);
	free(big);
	free(img);
}

static void test_overlap(void **state)
{
	size_t len;
	uint8_t *img = demo(4 * MIB, &len);
	struct result *r;
	const struct fw_finding *f;

	(void)state;
	mtk_put_le32(img + 0x10000 + 0x20, 0x60800); /* ROM claims to run into VIVA */
	r = run(img, len, NULL);
	f = find(r, "overlap");
	assert_int_equal(f->sev, FW_SEV_FAIL);
	assert_true(f->unsafe);
	assert_true(has_offset(f, 0x70400));
	assert_non_null(strstr(f->message, "ROM 0x00010000-0x00070800 overlaps VIVA"));
	free(r);
	free(img);
}

static void test_garbage(void **state)
{
	uint8_t *buf = malloc(2 * MIB);
	uint32_t s = 12345;
	struct result *r;

	(void)state;
	for (size_t i = 0; i < 2 * MIB; i++) {
		s ^= s << 13;
		s ^= s >> 17;
		s ^= s << 5;
		buf[i] = (uint8_t)s;
	}
	r = run(buf, 2 * MIB, NULL);
	assert_true(r->fs.fail > 0);
	assert_false(r->fs.kit_safe);
	assert_int_equal(find(r, "images")->sev, FW_SEV_FAIL);
	free(r);
	/* headers everywhere: FILE_INFO at every 64 bytes pointing to itself */
	memset(buf, 0xFF, 2 * MIB);
	for (uint32_t off = 0x800; off + 0x40 <= 2 * MIB; off += 0x40) {
		memcpy(buf + off, "MMM\x01\x38\x00\x00\x00", 8);
		memcpy(buf + off + 8, "FILE_INFO\0\0\0", 12);
		mtk_put_le32(buf + off + 0x1C, 0x10000000 + off);
		mtk_put_le32(buf + off + 0x20, 0xFFFFFFFF);
		mtk_put_le32(buf + off + 0x28, 0xFFFFFFFF);
	}
	r = run(buf, 2 * MIB, NULL);
	assert_true(r->l.too_many_images);
	assert_int_equal(find(r, "images")->sev, FW_SEV_FAIL);
	free(r);
	r = run(buf, 0, NULL);
	assert_int_equal(find(r, "dump")->sev, FW_SEV_FAIL);
	assert_non_null(strstr(find(r, "dump")->message, "empty"));
	free(r);
	memset(buf, 0xFF, 2 * MIB);
	r = run(buf, 2 * MIB, NULL);
	assert_non_null(strstr(find(r, "dump")->message, "all 2097152 bytes are 0xFF"));
	free(r);
	free(buf);
}

static void test_report_text(void **state)
{
	size_t len;
	uint8_t *img = demo(4 * MIB, &len);
	struct result *r = run(img, len, NULL);
	char *text = NULL;
	size_t tlen = 0;
	FILE *f = open_memstream(&text, &tlen);

	(void)state;
	report_text(&r->fs, f);
	fclose(f);
	assert_non_null(strstr(text, "dump: ok  4194304 bytes (4 MiB)\n"));
	assert_non_null(strstr(text, "rom_tail: ok  ROM ends with 00 44 4E 45 FF FF FF FF at "
				     "0x0006FFF8\n"));
	assert_non_null(strstr(text, "\nhealth: 100%\n"));
	free(text);
	free(r);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_demo_healthy),    cmocka_unit_test(test_bootloader_flip),
	    cmocka_unit_test(test_truncated),	    cmocka_unit_test(test_every_cut),
	    cmocka_unit_test(test_no_header_block), cmocka_unit_test(test_header_block_mismatch),
	    cmocka_unit_test(test_mirrored),	    cmocka_unit_test(test_viva),
	    cmocka_unit_test(test_not_post_built),  cmocka_unit_test(test_broken_chain),
	    cmocka_unit_test(test_cmem_tables),	    cmocka_unit_test(test_device_id),
	    cmocka_unit_test(test_flash_size),	    cmocka_unit_test(test_overlap),
	    cmocka_unit_test(test_garbage),	    cmocka_unit_test(test_report_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
