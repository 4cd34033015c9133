/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mtkbak/log.h"

#include <stdarg.h>
#include <stdio.h>

void mtk_logf(const struct mtk_log *log, int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!log || !log->fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log->fn(log->ctx, level, msg);
}
