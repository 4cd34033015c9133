/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one size/hex text format (include/mtkbak/text.h), the one clock and byteorder.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mtkbak/byteorder.h"
#include "mtkbak/clock.h"
#include "mtkbak/text.h"

static void expect_size(uint64_t n, const char *want)
{
	char out[MTK_SIZE_TEXT_LEN];

	memset(out, 'x', sizeof(out));
	mtk_size_text(n, out, sizeof(out));
	assert_string_equal(out, want);
}

static void test_size_text(void **state)
{
	(void)state;
	expect_size(0, "0 B");
	expect_size(100, "100 B");
	expect_size(1023, "1023 B");
	expect_size(1024, "1 KiB");
	expect_size(512 * 1024, "512 KiB");
	expect_size(1536, "1.5 KiB");
	expect_size(4u << 20, "4 MiB");
	expect_size(3u << 19, "1.5 MiB");
	expect_size(16u << 20, "16 MiB");
	expect_size((4u << 20) - 1, "4194303 B");	 /* never "4.0 MiB" for a non-whole value */
	expect_size((4u << 20) - 1024, "4095 KiB");	 /* falls to the unit that is exact */
	expect_size(0xFFE000u - 0x500000u, "11256 KiB"); /* 10.99 MiB */
	expect_size(1153434, "1.1 MiB");		 /* 1.1 MiB rounded */
	expect_size(1ull << 30, "1 GiB");
	expect_size(UINT64_MAX, "18446744073709551615 B"); /* rounds to whole units only */
}

static void test_size_text_truncates(void **state)
{
	char out[4];

	(void)state;
	mtk_size_text(4u << 20, out, sizeof(out));
	assert_string_equal(out, "4 M");
	mtk_size_text(4u << 20, out, 0); /* nothing written */
}

static void test_hex(void **state)
{
	static const uint8_t me[16] = {0x9c, 0x84, 0x47, 0xa3, 0x5f, 0x95, 0x8b, 0xc3,
				       0xe7, 0x16, 0xc9, 0xfc, 0xb8, 0x67, 0x2f, 0xf0};
	char out[33];

	(void)state;
	mtk_hex(me, 16, out);
	assert_string_equal(out, "9c8447a35f958bc3e716c9fcb8672ff0");
	mtk_hex(me, 4, out);
	assert_string_equal(out, "9c8447a3");
	mtk_hex(me, 0, out);
	assert_string_equal(out, "");
}

static void test_clock_and_byteorder(void **state)
{
	uint8_t b[4];
	int64_t t0 = mtk_now_ms(), n0 = mtk_now_ns();

	(void)state;
	mtk_sleep_ms(20);
	assert_true(mtk_now_ms() - t0 >= 20);
	assert_true(mtk_now_ns() - n0 >= 20000000);
	assert_true(mtk_now_s() * 1000.0 >= (double)t0);
	mtk_put_be32(b, 0x11223344u);
	assert_memory_equal(b, "\x11\x22\x33\x44", 4);
	assert_int_equal(mtk_get_le32(b), 0x44332211u);
	assert_int_equal(mtk_get_be16(b + 2), 0x3344);
	mtk_put_le16(b, 0xA1B2);
	assert_memory_equal(b, "\xB2\xA1", 2);
	assert_int_equal(mtk_get_le16(b), 0xA1B2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_size_text),
	    cmocka_unit_test(test_size_text_truncates),
	    cmocka_unit_test(test_hex),
	    cmocka_unit_test(test_clock_and_byteorder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
