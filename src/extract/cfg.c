/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kit plan (which files, in which region) and the SP Flash Tool v5 .cfg.
 *
 * The cfg reproduces the layout of the real MT6260A kit's mtk_config.cfg line for line
 * (indentation, the " " separator lines, trailing spaces after `external_memory:` and
 * `parameters:`), with one `- file:` line per kit file and one `- flash_info:` entry per
 * CMEM_ID_INFO entry in the firmware's order. MTK's parser (cfg_reader.c) reads regions from
 * lines starting in column 0 and entries from `- file: ` / `- flash_info:` substrings. */
#include "mtkbak/errors.h"
#include "mtkbak/kit.h"

#include <stdio.h>
#include <string.h>

static void plan_add(struct kit_plan *p, const char *name, enum kit_region region, uint16_t type,
		     uint64_t off, uint64_t len)
{
	struct kit_file *f;

	if (p->n >= KIT_MAX_FILES)
		return;
	f = &p->f[p->n++];
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->region = region;
	f->file_type = type;
	f->offset = off;
	f->length = len;
}

void kit_plan_make(const struct fw_layout *l, const struct kit_opts *o, struct kit_plan *p)
{
	static const uint16_t boot_types[] = {GFH_FT_ARM_BL, GFH_FT_ARM_EXT_BL};

	memset(p, 0, sizeof(*p));
	snprintf(p->platform, sizeof(p->platform), "%s",
		 o && o->platform && o->platform[0] ? o->platform : l->platform);
	if (p->platform[0])
		snprintf(p->cfg_name, sizeof(p->cfg_name), "%s.cfg", p->platform);
	else
		snprintf(p->cfg_name, sizeof(p->cfg_name), "firmware.cfg");

	/* an image whose length is unknown (not post-built) cannot be cut out */
	for (size_t t = 0; t < sizeof(boot_types) / sizeof(boot_types[0]); t++)
		for (int i = 0; i < l->nimages; i++) {
			const struct fw_image_info *im = &l->img[i];

			if (im->fi.file_type == boot_types[t] && !im->len_unset)
				plan_add(p, im->name, KIT_BOOT_REGION, im->fi.file_type, im->offset,
					 im->avail);
		}
	for (int i = 0; i < l->nimages; i++) {
		const struct fw_image_info *im = &l->img[i];

		if (im->fi.file_type != GFH_FT_ARM_BL && im->fi.file_type != GFH_FT_ARM_EXT_BL &&
		    !im->len_unset)
			plan_add(p, im->name, KIT_MAIN_REGION, im->fi.file_type, im->offset,
				 im->avail);
	}
	if (l->fat.present && l->fat.offset + l->fat.length <= l->flash_size)
		plan_add(p, "FAT.bin", KIT_DATA, 0, l->fat.offset, l->fat.length);
	if (l->sds.present && l->sds.offset + l->sds.length <= l->flash_size)
		plan_add(p, "SDS.bin", KIT_DATA, 0, l->sds.offset, l->sds.length);
}

/* CMEM device type -> the cfg's flash_type keyword */
static const char *flash_type(uint8_t dev_type)
{
	switch (dev_type) {
	case 1:
	case 5:
		return "NAND";
	case 2:
		return "NOR";
	default:
		return "SF";
	}
}

int cfg_write(const struct fw_layout *l, const struct kit_plan *p, const struct kit_opts *o,
	      bool damaged, FILE *f)
{
	const struct fw_cmem_ids *ids = l->rom_ids.found ? &l->rom_ids : &l->ext_ids;
	const char *mem = o && o->memory_type ? o->memory_type : KIT_DEFAULT_MEMORY_TYPE;

	if (damaged)
		fprintf(f, "# mtkbak: built with --force from a DAMAGED dump; see report.txt\n");
	fprintf(f,
		"general:\n"
		"    config_version : alpha\n"
		"    platform: %s\n"
		" \n"
		"boot_region:\n"
		"  alignment: block\n"
		"  rom:\n",
		p->platform);
	for (int i = 0; i < p->n; i++)
		if (p->f[i].region == KIT_BOOT_REGION)
			fprintf(f, "    - file: %s\n", p->f[i].name);
	fprintf(f, " \n"
		   "control_block_region:\n"
		   "  rom:\n"
		   " \n"
		   "main_region:\n"
		   "  alignment: block\n"
		   "  rom:\n");
	for (int i = 0; i < p->n; i++)
		if (p->f[i].region == KIT_MAIN_REGION)
			fprintf(f, "    - file: %s\n", p->f[i].name);
	fprintf(f, " \n"
		   "file_system_region:\n"
		   "  rom:\n"
		   " \n");
	if (ids->found) {
		fprintf(f, "external_memory: \n"
			   "    parameters_version: v1\n"
			   "    parameters: \n");
		for (uint32_t i = 0; i < ids->count && i < FW_MAX_FLASH_IDS; i++) {
			const struct fw_flash_id *id = &ids->e[i];

			fprintf(f,
				"       # EMI %u\n"
				"     - flash_info:\n"
				"           flash_type: %s\n"
				"           id_length: %u\n"
				"           flash_id:  [",
				i + 1, flash_type(id->dev_type), id->id_len);
			for (int k = 0; k < 8; k++)
				fprintf(f, "%s0x%02X", k ? ", " : "", id->id[k]);
			fprintf(f,
				"]\n"
				"       memory_type: %s\n"
				"       EMI_Setting:\n"
				" \n",
				mem);
		}
	}
	return ferror(f) ? -EIO : 0;
}
