/* SPDX-License-Identifier: GPL-3.0-or-later */
/* kit_check_dir: `mtkbak check DIR` on a kit folder instead of a dump. The kit's GFH files are
 * placed into a flash image the way the flash tool places them (fw_place: ARM_BL at 0x800,
 * XIP images at load_addr & 0x07FFFFFF), FAT.bin/SDS.bin go into the regions the ROM names,
 * and the usual checks run on that image. On top: every SHA256SUMS entry is verified and the
 * cfg is read back the way MTK's parser reads it (its files exist, its flash IDs equal the
 * firmware's CMEM_ID_INFO list). */
#include "mtkbak/errors.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/firmware.h"
#include "mtkbak/hash.h"
#include "mtkbak/kit.h"

#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "mtkbak/byteorder.h"

#define KITDIR_MAX_FILES 64
#define KITDIR_MAX_BYTES (128ull << 20) /* kit files read into memory, all together */
#define KITDIR_MAX_FLASH (64ull << 20)	/* largest flash a kit is placed into */
#define CFG_MAX_BYTES	 (64u << 10)

struct kfile {
	char name[256];
	uint64_t size;
	uint8_t *data; /* GFH images, FAT.bin, SDS.bin only */
	bool gfh;
	bool placeable;
	struct gfh_file_info fi;
};

struct kitdir {
	const char *dir;
	int n;
	struct kfile f[KITDIR_MAX_FILES];
	bool too_many;
	struct fw_findings pre; /* kit_files, sha256sums, cfg */
};

static void add(struct fw_findings *fs, const char *name, enum fw_severity sev, bool unsafe,
		const char *msg)
{
	struct fw_finding *f;

	if (fs->n >= FW_MAX_FINDINGS)
		return;
	f = &fs->f[fs->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->sev = sev;
	f->unsafe = sev == FW_SEV_FAIL && unsafe;
	snprintf(f->message, sizeof(f->message), "%s", msg);
}

static void append(char *buf, size_t len, const char *fmt, ...) MTK_PRINTF(3, 4);
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static struct kfile *by_name(struct kitdir *k, const char *name)
{
	for (int i = 0; i < k->n; i++)
		if (!strcmp(k->f[i].name, name))
			return &k->f[i];
	return NULL;
}

/* GFH images in flash order first, then the other files by name */
static int cmp_kfile(const void *a, const void *b)
{
	const struct kfile *x = a, *y = b;
	uint64_t ox = x->fi.file_type == GFH_FT_ARM_BL ? 0x800 : (x->fi.load_addr & FW_XIP_MASK);
	uint64_t oy = y->fi.file_type == GFH_FT_ARM_BL ? 0x800 : (y->fi.load_addr & FW_XIP_MASK);

	if (x->gfh != y->gfh)
		return x->gfh ? -1 : 1;
	if (x->gfh && ox != oy)
		return ox < oy ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int load_dir(struct kitdir *k)
{
	DIR *d = opendir(k->dir);
	struct dirent *e;
	uint64_t total = 0;
	int ret = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		char path[MTK_PATH_MAX];
		struct stat st;
		struct kfile *f;
		uint8_t head[GFH_FILE_INFO_LEN];
		FILE *fp;
		size_t got;

		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(k->f[0].name))
			continue;
		if (path_join(path, k->dir, e->d_name) < 0 || stat(path, &st) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (k->n >= KITDIR_MAX_FILES) {
			k->too_many = true;
			break;
		}
		f = &k->f[k->n++];
		memset(f, 0, sizeof(*f));
		snprintf(f->name, sizeof(f->name), "%s", e->d_name);
		f->size = (uint64_t)st.st_size;
		fp = fopen(path, "rb");
		if (!fp)
			continue;
		got = fread(head, 1, sizeof(head), fp);
		fclose(fp);
		f->gfh = gfh_file_info_parse(head, got, &f->fi) == 0;
		if (!f->gfh && strcmp(f->name, "FAT.bin") && strcmp(f->name, "SDS.bin"))
			continue;
		total += f->size;
		if (total > KITDIR_MAX_BYTES) {
			ret = -EFBIG;
			break;
		}
		size_t len;
		ret = read_whole_file(path, &f->data, &len, (size_t)KITDIR_MAX_BYTES);
		if (ret < 0)
			break;
		f->size = len;
	}
	closedir(d);
	qsort(k->f, (size_t)k->n, sizeof(k->f[0]), cmp_kfile);
	return ret;
}

/* "<64 hex digits>  <name>" (sha256sum's text form; '*' for binary mode is accepted too),
 * with a plain name of printable characters. */
static bool line_well_formed(const uint8_t *p, size_t n, size_t max)
{
	if (n >= max || n < 67)
		return false;
	if (n && p[n - 1] == '\r')
		n--;
	for (size_t i = 0; i < 64; i++)
		if (!isxdigit(p[i]))
			return false;
	if (p[64] != ' ' || (p[65] != ' ' && p[65] != '*') || n < 67)
		return false;
	for (size_t i = 66; i < n; i++)
		if (p[i] < 0x20 || p[i] == 0x7F)
			return false;
	return true;
}

static void check_sums(struct kitdir *k)
{
	char path[MTK_PATH_MAX], msg[400] = "", bad[300] = "";
	uint8_t *buf;
	size_t len;
	int n = 0, nbad = 0, nmalformed = 0, lineno = 0, first_malformed = 0;

	if (path_join(path, k->dir, "SHA256SUMS") < 0 ||
	    read_whole_file(path, &buf, &len, 1u << 20) < 0) {
		add(&k->pre, "sha256sums", FW_SEV_WARN, false,
		    "no SHA256SUMS: the files cannot be compared with what was written");
		return;
	}
	for (size_t pos = 0; pos < len;) {
		size_t end = pos;
		char line[512], *name;

		while (end < len && buf[end] != '\n')
			end++;
		lineno++;
		if (end > pos && !line_well_formed(buf + pos, end - pos, sizeof(line))) {
			if (!nmalformed++)
				first_malformed = lineno;
		} else if (end - pos < sizeof(line) && end - pos > 66) {
			uint8_t sha[MTK_SHA256_LEN];
			char hex[2 * MTK_SHA256_LEN + 1];
			char fpath[MTK_PATH_MAX];
			uint64_t size;

			memcpy(line, buf + pos, end - pos);
			line[end - pos] = '\0';
			name = line + 66;
			n++;
			if (!path_is_plain_name(name) || path_join(fpath, k->dir, name) < 0 ||
			    fw_hash_file(fpath, sha, &size) < 0) {
				append(bad, sizeof(bad), "%s%s is missing", nbad++ ? ", " : "",
				       name);
			} else {
				mtk_hex(sha, MTK_SHA256_LEN, hex);
				if (strncmp(hex, line, 64) != 0)
					append(bad, sizeof(bad), "%s%s differs", nbad++ ? ", " : "",
					       name);
			}
		}
		pos = end + 1;
	}
	free(buf);
	if (nmalformed) {
		snprintf(msg, sizeof(msg),
			 "SHA256SUMS has %d malformed line%s (the first is line %d): not "
			 "\"<64 hex digits>  <name>\"",
			 nmalformed, nmalformed == 1 ? "" : "s", first_malformed);
		if (nbad)
			append(msg, sizeof(msg), "; %d of %d files do not match: %s", nbad, n, bad);
		add(&k->pre, "sha256sums", FW_SEV_FAIL, true, msg);
	} else if (nbad) {
		snprintf(msg, sizeof(msg), "%d of %d files do not match SHA256SUMS: %s", nbad, n,
			 bad);
		add(&k->pre, "sha256sums", FW_SEV_FAIL, true, msg);
	} else if (n == 0) {
		add(&k->pre, "sha256sums", FW_SEV_WARN, false, "SHA256SUMS lists no file");
	} else {
		snprintf(msg, sizeof(msg), "all %d files match SHA256SUMS", n);
		add(&k->pre, "sha256sums", FW_SEV_OK, false, msg);
	}
}

/* Reads the cfg the way MTK's cfg_reader does: `- file: ` lines and flash_info entries. */
static void check_cfg(struct kitdir *k, const struct fw_layout *l)
{
	const struct fw_cmem_ids *ids = l->rom_ids.found ? &l->rom_ids : &l->ext_ids;
	const struct kfile *cfg = NULL;
	char path[MTK_PATH_MAX], msg[400] = "", bad[300] = "", want[64], unlisted[200] = "";
	struct fw_flash_id got[FW_MAX_FLASH_IDS];
	bool listed[KITDIR_MAX_FILES] = {false};
	int nfiles = 0, nids = 0, id_len = 0, ncfg = 0;
	uint8_t *buf;
	size_t len;

	snprintf(want, sizeof(want), "%s.cfg", l->platform[0] ? l->platform : "firmware");
	for (int i = 0; i < k->n; i++) {
		size_t nl = strlen(k->f[i].name);

		if (nl > 4 && !strcmp(k->f[i].name + nl - 4, ".cfg")) {
			ncfg++;
			if (!cfg || !strcmp(k->f[i].name, want))
				cfg = &k->f[i];
		}
	}
	if (!cfg) {
		add(&k->pre, "cfg", FW_SEV_FAIL, false,
		    "no .cfg file: SP Flash Tool needs one to flash the kit (mtkbak extract writes "
		    "it)");
		return;
	}
	if (path_join(path, k->dir, cfg->name) < 0 ||
	    read_whole_file(path, &buf, &len, CFG_MAX_BYTES) < 0) {
		snprintf(msg, sizeof(msg), "%s cannot be read", cfg->name);
		add(&k->pre, "cfg", FW_SEV_FAIL, false, msg);
		return;
	}
	for (size_t pos = 0; pos < len;) {
		size_t end = pos;
		char line[256], *p;

		while (end < len && buf[end] != '\n')
			end++;
		if (end - pos < sizeof(line)) {
			memcpy(line, buf + pos, end - pos);
			line[end - pos] = '\0';
			line[strcspn(line, "\r#")] = '\0';
			if ((p = strstr(line, "- file: ")) != NULL) {
				char *name = p + 8;
				size_t nl = strlen(name);
				const struct kfile *f;

				while (nl && name[nl - 1] == ' ')
					name[--nl] = '\0';
				nfiles++;
				f = by_name(k, name);
				if (f)
					listed[f - k->f] = true;
				if (!f || !f->gfh)
					append(bad, sizeof(bad), "%slists %s, %s",
					       bad[0] ? "; " : "", name,
					       f ? "which is not a GFH image" : "which is missing");
			} else if ((p = strstr(line, "id_length: ")) != NULL) {
				id_len = atoi(p + 11);
			} else if ((p = strstr(line, "flash_id: ")) != NULL &&
				   nids < FW_MAX_FLASH_IDS) {
				struct fw_flash_id *id = &got[nids++];
				char *tok, *save = NULL;
				int k8 = 0;

				memset(id, 0, sizeof(*id));
				id->id_len = (uint8_t)(id_len > 0 && id_len <= 8 ? id_len : 0);
				for (tok = strtok_r(p + 10, " [],", &save); tok && k8 < 8;
				     tok = strtok_r(NULL, " [],", &save))
					id->id[k8++] = (uint8_t)strtoul(tok, NULL, 16);
				for (int b = id->id_len; b < 8; b++)
					id->id[b] = 0;
			}
		}
		pos = end + 1;
	}
	free(buf);
	for (int i = 0; i < k->n; i++)
		if (k->f[i].gfh && !listed[i])
			append(unlisted, sizeof(unlisted), "%s%s", unlisted[0] ? ", " : "",
			       k->f[i].name);
	if (ids->found) {
		bool same = (uint32_t)nids == ids->count;

		for (int i = 0; same && i < nids; i++)
			same = got[i].id_len == ids->e[i].id_len &&
			       memcmp(got[i].id, ids->e[i].id, 8) == 0;
		if (!same)
			append(
			    bad, sizeof(bad),
			    "%sits %d flash_info entries differ from the firmware's CMEM_ID_INFO "
			    "list (%u)",
			    bad[0] ? "; " : "", nids, ids->count);
	}
	if (bad[0]) {
		append(msg, sizeof(msg), "%s: %s", cfg->name, bad);
		add(&k->pre, "cfg", FW_SEV_FAIL, false, msg);
		return;
	}
	snprintf(msg, sizeof(msg),
		 "%s lists %d files, all present, and %d flash IDs equal to the "
		 "firmware's CMEM_ID_INFO",
		 cfg->name, nfiles, nids);
	if (ncfg > 1)
		append(msg, sizeof(msg), "; %d cfg files in the folder", ncfg);
	if (unlisted[0])
		append(msg, sizeof(msg), "; not in the cfg (SP Flash Tool will not write them): %s",
		       unlisted);
	add(&k->pre, "cfg", ncfg > 1 || unlisted[0] ? FW_SEV_WARN : FW_SEV_OK, false, msg);
}

/* FAT / SDS region of the kit's ROM, from its own GFH (before anything is placed). */
static void rom_regions(const struct kitdir *k, struct fw_range *fat, struct fw_range *sds)
{
	memset(fat, 0, sizeof(*fat));
	memset(sds, 0, sizeof(*sds));
	for (int i = 0; i < k->n; i++) {
		const struct kfile *f = &k->f[i];
		struct gfh_chain c;
		const struct gfh_block_ref *b;

		if (!f->placeable || f->fi.file_type != GFH_FT_PRIMARY_MAUI)
			continue;
		gfh_chain_walk(f->data, (size_t)f->size, f->fi.content_offset, &c);
		if ((b = gfh_chain_find(&c, GFH_BLK_FLASH_INFO)) && b->size >= 0x24) {
			fat->offset = mtk_get_le32(f->data + b->off + 0x1C);
			fat->length = mtk_get_le32(f->data + b->off + 0x20);
			fat->present = fat->length != 0;
		}
		if ((b = gfh_chain_find(&c, GFH_BLK_MAUI_INFO)) && b->size >= 0xE4) {
			sds->offset = mtk_get_le32(f->data + b->off + 0xDC);
			sds->length = mtk_get_le32(f->data + b->off + 0xE0);
			sds->present = sds->length != 0;
		}
		return;
	}
}

static uint64_t place_end(const struct kfile *f)
{
	uint64_t off = f->fi.file_type == GFH_FT_ARM_BL ? 0x800 : (f->fi.load_addr & FW_XIP_MASK);

	return off + f->size;
}

/* Builds the flash image; fills k->pre with what went wrong with the files. */
static int assemble(struct kitdir *k, uint8_t **img, size_t *len, uint64_t *flash)
{
	struct fw_blob blobs[KITDIR_MAX_FILES];
	struct fw_place_opts fo = {0};
	struct fw_range fat, sds;
	char msg[400] = "", bad[300] = "";
	const struct kfile *data[2];
	int nb = 0, ret;
	uint64_t end = 0;

	for (int i = 0; i < k->n; i++) {
		struct kfile *f = &k->f[i];
		const char *tn = gfh_file_type_name(f->fi.file_type);

		if (!f->gfh)
			continue;
		if (f->fi.file_len != f->size) {
			append(bad, sizeof(bad), "%s%s is %llu bytes but its FILE_INFO says 0x%X",
			       bad[0] ? "; " : "", f->name, (unsigned long long)f->size,
			       f->fi.file_len);
			continue;
		}
		if (f->fi.file_type != GFH_FT_ARM_BL &&
		    (f->fi.load_addr & ~FW_XIP_MASK) != FW_XIP_BASE) {
			append(bad, sizeof(bad), "%s%s load address 0x%08X is not in flash",
			       bad[0] ? "; " : "", f->name, f->fi.load_addr);
			continue;
		}
		f->placeable = true;
		blobs[nb].data = f->data;
		blobs[nb++].len = (size_t)f->size;
		if (place_end(f) > end)
			end = place_end(f);
		append(msg, sizeof(msg), "%s%s (%s) at 0x%08llX", nb > 1 ? ", " : "", f->name,
		       tn ? tn : "?", (unsigned long long)(place_end(f) - f->size));
	}
	rom_regions(k, &fat, &sds);
	data[0] = by_name(k, "FAT.bin");
	data[1] = by_name(k, "SDS.bin");
	/* a region beyond any real flash is reported by the checks, not placed */
	if (fat.present && fat.offset + fat.length > end &&
	    fat.offset + fat.length <= KITDIR_MAX_FLASH)
		end = fat.offset + fat.length;
	if (sds.present && sds.offset + sds.length > end &&
	    sds.offset + sds.length <= KITDIR_MAX_FLASH)
		end = sds.offset + sds.length;
	for (*flash = FW_MIN_MIRROR; *flash < end && *flash < KITDIR_MAX_FLASH; *flash <<= 1)
		;
	if (nb == 0) {
		add(&k->pre, "kit_files", FW_SEV_FAIL, true,
		    bad[0] ? bad : "no GFH image in the folder: not a firmware kit");
		return -ENOENT;
	}
	fo.flash_size = *flash;
	ret = fw_place(blobs, nb, &fo, img, NULL);
	*len = ret < 0 ? 0 : (size_t)*flash;
	if (ret < 0) {
		append(bad, sizeof(bad), "%sthe images cannot be placed: %s", bad[0] ? "; " : "",
		       ret == -EINVAL ? "they overlap" : mtk_strerror(ret));
		add(&k->pre, "kit_files", FW_SEV_FAIL, true, bad);
		return ret;
	}
	for (int r = 0; r < 2; r++) {
		const struct fw_range *rg = r ? &sds : &fat;
		const char *what = r ? "SDS.bin" : "FAT.bin";

		if (!rg->present)
			continue;
		if (!data[r]) {
			if (!r)
				append(bad, sizeof(bad),
				       "%sno FAT.bin: the file system (NVRAM, IMEI, "
				       "calibration) is not in the kit",
				       bad[0] ? "; " : "");
			continue;
		}
		if (data[r]->size != rg->length || rg->offset + rg->length > *flash) {
			append(bad, sizeof(bad), "%s%s is %llu bytes, the firmware's region 0x%llX",
			       bad[0] ? "; " : "", what, (unsigned long long)data[r]->size,
			       (unsigned long long)rg->length);
			continue;
		}
		memcpy(*img + rg->offset, data[r]->data, (size_t)rg->length);
		append(msg, sizeof(msg), ", %s", what);
	}
	{
		char all[400] = "";

		append(all, sizeof(all), "placed as the flash tool would: %s", msg);
		if (bad[0]) {
			append(all, sizeof(all), "; %s", bad);
			add(&k->pre, "kit_files", FW_SEV_FAIL, !strstr(bad, "no FAT.bin"), all);
		} else {
			add(&k->pre, "kit_files", FW_SEV_OK, false, all);
		}
	}
	return 0;
}

int kit_check_dir(const char *dir, const struct mtk_log *log, struct fw_checked **out)
{
	static const char *const dropped[] = {"dump", "header_block", "mirror"};
	struct kitdir *k = calloc(1, sizeof(*k));
	struct fw_checked *c = calloc(1, sizeof(*c));
	struct fw_findings *all;
	uint8_t *img = NULL;
	size_t len = 0;
	uint64_t flash = 0;
	int ret;

	*out = NULL;
	if (!k || !c) {
		free(k);
		free(c);
		return -ENOMEM;
	}
	k->dir = dir;
	ret = load_dir(k);
	if (ret < 0)
		goto out;
	if (assemble(k, &img, &len, &flash) == 0) {
		dump_wrap(&c->dump, img, len);
		c->dump.owned = img;
	}
	layout_scan(c->dump.data, c->dump.len, &c->layout, log);
	layout_check(&c->layout, NULL, &c->findings);
	check_sums(k);
	check_cfg(k, &c->layout);

	/* the kit's own findings first; the dump-only ones (header block, mirror) do not apply */
	all = &k->pre;
	for (int i = 0; img && i < c->findings.n && all->n < FW_MAX_FINDINGS; i++) {
		bool drop = false;

		for (size_t d = 0; d < sizeof(dropped) / sizeof(dropped[0]); d++)
			drop |= !strcmp(c->findings.f[i].name, dropped[d]);
		if (!drop)
			all->f[all->n++] = c->findings.f[i];
	}
	c->findings = *all;
	fw_findings_tally(&c->findings);
	*out = c;
	c = NULL;
out:
	for (int i = 0; i < k->n; i++)
		free(k->f[i].data);
	free(k);
	if (c) {
		dump_unmap(&c->dump);
		free(c);
	}
	return ret;
}
