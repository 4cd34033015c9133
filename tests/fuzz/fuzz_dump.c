/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: any bytes as a full flash dump through layout_scan, every check, both
 * report renderers and the cfg writer; plus the GFH parsers on their own. Besides ASan/UBSan
 * findings it traps on broken invariants (a healthy verdict with a failure, an image
 * outside the flash, a kit file outside the dump). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtkbak/extract.h"
#include "mtkbak/kit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	return f;
}

static void check_invariants(const struct fw_layout *l, const struct fw_findings *fs)
{
	struct kit_plan plan;

	if (fs->ok + fs->warn + fs->fail != fs->n || fs->n == 0)
		__builtin_trap();
	if ((fs->fail == 0) != (fs->health == 100))
		__builtin_trap();
	if (l->flash_size > l->dump_len)
		__builtin_trap();
	for (int i = 0; i < l->nimages; i++) {
		const struct fw_image_info *im = &l->img[i];

		if (im->offset >= l->flash_size || im->avail > l->flash_size - im->offset)
			__builtin_trap();
		if (i && l->img[i - 1].offset > im->offset)
			__builtin_trap();
	}
	kit_plan_make(l, NULL, &plan);
	for (int i = 0; i < plan.n; i++)
		if (plan.f[i].offset > l->dump_len ||
		    plan.f[i].length > l->dump_len - plan.f[i].offset)
			__builtin_trap();
	if (fs->kit_safe && l->rom < 0)
		__builtin_trap(); /* a kit without ROM must never be called safe */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fw_layout l;
	static struct fw_findings fs;
	struct fw_check_opts opts = {0};
	struct kit_plan plan;
	struct jw w;
	FILE *f = sink();

	if (layout_scan(data, size, &l, NULL) < 0)
		__builtin_trap();
	if (size >= 3) {
		opts.have_device_id = true;
		memcpy(opts.device_id, data + size - 3, 3);
	}
	layout_check(&l, size & 1 ? &opts : NULL, &fs);
	check_invariants(&l, &fs);
	report_text(&fs, f);
	jw_init(&w, f, false);
	jw_obj_begin(&w);
	report_json_fields(&l, &fs, "fuzz", &w);
	jw_obj_end(&w);
	jw_end_line(&w);
	kit_plan_make(&l, NULL, &plan);
	cfg_write(&l, &plan, NULL, !fs.kit_safe, f);

	/* the block parsers on raw bytes */
	{
		struct gfh_file_info fi;
		struct gfh_chain c;
		struct fw_cmem_ids ids;
		struct fw_cmem_nor nor;
		char name[24];

		if (gfh_file_info_parse(data, size, &fi) == 0)
			gfh_chain_walk(data, size, fi.content_offset, &c);
		gfh_cmem_ids_parse(data, size, &ids);
		gfh_cmem_nor_parse(data, size, &nor);
		if (size >= 2) {
			gfh_kit_name((uint16_t)(data[0] | (data[1] << 8)), name, sizeof(name));
			fw_platform_name((const char *)"", NULL, name, sizeof(name));
		}
	}
	return 0;
}
