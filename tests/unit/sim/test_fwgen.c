/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The generator: demo images for every size, deterministic, consistent with the demo watch's
 * JEDEC ID, and fwgen_flash's refusal of impossible layouts. */
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

static void test_demo_sizes(void **state)
{
	static const uint32_t sizes[] = {4 * MIB, 8 * MIB, 16 * MIB};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		uint8_t *a, *b, id[3];
		size_t la, lb;
		struct fw_layout *l = calloc(1, sizeof(*l));
		bool listed = false;

		assert_int_equal(fwgen_demo(sizes[i], &a, &la), 0);
		assert_int_equal(fwgen_demo(sizes[i], &b, &lb), 0);
		assert_int_equal(la, sizes[i]);
		assert_int_equal(lb, la);
		assert_memory_equal(a, b, la); /* deterministic */
		assert_int_equal(fwgen_demo_jedec(sizes[i], id), 0);
		assert_int_equal(1u << id[2], sizes[i]);
		assert_int_equal(layout_scan(a, la, l, NULL), 0);
		for (uint32_t k = 0; k < l->rom_ids.count; k++)
			listed |= memcmp(l->rom_ids.e[k].id, id, 3) == 0;
		assert_true(listed); /* the demo watch's chip is in its firmware's list */
		assert_int_equal(l->rom_ids.count, 2);
		assert_memory_equal(a, "SF_BOOT", 7);
		free(l);
		free(a);
		free(b);
	}
	uint8_t *img = (uint8_t *)1;
	size_t len = 1;
	assert_int_equal(fwgen_demo(2 * MIB, &img, &len), -EINVAL);
	assert_null(img);
	assert_int_equal(len, 0);
	uint8_t id[3];
	assert_int_equal(fwgen_demo_jedec(32 * MIB, id), -EINVAL);
}

static void test_flash_refusals(void **state)
{
	struct fwgen_fw_opts fo;
	struct fw_blob files[FWGEN_MAX_FILES];
	struct fwgen_flash_opts flo = {.flash_size = 4 * MIB};
	uint8_t *img;
	size_t len;
	int n;

	(void)state;
	fwgen_demo_options(4 * MIB, &fo);
	assert_int_equal(fwgen_firmware(&fo, files, &n), 0);
	assert_int_equal(n, 4);
	/* does not fit a 256 KiB chip */
	flo.flash_size = 0x40000;
	assert_int_equal(fwgen_flash(files, n, &flo, &img, &len), -ENOSPC);
	/* not a power of two, read size not a multiple */
	flo.flash_size = 3 * MIB;
	assert_int_equal(fwgen_flash(files, n, &flo, &img, &len), -EINVAL);
	flo.flash_size = 4 * MIB;
	flo.read_size = 6 * MIB;
	assert_int_equal(fwgen_flash(files, n, &flo, &img, &len), -EINVAL);
	flo.read_size = 0;
	/* the same image twice overlaps */
	struct fw_blob viva = files[3];
	files[3] = files[2];
	assert_int_equal(fwgen_flash(files, n, &flo, &img, &len), -EINVAL);
	files[3] = viva;
	/* a blob that is not a GFH image */
	uint8_t junk[64] = {0};
	struct fw_blob bad = {junk, sizeof(junk)};
	assert_int_equal(fwgen_flash(&bad, 1, &flo, &img, &len), -EINVAL);
	fwgen_blobs_free(files, n);

	/* inconsistent firmware options */
	fwgen_demo_options(4 * MIB, &fo);
	fo.rom_len = 0x1001;
	assert_int_equal(fwgen_firmware(&fo, files, &n), -EINVAL);
	fwgen_demo_options(4 * MIB, &fo);
	fo.part_ids[0][2] = 0x40;
	assert_int_equal(fwgen_firmware(&fo, files, &n), -EINVAL);
	struct fw_blob b;
	assert_int_equal(fwgen_viva(0x1000, 0x10, 1, &b), -EINVAL);
	assert_int_equal(fwgen_xip_image(0x0103, 0x1002, 0x1000, 1, &b), -EINVAL);
}

static void test_fat_and_mirror(void **state)
{
	struct fwgen_fw_opts fo;
	struct fwgen_flash_opts flo = {.flash_size = 4 * MIB, .read_size = 16 * MIB};
	uint8_t *img;
	size_t len;

	(void)state;
	fwgen_demo_options(4 * MIB, &fo);
	assert_int_equal(fwimage_synth(&fo, &flo, &img, &len), 0);
	assert_int_equal(len, 16 * MIB);
	for (int k = 1; k < 4; k++)
		assert_memory_equal(img, img + k * 4 * MIB, 4 * MIB);
	/* NVRAM-like records at the start of the file system, erased after */
	assert_memory_equal(img + 0x300000, "MTKFDM", 6);
	bool nvram = false;
	for (size_t i = 0; i + 9 < 0x1000 && !nvram; i++)
		nvram = memcmp(img + 0x300000 + i, "Z:\\NVRAM\\", 9) == 0;
	assert_true(nvram);
	assert_int_equal(img[0x3FFFFF], 0xFF);
	/* erased gaps */
	assert_int_equal(img[0x2000], 0xFF);
	assert_int_equal(img[0x70000 + 0x100], 0xFF);
	free(img);

	flo.read_size = 0;
	flo.no_fat_data = true;
	assert_int_equal(fwimage_synth(&fo, &flo, &img, &len), 0);
	assert_int_equal(img[0x300000], 0xFF);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_demo_sizes),
	    cmocka_unit_test(test_flash_refusals),
	    cmocka_unit_test(test_fat_and_mirror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
