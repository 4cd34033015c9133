/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Output-file safety helpers: no-replace rename, exclusive no-follow temporaries, the lock,
 * the ".part must be a regular file of ours" check, and inputs that are not regular files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mtkbak-fs-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rm_rf(dir);
}

static void put(const char *name, const char *text)
{
	char p[MTK_PATH_MAX];
	FILE *f;

	assert_int_equal(path_join(p, dir, name), 0);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *get(const char *name)
{
	static char buf[256];
	char p[MTK_PATH_MAX];
	FILE *f;
	size_t n;

	assert_int_equal(path_join(p, dir, name), 0);
	f = fopen(p, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

static void at(char *out, const char *name)
{
	assert_int_equal(path_join(out, dir, name), 0);
}

static void test_rename_noreplace(void **state)
{
	char a[MTK_PATH_MAX], b[MTK_PATH_MAX];

	(void)state;
	put("a", "new");
	put("b", "user's");
	at(a, "a");
	at(b, "b");
	assert_int_equal(fs_rename_noreplace(a, b), -EEXIST);
	assert_string_equal(get("b"), "user's");
	assert_string_equal(get("a"), "new");
	unlink(b);
	assert_int_equal(fs_rename_noreplace(a, b), 0);
	assert_string_equal(get("b"), "new");
	assert_null(get("a"));
}

static void test_create_tmp_removes_links(void **state)
{
	char victim[MTK_PATH_MAX], t[MTK_PATH_MAX];
	int fd;

	(void)state;
	put("victim", "precious");
	at(victim, "victim");
	at(t, "x.part");
	assert_int_equal(symlink(victim, t), 0);
	fd = fs_create_tmp(t);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "junk", 4), 4);
	close(fd);
	assert_string_equal(get("victim"), "precious");
	assert_string_equal(get("x.part"), "junk");
}

static void test_atomic_write_no_clobber(void **state)
{
	char p[MTK_PATH_MAX], t[MTK_PATH_MAX], victim[MTK_PATH_MAX];

	(void)state;
	put("victim", "precious");
	at(victim, "victim");
	at(p, "out");
	at(t, "out.part");
	assert_int_equal(symlink(victim, t), 0);
	assert_int_equal(atomic_write_file(p, "data", 4, false), 0);
	assert_string_equal(get("victim"), "precious");
	assert_string_equal(get("out"), "data");
	assert_int_equal(mtk_errno(atomic_write_file(p, "more", 4, false)), -EEXIST);
	assert_int_equal(atomic_write_file(p, "more", 4, true), 0);
	assert_string_equal(get("out"), "more");
}

static void test_open_part_and_lock(void **state)
{
	char p[MTK_PATH_MAX], victim[MTK_PATH_MAX];
	bool created;
	int fd, fd2;

	(void)state;
	at(p, "o.bin.part");
	fd = fs_open_part(p, &created);
	assert_true(fd >= 0);
	assert_true(created);
	assert_int_equal(fs_lock(fd), 0);
	fd2 = fs_open_part(p, &created);
	assert_true(fd2 >= 0);
	assert_false(created);
	assert_int_equal(fs_lock(fd2), -MTK_ELOCKED);
	close(fd2);
	close(fd);
	unlink(p);
	/* a symlink, a hard link, a folder: not ours to write */
	put("victim", "precious");
	at(victim, "victim");
	assert_int_equal(symlink(victim, p), 0);
	assert_int_equal(fs_open_part(p, &created), -MTK_EUNSAFE);
	unlink(p);
	assert_int_equal(link(victim, p), 0);
	assert_int_equal(fs_open_part(p, &created), -MTK_EUNSAFE);
	unlink(p);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_true(fs_open_part(p, &created) < 0);
	rmdir(p);
	assert_string_equal(get("victim"), "precious");
}

static void test_inputs_regular_only(void **state)
{
	char p[MTK_PATH_MAX];
	uint8_t *buf;
	size_t len;
	uint64_t size;

	(void)state;
	at(p, "fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(fs_open_input(p, &size), -EINVAL); /* and it did not block */
	assert_int_equal(mtk_errno(read_whole_file(p, &buf, &len, 100)), -EINVAL);
	at(p, "zero");
	assert_int_equal(symlink("/dev/zero", p), 0);
	assert_int_equal(mtk_errno(read_whole_file(p, &buf, &len, 100)), -EINVAL);
	put("big", "0123456789");
	at(p, "big");
	assert_int_equal(mtk_errno(read_whole_file(p, &buf, &len, 5)), -EFBIG);
	assert_int_equal(read_whole_file(p, &buf, &len, 10), 0);
	assert_int_equal(len, 10);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_rename_noreplace, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_tmp_removes_links, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_atomic_write_no_clobber, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_part_and_lock, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_inputs_regular_only, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
