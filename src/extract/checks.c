/* SPDX-License-Identifier: GPL-3.0-or-later */
/* layout_check: the health checks of a full readback. Each check is one function in the table
 * at the end; it adds one finding (or one per image) with the offsets it talks about. */
#include "mtkbak/errors.h"
#include "mtkbak/extract.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mtkbak/byteorder.h"
#include "mtkbak/text.h"

typedef unsigned long long ull;

const char *fw_severity_name(enum fw_severity s)
{
	switch (s) {
	case FW_SEV_OK:
		return "ok";
	case FW_SEV_WARN:
		return "warn";
	default:
		return "FAIL";
	}
}

/* ---- building messages ---- */

struct msg {
	char buf[400];
	size_t len;
};

static void msg_add(struct msg *m, const char *fmt, ...) MTK_PRINTF(2, 3);
static void msg_add(struct msg *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (m->len + 1 >= sizeof(m->buf))
		return;
	va_start(ap, fmt);
	n = vsnprintf(m->buf + m->len, sizeof(m->buf) - m->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		m->len +=
		    (size_t)n < sizeof(m->buf) - m->len ? (size_t)n : sizeof(m->buf) - m->len - 1;
}

/* "; " between parts */
static void msg_sep(struct msg *m)
{
	if (m->len)
		msg_add(m, "; ");
}

static struct fw_finding *add(struct fw_findings *fs, const char *name, enum fw_severity sev,
			      bool unsafe, const char *message)
{
	struct fw_finding *f;

	if (fs->n >= FW_MAX_FINDINGS)
		return NULL;
	f = &fs->f[fs->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->sev = sev;
	f->unsafe = sev == FW_SEV_FAIL && unsafe;
	snprintf(f->message, sizeof(f->message), "%s", message);
	return f;
}

static void add_off(struct fw_finding *f, uint64_t off)
{
	if (f && f->noffsets < FW_FINDING_OFFSETS)
		f->offsets[f->noffsets++] = off;
}

static void id_text(const struct fw_flash_id *id, char *out, size_t len)
{
	size_t pos = 0;

	out[0] = '\0';
	for (unsigned k = 0; k < id->id_len && k < 8; k++) {
		int n = snprintf(out + pos, len - pos, "%s%02X", k ? " " : "", id->id[k]);

		if (n < 0 || (size_t)n >= len - pos)
			break;
		pos += (size_t)n;
	}
}

static uint64_t image_end(const struct fw_image_info *im)
{
	return im->offset + (im->len_unset ? im->avail : im->length);
}

static const struct fw_cmem_ids *id_list(const struct fw_layout *l)
{
	return l->rom_ids.found ? &l->rom_ids : &l->ext_ids;
}

static const struct fw_cmem_nor *nor_list(const struct fw_layout *l)
{
	return l->rom_nor.found ? &l->rom_nor : &l->ext_nor;
}

/* ---- the checks ---- */

static void check_dump(const struct fw_layout *l, const struct fw_check_opts *o,
		       struct fw_findings *fs)
{
	struct msg m = {0};
	char sz[32];

	(void)o;
	mtk_size_text(l->dump_len, sz, sizeof(sz));
	if (l->dump_len == 0) {
		add(fs, "dump", FW_SEV_FAIL, true,
		    "the file is empty (0 bytes): the readback wrote nothing; read the flash "
		    "again");
		return;
	}
	if (l->blank) {
		msg_add(
		    &m,
		    "all %llu bytes are 0x%02X: the read returned no data (erased or absent chip, "
		    "or a failed read); read the flash again",
		    (ull)l->dump_len, l->blank_byte);
		add(fs, "dump", FW_SEV_FAIL, true, m.buf);
		return;
	}
	if (l->dump_len < FW_MIN_MIRROR) {
		msg_add(&m,
			"only %llu bytes: far too short for a full flash readback (a watch's "
			"flash holds 1 MiB or more)",
			(ull)l->dump_len);
		add(fs, "dump", FW_SEV_FAIL, true, m.buf);
		return;
	}
	msg_add(&m, "%llu bytes (%s)", (ull)l->dump_len, sz);
	add(fs, "dump", FW_SEV_OK, false, m.buf);
}

static const struct fw_image_info *image_at(const struct fw_layout *l, uint64_t off)
{
	for (int i = 0; i < l->nimages; i++)
		if (l->img[i].offset == off)
			return &l->img[i];
	return NULL;
}

static void check_header_block(const struct fw_layout *l, const struct fw_check_opts *o,
			       struct fw_findings *fs)
{
	const struct fw_header_block *hb = &l->hb;
	struct msg bad = {0}, note = {0}, ok = {0};
	struct fw_finding *f;

	(void)o;
	if (!hb->sf_boot || !hb->brlyt) {
		msg_add(
		    &bad,
		    "%s: the boot ROM will not find the bootloader in this flash as it is (a kit "
		    "can still be flashed: SP Flash Tool writes a new header block)",
		    hb->why[0] ? hb->why : "no header block");
		f = add(fs, "header_block", FW_SEV_FAIL, false, bad.buf);
		add_off(f, hb->sf_boot ? hb->rw_unit : 0);
		return;
	}
	msg_add(&ok, "SF_BOOT v%u at 0x00000000 (unit 0x%X), BRLYT v%u at 0x%08llX", hb->sf_ver,
		hb->rw_unit, hb->brlyt_ver, (ull)hb->brlyt_off);
	if (hb->sf_ver != 1 || hb->brlyt_ver != 1) {
		msg_sep(&note);
		msg_add(&note, "unexpected version (SF_BOOT %u, BRLYT %u)", hb->sf_ver,
			hb->brlyt_ver);
	}
	if (hb->ndesc == 0) {
		msg_sep(&bad);
		msg_add(&bad, "BRLYT at 0x%08llX lists no bootloader", (ull)hb->brlyt_off);
	}
	for (int i = 0; i < hb->ndesc; i++) {
		const struct fw_bl_desc *d = &hb->desc[i];
		const struct fw_image_info *im = image_at(l, d->begin_off);
		const char *tn = gfh_file_type_name(d->type) ? gfh_file_type_name(d->type) : "?";

		if (!im) {
			msg_sep(&bad);
			msg_add(&bad, "descriptor %d (%s) points to 0x%08llX where no image starts",
				d->slot, tn, (ull)d->begin_off);
			continue;
		}
		if (im->fi.file_type != d->type) {
			msg_sep(&bad);
			msg_add(&bad, "descriptor %d says %s but 0x%08llX holds %s", d->slot, tn,
				(ull)d->begin_off, im->name);
			continue;
		}
		if (!im->len_unset && d->boundary_off < im->offset + im->length) {
			msg_sep(&bad);
			msg_add(&bad,
				"descriptor %d boundary 0x%08llX cuts %s (it ends at 0x%08llX)",
				d->slot, (ull)d->boundary_off, im->name,
				(ull)(im->offset + im->length));
			continue;
		}
		if (d->dev != GFH_FLASH_DEV_SF) {
			msg_sep(&note);
			msg_add(&note, "descriptor %d device %u is not serial flash (7)", d->slot,
				d->dev);
		}
		if (im->bl_attr != UINT32_MAX && d->attr != im->bl_attr) {
			msg_sep(&note);
			msg_add(&note, "descriptor %d attribute %u differs from %s BL_INFO %u",
				d->slot, d->attr, im->name, im->bl_attr);
		}
		msg_add(&ok, ", %s 0x%08llX-0x%08llX", im->name, (ull)d->begin_off,
			(ull)d->boundary_off);
	}
	for (int i = 0; i < l->nimages; i++) {
		const struct fw_image_info *im = &l->img[i];

		if ((im->fi.file_type == GFH_FT_ARM_BL || im->fi.file_type == GFH_FT_ARM_EXT_BL) &&
		    !im->in_brlyt) {
			msg_sep(&bad);
			msg_add(&bad, "%s at 0x%08llX is not listed in BRLYT", im->name,
				(ull)im->offset);
		}
	}
	if (bad.len) {
		f = add(fs, "header_block", FW_SEV_FAIL, false, bad.buf);
		add_off(f, hb->brlyt_off);
		return;
	}
	if (note.len) {
		msg_add(&ok, "; %s", note.buf);
		f = add(fs, "header_block", FW_SEV_WARN, false, ok.buf);
	} else {
		f = add(fs, "header_block", FW_SEV_OK, false, ok.buf);
	}
	add_off(f, 0);
	add_off(f, hb->brlyt_off);
}

static void check_images(const struct fw_layout *l, const struct fw_check_opts *o,
			 struct fw_findings *fs)
{
	const int idx[3] = {l->bl, l->ext_bl, l->rom};
	static const char *const what[3] = {"BOOTLOADER (ARM_BL)", "EXT_BOOTLOADER (ARM_EXT_BL)",
					    "ROM (PRIMARY_MAUI)"};
	struct msg m = {0}, miss = {0};
	struct fw_finding *f;

	(void)o;
	if (l->nimages == 0) {
		msg_add(
		    &m,
		    "no GFH image found (no valid FILE_INFO header at any 4-byte aligned offset "
		    "that points to itself): this is not a MediaTek serial-flash readback, or "
		    "it is damaged");
		if (l->nrejects)
			msg_add(&m, "; %d FILE_INFO-like header(s) ignored, first at 0x%08llX: %s",
				l->nrejects, (ull)l->rejects[0].offset, l->rejects[0].why);
		f = add(fs, "images", FW_SEV_FAIL, true, m.buf);
		if (l->nrejects)
			add_off(f, l->rejects[0].offset);
		return;
	}
	for (int i = 0; i < 3; i++) {
		if (idx[i] < 0) {
			msg_sep(&miss);
			msg_add(&miss, "no %s", what[i]);
		}
	}
	msg_add(&m, "%d image%s:", l->nimages, l->nimages == 1 ? "" : "s");
	for (int i = 0; i < l->nimages; i++)
		msg_add(&m, "%s %s 0x%08llX+0x%llX", i ? "," : "", l->img[i].name,
			(ull)l->img[i].offset, (ull)l->img[i].length);
	if (l->nrejects)
		msg_add(&m, " (%d FILE_INFO-like header%s ignored, first at 0x%08llX: %s)",
			l->nrejects, l->nrejects == 1 ? "" : "s", (ull)l->rejects[0].offset,
			l->rejects[0].why);
	if (l->too_many_images) {
		msg_sep(&miss);
		msg_add(&miss, "more than %d images: the dump is not a plain firmware layout",
			FW_MAX_IMAGES);
	}
	if (miss.len) {
		msg_add(&miss, " (found %d image%s)", l->nimages, l->nimages == 1 ? "" : "s");
		f = add(fs, "images", FW_SEV_FAIL, true, miss.buf);
	} else if (l->viva < 0) {
		msg_add(&m, "; no VIVA image (some builds have none)");
		f = add(fs, "images", FW_SEV_WARN, false, m.buf);
	} else {
		f = add(fs, "images", FW_SEV_OK, false, m.buf);
	}
	for (int i = 0; i < l->nimages; i++)
		add_off(f, l->img[i].offset);
}

static void check_gfh(const struct fw_layout *l, const struct fw_check_opts *o,
		      struct fw_findings *fs)
{
	(void)o;
	for (int i = 0; i < l->nimages; i++) {
		const struct fw_image_info *im = &l->img[i];
		const struct gfh_file_info *fi = &im->fi;
		struct msg bad = {0}, note = {0}, ok = {0};
		char name[40];
		const char *tn = gfh_file_type_name(fi->file_type);
		struct fw_finding *f;

		snprintf(name, sizeof(name), "gfh.%s", im->name);
		if (im->len_unset) {
			msg_sep(&bad);
			msg_add(&bad, "file_len is 0xFFFFFFFF: the image was never post-built and "
				      "SP Flash Tool refuses it");
		} else {
			if (fi->file_len > GFH_MAX_FILE_LEN || fi->file_len < GFH_FILE_INFO_LEN) {
				msg_sep(&bad);
				msg_add(&bad, "file_len 0x%X is impossible", fi->file_len);
			} else if (fi->content_offset >= fi->file_len) {
				msg_sep(&bad);
				msg_add(&bad, "content offset 0x%X is not inside file_len 0x%X",
					fi->content_offset, fi->file_len);
			}
		}
		if (!im->chain.ok) {
			msg_sep(&bad);
			msg_add(&bad, "GFH chain broken at +0x%X (0x%08llX): %s", im->chain.bad_off,
				(ull)(im->offset + im->chain.bad_off), im->chain.why);
		}
		if (!(fi->attr & GFH_ATTR_POST_BUILD_DONE)) {
			msg_sep(&bad);
			msg_add(&bad, "attr 0x%X lacks the post-build-done bit", fi->attr);
		}
		if ((fi->attr & GFH_ATTR_XIP) && !im->xip_placed) {
			msg_sep(&bad);
			msg_add(&bad,
				"XIP image at 0x%08llX but load_addr 0x%08X & 0x07FFFFFF = 0x%08X",
				(ull)im->offset, fi->load_addr, fi->load_addr & FW_XIP_MASK);
		}
		if (!(fi->attr & GFH_ATTR_XIP) && fi->file_type != GFH_FT_ARM_BL) {
			msg_sep(&note);
			msg_add(&note, "attr 0x%X has no XIP bit", fi->attr);
		}
		if (fi->flash_dev != GFH_FLASH_DEV_SF) {
			msg_sep(&note);
			msg_add(&note, "flash_dev %u is not serial flash (7)", fi->flash_dev);
		}
		if (!im->len_unset && fi->jump_offset >= fi->file_len &&
		    fi->file_type != GFH_FT_VIVA) {
			msg_sep(&note);
			msg_add(&note, "jump offset 0x%X is outside the image", fi->jump_offset);
		}
		if (!im->len_unset && fi->max_size != 0xFFFFFFFFu && fi->max_size != 0 &&
		    fi->file_len > fi->max_size) {
			msg_sep(&note);
			msg_add(&note, "file_len 0x%X exceeds max_size 0x%X", fi->file_len,
				fi->max_size);
		}
		if (fi->sig_type != GFH_SIG_NONE && fi->sig_type != GFH_SIG_PHASH) {
			msg_sep(&note);
			msg_add(&note, "signature type %u is not checked", fi->sig_type);
		}
		msg_add(&ok,
			"FILE_INFO at 0x%08llX (%s), GFH chain of %d block%s ends at content "
			"offset 0x%X, 0x%llX bytes to 0x%08llX, load 0x%08X",
			(ull)im->offset, tn ? tn : "unknown type", im->chain.n,
			im->chain.n == 1 ? "" : "s", fi->content_offset, (ull)im->length,
			(ull)image_end(im), fi->load_addr);
		if (im->xip_placed)
			msg_add(&ok, " (XIP: at load_addr & 0x07FFFFFF)");
		else if (im->in_brlyt)
			msg_add(&ok, " (placed by BRLYT)");
		if (bad.len) {
			struct msg m = {0};

			msg_add(&m, "%s at 0x%08llX: %s", im->name, (ull)im->offset, bad.buf);
			f = add(fs, name, FW_SEV_FAIL, true, m.buf);
		} else if (note.len) {
			msg_add(&ok, "; %s", note.buf);
			f = add(fs, name, FW_SEV_WARN, false, ok.buf);
		} else {
			f = add(fs, name, FW_SEV_OK, false, ok.buf);
		}
		add_off(f, im->offset);
		if (!im->chain.ok)
			add_off(f, im->offset + im->chain.bad_off);
	}
}

static void hex20(const uint8_t *d, char *out)
{
	for (int i = 0; i < 20; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void check_sha1(const struct fw_layout *l, const struct fw_check_opts *o,
		       struct fw_findings *fs)
{
	(void)o;
	for (int i = 0; i < l->nimages; i++) {
		const struct fw_image_info *im = &l->img[i];
		struct msg m = {0};
		char name[40], calc[41], stored[41];
		uint64_t sig = im->offset + im->length - GFH_PHASH_LEN;
		struct fw_finding *f;

		if (im->sha1 == FW_HASH_NONE)
			continue;
		snprintf(name, sizeof(name), "sha1.%s", im->name);
		if (im->sha1 == FW_HASH_UNCHECKED) {
			msg_add(&m, "%s at 0x%08llX: the SHA-1 cannot be verified: %s", im->name,
				(ull)im->offset,
				im->truncated	? "the image runs past the end of the dump"
				: im->len_unset ? "file_len is not set"
						: "the signature length is not 0x20");
			f = add(fs, name, FW_SEV_FAIL, true, m.buf);
			add_off(f, im->offset);
			continue;
		}
		hex20(im->sha1_calc, calc);
		hex20(im->sha1_stored, stored);
		if (im->sha1 == FW_HASH_BAD) {
			msg_add(&m,
				"SHA-1 of 0x%08llX-0x%08llX is %s but the trailer at 0x%08llX "
				"holds %s: "
				"%s is damaged in this dump (read it again)",
				(ull)im->offset, (ull)sig, calc, (ull)sig, stored, im->name);
			f = add(fs, name, FW_SEV_FAIL, true, m.buf);
			add_off(f, im->offset);
			add_off(f, sig);
			continue;
		}
		if (!im->dne_ok) {
			msg_add(&m,
				"SHA-1 matches but there is no 00 44 4E 45 end marker at 0x%08llX",
				(ull)(sig - 4));
			f = add(fs, name, FW_SEV_FAIL, true, m.buf);
			add_off(f, sig - 4);
			continue;
		}
		msg_add(&m,
			"SHA-1 of 0x%08llX-0x%08llX matches the trailer at 0x%08llX (%s); "
			"\\0DNE at 0x%08llX",
			(ull)im->offset, (ull)sig, (ull)sig, calc, (ull)(sig - 4));
		f = add(fs, name, FW_SEV_OK, false, m.buf);
		add_off(f, im->offset);
		add_off(f, sig);
	}
}

static void check_rom_tail(const struct fw_layout *l, const struct fw_check_opts *o,
			   struct fw_findings *fs)
{
	static const uint8_t tail[8] = {0x00, 0x44, 0x4E, 0x45, 0xFF, 0xFF, 0xFF, 0xFF};
	const struct fw_image_info *im;
	struct msg m = {0};
	struct fw_finding *f;
	uint64_t at;

	(void)o;
	if (l->rom < 0) {
		add(fs, "rom_tail", FW_SEV_FAIL, true, "no ROM image to check");
		return;
	}
	im = &l->img[l->rom];
	if (im->truncated || im->len_unset || im->length < GFH_FILE_INFO_LEN + 8) {
		msg_add(&m, "cannot check the end of ROM at 0x%08llX: the image is incomplete",
			(ull)im->offset);
		f = add(fs, "rom_tail", FW_SEV_FAIL, true, m.buf);
		add_off(f, im->offset);
		return;
	}
	at = im->offset + im->length - 8;
	if (im->fi.sig_type != GFH_SIG_NONE) {
		msg_add(&m, "signed ROM (signature type %u): no end marker to check",
			im->fi.sig_type);
		add(fs, "rom_tail", FW_SEV_WARN, false, m.buf);
		return;
	}
	if (memcmp(l->data + at, tail, sizeof(tail)) == 0) {
		msg_add(&m, "ROM ends with 00 44 4E 45 FF FF FF FF at 0x%08llX", (ull)at);
		f = add(fs, "rom_tail", FW_SEV_OK, false, m.buf);
	} else {
		const uint8_t *p = l->data + at;

		msg_add(
		    &m,
		    "ROM's last 8 bytes at 0x%08llX are %02X %02X %02X %02X %02X %02X %02X %02X, "
		    "expected 00 44 4E 45 FF FF FF FF: the end of ROM is damaged or cut",
		    (ull)at, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]);
		f = add(fs, "rom_tail", FW_SEV_FAIL, true, m.buf);
	}
	add_off(f, at);
}

static void check_complete(const struct fw_layout *l, const struct fw_check_opts *o,
			   struct fw_findings *fs)
{
	struct msg m = {0};
	struct fw_finding *f = NULL;
	uint64_t last = 0;
	int bad = 0;

	(void)o;
	if (l->nimages == 0) {
		add(fs, "complete", FW_SEV_FAIL, true, "no image found, nothing is complete");
		return;
	}
	for (int i = 0; i < l->nimages; i++) {
		const struct fw_image_info *im = &l->img[i];

		if (image_end(im) > last)
			last = image_end(im);
		if (!im->truncated)
			continue;
		msg_sep(&m);
		msg_add(&m,
			"%s at 0x%08llX needs 0x%llX bytes up to 0x%08llX but the %s ends at "
			"0x%08llX",
			im->name, (ull)im->offset, (ull)im->length, (ull)(im->offset + im->length),
			l->mirrored ? "flash" : "dump", (ull)l->flash_size);
		bad++;
	}
	if (bad) {
		msg_add(&m, ": the readback is truncated; read the whole flash again");
		f = add(fs, "complete", FW_SEV_FAIL, true, m.buf);
		for (int i = 0; i < l->nimages; i++)
			if (l->img[i].truncated)
				add_off(f, l->img[i].offset);
		add_off(f, l->flash_size);
		return;
	}
	msg_add(&m,
		"every image ends inside the %s (last image byte at 0x%08llX, %s ends at "
		"0x%08llX)",
		l->mirrored ? "flash" : "dump", (ull)(last - 1), l->mirrored ? "flash" : "dump",
		(ull)l->flash_size);
	f = add(fs, "complete", FW_SEV_OK, false, m.buf);
	add_off(f, last);
}

struct region {
	const char *name;
	uint64_t begin, end;
	bool image;
};

static void check_overlap(const struct fw_layout *l, const struct fw_check_opts *o,
			  struct fw_findings *fs)
{
	struct region r[FW_MAX_IMAGES + 4];
	int n = 0, clashes = 0;
	bool unsafe = false;
	struct msg m = {0};
	struct fw_finding *f;

	(void)o;
	if (l->nimages == 0) {
		add(fs, "overlap", FW_SEV_FAIL, true, "no image found");
		return;
	}
	if (l->hb.sf_boot)
		r[n++] = (struct region){"SF_BOOT", 0, 20, false};
	if (l->hb.brlyt)
		r[n++] =
		    (struct region){"BRLYT", l->hb.brlyt_off, l->hb.brlyt_off + 20 + 8 * 20, false};
	for (int i = 0; i < l->nimages; i++)
		r[n++] =
		    (struct region){l->img[i].name, l->img[i].offset, image_end(&l->img[i]), true};
	if (l->fat.present)
		r[n++] =
		    (struct region){"FAT", l->fat.offset, l->fat.offset + l->fat.length, false};
	if (l->sds.present)
		r[n++] =
		    (struct region){"SDS", l->sds.offset, l->sds.offset + l->sds.length, false};
	uint64_t first = 0;
	for (int i = 0; i < n; i++) {
		for (int k = i + 1; k < n; k++) {
			uint64_t b = r[i].begin > r[k].begin ? r[i].begin : r[k].begin;
			uint64_t e = r[i].end < r[k].end ? r[i].end : r[k].end;

			if (b >= e)
				continue;
			if (!clashes++)
				first = b;
			unsafe |= r[i].image && r[k].image;
			msg_sep(&m);
			msg_add(&m, "%s 0x%08llX-0x%08llX overlaps %s 0x%08llX-0x%08llX", r[i].name,
				(ull)r[i].begin, (ull)r[i].end, r[k].name, (ull)r[k].begin,
				(ull)r[k].end);
		}
	}
	if (clashes) {
		f = add(fs, "overlap", FW_SEV_FAIL, unsafe, m.buf);
		add_off(f, first);
		return;
	}
	msg_add(&m, "no two of the %d regions overlap (header block, %d images%s%s)", n, l->nimages,
		l->fat.present ? ", FAT" : "", l->sds.present ? ", SDS" : "");
	add(fs, "overlap", FW_SEV_OK, false, m.buf);
}

static void check_viva_position(const struct fw_layout *l, const struct fw_check_opts *o,
				struct fw_findings *fs)
{
	struct msg m = {0};
	struct fw_finding *f;
	uint64_t want;

	(void)o;
	if (l->viva < 0) {
		add(fs, "viva_position", FW_SEV_WARN, false, "no VIVA image");
		return;
	}
	if (l->rom < 0 || l->img[l->rom].len_unset) {
		add(fs, "viva_position", FW_SEV_WARN, false, "no complete ROM to compare with");
		return;
	}
	want = l->img[l->rom].offset + l->img[l->rom].length + 0x400;
	if (l->img[l->viva].offset == want) {
		msg_add(&m, "VIVA at 0x%08llX = ROM end 0x%08llX + 0x400", (ull)want,
			(ull)(want - 0x400));
		f = add(fs, "viva_position", FW_SEV_OK, false, m.buf);
	} else {
		msg_add(&m, "VIVA at 0x%08llX, not at ROM end + 0x400 = 0x%08llX (unusual build)",
			(ull)l->img[l->viva].offset, (ull)want);
		f = add(fs, "viva_position", FW_SEV_WARN, false, m.buf);
	}
	add_off(f, l->img[l->viva].offset);
}

static void check_viva_header(const struct fw_layout *l, const struct fw_check_opts *o,
			      struct fw_findings *fs)
{
	const struct fw_viva_info *v = &l->viva_hdr;
	const struct fw_image_info *im;
	struct msg m = {0};
	struct fw_finding *f;
	uint64_t lo, hi;

	(void)o;
	if (l->viva < 0) {
		add(fs, "viva_header", FW_SEV_WARN, false, "no VIVA image");
		return;
	}
	im = &l->img[l->viva];
	lo = im->fi.load_addr;
	hi = lo + (im->len_unset ? im->avail : im->length);
	if (!v->parsed) {
		add(fs, "viva_header", FW_SEV_WARN, false, "VIVA is too short for its header");
		return;
	}
	if (v->self_addr != im->fi.load_addr) {
		msg_add(&m,
			"the VIVA header at 0x%08llX starts with 0x%08X, not VIVA's own address "
			"0x%08X: content not recognised (encrypted build?)",
			(ull)(im->offset + im->fi.content_offset), v->self_addr, im->fi.load_addr);
		f = add(fs, "viva_header", FW_SEV_WARN, false, m.buf);
		add_off(f, im->offset + im->fi.content_offset);
		return;
	}
	if (!v->alice) {
		msg_add(&m,
			"no ALICE header at 0x%08X (from the VIVA header): content not "
			"recognised (encrypted build?)",
			v->alice_addr);
		add(fs, "viva_header", FW_SEV_WARN, false, m.buf);
		return;
	}
	if (v->alice_map < lo || v->alice_map >= hi || v->alice_dict < lo || v->alice_dict >= hi ||
	    v->alice_map > v->alice_dict) {
		msg_add(&m,
			"%s at 0x%08X: map table 0x%08X or dictionary 0x%08X lies outside VIVA "
			"0x%08llX-0x%08llX: VIVA is damaged",
			v->alice_magic, v->alice_addr, v->alice_map, v->alice_dict, (ull)lo,
			(ull)hi);
		f = add(fs, "viva_header", FW_SEV_FAIL, false, m.buf);
		add_off(f, im->offset + (v->alice_addr - lo));
		return;
	}
	msg_add(&m,
		"VIVA header at 0x%08llX points to %s at 0x%08X; map 0x%08X and dictionary "
		"0x%08X lie inside VIVA 0x%08llX-0x%08llX",
		(ull)(im->offset + im->fi.content_offset), v->alice_magic, v->alice_addr,
		v->alice_map, v->alice_dict, (ull)lo, (ull)hi);
	f = add(fs, "viva_header", FW_SEV_OK, false, m.buf);
	add_off(f, im->offset + im->fi.content_offset);
}

static uint64_t code_end(const struct fw_layout *l)
{
	uint64_t end = 0;

	for (int i = 0; i < l->nimages; i++)
		if (image_end(&l->img[i]) > end)
			end = image_end(&l->img[i]);
	return end;
}

static void check_data_region(const struct fw_layout *l, struct fw_findings *fs, const char *name,
			      const char *label, const struct fw_range *r, uint64_t src_off,
			      const char *src)
{
	struct msg bad = {0}, m = {0};
	struct fw_finding *f;
	uint64_t end = r->offset + r->length, cend = code_end(l);
	char sz[32], fsz[32];

	mtk_size_text(r->length, sz, sizeof(sz));
	mtk_size_text(l->flash_size, fsz, sizeof(fsz));
	if (r->offset < cend) {
		msg_sep(&bad);
		msg_add(&bad, "%s begins at 0x%08llX, inside the code (which ends at 0x%08llX)",
			label, (ull)r->offset, (ull)cend);
	}
	if (end > l->flash_size) {
		msg_sep(&bad);
		msg_add(&bad, "%s 0x%08llX-0x%08llX runs past the end of the %s %s at 0x%08llX",
			label, (ull)r->offset, (ull)end, fsz, l->mirrored ? "flash" : "dump",
			(ull)l->flash_size);
	}
	if (bad.len) {
		msg_add(&bad, " (%s at 0x%08llX)", src, (ull)src_off);
		f = add(fs, name, FW_SEV_FAIL, false, bad.buf);
		add_off(f, r->offset);
		add_off(f, src_off);
		return;
	}
	msg_add(&m,
		"%s 0x%08llX-0x%08llX (%s, from %s at 0x%08llX) inside the %s flash, after the "
		"code (ends 0x%08llX)",
		label, (ull)r->offset, (ull)end, sz, src, (ull)src_off, fsz, (ull)cend);
	if ((r->offset | r->length) & 0xFFF) {
		msg_add(&m, "; not aligned to 4 KiB NOR blocks");
		f = add(fs, name, FW_SEV_WARN, false, m.buf);
	} else {
		f = add(fs, name, FW_SEV_OK, false, m.buf);
	}
	add_off(f, r->offset);
}

static void check_fat_region(const struct fw_layout *l, const struct fw_check_opts *o,
			     struct fw_findings *fs)
{
	(void)o;
	if (l->rom < 0) {
		add(fs, "fat_region", FW_SEV_FAIL, false,
		    "no ROM: the file-system region (NVRAM, IMEI, calibration) is unknown");
		return;
	}
	if (!l->flash_info || !l->fat.present) {
		add(fs, "fat_region", FW_SEV_WARN, false,
		    l->flash_info ? "FLASH_INFO gives an empty file-system region: no FAT.bin"
				  : "the ROM has no FLASH_INFO block: the file-system region is "
				    "unknown, no FAT.bin");
		return;
	}
	check_data_region(l, fs, "fat_region", "FAT", &l->fat, l->flash_info_off, "FLASH_INFO");
}

static void check_sds_region(const struct fw_layout *l, const struct fw_check_opts *o,
			     struct fw_findings *fs)
{
	(void)o;
	if (!l->sds.present) {
		add(fs, "sds_region", FW_SEV_OK, false,
		    l->maui_info ? "none (MAUI_INFO has no secure data storage region)"
				 : "none (no MAUI_INFO)");
		return;
	}
	check_data_region(l, fs, "sds_region", "SDS", &l->sds, l->maui_info_off, "MAUI_INFO");
}

static void check_mirror(const struct fw_layout *l, const struct fw_check_opts *o,
			 struct fw_findings *fs)
{
	struct msg m = {0};
	char dsz[32], fsz[32];
	struct fw_finding *f;

	(void)o;
	if (l->blank || l->dump_len < FW_MIN_MIRROR) {
		add(fs, "mirror", FW_SEV_WARN, false, "not checked: the dump holds no data");
		return;
	}
	mtk_size_text(l->dump_len, dsz, sizeof(dsz));
	mtk_size_text(l->flash_size, fsz, sizeof(fsz));
	if (l->mirror_mismatch) {
		uint64_t at = l->mirror_first_diff;

		msg_add(
		    &m,
		    "the %s dump repeats a %s flash %u times (the chip ignores the high address "
		    "bits) but the copies differ in %llu byte%s, first at 0x%08llX against "
		    "0x%08llX: the read returned different data for the same flash bytes; read "
		    "it again",
		    dsz, fsz, l->mirror_copies, (ull)l->mirror_diff_bytes,
		    l->mirror_diff_bytes == 1 ? "" : "s", (ull)at, (ull)(at % l->flash_size));
		f = add(fs, "mirror", FW_SEV_FAIL, true, m.buf);
		add_off(f, at);
		add_off(f, at % l->flash_size);
		return;
	}
	if (!l->mirrored) {
		msg_add(&m,
			"no repeat: the %s dump does not repeat its start at any power-of-two "
			"offset",
			dsz);
		add(fs, "mirror", FW_SEV_OK, false, m.buf);
		return;
	}
	msg_add(&m,
		"the %s dump holds a %s flash %u times: bytes 0x%08llX-0x%08llX are aliases of "
		"0x00000000-0x%08llX (the chip ignores the high address bits); the real flash size "
		"is %s and extract keeps only those bytes",
		dsz, fsz, l->mirror_copies, (ull)l->flash_size, (ull)(l->dump_len - 1),
		(ull)(l->flash_size - 1), fsz);
	f = add(fs, "mirror", FW_SEV_WARN, false, m.buf);
	add_off(f, l->flash_size);
}

static void check_flash_size(const struct fw_layout *l, const struct fw_check_opts *o,
			     struct fw_findings *fs)
{
	const struct fw_cmem_ids *ids = id_list(l);
	const struct fw_cmem_nor *nor = nor_list(l);
	struct msg m = {0}, note = {0}, parts = {0};
	uint64_t size = l->flash_size, min = UINT64_MAX, max = 0;
	char fsz[32];
	int match = -1;
	uint32_t count;

	mtk_size_text(size, fsz, sizeof(fsz));
	if (l->dump_len < FW_MIN_MIRROR || l->blank) {
		add(fs, "flash_size", FW_SEV_FAIL, false, "the dump holds no flash data");
		return;
	}
	if (size & (size - 1)) {
		msg_add(&m,
			"the flash data is 0x%llX bytes, not a power of two: the read stopped "
			"early (or bytes were added)",
			(ull)size);
		struct fw_finding *f = add(fs, "flash_size", FW_SEV_FAIL, false, m.buf);
		add_off(f, size);
		return;
	}
	if (!ids->found && !nor->found) {
		msg_add(&m, "no CMEM flash tables: the size %s comes from the dump alone", fsz);
		add(fs, "flash_size", FW_SEV_WARN, false, m.buf);
		return;
	}
	count = ids->found ? ids->count : nor->count;
	if (ids->found && nor->found && ids->count != nor->count) {
		msg_sep(&note);
		msg_add(&note, "CMEM_ID_INFO lists %u parts but CMEM_NOR_INFO %u", ids->count,
			nor->count);
	}
	for (uint32_t i = 0; i < count && i < FW_MAX_FLASH_IDS; i++) {
		uint64_t jsz = ids->found && i < ids->count ? fw_jedec_capacity(&ids->e[i]) : 0;
		uint64_t nsz = nor->found && i < nor->count ? nor->chip_size[i] : 0;
		uint64_t psz = nsz ? nsz : jsz;
		char idt[32] = "?", ps[32];

		if (ids->found && i < ids->count)
			id_text(&ids->e[i], idt, sizeof(idt));
		if (jsz && nsz && jsz != nsz) {
			char a[32], b[32];

			mtk_size_text(nsz, a, sizeof(a));
			mtk_size_text(jsz, b, sizeof(b));
			msg_sep(&note);
			msg_add(&note, "part %s: CMEM_NOR_INFO says %s, JEDEC capacity byte %s",
				idt, a, b);
		}
		if (!psz)
			continue;
		mtk_size_text(psz, ps, sizeof(ps));
		msg_add(&parts, "%s%s %s", parts.len ? ", " : "", idt, ps);
		if (psz < min)
			min = psz;
		if (psz > max)
			max = psz;
		if (psz == size && match < 0)
			match = (int)i;
	}
	if (o && o->have_device_id) {
		struct fw_flash_id dev = {
		    3, 3, {o->device_id[0], o->device_id[1], o->device_id[2]}};
		uint64_t dsz = fw_jedec_capacity(&dev);

		if (dsz && dsz != size) {
			char a[32];

			mtk_size_text(dsz, a, sizeof(a));
			msg_add(&m,
				"the flash chip reports %02X %02X %02X (%s) but the dump holds %s "
				"of flash data",
				o->device_id[0], o->device_id[1], o->device_id[2], a, fsz);
			add(fs, "flash_size", FW_SEV_FAIL, false, m.buf);
			return;
		}
	}
	if (match >= 0) {
		msg_add(&m, "%s matches the firmware's flash part%s (%s)", fsz,
			count > 1 ? "s" : "", parts.buf);
		if (note.len)
			msg_add(&m, "; %s", note.buf);
		add(fs, "flash_size", note.len ? FW_SEV_WARN : FW_SEV_OK, false, m.buf);
		return;
	}
	if (max == 0) {
		msg_add(&m, "the CMEM tables give no part size: %s comes from the dump alone", fsz);
		add(fs, "flash_size", FW_SEV_WARN, false, m.buf);
		return;
	}
	if (size < min) {
		msg_add(&m,
			"the dump holds %s of flash but the smallest part this firmware supports "
			"is larger (%s): the read stopped early",
			fsz, parts.buf);
		struct fw_finding *f = add(fs, "flash_size", FW_SEV_FAIL, false, m.buf);
		add_off(f, size);
		return;
	}
	if (size > max) {
		msg_add(&m,
			"the dump holds %s, more than any part this firmware lists (%s): bytes "
			"above 0x%08llX were read from beyond the firmware's flash",
			fsz, parts.buf, (ull)max);
		struct fw_finding *f = add(fs, "flash_size", FW_SEV_WARN, false, m.buf);
		add_off(f, max);
		return;
	}
	msg_add(&m, "the dump holds %s, which matches none of the firmware's flash parts (%s)", fsz,
		parts.buf);
	add(fs, "flash_size", FW_SEV_FAIL, false, m.buf);
}

static void ids_text(const struct fw_cmem_ids *c, struct msg *m)
{
	for (uint32_t i = 0; i < c->count && i < FW_MAX_FLASH_IDS; i++) {
		char t[32];

		id_text(&c->e[i], t, sizeof(t));
		msg_add(m, "%s%s", i ? ", " : "", t);
	}
}

static bool ids_equal(const struct fw_cmem_ids *a, const struct fw_cmem_ids *b)
{
	if (a->count != b->count)
		return false;
	for (uint32_t i = 0; i < a->count && i < FW_MAX_FLASH_IDS; i++)
		if (a->e[i].dev_type != b->e[i].dev_type || a->e[i].id_len != b->e[i].id_len ||
		    memcmp(a->e[i].id, b->e[i].id, 8) != 0)
			return false;
	return true;
}

static void check_flash_ids(const struct fw_layout *l, const struct fw_check_opts *o,
			    struct fw_findings *fs)
{
	const struct fw_cmem_ids *r = &l->rom_ids, *e = &l->ext_ids;
	struct msg m = {0};
	enum fw_severity sev = FW_SEV_OK;
	struct fw_finding *f;

	if (!r->found && !e->found) {
		add(fs, "flash_ids", FW_SEV_FAIL, false,
		    "no CMEM_ID_INFO flash-ID table in the ROM or EXT_BOOTLOADER: the .cfg cannot "
		    "list the flash chips");
		return;
	}
	if (r->found) {
		msg_add(&m, "ROM CMEM_ID_INFO at 0x%08llX: ", (ull)r->offset);
		ids_text(r, &m);
	}
	if (r->found && e->found) {
		if (ids_equal(r, e)) {
			msg_add(&m, "; EXT_BOOTLOADER copy at 0x%08llX agrees", (ull)e->offset);
		} else {
			msg_add(&m, "; EXT_BOOTLOADER copy at 0x%08llX differs: ", (ull)e->offset);
			ids_text(e, &m);
			msg_add(&m, " (the .cfg uses the ROM's list)");
			sev = FW_SEV_WARN;
		}
	} else if (r->found) {
		msg_add(&m, "; EXT_BOOTLOADER has no copy to compare with");
		sev = FW_SEV_WARN;
	} else {
		msg_add(&m, "the ROM has no CMEM_ID_INFO; EXT_BOOTLOADER's copy at 0x%08llX: ",
			(ull)e->offset);
		ids_text(e, &m);
		sev = FW_SEV_WARN;
	}
	if (o && o->have_device_id) {
		const struct fw_cmem_ids *c = r->found ? r : e;
		bool listed = false;

		for (uint32_t i = 0; i < c->count && i < FW_MAX_FLASH_IDS; i++)
			listed |= c->e[i].id_len >= 3 && memcmp(c->e[i].id, o->device_id, 3) == 0;
		if (!listed) {
			msg_add(&m, "; the flash in this watch (%02X %02X %02X) is not in the list",
				o->device_id[0], o->device_id[1], o->device_id[2]);
			sev = FW_SEV_WARN;
		}
	}
	f = add(fs, "flash_ids", sev, false, m.buf);
	if (r->found)
		add_off(f, r->offset);
	if (e->found)
		add_off(f, e->offset);
}

static void check_platform(const struct fw_layout *l, const struct fw_check_opts *o,
			   struct fw_findings *fs)
{
	struct msg m = {0};
	struct fw_finding *f;

	(void)o;
	if (l->rom < 0) {
		add(fs, "platform", FW_SEV_FAIL, false, "no ROM: the platform is unknown");
		return;
	}
	if (!l->maui_info) {
		add(fs, "platform", FW_SEV_WARN, false,
		    "the ROM has no MAUI_INFO block: platform unknown (give it with --platform)");
		return;
	}
	if (!l->platform[0]) {
		msg_add(&m,
			"MAUI_INFO platform \"%s\" names no MTnnnn chip (give it with "
			"--platform)",
			l->platform_id);
		f = add(fs, "platform", FW_SEV_WARN, false, m.buf);
		add_off(f, l->maui_info_off);
		return;
	}
	msg_add(&m, "%s from MAUI_INFO at 0x%08llX: \"%s\"", l->platform, (ull)l->maui_info_off,
		l->platform_id);
	if (l->rominfo && strcasecmp(l->rominfo_platform, l->platform_id) != 0) {
		msg_add(&m, "; MTK_ROMINFO at 0x%08llX says \"%s\"", (ull)l->rominfo_off,
			l->rominfo_platform);
		f = add(fs, "platform", FW_SEV_WARN, false, m.buf);
	} else {
		f = add(fs, "platform", FW_SEV_OK, false, m.buf);
	}
	add_off(f, l->maui_info_off);
}

typedef void (*check_fn)(const struct fw_layout *, const struct fw_check_opts *,
			 struct fw_findings *);

/* The checks, in report order. A new check is one function and one line here. */
static const check_fn checks[] = {
    check_dump,		 check_header_block, check_images,     check_gfh,
    check_sha1,		 check_rom_tail,     check_complete,   check_overlap,
    check_viva_position, check_viva_header,  check_fat_region, check_sds_region,
    check_mirror,	 check_flash_size,   check_flash_ids,  check_platform,
};

void layout_check(const struct fw_layout *l, const struct fw_check_opts *opts,
		  struct fw_findings *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		checks[i](l, opts, out);
	fw_findings_tally(out);
}

void fw_findings_tally(struct fw_findings *out)
{
	out->ok = out->warn = out->fail = 0;
	out->kit_safe = true;
	for (int i = 0; i < out->n; i++) {
		switch (out->f[i].sev) {
		case FW_SEV_OK:
			out->ok++;
			break;
		case FW_SEV_WARN:
			out->warn++;
			break;
		default:
			out->fail++;
			break;
		}
		if (out->f[i].unsafe)
			out->kit_safe = false;
	}
	out->health = out->n ? (int)((100L * (out->ok + out->warn)) / out->n) : 0;
}
