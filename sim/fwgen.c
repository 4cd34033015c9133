/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Synthetic MT6261-style firmware and full flash images (see fwgen.h). The structures follow
 * doc/firmware-layout.md section 8; every content byte comes from a seeded generator. */
#include "mtkbak/fwgen.h"
#include "mtkbak/firmware.h"
#include "mtkbak/errors.h"
#include "mtkbak/hash.h"
#include "mtkbak/byteorder.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB	       0x100000u
#define XIP_BASE       0x10000000u
#define XIP_MASK       0x07FFFFFFu
#define BL_LOAD	       0x70006000u
#define FILE_INFO_LEN  0x38u
#define PHASH_LEN      0x20u
#define ROMINFO_OFFSET 0x670u

enum {
	FT_ARM_BL = 0x0001,
	FT_ARM_EXT_BL = 0x0002,
	FT_PRIMARY_MAUI = 0x0100,
	FT_VIVA = 0x0108,
};

/* ---- little helpers ---- */

/* xorshift32: fast, deterministic, good enough to look like code */
static uint32_t rng(uint32_t *s)
{
	uint32_t x = *s ? *s : 0x6261u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

static void fill_random(uint8_t *p, size_t n, uint32_t *s)
{
	size_t i = 0;

	for (; i + 4 <= n; i += 4)
		mtk_put_le32(p + i, rng(s));
	for (; i < n; i++)
		p[i] = (uint8_t)rng(s);
}

/* Thumb-looking "code": push/pop, bl pairs and loads in a pseudo-random mix. */
static void fill_code(uint8_t *p, size_t n, uint32_t *s)
{
	static const uint16_t ops[] = {0xB510, 0xBD10, 0x4770, 0x2000, 0x6800, 0x6008,
				       0x4B02, 0x1C40, 0x2800, 0xD1FB, 0x46C0, 0xB5F8};
	size_t i = 0;

	for (; i + 2 <= n; i += 2) {
		uint32_t r = rng(s);

		mtk_put_le16(p + i, (r & 3) ? ops[(r >> 8) % (sizeof(ops) / sizeof(ops[0]))]
					    : (uint16_t)(r >> 16));
	}
	if (i < n)
		p[i] = 0;
}

static void gfh_hdr(uint8_t *p, uint8_t ver, uint16_t size, uint16_t type)
{
	p[0] = 'M';
	p[1] = 'M';
	p[2] = 'M';
	p[3] = ver;
	mtk_put_le16(p + 4, size);
	mtk_put_le16(p + 6, type);
}

static void file_info(uint8_t *p, uint16_t type, uint8_t sig, uint32_t load, uint32_t len,
		      uint32_t content, uint32_t jump, uint32_t attr)
{
	gfh_hdr(p, 1, FILE_INFO_LEN, 0x0000);
	memcpy(p + 8, "FILE_INFO\0\0\0", 12);
	mtk_put_le32(p + 0x14, 1);
	mtk_put_le16(p + 0x18, type);
	p[0x1A] = 7; /* F_SF */
	p[0x1B] = sig;
	mtk_put_le32(p + 0x1C, load);
	mtk_put_le32(p + 0x20, len);
	mtk_put_le32(p + 0x24, 0xFFFFFFFFu);
	mtk_put_le32(p + 0x28, content);
	mtk_put_le32(p + 0x2C, sig ? PHASH_LEN : 0);
	mtk_put_le32(p + 0x30, jump);
	mtk_put_le32(p + 0x34, attr);
}

/* "\0DNE" + SHA-1 over everything before the 32-byte trailer + 12 zero bytes */
static void phash_trailer(uint8_t *img, size_t len)
{
	memcpy(img + len - PHASH_LEN - 4, "\0DNE", 4);
	memset(img + len - PHASH_LEN, 0, PHASH_LEN);
	mtk_sha1(img, len - PHASH_LEN, img + len - PHASH_LEN);
}

/* JEDEC capacity byte -> log2(bytes): 0x10..0x1F, or Macronix 1.8 V 0x32..0x3A; 0 if neither */
static unsigned capacity_log2(uint8_t c)
{
	if (c >= 0x10 && c <= 0x1F)
		return c;
	if (c >= 0x32 && c <= 0x3A)
		return (unsigned)c - 0x20;
	return 0;
}

static size_t cmem_ids_size(int n)
{
	return (16u + 10u * (unsigned)n + 3u) & ~3u;
}

static size_t cmem_nor_size(int n)
{
	return 16u + 136u * (unsigned)n;
}

static void cmem_ids(uint8_t *p, const struct fwgen_fw_opts *o)
{
	size_t size = cmem_ids_size(o->nparts);

	memset(p, 0, size);
	gfh_hdr(p, 1, (uint16_t)size, 0x0102);
	mtk_put_le32(p + 8, 1);
	mtk_put_le32(p + 12, (uint32_t)o->nparts);
	for (int i = 0; i < o->nparts; i++) {
		uint8_t *e = p + 16 + 10 * i;

		e[0] = 3; /* serial NOR */
		e[1] = 3;
		memcpy(e + 2, o->part_ids[i], 3);
	}
}

static void cmem_nor(uint8_t *p, const struct fwgen_fw_opts *o)
{
	size_t size = cmem_nor_size(o->nparts);

	memset(p, 0, size);
	gfh_hdr(p, 1, (uint16_t)size, 0x0103);
	mtk_put_le32(p + 8, 2);
	mtk_put_le32(p + 12, (uint32_t)o->nparts);
	for (int i = 0; i < o->nparts; i++) {
		uint8_t *e = p + 16 + 136 * i;

		mtk_put_le16(e + 0, 0);	       /* FDMType */
		mtk_put_le16(e + 2, 0x40);     /* PageBufferSize */
		mtk_put_le32(e + 4, 0x64);     /* UniformBlocks */
		mtk_put_le32(e + 8, 0);	       /* BlockLayout[0]: offset 0 ... */
		mtk_put_le32(e + 12, 0x10000); /* ... 64 KiB blocks */
		mtk_put_le32(e + 72,
			     1u << capacity_log2(o->part_ids[i][2])); /* BankInfo[0]: size x 1 */
		mtk_put_le32(e + 76, 1);
	}
}

/* ---- options ---- */

int fwgen_demo_options(uint32_t flash_size, struct fwgen_fw_opts *o)
{
	/* GD25Q32 + GD25Q64, W25Q128 + GD25Q128: the simulated watch reports C8 40 <log2 size>
	 * by default, so its chip is in the list at every size */
	static const uint8_t small[2][3] = {{0xC8, 0x40, 0x16}, {0xC8, 0x40, 0x17}};
	static const uint8_t large[2][3] = {{0xEF, 0x40, 0x18}, {0xC8, 0x40, 0x18}};

	if (flash_size != 4 * MIB && flash_size != 8 * MIB && flash_size != 16 * MIB)
		return -EINVAL;
	memset(o, 0, sizeof(*o));
	o->seed = 0x6261u;
	o->platform_id = "MTKBAK_DEMO_PCB01_gprs_MT6261_S00.MAUI_11CW1418SP5_W20_01.bin";
	o->project_id = "MTKBAK_DEMO_WATCH_V10_20240101";
	o->nparts = 2;
	memcpy(o->part_ids, flash_size == 16 * MIB ? large : small, sizeof(small));
	o->bl_len = 0x1800;
	o->ext_bl_off = 0x3000;
	o->ext_bl_len = 0x9000;
	o->rom_off = 0x10000;
	o->rom_len = 0x60000;
	o->viva_len = 0x30000;
	o->viva_gap = 0x400;
	if (flash_size == 16 * MIB) {
		/* like a 16 MiB RePhone build: a big file system and a secure data area */
		o->fat_off = 0x500000;
		o->fat_len = 0xAFE000;
		o->sds_off = 0xFFE000;
		o->sds_len = 0x2000;
	} else {
		/* one firmware for both the 4 and the 8 MiB part: it must fit the smaller one */
		o->fat_off = 0x300000;
		o->fat_len = 0x100000;
	}
	return 0;
}

int fwgen_demo_jedec(uint32_t flash_size, uint8_t id[3])
{
	static const uint8_t ids[3][3] = {
	    {0xC8, 0x40, 0x16}, {0xC8, 0x40, 0x17}, {0xC8, 0x40, 0x18}};

	switch (flash_size) {
	case 4 * MIB:
		memcpy(id, ids[0], 3);
		return 0;
	case 8 * MIB:
		memcpy(id, ids[1], 3);
		return 0;
	case 16 * MIB:
		memcpy(id, ids[2], 3);
		return 0;
	default:
		return -EINVAL;
	}
}

static void defaults(const struct fwgen_fw_opts *in, struct fwgen_fw_opts *o)
{
	struct fwgen_fw_opts d;

	fwgen_demo_options(4 * MIB, &d);
	*o = *in;
#define DEF(f)                                                                                     \
	do {                                                                                       \
		if (!o->f)                                                                         \
			o->f = d.f;                                                                \
	} while (0)
	DEF(seed);
	DEF(platform_id);
	DEF(project_id);
	DEF(bl_len);
	DEF(ext_bl_off);
	DEF(ext_bl_len);
	DEF(rom_off);
	DEF(rom_len);
	DEF(viva_gap);
	if (!o->no_viva)
		DEF(viva_len);
#undef DEF
	if (!o->nparts) {
		o->nparts = d.nparts;
		memcpy(o->part_ids, d.part_ids, sizeof(d.part_ids));
	}
}

/* ---- the images ---- */

static int alloc_blob(struct fw_blob *b, size_t len)
{
	b->data = calloc(1, len);
	b->len = len;
	return b->data ? 0 : -ENOMEM;
}

static int make_bl(const struct fwgen_fw_opts *o, uint32_t *seed, struct fw_blob *b)
{
	const uint32_t content = 0x140; /* FILE_INFO, BROM_CFG, BL_INFO, ARM_BL_INFO, EMI, SEC */
	uint8_t *p, *q;

	if (o->bl_len < content + 0x40)
		return -EINVAL;
	if (alloc_blob(b, o->bl_len) < 0)
		return -ENOMEM;
	p = b->data;
	file_info(p, FT_ARM_BL, 1, BL_LOAD, o->bl_len, content, content, 1);
	q = p + FILE_INFO_LEN;
	gfh_hdr(q, 3, 0x64, 0x0007); /* BROM_CFG v3 */
	mtk_put_le32(q + 8, 2);
	mtk_put_le32(q + 12, 3000); /* USB download auto-detect timeout, ms */
	q += 0x64;
	gfh_hdr(q, 1, 0x0C, 0x0001); /* BL_INFO: loaded by the boot ROM */
	mtk_put_le32(q + 8, 1);
	q += 0x0C;
	gfh_hdr(q, 1, 0x1C, 0x0209); /* ARM_BL_INFO */
	mtk_put_le32(q + 8, 1);
	mtk_put_le32(q + 12, 0x560);
	q += 0x1C;
	gfh_hdr(q, 5, 0x4C, 0x0101); /* EMI_LIST v5 */
	mtk_put_le32(q + 8, 5);
	mtk_put_le32(q + 12, 0x01000000);
	memcpy(q + 16, "EMI_INF\0", 8);
	fill_random(q + 24, 0x4C - 24, seed);
	q += 0x4C;
	gfh_hdr(q, 1, 0x30, 0x0008); /* BROM_SEC_CFG */
	mtk_put_le32(q + 8, 3);
	memcpy(q + 12, "MTK", 3);
	fill_code(p + content, o->bl_len - content - PHASH_LEN - 4, seed);
	phash_trailer(p, o->bl_len);
	return 0;
}

static int make_ext_bl(const struct fwgen_fw_opts *o, uint32_t *seed, struct fw_blob *b)
{
	const uint32_t content = 0x60; /* FILE_INFO, BL_INFO, ARM_BL_INFO */
	size_t ids = cmem_ids_size(o->nparts), nor = cmem_nor_size(o->nparts);
	uint32_t tables;
	uint8_t *p;

	if (o->ext_bl_len < content + ids + nor + 0x100)
		return -EINVAL;
	if (alloc_blob(b, o->ext_bl_len) < 0)
		return -ENOMEM;
	p = b->data;
	file_info(p, FT_ARM_EXT_BL, 1, XIP_BASE + o->ext_bl_off, o->ext_bl_len, content, content,
		  3);
	gfh_hdr(p + 0x38, 1, 0x0C, 0x0001); /* BL_INFO: not loaded by the boot ROM */
	gfh_hdr(p + 0x44, 1, 0x1C, 0x0209);
	mtk_put_le32(p + 0x4C, 1);
	mtk_put_le32(p + 0x50, 0x560);
	fill_code(p + content, o->ext_bl_len - content - PHASH_LEN - 4, seed);
	/* the CMEM copy of the BOOTLOADER_GFH_EXT section, in the read-only data near the end */
	tables = (uint32_t)((o->ext_bl_len - PHASH_LEN - 4 - ids - nor - 0x40) & ~3u);
	cmem_ids(p + tables, o);
	cmem_nor(p + tables + ids, o);
	phash_trailer(p, o->ext_bl_len);
	return 0;
}

static void upper_copy(uint8_t *dst, const char *src, size_t n)
{
	for (size_t i = 0; i < n && src[i]; i++)
		dst[i] = (uint8_t)toupper((unsigned char)src[i]);
}

static int make_rom(const struct fwgen_fw_opts *o, uint32_t *seed, struct fw_blob *b)
{
	size_t ids = cmem_ids_size(o->nparts), nor = cmem_nor_size(o->nparts);
	uint32_t content = (uint32_t)(FILE_INFO_LEN + 0x130 + 0x7C + 0x20 + 0x20 + ids + nor);
	uint8_t *p, *q;

	uint32_t rominfo =
	    content + 0x40 > ROMINFO_OFFSET ? (content + 0x4F) & ~0xFu : ROMINFO_OFFSET;

	if (o->rom_len < rominfo + 0x200 || o->rom_len < content + 0x400)
		return -EINVAL;
	if (alloc_blob(b, o->rom_len) < 0)
		return -ENOMEM;
	p = b->data;
	file_info(p, FT_PRIMARY_MAUI, 0, XIP_BASE + o->rom_off, o->rom_len, content, content, 3);
	q = p + FILE_INFO_LEN;
	gfh_hdr(q, 2, 0x130, 0x0200); /* MAUI_INFO v2 */
	strncpy((char *)q + 0x08, o->platform_id, 127);
	strncpy((char *)q + 0x88, o->project_id, 63);
	mtk_put_le32(q + 0xC8, 1);
	mtk_put_le32(q + 0xCC, 0x100);
	mtk_put_le32(q + 0xDC, o->sds_len ? o->sds_off : 0);
	mtk_put_le32(q + 0xE0, o->sds_len);
	mtk_put_le32(q + 0xE4, 1);
	q += 0x130;
	gfh_hdr(q, 1, 0x7C, 0x0207); /* FLASH_INFO v1 */
	mtk_put_le32(q + 0x10, 3);
	mtk_put_le16(q + 0x14, o->part_ids[0][0]);
	mtk_put_le16(q + 0x16, o->part_ids[0][1]);
	mtk_put_le16(q + 0x18, o->part_ids[0][2]);
	mtk_put_le32(q + 0x1C, o->fat_len ? o->fat_off : 0);
	mtk_put_le32(q + 0x20, o->fat_len);
	q += 0x7C;
	gfh_hdr(q, 2, 0x20, 0x020E); /* CBR_INFO v2 */
	q += 0x20;
	gfh_hdr(q, 1, 0x20, 0x020F); /* MBA_INFO */
	mtk_put_le32(q + 8, 5);
	mtk_put_le32(q + 12, 0x06000000);
	mtk_put_le32(q + 16, 0x07000000);
	q += 0x20;
	cmem_ids(q, o);
	cmem_nor(q + ids, o);

	/* ARM vector table (ldr pc, [pc, #0x18]) then code */
	for (int i = 0; i < 8; i++)
		mtk_put_le32(p + content + 4 * (unsigned)i, 0xE59FF018u);
	fill_code(p + content + 32, o->rom_len - content - 32 - 8, seed);
	/* legacy MTK_ROMINFO_v09: upper-cased strings, flash info moved to the GFH */
	q = p + rominfo;
	memset(q, 0, 0x180);
	memcpy(q, "MTK_ROMINFO_v09", 15);
	upper_copy(q + 16, o->platform_id, 127);
	upper_copy(q + 144, o->project_id, 63);
	mtk_put_le16(q + 210, 1);
	memcpy(p + o->rom_len - 8, "\0DNE\xFF\xFF\xFF\xFF", 8);
	return 0;
}

int fwgen_viva(uint32_t off, uint32_t len, uint32_t seed, struct fw_blob *out)
{
	const uint32_t load = XIP_BASE + off, alice = FILE_INFO_LEN + 20;
	uint32_t s = seed ? seed : 0x56495641u;
	uint8_t *p;

	out->data = NULL;
	out->len = 0;
	if (len < 0x100 || (len & 3) || (off & 3) || off > XIP_MASK)
		return -EINVAL;
	if (alloc_blob(out, len) < 0)
		return -ENOMEM;
	p = out->data;
	file_info(p, FT_VIVA, 0, load, len, FILE_INFO_LEN, 0, 3);
	/* VIVA header: own address, three unused words, address of the ALICE stream */
	mtk_put_le32(p + FILE_INFO_LEN, load);
	mtk_put_le32(p + FILE_INFO_LEN + 16, load + alice);
	/* ALICE_2 header: base, map table, dictionary (running to the end), range registers */
	fill_random(p + alice + 40, len - alice - 40, &s);
	memcpy(p + alice, "ALICE_2\0", 8);
	mtk_put_le32(p + alice + 8, load + alice + 40);
	mtk_put_le32(p + alice + 12, load + ((len / 4 * 3) & ~3u));
	mtk_put_le32(p + alice + 16, load + ((len / 8 * 7) & ~3u));
	for (int i = 0; i < 7; i++)
		mtk_put_le16(p + alice + 20 + 2 * i, (uint16_t)(0x1000u << (i % 4)));
	mtk_put_le16(p + alice + 34, 0);
	mtk_put_le32(p + alice + 36, 0);
	return 0;
}

int fwgen_xip_image(uint16_t file_type, uint32_t off, uint32_t len, uint32_t seed,
		    struct fw_blob *out)
{
	uint32_t s = seed ? seed : 0x33524F4Du;

	out->data = NULL;
	out->len = 0;
	if (len < 0x100 || (len & 3) || (off & 3) || off > XIP_MASK)
		return -EINVAL;
	if (alloc_blob(out, len) < 0)
		return -ENOMEM;
	file_info(out->data, file_type, 0, XIP_BASE + off, len, FILE_INFO_LEN, FILE_INFO_LEN, 3);
	fill_code(out->data + FILE_INFO_LEN, len - FILE_INFO_LEN - 8, &s);
	memcpy(out->data + len - 8, "\0DNE\xFF\xFF\xFF\xFF", 8);
	return 0;
}

void fwgen_blobs_free(struct fw_blob *files, int n)
{
	for (int i = 0; i < n; i++) {
		free(files[i].data);
		files[i].data = NULL;
		files[i].len = 0;
	}
}

int fwgen_firmware(const struct fwgen_fw_opts *in, struct fw_blob files[FWGEN_MAX_FILES],
		   int *nfiles)
{
	struct fwgen_fw_opts o;
	uint32_t seed;
	int n = 0, ret;

	*nfiles = 0;
	if (!in || in->nparts < 0 || in->nparts > FWGEN_MAX_PARTS || in->nextras < 0 ||
	    in->nextras > FWGEN_MAX_EXTRAS)
		return -EINVAL;
	defaults(in, &o);
	if ((o.bl_len | o.ext_bl_off | o.ext_bl_len | o.rom_off | o.rom_len | o.viva_len |
	     o.viva_gap) &
	    3)
		return -EINVAL;
	for (int i = 0; i < o.nparts; i++)
		if (!capacity_log2(o.part_ids[i][2]))
			return -EINVAL;
	memset(files, 0, sizeof(files[0]) * FWGEN_MAX_FILES);
	seed = o.seed;
	ret = make_bl(&o, &seed, &files[n++]);
	if (ret == 0)
		ret = make_ext_bl(&o, &seed, &files[n++]);
	if (ret == 0)
		ret = make_rom(&o, &seed, &files[n++]);
	if (ret == 0 && !o.no_viva)
		ret = fwgen_viva(o.rom_off + o.rom_len + o.viva_gap, o.viva_len, rng(&seed),
				 &files[n++]);
	for (int i = 0; ret == 0 && i < o.nextras; i++)
		ret = fwgen_xip_image(o.extras[i].file_type, o.extras[i].offset, o.extras[i].len,
				      rng(&seed), &files[n++]);
	if (ret < 0) {
		fwgen_blobs_free(files, FWGEN_MAX_FILES);
		return ret;
	}
	*nfiles = n;
	return 0;
}

/* ---- the flash image (placement itself is fw_place, in the firmware layer) ---- */

/* NVRAM-like records in the file-system region: a small header per 4 KiB NOR block and
 * named records (IMEI, calibration, settings) with pseudo-random payloads. */
static void fill_nvram(uint8_t *p, uint64_t len, uint32_t seed)
{
	static const char *const names[] = {
	    "Z:\\NVRAM\\NVD_IMEI\\MP0B_001", "Z:\\NVRAM\\CALIBRAT\\ML1B_000",
	    "Z:\\NVRAM\\NVD_DATA\\MPA3_002", "Z:\\NVRAM\\NVD_CORE\\SYS5_003",
	    "Z:\\@DOWNLOAD\\SETTING.DAT",    "Z:\\NVRAM\\CALIBRAT\\BT00_001",
	};
	uint64_t used = len / 4 < 0x40000 ? len / 4 : 0x40000; /* the rest stays erased */
	uint32_t s = seed ? seed : 0x4E56524Du;

	for (uint64_t blk = 0; blk + 0x1000 <= used; blk += 0x1000) {
		uint8_t *b = p + blk;
		size_t pos = 16;

		memcpy(b, "MTKFDM\0\0", 8);
		mtk_put_le32(b + 8, (uint32_t)(blk / 0x1000));
		mtk_put_le32(b + 12, 1 + rng(&s) % 50); /* erase count */
		while (pos + 64 + 256 < 0x1000) {
			const char *n = names[rng(&s) % (sizeof(names) / sizeof(names[0]))];
			uint32_t plen = 16 + rng(&s) % 200;

			mtk_put_le32(b + pos, 0x4C49445Fu); /* "_DIL" record magic */
			mtk_put_le32(b + pos + 4, plen);
			snprintf((char *)b + pos + 8, 48, "%s", n);
			if (strstr(n, "IMEI"))
				snprintf((char *)b + pos + 56, 17, "35%013u",
					 rng(&s) % 1000000000u);
			else
				fill_random(b + pos + 56, plen, &s);
			pos += (56 + plen + 3) & ~(size_t)3;
		}
	}
}

int fwgen_flash(const struct fw_blob *files, int nfiles, const struct fwgen_flash_opts *o,
		uint8_t **out, size_t *len)
{
	struct fw_place_opts po = {.flash_size = o->flash_size,
				   .bl_off = o->bl_off,
				   .no_header_block = o->no_header_block};
	struct fw_placed pl[FW_PLACE_MAX_FILES];
	uint64_t read = o->read_size ? o->read_size : o->flash_size;
	uint8_t *img, *big;
	int ret;

	*out = NULL;
	*len = 0;
	if (nfiles < 0 || nfiles > FW_PLACE_MAX_FILES || o->flash_size < 0x10000 ||
	    read % o->flash_size || read > (1ull << 30))
		return -EINVAL;
	ret = fw_place(files, nfiles, &po, &img, pl);
	if (ret < 0)
		return ret;
	big = realloc(img, (size_t)read);
	if (!big) {
		free(img);
		return -ENOMEM;
	}
	img = big;
	for (int i = 0; i < nfiles; i++) {
		const uint8_t *b;

		if (pl[i].type != GFH_FT_PRIMARY_MAUI)
			continue;
		b = fw_find_block(pl[i].data, pl[i].len, GFH_BLK_FLASH_INFO, 0x24);
		if (b && !o->no_fat_data) {
			uint64_t fo = mtk_get_le32(b + 0x1C), fl = mtk_get_le32(b + 0x20);

			if (fl && fo + fl <= o->flash_size)
				fill_nvram(img + fo, fl, o->seed);
		}
		b = fw_find_block(pl[i].data, pl[i].len, GFH_BLK_MAUI_INFO, 0xE4);
		if (b && !o->no_fat_data) {
			uint64_t so = mtk_get_le32(b + 0xDC), sl = mtk_get_le32(b + 0xE0);
			uint32_t s = o->seed ^ 0x534453u;

			if (sl && so + sl <= o->flash_size)
				fill_random(img + so, (size_t)(sl / 2), &s); /* half used */
		}
		break;
	}
	for (uint64_t k = o->flash_size; k < read; k += o->flash_size)
		memcpy(img + k, img, (size_t)o->flash_size);
	*out = img;
	*len = (size_t)read;
	return 0;
}

int fwgen_demo(uint32_t flash_size, uint8_t **out, size_t *len)
{
	struct fwgen_fw_opts o;
	struct fwgen_flash_opts fo = {0};
	struct fw_blob files[FWGEN_MAX_FILES];
	int n, ret;

	*out = NULL;
	*len = 0;
	ret = fwgen_demo_options(flash_size, &o);
	if (ret < 0)
		return ret;
	ret = fwgen_firmware(&o, files, &n);
	if (ret < 0)
		return ret;
	fo.flash_size = flash_size;
	fo.seed = o.seed;
	ret = fwgen_flash(files, n, &fo, out, len);
	fwgen_blobs_free(files, n);
	return ret;
}
