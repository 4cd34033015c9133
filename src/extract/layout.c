/* SPDX-License-Identifier: GPL-3.0-or-later */
/* layout_scan: find everything in a full readback from its own headers, never from fixed
 * offsets. Order: blank/mirror (real flash size), header block (SF_BOOT + BRLYT), every GFH
 * FILE_INFO at a 4-byte aligned offset (accepted when its load address points at it, or the
 * header block points at it), then the tables inside ROM, EXT_BOOTLOADER and VIVA. */
#include "mtkbak/errors.h"
#include "mtkbak/hash.h"
#include "mtkbak/extract.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtkbak/byteorder.h"

#define SF_HEADER_LEN  20u /* char id[12], u32 ver, u32 dev_rw_unit */
#define BRLYT_HDR_LEN  20u /* char id[8], u32 ver, u32 boot_region, u32 main_region */
#define BL_DESC_LEN    20u
#define BL_EXIST_MAGIC 0x42424242u
#define ROMINFO_RANGE  0x100000u /* NEW_ROM_INFO_LOCATE_RANGE */
#define VIVA_HDR_LEN   20u
#define ALICE_HDR_MIN  20u

static bool all_same(const uint8_t *d, uint64_t len)
{
	return len > 0 && (len == 1 || memcmp(d, d + 1, (size_t)len - 1) == 0);
}

uint64_t fw_mirror_period(const uint8_t *data, uint64_t len)
{
	for (uint64_t s = FW_MIN_MIRROR; s < len; s <<= 1) {
		bool same = true;

		if (len % s)
			continue;
		for (uint64_t k = s; k < len && same; k += s)
			same = memcmp(data, data + k, (size_t)s) == 0;
		if (same)
			return s;
	}
	return 0;
}

#define MIRROR_PROBE 0x1000u

/* A dump whose copies start alike at a power-of-two period (the header block again at 4 MiB)
 * but differ somewhere: the chip aliases, and the read returned different bytes for the same
 * flash address. A larger chip holds erased or file-system data there, never a second copy
 * of offset 0. */
static void mirror_mismatch(struct fw_layout *l)
{
	const uint8_t *d = l->data;
	uint64_t len = l->dump_len;

	if (len < 2 * FW_MIN_MIRROR || all_same(d, MIRROR_PROBE))
		return;
	for (uint64_t s = FW_MIN_MIRROR; s < len; s <<= 1) {
		bool alike = true;
		uint64_t diff = 0, first = 0;

		if (len % s)
			continue;
		for (uint64_t k = s; k < len && alike; k += s)
			alike = memcmp(d, d + k, MIRROR_PROBE) == 0;
		if (!alike)
			continue;
		for (uint64_t k = s; k < len; k += s)
			for (uint64_t b = 0; b < s; b += MIRROR_PROBE) {
				if (memcmp(d + b, d + k + b, MIRROR_PROBE) == 0)
					continue;
				for (uint64_t i = b; i < b + MIRROR_PROBE; i++)
					if (d[i] != d[k + i] && !diff++)
						first = k + i;
			}
		l->mirror_mismatch = true;
		l->mirror_diff_bytes = diff;
		l->mirror_first_diff = first;
		l->mirror_copies = (uint32_t)(len / s);
		l->flash_size = s;
		l->size_source = FW_SIZE_MIRROR;
		return;
	}
}

/* Copies a fixed-size string field; stops at NUL, replaces non-printable bytes. */
static void copy_field(char *out, size_t outlen, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < outlen && p[i]; i++)
		out[i] = isprint(p[i]) ? (char)p[i] : '?';
	out[i] = '\0';
}

static void scan_header_block(struct fw_layout *l)
{
	struct fw_header_block *hb = &l->hb;
	const uint8_t *d = l->data;
	uint64_t n = l->flash_size;
	uint64_t off;

	if (n < SF_HEADER_LEN) {
		snprintf(hb->why, sizeof(hb->why), "the dump is shorter than a header block");
		return;
	}
	if (memcmp(d, "SF_BOOT\0", 8) != 0) {
		snprintf(hb->why, sizeof(hb->why), "no SF_BOOT identifier at offset 0");
		return;
	}
	hb->sf_boot = true;
	hb->sf_ver = mtk_get_le32(d + 12);
	hb->rw_unit = mtk_get_le32(d + 16);
	if (hb->rw_unit < SF_HEADER_LEN || hb->rw_unit > 0x10000 || (hb->rw_unit & 3)) {
		snprintf(hb->why, sizeof(hb->why), "SF_BOOT read/write unit 0x%X is not plausible",
			 hb->rw_unit);
		return;
	}
	off = hb->rw_unit; /* BRLYT sits one read/write unit after SF_BOOT */
	if (off + BRLYT_HDR_LEN + FW_HB_BRLYT_DESCS * BL_DESC_LEN > n) {
		snprintf(hb->why, sizeof(hb->why),
			 "the dump ends inside the BRLYT record at 0x%llX",
			 (unsigned long long)off);
		return;
	}
	if (memcmp(d + off, "BRLYT\0\0\0", 8) != 0) {
		snprintf(hb->why, sizeof(hb->why), "no BRLYT identifier at 0x%llX",
			 (unsigned long long)off);
		return;
	}
	hb->brlyt = true;
	hb->brlyt_off = off;
	hb->brlyt_ver = mtk_get_le32(d + off + 8);
	hb->boot_region_addr = mtk_get_le32(d + off + 12);
	hb->main_region_addr = mtk_get_le32(d + off + 16);
	for (int i = 0; i < FW_HB_BRLYT_DESCS; i++) {
		const uint8_t *p = d + off + BRLYT_HDR_LEN + BL_DESC_LEN * (unsigned)i;
		struct fw_bl_desc *bd = &hb->desc[hb->ndesc];

		if (mtk_get_le32(p) != BL_EXIST_MAGIC)
			continue;
		bd->slot = i;
		bd->dev = p[4];
		bd->type = mtk_get_le16(p + 6);
		bd->begin = mtk_get_le32(p + 8);
		bd->boundary = mtk_get_le32(p + 12);
		bd->attr = mtk_get_le32(p + 16);
		/* tolerate descriptors written as XIP addresses (0x1000xxxx) */
		bd->begin_off = bd->begin & FW_XIP_MASK;
		bd->boundary_off = bd->boundary & FW_XIP_MASK;
		hb->ndesc++;
	}
}

static int desc_at(const struct fw_layout *l, uint64_t off)
{
	for (int i = 0; i < l->hb.ndesc; i++)
		if (l->hb.desc[i].begin_off == off)
			return i;
	return -1;
}

static void reject(struct fw_layout *l, uint64_t off, const char *why)
{
	if (l->nrejects < FW_MAX_REJECTS) {
		l->rejects[l->nrejects].offset = off;
		snprintf(l->rejects[l->nrejects].why, sizeof(l->rejects[0].why), "%.95s", why);
	}
	l->nrejects++;
}

static bool is_xip_addr(uint32_t load)
{
	return (load & ~FW_XIP_MASK) == FW_XIP_BASE;
}

static bool inside_image(const struct fw_layout *l, uint64_t off)
{
	for (int i = 0; i < l->nimages; i++) {
		const struct fw_image_info *im = &l->img[i];
		uint64_t end = im->offset + (im->length ? im->length : GFH_FILE_INFO_LEN);

		if (off >= im->offset && off < end)
			return true;
	}
	return false;
}

static void verify_phash(const struct fw_layout *l, struct fw_image_info *im)
{
	const uint8_t *p = l->data + im->offset;

	if (im->fi.sig_type != GFH_SIG_PHASH) {
		im->sha1 = FW_HASH_NONE;
		return;
	}
	if (im->truncated || im->len_unset || im->fi.sig_len != GFH_PHASH_LEN ||
	    im->length < (uint64_t)GFH_FILE_INFO_LEN + GFH_PHASH_LEN + 4) {
		im->sha1 = FW_HASH_UNCHECKED;
		return;
	}
	mtk_sha1(p, (size_t)(im->length - GFH_PHASH_LEN), im->sha1_calc);
	memcpy(im->sha1_stored, p + im->length - GFH_PHASH_LEN, MTK_SHA1_LEN);
	im->sha1 =
	    memcmp(im->sha1_calc, im->sha1_stored, MTK_SHA1_LEN) == 0 ? FW_HASH_OK : FW_HASH_BAD;
	im->dne_ok = memcmp(p + im->length - GFH_PHASH_LEN - 4, FW_DNE_MARKER, 4) == 0;
}

static void add_image(struct fw_layout *l, uint64_t off, const struct gfh_file_info *fi, int desc)
{
	struct fw_image_info *im;
	uint64_t room = l->flash_size - off;

	if (l->nimages >= FW_MAX_IMAGES) {
		l->too_many_images = true;
		return;
	}
	im = &l->img[l->nimages++];
	memset(im, 0, sizeof(*im));
	im->fi = *fi;
	im->offset = off;
	im->in_brlyt = desc >= 0;
	im->xip_placed = is_xip_addr(fi->load_addr) && (fi->load_addr & FW_XIP_MASK) == off;
	im->bl_attr = UINT32_MAX;
	if (fi->file_len == GFH_FILE_LEN_UNSET) {
		im->len_unset = true;
		im->length = 0;
		im->avail = room < GFH_MAX_CONTENT_OFF ? room : GFH_MAX_CONTENT_OFF;
	} else {
		im->length = fi->file_len;
		im->truncated = im->length > room;
		im->avail = im->truncated ? room : im->length;
	}
	gfh_chain_walk(l->data + off, (size_t)im->avail, fi->content_offset, &im->chain);
	const struct gfh_block_ref *bi = gfh_chain_find(&im->chain, GFH_BLK_BL_INFO);
	if (bi && bi->size >= 12)
		im->bl_attr = mtk_get_le32(l->data + off + bi->off + 8);
	verify_phash(l, im);
}

static int cmp_image(const void *a, const void *b)
{
	const struct fw_image_info *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* The next 4-byte aligned offset >= from holding an 'M' (a GFH header starts "MMM"), or n.
 * memchr skips code and erased flash many bytes at a time. */
static uint64_t next_m(const uint8_t *d, uint64_t n, uint64_t from)
{
	while (from < n) {
		const uint8_t *m = memchr(d + from, 'M', (size_t)(n - from));

		if (!m)
			return n;
		from = (uint64_t)(m - d);
		if ((from & 3) == 0)
			return from;
		from = (from + 3) & ~3ull;
	}
	return n;
}

static void scan_images(struct fw_layout *l)
{
	const uint8_t *d = l->data;
	uint64_t n = l->flash_size;
	uint64_t bl_candidate = UINT64_MAX;
	struct gfh_file_info bl_fi;
	char why[96];

	for (uint64_t off = next_m(d, n, 0); off + GFH_FILE_INFO_LEN <= n;
	     off = next_m(d, n, off + 4)) {
		struct gfh_file_info fi;
		int desc;

		if (mtk_get_le32(d + off) != (GFH_MAGIC | 0x01000000u) ||
		    mtk_get_le32(d + off + 4) != 0x38)
			continue;
		if (gfh_file_info_parse(d + off, (size_t)(n - off), &fi) < 0) {
			reject(l, off, "FILE_INFO-like header with a damaged identifier");
			continue;
		}
		desc = desc_at(l, off);
		if (desc >= 0 ||
		    (is_xip_addr(fi.load_addr) && (fi.load_addr & FW_XIP_MASK) == off)) {
			add_image(l, off, &fi, desc);
			continue;
		}
		if (fi.file_type == GFH_FT_ARM_BL && !is_xip_addr(fi.load_addr)) {
			/* a first bootloader the header block does not point to (HB damaged) */
			if (bl_candidate == UINT64_MAX) {
				bl_candidate = off;
				bl_fi = fi;
			}
			continue;
		}
		snprintf(why, sizeof(why), "%s with load address 0x%08X that does not point here",
			 gfh_file_type_name(fi.file_type) ? gfh_file_type_name(fi.file_type)
							  : "unknown type",
			 fi.load_addr);
		reject(l, off, why);
	}
	/* descriptors that point at unaligned offsets are not seen by the scan */
	for (int i = 0; i < l->hb.ndesc; i++) {
		uint64_t off = l->hb.desc[i].begin_off;
		struct gfh_file_info fi;
		bool known = false;

		for (int k = 0; k < l->nimages; k++)
			known |= l->img[k].offset == off;
		if (known || (off & 3) == 0 || off >= n)
			continue;
		if (gfh_file_info_parse(d + off, (size_t)(n - off), &fi) == 0)
			add_image(l, off, &fi, i);
	}
	bool have_bl = false;
	for (int k = 0; k < l->nimages; k++)
		have_bl |= l->img[k].fi.file_type == GFH_FT_ARM_BL;
	if (!have_bl && bl_candidate != UINT64_MAX && !inside_image(l, bl_candidate))
		add_image(l, bl_candidate, &bl_fi, -1);
	else if (bl_candidate != UINT64_MAX)
		reject(l, bl_candidate, "ARM_BL header that the header block does not point to");
	qsort(l->img, (size_t)l->nimages, sizeof(l->img[0]), cmp_image);

	/* unique kit names, first image of each kind */
	for (int i = 0; i < l->nimages; i++) {
		struct fw_image_info *im = &l->img[i];
		char base[24];
		int dup = 0;

		gfh_kit_name(im->fi.file_type, base, sizeof(base));
		for (int k = 0; k < i; k++) {
			char other[24];

			gfh_kit_name(l->img[k].fi.file_type, other, sizeof(other));
			dup += strcmp(base, other) == 0;
		}
		if (dup)
			snprintf(im->name, sizeof(im->name), "%.16s_%u", base,
				 (unsigned)(dup + 1) & 0xFFu);
		else
			snprintf(im->name, sizeof(im->name), "%s", base);
		switch (im->fi.file_type) {
		case GFH_FT_ARM_BL:
			if (l->bl < 0)
				l->bl = i;
			break;
		case GFH_FT_ARM_EXT_BL:
			if (l->ext_bl < 0)
				l->ext_bl = i;
			break;
		case GFH_FT_PRIMARY_MAUI:
			if (l->rom < 0)
				l->rom = i;
			break;
		case GFH_FT_VIVA:
			if (l->viva < 0)
				l->viva = i;
			break;
		default:
			break;
		}
	}
}

static void scan_rom_tables(struct fw_layout *l)
{
	const struct fw_image_info *im = &l->img[l->rom];
	const uint8_t *p = l->data + im->offset;

	for (int i = 0; i < im->chain.n; i++) {
		const struct gfh_block_ref *b = &im->chain.blk[i];
		const uint8_t *q = p + b->off;

		switch (b->type) {
		case GFH_BLK_MAUI_INFO:
			if (b->size < 0xE4 || l->maui_info)
				break;
			l->maui_info = true;
			l->maui_info_off = im->offset + b->off;
			copy_field(l->platform_id, sizeof(l->platform_id), q + 0x08, 128);
			copy_field(l->project_id, sizeof(l->project_id), q + 0x88, 64);
			l->sds.offset = mtk_get_le32(q + 0xDC);
			l->sds.length = mtk_get_le32(q + 0xE0);
			l->sds.present = l->sds.length != 0;
			break;
		case GFH_BLK_FLASH_INFO:
			if (b->size < 0x24 || l->flash_info)
				break;
			l->flash_info = true;
			l->flash_info_off = im->offset + b->off;
			l->fat.offset = mtk_get_le32(q + 0x1C);
			l->fat.length = mtk_get_le32(q + 0x20);
			l->fat.present = l->fat.length != 0;
			break;
		case GFH_BLK_CMEM_ID_INFO:
			if (!l->rom_ids.found && gfh_cmem_ids_parse(q, b->size, &l->rom_ids) == 0)
				l->rom_ids.offset = im->offset + b->off;
			break;
		case GFH_BLK_CMEM_NOR_INFO:
			if (!l->rom_nor.found && gfh_cmem_nor_parse(q, b->size, &l->rom_nor) == 0)
				l->rom_nor.offset = im->offset + b->off;
			break;
		default:
			break;
		}
	}

	/* legacy MTK_ROMINFO_vNN block: platform string, cross-checked with MAUI_INFO */
	uint64_t range = im->avail < ROMINFO_RANGE ? im->avail : ROMINFO_RANGE;
	for (uint64_t off = 0; off + 16 + 128 <= range; off += 4) {
		if (p[off] == 'M' && memcmp(p + off, "MTK_ROMINFO_v", 13) == 0) {
			l->rominfo = true;
			l->rominfo_off = im->offset + off;
			copy_field(l->rominfo_platform, sizeof(l->rominfo_platform), p + off + 16,
				   128);
			break;
		}
	}
}

/* EXT_BOOTLOADER carries a copy of the CMEM tables in its body (BOOTLOADER_GFH_EXT). */
static void scan_ext_bl_tables(struct fw_layout *l)
{
	const struct fw_image_info *im = &l->img[l->ext_bl];
	const uint8_t *p = l->data + im->offset;
	uint64_t start = im->fi.content_offset & ~3u;

	for (uint64_t off = start; off + 16 <= im->avail; off += 4) {
		uint16_t type;

		if (mtk_get_le32(p + off) != (GFH_MAGIC | 0x01000000u))
			continue;
		type = mtk_get_le16(p + off + 6);
		if (type == GFH_BLK_CMEM_ID_INFO && !l->ext_ids.found &&
		    gfh_cmem_ids_parse(p + off, (size_t)(im->avail - off), &l->ext_ids) == 0)
			l->ext_ids.offset = im->offset + off;
		if (type == GFH_BLK_CMEM_NOR_INFO && !l->ext_nor.found &&
		    gfh_cmem_nor_parse(p + off, (size_t)(im->avail - off), &l->ext_nor) == 0)
			l->ext_nor.offset = im->offset + off;
		if (l->ext_ids.found && l->ext_nor.found)
			break;
	}
}

/* VIVA = FILE_INFO + 20-byte header (own address, ..., ALICE address) + ALICE stream. */
static void scan_viva(struct fw_layout *l)
{
	const struct fw_image_info *im = &l->img[l->viva];
	const uint8_t *p = l->data + im->offset;
	uint64_t co = im->fi.content_offset;
	struct fw_viva_info *v = &l->viva_hdr;
	uint64_t rel;

	if (co + VIVA_HDR_LEN > im->avail)
		return;
	v->parsed = true;
	v->self_addr = mtk_get_le32(p + co);
	v->alice_addr = mtk_get_le32(p + co + 16);
	rel = (uint64_t)v->alice_addr - im->fi.load_addr;
	if (v->alice_addr < im->fi.load_addr || rel + ALICE_HDR_MIN > im->avail)
		return;
	if (memcmp(p + rel, "ALICE_", 6) != 0 || p[rel + 7] != 0)
		return;
	v->alice = true;
	copy_field(v->alice_magic, sizeof(v->alice_magic), p + rel, 8);
	v->alice_base = mtk_get_le32(p + rel + 8);
	v->alice_map = mtk_get_le32(p + rel + 12);
	v->alice_dict = mtk_get_le32(p + rel + 16);
}

/* The "MTnnnn" token must stand alone ("_MT6261_"); the variant letter comes from a separate
 * token made of the last two digits and one letter ("_60A_": MT6260A). RePhone's board name
 * "SEEED02A" is not a separate token, so its platform stays MT2502 as in its real cfg. */
void fw_platform_name(const char *platform_id, const char *project_id, char *out, size_t len)
{
	const char *srcs[2] = {platform_id ? platform_id : "", project_id ? project_id : ""};
	char chip[12] = "", variant = 0;
	bool conflict = false;

	out[0] = '\0';
	for (int s = 0; s < 2 && !chip[0]; s++) {
		const char *t = srcs[s];

		for (size_t i = 0; t[i]; i++) {
			bool start = i == 0 || !isalnum((unsigned char)t[i - 1]);
			size_t k = i + 2, letters = 0;

			if (!start || toupper((unsigned char)t[i]) != 'M' ||
			    toupper((unsigned char)t[i + 1]) != 'T')
				continue;
			while (k < i + 6 && isdigit((unsigned char)t[k]))
				k++;
			if (k != i + 6)
				continue;
			/* "MT6261D", "MT6260DA": the variant is part of the token */
			while (letters < 2 && isupper((unsigned char)t[k + letters]))
				letters++;
			if (isalnum((unsigned char)t[k + letters]))
				continue;
			snprintf(chip, sizeof(chip), "MT%.4s%.*s", t + i + 2, (int)letters, t + k);
			break;
		}
	}
	if (!chip[0])
		return;
	if (chip[6]) {
		snprintf(out, len, "%s", chip);
		return;
	}
	for (int s = 0; s < 2; s++) {
		const char *t = srcs[s];

		for (size_t i = 0; t[i]; i++) {
			bool start = i == 0 || !isalnum((unsigned char)t[i - 1]);

			if (!start || t[i] != chip[4] || t[i + 1] != chip[5] ||
			    !isupper((unsigned char)t[i + 2]) || isalnum((unsigned char)t[i + 3]))
				continue;
			if (variant && variant != t[i + 2])
				conflict = true;
			variant = t[i + 2];
		}
	}
	if (variant && !conflict)
		snprintf(out, len, "%s%c", chip, variant);
	else
		snprintf(out, len, "%s", chip);
}

int layout_scan(const uint8_t *data, uint64_t len, struct fw_layout *l, const struct mtk_log *log)
{
	if (!l || (!data && len) || len > FW_MAX_DUMP_SIZE)
		return -EINVAL;
	memset(l, 0, sizeof(*l));
	l->data = data;
	l->dump_len = len;
	l->flash_size = len;
	l->bl = l->ext_bl = l->rom = l->viva = -1;

	if (all_same(data, len)) {
		l->blank = true;
		l->blank_byte = data[0];
	} else {
		uint64_t period = fw_mirror_period(data, len);

		if (period) {
			l->mirrored = true;
			l->size_source = FW_SIZE_MIRROR;
			l->flash_size = period;
			l->mirror_copies = (uint32_t)(len / period);
			mtk_logf(log, MTK_LOG_INFO,
				 "the dump repeats every 0x%llX bytes (%u copies): the flash is "
				 "0x%llX bytes",
				 (unsigned long long)period, l->mirror_copies,
				 (unsigned long long)period);
		} else {
			mirror_mismatch(l);
		}
	}
	scan_header_block(l);
	scan_images(l);
	for (int i = 0; i < l->nrejects && i < FW_MAX_REJECTS; i++)
		mtk_logf(log, MTK_LOG_DEBUG, "ignored GFH header at 0x%08llX: %s",
			 (unsigned long long)l->rejects[i].offset, l->rejects[i].why);
	for (int i = 0; i < l->nimages; i++)
		mtk_logf(log, MTK_LOG_INFO, "%s (%s) at 0x%08llX, 0x%llX bytes, load 0x%08X",
			 l->img[i].name,
			 gfh_file_type_name(l->img[i].fi.file_type)
			     ? gfh_file_type_name(l->img[i].fi.file_type)
			     : "?",
			 (unsigned long long)l->img[i].offset, (unsigned long long)l->img[i].length,
			 l->img[i].fi.load_addr);
	if (l->rom >= 0)
		scan_rom_tables(l);
	if (l->ext_bl >= 0)
		scan_ext_bl_tables(l);
	if (l->viva >= 0)
		scan_viva(l);
	fw_platform_name(l->platform_id, l->project_id, l->platform, sizeof(l->platform));
	return 0;
}
