/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The real MT6260A kit from the corpus: its files parse with the documented GFH chains, a
 * 16 MiB flash built from it (header block, ARM_BL at 0x800, XIP images at their load
 * addresses, a constructed VIVA, NVRAM in FLASH_INFO's FAT region) scans and checks clean,
 * and the kit written from it gives back the real files byte for byte and a cfg equal to the
 * real mtk_config.cfg apart from the file paths. Skips (77) without the corpus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwimage.h"
#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/extract.h"
#include "mtkbak/kit.h"

#define MIB (1u << 20)

/* The real bootloaders in the corpus parse, walk and carry the documented chains. */
static void test_corpus_files(void **state)
{
	static const struct {
		const char *path;
		uint16_t type;
		int blocks;
		uint32_t content;
	} files[] = {
	    {"mt6260a-kids-phone/INT_BOOTLOADER", GFH_FT_ARM_BL, 6, 0x1BC},
	    {"mt6260a-kids-phone/EXT_BOOTLOADER", GFH_FT_ARM_EXT_BL, 3, 0x60},
	    {"mt6260a-kids-phone/MAUI", GFH_FT_PRIMARY_MAUI, 7, 0x368},
	    {"dz09-mt6261/BOOTLOADER", GFH_FT_ARM_BL, 6, 0x140},
	};
	char dir[MTK_PATH_MAX];

	(void)state;
	assert_non_null(fwimage_corpus_dir("", dir, sizeof(dir)));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[MTK_PATH_MAX];
		struct gfh_file_info fi;
		struct gfh_chain c;
		uint8_t *buf;
		size_t len;

		assert_int_equal(path_join(path, dir, files[i].path), 0);
		assert_int_equal(read_whole_file(path, &buf, &len, 1u << 24), 0);
		assert_int_equal(gfh_file_info_parse(buf, len, &fi), 0);
		assert_int_equal(fi.file_type, files[i].type);
		assert_int_equal(fi.file_len, len);
		assert_int_equal(fi.content_offset, files[i].content);
		assert_int_equal(gfh_chain_walk(buf, len, fi.content_offset, &c), 0);
		assert_int_equal(c.n, files[i].blocks);
		if (files[i].type == GFH_FT_PRIMARY_MAUI) {
			const struct gfh_block_ref *b = gfh_chain_find(&c, GFH_BLK_CMEM_ID_INFO);
			struct fw_cmem_ids ids;

			assert_non_null(b);
			assert_int_equal(gfh_cmem_ids_parse(buf + b->off, b->size, &ids), 0);
			assert_int_equal(ids.count, 2);
			assert_memory_equal(ids.e[1].id, "\xC8\x60\x18", 3);
		}
		free(buf);
	}
}

static char kit_dir[MTK_PATH_MAX];

static uint8_t *slurp(const char *dir, const char *name, size_t *len)
{
	char p[MTK_PATH_MAX];
	uint8_t *buf;

	assert_int_equal(path_join(p, dir, name), 0);
	assert_int_equal(read_whole_file(p, &buf, len, 64u * MIB), 0);
	return buf;
}

/* Drops the `- file:` lines (the real cfg points into its own folder and lists VIVA twice). */
static void strip_file_lines(char *s)
{
	char *out = s;

	for (char *line = s; *line;) {
		char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line + 1) : strlen(line);

		if (!strstr(line, "- file: ") || (nl && strstr(line, "- file: ") > nl)) {
			memmove(out, line, n);
			out += n;
		}
		line += n;
	}
	*out = '\0';
}

static void test_corpus_kit_roundtrip(void **state)
{
	static const char *const pairs[][2] = {
	    {"INT_BOOTLOADER", "BOOTLOADER"},
	    {"EXT_BOOTLOADER", "EXT_BOOTLOADER"},
	    {"MAUI", "ROM"},
	};
	struct fwimage_kit_opts ko = {.flash_size = 16 * MIB};
	struct fw_layout *l = calloc(1, sizeof(*l));
	struct fw_findings *fs = calloc(1, sizeof(*fs));
	char base[] = "/tmp/mtkbak-test-corpus-XXXXXX", out[MTK_PATH_MAX];
	uint8_t *img, *a, *b;
	size_t len, la, lb;

	(void)state;
	assert_int_equal(fwimage_from_kit(kit_dir, &ko, &img, &len), 0);
	assert_int_equal(len, 16 * MIB);
	assert_int_equal(layout_scan(img, len, l, NULL), 0);
	layout_check(l, NULL, fs);
	for (int i = 0; i < fs->n; i++)
		if (fs->f[i].sev != FW_SEV_OK)
			print_message("%s: %s\n", fs->f[i].name, fs->f[i].message);
	assert_int_equal(fs->fail + fs->warn, 0);
	assert_int_equal(l->img[l->bl].offset, 0x800);
	assert_int_equal(l->img[l->ext_bl].offset, 0x4400);
	assert_int_equal(l->img[l->rom].offset, 0x10000);
	assert_int_equal(l->img[l->viva].offset, 0x10000 + 0x13B2CC + 0x400);
	assert_int_equal(l->fat.offset, 0xD00000);
	assert_int_equal(l->fat.length, 0x300000);
	assert_string_equal(l->platform, "MT6260A");

	assert_non_null(mkdtemp(base));
	assert_int_equal(path_join(out, base, "kit"), 0);
	assert_int_equal(kit_write(l, fs, out, NULL, NULL), 0);
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		a = slurp(kit_dir, pairs[i][0], &la);
		b = slurp(out, pairs[i][1], &lb);
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, la);
		free(a);
		free(b);
	}
	a = slurp(kit_dir, "mtk_config.cfg", &la);
	b = slurp(out, "MT6260A.cfg", &lb);
	a = realloc(a, la + 1);
	b = realloc(b, lb + 1);
	a[la] = b[lb] = '\0';
	assert_non_null(strstr((char *)b, "    - file: BOOTLOADER\n    - file: EXT_BOOTLOADER\n"));
	assert_non_null(strstr((char *)b, "    - file: ROM\n    - file: VIVA\n \n"));
	strip_file_lines((char *)a);
	strip_file_lines((char *)b);
	assert_string_equal((char *)a, (char *)b);
	free(a);
	free(b);
	rm_rf(base);
	free(img);
	free(l);
	free(fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus_files),
	    cmocka_unit_test(test_corpus_kit_roundtrip),
	};

	if (!fwimage_corpus_dir("mt6260a-kids-phone", kit_dir, sizeof(kit_dir))) {
		printf("skip: the corpus (MTKBAK_CORPUS/mt6260a-kids-phone) is not here\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
