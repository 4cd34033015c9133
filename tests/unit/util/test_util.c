/* SPDX-License-Identifier: GPL-3.0-or-later */
/* json writer, atomic files, hashes, error mapping */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/hash.h"
#include "mtkbak/json.h"

static void test_json_compact(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jw w;

	(void)state;
	jw_init(&w, f, false);
	jw_obj_begin(&w);
	jw_kstr(&w, "a", "x\"y\n\x01");
	jw_key(&w, "b");
	jw_arr_begin(&w);
	jw_int(&w, -1);
	jw_uint(&w, 2);
	jw_bool(&w, true);
	jw_null(&w);
	jw_arr_end(&w);
	jw_khex(&w, "off", 0x20000, 8);
	jw_key(&w, "e");
	jw_obj_begin(&w);
	jw_obj_end(&w);
	jw_obj_end(&w);
	fclose(f);
	assert_string_equal(buf, "{\"a\":\"x\\\"y\\n\\u0001\",\"b\":[-1,2,true,null],"
				 "\"off\":\"0x00020000\",\"e\":{}}");
	free(buf);
}

static void test_sha(void **state)
{
	uint8_t d[32];
	char hex[65];

	(void)state;
	mtk_sha1("abc", 3, d);
	mtk_hex(d, 20, hex);
	assert_string_equal(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
	struct mtk_sha256_ctx c;
	mtk_sha256_init(&c);
	mtk_sha256_update(&c, "a", 1);
	mtk_sha256_update(&c, "bc", 2);
	mtk_sha256_final(&c, d);
	mtk_hex(d, 32, hex);
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_atomic(void **state)
{
	char dir[] = "/tmp/mtkbak-utilXXXXXX";
	char path[MTK_PATH_MAX], part[MTK_PATH_MAX + 8];
	uint8_t *buf;
	size_t len;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(path_join(path, dir, "f.bin"), 0);
	assert_int_equal(atomic_write_file(path, "hello", 5, false), 0);
	assert_int_equal(atomic_write_file(path, "again", 5, false), mtk_output_err(-EEXIST));
	assert_int_equal(read_whole_file(path, &buf, &len, 100), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(buf, "hello", 5);
	free(buf);
	assert_int_equal(read_whole_file(path, &buf, &len, 3), mtk_input_err(-EFBIG));
	assert_int_equal(atomic_write_file(path, "again", 5, true), 0);
	snprintf(part, sizeof(part), "%s.part", path);
	assert_int_not_equal(stat(part, &st), 0);
	assert_int_equal(dir_nonempty(dir), 1);
	assert_int_equal(rm_rf(dir), 0);
	assert_int_equal(dir_nonempty(dir), 0);
}

static void test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(mtk_exit_code(0), 0);
	assert_int_equal(mtk_exit_code(-ENODEV), 69);
	assert_int_equal(mtk_exit_code(-EACCES), 77);
	assert_int_equal(mtk_exit_code(-ETIMEDOUT), 75);
	assert_int_equal(mtk_exit_code(-EIO), 74);
	assert_int_equal(mtk_exit_code(-EBADMSG), 1);
	assert_int_equal(mtk_exit_code(-MTK_EAMBIGUOUS), 2);
	assert_non_null(strstr(mtk_strerror(-EACCES), "permission"));
	assert_int_equal(mtk_exit_code(-MTK_EDATA), 65);
	assert_int_equal(mtk_exit_code(-ENOENT), 66);
	assert_int_equal(mtk_exit_code(-EEXIST), 73);
}

/* A file error keeps its tag through the layers and maps by sysexits, not by the device's
 * meaning of the same errno. */
static void test_file_errors(void **state)
{
	(void)state;
	assert_int_equal(mtk_exit_code(mtk_output_err(-EACCES)), 73); /* not 77 (udev) */
	assert_int_equal(mtk_exit_code(mtk_output_err(-EROFS)), 73);
	assert_int_equal(mtk_exit_code(mtk_output_err(-ENOENT)), 73);
	assert_int_equal(mtk_exit_code(mtk_output_err(-EEXIST)), 73);
	assert_int_equal(mtk_exit_code(mtk_output_err(-ENOSPC)), 74);
	assert_int_equal(mtk_exit_code(mtk_output_err(-EDQUOT)), 74);
	assert_int_equal(mtk_exit_code(mtk_output_err(-EIO)), 74);
	assert_int_equal(mtk_exit_code(mtk_input_err(-ENOENT)), 66);
	assert_int_equal(mtk_exit_code(mtk_input_err(-EACCES)), 66);
	assert_int_equal(mtk_exit_code(mtk_input_err(-EIO)), 74);
	assert_int_equal(mtk_exit_code(mtk_input_err(-EFBIG)), 65);
	/* EPERM on a file is not "refused by a secure part" */
	assert_string_equal(mtk_strerror(mtk_output_err(-EPERM)), "permission denied");
	assert_string_equal(mtk_strerror(-EPERM), "refused by a secure part");
	assert_string_equal(mtk_strerror(mtk_output_err(-ENOSPC)), "no space left on the disk");
	/* tags: set once, stripped by mtk_errno, never on codes that are not file errors */
	assert_int_equal(mtk_errno(mtk_output_err(-EEXIST)), -EEXIST);
	assert_int_equal(mtk_output_err(mtk_input_err(-ENOENT)), mtk_input_err(-ENOENT));
	assert_int_equal(mtk_file_kind(mtk_output_err(-EIO)), MTK_EFILE_OUT);
	assert_int_equal(mtk_file_kind(-EIO), 0);
	assert_int_equal(mtk_output_err(-ENOMEM), -ENOMEM);
	assert_int_equal(mtk_output_err(-EINTR), -EINTR);
	assert_int_equal(mtk_output_err(0), 0);
	assert_int_equal(mtk_input_err(5), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_compact), cmocka_unit_test(test_sha),
	    cmocka_unit_test(test_atomic),	 cmocka_unit_test(test_exit_codes),
	    cmocka_unit_test(test_file_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
