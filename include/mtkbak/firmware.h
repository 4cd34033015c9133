/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The formats of the watch's firmware, below every layer that reads them: the GFH header
 * chain, the CMEM flash-ID tables inside the ROM image, JEDEC capacity codes, and where the
 * flash tool places each kit image in the flash (fw_place). Pure functions, no I/O: the
 * readback's size decision and the extract layer both use them. doc/firmware-layout.md
 * describes the format.
 *
 * Every byte is untrusted: each parser takes the number of bytes available and never reads
 * past it; counts and lengths are bounded before use. */
#ifndef MTKBAK_FIRMWARE_H
#define MTKBAK_FIRMWARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- GFH (general file header) ------------------------------------------------------------ */

#define GFH_MAGIC	    0x004D4D4Du /* "MMM" + version byte */
#define GFH_HDR_LEN	    8u
#define GFH_FILE_INFO_LEN   0x38u
#define GFH_MAX_CONTENT_OFF 0x100000u	/* GFH_MAX_CONTENT_OFFSET */
#define GFH_MAX_FILE_LEN    0x80000000u /* GFH_MAX_FILE_LEN */
#define GFH_FILE_LEN_UNSET  0xFFFFFFFFu /* "size by post build": not post-built yet */
#define GFH_CHAIN_MAX	    32		/* more blocks than this is not a real chain */

/* GFH block types (m_type) */
enum gfh_block_type {
	GFH_BLK_FILE_INFO = 0x0000,
	GFH_BLK_BL_INFO = 0x0001,
	GFH_BLK_BROM_CFG = 0x0007,
	GFH_BLK_BROM_SEC_CFG = 0x0008,
	GFH_BLK_EMI_LIST = 0x0101,
	GFH_BLK_CMEM_ID_INFO = 0x0102,
	GFH_BLK_CMEM_NOR_INFO = 0x0103,
	GFH_BLK_MAUI_INFO = 0x0200,
	GFH_BLK_FLASH_INFO = 0x0207,
	GFH_BLK_ARM_BL_INFO = 0x0209,
	GFH_BLK_CBR_INFO = 0x020E,
	GFH_BLK_MBA_INFO = 0x020F,
};

/* FILE_INFO.m_file_type values that matter to the kit (the full table is in gfh.c) */
enum gfh_file_type {
	GFH_FT_ARM_BL = 0x0001,
	GFH_FT_ARM_EXT_BL = 0x0002,
	GFH_FT_PRIMARY_MAUI = 0x0100,
	GFH_FT_SECONDARY_MAUI = 0x0101,
	GFH_FT_THIRD_ROM = 0x0103,
	GFH_FT_DSP_ROM = 0x0104,
	GFH_FT_VIVA = 0x0108,
};

#define GFH_ATTR_POST_BUILD_DONE 0x1u
#define GFH_ATTR_XIP		 0x2u
#define GFH_SIG_NONE		 0
#define GFH_SIG_PHASH		 1
#define GFH_SIG_SINGLE_AND_PHASH 3
#define GFH_PHASH_LEN		 0x20u /* SHA-1 (20) + 12 reserved bytes */
#define GFH_FLASH_DEV_SF	 7
#define FW_XIP_BASE		 0x10000000u
#define FW_XIP_MASK		 0x07FFFFFFu /* flash offset = load_addr & FW_XIP_MASK */
#define FW_DNE_MARKER		 "\0DNE"     /* 00 44 4E 45 */

struct gfh_header {
	uint8_t version;
	uint16_t size;
	uint16_t type;
};

/* 0, -ENODATA (fewer than 8 bytes available), -EBADMSG (no "MMM" magic). */
int gfh_header_parse(const uint8_t *p, size_t avail, struct gfh_header *h);

struct gfh_file_info {
	uint8_t version;
	uint32_t file_ver;
	uint16_t file_type;
	uint8_t flash_dev;
	uint8_t sig_type;
	uint32_t load_addr;
	uint32_t file_len;
	uint32_t max_size;
	uint32_t content_offset;
	uint32_t sig_len;
	uint32_t jump_offset;
	uint32_t attr;
};

/* Strict: magic, version 1, size 0x38, type 0 and the "FILE_INFO\0\0\0" identifier.
 * 0, -ENODATA or -EBADMSG. */
int gfh_file_info_parse(const uint8_t *p, size_t avail, struct gfh_file_info *fi);

struct gfh_block_ref {
	uint32_t off; /* from the start of the image */
	uint16_t type;
	uint16_t size;
	uint8_t version;
};

struct gfh_chain {
	int n;
	struct gfh_block_ref blk[GFH_CHAIN_MAX];
	bool ok;	  /* ends exactly at content_offset */
	uint32_t bad_off; /* where the walk stopped when !ok */
	char why[96];	  /* what was wrong there */
};

/* Walks the blocks back to back from offset 0 up to content_offset, within avail bytes.
 * Always terminates (at most GFH_CHAIN_MAX blocks, every step advances). 0 or -EBADMSG. */
int gfh_chain_walk(const uint8_t *img, size_t avail, uint32_t content_offset, struct gfh_chain *c);
/* First block of the chain with this type, or NULL. */
const struct gfh_block_ref *gfh_chain_find(const struct gfh_chain *c, uint16_t type);

/* "ARM_BL", "PRIMARY_MAUI", ... or NULL for an unknown value. */
const char *gfh_file_type_name(uint16_t file_type);
/* "FILE_INFO", "CMEM_ID_INFO", ... or NULL. */
const char *gfh_block_type_name(uint16_t type);
/* Kit file name for an image type: BOOTLOADER, EXT_BOOTLOADER, ROM, VIVA, else the type
 * name (THIRD_ROM, DSP_ROM...), else "FILE_0xNNNN". Writes into out (>= 24 bytes). */
void gfh_kit_name(uint16_t file_type, char *out, size_t len);

/* ---- tables found inside images -------------------------------------------------------------- */

#define FW_MAX_FLASH_IDS 32 /* CMEM counts above this are rejected as corrupt */

struct fw_flash_id {
	uint8_t dev_type; /* 3 = serial NOR */
	uint8_t id_len;
	uint8_t id[8];
};

struct fw_cmem_ids {
	bool found;
	uint64_t offset; /* of the GFH block, in the dump */
	uint32_t version;
	uint32_t count;
	struct fw_flash_id e[FW_MAX_FLASH_IDS];
};

struct fw_cmem_nor {
	bool found;
	uint64_t offset;
	uint32_t version;
	uint32_t count;
	uint64_t chip_size[FW_MAX_FLASH_IDS]; /* sum of BankSize x Banks per entry */
};

/* Parse a CMEM_ID_INFO / CMEM_NOR_INFO block at p (block start). Strict validation (version,
 * 1 <= count <= FW_MAX_FLASH_IDS, m_size matches count, device types and ID lengths in
 * range, ID padding zero). 0, -ENODATA or -EBADMSG. */
int gfh_cmem_ids_parse(const uint8_t *p, size_t avail, struct fw_cmem_ids *out);
int gfh_cmem_nor_parse(const uint8_t *p, size_t avail, struct fw_cmem_nor *out);

/* JEDEC capacity byte -> bytes (2^n for 0x10..0x1F; Macronix 1.8 V 0x32..0x3A = 2^(n-0x20)),
 * 0 when not a size code. */
uint64_t fw_jedec_capacity(const struct fw_flash_id *id);

/* ---- placing kit images into a flash image --------------------------------------------------
 */

#define FW_PLACE_MAX_FILES 16
#define FW_HB_BRLYT_DESCS  8	  /* descriptors in a BRLYT */
#define FW_BL_OFFSET	   0x800u /* ARM_BL's flash offset after the header block */
#define FW_HB_RW_UNIT	   0x200u /* BRLYT follows SF_BOOT at this offset */

struct fw_blob {
	uint8_t *data;
	size_t len;
};

struct fw_place_opts {
	uint64_t flash_size; /* the chip: a power of two >= 64 KiB, at most 1 GiB */
	uint32_t bl_off;     /* 0: FW_BL_OFFSET */
	bool no_header_block;
};

/* Where fw_place put one file. */
struct fw_placed {
	uint16_t type;
	uint32_t load, off, len, bl_attr;
	const uint8_t *data;
};

/* Places kit files (each a complete GFH image, type and address from its FILE_INFO) into a
 * flash image of flash_size bytes the way the flash tool does: header block (SF_BOOT + BRLYT)
 * at 0, ARM_BL at bl_off, XIP images at load_addr & FW_XIP_MASK, 0xFF elsewhere. Caller frees
 * *out; where[i] (optional, nfiles entries) says where file i went. 0, -EINVAL (bad file,
 * overlap, not XIP), -ENOSPC (does not fit the flash) or -ENOMEM. */
int fw_place(const struct fw_blob *files, int nfiles, const struct fw_place_opts *o, uint8_t **out,
	     struct fw_placed *where);
/* The first GFH block of this type (with at least min bytes) in an image's chain, or NULL. */
const uint8_t *fw_find_block(const uint8_t *img, size_t len, uint16_t type, uint16_t min);

#endif
