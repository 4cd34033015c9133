/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mtkbak pull: wait for the watch, read the whole flash (verified, resumable), check it and
 * build the kit. This is identify + read + extract run in sequence: each stage is the same
 * library call its own command makes (brom_connect, readback_run, layout_scan/kit_write). */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli_common.h"
#include "commands.h"
#include "mtkbak/brom.h"
#include "mtkbak/fsutil.h"
#include "mtkbak/hash.h"
#include "mtkbak/extract.h"
#include "mtkbak/kit.h"
#include "mtkbak/readback.h"
#include "mtkbak/clock.h"
#include "mtkbak/text.h"
#include "cli_compress.h"
#include "ux.h"
#ifdef _WIN32
#include "mtkbak/win32.h"
#endif

#define PULL_MAX_DONE 256 /* watches remembered in one --loop session */

struct pull_opts {
	bool autowait;
	bool loop;
	bool force;
	bool no_da;
	bool no_fallback;
	bool no_compress;
	const char *port_text;
	const char *out_dir;
	int timeout_s;	  /* 0: no limit */
	int reconnect_ms; /* --reconnect-timeout: wait after a cable drop */
	uint32_t length;
};

struct pull_session {
	struct pull_opts o;
	struct port_spec spec;
	struct port_env *env;
	FILE *log;  /* mtkbak.log content, copied into the folder at the end */
	int hinted; /* the 10 s hint was given */
	uint8_t done_ids[PULL_MAX_DONE][16];
	int ndone;
};

static void usage(FILE *f)
{
	fprintf(
	    f, "usage: mtkbak pull [--auto] [--port SPEC] [-o DIR] [--timeout SECS] [--loop] "
	       "[--json]\n"
	       "\n"
	       "Waits for the watch, reads its whole flash (size found by itself, every packet and "
	       "the\n"
	       "whole image verified, resumable), checks the firmware and writes a flashable kit.\n"
	       "\n"
	       "  --auto           wait for the watch to be plugged in (switch it off first)\n"
	       "  --port SPEC      auto (default), usb, usb:BUS-PORT, serial:PATH, sim:IMAGE, "
	       "sim:demo\n"
	       "  -o, --output DIR output folder (default ./<CHIP>-<ME ID>-<date>-<time>/); a "
	       "half-done\n"
	       "                   pull into the same folder continues where it stopped\n"
	       "  --timeout SECS   give up waiting for the watch after SECS (exit 69)\n"
	       "  --loop           after each watch, wait for the next one (each into its own "
	       "folder)\n"
	       "  --reconnect-timeout SECS  after a cable drop, wait this long for the watch "
	       "(default 60)\n"
	       "  --length L       read L bytes (4M, 8M, 16M, bytes) instead of finding the size\n"
	       "  --no-da          read through the boot ROM alone (slower), no agent upload\n"
	       "  --no-fallback    stop when the agent fails instead of continuing through the\n"
	       "                   boot ROM alone after the watchdog resets the watch\n"
	       "  --compress M     auto (default: erased blocks as a marker, the rest compressed\n"
	       "                   where that pays) or off\n"
	       "  --force          replace files in an existing output folder\n"
	       "  --json           one JSON event per line (state, progress, result)\n"
	       "  -v               show protocol steps\n");
}

static int pull_tick(void *ctx, int waited_ms)
{
	struct pull_session *s = ctx;

	if (ux_interrupted())
		return -EINTR;
	if (waited_ms >= 10000 && !s->hinted) {
		s->hinted = 1;
		ux_hint(
		    "still waiting. Most watches enter boot-ROM mode only while switched off, for "
		    "a few seconds after USB is connected: unplug, switch the watch off (or take "
		    "the battery out), then plug it in again, holding its boot key if it has one. "
		    "'mtkbak doctor' checks permissions and drivers.");
	}
	return 0;
}

static void rb_state(void *ctx, const char *msg)
{
	(void)ctx;
	ux_state("%s", msg);
}

static void rb_warn(void *ctx, const char *msg)
{
	(void)ctx;
	ux_warn("%s", msg);
}

static void rb_progress(void *ctx, const struct readback_progress *p)
{
	(void)ctx;
	ux_progress("Reading", p->done, p->total);
}

static int rb_cancelled(void *ctx)
{
	(void)ctx;
	return ux_interrupted();
}

/* A default folder of this watch that a previous pull left unfinished, so that rerunning the
 * same command continues it. */
static bool find_unfinished(const char *prefix, char *out)
{
	DIR *d = opendir(".");
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while ((e = readdir(d)) != NULL) {
		char state[MTK_PATH_MAX];
		struct stat st;

		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (snprintf(state, sizeof(state), "%s/readback.bin.part.state", e->d_name) >=
		    (int)sizeof(state))
			continue;
		if (stat(state, &st) == 0 && (!found || strcmp(e->d_name, out) > 0)) {
			snprintf(out, MTK_PATH_MAX, "%s", e->d_name);
			found = true;
		}
	}
	closedir(d);
	return found;
}

static int choose_folder(struct pull_session *s, const struct brom_id *id, char *dir)
{
	char me[9], prefix[64], stamp[32];
	const char *chip = id->chip ? id->chip->name : "MTK";
	time_t now = time(NULL);
	struct tm tm;

	if (s->o.out_dir && !s->o.loop) {
		snprintf(dir, MTK_PATH_MAX, "%s", s->o.out_dir);
		return 0;
	}
	mtk_hex(id->me_id, 4, me);
	snprintf(prefix, sizeof(prefix), "%s-%s-", chip, me);
	if (!s->o.out_dir && find_unfinished(prefix, dir)) {
		ux_state("Continuing the unfinished backup in %s/", dir);
		return 0;
	}
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	if (s->o.out_dir) /* --loop -o DIR: one subfolder per watch */
		return snprintf(dir, MTK_PATH_MAX, "%s/%s%s", s->o.out_dir, prefix, stamp) >=
			       MTK_PATH_MAX
			   ? -ENAMETOOLONG
			   : 0;
	snprintf(dir, MTK_PATH_MAX, "%s%s", prefix, stamp);
	return 0;
}

static int write_sha256_file(const char *dir, const char *name, const uint8_t sha[32], bool force)
{
	char path[MTK_PATH_MAX], hex[65], line[128];

	if (path_join(path, dir, "readback.bin.sha256") < 0)
		return -ENAMETOOLONG;
	mtk_hex(sha, 32, hex);
	snprintf(line, sizeof(line), "%s  %s\n", hex, name);
	return atomic_write_file(path, line, strlen(line), force);
}

/* DIR/readback.bin.info: which watch and flash part the image is from (`restore` checks it). */
static int write_info_file(const char *dir, const struct readback_result *rr, bool force)
{
	char path[MTK_PATH_MAX], me[33], line[160];

	if (path_join(path, dir, "readback.bin.info") < 0)
		return -ENAMETOOLONG;
	mtk_hex(rr->id.me_id, 16, me);
	snprintf(line, sizeof(line), "me_id %s\n", me);
	if (rr->have_jedec)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "jedec %02X%02X%02X\n",
			 rr->jedec[0], rr->jedec[1], rr->jedec[2]);
	snprintf(line + strlen(line), sizeof(line) - strlen(line), "chip %s\n",
		 rr->id.chip ? rr->id.chip->name : "?");
	return atomic_write_file(path, line, strlen(line), force);
}

/* Copies the session log into DIR/mtkbak.log (atomically). */
static void save_log(struct pull_session *s, const char *dir)
{
	char path[MTK_PATH_MAX], buf[8192];
	struct atomic_file af;
	size_t n;

	if (!s->log || path_join(path, dir, "mtkbak.log") < 0)
		return;
	if (atomic_open(&af, path, true) < 0)
		return;
	fflush(s->log);
	rewind(s->log);
	while ((n = fread(buf, 1, sizeof(buf), s->log)) > 0)
		fwrite(buf, 1, n, af.f);
	fseek(s->log, 0, SEEK_END);
	if (atomic_commit(&af) < 0)
		ux_warn("could not write %s", path);
}

/* Names an unfinished pull leaves in its folder (the read's .part, its record and the log). */
static bool pull_leftover(const char *name)
{
	static const char *const names[] = {"readback.bin.part", "readback.bin.part.state",
					    "readback.bin.part.state.tmp", "mtkbak.log"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* Without --force, an existing non-empty DIR is used only when it is an unfinished pull of
 * this watch: nothing in it but the names a pull leaves behind when it stops (the read's
 * .part, its progress record, mtkbak.log), and a progress record, if there is one, made on
 * this watch. (A pull stopped before its record was written leaves only those names too.)
 * 0, or the exit code (message given). */
static int check_folder_ours(const char *dir, const struct brom_id *id)
{
	char state[MTK_PATH_MAX], other[256] = "";
	uint8_t me[16];
	DIR *d;
	struct dirent *e;
	int n = 0, ret = dir_nonempty(dir);

	if (ret <= 0)
		return ret < 0 && ret != -ENOTDIR ? cli_fail(ret, dir) : 0;
	if (path_join(state, dir, "readback.bin.part.state") < 0)
		return cli_fail(-ENAMETOOLONG, dir);
	ret = readback_state_me_id(state, me);
	if ((ret == 0 && memcmp(me, id->me_id, 16)) || (ret < 0 && ret != -ENOENT)) {
		ux_error("%s/ is not empty and is not an unfinished pull of this watch (%s)", dir,
			 ret == 0 ? "its progress record is from another watch"
				  : "its progress record cannot be used");
		ux_hint("choose another folder with -o, or add --force to replace its files");
		return MTK_EXIT_CANTCREAT;
	}
	d = opendir(dir);
	if (!d)
		return cli_fail(-errno, dir);
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || pull_leftover(e->d_name))
			continue;
		if (n++ < 4) {
			size_t used = strlen(other);
			int w = snprintf(other + used, sizeof(other) - used, "%s%.60s",
					 n > 1 ? ", " : "", e->d_name);

			(void)w;
		}
	}
	closedir(d);
	if (n) {
		if (ret == 0)
			ux_error("%s/ holds %d file%s the unfinished pull did not write (%s%s)",
				 dir, n, n == 1 ? "" : "s", other, n > 4 ? ", ..." : "");
		else
			ux_error("%s/ is not empty and is not an unfinished pull of this watch "
				 "(it holds %s%s)",
				 dir, other, n > 4 ? ", ..." : "");
		ux_hint("move them away or choose another folder with -o; --force replaces them");
		return MTK_EXIT_CANTCREAT;
	}
	return 0;
}

static bool already_done(const struct pull_session *s, const struct brom_id *id)
{
	for (int i = 0; i < s->ndone; i++)
		if (!memcmp(s->done_ids[i], id->me_id, 16))
			return true;
	return false;
}

static void emit_result(const char *status, const char *dir, const struct readback_result *rr,
			const struct fw_findings *fs, const struct fw_layout *l, double secs,
			int code)
{
	char hex[65];

	if (!ux_is_json())
		return;
	struct jw *w = ux_event_begin("result");
	jw_kstr(w, "status", status);
	jw_kint(w, "exit_code", code);
	if (dir)
		jw_kstr(w, "folder", dir);
	if (rr) {
		const struct brom_id *id = &rr->id;
		jw_kstr(w, "chip", id->chip ? id->chip->name : NULL);
		jw_khex(w, "hw_code", id->hw_code, 4);
		mtk_hex(id->me_id, 16, hex);
		jw_kstr(w, "me_id", hex);
		if (rr->have_jedec) {
			mtk_hex(rr->jedec, 3, hex);
			jw_kstr(w, "jedec_id", hex);
		}
		jw_kuint(w, "flash_size", rr->size);
		jw_kstr(w, "size_evidence", rr->size_evidence);
		jw_khex(w, "crc32", rr->crc32, 8);
		mtk_hex(rr->sha256, 32, hex);
		jw_kstr(w, "sha256", hex);
		jw_kbool(w, "resumed", rr->resumed);
		jw_kuint(w, "reconnects", rr->reconnects);
		jw_kuint(w, "retries", rr->retries);
		cli_json_wire(w, rr);
	}
	if (fs) {
		jw_kint(w, "health", fs->health);
		jw_kbool(w, "kit_safe", fs->kit_safe);
	}
	if (l && l->platform[0])
		jw_kstr(w, "platform", l->platform);
	jw_key(w, "seconds");
	jw_double(w, secs);
	ux_event_end();
}

/* Checks the verified readback and writes the kit next to it. 0, or the exit code. */
static int check_and_extract(struct pull_session *s, const char *dir, const char *image,
			     const struct readback_result *rr, struct fw_findings *fs,
			     struct fw_layout *l, struct fw_dump *dump)
{
	struct fw_check_opts co = {0};
	struct kit_opts ko = {0};
	struct kit_result kr;
	static const char *const extra[] = {"readback.bin", "readback.bin.sha256"};
	int ret;

	ret = dump_map(image, dump);
	if (ret < 0)
		return cli_fail(ret, "cannot read back the image just written");
	layout_scan(dump->data, dump->len, l, ux_log());
	if (rr->have_jedec) {
		co.have_device_id = true;
		memcpy(co.device_id, rr->jedec, 3);
	}
	layout_check(l, &co, fs);
	ux_state("Checked the firmware: health %d%% (%d ok, %d warnings, %d failed)", fs->health,
		 fs->ok, fs->warn, fs->fail);
	for (int i = 0; i < fs->n; i++)
		if (fs->f[i].sev == FW_SEV_FAIL)
			ux_warn("%s: %s", fs->f[i].name, fs->f[i].message);
	ko.force = s->o.force;
	ko.in_place = true;
	ko.dump_name = "readback.bin";
	ko.extra_files = extra;
	ko.n_extra = 2;
	ret = kit_write(l, fs, dir, &ko, &kr);
	if (ret == -EBADMSG) {
		ux_error("the firmware in this readback fails a check that makes a kit unsafe to "
			 "flash, so no kit was written (report.txt says which)");
		ux_hint("the readback itself is verified and kept in %s/readback.bin; "
			"'mtkbak extract --force' writes a kit marked as damaged",
			dir);
		return MTK_EXIT_VERIFY;
	}
	if (ret < 0)
		return cli_fail(ret, "cannot write the kit");
	ux_state("Wrote the kit: %d files%s", kr.n, kr.damaged ? " (marked damaged)" : "");
	return fs->fail ? MTK_EXIT_VERIFY : 0;
}

/* One watch: connect, read, check, extract. Returns the exit code. */
static int pull_one(struct pull_session *s)
{
	struct port_wait wait = {0};
	struct brom_connect_opts copts = {0};
	struct brom b;
	struct brom_id id;
	struct readback_opts ro;
	struct readback_result rr;
	struct fw_findings *fs = NULL;
	struct fw_layout *l = NULL;
	struct fw_dump dump = {0};
	char dir[MTK_PATH_MAX], image[MTK_PATH_MAX], me[33], hexbuf[65],
	    sizetext[MTK_SIZE_TEXT_LEN];
	double t0;
	int ret, code;

	wait.timeout_ms = s->o.autowait ? (s->o.timeout_s > 0 ? s->o.timeout_s * 1000 : -1) : 0;
	wait.tick = pull_tick;
	wait.ctx = s;
	s->hinted = 0;
	if (s->o.autowait)
		ux_state(
		    "Waiting for the watch: switch it off, then connect USB (hold the boot key "
		    "if it has one). Ctrl-C to stop.");
	for (;;) {
		ret = brom_connect(&b, s->env, &s->spec, &wait, &copts, &id, ux_log());
		if (ret < 0) {
			if (ret == -ENODEV && s->o.loop && s->ndone && s->o.timeout_s > 0) {
				ux_state("No further watch within %d s.", s->o.timeout_s);
				return MTK_EXIT_UNAVAILABLE;
			}
			if (ret == -ENODEV && s->o.autowait && s->o.timeout_s > 0) {
				ux_error("no watch appeared within %d s", s->o.timeout_s);
				ux_hint(
				    "switch the watch off, connect USB while holding its boot key; "
				    "'mtkbak doctor' checks permissions and drivers");
				emit_result("no-device", NULL, NULL, NULL, NULL, 0,
					    MTK_EXIT_UNAVAILABLE);
				return MTK_EXIT_UNAVAILABLE;
			}
			if (b.detail[0])
				ux_debug(0, "%s", b.detail);
			code = cli_fail(ret, "cannot connect to the watch");
			emit_result("failed", NULL, NULL, NULL, NULL, 0, code);
			return code;
		}
		if (!s->o.loop || !already_done(s, &id))
			break;
		/* The same watch again (it rebooted into boot-ROM mode): let it go. */
		brom_rearm_watchdog(&b, id.chip);
		brom_disconnect(&b);
		ux_state("This watch is already backed up: unplug it and connect the next one.");
		struct timespec ts = {1, 0};
		nanosleep(&ts, NULL);
	}
	t0 = mtk_now_s();
	mtk_hex(id.me_id, 16, me);
	/* the efuse variant (MT2503...) only when it says more than the chip name */
	const char *variant =
	    id.variant && (!id.chip || strcmp(id.variant, id.chip->name)) ? id.variant : NULL;
	ux_state("Found %s (hw code 0x%04X, hw ver 0x%04X%s%s) on %s, ME ID %s",
		 id.chip ? id.chip->name : "an unknown chip", id.hw_code, id.hw_ver,
		 variant ? ", " : "", variant ? variant : "", b.tp->name, me);
	if (id.secure)
		ux_warn("this part reports secure boot (target config 0x%08" PRIX32 ")",
			id.target_config);

	ret = choose_folder(s, &id, dir);
	if (ret == 0 && !s->o.force && (code = check_folder_ours(dir, &id)) != 0) {
		brom_disconnect(&b);
		emit_result("failed", dir, NULL, NULL, NULL, 0, code);
		return code;
	}
	if (ret == 0)
		ret = mkdir_p(dir, 0755);
	if (ret == 0)
		ret = path_join(image, dir, "readback.bin");
	if (ret < 0) {
		brom_disconnect(&b);
		return cli_fail(ret, "cannot create the output folder");
	}
	ux_state("Output folder: %s/", dir);

	readback_opts_default(&ro);
	ro.out_path = image;
	ro.force = s->o.force;
	ro.length = s->o.length;
	ro.no_da = s->o.no_da;
	ro.no_fallback = s->o.no_fallback;
	ro.no_compress = s->o.no_compress;
	ro.env = s->env;
	ro.port = &s->spec;
	ro.tp = b.tp; /* readback_run takes the open port over */
	b.tp = NULL;
	ro.open_timeout_ms = 5000;
	ro.reconnect_timeout_ms = s->o.reconnect_ms;
	ro.log = ux_log();
	ro.state = rb_state;
	ro.warn = rb_warn;
	ro.progress = rb_progress;
	ro.cancelled = rb_cancelled;
	ro.cb_ctx = s;
	memset(&rr, 0, sizeof(rr));
	ret = readback_run(&ro, &rr);
	ux_progress_end();
	if (ret < 0) {
		code = cli_fail(ret, rr.error_context[0] ? rr.error_context : "the read failed");
		if (rr.verified && mtk_errno(ret) != -EEXIST) {
			char kept[MTK_SIZE_TEXT_LEN];

			mtk_size_text(rr.verified, kept, sizeof(kept));
			ux_hint("%s are verified and kept: run the same command again to continue",
				kept);
		}
		save_log(s, dir);
		emit_result(ret == -EINTR ? "interrupted" : "failed", dir, NULL, NULL, NULL,
			    mtk_now_s() - t0, code);
		return code;
	}
	mtk_hex(rr.sha256, 32, hexbuf);
	mtk_size_text(rr.size, sizetext, sizeof(sizetext));
	ux_state("Read %s, %s (CRC-32 %08" PRIX32 "%s), SHA-256 %s", sizetext,
		 rr.device_crc_checked ? "verified" : "every block read twice and identical",
		 rr.crc32, rr.device_crc_checked ? " matches the watch's" : "", hexbuf);
	cli_wire_summary(&rr);
	ret = write_sha256_file(dir, "readback.bin", rr.sha256, true);
	if (ret < 0) {
		save_log(s, dir);
		return cli_fail(ret, "cannot write readback.bin.sha256");
	}
	if (write_info_file(dir, &rr, true) < 0)
		ux_warn("could not write readback.bin.info: `mtkbak restore` of this folder will "
			"not know which watch it is from");

	fs = calloc(1, sizeof(*fs));
	l = calloc(1, sizeof(*l));
	if (!fs || !l) {
		free(fs);
		free(l);
		return cli_fail(-ENOMEM, "pull");
	}
	code = check_and_extract(s, dir, image, &rr, fs, l, &dump);

	double secs = mtk_now_s() - t0;
	char jedec[16] = "?";
	if (rr.have_jedec)
		snprintf(jedec, sizeof(jedec), "%02X %02X %02X", rr.jedec[0], rr.jedec[1],
			 rr.jedec[2]);
	ux_state("Done in %.1f s (%.2f MB/s): %s, flash %s %s, health %d%%, files in %s/", secs,
		 rr.seconds > 0 ? rr.size / rr.seconds / 1e6
				: 0.0, /* effective: connect to verified file */
		 l->platform[0] ? l->platform : (id.chip ? id.chip->name : "?"), jedec, sizetext,
		 fs->health, dir);
	save_log(s, dir);
	emit_result(code == 0 ? "ok" : "verification-failed", dir, &rr, fs, l, secs, code);
	if (code == 0 && s->ndone < PULL_MAX_DONE)
		memcpy(s->done_ids[s->ndone++], id.me_id, 16);
	dump_unmap(&dump);
	free(fs);
	free(l);
	return code;
}

int cmd_pull(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"auto", no_argument, NULL, 'a'},
	    {"port", required_argument, NULL, 'p'},
	    {"output", required_argument, NULL, 'o'},
	    {"timeout", required_argument, NULL, 't'},
	    {"loop", no_argument, NULL, 'L'},
	    {"length", required_argument, NULL, 'l'},
	    {"no-da", no_argument, NULL, 'N'},
	    {"no-fallback", no_argument, NULL, 'F'},
	    {"compress", required_argument, NULL, 'Z'},
	    {"force", no_argument, NULL, 'f'},
	    {"reconnect-timeout", required_argument, NULL, 'R'},
	    CLI_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	struct pull_session *s;
	int opt, code;
	char err[128];

	s = calloc(1, sizeof(*s));
	if (!s)
		return MTK_EXIT_SOFTWARE;
	s->o.reconnect_ms = 60000;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "ao:p:t:f" CLI_COMMON_SHORTOPTS, longopts, NULL)) !=
	       -1) {
		if (cli_common_opt(opt))
			continue;
		switch (opt) {
		case 'a':
			s->o.autowait = true;
			break;
		case 'p':
			s->o.port_text = optarg;
			break;
		case 'o':
			s->o.out_dir = optarg;
			break;
		case 't': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v <= 0 || v > 86400) {
				ux_error("--timeout wants seconds (1..86400), not '%s'", optarg);
				free(s);
				return MTK_EXIT_USAGE;
			}
			s->o.timeout_s = (int)v;
			break;
		}
		case 'L':
			s->o.loop = true;
			s->o.autowait = true;
			break;
		case 'l':
			if (readback_parse_length(optarg, &s->o.length, err, sizeof(err)) < 0) {
				ux_error("--length %s: %s", optarg, err);
				free(s);
				return MTK_EXIT_USAGE;
			}
			break;
		case 'N':
			s->o.no_da = true;
			break;
		case 'R': {
			char *end;
			double v = strtod(optarg, &end);

			if (*end || end == optarg || !(v >= 0 && v <= 86400)) { /* NaN fails */
				ux_error("--reconnect-timeout wants seconds (0 to 86400), not '%s'",
					 optarg);
				free(s);
				return MTK_EXIT_USAGE;
			}
			s->o.reconnect_ms = (int)(v * 1000);
			break;
		}
		case 'F':
			s->o.no_fallback = true;
			break;
		case 'Z':
			if (cli_parse_compress(optarg, &s->o.no_compress) != 0) {
				free(s);
				return MTK_EXIT_USAGE;
			}
			break;
		case 'f':
			s->o.force = true;
			break;
		case 'h':
			usage(stdout);
			free(s);
			return 0;
		default:
			usage(stderr);
			free(s);
			return MTK_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		ux_error("unexpected argument '%s'", argv[optind]);
		usage(stderr);
		free(s);
		return MTK_EXIT_USAGE;
	}
	code = cli_parse_port(s->o.port_text, &s->spec);
	if (code) {
		free(s);
		return code;
	}
	ux_catch_signals();
#ifdef _WIN32
	s->log = win32_tmpfile();
#else
	s->log = tmpfile();
#endif
	ux_set_logfile(s->log);
	s->env = cli_port_env();
	if (!s->env) {
		free(s);
		return MTK_EXIT_SOFTWARE;
	}
	bool last_ok = false;
	do {
		code = pull_one(s);
		if (code != MTK_EXIT_UNAVAILABLE || !s->o.loop)
			last_ok = code == 0;
		if (ux_interrupted())
			break;
		if (s->o.loop && code != MTK_EXIT_USAGE)
			ux_state("Ready for the next watch.");
	} while (s->o.loop && !ux_interrupted() && code != MTK_EXIT_USAGE &&
		 code != MTK_EXIT_UNAVAILABLE);
	/* A shop's loop ends with Ctrl-C or when --timeout passes without a next watch: it
	 * succeeded if the last watch did. */
	if (s->o.loop && s->ndone &&
	    (ux_interrupted() || (code == MTK_EXIT_UNAVAILABLE && s->o.timeout_s > 0)))
		code = last_ok ? 0 : code;
	if (s->o.loop)
		ux_state("%d watch%s backed up in this session.", s->ndone,
			 s->ndone == 1 ? "" : "es");
	port_env_free(s->env);
	ux_set_logfile(NULL);
	if (s->log)
		fclose(s->log);
	free(s);
	return code;
}
