/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --compress and the link summary, shared by `mtkbak read` and `mtkbak pull`. */
#include "cli_compress.h"

#include <string.h>

#include "mtkbak/errors.h"
#include "ux.h"

int cli_parse_compress(const char *text, bool *no_compress)
{
	if (!strcmp(text, "auto")) {
		*no_compress = false;
		return 0;
	}
	if (!strcmp(text, "off")) {
		*no_compress = true;
		return 0;
	}
	ux_error("--compress must be auto or off, not '%s'", text);
	return MTK_EXIT_USAGE;
}

void cli_json_wire(struct jw *w, const struct readback_result *r)
{
	const struct readback_wire *x = &r->wire;

	jw_kstr(w, "compress", r->compress);
	jw_kuint(w, "wire_bytes", x->wire_bytes);
	jw_kuint(w, "raw_packet_bytes", x->kind_bytes[0]);
	jw_kuint(w, "erased_packet_bytes", x->kind_bytes[1]);
	jw_kuint(w, "lz4_packet_bytes", x->kind_bytes[2]);
	jw_kuint(w, "compressed_chunks", x->zchunks);
	jw_kuint(w, "plain_chunks", x->rawchunks);
}

void cli_wire_summary(const struct readback_result *r)
{
	const struct readback_wire *x = &r->wire;
	const char *mode = r->compress ? r->compress : "";
	uint64_t flash = r->bytes_transferred;

	if (!strcmp(mode, "boot-rom")) {
		ux_info("Link:     the boot-ROM path (--no-da) cannot compress: every byte crossed "
			"the link");
		return;
	}
	if (!x->wire_bytes || !flash)
		return;
	if (!strcmp(mode, "auto") && x->zchunks)
		ux_info("Link:     %.2f MB crossed the link for %.2f MB of flash (%.0f%% saved: "
			"%.2f MB erased, %.2f MB compressed, %.2f MB sent as they are)",
			(double)x->wire_bytes / 1e6, (double)flash / 1e6,
			x->wire_bytes < flash
			    ? 100.0 * (1.0 - (double)x->wire_bytes / (double)flash)
			    : 0.0,
			(double)x->kind_bytes[1] / 1e6, (double)x->kind_bytes[2] / 1e6,
			(double)x->kind_bytes[0] / 1e6);
	else
		ux_info("Link:     %.2f MB crossed the link, uncompressed (%s)",
			(double)x->wire_bytes / 1e6,
			!strcmp(mode, "off") ? "--compress off"
					     : "this agent does not offer compression");
}
