/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mtkbak check DUMP [--json]: health-check a full flash readback. */
#include <stdio.h>
#include <string.h>

#include "cli_common.h"
#include "commands.h"
#include "mtkbak/extract.h"
#include "mtkbak/kit.h"
#include "ux.h"

#include <sys/stat.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mtkbak check DUMP [--json] [-v] [-q]\n"
		"\n"
		"Health-checks a full flash readback (4, 8 or 16 MiB): the SF_BOOT/BRLYT header\n"
		"block, every GFH image (found by its FILE_INFO header, never at fixed offsets),\n"
		"the bootloaders' SHA-1, the ROM end marker, overlaps, VIVA, the file-system\n"
		"region, truncation, mirroring (a small chip read as 16 MiB), the flash size and\n"
		"the flash IDs in the firmware. Prints one line per check and 'health: N%%'.\n"
		"\n"
		"  --json       one JSON object with every finding (doc/firmware-layout.md)\n"
		"  -q, --quiet  print only the checks that did not pass, and the health line\n"
		"  -v           also show how the dump was scanned\n"
		"\n"
		"Exit: 0 healthy, 1 a check failed, 2 usage error, 66 DUMP cannot be read.\n");
}

static void print_quiet(const struct fw_findings *fs)
{
	for (int i = 0; i < fs->n; i++)
		if (fs->f[i].sev != FW_SEV_OK)
			printf("%s: %s  %s\n", fs->f[i].name, fw_severity_name(fs->f[i].sev),
			       fs->f[i].message);
	printf("health: %d%%\n", fs->health);
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {CLI_COMMON_LONGOPTS, {0, 0, 0, 0}};
	struct fw_checked *c;
	const char *path;
	bool quiet = false;
	int opt, ret;

	optind = 0;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, opts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return MTK_EXIT_OK;
		}
		if (opt == 'q')
			quiet = true;
		if (cli_common_opt(opt))
			continue;
		usage(stderr);
		return MTK_EXIT_USAGE;
	}
	if (optind != argc - 1) {
		ux_error(optind >= argc ? "check needs a DUMP file" : "check takes one DUMP file");
		usage(stderr);
		return MTK_EXIT_USAGE;
	}
	path = argv[optind];
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		ret = kit_check_dir(path, ux_log(), &c);
	else
		ret = fw_check_file(path, NULL, ux_log(), &c);
	if (ret < 0)
		return cli_input_error(ret, path);
	if (ux_is_json()) {
		struct jw w;

		jw_init(&w, stdout, false);
		jw_obj_begin(&w);
		report_json_fields(&c->layout, &c->findings, path, &w);
		jw_obj_end(&w);
		jw_end_line(&w);
	} else if (quiet) {
		print_quiet(&c->findings);
	} else {
		report_text(&c->findings, stdout);
	}
	fflush(stdout);
	ret = c->findings.fail ? MTK_EXIT_VERIFY : MTK_EXIT_OK;
	fw_checked_free(c);
	return ret;
}
