/* SPDX-License-Identifier: GPL-3.0-or-later */
/* GFH parsing: block headers, FILE_INFO, chain walks and the CMEM tables, with good and
 * hostile input (sizes 0/0xFFFF, chains off the end, counts of 2^32-1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mtkbak/errors.h"
#include "mtkbak/firmware.h"
#include "mtkbak/byteorder.h"

static void hdr(uint8_t *p, uint8_t ver, uint16_t size, uint16_t type)
{
	memcpy(p, "MMM", 3);
	p[3] = ver;
	mtk_put_le16(p + 4, size);
	mtk_put_le16(p + 6, type);
}

/* A minimal valid image: FILE_INFO + BL_INFO, content at 0x44, 0x100 bytes. */
static void minimal(uint8_t *p)
{
	memset(p, 0, 0x100);
	hdr(p, 1, 0x38, 0);
	memcpy(p + 8, "FILE_INFO", 9);
	mtk_put_le32(p + 0x14, 1);
	mtk_put_le16(p + 0x18, GFH_FT_ARM_EXT_BL);
	p[0x1A] = 7;
	mtk_put_le32(p + 0x1C, 0x10003000);
	mtk_put_le32(p + 0x20, 0x100);
	mtk_put_le32(p + 0x24, 0xFFFFFFFF);
	mtk_put_le32(p + 0x28, 0x44);
	mtk_put_le32(p + 0x34, 3);
	hdr(p + 0x38, 1, 0x0C, GFH_BLK_BL_INFO);
}

static void test_header(void **state)
{
	uint8_t b[16] = "MMM\x02";
	struct gfh_header h;

	(void)state;
	mtk_put_le16(b + 4, 0x130);
	mtk_put_le16(b + 6, 0x200);
	assert_int_equal(gfh_header_parse(b, 8, &h), 0);
	assert_int_equal(h.version, 2);
	assert_int_equal(h.size, 0x130);
	assert_int_equal(h.type, 0x200);
	assert_int_equal(gfh_header_parse(b, 7, &h), -ENODATA);
	assert_int_equal(gfh_header_parse(b, 0, &h), -ENODATA);
	b[1] = 'N';
	assert_int_equal(gfh_header_parse(b, 8, &h), -EBADMSG);
}

static void test_file_info(void **state)
{
	uint8_t p[0x100];
	struct gfh_file_info fi;

	(void)state;
	minimal(p);
	assert_int_equal(gfh_file_info_parse(p, sizeof(p), &fi), 0);
	assert_int_equal(fi.file_type, GFH_FT_ARM_EXT_BL);
	assert_int_equal(fi.flash_dev, 7);
	assert_int_equal(fi.load_addr, 0x10003000);
	assert_int_equal(fi.file_len, 0x100);
	assert_int_equal(fi.content_offset, 0x44);
	assert_int_equal(fi.attr, 3);
	/* too short, wrong size, wrong version, damaged identifier */
	assert_int_equal(gfh_file_info_parse(p, 0x37, &fi), -ENODATA);
	mtk_put_le16(p + 4, 0x3C);
	assert_int_equal(gfh_file_info_parse(p, sizeof(p), &fi), -EBADMSG);
	minimal(p);
	p[3] = 2;
	assert_int_equal(gfh_file_info_parse(p, sizeof(p), &fi), -EBADMSG);
	minimal(p);
	p[0x13] = 'X'; /* the identifier's padding must be zero */
	assert_int_equal(gfh_file_info_parse(p, sizeof(p), &fi), -EBADMSG);
}

static void test_chain(void **state)
{
	uint8_t p[0x100];
	struct gfh_chain c;

	(void)state;
	minimal(p);
	assert_int_equal(gfh_chain_walk(p, sizeof(p), 0x44, &c), 0);
	assert_true(c.ok);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.blk[1].off, 0x38);
	assert_int_equal(c.blk[1].type, GFH_BLK_BL_INFO);
	assert_non_null(gfh_chain_find(&c, GFH_BLK_BL_INFO));
	assert_null(gfh_chain_find(&c, GFH_BLK_MAUI_INFO));

	/* block size 0 would loop forever: refused */
	mtk_put_le16(p + 0x3C, 0);
	assert_int_equal(gfh_chain_walk(p, sizeof(p), 0x44, &c), -EBADMSG);
	assert_int_equal(c.bad_off, 0x38);
	assert_non_null(strstr(c.why, "size 0x0"));
	/* 0xFFFF: not a multiple of 4, and past the content offset */
	mtk_put_le16(p + 0x3C, 0xFFFF);
	assert_int_equal(gfh_chain_walk(p, sizeof(p), 0x44, &c), -EBADMSG);
	mtk_put_le16(p + 0x3C, 0xFFFC);
	assert_int_equal(gfh_chain_walk(p, sizeof(p), 0x44, &c), -EBADMSG);
	assert_non_null(strstr(c.why, "runs past the content offset"));
	/* a chain that does not end at the content offset */
	mtk_put_le16(p + 0x3C, 0x0C);
	assert_int_equal(gfh_chain_walk(p, sizeof(p), 0x48, &c), -EBADMSG);
	assert_int_equal(c.bad_off, 0x44);
	/* runs off the end of the available bytes */
	assert_int_equal(gfh_chain_walk(p, 0x40, 0x44, &c), -EBADMSG);
	assert_non_null(strstr(c.why, "ends inside"));
	/* content offsets that cannot be a GFH */
	assert_int_equal(gfh_chain_walk(p, sizeof(p), 0x10, &c), -EBADMSG);
	assert_int_equal(gfh_chain_walk(p, sizeof(p), 0xFFFFFFFF, &c), -EBADMSG);
}

static void test_chain_too_long(void **state)
{
	/* 40 BL_INFO blocks of 8 bytes after FILE_INFO: more than GFH_CHAIN_MAX */
	uint8_t p[0x38 + 40 * 8];
	struct gfh_chain c;

	(void)state;
	memset(p, 0, sizeof(p));
	hdr(p, 1, 0x38, 0);
	for (int i = 0; i < 40; i++)
		hdr(p + 0x38 + 8 * i, 1, 8, GFH_BLK_BL_INFO);
	assert_int_equal(gfh_chain_walk(p, sizeof(p), sizeof(p), &c), -EBADMSG);
	assert_int_equal(c.n, GFH_CHAIN_MAX);
}

static void cmem_ids_block(uint8_t *p, uint32_t count, uint16_t size)
{
	memset(p, 0, 0x40);
	hdr(p, 1, size, GFH_BLK_CMEM_ID_INFO);
	mtk_put_le32(p + 8, 1);
	mtk_put_le32(p + 12, count);
	p[16] = 3;
	p[17] = 3;
	p[18] = 0xEF;
	p[19] = 0x60;
	p[20] = 0x18;
	p[26] = 3;
	p[27] = 3;
	p[28] = 0xC8;
	p[29] = 0x60;
	p[30] = 0x18;
}

static void test_cmem_ids(void **state)
{
	uint8_t p[0x40];
	struct fw_cmem_ids ids;

	(void)state;
	cmem_ids_block(p, 2, 0x24);
	assert_int_equal(gfh_cmem_ids_parse(p, 0x24, &ids), 0);
	assert_true(ids.found);
	assert_int_equal(ids.count, 2);
	assert_memory_equal(ids.e[0].id, "\xEF\x60\x18\0\0\0\0\0", 8);
	assert_memory_equal(ids.e[1].id, "\xC8\x60\x18\0\0\0\0\0", 8);
	assert_int_equal(fw_jedec_capacity(&ids.e[0]), 16u << 20);

	/* hostile counts and sizes */
	cmem_ids_block(p, 0xFFFFFFFF, 0x24);
	assert_int_equal(gfh_cmem_ids_parse(p, 0x24, &ids), -EBADMSG);
	cmem_ids_block(p, 0, 0x10);
	assert_int_equal(gfh_cmem_ids_parse(p, 0x10, &ids), -EBADMSG);
	cmem_ids_block(p, 2, 0x28); /* m_size does not match the count */
	assert_int_equal(gfh_cmem_ids_parse(p, 0x28, &ids), -EBADMSG);
	cmem_ids_block(p, 2, 0x24);
	assert_int_equal(gfh_cmem_ids_parse(p, 0x20, &ids), -ENODATA);
	p[17] = 9; /* ID length > 8 */
	assert_int_equal(gfh_cmem_ids_parse(p, 0x24, &ids), -EBADMSG);
	cmem_ids_block(p, 2, 0x24);
	p[21] = 0x55; /* a byte beyond the ID length */
	assert_int_equal(gfh_cmem_ids_parse(p, 0x24, &ids), -EBADMSG);
	cmem_ids_block(p, 2, 0x24);
	p[16] = 0; /* END_OF_LIST as an entry */
	assert_int_equal(gfh_cmem_ids_parse(p, 0x24, &ids), -EBADMSG);
	cmem_ids_block(p, 2, 0x24);
	mtk_put_le32(p + 8, 7); /* unknown version */
	assert_int_equal(gfh_cmem_ids_parse(p, 0x24, &ids), -EBADMSG);
}

static void test_cmem_nor(void **state)
{
	uint8_t p[16 + 136 * 2];
	struct fw_cmem_nor nor;

	(void)state;
	memset(p, 0, sizeof(p));
	hdr(p, 1, sizeof(p), GFH_BLK_CMEM_NOR_INFO);
	mtk_put_le32(p + 8, 2);
	mtk_put_le32(p + 12, 2);
	mtk_put_le32(p + 16 + 72, 0x1000000);
	mtk_put_le32(p + 16 + 76, 1);
	mtk_put_le32(p + 16 + 136 + 72, 0x200000);
	mtk_put_le32(p + 16 + 136 + 76, 2);
	assert_int_equal(gfh_cmem_nor_parse(p, sizeof(p), &nor), 0);
	assert_int_equal(nor.count, 2);
	assert_int_equal(nor.chip_size[0], 16u << 20);
	assert_int_equal(nor.chip_size[1], 4u << 20);
	/* banks of 2^32-1 x 2^32-1 bytes: refused, no overflow */
	mtk_put_le32(p + 16 + 72, 0xFFFFFFFF);
	mtk_put_le32(p + 16 + 76, 0xFFFFFFFF);
	assert_int_equal(gfh_cmem_nor_parse(p, sizeof(p), &nor), -EBADMSG);
	mtk_put_le32(p + 16 + 72, 0x1000000);
	mtk_put_le32(p + 16 + 76, 1);
	mtk_put_le32(p + 12, 0xFFFFFFFF);
	assert_int_equal(gfh_cmem_nor_parse(p, sizeof(p), &nor), -EBADMSG);
	mtk_put_le32(p + 12, 2);
	assert_int_equal(gfh_cmem_nor_parse(p, sizeof(p) - 1, &nor), -ENODATA);
}

static void test_names(void **state)
{
	char n[24];

	(void)state;
	gfh_kit_name(GFH_FT_ARM_BL, n, sizeof(n));
	assert_string_equal(n, "BOOTLOADER");
	gfh_kit_name(GFH_FT_ARM_EXT_BL, n, sizeof(n));
	assert_string_equal(n, "EXT_BOOTLOADER");
	gfh_kit_name(GFH_FT_PRIMARY_MAUI, n, sizeof(n));
	assert_string_equal(n, "ROM");
	gfh_kit_name(GFH_FT_VIVA, n, sizeof(n));
	assert_string_equal(n, "VIVA");
	gfh_kit_name(GFH_FT_THIRD_ROM, n, sizeof(n));
	assert_string_equal(n, "THIRD_ROM");
	gfh_kit_name(GFH_FT_DSP_ROM, n, sizeof(n));
	assert_string_equal(n, "DSP_ROM");
	gfh_kit_name(0x7777, n, sizeof(n));
	assert_string_equal(n, "FILE_0x7777");
	assert_string_equal(gfh_block_type_name(GFH_BLK_CMEM_ID_INFO), "CMEM_ID_INFO");
	assert_null(gfh_file_type_name(0x4444));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header),   cmocka_unit_test(test_file_info),
	    cmocka_unit_test(test_chain),    cmocka_unit_test(test_chain_too_long),
	    cmocka_unit_test(test_cmem_ids), cmocka_unit_test(test_cmem_nor),
	    cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
