/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Path splitting in both styles (POSIX and Windows: '\', "C:\kit", "C:kit", UNC), joining,
 * untrusted names, replacing rename, and the GetLastError() table. The Windows rules run here
 * on Linux through the _style variants; the Wine suite runs the real .exe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/win32.h"

struct split_case {
	const char *path, *parent, *base;
};

static void check_split(const struct split_case *c, size_t n, bool win)
{
	for (size_t i = 0; i < n; i++) {
		char parent[MTK_PATH_MAX], base[MTK_PATH_MAX];

		assert_int_equal(
		    path_split_style(c[i].path, win, parent, sizeof(parent), base, sizeof(base)),
		    0);
		if (strcmp(parent, c[i].parent) || strcmp(base, c[i].base))
			fail_msg("%s split '%s' into '%s' + '%s', expected '%s' + '%s'",
				 win ? "windows" : "posix", c[i].path, parent, base, c[i].parent,
				 c[i].base);
	}
}

static void test_split_posix(void **state)
{
	static const struct split_case c[] = {
	    {"kit", ".", "kit"},
	    {"kit/", ".", "kit"},
	    {"a/kit", "a", "kit"},
	    {"a//kit//", "a", "kit"},
	    {"/kit", "/", "kit"},
	    {"/", "/", ""},
	    {"/a/b/c.bin", "/a/b", "c.bin"},
	    {"a\\b", ".", "a\\b"}, /* a backslash is part of a POSIX name */
	    {"C:kit", ".", "C:kit"},
	};

	(void)state;
	check_split(c, sizeof(c) / sizeof(c[0]), false);
}

static void test_split_windows(void **state)
{
	static const struct split_case c[] = {
	    {"kit", ".", "kit"},
	    {"C:\\kit", "C:\\", "kit"},
	    {"C:\\kit\\", "C:\\", "kit"},
	    {"C:/kit", "C:/", "kit"},
	    {"C:kit", "C:.", "kit"}, /* drive-relative: the current folder of drive C */
	    {"c:sub\\kit", "c:sub", "kit"},
	    {"C:\\a\\b\\readback.bin", "C:\\a\\b", "readback.bin"},
	    {"C:\\Users\\me/watch\\x", "C:\\Users\\me/watch", "x"},
	    {"a\\b", "a", "b"},
	    {"\\kit", "\\", "kit"},
	    {"\\\\server\\share\\kit", "\\\\server\\share\\", "kit"},
	    {"\\\\server\\share\\a\\kit", "\\\\server\\share\\a", "kit"},
	    {"C:\\", "C:\\", ""},
	};

	(void)state;
	check_split(c, sizeof(c) / sizeof(c[0]), true);
}

static void test_split_errors(void **state)
{
	char p[8], b[8], big[MTK_PATH_MAX + 8];

	(void)state;
	assert_int_equal(path_split_style("", true, p, sizeof(p), b, sizeof(b)), -EINVAL);
	assert_int_equal(path_split_style("a/toolongname", false, p, sizeof(p), b, sizeof(b)),
			 -ENAMETOOLONG);
	assert_int_equal(path_split_style("toolongfolder/x", false, p, sizeof(p), b, sizeof(b)),
			 -ENAMETOOLONG);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(path_split_style(big, false, NULL, 0, NULL, 0), -ENAMETOOLONG);
	/* either output may be left out */
	assert_int_equal(path_split_style("C:\\x\\y", true, p, sizeof(p), NULL, 0), 0);
	assert_string_equal(p, "C:\\x");
	assert_int_equal(path_split_style("C:\\x\\y", true, NULL, 0, b, sizeof(b)), 0);
	assert_string_equal(b, "y");
}

static void test_root_and_join(void **state)
{
	char out[MTK_PATH_MAX];

	(void)state;
	assert_int_equal(path_root_len_style("C:\\x", true), 3);
	assert_int_equal(path_root_len_style("C:x", true), 2);
	assert_int_equal(path_root_len_style("\\x", true), 1);
	assert_int_equal(path_root_len_style("\\\\srv\\sh\\x", true), 9);
	assert_int_equal(path_root_len_style("\\\\srv\\sh", true), 8);
	assert_int_equal(path_root_len_style("x", true), 0);
	assert_int_equal(path_root_len_style("/x", false), 1);
	assert_int_equal(path_root_len_style("C:\\x", false), 0);

	assert_true(path_needs_sep_style("kit", true));
	assert_false(path_needs_sep_style("C:\\kit\\", true));
	assert_false(path_needs_sep_style("C:", true)); /* "C:" + "x" is "C:x" */
	assert_true(path_needs_sep_style("C:", false));
	assert_true(path_needs_sep_style("a\\", false));
	assert_false(path_needs_sep_style("a/", false));

	assert_int_equal(path_join(out, "a/", "b"), 0);
	assert_string_equal(out, "a/b");
	assert_int_equal(path_join(out, "a", "b"), 0);
	assert_string_equal(out, "a/b");
	assert_int_equal(path_join(out, "", "b"), 0);
	assert_string_equal(out, "b");
}

static void test_plain_name(void **state)
{
	(void)state;
	assert_true(path_is_plain_name("ROM"));
	assert_true(path_is_plain_name("EXT_BOOTLOADER"));
	assert_false(path_is_plain_name(""));
	assert_false(path_is_plain_name("."));
	assert_false(path_is_plain_name(".."));
	assert_false(path_is_plain_name("../x"));
	assert_false(path_is_plain_name("/etc/passwd"));
#ifdef _WIN32
	assert_false(path_is_plain_name("..\\x"));
	assert_false(path_is_plain_name("C:x"));
#endif
}

static void test_replace(void **state)
{
	char dir[] = "/tmp/mtkbak-winpath-XXXXXX", a[64], b[64];
	uint8_t *buf;
	size_t len;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	f = fopen(a, "wb");
	fputs("new", f);
	fclose(f);
	f = fopen(b, "wb");
	fputs("old contents", f);
	fclose(f);
	assert_int_equal(fs_replace(a, b), 0); /* replaces an existing file */
	assert_int_equal(read_whole_file(b, &buf, &len, 100), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(buf, "new", 3);
	free(buf);
	assert_int_equal(access(a, F_OK), -1);
	assert_int_equal(fs_replace(a, b), -ENOENT);
	assert_int_equal(rm_rf(dir), 0);
}

static void test_mkdir_p(void **state)
{
	char dir[] = "/tmp/mtkbak-winpath-XXXXXX", sub[96];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/x//y/z/", dir);
	assert_int_equal(mkdir_p(sub, 0755), 0);
	assert_int_equal(mkdir_p(sub, 0755), 0); /* exists: fine */
	snprintf(sub, sizeof(sub), "%s/x/y/z", dir);
	assert_int_equal(access(sub, F_OK), 0);
	assert_int_equal(rm_rf(dir), 0);
}

static void test_win32_errors(void **state)
{
	(void)state;
	/* files */
	assert_int_equal(win32_errno(2, false), -ENOENT);
	assert_int_equal(win32_errno(5, false), -EACCES);
	assert_int_equal(win32_errno(32, false), -EBUSY);
	assert_int_equal(win32_errno(112, false), -ENOSPC);
	assert_int_equal(win32_errno(183, false), -EEXIST);
	assert_int_equal(win32_errno(17, false), -EXDEV);
	/* a COM port: missing or pulled is "no device", held by another program is "busy" */
	assert_int_equal(win32_errno(2, true), -ENODEV);
	assert_int_equal(win32_errno(5, true), -EBUSY);
	assert_int_equal(win32_errno(22, true), -ENODEV);
	assert_int_equal(win32_errno(31, true), -ENODEV);
	assert_int_equal(win32_errno(995, true), -ENODEV);
	assert_int_equal(win32_errno(1167, true), -ENODEV);
	assert_int_equal(win32_errno(121, true), -ETIMEDOUT);
	/* unknown codes are I/O errors, never success */
	assert_int_equal(win32_errno(0xDEAD, true), -EIO);
	assert_int_equal(win32_errno(0, false), -EIO);
	assert_int_equal(mtk_exit_code(win32_errno(5, true)), MTK_EXIT_UNAVAILABLE);
	assert_int_equal(mtk_exit_code(win32_errno(112, false)), mtk_exit_code(-ENOSPC));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_split_posix),	 cmocka_unit_test(test_split_windows),
	    cmocka_unit_test(test_split_errors), cmocka_unit_test(test_root_and_join),
	    cmocka_unit_test(test_plain_name),	 cmocka_unit_test(test_replace),
	    cmocka_unit_test(test_mkdir_p),	 cmocka_unit_test(test_win32_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
