/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One file per subcommand (src/cli/cmd_*.c). Each returns the process exit code. */
#ifndef MTKBAK_CLI_COMMANDS_H
#define MTKBAK_CLI_COMMANDS_H

int cmd_check(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_identify(int argc, char **argv);
int cmd_read(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_udev(int argc, char **argv);
int cmd_doctor(int argc, char **argv);

struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

extern const struct cli_command cli_commands[];

#endif
