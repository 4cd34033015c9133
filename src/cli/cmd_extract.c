/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mtkbak extract DUMP -o DIR [--force] [--json]: check a readback and write the kit. */
#include <stdio.h>
#include <string.h>

#include "cli_common.h"
#include "commands.h"
#include "mtkbak/extract.h"
#include "mtkbak/kit.h"
#include "ux.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: mtkbak extract DUMP -o DIR [--force] [--json] [--platform NAME]\n"
	    "                      [--memory-type TYPE]\n"
	    "\n"
	    "Runs the same checks as 'mtkbak check', then writes a kit SP Flash Tool can flash\n"
	    "into DIR: one file per GFH image (BOOTLOADER, EXT_BOOTLOADER, ROM, VIVA, others by\n"
	    "type name), <PLATFORM>.cfg with the flash IDs found in the firmware, FAT.bin (the\n"
	    "file system: NVRAM, IMEI, calibration) and SDS.bin when present, report.txt,\n"
	    "report.json and SHA256SUMS. DIR appears complete or not at all.\n"
	    "\n"
	    "  -o, --output DIR     the kit folder (refused if it exists and is not empty)\n"
	    "  -f, --force          replace a non-empty DIR; write the kit even from a dump\n"
	    "                       that failed a safety check (marked DAMAGED in the report)\n"
	    "      --platform NAME  cfg platform when MAUI_INFO does not give it (e.g. MT6261)\n"
	    "      --memory-type T  cfg memory_type (default " KIT_DEFAULT_MEMORY_TYPE ")\n"
	    "      --json           print report.json instead of text\n"
	    "\n"
	    "Exit: 0 kit written from a healthy dump, 1 a check failed (no kit when it is\n"
	    "unsafe), 2 usage error, 66 DUMP cannot be read, 73 DIR exists.\n");
}

static bool valid_platform(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 16)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

static void print_json(const struct fw_checked *c, const struct kit_opts *ko, const char *dir,
		       const struct kit_result *res)
{
	struct jw w;

	jw_init(&w, stdout, false);
	kit_report_json(&c->layout, &c->findings, ko, dir, res, &w);
	jw_end_line(&w);
	fflush(stdout);
}

static void unsafe_names(const struct fw_findings *fs, char *out, size_t len)
{
	size_t pos = 0;

	out[0] = '\0';
	for (int i = 0; i < fs->n; i++) {
		int n;

		if (!fs->f[i].unsafe)
			continue;
		n = snprintf(out + pos, len - pos, "%s%s", pos ? ", " : "", fs->f[i].name);
		if (n < 0 || (size_t)n >= len - pos)
			break;
		pos += (size_t)n;
	}
}

int cmd_extract(int argc, char **argv)
{
	enum { OPT_PLATFORM = 256, OPT_MEMTYPE };
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"force", no_argument, NULL, 'f'},
	    {"platform", required_argument, NULL, OPT_PLATFORM},
	    {"memory-type", required_argument, NULL, OPT_MEMTYPE},
	    CLI_COMMON_LONGOPTS,
	    {0, 0, 0, 0},
	};
	struct kit_opts ko = {0};
	struct kit_result res;
	struct fw_checked *c;
	const char *dir = NULL, *path;
	char names[256];
	int opt, ret;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "o:f" CLI_COMMON_SHORTOPTS, opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			dir = optarg;
			continue;
		case 'f':
			ko.force = true;
			continue;
		case OPT_PLATFORM:
			if (!valid_platform(optarg)) {
				ux_error("bad --platform '%s': use a chip name such as MT6261",
					 optarg);
				return MTK_EXIT_USAGE;
			}
			ko.platform = optarg;
			continue;
		case OPT_MEMTYPE:
			if (!*optarg || strpbrk(optarg, " \t\n#")) {
				ux_error("bad --memory-type '%s': use e.g. PSRAM_166MHz", optarg);
				return MTK_EXIT_USAGE;
			}
			ko.memory_type = optarg;
			continue;
		case 'h':
			usage(stdout);
			return MTK_EXIT_OK;
		default:
			if (cli_common_opt(opt))
				continue;
			usage(stderr);
			return MTK_EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || !dir || !*dir) {
		ux_error(optind >= argc	      ? "extract needs a DUMP file"
			 : optind != argc - 1 ? "extract takes one DUMP file"
					      : "extract needs the kit folder: -o DIR");
		usage(stderr);
		return MTK_EXIT_USAGE;
	}
	path = argv[optind];
	ko.dump_name = path;
	ret = fw_check_file(path, NULL, ux_log(), &c);
	if (ret < 0)
		return cli_input_error(ret, path);
	if (!ux_is_json())
		report_text(&c->findings, stdout);

	if (!c->findings.kit_safe && !ko.force) {
		unsafe_names(&c->findings, names, sizeof(names));
		if (ux_is_json()) {
			print_json(c, &ko, dir, NULL);
		} else {
			ux_error(
			    "no kit written: the dump failed %s, so a kit from it is not safe to "
			    "flash",
			    names);
			ux_hint(
			    "read the flash again ('mtkbak read'); --force writes the kit anyway, "
			    "marked DAMAGED in its report");
		}
		fw_checked_free(c);
		return MTK_EXIT_VERIFY;
	}
	ret = kit_write(&c->layout, &c->findings, dir, &ko, &res);
	if (ret < 0) {
		char ctx[MTK_PATH_MAX + 32];

		snprintf(ctx, sizeof(ctx), "cannot write the kit to %s", dir);
		if (mtk_errno(ret) == -EEXIST) {
			ux_error("%s exists and is not empty", dir);
			ux_hint("choose another folder, or add --force to replace it");
			ret = MTK_EXIT_CANTCREAT;
		} else if (mtk_errno(ret) == -ENOTDIR) {
			ux_error("%s exists and is not a folder", dir);
			ret = MTK_EXIT_CANTCREAT;
		} else if (ret == -EINVAL) {
			ux_error("cannot use '%s' as the kit folder: give a folder name", dir);
			ret = MTK_EXIT_USAGE;
		} else {
			ret = cli_fail(ret, ctx); /* a file error gets a file hint (errors.h) */
		}
		fw_checked_free(c);
		return ret;
	}
	if (ux_is_json()) {
		print_json(c, &ko, dir, &res);
	} else {
		char list[1024];
		size_t pos = 0;

		for (int i = 0; i < res.n; i++) {
			int n = snprintf(list + pos, sizeof(list) - pos, "%s%s", i ? " " : "",
					 res.files[i].name);
			if (n < 0 || (size_t)n >= sizeof(list) - pos)
				break;
			pos += (size_t)n;
		}
		ux_state("kit written to %s: %s", dir, list);
		if (res.damaged) {
			unsafe_names(&c->findings, names, sizeof(names));
			ux_warn(
			    "the kit is marked DAMAGED (failed: %s); do not flash it unless you "
			    "know why",
			    names);
		}
	}
	ret = c->findings.fail ? MTK_EXIT_VERIFY : MTK_EXIT_OK;
	fw_checked_free(c);
	return ret;
}
