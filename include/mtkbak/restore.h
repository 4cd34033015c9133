/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `mtkbak restore`: puts a backup back on the watch (src/restore/restore.c).
 *
 * SOURCE is a pull folder (its readback.bin), a kit folder (placed as `check KITDIR` does) or
 * a full flash image. Before anything is written: the source's check health is 100% (or
 * force), the watch is identified, its chip equals the firmware's platform, the firmware
 * lists the watch's JEDEC ID, the flash is at least as large as the image, and the ME ID
 * equals the backup's (else other_watch, which keeps the watch's FAT and SDS regions).
 * The plan compares the CRC-32 of every 4 KiB sector on the watch with the image: only
 * sectors that differ are erased (the largest of 64/32/4 KiB that covers a run of
 * differing sectors) and programmed. Before the first erase a verified full readback is
 * saved (pre-restore-<time>.bin, its SHA-256 next to it). Every sector is verified on the
 * device through the serial flash controller, retried once, else the run stops naming the
 * sector. A record (restore-<ME ID>.state) makes a rerun continue after a cable drop. At
 * the end every sector of the image, read back through the controller, must match.
 *
 * Layers never print: everything goes through the callbacks. */
#ifndef MTKBAK_RESTORE_H
#define MTKBAK_RESTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mtkbak/brom.h"
#include "mtkbak/log.h"
#include "mtkbak/port.h"

#define RESTORE_MAX_REGIONS 40

struct restore_region {
	char name[24];
	uint32_t offset, length;
	uint32_t sectors;      /* 4 KiB sectors of the image in it */
	uint32_t sectors_diff; /* that differ on the watch */
	bool kept;	       /* left as the watch has it (--other-watch, --only) */
};

struct restore_plan {
	uint32_t image_len, flash_len;
	uint32_t sectors, sectors_diff, sectors_kept;
	uint64_t bytes_program; /* non-0xFF bytes of the differing sectors */
	unsigned erases[3];	/* 4, 32, 64 KiB erase commands */
	double est_seconds;	/* datasheet typical times + USB at 1 MB/s */
	int nregions;
	struct restore_region regions[RESTORE_MAX_REGIONS];
	uint8_t sr[2];	      /* status registers 1 and 2 as found */
	bool protect_overlap; /* block protection covers a sector to write */
	uint32_t prot_start, prot_end;
	bool resumed; /* a record of an interrupted restore of this image was found */
};

struct restore_opts {
	const char *source;
	struct port_env *env;
	const struct port_spec *port;
	int open_timeout_ms;
	bool dry_run, force, other_watch, unprotect, with_nvram, keep_nvram;
	const char *only;     /* comma-separated region names, NULL: all */
	const char *undo_dir; /* where pre-restore-*.bin and the record go (NULL: ".") */
	const struct mtk_log *log;
	void (*state)(void *ctx, const char *msg);
	void (*warn)(void *ctx, const char *msg);
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	/* After the plan (not for dry_run): 0 to go on, < 0 to stop (-ECANCELED). */
	int (*confirm)(void *ctx, const struct restore_plan *p);
	int (*cancelled)(void *ctx);
	void *cb_ctx;
};

struct restore_result {
	struct restore_plan plan;
	struct brom_id id;
	uint8_t jedec[3];
	int source_health;
	bool forced; /* health below 100% accepted with force */
	char undo_path[512];
	uint8_t undo_sha256[32];
	bool undo_made;
	uint32_t sectors_written, retries;
	double seconds, write_seconds;
	bool restored; /* every sector of the image verified on the device */
	/* On failure: what was going on, and what to do next. */
	char error_context[320];
	char next_step[320];
	int64_t failed_sector; /* -1 none */
	char failed_region[24];
};

void restore_opts_default(struct restore_opts *o);
/* 0 (restored, or the plan only with dry_run), or a negative code (errors.h): -EINVAL the
 * source is unusable or fails its check; -EPERM a refusal (other watch, chip, flash,
 * protection); -ECANCELED not confirmed; -EIO a sector does not verify; link errors. */
int restore_run(const struct restore_opts *o, struct restore_result *r);

#endif
