/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Rendering a checked layout: the text report (what `check` prints and report.txt holds) and
 * the JSON report (check --json, report.json). Schema: doc/firmware-layout.md section 6. */
#include "mtkbak/extract.h"

#include <stdio.h>
#include <string.h>

void report_text(const struct fw_findings *fs, FILE *f)
{
	for (int i = 0; i < fs->n; i++)
		fprintf(f, "%s: %s  %s\n", fs->f[i].name, fw_severity_name(fs->f[i].sev),
			fs->f[i].message);
	fprintf(f, "health: %d%%\n", fs->health);
}

static void json_id(struct jw *w, const struct fw_flash_id *id)
{
	char hex[17];

	for (unsigned k = 0; k < id->id_len && k < 8; k++)
		snprintf(hex + 2 * k, 3, "%02X", id->id[k]);
	hex[2 * (id->id_len < 8 ? id->id_len : 8)] = '\0';
	jw_obj_begin(w);
	jw_kint(w, "type", id->dev_type);
	jw_kint(w, "id_length", id->id_len);
	jw_kstr(w, "id", hex);
	jw_kuint(w, "jedec_size", fw_jedec_capacity(id));
	jw_obj_end(w);
}

static void json_ids(struct jw *w, const char *key, const struct fw_cmem_ids *c)
{
	jw_key(w, key);
	if (!c->found) {
		jw_null(w);
		return;
	}
	jw_obj_begin(w);
	jw_khex(w, "offset", c->offset, 8);
	jw_key(w, "entries");
	jw_arr_begin(w);
	for (uint32_t i = 0; i < c->count && i < FW_MAX_FLASH_IDS; i++)
		json_id(w, &c->e[i]);
	jw_arr_end(w);
	jw_obj_end(w);
}

static void json_range(struct jw *w, const char *key, const struct fw_range *r)
{
	jw_key(w, key);
	if (!r->present) {
		jw_null(w);
		return;
	}
	jw_obj_begin(w);
	jw_khex(w, "offset", r->offset, 8);
	jw_kuint(w, "length", r->length);
	jw_obj_end(w);
}

static const char *hash_state(enum fw_hash_state s)
{
	switch (s) {
	case FW_HASH_OK:
		return "ok";
	case FW_HASH_BAD:
		return "mismatch";
	case FW_HASH_UNCHECKED:
		return "unchecked";
	default:
		return "none";
	}
}

void report_json_fields(const struct fw_layout *l, const struct fw_findings *fs,
			const char *dump_name, struct jw *w)
{
	const struct fw_cmem_nor *nor = l->rom_nor.found ? &l->rom_nor : &l->ext_nor;

	jw_kstr(w, "tool", "mtkbak");
	jw_kstr(w, "version", MTKBAK_VERSION);
	jw_key(w, "dump");
	jw_obj_begin(w);
	jw_kstr(w, "file", dump_name);
	jw_kuint(w, "size", l->dump_len);
	jw_obj_end(w);

	jw_key(w, "flash");
	jw_obj_begin(w);
	jw_kuint(w, "size", l->flash_size);
	jw_kstr(w, "size_source", l->size_source == FW_SIZE_MIRROR ? "mirror" : "dump");
	jw_kbool(w, "mirrored", l->mirrored);
	jw_kbool(w, "mirror_mismatch", l->mirror_mismatch);
	jw_kuint(w, "mirror_diff_bytes", l->mirror_diff_bytes);
	jw_kuint(w, "copies", l->mirrored || l->mirror_mismatch ? l->mirror_copies : 1);
	jw_kuint(w, "alias_bytes", l->dump_len > l->flash_size ? l->dump_len - l->flash_size : 0);
	jw_obj_end(w);

	jw_key(w, "header_block");
	jw_obj_begin(w);
	jw_kbool(w, "sf_boot", l->hb.sf_boot);
	jw_kbool(w, "brlyt", l->hb.brlyt);
	if (l->hb.brlyt) {
		jw_khex(w, "brlyt_offset", l->hb.brlyt_off, 8);
		jw_key(w, "descriptors");
		jw_arr_begin(w);
		for (int i = 0; i < l->hb.ndesc; i++) {
			const struct fw_bl_desc *d = &l->hb.desc[i];
			const char *tn = gfh_file_type_name(d->type);

			jw_obj_begin(w);
			jw_kint(w, "slot", d->slot);
			jw_kstr(w, "type", tn ? tn : "unknown");
			jw_khex(w, "begin", d->begin_off, 8);
			jw_khex(w, "boundary", d->boundary_off, 8);
			jw_obj_end(w);
		}
		jw_arr_end(w);
	}
	jw_obj_end(w);

	jw_key(w, "images");
	jw_arr_begin(w);
	for (int i = 0; i < l->nimages; i++) {
		const struct fw_image_info *im = &l->img[i];
		const char *tn = gfh_file_type_name(im->fi.file_type);

		jw_obj_begin(w);
		jw_kstr(w, "name", im->name);
		jw_kstr(w, "type", tn ? tn : "unknown");
		jw_khex(w, "file_type", im->fi.file_type, 4);
		jw_khex(w, "offset", im->offset, 8);
		jw_kuint(w, "length", im->length);
		jw_khex(w, "load_addr", im->fi.load_addr, 8);
		jw_khex(w, "attr", im->fi.attr, 1);
		jw_kuint(w, "content_offset", im->fi.content_offset);
		jw_kint(w, "gfh_blocks", im->chain.n);
		jw_kbool(w, "gfh_chain_ok", im->chain.ok);
		jw_kbool(w, "truncated", im->truncated);
		jw_kbool(w, "in_brlyt", im->in_brlyt);
		jw_kstr(w, "sha1", hash_state(im->sha1));
		jw_obj_end(w);
	}
	jw_arr_end(w);

	jw_key(w, "regions");
	jw_obj_begin(w);
	json_range(w, "fat", &l->fat);
	json_range(w, "sds", &l->sds);
	jw_obj_end(w);

	jw_key(w, "flash_ids");
	jw_obj_begin(w);
	json_ids(w, "rom", &l->rom_ids);
	json_ids(w, "ext_bootloader", &l->ext_ids);
	jw_key(w, "nor_sizes");
	jw_arr_begin(w);
	for (uint32_t i = 0; nor->found && i < nor->count && i < FW_MAX_FLASH_IDS; i++)
		jw_uint(w, nor->chip_size[i]);
	jw_arr_end(w);
	jw_obj_end(w);

	jw_kstr(w, "platform", l->platform);
	jw_kstr(w, "platform_id", l->platform_id);
	jw_kstr(w, "project_id", l->project_id);

	jw_key(w, "checks");
	jw_arr_begin(w);
	for (int i = 0; i < fs->n; i++) {
		const struct fw_finding *f = &fs->f[i];

		jw_obj_begin(w);
		jw_kstr(w, "name", f->name);
		jw_kstr(w, "status",
			f->sev == FW_SEV_OK	? "ok"
			: f->sev == FW_SEV_WARN ? "warn"
						: "fail");
		jw_kbool(w, "unsafe", f->unsafe);
		jw_key(w, "offsets");
		jw_arr_begin(w);
		for (int k = 0; k < f->noffsets; k++)
			jw_hex(w, f->offsets[k], 8);
		jw_arr_end(w);
		jw_kstr(w, "message", f->message);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_kint(w, "ok", fs->ok);
	jw_kint(w, "warn", fs->warn);
	jw_kint(w, "fail", fs->fail);
	jw_kint(w, "health", fs->health);
	jw_kbool(w, "healthy", fs->fail == 0);
	jw_kbool(w, "kit_safe", fs->kit_safe);
}
