/* SPDX-License-Identifier: GPL-3.0-or-later */
/* GFH (general file header) parsing: block headers, FILE_INFO, chains and the CMEM tables.
 * Type names are data (tables below), so a new type is one line. */
#include "mtkbak/errors.h"
#include "mtkbak/firmware.h"

#include <stdio.h>
#include <string.h>

#include "mtkbak/byteorder.h"

struct type_name {
	uint16_t value;
	const char *name;
};

/* FILE_INFO.m_file_type (MOLY br_GFH_file_info.h, MTK downloader GFH_GetFileTypeName) */
static const struct type_name file_types[] = {
    {0x0000, "GFH_FILE_NONE"},
    {0x0001, "ARM_BL"},
    {0x0002, "ARM_EXT_BL"},
    {0x0003, "DUALMAC_DSP_BL"},
    {0x0004, "SCTRL_CERT"},
    {0x0005, "TOOL_AUTH"},
    {0x0006, "FILE_MTK_RESERVED1"},
    {0x0007, "EPP"},
    {0x0008, "FILE_MTK_RESERVED2"},
    {0x0009, "FILE_MTK_RESERVED3"},
    {0x000A, "ROOT_CERT"},
    {0x000B, "AP_BL"},
    {0x0100, "PRIMARY_MAUI"},
    {0x0101, "SECONDARY_MAUI"},
    {0x0102, "ON_DEMAND_PAGING"},
    {0x0103, "THIRD_ROM"},
    {0x0104, "DSP_ROM"},
    {0x0105, "CACHED_DSP_ROM"},
    {0x0106, "PRIMARY_FACTORY_BIN"},
    {0x0107, "SECONDARY_FACTORY_BIN"},
    {0x0108, "VIVA"},
    {0x0109, "LTE_DSP_ROM"},
    {0x010A, "TINY_SYS_ROM1"},
    {0x010B, "TINY_SYS_ROM2"},
    {0x010C, "IOT_WIFI_BIN"},
    {0x0180, "CUSTOM_PACK"},
    {0x0181, "LANGUAGE_PACK"},
    {0x0182, "JUMP_TABLE"},
    {0x0200, "FOTA_UE"},
    {0x0201, "ARM_EXT_BL_BACKUP"},
    {0x0300, "SECURE_RO_S"},
    {0x0301, "SECURE_RO_ME"},
    {0x0400, "CARD_DOWNLOAD_PACKAGE"},
    {0x0401, "CONFIDENTIAL_BINARY"},
    {0x0480, "FILE_SYSTEM"},
    {0x0500, "BOOT_CERT_CTRL"},
    {0x7000, "CUSTOMER_BIN1"},
    {0x7001, "CUSTOMER_BIN2"},
    {0x7002, "CUSTOMER_BIN3"},
};

/* GFH block m_type (MOLY br_GFH.h, maui_GFH_body.h) */
static const struct type_name block_types[] = {
    {0x0000, "FILE_INFO"},	   {0x0001, "BL_INFO"},
    {0x0002, "ANTI_CLONE"},	   {0x0003, "BL_SEC_KEY"},
    {0x0004, "SCTRL_CERT"},	   {0x0005, "TOOL_AUTH"},
    {0x0006, "MTK_RESERVED1"},	   {0x0007, "BROM_CFG"},
    {0x0008, "BROM_SEC_CFG"},	   {0x0009, "MTK_RESERVED2"},
    {0x000A, "MTK_RESERVED3"},	   {0x000B, "ROOT_CERT"},
    {0x000C, "EXP_CHK"},	   {0x000D, "EPP_PARAM"},
    {0x000E, "CHIP_VER"},	   {0x000F, "MTK_RESERVED4"},
    {0x0010, "MD_SEC_CFG"},	   {0x0100, "EPP_INFO"},
    {0x0101, "EMI_LIST"},	   {0x0102, "CMEM_ID_INFO"},
    {0x0103, "CMEM_NOR_INFO"},	   {0x0104, "DSP_INFO"},
    {0x0200, "MAUI_INFO"},	   {0x0201, "MAUI_SEC"},
    {0x0202, "MAUI_CODE_KEY"},	   {0x0203, "MAUI_SECURE_RO_KEY"},
    {0x0204, "MAUI_RESOURCE_KEY"}, {0x0205, "SECURE_RO_INFO"},
    {0x0206, "DL_PACKAGE_INFO"},   {0x0207, "FLASH_INFO"},
    {0x0208, "MACR_INFO"},	   {0x0209, "ARM_BL_INFO"},
    {0x020A, "EMMC_BOOTING_INFO"}, {0x020B, "FOTA_INFO"},
    {0x020C, "CBR_RECORD_INFO"},   {0x020D, "CONFIDENTIAL_BIN_INFO"},
    {0x020E, "CBR_INFO"},	   {0x020F, "MBA_INFO"},
    {0x0210, "BINARY_LOCATION"},   {0x0300, "BOOT_CERT_CTRL_CONTENT"},
};

/* Kit file names that differ from the type name (the names users and SP Flash Tool kits use) */
static const struct type_name kit_names[] = {
    {GFH_FT_ARM_BL, "BOOTLOADER"},
    {GFH_FT_ARM_EXT_BL, "EXT_BOOTLOADER"},
    {GFH_FT_PRIMARY_MAUI, "ROM"},
    {GFH_FT_VIVA, "VIVA"},
};

static const char *lookup(const struct type_name *t, size_t n, uint16_t v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == v)
			return t[i].name;
	return NULL;
}

const char *gfh_file_type_name(uint16_t file_type)
{
	return lookup(file_types, sizeof(file_types) / sizeof(file_types[0]), file_type);
}

const char *gfh_block_type_name(uint16_t type)
{
	return lookup(block_types, sizeof(block_types) / sizeof(block_types[0]), type);
}

void gfh_kit_name(uint16_t file_type, char *out, size_t len)
{
	const char *n = lookup(kit_names, sizeof(kit_names) / sizeof(kit_names[0]), file_type);

	if (!n)
		n = gfh_file_type_name(file_type);
	if (n)
		snprintf(out, len, "%s", n);
	else
		snprintf(out, len, "FILE_0x%04X", file_type);
}

int gfh_header_parse(const uint8_t *p, size_t avail, struct gfh_header *h)
{
	uint32_t mv;

	if (avail < GFH_HDR_LEN)
		return -ENODATA;
	mv = mtk_get_le32(p);
	if ((mv & 0x00FFFFFFu) != GFH_MAGIC)
		return -EBADMSG;
	h->version = (uint8_t)(mv >> 24);
	h->size = mtk_get_le16(p + 4);
	h->type = mtk_get_le16(p + 6);
	return 0;
}

int gfh_file_info_parse(const uint8_t *p, size_t avail, struct gfh_file_info *fi)
{
	static const char ident[12] = "FILE_INFO\0\0";
	struct gfh_header h;
	int ret = gfh_header_parse(p, avail, &h);

	if (ret < 0)
		return ret;
	if (avail < GFH_FILE_INFO_LEN)
		return -ENODATA;
	if (h.version != 1 || h.size != GFH_FILE_INFO_LEN || h.type != GFH_BLK_FILE_INFO ||
	    memcmp(p + 8, ident, sizeof(ident)) != 0)
		return -EBADMSG;
	memset(fi, 0, sizeof(*fi));
	fi->version = h.version;
	fi->file_ver = mtk_get_le32(p + 0x14);
	fi->file_type = mtk_get_le16(p + 0x18);
	fi->flash_dev = p[0x1A];
	fi->sig_type = p[0x1B];
	fi->load_addr = mtk_get_le32(p + 0x1C);
	fi->file_len = mtk_get_le32(p + 0x20);
	fi->max_size = mtk_get_le32(p + 0x24);
	fi->content_offset = mtk_get_le32(p + 0x28);
	fi->sig_len = mtk_get_le32(p + 0x2C);
	fi->jump_offset = mtk_get_le32(p + 0x30);
	fi->attr = mtk_get_le32(p + 0x34);
	return 0;
}

int gfh_chain_walk(const uint8_t *img, size_t avail, uint32_t content_offset, struct gfh_chain *c)
{
	uint32_t off = 0;

	memset(c, 0, sizeof(*c));
	if (content_offset < GFH_FILE_INFO_LEN || content_offset > GFH_MAX_CONTENT_OFF) {
		snprintf(c->why, sizeof(c->why), "content offset 0x%X is not a GFH size",
			 content_offset);
		return -EBADMSG;
	}
	while (off < content_offset) {
		struct gfh_header h;
		int ret;

		if (c->n >= GFH_CHAIN_MAX) {
			c->bad_off = off;
			snprintf(c->why, sizeof(c->why), "more than %d GFH blocks", GFH_CHAIN_MAX);
			return -EBADMSG;
		}
		ret = gfh_header_parse(img + off, avail > off ? avail - off : 0, &h);
		c->bad_off = off;
		if (ret == -ENODATA) {
			snprintf(c->why, sizeof(c->why), "the image ends inside the GFH");
			return -EBADMSG;
		}
		if (ret < 0) {
			snprintf(c->why, sizeof(c->why), "no \"MMM\" block header");
			return -EBADMSG;
		}
		if (h.size < GFH_HDR_LEN || (h.size & 3)) {
			snprintf(c->why, sizeof(c->why),
				 "block size 0x%X is not a multiple of 4 >= 8", h.size);
			return -EBADMSG;
		}
		if ((uint64_t)off + h.size > content_offset) {
			snprintf(c->why, sizeof(c->why),
				 "block (type 0x%04X, size 0x%X) runs past the content offset 0x%X",
				 h.type, h.size, content_offset);
			return -EBADMSG;
		}
		if ((uint64_t)off + h.size > avail) {
			snprintf(c->why, sizeof(c->why), "the image ends inside the GFH");
			return -EBADMSG;
		}
		if (c->n == 0 && h.type != GFH_BLK_FILE_INFO) {
			snprintf(c->why, sizeof(c->why), "the first block is not FILE_INFO");
			return -EBADMSG;
		}
		c->blk[c->n].off = off;
		c->blk[c->n].type = h.type;
		c->blk[c->n].size = h.size;
		c->blk[c->n].version = h.version;
		c->n++;
		off += h.size;
	}
	c->bad_off = 0;
	c->ok = true;
	return 0;
}

const struct gfh_block_ref *gfh_chain_find(const struct gfh_chain *c, uint16_t type)
{
	for (int i = 0; i < c->n; i++)
		if (c->blk[i].type == type)
			return &c->blk[i];
	return NULL;
}

#define CMEM_ID_ENTRY_LEN  10u
#define CMEM_NOR_ENTRY_LEN 136u
#define CMEM_NOR_BANKS_OFF 72u /* u16 FDMType, u16 PageBuffer, u32 Uniform, 8x{u32,u32} layout */
#define CMEM_NOR_BANKS	   8u

int gfh_cmem_ids_parse(const uint8_t *p, size_t avail, struct fw_cmem_ids *out)
{
	struct gfh_header h;
	uint32_t ver, count;
	int ret = gfh_header_parse(p, avail, &h);

	if (ret < 0)
		return ret;
	if (h.type != GFH_BLK_CMEM_ID_INFO || h.version != 1)
		return -EBADMSG;
	if (h.size > avail || avail < 16)
		return -ENODATA;
	ver = mtk_get_le32(p + 8);
	count = mtk_get_le32(p + 12);
	if (ver < 1 || ver > 2 || count < 1 || count > FW_MAX_FLASH_IDS)
		return -EBADMSG;
	if (h.size != ((16u + CMEM_ID_ENTRY_LEN * count + 3u) & ~3u))
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *e = p + 16 + CMEM_ID_ENTRY_LEN * i;
		struct fw_flash_id *id = &out->e[i];

		if (e[0] < 1 || e[0] > 5 || e[1] < 1 || e[1] > 8)
			return -EBADMSG;
		id->dev_type = e[0];
		id->id_len = e[1];
		memcpy(id->id, e + 2, 8);
		for (unsigned k = id->id_len; k < 8; k++)
			if (id->id[k] != 0)
				return -EBADMSG;
	}
	out->found = true;
	out->version = ver;
	out->count = count;
	return 0;
}

int gfh_cmem_nor_parse(const uint8_t *p, size_t avail, struct fw_cmem_nor *out)
{
	struct gfh_header h;
	uint32_t ver, count;
	int ret = gfh_header_parse(p, avail, &h);

	if (ret < 0)
		return ret;
	if (h.type != GFH_BLK_CMEM_NOR_INFO || h.version != 1)
		return -EBADMSG;
	if (h.size > avail || avail < 16)
		return -ENODATA;
	ver = mtk_get_le32(p + 8);
	count = mtk_get_le32(p + 12);
	if (ver < 1 || ver > 2 || count < 1 || count > FW_MAX_FLASH_IDS)
		return -EBADMSG;
	if (h.size != 16u + CMEM_NOR_ENTRY_LEN * count)
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *banks = p + 16 + CMEM_NOR_ENTRY_LEN * i + CMEM_NOR_BANKS_OFF;
		uint64_t total = 0;

		for (unsigned b = 0; b < CMEM_NOR_BANKS; b++) {
			uint64_t size = mtk_get_le32(banks + 8 * b),
				 n = mtk_get_le32(banks + 8 * b + 4);

			if (size == 0 || n == 0)
				break;
			/* both factors < 2^32, so the product fits; cap each bank and the sum */
			if (size * n > (1ull << 40))
				return -EBADMSG;
			total += size * n;
		}
		out->chip_size[i] = total;
	}
	out->found = true;
	out->version = ver;
	out->count = count;
	return 0;
}

/* The capacity byte (third JEDEC ID byte) as a size: 2^n for 0x10..0x1F (Winbond EF 60 18,
 * GigaDevice C8 60 18 = 16 MiB); Macronix's 1.8 V parts count from 0x30 (C2 25 36 = 4 MiB,
 * C2 25 37 = 8 MiB, RePhone's C2 25 38 = 16 MiB). */
uint64_t fw_jedec_capacity(const struct fw_flash_id *id)
{
	uint8_t c = id->id_len >= 3 ? id->id[2] : 0;

	if (c >= 0x10 && c <= 0x1F)
		return 1ull << c;
	if (c >= 0x32 && c <= 0x3A)
		return 1ull << (c - 0x20);
	return 0;
}
