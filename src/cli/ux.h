/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Everything the user sees goes through here (only src/cli prints).
 * - ux_state: one line per state change (stdout), or a JSON event with --json
 * - ux_error/ux_hint/ux_warn: stderr
 * - ux_progress: a bar with speed and ETA on a terminal, <= 10 updates/s; nothing when piped;
 *   with --json, progress events at most 2 per second
 * - ux_debug: -v protocol detail (stderr), also copied to the log file if one is set */
#ifndef MTKBAK_CLI_UX_H
#define MTKBAK_CLI_UX_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mtkbak/json.h"
#include "mtkbak/log.h"

struct ux_opts {
	bool json;
	int verbose;
	bool quiet;
};

void ux_init(const struct ux_opts *o);
bool ux_is_json(void);
/* Copies every state/info/warn/error/debug line (with a timestamp) to f; NULL stops. */
void ux_set_logfile(FILE *f);

void ux_state(const char *fmt, ...) MTK_PRINTF(1, 2);
void ux_info(const char *fmt, ...) MTK_PRINTF(1, 2);
void ux_warn(const char *fmt, ...) MTK_PRINTF(1, 2);
void ux_error(const char *fmt, ...) MTK_PRINTF(1, 2);
void ux_hint(const char *fmt, ...) MTK_PRINTF(1, 2);
void ux_debug(int level, const char *fmt, ...) MTK_PRINTF(2, 3);

/* what: a short label ("Reading"); done/total in bytes. */
void ux_progress(const char *what, uint64_t done, uint64_t total);
/* Clears the bar line (call before printing the next state). */
void ux_progress_end(void);

/* A JSON event writer positioned inside an object that already has "event": type.
 * Call ux_event_end() when done. Only valid when ux_is_json(). */
struct jw *ux_event_begin(const char *type);
void ux_event_end(void);

/* The struct mtk_log that forwards library messages to ux_debug. */
const struct mtk_log *ux_log(void);

/* Ctrl-C handling: installs SIGINT/SIGTERM handlers; ux_interrupted() is then non-zero. */
void ux_catch_signals(void);
int ux_interrupted(void);

#endif
