/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mtkbak read -o FILE [--port SPEC] [--length auto|4M|8M|16M|BYTES] [--no-da] [--force]:
 * the whole serial flash into FILE, sized automatically, verified against the watch, resumable.
 * The work is readback_run() (src/readback); this file is options and output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "cli_compress.h"
#include "commands.h"
#include "mtkbak/hash.h"
#include "mtkbak/readback.h"
#include "mtkbak/text.h"
#include "ux.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: mtkbak read -o FILE [--port SPEC] [--length auto|4M|8M|16M|BYTES] [--no-da]\n"
	    "                   [--force] [--timeout SECS] [--reconnect-timeout SECS]\n"
	    "                   [--no-reboot] [--compress auto|off] [--no-fallback]\n"
	    "                   [--json] [-v]\n"
	    "\n"
	    "Reads the watch's whole serial flash into FILE. Read-only: nothing on the watch is\n"
	    "erased or written.\n"
	    "\n"
	    "  -o, --output FILE       where the image goes (FILE.part until it is verified)\n"
	    "  --port SPEC             auto (default), usb, usb:BUS-PORT, serial:PATH, sim:IMAGE\n"
	    "  --length auto|SIZE      auto (default): from the flash's JEDEC ID, checked with\n"
	    "                          SFDP, the firmware's flash tables and a mirror test;\n"
	    "                          or 4M, 8M, 16M, 512K, a number of bytes\n"
	    "  --no-da                 read through the boot ROM alone (no agent upload);\n"
	    "                          slower, every block is read twice (two ways) and compared\n"
	    "  --no-fallback           stop (exit 75, or 76) when the agent is refused, never\n"
	    "                          answers or goes silent, instead of letting the watchdog\n"
	    "                          reset the watch and continuing through the boot ROM\n"
	    "  --compress auto|off     auto (default): the agent sends erased blocks as a\n"
	    "                          marker and compresses the rest where that pays;\n"
	    "                          off: every byte as it is (the boot ROM never compresses)\n"
	    "  --force                 replace FILE if it exists\n"
	    "  --timeout SECS          wait for the watch this long (default 60; 0 = no wait)\n"
	    "  --reconnect-timeout SECS  after a cable drop, wait this long for it (default 60)\n"
	    "  --no-reboot             leave the watch in download mode at the end\n"
	    "  --json                  one JSON object per event\n"
	    "  -v, -vv, -vvv           protocol steps, detail, bytes on the wire\n"
	    "\n"
	    "Every packet is CRC-checked (bad ones are requested again), and at the end the\n"
	    "image's CRC-32 must equal the CRC-32 the watch computes over its flash before\n"
	    "FILE is written. If the cable drops, plug the watch in again (boot key held) and\n"
	    "the read continues; after Ctrl-C or a crash, run the same command again.\n"
	    "Exit: 0 ok, 1 verification failed, 2 usage, 69 no watch, 73 FILE exists,\n"
	    "74 I/O error, 75 the watch stopped answering (rerun to continue), 76 protocol\n"
	    "error, 77 permission denied or secure part, 130 interrupted (rerun to continue).\n");
}

static void on_state(void *ctx, const char *msg)
{
	(void)ctx;
	ux_state("%s", msg);
}

static void on_warn(void *ctx, const char *msg)
{
	(void)ctx;
	ux_warn("%s", msg);
}

static void on_progress(void *ctx, const struct readback_progress *p)
{
	(void)ctx;
	ux_progress("Reading", p->done, p->total);
}

static int on_cancelled(void *ctx)
{
	(void)ctx;
	return ux_interrupted();
}

static int parse_secs(const char *opt, const char *text, int *ms)
{
	char *end;
	double s = strtod(text, &end);

	if (*end || end == text || !(s >= 0 && s <= 86400)) { /* NaN fails both */
		ux_error("%s wants seconds (0 to 86400), not '%s'", opt, text);
		return MTK_EXIT_USAGE;
	}
	*ms = (int)(s * 1000);
	return 0;
}

static const char *source_name(enum readback_size_source s)
{
	switch (s) {
	case READBACK_SIZE_USER:
		return "length";
	case READBACK_SIZE_JEDEC:
		return "jedec";
	case READBACK_SIZE_SFDP:
		return "sfdp";
	case READBACK_SIZE_MIRROR:
		return "mirror";
	case READBACK_SIZE_FIRMWARE:
		return "firmware";
	}
	return "?";
}

static void report(const struct readback_result *r, bool no_da)
{
	char sha[65], size[32], me[33];
	double rate = r->read_seconds > 0 ? (double)r->bytes_transferred / r->read_seconds : 0;

	mtk_hex(r->sha256, 32, sha);
	mtk_hex(r->id.me_id, 16, me);
	mtk_size_text(r->size, size, sizeof(size));
	if (ux_is_json()) {
		struct jw *w = ux_event_begin("read");
		char jedec[7];

		jw_kstr(w, "file", r->out_path);
		jw_kuint(w, "size", r->size);
		jw_kstr(w, "size_source", source_name(r->size_source));
		jw_kstr(w, "size_evidence", r->size_evidence);
		jw_kbool(w, "size_conflict", r->size_conflict);
		if (r->have_jedec) {
			mtk_hex(r->jedec, 3, jedec);
			jw_kstr(w, "jedec", jedec);
		} else {
			jw_kstr(w, "jedec", NULL);
		}
		jw_kuint(w, "mirror_size", r->mirror_size);
		jw_kuint(w, "firmware_size", r->firmware_size);
		jw_khex(w, "crc32", r->crc32, 8);
		jw_kbool(w, "device_crc_checked", r->device_crc_checked);
		jw_kstr(w, "sha256", sha);
		jw_kstr(w, "chip", r->id.chip ? r->id.chip->name : NULL);
		jw_kstr(w, "me_id", me);
		jw_kbool(w, "no_da", no_da);
		jw_kbool(w, "fell_back", r->fell_back);
		jw_kstr(w, "fallback_reason", r->fell_back ? r->fallback_reason : NULL);
		jw_kbool(w, "resumed", r->resumed);
		jw_kuint(w, "resumed_from", r->resumed_from);
		jw_kuint(w, "retries", r->retries);
		jw_kuint(w, "packet_retries", r->packet_retries);
		jw_kuint(w, "reconnects", r->reconnects);
		jw_kuint(w, "bytes_transferred", r->bytes_transferred);
		cli_json_wire(w, r);
		jw_key(w, "seconds");
		jw_double(w, r->seconds);
		jw_key(w, "read_seconds");
		jw_double(w, r->read_seconds);
		ux_event_end();
		return;
	}
	ux_state("Saved %s (%s) in %.1f s", r->out_path, size, r->seconds);
	ux_info("Size:     %s (%s)", size, r->size_evidence);
	if (r->fell_back)
		ux_info("Path:     fell back from the agent's stream (%s)", r->fallback_reason);
	if (r->device_crc_checked)
		ux_info("CRC-32:   %08x (the same CRC-32 the watch computed over its flash)",
			r->crc32);
	else
		ux_info("CRC-32:   %08x (boot ROM read: every block read twice, in two different "
			"ways, and identical; not compared with the watch, which has no checksum "
			"without the agent)",
			r->crc32);
	ux_info("SHA-256:  %s", sha);
	if (r->read_seconds > 0)
		ux_info("Transfer: %.2f MB/s%s", rate / 1e6,
			r->resumed ? " (this run; the rest came from an earlier run)" : "");
	cli_wire_summary(r);
	if (r->retries || r->reconnects || r->packet_retries)
		ux_info("Recovered: %u bad packet%s re-requested, %u chunk%s read again, %u "
			"reconnect%s",
			r->packet_retries, r->packet_retries == 1 ? "" : "s", r->retries,
			r->retries == 1 ? "" : "s", r->reconnects, r->reconnects == 1 ? "" : "s");
}

static int failed(int ret, const struct readback_result *r, const struct readback_opts *o)
{
	char part[32];
	int code;

	if (ret == -EPERM && !o->no_da) {
		/* cli_fail's general hint says a secure part cannot be read; the boot ROM alone
		 * may still allow it */
		ux_error("%s", r->error_context);
		ux_hint("'--no-da' reads through the boot ROM alone, without uploading code; "
			"some secure parts still allow that");
		return mtk_exit_code(ret);
	}
	code = cli_fail(ret, r->error_context[0] ? r->error_context : "read");
	switch (-ret) {
	case ENOTSUP:
		ux_hint("this chip is not in mtkbak's table; 'mtkbak identify' shows what it is");
		break;
	case EINVAL:
		if (strstr(r->error_context, "--length"))
			ux_hint("for example: --length 4M (a typical MT6261 watch has 4 MiB)");
		break;
	case EBADMSG:
		ux_hint("nothing was written to %s; check the cable (use a short one, no hub) and "
			"try again, or try --no-da",
			o->out_path);
		break;
	default:
		break;
	}
	if (r->verified && ret != -EBADMSG && mtk_errno(ret) != -EEXIST) {
		mtk_size_text(r->verified, part, sizeof(part));
		ux_hint("%s read so far are kept in %s.part: run the same command again (with the "
			"watch in boot mode) and it continues there",
			part, o->out_path);
	}
	return code;
}

int cmd_read(int argc, char **argv)
{
	static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
					     {"port", required_argument, NULL, 'p'},
					     {"length", required_argument, NULL, 'l'},
					     {"no-da", no_argument, NULL, 'n'},
					     {"force", no_argument, NULL, 'f'},
					     {"timeout", required_argument, NULL, 't'},
					     {"reconnect-timeout", required_argument, NULL, 'R'},
					     {"no-reboot", no_argument, NULL, 'B'},
					     {"no-fallback", no_argument, NULL, 'F'},
					     {"compress", required_argument, NULL, 'Z'},
					     CLI_COMMON_LONGOPTS,
					     {0, 0, 0, 0}};
	const char *port = NULL, *length = NULL;
	struct readback_opts o;
	struct readback_result r;
	struct port_spec spec;
	char err[200];
	int opt, ret;

	readback_opts_default(&o);
	o.open_timeout_ms = 60000;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+o:p:f" CLI_COMMON_SHORTOPTS, opts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		if (cli_common_opt(opt))
			continue;
		switch (opt) {
		case 'o':
			o.out_path = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'l':
			length = optarg;
			break;
		case 'n':
			o.no_da = true;
			break;
		case 'f':
			o.force = true;
			break;
		case 't':
			if ((ret = parse_secs("--timeout", optarg, &o.open_timeout_ms)) != 0)
				return ret;
			break;
		case 'R':
			if ((ret = parse_secs("--reconnect-timeout", optarg,
					      &o.reconnect_timeout_ms)) != 0)
				return ret;
			break;
		case 'B':
			o.no_reboot = true;
			break;
		case 'F':
			o.no_fallback = true;
			break;
		case 'Z':
			if ((ret = cli_parse_compress(optarg, &o.no_compress)) != 0)
				return ret;
			break;
		default:
			usage(stderr);
			return MTK_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		ux_error("read takes no arguments ('%s'); the output file goes after -o",
			 argv[optind]);
		usage(stderr);
		return MTK_EXIT_USAGE;
	}
	if (!o.out_path || !*o.out_path) {
		ux_error("read needs the output file: -o FILE");
		usage(stderr);
		return MTK_EXIT_USAGE;
	}
	if (readback_parse_length(length, &o.length, err, sizeof(err)) < 0) {
		ux_error("%s", err);
		return MTK_EXIT_USAGE;
	}
	if ((ret = cli_parse_port(port, &spec)) != 0)
		return ret;
	o.env = cli_port_env();
	if (!o.env)
		return cli_fail(-ENOMEM, "read");
	o.port = &spec;
	o.log = ux_log();
	o.state = on_state;
	o.warn = on_warn;
	o.progress = on_progress;
	o.cancelled = on_cancelled;
	ux_catch_signals();

	ret = readback_run(&o, &r);
	ux_progress_end();
	if (ret < 0)
		ret = failed(ret, &r, &o);
	else
		report(&r, o.no_da);
	port_env_free(o.env);
	return ret;
}
