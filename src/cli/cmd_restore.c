/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mtkbak restore SOURCE [--port SPEC] [--auto] [--dry-run] [--yes] [--only REGIONS]
 * [--keep-nvram|--with-nvram] [--other-watch] [--json] [--force] [--unprotect]: the work is
 * restore_run() (src/restore); this file is options and output. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_common.h"
#include "commands.h"
#include "mtkbak/hash.h"
#include "mtkbak/restore.h"
#include "ux.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: mtkbak restore SOURCE [--port SPEC] [--auto] [--dry-run] [--yes]\n"
	    "                      [--only REGIONS] [--keep-nvram|--with-nvram] [--other-watch]\n"
	    "                      [--unprotect] [--force] [--undo-dir DIR] [--timeout SECS]\n"
	    "                      [--json] [-v]\n"
	    "\n"
	    "Writes a backup back to the watch's serial flash. SOURCE is a pull folder (its\n"
	    "readback.bin), a kit folder or a full flash image. Only the 4 KiB sectors that\n"
	    "differ from the watch are erased and programmed, each verified on the watch.\n"
	    "Before the first erase a verified full read of the watch is saved as\n"
	    "pre-restore-<time>.bin (with its SHA-256): `mtkbak restore` of that file undoes\n"
	    "the restore. An interrupted restore (cable, Ctrl-C) continues when run again.\n"
	    "\n"
	    "  --port SPEC       auto (default), usb, usb:BUS-PORT, serial:PATH, sim:IMAGE\n"
	    "  --auto            wait for the watch on any port (the default port)\n"
	    "  --dry-run         show the plan (regions, sectors, bytes, time) and stop\n"
	    "  --yes             do not ask for confirmation\n"
	    "  --only REGIONS    only these regions (comma-separated: ROM,FAT,... as `check`\n"
	    "                    names them); the rest stays as the watch has it\n"
	    "  --other-watch     the backup is another watch's: write its code, keep this\n"
	    "                    watch's FAT and SDS regions (IMEI, calibration, pairings)\n"
	    "  --with-nvram      with --other-watch: write FAT and SDS too\n"
	    "  --keep-nvram      keep this watch's FAT and SDS regions\n"
	    "  --unprotect       clear the flash's block protection for the restore (it is\n"
	    "                    put back at the end)\n"
	    "  --force           restore a source whose check health is below 100%%\n"
	    "  --undo-dir DIR    where the undo image and the restore record go (default .)\n"
	    "  --timeout SECS    wait for the watch this long (default 60)\n"
	    "  --json            one JSON object per event\n"
	    "\n"
	    "Exit: 0 restored (or the plan shown), 1 a sector does not verify, 2 usage,\n"
	    "65 the source fails its check, 69 no watch, 75 the watch stopped answering\n"
	    "(rerun to continue), 77 refused (another watch, chip, flash or protection),\n"
	    "130 interrupted (rerun to continue).\n");
}

static void on_state(void *ctx, const char *msg)
{
	(void)ctx;
	ux_progress_end();
	ux_state("%s", msg);
}

static void on_warn(void *ctx, const char *msg)
{
	(void)ctx;
	ux_progress_end();
	ux_warn("%s", msg);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	(void)ctx;
	ux_progress("restore", done, total);
}

static int on_cancelled(void *ctx)
{
	(void)ctx;
	return ux_interrupted();
}

static void print_plan(const struct restore_plan *p)
{
	if (ux_is_json()) {
		struct jw *w = ux_event_begin("plan");

		jw_kuint(w, "image_len", p->image_len);
		jw_kuint(w, "flash_len", p->flash_len);
		jw_kuint(w, "sectors", p->sectors);
		jw_kuint(w, "sectors_diff", p->sectors_diff);
		jw_kuint(w, "sectors_kept", p->sectors_kept);
		jw_kuint(w, "bytes_program", p->bytes_program);
		jw_kuint(w, "erase_4k", p->erases[0]);
		jw_kuint(w, "erase_32k", p->erases[1]);
		jw_kuint(w, "erase_64k", p->erases[2]);
		jw_kint(w, "est_ms", (int64_t)(p->est_seconds * 1000));
		jw_khex(w, "status1", p->sr[0], 2);
		jw_kbool(w, "protected", p->protect_overlap);
		jw_kbool(w, "resumed", p->resumed);
		jw_key(w, "regions");
		jw_arr_begin(w);
		for (int i = 0; i < p->nregions; i++) {
			const struct restore_region *g = &p->regions[i];

			jw_obj_begin(w);
			jw_kstr(w, "name", g->name);
			jw_khex(w, "offset", g->offset, 6);
			jw_kuint(w, "length", g->length);
			jw_kuint(w, "sectors_diff", g->sectors_diff);
			jw_kbool(w, "kept", g->kept);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		ux_event_end();
		return;
	}
	printf("Plan: %u of %u sectors differ (%u kept as the watch has them), %.1f KiB to "
	       "program; erases: %u x 64 KiB, %u x 32 KiB, %u x 4 KiB; about %.1f s\n",
	       (unsigned)p->sectors_diff, (unsigned)p->sectors, (unsigned)p->sectors_kept,
	       p->bytes_program / 1024.0, p->erases[2], p->erases[1], p->erases[0], p->est_seconds);
	for (int i = 0; i < p->nregions; i++) {
		const struct restore_region *g = &p->regions[i];

		printf("  %-16s 0x%06" PRIX32 " %8.1f KiB  %s\n", g->name, g->offset,
		       g->length / 1024.0,
		       g->kept		      ? "kept"
		       : g->sectors_diff == 0 ? "unchanged"
					      : "");
		if (!g->kept && g->sectors_diff)
			printf("%44s%u sectors to write\n", "", (unsigned)g->sectors_diff);
	}
	if (p->prot_end > p->prot_start)
		printf("Block protection: status register 1 = 0x%02X protects 0x%06" PRIX32
		       "-0x%06" PRIX32 "%s\n",
		       p->sr[0], p->prot_start, p->prot_end - 1u,
		       p->protect_overlap ? ", which holds sectors to write" : "");
	fflush(stdout);
}

static int confirm(void *ctx, const struct restore_plan *p)
{
	bool yes = *(bool *)ctx;
	char line[16];

	print_plan(p);
	if (yes)
		return 0;
	if (!isatty(STDIN_FILENO) || ux_is_json()) {
		ux_error("not confirmed: restore asks on a terminal; add --yes to go ahead");
		return -1;
	}
	fprintf(stderr, "Write this to the watch? [y/N] ");
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin) || (line[0] != 'y' && line[0] != 'Y'))
		return -1;
	return 0;
}

static void emit_result(const struct restore_result *r, int code)
{
	char hex[65];

	if (!ux_is_json())
		return;
	struct jw *w = ux_event_begin("result");
	jw_kstr(w, "status", r->restored ? "restored" : code == 0 ? "planned" : "failed");
	jw_kint(w, "exit_code", code);
	jw_kuint(w, "sectors_written", r->sectors_written);
	jw_kuint(w, "retries", r->retries);
	jw_kint(w, "source_health", r->source_health);
	jw_kbool(w, "forced", r->forced);
	if (r->undo_path[0]) {
		jw_kstr(w, "undo", r->undo_path);
		mtk_hex(r->undo_sha256, 32, hex);
		jw_kstr(w, "undo_sha256", hex);
	}
	if (r->failed_sector >= 0) {
		jw_khex(w, "failed_sector", (uint64_t)r->failed_sector, 6);
		jw_kstr(w, "failed_region", r->failed_region);
	}
	jw_kint(w, "ms", (int64_t)(r->seconds * 1000));
	jw_kint(w, "write_ms", (int64_t)(r->write_seconds * 1000));
	ux_event_end();
}

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {{"port", required_argument, NULL, 'p'},
					     {"auto", no_argument, NULL, 'a'},
					     {"dry-run", no_argument, NULL, 'n'},
					     {"yes", no_argument, NULL, 'y'},
					     {"only", required_argument, NULL, 'O'},
					     {"keep-nvram", no_argument, NULL, 'K'},
					     {"with-nvram", no_argument, NULL, 'W'},
					     {"other-watch", no_argument, NULL, 'X'},
					     {"unprotect", no_argument, NULL, 'U'},
					     {"force", no_argument, NULL, 'f'},
					     {"undo-dir", required_argument, NULL, 'd'},
					     {"timeout", required_argument, NULL, 't'},
					     CLI_COMMON_LONGOPTS,
					     {0, 0, 0, 0}};
	struct restore_opts ro;
	struct restore_result *r;
	struct port_spec spec;
	const char *port = NULL;
	bool yes = false;
	int opt, ret, code;

	restore_opts_default(&ro);
	optind = 0;
	while ((opt = getopt_long(argc, argv, "p:" CLI_COMMON_SHORTOPTS, opts, NULL)) != -1) {
		char *end;
		double t;

		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		if (cli_common_opt(opt))
			continue;
		switch (opt) {
		case 'p':
			port = optarg;
			break;
		case 'a':
			port = NULL;
			break;
		case 'n':
			ro.dry_run = true;
			break;
		case 'y':
			yes = true;
			break;
		case 'O':
			ro.only = optarg;
			break;
		case 'K':
			ro.keep_nvram = true;
			break;
		case 'W':
			ro.with_nvram = true;
			break;
		case 'X':
			ro.other_watch = true;
			break;
		case 'U':
			ro.unprotect = true;
			break;
		case 'f':
			ro.force = true;
			break;
		case 'd':
			ro.undo_dir = optarg;
			break;
		case 't':
			t = strtod(optarg, &end);
			if (*end || end == optarg || t < 0 || t > 86400) {
				ux_error("--timeout wants seconds (0 to 86400), not '%s'", optarg);
				return MTK_EXIT_USAGE;
			}
			ro.open_timeout_ms = (int)(t * 1000);
			break;
		default:
			usage(stderr);
			return MTK_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		ux_error("restore takes one SOURCE (a pull folder, a kit folder or a flash image)");
		usage(stderr);
		return MTK_EXIT_USAGE;
	}
	if (ro.keep_nvram && ro.with_nvram) {
		ux_error("--keep-nvram and --with-nvram contradict each other: choose one");
		return MTK_EXIT_USAGE;
	}
	ro.source = argv[optind];
	if ((ret = cli_parse_port(port, &spec)) != 0)
		return ret;
	ro.env = cli_port_env();
	r = calloc(1, sizeof(*r));
	if (!ro.env || !r) {
		free(r);
		return cli_fail(-ENOMEM, "restore");
	}
	ux_catch_signals();
	ro.port = &spec;
	ro.log = ux_log();
	ro.state = on_state;
	ro.warn = on_warn;
	ro.progress = on_progress;
	ro.cancelled = on_cancelled;
	ro.confirm = confirm;
	ro.cb_ctx = &yes;
	ret = restore_run(&ro, r);
	ux_progress_end();
	if (ret == 0 && ro.dry_run) {
		print_plan(&r->plan);
		ux_state("Dry run: nothing was written.");
	}
	if (ret < 0) {
		if (ret == -EINVAL && r->source_health < 100 && r->source_health > 0)
			code = MTK_EXIT_DATAERR;
		else
			code = ret == -EIO ? MTK_EXIT_VERIFY : cli_fail(ret, r->error_context);
		if (code == MTK_EXIT_VERIFY || code == MTK_EXIT_DATAERR)
			ux_error("%s", r->error_context);
		if (r->next_step[0])
			ux_hint("%s", r->next_step);
		if (r->undo_path[0])
			ux_hint("the undo image is %s (restore it to go back)", r->undo_path);
	} else {
		code = 0;
		if (r->restored) {
			char hex[65];

			if (r->undo_made) {
				mtk_hex(r->undo_sha256, 32, hex);
				ux_state("Undo image: %s (SHA-256 %s)", r->undo_path, hex);
			}
			ux_state("Restored: %u sectors written, every sector of the %.1f MiB image "
				 "verified on the watch (%.1f s)",
				 (unsigned)r->sectors_written, r->plan.image_len / 1048576.0,
				 r->seconds);
		}
	}
	emit_result(r, code);
	free(r);
	port_env_free(ro.env);
	return code;
}
