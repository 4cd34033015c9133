/* SPDX-License-Identifier: GPL-3.0-or-later */
/* kit_write: byte-exact files, SHA256SUMS, atomic temp-folder writes, refusal of non-empty
 * folders and unsafe dumps, --force (damaged), and in-place writes for pull. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fwimage.h"
#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/fwgen.h"
#include "mtkbak/hash.h"
#include "mtkbak/kit.h"

#define MIB (1u << 20)

struct fixture {
	char base[64];
	uint8_t *img;
	size_t len;
	struct fw_layout l;
	struct fw_findings fs;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	snprintf(fx->base, sizeof(fx->base), "/tmp/mtkbak-test-kit-XXXXXX");
	if (!mkdtemp(fx->base))
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	rm_rf(fx->base);
	free(fx->img);
	free(fx);
	return 0;
}

static void load(struct fixture *fx, uint8_t *img, size_t len)
{
	free(fx->img);
	fx->img = img;
	fx->len = len;
	assert_int_equal(layout_scan(img, len, &fx->l, NULL), 0);
	layout_check(&fx->l, NULL, &fx->fs);
}

static void load_demo(struct fixture *fx, uint32_t size)
{
	uint8_t *img;
	size_t len;

	assert_int_equal(fwgen_demo(size, &img, &len), 0);
	load(fx, img, len);
}

static void path(char *out, const char *a, const char *b)
{
	assert_int_equal(path_join(out, a, b), 0);
}

static void read_file(const char *dir, const char *name, uint8_t **buf, size_t *len)
{
	char p[MTK_PATH_MAX];

	path(p, dir, name);
	assert_int_equal(read_whole_file(p, buf, len, 64u * MIB), 0);
}

/* Every entry of the folder, NUL-separated in one string, sorted by readdir order. */
static int count_entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    !strncmp(e->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

static void assert_slice(const char *dir, const char *name, const uint8_t *want, size_t len)
{
	uint8_t *buf;
	size_t blen;

	read_file(dir, name, &buf, &blen);
	assert_int_equal(blen, len);
	assert_memory_equal(buf, want, len);
	free(buf);
}

/* SHA256SUMS lists every other file with its correct hash. */
static void assert_sums(const char *dir, int expect_lines)
{
	uint8_t *sums;
	size_t len;
	int lines = 0;
	char *save = NULL;

	read_file(dir, "SHA256SUMS", &sums, &len);
	sums = realloc(sums, len + 1);
	sums[len] = '\0';
	for (char *line = strtok_r((char *)sums, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char hex[65], *name = line + 66;
		uint8_t *buf, d[32];
		size_t blen;

		assert_true(strlen(line) > 66);
		assert_memory_equal(line + 64, "  ", 2);
		read_file(dir, name, &buf, &blen);
		mtk_sha256(buf, blen, d);
		mtk_hex(d, 32, hex);
		assert_memory_equal(line, hex, 64);
		free(buf);
		lines++;
	}
	assert_int_equal(lines, expect_lines);
	free(sums);
}

static void test_write_demo16(void **state)
{
	struct fixture *fx = *state;
	struct kit_opts o = {.dump_name = "demo16.bin"};
	struct kit_result res;
	char dir[MTK_PATH_MAX];
	uint8_t *buf;
	size_t len;

	load_demo(fx, 16 * MIB);
	path(dir, fx->base, "kit");
	assert_int_equal(kit_write(&fx->l, &fx->fs, dir, &o, &res), 0);
	assert_false(res.damaged);
	assert_slice(dir, "BOOTLOADER", fx->img + 0x800, 0x1800);
	assert_slice(dir, "EXT_BOOTLOADER", fx->img + 0x3000, 0x9000);
	assert_slice(dir, "ROM", fx->img + 0x10000, 0x60000);
	assert_slice(dir, "VIVA", fx->img + 0x70400, 0x30000);
	assert_slice(dir, "FAT.bin", fx->img + 0x500000, 0xAFE000);
	assert_slice(dir, "SDS.bin", fx->img + 0xFFE000, 0x2000);
	/* 6 data files + cfg + report.txt + report.json */
	assert_sums(dir, 9);
	assert_int_equal(res.n, 10);
	assert_string_equal(res.files[6].name, "MT6261.cfg");
	assert_string_equal(res.files[9].name, "SHA256SUMS");
	assert_int_equal(count_entries(dir, ""), 10);
	/* nothing left next to it: no temporary folder, no .part */
	assert_int_equal(count_entries(fx->base, ""), 1);

	read_file(dir, "report.txt", &buf, &len);
	buf = realloc(buf, len + 1);
	buf[len] = '\0';
	assert_non_null(strstr((char *)buf, "mtkbak " MTKBAK_VERSION
					    " report for demo16.bin (16777216 bytes)\n"));
	assert_non_null(strstr((char *)buf, "\nhealth: 100%\n"));
	assert_null(strstr((char *)buf, "DAMAGED"));
	free(buf);
	read_file(dir, "report.json", &buf, &len);
	buf = realloc(buf, len + 1);
	buf[len] = '\0';
	assert_non_null(strstr((char *)buf, "\"health\": 100"));
	assert_non_null(strstr((char *)buf, "\"name\": \"MT6261.cfg\""));
	assert_non_null(strstr((char *)buf, "\"damaged\": false"));
	free(buf);
}

static void test_refuse_and_force(void **state)
{
	struct fixture *fx = *state;
	struct kit_opts o = {0};
	char dir[MTK_PATH_MAX], old[MTK_PATH_MAX];
	struct stat st;

	load_demo(fx, 4 * MIB);
	path(dir, fx->base, "kit");
	assert_int_equal(mkdir(dir, 0755), 0);
	/* an empty folder is fine */
	assert_int_equal(kit_write(&fx->l, &fx->fs, dir, &o, NULL), 0);
	assert_int_equal(stat(dir, &st), 0);
	/* not empty: refused, untouched */
	path(old, dir, "mine.txt");
	assert_int_equal(atomic_write_file(old, "x", 1, false), 0);
	assert_int_equal(kit_write(&fx->l, &fx->fs, dir, &o, NULL), mtk_output_err(-EEXIST));
	assert_int_equal(stat(old, &st), 0);
	/* --force replaces the folder */
	o.force = true;
	assert_int_equal(kit_write(&fx->l, &fx->fs, dir, &o, NULL), 0);
	assert_int_not_equal(stat(old, &st), 0);
	assert_sums(dir, 8); /* 4 images, FAT, cfg, 2 reports */
	assert_int_equal(count_entries(fx->base, ""), 1);
	/* a file where the folder should be */
	path(old, fx->base, "file");
	assert_int_equal(atomic_write_file(old, "x", 1, false), 0);
	assert_int_equal(kit_write(&fx->l, &fx->fs, old, &o, NULL), mtk_output_err(-ENOTDIR));
	assert_int_equal(kit_write(&fx->l, &fx->fs, "", &o, NULL), -EINVAL);
	o.platform = "MT/6261";
	assert_int_equal(kit_write(&fx->l, &fx->fs, dir, &o, NULL), -EINVAL);
}

static void test_unsafe(void **state)
{
	struct fixture *fx = *state;
	struct kit_opts o = {0};
	struct kit_result res;
	char dir[MTK_PATH_MAX];
	uint8_t *buf;
	size_t len;
	struct stat st;

	assert_int_equal(fwgen_demo(4 * MIB, &buf, &len), 0);
	buf[0x900] ^= 1; /* BOOTLOADER damaged */
	load(fx, buf, len);
	assert_false(fx->fs.kit_safe);
	path(dir, fx->base, "kit");
	assert_int_equal(kit_write(&fx->l, &fx->fs, dir, &o, &res), -EBADMSG);
	assert_int_not_equal(stat(dir, &st), 0);
	assert_int_equal(count_entries(fx->base, ""), 0);

	o.force = true;
	assert_int_equal(kit_write(&fx->l, &fx->fs, dir, &o, &res), 0);
	assert_true(res.damaged);
	read_file(dir, "report.txt", &buf, &len);
	buf = realloc(buf, len + 1);
	buf[len] = '\0';
	assert_non_null(strstr((char *)buf, "DAMAGED: this kit was written with --force although "
					    "these checks failed: sha1.BOOTLOADER."));
	free(buf);
	read_file(dir, "MT6261.cfg", &buf, &len);
	assert_memory_equal(buf, "# mtkbak: built with --force from a DAMAGED dump", 48);
	free(buf);
	read_file(dir, "report.json", &buf, &len);
	buf = realloc(buf, len + 1);
	buf[len] = '\0';
	assert_non_null(strstr((char *)buf, "\"damaged\": true"));
	free(buf);
}

static void test_in_place(void **state)
{
	struct fixture *fx = *state;
	static const char *const extra[] = {"readback.bin"};
	struct kit_opts o = {.in_place = true, .extra_files = extra, .n_extra = 1};
	char dir[MTK_PATH_MAX], rb[MTK_PATH_MAX];
	uint8_t *buf;
	size_t len;

	load_demo(fx, 4 * MIB);
	path(dir, fx->base, "pull");
	assert_int_equal(mkdir(dir, 0755), 0);
	path(rb, dir, "readback.bin");
	assert_int_equal(atomic_write_file(rb, fx->img, fx->len, false), 0);
	assert_int_equal(kit_write(&fx->l, &fx->fs, dir, &o, NULL), 0);
	assert_sums(dir, 9); /* kit (8) + readback.bin */
	read_file(dir, "readback.bin", &buf, &len);
	assert_int_equal(len, fx->len);
	free(buf);
	/* running it again overwrites the kit files in place */
	assert_int_equal(kit_write(&fx->l, &fx->fs, dir, &o, NULL), 0);
	assert_int_equal(count_entries(dir, ""), 10);
	assert_int_equal(count_entries(dir, "."), 0);
}

static void test_mirrored_trim(void **state)
{
	struct fixture *fx = *state;
	struct fwgen_fw_opts fo;
	struct fwgen_flash_opts flo = {.flash_size = 4 * MIB, .read_size = 16 * MIB};
	char dir[MTK_PATH_MAX];
	uint8_t *img;
	size_t len;

	fwgen_demo_options(4 * MIB, &fo);
	assert_int_equal(fwimage_synth(&fo, &flo, &img, &len), 0);
	load(fx, img, len);
	path(dir, fx->base, "kit");
	assert_int_equal(kit_write(&fx->l, &fx->fs, dir, NULL, NULL), 0);
	assert_slice(dir, "FAT.bin", img + 0x300000, 0x100000);
	assert_slice(dir, "ROM", img + 0x10000, 0x60000);
	assert_sums(dir, 8);
}

static const struct fw_finding *finding(const struct fw_checked *c, const char *name)
{
	for (int i = 0; i < c->findings.n; i++)
		if (!strcmp(c->findings.f[i].name, name))
			return &c->findings.f[i];
	return NULL;
}

static void test_check_kit_dir(void **state)
{
	struct fixture *fx = *state;
	struct fw_checked *c;
	char dir[MTK_PATH_MAX], p[MTK_PATH_MAX];
	uint8_t *buf;
	size_t len;

	load_demo(fx, 4 * MIB);
	path(dir, fx->base, "kit");
	assert_int_equal(kit_write(&fx->l, &fx->fs, dir, NULL, NULL), 0);
	assert_int_equal(kit_check_dir(dir, NULL, &c), 0);
	for (int i = 0; i < c->findings.n; i++)
		if (c->findings.f[i].sev != FW_SEV_OK)
			print_message("%s: %s\n", c->findings.f[i].name, c->findings.f[i].message);
	assert_int_equal(c->findings.health, 100);
	assert_string_equal(c->findings.f[0].name, "kit_files");
	assert_string_equal(c->findings.f[1].name, "sha256sums");
	assert_string_equal(c->findings.f[2].name, "cfg");
	assert_null(finding(c, "header_block"));
	assert_null(finding(c, "mirror"));
	/* the placed image is the original flash apart from the header block and erased FAT */
	assert_int_equal(c->layout.flash_size, 4 * MIB);
	assert_memory_equal(c->dump.data + 0x800, fx->img + 0x800, 0x300000 - 0x800);
	assert_memory_equal(c->dump.data + 0x300000, fx->img + 0x300000, 0x100000);
	fw_checked_free(c);

	/* a cfg whose flash IDs differ from the firmware's */
	read_file(dir, "MT6261.cfg", &buf, &len);
	buf = realloc(buf, len + 1);
	buf[len] = '\0';
	char *id = strstr((char *)buf, "0xC8, 0x40, 0x17");
	assert_non_null(id);
	memcpy(id, "0xC8, 0x40, 0x18", 16);
	path(p, dir, "MT6261.cfg");
	assert_int_equal(atomic_write_file(p, buf, len, true), 0);
	free(buf);
	path(p, dir, "BOOTLOADER");
	assert_int_equal(remove(p), 0);
	assert_int_equal(kit_check_dir(dir, NULL, &c), 0);
	assert_int_equal(finding(c, "cfg")->sev, FW_SEV_FAIL);
	assert_non_null(strstr(finding(c, "cfg")->message, "lists BOOTLOADER, which is missing"));
	assert_non_null(strstr(finding(c, "cfg")->message, "flash_info entries differ"));
	assert_int_equal(finding(c, "sha256sums")->sev, FW_SEV_FAIL);
	assert_int_equal(finding(c, "images")->sev, FW_SEV_FAIL);
	assert_false(c->findings.kit_safe);
	fw_checked_free(c);

	/* an empty folder, a missing one */
	path(p, fx->base, "empty");
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(kit_check_dir(p, NULL, &c), 0);
	assert_int_equal(c->findings.f[0].sev, FW_SEV_FAIL);
	assert_true(c->findings.health < 100);
	fw_checked_free(c);
	path(p, fx->base, "missing");
	assert_int_equal(kit_check_dir(p, NULL, &c), -ENOENT);
	assert_null(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_write_demo16, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refuse_and_force, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unsafe, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_in_place, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mirrored_trim, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check_kit_dir, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
