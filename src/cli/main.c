/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mtkbak: back up MediaTek feature-phone and smartwatch firmware through the boot ROM. */
#include <stdio.h>
#include <string.h>

#include "cli_common.h"
#include "commands.h"
#include "ux.h"

const struct cli_command cli_commands[] = {
    {"pull", cmd_pull, "wait for the watch, read the whole flash, verify it and build the kit"},
    {"read", cmd_read, "read the whole serial flash into a file (auto size, verified, resumable)"},
    {"restore", cmd_restore,
     "write a backup back to the watch, verified sector by sector, with an undo image"},
    {"check", cmd_check, "health-check a full flash readback"},
    {"extract", cmd_extract, "turn a full readback into a flashable kit with a .cfg"},
    {"identify", cmd_identify, "handshake with the boot ROM and show chip, versions and ME ID"},
    {"list", cmd_list, "list connected watches in boot-ROM mode and serial ports"},
    {"doctor", cmd_doctor, "check this machine's USB permissions, udev rules and drivers"},
    {"udev", cmd_udev, "print the udev rules and how to install them"},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mtkbak [-v] [--json] <command> [options]\n"
		"\n"
		"Backs up the firmware of MediaTek MT6250/MT6260/MT6261/MT2502/MT2503 watches\n"
		"and phones through the chip's boot ROM over USB or UART. Only `restore` writes\n"
		"the watch's flash; every other command is read-only.\n"
		"\n"
		"Commands:\n");
	for (const struct cli_command *c = cli_commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "  %-10s %s\n", "help", "show this list, or help for one command");
	fprintf(f, "\n"
		   "Start here:  mtkbak pull --auto      (then plug in the switched-off watch)\n"
		   "Try it without a watch:  mtkbak pull --auto --port sim:demo\n"
		   "'mtkbak <command> --help' shows a command's options. See also man mtkbak.\n");
}

static const struct cli_command *find_command(const char *name)
{
	for (const struct cli_command *c = cli_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int main(int argc, char **argv)
{
	int i = 1;
	struct ux_opts uo = {0};

	/* Global options before the command; each command also accepts -v/--json itself. */
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
			printf("mtkbak %s\n", MTKBAK_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			uo.json = true;
		} else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			uo.quiet = true;
		} else if (argv[i][1] == 'v' && strspn(argv[i] + 1, "v") == strlen(argv[i] + 1)) {
			uo.verbose += (int)strlen(argv[i] + 1);
		} else if (!strcmp(argv[i], "--verbose")) {
			uo.verbose++;
		} else {
			fprintf(stderr, "mtkbak: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return MTK_EXIT_USAGE;
		}
	}
	cli_set_global_ux(&uo);
	ux_init(&uo);
	if (i >= argc) {
		usage(stderr);
		return MTK_EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		if (i + 1 < argc && argv[i + 1][0] != '-') {
			const struct cli_command *c = find_command(argv[i + 1]);
			if (!c) {
				fprintf(stderr, "mtkbak: no command '%s'\n", argv[i + 1]);
				return MTK_EXIT_USAGE;
			}
			char *hargv[] = {argv[i + 1], "--help", NULL};
			return c->fn(2, hargv);
		}
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[i], "version")) {
		printf("mtkbak %s\n", MTKBAK_VERSION);
		return 0;
	}
	const struct cli_command *c = find_command(argv[i]);
	if (!c) {
		fprintf(stderr, "mtkbak: no command '%s'; 'mtkbak help' lists them\n", argv[i]);
		return MTK_EXIT_USAGE;
	}
	return c->fn(argc - i, argv + i);
}
