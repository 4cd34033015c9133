/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Placing kit images into a flash image the way SP Flash Tool does (doc/firmware-layout.md):
 * header block at 0, ARM_BL at 0x800, XIP images at load_addr & FW_XIP_MASK. */
#include <stdlib.h>
#include <string.h>

#include "mtkbak/byteorder.h"
#include "mtkbak/errors.h"
#include "mtkbak/firmware.h"

const uint8_t *fw_find_block(const uint8_t *img, size_t len, uint16_t type, uint16_t min)
{
	uint32_t content = len >= GFH_FILE_INFO_LEN ? mtk_get_le32(img + 0x28) : 0;
	uint32_t off = 0;

	for (int i = 0; i < GFH_CHAIN_MAX && off + 8 <= content && off + 8 <= len; i++) {
		uint16_t size = mtk_get_le16(img + off + 4);
		uint16_t t = mtk_get_le16(img + off + 6);

		if (memcmp(img + off, "MMM", 3) != 0 || size < 8 || off + size > len)
			return NULL;
		if (t == type && size >= min)
			return img + off;
		off += size;
	}
	return NULL;
}

static int place_one(const struct fw_blob *f, const struct fw_place_opts *o, struct fw_placed *pl)
{
	const uint8_t *p = f->data;
	const uint8_t *bi;

	if (!p || f->len < GFH_FILE_INFO_LEN ||
	    memcmp(p,
		   "MMM\x01\x38\x00\x00\x00"
		   "FILE_INFO",
		   17))
		return -EINVAL;
	pl->type = mtk_get_le16(p + 0x18);
	pl->load = mtk_get_le32(p + 0x1C);
	pl->len = mtk_get_le32(p + 0x20);
	pl->data = p;
	pl->bl_attr = 0;
	if (pl->len != f->len)
		return -EINVAL;
	if (pl->type == GFH_FT_ARM_BL) {
		pl->off = o->bl_off ? o->bl_off : FW_BL_OFFSET;
	} else {
		if ((pl->load & ~FW_XIP_MASK) != FW_XIP_BASE)
			return -EINVAL;
		pl->off = pl->load & FW_XIP_MASK;
	}
	bi = fw_find_block(p, f->len, GFH_BLK_BL_INFO, 12);
	if (bi)
		pl->bl_attr = mtk_get_le32(bi + 8);
	if ((uint64_t)pl->off + pl->len > o->flash_size)
		return -ENOSPC;
	return 0;
}

static void header_block(uint8_t *img, const struct fw_placed *pl, int n)
{
	uint8_t *brlyt = img + FW_HB_RW_UNIT;
	int d = 0;

	memset(img, 0, 20);
	memcpy(img, "SF_BOOT", 7);
	mtk_put_le32(img + 12, 1);
	mtk_put_le32(img + 16, FW_HB_RW_UNIT);
	memset(brlyt, 0, 20 + 8 * 20);
	memcpy(brlyt, "BRLYT", 5);
	mtk_put_le32(brlyt + 8, 1);
	for (int i = 0; i < n; i++) {
		if (pl[i].type == GFH_FT_ARM_BL)
			mtk_put_le32(brlyt + 12, pl[i].off);
		if (pl[i].type == GFH_FT_PRIMARY_MAUI)
			mtk_put_le32(brlyt + 16, pl[i].off);
	}
	/* descriptors: the first bootloader, then the second */
	for (uint16_t t = GFH_FT_ARM_BL; t <= GFH_FT_ARM_EXT_BL; t++) {
		for (int i = 0; i < n && d < FW_HB_BRLYT_DESCS; i++) {
			uint8_t *q = brlyt + 20 + 20 * d;

			if (pl[i].type != t)
				continue;
			mtk_put_le32(q, 0x42424242u);
			q[4] = GFH_FLASH_DEV_SF;
			mtk_put_le16(q + 6, t);
			mtk_put_le32(q + 8, pl[i].off);
			mtk_put_le32(q + 12, pl[i].off + pl[i].len);
			mtk_put_le32(q + 16, pl[i].bl_attr);
			d++;
		}
	}
}

int fw_place(const struct fw_blob *files, int nfiles, const struct fw_place_opts *o, uint8_t **out,
	     struct fw_placed *where)
{
	struct fw_placed pl[FW_PLACE_MAX_FILES];
	uint8_t *img;
	int ret;

	*out = NULL;
	if (nfiles < 0 || nfiles > FW_PLACE_MAX_FILES || o->flash_size < 0x10000 ||
	    (o->flash_size & (o->flash_size - 1)) || o->flash_size > (1ull << 30))
		return -EINVAL;
	for (int i = 0; i < nfiles; i++) {
		ret = place_one(&files[i], o, &pl[i]);
		if (ret < 0)
			return ret;
		if (!o->no_header_block && pl[i].off < FW_BL_OFFSET)
			return -EINVAL;
		for (int k = 0; k < i; k++)
			if (pl[i].off < pl[k].off + pl[k].len && pl[k].off < pl[i].off + pl[i].len)
				return -EINVAL;
	}
	img = malloc((size_t)o->flash_size);
	if (!img)
		return -ENOMEM;
	memset(img, 0xFF, (size_t)o->flash_size);
	for (int i = 0; i < nfiles; i++)
		memcpy(img + pl[i].off, pl[i].data, pl[i].len);
	if (!o->no_header_block)
		header_block(img, pl, nfiles);
	if (where)
		memcpy(where, pl, sizeof(pl[0]) * (size_t)nfiles);
	*out = img;
	return 0;
}
