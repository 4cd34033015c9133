/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A full serial-NOR readback: mapping it, the GFH format, finding every image and table in it
 * (layout_scan) and health-checking it (layout_check). See doc/firmware-layout.md for
 * the format, the checks and the JSON report.
 *
 * Every byte of a dump is untrusted: each parser takes the number of bytes available and
 * never reads past it; counts and lengths are bounded before use. */
#ifndef MTKBAK_EXTRACT_H
#define MTKBAK_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mtkbak/firmware.h"
#include "mtkbak/json.h"
#include "mtkbak/log.h"

/* ---- the dump in memory ------------------------------------------------------------------ */

/* Largest dump accepted (serial NOR parts on these chips are at most 32 MiB; leave room). */
#define FW_MAX_DUMP_SIZE (1ull << 30)

struct fw_dump {
	const uint8_t *data;
	uint64_t len;
	/* private: how data is held */
	void *map_base;
	size_t map_len;
	uint8_t *owned;
};

/* Maps PATH read-only (falls back to one read into memory where mmap is unavailable).
 * -ENOENT/-EACCES/-EISDIR: cannot read; -EFBIG: larger than FW_MAX_DUMP_SIZE. An empty file
 * maps fine (len 0): the checks then say what is wrong with it. */
int dump_map(const char *path, struct fw_dump *d);
/* Wraps a buffer the caller keeps alive (no copy). */
void dump_wrap(struct fw_dump *d, const uint8_t *data, uint64_t len);
void dump_unmap(struct fw_dump *d);

/* ---- layout ------------------------------------------------------------------------------------
 */

#define FW_MAX_IMAGES  32
#define FW_MAX_REJECTS 8
#define FW_MIN_MIRROR  0x10000u /* smallest period tested for aliasing */

enum fw_hash_state { FW_HASH_NONE = 0, FW_HASH_OK, FW_HASH_BAD, FW_HASH_UNCHECKED };

struct fw_image_info {
	char name[24]; /* kit file name (unique within the layout) */
	struct gfh_file_info fi;
	uint64_t offset; /* in the dump */
	uint64_t length; /* file_len (0 when not post-built) */
	uint64_t avail;	 /* bytes of it inside the scanned area */
	bool truncated;	 /* runs past the end of the flash/dump */
	bool len_unset;	 /* file_len 0xFFFFFFFF */
	bool in_brlyt;	 /* referenced by a header-block descriptor */
	bool xip_placed; /* offset == load_addr & FW_XIP_MASK */
	struct gfh_chain chain;
	enum fw_hash_state sha1;
	bool dne_ok; /* 00 44 4E 45 just before the PHASH trailer */
	uint8_t sha1_calc[20];
	uint8_t sha1_stored[20];
	uint32_t bl_attr; /* BL_INFO.bl_attr when present, else UINT32_MAX */
};

struct fw_bl_desc {
	int slot;    /* 0..7 */
	uint8_t dev; /* 7 = SF */
	uint16_t type;
	uint32_t begin, boundary;	  /* as stored */
	uint64_t begin_off, boundary_off; /* masked with FW_XIP_MASK: flash byte offsets */
	uint32_t attr;
};

struct fw_header_block {
	bool sf_boot;
	uint32_t sf_ver;
	uint32_t rw_unit;
	bool brlyt;
	uint64_t brlyt_off;
	uint32_t brlyt_ver;
	uint32_t boot_region_addr, main_region_addr;
	int ndesc;
	struct fw_bl_desc desc[FW_HB_BRLYT_DESCS];
	char why[96]; /* why it was not found / not valid */
};

struct fw_range {
	bool present;
	uint64_t offset, length;
};

enum fw_size_source { FW_SIZE_DUMP = 0, FW_SIZE_MIRROR };

struct fw_viva_info {
	bool parsed;	    /* the 20-byte VIVA header was inside the image */
	uint32_t self_addr; /* VIVA header: own address */
	uint32_t alice_addr;
	bool alice; /* "ALICE_1"/"ALICE_2" found at alice_addr */
	char alice_magic[9];
	uint32_t alice_base, alice_map, alice_dict;
};

struct fw_reject {
	uint64_t offset;
	char why[96];
};

struct fw_layout {
	const uint8_t *data;
	uint64_t dump_len;
	/* real flash size: the dump length, or the period of a mirrored dump */
	uint64_t flash_size;
	enum fw_size_source size_source;
	bool mirrored;
	uint32_t mirror_copies; /* how many times the flash repeats in the dump */
	/* the copies start alike (a second header block at the period) but differ: an
	 * aliasing chip read with errors; flash_size is the period, mirrored stays false */
	bool mirror_mismatch;
	uint64_t mirror_diff_bytes, mirror_first_diff;
	bool blank; /* every byte the same */
	uint8_t blank_byte;

	struct fw_header_block hb;

	int nimages; /* sorted by offset */
	struct fw_image_info img[FW_MAX_IMAGES];
	int nrejects; /* FILE_INFO-like headers that are not images (first FW_MAX_REJECTS kept) */
	struct fw_reject rejects[FW_MAX_REJECTS];
	bool too_many_images;

	int bl, ext_bl, rom, viva; /* index into img[], -1 when absent */

	struct fw_cmem_ids rom_ids, ext_ids;
	struct fw_cmem_nor rom_nor, ext_nor;

	bool maui_info;
	uint64_t maui_info_off;
	char platform_id[129];
	char project_id[65];
	char platform[16]; /* "MT6261": derived from platform_id/project_id, "" if unknown */
	bool rominfo;
	uint64_t rominfo_off;
	char rominfo_platform[129];

	bool flash_info;
	uint64_t flash_info_off;
	struct fw_range fat, sds;

	struct fw_viva_info viva_hdr;
};

/* Scans data[0:len] (held by the caller for the life of the layout) and fills *l.
 * Never fails on bad content (that is what layout_check reports); -EINVAL for bad arguments. */
int layout_scan(const uint8_t *data, uint64_t len, struct fw_layout *l, const struct mtk_log *log);

/* Mirror detection: the smallest period S (power of two >= FW_MIN_MIRROR, S < len, len a
 * multiple of S) such that every S-sized chunk equals the first. 0 when there is none. */
uint64_t fw_mirror_period(const uint8_t *data, uint64_t len);

/* The chip name from a MAUI platform string and project id: the "MTnnnn" token ("_MT6261_"),
 * plus a variant letter when a separate token equals the last two digits and one letter
 * ("_60A_" -> MT6260A). Empty string when there is no MTnnnn token. */
void fw_platform_name(const char *platform_id, const char *project_id, char *out, size_t len);

/* ---- checks --------------------------------------------------------------------------------- */

enum fw_severity { FW_SEV_OK = 0, FW_SEV_WARN, FW_SEV_FAIL };

#define FW_MAX_FINDINGS	   96
#define FW_FINDING_OFFSETS 4

struct fw_finding {
	char name[40];
	enum fw_severity sev;
	bool unsafe; /* a FAIL that makes a kit built from this dump unsafe to flash */
	int noffsets;
	uint64_t offsets[FW_FINDING_OFFSETS]; /* the dump offsets the message talks about */
	char message[400];
};

struct fw_findings {
	int n;
	struct fw_finding f[FW_MAX_FINDINGS];
	int ok, warn, fail;
	int health;    /* 100 * (ok + warn) / n, rounded down: 100 only without any FAIL */
	bool kit_safe; /* no unsafe FAIL */
};

struct fw_check_opts {
	/* JEDEC ID read from the device (pull knows it); checked against the firmware's list */
	bool have_device_id;
	uint8_t device_id[3];
};

/* Runs every check in the table (see checks.c) and fills *out. opts may be NULL. */
void layout_check(const struct fw_layout *l, const struct fw_check_opts *opts,
		  struct fw_findings *out);
const char *fw_severity_name(enum fw_severity s); /* "ok", "warn", "FAIL" */
/* Recounts ok/warn/fail, health and kit_safe from the findings (after editing the list). */
void fw_findings_tally(struct fw_findings *fs);

/* ---- the whole pipeline for one file (check, extract and pull start here) ---- */

struct fw_checked {
	struct fw_dump dump;
	struct fw_layout layout;
	struct fw_findings findings;
};

/* Maps PATH, scans and checks it. Errors are those of dump_map (the file cannot be read);
 * a bad dump is not an error here: its findings say what is wrong. Free with fw_checked_free. */
int fw_check_file(const char *path, const struct fw_check_opts *opts, const struct mtk_log *log,
		  struct fw_checked **out);
void fw_checked_free(struct fw_checked *c);

/* ---- reports ----------------------------------------------------------------------------------
 */

/* One line per check, "name: ok|warn|FAIL  message", then "health: N%". */
void report_text(const struct fw_findings *fs, FILE *f);
/* Writes the report's keys into an object the caller has opened: dump, flash, images, regions,
 * flash_ids, platform, checks, health (schema: doc/firmware-layout.md section 6). */
void report_json_fields(const struct fw_layout *l, const struct fw_findings *fs,
			const char *dump_name, struct jw *w);

#endif
