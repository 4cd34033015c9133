/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --compress auto|off for read and pull, and what the compressed READ saved (doc/reading.md). */
#ifndef MTKBAK_CLI_COMPRESS_H
#define MTKBAK_CLI_COMPRESS_H

#include <stdbool.h>

#include "mtkbak/json.h"
#include "mtkbak/readback.h"

/* "auto" -> false, "off" -> true; anything else: a usage error is printed, MTK_EXIT_USAGE. */
int cli_parse_compress(const char *text, bool *no_compress);
/* "compress", "wire_bytes", "wire_saved" and the bytes per packet kind, into a JSON event. */
void cli_json_wire(struct jw *w, const struct readback_result *r);
/* One "Link:" line for people (nothing when nothing was read this run). */
void cli_wire_summary(const struct readback_result *r);

#endif
