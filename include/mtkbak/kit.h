/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Turning a checked layout into a firmware kit: one file per GFH image, the SP Flash Tool
 * `.cfg`, FAT.bin / SDS.bin, report.txt, report.json and SHA256SUMS, written atomically. */
#ifndef MTKBAK_KIT_H
#define MTKBAK_KIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mtkbak/hash.h"
#include "mtkbak/extract.h"

#define KIT_DEFAULT_MEMORY_TYPE "PSRAM_166MHz"
#define KIT_MAX_FILES		(FW_MAX_IMAGES + 8)

enum kit_region { KIT_BOOT_REGION, KIT_MAIN_REGION, KIT_DATA };

struct kit_file {
	char name[40];
	enum kit_region region;
	uint16_t file_type;	 /* images only */
	uint64_t offset, length; /* bytes of the dump (images, FAT, SDS) */
};

/* What a kit for this layout contains, in cfg order: boot region (BOOTLOADER, EXT_BOOTLOADER),
 * main region (every other image in address order), then FAT.bin and SDS.bin when their
 * region lies complete inside the flash. */
struct kit_plan {
	int n;
	struct kit_file f[KIT_MAX_FILES];
	char platform[16]; /* cfg `platform:` (may be empty) */
	char cfg_name[40]; /* "<PLATFORM>.cfg", or "firmware.cfg" when the platform is unknown */
};

struct kit_opts {
	const char *platform;	 /* overrides the platform from MAUI_INFO (NULL: derived) */
	const char *memory_type; /* NULL: KIT_DEFAULT_MEMORY_TYPE */
	bool force;		 /* replace a non-empty DIR; write even an unsafe kit (damaged) */
	/* Write into an existing DIR file by file (.part + rename) instead of through a temporary
	 * folder; other files in DIR stay (pull keeps readback.bin there). */
	bool in_place;
	const char *dump_name; /* for the reports (NULL: "dump") */
	/* Files already in DIR to include in SHA256SUMS (in_place only), e.g. "readback.bin". */
	const char *const *extra_files;
	int n_extra;
};

struct kit_written {
	char name[40];
	uint64_t size;
	uint8_t sha256[MTK_SHA256_LEN];
};

struct kit_result {
	bool damaged; /* written with --force from a dump with an unsafe failure */
	int n;
	struct kit_written files[KIT_MAX_FILES + 4];
};

void kit_plan_make(const struct fw_layout *l, const struct kit_opts *o, struct kit_plan *p);

/* The SP Flash Tool v5 cfg for the plan, in the layout of the real MT6260A/MT2502 cfgs:
 * general (platform), boot_region, control_block_region, main_region, file_system_region,
 * external_memory with one flash_info per CMEM_ID_INFO entry in the firmware's order. */
int cfg_write(const struct fw_layout *l, const struct kit_plan *p, const struct kit_opts *o,
	      bool damaged, FILE *f);

/* Writes the kit into dir. Refuses (-EEXIST) a non-empty dir unless force or in_place, and
 * (-EBADMSG) a layout whose findings are not kit_safe unless force (then res->damaged).
 * Everything is written to a temporary folder next to dir, fsync'd, then renamed into place.
 * res may be NULL. 0 or a negative code; nothing is left behind on failure. */
int kit_write(const struct fw_layout *l, const struct fw_findings *fs, const char *dir,
	      const struct kit_opts *o, struct kit_result *res);

/* `mtkbak check DIR`: checks a kit folder. Its GFH files are placed into a flash image the way
 * the flash tool places them (FAT.bin/SDS.bin into the ROM's regions) and checked like a
 * dump, minus the dump-only checks (header block, mirror); plus kit_files (every file
 * placeable), sha256sums (every entry matches) and cfg (files present, flash IDs equal to
 * the firmware's). Errors: the folder cannot be read. */
int kit_check_dir(const char *dir, const struct mtk_log *log, struct fw_checked **out);

/* The report.json object (check report plus the kit's files) as extract prints it. */
void kit_report_json(const struct fw_layout *l, const struct fw_findings *fs,
		     const struct kit_opts *o, const char *dir, const struct kit_result *res,
		     struct jw *w);

#endif
