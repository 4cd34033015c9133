/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fw_check_file: map + scan + check, the common start of check, extract and pull. */
#include "mtkbak/errors.h"
#include "mtkbak/extract.h"

#include <stdlib.h>

int fw_check_file(const char *path, const struct fw_check_opts *opts, const struct mtk_log *log,
		  struct fw_checked **out)
{
	struct fw_checked *c = calloc(1, sizeof(*c));
	int ret;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	ret = dump_map(path, &c->dump);
	if (ret < 0) {
		free(c);
		return ret;
	}
	ret = layout_scan(c->dump.data, c->dump.len, &c->layout, log);
	if (ret < 0) {
		fw_checked_free(c);
		return ret;
	}
	layout_check(&c->layout, opts, &c->findings);
	*out = c;
	return 0;
}

void fw_checked_free(struct fw_checked *c)
{
	if (!c)
		return;
	dump_unmap(&c->dump);
	free(c);
}
