/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the subcommands: common options, device errors with their fix. */
#ifndef MTKBAK_CLI_COMMON_H
#define MTKBAK_CLI_COMMON_H

#include <getopt.h>
#include <stdbool.h>

#include "mtkbak/errors.h"
#include "mtkbak/port.h"
#include "ux.h"

/* Long options every command accepts; put them at the end of a command's table, before {0}. */
#define CLI_COMMON_LONGOPTS                                                                        \
	{"json", no_argument, NULL, 'J'}, {"verbose", no_argument, NULL, 'v'},                     \
	    {"quiet", no_argument, NULL, 'q'},                                                     \
	{                                                                                          \
		"help", no_argument, NULL, 'h'                                                     \
	}
/* Short options to append to a command's optstring. */
#define CLI_COMMON_SHORTOPTS "vqh"

/* Remembers the options given before the command (mtkbak -v read ...). */
void cli_set_global_ux(const struct ux_opts *o);
/* Handles -v/-q/--json (returns true) and re-initialises ux. */
bool cli_common_opt(int opt);

/* Prints "mtkbak: error: <context>: <what happened>" plus one or more hints that say how to fix
 * it (permissions, ModemManager, boot key...), and returns the exit code for err. A file error
 * (tagged at its source, see errors.h) gets a file hint, never a USB one. */
int cli_fail(int err, const char *context);

/* A dump that cannot be read (check, extract): the message and exit 66 (65 for a file far
 * too large to be a flash readback, 74 for a read error). */
int cli_input_error(int err, const char *path);

/* Parses SPEC (NULL = "auto") and prints a usage error if it is bad. */
int cli_parse_port(const char *text, struct port_spec *spec);
/* A port env with every backend this program has (usb, serial and the simulated watch);
 * NULL when out of memory. */
struct port_env *cli_port_env(void);

#endif
